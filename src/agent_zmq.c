/*
 * agent_zmq.c: dishrack agent tcp://HOST:PORT --station NAME (or
 * zmq+tcp://...): workers of one station on this host, joining a run
 * whose racks are ZeroMQ sockets, as agent.c does through Redis. The
 * run's scenario and the racks' endpoints come from the run's agents
 * socket (src/engine/agents_zmq.c); the workers connect to the racks
 * themselves; every event they make goes back, and a pulse a second
 * says this agent lives (the run's answer says the run does). What does
 * not depend on ZeroMQ is agent_host.c's.
 */
#include "config.h"

#include "agent.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_host.h"
#include "engine.h"
#include "i18n.h"
#include "scenario.h"
#include "xmalloc.h"

#ifdef HAVE_ZMQ
#include <zmq.h>

#include "agents_zmq.h"
#include "rack_zmq.h"
#include "zmq_link.h"

#define AZ_ANSWER_MS	3000	/* a run answers in milliseconds */
#define AZ_GONE_NS	(5 * NSEC_PER_SEC)

/* Wait for one answer of up to max frames, as strings; how many, or -1. */
static int
az_answer(void *s, char **parts, int max, int ms)
{
	zmq_pollitem_t	 it = { s, 0, ZMQ_POLLIN, 0 };
	zmq_msg_t	 m;
	int		 n = 0, more;
	size_t		 len;

	while (zmq_poll(&it, 1, ms) == -1 && errno == EINTR)
		if (agent_signal)
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
	struct scenario		*scn;
	int64_t			 next_pulse, heard;
	int			 gone;		/* said */
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
az_flush(void *arg)
{
	struct az_run	*ar = arg;

	if (ar->n == 0)
		return;
	zmq_send(ar->s, "EV", 2, ZMQ_SNDMORE);
	zmq_send(ar->s, ar->id, strlen(ar->id), ZMQ_SNDMORE);
	zmq_send(ar->s, ar->batch, ar->n * sizeof *ar->batch, 0);
	ar->n = 0;
}

/* Read the run, ask to join, take the slots. 0, or -1 said. */
static int
az_join(struct az_run *ar, const struct agent_args *a,
    struct scenario **scnp, double *speed)
{
	struct scenario	*scn;
	char		*p[8], *line, *save, *save2, *tok[4];
	char		 host[32], num[16];
	int		 n, i;
	unsigned	 k;

	az_say(ar->s, "INFO", NULL);
	if ((n = az_answer(ar->s, p, 8, AZ_ANSWER_MS)) < 7 ||
	    strcmp(p[0], "INFO") != 0) {
		if (n >= 0)
			az_free(p, n);
		agent_say(_("%s: no dishrack run answered within 3 s"),
		    ar->where.shown);
		return (-1);
	}
	if (strcmp(p[1], PACKAGE_VERSION) != 0) {
		agent_say(_("the run is of dishrack %s, this is %s"), p[1],
		    PACKAGE_VERSION);
		az_free(p, n);
		return (-1);
	}
	*speed = strtod(p[5], NULL);
	if ((scn = agent_scenario(p[2], p[3], p[4], a->station,
	    &ar->ag)) == NULL) {
		az_free(p, n);
		return (-1);
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
	agent_host_name(a, host, sizeof host);
	snprintf(ar->id, sizeof ar->id, "%s:%ld", host, (long)getpid());
	snprintf(num, sizeof num, "%u", a->count);
	az_say(ar->s, "JOIN", ar->id, a->station, num, host, NULL);
	if ((n = az_answer(ar->s, p, 8, AZ_ANSWER_MS)) < 2) {
		if (n >= 0)
			az_free(p, n);
		agent_say(_("the run did not answer within 3 s"));
		scenario_free(scn);
		return (-1);
	}
	if (strcmp(p[0], "OK") != 0 || n < 3) {
		agent_say(_("the run refused: %s"), p[1]);
		az_free(p, n);
		scenario_free(scn);
		return (-1);
	}
	/* "SLOT NAME SLOT NAME ..." */
	agent_slots(p[2], a->count, &ar->ag);
	az_free(p, n);
	*scnp = scn;
	return (0);
}

/* Pulse, and read the run's answers: its end, a kill order, lost. */
static int
az_tick(void *arg, struct engine *eng)
{
	struct az_run	*ar = arg;
	char		*p[4];
	int		 n;

	if (ar->heard == 0)
		ar->heard = clock_mono_ns();
	while ((n = az_answer(ar->s, p, 4, 0)) > 0) {
		if (strcmp(p[0], "PONG") == 0 && n >= 2) {
			/* As agent.c does: SIGKILL, no goodbye. */
			if (strcmp(p[1], "kill") == 0) {
				agent_say(_("killed by the run (kill agent): "
				    "SIGKILL"));
				kill(getpid(), SIGKILL);
			}
			/*
			 * A broadcast's subscribers learn its end here: the
			 * run's books, which end a subscriber of its own,
			 * are not ours.
			 */
			if (strcmp(p[1], "ended") == 0 && ar->scn->broadcast)
				engine_stop(eng);
			if (strcmp(p[1], "lost") == 0 && !ar->gone) {
				agent_say(_("the run counted this agent as lost"));
				ar->gone = 1;
			}
			ar->heard = clock_mono_ns();
		}
		az_free(p, n);
	}
	if (clock_mono_ns() > ar->next_pulse) {
		az_say(ar->s, "PULSE", ar->id, NULL);
		ar->next_pulse = clock_mono_ns() + NSEC_PER_SEC / 2;
	}
	if (!ar->gone && clock_mono_ns() - ar->heard > AZ_GONE_NS) {
		agent_say(_("the run's coordinator is gone"));
		ar->gone = 1;
	}
	return (ar->gone);
}

static const struct agent_home az_home = {
	.collect = az_collect,
	.flush = az_flush,
	.tick = az_tick,
};

int
agent_zmq_main(int argc, char **argv)
{
	struct az_run		 ar;
	struct agent_args	 a;
	struct scenario		*scn = NULL;
	char			*cause = NULL, ep[ZL_EP_MAX];
	double			 speed = 1.0;
	int			 rc;

	memset(&ar, 0, sizeof ar);
	if ((rc = agent_args(argc, argv, "tcp://HOST:PORT", &a)) != -1)
		return (rc);
	if (zl_where_parse(a.url, &ar.where, &cause) == -1 ||
	    !ar.where.tcp) {
		agent_say("%s", cause != NULL ? cause : _("expected the run's "
		    "address, tcp://HOST:PORT"));
		free(cause);
		return (2);
	}
	agent_signals();
	snprintf(ep, sizeof ep, "tcp://%s:%d", ar.where.host, ar.where.port);
	if ((ar.s = zl_socket(ZMQ_DEALER, 0, &cause)) == NULL ||
	    zl_connect(ar.s, ep, &cause) == -1) {
		agent_say("%s", cause);
		free(cause);
		zl_end();
		return (1);
	}
	if (az_join(&ar, &a, &scn, &speed) == -1) {
		zl_end();
		return (1);
	}
	ar.ag.prefix = "";
	ar.ag.zmq_eps = ar.eps;
	ar.scn = scn;
	rc = agent_run(scn, &a, speed, &ar.ag, ar.id, ar.where.shown,
	    &az_home, &ar);
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
	fprintf(stderr, "dishrack agent: %s\n", _("this dishrack was built "
	    "without libzmq (apt-get install libzmq3-dev, configure "
	    "--with-zmq)"));
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
