/*
 * stats.c: figures from events. Events carry what happened; the racks and
 * the workers' hands say where every dish is at the end. Conservation is
 * the check that the two agree.
 */
#include "config.h"

#include "stats.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrivals.h"
#include "engine.h"
#include "xmalloc.h"

static void	stats_init_flows(struct stats *, const struct scenario *);
static void	stats_compute_flows(struct stats *, int64_t);

void
stats_init(struct stats *s, const struct scenario *scn)
{
	unsigned	i;

	memset(s, 0, sizeof *s);
	s->scn = scn;
	s->nstations = scn->nstations;
	s->ndishes = scn->ndishes;
	s->finished = xcalloc(scn->ndishes ? scn->ndishes : 1, 1);
	for (i = 1; i < scn->nstations; i++)
		s->rk[i].capacity = scenario_rack(scn, i);
	s->bottleneck = -1;
	s->caption = -1;
	stats_init_flows(s, scn);
}

/*
 * Room for each dish's put time per rack, to pair it with its get (read
 * from another ring, maybe first); a run too large for it goes without
 * the racks' waits. calloc's pages are touched only as dishes pass.
 */
#define STATS_PAIR_SLOTS	(4ULL << 20)

static void
stats_init_flows(struct stats *s, const struct scenario *scn)
{
	uint64_t	n = (uint64_t)scn->ndishes * (scn->nstations - 1);

	long		cores = sysconf(_SC_NPROCESSORS_ONLN);

	s->warmup_ns = scn->warmup_ns;
	s->arrival = arrivals_make(scn);
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
}

/*
 * One end of a dish's stay in rack i (i >= 1): put (is_put) or get. The
 * first end seen waits in put_t for the other: + (t + 1) for a put,
 * -(t + 1) for a get.
 */
static void
flow_pair(struct stats *s, unsigned i, uint32_t dish, int64_t t, int is_put)
{
	int64_t	*slot, other;

	if (s->put_t == NULL || dish >= s->ndishes)
		return;
	slot = &s->put_t[(uint64_t)(i - 1) * s->ndishes + dish];
	if (*slot == 0) {
		*slot = is_put ? t + 1 : -(t + 1);
		return;
	}
	other = *slot > 0 ? *slot - 1 : -*slot - 1;
	*slot = 0;
	if (is_put)
		flow_wait(s, &s->queue[i], t, other);
	else
		flow_wait(s, &s->queue[i], other, t);
}

/* The figures of the theory's measured side, for each event. */
static void
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
		} else if (st > 0) {
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
		if (st + 1 < s->nstations) {
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

static struct worker_stats *
stats_worker(struct stats *s, uint32_t id)
{
	unsigned	n;

	if (id >= s->nw) {
		n = s->nw ? s->nw : 16;
		while (n <= id)
			n *= 2;
		s->w = xreallocarray(s->w, n, sizeof *s->w);
		memset(s->w + s->nw, 0, (n - s->nw) * sizeof *s->w);
		s->nw = n;
	}
	return (&s->w[id]);
}

void
stats_event(const struct event *e, void *arg)
{
	struct stats		*s = arg;
	struct worker_stats	*w;
	unsigned		 st = e->station;

	s->events++;
	if (e->worker == EV_ENGINE) {
		if (e->kind == EV_SCRIPT && (unsigned)e->arg < s->scn->nscript &&
		    s->scn->script[e->arg].kind != STEP_SET)
			s->caption = e->arg;
		return;
	}
	if (st >= s->nstations)
		return;
	w = stats_worker(s, e->worker);
	w->station = st;
	w->since = e->t;
	stats_flow_event(s, w, e);
	switch (e->kind) {
	case EV_SPAWN:
		w->seen = 1;
		w->spawn_t = e->t;
		w->pid = e->arg;
		w->state = 1;
		break;
	case EV_WAIT_GET:
	case EV_WAIT_PUT:
		w->wait_start = e->t;
		w->state = e->kind == EV_WAIT_GET ? 2 : 4;
		break;
	case EV_GET:
		s->st[st].got++;
		if (w->state == 2)
			w->wait_get_ns += e->t - w->wait_start;
		if (st == 0)
			s->taken++;
		w->state = 3;
		break;
	case EV_WORK:
		w->work_start = e->t;
		w->state = 3;
		break;
	case EV_WORKED:
		w->busy_ns += e->t - w->work_start;
		s->st[st].busy_ns += e->t - w->work_start;
		break;
	case EV_PUT:
		if (w->state == 4)
			w->wait_put_ns += e->t - w->wait_start;
		if (st + 1 < s->nstations && e->arg > 0 &&
		    (uint32_t)e->arg > s->rk[st + 1].max_depth)
			s->rk[st + 1].max_depth = (uint32_t)e->arg;
		w->state = 3;
		/* A put is where a dish leaves a station that is not the last. */
		w->dishes++;
		s->st[st].dishes++;
		break;
	case EV_DONE:
		w->dishes++;
		s->st[st].dishes++;
		if (st == s->nstations - 1 && e->dish < s->ndishes &&
		    s->finished[e->dish] < UINT8_MAX) {
			if (s->finished[e->dish]++ > 0)
				s->duplicated++;
		}
		break;
	case EV_EXIT:
		w->exited = 1;
		w->exit_t = e->t;
		w->exit_why = e->arg;
		w->state = 6;
		if (e->arg == EXIT_DIED || e->arg == EXIT_REPLACED)
			s->st[st].killed++;
		if (e->arg == EXIT_REPLACED)
			s->st[st].restarts++;
		break;
	}
}

int64_t
stats_mean_ns(const struct dist *d)
{
	switch (d->kind) {
	case DIST_UNIFORM:
		return ((d->a_ns + d->b_ns) / 2);
	default:
		return (d->a_ns);
	}
}

/* Does station a limit the line more than station b? */
static int
stats_limits_more(const struct stats *s, unsigned a, unsigned b)
{
	const struct station_stats *x = &s->st[a], *y = &s->st[b];
	double			    ca = x->capacity_per_s;
	double			    cb = y->capacity_per_s;

	if (ca > 0 && cb > 0 && (ca < cb * 0.999 || cb < ca * 0.999))
		return (ca < cb);
	if (ca > 0 && cb == 0)
		return (1);
	if (ca == 0 && cb > 0)
		return (0);
	/*
	 * Equal in theory: downstream, where the dishes queue up. Busyness
	 * decides only when neither has a time (zero work), since early in
	 * a run it says more about who started first.
	 */
	if (ca == 0 && cb == 0) {
		if (x->busy_fraction > y->busy_fraction + 0.02)
			return (1);
		if (y->busy_fraction > x->busy_fraction + 0.02)
			return (0);
	}
	return (a > b);
}

void
stats_finish(struct stats *s, struct engine *eng)
{
	struct run		*run = engine_run(eng);
	struct stats_end	 end;
	unsigned		 i, used;

	memset(&end, 0, sizeof end);
	end.scn = engine_scenario(eng);
	end.t_end = engine_end_time(eng);
	if (end.t_end < 0)
		end.t_end = engine_now(eng);
	end.wall_ns = engine_wall_ns(eng);
	s->real_clock = strcmp(engine_clock_name(eng), "virtual") != 0;
	s->deadlocked = engine_deadlocked(eng);
	end.pile_takes = rack_taken(run->pile);
	for (i = 0; i < run->nstations; i++) {
		end.live[i] = atomic_load(&run->st[i].live);
		if (i > 0)
			end.rack_count[i] = rack_held(run->st[i].in);
	}
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		if (atomic_load(&run->slots[i].hand.dish) != DISH_NONE)
			end.in_hands++;
		end.gil_wait_ns += atomic_load(&run->slots[i].gil_wait_ns);
	}
	for (i = 0; i < run->ngils; i++)
		end.gil_handovers += atomic_load(&run->gils[i].handovers);
	if (run->cupboard != NULL) {
		end.cupboard = 1;
		end.cupboard_count = atomic_load(&run->cupboard->count);
		end.lock_acquisitions =
		    atomic_load(&run->cupboard->acquisitions);
		end.lock_wait_ns = atomic_load(&run->cupboard->wait_ns);
		end.lock_longest_ns = atomic_load(&run->cupboard->longest_ns);
	}
	stats_compute(s, &end);
}

/* The theory's measured side at time end: flows, busy, throughput. */
static void
stats_compute_flows(struct stats *s, int64_t end)
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

void
stats_compute(struct stats *s, const struct stats_end *e)
{
	const struct scenario	*scn = e->scn;
	struct worker_stats	*w;
	int64_t			 end = e->t_end, until, mean;
	unsigned		 i;

	s->t_end = end;
	s->wall_ns = e->wall_ns;
	s->gil_handovers = e->gil_handovers;
	s->gil_wait_ns = e->gil_wait_ns;
	s->cupboard = e->cupboard;
	s->cupboard_count = e->cupboard_count;
	s->lock_acquisitions = e->lock_acquisitions;
	s->lock_wait_ns = e->lock_wait_ns;
	s->lock_longest_ns = e->lock_longest_ns;
	for (i = 0; i < s->nstations; i++) {
		s->st[i].present_ns = 0;
		s->st[i].workers = e->live[i];
	}
	for (i = 0; i < s->nw; i++) {
		w = &s->w[i];
		if (!w->seen)
			continue;
		until = end;
		if (w->exited && (w->exit_why == EXIT_RETIRED ||
		    w->exit_why == EXIT_DIED || w->exit_why == EXIT_REPLACED) &&
		    w->exit_t < end)
			until = w->exit_t;
		if (until > w->spawn_t)
			s->st[w->station].present_ns += until - w->spawn_t;
	}
	for (i = 0; i < s->nstations; i++) {
		struct station_stats	*st = &s->st[i];

		st->busy_fraction = st->present_ns > 0 ?
		    (double)st->busy_ns / (double)st->present_ns : 0.0;
		mean = stats_mean_ns(&scn->stations[i].time);
		st->capacity_per_s = mean > 0 ?
		    (double)scn->stations[i].count * 1e9 / (double)mean : 0.0;
	}
	s->bottleneck = 0;
	for (i = 1; i < s->nstations; i++) {
		if (stats_limits_more(s, i, (unsigned)s->bottleneck))
			s->bottleneck = (int)i;
	}

	s->in_racks = 0;
	s->max_rack_depth = 0;
	for (i = 1; i < s->nstations; i++) {
		s->rk[i].depth = e->rack_count[i];
		s->in_racks += e->rack_count[i];
		if (s->rk[i].max_depth > s->max_rack_depth)
			s->max_rack_depth = s->rk[i].max_depth;
	}
	s->in_hands = e->in_hands;
	s->washed = s->st[0].dishes;
	s->dried = s->st[s->nstations - 1].dishes;
	s->lost = 0;
	if (s->taken > s->dried + s->in_racks + s->in_hands)
		s->lost = s->taken - (s->dried + s->in_racks + s->in_hands);
	s->conserved = s->taken == s->dried + s->in_racks + s->in_hands &&
	    s->duplicated == 0 && s->taken == e->pile_takes;
	s->complete = s->dried == s->ndishes && s->conserved;
	s->throughput = end > 0 ? (double)s->dried * 1e9 / (double)end : 0.0;
	s->lost_updates = s->cupboard && s->dried > s->cupboard_count ?
	    s->dried - s->cupboard_count : 0;
	stats_compute_flows(s, end);
}

const struct prediction *
stats_prediction(const struct stats *s)
{
	return (s->real_clock ? &s->pred_real : &s->pred);
}

void
stats_free(struct stats *s)
{
	free(s->w);
	free(s->finished);
	free(s->arrival);
	free(s->put_t);
	s->w = NULL;
	s->finished = NULL;
	s->arrival = NULL;
	s->put_t = NULL;
}
