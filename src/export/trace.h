/*
 * trace.h: --trace FILE: the run as Chrome trace-event JSON, which
 * Perfetto (ui.perfetto.dev) and chrome://tracing open. A tap: it keeps
 * what the events say and writes the file at the end, each track in
 * time order. See doc/recording.md, "The trace".
 */
#ifndef DISHRACK_TRACE_H
#define DISHRACK_TRACE_H

#include "tap.h"

struct trace;
struct scenario;

/* Open path for writing at the end. NULL with *cause. */
struct trace	*trace_open(const char *path, const struct scenario *,
		    char **cause);
void		 trace_tap(struct trace *, struct tap *);

/* Write (if the end was seen) and close. 0, or -1 with *cause. */
int		 trace_close(struct trace *, char **cause);

#endif
