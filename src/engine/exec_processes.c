/*
 * exec_processes.c: workers as forked processes, as multiprocessing does.
 * The first station (the lecture's washer) runs in the main process; every
 * other worker is a daemon child sharing the racks through the run's
 * shared mapping.
 *
 * DESIGN: a child ignores SIGINT and SIGQUIT (the terminal sends them to
 * the whole process group; the parent orchestrates the stop through the
 * run's stop flag), dies with its parent (PR_SET_PDEATHSIG) and leaves by
 * _exit, so no stdio buffer or atexit handler of the parent runs twice.
 * The parent has threads when it forks, so the child must not allocate
 * (another thread may have held the allocator's lock): the worker loop
 * renders into buffers on its stack and touches only the shared arena.
 * Its dish in hand is in the shared slot, updated under the rack's lock,
 * so the parent can put it back if the child dies.
 */
#include "config.h"

#include "exec.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "worker.h"
#include "i18n.h"
#include "xmalloc.h"

static int	processes_spawn(struct run *, struct wslot *, char **);
static int	processes_reap(struct run *, struct wslot *, int);

const struct exec_ops exec_processes = {
	.name = "processes",
	.rack_sync = RACK_PROCESSES,
	.shared_memory = 1,
	.spawn = processes_spawn,
	.reap = processes_reap,
	.sleep = exec_real_sleep,
	.compute = exec_real_compute,
	.part_pause = exec_real_part_pause,
	.checkpoint = exec_real_checkpoint,
};

/* The child's side of the fork: become a worker, then leave quietly. */
static void __attribute__((noreturn))
processes_child(struct run *run, struct wslot *w, pid_t parent)
{
	sigset_t	none;

#ifdef HAVE_SYS_PRCTL_H
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGTSTP, SIG_DFL);	/* stop with the job on Ctrl-Z */
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	atomic_store(&w->pid, (int)getpid());
	atomic_store(&w->tid, exec_thread_id());
	worker_main(run, w);
	_exit(0);
}

static int
processes_spawn(struct run *run, struct wslot *w, char **cause)
{
	pid_t	pid, parent;

	if (w->station == 0) {
		/* As in the lecture: washer() is called by the main program. */
		atomic_store(&w->pid, (int)getpid());
		return (exec_start_thread(run, w, cause));
	}
	parent = getpid();
	pid = fork();
	if (pid == -1) {
		xasprintf(cause, _("cannot fork a process for %s: %s"), w->name,
		    strerror(errno));
		return (-1);
	}
	if (pid == 0)
		processes_child(run, w, parent);
	w->is_process = 1;
	atomic_store(&w->pid, (int)pid);
	return (0);
}

static int
processes_reap(struct run *run, struct wslot *w, int wait)
{
	pid_t	pid;
	int	status;

	if (!w->is_process) {
		if (!wait)
			return (-1);
		pthread_join(w->thread, NULL);
		return (0);
	}
	do
		pid = waitpid(atomic_load(&w->pid), &status, wait ? 0 : WNOHANG);
	while (pid == -1 && errno == EINTR);
	if (pid == 0)
		return (-1);
	if (pid == -1)
		return (0);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
}
