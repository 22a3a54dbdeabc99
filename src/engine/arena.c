/*
 * arena.c: one mapping per run, carved by a bump allocator. Nothing is freed
 * before the run ends, which is what lets children share it without any
 * allocator of their own.
 */
#include "config.h"

#include "arena.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "i18n.h"
#include "xmalloc.h"

unsigned arena_fail_in;

/* The injected failure, for tests of every error path: 1 when it is due. */
static int
arena_failing(void)
{
	return (arena_fail_in > 0 && --arena_fail_in == 0);
}

int
arena_init(struct arena *a, size_t size, int shared, char **cause)
{
	void	*p;
	int	 flags;

	size = (size + 4095) & ~(size_t)4095;
	if (arena_failing()) {
		xasprintf(cause, _("cannot map %zu bytes for the run: "
		    "%s"), size,
		    strerror(ENOMEM));
		return (-1);
	}
	flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		xasprintf(cause, _("cannot map %zu bytes for the run: "
		    "%s"), size,
		    strerror(errno));
		return (-1);
	}
	a->base = p;
	a->size = size;
	a->used = 0;
	a->shared = shared;
	return (0);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t	off;

	off = (a->used + 63) & ~(size_t)63;
	if (arena_failing())
		return (NULL);
	if (off > a->size || n > a->size - off)
		return (NULL);
	a->used = off + n;
	return (a->base + off);
}

void
arena_free(struct arena *a)
{
	if (a->base != NULL)
		munmap(a->base, a->size);
	a->base = NULL;
}
