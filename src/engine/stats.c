/*
 * stats.c: figures from events. Events carry what happened; the racks and
 * the workers' hands say where every dish is at the end. Conservation is
 * the check that the two agree.
 */
#include "config.h"

#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "xmalloc.h"

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
	s->bottleneck_measured = -1;
	s->bottleneck_predicted = -1;
	s->caption = -1;
	stats_flow_init(s, scn);
}

static void	stats_killed(struct stats *, struct station_stats *,
		    unsigned, const struct event *);
static void	stats_recovered(struct station_stats *, int64_t);
static void	stats_recovery(struct station_stats *);

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
		    scn_step_is_caption(&s->scn->script[e->arg]))
			s->caption = e->arg;
		return;
	}
	if (st >= s->nstations)
		return;
	/* The cupboard's read and write: for the views, not a change of state. */
	if (e->kind == EV_CUP_READ || e->kind == EV_CUP_WROTE ||
	    e->kind == EV_CUP_LOST)
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
		stats_recovered(&s->st[st], e->t);
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
		stats_recovered(&s->st[st], e->t);
		w->dishes++;
		s->st[st].dishes++;
		/* A broadcast's copies are counted per subscriber. */
		if (st == s->nstations - 1 && e->dish < s->ndishes &&
		    !s->scn->broadcast && s->finished[e->dish] < UINT8_MAX) {
			if (s->finished[e->dish]++ > 0)
				s->duplicated++;
		}
		break;
	case EV_EXIT:
		w->exited = 1;
		w->exit_t = e->t;
		w->exit_why = e->arg;
		w->state = 6;
		if (e->arg == EXIT_DIED || e->arg == EXIT_REPLACED) {
			s->st[st].killed++;
			stats_killed(s, &s->st[st], st, e);
		}
		if (e->arg == EXIT_REPLACED)
			s->st[st].restarts++;
		break;
	}
}

/*
 * A worker of station x was killed: what it held went back (a pile, or a
 * reliable rack) or was lost (the plain queue), and the clock of its
 * recovery starts.
 */
static void
stats_killed(struct stats *s, struct station_stats *x, unsigned st,
    const struct event *e)
{
	if (e->dish != DISH_NONE) {
		if (st == 0 || s->scn->reliable)
			x->put_back++;
		else
			x->lost_killed++;
		/* Back in the pile: taken again, it counts once. */
		if (st == 0 && s->taken > 0)
			s->taken--;
	}
	if (x->nkill_t < STATS_KILLS) {
		x->kill_t[x->nkill_t] = e->t;
		x->kill_next[x->nkill_t++] = INT64_MAX;
	}
}

/* Station x finished a dish at t: the first after a kill ends its wait. */
static void
stats_recovered(struct station_stats *x, int64_t t)
{
	unsigned	i;

	for (i = 0; i < x->nkill_t; i++) {
		if (t >= x->kill_t[i] && t < x->kill_next[i])
			x->kill_next[i] = t;
	}
}

/* Mean and longest time from a kill to the next dish, seconds. */
static void
stats_recovery(struct station_stats *x)
{
	double		sum = 0, d;
	unsigned	i, n = 0;

	x->recover_mean_s = x->recover_max_s = -1;
	for (i = 0; i < x->nkill_t; i++) {
		if (x->kill_next[i] == INT64_MAX)
			continue;
		d = (double)(x->kill_next[i] - x->kill_t[i]) / 1e9;
		sum += d;
		n++;
		if (d > x->recover_max_s)
			x->recover_max_s = d;
	}
	if (n > 0)
		x->recover_mean_s = sum / n;
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

/*
 * The bottleneck as the run measured it: the busiest station (its
 * workers' time at work, waits for the GIL or a lock in it, waits for a
 * dish or for room not), the one furthest down the line among those
 * within two points of the busiest: upstream of a bottleneck, a station
 * with room to put is as busy, and downstream of it one waits. -1 until
 * there is enough to tell: a dish through the whole line (done), and work.
 */
int
stats_busiest(const double *busy, unsigned n, uint64_t done)
{
	double		max = 0;
	unsigned	i;

	if (done == 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if (busy[i] > max)
			max = busy[i];
	}
	if (max <= 0)
		return (-1);
	for (i = n; i-- > 0; ) {
		if (busy[i] >= max - 0.02)
			return ((int)i);
	}
	return (-1);
}

void
stats_finish(struct stats *s, struct engine *eng)
{
	struct stats_end	 end;

	stats_end_read(&end, eng);
	stats_compute(s, &end);
	stats_end_free(&end);
}

void
stats_end_free(struct stats_end *e)
{
	free(e->bsubs);
	e->bsubs = NULL;
	e->nbsubs = 0;
}

void
stats_end_read(struct stats_end *out, struct engine *eng)
{
	struct run		*run = engine_run(eng);
	struct stats_end	 end;
	struct bcast_view	*bv = NULL;
	size_t			 nb = 0;
	unsigned		 i, used;

	memset(&end, 0, sizeof end);
	if (engine_broadcast(eng) != NULL) {
		bv = xcalloc(BCAST_MAX_SUBS, sizeof *bv);
		nb = rack_bcast_view(engine_broadcast(eng), bv, BCAST_MAX_SUBS,
		    &end.btot);
		end.bsubs = bv;
		end.nbsubs = nb < BCAST_MAX_SUBS ? nb : BCAST_MAX_SUBS;
		end.has_btot = 1;
	}
	end.scn = engine_scenario(eng);
	end.t_end = engine_end_time(eng);
	if (end.t_end < 0)
		end.t_end = engine_now(eng);
	end.wall_ns = engine_wall_ns(eng);
	end.real_clock = strcmp(engine_clock_name(eng), "virtual") != 0;
	end.deadlocked = engine_deadlocked(eng);
	end.pile_takes = rack_taken(run->pile);
	for (i = 0; i < run->nstations; i++) {
		end.live[i] = atomic_load(&run->st[i].live);
		if (i == 0)
			continue;
		/* A live frame of the screen must not wait on a server. */
		if (run->st[i].in->ops->held_asks && !engine_finished(eng))
			end.rack_count[i] = rack_depth(run->st[i].in);
		else
			end.rack_count[i] = rack_held(run->st[i].in);
	}
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		/* A broadcast's subscribers hold copies, not the dishes. */
		if (atomic_load(&run->slots[i].hand.dish) != DISH_NONE &&
		    (bv == NULL || run->slots[i].station == 0))
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
	*out = end;
}

/* A broadcast's conservation: per subscriber, and the publisher's. */
static void
stats_broadcast(struct stats *s, const struct stats_end *e)
{
	const struct bcast_view	*v;
	uint64_t		 got[SCN_MAX_STATIONS];
	size_t			 i;
	int			 ok = 1;

	s->broadcast = 1;
	s->btot = e->btot;
	free(s->bsubs);
	free(s->bsub_ok);
	s->nbsubs = e->nbsubs;
	s->bsubs = xcalloc(e->nbsubs ? e->nbsubs : 1, sizeof *s->bsubs);
	s->bsub_ok = xcalloc(e->nbsubs ? e->nbsubs : 1, sizeof *s->bsub_ok);
	memcpy(s->bsubs, e->bsubs, e->nbsubs * sizeof *s->bsubs);
	memset(got, 0, sizeof got);
	s->received = s->missed_late = s->missed_dropped = 0;
	for (i = 0; i < e->nbsubs; i++) {
		v = &e->bsubs[i];
		s->bsub_ok[i] = v->received + v->late + v->dropped +
		    v->queued == v->life;
		ok &= s->bsub_ok[i];
		if (v->station < SCN_MAX_STATIONS)
			got[v->station] += v->received;
		s->received += v->received;
		s->missed_late += v->late;
		s->missed_dropped += v->dropped;
	}
	/* The rack's books against the events: what each station took. */
	for (i = 1; i < s->nstations; i++)
		ok &= got[i] == s->st[i].got;
	s->published = s->btot.published;
	s->washed = s->st[0].dishes;
	s->dried = s->received;
	s->in_racks = s->nstations > 1 ? e->rack_count[1] : 0;
	s->lost = 0;
	if (s->taken > s->published + s->in_hands)
		s->lost = s->taken - (s->published + s->in_hands);
	s->duplicated = 0;
	s->conserved = ok && s->published == s->washed &&
	    s->taken == s->published + s->in_hands &&
	    s->taken == e->pile_takes;
	s->complete = s->conserved && s->published == s->ndishes;
	s->throughput = e->t_end > 0 ? (double)s->published * 1e9 /
	    (double)e->t_end : 0.0;
}

void
stats_compute(struct stats *s, const struct stats_end *e)
{
	const struct scenario	*scn = e->scn;
	struct worker_stats	*w;
	const struct prediction	*pred;
	double			 busy[SCN_MAX_STATIONS];
	int64_t			 end = e->t_end, until, mean;
	unsigned		 i;

	s->t_end = end;
	s->wall_ns = e->wall_ns;
	s->real_clock = e->real_clock;
	s->deadlocked = e->deadlocked;
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
		stats_recovery(&s->st[i]);
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
	pred = stats_prediction(s);
	for (i = 0; i < s->nstations; i++) {
		struct station_stats	*st = &s->st[i];

		st->busy_fraction = st->present_ns > 0 ?
		    (double)st->busy_ns / (double)st->present_ns : 0.0;
		/*
		 * What the scenario's times alone predict, as it starts: the
		 * theory's, with the GIL, the locks and the cupboard in (a
		 * [script] change is the run's, not the scenario's).
		 */
		mean = stats_mean_ns(&scn->stations[i].time);
		st->capacity_per_s = mean > 0 ?
		    (double)scn->stations[i].count * 1e9 / (double)mean : 0.0;
		if (pred->valid && i < pred->nstations)
			st->capacity_per_s = isfinite(pred->st[i].capacity) &&
			    pred->st[i].capacity > 0 ? pred->st[i].capacity : 0.0;
	}
	s->bottleneck_predicted = 0;
	for (i = 1; i < s->nstations; i++) {
		if (stats_limits_more(s, i, (unsigned)s->bottleneck_predicted))
			s->bottleneck_predicted = (int)i;
	}
	if (pred->valid && pred->bottleneck >= 0 &&
	    (unsigned)pred->bottleneck < s->nstations)
		s->bottleneck_predicted = pred->bottleneck;
	for (i = 0; i < s->nstations; i++)
		busy[i] = s->st[i].busy_fraction;
	s->bottleneck_measured = stats_busiest(busy, s->nstations,
	    s->st[s->nstations - 1].dishes);
	s->bottleneck = s->bottleneck_measured >= 0 ? s->bottleneck_measured :
	    s->bottleneck_predicted;

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
	stats_flow_compute(s, end);
	if (e->has_btot)
		stats_broadcast(s, e);
}

void
stats_free(struct stats *s)
{
	free(s->w);
	free(s->finished);
	stats_flow_free(s);
	free(s->bsubs);
	free(s->bsub_ok);
	s->w = NULL;
	s->finished = NULL;
	s->bsubs = NULL;
	s->bsub_ok = NULL;
}
