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

struct theory_row {
	char		 label[48];
	enum theory_unit unit;
	double		 measured;
	double		 predicted;
	int		 have_measured;
	int		 have_predicted;
};

#define THEORY_MAX_ROWS	(2 + 5 * SCN_MAX_STATIONS)

/* The rows of a run's figures. Returns how many. */
size_t	theory_rows(const struct stats *, struct theory_row *, size_t max);

/*
 * The largest disagreement and its likely cause, one line in buf (no
 * newline). Returns the index of its row, or -1 when all agree within 1 %.
 */
int	theory_verdict(const struct stats *, char *buf, size_t len);

/* A row's value as text, e.g. "0.490/s", "12.000 s", "49%", "2.13". */
const char *theory_format(enum theory_unit, double, char *buf, size_t len);

#endif
