/*
 * net_http.h: the subset of HTTP/1.1 the web server speaks, parsed by hand
 * (doc/webserver.md says why): a request line, headers, a body of a given
 * Content-Length; keep-alive by default in 1.1, Connection: close.
 */
#ifndef DISHRACK_NET_HTTP_H
#define DISHRACK_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

enum http_method {
	HTTP_GET,
	HTTP_POST,
	HTTP_OTHER		/* a well-formed method we do not serve */
};

/* What a complete head says. */
struct http_req {
	enum http_method method;
	char		 path[64];	/* without the query; cut at 63 */
	int		 minor;		/* HTTP/1.minor */
	int		 keep_alive;
	int		 has_length;
	uint64_t	 length;	/* Content-Length, 0 without one */
	size_t		 head_len;	/* bytes up to and with the blank line */
};

enum http_parse {
	HTTP_MORE = 0,		/* no blank line yet, room left */
	HTTP_DONE = 1,		/* a whole head; *req filled */
	HTTP_BAD = -1,		/* not HTTP: *why says what */
	HTTP_TOO_LONG = -2,	/* no blank line within max bytes */
	HTTP_UNSUPPORTED = -3	/* Transfer-Encoding: we need a length */
};

/*
 * Parse the head at the start of buf (len bytes) if it is all there. A
 * head longer than max is HTTP_TOO_LONG. *why (not NULL on HTTP_BAD) is
 * a static string. Never reads past len.
 */
enum http_parse	 http_parse(const char *buf, size_t len, size_t max,
		    struct http_req *req, const char **why);

/* The reason phrase of a status code we send. */
const char	*http_reason(int status);

#endif
