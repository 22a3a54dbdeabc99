/*
 * bench_redis.c: dishes per second through the Redis rack, reliable and
 * not, 1->1 and 1->2, against a raw hiredis RPUSH/BLPOP loop (the
 * lecture's one round trip per dish) and a pipelined one, all on one
 * private redis-server over a Unix socket, in the same run. Figures and
 * ratios; it never fails.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "benchutil.h"
#include "clock.h"
#include "redis_link.h"

#define BATCH		100
#define MAX_REPS	9

static struct redis_where	where;

struct raw {
	int		 n;		/* dishes this side moves */
	int		 pipelined;
	const char	*key;
};

static redisContext *
raw_connect(void)
{
	redisContext	*c;

	c = redisConnectUnix(where.path);
	if (c == NULL || c->err != 0) {
		fprintf(stderr, "bench: cannot connect to %s\n", where.path);
		exit(1);
	}
	return (c);
}

/* The washer: one RPUSH a round trip, or BATCH at a time. */
static void *
raw_producer(void *arg)
{
	struct raw	*r = arg;
	redisContext	*c = raw_connect();
	redisReply	*rep;
	int		 i, j, k;

	for (i = 0; i < r->n; i += k) {
		k = r->pipelined ? (r->n - i < BATCH ? r->n - i : BATCH) : 1;
		for (j = 0; j < k; j++)
			redisAppendCommand(c, "RPUSH %s %d", r->key, i + j);
		for (j = 0; j < k; j++) {
			redisGetReply(c, (void **)&rep);
			freeReplyObject(rep);
		}
	}
	redisFree(c);
	return (NULL);
}

/* A dryer: BLPOP a round trip, or LPOP key BATCH. */
static void *
raw_consumer(void *arg)
{
	struct raw	*r = arg;
	redisContext	*c = raw_connect();
	redisReply	*rep;
	int		 got = 0;

	while (got < r->n) {
		if (r->pipelined) {
			rep = redisCommand(c, "LPOP %s %d", r->key, BATCH);
			if (rep->type == REDIS_REPLY_ARRAY)
				got += (int)rep->elements;
			else
				usleep(50);
		} else {
			rep = redisCommand(c, "BLPOP %s 1", r->key);
			if (rep->type == REDIS_REPLY_ARRAY)
				got++;
		}
		freeReplyObject(rep);
	}
	redisFree(c);
	return (NULL);
}

/* Dishes per second through a raw loop: one producer, consumers apart. */
static double
raw_rate(int consumers, int n, int pipelined)
{
	pthread_t	 pt, ct[2];
	struct raw	 p = { n, pipelined, "bench:raw" }, c[2];
	int64_t		 t0, t1;
	int		 i;

	t0 = clock_mono_ns();
	pthread_create(&pt, NULL, raw_producer, &p);
	for (i = 0; i < consumers; i++) {
		c[i] = p;
		c[i].n = n / consumers;
		pthread_create(&ct[i], NULL, raw_consumer, &c[i]);
	}
	pthread_join(pt, NULL);
	for (i = 0; i < consumers; i++)
		pthread_join(ct[i], NULL);
	t1 = clock_mono_ns();
	return ((double)n * 1e9 / (double)(t1 - t0));
}

/* Dishes per second through the engine over this Redis. */
static double
rack_rate(int consumers, int n, int reliable, int batch)
{
	char	text[1024];

	snprintf(text, sizeof text, "[scenario]\nmode = threads\ndishes = %d\n"
	    "output = lines\ntransport = unix://%s\n[rack]\nreliable = %s\n"
	    "batch = %d\n[washer]\ntime = 0\n[dryer]\ncount = %d\ntime = 0\n",
	    n, where.path, reliable ? "yes" : "no", batch, consumers);
	return (bench_engine_rate(text));
}

int
main(int argc, char **argv)
{
	struct redis_private	 server;
	char			*cause = NULL;
	int			 n = argc > 1 ? atoi(argv[1]) : 20000;
	int			 reps = argc > 2 ? atoi(argv[2]) : 3;
	int			 c, k, private;
	double			 raw[MAX_REPS], pipe[MAX_REPS];
	double			 rel[MAX_REPS], plain[MAX_REPS];
	double			 bat[MAX_REPS];
	double			 mraw, mpipe, mrel, mplain, mbat;

	if (reps < 1 || reps > MAX_REPS)
		reps = 3;
	redis_where_parse("redis", &where, &private, &cause);
	if (redis_private_start(&server, &where, &cause) == -1) {
		fprintf(stderr, "bench: %s\n", cause);
		return (0);
	}
	printf("dishes per second through Redis (one private redis-server, "
	    "Unix socket), zero work,\n%d dishes, median of %d runs (the "
	    "kinds alternate)\n", n, reps);
	printf("%-6s %10s %10s %10s %10s %10s %9s %9s %9s\n", "line",
	    "raw 1rt", "raw pipe", "reliable", "plain", "batch 100",
	    "reliable/", "plain/", "batch/");
	printf("%-6s %10s %10s %10s %10s %10s %9s %9s %9s\n", "", "", "", "",
	    "", "", "raw 1rt", "raw 1rt", "raw 1rt");
	for (c = 1; c <= 2; c++) {
		for (k = 0; k < reps; k++) {
			raw[k] = raw_rate(c, n, 0);
			pipe[k] = raw_rate(c, n, 1);
			rel[k] = rack_rate(c, n, 1, 1);
			plain[k] = rack_rate(c, n, 0, 1);
			bat[k] = rack_rate(c, n * 5, 1, 100);
		}
		mraw = bench_median(raw, reps);
		mpipe = bench_median(pipe, reps);
		mrel = bench_median(rel, reps);
		mplain = bench_median(plain, reps);
		mbat = bench_median(bat, reps);
		printf("1->%-3d %10.0f %10.0f %10.0f %10.0f %10.0f %8.2fx %8.2fx "
		    "%8.2fx\n", c, mraw, mpipe, mrel, mplain, mbat,
		    mrel / mraw, mplain / mraw, mbat / mraw);
		fflush(stdout);
	}
	printf("targets: the reliable rack at least 0.5x the raw one-round-trip"
	    " loop;\nbatch 100 (rack.batch = 100, reliable, %d dishes) at "
	    "least 10x the lecture's Python\n(about 6,500 dishes/s here: 65,000)"
	    ";\nraw 1rt is the lecture's loop (one RPUSH, one BLPOP a "
	    "dish), raw pipe %d at a time\n", n * 5, BATCH);
	redis_private_stop(&server);
	return (0);
}
