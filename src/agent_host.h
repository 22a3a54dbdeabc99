/*
 * agent_host.h: what dishrack agent does whatever the run's home (agent.c
 * for Redis, agent_zmq.c for ZeroMQ): its options, its one-line messages,
 * the run's scenario taken in, the slots it was given, and the loop that
 * runs the workers and carries their events; a home says how it sends
 * them and how it pulses (struct agent_home). The run's side of the same
 * split is src/engine/agent_roster.c.
 */
#ifndef DISHRACK_AGENT_HOST_H
#define DISHRACK_AGENT_HOST_H

#include <signal.h>
#include <stddef.h>

#include "engine.h"

struct scenario;
struct event;

extern volatile sig_atomic_t agent_signal;

struct agent_args {
	const char	*url;
	const char	*station;
	const char	*mode;		/* threads, processes, or NULL */
	const char	*name;		/* --name, or NULL: the host's */
	unsigned	 count;
};

struct agent_home {
	/* Keep one event of a worker of ours (e->worker < ag->count). */
	void	(*collect)(const struct event *, void *home);
	/* Send what was kept. */
	void	(*flush)(void *home);
	/*
	 * Each turn of the loop, to the end: pulse when due, read the run's
	 * word (a kill order). 1 once the run is gone (said once); may stop
	 * eng (the run's end, told).
	 */
	int	(*tick)(void *home, struct engine *eng);
};

/* "dishrack agent: ..." on stderr, made safe (doc/terminal-safety.md). */
void	agent_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The options; url_form names the address in the usage line. -1: go on;
 * else the exit status (0 for --help).
 */
int	agent_args(int argc, char **argv, const char *url_form,
	    struct agent_args *);
/* SIGINT, SIGTERM, SIGHUP into agent_signal; SIGPIPE ignored. */
void	agent_signals(void);
/* The name this agent joins by (--name, or the host's short name). */
void	agent_host_name(const struct agent_args *, char *host, size_t len);
/*
 * The run's scenario, from its file name, text and --set lines, and the
 * station asked for into ag->station; NULL (said).
 */
struct scenario *agent_scenario(const char *file, const char *source,
	    char *sets, const char *station, struct engine_agent *ag);
/* "SLOT NAME SLOT NAME ..." into ag's who, names and count. */
void	agent_slots(char *text, unsigned count, struct engine_agent *ag);
/*
 * Run the workers until the run closes their racks, is gone, or a signal
 * comes; said what went wrong. The exit status. Takes scn over.
 */
int	agent_run(struct scenario *, const struct agent_args *, double speed,
	    struct engine_agent *, const char *id, const char *shown,
	    const struct agent_home *, void *home);

#endif
