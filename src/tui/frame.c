/*
 * frame.c: each frame the screen draws, as text a terminal would show
 * the same: for an asciicast (--cast). The cells are read back from
 * curses after the refresh, so the frame is what the screen holds
 * whatever the terminal (or none: an off-screen screen), and only the
 * rows that changed since the last frame are written, each whole, with
 * its own cursor position and SGR attributes.
 */
#include "config.h"

#include "tui_private.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmalloc.h"

struct fbuf {
	char	*p;
	size_t	 len, cap;
};

static void
fb_add(struct fbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
fb_str(struct fbuf *b, const char *s)
{
	fb_add(b, s, strlen(s));
}

/* The SGR of curses attributes and a colour pair, from a reset. */
static void
frame_sgr(struct fbuf *b, attr_t a, short pair)
{
	char	buf[64];
	short	fg = -1, bg = -1;
	int	n;

	n = snprintf(buf, sizeof buf, "\033[0");
	if (a & A_BOLD)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ";1");
	if (a & A_DIM)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ";2");
	if (a & A_UNDERLINE)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ";4");
	if (a & A_REVERSE)
		n += snprintf(buf + n, sizeof buf - (size_t)n, ";7");
	if (pair > 0 && pair_content(pair, &fg, &bg) == OK) {
		if (fg >= 0 && fg < 8)
			n += snprintf(buf + n, sizeof buf - (size_t)n, ";%d",
			    30 + fg);
		if (bg >= 0 && bg < 8)
			n += snprintf(buf + n, sizeof buf - (size_t)n, ";%d",
			    40 + bg);
	}
	snprintf(buf + n, sizeof buf - (size_t)n, "m");
	fb_str(b, buf);
}

/*
 * What a line-drawing character (VT100's alternate set, as curses keeps
 * it) looks like in Unicode, which the cast's player draws.
 */
static wchar_t
frame_acs(wchar_t c)
{
	static const struct {
		char	 acs;
		wchar_t	 u;
	} map[] = {
		{ 'q', 0x2500 }, { 'x', 0x2502 }, { 'l', 0x250c },
		{ 'k', 0x2510 }, { 'm', 0x2514 }, { 'j', 0x2518 },
		{ 't', 0x251c }, { 'u', 0x2524 }, { 'v', 0x2534 },
		{ 'w', 0x252c }, { 'n', 0x253c }, { 'a', 0x2592 },
		{ '~', 0x00b7 }, { '`', 0x25c6 }, { '0', 0x2588 },
		{ 'h', 0x2592 }, { 'o', 0x23ba }, { 's', 0x23bd },
		{ '+', 0x2192 }, { ',', 0x2190 }, { '-', 0x2191 },
		{ '.', 0x2193 }, { 'f', 0x00b0 }, { 'g', 0x00b1 },
		{ 'y', 0x2264 }, { 'z', 0x2265 }, { '{', 0x03c0 },
		{ '|', 0x2260 }, { '}', 0x00a3 }
	};
	size_t	i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].acs == c)
			return (map[i].u);
	return (c);
}

/* Row y as text with attributes, from the first column. */
static void
frame_row(struct fbuf *b, int y, int cols)
{
	cchar_t		 cc;
	wchar_t		 wch[CCHARW_MAX + 1];
	attr_t		 a, last_a = 0;
	short		 pair, last_pair = 0;
	char		 mb[MB_LEN_MAX * (CCHARW_MAX + 1)];
	mbstate_t	 ms;
	size_t		 k, n;
	int		 x, w;

	fb_str(b, "\033[0m");
	for (x = 0; x < cols; x++) {
		if (mvwin_wch(stdscr, y, x, &cc) == ERR ||
		    getcchar(&cc, wch, &a, &pair, NULL) == ERR) {
			fb_str(b, " ");
			continue;
		}
		if ((a & A_ALTCHARSET) && wch[0] < 0x80)
			wch[0] = frame_acs(wch[0]);
		a &= A_BOLD | A_DIM | A_UNDERLINE | A_REVERSE;
		if (a != last_a || pair != last_pair) {
			frame_sgr(b, a, pair);
			last_a = a;
			last_pair = pair;
		}
		memset(&ms, 0, sizeof ms);
		n = 0;
		for (k = 0; wch[k] != L'\0' && k < CCHARW_MAX; k++) {
			size_t	m = wcrtomb(mb + n, wch[k], &ms);

			if (m == (size_t)-1)
				break;
			n += m;
		}
		if (n == 0)
			fb_str(b, " ");
		else
			fb_add(b, mb, n);
		/* A wide character fills the next cell too. */
		if ((w = wcwidth(wch[0])) > 1)
			x += w - 1;
	}
	fb_str(b, "\033[0m");
}

void
tui_frame_out(struct tui *t)
{
	struct fbuf	 out = { NULL, 0, 0 }, row = { NULL, 0, 0 };
	char		 pos[32];
	int		 y, fresh;

	if (t->o->frame == NULL)
		return;
	fresh = t->frame_rows == NULL || t->frame_cols != COLS ||
	    t->frame_nrows != LINES;
	if (fresh) {
		tui_frame_free(t);
		t->frame_rows = xcalloc((size_t)LINES, sizeof *t->frame_rows);
		t->frame_cols = COLS;
		t->frame_nrows = LINES;
		fb_str(&out, "\033[0m\033[2J");
	}
	for (y = 0; y < LINES; y++) {
		row.len = 0;
		frame_row(&row, y, COLS);
		if (!fresh && t->frame_rows[y] != NULL &&
		    strcmp(t->frame_rows[y], row.p) == 0)
			continue;
		snprintf(pos, sizeof pos, "\033[%d;1H", y + 1);
		fb_str(&out, pos);
		fb_add(&out, row.p, row.len);
		free(t->frame_rows[y]);
		t->frame_rows[y] = xstrdup(row.p);
	}
	if (out.len > 0)
		t->o->frame(t->o->frame_arg, out.p, out.len, COLS, LINES);
	free(out.p);
	free(row.p);
}

void
tui_frame_free(struct tui *t)
{
	int	y;

	if (t->frame_rows == NULL)
		return;
	for (y = 0; y < t->frame_nrows; y++)
		free(t->frame_rows[y]);
	free(t->frame_rows);
	t->frame_rows = NULL;
}
