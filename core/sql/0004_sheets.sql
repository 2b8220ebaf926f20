-- 0004: answer sheet layouts. A scanner needs to know exactly where each
-- bubble of a printed answer sheet is. Layouts are JSON (points from the
-- page's top-left corner; nothing of the candidate's), stored once per
-- distinct layout and pointed at by every sheet that used it.

CREATE TABLE sheet_layout (
	id         INTEGER PRIMARY KEY,
	digest     BLOB NOT NULL UNIQUE,
	layout     TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE sheet (
	registration_id INTEGER NOT NULL REFERENCES registration(id),
	page            INTEGER NOT NULL,
	layout_id       INTEGER NOT NULL REFERENCES sheet_layout(id),
	printed_at      TEXT NOT NULL,
	PRIMARY KEY (registration_id, page)
) STRICT, WITHOUT ROWID;
