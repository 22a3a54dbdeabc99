/*
 * check_locks.c: the cupboard under each lock mode, and the deadlock of the
 * towel and the cloth, on threads and on the virtual clock. (Processes are
 * in check_processes: ThreadSanitizer cannot follow fork.)
 */
#include "config.h"

#include <check.h>
#include <stdio.h>

#include "runutil.h"
#include "check_main.h"

/* Many dishes through four dryers with a wide window: a reliable race. */
static const char *race_text =
    "[scenario]\ndishes = 200\noutput = lines\n"
    "[washer]\ntime = 0\n"
    "[dryer]\ncount = 4\ntime = 1ms\n"
    "[cupboard]\nlock = none\nwindow = 2ms\n";

START_TEST(test_no_lock_loses_updates)
{
	struct test_run	 r;

	ck_assert_int_eq(test_run(&r, race_text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 200);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_msg(r.st.lost_updates > 0, "no update lost: counted %llu",
	    (unsigned long long)r.st.cupboard_count);
	ck_assert_uint_eq(r.st.cupboard_count + r.st.lost_updates, 200);
	test_run_free(&r);
}
END_TEST

START_TEST(test_locks_lose_nothing)
{
	static const char *const modes[] = { "cupboard.lock=mutex",
	    "cupboard.lock=spin", "cupboard.lock=atomic" };
	const char	*sets[] = { NULL, "cupboard.window=200us", NULL };
	struct test_run	 r;
	unsigned	 i;

	for (i = 0; i < 3; i++) {
		sets[0] = modes[i];
		ck_assert_int_eq(test_run(&r, race_text, sets, 0, 1.0, 0), 0);
		ck_assert_msg(r.st.lost_updates == 0, "%s lost %llu", modes[i],
		    (unsigned long long)r.st.lost_updates);
		ck_assert_uint_eq(r.st.cupboard_count, 200);
		if (i < 2) {
			ck_assert_uint_eq(r.st.lock_acquisitions, 200);
			ck_assert_int_gt(r.st.lock_wait_ns, 0);
		}
		test_run_free(&r);
	}
}
END_TEST

START_TEST(test_virtual_race_is_exact)
{
	struct test_run	 a, b, m;
	const char	*mutex[] = { "cupboard.lock=mutex", NULL };

	ck_assert_int_eq(test_run(&a, race_text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(test_run(&b, race_text, NULL, 1, 1.0, 0), 0);
	ck_assert_uint_gt(a.st.lost_updates, 0);
	ck_assert_uint_eq(a.st.lost_updates, b.st.lost_updates);
	ck_assert_int_eq(test_run(&m, race_text, mutex, 1, 1.0, 0), 0);
	ck_assert_uint_eq(m.st.lost_updates, 0);
	ck_assert_uint_eq(m.st.cupboard_count, 200);
	test_run_free(&a);
	test_run_free(&b);
	test_run_free(&m);
}
END_TEST

START_TEST(test_deadlock_found_and_fixed_order_runs)
{
	struct test_run	 d, f;
	char		*text = test_scenario_text("deadlock");
	const char	*fixed[] = { "scenario.lock_order=fixed", NULL };
	int64_t		 t0;

	ck_assert_ptr_nonnull(text);
	t0 = clock_mono_ns();
	ck_assert_int_eq(test_run(&d, text, NULL, 0, 1.0, 0), 0);
	/* Found within a second of forming (it forms at about 0.6 s). */
	ck_assert_int_lt(clock_mono_ns() - t0, 2 * NSEC_PER_SEC);
	ck_assert_int_eq(d.deadlock, 1);
	ck_assert_ptr_nonnull(d.cycle);
	ck_assert_ptr_nonnull(strstr(d.cycle, "waits for the"));
	ck_assert_ptr_nonnull(strstr(d.cycle, "towel"));
	ck_assert_ptr_nonnull(strstr(d.cycle, "cloth"));
	ck_assert_int_eq(d.st.conserved, 1);
	ck_assert_int_eq(d.st.complete, 0);

	ck_assert_int_eq(test_run(&f, text, fixed, 0, 4.0, 0), 0);
	ck_assert_int_eq(f.deadlock, 0);
	ck_assert_int_eq(f.st.complete, 1);
	test_run_free(&d);
	test_run_free(&f);
	free(text);
}
END_TEST

START_TEST(test_virtual_deadlock)
{
	struct test_run	 d, f;
	char		*text = test_scenario_text("deadlock");
	const char	*fixed[] = { "scenario.lock_order=fixed", NULL };

	ck_assert_int_eq(test_run(&d, text, NULL, 1, 1.0, 0), 0);
	ck_assert_int_eq(d.deadlock, 1);
	ck_assert_ptr_nonnull(d.cycle);
	ck_assert_ptr_nonnull(strstr(d.cycle, "dryer-1 waits for the cloth, "
	    "held by dryer-2"));
	ck_assert_int_eq(test_run(&f, text, fixed, 1, 1.0, 0), 0);
	ck_assert_int_eq(f.deadlock, 0);
	ck_assert_int_eq(f.st.complete, 1);
	test_run_free(&d);
	test_run_free(&f);
	free(text);
}
END_TEST

static Suite *
locks_suite(void)
{
	Suite	*s = suite_create("locks");
	TCase	*tc = tcase_create("cupboard");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_lock_loses_updates);
	tcase_add_test(tc, test_locks_lose_nothing);
	tcase_add_test(tc, test_virtual_race_is_exact);
	tcase_add_test(tc, test_deadlock_found_and_fixed_order_runs);
	tcase_add_test(tc, test_virtual_deadlock);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(locks_suite)
