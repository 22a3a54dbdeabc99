/*
 * arrivals.h: dishes that arrive as a stream rather than lie in a pile.
 * The times are a function of the scenario (its arrivals, duration, dishes
 * and seed) alone, so the engine that keeps the dishes back until then and
 * the figures that measure their waits compute the same ones.
 */
#ifndef DISHRACK_ARRIVALS_H
#define DISHRACK_ARRIVALS_H

#include <stdint.h>

#include "scenario.h"

/* At most this many arriving dishes per run (8 bytes each, twice). */
#define ARRIVALS_MAX	4000000ULL

/*
 * Fix the number of dishes of a scenario with arrivals and a duration:
 * those that arrive before it ends (at most the dishes given, if given).
 * Dish names given stay; default names go. Does nothing without both.
 */
void	 arrivals_resolve(struct scenario *);

/*
 * The arrival time (scenario ns) of each of the scenario's dishes, in
 * order, allocated; NULL when the first station takes from a pile.
 */
int64_t	*arrivals_make(const struct scenario *);

/* The mean and squared coefficient of variation of a distribution. */
double	 dist_mean_s(const struct dist *);
double	 dist_scv(const struct dist *);

#endif
