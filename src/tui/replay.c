/*
 * replay.c: the screen on a recorded run (dishrack --replay FILE). The
 * engine is a replay (engine_replay.h): the frame loop, the panes and
 * most keys work on it as on a live run (space pauses, + and - change
 * the speed, . steps to a worker's next event). This file adds moving
 * through the run: back a second, to a caption, to a change of workers
 * (where the bottleneck can move), to where the BOTTLENECK mark moved,
 * to the start or the end, and a bar with a cursor on the run's length.
 *
 * Going anywhere starts the replay again and folds it up to there, as
 * the live screen would have: the clock is moved a timeline bucket at a
 * time, the events of each bucket drained and the bucket sampled, so the
 * timeline, the rates and the figures are what they were at that time.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "engine_replay.h"
#include "xmalloc.h"

/* Start again and fold up to t, paused or not as before. 0, or -1. */
static int
tui_replay_seek(struct tui *t, int64_t to)
{
	int		paused = engine_paused(t->eng);
	int64_t		tb, len, step;

	len = engine_replay_length(t->eng);
	if (to < 0)
		to = 0;
	if (to > len)
		to = len;
	tui_end_engine(t);
	if (tui_start_engine(t) == -1)
		return (-1);
	engine_pause(t->eng, 1);
	/* The timeline's buckets, at most 4096 steps for a long one. */
	step = t->tl_bucket_ns;
	if (to / step > 4096)
		step = to / 4096;
	for (tb = step; tb < to; tb += step) {
		engine_replay_goto(t->eng, tb);
		engine_drain(t->eng, tui_event, t);
		tui_read_output(t);
		stats_finish(&t->st, t->eng);
		tui_sample(t);
	}
	/* Only a pause step at the very time sought pauses, as it did. */
	t->script_paused = 0;
	engine_replay_goto(t->eng, to);
	engine_drain(t->eng, tui_event, t);
	tui_read_output(t);
	stats_finish(&t->st, t->eng);
	/* The first frame has the figures (the BOTTLENECK mark) too. */
	t->have_stats = 1;
	if (to < len)
		tui_sample(t);
	if (!paused && !t->script_paused)
		engine_pause(t->eng, 0);
	t->urgent = 1;
	return (0);
}

/*
 * Where the BOTTLENECK mark moves from one station to another: the replay
 * folded once from the start to the end, a bucket at a time, as a seek
 * folds it, and the mark the screen would draw at each bucket's end;
 * kept for the next m or M. Then back to where it was. 0, or -1.
 */
static int
tui_replay_scan(struct tui *t)
{
	int64_t	tb, len, step, now = engine_now(t->eng);
	int	paused = engine_paused(t->eng), last = -1;
	size_t	cap = 0;

	len = engine_replay_length(t->eng);
	t->bn_n = 0;
	tui_end_engine(t);
	if (tui_start_engine(t) == -1)
		return (-1);
	engine_pause(t->eng, 1);
	/* A seek's steps (a seek to the end's, for a long recording). */
	step = t->tl_bucket_ns;
	if (len / step > 4096)
		step = len / 4096;
	/* Not the end itself: there the mark is the whole run's (End). */
	for (tb = step; tb < len; tb += step) {
		engine_replay_goto(t->eng, tb);
		engine_drain(t->eng, tui_event, t);
		tui_read_output(t);
		stats_finish(&t->st, t->eng);
		/* As a seek folds it: the mark is the screen's (tui_sample). */
		tui_sample(t);
		if (last >= 0 && t->bottleneck != last) {
			if (t->bn_n == cap) {
				cap = cap ? 2 * cap : 16;
				t->bn_t = xreallocarray(t->bn_t, cap,
				    sizeof *t->bn_t);
			}
			t->bn_t[t->bn_n++] = tb;
		}
		last = t->bottleneck;
	}
	t->bn_scanned = 1;
	if (!paused)
		engine_pause(t->eng, 0);
	return (tui_replay_seek(t, now));
}

/* The next (dir 1) or last (-1) move of the mark from t, or -1. */
static int64_t
tui_replay_bottleneck(struct tui *t, int64_t now, int dir)
{
	size_t	i;

	for (i = 0; i < t->bn_n; i++) {
		if (dir > 0 && t->bn_t[i] > now)
			return (t->bn_t[i]);
		if (dir < 0 && t->bn_t[i] >= now)
			break;
	}
	return (dir < 0 && i > 0 ? t->bn_t[i - 1] : -1);
}

/*
 * A replay's keys. Returns 1 if ch was one, -1 if the screen cannot go
 * on, 0 if it is not one of them (the live screen's keys go on).
 */
int
tui_replay_key(struct tui *t, int ch)
{
	int64_t	now, to = -1;
	int	kind = 0, dir = 0;

	if (!engine_is_replay(t->eng))
		return (0);
	now = engine_now(t->eng);
	switch (ch) {
	case ',':
		to = now - NSEC_PER_SEC;
		break;
	case '<':
		kind = 'c', dir = -1;
		break;
	case '>':
		kind = 'c', dir = 1;
		break;
	case 'c':
		kind = 'b', dir = 1;
		break;
	case 'C':
		kind = 'b', dir = -1;
		break;
	case 'm':
	case 'M':
		if (!t->bn_scanned && tui_replay_scan(t) == -1)
			return (-1);
		now = engine_now(t->eng);
		/* Just after a move: the one before it, as < does. */
		to = tui_replay_bottleneck(t, ch == 'M' ? now - NSEC_PER_SEC /
		    2 : now, ch == 'm' ? 1 : -1);
		if (to < 0) {
			tui_set_status(t, "%s", ch == 'm' ?
			    _("the bottleneck does not move after this") :
			    _("the bottleneck does not move before this"));
			return (1);
		}
		break;
	case KEY_HOME:
		to = 0;
		break;
	case KEY_END:
		to = engine_replay_length(t->eng);
		break;
	case 'r':
	case 'R':
		to = 0;
		break;
	default:
		return (0);
	}
	if (kind != 0) {
		/* A caption just passed is "this one": go to the one before. */
		to = engine_replay_find(t->eng, dir < 0 ? now - 1 : now, dir,
		    kind);
		if (to < 0) {
			if (kind == 'c')
				tui_set_status(t, "%s", dir < 0 ?
				    _("no caption before") :
				    _("no caption after"));
			else
				tui_set_status(t, "%s", dir < 0 ?
				    _("no change of workers before") :
				    _("no change of workers after"));
			return (1);
		}
		if (dir < 0 && now - to < NSEC_PER_SEC / 2) {
			int64_t	before = engine_replay_find(t->eng, to, -1,
				    kind);

			to = before >= 0 ? before : 0;
		}
	}
	return (tui_replay_seek(t, to) == -1 ? -1 : 1);
}

/* Over the key bar: where the replay is, and its keys. */
void
tui_replay_bar(struct tui *t)
{
	const struct rect	*r = &t->lay.keys;
	int64_t			 len = engine_replay_length(t->eng);
	int64_t			 now = engine_now(t->eng);
	char			 head[64], tail[160];
	int			 w, x, pos, i, hw, tw;

	snprintf(head, sizeof head, _(" REPLAY %.1f/%.1fs%s "),
	    (double)now / 1e9, (double)len / 1e9,
	    engine_replay_cut(t->eng) ? _(", CUT SHORT") : "");
	snprintf(tail, sizeof tail, "%s", _(" , back  < > caption  c change  "
	    "m bottleneck  Home End"));
	hw = tui_cols(head);
	tw = tui_cols(tail);
	w = r->w - hw - tw - 2;
	if (w < 10) {
		/* Narrow: the cursor first, then what keys fit. */
		w = r->w - hw - 2;
		tw = 0;
	}
	if (w > 60)
		w = 60;
	attron(A_REVERSE | A_BOLD);
	mvhline(r->y, 0, ' ', r->w);
	tui_puts(r->y, 0, r->w, head);
	attroff(A_BOLD);
	x = hw;
	pos = len > 0 ? (int)((double)now / (double)len * (w - 1)) : 0;
	if (pos > w - 1)
		pos = w - 1;
	for (i = 0; i < w && x + i < r->w; i++)
		tui_puts(r->y, x + i, 1, i == pos ? t->g->dish :
		    i < pos ? t->g->bar_full : t->g->bar_empty);
	if (tw > 0)
		tui_puts(r->y, x + w + 1, r->w - x - w - 1, tail);
	attroff(A_REVERSE);
}
