/*
 * lock.h: what locks do to shared state. The cupboard is a counter that the
 * last station's workers update after every dish by read, work, write;
 * under lock = none that is a real lost-update race, under mutex, spin or
 * atomic it is not. Named locks ("the towel", "the cloth") are what
 * workers may need to hold while they work; taken in opposite orders they
 * deadlock, and the run finds the cycle in a wait-for graph.
 *
 * The race is race-free in C terms: the unlocked update is a relaxed atomic
 * load and a separate relaxed atomic store, so the program's logic loses
 * updates while ThreadSanitizer has nothing to report.
 */
#ifndef DISHRACK_LOCK_H
#define DISHRACK_LOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "scenario.h"
#include "vclock.h"

#define LOCK_MAX_NAMED	SCN_MAX_LOCKS
#define LOCK_NOBODY	UINT32_MAX
#define LOCK_CUPBOARD	(-1)	/* the lock in a wait-lock event: the cupboard's */

struct cupboard {
	_Atomic int	 mode;		/* enum lock_mode: a live change too */
	int64_t		 window_ns;	/* work between the read and the write */
	_Atomic uint64_t count;		/* dishes the cupboard believes it has */
	pthread_mutex_t	 mu;
	_Atomic int	 spin;
	_Atomic uint32_t holder;	/* who holds mu or spin */
	_Atomic unsigned waiters;	/* waiting for it now */
	_Atomic uint64_t acquisitions;
	_Atomic int64_t	 wait_ns;
	_Atomic int64_t	 longest_ns;
	int		 vheld;		/* virtual mutex */
	struct vwaitq	 vq;
};

struct named_lock {
	char		 name[16];
	pthread_mutex_t	 mu;
	_Atomic uint32_t holder;	/* worker slot, or LOCK_NOBODY */
	int		 vheld;
	struct vwaitq	 vq;
};

/* Set up in shared or private memory; shared: process-shared and robust. */
void	cupboard_init(struct cupboard *, enum lock_mode, int64_t window_ns,
	    int shared);
void	named_lock_init(struct named_lock *, const char *name, int shared);

const char *lock_mode_name(enum lock_mode);

#endif
