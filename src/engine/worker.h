/*
 * worker.h: the washer/dryer loop, written once: get, say, work, put,
 * task_done, as the lecture's Python does it.
 */
#ifndef DISHRACK_WORKER_H
#define DISHRACK_WORKER_H

#include "run.h"

/* Run one worker until its input closes, it retires, or the run stops. */
void	worker_main(struct run *, struct wslot *);

/* Draw one duration from a station's live time setting. */
int64_t	worker_draw_time(struct run *, struct wslot *, uint64_t *rng);

#endif
