/*
 * check_zmq.c: the ZeroMQ home of a rack, with real libzmq sockets over
 * ipc:// in a private temporary directory (and tcp://127.0.0.1 on a free
 * port): PUSH/PULL semantics, capacity as high-water marks, many takers,
 * join and close, duplicates caught, a dead taker's dish sent again, a
 * fast taker's batches (reclaimed and given back in order, a slow one's
 * credit of one), pipelined puts, and no socket or descriptor left behind.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "rack_zmq.h"
#include "scenario.h"
#include "zmq_link.h"
#include "check_main.h"

#define NSLOTS	16

static struct zl_where	 where;
static struct scenario	*scn;
static _Atomic unsigned	 takers;

static struct rack *
new_rack(uint32_t capacity, int reliable, enum zr_quit quit)
{
	struct rack	*r;
	char		*cause = NULL;

	r = calloc(1, rack_zmq_size());
	ck_assert_int_eq(rack_zmq_init(r, &where, 2, capacity, reliable, quit,
	    &takers, NSLOTS, scn, &cause), 0);
	return (r);
}

static void
end_rack(struct rack *r)
{
	rack_destroy(r);
	free(r);
	zl_end();
}

static struct hand
hand_of(uint32_t who)
{
	struct hand	h = { DISH_NONE, 0, 0, who, DISH_NONE, 0 };

	return (h);
}

static unsigned
open_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	unsigned	 n = 0;

	if (d == NULL)
		return (0);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return (n);
}

START_TEST(test_where_parse)
{
	struct zl_where	 w;
	char		*why = NULL;

	ck_assert_int_eq(zl_where_parse("zmq", &w, &why), 0);
	ck_assert_int_eq(w.tcp, 0);
	ck_assert_int_eq(zl_where_parse("zmq+tcp://127.0.0.1:5555", &w, &why),
	    0);
	ck_assert_int_eq(w.tcp, 1);
	ck_assert_str_eq(w.host, "127.0.0.1");
	ck_assert_int_eq(w.port, 5555);
	ck_assert_str_eq(w.shown, "tcp://127.0.0.1:5555");
	ck_assert_int_eq(zl_where_parse("tcp://dryers.lan:7000", &w, &why), 0);
	ck_assert_str_eq(w.host, "dryers.lan");
	ck_assert_int_eq(zl_where_parse("zmq+tcp://host:0", &w, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "port"));
	free(why);
	ck_assert_int_eq(zl_where_parse("zmq+tcp://host", &w, &why), -1);
	free(why);
	ck_assert_int_eq(zl_where_parse("zmq+udp://host:1", &w, &why), -1);
	free(why);
	ck_assert_int_eq(zl_is_transport("zmq+tcp://x:1"), 1);
	ck_assert_int_eq(zl_is_transport("redis"), 0);
}
END_TEST

/* FIFO, join once every dish is done, close ends the takers: both kinds. */
START_TEST(test_fifo_join_close)
{
	struct rack	*r;
	struct hand	 h = hand_of(1);
	dish_t		 d;
	int		 i, depth;

	r = new_rack(RACK_UNBOUNDED, _i, ZR_QUIT_BROADCAST);
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(rack_put(r, (dish_t)i, NULL, NULL), 0);
	ck_assert_uint_eq(rack_unfinished(r), 5);
	ck_assert_int_eq(rack_join(r, 50 * NSEC_PER_MSEC), 1);
	for (i = 0; i < 5; i++) {
		d = rack_get(r, &h, &depth, NULL);
		ck_assert_uint_eq(d, (dish_t)i);
		ck_assert_int_eq(atomic_load(&h.owes), 1);
	}
	/* The last task_done is owed: join waits for it. */
	ck_assert_int_eq(rack_join(r, 50 * NSEC_PER_MSEC), 1);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	ck_assert_int_eq(rack_join(r, 2 * NSEC_PER_SEC), 0);
	ck_assert_uint_eq(rack_taken(r), 5);
	rack_close(r);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), DISH_NONE);
	ck_assert_int_eq(rack_put(r, 9, NULL, NULL), -1);
	end_rack(r);
}
END_TEST

struct putter {
	struct rack	*r;
	int		 n;
	_Atomic int	 done;
};

static void *
put_thread(void *arg)
{
	struct putter	*p = arg;
	int		 i;

	for (i = 0; i < p->n; i++) {
		rack_put(p->r, (dish_t)i, NULL, NULL);
		atomic_fetch_add(&p->done, 1);
	}
	return (NULL);
}

/* Reliable: capacity is exact; a put waits for room. */
START_TEST(test_capacity_reliable)
{
	struct rack	*r = new_rack(2, 1, ZR_QUIT_BROADCAST);
	struct putter	 p = { r, 3, 0 };
	struct hand	 h = hand_of(3);
	pthread_t	 t;

	pthread_create(&t, NULL, put_thread, &p);
	clock_sleep_ns(300 * NSEC_PER_MSEC);
	ck_assert_int_eq(atomic_load(&p.done), 2);
	ck_assert_uint_eq(rack_depth(r), 2);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&p.done), 3);
	ck_assert_uint_eq(rack_max_depth(r), 2);
	end_rack(r);
}
END_TEST

/*
 * Plain: capacity is a high-water mark, and ZeroMQ's pipes hold more than
 * it says: with no taker, more than two puts of a rack of 2 go in before
 * one waits, and the depth (sent - received) shows them all.
 */
START_TEST(test_capacity_hwm)
{
	struct rack	*r = new_rack(2, 0, ZR_QUIT_BROADCAST);
	struct putter	 p = { r, 1000, 0 };
	struct hand	 h = hand_of(3);
	pthread_t	 t;
	int		 n, i;

	pthread_create(&t, NULL, put_thread, &p);
	clock_sleep_ns(300 * NSEC_PER_MSEC);
	n = atomic_load(&p.done);
	ck_assert_int_gt(n, 2);
	ck_assert_int_lt(n, 1000);	/* but it does fill */
	/* The put that waits is counted already: it is on its way. */
	ck_assert_uint_ge(rack_depth(r), (uint32_t)n);
	ck_assert_uint_le(rack_depth(r), (uint32_t)n + 1);
	for (i = 0; i < 1000; i++) {
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), (dish_t)i);
		rack_task_done(r, &h);
	}
	pthread_join(t, NULL);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	end_rack(r);
}
END_TEST

struct taker {
	struct rack	*r;
	uint32_t	 who;
	unsigned	 got;
	unsigned	 limit;		/* stop after this many; 0: none */
	_Atomic int	*seen;
};

static void *
take_thread(void *arg)
{
	struct taker	*k = arg;
	struct hand	 h = hand_of(k->who);
	dish_t		 d;

	while ((d = rack_get(k->r, &h, NULL, NULL)) != DISH_NONE) {
		atomic_fetch_add(&k->seen[d], 1);
		k->got++;
		if (k->limit > 0 && k->got == k->limit)
			return (NULL);	/* keeps the dish: never asks again */
	}
	if (atomic_load(&h.owes))
		rack_task_done(k->r, &h);
	return (NULL);
}

/* Many takers: every dish to exactly one of them, then join and close. */
START_TEST(test_many_takers)
{
	enum { N = 2000, K = 4 };
	struct rack	*r = new_rack(_i ? 8 : RACK_UNBOUNDED, _i,
			    ZR_QUIT_BROADCAST);
	static _Atomic int seen[N];
	struct taker	 k[K];
	pthread_t	 t[K];
	unsigned	 i, sum = 0;

	memset(seen, 0, sizeof seen);
	for (i = 0; i < K; i++) {
		k[i] = (struct taker){ r, i + 1, 0, 0, seen };
		pthread_create(&t[i], NULL, take_thread, &k[i]);
	}
	for (i = 0; i < N; i++)
		ck_assert_int_ge(rack_put(r, i, NULL, NULL), 0);
	ck_assert_int_eq(rack_join(r, 20 * NSEC_PER_SEC), 0);
	rack_close(r);
	for (i = 0; i < K; i++) {
		pthread_join(t[i], NULL);
		sum += k[i].got;
	}
	ck_assert_uint_eq(sum, N);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(atomic_load(&seen[i]), 1);
	end_rack(r);
}
END_TEST

/*
 * Credit of one: a taker that holds its dish and asks for no more gets
 * no more; the other takes the rest. (Plain PUSH would have dealt half
 * to each: test_push_burst.)
 */
START_TEST(test_fair)
{
	enum { N = 20 };
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	static _Atomic int seen[N];
	struct taker	 slow = { r, 1, 0, 1, seen }, fast = { r, 2, 0, 0, seen };
	pthread_t	 a, b;
	unsigned	 i;

	memset(seen, 0, sizeof seen);
	pthread_create(&a, NULL, take_thread, &slow);
	pthread_create(&b, NULL, take_thread, &fast);
	for (i = 0; i < N; i++)
		rack_put(r, i, NULL, NULL);
	pthread_join(a, NULL);
	/* The slow one's dish is never acknowledged: join would wait. */
	while (rack_taken(r) < N)
		clock_sleep_ns(NSEC_PER_MSEC);
	rack_close(r);
	pthread_join(b, NULL);
	ck_assert_uint_eq(slow.got, 1);
	ck_assert_uint_eq(fast.got, N - 1);
	end_rack(r);
}
END_TEST

/*
 * Plain PUSH deals blindly to whoever is connected: the first taker gets
 * every dish put before the second is there.
 */
START_TEST(test_push_burst)
{
	enum { N = 50 };
	struct rack	*r = new_rack(RACK_UNBOUNDED, 0, ZR_QUIT_BROADCAST);
	static _Atomic int seen[N];
	struct hand	 h1 = hand_of(1), h2 = hand_of(2);
	struct taker	 late = { r, 2, 0, 0, seen };
	pthread_t	 t;
	unsigned	 i;

	memset(seen, 0, sizeof seen);
	(void)h2;
	/* The first taker connects (its first get), and gets dish 0. */
	rack_put(r, 0, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h1, NULL, NULL), 0);
	for (i = 1; i < N; i++)
		rack_put(r, i, NULL, NULL);
	clock_sleep_ns(100 * NSEC_PER_MSEC);
	pthread_create(&t, NULL, take_thread, &late);
	clock_sleep_ns(200 * NSEC_PER_MSEC);
	for (i = 1; i < N; i++)
		ck_assert_uint_eq(rack_get(r, &h1, NULL, NULL), i);
	rack_task_done(r, &h1);
	ck_assert_int_eq(rack_join(r, 2 * NSEC_PER_SEC), 0);
	rack_close(r);
	pthread_join(t, NULL);
	ck_assert_uint_eq(late.got, 0);
	end_rack(r);
}
END_TEST

/* A second put or acknowledgement of a dish is caught and changes nothing. */
START_TEST(test_duplicates)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct hand	 h = hand_of(4);
	struct zr_view	 v;

	ck_assert_int_ge(rack_put(r, 7, NULL, NULL), 0);
	ck_assert_int_ge(rack_put(r, 7, NULL, NULL), 0);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 7);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	/* The same acknowledgement again, as a taker sent again would. */
	atomic_store(&h.owes, 1);
	atomic_store(&h.owed, 7);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	ck_assert_int_eq(rack_zmq_view(r, &v), 0);
	ck_assert_uint_eq(v.duplicates, 2);
	ck_assert_uint_eq(v.sent, 1);
	end_rack(r);
}
END_TEST

/* A taker that died: its dish goes to the front, for another taker. */
START_TEST(test_reclaim)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct hand	 dead = hand_of(5), other = hand_of(6);
	struct zr_view	 v;

	rack_put(r, 1, NULL, NULL);
	rack_put(r, 2, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &dead, NULL, NULL), 1);
	ck_assert_int_eq(rack_reclaim(r, &dead), 1);
	ck_assert_uint_eq(atomic_load(&dead.dish), DISH_NONE);
	ck_assert_uint_eq(rack_get(r, &other, NULL, NULL), 1);
	ck_assert_uint_eq(rack_get(r, &other, NULL, NULL), 2);
	/* Let go (in the next rack already): only the ack was owed. */
	hand_let_go(&other);
	ck_assert_int_eq(rack_reclaim(r, &other), 0);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.resent, 1);
	ck_assert_uint_eq(v.duplicates, 0);
	end_rack(r);
}
END_TEST

/* Plain: a dead taker's dish is lost, counted, and join still ends. */
START_TEST(test_reclaim_plain)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 0, ZR_QUIT_BROADCAST);
	struct hand	 dead = hand_of(5);
	struct zr_view	 v;

	rack_put(r, 1, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &dead, NULL, NULL), 1);
	ck_assert_int_eq(rack_reclaim(r, &dead), 0);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.lost, 1);
	end_rack(r);
}
END_TEST

/* A hand asked to leave gives up its wait. */
START_TEST(test_leave)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, _i, ZR_QUIT_BROADCAST);
	struct hand	 h = hand_of(1);

	atomic_store(&h.leave, 1);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), DISH_NONE);
	rack_abort(r);
	atomic_store(&h.leave, 0);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), DISH_NONE);
	end_rack(r);
}
END_TEST

/* Over tcp on loopback, the same rack. */
START_TEST(test_tcp)
{
	struct zl_where	 w;
	struct rack	*r;
	struct hand	 h = hand_of(1);
	char		*cause = NULL;

	ck_assert_int_eq(zl_where_parse("zmq+tcp://127.0.0.1:1", &w, &cause),
	    0);
	r = calloc(1, rack_zmq_size());
	/* Not the first rack: a port of the kernel's choice. */
	ck_assert_int_eq(rack_zmq_init(r, &w, 2, RACK_UNBOUNDED, _i,
	    ZR_QUIT_BROADCAST, &takers, NSLOTS, scn, &cause), 0);
	rack_put(r, 3, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 3);
	rack_task_done(r, &h);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	end_rack(r);
}
END_TEST

/*
 * Take from r with h until the keeper sends a batch (a fast taker's credit
 * grows): the dishes come in order from first. Returns the dishes taken;
 * rack_taken then says how many more were fetched ahead.
 */
static unsigned
take_until_batch(struct rack *r, struct hand *h, unsigned first,
    unsigned most)
{
	unsigned	got = 0;

	while (got < most) {
		ck_assert_uint_eq(rack_get(r, h, NULL, NULL), first + got);
		got++;
		if (rack_taken(r) > first + got)
			break;
	}
	return (got);
}

/*
 * A fast taker is sent batches; killed holding one of a batch, the dishes
 * before it are done (it works them in order), and the one in its hand
 * and those fetched ahead go back, first, in order: put back, not lost,
 * and none done twice.
 */
START_TEST(test_batch_reclaim)
{
	enum { N = 400 };
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct hand	 h = hand_of(7), o = hand_of(8);
	struct zr_view	 v;
	unsigned	 i, got, ahead;

	for (i = 0; i < N; i++)
		ck_assert_int_ge(rack_put(r, i, NULL, NULL), 0);
	got = take_until_batch(r, &h, 0, N - 10);
	ahead = (unsigned)rack_taken(r) - got;
	ck_assert_uint_gt(ahead, 0);
	ck_assert_uint_eq(rack_reclaim(r, &h), 1);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.resent, ahead + 1);
	ck_assert_uint_eq(rack_unfinished(r), N - (got - 1));
	for (i = got - 1; i < N; i++)
		ck_assert_uint_eq(rack_get(r, &o, NULL, NULL), i);
	ck_assert_int_eq(rack_task_done(r, &o), 0);
	ck_assert_int_eq(rack_join(r, 2 * NSEC_PER_SEC), 0);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.duplicates, 0);
	ck_assert_uint_eq(rack_taken(r), N);
	end_rack(r);
}
END_TEST

/* A taker slower than a millisecond a dish keeps a credit of one. */
START_TEST(test_slow_credit)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct hand	 h = hand_of(3);
	unsigned	 i;

	for (i = 0; i < 10; i++)
		rack_put(r, i, NULL, NULL);
	for (i = 0; i < 10; i++) {
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), i);
		ck_assert_uint_eq(rack_taken(r), i + 1);
		clock_sleep_ns(3 * NSEC_PER_MSEC);
	}
	rack_task_done(r, &h);
	ck_assert_int_eq(rack_join(r, NSEC_PER_SEC), 0);
	end_rack(r);
}
END_TEST

/*
 * A taker that leaves gives back what it fetched and did not start, in
 * order (rack_flush), and pays what it owes: nothing resent, nothing lost.
 */
START_TEST(test_batch_flush)
{
	enum { N = 300 };
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct hand	 h = hand_of(9), o = hand_of(10);
	struct zr_view	 v;
	unsigned	 i, got;

	for (i = 0; i < N; i++)
		rack_put(r, i, NULL, NULL);
	got = take_until_batch(r, &h, 0, N - 10);
	ck_assert_uint_gt(rack_taken(r), got);
	hand_let_go(&h);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	rack_flush(r);
	ck_assert_uint_eq(rack_taken(r), got);
	ck_assert_uint_eq(rack_unfinished(r), N - got);
	for (i = got; i < N; i++)
		ck_assert_uint_eq(rack_get(r, &o, NULL, NULL), i);
	rack_task_done(r, &o);
	ck_assert_int_eq(rack_join(r, 2 * NSEC_PER_SEC), 0);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.resent, 0);
	end_rack(r);
}
END_TEST

/*
 * A burst of puts goes out pipelined: a second burst of the same dishes
 * (a putter redone) is caught by id all the same, and a join from another
 * thread waits for puts still on their way.
 */
struct burst {
	struct rack	*r;
	unsigned	 n;
};

static void *
burst_thread(void *arg)
{
	struct burst	*b = arg;
	unsigned	 i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < b->n; i++)
			rack_put(b->r, i, NULL, NULL);
	rack_flush(b->r);
	return (NULL);
}

START_TEST(test_pipelined_puts)
{
	enum { N = 2000 };
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1, ZR_QUIT_BROADCAST);
	struct burst	 b = { r, N };
	struct hand	 h = hand_of(2);
	struct zr_view	 v;
	pthread_t	 t;
	unsigned	 i;

	pthread_create(&t, NULL, burst_thread, &b);
	for (i = 0; i < N; i++)
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), i);
	rack_task_done(r, &h);
	pthread_join(t, NULL);
	ck_assert_int_eq(rack_join(r, 2 * NSEC_PER_SEC), 0);
	rack_zmq_view(r, &v);
	ck_assert_uint_eq(v.sent, N);
	ck_assert_uint_eq(v.duplicates, N);
	end_rack(r);
}
END_TEST

/* Nothing left: every socket closed, every descriptor given back. */
START_TEST(test_no_leak)
{
	unsigned	 before, after;
	int		 k;

	/* The first context of the process makes what it keeps for good. */
	zl_ctx(NULL);
	zl_end();
	before = open_fds();
	for (k = 0; k < 3; k++) {
		struct rack	*r = new_rack(4, k % 2, ZR_QUIT_BROADCAST);
		struct hand	 h = hand_of(1);

		rack_put(r, 1, NULL, NULL);
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 1);
		rack_task_done(r, &h);
		rack_close(r);
		ck_assert_uint_gt(zl_open_sockets(), 0);
		end_rack(r);
		ck_assert_uint_eq(zl_open_sockets(), 0);
	}
	after = open_fds();
	/* TSan's runtime opens files of its own as it goes. */
	if (getenv("SANITIZED") == NULL || strcmp(getenv("SANITIZED"),
	    "tsan") != 0)
		ck_assert_uint_eq(after, before);
}
END_TEST

static void
suite_setup(void)
{
	char	*cause = NULL;

	scn = scenario_parse("t.scn", "[scenario]\ndishes = 5000\n"
	    "[washer]\n[dryer]\n[stacker]\n", 41, &cause);
	if (scn == NULL || zl_where_parse("zmq", &where, &cause) == -1 ||
	    zl_where_open(&where, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		exit(1);
	}
}

static void
suite_teardown(void)
{
	struct stat	st;

	zl_where_close(&where);
	ck_assert_int_eq(stat(where.dir, &st), -1);
	scenario_free(scn);
}

static Suite *
zmq_suite(void)
{
	Suite	*s = suite_create("zmq");
	TCase	*tc = tcase_create("rack");

	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_where_parse);
	tcase_add_loop_test(tc, test_fifo_join_close, 0, 2);
	tcase_add_test(tc, test_capacity_reliable);
	tcase_add_test(tc, test_capacity_hwm);
	tcase_add_loop_test(tc, test_many_takers, 0, 2);
	tcase_add_test(tc, test_fair);
	tcase_add_test(tc, test_push_burst);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_reclaim);
	tcase_add_test(tc, test_reclaim_plain);
	tcase_add_loop_test(tc, test_leave, 0, 2);
	tcase_add_loop_test(tc, test_tcp, 0, 2);
	tcase_add_test(tc, test_batch_reclaim);
	tcase_add_test(tc, test_slow_credit);
	tcase_add_test(tc, test_batch_flush);
	tcase_add_test(tc, test_pipelined_puts);
	tcase_add_test(tc, test_no_leak);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(zmq_suite)
