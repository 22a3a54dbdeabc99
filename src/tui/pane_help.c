/*
 * pane_help.c: the help panel ('?', F1): the keys, and what every glyph,
 * colour and label of the screen means, over the screen while the run is
 * paused. It scrolls where the terminal is too short for it.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/*
 * One row: at the left a key or a sample of the screen, in the colour the
 * screen draws it in; at the right what it means. A sample is text with
 * the screen's own glyphs put in for %-escapes (help_expand), so that the
 * help shows what the screen shows, in UTF-8 or ASCII. A row with no
 * sample and no text is a blank line; one with a sample only, a heading.
 */
struct help_row {
	const char	*sample;
	enum tui_color	 color;		/* 0: as text */
	int		 reverse;	/* the tokens are drawn reversed */
	const char	*text;
};

#define HELP_LEFT	14	/* columns of the samples */

static const struct help_row help_rows[] = {
	{ N_("Keys"), 0, 0, NULL },
	{ "space", 0, 0,
	    N_("pause / resume (workers stop at their next step)") },
	{ ".", 0, 0, N_("while paused: run to a worker's next event") },
	{ "Enter n PgDn", 0, 0, N_("go on after a pause (what a clicker sends; "
	    "Right too at a [script] pause)") },
	{ "+ -", 0, 0, N_("twice / half the speed") },
	{ "tab %L %R", 0, 0, N_("select a station (left/right arrows too)") },
	{ "a A", 0, 0, N_("add / remove a worker at the selected station (one "
	    "at work is marked LEAVING until its dish is done)") },
	{ "[ ]", 0, 0, N_("selected station faster / slower (time x0.8 / x1.25)") },
	{ "d D", 0, 0, N_("add / remove a dryer") },
	{ "w W", 0, 0, N_("add / remove a washer") },
	{ "L", 0, 0, N_("the cupboard's lock: none, mutex, spin, atomic, "
	    "and round (from each dryer's next dish)") },
	{ "G", 0, 0, N_("the GIL on / off, in any run, from each worker's "
	    "next dish (switched on, the timeline grows its GIL row)") },
	{ "{ }", 0, 0, N_("the rack in front of the selected station holds "
	    "fewer / more: hand-off, 1 .. 16, unbounded") },
	{ "k K", 0, 0, N_("kill a worker of the selected station (the one "
	    "holding a dish) / all of them, for real: SIGKILL for a "
	    "process; a thread or task crashes, dropping what it holds; "
	    "K takes the station's agents too (their whole process)") },
	{ "H", 0, 0, N_("the script's captions so far, with their times (H "
	    "again closes)") },
	{ "r", 0, 0, N_("restart the scenario") },
	{ "t", 0, 0, N_("theory: predicted beside measured, live (t again "
	    "hides it)") },
	{ ", < Home", 0, 0,
	    N_("rewind the screen 1 s / a caption / all the way; "
	    "the run goes on") },
	{ ". > l Esc", 0, 0, N_("rewound: 1 s on / next caption / live") },
	{ "c C End", 0, 0,
	    N_("a replay: next / last change of workers; the end") },
	{ "m M", 0, 0,
	    N_("a replay: next / last move of the BOTTLENECK mark") },
	{ "Esc Enter s", 0, 0, N_("when the run has ended: hide / show the "
	    "summary") },
	{ "PgDn PgUp", 0, 0, N_("scroll a panel taller than the screen (the "
	    "summary, theory, captions); also the arrows, Home, End") },
	{ "? F1", 0, 0, N_("this help; the run pauses while it is open") },
	{ "q F10", 0, 0, N_("quit") },
	{ "Ctrl-Z", 0, 0, N_("back to the shell, the run paused until fg") },
	{ NULL, 0, 0, NULL },
	{ N_("A worker's row"), 0, 0, NULL },
	{ "%W", C_WORK, 0, N_("working on a dish; the bar is how far it is") },
	{ "%.", C_WAIT, 0,
	    N_("waiting for a dish: the rack in front is empty") },
	{ "%B", C_BLOCK, 0, N_("blocked: the rack after it is full (or, in a "
	    "hand-off, nobody takes)") },
	{ "%G", C_BOTTLENECK, 0,
	    N_("computing, but waiting for the GIL another "
	    "thread holds: with a GIL only one thread computes at a time; the "
	    "bar is the computation done") },
	{ "%Y", C_BLOCK, 0,
	    N_("waiting for a lock another worker holds (the row "
	    "names it)") },
	{ N_("%K killed"), C_BAD, 0,
	    N_("a worker killed (k, K, the [script], or "
	    "from outside); its dish went back to the rack, or was lost in "
	    "the plain queue (rack.reliable = no)") },
	{ N_("restarted for"), C_CAPTION, 0,
	    N_("started in the place of the killed "
	    "one named") },
	{ "dish-3", C_DISH, 0, N_("the dish in its hands") },
	{ "GIL", C_BOTTLENECK, 1, N_("holds the GIL: the one thread of its "
	    "interpreter that may compute now") },
	{ N_("gil-wait 1.2s"), 0, 0,
	    N_("how long it has waited for the GIL so far") },
	{ "LOOP", C_BOTTLENECK, 1, N_("an async task that computes: it holds "
	    "the event loop, nobody else runs") },
	{ N_("late 1.4s"), C_BLOCK, 0,
	    N_("an async task whose wait is over, but "
	    "the loop is held: its timer is late") },
	{ N_("waits for the"), C_BLOCK, 0,
	    N_("waits for a named lock (a towel, a "
	    "cloth) that another holds") },
	{ N_("4 done"), 0, 0, N_("dishes it has finished") },
	{ N_("tid 8435"), 0, 0,
	    N_("its kernel thread id, as ps -L shows it (async: "
	    "the loop's one thread)") },
	{ N_("pid 8436"), 0, 0, N_("its process id: a forked worker process") },
	{ NULL, 0, 0, NULL },
	{ N_("A station's box"), 0, 0, NULL },
	{ "dryer %X2 4s", 0, 0, N_("its name, its workers, the time a dish "
	    "takes") },
	{ ">", 0, 0, N_("the station selected (tab); its box is bold") },
	{ N_("BOTTLENECK"), C_BOTTLENECK, 0, N_("the busiest station over the last "
	    "few dish times (since its first dish), as the run measures it; "
	    "on a tie the one further down the line: it sets the pace") },
	{ N_("BOTTLENECK?"), C_BOTTLENECK, 0, N_("no dish through the line yet: "
	    "what the scenario's times alone predict") },
	{ N_("3 done"), 0, 0, N_("dishes it has let out") },
	{ N_("busy 67%"), 0, 0,
	    N_("time working (dishes in hand too) over time "
	    "there, all its workers") },
	{ N_("in 0.50/s"), 0, 0,
	    N_("dishes taken in a second, over the last few "
	    "dish times") },
	{ N_("out 0.25/s"), 0, 0,
	    N_("dishes let out a second: in faster than out, "
	    "the rack in front fills") },
	{ N_("4 in the queue"), 0, 0,
	    N_("arrivals (arrivals = exp(5s)): dishes arrived and not yet "
	    "taken, the queue in front of the first station") },
	{ N_("restarts 1"), C_BAD, 0, N_("workers started for killed ones") },
	{ N_("+2 more"), 0, 0, N_("workers the box has no room for") },
	{ N_("cupboard 7"), 0, 0,
	    N_("the shared counter the last station updates") },
	{ N_("3 LOST"), C_BAD, 0,
	    N_("updates lost: no lock, and two read the same "
	    "count") },
	{ NULL, 0, 0, NULL },
	{ N_("A rack"), 0, 0, NULL },
	{ N_("%A rack 3/%I"), 0, 0,
	    N_("dishes on it / its capacity (%I: unbounded)") },
	{ N_("0/0 hand-off"), 0, 0,
	    N_("capacity 0: each dish passes from hand to "
	    "hand") },
	{ "%D", C_DISH, 0, N_("a dish on the rack") },
	{ "+5", C_DISH, 0, N_("five dishes more than the stack shows") },
	{ "%S", 0, 0, N_("the sparkline: its depth over time, newest at the "
	    "right") },
	{ N_("zmq"), C_CAPTION, 0,
	    N_("a rack over ZeroMQ: its sockets' links, from "
	    "their monitors:") },
	{ N_("3 links"), C_CAPTION, 0,
	    N_("connections up now (every worker has its "
	    "own socket)") },
	{ N_("2 fly"), C_CAPTION, 0, N_("dishes in flight: sent less received, "
	    "counted at both ends") },
	{ N_("1 resent"), C_WAIT, 0, N_("a dead taker's dish, sent to another "
	    "(reliable)") },
	{ N_("2 lost"), C_BAD, 0, N_("gone with a dead taker, or queued for it "
	    "(plain PUSH/PULL)") },
	{ N_("hidden q"), C_CAPTION, 0,
	    N_("ZeroMQ's pipes and the kernel's buffers "
	    "hold dishes nobody sees") },
	{ NULL, 0, 0, NULL },
	{ N_("The rest"), 0, 0, NULL },
	{ N_("timeline"), 0, 0, N_("a row a worker, a column a slice of time, "
	    "newest at the right:") },
	{ "", 0, 0, N_("each column the glyph of its state then, as above") },
	{ N_("GIL held by"), 0, 0,
	    N_("(timeline) which worker held the GIL, by its "
	    "number: 3 is dryer-3") },
	{ "%C", C_CAPTION, 0, N_("(timeline) read the cupboard's count, not "
	    "written back yet: two such windows at once, and one write goes "
	    "over the other's") },
	{ "%!", C_BAD, 1, N_("(timeline) the write that lost an update: it "
	    "wrote over a count another wrote since its read") },
	{ N_("playhead"), 0, 1, N_("(a replay) the timeline's column in "
	    "reverse video: the replay's time, a playhead that moves with each "
	    "seek") },
	{ N_("output"), 0, 0,
	    N_("the workers' text as they write it, part by part: "
	    "lines mix") },
	{ N_("fan-out"), 0, 0,
	    N_("a broadcast (publish-subscribe): the publisher's "
	    "last message, each topic's count,") },
	{ "", 0, 0,
	    N_("a row a subscriber: its topics, what it got and missed, "
	    "its last messages") },
	{ "%D", C_DISH, 0,
	    N_("(fan-out) a message on its way to the subscribers "
	    "of its topic") },
	{ N_("missed 5"), C_WAIT, 0,
	    N_("published before it subscribed (late), or "
	    "dropped at the high-water mark: not lost") },
	{ N_("%A caption"), C_CAPTION, 0,
	    N_("the [script]'s words, or what a key "
	    "just did") },
	{ N_("DEADLOCK"), C_BAD, 0,
	    N_("workers wait for each other's locks in a "
	    "cycle: who for whom") },
	{ "t=4.0s", 0, 0, N_("scenario time: the clock (real or virtual) "
	    "times the speed") },
	{ N_("PAUSED"), 0, 0, N_("or running, stepping, finished, stopped") },
};
#define HELP_NROWS	(sizeof help_rows / sizeof help_rows[0])

static void	help_expand(struct tui *, const char *, char *, size_t);

/* A row's words in the reader's language; "" is no message. */
static const char *
help_tr(const char *s)
{
	return (s[0] != '\0' ? _(s) : s);
}

/*
 * A sample with the screen's glyphs in: %W work, %. wait, %B block, %K
 * killed, %C a read of the cupboard not written back, %! a lost update,
 * %D a dish, %A the arrow, %I unbounded, %X times, %S a
 * sparkline, %L and %R the arrow keys.
 */
static void
help_expand(struct tui *t, const char *spec, char *buf, size_t len)
{
	const struct glyphs	*g = t->g;
	const char		*put;
	size_t			 n = 0, k, i;
	char			 c[2] = { '\0', '\0' };

	for (; *spec != '\0'; spec++) {
		put = c;
		c[0] = *spec;
		if (*spec == '%' && spec[1] != '\0') {
			switch (*++spec) {
			case 'W': put = g->work; break;
			case '.': put = g->wait; break;
			case 'B': put = g->block; break;
			case 'K': put = g->killed; break;
			case 'G': put = g->gil_wait; break;
			case 'Y': put = g->lock_wait; break;
			case 'C': put = g->cup_read; break;
			case '!': put = g->cup_lost; break;
			case 'D': put = g->dish; break;
			case 'A': put = g->arrow; break;
			case 'I': put = g->inf; break;
			case 'X': put = g->times; break;
			case 'L': put = g == &glyphs_ascii ? "<-" : "\u2190";
				break;
			case 'R': put = g == &glyphs_ascii ? "->" : "\u2192";
				break;
			case 'S':
				for (i = 0; i < 8; i += 2) {
					k = strlen(g->spark[i]);
					if (n + k < len) {
						memcpy(buf + n, g->spark[i], k);
						n += k;
					}
				}
				continue;
			default: c[0] = *spec; break;
			}
		}
		k = strlen(put);
		if (n + k < len) {
			memcpy(buf + n, put, k);
			n += k;
		}
	}
	buf[n] = '\0';
}

/* Lines the help took when it was last drawn, for scrolling it. */
int
tui_help_rows(struct tui *t)
{
	return (t->help_lines);
}

/*
 * The help panel, centred, its rows wrapped to the width, from line
 * t->help_top; its border says when there is more above or below.
 */
void
tui_draw_help(struct tui *t)
{
	static struct {
		const struct help_row	*h;
		int			 first;	/* the row's first line */
		char			 text[160];
	}			 lines[HELP_NROWS * 6];
	const struct help_row	*h;
	struct rect		 r;
	char			 sample[64], text[512], wrapped[6][160];
	attr_t			 a;
	int			 i, k, n, nl = 0, y, x, w = 0, rows, tw;

	for (i = 0; i < (int)HELP_NROWS; i++) {
		h = &help_rows[i];
		if (h->text == NULL)
			continue;
		help_expand(t, help_tr(h->text), text, sizeof text);
		if (HELP_LEFT + tui_cols(text) > w)
			w = HELP_LEFT + tui_cols(text);
	}
	r.w = w + 4 < COLS ? w + 4 : COLS;
	tw = r.w - 4 - HELP_LEFT;
	for (i = 0; i < (int)HELP_NROWS; i++) {
		h = &help_rows[i];
		n = 1;
		wrapped[0][0] = '\0';
		if (h->text != NULL) {
			help_expand(t, help_tr(h->text), text, sizeof text);
			n = tui_wrap(text, tw > 10 ? tw : 10, wrapped, 6);
		}
		for (k = 0; k < n; k++) {
			lines[nl].h = h;
			lines[nl].first = k == 0;
			memcpy(lines[nl].text, wrapped[k], sizeof wrapped[k]);
			nl++;
		}
	}
	t->help_lines = nl;
	/* Below the header, which says the run is paused meanwhile. */
	r.h = nl + 2 < LINES - 1 ? nl + 2 : LINES - 1;
	r.y = 1 + (LINES - 1 - r.h) / 2;
	r.x = (COLS - r.w) / 2;
	rows = r.h - 2;
	if (t->help_top > nl - rows)
		t->help_top = nl - rows;
	if (t->help_top < 0)
		t->help_top = 0;
	for (i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
	tui_box(t, &r, A_BOLD);
	attron(A_BOLD);
	tui_puts(r.y, r.x + 2, r.w - 4, _(" help: the run is paused "));
	attroff(A_BOLD);
	for (n = 0; n < rows; n++) {
		h = lines[t->help_top + n].h;
		y = r.y + 1 + n;
		x = r.x + 2;
		if (h->sample == NULL)
			continue;
		if (lines[t->help_top + n].first) {
			help_expand(t, help_tr(h->sample), sample,
			    sizeof sample);
			if (h->text == NULL) {
				attron(A_BOLD | A_UNDERLINE);
				tui_puts(y, x, r.w - 4, sample);
				attroff(A_BOLD | A_UNDERLINE);
				continue;
			}
			a = h->color != 0 ? tui_attr(t, h->color) : A_NORMAL;
			if (h->reverse)
				a |= A_REVERSE;
			attron(a);
			tui_puts(y, x, HELP_LEFT - 1, sample);
			attroff(a);
		}
		tui_puts(y, x + HELP_LEFT, r.w - 4 - HELP_LEFT,
		    lines[t->help_top + n].text);
	}
	/* More above, more below: say so, and how to see it. */
	attron(A_BOLD);
	if (t->help_top > 0)
		tui_printf(r.y, r.x + r.w - 12, 10, " PgUp %s ",
		    t->g == &glyphs_ascii ? "^" : "\u2191");
	if (t->help_top + rows < nl)
		tui_printf(r.y + r.h - 1, r.x + 2, r.w - 4, _(" %s more: "
		    "PgDn, arrows; any other key closes "),
		    t->g == &glyphs_ascii ? "v" : "\u2193");
	else
		tui_puts(r.y + r.h - 1, r.x + 2, r.w - 4,
		    _(" any key closes, q quits "));
	attroff(A_BOLD);
}
