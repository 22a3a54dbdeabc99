/*
 * pane_keys.c: the key bar at the bottom, fitted to the width by rank
 * (layout_keyhints) rather than cut at the right edge.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <string.h>

/* The key bar, in the order it reads; a narrow screen keeps the first ranks. */
static const struct keyhint tui_keyhints[] = {
	{ "space", N_("pause"), 1 },
	{ ".", N_("step"), 6 },
	{ "+/-", N_("speed"), 2 },
	{ "tab", N_("select"), 5 },
	{ "a/A", N_("add/remove"), 6 },
	{ "[/]", N_("faster/slower"), 5 },
	{ "d/D", N_("dryer"), 3 },
	{ "w/W", N_("washer"), 3 },
	{ "r", N_("restart"), 4 },
	{ "t", N_("theory"), 5 },
	{ "?", N_("help"), 0 },
	{ "q", N_("quit"), 0 },
};
#define TUI_NKEYHINTS	(sizeof tui_keyhints / sizeof tui_keyhints[0])

/* The key bar, in reverse video across the screen. */
void
tui_draw_keys(struct tui *t)
{
	const struct rect	*r = &t->lay.keys;
	struct keyhint		 hints[TUI_NKEYHINTS];
	int			 shown[TUI_NKEYHINTS], x = 1;
	unsigned		 i, n = 0;

	/* d and w name the lecture's dryer and washer: in a scenario
	 * without one (pub and sub, a teller) the bar leaves them out and
	 * a/A on the selected station says it. */
	for (i = 0; i < TUI_NKEYHINTS; i++) {
		if ((strcmp(tui_keyhints[i].label, "dryer") == 0 ||
		    strcmp(tui_keyhints[i].label, "washer") == 0) &&
		    tui_station_named(t, tui_keyhints[i].label, -1) == -1)
			continue;
		hints[n] = tui_keyhints[i];
		hints[n++].label = _(tui_keyhints[i].label);
	}
	layout_keyhints(hints, n, r->w - 1, shown);
	attron(A_REVERSE);
	mvhline(r->y, 0, ' ', r->w);
	for (i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		x += tui_printf(r->y, x, r->w - x, "%s %s", hints[i].keys,
		    hints[i].label) + KEYHINT_GAP;
	}
	attroff(A_REVERSE);
}
