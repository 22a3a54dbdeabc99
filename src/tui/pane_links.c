/*
 * pane_links.c: a rack over ZeroMQ drawn as the link it is (the header
 * names its address): the connections up now (and made and lost so far, from the
 * socket monitors), the dishes in flight counted from both ends (sent -
 * received), what was lost or sent again, and a reminder that ZeroMQ's
 * pipes and the kernel's buffers hold dishes nobody can see.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#ifdef HAVE_ZMQ
#include "rack_zmq.h"

/* An endpoint, short: the socket's name in the ipc directory, :PORT. */
static const char *
links_short(const char *ep)
{
	const char	*s;

	if (strncmp(ep, "ipc://", 6) == 0 && (s = strrchr(ep, '/')) != NULL)
		return (s + 1);
	if (strncmp(ep, "tcp://", 6) == 0 && (s = strrchr(ep, ':')) != NULL)
		return (s);
	return (ep);
}

/*
 * Under the rack's own lines: rows y .. y + h - 1, width w at x. Returns
 * the rows used. One row (stations stacked): all of it on one line.
 */
int
tui_draw_links(struct tui *t, unsigned si, int y, int x, int w, int h)
{
	struct run	*run = engine_run(t->eng);
	struct zr_view	 v;
	uint64_t	 flight;
	const char	*ep;
	char		 line[256];
	int		 n = 0;

	if (h <= 0 || w < 8 || rack_zmq_view(run->st[si].in, &v) == -1)
		return (0);
	flight = v.sent > v.received + v.lost ? v.sent - v.received - v.lost :
	    0;
	if (h == 1) {
		snprintf(line, sizeof line, P_("zmq %s: %u link, %llu in "
		    "flight%s", "zmq %s: %u links, %llu in flight%s", v.links),
		    links_short(v.reliable ? v.endpoint : v.out), v.links,
		    (unsigned long long)flight,
		    v.lost > 0 ? _(", some LOST") : v.stuck > 0 ?
		    _(", one stuck") : "");
		if (tui_cols(line) + tui_cols(_(" (queues hidden)")) <= w)
			strncat(line, _(" (queues hidden)"),
			    sizeof line - strlen(line) - 1);
		attron(tui_attr(t, v.lost > 0 ? C_BAD : C_CAPTION));
		tui_puts(y, x, w, line);
		attroff(tui_attr(t, v.lost > 0 ? C_BAD : C_CAPTION));
		return (1);
	}
	/* A narrow column: a word or two a row, the most telling first. */
	attron(tui_attr(t, C_CAPTION));
	ep = links_short(v.reliable ? v.endpoint : v.out);
	if (tui_cols(ep) + 4 <= w)
		tui_printf(y + n++, x, w, "zmq %s", ep);
	else {
		tui_puts(y + n++, x, w, "zmq");
		if (n < h)
			tui_puts(y + n++, x, w, ep);
	}
	if (n < h)
		tui_printf(y + n++, x, w, P_("%u link", "%u links", v.links),
		    v.links);
	if (n < h)
		tui_printf(y + n++, x, w, _("%llu fly"), (unsigned long long)flight);
	attroff(tui_attr(t, C_CAPTION));
	if (n < h && (v.lost > 0 || v.resent > 0 || v.stuck > 0)) {
		attron(tui_attr(t, v.lost > 0 || v.stuck > 0 ? C_BAD : C_WAIT));
		if (v.lost > 0)
			tui_printf(y + n++, x, w, _("%llu lost"),
			    (unsigned long long)v.lost);
		else if (v.stuck > 0)
			tui_printf(y + n++, x, w, _("%u stuck"), v.stuck);
		else
			tui_printf(y + n++, x, w, _("%llu resent"),
			    (unsigned long long)v.resent);
		attroff(tui_attr(t, v.lost > 0 || v.stuck > 0 ? C_BAD :
		    C_WAIT));
	}
	if (n < h) {
		attron(tui_attr(t, C_CAPTION));
		tui_puts(y + n++, x, w, _("hidden q"));
		attroff(tui_attr(t, C_CAPTION));
	}
	return (n);
}

/*
 * A link that goes, as it happens, on the caption line; one that comes
 * after that (a worker in a dead one's place, an agent back) too. The
 * first connects of the run are many and say nothing: only counted.
 */
void
tui_links_event(struct tui *t, const struct event *ev)
{
	static unsigned		 downs[SCN_MAX_STATIONS];
	const struct scenario	*scn = engine_scenario(t->eng);
	struct run		*run = engine_run(t->eng);
	struct zr_view		 v;
	unsigned		 i = ev->dish;

	if (ev->worker != EV_ENGINE || ev->kind != EV_CONTROL ||
	    (ev->arg != CTL_LINK_UP && ev->arg != CTL_LINK_DOWN) ||
	    i == 0 || i >= scn->nstations || i >= SCN_MAX_STATIONS ||
	    rack_zmq_view(run->st[i].in, &v) == -1)
		return;
	if (ev->arg == CTL_LINK_DOWN)
		downs[i]++;
	else if (downs[i] == 0)
		return;
	tui_set_status(t, ev->arg == CTL_LINK_DOWN ?
	    P_("zmq: rack %s %s %s: a peer went (%u link now)",
	    "zmq: rack %s %s %s: a peer went (%u links now)", v.links) :
	    P_("zmq: rack %s %s %s: a peer came (%u link now)",
	    "zmq: rack %s %s %s: a peer came (%u links now)", v.links),
	    scn->stations[i - 1].name, t->g->arrow, scn->stations[i].name,
	    v.links);
}

#else

void
tui_links_event(struct tui *t, const struct event *ev)
{
	(void)t;
	(void)ev;
}

int
tui_draw_links(struct tui *t, unsigned si, int y, int x, int w, int h)
{
	(void)t; (void)si; (void)y; (void)x; (void)w; (void)h;
	return (0);
}

#endif
