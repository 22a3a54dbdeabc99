/*
 * record.c: the recording format, written and read (doc/recording.md).
 *
 * The writer is on the engine's reader thread, so its cost is what the
 * reader can spare: an event is formatted by hand into a stdio buffer of
 * its own (no printf), and the buffer is flushed whenever RECORD_FLUSH_NS
 * of real time has passed since the last flush, so a run killed with
 * SIGKILL leaves all but its last moments, and a slow run is on disk
 * event by event. Reading the real clock at every event cost a sixth of
 * the reader's time in a zero-work run: it is read when the events' own
 * time has moved on by RECORD_FLUSH_NS (or gone back: another worker's
 * events), or after RECORD_CHECK_EVENTS events. The reader takes nothing on trust: every line is
 * checked, numbers against their ranges, before anything is folded.
 */
#include "config.h"

#include "record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arrivals.h"
#include "bcast.h"
#include "clock.h"
#include "i18n.h"
#include "json.h"
#include "rack.h"
#include "scenario.h"
#include "xmalloc.h"

#define RECORD_FLUSH_NS		(20 * NSEC_PER_MSEC)
#define RECORD_CHECK_EVENTS	1024
#define RECORD_BUFFER		(1 << 20)
#define RECORD_LINE_MAX		((size_t)64 << 20)	/* a scenario's text */
#define RECORD_WORKERS_MAX	(1U << 16)	/* slots of any run */

struct recorder {
	FILE		*f;
	char		*path;
	char		*buf;
	int64_t		 flushed;	/* real time of the last flush */
	int64_t		 t_check;	/* scenario time the clock was read */
	unsigned	 since_check;	/* events since */
	int		 failed;	/* errno of a failed write, or 0 */
};

static void	record_worker(void *, int64_t, uint32_t, unsigned,
		    const char *);
static void	record_event(void *, const struct event *);
static void	record_output(void *, int64_t, const char *, size_t);
static void	record_broadcast(FILE *, const struct stats_end *);
static int	replay_broadcast(struct stats_end *, const struct json *);
static int	replay_u64(const struct json *, const char *, uint64_t *);
static void	record_end(void *, const struct stats_end *,
		    const struct report_run *, const struct stats *);

struct recorder *
record_open(const char *path, char **cause)
{
	struct recorder	*r;
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	r = xcalloc(1, sizeof *r);
	r->f = f;
	r->path = xstrdup(path);
	r->buf = xmalloc(RECORD_BUFFER);
	setvbuf(f, r->buf, _IOFBF, RECORD_BUFFER);
	r->flushed = clock_mono_ns();
	return (r);
}

static void
record_flush(struct recorder *r)
{
	if (fflush(r->f) != 0 && r->failed == 0)
		r->failed = errno;
	r->flushed = clock_mono_ns();
}

static void
record_maybe_flush(struct recorder *r)
{
	if (clock_mono_ns() - r->flushed >= RECORD_FLUSH_NS)
		record_flush(r);
}

static void
record_key_string(FILE *f, const char *key, const char *s)
{
	fprintf(f, ",\"%s\":", key);
	if (s == NULL)
		fputs("null", f);
	else
		json_put_string(f, s, strlen(s));
}

void
record_header(struct recorder *r, const struct scenario *scn,
    const char *clock, double speed, int force)
{
	struct utsname	 u;
	char		 host[256], host2[600], when[64];
	time_t		 now = time(NULL);
	struct tm	 tm;

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "?");
	host[sizeof host - 1] = '\0';
	if (uname(&u) == 0)
		snprintf(host2, sizeof host2, "%s (%s %s %s)", host,
		    u.sysname, u.release, u.machine);
	else
		snprintf(host2, sizeof host2, "%s", host);
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);

	fprintf(r->f, "{\"dishrack_recording\":%d", RECORD_FORMAT);
	record_key_string(r->f, "version", PACKAGE_VERSION);
	record_key_string(r->f, "file", scn->file);
	record_key_string(r->f, "title", scn->title);
	record_key_string(r->f, "mode", scn_mode_name(scn->mode));
	record_key_string(r->f, "clock", clock);
	fprintf(r->f, ",\"speed\":%.17g,\"seed\":%llu,\"force\":%s", speed,
	    (unsigned long long)scn->seed, force ? "true" : "false");
	record_key_string(r->f, "host", host2);
	record_key_string(r->f, "started", when);
	fputs(",\"event\":[\"t\",\"worker\",\"station\",\"kind\",\"dish\","
	    "\"arg\"]", r->f);
	record_key_string(r->f, "sets", scn->sets);
	fputs(",\"source\":", r->f);
	json_put_string(r->f, scn->source, strlen(scn->source));
	fputs("}\n", r->f);
	record_flush(r);
}

void
record_tap(struct recorder *r, struct tap *t)
{
	memset(t, 0, sizeof *t);
	t->worker = record_worker;
	t->event = record_event;
	t->output = record_output;
	t->end = record_end;
	t->arg = r;
}

static void
record_worker(void *arg, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	struct recorder	*r = arg;

	fprintf(r->f, "{\"t\":%lld,\"worker\":%u,\"station\":%u,\"name\":",
	    (long long)t, id, station);
	json_put_string(r->f, name, strlen(name));
	fputs("}\n", r->f);
}

/* Digits of v, backwards from the end of buf; returns the first. */
static char *
record_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return (end);
}

static char *
record_int(char *o, int64_t v)
{
	char	 tmp[24], *p;
	size_t	 n;

	if (v < 0) {
		*o++ = '-';
		p = record_digits(tmp + sizeof tmp, (uint64_t)-(v + 1) + 1);
	} else
		p = record_digits(tmp + sizeof tmp, (uint64_t)v);
	n = (size_t)(tmp + sizeof tmp - p);
	memcpy(o, p, n);
	return (o + n);
}

static void
record_event(void *arg, const struct event *e)
{
	struct recorder	*r = arg;
	char		 line[128], *o = line;
	const char	*k;
	size_t		 n;

	*o++ = '[';
	o = record_int(o, e->t);
	*o++ = ',';
	o = record_int(o, e->worker == EV_ENGINE ? -1 : (int64_t)e->worker);
	*o++ = ',';
	o = record_int(o, e->station);
	*o++ = ',';
	*o++ = '"';
	k = ev_kind_name(e->kind);
	n = strlen(k);
	memcpy(o, k, n);
	o += n;
	*o++ = '"';
	*o++ = ',';
	o = record_int(o, e->dish == DISH_NONE ? -1 : (int64_t)e->dish);
	*o++ = ',';
	o = record_int(o, e->arg);
	*o++ = ']';
	*o++ = '\n';
	fwrite(line, 1, (size_t)(o - line), r->f);
	if (e->t - r->t_check >= RECORD_FLUSH_NS || e->t < r->t_check ||
	    ++r->since_check >= RECORD_CHECK_EVENTS) {
		r->t_check = e->t;
		r->since_check = 0;
		record_maybe_flush(r);
	}
}

static void
record_output(void *arg, int64_t t, const char *text, size_t len)
{
	struct recorder	*r = arg;

	fprintf(r->f, "{\"t\":%lld,\"out\":", (long long)t);
	json_put_string(r->f, text, len);
	fputs("}\n", r->f);
	record_maybe_flush(r);
}

static void
record_end(void *arg, const struct stats_end *se, const struct report_run *rr,
    const struct stats *st)
{
	struct recorder		*r = arg;
	const struct scenario	*scn = se->scn;
	FILE			*f = r->f;
	unsigned		 i;

	(void)st;
	fprintf(f, "{\"end\":true,\"t_end\":%lld,\"wall_ns\":%lld,"
	    "\"pile_takes\":%llu,\"in_hands\":%llu", (long long)se->t_end,
	    (long long)se->wall_ns, (unsigned long long)se->pile_takes,
	    (unsigned long long)se->in_hands);
	fputs(",\"rack_count\":[", f);
	for (i = 0; i < scn->nstations; i++)
		fprintf(f, "%s%u", i ? "," : "", se->rack_count[i]);
	fputs("],\"live\":[", f);
	for (i = 0; i < scn->nstations; i++)
		fprintf(f, "%s%u", i ? "," : "", se->live[i]);
	fputs("],\"stations\":[", f);
	for (i = 0; i < scn->nstations; i++) {
		const struct station	*s = &scn->stations[i];

		fprintf(f, "%s{\"count\":%u,\"time\":[%d,%lld,%lld]}",
		    i ? "," : "", s->count, (int)s->time.kind,
		    (long long)s->time.a_ns, (long long)s->time.b_ns);
	}
	fprintf(f, "],\"gil_handovers\":%llu,\"gil_wait_ns\":%lld,"
	    "\"cupboard\":%s,\"cupboard_count\":%llu,"
	    "\"lock_acquisitions\":%llu,\"lock_wait_ns\":%lld,"
	    "\"lock_longest_ns\":%lld",
	    (unsigned long long)se->gil_handovers, (long long)se->gil_wait_ns,
	    se->cupboard ? "true" : "false",
	    (unsigned long long)se->cupboard_count,
	    (unsigned long long)se->lock_acquisitions,
	    (long long)se->lock_wait_ns, (long long)se->lock_longest_ns);
	if (se->has_btot)
		record_broadcast(f, se);
	record_key_string(f, "clock", rr->clock);
	fprintf(f, ",\"speed\":%.17g,\"interrupted\":%s,\"deadlocked\":%s",
	    rr->speed, rr->interrupted ? "true" : "false",
	    rr->deadlocked ? "true" : "false");
	record_key_string(f, "racks_where", rr->racks_where);
	record_key_string(f, "cycle", rr->cycle);
	record_key_string(f, "error", rr->error);
	fputs(",\"workers\":[", f);
	for (i = 0; i < rr->nworkers; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_put_string(f, rr->workers[i].name,
		    strlen(rr->workers[i].name));
		fprintf(f, ",\"gil_wait_ns\":%lld,\"gil_hold_ns\":%lld}",
		    (long long)rr->workers[i].gil_wait_ns,
		    (long long)rr->workers[i].gil_hold_ns);
	}
	fputs("]}\n", f);
	record_flush(r);
}

/*
 * A broadcast's books at the end: its totals, and each subscriber's as
 * an array (slot, station, state, joined, received, late, dropped,
 * queued, life, reconnects), for a replay to conserve as the run did.
 */
static void
record_broadcast(FILE *f, const struct stats_end *se)
{
	const struct bcast_totals	*b = &se->btot;
	const struct bcast_view		*v;
	size_t				 i;

	fprintf(f, ",\"broadcast\":{\"published\":%llu,\"to_nobody\":%llu,"
	    "\"copies\":%llu,\"expected\":%u,\"subscribed\":%u,\"sync\":%d,"
	    "\"hwm\":%u,\"blind\":%d,\"subscribers\":[",
	    (unsigned long long)b->published, (unsigned long long)b->to_nobody,
	    (unsigned long long)b->copies, b->expected, b->subscribed, b->sync,
	    b->hwm, b->blind);
	for (i = 0; i < se->nbsubs; i++) {
		v = &se->bsubs[i];
		fprintf(f, "%s[%u,%u,%d,%lld,%llu,%llu,%llu,%llu,%llu,%u]",
		    i ? "," : "", v->slot, v->station, v->state,
		    (long long)v->joined_t, (unsigned long long)v->received,
		    (unsigned long long)v->late, (unsigned long long)v->dropped,
		    (unsigned long long)v->queued, (unsigned long long)v->life,
		    v->reconnects);
	}
	fputs("]}", f);
}

/* The same, read back. 0 (also when there is none), or -1: malformed. */
static int
replay_broadcast(struct stats_end *se, const struct json *j)
{
	const struct json	*b, *a, *it;
	struct bcast_totals	*t = &se->btot;
	struct bcast_view	*v;
	uint64_t		 u[8];
	int64_t			 x[10];
	size_t			 i, k;
	static const char *const keys[] = { "published", "to_nobody",
	    "copies", "expected", "subscribed", "sync", "hwm", "blind" };

	if ((b = json_get(j, "broadcast")) == NULL)
		return (0);
	if (b->type != JSON_OBJECT)
		return (-1);
	for (k = 0; k < 8; k++) {
		if (replay_u64(b, keys[k], &u[k]) == -1)
			return (-1);
	}
	memset(t, 0, sizeof *t);
	t->published = u[0];
	t->to_nobody = u[1];
	t->copies = u[2];
	t->expected = (unsigned)u[3];
	t->subscribed = (unsigned)u[4];
	t->sync = u[5] != 0;
	t->hwm = (uint32_t)u[6];
	t->blind = u[7] != 0;
	if ((a = json_get(b, "subscribers")) == NULL || a->type != JSON_ARRAY ||
	    a->n > BCAST_MAX_SUBS)
		return (-1);
	se->bsubs = xcalloc(a->n ? a->n : 1, sizeof *se->bsubs);
	se->nbsubs = a->n;
	for (i = 0; i < a->n; i++) {
		it = &a->item[i];
		if (it->type != JSON_ARRAY || it->n != 10)
			return (-1);
		for (k = 0; k < 10; k++) {
			if (it->item[k].type != JSON_NUMBER ||
			    !it->item[k].is_integer || (k != 3 &&
			    it->item[k].integer < 0))
				return (-1);
			x[k] = it->item[k].integer;
		}
		v = &se->bsubs[i];
		v->slot = (unsigned)x[0];
		v->station = (unsigned)x[1];
		v->state = (int)x[2];
		v->joined_t = x[3];
		v->received = (uint64_t)x[4];
		v->late = (uint64_t)x[5];
		v->dropped = (uint64_t)x[6];
		v->queued = (uint64_t)x[7];
		v->life = (uint64_t)x[8];
		v->reconnects = (unsigned)x[9];
	}
	se->has_btot = 1;
	return (0);
}

int
record_close(struct recorder *r, char **cause)
{
	int	rc = 0;

	if (r == NULL)
		return (0);
	record_flush(r);
	if (fclose(r->f) != 0 && r->failed == 0)
		r->failed = errno;
	if (r->failed != 0) {
		xasprintf(cause, "%s: %s", r->path, strerror(r->failed));
		rc = -1;
	}
	free(r->buf);
	free(r->path);
	free(r);
	return (rc);
}

/* --- Reading ------------------------------------------------------------- */

/*
 * The next line, without its newline, in *line (len bytes). 0 at a whole
 * line; 1 at the end of the file, or at a last line without its newline
 * (what a recorder killed in mid-write leaves: not read); -1 if a line
 * is longer than any recording's.
 */
static int
replay_line(struct replay *rp, char **line, size_t *cap, size_t *len)
{
	ssize_t	n;

	errno = 0;
	if ((n = getline(line, cap, rp->f)) == -1)
		return (1);
	rp->line++;
	if ((size_t)n > RECORD_LINE_MAX)
		return (-1);
	if (n == 0 || (*line)[n - 1] != '\n')
		return (1);
	(*line)[--n] = '\0';
	*len = (size_t)n;
	return (0);
}

static void
replay_fail(struct replay *rp, char **cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
replay_fail(struct replay *rp, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	xasprintf(cause, "%s:%u: %s", rp->path, rp->line, what);
	free(what);
}

static char *
replay_strdup(const struct json *j, const char *key)
{
	const char	*s = json_get_string(j, key);

	return (s != NULL ? xstrdup(s) : NULL);
}

struct replay *
replay_open(const char *path, char **cause)
{
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	return (replay_open_stream(f, path, cause));
}

struct replay *
replay_open_stream(FILE *f, const char *path, char **cause)
{
	struct replay		*rp;
	struct json		*h = NULL;
	const struct json	*v;
	char			*line = NULL, *why = NULL, *sets, *p, *nl;
	size_t			 cap = 0, len = 0;
	const char		*file, *source;
	int64_t			 format, seed;
	int			 rc;

	rp = xcalloc(1, sizeof *rp);
	rp->path = xstrdup(path);
	rp->f = f;
	if ((rc = replay_line(rp, &line, &cap, &len)) != 0) {
		if (rc == -1)
			replay_fail(rp, cause, _("a line too long: not a "
			    "dishrack recording"));
		else
			xasprintf(cause, _("%s: empty, or cut before the end "
			    "of its first line: not a dishrack recording"),
			    path);
		goto fail;
	}
	if (len == 0 || line[0] != '{' ||
	    (h = json_parse(line, len, &why)) == NULL ||
	    json_get_int(h, "dishrack_recording", &format) == -1) {
		free(why);
		replay_fail(rp, cause, _("not a dishrack recording (its first "
		    "line is not a recording's header)"));
		goto fail;
	}
	if (format != RECORD_FORMAT) {
		replay_fail(rp, cause, _("a recording of format %lld; this "
		    "dishrack (%s) reads format %d"), (long long)format,
		    PACKAGE_VERSION, RECORD_FORMAT);
		goto fail;
	}
	file = json_get_string(h, "file");
	source = json_get_string(h, "source");
	v = json_get(h, "speed");
	if (file == NULL || source == NULL || json_get_int(h, "seed",
	    &seed) == -1 || v == NULL || v->type != JSON_NUMBER ||
	    json_get_string(h, "clock") == NULL) {
		replay_fail(rp, cause, _("a header without its file, source, "
		    "seed, clock or speed"));
		goto fail;
	}
	rp->speed = v->number;
	rp->version = replay_strdup(h, "version");
	rp->clock = replay_strdup(h, "clock");
	rp->host = replay_strdup(h, "host");
	rp->started = replay_strdup(h, "started");
	v = json_get(h, "force");
	rp->force = v != NULL && v->type == JSON_BOOL && v->boolean;

	/* The scenario as it was run: its text, the --set lines, the seed. */
	v = json_get(h, "source");
	if ((rp->scn = scenario_parse(file, source, v->len, &why)) == NULL) {
		replay_fail(rp, cause, _("the recorded scenario: %s"), why);
		free(why);
		goto fail;
	}
	if (json_get_string(h, "sets") != NULL) {
		sets = xstrdup(json_get_string(h, "sets"));
		for (p = sets; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p) - 1;
			else
				*nl = '\0';
			if (*p != '\0' && scenario_set(rp->scn, p, &why) == -1) {
				replay_fail(rp, cause, _("the recorded "
				    "scenario: %s"), why);
				free(why);
				free(sets);
				goto fail;
			}
		}
		free(sets);
	}
	rp->scn->seed = (uint64_t)seed;
	if (scenario_validate(rp->scn, rp->force, &why) == -1) {
		replay_fail(rp, cause, _("the recorded scenario: %s"), why);
		free(why);
		goto fail;
	}
	/* As the engine does: a stream's dishes, counted from the seed. */
	arrivals_resolve(rp->scn);
	json_free(h);
	free(line);
	return (rp);
fail:
	json_free(h);
	free(line);
	replay_close(rp);
	return (NULL);
}

/* A signed integer of [-1, hi] at *p, up to a comma or ']'; -1: bad. */
static int
replay_field(const char **pp, const char *end, int64_t lo, int64_t hi,
    int64_t *out)
{
	const char	*p = *pp;
	int		 neg = 0, digits = 0;
	uint64_t	 v = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*p++ - '0');
		digits++;
	}
	if (digits == 0 || v > (uint64_t)INT64_MAX)
		return (-1);
	*out = neg ? -(int64_t)v : (int64_t)v;
	if (*out < lo || *out > hi)
		return (-1);
	*pp = p;
	return (0);
}

/* An event line: [t,worker,station,"kind",dish,arg]. 0, or -1. */
static int
replay_event(const char *line, size_t len, const struct scenario *scn,
    struct event *e)
{
	const char	*p = line + 1, *end = line + len, *k;
	int64_t		 t, w, st, d, a;
	size_t		 n;
	int		 i;

	if (replay_field(&p, end, 0, INT64_MAX >> 8, &t) == -1 ||
	    p >= end || *p++ != ',' ||
	    replay_field(&p, end, -1, RECORD_WORKERS_MAX - 1, &w) == -1 ||
	    p >= end || *p++ != ',' ||
	    replay_field(&p, end, 0, scn->nstations - 1, &st) == -1 ||
	    p + 1 >= end || *p++ != ',' || *p++ != '"')
		return (-1);
	for (k = p; p < end && *p != '"'; p++)
		;
	if (p >= end)
		return (-1);
	n = (size_t)(p - k);
	for (i = 0; i < EV_NKINDS; i++) {
		const char	*name = ev_kind_name((enum ev_kind)i);

		if (strlen(name) == n && memcmp(name, k, n) == 0)
			break;
	}
	if (i == EV_NKINDS)
		return (-1);
	p++;
	if (p >= end || *p++ != ',' ||
	    replay_field(&p, end, -1, UINT32_MAX - 1, &d) == -1 ||
	    p >= end || *p++ != ',' ||
	    replay_field(&p, end, INT32_MIN, INT32_MAX, &a) == -1 ||
	    p + 1 != end || *p != ']')
		return (-1);
	e->t = t;
	e->worker = w == -1 ? EV_ENGINE : (uint32_t)w;
	e->station = (uint16_t)st;
	e->kind = (uint16_t)i;
	e->dish = d == -1 ? DISH_NONE : (uint32_t)d;
	e->arg = (int32_t)a;
	return (0);
}

static const char *
replay_keep(struct replay *rp, int i, const struct json *j, const char *key)
{
	free(rp->rr_strings[i]);
	rp->rr_strings[i] = replay_strdup(j, key);
	return (rp->rr_strings[i]);
}

static int
replay_u64(const struct json *j, const char *key, uint64_t *out)
{
	int64_t	v;

	if (json_get_int(j, key, &v) == -1 || v < 0)
		return (-1);
	*out = (uint64_t)v;
	return (0);
}

/* The end line: what the engine said at the end. 0, or -1 if malformed. */
static int
replay_end(struct replay *rp, const struct json *j)
{
	struct stats_end	*se = &rp->se;
	struct report_run	*rr = &rp->rr;
	struct scenario		*scn = rp->scn;
	const struct json	*a, *b, *c, *v;
	uint64_t		 u;
	int64_t			 x;
	unsigned		 i;

	memset(se, 0, sizeof *se);
	se->scn = scn;
	if (json_get_int(j, "t_end", &se->t_end) == -1 ||
	    json_get_int(j, "wall_ns", &se->wall_ns) == -1 ||
	    replay_u64(j, "pile_takes", &se->pile_takes) == -1 ||
	    replay_u64(j, "in_hands", &se->in_hands) == -1 ||
	    replay_u64(j, "gil_handovers", &se->gil_handovers) == -1 ||
	    json_get_int(j, "gil_wait_ns", &se->gil_wait_ns) == -1 ||
	    replay_u64(j, "cupboard_count", &se->cupboard_count) == -1 ||
	    replay_u64(j, "lock_acquisitions", &se->lock_acquisitions) == -1 ||
	    json_get_int(j, "lock_wait_ns", &se->lock_wait_ns) == -1 ||
	    json_get_int(j, "lock_longest_ns", &se->lock_longest_ns) == -1)
		return (-1);
	if ((v = json_get(j, "cupboard")) == NULL || v->type != JSON_BOOL)
		return (-1);
	se->cupboard = v->boolean;
	if (replay_broadcast(se, j) == -1)
		return (-1);
	a = json_get(j, "rack_count");
	b = json_get(j, "live");
	c = json_get(j, "stations");
	if (a == NULL || b == NULL || c == NULL || a->type != JSON_ARRAY ||
	    b->type != JSON_ARRAY || c->type != JSON_ARRAY ||
	    a->n != scn->nstations || b->n != scn->nstations ||
	    c->n != scn->nstations)
		return (-1);
	for (i = 0; i < scn->nstations; i++) {
		const struct json	*tm;

		if (a->item[i].type != JSON_NUMBER || !a->item[i].is_integer ||
		    a->item[i].integer < 0 || a->item[i].integer > UINT32_MAX ||
		    b->item[i].type != JSON_NUMBER || !b->item[i].is_integer ||
		    b->item[i].integer < 0 || b->item[i].integer > UINT32_MAX)
			return (-1);
		se->rack_count[i] = (uint32_t)a->item[i].integer;
		se->live[i] = (unsigned)b->item[i].integer;
		if (replay_u64(&c->item[i], "count", &u) == -1 ||
		    u > UINT32_MAX || (tm = json_get(&c->item[i], "time")) ==
		    NULL || tm->type != JSON_ARRAY || tm->n != 3 ||
		    tm->item[0].type != JSON_NUMBER ||
		    tm->item[1].type != JSON_NUMBER ||
		    tm->item[2].type != JSON_NUMBER ||
		    tm->item[0].integer < DIST_FIXED ||
		    tm->item[0].integer > DIST_EXP)
			return (-1);
		scn->stations[i].count = (unsigned)u;
		scn->stations[i].time.kind = (enum dist_kind)
		    tm->item[0].integer;
		scn->stations[i].time.a_ns = tm->item[1].integer;
		scn->stations[i].time.b_ns = tm->item[2].integer;
	}

	memset(rr, 0, sizeof *rr);
	rr->scn = scn;
	if ((rr->clock = replay_keep(rp, 0, j, "clock")) == NULL ||
	    (v = json_get(j, "speed")) == NULL || v->type != JSON_NUMBER)
		return (-1);
	rr->speed = v->number;
	v = json_get(j, "interrupted");
	rr->interrupted = v != NULL && v->type == JSON_BOOL && v->boolean;
	v = json_get(j, "deadlocked");
	rr->deadlocked = v != NULL && v->type == JSON_BOOL && v->boolean;
	/* What theory's figures need to know of the run, from the same. */
	se->real_clock = strcmp(rr->clock, "virtual") != 0;
	se->deadlocked = rr->deadlocked;
	rr->racks_where = replay_keep(rp, 1, j, "racks_where");
	rr->cycle = replay_keep(rp, 2, j, "cycle");
	rr->error = replay_keep(rp, 3, j, "error");
	if ((a = json_get(j, "workers")) == NULL || a->type != JSON_ARRAY ||
	    a->n > RECORD_WORKERS_MAX)
		return (-1);
	/* The names are the end line's: make room for them all. */
	if (a->n > rp->nnames) {
		rp->names = xreallocarray(rp->names, a->n, sizeof *rp->names);
		memset(rp->names + rp->nnames, 0,
		    (a->n - rp->nnames) * sizeof *rp->names);
		rp->nnames = (uint32_t)a->n;
	}
	rr->workers = xcalloc(a->n ? a->n : 1, sizeof *rr->workers);
	rr->nworkers = (unsigned)a->n;
	for (i = 0; i < a->n; i++) {
		const char	*name = json_get_string(&a->item[i], "name");

		if (name == NULL ||
		    json_get_int(&a->item[i], "gil_wait_ns", &x) == -1)
			return (-1);
		rr->workers[i].gil_wait_ns = x;
		if (json_get_int(&a->item[i], "gil_hold_ns", &x) == -1)
			return (-1);
		rr->workers[i].gil_hold_ns = x;
		free(rp->names[i]);
		rp->names[i] = xstrdup(name);
		rr->workers[i].name = rp->names[i];
	}
	return (0);
}

/* A recording cut short: the end state as far as the events tell it. */
static void
replay_cut(struct replay *rp, const struct stats *st)
{
	struct stats_end	*se = &rp->se;
	struct report_run	*rr = &rp->rr;
	const struct scenario	*scn = rp->scn;
	unsigned		 i;
	uint64_t		 held;

	memset(se, 0, sizeof *se);
	se->scn = scn;
	se->t_end = rp->last_t;
	se->pile_takes = st->taken;
	for (i = 0; i < scn->nstations; i++) {
		if (i > 0) {
			held = st->st[i - 1].dishes > st->st[i].got ?
			    st->st[i - 1].dishes - st->st[i].got : 0;
			se->rack_count[i] = (uint32_t)held;
		}
		if (st->st[i].got > st->st[i].dishes)
			se->in_hands += st->st[i].got - st->st[i].dishes;
		se->live[i] = scn->stations[i].count;
	}
	memset(rr, 0, sizeof *rr);
	rr->scn = scn;
	rr->clock = rp->clock;
	rr->speed = rp->speed;
	rr->interrupted = 1;
	rr->nworkers = rp->nnames;
	rr->workers = xcalloc(rp->nnames ? rp->nnames : 1,
	    sizeof *rr->workers);
	for (i = 0; i < rp->nnames; i++)
		rr->workers[i].name = rp->names[i] != NULL ? rp->names[i] : "?";
}

/* A worker line: its slot's name. 0, or -1 if malformed. */
static int
replay_name(struct replay *rp, const struct json *j, struct taps *taps)
{
	int64_t		 t, id, st;
	const char	*name = json_get_string(j, "name");
	uint32_t	 n;

	if (json_get_int(j, "t", &t) == -1 ||
	    json_get_int(j, "worker", &id) == -1 ||
	    json_get_int(j, "station", &st) == -1 || name == NULL ||
	    id < 0 || id >= RECORD_WORKERS_MAX || st < 0 ||
	    st >= rp->scn->nstations)
		return (-1);
	if ((uint32_t)id >= rp->nnames) {
		n = rp->nnames ? rp->nnames : 16;
		while (n <= (uint32_t)id)
			n *= 2;
		rp->names = xreallocarray(rp->names, n, sizeof *rp->names);
		memset(rp->names + rp->nnames, 0,
		    (n - rp->nnames) * sizeof *rp->names);
		rp->nnames = n;
	}
	free(rp->names[id]);
	rp->names[id] = xstrdup(name);
	if (taps != NULL)
		taps_worker(taps, t, (uint32_t)id, (unsigned)st, name);
	return (0);
}

int
replay_run(struct replay *rp, struct stats *st, struct taps *taps,
    FILE *text, char **cause)
{
	struct event		 e;
	struct json		*j;
	const struct json	*v;
	char			*line = NULL, *why = NULL;
	size_t			 cap = 0, len = 0;
	int64_t			 t;
	int			 rc, ended = 0;

	for (;;) {
		if ((rc = replay_line(rp, &line, &cap, &len)) == 1)
			break;
		if (rc == -1) {
			replay_fail(rp, cause, _("a line too long for a "
			    "recording"));
			goto bad;
		}
		if (ended) {
			replay_fail(rp, cause, _("more after the end line"));
			goto bad;
		}
		if (len > 0 && line[0] == '[') {
			if (replay_event(line, len, rp->scn, &e) == -1) {
				replay_fail(rp, cause, _("not an event "
				    "[t,worker,station,\"kind\",dish,arg]"));
				goto bad;
			}
			if (e.worker != EV_ENGINE && (e.worker >= rp->nnames ||
			    rp->names[e.worker] == NULL)) {
				replay_fail(rp, cause, _("an event of worker "
				    "%u before its name"), e.worker);
				goto bad;
			}
			if (e.t > rp->last_t)
				rp->last_t = e.t;
			if (e.kind == EV_SCRIPT && e.worker == EV_ENGINE &&
			    ((unsigned)e.arg >= rp->scn->nscript)) {
				replay_fail(rp, cause, _("a script step %d of "
				    "%u"), e.arg, rp->scn->nscript);
				goto bad;
			}
			/* Switched on live: the summary has the GIL's figures. */
			if (e.kind == EV_CONTROL && e.worker == EV_ENGINE &&
			    e.arg == CTL_GIL_ON)
				rp->scn->gil = 1;
			stats_event(&e, st);
			if (taps != NULL)
				taps_event(taps, &e);
			continue;
		}
		if (len == 0 || line[0] != '{' ||
		    (j = json_parse(line, len, &why)) == NULL) {
			if (why != NULL) {
				replay_fail(rp, cause, _("not a recording's "
				    "line: %s"), why);
				free(why);
			} else
				replay_fail(rp, cause, _("not a recording's "
				    "line"));
			goto bad;
		}
		rc = 0;
		if (json_get(j, "end") != NULL) {
			if ((rc = replay_end(rp, j)) == 0)
				ended = 1;
		} else if (json_get(j, "name") != NULL)
			rc = replay_name(rp, j, taps);
		else if ((v = json_get(j, "out")) != NULL &&
		    v->type == JSON_STRING && json_get_int(j, "t", &t) == 0) {
			if (text != NULL)
				fwrite(v->string, 1, v->len, text);
			if (taps != NULL)
				taps_output(taps, t, v->string, v->len);
		} else
			rc = -1;
		json_free(j);
		if (rc == -1) {
			replay_fail(rp, cause, _("not a recording's line"));
			goto bad;
		}
	}
	free(line);
	if (!ended) {
		xasprintf(cause, _("%s: cut short after line %u, %.3f s into "
		    "the run (no end line): the summary is of what it holds"),
		    rp->path, rp->line, (double)rp->last_t / 1e9);
		replay_cut(rp, st);
		rp->complete = 0;
		return (1);
	}
	rp->complete = 1;
	return (0);
bad:
	free(line);
	return (-1);
}

void
replay_close(struct replay *rp)
{
	uint32_t	i;

	if (rp == NULL)
		return;
	if (rp->f != NULL)
		fclose(rp->f);
	if (rp->scn != NULL)
		scenario_free(rp->scn);
	for (i = 0; i < rp->nnames; i++)
		free(rp->names[i]);
	free(rp->names);
	for (i = 0; i < 4; i++)
		free(rp->rr_strings[i]);
	free(rp->rr.workers);
	free(rp->se.bsubs);
	free(rp->version);
	free(rp->clock);
	free(rp->host);
	free(rp->started);
	free(rp->path);
	free(rp);
}
