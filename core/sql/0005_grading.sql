-- 0005: what comes back from a sitting and what is made of it: responses
-- (answer-sheet marks), examiners' section scores, incidents in the room,
-- key corrections, grading runs, results, and the candidate ledger.

-- Marks read from a candidate's answer sheet (an OMR service's CSV), one
-- byte per printed position in paper order (学科 then 実技, as numbered on
-- the sheet): bit 0 = ○ or A, bit 1 = × or B, bits 2-4 = C-E; 0 = blank;
-- more than one bit = several marks. 0x80 alone = several marks the reader
-- could not tell apart ('*'). Grading maps positions back to canonical
-- items and options through the paper.
CREATE TABLE response (
	registration_id INTEGER PRIMARY KEY REFERENCES registration(id),
	paper_code      TEXT NOT NULL,
	marks           BLOB NOT NULL,
	source          TEXT NOT NULL,   -- "file.csv:12"
	imported_at     TEXT NOT NULL
) STRICT;

-- Sections graded by examiners (item kind 'scored'): points out of a
-- maximum, with who scored them.
CREATE TABLE section_score (
	registration_id INTEGER NOT NULL REFERENCES registration(id),
	section_id      INTEGER NOT NULL REFERENCES test_section(id),
	points          INTEGER NOT NULL CHECK (points >= 0),
	max_points      INTEGER NOT NULL CHECK (max_points > 0 AND points <= max_points),
	examiners       TEXT NOT NULL CHECK (examiners <> ''),
	note            TEXT NOT NULL DEFAULT '',
	source          TEXT NOT NULL,
	imported_at     TEXT NOT NULL,
	PRIMARY KEY (registration_id, section_id)
) STRICT, WITHOUT ROWID;

-- What a proctor recorded about a candidate at the sitting. A disqualifying
-- incident makes the result 'disqualified' whatever was scored.
CREATE TABLE incident (
	id              INTEGER PRIMARY KEY,
	registration_id INTEGER NOT NULL REFERENCES registration(id),
	kind            TEXT NOT NULL
	                CHECK (kind IN ('cheating', 'impersonation', 'disruption', 'other')),
	disqualify      INTEGER NOT NULL CHECK (disqualify IN (0, 1)),
	note            TEXT NOT NULL,
	proctor         TEXT NOT NULL,
	created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX incident_registration ON incident(registration_id);

-- Key corrections, as exam bodies make them when an item turns out flawed:
-- from the newest correction on, the item version accepts exactly these
-- canonical options (bits as in response.marks; all options = every answer
-- counts, "accept all") instead of its key. Kept forever, never changed.
CREATE TABLE key_correction (
	id              INTEGER PRIMARY KEY,
	item_version_id INTEGER NOT NULL REFERENCES item_version(id),
	accept          INTEGER NOT NULL CHECK (accept BETWEEN 1 AND 31),
	reason          TEXT NOT NULL CHECK (reason <> ''),
	actor           TEXT NOT NULL,
	created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX key_correction_version ON key_correction(item_version_id, id);

CREATE TRIGGER key_correction_no_update BEFORE UPDATE ON key_correction
BEGIN
	SELECT RAISE(ABORT, 'key corrections are never changed; add a new one');
END;
CREATE TRIGGER key_correction_no_delete BEFORE DELETE ON key_correction
BEGIN
	SELECT RAISE(ABORT, 'key corrections are never changed; add a new one');
END;

-- One `shiken grade` that wrote results. key_corrections is the newest
-- key_correction id when it ran: the keys its results were scored with,
-- so a later re-grade can name the corrections that changed a result.
CREATE TABLE grading_run (
	id          INTEGER PRIMARY KEY,
	sitting_id  INTEGER NOT NULL REFERENCES sitting(id),
	actor       TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	graded      INTEGER NOT NULL,   -- registrations graded
	written     INTEGER NOT NULL,   -- results new or changed by this run
	key_corrections INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A registration's result as last graded, and the run that made it.
-- (The outcome check is spelled with OR: SQLite checks an IN list of more
-- than two values through a temporary index built for every row written,
-- and grading writes a hundred thousand rows at once.)
CREATE TABLE result (
	registration_id INTEGER PRIMARY KEY REFERENCES registration(id),
	run_id          INTEGER NOT NULL REFERENCES grading_run(id),
	outcome         TEXT NOT NULL CHECK (outcome = 'pass' OR outcome = 'fail' OR outcome = 'absent'
	                                     OR outcome = 'disqualified'),
	graded_at       TEXT NOT NULL
) STRICT;

CREATE INDEX result_run ON result(run_id);

-- Section by section (none for an absent candidate). `multiple` counts
-- positions with several marks (scored wrong, flagged), `blank` those left
-- empty. passed = points * 100 >= pass_percent * max_points.
CREATE TABLE result_section (
	registration_id INTEGER NOT NULL REFERENCES result(registration_id),
	section_id      INTEGER NOT NULL REFERENCES test_section(id),
	points          INTEGER NOT NULL CHECK (points >= 0),
	max_points      INTEGER NOT NULL CHECK (max_points > 0 AND points <= max_points),
	passed          INTEGER NOT NULL CHECK (passed IN (0, 1)),
	multiple        INTEGER NOT NULL DEFAULT 0,
	blank           INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (registration_id, section_id)
) STRICT, WITHOUT ROWID;

-- The candidate ledger (受験者台帳): every attempt of every candidate, with
-- its result once graded. Section scores are in result_section; the
-- certificate number joins here when certificates exist.
CREATE VIEW ledger AS
SELECT c.id AS candidate_id, c.reference, r.id AS registration_id, r.exam_number,
       s.code AS sitting, s.exam_date, t.code AS test, t.category_ja, t.category_en, t.level,
       CASE WHEN r.status = 'cancelled' THEN 'cancelled' ELSE COALESCE(res.outcome, 'pending') END AS outcome,
       res.graded_at, res.run_id
FROM registration r
JOIN candidate c ON c.id = r.candidate_id
JOIN sitting s ON s.id = r.sitting_id
JOIN test t ON t.id = r.test_id
LEFT JOIN result res ON res.registration_id = r.id;
