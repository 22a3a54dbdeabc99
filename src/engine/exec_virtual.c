/*
 * exec_virtual.c: workers as tasks on the virtual clock. Each is a fiber
 * on the clock's loop thread, so only one runs at a time, and time moves
 * only when every task waits: the run is the discrete-event simulation of
 * the scenario, running the very same worker code. The async executor
 * starts its tasks the same way.
 */
#include "config.h"

#include "exec.h"

#include <stdlib.h>
#include <unistd.h>

#include "worker.h"
#include "i18n.h"
#include "xmalloc.h"

static int	virtual_compute(struct run *, struct wslot *, int64_t);
static void	virtual_part_pause(struct run *);
static int	virtual_checkpoint(struct run *);

const struct exec_ops exec_virtual = {
	.name = "virtual",
	.rack_sync = RACK_VIRTUAL,
	.shared_memory = 0,
	.spawn = exec_task_spawn,
	.reap = exec_task_reap,
	.sleep = exec_task_sleep,
	.compute = virtual_compute,
	.part_pause = virtual_part_pause,
	.yield = virtual_part_pause,
	.checkpoint = virtual_checkpoint,
};

struct task_start {
	struct run	*run;
	struct wslot	*w;
};

static void
exec_task_main(void *arg)
{
	struct task_start	*ts = arg;
	struct run		*run = ts->run;
	struct wslot		*w = ts->w;

	free(ts);
	/* On the async loop every task reports the loop's one thread. */
	if (run->vc->real)
		atomic_store(&w->tid, exec_thread_id());
	worker_main(run, w);
}

int
exec_task_spawn(struct run *run, struct wslot *w, char **cause)
{
	struct task_start	*ts;

	ts = xmalloc(sizeof *ts);
	ts->run = run;
	ts->w = w;
	atomic_store(&w->pid, (int)getpid());
	if (vclock_add(run->vc, &w->vt, w->name, exec_task_main, ts) == -1) {
		free(ts);
		xasprintf(cause, _("cannot start a task for %s (at most %d, "
		    "each with a stack of its own)"), w->name,
		    VCLOCK_MAX_TASKS);
		return (-1);
	}
	return (0);
}

/* A task's stack is the clock's to free, with the clock. */
int
exec_task_reap(struct run *run, struct wslot *w, int wait)
{
	return (wait ? 0 : -1);
}

/* A wait on the clock: virtual time, or await asyncio.sleep(d). */
int
exec_task_sleep(struct run *run, int64_t d)
{
	if (atomic_load(&run->stop) || run_crashing(run))
		return (-1);
	/* A kill wakes the task early: it crashes where it stood. */
	if (vclock_sleep(run->vc, d) == -1 || run_crashing(run))
		return (-1);
	return (0);
}

/*
 * A wait for the GIL: its start as it begins, so the screen shows it
 * while it lasts, and its end; the worker's figure at each end.
 */
static void
virtual_gil_waited(void *arg, int64_t t, int64_t waited)
{
	struct wslot	*w = arg;
	uint32_t	 dish = atomic_load(&w->hand.dish);

	if (waited < 0) {
		ev_ring_put(w->ring, t, EV_WAIT_GIL, dish, 0);
		return;
	}
	ev_ring_put(w->ring, t, EV_GOT_GIL, dish, 0);
	atomic_fetch_add(&w->gil_wait_ns, waited);
}

/* Processor time: a core, and the GIL if there is one, one slice at a time. */
static int
virtual_compute(struct run *run, struct wslot *w, int64_t d)
{
	int64_t	waited = 0;
	int	rc;

	if (atomic_load(&run->stop))
		return (-1);
	/* A coroutine computing holds the loop: nobody else runs. */
	if (run->scn->mode == MODE_ASYNC)
		return (vclock_hold(run->vc, d));
	/* The waits are added to the worker's figure one by one. */
	rc = gil_compute_virtual(run->vc, run_gil(run, w), &run->vcores, w->id,
	    d, run->scn->gil_interval_ns, &waited, virtual_gil_waited, w);
	if (rc == 0 && run_gil(run, w) != NULL)
		atomic_fetch_add(&w->gil_hold_ns, d);
	return (rc);
}

/*
 * A switch may happen between the parts of a line: the seed decides.
 * Not for async tasks: print() has no await in it.
 */
static void
virtual_part_pause(struct run *run)
{
	if (run->scn->mode != MODE_ASYNC)
		vclock_yield(run->vc);
}

/* Pauses are the pacing clock's business: virtual time waits for it. */
static int
virtual_checkpoint(struct run *run)
{
	return (atomic_load(&run->stop) ? -1 : 0);
}
