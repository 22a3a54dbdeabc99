/*
 * matrix.h: the grid of --matrix ('mode=threads,processes gil=on,off'):
 * its axes, its rows, and a row applied to a scenario. Running the rows
 * and printing the table are main.c's.
 */
#ifndef DISHRACK_MATRIX_H
#define DISHRACK_MATRIX_H

#include <stddef.h>

#define MATRIX_MAX_PARAMS	4
#define MATRIX_MAX_VALUES	8

struct scenario;

/* Each key with its values; all point into buf. */
struct matrix {
	char		*keys[MATRIX_MAX_PARAMS];
	char		*values[MATRIX_MAX_PARAMS][MATRIX_MAX_VALUES];
	unsigned	 nvalues[MATRIX_MAX_PARAMS];	/* each at least 1 */
	unsigned	 nkeys;				/* at least 1 */
	char		*buf;
};

/*
 * Parse the text of --matrix. Returns 0, or -1 with *cause allocated
 * ("--matrix: ..."); call matrix_free either way.
 */
int	matrix_parse(struct matrix *, const char *text, char **cause);

void	matrix_free(struct matrix *);

/*
 * Step idx (nkeys indices, all 0 for the first row) to the next row, the
 * last key fastest. Returns 0 once every row has been visited.
 */
int	matrix_next(const struct matrix *, unsigned *idx);

/*
 * Apply row idx to s as overrides named "--matrix" ("mode" is short for
 * "scenario.mode"). Returns 0, or -1 with *cause allocated.
 */
int	matrix_apply(const struct matrix *, const unsigned *idx,
	    struct scenario *, char **cause);

#endif
