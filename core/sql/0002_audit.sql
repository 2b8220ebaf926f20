-- 0002: the audit log. Every change to the registry appends one record.
-- `mac` is a keyed BLAKE2b hash of the record's own fields (an edit breaks
-- it); `chain` hashes the previous record's chain with this mac (a removed,
-- inserted or reordered record breaks it). Keys live in the key file, so
-- whoever can write the database still cannot forge a record.

CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY,
	at         TEXT NOT NULL,
	actor      TEXT NOT NULL,
	command    TEXT NOT NULL,
	entity     TEXT NOT NULL,
	entity_key TEXT NOT NULL,
	action     TEXT NOT NULL,
	detail     TEXT NOT NULL,
	mac        BLOB NOT NULL,
	chain      BLOB NOT NULL
) STRICT;

CREATE INDEX audit_entity ON audit(entity, entity_key);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
