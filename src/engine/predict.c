/*
 * predict.c: a scenario's figures from theory.
 *
 * A pile (every dish there at time 0) is a finite run: its timeline is
 * worked out dish by dish with the tandem-line recursion
 *
 *	get_i(n) = max(ready_i(n), first free worker of i)
 *	put_i(n) = max(get_i(n) + S_i, room in rack i+1)
 *
 * using each station's mean time, the [script]'s count and time steps at
 * their times, bounded racks, and the shared things that serialise work
 * (the GIL, the cores, a named lock, the cupboard's lock) as one more
 * server each. With fixed times and nothing shared this is exact: the
 * lecture's 12 s is get_dryer(4) + 4 s. An open system (arrivals) gets
 * the steady state: each station an M/M/c queue when every time is
 * exponential and the racks unbounded (Jackson's theorem: Burke's output
 * of one is Poisson input to the next), else Allen-Cunneen with Whitt's
 * departure SCV carried down the line, labelled approximate.
 */
#include "config.h"

#include "predict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrivals.h"
#include "xmalloc.h"

#define PREDICT_MAX_SERVERS	8192	/* workers of one station, ever */

/* A worker of the timeline: free from free_at, gone from gone_at. */
struct pserver {
	double	free_at;
	double	gone_at;	/* takes no dish from then */
	double	from;		/* spawned */
	double	left;		/* left, its last dish done */
};

struct pstation {
	struct pserver	*sv;
	unsigned	 nsv;
	unsigned	 live;		/* the count as the steps have set it */
	double		 mean;		/* seconds, the current time */
	double		*got;		/* ring of get times, for rack room */
	uint64_t	 ring;		/* its size: capacity + 1, or 0 */
	double		 busy;		/* work time summed */
	double		 wait_sum;	/* in the rack in front */
	uint64_t	 nwait;
};

/* A count or time step of the [script], in time order (as it is). */
struct pstep {
	double		 at;
	unsigned	 station;
	int		 is_count;
	unsigned	 count;
	double		 mean;
};

static double
dmax(double a, double b)
{
	return (a > b ? a : b);
}

/* Work done in one shared place (the GIL, a lock, the cores). */
struct pshared {
	double		*free_at;	/* one per unit (cores: several) */
	unsigned	 n;
};

/* Take the unit of sh free first, from t for d: when the work ends. */
static double
shared_use(struct pshared *sh, double t, double d)
{
	unsigned	i, best = 0;
	double		start;

	for (i = 1; i < sh->n; i++)
		if (sh->free_at[i] < sh->free_at[best])
			best = i;
	start = dmax(t, sh->free_at[best]);
	sh->free_at[best] = start + d;
	return (start + d);
}

static void
shared_init(struct pshared *sh, unsigned n)
{
	sh->n = n ? n : 1;
	sh->free_at = xcalloc(sh->n, sizeof *sh->free_at);
}

static void
pstation_add(struct pstation *ps, double at)
{
	if (ps->nsv == PREDICT_MAX_SERVERS)
		return;
	ps->sv[ps->nsv].free_at = at;
	ps->sv[ps->nsv].gone_at = INFINITY;
	ps->sv[ps->nsv].from = at;
	ps->sv[ps->nsv].left = INFINITY;
	ps->nsv++;
	ps->live++;
}

/*
 * A count step: new workers from at. Leaving, as engine_remove_worker
 * picks: the last that is idle then, else the last; it leaves once its
 * dish is done.
 */
static void
pstation_count(struct pstation *ps, double at, unsigned want, int *lost)
{
	unsigned	i, pick;

	while (ps->live < want && ps->nsv < PREDICT_MAX_SERVERS)
		pstation_add(ps, at);
	if (ps->live > want)
		*lost = 1;
	while (ps->live > want && ps->live > 1) {
		pick = ps->nsv;
		for (i = 0; i < ps->nsv; i++) {
			if (ps->sv[i].gone_at != INFINITY)
				continue;
			if (pick == ps->nsv || ps->sv[pick].free_at > at ||
			    ps->sv[i].free_at <= at)
				pick = i;
		}
		if (pick == ps->nsv)
			break;
		ps->sv[pick].gone_at = at;
		ps->sv[pick].left = dmax(at, ps->sv[pick].free_at);
		ps->live--;
	}
}

/* Parse "S.count=N" or "S.time=D" of a [script] set step. */
static int
pstep_parse(const struct scenario *scn, const struct script_step *ss,
    struct pstep *p)
{
	char		 name[SCN_NAME_MAX + 16];
	const char	*dot, *eq;
	unsigned	 i;
	int64_t		 ns;
	char		*end;
	unsigned long	 n;

	if (ss->kind != STEP_SET || ss->text == NULL ||
	    (dot = strchr(ss->text, '.')) == NULL ||
	    (eq = strchr(dot, '=')) == NULL ||
	    (size_t)(dot - ss->text) >= sizeof name)
		return (-1);
	memcpy(name, ss->text, (size_t)(dot - ss->text));
	name[dot - ss->text] = '\0';
	for (i = 0; i < scn->nstations; i++)
		if (strcmp(scn->stations[i].name, name) == 0)
			break;
	if (i == scn->nstations)
		return (-1);
	p->at = (double)ss->at_ns / 1e9;
	p->station = i;
	while (eq[1] == ' ')
		eq++;
	if (strncmp(dot + 1, "count", 5) == 0) {
		n = strtoul(eq + 1, &end, 10);
		if (end == eq + 1)
			return (-1);
		p->is_count = 1;
		p->count = (unsigned)n;
		return (0);
	}
	if (strncmp(dot + 1, "time", 4) == 0 &&
	    dist_parse_duration(eq + 1, &ns) == 0) {
		p->is_count = 0;
		p->mean = (double)ns / 1e9;
		return (0);
	}
	return (-1);
}

/* The capacity of each station and what sets it. */
static void
predict_capacity(const struct scenario *scn, unsigned cores,
    struct prediction *p)
{
	double		 cpu_sum = 0;
	unsigned	 i, j;
	int		 shared_gil = scn->gil && scn->mode == MODE_THREADS;

	for (i = 0; i < scn->nstations; i++) {
		if (scn->stations[i].work == WORK_CPU)
			cpu_sum += dist_mean_s(&scn->stations[i].time);
	}
	p->steady = INFINITY;
	p->bottleneck = 0;
	for (i = 0; i < scn->nstations; i++) {
		const struct station	*st = &scn->stations[i];
		struct predict_station	*ps = &p->st[i];
		double			 m = dist_mean_s(&st->time), cap;

		if (i == scn->nstations - 1 && scn->cupboard)
			m += (double)scn->cupboard_window_ns / 1e9;
		ps->mean_s = m;
		ps->scv = dist_scv(&st->time);
		cap = m > 0 ? (double)st->count / m : INFINITY;
		ps->limit = m > 0 ? PL_WORKERS : PL_NO_WORK;
		ps->workers = st->count;
		if (st->work == WORK_CPU && m > 0) {
			double	par = shared_gil || scn->mode == MODE_ASYNC ?
			    1.0 : (double)cores;

			/* A GIL or one loop: one computes at a time. */
			if (par * cpu_sum > 0 && par / cpu_sum < cap) {
				cap = par / cpu_sum;
				ps->limit = shared_gil ? PL_GIL : scn->mode ==
				    MODE_ASYNC ? PL_LOOP : PL_CORES;
			}
		}
		if (i == scn->nstations - 1 && scn->cupboard &&
		    (scn->cupboard_lock == LOCK_MUTEX ||
		    scn->cupboard_lock == LOCK_SPIN) &&
		    scn->cupboard_window_ns > 0 &&
		    1e9 / (double)scn->cupboard_window_ns < cap) {
			cap = 1e9 / (double)scn->cupboard_window_ns;
			ps->limit = scn->cupboard_lock == LOCK_MUTEX ?
			    PL_CUPBOARD_MUTEX : PL_CUPBOARD_SPIN;
		}
		for (j = 0; j < st->nneeds && m > 0; j++) {
			if (1.0 / m < cap) {
				cap = 1.0 / m;
				ps->limit = PL_LOCK;
				ps->limit_lock = j;
			}
		}
		ps->capacity = cap;
		if (cap < p->steady * 0.999 || (cap <= p->steady * 1.001 &&
		    i > 0)) {
			p->steady = cap;
			p->bottleneck = (int)i;
		}
	}
}

static int
predict_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* A finite run from a pile: the timeline, dish by dish. */
static int
predict_finite(const struct scenario *scn, unsigned cores,
    struct prediction *p)
{
	struct pstation	 ps[SCN_MAX_STATIONS];
	struct pstep	 steps[SCN_MAX_SCRIPT];
	struct pshared	 gil, corez, cupboard, locks[SCN_MAX_STATIONS];
	unsigned	 nsteps = 0, next = 0, i, j, K = scn->nstations;
	uint64_t	 n, N = scn->ndishes, work = 0;
	double		 ready, end = 0, w = (double)scn->warmup_ns / 1e9;
	struct pserver	*handing = NULL;	/* waits for a hand-off */
	double		 depth_sum[SCN_MAX_STATIONS];
	int		 shared_gil = scn->gil && scn->mode == MODE_THREADS;
	int		 rc = 0;

	for (i = 0; i < K; i++)
		work += (uint64_t)scn->stations[i].count + 1;
	if (N * work > PREDICT_MAX_STEPS)
		return (-1);
	for (i = 0; i < scn->nscript; i++) {
		if (pstep_parse(scn, &scn->script[i], &steps[nsteps]) == 0)
			nsteps++;
		else if (scn->script[i].kind == STEP_SET)
			p->exact_lost = 1;	/* a random time, say */
	}
	memset(ps, 0, sizeof ps);
	memset(depth_sum, 0, sizeof depth_sum);
	shared_init(&gil, 1);
	shared_init(&corez, scn->mode == MODE_ASYNC ? 1 : cores);
	shared_init(&cupboard, 1);
	for (i = 0; i < K; i++) {
		uint32_t cap = i + 1 < K ? scenario_rack(scn, i + 1) :
		    RACK_UNBOUNDED;

		shared_init(&locks[i], 1);
		ps[i].sv = xcalloc(PREDICT_MAX_SERVERS, sizeof *ps[i].sv);
		ps[i].mean = dist_mean_s(&scn->stations[i].time);
		for (j = 0; j < scn->stations[i].count; j++) {
			pstation_add(&ps[i], (double)scn->stations[i].start_ns /
			    1e9);
			ps[i].sv[j].from = 0;	/* spawned at once, waits */
		}
		/* ring: the rack after i; got: this station's get times. */
		ps[i].got = xcalloc((uint64_t)scenario_rack(scn, i) + 1 <= N ?
		    (uint64_t)scenario_rack(scn, i) + 1 : 1, sizeof *ps[i].got);
		if (cap != RACK_UNBOUNDED && cap > 0 && cap < N)
			ps[i].ring = (uint64_t)cap + 1;
	}
	p->done_at = xreallocarray(NULL, N ? N : 1, sizeof *p->done_at);
	p->ndone = N;
	for (n = 0; n < N; n++) {
		ready = 0;
		for (i = 0; i < K; i++) {
			const struct station	*st = &scn->stations[i];
			struct pstation		*s = &ps[i];
			double			 start = INFINITY, done;
			unsigned		 best = 0;

			/* Steps up to the moment the dish is ready here. */
			while (next < nsteps && steps[next].at <= ready) {
				struct pstep *q = &steps[next++];

				if (q->is_count)
					pstation_count(&ps[q->station], q->at,
					    q->count, &p->exact_lost);
				else
					ps[q->station].mean = q->mean;
			}
			for (j = 0; j < s->nsv; j++) {
				double t = dmax(ready, s->sv[j].free_at);

				if (t < s->sv[j].gone_at && t < start) {
					start = t;
					best = j;
				}
			}
			/* A step after the dish is ready may add a worker. */
			while (next < nsteps && steps[next].at < start) {
				struct pstep *q = &steps[next++];

				if (q->is_count)
					pstation_count(&ps[q->station], q->at,
					    q->count, &p->exact_lost);
				else
					ps[q->station].mean = q->mean;
				for (j = 0; j < s->nsv; j++) {
					double t = dmax(ready,
					    s->sv[j].free_at);

					if (t < s->sv[j].gone_at && t < start) {
						start = t;
						best = j;
					}
				}
			}
			if (start == INFINITY) {
				rc = -1;	/* no worker ever takes it */
				goto out;
			}
			/* A hand-off: the giver is free when this one takes. */
			if (handing != NULL)
				handing->free_at = dmax(handing->free_at, start);
			handing = NULL;
			/* A hand-off holds nothing: the giver waits instead. */
			if (i > 0 && scenario_rack(scn, i) == 0)
				/* nothing */;
			else if (i > 0 && ready >= w) {
				ps[i].wait_sum += start - ready;
				ps[i].nwait++;
			}
			if (i > 0 && scenario_rack(scn, i) > 0)
				depth_sum[i] += dmax(start, w) - dmax(ready, w);
			if (i > 0 && ps[i - 1].ring)
				s->got[n % ps[i - 1].ring] = start;
			done = start;
			if (st->work == WORK_CPU && s->mean > 0) {
				done = shared_gil ? shared_use(&gil, start,
				    s->mean) : shared_use(&corez, start, s->mean);
			} else if (st->nneeds > 0)
				done = shared_use(&locks[i], start, s->mean);
			else
				done = start + s->mean;
			if (done > dmax(start, w))
				s->busy += done - dmax(start, w);
			if (i == K - 1 && scn->cupboard) {
				double win = (double)scn->cupboard_window_ns /
				    1e9;

				done = scn->cupboard_lock == LOCK_MUTEX ||
				    scn->cupboard_lock == LOCK_SPIN ?
				    shared_use(&cupboard, done, win) :
				    done + win;
			}
			/* Room in the rack after: dish n - cap has left it. */
			if (i + 1 < K && ps[i].ring && n + 1 >= ps[i].ring)
				done = dmax(done, ps[i + 1].got[(n + 1) %
				    ps[i].ring]);
			s->sv[best].free_at = done;
			if (i + 1 < K && scenario_rack(scn, i + 1) == 0)
				handing = &s->sv[best];
			ready = done;
		}
		p->done_at[n] = ready;
		if (ready > end)
			end = ready;
	}
	qsort(p->done_at, N, sizeof *p->done_at, predict_cmp);
	p->wall_s = end;
	p->throughput = end > 0 ? (double)N / end : 0;
	for (i = 0; i < K; i++) {
		double present = 0;

		for (j = 0; j < ps[i].nsv; j++) {
			double until = ps[i].sv[j].left < end ?
			    ps[i].sv[j].left : end;

			if (until > dmax(ps[i].sv[j].from, w))
				present += until - dmax(ps[i].sv[j].from, w);
		}
		p->st[i].busy = present > 0 ? ps[i].busy / present : 0;
		if (i > 0) {
			p->st[i].have_queue = 1;
			p->st[i].wait_s = ps[i].nwait ? ps[i].wait_sum /
			    (double)ps[i].nwait : 0;
			p->st[i].depth = end > w ? depth_sum[i] / (end - w) : 0;
		}
		snprintf(p->st[i].model, sizeof p->st[i].model, "timeline");
	}
out:
	for (i = 0; i < K; i++) {
		free(ps[i].sv);
		free(ps[i].got);
		free(locks[i].free_at);
	}
	free(gil.free_at);
	free(corez.free_at);
	free(cupboard.free_at);
	return (rc);
}

/*
 * An open system's steady state, station by station down the line: the
 * arrivals' rate through each, its SCV carried on by Whitt's equation.
 */
static void
predict_open(const struct scenario *scn, struct prediction *p)
{
	double		 lambda, ca2, sojourn = 0;
	unsigned	 i;
	int		 exact = 1, script = 0;

	lambda = 1.0 / dist_mean_s(&scn->arrivals);
	ca2 = dist_scv(&scn->arrivals);
	p->lambda = lambda;
	p->stable = 1;
	if (ca2 != 1.0)
		exact = 0;
	for (i = 0; i < scn->nstations; i++) {
		const struct station	*st = &scn->stations[i];
		struct predict_station	*ps = &p->st[i];
		double			 mu = ps->mean_s > 0 ? 1.0 / ps->mean_s :
					    INFINITY;
		unsigned		 c = st->count;
		uint32_t		 cap = scenario_rack(scn, i);
		double			 rate_cap = ps->capacity;

		ps->have_queue = 1;
		if (ps->mean_s <= 0 || c == 0) {
			snprintf(ps->model, sizeof ps->model, "no work");
			ps->busy = 0;
			continue;
		}
		/* A shared limit lowers the rate: as fewer, slower workers. */
		if (rate_cap < (double)c * mu * 0.999)
			exact = 0;
		if (ps->scv != 1.0 || ca2 != 1.0)
			exact = 0;
		/* A rack this deep is unbounded to the formula (and its sum). */
		if (i > 0 && cap != RACK_UNBOUNDED && cap <= 100000) {
			exact = 0;
			queue_mmck(lambda, mu, c, c + cap, &ps->q);
			snprintf(ps->model, sizeof ps->model, "M/M/%u/%u", c,
			    c + cap);
		} else if (ps->scv == 1.0 && ca2 == 1.0) {
			if (queue_mmc(lambda, rate_cap / c, c, &ps->q) == -1)
				p->stable = 0;
			snprintf(ps->model, sizeof ps->model, "M/M/%u", c);
		} else {
			if (queue_ggc(lambda, rate_cap / c, c, ca2, ps->scv,
			    &ps->q) == -1)
				p->stable = 0;
			snprintf(ps->model, sizeof ps->model, "G/G/%u (%s)", c,
			    c == 1 ? "Kingman" : "Allen-Cunneen");
		}
		/* Every dish passes (blocking loses none): lambda / capacity. */
		ps->busy = lambda / rate_cap > 1 ? 1 : lambda / rate_cap;
		ps->wait_s = ps->q.wq;
		ps->depth = ps->q.lq;
		sojourn += ps->q.w;
		/* A full rack blocks the worker before it: no dish is lost. */
		ca2 = queue_departure_scv(ps->q.rho, c, ca2, ps->scv);
	}
	for (i = 0; i < scn->nscript; i++)
		if (scn->script[i].kind == STEP_SET)
			script = 1;
	p->exact = exact && p->stable && !script;
	if (script && p->stable)
		p->approx = PA_SCRIPT_SET;
	else if (!p->stable)
		p->approx = PA_UNSTABLE;
	else if (!exact)
		p->approx = PA_NOT_MARKOV;
	/* The last dish arrives at a known time; then its mean sojourn. */
	{
		int64_t	*at = arrivals_make(scn);

		double	last = at != NULL ? (double)at[scn->ndishes - 1] / 1e9 :
			    (double)scn->ndishes / p->lambda, fill = 0;

		free(at);
		for (i = 0; i < scn->nstations; i++)
			fill += p->st[i].mean_s;
		/* Overloaded: the bottleneck works flat out from the start. */
		p->wall_s = p->stable ? last + sojourn :
		    dmax(last, (double)scn->ndishes / p->steady) + fill;
	}
	p->throughput = p->wall_s > 0 ? (double)scn->ndishes / p->wall_s : 0;
}

static int	predict_line(const struct scenario *, unsigned,
		    struct prediction *);

int
predict(const struct scenario *scn, unsigned cores, struct prediction *p)
{
	unsigned	i;
	int		rc;

	rc = predict_line(scn, cores, p);
	/* A broadcast's copies wait nowhere: no queue to predict. */
	if (scn->broadcast) {
		for (i = 1; i < p->nstations; i++) {
			p->st[i].have_queue = 0;
			p->st[i].wait_s = p->st[i].depth = 0;
		}
	}
	return (rc);
}

/* The whole line's prediction, its racks taken as queues. */
static int
predict_line(const struct scenario *scn, unsigned cores,
    struct prediction *p)
{
	unsigned	i;
	int		random = 0, shared = 0;

	memset(p, 0, sizeof *p);
	p->nstations = scn->nstations;
	if (scn->nstations == 0)
		return (-1);
	if (cores == 0)
		cores = 1;
	predict_capacity(scn, cores, p);
	p->open = scn->arrivals_set;
	if (p->open) {
		predict_open(scn, p);
		p->valid = 1;
		return (0);
	}
	for (i = 0; i < scn->nstations; i++) {
		if (scn->stations[i].time.kind != DIST_FIXED)
			random = 1;
		if (scn->stations[i].work == WORK_CPU ||
		    scn->stations[i].nneeds > 0)
			shared = 1;
	}
	if (scn->cupboard && (scn->cupboard_lock == LOCK_MUTEX ||
	    scn->cupboard_lock == LOCK_SPIN))
		shared = 1;
	p->stable = 1;
	if (predict_finite(scn, cores, p) == -1) {
		/* Too long to work out dish by dish: the bottleneck's rate. */
		double	fill = 0;

		predict_free(p);

		for (i = 0; i < scn->nstations; i++)
			fill += p->st[i].mean_s;
		p->wall_s = (double)scn->ndishes / p->steady + fill;
		p->throughput = (double)scn->ndishes / p->wall_s;
		for (i = 0; i < scn->nstations; i++)
			p->st[i].busy = p->st[i].capacity > 0 ?
			    p->throughput / p->st[i].capacity : 0;
		p->approx = PA_LONG_RUN;
		p->valid = 1;
		return (0);
	}
	p->exact = !random && !shared && !p->exact_lost;
	if (p->exact_lost)
		p->approx = PA_SCRIPT_RACE;
	else if (random)
		p->approx = PA_RANDOM;
	else if (shared)
		p->approx = PA_SHARED;
	p->valid = 1;
	return (0);
}

void
predict_free(struct prediction *p)
{
	free(p->done_at);
	p->done_at = NULL;
	p->ndone = 0;
}

/* By bisection: the dishes whose time is at most t. */
double
predict_dried_by(const struct prediction *p, double t)
{
	uint64_t	lo = 0, hi = p->ndone, mid;

	if (p->done_at == NULL)
		return (-1);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (p->done_at[mid] <= t + 1e-9)
			lo = mid + 1;
		else
			hi = mid;
	}
	return ((double)lo);
}
