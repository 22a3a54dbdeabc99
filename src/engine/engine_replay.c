/*
 * engine_replay.c: the engine of a replay (engine_replay.h). It builds a
 * run as engine_create does (an arena, slots, the output ring, the
 * engine's own event ring for the controls) but with racks that only
 * keep a depth, starts no worker, and at each drain applies the events
 * whose time has come on the run's clock: each to its worker's slot as
 * the worker itself would have changed it (worker.c), and to the depths
 * of the racks it reports. One thread (the screen's) touches all of it.
 */
#include "config.h"

#include "engine_replay.h"
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "exec.h"
#include "rack.h"
#include "xmalloc.h"

static void	engine_replay_set_clock(struct run_clock *, int64_t);
static void	engine_replay_locks(struct engine *);
static void	engine_replay_gils(struct engine *, unsigned);

/* A rack that only knows its depth, as the events tell it. */
struct rack_replay {
	struct rack	 rack;
	uint32_t	 depth;
	uint32_t	 max;
	uint64_t	 taken;
	/*
	 * Puts less takes: events come ring by ring, so a take may be read
	 * before the put it took, at the same time; the count is right
	 * whatever the order, where the depth an event carried is not.
	 */
	int64_t		 net;
};

struct eng_replay {
	const struct replay_data *d;
	size_t			 next;		/* events applied */
	size_t			 next_out;
	struct rack_replay	 racks[SCN_MAX_STATIONS];	/* [0]: pile */
	unsigned		 spawned[SCN_MAX_STATIONS];
	int			 done;
	/*
	 * The GIL, as the events tell it: per slot, 1 computing (holding
	 * it, or about to), 2 waiting for it since gil_since.
	 */
	int			 held;		/* at a pause step, at held_t */
	int64_t			 held_t;
	unsigned char		*gil_in;
	int64_t			*gil_since;
};

static int
rr_put(struct rack *r, dish_t d, struct hand *h, int *b)
{
	(void)r; (void)d; (void)h; (void)b;
	return (-1);
}

static dish_t
rr_get(struct rack *r, struct hand *h, int *depth, int *b)
{
	(void)r; (void)h; (void)depth; (void)b;
	return (DISH_NONE);
}

static int
rr_hand(struct rack *r, struct hand *h)
{
	(void)r; (void)h;
	return (0);
}

static int
rr_join(struct rack *r, int64_t t)
{
	(void)r; (void)t;
	return (0);
}

static void
rr_nothing(struct rack *r)
{
	(void)r;
}

static uint32_t
rr_depth(const struct rack *r)
{
	return (((const struct rack_replay *)r)->depth);
}

static uint32_t
rr_held(struct rack *r)
{
	return (((struct rack_replay *)r)->depth);
}

static uint32_t
rr_max(struct rack *r)
{
	return (((struct rack_replay *)r)->max);
}

static uint64_t
rr_unfinished(struct rack *r)
{
	return (((struct rack_replay *)r)->depth);
}

static uint64_t
rr_taken(struct rack *r)
{
	return (((struct rack_replay *)r)->taken);
}

static const char *
rr_error(struct rack *r)
{
	(void)r;
	return (NULL);
}

static const struct rack_ops rack_replay_ops = {
	.name = "replay",
	.put = rr_put,
	.get = rr_get,
	.reclaim = rr_hand,
	.task_done = rr_hand,
	.join = rr_join,
	.close = rr_nothing,
	.wake_takers = rr_nothing,
	.abort = rr_nothing,
	.depth = rr_depth,
	.held = rr_held,
	.max_depth = rr_max,
	.unfinished = rr_unfinished,
	.taken = rr_taken,
	.destroy = rr_nothing,
	.error = rr_error,
};

struct engine *
engine_replay_create(struct scenario *scn, const struct replay_data *d,
    char **cause)
{
	struct engine		*e;
	struct run		*run;
	struct eng_replay	*rp;
	unsigned		 i, nslots;
	size_t			 size;

	e = xcalloc(1, sizeof *e);
	e->scn = scn;
	e->ops = &exec_threads;
	e->opts.virtual_clock = d->virtual_clock;
	e->opts.speed = d->speed;
	pthread_mutex_init(&e->ctl, NULL);
	atomic_store(&e->end_scn, -1);
	nslots = d->nnames > 0 ? d->nnames : 1;
	size = sizeof *run + sizeof *rp + sizeof(struct output) +
	    (size_t)nslots * (sizeof(struct wslot) + 64) +
	    ev_ring_size(1024) + LOCK_MAX_NAMED * sizeof(struct named_lock) +
	    (size_t)nslots * (1 + sizeof(int64_t)) +
	    (size_t)(nslots + 1) * sizeof(struct gil) + 64 * 1024;
	if (arena_init(&e->arena, size, 0, cause) == -1) {
		pthread_mutex_destroy(&e->ctl);
		scenario_free(scn);
		free(e);
		return (NULL);
	}
	run = e->run = arena_alloc(&e->arena, sizeof *run);
	rp = e->replay = arena_alloc(&e->arena, sizeof *rp);
	run->out = arena_alloc(&e->arena, sizeof *run->out);
	run->slots = arena_alloc(&e->arena, nslots * sizeof *run->slots);
	run->ring = arena_alloc(&e->arena, ev_ring_size(1024));
	/* The arena was sized for these: none of them is NULL. */
	ev_ring_init(run->ring, 1024);
	pthread_mutex_init(&run->ring_mu, NULL);
	run->nslots = nslots;
	run->ops = e->ops;
	run->scn = scn;
	run->nstations = scn->nstations;
	run_clock_init(&run->clock, d->speed > 0 ? d->speed : 1.0);
	output_init(run->out, -1, 1, 0, 0, scn->output);
	rp->d = d;
	for (i = 0; i < scn->nstations; i++) {
		rp->racks[i].rack.ops = &rack_replay_ops;
		run->st[i].in = &rp->racks[i].rack;
		if (i > 0)
			run->st[i - 1].out = &rp->racks[i].rack;
		/*
		 * The counts stay the scenario's as it starts (the script's
		 * sets and the workers' spawns move them), so what theory
		 * predicts from them is what the live run predicted.
		 */
	}
	run->pile = &rp->racks[0].rack;
	engine_replay_locks(e);
	engine_replay_gils(e, nslots);
	rp->racks[0].depth = scn->ndishes > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)scn->ndishes;
	for (i = 0; i < nslots; i++) {
		run->slots[i].id = i;
		atomic_store(&run->slots[i].hand.dish, DISH_NONE);
		atomic_store(&run->slots[i].waiting_lock, -1);
		if (i < d->nnames && d->names[i] != NULL)
			snprintf(run->slots[i].name, sizeof run->slots[i].name,
			    "%s", d->names[i]);
	}
	atomic_store(&e->real_start, clock_mono_ns());
	return (e);
}

/*
 * The named locks, by name only (the screen says who waits for which),
 * numbered as engine_named_locks numbers them: as the stations first
 * need them.
 */
static void
engine_replay_locks(struct engine *e)
{
	const struct scenario	*scn = e->scn;
	struct run		*run = e->run;
	unsigned		 k, j, m;

	run->locks = arena_alloc(&e->arena, LOCK_MAX_NAMED *
	    sizeof *run->locks);
	if (run->locks == NULL)
		return;
	for (k = 0; k < scn->nstations; k++)
		for (j = 0; j < scn->stations[k].nneeds; j++) {
			for (m = 0; m < run->nlocks; m++)
				if (strcmp(run->locks[m].name,
				    scn->stations[k].needs[j]) == 0)
					break;
			if (m == run->nlocks && run->nlocks < LOCK_MAX_NAMED)
				snprintf(run->locks[run->nlocks++].name,
				    sizeof run->locks[0].name, "%s",
				    scn->stations[k].needs[j]);
		}
}

/*
 * The GILs, as the live run had them (one, or one per process), so the
 * screen shows who holds one and who waits as it did live.
 */
static void
engine_replay_gils(struct engine *e, unsigned nslots)
{
	const struct scenario	*scn = e->scn;
	struct run		*run = e->run;
	struct eng_replay	*rp = e->replay;
	unsigned		 i, n;

	rp->gil_in = arena_alloc(&e->arena, nslots);
	rp->gil_since = arena_alloc(&e->arena, nslots * sizeof(int64_t));
	/* Off unless the scenario has one, as live: a switch turns it on. */
	atomic_store(&run->gil_off, !scn->gil);
	atomic_store(&run->gil_ever, scn->gil);
	if (rp->gil_in == NULL || rp->gil_since == NULL)
		return;
	n = scn->mode == MODE_PROCESSES ? nslots + 1 : 1;
	if ((run->gils = arena_alloc(&e->arena, n * sizeof *run->gils)) ==
	    NULL)
		return;
	run->ngils = n;
	for (i = 0; i < n; i++)
		gil_init(&run->gils[i], scn->gil_interval_ns);
}

/* A set of scenario.gil (not of its interval). */
static int
engine_replay_is_gil(const char *text)
{
	size_t	n = strlen("scenario.gil");

	return (strncmp(text, "scenario.gil", n) == 0 &&
	    (text[n] == '=' || text[n] == ' ' || text[n] == '\t'));
}

/* Who else computes under g, not waiting: it holds it now. */
static uint32_t
engine_replay_gil_other(struct engine *e, struct gil *g, uint32_t not)
{
	struct run	*run = e->run;
	uint32_t	 i, used = atomic_load(&run->used);

	for (i = 0; i < used && i < run->nslots; i++)
		if (i != not && e->replay->gil_in[i] == 1 &&
		    run_gil(run, &run->slots[i]) == g)
			return (i);
	return (GIL_NOBODY);
}

/*
 * A worker computing holds its GIL from its work's start, except while it
 * waits for it (wait-gil to got-gil, on every clock); when it stops or
 * waits, the GIL is another's that computes and does not wait.
 */
static void
engine_replay_gil(struct engine *e, struct wslot *w, const struct event *ev)
{
	struct run		*run = e->run;
	struct eng_replay	*rp = e->replay;
	struct gil		*g = run_gil(run, w);
	uint32_t		 id = ev->worker;

	if (g == NULL || e->scn->stations[w->station].work != WORK_CPU)
		return;
	switch (ev->kind) {
	case EV_WORK:
	case EV_GOT_GIL:
		if (ev->kind == EV_GOT_GIL && rp->gil_in[id] == 2 &&
		    ev->t > rp->gil_since[id])
			atomic_fetch_add(&w->gil_wait_ns, ev->t -
			    rp->gil_since[id]);
		rp->gil_in[id] = 1;
		atomic_store(&g->current, id);
		break;
	case EV_WAIT_GIL:
	case EV_WORKED:
	case EV_PUT:
	case EV_DONE:
	case EV_EXIT:
		if (ev->kind == EV_WAIT_GIL) {
			rp->gil_in[id] = 2;
			rp->gil_since[id] = ev->t;
		} else
			rp->gil_in[id] = 0;
		if (atomic_load(&g->current) == id)
			atomic_store(&g->current,
			    engine_replay_gil_other(e, g, id));
		break;
	}
}

int
engine_is_replay(struct engine *e)
{
	return (e->replay != NULL);
}

int
engine_replay_cut(struct engine *e)
{
	return (e->replay != NULL && e->replay->d->cut != NULL);
}

int64_t
engine_replay_length(struct engine *e)
{
	return (e->replay != NULL ? e->replay->d->t_end : 0);
}

/* The clock at t from now on (one thread changes it: the screen's). */
static void
engine_replay_set_clock(struct run_clock *c, int64_t t)
{
	atomic_fetch_add(&c->seq, 1);
	atomic_store(&c->base_real, clock_mono_ns());
	atomic_store(&c->base_scn, t);
	atomic_fetch_add(&c->seq, 1);
}

void
engine_replay_goto(struct engine *e, int64_t t)
{
	if (e->replay == NULL || t < run_clock_now(&e->run->clock))
		return;
	engine_replay_set_clock(&e->run->clock, t);
}

int64_t
engine_replay_find(struct engine *e, int64_t t, int dir, int kind)
{
	const struct replay_data	*d;
	const struct scenario		*scn = e->scn;
	int64_t				 best = -1;
	size_t				 i;

	if (e->replay == NULL)
		return (-1);
	d = e->replay->d;
	for (i = 0; i < d->nev; i++) {
		const struct event	*ev = &d->ev[i];
		int			 hit = 0;

		if (ev->worker != EV_ENGINE)
			continue;
		if (ev->kind == EV_SCRIPT && (unsigned)ev->arg < scn->nscript) {
			if (kind == 'c')
				hit = scn_step_is_caption(&scn->script[ev->arg]);
			else
				hit = scn->script[ev->arg].kind == STEP_SET;
		} else if (ev->kind == EV_CONTROL && kind == 'b')
			hit = ev->arg == CTL_ADD_WORKER ||
			    ev->arg == CTL_REMOVE_WORKER ||
			    ev->arg == CTL_SET_TIME || ev->arg == CTL_SET_LIVE ||
			    ev->arg == CTL_GIL_ON || ev->arg == CTL_GIL_OFF;
		if (!hit)
			continue;
		if (dir > 0 && ev->t > t)
			return (ev->t);
		if (dir < 0 && ev->t < t)
			best = ev->t;
	}
	return (best);
}

/* What the worker did, done to its slot and the racks. */
static void
engine_replay_apply(struct engine *e, const struct event *ev, int64_t wend)
{
	struct run		*run = e->run;
	struct eng_replay	*rp = e->replay;
	struct wslot		*w;
	struct scenario		*scn = e->scn;
	unsigned		 st = ev->station;
	char			*cause = NULL;

	if (ev->worker == EV_ENGINE) {
		/* The GIL switched, by a key or the script, as live. */
		if (ev->kind == EV_CONTROL && (ev->arg == CTL_GIL_ON ||
		    ev->arg == CTL_GIL_OFF) && run->ngils > 0) {
			if (ev->arg == CTL_GIL_ON) {
				scn->gil = 1;
				atomic_store(&run->gil_ever, 1);
			}
			atomic_store(&run->gil_off, ev->arg == CTL_GIL_OFF);
		}
		if (ev->kind != EV_SCRIPT || (unsigned)ev->arg >= scn->nscript)
			return;
		/*
		 * A script's set: the scenario as the engine changed it (the
		 * GIL's by its control event: live, off leaves scenario.gil).
		 */
		if (scn->script[ev->arg].kind == STEP_SET &&
		    !engine_replay_is_gil(scn->script[ev->arg].text) &&
		    scenario_set(scn, scn->script[ev->arg].text, &cause) == -1)
			free(cause);
		/*
		 * A pause step pauses the replay where it paused the run:
		 * at its time exactly, with what happened at that time.
		 */
		if (scn->script[ev->arg].kind == STEP_PAUSE) {
			run_clock_pause(&run->clock, 1);
			engine_replay_set_clock(&run->clock, ev->t);
		}
		return;
	}
	if (ev->worker >= run->nslots || st >= run->nstations)
		return;
	w = &run->slots[ev->worker];
	if (ev->worker >= atomic_load(&run->used))
		atomic_store(&run->used, ev->worker + 1);
	/* Where the worker changes its state (worker_set_state), not else. */
	if (ev->kind != EV_GET && ev->kind != EV_WORKED && ev->kind <
	    EV_SCRIPT)
		atomic_store(&w->since, ev->t);
	if (ev->kind != EV_SPAWN)
		engine_replay_gil(e, w, ev);
	switch (ev->kind) {
	case EV_SPAWN:
		w->station = st;
		w->index = ++rp->spawned[st];
		w->is_process = scn->mode == MODE_PROCESSES && st != 0;
		atomic_store(&w->pid, ev->arg);
		atomic_store(&w->state, WS_STARTING);
		atomic_fetch_add(&run->st[st].live, 1);
		if (atomic_load(&run->st[st].live) > scn->stations[st].count)
			scn->stations[st].count = atomic_load(&run->st[st].live);
		break;
	case EV_WAIT_GET:
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_GET:
		atomic_store(&w->hand.dish, ev->dish);
		if (st == 0)
			rp->racks[0].taken++;
		if (rp->racks[st].depth > 0 && st == 0)
			rp->racks[0].depth--;
		else if (st > 0) {
			rp->racks[st].net--;
			rp->racks[st].depth = rp->racks[st].net > 0 ?
			    (uint32_t)rp->racks[st].net : 0;
		}
		break;
	case EV_WORK:
		atomic_store(&w->work_end, wend);
		atomic_store(&w->state, WS_WORKING);
		break;
	case EV_WORKED:
		break;
	case EV_WAIT_PUT:
		atomic_store(&w->state, WS_WAIT_PUT);
		break;
	case EV_PUT:
	case EV_DONE:
		atomic_store(&w->hand.dish, DISH_NONE);
		atomic_store(&w->dishes, atomic_load(&w->dishes) + 1);
		if (ev->kind == EV_PUT && st + 1 < run->nstations) {
			rp->racks[st + 1].net++;
			rp->racks[st + 1].depth = rp->racks[st + 1].net > 0 ?
			    (uint32_t)rp->racks[st + 1].net : 0;
			if (ev->arg >= 0 && (uint32_t)ev->arg >
			    rp->racks[st + 1].max)
				rp->racks[st + 1].max = (uint32_t)ev->arg;
		}
		/* Its loop goes round: waiting for the next dish. */
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_WAIT_LOCK:
		atomic_store(&w->waiting_lock, ev->arg);
		break;
	case EV_GOT_LOCK:
		atomic_store(&w->waiting_lock, -1);
		break;
	case EV_EXIT:
		atomic_store(&w->waiting_lock, -1);
		atomic_store(&w->state, WS_EXITED);
		atomic_store(&w->hand.dish, DISH_NONE);
		if (ev->arg == EXIT_DIED || ev->arg == EXIT_REPLACED) {
			atomic_store(&w->died, 1);
			/* Killed holding a dish: back in its rack, or lost. */
			if (ev->dish != DISH_NONE) {
				atomic_store(&w->dropped_back, st == 0 ||
				    scn->reliable);
				atomic_store(&w->dropped, ev->dish + 1);
				if (st > 0 && scn->reliable)
					rp->racks[st].depth = (uint32_t)
					    ++rp->racks[st].net;
			}
		}
		if (atomic_load(&run->st[st].live) > 0)
			atomic_fetch_sub(&run->st[st].live, 1);
		if (ev->arg == EXIT_RETIRED && scn->stations[st].count > 0)
			scn->stations[st].count--;
		break;
	}
}

/* The end, as recorded: what the engine said when the run was over. */
static void
engine_replay_end(struct engine *e)
{
	const struct replay_data	*d = e->replay->d;
	struct run			*run = e->run;
	unsigned			 i;

	for (i = 0; i < e->scn->nstations; i++) {
		e->scn->stations[i].count = d->counts[i];
		e->scn->stations[i].time = d->times[i];
	}
	if (d->deadlocked && d->cycle != NULL) {
		snprintf(run->deadlock_text, sizeof run->deadlock_text, "%s",
		    d->cycle);
		atomic_store(&run->deadlock, 1);
	}
	if (d->error != NULL && e->error == NULL)
		e->error = xstrdup(d->error);
	atomic_store(&e->interrupted, d->interrupted);
	atomic_store(&e->end_scn, d->t_end);
	atomic_store(&e->real_end, atomic_load(&e->real_start) + d->wall_ns);
	atomic_store(&e->ended, 1);
	atomic_store(&e->reaped, 1);
	atomic_store(&e->finished, 1);
	e->replay->done = 1;
}

size_t
engine_replay_drain(struct engine *e, void (*fn)(const struct event *, void *),
    void *arg)
{
	struct eng_replay		*rp = e->replay;
	const struct replay_data	*d = rp->d;
	struct output			*o = e->run->out;
	struct event			 ctl[64];
	size_t				 n = 0, k, i, m;
	uint64_t			 head;
	int64_t				 now;

	/* The controls of the replay itself (pause, speed): not replayed. */
	while (ev_ring_take(e->run->ring, ctl, 64, EV_ENGINE, 0) > 0)
		;
	if (rp->done)
		return (0);
	now = run_now(e->run);
	/* Held at a pause step until the clock goes on or is moved on. */
	if (rp->held && run_clock_paused(&e->run->clock) && now <= rp->held_t)
		return (0);
	rp->held = 0;
	while (rp->next < d->nev && d->ev[rp->next].t <= now) {
		k = rp->next++;
		engine_replay_apply(e, &d->ev[k], d->work_end[k]);
		fn(&d->ev[k], arg);
		n++;
		/*
		 * A pause step stopped the clock at its time; what the
		 * recording has after it at that time came after the pause
		 * (the engine's ring is read last: what the workers did at
		 * that time is before it), so it waits for the resume, as the
		 * live screen's run did (a run quit at the pause writes its
		 * workers' exits there).
		 */
		if (d->ev[k].worker == EV_ENGINE && d->ev[k].kind ==
		    EV_SCRIPT && (unsigned)d->ev[k].arg < e->scn->nscript &&
		    e->scn->script[d->ev[k].arg].kind == STEP_PAUSE) {
			rp->held = 1;
			rp->held_t = d->ev[k].t;
			now = run_now(e->run);
			break;
		}
		now = run_now(e->run);
	}
	while (rp->next_out < d->nout && d->out[rp->next_out].t <= now) {
		const struct replay_output *ro = &d->out[rp->next_out++];

		head = atomic_load(&o->head);
		for (i = 0, m = ro->len; i < m; i++)
			o->ring[(head + i) % OUTPUT_RING] = ro->text[i];
		atomic_store(&o->head, head + m);
	}
	if (rp->next == d->nev && rp->next_out == d->nout && now >= d->t_end)
		engine_replay_end(e);
	return (n);
}
