/*
 * check_layout.c: what fits on the screen at which size, without a
 * terminal.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "layout.h"
#include "check_main.h"

/* No part leaves the screen, and none overlaps another. */
static void
assert_inside(const struct layout *l, int cols, int rows)
{
	const struct rect	*r[2 * LAYOUT_MAX_STATIONS + 5];
	unsigned		 i, j, n = 0;

	r[n++] = &l->header;
	r[n++] = &l->timeline;
	r[n++] = &l->output;
	r[n++] = &l->caption;
	r[n++] = &l->keys;
	for (i = 0; i < l->nstations; i++) {
		r[n++] = &l->station[i];
		if (i > 0)
			r[n++] = &l->rack[i];
	}
	for (i = 0; i < n; i++) {
		if (r[i]->h == 0)
			continue;
		ck_assert_int_ge(r[i]->y, 0);
		ck_assert_int_ge(r[i]->x, 0);
		ck_assert_int_le(r[i]->y + r[i]->h, rows);
		ck_assert_int_le(r[i]->x + r[i]->w, cols);
		for (j = i + 1; j < n; j++) {
			if (r[j]->h == 0)
				continue;
			ck_assert_msg(r[i]->x + r[i]->w <= r[j]->x ||
			    r[j]->x + r[j]->w <= r[i]->x ||
			    r[i]->y + r[i]->h <= r[j]->y ||
			    r[j]->y + r[j]->h <= r[i]->y,
			    "parts %u and %u overlap at %dx%d", i, j, cols,
			    rows);
		}
	}
}

START_TEST(test_roomy_terminal_shows_everything)
{
	struct layout	l;

	layout_compute(&l, 120, 40, 2, 2, 0);
	ck_assert_int_eq(l.ok, 1);
	ck_assert_int_eq(l.horizontal, 1);
	ck_assert_int_eq(l.worker_rows, 2);
	ck_assert_int_gt(l.timeline.h, 0);
	ck_assert_int_gt(l.output.h, 0);
	ck_assert_int_eq(l.rack[1].w, 10);
	ck_assert_int_eq(l.keys.y, 39);
	assert_inside(&l, 120, 40);
}
END_TEST

START_TEST(test_too_small_asks_for_more)
{
	struct layout	l;

	layout_compute(&l, 40, 10, 2, 2, 0);
	ck_assert_int_eq(l.ok, 0);
	ck_assert_int_eq(l.min_cols, LAYOUT_MIN_COLS);
	ck_assert_int_eq(l.min_rows, LAYOUT_MIN_ROWS);
	layout_compute(&l, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS, 2, 2, 0);
	ck_assert_int_eq(l.ok, 1);
	assert_inside(&l, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
}
END_TEST

START_TEST(test_narrow_stacks_stations)
{
	struct layout	l;

	/* Eight stations cannot sit side by side in 70 columns. */
	layout_compute(&l, 70, 40, 8, 1, 0);
	ck_assert_int_eq(l.horizontal, 0);
	if (l.ok)
		assert_inside(&l, 70, 40);
	layout_compute(&l, 70, 20, 2, 2, 0);
	ck_assert_int_eq(l.ok, 1);
	ck_assert_int_eq(l.horizontal, 1);
	assert_inside(&l, 70, 20);
}
END_TEST

START_TEST(test_many_workers_are_capped)
{
	struct layout	l;

	layout_compute(&l, 120, 40, 2, 16, 0);
	ck_assert_int_eq(l.ok, 1);
	ck_assert_int_le(l.worker_rows, 8);
	assert_inside(&l, 120, 40);
	/* On a short screen the boxes shrink before the rest vanishes. */
	layout_compute(&l, 100, 20, 3, 16, 0);
	ck_assert_int_eq(l.ok, 1);
	ck_assert_int_le(l.station[0].h, 20 / 2);
	assert_inside(&l, 100, 20);
}
END_TEST

START_TEST(test_big_keeps_timeline_and_output)
{
	struct layout	l;

	layout_compute(&l, 100, 30, 2, 2, 1);
	ck_assert_int_eq(l.ok, 1);
	/* A few rows each: the timeline a row a worker, three of output. */
	ck_assert_int_eq(l.timeline.h, 1 + 4);
	ck_assert_int_eq(l.output.h, 1 + 3);
	/* The stations take the rest, and each worker gets a bar line. */
	ck_assert_int_eq(l.station[0].h, 30 - 3 - 5 - 4);
	ck_assert_int_eq(l.rack[1].h, l.station[0].h);
	ck_assert_int_eq(l.timeline.y, 1 + l.station[0].h);
	ck_assert_int_eq(l.worker_step, 4);
	ck_assert_int_ge(l.worker_pad, 1);
	ck_assert_int_le(l.worker_pad + l.worker_rows * l.worker_step,
	    l.station[0].h - 2);
	assert_inside(&l, 100, 30);
	/* Bigger than without --big, with fewer rows below. */
	{
		struct layout	small;

		layout_compute(&small, 100, 30, 2, 2, 0);
		ck_assert_int_gt(l.station[0].h, small.station[0].h);
		ck_assert_int_lt(l.output.h, small.output.h);
	}
	/* Two workers on 16 rows: the output goes, the timeline stays. */
	layout_compute(&l, 100, 16, 2, 2, 1);
	ck_assert_int_gt(l.timeline.h, 0);
	ck_assert_int_eq(l.output.h, 0);
	ck_assert_int_ge(l.worker_step, 2);
	assert_inside(&l, 100, 16);
	/* Four workers on 16 rows: two rows each still fit, nothing else. */
	layout_compute(&l, 100, 16, 2, 4, 1);
	ck_assert_int_eq(l.worker_step, 2);
	ck_assert_int_eq(l.timeline.h, 0);
	ck_assert_int_le(l.worker_pad + l.worker_rows * l.worker_step,
	    l.station[0].h - 2);
	/* Eight workers on 30 rows: all shown, two rows each. */
	layout_compute(&l, 100, 30, 2, 8, 1);
	ck_assert_int_eq(l.worker_rows, 8);
	ck_assert_int_eq(l.worker_step, 2);
	ck_assert_int_gt(l.timeline.h, 0);
	assert_inside(&l, 100, 30);
	/* ... on 16 rows: two rows each, as many as fit. */
	layout_compute(&l, 100, 16, 2, 8, 1);
	ck_assert_int_eq(l.worker_step, 2);
	ck_assert_int_eq(l.worker_rows, (13 - 2) / 2);
	assert_inside(&l, 100, 16);
	/* Not big: one row a worker. */
	layout_compute(&l, 100, 30, 2, 2, 0);
	ck_assert_int_eq(l.worker_step, 1);
}
END_TEST

START_TEST(test_every_size_is_sane)
{
	struct layout	l;
	int		cols, rows;
	unsigned	n, w;

	for (cols = 20; cols <= 200; cols += 7)
		for (rows = 5; rows <= 60; rows += 5)
			for (n = 1; n <= 4; n++)
				for (w = 1; w <= 9; w += 4) {
					layout_compute(&l, cols, rows, n, w, 0);
					if (l.ok)
						assert_inside(&l, cols, rows);
					layout_compute(&l, cols, rows, n, w, 1);
					if (l.ok)
						assert_inside(&l, cols, rows);
				}
}
END_TEST

static const struct keyhint hints[] = {
	{ "space", "pause", 1 },
	{ ".", "step", 4 },
	{ "+/-", "speed", 2 },
	{ "?", "help", 0 },
	{ "q", "quit", 0 },
};

/* All fit: all shown, in their order, and the columns add up. */
START_TEST(test_keyhints_all_fit)
{
	int	shown[5], i;

	/* 11 + 6 + 9 + 6 + 6 and four gaps of 2 */
	ck_assert_int_eq(layout_keyhints(hints, 5, 200, shown), 46);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(shown[i], 1);
	ck_assert_int_eq(layout_keyhints(hints, 5, 46, shown), 46);
	ck_assert_int_eq(shown[1], 1);
}
END_TEST

/* Short of room: help and quit stay, then by rank, never past width. */
START_TEST(test_keyhints_by_rank)
{
	int	shown[5], w;

	w = layout_keyhints(hints, 5, 45, shown);
	ck_assert_int_le(w, 45);
	ck_assert_int_eq(shown[1], 0);		/* ". step" goes first */
	ck_assert_int_eq(shown[3] + shown[4] + shown[0] + shown[2], 4);
	w = layout_keyhints(hints, 5, 14, shown);
	ck_assert_int_eq(w, 14);		/* "? help  q quit" */
	ck_assert_int_eq(shown[3], 1);
	ck_assert_int_eq(shown[4], 1);
	ck_assert_int_eq(shown[0] + shown[1] + shown[2], 0);
	/* A smaller hint of a later rank may take what is left. */
	w = layout_keyhints(hints, 5, 22, shown);
	ck_assert_int_eq(shown[0], 0);		/* "space pause" is 11 */
	ck_assert_int_eq(shown[1], 1);		/* ". step" is 6 */
	ck_assert_int_eq(w, 22);
	ck_assert_int_eq(layout_keyhints(hints, 5, 3, shown), 0);
}
END_TEST

static Suite *
layout_suite(void)
{
	Suite	*s = suite_create("layout");
	TCase	*tc = tcase_create("sizes");

	tcase_add_test(tc, test_roomy_terminal_shows_everything);
	tcase_add_test(tc, test_too_small_asks_for_more);
	tcase_add_test(tc, test_narrow_stacks_stations);
	tcase_add_test(tc, test_many_workers_are_capped);
	tcase_add_test(tc, test_big_keeps_timeline_and_output);
	tcase_add_test(tc, test_every_size_is_sane);
	tcase_add_test(tc, test_keyhints_all_fit);
	tcase_add_test(tc, test_keyhints_by_rank);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(layout_suite)
