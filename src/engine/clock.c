/*
 * clock.c: real time, and the run's scaled and pausable scenario clock.
 */
#include "config.h"

#include "clock.h"

#include <errno.h>
#include <time.h>

int64_t
clock_mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec);
}

void
clock_sleep_ns(int64_t ns)
{
	struct timespec	ts;

	if (ns <= 0)
		return;
	ts.tv_sec = ns / NSEC_PER_SEC;
	ts.tv_nsec = ns % NSEC_PER_SEC;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
run_clock_init(struct run_clock *c, double speed)
{
	atomic_store(&c->seq, 0);
	atomic_store(&c->base_real, clock_mono_ns());
	atomic_store(&c->base_scn, 0);
	atomic_store(&c->speed_milli, (int64_t)(speed * 1000.0 + 0.5));
	atomic_store(&c->paused, 0);
}

/* Scenario time from one consistent snapshot of the clock's state. */
int64_t
run_clock_now(const struct run_clock *c)
{
	uint64_t	s1, s2;
	int64_t		real, scn, speed, now;
	int		paused;

	for (;;) {
		s1 = atomic_load_explicit(&c->seq, memory_order_acquire);
		if (s1 & 1)
			continue;
		real = atomic_load_explicit(&c->base_real, memory_order_relaxed);
		scn = atomic_load_explicit(&c->base_scn, memory_order_relaxed);
		speed = atomic_load_explicit(&c->speed_milli,
		    memory_order_relaxed);
		paused = atomic_load_explicit(&c->paused, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&c->seq, memory_order_relaxed);
		if (s1 == s2)
			break;
	}
	if (paused)
		return (scn);
	now = clock_mono_ns() - real;
	if (speed == 1000)
		return (scn + now);
	/* Split so the product fits in 64 bits for a hundred days. */
	return (scn + now / 1000 * speed + now % 1000 * speed / 1000);
}

int
run_clock_paused(const struct run_clock *c)
{
	return (atomic_load(&c->paused));
}

double
run_clock_speed(const struct run_clock *c)
{
	return ((double)atomic_load(&c->speed_milli) / 1000.0);
}

/* Rebase the clock at now, so changes never make time jump. */
static void
run_clock_rebase(struct run_clock *c, int64_t speed_milli, int paused)
{
	int64_t	now;

	now = run_clock_now(c);
	atomic_fetch_add_explicit(&c->seq, 1, memory_order_acq_rel);
	atomic_store_explicit(&c->base_real, clock_mono_ns(),
	    memory_order_relaxed);
	atomic_store_explicit(&c->base_scn, now, memory_order_relaxed);
	atomic_store_explicit(&c->speed_milli, speed_milli,
	    memory_order_relaxed);
	atomic_store_explicit(&c->paused, paused, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->seq, 1, memory_order_release);
}

void
run_clock_set_speed(struct run_clock *c, double speed)
{
	int64_t	milli;

	milli = (int64_t)(speed * 1000.0 + 0.5);
	if (milli < 1)
		milli = 1;
	run_clock_rebase(c, milli, atomic_load(&c->paused));
}

void
run_clock_pause(struct run_clock *c, int paused)
{
	run_clock_rebase(c, atomic_load(&c->speed_milli), paused);
}

void
run_clock_pause_at(struct run_clock *c, int64_t t)
{
	int64_t	now = run_clock_now(c);

	atomic_fetch_add_explicit(&c->seq, 1, memory_order_acq_rel);
	atomic_store_explicit(&c->base_real, clock_mono_ns(),
	    memory_order_relaxed);
	atomic_store_explicit(&c->base_scn, t < now ? t : now,
	    memory_order_relaxed);
	atomic_store_explicit(&c->paused, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->seq, 1, memory_order_release);
}

int64_t
run_clock_real(const struct run_clock *c, int64_t d)
{
	int64_t	speed;

	speed = atomic_load_explicit(&c->speed_milli, memory_order_relaxed);
	if (speed == 1000)
		return (d);
	return ((int64_t)((double)d * 1000.0 / (double)speed));
}
