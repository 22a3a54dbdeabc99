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

#include "agents_zmq.h"
#include "rack_zmq.h"
#include "zmq_link.h"
#include "xmalloc.h"

#define AZ_MAX		16
#define AZ_LOST_NS	(3 * NSEC_PER_SEC)
#define AZ_WAIT_NS	(60 * NSEC_PER_SEC)

struct az_agent {
	char		 id[64];
	char		 host[32];
	unsigned	 station;
	unsigned	 first;
	unsigned	 n;
	int64_t		 offset;
	int64_t		 heard;		/* clock_mono_ns of its last word */
	_Atomic int	 lost;
	_Atomic int	 kill;		/* ordered to die: its next PONG */
};

struct agents_zmq {
	struct engine	*e;
	void		*router;
	char		 endpoint[ZL_EP_MAX];
	pthread_t	 thread;
	int		 started;
	_Atomic int	 stop;
	struct az_agent	 a[AZ_MAX];
	_Atomic unsigned n;
	int64_t		 since;
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
	struct engine		*e = az->e;
	struct run		*run = e->run;
	struct az_agent		*a;
	struct run_station	*rs;
	struct wslot		*w;
	struct station		*st;
	char			*text, *more, off[32];
	unsigned		 i, slot;
	int			 si;

	if (atomic_load(&e->ended) || atomic_load(&run->stop)) {
		az_send(az, id, "ERR", "the run has ended", NULL);
		return;
	}
	if ((st = scenario_station(e->scn, name)) == NULL) {
		xasprintf(&text, "the run has no station '%s'", name);
		az_send(az, id, "ERR", text, NULL);
		free(text);
		return;
	}
	if ((si = (int)(st - e->scn->stations)) == 0) {
		az_send(az, id, "ERR", "the first station takes its dishes from "
		    "the pile, which stays with the run: agents run the stations "
		    "after it", NULL);
		return;
	}
	pthread_mutex_lock(&e->ctl);
	if (atomic_load(&az->n) == AZ_MAX || count == 0 ||
	    count > ENGINE_AGENT_MAX ||
	    atomic_load(&run->used) + count > run->nslots) {
		pthread_mutex_unlock(&e->ctl);
		xasprintf(&text, "no room for %u more workers (at most %d agents "
		    "of %d workers, %u workers in all)", count, AZ_MAX,
		    ENGINE_AGENT_MAX, run->nslots);
		az_send(az, id, "ERR", text, NULL);
		free(text);
		return;
	}
	a = &az->a[atomic_load(&az->n)];
	snprintf(a->id, sizeof a->id, "%s", aid);
	snprintf(a->host, sizeof a->host, "%s", host);
	a->station = (unsigned)si;
	a->first = atomic_load(&run->used);
	a->n = count;
	a->offset = run_now(run);
	a->heard = clock_mono_ns();
	rs = &run->st[si];
	text = xstrdup("");
	for (i = 0; i < count; i++) {
		slot = a->first + i;
		w = &run->slots[slot];
		w->station = (unsigned)si;
		w->index = ++rs->next_index;
		snprintf(w->name, sizeof w->name, "%s-%u", st->name, w->index);
		snprintf(w->host, sizeof w->host, "%s", host);
		w->remote = (int)atomic_load(&az->n) + 1;
		atomic_store(&w->hand.dish, DISH_NONE);
		atomic_store(&w->hand.owed, DISH_NONE);
		w->hand.who = slot;
		atomic_store(&w->waiting_lock, -1);
		atomic_store(&w->state, WS_STARTING);
		atomic_store(&w->since, a->offset);
		atomic_fetch_add(&rs->live, 1);
		xasprintf(&more, "%s%s%u %s", text, i > 0 ? " " : "", slot,
		    w->name);
		free(text);
		text = more;
	}
	atomic_store(&run->used, a->first + count);
	atomic_fetch_add(&az->n, 1);
	st->count += count;
	pthread_mutex_unlock(&e->ctl);
	snprintf(off, sizeof off, "%lld", (long long)a->offset);
	az_send(az, id, "OK", off, text, NULL);
	free(text);
}

static struct az_agent *
az_find(struct agents_zmq *az, const char *aid)
{
	unsigned	i;

	for (i = 0; i < atomic_load(&az->n); i++) {
		if (strcmp(az->a[i].id, aid) == 0)
			return (&az->a[i]);
	}
	return (NULL);
}

/* What a remote worker did, into its slot: ring, hand, state. */
static void
az_apply(struct agents_zmq *az, struct az_agent *a, const struct az_event *ev)
{
	struct run	*run = az->e->run;
	struct wslot	*w;
	struct rack	*in, *out;
	struct zr_view	 v;
	int64_t		 t;
	dish_t		 d = ev->dish;

	if (ev->who < a->first || ev->who >= a->first + a->n ||
	    ev->who >= atomic_load(&run->used))
		return;
	w = &run->slots[ev->who];
	if (atomic_load(&w->state) == WS_EXITED)
		return;
	in = run->st[w->station].in;
	out = run->st[w->station].out;
	t = ev->t + a->offset;
	switch (ev->kind) {
	case EV_SPAWN:
		atomic_store(&w->pid, ev->arg);
		break;
	case EV_WAIT_GET:
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_GET:
		atomic_store(&w->hand.owed, d);
		atomic_store(&w->hand.dish, d);
		atomic_store(&w->hand.owes, 1);
		rack_zmq_note(in, out, EV_GET);
		break;
	case EV_WORK:
		atomic_store(&w->state, WS_WORKING);
		break;
	case EV_WAIT_PUT:
		atomic_store(&w->state, WS_WAIT_PUT);
		break;
	case EV_PUT:
	case EV_DONE:
		rack_zmq_note(in, out, ev->kind);
		atomic_store(&w->hand.dish, DISH_NONE);
		/* A plain rack counted the task_done now: nothing owed. */
		if (rack_zmq_view(in, &v) == 0 && !v.reliable)
			atomic_store(&w->hand.owes, 0);
		atomic_fetch_add(&w->dishes, 1);
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_EXIT:
		if (atomic_load(&w->hand.dish) != DISH_NONE)
			rack_reclaim(in, &w->hand);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		break;
	default:
		break;
	}
	atomic_store(&w->since, t);
	ev_ring_put(w->ring, t, (enum ev_kind)ev->kind, d, ev->arg);
}

/* An agent stopped answering: its dishes go back, its workers are lost. */
static void
az_lose(struct agents_zmq *az, struct az_agent *a)
{
	struct run	*run = az->e->run;
	struct wslot	*w;
	dish_t		 d;
	unsigned	 i;

	a->lost = 1;
	for (i = a->first; i < a->first + a->n; i++) {
		w = &run->slots[i];
		if (atomic_load(&w->state) == WS_EXITED)
			continue;
		d = atomic_load(&w->hand.dish);
		if (d != DISH_NONE && rack_zmq_acked(run->st[w->station].in,
		    d)) {
			/*
			 * Acknowledged, so finished (the worker acknowledges
			 * a dish only after it is put on or done): only the
			 * event saying so died with the agent. It is the
			 * run's record now.
			 */
			struct az_event	done = { 0 };

			done.t = run_now(run) - a->offset;
			done.who = i;
			done.dish = d;
			done.kind = run->st[w->station].out != NULL ? EV_PUT :
			    EV_DONE;
			az_apply(az, a, &done);
			d = DISH_NONE;
		}
		if (rack_reclaim(run->st[w->station].in, &w->hand) != 1)
			d = DISH_NONE;
		atomic_store(&w->died, 1);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		ev_ring_put(w->ring, run_now(run), EV_EXIT, d, EXIT_DIED);
	}
}

static void
az_message(struct agents_zmq *az, zmq_msg_t *p, int n)
{
	struct engine		*e = az->e;
	struct az_agent		*a;
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
	if ((a = az_find(az, aid)) == NULL || a->lost) {
		if (strcmp(cmd, "PULSE") == 0)
			az_send(az, &p[0], "PONG", "lost", NULL);
		return;
	}
	a->heard = clock_mono_ns();
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
			az_apply(az, a, &one);
		}
	}
}

/* A station that waits for agents waits a minute at most. */
static void
az_wait_check(struct agents_zmq *az)
{
	struct engine	*e = az->e;
	unsigned	 i, k, n;
	char		*why;

	if (clock_mono_ns() - az->since < AZ_WAIT_NS)
		return;
	n = atomic_load(&az->n);
	for (i = 1; i < e->scn->nstations; i++) {
		if (!e->scn->stations[i].agents_only)
			continue;
		for (k = 0; k < n && az->a[k].station != i; k++)
			;
		if (k < n)
			continue;
		xasprintf(&why, "no agent joined within 60 s to run [%s]: start "
		    "one with dishrack agent %s --station %s",
		    e->scn->stations[i].name, az->endpoint,
		    e->scn->stations[i].name);
		engine_fail(e, why);
		engine_stop(e);
		az->since = INT64_MAX / 2;
		return;
	}
}

static void *
az_main(void *arg)
{
	struct agents_zmq	*az = arg;
	zmq_pollitem_t		 it;
	zmq_msg_t		 p[8];
	int64_t			 now;
	unsigned		 k;
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
		now = clock_mono_ns();
		for (k = 0; k < atomic_load(&az->n); k++) {
			if (!az->a[k].lost && now - az->a[k].heard > AZ_LOST_NS)
				az_lose(az, &az->a[k]);
		}
		az_wait_check(az);
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
	az->since = clock_mono_ns();
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
	struct run		*run = e->run;
	int64_t			 deadline;
	unsigned		 i, k, left;

	if (az == NULL)
		return;
	/* Their racks are closed: they leave within a slice, or are lost. */
	deadline = clock_mono_ns() + 10 * NSEC_PER_SEC;
	do {
		left = 0;
		for (k = 0; k < atomic_load(&az->n); k++) {
			for (i = az->a[k].first; i < az->a[k].first +
			    az->a[k].n; i++)
				left += atomic_load(&run->slots[i].state) !=
				    WS_EXITED;
		}
		if (left > 0)
			clock_sleep_ns(20 * NSEC_PER_MSEC);
	} while (left > 0 && clock_mono_ns() < deadline);
	agents_zmq_end(e);
	for (i = 0; i < atomic_load(&run->used); i++) {
		if (run->slots[i].remote && atomic_load(&run->slots[i].state) !=
		    WS_EXITED) {
			atomic_store(&run->slots[i].state, WS_EXITED);
			atomic_store(&run->slots[i].died, 1);
		}
	}
}

unsigned
agents_zmq_order_kill(struct engine *e, const char *name, unsigned si,
    unsigned *gone, char *known, size_t len)
{
	struct agents_zmq	*az = e->zagents;
	struct az_agent		*a;
	unsigned		 k, asked = 0;

	if (az == NULL)
		return (0);
	for (k = 0; k < atomic_load(&az->n); k++) {
		a = &az->a[k];
		if (name != NULL)
			agents_known(known, len, a->host);
		if (name != NULL ? strcmp(a->host, name) != 0 &&
		    strcmp(a->id, name) != 0 : a->station != si)
			continue;
		if (name == NULL && !atomic_load(&a->lost))
			agents_known(known, len, a->host);
		if (atomic_load(&a->lost)) {
			(*gone)++;
			continue;
		}
		atomic_store(&a->kill, 1);
		asked++;
	}
	return (asked);
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
