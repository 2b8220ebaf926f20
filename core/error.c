/* Text for the error table in error.h. */
#include "core/error.h"

const char *sk_strerror(int code)
{
	switch (code) {
	case SK_OK: return "success";
#define SK_X_STR(name, text) case SK_E##name: return text;
	SK_ERRORS(SK_X_STR)
#undef SK_X_STR
	}
	return "unknown error";
}

const char *sk_errname(int code)
{
	switch (code) {
	case SK_OK: return "SK_OK";
#define SK_X_NAME(name, text) case SK_E##name: return "SK_E" #name;
	SK_ERRORS(SK_X_NAME)
#undef SK_X_NAME
	}
	return "SK_EUNKNOWN";
}
