/*
 * check_rack.c: the rack's JoinableQueue semantics, with threads: capacity
 * 0 (hand-off), N and unbounded, join, close, abort, a pile, and many
 * producers and consumers under stress with every dish counted.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rack_local.h"
#include "scenario.h"
#include "check_main.h"

/* Zeroed memory aligned as the arena aligns it (a rack's lines are). */
static struct rack *
alloc_rack(size_t size)
{
	void	*p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 64, size), 0);
	memset(p, 0, size);
	return (p);
}

static struct rack *
new_rack(uint32_t capacity, uint64_t need)
{
	struct rack	*r;

	r = alloc_rack(rack_local_size(capacity, need, 0));
	ck_assert_int_eq(rack_local_init(r, RACK_THREADS, NULL, capacity, need, 0),
	    0);
	return (r);
}

static void
free_rack(struct rack *r)
{
	rack_destroy(r);
	free(r);
}

START_TEST(test_fifo_unbounded)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 100);
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };
	int		 i, depth, blocked;

	for (i = 0; i < 100; i++)
		ck_assert_int_eq(rack_put(r, (dish_t)i, NULL, &blocked), i + 1);
	ck_assert_int_eq(blocked, 0);
	ck_assert_uint_eq(rack_depth(r), 100);
	ck_assert_uint_eq(rack_max_depth(r), 100);
	for (i = 0; i < 100; i++) {
		ck_assert_uint_eq(rack_get(r, &h, &depth, &blocked), (dish_t)i);
		ck_assert_uint_eq(atomic_load(&h.dish), (dish_t)i);
		ck_assert_int_eq(atomic_load(&h.owes), 1);
		ck_assert_int_eq(depth, 99 - i);
		ck_assert_int_eq(rack_task_done(r, &h), 0);
		ck_assert_uint_eq(atomic_load(&h.dish), DISH_NONE);
	}
	ck_assert_uint_eq(rack_unfinished(r), 0);
	/* task_done with nothing pending is an error, as in Python. */
	ck_assert_int_eq(rack_task_done(r, NULL), -1);
	free_rack(r);
}
END_TEST

struct taker {
	struct rack	*r;
	int64_t		 delay_ns;
	uint64_t	 got;
	uint64_t	 sum;
};

static void *
taker_main(void *arg)
{
	struct taker	*t = arg;
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };
	dish_t		 d;

	for (;;) {
		d = rack_get(t->r, &h, NULL, NULL);
		if (d == DISH_NONE)
			break;
		if (t->delay_ns)
			clock_sleep_ns(t->delay_ns);
		t->got++;
		t->sum += d;
		rack_task_done(t->r, &h);
	}
	return (NULL);
}

START_TEST(test_bounded_blocks_putter)
{
	struct rack	*r = new_rack(2, 10);
	struct taker	 t = { .r = r, .delay_ns = 5 * NSEC_PER_MSEC };
	pthread_t	 th;
	int		 i, blocked, any = 0;

	for (i = 0; i < 2; i++) {
		ck_assert_int_gt(rack_put(r, (dish_t)i, NULL, &blocked), 0);
		ck_assert_int_eq(blocked, 0);
	}
	pthread_create(&th, NULL, taker_main, &t);
	for (i = 2; i < 10; i++) {
		ck_assert_int_ge(rack_put(r, (dish_t)i, NULL, &blocked), 0);
		ck_assert_uint_le(rack_depth(r), 2);
		any |= blocked;
	}
	ck_assert_int_eq(any, 1);
	ck_assert_int_eq(rack_join(r, -1), 0);
	ck_assert_uint_le(rack_max_depth(r), 2);
	rack_close(r);
	pthread_join(th, NULL);
	ck_assert_uint_eq(t.got, 10);
	ck_assert_uint_eq(t.sum, 45);
	free_rack(r);
}
END_TEST

START_TEST(test_handoff_waits_for_taker)
{
	struct rack	*r = new_rack(0, 4);
	struct taker	 t = { .r = r };
	pthread_t	 th;
	int		 blocked;

	pthread_create(&th, NULL, taker_main, &t);
	ck_assert_int_eq(rack_put(r, 7, NULL, &blocked), 0);
	ck_assert_uint_eq(rack_depth(r), 0);
	ck_assert_int_eq(rack_join(r, -1), 0);
	ck_assert_uint_eq(t.got, 1);
	ck_assert_uint_eq(rack_max_depth(r), 0);
	rack_close(r);
	pthread_join(th, NULL);
	free_rack(r);
}
END_TEST

static void *
late_taker_main(void *arg)
{
	struct taker	*t = arg;

	clock_sleep_ns(50 * NSEC_PER_MSEC);
	return (taker_main(t));
}

START_TEST(test_handoff_blocks_until_taken)
{
	struct rack	*r = new_rack(0, 4);
	struct taker	 t = { .r = r };
	pthread_t	 th;
	int64_t		 t0, waited;
	int		 blocked;

	pthread_create(&th, NULL, late_taker_main, &t);
	t0 = clock_mono_ns();
	ck_assert_int_eq(rack_put(r, 3, NULL, &blocked), 0);
	waited = clock_mono_ns() - t0;
	ck_assert_int_eq(blocked, 1);
	/* The put returned only once the late taker had the dish. */
	ck_assert_int_ge(waited, 40 * NSEC_PER_MSEC);
	ck_assert_int_eq(rack_join(r, -1), 0);
	rack_close(r);
	pthread_join(th, NULL);
	ck_assert_uint_eq(t.got, 1);
	free_rack(r);
}
END_TEST

START_TEST(test_join_timeout_and_done)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };

	ck_assert_int_eq(rack_join(r, 0), 0);	/* nothing put: done */
	rack_put(r, 1, NULL, NULL);
	ck_assert_int_eq(rack_join(r, 10 * NSEC_PER_MSEC), 1);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 1);
	ck_assert_int_eq(rack_join(r, 10 * NSEC_PER_MSEC), 1);
	rack_task_done(r, &h);
	ck_assert_int_eq(rack_join(r, 10 * NSEC_PER_MSEC), 0);
	free_rack(r);
}
END_TEST

/*
 * A worker's task_done may wait for its next get: the get pays what the
 * hand owes first, under the same lock, and join sees the count change.
 */
START_TEST(test_get_pays_what_the_hand_owes)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };

	rack_put(r, 1, NULL, NULL);
	rack_put(r, 2, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 1);
	/* The dish went on (a put elsewhere): the hand only owes. */
	atomic_store(&h.dish, DISH_NONE);
	ck_assert_uint_eq(rack_unfinished(r), 2);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 2);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_int_eq(atomic_load(&h.owes), 1);
	ck_assert_int_eq(rack_join(r, 10 * NSEC_PER_MSEC), 1);
	/* The last get finds the rack closed and empty, and still pays. */
	atomic_store(&h.dish, DISH_NONE);
	rack_close(r);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), DISH_NONE);
	ck_assert_int_eq(atomic_load(&h.owes), 0);
	ck_assert_uint_eq(rack_unfinished(r), 0);
	ck_assert_int_eq(rack_join(r, 0), 0);
	/* Nothing owed: a task_done is an error, as in Python. */
	ck_assert_int_eq(rack_task_done(r, &h), -1);
	free_rack(r);
}
END_TEST

struct leaver {
	struct rack	*r;
	struct hand	 h;
	dish_t		 got;
};

static void *
leaver_main(void *arg)
{
	struct leaver	*l = arg;

	l->got = rack_get(l->r, &l->h, NULL, NULL);
	return (NULL);
}

/* A worker removed while it waits for a dish leaves without one. */
START_TEST(test_leaving_hand_gives_up_the_wait)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);
	struct rack	*pile;
	struct leaver	 l = { .r = r, .h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 }, .got = 0 };
	pthread_t	 th;

	pthread_create(&th, NULL, leaver_main, &l);
	clock_sleep_ns(20 * NSEC_PER_MSEC);
	atomic_store(&l.h.leave, 1);
	pthread_join(th, NULL);		/* within a wait slice */
	ck_assert_uint_eq(l.got, DISH_NONE);
	/* The rack is as it was: a put now waits for another taker. */
	rack_put(r, 7, NULL, NULL);
	ck_assert_uint_eq(rack_depth(r), 1);
	free_rack(r);

	/* The same at an empty pile. */
	pile = alloc_rack(rack_local_size(RACK_UNBOUNDED, 0, 0));
	ck_assert_int_eq(rack_local_init_pile(pile, RACK_THREADS, NULL, 1), 0);
	ck_assert_uint_eq(rack_get(pile, NULL, NULL, NULL), 0);
	l = (struct leaver){ .r = pile, .h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 }, .got = 0 };
	pthread_create(&th, NULL, leaver_main, &l);
	clock_sleep_ns(20 * NSEC_PER_MSEC);
	atomic_store(&l.h.leave, 1);
	pthread_join(th, NULL);
	ck_assert_uint_eq(l.got, DISH_NONE);
	free_rack(pile);
}
END_TEST

START_TEST(test_close_drains_then_ends)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);

	rack_put(r, 1, NULL, NULL);
	rack_put(r, 2, NULL, NULL);
	rack_close(r);
	ck_assert_int_eq(rack_put(r, 3, NULL, NULL), -1);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 1);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 2);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), DISH_NONE);
	free_rack(r);
}
END_TEST

START_TEST(test_abort_wakes_waiters)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);
	struct taker	 t = { .r = r };
	pthread_t	 th;

	pthread_create(&th, NULL, taker_main, &t);
	clock_sleep_ns(20 * NSEC_PER_MSEC);
	rack_abort(r);
	pthread_join(th, NULL);
	ck_assert_uint_eq(t.got, 0);
	ck_assert_int_eq(rack_join(r, -1), 0);
	rack_put(r, 1, NULL, NULL);
	ck_assert_int_eq(rack_join(r, -1), -1);
	free_rack(r);
}
END_TEST

START_TEST(test_pile)
{
	struct rack	*r;
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };
	dish_t		 d;
	int		 i;

	r = alloc_rack(rack_local_size(RACK_UNBOUNDED, 0, 0));
	ck_assert_int_eq(rack_local_init_pile(r, RACK_THREADS, NULL, 5), 0);
	ck_assert_uint_eq(rack_depth(r), 5);
	ck_assert_uint_eq(rack_unfinished(r), 5);
	for (i = 0; i < 4; i++) {
		d = rack_get(r, NULL, NULL, NULL);
		ck_assert_uint_eq(d, (dish_t)i);
		rack_task_done(r, NULL);
	}
	/*
	 * A taker killed with dish 4 in its hand: the pile takes it back
	 * (a killed washer's dish is washed again, not lost), still
	 * unfinished, and hands it out again before the end.
	 */
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 4);
	ck_assert_uint_eq(rack_depth(r), 0);
	ck_assert_int_eq(rack_reclaim(r, &h), 1);
	ck_assert_uint_eq(atomic_load(&h.dish), DISH_NONE);
	ck_assert_uint_eq(rack_depth(r), 1);
	ck_assert_uint_eq(rack_unfinished(r), 1);
	ck_assert_int_eq(rack_join(r, 0), 1);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 4);
	ck_assert_uint_eq(rack_taken(r), 5);
	rack_task_done(r, &h);
	ck_assert_int_eq(rack_join(r, 0), 0);
	rack_close(r);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), DISH_NONE);
	free_rack(r);
}
END_TEST

/*
 * A full rack (and a hand-off whose slot holds the next dish) must still
 * take back the dish of a taker that died: the put-back that failed here
 * left the dish unfinished for ever, and join hung (the kill harness).
 */
START_TEST(test_putback_into_a_full_rack)
{
	struct rack	*r;
	struct hand	 h1 = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 }, h2 = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };
	uint32_t	 cap;

	for (cap = 0; cap <= 2; cap += 2) {
		r = alloc_rack(rack_local_size(cap, 100, 2));
		ck_assert_int_eq(rack_local_init(r, RACK_THREADS, NULL, cap, 100, 2),
		    0);
		if (cap > 0) {
			rack_put(r, 1, NULL, NULL);
			rack_put(r, 2, NULL, NULL);
			ck_assert_uint_eq(rack_get(r, &h1, NULL, NULL), 1);
			ck_assert_uint_eq(rack_get(r, &h2, NULL, NULL), 2);
			rack_put(r, 3, NULL, NULL);
			rack_put(r, 4, NULL, NULL);
		} else {
			struct rack_local *l = (struct rack_local *)r;

			l->count = 1;	/* a putter's dish waits in the slot */
			l->slots[0] = 3;
			l->puts = l->unfinished = 3;
			/* Dishes 1 and 2 were taken, and are in hands. */
			atomic_store(&h1.dish, 1);
			atomic_store(&h2.dish, 2);
		}
		/* Both takers die holding their dishes. */
		ck_assert_int_eq(rack_reclaim(r, &h1), 1);
		ck_assert_int_eq(rack_reclaim(r, &h2), 1);
		ck_assert_uint_eq(atomic_load(&h1.dish), DISH_NONE);
		ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 2);
		ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 1);
		ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 3);
		free_rack(r);
	}
}
END_TEST

START_TEST(test_putback_goes_first)
{
	struct rack	*r = new_rack(RACK_UNBOUNDED, 4);
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };

	rack_put(r, 1, NULL, NULL);
	rack_put(r, 2, NULL, NULL);
	ck_assert_uint_eq(rack_get(r, &h, NULL, NULL), 1);
	ck_assert_int_eq(rack_reclaim(r, &h), 1);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 1);
	ck_assert_uint_eq(rack_get(r, NULL, NULL, NULL), 2);
	ck_assert_uint_eq(rack_unfinished(r), 2);
	free_rack(r);
}
END_TEST

#define STRESS_PRODUCERS	4
#define STRESS_CONSUMERS	4
#define STRESS_EACH		20000

struct producer {
	struct rack	*r;
	unsigned	 base;
	unsigned	 refused;	/* puts that failed; must stay 0 */
};

static void *
producer_main(void *arg)
{
	struct producer	*p = arg;
	unsigned	 i;

	/* Counted, not asserted: ck_assert belongs to the test's thread. */
	for (i = 0; i < STRESS_EACH; i++)
		if (rack_put(p->r, p->base + i, NULL, NULL) < 0)
			p->refused++;
	return (NULL);
}

/*
 * The first dish not taken exactly once, or n. One assertion on the
 * result, not one per dish: each passing ck_assert writes to Check's
 * pipe, a syscall per dish.
 */
static size_t
first_not_once(const uint8_t *seen, size_t n)
{
	size_t	i;

	for (i = 0; i < n && seen[i] == 1; i++)
		continue;
	return (i);
}

struct counter {
	struct rack	*r;
	uint8_t		*seen;
	uint64_t	 got;
	int		 pay_later;	/* as a worker: the next get pays */
};

static void *
counter_main(void *arg)
{
	struct counter	*c = arg;
	struct hand	 h = { DISH_NONE, 0, 0, 0, DISH_NONE, 0 };
	dish_t		 d;

	while ((d = rack_get(c->r, &h, NULL, NULL)) != DISH_NONE) {
		/* Each dish has one taker, so this byte has one writer. */
		c->seen[d]++;
		c->got++;
		if (c->pay_later)
			atomic_store(&h.dish, DISH_NONE);	/* put on */
		else
			rack_task_done(c->r, &h);
	}
	ck_assert_int_eq(atomic_load(&h.owes), 0);
	return (NULL);
}

static void *
pile_joiner_main(void *arg)
{
	struct rack	*r = arg;

	ck_assert_int_eq(rack_join(r, -1), 0);
	rack_close(r);
	return (NULL);
}

/* Takers share a pile without its lock: every dish once, join wakes. */
START_TEST(test_pile_many_takers)
{
	enum { N = 200000, T = 4 };
	struct counter		 t[T];
	pthread_t		 th[T], joiner;
	struct rack		*r;
	uint8_t			*seen;
	uint64_t		 total = 0;
	int			 i;

	r = alloc_rack(rack_local_size(RACK_UNBOUNDED, 0, 0));
	ck_assert_int_eq(rack_local_init_pile(r, RACK_THREADS, NULL, N), 0);
	seen = calloc(N, 1);
	pthread_create(&joiner, NULL, pile_joiner_main, r);
	for (i = 0; i < T; i++) {
		t[i] = (struct counter){ .r = r, .seen = seen,
		    .pay_later = 1 };
		pthread_create(&th[i], NULL, counter_main, &t[i]);
	}
	for (i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		total += t[i].got;
	}
	pthread_join(joiner, NULL);
	ck_assert_uint_eq(total, N);
	ck_assert_uint_eq(first_not_once(seen, N), N);
	ck_assert_uint_eq(rack_unfinished(r), 0);
	ck_assert_uint_eq(rack_depth(r), 0);
	ck_assert_uint_eq(rack_taken(r), N);
	free(seen);
	free_rack(r);
}
END_TEST

static void
stress(uint32_t capacity)
{
	const unsigned	 total = STRESS_PRODUCERS * STRESS_EACH;
	struct rack	*r = new_rack(capacity, total);
	struct producer	 p[STRESS_PRODUCERS];
	struct counter	 c[STRESS_CONSUMERS];
	pthread_t	 pt[STRESS_PRODUCERS], ct[STRESS_CONSUMERS];
	uint8_t		*seen = calloc(total, 1);
	uint64_t	 got = 0;
	unsigned	 i;

	for (i = 0; i < STRESS_CONSUMERS; i++) {
		c[i] = (struct counter){ .r = r, .seen = seen };
		pthread_create(&ct[i], NULL, counter_main, &c[i]);
	}
	for (i = 0; i < STRESS_PRODUCERS; i++) {
		p[i] = (struct producer){ .r = r, .base = i * STRESS_EACH };
		pthread_create(&pt[i], NULL, producer_main, &p[i]);
	}
	for (i = 0; i < STRESS_PRODUCERS; i++) {
		pthread_join(pt[i], NULL);
		ck_assert_uint_eq(p[i].refused, 0);
	}
	ck_assert_int_eq(rack_join(r, -1), 0);
	rack_close(r);
	for (i = 0; i < STRESS_CONSUMERS; i++) {
		pthread_join(ct[i], NULL);
		got += c[i].got;
	}
	ck_assert_uint_eq(got, total);
	ck_assert_uint_eq(first_not_once(seen, total), total);
	if (capacity != RACK_UNBOUNDED)
		ck_assert_uint_le(rack_max_depth(r),
		    capacity == 0 ? 0 : capacity);
	free(seen);
	free_rack(r);
}

START_TEST(test_stress_unbounded)
{
	stress(RACK_UNBOUNDED);
}
END_TEST

START_TEST(test_stress_bounded)
{
	stress(8);
}
END_TEST

START_TEST(test_stress_handoff)
{
	stress(0);
}
END_TEST

static Suite *
rack_suite(void)
{
	Suite	*s = suite_create("rack");
	TCase	*tc = tcase_create("semantics");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fifo_unbounded);
	tcase_add_test(tc, test_bounded_blocks_putter);
	tcase_add_test(tc, test_handoff_waits_for_taker);
	tcase_add_test(tc, test_handoff_blocks_until_taken);
	tcase_add_test(tc, test_join_timeout_and_done);
	tcase_add_test(tc, test_get_pays_what_the_hand_owes);
	tcase_add_test(tc, test_close_drains_then_ends);
	tcase_add_test(tc, test_leaving_hand_gives_up_the_wait);
	tcase_add_test(tc, test_abort_wakes_waiters);
	tcase_add_test(tc, test_pile);
	tcase_add_test(tc, test_pile_many_takers);
	tcase_add_test(tc, test_putback_goes_first);
	tcase_add_test(tc, test_putback_into_a_full_rack);
	suite_add_tcase(s, tc);

	tc = tcase_create("stress");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_stress_unbounded);
	tcase_add_test(tc, test_stress_bounded);
	tcase_add_test(tc, test_stress_handoff);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(rack_suite)
