/*
 * clock.h: the run's clock. Scenario time runs at speed times real time,
 * stops while paused, and is shared by every worker, threads or processes
 * (the state lives in the run's arena).
 */
#ifndef DISHRACK_CLOCK_H
#define DISHRACK_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>

#define NSEC_PER_SEC	1000000000LL
#define NSEC_PER_MSEC	1000000LL

/* Monotonic real time in nanoseconds. */
int64_t	clock_mono_ns(void);

/* Sleep for ns of real time, resuming after signals. */
void	clock_sleep_ns(int64_t ns);

/*
 * A scaled, pausable clock. Writers (the engine) are serialised by the
 * caller; readers (workers in any process) use the sequence number as a
 * seqlock, so a reader never blocks a worker's hot path.
 */
struct run_clock {
	_Atomic uint64_t	seq;		/* odd while being changed */
	_Atomic int64_t		base_real;	/* real time at the last change */
	_Atomic int64_t		base_scn;	/* scenario time at base_real */
	_Atomic int64_t		speed_milli;	/* speed factor x 1000 */
	_Atomic int		paused;
};

void	run_clock_init(struct run_clock *, double speed);
int64_t	run_clock_now(const struct run_clock *);
int	run_clock_paused(const struct run_clock *);
double	run_clock_speed(const struct run_clock *);
void	run_clock_set_speed(struct run_clock *, double);
void	run_clock_pause(struct run_clock *, int);
/*
 * Pause, back at t if the clock has gone past it: the virtual clock's
 * pacing, which only lets virtual time run up to it (nobody has read a
 * time after t from it).
 */
void	run_clock_pause_at(struct run_clock *, int64_t t);

/* Real nanoseconds that d of scenario time takes at the current speed. */
int64_t	run_clock_real(const struct run_clock *, int64_t d);

#endif
