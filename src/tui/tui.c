/*
 * tui.c: the screen. Each frame drains the engine's events into the stats,
 * samples the workers' live states for the timeline and the racks' depths
 * for their sparklines, and draws; ncurses sends only the cells that
 * changed. Nothing is drawn when nothing changed, and a paused or finished
 * run sleeps in getch.
 *
 * DESIGN: one thread. Signal handlers only set a flag (installed before
 * newterm, so ncurses keeps its hands off SIGINT and SIGTERM); the loop
 * stops the run and calls tui_stop, which is idempotent and is also what
 * the crash handler and an allocation failure call.
 */
#include "config.h"

#include "tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#include "clock.h"
#include "layout.h"
#include "lock.h"
#include "report.h"
#include "stats.h"
#include "xmalloc.h"

#define FRAME_NS	(33 * NSEC_PER_MSEC)	/* at most 30 frames a second */
#define IDLE_MS		500
#define DRAIN_MS	8		/* while events flow; rings hold ~20 ms */
#define OUT_LINES	200
#define OUT_LINE_MAX	512
#define TL_LEN		1024			/* timeline buckets kept */
#define HIST_LEN	256
#define RATE_MIN_NS	(2 * NSEC_PER_SEC)	/* rate windows, scenario time */
#define RATE_MAX_NS	(30 * NSEC_PER_SEC)
/* An async wait over by more than this (scenario time) shows as late. */
#define ASYNC_LATE	(100 * NSEC_PER_MSEC)

enum tui_color {
	C_NORMAL = 1,
	C_WORK,
	C_WAIT,
	C_BLOCK,
	C_BOTTLENECK,
	C_HEADER,
	C_CAPTION,
	C_DISH,
	C_BAD
};

struct glyphs {
	const char	*work, *wait, *block, *done, *start;
	const char	*dish;
	const char	*bar_full, *bar_empty;
	const char	*spark[8];
	const char	*arrow;
	const char	*inf;
	const char	*times;
	const char	*more;		/* text cut short */
};

static const struct glyphs glyphs_utf8 = {
	"\u2588", "\u00b7", "\u2592", " ", " ",
	"\u2584\u2584\u2584\u2584\u2584",
	"\u2588", "\u2591",
	{ "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
	  "\u2587", "\u2588" },
	"\u25b6", "\u221e", "\u00d7", "\u2026"
};

static const struct glyphs glyphs_ascii = {
	"#", ".", "!", " ", " ",
	"=====",
	"#", "-",
	{ "_", ".", ":", "-", "=", "+", "*", "#" },
	">", "inf", "x", "~"
};

struct tui {
	const struct tui_opts	*o;
	tui_factory		 make;
	void			*arg;
	struct engine		*eng;
	struct stats		 st;
	int			 have_stats;
	struct layout		 lay;
	const struct glyphs	*g;
	int			 color;
	int			 selected;
	int			 help;
	int			 step_pending;
	int			 summary;
	int			 dirty;		/* redraw at the next frame */
	int			 urgent;	/* redraw now: a key, a resize */
	char			 status[160];
	int64_t			 status_until;
	int64_t			 last_frame;
	int64_t			 last_t;
	unsigned		 frames;

	/* Output pane: finished lines, and the one being written. */
	uint64_t		 out_pos;
	char			 out_lines[OUT_LINES][OUT_LINE_MAX];
	unsigned		 nlines;
	char			 partial[OUT_LINE_MAX];
	size_t			 npartial;

	/* Timeline: per worker slot, the state in each bucket. */
	int64_t			 bucket_ns;
	unsigned char		(*tl)[TL_LEN];
	int64_t			*tl_last;
	unsigned		 tl_n;
	uint32_t		 gil_tl[TL_LEN];	/* holder per bucket */
	uint32_t		 hist[LAYOUT_MAX_STATIONS][HIST_LEN];
	/* Dishes in and out per second of each station, over rate_ns. */
	int64_t			 rate_ns;
	struct {
		int64_t		 t0;
		uint64_t	 in0, out0;
		double		 in, out;
		int		 have;
	}			 rate[LAYOUT_MAX_STATIONS];
};

static volatile sig_atomic_t tui_signal;
static volatile sig_atomic_t tui_suspend;
static int tui_active;

static void	tui_stop(void);
static void	tui_on_signal(int);
static void	tui_on_crash(int);
static int	tui_start_engine(struct tui *);
static void	tui_end_engine(struct tui *);
static void	tui_draw(struct tui *);
static int	tui_key(struct tui *, int);
static unsigned	tui_station_workers(struct tui *, unsigned);

int
tui_usable(const char **why)
{
	const char	*term = getenv("TERM");
	char		*cup;
	int		 err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = "not a terminal";
		return (-1);
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*why = "TERM is not set or is dumb";
		return (-1);
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*why = "the terminal type is unknown";
		return (-1);
	}
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		*why = "the terminal cannot address the cursor";
		del_curterm(cur_term);
		return (-1);
	}
	del_curterm(cur_term);
	return (0);
}

/* Leave curses mode; safe to call at any time, any number of times. */
static void
tui_stop(void)
{
	if (tui_active) {
		tui_active = 0;
		endwin();
	}
}

static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

static void
tui_on_suspend(int sig)
{
	(void)sig;
	tui_suspend = 1;
}

/* As htop does: give the terminal back, say what happened, die as we were. */
static void
tui_on_crash(int sig)
{
	static const char	msg[] = "\ndishrack: crashed (signal); "
	    "the terminal was restored. Please report this.\n";

	tui_stop();
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
tui_init_colors(struct tui *t)
{
	if (!t->color || !has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(C_NORMAL, -1, -1);
	init_pair(C_WORK, COLOR_GREEN, -1);
	init_pair(C_WAIT, COLOR_CYAN, -1);
	init_pair(C_BLOCK, COLOR_RED, -1);
	init_pair(C_BOTTLENECK, COLOR_YELLOW, -1);
	init_pair(C_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_CAPTION, COLOR_YELLOW, -1);
	init_pair(C_DISH, COLOR_MAGENTA, -1);
	init_pair(C_BAD, COLOR_WHITE, COLOR_RED);
}

/* An attribute for a part: a colour, or in monochrome a stand-in. */
static attr_t
tui_attr(struct tui *t, enum tui_color c)
{
	if (t->color && has_colors())
		return (COLOR_PAIR(c) | (c == C_BOTTLENECK || c == C_BAD ?
		    A_BOLD : 0));
	switch (c) {
	case C_HEADER:
	case C_BAD:
		return (A_REVERSE);
	case C_BOTTLENECK:
	case C_CAPTION:
	case C_WORK:
		return (A_BOLD);
	case C_WAIT:
		return (A_DIM);
	default:
		return (A_NORMAL);
	}
}

/*
 * The character at s (an invalid byte reads as '?'), its length in bytes
 * in *len and the columns it takes.
 */
static int
tui_char(const char *s, mbstate_t *ps, wchar_t *wc, size_t *len)
{
	int	cw;

	*len = mbrtowc(wc, s, strlen(s), ps);
	if (*len == (size_t)-1 || *len == (size_t)-2) {
		*wc = L'?';
		*len = 1;
		memset(ps, 0, sizeof *ps);
	}
	cw = wcwidth(*wc);
	return (cw < 0 ? 1 : cw);
}

/* Write s at y,x in at most w columns, UTF-8 aware. Returns columns used. */
static int
tui_puts(int y, int x, int w, const char *s)
{
	wchar_t		 buf[512];
	mbstate_t	 ps;
	size_t		 n, k = 0;
	int		 used = 0, cw;
	wchar_t		 wc;

	if (w <= 0)
		return (0);
	memset(&ps, 0, sizeof ps);
	while (*s != '\0' && k < sizeof buf / sizeof buf[0]) {
		cw = tui_char(s, &ps, &wc, &n);
		if (used + cw > w)
			break;
		buf[k++] = wc;
		used += cw;
		s += n;
	}
	if (k > 0)
		mvaddnwstr(y, x, buf, (int)k);
	return (used);
}

/* Columns s takes on the screen. */
static int
tui_cols(const char *s)
{
	mbstate_t	ps;
	size_t		n;
	int		used = 0;
	wchar_t		wc;

	memset(&ps, 0, sizeof ps);
	while (*s != '\0') {
		used += tui_char(s, &ps, &wc, &n);
		s += n;
	}
	return (used);
}

static int
tui_printf(int y, int x, int w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
tui_printf(int y, int x, int w, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	n = tui_puts(y, x, w, s);
	free(s);
	return (n);
}

static void
tui_box(struct tui *t, const struct rect *r, attr_t a)
{
	int	i;

	if (r->h < 2 || r->w < 2)
		return;
	attron(a);
	if (t->g == &glyphs_ascii) {
		for (i = 1; i < r->w - 1; i++) {
			mvaddch(r->y, r->x + i, '-');
			mvaddch(r->y + r->h - 1, r->x + i, '-');
		}
		for (i = 1; i < r->h - 1; i++) {
			mvaddch(r->y + i, r->x, '|');
			mvaddch(r->y + i, r->x + r->w - 1, '|');
		}
		mvaddch(r->y, r->x, '+');
		mvaddch(r->y, r->x + r->w - 1, '+');
		mvaddch(r->y + r->h - 1, r->x, '+');
		mvaddch(r->y + r->h - 1, r->x + r->w - 1, '+');
	} else {
		mvhline(r->y, r->x + 1, ACS_HLINE, r->w - 2);
		mvhline(r->y + r->h - 1, r->x + 1, ACS_HLINE, r->w - 2);
		mvvline(r->y + 1, r->x, ACS_VLINE, r->h - 2);
		mvvline(r->y + 1, r->x + r->w - 1, ACS_VLINE, r->h - 2);
		mvaddch(r->y, r->x, ACS_ULCORNER);
		mvaddch(r->y, r->x + r->w - 1, ACS_URCORNER);
		mvaddch(r->y + r->h - 1, r->x, ACS_LLCORNER);
		mvaddch(r->y + r->h - 1, r->x + r->w - 1, ACS_LRCORNER);
	}
	attroff(a);
}

static void
tui_set_status(struct tui *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tui_set_status(struct tui *t, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	va_end(ap);
	t->status_until = clock_mono_ns() + 3 * NSEC_PER_SEC;
	t->urgent = 1;
}

/* --- Folding the run in ------------------------------------------------ */

static void
tui_push_line(struct tui *t)
{
	if (t->nlines == OUT_LINES) {
		memmove(t->out_lines[0], t->out_lines[1],
		    (OUT_LINES - 1) * sizeof t->out_lines[0]);
		t->nlines--;
	}
	memcpy(t->out_lines[t->nlines], t->partial, t->npartial);
	t->out_lines[t->nlines][t->npartial] = '\0';
	t->nlines++;
	t->npartial = 0;
}

static int
tui_read_output(struct tui *t)
{
	struct run	*run = engine_run(t->eng);
	char		 buf[4096];
	size_t		 n, i;
	int		 any = 0;

	while ((n = output_read(run->out, &t->out_pos, buf, sizeof buf)) > 0) {
		any = 1;
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				tui_push_line(t);
				continue;
			}
			if (t->npartial < OUT_LINE_MAX - 1)
				t->partial[t->npartial++] = buf[i];
		}
	}
	return (any);
}

/* Record each worker's state in the current timeline bucket. */
/*
 * Each station's rates in and out over the last window of scenario time
 * (four of the slowest station's dishes: long enough to count several, so
 * a change of workers or times shows soon), or since the start until the
 * first window is full.
 */
static void
tui_sample_rates(struct tui *t)
{
	int64_t		now = engine_now(t->eng), dt;
	unsigned	k;

	for (k = 0; k < t->st.nstations && k < LAYOUT_MAX_STATIONS; k++) {
		uint64_t in = t->st.st[k].got, out = t->st.st[k].dishes;

		/* At the end: the whole run's. */
		if (engine_finished(t->eng) && now > 0) {
			t->rate[k].in = (double)in * 1e9 / (double)now;
			t->rate[k].out = (double)out * 1e9 / (double)now;
			continue;
		}
		dt = now - t->rate[k].t0;
		if (dt <= 0)
			continue;
		if (!t->rate[k].have || dt >= t->rate_ns) {
			t->rate[k].in = (double)(in - t->rate[k].in0) * 1e9 /
			    (double)dt;
			t->rate[k].out = (double)(out - t->rate[k].out0) *
			    1e9 / (double)dt;
		}
		if (dt >= t->rate_ns) {
			t->rate[k].t0 = now;
			t->rate[k].in0 = in;
			t->rate[k].out0 = out;
			t->rate[k].have = 1;
		}
	}
}

static void
tui_sample(struct tui *t)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, used, k;
	int64_t		 b, j;
	unsigned char	 s;

	b = engine_now(t->eng) / t->bucket_ns;
	used = atomic_load(&run->used);
	if (used > t->tl_n)
		used = t->tl_n;
	for (i = 0; i < used; i++) {
		s = (unsigned char)atomic_load(&run->slots[i].state);
		j = t->tl_last[i] < 0 ? b : t->tl_last[i] + 1;
		if (b - j >= TL_LEN)
			j = b - TL_LEN + 1;
		for (; j <= b; j++)
			t->tl[i][j % TL_LEN] = s;
		t->tl_last[i] = b;
	}
	if (run->ngils > 0) {
		/* Who holds the main interpreter's GIL in this bucket. */
		t->gil_tl[b % TL_LEN] = atomic_load(&run->gils[0].current);
	}
	tui_sample_rates(t);
	for (k = 1; k < run->nstations; k++) {
		uint32_t d = rack_depth(run->st[k].in);

		if (b > t->last_t)
			t->hist[k][b % HIST_LEN] = d;
		else if (d > t->hist[k][b % HIST_LEN])
			t->hist[k][b % HIST_LEN] = d;
	}
	t->last_t = b;
}

/* --- Drawing ------------------------------------------------------------ */

static const char *
tui_state_name(int s)
{
	switch (s) {
	case WS_STARTING:
		return ("starting");
	case WS_WAIT_GET:
		return ("waiting for a dish");
	case WS_WORKING:
		return ("working");
	case WS_WAIT_PUT:
		return ("blocked: rack full");
	case WS_EXITED:
		return ("done");
	default:
		return ("");
	}
}

static const char *
tui_state_glyph(struct tui *t, int s, attr_t *a)
{
	switch (s) {
	case WS_WORKING:
		*a = tui_attr(t, C_WORK);
		return (t->g->work);
	case WS_WAIT_GET:
		*a = tui_attr(t, C_WAIT);
		return (t->g->wait);
	case WS_WAIT_PUT:
		*a = tui_attr(t, C_BLOCK);
		return (t->g->block);
	default:
		*a = A_NORMAL;
		return (t->g->done);
	}
}

static void
tui_draw_header(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.header;
	const char		*state;
	char			 right[160], title[256];
	int			 w;

	if (engine_finished(t->eng))
		state = engine_interrupted(t->eng) ? "stopped" : "finished";
	else if (engine_paused(t->eng))
		state = "PAUSED";
	else
		state = "running";
	snprintf(right, sizeof right, " %s | %s clock | t=%.1fs | speed %s%g "
	    "| %s ", scn_mode_name(scn->mode), engine_clock_name(t->eng),
	    (double)engine_now(t->eng) / 1e9, t->g->times,
	    engine_speed(t->eng), state);
	/* The state matters more than the title: short words when tight. */
	if (tui_cols(right) + 20 > r->w)
		snprintf(right, sizeof right, " %s | %s | %.1fs | %s%g | %s ",
		    scn_mode_name(scn->mode), engine_clock_name(t->eng),
		    (double)engine_now(t->eng) / 1e9, t->g->times,
		    engine_speed(t->eng), state);
	w = tui_cols(right);
	attron(tui_attr(t, C_HEADER));
	mvhline(r->y, 0, ' ', r->w);
	if (w < r->w) {
		snprintf(title, sizeof title, " dishrack  %s", scn->title);
		if (tui_cols(title) > r->w - w - 1)
			tui_puts(r->y, tui_puts(r->y, 0, r->w - w - 2, title),
			    1, t->g->more);
		else
			tui_puts(r->y, 0, r->w - w, title);
	}
	tui_puts(r->y, w < r->w ? r->w - w : 0, r->w, right);
	attroff(tui_attr(t, C_HEADER));
}

static void
tui_bar(struct tui *t, int y, int x, int w, double frac)
{
	int	i, full;

	if (w <= 0)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)(frac * w + 0.5);
	attron(tui_attr(t, C_WORK));
	for (i = 0; i < full; i++)
		tui_puts(y, x + i, 1, t->g->bar_full);
	attroff(tui_attr(t, C_WORK));
	for (; i < w; i++)
		tui_puts(y, x + i, 1, t->g->bar_empty);
}

/*
 * One worker's row: state, name, the dish in hand, progress; at the right,
 * where the box has room, its dishes done and its pid (a process) or
 * thread id. Big: the bar on the lines under it, the box wide.
 */
static void
tui_draw_worker(struct tui *t, const struct rect *r, struct wslot *w, int wy,
    int64_t now)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl = run_gil(run, w);
	char			 dish[96], right[48], id[24];
	const char		*g, *token;
	attr_t			 a;
	int64_t			 since, end;
	double			 frac;
	int			 s, x, xe, l, rw, room, tid;
	int			 async = scn->mode == MODE_ASYNC;

	s = atomic_load(&w->state);
	id[0] = '\0';
	if (w->is_process)
		snprintf(id, sizeof id, "  pid %d", atomic_load(&w->pid));
	else if ((tid = atomic_load(&w->tid)) > 0)
		snprintf(id, sizeof id, "  tid %d", tid);
	/* Columns left after what the row needs first: glyph, name, dish, bar. */
	room = r->w - 4 - (t->lay.worker_step > 1 ? 21 : 32);
	rw = snprintf(right, sizeof right, "%llu done%s",
	    (unsigned long long)atomic_load(&w->dishes), id);
	if (rw + 1 > room)
		rw -= (int)strlen(id);	/* the id goes first */
	xe = r->x + r->w - 2;
	if (rw + 1 <= room) {
		tui_puts(wy, xe - rw, rw, right);
		xe -= rw + 1;
	}
	xe++;		/* from here on: the first column not to write */

	g = tui_state_glyph(t, s, &a);
	x = r->x + 2;
	attron(a);
	tui_puts(wy, x, 1, g);
	attroff(a);
	x += 2;
	x += tui_printf(wy, x, xe - x, "%-9s ", w->name);
	if (s == WS_WORKING || s == WS_WAIT_PUT) {
		dish_t d = atomic_load(&w->hand.dish);

		if (d != DISH_NONE) {
			attron(tui_attr(t, C_DISH));
			x += tui_printf(wy, x, xe - x, "%-8s ",
			    scenario_dish_name(scn, d, dish, sizeof dish));
			attroff(tui_attr(t, C_DISH));
		}
	}
	/*
	 * The GIL as a token on its holder; so is the event loop, on an
	 * async task that computes: it gives the loop up only when done.
	 */
	token = NULL;
	if (async && s == WS_WORKING &&
	    scn->stations[w->station].work == WORK_CPU)
		token = "LOOP";
	else if (gl != NULL && atomic_load(&gl->current) == w->id)
		token = "GIL";
	if (token != NULL) {
		attron(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
		x += tui_puts(wy, x, xe - x, token) + 1;
		attroff(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
	}
	l = atomic_load(&w->waiting_lock);
	if (l >= 0 && (unsigned)l < run->nlocks) {
		attron(tui_attr(t, C_BLOCK));
		tui_printf(wy, x, xe - x, "waits for the %s",
		    run->locks[l].name);
		attroff(tui_attr(t, C_BLOCK));
		return;
	}
	if (s != WS_WORKING) {
		tui_puts(wy, x, xe - x, tui_state_name(s));
		return;
	}
	since = atomic_load(&w->since);
	end = atomic_load(&w->work_end);
	frac = end > since ? (double)(now - since) / (double)(end - since) : 0;
	/*
	 * An async task whose wait is over but cannot run, since another
	 * task holds the loop: its timer fires late, by this much so far.
	 */
	if (async && scn->stations[w->station].work != WORK_CPU &&
	    now - end > ASYNC_LATE) {
		attron(tui_attr(t, C_BLOCK));
		tui_printf(wy, x, xe - x, "late %.1fs", (double)(now - end) /
		    1e9);
		attroff(tui_attr(t, C_BLOCK));
		return;
	}
	if (end > since && t->lay.worker_step > 1) {
		tui_bar(t, wy + 1, r->x + 4, r->w - 8, frac);
		if (t->lay.worker_step > 3)
			tui_bar(t, wy + 2, r->x + 4, r->w - 8, frac);
	} else if (end > since && xe - x > 6)
		tui_bar(t, wy, x, xe - 1 - x > 11 ? 10 : xe - 2 - x, frac);
	/* How long this worker has waited for the GIL. */
	if (gl != NULL && xe - x > 30)
		tui_printf(wy, x + 11, xe - 11 - x, "gil-wait %.1fs",
		    (double)atomic_load(&w->gil_wait_ns) / 1e9);
}

static void
tui_draw_station(struct tui *t, unsigned si)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	struct run		*run = engine_run(t->eng);
	const struct rect	*r = &t->lay.station[si];
	struct wslot		*w;
	int			 bottleneck, row = 0, x, live, s, wy;
	int			 footer = 0, n;
	unsigned		 i, used, more = 0;
	attr_t			 a;
	char			 tdesc[64], rates[64];
	int64_t			 now = engine_now(t->eng);

	bottleneck = t->have_stats && t->st.bottleneck == (int)si;
	a = bottleneck ? tui_attr(t, C_BOTTLENECK) : A_NORMAL;
	if ((int)si == t->selected)
		a |= A_BOLD;
	tui_box(t, r, a);
	live = (int)tui_station_workers(t, si);
	dist_format(&scn->stations[si].time, tdesc, sizeof tdesc);
	attron(a);
	x = tui_printf(r->y, r->x + 1, r->w - 2, "%s%s %s%d %s ",
	    (int)si == t->selected ? ">" : " ", scn->stations[si].name,
	    t->g->times, live, tdesc);
	if (bottleneck && r->w - 2 - x > 11)
		tui_puts(r->y, r->x + 1 + x, r->w - 2 - x, "BOTTLENECK ");
	attroff(a);
	if (t->have_stats && r->h > 2) {
		x = tui_printf(r->y + r->h - 1, r->x + 2, r->w - 4,
		    " %llu done, busy %.0f%% ",
		    (unsigned long long)t->st.st[si].dishes,
		    t->st.st[si].busy_fraction * 100.0);
		/* The cupboard belongs to the last station. */
		if (run->cupboard != NULL && si == run->nstations - 1) {
			uint64_t	counted = atomic_load(&run->cupboard->count);
			uint64_t	done = t->st.st[si].dishes;

			uint32_t	holder = atomic_load(&run->cupboard->holder);

			x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
			    r->w - 4 - x, "cupboard %llu ",
			    (unsigned long long)counted);
			if (holder < atomic_load(&run->used))
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "(%s: %s, %u wait) ",
				    lock_mode_name(run->cupboard->mode),
				    run->slots[holder].name,
				    atomic_load(&run->cupboard->waiters));
			if (done > counted) {
				attron(tui_attr(t, C_BAD));
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "%llu LOST",
				    (unsigned long long)(done - counted));
				attroff(tui_attr(t, C_BAD));
			}
		}
		footer = x;
	}

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si)
			continue;
		s = atomic_load(&w->state);
		if (s == WS_EXITED && atomic_load(&w->hand.leave))
			continue;
		if (row >= t->lay.worker_rows) {
			more++;
			continue;
		}
		wy = r->y + 1 + t->lay.worker_pad + row * t->lay.worker_step;
		tui_draw_worker(t, r, w, wy, now);
		row++;
	}
	if (more > 0)
		tui_printf(r->y + r->h - 2, r->x + r->w - 12, 10, "+%u more",
		    more);
	if (!t->have_stats || si >= LAYOUT_MAX_STATIONS)
		return;
	/*
	 * In faster than out: the rack in front of it fills. On the bottom
	 * border after the busy figure if it fits, else on a free row.
	 */
	n = snprintf(rates, sizeof rates, " in %.2f/s  out %.2f/s ",
	    t->rate[si].in, t->rate[si].out);
	if (n <= r->w - 4 - footer - 1)
		tui_puts(r->y + r->h - 1, r->x + r->w - 2 - n, r->w - 4, rates);
	else if (more == 0 && t->lay.worker_pad + row * t->lay.worker_step <
	    r->h - 2 && n - 1 <= r->w - 4)
		tui_puts(r->y + r->h - 2, r->x + r->w - 1 - n, r->w - 4, rates);
}

static void
tui_draw_rack(struct tui *t, unsigned si)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.rack[si];
	struct rack		*rk = run->st[si].in;
	uint32_t		 depth = rack_depth(rk), cap, mx = 1, v;
	char			 capbuf[16];
	int			 i, rows, y, lvl;
	int64_t			 b;

	if (r->h == 0)
		return;
	cap = scenario_rack(scn, si);
	if (cap == RACK_UNBOUNDED)
		snprintf(capbuf, sizeof capbuf, "%s", t->g->inf);
	else
		snprintf(capbuf, sizeof capbuf, "%u", cap);
	b = t->last_t;
	for (i = 0; i < HIST_LEN; i++)
		if (t->hist[si][i] > mx)
			mx = t->hist[si][i];

	if (t->lay.horizontal) {
		tui_printf(r->y, r->x + 1, r->w - 2, "%s rack", t->g->arrow);
		tui_printf(r->y + 1, r->x + 1, r->w - 2, "%u/%s", depth,
		    capbuf);
		if (cap == 0)
			tui_puts(r->y + 2, r->x + 1, r->w - 2, "hand-off");
		rows = r->h - (cap == 0 ? 4 : 3);
		attron(tui_attr(t, C_DISH));
		for (i = 0; i < rows && (uint32_t)i < depth; i++) {
			y = r->y + r->h - 2 - i;
			if (i == rows - 1 && depth > (uint32_t)rows)
				tui_printf(y, r->x + 2, r->w - 3, "+%u",
				    depth - (uint32_t)rows + 1);
			else
				tui_puts(y, r->x + 2, r->w - 3, t->g->dish);
		}
		attroff(tui_attr(t, C_DISH));
		for (i = 0; i < r->w - 2; i++) {
			v = t->hist[si][(b - (r->w - 3) + i + HIST_LEN *
			    4) % HIST_LEN];
			lvl = (int)((v * 7 + mx - 1) / mx);
			tui_puts(r->y + r->h - 1, r->x + 1 + i, 1,
			    v == 0 ? " " : t->g->spark[lvl]);
		}
	} else {
		int	x = tui_printf(r->y, r->x + 2, r->w - 4,
			    "%s rack %u/%s%s ", t->g->arrow, depth, capbuf,
			    cap == 0 ? " hand-off" : "");

		attron(tui_attr(t, C_DISH));
		for (i = 0; (uint32_t)i < depth && x < r->w / 2; i++)
			x += tui_puts(r->y, r->x + 2 + x, 2, t->g->bar_full);
		attroff(tui_attr(t, C_DISH));
	}
}

static void
tui_draw_timeline(struct tui *t)
{
	const struct rect	*r = &t->lay.timeline;
	struct run		*run = engine_run(t->eng);
	unsigned		 i, k, used;
	int			 row = 1, x, cols;
	int64_t			 b, j;
	attr_t			 a;
	const char		*g;

	if (r->h == 0)
		return;
	if (r->w >= 96)
		tui_printf(r->y, 0, r->w, "timeline (%s = working, %s = "
		    "waiting for a dish, %s = blocked by a full rack; a column "
		    "is %.2fs)", t->g->work, t->g->wait, t->g->block,
		    (double)t->bucket_ns / 1e9);
	else
		tui_printf(r->y, 0, r->w, "timeline: %s working  %s waiting  "
		    "%s blocked  (%.2fs a column)", t->g->work, t->g->wait,
		    t->g->block, (double)t->bucket_ns / 1e9);
	cols = r->w - 12;
	b = t->last_t;
	used = atomic_load(&run->used);
	if (run->ngils > 0 && row < r->h) {
		/* The GIL's row: the number of the worker holding it. */
		tui_puts(r->y + row, 0, 11, "GIL");
		attron(tui_attr(t, C_BOTTLENECK));
		for (x = 0; x < cols; x++) {
			uint32_t	h;
			char		c[2] = { ' ', '\0' };

			j = b - (cols - 1) + x;
			if (j < 0 || b - j >= TL_LEN)
				continue;
			h = t->gil_tl[j % TL_LEN];
			if (h < used)
				c[0] = (char)('0' + run->slots[h].index % 10);
			tui_puts(r->y + row, 12 + x, 1, c);
		}
		attroff(tui_attr(t, C_BOTTLENECK));
		row++;
	}
	used = atomic_load(&run->used);
	if (used > t->tl_n)
		used = t->tl_n;
	/* Station by station, so a worker added later sits with its own. */
	for (k = 0; k < run->nstations * used && row < r->h; k++) {
		i = k % used;
		if (run->slots[i].station != k / used || t->tl_last[i] < 0)
			continue;
		tui_printf(r->y + row, 0, 11, "%-11s", run->slots[i].name);
		for (x = 0; x < cols; x++) {
			j = b - (cols - 1) + x;
			if (j < 0 || j > t->tl_last[i] || b - j >= TL_LEN)
				continue;
			g = tui_state_glyph(t, t->tl[i][j % TL_LEN], &a);
			attron(a);
			tui_puts(r->y + row, 12 + x, 1, g);
			attroff(a);
		}
		row++;
	}
}

static void
tui_draw_output(struct tui *t)
{
	const struct rect	*r = &t->lay.output;
	int			 rows, i, first;

	if (r->h == 0)
		return;
	attron(A_BOLD);
	tui_puts(r->y, 0, r->w, "output (as written, part by part)");
	attroff(A_BOLD);
	rows = r->h - 1;
	first = (int)t->nlines - (rows - (t->npartial > 0 ? 1 : 0));
	if (first < 0)
		first = 0;
	for (i = 0; first + i < (int)t->nlines && i < rows; i++)
		tui_puts(r->y + 1 + i, 0, r->w, t->out_lines[first + i]);
	if (t->npartial > 0 && i < rows) {
		t->partial[t->npartial] = '\0';
		tui_puts(r->y + 1 + i, 0, r->w, t->partial);
	}
}

static void
tui_draw_caption(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct rect	*r = &t->lay.caption;
	const char		*text = NULL;

	if (engine_deadlock_cycle(t->eng) != NULL) {
		attron(tui_attr(t, C_BAD));
		mvhline(r->y, 0, ' ', r->w);
		tui_printf(r->y, 0, r->w, " DEADLOCK: %s",
		    engine_deadlock_cycle(t->eng));
		attroff(tui_attr(t, C_BAD));
		return;
	}
	if (t->status_until > clock_mono_ns())
		text = t->status;
	else if (t->st.caption >= 0)
		text = scn->script[t->st.caption].text;
	if (text == NULL || *text == '\0')
		return;
	attron(tui_attr(t, C_CAPTION) | A_BOLD);
	tui_printf(r->y, 0, r->w, " %s %s", t->g->arrow, text);
	attroff(tui_attr(t, C_CAPTION) | A_BOLD);
}

/* The key bar, in the order it reads; a narrow screen keeps the first ranks. */
static const struct keyhint tui_keyhints[] = {
	{ "space", "pause", 1 },
	{ ".", "step", 6 },
	{ "+/-", "speed", 2 },
	{ "tab", "select", 5 },
	{ "a/A", "add/remove", 6 },
	{ "[/]", "faster/slower", 5 },
	{ "d/D", "dryer", 3 },
	{ "w/W", "washer", 3 },
	{ "r", "restart", 4 },
	{ "?", "help", 0 },
	{ "q", "quit", 0 },
};
#define TUI_NKEYHINTS	(sizeof tui_keyhints / sizeof tui_keyhints[0])

static void
tui_draw_keys(struct tui *t)
{
	const struct rect	*r = &t->lay.keys;
	int			 shown[TUI_NKEYHINTS], x = 1;
	unsigned		 i;

	layout_keyhints(tui_keyhints, TUI_NKEYHINTS, r->w - 1, shown);
	attron(A_REVERSE);
	mvhline(r->y, 0, ' ', r->w);
	for (i = 0; i < TUI_NKEYHINTS; i++) {
		if (!shown[i])
			continue;
		x += tui_printf(r->y, x, r->w - x, "%s %s",
		    tui_keyhints[i].keys, tui_keyhints[i].label) + KEYHINT_GAP;
	}
	attroff(A_REVERSE);
}

/* A centred box with lines of text. */
static void
tui_draw_panel(struct tui *t, const char *title, char **rowsv, int n)
{
	struct rect	r;
	int		i, w = (int)strlen(title) + 4;

	for (i = 0; i < n; i++)
		if ((int)strlen(rowsv[i]) + 4 > w)
			w = (int)strlen(rowsv[i]) + 4;
	if (w > COLS)
		w = COLS;
	r.h = n + 2 < LINES ? n + 2 : LINES;
	r.w = w;
	r.y = (LINES - r.h) / 2;
	r.x = (COLS - r.w) / 2;
	for (i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
	tui_box(t, &r, A_BOLD);
	attron(A_BOLD);
	tui_printf(r.y, r.x + 2, r.w - 4, " %s ", title);
	attroff(A_BOLD);
	for (i = 0; i < n && i < r.h - 2; i++)
		tui_puts(r.y + 1 + i, r.x + 2, r.w - 4, rowsv[i]);
}

static void
tui_draw_help(struct tui *t)
{
	static const char *const help[] = {
		"space   pause / resume (workers stop at their next step)",
		".       while paused: run until the next event",
		"+ -     twice / half the speed",
		"tab     select the next station (left/right arrows too)",
		"a A     add / remove a worker at the selected station",
		"[ ]     selected station faster / slower (time x0.8 / x1.25)",
		"d D     add / remove a dryer",
		"w W     add / remove a washer",
		"r       restart the scenario",
		"?       this help",
		"q       quit",
	};

	tui_draw_panel(t, "keys", (char **)(uintptr_t)help,
	    (int)(sizeof help / sizeof help[0]));
}

static void
tui_draw_summary(struct tui *t)
{
	char	*text = NULL, *p, *rowsv[40];
	size_t	 len = 0;
	FILE	*f;
	int	 n = 0;

	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	report_text(f, t->eng, &t->st);
	fprintf(f, "\nq quit, r run again");
	fclose(f);
	p = text;
	while (*p == '\n')
		p++;
	while (p != NULL && *p != '\0' && n < 40) {
		rowsv[n++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	tui_draw_panel(t, t->st.conserved ? "summary" :
	    "summary: dishes NOT conserved", rowsv, n);
	free(text);
}

/* Workers a station shows: all but those that left when asked. */
static unsigned
tui_station_workers(struct tui *t, unsigned si)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, used, n = 0;

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		if (run->slots[i].station == si &&
		    !(atomic_load(&run->slots[i].hand.leave) &&
		    atomic_load(&run->slots[i].state) == WS_EXITED))
			n++;
	}
	return (n);
}

static void
tui_draw(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	unsigned		 i, maxw = 1, n;

	for (i = 0; i < scn->nstations; i++) {
		if ((n = tui_station_workers(t, i)) > maxw)
			maxw = n;
	}
	layout_compute(&t->lay, COLS, LINES, scn->nstations, maxw,
	    t->o->big);
	erase();
	if (!t->lay.ok) {
		char	msg[128];

		snprintf(msg, sizeof msg, "enlarge the terminal to at least "
		    "%dx%d (it is %dx%d)", t->lay.min_cols, t->lay.min_rows,
		    COLS, LINES);
		tui_puts(LINES / 2, COLS > (int)strlen(msg) ? (COLS -
		    (int)strlen(msg)) / 2 : 0, COLS, msg);
		refresh();
		return;
	}
	tui_draw_header(t);
	for (i = 0; i < scn->nstations; i++) {
		tui_draw_station(t, i);
		if (i > 0)
			tui_draw_rack(t, i);
	}
	tui_draw_timeline(t);
	tui_draw_output(t);
	tui_draw_caption(t);
	tui_draw_keys(t);
	if (t->summary)
		tui_draw_summary(t);
	if (t->help)
		tui_draw_help(t);
	refresh();
}

/* --- The run ------------------------------------------------------------ */

static int
tui_start_engine(struct tui *t)
{
	const struct scenario	*scn;
	char			*cause = NULL;
	int64_t			 mean, longest = 0;
	unsigned		 i;

	if ((t->eng = t->make(t->arg, &cause)) == NULL) {
		tui_stop();
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		return (-1);
	}
	scn = engine_scenario(t->eng);
	stats_init(&t->st, scn);
	t->have_stats = 0;
	t->summary = 0;
	t->out_pos = 0;
	t->nlines = 0;
	t->npartial = 0;
	t->selected = scn->nstations > 1 ? 1 : 0;
	memset(t->hist, 0, sizeof t->hist);
	memset(t->rate, 0, sizeof t->rate);
	t->rate_ns = RATE_MIN_NS;
	for (i = 0; i < scn->nstations; i++) {
		if (4 * stats_mean_ns(&scn->stations[i].time) > t->rate_ns)
			t->rate_ns = 4 * stats_mean_ns(&scn->stations[i].time);
	}
	if (t->rate_ns > RATE_MAX_NS)
		t->rate_ns = RATE_MAX_NS;
	for (i = 0; i < TL_LEN; i++)
		t->gil_tl[i] = GIL_NOBODY;
	for (i = 0; i < scn->nstations; i++) {
		mean = stats_mean_ns(&scn->stations[i].time);
		if (mean > longest)
			longest = mean;
	}
	t->bucket_ns = longest / 8;
	if (t->bucket_ns < 10 * NSEC_PER_MSEC)
		t->bucket_ns = longest > 0 ? 10 * NSEC_PER_MSEC :
		    200 * NSEC_PER_MSEC;
	t->tl_n = engine_run(t->eng)->nslots;
	t->tl = xcalloc(t->tl_n, sizeof *t->tl);
	t->tl_last = xreallocarray(NULL, t->tl_n, sizeof *t->tl_last);
	for (i = 0; i < t->tl_n; i++)
		t->tl_last[i] = -1;
	t->last_t = 0;
	if (engine_start(t->eng, &cause) == -1) {
		tui_stop();
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		return (-1);
	}
	t->urgent = 1;
	return (0);
}

static void
tui_end_engine(struct tui *t)
{
	if (t->eng == NULL)
		return;
	engine_stop(t->eng);
	engine_wait(t->eng);
	engine_destroy(t->eng);
	t->eng = NULL;
	stats_free(&t->st);
	free(t->tl);
	free(t->tl_last);
	t->tl = NULL;
	t->tl_last = NULL;
}

/* The station that a/A, d/D or w/W act on; -1 if none fits. */
static int
tui_station_named(struct tui *t, const char *name, int fallback)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	unsigned		 i;

	for (i = 0; i < scn->nstations; i++)
		if (strcmp(scn->stations[i].name, name) == 0)
			return ((int)i);
	return (fallback);
}

static void
tui_change_workers(struct tui *t, int si, int add)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	char			*cause = NULL;
	int			 rc;

	if (si < 0)
		return;
	rc = add ? engine_add_worker(t->eng, (unsigned)si, &cause) :
	    engine_remove_worker(t->eng, (unsigned)si, &cause);
	if (rc == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else
		tui_set_status(t, "%s a %s", add ? "added" : "removing",
		    scn->stations[si].name);
}

/* Scale the selected station's time by f, through the engine. */
static void
tui_scale_time(struct tui *t, double f)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct station	*st = &scn->stations[t->selected];
	struct dist		 d = st->time;
	char			 buf[64], *set, *cause = NULL;

	d.a_ns = (int64_t)((double)d.a_ns * f);
	d.b_ns = (int64_t)((double)d.b_ns * f);
	if (d.kind == DIST_FIXED)
		xasprintf(&set, "%s.time=%lldns", st->name,
		    (long long)d.a_ns);
	else if (d.kind == DIST_UNIFORM)
		xasprintf(&set, "%s.time=%lldns..%lldns", st->name,
		    (long long)d.a_ns, (long long)d.b_ns);
	else
		xasprintf(&set, "%s.time=exp(%lldns)", st->name,
		    (long long)d.a_ns);
	if (engine_set(t->eng, set, &cause) == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else
		tui_set_status(t, "%s now takes %s", st->name,
		    dist_format(&st->time, buf, sizeof buf));
	free(set);
}

/* Act on a key. Returns 1 to quit. */
/*
 * Ctrl-Z, as a shell user expects: the terminal given back and the process
 * stopped; on fg the screen redrawn. The run is paused meanwhile, so its
 * clock does not jump by the time spent stopped (the lecture resumes where
 * it was left), unless the user had paused it already.
 */
static void
tui_suspend_now(struct tui *t)
{
	struct sigaction	sa;
	sigset_t		tstp, old;
	int			was_paused = engine_paused(t->eng);

	if (!was_paused)
		engine_pause(t->eng, 1);
	endwin();
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, NULL);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, &old);
	raise(SIGTSTP);		/* stopped here until SIGCONT */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sa.sa_handler = tui_on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	clearok(curscr, TRUE);
	refresh();
	if (!was_paused)
		engine_pause(t->eng, 0);
	t->urgent = 1;
}

static int
tui_key(struct tui *t, int ch)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	int			 n = (int)scn->nstations;

	t->urgent = 1;
	if (t->help && ch != ERR && ch != KEY_RESIZE) {
		t->help = 0;
		if (ch != 'q')
			return (0);
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return (1);
	case '?':
	case 'h':
		t->help = 1;
		break;
	case ' ':
		if (!engine_finished(t->eng))
			engine_pause(t->eng, !engine_paused(t->eng));
		break;
	case '.':
		if (engine_paused(t->eng) && !engine_finished(t->eng)) {
			t->step_pending = 1;
			engine_pause(t->eng, 0);
		}
		break;
	case '+':
	case '=':
		engine_set_speed(t->eng, engine_speed(t->eng) * 2);
		break;
	case '-':
	case '_':
		engine_set_speed(t->eng, engine_speed(t->eng) / 2);
		break;
	case '\t':
	case KEY_RIGHT:
		t->selected = (t->selected + 1) % n;
		break;
	case KEY_BTAB:
	case KEY_LEFT:
		t->selected = (t->selected + n - 1) % n;
		break;
	case 'a':
		tui_change_workers(t, t->selected, 1);
		break;
	case 'A':
		tui_change_workers(t, t->selected, 0);
		break;
	case 'd':
	case 'D':
		tui_change_workers(t, tui_station_named(t, "dryer",
		    n > 1 ? 1 : 0), ch == 'd');
		break;
	case 'w':
	case 'W':
		tui_change_workers(t, tui_station_named(t, "washer", 0),
		    ch == 'w');
		break;
	case '[':
		tui_scale_time(t, 0.8);
		break;
	case ']':
		tui_scale_time(t, 1.25);
		break;
	case 'r':
	case 'R':
		tui_end_engine(t);
		if (tui_start_engine(t) == -1)
			return (-1);
		break;
	case KEY_RESIZE:
		break;
	default:
		t->dirty = 0;
		break;
	}
	return (0);
}

int
tui_run(const struct tui_opts *o, tui_factory make, void *arg)
{
	struct tui		*t;
	struct sigaction	 sa;
	SCREEN			*scr;
	const char		*cs;
	int			 ch, rc, status = 0, quit = 0;
	int64_t			 now;
	size_t			 n;

	t = xcalloc(1, sizeof *t);
	t->o = o;
	t->make = make;
	t->arg = arg;
	t->color = o->color;
	cs = nl_langinfo(CODESET);
	t->g = (o->ascii || cs == NULL || strcmp(cs, "UTF-8") != 0) ?
	    &glyphs_ascii : &glyphs_utf8;

	/* Ours first: ncurses installs its own only where none is set. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = tui_on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = tui_on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	xmalloc_fatal_hook = tui_stop;

	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "dishrack: cannot start the screen\n");
		free(t);
		return (1);
	}
	tui_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	tui_init_colors(t);

	if (tui_start_engine(t) == -1) {
		tui_stop();
		delscreen(scr);
		free(t);
		return (1);
	}
	while (!quit) {
		n = engine_drain(t->eng, stats_event, &t->st);
		if (tui_read_output(t))
			t->dirty = 1;
		if (n > 0) {
			t->dirty = 1;
			if (t->step_pending) {
				engine_pause(t->eng, 1);
				t->step_pending = 0;
			}
		}
		if (tui_suspend) {
			tui_suspend = 0;
			tui_suspend_now(t);
		}
		if (tui_signal != 0) {
			status = 128 + tui_signal;
			break;
		}
		if (engine_finished(t->eng) && !t->summary) {
			engine_drain(t->eng, stats_event, &t->st);
			tui_read_output(t);
			stats_finish(&t->st, t->eng);
			tui_sample_rates(t);
			t->have_stats = 1;
			t->summary = 1;
			t->urgent = 1;
			if (o->exit_when_done)
				quit = 1;
		}
		now = clock_mono_ns();
		if (!engine_finished(t->eng) &&
		    now - t->last_frame >= FRAME_NS) {
			stats_finish(&t->st, t->eng);
			t->have_stats = 1;
			tui_sample(t);
			if (!engine_paused(t->eng))
				t->dirty = 1;
		}
		/*
		 * Events make the screen stale; it is drawn at the next frame,
		 * at most every FRAME_NS. A key or a resize is drawn at once.
		 * A paused or finished screen has nothing that moves.
		 */
		if (t->urgent || (t->dirty && now - t->last_frame >= FRAME_NS) ||
		    (now - t->last_frame > NSEC_PER_SEC &&
		    !engine_finished(t->eng) && !engine_paused(t->eng))) {
			tui_draw(t);
			t->dirty = 0;
			t->urgent = 0;
			t->last_frame = now;
			t->frames++;
			if (o->max_frames > 0 &&
			    t->frames >= (unsigned)o->max_frames)
				quit = 1;
		}
		if (quit)
			break;
		/*
		 * Keep the event rings drained while they flow (a full ring
		 * stalls the workers), but not so often that waking up costs
		 * the workers a core's share; draw at most every FRAME_NS.
		 */
		if (engine_finished(t->eng) || engine_paused(t->eng))
			timeout(IDLE_MS);
		else if (n > 0)
			timeout(DRAIN_MS);
		else
			timeout((int)(FRAME_NS / NSEC_PER_MSEC));
		ch = getch();
		if (ch == ERR)
			continue;
		rc = tui_key(t, ch);
		if (rc == 1)
			quit = 1;
		else if (rc == -1) {
			status = 1;
			t->eng = NULL;
			break;
		}
	}

	if (t->eng != NULL) {
		if (status == 0 && engine_finished(t->eng) && t->have_stats &&
		    (!t->st.conserved || engine_deadlocked(t->eng)))
			status = 1;
		tui_end_engine(t);
	}
	tui_stop();
	delscreen(scr);
	xmalloc_fatal_hook = NULL;
	free(t);
	return (status);
}
