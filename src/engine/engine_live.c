/*
 * engine_live.c: the live changes beyond a station's count and time, from
 * the [script] and the screen's keys: the cupboard's lock, the GIL, and a
 * rack's capacity.
 *
 * DESIGN: each takes effect at the next use, never under a worker's feet:
 * a worker reads the cupboard's mode once per dish (a mutex taken is let
 * go as a mutex), takes the GIL or not once per dish (one switched off
 * mid-dish finishes that dish under it), and a rack's new capacity is
 * applied under the rack's own lock, waking the putters waiting for room.
 * The GIL can be switched on in any run, and off again: its locks exist in
 * every run from the start, off unless the scenario has one, so threads
 * already running find it on at their next dish. A rack's capacity
 * can change in a rack in this process's memory sized for every dish (the
 * engine sizes them so up to 65536 dishes), not in Redis or ZeroMQ, whose
 * servers and sockets keep their own.
 */
#include "config.h"

#include "engine.h"
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "rack.h"
#include "i18n.h"
#include "xmalloc.h"

static int
live_cupboard(struct engine *e, const char *assignment, char **cause)
{
	struct run	*run = e->run;

	if (run->cupboard == NULL) {
		xasprintf(cause, _("this run has no [cupboard] to lock"));
		return (-1);
	}
	pthread_mutex_lock(&e->ctl);
	if (scenario_set(e->scn, assignment, cause) == -1) {
		pthread_mutex_unlock(&e->ctl);
		return (-1);
	}
	atomic_store(&run->cupboard->mode, (int)e->scn->cupboard_lock);
	pthread_mutex_unlock(&e->ctl);
	return (0);
}

/* 0 (*ctl says which way), or -1. */
static int
live_gil(struct engine *e, const char *value, int *ctl, char **cause)
{
	struct run	*run = e->run;
	int		 off;

	if (strcmp(value, "on") == 0)
		off = 0;
	else if (strcmp(value, "off") == 0)
		off = 1;
	else {
		xasprintf(cause, _("scenario.gil: expected on or off, found "
		    "'%s'"),
		    value);
		return (-1);
	}
	if (run->ngils == 0) {
		xasprintf(cause, _("this run has no GIL to switch"));
		return (-1);
	}
	/*
	 * On, in a run that started without: the scenario says so from now
	 * (the summary's GIL figures), and the screen grows the GIL's row.
	 */
	pthread_mutex_lock(&e->ctl);
	if (!off)
		e->scn->gil = 1;
	pthread_mutex_unlock(&e->ctl);
	if (!off)
		atomic_store(&run->gil_ever, 1);
	atomic_store(&run->gil_off, off);
	*ctl = off ? CTL_GIL_OFF : CTL_GIL_ON;
	return (0);
}

/* The rack in front of station i (i > 0) to capacity; 0, or -1. */
static int
live_rack_one(struct engine *e, unsigned i, uint32_t capacity, char **cause)
{
	struct rack	*r = e->run->st[i].in;

	if (e->scn->broadcast) {
		xasprintf(cause, _("a broadcast has no capacity to change"));
		return (-1);
	}
	if (r == NULL || rack_set_capacity(r, capacity) == -1) {
		xasprintf(cause, _("the rack in front of %s cannot change its "
		    "capacity during the run (only a rack in this process's "
		    "memory can, up to %u dishes)"), e->scn->stations[i].name,
		    65536);
		return (-1);
	}
	return (0);
}

/*
 * scenario.rack (every rack that has no capacity of its own) or
 * STATION.rack (the rack in front of it), as the scenario's key says.
 */
static int
live_rack(struct engine *e, const char *assignment, int si, char **cause)
{
	struct scenario	 copy;
	unsigned	 i;

	if (si == 0) {
		xasprintf(cause, _("%s takes its dishes from the pile, which "
		    "has no capacity: set the rack in front of a later "
		    "station"),
		    e->scn->stations[0].name);
		return (-1);
	}
	/* The value checked on a copy first: nothing half done. */
	pthread_mutex_lock(&e->ctl);
	memcpy(&copy, e->scn, sizeof copy);
	if (scenario_set(e->scn, assignment, cause) == -1) {
		pthread_mutex_unlock(&e->ctl);
		return (-1);
	}
	for (i = 1; i < e->scn->nstations; i++) {
		if (si > 0 && i != (unsigned)si)
			continue;
		if (si < 0 && e->scn->stations[i].rack_set)
			continue;
		if (live_rack_one(e, i, scenario_rack(e->scn, i), cause) ==
		    -1) {
			/* Back as it was, racks and words. */
			for (; i-- > 1; )
				(void)rack_set_capacity(e->run->st[i].in,
				    scenario_rack(&copy, i));
			e->scn->rack = copy.rack;
			if (si > 0) {
				e->scn->stations[si].rack =
				    copy.stations[si].rack;
				e->scn->stations[si].rack_set =
				    copy.stations[si].rack_set;
			}
			pthread_mutex_unlock(&e->ctl);
			return (-1);
		}
	}
	pthread_mutex_unlock(&e->ctl);
	return (0);
}

int
engine_set_live(struct engine *e, const char *assignment, char **cause)
{
	const char	*dot = strchr(assignment, '.');
	const char	*eq = strchr(assignment, '=');
	struct station	*st;
	char		 section[SCN_NAME_MAX], key[32];
	size_t		 n, k;
	int		 rc, ctl = CTL_SET_LIVE;

	if (dot == NULL || eq == NULL || dot > eq ||
	    (n = (size_t)(dot - assignment)) >= sizeof section ||
	    (k = (size_t)(eq - dot - 1)) >= sizeof key)
		return (1);
	memcpy(section, assignment, n);
	section[n] = '\0';
	memcpy(key, dot + 1, k);
	key[k] = '\0';
	if (strcmp(section, "cupboard") == 0 && strcmp(key, "lock") == 0)
		rc = live_cupboard(e, assignment, cause);
	else if (strcmp(section, "scenario") == 0 && strcmp(key, "gil") == 0)
		rc = live_gil(e, eq + 1, &ctl, cause);
	else if (strcmp(section, "scenario") == 0 && strcmp(key, "rack") == 0)
		rc = live_rack(e, assignment, -1, cause);
	else if (strcmp(key, "rack") == 0 &&
	    (st = scenario_station(e->scn, section)) != NULL)
		rc = live_rack(e, assignment, (int)(st - e->scn->stations),
		    cause);
	else
		return (1);
	if (rc == 0)
		run_event(e->run, NULL, EV_CONTROL, DISH_NONE, ctl);
	return (rc);
}
