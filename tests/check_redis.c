/*
 * check_redis.c: the Redis home of a rack against a real redis-server
 * (a private one, started for the suite on a Unix socket), and the
 * parsing of Redis addresses.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "rack_redis.h"
#include "redis_link.h"
#include "scenario.h"
#include "sha1.h"
#include "check_main.h"

static struct redis_private	 server;
static struct redis_where	 where;
static struct scenario		*scn;
static unsigned			 racks;

/* A fresh rack of its own keys on the suite's server. */
static struct rack *
new_rack(uint32_t capacity, int reliable)
{
	struct rack	*r;
	char		*cause = NULL;

	r = calloc(1, rack_redis_size());
	/* Each test runs in a child of its own: keys of its own too. */
	ck_assert_int_eq(rack_redis_init(r, &where, "dishrack:check:",
	    (unsigned)getpid() * 16 + ++racks, capacity, reliable, scn,
	    &cause), 0);
	return (r);
}

static struct hand
hand_of(uint32_t who)
{
	struct hand	h = { DISH_NONE, 0, 0, who, DISH_NONE, 0 };

	return (h);
}

START_TEST(test_where_parse)
{
	struct redis_where	 w;
	char			*cause = NULL;
	int			 private;

	ck_assert_int_eq(redis_where_parse("redis", &w, &private, &cause), 0);
	ck_assert_int_eq(private, 1);
	ck_assert_int_eq(redis_where_parse("redis://:hunter2@10.1.2.3:6390/4",
	    &w, &private, &cause), 0);
	ck_assert_int_eq(private, 0);
	ck_assert_str_eq(w.host, "10.1.2.3");
	ck_assert_int_eq(w.port, 6390);
	ck_assert_int_eq(w.db, 4);
	ck_assert_str_eq(w.password, "hunter2");
	ck_assert_str_eq(w.shown, "redis://10.1.2.3:6390/4");
	ck_assert_int_eq(redis_where_parse("redis://localhost", &w, &private,
	    &cause), 0);
	ck_assert_int_eq(w.port, 6379);
	ck_assert_int_eq(redis_where_parse("unix:///run/r.sock", &w, &private,
	    &cause), 0);
	ck_assert_str_eq(w.path, "/run/r.sock");
	/* Refused, and the message never quotes a password. */
	ck_assert_int_eq(redis_where_parse("redis://:hunter2@host:99999", &w,
	    &private, &cause), -1);
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
	ck_assert_int_eq(redis_where_parse("redis://:hunter2@host/x", &w,
	    &private, &cause), -1);
	ck_assert_ptr_null(strstr(cause, "hunter2"));
	free(cause);
	ck_assert_int_eq(redis_where_parse("zmq://x", &w, &private, &cause), -1);
	free(cause);
}
END_TEST

START_TEST(test_fifo_join_close)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1);
	struct hand	 h = hand_of(1);
	int		 i, depth, blocked;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(rack_put(r, (dish_t)i, NULL, &blocked), i + 1);
	ck_assert_uint_eq(rack_depth(r), 5);
	ck_assert_uint_eq(rack_unfinished(r), 5);
	ck_assert_int_eq(rack_join(r, 0), 1);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(rack_get(r, &h, &depth, &blocked), (dish_t)i);
		ck_assert_int_eq(depth, 4 - i);
		ck_assert_int_eq(atomic_load(&h.owes), 1);
	}
	/* The last task_done is owed: paid here, then join ends. */
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	ck_assert_int_eq(rack_join(r, -1), 0);
	rack_close(r);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), DISH_NONE);
	ck_assert_int_eq(rack_put(r, 9, NULL, NULL), -1);
	ck_assert_uint_eq(rack_max_depth(r), 5);
	free(r);
}
END_TEST

struct taker {
	struct rack	*r;
	pthread_t	 th;
	dish_t		 got;
	_Atomic int64_t	 at;	/* when it began to take */
};

static void *
taker_main(void *arg)
{
	struct taker	*t = arg;
	struct hand	 h = hand_of(7);

	clock_sleep_ns(300 * NSEC_PER_MSEC);
	atomic_store(&t->at, clock_mono_ns());
	t->got = rack_get(t->r, &h, NULL, NULL);
	rack_task_done(t->r, &h);
	return (NULL);
}

/* A full rack makes its putter wait, and a hand-off waits for its taker. */
START_TEST(test_capacity_blocks)
{
	uint32_t	 caps[] = { 0, 1 };
	struct taker	 t;
	unsigned	 i;
	int64_t		 end;
	int		 blocked;

	for (i = 0; i < 2; i++) {
		memset(&t, 0, sizeof t);
		t.r = new_rack(caps[i], 1);
		if (caps[i] == 1)
			ck_assert_int_ge(rack_put(t.r, 1, NULL, &blocked), 0);
		pthread_create(&t.th, NULL, taker_main, &t);
		ck_assert_int_ge(rack_put(t.r, 2, NULL, &blocked), 0);
		end = clock_mono_ns();
		/* Only once the taker took a dish could the put end. */
		ck_assert_int_eq(blocked, 1);
		ck_assert(atomic_load(&t.at) != 0 && end >= atomic_load(&t.at));
		pthread_join(t.th, NULL);
		ck_assert_uint_eq(t.got, caps[i] == 1 ? 1 : 2);
		free(t.r);
	}
}
END_TEST

/* Reliable: a dead taker's dish goes back to the front, unfinished. */
START_TEST(test_reclaim_reliable)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1);
	struct hand	 dead = hand_of(2), live = hand_of(3);

	rack_put(r, 10, NULL, NULL);
	rack_put(r, 11, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &dead, NULL, NULL), 10);
	ck_assert_int_eq(rack_reclaim(r, &dead), 1);
	ck_assert_uint_eq(atomic_load(&dead.dish), DISH_NONE);
	ck_assert_uint_eq(rack_get(r, &live, NULL, NULL), 10);
	ck_assert_uint_eq(rack_unfinished(r), 2);
	/* A dish let go and not yet acknowledged: only the ack is owed. */
	atomic_store(&live.dish, DISH_NONE);
	ck_assert_int_eq(rack_reclaim(r, &live), 0);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_uint_eq(rack_depth(r), 1);
	free(r);
}
END_TEST

/*
 * A taker killed between a pipelined acknowledgement and noting its next
 * dish: Redis has acknowledged the old dish and moved the new one into
 * its list, its hand still says it owes for the old. The new dish must go
 * back, not be counted done (the kill harness lost 2 dishes in 40 runs so).
 */
START_TEST(test_reclaim_between_ack_and_take)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1);
	struct hand	 h = hand_of(6), stale;

	rack_put(r, 40, NULL, NULL);
	rack_put(r, 41, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 40);
	hand_let_go(&h);
	stale = h;		/* what the supervisor finds: owes for 40 */
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 41);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_int_eq(rack_reclaim(r, &stale), 1);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_uint_eq(rack_get(r, &stale, NULL, NULL), 41);
	free(r);
}
END_TEST

/*
 * What a lost agent's worker held, read from Redis: still in its list
 * (goes back), or acknowledged (done: only the event died with it).
 */
START_TEST(test_held)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1), *plain;
	struct hand	 h = hand_of(7), p = hand_of(8);

	rack_put(r, 70, NULL, NULL);
	rack_put(r, 71, NULL, NULL);
	ck_assert_int_eq(rack_redis_held(r, &h, 70), 0);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 70);
	ck_assert_int_eq(rack_redis_held(r, &h, 70), 1);
	ck_assert_int_eq(rack_redis_held(r, &h, 7), 0);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	ck_assert_int_eq(rack_redis_held(r, &h, 70), 0);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 71);
	ck_assert_int_eq(rack_redis_held(r, &h, 71), 1);
	ck_assert_int_eq(rack_redis_held(r, &h, 70), 0);
	/* The lecture's queue keeps no list: it cannot say. */
	plain = new_rack(RACK_UNBOUNDED, 0);
	rack_put(plain, 72, NULL, NULL);
	ck_assert_uint_eq(rack_get(plain, &p, NULL, NULL), 72);
	ck_assert_int_eq(rack_redis_held(plain, &p, 72), -1);
	free(plain);
	free(r);
}
END_TEST

/* Unreliable: what the dead taker held is gone, and join still ends. */
START_TEST(test_reclaim_unreliable)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 0);
	struct hand	 dead = hand_of(4);

	rack_put(r, 20, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &dead, NULL, NULL), 20);
	ck_assert_int_eq(rack_reclaim(r, &dead), 0);
	ck_assert_uint_eq(rack_unfinished(r), 0);
	ck_assert_int_eq(rack_join(r, 0), 0);
	free(r);
}
END_TEST

/* A put sent twice (its reply lost) and an ack sent twice change nothing. */
START_TEST(test_idempotent)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1);
	struct hand	 h = hand_of(5);

	rack_put(r, 30, NULL, NULL);
	rack_put(r, 30, NULL, NULL);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 30);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	ck_assert_int_eq(rack_task_done(r, &h), -1);	/* nothing left */
	ck_assert_uint_eq(rack_unfinished(r), 0);
	free(r);
}
END_TEST

/* A batched rack: puts go out unanswered, a take fetches several. */
static struct rack *
new_batch_rack(unsigned batch)
{
	struct rack	*r;

	scn->batch = batch;
	r = new_rack(RACK_UNBOUNDED, 1);
	scn->batch = 1;
	return (r);
}

START_TEST(test_batch_fetch_ahead)
{
	struct rack	*r = new_batch_rack(4);
	struct hand	 h = hand_of(8);
	int		 i, depth;

	for (i = 0; i < 10; i++)
		ck_assert_int_eq(rack_put(r, (dish_t)i, NULL, NULL), i + 1);
	/* Any round trip reads the answers to the puts first. */
	ck_assert_uint_eq(rack_unfinished(r), 10);
	ck_assert_uint_eq(rack_get(r, &h, &depth, NULL), 0);
	/* One trip took four: three wait in this taker's own list. */
	ck_assert_uint_eq(rack_held(r), 6);
	ck_assert_int_eq(depth, 6);
	for (i = 1; i < 10; i++)
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), (dish_t)i);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	rack_flush(r);
	ck_assert_uint_eq(rack_unfinished(r), 0);
	ck_assert_int_eq(rack_join(r, 0), 0);
	free(r);
}
END_TEST

/* A taker that leaves puts back, in order, what it fetched ahead. */
START_TEST(test_batch_leave_returns)
{
	struct rack	*r = new_batch_rack(4);
	struct hand	 h = hand_of(9), other = hand_of(10);
	int		 i;

	for (i = 0; i < 6; i++)
		rack_put(r, (dish_t)(50 + i), NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 50);
	ck_assert_int_eq(rack_task_done(r, &h), 0);
	rack_flush(r);
	ck_assert_uint_eq(rack_held(r), 5);
	ck_assert_uint_eq(rack_depth(r), 5);
	ck_assert_uint_eq(rack_unfinished(r), 5);
	/* Another thread, as another worker: its own list and batch. */
	for (i = 1; i < 6; i++)
		ck_assert_uint_eq(rack_get(r, &other, NULL, NULL),
		    (dish_t)(50 + i));
	free(r);
}
END_TEST

struct batch_taker {
	struct rack	*r;
	struct hand	 h;
};

static void *
batch_taker_main(void *arg)
{
	struct batch_taker	*t = arg;

	/* Takes one, fetches three more ahead, and dies: no flush. */
	t->h.who = 11;
	ck_assert_uint_eq(rack_get(t->r, &t->h, NULL, NULL), 60);
	return (NULL);
}

/* A dead taker's batch goes back whole, the dish in its hand first. */
START_TEST(test_batch_reclaim)
{
	struct batch_taker	 t = { new_batch_rack(4), hand_of(11) };
	struct hand		 live = hand_of(12);
	pthread_t		 th;
	int			 i;

	for (i = 0; i < 6; i++)
		rack_put(t.r, (dish_t)(60 + i), NULL, NULL);
	rack_flush(t.r);
	pthread_create(&th, NULL, batch_taker_main, &t);
	pthread_join(th, NULL);
	ck_assert_uint_eq(rack_held(t.r), 2);
	ck_assert_int_eq(rack_reclaim(t.r, &t.h), 1);
	ck_assert_uint_eq(rack_held(t.r), 6);
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(rack_get(t.r, &live, NULL, NULL),
		    (dish_t)(60 + i));
	/* Each take acknowledged the one before; the last is owed. */
	ck_assert_uint_eq(rack_unfinished(t.r), 1);
	free(t.r);
}
END_TEST

/* A server that is not there: the rack fails with the address's name. */
/* FIPS 180-2, appendix A (one and two blocks) and B (a million 'a'). */
START_TEST(test_sha1_vectors)
{
	static char	 million[1000000];
	char		 hex[SHA1_HEX_LEN + 1];

	sha1_hex("", 0, hex);
	ck_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, hex);
	ck_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	memset(million, 'a', sizeof million);
	sha1_hex(million, sizeof million, hex);
	ck_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
END_TEST

/* How many calls the server has counted of command name. */
static long
server_calls(const char *name)
{
	redisContext	*c;
	redisReply	*rep;
	char		 want[64];
	const char	*at;
	long		 n = 0;
	char		*cause = NULL;

	ck_assert_ptr_nonnull(c = redis_connect_new(&where, &cause));
	rep = redisCommand(c, "INFO commandstats");
	ck_assert_ptr_nonnull(rep);
	snprintf(want, sizeof want, "cmdstat_%s:calls=", name);
	if ((at = strstr(rep->str, want)) != NULL)
		n = strtol(at + strlen(want), NULL, 10);
	freeReplyObject(rep);
	redisFree(c);
	return (n);
}

/*
 * A script goes whole once a connection, then by name; a server that
 * lost its scripts (a restart: here SCRIPT FLUSH, then a new connection,
 * as a restart makes) is sent them whole again.
 */
START_TEST(test_scripts_by_name)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 1);
	struct hand	 h = hand_of(1);
	redisContext	*c;
	redisReply	*rep;
	long		 eval0, sha0;
	int		 i;
	char		*cause = NULL;

	eval0 = server_calls("eval");
	sha0 = server_calls("evalsha");
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(rack_put(r, (dish_t)i, NULL, NULL), i + 1);
	ck_assert_int_le(server_calls("eval") - eval0, 2);
	ck_assert_int_ge(server_calls("evalsha") - sha0, 19);
	ck_assert_ptr_nonnull(c = redis_connect_new(&where, &cause));
	rep = redisCommand(c, "SCRIPT FLUSH");
	ck_assert_int_ne(rep->type, REDIS_REPLY_ERROR);
	freeReplyObject(rep);
	redisFree(c);
	redis_conn_close();
	for (i = 0; i < 20; i++) {
		ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), (dish_t)i);
		ck_assert_int_eq(rack_task_done(r, &h), 0);
	}
	ck_assert_int_eq(rack_join(r, 0), 0);
	ck_assert_ptr_null(rack_error(r));
	free(r);
}
END_TEST

START_TEST(test_server_gone)
{
	struct redis_where	 w;
	struct rack		*r;
	char			*cause = NULL;
	int			 private;

	ck_assert_int_eq(redis_where_parse("redis://127.0.0.1:1", &w,
	    &private, &cause), 0);
	w.timeout_ns = 200 * NSEC_PER_MSEC;
	r = calloc(1, rack_redis_size());
	ck_assert_int_eq(rack_redis_init(r, &w, "dishrack:check:", 99,
	    RACK_UNBOUNDED, 1, scn, &cause), 0);
	ck_assert_int_eq(rack_put(r, 1, NULL, NULL), -1);
	ck_assert_ptr_nonnull(rack_error(r));
	ck_assert_ptr_nonnull(strstr(rack_error(r), "redis://127.0.0.1:1/0: "));
	redis_conn_close();
	free(r);
}
END_TEST

static void
suite_setup(void)
{
	char	*cause = NULL;
	int	 private;

	scn = scenario_parse("t.scn", "[washer]\n[dryer]\n", 17, &cause);
	redis_where_parse("redis", &where, &private, &cause);
	if (redis_private_start(&server, &where, &cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		exit(77);	/* no redis-server: skipped */
	}
}

static void
suite_teardown(void)
{
	redis_keys_delete(&where, "dishrack:check:");
	redis_conn_close();
	redis_private_stop(&server);
	scenario_free(scn);
}

static Suite *
redis_suite(void)
{
	Suite	*s = suite_create("redis");
	TCase	*tc = tcase_create("rack");

	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_where_parse);
	tcase_add_test(tc, test_fifo_join_close);
	tcase_add_test(tc, test_capacity_blocks);
	tcase_add_test(tc, test_reclaim_reliable);
	tcase_add_test(tc, test_reclaim_between_ack_and_take);
	tcase_add_test(tc, test_reclaim_unreliable);
	tcase_add_test(tc, test_idempotent);
	tcase_add_test(tc, test_batch_fetch_ahead);
	tcase_add_test(tc, test_batch_leave_returns);
	tcase_add_test(tc, test_batch_reclaim);
	tcase_add_test(tc, test_server_gone);
	tcase_add_test(tc, test_sha1_vectors);
	tcase_add_test(tc, test_scripts_by_name);
	tcase_add_test(tc, test_held);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(redis_suite)
