/*
 * tap.c: hand one event stream to several views.
 */
#include "config.h"

#include "tap.h"

void
taps_add(struct taps *ts, const struct tap *t)
{
	if (ts->n < TAPS_MAX)
		ts->t[ts->n++] = *t;
}

void
taps_worker(struct taps *ts, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	unsigned	i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].worker != NULL)
			ts->t[i].worker(ts->t[i].arg, t, id, station, name);
}

void
taps_event(struct taps *ts, const struct event *e)
{
	unsigned	i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].event != NULL)
			ts->t[i].event(ts->t[i].arg, e);
}

void
taps_output(struct taps *ts, int64_t t, const char *text, size_t len)
{
	unsigned	i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].output != NULL)
			ts->t[i].output(ts->t[i].arg, t, text, len);
}

void
taps_end(struct taps *ts, const struct stats_end *se,
    const struct report_run *rr, const struct stats *st)
{
	unsigned	i;

	for (i = 0; i < ts->n; i++)
		if (ts->t[i].end != NULL)
			ts->t[i].end(ts->t[i].arg, se, rr, st);
}
