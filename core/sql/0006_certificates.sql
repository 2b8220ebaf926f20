-- 0006: pass certificates (合格証明書) and their revocation. A certificate
-- is issued for one passed registration; its signed token (a JWS, see
-- core/jws.h) is what the QR code carries, so it is kept exactly as
-- issued, with the key that signed it. Certificates are never deleted or
-- changed: a wrong one is revoked (with a reason and time) and stays
-- revoked, so every verifier keeps saying so.
--
-- number: YYYY-NNNNNN-C, the year of issue, a sequence within the year
-- (000001-999999) and a Damm check digit over the ten digits before it
-- (exam/certificate.h).
CREATE TABLE certificate (
	id              INTEGER PRIMARY KEY,
	number          TEXT NOT NULL UNIQUE
	                CHECK (number GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9]'),
	registration_id INTEGER NOT NULL UNIQUE REFERENCES registration(id),
	token           TEXT NOT NULL,
	kid             TEXT NOT NULL,
	issued_at       TEXT NOT NULL,
	status          TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
	revoked_at      TEXT,
	reason          TEXT,
	CHECK ((status = 'valid' AND revoked_at IS NULL AND reason IS NULL) OR
	       (status = 'revoked' AND revoked_at IS NOT NULL AND reason <> ''))
) STRICT;

CREATE INDEX certificate_revoked ON certificate(status, revoked_at);

CREATE TRIGGER certificate_no_delete BEFORE DELETE ON certificate
BEGIN
	SELECT RAISE(ABORT, 'certificates are never deleted; revoke it instead');
END;

CREATE TRIGGER certificate_fixed BEFORE UPDATE OF id, number, registration_id, token, kid, issued_at
ON certificate
BEGIN
	SELECT RAISE(ABORT, 'a certificate never changes once issued; revoke it instead');
END;

CREATE TRIGGER certificate_stays_revoked BEFORE UPDATE ON certificate WHEN OLD.status = 'revoked'
BEGIN
	SELECT RAISE(ABORT, 'a revoked certificate stays revoked');
END;

-- The ledger (0005) with the certificate number of each attempt, if any.
DROP VIEW ledger;
CREATE VIEW ledger AS
SELECT c.id AS candidate_id, c.reference, r.id AS registration_id, r.exam_number,
       s.code AS sitting, s.exam_date, t.code AS test, t.category_ja, t.category_en, t.level,
       CASE WHEN r.status = 'cancelled' THEN 'cancelled' ELSE COALESCE(res.outcome, 'pending') END AS outcome,
       res.graded_at, res.run_id, cert.number AS certificate
FROM registration r
JOIN candidate c ON c.id = r.candidate_id
JOIN sitting s ON s.id = r.sitting_id
JOIN test t ON t.id = r.test_id
LEFT JOIN result res ON res.registration_id = r.id
LEFT JOIN certificate cert ON cert.registration_id = r.id;
