/*
 * gil.c: the GIL, on the real clock and on the virtual one.
 *
 * DESIGN (real): mu guards locked, holder, last and switch_number. A taker
 * waits on released for at most one interval; if it times out and no
 * switch happened meanwhile, it sets drop_request (an atomic the holder
 * polls between slices of computation without taking mu). The holder that
 * sees the request drops the GIL and, as CPython does, waits on switched
 * until switch_number moves, so the waiter gets it. Every wait re-checks
 * its condition and the run's stop flag.
 *
 * DESIGN (virtual): only one task runs at a time, so the state needs no
 * lock. A holder computes one interval at a time; after each, if anyone
 * waits for the GIL (or a core), it lets go, wakes the first waiter and
 * queues behind it: round robin at the switch interval, the shape CPython's
 * forced switching gives.
 */
#include "config.h"

#include "gil.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "clock.h"

void
gil_init(struct gil *g, int64_t interval_ns)
{
	pthread_condattr_t	ca;

	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->released, &ca);
	pthread_cond_init(&g->switched, &ca);
	pthread_condattr_destroy(&ca);
	g->locked = 0;
	g->holder = g->last = GIL_NOBODY;
	atomic_store(&g->current, GIL_NOBODY);
	g->interval_ns = interval_ns > 0 ? interval_ns : 5 * NSEC_PER_MSEC;
}

static void
gil_deadline(struct timespec *ts, int64_t ns)
{
	int64_t	t = clock_mono_ns() + ns;

	ts->tv_sec = t / NSEC_PER_SEC;
	ts->tv_nsec = t % NSEC_PER_SEC;
}

int
gil_take(struct gil *g, uint32_t who, _Atomic int *stop, int64_t *waited_ns)
{
	return (gil_take_unless(g, who, stop, NULL, waited_ns));
}

int
gil_take_unless(struct gil *g, uint32_t who, _Atomic int *stop,
    _Atomic int *crash, int64_t *waited_ns)
{
	struct timespec	ts;
	uint64_t	saved;
	int64_t		t0 = clock_mono_ns();
	int		e;

	pthread_mutex_lock(&g->mu);
	while (g->locked) {
		if ((stop != NULL && atomic_load(stop)) ||
		    (crash != NULL && atomic_load(crash))) {
			pthread_mutex_unlock(&g->mu);
			return (-1);
		}
		saved = g->switch_number;
		gil_deadline(&ts, g->interval_ns);
		e = pthread_cond_timedwait(&g->released, &g->mu, &ts);
		if (e == ETIMEDOUT && g->locked && g->switch_number == saved)
			atomic_store(&g->drop_request, 1);
	}
	g->locked = 1;
	if (g->last != GIL_NOBODY && g->last != who)
		atomic_fetch_add(&g->handovers, 1);
	g->holder = g->last = who;
	atomic_store(&g->current, who);
	g->switch_number++;
	pthread_cond_broadcast(&g->switched);
	atomic_store(&g->drop_request, 0);
	pthread_mutex_unlock(&g->mu);
	if (waited_ns != NULL)
		*waited_ns += clock_mono_ns() - t0;
	return (0);
}

void
gil_drop(struct gil *g, uint32_t who, int forced, _Atomic int *stop)
{
	struct timespec	ts;
	uint64_t	saved;

	pthread_mutex_lock(&g->mu);
	g->locked = 0;
	g->holder = GIL_NOBODY;
	atomic_store(&g->current, GIL_NOBODY);
	saved = g->switch_number;
	pthread_cond_signal(&g->released);
	if (forced) {
		/* Let the one who asked have it before we may ask again. */
		while (g->switch_number == saved &&
		    !(stop != NULL && atomic_load(stop))) {
			gil_deadline(&ts, g->interval_ns);
			if (pthread_cond_timedwait(&g->switched, &g->mu,
			    &ts) == ETIMEDOUT && !g->locked)
				break;	/* nobody came after all */
		}
	}
	pthread_mutex_unlock(&g->mu);
}

void
gil_wake(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	pthread_cond_broadcast(&g->released);
	pthread_mutex_unlock(&g->mu);
}

int
gil_drop_requested(struct gil *g)
{
	return (atomic_load_explicit(&g->drop_request, memory_order_relaxed));
}

/*
 * The wait of one computation on the virtual clock: from when the worker
 * let go at a forced switch (or found the GIL held) to when it has it
 * again; the caller is told as it begins and as it ends.
 */
struct gil_waits {
	int64_t		*total;
	gil_waited_cb	 cb;
	void		*arg;
	int		 open;
	int64_t		 blocked;	/* in this wait */
};

static void
gil_wait_begin(struct vclock *vc, struct gil_waits *gw)
{
	if (gw->open)
		return;
	gw->open = 1;
	gw->blocked = 0;
	if (gw->cb != NULL)
		gw->cb(gw->arg, vclock_now(vc), -1);
}

static void
gil_wait_end(struct vclock *vc, struct gil_waits *gw)
{
	if (!gw->open)
		return;
	gw->open = 0;
	if (gw->cb != NULL)
		gw->cb(gw->arg, vclock_now(vc), gw->blocked);
}

/* Virtual: wait until the GIL is free, then hold it. */
static int
gil_take_virtual(struct vclock *vc, struct gil *g, uint32_t who,
    struct gil_waits *gw)
{
	int64_t	t0 = vclock_now(vc);

	while (g->holder != GIL_NOBODY && g->holder != who) {
		gil_wait_begin(vc, gw);
		if (vclock_block(vc, &g->vq) == -1)
			return (-1);
	}
	if (g->last != GIL_NOBODY && g->last != who)
		atomic_fetch_add(&g->handovers, 1);
	g->holder = g->last = who;
	atomic_store(&g->current, who);
	*gw->total += vclock_now(vc) - t0;
	gw->blocked += vclock_now(vc) - t0;
	gil_wait_end(vc, gw);
	return (0);
}

static void
gil_release_virtual(struct vclock *vc, struct gil *g)
{
	g->holder = GIL_NOBODY;
	atomic_store(&g->current, GIL_NOBODY);
	vclock_wake_one(vc, &g->vq);
}

/*
 * A computation that ends early (a crashed task: vclock_kick) lets go of
 * the GIL if it holds it, or its interpreter would stay locked. -1.
 */
static int
gil_let_go_virtual(struct vclock *vc, struct gil *g, uint32_t who)
{
	if (g != NULL && g->holder == who)
		gil_release_virtual(vc, g);
	return (-1);
}

int
gil_compute_virtual(struct vclock *vc, struct gil *g, struct vcores *cpu,
    uint32_t who, int64_t d, int64_t interval_ns, int64_t *gil_wait_ns,
    gil_waited_cb waited, void *arg)
{
	struct gil_waits	gw;
	int64_t			chunk, dummy = 0, t0;

	gw.total = gil_wait_ns != NULL ? gil_wait_ns : &dummy;
	gw.cb = waited;
	gw.arg = arg;
	gw.open = 0;
	gw.blocked = 0;
	if (interval_ns <= 0)
		interval_ns = 5 * NSEC_PER_MSEC;
	while (d > 0) {
		if (g != NULL && gil_take_virtual(vc, g, who, &gw) == -1)
			return (-1);
		while (cpu->busy >= cpu->cores) {
			if (vclock_block(vc, &cpu->vq) == -1)
				return (gil_let_go_virtual(vc, g, who));
		}
		cpu->busy++;
		chunk = d < interval_ns ? d : interval_ns;
		if (vclock_sleep(vc, chunk) == -1) {
			cpu->busy--;
			return (gil_let_go_virtual(vc, g, who));
		}
		d -= chunk;
		cpu->busy--;
		if (g != NULL && (d == 0 || g->vq.head != NULL)) {
			/* Forced switching: queue behind the one we wake. */
			gil_release_virtual(vc, g);
			if (d > 0) {
				gil_wait_begin(vc, &gw);
				t0 = vclock_now(vc);
				if (vclock_block(vc, &g->vq) == -1)
					return (-1);
				*gw.total += vclock_now(vc) - t0;
				gw.blocked += vclock_now(vc) - t0;
			}
		}
		if (cpu->vq.head != NULL) {
			/* Time slicing: the next one waiting gets this core. */
			vclock_wake_one(vc, &cpu->vq);
			if (d > 0 && vclock_block(vc, &cpu->vq) == -1)
				return (gil_let_go_virtual(vc, g, who));
		}
	}
	return (0);
}
