/*
 * exec_virtual.c: workers as tasks on the virtual clock. Each is a thread,
 * but only the one holding the baton runs, and time moves only when every
 * task waits: the run is the discrete-event simulation of the scenario,
 * running the very same worker code.
 */
#include "config.h"

#include "exec.h"

#include <unistd.h>

#include "worker.h"
#include "xmalloc.h"

static int	virtual_spawn(struct run *, struct wslot *, char **);
static int	virtual_reap(struct run *, struct wslot *, int);
static int	virtual_sleep(struct run *, int64_t);
static int	virtual_compute(struct run *, struct wslot *, int64_t);
static void	virtual_part_pause(struct run *);
static int	virtual_checkpoint(struct run *);

const struct exec_ops exec_virtual = {
	.name = "virtual",
	.rack_sync = RACK_VIRTUAL,
	.shared_memory = 0,
	.spawn = virtual_spawn,
	.reap = virtual_reap,
	.sleep = virtual_sleep,
	.compute = virtual_compute,
	.part_pause = virtual_part_pause,
	.yield = virtual_part_pause,
	.checkpoint = virtual_checkpoint,
};

static int
virtual_spawn(struct run *run, struct wslot *w, char **cause)
{
	if (vclock_add(run->vc, &w->vt, w->name) == -1) {
		xasprintf(cause, "more than %d tasks on the virtual clock",
		    VCLOCK_MAX_TASKS);
		return (-1);
	}
	atomic_store(&w->pid, (int)getpid());
	return (exec_start_thread(run, w, cause));
}

static int
virtual_reap(struct run *run, struct wslot *w, int wait)
{
	if (!wait)
		return (-1);
	pthread_join(w->thread, NULL);
	return (0);
}

static int
virtual_sleep(struct run *run, int64_t d)
{
	if (atomic_load(&run->stop))
		return (-1);
	return (vclock_sleep(run->vc, d));
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
	rc = gil_compute_virtual(run->vc, run_gil(run, w), &run->vcores, w->id,
	    d, run->scn->gil_interval_ns, &waited);
	atomic_fetch_add(&w->gil_wait_ns, waited);
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
