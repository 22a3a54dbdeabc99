/*
 * main.c: the command line. Reads options and the scenario, then hands the
 * run to a view: the screen, or the headless report.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtin.h"
#include "clock.h"
#include "engine.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "tui.h"
#include "xmalloc.h"

#define EXIT_RUN_FAILED	1
#define EXIT_USAGE	2
#define MAX_SETS	64

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
	char		**argv;		/* main's, for the screen's guardian */
};

#define MATRIX_MAX_PARAMS	4
#define MATRIX_MAX_VALUES	8

/* --matrix 'mode=threads,processes gil=on,off': each key with its values. */
struct matrix {
	char		*keys[MATRIX_MAX_PARAMS];
	char		*values[MATRIX_MAX_PARAMS][MATRIX_MAX_VALUES];
	unsigned	 nvalues[MATRIX_MAX_PARAMS];
	unsigned	 nkeys;
	char		*buf;
};

/* What one run of a matrix row gives. */
struct run_figures {
	double		 seconds;	/* scenario time */
	double		 throughput;
	unsigned long long gil_switches;
	double		 gil_wait;
	int		 conserved;
};

static volatile sig_atomic_t main_signal;

static void	usage(FILE *);
static void	main_on_signal(int);
static struct scenario *main_load(const struct options *);
static int	main_headless(const struct options *, struct scenario *);

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
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: dishrack [OPTIONS] [SCENARIO]\n"
"Watch washers and dryers run concurrently: threads, processes, coroutines.\n"
"SCENARIO is a .scn file or a built-in name (--list); none runs seed-threads.\n"
"\n"
"  --headless          no screen: worker output as it happens, then a summary\n"
"  --json              with --headless: the summary as one JSON object\n"
"  -q, --quiet         with --headless: only the summary\n"
"  --set KEY=VALUE     override a scenario value, e.g. --set dryer.count=3\n"
"  --speed FACTOR      time scale: 0.25 slow motion, 10 fast forward\n"
"  --clock real|virtual  real time, or an exact discrete-event simulation\n"
"  --seed N            random seed (random times, virtual interleavings)\n"
"  --matrix 'K=V,V K=V,V'  with --headless: run every combination and print\n"
"                      a table (time, speed-up over one worker, GIL hand-overs)\n"
"  --check             validate SCENARIO; print nothing if it is good\n"
"  --list              list the built-in scenarios\n"
"  --exit-when-done    leave the screen by itself when the run ends\n"
"  --force             allow more than 4096 threads or 256 processes\n"
"  --big               the screen for a lecture hall: fewer, larger parts\n"
"  --no-color          a monochrome screen (so does NO_COLOR)\n"
"  --ascii             no UTF-8 box drawing or glyphs\n"
"  -h, --help          this help\n"
"  -V, --version       the version\n"
"\n"
"On the screen: space pauses, ? (or F1) explains every key and glyph,\n"
"q (or F10) quits.\n"
"\n"
"Exit status: 0 ok, 1 the run failed (dishes not conserved, deadlock),\n"
"2 usage or scenario error, 128+N when stopped by signal N.\n"
"See dishrack(1) and dishrack-scenario(5).\n");
}

static void
main_on_signal(int sig)
{
	main_signal = sig;
}

/* Read SCENARIO: a file if one is there, else a built-in by name. */
static struct scenario *
main_load(const struct options *o)
{
	const struct builtin	*b;
	struct scenario		*scn;
	struct stat		 sb;
	char			*cause = NULL, *file;
	const char		*name;
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
		fprintf(stderr, "dishrack: %s: no such file or built-in "
		    "scenario (dishrack --list shows the built-ins)\n", name);
		return (NULL);
	} else
		scn = scenario_load(name, &cause);
	if (scn == NULL) {
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		return (NULL);
	}
	for (i = 0; i < o->nsets; i++) {
		if (scenario_set(scn, o->sets[i], &cause) == -1) {
			fprintf(stderr, "dishrack: %s\n", cause);
			free(cause);
			scenario_free(scn);
			return (NULL);
		}
	}
	if (o->have_seed)
		scn->seed = o->seed;
	if (scenario_validate(scn, o->force, &cause) == -1) {
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		scenario_free(scn);
		return (NULL);
	}
	return (scn);
}

/* Parse the --matrix text. 0, or -1 with the error printed. */
static int
matrix_parse(struct matrix *m, const char *text)
{
	char	*p, *word, *eq, *v, *save1, *save2;

	memset(m, 0, sizeof *m);
	m->buf = xstrdup(text);
	for (word = strtok_r(m->buf, " \t", &save1); word != NULL;
	    word = strtok_r(NULL, " \t", &save1)) {
		if ((eq = strchr(word, '=')) == NULL || eq == word ||
		    eq[1] == '\0') {
			fprintf(stderr, "dishrack: --matrix: expected KEY=V1,V2 "
			    "..., found '%s'\n", word);
			return (-1);
		}
		if (m->nkeys == MATRIX_MAX_PARAMS) {
			fprintf(stderr, "dishrack: --matrix: at most %d keys\n",
			    MATRIX_MAX_PARAMS);
			return (-1);
		}
		*eq = '\0';
		m->keys[m->nkeys] = word;
		p = eq + 1;
		for (v = strtok_r(p, ",", &save2); v != NULL;
		    v = strtok_r(NULL, ",", &save2)) {
			if (m->nvalues[m->nkeys] == MATRIX_MAX_VALUES) {
				fprintf(stderr, "dishrack: --matrix: at most %d "
				    "values for %s\n", MATRIX_MAX_VALUES, word);
				return (-1);
			}
			m->values[m->nkeys][m->nvalues[m->nkeys]++] = v;
		}
		m->nkeys++;
	}
	if (m->nkeys == 0) {
		fprintf(stderr, "dishrack: --matrix: nothing to vary\n");
		return (-1);
	}
	return (0);
}

/* "mode" is short for "scenario.mode"; "dryer.count" stays as it is. */
static void
matrix_assignment(const char *key, const char *value, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < scn_nkeys; i++) {
		if (scn_keys[i].section == SECTION_SCENARIO &&
		    strcmp(scn_keys[i].name, key) == 0)
			break;
	}
	if (i < scn_nkeys || strchr(key, '.') == NULL)
		snprintf(buf, len, "scenario.%s=%s", key, value);
	else
		snprintf(buf, len, "%s=%s", key, value);
}

/*
 * Run scn to the end (or to a signal), folding its events into *st, worker
 * text to out_fd. Returns the engine for the report, or NULL with the error
 * printed and *rc set; the caller frees st and the engine.
 */
static struct engine *
main_run(const struct options *o, struct scenario *scn, int out_fd,
    struct stats *st, int *rc)
{
	struct engine_opts	 eo;
	struct engine		*eng;
	char			*cause = NULL;

	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = o->virtual_clock;
	eo.speed = o->speed;
	eo.output_fd = out_fd;
	if ((eng = engine_create(scn, &eo, &cause)) == NULL) {
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		*rc = EXIT_USAGE;
		return (NULL);
	}
	stats_init(st, engine_scenario(eng));
	if (engine_start(eng, &cause) == -1) {
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		stats_free(st);
		engine_destroy(eng);
		*rc = EXIT_RUN_FAILED;
		return (NULL);
	}
	engine_follow(eng, stats_event, st, &main_signal);
	stats_finish(st, eng);
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

	if ((eng = main_run(o, scn, -1, &st, &rc)) == NULL)
		return (-1);
	rf->seconds = (double)st.t_end / 1e9;
	rf->throughput = st.throughput;
	rf->gil_switches = st.gil_handovers;
	rf->gil_wait = (double)st.gil_wait_ns / 1e9;
	rf->conserved = st.conserved && st.complete;
	stats_free(&st);
	engine_destroy(eng);
	return (main_signal != 0 ? -1 : 0);
}

/* Read the scenario with the options' sets and run it: 0, or an exit code. */
static int
matrix_run(const struct options *o, struct run_figures *rf)
{
	struct scenario	*scn;

	if ((scn = main_load(o)) == NULL)
		return (EXIT_USAGE);
	return (run_quietly(o, scn, rf) == -1 ? EXIT_RUN_FAILED : 0);
}

/*
 * The lecture's table from one command: every combination of the matrix,
 * each against the same scenario with one worker per station.
 */
static int
main_matrix(struct options *o)
{
	struct matrix		 m;
	struct scenario		*scn;
	struct run_figures	 rf, one;
	const char		*saved[MAX_SETS];
	char			 sets[MATRIX_MAX_PARAMS + SCN_MAX_STATIONS][128];
	unsigned		 idx[MATRIX_MAX_PARAMS], i, k, row = 0, nstations;
	int			 nsaved, failed = 0, done = 0;
	struct sigaction	 sa;

	if (matrix_parse(&m, o->matrix) == -1) {
		free(m.buf);
		return (EXIT_USAGE);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((scn = main_load(o)) == NULL) {
		free(m.buf);
		return (EXIT_USAGE);
	}
	nstations = scn->nstations;
	for (i = 0; i < nstations; i++)
		snprintf(sets[MATRIX_MAX_PARAMS + i], sizeof sets[0],
		    "%s.count=1", scn->stations[i].name);
	scenario_free(scn);

	memcpy(saved, o->sets, sizeof saved);
	nsaved = o->nsets;
	memset(idx, 0, sizeof idx);
	if (o->json)
		printf("{\"scenario\":\"%s\",\"rows\":[", o->scenario != NULL ?
		    o->scenario : BUILTIN_DEFAULT);
	else {
		for (k = 0; k < m.nkeys; k++)
			printf("%-11s ", m.keys[k]);
		printf("%9s %9s %9s %12s %11s\n", "seconds", "speed-up",
		    "dishes/s", "gil-handover", "gil-wait-s");
	}
	while (!done) {
		o->nsets = nsaved;
		for (k = 0; k < m.nkeys && o->nsets < MAX_SETS; k++) {
			matrix_assignment(m.keys[k], m.values[k][idx[k]],
			    sets[k], sizeof sets[0]);
			o->sets[o->nsets++] = sets[k];
		}
		/* The same with one worker per station: the baseline. */
		for (i = 0; i < nstations && o->nsets < MAX_SETS; i++)
			o->sets[o->nsets++] = sets[MATRIX_MAX_PARAMS + i];
		if ((failed = matrix_run(o, &one)) != 0)
			break;
		o->nsets -= (int)nstations;
		if ((failed = matrix_run(o, &rf)) != 0)
			break;
		if (!rf.conserved || !one.conserved)
			failed = EXIT_RUN_FAILED;
		if (o->json) {
			printf("%s{\"params\":{", row ? "," : "");
			for (k = 0; k < m.nkeys; k++)
				printf("%s\"%s\":\"%s\"", k ? "," : "",
				    m.keys[k], m.values[k][idx[k]]);
			printf("},\"wall_seconds\":%.6f,\"one_worker_seconds\":"
			    "%.6f,\"speedup\":%.4f,\"throughput_per_s\":%.6f,"
			    "\"gil_switches\":%llu,\"gil_wait_seconds\":%.6f,"
			    "\"conserved\":%s}", rf.seconds, one.seconds,
			    rf.seconds > 0 ? one.seconds / rf.seconds : 0.0,
			    rf.throughput, rf.gil_switches, rf.gil_wait,
			    rf.conserved ? "true" : "false");
		} else {
			for (k = 0; k < m.nkeys; k++)
				printf("%-11s ", m.values[k][idx[k]]);
			printf("%9.3f %8.2fx %9.2f %12llu %11.3f%s\n", rf.seconds,
			    rf.seconds > 0 ? one.seconds / rf.seconds : 0.0,
			    rf.throughput, rf.gil_switches, rf.gil_wait,
			    rf.conserved ? "" : "  NOT conserved");
		}
		fflush(stdout);
		row++;
		/* Next combination, the last key fastest. */
		for (k = m.nkeys; k-- > 0;) {
			if (++idx[k] < m.nvalues[k])
				break;
			idx[k] = 0;
			if (k == 0)
				done = 1;
		}
	}
	if (o->json && row > 0)
		printf("]}\n");
	memcpy(o->sets, saved, sizeof saved);
	o->nsets = nsaved;
	free(m.buf);
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

	if ((scn = main_load(o)) == NULL) {
		xasprintf(cause, "cannot read the scenario again");
		return (NULL);
	}
	memset(&eo, 0, sizeof eo);
	eo.virtual_clock = o->virtual_clock;
	eo.speed = o->speed;
	eo.output_fd = -1;
	eo.output_ring = 1;
	eo.paced = 1;
	eo.pauses = 1;
	return (engine_create(scn, &eo, cause));
}

/* Run on the screen. */
static int
main_screen(struct options *o)
{
	struct tui_opts	to;

	memset(&to, 0, sizeof to);
	to.exit_when_done = o->exit_when_done;
	to.big = o->big;
	to.color = !o->no_color && getenv("NO_COLOR") == NULL;
	to.ascii = o->ascii;
	to.max_frames = o->max_frames;
	/* From here the screen runs in a child; this process guards it. */
	tui_guard(o->argv);
	return (tui_run(&to, main_make_engine, o));
}

/* Run without a screen: worker text as it happens, then the figures. */
static int
main_headless(const struct options *o, struct scenario *scn)
{
	struct engine		*eng;
	struct stats		 st;
	struct sigaction	 sa;
	int			 rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	eng = main_run(o, scn, (o->quiet || o->json) ? -1 : STDOUT_FILENO,
	    &st, &rc);
	if (eng == NULL)
		return (rc);

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
		fprintf(stderr, "dishrack: %s\n", engine_error(eng));
	stats_free(&st);
	engine_destroy(eng);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct options	 o;
	struct scenario	*scn;
	char		*end, buf[128];
	size_t		 i;
	int		 ch;

	memset(&o, 0, sizeof o);
	o.speed = 1.0;
	o.argv = argv;
	while ((ch = getopt_long(argc, argv, "qhV", long_options, NULL)) != -1) {
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
				fprintf(stderr, "dishrack: more than %d --set "
				    "options\n", MAX_SETS);
				return (EXIT_USAGE);
			}
			o.sets[o.nsets++] = optarg;
			break;
		case 'S':
			errno = 0;
			o.speed = strtod(optarg, &end);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    !(o.speed >= 0.01 && o.speed <= 1000)) {
				fprintf(stderr, "dishrack: --speed: expected a "
				    "factor from 0.01 to 1000, found '%s'\n",
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
				fprintf(stderr, "dishrack: --clock: expected "
				    "real or virtual, found '%s'\n", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'e':
			errno = 0;
			o.seed = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    optarg[0] == '-') {
				fprintf(stderr, "dishrack: --seed: expected a "
				    "whole number, found '%s'\n", optarg);
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
			/* Undocumented: leave the screen after N frames (tests). */
			o.max_frames = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("dishrack %s\n", PACKAGE_VERSION);
			return (0);
		default:
			fprintf(stderr, "dishrack: see dishrack --help\n");
			return (EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		fprintf(stderr, "dishrack: one scenario at a time, found %d "
		    "(see dishrack --help)\n", argc);
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
		fprintf(stderr, "dishrack: --json and --quiet go with "
		    "--headless\n");
		return (EXIT_USAGE);
	}
	if (o.matrix != NULL) {
		if (!o.headless) {
			fprintf(stderr, "dishrack: --matrix goes with "
			    "--headless\n");
			return (EXIT_USAGE);
		}
		return (main_matrix(&o));
	}
	if ((scn = main_load(&o)) == NULL)
		return (EXIT_USAGE);
	if (o.check) {
		scenario_free(scn);
		return (0);
	}
	if (!o.headless) {
		const char	*why;

		setlocale(LC_ALL, "");
		if (tui_usable(&why) == 0) {
			scenario_free(scn);
			return (main_screen(&o));
		}
		fprintf(stderr, "dishrack: %s: running --headless\n", why);
	}
	return (main_headless(&o, scn));
}
