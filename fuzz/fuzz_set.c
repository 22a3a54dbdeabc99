/*
 * fuzz_set.c: libFuzzer target for --set. The input is a choice of
 * built-in scenario (its first byte) and then assignments apart by NUL
 * bytes, as argv gives them. Each is taken or refused with one "--set:"
 * line; what it takes is text that may reach the terminal; the scenario
 * stays one the engine can run: it validates, and its own script's sets
 * still apply.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenario.h"
#include "xmalloc.h"

#define FUZZ_SET_MAX	16	/* assignments tried on one scenario */

static void	check_scenario(struct scenario *);

/* What a run would read of the scenario after the sets. */
static void
check_scenario(struct scenario *s)
{
	static const char *const validate[] = { "--set: ", "builtin:", NULL };
	char		 buf[64], *cause = NULL;
	unsigned	 i;

	fuzz_check_text(s->title, "\t");
	for (i = 0; i < s->nstations; i++) {
		if (s->stations[i].say != NULL)
			fuzz_check_text(s->stations[i].say, "\t\n");
		if (s->stations[i].count == 0)
			abort();
		(void)scenario_rack(s, i);
	}
	for (i = 0; s->dish_names != NULL && i < s->ndishes; i++)
		fuzz_check_text(s->dish_names[i], "");
	if (s->ndishes == 0)
		abort();
	scenario_dish_name(s, s->ndishes - 1, buf, sizeof buf);
	if (scenario_validate(s, 0, &cause) == -1)
		fuzz_check_cause(cause, validate);
	if (scenario_validate(s, 1, &cause) == -1)
		fuzz_check_cause(cause, validate);	/* locks, even so */
	(void)scenario_script_workers(s);
	for (i = 0; i < s->nscript; i++) {
		/* The engine applies these during the run. */
		if (s->script[i].kind == STEP_SET &&
		    scenario_set(s, s->script[i].text, &cause) == -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "--set: ", NULL };
	struct scenario	*s;
	char		*text, *p, *end, *cause = NULL;
	unsigned	 n = 0;

	if (size == 0)
		return (0);
	s = fuzz_builtin(data[0]);
	text = xmalloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	end = text + size - 1;
	for (p = text; p <= end && n < FUZZ_SET_MAX; p += strlen(p) + 1, n++) {
		if (scenario_set(s, p, &cause) == -1)
			fuzz_check_cause(cause, prefixes);
	}
	check_scenario(s);
	scenario_free(s);
	free(text);
	return (0);
}
