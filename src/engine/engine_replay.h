/*
 * engine_replay.h: an engine that runs nothing: it plays a recorded run's
 * events back at its clock (paused, faster, slower, moved to any time),
 * keeping the run's state (the workers' slots, the racks' depths) as the
 * events leave it, so the screen draws a replay as it drew the live run.
 * What a recording holds is read by src/export/record.c into a
 * replay_data, which outlives the engines made from it.
 */
#ifndef DISHRACK_ENGINE_REPLAY_H
#define DISHRACK_ENGINE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "scenario.h"

struct engine;

struct replay_output {
	int64_t		 t;
	char		*text;
	size_t		 len;
};

struct replay_data {
	struct event		*ev;		/* in time order */
	int64_t			*work_end;	/* per event: a work's end */
	size_t			 nev;
	struct replay_output	*out;		/* in time order */
	size_t			 nout;
	char			**names;	/* by slot, or NULL */
	uint32_t		 nnames;
	int			 virtual_clock;
	double			 speed;

	/* The end, as the end line (or the events, cut short) say. */
	int64_t			 t_end;
	int64_t			 wall_ns;
	int			 interrupted;
	int			 deadlocked;
	char			*cycle;
	char			*error;
	char			*cut;		/* cut short: the line saying so */
	unsigned		 counts[SCN_MAX_STATIONS];
	struct dist		 times[SCN_MAX_STATIONS];
};

/*
 * An engine for scn (taken over, as engine_create does) playing d back
 * from scenario time from (0: the start; the events before it applied at
 * once). NULL with *cause.
 */
struct engine	*engine_replay_create(struct scenario *,
		    const struct replay_data *, char **cause);

/* Whether e is a replay; its length in scenario time. */
int		 engine_is_replay(struct engine *);
int64_t		 engine_replay_length(struct engine *);
/* Whether the recording was cut short (no end line). */
int		 engine_replay_cut(struct engine *);

/*
 * Move the replay's clock to t (forward only: the events up to t are
 * applied at the next drain). Paused or not, as it was.
 */
void		 engine_replay_goto(struct engine *, int64_t t);

/*
 * The time of the first step after t (dir > 0) or the last before t
 * (dir < 0) of a kind: 'c' a caption or pause of the script, 'b' a change
 * of workers or of a station's time (where the bottleneck can move). -1
 * if there is none.
 */
int64_t		 engine_replay_find(struct engine *, int64_t t, int dir,
		    int kind);

/* For engine.c: the replay's drain. */
size_t		 engine_replay_drain(struct engine *,
		    void (*)(const struct event *, void *), void *);

#endif
