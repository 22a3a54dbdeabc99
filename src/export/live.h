/*
 * live.h: a live run as a source of taps. live_event has the shape
 * engine_follow wants: it folds each event into the run's stats, as the
 * headless view always did, then hands it to the taps, with the workers'
 * names at their spawn and their text as it appears.
 */
#ifndef DISHRACK_LIVE_H
#define DISHRACK_LIVE_H

#include <stdint.h>

#include "tap.h"

struct engine;
struct stats;

struct live {
	struct engine	*eng;
	struct stats	*st;		/* NULL: the caller folds */
	struct taps	*taps;
	uint64_t	 out_pos;	/* read of the run's output ring */
	int		 read_output;	/* the run keeps an output ring */
	uint8_t		*seen;		/* per slot: its worker was told */
	uint32_t	 nseen;
};

void	live_init(struct live *, struct engine *, struct stats *,
	    struct taps *, int read_output);
void	live_event(const struct event *, void *live);

/* After the last drain: the text left, then the end (st finished). */
void	live_end(struct live *);
void	live_free(struct live *);

#endif
