/*
 * event.h: every change of state is a timestamped event in the ring of the
 * worker that made it. One producer (the worker) and one consumer (the
 * engine's reader in the main process) per ring, lock-free, so a ring can
 * live in shared memory and be written by a forked child.
 */
#ifndef DISHRACK_EVENT_H
#define DISHRACK_EVENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum ev_kind {
	EV_SPAWN,		/* arg: pid */
	EV_WAIT_GET,		/* began to wait for a dish (rack empty) */
	EV_GET,			/* took dish; arg: depth of the rack in front */
	EV_WORK,		/* began work on dish; arg: its time, ms */
	EV_WORKED,		/* finished work on dish */
	EV_WAIT_PUT,		/* began to wait: the rack after is full */
	EV_PUT,			/* put dish and so done with it; arg: depth after */
	EV_DONE,		/* the last station finished dish (task_done) */
	EV_EXIT,		/* arg: enum ev_exit */
	EV_SCRIPT,		/* engine: script step arg ran */
	EV_CONTROL,		/* engine: a live change, arg: enum ev_control */
	EV_WAIT_GIL,		/* began to wait for the GIL, held by another */
	EV_GOT_GIL,		/* got it after that wait */
	EV_WAIT_LOCK,		/* began to wait for named lock arg */
	EV_GOT_LOCK,		/* got named lock arg after that wait */
	EV_CUP_READ,		/* read the cupboard's count: arg */
	EV_CUP_WROTE,		/* wrote it back: arg, the read + 1 */
	EV_CUP_LOST,		/* before a write: others wrote arg since the
				   read, so arg - read updates are lost */
	EV_NKINDS
};

enum ev_exit {
	EXIT_FINISHED,		/* its input rack closed */
	EXIT_RETIRED,		/* asked to leave */
	EXIT_INTERRUPTED,	/* the run was stopped */
	EXIT_DIED,		/* a process that did not exit by itself */
	EXIT_REPLACED		/* died, and a new worker took its place */
};

enum ev_control {
	CTL_PAUSE,
	CTL_RESUME,
	CTL_SPEED,
	CTL_ADD_WORKER,
	CTL_REMOVE_WORKER,
	CTL_SET_TIME,
	CTL_LINK_UP,		/* a ZeroMQ rack's peer connected; dish: rack */
	CTL_LINK_DOWN,		/* and one went */
	CTL_SET_LIVE,		/* the cupboard's lock, the GIL, a rack's
				   capacity (engine_live.c) */
	CTL_GIL_ON,		/* the GIL switched on (engine_live.c) */
	CTL_GIL_OFF		/* and off */
};

#define EV_ENGINE	UINT32_MAX	/* worker of events from the engine */

struct event {
	int64_t		t;		/* scenario time, ns */
	uint32_t	worker;		/* slot index, or EV_ENGINE */
	uint16_t	station;
	uint16_t	kind;
	uint32_t	dish;
	int32_t		arg;
};

/*
 * What a ring holds of an event: 16 bytes, four to a cache line. The
 * worker and station are the ring's own (a ring has one writer, and a
 * slot is never reused), so the reader fills them in.
 */
struct ev_rec {
	uint64_t	tk;		/* time << 8 | kind */
	uint32_t	dish;
	int32_t		arg;
};

/*
 * Each side writes only its own cache line and keeps the last index it
 * read of the other's: the producer looks at tail only when the ring
 * seems full, the consumer at head once per take, so the two lines cross
 * between cores rarely instead of at every event.
 */
struct ev_ring {
	_Alignas(64) _Atomic uint64_t head;	/* written by the producer */
	uint64_t	 tail_seen;	/* producer's copy of tail */
	uint32_t	 mask;
	_Alignas(64) _Atomic uint64_t tail;	/* written by the consumer */
	_Alignas(64) _Atomic int abandoned;	/* no consumer: drop, never wait */
	_Atomic uint64_t dropped;
	_Alignas(64) struct ev_rec ev[];
};

/* Bytes for a ring of n events (n a power of two). */
size_t	ev_ring_size(uint32_t n);
void	ev_ring_init(struct ev_ring *, uint32_t n);

/*
 * Append an event. A full ring makes the producer wait for the consumer
 * (events are the record the figures are made from), unless abandoned.
 */
void	ev_ring_put(struct ev_ring *, int64_t t, enum ev_kind, uint32_t dish,
	    int32_t arg);

/*
 * Take up to max events, as written by worker of station (the ring's
 * owner: a slot, or EV_ENGINE). Returns how many.
 */
size_t	ev_ring_take(struct ev_ring *, struct event *, size_t max,
	    uint32_t worker, uint16_t station);

const char *ev_kind_name(enum ev_kind);

#endif
