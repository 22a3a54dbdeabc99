/*
 * fuzz_http.c: libFuzzer target for the web server's request parser. The
 * input is what a client sends; its first byte picks the longest head
 * allowed. Whatever it is, the parser reads no byte past the input, and
 * a head it takes lies inside the input and the limit.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "net_http.h"
#include "xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req	 req;
	const char	*why;
	char		*buf;
	size_t		 max, len;
	int		 r;

	if (size == 0)
		return (0);
	max = 16 + (size_t)data[0] * 16;
	len = size - 1;
	/* A copy of its own size, so that ASan sees a read past the end. */
	buf = xmalloc(len ? len : 1);
	memcpy(buf, data + 1, len);
	r = http_parse(buf, len, max, &req, &why);
	switch (r) {
	case HTTP_DONE:
		if (req.head_len == 0 || req.head_len > len ||
		    req.head_len > max || memchr(req.path, '\0',
		    sizeof req.path) == NULL || (req.has_length == 0 &&
		    req.length != 0) || req.minor < 0 || req.minor > 1)
			abort();
		break;
	case HTTP_BAD:
	case HTTP_UNSUPPORTED:
		if (why == NULL || strchr(why, '\n') != NULL)
			abort();
		break;
	case HTTP_TOO_LONG:
		if (len < max)
			abort();
		break;
	case HTTP_MORE:
		if (len >= max)
			abort();
		break;
	default:
		abort();
	}
	free(buf);
	return (0);
}
