/*
 * Pass certificates (合格証明書): the certificate number, the signed token a
 * certificate's QR code carries and its claims, issuing certificates for
 * the passed registrations of a sitting, revocation, and the signed
 * revocation list that offline verifiers take along. The PDF is
 * print/certificate.c; it prints what is stored here.
 *
 * Certificate number: YYYY-NNNNNN-C — the year of issue, the sequence
 * within that year (000001-999999) and a Damm check digit over the ten
 * digits before it (core/examno.h), which catches every single wrong digit
 * and every swap of neighbours. Typed with or without hyphens, full-width
 * digits too.
 *
 * Token: a compact JWS (core/jws.h) of type "shiken-cert+jwt" whose payload
 * is this JSON object, in this order (no "exp": certificates do not expire):
 *
 *   {"iss":"https://shiken.example.jp",   issuer (config cert.issuer)
 *    "cert":"2026-000001-7",              certificate number
 *    "family_name":"NGUYEN",              passport name (OpenID Connect names)
 *    "given_name":"VAN AN",               "" for single-name passports
 *    "birthdate":"1999-04-01",            date of birth
 *    "test":{"code":"MM1","category_ja":"機械金属加工",
 *            "category_en":"Machining and Metalworking","level":1},
 *    "sitting_date":"2026-12-13",         the day of the test
 *    "iat":1797238800}                    issued at (seconds since the epoch)
 *
 * Verifiers ignore claims they do not know, so later versions may add some.
 *
 * Revocation list: a compact JWS of type "shiken-revocations+jwt" signed
 * with the same keys, payload
 *   {"iss":ISSUER,"iat":SECONDS,"revoked":[{"cert":NUMBER,"at":SECONDS},...]}
 * sorted by number. It names no reasons (they may be personal).
 */
#ifndef SK_CERTIFICATE_H
#define SK_CERTIFICATE_H

#include "core/jws.h"

#include <jansson.h>
#include <stdint.h>

struct sk_db;

#define SK_CERTNO_LEN 13 /* "2026-000001-7" */
#define SK_CERT_TYP "shiken-cert+jwt"
#define SK_REVOCATIONS_TYP "shiken-revocations+jwt"
#define SK_REVOCATIONS_MAX_TOKEN (8u << 20) /* a revocation list token, bytes */
#define SK_ISSUER_MAX 200
#define SK_CONFIG_ISSUER "cert.issuer" /* the meta key `config set` writes */

/* The settings a printed certificate needs (`config set`): where its QR
 * code points and the exam body's name as printed, in Japanese and English
 * (the defaults below until set). */
#define SK_CONFIG_BASE_URL "cert.base_url"
#define SK_CONFIG_ISSUER_NAME_JA "cert.issuer_name_ja"
#define SK_CONFIG_ISSUER_NAME_EN "cert.issuer_name_en"
#define SK_CERT_ISSUER_NAME_JA_DEFAULT "特定技能評価試験 試験実施機関"
#define SK_CERT_ISSUER_NAME_EN_DEFAULT "Specified Skilled Worker Evaluation Test Administrator"
#define SK_BASE_URL_MAX 200     /* bytes */
#define SK_ISSUER_NAME_MAX 100  /* characters */

/* Format a certificate number into out[14]. */
char *sk_certno_format(char out[SK_CERTNO_LEN + 1], int year, int seq);
/* Parse a typed or scanned certificate number into canonical form. 0,
 * SK_EINPUT (wrong shape, year before 2000 or sequence 0) or SK_EVERIFY
 * (check digit wrong); out is "" on error. */
int sk_certno_parse(char out[SK_CERTNO_LEN + 1], const char *input);

/* Non-zero if s can be an issuer: 1-200 printable ASCII characters, no
 * spaces (a URL or a name like "jaim.or.jp"). */
int sk_cert_issuer_valid(const char *s);
/* This installation's issuer (config cert.issuer), malloc'd; NULL with
 * SK_ENOTFOUND recorded when it is not set. */
char *sk_cert_issuer(struct sk_db *db);

/* Non-zero if s can be the base URL of certificate QR codes: "http://" or
 * "https://", a host, an optional port and path, at most 200 printable
 * ASCII characters, no spaces, no query or fragment, no trailing "/". */
int sk_cert_base_url_valid(const char *s);
/* This installation's base URL (config cert.base_url), malloc'd; NULL with
 * SK_ENOTFOUND recorded when it is not set. */
char *sk_cert_base_url(struct sk_db *db);
/* The URL a certificate's QR code holds: BASE_URL "/c/" TOKEN, malloc'd
 * (NULL: out of memory). */
char *sk_cert_url(const char *base_url, const char *token);

/* Non-zero if s can be the exam body's printed name: 1-100 characters of
 * valid UTF-8 on one line, no control characters, not blank, none of
 * '{', '|', '}' (furigana markup to the printer). */
int sk_cert_issuer_name_valid(const char *s);
/* The exam body's printed name in "ja" or "en" (config
 * cert.issuer_name_ja/_en, else the default), malloc'd; NULL only when out
 * of memory. */
char *sk_cert_issuer_name(struct sk_db *db, const char *lang);

/* The claims of a certificate token. Strings are borrowed: from the caller
 * when signing, from the parsed payload when verifying. */
struct sk_cert_claims {
	const char *issuer;
	const char *number;
	const char *family_name;
	const char *given_name;
	const char *birthdate;    /* YYYY-MM-DD */
	const char *test_code;
	const char *category_ja;
	const char *category_en;
	int level;
	const char *sitting_date; /* YYYY-MM-DD */
	int64_t issued_at;        /* seconds since the epoch */
};

/* The payload object for claims (order as documented above); NULL when a
 * claim is missing or malformed (*why, if given, says which: static English,
 * N_()) or out of memory. */
json_t *sk_cert_claims_json(const struct sk_cert_claims *c, const char **why);
/* Read and check the claims of a payload object; the strings point into
 * payload. 0, or SK_EINPUT with *why (static English, N_()) set. */
int sk_cert_claims_read(struct sk_cert_claims *out, const json_t *payload, const char **why);

/* Sign claims with the active signing key into a certificate token (*out,
 * malloc'd). For certificate issue. Errors (recorded): SK_EINPUT (claims
 * malformed), those of sk_keys_sign(). */
int sk_cert_sign(struct sk_db *db, char **out, const struct sk_cert_claims *c);

/* ---- issuing ---- */

#define SK_CERT_DRY_RUN 1 /* number, check and report; write nothing */

/* A certificate issued (or, in a dry run, that would be). Strings are
 * valid during the callback only. */
struct sk_cert_issued {
	const char *number, *exam_number, *family_name, *given_name, *test;
};

/* A valid certificate whose registration no longer passes (regraded,
 * cancelled): it stays valid until revoked. outcome is fail, absent,
 * disqualified, pending or cancelled. */
struct sk_cert_stale {
	const char *number, *exam_number, *outcome;
};

struct sk_cert_issue_stats {
	size_t passed;    /* live registrations of the sitting that passed */
	size_t issued;    /* certificates issued now (dry run: would be) */
	size_t had;       /* passed registrations that already had one */
	size_t stale;     /* valid certificates whose result is no longer a pass */
	size_t pending;   /* live registrations without a result */
	char kid[SK_KID_LEN + 1];            /* the key that signed */
	char first[SK_CERTNO_LEN + 1], last[SK_CERTNO_LEN + 1]; /* numbers issued, "" if none */
};

/* Issue a certificate for every passed, live registration of `sitting`
 * that has none, in exam-number order: the next number of the year of
 * issue (by the registry's clock), the claims (passport name, date of
 * birth, test, sitting date, issue time, issuer) signed with the active
 * key, status valid — all in one transaction, each certificate audited
 * (entity "certificate", action "issue"). A registration never gets a
 * second certificate, so issuing again issues only what is new.
 * on_issue (may be NULL) is called for each certificate, before the
 * commit; on_stale (may be NULL) for each valid certificate of the sitting
 * whose registration no longer passes, which issuing leaves alone. A
 * non-zero return from either stops, rolls back and is returned.
 * Errors (recorded; nothing written): SK_ENOTFOUND (no such sitting, no
 * issuer set, no active signing key), SK_ECONFLICT (the sitting is not
 * graded yet), SK_EINPUT (a registration's claims cannot be signed: which
 * one and why), SK_EFULL (the year's numbers are used up), SK_EKEYS, SK_EDB. */
int sk_cert_issue(struct sk_db *db, const char *sitting, int flags,
		  int (*on_issue)(void *payload, const struct sk_cert_issued *c),
		  int (*on_stale)(void *payload, const struct sk_cert_stale *c), void *payload,
		  struct sk_cert_issue_stats *stats);

/* One stored certificate. */
struct sk_cert {
	char number[SK_CERTNO_LEN + 1];
	char exam_number[16];
	char kid[SK_KID_MAX + 1];
	char issued_at[21];
	char status[8];       /* valid, revoked */
	char revoked_at[21];  /* "" while valid */
	char *token;          /* malloc'd */
};

/* The certificate of registration `exam_number` into out (release with
 * sk_cert_release). 0, SK_ENOTFOUND (none issued; not recorded), SK_EDB. */
int sk_cert_of_registration(struct sk_db *db, const char *exam_number, struct sk_cert *out);
void sk_cert_release(struct sk_cert *c);

/* A revocation list, as read from its token. */
struct sk_revoked {
	char number[SK_CERTNO_LEN + 1];
	int64_t at;
};

struct sk_revocations {
	char issuer[SK_ISSUER_MAX + 1];
	int64_t issued_at;
	size_t count;
	struct sk_revoked *items; /* sorted by number */
};

#define SK_REVOCATIONS_INIT { "", 0, 0, NULL }

void sk_revocations_release(struct sk_revocations *r);
/* Verify a revocation list token against ring and read it into out. The
 * verdict is as for sk_jws_verify() (MALFORMED also for a payload that is
 * not a revocation list); *detail (static English, N_()) says what is wrong.
 * out is filled only when VALID. */
enum sk_verdict sk_revocations_read(struct sk_revocations *out, const char *token, size_t len,
				    const struct sk_keyring *ring, const char **detail)
	__attribute__((warn_unused_result));
/* The entry for a number, or NULL. */
const struct sk_revoked *sk_revocations_find(const struct sk_revocations *r, const char *number);

/* Sign the list of every revoked certificate, as of now, with the active
 * key (*out, malloc'd). Errors (recorded): SK_ENOTFOUND (no issuer set, no
 * active key), SK_EDB, SK_ENOMEM. */
int sk_revocations_build(struct sk_db *db, char **out, size_t *out_count);

/* Where sk_cert_verify looks. */
struct sk_cert_verify_opts {
	const struct sk_keyring *keys;            /* the keys that may have signed */
	const char *issuer;                       /* expected issuer; NULL: not checked */
	const struct sk_revocations *revocations; /* a verified list; NULL: none */
	struct sk_db *db;                         /* look in its certificate table; NULL: don't */
};

struct sk_cert_check {
	enum sk_verdict verdict;
	const char *detail;        /* static English (N_()) or NULL */
	char kid[SK_KID_MAX + 1];  /* once the header parsed */
	json_t *payload;           /* once the signature verified and the claims read; owned */
	struct sk_cert_claims claims; /* borrowed from payload; zero without it */
	int64_t revoked_at;        /* when revoked (seconds), else 0 */
};

/* Verify a certificate token: the JWS (sk_jws_verify, type
 * "shiken-cert+jwt", at most SK_JWS_MAX_TOKEN bytes), then its claims, the
 * issuer (WRONG_ISSUER when opts->issuer is given and differs), then
 * revocation (REVOKED when the list has the number and names the same
 * issuer, or the database's certificate table says revoked). Fills out
 * (release with sk_cert_check_release). Returns 0, or an error from the
 * database (recorded on opts->db). */
int sk_cert_verify(struct sk_cert_check *out, const char *token, size_t len,
		   const struct sk_cert_verify_opts *opts) __attribute__((warn_unused_result));
void sk_cert_check_release(struct sk_cert_check *c);

/* The checks sk_cert_verify makes after the signature: claims, issuer,
 * revocation. For verifiers that remember which tokens' signatures they
 * checked (the web service's cache: the keys cannot change under it) and
 * must still see revocation as it is now. Takes the payload object of a
 * token whose signature verified (the reference is out's, or dropped when
 * the claims are malformed); out->kid is left as the caller set it. Returns
 * as sk_cert_verify. */
int sk_cert_verify_payload(struct sk_cert_check *out, json_t *payload, const struct sk_cert_verify_opts *opts)
	__attribute__((warn_unused_result));

/* The token in what a person pasted or a QR code held: the token itself,
 * or a URL ".../c/TOKEN" with or without a query or fragment. Sets *start
 * and *len (within text); a URL without "/c/" gives an empty token. */
void sk_cert_token_from_text(const char *text, size_t text_len, const char **start, size_t *len);

/* Revoke certificate `number` (canonical form) for `reason` (1-500
 * characters): status revoked, time and reason kept, audited. Errors
 * (recorded): SK_ENOTFOUND, SK_EEXISTS (already revoked), SK_EINPUT (reason),
 * SK_EDB. */
int sk_cert_revoke(struct sk_db *db, const char *number, const char *reason);

/* One certificate as listed. Strings valid during the callback only. */
struct sk_cert_row {
	const char *number, *exam_number, *family_name, *given_name, *test, *issued_at, *status,
		*revoked_at, *reason, *kid, *token;
};

/* Call cb for each certificate (status "valid", "revoked" or NULL for
 * all), by number; a non-zero return from cb stops and is returned. */
int sk_cert_foreach(struct sk_db *db, const char *status,
		    int (*cb)(void *payload, const struct sk_cert_row *row), void *payload);

#endif
