/*
 * report_theory.c: the theory's part of the headless summary: predicted
 * beside measured (text), and the predicted objects and Little's law of
 * the JSON. It reads the stats' figures and the prediction in them.
 */
#include "config.h"

#include "report.h"

#include <math.h>
#include <string.h>

#include "i18n.h"
#include "safe.h"
#include "stats.h"
#include "theory.h"

/* A number, or null for JSON when it is infinite or unknown. */
static void
json_num(FILE *f, const char *key, double v, int have)
{
	if (have && isfinite(v))
		fprintf(f, "\"%s\":%.6f", key, v);
	else
		fprintf(f, "\"%s\":null", key);
}

void
report_theory_text(FILE *f, const struct stats *s, int live)
{
	struct theory_row	 rows[THEORY_MAX_ROWS];
	const struct prediction	*p = stats_prediction(s);
	char			 m[32], pr[32], verdict[512];
	size_t			 n, i;
	unsigned		 j;

	if (!p->valid)
		return;
	n = theory_rows(s, rows, THEORY_MAX_ROWS);
	/* The header as one line: a translation keeps its columns. */
	fputs(live ? _("theory                           so far    whole run") :
	    _("theory                         measured    predicted"), f);
	if (s->warmup_ns > 0)
		fprintf(f, _("  (after a warm-up of %g s)"),
		    (double)s->warmup_ns / 1e9);
	fputc('\n', f);
	for (i = 0; i < n; i++) {
		fprintf(f, "  %-24s %12s %12s\n", rows[i].label,
		    rows[i].have_measured ? theory_format(rows[i].unit,
		    rows[i].measured, m, sizeof m) : "-",
		    rows[i].have_predicted ? theory_format(rows[i].unit,
		    rows[i].predicted, pr, sizeof pr) : "-");
	}
	if (live && predict_dried_by(p, (double)s->t_end / 1e9) >= 0) {
		char	 did[64], by[64];
		const char *v = report_did(s->scn->stations[s->nstations -
		    1].name, did, sizeof did);

		/* "stacked by now"; a name without a verb: "done by now". */
		snprintf(by, sizeof by, _("%s by now"), v == did ? _("done") : v);
		fprintf(f, "  %-24s %12llu %12.0f\n", by,
		    (unsigned long long)s->dried,
		    predict_dried_by(p, (double)s->t_end / 1e9));
	}
	for (j = 0; j < s->nstations; j++) {
		const struct predict_station *ps = &p->st[j];

		char	 label[48];

		snprintf(label, sizeof label, "capacity %s",
		    s->scn->stations[j].name);
		fprintf(f, "  %-24s %12s   %s%s%s\n", label,
		    theory_format(TU_RATE, ps->capacity, m, sizeof m),
		    ps->note, p->open ? ", " : "", p->open ? ps->model : "");
	}
	if (s->scn->broadcast && s->nstations > 1)
		fprintf(f, "  %-24s %s\n", "broadcast",
		    "not a queue: copied to each subscriber, or missed");
	for (j = 0; j < s->nstations; j++) {
		const struct flow_stats *q = &s->queue[j];

		if (!q->valid)
			continue;
		fprintf(f, _("  little's law %-11s L %.3f = lambda W %.3f "
		    "(%.3f/s x %.3f s)"), j == 0 ? "arrivals" :
		    s->scn->stations[j].name, q->mean_l, q->lambda * q->mean_w,
		    q->lambda, q->mean_w);
		/* The law is about a place that empties: say when not. */
		if (j > 0 && q->n_in > q->n_out)
			fprintf(f, _(", %llu still there"),
			    (unsigned long long)(q->n_in - q->n_out));
		fputc('\n', f);
	}
	if (p->approx[0] != '\0')
		fprintf(f, _("  approximate: %s\n"), p->approx);
	/* Half a run against a whole one says nothing: the end will. */
	if (!live) {
		theory_verdict(s, verdict, sizeof verdict);
		fprintf(f, "  %s\n", verdict);
	}
}

/* Little's law of one place: both sides, and the parts of the right. */
static void
report_little(FILE *f, const struct flow_stats *q)
{
	fputs(",\"littles_law\":{", f);
	json_num(f, "L", q->mean_l, 1);
	fputc(',', f);
	json_num(f, "lambda_W", q->lambda * q->mean_w, q->valid);
	fputc(',', f);
	json_num(f, "lambda_per_s", q->lambda, 1);
	fputc(',', f);
	json_num(f, "W_seconds", q->mean_w, q->valid);
	fputc('}', f);
}

void
report_theory_station_json(FILE *f, const struct stats *s, unsigned i)
{
	const struct prediction	*p = stats_prediction(s);

	if (s->warmup_ns > 0)
		fprintf(f, ",\"busy_fraction_after_warmup\":%.6f",
		    s->busy_win[i]);
	fputs(",\"predicted\":{", f);
	json_num(f, "busy_fraction", p->st[i].busy, p->valid);
	fputc(',', f);
	json_num(f, "capacity_per_s", p->st[i].capacity, p->valid);
	fputs(",\"limit\":", f);
	safe_json_fputs(p->st[i].note, f);
	if (p->open) {
		fputs(",\"model\":", f);
		safe_json_fputs(p->st[i].model, f);
		fputc(',', f);
		json_num(f, "p_wait", p->st[i].q.p_wait, p->valid);
		fputc(',', f);
		json_num(f, "time_in_system_seconds", p->st[i].q.w, p->valid);
	}
	fputc('}', f);
	report_little(f, &s->hands[i]);
}

/* The figures of the queue in front of station i (the arrivals' for 0). */
void
report_theory_queue_json(FILE *f, const struct stats *s, unsigned i)
{
	const struct prediction	*p = stats_prediction(s);
	const struct flow_stats	*q = &s->queue[i];

	fputc(',', f);
	json_num(f, "mean_depth", q->mean_l, 1);
	fputc(',', f);
	json_num(f, "mean_wait_seconds", q->mean_w, q->valid);
	fputc(',', f);
	json_num(f, "p_wait", q->nwait ? (double)q->nwaited /
	    (double)q->nwait : 0, q->valid);
	fputs(",\"predicted\":{", f);
	json_num(f, "mean_depth", p->st[i].depth, p->valid);
	fputc(',', f);
	json_num(f, "mean_wait_seconds", p->st[i].wait_s, p->valid);
	if (p->open) {
		fputc(',', f);
		json_num(f, "p_wait", p->st[i].q.p_wait, p->valid &&
		    p->stable);
	}
	if (p->open && i > 0 && p->st[i].q.p_block > 0) {
		fputc(',', f);
		json_num(f, "p_block", p->st[i].q.p_block, 1);
	}
	fputc('}', f);
	report_little(f, q);
}

void
report_theory_json(FILE *f, const struct stats *s, double speed)
{
	const struct prediction	*p = stats_prediction(s);
	char			 verdict[512];

	fputs(",\"predicted\":{", f);
	json_num(f, "throughput_per_s", p->throughput, p->valid);
	fputc(',', f);
	json_num(f, "wall_seconds", s->real_clock && speed > 0 ?
	    p->wall_s / speed : p->wall_s, p->valid && s->real_clock);
	fputc(',', f);
	json_num(f, "scenario_seconds", p->wall_s, p->valid);
	fputc(',', f);
	json_num(f, "steady_throughput_per_s", p->steady, p->valid);
	fputs(",\"bottleneck\":", f);
	safe_json_fputs(p->valid ? s->scn->stations[p->bottleneck].name : "",
	    f);
	fprintf(f, ",\"exact\":%s", p->exact ? "true" : "false");
	fputs(",\"approximate\":", f);
	safe_json_fputs(p->approx, f);
	fputc('}', f);
	if (s->warmup_ns > 0)
		fprintf(f, ",\"warmup_seconds\":%.6f,"
		    "\"throughput_after_warmup_per_s\":%.6f",
		    (double)s->warmup_ns / 1e9, s->throughput_win);
	if (s->arrival != NULL) {
		fputs(",\"arrivals\":{", f);
		json_num(f, "rate_per_s", p->lambda, p->valid);
		report_theory_queue_json(f, s, 0);
		fputc('}', f);
	}
	theory_verdict(s, verdict, sizeof verdict);
	fputs(",\"theory\":", f);
	safe_json_fputs(verdict, f);
}
