/*
 * pane_theory.c: the theory panel ('t'): what theory predicts beside what
 * the run measures so far, the same table as the headless summary's, live,
 * over the screen. The run goes on under it.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define THEORY_PANEL_ROWS	48

/* The theory panel, cut to the terminal's height. */
void
tui_draw_theory(struct tui *t)
{
	char	*text = NULL, *p, *rowsv[THEORY_PANEL_ROWS];
	size_t	 len = 0;
	FILE	*f;
	int	 n = 0;

	if (!t->have_stats)
		return;
	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	report_theory_text(f, &t->st, !engine_finished(t->eng));
	fputs(_("t hides this; the figures grow as the run goes on"), f);
	fclose(f);
	p = text;
	while (p != NULL && *p != '\0' && n < THEORY_PANEL_ROWS) {
		rowsv[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	tui_draw_panel(t, engine_finished(t->eng) ? _("theory: the run") :
	    _("theory: the run so far"), rowsv, n);
	free(text);
}
