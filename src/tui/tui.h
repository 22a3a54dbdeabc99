/*
 * tui.h: the ncurses screen. It reads the engine's events, stats and run
 * state, and calls the engine's controls; it never schedules anything.
 */
#ifndef DISHRACK_TUI_H
#define DISHRACK_TUI_H

#include "engine.h"
#include "web.h"

/*
 * What else watches the run beside the screen (the exports): told of each
 * run the screen starts, before it starts; of each event, as the screen
 * folds it; and of its end, once the engine has stopped and been drained
 * (the run ended, was left with q, or started again with r).
 */
struct tui_tap {
	void	(*start)(void *, struct engine *);
	void	(*event)(const struct event *, void *);
	void	(*end)(void *, struct engine *);
	void	*arg;
};

/*
 * Each frame as it reached the terminal: the rows that changed since
 * the last (all of the first, and after a resize), as text with
 * cursor-positioning and SGR sequences of their own, for an asciicast.
 */
typedef void (*tui_frame_fn)(void *, const char *, size_t, int cols,
    int rows);

struct tui_opts {
	int	 exit_when_done;
	int	 big;		/* lecture hall: fewer, larger parts */
	int	 color;		/* 0: monochrome */
	int	 ascii;		/* no UTF-8 box drawing or glyphs */
	int	 max_frames;	/* > 0: leave after that many frames (tests) */
	const struct tui_tap *tap;	/* NULL: none */
	tui_frame_fn frame;		/* NULL: none */
	void	*frame_arg;
	int	 offscreen_cols;	/* > 0: no terminal, a screen this */
	int	 offscreen_rows;	/* size that only frame sees */
};

/* Make a fresh engine for a (re)start, or NULL with *cause. */
typedef struct engine *(*tui_factory)(void *arg, char **cause);

/* Can this terminal run the screen? 0, or -1 with *why (static text). */
int	tui_usable(const char **why);

/*
 * Fork the screen off a guardian, before tui_run. Returns in the child,
 * which runs the screen; the parent never returns: it waits for the
 * child, puts the terminal back if the child died with the screen on
 * (SIGKILL too), and ends as the child did (its exit status, or the same
 * signal). Not a terminal, or fork fails: returns with no guardian.
 * argv is main's, for the guardian to name itself apart in ps.
 */
void	tui_guard(char **argv);

/*
 * Run the screen until the user quits (or the run ends, with
 * exit_when_done). Returns the exit status the program should use.
 */
int	tui_run(const struct tui_opts *, tui_factory, void *arg);

/* The same for a web server run (a scenario with a [server]). */
typedef struct web_run *(*tui_web_factory)(void *arg, char **cause);
int	tui_run_web(const struct tui_opts *, tui_web_factory, void *arg);

#endif
