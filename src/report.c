/*
 * report.c: the figures of a run for people (text) and programs (JSON).
 * Both read the same stats; neither computes anything of its own.
 */
#include "config.h"

#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "i18n.h"
#include "lock.h"
#include "safe.h"
#include "stats.h"
#include "xmalloc.h"

/*
 * What station name did to a dish, in the past tense, for "12 stacked":
 * the lecture's own verbs where the name is one of its people, else
 * "done by NAME" (a guessed verb, "telled", would teach the wrong word).
 */
const char *
report_did(const char *name, char *buf, size_t len)
{
	static const char *const verbs[][2] = {
		{ "washer", N_("washed") }, { "dryer", N_("dried") },
		{ "stacker", N_("stacked") }, { "server", N_("served") }
	};
	size_t	i;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(name, verbs[i][0]) == 0)
			return (_(verbs[i][1]));
	}
	snprintf(buf, len, _("done by %s"), name);
	return (buf);
}

static const char *
report_capacity(uint32_t cap, char *buf, size_t len)
{
	if (cap == RACK_UNBOUNDED)
		return (_("unbounded"));
	if (cap == 0)
		return (_("0 (hand-off)"));
	snprintf(buf, len, "%u", cap);
	return (buf);
}

/* A subscriber's topics as the scenario names them. */
static void
report_topics(FILE *f, const struct station *st, int json)
{
	unsigned	i;

	if (json)
		fputc('[', f);
	else if (st->nsubscribe == 0)
		fputs(_("every topic"), f);
	for (i = 0; i < st->nsubscribe; i++) {
		if (json) {
			if (i > 0)
				fputc(',', f);
			safe_json_fputs(st->subscribe[i], f);
		} else {
			fputs(i > 0 ? ", " : "", f);
			safe_fputs(st->subscribe[i], f);
		}
	}
	if (json)
		fputc(']', f);
}

/* A broadcast's messages, for the line where a queue has its dishes. */
static void
report_broadcast_text(FILE *f, const struct stats *s)
{
	fprintf(f, _("messages    %llu published"), (unsigned long long)
	    s->published);
	/* ZeroMQ's PUB does not say whether anyone got a message. */
	if (!s->btot.blind)
		fprintf(f, _(" (%llu to no subscriber)"),
		    (unsigned long long)s->btot.to_nobody);
	fprintf(f, _(", %llu received, %llu missed"),
	    (unsigned long long)s->received,
	    (unsigned long long)(s->missed_late + s->missed_dropped));
	if (s->in_racks > 0)
		fprintf(f, _(", %llu queued"), (unsigned long long)s->in_racks);
	if (s->conserved)
		fputs(_(": conserved\n"), f);
	else
		fprintf(f, _(": NOT conserved (%llu lost)\n"),
		    (unsigned long long)s->lost);
}

/* A worker's name by its slot, or "?". */
static const char *
report_slot_name(const struct report_run *r, unsigned slot)
{
	return (slot < r->nworkers && r->workers[slot].name != NULL ?
	    r->workers[slot].name : "?");
}

/* Each subscriber's books, where a queue has its racks. */
static void
report_subscribers_text(FILE *f, const struct report_run *r,
    const struct stats *s)
{
	const struct scenario	*scn = r->scn;
	const struct bcast_view	*v;
	size_t			 i;

	fprintf(f, _("broadcast   at most once, high-water mark %u a "
	    "subscriber, sync %s\n"), s->btot.hwm, s->btot.sync ?
	    _("yes") : _("no"));
	for (i = 0; i < s->nbsubs; i++) {
		v = &s->bsubs[i];
		fprintf(f, _("subscriber  %s ("), report_slot_name(r, v->slot));
		if (v->station < scn->nstations)
			report_topics(f, &scn->stations[v->station], 0);
		fprintf(f, _("): %llu of %llu received, %llu missed%s\n"),
		    (unsigned long long)v->received,
		    (unsigned long long)v->life,
		    (unsigned long long)(v->late + v->dropped),
		    s->bsub_ok[i] ? "" : _(" (NOT conserved)"));
		if (v->late > 0)
			fprintf(f,
			    _("            %llu missed: published before it "
			    "subscribed at %.3f s (slow joiner)\n"),
			    (unsigned long long)v->late,
			    (double)v->joined_t / 1e9);
		if (v->dropped > 0 && v->reconnects > 0)
			fprintf(f,
			    _("            %llu missed: Redis closed it %u "
			    "times, past its output-buffer limit\n"),
			    (unsigned long long)v->dropped, v->reconnects);
		else if (v->dropped > 0)
			fprintf(f, _("            %llu missed: dropped at the "
			    "high-water mark (or it left)\n"),
			    (unsigned long long)v->dropped);
		if (v->queued > 0)
			fprintf(f, _("            %llu still queued for it\n"),
			    (unsigned long long)v->queued);
	}
}

/* The same for programs: "broadcast":{...}. */
static void
report_broadcast_json(FILE *f, const struct report_run *r,
    const struct stats *s)
{
	const struct scenario	*scn = r->scn;
	const struct bcast_view	*v;
	size_t			 i;

	fprintf(f, ",\"broadcast\":{\"published\":%llu", (unsigned long long)
	    s->published);
	/* ZeroMQ's PUB cannot tell: null, not a 0 nobody measured. */
	if (s->btot.blind)
		fputs(",\"to_nobody\":null", f);
	else
		fprintf(f, ",\"to_nobody\":%llu",
		    (unsigned long long)s->btot.to_nobody);
	fprintf(f, ",\"received\":%llu,\"missed\":%llu,\"missed_late\":%llu,"
	    "\"missed_dropped\":%llu,\"queued\":%llu,\"hwm\":%u,"
	    "\"sync\":%s,\"subscribers\":[",
	    (unsigned long long)s->received,
	    (unsigned long long)(s->missed_late + s->missed_dropped),
	    (unsigned long long)s->missed_late,
	    (unsigned long long)s->missed_dropped,
	    (unsigned long long)s->in_racks, s->btot.hwm,
	    s->btot.sync ? "true" : "false");
	for (i = 0; i < s->nbsubs; i++) {
		v = &s->bsubs[i];
		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		safe_json_fputs(report_slot_name(r, v->slot), f);
		fputs(",\"topics\":", f);
		if (v->station < scn->nstations)
			report_topics(f, &scn->stations[v->station], 1);
		else
			fputs("[]", f);
		fprintf(f, ",\"subscribed_seconds\":%.6f,\"received\":%llu,"
		    "\"missed\":%llu,\"missed_late\":%llu,"
		    "\"missed_dropped\":%llu,\"queued\":%llu,"
		    "\"published_on_topics\":%llu,\"reconnects\":%u,"
		    "\"conserved\":%s}",
		    (double)v->joined_t / 1e9, (unsigned long long)v->received,
		    (unsigned long long)(v->late + v->dropped),
		    (unsigned long long)v->late,
		    (unsigned long long)v->dropped,
		    (unsigned long long)v->queued,
		    (unsigned long long)v->life, v->reconnects,
		    s->bsub_ok[i] ? "true" : "false");
	}
	fputs("]}", f);
}

/*
 * The deadlock's cycle in the reader's language: the engine words it in
 * English once, for every view (the JSON's "cycle"); translated, it is
 * worded again from what each worker was found waiting for and who held
 * that. The summary and the screen's caption line both show this.
 */
const char *
report_cycle_words(struct engine *eng, char *buf, size_t len)
{
	static const char	 fmt[] =
	    N_("%s%s waits for the %s, held by %s");
	struct run		*run = engine_run(eng);
	const char		*by;
	unsigned		 i, j, used;
	size_t			 n = 0;

	if (strcmp(_(fmt), fmt) == 0)
		return (engine_deadlock_cycle(eng));
	used = atomic_load(&run->used);
	buf[0] = '\0';
	for (i = 0; i < used && n < len; i++) {
		struct wslot	*w = &run->slots[i];

		if (w->dl_wait < 0 || (unsigned)w->dl_wait >= run->nlocks)
			continue;
		by = NULL;
		for (j = 0; j < used; j++) {
			if (run->slots[j].dl_holds & (1u << w->dl_wait))
				by = run->slots[j].name;
		}
		if (by != NULL)
			n += (size_t)snprintf(buf + n, len - n, _(fmt),
			    n > 0 ? "; " : "", w->name,
			    run->locks[w->dl_wait].name, by);
	}
	return (buf[0] != '\0' ? buf : engine_deadlock_cycle(eng));
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
	r->live = eng;
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
	char			 buf[64], did[64], cycle[512];
	unsigned		 i;

	/* The title may be the file's name or a --set: made safe. */
	fputs("\n== ", f);
	safe_fputs(scn->title, f);
	fputs(" ==\n", f);
	fprintf(f, _("mode %s, %s clock, speed %g%s%s\n"),
	    scn_mode_name(scn->mode), r->clock,
	    r->speed, r->interrupted ? _(", interrupted") : "",
	    r->deadlocked ? _(", deadlocked") : "");
	if (r->racks_where != NULL) {
		/* The host came from the user: shown safe. */
		fputs(_("racks       in "), f);
		/* Its one fixed phrase is in the catalogue ("" is not). */
		safe_fputs(r->racks_where[0] != '\0' ? _(r->racks_where) :
		    "", f);
		fprintf(f, ", %s\n", scn->broadcast ? (strncmp(scn->transport,
		    "zmq", 3) == 0 ? _("a broadcast, no broker") : _("a broadcast "
		    "(PUBLISH and SUBSCRIBE)")) : scn->reliable ? _("reliable (a "
		    "dead taker's dish goes back)") : _("unreliable (a dead "
		    "taker's dish is lost)"));
	}
	fprintf(f, _("time        %.3f s scenario, %.3f s wall\n"),
	    (double)s->t_end / 1e9, (double)s->wall_ns / 1e9);
	if (s->broadcast)
		report_broadcast_text(f, s);
	else {
		/* Each end in its own station's words: 12 stacked. */
		fprintf(f, _("dishes      %llu %s, "),
		    (unsigned long long)s->washed,
		    report_did(scn->stations[0].name, did, sizeof did));
		if (s->nstations > 1)
			fprintf(f, _("%llu %s, "), (unsigned long long)s->dried,
			    report_did(scn->stations[s->nstations - 1].name,
			    did, sizeof did));
		fprintf(f, _("%llu in racks, %llu in hands"),
		    (unsigned long long)s->in_racks,
		    (unsigned long long)s->in_hands);
		if (s->conserved)
			fputs(_(": conserved\n"), f);
		else
			fprintf(f, _(": NOT conserved (%llu lost, %llu "
			    "duplicated)\n"), (unsigned long long)s->lost,
			    (unsigned long long)s->duplicated);
	}
	fprintf(f, s->broadcast ? _("throughput  %.3f messages/s\n") :
	    _("throughput  %.3f dishes/s\n"), s->throughput);
	/* The header as one line: a translation keeps its columns. */
	fputs(_("station      workers   dishes   busy   capacity  (what the "
	    "scenario's times alone predict)\n"), f);
	for (i = 0; i < s->nstations; i++) {
		const struct station_stats *st = &s->st[i];

		if (st->capacity_per_s > 0)
			snprintf(buf, sizeof buf, "%.3f/s", st->capacity_per_s);
		else
			snprintf(buf, sizeof buf, "-");
		/*
		 * The bottleneck is what the run measured; where the times
		 * alone predict another, that one says so too.
		 */
		fprintf(f, "%-12s %7u %8llu %5.0f%% %10s%s%s\n",
		    scn->stations[i].name, scn->stations[i].count,
		    (unsigned long long)st->dishes, st->busy_fraction * 100.0,
		    buf, (int)i == s->bottleneck ? _("  <- bottleneck") : "",
		    (int)i == s->bottleneck && s->bottleneck_measured < 0 ?
		    _(" (predicted: no dish went through yet)") :
		    (int)i != s->bottleneck && (int)i ==
		    s->bottleneck_predicted ? _("  <- the times alone predict "
		    "the bottleneck here") : "");
	}
	for (i = 0; i < s->nstations; i++) {
		if (s->st[i].killed == 0)
			continue;
		fprintf(f, _("killed      %s: %u killed, %u restarted"),
		    scn->stations[i].name, s->st[i].killed,
		    s->st[i].restarts);
		if (s->st[i].put_back > 0)
			fprintf(f, P_(", %u dish put back",
			    ", %u dishes put back",
			    s->st[i].put_back), s->st[i].put_back);
		if (s->st[i].lost_killed > 0)
			fprintf(f, P_(", %u dish LOST with its taker",
			    ", %u dishes LOST with their takers",
			    s->st[i].lost_killed), s->st[i].lost_killed);
		if (s->st[i].recover_mean_s >= 0)
			fprintf(f, _("; next dish %.3f s after a kill (mean), "
			    "%.3f s at most"), s->st[i].recover_mean_s,
			    s->st[i].recover_max_s);
		fputc('\n', f);
	}
	if (scn->gil) {
		fprintf(f,
		    _("gil         %llu hand-overs, %.3f s waited in all "
		    "(interval %g ms)"), (unsigned long long)s->gil_handovers,
		    (double)s->gil_wait_ns / 1e9,
		    (double)scn->gil_interval_ns / 1e6);
		fputc('\n', f);
		for (i = 0; i < r->nworkers; i++) {
			const struct report_worker *w = &r->workers[i];

			if (w->gil_hold_ns == 0 && w->gil_wait_ns == 0)
				continue;
			fprintf(f,
			    _("  %-10s waited %.3f s for the GIL, held it "
			    "%.3f s\n"), w->name, (double)w->gil_wait_ns / 1e9,
			    (double)w->gil_hold_ns / 1e9);
		}
	}
	if (s->cupboard) {
		/* A lock switched during the run: both, in order. */
		fprintf(f, _("cupboard    lock %s%s%s: %llu %s, %llu counted, "
		    "%llu updates LOST\n"),
		    lock_mode_name((enum lock_mode)s->cupboard_lock0),
		    (int)scn->cupboard_lock != s->cupboard_lock0 ? _(", then ") :
		    "", (int)scn->cupboard_lock != s->cupboard_lock0 ?
		    lock_mode_name(scn->cupboard_lock) : "",
		    (unsigned long long)s->dried,
		    report_did(scn->stations[s->nstations - 1].name, did,
		    sizeof did),
		    (unsigned long long)s->cupboard_count,
		    (unsigned long long)s->lost_updates);
		if (scn->cupboard_lock == LOCK_MUTEX ||
		    scn->cupboard_lock == LOCK_SPIN)
			fprintf(f, _("lock        %llu acquisitions, %.3f s "
			    "waited, longest %.3f s\n"),
			    (unsigned long long)s->lock_acquisitions,
			    (double)s->lock_wait_ns / 1e9,
			    (double)s->lock_longest_ns / 1e9);
	}
	if (r->cycle != NULL)
		fprintf(f, _("DEADLOCK    %s\n"), r->live != NULL ?
		    report_cycle_words(r->live, cycle, sizeof cycle) :
		    r->cycle);
	if (s->broadcast)
		report_subscribers_text(f, r, s);
	for (i = 1; i < s->nstations && !s->broadcast; i++) {
		fprintf(f, _("rack %s -> %s: max depth %u, capacity %s\n"),
		    scn->stations[i - 1].name, scn->stations[i].name,
		    s->rk[i].max_depth,
		    report_capacity(s->rk[i].capacity, buf, sizeof buf));
#ifdef HAVE_ZMQ
		if (r->live != NULL)
			report_zmq_rack(f, r->live, i);
#endif
	}
	report_theory_text(f, s, 0);
	if (r->error != NULL) {
		fputs(_("error: "), f);
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
	    strncmp(scn->transport, "zmq", 3) == 0 ? scn->transport :
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
	/* The run's (busiest) unless too soon; the times alone predict: */
	fprintf(f, ",\"bottleneck_measured\":%s,\"bottleneck_predicted\":",
	    s->bottleneck_measured >= 0 ? "true" : "false");
	safe_json_fputs(s->bottleneck_predicted >= 0 ?
	    scn->stations[s->bottleneck_predicted].name : "", f);
	fprintf(f, ",\"max_rack_depth\":%u", s->max_rack_depth);
	fputs(",\"stations\":[", f);
	for (i = 0; i < s->nstations; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		safe_json_fputs(scn->stations[i].name, f);
		fprintf(f, ",\"count\":%u,\"busy_fraction\":%.6f,"
		    "\"dishes\":%llu,\"capacity_per_s\":%.6f,"
		    "\"killed\":%u,\"restarts\":%u",
		    scn->stations[i].count, s->st[i].busy_fraction,
		    (unsigned long long)s->st[i].dishes,
		    s->st[i].capacity_per_s, s->st[i].killed,
		    s->st[i].restarts);
		fprintf(f, ",\"put_back\":%u,\"lost_with_killed\":%u",
		    s->st[i].put_back, s->st[i].lost_killed);
		if (s->st[i].recover_mean_s >= 0)
			fprintf(f, ",\"recover_seconds\":{\"mean\":%.6f,"
			    "\"max\":%.6f}", s->st[i].recover_mean_s,
			    s->st[i].recover_max_s);
		report_theory_station_json(f, s, i);
		fputc('}', f);
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
		fprintf(f, ",\"max_depth\":%u", s->rk[i].max_depth);
		report_theory_queue_json(f, s, i);
		fputc('}', f);
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
	if (s->broadcast)
		report_broadcast_json(f, r, s);
	if (r->cycle != NULL) {
		fputs(",\"cycle\":", f);
		safe_json_fputs(r->cycle, f);
	}
	report_theory_json(f, s, r->speed);
	fprintf(f, ",\"interrupted\":%s,\"deadlock\":%s,\"events\":%llu}\n",
	    r->interrupted ? "true" : "false",
	    r->deadlocked ? "true" : "false",
	    (unsigned long long)s->events);
}
