/*
 * engine_int.h: the engine's own state, shared by engine.c and the parts
 * of the conductor kept apart (agents.c, the hosts that join a run over
 * Redis). Nothing outside src/engine/ includes it.
 */
#ifndef DISHRACK_ENGINE_INT_H
#define DISHRACK_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "arena.h"
#include "engine.h"
#include "exec.h"
#include "vclock.h"
#ifdef HAVE_HIREDIS
#include "redis_link.h"
#endif
#ifdef HAVE_ZMQ
#include "zmq_link.h"
#endif

struct agents;
struct agents_zmq;
struct eng_replay;

struct engine {
	struct scenario		*scn;
	struct engine_opts	 opts;
	const struct exec_ops	*ops;
	struct arena		 arena;
	struct run		*run;
	struct vclock		 vc;
	int			 has_vc;	/* virtual, or the async loop */
	struct vtask		 conductor_vt;
	struct vtask		 script_vt;
	pthread_t		 conductor;
	pthread_t		 script;
	int			 started;
	int			 script_started;
	int			 waited;
	pthread_mutex_t		 ctl;
	_Atomic int		 finished;
	_Atomic int		 reaped;	/* every worker collected */
	_Atomic int		 ended;
	_Atomic int64_t		 end_scn;
	_Atomic int64_t		 real_start;
	_Atomic int64_t		 real_end;
	_Atomic int		 interrupted;
	_Atomic int64_t		 stop_at;	/* when a stop was asked */
	int			 children_killed;	/* by the watchdog */
	_Atomic int		 abandoned;	/* the watchdog gave up */
	int			 cycle_seen;
	char			*error;
	char			*watchdog_error;
#ifdef HAVE_HIREDIS
	struct redis_where	*where;		/* NULL: the racks are local */
	struct redis_private	 redis_server;	/* pid 0: none started */
	int			 redis_private;	/* start one at engine_start */
	int64_t			 next_expire;	/* refresh the keys' TTL */
	int64_t			 outage_said;	/* since, when said; 0 */
#endif
#ifdef HAVE_ZMQ
	struct zl_where		*zwhere;	/* NULL: the racks are not ZeroMQ's */
	char			 zshown[ZL_EP_MAX + 16];
	struct agents_zmq	*zagents;	/* NULL: no agents over ZeroMQ */
	unsigned		 zlinks[SCN_MAX_STATIONS][2];	/* told */
#endif
	char			 key_prefix[48];	/* dishrack:RUN-ID: */
	struct agents		*agents;	/* the hosts that joined */
	struct eng_replay	*replay;	/* engine_replay.c, or NULL */
	struct event		 buf[256];
};

/* Record the run's error (the first one wins); takes cause over. */
void	engine_fail(struct engine *, char *cause);

/*
 * The coordinator's side of agents (agents.c). publish: say in Redis that
 * the run is open to agents; tend: take in the agents that asked to join
 * and keep the run's keys alive (the conductor, every slice); the reader
 * thread turns their events into their workers' slots; reap: wait for
 * their workers to leave at the end. All do nothing without Redis.
 */
int	agents_publish(struct engine *, char **cause);
void	agents_tend(struct engine *);
void	agents_reap(struct engine *);
void	agents_end(struct engine *);
int	agents_joined(struct engine *);

/*
 * Order agents to die (SIGKILL of their own process, doc/robustness.md):
 * those whose host or id is name, or (name NULL) every agent running
 * station si. How many were asked; *gone counts those that matched but
 * are lost already. known gets hosts for a message: every agent's when
 * asked by name (who is there), the asked ones' for a station.
 */
unsigned agents_order_kill(struct engine *, const char *name, unsigned si,
	    unsigned *gone, char *known, size_t len);
void	agents_known(char *known, size_t len, const char *host);

/*
 * The same over ZeroMQ (agents_zmq.c), for a run on zmq+tcp://HOST:PORT:
 * publish binds HOST:PORT and starts the thread that answers agents;
 * reap waits for their workers to leave at the end; end stops it.
 */
#ifdef HAVE_ZMQ
int	agents_zmq_publish(struct engine *, char **cause);
void	agents_zmq_reap(struct engine *);
void	agents_zmq_end(struct engine *);
unsigned agents_zmq_order_kill(struct engine *, const char *name,
	    unsigned si, unsigned *gone, char *known, size_t len);
#endif

#endif
