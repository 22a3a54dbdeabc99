/*
 * pane_summary.c: the summary panel at the end of the run: the text of the
 * headless report, over the screen.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* The summary panel, titled by whether the dishes were conserved. */
void
tui_draw_summary(struct tui *t)
{
	char	*text = NULL, *p, *rowsv[40];
	size_t	 len = 0;
	FILE	*f;
	int	 n = 0;

	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	report_text(f, t->eng, &t->st);
	fprintf(f, "\n%s", _("q quit, r run again, Esc hide (s shows it again)"));
	fclose(f);
	p = text;
	while (*p == '\n')
		p++;
	while (p != NULL && *p != '\0' && n < 40) {
		rowsv[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	tui_draw_panel(t, t->st.conserved ? _("summary") :
	    _("summary: dishes NOT conserved"), rowsv, n);
	free(text);
}
