/*
 * theory.h: prediction beside measurement, as rows any view can show (the
 * summary, the JSON's verdict, the screen's theory pane), and the one line
 * that names the largest disagreement and its likely cause.
 */
#ifndef DISHRACK_THEORY_H
#define DISHRACK_THEORY_H

#include <stddef.h>

#include "stats.h"

enum theory_unit {
	TU_RATE,		/* dishes per second */
	TU_SECONDS,
	TU_FRACTION,		/* shown as a percentage */
	TU_DISHES		/* a mean number of dishes */
};

/*
 * What a row measures. The engine names it; each view words it (the JSON in
 * English, the summary and the screen in the user's language), so the
 * engine writes no prose. Append new kinds at the end.
 */
enum theory_what {
	TW_THROUGHPUT,
	TW_TIME,
	TW_BUSY,		/* of station */
	TW_WAIT,		/* in the queue in front of station */
	TW_DEPTH,		/* of the queue in front of station */
	TW_P_WAIT,		/* the chance a dish waits at all, at station */
	TW_IN_SYSTEM		/* queue and hands, at station */
};

struct theory_row {
	enum theory_what what;
	unsigned	 station;	/* the station a row is about */
	enum theory_unit unit;
	double		 measured;
	double		 predicted;
	int		 have_measured;
	int		 have_predicted;
};

#define THEORY_MAX_ROWS	(2 + 5 * SCN_MAX_STATIONS)

/* The rows of a run's figures. Returns how many. */
size_t	theory_rows(const struct stats *, struct theory_row *, size_t max);

/* The likely cause of the largest disagreement (doc/theory.md). */
enum theory_cause {
	TC_NO_PREDICTION,	/* no row, no cause */
	TC_AGREE,		/* all rows within 1 % */
	TC_DEADLOCK,
	TC_OVERLOAD,		/* an open line with no steady state */
	TC_START_UP,		/* an open line's run from empty */
	TC_FINITE_OPEN,		/* an open line's finite run of random times */
	TC_GIL,
	TC_LOCK,		/* the cupboard's mutex or spinlock */
	TC_CPU,
	TC_REAL_CLOCK,
	TC_RANDOM,		/* random times, predicted by their means */
	TC_FINITE		/* a finite run */
};

struct theory_verdict {
	enum theory_cause cause;
	int		 row;		/* index in theory_rows, or -1 */
	struct theory_row r;		/* that row, when row >= 0 */
	double		 percent;	/* measured against predicted, +/- */
	int		 approximate;	/* TC_AGREE: the prediction is so */
	int		 too_small;	/* TC_AGREE: some differ, by too
					   little to count (theory_gap) */
	int		 have_arrived;	/* the stream came off its rate: */
	double		 arrived;	/* at this rate, */
	double		 lambda;	/* not this one (per second) */
};

/*
 * The largest disagreement and its likely cause, in v. Returns the index
 * of its row, or -1 when all agree within 1 % (or there is no prediction).
 */
int	theory_verdict(const struct stats *, struct theory_verdict *v);

/* A row's value as text, e.g. "0.490/s", "12.000 s", "49%", "2.13". */
const char *theory_format(enum theory_unit, double, char *buf, size_t len);

#endif
