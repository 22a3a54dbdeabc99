/*
 * svg.h: --svg FILE: a picture of the run for a slide, 1920x1080: a Gantt
 * row per worker (work and waits by kind), each rack's depth over time,
 * the bottleneck marked, the captions on the time axis, the title and
 * figures in a corner. A tap; the file is written at the end.
 */
#ifndef DISHRACK_SVG_H
#define DISHRACK_SVG_H

#include <stdio.h>

#include "tap.h"

struct svg;
struct scenario;

struct svg	*svg_open(const char *path, const struct scenario *,
		    char **cause);
/* The same on an open stream, which svg_close closes. */
struct svg	*svg_open_stream(FILE *, const char *name,
		    const struct scenario *);
void		 svg_tap(struct svg *, struct tap *);
int		 svg_close(struct svg *, char **cause);

#endif
