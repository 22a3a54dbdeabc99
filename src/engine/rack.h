/*
 * rack.h: the queue between two stations, with the semantics of Python's
 * JoinableQueue: put, get, task_done, join, plus close (no more puts; takers
 * see the end once it is empty) and abort (every wait gives up). One
 * interface, an ops table, and several homes: local (the run's memory,
 * rack_local.c), and the network ones beside it.
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
	uint32_t	who;		/* the worker's slot: names its own
					   place in a home that keeps one */
	_Atomic dish_t	owed;		/* the dish owes is for (kept when
					   the dish is let go), or DISH_NONE */
	_Atomic int	crash;		/* killed (a modelled crash): it
					   waits no more, even to put */
};

enum rack_sync {
	RACK_THREADS,		/* a mutex, and futex words to wait on */
	RACK_PROCESSES,		/* the same, process-shared and robust */
	RACK_VIRTUAL		/* baton passing on a virtual clock */
};

struct rack;

/*
 * A rack's home: where its dishes sit and how its waits are made. Every
 * home keeps JoinableQueue semantics (put, get, task_done, join) with
 * close, abort and put-back, so the worker loop and the conductor are
 * written once. Contracts are the rack_* wrappers' below.
 */
struct rack_ops {
	const char	*name;		/* "local", "redis", "zmq" */
	/*
	 * held asks a server (a round trip, which an outage makes seconds
	 * long): the live views count instead, and ask only at the end.
	 */
	int		 held_asks;
	int		 (*put)(struct rack *, dish_t, struct hand *, int *);
	dish_t		 (*get)(struct rack *, struct hand *, int *, int *);
	int		 (*reclaim)(struct rack *, struct hand *);
	int		 (*task_done)(struct rack *, struct hand *);
	int		 (*join)(struct rack *, int64_t);
	void		 (*close)(struct rack *);
	void		 (*wake_takers)(struct rack *);
	void		 (*abort)(struct rack *);
	uint32_t	 (*depth)(const struct rack *);
	uint32_t	 (*held)(struct rack *);
	uint32_t	 (*max_depth)(struct rack *);
	uint64_t	 (*unfinished)(struct rack *);
	uint64_t	 (*taken)(struct rack *);
	void		 (*destroy)(struct rack *);
	const char	*(*error)(struct rack *);	/* NULL: none */
	void		 (*flush)(struct rack *);	/* NULL: nothing held */
};

/* What every home's rack begins with. */
struct rack {
	const struct rack_ops	*ops;
};

extern const struct rack_ops rack_local;

/*
 * Put a dish; waits while full (capacity 0: until a taker has it). The
 * hand's dish is cleared once the dish is in, atomically with the put as
 * whoever finds the worker dead sees it, so a dish is always either in a
 * hand or in a rack. blocked is set if the call had to wait. Returns the
 * depth after the put, or -1 if closed or aborted.
 */
static inline int
rack_put(struct rack *r, dish_t d, struct hand *hand, int *blocked)
{
	return (r->ops->put(r, d, hand, blocked));
}

/*
 * Take the oldest dish, waiting while empty (a hand asked to leave gives
 * up the wait, at rack_wake_takers, and gets DISH_NONE). A task_done the
 * hand still owes for its last dish is paid first, in the same step, so a
 * worker that goes straight back for the next dish pays nothing extra.
 * The hand receives the dish, and owes a task_done. Returns the dish, or
 * DISH_NONE if closed and empty, or aborted. *depth (if not NULL) gets
 * the depth after the take.
 */
static inline dish_t
rack_get(struct rack *r, struct hand *hand, int *depth, int *blocked)
{
	return (r->ops->get(r, hand, depth, blocked));
}

/*
 * The taker whose hand this is died: what it held goes back to the
 * front of the rack (its put stays unfinished, and the rack may hold more
 * than its capacity until takers catch up), or the task_done it owed is
 * paid; the hand is left empty. Returns 1 if a dish went back, 0 if not,
 * -1 if one could not: a pile's (its takers never die alone), or more
 * coming back at once than the rack was sized for (holders).
 */
static inline int
rack_reclaim(struct rack *r, struct hand *hand)
{
	return (r->ops->reclaim(r, hand));
}

/* Mark one dish taken earlier as done; clears the hand. -1 if none. */
static inline int
rack_task_done(struct rack *r, struct hand *hand)
{
	return (r->ops->task_done(r, hand));
}

/*
 * Wait until every dish put has been marked done. timeout_ns < 0 waits
 * for ever. Returns 0 when done, 1 on timeout, -1 if aborted.
 */
static inline int
rack_join(struct rack *r, int64_t timeout_ns)
{
	return (r->ops->join(r, timeout_ns));
}

/* No more puts: takers see the end once it is empty. */
static inline void
rack_close(struct rack *r)
{
	r->ops->close(r);
}

/*
 * Wake whoever waits for a dish to look at its hand again: one of them
 * was asked to leave. Threads would see it within a wait slice anyway;
 * tasks on a clock wait without slices.
 */
static inline void
rack_wake_takers(struct rack *r)
{
	r->ops->wake_takers(r);
}

/* Every wait gives up, now and from now on. */
static inline void
rack_abort(struct rack *r)
{
	r->ops->abort(r);
}

/* Dishes waiting, for readers without a lock (a hand-off shows 0). */
static inline uint32_t
rack_depth(const struct rack *r)
{
	return (r->ops->depth(r));
}

/* Dishes sitting in it, a hand-off's offered dish included. */
static inline uint32_t
rack_held(struct rack *r)
{
	return (r->ops->held(r));
}

static inline uint32_t
rack_max_depth(struct rack *r)
{
	return (r->ops->max_depth(r));
}

/* Put and not yet task_done. */
static inline uint64_t
rack_unfinished(struct rack *r)
{
	return (r->ops->unfinished(r));
}

/* Dishes taken, net of putbacks. */
static inline uint64_t
rack_taken(struct rack *r)
{
	return (r->ops->taken(r));
}

/*
 * Why the rack gave up (its server gone for good, say), or NULL. A rack
 * that fails aborts itself: every wait on it gives up.
 */
static inline const char *
rack_error(struct rack *r)
{
	return (r->ops->error != NULL ? r->ops->error(r) : NULL);
}

/* Release what the rack holds; NULL is fine. */
/*
 * The calling worker leaves: what it sent without waiting for an answer
 * is answered, and what it fetched ahead and did not start goes back (a
 * Redis rack's batch). Nothing for a rack that holds nothing per taker.
 */
static inline void
rack_flush(struct rack *r)
{
	if (r != NULL && r->ops->flush != NULL)
		r->ops->flush(r);
}

static inline void
rack_destroy(struct rack *r)
{
	if (r != NULL && r->ops != NULL)
		r->ops->destroy(r);
}

/*
 * The dish leaves the hand, put in the next rack or (the last station)
 * finished; its task_done is still owed, paid at the next get or on the
 * way out. A worker that dies after it is never made to redo the dish.
 */
void		 hand_let_go(struct hand *);

/*
 * The local home: a rack in the run's arena, so the same code serves
 * threads (private memory), processes (shared memory) and the virtual
 * clock (rack_local.h).
 *
 * Bytes for a rack of capacity that must hold up to need dishes at once,
 * with room besides for the dishes of up to holders takers put back (a
 * full rack must still take back a dead taker's dish).
 */
size_t		 rack_local_size(uint32_t capacity, uint64_t need,
		    uint32_t holders);

/* Set up a rack in mem (rack_local_size bytes, zeroed). 0, or -1. */
int		 rack_local_init(struct rack *, enum rack_sync,
		    struct vclock *, uint32_t capacity, uint64_t need,
		    uint32_t holders);

/* A pile: a rack that starts with dishes 0..n-1 and takes no puts. */
int		 rack_local_init_pile(struct rack *, enum rack_sync,
		    struct vclock *, uint64_t n);

#endif
