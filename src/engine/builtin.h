/*
 * builtin.h: the scenarios shipped in scenarios/, compiled into the binary
 * by build-aux/embed-scenarios.sh.
 */
#ifndef DISHRACK_BUILTIN_H
#define DISHRACK_BUILTIN_H

#include <stddef.h>

struct builtin {
	const char	*name;		/* file name without .scn */
	const char	*text;
};

extern const struct builtin builtins[];
extern const size_t nbuiltins;

#define BUILTIN_DEFAULT "seed-threads"

/* The built-in scenario called name (with or without .scn), or NULL. */
const struct builtin *builtin_find(const char *name);

/* The value of the title key in a built-in's text, into buf. */
const char	*builtin_title(const struct builtin *, char *buf, size_t len);

#endif
