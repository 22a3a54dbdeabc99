/*
 * draw.c: what the panes draw with: text in a given width (UTF-8 aware),
 * boxes, bars, a centred panel, the glyph tables, and a worker's state as
 * a glyph or in words.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmalloc.h"

static int	tui_char(const char *, mbstate_t *, wchar_t *, size_t *);

const struct glyphs glyphs_utf8 = {
	"\u2588", "\u00b7", "\u2592", " ", " ", "\u2717",
	"\u2584\u2584\u2584\u2584\u2584",
	"\u2588", "\u2591",
	{ "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586",
	  "\u2587", "\u2588" },
	"\u25b6", "\u221e", "\u00d7", "\u2026",
	"\u2591", "\u2573",
	"\u2593", "!"
};

const struct glyphs glyphs_ascii = {
	"#", ".", "!", " ", " ", "X",
	"=====",
	"#", "-",
	{ "_", ".", ":", "-", "=", "+", "*", "#" },
	">", "inf", "x", "~",
	"g", "L",
	"r", "@"
};

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
int
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

/*
 * A worker's name in w columns, padded: one too long loses the middle,
 * not its number ("ventilat…-1"), so two workers of a station stay apart.
 */
void
tui_puts_name(const struct tui *t, int y, int x, int w, const char *name)
{
	const char	*num = strrchr(name, '-');
	int		 used, keep;

	mvhline(y, x, ' ', w);
	if (tui_cols(name) <= w || num == NULL || (keep = w - 1 -
	    tui_cols(num)) < 1) {
		tui_puts(y, x, w, name);
		return;
	}
	used = tui_puts(y, x, keep, name);
	used += tui_puts(y, x + used, 1, t->g->more);
	tui_puts(y, x + used, w - used, num);
}

/* Columns s takes on the screen. */
int
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

/*
 * Wrap text at its spaces into lines of at most width columns, into
 * out[0..max); returns how many. A word longer than width is a line of
 * its own, cut when drawn.
 */
int
tui_wrap(const char *text, int width, char out[][160], int max)
{
	char		 line[160];
	const char	*p = text, *e;
	size_t		 ll = 0, wl;
	int		 n = 0, lc = 0, wc;

	while (*p != '\0' && n < max) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if ((e = strchr(p, ' ')) == NULL)
			e = p + strlen(p);
		wl = (size_t)(e - p);
		if (wl > sizeof line - 2)
			wl = sizeof line - 2;
		/*
		 * Full in bytes before it is in columns (Korean takes three
		 * bytes for two columns): the line ends here.
		 */
		if (ll > 0 && ll + 1 + wl + 1 > sizeof line) {
			snprintf(out[n++], sizeof out[0], "%s", line);
			ll = 0;
			lc = 0;
			if (n >= max)
				break;
		}
		memcpy(line + ll + (ll > 0), p, wl);
		line[ll + (ll > 0) + wl] = '\0';
		wc = tui_cols(line + ll + (ll > 0));
		if (ll > 0 && lc + 1 + wc > width) {
			line[ll] = '\0';
			snprintf(out[n++], sizeof out[0], "%s", line);
			memmove(line, p, wl);
			line[wl] = '\0';
			ll = wl;
			lc = wc;
		} else {
			if (ll > 0)
				line[ll] = ' ';
			ll += (ll > 0) + wl;
			lc += (lc > 0) + wc;
		}
		if (ll + 2 >= sizeof line)
			break;
		p = e;
	}
	if (ll > 0 && n < max)
		snprintf(out[n++], sizeof out[0], "%s", line);
	return (n);
}

/* As tui_puts, the text made from a format. */
int
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

/* The border of r, in attribute a; ASCII lines with the ASCII glyphs. */
void
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

/* A bar of w columns at y,x, the fraction frac of it full. */
void
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

/* A centred box with lines of text. */
/*
 * Fold a panel's row to width columns at a space, keeping its spacing (the
 * summary is a table). A continued row hangs under the row's second
 * column, where its figures start, so "messages    10 published, ..."
 * goes on under the 10. Returns the lines made.
 */
static int
panel_fold(const char *row, int width, char out[][160], int max)
{
	char		 line[160];
	const char	*p = row, *cut;
	size_t		 i, len, lastsp, lead;
	int		 n = 0, hang = 0, run = 0;

	/* The hang: after the first run of two spaces or more past the
	 * row's own indent, else at that indent. */
	for (lead = 0; row[lead] == ' '; lead++)
		;
	for (i = lead; row[i] != '\0' && i < 40; i++) {
		if (row[i] == ' ')
			run++;
		else {
			if (run >= 2) {
				hang = (int)i;
				break;
			}
			run = 0;
		}
	}
	if (hang == 0)
		hang = lead > 0 ? (int)lead : 2;
	if (hang > width / 2)
		hang = 2;
	while (*p != '\0' && n < max) {
		if (tui_cols(p) + (n > 0 ? hang : 0) <= width) {
			snprintf(out[n], sizeof out[0], "%*s%s",
			    n > 0 ? hang : 0, "", p);
			n++;
			break;
		}
		/* The last space at which the line still fits. */
		len = strlen(p);
		if (len > sizeof line - 1)
			len = sizeof line - 1;
		lastsp = 0;
		for (i = 1; i < len; i++) {
			if (p[i] != ' ')
				continue;
			memcpy(line, p, i);
			line[i] = '\0';
			if (tui_cols(line) + (n > 0 ? hang : 0) > width)
				break;
			lastsp = i;
		}
		if (lastsp == 0) {	/* one long word: cut when drawn */
			snprintf(out[n], sizeof out[0], "%*s%s",
			    n > 0 ? hang : 0, "", p);
			n++;
			break;
		}
		snprintf(out[n], sizeof out[0], "%*s%.*s", n > 0 ? hang : 0,
		    "", (int)lastsp, p);
		n++;
		for (cut = p + lastsp; *cut == ' '; cut++)
			;
		p = cut;
	}
	return (n);
}

/*
 * A panel over the screen: the rows folded to the width, centred between
 * the header and the bottom line; taller than that, it scrolls from
 * t->panel_top (tui_panel_key) and its border says there is more.
 */
void
tui_draw_panel(struct tui *t, const char *title, char **rowsv, int n)
{
	static char	lines[TUI_PANEL_LINES][160];
	struct rect	r;
	int		i, w = tui_cols(title) + 4, nl = 0, rows;

	/* Columns, not bytes: a Korean line is narrower than its bytes. */
	for (i = 0; i < n; i++)
		if (tui_cols(rowsv[i]) + 4 > w)
			w = tui_cols(rowsv[i]) + 4;
	if (w > COLS)
		w = COLS;
	for (i = 0; i < n && nl < TUI_PANEL_LINES; i++)
		nl += panel_fold(rowsv[i], w - 4 > 10 ? w - 4 : 10, lines + nl,
		    TUI_PANEL_LINES - nl);
	/* Between the header and the bottom line (the keys, or a replay's
	 * bar): what state the run is in stays in sight. */
	r.h = nl + 2 < LINES - 2 ? nl + 2 : LINES - 2;
	r.w = w;
	r.y = 1 + (LINES - 2 - r.h) / 2;
	r.x = (COLS - r.w) / 2;
	rows = r.h - 2;
	t->panel_lines = nl;
	t->panel_rows = rows;
	if (t->panel_top > nl - rows)
		t->panel_top = nl - rows;
	if (t->panel_top < 0)
		t->panel_top = 0;
	for (i = 0; i < r.h; i++)
		mvhline(r.y + i, r.x, ' ', r.w);
	tui_box(t, &r, A_BOLD);
	attron(A_BOLD);
	tui_printf(r.y, r.x + 2, r.w - 4, " %s ", title);
	attroff(A_BOLD);
	for (i = 0; i < rows && t->panel_top + i < nl; i++)
		tui_puts(r.y + 1 + i, r.x + 2, r.w - 4,
		    lines[t->panel_top + i]);
	attron(A_BOLD);
	if (t->panel_top > 0 && r.w > 14)
		tui_printf(r.y, r.x + r.w - 12, 10, " PgUp %s ",
		    t->g == &glyphs_ascii ? "^" : "\u2191");
	if (t->panel_top + rows < nl)
		tui_printf(r.y + r.h - 1, r.x + 2, r.w - 4, _(" %s %d more: "
		    "PgDn, arrows "), t->g == &glyphs_ascii ? "v" : "\u2193",
		    nl - t->panel_top - rows);
	attroff(A_BOLD);
}

/*
 * Up, Down, Page Up and Down, Home, End: move *top, the first line shown
 * of end lines, page at a time for the pages; 1 if the key was one of
 * them (the drawing clamps *top).
 */
int
tui_scroll_key(int ch, int *top, int page, int end)
{
	switch (ch) {
	case KEY_DOWN:
		(*top)++;
		return (1);
	case KEY_UP:
		(*top)--;
		return (1);
	case KEY_NPAGE:
		*top += page;
		return (1);
	case KEY_PPAGE:
		*top -= page;
		return (1);
	case KEY_HOME:
		*top = 0;
		return (1);
	case KEY_END:
		*top = end;
		return (1);
	}
	return (0);
}

/* A panel's scrolling keys; 1 if taken. */
int
tui_panel_key(struct tui *t, int ch)
{
	return (tui_scroll_key(ch, &t->panel_top, t->panel_rows > 1 ?
	    t->panel_rows - 1 : 1, t->panel_lines));
}

/* A worker's state in words, as its row shows it. */
const char *
tui_state_name(int s)
{
	switch (s) {
	case WS_STARTING:
		return (_("starting"));
	case WS_WAIT_GET:
		return (_("waiting for a dish"));
	case WS_WORKING:
		return (_("working"));
	case WS_WAIT_PUT:
		return (_("blocked: rack full"));
	case WS_EXITED:
		return (_("done"));
	case TS_WAIT_GIL:
		return (_("waits for the GIL"));
	case TS_WAIT_LOCK:
		return (_("waits for a lock"));
	default:
		return ("");
	}
}

/* A worker's state in a word, for a narrow row. */
const char *
tui_state_word(int s)
{
	switch (s) {
	case WS_WAIT_GET:
		return (_("waiting"));
	case WS_WAIT_PUT:
		return (_("blocked"));
	case TS_WAIT_GIL:
		return (_("GIL-wait"));
	case TS_WAIT_LOCK:
		return (_("lock-wait"));
	default:
		return (tui_state_name(s));
	}
}

/* A worker's state as a glyph; its attribute in *a. */
const char *
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
	case TS_WAIT_GIL:
		*a = tui_attr(t, C_BOTTLENECK);
		return (t->g->gil_wait);
	case TS_WAIT_LOCK:
		*a = tui_attr(t, C_BLOCK);
		return (t->g->lock_wait);
	case TS_CUP_READ:
		*a = tui_attr(t, C_CAPTION);
		return (t->g->cup_read);
	default:
		*a = A_NORMAL;
		return (t->g->done);
	}
}

/* A worker's state in words, as its row shows it: a killed one says so. */
const char *
tui_worker_state(struct wslot *w)
{
	/* An agent's worker dies only with its agent, which stopped
	 * answering: lost, since nobody here saw it killed. */
	if (atomic_load(&w->died))
		return (w->remote ? _("lost") : _("killed"));
	return (tui_state_name(atomic_load(&w->state)));
}

/* A worker's glyph and its attribute: a killed one has its own. */
/*
 * At a deadlock: what w held and waited for, and who held that, in buf
 * ("holds the towel, waits for the cloth, held by dryer-2"). 0 if w was
 * not in it.
 */
int
tui_deadlock_words(struct tui *t, struct wslot *w, char *buf, size_t len,
    int tight)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, l, used;
	size_t		 n = 0;
	const char	*by = NULL;

	if (!atomic_load(&run->deadlock) || (w->dl_wait < 0 &&
	    w->dl_holds == 0))
		return (0);
	buf[0] = '\0';
	/* Tight: what it waits for, and whose; the other row says the rest. */
	for (l = 0; l < run->nlocks && l < 32 && !tight; l++) {
		if ((w->dl_holds & (1u << l)) && n < len)
			n += (size_t)snprintf(buf + n, len - n,
			    n == 0 ? _("holds the %s") : _(" and the %s"),
			    run->locks[l].name);
	}
	if (w->dl_wait >= 0 && (unsigned)w->dl_wait < run->nlocks) {
		used = atomic_load(&run->used);
		for (i = 0; i < used; i++) {
			if (run->slots[i].dl_holds & (1u << w->dl_wait))
				by = run->slots[i].name;
		}
		if (n < len && tight > 1)
			snprintf(buf + n, len - n, _("waits: %s"),
			    run->locks[w->dl_wait].name);
		else if (n < len && tight && by != NULL)
			snprintf(buf + n, len - n, _("waits: %s (%s)"),
			    run->locks[w->dl_wait].name, by);
		else if (n < len && tight)
			snprintf(buf + n, len - n, _("waits: %s"),
			    run->locks[w->dl_wait].name);
		else if (n < len && by != NULL)
			snprintf(buf + n, len - n,
			    _("%swaits for the %s, held by %s"),
			    n > 0 ? ", " : "", run->locks[w->dl_wait].name, by);
		else if (n < len)
			snprintf(buf + n, len - n, _("%swaits for the %s"),
			    n > 0 ? ", " : "", run->locks[w->dl_wait].name);
	}
	return (1);
}

const char *
tui_worker_glyph(struct tui *t, struct wslot *w, attr_t *a)
{
	if (atomic_load(&w->died)) {
		*a = tui_attr(t, C_BAD);
		return (t->g->killed);
	}
	if (tui_shown_state(t, w) == TS_WAIT_LOCK &&
	    atomic_load(&engine_run(t->eng)->deadlock)) {
		*a = tui_attr(t, C_BAD) | A_BOLD;
		return (t->g->lock_wait);
	}
	return (tui_state_glyph(t, tui_shown_state(t, w), a));
}

/*
 * Who holds GIL gl, for this frame: the threads' one GIL is read once a
 * frame, or two rows read a moment apart could both show its holder.
 */
uint32_t
tui_gil_holder(struct tui *t, struct gil *gl)
{
	struct run	*run = engine_run(t->eng);

	if (run->ngils > 0 && gl == &run->gils[0])
		return (t->gil_holder);
	return (atomic_load(&gl->current));
}

int
tui_shown_state(struct tui *t, struct wslot *w)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl;
	int			 s = atomic_load(&w->state);

	/* A deadlock's picture stays as it was found: it is the lesson. */
	if (atomic_load(&run->deadlock) && w->dl_wait >= 0)
		return (TS_WAIT_LOCK);
	if (s != WS_WORKING || atomic_load(&w->died) || w->remote)
		return (s);
	if (atomic_load(&w->waiting_lock) >= 0)
		return (TS_WAIT_LOCK);
	/* Computing in name, but another thread of its process holds it. */
	if (scn->stations[w->station].work == WORK_CPU &&
	    (gl = run_gil(run, w)) != NULL && tui_gil_holder(t, gl) != w->id)
		return (TS_WAIT_GIL);
	return (s);
}
