/*
 * check_matrix.c: the grid of --matrix: its axes as written, every row
 * once in odometer order, and a row applied as overrides named --matrix.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "scenario.h"
#include "check_main.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

static Suite	*matrix_suite(void);

/* Keys and values as written; rows with the last key fastest. */
START_TEST(test_parse_and_rows)
{
	struct matrix	 m;
	unsigned	 idx[MATRIX_MAX_PARAMS] = { 0 }, rows = 2;
	char		*cause = NULL;

	ck_assert_int_eq(matrix_parse(&m, " mode=threads,,processes\t"
	    "dryer.count=1,2,3 ", &cause), 0);
	ck_assert_uint_eq(m.nkeys, 2);
	ck_assert_str_eq(m.keys[0], "mode");
	ck_assert_uint_eq(m.nvalues[0], 2);
	ck_assert_str_eq(m.values[0][1], "processes");
	ck_assert_str_eq(m.keys[1], "dryer.count");
	ck_assert_uint_eq(m.nvalues[1], 3);
	ck_assert_int_eq(matrix_next(&m, idx), 1);
	ck_assert_uint_eq(idx[0], 0);
	ck_assert_uint_eq(idx[1], 1);
	while (matrix_next(&m, idx))
		rows++;
	ck_assert_uint_eq(rows, 6);	/* and back at the first */
	ck_assert_uint_eq(idx[0], 0);
	ck_assert_uint_eq(idx[1], 0);
	matrix_free(&m);
}
END_TEST

/* What cannot be a grid, word for word. */
START_TEST(test_parse_errors)
{
	static const struct {
		const char	*text;
		const char	*message;
	} cases[] = {
		{ "", "--matrix: nothing to vary" },
		{ " \t ", "--matrix: nothing to vary" },
		{ "mode", "--matrix: expected KEY=V1,V2 ..., found 'mode'" },
		{ "=a,b", "--matrix: expected KEY=V1,V2 ..., found '=a,b'" },
		{ "mode=", "--matrix: expected KEY=V1,V2 ..., found 'mode='" },
		{ "mode=,,", "--matrix: expected KEY=V1,V2 ..., found "
		  "'mode=,,'" },
		{ "a=1 b=1 c=1 d=1 e=1", "--matrix: at most 4 keys" },
		{ "a=1,2,3,4,5,6,7,8,9", "--matrix: at most 8 values for a" },
	};
	struct matrix	 m;
	char		*cause;
	size_t		 i;

	for (i = 0; i < NITEMS(cases); i++) {
		cause = NULL;
		ck_assert_int_eq(matrix_parse(&m, cases[i].text, &cause), -1);
		ck_assert_str_eq(cause, cases[i].message);
		free(cause);
		matrix_free(&m);
	}
}
END_TEST

/* A row through the key table: "mode" is scenario.mode; errors say so. */
START_TEST(test_apply)
{
	static const char text[] = "[washer]\n[dryer]\n";
	struct scenario	*s;
	struct matrix	 m;
	unsigned	 idx[MATRIX_MAX_PARAMS] = { 1, 1 };
	char		*cause = NULL;

	s = scenario_parse("t.scn", text, strlen(text), &cause);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(matrix_parse(&m, "mode=threads,processes "
	    "dryer.count=1,3 gil=on,bogus", &cause), 0);
	ck_assert_int_eq(matrix_apply(&m, idx, s, &cause), 0);
	ck_assert_int_eq(s->mode, MODE_PROCESSES);
	ck_assert_str_eq(s->mode_pos.file, "--matrix");
	ck_assert_uint_eq(s->stations[1].count, 3);
	ck_assert_int_eq(s->gil, 1);
	idx[2] = 1;
	ck_assert_int_eq(matrix_apply(&m, idx, s, &cause), -1);
	ck_assert_str_eq(cause, "--matrix: scenario.gil: expected off or on, "
	    "found 'bogus'");
	free(cause);
	matrix_free(&m);
	ck_assert_int_eq(matrix_parse(&m, "dryr.count=2", &cause), 0);
	idx[0] = 0;
	ck_assert_int_eq(matrix_apply(&m, idx, s, &cause), -1);
	ck_assert_str_eq(cause, "--matrix: unknown section 'dryr', did you "
	    "mean 'dryer'?");
	free(cause);
	matrix_free(&m);
	scenario_free(s);
}
END_TEST

/* Every test, in one case. */
static Suite *
matrix_suite(void)
{
	Suite	*s = suite_create("matrix");
	TCase	*tc = tcase_create("grid");

	tcase_add_test(tc, test_parse_and_rows);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_apply);
	suite_add_tcase(s, tc);
	return (s);
}

/* Run the suite; the exit status is whether every test passed. */
CHECK_MAIN(matrix_suite)
