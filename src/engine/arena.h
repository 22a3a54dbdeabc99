/*
 * arena.h: the memory of one run. Threads use private memory; processes an
 * anonymous shared mapping made before fork(), so every child sees the
 * racks, clocks and event rings at the same address and the kernel frees it
 * with the last process: nothing can be left in /dev/shm.
 */
#ifndef DISHRACK_ARENA_H
#define DISHRACK_ARENA_H

#include <stddef.h>

struct arena {
	char	*base;
	size_t	 size;
	size_t	 used;
	int	 shared;
};

/* Map size bytes, zeroed. Returns 0, or -1 with *cause allocated. */
int	 arena_init(struct arena *, size_t size, int shared, char **cause);

/* Carve n bytes, 64-byte aligned, zeroed. NULL if the arena is full. */
void	*arena_alloc(struct arena *, size_t n);

void	 arena_free(struct arena *);

/*
 * Tests: > 0 makes the arena_init or arena_alloc that many calls from now
 * fail, as if memory had run out (then it is 0 again).
 */
extern unsigned arena_fail_in;

#endif
