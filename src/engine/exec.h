/*
 * exec.h: executors run the one worker loop as threads, as forked
 * processes, as coroutines on an event loop, or as tasks on the virtual
 * clock. Each is a const ops table; the blocking calls are theirs to
 * implement.
 */
#ifndef DISHRACK_EXEC_H
#define DISHRACK_EXEC_H

#include <stdint.h>

#include "rack.h"
#include "run.h"

struct exec_ops {
	const char	*name;
	enum rack_sync	 rack_sync;
	int		 shared_memory;

	/* Start a worker in its slot. 0, or -1 with *cause allocated. */
	int	(*spawn)(struct run *, struct wslot *, char **cause);
	/*
	 * Collect a worker that ended: 0 if it returned, 1 if it died. With
	 * wait 0, -1 if it is still running (threads: always, as a thread
	 * cannot die alone).
	 */
	int	(*reap)(struct run *, struct wslot *, int wait);
	/* Wait d of scenario time; -1 if the run was stopped. */
	int	(*sleep)(struct run *, int64_t d);
	/* Compute for d of scenario time, holding the GIL if there is one. */
	int	(*compute)(struct run *, struct wslot *, int64_t d);
	/* Between the parts of a line. */
	void	(*part_pause)(struct run *);
	/* Before a say: where a switch may happen (NULL: the OS decides). */
	void	(*yield)(struct run *);
	/* A step boundary: wait here while the run is paused. */
	int	(*checkpoint)(struct run *);
};

extern const struct exec_ops exec_threads;
extern const struct exec_ops exec_processes;
extern const struct exec_ops exec_virtual;
extern const struct exec_ops exec_async;

/* Real-clock blocking shared by threads and processes. */
int	exec_real_sleep(struct run *, int64_t d);
int	exec_real_compute(struct run *, struct wslot *, int64_t d);
int	exec_real_checkpoint(struct run *);
void	exec_real_part_pause(struct run *);

/* The kernel's id of the calling thread (0 where there is none). */
int	exec_thread_id(void);

/* Start a pthread running worker_main for the slot, signals blocked. */
int	exec_start_thread(struct run *, struct wslot *, char **cause);

/*
 * Start worker_main for the slot as a task on the run's clock, virtual or
 * the async loop; and collect it (its stack goes with the clock).
 */
int	exec_task_spawn(struct run *, struct wslot *, char **cause);
int	exec_task_reap(struct run *, struct wslot *, int wait);
int	exec_task_sleep(struct run *, int64_t d);

#endif
