/*
 * report.c: the figures of a run for people (text) and programs (JSON).
 * Both read the same stats; neither computes anything of its own.
 */
#include "config.h"

#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "lock.h"
#include "safe.h"
#include "stats.h"
#include "xmalloc.h"

static const char *
report_capacity(uint32_t cap, char *buf, size_t len)
{
	if (cap == RACK_UNBOUNDED)
		return ("unbounded");
	if (cap == 0)
		return ("0 (hand-off)");
	snprintf(buf, len, "%u", cap);
	return (buf);
}

void
report_run_read(struct report_run *r, struct engine *eng)
{
	struct run	*run = engine_run(eng);
	unsigned	 i;

	memset(r, 0, sizeof *r);
	r->scn = engine_scenario(eng);
	r->clock = engine_clock_name(eng);
	r->speed = engine_speed(eng);
	r->interrupted = engine_interrupted(eng);
	r->deadlocked = engine_deadlocked(eng);
	r->racks_where = engine_racks_where(eng);
	r->cycle = engine_deadlock_cycle(eng);
	r->error = engine_error(eng);
	r->nworkers = atomic_load(&run->used);
	r->workers = xcalloc(r->nworkers ? r->nworkers : 1,
	    sizeof *r->workers);
	for (i = 0; i < r->nworkers; i++) {
		r->workers[i].name = run->slots[i].name;
		r->workers[i].gil_wait_ns =
		    atomic_load(&run->slots[i].gil_wait_ns);
		r->workers[i].gil_hold_ns =
		    atomic_load(&run->slots[i].gil_hold_ns);
	}
}

void
report_run_free(struct report_run *r)
{
	free(r->workers);
	r->workers = NULL;
}

void
report_text(FILE *f, struct engine *eng, const struct stats *s)
{
	struct report_run	r;

	report_run_read(&r, eng);
	report_text_run(f, &r, s);
	report_run_free(&r);
}

void
report_json(FILE *f, struct engine *eng, const struct stats *s)
{
	struct report_run	r;

	report_run_read(&r, eng);
	report_json_run(f, &r, s);
	report_run_free(&r);
}

void
report_text_run(FILE *f, const struct report_run *r, const struct stats *s)
{
	const struct scenario	*scn = r->scn;
	char			 buf[64];
	unsigned		 i;

	/* The title may be the file's name or a --set: made safe. */
	fputs("\n== ", f);
	safe_fputs(scn->title, f);
	fputs(" ==\n", f);
	fprintf(f, "mode %s, %s clock, speed %g%s%s\n",
	    scn_mode_name(scn->mode), r->clock,
	    r->speed, r->interrupted ? ", interrupted" : "",
	    r->deadlocked ? ", deadlocked" : "");
	if (r->racks_where != NULL) {
		/* The host came from the user: shown safe. */
		fputs("racks       in ", f);
		safe_fputs(r->racks_where, f);
		fprintf(f, ", %s\n", scn->reliable ? "reliable (a dead taker's "
		    "dish goes back)" : "unreliable (a dead taker's dish is "
		    "lost)");
	}
	fprintf(f, "time        %.3f s scenario, %.3f s wall\n",
	    (double)s->t_end / 1e9, (double)s->wall_ns / 1e9);
	fprintf(f, "dishes      %llu washed, %llu dried, %llu in racks, "
	    "%llu in hands", (unsigned long long)s->washed,
	    (unsigned long long)s->dried, (unsigned long long)s->in_racks,
	    (unsigned long long)s->in_hands);
	if (s->conserved)
		fprintf(f, ": conserved\n");
	else
		fprintf(f, ": NOT conserved (%llu lost, %llu duplicated)\n",
		    (unsigned long long)s->lost,
		    (unsigned long long)s->duplicated);
	fprintf(f, "throughput  %.3f dishes/s\n", s->throughput);
	fprintf(f, "%-12s %7s %8s %6s %10s\n", "station", "workers", "dishes",
	    "busy", "capacity");
	for (i = 0; i < s->nstations; i++) {
		const struct station_stats *st = &s->st[i];

		if (st->capacity_per_s > 0)
			snprintf(buf, sizeof buf, "%.3f/s", st->capacity_per_s);
		else
			snprintf(buf, sizeof buf, "-");
		fprintf(f, "%-12s %7u %8llu %5.0f%% %10s%s\n",
		    scn->stations[i].name, scn->stations[i].count,
		    (unsigned long long)st->dishes, st->busy_fraction * 100.0,
		    buf, (int)i == s->bottleneck ? "  <- bottleneck" : "");
	}
	for (i = 0; i < s->nstations; i++) {
		if (s->st[i].killed > 0)
			fprintf(f, "killed      %s: %u killed, %u restarted\n",
			    scn->stations[i].name, s->st[i].killed,
			    s->st[i].restarts);
	}
	if (scn->gil) {
		fprintf(f, "gil         %llu hand-overs, %.3f s waited in all "
		    "(interval %g ms)", (unsigned long long)s->gil_handovers,
		    (double)s->gil_wait_ns / 1e9,
		    (double)scn->gil_interval_ns / 1e6);
		fputc('\n', f);
		for (i = 0; i < r->nworkers; i++) {
			const struct report_worker *w = &r->workers[i];

			if (w->gil_hold_ns == 0 && w->gil_wait_ns == 0)
				continue;
			fprintf(f, "  %-10s waited %.3f s for the GIL, held it "
			    "%.3f s\n", w->name, (double)w->gil_wait_ns / 1e9,
			    (double)w->gil_hold_ns / 1e9);
		}
	}
	if (s->cupboard) {
		fprintf(f, "cupboard    lock %s: %llu dried, %llu counted, "
		    "%llu updates LOST\n", lock_mode_name(scn->cupboard_lock),
		    (unsigned long long)s->dried,
		    (unsigned long long)s->cupboard_count,
		    (unsigned long long)s->lost_updates);
		if (scn->cupboard_lock == LOCK_MUTEX ||
		    scn->cupboard_lock == LOCK_SPIN)
			fprintf(f, "lock        %llu acquisitions, %.3f s "
			    "waited, longest %.3f s\n",
			    (unsigned long long)s->lock_acquisitions,
			    (double)s->lock_wait_ns / 1e9,
			    (double)s->lock_longest_ns / 1e9);
	}
	if (r->cycle != NULL)
		fprintf(f, "DEADLOCK    %s\n", r->cycle);
	for (i = 1; i < s->nstations; i++) {
		fprintf(f, "rack %s -> %s: max depth %u, capacity %s\n",
		    scn->stations[i - 1].name, scn->stations[i].name,
		    s->rk[i].max_depth,
		    report_capacity(s->rk[i].capacity, buf, sizeof buf));
	}
	if (r->error != NULL) {
		fputs("error: ", f);
		safe_fputs(r->error, f);
		fputc('\n', f);
	}
}

void
report_json_run(FILE *f, const struct report_run *r, const struct stats *s)
{
	const struct scenario	*scn = r->scn;
	unsigned		 i;

	fputs("{\"scenario\":", f);
	safe_json_fputs(scn->file, f);
	fputs(",\"title\":", f);
	safe_json_fputs(scn->title, f);
	fprintf(f, ",\"mode\":\"%s\",\"clock\":\"%s\",\"speed\":%g",
	    scn_mode_name(scn->mode), r->clock,
	    r->speed);
	fputs(",\"transport\":", f);
	/* A private server's socket changes every run: its kind will do. */
	safe_json_fputs(r->racks_where == NULL ? "local" :
	    strcmp(scn->transport, "redis") == 0 ? "redis" :
	    r->racks_where, f);
	fprintf(f, ",\"reliable\":%s", scn->reliable ? "true" : "false");
	fprintf(f, ",\"wall_seconds\":%.6f,\"scenario_seconds\":%.6f",
	    (double)s->wall_ns / 1e9, (double)s->t_end / 1e9);
	fprintf(f, ",\"dishes\":%llu,\"dishes_washed\":%llu,"
	    "\"dishes_dried\":%llu,\"in_racks\":%llu,\"in_hands\":%llu",
	    (unsigned long long)s->ndishes, (unsigned long long)s->washed,
	    (unsigned long long)s->dried, (unsigned long long)s->in_racks,
	    (unsigned long long)s->in_hands);
	fprintf(f, ",\"lost\":%llu,\"duplicated\":%llu,\"conserved\":%s",
	    (unsigned long long)s->lost, (unsigned long long)s->duplicated,
	    s->conserved ? "true" : "false");
	fprintf(f, ",\"throughput_per_s\":%.6f,\"bottleneck\":",
	    s->throughput);
	safe_json_fputs(s->bottleneck >= 0 ?
	    scn->stations[s->bottleneck].name : "", f);
	fprintf(f, ",\"max_rack_depth\":%u", s->max_rack_depth);
	fputs(",\"stations\":[", f);
	for (i = 0; i < s->nstations; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		safe_json_fputs(scn->stations[i].name, f);
		fprintf(f, ",\"count\":%u,\"busy_fraction\":%.6f,"
		    "\"dishes\":%llu,\"capacity_per_s\":%.6f,"
		    "\"killed\":%u,\"restarts\":%u}",
		    scn->stations[i].count, s->st[i].busy_fraction,
		    (unsigned long long)s->st[i].dishes,
		    s->st[i].capacity_per_s, s->st[i].killed,
		    s->st[i].restarts);
	}
	fputs("],\"workers\":[", f);
	{
		unsigned	 n = 0;

		for (i = 0; i < r->nworkers && i < s->nw; i++) {
			const struct worker_stats *w = &s->w[i];

			if (!w->seen)
				continue;
			fputs(n++ ? ",{\"name\":" : "{\"name\":", f);
			safe_json_fputs(r->workers[i].name, f);
			fprintf(f, ",\"pid\":%d,\"dishes\":%llu,"
			    "\"busy_seconds\":%.6f,\"gil_wait_seconds\":%.6f,"
			    "\"gil_hold_seconds\":%.6f}",
			    w->pid, (unsigned long long)w->dishes,
			    (double)w->busy_ns / 1e9,
			    (double)r->workers[i].gil_wait_ns / 1e9,
			    (double)r->workers[i].gil_hold_ns / 1e9);
		}
	}
	fputs("],\"racks\":[", f);
	for (i = 1; i < s->nstations; i++) {
		fputs(i > 1 ? ",{\"from\":" : "{\"from\":", f);
		safe_json_fputs(scn->stations[i - 1].name, f);
		fputs(",\"to\":", f);
		safe_json_fputs(scn->stations[i].name, f);
		if (s->rk[i].capacity == RACK_UNBOUNDED)
			fputs(",\"capacity\":null", f);
		else
			fprintf(f, ",\"capacity\":%u", s->rk[i].capacity);
		fprintf(f, ",\"max_depth\":%u}", s->rk[i].max_depth);
	}
	fputs("]", f);
	if (scn->gil)
		fprintf(f, ",\"gil\":{\"switches\":%llu,\"wait_seconds\":%.6f,"
		    "\"interval_seconds\":%.6f}",
		    (unsigned long long)s->gil_handovers,
		    (double)s->gil_wait_ns / 1e9,
		    (double)scn->gil_interval_ns / 1e9);
	if (s->cupboard)
		fprintf(f, ",\"lock\":{\"mode\":\"%s\",\"counted\":%llu,"
		    "\"lost_updates\":%llu,\"acquisitions\":%llu,"
		    "\"wait_seconds\":%.6f,\"longest_wait_seconds\":%.6f}",
		    lock_mode_name(scn->cupboard_lock),
		    (unsigned long long)s->cupboard_count,
		    (unsigned long long)s->lost_updates,
		    (unsigned long long)s->lock_acquisitions,
		    (double)s->lock_wait_ns / 1e9,
		    (double)s->lock_longest_ns / 1e9);
	if (r->cycle != NULL) {
		fputs(",\"cycle\":", f);
		safe_json_fputs(r->cycle, f);
	}
	fprintf(f, ",\"interrupted\":%s,\"deadlock\":%s,\"events\":%llu}\n",
	    r->interrupted ? "true" : "false",
	    r->deadlocked ? "true" : "false",
	    (unsigned long long)s->events);
}
