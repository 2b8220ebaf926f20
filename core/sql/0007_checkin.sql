-- 0007: check-in at the door of the exam room (exam/checkin.h). Who came
-- (present), who did not (absent, when a proctor closes the room), who
-- tried and was turned away, and each sitting's check-in rules.
-- Self-contained: it refers only to tables of 0001.

-- A sitting's rules at the door. Without a row: an unpaid fee is refused and
-- nobody counts as late. late_after is an instant in UTC (venues abroad keep
-- their own time; the registry stores none), utc_offset the venue's offset
-- in minutes the cutoff was given in, only to show it as the staff wrote it.
CREATE TABLE checkin_policy (
	sitting_id INTEGER PRIMARY KEY REFERENCES sitting(id),
	unpaid     TEXT NOT NULL DEFAULT 'refuse' CHECK (unpaid IN ('refuse', 'admit')),
	late_after TEXT,
	utc_offset INTEGER NOT NULL DEFAULT 0 CHECK (utc_offset BETWEEN -840 AND 840),
	updated_at TEXT NOT NULL
) STRICT;

-- One row per registration that came to the door or was marked absent.
-- The primary key is what makes a ticket admit one person once, whichever
-- station scans it. A present row records how it was scanned (source),
-- how the proctor checked the passport (identity: its last four characters
-- matched by keyed hash, or by sight), and what the proctor admitted it
-- despite: arriving after the cutoff (late), a fee unpaid under a sitting
-- that admits them (fee_unpaid), having been marked absent (absent_at: when
-- the room was closed).
CREATE TABLE checkin (
	registration_id INTEGER PRIMARY KEY REFERENCES registration(id),
	status     TEXT NOT NULL CHECK (status IN ('present', 'absent')),
	at         TEXT NOT NULL,
	station    TEXT NOT NULL,
	proctor    TEXT NOT NULL,
	source     TEXT CHECK (source IN ('ticket', 'typed')),
	identity   TEXT CHECK (identity IN ('passport', 'sight')),
	late       INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
	fee_unpaid INTEGER NOT NULL DEFAULT 0 CHECK (fee_unpaid IN (0, 1)),
	absent_at  TEXT,
	CHECK ((status = 'present') = (source IS NOT NULL AND identity IS NOT NULL))
) STRICT;

-- Present is final; absent may become present (a proctor admits someone
-- after the room was closed, which the row and the audit log keep).
CREATE TRIGGER checkin_present_final BEFORE UPDATE ON checkin
WHEN OLD.status = 'present'
BEGIN
	SELECT RAISE(ABORT, 'a check-in is final');
END;
CREATE TRIGGER checkin_no_delete BEFORE DELETE ON checkin
BEGIN
	SELECT RAISE(ABORT, 'check-ins are kept');
END;

-- Every scan turned away, with why: the second person with a ticket
-- already used, a forged ticket (no registration: nothing in it is
-- trusted), a passport that does not match, a wrong room, a proctor's
-- refusal to admit someone late.
CREATE TABLE checkin_refusal (
	id              INTEGER PRIMARY KEY,
	sitting_id      INTEGER NOT NULL REFERENCES sitting(id),
	registration_id INTEGER REFERENCES registration(id),
	reason          TEXT NOT NULL CHECK (reason IN ('forged', 'unknown', 'wrong_sitting', 'cancelled',
	                                                'already', 'wrong_test', 'wrong_room', 'unpaid',
	                                                'passport', 'declined')),
	station         TEXT NOT NULL,
	proctor         TEXT NOT NULL,
	at              TEXT NOT NULL
) STRICT;

CREATE INDEX checkin_refusal_sitting ON checkin_refusal(sitting_id, registration_id);
CREATE INDEX checkin_refusal_registration ON checkin_refusal(registration_id);

CREATE TRIGGER checkin_refusal_no_update BEFORE UPDATE ON checkin_refusal
BEGIN
	SELECT RAISE(ABORT, 'refusals are kept as they were');
END;
CREATE TRIGGER checkin_refusal_no_delete BEFORE DELETE ON checkin_refusal
BEGIN
	SELECT RAISE(ABORT, 'refusals are kept as they were');
END;
