/*
 * fuzz_matrix.c: libFuzzer target for --matrix. Any text gives a grid or
 * one "--matrix:" line; a grid has 1 to 4 keys of 1 to 8 values, visits
 * each of its rows once and comes back to the first, and its rows apply
 * to a built-in scenario or are refused with one "--matrix:" line.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "matrix.h"
#include "scenario.h"
#include "xmalloc.h"

#define FUZZ_ROWS_APPLIED	16	/* rows applied, of up to 4096 */

static void	check_grid(const struct matrix *);

/* The shape matrix_parse promises, and the odometer over it. */
static void
check_grid(const struct matrix *m)
{
	unsigned	idx[MATRIX_MAX_PARAMS] = { 0 }, k, v, rows = 1, want = 1;

	if (m->nkeys < 1 || m->nkeys > MATRIX_MAX_PARAMS)
		abort();
	for (k = 0; k < m->nkeys; k++) {
		if (m->keys[k][0] == '\0' || strchr(m->keys[k], '=') != NULL ||
		    m->nvalues[k] < 1 || m->nvalues[k] > MATRIX_MAX_VALUES)
			abort();
		for (v = 0; v < m->nvalues[k]; v++) {
			if (m->values[k][v][0] == '\0' ||
			    strchr(m->values[k][v], ',') != NULL ||
			    strpbrk(m->values[k][v], " \t") != NULL)
				abort();
		}
		want *= m->nvalues[k];
	}
	while (matrix_next(m, idx)) {
		for (k = 0; k < m->nkeys; k++) {
			if (idx[k] >= m->nvalues[k])
				abort();
		}
		if (++rows > want)
			abort();
	}
	for (k = 0; k < m->nkeys; k++) {
		if (idx[k] != 0)
			abort();
	}
	if (rows != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "--matrix: ", NULL };
	static const char *const validate[] = { "--matrix: ", "builtin:",
	    NULL };
	struct matrix	 m;
	struct scenario	*s;
	unsigned	 idx[MATRIX_MAX_PARAMS] = { 0 }, row = 0;
	char		*text, *cause = NULL;

	text = xmalloc(size + 1);	/* up to a NUL, as argv gives it */
	memcpy(text, data, size);
	text[size] = '\0';
	if (matrix_parse(&m, text, &cause) == -1) {
		fuzz_check_cause(cause, prefixes);
		matrix_free(&m);
		free(text);
		return (0);
	}
	check_grid(&m);
	s = fuzz_builtin(size);
	do {
		if (matrix_apply(&m, idx, s, &cause) == -1)
			fuzz_check_cause(cause, prefixes);
		else if (scenario_validate(s, 0, &cause) == -1)
			fuzz_check_cause(cause, validate);
	} while (++row < FUZZ_ROWS_APPLIED && matrix_next(&m, idx));
	scenario_free(s);
	matrix_free(&m);
	free(text);
	return (0);
}
