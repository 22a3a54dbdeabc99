/*
 * check_record.c: the recording's pieces. JSON strings come back byte
 * for byte whatever they held; the reader refuses what RFC 8259 does and
 * stops at its depth; events written by the recorder are read back as
 * they were, the engine's (-1) and "no dish" (-1) too.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "json.h"
#include "rack.h"
#include "record.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "check_main.h"

static Suite	*record_suite(void);

/* Every byte, alone and in runs, quoted and parsed back. */
START_TEST(test_quote_round_trip)
{
	char		 in[300], *buf, *cause = NULL;
	struct json	*j;
	size_t		 n, i;

	buf = malloc(sizeof in * 6 + 2);
	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < 256; i++) {
		in[0] = (char)i;
		in[1] = 'x';
		in[2] = (char)(255 - i);
		n = json_quote(buf, in, 3);
		j = json_parse(buf, n, &cause);
		ck_assert_msg(j != NULL, "byte %zu: %s", i, cause);
		ck_assert_int_eq(j->type, JSON_STRING);
		ck_assert_uint_eq(j->len, 3);
		ck_assert(memcmp(j->string, in, 3) == 0);
		json_free(j);
	}
	/* Valid UTF-8 stays as it is, so other readers read it too. */
	n = json_quote(buf, "설거지 é", strlen("설거지 é"));
	ck_assert(memcmp(buf, "\"설거지 é\"", n) == 0);
	free(buf);
}
END_TEST

/* What the reader refuses, each with a column. */
START_TEST(test_parse_refuses)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":}", "01", "1.", "-",
		"\"\\ud800\"", "\"\\udc00x\"", "\"a\nb\"", "\"\\q\"", "tru",
		"nul", "[1] 2", "\"open", "1e", "{\"a\":1,}",
	};
	struct json	*j;
	char		*cause;
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		j = json_parse(bad[i], strlen(bad[i]), &cause);
		ck_assert_msg(j == NULL, "'%s' taken", bad[i]);
		ck_assert_msg(cause != NULL && strncmp(cause, "column ", 7) == 0,
		    "'%s': %s", bad[i], cause);
		free(cause);
	}
}
END_TEST

/* Nesting stops at JSON_MAX_DEPTH; numbers keep their integers. */
START_TEST(test_parse_depth_numbers)
{
	char		 deep[2 * (JSON_MAX_DEPTH + 2) + 2], *cause = NULL;
	struct json	*j;
	int		 k, n = JSON_MAX_DEPTH + 2;

	for (k = 0; k < n; k++)
		deep[k] = '[';
	for (k = 0; k < n; k++)
		deep[n + k] = ']';
	j = json_parse(deep, (size_t)(2 * n), &cause);
	ck_assert_ptr_null(j);
	ck_assert_ptr_nonnull(strstr(cause, "nested too deep"));
	free(cause);

	j = json_parse("[9223372036854775807,-1,0.25,\"\\ud83c\\udf7d\"]",
	    strlen("[9223372036854775807,-1,0.25,\"\\ud83c\\udf7d\"]"), &cause);
	ck_assert_ptr_nonnull(j);
	ck_assert(j->item[0].is_integer && j->item[0].integer == INT64_MAX);
	ck_assert(j->item[1].is_integer && j->item[1].integer == -1);
	ck_assert(!j->item[2].is_integer && j->item[2].number == 0.25);
	ck_assert_str_eq(j->item[3].string, "\xf0\x9f\x8d\xbd");
	json_free(j);
}
END_TEST

/* The recorder's lines, read back by the reader, event for event. */
START_TEST(test_record_round_trip)
{
	const struct builtin	*b = builtin_find("seed-threads");
	struct scenario		*scn;
	struct recorder		*rec;
	struct replay		*rp;
	struct stats		 st;
	struct tap		 t;
	struct stats_end	 se;
	struct report_run	 rr;
	struct report_worker	 w[2] = { { "washer-1", 0, 0 },
				    { "dryer-1", 7, 9 } };
	const struct event	 ev[] = {
		{ 0, 0, 0, EV_SPAWN, DISH_NONE, 1234 },
		{ 5, 0, 0, EV_GET, 0, 3 },
		{ 2000000000, 0, 0, EV_PUT, 0, 1 },
		{ 2000000001, 1, 1, EV_GET, 0, 0 },
		{ 6000000000, 1, 1, EV_DONE, 0, 0 },
		{ 7, EV_ENGINE, 0, EV_SCRIPT, DISH_NONE, 1 },
	};
	char			 path[] = "/tmp/check_record.XXXXXX";
	char			*cause = NULL;
	size_t			 i;
	int			 fd;

	ck_assert_ptr_nonnull(b);
	scn = scenario_parse("builtin:seed-threads", b->text, strlen(b->text),
	    &cause);
	ck_assert_ptr_nonnull(scn);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	rec = record_open(path, &cause);
	ck_assert_ptr_nonnull(rec);
	record_header(rec, scn, "virtual", 2.5, 0);
	record_tap(rec, &t);
	t.worker(t.arg, 0, 0, 0, "washer-1");
	t.worker(t.arg, 0, 1, 1, "dryer-1");
	for (i = 0; i < sizeof ev / sizeof ev[0]; i++)
		t.event(t.arg, &ev[i]);
	t.output(t.arg, 9, "Washing \x01salad\n", 15);
	memset(&se, 0, sizeof se);
	se.scn = scn;
	se.t_end = 6000000000;
	se.wall_ns = 42;
	se.pile_takes = 1;
	memset(&rr, 0, sizeof rr);
	rr.scn = scn;
	rr.clock = "virtual";
	rr.speed = 2.5;
	rr.workers = w;
	rr.nworkers = 2;
	t.end(t.arg, &se, &rr, NULL);
	ck_assert_int_eq(record_close(rec, &cause), 0);

	rp = replay_open(path, &cause);
	ck_assert_msg(rp != NULL, "%s", cause);
	ck_assert_double_eq(rp->speed, 2.5);
	ck_assert_str_eq(rp->clock, "virtual");
	stats_init(&st, rp->scn);
	ck_assert_int_eq(replay_run(rp, &st, NULL, NULL, &cause), 0);
	ck_assert_uint_eq(st.events, sizeof ev / sizeof ev[0]);
	ck_assert_uint_eq(st.taken, 1);
	ck_assert_uint_eq(st.st[1].dishes, 1);
	ck_assert_int_eq(st.caption, 1);
	ck_assert_int_eq(st.w[0].pid, 1234);
	ck_assert_int_eq(rp->se.t_end, 6000000000);
	ck_assert_int_eq(rp->se.wall_ns, 42);
	ck_assert_uint_eq(rp->rr.nworkers, 2);
	ck_assert_str_eq(rp->rr.workers[1].name, "dryer-1");
	ck_assert_int_eq(rp->rr.workers[1].gil_hold_ns, 9);
	stats_free(&st);
	replay_close(rp);
	scenario_free(scn);
	unlink(path);
}
END_TEST

static Suite *
record_suite(void)
{
	Suite	*s = suite_create("record");
	TCase	*tc = tcase_create("format");

	tcase_add_test(tc, test_quote_round_trip);
	tcase_add_test(tc, test_parse_refuses);
	tcase_add_test(tc, test_parse_depth_numbers);
	tcase_add_test(tc, test_record_round_trip);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(record_suite)
