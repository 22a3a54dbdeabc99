/*
 * agent_roster.h: the run's book of the agents that joined it, one model
 * for both homes (agents.c over Redis, agents_zmq.c over ZeroMQ), as
 * tmux keeps one client list whatever the terminal. The roster gives an
 * agent its slots, writes what its workers did into them, decides when
 * it is lost and takes back what it held, carries kill orders, and waits
 * for its workers at the end. A home only carries words: how an agent
 * asks, how its events and its pulse arrive, how an order reaches it
 * (struct roster_ops). doc/agents.md says why it is cut so.
 */
#ifndef DISHRACK_AGENT_ROSTER_H
#define DISHRACK_AGENT_ROSTER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "rack.h"

struct engine;
struct roster;
struct run;
struct wslot;

#define ROSTER_MAX		16
/*
 * An agent heard of for this long is lost; its join counts as a word, so
 * that a first pulse slow to come (its workers start first) is no death.
 * It is the life of a Redis pulse (src/agent.c's AGENT_PULSE_MS).
 */
#define ROSTER_SILENT_NS	(3 * NSEC_PER_SEC)
#define ROSTER_WAIT_NS		(60 * NSEC_PER_SEC)

struct roster_agent {
	char		 id[64];
	char		 host[32];
	unsigned	 station;
	unsigned	 first;		/* its slots: first .. first + n - 1 */
	unsigned	 n;
	int64_t		 offset;	/* our clock when it joined */
	int64_t		 heard;		/* clock_mono_ns of its last word */
	int		 seen;		/* a pulse of its was read once */
	_Atomic int	 lost;
	_Atomic int	 kill;		/* 1: ordered to die, 2: order sent */
};

/* What reading an agent's pulse said. */
enum roster_pulse {
	ROSTER_PULSE_PUSHED,	/* nothing to read: each word is heard */
	ROSTER_PULSE_UP,	/* read, and it lives */
	ROSTER_PULSE_DOWN,	/* read, and it is not there */
	ROSTER_PULSE_UNKNOWN	/* cannot be read now (the home is away) */
};

/* What differs between homes. Any may be NULL. */
struct roster_ops {
	/* Read a's pulse (on the thread that calls roster_check). */
	enum roster_pulse (*pulse)(struct roster *, struct roster_agent *);
	/* Send a's kill order: 0 once sent. NULL: its pulse's answer says. */
	int	(*order)(struct roster *, struct roster_agent *);
	/* A remote take (EV_GET) or finish (EV_PUT, EV_DONE), for the rack. */
	void	(*note)(struct roster *, struct wslot *, int kind);
	/*
	 * 1 if dish d, in w's hand as its agent is lost, was finished all the
	 * same: only the event saying so died with the agent.
	 */
	int	(*finished)(struct roster *, struct wslot *w, dish_t d);
};

struct roster {
	struct engine		*e;
	const struct roster_ops	*ops;
	void			*home;		/* the home's own state */
	const char		*shown;		/* the address agents use */
	struct roster_agent	 a[ROSTER_MAX];
	_Atomic unsigned	 n;
	int64_t			 since;		/* opened to agents */
};

void	roster_init(struct roster *, struct engine *, const struct roster_ops *,
	    void *home, const char *shown);
/*
 * Give agent id count slots of station: the agent, with *slots "SLOT NAME
 * SLOT NAME ..." (the caller frees it); or NULL with *why, a line for the
 * agent (the caller frees it).
 */
struct roster_agent *roster_join(struct roster *, const char *id,
	    const char *station, unsigned count, const char *host,
	    char **slots, char **why);
struct roster_agent *roster_find(struct roster *, const char *id);
/* It said something: it lives. */
void	roster_heard(struct roster_agent *);
/*
 * What a remote worker did (t on its agent's clock), into its slot: ring,
 * hand, state, and a broadcast's books. a NULL: the slot's agent. Only the
 * thread that reads the home's events calls it.
 */
void	roster_apply(struct roster *, struct roster_agent *, unsigned slot,
	    int kind, dish_t d, int32_t arg, int64_t t);
/* Read every pulse; lose the agents found silent. */
void	roster_check(struct roster *);
/* 1 if a, whose pulse read p at now, is lost (its record kept up). */
int	roster_verdict(struct roster_agent *, enum roster_pulse p,
	    int64_t now);
/* An agent stopped answering: its dishes go back, its workers are lost. */
void	roster_lose(struct roster *, struct roster_agent *);
/* Send the kill orders not sent yet (ops->order). */
void	roster_orders(struct roster *);
/* agents_order_kill of engine_int.h, on one roster (NULL: none). */
unsigned roster_order_kill(struct roster *, const char *name, unsigned si,
	    unsigned *gone, char *known, size_t len);
/* A station kept for agents (where = agents) waits a minute at most. */
void	roster_wait_check(struct roster *);
/* At the end, racks closed: wait up to 10 s for its workers to leave. */
void	roster_wait_workers(struct roster *);
/* Then, the home's thread stopped: a remote worker left is gone. */
void	roster_reap(struct run *);

#endif
