/*
 * rack_local.c: the local home, a bounded FIFO of dish numbers with
 * JoinableQueue accounting, in the run's memory.
 *
 * DESIGN: every field but depth and aborted is read and written with mu
 * held (virtual racks: with the baton held). A worker's task_done is paid
 * inside its next get, under the one lock both need: the rack's hottest
 * path takes the lock once per dish per side, as a bare ring does, and
 * the count and the hand still change together for whoever finds the
 * worker dead. Real racks wake one waiter per dish or slot (the others
 * would only find nothing); virtual racks wake all, in a fixed order. Each
 * wait re-checks its condition after waking.
 *
 * Real waits sleep on a futex word per condition, never on a condition
 * variable: glibc's process-shared condition variable counts its waiters
 * in the shared memory, and a waiter killed inside pthread_cond_timedwait
 * leaves a signal or broadcast waiting for it for ever (the killed-worker
 * hang, doc/robust-waits.md). A waker moves the word under mu and wakes;
 * a waiter reads it under mu, unlocks, and sleeps only while it has not
 * moved, so no wake-up between the unlock and the sleep is lost. A dead
 * waiter leaves nothing behind; a waker that dies between its change and
 * its wake costs a slice (RACK_WAIT_SLICE), never a hang. Process racks
 * use a robust mutex: a child killed inside a critical section leaves
 * EOWNERDEAD, which is repaired and made consistent (critical sections
 * only move counters the owner had already made whole).
 */
#include "config.h"

#include "rack_local.h"

#include <errno.h>
#include <string.h>

#include "clock.h"
#include "futex.h"
#include "scenario.h"

#define RACK_WAIT_SLICE	(100 * NSEC_PER_MSEC)

#define PILE_LEFT(w)		((uint32_t)((w) >> 32))
#define PILE_UNFINISHED(w)	((uint32_t)(w))

static void	rk_lock(struct rack_local *);
static void	rk_unlock(struct rack_local *);
static int	rk_wait(struct rack_local *, int, int64_t);
static void	rk_broadcast(struct rack_local *, int);
static void	rk_signal(struct rack_local *, int);
static int	rk_pay(struct rack_local *, struct hand *);
static int	local_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	local_get(struct rack *, struct hand *, int *, int *);
static int	local_reclaim(struct rack *, struct hand *);
static int	local_task_done(struct rack *, struct hand *);
static int	local_join(struct rack *, int64_t);
static void	local_close(struct rack *);
static void	local_wake_takers(struct rack *);
static void	local_abort(struct rack *);
static uint32_t	local_depth(const struct rack *);
static uint32_t	local_held(struct rack *);
static uint32_t	local_max_depth(struct rack *);
static uint64_t	local_unfinished(struct rack *);
static uint64_t	local_taken(struct rack *);
static void	local_destroy(struct rack *);

const struct rack_ops rack_local = {
	.name = "local",
	.put = local_put,
	.get = local_get,
	.reclaim = local_reclaim,
	.task_done = local_task_done,
	.join = local_join,
	.close = local_close,
	.wake_takers = local_wake_takers,
	.abort = local_abort,
	.depth = local_depth,
	.held = local_held,
	.max_depth = local_max_depth,
	.unfinished = local_unfinished,
	.taken = local_taken,
	.destroy = local_destroy,
};

size_t
rack_local_size(uint32_t capacity, uint64_t need, uint32_t holders)
{
	uint64_t	n;

	if (capacity == RACK_UNBOUNDED)
		n = need;
	else
		n = (uint64_t)(capacity == 0 ? 1 : capacity) + holders;
	if (n == 0)
		n = 1;
	if (n > need && need > 0)
		n = need;
	return (sizeof(struct rack_local) + n * sizeof(dish_t));
}

/* Initialise the synchronisation objects for the kind of run. */
static int
rk_init_sync(struct rack_local *r, enum rack_sync sync, struct vclock *vc)
{
	pthread_mutexattr_t	ma;
	int			i, rc;

	r->base.ops = &rack_local;
	r->sync = sync;
	r->vc = vc;
	for (i = 0; i < RACK_NCONDS; i++)
		atomic_store(&r->seq[i], 0);
	if (sync == RACK_VIRTUAL)
		return (0);
	pthread_mutexattr_init(&ma);
	if (sync == RACK_PROCESSES) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	rc = pthread_mutex_init(&r->mu, &ma) == 0 ? 0 : -1;
	pthread_mutexattr_destroy(&ma);
	return (rc);
}

int
rack_local_init(struct rack *base, enum rack_sync sync, struct vclock *vc,
    uint32_t capacity, uint64_t need, uint32_t holders)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint64_t		 n;

	n = (rack_local_size(capacity, need, holders) - sizeof *r) /
	    sizeof(dish_t);
	if (n > UINT32_MAX)
		return (-1);
	r->capacity = capacity;
	r->nslots = (uint32_t)n;
	return (rk_init_sync(r, sync, vc));
}

int
rack_local_init_pile(struct rack *base, enum rack_sync sync,
    struct vclock *vc, uint64_t n)
{
	struct rack_local	*r = (struct rack_local *)base;

	if (n > DISH_MAX)
		return (-1);
	r->capacity = RACK_UNBOUNDED;
	r->nslots = 0;
	r->pile = (uint32_t)n;
	atomic_store(&r->pile_left, n << 32 | n);
	r->max_depth = (uint32_t)n;
	return (rk_init_sync(r, sync, vc));
}

static void
rk_lock(struct rack_local *r)
{
	if (r->sync == RACK_VIRTUAL)
		return;
	if (pthread_mutex_lock(&r->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&r->mu);
}

static void
rk_unlock(struct rack_local *r)
{
	if (r->sync != RACK_VIRTUAL)
		pthread_mutex_unlock(&r->mu);
}

/*
 * Wait on one condition, at most timeout_ns (< 0: a slice). Returns 0
 * after a wake-up or a slice, 1 when timeout_ns has passed, -1 if aborted.
 */
static int
rk_wait(struct rack_local *r, int which, int64_t timeout_ns)
{
	uint32_t	seen;
	int64_t		t;
	int		timed_out;

	if (atomic_load(&r->aborted))
		return (-1);
	if (r->sync == RACK_VIRTUAL)
		return (vclock_block(r->vc, &r->vq[which]));
	if (timeout_ns < 0 || timeout_ns > RACK_WAIT_SLICE)
		t = RACK_WAIT_SLICE;
	else
		t = timeout_ns;
	seen = atomic_load_explicit(&r->seq[which], memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
	timed_out = futex_wait(&r->seq[which], seen, t,
	    r->sync == RACK_PROCESSES);
	rk_lock(r);
	if (atomic_load(&r->aborted))
		return (-1);
	if (timed_out && timeout_ns >= 0 && timeout_ns <= RACK_WAIT_SLICE)
		return (1);
	return (0);
}

/* Move a condition's word and wake n of its sleepers; mu is held. */
static void
rk_wake(struct rack_local *r, int which, int n)
{
	atomic_fetch_add_explicit(&r->seq[which], 1, memory_order_relaxed);
	futex_wake(&r->seq[which], n, r->sync == RACK_PROCESSES);
}

static void
rk_broadcast(struct rack_local *r, int which)
{
	if (r->sync == RACK_VIRTUAL)
		vclock_wake_all(r->vc, &r->vq[which]);
	else
		rk_wake(r, which, INT32_MAX);
}

/*
 * Wake a waiter for one new dish or one free slot. Virtual waiters all
 * wake, so the order in which they run stays the one the clock chooses.
 */
static void
rk_signal(struct rack_local *r, int which)
{
	if (r->sync == RACK_VIRTUAL)
		vclock_wake_all(r->vc, &r->vq[which]);
	else
		rk_wake(r, which, 1);
}

/* A crashed worker drops what it holds: it waits for no room either. */
static int
rk_crashed(const struct hand *hand)
{
	return (hand != NULL && atomic_load_explicit(&hand->crash,
	    memory_order_relaxed));
}

/* A worker asked to leave, with nothing in its hand, waits no more. */
static int
rk_leaving(const struct hand *hand)
{
	return (hand != NULL && atomic_load_explicit(&hand->leave,
	    memory_order_relaxed));
}

/* Put and not yet done; a rack's with the lock held, a pile's any time. */
static uint32_t
rk_unfinished(struct rack_local *r)
{
	if (r->nslots == 0)
		return (PILE_UNFINISHED(atomic_load(&r->pile_left)));
	return (r->unfinished);
}

/*
 * What a hand holds and owes. Relaxed: a rack's hands change under its
 * lock, and a pile's takers are threads that only read their own.
 */
static void
rk_hand_set(struct hand *hand, dish_t d, int owes)
{
	if (hand == NULL)
		return;
	atomic_store_explicit(&hand->dish, d, memory_order_relaxed);
	atomic_store_explicit(&hand->owes, owes, memory_order_relaxed);
}

void
hand_let_go(struct hand *hand)
{
	atomic_store_explicit(&hand->dish, DISH_NONE, memory_order_release);
}

/* The task_done a hand owes, with the lock held. 0, or -1 if none. */
static int
rk_pay(struct rack_local *r, struct hand *hand)
{
	int	rc = 0;

	if (r->unfinished == 0)
		rc = -1;
	else if (--r->unfinished == 0 && r->waiting_joiners > 0)
		rk_broadcast(r, RACK_ALL_DONE);
	rk_hand_set(hand, DISH_NONE, 0);
	return (rc);
}

/* The most dishes that may sit in the rack. */
static uint32_t
rk_limit(const struct rack_local *r)
{
	if (r->capacity == 0)
		return (1);
	if (r->capacity == RACK_UNBOUNDED || r->capacity > r->nslots)
		return (r->nslots);
	return (r->capacity);
}

/* Publish the depth for readers without the lock; returns it. */
static uint32_t
rk_set_depth(struct rack_local *r)
{
	uint32_t	d;

	d = r->capacity == 0 ? 0 : r->count;
	atomic_store_explicit(&r->depth, d, memory_order_relaxed);
	if (d > r->max_depth)
		r->max_depth = d;
	return (d);
}

/* Tell a joiner that the last task_done has come. */
static void
rk_all_done(struct rack_local *r)
{
	rk_lock(r);
	if (r->waiting_joiners > 0)
		rk_broadcast(r, RACK_ALL_DONE);
	rk_unlock(r);
}

/*
 * One compare-and-swap on a pile: pay a task_done (if pay, and one is
 * unfinished) and take a dish (if take, one is left and the run goes on).
 * The last task_done wakes the joiners. Returns the word before; *after
 * gets the word after.
 */
static uint64_t
rk_pile_swap(struct rack_local *r, int pay, int take, uint64_t *after)
{
	uint64_t	w, nw;

	w = atomic_load_explicit(&r->pile_left, memory_order_relaxed);
	do {
		nw = w;
		if (pay && PILE_UNFINISHED(w) > 0)
			nw--;
		if (take && PILE_LEFT(w) > 0 && !atomic_load_explicit(
		    &r->aborted, memory_order_relaxed))
			nw -= (uint64_t)1 << 32;
	} while (nw != w && !atomic_compare_exchange_weak_explicit(
	    &r->pile_left, &w, nw, memory_order_acq_rel,
	    memory_order_relaxed));
	if (PILE_UNFINISHED(w) == 1 && PILE_UNFINISHED(nw) == 0)
		rk_all_done(r);
	*after = nw;
	return (w);
}

/*
 * Take from a pile without its lock: pay what the hand owes and take the
 * next number in one compare-and-swap. The lock is for waiting only, once
 * the pile is empty, until it is closed.
 */
/* A dish a killed taker gave back to the pile, or DISH_NONE; mu is held. */
static dish_t
rk_pile_back(struct rack_local *r, struct hand *hand, int *depth)
{
	dish_t	d;

	if (atomic_load(&r->nback) == 0 || atomic_load(&r->aborted))
		return (DISH_NONE);
	d = r->back[atomic_load(&r->nback) - 1];
	atomic_fetch_sub(&r->nback, 1);
	/* Still unfinished: the taker that died never paid for it. */
	rk_hand_set(hand, d, 1);
	if (depth != NULL)
		*depth = (int)(PILE_LEFT(atomic_load(&r->pile_left)) +
		    atomic_load(&r->nback));
	return (d);
}

static dish_t
rk_pile_get(struct rack_local *r, struct hand *hand, int *depth, int *blocked)
{
	uint64_t	w, nw;
	dish_t		d;
	int		owes;

	owes = hand != NULL && atomic_load_explicit(&hand->owes,
	    memory_order_relaxed);
	if (atomic_load_explicit(&r->nback, memory_order_relaxed) > 0) {
		/* Pay first: a given-back dish keeps the count above 0. */
		if (owes) {
			rk_pile_swap(r, 1, 0, &nw);
			rk_hand_set(hand, DISH_NONE, 0);
			owes = 0;
		}
		rk_lock(r);
		d = rk_pile_back(r, hand, depth);
		rk_unlock(r);
		if (d != DISH_NONE)
			return (d);
	}
	w = rk_pile_swap(r, owes, 1, &nw);
	if (owes)
		rk_hand_set(hand, DISH_NONE, 0);
	if (PILE_LEFT(nw) < PILE_LEFT(w)) {
		rk_hand_set(hand, r->pile - PILE_LEFT(w), 1);
		if (depth != NULL)
			*depth = (int)PILE_LEFT(nw);
		return ((dish_t)(r->pile - PILE_LEFT(w)));
	}
	/* Empty (or aborted): the end comes with close, or a dish given back. */
	rk_lock(r);
	while (!r->closed && !rk_leaving(hand)) {
		if ((d = rk_pile_back(r, hand, depth)) != DISH_NONE) {
			rk_unlock(r);
			return (d);
		}
		if (blocked != NULL)
			*blocked = 1;
		r->waiting_takers++;
		if (rk_wait(r, RACK_NOT_EMPTY, -1) == -1) {
			r->waiting_takers--;
			break;
		}
		r->waiting_takers--;
	}
	rk_unlock(r);
	return (DISH_NONE);
}

static int
local_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint32_t	ticket;
	int		depth, rc;

	if (blocked != NULL)
		*blocked = 0;
	rk_lock(r);
	while (!r->closed && r->count >= rk_limit(r)) {
		if (rk_crashed(hand))
			goto fail;
		if (blocked != NULL)
			*blocked = 1;
		r->waiting_putters++;
		if (rk_wait(r, RACK_NOT_FULL, -1) == -1) {
			r->waiting_putters--;
			goto fail;
		}
		r->waiting_putters--;
	}
	if (r->closed || r->nslots == 0)
		goto fail;
	r->slots[(r->head + r->count) % r->nslots] = d;
	r->count++;
	ticket = ++r->puts;
	r->unfinished++;
	if (hand != NULL)
		hand_let_go(hand);
	depth = (int)rk_set_depth(r);
	if (r->waiting_takers > 0)
		rk_signal(r, RACK_NOT_EMPTY);
	if (r->capacity == 0) {
		/* A hand-off completes only when someone has taken it. */
		while (r->puts - r->count < ticket && !rk_crashed(hand)) {
			if (blocked != NULL)
				*blocked = 1;
			r->waiting_putters++;
			rc = rk_wait(r, RACK_NOT_FULL, -1);
			r->waiting_putters--;
			if (rc == -1)
				break;
		}
	}
	rk_unlock(r);
	return (depth);
fail:
	rk_unlock(r);
	return (-1);
}

static dish_t
local_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_local	*r = (struct rack_local *)base;
	dish_t		d;
	uint32_t	d_after;

	if (blocked != NULL)
		*blocked = 0;
	if (r->nslots == 0)
		return (rk_pile_get(r, hand, depth, blocked));
	rk_lock(r);
	if (hand != NULL && atomic_load_explicit(&hand->owes,
	    memory_order_relaxed))
		rk_pay(r, hand);
	while (r->count == 0 && !r->closed) {
		if (rk_leaving(hand)) {
			rk_unlock(r);
			return (DISH_NONE);
		}
		if (blocked != NULL)
			*blocked = 1;
		r->waiting_takers++;
		if (rk_wait(r, RACK_NOT_EMPTY, -1) == -1) {
			r->waiting_takers--;
			rk_unlock(r);
			return (DISH_NONE);
		}
		r->waiting_takers--;
	}
	if (r->count == 0 || atomic_load(&r->aborted)) {
		rk_unlock(r);
		return (DISH_NONE);
	}
	d = r->slots[r->head];
	r->head = (r->head + 1) % r->nslots;
	r->count--;
	rk_hand_set(hand, d, 1);
	d_after = rk_set_depth(r);
	if (depth != NULL)
		*depth = (int)d_after;
	/* A hand-off's putters wait for their own ticket: wake them all. */
	if (r->waiting_putters > 0 && r->capacity == 0)
		rk_broadcast(r, RACK_NOT_FULL);
	else if (r->waiting_putters > 0)
		rk_signal(r, RACK_NOT_FULL);
	rk_unlock(r);
	return (d);
}

/* Put a dish back at the front, with the lock held. 0, or -1 if no room. */
static int
rk_putback(struct rack_local *r, dish_t d)
{
	/* A pile hands out dishes by number: a given-back one waits apart. */
	if (r->nslots == 0) {
		if (r->nback >= RACK_PILE_BACK)
			return (-1);
		r->back[atomic_load(&r->nback)] = d;
		atomic_fetch_add(&r->nback, 1);
		rk_broadcast(r, RACK_NOT_EMPTY);
		return (0);
	}
	if (r->count >= r->nslots)
		return (-1);
	r->head = (r->head + r->nslots - 1) % r->nslots;
	r->slots[r->head] = d;
	r->count++;
	rk_set_depth(r);
	rk_broadcast(r, RACK_NOT_EMPTY);
	return (0);
}

static int
local_reclaim(struct rack *base, struct hand *hand)
{
	struct rack_local	*r = (struct rack_local *)base;
	dish_t			 d;
	int			 rc = 0;

	d = atomic_load(&hand->dish);
	if (d == DISH_NONE) {
		if (atomic_load(&hand->owes))
			local_task_done(base, hand);
		return (0);
	}
	rk_lock(r);
	if (r->lossy) {
		/* The lecture's queue: gone with its taker; join still ends. */
		rk_pay(r, hand);
		rk_unlock(r);
		return (0);
	}
	rc = rk_putback(r, d) == 0 ? 1 : -1;
	rk_hand_set(hand, DISH_NONE, 0);
	rk_unlock(r);
	return (rc);
}

void
rack_local_set_lossy(struct rack *base)
{
	((struct rack_local *)base)->lossy = 1;
}

static int
local_task_done(struct rack *base, struct hand *hand)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint64_t	after;
	int		rc;

	if (r->nslots == 0) {
		if (PILE_UNFINISHED(rk_pile_swap(r, 1, 0, &after)) == 0)
			return (-1);
		rk_hand_set(hand, DISH_NONE, 0);
		return (0);
	}
	rk_lock(r);
	rc = rk_pay(r, hand);
	rk_unlock(r);
	return (rc);
}

static int
local_join(struct rack *base, int64_t timeout_ns)
{
	struct rack_local	*r = (struct rack_local *)base;
	int64_t	deadline = 0, left;
	int	rc = 0;

	if (timeout_ns >= 0)
		deadline = clock_mono_ns() + timeout_ns;
	rk_lock(r);
	while (rk_unfinished(r) > 0) {
		left = -1;
		if (timeout_ns >= 0 && r->sync != RACK_VIRTUAL) {
			left = deadline - clock_mono_ns();
			if (left <= 0) {
				rc = 1;
				break;
			}
		}
		r->waiting_joiners++;
		rc = rk_wait(r, RACK_ALL_DONE, left);
		r->waiting_joiners--;
		if (rc == -1)
			break;
		rc = 0;
	}
	rk_unlock(r);
	return (rc);
}

static void
local_close(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	int	i;

	rk_lock(r);
	r->closed = 1;
	for (i = 0; i < RACK_NCONDS; i++)
		rk_broadcast(r, i);
	rk_unlock(r);
}

static void
local_wake_takers(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	rk_lock(r);
	rk_broadcast(r, RACK_NOT_EMPTY);
	/* And the putters: a crashed one waits for no room. */
	if (r->waiting_putters > 0)
		rk_broadcast(r, RACK_NOT_FULL);
	rk_unlock(r);
}

static void
local_abort(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	int	i;

	atomic_store(&r->aborted, 1);
	if (r->sync == RACK_VIRTUAL)
		return;		/* vclock_abort wakes the virtual waiters */
	rk_lock(r);
	for (i = 0; i < RACK_NCONDS; i++)
		rk_broadcast(r, i);
	rk_unlock(r);
}

static uint32_t
local_depth(const struct rack *base)
{
	const struct rack_local	*r = (const struct rack_local *)base;
	if (r->nslots == 0)
		return (PILE_LEFT(atomic_load_explicit(&r->pile_left,
		    memory_order_relaxed)) + atomic_load_explicit(&r->nback,
		    memory_order_relaxed));
	return (atomic_load_explicit(&r->depth, memory_order_relaxed));
}

static uint32_t
local_max_depth(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint32_t	m;

	rk_lock(r);
	m = r->max_depth;
	rk_unlock(r);
	return (m);
}

static uint64_t
local_unfinished(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint64_t	u;

	rk_lock(r);
	u = rk_unfinished(r);
	rk_unlock(r);
	return (u);
}

static uint64_t
local_taken(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint64_t	n;

	if (r->nslots == 0)
		return (r->pile - PILE_LEFT(atomic_load(&r->pile_left)) -
		    atomic_load(&r->nback));
	rk_lock(r);
	n = r->puts - r->count;
	rk_unlock(r);
	return (n);
}

static void
local_destroy(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	if (r == NULL || r->sync != RACK_THREADS)
		return;
	pthread_mutex_destroy(&r->mu);
}

static uint32_t
local_held(struct rack *base)
{
	struct rack_local	*r = (struct rack_local *)base;
	uint32_t		 n;

	if (r->nslots == 0)
		return (local_depth(base));
	rk_lock(r);
	n = r->count;
	rk_unlock(r);
	return (n);
}
