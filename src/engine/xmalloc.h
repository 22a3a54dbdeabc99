/*
 * xmalloc.h: allocation that cannot fail (it exits), and string helpers.
 */
#ifndef DISHRACK_XMALLOC_H
#define DISHRACK_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/*
 * Called before exiting on an allocation failure, so a view can restore the
 * terminal first. NULL by default.
 */
extern void (*xmalloc_fatal_hook)(void);

#endif
