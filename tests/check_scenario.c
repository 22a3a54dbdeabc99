/*
 * check_scenario.c: the scenario language: every construct, every key, and
 * every kind of bad input with the exact place it names.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario.h"
#include "check_main.h"

#define SEC	1000000000LL
#define MS	1000000LL
#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

/* A text that must fail: where, and a phrase of the message. */
struct bad_input {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	const char	*prefix;	/* "t.scn:LINE:COL: " */
	const char	*phrase;
};

static struct scenario	*parse_ok(const char *);
static char		*parse_error(const char *, size_t);
static const char	*scenarios_dir(void);
static char		*slurp(const char *);
static void		*parse_in_thread(void *);
static void		 write_file(const char *, const char *, size_t);
static Suite		*scenario_suite(void);

/* The text as t.scn; it must parse. */
static struct scenario *
parse_ok(const char *text)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = scenario_parse("t.scn", text, strlen(text), &cause);
	ck_assert_msg(s != NULL, "unexpected error: %s", cause);
	return (s);
}

/* The text as t.scn; it must fail. Returns the allocated message. */
static char *
parse_error(const char *text, size_t len)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = scenario_parse("t.scn", text, len, &cause);
	ck_assert_msg(s == NULL, "accepted: %s", text);
	scenario_free(s);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_null(strchr(cause, '\n'));
	return (cause);
}

/* The directory of the shipped scenarios: $SCENARIOS, or near the test. */
static const char *
scenarios_dir(void)
{
	static const char *const dirs[] = { "../scenarios", "scenarios" };
	const char	*env = getenv("SCENARIOS");
	struct stat	 sb;
	size_t		 i;

	if (env != NULL && *env != '\0')
		return (env);
	for (i = 0; i < NITEMS(dirs); i++) {
		if (stat(dirs[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			return (dirs[i]);
	}
	return (NULL);
}

/* All of a small file, NUL-terminated, or NULL. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return (buf);
}

/* Write len bytes to path. */
static void
write_file(const char *path, const char *text, size_t len)
{
	FILE	*f;

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* Defaults of every key, and the title from the file name. */
START_TEST(test_defaults)
{
	struct scenario	*s = parse_ok("[washer]\n");
	char		*cause = NULL;

	ck_assert_str_eq(s->file, "t.scn");
	ck_assert_str_eq(s->title, "t");
	ck_assert_int_eq(s->mode, MODE_THREADS);
	ck_assert_uint_eq(s->ndishes, 4);
	ck_assert_str_eq(s->dish_names[0], "salad");
	ck_assert_str_eq(s->dish_names[1], "bread");
	ck_assert_str_eq(s->dish_names[2], "entree");
	ck_assert_str_eq(s->dish_names[3], "dessert");
	ck_assert_uint_eq(s->rack, RACK_UNBOUNDED);
	ck_assert_str_eq(s->transport, "local");
	ck_assert_uint_eq(s->seed, 1);
	ck_assert_int_eq(s->output, OUTPUT_PARTS);
	ck_assert_int_eq(s->print_gap_ns, MS);
	ck_assert_int_eq(s->gil, 0);
	ck_assert_int_eq(s->gil_interval_ns, 5 * MS);
	ck_assert_uint_eq(s->cores, 2);
	ck_assert_int_eq(s->lock_order_fixed, 0);
	ck_assert_int_eq(s->cupboard, 0);
	ck_assert_int_eq(s->cupboard_lock, LOCK_NONE);
	ck_assert_int_eq(s->cupboard_window_ns, MS);
	ck_assert_uint_eq(s->stations[0].nneeds, 0);
	ck_assert_uint_eq(s->nstations, 1);
	ck_assert_str_eq(s->stations[0].name, "washer");
	ck_assert_uint_eq(s->stations[0].count, 1);
	ck_assert_int_eq(s->stations[0].time.kind, DIST_FIXED);
	ck_assert_int_eq(s->stations[0].time.a_ns, SEC);
	ck_assert_int_eq(s->stations[0].work, WORK_IO);
	ck_assert_ptr_null(s->stations[0].say);
	ck_assert_int_eq(s->stations[0].rack_set, 0);
	ck_assert_uint_eq(scenario_rack(s, 0), RACK_UNBOUNDED);
	ck_assert_uint_eq(s->stations[0].pos.line, 1);
	ck_assert_uint_eq(s->nscript, 0);
	ck_assert_str_eq(scn_mode_name(s->mode), "threads");
	scenario_free(s);

	s = scenario_parse("dir/my.long.scn", "[w]", 3, &cause);
	ck_assert_str_eq(s->title, "my.long");
	scenario_free(s);
	s = scenario_parse("builtin:handoff", "[w]", 3, &cause);
	ck_assert_str_eq(s->title, "handoff");
	scenario_free(s);
	scenario_free(NULL);
}
END_TEST

/* Every key of the table, set in a file. */
START_TEST(test_every_key)
{
	struct scenario	*s = parse_ok(
	    "[scenario]\n"
	    "title = Three stations\n"
	    "mode = processes\n"
	    "dishes = cup plate bowl-2 pot_3\n"
	    "rack = 5\n"
	    "transport = local\n"
	    "seed = 18446744073709551615\n"
	    "output = lines\n"
	    "print_gap = 2ms\n"
	    "gil = on\n"
	    "gil.interval = 10ms\n"
	    "cores = 4\n"
	    "lock_order = fixed\n"
	    "\n"
	    "[washer]\n"
	    "count = 2\n"
	    "time = 150ms\n"
	    "work = cpu\n"
	    "say = {worker} washes {dish}\n"
	    "rack = 3\n"
	    "needs = towel cloth-2 a_b\n"
	    "[cupboard]\n"
	    "lock = atomic\n"
	    "window = 2ms\n");

	ck_assert_str_eq(s->title, "Three stations");
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	ck_assert_str_eq(scn_mode_name(s->mode), "processes");
	ck_assert_uint_eq(s->mode_pos.line, 3);
	ck_assert_uint_eq(s->mode_pos.col, 8);
	ck_assert_str_eq(s->mode_pos.file, "t.scn");
	ck_assert_uint_eq(s->ndishes, 4);
	ck_assert_str_eq(s->dish_names[2], "bowl-2");
	ck_assert_str_eq(s->dish_names[3], "pot_3");
	ck_assert_uint_eq(s->dishes_pos.line, 4);
	ck_assert_uint_eq(s->dishes_pos.col, 10);
	ck_assert_uint_eq(s->rack, 5);
	ck_assert_str_eq(s->transport, "local");
	ck_assert_uint_eq(s->seed, UINT64_MAX);
	ck_assert_int_eq(s->output, OUTPUT_LINES);
	ck_assert_int_eq(s->print_gap_ns, 2 * MS);
	ck_assert_int_eq(s->gil, 1);
	ck_assert_int_eq(s->gil_interval_ns, 10 * MS);
	ck_assert_uint_eq(s->cores, 4);
	ck_assert_int_eq(s->lock_order_fixed, 1);
	ck_assert_int_eq(s->cupboard, 1);
	ck_assert_int_eq(s->cupboard_lock, LOCK_ATOMIC);
	ck_assert_int_eq(s->cupboard_window_ns, 2 * MS);
	ck_assert_uint_eq(s->nstations, 1);
	ck_assert_uint_eq(s->stations[0].nneeds, 3);
	ck_assert_str_eq(s->stations[0].needs[0], "towel");
	ck_assert_str_eq(s->stations[0].needs[1], "cloth-2");
	ck_assert_str_eq(s->stations[0].needs[2], "a_b");
	ck_assert_uint_eq(s->stations[0].count, 2);
	ck_assert_uint_eq(s->stations[0].count_pos.line, 16);
	ck_assert_uint_eq(s->stations[0].count_pos.col, 9);
	ck_assert_int_eq(s->stations[0].time.kind, DIST_FIXED);
	ck_assert_int_eq(s->stations[0].time.a_ns, 150 * MS);
	ck_assert_int_eq(s->stations[0].work, WORK_CPU);
	ck_assert_str_eq(s->stations[0].say, "{worker} washes {dish}");
	ck_assert_uint_eq(scenario_rack(s, 0), 3);
	scenario_free(s);
}
END_TEST

/* Durations: every unit, decimals, the bare 0, and what is refused. */
START_TEST(test_durations)
{
	static const struct {
		const char	*text;
		int64_t		 ns;
	} good[] = {
		{ "0", 0 }, { "0s", 0 }, { "2s", 2 * SEC },
		{ "150ms", 150 * MS }, { "1.5s", 3 * SEC / 2 },
		{ "0.1s", 100 * MS }, { "250us", 250000 }, { "7ns", 7 },
		{ "1m", 60 * SEC }, { "1.5m", 90 * SEC }, { "0.5ms", 500000 },
		{ "1440m", 24 * 3600 * SEC }, { "86400s", 24 * 3600 * SEC },
		{ "1h", 3600 * SEC }, { "24h", 24 * 3600 * SEC },
		{ "1.5h", 5400 * SEC },
	};
	static const char *const bad[] = {
		"2x", "-1s", "s", "", "1", "00", "1.2.3s", "5 s", " 5s", "5s ",
		"1e3s", ".5s", "5.s", "25h", "86400.001s", "1441m",
		"99999999999999999999s", "1ms2", "+1s", "1S", "0x10s",
	};
	int64_t		ns;
	size_t		i;

	for (i = 0; i < NITEMS(good); i++) {
		ck_assert_msg(dist_parse_duration(good[i].text, &ns) == 0,
		    "rejected %s", good[i].text);
		ck_assert_int_eq(ns, good[i].ns);
	}
	for (i = 0; i < NITEMS(bad); i++)
		ck_assert_msg(dist_parse_duration(bad[i], &ns) == -1,
		    "accepted '%s'", bad[i]);
}
END_TEST

/* Each distribution parses to its kind and formats back the same. */
START_TEST(test_distributions)
{
	static const struct {
		const char	*text;
		enum dist_kind	 kind;
		int64_t		 a, b;
		const char	*back;
	} dists[] = {
		{ "2s", DIST_FIXED, 2 * SEC, 0, "2s" },
		{ "150ms", DIST_FIXED, 150 * MS, 0, "150ms" },
		{ "0", DIST_FIXED, 0, 0, "0" },
		{ "250us", DIST_FIXED, 250000, 0, "250us" },
		{ "1.5s", DIST_FIXED, 1500 * MS, 0, "1500ms" },
		{ "1m", DIST_FIXED, 60 * SEC, 0, "60s" },
		{ "1s..3s", DIST_UNIFORM, SEC, 3 * SEC, "1s..3s" },
		{ "2s..2s", DIST_UNIFORM, 2 * SEC, 2 * SEC, "2s..2s" },
		{ "0..500ms", DIST_UNIFORM, 0, 500 * MS, "0..500ms" },
		{ "exp(2s)", DIST_EXP, 2 * SEC, 0, "exp(2s)" },
		{ "exp(7ns)", DIST_EXP, 7, 0, "exp(7ns)" },
	};
	struct scenario	*s;
	const struct dist *d;
	char		 text[128], buf[64];
	size_t		 i;

	for (i = 0; i < NITEMS(dists); i++) {
		snprintf(text, sizeof text, "[w]\ntime = %s\n", dists[i].text);
		s = parse_ok(text);
		d = &s->stations[0].time;
		ck_assert_int_eq(d->kind, dists[i].kind);
		ck_assert_int_eq(d->a_ns, dists[i].a);
		if (d->kind == DIST_UNIFORM)
			ck_assert_int_eq(d->b_ns, dists[i].b);
		ck_assert_str_eq(dist_format(d, buf, sizeof buf),
		    dists[i].back);
		scenario_free(s);
	}
}
END_TEST

/* dishes: a count names them dish-N; names may be UTF-8. */
START_TEST(test_dishes_count_and_names)
{
	struct scenario	*s;
	char		 buf[32];

	s = parse_ok("[scenario]\ndishes = 1000\n[w]\n");
	ck_assert_ptr_null(s->dish_names);
	ck_assert_uint_eq(s->ndishes, 1000);
	ck_assert_str_eq(scenario_dish_name(s, 0, buf, sizeof buf), "dish-1");
	ck_assert_str_eq(scenario_dish_name(s, 999, buf, sizeof buf),
	    "dish-1000");
	scenario_free(s);

	s = parse_ok("[scenario]\ndishes = 10000000\n[w]\n");
	ck_assert_uint_eq(s->ndishes, SCN_MAX_DISHES);
	scenario_free(s);

	s = parse_ok("[scenario]\ndishes = 접시 \t 컵  tasse\n[w]\n");
	ck_assert_uint_eq(s->ndishes, 3);
	ck_assert_str_eq(scenario_dish_name(s, 0, buf, sizeof buf), "접시");
	ck_assert_str_eq(scenario_dish_name(s, 1, buf, sizeof buf), "컵");
	ck_assert_str_eq(scenario_dish_name(s, 2, buf, sizeof buf), "tasse");
	scenario_free(s);

	/* 64 bytes is the longest name. */
	s = parse_ok("[scenario]\ndishes = "
	    "a12345678901234567890123456789012"
	    "3456789012345678901234567890123"
	    "\n[w]\n");
	ck_assert_uint_eq(strlen(s->dish_names[0]), 64);
	scenario_free(s);
}
END_TEST

/* rack: unbounded, a count, a hand-off; per station or for all. */
START_TEST(test_racks)
{
	struct scenario	*s;

	s = parse_ok("[scenario]\nrack = 0\n[a]\n[b]\n");
	ck_assert_uint_eq(s->rack, 0);
	ck_assert_uint_eq(scenario_rack(s, 1), 0);
	scenario_free(s);

	s = parse_ok("[scenario]\nrack = 1000000\n[a]\n[b]\n");
	ck_assert_uint_eq(scenario_rack(s, 1), 1000000);
	scenario_free(s);

	s = parse_ok("[scenario]\nrack = 5\n"
	    "[a]\n[b]\nrack = 0\n[c]\nrack = unbounded\n[d]\n");
	ck_assert_uint_eq(scenario_rack(s, 1), 0);
	ck_assert_int_eq(s->stations[1].rack_set, 1);
	ck_assert_uint_eq(scenario_rack(s, 2), RACK_UNBOUNDED);
	ck_assert_uint_eq(scenario_rack(s, 3), 5);
	ck_assert_int_eq(s->stations[3].rack_set, 0);
	scenario_free(s);
}
END_TEST

/* Stations keep the order of the file; [scenario] may come anywhere. */
START_TEST(test_stations_in_order)
{
	struct scenario	*s;

	s = parse_ok("[washer]\ncount = 1\n[scenario]\ntitle = mid\n"
	    "[dryer]\ncount = 2\n[stacker]\ncount = 3\n");
	ck_assert_str_eq(s->title, "mid");
	ck_assert_uint_eq(s->nstations, 3);
	ck_assert_str_eq(s->stations[0].name, "washer");
	ck_assert_str_eq(s->stations[1].name, "dryer");
	ck_assert_str_eq(s->stations[2].name, "stacker");
	ck_assert_uint_eq(s->stations[2].count, 3);
	ck_assert_uint_eq(s->stations[1].pos.line, 5);
	ck_assert_uint_eq(s->stations[1].pos.col, 1);
	ck_assert_ptr_eq(scenario_station(s, "dryer"), &s->stations[1]);
	ck_assert_ptr_null(scenario_station(s, "drier"));
	scenario_free(s);

	s = parse_ok("[a]\n[b]\n[c]\n[d]\n[e]\n[f]\n[g]\n"
	    "[a-very_long-station-name-of-31c]\n");
	ck_assert_uint_eq(s->nstations, SCN_MAX_STATIONS);
	scenario_free(s);
}
END_TEST

/* say: escapes, placeholders, and silence. */
START_TEST(test_say)
{
	struct scenario	*s;

	s = parse_ok("[w]\nsay = {worker} washes {dish}\\nand sings\\t"
	    "\\\\o/ \\q {other} {}\n[x]\nsay =\n");
	ck_assert_str_eq(s->stations[0].say,
	    "{worker} washes {dish}\nand sings\t\\o/ \\q {other} {}");
	ck_assert_ptr_null(s->stations[1].say);
	scenario_free(s);
}
END_TEST

/* A BOM and CRLF line ends, blank and white lines. */
START_TEST(test_bom_crlf_and_blanks)
{
	struct scenario	*s = parse_ok("\xef\xbb\xbf[scenario]\r\n"
	    "title = x\r\n\r\n   \t\r\n[washer]\r\ncount = 3\r\n"
	    "say = a\\nb\r\n[script]\r\n1s say hi\r\n");

	ck_assert_str_eq(s->title, "x");
	ck_assert_uint_eq(s->stations[0].count, 3);
	ck_assert_uint_eq(s->stations[0].count_pos.line, 6);
	ck_assert_str_eq(s->stations[0].say, "a\nb");
	ck_assert_str_eq(s->script[0].text, "hi");
	scenario_free(s);
}
END_TEST

/*
 * A CR that does not end a line would send the cursor back over what the
 * line showed ("rm -rf / ...\rall good"): refused where it stands, in a
 * say, a title or anywhere else. A CR as the last byte ends the last line.
 */
START_TEST(test_lone_cr)
{
	static const struct {
		const char	*text;
		const char	*message;
	} cases[] = {
		{ "[w]\nsay = rm -rf / \rall good\n", "t.scn:2:16: a "
		  "carriage return inside a line: expected it only before a "
		  "newline (CRLF)" },
		{ "[scenario]\r\ntitle = a\rb\r\n[w]\r\n", "t.scn:2:10: a "
		  "carriage return inside a line: expected it only before a "
		  "newline (CRLF)" },
		{ "[w]\n[script]\n1s say hi\r\r\n", "t.scn:3:10: a "
		  "carriage return inside a line: expected it only before a "
		  "newline (CRLF)" },
		{ "# old Mac\r[w]\r", "t.scn:1:10: a carriage return inside a "
		  "line: expected it only before a newline (CRLF)" },
	};
	struct scenario	*s;
	char		*cause;
	size_t		 i;

	for (i = 0; i < NITEMS(cases); i++) {
		cause = parse_error(cases[i].text, strlen(cases[i].text));
		ck_assert_str_eq(cause, cases[i].message);
		free(cause);
	}
	s = parse_ok("[w]\r\nsay = a\r");
	ck_assert_str_eq(s->stations[0].say, "a");
	scenario_free(s);
}
END_TEST

/* '#' after a blank or at the start of a line is a comment, else text. */
START_TEST(test_comments)
{
	struct scenario	*s = parse_ok(
	    "# a comment\n"
	    "   # an indented one\n"
	    "[scenario]   # after a header\n"
	    "title = Dish#1 and more   # trailing\n"
	    "mode = threads\t# after a tab\n"
	    "[w]#tight\n"
	    "say = {dish}#\n"
	    "[script]\n"
	    "# in the script\n"
	    "1s say Rack #\n"
	    "2s pause # no caption\n");

	ck_assert_str_eq(s->title, "Dish#1 and more");
	ck_assert_int_eq(s->mode, MODE_THREADS);
	ck_assert_str_eq(s->stations[0].say, "{dish}#");
	ck_assert_uint_eq(s->nscript, 2);
	ck_assert_str_eq(s->script[0].text, "Rack");
	ck_assert_str_eq(s->script[1].text, "");
	scenario_free(s);
}
END_TEST

/* [script]: say, set, pause, in time order, sets stored normalized. */
START_TEST(test_script_steps)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = parse_ok("[script]\n"
	    "0s say Hello, {not a template here}\n"
	    "1.5s set dryer.count = 3\n"
	    "2s pause\n"
	    "2s pause Look at the rack.\n"
	    "3s  set   dryer.time=1s..2s   # slower\n"
	    "4s\tset washer.time = exp(1s)\n"
	    "[washer]\n[dryer]\n");

	ck_assert_uint_eq(s->nscript, 6);
	ck_assert_int_eq(s->script[0].kind, STEP_SAY);
	ck_assert_int_eq(s->script[0].at_ns, 0);
	ck_assert_str_eq(s->script[0].text, "Hello, {not a template here}");
	ck_assert_int_eq(s->script[1].kind, STEP_SET);
	ck_assert_int_eq(s->script[1].at_ns, 3 * SEC / 2);
	ck_assert_str_eq(s->script[1].text, "dryer.count=3");
	ck_assert_int_eq(s->script[2].kind, STEP_PAUSE);
	ck_assert_str_eq(s->script[2].text, "");
	ck_assert_int_eq(s->script[3].kind, STEP_PAUSE);
	ck_assert_str_eq(s->script[3].text, "Look at the rack.");
	ck_assert_uint_eq(s->script[3].pos.line, 5);
	ck_assert_uint_eq(s->script[3].pos.col, 1);
	ck_assert_str_eq(s->script[4].text, "dryer.time=1s..2s");
	ck_assert_int_eq(s->script[5].at_ns, 4 * SEC);
	ck_assert_str_eq(s->script[5].text, "washer.time=exp(1s)");
	/* Checking a set leaves the scenario as it was. */
	ck_assert_uint_eq(s->stations[1].count, 1);
	ck_assert_int_eq(s->stations[1].time.kind, DIST_FIXED);
	/* The engine applies a step with scenario_set. */
	ck_assert_int_eq(scenario_set(s, s->script[4].text, &cause), 0);
	ck_assert_int_eq(s->stations[1].time.kind, DIST_UNIFORM);
	ck_assert_int_eq(s->stations[1].time.b_ns, 2 * SEC);
	scenario_free(s);
}
END_TEST

/* The longest script, and one step more. */
START_TEST(test_script_limit)
{
	struct scenario	*s;
	char		*text, *cause, *p;
	size_t		 i, size = 32 + (SCN_MAX_SCRIPT + 1) * 16;

	p = text = malloc(size);
	ck_assert_ptr_nonnull(text);
	p += sprintf(p, "[w]\n[script]\n");
	for (i = 0; i < SCN_MAX_SCRIPT; i++)
		p += sprintf(p, "%zus say %zu\n", i, i);
	s = parse_ok(text);
	ck_assert_uint_eq(s->nscript, SCN_MAX_SCRIPT);
	ck_assert_str_eq(s->script[SCN_MAX_SCRIPT - 1].text, "255");
	scenario_free(s);
	sprintf(p, "999s pause\n");
	cause = parse_error(text, strlen(text));
	ck_assert_str_eq(cause, "t.scn:259:1: more than 256 script steps");
	free(cause);
	free(text);
}
END_TEST

/* Locks: named locks a station needs, and the cupboard. */
START_TEST(test_locks)
{
	struct scenario	*s;
	char		*cause = NULL;

	/* A [cupboard] without keys is a cupboard with the defaults. */
	s = parse_ok("[cupboard]\n[washer]\nneeds =\n[dryer]\n"
	    "needs = towel cloth\n");
	ck_assert_int_eq(s->cupboard, 1);
	ck_assert_int_eq(s->cupboard_lock, LOCK_NONE);
	ck_assert_int_eq(s->cupboard_window_ns, MS);
	ck_assert_uint_eq(s->nstations, 2);
	ck_assert_uint_eq(s->stations[0].nneeds, 0);
	ck_assert_uint_eq(s->stations[1].nneeds, 2);
	ck_assert_int_eq(scenario_set(s, "dryer.needs=cloth", &cause), 0);
	ck_assert_uint_eq(s->stations[1].nneeds, 1);
	ck_assert_str_eq(s->stations[1].needs[0], "cloth");
	ck_assert_int_eq(scenario_set(s, "dryer.needs=", &cause), 0);
	ck_assert_uint_eq(s->stations[1].nneeds, 0);
	scenario_free(s);

	/* --set of a cupboard key gives a scenario a cupboard. */
	s = parse_ok("[washer]\n");
	ck_assert_int_eq(s->cupboard, 0);
	ck_assert_int_eq(scenario_set(s, "cupboard.lock=mutex", &cause), 0);
	ck_assert_int_eq(s->cupboard, 1);
	ck_assert_int_eq(s->cupboard_lock, LOCK_MUTEX);
	ck_assert_int_eq(scenario_set(s, "cupboard.window=200us", &cause), 0);
	ck_assert_int_eq(s->cupboard_window_ns, 200000);
	ck_assert_int_eq(scenario_set(s, "scenario.lock_order=fixed", &cause),
	    0);
	ck_assert_int_eq(s->lock_order_fixed, 1);
	scenario_free(s);
}
END_TEST

/* Every shipped scenario (scenarios/NAME.scn) loads and passes the limits. */
START_TEST(test_shipped_scenarios_parse)
{
	const char	*dir = scenarios_dir();
	struct dirent	*de;
	struct scenario	*s;
	DIR		*d;
	char		 path[4096], *cause = NULL;
	size_t		 n, found = 0;

	ck_assert_msg(dir != NULL, "no scenarios directory: set SCENARIOS");
	d = opendir(dir);
	ck_assert_msg(d != NULL, "cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".scn") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		s = scenario_load(path, &cause);
		ck_assert_msg(s != NULL, "%s", cause);
		ck_assert_msg(scenario_validate(s, 0, &cause) == 0, "%s",
		    cause);
		ck_assert(s->nstations >= 1 || s->web.on);
		scenario_free(s);
		found++;
	}
	closedir(d);
	ck_assert_uint_ge(found, 4);
}
END_TEST

/* --set: good assignments, and the exact messages of bad ones. */
START_TEST(test_set_overrides)
{
	static const struct {
		const char	*assignment;
		const char	*message;
	} bad[] = {
		{ "dryer.cont=3", "--set: unknown key 'dryer.cont', did you "
		  "mean 'dryer.count'?" },
		{ "dryer.zzzzzz=3", "--set: unknown key 'dryer.zzzzzz'" },
		{ "scenario.mdoe=threads", "--set: unknown key "
		  "'scenario.mdoe', did you mean 'scenario.mode'?" },
		{ "dryr.count=3", "--set: unknown section 'dryr', did you "
		  "mean 'dryer'?" },
		{ "zzzzz.count=3", "--set: unknown section 'zzzzz': expected "
		  "scenario, cupboard, rack, washer or dryer" },
		{ "cupbord.lock=spin", "--set: unknown section 'cupbord', did "
		  "you mean 'cupboard'?" },
		{ "cupboard.lok=spin", "--set: unknown key 'cupboard.lok', did "
		  "you mean 'cupboard.lock'?" },
		{ "cupboard.lock=ticket", "--set: cupboard.lock: expected "
		  "none, mutex, spin or atomic, found 'ticket'" },
		{ "dryer.count=x", "--set: dryer.count: expected a count >= 1, "
		  "found 'x'" },
		{ "dryer.count=0", "--set: dryer.count: expected a count >= 1, "
		  "found '0'" },
		{ "dryer.time=", "--set: dryer.time: expected a value for "
		  "'time', found nothing" },
		{ "scenario.mode=fibers", "--set: scenario.mode: expected "
		  "threads, processes or async, found 'fibers'" },
		{ "nodot=1", "--set: expected SECTION.KEY=VALUE, found "
		  "'nodot=1'" },
		{ "dryer.count", "--set: expected SECTION.KEY=VALUE, found "
		  "'dryer.count'" },
		{ ".count=1", "--set: expected SECTION.KEY=VALUE, found "
		  "'.count=1'" },
		{ "dryer.=1", "--set: expected SECTION.KEY=VALUE, found "
		  "'dryer.=1'" },
		/* Text only: a title or a say reaches the terminal. */
		{ "scenario.title=\x1b]52;c;aGk=\x07", "--set: expected "
		  "text, found byte 0x1b at column 16 of 'scenario.title="
		  "\x1b]52;c;aGk=\x07'" },
		{ "dryer.say=rm -rf /\rall good", "--set: expected text, "
		  "found byte 0x0d at column 19 of 'dryer.say=rm -rf /\r"
		  "all good'" },
		{ "dryer.say=a\nb", "--set: expected text, found byte 0x0a at "
		  "column 12 of 'dryer.say=a\nb'" },
		{ "scenario.dishes=a\xc2\x9b", "--set: expected text, found "
		  "byte 0xc2 at column 18 of 'scenario.dishes=a\xc2\x9b'" },
		{ "scenario.dishes=\x9b", "--set: expected text, found byte "
		  "0x9b at column 17 of 'scenario.dishes=\x9b'" },
		{ "scenario.title=\x7f", "--set: expected text, found byte "
		  "0x7f at column 16 of 'scenario.title=\x7f'" },
	};
	struct scenario	*s = parse_ok("[washer]\n[dryer]\ncount = 2\n");
	char		*cause = NULL;
	size_t		 i;

	ck_assert_int_eq(scenario_set(s, "dryer.count=3", &cause), 0);
	ck_assert_uint_eq(s->stations[1].count, 3);
	ck_assert_str_eq(s->stations[1].count_pos.file, "--set");
	ck_assert_int_eq(scenario_set(s, "  dryer.count = 4  ", &cause), 0);
	ck_assert_uint_eq(s->stations[1].count, 4);
	ck_assert_int_eq(scenario_set(s, "scenario.mode=processes", &cause),
	    0);
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	ck_assert_str_eq(s->mode_pos.file, "--set");
	ck_assert_int_eq(scenario_set(s, "scenario.dishes=100000", &cause),
	    0);
	ck_assert_ptr_null(s->dish_names);
	ck_assert_uint_eq(s->ndishes, 100000);
	ck_assert_int_eq(scenario_set(s, "scenario.dishes=a b", &cause), 0);
	ck_assert_uint_eq(s->ndishes, 2);
	ck_assert_str_eq(s->dish_names[1], "b");
	ck_assert_int_eq(scenario_set(s, "scenario.rack=0", &cause), 0);
	ck_assert_uint_eq(scenario_rack(s, 1), 0);
	ck_assert_int_eq(scenario_set(s, "dryer.rack=7", &cause), 0);
	ck_assert_uint_eq(scenario_rack(s, 1), 7);
	ck_assert_int_eq(scenario_set(s, "washer.time=1s..2s", &cause), 0);
	ck_assert_int_eq(s->stations[0].time.kind, DIST_UNIFORM);
	ck_assert_int_eq(scenario_set(s, "washer.work=cpu", &cause), 0);
	ck_assert_int_eq(s->stations[0].work, WORK_CPU);
	ck_assert_int_eq(scenario_set(s, "scenario.gil.interval=10ms",
	    &cause), 0);
	ck_assert_int_eq(s->gil_interval_ns, 10 * MS);
	ck_assert_int_eq(scenario_set(s, "scenario.title=A # B", &cause), 0);
	ck_assert_str_eq(s->title, "A # B");
	ck_assert_int_eq(scenario_set(s, "dryer.say=Drying {dish}\\n",
	    &cause), 0);
	ck_assert_str_eq(s->stations[1].say, "Drying {dish}\n");
	ck_assert_int_eq(scenario_set(s, "scenario.title=a\tb \xec\xa0\x91",
	    &cause), 0);
	ck_assert_str_eq(s->title, "a\tb \xec\xa0\x91");

	for (i = 0; i < NITEMS(bad); i++) {
		cause = NULL;
		ck_assert_msg(scenario_set(s, bad[i].assignment, &cause) == -1,
		    "accepted %s", bad[i].assignment);
		ck_assert_str_eq(cause, bad[i].message);
		free(cause);
	}
	/* A refused value leaves the old one. */
	ck_assert_uint_eq(s->stations[1].count, 4);
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	scenario_free(s);
}
END_TEST

/*
 * More named locks than a run can have: refused by --check, at the needs
 * that asks for one too many (the run crashed before), --force or not.
 */
START_TEST(test_too_many_locks)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = parse_ok("[washer]\nneeds = a b c\n[dryer]\nneeds = d e a f\n"
	    "[stacker]\nneeds = g h i\n");
	ck_assert_int_eq(scenario_validate(s, 1, &cause), -1);
	ck_assert_str_eq(cause, "t.scn:6:9: stacker needs 'i', a lock beyond "
	    "the 8 named locks a scenario may have");
	free(cause);
	scenario_free(s);
	s = parse_ok("[washer]\nneeds = a b c\n[dryer]\nneeds = d e a f\n"
	    "[stacker]\nneeds = g h c\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	scenario_free(s);
}
END_TEST

/* Absurd counts are refused without --force, at the count's place. */
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

	s = parse_ok("[washer]\ncount = 4096\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	scenario_free(s);

	/* The washer runs in the main process: 256 dryers are 256 forks. */
	s = parse_ok("[scenario]\nmode = processes\n[washer]\ncount = 3\n"
	    "[dryer]\ncount = 256\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "dryer.count=257", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_str_eq(cause, "--set: 257 forked processes in all is more "
	    "than 256; pass --force to allow it");
	free(cause);
	/* Its workers are threads of the main process, counted as such. */
	ck_assert_int_eq(scenario_set(s, "dryer.count=1", &cause), 0);
	ck_assert_int_eq(scenario_set(s, "washer.count=4096", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "washer.count=4097", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_str_eq(cause, "--set: washer.count = 4097 is more than "
	    "4096 threads; pass --force to allow it");
	free(cause);
	scenario_free(s);

	s = parse_ok("[scenario]\nmode = processes\n[washer]\n[dryer]\n"
	    "count = 300\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_str_eq(cause, "t.scn:5:9: 300 forked processes in all is "
	    "more than 256; pass --force to allow it");
	free(cause);
	ck_assert_int_eq(scenario_validate(s, 1, &cause), 0);
	/* The same count is fine for threads, and async is left to run. */
	ck_assert_int_eq(scenario_set(s, "scenario.mode=threads", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "scenario.mode=async", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "dryer.count=9000", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	/* An async worker is a task on the loop's one thread. */
	ck_assert_str_eq(cause, "--set: dryer.count = 9000 is more than 4096 "
	    "async tasks; pass --force to allow it");
	free(cause);
	scenario_free(s);

	/* Each forked station under the limit, all of them over it. */
	s = parse_ok("[scenario]\nmode = processes\n[a]\ncount = 100\n"
	    "[b]\ncount = 100\n[c]\ncount = 100\n[d]\ncount  =  100\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
	ck_assert_str_eq(cause, "t.scn:6:9: 300 forked processes in all is "
	    "more than 256; pass --force to allow it");
	free(cause);
	scenario_free(s);
}
END_TEST

/*
 * A [script] count is held to the same limits, at the step that asks for
 * it, over the counts the file and --set left; --force lifts them too.
 */
START_TEST(test_script_counts_need_force)
{
	static const struct {
		const char	*text;
		const char	*message;
	} cases[] = {
		{ "[washer]\n[dryer]\n[script]\n1s set dryer.count = 5000\n",
		  "t.scn:4:1: dryer.count = 5000 is more than 4096 threads; "
		  "pass --force to allow it" },
		{ "[scenario]\nmode = async\n[washer]\n[dryer]\n[script]\n"
		  "1s set dryer.count = 4096\n  2s set washer.count=4097\n",
		  "t.scn:7:3: washer.count = 4097 is more than 4096 async "
		  "tasks; pass --force to allow it" },
		{ "[scenario]\nmode = processes\n[washer]\n[dryer]\n"
		  "count = 200\n[stacker]\n[script]\n1s set stacker.count = "
		  "56\n2s set stacker.count = 57\n",
		  "t.scn:9:1: 257 forked processes in all is more than 256; "
		  "pass --force to allow it" },
	};
	struct scenario	*s;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; i < NITEMS(cases); i++) {
		s = parse_ok(cases[i].text);
		ck_assert_int_eq(scenario_validate(s, 0, &cause), -1);
		ck_assert_str_eq(cause, cases[i].message);
		free(cause);
		ck_assert_int_eq(scenario_validate(s, 1, &cause), 0);
		scenario_free(s);
	}
	/* Down, then up again: each step on the counts before it. */
	s = parse_ok("[scenario]\nmode = processes\n[washer]\n[dryer]\n"
	    "count = 200\n[script]\n1s set dryer.count = 1\n"
	    "2s set washer.count = 3000\n3s set dryer.count = 256\n");
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	ck_assert_int_eq(scenario_set(s, "washer.count=2000", &cause), 0);
	ck_assert_int_eq(scenario_validate(s, 0, &cause), 0);
	scenario_free(s);
}
END_TEST

/* The workers a script adds: each step's rise over the count before it. */
START_TEST(test_script_workers)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = parse_ok("[washer]\n[dryer]\n");
	ck_assert_uint_eq(scenario_script_workers(s), 0);
	scenario_free(s);
	s = parse_ok("[washer]\n[dryer]\ncount = 2\n[script]\n"
	    "1s set dryer.count = 100\n2s set dryer.count = 1\n"
	    "2s set dryer.time = 1s\n3s set dryer.count = 100\n"
	    "4s set washer.count = 3\n5s say done\n");
	ck_assert_uint_eq(scenario_script_workers(s), 98 + 99 + 2);
	ck_assert_int_eq(scenario_set(s, "dryer.count=50", &cause), 0);
	ck_assert_uint_eq(scenario_script_workers(s), 50 + 99 + 2);
	scenario_free(s);
}
END_TEST

/* The messages the man page quotes, word for word. */
START_TEST(test_exact_messages)
{
	static const struct {
		const char	*text;
		const char	*message;
	} cases[] = {
		{ "", "t.scn:1:1: no stations: a scenario needs at least one "
		  "[section] such as [washer]" },
		{ "[dryer]\ncont = 2\n", "t.scn:2:1: unknown key 'cont' in "
		  "[dryer], did you mean 'count'?" },
		{ "[w]\n  zzzzzz = 2\n", "t.scn:2:3: unknown key 'zzzzzz' in "
		  "[w]" },
		{ "[scenaro]\n", "t.scn:1:1: unknown section [scenaro], did "
		  "you mean [scenario]?" },
		{ "[w]\ntime = 2x\n", "t.scn:2:8: expected a duration such as "
		  "2s, 150ms, 1s..3s or exp(2s), found '2x'" },
		{ "[w]\ntime = 1s..0s\n", "t.scn:2:8: 1s..0s: the lower bound "
		  "is above the upper" },
		{ "[w]\ncount = -1\n", "t.scn:2:9: expected a count >= 1, "
		  "found '-1'" },
		{ "[w]\ncount = 1\ncount = 2\n", "t.scn:3:1: 'count' is set "
		  "twice in [w]: first on line 2" },
		{ "[w]\n[script]\nx5 say hello\n", "t.scn:3:1: expected a "
		  "duration such as 5s, found 'x5'" },
		{ "[w]\nsay = a\x01\n", "t.scn:2:8: not a text file (byte "
		  "0x01)" },
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < NITEMS(cases); i++) {
		cause = parse_error(cases[i].text, strlen(cases[i].text));
		ck_assert_str_eq(cause, cases[i].message);
		free(cause);
	}
}
END_TEST

/* Bad input of every kind: the place named, and what the message says. */
START_TEST(test_bad_inputs)
{
	static const struct bad_input bad[] = {
		/* Not a scenario at all. */
		{ "", 0, "t.scn:1:1: ", "no stations" },
		{ "# only a comment\n", 0, "t.scn:1:1: ", "no stations" },
		{ "[scenario]\ntitle = x\n[script]\n", 0, "t.scn:1:1: ",
		  "no stations" },
		{ "[w]\nsay = a\0b\n", 12, "t.scn:2:8: ",
		  "not a text file (byte 0x00)" },
		{ "\0\0\0\0", 4, "t.scn:1:1: ", "not a text file (byte 0x00)" },
		{ "[w]\nsay = \xff\xfe\n", 0, "t.scn:2:7: ",
		  "not a text file (byte 0xff)" },
		{ "[w]\nsay = 접\xff\n", 0, "t.scn:2:10: ",
		  "not a text file (byte 0xff)" },
		{ "[w]\nsay = \x1b[31mred\n", 0, "t.scn:2:7: ",
		  "not a text file (byte 0x1b)" },
		{ "[w]\nsay = \xc2\x9b" "31m\n", 0, "t.scn:2:7: ",
		  "(byte 0xc2)" },
		{ "[w]\nsay = \xc0\xaf\n", 0, "t.scn:2:7: ", "(byte 0xc0)" },
		{ "[w]\nsay = \xed\xa0\x80\n", 0, "t.scn:2:7: ",
		  "(byte 0xed)" },
		{ "[w]\nsay = \xf4\x90\x80\x80\n", 0, "t.scn:2:7: ",
		  "(byte 0xf4)" },
		{ "[w]\nsay = \xe2\x82", 0, "t.scn:2:7: ", "(byte 0xe2)" },
		{ "\xef\xbb\xbf\xef\xbb", 0, "t.scn:1:1: ", "(byte 0xef)" },

		/* Sections. */
		{ "[scenaro]\n", 0, "t.scn:1:1: ", "did you mean [scenario]?" },
		{ "[w]\n[scrpt]\n", 0, "t.scn:2:1: ",
		  "did you mean [script]?" },
		{ "[Washer]\n", 0, "t.scn:1:2: ", "did you mean [washer]?" },
		{ "[Wash?er]\n", 0, "t.scn:1:2: ", "lowercase letters" },
		{ "[Scenario]\n", 0, "t.scn:1:2: ", "[scenario]" },
		{ "[wash er]\n", 0, "t.scn:1:2: ", "found [wash er]" },
		{ "[1st]\n", 0, "t.scn:1:2: ", "lowercase" },
		{ "[]\n", 0, "t.scn:1:2: ", "found []" },
		{ "[a-very_long-station-name-of-32ch]\n", 0, "t.scn:1:2: ",
		  "(at most 31)" },
		{ "  [w\n", 0, "t.scn:1:3: ", "expected ']'" },
		{ "[w] x\n", 0, "t.scn:1:5: ", "found 'x'" },
		{ "[w]\n[w]\n", 0, "t.scn:2:1: ",
		  "station [w] appears twice: first on line 1" },
		{ "[scenario]\n[w]\n[scenario]\n", 0, "t.scn:3:1: ",
		  "[scenario] appears twice" },
		{ "[w]\n[script]\n[script]\n", 0, "t.scn:3:1: ",
		  "[script] appears twice" },
		{ "[a]\n[b]\n[c]\n[d]\n[e]\n[f]\n[g]\n[h]\n[i]\n", 0,
		  "t.scn:9:1: ", "more than 8 stations" },

		/* Keys. */
		{ "count = 1\n[w]\n", 0, "t.scn:1:1: ", "outside any section" },
		{ "[w]\ncont = 2\n", 0, "t.scn:2:1: ",
		  "unknown key 'cont' in [w], did you mean 'count'?" },
		{ "[scenario]\ntitel = x\n[w]\n", 0, "t.scn:2:1: ",
		  "unknown key 'titel' in [scenario], did you mean 'title'?" },
		{ "[w]\nmode = threads\n", 0, "t.scn:2:1: ",
		  "unknown key 'mode' in [w]" },
		{ "[scenario]\ncount = 2\n[w]\n", 0, "t.scn:2:1: ",
		  "unknown key 'count' in [scenario]" },
		{ "[w]\njust words\n", 0, "t.scn:2:1: ",
		  "expected KEY = VALUE, found 'just words'" },
		{ "[w]\n = 3\n", 0, "t.scn:2:2: ",
		  "expected a key before '='" },
		{ "[w]\ncount = 1\ncount = 2\n", 0, "t.scn:3:1: ",
		  "first on line 2" },
		{ "[scenario]\nseed = 1\n\nseed = 2\n[w]\n", 0, "t.scn:4:1: ",
		  "'seed' is set twice in [scenario]: first on line 2" },

		/* Durations and distributions. */
		{ "[w]\ntime = 2x\n", 0, "t.scn:2:8: ", "found '2x'" },
		{ "[w]\ntime = -1s\n", 0, "t.scn:2:8: ", "found '-1s'" },
		{ "[w]\ntime=5\n", 0, "t.scn:2:6: ", "found '5'" },
		{ "[w]\ntime = 1s..0s\n", 0, "t.scn:2:8: ",
		  "1s..0s: the lower bound is above the upper" },
		{ "[w]\ntime = 1s..\n", 0, "t.scn:2:8: ", "found '1s..'" },
		{ "[w]\ntime = exp(x)\n", 0, "t.scn:2:8: ",
		  "expected a duration" },
		{ "[w]\ntime = exp(1s\n", 0, "t.scn:2:8: ", "found 'exp(1s'" },
		{ "[w]\ntime = 25h\n", 0, "t.scn:2:8: ", "found '25h'" },
		{ "[w]\ntime =\n", 0, "t.scn:2:7: ",
		  "expected a value for 'time', found nothing" },
		{ "[scenario]\nprint_gap = 2s\n[w]\n", 0, "t.scn:2:13: ",
		  "up to 1s" },
		{ "[scenario]\ngil.interval = 0\n[w]\n", 0, "t.scn:2:16: ",
		  "from 1us to 1s" },

		/* Counts and other values. */
		{ "[w]\ncount = -1\n", 0, "t.scn:2:9: ",
		  "expected a count >= 1, found '-1'" },
		{ "[w]\ncount = many\n", 0, "t.scn:2:9: ", "found 'many'" },
		{ "[w]\ncount = 0\n", 0, "t.scn:2:9: ",
		  "expected a count >= 1, found '0'" },
		{ "[w]\ncount = 1e3\n", 0, "t.scn:2:9: ", "found '1e3'" },
		{ "[w]\ncount = 2 3\n", 0, "t.scn:2:9: ", "found '2 3'" },
		{ "[w]\ncount = 99999999999\n", 0, "t.scn:2:9: ",
		  "at most 1000000" },
		{ "[w]\nwork = gpu\n", 0, "t.scn:2:8: ",
		  "expected io or cpu, found 'gpu'" },
		{ "[scenario]\nmode = fibers\n[w]\n", 0, "t.scn:2:8: ",
		  "expected threads, processes or async, found 'fibers'" },
		{ "[scenario]\nrack = -2\n[w]\n", 0, "t.scn:2:8: ",
		  "expected a capacity" },
		{ "[scenario]\nrack = 1000001\n[w]\n", 0, "t.scn:2:8: ",
		  "expected a capacity" },
		{ "[w]\nrack = lots\n", 0, "t.scn:2:8: ", "found 'lots'" },
		{ "[scenario]\ndishes = 0\n[w]\n", 0, "t.scn:2:10: ",
		  "from 1 to" },
		{ "[scenario]\ndishes = 10000001\n[w]\n", 0, "t.scn:2:10: ",
		  "from 1 to 10000000" },
		{ "[scenario]\ndishes = 12 cups\n[w]\n", 0, "t.scn:2:10: ",
		  "found '12 cups'" },
		{ "[scenario]\ndishes = a,b\n[w]\n", 0, "t.scn:2:10: ",
		  "found ',' in 'a,b'" },
		{ "[scenario]\ndishes = "
		  "a12345678901234567890123456789012"
		  "34567890123456789012345678901234"
		  "\n[w]\n", 0, "t.scn:2:10: ", "at most 64 bytes" },
		{ "[scenario]\nseed = -1\n[w]\n", 0, "t.scn:2:8: ",
		  "whole number" },
		{ "[scenario]\nseed = 18446744073709551616\n[w]\n", 0,
		  "t.scn:2:8: ", "whole number" },
		{ "[scenario]\noutput = words\n[w]\n", 0, "t.scn:2:10: ",
		  "expected parts or lines" },
		{ "[scenario]\ngil = yes\n[w]\n", 0, "t.scn:2:7: ",
		  "expected off or on" },
		{ "[scenario]\ncores = 0\n[w]\n", 0, "t.scn:2:9: ",
		  "from 1 to 4096" },
		{ "[w]\nsay = Drying {dihs}\n", 0, "t.scn:2:7: ",
		  "unknown placeholder '{dihs}', did you mean '{dish}'?" },

		/* Locks and the cupboard. */
		{ "[w]\nneeds = Towel\n", 0, "t.scn:2:9: ",
		  "a lock is named with lowercase letters, digits, '-' and '_' "
		  "(at most 15), found 'Towel'" },
		{ "[w]\nneeds = a-very-long-towel\n", 0, "t.scn:2:9: ",
		  "found 'a-very-long-towel'" },
		{ "[w]\nneeds = a b c d e\n", 0, "t.scn:2:9: ",
		  "at most 4 locks" },
		{ "[w]\nneeds = towel cloth towel\n", 0, "t.scn:2:9: ",
		  "'towel' is needed twice" },
		{ "[scenario]\nlock_order = random\n[w]\n", 0,
		  "t.scn:2:14: ", "expected opposite or fixed" },
		{ "[w]\n[cupbord]\n", 0, "t.scn:2:1: ",
		  "did you mean [cupboard]?" },
		{ "[w]\n[cupboard]\n[cupboard]\n", 0, "t.scn:3:1: ",
		  "[cupboard] appears twice" },
		{ "[w]\n[cupboard]\nlok = mutex\n", 0, "t.scn:3:1: ",
		  "unknown key 'lok' in [cupboard], did you mean 'lock'?" },
		{ "[w]\n[cupboard]\ncount = 2\n", 0, "t.scn:3:1: ",
		  "unknown key 'count' in [cupboard]" },
		{ "[w]\n[cupboard]\nlock = ticket\n", 0, "t.scn:3:8: ",
		  "expected none, mutex, spin or atomic, found 'ticket'" },
		{ "[w]\n[cupboard]\nwindow = 2s\n", 0, "t.scn:3:10: ",
		  "up to 1s" },
		/* The lock changes during a run; its window does not. */
		{ "[w]\n[cupboard]\n[script]\n1s set cupboard.window = 1ms\n",
		  0, "t.scn:4:8: ", "not 'cupboard.window'" },
		{ "[w]\n[script]\n1s set cupboard.lock = mutex\n",
		  0, "t.scn:3:8: ", "there is no [cupboard] to lock" },
		{ "[w]\n[d]\n[script]\n1s set w.rack = 3\n",
		  0, "t.scn:4:8: ", "w takes its dishes from the pile" },

		/* The script. */
		{ "[w]\n[script]\nx5 say hello\n", 0, "t.scn:3:1: ",
		  "expected a duration such as 5s, found 'x5'" },
		{ "[w]\n[script]\n  -1s say hello\n", 0, "t.scn:3:3: ",
		  "found '-1s'" },
		{ "[w]\n[script]\n5 say hello\n", 0, "t.scn:3:1: ",
		  "found '5'" },
		{ "[w]\n[script]\n5s shout hello\n", 0, "t.scn:3:4: ",
		  "expected say, set, pause, kill or restart after the time, found 'shout'" },
		{ "[w]\n[script]\n5s\n", 0, "t.scn:3:3: ", "found nothing" },
		{ "[w]\n[script]\n5s say\n", 0, "t.scn:3:4: ",
		  "expected text after say" },
		{ "[w]\n[script]\n5s say a\n1s say b\n", 0, "t.scn:4:1: ",
		  "must be in time order" },
		{ "[w]\n[script]\n5s set w.cont = 2\n", 0, "t.scn:3:8: ",
		  "unknown key 'w.cont', did you mean 'w.count'?" },
		{ "[w]\n[script]\n5s set w.count = x\n", 0, "t.scn:3:18: ",
		  "w.count: expected a count >= 1, found 'x'" },
		{ "[script]\n5s set dryr.count=2\n[dryer]\n", 0, "t.scn:2:8: ",
		  "unknown section 'dryr', did you mean 'dryer'?" },
		{ "[w]\n[script]\n5s set nothing\n", 0, "t.scn:3:8: ",
		  "expected set SECTION.KEY = VALUE, found 'nothing'" },
		{ "[w]\n[script]\n5s set w . count = 2\n", 0, "t.scn:3:8: ",
		  "SECTION.KEY" },
		{ "[w]\n[script]\n5s set w.count =\n", 0, "t.scn:3:17: ",
		  "expected a value for 'count'" },
		{ "[w]\n[script]\n5s set w.say = hello\n", 0, "t.scn:3:8: ",
		  "only a station's count, time, rack and subscribe, "
		  "scenario.rack, scenario.gil and cupboard.lock can change "
		  "during a run, not 'w.say'" },
		{ "[w]\n[script]\n5s set scenario.mode = processes\n", 0,
		  "t.scn:3:8: ", "not 'scenario.mode'" },
		{ "[w]\n[script]\n5s set scenario.mode = fibers\n", 0,
		  "t.scn:3:24: ", "expected threads, processes or async" },
	};
	char	*cause;
	size_t	 i, len;

	for (i = 0; i < NITEMS(bad); i++) {
		len = bad[i].len != 0 ? bad[i].len : strlen(bad[i].text);
		cause = parse_error(bad[i].text, len);
		ck_assert_msg(strncmp(cause, bad[i].prefix,
		    strlen(bad[i].prefix)) == 0,
		    "case %zu: '%s' does not start with '%s'", i, cause,
		    bad[i].prefix);
		ck_assert_msg(strstr(cause, bad[i].phrase) != NULL,
		    "case %zu: '%s' lacks '%s'", i, cause, bad[i].phrase);
		free(cause);
	}
}
END_TEST

/* A huge token is quoted in part, cut at a character boundary. */
START_TEST(test_long_input_clipped)
{
	char	*text, *cause;
	size_t	 n = 100000;

	text = malloc(n + 16);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "[w]\n", 4);
	memset(text + 4, 'k', n);
	memcpy(text + 4 + n, " = 1\n", 6);
	cause = parse_error(text, strlen(text));
	ck_assert_str_eq(cause, "t.scn:2:1: unknown key "
	    "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' in [w]");
	free(cause);

	/* 47 ASCII bytes, then a 3-byte letter across the cut. */
	memset(text + 4, 'x', 47);
	memcpy(text + 4 + 47, "\xec\xa0\x91", 3);
	memcpy(text + 4 + 50, "yyyy = 1\n", 10);
	cause = parse_error(text, strlen(text));
	ck_assert_str_eq(cause, "t.scn:2:1: unknown key "
	    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' in [w]");
	free(cause);
	free(text);
}
END_TEST

/* scenario_load: I/O errors say FILE: reason; parse errors keep FILE. */
START_TEST(test_load_errors)
{
	static const char	 elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0";
	char			 dir[] = "/tmp/check_scenario.XXXXXX";
	char			 path[256], *cause = NULL, *big;
	struct scenario		*s;
	size_t			 n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing.scn", dir);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_int_eq(strncmp(cause, path, strlen(path)), 0);
	ck_assert_str_eq(cause + strlen(path), ": No such file or directory");
	free(cause);

	ck_assert_ptr_null(scenario_load(dir, &cause));
	ck_assert_int_eq(strncmp(cause, dir, strlen(dir)), 0);
	ck_assert_str_eq(cause + strlen(dir), ": is a directory");
	free(cause);

	/* A FIFO would block open() until a writer came: refused at once. */
	snprintf(path, sizeof path, "%s/fifo.scn", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_int_eq(strncmp(cause, path, strlen(path)), 0);
	ck_assert_str_eq(cause + strlen(path), ": a FIFO: expected a regular "
	    "file");
	free(cause);
	unlink(path);
	ck_assert_ptr_null(scenario_load("/dev/null", &cause));
	ck_assert_str_eq(cause, "/dev/null: a character device: expected a "
	    "regular file");
	free(cause);

	snprintf(path, sizeof path, "%s/empty.scn", dir);
	write_file(path, "", 0);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_int_eq(strncmp(cause, path, strlen(path)), 0);
	ck_assert_str_eq(cause + strlen(path), ":1:1: no stations: a scenario "
	    "needs at least one [section] such as [washer]");
	free(cause);
	unlink(path);

	snprintf(path, sizeof path, "%s/binary.scn", dir);
	write_file(path, elf, sizeof elf - 1);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_str_eq(cause + strlen(path), ":1:1: not a text file (byte "
	    "0x7f)");
	free(cause);
	unlink(path);

	/* One byte over the limit, though every byte is a comment. */
	n = 1024 * 1024 + 1;
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', n);
	snprintf(path, sizeof path, "%s/big.scn", dir);
	write_file(path, big, n);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "larger than 1048576 bytes"));
	free(cause);
	write_file(path, big, n - 1);
	ck_assert_ptr_null(scenario_load(path, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "big.scn:1:1: no stations"));
	free(cause);
	free(big);
	unlink(path);

	snprintf(path, sizeof path, "%s/good.scn", dir);
	write_file(path, "[washer]\n", 9);
	s = scenario_load(path, &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s->file, path);
	ck_assert_str_eq(s->title, "good");
	scenario_free(s);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Suggestions: near words only, any case, never for a one-letter word. */
START_TEST(test_suggest)
{
	static const char *const keys[] = { "count", "time", "work", "say" };

	ck_assert_str_eq(scn_suggest("cont", keys, 4), "count");
	ck_assert_str_eq(scn_suggest("TIME", keys, 4), "time");
	ck_assert_str_eq(scn_suggest("wrok", keys, 4), "work");
	ck_assert_str_eq(scn_suggest("counts", keys, 4), "count");
	ck_assert_ptr_null(scn_suggest("banana", keys, 4));
	ck_assert_ptr_null(scn_suggest("x", keys, 4));
	ck_assert_ptr_null(scn_suggest("", keys, 4));
	ck_assert_ptr_null(scn_suggest("count", keys, 0));
}
END_TEST

/* Parse the same text over and over, for test_parse_in_threads. */
static void *
parse_in_thread(void *arg)
{
	const char	*text = arg;
	struct scenario	*s;
	char		*cause = NULL;
	int		 i;

	for (i = 0; i < 200; i++) {
		s = scenario_parse("t.scn", text, strlen(text), &cause);
		if (s == NULL || s->nstations != 2 || s->nscript != 2 ||
		    strcmp(s->script[1].text, "dryer.count=3") != 0)
			return ((void *)1);
		scenario_set(s, "dryer.count=5", &cause);
		scenario_free(s);
		s = scenario_parse("t.scn", "[w]\ncont = 1\n", 13, &cause);
		if (s != NULL || strstr(cause, "did you mean") == NULL)
			return ((void *)1);
		free(cause);
	}
	return (NULL);
}

/* The parser keeps no global state: threads may parse at once. */
START_TEST(test_parse_in_threads)
{
	static char		 text[] = "[washer]\nsay = Washing {dish}\n"
	    "[dryer]\ncount = 2\ntime = 1s..3s\n"
	    "[script]\n1s say hi\n2s set dryer.count = 3\n";
	pthread_t		 t[4];
	void			*rv;
	size_t			 i;

	for (i = 0; i < NITEMS(t); i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, parse_in_thread,
		    text), 0);
	for (i = 0; i < NITEMS(t); i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
}
END_TEST

/* Every row of the key table is whole, and unique in its section. */
START_TEST(test_key_table_complete)
{
	size_t	i, j;
	int	scenario = 0, station = 0, cupboard = 0, rack = 0;

	for (i = 0; i < scn_nkeys; i++) {
		ck_assert(scn_keys[i].set != NULL);
		ck_assert_ptr_nonnull(scn_keys[i].help);
		ck_assert_ptr_nonnull(scn_keys[i].def);
		if (scn_keys[i].type == KEY_ENUM)
			ck_assert_ptr_nonnull(scn_keys[i].choices);
		for (j = 0; j < i; j++)
			ck_assert(scn_keys[j].section != scn_keys[i].section ||
			    strcmp(scn_keys[j].name, scn_keys[i].name) != 0);
		scenario += scn_keys[i].section == SECTION_SCENARIO;
		station += scn_keys[i].section == SECTION_STATION;
		cupboard += scn_keys[i].section == SECTION_CUPBOARD;
		rack += scn_keys[i].section == SECTION_RACK;
	}
	ck_assert_int_eq(scenario, 14);
	ck_assert_int_eq(station, 13);
	ck_assert_int_eq(cupboard, 2);
	ck_assert_int_eq(rack, 7);
}
END_TEST

/*
 * The man page agrees with the key table: every key has a paragraph in its
 * section, and the paragraph gives the table's default.
 */
START_TEST(test_man_page_has_every_key)
{
	const char	*dir = scenarios_dir(), *sec, *next, *para, *end;
	char		 path[4096], needle[64], *man, *text;
	size_t		 i;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof path, "%s/../man/dishrack-scenario.5", dir);
	man = slurp(path);
	ck_assert_msg(man != NULL, "cannot read %s", path);
	for (i = 0; i < scn_nkeys; i++) {
		if (scn_keys[i].section == SECTION_SCENARIO)
			sec = strstr(man, "\n.SH [scenario] KEYS\n");
		else if (scn_keys[i].section == SECTION_CUPBOARD)
			sec = strstr(man, "\n.SH [cupboard] KEYS\n");
		else if (scn_keys[i].section == SECTION_RACK)
			sec = strstr(man, "\n.SH [rack] KEYS\n");
		else if (scn_keys[i].section == SECTION_SERVER)
			sec = strstr(man, "\n.SH [server] KEYS\n");
		else if (scn_keys[i].section == SECTION_VISITORS)
			sec = strstr(man, "\n.SH [visitors] KEYS\n");
		else
			sec = strstr(man, "\n.SH STATION KEYS\n");
		ck_assert_ptr_nonnull(sec);
		next = strstr(sec + 1, "\n.SH ");
		snprintf(needle, sizeof needle, "\n.TP\n.B %s\n",
		    scn_keys[i].name);
		para = strstr(sec, needle);
		ck_assert_msg(para != NULL && (next == NULL || para < next),
		    "%s has no paragraph for '%s'", path, scn_keys[i].name);
		para += strlen(needle);
		end = strstr(para, "\n.TP\n");
		if (end == NULL || (next != NULL && next < end))
			end = next;
		text = strndup(para, end != NULL ? (size_t)(end - para) :
		    strlen(para));
		ck_assert_msg(strstr(text, scn_keys[i].def) != NULL,
		    "the paragraph of '%s' lacks its default '%s'",
		    scn_keys[i].name, scn_keys[i].def);
		free(text);
	}
	free(man);
}
END_TEST

/* Every test, in one case. */
static Suite *
scenario_suite(void)
{
	Suite	*s = suite_create("scenario");
	TCase	*tc = tcase_create("language");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_distributions);
	tcase_add_test(tc, test_dishes_count_and_names);
	tcase_add_test(tc, test_racks);
	tcase_add_test(tc, test_stations_in_order);
	tcase_add_test(tc, test_say);
	tcase_add_test(tc, test_bom_crlf_and_blanks);
	tcase_add_test(tc, test_lone_cr);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_script_steps);
	tcase_add_test(tc, test_script_limit);
	tcase_add_test(tc, test_locks);
	tcase_add_test(tc, test_shipped_scenarios_parse);
	tcase_add_test(tc, test_set_overrides);
	tcase_add_test(tc, test_limits_need_force);
	tcase_add_test(tc, test_script_counts_need_force);
	tcase_add_test(tc, test_script_workers);
	tcase_add_test(tc, test_too_many_locks);
	tcase_add_test(tc, test_exact_messages);
	tcase_add_test(tc, test_bad_inputs);
	tcase_add_test(tc, test_long_input_clipped);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_suggest);
	tcase_add_test(tc, test_parse_in_threads);
	tcase_add_test(tc, test_key_table_complete);
	tcase_add_test(tc, test_man_page_has_every_key);
	suite_add_tcase(s, tc);
	return (s);
}

/* Run the suite; the exit status is whether every test passed. */
CHECK_MAIN(scenario_suite)
