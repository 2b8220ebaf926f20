/*
 * Files embedded into the binary at build time (cmake/embed.cmake): SQL
 * migrations and compiled message catalogs. Each table ends with an entry
 * whose name is NULL. The bytes are followed by a NUL so text can be used as
 * a C string.
 */
#ifndef SK_EMBED_H
#define SK_EMBED_H

#include <stddef.h>

struct sk_embedded {
	const char *name;
	const unsigned char *data;
	size_t size;
};

extern const struct sk_embedded sk_embedded_migrations[];
extern const struct sk_embedded sk_embedded_catalogs[];

#endif
