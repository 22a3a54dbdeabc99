/*
 * pane_fanout.c: a broadcast's fan-out, where a queue run has its
 * timeline: the publisher and its last message, the topics with what was
 * published on each, and a row per subscriber with its topics, what it
 * received and missed (and why), and the last messages it got. A message
 * just published runs down the arrows of the subscribers it reaches; the
 * others' stay dark, since its topic is not theirs.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bcast.h"
#include "clock.h"
#include "xmalloc.h"

#define FAN_LAST	3			/* messages kept a subscriber */
#define FAN_FLIGHT_NS	(600 * NSEC_PER_MSEC)	/* a message in flight */
#define FAN_HOP_NS	(150 * NSEC_PER_MSEC)	/* a step of its dot */

struct fanout {
	dish_t		 pub_dish;	/* the last message published */
	int64_t		 pub_real;	/* when it was seen, real ns */
	uint64_t	 published;
	unsigned	 nslots;
	struct {
		dish_t	 last[FAN_LAST];	/* newest first */
		unsigned n;
		int64_t	 got_real;
	}		*sub;			/* per worker slot */
};

void
tui_fanout_reset(struct tui *t)
{
	struct run	*run;

	if (t->fan != NULL) {
		free(t->fan->sub);
		free(t->fan);
		t->fan = NULL;
	}
	if (t->eng == NULL || engine_broadcast(t->eng) == NULL)
		return;
	run = engine_run(t->eng);
	t->fan = xcalloc(1, sizeof *t->fan);
	t->fan->pub_dish = DISH_NONE;
	t->fan->nslots = run->nslots;
	t->fan->sub = xcalloc(run->nslots, sizeof *t->fan->sub);
}

void
tui_fanout_event(struct tui *t, const struct event *ev)
{
	struct fanout	*f = t->fan;
	unsigned	 i;

	if (f == NULL || ev->worker == EV_ENGINE)
		return;
	if (ev->station == 0 && ev->kind == EV_PUT) {
		f->pub_dish = ev->dish;
		f->pub_real = clock_mono_ns();
		f->published++;
		return;
	}
	if (ev->station == 0 || ev->kind != EV_GET || ev->worker >= f->nslots)
		return;
	i = ev->worker;
	memmove(&f->sub[i].last[1], &f->sub[i].last[0],
	    (FAN_LAST - 1) * sizeof f->sub[i].last[0]);
	f->sub[i].last[0] = ev->dish;
	if (f->sub[i].n < FAN_LAST)
		f->sub[i].n++;
	f->sub[i].got_real = clock_mono_ns();
}

/* "topic/dish" of a message, into buf. */
static const char *
fan_message(struct tui *t, dish_t d, char *buf, size_t len)
{
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	char			 name[96];

	if (run->topics == NULL || d == DISH_NONE) {
		snprintf(buf, len, "-");
		return (buf);
	}
	snprintf(buf, len, "%s/%s", run->topics->name[bcast_topic_of(
	    run->topics, d)], scenario_dish_name(scn, d, name, sizeof name));
	return (buf);
}

/* A subscriber's topics as its station names them. */
static void
fan_topics(const struct station *st, char *buf, size_t len)
{
	size_t		o = 0;
	unsigned	i;

	if (st->nsubscribe == 0) {
		snprintf(buf, len, "%s", _("every topic"));
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < st->nsubscribe && o + 1 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		    st->subscribe[i]);
}

/* The arrow to one subscriber: lit, with its dot, if the message is its. */
static int
fan_arrow(struct tui *t, int y, int x, int last, int lit, int64_t age)
{
	const char	*tee = last ? "└" : "├";
	int		 hop, i;

	if (!(t->g == &glyphs_utf8))
		tee = last ? "`" : "|";
	tui_puts(y, x, 1, tee);
	if (lit)
		attron(tui_attr(t, C_DISH) | A_BOLD);
	hop = (int)(age / FAN_HOP_NS);
	for (i = 0; i < 4; i++)
		tui_puts(y, x + 1 + i, 1, lit && i == hop ? t->g->dish :
		    ((t->g == &glyphs_utf8) ? "─" : "-"));
	tui_puts(y, x + 5, 1, (t->g == &glyphs_utf8) ? "▶" : ">");
	if (lit)
		attroff(tui_attr(t, C_DISH) | A_BOLD);
	return (6);
}

/* The fan-out, in the timeline's place. */
void
tui_draw_fanout(struct tui *t)
{
	const struct rect	*r = &t->lay.timeline;
	struct fanout		*f = t->fan;
	struct run		*run = engine_run(t->eng);
	const struct scenario	*scn = engine_scenario(t->eng);
	struct bcast_view	 v[BCAST_MAX_SUBS];
	struct bcast_totals	 tot;
	const struct bcast_view	*sv;
	char			 msg[SCN_TOPIC_MAX + 80], tp[160], buf[256];
	char			 wait[96];
	size_t			 n, k;
	unsigned		 i, used, topic = 0, nrows = 0, row;
	int64_t			 age = FAN_FLIGHT_NS;
	int			 x, y, lit, rest;

	if (r->h == 0 || f == NULL)
		return;
	n = engine_bcast_view(t->eng, v, BCAST_MAX_SUBS, &tot);
	if (n > BCAST_MAX_SUBS)
		n = BCAST_MAX_SUBS;
	if (f->pub_dish != DISH_NONE && run->topics != NULL) {
		topic = bcast_topic_of(run->topics, f->pub_dish);
		age = clock_mono_ns() - f->pub_real;
		/* Paused or over: the last one stays where it got to. */
		if (engine_paused(t->eng) || engine_finished(t->eng))
			age = FAN_FLIGHT_NS;
	}

	/* The publisher and what it sent last. */
	attron(A_BOLD);
	x = tui_printf(r->y, 0, r->w, _("fan-out  %s "), run->slots[0].name);
	attroff(A_BOLD);
	attron(tui_attr(t, C_DISH));
	x += tui_printf(r->y, x, r->w - x, "%s %s", t->g->arrow,
	    fan_message(t, f->pub_dish, msg, sizeof msg));
	attroff(tui_attr(t, C_DISH));
	if (tot.blind)
		snprintf(buf, sizeof buf, _("   %llu published, at most once"),
		    (unsigned long long)tot.published);
	else
		snprintf(buf, sizeof buf,
		    _("   %llu published, %llu to nobody, "
		    "at most once"), (unsigned long long)tot.published,
		    (unsigned long long)tot.to_nobody);
	/* sync = yes: whom the publisher still waits for, first if narrow. */
	if (tot.sync && tot.published == 0 && tot.subscribed < tot.expected) {
		snprintf(wait, sizeof wait, _("; sync waits for %u more"),
		    tot.expected - tot.subscribed);
		if (tui_cols(buf) + tui_cols(wait) > r->w - x)
			snprintf(buf, sizeof buf, "  %s", wait + 1);
		else
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
			    "%s", wait);
	}
	if (tui_cols(buf) <= r->w - x)
		tui_puts(r->y, x, r->w - x, buf);

	/* The topics, each with its count; the last message's lit. */
	row = 1;
	if (row < (unsigned)r->h && run->topics != NULL) {
		x = tui_puts(r->y + row, 1, r->w - 1, _("topics "));
		for (i = 0; i < run->topics->n && x < r->w - 2; i++) {
			snprintf(buf, sizeof buf, " %s %llu", run->topics->name[i],
			    (unsigned long long)tot.per_topic[i]);
			if (tui_cols(buf) > r->w - 1 - x) {
				tui_puts(r->y + row, 1 + x, r->w - 1 - x,
				    t->g->more);
				break;
			}
			lit = f->pub_dish != DISH_NONE && i == topic &&
			    age < FAN_FLIGHT_NS;
			if (lit)
				attron(tui_attr(t, C_DISH) | A_BOLD);
			x += tui_puts(r->y + row, 1 + x, r->w - 1 - x, buf);
			if (lit)
				attroff(tui_attr(t, C_DISH) | A_BOLD);
		}
		row++;
	}

	/* A row per subscriber: those not yet subscribed say so. */
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++)
		if (run->slots[i].station > 0)
			nrows++;
	for (i = 0, k = 0; i < used && row < (unsigned)r->h; i++) {
		struct wslot	*w = &run->slots[i];
		unsigned	 j;

		if (w->station == 0)
			continue;
		k++;
		y = r->y + (int)row;
		if (row == (unsigned)r->h - 1 && k < nrows) {
			tui_printf(y, 2, r->w - 2, _("%s %zu more subscribers"),
			    t->g->more, (size_t)(nrows - k + 1));
			break;
		}
		for (sv = NULL, j = 0; j < n; j++)
			if (v[j].slot == i)
				sv = &v[j];
		lit = sv != NULL && sv->state == BSUB_ON &&
		    f->pub_dish != DISH_NONE && age < FAN_FLIGHT_NS &&
		    bcast_has(sv->mask, topic);
		x = 2 + fan_arrow(t, y, 2, k == nrows, lit, age);
		x += tui_printf(y, x, r->w - x, " %-8s ", w->name);
		fan_topics(&scn->stations[w->station], tp, sizeof tp);
		rest = r->w - x;
		if (sv == NULL) {
			tui_printf(y, x, rest, "(%s) %s", tp,
			    atomic_load(&w->state) == WS_EXITED ? _("left") :
			    _("not subscribed yet"));
			row++;
			continue;
		}
		snprintf(buf, sizeof buf, _("got %llu  missed %llu"),
		    (unsigned long long)sv->received,
		    (unsigned long long)(sv->late + sv->dropped));
		if (sv->late + sv->dropped > 0 && rest > 70)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
			    _(" (%llu late, %llu dropped)"),
			    (unsigned long long)sv->late,
			    (unsigned long long)sv->dropped);
		/* Its topics as far as they go, then the counts whole. */
		if (tui_cols(tp) + tui_cols(buf) + 4 <= rest)
			x += tui_printf(y, x, rest, "(%s)  ", tp);
		if (sv->late + sv->dropped > 0)
			attron(tui_attr(t, C_WAIT));
		x += tui_puts(y, x, r->w - x, buf);
		if (sv->late + sv->dropped > 0)
			attroff(tui_attr(t, C_WAIT));
		if (sv->state == BSUB_LEFT && r->w - x > 7)
			x += tui_puts(y, x, r->w - x, _("  left"));
		/* The last messages it got, the newest first, while they fit. */
		if (f->sub != NULL && i < f->nslots && f->sub[i].n > 0)
			fan_message(t, f->sub[i].last[0], msg, sizeof msg);
		/* "last:" only with at least its newest message whole. */
		if (f->sub != NULL && i < f->nslots && f->sub[i].n > 0 &&
		    tui_cols(msg) + 8 <= r->w - x) {
			x += tui_puts(y, x, r->w - x, _("  last:"));
			for (j = 0; j < f->sub[i].n; j++) {
				fan_message(t, f->sub[i].last[j], msg,
				    sizeof msg);
				if (tui_cols(msg) + 1 > r->w - x)
					break;
				if (j == 0 && clock_mono_ns() -
				    f->sub[i].got_real < FAN_FLIGHT_NS)
					attron(A_BOLD);
				x += tui_printf(y, x, r->w - x, " %s", msg);
				if (j == 0)
					attroff(A_BOLD);
			}
		}
		row++;
	}
}

/*
 * Room for the fan-out: what the stations leave above the caption (the
 * timeline's rows and the output's), the output keeping what the
 * subscribers do not need (three rows at the least, or none). Stacked,
 * the racks between subscriber stations are the one broadcast: a row
 * each is enough, and the stations move up into the rows they gave.
 */
void
tui_fanout_layout(struct tui *t)
{
	struct layout	*l = &t->lay;
	struct run	*run = engine_run(t->eng);
	unsigned	 i, k, used = atomic_load(&run->used);
	int		 need = 2, total, y, fan, shift = 0;

	if (t->fan == NULL || !l->ok || l->nstations < 2)
		return;
	if (!l->horizontal) {
		for (k = 1; k < l->nstations; k++) {
			l->rack[k].y -= shift;
			if (k >= 2 && l->rack[k].h > 1) {
				shift += l->rack[k].h - 1;
				l->rack[k].h = 1;
			}
			l->station[k].y -= shift;
		}
	}
	for (i = 0; i < used; i++)
		if (run->slots[i].station > 0)
			need++;
	k = l->nstations - 1;
	y = l->station[k].y + l->station[k].h;
	if (l->horizontal)
		y = l->station[0].y + l->station[0].h;
	total = l->caption.y - y;
	if (total <= 0)
		return;
	fan = need < total ? need : total;
	if (total - fan > 0 && total - fan < 3)
		fan = total;
	l->timeline = (struct rect){ y, 0, fan, l->header.w };
	if (total - fan >= 3)
		l->output = (struct rect){ y + fan, 0, total - fan,
		    l->header.w };
	else
		l->output = (struct rect){ 0, 0, 0, 0 };
}
