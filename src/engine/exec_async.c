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

static void	async_no_await(struct run *);

const struct exec_ops exec_async = {
	.name = "async",
	.rack_sync = RACK_VIRTUAL,
	.shared_memory = 0,
	.spawn = exec_task_spawn,
	.reap = exec_task_reap,
	.sleep = exec_task_sleep,
	.compute = exec_real_compute,
	.part_pause = async_no_await,
	.checkpoint = exec_real_checkpoint,
};

/* print() has no await inside: no other task can get in. */
static void
async_no_await(struct run *run)
{
	(void)run;
}
