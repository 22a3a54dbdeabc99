/*
 * tui_private.h: what the files of the screen share (the frame loop, the
 * terminal, the drawing primitives, the keys and each pane). Only files
 * under src/tui/ include it; the rest of the program sees tui.h.
 */
#ifndef DISHRACK_TUI_PRIVATE_H
#define DISHRACK_TUI_PRIVATE_H

#include "tui.h"

#include <curses.h>
#include <signal.h>
#include <stdint.h>

#include "layout.h"
#include "stats.h"

#define OUT_LINES	200
#define OUT_LINE_MAX	512
#define TUI_PANEL_LINES	160			/* a panel's lines, folded */
#define TL_LEN		1024			/* timeline buckets kept */
#define HIST_LEN	256

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
	const char	*killed;	/* a process killed from outside */
	const char	*dish;
	const char	*bar_full, *bar_empty;
	const char	*spark[8];
	const char	*arrow;
	const char	*inf;
	const char	*times;
	const char	*more;		/* text cut short */
	const char	*gil_wait;	/* working, but waiting for the GIL */
	const char	*lock_wait;	/* working, but waiting for a lock */
	const char	*cup_read;	/* read the cupboard, not written yet */
	const char	*cup_lost;	/* the write that lost an update */
};

/*
 * What a row and the timeline show beyond a worker's own state: one that
 * is working in name but waits for the GIL or a named lock is waiting.
 */
enum {
	TS_WAIT_GIL = 16,
	TS_WAIT_LOCK,
	TS_CUP_READ		/* read the cupboard's count, not written yet */
};
/* A timeline bucket's flag beside its state: a write lost an update in it. */
#define TL_LOST		0x80

struct history;
struct tui_sampler;

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
	int			 help_top;	/* its first line shown */
	int			 help_lines;	/* lines it took, wrapped */
	int			 help_paused;	/* the help paused the run */
	int			 step_pending;	/* '.': pause at a worker's next event */
	int64_t			 step_t;	/* scenario time of the '.' */
	int			 step_seen;	/* a worker's event since */
	int			 tap_ended;	/* the tap was told of the end */
	int			 script_paused;	/* by a [script] pause step */
	int			 summary;	/* the run ended: figures final */
	int			 summary_hidden;	/* Esc or Enter; s again */
	int			 theory;	/* 't': the theory panel shown */
	int			 captions;	/* 'H': the captions so far */
	char			 errline[160];	/* the last line to stderr */
	unsigned		 errcount;	/* frames that found new ones */
	int			 panel_top;	/* a tall panel's first line shown */
	int			 panel_lines;	/* lines it took, folded */
	int			 panel_rows;	/* lines it shows */
	int			 dirty;		/* redraw at the next frame */
	int			 urgent;	/* redraw now: a key, a resize */
	/* The GIL's holder as this frame found it: rows read it once. */
	uint32_t		 gil_holder;
	char			 status[400];
	int64_t			 status_until;
	int64_t			 last_frame;
	int64_t			 last_t;
	unsigned		 frames;

	/* Rewind (history.c): the frames kept, the one shown or -1: live. */
	struct history		*history;
	int			 review;

	/* The last frame given to o->frame, a row of cells each. */
	char			**frame_rows;
	int			 frame_cols, frame_nrows;

	/* Output pane: finished lines, and the one being written. */
	uint64_t		 out_pos;
	char			 out_lines[OUT_LINES][OUT_LINE_MAX];
	unsigned		 nlines;
	char			 partial[OUT_LINE_MAX];
	size_t			 npartial;

	/* Timeline: per worker slot, the state in each bucket. */
	int64_t			 bucket_ns;	/* the sparklines' */
	int64_t			 tl_bucket_ns;	/* the timeline's, finer */
	int64_t			 tl_b;		/* its latest bucket sampled */
	unsigned char		(*tl)[TL_LEN];
	int64_t			*tl_last;
	unsigned		 tl_n;
	uint32_t		 gil_tl[TL_LEN];	/* holder per bucket */
	uint32_t		 hist[LAYOUT_MAX_STATIONS][HIST_LEN];
	struct tui_sampler	*sampler;	/* sample.c */
	/* A replay: where the BOTTLENECK mark moves (replay.c), once found. */
	int64_t			*bn_t;
	size_t			 bn_n;
	int			 bn_scanned;
	struct fanout		*fan;		/* a broadcast's (pane_fanout.c) */
	struct cupview		*cup;		/* the cupboard's (pane_cupboard.c) */
	/* Dishes in and out per second of each station, over rate_ns. */
	int64_t			 rate_ns;
	struct {
		int64_t		 t0;
		uint64_t	 in0, out0;
		double		 in, out;
		int		 have;
		double		 busy0, present0;	/* ns, at t0 */
		double		 busy;		/* fraction, over the window */
	}			 rate[LAYOUT_MAX_STATIONS];
	/* Measured over the window once a dish went through; else -1. */
	int			 bottleneck;
	int			 bottleneck_measured;
};

/* tui.c: the frame loop. */
int		 tui_start_engine(struct tui *);
void		 tui_end_engine(struct tui *);
void		 tui_event(const struct event *, void *);
int		 tui_read_output(struct tui *);
void		 tui_sample(struct tui *);

/* sample.c: the timeline and the sparklines, from the events' times. */
void		 tui_sampler_reset(struct tui *);
void		 tui_sampler_free(struct tui *);
void		 tui_sample_event(struct tui *, const struct event *);
void		 tui_sample_now(struct tui *, int64_t bucket);
void		 tui_sample_rates_now(struct tui *);

/* replay.c: the screen on a recording (dishrack --replay). */
int		 tui_replay_key(struct tui *, int);
void		 tui_replay_bar(struct tui *);

/* term.c: the terminal, signals, colours. */
extern volatile sig_atomic_t tui_signal;
extern volatile sig_atomic_t tui_suspend;
SCREEN		*tui_term_start(struct tui *);
void		 tui_term_end(SCREEN *);
void		 tui_stop(void);
void		 tui_suspend_now(struct tui *);
attr_t		 tui_attr(struct tui *, enum tui_color);

/* frame.c: each frame as text, for o->frame (an asciicast). */
void		 tui_frame_out(struct tui *);
void		 tui_frame_free(struct tui *);

/* history.c: rewind on the live screen. */
void		 tui_history_keep(struct tui *);
void		 tui_history_draw(struct tui *);
int		 tui_history_key(struct tui *, int);
void		 tui_history_free(struct tui *);

/* draw.c: drawing primitives. */
extern const struct glyphs glyphs_utf8;
extern const struct glyphs glyphs_ascii;
int		 tui_puts(int, int, int, const char *);
int		 tui_cols(const char *);
uint32_t	 tui_gil_holder(struct tui *, struct gil *);
void		 tui_puts_name(const struct tui *, int, int, int, const char *);
int		 tui_wrap(const char *, int, char [][160], int);
int		 tui_printf(int, int, int, const char *, ...)
		     __attribute__((format(printf, 4, 5)));
void		 tui_box(struct tui *, const struct rect *, attr_t);
void		 tui_bar(struct tui *, int, int, int, double);
void		 tui_draw_panel(struct tui *, const char *, char **, int);
int		 tui_panel_key(struct tui *, int);
int		 tui_scroll_key(int, int *, int, int);
void		 tui_errcap_start(void);
int		 tui_errcap_poll(char *, size_t);
void		 tui_errcap_end(void);
const char	*tui_state_name(int);
const char	*tui_state_word(int);
const char	*tui_state_glyph(struct tui *, int, attr_t *);
const char	*tui_worker_state(struct wslot *);
int		 tui_shown_state(struct tui *, struct wslot *);
int		 tui_deadlock_words(struct tui *, struct wslot *, char *,
		     size_t, int);
const char	*tui_worker_glyph(struct tui *, struct wslot *, attr_t *);

/* keys.c: what each key does. */
int		 tui_key(struct tui *, int);
int		 tui_script_paused(struct tui *);
int		 tui_station_named(struct tui *, const char *, int);
void		 tui_caption_layout(struct tui *);

/* pane_*.c: one part of the screen each, drawn from tui_draw. */
void		 tui_draw_header(struct tui *);
void		 tui_draw_station(struct tui *, unsigned);
double		 tui_busy_now(struct tui *, unsigned);
unsigned	 tui_station_workers(struct tui *, unsigned, unsigned *);
void		 tui_draw_rack(struct tui *, unsigned);
int		 tui_draw_links(struct tui *, unsigned, int, int, int, int);
void		 tui_links_event(struct tui *, const struct event *);
void		 tui_draw_timeline(struct tui *);
void		 tui_draw_output(struct tui *);
void		 tui_draw_caption(struct tui *);
void		 tui_set_status(struct tui *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 tui_draw_keys(struct tui *);
void		 tui_draw_help(struct tui *);
int		 tui_help_rows(struct tui *);
void		 tui_draw_summary(struct tui *);
void		 tui_draw_theory(struct tui *);
void		 tui_draw_captions(struct tui *);
void		 tui_draw_fanout(struct tui *);
void		 tui_fanout_layout(struct tui *);
void		 tui_fanout_event(struct tui *, const struct event *);
void		 tui_fanout_reset(struct tui *);	/* also frees */
void		 tui_cupboard_event(struct tui *, const struct event *);
void		 tui_cupboard_reset(struct tui *);	/* frees */
int		 tui_cupboard_reading(struct tui *, const struct wslot *);
void		 tui_draw_cupboard(struct tui *, const struct rect *, int, int);

#endif
