/*
 * pane_timeline.c: the timeline: a row per worker, a column per bucket of
 * scenario time, the state it was in; with a GIL, a row for its holder.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

/* The timeline, up to the latest bucket sampled. */
void
tui_draw_timeline(struct tui *t)
{
	const struct rect	*r = &t->lay.timeline;
	struct run		*run = engine_run(t->eng);
	unsigned		 i, k, used, shown, drawn;
	int			 row = 1, x, cols, gil, rows;
	int64_t			 b, j;
	attr_t			 a;
	const char		*g;

	if (r->h == 0)
		return;
	gil = run->ngils > 0;
	if (r->w >= 96 && gil)
		tui_printf(r->y, 0, r->w, _("timeline (%s working, %s waiting "
		    "for the GIL, %s for a dish; GIL row: who holds it; a "
		    "column is %.2fs)"),
		    t->g->work, t->g->gil_wait, t->g->wait,
		    (double)t->bucket_ns / 1e9);
	else if (r->w >= 96 && run->nlocks > 0)
		tui_printf(r->y, 0, r->w, _("timeline (%s working, %s waiting "
		    "for a lock, %s for a dish, %s blocked by a full rack; a "
		    "column is %.2fs)"), t->g->work, t->g->lock_wait,
		    t->g->wait,
		    t->g->block, (double)t->bucket_ns / 1e9);
	else if (r->w >= 96)
		tui_printf(r->y, 0, r->w, _("timeline (%s = working, %s = "
		    "waiting for a dish, %s = blocked by a full rack; a column "
		    "is %.2fs)"), t->g->work, t->g->wait, t->g->block,
		    (double)t->bucket_ns / 1e9);
	else if (gil)
		tui_printf(r->y, 0, r->w,
		    _("timeline: %s working  %s GIL-wait  "
		    "%s waiting  GIL: its holder's number (%.2fs a column)"),
		    t->g->work, t->g->gil_wait, t->g->wait,
		    (double)t->bucket_ns / 1e9);
	else if (run->nlocks > 0)
		tui_printf(r->y, 0, r->w,
		    _("timeline: %s working  %s lock-wait  "
		    "%s waiting  (%.2fs a column)"), t->g->work,
		    t->g->lock_wait, t->g->wait, (double)t->bucket_ns / 1e9);
	else
		tui_printf(r->y, 0, r->w, _("timeline: %s working  %s waiting  "
		    "%s blocked  (%.2fs a column)"), t->g->work, t->g->wait,
		    t->g->block, (double)t->bucket_ns / 1e9);
	cols = r->w - 12;
	b = t->last_t;
	used = atomic_load(&run->used);
	if (run->ngils > 0 && row < r->h) {
		/* The GIL's row: the number of the worker holding it. */
		tui_puts(r->y + row, 0, 11, _("GIL held by"));
		attron(tui_attr(t, C_BOTTLENECK));
		for (x = 0; x < cols; x++) {
			uint32_t	h;
			char		c[2] = { ' ', '\0' };

			j = b - (cols - 1) + x;
			if (j < 0 || b - j >= TL_LEN)
				continue;
			h = t->gil_tl[j % TL_LEN];
			if (h < used)
				c[0] = (char)('0' + run->slots[h].index % 10);
			tui_puts(r->y + row, 12 + x, 1, c);
		}
		attroff(tui_attr(t, C_BOTTLENECK));
		row++;
	}
	used = atomic_load(&run->used);
	if (used > t->tl_n)
		used = t->tl_n;
	/* More workers than rows: the last row says how many are not shown. */
	for (i = 0, shown = 0; i < used; i++)
		shown += t->tl_last[i] >= 0;
	rows = r->h - row;
	if ((int)shown > rows && rows > 0)
		rows--;
	/* Station by station, so a worker added later sits with its own. */
	for (k = 0, drawn = 0; k < run->nstations * used && row < r->h &&
	    (int)drawn < rows; k++) {
		i = k % used;
		if (run->slots[i].station != k / used || t->tl_last[i] < 0)
			continue;
		drawn++;
		tui_printf(r->y + row, 0, 11, "%-11s", run->slots[i].name);
		for (x = 0; x < cols; x++) {
			j = b - (cols - 1) + x;
			if (j < 0 || j > t->tl_last[i] || b - j >= TL_LEN)
				continue;
			g = tui_state_glyph(t, t->tl[i][j % TL_LEN], &a);
			attron(a);
			tui_puts(r->y + row, 12 + x, 1, g);
			attroff(a);
		}
		row++;
	}
	if (shown > drawn && row < r->h)
		tui_printf(r->y + row, 0, r->w, _("+%u more"), shown - drawn);
}
