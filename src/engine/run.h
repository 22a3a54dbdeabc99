/*
 * run.h: the state of one run that workers share, wherever they run. It
 * lives in the run's arena: private memory for threads and the virtual
 * clock, an anonymous shared mapping for processes (made before fork, so
 * pointers into it are the same in every process).
 */
#ifndef DISHRACK_RUN_H
#define DISHRACK_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "event.h"
#include "gil.h"
#include "lock.h"
#include "output.h"
#include "rack.h"
#include "scenario.h"
#include "vclock.h"

struct exec_ops;
struct bcast_topics;

enum ws_state {
	WS_FREE,		/* slot unused */
	WS_STARTING,
	WS_WAIT_GET,		/* waiting for a dish: its input rack is empty */
	WS_WORKING,
	WS_WAIT_PUT,		/* waiting to put: the rack after is full */
	WS_PAUSED,
	WS_EXITED
};

/*
 * One worker: a thread, a process or a virtual task. Slots sit side by
 * side and each is written by its own worker at every dish, so each
 * starts a cache line of its own (a neighbour's writes would otherwise
 * evict the ring pointer this worker reads at every event).
 */
struct wslot {
	_Alignas(64) _Atomic int state;	/* enum ws_state */
	_Atomic int64_t	 since;		/* scenario time of the last change */
	_Atomic int64_t	 work_end;	/* when the current work ends */
	struct hand	 hand;		/* dish held, task_done owed */
	_Atomic uint64_t dishes;	/* dishes finished */
	_Atomic int	 pid;
	_Atomic int	 tid;		/* kernel thread id; 0: none (virtual) */
	_Atomic int64_t	 gil_wait_ns;	/* waiting for the GIL */
	_Atomic int64_t	 gil_hold_ns;	/* computing while holding it */
	/* The dish's computation, scenario ns: to do, and done so far. */
	_Atomic int64_t	 cpu_need_ns;
	_Atomic int64_t	 cpu_done_ns;
	_Atomic int	 waiting_lock;	/* named lock waited for, or -1 */
	/*
	 * At a deadlock, as it was found (the workers then leave, and the
	 * screen keeps this picture): the lock it waited for (-1: none) and
	 * the locks it held (bit i: lock i). Written before run->deadlock.
	 */
	int		 dl_wait;
	unsigned	 dl_holds;
	_Atomic int	 died;		/* a process killed from outside */
	_Atomic int	 crash;		/* a thread or task to crash (a kill) */
	/* What it held when killed: 1 + the dish, or 0; back or lost. */
	_Atomic uint32_t dropped;
	_Atomic int	 dropped_back;
	_Atomic int	 replaces;	/* 1 + the slot of the dead one it
					   took over from, or 0 */
	int		 remote;	/* 1 + the agent running it, or 0 */
	char		 host[32];	/* that agent's host */
	unsigned	 station;
	unsigned	 index;		/* 1-based within its station */
	unsigned	 id;		/* slot number */
	int		 is_process;
	int		 reaped;
	pthread_t	 thread;
	struct vtask	 vt;
	struct ev_ring	*ring;
	char		 name[SCN_NAME_MAX + 8];	/* "dryer-2" */
};

/* A station's live settings: the screen and the script may change them. */
struct run_station {
	_Atomic int	 time_kind;
	_Atomic int64_t	 time_a;
	_Atomic int64_t	 time_b;
	_Atomic unsigned live;		/* workers running */
	unsigned	 next_index;	/* for worker names; under ctl lock */
	unsigned	 need[SCN_MAX_NEEDS];	/* named locks, by index */
	unsigned	 nneed;
	struct rack	*in;		/* the pile for the first station */
	struct rack	*out;		/* NULL for the last */
};

struct run {
	struct run_clock	 clock;
	struct vclock		*vc;		/* NULL unless virtual */
	const struct exec_ops	*ops;
	const struct scenario	*scn;
	struct output		*out;
	_Atomic int		 stop;		/* interrupted: leave now */
	unsigned		 nstations;
	struct run_station	 st[SCN_MAX_STATIONS];
	struct rack		*pile;
	struct wslot		*slots;
	unsigned		 nslots;	/* slots allocated */
	_Atomic unsigned	 used;		/* slots handed out */
	struct ev_ring		*ring;		/* the engine's own events */
	pthread_mutex_t		 ring_mu;	/* it has several writers */
	struct gil		*gils;		/* [0]: main process; [1 + slot] */
	unsigned		 ngils;		/* allocated, on or off */
	struct vcores		 vcores;	/* virtual clock only */
	struct cupboard		*cupboard;	/* NULL without [cupboard] */
	struct named_lock	*locks;		/* what stations may need */
	unsigned		 nlocks;
	_Atomic int		 deadlock;	/* a cycle was found */
	char			 deadlock_text[512];
	int64_t			*arrival;	/* dish -> when it arrives, or NULL */
	uint64_t		 narrival;
	const struct bcast_topics *topics;	/* a broadcast's, or NULL */
	/*
	 * A worker that crashed (a thread or task killed: it cannot die
	 * alone) calls this as it ends, from its own thread or task: what
	 * it held goes back (or is lost), a replacement starts. Returns the
	 * exit, EXIT_DIED or EXIT_REPLACED, and *d the dish it held.
	 */
	int	(*crashed)(struct run *, struct wslot *, dish_t *d);
	void			*owner;		/* crashed's: the engine */
	_Atomic int		 gil_off;	/* switched off during the run */
	/*
	 * The GIL was on at some time in the run: the screen has its row.
	 * The GILs (ngils) exist in every run, off unless the scenario or a
	 * live switch turns them on.
	 */
	_Atomic int		 gil_ever;
};

/* The calling worker's slot was asked to crash: stop where it stands. */
int	run_crashing(struct run *);

/* The calling thread runs this worker (a task on a clock needs no call). */
void	run_set_self(struct wslot *);

/* Put a dish in the cupboard (the last station). 0, or -1 if stopped. */
int	cupboard_put(struct run *, struct wslot *);

/* Take or let go of named lock i. take: -1 if stopped or deadlocked. */
int	named_lock_take(struct run *, struct wslot *, unsigned);
void	named_lock_release(struct run *, struct wslot *, unsigned);

/* A cycle in the wait-for graph, described in buf. 1 if there is one. */
int	lock_find_cycle(struct run *, char *buf, size_t len);

/* Record the cycle, once, as the run's deadlock. */
void	run_note_deadlock(struct run *);

/* The GIL a worker's interpreter has, or NULL when the GIL is off. */
struct gil *run_gil(struct run *, struct wslot *);

/* The time now on the run's clock (virtual or scaled real). */
int64_t	run_now(struct run *);

/* Record an event from a worker (or the engine with w NULL). */
void	run_event(struct run *, struct wslot *, enum ev_kind, dish_t,
	    int32_t arg);

#endif
