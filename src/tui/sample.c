/*
 * sample.c: the screen's timeline and racks' sparklines, folded from the
 * events at their own times rather than sampled at the frames' times.
 *
 * A bucket of the timeline is a stretch of scenario time, and it shows
 * each worker's state as its events tell it (worker.c changes its slot
 * where it writes them): of the states the bucket saw, the one owed the
 * most time (sample_most: a dither, so a state that holds a quarter of
 * every bucket shows in a quarter of them); the GIL's holder (the first
 * worker computing under it in that bucket); the deepest each rack was
 * in it. Frames fall where they fall: live, where
 * the drawing loop woke; in a replay, where its clock was. Sampling at
 * them made two screens of the same run differ by a column, and left a
 * bucket no frame fell in blank or filled with the state after it. From
 * the events, the live screen and a replay draw the same columns (the
 * test compares them whole).
 *
 * Events come ring by ring, so two workers' arrive out of time order;
 * each worker's row is its own events only (in order in its ring), and a
 * rack's depth is counted as puts less takes per bucket, which no order
 * changes. A bucket is final once a later event of its worker (or, for a
 * rack, two buckets of time) has come; until then the last state holds.
 */
#include "config.h"

#include "tui_private.h"

#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "xmalloc.h"

/* The states a column can show, as an index of what covered it. */
#define SAMPLE_NSTATES	10

struct tui_sampler {
	unsigned	 n;		/* slots */
	unsigned char	*cur;		/* the state after its last event */
	int64_t		*ev_b;		/* that event's bucket, or -1 */
	int64_t		*ev_t;		/* and its time */
	int64_t		*lost_b;	/* the bucket of its last lost update */
	/* How long each state covered the bucket of its last event so far. */
	int64_t		(*acc)[SAMPLE_NSTATES];
	/* What each state is owed of the columns drawn (error diffusion). */
	int64_t		(*owed)[SAMPLE_NSTATES];
	int64_t		 dirty;		/* the first bucket changed, or -1 */
	/* Racks, by the station they feed: puts less takes, the deepest. */
	int32_t		 delta[LAYOUT_MAX_STATIONS][HIST_LEN];
	int64_t		 most[LAYOUT_MAX_STATIONS][HIST_LEN];
	int64_t		 done_b[LAYOUT_MAX_STATIONS];	/* folded up to */
	int64_t		 depth[LAYOUT_MAX_STATIONS];	/* at its end */
	int64_t		 last_b;	/* the last frame's bucket */
	/* Dishes in and out of each station per window of rate_ns. */
	struct {
		int64_t		 id;
		uint64_t	 in, out;
	}		 win[LAYOUT_MAX_STATIONS][4];
};

void
tui_sampler_reset(struct tui *t)
{
	struct tui_sampler	*s = t->sampler;
	unsigned		 i, k;

	if (s == NULL || s->n != t->tl_n) {
		if (s != NULL) {
			free(s->cur);
			free(s->ev_b);
			free(s->ev_t);
			free(s->lost_b);
			free(s->acc);
			free(s->owed);
		}
		free(s);
		s = t->sampler = xcalloc(1, sizeof *s);
		s->n = t->tl_n;
		s->cur = xcalloc(s->n ? s->n : 1, 1);
		s->ev_b = xreallocarray(NULL, s->n ? s->n : 1,
		    sizeof *s->ev_b);
		s->ev_t = xcalloc(s->n ? s->n : 1, sizeof *s->ev_t);
		s->lost_b = xreallocarray(NULL, s->n ? s->n : 1,
		    sizeof *s->lost_b);
		s->acc = xcalloc(s->n ? s->n : 1, sizeof *s->acc);
		s->owed = xcalloc(s->n ? s->n : 1, sizeof *s->owed);
	}
	memset(s->acc, 0, (s->n ? s->n : 1) * sizeof *s->acc);
	memset(s->owed, 0, (s->n ? s->n : 1) * sizeof *s->owed);
	memset(s->cur, 0, s->n);
	for (i = 0; i < s->n; i++)
		s->ev_b[i] = s->lost_b[i] = -1;
	s->dirty = -1;
	s->last_b = -1;
	memset(s->win, 0, sizeof s->win);
	for (k = 0; k < LAYOUT_MAX_STATIONS; k++)
		for (i = 0; i < 4; i++)
			s->win[k][i].id = -1;
	memset(s->delta, 0, sizeof s->delta);
	for (k = 0; k < LAYOUT_MAX_STATIONS; k++) {
		for (i = 0; i < HIST_LEN; i++)
			s->most[k][i] = -1;
		s->done_b[k] = -1;
		s->depth[k] = 0;
	}
}

void
tui_sampler_free(struct tui *t)
{
	if (t->sampler == NULL)
		return;
	free(t->sampler->cur);
	free(t->sampler->ev_b);
	free(t->sampler->ev_t);
	free(t->sampler->lost_b);
	free(t->sampler->acc);
	free(t->sampler->owed);
	free(t->sampler);
	t->sampler = NULL;
}

/* What the worker's slot says after ev, as tui_shown_state reads it. */
static int
tui_sample_state(const struct scenario *scn, int cur, const struct event *ev)
{
	switch (ev->kind) {
	case EV_SPAWN:
		return (WS_STARTING);
	case EV_WAIT_GET:
	case EV_PUT:
	case EV_DONE:
		return (WS_WAIT_GET);
	case EV_WORK:
	case EV_GOT_GIL:
		return (WS_WORKING);
	case EV_GOT_LOCK:
		return (ev->arg == LOCK_CUPBOARD ? cur : WS_WORKING);
	case EV_WAIT_PUT:
		return (WS_WAIT_PUT);
	case EV_WAIT_GIL:
		/* Only a computing station's wait shows (tui_shown_state). */
		return (scn->stations[ev->station].work == WORK_CPU ?
		    TS_WAIT_GIL : cur);
	case EV_WAIT_LOCK:
		return (ev->arg == LOCK_CUPBOARD ? cur : TS_WAIT_LOCK);
	case EV_EXIT:
		return (WS_EXITED);
	case EV_CUP_READ:
		/* Its read-modify-write window: the race's overlap. */
		return (TS_CUP_READ);
	case EV_CUP_WROTE:
		return (cur == TS_CUP_READ ? WS_WORKING : cur);
	default:
		return (cur);
	}
}

/* Worker i's bucket j is v, marked if a write in it lost an update. */
static void
sample_put(struct tui *t, struct tui_sampler *s, unsigned i, int64_t j,
    unsigned char v)
{
	t->tl[i][j % TL_LEN] = (unsigned char)(v | (j == s->lost_b[i] ?
	    TL_LOST : 0));
}

static void
tui_sample_dirty(struct tui_sampler *s, int64_t b)
{
	if (s->dirty < 0 || b < s->dirty)
		s->dirty = b;
}

/* A rack's depth moved by d at bucket b, to depth after (or -1). */
static void
tui_sample_rack(struct tui_sampler *s, unsigned k, int64_t b, int d,
    int64_t after)
{
	if (k >= LAYOUT_MAX_STATIONS)
		return;
	/* Later than its bucket was drawn for good: it counts from now. */
	if (b <= s->done_b[k]) {
		s->depth[k] += d;
		return;
	}
	s->delta[k][b % HIST_LEN] += d;
	if (after > s->most[k][b % HIST_LEN])
		s->most[k][b % HIST_LEN] = after;
}

/*
 * The states in the order a tie goes: a read of the cupboard not written
 * back first (the race's lesson is that window), working (four threads taking
 * turns at the GIL, each holding it half a column, show it), then the
 * waits for what it works with, then for room, for a dish.
 */
static const unsigned char sample_order[SAMPLE_NSTATES] = {
	TS_CUP_READ, WS_WORKING, TS_WAIT_GIL, TS_WAIT_LOCK, WS_WAIT_PUT, WS_WAIT_GET,
	WS_STARTING, WS_PAUSED, WS_EXITED, WS_FREE
};

static unsigned
sample_index(unsigned char st)
{
	unsigned	k;

	for (k = 0; k < SAMPLE_NSTATES; k++)
		if (sample_order[k] == st)
			return (k);
	return (SAMPLE_NSTATES - 1);
}

/*
 * The state worker i's open bucket shows: of the states in it (what its
 * bucket holds so far, and its state now for d more), the one owed the
 * most, counting what the columns before it were owed; with commit, the
 * bucket is drawn for good and the debt carried on. So a state that
 * holds a quarter of every column shows in a quarter of them, as a
 * dither does (a column is longer than a GIL's slice: four threads taking
 * turns every 5 ms each show working a quarter of the time, where the
 * state at each column's end, or the one covering most of it, showed two
 * always working and two never).
 */
static unsigned char
sample_most(struct tui_sampler *s, unsigned i, int64_t d, int64_t bucket,
    int commit)
{
	int64_t		best = 0, v, a[SAMPLE_NSTATES];
	unsigned	k, ci = sample_index(s->cur[i]), bk = ci, present = 0;
	int		any = 0;

	for (k = 0; k < SAMPLE_NSTATES; k++) {
		a[k] = s->acc[i][k] + (k == ci ? d : 0);
		if (a[k] > 0)
			present++;
	}
	for (k = 0; k < SAMPLE_NSTATES; k++) {
		if (a[k] <= 0)
			continue;
		v = s->owed[i][k] + a[k];
		if (!any || v > best) {
			best = v;
			bk = k;
			any = 1;
		}
	}
	if (commit && present > 1) {
		/*
		 * A bucket of one state owes nothing and is owed nothing
		 * (it shows that state whatever it is owed): only the mixed
		 * ones count, each debt within a bucket's length.
		 */
		for (k = 0; k < SAMPLE_NSTATES; k++) {
			s->owed[i][k] += a[k] - (k == bk ? bucket : 0);
			if (s->owed[i][k] > bucket)
				s->owed[i][k] = bucket;
			if (s->owed[i][k] < -bucket)
				s->owed[i][k] = -bucket;
		}
	}
	return (sample_order[bk]);
}

/*
 * A worker's column is what covered most of its bucket (a state that
 * holds longer than a column fills it), not what was so at its end: at
 * the end of each column of 10 ms, four threads handing the GIL round
 * every 5 ms are always the same two.
 */
static void
sample_worker(struct tui *t, struct tui_sampler *s, unsigned i, int64_t et,
    int64_t tb, unsigned char next)
{
	int64_t	j, end;

	if (s->ev_b[i] < 0 || tb < s->ev_b[i]) {
		/* Its first event (or one out of order): a fresh column. */
		memset(s->acc[i], 0, sizeof s->acc[i]);
		s->ev_b[i] = tb;
		s->ev_t[i] = et;
	} else if (tb == s->ev_b[i]) {
		if (et > s->ev_t[i])
			s->acc[i][sample_index(s->cur[i])] += et - s->ev_t[i];
	} else {
		end = (s->ev_b[i] + 1) * t->tl_bucket_ns;
		if (end > s->ev_t[i])
			s->acc[i][sample_index(s->cur[i])] += end - s->ev_t[i];
		sample_put(t, s, i, s->ev_b[i], sample_most(s, i, 0,
		    t->tl_bucket_ns, 1));
		j = s->ev_b[i] + 1;
		if (tb - j >= TL_LEN)
			j = tb - TL_LEN + 1;
		for (; j < tb; j++)
			sample_put(t, s, i, j, s->cur[i]);
		memset(s->acc[i], 0, sizeof s->acc[i]);
		if (et > tb * t->tl_bucket_ns)
			s->acc[i][sample_index(s->cur[i])] += et -
			    tb * t->tl_bucket_ns;
		s->ev_b[i] = tb;
	}
	s->cur[i] = next;
	if (et > s->ev_t[i])
		s->ev_t[i] = et;
	sample_put(t, s, i, tb, sample_most(s, i, 0, t->tl_bucket_ns, 0));
	if (t->tl_last[i] < tb)
		t->tl_last[i] = tb;
}

void
tui_sample_event(struct tui *t, const struct event *ev)
{
	struct tui_sampler	*s = t->sampler;
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = t->st.scn;
	int64_t			 b, tb, et;
	uint32_t		 i = ev->worker;

	if (s == NULL || i == EV_ENGINE || i >= s->n || ev->t < 0 ||
	    scn == NULL || ev->station >= scn->nstations ||
	    atomic_load(&run->deadlock))
		return;
	/*
	 * A worker's events are in order in its ring, but not always their
	 * times: the last station's done is stamped before the cupboard's
	 * window it follows. Its row changes no earlier than its last
	 * change, or the window drawn would be drawn over again.
	 */
	et = s->ev_b[i] >= 0 && ev->t < s->ev_t[i] ? s->ev_t[i] : ev->t;
	/* The timeline's buckets (finer) and the sparklines' (b). */
	tb = et / t->tl_bucket_ns;
	b = ev->t / t->bucket_ns;
	/* Its buckets since its last event, and this one's so far. */
	if (s->ev_b[i] >= 0)
		tui_sample_dirty(s, s->ev_b[i] < tb ? s->ev_b[i] : tb);
	/* Marked before the bucket is drawn, so its column shows it. */
	if (ev->kind == EV_CUP_LOST)
		s->lost_b[i] = tb;
	sample_worker(t, s, i, et, tb, (unsigned char)tui_sample_state(scn,
	    s->cur[i], ev));
	tui_sample_dirty(s, tb);

	if ((ev->kind == EV_GET || ev->kind == EV_PUT || ev->kind == EV_DONE) &&
	    ev->station < LAYOUT_MAX_STATIONS && t->rate_ns > 0) {
		int64_t	wi = ev->t / t->rate_ns;

		if (s->win[ev->station][wi % 4].id != wi) {
			s->win[ev->station][wi % 4].id = wi;
			s->win[ev->station][wi % 4].in = 0;
			s->win[ev->station][wi % 4].out = 0;
		}
		if (ev->kind == EV_GET)
			s->win[ev->station][wi % 4].in++;
		else
			s->win[ev->station][wi % 4].out++;
	}
	if (scn->broadcast)
		return;
	if (ev->kind == EV_PUT && ev->station + 1u < scn->nstations)
		tui_sample_rack(s, ev->station + 1u, b, 1, ev->arg);
	else if (ev->kind == EV_GET && ev->station > 0)
		tui_sample_rack(s, ev->station, b, -1, ev->arg);
	else if (ev->kind == EV_EXIT && ev->station > 0 &&
	    ev->dish != DISH_NONE && scn->reliable &&
	    (ev->arg == EXIT_DIED || ev->arg == EXIT_REPLACED))
		tui_sample_rack(s, ev->station, b, 1, -1);
}

/* Who holds the main interpreter's GIL at bucket j's end, or nobody. */
static uint32_t
tui_sample_holder(struct tui *t, struct run *run, int64_t j, unsigned used)
{
	const struct scenario	*scn = t->st.scn;
	unsigned		 i;

	for (i = 0; i < used; i++) {
		struct wslot	*w = &run->slots[i];

		if (t->tl_last[i] < j ||
		    (t->tl[i][j % TL_LEN] & ~TL_LOST) != WS_WORKING ||
		    w->station >= scn->nstations ||
		    scn->stations[w->station].work != WORK_CPU ||
		    run_gil(run, w) != &run->gils[0])
			continue;
		return (i);
	}
	return (GIL_NOBODY);
}

/*
 * At a frame, sparkline bucket b now: each worker's state holds to now
 * (in the timeline's finer buckets), the GIL's row follows the rows, and
 * the racks' buckets two behind are final.
 */
void
tui_sample_now(struct tui *t, int64_t b)
{
	struct tui_sampler	*s = t->sampler;
	struct run		*run = engine_run(t->eng);
	unsigned		 i, k, used = atomic_load(&run->used);
	int64_t			 j, d, most, tb;

	if (s == NULL)
		return;
	tb = engine_now(t->eng) / t->tl_bucket_ns;
	if (used > s->n)
		used = s->n;
	if (!atomic_load(&run->deadlock)) {
		for (i = 0; i < used; i++) {
			int64_t	now = engine_now(t->eng), end;

			if (s->ev_b[i] < 0 || tb < s->ev_b[i])
				continue;
			/* Its open bucket as far as now, what follows full. */
			end = tb == s->ev_b[i] ? now : (s->ev_b[i] + 1) *
			    t->tl_bucket_ns;
			sample_put(t, s, i, s->ev_b[i], sample_most(s, i,
			    end > s->ev_t[i] ? end - s->ev_t[i] : 0,
			    t->tl_bucket_ns, 0));
			j = s->ev_b[i] + 1;
			if (tb - j >= TL_LEN)
				j = tb - TL_LEN + 1;
			for (; j <= tb; j++)
				sample_put(t, s, i, j, s->cur[i]);
			if (t->tl_last[i] < tb)
				t->tl_last[i] = tb;
		}
		/* Filled again as they were, but for the new buckets. */
		tui_sample_dirty(s, s->last_b >= 0 ? s->last_b : 0);
		s->last_b = tb;
		if (atomic_load(&run->gil_ever) && s->dirty >= 0) {
			j = s->dirty;
			if (tb - j >= TL_LEN)
				j = tb - TL_LEN + 1;
			for (; j <= tb; j++)
				t->gil_tl[j % TL_LEN] = tui_sample_holder(t,
				    run, j, used);
		}
		s->dirty = -1;
	}
	if (t->st.scn == NULL || t->st.scn->broadcast)
		return;
	for (k = 1; k < run->nstations && k < LAYOUT_MAX_STATIONS; k++) {
		/* Final: fold it in, and free its place for a later one. */
		if (b - 2 - s->done_b[k] > HIST_LEN) {
			/*
			 * No frame for longer than the sparkline: what the
			 * buckets hold (several buckets' a place) is counted,
			 * and they start empty.
			 */
			for (j = 0; j < HIST_LEN; j++) {
				s->depth[k] += s->delta[k][j];
				s->delta[k][j] = 0;
				s->most[k][j] = -1;
			}
			s->done_b[k] = b - 2 - HIST_LEN;
		}
		while (s->done_b[k] < b - 2) {
			j = ++s->done_b[k];
			most = s->depth[k];
			s->depth[k] += s->delta[k][j % HIST_LEN];
			if (s->depth[k] > most)
				most = s->depth[k];
			if (s->most[k][j % HIST_LEN] > most)
				most = s->most[k][j % HIST_LEN];
			t->hist[k][j % HIST_LEN] = (uint32_t)(most > 0 ?
			    most : 0);
			s->delta[k][j % HIST_LEN] = 0;
			s->most[k][j % HIST_LEN] = -1;
		}
		/* The last two, as far as they go. */
		d = s->depth[k];
		for (j = s->done_b[k] + 1; j <= b; j++) {
			most = d;
			d += s->delta[k][j % HIST_LEN];
			if (d > most)
				most = d;
			if (s->most[k][j % HIST_LEN] > most)
				most = s->most[k][j % HIST_LEN];
			t->hist[k][j % HIST_LEN] = (uint32_t)(most > 0 ?
			    most : 0);
		}
	}
}

/*
 * Each station's rates in and out over the last whole window of rate_ns
 * (windows from the start, at multiples of it: the same for a replay),
 * or since the start until the first is whole; at the end, the run's.
 */
void
tui_sample_rates_now(struct tui *t)
{
	struct tui_sampler	*s = t->sampler;
	int64_t			 now = engine_now(t->eng), wi;
	unsigned		 k;

	if (s == NULL || t->rate_ns <= 0)
		return;
	for (k = 0; k < t->st.nstations && k < LAYOUT_MAX_STATIONS; k++) {
		uint64_t in = t->st.st[k].got, out = t->st.st[k].dishes;

		wi = now / t->rate_ns;
		if ((engine_finished(t->eng) || wi == 0) && now > 0) {
			t->rate[k].in = (double)in * 1e9 / (double)now;
			t->rate[k].out = (double)out * 1e9 / (double)now;
		} else if (wi > 0) {
			wi--;
			in = s->win[k][wi % 4].id == wi ? s->win[k][wi % 4].in :
			    0;
			out = s->win[k][wi % 4].id == wi ?
			    s->win[k][wi % 4].out : 0;
			t->rate[k].in = (double)in * 1e9 / (double)t->rate_ns;
			t->rate[k].out = (double)out * 1e9 /
			    (double)t->rate_ns;
		}
	}
}
