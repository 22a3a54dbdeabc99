/*
 * stats.h: fold a run's events into figures: dishes per station, busy
 * fractions, rack depths, throughput, the bottleneck, and conservation
 * (every dish taken from the pile is dried, in a rack or in a hand; no dish
 * dried twice), checked against the racks' own counts at the end.
 */
#ifndef DISHRACK_STATS_H
#define DISHRACK_STATS_H

#include <stdint.h>

#include "bcast.h"
#include "event.h"
#include "predict.h"
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
	int64_t		 got_t;		/* when it took the dish it holds */
};

#define STATS_KILLS	32	/* kills a station's recovery is timed for */

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
	unsigned	 put_back;		/* dishes a killed one held, back */
	unsigned	 lost_killed;		/* ...lost with it (plain queue) */
	/*
	 * Time to recover: from each kill to the next dish the station
	 * finished after it (events come ring by ring, out of order, so the
	 * earliest after each kill is kept).
	 */
	int64_t		 kill_t[STATS_KILLS];
	int64_t		 kill_next[STATS_KILLS];
	unsigned	 nkill_t;
	double		 recover_mean_s;	/* -1: no kill recovered */
	double		 recover_max_s;
};

/*
 * Dishes flowing through a place (a rack, a station's hands, the queue of
 * arrivals), measured from the warm-up to the end: Little's law's three
 * figures, each from its own data. The time integral of the number there
 * is summed dish by dish, clamped to the window, so events read out of
 * order (rings are drained one after another) add up the same.
 */
struct flow_stats {
	uint64_t	 n_in;		/* came in, ever */
	uint64_t	 n_out;		/* went out, ever */
	uint64_t	 in_win;	/* came in after the warm-up */
	double		 in_clamped;	/* sum of max(t_in, warmup), ns */
	double		 out_clamped;	/* sum of max(t_out, warmup), ns */
	uint64_t	 nwait;		/* dishes in after warm-up and out */
	double		 wait_sum;	/* their times there, ns */
	uint64_t	 nwaited;	/* of them, those that waited at all */
	int64_t		 quick_ns;	/* shorter is no wait (a clock's jitter) */

	/* From stats_compute. */
	double		 mean_l;	/* time-average number there */
	double		 lambda;	/* per second, in the window */
	double		 mean_w;	/* seconds; 0 if no dish went through */
	int		 valid;		/* dishes went through */
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
	int			 bottleneck;	/* station index: measured, or else
						   predicted */
	int			 bottleneck_measured;	/* busiest, or -1 */
	int			 bottleneck_predicted;	/* the times alone */
	uint32_t		 max_rack_depth;
	uint64_t		 gil_handovers;	/* the GIL changed hands */
	int64_t			 gil_wait_ns;	/* all workers, waiting for it */
	int			 cupboard;	/* a [cupboard] was kept */
	uint64_t		 cupboard_count; /* what it believes it holds */
	uint64_t		 lost_updates;	/* dried but not counted */
	uint64_t		 lock_acquisitions;
	int64_t			 lock_wait_ns;
	int64_t			 lock_longest_ns;

	/* Theory's measured side (doc/theory.md), after the warm-up. */
	int64_t			 warmup_ns;
	int64_t			*arrival;	/* dish -> arrival, or NULL */
	int64_t			*put_t;		/* [rack - 1][dish], paired */
	struct flow_stats	 queue[SCN_MAX_STATIONS]; /* [0]: arrivals */
	struct flow_stats	 hands[SCN_MAX_STATIONS]; /* in service */
	int64_t			 busy_win_ns[SCN_MAX_STATIONS];
	double			 busy_win[SCN_MAX_STATIONS];	/* fraction */
	uint64_t		 done_win;	/* dried after the warm-up */
	double			 throughput_win;
	/* From the scenario as it starts (the [script] changes counts). */
	struct prediction	 pred;		/* on the virtual clock's cores */
	struct prediction	 pred_real;	/* on this machine's */
	int			 real_clock;	/* pred_real is this run's */
	int			 deadlocked;	/* the run stopped in a cycle */
	/*
	 * A broadcast (doc/pubsub.md): conservation is per subscriber,
	 * received + missed = published on its topics while it lived, and
	 * the publisher published every dish it took.
	 */
	int			 broadcast;
	struct bcast_totals	 btot;
	struct bcast_view	*bsubs;		/* each subscriber's books */
	size_t			 nbsubs;
	int			*bsub_ok;	/* its own conservation */
	uint64_t		 published;
	uint64_t		 received;	/* copies, all subscribers */
	uint64_t		 missed_late;	/* before they subscribed */
	uint64_t		 missed_dropped; /* at the high-water mark */
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
	struct bcast_view	*bsubs;		/* a broadcast's, or NULL */
	size_t			 nbsubs;
	struct bcast_totals	 btot;
	int			 has_btot;	/* a broadcast's books */
	int			 real_clock;	/* for theory's predictions */
	int			 deadlocked;
};

/*
 * The bottleneck as measured: of n stations' busy fractions, the busiest,
 * furthest down the line on a tie (within two points); -1 if none worked
 * or done, the dishes through the whole line, is 0 (too soon).
 */
int	stats_busiest(const double *busy, unsigned n, uint64_t done);

/* Derive the figures from the events folded in and the end state. */
void	stats_compute(struct stats *, const struct stats_end *);

/* The same, reading the end state from an engine (during a run too). */
void	stats_finish(struct stats *, struct engine *);

/*
 * Read the end state from an engine, as stats_finish does; free what it
 * allocated (a broadcast's books) with stats_end_free.
 */
void	stats_end_read(struct stats_end *, struct engine *);
void	stats_end_free(struct stats_end *);

/* The mean of a station's time distribution, in ns. */
int64_t	stats_mean_ns(const struct dist *);

/* The prediction for the run's clock. */
const struct prediction *stats_prediction(const struct stats *);

/* stats_flow.c: the theory's measured side, called by the above. */
void	stats_flow_init(struct stats *, const struct scenario *);
void	stats_flow_event(struct stats *, struct worker_stats *,
	    const struct event *);
void	stats_flow_compute(struct stats *, int64_t end);
void	stats_flow_free(struct stats *);

void	stats_free(struct stats *);

#endif
