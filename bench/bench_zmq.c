/*
 * bench_zmq.c: dishes per second through the ZeroMQ rack, reliable and
 * plain, 1->1 and 1->2, over ipc:// and tcp://127.0.0.1, against a raw
 * libzmq PUSH/PULL loop (one 4-byte message a dish, no acknowledgement)
 * on the same transport, in the same run. Each figure is the median of
 * reps; the ratio is the rack's to the raw loop's. Figures only: it never
 * fails.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "benchutil.h"
#include "clock.h"
#include "rack_zmq.h"
#include "scenario.h"
#include "zmq_link.h"

#define MAX_REPS	9
#define MAX_TAKERS	2

static struct scenario	*scn;
static _Atomic unsigned	 takers;

struct raw {
	void		*ctx;
	const char	*ep;
	int		 n;
	_Atomic int	*got;		/* by every PULL */
};

static void *
raw_pull(void *arg)
{
	struct raw	*r = arg;
	void		*s = zmq_socket(r->ctx, ZMQ_PULL);
	zmq_pollitem_t	 it = { s, 0, ZMQ_POLLIN, 0 };
	int		 zero = 0, d;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_connect(s, r->ep);
	/* PUSH deals as it likes: each stops once all are in. */
	while (atomic_load(r->got) < r->n) {
		if (zmq_recv(s, &d, sizeof d, ZMQ_DONTWAIT) == (int)sizeof d) {
			atomic_fetch_add(r->got, 1);
			continue;
		}
		zmq_poll(&it, 1, 1);
	}
	zmq_close(s);
	return (NULL);
}

/* The raw loop: PUSH bound, k PULLs connected, n messages. */
static double
raw_rate(const char *ep, int n, int k)
{
	struct raw	 r[MAX_TAKERS];
	pthread_t	 t[MAX_TAKERS];
	void		*ctx = zmq_ctx_new(), *s;
	char		 bound[ZL_EP_MAX];
	size_t		 len = sizeof bound;
	int64_t		 start;
	_Atomic int	 got = 0;
	int		 zero = 0, i, j;

	s = zmq_socket(ctx, ZMQ_PUSH);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_bind(s, ep);
	zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, bound, &len);
	for (j = 0; j < k; j++) {
		r[j] = (struct raw){ ctx, bound, n, &got };
		pthread_create(&t[j], NULL, raw_pull, &r[j]);
	}
	clock_sleep_ns(50 * NSEC_PER_MSEC);	/* everyone connected */
	start = clock_mono_ns();
	for (i = 0; i < n; i++)
		zmq_send(s, &i, sizeof i, 0);
	for (j = 0; j < k; j++)
		pthread_join(t[j], NULL);
	start = clock_mono_ns() - start;
	zmq_close(s);
	zmq_ctx_term(ctx);
	return ((double)n * 1e9 / (double)start);
}

struct taker {
	struct rack	*r;
	uint32_t	 who;
};

static void *
rack_taker(void *arg)
{
	struct taker	*k = arg;
	struct hand	 h = { DISH_NONE, 0, 0, k->who, DISH_NONE };

	while (rack_get(k->r, &h, NULL, NULL) != DISH_NONE)
		;
	if (atomic_load(&h.owes))
		rack_task_done(k->r, &h);
	return (NULL);
}

/* The rack: one putter (this thread), k takers, n dishes, then join. */
static double
rack_rate(const char *transport, int reliable, int n, int k)
{
	struct zl_where	 w;
	struct rack	*r;
	struct taker	 tk[MAX_TAKERS];
	pthread_t	 t[MAX_TAKERS];
	char		*cause = NULL;
	int64_t		 start;
	int		 i, j;

	if (zl_where_parse(transport, &w, &cause) == -1 ||
	    zl_where_open(&w, &cause) == -1) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	r = calloc(1, rack_zmq_size());
	if (rack_zmq_init(r, &w, 2, RACK_UNBOUNDED, reliable,
	    ZR_QUIT_BROADCAST, &takers, 8, scn, &cause) == -1) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	for (j = 0; j < k; j++) {
		tk[j] = (struct taker){ r, (uint32_t)j + 1 };
		pthread_create(&t[j], NULL, rack_taker, &tk[j]);
	}
	clock_sleep_ns(50 * NSEC_PER_MSEC);
	start = clock_mono_ns();
	for (i = 0; i < n; i++)
		rack_put(r, (dish_t)i, NULL, NULL);
	rack_join(r, -1);
	start = clock_mono_ns() - start;
	rack_close(r);
	for (j = 0; j < k; j++)
		pthread_join(t[j], NULL);
	rack_destroy(r);
	free(r);
	zl_end();
	zl_where_close(&w);
	return ((double)n * 1e9 / (double)start);
}

static int
want(const char *only, const char *kind)
{
	return (*only == '\0' || strcmp(only, kind) == 0);
}

int
main(int argc, char **argv)
{
	static const struct { const char *name, *transport, *raw; } tr[] = {
		{ "ipc", "zmq", NULL },
		{ "tcp", "zmq+tcp://127.0.0.1:1", "tcp://127.0.0.1:*" },
	};
	char	*cause = NULL, text[128], ipc[128];
	double	 v[MAX_REPS], raw, plain, rel;
	int	 n = argc > 1 ? atoi(argv[1]) : 20000;
	int	 reps = argc > 2 ? atoi(argv[2]) : 3;
	/* A third argument runs one kind alone, for a profiler. */
	const char *only = argc > 3 ? argv[3] : "";
	int	 i, k, x;

	if (n < 100)
		n = 100;
	if (reps < 1 || reps > MAX_REPS)
		reps = 3;
	snprintf(text, sizeof text, "[scenario]\ndishes = %d\n[washer]\n"
	    "[dryer]\n", n);
	if ((scn = scenario_parse("bench.scn", text, strlen(text),
	    &cause)) == NULL) {
		fprintf(stderr, "bench: %s\n", cause);
		return (1);
	}
	snprintf(ipc, sizeof ipc, "ipc://%s/dishrack-bench-zmq-%d",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp", (int)getpid());
	printf("ZeroMQ rack, %d dishes, median of %d (dishes/s; ratio to the "
	    "raw PUSH/PULL loop)\n", n, reps);
	printf("%-5s %-5s %12s %12s %7s %12s %8s\n", "link", "shape", "raw",
	    "plain", "ratio", "reliable", "ratio");
	for (x = 0; x < 2; x++) {
		for (k = 1; k <= 2; k++) {
			raw = plain = rel = 0;
			for (i = 0; i < reps && want(only, "raw"); i++)
				v[i] = raw_rate(tr[x].raw != NULL ? tr[x].raw :
				    ipc, n, k);
			if (want(only, "raw"))
				raw = bench_median(v, reps);
			for (i = 0; i < reps && want(only, "plain"); i++)
				v[i] = rack_rate(tr[x].transport, 0, n, k);
			if (want(only, "plain"))
				plain = bench_median(v, reps);
			for (i = 0; i < reps && want(only, "reliable"); i++)
				v[i] = rack_rate(tr[x].transport, 1, n, k);
			if (want(only, "reliable"))
				rel = bench_median(v, reps);
			printf("%-5s 1->%d  %12.0f %12.0f %6.2fx %12.0f %7.4fx\n",
			    tr[x].name, k, raw, plain, plain / raw, rel,
			    rel / raw);
			fflush(stdout);
		}
	}
	/* The raw loop's socket file: ZeroMQ leaves it behind a bind. */
	unlink(ipc + strlen("ipc://"));
	scenario_free(scn);
	return (0);
}
