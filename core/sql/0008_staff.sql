-- 0008: staff accounts for the web service (core/staff.h): who may sign in
-- to the check-in station, their sessions, and the failed sign-ins that
-- lock an account or a client address out for a while. Self-contained.

-- An account. The password is kept only as libsodium's crypto_pwhash_str
-- (Argon2id, its parameters inside the string); a disabled account keeps
-- its row (the audit log names it) and can no longer sign in.
CREATE TABLE staff (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
	role          TEXT NOT NULL CHECK (role IN ('admin', 'proctor', 'grader')),
	password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	created_at    TEXT NOT NULL,
	disabled_at   TEXT,
	last_login_at TEXT,
	CHECK ((status = 'disabled') = (disabled_at IS NOT NULL))
) STRICT;

CREATE TRIGGER staff_no_delete BEFORE DELETE ON staff
BEGIN
	SELECT RAISE(ABORT, 'staff accounts are kept; disable them instead');
END;

-- A signed-in browser. Only a hash of the session id is kept (the id itself
-- lives in the browser's cookie), so a copy of the database signs nobody
-- in. Times are seconds since the epoch: expiry is arithmetic on them.
-- The station the proctor chose (sitting, room, station name) belongs to
-- the session.
CREATE TABLE staff_session (
	id_hash    BLOB PRIMARY KEY CHECK (length(id_hash) = 32),
	staff_id   INTEGER NOT NULL REFERENCES staff(id),
	client     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	sitting    TEXT,
	room       TEXT,
	station    TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX staff_session_staff ON staff_session(staff_id);

-- Failed sign-ins, for the lockout: by account (when the name was one) and
-- by client address. The name typed is not kept for unknown names (people
-- type passwords into the name field).
CREATE TABLE staff_login_failure (
	id       INTEGER PRIMARY KEY,
	staff_id INTEGER REFERENCES staff(id),
	client   TEXT NOT NULL,
	at       INTEGER NOT NULL
) STRICT;

CREATE INDEX staff_login_failure_staff ON staff_login_failure(staff_id, at);
CREATE INDEX staff_login_failure_client ON staff_login_failure(client, at);
