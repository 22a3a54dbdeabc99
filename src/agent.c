/*
 * agent.c: dishrack agent URL --station NAME: workers of one station on
 * this host, joining a run through its Redis (the lecture's "several
 * machines"). The run's scenario comes from Redis; the workers are real
 * threads or processes here, taking from and putting to the run's Redis
 * racks, and every event they make goes back to the run, so its figures
 * and screen include them.
 */
#include "config.h"

#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "safe.h"
#include "scenario.h"
#include "xmalloc.h"

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>

#include "redis_link.h"

#define AGENT_JOIN_TIMEOUT_NS	(10 * NSEC_PER_SEC)
#define AGENT_PULSE_MS		3000

static volatile sig_atomic_t agent_signal;

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
};

/*
 * One line on stderr, made safe: addresses, Redis's words and the run's
 * answers come from outside (doc/terminal-safety.md).
 */
static void __attribute__((format(printf, 1, 2)))
agent_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		line = NULL;
	va_end(ap);
	fputs("dishrack agent: ", stderr);
	safe_fputs(line != NULL ? line : "out of memory", stderr);
	fputc('\n', stderr);
	free(line);
}

static void
agent_on_signal(int sig)
{
	agent_signal = sig;
}

static void
agent_usage(void)
{
	fprintf(stderr, "usage: dishrack agent URL --station NAME [--count N] "
	    "[--mode threads|processes] [--name NAME]\n");
}

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
agent_join(struct agent_run *ar, const char *station, unsigned count,
    const char *name, struct scenario **scnp, double *speed)
{
	struct scenario	*scn;
	char		 key[192], host[32], *v, *state, *source, *sets;
	char		*cause = NULL, *line, *save, *p;
	redisReply	*r;
	int64_t		 deadline;
	unsigned	 i;

	if ((v = agent_get(agent_conn(ar), "GET %s",
	    "dishrack:current")) == NULL) {
		agent_error("%s: no dishrack run is open "
		    "there", ar->where.shown);
		return (-1);
	}
	snprintf(ar->prefix, sizeof ar->prefix, "%s", v);
	free(v);
	if (strncmp(ar->prefix, "dishrack:", 9) != 0) {
		agent_error("%s: not a dishrack run",
		    ar->where.shown);
		return (-1);
	}
	snprintf(key, sizeof key, "%sinfo", ar->prefix);
	v = agent_get(agent_conn(ar), "HGET %s version", key);
	state = agent_get(agent_conn(ar), "HGET %s state", key);
	if (v == NULL || strcmp(v, PACKAGE_VERSION) != 0) {
		agent_error("the run is of dishrack %s, "
		    "this is %s", v != NULL ? v : "(unknown)",
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
		agent_error("the run on %s has ended",
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
	scn = scenario_parse(v != NULL ? v : "run", source != NULL ? source :
	    "", source != NULL ? strlen(source) : 0, &cause);
	free(v);
	free(source);
	if (scn == NULL) {
		agent_error("the run's scenario: %s",
		    cause);
		free(cause);
		free(sets);
		return (-1);
	}
	for (line = sets != NULL ? strtok_r(sets, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (scenario_set(scn, line, &cause) == -1) {
			agent_error("%s", cause);
			free(cause);
			free(sets);
			scenario_free(scn);
			return (-1);
		}
	}
	free(sets);
	if (scenario_station(scn, station) == NULL) {
		agent_error("the run has no station '%s'",
		    station);
		scenario_free(scn);
		return (-1);
	}
	ar->ag.station = (unsigned)(scenario_station(scn, station) -
	    scn->stations);

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "host");
	host[sizeof host - 1] = '\0';
	if ((p = strchr(host, '.')) != NULL)
		*p = '\0';
	snprintf(ar->id, sizeof ar->id, "%s:%ld", name != NULL ? name : host,
	    (long)getpid());
	/*
	 * A first pulse before asking, so that it lives once we are in the
	 * run's books (the run also waits a pulse's life for it: agents.c).
	 */
	agent_pulse(ar);
	snprintf(key, sizeof key, "%sjoins", ar->prefix);
	xasprintf(&p, "%s %s %u %s", ar->id, station, count,
	    name != NULL ? name : host);
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
			agent_error("the run did not answer "
			    "within 10 s");
			scenario_free(scn);
			return (-1);
		}
		clock_sleep_ns(50 * NSEC_PER_MSEC);
	}
	if (strncmp(v, "ok ", 3) != 0) {
		agent_error("the run refused: %s",
		    strncmp(v, "error ", 6) == 0 ? v + 6 : v);
		free(v);
		scenario_free(scn);
		return (-1);
	}
	/* "ok OFFSET SLOT NAME SLOT NAME ..." */
	strtok_r(v, " ", &save);
	strtok_r(NULL, " ", &save);
	for (i = 0; i < count; i++) {
		char	*slot = strtok_r(NULL, " ", &save);
		char	*wname = strtok_r(NULL, " ", &save);

		if (slot == NULL || wname == NULL)
			break;
		ar->ag.who[i] = (uint32_t)strtoul(slot, NULL, 10);
		snprintf(ar->ag.names[i], sizeof ar->ag.names[i], "%s", wname);
	}
	free(v);
	ar->ag.count = i;
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
			agent_error("killed by the run (kill agent): SIGKILL");
			kill(getpid(), SIGKILL);
		}
		freeReplyObject(r);
	}
	return (alive);
}

int
agent_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "station", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct agent_run	 ar;
	struct engine_opts	 eo;
	struct scenario		*scn = NULL;
	char			 line[512];
	struct engine		*eng;
	struct sigaction	 sa;
	const char		*station = NULL, *mode = NULL, *name = NULL;
	char			*cause = NULL, *end;
	unsigned long		 count = 1;
	int64_t			 next_pulse = 0;
	double			 speed = 1.0;
	int			 ch, priv, rc = 0, gone = 0;

	memset(&ar, 0, sizeof ar);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			station = optarg;
			break;
		case 'c':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    count < 1 || count > ENGINE_AGENT_MAX) {
				agent_error("--count: "
				    "expected 1 to %d, found '%s'",
				    ENGINE_AGENT_MAX, optarg);
				return (2);
			}
			break;
		case 'm':
			if (strcmp(optarg, "threads") != 0 &&
			    strcmp(optarg, "processes") != 0) {
				agent_error("--mode: "
				    "expected threads or processes, found "
				    "'%s'", optarg);
				return (2);
			}
			mode = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			agent_usage();
			return (0);
		default:
			agent_usage();
			return (2);
		}
	}
	if (optind != argc - 1 || station == NULL) {
		agent_usage();
		return (2);
	}
	if (redis_where_parse(argv[optind], &ar.where, &priv, &cause) == -1 ||
	    priv) {
		agent_error("%s", priv ? "expected the "
		    "run's address, redis://HOST:PORT or unix:///PATH" : cause);
		free(cause);
		return (2);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = agent_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (redis_conn(&ar.where, &cause) == NULL) {
		agent_error("%s", cause);
		free(cause);
		return (1);
	}
	if (agent_join(&ar, station, (unsigned)count, name, &scn,
	    &speed) == -1) {
		redis_conn_close();
		return (1);
	}
	if (mode != NULL)
		scn->mode = strcmp(mode, "processes") == 0 ? MODE_PROCESSES :
		    MODE_THREADS;
	else if (scn->mode == MODE_ASYNC)
		scn->mode = MODE_THREADS;
	ar.ag.url = argv[optind];
	ar.ag.prefix = ar.prefix;
	memset(&eo, 0, sizeof eo);
	eo.speed = speed;
	eo.output_fd = STDOUT_FILENO;
	eo.agent = &ar.ag;
	agent_error("%u %s on %s, joined the run on %s",
	    ar.ag.count, scn->stations[ar.ag.station].name, ar.id,
	    ar.where.shown);
	if ((eng = engine_create(scn, &eo, &cause)) == NULL ||
	    engine_start(eng, &cause) == -1) {
		agent_error("%s", cause);
		free(cause);
		engine_destroy(eng);
		redis_conn_close();
		return (1);
	}
	while (!engine_finished(eng)) {
		if (agent_signal != 0 || gone)
			engine_stop(eng);
		if (engine_watchdog(eng))
			break;
		if (engine_outage_line(eng, line, sizeof line))
			agent_error("%s", line);
		engine_drain(eng, agent_collect, &ar);
		agent_flush(&ar);
		if (clock_mono_ns() > next_pulse) {
			if (!agent_pulse(&ar) && !gone) {
				agent_error("the run's "
				    "coordinator is gone");
				gone = 1;
			}
			next_pulse = clock_mono_ns() + NSEC_PER_SEC;
		}
		clock_sleep_ns(5 * NSEC_PER_MSEC);
	}
	engine_wait(eng);
	engine_drain(eng, agent_collect, &ar);
	agent_flush(&ar);
	if (engine_error(eng) != NULL) {
		agent_error("%s", engine_error(eng));
		rc = 1;
	}
	if (gone)
		rc = 1;
	else if (agent_signal != 0)
		rc = 128 + agent_signal;
	engine_destroy(eng);
	free(ar.batch);
	redis_conn_close();
	return (rc);
}

#else	/* HAVE_HIREDIS */

int
agent_main(int argc, char **argv)
{
	agent_error("this dishrack was built without "
	    "hiredis (apt-get install libhiredis-dev, configure "
	    "--with-hiredis)");
	return (2);
}

#endif
