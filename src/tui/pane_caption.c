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

/* The deadlock's banner, in buf, or NULL when the run is not deadlocked. */
static const char *
caption_deadlock(struct tui *t, char *buf, size_t len)
{
	char	cycle[512];

	if (engine_deadlock_cycle(t->eng) == NULL)
		return (NULL);
	snprintf(buf, len, _("DEADLOCK: %s"),
	    report_cycle_words(t->eng, cycle, sizeof cycle));
	return (buf);
}

/*
 * text on the caption's rows, after lead (an arrow; none: a space), on a
 * second row when it is too wide for one and the layout gave two. *y
 * ends on the last row written; returns the column after the text.
 */
static int
caption_rows(const struct rect *r, const char *lead, const char *text,
    int *y)
{
	char	lines[2][160];
	int	x = 0, nl, i, pad = lead != NULL ? 2 + tui_cols(lead) : 1;

	mvhline(r->y, 0, ' ', r->w);
	if (r->h > 1 && tui_cols(text) + pad > r->w &&
	    (nl = tui_wrap(text, r->w - pad, lines, 2)) > 1) {
		for (i = 0; i < nl; i++, (*y)++) {
			mvhline(*y, 0, ' ', r->w);
			x = tui_printf(*y, 0, r->w, lead != NULL ? " %s %s" :
			    "%.0s %s", lead != NULL && i == 0 ? lead : " ",
			    lines[i]);
		}
		(*y)--;
	} else
		x = tui_printf(*y, 0, r->w, lead != NULL ? " %s %s" : "%.0s %s",
		    lead != NULL ? lead : "", text);
	return (x);
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
	const char		*dl;
	char			 line[600];
	unsigned		 i;
	int			 wide = 0;

	if (!l->ok)
		return;
	for (i = 0; i < scn->nscript && !wide; i++)
		if (scn->script[i].text != NULL &&
		    tui_cols(scn->script[i].text) + 3 > l->caption.w)
			wide = 1;
	/* The deadlock's cycle is said whole: it is the lesson. */
	if (!wide && (dl = caption_deadlock(t, line, sizeof line)) != NULL)
		wide = tui_cols(dl) + 1 > l->caption.w;
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
	char			 hint[128], line[600];
	int			 x, y = r->y;

	if ((text = caption_deadlock(t, line, sizeof line)) != NULL) {
		attron(tui_attr(t, C_BAD));
		caption_rows(r, NULL, text, &y);
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
	x = caption_rows(r, t->g->arrow, text, &y);
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
