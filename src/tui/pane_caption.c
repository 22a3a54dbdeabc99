/*
 * pane_caption.c: the caption line: a deadlock's cycle, else a key's
 * status message for a few seconds, else the scenario script's caption.
 */
#include "config.h"

#include "tui_private.h"

#include <stdarg.h>
#include <stdio.h>

#include "clock.h"

/* Say what a key did, on the caption line, for three seconds. */
void
tui_set_status(struct tui *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_until = clock_mono_ns() + 3 * NSEC_PER_SEC;
	t->urgent = 1;
}

/* The caption line. */
void
tui_draw_caption(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.caption;
	const char		*text = NULL;
	char			 hint[64];
	int			 x;

	if (engine_deadlock_cycle(t->eng) != NULL) {
		attron(tui_attr(t, C_BAD));
		mvhline(r->y, 0, ' ', r->w);
		tui_printf(r->y, 0, r->w, " DEADLOCK: %s",
		    engine_deadlock_cycle(t->eng));
		attroff(tui_attr(t, C_BAD));
		return;
	}
	if (t->status_until > clock_mono_ns())
		text = t->status;
	else if (t->st.caption >= 0)
		text = scn->script[t->st.caption].text;
	if (text == NULL || *text == '\0')
		text = tui_script_paused(t) ? "paused" : NULL;
	if (text == NULL)
		return;
	attron(tui_attr(t, C_CAPTION) | A_BOLD);
	x = tui_printf(r->y, 0, r->w, " %s %s", t->g->arrow, text);
	attroff(tui_attr(t, C_CAPTION) | A_BOLD);
	/* At a [script] pause, how to go on, where it fits. */
	if (tui_script_paused(t) && text != t->status) {
		snprintf(hint, sizeof hint, "  (space, Enter, Right or n: "
		    "go on)");
		if (tui_cols(hint) <= r->w - x)
			tui_puts(r->y, x, r->w - x, hint);
	}
}
