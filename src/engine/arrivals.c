/*
 * arrivals.c: the arrival times of an open system's dishes. The first
 * dish arrives one gap after the start, as in a Poisson process begun at
 * time 0 (and in Ciw), each next one a gap later. The generator is a
 * stream of its own, so adding arrivals changes no worker's draws.
 */
#include "config.h"

#include "arrivals.h"

#include <math.h>
#include <stdlib.h>

#include "xmalloc.h"

struct arrivals_gen {
	uint64_t	 s;
	int64_t		 t;
};

static uint64_t
arrivals_random(uint64_t *s)
{
	uint64_t	x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (x * 0x2545F4914F6CDD1DULL);
}

static void
arrivals_start(struct arrivals_gen *g, const struct scenario *scn)
{
	g->s = scn->seed * 0x9E3779B97F4A7C15ULL + 0xA77155ULL;
	if (g->s == 0)
		g->s = 1;
	g->t = 0;
}

/* The next arrival: the last one plus a gap drawn from the distribution. */
static int64_t
arrivals_next(struct arrivals_gen *g, const struct dist *d)
{
	double	u;

	switch (d->kind) {
	case DIST_UNIFORM:
		g->t += d->b_ns <= d->a_ns ? d->a_ns : d->a_ns + (int64_t)
		    (arrivals_random(&g->s) % (uint64_t)(d->b_ns - d->a_ns + 1));
		break;
	case DIST_EXP:
		u = ((double)(arrivals_random(&g->s) >> 11) + 0.5) /
		    9007199254740992.0;
		g->t += (int64_t)(-log(u) * (double)d->a_ns);
		break;
	default:
		g->t += d->a_ns;
		break;
	}
	return (g->t);
}

void
arrivals_resolve(struct scenario *scn)
{
	struct arrivals_gen	 g;
	uint64_t		 cap, n = 0, i;
	int			 given = scn->dishes_pos.file != NULL;

	if (!scn->arrivals_set || scn->duration_ns <= 0)
		return;
	cap = given ? scn->ndishes : ARRIVALS_MAX;
	if (cap > ARRIVALS_MAX)
		cap = ARRIVALS_MAX;
	arrivals_start(&g, scn);
	while (n < cap && arrivals_next(&g, &scn->arrivals) < scn->duration_ns)
		n++;
	if (n == 0)
		n = 1;	/* a run has a dish; it arrives after the end */
	if (!given && scn->dish_names != NULL) {
		for (i = 0; i < scn->ndishes; i++)
			free(scn->dish_names[i]);
		free(scn->dish_names);
		scn->dish_names = NULL;
	}
	scn->ndishes = n;
}

int64_t *
arrivals_make(const struct scenario *scn)
{
	struct arrivals_gen	 g;
	int64_t			*t;
	uint64_t		 i;

	if (!scn->arrivals_set || scn->ndishes == 0 ||
	    scn->ndishes > ARRIVALS_MAX)
		return (NULL);
	t = xreallocarray(NULL, scn->ndishes, sizeof *t);
	arrivals_start(&g, scn);
	for (i = 0; i < scn->ndishes; i++)
		t[i] = arrivals_next(&g, &scn->arrivals);
	return (t);
}

double
dist_mean_s(const struct dist *d)
{
	switch (d->kind) {
	case DIST_UNIFORM:
		return (((double)d->a_ns + (double)d->b_ns) / 2e9);
	default:
		return ((double)d->a_ns / 1e9);
	}
}

/* Fixed 0; uniform on a..b (b - a)^2 / 12 over the mean squared; exp 1. */
double
dist_scv(const struct dist *d)
{
	double	m, w;

	switch (d->kind) {
	case DIST_UNIFORM:
		m = ((double)d->a_ns + (double)d->b_ns) / 2.0;
		w = (double)d->b_ns - (double)d->a_ns;
		return (m > 0 ? w * w / 12.0 / (m * m) : 0.0);
	case DIST_EXP:
		return (1.0);
	default:
		return (0.0);
	}
}
