/*
 * agents_zmq.h: what the run and its agents say to each other over
 * ZeroMQ (agents_zmq.c on the run's side, src/agent_zmq.c on theirs).
 * Every message is a few frames, the first a word: INFO, JOIN ID STATION
 * COUNT HOST, EV ID EVENTS, PULSE ID; the answers INFO ..., OK OFFSET
 * SLOTS, ERR WHY, PONG STATE.
 */
#ifndef DISHRACK_AGENTS_ZMQ_H
#define DISHRACK_AGENTS_ZMQ_H

#include <stdint.h>

/* An agent's event, as it travels (the slot is the run's). */
struct az_event {
	int64_t		t;		/* on the agent's clock */
	uint32_t	who;
	uint32_t	dish;
	int32_t		arg;
	uint16_t	kind;
	uint16_t	pad;
};

#endif
