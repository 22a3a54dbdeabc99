/*
 * trace.c: Chrome trace events from the event stream.
 *
 * A process per station (its workers are its threads; in a process run
 * each thread's name carries its pid), one for the racks (a counter per
 * rack's depth, one for lost updates) and one for the run (captions and
 * a deadlock as instants). On a worker's thread a dish is a slice from
 * its take to its put (or its done at the last station); inside it, the
 * work and the wait for room in a full rack; between dishes, the wait for
 * a dish. A flow arrow joins a dish's put at one station to its take at
 * the next. Slices are kept and sorted at the end: a dish's slice ends
 * after its work's, but starts before it, and each track is written in
 * time order.
 */
#include "config.h"

#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lock.h"
#include "rack.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "xmalloc.h"

#define TRACE_PID_RUN		1
#define TRACE_PID_RACKS		2
#define TRACE_PID_STATION	10	/* + station index */
#define TRACE_MAX_RECORDS	(16U << 20)	/* then the trace says so */

enum tr_what {
	TR_DISH,		/* X: a dish in hand */
	TR_WORK,		/* X */
	TR_WAIT_GET,		/* X: waiting for a dish */
	TR_WAIT_PUT,		/* X: waiting for room */
	TR_DEPTH,		/* C: a rack's depth; arg */
	TR_LOST,		/* C: lost updates; arg */
	TR_CAPTION,		/* i: script step arg */
	TR_DEADLOCK,		/* i */
	TR_FLOW_START,		/* s: id */
	TR_FLOW_END,		/* f: id */
	TR_WAIT_GIL,		/* X: waiting for the GIL */
	TR_WAIT_LOCK		/* X: waiting for named lock arg */
};

struct tr {
	int64_t		 ts;
	int64_t		 dur;
	uint32_t	 pid;
	uint32_t	 tid;
	uint32_t	 dish;
	int32_t		 arg;
	uint64_t	 id;
	uint8_t		 what;
	uint32_t	 seq;		/* the order kept, for equal times */
};

struct tr_worker {
	char		*name;
	unsigned	 station;
	int		 pid;
	int64_t		 hold;		/* took its dish at, or -1 */
	uint32_t	 dish;
	int64_t		 work;		/* began work at, or -1 */
	int64_t		 wait;		/* began a wait at, or -1 */
	int		 wait_what;
	int64_t		 gil;		/* began to wait for the GIL, or -1 */
	int64_t		 lock;		/* for a named lock, or -1 */
	int		 lock_i;
};

/* Where a dish was last put: the start of its next flow arrow. */
struct tr_flow {
	int64_t		 ts;
	uint32_t	 tid;
	uint8_t		 station;	/* + 1; 0: none open */
};

struct trace {
	FILE			*f;
	char			*path;
	const struct scenario	*scn;
	struct tr		*r;
	size_t			 n, cap;
	int			 full;
	struct tr_worker	*w;
	uint32_t		 nw;
	struct tr_flow		*flow;	/* per dish */
	int			 ended;
	int64_t			 t_end;
	uint64_t		 lost_updates;
	int			 cupboard;
	char			*cycle;
};

static void	trace_worker(void *, int64_t, uint32_t, unsigned,
		    const char *);
static void	trace_event(void *, const struct event *);
static void	trace_end(void *, const struct stats_end *,
		    const struct report_run *, const struct stats *);

struct trace *
trace_open(const char *path, const struct scenario *scn, char **cause)
{
	struct trace	*tr;
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	tr = xcalloc(1, sizeof *tr);
	tr->f = f;
	tr->path = xstrdup(path);
	tr->scn = scn;
	tr->flow = xcalloc(scn->ndishes ? scn->ndishes : 1, sizeof *tr->flow);
	return (tr);
}

void
trace_tap(struct trace *tr, struct tap *t)
{
	memset(t, 0, sizeof *t);
	t->worker = trace_worker;
	t->event = trace_event;
	t->end = trace_end;
	t->arg = tr;
}

static struct tr *
trace_add(struct trace *tr, uint8_t what, uint32_t pid, uint32_t tid,
    int64_t ts)
{
	struct tr	*r;

	if (tr->n == TRACE_MAX_RECORDS) {
		tr->full = 1;
		return (NULL);
	}
	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 4096;
		tr->r = xreallocarray(tr->r, tr->cap, sizeof *tr->r);
	}
	r = &tr->r[tr->n];
	memset(r, 0, sizeof *r);
	r->what = what;
	r->pid = pid;
	r->tid = tid;
	r->ts = ts;
	r->seq = (uint32_t)tr->n++;
	return (r);
}

static struct tr_worker *
trace_get_worker(struct trace *tr, uint32_t id)
{
	uint32_t	n, i;

	if (id >= tr->nw) {
		n = tr->nw ? tr->nw : 16;
		while (n <= id)
			n *= 2;
		tr->w = xreallocarray(tr->w, n, sizeof *tr->w);
		memset(tr->w + tr->nw, 0, (n - tr->nw) * sizeof *tr->w);
		for (i = tr->nw; i < n; i++)
			tr->w[i].hold = tr->w[i].work = tr->w[i].wait =
			    tr->w[i].gil = tr->w[i].lock = -1;
		tr->nw = n;
	}
	return (&tr->w[id]);
}

static void
trace_worker(void *arg, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	struct trace		*tr = arg;
	struct tr_worker	*w = trace_get_worker(tr, id);

	(void)t;
	free(w->name);
	w->name = xstrdup(name);
	w->station = station;
}

/* A slice from start to t on worker id's thread. */
static void
trace_slice(struct trace *tr, uint8_t what, uint32_t id, int64_t start,
    int64_t t, uint32_t dish)
{
	struct tr	*r;

	if (start < 0)
		return;
	if ((r = trace_add(tr, what, TRACE_PID_STATION + tr->w[id].station,
	    id + 1, start)) == NULL)
		return;
	r->dur = t > start ? t - start : 0;
	r->dish = dish;
}

/* A wait for a named lock: trace_slice's, with the record to name it. */
static struct tr *
trace_lock_slice(struct trace *tr, uint32_t id, int64_t start, int64_t t,
    uint32_t dish)
{
	size_t	n = tr->n;

	trace_slice(tr, TR_WAIT_LOCK, id, start, t, dish);
	return (tr->n > n ? &tr->r[tr->n - 1] : NULL);
}

static void
trace_event(void *arg, const struct event *e)
{
	struct trace		*tr = arg;
	struct tr_worker	*w;
	struct tr_flow		*fl;
	struct tr		*r;
	const struct scenario	*scn = tr->scn;
	uint32_t		 id = e->worker;

	if (id == EV_ENGINE) {
		if (e->kind == EV_SCRIPT && (unsigned)e->arg < scn->nscript &&
		    scn->script[e->arg].kind != STEP_SET &&
		    (r = trace_add(tr, TR_CAPTION, TRACE_PID_RUN, 1, e->t)))
			r->arg = e->arg;
		return;
	}
	if (e->station >= scn->nstations)
		return;
	w = trace_get_worker(tr, id);
	w->station = e->station;
	switch (e->kind) {
	case EV_SPAWN:
		w->pid = e->arg;
		break;
	case EV_WAIT_GET:
		w->wait = e->t;
		w->wait_what = TR_WAIT_GET;
		break;
	case EV_WAIT_PUT:
		w->wait = e->t;
		w->wait_what = TR_WAIT_PUT;
		break;
	case EV_GET:
		if (w->wait >= 0 && w->wait_what == TR_WAIT_GET)
			trace_slice(tr, TR_WAIT_GET, id, w->wait, e->t,
			    DISH_NONE);
		w->wait = -1;
		w->hold = e->t;
		w->dish = e->dish;
		if (e->station > 0 && (r = trace_add(tr, TR_DEPTH,
		    TRACE_PID_RACKS, e->station, e->t)) != NULL)
			r->arg = e->arg;
		if (e->dish < scn->ndishes) {
			fl = &tr->flow[e->dish];
			if (fl->station == e->station && e->station > 0) {
				/* The arrow from its put to this take. */
				if ((r = trace_add(tr, TR_FLOW_START,
				    TRACE_PID_STATION + e->station - 1,
				    fl->tid, fl->ts)) != NULL)
					r->id = (uint64_t)e->dish *
					    SCN_MAX_STATIONS + e->station;
				if ((r = trace_add(tr, TR_FLOW_END,
				    TRACE_PID_STATION + e->station, id + 1,
				    e->t)) != NULL)
					r->id = (uint64_t)e->dish *
					    SCN_MAX_STATIONS + e->station;
			}
			fl->station = 0;
		}
		break;
	case EV_WORK:
		w->work = e->t;
		break;
	case EV_WORKED:
		trace_slice(tr, TR_WORK, id, w->work, e->t, e->dish);
		w->work = -1;
		break;
	case EV_PUT:
	case EV_DONE:
		if (w->wait >= 0 && w->wait_what == TR_WAIT_PUT)
			trace_slice(tr, TR_WAIT_PUT, id, w->wait, e->t,
			    e->dish);
		w->wait = -1;
		trace_slice(tr, TR_DISH, id, w->hold, e->t, e->dish);
		if (e->kind == EV_PUT && e->dish < scn->ndishes) {
			/* Inside the dish's slice: its last nanosecond. */
			fl = &tr->flow[e->dish];
			fl->ts = e->t > w->hold && w->hold >= 0 ? e->t - 1 :
			    e->t;
			fl->tid = id + 1;
			fl->station = (uint8_t)(e->station + 1);
		}
		w->hold = -1;
		if (e->kind == EV_PUT) {
			if ((unsigned)e->station + 1 < scn->nstations && (r = trace_add(tr,
			    TR_DEPTH, TRACE_PID_RACKS, e->station + 1,
			    e->t)) != NULL)
				r->arg = e->arg;
		}
		break;
	case EV_WAIT_GIL:
		w->gil = e->t;
		break;
	case EV_GOT_GIL:
		trace_slice(tr, TR_WAIT_GIL, id, w->gil, e->t, e->dish);
		w->gil = -1;
		break;
	case EV_WAIT_LOCK:
		w->lock = e->t;
		w->lock_i = e->arg;
		break;
	case EV_GOT_LOCK:
		if ((r = trace_lock_slice(tr, id, w->lock, e->t, e->dish)))
			r->arg = w->lock_i;
		w->lock = -1;
		break;
	case EV_EXIT:
		/* Whatever it was doing ends with it. */
		trace_slice(tr, TR_WAIT_GIL, id, w->gil, e->t, w->dish);
		if ((r = trace_lock_slice(tr, id, w->lock, e->t, w->dish)))
			r->arg = w->lock_i;
		w->gil = w->lock = -1;
		trace_slice(tr, TR_WORK, id, w->work, e->t, w->dish);
		if (w->wait >= 0)
			trace_slice(tr, (uint8_t)w->wait_what, id, w->wait,
			    e->t, DISH_NONE);
		trace_slice(tr, TR_DISH, id, w->hold, e->t, w->dish);
		w->work = w->wait = w->hold = -1;
		break;
	}
}

static void
trace_end(void *arg, const struct stats_end *se, const struct report_run *rr,
    const struct stats *st)
{
	struct trace	*tr = arg;
	struct tr	*r;
	uint32_t	 i;

	tr->ended = 1;
	tr->t_end = se->t_end;
	for (i = 0; i < tr->nw; i++) {
		struct tr_worker	*w = &tr->w[i];

		/* Still in hand at the end (a run stopped, a deadlock). */
		trace_slice(tr, TR_WAIT_GIL, i, w->gil, se->t_end, w->dish);
		if ((r = trace_lock_slice(tr, i, w->lock, se->t_end, w->dish)))
			r->arg = w->lock_i;
		w->gil = w->lock = -1;
		trace_slice(tr, TR_WORK, i, w->work, se->t_end, w->dish);
		if (w->wait >= 0)
			trace_slice(tr, (uint8_t)w->wait_what, i, w->wait,
			    se->t_end, DISH_NONE);
		trace_slice(tr, TR_DISH, i, w->hold, se->t_end, w->dish);
		w->work = w->wait = w->hold = -1;
	}
	if (se->cupboard && st != NULL) {
		/* The count is known at the end only: no event says when. */
		tr->cupboard = 1;
		tr->lost_updates = st->lost_updates;
		if ((r = trace_add(tr, TR_LOST, TRACE_PID_RACKS, 100, 0)))
			r->arg = 0;
		if ((r = trace_add(tr, TR_LOST, TRACE_PID_RACKS, 100,
		    se->t_end)))
			r->arg = (int32_t)st->lost_updates;
	}
	if (rr->cycle != NULL) {
		tr->cycle = xstrdup(rr->cycle);
		trace_add(tr, TR_DEADLOCK, TRACE_PID_RUN, 1, se->t_end);
	}
}

/* Track, then time; at equal times the longer slice first (it holds). */
static int
trace_cmp(const void *a, const void *b)
{
	const struct tr	*x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid < y->pid ? -1 : 1);
	if (x->tid != y->tid)
		return (x->tid < y->tid ? -1 : 1);
	if (x->ts != y->ts)
		return (x->ts < y->ts ? -1 : 1);
	if (x->dur != y->dur)
		return (x->dur > y->dur ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

static void
trace_us(FILE *f, int64_t ns)
{
	fprintf(f, "%lld.%03lld", (long long)(ns / 1000),
	    (long long)(ns % 1000));
}

static void
trace_meta(FILE *f, int *first, const char *what, uint32_t pid, uint32_t tid,
    const char *name, int sort)
{
	fprintf(f, "%s\n{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,"
	    "\"args\":{\"name\":", *first ? "" : ",", what, pid, tid);
	json_put_string(f, name, strlen(name));
	fputs("}}", f);
	fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"%s_sort_index\",\"pid\":%u,"
	    "\"tid\":%u,\"args\":{\"sort_index\":%d}}",
	    strcmp(what, "process_name") == 0 ? "process" : "thread", pid, tid,
	    sort);
	*first = 0;
}

/*
 * Named lock i, as the engine numbers them: in the order the stations
 * first need them (engine_named_locks).
 */
static const char *
trace_lock_name(const struct scenario *scn, int i)
{
	const char	*names[SCN_MAX_LOCKS];
	unsigned	 k, j, m, n = 0;

	if (i == LOCK_CUPBOARD)
		return ("cupboard");
	for (k = 0; k < scn->nstations; k++)
		for (j = 0; j < scn->stations[k].nneeds; j++) {
			for (m = 0; m < n; m++)
				if (strcmp(names[m], scn->stations[k].needs[j]) == 0)
					break;
			if (m == n && n < SCN_MAX_LOCKS)
				names[n++] = scn->stations[k].needs[j];
		}
	return (i >= 0 && (unsigned)i < n ? names[i] : "lock");
}

static void
trace_write(struct trace *tr)
{
	static const char *const names[] = { NULL, "work",
	    "waiting for a dish", "waiting: the rack is full" };
	const struct scenario	*scn = tr->scn;
	FILE			*f = tr->f;
	char			 buf[128], dn[64];
	unsigned		 i;
	size_t			 k;
	int			 first = 1;

	if (tr->n > 1)
		qsort(tr->r, tr->n, sizeof *tr->r, trace_cmp);
	fputs("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"dishrack\":\""
	    PACKAGE_VERSION "\",\"scenario\":", f);
	json_put_string(f, scn->file, strlen(scn->file));
	fputs(",\"title\":", f);
	json_put_string(f, scn->title, strlen(scn->title));
	fprintf(f, "%s},\"traceEvents\":[", tr->full ? ",\"truncated\":\"the trace keeps "
	    "its first 16777216 records\"" : "");

	trace_meta(f, &first, "process_name", TRACE_PID_RUN, 0, "run", 0);
	trace_meta(f, &first, "thread_name", TRACE_PID_RUN, 1,
	    "script and deadlock", 0);
	trace_meta(f, &first, "process_name", TRACE_PID_RACKS, 0, "racks",
	    1000);
	for (i = 0; i < scn->nstations; i++)
		trace_meta(f, &first, "process_name", TRACE_PID_STATION + i, 0,
		    scn->stations[i].name, (int)i + 1);
	for (i = 0; i < tr->nw; i++) {
		struct tr_worker	*w = &tr->w[i];

		if (w->name == NULL)
			continue;
		if (scn->mode == MODE_PROCESSES && w->pid > 0)
			snprintf(buf, sizeof buf, "%s (pid %d)", w->name,
			    w->pid);
		else
			snprintf(buf, sizeof buf, "%s", w->name);
		trace_meta(f, &first, "thread_name", TRACE_PID_STATION +
		    w->station, i + 1, buf, (int)i);
	}

	for (k = 0; k < tr->n; k++) {
		const struct tr	*r = &tr->r[k];

		fputs(",\n{", f);
		switch (r->what) {
		case TR_DISH:
		case TR_WORK:
		case TR_WAIT_GET:
		case TR_WAIT_PUT:
		case TR_WAIT_GIL:
		case TR_WAIT_LOCK:
			fputs("\"ph\":\"X\",\"name\":", f);
			if (r->what == TR_WAIT_GIL)
				fputs("\"waiting for the GIL\",\"cat\":\"gil\"",
				    f);
			else if (r->what == TR_WAIT_LOCK) {
				snprintf(buf, sizeof buf, "waiting for the %s",
				    trace_lock_name(scn, r->arg));
				json_put_string(f, buf, strlen(buf));
				fputs(",\"cat\":\"lock\"", f);
			} else if (r->what == TR_DISH) {
				const char *name = scenario_dish_name(scn,
				    r->dish, dn, sizeof dn);

				json_put_string(f, name, strlen(name));
				fputs(",\"cat\":\"dish\"", f);
			} else
				fprintf(f, "\"%s\",\"cat\":\"%s\"",
				    names[r->what], r->what == TR_WORK ?
				    "work" : "wait");
			fputs(",\"ts\":", f);
			trace_us(f, r->ts);
			fputs(",\"dur\":", f);
			trace_us(f, r->dur);
			fprintf(f, ",\"pid\":%u,\"tid\":%u", r->pid, r->tid);
			if (r->dish != DISH_NONE)
				fprintf(f, ",\"args\":{\"dish\":%u}", r->dish);
			break;
		case TR_DEPTH:
		case TR_LOST:
			if (r->what == TR_DEPTH) {
				snprintf(buf, sizeof buf, "rack %s -> %s",
				    scn->stations[r->tid - 1].name,
				    scn->stations[r->tid].name);
				fputs("\"ph\":\"C\",\"name\":", f);
				json_put_string(f, buf, strlen(buf));
				fputs(",\"args\":{\"depth\":", f);
			} else
				fputs("\"ph\":\"C\",\"name\":\"lost updates\","
				    "\"args\":{\"lost\":", f);
			fprintf(f, "%d},\"pid\":%u,\"tid\":%u,\"ts\":", r->arg,
			    r->pid, r->tid);
			trace_us(f, r->ts);
			break;
		case TR_CAPTION:
		case TR_DEADLOCK:
			fputs("\"ph\":\"i\",\"s\":\"g\",\"name\":", f);
			if (r->what == TR_CAPTION) {
				char		 lb[128];
				const char	*text = scn_step_label(
						    &scn->script[r->arg], lb,
						    sizeof lb);
				json_put_string(f, text, strlen(text));
				fputs(",\"cat\":\"caption\"", f);
			} else {
				fputs("\"deadlock\",\"cat\":\"deadlock\","
				    "\"args\":{\"cycle\":", f);
				json_put_string(f, tr->cycle,
				    strlen(tr->cycle));
				fputc('}', f);
			}
			fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ts\":", r->pid,
			    r->tid);
			trace_us(f, r->ts);
			break;
		case TR_FLOW_START:
		case TR_FLOW_END:
			fprintf(f, "\"ph\":\"%s\",\"name\":\"dish\","
			    "\"cat\":\"flow\",\"id\":%llu,\"pid\":%u,"
			    "\"tid\":%u,\"ts\":", r->what == TR_FLOW_START ?
			    "s" : "f\",\"bp\":\"e", (unsigned long long)r->id,
			    r->pid, r->tid);
			trace_us(f, r->ts);
			break;
		}
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}

int
trace_close(struct trace *tr, char **cause)
{
	uint32_t	i;
	int		rc = 0, err = 0;

	if (tr == NULL)
		return (0);
	if (tr->ended)
		trace_write(tr);
	if (ferror(tr->f))
		err = errno ? errno : EIO;
	if (fclose(tr->f) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		xasprintf(cause, "%s: %s", tr->path, strerror(err));
		rc = -1;
	}
	for (i = 0; i < tr->nw; i++)
		free(tr->w[i].name);
	free(tr->w);
	free(tr->r);
	free(tr->flow);
	free(tr->cycle);
	free(tr->path);
	free(tr);
	return (rc);
}
