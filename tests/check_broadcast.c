/*
 * check_broadcast.c: the broadcast rack (publish-subscribe) in each of
 * its homes: local on the virtual clock and for real with threads and
 * processes, Redis (the run starts its own redis-server) and ZeroMQ
 * (ipc:// in a temporary directory). Topic filtering, each subscriber its
 * own copy, prefix matching, the slow joiner counted as missed and not
 * lost, sync missing nothing, the high-water mark, and no fd left open.
 */
#include "config.h"

#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bcast.h"
#include "runutil.h"
#include "check_main.h"

/* Where a run's broadcast lives, and on which clock. */
struct home {
	const char	*name;
	int		 virtual_clock;
	const char	*sets[3];
};

static const struct home homes[] = {
	{ "virtual", 1, { NULL } },
	{ "threads", 0, { "scenario.mode=threads", NULL } },
	{ "processes", 0, { "scenario.mode=processes", NULL } },
	{ "async", 0, { "scenario.mode=async", NULL } },
#ifdef HAVE_HIREDIS
	{ "redis", 0, { "scenario.transport=redis", "scenario.mode=threads",
	    NULL } },
	{ "redis-processes", 0, { "scenario.transport=redis",
	    "scenario.mode=processes", NULL } },
#endif
#ifdef HAVE_ZMQ
	{ "zmq", 0, { "scenario.transport=zmq", "scenario.mode=threads",
	    NULL } },
	{ "zmq-processes", 0, { "scenario.transport=zmq",
	    "scenario.mode=processes", NULL } },
#endif
};
#define NHOMES	((int)(sizeof homes / sizeof homes[0]))

/*
 * Nine messages, topics in turn, 20 ms apart on the real clock (speed
 * 10: 200 ms scenario each), the first at 120 ms, so subscribers that
 * start with the run are there for the first (over ZeroMQ, they have
 * connected and subscribed by then). extra is the subscriber stations and anything
 * else.
 */
#define PUBLISHER(topics)						\
	"[scenario]\ndishes = 9\nseed = 3\n"				\
	"[rack]\nkind = broadcast\npick = order\ntopics = " topics "\n"	\
	"[pub]\nstart = 1s\ntime = 200ms\n"

/*
 * Whether this build can run the home: ThreadSanitizer cannot follow a
 * fork, and under ASan a child forked from a threaded parent may
 * deadlock in the allocator (doc/redis.md), so network homes use threads.
 */
static int
home_skipped(const struct home *h)
{
	const char	*san = getenv("SANITIZED");
	int		 forks = strstr(h->name, "processes") != NULL;

	if (san == NULL || !forks)
		return (0);
	return (strcmp(san, "tsan") == 0 || (strcmp(san, "asan") == 0 &&
	    strcmp(h->name, "processes") != 0));
}

static int
run_home(struct test_run *tr, const struct home *h, const char *text)
{
	return (test_run(tr, text, h->sets, h->virtual_clock, 10.0, 0));
}

/*
 * The same, where every subscriber must get every message: over ZeroMQ
 * that takes sync = yes, since a SUB's subscription reaches the
 * publisher on its own time (the slow joiner), however early it came.
 */
static int
run_all(struct test_run *tr, const struct home *h, const char *text)
{
	const char	*sets[4];
	size_t		 i;

	if (strncmp(h->name, "zmq", 3) != 0)
		return (run_home(tr, h, text));
	for (i = 0; h->sets[i] != NULL; i++)
		sets[i] = h->sets[i];
	sets[i++] = "rack.sync=yes";
	sets[i] = NULL;
	return (test_run(tr, text, sets, h->virtual_clock, 10.0, 0));
}

#define SKIP_HOME(h)	do { if (home_skipped(h)) return; } while (0)

/* The dishes each worker of station took, in order, as a string. */
static void
taken_by(const struct test_run *tr, uint32_t worker, char *buf, size_t len)
{
	size_t	i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < tr->nev && o + 4 < len; i++) {
		if (tr->ev[i].worker == worker && tr->ev[i].kind == EV_GET)
			o += (size_t)snprintf(buf + o, len - o, "%u ",
			    tr->ev[i].dish);
	}
}

/* The books of the subscriber in slot, or NULL. */
static const struct bcast_view *
sub_of_slot(const struct test_run *tr, unsigned slot)
{
	size_t	i;

	for (i = 0; i < tr->st.nbsubs; i++) {
		if (tr->st.bsubs[i].slot == slot)
			return (&tr->st.bsubs[i]);
	}
	return (NULL);
}

static void
assert_conserved(const struct test_run *tr)
{
	size_t	i;

	ck_assert_int_eq(tr->st.broadcast, 1);
	ck_assert_int_eq(tr->st.conserved, 1);
	ck_assert_uint_eq(tr->st.lost, 0);
	for (i = 0; i < tr->st.nbsubs; i++)
		ck_assert_int_eq(tr->st.bsub_ok[i], 1);
}

START_TEST(test_match)
{
	ck_assert_int_eq(bcast_match("persian", "persian"), 1);
	ck_assert_int_eq(bcast_match("persian", "persian blue"), 0);
	ck_assert_int_eq(bcast_match("pers", "persian"), 0);
	ck_assert_int_eq(bcast_match("pers*", "persian"), 1);
	ck_assert_int_eq(bcast_match("pers*", "pers"), 1);
	ck_assert_int_eq(bcast_match("pers*", "maine coon"), 0);
	ck_assert_int_eq(bcast_match("*", "anything"), 1);
}
END_TEST

/* Slots: pub-1 is 0, then the subscriber stations' workers in order. */
START_TEST(test_topic_filter)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	char			 buf[256];

	SKIP_HOME(h);

	ck_assert_int_eq(run_all(&tr, h, PUBLISHER("cat, dog, bird")
	    "[cats]\ntime = 0\nsubscribe = cat\n"
	    "[pets]\ntime = 0\nsubscribe = dog, bird\n"), 0);
	assert_conserved(&tr);
	ck_assert_uint_eq(tr.st.published, 9);
	/* Dish i has topic i % 3: cat 0 3 6, dog 1 4 7, bird 2 5 8. */
	taken_by(&tr, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "0 3 6 ");
	taken_by(&tr, 2, buf, sizeof buf);
	ck_assert_str_eq(buf, "1 2 4 5 7 8 ");
	ck_assert_uint_eq(sub_of_slot(&tr, 1)->received, 3);
	ck_assert_uint_eq(sub_of_slot(&tr, 2)->life, 6);
	ck_assert_uint_eq(tr.st.missed_late + tr.st.missed_dropped, 0);
	test_run_free(&tr);
}
END_TEST

START_TEST(test_own_copy)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	char			 buf[256];
	unsigned		 w;

	SKIP_HOME(h);

	ck_assert_int_eq(run_all(&tr, h, PUBLISHER("cat, dog, bird")
	    "[all]\ncount = 3\ntime = 10ms\n"), 0);
	assert_conserved(&tr);
	ck_assert_uint_eq(tr.st.nbsubs, 3);
	for (w = 1; w <= 3; w++) {
		taken_by(&tr, w, buf, sizeof buf);
		ck_assert_str_eq(buf, "0 1 2 3 4 5 6 7 8 ");
	}
	ck_assert_uint_eq(tr.st.received, 27);
	ck_assert_uint_eq(tr.st.st[1].dishes, 27);
	test_run_free(&tr);
}
END_TEST

START_TEST(test_prefix)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	char			 buf[256];

	SKIP_HOME(h);

	ck_assert_int_eq(run_all(&tr, h, PUBLISHER("news.sport, "
	    "news.weather, newsletter")
	    "[news]\ntime = 0\nsubscribe = news.*\n"
	    "[exact]\ntime = 0\nsubscribe = news\n"
	    "[letters]\ntime = 0\nsubscribe = newsl*\n"), 0);
	assert_conserved(&tr);
	taken_by(&tr, 1, buf, sizeof buf);
	ck_assert_str_eq(buf, "0 1 3 4 6 7 ");
	taken_by(&tr, 2, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	taken_by(&tr, 3, buf, sizeof buf);
	ck_assert_str_eq(buf, "2 5 8 ");
	test_run_free(&tr);
}
END_TEST

/*
 * The slow joiner: a subscriber that starts after four messages misses
 * them, counted as missed (late), not lost; the run is conserved.
 */
START_TEST(test_slow_joiner)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	const struct bcast_view	*v;

	SKIP_HOME(h);

	ck_assert_int_eq(run_home(&tr, h, PUBLISHER("cat")
	    "[late]\nstart = 2.3s\ntime = 0\n"), 0);
	assert_conserved(&tr);
	v = sub_of_slot(&tr, 1);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->life, 9);
	ck_assert_uint_eq(v->received + v->late + v->dropped, 9);
	/*
	 * Published at 1.2, 1.4, ... 2.2 before it came at 2.3: on
	 * the real clock (20 ms a message) a loaded machine moves both, so
	 * only the shape is checked there.
	 */
	ck_assert_uint_ge(v->late, 1);
	ck_assert_uint_ge(v->received, 1);
	ck_assert_int_ge(v->joined_t, 2300 * 1000000LL);
	ck_assert_uint_eq(tr.st.lost, 0);
	if (h->virtual_clock) {
		ck_assert_uint_eq(v->late, 6);
		ck_assert_uint_eq(v->received, 3);
	}
	test_run_free(&tr);
}
END_TEST

/* sync = yes: the publisher waits for the late one; nothing is missed. */
START_TEST(test_sync)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	const struct bcast_view	*v;

	SKIP_HOME(h);

	ck_assert_int_eq(run_home(&tr, h, "[scenario]\ndishes = 9\n"
	    "[rack]\nkind = broadcast\npick = order\ntopics = cat, dog\n"
	    "sync = yes\n[pub]\ntime = 200ms\n"
	    "[late]\nstart = 1.1s\ntime = 0\n"
	    "[dogs]\ncount = 2\nstart = 600ms\ntime = 0\nsubscribe = dog\n"),
	    0);
	assert_conserved(&tr);
	ck_assert_uint_eq(tr.st.nbsubs, 3);
	ck_assert_uint_eq(tr.st.missed_late + tr.st.missed_dropped, 0);
	v = sub_of_slot(&tr, 1);
	ck_assert_uint_eq(v->received, 9);
	ck_assert_uint_eq(sub_of_slot(&tr, 2)->received, 4);
	ck_assert_uint_eq(sub_of_slot(&tr, 3)->received, 4);
	test_run_free(&tr);
}
END_TEST

/*
 * A slow subscriber behind a high-water mark of 2: copies beyond it are
 * dropped and counted as missed (dropped), never lost, never waited for.
 */
START_TEST(test_high_water_mark)
{
	struct test_run		 tr;
	const struct bcast_view	*v;

	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 20\n"
	    "[rack]\nkind = broadcast\ntopics = t\n"
	    "[pub]\ntime = 10ms\n[slow]\nrack = 2\ntime = 100ms\n", NULL, 1,
	    1.0, 0), 0);
	assert_conserved(&tr);
	v = sub_of_slot(&tr, 1);
	ck_assert_uint_eq(v->late, 0);
	ck_assert_uint_gt(v->dropped, 10);
	ck_assert_uint_eq(v->received + v->dropped, 20);
	/* The publisher never waited: 20 messages in 200 ms. */
	ck_assert_int_lt(test_run_time(&tr, 0, EV_PUT, 19), 250 * 1000000LL);
	test_run_free(&tr);
}
END_TEST

#ifdef HAVE_HIREDIS
/*
 * A redis-server of the test's own on a Unix socket, with a pubsub
 * output-buffer limit so small that a slow subscriber passes it: Redis
 * closes its connection, and what it lost meanwhile is counted dropped.
 */
START_TEST(test_redis_output_limit)
{
	char			 dir[] = "/tmp/dishrack-check.XXXXXX", sock[96];
	char			 set[160];
	const char		*sets[3] = { set, "scenario.mode=threads", NULL };
	struct test_run		 tr;
	const struct bcast_view	*v;
	pid_t			 pid;
	int			 i, status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/redis.sock", dir);
	if ((pid = fork()) == 0) {
		int	fd = open("/dev/null", O_WRONLY);

		if (fd != -1)
			dup2(fd, 1);
		execlp("redis-server", "redis-server", "--port", "0",
		    "--unixsocket", sock, "--dir", dir, "--save", "",
		    "--appendonly", "no", "--client-output-buffer-limit",
		    "pubsub 2kb 1kb 1", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	for (i = 0; i < 500 && access(sock, F_OK) != 0; i++)
		clock_sleep_ns(10 * 1000000LL);
	snprintf(set, sizeof set, "scenario.transport=unix://%s", sock);
	/* 3000 messages at once, a subscriber that takes 20 ms each. */
	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 3000\n"
	    "[rack]\nkind = broadcast\ntopics = a long topic to fill buffers\n"
	    "sync = yes\n[pub]\ntime = 0\n[slow]\ntime = 20ms\n", sets, 0,
	    10.0, 0), 0);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	unlink(sock);
	rmdir(dir);
	assert_conserved(&tr);
	v = sub_of_slot(&tr, 1);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_ge(v->reconnects, 1);
	ck_assert_uint_gt(v->dropped, 0);
	ck_assert_uint_eq(v->late, 0);
	ck_assert_uint_eq(v->received + v->dropped, 3000);
	test_run_free(&tr);
}
END_TEST
#endif

/*
 * The publisher's picks: the dish's name as its topic, and a seeded
 * random choice that the same seed repeats and that uses every topic.
 */
START_TEST(test_pick)
{
	struct test_run	 tr;
	char		 a[512], b[512];
	const char	*seed7[] = { "scenario.seed=7", NULL };

	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = red blue red green\n"
	    "[rack]\nkind = broadcast\npick = dish\n[pub]\ntime = 1s\n"
	    "[reds]\ntime = 0\nsubscribe = red\n"
	    "[gr]\ntime = 0\nsubscribe = gr*\n", NULL, 1, 1.0, 0), 0);
	assert_conserved(&tr);
	taken_by(&tr, 1, a, sizeof a);
	ck_assert_str_eq(a, "0 2 ");
	taken_by(&tr, 2, a, sizeof a);
	ck_assert_str_eq(a, "3 ");
	test_run_free(&tr);

	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 200\n"
	    "[rack]\nkind = broadcast\ntopics = x, y, z\n[pub]\ntime = 1s\n"
	    "[xs]\ntime = 0\nsubscribe = x\n", seed7, 1, 1.0, 0), 0);
	taken_by(&tr, 1, a, sizeof a);
	ck_assert_uint_gt(tr.st.bsubs[0].received, 40);
	ck_assert_uint_lt(tr.st.bsubs[0].received, 95);
	test_run_free(&tr);
	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 200\n"
	    "[rack]\nkind = broadcast\ntopics = x, y, z\n[pub]\ntime = 1s\n"
	    "[xs]\ntime = 0\nsubscribe = x\n", seed7, 1, 1.0, 0), 0);
	taken_by(&tr, 1, b, sizeof b);
	ck_assert_str_eq(a, b);
	test_run_free(&tr);
}
END_TEST

/* [script]: a subscriber added at 1 s, a topic added to another at 1 s. */
START_TEST(test_script)
{
	struct test_run		 tr;
	const struct bcast_view	*v;

	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 10\n"
	    "[rack]\nkind = broadcast\npick = order\ntopics = a, b\n"
	    "[pub]\ntime = 200ms\n"
	    "[one]\ntime = 0\nsubscribe = a\n"
	    "[more]\ntime = 0\nsubscribe = b\n"
	    "[script]\n1.1s set one.subscribe = a, b\n"
	    "1.1s set more.count = 2\n", NULL, 1, 1.0, 0), 0);
	assert_conserved(&tr);
	/* one: all 5 a's, b's from 1.2 s on (1.2 1.6 2.0), 2 b's missed. */
	v = sub_of_slot(&tr, 1);
	ck_assert_uint_eq(v->received, 8);
	ck_assert_uint_eq(v->late, 2);
	ck_assert_uint_eq(v->life, 10);
	/* The new subscriber of b came at 1.1 s: it missed b's 0.4, 0.8. */
	v = sub_of_slot(&tr, 3);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(v->late, 2);
	ck_assert_uint_eq(v->received, 3);
	test_run_free(&tr);
}
END_TEST

/* Open descriptors of this process. */
static int
count_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return (n);
}

START_TEST(test_no_fd_left)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;

	int			 before;

	SKIP_HOME(h);

	before = count_fds();
	ck_assert_int_eq(run_all(&tr, h, PUBLISHER("cat, dog")
	    "[all]\ncount = 2\ntime = 0\n"), 0);
	assert_conserved(&tr);
	test_run_free(&tr);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/*
 * Stopped in the middle (a worker in its work, another waiting): nothing
 * hangs, every socket and connection is closed.
 */
START_TEST(test_stopped_no_fd_left)
{
	const struct home	*h = &homes[_i];
	struct test_run		 tr;
	int			 before;

	SKIP_HOME(h);
	if (h->virtual_clock)
		return;
	before = count_fds();
	ck_assert_int_eq(test_run(&tr, "[scenario]\ndishes = 100\n"
	    "[rack]\nkind = broadcast\ntopics = a, b\n[pub]\ntime = 100ms\n"
	    "[sub]\ncount = 2\ntime = 300ms\n[late]\nstart = 1m\n",
	    h->sets, 0, 10.0, 250 * 1000000LL), 0);
	ck_assert_int_eq(tr.interrupted, 1);
	ck_assert_uint_eq(tr.st.lost, 0);
	test_run_free(&tr);
	ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* A broadcast that cannot be: one message, a line, no run. */
START_TEST(test_refused)
{
	static const struct {
		const char	*text;
		const char	*says;
	} bad[] = {
		{ "[w]\nsubscribe = a\n[d]\n", "needs a broadcast rack" },
		{ "[rack]\nkind = broadcast\ntopics = a\n[w]\n",
		  "a publisher and, after it" },
		{ "[rack]\nkind = broadcast\n[w]\n[d]\n",
		  "needs topics to pick from" },
		{ "[rack]\nkind = broadcast\ntopics = a\n[w]\nsubscribe = a\n"
		  "[d]\n", "is the publisher" },
		{ "[rack]\nkind = broadcast\ntopics = a\n[w]\n[d]\nrack = 0\n",
		  "no hand-off" },
		{ "[scenario]\ndishes = 300\n[rack]\nkind = broadcast\n"
		  "pick = dish\n[w]\n[d]\n", "more than 256" },
	};
	struct scenario	*scn;
	struct engine_opts eo;
	char		*cause = NULL;
	size_t		 i;

	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = 1;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		scn = scenario_parse("t.scn", bad[i].text, strlen(bad[i].text),
		    &cause);
		ck_assert_ptr_nonnull(scn);
		ck_assert_ptr_null(engine_create(scn, &eo, &cause));
		ck_assert_msg(strstr(cause, bad[i].says) != NULL, "%s", cause);
		free(cause);
		cause = NULL;
	}
	/* A '*' only ends a subscription; the publisher's topics have none. */
	scn = scenario_parse("t.scn", "[rack]\ntopics = a*\n", 19, &cause);
	ck_assert_ptr_null(scn);
	ck_assert_ptr_nonnull(strstr(cause, "t.scn:2:10: "));
	free(cause);
	scn = scenario_parse("t.scn", "[w]\nsubscribe = a, *b\n", 22, &cause);
	ck_assert_ptr_null(scn);
	ck_assert_ptr_nonnull(strstr(cause, "may only end a topic"));
	free(cause);
	scn = scenario_parse("t.scn", "[rack]\nkinf = broadcast\n", 24,
	    &cause);
	ck_assert_ptr_null(scn);
	ck_assert_ptr_nonnull(strstr(cause, "did you mean 'kind'?"));
	free(cause);
}
END_TEST

/* The lecture's example on the virtual clock: its output, word for word. */
START_TEST(test_lecture)
{
	struct test_run	 tr;
	char		*text = test_scenario_text("pubsub");
	const struct bcast_view *v;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	ck_assert_str_eq(tr.out,
	    "Publish: persian wears s fedora\n"
	    "Publish: persian wears s tam-o-shanter\n"
	    "Publish: persian wears s tam-o-shanter\n"
	    "Publish: maine coon wears s tam-o-shanter\n"
	    "Publish: siamese wears s fedora\n"
	    "Publish: norwegian forest wears s stovepipe\n"
	    "Publish: maine coon wears s stovepipe\n"
	    "Publish: maine coon wears s fedora\n"
	    "Publish: persian wears s fedora\n"
	    "Subscribe: b'maine coon' wears a b'fedora'\n"
	    "Subscribe: b'persian' wears a b'fedora'\n"
	    "Publish: norwegian forest wears s fedora\n");
	assert_conserved(&tr);
	v = sub_of_slot(&tr, 1);
	ck_assert_uint_eq(v->received, 2);
	ck_assert_uint_eq(v->late, 5);
	ck_assert_uint_eq(v->life, 7);
	test_run_free(&tr);
	free(text);
}
END_TEST

static Suite *
broadcast_suite(void)
{
	Suite	*s = suite_create("broadcast");
	TCase	*tc = tcase_create("homes");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_lecture);
	tcase_add_test(tc, test_high_water_mark);
	tcase_add_test(tc, test_script);
	tcase_add_test(tc, test_pick);
#ifdef HAVE_HIREDIS
	tcase_add_test(tc, test_redis_output_limit);
#endif
	tcase_add_loop_test(tc, test_topic_filter, 0, NHOMES);
	tcase_add_loop_test(tc, test_own_copy, 0, NHOMES);
	tcase_add_loop_test(tc, test_prefix, 0, NHOMES);
	tcase_add_loop_test(tc, test_slow_joiner, 0, NHOMES);
	tcase_add_loop_test(tc, test_sync, 0, NHOMES);
	tcase_add_loop_test(tc, test_no_fd_left, 0, NHOMES);
	tcase_add_loop_test(tc, test_stopped_no_fd_left, 0, NHOMES);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(broadcast_suite)
