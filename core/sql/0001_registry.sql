-- 0001: the registry. Tests (試験) with their sections and age rules,
-- candidates (受験者) and their photos, venues with rooms, sittings (試験回),
-- registrations with exam numbers and seats, and fee payments.
-- Times are ISO 8601 UTC text ("2026-11-22T09:30:00Z"), dates "YYYY-MM-DD".
-- Money is an integer in the currency's minor unit (JPY: yen; USD: cents).

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

CREATE TABLE test (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	category_ja TEXT NOT NULL,
	category_en TEXT NOT NULL,
	level       INTEGER NOT NULL CHECK (level IN (1, 2)),
	created_at  TEXT NOT NULL
) STRICT;

-- A section is graded on its own and must reach its pass mark: the test is
-- passed when every section is.
CREATE TABLE test_section (
	id             INTEGER PRIMARY KEY,
	test_id        INTEGER NOT NULL REFERENCES test(id),
	position       INTEGER NOT NULL,
	code           TEXT NOT NULL,
	name_ja        TEXT NOT NULL,
	name_en        TEXT NOT NULL,
	item_kind      TEXT NOT NULL CHECK (item_kind IN ('tf', 'mc', 'scored')),
	pass_percent   INTEGER NOT NULL CHECK (pass_percent BETWEEN 0 AND 100),
	time_limit_min INTEGER NOT NULL CHECK (time_limit_min > 0),
	UNIQUE (test_id, code),
	UNIQUE (test_id, position)
) STRICT;

-- Minimum age on the exam date; a row for a nationality overrides the
-- general row (nationality '').
CREATE TABLE test_age_rule (
	test_id     INTEGER NOT NULL REFERENCES test(id),
	nationality TEXT NOT NULL DEFAULT '',
	min_age     INTEGER NOT NULL CHECK (min_age BETWEEN 0 AND 120),
	PRIMARY KEY (test_id, nationality)
) STRICT;

CREATE TABLE photo (
	id         INTEGER PRIMARY KEY,
	sha256     BLOB NOT NULL UNIQUE,
	media_type TEXT NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
	width      INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	data       BLOB NOT NULL
) STRICT;

-- Passport numbers are sealed with the data key (XChaCha20-Poly1305, bound
-- to the reference) and found by a keyed BLAKE2b hash; neither reveals the
-- number without the key file.
CREATE TABLE candidate (
	id                    INTEGER PRIMARY KEY,
	reference             TEXT NOT NULL UNIQUE,
	family_name           TEXT NOT NULL,
	given_name            TEXT NOT NULL DEFAULT '',
	native_name           TEXT,
	date_of_birth         TEXT NOT NULL,
	gender                TEXT NOT NULL CHECK (gender IN ('M', 'F', 'X')),
	nationality           TEXT NOT NULL,
	residence_country     TEXT NOT NULL,
	residence_region      TEXT,
	passport_enc          BLOB NOT NULL,
	passport_hash         BLOB NOT NULL UNIQUE,
	email                 TEXT,
	phone                 TEXT,
	language              TEXT,
	mfg_experience_months INTEGER,
	former_intern         INTEGER CHECK (former_intern IN (0, 1)),
	japanese_level        TEXT,
	arrangements          TEXT,
	photo_id              INTEGER REFERENCES photo(id),
	created_at            TEXT NOT NULL,
	updated_at            TEXT NOT NULL
) STRICT;

CREATE TABLE venue (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	city       TEXT NOT NULL,
	address    TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE room (
	id       INTEGER PRIMARY KEY,
	venue_id INTEGER NOT NULL REFERENCES venue(id),
	code     TEXT NOT NULL,
	seat_rows INTEGER NOT NULL CHECK (seat_rows BETWEEN 1 AND 100),
	seat_cols INTEGER NOT NULL CHECK (seat_cols BETWEEN 1 AND 100),
	UNIQUE (venue_id, code)
) STRICT;

-- `serial` is the sitting's part of every exam number; `key_enc` is the
-- secret sitting key (seats now, paper permutations later), sealed with the
-- data key.
CREATE TABLE sitting (
	id           INTEGER PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,
	serial       INTEGER NOT NULL UNIQUE CHECK (serial BETWEEN 1 AND 9999),
	exam_date    TEXT NOT NULL,
	start_time   TEXT NOT NULL,
	venue_id     INTEGER NOT NULL REFERENCES venue(id),
	capacity     INTEGER NOT NULL CHECK (capacity > 0),
	fee_amount   INTEGER NOT NULL CHECK (fee_amount >= 0),
	fee_currency TEXT NOT NULL,
	key_enc      BLOB NOT NULL,
	next_seq     INTEGER NOT NULL DEFAULT 1,
	created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE sitting_test (
	sitting_id INTEGER NOT NULL REFERENCES sitting(id),
	test_id    INTEGER NOT NULL REFERENCES test(id),
	PRIMARY KEY (sitting_id, test_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE registration (
	id           INTEGER PRIMARY KEY,
	exam_number  TEXT NOT NULL UNIQUE,
	sitting_id   INTEGER NOT NULL REFERENCES sitting(id),
	test_id      INTEGER NOT NULL REFERENCES test(id),
	candidate_id INTEGER NOT NULL REFERENCES candidate(id),
	room_id      INTEGER NOT NULL REFERENCES room(id),
	seat_row     INTEGER NOT NULL,
	seat_col     INTEGER NOT NULL,
	fee_status   TEXT NOT NULL DEFAULT 'unpaid'
	             CHECK (fee_status IN ('unpaid', 'paid', 'waived', 'refunded')),
	status       TEXT NOT NULL DEFAULT 'registered'
	             CHECK (status IN ('registered', 'cancelled')),
	created_at   TEXT NOT NULL,
	FOREIGN KEY (sitting_id, test_id) REFERENCES sitting_test(sitting_id, test_id)
) STRICT;

-- One live registration per candidate and sitting (a sitting has one start
-- time), and one candidate per seat.
CREATE UNIQUE INDEX registration_candidate
	ON registration(sitting_id, candidate_id) WHERE status = 'registered';
CREATE UNIQUE INDEX registration_seat
	ON registration(sitting_id, room_id, seat_row, seat_col) WHERE status = 'registered';
CREATE INDEX registration_by_candidate ON registration(candidate_id);

CREATE TABLE payment (
	id              INTEGER PRIMARY KEY,
	registration_id INTEGER NOT NULL REFERENCES registration(id),
	kind            TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'waiver')),
	amount          INTEGER NOT NULL CHECK (amount >= 0),
	currency        TEXT NOT NULL,
	paid_at         TEXT NOT NULL,
	method          TEXT NOT NULL,
	receipt         TEXT NOT NULL UNIQUE,
	created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX payment_registration ON payment(registration_id);

-- The manufacturing tests (工業製品製造業分野). 1号: 学科 (○×) and 実技
-- (multiple choice), both needed; 2号: 実技. Minimum age 17, 18 for
-- Indonesian nationals (their government's rule for overseas work).
INSERT INTO test (code, category_ja, category_en, level, created_at) VALUES
	('MM1', '機械金属加工', 'Machining and Metalworking', 1, '2026-01-01T00:00:00Z'),
	('EE1', '電気電子機器組立て', 'Electrical and Electronic Equipment Assembly', 1, '2026-01-01T00:00:00Z'),
	('ST1', '金属表面処理', 'Metal Surface Treatment', 1, '2026-01-01T00:00:00Z'),
	('MM2', '機械金属加工', 'Machining and Metalworking', 2, '2026-01-01T00:00:00Z'),
	('EE2', '電気電子機器組立て', 'Electrical and Electronic Equipment Assembly', 2, '2026-01-01T00:00:00Z'),
	('ST2', '金属表面処理', 'Metal Surface Treatment', 2, '2026-01-01T00:00:00Z');

INSERT INTO test_section (test_id, position, code, name_ja, name_en, item_kind, pass_percent, time_limit_min)
	SELECT id, 1, 'gakka', '学科', 'Written', 'tf', 65, 30 FROM test WHERE level = 1;
INSERT INTO test_section (test_id, position, code, name_ja, name_en, item_kind, pass_percent, time_limit_min)
	SELECT id, 2, 'jitsugi', '実技', 'Practical', 'mc', 60, 40 FROM test WHERE level = 1;
INSERT INTO test_section (test_id, position, code, name_ja, name_en, item_kind, pass_percent, time_limit_min)
	SELECT id, 1, 'jitsugi', '実技', 'Practical', 'mc', 60, 60 FROM test WHERE level = 2;

INSERT INTO test_age_rule (test_id, nationality, min_age) SELECT id, '', 17 FROM test;
INSERT INTO test_age_rule (test_id, nationality, min_age) SELECT id, 'ID', 18 FROM test;
