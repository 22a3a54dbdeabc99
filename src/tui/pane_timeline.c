/*
 * pane_timeline.c: the timeline: a row per worker, a column per slice of
 * scenario time, the state it was in; with a GIL, a row for its holder;
 * under them, an axis with the seconds.
 *
 * DESIGN: the timeline starts at the left edge at 0 s and grows to the
 * right, as a recording's picture does, scaled so that the run the
 * scenario predicts (or the run so far, if longer) fills the width, and
 * once it is over the run as it was: a wide screen shows the whole run in
 * detail instead of a strip at its right edge. Past the history kept, it
 * scrolls. A column that spans
 * several buckets shows the state they were in most.
 */
#include "config.h"

#include "tui_private.h"
#include "engine_replay.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#define TL_LEFT		12	/* columns of the workers' names */
#define TICK_MIN_COLS	8	/* at least this far apart */

/* What the columns show: col_ns each, the first from start_ns. */
struct tl_view {
	int64_t		 col_ns;
	int64_t		 start_ns;
	int		 cols;
};

static void
tl_view(struct tui *t, int cols, struct tl_view *v)
{
	int64_t		now = (t->tl_b + 1) * t->tl_bucket_ns, span;
	int64_t		kept = (int64_t)TL_LEN * t->tl_bucket_ns;

	/*
	 * The predicted run and a tenth; a run longer than that doubles the span when
	 * it reaches its end (a scale that changed every frame would make
	 * the picture swim).
	 */
	span = 20 * t->tl_bucket_ns;
	if (t->st.pred.valid && !t->st.pred.open && t->st.pred.wall_s > 0)
		span = (int64_t)(t->st.pred.wall_s * 1.1e9);	/* a real run's lag */
	if (span <= 0)
		span = NSEC_PER_SEC;
	while (span < now && span < kept)
		span *= 2;
	/* Over: the run as it was, across the width (a deadlock ends soon). */
	if (engine_finished(t->eng) && now > 0)
		span = now;
	if (span > kept)
		span = kept;
	v->cols = cols > 0 ? cols : 1;
	/* To the millisecond, so the title's figure is the real one. */
	v->col_ns = (span + v->cols - 1) / v->cols;
	v->col_ns = (v->col_ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC *
	    NSEC_PER_MSEC;
	if (v->col_ns < NSEC_PER_MSEC)
		v->col_ns = NSEC_PER_MSEC;
	v->start_ns = 0;
	if (now > v->col_ns * v->cols)
		v->start_ns = now - v->col_ns * v->cols;
}

/* The buckets column x spans, [*j0, *j1]; 0 if none is kept or reached. */
static int
tl_buckets(struct tui *t, const struct tl_view *v, int x, int64_t *j0,
    int64_t *j1)
{
	int64_t	a = v->start_ns + (int64_t)x * v->col_ns;

	*j0 = a / t->tl_bucket_ns;
	*j1 = (a + v->col_ns - 1) / t->tl_bucket_ns;
	if (*j0 > t->tl_b)
		return (0);
	if (*j1 > t->tl_b)
		*j1 = t->tl_b;
	if (t->tl_b - *j0 >= TL_LEN)
		*j0 = t->tl_b - TL_LEN + 1;
	return (*j0 <= *j1);
}

/*
 * The state worker i was in most over column x, or -1: not there yet;
 * with TL_LOST if a write in one of its buckets lost an update (a mark
 * that a column of several buckets must not average away).
 */
static int
tl_state(struct tui *t, const struct tl_view *v, unsigned i, int x)
{
	unsigned	n[256], best = 0;
	int64_t		j, j0, j1, a = v->start_ns + (int64_t)x * v->col_ns;
	int		s = -1, lost = 0;

	if (!tl_buckets(t, v, x, &j0, &j1) || j0 > t->tl_last[i])
		return (-1);
	if (j1 > t->tl_last[i])
		j1 = t->tl_last[i];
	memset(n, 0, sizeof n);
	for (j = j0; j <= j1; j++) {
		unsigned char c = t->tl[i][j % TL_LEN];

		/* A bucket across two columns: its mark in the first. */
		if ((c & TL_LOST) && (j * t->tl_bucket_ns >= a || x == 0))
			lost = TL_LOST;
		c &= (unsigned char)~TL_LOST;
		if (++n[c] > best) {
			best = n[c];
			s = c;
		}
	}
	return (s | lost);
}

/* Who held the GIL most over column x, or GIL_NOBODY. */
static uint32_t
tl_gil(struct tui *t, const struct tl_view *v, int x)
{
	int64_t		j, j0, j1;
	uint32_t	h, best = GIL_NOBODY;
	unsigned	run_n = 0, best_n = 0;

	if (!tl_buckets(t, v, x, &j0, &j1))
		return (GIL_NOBODY);
	/* The longest holder of the column: runs of one holder, counted. */
	for (j = j0, h = GIL_NOBODY; j <= j1; j++) {
		if (t->gil_tl[j % TL_LEN] != h) {
			h = t->gil_tl[j % TL_LEN];
			run_n = 0;
		}
		if (h != GIL_NOBODY && ++run_n > best_n) {
			best_n = run_n;
			best = h;
		}
	}
	return (best);
}

/* A tick every this many ns: 1, 2 or 5 times a power of ten, far enough. */
static int64_t
tl_tick(const struct tl_view *v)
{
	static const int64_t steps[] = { 1, 2, 5 };
	int64_t		     p = 10 * NSEC_PER_MSEC;
	unsigned	     k;

	for (;;) {
		for (k = 0; k < 3; k++) {
			if (steps[k] * p >= TICK_MIN_COLS * v->col_ns)
				return (steps[k] * p);
		}
		p *= 10;
	}
}

/* The axis: a tick and its seconds every few columns, from column 12. */
static void
tl_axis(struct tui *t, const struct rect *r, int row, const struct tl_view *v)
{
	char	line[1024], label[32];
	int64_t	step = tl_tick(v), tk;
	int	x, n, w = v->cols, last = -1;

	if (w > (int)sizeof line - 1)
		w = (int)sizeof line - 1;
	memset(line, ' ', (size_t)w);
	line[w] = '\0';
	for (tk = (v->start_ns + step - 1) / step * step;
	    tk < v->start_ns + (int64_t)w * v->col_ns; tk += step) {
		x = (int)((tk - v->start_ns) / v->col_ns);
		if (step % NSEC_PER_SEC == 0)
			n = snprintf(label, sizeof label, "|%llds",
			    (long long)(tk / NSEC_PER_SEC));
		else
			n = snprintf(label, sizeof label, "|%gs", (double)tk /
			    1e9);
		/* Whole and apart, or not at all. */
		if (x <= last || x + n > w)
			continue;
		memcpy(line + x, label, (size_t)n);
		last = x + n;
	}
	tui_puts(r->y + row, 0, TL_LEFT - 1, _("seconds"));
	tui_puts(r->y + row, TL_LEFT, w, line);
}

/* The title: what the glyphs mean, and how long a column is. */
static void
tl_title(struct tui *t, const struct rect *r, int gil, int locks,
    const struct tl_view *v)
{
	double	c = (double)v->col_ns / 1e9;
	int	cup = t->st.scn != NULL && t->st.scn->cupboard && !gil;

	/* The race: who read the cupboard and has not written it back. */
	if (r->w >= 110 && cup)
		tui_printf(r->y, 0, r->w, _("timeline (%s working, %s read the "
		    "cupboard, not yet written, %s a write that lost an "
		    "update, %s waiting for a dish; a column is %.3gs)"),
		    t->g->work, t->g->cup_read, t->g->cup_lost, t->g->wait, c);
	else if (cup)
		tui_printf(r->y, 0, r->w, _("timeline: %s working  %s read, "
		    "not written  %s lost write  (%.3gs a column)"),
		    t->g->work, t->g->cup_read, t->g->cup_lost, c);
	else if (r->w >= 96 && gil)
		tui_printf(r->y, 0, r->w, _("timeline (%s working, %s waiting "
		    "for the GIL, %s for a dish; GIL row: who holds it; a "
		    "column is %.3gs)"),
		    t->g->work, t->g->gil_wait, t->g->wait, c);
	else if (r->w >= 96 && locks)
		tui_printf(r->y, 0, r->w, _("timeline (%s working, %s waiting "
		    "for a lock, %s for a dish, %s blocked by a full rack; a "
		    "column is %.3gs)"), t->g->work, t->g->lock_wait, t->g->wait,
		    t->g->block, c);
	else if (r->w >= 96)
		tui_printf(r->y, 0, r->w, _("timeline (%s = working, %s = "
		    "waiting for a dish, %s = blocked by a full rack; a column "
		    "is %.3gs)"), t->g->work, t->g->wait, t->g->block, c);
	else if (gil)
		tui_printf(r->y, 0, r->w, _("timeline: %s working  %s GIL-wait  "
		    "%s waiting  GIL: its holder's number (%.3gs a column)"),
		    t->g->work, t->g->gil_wait, t->g->wait, c);
	else if (locks)
		tui_printf(r->y, 0, r->w, _("timeline: %s working  %s lock-wait  "
		    "%s waiting  (%.3gs a column)"), t->g->work,
		    t->g->lock_wait, t->g->wait, c);
	else
		tui_printf(r->y, 0, r->w, _("timeline: %s working  %s waiting  "
		    "%s blocked  (%.3gs a column)"), t->g->work, t->g->wait,
		    t->g->block, c);
}

/*
 * A replay's playhead: the column of the time shown, in reverse video
 * down the timeline's rows from y0 to y1, as a video editor marks it. Only
 * the cells' attributes change, not their text, so a replay's screen reads
 * as the live one did (record.sh compares them).
 */
static void
tl_playhead(struct tui *t, const struct tl_view *v, int y0, int y1)
{
	int64_t	now = engine_now(t->eng);
	int	x, y;

	if (!engine_is_replay(t->eng) || now < v->start_ns)
		return;
	x = (int)((now - v->start_ns) / v->col_ns);
	/* The end of the run lies at the end of the last column. */
	if (x >= v->cols)
		x = v->cols - 1;
	for (y = y0; y < y1; y++) {
		cchar_t	cc;
		wchar_t	wc[CCHARW_MAX + 1];
		attr_t	a;
		short	pair;

		if (mvin_wch(y, TL_LEFT + x, &cc) == ERR ||
		    getcchar(&cc, wc, &a, &pair, NULL) == ERR)
			continue;
		if (setcchar(&cc, wc, a | A_REVERSE, pair, NULL) != ERR)
			mvadd_wch(y, TL_LEFT + x, &cc);
	}
}

/* The timeline, up to the latest bucket sampled. */
void
tui_draw_timeline(struct tui *t)
{
	const struct rect	*r = &t->lay.timeline;
	struct run		*run = engine_run(t->eng);
	struct tl_view		 v;
	unsigned		 i, k, used, shown, drawn;
	int			 row = 1, x, cols, rows, s, axis;
	attr_t			 a;
	const char		*g;

	if (r->h == 0)
		return;
	cols = r->w - TL_LEFT;
	tl_view(t, cols, &v);
	tl_title(t, r, atomic_load(&run->gil_ever), run->nlocks > 0, &v);
	used = atomic_load(&run->used);
	/* Once the GIL was on (from the start, or switched on): its row. */
	if (atomic_load(&run->gil_ever) && row < r->h) {
		/* The GIL's row: the number of the worker holding it. */
		/* Switched off (G, a script): the row says so. */
		tui_puts(r->y + row, 0, 11, atomic_load(&run->gil_off) ?
		    _("GIL off") : _("GIL held by"));
		attron(tui_attr(t, C_BOTTLENECK));
		for (x = 0; x < cols; x++) {
			uint32_t	h = tl_gil(t, &v, x);
			char		c[2] = { ' ', '\0' };

			if (h == GIL_NOBODY)
				continue;
			if (h < used)
				c[0] = (char)('0' + run->slots[h].index % 10);
			tui_puts(r->y + row, TL_LEFT + x, 1, c);
		}
		attroff(tui_attr(t, C_BOTTLENECK));
		row++;
	}
	if (used > t->tl_n)
		used = t->tl_n;
	/*
	 * More workers than rows: the last row says how many are not shown.
	 * The axis takes a row when there is one to spare.
	 */
	for (i = 0, shown = 0; i < used; i++)
		shown += t->tl_last[i] >= 0;
	rows = r->h - row;
	axis = rows > (int)shown && cols >= 2 * TICK_MIN_COLS;
	if (axis)
		rows--;
	if ((int)shown > rows && rows > 0)
		rows--;
	/* Station by station, so a worker added later sits with its own. */
	for (k = 0, drawn = 0; k < run->nstations * used && row < r->h &&
	    (int)drawn < rows; k++) {
		i = k % used;
		if (run->slots[i].station != k / used || t->tl_last[i] < 0)
			continue;
		drawn++;
		tui_puts_name(t, r->y + row, 0, 11, run->slots[i].name);
		for (x = 0; x < cols; x++) {
			if ((s = tl_state(t, &v, i, x)) < 0)
				continue;
			if (s & TL_LOST) {
				/* The write that went over another's. */
				g = t->g->cup_lost;
				a = tui_attr(t, C_BAD) | A_REVERSE;
			} else
				g = tui_state_glyph(t, s, &a);
			attron(a);
			tui_puts(r->y + row, TL_LEFT + x, 1, g);
			attroff(a);
		}
		row++;
	}
	tl_playhead(t, &v, r->y + 1, r->y + row);
	if (shown > drawn && row < r->h)
		tui_printf(r->y + row++, 0, r->w, _("+%u more"), shown - drawn);
	if (axis && row < r->h)
		tl_axis(t, r, row, &v);
}
