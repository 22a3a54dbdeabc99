/*
 * pane_help.c: the help panel ('?'): every key, over the screen until the
 * next key.
 */
#include "config.h"

#include "tui_private.h"

#include <stdint.h>

/* The help panel. */
void
tui_draw_help(struct tui *t)
{
	static const char *const help[] = {
		"space   pause / resume (workers stop at their next step)",
		".       while paused: run to a worker's next event",
		"+ -     twice / half the speed",
		"tab     select the next station (left/right arrows too)",
		"a A     add / remove a worker at the selected station",
		"[ ]     selected station faster / slower (time x0.8 / x1.25)",
		"d D     add / remove a dryer",
		"w W     add / remove a washer",
		"r       restart the scenario",
		"?       this help",
		"q       quit",
	};

	tui_draw_panel(t, "keys", (char **)(uintptr_t)help,
	    (int)(sizeof help / sizeof help[0]));
}
