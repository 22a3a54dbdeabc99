/*
 * pane_conns.c: the server's workers (the threads, or the one loop) with
 * what each does now, and its connections a row each: the client, the
 * request's kind, its bytes so far, its state and how long it has been
 * in it. Connections not yet accepted are the kernel's: a count.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_web.h"
#include "i18n.h"
#include "web_screen.h"

struct conn_row {
	int		 i;
	int64_t		 since;
};

static int	conn_cmp(const void *, const void *);
static const char *web_bytes(uint64_t, char *, size_t);

/* Oldest first: the one everyone waits behind is on top. */
static int
conn_cmp(const void *a, const void *b)
{
	const struct conn_row	*x = a, *y = b;

	return (x->since < y->since ? -1 : x->since > y->since);
}

/* A byte count in a few columns. */
static const char *
web_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 10000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 10 * 1024 * 1024)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n / 1024));
	else
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	return (buf);
}

/* A connection's state in one word, for narrow screens. */
static const char *
web_doing_short(int st)
{
	static const char *const w[] = { "-", N_("queued"), N_("idle"),
	    N_("head"), N_("body"), N_("render"), N_("answer") };

	return (st > 0 && st <= WROW_WRITE ? _(w[st]) : st == 0 ? w[0] : "?");
}

/*
 * s in cols columns, padded at the left (right > 0) or the right, into
 * buf: printf pads bytes, and a Korean word is two columns a glyph but
 * three bytes.
 */
static const char *
web_pad(const char *s, int cols, int right, char *buf, size_t len)
{
	int	pad = cols - tui_cols(s);

	if (pad < 0)
		pad = 0;
	if (right)
		snprintf(buf, len, "%*s%s", pad, "", s);
	else
		snprintf(buf, len, "%s%*s", s, pad, "");
	return (buf);
}

/* What a worker or a connection's state says, in words. */
static const char *
web_doing(int st, int kind, int work_cpu)
{
	switch (st) {
	case WROW_QUEUED:
		return (_("queued"));
	case WROW_IDLE:
		return (_("waiting for a request"));
	case WROW_HEAD:
		return (_("reading a request"));
	case WROW_BODY:
		return (kind == WKIND_UPLOAD ? _("receiving an upload") :
		    _("reading a body"));
	case WROW_RENDER:
		return (work_cpu ? _("rendering (computing)") :
		    _("rendering (waiting)"));
	case WROW_WRITE:
		return (_("answering"));
	}
	return (_("idle"));
}

void
web_draw_server(struct web_screen *ws)
{
	struct web_server	*s = &ws->w->srv;
	const struct rect	*r = &ws->r_server;
	struct web_worker	*wk;
	char			 model[32], title[96], conn[32];
	unsigned		 i, n, shown;
	int			 st, row, y, cpu = s->cfg.work == WORK_CPU;

	if (r->h < 3)
		return;
	tui_box(&ws->t, r, tui_attr(&ws->t, C_NORMAL));
	scenario_web_model(&s->cfg, model, sizeof model);
	snprintf(title, sizeof title, _(" server %s "), model);
	tui_puts(r->y, r->x + 2, r->w - 4, title);
	n = s->nworkers;
	shown = (unsigned)(r->h - 2);
	for (i = 0; i < n && i < shown; i++) {
		y = r->y + 1 + (int)i;
		if (i + 1 == shown && n > shown) {
			tui_printf(y, r->x + 2, r->w - 4, _("%s %u more workers"),
			    ws->t.g->more, n - i);
			break;
		}
		wk = &s->workers[i];
		st = atomic_load(&wk->state);
		row = atomic_load(&wk->row);
		attrset(tui_attr(&ws->t, st == WROW_RENDER ? C_WORK :
		    st == WROW_BODY ? C_BLOCK : st == WROW_FREE ||
		    st == WROW_IDLE ? C_WAIT : C_NORMAL));
		if (s->cfg.model == WEB_ASYNC)
			tui_printf(y, r->x + 2, r->w - 4, _("loop (one thread, "
			    "tid %d)  %s  %u open  %llu answered"),
			    atomic_load(&wk->tid), st == WROW_IDLE ?
			    _("in epoll_wait") : web_doing(st, WKIND_NONE, cpu),
			    atomic_load(&s->open),
			    (unsigned long long)atomic_load(&wk->served));
		else {
			conn[0] = '\0';
			if (row >= 0)
				snprintf(conn, sizeof conn, _(" (port %d)"),
				    atomic_load(&s->rows[row].port));
			tui_printf(y, r->x + 2, r->w - 4, _("%s %-3u %s %-7d "
			    "%s%s  %llu answered"), s->cfg.model == WEB_SYNC ?
			    _("thread") : s->cfg.model == WEB_PROCESSES ?
			    _("process") : _("worker"), i + 1, s->cfg.model ==
			    WEB_PROCESSES ? "pid" : "tid", atomic_load(&wk->tid),
			    st == WROW_FREE ? (s->cfg.model == WEB_SYNC ?
			    _("accepting") : _("waiting for a connection")) :
			    web_doing(st, row >= 0 ? atomic_load(
			    &s->rows[row].kind) : WKIND_NONE, cpu), conn,
			    (unsigned long long)atomic_load(&wk->served));
		}
		attrset(A_NORMAL);
	}
}

void
web_draw_conns(struct web_screen *ws)
{
	struct web_server	*s = &ws->w->srv;
	const struct rect	*r = &ws->r_conns;
	struct conn_row		 rows[WEB_ROWS];
	struct web_row		*wr;
	struct in_addr		 a;
	char			 title[96], b[24], t[24], who[32];
	char			 p1[64], p2[32], p3[32], p4[96];
	unsigned		 waiting, queued, open, n = 0, i;
	int			 y, st, kind, room, wide;
	int64_t			 now = web_now();

	if (r->h < 3)
		return;
	tui_box(&ws->t, r, tui_attr(&ws->t, C_NORMAL));
	for (i = 0; i < WEB_ROWS; i++) {
		st = atomic_load_explicit(&s->rows[i].state,
		    memory_order_acquire);
		if (st == WROW_FREE)
			continue;
		rows[n].i = (int)i;
		rows[n].since = atomic_load(&s->rows[i].since);
		n++;
	}
	qsort(rows, n, sizeof rows[0], conn_cmp);
	/* The figure sampled holds both queues: the pool's is ours. */
	queued = atomic_load(&s->queued);
	waiting = atomic_load(&ws->w->waiting);
	waiting = waiting > queued ? waiting - queued : 0;
	/* Rows are for the first WEB_ROWS; the count is of all. */
	open = atomic_load(&s->open);
	snprintf(title, sizeof title, _(" connections %u open "),
	    open > n ? open : n);
	tui_puts(r->y, r->x + 2, r->w - 4, title);
	room = r->h - 2;
	y = r->y + 1;
	wide = r->w - 4 >= 21 + 1 + 6 + 1 + 9 + 2 + 22 + 1 + 7;
	if (ws->finished)
		n = 0;
	if (n > 0 && room > 1) {
		attrset(A_BOLD);
		tui_printf(y++, r->x + 2, r->w - 4, "%s %s %s  %s %s",
		    web_pad(_("client"), wide ? 21 : 15, 0, p1, sizeof p1),
		    web_pad(_("kind"), 6, 0, p2, sizeof p2),
		    web_pad(_("bytes"), 9, 1, p3, sizeof p3),
		    web_pad(_("state"), wide ? 22 : 6, 0, p4, sizeof p4),
		    _("for"));
		attrset(A_NORMAL);
		room--;
	}
	for (i = 0; i < n && room > 0; i++, room--, y++) {
		if (room == 1 && (i + 1 < n || waiting > 0 || queued > 0)) {
			tui_printf(y, r->x + 2, r->w - 4, _("%s %u more"),
			    ws->t.g->more, (open > n ? open : n) - i);
			room = 0;
			break;
		}
		wr = &s->rows[rows[i].i];
		st = atomic_load(&wr->state);
		kind = atomic_load(&wr->kind);
		a.s_addr = htonl(atomic_load(&wr->peer));
		snprintf(who, sizeof who, "%s:%d", inet_ntoa(a),
		    atomic_load(&wr->port));
		web_fmt_secs((double)(now - atomic_load(&wr->changed)) / 1e9,
		    t, sizeof t);
		attrset(tui_attr(&ws->t, st == WROW_QUEUED ? C_BLOCK :
		    st == WROW_RENDER ? C_WORK : st == WROW_BODY &&
		    kind == WKIND_UPLOAD ? C_DISH : C_NORMAL));
		/* Narrow: a word for the state, whole, not a phrase cut. */
		tui_printf(y, r->x + 2, r->w - 4, "%-*s %-6s %9s  %s %s",
		    wide ? 21 : 15, who, web_kind_name(kind), web_bytes(atomic_load(
		    &wr->bytes), b, sizeof b), web_pad(wide ?
		    web_doing(st, kind, s->cfg.work == WORK_CPU) :
		    web_doing_short(st), wide ? 22 : 6, 0, p4, sizeof p4), t);
		attrset(A_NORMAL);
	}
	if (room > 0 && queued > 0 && !ws->finished) {
		attrset(tui_attr(&ws->t, C_BLOCK));
		tui_printf(y++, r->x + 2, r->w - 4, _("+ %u accepted, waiting for "
		    "a free thread"), queued);
		attrset(A_NORMAL);
		room--;
	}
	if (room > 0 && waiting > 0 && !ws->finished) {
		attrset(tui_attr(&ws->t, C_BLOCK));
		tui_printf(y, r->x + 2, r->w - 4, _("+ %u waiting in the kernel's "
		    "accept queue: not yet accepted"), waiting);
		attrset(A_NORMAL);
	} else if (n == 0 && room > 0 && ws->finished)
		tui_puts(y, r->x + 2, r->w - 4, _("the run has ended"));
	else if (n == 0 && room > 0)
		tui_printf(y, r->x + 2, r->w - 4,
		    _("none: try curl http://%s/page"), s->where);
}
