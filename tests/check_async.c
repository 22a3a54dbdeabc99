/*
 * check_async.c: workers as coroutines on one event-loop thread, on the
 * real clock. Times are compared with the virtual clock's prediction for
 * the same scenario, never with a constant; what must be exact is checked
 * on the virtual clock.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>

#include "run.h"
#include "runutil.h"
#include "check_main.h"

#define MS	NSEC_PER_MSEC
#define SEC	NSEC_PER_SEC

static const char *const cpu_dryers[] = { "dryer.work=cpu", NULL };

/* Every task runs on the loop's thread; threads mode has one each. */
START_TEST(test_tasks_share_one_thread)
{
	struct test_run	 a, t;
	char		*text = test_scenario_text("async");
	const char	*threads[] = { "scenario.mode=threads", NULL };

	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(test_run(&a, text, NULL, 0, 20.0, 0), 0);
	ck_assert_int_eq(test_run(&t, text, threads, 0, 20.0, 0), 0);
	ck_assert_uint_eq(a.threads, 1);
	ck_assert_uint_eq(t.threads, 3);
	ck_assert_int_eq(a.st.complete && a.st.conserved, 1);
	test_run_free(&a);
	test_run_free(&t);
	free(text);
}
END_TEST

/* What theory says: I/O waits overlap, computation does not. */
START_TEST(test_virtual_prediction)
{
	struct test_run	 io, cpu, threads_cpu;
	char		*text = test_scenario_text("async");
	const char	*threads[] = { "scenario.mode=threads",
	    "scenario.cores=2", "dryer.work=cpu", NULL };

	ck_assert_int_eq(test_run(&io, text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(test_run(&cpu, text, cpu_dryers, 1, 1.0, 0), 0);
	ck_assert_int_eq(test_run(&threads_cpu, text, threads, 1, 1.0, 0), 0);
	/* As seed-threads: the dryers take the last dish at 8 s, done at 12. */
	ck_assert_int_eq(io.st.t_end, 12 * SEC);
	/* Each dryer holds the loop 4 s; the washer's timers fire late. */
	ck_assert_int_eq(cpu.st.t_end, 18 * SEC);
	ck_assert_int_eq(test_run_time(&cpu, 0, EV_PUT, 1), 6 * SEC);
	/* Two threads on two cores would not wait for each other. */
	ck_assert_int_eq(threads_cpu.st.t_end, 12 * SEC);
	test_run_free(&io);
	test_run_free(&cpu);
	test_run_free(&threads_cpu);
	free(text);
}
END_TEST

/* The real loop keeps to the prediction, waits and all. */
START_TEST(test_io_matches_prediction)
{
	struct test_run	 r;
	double		 ratio;

	ratio = test_run_against_prediction(&r, "async", 20.0);
	ck_assert_msg(ratio > 0.9 && ratio < 1.1,
	    "the run took %.3fx the predicted time", ratio);
	ck_assert_uint_eq(r.st.dried, 4);
	ck_assert_int_eq(r.st.conserved, 1);
	test_run_free(&r);
}
END_TEST

/*
 * A computing dryer really holds the loop: the washer's second dish goes
 * in at 6 s (when dryer-1 lets go), not at 4 s. Lower bounds only: a busy
 * machine makes computing slower, never faster.
 */
START_TEST(test_cpu_holds_the_loop)
{
	struct test_run	 r;
	char		*text = test_scenario_text("async");
	int64_t		 put;

	ck_assert_int_eq(test_run(&r, text, cpu_dryers, 0, 10.0, 0), 0);
	ck_assert_int_eq(r.st.complete, 1);
	put = test_run_time(&r, 0, EV_PUT, 1);
	ck_assert_msg(put >= 5700 * MS, "second dish in at %.3f s, not after "
	    "the first dryer's 4 s of computing", (double)put / 1e9);
	ck_assert_int_ge(r.st.t_end, 17 * SEC);
	ck_assert_uint_eq(r.threads, 1);
	test_run_free(&r);
	free(text);
}
END_TEST

/* print() has no await inside: parts never mix, whatever the timing. */
START_TEST(test_lines_never_mix)
{
	struct test_run	 r;
	const char	*text = "[scenario]\nmode = async\ndishes = 300\n"
	    "output = parts\n[washer]\ntime = 0\nsay = Washing {dish}\n"
	    "[dryer]\ncount = 8\ntime = 1ms..3ms\nsay = Drying {dish}\n";
	const char	*p, *nl;

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 300);
	for (p = r.out; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		ck_assert_msg((strncmp(p, "Washing ", 8) == 0 &&
		    memchr(p + 8, ' ', (size_t)(nl - p - 8)) == NULL) ||
		    (strncmp(p, "Drying ", 7) == 0 &&
		    memchr(p + 7, ' ', (size_t)(nl - p - 7)) == NULL),
		    "mixed line: %.*s", (int)(nl - p), p);
	}
	test_run_free(&r);
}
END_TEST

/* Many tasks, three stations, a hand-off: every dish once, none lost. */
START_TEST(test_zero_work_conserves)
{
	struct test_run	 r;
	const char	*text = "[scenario]\nmode = async\ndishes = 20000\n"
	    "[washer]\ncount = 2\ntime = 0\n[dryer]\ncount = 50\ntime = 0\n"
	    "rack = 0\n[stacker]\ncount = 3\ntime = 0\nrack = 4\n";

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 20000);
	ck_assert_uint_eq(r.st.duplicated, 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_uint_eq(r.st.rk[1].max_depth, 0);
	ck_assert_uint_le(r.st.rk[2].max_depth, 4);
	ck_assert_uint_eq(r.threads, 1);
	test_run_free(&r);
}
END_TEST

/* Interrupted mid-dish: every dish is still somewhere. */
START_TEST(test_stop_keeps_dishes)
{
	struct test_run	 r;
	char		*text = test_scenario_text("async");

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 300 * MS), 0);
	ck_assert_int_eq(r.interrupted, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_int_eq(r.st.complete, 0);
	ck_assert_uint_ge(r.st.in_hands, 1);
	test_run_free(&r);
	free(text);
}
END_TEST

/* Two tasks awaiting each other's lock: the loop sees nobody can run. */
START_TEST(test_deadlock_found)
{
	struct test_run	 r;
	char		*text = test_scenario_text("deadlock");
	const char	*sets[] = { "scenario.mode=async", NULL };

	ck_assert_int_eq(test_run(&r, text, sets, 0, 10.0, 0), 0);
	ck_assert_int_eq(r.deadlock, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	test_run_free(&r);
	free(text);
}
END_TEST

/*
 * Workers added and removed while the loop runs: a new task starts at
 * once, and one removed while it waits for a dish leaves at once, though
 * the loop is asleep until the washer's next dish.
 */
START_TEST(test_add_and_remove_while_running)
{
	static const char text[] = "[scenario]\nmode = async\ndishes = 2\n"
	    "[washer]\ntime = 2s\n[dryer]\ncount = 1\ntime = 0\n";
	struct engine_opts	 eo;
	struct scenario		*scn;
	struct engine		*eng;
	struct run		*run;
	char			*cause = NULL;
	unsigned		 i, waiting, exited, tries;

	scn = scenario_parse("test", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(scn);
	memset(&eo, 0, sizeof eo);
	eo.speed = 1.0;
	eo.output_fd = -1;
	eo.spare_slots = 4;
	eng = engine_create(scn, &eo, &cause);
	ck_assert_ptr_nonnull(eng);
	ck_assert_int_eq(engine_start(eng, &cause), 0);
	run = engine_run(eng);
	clock_sleep_ns(100 * MS);
	ck_assert_int_eq(engine_add_worker(eng, 1, &cause), 0);
	for (tries = 0, waiting = 0; tries < 100 && waiting < 2; tries++) {
		clock_sleep_ns(10 * MS);
		for (i = 0, waiting = 0; i < atomic_load(&run->used); i++)
			if (run->slots[i].station == 1 &&
			    atomic_load(&run->slots[i].state) == WS_WAIT_GET)
				waiting++;
	}
	ck_assert_uint_eq(waiting, 2);
	ck_assert_int_eq(engine_remove_worker(eng, 1, &cause), 0);
	for (tries = 0, exited = 0; tries < 100 && exited == 0; tries++) {
		clock_sleep_ns(10 * MS);
		for (i = 0; i < atomic_load(&run->used); i++)
			if (run->slots[i].station == 1 &&
			    atomic_load(&run->slots[i].state) == WS_EXITED)
				exited++;
	}
	ck_assert_uint_eq(exited, 1);
	ck_assert_int_lt(engine_now(eng), 1500 * MS);
	engine_stop(eng);
	engine_destroy(eng);
}
END_TEST

/*
 * A [script] step long after the end does not keep the loop: the run is
 * over when its dishes are (the case's timeout is far below the step).
 */
START_TEST(test_script_does_not_outlive_the_run)
{
	struct test_run	 r;
	const char	*text = "[scenario]\nmode = async\ndishes = 3\n"
	    "[washer]\ntime = 10ms\n[dryer]\ntime = 10ms\n"
	    "[script]\n0s say start\n600s say much later\n";

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_int_eq(r.st.complete, 1);
	test_run_free(&r);
}
END_TEST

static Suite *
async_suite(void)
{
	Suite	*s = suite_create("async");
	TCase	*tc = tcase_create("loop");
	TCase	*quick = tcase_create("quick");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tasks_share_one_thread);
	tcase_add_test(tc, test_virtual_prediction);
	tcase_add_test(tc, test_io_matches_prediction);
	tcase_add_test(tc, test_cpu_holds_the_loop);
	tcase_add_test(tc, test_lines_never_mix);
	tcase_add_test(tc, test_zero_work_conserves);
	tcase_add_test(tc, test_stop_keeps_dishes);
	tcase_add_test(tc, test_deadlock_found);
	tcase_add_test(tc, test_add_and_remove_while_running);
	suite_add_tcase(s, tc);
	tcase_set_timeout(quick, 20);
	tcase_add_test(quick, test_script_does_not_outlive_the_run);
	suite_add_tcase(s, quick);
	return (s);
}

CHECK_MAIN(async_suite)
