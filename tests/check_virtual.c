/*
 * check_virtual.c: the virtual clock, and the lecture's numbers in virtual
 * time: the threads example ends at exactly 12 s, each dish leaves when
 * the lecture says, the same seed gives the same run.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <pthread.h>

#include "runutil.h"
#include "vclock.h"
#include "check_main.h"

#define SEC	NSEC_PER_SEC
#define MSEC	NSEC_PER_MSEC

START_TEST(test_seed_threads_twelve_seconds)
{
	struct test_run	 tr;
	char		*text = test_scenario_text("seed-threads");
	static const int64_t washed[] = { 2, 4, 6, 8 };
	static const int64_t dried[] = { 6, 8, 10, 12 };
	unsigned	 i;

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(tr.st.t_end, 12 * SEC);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(test_run_done_at(&tr, 0, i), washed[i] * SEC);
		ck_assert_int_eq(test_run_done_at(&tr, 1, i), dried[i] * SEC);
	}
	ck_assert_uint_eq(tr.st.washed, 4);
	ck_assert_uint_eq(tr.st.dried, 4);
	ck_assert_int_eq(tr.st.conserved, 1);
	ck_assert_int_eq(tr.st.complete, 1);
	ck_assert_int_eq(tr.st.bottleneck, 1);
	ck_assert_int_eq(tr.deadlock, 0);
	test_run_free(&tr);
	free(text);
}
END_TEST

/*
 * The n-th event of worker w, or NULL: each worker's events keep their
 * order, whatever order the reader took the rings in.
 */
static const struct event *
nth_of_worker(const struct test_run *tr, uint32_t w, size_t n)
{
	size_t	i;

	for (i = 0; i < tr->nev; i++) {
		if (tr->ev[i].worker == w && n-- == 0)
			return (&tr->ev[i]);
	}
	return (NULL);
}

START_TEST(test_same_seed_same_run)
{
	struct test_run	 a, b;
	char		*text = test_scenario_text("seed-threads");
	size_t		 i;

	ck_assert_int_eq(test_run(&a, text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(test_run(&b, text, NULL, 1, 1.0, 0), 0);
	ck_assert_str_eq(a.out, b.out);
	ck_assert_uint_eq(a.nev, b.nev);
	for (i = 0; i < a.nev; i++) {
		const struct event	*x = &a.ev[i], *y;
		size_t			 j, n = 0;

		for (j = 0; j < i; j++)
			n += a.ev[j].worker == x->worker;
		y = nth_of_worker(&b, x->worker, n);
		ck_assert_ptr_nonnull(y);
		ck_assert_int_eq(x->t, y->t);
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_uint_eq(x->dish, y->dish);
	}
	test_run_free(&a);
	test_run_free(&b);
	free(text);
}
END_TEST

/* Every word of every say arrives, and the seeds make them interleave. */
START_TEST(test_virtual_interleaving)
{
	struct test_run	 tr;
	char		*text = test_scenario_text("seed-threads");
	const char	*sets[] = { NULL, NULL };
	char		 seed[32];
	unsigned	 s, mixed = 0, words;
	const char	*p;

	for (s = 1; s <= 20; s++) {
		snprintf(seed, sizeof seed, "scenario.seed=%u", s);
		sets[0] = seed;
		ck_assert_int_eq(test_run(&tr, text, sets, 1, 1.0, 0), 0);
		words = 0;
		for (p = tr.out; (p = strstr(p, "Washing")) != NULL; p++)
			words++;
		ck_assert_uint_eq(words, 4);
		if (strstr(tr.out, "WashingDrying") != NULL)
			mixed++;
		test_run_free(&tr);
	}
	ck_assert_uint_gt(mixed, 0);
	free(text);
}
END_TEST

/* Capacity 0: the washer hands each dish over only when the dryer is free. */
/* Workers of the last station removed mid-dish pay what they owe. */
START_TEST(test_removed_last_station_workers_pay)
{
	struct test_run	 r;
	const char	*modes[] = { "scenario.mode=threads",
	    "scenario.mode=async", NULL };
	const char	*sets[2] = { NULL, NULL };
	int		 i;

	for (i = 0; modes[i] != NULL; i++) {
		sets[0] = modes[i];
		ck_assert_int_eq(test_run(&r, TEST_SHRINK_LAST_STATION, sets,
		    1, 1.0, 0), 0);
		ck_assert_int_eq(r.deadlock, 0);
		ck_assert_int_eq(r.st.complete, 1);
		ck_assert_int_eq(r.st.conserved, 1);
		ck_assert_uint_eq(r.st.in_hands, 0);
		ck_assert_uint_eq(r.st.dried, 12);
		test_run_free(&r);
	}
}
END_TEST

START_TEST(test_handoff_versus_unbounded)
{
	struct test_run	 h, u;
	char		*text = test_scenario_text("handoff");
	const char	*unbounded[] = { "scenario.rack=unbounded", NULL };

	ck_assert_int_eq(test_run(&h, text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(test_run(&u, text, unbounded, 1, 1.0, 0), 0);
	/* The dryer sets the end either way: 1 + 6 x 2 s. */
	ck_assert_int_eq(h.st.t_end, 13 * SEC);
	ck_assert_int_eq(u.st.t_end, 13 * SEC);
	/* But the washer is held until 11 s instead of free at 6 s. */
	ck_assert_int_eq(test_run_time(&h, 0, EV_PUT, 5), 11 * SEC);
	ck_assert_int_eq(test_run_time(&u, 0, EV_PUT, 5), 6 * SEC);
	ck_assert_uint_eq(h.st.max_rack_depth, 0);
	ck_assert_uint_eq(u.st.max_rack_depth, 3);
	ck_assert_int_gt(test_run_time(&h, 0, EV_WAIT_PUT, 0), 0);
	ck_assert_int_eq(test_run_time(&u, 0, EV_WAIT_PUT, 0), -1);
	ck_assert_int_eq(h.st.conserved && u.st.conserved, 1);
	test_run_free(&h);
	test_run_free(&u);
	free(text);
}
END_TEST

START_TEST(test_three_stations_bottleneck_in_the_middle)
{
	struct test_run	 tr;
	char		*text = test_scenario_text("bottleneck");

	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	ck_assert_uint_eq(tr.st.nstations, 3);
	ck_assert_uint_eq(tr.st.dried, 12);
	ck_assert_int_eq(tr.st.conserved, 1);
	ck_assert_int_eq(tr.st.bottleneck, 1);
	/* The rack in front of the dryer fills; the one after it does not. */
	ck_assert_uint_ge(tr.st.rk[1].max_depth, 4);
	ck_assert_uint_le(tr.st.rk[2].max_depth, 1);
	test_run_free(&tr);
	free(text);
}
END_TEST

START_TEST(test_script_set_adds_a_worker)
{
	struct test_run	 tr;
	char		*text = test_scenario_text("bottleneck");
	unsigned	 i, dryers = 0;

	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	for (i = 0; i < tr.nev; i++) {
		if (tr.ev[i].kind == EV_SPAWN && tr.ev[i].station == 1) {
			dryers++;
			if (dryers == 2)
				ck_assert_int_eq(tr.ev[i].t, 9 * SEC);
		}
	}
	ck_assert_uint_eq(dryers, 2);
	test_run_free(&tr);
	free(text);
}
END_TEST

/*
 * A script may ask for more workers than the 64 spare slots: they all
 * start (a thousand were asked and 65 given, without a word).
 */
START_TEST(test_script_adds_many_workers)
{
	struct test_run	 tr;
	const char	*text = "[scenario]\ndishes = 4\n[washer]\ntime = 2s\n"
	    "[dryer]\ntime = 0\n[script]\n1s set dryer.count = 200\n"
	    "2s set dryer.count = 1\n3s set dryer.count = 100\n";
	unsigned	 i, dryers = 0;

	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	for (i = 0; i < tr.nev; i++) {
		if (tr.ev[i].kind == EV_SPAWN && tr.ev[i].station == 1)
			dryers++;
	}
	ck_assert_uint_ge(dryers, 1 + 199 + 99);
	ck_assert_uint_eq(tr.st.dried, 4);
	test_run_free(&tr);
}
END_TEST

START_TEST(test_zero_work_many_dishes)
{
	struct test_run	 tr;
	const char	*text = "[scenario]\ndishes = 20000\noutput = lines\n"
	    "[washer]\ntime = 0\n[dryer]\ncount = 3\ntime = 0\n";

	ck_assert_int_eq(test_run(&tr, text, NULL, 1, 1.0, 0), 0);
	ck_assert_uint_eq(tr.st.dried, 20000);
	ck_assert_uint_eq(tr.st.duplicated, 0);
	ck_assert_int_eq(tr.st.complete, 1);
	ck_assert_int_eq(tr.st.t_end, 0);
	test_run_free(&tr);
}
END_TEST

/* --- The clock on its own ----------------------------------------------- */

struct sleeper {
	struct vclock	*vc;
	struct vtask	 t;
	int64_t		 d;
	int64_t		 woke;
	int		 order;
};

static int wake_order;

static void
sleeper_main(void *arg)
{
	struct sleeper	*s = arg;

	vclock_sleep(s->vc, s->d);
	s->woke = vclock_now(s->vc);
	s->order = wake_order++;
}

START_TEST(test_vclock_timers_in_order)
{
	struct vclock	vc;
	struct sleeper	s[3];
	int64_t		d[3] = { 3 * SEC, 1 * SEC, 2 * SEC };
	int		i;

	vclock_init(&vc, 1, 0);
	wake_order = 0;
	for (i = 0; i < 3; i++) {
		s[i] = (struct sleeper){ .vc = &vc, .d = d[i] };
		ck_assert_int_eq(vclock_add(&vc, &s[i].t, "s", sleeper_main,
		    &s[i]), 0);
	}
	vclock_run(&vc);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(s[i].woke, d[i]);
	ck_assert_int_eq(s[1].order, 0);
	ck_assert_int_eq(s[2].order, 1);
	ck_assert_int_eq(s[0].order, 2);
	ck_assert_int_eq(vclock_deadlocked(&vc), 0);
	vclock_destroy(&vc);
}
END_TEST

struct blocker {
	struct vclock	*vc;
	struct vtask	 t;
	struct vwaitq	*q;
	int		 rc;
};

static void
blocker_main(void *arg)
{
	struct blocker	*b = arg;

	b->rc = vclock_block(b->vc, b->q);
}

START_TEST(test_vclock_detects_deadlock)
{
	struct vclock	vc;
	struct vwaitq	towel = { 0 }, cloth = { 0 };
	struct blocker	b[2];
	int		i;

	vclock_init(&vc, 1, 0);
	b[0] = (struct blocker){ .vc = &vc, .q = &towel, .rc = 1 };
	b[1] = (struct blocker){ .vc = &vc, .q = &cloth, .rc = 1 };
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(vclock_add(&vc, &b[i].t, "b", blocker_main,
		    &b[i]), 0);
	vclock_run(&vc);
	ck_assert_int_eq(vclock_deadlocked(&vc), 1);
	ck_assert_int_eq(b[0].rc, -1);
	ck_assert_int_eq(b[1].rc, -1);
	vclock_destroy(&vc);
}
END_TEST

/*
 * vclock_kick: a killed task leaves its wait queue (from the middle, from
 * the tail) or its sleep at once, and every wait of its fails from then
 * on; the others in the queue stay there, in order.
 */
struct kicked {
	struct vclock	*vc;
	struct vtask	 t;
	struct vwaitq	*q;
	int64_t		 sleep;		/* > 0: sleep, else block on q */
	int		 rc, again;
	int64_t		 at;
};

static void
kicked_main(void *arg)
{
	struct kicked	*k = arg;

	k->rc = k->sleep > 0 ? vclock_sleep(k->vc, k->sleep) :
	    vclock_block(k->vc, k->q);
	k->at = vclock_now(k->vc);
	/* Kicked once, kicked for good: it crashes where it stands. */
	k->again = vclock_sleep(k->vc, SEC);
}

struct kicker {
	struct vclock	*vc;
	struct vtask	 t;
	struct kicked	*k;
	struct vwaitq	*q;
};

static void
kicker_main(void *arg)
{
	struct kicker	*w = arg;

	vclock_sleep(w->vc, SEC);
	vclock_kick(w->vc, &w->k[1].t);
	vclock_kick(w->vc, &w->k[2].t);
	vclock_kick(w->vc, &w->k[3].t);
	vclock_sleep(w->vc, SEC);
	vclock_wake_all(w->vc, w->q);
}

START_TEST(test_vclock_kick)
{
	struct vclock	vc;
	struct vwaitq	q = { 0 };
	struct kicked	k[4];
	struct kicker	w;
	int		i;

	vclock_init(&vc, 1, 0);
	for (i = 0; i < 4; i++) {
		k[i] = (struct kicked){ .vc = &vc, .q = &q, .rc = 9,
		    .sleep = i == 3 ? 10 * SEC : 0 };
		ck_assert_int_eq(vclock_add(&vc, &k[i].t, "k", kicked_main,
		    &k[i]), 0);
	}
	w = (struct kicker){ .vc = &vc, .k = k, .q = &q };
	ck_assert_int_eq(vclock_add(&vc, &w.t, "w", kicker_main, &w), 0);
	vclock_run(&vc);
	/* k[0] stayed in the queue and was woken with it, at 2 s. */
	ck_assert_int_eq(k[0].rc, 0);
	ck_assert_int_eq(k[0].at, 2 * SEC);
	ck_assert_int_eq(k[0].again, 0);
	/* The middle, the tail and the sleeper: out at 1 s, for good. */
	for (i = 1; i < 4; i++) {
		ck_assert_int_eq(k[i].rc, -1);
		ck_assert_int_eq(k[i].at, SEC);
		ck_assert_int_eq(k[i].again, -1);
	}
	ck_assert_int_eq(vclock_deadlocked(&vc), 0);
	vclock_destroy(&vc);
}
END_TEST

/* A thousand tasks, each with a stack of its own, wake in timer order. */
START_TEST(test_vclock_many_tasks_one_thread)
{
	struct vclock	 vc;
	struct sleeper	*s;
	int		 i, n = 1000;

	s = calloc((size_t)n, sizeof *s);
	vclock_init(&vc, 1, 0);
	wake_order = 0;
	for (i = 0; i < n; i++) {
		s[i] = (struct sleeper){ .vc = &vc, .d = (n - i) * MSEC };
		ck_assert_int_eq(vclock_add(&vc, &s[i].t, "s", sleeper_main,
		    &s[i]), 0);
	}
	vclock_run(&vc);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(s[i].order, n - 1 - i);
	vclock_destroy(&vc);
	free(s);
}
END_TEST

static Suite *
virtual_suite(void)
{
	Suite	*s = suite_create("virtual");
	TCase	*tc = tcase_create("lecture");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_seed_threads_twelve_seconds);
	tcase_add_test(tc, test_same_seed_same_run);
	tcase_add_test(tc, test_virtual_interleaving);
	tcase_add_test(tc, test_handoff_versus_unbounded);
	tcase_add_test(tc, test_three_stations_bottleneck_in_the_middle);
	tcase_add_test(tc, test_script_set_adds_a_worker);
	tcase_add_test(tc, test_script_adds_many_workers);
	tcase_add_test(tc, test_zero_work_many_dishes);
	suite_add_tcase(s, tc);

	tc = tcase_create("vclock");
	tcase_add_test(tc, test_vclock_timers_in_order);
	tcase_add_test(tc, test_vclock_detects_deadlock);
	tcase_add_test(tc, test_vclock_kick);
	tcase_add_test(tc, test_removed_last_station_workers_pay);
	tcase_add_test(tc, test_vclock_many_tasks_one_thread);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(virtual_suite)
