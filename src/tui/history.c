/*
 * history.c: rewind on the live screen. After each frame the screen
 * keeps what it drew (the cells of each row, a row shared with the frame
 * before when it did not change) with the scenario time and the caption
 * then; going back shows a kept frame, with a bar that says the run goes
 * on forward meanwhile: the engine, the rings and the figures carry on,
 * only the picture is of the past. Going live again shows the present.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

#define HIST_FRAMES	4096	/* about two minutes at 30 frames a second */
#define HIST_STEP_NS	NSEC_PER_SEC

struct hist_row {
	int		 refs;
	int		 cols;
	cchar_t		 cells[];
};

struct hist_frame {
	int64_t		 t;		/* scenario time */
	int		 caption;	/* the stats' caption then */
	int		 cols, rows;
	struct hist_row	**row;
};

struct history {
	struct hist_frame f[HIST_FRAMES];
	unsigned	 first, n;	/* a ring */
};

static void
hist_row_drop(struct hist_row *r)
{
	if (r != NULL && --r->refs == 0)
		free(r);
}

static void
hist_frame_drop(struct hist_frame *f)
{
	int	y;

	for (y = 0; y < f->rows; y++)
		hist_row_drop(f->row[y]);
	free(f->row);
	f->row = NULL;
}

static struct hist_frame *
hist_at(struct history *h, unsigned i)
{
	return (&h->f[(h->first + i) % HIST_FRAMES]);
}

void
tui_history_keep(struct tui *t)
{
	struct history		*h = t->history;
	struct hist_frame	*f, *prev;
	struct hist_row		*r;
	size_t			 size;
	int			 y;

	if (h == NULL)
		h = t->history = xcalloc(1, sizeof *h);
	prev = h->n > 0 ? hist_at(h, h->n - 1) : NULL;
	if (prev != NULL && (prev->cols != COLS || prev->rows != LINES))
		prev = NULL;
	if (h->n == HIST_FRAMES) {
		hist_frame_drop(hist_at(h, 0));
		h->first = (h->first + 1) % HIST_FRAMES;
		h->n--;
	}
	f = hist_at(h, h->n);
	f->t = engine_now(t->eng);
	f->caption = t->st.caption;
	f->cols = COLS;
	f->rows = LINES;
	f->row = xcalloc((size_t)LINES, sizeof *f->row);
	size = sizeof *r + (size_t)(COLS + 1) * sizeof r->cells[0];
	for (y = 0; y < LINES; y++) {
		r = xcalloc(1, size);
		r->refs = 1;
		r->cols = COLS;
		mvwin_wchnstr(stdscr, y, 0, r->cells, COLS);
		if (prev != NULL && prev->row[y] != NULL && memcmp(
		    prev->row[y]->cells, r->cells, (size_t)COLS *
		    sizeof r->cells[0]) == 0) {
			free(r);
			r = prev->row[y];
			r->refs++;
		}
		f->row[y] = r;
	}
	h->n++;
}

/* Draw kept frame i, and over its key bar what reviewing means. */
void
tui_history_draw(struct tui *t)
{
	struct history		*h = t->history;
	struct hist_frame	*f;
	char			 bar[256];
	int			 y;

	if (h == NULL || t->review < 0 || (unsigned)t->review >= h->n)
		return;
	f = hist_at(h, (unsigned)t->review);
	erase();
	for (y = 0; y < f->rows && y < LINES; y++)
		mvadd_wchnstr(y, 0, f->row[y]->cells,
		    f->cols < COLS ? f->cols : COLS);
	/* What matters first: a narrow screen keeps the start. */
	snprintf(bar, sizeof bar, _(" REVIEW t=%.1fs, the run goes on (now "
	    "t=%.1fs)  l live  , . 1s  < > caption "), (double)f->t / 1e9,
	    (double)engine_now(t->eng) / 1e9);
	attron(A_REVERSE | A_BOLD);
	mvhline(LINES - 1, 0, ' ', COLS);
	tui_puts(LINES - 1, 0, COLS, bar);
	attroff(A_REVERSE | A_BOLD);
	refresh();
	tui_frame_out(t);
}

/* The last kept frame at or before t (or the first). */
static int
hist_find_before(struct history *h, int64_t t, int from)
{
	int	i;

	for (i = from; i > 0; i--)
		if (hist_at(h, (unsigned)i)->t <= t)
			return (i);
	return (0);
}

/*
 * The rewind keys. Returns 1 if ch was one (acted on), 0 if not, so the
 * live screen's keys go on as before.
 */
int
tui_history_key(struct tui *t, int ch)
{
	struct history	*h = t->history;
	int		 last, i, cap;

	if (h == NULL || h->n < 2)
		return (0);
	last = (int)h->n - 1;
	if (t->review < 0) {
		/* Live: only the keys that go back. */
		if (ch != ',' && ch != '<' && ch != KEY_HOME)
			return (0);
		t->review = last;
	} else if (ch == 'l' || ch == 27 || ch == KEY_END) {
		t->review = -1;
		tui_set_status(t, "%s", _("live again"));
		return (1);
	}
	i = t->review;
	switch (ch) {
	case ',':
		t->review = hist_find_before(h, hist_at(h, (unsigned)i)->t -
		    HIST_STEP_NS, i);
		break;
	case '.':
		while (i < last && hist_at(h, (unsigned)i)->t <
		    hist_at(h, (unsigned)t->review)->t + HIST_STEP_NS)
			i++;
		t->review = i;
		break;
	case '<':
		/* Back to where the caption before this one began. */
		cap = hist_at(h, (unsigned)i)->caption;
		while (i > 0 && hist_at(h, (unsigned)i)->caption == cap)
			i--;
		cap = hist_at(h, (unsigned)i)->caption;
		while (i > 0 && hist_at(h, (unsigned)i - 1)->caption == cap)
			i--;
		t->review = i;
		break;
	case '>':
		cap = hist_at(h, (unsigned)i)->caption;
		while (i < last && hist_at(h, (unsigned)i)->caption == cap)
			i++;
		t->review = i;
		break;
	case KEY_HOME:
		t->review = 0;
		break;
	case 'q':
	case 'Q':
	case KEY_F(10):
	case '?':
	case KEY_F(1):
		/* Quit and help work from the past too. */
		return (0);
	default:
		/* In the past, the live screen's keys wait. */
		tui_set_status(t, "%s", _("reviewing the past: l (or Esc) goes live"));
		return (1);
	}
	return (1);
}

void
tui_history_free(struct tui *t)
{
	struct history	*h = t->history;
	unsigned	 i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		hist_frame_drop(hist_at(h, i));
	free(h);
	t->history = NULL;
	t->review = -1;
}
