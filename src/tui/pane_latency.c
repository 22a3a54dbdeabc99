/*
 * pane_latency.c: page latency as it happens, a histogram by powers of
 * two, and the timeline: uploads on the wire, the slowest page answered
 * and the connections waiting, bucket by bucket, so a page blocked
 * behind an upload is seen as a column that rises with it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "web_screen.h"

const char *
web_fmt_secs(double s, char *buf, size_t len)
{
	if (s < 0.001)
		snprintf(buf, len, "%.0fus", s * 1e6);
	else if (s < 1)
		snprintf(buf, len, "%.1fms", s * 1e3);
	else
		snprintf(buf, len, "%.2fs", s);
	return (buf);
}

/* Fold what happened since the last frame into the current bucket. */
void
web_sample(struct web_screen *ws, int64_t now)
{
	struct web_run		*w = ws->w;
	struct web_server	*s = &w->srv;
	unsigned		 n, i, up = 0;
	int			 b;

	b = (int)((now - ws->t0) / ws->bucket_ns);
	if (b >= WTL_LEN) {
		/* Scroll: keep the newer half. */
		memmove(ws->tl_up, ws->tl_up + WTL_LEN / 2, WTL_LEN / 2);
		memmove(ws->tl_page, ws->tl_page + WTL_LEN / 2,
		    WTL_LEN / 2 * sizeof ws->tl_page[0]);
		memmove(ws->tl_wait, ws->tl_wait + WTL_LEN / 2,
		    WTL_LEN / 2 * sizeof ws->tl_wait[0]);
		memset(ws->tl_up + WTL_LEN / 2, 0, WTL_LEN / 2);
		memset(ws->tl_page + WTL_LEN / 2, 0, WTL_LEN / 2 *
		    sizeof ws->tl_page[0]);
		memset(ws->tl_wait + WTL_LEN / 2, 0, WTL_LEN / 2 *
		    sizeof ws->tl_wait[0]);
		ws->t0 += (int64_t)(WTL_LEN / 2) * ws->bucket_ns;
		b -= WTL_LEN / 2;
	}
	ws->tl_last = b;
	for (i = 0; i < WEB_ROWS; i++) {
		if (atomic_load(&s->rows[i].state) == WROW_BODY &&
		    atomic_load(&s->rows[i].kind) == WKIND_UPLOAD)
			up++;
	}
	if (up > ws->tl_up[b])
		ws->tl_up[b] = (unsigned char)(up > 255 ? 255 : up);
	if (atomic_load(&w->waiting) > ws->tl_wait[b])
		ws->tl_wait[b] = atomic_load(&w->waiting);
	if (s->cfg.external) {
		/* No visitors of ours: the server's own time it is. */
		int64_t	slow = atomic_exchange(&s->slowest, 0);

		if (slow > ws->tl_page[b])
			ws->tl_page[b] = slow;
		return;
	}
	n = atomic_load_explicit(&w->cli.nlat, memory_order_acquire);
	for (; ws->seen < n; ws->seen++) {
		if (w->cli.lat[ws->seen] > ws->tl_page[b])
			ws->tl_page[b] = w->cli.lat[ws->seen];
	}
}

void
web_draw_hist(struct web_screen *ws)
{
	const struct rect	*r = &ws->r_hist;
	struct web_hist		*h;
	uint64_t		 c[WEB_HIST_BUCKETS], max = 0, total = 0;
	int			 lo = -1, hi = -1, i, y, rows, bw;
	char			 lim[16];

	if (r->h < 3 || r->w < 16)
		return;
	tui_box(&ws->t, r, tui_attr(&ws->t, C_NORMAL));
	h = ws->w->srv.cfg.external ? &ws->w->srv.service : &ws->w->cli.hist;
	tui_puts(r->y, r->x + 2, r->w - 4, ws->w->srv.cfg.external ?
	    _(" time in the server ") : _(" page latency "));
	for (i = 0; i < WEB_HIST_BUCKETS; i++) {
		c[i] = atomic_load(&h->b[i]);
		total += c[i];
		if (c[i] > 0) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
		if (c[i] > max)
			max = c[i];
	}
	if (total == 0) {
		tui_puts(r->y + 1, r->x + 2, r->w - 4, _("no pages yet"));
		return;
	}
	rows = r->h - 2;
	/* The slowest buckets matter most: they are kept when rows lack. */
	if (hi - lo + 1 > rows)
		lo = hi - rows + 1;
	bw = r->w - 4 - 16;
	for (i = lo, y = r->y + 1; i <= hi; i++, y++) {
		/* Bucket i holds up to 2^(i+1) us. */
		web_fmt_secs((double)(1ULL << (i + 1)) / 1e6, lim, sizeof lim);
		tui_printf(y, r->x + 2, 9, "<%7s", lim);
		tui_bar(&ws->t, y, r->x + 11, bw, max ? (double)c[i] / max : 0);
		tui_printf(y, r->x + 12 + bw, r->w - 13 - bw, "%5llu",
		    (unsigned long long)c[i]);
	}
}

void
web_draw_timeline(struct web_screen *ws)
{
	const struct rect	*r = &ws->r_tl;
	const struct glyphs	*g = ws->t.g;
	int			 w, first, i, x, lvl;
	int64_t			 maxp = 1;
	unsigned		 maxw = 1;
	char			 t[16], slow[16], title[112];

	if (r->h < 5)
		return;
	tui_box(&ws->t, r, tui_attr(&ws->t, C_NORMAL));
	w = r->w - 12;
	first = ws->tl_last - w + 1;
	if (first < 0)
		first = 0;
	for (i = first; i <= ws->tl_last; i++) {
		if (ws->tl_page[i] > maxp)
			maxp = ws->tl_page[i];
		if (ws->tl_wait[i] > maxw)
			maxw = ws->tl_wait[i];
	}
	web_fmt_secs((double)maxp / 1e9, slow, sizeof slow);
	snprintf(title, sizeof title, _(" timeline, a column = %s; the slowest "
	    "page %s "), web_fmt_secs((double)ws->bucket_ns / 1e9, t,
	    sizeof t), slow);
	tui_puts(r->y, r->x + 2, r->w - 4, title);
	tui_puts(r->y + 1, r->x + 2, 9, _("uploads"));
	tui_puts(r->y + 2, r->x + 2, 9, _("slowest"));
	tui_puts(r->y + 3, r->x + 2, 9, _("waiting"));
	for (i = first, x = r->x + 11; i <= ws->tl_last; i++, x++) {
		if (ws->tl_up[i] > 0) {
			attrset(tui_attr(&ws->t, C_DISH));
			tui_puts(r->y + 1, x, 1, g->bar_full);
		}
		if (ws->tl_page[i] > 0) {
			lvl = (int)(7 * ws->tl_page[i] / maxp);
			attrset(tui_attr(&ws->t, ws->tl_page[i] > 100000000 ?
			    C_BLOCK : C_WORK));
			tui_puts(r->y + 2, x, 1, g->spark[lvl]);
		}
		if (ws->tl_wait[i] > 0) {
			lvl = (int)(7 * ws->tl_wait[i] / maxw);
			attrset(tui_attr(&ws->t, C_WAIT));
			tui_puts(r->y + 3, x, 1, g->spark[lvl]);
		}
		attrset(A_NORMAL);
	}
}
