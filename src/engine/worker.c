/*
 * worker.c: one station's worker, as straight-line code. The executor
 * behind run->ops decides what sleeping, computing and pausing mean; the
 * racks decide what waiting means. Nothing here knows whether it is a
 * thread, a process or a virtual task.
 */
#include "config.h"

#include "worker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

static void	worker_set_state(struct run *, struct wslot *, enum ws_state);
static void	worker_say(struct run *, struct wslot *, dish_t);
static void	worker_part_pause(void *);

/* A seeded generator per worker, so virtual runs repeat exactly. */
static uint64_t
worker_next_random(uint64_t *s)
{
	uint64_t	x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (x * 0x2545F4914F6CDD1DULL);
}

int64_t
worker_draw_time(struct run *run, struct wslot *w, uint64_t *rng)
{
	struct run_station	*st = &run->st[w->station];
	int64_t			 a, b;
	double			 u;

	a = atomic_load(&st->time_a);
	b = atomic_load(&st->time_b);
	switch (atomic_load(&st->time_kind)) {
	case DIST_UNIFORM:
		if (b <= a)
			return (a);
		return (a + (int64_t)(worker_next_random(rng) %
		    (uint64_t)(b - a + 1)));
	case DIST_EXP:
		u = ((double)(worker_next_random(rng) >> 11) + 0.5) /
		    9007199254740992.0;
		return ((int64_t)(-log(u) * (double)a));
	default:
		return (a);
	}
}

static void
worker_set_state(struct run *run, struct wslot *w, enum ws_state s)
{
	atomic_store_explicit(&w->since, run_now(run), memory_order_relaxed);
	atomic_store_explicit(&w->state, s, memory_order_release);
}

static void
worker_part_pause(void *arg)
{
	struct run	*run = arg;

	run->ops->part_pause(run);
}

static void
worker_say(struct run *run, struct wslot *w, dish_t d)
{
	const struct station	*st = &run->scn->stations[w->station];
	char			 buf[96], text[1024];

	if (st->say == NULL)
		return;
	output_render(st->say, scenario_dish_name(run->scn, d, buf,
	    sizeof buf), w->name, text, sizeof text);
	if (run->ops->yield != NULL)
		run->ops->yield(run);
	output_say(run->out, text, worker_part_pause, run);
}

void
worker_main(struct run *run, struct wslot *w)
{
	const struct station	*st = &run->scn->stations[w->station];
	struct run_station	*rs = &run->st[w->station];
	uint64_t		 rng;
	int64_t			 t0, d;
	dish_t			 dish;
	int			 depth, blocked, rc, why = EXIT_FINISHED;

	rng = run->scn->seed * 0x100000001B3ULL + w->id * 0x9E3779B97F4A7C15ULL + 1;
	run_event(run, w, EV_SPAWN, DISH_NONE, atomic_load(&w->pid));
	for (;;) {
		if (atomic_load(&w->retire)) {
			why = EXIT_RETIRED;
			break;
		}
		if (run->ops->checkpoint(run) == -1) {
			why = EXIT_INTERRUPTED;
			break;
		}

		/* dish = rack.get() */
		t0 = run_now(run);
		worker_set_state(run, w, WS_WAIT_GET);
		dish = rack_get(rs->in, &w->hand, &depth, &blocked);
		if (dish == DISH_NONE) {
			if (atomic_load(&run->stop))
				why = EXIT_INTERRUPTED;
			break;
		}
		if (blocked) {
			struct event	e = { .t = t0, .worker = w->id,
			    .station = (uint16_t)w->station,
			    .kind = EV_WAIT_GET, .dish = DISH_NONE };
			ev_ring_put(w->ring, &e);
		}
		run_event(run, w, EV_GET, dish, depth);

		/* print(...); time.sleep(...) */
		worker_say(run, w, dish);
		d = worker_draw_time(run, w, &rng);
		atomic_store(&w->work_end, run_now(run) + d);
		worker_set_state(run, w, WS_WORKING);
		run_event(run, w, EV_WORK, dish, 0);
		if (st->work == WORK_CPU)
			rc = run->ops->compute(run, w, d);
		else
			rc = run->ops->sleep(run, d);
		if (rc == -1) {
			/* Stopped mid-dish: it stays in this worker's hands. */
			why = EXIT_INTERRUPTED;
			break;
		}
		run_event(run, w, EV_WORKED, dish, 0);

		/* next_rack.put(dish) */
		if (rs->out != NULL) {
			t0 = run_now(run);
			worker_set_state(run, w, WS_WAIT_PUT);
			depth = rack_put(rs->out, dish, &w->hand, &blocked);
			if (depth == -1) {
				why = EXIT_INTERRUPTED;
				break;
			}
			if (blocked) {
				struct event	e = { .t = t0, .worker = w->id,
				    .station = (uint16_t)w->station,
				    .kind = EV_WAIT_PUT, .dish = dish };
				ev_ring_put(w->ring, &e);
			}
			run_event(run, w, EV_PUT, dish, depth);
		}

		/* rack.task_done() */
		rack_task_done(rs->in, &w->hand);
		atomic_fetch_add(&w->dishes, 1);
		run_event(run, w, EV_DONE, dish, 0);
	}
	worker_set_state(run, w, WS_EXITED);
	run_event(run, w, EV_EXIT, DISH_NONE, why);
	atomic_fetch_sub(&rs->live, 1);
}
