/*
 * vclock.h: a deterministic discrete-event clock. Every participant is a
 * fiber running the same straight-line code as in a real run, on one loop
 * thread, so only one runs at a time; blocking calls switch to the next
 * and time jumps to the next timer when nobody can run. Same seed, same
 * run.
 *
 * The same clock, following real time, is the async executor's event
 * loop: the tasks are coroutines on one thread, as under asyncio.
 */
#ifndef DISHRACK_VCLOCK_H
#define DISHRACK_VCLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct fiber;
struct run_clock;

enum vtask_state {
	VT_NEW,			/* zeroed: not on a clock */
	VT_RUNNABLE,
	VT_RUNNING,
	VT_SLEEPING,
	VT_BLOCKED,
	VT_DONE
};

struct vwaitq {
	struct vtask	*head;
	struct vtask	*tail;
};

struct vtask {
	enum vtask_state  state;
	int64_t		  wake;
	uint64_t	  seq;		/* FIFO order among equal wake times */
	struct vtask	 *next;		/* in the run queue or a wait queue */
	struct vwaitq	 *q;		/* the wait queue it is blocked on */
	const char	 *name;
	struct fiber	 *fib;		/* its stack, */
	void		(*fn)(void *);	/* what it runs */
	void		 *arg;
	struct vclock	 *vc;
	int		  kicked;	/* crashed: it sleeps and blocks no more */
};

struct vclock {
	pthread_mutex_t	  mu;
	_Atomic int64_t	  now;
	struct vtask	 *running;
	struct vwaitq	  runq;
	struct vtask	**heap;
	unsigned	  nheap;
	struct vtask	**all;
	unsigned	  nall;
	unsigned	  alive;
	uint64_t	  seq;
	uint64_t	  rng;
	unsigned	  yield_permille;
	int		  aborted;
	int		  deadlock;
	const struct run_clock *pace;	/* follow this clock, or NULL: flat out */
	int		  real;		/* now is the pace clock's time */
	struct fiber	 *loop;		/* the loop thread's own stack */
	struct vtask	 *cur;		/* the fiber on the loop thread now */
};

#define VCLOCK_MAX_TASKS 8192

/*
 * How often, in thousandths, a task that reaches a switch point (before a
 * say, between the words of a line) gives way to another runnable task.
 */
#define VCLOCK_SWITCH_PERMILLE	300

void	vclock_init(struct vclock *, uint64_t seed, unsigned yield_permille);
void	vclock_destroy(struct vclock *);

/*
 * Pace virtual time against a real scaled clock (for the screen). With
 * real set, time is pace's own: the async executor's event loop, whose
 * timers fire when the real clock reaches them, late if a task held on.
 */
void	vclock_set_pace(struct vclock *, const struct run_clock *pace,
	    int real);

/*
 * Register a task that runs fn(arg) on a fiber and leaves the clock when
 * fn returns. -1 if full or out of memory. Any thread may add a task.
 */
int	vclock_add(struct vclock *, struct vtask *, const char *name,
	    void (*fn)(void *), void *arg);

/* The loop: run the tasks on this thread until none is left. */
void	vclock_run(struct vclock *);

/* Blocking calls of the running task: 0, or -1 when the run was aborted. */
int	vclock_sleep(struct vclock *, int64_t ns);
int	vclock_block(struct vclock *, struct vwaitq *);
/* Let ns pass with the baton held: nobody runs meanwhile, timers are late. */
int	vclock_hold(struct vclock *, int64_t ns);
void	vclock_wake_all(struct vclock *, struct vwaitq *);
/* Cut a sleeping task's sleep short (nothing if it is not asleep). */
void	vclock_wake(struct vclock *, struct vtask *);
void	vclock_wake_one(struct vclock *, struct vwaitq *);
/*
 * A task killed (a modelled crash): out of its sleep or its wait queue at
 * once, and from now on every sleep or block of its returns -1, so it
 * crashes where it stands, whatever it was waiting for.
 */
void	vclock_kick(struct vclock *, struct vtask *);

/* Maybe let another runnable task go first (seeded), as a switch would. */
void	vclock_yield(struct vclock *);

/* Stop the run: every blocking call returns -1 from now on. */
void	vclock_abort(struct vclock *);

int64_t	vclock_now(const struct vclock *);
int	vclock_deadlocked(struct vclock *);

#endif
