/*
 * layout.c: screen arithmetic. From the top: a header line, the stations
 * with the racks between them, the timeline, the output pane, a caption
 * line and the key bar. The timeline has a row for its axis when the output
 * keeps four. Stations go side by side when each box gets at
 * least STATION_MIN_W columns, otherwise one above the other. What does not
 * fit is dropped in this order: output, timeline. Big, the stations take
 * what the timeline and the output (a few rows each) leave.
 */
#include "config.h"

#include "layout.h"

#include <string.h>
#include <wchar.h>

#define STATION_MIN_W	18
#define RACK_W		10	/* "hand-off" and a column either side */
#define RACK_ROW_H	3	/* a rack between stacked stations */
#define RACK_MIN_H	8	/* label, depth, five dishes, sparkline */
#define BIG_TL_ROWS	4	/* big: the timeline's rows at most */
#define BIG_OUT_ROWS	3	/* big: the output's lines */
#define ROW_W		32	/* a worker's row: glyph, name, dish, bar */

/* Rows a station box needs for w worker rows: border, title, workers. */
static int
box_height(int w)
{
	return (w + 2);
}

void
layout_compute(struct layout *l, int cols, int rows, unsigned n,
    unsigned workers, int big)
{
	int		 wrows, avail, boxw, x, y, i, stations_h, rest;
	int		 tl_h, out_h, big_min;
	unsigned	 k;

	memset(l, 0, sizeof *l);
	if (n > LAYOUT_MAX_STATIONS)
		n = LAYOUT_MAX_STATIONS;
	if (n == 0)
		n = 1;
	l->nstations = n;
	l->min_cols = LAYOUT_MIN_COLS;
	l->min_rows = LAYOUT_MIN_ROWS;
	if (cols < l->min_cols || rows < l->min_rows)
		return;
	l->ok = 1;

	l->header = (struct rect){ 0, 0, 1, cols };
	l->keys = (struct rect){ rows - 1, 0, 1, cols };
	l->caption = (struct rect){ rows - 2, 0, 1, cols };
	avail = rows - 3;	/* between header and caption */

	wrows = workers > 0 ? (int)workers : 1;
	if (wrows > 8)
		wrows = 8;

	boxw = (cols - (int)(n - 1) * RACK_W) / (int)n;
	l->horizontal = boxw >= STATION_MIN_W;
	/*
	 * Big: a few rows for the timeline and the output, if the stations
	 * keep two rows a worker (and a rack's stack) without them; the
	 * output goes first.
	 */
	tl_h = out_h = 0;
	if (big && l->horizontal) {
		i = (int)workers * (int)n;
		tl_h = 1 + (i < BIG_TL_ROWS ? (i > 0 ? i : 1) : BIG_TL_ROWS);
		out_h = 1 + BIG_OUT_ROWS;
		big_min = 2 + 2 * wrows;
		if (big_min < RACK_MIN_H)
			big_min = RACK_MIN_H;
		if (avail - tl_h - out_h < big_min)
			out_h = 0;
		if (avail - tl_h - out_h < big_min)
			tl_h = 0;
	}
	if (l->horizontal) {
		/* Leave the stations at least half the room, or all if big. */
		while (wrows > 1 && box_height(wrows) > (big ? avail :
		    avail / 2))
			wrows--;
		stations_h = box_height(wrows);
		/* Room for a rack's stack of dishes beside a short station. */
		if (stations_h < RACK_MIN_H && RACK_MIN_H <= avail / 2)
			stations_h = RACK_MIN_H;
		/* Big: the stations take all the timeline and output leave. */
		if (big)
			stations_h = avail - tl_h - out_h;
		x = 0;
		for (k = 0; k < n; k++) {
			if (k > 0) {
				l->rack[k] = (struct rect){ 1, x, stations_h,
				    RACK_W };
				x += RACK_W;
			}
			l->station[k] = (struct rect){ 1, x, stations_h,
			    k == n - 1 ? cols - x : boxw };
			x += boxw;
		}
	} else {
		/* Stacked: each box gets rows for its workers, racks between. */
		while (wrows > 1 && (int)n * box_height(wrows) +
		    (int)(n - 1) * RACK_ROW_H > avail)
			wrows--;
		stations_h = (int)n * box_height(wrows) +
		    (int)(n - 1) * RACK_ROW_H;
		if (stations_h > avail) {
			/* One row a station and a row a rack, at the least. */
			if ((int)n * 3 + (int)(n - 1) > avail) {
				l->ok = 0;
				l->min_rows = (int)n * 3 + (int)(n - 1) + 3;
				if (l->min_rows < LAYOUT_MIN_ROWS)
					l->min_rows = LAYOUT_MIN_ROWS;
				return;
			}
		}
		y = 1;
		for (k = 0; k < n; k++) {
			int	rh = RACK_ROW_H;

			if (k > 0) {
				if (y + rh + box_height(wrows) > 1 + avail)
					rh = 1;
				l->rack[k] = (struct rect){ y, 0, rh, cols };
				y += rh;
			}
			l->station[k] = (struct rect){ y, 0, box_height(wrows),
			    cols };
			y += box_height(wrows);
		}
		stations_h = y - 1;
		if (stations_h > avail) {
			l->ok = 0;
			return;
		}
	}
	l->worker_rows = wrows;
	/*
	 * Big and side by side: each worker a line of its own and a wide
	 * progress bar under it (two rows thick when there is room), the
	 * lot centred in the box, readable from the back of a room.
	 */
	l->worker_step = 1;
	/*
	 * Side by side and too narrow for a row's glyph, name, dish and bar
	 * (three stations at 100 columns): the bar goes on the row under
	 * its worker, where the box has the rows.
	 */
	if (!big && l->horizontal && boxw - 4 < ROW_W &&
	    stations_h - 2 >= 2 * wrows)
		l->worker_step = 2;
	if (big && l->horizontal) {
		/* Two rows each at the least: fewer workers, then "+N more". */
		if (wrows > (stations_h - 2) / 2)
			wrows = (stations_h - 2) / 2 > 1 ?
			    (stations_h - 2) / 2 : 1;
		l->worker_rows = wrows;
		l->worker_step = (stations_h - 2) / wrows;
		if (l->worker_step > 4)
			l->worker_step = 4;
		if (l->worker_step < 1)
			l->worker_step = 1;
		l->worker_pad = (stations_h - 2 - wrows * l->worker_step) / 2;
	}

	rest = avail - stations_h;
	y = 1 + stations_h;
	if (big && l->horizontal) {
		if (tl_h > 0)
			l->timeline = (struct rect){ y, 0, tl_h, cols };
		if (out_h > 0)
			l->output = (struct rect){ y + tl_h, 0, out_h, cols };
		return;
	}
	if (rest < 3)
		return;
	/* Timeline: a title row and a row per worker, up to half the rest. */
	i = (int)workers * (int)n;
	if (i > 12)
		i = 12;
	if (i + 1 > rest / 2)
		i = rest / 2 - 1;
	if (i >= 1) {
		/* And a row for its axis, if the output keeps four. */
		int	h = i + 1 + (rest - (i + 2) >= 4);

		l->timeline = (struct rect){ y, 0, h, cols };
		y += h;
		rest -= h;
	}
	if (rest >= 2)
		l->output = (struct rect){ y, 0, rest, cols };
}

/*
 * The columns text takes in the terminal: a translated label may be
 * Korean, two columns a glyph and three bytes (an invalid byte is one).
 */
static int
layout_text_cols(const char *s)
{
	mbstate_t	ps;
	wchar_t		wc;
	size_t		len;
	int		cols = 0, cw;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0') {
		len = mbrtowc(&wc, s, strlen(s), &ps);
		if (len == (size_t)-1 || len == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			len = 1;
			cw = 1;
		} else
			cw = (cw = wcwidth(wc)) < 0 ? 1 : cw;
		cols += cw;
		s += len;
	}
	return (cols);
}

static int
keyhint_width(const struct keyhint *k)
{
	return (layout_text_cols(k->keys) + 1 + layout_text_cols(k->label));
}

int
layout_keyhints(const struct keyhint *k, unsigned n, int width, int *shown)
{
	unsigned	i, j, best;
	int		used = 0, w;

	for (i = 0; i < n; i++)
		shown[i] = 0;
	/* Fill by rank: a few passes over a dozen hints cost nothing. */
	for (i = 0; i < n; i++) {
		best = n;
		for (j = 0; j < n; j++) {
			if (shown[j] != 0)
				continue;
			if (best == n || k[j].rank < k[best].rank)
				best = j;
		}
		w = keyhint_width(&k[best]) + (used > 0 ? KEYHINT_GAP : 0);
		if (used + w <= width) {
			shown[best] = 1;
			used += w;
		} else
			shown[best] = -1;	/* tried: does not fit */
	}
	for (i = 0; i < n; i++)
		if (shown[i] == -1)
			shown[i] = 0;
	return (used);
}
