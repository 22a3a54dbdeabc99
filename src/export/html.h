/*
 * html.h: --report FILE.html: one self-contained page to share a run:
 * the picture (svg.c, inline), the summary as the headless run prints it,
 * and the scenario as it was run. A tap; written at the end.
 */
#ifndef DISHRACK_HTML_H
#define DISHRACK_HTML_H

#include "tap.h"

struct html;
struct scenario;

struct html	*html_open(const char *path, const struct scenario *,
		    char **cause);
void		 html_tap(struct html *, struct tap *);
int		 html_close(struct html *, char **cause);

#endif
