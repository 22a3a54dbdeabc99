/*
 * agent_zmq.c: dishrack agent tcp://HOST:PORT --station NAME (or
 * zmq+tcp://...): workers of one station on this host, joining a run
 * whose racks are ZeroMQ sockets, as agent.c does through Redis. The
 * run's scenario and the racks' endpoints come from the run's agents
 * socket (src/engine/agents_zmq.c); the workers connect to the racks
 * themselves; every event they make goes back, and a pulse a second
 * says this agent lives (the run's answer says the run does).
 */
#include "config.h"

#include "agent.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "safe.h"
#include "scenario.h"
#include "xmalloc.h"

#ifdef HAVE_ZMQ
#include <zmq.h>

#include "agents_zmq.h"
#include "rack_zmq.h"
#include "zmq_link.h"

#define AZ_ANSWER_MS	3000	/* a run answers in milliseconds */
#define AZ_GONE_NS	(5 * NSEC_PER_SEC)

static volatile sig_atomic_t agent_zmq_signal;

static void __attribute__((format(printf, 1, 2)))
az_error(const char *fmt, ...)
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
az_on_signal(int sig)
{
	agent_zmq_signal = sig;
}

/* Wait for one answer of up to max frames, as strings; how many, or -1. */
static int
az_answer(void *s, char **parts, int max, int ms)
{
	zmq_pollitem_t	 it = { s, 0, ZMQ_POLLIN, 0 };
	zmq_msg_t	 m;
	int		 n = 0, more;
	size_t		 len;

	while (zmq_poll(&it, 1, ms) == -1 && errno == EINTR)
		if (agent_zmq_signal)
			return (-1);
	if (!(it.revents & ZMQ_POLLIN))
		return (-1);
	do {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s, 0) == -1) {
			zmq_msg_close(&m);
			break;
		}
		if (n < max)
			parts[n++] = xstrndup(zmq_msg_data(&m), zmq_msg_size(&m));
		zmq_msg_close(&m);
		more = 0;
		len = sizeof more;
		zmq_getsockopt(s, ZMQ_RCVMORE, &more, &len);
	} while (more);
	return (n);
}

static void
az_free(char **parts, int n)
{
	while (n-- > 0)
		free(parts[n]);
}

static void
az_say(void *s, const char *first, ...)
{
	va_list		 ap;
	const char	*p, *next;

	va_start(ap, first);
	for (p = first; p != NULL; p = next) {
		next = va_arg(ap, const char *);
		zmq_send(s, p, strlen(p), next != NULL ? ZMQ_SNDMORE : 0);
	}
	va_end(ap);
}

/*
 * The run's endpoint text with its host made the one this agent reached
 * the run by: a run bound on * or 0.0.0.0 says so, not where it is.
 */
static void
az_endpoint(const char *ep, const char *host, char *out, size_t len)
{
	const char	*colon;

	if (strcmp(ep, "-") == 0) {
		out[0] = '\0';
		return;
	}
	if (strncmp(ep, "tcp://", 6) != 0 ||
	    (colon = strrchr(ep + 6, ':')) == NULL) {
		snprintf(out, len, "%s", ep);
		return;
	}
	snprintf(out, len, "tcp://%s%s", host, colon);
}

struct az_run {
	void			*s;
	struct zl_where		 where;
	char			 id[96];
	struct engine_agent	 ag;
	struct zr_eps		 eps[SCN_MAX_STATIONS];
	struct az_event		*batch;
	size_t			 n, cap;
};

static void
az_collect(const struct event *e, void *arg)
{
	struct az_run	*ar = arg;

	if (e->worker >= ar->ag.count)
		return;
	if (ar->n == ar->cap) {
		ar->cap = ar->cap ? ar->cap * 2 : 256;
		ar->batch = xreallocarray(ar->batch, ar->cap, sizeof *ar->batch);
	}
	ar->batch[ar->n].t = e->t;
	ar->batch[ar->n].who = ar->ag.who[e->worker];
	ar->batch[ar->n].dish = e->dish;
	ar->batch[ar->n].arg = e->arg;
	ar->batch[ar->n].kind = e->kind;
	ar->batch[ar->n].pad = 0;
	ar->n++;
}

static void
az_flush(struct az_run *ar)
{
	if (ar->n == 0)
		return;
	zmq_send(ar->s, "EV", 2, ZMQ_SNDMORE);
	zmq_send(ar->s, ar->id, strlen(ar->id), ZMQ_SNDMORE);
	zmq_send(ar->s, ar->batch, ar->n * sizeof *ar->batch, 0);
	ar->n = 0;
}

/* Read the run, ask to join, take the slots. 0, or -1 said. */
static int
az_join(struct az_run *ar, const char *station, unsigned count,
    const char *name, struct scenario **scnp, double *speed)
{
	struct scenario	*scn;
	char		*p[8], *cause = NULL, *line, *save, *save2, *tok[4];
	char		 host[32], num[16], *dot;
	int		 n, i;
	unsigned	 k;

	az_say(ar->s, "INFO", NULL);
	if ((n = az_answer(ar->s, p, 8, AZ_ANSWER_MS)) < 7 ||
	    strcmp(p[0], "INFO") != 0) {
		if (n >= 0)
			az_free(p, n);
		az_error("%s: no dishrack run answered within 3 s",
		    ar->where.shown);
		return (-1);
	}
	if (strcmp(p[1], PACKAGE_VERSION) != 0) {
		az_error("the run is of dishrack %s, this is %s", p[1],
		    PACKAGE_VERSION);
		az_free(p, n);
		return (-1);
	}
	*speed = strtod(p[5], NULL);
	if ((scn = scenario_parse(p[2], p[3], strlen(p[3]), &cause)) == NULL) {
		az_error("the run's scenario: %s", cause);
		free(cause);
		az_free(p, n);
		return (-1);
	}
	for (line = strtok_r(p[4], "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (scenario_set(scn, line, &cause) == -1) {
			az_error("%s", cause);
			free(cause);
			scenario_free(scn);
			az_free(p, n);
			return (-1);
		}
	}
	/* A line of endpoints per rack, the rack in front of station k. */
	k = 1;
	for (line = strtok_r(p[6], "\n", &save); line != NULL &&
	    k < SCN_MAX_STATIONS; line = strtok_r(NULL, "\n", &save), k++) {
		for (i = 0; i < 4; i++)
			tok[i] = strtok_r(i == 0 ? line : NULL, " ", &save2);
		if (tok[3] == NULL)
			break;
		az_endpoint(tok[0], ar->where.host, ar->eps[k].hub,
		    sizeof ar->eps[k].hub);
		az_endpoint(tok[1], ar->where.host, ar->eps[k].in,
		    sizeof ar->eps[k].in);
		az_endpoint(tok[2], ar->where.host, ar->eps[k].out,
		    sizeof ar->eps[k].out);
		az_endpoint(tok[3], ar->where.host, ar->eps[k].ctl,
		    sizeof ar->eps[k].ctl);
	}
	az_free(p, n);
	if (scenario_station(scn, station) == NULL) {
		az_error("the run has no station '%s'", station);
		scenario_free(scn);
		return (-1);
	}
	ar->ag.station = (unsigned)(scenario_station(scn, station) -
	    scn->stations);

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "host");
	host[sizeof host - 1] = '\0';
	if ((dot = strchr(host, '.')) != NULL)
		*dot = '\0';
	snprintf(ar->id, sizeof ar->id, "%s:%ld", name != NULL ? name : host,
	    (long)getpid());
	snprintf(num, sizeof num, "%u", count);
	az_say(ar->s, "JOIN", ar->id, station, num, name != NULL ? name : host,
	    NULL);
	if ((n = az_answer(ar->s, p, 8, AZ_ANSWER_MS)) < 2) {
		if (n >= 0)
			az_free(p, n);
		az_error("the run did not answer within 3 s");
		scenario_free(scn);
		return (-1);
	}
	if (strcmp(p[0], "OK") != 0 || n < 3) {
		az_error("the run refused: %s", p[1]);
		az_free(p, n);
		scenario_free(scn);
		return (-1);
	}
	/* "SLOT NAME SLOT NAME ..." */
	for (k = 0; k < count; k++) {
		char	*slot = strtok_r(k == 0 ? p[2] : NULL, " ", &save);
		char	*wname = strtok_r(NULL, " ", &save);

		if (slot == NULL || wname == NULL)
			break;
		ar->ag.who[k] = (uint32_t)strtoul(slot, NULL, 10);
		snprintf(ar->ag.names[k], sizeof ar->ag.names[k], "%s", wname);
	}
	ar->ag.count = k;
	az_free(p, n);
	*scnp = scn;
	return (0);
}

int
agent_zmq_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "station", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct az_run		 ar;
	struct engine_opts	 eo;
	struct scenario		*scn = NULL;
	struct engine		*eng;
	struct sigaction	 sa;
	const char		*station = NULL, *mode = NULL, *name = NULL;
	char			*cause = NULL, *end, ep[ZL_EP_MAX], *p[4];
	unsigned long		 count = 1;
	int64_t			 next_pulse = 0, heard;
	double			 speed = 1.0;
	int			 ch, rc = 0, gone = 0, n;

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
				az_error("--count: expected 1 to %d, found '%s'",
				    ENGINE_AGENT_MAX, optarg);
				return (2);
			}
			break;
		case 'm':
			if (strcmp(optarg, "threads") != 0 &&
			    strcmp(optarg, "processes") != 0) {
				az_error("--mode: expected threads or processes, "
				    "found '%s'", optarg);
				return (2);
			}
			mode = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'h':
			fprintf(stderr, "usage: dishrack agent tcp://HOST:PORT "
			    "--station NAME [--count N] [--mode threads|"
			    "processes] [--name NAME]\n");
			return (0);
		default:
			return (2);
		}
	}
	if (optind != argc - 1 || station == NULL) {
		fprintf(stderr, "usage: dishrack agent tcp://HOST:PORT "
		    "--station NAME [--count N] [--mode threads|processes] "
		    "[--name NAME]\n");
		return (2);
	}
	if (zl_where_parse(argv[optind], &ar.where, &cause) == -1 ||
	    !ar.where.tcp) {
		az_error("%s", cause != NULL ? cause : "expected the run's "
		    "address, tcp://HOST:PORT");
		free(cause);
		return (2);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = az_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	snprintf(ep, sizeof ep, "tcp://%s:%d", ar.where.host, ar.where.port);
	if ((ar.s = zl_socket(ZMQ_DEALER, 0, &cause)) == NULL ||
	    zl_connect(ar.s, ep, &cause) == -1) {
		az_error("%s", cause);
		free(cause);
		zl_end();
		return (1);
	}
	if (az_join(&ar, station, (unsigned)count, name, &scn, &speed) == -1) {
		zl_end();
		return (1);
	}
	if (mode != NULL)
		scn->mode = strcmp(mode, "processes") == 0 ? MODE_PROCESSES :
		    MODE_THREADS;
	else if (scn->mode == MODE_ASYNC)
		scn->mode = MODE_THREADS;
	ar.ag.url = argv[optind];
	ar.ag.prefix = "";
	ar.ag.zmq_eps = ar.eps;
	memset(&eo, 0, sizeof eo);
	eo.speed = speed;
	eo.output_fd = STDOUT_FILENO;
	eo.agent = &ar.ag;
	az_error("%u %s on %s, joined the run on %s", ar.ag.count,
	    scn->stations[ar.ag.station].name, ar.id, ar.where.shown);
	if ((eng = engine_create(scn, &eo, &cause)) == NULL ||
	    engine_start(eng, &cause) == -1) {
		az_error("%s", cause);
		free(cause);
		engine_destroy(eng);
		zl_end();
		return (1);
	}
	heard = clock_mono_ns();
	while (!engine_finished(eng)) {
		if (agent_zmq_signal != 0 || gone)
			engine_stop(eng);
		if (engine_watchdog(eng))
			break;
		engine_drain(eng, az_collect, &ar);
		az_flush(&ar);
		while ((n = az_answer(ar.s, p, 4, 0)) > 0) {
			if (strcmp(p[0], "PONG") == 0 && n >= 2) {
				/* As agent.c does: SIGKILL, no goodbye. */
				if (strcmp(p[1], "kill") == 0) {
					az_error("killed by the run (kill agent): "
					    "SIGKILL");
					kill(getpid(), SIGKILL);
				}
				if (strcmp(p[1], "lost") == 0 && !gone) {
					az_error("the run counted this agent "
					    "as lost");
					gone = 1;
				}
				heard = clock_mono_ns();
			}
			az_free(p, n);
		}
		if (clock_mono_ns() > next_pulse) {
			az_say(ar.s, "PULSE", ar.id, NULL);
			next_pulse = clock_mono_ns() + NSEC_PER_SEC / 2;
		}
		if (!gone && clock_mono_ns() - heard > AZ_GONE_NS) {
			az_error("the run's coordinator is gone");
			gone = 1;
		}
		clock_sleep_ns(5 * NSEC_PER_MSEC);
	}
	engine_wait(eng);
	engine_drain(eng, az_collect, &ar);
	az_flush(&ar);
	if (engine_error(eng) != NULL) {
		az_error("%s", engine_error(eng));
		rc = 1;
	}
	if (gone)
		rc = 1;
	else if (agent_zmq_signal != 0)
		rc = 128 + agent_zmq_signal;
	engine_destroy(eng);
	free(ar.batch);
	zl_end();
	return (rc);
}

#else	/* HAVE_ZMQ */

int
agent_zmq_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "dishrack agent: this dishrack was built without "
	    "libzmq (apt-get install libzmq3-dev, configure --with-zmq)\n");
	return (2);
}

#endif

int
agent_zmq_url(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "tcp://", 6) == 0 ||
		    strncmp(argv[i], "zmq+tcp://", 10) == 0)
			return (1);
	}
	return (0);
}
