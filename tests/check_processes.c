/*
 * check_processes.c: workers as forked processes. Its own binary, since
 * ThreadSanitizer cannot follow fork().
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "runutil.h"
#include "check_main.h"

/* Entries in /dev/shm whose name mentions dishrack. */
static int
shm_leftovers(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/dev/shm")) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, "dishrack") != NULL)
			n++;
	}
	closedir(d);
	return (n);
}

static int
no_children_left(void)
{
	return (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
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

START_TEST(test_dryers_are_other_processes)
{
	struct test_run	 r;
	char		*text = test_scenario_text("seed-processes");
	const char	*sets[] = { "dryer.count=2", NULL };
	size_t		 i;
	int		 me = (int)getpid(), others = 0, washer_here = 0;

	ck_assert_int_eq(test_run(&r, text, sets, 0, 20.0, 0), 0);
	for (i = 0; i < r.nev; i++) {
		if (r.ev[i].kind != EV_SPAWN)
			continue;
		if (r.ev[i].station == 0 && r.ev[i].arg == me)
			washer_here = 1;
		if (r.ev[i].station == 1 && r.ev[i].arg != me &&
		    r.ev[i].arg > 0)
			others++;
	}
	ck_assert_int_eq(washer_here, 1);
	ck_assert_int_eq(others, 2);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "Washing salad dish\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Drying dessert dish\n"));
	ck_assert_int_eq(shm_leftovers(), 0);
	ck_assert_int_eq(no_children_left(), 1);
	test_run_free(&r);
	free(text);
}
END_TEST

START_TEST(test_processes_zero_work_conserves)
{
	struct test_run	 r;
	const char	*text = "[scenario]\nmode = processes\ndishes = 20000\n"
	    "[washer]\ntime = 0\n[dryer]\ncount = 2\ntime = 0\n"
	    "[stacker]\ncount = 2\ntime = 0\nrack = 3\n";

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 20000);
	ck_assert_uint_eq(r.st.duplicated, 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_int_eq(no_children_left(), 1);
	test_run_free(&r);
}
END_TEST

START_TEST(test_processes_stop_leaves_nothing)
{
	struct test_run	 r;
	char		*text = test_scenario_text("seed-processes");
	const char	*sets[] = { "dryer.time=3s", "dryer.count=2", NULL };

	ck_assert_int_eq(test_run(&r, text, sets, 0, 1.0,
	    2500 * NSEC_PER_MSEC), 0);
	ck_assert_int_eq(r.interrupted, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_int_eq(no_children_left(), 1);
	ck_assert_int_eq(shm_leftovers(), 0);
	test_run_free(&r);
	free(text);
}
END_TEST

/* A dryer killed mid-dish: its dish goes back, a new dryer finishes. */
struct killer {
	pthread_t	 th;
	int		 killed;
};

/* The first child process of ours that runs our own program. */
static int
find_child(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], buf[512], self[64] = "", *p;
	FILE		*f;
	int		 pid, ppid, found = -1;

	if ((f = fopen("/proc/self/comm", "r")) != NULL) {
		if (fgets(self, sizeof self, f) != NULL)
			self[strcspn(self, "\n")] = '\0';
		fclose(f);
	}
	if ((d = opendir("/proc")) == NULL)
		return (-1);
	while (found == -1 && (de = readdir(d)) != NULL) {
		if ((pid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL &&
		    (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 &&
		    ppid == (int)getpid() && strstr(buf, self) != NULL)
			found = pid;
		fclose(f);
	}
	closedir(d);
	return (found);
}

static void *
killer_main(void *arg)
{
	struct killer	*k = arg;
	int		 pid;

	clock_sleep_ns(400 * NSEC_PER_MSEC);
	if ((pid = find_child()) > 0 && kill(pid, SIGKILL) == 0)
		k->killed = 1;
	return (NULL);
}

START_TEST(test_killed_dryer_loses_no_dish)
{
	struct test_run	 r;
	struct killer	 k = { .killed = 0 };
	const char	*text = "[scenario]\nmode = processes\ndishes = 12\n"
	    "output = lines\n[washer]\ntime = 0\n"
	    "[dryer]\ncount = 2\ntime = 200ms\n";
	size_t		 i;
	int		 died = 0;

	pthread_create(&k.th, NULL, killer_main, &k);
	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	pthread_join(k.th, NULL);
	ck_assert_int_eq(k.killed, 1);
	for (i = 0; i < r.nev; i++) {
		if (r.ev[i].kind == EV_EXIT && r.ev[i].arg == EXIT_REPLACED)
			died++;
	}
	ck_assert_int_eq(died, 1);
	ck_assert_uint_eq(r.st.st[1].killed, 1);
	ck_assert_uint_eq(r.st.st[1].restarts, 1);
	ck_assert_uint_eq(r.st.dried, 12);
	ck_assert_uint_eq(r.st.duplicated, 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_int_eq(no_children_left(), 1);
	test_run_free(&r);
}
END_TEST

/* The cupboard in shared memory: locks keep every update, none loses some. */
START_TEST(test_processes_cupboard)
{
	static const char *const modes[] = { "cupboard.lock=mutex",
	    "cupboard.lock=spin", "cupboard.lock=atomic" };
	const char	*text = "[scenario]\nmode = processes\ndishes = 120\n"
	    "[washer]\ntime = 0\n[dryer]\ncount = 3\ntime = 1ms\n"
	    "[cupboard]\nlock = none\nwindow = 2ms\n";
	const char	*sets[] = { NULL, NULL };
	struct test_run	 r;
	unsigned	 i;

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	ck_assert_uint_eq(r.st.dried, 120);
	ck_assert_uint_gt(r.st.lost_updates, 0);
	test_run_free(&r);
	for (i = 0; i < 3; i++) {
		sets[0] = modes[i];
		ck_assert_int_eq(test_run(&r, text, sets, 0, 1.0, 0), 0);
		ck_assert_msg(r.st.lost_updates == 0, "%s lost %llu", modes[i],
		    (unsigned long long)r.st.lost_updates);
		ck_assert_uint_eq(r.st.cupboard_count, 120);
		test_run_free(&r);
	}
	ck_assert_int_eq(no_children_left(), 1);
}
END_TEST

/* Dryers in two processes take the towel and the cloth crosswise. */
START_TEST(test_processes_deadlock)
{
	struct test_run	 r;
	char		*text = test_scenario_text("deadlock");
	const char	*sets[] = { "scenario.mode=processes", NULL };

	ck_assert_int_eq(test_run(&r, text, sets, 0, 1.0, 0), 0);
	ck_assert_int_eq(r.deadlock, 1);
	ck_assert_ptr_nonnull(r.cycle);
	ck_assert_ptr_nonnull(strstr(r.cycle, "towel"));
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_int_eq(no_children_left(), 1);
	test_run_free(&r);
	free(text);
}
END_TEST

/*
 * Dryers the [script] forks outlive its last step. A child dies with the
 * thread that forked it (PR_SET_PDEATHSIG), and the script's thread used
 * to end with its last step: its dryers were killed mid-dish, a dish was
 * lost and the run could hang.
 */
START_TEST(test_script_forked_workers_outlive_the_script)
{
	struct test_run	 r;
	const char	*text = "[scenario]\nmode = processes\ndishes = 12\n"
	    "[washer]\ntime = 100ms\n[dryer]\ncount = 1\ntime = 400ms\n"
	    "[script]\n100ms set dryer.count=3\n300ms say the script ends\n";
	size_t		 i, died = 0, spawned = 0;

	ck_assert_int_eq(test_run(&r, text, NULL, 0, 1.0, 0), 0);
	for (i = 0; i < r.nev; i++) {
		if (r.ev[i].station != 1)
			continue;
		if (r.ev[i].kind == EV_SPAWN)
			spawned++;
		if (r.ev[i].kind == EV_EXIT && (r.ev[i].arg == EXIT_DIED ||
		    r.ev[i].arg == EXIT_REPLACED))
			died++;
	}
	ck_assert_uint_eq(spawned, 3);
	ck_assert_uint_eq(died, 0);
	ck_assert_int_eq(r.st.complete, 1);
	ck_assert_int_eq(r.st.conserved, 1);
	ck_assert_uint_eq(r.st.dried, 12);
	test_run_free(&r);
}
END_TEST

START_TEST(test_create_fails_cleanly_at_every_allocation)
{
	char	 text[512];

	snprintf(text, sizeof text, TEST_EVERY_PART, "processes");
	ck_assert_uint_ge(test_create_failures(text, 0), 8);
}
END_TEST

static Suite *
processes_suite(void)
{
	Suite	*s = suite_create("processes");
	TCase	*tc = tcase_create("fork");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dryers_are_other_processes);
	tcase_add_test(tc, test_processes_zero_work_conserves);
	tcase_add_test(tc, test_processes_stop_leaves_nothing);
	tcase_add_test(tc, test_killed_dryer_loses_no_dish);
	tcase_add_test(tc, test_processes_cupboard);
	tcase_add_test(tc, test_processes_deadlock);
	tcase_add_test(tc, test_script_forked_workers_outlive_the_script);
	tcase_add_test(tc, test_create_fails_cleanly_at_every_allocation);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(processes_suite)
