/*
 * replay_data.h: a recording read whole for the screen's replay
 * (engine_replay.h): its events in time order, its text, its workers'
 * names and its end.
 */
#ifndef DISHRACK_REPLAY_DATA_H
#define DISHRACK_REPLAY_DATA_H

#include "engine_replay.h"

struct scenario;

/* Read path into d. 0, or -1 with *cause (one line, as --replay's). */
int		 replay_data_load(const char *path, struct replay_data *,
		    char **cause);

/* The scenario of the recording at path, fresh. NULL with *cause. */
struct scenario	*replay_data_scenario(const char *path, char **cause);

void		 replay_data_free(struct replay_data *);

#endif
