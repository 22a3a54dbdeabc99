/*
 * rack_local.h: the local home's rack, in the run's arena. Threads use
 * private memory, processes the shared mapping (a process-shared robust
 * mutex), the virtual clock its wait queues. Only rack_local.c and tests
 * look inside.
 */
#ifndef DISHRACK_RACK_LOCAL_H
#define DISHRACK_RACK_LOCAL_H

#include "rack.h"

enum {
	RACK_NOT_EMPTY,
	RACK_NOT_FULL,		/* also: a hand-off was taken */
	RACK_ALL_DONE,
	RACK_NCONDS
};

/*
 * Laid out by use: the lock and what a put or a get writes come first
 * (with glibc on x86-64, the ops pointer, the mutex and the four counts
 * fill one cache line; depth and max_depth start the next), so a dish
 * moves few lines between cores besides its slot. What puts and gets only read, and what only
 * waits and set-up write, comes after: those lines stay shared. Counts
 * are 32 bits because a run has at most DISH_MAX dishes; how many were
 * taken is puts - count.
 */
#define RACK_PILE_BACK	64	/* a pile's dishes given back at once */

struct rack_local {
	struct rack	 base;		/* the ops: read only */
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
	int		 lossy;		/* a dead taker's dish is lost */
	uint32_t	 capacity;	/* RACK_UNBOUNDED, 0 = hand-off, or N */
	uint32_t	 nslots;	/* 0 for a pile */
	uint32_t	 pile;		/* a pile: dishes 0..pile-1, no slots */
	/*
	 * A pile's dishes left (high half) and unfinished (low half) in one
	 * word: its takers are threads of one process, so a single
	 * compare-and-swap takes a dish and pays the last one's task_done.
	 */
	_Atomic uint64_t pile_left;
	/*
	 * A pile's dishes that killed takers held, given back (under mu),
	 * taken again before the rest: the pile's counter cannot take a
	 * dish back, and the dish must not be lost with its washer.
	 */
	_Atomic uint32_t nback;
	dish_t		 back[RACK_PILE_BACK];
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
 * The lecture's plain queue (rack.reliable = no): a taker that dies loses
 * the dish it held (its task_done is paid, so join still ends) instead of
 * putting it back. Not for a pile: the lesson is the queue's.
 */
void	rack_local_set_lossy(struct rack *);

#endif
