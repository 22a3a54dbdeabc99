/*
 * bench_rack.c: dishes per second through the engine's racks with zero
 * work, threads and processes, 1->1 and 1->2, against a minimal
 * mutex+condvar ring written here, in the same run. Prints figures and
 * ratios; it never fails (targets are for people to read).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "scenario.h"
#include "stats.h"
#include "benchutil.h"

#define RING	1024

/* The bare ring: what a textbook bounded buffer costs. */
struct bare {
	pthread_mutex_t	mu;
	pthread_cond_t	not_empty;
	pthread_cond_t	not_full;
	unsigned	head;
	unsigned	count;
	int		items[RING];
};

static void
bare_init(struct bare *b, int shared, int robust)
{
	pthread_mutexattr_t	ma;
	pthread_condattr_t	ca;

	pthread_mutexattr_init(&ma);
	pthread_condattr_init(&ca);
	if (shared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	}
	if (robust)
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&b->mu, &ma);
	pthread_cond_init(&b->not_empty, &ca);
	pthread_cond_init(&b->not_full, &ca);
	b->head = b->count = 0;
}

static void
bare_put(struct bare *b, int v)
{
	pthread_mutex_lock(&b->mu);
	while (b->count == RING)
		pthread_cond_wait(&b->not_full, &b->mu);
	b->items[(b->head + b->count++) % RING] = v;
	pthread_cond_signal(&b->not_empty);
	pthread_mutex_unlock(&b->mu);
}

static int
bare_get(struct bare *b)
{
	int	v;

	pthread_mutex_lock(&b->mu);
	while (b->count == 0)
		pthread_cond_wait(&b->not_empty, &b->mu);
	v = b->items[b->head];
	b->head = (b->head + 1) % RING;
	b->count--;
	pthread_cond_signal(&b->not_full);
	pthread_mutex_unlock(&b->mu);
	return (v);
}

static void *
bare_consumer(void *arg)
{
	struct bare	*b = arg;

	while (bare_get(b) != -1)
		;
	return (NULL);
}

/* Dishes per second through the bare ring, consumers as threads or forks. */
static double
bare_rate(int processes, int robust, int consumers, int n)
{
	struct bare	*b;
	pthread_t	 th[8];
	pid_t		 pid[8];
	int64_t		 t0, t1;
	int		 i;

	b = mmap(NULL, sizeof *b, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bare_init(b, processes, robust);
	t0 = clock_mono_ns();
	for (i = 0; i < consumers; i++) {
		if (!processes)
			pthread_create(&th[i], NULL, bare_consumer, b);
		else if ((pid[i] = fork()) == 0) {
			bare_consumer(b);
			_exit(0);
		}
	}
	for (i = 0; i < n; i++)
		bare_put(b, i);
	for (i = 0; i < consumers; i++)
		bare_put(b, -1);
	for (i = 0; i < consumers; i++) {
		if (!processes)
			pthread_join(th[i], NULL);
		else
			waitpid(pid[i], NULL, 0);
	}
	t1 = clock_mono_ns();
	munmap(b, sizeof *b);
	return ((double)n * 1e9 / (double)(t1 - t0));
}

/* Dishes per second through the engine, events folded as headless does. */
static double
engine_rate(int processes, int consumers, int n)
{
	char	text[512];

	snprintf(text, sizeof text, "[scenario]\nmode = %s\ndishes = %d\n"
	    "output = lines\n[washer]\ntime = 0\n[dryer]\ncount = %d\n"
	    "time = 0\n", processes ? "processes" : "threads", n, consumers);
	return (bench_engine_rate(text));
}

#define MAX_REPS	15

int
main(int argc, char **argv)
{
	int		 n = argc > 1 ? atoi(argv[1]) : 200000;
	int		 reps = argc > 2 ? atoi(argv[2]) : 5;
	int		 p, c, k;
	double		 bare[MAX_REPS], robust[MAX_REPS], eng[MAX_REPS];
	double		 mb, mr, me;
	const char	*kind;

	if (reps < 1 || reps > MAX_REPS)
		reps = 5;
	printf("dishes per second, zero work, %d dishes, %ld cores, median "
	    "of %d runs (the three kinds alternate)\n", n,
	    sysconf(_SC_NPROCESSORS_ONLN), reps);
	printf("%-10s %-5s %12s %12s %12s %8s %8s\n", "rack", "line",
	    "bare ring", "bare robust", "engine", "engine/", "engine/");
	printf("%-10s %-5s %12s %12s %12s %8s %8s\n", "", "", "", "", "",
	    "bare", "robust");
	for (p = 0; p <= 1; p++) {
		kind = p ? "processes" : "threads";
		for (c = 1; c <= 2; c++) {
			/* Alternate, so a slow spell of the machine hits all. */
			for (k = 0; k < reps; k++) {
				bare[k] = bare_rate(p, 0, c, n);
				robust[k] = bare_rate(p, 1, c, n);
				eng[k] = engine_rate(p, c, n);
			}
			mb = bench_median(bare, reps);
			mr = bench_median(robust, reps);
			me = bench_median(eng, reps);
			printf("%-10s 1->%-2d %12.0f %12.0f %12.0f %7.2fx "
			    "%7.2fx\n", kind, c, mb, mr, me, me / mb, me / mr);
			fflush(stdout);
		}
	}
	printf("target: engine (racks and events) at least 0.5x the bare "
	    "ring\n(the engine's process racks use robust mutexes, so that a "
	    "killed worker\ncannot wedge a rack: 'bare robust' is the same "
	    "ring with that one change)\n");
	return (0);
}
