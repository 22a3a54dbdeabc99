/*
 * report.h: the headless summary of a run, as text or as one JSON object.
 * It reads stats and a report_run: what the engine says of the run, read
 * from a live engine or from a recording's end (src/export/record.c).
 */
#ifndef DISHRACK_REPORT_H
#define DISHRACK_REPORT_H

#include <stdint.h>
#include <stdio.h>

struct engine;
struct scenario;
struct stats;

struct report_worker {
	const char	*name;
	int64_t		 gil_wait_ns;
	int64_t		 gil_hold_ns;
};

/* What the summary needs beyond the stats. */
struct report_run {
	const struct scenario	*scn;		/* as it ended */
	const char		*clock;
	double			 speed;
	int			 interrupted;
	int			 deadlocked;
	const char		*racks_where;	/* NULL: the run's memory */
	const char		*cycle;		/* NULL: no deadlock */
	const char		*error;		/* NULL: none */
	struct report_worker	*workers;	/* by slot */
	unsigned		 nworkers;
	/*
	 * The live run's engine, or NULL (a recording): for what only it
	 * can say yet (a ZeroMQ rack's two ends' counts).
	 */
	struct engine		*live;
};

/* A deadlock's cycle, in the reader's language (buf, or the engine's). */
const char *report_cycle_words(struct engine *, char *, size_t);

/* "washed", "dried", "stacked", or "done by NAME" (in buf). */
const char *report_did(const char *, char *, size_t);

void	report_text(FILE *, struct engine *, const struct stats *);
void	report_json(FILE *, struct engine *, const struct stats *);
/* A ZeroMQ rack's lines (report_zmq.c): rack i, if it is one. */
void	report_zmq_rack(FILE *, struct engine *, unsigned);

/* The theory beside the measurement (report_theory.c). */
/* live: the run goes on; its predictions are for the whole run. */
void	report_theory_text(FILE *, const struct stats *, int live);
void	report_theory_json(FILE *, const struct stats *, double speed);
void	report_theory_station_json(FILE *, const struct stats *, unsigned);
void	report_theory_queue_json(FILE *, const struct stats *, unsigned);

/* Read r from a run; the strings stay the engine's. Free with _free. */
void	report_run_read(struct report_run *, struct engine *);
void	report_run_free(struct report_run *);

void	report_text_run(FILE *, const struct report_run *,
	    const struct stats *);
void	report_json_run(FILE *, const struct report_run *,
	    const struct stats *);

#endif
