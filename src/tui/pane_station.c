/*
 * pane_station.c: a station's box: its name, workers and time on the top
 * border, one row per worker, its figures and rates on the bottom border.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "lock.h"

/* An async wait over by more than this (scenario time) shows as late. */
#define ASYNC_LATE	(100 * NSEC_PER_MSEC)

static void	tui_draw_worker(struct tui *, const struct rect *,
		    struct wslot *, int, int64_t, int);
static int	tui_draw_doing(struct tui *, const struct rect *,
		    struct wslot *, int, int, int, int64_t, char *);
static void	tui_restart_note(struct tui *, struct wslot *, char *, size_t);
static void	tui_draw_note(struct tui *, int, int, int, const char *);
static void	tui_station_title(struct tui *, unsigned, attr_t, int);
static void	tui_station_foot(struct tui *, const struct rect *, int *,
		    attr_t, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static int	tui_station_footer(struct tui *, unsigned);

/*
 * One worker's row: state, name, the dish in hand, what it does; whom it
 * was started for, if a worker process was killed; at the right, where
 * the box has room, its dishes done and its pid (a process) or thread id.
 * Big: the bar on the lines under it, the box wide. The last reserve
 * columns of the row are left alone.
 */
static void
tui_draw_worker(struct tui *t, const struct rect *r, struct wslot *w, int wy,
    int64_t now, int reserve)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl = run_gil(run, w);
	char			 dish[96], right[80], id[56], note[64];
	const char		*g, *token, *dname;
	attr_t			 a;
	int			 s, x, xe, rw, room, tid, base;

	s = atomic_load(&w->state);
	id[0] = '\0';
	/* A killed one's row says where its dish went, not its old id. */
	if (atomic_load(&w->died) && !w->remote)
		;
	else if (w->remote && atomic_load(&w->pid) > 0)
		/* An agent's worker: its pid on its host. */
		snprintf(id, sizeof id, "  %d@%s", atomic_load(&w->pid),
		    w->host);
	else if (w->remote)
		snprintf(id, sizeof id, "  @%s", w->host);
	else if (w->is_process)
		snprintf(id, sizeof id, _("  pid %d"), atomic_load(&w->pid));
	else if ((tid = atomic_load(&w->tid)) > 0)
		snprintf(id, sizeof id, _("  tid %d"), tid);
	tui_restart_note(t, w, note, sizeof note);
	/*
	 * Columns left after what the row needs first: glyph, name, dish and
	 * bar; a replacement's note, in the place of the state in words if
	 * it is not working.
	 */
	base = t->lay.worker_step > 1 ? 21 : 32;
	if (note[0] != '\0')
		base = (s == WS_WORKING ? base : 12) + tui_cols(note);
	room = r->w - 4 - base - reserve;
	snprintf(right, sizeof right, _("%llu done%s"),
	    (unsigned long long)atomic_load(&w->dishes), id);
	rw = tui_cols(right);
	if (rw + 1 > room)
		rw -= tui_cols(id);	/* the id goes first */
	xe = r->x + r->w - 2 - reserve;
	/* A deadlock's row needs its width for who holds what. */
	if (atomic_load(&run->deadlock) && (w->dl_wait >= 0 || w->dl_holds))
		room = 0;
	if (rw + 1 <= room) {
		tui_puts(wy, xe - rw, rw, right);
		xe -= rw + 1;
	}
	/* From here on xe is the first column not to write: a space before
	 * the border or the right part. */

	g = tui_worker_glyph(t, w, &a);
	x = r->x + 2;
	attron(a);
	tui_puts(wy, x, 1, g);
	attroff(a);
	x += 2;
	x += tui_printf(wy, x, xe - x, "%-9s ", w->name);
	if (s == WS_WORKING || s == WS_WAIT_PUT) {
		dish_t d = atomic_load(&w->hand.dish);

		/* Whole or not at all: a name cut short is another name. */
		dname = d != DISH_NONE ? scenario_dish_name(scn, d, dish,
		    sizeof dish) : NULL;
		if (dname != NULL && tui_cols(dname) < xe - x) {
			attron(tui_attr(t, C_DISH));
			x += tui_printf(wy, x, xe - x, "%-8s ", dname);
			attroff(tui_attr(t, C_DISH));
		}
	}
	/*
	 * The GIL as a token on its holder; so is the event loop, on an
	 * async task that computes: it gives the loop up only when done.
	 */
	token = NULL;
	/* Asked to leave (D, A, a script): it goes once its dish is done. */
	if (atomic_load(&w->hand.leave) && s != WS_EXITED)
		token = "LEAVING";
	else if (scn->mode == MODE_ASYNC && s == WS_WORKING &&
	    scn->stations[w->station].work == WORK_CPU)
		token = "LOOP";
	else if (gl != NULL && tui_gil_holder(t, gl) == w->id)
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
	char			 killed[160], dname[64], dl[160];
	uint32_t		 dd;
	int64_t			 since, end, need;
	double			 frac;
	attr_t			 a;
	int			 s, l, bw;
	int			 async = scn->mode == MODE_ASYNC;

	s = atomic_load(&w->state);
	/* Frozen as found: what it holds, what it waits for, whose it is. */
	if (tui_deadlock_words(t, w, dl, sizeof dl, 0)) {
		if (tui_cols(dl) > xe - x)
			tui_deadlock_words(t, w, dl, sizeof dl, 1);
		if (tui_cols(dl) > xe - x)
			tui_deadlock_words(t, w, dl, sizeof dl, 2);
		attron(tui_attr(t, C_BAD) | A_REVERSE);
		x += tui_puts(wy, x, xe - x, dl);
		attroff(tui_attr(t, C_BAD) | A_REVERSE);
		return (x + 1);
	}
	l = atomic_load(&w->waiting_lock);
	if (l >= 0 && (unsigned)l < run->nlocks) {
		attron(tui_attr(t, C_BLOCK));
		x += tui_printf(wy, x, xe - x, _("waits for the %s"),
		    run->locks[l].name);
		attroff(tui_attr(t, C_BLOCK));
		return (x + 1);
	}
	if (s != WS_WORKING || atomic_load(&w->died)) {
		words = tui_worker_state(w);
		/* Killed holding a dish: where it went is the lesson. */
		if (atomic_load(&w->died) && (dd = atomic_load(&w->dropped)) >
		    0 && scenario_dish_name(scn, dd - 1, dname, sizeof dname)) {
			snprintf(killed, sizeof killed,
			    atomic_load(&w->dropped_back) ?
			    _("killed, %s back in the rack") :
			    _("killed, %s LOST"), dname);
			if (tui_cols(killed) <= xe - x)
				words = killed;
		}
		if (tui_cols(words) > xe - x && !atomic_load(&w->died))
			words = tui_state_word(s);
		if (tui_cols(words) > xe - x)
			words = "";	/* the glyph says it */
		/* Tight, the note goes first: the glyph says the state. */
		if (note[0] != '\0' && tui_cols(words) + 2 +
		    tui_cols(note) > xe - x)
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
	 * Computing: the bar is the computation done, not the time gone, so
	 * threads that share a GIL are seen to crawl.
	 */
	if (scn->stations[w->station].work == WORK_CPU &&
	    (need = atomic_load(&w->cpu_need_ns)) > 0 && !w->remote)
		frac = (double)atomic_load(&w->cpu_done_ns) / (double)need;
	if (frac > 1)
		frac = 1;
	/*
	 * An async task whose wait is over but cannot run, since another
	 * task holds the loop: its timer fires late, by this much so far.
	 */
	if (async && scn->stations[w->station].work != WORK_CPU &&
	    now - end > ASYNC_LATE) {
		attron(tui_attr(t, C_BLOCK));
		x += tui_printf(wy, x, xe - x, _("late %.1fs"),
		    (double)(now - end) / 1e9);
		attroff(tui_attr(t, C_BLOCK));
		return (x + 1);
	}
	/*
	 * In the cupboard's window, its work done: in the bar's place, the
	 * count it read, to write back + 1.
	 */
	if ((l = tui_cupboard_reading(t, w)) >= 0) {
		snprintf(dl, sizeof dl, _("read %d, writes %d"), l, l + 1);
		if (tui_cols(dl) > xe - x)
			snprintf(dl, sizeof dl, _("read %d"), l);
		attron(tui_attr(t, C_CAPTION));
		x += tui_puts(wy, x, xe - x, dl) + 1;
		attroff(tui_attr(t, C_CAPTION));
		return (x);
	}
	if (end > since && t->lay.worker_step > 1) {
		tui_bar(t, wy + 1, r->x + 4, r->w - 8, frac);
		if (t->lay.worker_step > 3)
			tui_bar(t, wy + 2, r->x + 4, r->w - 8, frac);
	} else if (end > since && xe - x > 5) {
		bw = xe - x > 11 ? 10 : xe - x - 1;
		tui_bar(t, wy, x, bw, frac);
		x += bw + 1;
	}
	/* Waiting for the GIL now: say so, it is the lesson. */
	if (tui_shown_state(t, w) == TS_WAIT_GIL && xe - x > 13) {
		attron(tui_attr(t, C_BOTTLENECK));
		x += tui_puts(wy, x, xe - x,
		    xe - x > 18 ? _("waits for the GIL") :
		    _("GIL-wait")) + 1;
		attroff(tui_attr(t, C_BOTTLENECK));
	} else if (gl != NULL && xe - x > 19)
		/* How long this worker has waited for the GIL, in all. */
		x += tui_printf(wy, x, xe - x, _("gil-wait %.1fs"),
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
		snprintf(note, len, _("restarted for %s"),
		    run->slots[dead - 1].name);
}

/* The note at x, short of xe: whole, or just "restarted" if narrow. */
static void
tui_draw_note(struct tui *t, int wy, int x, int xe, const char *note)
{
	const char	*text = note;

	if (note[0] == '\0')
		return;
	if (tui_cols(text) > xe - x)
		text = _("restarted");
	if (tui_cols(text) > xe - x)
		return;
	attron(tui_attr(t, C_CAPTION));
	tui_puts(wy, x, xe - x, text);
	attroff(tui_attr(t, C_CAPTION));
}

/*
 * The box's title on its top border, short of the corner and a line
 * before it: the name, the workers, the time a dish takes and, on the
 * bottleneck, BOTTLENECK; where the box is narrow, the time goes first,
 * then the workers (the bottleneck keeps its word as long as it can: it
 * is the lesson), and a name too long is cut.
 */
static void
tui_station_title(struct tui *t, unsigned si, attr_t a, int bottleneck)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.station[si];
	const char		*sel = (int)si == t->selected ? ">" : " ";
	const char		*name = scn->stations[si].name;
	/* Until the run measured one, what the times alone predict: "?". */
	const char		*bn = !bottleneck ? "" :
				    t->bottleneck_measured ? _("BOTTLENECK") :
				    _("BOTTLENECK?");
	char			 title[6][160], tdesc[64];
	unsigned		 killed;
	int			 live, room = r->w - 3, x, i;

	live = (int)tui_station_workers(t, si, &killed) - (int)killed;
	dist_format(&scn->stations[si].time, tdesc, sizeof tdesc);
	snprintf(title[0], sizeof title[0], "%s%s %s%d %s %s", sel, name,
	    t->g->times, live, tdesc, bn);
	snprintf(title[1], sizeof title[1], "%s%s %s%d %s", sel, name,
	    t->g->times, live, bn);
	snprintf(title[2], sizeof title[2], "%s%s %s", sel, name, bn);
	snprintf(title[3], sizeof title[3], "%s%s %s%d %s", sel, name,
	    t->g->times, live, tdesc);
	snprintf(title[4], sizeof title[4], "%s%s %s%d", sel, name,
	    t->g->times, live);
	snprintf(title[5], sizeof title[5], "%s%s", sel, name);
	for (i = bottleneck ? 0 : 3; i < 6; i++) {
		if (tui_cols(title[i]) <= room)
			break;
	}
	attron(a);
	if (i == 6) {
		/* Even the name is too long: cut, and say so. */
		x = tui_puts(r->y, r->x + 1, room - 1, title[5]);
		tui_puts(r->y, r->x + 1 + x, 1, t->g->more);
	} else {
		x = tui_puts(r->y, r->x + 1, room, title[i]);
		tui_puts(r->y, r->x + 1 + x, room - x, " ");
	}
	attroff(a);
}

/*
 * One part of a box's bottom border at column *x (from r->x + 2), in
 * attribute a, only if it fits whole before the corner; *x moves past it.
 */
static void
tui_station_foot(struct tui *t, const struct rect *r, int *x, attr_t a,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[128];

	(void)t;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (tui_cols(buf) > r->w - 4 - *x)
		return;
	attron(a);
	*x += tui_puts(r->y + r->h - 1, r->x + 2 + *x, r->w - 4 - *x, buf);
	attroff(a);
}

/* Dishes arrived by now and not yet taken by the first station. */
static uint64_t
tui_queue_now(struct tui *t)
{
	int64_t		 now = engine_now(t->eng);
	uint64_t	 lo = 0, hi = t->st.ndishes, mid;

	/* Arrival times rise with the dish: the first not yet come. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->st.arrival[mid] <= now)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo > t->st.st[0].got ? lo - t->st.st[0].got : 0);
}

/*
 * The box's figures on its bottom border, as many as fit whole: dishes
 * done and busy, restarts, the cupboard. Returns the columns they take.
 */
static int
tui_station_footer(struct tui *t, unsigned si)
{
	struct run		*run = engine_run(t->eng);
	const struct rect	*r = &t->lay.station[si];
	unsigned long long	 done = t->st.st[si].dishes;
	double			 busy = tui_busy_now(t, si) * 100.0;
	int			 x = 0, lx, lost;

	/* Updates lost: the race's lesson, before the busy figure. */
	lost = run->cupboard != NULL && si == run->nstations - 1 &&
	    done > atomic_load(&run->cupboard->count);
	if (!lost)
		tui_station_foot(t, r, &x, A_NORMAL,
		    _(" %llu done, busy %.0f%% "), done, busy);
	if (x == 0 && !lost)
		tui_station_foot(t, r, &x, A_NORMAL, _(" %llu done, %.0f%% "),
		    done, busy);
	if (x == 0)
		tui_station_foot(t, r, &x, A_NORMAL, _(" %llu done "), done);
	/*
	 * An open system's queue: dishes arrived and not yet taken, the
	 * figure queueing theory is about (its rack is in front of the
	 * first station, where no box is drawn).
	 */
	if (x > 0 && si == 0 && t->st.arrival != NULL) {
		x++;	/* a stretch of border between the two */
		tui_station_foot(t, r, &x, A_NORMAL, _(" %llu in the queue "),
		    (unsigned long long)tui_queue_now(t));
	}
	/* Workers started in the place of killed ones. */
	if (x > 0 && t->st.st[si].restarts > 0) {
		tui_station_foot(t, r, &x, tui_attr(t, C_BAD), _("restarts %u"),
		    t->st.st[si].restarts);
		tui_station_foot(t, r, &x, A_NORMAL, " ");
	}
	/* The cupboard belongs to the last station. */
	if (x > 0 && run->cupboard != NULL && si == run->nstations - 1) {
		uint64_t	counted = atomic_load(&run->cupboard->count);
		uint32_t	holder = atomic_load(&run->cupboard->holder);

		tui_station_foot(t, r, &x, A_NORMAL, _("cupboard %llu "),
		    (unsigned long long)counted);
		/* Its lock always: a live change (L, a script) shows. */
		lx = x;
		if (holder < atomic_load(&run->used))
			tui_station_foot(t, r, &x, A_NORMAL, _("(%s: %s, %u wait) "),
			    lock_mode_name(atomic_load(&run->cupboard->mode)),
			    run->slots[holder].name,
			    atomic_load(&run->cupboard->waiters));
		if (x == lx)
			tui_station_foot(t, r, &x, A_NORMAL, "(%s) ",
			    lock_mode_name(atomic_load(&run->cupboard->mode)));
		if (done > counted)
			tui_station_foot(t, r, &x, tui_attr(t, C_BAD),
			    _("%llu LOST "), (unsigned long long)(done - counted));
	}
	return (x);
}

/*
 * Station si's box, bold if selected, in colour if the bottleneck: its
 * title, a row per worker (the last row says how many more there are, if
 * they do not all fit), its figures and its rates.
 */
void
tui_draw_station(struct tui *t, unsigned si)
{
	struct run		*run = engine_run(t->eng);
	const struct rect	*r = &t->lay.station[si];
	struct wslot		*w;
	int			 bottleneck, row = 0, s, wy, rows;
	int			 footer = 0, n;
	unsigned		 i, used, shown, more = 0;
	attr_t			 a;
	char			 rates[64];
	int64_t			 now = engine_now(t->eng);

	bottleneck = t->have_stats && t->bottleneck == (int)si;
	a = bottleneck ? tui_attr(t, C_BOTTLENECK) : A_NORMAL;
	if ((int)si == t->selected)
		a |= A_BOLD;
	tui_box(t, r, a);
	tui_station_title(t, si, a, bottleneck);
	if (t->have_stats && r->h > 2)
		footer = tui_station_footer(t, si);

	/*
	 * Too many to show: the last row says how many more, or with one
	 * row only, the end of it, kept free for that.
	 */
	rows = t->lay.worker_rows;
	shown = tui_station_workers(t, si, NULL);
	if (shown > (unsigned)rows && rows > 1)
		rows--;
	more = shown > (unsigned)rows ? shown - (unsigned)rows : 0;
	snprintf(rates, sizeof rates, _("+%u more"), more);
	n = tui_cols(rates);
	used = atomic_load(&run->used);
	for (i = 0; i < used && row < rows; i++) {
		w = &run->slots[i];
		if (w->station != si)
			continue;
		s = atomic_load(&w->state);
		/* A retired worker goes; a killed one stays, saying so. */
		if (s == WS_EXITED && atomic_load(&w->hand.leave) &&
		    !atomic_load(&w->died))
			continue;
		wy = r->y + 1 + t->lay.worker_pad + row * t->lay.worker_step;
		tui_draw_worker(t, r, w, wy, now,
		    more > 0 && rows == t->lay.worker_rows ? n + 1 : 0);
		row++;
	}
	if (more > 0) {
		wy = r->y + 1 + t->lay.worker_pad + (rows < t->lay.worker_rows ?
		    rows * t->lay.worker_step : 0);
		tui_puts(wy, rows < t->lay.worker_rows ? r->x + 2 :
		    r->x + r->w - 2 - n, n, rates);
	}
	if (!t->have_stats || si >= LAYOUT_MAX_STATIONS)
		return;
	/*
	 * In faster than out: the rack in front of it fills. On the bottom
	 * border after the busy figure if it fits, else on a free row.
	 */
	snprintf(rates, sizeof rates, _(" in %.2f/s  out %.2f/s "),
	    t->rate[si].in, t->rate[si].out);
	wy = r->y + r->h - 1;	/* the first row the cupboard leaves */
	n = tui_cols(rates);
	if (n <= r->w - 4 - footer - 1)
		tui_puts(r->y + r->h - 1, r->x + r->w - 2 - n, r->w - 4, rates);
	else if (more == 0 && t->lay.worker_pad + row * t->lay.worker_step <
	    r->h - 2 && n - 1 <= r->w - 4) {
		tui_puts(r->y + r->h - 2, r->x + r->w - 1 - n, r->w - 4, rates);
		wy--;
	}
	/* The cupboard's lost update, on the rows the workers leave. */
	if (run->cupboard != NULL && si == run->nstations - 1 && more == 0)
		tui_draw_cupboard(t, r, r->y + 1 + t->lay.worker_pad +
		    row * t->lay.worker_step, wy);
}

/*
 * Workers a station shows: all but those that left when asked; of them,
 * in *killed if not NULL, those killed from outside (shown, not counted).
 */
unsigned
tui_station_workers(struct tui *t, unsigned si, unsigned *killed)
{
	struct run	*run = engine_run(t->eng);
	struct wslot	*w;
	unsigned	 i, used, n = 0;

	if (killed != NULL)
		*killed = 0;
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si || (atomic_load(&w->hand.leave) &&
		    atomic_load(&w->state) == WS_EXITED &&
		    !atomic_load(&w->died)))
			continue;
		n++;
		if (killed != NULL && atomic_load(&w->died))
			(*killed)++;
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
double
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
