/*
 * theory.c: the rows of prediction and measurement, and the verdict. The
 * causes are the ones doc/theory.md explains: a run that starts empty, a
 * finite run of random times, the GIL, a lock, the real clock. Rows and
 * causes are named, not worded: report_theory.c words them for each view.
 */
#include "config.h"

#include "theory.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct theory_row *
theory_add(struct theory_row *rows, size_t *n, size_t max, enum theory_unit u,
    enum theory_what what, unsigned station)
{
	struct theory_row	*r;

	if (*n >= max)
		return (NULL);
	r = &rows[(*n)++];
	memset(r, 0, sizeof *r);
	r->what = what;
	r->station = station;
	r->unit = u;
	return (r);
}

size_t
theory_rows(const struct stats *s, struct theory_row *rows, size_t max)
{
	const struct prediction	*p = stats_prediction(s);
	const struct scenario	*scn = s->scn;
	struct theory_row	*r;
	size_t			 n = 0;
	unsigned		 i;

	if ((r = theory_add(rows, &n, max, TU_RATE, TW_THROUGHPUT, 0)) != NULL) {
		/* A pile's run is finite: its whole throughput, as predicted. */
		r->measured = p->open && s->warmup_ns > 0 ? s->throughput_win :
		    s->throughput;
		r->have_measured = s->t_end > s->warmup_ns;
		r->predicted = p->open && s->warmup_ns > 0 ? (p->stable ?
		    p->lambda : p->steady) : p->throughput;
		r->have_predicted = p->valid;
	}
	if ((r = theory_add(rows, &n, max, TU_SECONDS, TW_TIME, 0)) != NULL) {
		r->measured = (double)s->t_end / 1e9;
		r->have_measured = s->t_end > 0;
		r->predicted = p->wall_s;
		r->have_predicted = p->valid && isfinite(p->wall_s);
	}
	for (i = 0; i < s->nstations; i++) {
		if ((r = theory_add(rows, &n, max, TU_FRACTION, TW_BUSY,
		    i)) == NULL)
			break;
		r->measured = s->busy_win[i];
		r->have_measured = s->t_end > s->warmup_ns;
		r->predicted = p->st[i].busy;
		r->have_predicted = p->valid;
	}
	for (i = 0; i < s->nstations; i++) {
		const struct flow_stats *f = &s->queue[i];

		if (i == 0 && s->arrival == NULL)
			continue;
		if (i > 0 && scn->broadcast)
			continue;	/* not a queue: report_theory_text says */
		if ((r = theory_add(rows, &n, max, TU_SECONDS, TW_WAIT,
		    i)) == NULL)
			break;
		r->measured = f->mean_w;
		r->have_measured = f->valid;
		r->predicted = p->st[i].wait_s;
		r->have_predicted = p->valid && p->st[i].have_queue &&
		    isfinite(p->st[i].wait_s);
		if ((r = theory_add(rows, &n, max, TU_DISHES, TW_DEPTH,
		    i)) == NULL)
			break;
		r->measured = f->mean_l;
		r->have_measured = s->t_end > s->warmup_ns;
		r->predicted = p->st[i].depth;
		r->have_predicted = p->valid && p->st[i].have_queue &&
		    isfinite(p->st[i].depth);
		/* An open line's stations: Erlang C's chance, and W. */
		if (!p->open)
			continue;
		if ((r = theory_add(rows, &n, max, TU_FRACTION, TW_P_WAIT,
		    i)) == NULL)
			break;
		r->measured = f->nwait ? (double)f->nwaited /
		    (double)f->nwait : 0;
		r->have_measured = f->valid;
		r->predicted = p->st[i].q.p_wait;
		r->have_predicted = p->valid && p->stable;
		if ((r = theory_add(rows, &n, max, TU_SECONDS, TW_IN_SYSTEM,
		    i)) == NULL)
			break;
		r->measured = f->mean_w + s->hands[i].mean_w;
		r->have_measured = f->valid && s->hands[i].valid;
		r->predicted = p->st[i].q.w;
		r->have_predicted = p->valid && p->stable &&
		    isfinite(p->st[i].q.w);
	}
	return (n);
}

/*
 * How far apart, relative; small figures are compared on an absolute
 * floor, and closer than the floor is no gap (*small says there was one).
 */
static double
theory_gap(const struct stats *s, const struct theory_row *r, int *small)
{
	const struct prediction	*p = stats_prediction(s);
	double			 floor = 1e-3;
	unsigned		 i;

	/* A millisecond late on a 3 s dish is no disagreement. */
	if (r->unit == TU_FRACTION || r->unit == TU_DISHES)
		floor = 0.05;
	else if (r->unit == TU_SECONDS)
		for (i = 0; i < p->nstations; i++)
			if (p->st[i].mean_s * 0.01 > floor)
				floor = p->st[i].mean_s * 0.01;
	double	base = fabs(r->predicted);

	/*
	 * Closer than the floor is no gap, however small the two: a wait
	 * of 1 ms against none predicted was "+100 %" on the real clock.
	 */
	if (fabs(r->measured - r->predicted) < floor) {
		if (r->measured != r->predicted)
			*small = 1;
		return (0.0);
	}
	if (base < floor)
		base = floor;
	return (fabs(r->measured - r->predicted) / base);
}

int
theory_verdict(const struct stats *s, struct theory_verdict *v)
{
	struct theory_row	 rows[THEORY_MAX_ROWS];
	const struct prediction	*p = stats_prediction(s);
	const struct scenario	*scn = s->scn;
	size_t			 n, i;
	int			 best = -1, cpu = 0;
	double			 gap, worst = 0.01;

	memset(v, 0, sizeof *v);
	v->row = -1;
	n = theory_rows(s, rows, THEORY_MAX_ROWS);
	for (i = 0; i < n; i++) {
		if (!rows[i].have_measured || !rows[i].have_predicted)
			continue;
		if ((gap = theory_gap(s, &rows[i], &v->too_small)) > worst) {
			worst = gap;
			best = (int)i;
		}
	}
	if (!p->valid) {
		v->cause = TC_NO_PREDICTION;
		return (-1);
	}
	if (best == -1) {
		v->cause = TC_AGREE;
		v->approximate = !p->exact;
		return (-1);
	}
	v->row = best;
	v->r = rows[best];
	v->percent = rows[best].predicted != 0 ? 100.0 *
	    (rows[best].measured - rows[best].predicted) /
	    fabs(rows[best].predicted) : 100.0;
	for (i = 0; i < scn->nstations; i++)
		cpu |= scn->stations[i].work == WORK_CPU;
	if (s->deadlocked)
		v->cause = TC_DEADLOCK;
	else if (p->open && !p->stable)
		v->cause = TC_OVERLOAD;
	else if (p->open && s->warmup_ns == 0 && s->ndishes <= 20000 &&
	    rows[best].measured < rows[best].predicted &&
	    (rows[best].unit == TU_SECONDS || rows[best].unit == TU_DISHES))
		v->cause = TC_START_UP;
	else if (p->open)
		v->cause = TC_FINITE_OPEN;
	else if (scn->gil && cpu)
		v->cause = TC_GIL;
	else if (scn->cupboard && (scn->cupboard_lock == LOCK_MUTEX ||
	    scn->cupboard_lock == LOCK_SPIN))
		v->cause = TC_LOCK;
	else if (cpu)
		v->cause = TC_CPU;
	else if (s->real_clock)
		v->cause = TC_REAL_CLOCK;
	else if (!p->exact)
		v->cause = TC_RANDOM;
	else
		v->cause = TC_FINITE;
	/* A random stream that came slower or faster than its rate. */
	if (p->open && s->arrival != NULL && s->ndishes > 1) {
		int64_t		from = s->arrival[0], to;
		uint64_t	d = 0, k = 0;

		/* The rate the stream came at, over the arrivals themselves. */
		while (d < s->ndishes && s->arrival[d] < s->warmup_ns)
			d++;
		if (d < s->ndishes)
			from = s->arrival[d];
		to = s->arrival[s->ndishes - 1];
		k = s->ndishes - d;
		if (k > 1 && to > from && fabs((double)(k - 1) * 1e9 /
		    (double)(to - from) - p->lambda) > 0.03 * p->lambda) {
			v->have_arrived = 1;
			v->arrived = (double)(k - 1) * 1e9 /
			    (double)(to - from);
			v->lambda = p->lambda;
		}
	}
	return (best);
}

const char *
theory_format(enum theory_unit u, double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "unbounded");
		return (buf);
	}
	switch (u) {
	case TU_RATE:
		snprintf(buf, len, "%.3f/s", v);
		break;
	case TU_SECONDS:
		snprintf(buf, len, "%.3f s", v);
		break;
	case TU_FRACTION:
		snprintf(buf, len, "%.1f%%", v * 100.0);
		break;
	case TU_DISHES:
		snprintf(buf, len, "%.3f", v);
		break;
	}
	return (buf);
}
