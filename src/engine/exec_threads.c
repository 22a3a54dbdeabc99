/*
 * exec_threads.c: workers as POSIX threads of this process, on the real
 * (scaled, pausable) clock. The real-clock blocking calls here are shared
 * with the processes executor.
 */
#include "config.h"

#include "exec.h"

#include <errno.h>
#include <signal.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cpuwork.h"
#include "worker.h"
#include "i18n.h"
#include "xmalloc.h"

/* Longest real wait between looks at the stop and pause flags. */
#define EXEC_SLICE	(20 * NSEC_PER_MSEC)
/* How often a GIL holder looks for a drop request: CPython checks every
 * few bytecodes; 50us of work keeps the hand-over close to the interval. */
#define GIL_SLICE	(50 * 1000)

static void	*exec_thread_main(void *);
static int	 threads_spawn(struct run *, struct wslot *, char **);
static int	 threads_reap(struct run *, struct wslot *, int);

const struct exec_ops exec_threads = {
	.name = "threads",
	.rack_sync = RACK_THREADS,
	.shared_memory = 0,
	.spawn = threads_spawn,
	.reap = threads_reap,
	.sleep = exec_real_sleep,
	.compute = exec_real_compute,
	.part_pause = exec_real_part_pause,
	.checkpoint = exec_real_checkpoint,
};

/*
 * Wait until d of scenario time has passed. The deadline is on the run's
 * clock, so a pause stretches the wait and a change of speed reshapes it.
 */
int
exec_real_sleep(struct run *run, int64_t d)
{
	int64_t	deadline, now, real;

	deadline = run_clock_now(&run->clock) + d;
	for (;;) {
		if (atomic_load(&run->stop) || run_crashing(run))
			return (-1);
		now = run_clock_now(&run->clock);
		if (now >= deadline)
			return (0);
		real = run_clock_real(&run->clock, deadline - now);
		if (real > EXEC_SLICE || run_clock_paused(&run->clock))
			real = EXEC_SLICE;
		clock_sleep_ns(real);
	}
}

/*
 * Compute for d of scenario time: that much of this thread's own processor
 * time (scaled by the speed), so threads sharing cores take longer. With a
 * GIL, only while holding it: the worker computes in short slices and
 * between them honours a drop request from a waiter, as CPython's eval
 * loop does.
 */
/*
 * Take the GIL and add the wait to the worker's figure at once, so the
 * screen sees a long wait when it ends rather than when the dish does.
 * since: when it let go at a forced switch (its wait began there: it
 * waited for another to take it first), or -1.
 */
static int
exec_gil_take(struct run *run, struct wslot *w, struct gil *g, int64_t since)
{
	int64_t		waited = 0;
	uint32_t	holder = atomic_load(&g->current);
	int		rc, wait;

	/*
	 * Another held it: a wait the trace, the picture and the screen's
	 * timeline show, written as it begins (at a forced switch the
	 * caller wrote it as it let go) and as it ends.
	 */
	wait = since >= 0 || (holder != GIL_NOBODY && holder != w->id);
	if (wait && since < 0)
		ev_ring_put(w->ring, run_now(run), EV_WAIT_GIL, atomic_load(
		    &w->hand.dish), 0);
	rc = gil_take_unless(g, w->id, &run->stop, &w->crash, &waited);
	/* In scenario time, as every figure: --speed must not change it. */
	atomic_fetch_add_explicit(&w->gil_wait_ns, (int64_t)((double)waited *
	    run_clock_speed(&run->clock)), memory_order_relaxed);
	if (rc == 0 && wait)
		ev_ring_put(w->ring, run_now(run), EV_GOT_GIL, atomic_load(
		    &w->hand.dish), 0);
	return (rc);
}

int
exec_real_compute(struct run *run, struct wslot *w, int64_t d)
{
	struct gil	*g = run_gil(run, w);
	int64_t		 need, done = 0, t0, slice;

	/* Processor time is real time divided by the speed, like waits. */
	need = run_clock_real(&run->clock, d);
	/* How far the computation is, for the screen's bar: not the time. */
	atomic_store_explicit(&w->cpu_need_ns, need, memory_order_relaxed);
	atomic_store_explicit(&w->cpu_done_ns, 0, memory_order_relaxed);
	if (g != NULL && exec_gil_take(run, w, g, -1) == -1)
		return (-1);
	while (done < need) {
		if (atomic_load(&run->stop) || run_crashing(run))
			break;
		slice = g != NULL ? GIL_SLICE : EXEC_SLICE;
		if (need - done < slice)
			slice = need - done;
		t0 = cpuwork_thread_ns();
		cpuwork_for(slice);
		t0 = cpuwork_thread_ns() - t0;
		done += t0;
		atomic_store_explicit(&w->cpu_done_ns, done,
		    memory_order_relaxed);
		if (g == NULL) {
			if (exec_real_checkpoint(run) == -1)
				break;
			continue;
		}
		if (gil_drop_requested(g) || run_clock_paused(&run->clock)) {
			int64_t	since = run_now(run);

			ev_ring_put(w->ring, since, EV_WAIT_GIL, atomic_load(
			    &w->hand.dish), 0);
			gil_drop(g, w->id, 1, &run->stop);
			if (exec_real_checkpoint(run) == -1 ||
			    exec_gil_take(run, w, g, since) == -1)
				return (-1);
		}
	}
	if (g != NULL) {
		gil_drop(g, w->id, 0, &run->stop);
		atomic_fetch_add(&w->gil_hold_ns, (int64_t)((double)done *
		    run_clock_speed(&run->clock)));
	}
	return (atomic_load(&run->stop) || run_crashing(run) ? -1 : 0);
}

int
exec_real_checkpoint(struct run *run)
{
	while (run_clock_paused(&run->clock)) {
		if (atomic_load(&run->stop))
			return (-1);
		clock_sleep_ns(EXEC_SLICE);
	}
	return (atomic_load(&run->stop) ? -1 : 0);
}

/*
 * Python's print takes time between its writes; that gap, not the scenario
 * clock, is what lets another thread's words in. It is real time, unscaled.
 */
void
exec_real_part_pause(struct run *run)
{
	clock_sleep_ns(run->scn->print_gap_ns);
}

struct thread_start {
	struct run	*run;
	struct wslot	*w;
};

/* The kernel's id of the calling thread, as ps -L and top -H show it. */
int
exec_thread_id(void)
{
#if defined(__linux__) && defined(SYS_gettid)
	return ((int)syscall(SYS_gettid));
#else
	return (0);
#endif
}

static void *
exec_thread_main(void *arg)
{
	struct thread_start	*ts = arg;
	struct run		*run = ts->run;
	struct wslot		*w = ts->w;

	free(ts);
	atomic_store(&w->tid, exec_thread_id());
	worker_main(run, w);
	return (NULL);
}

int
exec_start_thread(struct run *run, struct wslot *w, char **cause)
{
	struct thread_start	*ts;
	sigset_t		 all, old;
	int			 e;

	ts = xmalloc(sizeof *ts);
	ts->run = run;
	ts->w = w;
	/* Signals belong to the main thread; workers never see them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&w->thread, NULL, exec_thread_main, ts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		free(ts);
		xasprintf(cause, _("cannot start a thread for %s: %s"), w->name,
		    strerror(e));
		return (-1);
	}
	return (0);
}

static int
threads_spawn(struct run *run, struct wslot *w, char **cause)
{
	atomic_store(&w->pid, (int)getpid());
	return (exec_start_thread(run, w, cause));
}

static int
threads_reap(struct run *run, struct wslot *w, int wait)
{
	if (!wait)
		return (-1);
	pthread_join(w->thread, NULL);
	return (0);
}
