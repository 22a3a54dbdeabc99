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

#endif
