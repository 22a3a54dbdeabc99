/*
 * report.h: the headless summary of a run, as text or as one JSON object.
 */
#ifndef DISHRACK_REPORT_H
#define DISHRACK_REPORT_H

#include <stdio.h>

struct engine;
struct stats;

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

#endif
