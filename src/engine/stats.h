/*
 * stats.h: fold a run's events into figures: dishes per station, busy
 * fractions, rack depths, throughput, the bottleneck, and conservation
 * (every dish taken from the pile is dried, in a rack or in a hand; no dish
 * dried twice), checked against the racks' own counts at the end.
 */
#ifndef DISHRACK_STATS_H
#define DISHRACK_STATS_H

#include <stdint.h>

#include "event.h"
#include "scenario.h"

struct engine;

struct worker_stats {
	int		 seen;
	unsigned	 station;
	int		 state;		/* enum ws_state, from events */
	int64_t		 since;
	int64_t		 spawn_t;
	int64_t		 exit_t;
	int		 exited;
	int		 exit_why;	/* enum ev_exit */
	int64_t		 work_start;
	int64_t		 wait_start;
	int64_t		 busy_ns;
	int64_t		 wait_get_ns;
	int64_t		 wait_put_ns;
	uint64_t	 dishes;
	int		 pid;
};

struct station_stats {
	uint64_t	 got;			/* dishes taken in */
	uint64_t	 dishes;		/* dishes finished (out) */
	int64_t		 busy_ns;
	int64_t		 present_ns;
	double		 busy_fraction;
	double		 capacity_per_s;	/* theory: workers / mean time */
	unsigned	 workers;		/* at the end */
	unsigned	 killed;		/* processes killed from outside */
	unsigned	 restarts;		/* replacements started for them */
};

struct rack_stats {
	uint32_t	 max_depth;
	uint32_t	 depth;			/* at the end */
	uint32_t	 capacity;
};

struct stats {
	const struct scenario	*scn;
	unsigned		 nstations;
	struct worker_stats	*w;
	unsigned		 nw;
	struct station_stats	 st[SCN_MAX_STATIONS];
	struct rack_stats	 rk[SCN_MAX_STATIONS];	/* [i]: in front of i */
	uint8_t			*finished;	/* per dish, times dried */
	uint64_t		 ndishes;
	uint64_t		 events;
	int			 caption;	/* last [script] say or pause, or -1 */

	/* From stats_finish. */
	uint64_t		 taken;		/* from the pile */
	uint64_t		 washed;	/* left the first station */
	uint64_t		 dried;		/* left the last station */
	uint64_t		 in_racks;
	uint64_t		 in_hands;
	uint64_t		 lost;
	uint64_t		 duplicated;
	int			 conserved;
	int			 complete;	/* every dish dried */
	int64_t			 t_end;		/* scenario ns */
	int64_t			 wall_ns;
	double			 throughput;	/* dried per scenario second */
	int			 bottleneck;	/* station index */
	uint32_t		 max_rack_depth;
	uint64_t		 gil_handovers;	/* the GIL changed hands */
	int64_t			 gil_wait_ns;	/* all workers, waiting for it */
	int			 cupboard;	/* a [cupboard] was kept */
	uint64_t		 cupboard_count; /* what it believes it holds */
	uint64_t		 lost_updates;	/* dried but not counted */
	uint64_t		 lock_acquisitions;
	int64_t			 lock_wait_ns;
	int64_t			 lock_longest_ns;
};

void	stats_init(struct stats *, const struct scenario *);

/* Fold one event in. Has the shape engine_drain wants. */
void	stats_event(const struct event *, void *stats);

/* Where the dishes are at the end, by the racks' and hands' own account. */
struct stats_end {
	const struct scenario	*scn;		/* counts as they ended */
	int64_t			 t_end;
	int64_t			 wall_ns;
	uint64_t		 pile_takes;
	uint32_t		 rack_count[SCN_MAX_STATIONS];	/* [i >= 1] */
	uint64_t		 in_hands;
	unsigned		 live[SCN_MAX_STATIONS];
	uint64_t		 gil_handovers;
	int64_t			 gil_wait_ns;
	int			 cupboard;
	uint64_t		 cupboard_count;
	uint64_t		 lock_acquisitions;
	int64_t			 lock_wait_ns;
	int64_t			 lock_longest_ns;
};

/* Derive the figures from the events folded in and the end state. */
void	stats_compute(struct stats *, const struct stats_end *);

/* The same, reading the end state from an engine (during a run too). */
void	stats_finish(struct stats *, struct engine *);

/* Read the end state from an engine, as stats_finish does. */
void	stats_end_read(struct stats_end *, struct engine *);

/* The mean of a station's time distribution, in ns. */
int64_t	stats_mean_ns(const struct dist *);

void	stats_free(struct stats *);

#endif
