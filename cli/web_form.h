/*
 * The forms of the web service's pages: a request body of type
 * application/x-www-form-urlencoded (what a browser posts for a <form>
 * without enctype, WHATWG URL standard section 5) decoded into fields.
 * Strict and bounded: at most WEB_FORM_FIELDS fields, each name at most once,
 * every %XX two hex digits, values valid UTF-8 without NUL or other C0
 * controls but tab; anything else is refused as a whole. Pure functions, no
 * I/O: the unit tests call them directly.
 */
#ifndef SK_WEB_FORM_H
#define SK_WEB_FORM_H

#include <stddef.h>

#define WEB_FORM_FIELDS 16

struct web_form {
	size_t count;
	struct {
		const char *name, *value; /* into store */
	} field[WEB_FORM_FIELDS];
	char *store; /* the decoded bytes, owned */
};

/* Decode body[0..len) into *out. 0, or -1 (out empty, nothing to release)
 * when the body is not such a form or breaks a bound; -2 out of memory. */
int web_form_parse(struct web_form *out, const char *body, size_t len);

/* The value of the field called name, or NULL. */
const char *web_form_get(const struct web_form *f, const char *name);

/* Free what web_form_parse() made; the struct may be parsed into again. */
void web_form_release(struct web_form *f);

#endif
