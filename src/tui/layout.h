/*
 * layout.h: where each part of the screen goes for a given terminal size.
 * Pure arithmetic, no curses, so it is tested without a terminal.
 */
#ifndef DISHRACK_LAYOUT_H
#define DISHRACK_LAYOUT_H

#define LAYOUT_MIN_COLS		60
#define LAYOUT_MIN_ROWS		16
#define LAYOUT_MAX_STATIONS	8

struct rect {
	int	y;
	int	x;
	int	h;	/* 0 = not shown */
	int	w;
};

struct layout {
	int		ok;		/* 0: too small, show min_cols x min_rows */
	int		min_cols;
	int		min_rows;
	int		horizontal;	/* stations side by side */
	unsigned	nstations;
	struct rect	header;
	struct rect	station[LAYOUT_MAX_STATIONS];
	struct rect	rack[LAYOUT_MAX_STATIONS];	/* [i]: in front of i */
	struct rect	timeline;
	struct rect	output;
	struct rect	caption;
	struct rect	keys;
	int		worker_rows;	/* workers a station box shows */
	int		worker_step;	/* rows each takes: 1, or 2-4 if big */
	int		worker_pad;	/* rows above the first, to centre them */
};

/* One hint of the key bar: "keys label". */
struct keyhint {
	const char	*keys;
	const char	*label;
	int		 rank;		/* 0 first: what must always show */
};

#define KEYHINT_GAP	2	/* columns between two hints */

/*
 * Which hints fit in width columns, the lowest rank first (ties: the
 * earlier): shown[i] is set to 1 or 0, and the hints keep their order on
 * the bar. Returns the columns the shown ones take, gaps included.
 */
int	layout_keyhints(const struct keyhint *, unsigned n, int width,
	    int *shown);

/*
 * Lay out n stations, the busiest having up to workers workers, on a
 * terminal of cols x rows. big: fewer, larger parts for a lecture hall.
 */
void	layout_compute(struct layout *, int cols, int rows, unsigned n,
	    unsigned workers, int big);

#endif
