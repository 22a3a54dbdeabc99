/*
 * web_screen.h: what the web server's screen shares among its files (the
 * frame loop in web_screen.c, the panes in pane_conns.c and
 * pane_latency.c). Only files under src/tui/ include it.
 */
#ifndef DISHRACK_WEB_SCREEN_H
#define DISHRACK_WEB_SCREEN_H

#include "tui_private.h"
#include "web.h"

#define WTL_LEN		512		/* timeline buckets kept */

struct web_screen {
	struct tui	 t;		/* colours, glyphs, options */
	struct web_run	*w;
	struct web_figures f;		/* once finished */
	int		 finished;
	int64_t		 t0;
	int64_t		 bucket_ns;
	unsigned	 seen;		/* page latencies folded in */
	/* Per bucket: uploads on the wire, the slowest page, the queue. */
	unsigned char	 tl_up[WTL_LEN];
	int64_t		 tl_page[WTL_LEN];
	unsigned	 tl_wait[WTL_LEN];
	int		 tl_last;
	struct rect	 r_server, r_conns, r_hist, r_tl;
};

/* pane_conns.c */
void	web_draw_server(struct web_screen *);
void	web_draw_conns(struct web_screen *);
/* pane_latency.c */
void	web_sample(struct web_screen *, int64_t now);
void	web_draw_hist(struct web_screen *);
void	web_draw_timeline(struct web_screen *);
const char *web_fmt_secs(double, char *, size_t);

#endif
