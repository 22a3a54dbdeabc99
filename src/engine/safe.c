/*
 * safe.c: the one place that decides what may reach a terminal. The
 * scenario parser asks it which bytes are text; the error line and the
 * headless report ask it to make what they quote visible.
 */
#include "config.h"

#include "safe.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define SAFE_ESCAPE_LEN		4	/* "\xHH" */

/* Ranges of the second byte by RFC 3629, table 3-7 of Unicode. */
size_t
safe_char_len(const unsigned char *s, size_t len)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, k;

	if (len == 0)
		return (0);
	if (s[0] < 0x80)
		return (s[0] < 0x20 || s[0] == 0x7f ? 0 : 1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		if (s[0] == 0xc2)
			lo = 0xa0;	/* U+0080 to U+009F are C1 controls */
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return (0);
	if (n > len || s[1] < lo || s[1] > hi)
		return (0);
	for (k = 2; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return (0);
	}
	return (n);
}

/* The scan a --set and the fuzzers' checks share. */
size_t
safe_text_len(const char *s, size_t len, const char *allowed)
{
	const unsigned char	*t = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if ((t[i] == '\0' || strchr(allowed, t[i]) == NULL) &&
		    (n = safe_char_len(t + i, len - i)) == 0)
			break;
	}
	return (i);
}

/* One pass: each refused byte costs four, so the size is known first. */
char *
safe_strdup(const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;
	char			*out, *o;

	out = o = xreallocarray(NULL, len + 1, SAFE_ESCAPE_LEN);
	for (i = 0; i < len; i += n) {
		if ((n = safe_char_len(p + i, len - i)) == 0) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[p[i] >> 4];
			*o++ = hex[p[i] & 0xf];
			n = 1;
		} else {
			memcpy(o, p + i, n);
			o += n;
		}
	}
	*o = '\0';
	return (out);
}

/* As safe_strdup, straight to a stream. */
void
safe_fputs(const char *s, FILE *f)
{
	char	*t;

	t = safe_strdup(s);
	fputs(t, f);
	free(t);
}

/*
 * JSON (RFC 8259) needs only C0, '"' and '\' escaped; DEL and C1 are
 * escaped too, since the object is often read on a terminal.
 */
void
safe_json_fputs(const char *s, FILE *f)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = strlen(s), i, n;

	fputc('"', f);
	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] == '\t')
			fputs("\\t", f);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(f, "\\u%04x", p[i]);
		else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) {
			fprintf(f, "\\u%04x", p[i + 1]);
			n = 2;
		} else if ((n = safe_char_len(p + i, len - i)) == 0) {
			fprintf(f, "\\\\x%02x", p[i]);
			n = 1;
		} else
			fwrite(p + i, 1, n, f);
	}
	fputc('"', f);
}
