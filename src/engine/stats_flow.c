/*
 * stats_flow.c: the measured side of the theory (doc/theory.md), folded
 * from the same events as the rest of stats: each dish's own times in the
 * racks, in the workers' hands and (with arrivals) in the queue of dishes
 * that have arrived, the time-weighted number in each, the busy fractions
 * and throughput after the warm-up; and the prediction the run is held to.
 */
#include "config.h"

#include "stats.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrivals.h"
#include "xmalloc.h"

/*
 * Room for each dish's put time per rack, to pair it with its get (read
 * from another ring, maybe first); a run too large for it goes without
 * the racks' waits. calloc's pages are touched only as dishes pass.
 */
#define STATS_PAIR_SLOTS	(4ULL << 20)

void
stats_flow_init(struct stats *s, const struct scenario *scn)
{
	uint64_t	n = (uint64_t)scn->ndishes * (scn->nstations - 1);

	long		cores = sysconf(_SC_NPROCESSORS_ONLN);

	unsigned	i;

	s->warmup_ns = scn->warmup_ns;
	s->arrival = arrivals_make(scn);
	/* A thousandth of a dish's time, or a microsecond, is no wait. */
	for (i = 0; i < scn->nstations; i++) {
		s->queue[i].quick_ns = stats_mean_ns(&scn->stations[i].time) /
		    1000;
		if (s->queue[i].quick_ns < 1000)
			s->queue[i].quick_ns = 1000;
	}
	predict(scn, scn->cores, &s->pred);
	s->pred_real = s->pred;
	if (cores > 0 && (unsigned)cores != scn->cores)
		predict(scn, (unsigned)cores, &s->pred_real);
	if (scn->nstations > 1 && n <= STATS_PAIR_SLOTS)
		s->put_t = xcalloc(n, sizeof *s->put_t);
}

static double
stats_clamp(const struct stats *s, int64_t t)
{
	return ((double)(t > s->warmup_ns ? t : s->warmup_ns));
}

static void
flow_in(struct stats *s, struct flow_stats *f, int64_t t)
{
	f->n_in++;
	f->in_clamped += stats_clamp(s, t);
	if (t >= s->warmup_ns)
		f->in_win++;
}

static void
flow_out(struct stats *s, struct flow_stats *f, int64_t t)
{
	f->n_out++;
	f->out_clamped += stats_clamp(s, t);
}

/* A dish's own time there, if it came in after the warm-up. */
static void
flow_wait(struct stats *s, struct flow_stats *f, int64_t tin, int64_t tout)
{
	if (tin < s->warmup_ns || tout < tin)
		return;
	f->nwait++;
	f->wait_sum += (double)(tout - tin);
	if (tout - tin > f->quick_ns)
		f->nwaited++;
}

/*
 * One end of a dish's stay in rack i (i >= 1): put (is_put) or get. The
 * first end seen waits in put_t for the other: + (t + 1) for a put,
 * -(t + 1) for a get.
 */
static void
flow_pair(struct stats *s, unsigned i, uint32_t dish, int64_t t, int is_put)
{
	int64_t	*slot, other, tin, tout;

	if (s->put_t == NULL || dish >= s->ndishes)
		return;
	slot = &s->put_t[(uint64_t)(i - 1) * s->ndishes + dish];
	if (*slot == 0) {
		*slot = is_put ? t + 1 : -(t + 1);
		return;
	}
	other = *slot > 0 ? *slot - 1 : -*slot - 1;
	*slot = 0;
	tin = is_put ? t : other;
	tout = is_put ? other : t;
	/*
	 * Over a network the taker can stamp its get before the giver
	 * stamps the put it followed (the put's event comes once the send
	 * returns): the dish stayed no time, not less than none, and the
	 * depth's integral must not go below zero (seed-threads over
	 * zmq+tcp measured L = -0.001).
	 */
	if (tout < tin) {
		s->queue[i].out_clamped += stats_clamp(s, tin) -
		    stats_clamp(s, tout);
		tout = tin;
	}
	flow_wait(s, &s->queue[i], tin, tout);
}

/* The figures of the theory's measured side, for each event. */
void
stats_flow_event(struct stats *s, struct worker_stats *w,
    const struct event *e)
{
	unsigned	st = e->station;
	int64_t		a, from;

	switch (e->kind) {
	case EV_GET:
		w->got_t = e->t;
		flow_in(s, &s->hands[st], e->t);
		if (st == 0 && s->arrival != NULL && e->dish < s->ndishes) {
			a = s->arrival[e->dish];
			flow_in(s, &s->queue[0], a);
			flow_out(s, &s->queue[0], e->t);
			flow_wait(s, &s->queue[0], a, e->t);
		} else if (st > 0 && !s->scn->broadcast) {
			flow_out(s, &s->queue[st], e->t);
			flow_pair(s, st, e->dish, e->t, 0);
		}
		break;
	case EV_WORKED:
		from = w->work_start > s->warmup_ns ? w->work_start :
		    s->warmup_ns;
		if (e->t > from)
			s->busy_win_ns[st] += e->t - from;
		break;
	case EV_PUT:
		flow_out(s, &s->hands[st], e->t);
		flow_wait(s, &s->hands[st], w->got_t, e->t);
		/* A broadcast holds no message for its publisher: each copy
		 * goes straight to a subscriber or is missed, so it is no
		 * place for Little's law. */
		if (st + 1 < s->nstations && !s->scn->broadcast) {
			flow_in(s, &s->queue[st + 1], e->t);
			flow_pair(s, st + 1, e->dish, e->t, 1);
		}
		break;
	case EV_DONE:
		flow_out(s, &s->hands[st], e->t);
		flow_wait(s, &s->hands[st], w->got_t, e->t);
		if (st == s->nstations - 1 && e->t >= s->warmup_ns)
			s->done_win++;
		break;
	case EV_EXIT:
		/* Killed holding a dish: out of its hands, back in its rack
		 * (or, in the plain queue, gone). */
		if ((e->arg != EXIT_DIED && e->arg != EXIT_REPLACED) ||
		    e->dish == DISH_NONE)
			break;
		flow_out(s, &s->hands[st], e->t);
		flow_wait(s, &s->hands[st], w->got_t, e->t);
		if (st > 0 && s->scn->reliable && !s->scn->broadcast) {
			flow_in(s, &s->queue[st], e->t);
			flow_pair(s, st, e->dish, e->t, 1);
		}
		break;
	}
}

/* L, lambda and W of a place, at time end. */
static void
flow_compute(const struct stats *s, struct flow_stats *f, int64_t end,
    uint64_t more_in, double more_in_clamped)
{
	double	window = (double)(end - s->warmup_ns), clamp_end;
	double	n_in = (double)(f->n_in + more_in);

	f->valid = 0;
	f->mean_l = f->lambda = f->mean_w = 0;
	if (window <= 0)
		return;
	clamp_end = stats_clamp(s, end);
	f->mean_l = (f->out_clamped + (n_in - (double)f->n_out) * clamp_end -
	    f->in_clamped - more_in_clamped) / window;
	f->lambda = (double)(f->in_win + more_in) * 1e9 / window;
	if (f->nwait > 0)
		f->mean_w = f->wait_sum / (double)f->nwait / 1e9;
	f->valid = f->nwait > 0;
}

/* The theory's measured side at time end: flows, busy, throughput. */
void
stats_flow_compute(struct stats *s, int64_t end)
{
	struct worker_stats	*w;
	int64_t			 present[SCN_MAX_STATIONS], from, until;
	double			 window = (double)(end - s->warmup_ns);
	double			 more_clamped = 0;
	uint64_t		 d, more = 0;
	unsigned		 i;

	/* Dishes that have arrived and wait, not yet taken: in order. */
	if (s->arrival != NULL) {
		for (d = s->st[0].got; d < s->ndishes &&
		    s->arrival[d] <= end; d++) {
			more++;
			if (s->arrival[d] >= s->warmup_ns)
				more_clamped += (double)s->arrival[d];
			else
				more_clamped += (double)s->warmup_ns;
		}
		flow_compute(s, &s->queue[0], end, more, more_clamped);
	}
	for (i = 1; i < s->nstations; i++)
		flow_compute(s, &s->queue[i], end, 0, 0);
	for (i = 0; i < s->nstations; i++) {
		flow_compute(s, &s->hands[i], end, 0, 0);
		present[i] = 0;
	}
	for (i = 0; i < s->nw; i++) {
		w = &s->w[i];
		if (!w->seen)
			continue;
		until = w->exited && w->exit_why != EXIT_FINISHED &&
		    w->exit_why != EXIT_INTERRUPTED && w->exit_t < end ?
		    w->exit_t : end;
		from = w->spawn_t > s->warmup_ns ? w->spawn_t : s->warmup_ns;
		if (until > from)
			present[w->station] += until - from;
	}
	for (i = 0; i < s->nstations; i++)
		s->busy_win[i] = present[i] > 0 ?
		    (double)s->busy_win_ns[i] / (double)present[i] : 0.0;
	s->throughput_win = window > 0 ? (double)s->done_win * 1e9 / window :
	    0.0;
}

const struct prediction *
stats_prediction(const struct stats *s)
{
	return (s->real_clock ? &s->pred_real : &s->pred);
}

void
stats_flow_free(struct stats *s)
{
	free(s->arrival);
	free(s->put_t);
	s->arrival = NULL;
	s->put_t = NULL;
	/* pred_real is pred's copy, sharing its timeline, unless redone. */
	if (s->pred_real.done_at != s->pred.done_at)
		predict_free(&s->pred_real);
	predict_free(&s->pred);
	s->pred_real.done_at = NULL;
}
