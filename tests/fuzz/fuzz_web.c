/*
 * libFuzzer target for what shiken serve reads from a client before any
 * token: the input's first line is a ?lang= value and an Accept-Language
 * header, the rest a request target and an X-Forwarded-For header. Besides
 * not crashing, the results must keep their promises: a chosen language is
 * one of ours, a log target has nothing that could break a log line and
 * stays bounded, escaped HTML has no markup character left.
 *
 * Built as a libFuzzer binary with clang and -DSHIKEN_FUZZ=ON; otherwise
 * linked with replay.c, which runs the corpus (corpus/web) once as a test.
 */
#include "cli/web_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const langs[] = { "en", "ja", "vi", NULL };
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	char *rest = strchr(text, '\n');
	if (rest)
		*rest++ = '\0';
	else
		rest = text;

	char lang[WEB_LANG_MAX];
	web_lang_choose(lang, text, text, langs);
	int ours = 0;
	for (const char *const *l = langs; *l; l++)
		ours |= !strcmp(lang, *l);
	if (!ours)
		abort();

	struct sk_buf b = SK_BUF_INIT;
	web_log_target(&b, rest, 256);
	if (sk_buf_failed(&b) || b.len > 3 * 256 + 3)
		abort();
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.buf[i] <= ' ' || (unsigned char)b.buf[i] >= 0x7f || b.buf[i] == '"' || b.buf[i] == '\\')
			abort();
	sk_buf_reset(&b);
	web_html_escape(&b, rest);
	if (sk_buf_failed(&b) || strpbrk(b.buf, "<>\"'"))
		abort();
	sk_buf_release(&b);

	struct sockaddr_storage ss;
	if (web_forwarded_for(&ss, rest) == 0 && ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		abort();
	free(text);
	return 0;
}
