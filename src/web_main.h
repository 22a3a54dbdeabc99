/*
 * web_main.h: the command line's way into a web server run (a scenario
 * with a [server] section): headless, the matrix, the text and JSON
 * figures.
 */
#ifndef DISHRACK_WEB_MAIN_H
#define DISHRACK_WEB_MAIN_H

#include <signal.h>
#include <stdio.h>

#include "matrix.h"
#include "scenario.h"
#include "web.h"

struct web_main_opts {
	int		 json;
	int		 quiet;
	const char	*name;		/* the scenario as named */
	volatile sig_atomic_t *signal;	/* set by the caller's handler */
};

/* Run scn (taken over) and print its figures: an exit status. */
int	web_main_headless(const struct web_main_opts *, struct scenario *);

/*
 * The matrix of a web scenario: load(arg, idx) gives the scenario of a
 * row (NULL: its error is printed). An exit status.
 */
int	web_main_matrix(const struct web_main_opts *, const struct matrix *,
	    struct scenario *(*load)(void *, const unsigned *), void *arg);

void	web_report_text(FILE *, const struct scenario *,
	    const struct web_figures *);
void	web_report_json(FILE *, const struct scenario *,
	    const struct web_figures *);

#endif
