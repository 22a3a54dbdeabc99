/*
 * pane_output.c: the workers' output as they write it: the last lines that
 * fit, then the line being written.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

/* The output pane, its newest lines at the bottom. */
void
tui_draw_output(struct tui *t)
{
	const struct rect	*r = &t->lay.output;
	int			 rows, i, first;

	if (r->h == 0)
		return;
	attron(A_BOLD);
	/* output = lines writes each say whole: say what the pane shows. */
	tui_puts(r->y, 0, r->w, engine_scenario(t->eng)->output ==
	    OUTPUT_LINES ? _("output (as written, a whole line at a time)") :
	    _("output (as written, part by part)"));
	attroff(A_BOLD);
	rows = r->h - 1;
	first = (int)t->nlines - (rows - (t->npartial > 0 ? 1 : 0));
	if (first < 0)
		first = 0;
	for (i = 0; first + i < (int)t->nlines && i < rows; i++)
		tui_puts(r->y + 1 + i, 0, r->w, t->out_lines[first + i]);
	if (t->npartial > 0 && i < rows) {
		t->partial[t->npartial] = '\0';
		tui_puts(r->y + 1 + i, 0, r->w, t->partial);
	}
}
