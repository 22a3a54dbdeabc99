/*
 * agents_zmq.c: the coordinator's side of dishrack agent over ZeroMQ:
 * workers of a station on other hosts, joining a run whose racks are
 * ZeroMQ sockets (transport = zmq+tcp://HOST:PORT).
 *
 * DESIGN: the structure of agents.c (Redis), with a ROUTER socket in
 * place of Redis's keys. The run binds it on HOST:PORT (its racks' own
 * sockets are on ports the kernel picks) and a thread of the run answers
 * it: INFO gives the version, the scenario's text, its --set lines, the
 * speed and every rack's endpoints; JOIN gives slots of the run, as if it
 * had spawned local workers (under the engine's ctl lock); EV carries the
 * agent's events, which this thread alone writes into those slots' rings,
 * hands and states, so stats and the screen see remote workers as their
 * own; PULSE says the agent lives and is answered with the run's state.
 * An agent silent for 3 s is lost: what its workers held goes back
 * (rack_reclaim: the keeper sends their unacknowledged dishes again).
 * The book of agents is the roster's, shared with Redis's home
 * (agent_roster.c); this file carries ZeroMQ's words.
 */
#include "config.h"

#include "engine_int.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_ZMQ
#include <zmq.h>

#include "agent_roster.h"
#include "agents_zmq.h"
#include "rack_bcast_zmq.h"
#include "rack_zmq.h"
#include "zmq_link.h"
#include "xmalloc.h"

struct agents_zmq {
	struct engine	*e;
	void		*router;
	char		 endpoint[ZL_EP_MAX];
	pthread_t	 thread;
	int		 started;
	_Atomic int	 stop;
	struct roster	 roster;
};

/* Frames of one message into parts (at most max); how many, or -1. */
static int
az_recv(void *s, zmq_msg_t *parts, int max)
{
	int	n = 0, more;
	size_t	len;

	for (;;) {
		zmq_msg_init(&parts[n]);
		if (zmq_msg_recv(&parts[n], s, n == 0 ? ZMQ_DONTWAIT : 0) ==
		    -1) {
			zmq_msg_close(&parts[n]);
			break;
		}
		more = 0;
		len = sizeof more;
		zmq_getsockopt(s, ZMQ_RCVMORE, &more, &len);
		if (n + 1 < max)
			n++;
		else
			zmq_msg_close(&parts[n]);
		if (!more)
			return (n);
	}
	while (--n >= 0)
		zmq_msg_close(&parts[n]);
	return (-1);
}

/* A part as a string, at most len - 1 bytes. */
static char *
az_str(zmq_msg_t *m, char *buf, size_t len)
{
	size_t	n = zmq_msg_size(m);

	if (n >= len)
		n = len - 1;
	memcpy(buf, zmq_msg_data(m), n);
	buf[n] = '\0';
	return (buf);
}

/* Send to peer id the strings given, NULL-terminated. */
static void
az_send(struct agents_zmq *az, zmq_msg_t *id, const char *first, ...)
{
	va_list		 ap;
	const char	*s, *next;

	if (zmq_send(az->router, zmq_msg_data(id), zmq_msg_size(id),
	    ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
		return;
	va_start(ap, first);
	for (s = first; s != NULL; s = next) {
		next = va_arg(ap, const char *);
		zmq_send(az->router, s, strlen(s), next != NULL ? ZMQ_SNDMORE :
		    0);
	}
	va_end(ap);
}

static void
az_info(struct agents_zmq *az, zmq_msg_t *id)
{
	struct engine	*e = az->e;
	struct run	*run = e->run;
	struct zr_eps	 eps;
	char		 speed[32], nr[16], *all = NULL, *more;
	unsigned	 i;

	snprintf(speed, sizeof speed, "%f", e->opts.speed);
	snprintf(nr, sizeof nr, "%u", run->nstations);
	all = xstrdup("");
	for (i = 1; i < run->nstations; i++) {
		/* A broadcast: its publisher's endpoint, for every station. */
		if (rack_bcast_zmq_endpoint(run->st[i].in) != NULL) {
			xasprintf(&more, "%s%s - - -\n", all,
			    rack_bcast_zmq_endpoint(run->st[i].in));
			free(all);
			all = more;
			continue;
		}
		if (rack_zmq_eps(run->st[i].in, &eps) == -1)
			continue;
		xasprintf(&more, "%s%s %s %s %s\n", all, eps.hub,
		    eps.in[0] != '\0' ? eps.in : "-",
		    eps.out[0] != '\0' ? eps.out : "-",
		    eps.ctl[0] != '\0' ? eps.ctl : "-");
		free(all);
		all = more;
	}
	az_send(az, id, "INFO", PACKAGE_VERSION, e->scn->file,
	    e->scn->source != NULL ? e->scn->source : "",
	    e->scn->sets != NULL ? e->scn->sets : "", speed, all, NULL);
	free(all);
}

static void
az_join(struct agents_zmq *az, zmq_msg_t *id, const char *aid,
    const char *name, unsigned count, const char *host)
{
	struct roster_agent	*a;
	char			*slots, *why, off[32];

	if ((a = roster_join(&az->roster, aid, name, count, host, &slots,
	    &why)) == NULL) {
		az_send(az, id, "ERR", why, NULL);
		free(why);
		return;
	}
	snprintf(off, sizeof off, "%lld", (long long)a->offset);
	az_send(az, id, "OK", off, slots, NULL);
	free(slots);
}

/* A remote take or finish, into the ZeroMQ rack's counts. */
static void
az_note(struct roster *ro, struct wslot *w, int kind)
{
	struct run	*run = ro->e->run;
	struct rack	*in = run->st[w->station].in;
	struct zr_view	 v;

	rack_zmq_note(in, run->st[w->station].out, kind);
	/* A plain rack counted the task_done now: nothing owed. */
	if (kind != EV_GET && rack_zmq_view(in, &v) == 0 && !v.reliable)
		atomic_store(&w->hand.owes, 0);
}

/* Acknowledged by the keeper: the worker had put it on or done it. */
static int
az_finished(struct roster *ro, struct wslot *w, dish_t d)
{
	return (rack_zmq_acked(ro->e->run->st[w->station].in, d));
}

/*
 * Its pulses come as messages (roster_heard): nothing to read. Orders
 * ride on the answer to its next pulse.
 */
static const struct roster_ops az_ops = {
	.note = az_note,
	.finished = az_finished,
};

static void
az_message(struct agents_zmq *az, zmq_msg_t *p, int n)
{
	struct engine		*e = az->e;
	struct roster_agent	*a;
	const struct az_event	*ev;
	char			 cmd[16], aid[64], name[SCN_NAME_MAX], host[32];
	char			 num[16];
	size_t			 i, nev;

	if (n < 2)
		return;
	az_str(&p[1], cmd, sizeof cmd);
	if (strcmp(cmd, "INFO") == 0) {
		az_info(az, &p[0]);
		return;
	}
	if (n < 3)
		return;
	az_str(&p[2], aid, sizeof aid);
	if (strcmp(cmd, "JOIN") == 0 && n >= 6) {
		az_join(az, &p[0], aid, az_str(&p[3], name, sizeof name),
		    (unsigned)strtoul(az_str(&p[4], num, sizeof num), NULL, 10),
		    az_str(&p[5], host, sizeof host));
		return;
	}
	if ((a = roster_find(&az->roster, aid)) == NULL ||
	    atomic_load(&a->lost)) {
		if (strcmp(cmd, "PULSE") == 0)
			az_send(az, &p[0], "PONG", "lost", NULL);
		return;
	}
	roster_heard(a);
	if (strcmp(cmd, "PULSE") == 0) {
		/* A kill order: the agent SIGKILLs itself (agent_zmq.c). */
		az_send(az, &p[0], "PONG", atomic_load(&a->kill) ? "kill" :
		    atomic_load(&e->ended) ? "ended" : "running", NULL);
	} else if (strcmp(cmd, "EV") == 0 && n >= 4) {
		nev = zmq_msg_size(&p[3]) / sizeof *ev;
		ev = zmq_msg_data(&p[3]);
		for (i = 0; i < nev; i++) {
			struct az_event	one;

			memcpy(&one, &ev[i], sizeof one);
			roster_apply(&az->roster, a, one.who, one.kind,
			    one.dish, one.arg, one.t);
		}
	}
}

static void *
az_main(void *arg)
{
	struct agents_zmq	*az = arg;
	zmq_pollitem_t		 it;
	zmq_msg_t		 p[8];
	int			 n, i;

	while (!atomic_load(&az->stop)) {
		it = (zmq_pollitem_t){ az->router, 0, ZMQ_POLLIN, 0 };
		if (zmq_poll(&it, 1, 50) == -1 && errno != EINTR)
			break;
		while ((n = az_recv(az->router, p, 8)) > 0) {
			az_message(az, p, n);
			for (i = 0; i < n; i++)
				zmq_msg_close(&p[i]);
		}
		roster_check(&az->roster);
		roster_wait_check(&az->roster);
	}
	return (NULL);
}

int
agents_zmq_publish(struct engine *e, char **cause)
{
	struct agents_zmq	*az;
	char			 ep[ZL_EP_MAX];
	sigset_t		 all, old;

	if (e->zwhere == NULL || !e->zwhere->tcp || e->opts.agent != NULL)
		return (0);
	az = xcalloc(1, sizeof *az);
	az->e = e;
	roster_init(&az->roster, e, &az_ops, az, az->endpoint);
	if ((az->router = zl_socket(ZMQ_ROUTER, 0, cause)) == NULL ||
	    zl_bind(az->router, zl_bind_endpoint(e->zwhere, "agents", 1, ep,
	    sizeof ep), az->endpoint, cause) == -1) {
		zl_close(az->router);
		free(az);
		return (-1);
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&az->thread, NULL, az_main, az) == 0)
		az->started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	e->zagents = az;
	return (0);
}

void
agents_zmq_reap(struct engine *e)
{
	struct agents_zmq	*az = e->zagents;

	if (az == NULL)
		return;
	roster_wait_workers(&az->roster);
	agents_zmq_end(e);
	roster_reap(e->run);
}

unsigned
agents_zmq_order_kill(struct engine *e, const char *name, unsigned si,
    unsigned *gone, char *known, size_t len)
{
	return (roster_order_kill(e->zagents != NULL ? &e->zagents->roster :
	    NULL, name, si, gone, known, len));
}

void
agents_zmq_end(struct engine *e)
{
	struct agents_zmq	*az = e->zagents;

	if (az == NULL)
		return;
	e->zagents = NULL;
	atomic_store(&az->stop, 1);
	if (az->started)
		pthread_join(az->thread, NULL);
	zl_close(az->router);
	free(az);
}

#endif	/* HAVE_ZMQ */
