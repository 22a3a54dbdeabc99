/*
 * fuzz.c: the checks the fuzz targets share (fuzz.h).
 */
#include "config.h"

#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "safe.h"
#include "scenario.h"

/* The printed line: no C0, no DEL, no C1 (U+0080 to U+009F) at all. */
void
fuzz_check_cause(char *cause, const char *const *prefixes)
{
	const unsigned char	*p;
	char			*shown;
	size_t			 i;

	if (cause == NULL)
		abort();
	for (i = 0; prefixes[i] != NULL; i++) {
		if (strncmp(cause, prefixes[i], strlen(prefixes[i])) == 0)
			break;
	}
	if (prefixes[i] == NULL)
		abort();
	shown = safe_strdup(cause);
	for (p = (const unsigned char *)shown; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			abort();
	}
	free(shown);
	free(cause);
}

/* Text that reaches the terminal as it is: a title, a say, a name. */
void
fuzz_check_text(const char *s, const char *allowed)
{
	if (safe_text_len(s, strlen(s), allowed) != strlen(s))
		abort();
}

/* Parsing a shipped scenario cannot fail; if it does, that is the bug. */
struct scenario *
fuzz_builtin(size_t i)
{
	const struct builtin	*b = &builtins[i % nbuiltins];
	struct scenario		*s;
	char			 file[64], *cause = NULL;

	snprintf(file, sizeof file, "builtin:%s", b->name);
	s = scenario_parse(file, b->text, strlen(b->text), &cause);
	if (s == NULL)
		abort();
	return (s);
}
