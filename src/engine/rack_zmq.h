/*
 * rack_zmq.h: the ZeroMQ home of a rack (libzmq, no broker process). Each
 * rack has a keeper: a thread of the run's own process that binds the
 * rack's sockets, and every worker thread or process connects its own.
 * doc/zmq.md argues the design.
 */
#ifndef DISHRACK_RACK_ZMQ_H
#define DISHRACK_RACK_ZMQ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "rack.h"
#include "scenario.h"
#include "zmq_link.h"

extern const struct rack_ops rack_zmq;

/* How a plain (unreliable) rack tells its takers the end. */
enum zr_quit {
	ZR_QUIT_BROADCAST,	/* the guide's fix: a control PUB/SUB */
	ZR_QUIT_SENTINEL	/* the lecture's: one quit per taker, PUSHed */
};

/* Bytes a ZeroMQ rack takes in the run's arena. */
size_t	rack_zmq_size(void);

/*
 * Set up a rack in mem (zeroed) and start its keeper, which binds its
 * sockets where w says (name "rINDEX..."; the first rack of a tcp run
 * binds its control socket on w's port). reliable: credit-based
 * ROUTER/DEALER with acknowledgements; else plain PUSH/PULL through the
 * keeper, capacity as high-water marks. takers: the live count of the
 * station that takes from it (the quits a sentinel close sends, and when
 * every taker waits). nslots: the run's worker slots (hand.who). Call in
 * the run's process, before fork. 0, or -1 with *cause.
 */
int	rack_zmq_init(struct rack *, const struct zl_where *w, unsigned index,
	    uint32_t capacity, int reliable, enum zr_quit,
	    _Atomic unsigned *takers, unsigned nslots,
	    const struct scenario *, char **cause);

/*
 * An agent's copy of a rack of a run elsewhere: no keeper, only where the
 * run's keeper is (struct zr_eps, as the run tells its agents).
 */
struct zr_eps {
	char	hub[ZL_EP_MAX];
	char	in[ZL_EP_MAX];
	char	out[ZL_EP_MAX];
	char	ctl[ZL_EP_MAX];
};

int	rack_zmq_init_remote(struct rack *, const struct zr_eps *,
	    unsigned index, uint32_t capacity, int reliable, enum zr_quit,
	    unsigned nslots, const struct scenario *);

/* Where rack r's sockets are, for agents. 0, or -1 if not ZeroMQ's. */
int	rack_zmq_eps(struct rack *, struct zr_eps *);

/*
 * A remote worker's event, counted into a plain rack's two ends as its
 * own workers count them (a reliable rack's keeper counts them itself):
 * in (the rack it takes from) and out (puts to; NULL for the last).
 */
void	rack_zmq_note(struct rack *in, struct rack *out, int kind);

/*
 * 1 if the keeper has the acknowledgement of dish d (a reliable rack of
 * this run), else 0: a taker that acknowledged a dish had finished it,
 * even if word of it died with the taker's host.
 */
int	rack_zmq_acked(struct rack *, dish_t);

/* What the screen and the report show of a rack (all counted). */
struct zr_view {
	int		 reliable;
	const char	*endpoint;	/* the keeper's control (and dish) socket */
	const char	*in, *out;	/* plain: where dishes go in, come out */
	uint64_t	 sent;		/* put by putters */
	uint64_t	 received;	/* taken by takers */
	uint64_t	 lost;		/* written off (plain: died with a taker) */
	uint64_t	 resent;	/* reliable: sent again after a death */
	uint64_t	 duplicates;	/* a second put or ack of a dish, caught */
	unsigned	 links;		/* connections up now */
	unsigned	 connects, disconnects;
	unsigned	 quits;		/* plain sentinel: quits sent */
	unsigned	 stuck;		/* plain sentinel: takers no quit reached */
	unsigned	 named;		/* of them, those found waiting */
	uint32_t	 stuck_who[8];	/* their slots (hand.who) */
};

/* 0, or -1 if r is not a ZeroMQ rack. */
int	rack_zmq_view(struct rack *, struct zr_view *);

#endif
