/*
 * fuzz_scenario.c: libFuzzer target for the scenario parser. Any input
 * must give a scenario or an error, never a crash or a leak; a scenario
 * that parses must take overrides and validate.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "scenario.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sets[] = {
		"scenario.dishes=3", "dryer.count=2", "washer.time=1s..2s",
		"scenario.rack=0", "dryer.cont=1", "x.y=z"
	};
	struct scenario	*s;
	char		*cause = NULL, buf[64];
	size_t		 i;

	s = scenario_parse("fuzz", (const char *)data, size, &cause);
	if (s == NULL) {
		free(cause);
		return (0);
	}
	for (i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		if (scenario_set(s, sets[i], &cause) == -1)
			free(cause);
	}
	if (scenario_validate(s, 0, &cause) == -1)
		free(cause);
	for (i = 0; i < s->nstations; i++)
		dist_format(&s->stations[i].time, buf, sizeof buf);
	scenario_dish_name(s, 0, buf, sizeof buf);
	scenario_free(s);
	return (0);
}
