/*
 * predict.h: what theory says a scenario will do, from the scenario alone:
 * each station's capacity (with what limits it: workers, the GIL, a lock,
 * the cores), the pipeline's throughput and bottleneck, and either the
 * finite run's timeline (a pile of dishes) or the steady state of an open
 * system (dishes arriving: M/M/c, M/M/c/K or Allen-Cunneen per station).
 * doc/theory.md says which figures are exact and which approximate.
 */
#ifndef DISHRACK_PREDICT_H
#define DISHRACK_PREDICT_H

#include "queueing.h"
#include "scenario.h"

/*
 * What sets a station's capacity, and why a prediction is approximate:
 * named here, worded by each view (report_theory.c: English in the JSON,
 * the user's language in the summary). Append new members at the end.
 */
enum predict_limit {
	PL_WORKERS,		/* its workers over their mean time */
	PL_NO_WORK,		/* a time of 0 */
	PL_GIL,			/* cpu work under the GIL */
	PL_LOOP,		/* cpu work on one event loop */
	PL_CORES,		/* cpu work sharing the cores */
	PL_CUPBOARD_MUTEX,	/* the cupboard's lock, one at a time */
	PL_CUPBOARD_SPIN,
	PL_LOCK			/* a named lock: needs[limit_lock] */
};

enum predict_approx {
	PA_NONE,
	PA_SCRIPT_SET,		/* a [script] set changes the line */
	PA_UNSTABLE,		/* the bottleneck cannot keep up */
	PA_NOT_MARKOV,		/* times not exponential, a bounded rack... */
	PA_LONG_RUN,		/* too long for the timeline: a rate */
	PA_SCRIPT_RACE,		/* a [script] step takes workers away */
	PA_RANDOM,		/* the timeline uses the means */
	PA_SHARED		/* GIL, cores or lock taken in turn */
};

struct predict_station {
	double		 mean_s;	/* mean time a dish takes here */
	double		 scv;		/* its squared coefficient of variation */
	double		 capacity;	/* dishes per second, all limits in */
	enum predict_limit limit;	/* what sets the capacity */
	unsigned	 limit_lock;	/* PL_LOCK: which of needs */
	unsigned	 workers;	/* PL_WORKERS: the count predicted */
	double		 busy;		/* fraction of its workers' time */
	double		 wait_s;	/* mean wait in the rack in front (for
					   the first: of an arriving dish) */
	double		 depth;		/* mean dishes in that rack */
	int		 have_queue;	/* a rack (or arrivals) in front */
	struct queue_fig q;		/* open systems: the station's model */
	char		 model[32];	/* "M/M/3", "G/G/1 (Allen-Cunneen)" */
};

struct prediction {
	int		 valid;
	int		 open;		/* dishes arrive; else a pile */
	int		 exact;		/* no approximation went into it */
	int		 stable;	/* open: every station keeps up */
	double		 lambda;	/* open: arrivals per second */
	double		 throughput;	/* dishes per second over the run */
	double		 steady;	/* the pipeline's rate, the bottleneck's */
	double		 wall_s;	/* scenario seconds the run takes */
	int		 bottleneck;
	unsigned	 nstations;
	struct predict_station st[SCN_MAX_STATIONS];
	enum predict_approx approx;	/* why it is approximate, if it is */
	int		 exact_lost;	/* the timeline met a race */
	double		*done_at;	/* a pile: when each dish is dried, in
					   order (predict_free frees it) */
	uint64_t	 ndone;
};

/*
 * Predict scn on a machine of cores processors (the virtual clock's
 * [scenario] cores, or the real machine's). Returns 0, or -1 (with
 * p->valid 0) when the scenario is beyond it.
 */
int	predict(const struct scenario *, unsigned cores, struct prediction *);

/* What predict allocated; the prediction stays readable otherwise. */
void	predict_free(struct prediction *);

/* Dishes the timeline has dried by scenario time t (s); -1 if unknown. */
double	predict_dried_by(const struct prediction *, double t);

/* Dishes up to which the finite run's timeline is worked out dish by dish. */
#define PREDICT_MAX_STEPS	50000000ULL

#endif
