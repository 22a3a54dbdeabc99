/*
 * output.h: the one path by which workers' say text leaves them. In parts
 * mode a line is written as Python's print writes it (each word, each
 * separator and the newline apart), so concurrent workers interleave; in
 * lines mode each line goes whole under a lock. Text goes to a descriptor
 * (headless) and to a ring that a view reads, in the order it was written.
 */
#ifndef DISHRACK_OUTPUT_H
#define DISHRACK_OUTPUT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define OUTPUT_RING	65536

struct output {
	pthread_mutex_t	 mu;
	int		 fd;		/* -1: no descriptor */
	int		 use_ring;
	int		 use_lock;	/* not in virtual runs */
	enum output_mode mode;
	_Atomic int	 broken;	/* the descriptor failed (EPIPE) */
	_Atomic uint64_t head;		/* bytes ever written to the ring */
	char		 ring[OUTPUT_RING];
};

/* Called between the parts of a line: the worker's pause. */
typedef void (*output_pause_fn)(void *);

void	output_init(struct output *, int fd, int use_ring, int shared,
	    int use_lock, enum output_mode);

/* Write text (may hold several lines; a final newline is implied). */
void	output_say(struct output *, const char *text, output_pause_fn,
	    void *arg);

/*
 * Copy ring bytes after *pos into buf; advances *pos. If the reader fell
 * more than a ring behind, it skips to what is still there.
 */
size_t	output_read(struct output *, uint64_t *pos, char *buf, size_t len);

/*
 * Render a say template into buf (len bytes): {dish} and {worker}
 * replaced, cut short if it does not fit. It allocates nothing, so a forked
 * child of a threaded parent may call it (malloc is not fork-safe there).
 */
void	output_render(const char *tmpl, const char *dish, const char *worker,
	    char *buf, size_t len);

#endif
