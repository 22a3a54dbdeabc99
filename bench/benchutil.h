/*
 * benchutil.h: what the benchmarks share: a scenario run through the
 * engine as the headless view runs it, and medians.
 */
#ifndef DISHRACK_BENCH_UTIL_H
#define DISHRACK_BENCH_UTIL_H

struct engine;
struct stats;

/* Dishes per second of scenario text through the engine; exits on error. */
double		 bench_engine_rate(const char *text);
/* The run itself, its stats in *st for the caller, then done with. */
struct engine	*bench_engine_run(const char *text, struct stats *st);
void		 bench_engine_done(struct stats *st, struct engine *eng);

/* The median of n values (sorts them). */
double	bench_median(double *v, int n);

#endif
