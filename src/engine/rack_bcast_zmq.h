/*
 * rack_bcast_zmq.h: the broadcast rack over ZeroMQ XPUB and SUB
 * (rack_bcast_zmq.c).
 */
#ifndef DISHRACK_RACK_BCAST_ZMQ_H
#define DISHRACK_RACK_BCAST_ZMQ_H

#include "bcast.h"

extern const struct rack_ops rack_bcast_zmq;

/*
 * Set up a broadcast rack in mem (rack_bcast_size bytes, zeroed) whose
 * messages go over ipc:// in a private directory made now (and removed
 * by rack_destroy). 0, or -1 with *cause.
 */
int	rack_bcast_zmq_init(struct rack *, enum rack_sync,
	    const struct run_clock *, const struct scenario *,
	    const struct bcast_topics *, unsigned nslots, char **cause);

/*
 * Over tcp, for agents on other hosts (transport = zmq+tcp://HOST:PORT):
 * the run's publisher binds a free port on host; an agent's rack
 * (connect, the endpoint the run's INFO gave) only subscribes there.
 * rack_bcast_zmq_endpoint: where subscribers connect, for INFO.
 */
int	rack_bcast_zmq_init_tcp(struct rack *, enum rack_sync,
	    const struct run_clock *, const struct scenario *,
	    const struct bcast_topics *, unsigned nslots, const char *host,
	    const char *connect, char **cause);
const char *rack_bcast_zmq_endpoint(struct rack *);

#endif
