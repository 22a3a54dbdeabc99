/*
 * fuzz_scenario.c: libFuzzer target for the scenario parser. Any input
 * must give a scenario or one error line naming the file, never a crash or
 * a leak, and printed with nothing that can drive a terminal; a scenario
 * that parses holds only text where it reaches the terminal, must take
 * overrides, run its own script sets, validate, and write its times back
 * in a form that reads the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenario.h"

static void	check_round_trip(struct scenario *, unsigned);

/* dist_format's text, set again, must give the same distribution. */
static void
check_round_trip(struct scenario *s, unsigned i)
{
	struct station	*st = &s->stations[i];
	struct dist	 d = st->time;
	char		 buf[64], set[128], *cause = NULL;

	dist_format(&d, buf, sizeof buf);
	snprintf(set, sizeof set, "%s.time=%s", st->name, buf);
	if (scenario_set(s, set, &cause) == -1 || st->time.kind != d.kind ||
	    st->time.a_ns != d.a_ns ||
	    (d.kind == DIST_UNIFORM && st->time.b_ns != d.b_ns))
		abort();
}

/* Parse the input, then use the scenario the way main and the engine do. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {
		"scenario.dishes=3", "dryer.count=2", "washer.time=1s..2s",
		"scenario.rack=0", "dryer.cont=1", "x.y=z", "nodot",
		"scenario.mode=processes", " washer.say = {dish} # x\\n"
	};
	static const char *const parse[] = { "fuzz:", NULL };
	static const char *const set[] = { "--set: ", NULL };
	static const char *const validate[] = { "fuzz:", "--set: ", NULL };
	struct scenario	*s;
	char		*cause = NULL, buf[64];
	size_t		 i;

	s = scenario_parse("fuzz", (const char *)data, size, &cause);
	if (s == NULL) {
		fuzz_check_cause(cause, parse);
		return (0);
	}
	/* What reaches the terminal as it is: text only. */
	fuzz_check_text(s->title, "\t");
	for (i = 0; i < s->nscript; i++)
		fuzz_check_text(s->script[i].text, "\t");
	for (i = 0; i < s->nstations; i++) {
		if (s->stations[i].say != NULL)
			fuzz_check_text(s->stations[i].say, "\t\n");
	}
	for (i = 0; i < s->nscript; i++) {
		if (s->script[i].kind == STEP_SET &&
		    scenario_set(s, s->script[i].text, &cause) == -1)
			abort();	/* the parser checked every set */
	}
	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		if (scenario_set(s, sets[i], &cause) == -1)
			fuzz_check_cause(cause, set);
	}
	if (scenario_validate(s, 0, &cause) == -1)
		fuzz_check_cause(cause, validate);
	(void)scenario_script_workers(s);
	for (i = 0; i < s->nstations; i++) {
		check_round_trip(s, (unsigned)i);
		(void)scenario_rack(s, (unsigned)i);
	}
	scenario_dish_name(s, 0, buf, sizeof buf);
	scenario_dish_name(s, s->ndishes - 1, buf, sizeof buf);
	(void)scn_mode_name(s->mode);
	scenario_free(s);
	return (0);
}
