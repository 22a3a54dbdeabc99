/*
 * benchutil.h: what the benchmarks share: a scenario run through the
 * engine as the headless view runs it, and medians.
 */
#ifndef DISHRACK_BENCH_UTIL_H
#define DISHRACK_BENCH_UTIL_H

/* Dishes per second of scenario text through the engine; exits on error. */
double	bench_engine_rate(const char *text);

/* The median of n values (sorts them). */
double	bench_median(double *v, int n);

#endif
