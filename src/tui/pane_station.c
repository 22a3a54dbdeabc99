/*
 * pane_station.c: a station's box: its name, workers and time on the top
 * border, one row per worker, its figures and rates on the bottom border.
 */
#include "config.h"

#include "tui_private.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "lock.h"

/* An async wait over by more than this (scenario time) shows as late. */
#define ASYNC_LATE	(100 * NSEC_PER_MSEC)

static void	tui_draw_worker(struct tui *, const struct rect *,
		    struct wslot *, int, int64_t);

/*
 * One worker's row: state, name, the dish in hand, progress; at the right,
 * where the box has room, its dishes done and its pid (a process) or
 * thread id. Big: the bar on the lines under it, the box wide.
 */
static void
tui_draw_worker(struct tui *t, const struct rect *r, struct wslot *w, int wy,
    int64_t now)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct gil		*gl = run_gil(run, w);
	char			 dish[96], right[48], id[24];
	const char		*g, *token;
	attr_t			 a;
	int64_t			 since, end;
	double			 frac;
	int			 s, x, xe, l, rw, room, tid;
	int			 async = scn->mode == MODE_ASYNC;

	s = atomic_load(&w->state);
	id[0] = '\0';
	if (w->is_process)
		snprintf(id, sizeof id, "  pid %d", atomic_load(&w->pid));
	else if ((tid = atomic_load(&w->tid)) > 0)
		snprintf(id, sizeof id, "  tid %d", tid);
	/* Columns left after what the row needs first: glyph, name, dish, bar. */
	room = r->w - 4 - (t->lay.worker_step > 1 ? 21 : 32);
	rw = snprintf(right, sizeof right, "%llu done%s",
	    (unsigned long long)atomic_load(&w->dishes), id);
	if (rw + 1 > room)
		rw -= (int)strlen(id);	/* the id goes first */
	xe = r->x + r->w - 2;
	if (rw + 1 <= room) {
		tui_puts(wy, xe - rw, rw, right);
		xe -= rw + 1;
	}
	xe++;		/* from here on: the first column not to write */

	g = tui_state_glyph(t, s, &a);
	x = r->x + 2;
	attron(a);
	tui_puts(wy, x, 1, g);
	attroff(a);
	x += 2;
	x += tui_printf(wy, x, xe - x, "%-9s ", w->name);
	if (s == WS_WORKING || s == WS_WAIT_PUT) {
		dish_t d = atomic_load(&w->hand.dish);

		if (d != DISH_NONE) {
			attron(tui_attr(t, C_DISH));
			x += tui_printf(wy, x, xe - x, "%-8s ",
			    scenario_dish_name(scn, d, dish, sizeof dish));
			attroff(tui_attr(t, C_DISH));
		}
	}
	/*
	 * The GIL as a token on its holder; so is the event loop, on an
	 * async task that computes: it gives the loop up only when done.
	 */
	token = NULL;
	if (async && s == WS_WORKING &&
	    scn->stations[w->station].work == WORK_CPU)
		token = "LOOP";
	else if (gl != NULL && atomic_load(&gl->current) == w->id)
		token = "GIL";
	if (token != NULL) {
		attron(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
		x += tui_puts(wy, x, xe - x, token) + 1;
		attroff(tui_attr(t, C_BOTTLENECK) | A_REVERSE);
	}
	l = atomic_load(&w->waiting_lock);
	if (l >= 0 && (unsigned)l < run->nlocks) {
		attron(tui_attr(t, C_BLOCK));
		tui_printf(wy, x, xe - x, "waits for the %s",
		    run->locks[l].name);
		attroff(tui_attr(t, C_BLOCK));
		return;
	}
	if (s != WS_WORKING) {
		tui_puts(wy, x, xe - x, tui_state_name(s));
		return;
	}
	since = atomic_load(&w->since);
	end = atomic_load(&w->work_end);
	frac = end > since ? (double)(now - since) / (double)(end - since) : 0;
	/*
	 * An async task whose wait is over but cannot run, since another
	 * task holds the loop: its timer fires late, by this much so far.
	 */
	if (async && scn->stations[w->station].work != WORK_CPU &&
	    now - end > ASYNC_LATE) {
		attron(tui_attr(t, C_BLOCK));
		tui_printf(wy, x, xe - x, "late %.1fs", (double)(now - end) /
		    1e9);
		attroff(tui_attr(t, C_BLOCK));
		return;
	}
	if (end > since && t->lay.worker_step > 1) {
		tui_bar(t, wy + 1, r->x + 4, r->w - 8, frac);
		if (t->lay.worker_step > 3)
			tui_bar(t, wy + 2, r->x + 4, r->w - 8, frac);
	} else if (end > since && xe - x > 6)
		tui_bar(t, wy, x, xe - 1 - x > 11 ? 10 : xe - 2 - x, frac);
	/* How long this worker has waited for the GIL. */
	if (gl != NULL && xe - x > 30)
		tui_printf(wy, x + 11, xe - 11 - x, "gil-wait %.1fs",
		    (double)atomic_load(&w->gil_wait_ns) / 1e9);
}

/* Station si's box, bold if selected, in colour if the bottleneck. */
void
tui_draw_station(struct tui *t, unsigned si)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	struct run		*run = engine_run(t->eng);
	const struct rect	*r = &t->lay.station[si];
	struct wslot		*w;
	int			 bottleneck, row = 0, x, live, s, wy;
	int			 footer = 0, n;
	unsigned		 i, used, more = 0;
	attr_t			 a;
	char			 tdesc[64], rates[64];
	int64_t			 now = engine_now(t->eng);

	bottleneck = t->have_stats && t->st.bottleneck == (int)si;
	a = bottleneck ? tui_attr(t, C_BOTTLENECK) : A_NORMAL;
	if ((int)si == t->selected)
		a |= A_BOLD;
	tui_box(t, r, a);
	live = (int)tui_station_workers(t, si);
	dist_format(&scn->stations[si].time, tdesc, sizeof tdesc);
	attron(a);
	x = tui_printf(r->y, r->x + 1, r->w - 2, "%s%s %s%d %s ",
	    (int)si == t->selected ? ">" : " ", scn->stations[si].name,
	    t->g->times, live, tdesc);
	if (bottleneck && r->w - 2 - x > 11)
		tui_puts(r->y, r->x + 1 + x, r->w - 2 - x, "BOTTLENECK ");
	attroff(a);
	if (t->have_stats && r->h > 2) {
		x = tui_printf(r->y + r->h - 1, r->x + 2, r->w - 4,
		    " %llu done, busy %.0f%% ",
		    (unsigned long long)t->st.st[si].dishes,
		    t->st.st[si].busy_fraction * 100.0);
		/* The cupboard belongs to the last station. */
		if (run->cupboard != NULL && si == run->nstations - 1) {
			uint64_t	counted = atomic_load(&run->cupboard->count);
			uint64_t	done = t->st.st[si].dishes;

			uint32_t	holder = atomic_load(&run->cupboard->holder);

			x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
			    r->w - 4 - x, "cupboard %llu ",
			    (unsigned long long)counted);
			if (holder < atomic_load(&run->used))
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "(%s: %s, %u wait) ",
				    lock_mode_name(run->cupboard->mode),
				    run->slots[holder].name,
				    atomic_load(&run->cupboard->waiters));
			if (done > counted) {
				attron(tui_attr(t, C_BAD));
				x += tui_printf(r->y + r->h - 1, r->x + 2 + x,
				    r->w - 4 - x, "%llu LOST",
				    (unsigned long long)(done - counted));
				attroff(tui_attr(t, C_BAD));
			}
		}
		footer = x;
	}

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si)
			continue;
		s = atomic_load(&w->state);
		if (s == WS_EXITED && atomic_load(&w->hand.leave))
			continue;
		if (row >= t->lay.worker_rows) {
			more++;
			continue;
		}
		wy = r->y + 1 + t->lay.worker_pad + row * t->lay.worker_step;
		tui_draw_worker(t, r, w, wy, now);
		row++;
	}
	if (more > 0)
		tui_printf(r->y + r->h - 2, r->x + r->w - 12, 10, "+%u more",
		    more);
	if (!t->have_stats || si >= LAYOUT_MAX_STATIONS)
		return;
	/*
	 * In faster than out: the rack in front of it fills. On the bottom
	 * border after the busy figure if it fits, else on a free row.
	 */
	n = snprintf(rates, sizeof rates, " in %.2f/s  out %.2f/s ",
	    t->rate[si].in, t->rate[si].out);
	if (n <= r->w - 4 - footer - 1)
		tui_puts(r->y + r->h - 1, r->x + r->w - 2 - n, r->w - 4, rates);
	else if (more == 0 && t->lay.worker_pad + row * t->lay.worker_step <
	    r->h - 2 && n - 1 <= r->w - 4)
		tui_puts(r->y + r->h - 2, r->x + r->w - 1 - n, r->w - 4, rates);
}

/* Workers a station shows: all but those that left when asked. */
unsigned
tui_station_workers(struct tui *t, unsigned si)
{
	struct run	*run = engine_run(t->eng);
	unsigned	 i, used, n = 0;

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		if (run->slots[i].station == si &&
		    !(atomic_load(&run->slots[i].hand.leave) &&
		    atomic_load(&run->slots[i].state) == WS_EXITED))
			n++;
	}
	return (n);
}
