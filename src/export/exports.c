/*
 * exports.c: open, feed and close the exports of one run together.
 */
#include "config.h"

#include "exports.h"
#include "html.h"
#include "svg.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

int
exports_open(struct exports *ex, const struct exports_opts *eo,
    const struct scenario *scn, char **cause)
{
	struct tap	t;
	char		*why = NULL;

	memset(ex, 0, sizeof *ex);
	if (eo->record != NULL) {
		if ((ex->recorder = record_open(eo->record, cause)) == NULL)
			return (-1);
		record_header(ex->recorder, scn, eo->clock, eo->speed,
		    eo->force);
		record_tap(ex->recorder, &t);
		taps_add(&ex->taps, &t);
		ex->record_path = eo->record;
	}
	if (eo->trace != NULL) {
		if ((ex->trace = trace_open(eo->trace, scn, cause)) == NULL)
			goto fail;
		trace_tap(ex->trace, &t);
		taps_add(&ex->taps, &t);
		ex->trace_path = eo->trace;
	}
	if (eo->report != NULL) {
		if ((ex->html = html_open(eo->report, scn, cause)) == NULL)
			goto fail;
		html_tap(ex->html, &t);
		taps_add(&ex->taps, &t);
		ex->report_path = eo->report;
	}
	if (eo->svg != NULL) {
		if ((ex->svg = svg_open(eo->svg, scn, cause)) == NULL)
			goto fail;
		svg_tap(ex->svg, &t);
		taps_add(&ex->taps, &t);
		ex->svg_path = eo->svg;
	}
	return (0);
fail:
	exports_close(ex, 1, &why);
	free(why);
	return (-1);
}

int
exports_close(struct exports *ex, int failed, char **cause)
{
	char	*why = NULL;
	int	 rc = 0;

	if (ex->recorder != NULL && record_close(ex->recorder, &why) == -1) {
		*cause = why;
		rc = -1;
	}
	why = NULL;
	if (ex->trace != NULL && trace_close(ex->trace, &why) == -1) {
		if (rc == 0)
			*cause = why;
		else
			free(why);
		rc = -1;
	}
	why = NULL;
	if (ex->svg != NULL && svg_close(ex->svg, &why) == -1) {
		if (rc == 0)
			*cause = why;
		else
			free(why);
		rc = -1;
	}
	why = NULL;
	if (ex->html != NULL && html_close(ex->html, &why) == -1) {
		if (rc == 0)
			*cause = why;
		else
			free(why);
		rc = -1;
	}
	/* A run that never started leaves no file behind. */
	if (failed) {
		if (ex->recorder != NULL)
			unlink(ex->record_path);
		if (ex->trace != NULL)
			unlink(ex->trace_path);
		if (ex->svg != NULL)
			unlink(ex->svg_path);
		if (ex->html != NULL)
			unlink(ex->report_path);
	}
	ex->html = NULL;
	ex->recorder = NULL;
	ex->trace = NULL;
	ex->svg = NULL;
	memset(&ex->taps, 0, sizeof ex->taps);
	return (rc);
}
