/*
 * benchutil.c: a scenario run through the engine, events folded into
 * stats as headless does, and medians.
 */
#include "config.h"

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "scenario.h"
#include "stats.h"

/*
 * Run scenario text through the engine, its events folded into *st;
 * exits on error. The caller reads *st, then bench_engine_done.
 */
struct engine *
bench_engine_run(const char *text, struct stats *st)
{
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	char			*cause = NULL;

	if ((scn = scenario_parse("bench", text, strlen(text),
	    &cause)) == NULL) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	memset(&eo, 0, sizeof eo);
	eo.speed = 1.0;
	eo.output_fd = -1;
	if ((eng = engine_create(scn, &eo, &cause)) == NULL ||
	    engine_start(eng, &cause) == -1) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	stats_init(st, engine_scenario(eng));
	engine_follow(eng, stats_event, st, NULL);
	stats_finish(st, eng);
	return (eng);
}

void
bench_engine_done(struct stats *st, struct engine *eng)
{
	stats_free(st);
	engine_destroy(eng);
}

double
bench_engine_rate(const char *text)
{
	struct stats	 st;
	struct engine	*eng = bench_engine_run(text, &st);
	double		 rate;

	if (!st.complete)
		fprintf(stderr, "bench: run not complete!\n");
	rate = (double)st.dried * 1e9 / (double)st.wall_ns;
	bench_engine_done(&st, eng);
	return (rate);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}
