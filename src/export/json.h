/*
 * json.h: the little JSON the exports need. A writer of strings (lossless:
 * what is not UTF-8 is kept byte for byte, see json_put_string) and a
 * reader of one value from a bounded text, for files from anywhere: depth
 * and sizes are capped, every error is a message naming the column.
 */
#ifndef DISHRACK_JSON_H
#define DISHRACK_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json {
	enum json_type	 type;
	int		 boolean;
	double		 number;
	int64_t		 integer;	/* when is_integer */
	int		 is_integer;
	char		*string;	/* NUL-terminated; len bytes (may hold NUL) */
	size_t		 len;
	struct json	*item;		/* array items, object values */
	char		**key;		/* object keys */
	size_t		 n;
};

/*
 * Write s (len bytes) as a JSON string with its quotes. Control characters
 * are \u00XX; a byte that does not start valid UTF-8 is written \u00XX
 * too (0x80 to 0xff), and json_parse reads \u0080 to \u00ff back as that
 * byte, so any text comes back as it was. Returns bytes written to buf,
 * which must hold 6 * len + 2.
 */
size_t		 json_quote(char *buf, const char *s, size_t len);

/* The same to a stream. */
void		 json_put_string(FILE *, const char *s, size_t len);

/*
 * Parse one JSON value taking all of text (len bytes; blanks around it
 * allowed). Returns the value, or NULL with *cause allocated ("column N:
 * ..."). Free with json_free.
 */
struct json	*json_parse(const char *text, size_t len, char **cause);
void		 json_free(struct json *);

/* An object's member, or NULL (also if j is not an object). */
const struct json *json_get(const struct json *, const char *key);

/* Members of a type, or NULL if absent or of another type. */
const char	*json_get_string(const struct json *, const char *key);
int		 json_get_int(const struct json *, const char *key,
		    int64_t *out);	/* 0, or -1 */

#endif
