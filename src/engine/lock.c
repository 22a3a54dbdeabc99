/*
 * lock.c: the cupboard and the named locks, on the real and virtual clocks.
 *
 * DESIGN: the cupboard's mutex and each named lock's mutex are, in process
 * runs, process-shared and robust (a killed holder leaves EOWNERDEAD, which
 * is made consistent). Waits for a named lock are timed slices, so a stop
 * or a detected deadlock ends them. holder and waiting_lock are atomics
 * that the conductor reads, without any lock, to build the wait-for graph:
 * a cycle seen twice, a slice apart, is a deadlock (one glimpse could be a
 * hand-over in flight). On the virtual clock only one task runs, so the
 * locks are plain flags with wait queues, and the clock itself notices when
 * everyone is blocked.
 */
#include "config.h"

#include "lock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "exec.h"
#include "run.h"

static void
lock_mutex_init(pthread_mutex_t *mu, int shared)
{
	pthread_mutexattr_t	ma;

	pthread_mutexattr_init(&ma);
	if (shared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(mu, &ma);
	pthread_mutexattr_destroy(&ma);
}

void
cupboard_init(struct cupboard *c, enum lock_mode mode, int64_t window_ns,
    int shared)
{
	memset(c, 0, sizeof *c);
	c->mode = mode;
	c->window_ns = window_ns;
	atomic_store(&c->holder, LOCK_NOBODY);
	lock_mutex_init(&c->mu, shared);
}

void
named_lock_init(struct named_lock *l, const char *name, int shared)
{
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", name);
	atomic_store(&l->holder, LOCK_NOBODY);
	lock_mutex_init(&l->mu, shared);
}

const char *
lock_mode_name(enum lock_mode m)
{
	static const char *const names[] = { "none", "mutex", "spin",
	    "atomic" };

	return ((unsigned)m < 4 ? names[m] : "?");
}

/* Lock a possibly robust mutex, mending it if its holder died. */
static void
lock_mutex(pthread_mutex_t *mu)
{
	if (pthread_mutex_lock(mu) == EOWNERDEAD)
		pthread_mutex_consistent(mu);
}

static void
lock_note_wait(struct cupboard *c, int64_t waited)
{
	int64_t	longest;

	atomic_fetch_add(&c->acquisitions, 1);
	atomic_fetch_add(&c->wait_ns, waited);
	longest = atomic_load(&c->longest_ns);
	while (waited > longest &&
	    !atomic_compare_exchange_weak(&c->longest_ns, &longest, waited))
		;
}

/* The work between the read and the write: the window for a lost update. */
static int
cupboard_window(struct run *run, struct cupboard *c)
{
	if (c->window_ns <= 0)
		return (0);
	return (run->ops->sleep(run, c->window_ns));
}

/*
 * The cupboard's lock held by another: the wait's start, and its end once
 * it has it, as a named lock's (its number LOCK_CUPBOARD), so the trace
 * and the picture show it.
 */
static void
cupboard_wait_event(struct run *run, struct wslot *w, enum ev_kind kind,
    int *waited)
{
	ev_ring_put(w->ring, run_now(run), kind, atomic_load(&w->hand.dish),
	    LOCK_CUPBOARD);
	*waited = kind == EV_WAIT_LOCK;
}

/*
 * The read and the write as events, so a view can draw who read which
 * value when an update is lost (the count, clamped to an event's arg).
 */
static void
cupboard_event(struct run *run, struct wslot *w, enum ev_kind k, uint64_t v)
{
	ev_ring_put(w->ring, run_now(run), k, atomic_load(&w->hand.dish),
	    v > INT32_MAX ? INT32_MAX : (int32_t)v);
}

int
cupboard_put(struct run *run, struct wslot *w)
{
	struct cupboard	*c = run->cupboard;
	uint64_t	 v, cur;
	int64_t		 t0;
	int		 rc = 0, e, waited = 0;

	if (c == NULL)
		return (0);
	t0 = run->vc != NULL ? vclock_now(run->vc) : clock_mono_ns();
	switch (c->mode) {
	case LOCK_ATOMIC:
		rc = cupboard_window(run, c);
		v = atomic_fetch_add(&c->count, 1);
		lock_note_wait(c, 0);
		cupboard_event(run, w, EV_CUP_READ, v);
		cupboard_event(run, w, EV_CUP_WROTE, v + 1);
		return (rc);
	case LOCK_NONE:
		/* Two separate relaxed accesses: a race in logic, not in C. */
		v = atomic_load_explicit(&c->count, memory_order_relaxed);
		cupboard_event(run, w, EV_CUP_READ, v);
		rc = cupboard_window(run, c);
		/* What it writes over: others' updates since its read. */
		cur = atomic_load_explicit(&c->count, memory_order_relaxed);
		atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
		if (cur != v)
			cupboard_event(run, w, EV_CUP_LOST, cur);
		cupboard_event(run, w, EV_CUP_WROTE, v + 1);
		return (rc);
	case LOCK_MUTEX:
	case LOCK_SPIN:
		atomic_fetch_add(&c->waiters, 1);
		if (run->vc != NULL) {
			/* One task runs at a time: a flag and a queue will do. */
			if (c->vheld)
				cupboard_wait_event(run, w, EV_WAIT_LOCK,
				    &waited);
			while (c->vheld && rc == 0)
				rc = vclock_block(run->vc, &c->vq);
			if (rc == -1) {
				atomic_fetch_sub(&c->waiters, 1);
				return (-1);
			}
			c->vheld = 1;
		} else if (c->mode == LOCK_MUTEX) {
			/* Held by another: a wait (trylock first to know). */
			if ((e = pthread_mutex_trylock(&c->mu)) == EBUSY) {
				cupboard_wait_event(run, w, EV_WAIT_LOCK,
				    &waited);
				lock_mutex(&c->mu);
			} else if (e == EOWNERDEAD)
				pthread_mutex_consistent(&c->mu);
		} else if (atomic_exchange_explicit(&c->spin, 1,
		    memory_order_acquire)) {
			cupboard_wait_event(run, w, EV_WAIT_LOCK, &waited);
			while (atomic_exchange_explicit(&c->spin, 1,
			    memory_order_acquire))
				;	/* spinning is the point */
		}
		atomic_fetch_sub(&c->waiters, 1);
		if (waited)
			cupboard_wait_event(run, w, EV_GOT_LOCK, &waited);
		break;
	}
	atomic_store(&c->holder, w->id);
	lock_note_wait(c, (run->vc != NULL ? vclock_now(run->vc) :
	    clock_mono_ns()) - t0);
	v = atomic_load_explicit(&c->count, memory_order_relaxed);
	cupboard_event(run, w, EV_CUP_READ, v);
	rc = cupboard_window(run, c);
	atomic_store_explicit(&c->count, v + 1, memory_order_relaxed);
	cupboard_event(run, w, EV_CUP_WROTE, v + 1);
	atomic_store(&c->holder, LOCK_NOBODY);
	if (run->vc != NULL) {
		c->vheld = 0;
		vclock_wake_one(run->vc, &c->vq);
	} else if (c->mode == LOCK_MUTEX)
		pthread_mutex_unlock(&c->mu);
	else
		atomic_store_explicit(&c->spin, 0, memory_order_release);
	return (rc);
}

/*
 * Held by another: the wait begins, as an event in the worker's ring (a
 * wait that never ends, in a deadlock, is seen too).
 */
static void
named_lock_wait_event(struct run *run, struct wslot *w, unsigned i)
{
	ev_ring_put(w->ring, run_now(run), EV_WAIT_LOCK,
	    atomic_load(&w->hand.dish), (int32_t)i);
}

int
named_lock_take(struct run *run, struct wslot *w, unsigned i)
{
	struct named_lock	*l = &run->locks[i];
	struct timespec		 ts;
	int			 e, waited = 0;

	atomic_store(&w->waiting_lock, (int)i);
	if (run->vc != NULL) {
		while (l->vheld) {
			if (!waited++)
				named_lock_wait_event(run, w, i);
			if (vclock_block(run->vc, &l->vq) == -1) {
				/* Aborted: describe the cycle before leaving it. */
				if (!atomic_load(&w->crash))
					run_note_deadlock(run);
				atomic_store(&w->waiting_lock, -1);
				return (-1);
			}
		}
		l->vheld = 1;
	} else {
		for (;;) {
			/* A kill ends the wait within its slice. */
			if (atomic_load(&run->stop) || atomic_load(&w->crash)) {
				atomic_store(&w->waiting_lock, -1);
				return (-1);
			}
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * NSEC_PER_MSEC;
			if (ts.tv_nsec >= NSEC_PER_SEC) {
				ts.tv_sec++;
				ts.tv_nsec -= NSEC_PER_SEC;
			}
			/* Held by another: a wait (trylock first to know). */
			if ((e = pthread_mutex_trylock(&l->mu)) == EBUSY) {
				if (!waited++)
					named_lock_wait_event(run, w, i);
				e = pthread_mutex_timedlock(&l->mu, &ts);
			}
			if (e == EOWNERDEAD)
				pthread_mutex_consistent(&l->mu);
			if (e == 0 || e == EOWNERDEAD)
				break;
		}
	}
	atomic_store(&l->holder, w->id);
	atomic_store(&w->waiting_lock, -1);
	if (waited)
		ev_ring_put(w->ring, run_now(run), EV_GOT_LOCK, atomic_load(
		    &w->hand.dish), (int32_t)i);
	return (0);
}

void
named_lock_release(struct run *run, struct wslot *w, unsigned i)
{
	struct named_lock	*l = &run->locks[i];

	if (atomic_load(&l->holder) != w->id)
		return;
	atomic_store(&l->holder, LOCK_NOBODY);
	if (run->vc != NULL) {
		l->vheld = 0;
		vclock_wake_one(run->vc, &l->vq);
	} else
		pthread_mutex_unlock(&l->mu);
}

int
lock_find_cycle(struct run *run, char *buf, size_t len)
{
	unsigned	 used, i, steps;
	struct wslot	*start, *cur;
	uint32_t	 h;
	int		 l;
	size_t		 o;

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		start = cur = &run->slots[i];
		for (steps = 0; steps <= used; steps++) {
			if ((l = atomic_load(&cur->waiting_lock)) < 0 ||
			    (unsigned)l >= run->nlocks)
				break;
			h = atomic_load(&run->locks[l].holder);
			if (h == LOCK_NOBODY || h >= used)
				break;
			cur = &run->slots[h];
			if (cur != start)
				continue;
			/* Walk it once more, writing it down. */
			o = 0;
			buf[0] = '\0';
			do {
				l = atomic_load(&cur->waiting_lock);
				if (l < 0 || (unsigned)l >= run->nlocks)
					return (0);
				h = atomic_load(&run->locks[l].holder);
				if (h >= used)
					return (0);
				o += (size_t)snprintf(buf + o, o < len ? len - o :
				    0, "%s%s waits for the %s, held by %s",
				    o ? "; " : "", cur->name, run->locks[l].name,
				    run->slots[h].name);
				cur = &run->slots[h];
			} while (cur != start && o < len);
			return (1);
		}
	}
	return (0);
}

void
run_note_deadlock(struct run *run)
{
	char	text[sizeof run->deadlock_text];

	struct wslot	*w;
	unsigned	 i, l, used;

	if (atomic_load(&run->deadlock))
		return;
	if (!lock_find_cycle(run, text, sizeof text))
		return;
	/* The picture as found, before the run is stopped and it changes. */
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		w->dl_wait = atomic_load(&w->waiting_lock);
		w->dl_holds = 0;
		for (l = 0; l < run->nlocks && l < 32; l++) {
			if (atomic_load(&run->locks[l].holder) == i)
				w->dl_holds |= 1u << l;
		}
	}
	if (!atomic_exchange(&run->deadlock, 1))
		memcpy(run->deadlock_text, text, sizeof text);
}
