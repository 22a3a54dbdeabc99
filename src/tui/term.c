/*
 * term.c: the terminal. Whether it can run the screen, curses mode on and
 * off, the signal handlers (they only set the flags the frame loop reads),
 * Ctrl-Z, and the colours with their monochrome stand-ins.
 */
#include "config.h"

#include "tui_private.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "xmalloc.h"

volatile sig_atomic_t tui_signal;
volatile sig_atomic_t tui_suspend;
static int tui_active;

static void	tui_on_signal(int);
static void	tui_on_suspend(int);
static void	tui_on_crash(int);
static void	tui_init_colors(struct tui *);

/* Whether the screen can run here: a tty, a known type, a movable cursor. */
int
tui_usable(const char **why)
{
	const char	*term = getenv("TERM");
	char		*cup;
	int		 err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = "not a terminal";
		return (-1);
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*why = "TERM is not set or is dumb";
		return (-1);
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*why = "the terminal type is unknown";
		return (-1);
	}
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		*why = "the terminal cannot address the cursor";
		del_curterm(cur_term);
		return (-1);
	}
	del_curterm(cur_term);
	return (0);
}

/* Leave curses mode; safe to call at any time, any number of times. */
void
tui_stop(void)
{
	if (tui_active) {
		tui_active = 0;
		endwin();
	}
}

/* SIGINT, SIGTERM, SIGHUP: the frame loop stops the run. */
static void
tui_on_signal(int sig)
{
	tui_signal = sig;
}

/* SIGTSTP: the frame loop gives the terminal back (tui_suspend_now). */
static void
tui_on_suspend(int sig)
{
	(void)sig;
	tui_suspend = 1;
}

/* As htop does: give the terminal back, say what happened, die as we were. */
static void
tui_on_crash(int sig)
{
	static const char	msg[] = "\ndishrack: crashed (signal); "
	    "the terminal was restored. Please report this.\n";

	tui_stop();
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Install the signal handlers and enter curses mode. Returns the screen,
 * or NULL if curses cannot start on this terminal.
 */
SCREEN *
tui_term_start(struct tui *t)
{
	struct sigaction	 sa;
	SCREEN			*scr;

	/* Ours first: ncurses installs its own only where none is set. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tui_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = tui_on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	sa.sa_handler = tui_on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	xmalloc_fatal_hook = tui_stop;

	if ((scr = newterm(NULL, stdout, stdin)) == NULL)
		return (NULL);
	tui_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	tui_init_colors(t);
	return (scr);
}

/* Leave curses mode and free the screen: the last call on the way out. */
void
tui_term_end(SCREEN *scr)
{
	tui_stop();
	delscreen(scr);
	xmalloc_fatal_hook = NULL;
}

/*
 * Ctrl-Z, as a shell user expects: the terminal given back and the process
 * stopped; on fg the screen redrawn. The run is paused meanwhile, so its
 * clock does not jump by the time spent stopped (the lecture resumes where
 * it was left), unless the user had paused it already.
 */
void
tui_suspend_now(struct tui *t)
{
	struct sigaction	sa;
	sigset_t		tstp, old;
	int			was_paused = engine_paused(t->eng);

	if (!was_paused)
		engine_pause(t->eng, 1);
	endwin();
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, NULL);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	pthread_sigmask(SIG_UNBLOCK, &tstp, &old);
	raise(SIGTSTP);		/* stopped here until SIGCONT */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sa.sa_handler = tui_on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	clearok(curscr, TRUE);
	refresh();
	if (!was_paused)
		engine_pause(t->eng, 0);
	t->urgent = 1;
}

/* The colour pairs, if colours are wanted and the terminal has them. */
static void
tui_init_colors(struct tui *t)
{
	if (!t->color || !has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(C_NORMAL, -1, -1);
	init_pair(C_WORK, COLOR_GREEN, -1);
	init_pair(C_WAIT, COLOR_CYAN, -1);
	init_pair(C_BLOCK, COLOR_RED, -1);
	init_pair(C_BOTTLENECK, COLOR_YELLOW, -1);
	init_pair(C_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_CAPTION, COLOR_YELLOW, -1);
	init_pair(C_DISH, COLOR_MAGENTA, -1);
	init_pair(C_BAD, COLOR_WHITE, COLOR_RED);
}

/* An attribute for a part: a colour, or in monochrome a stand-in. */
attr_t
tui_attr(struct tui *t, enum tui_color c)
{
	if (t->color && has_colors())
		return (COLOR_PAIR(c) | (c == C_BOTTLENECK || c == C_BAD ?
		    A_BOLD : 0));
	switch (c) {
	case C_HEADER:
	case C_BAD:
		return (A_REVERSE);
	case C_BOTTLENECK:
	case C_CAPTION:
	case C_WORK:
		return (A_BOLD);
	case C_WAIT:
		return (A_DIM);
	default:
		return (A_NORMAL);
	}
}
