/*
 * json.c: a writer of JSON strings and a reader of JSON values. The reader
 * is for recordings that may come from anywhere: it allocates as it goes,
 * stops at JSON_MAX_DEPTH and refuses anything RFC 8259 does not allow.
 */
#include "config.h"

#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "safe.h"
#include "xmalloc.h"

struct json_parser {
	const char	*p;
	const char	*start;
	const char	*end;
	char		*cause;
};

static struct json *json_value(struct json_parser *, int);

size_t
json_quote(char *buf, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*t = (const unsigned char *)s;
	char			*o = buf;
	size_t			 i, n;

	*o++ = '"';
	for (i = 0; i < len; i += n) {
		n = 1;
		if (t[i] == '"' || t[i] == '\\') {
			*o++ = '\\';
			*o++ = (char)t[i];
		} else if (t[i] == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (t[i] == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else if (t[i] >= 0x20 && t[i] < 0x7f)
			*o++ = (char)t[i];
		else if (t[i] >= 0x80 && (n = safe_char_len(t + i,
		    len - i)) > 0) {
			memcpy(o, t + i, n);
			o += n;
		} else {
			/* A control, or a byte that is not UTF-8. */
			n = 1;
			memcpy(o, "\\u00", 4);
			o[4] = hex[t[i] >> 4];
			o[5] = hex[t[i] & 15];
			o += 6;
		}
	}
	*o++ = '"';
	return ((size_t)(o - buf));
}

void
json_put_string(FILE *f, const char *s, size_t len)
{
	char	 small[256], *buf = small;
	size_t	 n;

	if (len > (sizeof small - 2) / 6)
		buf = xreallocarray(NULL, len + 1, 6);
	n = json_quote(buf, s, len);
	fwrite(buf, 1, n, f);
	if (buf != small)
		free(buf);
}

static void *
json_fail(struct json_parser *jp, const char *what)
{
	if (jp->cause == NULL)
		xasprintf(&jp->cause, "column %zu: %s",
		    (size_t)(jp->p - jp->start) + 1, what);
	return (NULL);
}

static void
json_blanks(struct json_parser *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
	    *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int
json_hex4(const char *p, unsigned *out)
{
	unsigned	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= (unsigned)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= (unsigned)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= (unsigned)(p[i] - 'A' + 10);
		else
			return (-1);
	}
	*out = v;
	return (0);
}

/* Append code point c as UTF-8; 0x80..0xff are bytes (json_quote). */
static char *
json_utf8(char *o, unsigned c)
{
	if (c < 0x100) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return (o);
}

/* A string at jp->p (its opening quote); out gets it decoded. */
static int
json_string(struct json_parser *jp, char **out, size_t *outlen)
{
	const char	*p = jp->p + 1;
	char		*buf, *o;
	unsigned	 c, c2;

	/* Decoded, a string is never longer than its text. */
	buf = o = xmalloc((size_t)(jp->end - p) + 1);
	for (;;) {
		if (p >= jp->end) {
			jp->p = p;
			free(buf);
			json_fail(jp, "a string without its closing quote");
			return (-1);
		}
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20) {
			jp->p = p;
			free(buf);
			json_fail(jp, "a control character inside a string");
			return (-1);
		}
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		if (++p >= jp->end)
			continue;
		switch (*p) {
		case '"': case '\\': case '/':
			*o++ = *p++;
			break;
		case 'b': *o++ = '\b'; p++; break;
		case 'f': *o++ = '\f'; p++; break;
		case 'n': *o++ = '\n'; p++; break;
		case 'r': *o++ = '\r'; p++; break;
		case 't': *o++ = '\t'; p++; break;
		case 'u':
			if (jp->end - p < 5 || json_hex4(p + 1, &c) == -1)
				goto bad;
			p += 5;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (jp->end - p < 6 || p[0] != '\\' ||
				    p[1] != 'u' || json_hex4(p + 2, &c2) == -1 ||
				    c2 < 0xdc00 || c2 > 0xdfff)
					goto bad;
				p += 6;
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (c2 - 0xdc00);
			} else if (c >= 0xdc00 && c <= 0xdfff)
				goto bad;
			o = json_utf8(o, c);
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	jp->p = p + 1;
	return (0);
bad:
	jp->p = p;
	free(buf);
	json_fail(jp, "a bad escape inside a string");
	return (-1);
}

static int
json_number(struct json_parser *jp, struct json *j)
{
	const char	*p = jp->p, *digits;
	char		 tmp[64];
	int		 is_int = 1;
	size_t		 n;

	if (p < jp->end && *p == '-')
		p++;
	digits = p;
	while (p < jp->end && *p >= '0' && *p <= '9')
		p++;
	if (p == digits || (*digits == '0' && p - digits > 1))
		return (json_fail(jp, "a bad number"), -1);
	if (p < jp->end && *p == '.') {
		is_int = 0;
		digits = ++p;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
		if (p == digits)
			return (json_fail(jp, "a bad number"), -1);
	}
	if (p < jp->end && (*p == 'e' || *p == 'E')) {
		is_int = 0;
		p++;
		if (p < jp->end && (*p == '+' || *p == '-'))
			p++;
		digits = p;
		while (p < jp->end && *p >= '0' && *p <= '9')
			p++;
		if (p == digits)
			return (json_fail(jp, "a bad number"), -1);
	}
	n = (size_t)(p - jp->p);
	if (n >= sizeof tmp)
		return (json_fail(jp, "a number too long"), -1);
	memcpy(tmp, jp->p, n);
	tmp[n] = '\0';
	j->type = JSON_NUMBER;
	j->number = strtod(tmp, NULL);
	if (is_int) {
		errno = 0;
		j->integer = strtoll(tmp, NULL, 10);
		j->is_integer = errno == 0;
	}
	jp->p = p;
	return (0);
}

static int
json_word(struct json_parser *jp, const char *w)
{
	size_t	n = strlen(w);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, w, n) != 0)
		return (-1);
	jp->p += n;
	return (0);
}

static void
json_clear(struct json *j)
{
	size_t	i;

	for (i = 0; i < j->n; i++) {
		json_clear(&j->item[i]);
		if (j->key != NULL)
			free(j->key[i]);
	}
	free(j->item);
	free(j->key);
	free(j->string);
}

/* The items of an array or object at jp->p (its bracket). */
static int
json_items(struct json_parser *jp, struct json *j, int depth, char close)
{
	struct json	*v;
	size_t		 cap = 0, klen;
	char		*k = NULL;

	jp->p++;
	json_blanks(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		return (0);
	}
	for (;;) {
		json_blanks(jp);
		if (close == '}') {
			if (jp->p >= jp->end || *jp->p != '"')
				return (json_fail(jp, "expected a quoted key"),
				    -1);
			if (json_string(jp, &k, &klen) == -1)
				return (-1);
			json_blanks(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(k);
				return (json_fail(jp, "expected ':'"), -1);
			}
			jp->p++;
		}
		if ((v = json_value(jp, depth + 1)) == NULL) {
			free(k);
			return (-1);
		}
		if (j->n == cap) {
			cap = cap ? cap * 2 : 4;
			j->item = xreallocarray(j->item, cap, sizeof *j->item);
			if (close == '}')
				j->key = xreallocarray(j->key, cap,
				    sizeof *j->key);
		}
		j->item[j->n] = *v;
		free(v);
		if (close == '}')
			j->key[j->n] = k;
		k = NULL;
		j->n++;
		json_blanks(jp);
		if (jp->p < jp->end && *jp->p == ',') {
			jp->p++;
			continue;
		}
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			return (0);
		}
		return (json_fail(jp, close == '}' ? "expected ',' or '}'" :
		    "expected ',' or ']'"), -1);
	}
}

static struct json *
json_value(struct json_parser *jp, int depth)
{
	struct json	*j;

	if (depth > JSON_MAX_DEPTH)
		return (json_fail(jp, "nested too deep"));
	json_blanks(jp);
	if (jp->p >= jp->end)
		return (json_fail(jp, "expected a value, found the end"));
	j = xcalloc(1, sizeof *j);
	switch (*jp->p) {
	case '{':
		j->type = JSON_OBJECT;
		if (json_items(jp, j, depth, '}') == -1)
			goto bad;
		break;
	case '[':
		j->type = JSON_ARRAY;
		if (json_items(jp, j, depth, ']') == -1)
			goto bad;
		break;
	case '"':
		j->type = JSON_STRING;
		if (json_string(jp, &j->string, &j->len) == -1)
			goto bad;
		break;
	case 't':
	case 'f':
		j->type = JSON_BOOL;
		j->boolean = *jp->p == 't';
		if (json_word(jp, j->boolean ? "true" : "false") == -1) {
			json_fail(jp, "expected a value");
			goto bad;
		}
		break;
	case 'n':
		if (json_word(jp, "null") == -1) {
			json_fail(jp, "expected a value");
			goto bad;
		}
		break;
	default:
		if (json_number(jp, j) == -1)
			goto bad;
		break;
	}
	return (j);
bad:
	json_clear(j);
	free(j);
	return (NULL);
}

struct json *
json_parse(const char *text, size_t len, char **cause)
{
	struct json_parser	 jp;
	struct json		*j;

	jp.p = jp.start = text;
	jp.end = text + len;
	jp.cause = NULL;
	if ((j = json_value(&jp, 0)) != NULL) {
		json_blanks(&jp);
		if (jp.p != jp.end) {
			json_fail(&jp, "more after the value");
			json_free(j);
			j = NULL;
		}
	}
	if (j == NULL)
		*cause = jp.cause;
	return (j);
}

void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	json_clear(j);
	free(j);
}

const struct json *
json_get(const struct json *j, const char *key)
{
	size_t	i;

	if (j == NULL || j->type != JSON_OBJECT)
		return (NULL);
	for (i = 0; i < j->n; i++)
		if (strcmp(j->key[i], key) == 0)
			return (&j->item[i]);
	return (NULL);
}

const char *
json_get_string(const struct json *j, const char *key)
{
	const struct json	*v = json_get(j, key);

	return (v != NULL && v->type == JSON_STRING ? v->string : NULL);
}

int
json_get_int(const struct json *j, const char *key, int64_t *out)
{
	const struct json	*v = json_get(j, key);

	if (v == NULL || v->type != JSON_NUMBER || !v->is_integer)
		return (-1);
	*out = v->integer;
	return (0);
}
