/*
 * replay_data.c: a recording read whole, through the same reader as
 * --headless --replay (replay_run) with a tap that keeps what it is
 * given. The events are then put in time order (stably: each worker's
 * stay in theirs) and each work is given the time it ended, which the
 * screen draws as the work's progress.
 */
#include "config.h"

#include "replay_data.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "record.h"
#include "stats.h"
#include "xmalloc.h"

struct collect {
	struct replay_data	*d;
	size_t			 cap_ev, cap_out;
	uint32_t		*seq;
};

static void
collect_worker(void *arg, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	struct collect	*c = arg;
	uint32_t	 n;

	(void)t;
	(void)station;
	if (id >= c->d->nnames) {
		n = c->d->nnames ? c->d->nnames : 16;
		while (n <= id)
			n *= 2;
		c->d->names = xreallocarray(c->d->names, n, sizeof *c->d->names);
		memset(c->d->names + c->d->nnames, 0,
		    (n - c->d->nnames) * sizeof *c->d->names);
		c->d->nnames = n;
	}
	free(c->d->names[id]);
	c->d->names[id] = xstrdup(name);
}

static void
collect_event(void *arg, const struct event *e)
{
	struct collect	*c = arg;

	if (c->d->nev == c->cap_ev) {
		c->cap_ev = c->cap_ev ? c->cap_ev * 2 : 1024;
		c->d->ev = xreallocarray(c->d->ev, c->cap_ev, sizeof *c->d->ev);
	}
	c->d->ev[c->d->nev++] = *e;
}

static void
collect_output(void *arg, int64_t t, const char *text, size_t len)
{
	struct collect		*c = arg;
	struct replay_output	*o;

	if (c->d->nout == c->cap_out) {
		c->cap_out = c->cap_out ? c->cap_out * 2 : 64;
		c->d->out = xreallocarray(c->d->out, c->cap_out,
		    sizeof *c->d->out);
	}
	o = &c->d->out[c->d->nout++];
	o->t = t;
	o->text = xmalloc(len + 1);
	memcpy(o->text, text, len);
	o->text[len] = '\0';
	o->len = len;
}

/* Time order; at equal times, as read. */
static struct event *sort_ev;

static int
collect_cmp(const void *a, const void *b)
{
	const uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sort_ev[x].t != sort_ev[y].t)
		return (sort_ev[x].t < sort_ev[y].t ? -1 : 1);
	return (x < y ? -1 : x > y);
}

static int
collect_out_cmp(const void *a, const void *b)
{
	const struct replay_output *x = a, *y = b;

	if (x->t != y->t)
		return (x->t < y->t ? -1 : 1);
	return (x < y ? -1 : x > y);
}

int
replay_data_load(const char *path, struct replay_data *d, char **cause)
{
	struct replay	*rp;
	struct stats	 st;
	struct taps	 taps;
	struct tap	 t;
	struct collect	 c;
	struct event	*sorted;
	uint32_t	*idx;
	size_t		*open, i, nopen;
	char		*why = NULL;
	int		 rc;
	unsigned	 k;

	memset(d, 0, sizeof *d);
	if ((rp = replay_open(path, cause)) == NULL)
		return (-1);
	memset(&c, 0, sizeof c);
	c.d = d;
	memset(&taps, 0, sizeof taps);
	memset(&t, 0, sizeof t);
	t.worker = collect_worker;
	t.event = collect_event;
	t.output = collect_output;
	t.arg = &c;
	taps_add(&taps, &t);
	stats_init(&st, rp->scn);
	rc = replay_run(rp, &st, &taps, NULL, &why);
	stats_free(&st);
	if (rc == -1) {
		*cause = why;
		replay_close(rp);
		replay_data_free(d);
		return (-1);
	}
	/* Cut short: the screen replays what there is, and says so. */
	d->cut = why;

	/* Time order, stable (qsort is not: sort indices). */
	idx = xreallocarray(NULL, d->nev ? d->nev : 1, sizeof *idx);
	for (i = 0; i < d->nev; i++)
		idx[i] = (uint32_t)i;
	sort_ev = d->ev;
	qsort(idx, d->nev, sizeof *idx, collect_cmp);
	sorted = xreallocarray(NULL, d->nev ? d->nev : 1, sizeof *sorted);
	for (i = 0; i < d->nev; i++)
		sorted[i] = d->ev[idx[i]];
	free(d->ev);
	free(idx);
	d->ev = sorted;
	if (d->nout > 1)
		qsort(d->out, d->nout, sizeof *d->out, collect_out_cmp);

	/* Each work's end: the worked that follows it, the same worker's. */
	d->work_end = xcalloc(d->nev ? d->nev : 1, sizeof *d->work_end);
	nopen = d->nnames ? d->nnames : 1;
	open = xreallocarray(NULL, nopen, sizeof *open);
	for (i = 0; i < nopen; i++)
		open[i] = SIZE_MAX;
	for (i = 0; i < d->nev; i++) {
		const struct event	*e = &d->ev[i];

		if (e->worker >= nopen)
			continue;
		if (e->kind == EV_WORK)
			open[e->worker] = i;
		else if (e->kind == EV_WORKED && open[e->worker] != SIZE_MAX) {
			const struct event *w = &d->ev[open[e->worker]];
			int64_t		    ms = (int64_t)w->arg * NSEC_PER_MSEC;

			/*
			 * The screen's bar runs to the time drawn (work = its
			 * arg, in ms), not to when it ended: computing under
			 * the GIL ends later. Within the millisecond, the end
			 * is the exact time.
			 */
			d->work_end[open[e->worker]] = e->t - w->t >= ms &&
			    e->t - w->t < ms + NSEC_PER_MSEC ? e->t : w->t + ms;
			open[e->worker] = SIZE_MAX;
		}
	}
	/* A work the recording ends in: as long as it was drawn. */
	for (i = 0; i < nopen; i++)
		if (open[i] != SIZE_MAX) {
			const struct event *e = &d->ev[open[i]];

			d->work_end[open[i]] = e->t + (int64_t)e->arg *
			    NSEC_PER_MSEC;
		}
	free(open);

	d->virtual_clock = strcmp(rp->clock, "virtual") == 0;
	d->speed = rp->speed;
	d->t_end = rp->se.t_end;
	d->wall_ns = rp->se.wall_ns;
	d->interrupted = rp->rr.interrupted;
	d->deadlocked = rp->rr.deadlocked;
	d->cycle = rp->rr.cycle != NULL ? xstrdup(rp->rr.cycle) : NULL;
	d->error = rp->rr.error != NULL ? xstrdup(rp->rr.error) : NULL;
	for (k = 0; k < rp->scn->nstations; k++) {
		d->counts[k] = rp->scn->stations[k].count;
		d->times[k] = rp->scn->stations[k].time;
	}
	replay_close(rp);
	return (0);
}

struct scenario *
replay_data_scenario(const char *path, char **cause)
{
	struct replay	*rp;
	struct scenario	*scn;

	if ((rp = replay_open(path, cause)) == NULL)
		return (NULL);
	scn = rp->scn;
	rp->scn = NULL;
	replay_close(rp);
	return (scn);
}

void
replay_data_free(struct replay_data *d)
{
	size_t		i;
	uint32_t	k;

	free(d->cut);
	d->cut = NULL;
	for (i = 0; i < d->nout; i++)
		free(d->out[i].text);
	for (k = 0; k < d->nnames; k++)
		free(d->names[k]);
	free(d->out);
	free(d->names);
	free(d->ev);
	free(d->work_end);
	free(d->cycle);
	free(d->error);
	memset(d, 0, sizeof *d);
}
