/*
 * report_theory.c: the theory's part of the headless summary: predicted
 * beside measured (text), and the predicted objects and Little's law of
 * the JSON. It reads the stats' figures and the prediction in them.
 */
#include "config.h"

#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "i18n.h"
#include "safe.h"
#include "stats.h"
#include "theory.h"

/*
 * The engine names the rows and the verdict's cause (theory.h); here they
 * are worded, in English for the JSON (tr 0: programs read it, and it
 * never changes) and in the user's language for the summary and the
 * screen (tr 1). L() marks a message and translates it only for tr.
 */
#define L(s)	(tr ? _(s) : (s))

/*
 * snprintf, for the words: a station's name may fill the buffer, and a
 * label or a line is then cut where the buffer ends (vsnprintf: gcc's
 * truncation warning would otherwise fire where the format is literal,
 * as it is without NLS).
 */
static void theory_put(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
theory_put(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static const char *const theory_causes[] = {
	[TC_DEADLOCK] = N_("a deadlock: the run stopped short, and the "
	    "prediction is of one that finishes"),
	[TC_OVERLOAD] = N_("an overloaded station: its rack grows as long as "
	    "the run lasts, so no steady state exists"),
	[TC_START_UP] = N_("start-up bias: the run starts empty and the first "
	    "dishes find short queues (set warmup to leave the start out)"),
	[TC_FINITE_OPEN] = N_("a finite run: random times vary, and the "
	    "interval around a mean shrinks only as 1/sqrt(dishes)"),
	[TC_GIL] = N_("the GIL: threads take turns computing, time-sliced "
	    "every gil.interval"),
	[TC_LOCK] = N_("a lock: workers queue for the cupboard's lock"),
	[TC_CPU] = N_("cpu work: the cores are shared, not taken in turn"),
	[TC_REAL_CLOCK] = N_("the real clock: sleeps wake late and threads "
	    "wait to be scheduled"),
	[TC_RANDOM] = N_("random times: the prediction uses their means"),
	[TC_FINITE] = N_("a finite run")
};

/* What limits a station, where no figure goes in the words. */
static const char *const theory_limits[] = {
	[PL_NO_WORK] = N_("no work (time 0)"),
	[PL_GIL] = N_("the GIL: one computes at a time"),
	[PL_LOOP] = N_("one event loop: one computes at a time"),
	[PL_CORES] = N_("the cores: cpu work shares them"),
	[PL_CUPBOARD_MUTEX] = N_("the cupboard's mutex: one at a time"),
	[PL_CUPBOARD_SPIN] = N_("the cupboard's spin lock: one at a time")
};

/* Why a prediction is approximate, where no figure goes in the words. */
static const char *const theory_approxes[] = {
	[PA_SCRIPT_SET] = N_("a [script] step changes the line: the steady "
	    "state is of the line as it starts"),
	[PA_NOT_MARKOV] = N_("times not all exponential, or a bounded rack or "
	    "shared limit: approximate"),
	[PA_LONG_RUN] = N_("a long run: the bottleneck's rate and the time to "
	    "fill the line"),
	[PA_SCRIPT_RACE] = N_("a [script] step takes workers away (which "
	    "leaves when is a race) or sets a random time"),
	[PA_RANDOM] = N_("random times: the timeline uses their means"),
	[PA_SHARED] = N_("work shared by the GIL, the cores or a lock: taken "
	    "in turn, not time-sliced")
};

/* What sets station i's capacity, e.g. "2 workers / 4 s". */
static const char *
theory_limit(const struct stats *s, unsigned i, int tr, char *buf,
    size_t len)
{
	const struct predict_station	*ps = &stats_prediction(s)->st[i];
	const struct station		*st = &s->scn->stations[i];

	switch (ps->limit) {
	case PL_WORKERS:
		theory_put(buf, len, tr ? P_("%u worker / %.3g s",
		    "%u workers / %.3g s", ps->workers) : ps->workers == 1 ?
		    "%u worker / %.3g s" : "%u workers / %.3g s", ps->workers,
		    ps->mean_s);
		break;
	case PL_LOCK:
		theory_put(buf, len, L(N_("lock %s: one worker at a time")),
		    st->needs[ps->limit_lock]);
		break;
	default:
		theory_put(buf, len, "%s", L(theory_limits[ps->limit]));
		break;
	}
	return (buf);
}

/* Why the prediction is approximate; "" when it is not. */
static const char *
theory_approx(const struct stats *s, int tr, char *buf, size_t len)
{
	const struct prediction	*p = stats_prediction(s);

	buf[0] = '\0';
	switch (p->approx) {
	case PA_NONE:
		break;
	case PA_UNSTABLE:
		theory_put(buf, len, L(N_("station %s cannot keep up with the "
		    "arrivals: its rack grows without end")),
		    s->scn->stations[p->bottleneck].name);
		break;
	default:
		theory_put(buf, len, "%s", L(theory_approxes[p->approx]));
		break;
	}
	return (buf);
}

/* A station's queueing model: notation, but for a station with no work. */
static const char *
theory_model(const struct predict_station *ps, int tr)
{
	return (strcmp(ps->model, "no work") == 0 ? L(N_("no work")) :
	    ps->model);
}

/* A row's label, e.g. "busy dryer" or "wait washer -> dryer". */
static const char *
theory_label(const struct stats *s, const struct theory_row *r, int tr,
    char *buf, size_t len)
{
	const struct station	*st = s->scn->stations;
	unsigned		 i = r->station;

	switch (r->what) {
	case TW_THROUGHPUT:
		theory_put(buf, len, "%s", L(N_("throughput")));
		break;
	case TW_TIME:
		theory_put(buf, len, "%s", L(N_("time")));
		break;
	case TW_BUSY:
		theory_put(buf, len, L(N_("busy %s")), st[i].name);
		break;
	case TW_WAIT:
		if (i == 0)
			theory_put(buf, len, L(N_("wait before %s")), st[0].name);
		else
			theory_put(buf, len, L(N_("wait %s -> %s")),
			    st[i - 1].name, st[i].name);
		break;
	case TW_DEPTH:
		if (i == 0)
			theory_put(buf, len, L(N_("depth before %s")),
			    st[0].name);
		else
			theory_put(buf, len, L(N_("depth %s -> %s")),
			    st[i - 1].name, st[i].name);
		break;
	case TW_P_WAIT:
		theory_put(buf, len, L(N_("waits at all, %s")), st[i].name);
		break;
	case TW_IN_SYSTEM:
		theory_put(buf, len, L(N_("time in system, %s")), st[i].name);
		break;
	}
	return (buf);
}

/* A row's value; an infinite one is worded. */
static const char *
theory_value(enum theory_unit u, double v, int tr, char *buf, size_t len)
{
	if (!isfinite(v)) {
		theory_put(buf, len, "%s", L(N_("unbounded")));
		return (buf);
	}
	if (u == TU_SECONDS && tr) {
		theory_put(buf, len, _("%.3f s"), v);
		return (buf);
	}
	return (theory_format(u, v, buf, len));
}

/* The verdict as one line (no newline). */
static void
theory_verdict_text(const struct stats *s, int tr, char *buf, size_t len)
{
	struct theory_verdict	 v;
	char			 label[96], m[32], pr[32], extra[160];

	theory_verdict(s, &v);
	if (v.cause == TC_NO_PREDICTION) {
		theory_put(buf, len, "%s", L(N_("no prediction for this "
		    "scenario")));
		return;
	}
	if (v.cause == TC_AGREE) {
		if (v.too_small)
			theory_put(buf, len, L(N_("measured and predicted agree "
			    "within 1 %%, or by less than a hundredth of a "
			    "dish's time")));
		else if (v.approximate)
			theory_put(buf, len, L(N_("measured and predicted agree "
			    "within 1 %% (the prediction is approximate)")));
		else
			theory_put(buf, len, L(N_("measured and predicted agree "
			    "within 1 %%")));
		return;
	}
	extra[0] = '\0';
	if (v.have_arrived)
		theory_put(extra, sizeof extra, L(N_("; and the dishes arrived "
		    "at %.3f/s, not %.3f/s")), v.arrived, v.lambda);
	theory_put(buf, len, L(N_("largest difference: %s, measured %s, "
	    "predicted %s (%+.0f %%): %s%s")),
	    theory_label(s, &v.r, tr, label, sizeof label),
	    theory_value(v.r.unit, v.r.measured, tr, m, sizeof m),
	    theory_value(v.r.unit, v.r.predicted, tr, pr, sizeof pr),
	    v.percent, L(theory_causes[v.cause]), extra);
}

/*
 * The terminal columns of t: a Korean glyph is two columns and three
 * bytes. An invalid byte counts one, as in the C locale.
 */
static int
theory_cols(const char *t)
{
	mbstate_t	 ps;
	wchar_t		 wc;
	size_t		 n;
	int		 w = 0, cw;

	memset(&ps, 0, sizeof ps);
	while (*t != '\0') {
		n = mbrtowc(&wc, t, strlen(t), &ps);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&ps, 0, sizeof ps);
			n = 1;
			cw = 1;
		} else if ((cw = wcwidth(wc)) < 0)
			cw = 1;
		w += cw;
		t += n;
	}
	return (w);
}

/* t padded to cols columns, on the right (left, as %-Ns) or the left. */
static void
theory_pad(FILE *f, const char *t, int cols, int left)
{
	int	w = theory_cols(t);

	if (!left)
		fprintf(f, "%*s", w < cols ? cols - w : 0, "");
	fputs(t, f);
	if (left)
		fprintf(f, "%*s", w < cols ? cols - w : 0, "");
}

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
	char			 m[32], pr[32], label[96], note[256];
	char			 verdict[512];
	size_t			 n, i;
	unsigned		 j;
	int			 w;

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
		fputs("  ", f);
		theory_pad(f, theory_label(s, &rows[i], 1, label,
		    sizeof label), 24, 1);
		fputc(' ', f);
		theory_pad(f, rows[i].have_measured ? theory_value(rows[i].unit,
		    rows[i].measured, 1, m, sizeof m) : "-", 12, 0);
		fputc(' ', f);
		theory_pad(f, rows[i].have_predicted ?
		    theory_value(rows[i].unit, rows[i].predicted, 1, pr,
		    sizeof pr) : "-", 12, 0);
		fputc('\n', f);
	}
	if (live && predict_dried_by(p, (double)s->t_end / 1e9) >= 0) {
		char	 did[64], by[64];
		const char *v = report_did(s->scn->stations[s->nstations -
		    1].name, did, sizeof did);

		/* "stacked by now"; a name without a verb: "done by now". */
		snprintf(by, sizeof by, _("%s by now"), v == did ? _("done") : v);
		fputs("  ", f);
		theory_pad(f, by, 24, 1);
		fprintf(f, " %12llu %12.0f\n", (unsigned long long)s->dried,
		    predict_dried_by(p, (double)s->t_end / 1e9));
	}
	for (j = 0; j < s->nstations; j++) {
		const struct predict_station *ps = &p->st[j];

		snprintf(label, sizeof label, _("capacity %s"),
		    s->scn->stations[j].name);
		fputs("  ", f);
		theory_pad(f, label, 24, 1);
		fputc(' ', f);
		theory_pad(f, theory_value(TU_RATE, ps->capacity, 1, m,
		    sizeof m), 12, 0);
		fprintf(f, "   %s%s%s\n", theory_limit(s, j, 1, note,
		    sizeof note), p->open ? ", " : "", p->open ?
		    theory_model(ps, 1) : "");
	}
	if (s->scn->broadcast && s->nstations > 1) {
		fputs("  ", f);
		theory_pad(f, _("broadcast"), 24, 1);
		fprintf(f, " %s\n", _("not a queue: copied to each subscriber, "
		    "or missed"));
	}
	for (j = 0; j < s->nstations; j++) {
		const struct flow_stats *q = &s->queue[j];

		if (!q->valid)
			continue;
		/* Padded here in columns: %-11s counts bytes. */
		snprintf(label, sizeof label, "%s", j == 0 ? _("arrivals") :
		    s->scn->stations[j].name);
		w = theory_cols(label);
		snprintf(label + strlen(label), sizeof label - strlen(label),
		    "%*s", w < 11 ? 11 - w : 0, "");
		fprintf(f, _("  little's law %-11s L %.3f = lambda W %.3f "
		    "(%.3f/s x %.3f s)"), label, q->mean_l,
		    q->lambda * q->mean_w, q->lambda, q->mean_w);
		/* The law is about a place that empties: say when not. */
		if (j > 0 && q->n_in > q->n_out)
			fprintf(f, _(", %llu still there"),
			    (unsigned long long)(q->n_in - q->n_out));
		fputc('\n', f);
	}
	if (p->approx != PA_NONE)
		fprintf(f, _("  approximate: %s\n"), theory_approx(s, 1, note,
		    sizeof note));
	/* Half a run against a whole one says nothing: the end will. */
	if (!live) {
		theory_verdict_text(s, 1, verdict, sizeof verdict);
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
	char			 note[256];

	if (s->warmup_ns > 0)
		fprintf(f, ",\"busy_fraction_after_warmup\":%.6f",
		    s->busy_win[i]);
	fputs(",\"predicted\":{", f);
	json_num(f, "busy_fraction", p->st[i].busy, p->valid);
	fputc(',', f);
	json_num(f, "capacity_per_s", p->st[i].capacity, p->valid);
	fputs(",\"limit\":", f);
	safe_json_fputs(theory_limit(s, i, 0, note, sizeof note), f);
	if (p->open) {
		fputs(",\"model\":", f);
		safe_json_fputs(theory_model(&p->st[i], 0), f);
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
	char			 verdict[512], note[256];

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
	safe_json_fputs(theory_approx(s, 0, note, sizeof note), f);
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
	theory_verdict_text(s, 0, verdict, sizeof verdict);
	fputs(",\"theory\":", f);
	safe_json_fputs(verdict, f);
}
