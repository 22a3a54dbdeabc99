/*
 * exec_async.c: workers as coroutines on one event-loop thread, as
 * asyncio runs them. The loop is the virtual clock's scheduler with
 * fibers for tasks and real (scaled) time for its clock: a task runs
 * until it awaits (a rack that cannot serve it, a sleep), then the loop
 * runs the next ready one.
 *
 * So waits overlap, as I/O does under asyncio, but work = cpu is real
 * computation on the loop thread and nobody else runs until it is done:
 * the lesson of a CPU-bound coroutine. A line of output has no await in
 * it, so lines never interleave.
 */
#include "config.h"

#include "exec.h"

#include <stdlib.h>
#include <unistd.h>

#include "worker.h"
#include "xmalloc.h"

static int	async_spawn(struct run *, struct wslot *, char **);
static int	async_reap(struct run *, struct wslot *, int);
static int	async_sleep(struct run *, int64_t);
static void	async_no_await(struct run *);

const struct exec_ops exec_async = {
	.name = "async",
	.rack_sync = RACK_VIRTUAL,
	.shared_memory = 0,
	.spawn = async_spawn,
	.reap = async_reap,
	.sleep = async_sleep,
	.compute = exec_real_compute,
	.part_pause = async_no_await,
	.checkpoint = exec_real_checkpoint,
};

struct async_start {
	struct run	*run;
	struct wslot	*w;
};

static void
async_worker(void *arg)
{
	struct async_start	*as = arg;
	struct run		*run = as->run;
	struct wslot		*w = as->w;

	free(as);
	/* Every task reports the loop's thread: there is no other. */
	atomic_store(&w->tid, exec_thread_id());
	worker_main(run, w);
}

static int
async_spawn(struct run *run, struct wslot *w, char **cause)
{
	struct async_start	*as;

	as = xmalloc(sizeof *as);
	as->run = run;
	as->w = w;
	atomic_store(&w->pid, (int)getpid());
	if (vclock_add_fiber(run->vc, &w->vt, w->name, async_worker,
	    as) == -1) {
		free(as);
		xasprintf(cause, "cannot start a task for %s (at most %d, "
		    "each with a stack of its own)", w->name,
		    VCLOCK_MAX_TASKS);
		return (-1);
	}
	return (0);
}

/* A task's stack is the clock's to free, with the clock. */
static int
async_reap(struct run *run, struct wslot *w, int wait)
{
	(void)run;
	(void)w;
	return (wait ? 0 : -1);
}

/* await asyncio.sleep(d): the loop runs others meanwhile. */
static int
async_sleep(struct run *run, int64_t d)
{
	if (atomic_load(&run->stop))
		return (-1);
	return (vclock_sleep(run->vc, d));
}

/* print() has no await inside: no other task can get in. */
static void
async_no_await(struct run *run)
{
	(void)run;
}
