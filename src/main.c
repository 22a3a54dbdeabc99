/*
 * main.c: the command line. Reads options and the scenario, then hands the
 * run to a view: the screen, or the headless report.
 */
#include "config.h"

#include <errno.h>
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "clock.h"
#include "engine.h"
#include "agent.h"
#include "cast.h"
#include "engine_replay.h"
#include "exports.h"
#include "i18n.h"
#include "replay_data.h"
#include "matrix.h"
#include "report.h"
#include "safe.h"
#include "scenario.h"
#include "stats.h"
#include "tui.h"
#include "web_main.h"
#include "xmalloc.h"

#define EXIT_RUN_FAILED	1
#define EXIT_USAGE	2
#define MAX_SETS	64
#define CAST_COLS	100	/* the screen of a headless --cast */
#define CAST_ROWS	30

struct options {
	int		 headless;
	int		 json;
	int		 quiet;
	int		 check;
	int		 list;
	int		 exit_when_done;
	int		 force;
	int		 big;
	int		 no_color;
	int		 ascii;
	int		 max_frames;
	int		 virtual_clock;
	double		 speed;
	int		 have_seed;
	unsigned long long seed;
	const char	*sets[MAX_SETS];
	int		 nsets;
	const char	*scenario;
	const char	*matrix;
	const char	*record;	/* --record FILE */
	const char	*replay;	/* --replay FILE */
	const char	*trace;		/* --trace FILE */
	const char	*svg;		/* --svg FILE */
	const char	*cast;		/* --cast FILE */
	const char	*report;	/* --report FILE.html */
	char		**argv;		/* main's, for the screen's guardian */
	unsigned	 wait_agents;	/* --wait-agents N */
};

/* What one run of a matrix row gives. */
struct run_figures {
	double		 seconds;	/* scenario time */
	double		 throughput;
	unsigned long long gil_switches;
	double		 gil_wait;
	int		 conserved;
	double		 pred_seconds;	/* theory's, beside the measured */
	double		 pred_throughput;
	int		 broadcast;	/* a broadcast's copies, and missed */
	unsigned long long received;
	unsigned long long missed;
};

static volatile sig_atomic_t main_signal;

static void	usage(FILE *);
static void	main_error(const char *, ...)
		    __attribute__((format(printf, 1, 2)));
static int	main_is_decimal(const char *, int);
static void	main_on_signal(int);
static struct scenario *main_load(const struct options *,
		    const struct matrix *, const unsigned *, int);
static int	main_headless(const struct options *, struct scenario *);
static int	main_web(const struct options *, struct scenario *);
static struct scenario *main_web_load(void *, const unsigned *);
static void	main_exports_opts(const struct options *,
		    struct exports_opts *);
static int	main_replay(const struct options *);
static int	main_screen_replay(struct options *, int);

static const struct option long_options[] = {
	{ "headless",		no_argument,		NULL, 'H' },
	{ "json",		no_argument,		NULL, 'j' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "set",		required_argument,	NULL, 's' },
	{ "speed",		required_argument,	NULL, 'S' },
	{ "clock",		required_argument,	NULL, 'c' },
	{ "seed",		required_argument,	NULL, 'e' },
	{ "check",		no_argument,		NULL, 'C' },
	{ "list",		no_argument,		NULL, 'l' },
	{ "exit-when-done",	no_argument,		NULL, 'x' },
	{ "force",		no_argument,		NULL, 'f' },
	{ "big",		no_argument,		NULL, 'b' },
	{ "no-color",		no_argument,		NULL, 'n' },
	{ "ascii",		no_argument,		NULL, 'a' },
	{ "max-frames",		required_argument,	NULL, 'M' },
	{ "matrix",		required_argument,	NULL, 'm' },
	{ "record",		required_argument,	NULL, 'R' },
	{ "replay",		required_argument,	NULL, 'P' },
	{ "trace",		required_argument,	NULL, 'T' },
	{ "svg",		required_argument,	NULL, 'G' },
	{ "cast",		required_argument,	NULL, 'K' },
	{ "report",		required_argument,	NULL, 'O' },
	{ "wait-agents",	required_argument,	NULL, 'W' },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(FILE *f)
{
	fputs(_(
"usage: dishrack [OPTIONS] [SCENARIO]\n"
"       dishrack agent URL --station NAME [--count N] [--mode threads|processes]\n"
"                      [--name NAME]\n"), f);
	fputs(_(
"Watch washers and dryers run concurrently: threads, processes, coroutines,\n"
"and programs on other machines sharing a Redis or ZeroMQ sockets (dishrack\n"
"agent URL: redis://[:PASSWORD@]HOST:PORT[/DB] or tcp://HOST:PORT).\n"
"SCENARIO is a .scn file or a built-in name (--list); none runs seed-threads.\n"
	    ), f);
	fputs("\n", f);
	fputs(_(
"  --headless          no screen: worker output as it happens, then a summary\n"
"  --json              with --headless: the summary as one JSON object\n"
"  -q, --quiet         with --headless: only the summary\n"
"  --set KEY=VALUE     override a scenario value, e.g. --set dryer.count=3\n"
"  --speed FACTOR      time scale: 0.25 slow motion, 10 fast forward\n"
"  --clock real|virtual  real time, or an exact discrete-event simulation\n"
"  --seed N            random seed (random times, virtual interleavings)\n"
"  --matrix 'K=V,V K=V,V'  with --headless: run every combination and print\n"
"                      a table (time, speed-up over one worker, GIL hand-overs,\n"
"                      theory's predicted time and throughput beside them;\n"
"                      for a web server, page latency p50 to max), e.g.\n"
"                      --matrix 'server.model=sync,threads:4,async' webserver\n"
"  --record FILE       write the run's events to FILE (JSON Lines)\n"
"  --replay FILE       the screen of a recorded run (, < > c Home End move\n"
"                      through it); with --headless, its summary\n"
"  --trace FILE        the run as Chrome trace JSON (Perfetto, chrome://tracing)\n"
"  --svg FILE          the run as a picture for a slide\n"
"  --report FILE       one HTML page to share: the picture, summary, scenario\n"
"  --cast FILE         the screen as an asciicast v2 (asciinema play FILE);\n"
"                      with --headless, the screen it would show, 100x30\n"
"  --check             validate SCENARIO; print nothing if it is good\n"
"  --list              list the built-in scenarios\n"
"  --exit-when-done    leave the screen by itself when the run ends\n"
"  --force             allow more than 4096 threads (tasks) or 256 processes\n"
"  --big               the screen for a lecture hall: fewer, larger parts\n"
"  --no-color          a monochrome screen (so does NO_COLOR)\n"
"  --ascii             no UTF-8 box drawing or glyphs\n"
"  -h, --help          this help\n"
"  -V, --version       the version\n"), f);
	fputs(_(
"  --wait-agents N     a broadcast with sync = yes also waits for N agents'\n"
"                      subscribers before its first message (a minute)\n"), f);
	fputs("\n", f);
	fputs(_(
"Every summary puts what queueing theory predicts beside what the run\n"
"measured (capacity, bottleneck, Little's law, M/M/c); arrivals = exp(5s)\n"
"on the first station makes an open system, as queueing.scn does. The\n"
"bottleneck is the station the run measured busiest; the capacity column\n"
"is what the scenario's times alone predict.\n"), f);
	fputs("\n", f);
	fputs(_(
"A scenario with a [server] (webserver, webserver-cpu) runs a web server on\n"
"127.0.0.1 and prints its address. --set server.model=sync, threads:N,\n"
"processes:N or async; --set server.clients=external serves curl, wrk or\n"
"a browser until stopped.\n"), f);
	fputs("\n", f);
	fputs(_("On the screen: space pauses, t shows the theory beside the run, ? (or F1)\n"
"explains every key and glyph, q (or F10) quits; L, G, { and } switch the\n"
"cupboard's lock, the GIL and a rack's capacity live, as a [script] set of\n"
"cupboard.lock, scenario.gil or STATION.rack does.\n"), f);
	fputs("\n", f);
	fputs(_(
"In Korean: LANG=ko_KR.UTF-8, or LANGUAGE=ko in any UTF-8 locale.\n"), f);
	fputs("\n", f);
	fputs(_(
"Racks (scenario.transport): local; redis or redis://HOST:PORT (a Redis\n"
"list); zmq (ZeroMQ sockets over ipc://, no server) or zmq+tcp://HOST:PORT\n"
"(over TCP; agents join at tcp://HOST:PORT). Over ZeroMQ its own pipes and\n"
"the kernel's buffers hold dishes nobody can see: depth is sent - received.\n"),
	    f);
	fputs("\n", f);
	fputs(_(
"Exit status: 0 ok, 1 the run failed (dishes not conserved, deadlock),\n"
"2 usage or scenario error, 128+N when stopped by signal N.\n"
"See dishrack(1), dishrack-scenario(5) and dishrack-recording(5).\n"), f);
}

/*
 * Print one error line. Every error leaves through here, so what it quotes
 * from outside (a file name, a value, an argument) is made safe for the
 * terminal in one place: see doc/terminal-safety.md.
 */
static void
main_error(const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("dishrack: ", stderr);
	safe_fputs(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

/*
 * Whether s is a plain decimal number: digits, and if fraction is allowed
 * one '.' among them; no sign, blank, exponent, hex, inf or nan.
 */
static int
main_is_decimal(const char *s, int fraction)
{
	int	digits = 0;

	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (fraction && *s == '.') {
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	}
	return (digits > 0 && *s == '\0');
}

static void
main_on_signal(int sig)
{
	main_signal = sig;
}

/*
 * --wait-agents: a broadcast that waits (sync = yes), on racks agents can
 * reach. 0, or -1 said.
 */
static int
main_wait_agents_check(const struct options *o, const struct scenario *scn)
{
	const char	*t = scn->transport != NULL ? scn->transport : "local";

	if (!scn->broadcast) {
		main_error(_("--wait-agents: %s has no broadcast ([rack] kind = "
		    "broadcast) to wait with"), scn->file);
		return (-1);
	}
	if (!scn->sync) {
		main_error(_("--wait-agents: %s's broadcast does not wait for "
		    "its subscribers: add sync = yes to its [rack], or --set "
		    "rack.sync=yes"), scn->file);
		return (-1);
	}
	if (o->virtual_clock || !((strncmp(t, "redis", 5) == 0 &&
	    strcmp(t, "redis") != 0) || strncmp(t, "unix://", 7) == 0 ||
	    strncmp(t, "zmq+tcp://", 10) == 0)) {
		main_error(_("--wait-agents: no agent can join this run: its "
		    "racks are its own (agents join a real-clock run on "
		    "scenario.transport = redis://HOST:PORT or "
		    "zmq+tcp://HOST:PORT)"));
		return (-1);
	}
	return (0);
}

/*
 * Read SCENARIO: a file if one is there, else a built-in by name; then the
 * --set overrides, and with m the matrix's row idx, with one worker per
 * station if one_worker. NULL with the error printed.
 */
static struct scenario *
main_load(const struct options *o, const struct matrix *m,
    const unsigned *idx, int one_worker)
{
	const struct builtin	*b;
	struct scenario		*scn;
	struct stat		 sb;
	char			*cause = NULL, *file;
	const char		*name;
	unsigned		 k;
	int			 i;

	name = o->scenario != NULL ? o->scenario : BUILTIN_DEFAULT;
	b = NULL;
	if (o->scenario == NULL || stat(name, &sb) == -1)
		b = builtin_find(name);
	if (b != NULL) {
		xasprintf(&file, "builtin:%s", b->name);
		scn = scenario_parse(file, b->text, strlen(b->text), &cause);
		free(file);
	} else if (stat(name, &sb) == -1 && strpbrk(name, "/.") == NULL) {
		const char	*names[64], *near;
		size_t		 n;

		for (n = 0; n < nbuiltins && n < 64; n++)
			names[n] = builtins[n].name;
		if ((near = scn_suggest(name, names, n)) != NULL)
			main_error(_("%s: no such file or built-in scenario, "
			    "did you mean %s?"), name, near);
		else
			main_error(_("%s: no such file or built-in scenario "
			    "(dishrack --list shows the built-ins)"), name);
		return (NULL);
	} else
		scn = scenario_load(name, &cause);
	if (scn == NULL) {
		main_error("%s", cause);
		free(cause);
		return (NULL);
	}
	for (i = 0; i < o->nsets; i++) {
		if (scenario_set(scn, o->sets[i], &cause) == -1)
			goto bad;
	}
	if (m != NULL && matrix_apply(m, idx, scn, &cause) == -1)
		goto bad;
	for (k = 0; one_worker && k < scn->nstations; k++) {
		/* The baseline of a matrix row. */
		scn->stations[k].count = 1;
	}
	if (o->have_seed)
		scn->seed = o->seed;
	if (scenario_validate(scn, o->force, &cause) == -1)
		goto bad;
	return (scn);
bad:
	main_error("%s", cause);
	free(cause);
	scenario_free(scn);
	return (NULL);
}

/* One cell of the text table: a key or a value, made safe, padded. */
static void
matrix_cell(const char *text)
{
	char	*t;

	t = safe_strdup(text);
	printf("%-11s ", t);
	free(t);
}

/*
 * Run scn to the end (or to a signal), folding its events into *st, worker
 * text to out_fd. Returns the engine for the report, or NULL with the error
 * printed and *rc set; the caller frees st and the engine.
 */
static struct engine *
main_run(const struct options *o, struct scenario *scn, int out_fd,
    struct stats *st, struct exports *ex, int *rc)
{
	struct engine_opts	 eo;
	struct engine		*eng;
	struct live		 live;
	char			*cause = NULL;

	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = o->virtual_clock;
	eo.speed = o->speed;
	eo.output_fd = out_fd;
	eo.wait_agents = o->wait_agents;
	/*
	 * A recording keeps the workers' text, read from the ring, when
	 * they write it anyway: a quiet run's workers say nothing (and so
	 * never pause between the parts of a line), recorded or not.
	 */
	eo.output_ring = ex != NULL && ex->recorder != NULL && out_fd != -1;
	if ((eng = engine_create(scn, &eo, &cause)) == NULL) {
		main_error("%s", cause);
		free(cause);
		*rc = EXIT_USAGE;
		return (NULL);
	}
	stats_init(st, engine_scenario(eng));
	if (engine_start(eng, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		stats_free(st);
		engine_destroy(eng);
		*rc = EXIT_RUN_FAILED;
		return (NULL);
	}
	if (ex == NULL || ex->taps.n == 0) {
		engine_follow(eng, stats_event, st, &main_signal);
		stats_finish(st, eng);
	} else {
		live_init(&live, eng, st, &ex->taps, eo.output_ring);
		engine_follow(eng, live_event, &live, &main_signal);
		stats_finish(st, eng);
		live_end(&live);
		live_free(&live);
	}
	*rc = 0;
	return (eng);
}

/* Run a scenario quietly to the end and keep its figures. */
static int
run_quietly(const struct options *o, struct scenario *scn,
    struct run_figures *rf)
{
	struct engine	*eng;
	struct stats	 st;
	int		 rc;

	if ((eng = main_run(o, scn, -1, &st, NULL, &rc)) == NULL)
		return (-1);
	rf->seconds = (double)st.t_end / 1e9;
	rf->throughput = st.throughput;
	rf->gil_switches = st.gil_handovers;
	rf->gil_wait = (double)st.gil_wait_ns / 1e9;
	rf->conserved = st.conserved && st.complete;
	rf->pred_seconds = stats_prediction(&st)->wall_s;
	rf->pred_throughput = stats_prediction(&st)->throughput;
	rf->broadcast = st.broadcast;
	rf->received = st.received;
	rf->missed = st.missed_late + st.missed_dropped;
	stats_free(&st);
	engine_destroy(eng);
	return (main_signal != 0 ? -1 : 0);
}

/* Read the scenario with a matrix row and run it: 0, or an exit code. */
static int
matrix_run(const struct options *o, const struct matrix *m,
    const unsigned *idx, int one_worker, struct run_figures *rf)
{
	struct scenario	*scn;

	if ((scn = main_load(o, m, idx, one_worker)) == NULL)
		return (EXIT_USAGE);
	return (run_quietly(o, scn, rf) == -1 ? EXIT_RUN_FAILED : 0);
}

/*
 * Read every row of the matrix, and its baseline, before the first runs:
 * a bad value is an error of the command, not a table cut short. 0, or
 * -1 with the error printed.
 */
static int
matrix_check(const struct options *o, const struct matrix *m)
{
	struct scenario	*scn;
	unsigned	 idx[MATRIX_MAX_PARAMS];
	int		 one;

	memset(idx, 0, sizeof idx);
	do {
		for (one = 0; one < 2; one++) {
			if ((scn = main_load(o, m, idx, one)) == NULL)
				return (-1);
			scenario_free(scn);
		}
	} while (matrix_next(m, idx));
	return (0);
}

/*
 * The lecture's table from one command: every combination of the matrix,
 * each against the same scenario with one worker per station.
 */
static int
main_matrix(struct options *o)
{
	struct matrix		 m;
	struct run_figures	 rf, one;
	unsigned		 idx[MATRIX_MAX_PARAMS], k, row = 0;
	unsigned		 idx0[MATRIX_MAX_PARAMS] = { 0 };
	int			 failed = 0;
	char			*cause = NULL;
	struct sigaction	 sa;
	struct scenario		*scn;

	if (matrix_parse(&m, o->matrix, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		matrix_free(&m);
		return (EXIT_USAGE);
	}
	if (matrix_check(o, &m) == -1) {
		matrix_free(&m);
		return (EXIT_USAGE);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if ((scn = main_load(o, &m, idx0, 0)) != NULL && scn->web.on) {
		struct web_main_opts	 wo;
		void			*arg[2] = { o, &m };

		scenario_free(scn);
		memset(&wo, 0, sizeof wo);
		wo.json = o->json;
		wo.name = o->scenario != NULL ? o->scenario : BUILTIN_DEFAULT;
		wo.signal = &main_signal;
		signal(SIGPIPE, SIG_IGN);
		failed = web_main_matrix(&wo, &m, main_web_load, arg);
		matrix_free(&m);
		return (failed);
	}
	scenario_free(scn);
	memset(idx, 0, sizeof idx);
	if (o->json) {
		fputs("{\"scenario\":", stdout);
		safe_json_fputs(o->scenario != NULL ? o->scenario :
		    BUILTIN_DEFAULT, stdout);
		fputs(",\"rows\":[", stdout);
	} else {
		for (k = 0; k < m.nkeys; k++)
			matrix_cell(m.keys[k]);
		printf("%9s %9s %9s %12s %11s %11s %11s\n", "seconds",
		    "speed-up", "dishes/s", "gil-handover", "gil-wait-s",
		    "predicted-s", "predicted/s");
	}
	do {
		/* The same with one worker per station: the baseline. */
		if ((failed = matrix_run(o, &m, idx, 1, &one)) != 0 ||
		    (failed = matrix_run(o, &m, idx, 0, &rf)) != 0)
			break;
		if (!rf.conserved || !one.conserved)
			failed = EXIT_RUN_FAILED;
		if (o->json) {
			printf("%s{\"params\":{", row ? "," : "");
			for (k = 0; k < m.nkeys; k++) {
				if (k > 0)
					putchar(',');
				safe_json_fputs(m.keys[k], stdout);
				putchar(':');
				safe_json_fputs(m.values[k][idx[k]], stdout);
			}
			printf("},\"wall_seconds\":%.6f,\"one_worker_seconds\":"
			    "%.6f,\"speedup\":%.4f,\"throughput_per_s\":%.6f,"
			    "\"gil_switches\":%llu,\"gil_wait_seconds\":%.6f,"
			    "\"conserved\":%s,\"predicted\":{\"seconds\":%.6f,"
			    "\"throughput_per_s\":%.6f}", rf.seconds,
			    one.seconds,
			    rf.seconds > 0 ? one.seconds / rf.seconds : 0.0,
			    rf.throughput, rf.gil_switches, rf.gil_wait,
			    rf.conserved ? "true" : "false", rf.pred_seconds,
			    rf.pred_throughput);
			if (rf.broadcast)
				printf(",\"received\":%llu,\"missed\":%llu",
				    rf.received, rf.missed);
			putchar('}');
		} else {
			for (k = 0; k < m.nkeys; k++)
				matrix_cell(m.values[k][idx[k]]);
			printf("%9.3f %8.2fx %9.2f %12llu %11.3f %11.3f %11.2f",
			    rf.seconds,
			    rf.seconds > 0 ? one.seconds / rf.seconds : 0.0,
			    rf.throughput, rf.gil_switches, rf.gil_wait,
			    rf.pred_seconds, rf.pred_throughput);
			/* A broadcast's: what its subscribers got and missed. */
			if (rf.broadcast)
				printf("  %llu received, %llu missed",
				    rf.received, rf.missed);
			printf("%s\n", rf.conserved ? "" : "  NOT conserved");
		}
		fflush(stdout);
		row++;
	} while (matrix_next(&m, idx));
	if (o->json)
		printf("]}\n");
	matrix_free(&m);
	if (main_signal != 0)
		return (128 + main_signal);
	return (failed);
}

/* A fresh engine for the screen, from the scenario read anew. */
static struct engine *
main_make_engine(void *arg, char **cause)
{
	const struct options	*o = arg;
	struct engine_opts	 eo;
	struct scenario		*scn;

	if ((scn = main_load(o, NULL, NULL, 0)) == NULL) {
		xasprintf(cause, _("cannot read the scenario again"));
		return (NULL);
	}
	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = o->virtual_clock;
	eo.speed = o->speed;
	eo.output_fd = -1;
	eo.output_ring = 1;
	eo.paced = 1;
	eo.pauses = 1;
	eo.wait_agents = o->wait_agents;
	return (engine_create(scn, &eo, cause));
}

/* The web run for the screen: the scenario read at the start. */
static struct web_run *
main_make_web(void *arg, char **cause)
{
	struct scenario	**scn = arg;
	struct scenario	 *s = *scn;

	*scn = NULL;
	return (web_create(s, cause));
}

/* A web server run on the screen. */
static int
main_web_screen(struct options *o, struct scenario *scn)
{
	struct tui_opts	to;
	int		rc;

	memset(&to, 0, sizeof to);
	to.exit_when_done = o->exit_when_done;
	to.color = !o->no_color && getenv("NO_COLOR") == NULL;
	to.ascii = o->ascii;
	to.max_frames = o->max_frames;
	tui_guard(o->argv);
	rc = tui_run_web(&to, main_make_web, &scn);
	scenario_free(scn);	/* NULL once the run took it over */
	return (rc);
}

/*
 * The exports of a run on the screen. Each run the screen starts (r
 * starts one again) has its own recording, trace and picture, written
 * anew; the cast is of the whole session.
 */
struct screen_exports {
	const struct options	*o;
	int			 offscreen;	/* headless: print the summary */
	struct exports		 ex;
	int			 open;
	struct cast		*cast;
	struct live		 live;
	struct stats		 st;
	char			*error;		/* the first, said at the end */
	int			 rc;
};

static void
main_print_output(void *arg, int64_t t, const char *text, size_t len)
{
	(void)arg;
	(void)t;
	fwrite(text, 1, len, stdout);
}

static void
main_screen_start(void *arg, struct engine *eng)
{
	struct screen_exports	*se = arg;
	struct exports_opts	 eo;
	struct tap		 t;
	char			*cause = NULL;

	main_exports_opts(se->o, &eo);
	if (exports_open(&se->ex, &eo, engine_scenario(eng), &cause) == -1) {
		if (se->error == NULL)
			se->error = cause;
		else
			free(cause);
		memset(&se->ex, 0, sizeof se->ex);
	}
	if (se->cast != NULL) {
		cast_tap(se->cast, engine_scenario(eng), &t);
		taps_add(&se->ex.taps, &t);
	}
	if (se->offscreen && !se->o->quiet && !se->o->json) {
		memset(&t, 0, sizeof t);
		t.output = main_print_output;
		taps_add(&se->ex.taps, &t);
	}
	stats_init(&se->st, engine_scenario(eng));
	live_init(&se->live, eng, &se->st, &se->ex.taps, 1);
	se->open = 1;
}

static void
main_screen_event(const struct event *e, void *arg)
{
	struct screen_exports	*se = arg;

	live_event(e, &se->live);
}

static void
main_screen_end(void *arg, struct engine *eng)
{
	struct screen_exports	*se = arg;
	char			*cause = NULL;

	if (!se->open)
		return;
	stats_finish(&se->st, eng);
	live_end(&se->live);
	live_free(&se->live);
	if (se->offscreen) {
		if (se->o->json)
			report_json(stdout, eng, &se->st);
		else
			report_text(stdout, eng, &se->st);
		fflush(stdout);
		se->rc = engine_error(eng) != NULL || !se->st.conserved ||
		    engine_deadlocked(eng) || !se->st.complete ?
		    EXIT_RUN_FAILED : 0;
	}
	if (exports_close(&se->ex, 0, &cause) == -1) {
		if (se->error == NULL)
			se->error = cause;
		else
			free(cause);
	}
	stats_free(&se->st);
	se->open = 0;
}

/* The screen on a recording: what it holds, read once. */
struct screen_replay {
	const char		*path;
	struct replay_data	 data;
	struct cast		*cast;
	struct tap		 cast_tap;
};

/* A replay's cast takes its markers from the events, as a run's. */
static void
main_replay_cast_start(void *arg, struct engine *eng)
{
	struct screen_replay	*sr = arg;

	cast_tap(sr->cast, engine_scenario(eng), &sr->cast_tap);
}

static void
main_replay_cast_event(const struct event *e, void *arg)
{
	struct screen_replay	*sr = arg;

	sr->cast_tap.event(sr->cast_tap.arg, e);
}

static void
main_replay_cast_end(void *arg, struct engine *eng)
{
	(void)arg;
	(void)eng;
}

/* A fresh replay engine for the screen (at the start, and each seek). */
static struct engine *
main_make_replay_engine(void *arg, char **cause)
{
	struct screen_replay	*sr = arg;
	struct scenario		*scn;

	if ((scn = replay_data_scenario(sr->path, cause)) == NULL)
		return (NULL);
	return (engine_replay_create(scn, &sr->data, cause));
}

/*
 * dishrack --replay FILE: the screen, as it was shown live (offscreen:
 * drawn only into --cast, to the end).
 */
static int
main_screen_replay(struct options *o, int offscreen)
{
	struct tui_opts		 to;
	struct tui_tap		 tap;
	struct screen_replay	 sr;
	struct cast		*cast = NULL;
	char			*cause = NULL;
	int			 rc;

	memset(&sr, 0, sizeof sr);
	sr.path = o->replay;
	if (replay_data_load(o->replay, &sr.data, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		return (EXIT_USAGE);
	}
	memset(&to, 0, sizeof to);
	to.exit_when_done = o->exit_when_done || offscreen;
	to.big = o->big;
	to.color = !o->no_color && getenv("NO_COLOR") == NULL;
	to.ascii = o->ascii;
	to.max_frames = o->max_frames;
	if (o->cast != NULL) {
		struct scenario	*scn;

		if ((scn = replay_data_scenario(o->replay, &cause)) == NULL ||
		    (cast = cast_open(o->cast, scn->title, &cause)) == NULL) {
			main_error("%s", cause);
			free(cause);
			if (scn != NULL)
				scenario_free(scn);
			replay_data_free(&sr.data);
			return (EXIT_USAGE);
		}
		scenario_free(scn);
		sr.cast = cast;
		to.frame = cast_frame;
		to.frame_arg = cast;
		tap.start = main_replay_cast_start;
		tap.event = main_replay_cast_event;
		tap.end = main_replay_cast_end;
		tap.arg = &sr;
		to.tap = &tap;
	}
	if (offscreen) {
		to.offscreen_cols = CAST_COLS;
		to.offscreen_rows = CAST_ROWS;
		setlocale(LC_ALL, "");
	} else
		tui_guard(o->argv);
	rc = tui_run(&to, main_make_replay_engine, &sr);
	if (cast != NULL && cast_close(cast, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		rc = EXIT_RUN_FAILED;
	}
	/* Said as --headless --replay says it, after the screen (not twice). */
	if (sr.data.cut != NULL && !offscreen) {
		main_error("%s", sr.data.cut);
		if (rc == 0)
			rc = EXIT_RUN_FAILED;
	}
	replay_data_free(&sr.data);
	return (rc);
}

/*
 * Run on the screen (offscreen: headless, the screen drawn only into
 * the cast, at a fixed size).
 */
static int
main_screen(struct options *o, int offscreen)
{
	struct tui_opts		 to;
	struct tui_tap		 tap;
	struct screen_exports	 se;
	struct scenario		*scn;
	struct exports_opts	 to_ex_opts;
	char			*cause = NULL;
	int			 rc;

	memset(&to, 0, sizeof to);
	to.exit_when_done = o->exit_when_done || offscreen;
	to.big = o->big;
	to.color = !o->no_color && getenv("NO_COLOR") == NULL;
	to.ascii = o->ascii;
	to.max_frames = o->max_frames;
	memset(&se, 0, sizeof se);
	se.o = o;
	se.offscreen = offscreen;
	if (o->record != NULL || o->trace != NULL || o->svg != NULL ||
	    o->cast != NULL || o->report != NULL) {
		/* Say now what cannot be written, not after the lecture. */
		if ((scn = main_load(o, NULL, NULL, 0)) == NULL)
			return (EXIT_USAGE);
		main_exports_opts(o, &to_ex_opts);
		if (exports_open(&se.ex, &to_ex_opts, scn, &cause) == -1 ||
		    exports_close(&se.ex, 1, &cause) == -1) {
			main_error("%s", cause);
			free(cause);
			scenario_free(scn);
			return (EXIT_USAGE);
		}
		if (o->cast != NULL && (se.cast = cast_open(o->cast,
		    scn->title, &cause)) == NULL) {
			main_error("%s", cause);
			free(cause);
			scenario_free(scn);
			return (EXIT_USAGE);
		}
		scenario_free(scn);
		tap.start = main_screen_start;
		tap.event = main_screen_event;
		tap.end = main_screen_end;
		tap.arg = &se;
		to.tap = &tap;
		if (se.cast != NULL) {
			to.frame = cast_frame;
			to.frame_arg = se.cast;
		}
	}
	if (offscreen) {
		to.offscreen_cols = CAST_COLS;
		to.offscreen_rows = CAST_ROWS;
		setlocale(LC_ALL, "");
	} else {
		/* From here the screen runs in a child; this process guards it. */
		tui_guard(o->argv);
	}
	rc = tui_run(&to, main_make_engine, o);
	if (se.cast != NULL && cast_close(se.cast, &cause) == -1 &&
	    se.error == NULL)
		se.error = cause;
	if (se.error != NULL) {
		main_error("%s", se.error);
		free(se.error);
		if (rc == 0)
			rc = EXIT_RUN_FAILED;
	}
	if (rc == 0)
		rc = se.rc;
	return (rc);
}

/* A scenario with a [server]: the web server and its visitors. */
static int
main_web(const struct options *o, struct scenario *scn)
{
	struct web_main_opts	wo;

	memset(&wo, 0, sizeof wo);
	wo.json = o->json;
	wo.quiet = o->quiet;
	wo.name = o->scenario != NULL ? o->scenario : BUILTIN_DEFAULT;
	wo.signal = &main_signal;
	if (o->virtual_clock) {
		main_error(_("%s: a web server runs on the real clock (its "
		    "sockets are real)"), scn->file);
		scenario_free(scn);
		return (EXIT_USAGE);
	}
	return (web_main_headless(&wo, scn));
}

/* A matrix row of a web scenario. */
static struct scenario *
main_web_load(void *arg, const unsigned *idx)
{
	void	**a = arg;

	return (main_load(a[0], a[1], idx, 0));
}

/* Run without a screen: worker text as it happens, then the figures. */
static int
main_headless(const struct options *o, struct scenario *scn)
{
	struct engine		*eng;
	struct stats		 st;
	struct sigaction	 sa;
	struct exports		 ex;
	struct exports_opts	 eo_ex;
	char			*cause = NULL;
	int			 rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (scn->web.on)
		return (main_web(o, scn));
	main_exports_opts(o, &eo_ex);

	if (exports_open(&ex, &eo_ex, scn, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		scenario_free(scn);
		return (EXIT_USAGE);
	}
	eng = main_run(o, scn, (o->quiet || o->json) ? -1 : STDOUT_FILENO,
	    &st, &ex, &rc);
	if (eng == NULL) {
		if (exports_close(&ex, 1, &cause) == -1)
			free(cause);
		return (rc);
	}

	if (o->json)
		report_json(stdout, eng, &st);
	else
		report_text(stdout, eng, &st);
	fflush(stdout);

	if (engine_watchdog_fired(eng))
		rc = EXIT_RUN_FAILED;
	else if (main_signal != 0)
		rc = 128 + main_signal;
	else if (engine_error(eng) != NULL || !st.conserved ||
	    engine_deadlocked(eng) || !st.complete)
		rc = EXIT_RUN_FAILED;
	else
		rc = 0;
	if (engine_error(eng) != NULL)
		main_error("%s", engine_error(eng));
	if (exports_close(&ex, 0, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		if (rc == 0)
			rc = EXIT_RUN_FAILED;
	}
	stats_free(&st);
	engine_destroy(eng);
	return (rc);
}

/* What the exports are asked for, from the options. */
static void
main_exports_opts(const struct options *o, struct exports_opts *eo)
{
	memset(eo, 0, sizeof *eo);
	eo->record = o->record;
	eo->trace = o->trace;
	eo->svg = o->svg;
	eo->cast = o->cast;
	eo->report = o->report;
	eo->clock = o->virtual_clock ? "virtual" : "real";
	eo->speed = o->speed;
	eo->force = o->force;
}

/*
 * --headless --replay: the summary of a recorded run, from its events as
 * the live run's was from the rings, and its exports.
 */
static int
main_replay(const struct options *o)
{
	struct replay		*rp;
	struct stats		 st;
	struct exports		 ex;
	struct exports_opts	 eo;
	char			*cause = NULL;
	int			 rc, cut;

	signal(SIGPIPE, SIG_IGN);
	if ((rp = replay_open(o->replay, &cause)) == NULL) {
		main_error("%s", cause);
		free(cause);
		return (EXIT_USAGE);
	}
	main_exports_opts(o, &eo);
	eo.record = NULL;
	eo.clock = rp->clock;
	eo.speed = rp->speed;
	if (exports_open(&ex, &eo, rp->scn, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		replay_close(rp);
		return (EXIT_USAGE);
	}
	stats_init(&st, rp->scn);
	cut = replay_run(rp, &st, &ex.taps, (o->quiet || o->json) ? NULL :
	    stdout, &cause);
	if (cut == -1) {
		main_error("%s", cause);
		free(cause);
		if (exports_close(&ex, 1, &cause) == -1)
			free(cause);
		stats_free(&st);
		replay_close(rp);
		return (EXIT_USAGE);
	}
	stats_compute(&st, &rp->se);
	taps_end(&ex.taps, &rp->se, &rp->rr, &st);
	if (o->json)
		report_json_run(stdout, &rp->rr, &st);
	else
		report_text_run(stdout, &rp->rr, &st);
	fflush(stdout);
	rc = 0;
	if (cut == 1 || rp->rr.error != NULL || !st.conserved ||
	    rp->rr.deadlocked || !st.complete || rp->rr.interrupted)
		rc = EXIT_RUN_FAILED;
	if (rp->rr.error != NULL)
		main_error("%s", rp->rr.error);
	if (cut == 1) {
		main_error("%s", cause);
		free(cause);
	}
	if (exports_close(&ex, 0, &cause) == -1) {
		main_error("%s", cause);
		free(cause);
		rc = EXIT_RUN_FAILED;
	}
	stats_free(&st);
	replay_close(rp);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct options	 o;
	struct scenario	*scn;
	char		*end, buf[128];
	size_t		 i;
	long		 lval;
	int		 ch, before, rc;

	i18n_init();
	if (argc > 1 && strcmp(argv[1], "agent") == 0)
		return (agent_zmq_url(argc - 1, argv + 1) ?
		    agent_zmq_main(argc - 1, argv + 1) :
		    agent_main(argc - 1, argv + 1));
	memset(&o, 0, sizeof o);
	o.speed = 1.0;
	o.argv = argv;
	opterr = 0;	/* getopt's own messages would quote arguments raw */
	for (;;) {
		before = optind;
		ch = getopt_long(argc, argv, ":qhV", long_options, NULL);
		if (ch == -1)
			break;
		switch (ch) {
		case 'H':
			o.headless = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 's':
			if (o.nsets == MAX_SETS) {
				main_error(_("more than %d --set "
				    "options"), MAX_SETS);
				return (EXIT_USAGE);
			}
			o.sets[o.nsets++] = optarg;
			break;
		case 'S':
			/* strtod alone would take 0x10, 1e1, inf and " 2". */
			errno = 0;
			if (main_is_decimal(optarg, 1))
				o.speed = strtod(optarg, &end);
			if (!main_is_decimal(optarg, 1) || errno != 0 ||
			    !(o.speed >= 0.01 && o.speed <= 1000)) {
				main_error(_("--speed: expected a decimal "
				    "factor from 0.01 to 1000, found '%s'"),
				    optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'c':
			if (strcmp(optarg, "virtual") == 0)
				o.virtual_clock = 1;
			else if (strcmp(optarg, "real") == 0)
				o.virtual_clock = 0;
			else {
				main_error(_("--clock: expected "
				    "real or virtual, found '%s'"), optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'e':
			errno = 0;
			o.seed = strtoull(optarg, &end, 10);
			if (!main_is_decimal(optarg, 0) || errno != 0) {
				main_error(_("--seed: expected a "
				    "whole number, found '%s'"), optarg);
				return (EXIT_USAGE);
			}
			o.have_seed = 1;
			break;
		case 'C':
			o.check = 1;
			break;
		case 'm':
			o.matrix = optarg;
			break;
		case 'l':
			o.list = 1;
			break;
		case 'R':
			o.record = optarg;
			break;
		case 'P':
			o.replay = optarg;
			break;
		case 'T':
			o.trace = optarg;
			break;
		case 'G':
			o.svg = optarg;
			break;
		case 'K':
			o.cast = optarg;
			break;
		case 'O':
			o.report = optarg;
			break;
		case 'W':
			errno = 0;
			lval = strtol(optarg, &end, 10);
			if (!main_is_decimal(optarg, 0) || errno != 0 ||
			    lval < 1 || lval > 1024) {
				main_error(_("--wait-agents: expected a whole "
				    "number from 1 to %d, found '%s'"), 1024,
				    optarg);
				return (EXIT_USAGE);
			}
			o.wait_agents = (unsigned)lval;
			break;
		case 'x':
			o.exit_when_done = 1;
			break;
		case 'f':
			o.force = 1;
			break;
		case 'b':
			o.big = 1;
			break;
		case 'n':
			o.no_color = 1;
			break;
		case 'a':
			o.ascii = 1;
			break;
		case 'M':
			/* Leave the screen after N frames (tests). */
			errno = 0;
			lval = strtol(optarg, &end, 10);
			if (!main_is_decimal(optarg, 0) || errno != 0 ||
			    lval < 1 || lval > INT_MAX) {
				main_error(_("--max-frames: expected a whole "
				    "number from 1 to %d, found '%s'"), INT_MAX,
				    optarg);
				return (EXIT_USAGE);
			}
			o.max_frames = (int)lval;
			break;
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("dishrack %s\n", PACKAGE_VERSION);
			return (0);
		case ':':
			main_error(_("%s: expected a value (see dishrack "
			    "--help)"), argv[optind - 1]);
			return (EXIT_USAGE);
		default:
			/* Past the word, or still inside a cluster like -qz. */
			main_error(_("unknown option '%s' (see dishrack "
			    "--help)"),
			    argv[optind > before ? optind - 1 : optind]);
			return (EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		/* --set dryer.count 3: a blank where the = goes. */
		for (i = 0; i < (size_t)o.nsets; i++) {
			if (strchr(o.sets[i], '=') == NULL) {
				main_error(_("--set %s %s: a set is KEY=VALUE, "
				    "in one word: did you mean --set %s=%s?"),
				    o.sets[i], argv[0], o.sets[i], argv[0]);
				return (EXIT_USAGE);
			}
		}
		main_error(_("one scenario at a time, found %d "
		    "(see dishrack --help)"), argc);
		return (EXIT_USAGE);
	}
	if (argc == 1)
		o.scenario = argv[0];

	if (o.list) {
		for (i = 0; i < nbuiltins; i++) {
			printf("%-18s %s\n", builtins[i].name,
			    builtin_title(&builtins[i], buf, sizeof buf));
		}
		return (0);
	}
	if ((o.json || o.quiet) && !o.headless && !o.check) {
		main_error(_("--json and --quiet go with "
		    "--headless"));
		return (EXIT_USAGE);
	}
	if (o.matrix != NULL && (o.record != NULL || o.replay != NULL ||
	    o.trace != NULL || o.svg != NULL || o.cast != NULL ||
	    o.report != NULL)) {
		main_error(_("--record, --replay, --trace, --svg, --cast and "
		    "--report are of one run, not of a --matrix"));
		return (EXIT_USAGE);
	}
	if (o.matrix != NULL && o.wait_agents > 0) {
		main_error(_("--wait-agents is of one run, not of a --matrix"));
		return (EXIT_USAGE);
	}
	if (o.matrix != NULL) {
		if (!o.headless) {
			main_error(_("--matrix goes with "
			    "--headless"));
			return (EXIT_USAGE);
		}
		return (main_matrix(&o));
	}
	if (o.replay != NULL) {
		if (o.scenario != NULL || o.nsets > 0 || o.record != NULL) {
			main_error(_("--replay reads its scenario from the "
			    "recording: no SCENARIO, --set or --record with "
			    "it"));
			return (EXIT_USAGE);
		}
		if (!o.headless && (o.trace != NULL || o.svg != NULL ||
		    o.report != NULL)) {
			main_error(_("--trace, --svg and --report of a "
			    "recording go with --headless"));
			return (EXIT_USAGE);
		}
		if (!o.headless) {
			const char	*why;

			setlocale(LC_ALL, "");
			if (tui_usable(&why) == 0)
				return (main_screen_replay(&o, 0));
			main_error(_("%s: running --headless"), why);
		}
		if (o.cast != NULL) {
			/* The cast of the screen it would show, then the rest. */
			if ((rc = main_screen_replay(&o, 1)) == EXIT_USAGE)
				return (rc);
			o.cast = NULL;
		}
		return (main_replay(&o));
	}
	if ((scn = main_load(&o, NULL, NULL, 0)) == NULL)
		return (EXIT_USAGE);
	if (o.wait_agents > 0 && main_wait_agents_check(&o, scn) == -1) {
		scenario_free(scn);
		return (EXIT_USAGE);
	}
	if (o.check) {
		scenario_free(scn);
		return (0);
	}
	if (scn->web.on && (o.record != NULL || o.trace != NULL ||
	    o.svg != NULL || o.cast != NULL || o.report != NULL)) {
		main_error(_("--record, --trace, --svg, --report and --cast "
		    "show dishes through racks; a web server's run has none "
		    "yet"));
		scenario_free(scn);
		return (EXIT_USAGE);
	}
	if (!o.headless) {
		const char	*why;

		setlocale(LC_ALL, "");
		if (tui_usable(&why) == 0) {
			if (scn->web.on && o.virtual_clock)
				return (main_web(&o, scn));
			if (scn->web.on)
				return (main_web_screen(&o, scn));
			scenario_free(scn);
			return (main_screen(&o, 0));
		}
		main_error(_("%s: running --headless"), why);
	}
	if (o.cast != NULL) {
		/* The screen it would have shown, drawn off the terminal. */
		scenario_free(scn);
		return (main_screen(&o, 1));
	}
	return (main_headless(&o, scn));
}
