/*
 * keys.c: what each key does, through the engine's controls (pause, speed,
 * workers, a station's time); what changed is said on the caption line.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rack.h"
#include "xmalloc.h"

static void	tui_change_workers(struct tui *, int, int);
static void	tui_scale_time(struct tui *, double);
static void	tui_go_on(struct tui *);
static void	tui_live_set(struct tui *, const char *, const char *);
static void	tui_next_lock(struct tui *);
static void	tui_toggle_gil(struct tui *);
static void	tui_rack_capacity(struct tui *, int);
static void	tui_help_open(struct tui *);
static int	tui_help_key(struct tui *, int);

/* The station that a/A, d/D or w/W act on; -1 if none fits. */
int
tui_station_named(struct tui *t, const char *name, int fallback)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	unsigned		 i;

	for (i = 0; i < scn->nstations; i++)
		if (strcmp(scn->stations[i].name, name) == 0)
			return ((int)i);
	return (fallback);
}

/* The worker of station si asked to leave last, not gone yet, or NULL. */
static struct wslot *
tui_leaving(struct tui *t, unsigned si)
{
	struct run	*run = engine_run(t->eng);
	struct wslot	*w, *found = NULL;
	unsigned	 i, used = atomic_load(&run->used);

	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station == si && atomic_load(&w->hand.leave) &&
		    atomic_load(&w->state) != WS_EXITED)
			found = w;
	}
	return (found);
}

/* Add a worker at station si (add), or ask one to leave; say which. */
static void
tui_change_workers(struct tui *t, int si, int add)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	struct wslot		*w;
	char			*cause = NULL;
	int			 rc;

	if (si < 0)
		return;
	rc = add ? engine_add_worker(t->eng, (unsigned)si, &cause) :
	    engine_remove_worker(t->eng, (unsigned)si, &cause);
	if (rc == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else if (add)
		tui_set_status(t, _("added a %s"), scn->stations[si].name);
	else if ((w = tui_leaving(t, (unsigned)si)) != NULL)
		tui_set_status(t, _("%s leaves %s"), w->name,
		    atomic_load(&w->state) == WS_WORKING ||
		    atomic_load(&w->state) == WS_WAIT_PUT ?
		    _("once its dish is done (marked LEAVING)") : _("now"));
	else
		tui_set_status(t, _("removing a %s"), scn->stations[si].name);
}

/* Scale the selected station's time by f, through the engine. */
static void
tui_scale_time(struct tui *t, double f)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const struct station	*st = &scn->stations[t->selected];
	struct dist		 d = st->time;
	char			 buf[64], *set, *cause = NULL;

	d.a_ns = (int64_t)((double)d.a_ns * f);
	d.b_ns = (int64_t)((double)d.b_ns * f);
	if (d.kind == DIST_FIXED)
		xasprintf(&set, "%s.time=%lldns", st->name,
		    (long long)d.a_ns);
	else if (d.kind == DIST_UNIFORM)
		xasprintf(&set, "%s.time=%lldns..%lldns", st->name,
		    (long long)d.a_ns, (long long)d.b_ns);
	else
		xasprintf(&set, "%s.time=exp(%lldns)", st->name,
		    (long long)d.a_ns);
	if (engine_set(t->eng, set, &cause) == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else
		tui_set_status(t, _("%s now takes %s"), st->name,
		    dist_format(&st->time, buf, sizeof buf));
	free(set);
}

/*
 * A live change through the engine, as a [script] set would make it; the
 * caption line says what it did (done) or why not.
 */
static void
tui_live_set(struct tui *t, const char *set, const char *done)
{
	char	*cause = NULL;

	if (engine_finished(t->eng))
		return;
	if (engine_set(t->eng, set, &cause) == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else
		tui_set_status(t, "%s", done);
}

/* L: the cupboard's lock, none, mutex, spin, atomic and round again. */
static void
tui_next_lock(struct tui *t)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	static const char *const next[] = { "mutex", "spin", "atomic",
	    "none" };
	char			 set[48], done[256];
	unsigned		 m = (unsigned)scn->cupboard_lock;

	if (!scn->cupboard) {
		tui_set_status(t, "%s",
		    _("this run has no [cupboard] to lock"));
		return;
	}
	snprintf(set, sizeof set, "cupboard.lock=%s", next[m % 4]);
	snprintf(done, sizeof done, _("the cupboard's lock is now %s, from "
	    "each dryer's next dish"), next[m % 4]);
	tui_live_set(t, set, done);
}

/* G: the GIL off, or on (again, or for the first time in the run). */
static void
tui_toggle_gil(struct tui *t)
{
	struct run	*run = engine_run(t->eng);
	int		 off = atomic_load(&run->gil_off);

	tui_live_set(t, off ? "scenario.gil=on" : "scenario.gil=off", !off ?
	    _("the GIL is off: threads compute at once, from their next "
	    "dish") : atomic_load(&run->gil_ever) ?
	    _("the GIL is on again, from each worker's next dish") :
	    _("the GIL is on: from each worker's next dish, one thread "
	    "computes at a time"));
}

/*
 * { and }: the capacity of the rack in front of the selected station (the
 * next one's, if the first is selected), down or up a step: hand-off, 1,
 * 2, 3, 4, 6, 8, 12, 16, unbounded.
 */
static void
tui_rack_capacity(struct tui *t, int up)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	static const uint32_t	 steps[] = { 0, 1, 2, 3, 4, 6, 8, 12, 16,
	    RACK_UNBOUNDED };
	const unsigned		 n = sizeof steps / sizeof steps[0];
	unsigned		 si = t->selected > 0 ? (unsigned)t->selected : 1;
	uint32_t		 cap;
	unsigned		 k;
	char			 set[64], done[256], v[16];

	if (si >= scn->nstations)
		return;
	cap = scenario_rack(scn, si);
	for (k = 0; k < n - 1 && steps[k] < cap; k++)
		;
	/* k: the first step at or above the capacity now. */
	if (up)
		k = steps[k] == cap && k < n - 1 ? k + 1 : k;
	else
		k = k > 0 ? k - 1 : 0;
	if (steps[k] == RACK_UNBOUNDED)
		snprintf(v, sizeof v, "unbounded");
	else
		snprintf(v, sizeof v, "%u", steps[k]);
	snprintf(set, sizeof set, "%s.rack=%s", scn->stations[si].name, v);
	snprintf(done, sizeof done, _("the rack in front of %s holds %s now"),
	    scn->stations[si].name, steps[k] == 0 ? _("none (a hand-off)") :
	    steps[k] == RACK_UNBOUNDED ? _("any number") : v);
	tui_live_set(t, set, done);
}

/* Paused by a [script] pause step, and not resumed since. */
int
tui_script_paused(struct tui *t)
{
	return (t->script_paused && engine_paused(t->eng) &&
	    !engine_finished(t->eng));
}

/* Resume a paused run, whoever paused it. */
static void
tui_go_on(struct tui *t)
{
	t->step_pending = 0;
	t->script_paused = 0;
	if (engine_paused(t->eng) && !engine_finished(t->eng))
		engine_pause(t->eng, 0);
}

/* Open the help, pausing the run while it is open. */
static void
tui_help_open(struct tui *t)
{
	t->help = 1;
	t->help_top = 0;
	t->help_paused = 0;
	if (!engine_paused(t->eng) && !engine_finished(t->eng)) {
		engine_pause(t->eng, 1);
		t->help_paused = 1;
	}
}

/*
 * A key while the help is open: the arrows and pages scroll it, any
 * other key closes it and the run goes on if the help paused it; q and
 * F10 quit as well. Returns 1 to quit, 0 if the key was the help's, -1 if
 * the key is to act as usual (never: a key that closes does only that).
 */
static int
tui_help_key(struct tui *t, int ch)
{
	int	page = LINES > 6 ? LINES - 6 : 1;

	if (ch == 'j')
		ch = KEY_DOWN;
	else if (ch == 'k')
		ch = KEY_UP;
	if (tui_scroll_key(ch, &t->help_top, page, tui_help_rows(t)))
		return (0);
	t->help = 0;
	/* Unless a [script] pause came meanwhile: that one holds. */
	if (t->help_paused && !t->script_paused)
		tui_go_on(t);
	t->help_paused = 0;
	return (ch == 'q' || ch == 'Q' || ch == KEY_F(10));
}

/*
 * k: kill one worker of the selected station for real (the one holding a
 * dish, so its way back to the rack shows); K: all of them. The status
 * line says what a kill of each kind means.
 */
static void
tui_kill(struct tui *t, int all)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	const char		*name = scn->stations[t->selected].name;
	char			*cause = NULL, hosts[128];
	unsigned		 agents = 0;
	int			 rc;

	if (engine_finished(t->eng))
		return;
	rc = all ? engine_kill(t->eng, name, &cause) :
	    engine_kill_one(t->eng, (unsigned)t->selected, &cause);
	/* K: the agents' hosts running the station go too, whole. */
	if (all)
		agents = engine_kill_agents_of(t->eng, (unsigned)t->selected,
		    hosts, sizeof hosts);
	if (agents > 0) {
		/* The words that matter first: 80 columns cut the rest. */
		if (rc == 0)
			tui_set_status(t, _("killed every %s here, agent %s "
			    "(SIGKILL): lost when its pulse stops, in 3 s; what "
			    "they held goes back"), name, hosts);
		else
			tui_set_status(t, _("killed agent %s (SIGKILL): lost when "
			    "its pulse stops, in 3 s; what they held goes back"),
			    hosts);
		free(cause);
		return;
	}
	if (rc == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
		return;
	}
	tui_set_status(t, all ? _("killed every %s: %s") : _("killed a %s: %s"),
	    name, scn->mode == MODE_PROCESSES ? _("SIGKILL; what it held goes "
	    "back (or is lost, rack.reliable = no), a new one starts") :
	    _("a thread cannot die alone: it crashes where it stands, "
	    "dropping what it holds; a new one starts"));
}

/* Act on a key. Returns 1 to quit. */
int
tui_key(struct tui *t, int ch)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	int			 n = (int)scn->nstations, rc;

	t->urgent = 1;
	if (t->help && ch != ERR && ch != KEY_RESIZE)
		return (tui_help_key(t, ch));
	/* A panel taller than the screen scrolls (tui_draw_panel): what is
	 * in sight takes the arrows before the rewind under it (a
	 * clicker's Page Down at a script pause still goes on). */
	if (!tui_script_paused(t) && (t->theory || t->captions ||
	    (t->summary && !t->summary_hidden)) &&
	    t->panel_lines > t->panel_rows && tui_panel_key(t, ch))
		return (0);
	/* A replay's own keys (replay.c); rewind (history.c). */
	if (ch != KEY_RESIZE && (rc = tui_replay_key(t, ch)) != 0)
		return (rc == -1 ? -1 : 0);
	if (ch != KEY_RESIZE && tui_history_key(t, ch))
		return (0);
	/*
	 * At a [script] pause, what a presenter's clicker sends for "next"
	 * goes on. Its "blank the screen" ('.', 'b') neither steps nor goes
	 * on; the caption says what does.
	 */
	if (tui_script_paused(t)) {
		switch (ch) {
		case ' ':
		case '\r':
		case '\n':
		case KEY_ENTER:
		case KEY_RIGHT:
		case KEY_NPAGE:
		case 'n':
			tui_go_on(t);
			return (0);
		case '.':
		case 'b':
		case 'B':
			tui_set_status(t, "%s",
			    _("paused by the script: space, "
			    "Enter, Right, Page Down or n goes on"));
			return (0);
		}
	}
	/* The summary over the screen: Esc or Enter puts it away. */
	if (t->summary && !t->summary_hidden &&
	    (ch == 27 || ch == '\r' || ch == '\n' || ch == KEY_ENTER)) {
		t->summary_hidden = 1;
		tui_set_status(t, "%s", _("s shows the summary again"));
		return (0);
	}
	switch (ch) {
	case 'q':
	case 'Q':
	case KEY_F(10):
		return (1);
	case 's':
		if (t->summary)
			t->summary_hidden = !t->summary_hidden;
		t->panel_top = 0;
		break;
	case 't':
	case 'T':
		t->theory = !t->theory;
		t->panel_top = 0;
		break;
	case 'H':
		t->captions = !t->captions;
		t->panel_top = 0;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		tui_help_open(t);
		break;
	case ' ':
		if (engine_paused(t->eng))
			tui_go_on(t);
		else if (!engine_finished(t->eng))
			engine_pause(t->eng, 1);
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case KEY_NPAGE:
	case 'n':
		/* A clicker's "next": go on if paused. */
		tui_go_on(t);
		break;
	case '.':
		if (engine_paused(t->eng) && !engine_finished(t->eng)) {
			t->step_pending = 1;
			t->step_seen = 0;
			t->step_t = engine_now(t->eng);
			engine_pause(t->eng, 0);
		}
		break;
	case '+':
	case '=':
		engine_set_speed(t->eng, engine_speed(t->eng) * 2);
		break;
	case '-':
	case '_':
		engine_set_speed(t->eng, engine_speed(t->eng) / 2);
		break;
	case '\t':
	case KEY_RIGHT:
		t->selected = (t->selected + 1) % n;
		break;
	case KEY_BTAB:
	case KEY_LEFT:
		t->selected = (t->selected + n - 1) % n;
		break;
	case 'a':
		tui_change_workers(t, t->selected, 1);
		break;
	case 'A':
		tui_change_workers(t, t->selected, 0);
		break;
	case 'd':
	case 'D':
		tui_change_workers(t, tui_station_named(t, "dryer",
		    n > 1 ? 1 : 0), ch == 'd');
		break;
	case 'w':
	case 'W':
		tui_change_workers(t, tui_station_named(t, "washer", 0),
		    ch == 'w');
		break;
	case '[':
		tui_scale_time(t, 0.8);
		break;
	case ']':
		tui_scale_time(t, 1.25);
		break;
	case 'k':
	case 'K':
		tui_kill(t, ch == 'K');
		break;
	case 'L':
		tui_next_lock(t);
		break;
	case 'G':
		tui_toggle_gil(t);
		break;
	case '{':
		tui_rack_capacity(t, 0);
		break;
	case '}':
		tui_rack_capacity(t, 1);
		break;
	case 'r':
	case 'R':
		tui_end_engine(t);
		if (tui_start_engine(t) == -1)
			return (-1);
		break;
	case KEY_RESIZE:
		break;
	default:
		t->dirty = 0;
		break;
	}
	return (0);
}
