/*
 * record.h: the recording of a run (doc/recording.md): JSON Lines, a
 * header first (the scenario as run, seed, versions, host, clock), then
 * the event stream as the engine's reader saw it, the workers' names and
 * text, and an end line with what the engine said at the end. Written as
 * the run goes, read back by --replay.
 */
#ifndef DISHRACK_RECORD_H
#define DISHRACK_RECORD_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "stats.h"
#include "tap.h"

#define RECORD_FORMAT	1

struct recorder;
struct scenario;

/* Open path for writing. NULL with *cause ("FILE: why"). */
struct recorder	*record_open(const char *path, char **cause);

/*
 * The header: scn as it starts (after --set and --seed, before the
 * script's steps change it), the clock's name and speed, whether --force.
 */
void		 record_header(struct recorder *, const struct scenario *,
		    const char *clock, double speed, int force);

/* The recorder as a tap. */
void		 record_tap(struct recorder *, struct tap *);

/* Flush and close. 0, or -1 with *cause (a write failed: disk full). */
int		 record_close(struct recorder *, char **cause);

/* A recording read back. */
struct replay {
	char			*path;
	FILE			*f;
	unsigned		 line;
	struct scenario		*scn;		/* as the run started */
	char			*version;	/* of the dishrack that wrote it */
	char			*clock;
	double			 speed;
	char			*host;
	char			*started;
	int			 force;

	/* After replay_run: the end, recorded or made from the events. */
	int			 complete;	/* the end line was there */
	int64_t			 last_t;
	struct stats_end	 se;
	struct report_run	 rr;
	char			**names;	/* workers' names by slot */
	uint32_t		 nnames;
	char			*rr_strings[4];	/* what rr points at */
};

/*
 * Open a recording and read its header. NULL with *cause, one line
 * ("FILE:LINE: why"), for what is not a recording of this format.
 */
struct replay	*replay_open(const char *path, char **cause);

/* The same from an open stream (taken over, closed by replay_close). */
struct replay	*replay_open_stream(FILE *, const char *name, char **cause);

/*
 * Read the rest: each event into st (stats_event) and the taps, each
 * text to text (if not NULL) and the taps. 0 if the recording is whole;
 * 1 if it stops before its end line (cut short: *cause says where; what
 * was there is folded in); -1 with *cause if a line is not a recording's.
 * The end state (rp->se, rp->rr) is set for 0 and 1; then stats_compute.
 */
int		 replay_run(struct replay *, struct stats *, struct taps *,
		    FILE *text, char **cause);

void		 replay_close(struct replay *);

#endif
