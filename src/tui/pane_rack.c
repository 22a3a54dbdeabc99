/*
 * pane_rack.c: the rack in front of a station: its depth and capacity, the
 * dishes on it and, with the stations side by side, a sparkline of depth.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <math.h>
#include <stdio.h>

/* The mean depth theory predicts for the rack in front of si, or -1. */
static double
tui_rack_predicted(struct tui *t, unsigned si)
{
	const struct prediction	*p;

	if (!t->have_stats)
		return (-1);
	p = stats_prediction(&t->st);
	if (!p->valid || si >= p->nstations || !p->st[si].have_queue ||
	    !isfinite(p->st[si].depth))
		return (-1);
	return (p->st[si].depth);
}

/* A dotted line across the rack at the predicted mean depth. */
static void
tui_rack_line(struct tui *t, const struct rect *r, int rows, double pd,
    uint32_t depth)
{
	const char	*dot = t->g == &glyphs_ascii ? "-" : "\u2508";
	int		 k = (int)floor(pd + 0.5), i, y;

	if (pd < 0 || rows <= 0)
		return;
	/* Above the stack, or where its "+N" sits: no room to show it. */
	if (k >= rows || (k == rows - 1 && depth > (uint32_t)rows))
		return;
	y = r->y + r->h - 2 - k;
	attron(tui_attr(t, C_CAPTION));
	for (i = 1; i < r->w - 1; i++)
		if (i != 2 || (uint32_t)k >= depth)
			tui_puts(y, r->x + i, 1, dot);
	attroff(tui_attr(t, C_CAPTION));
}

/* The rack in front of station si (si > 0). */
void
tui_draw_rack(struct tui *t, unsigned si)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.rack[si];
	struct rack		*rk = run->st[si].in;
	uint32_t		 depth = rack_depth(rk), cap, mx = 1, v;
	char			 capbuf[16];
	int			 i, rows, y, lvl;
	int64_t			 b;

	if (r->h == 0)
		return;
	if (scn->broadcast && si > 1) {
		/* One broadcast feeds every subscriber station: the first. */
		tui_printf(r->y, r->x + (t->lay.horizontal ? 1 : 2),
		    r->w - 2, _("%s same"), t->g->arrow);
		return;
	}
	cap = scenario_rack(scn, si);
	if (cap == RACK_UNBOUNDED)
		snprintf(capbuf, sizeof capbuf, "%s", t->g->inf);
	else
		snprintf(capbuf, sizeof capbuf, "%u", cap);
	b = t->last_t;
	for (i = 0; i < HIST_LEN; i++)
		if (t->hist[si][i] > mx)
			mx = t->hist[si][i];

	if (t->lay.horizontal) {
		tui_printf(r->y, r->x + 1, r->w - 2, "%s %s", t->g->arrow,
		    scn->broadcast ? _("bcast") : _("rack"));
		tui_printf(r->y + 1, r->x + 1, r->w - 2, "%u/%s", depth,
		    capbuf);
		if (cap == 0)
			tui_puts(r->y + 2, r->x + 1, r->w - 2, _("hand-off"));
		rows = r->h - (cap == 0 ? 4 : 3);
		/* A ZeroMQ link: the rows above the stack of dishes. */
		tui_draw_links(t, si, r->y + (cap == 0 ? 3 : 2), r->x + 1,
		    r->w - 2, rows - ((uint32_t)rows < depth ? rows :
		    (int)depth));
		attron(tui_attr(t, C_DISH));
		for (i = 0; i < rows && (uint32_t)i < depth; i++) {
			y = r->y + r->h - 2 - i;
			if (i == rows - 1 && depth > (uint32_t)rows)
				tui_printf(y, r->x + 2, r->w - 3, "+%u",
				    depth - (uint32_t)rows + 1);
			else
				tui_puts(y, r->x + 2, r->w - 3, t->g->dish);
		}
		attroff(tui_attr(t, C_DISH));
		tui_rack_line(t, r, rows, tui_rack_predicted(t, si), depth);
		for (i = 0; i < r->w - 2; i++) {
			v = t->hist[si][(b - (r->w - 3) + i + HIST_LEN *
			    4) % HIST_LEN];
			lvl = (int)((v * 7 + mx - 1) / mx);
			tui_puts(r->y + r->h - 1, r->x + 1 + i, 1,
			    v == 0 ? " " : t->g->spark[lvl]);
		}
	} else {
		double	pd = tui_rack_predicted(t, si);
		char	pbuf[32] = "";
		int	x;

		if (pd >= 0 && cap != 0)
			snprintf(pbuf, sizeof pbuf, _(" (theory %.1f)"), pd);
		x = tui_printf(r->y, r->x + 2, r->w - 4,
		    _("%s rack %u/%s%s%s "), t->g->arrow, depth, capbuf,
		    cap == 0 ? _(" hand-off") : "", pbuf);

		attron(tui_attr(t, C_DISH));
		for (i = 0; (uint32_t)i < depth && x < r->w / 2; i++)
			x += tui_puts(r->y, r->x + 2 + x, 2, t->g->bar_full);
		attroff(tui_attr(t, C_DISH));
		tui_draw_links(t, si, r->y, r->x + 2 + r->w / 2, r->w / 2 - 4,
		    1);
	}
}
