/*
 * exports.c: open, feed and close the exports of one run together.
 */
#include "config.h"

#include "exports.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

int
exports_open(struct exports *ex, const struct exports_opts *eo,
    const struct scenario *scn, char **cause)
{
	struct tap	t;

	memset(ex, 0, sizeof *ex);
	if (eo->record != NULL) {
		if ((ex->recorder = record_open(eo->record, cause)) == NULL)
			return (-1);
		record_header(ex->recorder, scn, eo->clock, eo->speed,
		    eo->force);
		record_tap(ex->recorder, &t);
		taps_add(&ex->taps, &t);
	}
	return (0);
}

int
exports_close(struct exports *ex, int failed, char **cause)
{
	char	*why = NULL;
	int	 rc = 0;

	(void)failed;
	if (ex->recorder != NULL && record_close(ex->recorder, &why) == -1) {
		if (rc == 0)
			*cause = why;
		else
			free(why);
		rc = -1;
	}
	ex->recorder = NULL;
	memset(&ex->taps, 0, sizeof ex->taps);
	return (rc);
}
