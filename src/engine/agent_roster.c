/*
 * agent_roster.c: the run's book of its agents, for every home
 * (agent_roster.h). A home's thread alone writes an agent's slots (ring,
 * hand, state), so stats and the screen see remote workers as any other;
 * the conductor gives the slots (under the engine's ctl lock) and marks
 * the kill orders.
 */
#include "config.h"

#include "agent_roster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bcast.h"
#include "engine_int.h"
#include "run.h"
#include "i18n.h"
#include "xmalloc.h"

/* host into known ("laptop-a, laptop-b"), once. */
void
agents_known(char *known, size_t len, const char *host)
{
	size_t	 n = strlen(host), have = strlen(known);
	char	*p;

	for (p = strstr(known, host); p != NULL; p = strstr(p + 1, host)) {
		if ((p == known || p[-1] == ' ') && (p[n] == ',' ||
		    p[n] == '\0'))
			return;
	}
	snprintf(known + have, len - have, "%s%s", have > 0 ? ", " : "",
	    host);
}

void
roster_init(struct roster *r, struct engine *e, const struct roster_ops *ops,
    void *home, const char *shown)
{
	memset(r, 0, sizeof *r);
	r->e = e;
	r->ops = ops;
	r->home = home;
	r->shown = shown;
	r->since = clock_mono_ns();
}

struct roster_agent *
roster_join(struct roster *r, const char *id, const char *name,
    unsigned count, const char *host, char **slots, char **why)
{
	struct engine		*e = r->e;
	struct run		*run = e->run;
	struct roster_agent	*a;
	struct run_station	*rs;
	struct wslot		*w;
	struct station		*st;
	char			*text, *more;
	unsigned		 i, slot;
	int			 si;

	*slots = *why = NULL;
	if (atomic_load(&e->ended) || atomic_load(&run->stop)) {
		*why = xstrdup("the run has ended");
		return (NULL);
	}
	if ((st = scenario_station(e->scn, name)) == NULL) {
		xasprintf(why, "the run has no station '%s'", name);
		return (NULL);
	}
	if ((si = (int)(st - e->scn->stations)) == 0) {
		*why = xstrdup("the first station takes its dishes from the "
		    "pile, which stays with the run: agents run the stations "
		    "after it");
		return (NULL);
	}
	pthread_mutex_lock(&e->ctl);
	if (atomic_load(&r->n) == ROSTER_MAX || count == 0 ||
	    count > ENGINE_AGENT_MAX ||
	    atomic_load(&run->used) + count > run->nslots) {
		pthread_mutex_unlock(&e->ctl);
		xasprintf(why, "no room for %u more workers (at most %d agents "
		    "of %d workers, %u workers in all)", count, ROSTER_MAX,
		    ENGINE_AGENT_MAX, run->nslots);
		return (NULL);
	}
	a = &r->a[atomic_load(&r->n)];
	snprintf(a->id, sizeof a->id, "%s", id);
	snprintf(a->host, sizeof a->host, "%s", host);
	a->station = (unsigned)si;
	a->first = atomic_load(&run->used);
	a->n = count;
	a->offset = run_now(run);
	a->heard = clock_mono_ns();
	a->seen = 0;
	atomic_store(&a->lost, 0);
	atomic_store(&a->kill, 0);
	rs = &run->st[si];
	text = xstrdup("");
	for (i = 0; i < count; i++) {
		slot = a->first + i;
		w = &run->slots[slot];
		w->station = (unsigned)si;
		w->index = ++rs->next_index;
		snprintf(w->name, sizeof w->name, "%s-%u", st->name, w->index);
		snprintf(w->host, sizeof w->host, "%s", host);
		w->remote = (int)atomic_load(&r->n) + 1;
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
	atomic_fetch_add(&r->n, 1);
	st->count += count;
	pthread_mutex_unlock(&e->ctl);
	*slots = text;
	return (a);
}

struct roster_agent *
roster_find(struct roster *r, const char *id)
{
	unsigned	i;

	for (i = 0; i < atomic_load(&r->n); i++) {
		if (strcmp(r->a[i].id, id) == 0)
			return (&r->a[i]);
	}
	return (NULL);
}

void
roster_heard(struct roster_agent *a)
{
	a->heard = clock_mono_ns();
}

/* One event into its slot, lost agent or not (roster_lose's own). */
static void
roster_apply_one(struct roster *r, struct roster_agent *a, unsigned slot,
    int kind, dish_t d, int32_t arg, int64_t t)
{
	struct run	*run = r->e->run;
	struct wslot	*w;
	struct rack	*in;
	int		 bcast;

	if (slot < a->first || slot >= a->first + a->n ||
	    slot >= atomic_load(&run->used))
		return;
	w = &run->slots[slot];
	if (atomic_load(&w->state) == WS_EXITED)
		return;
	in = run->st[w->station].in;
	t += a->offset;
	/* A subscriber's: the run's broadcast books count it. */
	if ((bcast = rack_is_broadcast(in)))
		rack_bcast_remote(in, slot, w->station, kind, d);
	switch (kind) {
	case EV_SPAWN:
		atomic_store(&w->pid, arg);
		break;
	case EV_WAIT_GET:
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_GET:
		if (!bcast) {	/* a copy is paid by its EV_DONE */
			atomic_store(&w->hand.owed, d);
			atomic_store(&w->hand.owes, 1);
		}
		atomic_store(&w->hand.dish, d);
		if (!bcast && r->ops->note != NULL)
			r->ops->note(r, w, kind);
		break;
	case EV_WORK:
		atomic_store(&w->work_end, t + (int64_t)arg * NSEC_PER_MSEC);
		atomic_store(&w->state, WS_WORKING);
		break;
	case EV_WAIT_PUT:
		atomic_store(&w->state, WS_WAIT_PUT);
		break;
	case EV_PUT:
	case EV_DONE:
		if (!bcast && r->ops->note != NULL)
			r->ops->note(r, w, kind);
		atomic_store(&w->hand.dish, DISH_NONE);
		atomic_fetch_add(&w->dishes, 1);
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_EXIT:
		/* Stopped with a dish in hand: it goes back for the others. */
		if (atomic_load(&w->hand.dish) != DISH_NONE)
			rack_reclaim(in, &w->hand);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		break;
	default:
		break;
	}
	atomic_store(&w->since, t);
	ev_ring_put(w->ring, t, (enum ev_kind)kind, d, arg);
}

void
roster_apply(struct roster *r, struct roster_agent *a, unsigned slot,
    int kind, dish_t d, int32_t arg, int64_t t)
{
	struct run	*run = r->e->run;
	int		 k;

	if (a == NULL) {
		if (slot >= atomic_load(&run->used))
			return;
		k = run->slots[slot].remote;
		if (k <= 0 || (unsigned)k > atomic_load(&r->n))
			return;
		a = &r->a[k - 1];
	}
	if (atomic_load(&a->lost))
		return;
	roster_apply_one(r, a, slot, kind, d, arg, t);
}

int
roster_verdict(struct roster_agent *a, enum roster_pulse p, int64_t now)
{
	switch (p) {
	case ROSTER_PULSE_UP:
		a->heard = now;
		a->seen = 1;
		return (0);
	case ROSTER_PULSE_UNKNOWN:
		return (0);	/* the home is away: no word on anyone */
	case ROSTER_PULSE_DOWN:
		/*
		 * Once read, a pulse gone is one that ran out. Never read,
		 * it may not be written yet: the agent had its answer and
		 * starts its workers first.
		 */
		if (a->seen)
			return (1);
		break;
	case ROSTER_PULSE_PUSHED:
		break;
	}
	return (now - a->heard > ROSTER_SILENT_NS);
}

void
roster_check(struct roster *r)
{
	struct roster_agent	*a;
	enum roster_pulse	 p;
	unsigned		 k;

	for (k = 0; k < atomic_load(&r->n); k++) {
		a = &r->a[k];
		if (atomic_load(&a->lost))
			continue;
		p = r->ops->pulse != NULL ? r->ops->pulse(r, a) :
		    ROSTER_PULSE_PUSHED;
		if (roster_verdict(a, p, clock_mono_ns()))
			roster_lose(r, a);
	}
}

void
roster_lose(struct roster *r, struct roster_agent *a)
{
	struct run	*run = r->e->run;
	struct wslot	*w;
	struct rack	*in;
	dish_t		 d;
	unsigned	 i;

	atomic_store(&a->lost, 1);
	for (i = a->first; i < a->first + a->n; i++) {
		w = &run->slots[i];
		if (atomic_load(&w->state) == WS_EXITED)
			continue;
		in = run->st[w->station].in;
		d = atomic_load(&w->hand.dish);
		if (d != DISH_NONE && r->ops->finished != NULL &&
		    r->ops->finished(r, w, d)) {
			/*
			 * Finished (acknowledged only once put on or done):
			 * only the event saying so died with the agent, killed
			 * between the two. It is the run's record now.
			 */
			roster_apply_one(r, a, i, run->st[w->station].out !=
			    NULL ? EV_PUT : EV_DONE, d, 0, run_now(run) -
			    a->offset);
			d = DISH_NONE;
		}
		if (rack_reclaim(in, &w->hand) != 1)
			d = DISH_NONE;
		atomic_store(&w->died, 1);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		ev_ring_put(w->ring, run_now(run), EV_EXIT, d, EXIT_DIED);
	}
}

void
roster_orders(struct roster *r)
{
	unsigned	k;

	if (r->ops->order == NULL)
		return;
	for (k = 0; k < atomic_load(&r->n); k++) {
		if (atomic_load(&r->a[k].kill) == 1 &&
		    r->ops->order(r, &r->a[k]) == 0)
			atomic_store(&r->a[k].kill, 2);
	}
}

unsigned
roster_order_kill(struct roster *r, const char *name, unsigned si,
    unsigned *gone, char *known, size_t len)
{
	struct roster_agent	*a;
	unsigned		 k, asked = 0;

	if (r == NULL)
		return (0);
	for (k = 0; k < atomic_load(&r->n); k++) {
		a = &r->a[k];
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
		if (atomic_load(&a->kill) == 0)
			atomic_store(&a->kill, 1);
		asked++;
	}
	return (asked);
}

void
roster_wait_check(struct roster *r)
{
	struct engine	*e = r->e;
	unsigned	 i, k, n, subs;
	char		*why;

	if (clock_mono_ns() - r->since < ROSTER_WAIT_NS)
		return;
	n = atomic_load(&r->n);
	/* --wait-agents: the broadcast's publisher waits for them. */
	for (k = 0, subs = 0; k < n; k++)
		subs += r->a[k].n;
	if (e->opts.wait_agents > subs) {
		xasprintf(&why, _("%u of the %u agents' subscribers the "
		    "broadcast waits for (--wait-agents) joined within 60 s: "
		    "start them with dishrack agent %s --station %s"), subs,
		    e->opts.wait_agents, r->shown, e->scn->stations[1].name);
		engine_fail(e, why);
		engine_stop(e);
		r->since = INT64_MAX / 2;	/* said once */
		return;
	}
	for (i = 1; i < e->scn->nstations; i++) {
		if (!e->scn->stations[i].agents_only)
			continue;
		for (k = 0; k < n && r->a[k].station != i; k++)
			;
		if (k < n)
			continue;
		xasprintf(&why, _("no agent joined within 60 s to run [%s]: "
		    "start one with dishrack agent %s --station %s"),
		    e->scn->stations[i].name, r->shown,
		    e->scn->stations[i].name);
		engine_fail(e, why);
		engine_stop(e);
		r->since = INT64_MAX / 2;	/* said once */
		return;
	}
}

void
roster_wait_workers(struct roster *r)
{
	struct run	*run = r->e->run;
	int64_t		 deadline;
	unsigned	 i, k, left;

	/* Their racks are closed: they leave within a slice, or are lost. */
	deadline = clock_mono_ns() + 10 * NSEC_PER_SEC;
	do {
		left = 0;
		for (k = 0; k < atomic_load(&r->n); k++) {
			for (i = r->a[k].first; i < r->a[k].first + r->a[k].n;
			    i++)
				left += atomic_load(&run->slots[i].state) !=
				    WS_EXITED;
		}
		if (left > 0)
			clock_sleep_ns(20 * NSEC_PER_MSEC);
	} while (left > 0 && clock_mono_ns() < deadline);
}

void
roster_reap(struct run *run)
{
	unsigned	i;

	for (i = 0; i < atomic_load(&run->used); i++) {
		if (run->slots[i].remote && atomic_load(&run->slots[i].state) !=
		    WS_EXITED) {
			atomic_store(&run->slots[i].state, WS_EXITED);
			atomic_store(&run->slots[i].died, 1);
		}
	}
}
