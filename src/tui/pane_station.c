/*
 * pane_station.c: a station's box: its name, workers and time on the top
 * border, one row per worker, its figures and rates on the bottom border.
 */
#include "config.h"

#include "tui_private.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "lock.h"

/* An async wait over by more than this (scenario time) shows as late. */
#define ASYNC_LATE	(100 * NSEC_PER_MSEC)

static void	tui_draw_worker(struct tui *, const struct rect *,
		    struct wslot *, int, int64_t);
static int	tui_draw_doing(struct tui *, const struct rect *,
		    struct wslot *, int, int, int, int64_t, char *);
static void	tui_restart_note(struct tui *, struct wslot *, char *, size_t);
static void	tui_draw_note(struct tui *, int, int, int, const char *);
static unsigned	tui_station_killed(struct tui *, unsigned);
static double	tui_busy_now(struct tui *, unsigned);

/*
 * One worker's row: state, name, the dish in hand, what it does; whom it
 * was started for, if a worker process was killed; at the right, where
 * the box has room, its dishes done and its pid (a process) or thread id.
 * Big: the bar on the lines under it, the box wide.
 */
static void
tui_draw_worker(struct tui *t, const struct rect *r, struct wslot *w, int wy,
    int64_t now)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl = run_gil(run, w);
	char			 dish[96], right[48], id[24], note[64];
	const char		*g, *token;
	attr_t			 a;
	int			 s, x, xe, rw, room, tid, base;

	s = atomic_load(&w->state);
	id[0] = '\0';
	if (w->is_process)
		snprintf(id, sizeof id, "  pid %d", atomic_load(&w->pid));
	else if ((tid = atomic_load(&w->tid)) > 0)
		snprintf(id, sizeof id, "  tid %d", tid);
	tui_restart_note(t, w, note, sizeof note);
	/*
	 * Columns left after what the row needs first: glyph, name, dish and
	 * bar; a replacement's note, in the place of the state in words if
	 * it is not working.
	 */
	base = t->lay.worker_step > 1 ? 21 : 32;
	if (note[0] != '\0')
		base = (s == WS_WORKING ? base : 12) + (int)strlen(note) + 1;
	room = r->w - 4 - base;
	rw = snprintf(right, sizeof right, "%llu done%s",
	    (unsigned long long)atomic_load(&w->dishes), id);
	if (rw + 1 > room)
		rw -= (int)strlen(id);	/* the id goes first */
	xe = r->x + r->w - 2;
	if (rw + 1 <= room) {
		tui_puts(wy, xe - rw, rw, right);
		xe -= rw + 1;
	}
	xe++;		/* from here on: the first column not to write */

	g = tui_worker_glyph(t, w, &a);
	x = r->x + 2;
	attron(a);
	tui_puts(wy, x, 1, g);
	attroff(a);
	x += 2;
	x += tui_printf(wy, x, xe - x, "%-9s ", w->name);
	if (s == WS_WORKING || s == WS_WAIT_PUT) {
		dish_t d = atomic_load(&w->hand.dish);

		if (d != DISH_NONE) {
			attron(tui_attr(t, C_DISH));
			x += tui_printf(wy, x, xe - x, "%-8s ",
			    scenario_dish_name(scn, d, dish, sizeof dish));
			attroff(tui_attr(t, C_DISH));
		}
	}
	/*
	 * The GIL as a token on its holder; so is the event loop, on an
	 * async task that computes: it gives the loop up only when done.
	 */
	token = NULL;
	if (scn->mode == MODE_ASYNC && s == WS_WORKING &&
	    scn->stations[w->station].work == WORK_CPU)
		token = "LOOP";
	else if (gl != NULL && atomic_load(&gl->current) == w->id)
		token = "GIL";
	if (token != NULL) {
		attron(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
		x += tui_puts(wy, x, xe - x, token) + 1;
		attroff(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
	}
	x = tui_draw_doing(t, r, w, wy, x, xe, now, note);
	tui_draw_note(t, wy, x, xe, note);
}

/*
 * What the worker does, from column x, short of xe: the lock it waits
 * for, its state in words, how late its timer is, or its progress bar.
 * A replacement's note (if any) may take the place of the state in words.
 * Returns the first column left free.
 */
static int
tui_draw_doing(struct tui *t, const struct rect *r, struct wslot *w, int wy,
    int x, int xe, int64_t now, char *note)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl = run_gil(run, w);
	const char		*words;
	int64_t			 since, end;
	double			 frac;
	attr_t			 a;
	int			 s, l, bw;
	int			 async = scn->mode == MODE_ASYNC;

	s = atomic_load(&w->state);
	l = atomic_load(&w->waiting_lock);
	if (l >= 0 && (unsigned)l < run->nlocks) {
		attron(tui_attr(t, C_BLOCK));
		x += tui_printf(wy, x, xe - x, "waits for the %s",
		    run->locks[l].name);
		attroff(tui_attr(t, C_BLOCK));
		return (x + 1);
	}
	if (s != WS_WORKING || atomic_load(&w->died)) {
		words = tui_worker_state(w);
		/* Tight, the note goes first: the glyph says the state. */
		if (note[0] != '\0' && tui_cols(words) + 2 +
		    (int)strlen(note) >= xe - x)
			return (x);
		a = atomic_load(&w->died) ? tui_attr(t, C_BAD) : A_NORMAL;
		attron(a);
		x += tui_puts(wy, x, xe - x, words);
		attroff(a);
		if (note[0] != '\0')
			x += tui_puts(wy, x, xe - x, ",");
		return (x + 1);
	}
	since = atomic_load(&w->since);
	end = atomic_load(&w->work_end);
	frac = end > since ? (double)(now - since) / (double)(end - since) : 0;
	/*
	 * An async task whose wait is over but cannot run, since another
	 * task holds the loop: its timer fires late, by this much so far.
	 */
	if (async && scn->stations[w->station].work != WORK_CPU &&
	    now - end > ASYNC_LATE) {
		attron(tui_attr(t, C_BLOCK));
		x += tui_printf(wy, x, xe - x, "late %.1fs",
		    (double)(now - end) / 1e9);
		attroff(tui_attr(t, C_BLOCK));
		return (x + 1);
	}
	if (end > since && t->lay.worker_step > 1) {
		tui_bar(t, wy + 1, r->x + 4, r->w - 8, frac);
		if (t->lay.worker_step > 3)
			tui_bar(t, wy + 2, r->x + 4, r->w - 8, frac);
	} else if (end > since && xe - x > 6) {
		bw = xe - 1 - x > 11 ? 10 : xe - 2 - x;
		tui_bar(t, wy, x, bw, frac);
		x += bw + 1;
	}
	/* How long this worker has waited for the GIL. */
	if (gl != NULL && xe - x > 19)
		x += tui_printf(wy, x, xe - x, "gil-wait %.1fs",
		    (double)atomic_load(&w->gil_wait_ns) / 1e9) + 1;
	return (x);
}

/*
 * Whom w was started for, when a worker process was killed ("restarted
 * for dryer-1"), or an empty string.
 */
static void
tui_restart_note(struct tui *t, struct wslot *w, char *note, size_t len)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 dead;

	note[0] = '\0';
	if ((dead = (unsigned)atomic_load(&w->replaces)) != 0 &&
	    dead <= atomic_load(&run->used))
		snprintf(note, len, "restarted for %s",
		    run->slots[dead - 1].name);
}

/* The note at x, short of xe: whole, or just "restarted" if narrow. */
static void
tui_draw_note(struct tui *t, int wy, int x, int xe, const char *note)
{
	const char	*text = note;

	if (note[0] == '\0')
		return;
	/* A column free before the border or the right part. */
	if ((int)strlen(text) >= xe - x)
		text = "restarted";
	if ((int)strlen(text) >= xe - x)
		return;
	attron(tui_attr(t, C_CAPTION));
	tui_puts(wy, x, xe - x, text);
	attroff(tui_attr(t, C_CAPTION));
}

/* Station si's box, bold if selected, in colour if the bottleneck. */
void
tui_draw_station(struct tui *t, unsigned si)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	struct run		*run = engine_run(t->eng);
	const struct rect	*r = &t->lay.station[si];
	struct wslot		*w;
	int			 bottleneck, row = 0, x, live, s, wy;
	int			 footer = 0, n;
	unsigned		 i, used, more = 0;
	attr_t			 a;
	char			 tdesc[64], rates[64];
	int64_t			 now = engine_now(t->eng);

	bottleneck = t->have_stats && t->st.bottleneck == (int)si;
	a = bottleneck ? tui_attr(t, C_BOTTLENECK) : A_NORMAL;
	if ((int)si == t->selected)
		a |= A_BOLD;
	tui_box(t, r, a);
	live = (int)tui_station_workers(t, si) - (int)tui_station_killed(t, si);
	dist_format(&scn->stations[si].time, tdesc, sizeof tdesc);
	attron(a);
	x = tui_printf(r->y, r->x + 1, r->w - 2, "%s%s %s%d %s ",
	    (int)si == t->selected ? ">" : " ", scn->stations[si].name,
	    t->g->times, live, tdesc);
	if (bottleneck && r->w - 2 - x > 11)
		tui_puts(r->y, r->x + 1 + x, r->w - 2 - x, "BOTTLENECK ");
	attroff(a);
	if (t->have_stats && r->h > 2) {
		x = tui_printf(r->y + r->h - 1, r->x + 2, r->w - 4,
		    " %llu done, busy %.0f%% ",
		    (unsigned long long)t->st.st[si].dishes,
		    tui_busy_now(t, si) * 100.0);
		/* Workers started in the place of killed ones. */
		if (t->st.st[si].restarts > 0) {
			attron(tui_attr(t, C_BAD));
			x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
			    r->w - 4 - x, "restarts %u",
			    t->st.st[si].restarts);
			attroff(tui_attr(t, C_BAD));
			x += tui_puts(r->y + r->h - 1, r->x + 2 + x,
			    r->w - 4 - x, " ");
		}
		/* The cupboard belongs to the last station. */
		if (run->cupboard != NULL && si == run->nstations - 1) {
			uint64_t	counted = atomic_load(&run->cupboard->count);
			uint64_t	done = t->st.st[si].dishes;

			uint32_t	holder = atomic_load(&run->cupboard->holder);

			x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
			    r->w - 4 - x, "cupboard %llu ",
			    (unsigned long long)counted);
			if (holder < atomic_load(&run->used))
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "(%s: %s, %u wait) ",
				    lock_mode_name(run->cupboard->mode),
				    run->slots[holder].name,
				    atomic_load(&run->cupboard->waiters));
			if (done > counted) {
				attron(tui_attr(t, C_BAD));
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "%llu LOST",
				    (unsigned long long)(done - counted));
				attroff(tui_attr(t, C_BAD));
			}
		}
		footer = x;
	}

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si)
			continue;
		s = atomic_load(&w->state);
		if (s == WS_EXITED && atomic_load(&w->hand.leave))
			continue;
		if (row >= t->lay.worker_rows) {
			more++;
			continue;
		}
		wy = r->y + 1 + t->lay.worker_pad + row * t->lay.worker_step;
		tui_draw_worker(t, r, w, wy, now);
		row++;
	}
	if (more > 0)
		tui_printf(r->y + r->h - 2, r->x + r->w - 12, 10, "+%u more",
		    more);
	if (!t->have_stats || si >= LAYOUT_MAX_STATIONS)
		return;
	/*
	 * In faster than out: the rack in front of it fills. On the bottom
	 * border after the busy figure if it fits, else on a free row.
	 */
	n = snprintf(rates, sizeof rates, " in %.2f/s  out %.2f/s ",
	    t->rate[si].in, t->rate[si].out);
	if (n <= r->w - 4 - footer - 1)
		tui_puts(r->y + r->h - 1, r->x + r->w - 2 - n, r->w - 4, rates);
	else if (more == 0 && t->lay.worker_pad + row * t->lay.worker_step <
	    r->h - 2 && n - 1 <= r->w - 4)
		tui_puts(r->y + r->h - 2, r->x + r->w - 1 - n, r->w - 4, rates);
}

/* Workers a station shows: all but those that left when asked. */
unsigned
tui_station_workers(struct tui *t, unsigned si)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, used, n = 0;

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		if (run->slots[i].station == si &&
		    !(atomic_load(&run->slots[i].hand.leave) &&
		    atomic_load(&run->slots[i].state) == WS_EXITED))
			n++;
	}
	return (n);
}

/* Workers of station si killed from outside: shown, but not counted. */
static unsigned
tui_station_killed(struct tui *t, unsigned si)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, used, n = 0;

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		if (run->slots[i].station == si &&
		    atomic_load(&run->slots[i].died))
			n++;
	}
	return (n);
}

/*
 * Station si's busy fraction as the run stands: the work its workers
 * finished (the stats fold that in from events) and the work they are in
 * the middle of, over the time they were there. A dish counts as begun
 * from its worker's live slot until the event that it was finished is
 * folded in, and not twice after that.
 */
static double
tui_busy_now(struct tui *t, unsigned si)
{
	struct run		*run = engine_run(t->eng);
	struct wslot		*w;
	const struct station_stats *ss = &t->st.st[si];
	int64_t			 busy = ss->busy_ns, since;
	unsigned		 i, used;

	if (ss->present_ns <= 0)
		return (0.0);
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si || atomic_load(&w->died) ||
		    atomic_load(&w->state) != WS_WORKING)
			continue;
		since = atomic_load(&w->since);
		if (i < t->st.nw && t->st.w[i].since > since)
			continue;	/* its end is folded in already */
		if (t->st.t_end > since)
			busy += t->st.t_end - since;
	}
	if (busy > ss->present_ns)
		busy = ss->present_ns;
	return ((double)busy / (double)ss->present_ns);
}
