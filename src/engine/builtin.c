/*
 * builtin.c: look up the scenarios compiled into the binary.
 */
#include "config.h"

#include "builtin.h"

#include <string.h>

const struct builtin *
builtin_find(const char *name)
{
	size_t	i, n;

	n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".scn") == 0)
		n -= 4;
	for (i = 0; i < nbuiltins; i++) {
		if (strlen(builtins[i].name) == n &&
		    strncmp(builtins[i].name, name, n) == 0)
			return (&builtins[i]);
	}
	return (NULL);
}

const char *
builtin_title(const struct builtin *b, char *buf, size_t len)
{
	const char	*p, *eol;
	size_t		 n;

	buf[0] = '\0';
	for (p = b->text; p != NULL && *p != '\0'; p = eol) {
		eol = strchr(p, '\n');
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "title", 5) == 0) {
			p += 5;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '=') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				n = eol != NULL ? (size_t)(eol - p) : strlen(p);
				while (n > 0 && (p[n - 1] == ' ' ||
				    p[n - 1] == '\r'))
					n--;
				if (n >= len)
					n = len - 1;
				memcpy(buf, p, n);
				buf[n] = '\0';
				return (buf);
			}
		}
		if (eol != NULL)
			eol++;
	}
	return (buf);
}
