/*
 * check_threads.c: real pthreads on the real clock. Timing is compared with
 * the virtual clock's prediction, never with a constant.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>

#include "run.h"
#include "runutil.h"
#include "check_main.h"

/* Does out hold a line that is none of the whole lines a worker says? */
static int
has_mixed_line(const char *out)
{
	static const char *const whole[] = {
		"Washing salad", "Washing bread", "Washing entree",
		"Washing dessert", "Drying salad", "Drying bread",
		"Drying entree", "Drying dessert", NULL
	};
	const char	*p = out, *nl;
	size_t		 n;
	int		 i, ok;

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		n = (size_t)(nl - p);
		ok = 0;
		for (i = 0; whole[i] != NULL; i++) {
			if (strlen(whole[i]) == n && strncmp(p, whole[i], n) == 0)
				ok = 1;
		}
		if (!ok)
			return (1);
	}
	return (0);
}

/*
 * Every arena allocation engine_create makes may fail: each failure is an
 * error, never a crash (a scenario with a GIL, a cupboard, named locks
 * and three stations reaches every one).
 */
#define TEST_EVERY_PART \
	"[scenario]\nmode = %s\ndishes = 4\ngil = on\n[washer]\ntime = 0\n" \
	"[dryer]\ntime = 0\nneeds = towel cloth\n[stacker]\ntime = 0\n" \
	"rack = 2\n[cupboard]\nlock = mutex\n"

START_TEST(test_speed_matches_virtual_prediction)
{
	struct test_run	 r;
	double		 ratio;

	ratio = test_run_against_prediction(&r, "seed-threads", 20.0);
	ck_assert_msg(ratio > 0.9 && ratio < 1.1,
	    "the run took %.3fx the predicted time", ratio);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_uint_eq(r.st.dried, 4);
	test_run_free(&r);
}
END_TEST

/* The lecture's garbled lines, for real: some run shows one. */
START_TEST(test_parts_interleave)
{
	struct test_run	 r;
	char		*text = test_scenario_text("seed-threads");
	int		 run, mixed = 0;

	for (run = 0; run < 8 && !mixed; run++) {
		ck_assert_int_eq(test_run(&r, text, NULL, 0, 10.0, 0), 0);
		mixed = has_mixed_line(r.out);
		ck_assert_int_eq(r.st.complete, 1);
		test_run_free(&r);
	}
	ck_assert_msg(mixed, "no run of eight interleaved its output");
	free(text);
}
END_TEST

/* Whole lines under a lock never mix. */
START_TEST(test_lines_never_interleave)
{
	struct test_run	 r;
	char		*text = test_scenario_text("seed-threads");
	const char	*sets[] = { "scenario.output=lines", NULL };
	int		 run;

	for (run = 0; run < 3; run++) {
		ck_assert_int_eq(test_run(&r, text, sets, 0, 10.0, 0), 0);
		ck_assert_msg(!has_mixed_line(r.out), "mixed: %s", r.out);
		test_run_free(&r);
	}
	free(text);
}
END_TEST

START_TEST(test_zero_work_conserves)
{
	struct test_run	 r;
	const char	*text = "[scenario]\ndishes = 50000\n"
	    "[washer]\ncount = 2\ntime = 0\n[dryer]\ncount = 3\ntime = 0\n"
	    "[stacker]\ncount = 2\ntime = 0\nrack = 4\n";

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 50000);
	ck_assert_uint_eq(r.st.duplicated, 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_uint_le(r.st.rk[2].max_depth, 4);
	test_run_free(&r);
}
END_TEST

START_TEST(test_cpu_work_computes)
{
	struct test_run	 r;
	const char	*text = "[scenario]\ndishes = 4\n"
	    "[washer]\ntime = 50ms\nwork = cpu\n";

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_int_ge(r.st.t_end, 200 * NSEC_PER_MSEC);
	test_run_free(&r);
}
END_TEST

/* Interrupted mid-dish: every dish is still somewhere. */
START_TEST(test_stop_keeps_dishes)
{
	struct test_run	 r;
	char		*text = test_scenario_text("seed-threads");

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0,
	    300 * NSEC_PER_MSEC), 0);
	ck_assert_int_eq(r.interrupted, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_int_eq(r.st.complete, 0);
	ck_assert_uint_ge(r.st.in_hands, 1);
	test_run_free(&r);
	free(text);
}
END_TEST

/*
 * A worker removed while it waits for a dish leaves at once, without one,
 * well before the next dish comes (the washer takes 2 s a dish); the one
 * picked is a waiting one, not one with a dish to finish.
 */
START_TEST(test_removed_waiting_worker_leaves_at_once)
{
	static const char text[] = "[scenario]\ndishes = 2\n[washer]\n"
	    "time = 2s\n[dryer]\ncount = 3\ntime = 0\n";
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	struct run		*run;
	char			*cause = NULL;
	unsigned		 i, exited = 0, tries;

	scn = scenario_parse("test", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(scn);
	memset(&eo, 0, sizeof eo);
	eo.speed = 1.0;
	eo.output_fd = -1;
	eng = engine_create(scn, &eo, &cause);
	ck_assert_ptr_nonnull(eng);
	ck_assert_int_eq(engine_start(eng, &cause), 0);
	run = engine_run(eng);
	clock_sleep_ns(100 * NSEC_PER_MSEC);
	ck_assert_int_eq(engine_remove_worker(eng, 1, &cause), 0);
	for (tries = 0; tries < 100 && exited == 0; tries++) {
		clock_sleep_ns(10 * NSEC_PER_MSEC);
		for (i = 0; i < atomic_load(&run->used); i++) {
			if (run->slots[i].station == 1 &&
			    atomic_load(&run->slots[i].state) == WS_EXITED)
				exited++;
		}
	}
	ck_assert_uint_eq(exited, 1);
	/* Gone within a second, long before the first dish was washed. */
	ck_assert_int_lt(engine_now(eng), 1500 * NSEC_PER_MSEC);
	engine_stop(eng);
	engine_destroy(eng);
}
END_TEST

/*
 * Workers of the last station removed while they work leave with their
 * last dish done and its task_done paid: the run ends (it hung: join
 * waited for the two task_dones they took away).
 */
START_TEST(test_removed_working_workers_let_the_run_end)
{
	struct test_run	 r;

	ck_assert_int_eq(test_run(&r, TEST_SHRINK_LAST_STATION, NULL, 0,
	    10.0, 0), 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_uint_eq(r.st.dried, 12);
	test_run_free(&r);
}
END_TEST

START_TEST(test_create_fails_cleanly_at_every_allocation)
{
	static const char *const modes[] = { "threads", "async" };
	char	 text[512];
	unsigned i;

	for (i = 0; i < 2; i++) {
		snprintf(text, sizeof text, TEST_EVERY_PART, modes[i]);
		ck_assert_uint_ge(test_create_failures(text, 0), 8);
		ck_assert_uint_ge(test_create_failures(text, 1), 8);
	}
}
END_TEST

static Suite *
threads_suite(void)
{
	Suite	*s = suite_create("threads");
	TCase	*tc = tcase_create("real");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_speed_matches_virtual_prediction);
	tcase_add_test(tc, test_removed_working_workers_let_the_run_end);
	tcase_add_test(tc, test_parts_interleave);
	tcase_add_test(tc, test_lines_never_interleave);
	tcase_add_test(tc, test_zero_work_conserves);
	tcase_add_test(tc, test_cpu_work_computes);
	tcase_add_test(tc, test_stop_keeps_dishes);
	tcase_add_test(tc, test_removed_waiting_worker_leaves_at_once);
	tcase_add_test(tc, test_create_fails_cleanly_at_every_allocation);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(threads_suite)
