/*
 * check_scenario.c: the scenario language: every construct, every key, and
 * every kind of bad input with the exact place it names.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

#define SEC	1000000000LL
#define MS	1000000LL

static struct scenario *
parse_ok(const char *text)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = scenario_parse("t.scn", text, strlen(text), &cause);
	ck_assert_msg(s != NULL, "unexpected error: %s", cause);
	return (s);
}

/* text must fail with a message that starts with prefix and has phrase. */
static void
parse_bad(const char *text, size_t len, const char *prefix,
    const char *phrase)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = scenario_parse("t.scn", text, len, &cause);
	ck_assert_msg(s == NULL, "accepted: %s", text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strncmp(cause, prefix, strlen(prefix)) == 0,
	    "'%s' does not start with '%s'", cause, prefix);
	ck_assert_msg(strstr(cause, phrase) != NULL,
	    "'%s' lacks '%s'", cause, phrase);
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
}

#define BAD(text, prefix, phrase) parse_bad(text, strlen(text), prefix, phrase)

START_TEST(test_defaults)
{
	struct scenario	*s = parse_ok("[washer]\n");

	ck_assert_str_eq(s->title, "t");
	ck_assert_int_eq(s->mode, MODE_THREADS);
	ck_assert_uint_eq(s->ndishes, 4);
	ck_assert_str_eq(s->dish_names[0], "salad");
	ck_assert_str_eq(s->dish_names[3], "dessert");
	ck_assert_uint_eq(s->rack, RACK_UNBOUNDED);
	ck_assert_str_eq(s->transport, "local");
	ck_assert_uint_eq(s->seed, 1);
	ck_assert_int_eq(s->output, OUTPUT_PARTS);
	ck_assert_int_eq(s->print_gap_ns, MS);
	ck_assert_uint_eq(s->nstations, 1);
	ck_assert_str_eq(s->stations[0].name, "washer");
	ck_assert_uint_eq(s->stations[0].count, 1);
	ck_assert_int_eq(s->stations[0].time.kind, DIST_FIXED);
	ck_assert_int_eq(s->stations[0].time.a_ns, SEC);
	ck_assert_int_eq(s->stations[0].work, WORK_IO);
	ck_assert_ptr_null(s->stations[0].say);
	ck_assert_uint_eq(scenario_rack(s, 0), RACK_UNBOUNDED);
	scenario_free(s);
}
END_TEST

START_TEST(test_every_key)
{
	struct scenario	*s = parse_ok(
	    "# a comment\n"
	    "[scenario]\n"
	    "title = Three stations  # trailing comment\n"
	    "mode = processes\n"
	    "dishes = cup plate bowl-2 pot_3\n"
	    "rack = 5\n"
	    "transport = local\n"
	    "seed = 42\n"
	    "output = lines\n"
	    "print_gap = 2ms\n"
	    "\n"
	    "[washer]\n"
	    "count = 2\n"
	    "time = 150ms\n"
	    "work = cpu\n"
	    "say = {worker} washes {dish}\\nand sings\\t\\\\o/\n"
	    "[dryer]\n"
	    "  time=1s..3s\n"
	    "rack = 0\n"
	    "[stacker]\n"
	    "time = exp(2s)\n"
	    "rack = unbounded\n");

	ck_assert_str_eq(s->title, "Three stations");
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	ck_assert_int_eq(s->mode_pos.line, 4);
	ck_assert_int_eq(s->mode_pos.col, 8);
	ck_assert_uint_eq(s->ndishes, 4);
	ck_assert_str_eq(s->dish_names[2], "bowl-2");
	ck_assert_uint_eq(s->rack, 5);
	ck_assert_uint_eq(s->seed, 42);
	ck_assert_int_eq(s->output, OUTPUT_LINES);
	ck_assert_int_eq(s->print_gap_ns, 2 * MS);
	ck_assert_uint_eq(s->nstations, 3);
	ck_assert_str_eq(s->stations[0].name, "washer");
	ck_assert_str_eq(s->stations[1].name, "dryer");
	ck_assert_str_eq(s->stations[2].name, "stacker");
	ck_assert_uint_eq(s->stations[0].count, 2);
	ck_assert_int_eq(s->stations[0].count_pos.line, 13);
	ck_assert_int_eq(s->stations[0].count_pos.col, 9);
	ck_assert_int_eq(s->stations[0].time.a_ns, 150 * MS);
	ck_assert_int_eq(s->stations[0].work, WORK_CPU);
	ck_assert_str_eq(s->stations[0].say,
	    "{worker} washes {dish}\nand sings\t\\o/");
	ck_assert_int_eq(s->stations[1].time.kind, DIST_UNIFORM);
	ck_assert_int_eq(s->stations[1].time.a_ns, SEC);
	ck_assert_int_eq(s->stations[1].time.b_ns, 3 * SEC);
	ck_assert_int_eq(s->stations[2].time.kind, DIST_EXP);
	ck_assert_int_eq(s->stations[2].time.a_ns, 2 * SEC);
	ck_assert_uint_eq(scenario_rack(s, 1), 0);
	ck_assert_uint_eq(scenario_rack(s, 2), RACK_UNBOUNDED);
	ck_assert_ptr_nonnull(scenario_station(s, "dryer"));
	ck_assert_ptr_null(scenario_station(s, "drier"));
	scenario_free(s);
}
END_TEST

START_TEST(test_durations)
{
	static const struct {
		const char	*text;
		int64_t		 ns;
	} good[] = {
		{ "0", 0 }, { "2s", 2 * SEC }, { "150ms", 150 * MS },
		{ "1.5s", 3 * SEC / 2 }, { "250us", 250000 }, { "7ns", 7 },
		{ "1m", 60 * SEC }, { "0.5ms", 500000 }, { "0s", 0 },
	};
	static const char *const bad[] = {
		"2x", "-1s", "s", "", "1", "1.2.3s", "5 s", "25h", "1e3s",
		"99999999999999999999s", "1ms2",
	};
	int64_t		ns;
	size_t		i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		ck_assert_msg(dist_parse_duration(good[i].text, &ns) == 0,
		    "rejected %s", good[i].text);
		ck_assert_int_eq(ns, good[i].ns);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(dist_parse_duration(bad[i], &ns) == -1,
		    "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_dist_format_round_trip)
{
	static const char *const texts[] = { "2s", "150ms", "1s..3s",
	    "exp(2s)", "0", "250us", "1500ms" };
	struct scenario	*s;
	char		 text[128], buf[64];
	size_t		 i;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		snprintf(text, sizeof text, "[w]\ntime = %s\n", texts[i]);
		s = parse_ok(text);
		ck_assert_str_eq(dist_format(&s->stations[0].time, buf,
		    sizeof buf), texts[i]);
		scenario_free(s);
	}
}
END_TEST

START_TEST(test_dishes_count_and_names)
{
	struct scenario	*s = parse_ok("[scenario]\ndishes = 1000\n[w]\n");
	char		 buf[32];

	ck_assert_ptr_null(s->dish_names);
	ck_assert_uint_eq(s->ndishes, 1000);
	ck_assert_str_eq(scenario_dish_name(s, 0, buf, sizeof buf), "dish-1");
	ck_assert_str_eq(scenario_dish_name(s, 999, buf, sizeof buf),
	    "dish-1000");
	scenario_free(s);
	s = parse_ok("[scenario]\ndishes = 접시 컵\n[w]\n");
	ck_assert_uint_eq(s->ndishes, 2);
	ck_assert_str_eq(scenario_dish_name(s, 1, buf, sizeof buf), "컵");
	scenario_free(s);
}
END_TEST

START_TEST(test_bom_crlf_and_blanks)
{
	struct scenario	*s = parse_ok("\xef\xbb\xbf[scenario]\r\n"
	    "title = x\r\n\r\n   \t\r\n[washer]\r\ncount = 3\r\n");

	ck_assert_str_eq(s->title, "x");
	ck_assert_uint_eq(s->stations[0].count, 3);
	scenario_free(s);
}
END_TEST

START_TEST(test_script_steps)
{
	struct scenario	*s = parse_ok("[script]\n"
	    "0s say Hello, {not a template here}\n"
	    "1.5s set dryer.count = 3\n"
	    "2s pause\n"
	    "2s pause Look at the rack.\n"
	    "[washer]\n[dryer]\n");

	ck_assert_uint_eq(s->nscript, 4);
	ck_assert_int_eq(s->script[0].kind, STEP_SAY);
	ck_assert_str_eq(s->script[0].text, "Hello, {not a template here}");
	ck_assert_int_eq(s->script[1].kind, STEP_SET);
	ck_assert_int_eq(s->script[1].at_ns, 3 * SEC / 2);
	ck_assert_str_eq(s->script[1].text, "dryer.count=3");
	ck_assert_int_eq(s->script[2].kind, STEP_PAUSE);
	ck_assert_str_eq(s->script[2].text, "");
	ck_assert_str_eq(s->script[3].text, "Look at the rack.");
	ck_assert_int_eq(s->script[3].pos.line, 5);
	scenario_free(s);
}
END_TEST

START_TEST(test_shipped_scenarios_parse)
{
	static const char *const names[] = { "seed-threads",
	    "seed-processes", "bottleneck", "handoff" };
	const char	*dirs[] = { getenv("SCENARIOS"), "../scenarios",
			    "scenarios" };
	struct scenario	*s;
	char		 path[1024], *cause = NULL;
	size_t		 i, d, found = 0;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		for (d = 0; d < 3; d++) {
			if (dirs[d] == NULL)
				continue;
			snprintf(path, sizeof path, "%s/%s.scn", dirs[d],
			    names[i]);
			if (access(path, R_OK) != 0)
				continue;
			s = scenario_load(path, &cause);
			ck_assert_msg(s != NULL, "%s", cause);
			ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
			scenario_free(s);
			found++;
			break;
		}
	}
	ck_assert_uint_eq(found, 4);
}
END_TEST

START_TEST(test_set_overrides)
{
	struct scenario	*s = parse_ok("[washer]\n[dryer]\n");
	char		*cause = NULL;

	ck_assert_int_eq(scenario_set(s, "dryer.count=3", &cause), 0);
	ck_assert_uint_eq(s->stations[1].count, 3);
	ck_assert_int_eq(scenario_set(s, "scenario.mode=processes", &cause),
	    0);
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	ck_assert_int_eq(scenario_set(s, "scenario.dishes=100000", &cause),
	    0);
	ck_assert_ptr_null(s->dish_names);
	ck_assert_uint_eq(s->ndishes, 100000);
	ck_assert_int_eq(scenario_set(s, "scenario.rack=0", &cause), 0);
	ck_assert_uint_eq(scenario_rack(s, 1), 0);
	ck_assert_int_eq(scenario_set(s, "washer.time=1s..2s", &cause), 0);
	ck_assert_int_eq(s->stations[0].time.kind, DIST_UNIFORM);
	ck_assert_int_eq(scenario_set(s, "dryer.say=Drying {dish}", &cause),
	    0);
	ck_assert_str_eq(s->stations[1].say, "Drying {dish}");

	ck_assert_int_eq(scenario_set(s, "dryer.cont=3", &cause), -1);
	ck_assert_str_eq(cause, "--set: unknown key 'dryer.cont', did you "
	    "mean 'dryer.count'?");
	free(cause);
	ck_assert_int_eq(scenario_set(s, "dryr.count=3", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "did you mean 'dryer'"));
	free(cause);
	ck_assert_int_eq(scenario_set(s, "dryer.count=x", &cause), -1);
	ck_assert_str_eq(cause, "--set: dryer.count: expected a count >= 1, "
	    "found 'x'");
	free(cause);
	ck_assert_int_eq(scenario_set(s, "nodot=1", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "SECTION.KEY=VALUE"));
	free(cause);
	scenario_free(s);
}
END_TEST

START_TEST(test_limits_need_force)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = parse_ok("[washer]\ncount = 5000\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_str_eq(cause, "t.scn:2:9: washer.count = 5000 is more than "
	    "4096 threads; pass --force to allow it");
	free(cause);
	ck_assert_int_eq(scenario_validate(s, 1, &cause), 0);
	scenario_free(s);

	s = parse_ok("[scenario]\nmode = processes\n[washer]\n[dryer]\n"
	    "count = 300\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "t.scn:5:9: 301 processes"));
	free(cause);
	ck_assert_int_eq(scenario_validate(s, 1, &cause), 0);
	/* The same count is fine for threads. */
	ck_assert_int_eq(scenario_set(s, "scenario.mode=threads", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "dryer.count=9000", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "--set: dryer.count = 9000"));
	free(cause);
	scenario_free(s);
}
END_TEST

START_TEST(test_bad_inputs)
{
	BAD("", "t.scn:1:1: ", "no stations");
	BAD("# only a comment\n", "t.scn:1:1: ", "no stations");
	BAD("[scenario]\ntitle = x\n", "t.scn:1:1: ", "no stations");
	parse_bad("[w]\nsay = a\0b\n", 12, "t.scn:2:8: ",
	    "not a text file (byte 0x00)");
	BAD("[w]\nsay = \xff\xfe\n", "t.scn:2:7: ", "not a text file (byte 0xff)");
	BAD("[scenaro]\n", "t.scn:1:1: ", "did you mean [scenario]?");
	BAD("[w]\n[scrpt]\n", "t.scn:2:1: ", "did you mean [script]?");
	BAD("[Washer]\n", "t.scn:1:2: ", "lowercase");
	BAD("[wash er]\n", "t.scn:1:2: ", "lowercase");
	BAD("[w\n", "t.scn:1:1: ", "expected ']'");
	BAD("[w] x\n", "t.scn:1:5: ", "after the section name");
	BAD("[w]\n[w]\n", "t.scn:2:1: ", "appears twice");
	BAD("[scenario]\n[w]\n[scenario]\n", "t.scn:3:1: ", "appears twice");
	BAD("count = 1\n[w]\n", "t.scn:1:1: ", "outside any section");
	BAD("[w]\ncont = 2\n", "t.scn:2:1: ",
	    "unknown key 'cont' in [w], did you mean 'count'?");
	BAD("[scenario]\ntitel = x\n[w]\n", "t.scn:2:1: ",
	    "did you mean 'title'?");
	BAD("[w]\nzzzzzz = 2\n", "t.scn:2:1: ", "unknown key 'zzzzzz' in [w]");
	BAD("[w]\njust words\n", "t.scn:2:1: ", "expected KEY = VALUE");
	BAD("[w]\ntime = 2x\n", "t.scn:2:8: ", "found '2x'");
	BAD("[w]\ntime = -1s\n", "t.scn:2:8: ", "found '-1s'");
	BAD("[w]\ntime = 1s..0s\n", "t.scn:2:8: ",
	    "lower bound is above the upper");
	BAD("[w]\ntime = exp(x)\n", "t.scn:2:8: ", "expected a duration");
	BAD("[w]\ntime =\n", "t.scn:2:7: ", "needs a value");
	BAD("[w]\ncount = -1\n", "t.scn:2:9: ", "expected a count >= 1");
	BAD("[w]\ncount = many\n", "t.scn:2:9: ", "found 'many'");
	BAD("[w]\ncount = 0\n", "t.scn:2:9: ", "expected a count >= 1");
	BAD("[w]\ncount = 1e3\n", "t.scn:2:9: ", "found '1e3'");
	BAD("[w]\ncount = 1\ncount = 2\n", "t.scn:3:1: ", "first on line 2");
	BAD("[w]\nwork = gpu\n", "t.scn:2:8: ", "expected io or cpu");
	BAD("[scenario]\nmode = fibers\n[w]\n", "t.scn:2:8: ",
	    "expected threads, processes or async, found 'fibers'");
	BAD("[scenario]\nrack = -2\n[w]\n", "t.scn:2:8: ",
	    "expected a capacity");
	BAD("[scenario]\ndishes = 0\n[w]\n", "t.scn:2:10: ", "from 1 to");
	BAD("[scenario]\ndishes = 99999999999\n[w]\n", "t.scn:2:10: ",
	    "from 1 to");
	BAD("[scenario]\ndishes = a,b\n[w]\n", "t.scn:2:10: ", "found ','");
	BAD("[scenario]\nseed = -1\n[w]\n", "t.scn:2:8: ", "whole number");
	BAD("[scenario]\noutput = words\n[w]\n", "t.scn:2:10: ",
	    "expected parts or lines");
	BAD("[w]\n[script]\nx5 say hello\n", "t.scn:3:1: ",
	    "expected a duration such as 5s, found 'x5'");
	BAD("[w]\n[script]\n5s shout hello\n", "t.scn:3:4: ",
	    "expected say, set or pause");
	BAD("[w]\n[script]\n5s say a\n1s say b\n", "t.scn:4:1: ",
	    "time order");
	BAD("[w]\n[script]\n5s set w.cont = 2\n", "t.scn:3:1: ",
	    "did you mean 'w.count'?");
	BAD("[w]\n[script]\n5s set w.count = x\n", "t.scn:3:1: ",
	    "expected a count");
	BAD("[w]\n[script]\n5s set nothing\n", "t.scn:3:", "SECTION.KEY");
	BAD("[a]\n[b]\n[c]\n[d]\n[e]\n[f]\n[g]\n[h]\n[i]\n", "t.scn:9:1: ",
	    "more than 8 stations");
}
END_TEST

START_TEST(test_load_errors)
{
	char		 dir[] = "/tmp/check_scenario.XXXXXX", path[256];
	char		*cause = NULL;
	FILE		*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing.scn", dir);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "No such file or directory"));
	ck_assert_int_eq(strncmp(cause, path, strlen(path)), 0);
	free(cause);
	ck_assert_ptr_null(scenario_load(dir, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "is a directory"));
	free(cause);
	snprintf(path, sizeof path, "%s/empty.scn", dir);
	f = fopen(path, "w");
	fclose(f);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "empty.scn:1:1: no stations"));
	free(cause);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_suggest)
{
	static const char *const keys[] = { "count", "time", "work", "say" };

	ck_assert_str_eq(scn_suggest("cont", keys, 4), "count");
	ck_assert_str_eq(scn_suggest("TIME", keys, 4), "time");
	ck_assert_str_eq(scn_suggest("wrok", keys, 4), "work");
	ck_assert_ptr_null(scn_suggest("banana", keys, 4));
	ck_assert_ptr_null(scn_suggest("x", keys, 4));
}
END_TEST

START_TEST(test_key_table_complete)
{
	size_t	i;
	int	scenario = 0, station = 0;

	for (i = 0; i < scn_nkeys; i++) {
		ck_assert_ptr_nonnull(scn_keys[i].set);
		ck_assert_ptr_nonnull(scn_keys[i].help);
		ck_assert_ptr_nonnull(scn_keys[i].def);
		if (scn_keys[i].type == KEY_ENUM)
			ck_assert_ptr_nonnull(scn_keys[i].choices);
		scenario += scn_keys[i].section == SECTION_SCENARIO;
		station += scn_keys[i].section == SECTION_STATION;
	}
	ck_assert_int_eq(scenario, 11);
	ck_assert_int_eq(station, 5);
}
END_TEST

static Suite *
scenario_suite(void)
{
	Suite	*s = suite_create("scenario");
	TCase	*tc = tcase_create("language");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_dist_format_round_trip);
	tcase_add_test(tc, test_dishes_count_and_names);
	tcase_add_test(tc, test_bom_crlf_and_blanks);
	tcase_add_test(tc, test_script_steps);
	tcase_add_test(tc, test_shipped_scenarios_parse);
	tcase_add_test(tc, test_set_overrides);
	tcase_add_test(tc, test_limits_need_force);
	tcase_add_test(tc, test_bad_inputs);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_suggest);
	tcase_add_test(tc, test_key_table_complete);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(scenario_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
