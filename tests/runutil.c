/*
 * runutil.c: run a scenario text to the end for a test, keeping its events,
 * its figures and what its workers wrote.
 */
#include "config.h"

#include "runutil.h"

#include <stdio.h>
#include <unistd.h>

#include "arena.h"

static void
test_run_keep(const struct event *e, void *arg)
{
	struct test_run	*tr = arg;

	stats_event(e, &tr->st);
	if (tr->nev == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 1024;
		tr->ev = realloc(tr->ev, tr->cap * sizeof *tr->ev);
	}
	tr->ev[tr->nev++] = *e;
}

/* How many distinct kernel threads the run's workers ran on (0: none known). */
static unsigned
test_run_threads(struct run *run)
{
	unsigned	i, j, n = 0, used = atomic_load(&run->used);
	int		tid;

	for (i = 0; i < used; i++) {
		if ((tid = atomic_load(&run->slots[i].tid)) == 0)
			continue;
		for (j = 0; j < i; j++)
			if (atomic_load(&run->slots[j].tid) == tid)
				break;
		if (j == i)
			n++;
	}
	return (n);
}

/*
 * Parse text, apply sets (NULL-terminated), run to the end. stop_after_ns
 * > 0 interrupts the run after that much real time. Returns 0, or -1 with
 * the cause printed.
 */
int
test_run(struct test_run *tr, const char *text, const char *const *sets,
    int virtual_clock, double speed, int64_t stop_after_ns)
{
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	char			*cause = NULL;
	FILE			*f;
	long			 len;
	int64_t			 t0;

	memset(tr, 0, sizeof *tr);
	if ((scn = scenario_parse("test.scn", text, strlen(text),
	    &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return (-1);
	}
	for (; sets != NULL && *sets != NULL; sets++) {
		if (scenario_set(scn, *sets, &cause) == -1) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			scenario_free(scn);
			return (-1);
		}
	}
	f = tmpfile();
	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = virtual_clock;
	eo.speed = speed;
	eo.output_fd = fileno(f);
	if ((eng = engine_create(scn, &eo, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		fclose(f);
		return (-1);
	}
	stats_init(&tr->st, engine_scenario(eng));
	if (engine_start(eng, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		engine_destroy(eng);
		fclose(f);
		return (-1);
	}
	t0 = clock_mono_ns();
	if (stop_after_ns > 0) {
		/* Interrupt the run after a while, as a signal would. */
		while (!engine_finished(eng) &&
		    clock_mono_ns() - t0 < stop_after_ns) {
			if (engine_drain(eng, test_run_keep, tr) == 0)
				clock_sleep_ns(1000000);
		}
		engine_stop(eng);
	}
	engine_follow(eng, test_run_keep, tr, NULL);
	stats_finish(&tr->st, eng);
	tr->deadlock = engine_deadlocked(eng);
	if (engine_deadlock_cycle(eng) != NULL)
		tr->cycle = strdup(engine_deadlock_cycle(eng));
	tr->interrupted = engine_interrupted(eng);
	tr->wall_ns = engine_wall_ns(eng);
	tr->threads = test_run_threads(engine_run(eng));
	engine_destroy(eng);

	fflush(f);
	len = ftell(f);
	tr->out = malloc((size_t)len + 1);
	rewind(f);
	len = (long)fread(tr->out, 1, (size_t)len, f);
	tr->out[len] = '\0';
	fclose(f);
	/* The stats keep a pointer to the scenario the engine freed. */
	tr->st.scn = NULL;
	return (0);
}

double
test_run_against_prediction(struct test_run *r, const char *name,
    double speed)
{
	struct test_run	 v;
	char		*text = test_scenario_text(name);
	double		 predicted;

	if (text == NULL || test_run(&v, text, NULL, 1, 1.0, 0) == -1) {
		free(text);
		return (-1);
	}
	predicted = (double)v.st.t_end / speed;
	test_run_free(&v);
	if (test_run(r, text, NULL, 0, speed, 0) == -1) {
		free(text);
		return (-1);
	}
	free(text);
	return ((double)r->wall_ns / predicted);
}

/* The time of the n-th event of kind at station (n from 0), or -1. */
int64_t
test_run_time(const struct test_run *tr, unsigned station, int kind,
    unsigned n)
{
	size_t	i;

	for (i = 0; i < tr->nev; i++) {
		if (tr->ev[i].worker != EV_ENGINE &&
		    tr->ev[i].station == station && tr->ev[i].kind == kind) {
			if (n-- == 0)
				return (tr->ev[i].t);
		}
	}
	return (-1);
}

/* When dish left station (its EV_DONE there), or -1. */
int64_t
test_run_done_at(const struct test_run *tr, unsigned station, uint32_t dish)
{
	size_t	i;

	for (i = 0; i < tr->nev; i++) {
		if (tr->ev[i].worker != EV_ENGINE &&
		    tr->ev[i].station == station &&
		    (tr->ev[i].kind == EV_DONE || tr->ev[i].kind == EV_PUT) &&
		    tr->ev[i].dish == dish)
			return (tr->ev[i].t);
	}
	return (-1);
}

void
test_run_free(struct test_run *tr)
{
	stats_free(&tr->st);
	free(tr->ev);
	free(tr->out);
	free(tr->cycle);
}

/* Read a shipped scenario by name from $SCENARIOS or ../scenarios. */
char *
test_scenario_text(const char *name)
{
	const char	*dirs[] = { getenv("SCENARIOS"), "../scenarios",
			    "scenarios", NULL };
	char		 path[1024], *buf;
	FILE		*f;
	long		 len;
	int		 i;

	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s.scn", dirs[i], name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = malloc((size_t)len + 1);
		len = (long)fread(buf, 1, (size_t)len, f);
		buf[len] = '\0';
		fclose(f);
		return (buf);
	}
	return (NULL);
}


/*
 * Make engine_create fail at its n-th arena allocation, for n = 1, 2, ...
 * until it succeeds: every failure is a NULL with a cause, never a crash
 * (ASan: no leak, no double free). Returns how many failures were tried.
 */
unsigned
test_create_failures(const char *text, int virtual_clock)
{
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	char			*cause;
	unsigned		 n;

	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = virtual_clock;
	eo.output_fd = -1;
	for (n = 1; n < 1000; n++) {
		cause = NULL;
		scn = scenario_parse("test.scn", text, strlen(text), &cause);
		if (scn == NULL) {
			fprintf(stderr, "%s\n", cause);
			free(cause);
			return (0);
		}
		arena_fail_in = n;
		eng = engine_create(scn, &eo, &cause);
		arena_fail_in = 0;
		if (eng != NULL) {
			engine_destroy(eng);
			return (n - 1);
		}
		if (cause == NULL || *cause == '\0') {
			fprintf(stderr, "failure %u: no cause\n", n);
			return (0);
		}
		free(cause);
	}
	return (0);
}
