/*
 * live.c: the engine's reader feeding the taps. It runs in the reader's
 * thread (the main one), so it may read a slot's name once the slot's
 * spawn event is seen: the engine names a slot before its worker runs.
 */
#include "config.h"

#include "live.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "report.h"
#include "run.h"
#include "stats.h"
#include "xmalloc.h"

void
live_init(struct live *l, struct engine *eng, struct stats *st,
    struct taps *taps, int read_output)
{
	memset(l, 0, sizeof *l);
	l->eng = eng;
	l->st = st;
	l->taps = taps;
	l->read_output = read_output;
}

/* The text written since the last look, stamped with the time now. */
static void
live_output(struct live *l)
{
	struct run	*run = engine_run(l->eng);
	char		 buf[4096];
	size_t		 n;
	int64_t		 t;

	if (!l->read_output ||
	    atomic_load_explicit(&run->out->head, memory_order_acquire) ==
	    l->out_pos)
		return;
	t = engine_now(l->eng);
	while ((n = output_read(run->out, &l->out_pos, buf, sizeof buf)) > 0)
		taps_output(l->taps, t, buf, n);
}

void
live_event(const struct event *e, void *arg)
{
	struct live	*l = arg;
	struct run	*run;
	uint32_t	 n;

	if (l->st != NULL)
		stats_event(e, l->st);
	live_output(l);
	if (e->worker != EV_ENGINE && (e->worker >= l->nseen ||
	    !l->seen[e->worker])) {
		run = engine_run(l->eng);
		if (e->worker >= l->nseen) {
			n = l->nseen ? l->nseen : 64;
			while (n <= e->worker)
				n *= 2;
			l->seen = xreallocarray(l->seen, n, 1);
			memset(l->seen + l->nseen, 0, n - l->nseen);
			l->nseen = n;
		}
		l->seen[e->worker] = 1;
		taps_worker(l->taps, e->t, e->worker, e->station,
		    e->worker < run->nslots ? run->slots[e->worker].name : "?");
	}
	taps_event(l->taps, e);
}

void
live_end(struct live *l)
{
	struct stats_end	se;
	struct report_run	rr;

	live_output(l);
	stats_end_read(&se, l->eng);
	report_run_read(&rr, l->eng);
	taps_end(l->taps, &se, &rr, l->st);
	report_run_free(&rr);
	stats_end_free(&se);
}

void
live_free(struct live *l)
{
	free(l->seen);
	l->seen = NULL;
}
