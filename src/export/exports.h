/*
 * exports.h: the files a run is asked to leave (--record, --trace, --svg,
 * --cast), opened together before the run, fed by one set of taps, and
 * finished together after it.
 */
#ifndef DISHRACK_EXPORTS_H
#define DISHRACK_EXPORTS_H

#include "live.h"
#include "record.h"
#include "tap.h"

struct html;
struct scenario;
struct svg;
struct trace;

struct exports_opts {
	const char	*record;
	const char	*trace;
	const char	*svg;
	const char	*cast;
	const char	*report;	/* --report FILE.html */
	const char	*clock;		/* for the recording's header */
	double		 speed;
	int		 force;
};

struct exports {
	struct taps	 taps;
	struct recorder	*recorder;
	struct trace	*trace;
	struct svg	*svg;
	struct html	*html;
	const char	*report_path;
	const char	*record_path;
	const char	*trace_path;
	const char	*svg_path;
};

/*
 * Open what eo asks for, for a run of scn (a recording's header is
 * written now: scn as it starts). 0, or -1 with *cause, nothing left open.
 */
int	exports_open(struct exports *, const struct exports_opts *,
	    const struct scenario *, char **cause);

/*
 * Finish and close every file (failed: the run never started, so remove
 * what was begun). 0, or -1 with *cause for the first that failed.
 */
int	exports_close(struct exports *, int failed, char **cause);

#endif
