/*
 * Error codes shared by every library layer. Functions return 0 on success
 * or a negative SK_E* code; the detail of what went wrong is recorded on the
 * handle that was passed in (sk_db_errmsg()), never printed.
 *
 * The table below generates the enum, sk_strerror() and sk_errname(): add a
 * row here and nowhere else.
 */
#ifndef SK_ERROR_H
#define SK_ERROR_H

#define SK_ERRORS(X) \
	X(NOMEM,    "out of memory") \
	X(INVAL,    "invalid argument") \
	X(IO,       "input/output error") \
	X(NOTFOUND, "not found") \
	X(EXISTS,   "already exists") \
	X(DB,       "database error") \
	X(SCHEMA,   "database schema not usable") \
	X(BUSY,     "database is busy") \
	X(KEYS,     "key file error") \
	X(CRYPTO,   "cryptographic failure") \
	X(INPUT,    "input has errors") \
	X(CONFLICT, "conflicts with the registry") \
	X(FULL,     "no capacity left") \
	X(VERIFY,   "verification failed") \
	X(RANGE,    "value out of range")

enum sk_error {
	SK_OK = 0,
#define SK_X_ENUM(name, text) SK_E##name,
	SK_E_FIRST_ = -1000,
	SK_ERRORS(SK_X_ENUM)
#undef SK_X_ENUM
	SK_E_LAST_
};

/* English text for an error code; never NULL. */
const char *sk_strerror(int code);
/* Symbolic name ("SK_EINPUT") for an error code; never NULL. */
const char *sk_errname(int code);

#endif
