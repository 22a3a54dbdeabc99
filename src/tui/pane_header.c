/*
 * pane_header.c: the header line: the scenario's title at the left; the
 * mode, clock, time, speed and run state at the right.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

/* The header line; on a narrow screen the title gives way first. */
void
tui_draw_header(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.header;
	const char		*state, *where;
	char			 right[400], title[256], racks[320];
	char			 downs[48];
	int64_t			 down, limit;
	int			 w;

	if (engine_finished(t->eng))
		state = engine_interrupted(t->eng) ? _("stopped") :
		    _("finished");
	else if (engine_paused(t->eng))
		state = _("PAUSED");
	else if (t->step_pending)
		state = _("stepping");
	else
		state = _("running");
	/* An outage outranks the rest: every wait is a retry now. */
	if ((down = engine_racks_down(t->eng, &limit)) > 250 * NSEC_PER_MSEC) {
		snprintf(downs, sizeof downs, _("REDIS DOWN %.0fs, gives up in "
		    "%.0fs"), (double)down / 1e9, down < limit ?
		    (double)(limit - down) / 1e9 : 0.0);
		state = downs;
	}
	/* Where the racks are, when not in this run's memory. */
	racks[0] = '\0';
	if ((where = engine_racks_where(t->eng)) != NULL)
		snprintf(racks, sizeof racks, _(" racks in %s |"),
		    where[0] != '\0' ? _(where) : "");
	snprintf(right, sizeof right,
	    _("%s %s | %s clock | t=%.1fs | speed %s%g "
	    "| %s "), racks, scn_mode_name(scn->mode),
	    engine_clock_name(t->eng),
	    (double)engine_now(t->eng) / 1e9, t->g->times,
	    engine_speed(t->eng), state);
	/* The state matters more than the title: short words when tight. */
	if (tui_cols(right) + 20 > r->w)
		snprintf(right, sizeof right,
		    _("%s %s | %s | %.1fs | %s%g | %s "),
		    where == NULL ? "" : strncmp(scn->transport, "zmq", 3) == 0 ?
		    " zmq |" : " redis |", scn_mode_name(scn->mode),
		    engine_clock_name(t->eng), (double)engine_now(t->eng) / 1e9,
		    t->g->times, engine_speed(t->eng), state);
	w = tui_cols(right);
	attron(tui_attr(t, C_HEADER));
	mvhline(r->y, 0, ' ', r->w);
	if (w < r->w) {
		snprintf(title, sizeof title, " dishrack  %s", scn->title);
		if (tui_cols(title) > r->w - w - 1)
			tui_puts(r->y, tui_puts(r->y, 0, r->w - w - 2, title),
			    1, t->g->more);
		else
			tui_puts(r->y, 0, r->w - w, title);
	}
	tui_puts(r->y, w < r->w ? r->w - w : 0, r->w, right);
	attroff(tui_attr(t, C_HEADER));
}
