/*
 * rack.h: the queue between two stations, with the semantics of Python's
 * JoinableQueue: put, get, task_done, join, plus close (no more puts; takers
 * see the end once it is empty) and abort (every wait gives up).
 *
 * A rack lives in the run's arena, so the same code serves threads
 * (private memory), processes (shared memory, process-shared robust mutex)
 * and the virtual clock (waits hand the baton on instead of sleeping).
 */
#ifndef DISHRACK_RACK_H
#define DISHRACK_RACK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "vclock.h"

typedef uint32_t dish_t;

#define DISH_NONE	UINT32_MAX		/* closed and empty, or aborted */
#define DISH_QUIT	(UINT32_MAX - 1)	/* sentinel: its taker leaves */
#define DISH_MAX	(UINT32_MAX - 2)

/*
 * A worker's hands, as the rack sees them. dish and owes change under the
 * rack's lock (a pile's takers are threads of one process and need none),
 * so whoever finds a worker dead knows exactly what it owed: a dish to put
 * back (dish), or only a task_done (owes with no dish). The one change
 * made without a lock is the last station's hand_let_go: only the worker
 * writes it, and it only turns "a dish to put back" into "a task_done to
 * pay". leave is the
 * worker's notice: it finishes the dish in hand, then goes, and a get that
 * would wait for a dish gives up.
 */
struct hand {
	_Atomic dish_t	dish;		/* held, or DISH_NONE */
	_Atomic int	owes;		/* taken and not yet task_done */
	_Atomic int	leave;		/* asked to go */
};

enum rack_sync {
	RACK_THREADS,		/* a mutex, and futex words to wait on */
	RACK_PROCESSES,		/* the same, process-shared and robust */
	RACK_VIRTUAL		/* baton passing on a virtual clock */
};

enum {
	RACK_NOT_EMPTY,
	RACK_NOT_FULL,		/* also: a hand-off was taken */
	RACK_ALL_DONE,
	RACK_NCONDS
};

/*
 * Laid out by use: the lock and everything a put or a get writes share
 * one cache line (with glibc on x86-64), so a dish moves one line between
 * cores besides its slot. What puts and gets only read, and what only
 * waits and set-up write, comes after: those lines stay shared. Counts
 * are 32 bits because a run has at most DISH_MAX dishes; how many were
 * taken is puts - count.
 */
struct rack {
	pthread_mutex_t	 mu;
	uint32_t	 head;
	uint32_t	 count;
	uint32_t	 puts;
	uint32_t	 unfinished;	/* put and not yet task_done */
	_Atomic uint32_t depth;		/* count, for readers without the lock */
	uint32_t	 max_depth;

	unsigned	 waiting_takers;
	unsigned	 waiting_putters;
	unsigned	 waiting_joiners;
	int		 closed;
	_Atomic int	 aborted;
	uint32_t	 capacity;	/* RACK_UNBOUNDED, 0 = hand-off, or N */
	uint32_t	 nslots;	/* 0 for a pile */
	uint32_t	 pile;		/* a pile: dishes 0..pile-1, no slots */
	/*
	 * A pile's dishes left (high half) and unfinished (low half) in one
	 * word: its takers are threads of one process, so a single
	 * compare-and-swap takes a dish and pays the last one's task_done.
	 */
	_Atomic uint64_t pile_left;
	enum rack_sync	 sync;

	/*
	 * One futex word per condition, moved (under mu) by every wake: a
	 * waiter reads it under mu and sleeps only while it has not moved.
	 */
	_Atomic uint32_t seq[RACK_NCONDS];
	struct vwaitq	 vq[RACK_NCONDS];
	struct vclock	*vc;
	_Alignas(64) dish_t slots[];
};

/*
 * Bytes for a rack of capacity that must hold up to need dishes at once,
 * with room besides for the dishes of up to holders takers put back (a
 * full rack must still take back a dead taker's dish).
 */
size_t		 rack_size(uint32_t capacity, uint64_t need, uint32_t holders);

/* Set up a rack in mem (rack_size bytes, zeroed). 0, or -1 on failure. */
int		 rack_init(struct rack *, enum rack_sync, struct vclock *,
		    uint32_t capacity, uint64_t need, uint32_t holders);

/* Set up a pile: a rack that starts with dishes 0..n-1 and takes no puts. */
int		 rack_init_pile(struct rack *, enum rack_sync, struct vclock *,
		    uint64_t n);

/*
 * Put a dish; waits while full (capacity 0: until a taker has it). The
 * hand's dish is cleared under the rack's lock once the dish is in, so a
 * dish is always either in a hand or in a rack. blocked is set if the call had to
 * wait. Returns the depth after the put, or -1 if closed or aborted.
 */
int		 rack_put(struct rack *, dish_t, struct hand *,
		    int *blocked);

/*
 * Take the oldest dish, waiting while empty (a hand asked to leave gives
 * up the wait, at rack_wake_takers, and gets DISH_NONE). A task_done the hand still
 * owes for its last dish is paid first, in the same critical section, so
 * a worker that goes straight back for the next dish never pays for a
 * lock of its own. The hand receives the dish, and owes a task_done,
 * under the lock. Returns the dish, or DISH_NONE if closed and empty, or
 * aborted. *depth (if not NULL) gets the depth after the take.
 */
dish_t		 rack_get(struct rack *, struct hand *, int *depth,
		    int *blocked);

/*
 * Put back a dish at the front (a worker died holding it). Its put stays
 * unfinished, and the rack may hold more than its capacity until takers
 * catch up. -1 for a pile (its takers never die alone), or when more
 * dishes come back at once than the rack was sized for (holders).
 */
int		 rack_putback(struct rack *, dish_t);

/* Mark one dish taken earlier as done; clears the hand. -1 if none. */
int		 rack_task_done(struct rack *, struct hand *);

/*
 * Wait until every dish put has been marked done. timeout_ns < 0 waits
 * for ever. Returns 0 when done, 1 on timeout, -1 if aborted.
 */
int		 rack_join(struct rack *, int64_t timeout_ns);

/*
 * The dish leaves the hand, put in the next rack or (the last station)
 * finished; its task_done is still owed, paid at the next get or on the
 * way out. A worker that dies after it is never made to redo the dish.
 */
void		 hand_let_go(struct hand *);

void		 rack_close(struct rack *);
/*
 * Wake whoever waits for a dish to look at its hand again: one of them
 * was asked to leave. Threads would see it within a wait slice anyway;
 * tasks on a clock wait without slices.
 */
void		 rack_wake_takers(struct rack *);
void		 rack_abort(struct rack *);
uint32_t	 rack_depth(const struct rack *);
uint32_t	 rack_max_depth(struct rack *);
uint64_t	 rack_unfinished(struct rack *);
uint64_t	 rack_taken(struct rack *);	/* dishes taken, net of putbacks */

/* Release the rack's mutex (threads only). */
void		 rack_destroy(struct rack *);

#endif
