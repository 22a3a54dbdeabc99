/*
 * bench_broadcast.c: messages per second through the broadcast rack over
 * Redis (a private redis-server on a Unix socket) and over ZeroMQ (ipc://),
 * with 1 and 4 subscribers, against raw loops in the same run: hiredis
 * PUBLISH with a SUBSCRIBE connection per subscriber, and libzmq PUB/SUB.
 * Every side waits for its subscribers first (sync), so nothing is missed
 * and every subscriber gets every message. Figures and ratios; it never
 * fails.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>
#include "redis_link.h"
#endif
#ifdef HAVE_ZMQ
#include <zmq.h>
#endif

#include "benchutil.h"
#include "clock.h"
#include "engine.h"
#include "scenario.h"
#include "stats.h"

#define MAX_REPS	9
#define MAX_SUBS	4

struct sub_arg {
	int		 n;		/* messages to get */
	int		 i;
	_Atomic int	*ready;
	void		*ctx;		/* ZeroMQ */
	char		 ep[128];
};

/*
 * Copies delivered per second through the engine (messages published
 * times subscribers, when none is missed); *missed gets what was.
 */
static double
engine_rate(const char *transport, int subs, int n, unsigned long long *missed)
{
	struct engine	*eng;
	struct stats	 st;
	char		 text[1024];
	double		 rate;

	snprintf(text, sizeof text, "[scenario]\nmode = threads\ndishes = %d\n"
	    "transport = %s\n[rack]\nkind = broadcast\ntopics = t\n"
	    "sync = yes\n[pub]\ntime = 0\n[sub]\ncount = %d\ntime = 0\n", n,
	    transport, subs);
	eng = bench_engine_run(text, &st);
	if (!st.conserved)
		fprintf(stderr, "bench: run not conserved!\n");
	*missed = st.missed_late + st.missed_dropped;
	rate = (double)st.received * 1e9 / (double)st.wall_ns;
	bench_engine_done(&st, eng);
	return (rate);
}

#ifdef HAVE_HIREDIS
static struct redis_where	where;

static redisContext *
raw_connect(void)
{
	redisContext	*c = redisConnectUnix(where.path);

	if (c == NULL || c->err != 0) {
		fprintf(stderr, "bench: cannot connect to %s\n", where.path);
		exit(1);
	}
	return (c);
}

/* sub.py: SUBSCRIBE, then read until every message has come. */
static void *
redis_sub(void *arg)
{
	struct sub_arg	*a = arg;
	redisContext	*c = raw_connect();
	redisReply	*rep;
	int		 got = 0;

	rep = redisCommand(c, "SUBSCRIBE bench:raw");
	freeReplyObject(rep);
	atomic_fetch_add(a->ready, 1);
	while (got < a->n && redisGetReply(c, (void **)&rep) == REDIS_OK) {
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3)
			got++;
		freeReplyObject(rep);
	}
	redisFree(c);
	return (NULL);
}

/* pub.py: one PUBLISH a round trip, once every subscriber is there. */
static double
redis_raw(int subs, int n)
{
	pthread_t	 t[MAX_SUBS];
	struct sub_arg	 a[MAX_SUBS];
	_Atomic int	 ready = 0;
	redisContext	*c = raw_connect();
	redisReply	*rep;
	int64_t		 t0;
	int		 i;

	for (i = 0; i < subs; i++) {
		memset(&a[i], 0, sizeof a[i]);
		a[i].n = n;
		a[i].ready = &ready;
		pthread_create(&t[i], NULL, redis_sub, &a[i]);
	}
	while (atomic_load(&ready) < subs)
		usleep(100);
	t0 = clock_mono_ns();
	for (i = 0; i < n; i++) {
		rep = redisCommand(c, "PUBLISH bench:raw %d", i);
		freeReplyObject(rep);
	}
	for (i = 0; i < subs; i++)
		pthread_join(t[i], NULL);
	redisFree(c);
	return ((double)n * subs * 1e9 / (double)(clock_mono_ns() - t0));
}
#endif

#ifdef HAVE_ZMQ
/* A SUB that says hello on a topic of its own, then reads them all. */
static void *
zmq_sub(void *arg)
{
	struct sub_arg	*a = arg;
	void		*s = zmq_socket(a->ctx, ZMQ_SUB);
	char		 buf[64], hello[16];
	int		 got = 0, v = 0;

	zmq_setsockopt(s, ZMQ_LINGER, &v, sizeof v);
	zmq_setsockopt(s, ZMQ_RCVHWM, &v, sizeof v);
	zmq_connect(s, a->ep);
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, "t", 1);
	snprintf(hello, sizeof hello, "\2h%d", a->i);
	zmq_setsockopt(s, ZMQ_SUBSCRIBE, hello, strlen(hello));
	while (got < a->n && zmq_recv(s, buf, sizeof buf, 0) >= 0)
		got++;
	zmq_close(s);
	return (NULL);
}

/* XPUB, wait for every hello, then send as fast as it goes. */
static double
zmq_raw(int subs, int n, const char *dir)
{
	pthread_t	 t[MAX_SUBS];
	struct sub_arg	 a[MAX_SUBS];
	void		*ctx = zmq_ctx_new(), *pub;
	char		 ep[128], msg[32], in[64];
	int64_t		 t0;
	int		 i, v = 0, hellos = 0, k;

	snprintf(ep, sizeof ep, "ipc://%s/raw", dir);
	pub = zmq_socket(ctx, ZMQ_XPUB);
	zmq_setsockopt(pub, ZMQ_LINGER, &v, sizeof v);
	zmq_setsockopt(pub, ZMQ_SNDHWM, &v, sizeof v);
	zmq_bind(pub, ep);
	for (i = 0; i < subs; i++) {
		memset(&a[i], 0, sizeof a[i]);
		a[i].n = n;
		a[i].i = i;
		a[i].ctx = ctx;
		snprintf(a[i].ep, sizeof a[i].ep, "%s", ep);
		pthread_create(&t[i], NULL, zmq_sub, &a[i]);
	}
	while (hellos < subs) {
		if ((k = zmq_recv(pub, in, sizeof in, 0)) >= 3 && in[0] == 1 &&
		    in[1] == 2)
			hellos++;
	}
	t0 = clock_mono_ns();
	for (i = 0; i < n; i++) {
		k = snprintf(msg, sizeof msg, "t%c%d 1 0", '\0', i);
		zmq_send(pub, msg, (size_t)k, 0);
	}
	for (i = 0; i < subs; i++)
		pthread_join(t[i], NULL);
	t0 = clock_mono_ns() - t0;
	zmq_close(pub);
	zmq_ctx_term(ctx);
	return ((double)n * subs * 1e9 / (double)t0);
}
#endif

/* One line: the raw loop and the rack, medians, and their ratio. */
static void
line(const char *home, int subs, double *raw, double *rack, int reps,
    unsigned long long missed)
{
	double	mraw = bench_median(raw, reps), mrack = bench_median(rack, reps);

	printf("%-6s 1->%-3d %12.0f %12.0f %8.2fx %8llu\n", home, subs, mraw,
	    mrack, mrack / mraw, missed);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	int			 n = argc > 1 ? atoi(argv[1]) : 20000;
	int			 reps = argc > 2 ? atoi(argv[2]) : 3;
	int			 s, k;
	double			 raw[MAX_REPS], rack[MAX_REPS];
	unsigned long long	 missed, all;
	char			 transport[256];

	if (reps < 1 || reps > MAX_REPS)
		reps = 3;
	printf("copies per second through a broadcast (every subscriber gets "
	    "every message;\nsync, zero work), %d messages, median of %d runs "
	    "(raw and rack alternate)\n", n, reps);
	printf("%-6s %-6s %12s %12s %9s %8s\n", "home", "line", "raw loop",
	    "broadcast", "rack/raw", "missed");
#ifdef HAVE_HIREDIS
	{
		struct redis_private	 server;
		char			*cause = NULL;
		int			 private;

		redis_where_parse("redis", &where, &private, &cause);
		if (redis_private_start(&server, &where, &cause) == -1) {
			fprintf(stderr, "bench: %s\n", cause);
			free(cause);
		} else {
			snprintf(transport, sizeof transport, "unix://%s",
			    where.path);
			for (s = 1; s <= MAX_SUBS; s += 3) {
				all = 0;
				for (k = 0; k < reps; k++) {
					raw[k] = redis_raw(s, n);
					rack[k] = engine_rate(transport, s, n,
					    &missed);
					all += missed;
				}
				line("redis", s, raw, rack, reps, all);
			}
			redis_private_stop(&server);
		}
	}
#endif
#ifdef HAVE_ZMQ
	{
		char	dir[] = "/tmp/dishrack-bench.XXXXXX", path[64];

		if (mkdtemp(dir) != NULL) {
			for (s = 1; s <= MAX_SUBS; s += 3) {
				all = 0;
				for (k = 0; k < reps; k++) {
					raw[k] = zmq_raw(s, n, dir);
					rack[k] = engine_rate("zmq", s, n,
					    &missed);
					all += missed;
				}
				line("zmq", s, raw, rack, reps, all);
			}
			snprintf(path, sizeof path, "%s/raw", dir);
			unlink(path);
			rmdir(dir);
		}
	}
#endif
	printf("raw redis: one PUBLISH a round trip (the lecture's pub.py), a "
	    "SUBSCRIBE connection\nper subscriber; raw zmq: XPUB/SUB, no "
	    "high-water mark\n");
	return (0);
}
