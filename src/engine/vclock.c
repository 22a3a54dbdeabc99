/*
 * vclock.c: virtual time by baton passing between fibers.
 *
 * DESIGN: one mutex (mu) guards all state. The running task holds the
 * baton; giving it up means queueing oneself (run queue, timer heap or a
 * wait queue), choosing the next task under mu and switching to its stack
 * on the loop thread. Choice order: the run queue (FIFO), then the earliest
 * timer (time jumps to it). With neither and tasks still alive, every task
 * is blocked: that is a deadlock, detected exactly, and the run is aborted
 * so every blocked call returns -1. Tasks never run concurrently, so the
 * simulated code needs no locks of its own and the outcome depends only on
 * the seed.
 *
 * A switch is made with mu let go: other threads (the screen adding a
 * worker, a stop) only ever queue tasks and raise flags, and the task
 * chosen is already marked running. No fiber holds mu across a switch.
 */
#include "config.h"

#include "vclock.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fiber.h"
#include "xmalloc.h"

static void	vc_push_runq(struct vclock *, struct vtask *);
static struct vtask *vc_pop(struct vwaitq *);
static void	vc_heap_push(struct vclock *, struct vtask *);
static void	vc_heap_fix(struct vclock *, unsigned);
static struct vtask *vc_heap_pop(struct vclock *);
static void	vc_dispatch(struct vclock *);
static void	vc_pass(struct vclock *, struct vtask *);
static void	vc_release_blocked(struct vclock *);

void
vclock_init(struct vclock *vc, uint64_t seed, unsigned yield_permille)
{
	memset(vc, 0, sizeof *vc);
	pthread_mutex_init(&vc->mu, NULL);
	vc->heap = xcalloc(VCLOCK_MAX_TASKS, sizeof *vc->heap);
	vc->all = xcalloc(VCLOCK_MAX_TASKS, sizeof *vc->all);
	vc->rng = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
	vc->yield_permille = yield_permille;
}

void
vclock_destroy(struct vclock *vc)
{
	unsigned	i;

	for (i = 0; i < vc->nall; i++)
		fiber_free(vc->all[i]->fib);
	fiber_free(vc->loop);
	free(vc->heap);
	free(vc->all);
	pthread_mutex_destroy(&vc->mu);
}

void
vclock_set_pace(struct vclock *vc, const struct run_clock *pace, int real)
{
	vc->pace = pace;
	vc->real = real;
}

static void
vc_push_runq(struct vclock *vc, struct vtask *t)
{
	t->state = VT_RUNNABLE;
	t->next = NULL;
	if (vc->runq.tail != NULL)
		vc->runq.tail->next = t;
	else
		vc->runq.head = t;
	vc->runq.tail = t;
}

static struct vtask *
vc_pop(struct vwaitq *q)
{
	struct vtask	*t;

	if ((t = q->head) == NULL)
		return (NULL);
	if ((q->head = t->next) == NULL)
		q->tail = NULL;
	t->next = NULL;
	return (t);
}

/* Earlier wake first; among equals, the one that went to sleep first. */
static int
vc_before(const struct vtask *a, const struct vtask *b)
{
	if (a->wake != b->wake)
		return (a->wake < b->wake);
	return (a->seq < b->seq);
}

static void
vc_heap_push(struct vclock *vc, struct vtask *t)
{
	t->state = VT_SLEEPING;
	t->seq = vc->seq++;
	vc->heap[vc->nheap] = t;
	vc_heap_fix(vc, vc->nheap++);
}

/* Restore the heap order around entry i, which was just replaced. */
static void
vc_heap_fix(struct vclock *vc, unsigned i)
{
	struct vtask	*tmp;
	unsigned	 l, r, m, parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!vc_before(vc->heap[i], vc->heap[parent]))
			break;
		tmp = vc->heap[i];
		vc->heap[i] = vc->heap[parent];
		vc->heap[parent] = tmp;
		i = parent;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < vc->nheap && vc_before(vc->heap[l], vc->heap[m]))
			m = l;
		if (r < vc->nheap && vc_before(vc->heap[r], vc->heap[m]))
			m = r;
		if (m == i)
			break;
		tmp = vc->heap[i];
		vc->heap[i] = vc->heap[m];
		vc->heap[m] = tmp;
		i = m;
	}
}

static struct vtask *
vc_heap_pop(struct vclock *vc)
{
	struct vtask	*top;

	if (vc->nheap == 0)
		return (NULL);
	top = vc->heap[0];
	vc->heap[0] = vc->heap[--vc->nheap];
	if (vc->nheap > 0)
		vc_heap_fix(vc, 0);
	return (top);
}

/*
 * Wait, without the lock, until the paced real clock reaches t, or (with
 * any set) a task was queued meanwhile: the screen added a worker, a rack
 * was closed.
 */
static void
vc_pace_to(struct vclock *vc, int64_t t, int any)
{
	int64_t	now, step;

	while (!vc->aborted && !(any && vc->runq.head != NULL)) {
		now = run_clock_now(vc->pace);
		if (now >= t)
			break;
		step = run_clock_real(vc->pace, t - now);
		if (step > 20 * NSEC_PER_MSEC || run_clock_paused(vc->pace))
			step = 20 * NSEC_PER_MSEC;
		pthread_mutex_unlock(&vc->mu);
		clock_sleep_ns(step);
		pthread_mutex_lock(&vc->mu);
	}
}

/* Give the baton to the next task. Called with mu held. */
static void
vc_dispatch(struct vclock *vc)
{
	struct vtask	*next;

	for (;;) {
		if ((next = vc_pop(&vc->runq)) != NULL)
			break;
		if (vc->nheap > 0) {
			next = vc->heap[0];
			if (vc->pace != NULL && !vc->aborted)
				vc_pace_to(vc, next->wake, 1);
			/* Pacing let go of mu; an abort may have queued others. */
			if (vc->runq.head != NULL)
				continue;
			next = vc_heap_pop(vc);
			if (next->wake > vclock_now(vc))
				atomic_store(&vc->now, next->wake);
			break;
		}
		if (vc->alive > 0) {
			/* Everyone alive is blocked and nothing will wake them. */
			vc->deadlock = 1;
			vc->aborted = 1;
			vc_release_blocked(vc);
			if (vc->runq.head != NULL)
				continue;
		}
		vc->running = NULL;
		return;
	}
	next->state = VT_RUNNING;
	vc->running = next;
}

/*
 * Hand the baton on: switch to the task that has it now, or to the loop's
 * own stack when nobody has. self (NULL: a task leaving for good, or the
 * loop) is back here when some task switches to it.
 */
static void
vc_pass(struct vclock *vc, struct vtask *self)
{
	struct vtask	*from = vc->cur, *to;

	vc_dispatch(vc);
	if ((to = vc->running) == from)
		return;
	vc->cur = to;
	pthread_mutex_unlock(&vc->mu);
	fiber_switch(from != NULL ? from->fib : vc->loop,
	    to != NULL ? to->fib : vc->loop, from != NULL && self == NULL);
	pthread_mutex_lock(&vc->mu);
}

/* Move every blocked task to the run queue; their calls will fail. */
static void
vc_release_blocked(struct vclock *vc)
{
	unsigned	 i;
	struct vtask	*t;

	for (i = 0; i < vc->nall; i++) {
		t = vc->all[i];
		if (t->state != VT_BLOCKED)
			continue;
		t->q->head = t->q->tail = NULL;
		t->q = NULL;
		vc_push_runq(vc, t);
	}
}

/* A task's life: its work, then off the clock for good. */
static void
vc_fiber_main(void *arg)
{
	struct vtask	*t = arg;
	struct vclock	*vc = t->vc;

	t->fn(t->arg);
	pthread_mutex_lock(&vc->mu);
	t->state = VT_DONE;
	vc->alive--;
	vc_pass(vc, NULL);
	abort();	/* nobody switches back to a task that is done */
}

int
vclock_add(struct vclock *vc, struct vtask *t, const char *name,
    void (*fn)(void *), void *arg)
{
	struct fiber	*fib;
	int		 rc = -1;

	if ((fib = fiber_create(vc_fiber_main, t)) == NULL)
		return (-1);
	pthread_mutex_lock(&vc->mu);
	if (vc->nall < VCLOCK_MAX_TASKS) {
		memset(t, 0, sizeof *t);
		t->name = name;
		t->fib = fib;
		t->fn = fn;
		t->arg = arg;
		t->vc = vc;
		vc->all[vc->nall++] = t;
		vc->alive++;
		vc_push_runq(vc, t);
		rc = 0;
	}
	pthread_mutex_unlock(&vc->mu);
	if (rc == -1)
		fiber_free(fib);
	return (rc);
}

void
vclock_run(struct vclock *vc)
{
	pthread_mutex_lock(&vc->mu);
	vc->loop = fiber_of_thread();
	vc->cur = NULL;
	vc_pass(vc, NULL);
	pthread_mutex_unlock(&vc->mu);
}

int
vclock_sleep(struct vclock *vc, int64_t ns)
{
	struct vtask	*self;
	int		 rc;

	pthread_mutex_lock(&vc->mu);
	if (vc->aborted) {
		pthread_mutex_unlock(&vc->mu);
		return (-1);
	}
	self = vc->running;
	if (self->kicked) {
		pthread_mutex_unlock(&vc->mu);
		return (-1);
	}
	self->wake = vclock_now(vc) + (ns > 0 ? ns : 0);
	vc_heap_push(vc, self);
	vc_pass(vc, self);
	rc = vc->aborted || self->kicked ? -1 : 0;
	pthread_mutex_unlock(&vc->mu);
	return (rc);
}

int
vclock_block(struct vclock *vc, struct vwaitq *q)
{
	struct vtask	*self;
	int		 rc;

	pthread_mutex_lock(&vc->mu);
	if (vc->aborted) {
		pthread_mutex_unlock(&vc->mu);
		return (-1);
	}
	self = vc->running;
	if (self->kicked) {
		pthread_mutex_unlock(&vc->mu);
		return (-1);
	}
	self->state = VT_BLOCKED;
	self->q = q;
	self->next = NULL;
	if (q->tail != NULL)
		q->tail->next = self;
	else
		q->head = self;
	q->tail = self;
	vc_pass(vc, self);
	rc = vc->aborted || self->kicked ? -1 : 0;
	pthread_mutex_unlock(&vc->mu);
	return (rc);
}

int
vclock_hold(struct vclock *vc, int64_t ns)
{
	int64_t	t;
	int	rc;

	pthread_mutex_lock(&vc->mu);
	t = vclock_now(vc) + (ns > 0 ? ns : 0);
	if (vc->pace != NULL)
		vc_pace_to(vc, t, 0);
	if (!vc->real && t > vclock_now(vc))
		atomic_store(&vc->now, t);
	rc = vc->aborted ? -1 : 0;
	pthread_mutex_unlock(&vc->mu);
	return (rc);
}

void
vclock_wake(struct vclock *vc, struct vtask *t)
{
	unsigned	i;

	pthread_mutex_lock(&vc->mu);
	if (t->vc == vc && t->state == VT_SLEEPING) {
		for (i = 0; i < vc->nheap && vc->heap[i] != t; i++)
			continue;
		/* Out of the heap: the last takes its place, then re-sorts. */
		vc->heap[i] = vc->heap[--vc->nheap];
		if (i < vc->nheap)
			vc_heap_fix(vc, i);
		vc_push_runq(vc, t);
	}
	pthread_mutex_unlock(&vc->mu);
}

void
vclock_kick(struct vclock *vc, struct vtask *t)
{
	struct vtask	**pp, *prev = NULL;

	vclock_wake(vc, t);
	pthread_mutex_lock(&vc->mu);
	if (t->vc == vc) {
		t->kicked = 1;
		if (t->state == VT_BLOCKED && t->q != NULL) {
			for (pp = &t->q->head; *pp != NULL && *pp != t;
			    pp = &(*pp)->next)
				prev = *pp;
			if (*pp == t) {
				*pp = t->next;
				if (t->q->tail == t)
					t->q->tail = prev;
			}
			t->q = NULL;
			vc_push_runq(vc, t);
		}
	}
	pthread_mutex_unlock(&vc->mu);
}

void
vclock_wake_all(struct vclock *vc, struct vwaitq *q)
{
	struct vtask	*t;

	pthread_mutex_lock(&vc->mu);
	while ((t = vc_pop(q)) != NULL) {
		t->q = NULL;
		vc_push_runq(vc, t);
	}
	pthread_mutex_unlock(&vc->mu);
}

void
vclock_wake_one(struct vclock *vc, struct vwaitq *q)
{
	struct vtask	*t;

	pthread_mutex_lock(&vc->mu);
	if ((t = vc_pop(q)) != NULL) {
		t->q = NULL;
		vc_push_runq(vc, t);
	}
	pthread_mutex_unlock(&vc->mu);
}

/* A seeded coin: xorshift64*, so runs repeat exactly. */
static unsigned
vc_random_permille(struct vclock *vc)
{
	uint64_t	x = vc->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	vc->rng = x;
	return ((unsigned)((x * 0x2545F4914F6CDD1DULL) >> 32) % 1000);
}

void
vclock_yield(struct vclock *vc)
{
	struct vtask	*self;

	pthread_mutex_lock(&vc->mu);
	if (vc->aborted || vc->runq.head == NULL ||
	    vc_random_permille(vc) >= vc->yield_permille) {
		pthread_mutex_unlock(&vc->mu);
		return;
	}
	self = vc->running;
	vc_push_runq(vc, self);
	vc_pass(vc, self);
	pthread_mutex_unlock(&vc->mu);
}

void
vclock_abort(struct vclock *vc)
{
	pthread_mutex_lock(&vc->mu);
	vc->aborted = 1;
	vc_release_blocked(vc);
	pthread_mutex_unlock(&vc->mu);
}

int64_t
vclock_now(const struct vclock *vc)
{
	if (vc->real)
		return (run_clock_now(vc->pace));
	return (atomic_load(&vc->now));
}

int
vclock_deadlocked(struct vclock *vc)
{
	int	d;

	pthread_mutex_lock(&vc->mu);
	d = vc->deadlock;
	pthread_mutex_unlock(&vc->mu);
	return (d);
}
