/*
 * engine.h: one run of a scenario. The engine spawns the workers on an
 * executor, conducts the run (the script, then join and close each rack in
 * pipeline order, as the lecture's main program does), and hands events to
 * whoever drains them. It never draws.
 */
#ifndef DISHRACK_ENGINE_H
#define DISHRACK_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "run.h"
#include "scenario.h"

/* A run of one station's workers for a run elsewhere (dishrack agent). */
#define ENGINE_AGENT_MAX	64
struct engine_agent {
	const char	*url;		/* the run's Redis */
	const char	*prefix;	/* its keys: dishrack:RUN-ID: */
	unsigned	 station;
	unsigned	 count;
	uint32_t	 who[ENGINE_AGENT_MAX];	/* the coordinator's slots */
	char		 names[ENGINE_AGENT_MAX][40];	/* and their names */
	const void	*zmq_eps;	/* ZeroMQ: struct zr_eps per station
					   (the rack in front); NULL: Redis */
};

struct engine_opts {
	int	 virtual_clock;
	double	 speed;		/* scenario seconds per real second */
	int	 output_fd;	/* worker text goes here, -1: nowhere */
	int	 output_ring;	/* and into a ring for a view */
	int	 paced;		/* virtual: keep pace with the scaled clock */
	int	 pauses;	/* honour [script] pause steps */
	unsigned spare_slots;	/* room for workers added during the run */
	const struct engine_agent *agent;	/* NULL: the run's own */
	unsigned wait_agents;	/* a broadcast's sync also waits for these
				   agents' subscribers (--wait-agents) */
};

struct engine;

/*
 * Prepare a run of scn. The engine takes scn over, whether it succeeds or
 * not. Returns NULL with *cause allocated if it cannot (memory, a mode
 * or transport not built in).
 */
struct engine	*engine_create(struct scenario *, const struct engine_opts *,
		    char **cause);

/* Start the workers and the conductor. 0, or -1 with *cause. */
int		 engine_start(struct engine *, char **cause);

/*
 * Call fn for each event recorded since the last drain, worker by worker
 * (each worker's events are in time order). Returns how many.
 */
size_t		 engine_drain(struct engine *,
		    void (*fn)(const struct event *, void *), void *arg);

/*
 * Drain events into fn until every worker has ended and been collected,
 * reading often while events flow and backing off while idle. A non-zero
 * *stop (if stop is not NULL) interrupts the run; the drain goes on to the
 * end, so no event is lost.
 */
void		 engine_follow(struct engine *,
		    void (*fn)(const struct event *, void *), void *arg,
		    volatile sig_atomic_t *stop);

/*
 * Kill for real: target is a worker ("dryer-2") or a station (all its
 * workers here); kill_one, one of station si's (the one holding a dish).
 * A process gets SIGKILL; a thread or a task, which cannot die alone,
 * crashes where it stands, dropping what it holds. What it held goes back
 * to its rack (lost in the plain queue, rack.reliable = no) and a
 * replacement starts. 0, or -1 with *cause (already gone, an agent's).
 */
int		 engine_kill(struct engine *, const char *target,
		    char **cause);
int		 engine_kill_one(struct engine *, unsigned si, char **cause);

/*
 * An agent's host process killed: the agents whose name (--name or host)
 * or id is name are ordered to SIGKILL themselves; the run sees them lost
 * when their pulse stops, and their dishes go back. 0: ordered; 1: lost
 * already; -1 with *cause: no such agent. kill_agents_of orders every
 * agent running station si; how many, their hosts into names.
 */
int		 engine_kill_agent(struct engine *, const char *name,
		    char **cause);
unsigned	 engine_kill_agents_of(struct engine *, unsigned si,
		    char *names, size_t len);

/* The private redis-server a kill of "broker" stopped, started again. */
int		 engine_restart_broker(struct engine *, char **cause);

/* Every worker has ended and been collected. */
int		 engine_finished(struct engine *);

/*
 * How long the racks' Redis has not answered, ns (0: it answers, or the
 * racks are local); *limit (if not NULL): how long it may, before the
 * run gives up.
 */
int64_t		 engine_racks_down(struct engine *, int64_t *limit);

/*
 * A line to say, once, when the racks' Redis stops answering and once
 * when it answers again (the headless run and an agent print it; the
 * screen shows engine_racks_down in its header). 1 with the line in buf.
 */
int		 engine_outage_line(struct engine *, char *buf, size_t len);

/* Interrupt: every worker leaves at its next step; dishes stay put. */
void		 engine_stop(struct engine *);

/*
 * Wait for the conductor, after engine_finished or engine_stop. After a
 * stop it waits no more than the watchdog allows (engine_watchdog).
 */
void		 engine_wait(struct engine *);

/*
 * The watchdog, for whoever waits on a stopped run: a run still going
 * ENGINE_STOP_GRACE after engine_stop has its child processes killed,
 * twice that and it is given up (engine_error says who did not move).
 * Returns 1 once given up: the run counts as finished, and
 * engine_destroy frees nothing threads that never stopped could touch.
 */
int		 engine_watchdog(struct engine *);
int		 engine_watchdog_fired(struct engine *);	/* it had to act */

void		 engine_destroy(struct engine *);

/* Live control, from a view or the script. 0, or -1 with *cause. */
void		 engine_pause(struct engine *, int paused);
int		 engine_paused(struct engine *);
void		 engine_set_speed(struct engine *, double);
int		 engine_add_worker(struct engine *, unsigned station,
		    char **cause);
int		 engine_remove_worker(struct engine *, unsigned station,
		    char **cause);
int		 engine_set(struct engine *, const char *assignment,
		    char **cause);

/* What views may read. */
struct run	*engine_run(struct engine *);
const struct scenario *engine_scenario(struct engine *);
int64_t		 engine_now(struct engine *);
int64_t		 engine_end_time(struct engine *);	/* -1 while running */
int64_t		 engine_wall_ns(struct engine *);
int		 engine_interrupted(struct engine *);
int		 engine_deadlocked(struct engine *);
const char	*engine_deadlock_cycle(struct engine *);	/* or NULL */
const char	*engine_error(struct engine *);
/* The run's broadcast rack (rack_bcast_view reads it), or NULL. */
struct rack	*engine_broadcast(struct engine *);
/* Its subscribers' books and its totals, for views: rack_bcast_view. */
struct bcast_view;
struct bcast_totals;
size_t		 engine_bcast_view(struct engine *, struct bcast_view *,
		    size_t max, struct bcast_totals *);
/* Where the racks are, password left out, or NULL for the run's memory. */
const char	*engine_racks_where(struct engine *);
const char	*engine_clock_name(struct engine *);
double		 engine_speed(struct engine *);

#endif
