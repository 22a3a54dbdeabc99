/*
 * web_screen.c: the screen of a web server run. One thread, in a loop:
 * tick the run (it samples the waiting connections), fold the page
 * latencies in, draw at most ten frames a second, wait in getch. The
 * panes read the server's rows and figures (atomics) and never touch a
 * socket. The terminal, its signals and Ctrl-Z are term.c's, as for the
 * dishwashing screen.
 */
#include "config.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "scenario_web.h"
#include "web_screen.h"
#include "xmalloc.h"

#define WEB_FRAME_MS	100
#define WEB_BUCKET_NS	100000000LL	/* a timeline column */
#define WEB_HIST_W	34

static void	web_layout(struct web_screen *);
static void	web_draw_header(struct web_screen *);
static void	web_draw_keys(struct web_screen *);
static void	web_draw_summary(struct web_screen *);
static void	web_draw_help(struct web_screen *);
static void	web_draw(struct web_screen *);

/* The panes' rectangles for the terminal's size. */
static void
web_layout(struct web_screen *ws)
{
	unsigned	n = ws->w->srv.nworkers;
	int		top, mid, hw;

	ws->r_server = (struct rect){ 1, 0, 2 + (int)(n < 5 ? n : 5), COLS };
	if (LINES < 18)
		ws->r_server.h = 3;
	top = ws->r_server.y + ws->r_server.h;
	ws->r_tl = (struct rect){ LINES - 1 - 5, 0, 5, COLS };
	mid = ws->r_tl.y - top;
	hw = COLS >= 96 ? WEB_HIST_W : COLS >= 76 ? 28 : 0;
	ws->r_conns = (struct rect){ top, 0, mid, COLS - hw };
	ws->r_hist = (struct rect){ top, COLS - hw, hw ? mid : 0, hw };
}

/* The top line: model, address, visits, time. */
static void
web_draw_header(struct web_screen *ws)
{
	struct web_run	*w = ws->w;
	char		 model[32], t[16], where[64], rest[96];
	int64_t		 el = web_now() - w->t0;

	attrset(tui_attr(&ws->t, C_HEADER));
	mvhline(0, 0, ' ', COLS);
	scenario_web_model(&w->scn->web, model, sizeof model);
	/* An ended run's clock stops where the summary says it ended. */
	web_fmt_secs(ws->finished ? ws->f.wall_seconds : (double)el / 1e9, t,
	    sizeof t);
	if (w->scn->web.external)
		tui_printf(0, 1, COLS - 2, _("dishrack  %s  http://%s/  %s  "
		    "%llu pages, %llu uploads served  %s"), model, w->srv.where,
		    ws->finished ? _("stopped") : _("listening"),
		    (unsigned long long)atomic_load(&w->srv.pages),
		    (unsigned long long)atomic_load(&w->srv.uploads), t);
	else {
		/* The address gives way first: the key bar has it too. */
		snprintf(where, sizeof where, "  http://%s/", w->srv.where);
		snprintf(rest, sizeof rest,
		    _("%s  pages %u/%u  uploads %u/%u  %s"),
		    ws->finished ? _("done") : _("running"),
		    atomic_load(&w->cli.nlat), w->scn->web.pages,
		    atomic_load(&w->cli.uploads_done), w->scn->web.uploads, t);
		if (10 + tui_cols(model) + tui_cols(where) + 2 +
		    tui_cols(rest) > COLS - 2)
			where[0] = '\0';
		tui_printf(0, 1, COLS - 2, "dishrack  %s%s  %s", model, where,
		    rest);
	}
	attrset(A_NORMAL);
}

/* The bottom line: keys, and what to try. */
static void
web_draw_keys(struct web_screen *ws)
{
	uint64_t	e = 0;
	unsigned	i;

	for (i = 0; i < WERR_NKINDS; i++)
		e += atomic_load(&ws->w->srv.errors[i]);
	attrset(tui_attr(&ws->t, C_HEADER));
	mvhline(LINES - 1, 0, ' ', COLS);
	tui_printf(LINES - 1, 1, COLS - 2, _("? help   q quit   try: curl "
	    "http://%s/page   errors %llu"), ws->w->srv.where,
	    (unsigned long long)e);
	attrset(A_NORMAL);
}

/* The figures of the ended run, in a panel. */
static void
web_draw_summary(struct web_screen *ws)
{
	const struct web_figures	*f = &ws->f;
	char				 l[8][160], *rows[8], e[120];
	unsigned			 i;
	int				 n = 0, k = 0;

	e[0] = '\0';
	for (i = 0; i < WERR_NKINDS; i++) {
		if (f->server_errors[i] > 0)
			k += snprintf(e + k, sizeof e - (size_t)k, "%s %s %llu",
			    k ? "," : "", web_err_name(i),
			    (unsigned long long)f->server_errors[i]);
		if (k >= (int)sizeof e)
			break;
	}
	snprintf(l[n++], sizeof l[0], _("%s on http://%s/, %.2f s"), f->model,
	    f->where, f->wall_seconds);
	if (f->external)
		snprintf(l[n++], sizeof l[0],
		    _("served %llu pages, %llu uploads"),
		    (unsigned long long)f->served_pages,
		    (unsigned long long)f->served_uploads);
	else {
		snprintf(l[n++], sizeof l[0], _("%u of %u pages, %u of %u "
		    "uploads"), f->pages, f->pages_planned, f->uploads,
		    f->uploads_planned);
		snprintf(l[n++], sizeof l[0], _("page latency p50 %.4f s  p99 "
		    "%.4f s  max %.4f s"), f->p50, f->p99, f->max);
	}
	snprintf(l[n++], sizeof l[0], _("at most %u connections waiting"),
	    f->waiting_max);
	snprintf(l[n++], sizeof l[0], _("errors%s"), k ? e : _(" none"));
	snprintf(l[n++], sizeof l[0], "%s", _("q quit, Esc: put this away"));
	for (k = 0; k < n; k++)
		rows[k] = l[k];
	tui_draw_panel(&ws->t, _("summary"), rows, n);
}

/* What the screen shows, and its keys. */
static void
web_draw_help(struct web_screen *ws)
{
	static const char *const rows[] = {
	    N_("server: each thread (or the one loop) and what it does now"),
	    N_("connections: a row each, oldest first: the client, the kind"),
	    N_("  of request, its bytes so far, its state and for how long;"),
	    N_("  below, those accepted and waiting for a thread, and those"),
	    N_("  the kernel holds that the server has not accepted yet"),
	    N_("page latency: from each page's intended start, by powers of 2"),
	    N_("timeline, a column a tenth of a second: uploads on the wire,"),
	    N_("  the slowest page answered then, the connections waiting"),
	    "",
	    N_("q or F10 quit   s summary   Esc put a panel away   "
	    "? this help"),
	};
	char		*shown[sizeof rows / sizeof rows[0]];
	size_t		 i;

	/* In the reader's language; "" is a blank line, not a message. */
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		shown[i] = (char *)(rows[i][0] != '\0' ? _(rows[i]) : rows[i]);
	tui_draw_panel(&ws->t, _("help"), shown, (int)(sizeof rows /
	    sizeof rows[0]));
}

/* One frame: every pane, or a request for a bigger terminal. */
static void
web_draw(struct web_screen *ws)
{
	erase();
	if (COLS < 60 || LINES < 16) {
		tui_printf(LINES / 2, 0, COLS, _("enlarge the terminal to at "
		    "least 60x16 (it is %dx%d)"), COLS, LINES);
		refresh();
		return;
	}
	web_layout(ws);
	web_draw_header(ws);
	web_draw_server(ws);
	web_draw_conns(ws);
	web_draw_hist(ws);
	web_draw_timeline(ws);
	web_draw_keys(ws);
	if (ws->finished && !ws->t.summary_hidden)
		web_draw_summary(ws);
	if (ws->t.help)
		web_draw_help(ws);
	refresh();
}

int
tui_run_web(const struct tui_opts *o, tui_web_factory make, void *arg)
{
	struct web_screen	*ws;
	SCREEN			*scr;
	const char		*cs;
	char			*cause = NULL;
	int			 ch, status = 0, quit = 0;

	ws = xcalloc(1, sizeof *ws);
	ws->t.o = o;
	ws->t.color = o->color;
	cs = nl_langinfo(CODESET);
	ws->t.g = (o->ascii || cs == NULL || strcmp(cs, "UTF-8") != 0) ?
	    &glyphs_ascii : &glyphs_utf8;
	if ((scr = tui_term_start(&ws->t)) == NULL) {
		fprintf(stderr, "dishrack: %s\n", _("cannot start the screen"));
		free(ws);
		return (1);
	}
	if ((ws->w = make(arg, &cause)) == NULL ||
	    web_start(ws->w, &cause) == -1) {
		tui_term_end(scr);
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		web_destroy(ws->w);
		free(ws);
		return (1);
	}
	ws->t0 = web_now();
	ws->bucket_ns = WEB_BUCKET_NS;
	while (!quit) {
		if (!ws->finished && web_tick(ws->w)) {
			web_sample(ws, web_now());
			web_finish(ws->w, &ws->f);
			ws->finished = 1;
			if (!ws->f.complete)
				status = 1;
			if (o->exit_when_done)
				quit = 1;
		}
		if (!ws->finished)
			web_sample(ws, web_now());
		if (tui_suspend) {
			tui_suspend = 0;
			tui_suspend_now(&ws->t);
		}
		if (tui_signal != 0) {
			status = ws->w->scn->web.external ? 0 :
			    128 + tui_signal;
			break;
		}
		web_draw(ws);
		ws->t.frames++;
		if (quit || (o->max_frames > 0 &&
		    ws->t.frames >= (unsigned)o->max_frames))
			break;
		timeout(WEB_FRAME_MS);
		ch = getch();
		switch (ch) {
		case 'q':
		case 'Q':
		case KEY_F(10):
			quit = 1;
			break;
		case 's':
			ws->t.summary_hidden = 0;
			break;
		case '?':
		case KEY_F(1):
			ws->t.help = !ws->t.help;
			break;
		case 27:
		case '\r':
		case '\n':
			if (ws->t.help)
				ws->t.help = 0;
			else
				ws->t.summary_hidden = 1;
			break;
		}
	}
	if (!ws->finished)
		web_finish(ws->w, &ws->f);
	web_destroy(ws->w);
	tui_term_end(scr);
	free(ws);
	return (status);
}
