/*
 * keys.c: what each key does, through the engine's controls (pause, speed,
 * workers, a station's time); what changed is said on the caption line.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void	tui_change_workers(struct tui *, int, int);
static void	tui_scale_time(struct tui *, double);
static void	tui_go_on(struct tui *);
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

/* Add a worker at station si (add), or ask one to leave; say which. */
static void
tui_change_workers(struct tui *t, int si, int add)
{
	const struct scenario	*scn = engine_scenario(t->eng);
	char			*cause = NULL;
	int			 rc;

	if (si < 0)
		return;
	rc = add ? engine_add_worker(t->eng, (unsigned)si, &cause) :
	    engine_remove_worker(t->eng, (unsigned)si, &cause);
	if (rc == -1) {
		tui_set_status(t, "%s", cause);
		free(cause);
	} else
		tui_set_status(t, add ? _("added a %s") : _("removing a %s"),
		    scn->stations[si].name);
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

	switch (ch) {
	case KEY_DOWN:
	case 'j':
		t->help_top++;
		return (0);
	case KEY_UP:
	case 'k':
		t->help_top--;
		return (0);
	case KEY_NPAGE:
		t->help_top += page;
		return (0);
	case KEY_PPAGE:
		t->help_top -= page;
		return (0);
	case KEY_HOME:
		t->help_top = 0;
		return (0);
	case KEY_END:
		t->help_top = tui_help_rows(t);
		return (0);
	}
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
		tui_set_status(t, "killed %s%s%sagent %s: SIGKILL of its "
		    "process; its workers are lost when its pulse stops (3 s), "
		    "what they held goes back", rc == 0 ? "every " : "",
		    rc == 0 ? name : "", rc == 0 ? " here and " : "", hosts);
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
			tui_set_status(t, "%s", _("paused by the script: space, "
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
