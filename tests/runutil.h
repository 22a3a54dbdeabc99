/*
 * runutil.h: run a scenario text to the end for a test, keeping its events,
 * its figures and what its workers wrote.
 */
#ifndef DISHRACK_TEST_RUNUTIL_H
#define DISHRACK_TEST_RUNUTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "engine.h"
#include "scenario.h"
#include "stats.h"

struct test_run {
	struct stats	 st;
	struct event	*ev;
	size_t		 nev;
	size_t		 cap;
	char		*out;		/* worker output, NUL-terminated */
	int		 deadlock;
	char		*cycle;		/* the deadlock's cycle, or NULL */
	int		 interrupted;
	double		 speed;
	int64_t		 wall_ns;
	unsigned	 threads;	/* distinct kernel threads of workers */
};

int	test_run(struct test_run *, const char *text, const char *const *sets,
	    int virtual_clock, double speed, int64_t stop_after_ns);
int64_t	test_run_time(const struct test_run *, unsigned station, int kind,
	    unsigned n);
int64_t	test_run_done_at(const struct test_run *, unsigned station,
	    uint32_t dish);
void	test_run_free(struct test_run *);
/*
 * Run the built-in scenario name on the virtual clock, then for real at
 * speed, keeping the real run in *r. Returns the real wall time over the
 * virtual prediction (1.0: exactly as predicted), or -1.
 */
double	test_run_against_prediction(struct test_run *r, const char *name,
	    double speed);
char	*test_scenario_text(const char *name);
unsigned test_create_failures(const char *text, int virtual_clock);

/*
 * The script grows the last station to four workers, then shrinks it to
 * two while they work: removed workers leave with their last dish done.
 */
#define TEST_SHRINK_LAST_STATION \
	"[scenario]\ndishes = 12\n[washer]\ntime = 500ms\n" \
	"[dryer]\ncount = 1\ntime = 2s\n" \
	"[script]\n1s set dryer.count=4\n3s set dryer.count=2\n"


#endif
