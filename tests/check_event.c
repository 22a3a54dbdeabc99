/*
 * check_event.c: the event rings: order, the 16-byte record's time and
 * kind, wrap-around, a full ring that waits or (abandoned) drops, and one
 * producer racing one consumer with every event checked.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "check_main.h"

static struct ev_ring *
new_ring(uint32_t n)
{
	void	*p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 64, ev_ring_size(n)), 0);
	memset(p, 0, ev_ring_size(n));
	ev_ring_init(p, n);
	return (p);
}

START_TEST(test_fields_round_trip)
{
	struct ev_ring	*r = new_ring(8);
	struct event	 out[8];
	int64_t		 big = (int64_t)400 * 24 * 3600 * 1000000000LL;

	ev_ring_put(r, 0, EV_SPAWN, UINT32_MAX, 12345);
	ev_ring_put(r, 2000000000, EV_GET, 7, 3);
	ev_ring_put(r, big, EV_CONTROL, 0, -1);
	ck_assert_uint_eq(ev_ring_take(r, out, 8, 5, 2), 3);
	ck_assert_int_eq(out[0].t, 0);
	ck_assert_uint_eq(out[0].kind, EV_SPAWN);
	ck_assert_uint_eq(out[0].dish, UINT32_MAX);
	ck_assert_int_eq(out[0].arg, 12345);
	ck_assert_uint_eq(out[0].worker, 5);
	ck_assert_uint_eq(out[0].station, 2);
	ck_assert_int_eq(out[1].t, 2000000000);
	ck_assert_uint_eq(out[1].kind, EV_GET);
	ck_assert_uint_eq(out[1].dish, 7);
	ck_assert_int_eq(out[1].arg, 3);
	/* Four hundred days of scenario time still fit beside the kind. */
	ck_assert_int_eq(out[2].t, big);
	ck_assert_uint_eq(out[2].kind, EV_CONTROL);
	ck_assert_int_eq(out[2].arg, -1);
	ck_assert_uint_eq(ev_ring_take(r, out, 8, 5, 2), 0);
	free(r);
}
END_TEST

START_TEST(test_wraps_in_order)
{
	struct ev_ring	*r = new_ring(4);
	struct event	 out[3];
	uint32_t	 next = 0, i;
	size_t		 n, j;

	for (i = 0; i < 100; i++) {
		ev_ring_put(r, i, EV_PUT, i, 0);
		if (i % 3 == 2) {
			n = ev_ring_take(r, out, 3, 0, 0);
			for (j = 0; j < n; j++)
				ck_assert_uint_eq(out[j].dish, next++);
		}
	}
	while ((n = ev_ring_take(r, out, 3, 0, 0)) > 0)
		for (j = 0; j < n; j++)
			ck_assert_uint_eq(out[j].dish, next++);
	ck_assert_uint_eq(next, 100);
	free(r);
}
END_TEST

START_TEST(test_abandoned_drops)
{
	struct ev_ring	*r = new_ring(4);
	struct event	 out[8];
	int		 i;

	atomic_store(&r->abandoned, 1);
	for (i = 0; i < 10; i++)
		ev_ring_put(r, i, EV_DONE, (uint32_t)i, 0);
	ck_assert_uint_eq(atomic_load(&r->dropped), 6);
	/* The oldest are kept: the record is what happened first. */
	ck_assert_uint_eq(ev_ring_take(r, out, 8, 0, 0), 4);
	ck_assert_uint_eq(out[0].dish, 0);
	ck_assert_uint_eq(out[3].dish, 3);
	free(r);
}
END_TEST

/*
 * Thousands of wrap-arounds of the 64-slot ring below. Not more: on a
 * loaded machine a wrap may cost the producer a scheduler tick.
 */
#define STRESS_N	500000

static void *
producer_main(void *arg)
{
	struct ev_ring	*r = arg;
	uint32_t	 i;

	for (i = 0; i < STRESS_N; i++)
		ev_ring_put(r, (int64_t)i * 3, (enum ev_kind)(i % EV_NKINDS),
		    i, (int32_t)~i);
	return (NULL);
}

/* A small ring makes the producer wait on the consumer many times. */
START_TEST(test_one_producer_one_consumer)
{
	struct ev_ring	*r = new_ring(64);
	struct event	 out[16];
	pthread_t	 th;
	uint32_t	 next = 0;
	size_t		 n, j;

	pthread_create(&th, NULL, producer_main, r);
	while (next < STRESS_N) {
		n = ev_ring_take(r, out, 16, 9, 1);
		if (n == 0)
			sched_yield();	/* the producer may share our core */
		/*
		 * Plain comparisons, one assertion per batch: every passing
		 * ck_assert is a write to Check's pipe, which made this test
		 * a syscall benchmark.
		 */
		for (j = 0; j < n; j++, next++) {
			if (out[j].dish != next ||
			    out[j].t != (int64_t)next * 3 ||
			    out[j].kind != next % EV_NKINDS ||
			    out[j].arg != (int32_t)~next)
				break;
		}
		ck_assert_msg(j == n, "event %u: dish %u t %lld kind %d arg %d",
		    next, out[j].dish, (long long)out[j].t, (int)out[j].kind,
		    (int)out[j].arg);
	}
	pthread_join(th, NULL);
	ck_assert_uint_eq(ev_ring_take(r, out, 16, 9, 1), 0);
	ck_assert_uint_eq(atomic_load(&r->dropped), 0);
	free(r);
}
END_TEST

static Suite *
event_suite(void)
{
	Suite	*s = suite_create("event");
	TCase	*tc = tcase_create("ring");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fields_round_trip);
	tcase_add_test(tc, test_wraps_in_order);
	tcase_add_test(tc, test_abandoned_drops);
	tcase_add_test(tc, test_one_producer_one_consumer);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(event_suite)
