/*
 * net_http.c: a request head, parsed all at once when its blank line has
 * arrived. Strict where a lenient parser would let two readings of one
 * request apart (two Content-Lengths, a Transfer-Encoding, a bare LF in
 * the request line), lenient where every client differs (header case,
 * blanks around values).
 */
#include "config.h"

#include "net_http.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int	http_tchar(int);
static const char *http_find_end(const char *, size_t);
static int	http_has_token(const char *, size_t, const char *);

/* A character of an RFC 9110 token. */
static int
http_tchar(int c)
{
	return (isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL));
}

/* The byte after CRLF CRLF (or LF LF in headers), or NULL. */
static const char *
http_find_end(const char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return (buf + i + 2);
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return (buf + i + 3);
	}
	return (NULL);
}

/* Does a comma-separated value hold token (any case)? */
static int
http_has_token(const char *v, size_t n, const char *token)
{
	size_t	i = 0, start, end, tl = strlen(token);

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end - start == tl && strncasecmp(v + start, token, tl) == 0)
			return (1);
	}
	return (0);
}

enum http_parse
http_parse(const char *buf, size_t len, size_t max, struct http_req *req,
    const char **why)
{
	const char	*end, *p, *line, *eol, *colon, *v, *ve;
	size_t		 n, i, plen;
	int		 have_conn_close = 0, have_conn_keep = 0;
	uint64_t	 cl;

	*why = NULL;
	memset(req, 0, sizeof *req);
	/* Blank lines before a request are allowed (RFC 9112 2.2). */
	if ((end = http_find_end(buf, len > max ? max : len)) == NULL) {
		if (len >= max)
			return (HTTP_TOO_LONG);
		/* Not even a method's worth of token: say so early. */
		for (i = 0; i < len && http_tchar((unsigned char)buf[i]); i++)
			;
		if (i < len && buf[i] != ' ') {
			*why = "the request line does not start with a method";
			return (HTTP_BAD);
		}
		return (HTTP_MORE);
	}
	req->head_len = (size_t)(end - buf);

	/* The request line: METHOD SP target SP HTTP/1.x CRLF */
	line = buf;
	if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL ||
	    eol == line || eol[-1] != '\r') {
		*why = "the request line does not end with CRLF";
		return (HTTP_BAD);
	}
	for (p = line; p < eol && http_tchar((unsigned char)*p); p++)
		;
	if (p == line || *p != ' ') {
		*why = "the request line does not start with a method";
		return (HTTP_BAD);
	}
	n = (size_t)(p - line);
	if (n == 3 && memcmp(line, "GET", 3) == 0)
		req->method = HTTP_GET;
	else if (n == 4 && memcmp(line, "POST", 4) == 0)
		req->method = HTTP_POST;
	else
		req->method = HTTP_OTHER;
	v = ++p;
	while (p < eol && *p > ' ' && *p < 127)
		p++;
	if (p == v || *p != ' ' || (*v != '/' && *v != '*')) {
		*why = "expected a target such as /page after the method";
		return (HTTP_BAD);
	}
	for (plen = 0; v + plen < p && v[plen] != '?' && plen < 63; plen++)
		req->path[plen] = v[plen];
	req->path[plen] = '\0';
	p++;
	if (eol - 1 - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1')) {
		*why = "expected HTTP/1.0 or HTTP/1.1 at the end of the request "
		    "line";
		return (HTTP_BAD);
	}
	req->minor = p[7] - '0';

	/* Headers, up to the blank line. */
	for (line = eol + 1; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line));
		ve = eol > line && eol[-1] == '\r' ? eol - 1 : eol;
		if (ve == line)
			break;		/* the blank line */
		for (colon = line; colon < ve && http_tchar((unsigned char)
		    *colon); colon++)
			;
		if (colon == line || colon == ve || *colon != ':') {
			*why = "a header line is not NAME: VALUE";
			return (HTTP_BAD);
		}
		n = (size_t)(colon - line);
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		for (p = v; p < ve; p++) {
			if ((unsigned char)*p < ' ' && *p != '\t') {
				*why = "a control character in a header value";
				return (HTTP_BAD);
			}
		}
		if (n == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
			if (v == ve || ve - v > 15) {
				*why = "Content-Length is not a number";
				return (HTTP_BAD);
			}
			cl = 0;
			for (p = v; p < ve; p++) {
				if (!isdigit((unsigned char)*p)) {
					*why = "Content-Length is not a number";
					return (HTTP_BAD);
				}
				cl = cl * 10 + (uint64_t)(*p - '0');
			}
			if (req->has_length && cl != req->length) {
				*why = "two different Content-Lengths";
				return (HTTP_BAD);
			}
			req->has_length = 1;
			req->length = cl;
		} else if (n == 17 && strncasecmp(line, "Transfer-Encoding",
		    17) == 0) {
			*why = "Transfer-Encoding is not served: send a "
			    "Content-Length";
			return (HTTP_UNSUPPORTED);
		} else if (n == 10 && strncasecmp(line, "Connection", 10) ==
		    0) {
			if (http_has_token(v, (size_t)(ve - v), "close"))
				have_conn_close = 1;
			if (http_has_token(v, (size_t)(ve - v), "keep-alive"))
				have_conn_keep = 1;
		}
	}
	if (have_conn_close)
		req->keep_alive = 0;
	else if (req->minor == 1)
		req->keep_alive = 1;
	else
		req->keep_alive = have_conn_keep;
	return (HTTP_DONE);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200:
		return ("OK");
	case 400:
		return ("Bad Request");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 408:
		return ("Request Timeout");
	case 411:
		return ("Length Required");
	case 413:
		return ("Content Too Large");
	case 431:
		return ("Request Header Fields Too Large");
	case 501:
		return ("Not Implemented");
	case 503:
		return ("Service Unavailable");
	}
	return ("Unknown");
}
