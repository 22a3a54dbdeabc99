/*
 * pane_caption.c: the caption line: a deadlock's cycle, else a key's
 * status message for a few seconds, else the scenario script's caption.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "report.h"

/* Captions the H panel shows, the latest. */
#define CAPTIONS_SHOWN	12

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

/*
 * A script whose captions do not fit the width gets a second caption row,
 * taken from the bottom of the output pane (or else the timeline) when it
 * can spare it: what the lecturer reads out must not end mid-sentence
 * ("sub-1 will listen to maine coon and" at 80 columns).
 */
void
tui_caption_layout(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	struct layout		*l = &t->lay;
	struct rect		*from = NULL;
	unsigned		 i;
	int			 wide = 0;

	if (!l->ok)
		return;
	for (i = 0; i < scn->nscript && !wide; i++)
		if (scn->script[i].text != NULL &&
		    tui_cols(scn->script[i].text) + 3 > l->caption.w)
			wide = 1;
	/* The deadlock's cycle is said whole: it is the lesson. */
	if (!wide && engine_deadlock_cycle(t->eng) != NULL) {
		char	cycle[512], line[600];

		snprintf(line, sizeof line, _("DEADLOCK: %s"),
		    report_cycle_words(t->eng, cycle, sizeof cycle));
		wide = tui_cols(line) + 1 > l->caption.w;
	}
	if (!wide)
		return;
	if (l->output.h >= 3 && l->output.y + l->output.h == l->caption.y)
		from = &l->output;
	else if (l->output.h == 0 && l->timeline.h >= 3 &&
	    l->timeline.y + l->timeline.h == l->caption.y)
		from = &l->timeline;
	if (from == NULL)
		return;
	from->h--;
	l->caption.y--;
	l->caption.h = 2;
}

/* The caption line (two, when tui_caption_layout gave it two). */
void
tui_draw_caption(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.caption;
	const char		*text = NULL;
	char			 hint[128], cycle[512], lines[2][160];
	int			 x, y, nl, i;

	if (engine_deadlock_cycle(t->eng) != NULL) {
		char	line[600];

		snprintf(line, sizeof line, _("DEADLOCK: %s"),
		    report_cycle_words(t->eng, cycle, sizeof cycle));
		attron(tui_attr(t, C_BAD));
		mvhline(r->y, 0, ' ', r->w);
		if (r->h > 1 && tui_cols(line) + 1 > r->w &&
		    (nl = tui_wrap(line, r->w - 1, lines, 2)) > 1) {
			for (i = 0; i < nl; i++) {
				mvhline(r->y + i, 0, ' ', r->w);
				tui_puts(r->y + i, 1, r->w - 1, lines[i]);
			}
		} else
			tui_puts(r->y, 1, r->w - 1, line);
		attroff(tui_attr(t, C_BAD));
		return;
	}
	if (t->status_until > clock_mono_ns())
		text = t->status;
	else if (t->st.caption >= 0)
		text = scn->script[t->st.caption].text;
	if (text == NULL || *text == '\0')
		text = tui_script_paused(t) ? _("paused") : NULL;
	if (text == NULL)
		return;
	attron(tui_attr(t, C_CAPTION) | A_BOLD);
	y = r->y;
	if (r->h > 1 && tui_cols(text) + 3 > r->w &&
	    (nl = tui_wrap(text, r->w - 3, lines, 2)) > 1) {
		for (i = 0; i < nl; i++, y++)
			x = tui_printf(y, 0, r->w, " %s %s",
			    i == 0 ? t->g->arrow : " ", lines[i]);
		y--;
	} else
		x = tui_printf(y, 0, r->w, " %s %s", t->g->arrow, text);
	attroff(tui_attr(t, C_CAPTION) | A_BOLD);
	/* At a [script] pause, how to go on, where it fits. */
	if (tui_script_paused(t) && text != t->status) {
		snprintf(hint, sizeof hint, "%s",
		    _("  (space, Enter, Right or n: "
		    "go on)"));
		if (tui_cols(hint) <= r->w - x)
			tui_puts(y, x, r->w - x, hint);
	}
}

/*
 * H: the script's captions shown so far, with their times, the latest
 * last: a caption gone before the lecturer could read it out is here.
 */
void
tui_draw_captions(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	char			 rows[CAPTIONS_SHOWN][200], *rowv[CAPTIONS_SHOWN];
	unsigned		 i, first = 0, n = 0;

	if (t->st.caption < 0) {
		snprintf(rows[0], sizeof rows[0], "%s",
		    _("no caption yet (H closes)"));
		rowv[0] = rows[0];
		tui_draw_panel(t, _("captions"), rowv, 1);
		return;
	}
	/* The last CAPTIONS_SHOWN of the says and pauses up to the current. */
	for (i = 0; i <= (unsigned)t->st.caption; i++) {
		if (scn->script[i].kind == STEP_SAY ||
		    (scn->script[i].kind == STEP_PAUSE &&
		    scn->script[i].text[0] != '\0'))
			n++;
	}
	if (n > CAPTIONS_SHOWN)
		first = n - CAPTIONS_SHOWN;
	n = 0;
	for (i = 0; i <= (unsigned)t->st.caption && n < CAPTIONS_SHOWN; i++) {
		if (scn->script[i].kind != STEP_SAY &&
		    (scn->script[i].kind != STEP_PAUSE ||
		    scn->script[i].text[0] == '\0'))
			continue;
		if (first > 0) {
			first--;
			continue;
		}
		snprintf(rows[n], sizeof rows[n], "%7.1fs  %s",
		    (double)scn->script[i].at_ns / 1e9, scn->script[i].text);
		rowv[n] = rows[n];
		n++;
	}
	tui_draw_panel(t, _("captions so far (H closes)"), rowv, (int)n);
}
