/*
 * agent.c: dishrack agent URL --station NAME: workers of one station on
 * this host, joining a run through its Redis (the lecture's "several
 * machines"). The run's scenario comes from Redis; the workers are real
 * threads or processes here, taking from and putting to the run's Redis
 * racks, and every event they make goes back to the run, so its figures
 * and screen include them. What does not depend on Redis is
 * agent_host.c's.
 */
#include "config.h"

#include "agent.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_host.h"
#include "engine.h"
#include "i18n.h"
#include "scenario.h"
#include "xmalloc.h"

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>

#include "redis_link.h"

#define AGENT_JOIN_TIMEOUT_NS	(10 * NSEC_PER_SEC)
#define AGENT_PULSE_MS		3000

struct agent_run;
static int	agent_pulse(struct agent_run *);

struct agent_run {
	struct redis_where	 where;
	char			 prefix[64];
	char			 id[96];
	struct engine_agent	 ag;
	struct event		*batch;
	size_t			 nbatch;
	size_t			 cap;
	int64_t			 next_pulse;
	int			 gone;		/* said */
};

/* The thread's connection to the run's Redis (made again if it broke). */
static redisContext *
agent_conn(struct agent_run *ar)
{
	return (redis_conn(&ar->where, NULL));
}

/* A string reply of one command, or NULL; the caller frees it. */
static char *
agent_get(redisContext *c, const char *fmt, const char *key)
{
	redisReply	*r;
	char		*s = NULL;

	if (c == NULL || (r = redisCommand(c, fmt, key)) == NULL) {
		redis_conn_broken();
		return (NULL);
	}
	if (r->type == REDIS_REPLY_STRING)
		s = xstrdup(r->str);
	freeReplyObject(r);
	return (s);
}

/* Read the run, ask to join, and wait for the slots it gives. 0 or -1. */
static int
agent_join(struct agent_run *ar, const struct agent_args *a,
    struct scenario **scnp, double *speed)
{
	struct scenario	*scn;
	char		 key[192], host[32], *v, *state, *source, *sets, *p;
	redisReply	*r;
	int64_t		 deadline;

	if ((v = agent_get(agent_conn(ar), "GET %s",
	    "dishrack:current")) == NULL) {
		agent_say(_("%s: no dishrack run is open "
		    "there"), ar->where.shown);
		return (-1);
	}
	snprintf(ar->prefix, sizeof ar->prefix, "%s", v);
	free(v);
	if (strncmp(ar->prefix, "dishrack:", 9) != 0) {
		agent_say(_("%s: not a dishrack run"),
		    ar->where.shown);
		return (-1);
	}
	snprintf(key, sizeof key, "%sinfo", ar->prefix);
	v = agent_get(agent_conn(ar), "HGET %s version", key);
	state = agent_get(agent_conn(ar), "HGET %s state", key);
	if (v == NULL || strcmp(v, PACKAGE_VERSION) != 0) {
		agent_say(_("the run is of dishrack %s, "
		    "this is %s"), v != NULL ? v : "(unknown)",
		    PACKAGE_VERSION);
		free(v);
		free(state);
		return (-1);
	}
	free(v);
	snprintf(key, sizeof key, "dishrack-pulse:%salive", ar->prefix + 9);
	v = agent_get(agent_conn(ar), "GET %s", key);
	if (v == NULL && state != NULL && strcmp(state, "running") == 0) {
		free(state);
		state = xstrdup("gone");
	}
	free(v);
	snprintf(key, sizeof key, "%sinfo", ar->prefix);
	if (state == NULL || strcmp(state, "running") != 0) {
		agent_say(_("the run on %s has ended"),
		    ar->where.shown);
		free(state);
		return (-1);
	}
	free(state);
	source = agent_get(agent_conn(ar), "HGET %s source", key);
	sets = agent_get(agent_conn(ar), "HGET %s sets", key);
	v = agent_get(agent_conn(ar), "HGET %s speed", key);
	*speed = v != NULL ? strtod(v, NULL) : 1.0;
	free(v);
	v = agent_get(agent_conn(ar), "HGET %s file", key);
	scn = agent_scenario(v != NULL ? v : "run", source != NULL ? source :
	    "", sets, a->station, &ar->ag);
	free(v);
	free(source);
	free(sets);
	if (scn == NULL)
		return (-1);
	agent_host_name(a, host, sizeof host);
	snprintf(ar->id, sizeof ar->id, "%s:%ld", host, (long)getpid());
	/*
	 * A first pulse before asking, so that it lives once we are in the
	 * run's books (the run also waits a pulse's life for it: agents.c).
	 */
	agent_pulse(ar);
	snprintf(key, sizeof key, "%sjoins", ar->prefix);
	xasprintf(&p, "%s %s %u %s", ar->id, a->station, a->count, host);
	r = agent_conn(ar) != NULL ? redisCommand(agent_conn(ar),
	    "RPUSH %s %s", key, p) : NULL;
	free(p);
	if (r != NULL)
		freeReplyObject(r);
	snprintf(key, sizeof key, "%sjoin:%s", ar->prefix, ar->id);
	deadline = clock_mono_ns() + AGENT_JOIN_TIMEOUT_NS;
	while ((v = agent_get(agent_conn(ar), "GET %s", key)) ==
	    NULL) {
		if (clock_mono_ns() > deadline || agent_signal) {
			agent_say(_("the run did not answer "
			    "within 10 s"));
			scenario_free(scn);
			return (-1);
		}
		clock_sleep_ns(50 * NSEC_PER_MSEC);
	}
	if (strncmp(v, "ok ", 3) != 0) {
		agent_say(_("the run refused: %s"),
		    strncmp(v, "error ", 6) == 0 ? v + 6 : v);
		free(v);
		scenario_free(scn);
		return (-1);
	}
	/* "ok OFFSET SLOT NAME SLOT NAME ..." */
	if ((p = strchr(v + 3, ' ')) != NULL)
		agent_slots(p + 1, a->count, &ar->ag);
	free(v);
	*scnp = scn;
	return (0);
}

/* Keep an event for the run (only the workers'; slots mapped to its). */
static void
agent_collect(const struct event *e, void *arg)
{
	struct agent_run	*ar = arg;

	if (e->worker >= ar->ag.count)
		return;
	if (ar->nbatch == ar->cap) {
		ar->cap = ar->cap ? ar->cap * 2 : 256;
		ar->batch = xreallocarray(ar->batch, ar->cap,
		    sizeof *ar->batch);
	}
	ar->batch[ar->nbatch++] = *e;
}

/* Send what was kept to the run's stream, in one write. 0 or -1. */
static int
agent_flush(struct agent_run *ar)
{
	redisContext	*c;
	redisReply	*r;
	char		 stream[128];
	size_t		 i;
	int		 rc = 0;

	if (ar->nbatch == 0)
		return (0);
	if ((c = agent_conn(ar)) == NULL)
		return (-1);	/* kept: sent once the server is back */
	snprintf(stream, sizeof stream, "%sev", ar->prefix);
	for (i = 0; i < ar->nbatch; i++) {
		const struct event *e = &ar->batch[i];

		redisAppendCommand(c, "XADD %s MAXLEN ~ 100000 * w %u k %u "
		    "d %u a %d t %lld", stream, ar->ag.who[e->worker],
		    (unsigned)e->kind, (unsigned)e->dish, (int)e->arg,
		    (long long)e->t);
	}
	for (i = 0; i < ar->nbatch; i++) {
		if (redisGetReply(c, (void **)&r) != REDIS_OK) {
			redis_conn_broken();
			rc = -1;
			break;
		}
		freeReplyObject(r);
	}
	ar->nbatch = 0;
	return (rc);
}

/* Say we live; 1 while the run's coordinator does, 0 once it is gone. */
static int
agent_pulse(struct agent_run *ar)
{
	redisContext	*c;
	redisReply	*r;
	char		 key[192];
	int		 alive = 1;

	if ((c = agent_conn(ar)) == NULL)
		return (1);	/* Redis, not the run, is away: try again */
	/* Pulses live apart from the run's keys (agents.c). */
	snprintf(key, sizeof key, "dishrack-pulse:%sagent:%s", ar->prefix + 9,
	    ar->id);
	if ((r = redisCommand(c, "SET %s 1 PX %d", key, AGENT_PULSE_MS)) !=
	    NULL)
		freeReplyObject(r);
	snprintf(key, sizeof key, "dishrack-pulse:%salive", ar->prefix + 9);
	if ((r = redisCommand(c, "EXISTS %s", key)) != NULL) {
		alive = !(r->type == REDIS_REPLY_INTEGER && r->integer == 0);
		freeReplyObject(r);
	}
	/*
	 * The run's kill agent (its script, K on its screen): die as kill -9
	 * here would kill us, with no goodbye to the run, which learns it as
	 * it learns any death, when the pulse stops. A coordinator on another
	 * host could not signal this process itself.
	 */
	snprintf(key, sizeof key, "%skill:%s", ar->prefix, ar->id);
	if ((r = redisCommand(c, "EXISTS %s", key)) != NULL) {
		if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
			agent_say(_("killed by the run (kill agent): SIGKILL"));
			kill(getpid(), SIGKILL);
		}
		freeReplyObject(r);
	}
	return (alive);
}

/* The home's words for agent_host.c. */
static void
agent_flush_home(void *arg)
{
	agent_flush(arg);
}

static int
agent_tick(void *arg, struct engine *eng)
{
	struct agent_run	*ar = arg;

	(void)eng;
	if (clock_mono_ns() > ar->next_pulse) {
		if (!agent_pulse(ar) && !ar->gone) {
			agent_say(_("the run's coordinator is gone"));
			ar->gone = 1;
		}
		ar->next_pulse = clock_mono_ns() + NSEC_PER_SEC;
	}
	return (ar->gone);
}

static const struct agent_home agent_redis_home = {
	.collect = agent_collect,
	.flush = agent_flush_home,
	.tick = agent_tick,
};

int
agent_main(int argc, char **argv)
{
	struct agent_run	 ar;
	struct agent_args	 a;
	struct scenario		*scn = NULL;
	char			*cause = NULL;
	double			 speed = 1.0;
	int			 priv, rc;

	memset(&ar, 0, sizeof ar);
	if ((rc = agent_args(argc, argv, "URL", &a)) != -1)
		return (rc);
	if (redis_where_parse(a.url, &ar.where, &priv, &cause) == -1 ||
	    priv) {
		agent_say("%s", priv ? _("expected the "
		    "run's address, redis://HOST:PORT or unix:///PATH") : cause);
		free(cause);
		return (2);
	}
	agent_signals();
	if (redis_conn(&ar.where, &cause) == NULL) {
		agent_say("%s", cause);
		free(cause);
		return (1);
	}
	if (agent_join(&ar, &a, &scn, &speed) == -1) {
		redis_conn_close();
		return (1);
	}
	ar.ag.prefix = ar.prefix;
	rc = agent_run(scn, &a, speed, &ar.ag, ar.id, ar.where.shown,
	    &agent_redis_home, &ar);
	free(ar.batch);
	redis_conn_close();
	return (rc);
}

#else	/* HAVE_HIREDIS */

int
agent_main(int argc, char **argv)
{
	agent_say(_("this dishrack was built without "
	    "hiredis (apt-get install libhiredis-dev, configure "
	    "--with-hiredis)"));
	return (2);
}

#endif
