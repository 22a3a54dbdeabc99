/*
 * term.c: the terminal. Whether it can run the screen, curses mode on and
 * off, the signal handlers, Ctrl-Z, the guardian that restores the
 * terminal after a SIGKILL, and the colours with their monochrome
 * stand-ins.
 *
 * DESIGN: every signal whose default action ends the process is caught
 * (tui_sigs). The terminating ones only set the flag the frame loop reads,
 * which stops the run as SIGTERM does. The fatal ones restore the terminal
 * from the handler itself, with nothing but write(2) and tcsetattr(3)
 * (the text to write is made in advance), and die of the signal. SIGKILL
 * cannot be caught: the guardian, the process the screen was forked from,
 * waits for it and restores the terminal if the screen was on when it
 * died. The screen's state (on or off) lives in a shared page so that the
 * guardian knows. Worker processes forked later inherit the handlers; a
 * handler that finds itself in one of them does what the default would.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "xmalloc.h"

/* What a signal does to the screen, after its default action. */
enum tui_sig_kind {
	SIGK_STOP,		/* it terminates: stop the run, as on SIGTERM */
	SIGK_FATAL,		/* it dumps core: restore, die of it */
	SIGK_CRASH		/* the same, and it is a crash to report */
};

static const struct tui_sig {
	int			 sig;
	const char		*name;
	enum tui_sig_kind	 kind;
} tui_sigs[] = {
	{ SIGHUP, "SIGHUP", SIGK_STOP },
	{ SIGINT, "SIGINT", SIGK_STOP },
	{ SIGTERM, "SIGTERM", SIGK_STOP },
	{ SIGUSR1, "SIGUSR1", SIGK_STOP },
	{ SIGUSR2, "SIGUSR2", SIGK_STOP },
	{ SIGALRM, "SIGALRM", SIGK_STOP },
	{ SIGVTALRM, "SIGVTALRM", SIGK_STOP },
	{ SIGPROF, "SIGPROF", SIGK_STOP },
#ifdef SIGPOLL
	{ SIGPOLL, "SIGPOLL", SIGK_STOP },
#elif defined(SIGIO)
	{ SIGIO, "SIGIO", SIGK_STOP },
#endif
#ifdef SIGPWR
	{ SIGPWR, "SIGPWR", SIGK_STOP },
#endif
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "SIGSTKFLT", SIGK_STOP },
#endif
#ifdef SIGLOST
	{ SIGLOST, "SIGLOST", SIGK_STOP },
#endif
	{ SIGQUIT, "SIGQUIT", SIGK_FATAL },
	{ SIGTRAP, "SIGTRAP", SIGK_FATAL },
	{ SIGSYS, "SIGSYS", SIGK_FATAL },
	{ SIGXCPU, "SIGXCPU", SIGK_FATAL },
	{ SIGXFSZ, "SIGXFSZ", SIGK_FATAL },
#ifdef SIGEMT
	{ SIGEMT, "SIGEMT", SIGK_FATAL },
#endif
	{ SIGSEGV, "SIGSEGV", SIGK_CRASH },
	{ SIGBUS, "SIGBUS", SIGK_CRASH },
	{ SIGFPE, "SIGFPE", SIGK_CRASH },
	{ SIGILL, "SIGILL", SIGK_CRASH },
	{ SIGABRT, "SIGABRT", SIGK_CRASH },
};
#define TUI_NSIGS	(sizeof tui_sigs / sizeof tui_sigs[0])

#define GUARD_NAME	"dishrack-guard"

volatile sig_atomic_t tui_signal;
volatile sig_atomic_t tui_suspend;

/*
 * Whether curses mode is on. Points into the page shared with the
 * guardian when there is one.
 */
static volatile sig_atomic_t	 tui_active_here;
static volatile sig_atomic_t	*tui_active = &tui_active_here;
static pid_t			 tui_pid;	/* the screen's process */

/* What puts the terminal back, made before it is needed. */
static char			 tui_restore_text[256];
static size_t			 tui_restore_len;
static struct termios		 tui_saved_modes;
static int			 tui_have_modes;

static volatile pid_t		 guard_child;

static void	tui_on_signal(int);
static void	tui_on_suspend(int);
static void	tui_on_fatal(int);
static void	tui_die_of(int) __attribute__((noreturn));
static int	tui_restore_putc(int);
static void	tui_restore_prepare(void);
static void	tui_restore_now(void);
static void	guard_on_signal(int, siginfo_t *, void *);
static void	guard_rename(char **);
static int	guard_follow_stop(int);
static void	tui_init_colors(struct tui *);

/* Whether the screen can run here: a tty, a known type, a movable cursor. */
int
tui_usable(const char **why)
{
	const char	*term = getenv("TERM");
	char		*cup;
	int		 err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*why = _("not a terminal");
		return (-1);
	}
	if (term == NULL || *term == '\0' || strcmp(term, "dumb") == 0) {
		*why = _("TERM is not set or is dumb");
		return (-1);
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		*why = _("the terminal type is unknown");
		return (-1);
	}
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1) {
		*why = _("the terminal cannot address the cursor");
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
	if (*tui_active && getpid() == tui_pid) {
		endwin();
		*tui_active = 0;
	}
}

/* Terminating signals: the frame loop stops the run. */
static void
tui_on_signal(int sig)
{
	if (getpid() != tui_pid)
		tui_die_of(sig);	/* a worker process: as by default */
	tui_signal = sig;
}

/* SIGTSTP: the frame loop gives the terminal back (tui_suspend_now). */
static void
tui_on_suspend(int sig)
{
	(void)sig;
	tui_suspend = 1;
}

/*
 * Fatal signals, as htop does: give the terminal back, say what happened
 * if it is a crash, die as we were (so the exit status is honest). Only
 * async-signal-safe calls: the frame loop may be inside curses.
 */
static void
tui_on_fatal(int sig)
{
	static const char	crash1[] = "\ndishrack: crashed (";
	static const char	crash2[] = "); the terminal was restored. "
	    "Please report this.\n";
	size_t			i;

	if (getpid() == tui_pid) {
		tui_restore_now();
		for (i = 0; i < TUI_NSIGS; i++) {
			if (tui_sigs[i].sig != sig ||
			    tui_sigs[i].kind != SIGK_CRASH)
				continue;
			(void)!write(STDERR_FILENO, crash1, sizeof crash1 - 1);
			(void)!write(STDERR_FILENO, tui_sigs[i].name,
			    strlen(tui_sigs[i].name));
			(void)!write(STDERR_FILENO, crash2, sizeof crash2 - 1);
		}
	}
	tui_die_of(sig);
}

/* End the process by sig, with its default action. */
static void
tui_die_of(int sig)
{
	struct sigaction	sa;
	sigset_t		set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);	/* a signal whose default is to go on */
}

/* tputs' output, into the restore text. */
static int
tui_restore_putc(int c)
{
	if (tui_restore_len < sizeof tui_restore_text)
		tui_restore_text[tui_restore_len++] = (char)c;
	return (c);
}

/*
 * Save the terminal's modes and make the text that leaves curses mode as
 * endwin would (attributes and colours off, the cursor shown, the keypad
 * and the alternate screen left), once, before curses changes anything.
 */
static void
tui_restore_prepare(void)
{
	static const char *const caps[] = {
		"sgr0", "op", "cnorm", "rmkx", "rmcup"
	};
	TERMINAL	*old = cur_term;
	char		*s;
	size_t		 i;
	int		 err;

	if (tui_have_modes)
		return;
	if (tcgetattr(STDIN_FILENO, &tui_saved_modes) == 0)
		tui_have_modes = 1;
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return;
	for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		s = tigetstr(caps[i]);
		if (s != NULL && s != (char *)-1)
			tputs(s, 1, tui_restore_putc);
	}
	del_curterm(cur_term);
	set_curterm(old);
}

/*
 * Put the terminal back if the screen has it: async-signal-safe, for the
 * fatal handlers and the guardian. A job in the background leaves the
 * terminal alone: it belongs to whoever is in the foreground.
 */
static void
tui_restore_now(void)
{
	if (!*tui_active)
		return;
	if (tcgetpgrp(STDIN_FILENO) == getpgrp()) {
		(void)!write(STDOUT_FILENO, tui_restore_text, tui_restore_len);
		if (tui_have_modes)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &tui_saved_modes);
	}
	*tui_active = 0;
}

/*
 * A screen no terminal shows (headless --cast): curses draws into a
 * window of the size asked, its bytes go to /dev/null, and its keys come
 * from a pipe nobody writes to, so getch's timeouts still pace the loop.
 */
static SCREEN *
tui_offscreen(struct tui *t)
{
	static FILE	*out, *in;
	char		 n[16];
	int		 fds[2];

	if (out == NULL && (out = fopen("/dev/null", "w")) == NULL)
		return (NULL);
	if (in == NULL) {
		if (pipe(fds) == -1 || (in = fdopen(fds[0], "r")) == NULL)
			return (NULL);
		/* fds[1] stays open (and unwritten) for the process's life. */
	}
	snprintf(n, sizeof n, "%d", t->o->offscreen_cols);
	setenv("COLUMNS", n, 1);
	snprintf(n, sizeof n, "%d", t->o->offscreen_rows);
	setenv("LINES", n, 1);
	return (newterm("xterm-256color", out, in));
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
	size_t			 i;
	int			 s;

	tui_pid = getpid();
	if (t->o->offscreen_cols <= 0)
		tui_restore_prepare();
	/* Ours first: ncurses installs its own only where none is set. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < TUI_NSIGS; i++) {
		if (tui_sigs[i].kind == SIGK_STOP) {
			sa.sa_handler = tui_on_signal;
			sa.sa_flags = 0;
		} else {
			sa.sa_handler = tui_on_fatal;
			sa.sa_flags = SA_RESETHAND;
		}
		sigaction(tui_sigs[i].sig, &sa, NULL);
	}
	sa.sa_handler = tui_on_signal;
	sa.sa_flags = 0;
	for (s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaction(s, &sa, NULL);
	sa.sa_handler = tui_on_suspend;
	sigaction(SIGTSTP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	xmalloc_fatal_hook = tui_stop;

	if (t->o->offscreen_cols > 0)
		scr = tui_offscreen(t);
	else
		scr = newterm(NULL, stdout, stdin);
	if (scr == NULL)
		return (NULL);
	*tui_active = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);	/* Esc is a key of its own here */
	curs_set(0);
	tui_init_colors(t);
	return (scr);
}

/* Pass on what was sent to the guardian; the terminal's signals, not. */
static void
guard_on_signal(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (si->si_code <= 0) {
		/* From a process (kill, sigqueue): meant for the screen. */
		kill(guard_child, sig);
		return;
	}
	switch (sig) {
	case SIGHUP:
		/*
		 * A hang-up goes to the terminal's controlling process, which
		 * the guardian is when it leads the session (a tmux pane, an
		 * ssh login): the screen may never see it. Twice is harmless.
		 */
		kill(guard_child, sig);
		return;
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
		/* From the terminal, to the whole job: the screen has it. */
		return;
	default:
		/* From the kernel, about the guardian itself. */
		tui_die_of(sig);
	}
}

/*
 * Name the guardian apart from the screen, in ps and pgrep (-f too): what
 * looks for the screen's process, its workers or its CPU time by name or
 * command line finds the screen. The command line's strings are
 * contiguous; the guardian needs them no more.
 */
static void
guard_rename(char **argv)
{
	char	*start, *end;
	size_t	 i;
	int	 grew = 1;

#ifdef HAVE_SYS_PRCTL_H
	prctl(PR_SET_NAME, GUARD_NAME);
#endif
	if (argv == NULL || argv[0] == NULL)
		return;
	start = argv[0];
	end = start + strlen(start);
	/* getopt may have reordered the pointers: follow the memory. */
	while (grew) {
		grew = 0;
		for (i = 1; argv[i] != NULL; i++) {
			if (argv[i] == end + 1) {
				end = argv[i] + strlen(argv[i]);
				grew = 1;
			}
		}
	}
	memset(start, 0, (size_t)(end - start));
	snprintf(start, (size_t)(end - start) + 1, "%s", GUARD_NAME);
}

/*
 * The screen stopped. If for job control (Ctrl-Z, or it touched the
 * terminal from the background), stop as well with the same signal: the
 * shell waits for the guardian, and sees the job stop only now, with the
 * terminal given back. Returns 1 once continued, 0 if it did not follow
 * (SIGSTOP: whoever sent it will send SIGCONT to the screen).
 */
static int
guard_follow_stop(int sig)
{
	struct sigaction	sa, old;

	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		return (0);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, &old);
	raise(sig);		/* stopped here until fg */
	sigaction(sig, &old, NULL);
	return (1);
}

/* The guardian: see tui.h. */
void
tui_guard(char **argv)
{
	struct sigaction	 sa;
	struct rlimit		 rl;
	volatile sig_atomic_t	*shared;
	pid_t			 pid;
	size_t			 i;
	int			 status, s;

	tui_restore_prepare();
	if (!tui_have_modes)
		return;
	shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return;
	*shared = 0;
	tui_active = shared;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		tui_active = &tui_active_here;
		munmap((void *)shared, sizeof *shared);
		return;
	}
	if (pid == 0)
		return;		/* the screen */

	guard_child = pid;
	guard_rename(argv);
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_sigaction = guard_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	for (i = 0; i < TUI_NSIGS; i++)
		sigaction(tui_sigs[i].sig, &sa, NULL);
	for (s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaction(s, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if (waitpid(pid, &status, WUNTRACED) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (!WIFSTOPPED(status))
			break;
		if (guard_follow_stop(WSTOPSIG(status)))
			kill(pid, SIGCONT);
	}
	tui_restore_now();
	/* Nothing of the program's own to flush: its work was the child's. */
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status));
	/* A core, if any, is the screen's: none of the guardian's beside it. */
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
	tui_die_of(WTERMSIG(status));
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
	/* A web server run has no engine: its sockets go on meanwhile. */
	int			was_paused = t->eng == NULL ||
				    engine_paused(t->eng);

	if (!was_paused)
		engine_pause(t->eng, 1);
	endwin();
	*tui_active = 0;
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
	*tui_active = 1;
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
