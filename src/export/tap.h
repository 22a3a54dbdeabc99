/*
 * tap.h: what every export is: a view of the engine's one event stream.
 * A source (a live run, see live.c, or a recording, see record.c) calls
 * each tap in turn: a worker when it is first seen, each event as the
 * engine's reader hands it over (each worker's in time order, workers
 * one after another), the workers' text, and the end.
 */
#ifndef DISHRACK_TAP_H
#define DISHRACK_TAP_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct report_run;
struct stats;
struct stats_end;
struct scenario;

#define TAPS_MAX	8

struct tap {
	void	(*worker)(void *, int64_t t, uint32_t id, unsigned station,
		    const char *name);
	void	(*event)(void *, const struct event *);
	void	(*output)(void *, int64_t t, const char *text, size_t len);
	/* The end of the run: its end state, what the engine says, figures. */
	void	(*end)(void *, const struct stats_end *,
		    const struct report_run *, const struct stats *);
	void	*arg;
};

struct taps {
	struct tap	 t[TAPS_MAX];
	unsigned	 n;
};

void	taps_add(struct taps *, const struct tap *);
void	taps_worker(struct taps *, int64_t t, uint32_t id, unsigned station,
	    const char *name);
void	taps_event(struct taps *, const struct event *);
void	taps_output(struct taps *, int64_t t, const char *text, size_t len);
void	taps_end(struct taps *, const struct stats_end *,
	    const struct report_run *, const struct stats *);

#endif
