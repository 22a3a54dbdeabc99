/*
 * check_stats.c: figures from hand-made events: busy fractions, the
 * bottleneck, and conservation catching a lost and a duplicated dish.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "rack.h"
#include "stats.h"
#include "check_main.h"

#define SEC	NSEC_PER_SEC

/* A scenario of n stations with given counts and fixed times (seconds). */
static struct scenario *
make_scenario(unsigned n, const unsigned *count, const double *secs,
    uint64_t dishes)
{
	struct scenario	*scn = calloc(1, sizeof *scn);
	unsigned	 i;

	scn->nstations = n;
	scn->ndishes = dishes;
	scn->rack = RACK_UNBOUNDED;
	for (i = 0; i < n; i++) {
		snprintf(scn->stations[i].name, SCN_NAME_MAX, "s%u", i);
		scn->stations[i].count = count[i];
		scn->stations[i].time.kind = DIST_FIXED;
		scn->stations[i].time.a_ns = (int64_t)(secs[i] * 1e9);
	}
	return (scn);
}

static void
ev(struct stats *s, int64_t t, uint32_t w, uint16_t st, int kind,
    uint32_t dish, int32_t arg)
{
	struct event	e = { .t = t, .worker = w, .station = st,
			    .kind = (uint16_t)kind, .dish = dish, .arg = arg };

	stats_event(&e, s);
}

/* One dish through one worker: get, work from t to t+d, put, done. */
static void
dish_through(struct stats *s, uint32_t w, uint16_t st, uint32_t dish,
    int64_t t, int64_t d, int last)
{
	ev(s, t, w, st, EV_GET, dish, 0);
	ev(s, t, w, st, EV_WORK, dish, 0);
	ev(s, t + d, w, st, EV_WORKED, dish, 0);
	if (!last)
		ev(s, t + d, w, st, EV_PUT, dish, 1);
	else
		ev(s, t + d, w, st, EV_DONE, dish, 0);
}

/* The lecture's threads run, as events: 12 s, busy two thirds. */
START_TEST(test_lecture_figures)
{
	const unsigned	 count[] = { 1, 2 };
	const double	 secs[] = { 2, 4 };
	struct scenario	*scn = make_scenario(2, count, secs, 4);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 12 * SEC,
			    .pile_takes = 4, .live = { 1, 2 } };
	unsigned	 i;

	stats_init(&s, scn);
	ev(&s, 0, 0, 0, EV_SPAWN, DISH_NONE, 0);
	ev(&s, 0, 1, 1, EV_SPAWN, DISH_NONE, 0);
	ev(&s, 0, 2, 1, EV_SPAWN, DISH_NONE, 0);
	for (i = 0; i < 4; i++)
		dish_through(&s, 0, 0, i, i * 2 * SEC, 2 * SEC, 0);
	for (i = 0; i < 4; i++)
		dish_through(&s, 1 + i % 2, 1, i, (i + 1) * 2 * SEC, 4 * SEC,
		    1);
	stats_compute(&s, &end);
	ck_assert_uint_eq(s.washed, 4);
	ck_assert_uint_eq(s.dried, 4);
	ck_assert_int_eq(s.conserved, 1);
	ck_assert_int_eq(s.complete, 1);
	/* Each station took four in and let four out. */
	ck_assert_uint_eq(s.st[0].got, 4);
	ck_assert_uint_eq(s.st[1].got, 4);
	ck_assert_uint_eq(s.st[1].dishes, 4);
	ck_assert_double_eq_tol(s.st[0].busy_fraction, 8.0 / 12.0, 1e-9);
	ck_assert_double_eq_tol(s.st[1].busy_fraction, 16.0 / 24.0, 1e-9);
	ck_assert_double_eq_tol(s.throughput, 4.0 / 12.0, 1e-9);
	/* Equal capacity (0.5/s) and equal busyness: downstream is named. */
	ck_assert_int_eq(s.bottleneck, 1);
	ck_assert_uint_eq(s.max_rack_depth, 1);
	stats_free(&s);
	free(scn);
}
END_TEST

START_TEST(test_bottleneck_slowest_station)
{
	const unsigned	 count[] = { 1, 1, 1 };
	const double	 secs[] = { 1, 3, 0.5 };
	const double	 fast[] = { 3, 1, 0.5 };
	struct scenario	*scn = make_scenario(3, count, secs, 0);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = SEC };

	stats_init(&s, scn);
	stats_compute(&s, &end);
	ck_assert_int_eq(s.bottleneck, 1);
	stats_free(&s);
	free(scn);

	scn = make_scenario(3, count, fast, 0);
	end.scn = scn;
	stats_init(&s, scn);
	stats_compute(&s, &end);
	ck_assert_int_eq(s.bottleneck, 0);
	stats_free(&s);
	free(scn);
}
END_TEST

START_TEST(test_bottleneck_more_workers_move_it)
{
	const unsigned	 count[] = { 1, 4 };
	const double	 secs[] = { 1, 3 };
	struct scenario	*scn = make_scenario(2, count, secs, 0);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = SEC };

	/* Four dryers of 3 s (1.33/s) outrun one washer of 1 s. */
	stats_init(&s, scn);
	stats_compute(&s, &end);
	ck_assert_int_eq(s.bottleneck, 0);
	stats_free(&s);
	free(scn);
}
END_TEST

/*
 * The times say the washer (1 s) is slower than the dryer (0.5 s), but
 * the run's dryer took 3 s a dish (a [script] slowed it): measured, the
 * dryer is the bottleneck; the times alone still predict the washer.
 */
START_TEST(test_bottleneck_measured_not_predicted)
{
	const unsigned	 count[] = { 1, 1 };
	const double	 secs[] = { 1, 0.5 };
	struct scenario	*scn = make_scenario(2, count, secs, 4);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 13 * SEC,
			    .pile_takes = 4, .live = { 1, 1 } };
	unsigned	 i;

	stats_init(&s, scn);
	ev(&s, 0, 0, 0, EV_SPAWN, DISH_NONE, 0);
	ev(&s, 0, 1, 1, EV_SPAWN, DISH_NONE, 0);
	for (i = 0; i < 4; i++)
		dish_through(&s, 0, 0, i, i * SEC, SEC, 0);
	for (i = 0; i < 4; i++)
		dish_through(&s, 1, 1, i, SEC + i * 3 * SEC, 3 * SEC, 1);
	stats_compute(&s, &end);
	ck_assert_int_eq(s.bottleneck_measured, 1);
	ck_assert_int_eq(s.bottleneck, 1);
	ck_assert_int_eq(s.bottleneck_predicted, 0);
	/* The capacity is the times': the dryer's 2/s, not its 1/3 s. */
	ck_assert_double_eq_tol(s.st[1].capacity_per_s, 2.0, 1e-9);
	stats_free(&s);
	free(scn);
}
END_TEST

/* Nothing through the line yet: too soon to measure, the times decide. */
START_TEST(test_bottleneck_too_soon_is_predicted)
{
	const double	 busy[] = { 1.0, 0.2 };

	ck_assert_int_eq(stats_busiest(busy, 2, 0), -1);
	ck_assert_int_eq(stats_busiest(busy, 2, 1), 0);
	/* Upstream as busy as downstream: downstream is the bottleneck. */
	ck_assert_int_eq(stats_busiest((const double []){ 1.0, 0.99 }, 2, 1),
	    1);
}
END_TEST

START_TEST(test_lost_dish_breaks_conservation)
{
	const unsigned	 count[] = { 1, 1 };
	const double	 secs[] = { 1, 1 };
	struct scenario	*scn = make_scenario(2, count, secs, 3);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 5 * SEC,
			    .pile_takes = 3 };

	stats_init(&s, scn);
	dish_through(&s, 0, 0, 0, 0, SEC, 0);
	dish_through(&s, 0, 0, 1, SEC, SEC, 0);
	dish_through(&s, 0, 0, 2, 2 * SEC, SEC, 0);
	dish_through(&s, 1, 1, 0, SEC, SEC, 1);
	/* Dish 1 is in the rack, dish 2 nowhere. */
	end.rack_count[1] = 1;
	stats_compute(&s, &end);
	ck_assert_uint_eq(s.taken, 3);
	ck_assert_uint_eq(s.lost, 1);
	ck_assert_int_eq(s.conserved, 0);
	ck_assert_int_eq(s.complete, 0);

	/* Found in a hand, it balances (an interrupted run). */
	end.in_hands = 1;
	stats_compute(&s, &end);
	ck_assert_uint_eq(s.lost, 0);
	ck_assert_int_eq(s.conserved, 1);
	ck_assert_int_eq(s.complete, 0);
	stats_free(&s);
	free(scn);
}
END_TEST

START_TEST(test_duplicate_dish_is_caught)
{
	const unsigned	 count[] = { 1 };
	const double	 secs[] = { 1 };
	struct scenario	*scn = make_scenario(1, count, secs, 2);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 3 * SEC,
			    .pile_takes = 2 };

	stats_init(&s, scn);
	dish_through(&s, 0, 0, 0, 0, SEC, 1);
	dish_through(&s, 0, 0, 0, SEC, SEC, 1);
	stats_compute(&s, &end);
	ck_assert_uint_eq(s.duplicated, 1);
	ck_assert_int_eq(s.conserved, 0);
	stats_free(&s);
	free(scn);
}
END_TEST

START_TEST(test_retired_worker_counts_until_it_left)
{
	const unsigned	 count[] = { 2 };
	const double	 secs[] = { 1 };
	struct scenario	*scn = make_scenario(1, count, secs, 2);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 4 * SEC,
			    .pile_takes = 2 };

	stats_init(&s, scn);
	ev(&s, 0, 0, 0, EV_SPAWN, DISH_NONE, 0);
	ev(&s, 0, 1, 0, EV_SPAWN, DISH_NONE, 0);
	dish_through(&s, 0, 0, 0, 0, SEC, 1);
	dish_through(&s, 1, 0, 1, 0, SEC, 1);
	ev(&s, 2 * SEC, 1, 0, EV_EXIT, DISH_NONE, EXIT_RETIRED);
	stats_compute(&s, &end);
	/* 2 s busy over 4 s + 2 s present. */
	ck_assert_double_eq_tol(s.st[0].busy_fraction, 2.0 / 6.0, 1e-9);
	stats_free(&s);
	free(scn);
}
END_TEST

/* The screen's caption: the last [script] say or pause, never a set. */
START_TEST(test_caption_follows_the_script)
{
	const unsigned		 count[] = { 1 };
	const double		 secs[] = { 1 };
	struct scenario		*scn = make_scenario(1, count, secs, 1);
	struct script_step	 steps[5];
	struct stats		 s;
	char			 words[] = "look", worker[] = "s0-1";

	memset(steps, 0, sizeof steps);
	steps[0].kind = STEP_SAY;
	steps[1].kind = STEP_SET;
	steps[2].kind = STEP_PAUSE;
	steps[2].text = words;
	/* A kill, and a pause without words, leave the caption be. */
	steps[3].kind = STEP_KILL;
	steps[3].text = worker;
	steps[4].kind = STEP_PAUSE;
	scn->script = steps;
	scn->nscript = 5;
	stats_init(&s, scn);
	ck_assert_int_eq(s.caption, -1);
	ev(&s, 0, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 0);
	ck_assert_int_eq(s.caption, 0);
	ev(&s, 1, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 1);
	ck_assert_int_eq(s.caption, 0);
	ev(&s, 2, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 2);
	ck_assert_int_eq(s.caption, 2);
	ev(&s, 3, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 7);	/* no such step */
	ck_assert_int_eq(s.caption, 2);
	ev(&s, 4, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 3);
	ck_assert_int_eq(s.caption, 2);
	ev(&s, 5, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 4);
	ck_assert_int_eq(s.caption, 2);
	stats_free(&s);
	free(scn);
}
END_TEST

/*
 * Over a network the taker may stamp its get before the giver stamps the
 * put: the dish waited no time, and the rack's mean depth is not below 0.
 */
START_TEST(test_get_stamped_before_its_put)
{
	const unsigned	 count[] = { 1, 1 };
	const double	 secs[] = { 1, 1 };
	struct scenario	*scn = make_scenario(2, count, secs, 2);
	struct stats	 s;
	struct stats_end end = { .scn = scn, .t_end = 4 * SEC,
			    .pile_takes = 2, .live = { 1, 1 } };
	uint32_t	 i;

	stats_init(&s, scn);
	ev(&s, 0, 0, 0, EV_SPAWN, DISH_NONE, 0);
	ev(&s, 0, 1, 1, EV_SPAWN, DISH_NONE, 0);
	for (i = 0; i < 2; i++) {
		ev(&s, i * SEC, 0, 0, EV_GET, i, 0);
		/* The dryer's get, a millisecond before the washer's put. */
		ev(&s, (i + 1) * SEC - SEC / 1000, 1, 1, EV_GET, i, 0);
		ev(&s, (i + 1) * SEC, 0, 0, EV_PUT, i, 1);
		ev(&s, (i + 2) * SEC, 1, 1, EV_DONE, i, 0);
	}
	stats_compute(&s, &end);
	ck_assert(s.queue[1].mean_l >= 0);
	ck_assert_double_eq_tol(s.queue[1].mean_l, 0, 1e-9);
	ck_assert_double_eq_tol(s.queue[1].mean_w, 0, 1e-9);
	stats_free(&s);
	free(scn);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite	*s = suite_create("stats");
	TCase	*tc = tcase_create("figures");

	tcase_add_test(tc, test_lecture_figures);
	tcase_add_test(tc, test_bottleneck_slowest_station);
	tcase_add_test(tc, test_bottleneck_more_workers_move_it);
	tcase_add_test(tc, test_bottleneck_measured_not_predicted);
	tcase_add_test(tc, test_bottleneck_too_soon_is_predicted);
	tcase_add_test(tc, test_lost_dish_breaks_conservation);
	tcase_add_test(tc, test_duplicate_dish_is_caught);
	tcase_add_test(tc, test_retired_worker_counts_until_it_left);
	tcase_add_test(tc, test_caption_follows_the_script);
	tcase_add_test(tc, test_get_stamped_before_its_put);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(stats_suite)
