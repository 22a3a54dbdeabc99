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

double
bench_engine_rate(const char *text)
{
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	struct stats		 st;
	char			*cause = NULL;
	double			 rate;

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
	stats_init(&st, engine_scenario(eng));
	engine_follow(eng, stats_event, &st, NULL);
	stats_finish(&st, eng);
	if (!st.complete)
		fprintf(stderr, "bench: run not complete!\n");
	rate = (double)st.dried * 1e9 / (double)st.wall_ns;
	stats_free(&st);
	engine_destroy(eng);
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
