/*
 * matrix.c: the grid of --matrix, apart from running it, so that every
 * row can be checked before the first runs and a fuzzer can reach it.
 */
#include "config.h"

#include "matrix.h"

#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "i18n.h"
#include "xmalloc.h"

static char	*matrix_assignment(const char *, const char *);

/* Words apart by blanks, each KEY=V1,V2; an empty value is no value. */
int
matrix_parse(struct matrix *m, const char *text, char **cause)
{
	char		*word, *eq, *v, *save1, *save2;
	unsigned	*n;

	memset(m, 0, sizeof *m);
	m->buf = xstrdup(text);
	for (word = strtok_r(m->buf, " \t", &save1); word != NULL;
	    word = strtok_r(NULL, " \t", &save1)) {
		if ((eq = strchr(word, '=')) == NULL || eq == word) {
			xasprintf(cause, _("--matrix: expected KEY=V1,V2 ..., "
			    "found '%s'"), word);
			return (-1);
		}
		if (m->nkeys == MATRIX_MAX_PARAMS) {
			xasprintf(cause, _("--matrix: at most %d keys"),
			    MATRIX_MAX_PARAMS);
			return (-1);
		}
		*eq = '\0';
		m->keys[m->nkeys] = word;
		n = &m->nvalues[m->nkeys];
		for (v = strtok_r(eq + 1, ",", &save2); v != NULL;
		    v = strtok_r(NULL, ",", &save2)) {
			if (*n == MATRIX_MAX_VALUES) {
				xasprintf(cause, _("--matrix: at most %d "
				    "values for %s"), MATRIX_MAX_VALUES, word);
				return (-1);
			}
			m->values[m->nkeys][(*n)++] = v;
		}
		if (*n == 0) {
			xasprintf(cause, _("--matrix: expected KEY=V1,V2 ..., "
			    "found '%s=%s'"), word, eq + 1);
			return (-1);
		}
		m->nkeys++;
	}
	if (m->nkeys == 0) {
		xasprintf(cause, _("--matrix: nothing to vary"));
		return (-1);
	}
	return (0);
}

void
matrix_free(struct matrix *m)
{
	free(m->buf);
	memset(m, 0, sizeof *m);
}

/* Count idx up like an odometer. */
int
matrix_next(const struct matrix *m, unsigned *idx)
{
	unsigned	k;

	for (k = m->nkeys; k-- > 0;) {
		if (++idx[k] < m->nvalues[k])
			return (1);
		idx[k] = 0;
	}
	return (0);
}

/* "mode" is short for "scenario.mode"; "dryer.count" stays as it is. */
static char *
matrix_assignment(const char *key, const char *value)
{
	char	*set;
	size_t	 i;

	for (i = 0; i < scn_nkeys; i++) {
		if (scn_keys[i].section == SECTION_SCENARIO &&
		    strcmp(scn_keys[i].name, key) == 0)
			break;
	}
	if (i < scn_nkeys || strchr(key, '.') == NULL)
		xasprintf(&set, "scenario.%s=%s", key, value);
	else
		xasprintf(&set, "%s=%s", key, value);
	return (set);
}

/* Each key's value of the row, in order, with the checks --set has. */
int
matrix_apply(const struct matrix *m, const unsigned *idx, struct scenario *s,
    char **cause)
{
	char		*set;
	unsigned	 k;
	int		 rc = 0;

	for (k = 0; k < m->nkeys && rc == 0; k++) {
		set = matrix_assignment(m->keys[k], m->values[k][idx[k]]);
		rc = scenario_override(s, "--matrix", set, cause);
		free(set);
	}
	return (rc);
}
