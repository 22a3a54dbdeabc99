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

#include "bcast.h"
#include "exec.h"

static void	worker_set_state(struct wslot *, int64_t, enum ws_state);
static void	worker_event(struct wslot *, int64_t, enum ev_kind, dish_t,
		    int32_t);
static void	worker_say(struct run *, struct wslot *, const char *, dish_t);
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

/*
 * State and events take a time the caller read once: the clock is read a
 * few times per dish, not once per record (on a virtual machine a clock
 * read can cost more than a rack operation).
 */
static void
worker_set_state(struct wslot *w, int64_t t, enum ws_state st)
{
	atomic_store_explicit(&w->since, t, memory_order_relaxed);
	atomic_store_explicit(&w->state, st, memory_order_release);
}

static void
worker_event(struct wslot *w, int64_t t, enum ev_kind kind, dish_t dish,
    int32_t arg)
{
	ev_ring_put(w->ring, t, kind, dish, arg);
}

static void
worker_part_pause(void *arg)
{
	struct run	*run = arg;

	run->ops->part_pause(run);
}

static void
worker_say(struct run *run, struct wslot *w, const char *tmpl, dish_t d)
{
	char	buf[96], text[1024];

	if (tmpl == NULL)
		return;
	if (run->topics != NULL && d != DISH_NONE)
		/* A broadcast's message: its topic, besides its dish. */
		bcast_render(tmpl, run->topics->name[bcast_topic_of(
		    run->topics, d)], scenario_dish_name(run->scn, d, buf,
		    sizeof buf), w->name, text, sizeof text);
	else
		output_render(tmpl, d == DISH_NONE ? "" :
		    scenario_dish_name(run->scn, d, buf, sizeof buf), w->name,
		    text, sizeof text);
	if (run->ops->yield != NULL)
		run->ops->yield(run);
	output_say(run->out, text, worker_part_pause, run);
}

/* Work for d: cpu or io, on the executor's clock. */
static int
worker_spend(struct run *run, struct wslot *w, const struct station *st,
    int64_t d)
{
	if (d <= 0)
		return (0);
	if (st->work == WORK_CPU)
		return (run->ops->compute(run, w, d));
	return (run->ops->sleep(run, d));
}

/*
 * Work on a dish. A station that needs named locks takes the first, does
 * half the work, takes the rest, does the other half: two workers that
 * take them in opposite orders can each end up holding what the other
 * waits for. With lock_order = fixed everyone takes them in one order.
 */
static int
worker_work(struct run *run, struct wslot *w, const struct station *st,
    struct run_station *rs, int64_t d)
{
	unsigned	order[SCN_MAX_NEEDS], i, n = rs->nneed, held = 0;
	int		rc = 0;

	if (n == 0)
		return (worker_spend(run, w, st, d));
	for (i = 0; i < n; i++) {
		/* Opposite orders: every other worker takes them backwards. */
		if (!run->scn->lock_order_fixed && w->index % 2 == 0)
			order[i] = rs->need[n - 1 - i];
		else
			order[i] = rs->need[i];
	}
	if ((rc = named_lock_take(run, w, order[0])) == -1)
		return (-1);
	held = 1;
	if (n > 1)
		rc = worker_spend(run, w, st, d / 2);
	for (i = 1; i < n && rc == 0; i++) {
		if ((rc = named_lock_take(run, w, order[i])) == 0)
			held++;
	}
	if (rc == 0)
		rc = worker_spend(run, w, st, n > 1 ? d - d / 2 : d);
	while (held > 0)
		named_lock_release(run, w, order[--held]);
	return (rc);
}

void
worker_main(struct run *run, struct wslot *w)
{
	const struct station	*st = &run->scn->stations[w->station];
	struct run_station	*rs = &run->st[w->station];
	uint64_t		 rng;
	int64_t			 t, d;
	dish_t			 dish;
	int			 depth, blocked, rc, why = EXIT_FINISHED;
	int			 crashed = 0;

	rng = run->scn->seed * 0x100000001B3ULL + w->id * 0x9E3779B97F4A7C15ULL + 1;
	t = run_now(run);
	atomic_store(&w->waiting_lock, -1);
	worker_event(w, t, EV_SPAWN, DISH_NONE, atomic_load(&w->pid));
	/* A late station: its workers wait for their start (one sleep). */
	if (st->start_ns > t && run->ops->sleep(run, st->start_ns - t) == -1)
		why = EXIT_INTERRUPTED;
	else
		worker_say(run, w, st->say_start, DISH_NONE);
	t = run_now(run);
	run_set_self(w);
	while (why == EXIT_FINISHED) {
		if (atomic_load(&w->crash)) {
			crashed = 1;
			break;
		}
		if (atomic_load(&w->hand.leave)) {
			why = EXIT_RETIRED;
			break;
		}
		if (run->ops->checkpoint(run) == -1) {
			why = EXIT_INTERRUPTED;
			break;
		}

		/* dish = rack.get() */
		worker_set_state(w, t, WS_WAIT_GET);
		dish = rack_get(rs->in, &w->hand, &depth, &blocked);
		if (dish == DISH_NONE) {
			if (atomic_load(&w->crash))
				crashed = 1;
			else if (atomic_load(&run->stop))
				why = EXIT_INTERRUPTED;
			else if (atomic_load(&w->hand.leave))
				why = EXIT_RETIRED;
			break;
		}
		if (blocked) {
			worker_event(w, t, EV_WAIT_GET, DISH_NONE, 0);
			t = run_now(run);
		}
		/* An open system: the dish is taken when it has arrived. */
		if (run->arrival != NULL && dish < run->narrival &&
		    run->arrival[dish] > t) {
			if (!blocked)
				worker_event(w, t, EV_WAIT_GET, DISH_NONE, 0);
			if (run->ops->sleep(run, run->arrival[dish] - t) == -1) {
				why = EXIT_INTERRUPTED;
				break;
			}
			t = run_now(run);
		}
		worker_event(w, t, EV_GET, dish, depth);

		/* print(...); time.sleep(...) */
		worker_say(run, w, st->say, dish);
		d = worker_draw_time(run, w, &rng);
		if (st->say != NULL)
			t = run_now(run);
		if (d > 0 || rs->nneed > 0) {
			/* No work, no record of it: zero-time runs stay lean. */
			atomic_store_explicit(&w->work_end, t + d,
			    memory_order_relaxed);
			worker_set_state(w, t, WS_WORKING);
			/* The time in ms, for whoever has no view of
			 * work_end: a coordinator drawing an agent's bar. */
			worker_event(w, t, EV_WORK, dish,
			    (int32_t)(d / NSEC_PER_MSEC > INT32_MAX ?
			    INT32_MAX : d / NSEC_PER_MSEC));
			rc = worker_work(run, w, st, rs, d);
			t = run_now(run);
			if (rc == -1) {
				/* Stopped mid-dish: it stays in these hands. */
				crashed = atomic_load(&w->crash);
				why = EXIT_INTERRUPTED;
				break;
			}
			worker_event(w, t, EV_WORKED, dish, 0);
		}
		if (st->say_after != NULL) {
			worker_say(run, w, st->say_after, dish);
			t = run_now(run);
		}
		if (rs->out == NULL && cupboard_put(run, w) == -1) {
			crashed = atomic_load(&w->crash);
			why = EXIT_INTERRUPTED;
			break;
		}

		/* next_rack.put(dish) */
		if (rs->out != NULL) {
			worker_set_state(w, t, WS_WAIT_PUT);
			depth = rack_put(rs->out, dish, &w->hand, &blocked);
			if (depth == -1) {
				/* A wait that a kill ended: it was one. */
				if (blocked)
					worker_event(w, t, EV_WAIT_PUT, dish, 0);
				crashed = atomic_load(&w->crash);
				why = EXIT_INTERRUPTED;
				break;
			}
			if (blocked) {
				worker_event(w, t, EV_WAIT_PUT, dish, 0);
				t = run_now(run);
			}
			worker_event(w, t, EV_PUT, dish, depth);
		}

		/*
		 * rack.task_done(): the hand owes it, and the next rack_get
		 * pays it under the lock it takes anyway (or the exit below).
		 * The put above said "done" already.
		 */
		/* Only this worker writes it: no locked add, no barrier. */
		atomic_store_explicit(&w->dishes, atomic_load_explicit(
		    &w->dishes, memory_order_relaxed) + 1, memory_order_relaxed);
		if (rs->out == NULL) {
			worker_event(w, t, EV_DONE, dish, 0);
			hand_let_go(&w->hand);
		}
	}
	if (crashed) {
		/*
		 * As a thread whose function raised: no task_done, no
		 * goodbye; the engine takes what it held (crashed).
		 */
		dish = DISH_NONE;
		why = run->crashed != NULL ? run->crashed(run, w, &dish) :
		    EXIT_DIED;
		worker_event(w, run_now(run), EV_EXIT, dish, why);
		return;
	}
	if (atomic_load_explicit(&w->hand.owes, memory_order_relaxed) &&
	    atomic_load_explicit(&w->hand.dish, memory_order_relaxed) ==
	    DISH_NONE)
		rack_task_done(rs->in, &w->hand);
	rack_flush(rs->in);
	rack_flush(rs->out);
	if (why == EXIT_FINISHED)
		worker_say(run, w, st->say_end, DISH_NONE);
	t = run_now(run);
	worker_set_state(w, t, WS_EXITED);
	worker_event(w, t, EV_EXIT, DISH_NONE, why);
	atomic_fetch_sub(&rs->live, 1);
}
