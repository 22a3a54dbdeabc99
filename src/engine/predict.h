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

struct predict_station {
	double		 mean_s;	/* mean time a dish takes here */
	double		 scv;		/* its squared coefficient of variation */
	double		 capacity;	/* dishes per second, all limits in */
	char		 note[96];	/* what sets the capacity */
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
	char		 approx[128];	/* why it is approximate, if it is */
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
