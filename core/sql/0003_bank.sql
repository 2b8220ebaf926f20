-- 0003: the question bank, blueprints, parallel forms and papers.
--
-- An item (問題) keeps every version it ever had; forms point at versions,
-- which never change. Reviews belong to a version: editing an item makes a
-- new version with no approvals. Answer keys are sealed with the data key
-- (bound to the item id), so neither the file nor an export reveals them.

CREATE TABLE item (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	test_id     INTEGER NOT NULL REFERENCES test(id),
	section_id  INTEGER NOT NULL REFERENCES test_section(id),
	current_version INTEGER NOT NULL DEFAULT 1,
	retired     INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
	created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE item_version (
	id           INTEGER PRIMARY KEY,
	item_id      INTEGER NOT NULL REFERENCES item(id),
	version      INTEGER NOT NULL,
	cell         TEXT NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('tf', 'mc')),
	stem         TEXT NOT NULL,
	noptions     INTEGER NOT NULL CHECK (noptions BETWEEN 0 AND 5),
	key_enc      BLOB NOT NULL,   -- sealed: "O"/"X" or "A".."E"
	difficulty   INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 5),
	enemy_group  TEXT,
	fixed_order  INTEGER NOT NULL DEFAULT 0 CHECK (fixed_order IN (0, 1)),
	figure_id    INTEGER REFERENCES photo(id),
	figure_name  TEXT,
	public       INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
	explanation  TEXT,
	author       TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	UNIQUE (item_id, version)
) STRICT;

-- The options of a multiple-choice version in canonical order (A = 0).
CREATE TABLE item_option (
	item_version_id INTEGER NOT NULL REFERENCES item_version(id),
	position        INTEGER NOT NULL CHECK (position BETWEEN 0 AND 4),
	text            TEXT NOT NULL,
	PRIMARY KEY (item_version_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE item_review (
	id              INTEGER PRIMARY KEY,
	item_version_id INTEGER NOT NULL REFERENCES item_version(id),
	reviewer        TEXT NOT NULL,
	decision        TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
	comment         TEXT,
	created_at      TEXT NOT NULL,
	UNIQUE (item_version_id, reviewer)
) STRICT;

-- How many items of a subject area (cell) and difficulty band one form has.
CREATE TABLE blueprint (
	test_id    INTEGER NOT NULL REFERENCES test(id),
	section_id INTEGER NOT NULL REFERENCES test_section(id),
	cell       TEXT NOT NULL,
	band       TEXT NOT NULL CHECK (band IN ('easy', 'medium', 'hard')),
	count      INTEGER NOT NULL CHECK (count > 0),
	PRIMARY KEY (section_id, cell, band)
) STRICT;

-- A form (パターン): a fixed set of item versions for one test. Locked forms
-- never change; a form is locked when papers are built from it.
CREATE TABLE form (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,   -- "MM1-F01"
	test_id     INTEGER NOT NULL REFERENCES test(id),
	number      INTEGER NOT NULL,       -- 1.. per test
	kind        TEXT NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'sample')),
	status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'locked')),
	build_seed  INTEGER NOT NULL,
	mean_difficulty REAL NOT NULL,
	created_at  TEXT NOT NULL,
	UNIQUE (test_id, number)
) STRICT;

CREATE TABLE form_item (
	form_id         INTEGER NOT NULL REFERENCES form(id),
	section_id      INTEGER NOT NULL REFERENCES test_section(id),
	position        INTEGER NOT NULL,  -- canonical order within the section
	item_version_id INTEGER NOT NULL REFERENCES item_version(id),
	anchor          INTEGER NOT NULL DEFAULT 0 CHECK (anchor IN (0, 1)),
	PRIMARY KEY (form_id, section_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX form_item_version ON form_item(item_version_id);

-- A locked form never changes: not its items, not its identity.
CREATE TRIGGER form_item_locked_insert BEFORE INSERT ON form_item
WHEN (SELECT status FROM form WHERE id = NEW.form_id) = 'locked'
BEGIN
	SELECT RAISE(ABORT, 'form is locked');
END;
CREATE TRIGGER form_item_locked_update BEFORE UPDATE ON form_item
WHEN (SELECT status FROM form WHERE id = OLD.form_id) = 'locked'
BEGIN
	SELECT RAISE(ABORT, 'form is locked');
END;
CREATE TRIGGER form_item_locked_delete BEFORE DELETE ON form_item
WHEN (SELECT status FROM form WHERE id = OLD.form_id) = 'locked'
BEGIN
	SELECT RAISE(ABORT, 'form is locked');
END;
CREATE TRIGGER form_locked_update BEFORE UPDATE ON form
WHEN OLD.status = 'locked'
BEGIN
	SELECT RAISE(ABORT, 'form is locked');
END;
CREATE TRIGGER form_locked_delete BEFORE DELETE ON form
WHEN OLD.status = 'locked'
BEGIN
	SELECT RAISE(ABORT, 'form is locked');
END;

-- The forms a sitting uses for a test, in the order of the seating pattern
-- (slot 0..k-1). Fixed when its first papers are built, so papers added
-- later follow the same pattern.
CREATE TABLE sitting_form (
	sitting_id INTEGER NOT NULL REFERENCES sitting(id),
	test_id    INTEGER NOT NULL REFERENCES test(id),
	slot       INTEGER NOT NULL,
	form_id    INTEGER NOT NULL REFERENCES form(id),
	PRIMARY KEY (sitting_id, test_id, slot)
) STRICT, WITHOUT ROWID;

-- A paper: the form a registration sits, with its own item and option order
-- (rebuilt from the sitting key and the exam number, never stored), a short
-- code printed on booklet and answer sheet, and a digest of exactly what was
-- printed so an audit can prove which paper a candidate had.
CREATE TABLE paper (
	registration_id INTEGER PRIMARY KEY REFERENCES registration(id),
	form_id         INTEGER NOT NULL REFERENCES form(id),
	code            TEXT NOT NULL,
	digest          BLOB NOT NULL,
	created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX paper_form ON paper(form_id);
