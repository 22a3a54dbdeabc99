/*
 * gil.h: a global interpreter lock modelled on CPython's since 3.2. A
 * worker holds it to compute; one waiting longer than the switch interval
 * asks the holder to drop it; the holder checks for that request as it
 * computes, drops, and waits until another has taken it (forced switching,
 * so it cannot grab it straight back). I/O waits do not hold it. One GIL
 * per interpreter: all threads of a run share one, each process has its
 * own, which is exactly why processes escape it.
 */
#ifndef DISHRACK_GIL_H
#define DISHRACK_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "vclock.h"

#define GIL_NOBODY	UINT32_MAX

struct gil {
	pthread_mutex_t	 mu;
	pthread_cond_t	 released;
	pthread_cond_t	 switched;
	int		 locked;
	uint32_t	 holder;	/* worker slot, or GIL_NOBODY */
	uint32_t	 last;		/* the previous holder */
	uint64_t	 switch_number;	/* times taken */
	_Atomic int	 drop_request;
	_Atomic uint64_t handovers;	/* taken by another than the last */
	_Atomic uint32_t current;	/* holder, for readers without mu */
	int64_t		 interval_ns;
	struct vwaitq	 vq;		/* virtual: waiters */
};

/* The processors of the virtual clock: a counting semaphore. */
struct vcores {
	unsigned	 cores;
	unsigned	 busy;
	struct vwaitq	 vq;
};

void	gil_init(struct gil *, int64_t interval_ns);

/*
 * Take the GIL as worker who. Waiting is bounded by the interval, after
 * which a drop is requested. *stop ends the wait (returns -1). The time
 * spent waiting is added to *waited_ns.
 */
int	gil_take(struct gil *, uint32_t who, _Atomic int *stop,
	    int64_t *waited_ns);
/* The same, and *crash ends it too (a killed worker waits no more). */
int	gil_take_unless(struct gil *, uint32_t who, _Atomic int *stop,
	    _Atomic int *crash, int64_t *waited_ns);
/* Wake every waiter to look at its flags (a kill). */
void	gil_wake(struct gil *);

/*
 * Drop the GIL. forced: a drop was requested, so wait until another worker
 * has taken it before returning.
 */
void	gil_drop(struct gil *, uint32_t who, int forced, _Atomic int *stop);

/* Has someone asked the holder to let go? (the eval breaker) */
int	gil_drop_requested(struct gil *);

/*
 * Told of each wait for the GIL on the virtual clock: as it begins (the
 * worker let go at a forced switch, or found it held), with waited -1;
 * and as it ends, with the time spent blocked on the GIL in it.
 */
typedef void	(*gil_waited_cb)(void *, int64_t t, int64_t waited);

/*
 * Compute for d ns of processor time on the virtual clock, as worker who:
 * holding gil (if not NULL) and one of the cores, in chunks of the switch
 * interval, giving way at each chunk to a worker that waits. *gil_wait_ns
 * gets the time spent waiting for the GIL, and waited (if not NULL) each
 * wait. -1 if the run was aborted.
 */
int	gil_compute_virtual(struct vclock *, struct gil *, struct vcores *,
	    uint32_t who, int64_t d, int64_t interval_ns, int64_t *gil_wait_ns,
	    gil_waited_cb waited, void *arg);

#endif
