/*
 * tui.c: the screen's frame loop. Each frame drains the engine's events
 * into the stats, samples the workers' live states for the timeline and
 * the racks' depths for their sparklines, and draws; ncurses sends only the
 * cells that changed. Nothing is drawn when nothing changed, and a paused
 * or finished run sleeps in getch.
 *
 * DESIGN: one thread. Signal handlers only set a flag (installed before
 * newterm, so ncurses keeps its hands off SIGINT and SIGTERM); the loop
 * stops the run and calls tui_stop, which is idempotent and is also what
 * an allocation failure calls. The fatal signals' handlers and the
 * guardian restore the terminal on their own (term.c).
 *
 * The terminal and its signals are in term.c, the keys in keys.c, the
 * drawing primitives in draw.c, and each pane in a pane_*.c of its own,
 * which tui_draw calls.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine_replay.h"
#include "xmalloc.h"

#define FRAME_NS	(33 * NSEC_PER_MSEC)	/* at most 30 frames a second */
#define IDLE_MS		500
#define DRAIN_MS	8		/* while events flow; rings hold ~20 ms */
#define RATE_MIN_NS	(2 * NSEC_PER_SEC)	/* rate windows, scenario time */
#define RATE_MAX_NS	(30 * NSEC_PER_SEC)

static void	tui_push_line(struct tui *);
static void	tui_draw(struct tui *);
static void	tui_tap_end(struct tui *);

/* --- Folding the run in ------------------------------------------------ */

/*
 * Fold an event into the stats; note a [script] pause. A step waits for a worker's event made
 * after the key, not for the engine's (the step's own resume is one) nor
 * for one still in the rings from before.
 */
void
tui_event(const struct event *ev, void *arg)
{
	struct tui	*t = arg;

	stats_event(ev, &t->st);
	tui_sample_event(t, ev);
	tui_fanout_event(t, ev);
	tui_cupboard_event(t, ev);
	if (t->o->tap != NULL)
		t->o->tap->event(ev, t->o->tap->arg);
	if (ev->worker == EV_ENGINE && ev->kind == EV_SCRIPT &&
	    (unsigned)ev->arg < t->st.scn->nscript &&
	    t->st.scn->script[ev->arg].kind == STEP_PAUSE)
		t->script_paused = 1;
	if (t->step_pending && ev->worker != EV_ENGINE && ev->t > t->step_t)
		t->step_seen = 1;
	tui_links_event(t, ev);
}

/* The line being written is done: to the output pane, the oldest out. */
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

/* Fold the workers' new output into lines. Returns 1 if there was any. */
int
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

/*
 * Each station's rates in and out (sample.c: the events' windows, the same
 * for a replay) and how busy it was over the last window of scenario time
 * (four of the slowest station's dishes: long enough to count several, so
 * a change of workers or times shows soon), or since the start until the
 * first window is full; and the bottleneck that makes.
 */
static void
tui_sample_rates(struct tui *t)
{
	int64_t		now = engine_now(t->eng), dt;
	unsigned	k, n = 0;
	double		busy[LAYOUT_MAX_STATIONS];

	tui_sample_rates_now(t);
	for (k = 0; k < t->st.nstations && k < LAYOUT_MAX_STATIONS; k++) {
		/* Busy over the time since each worker's first dish. */
		double	 pr = (double)t->st.st[k].active_ns;
		double	 bz = tui_busy_now(t, k) *
		    (double)t->st.st[k].present_ns;

		n = k + 1;
		/* At the end: the whole run's. */
		if (engine_finished(t->eng) && now > 0) {
			t->rate[k].busy = t->st.st[k].active_ns > 0 ?
			    (double)t->st.st[k].busy_ns /
			    (double)t->st.st[k].active_ns : 0;
			busy[k] = t->rate[k].busy;
			continue;
		}
		dt = now - t->rate[k].t0;
		if (dt <= 0) {
			busy[k] = t->rate[k].busy;
			continue;
		}
		if (!t->rate[k].have || dt >= t->rate_ns) {
			t->rate[k].busy = pr > t->rate[k].present0 ?
			    (bz - t->rate[k].busy0) /
			    (pr - t->rate[k].present0) : 0;
			if (t->rate[k].busy > 1)
				t->rate[k].busy = 1;
		}
		if (dt >= t->rate_ns) {
			t->rate[k].t0 = now;
			t->rate[k].busy0 = bz;
			t->rate[k].present0 = pr;
			t->rate[k].have = 1;
		}
		busy[k] = t->rate[k].busy;
	}
	/*
	 * The bottleneck the run measures: the busiest over the window (a
	 * [script] that slows a station moves it), once a dish went through
	 * the line; until then, what the scenario's times alone predict.
	 */
	k = n > 0 ? (unsigned)stats_busiest(busy, n,
	    t->st.st[n - 1].dishes) : (unsigned)-1;
	if (engine_finished(t->eng))
		k = (unsigned)t->st.bottleneck_measured;
	t->bottleneck_measured = (int)k >= 0;
	t->bottleneck = t->bottleneck_measured ? (int)k :
	    t->st.bottleneck_predicted;
}

/* Record each worker's state in the current timeline bucket. */
void
tui_sample(struct tui *t)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 k;
	int64_t		 b;

	b = engine_now(t->eng) / t->bucket_ns;
	/*
	 * The timeline, the GIL's row and the racks' sparklines are the
	 * events' (sample.c); after a deadlock they stay as it was found.
	 */
	tui_sample_now(t, b);
	t->tl_b = engine_now(t->eng) / t->tl_bucket_ns;
	tui_sample_rates(t);
	/* A broadcast's depth is its subscribers', not puts less takes. */
	for (k = 1; k < run->nstations && t->st.scn->broadcast; k++) {
		uint32_t d = rack_depth(run->st[k].in);

		if (b > t->last_t)
			t->hist[k][b % HIST_LEN] = d;
		else if (d > t->hist[k][b % HIST_LEN])
			t->hist[k][b % HIST_LEN] = d;
	}
	t->last_t = b;
}

/* --- Drawing ------------------------------------------------------------ */

/* Lay the screen out for its size and draw every pane on it. */
static void
tui_draw(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	unsigned		 i, maxw = 1, n;

	for (i = 0; i < scn->nstations; i++) {
		if ((n = tui_station_workers(t, i, NULL)) > maxw)
			maxw = n;
	}
	layout_compute(&t->lay, COLS, LINES, scn->nstations, maxw,
	    t->o->big);
	/* A broadcast shows its fan-out where the timeline would be. */
	tui_fanout_layout(t);
	tui_caption_layout(t);
	t->gil_holder = engine_run(t->eng)->ngils > 0 ?
	    atomic_load(&engine_run(t->eng)->gils[0].current) : GIL_NOBODY;
	erase();
	if (!t->lay.ok) {
		char	need[32], is[32], lines[9][160];
		int	k, nl, w, room = COLS > 2 ? COLS - 2 : 1;

		/*
		 * However narrow, it must be read: on one line if it fits,
		 * else a line a phrase, each wrapped if need be.
		 */
		snprintf(need, sizeof need, _("at least %dx%d"),
		    t->lay.min_cols,
		    t->lay.min_rows);
		snprintf(is, sizeof is, _("(it is %dx%d)"), COLS, LINES);
		snprintf(lines[0], sizeof lines[0], _("enlarge the terminal to "
		    "%s %s"), need, is);
		nl = 1;
		if (tui_cols(lines[0]) > room) {
			nl = tui_wrap(_("enlarge the terminal to"), room, lines,
			    3);
			nl += tui_wrap(need, room, lines + nl, 3);
			nl += tui_wrap(is, room, lines + nl, 3);
		}
		for (k = 0; k < nl; k++) {
			w = tui_cols(lines[k]);
			tui_puts(LINES / 2 - nl / 2 + k, COLS > w ?
			    (COLS - w) / 2 : 0, COLS, lines[k]);
		}
		refresh();
		tui_frame_out(t);
		return;
	}
	tui_draw_header(t);
	for (i = 0; i < scn->nstations; i++) {
		tui_draw_station(t, i);
		if (i > 0)
			tui_draw_rack(t, i);
	}
	if (t->fan != NULL)
		tui_draw_fanout(t);
	else
		tui_draw_timeline(t);
	tui_draw_output(t);
	tui_draw_caption(t);
	tui_draw_keys(t);
	if (engine_is_replay(t->eng))
		tui_replay_bar(t);
	if (t->captions)
		tui_draw_captions(t);
	else if (t->theory)
		tui_draw_theory(t);
	else if (t->summary && !t->summary_hidden)
		tui_draw_summary(t);
	if (t->help)
		tui_draw_help(t);
	refresh();
	tui_frame_out(t);
}

/* --- The run ------------------------------------------------------------ */

/*
 * A fresh engine, started, and what was folded from the last one reset.
 * Returns 0, or -1 with the terminal restored and the cause printed.
 */
int
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
	t->summary_hidden = 0;
	t->step_pending = 0;
	t->script_paused = 0;
	t->out_pos = 0;
	t->nlines = 0;
	t->npartial = 0;
	t->selected = scn->nstations > 1 ? 1 : 0;
	t->bottleneck = -1;
	t->bottleneck_measured = 0;
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
	/*
	 * The timeline's buckets: fine enough that the predicted run, twice
	 * over, fits the history kept, so a wide screen shows it all in
	 * detail (never coarser than the sparklines', nor finer than 10 ms).
	 */
	t->tl_bucket_ns = t->bucket_ns;
	if (t->st.pred.valid && !t->st.pred.open && t->st.pred.wall_s > 0 &&
	    t->st.pred.wall_s * 2e9 / TL_LEN < (double)t->tl_bucket_ns)
		t->tl_bucket_ns = (int64_t)(t->st.pred.wall_s * 2e9 / TL_LEN);
	if (t->tl_bucket_ns < 10 * NSEC_PER_MSEC)
		t->tl_bucket_ns = 10 * NSEC_PER_MSEC;
	t->tl_b = 0;
	tui_fanout_reset(t);
	tui_cupboard_reset(t);
	t->tl_n = engine_run(t->eng)->nslots;
	t->tl = xcalloc(t->tl_n, sizeof *t->tl);
	t->tl_last = xreallocarray(NULL, t->tl_n, sizeof *t->tl_last);
	for (i = 0; i < t->tl_n; i++)
		t->tl_last[i] = -1;
	tui_sampler_reset(t);
	t->last_t = 0;
	t->tap_ended = 0;
	tui_history_free(t);
	if (t->o->tap != NULL)
		t->o->tap->start(t->o->tap->arg, t->eng);
	if (engine_start(t->eng, &cause) == -1) {
		tui_stop();
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		return (-1);
	}
	t->urgent = 1;
	return (0);
}

/* Tell the tap the run is over, once: what is left in the rings first. */
static void
tui_tap_end(struct tui *t)
{
	if (t->o->tap == NULL || t->tap_ended)
		return;
	engine_drain(t->eng, tui_event, t);
	t->o->tap->end(t->o->tap->arg, t->eng);
	t->tap_ended = 1;
}

/* Stop the engine, wait for it, and free it and what was folded from it. */
void
tui_end_engine(struct tui *t)
{
	if (t->eng == NULL)
		return;
	engine_stop(t->eng);
	engine_wait(t->eng);
	tui_tap_end(t);
	engine_destroy(t->eng);
	t->eng = NULL;
	tui_fanout_reset(t);
	tui_cupboard_reset(t);
	stats_free(&t->st);
	free(t->tl);
	free(t->tl_last);
	tui_sampler_free(t);
	t->tl = NULL;
	t->tl_last = NULL;
}

/* The frame loop: see tui.h. */
int
tui_run(const struct tui_opts *o, tui_factory make, void *arg)
{
	struct tui		*t;
	SCREEN			*scr;
	const char		*cs;
	int			 ch, rc, status = 0, quit = 0, said;
	int64_t			 now;
	size_t			 n;

	t = xcalloc(1, sizeof *t);
	t->o = o;
	t->make = make;
	t->arg = arg;
	t->color = o->color;
	t->review = -1;
	cs = nl_langinfo(CODESET);
	t->g = (o->ascii || cs == NULL || strcmp(cs, "UTF-8") != 0) ?
	    &glyphs_ascii : &glyphs_utf8;

	if ((scr = tui_term_start(t)) == NULL) {
		fprintf(stderr, "dishrack: %s\n", _("cannot start the screen"));
		free(t);
		return (1);
	}

	if (tui_start_engine(t) == -1) {
		tui_term_end(scr);
		free(t);
		return (1);
	}
	while (!quit) {
		n = engine_drain(t->eng, tui_event, t);
		said = tui_read_output(t);
		if (n > 0 || said)
			t->dirty = 1;
		/* A step: the next thing a worker did (a dish, a say). */
		if (t->step_pending && (t->step_seen ||
		    (said && engine_now(t->eng) > t->step_t))) {
			engine_pause(t->eng, 1);
			t->step_pending = 0;
			t->urgent = 1;
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
			t->step_pending = 0;
			engine_drain(t->eng, tui_event, t);
			tui_read_output(t);
			stats_finish(&t->st, t->eng);
			tui_sample_rates_now(t);
			tui_tap_end(t);
			t->have_stats = 1;
			t->summary = 1;
			t->panel_top = 0;
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
		/* A line written to standard error: on the key bar rather
		 * than over the screen (errcap.c). */
		if (tui_errcap_poll(t->errline, sizeof t->errline)) {
			t->errcount++;
			t->urgent = 1;
		}
		if (t->urgent || (t->dirty && now - t->last_frame >= FRAME_NS) ||
		    (now - t->last_frame > NSEC_PER_SEC &&
		    !engine_finished(t->eng) && !engine_paused(t->eng))) {
			if (t->review >= 0)
				tui_history_draw(t);
			else {
				tui_draw(t);
				if (!engine_is_replay(t->eng))
					tui_history_keep(t);
			}
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
	tui_term_end(scr);
	tui_frame_free(t);
	tui_history_free(t);
	free(t->bn_t);
	free(t);
	return (status);
}
