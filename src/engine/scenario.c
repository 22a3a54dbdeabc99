/*
 * scenario.c: the scenario language, read by hand. One key table (scn_keys)
 * drives the parser, --set, the [script] set steps, the suggestions for
 * misspelt keys and the man page; each row carries its setter. Errors name
 * FILE:LINE:COL. Nothing here is global and mutable: the engine's tests
 * parse in several threads at once.
 */
#include "config.h"

#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bcast.h"
#include "i18n.h"
#include "safe.h"
#include "scenario_web.h"
#include "xmalloc.h"

#define SCN_FILE_MAX		(1024 * 1024)	/* bytes in a scenario file */
#define SCN_MAX_NAMES		100000		/* dish names; more: a count */
#define SCN_DISH_NAME_MAX	64		/* bytes in one dish name */
#define SCN_RACK_MAX		1000000
#define SCN_COUNT_MAX		1000000		/* workers in one station */
#define SCN_DURATION_MAX	(24LL * 3600 * 1000000000LL)
#define SCN_KEYS_MAX		64		/* rows scn_keys may grow to */
#define CLIP_MAX		48		/* bytes of user text quoted */

/*
 * User text in a message: '" CLIPF "'" with CLIPA(s), cut after CLIP_MAX. A
 * message marked for translation spells it out, '%.*s%s': xgettext does not
 * expand macros.
 */
#define CLIPF			"%.*s%s"
#define CLIPA(s)		clip_len(s), (s), clip_dots(s)

/* What an assignment got wrong, so a message can point at it. */
enum set_part {
	PART_SECTION,
	PART_KEY,
	PART_VALUE
};

/* The state of one parse; the scenario is built in place. */
struct parser {
	struct scenario	*s;
	const char	*file;
	char		*cause;		/* the first error, allocated */
	unsigned	 line;
	int		 section;	/* SEC_* below, or a station index */
#define SEC_NONE	-1
#define SEC_SCENARIO	-2
#define SEC_SCRIPT	-3
#define SEC_CUPBOARD	-4
#define SEC_RACK	-5
#define SEC_SERVER	-6
#define SEC_VISITORS	-7
	unsigned	 seen_line[SCN_KEYS_MAX]; /* key row -> line set on */
	int		 have_scenario;
	int		 have_script;
	int		 have_cupboard;
	int		 have_rack;
	int		 have_server;
	int		 have_visitors;
	unsigned	 set_col[SCN_MAX_SCRIPT][2]; /* set step: key, value */
};

static const char *const mode_choices[] = { "threads", "processes", "async",
    NULL };
static const char *const output_choices[] = { "parts", "lines", NULL };
static const char *const work_choices[] = { "io", "cpu", NULL };
static const char *const onoff_choices[] = { "off", "on", NULL };
static const char *const order_choices[] = { "opposite", "fixed", NULL };
static const char *const lock_choices[] = { "none", "mutex", "spin",
    "atomic", NULL };
static const char *const reserved_sections[] = { "scenario", "script",
    "cupboard", "rack", "server", "visitors" };
static const char *const yesno_choices[] = { "no", "yes", NULL };
static const char *const where_choices[] = { "here", "agents", NULL };
static const char *const quit_choices[] = { "broadcast", "sentinel", NULL };
static const char *const placeholders[] = { "dish", "worker", "topic" };
static const char *const kind_choices[] = { "queue", "broadcast", NULL };
static const char *const pick_choices[] = { "random", "order", "dish",
    NULL };

static int	set_title(struct scenario *, struct station *, const char *,
		    char **);
static int	set_arrivals(struct scenario *, struct station *, const char *,
		    char **);
static int	set_duration(struct scenario *, struct station *, const char *,
		    char **);
static int	set_warmup(struct scenario *, struct station *, const char *,
		    char **);
static int	set_mode(struct scenario *, struct station *, const char *,
		    char **);
static int	set_dishes(struct scenario *, struct station *, const char *,
		    char **);
static int	set_rack(struct scenario *, struct station *, const char *,
		    char **);
static int	set_transport(struct scenario *, struct station *,
		    const char *, char **);
static int	set_seed(struct scenario *, struct station *, const char *,
		    char **);
static int	set_output(struct scenario *, struct station *, const char *,
		    char **);
static int	set_print_gap(struct scenario *, struct station *,
		    const char *, char **);
static int	set_gil(struct scenario *, struct station *, const char *,
		    char **);
static int	set_gil_interval(struct scenario *, struct station *,
		    const char *, char **);
static int	set_cores(struct scenario *, struct station *, const char *,
		    char **);
static int	set_lock_order(struct scenario *, struct station *,
		    const char *, char **);
static int	set_count(struct scenario *, struct station *, const char *,
		    char **);
static int	set_time(struct scenario *, struct station *, const char *,
		    char **);
static int	set_work(struct scenario *, struct station *, const char *,
		    char **);
static int	set_say(struct scenario *, struct station *, const char *,
		    char **);
static int	set_needs(struct scenario *, struct station *, const char *,
		    char **);
static int	set_say_after(struct scenario *, struct station *,
		    const char *, char **);
static int	set_say_start(struct scenario *, struct station *,
		    const char *, char **);
static int	set_say_end(struct scenario *, struct station *,
		    const char *, char **);
static int	set_start(struct scenario *, struct station *, const char *,
		    char **);
static int	set_batch(struct scenario *, struct station *,
		    const char *, char **);
static int	set_rack_quit(struct scenario *, struct station *,
		    const char *, char **);
static int	set_reliable(struct scenario *, struct station *,
		    const char *, char **);
static int	set_where(struct scenario *, struct station *, const char *,
		    char **);
static int	set_cupboard_lock(struct scenario *, struct station *,
		    const char *, char **);
static int	set_kind(struct scenario *, struct station *, const char *,
		    char **);
static int	set_topics(struct scenario *, struct station *, const char *,
		    char **);
static int	set_pick(struct scenario *, struct station *, const char *,
		    char **);
static int	set_sync(struct scenario *, struct station *, const char *,
		    char **);
static int	set_subscribe(struct scenario *, struct station *,
		    const char *, char **);
static int	set_cupboard_window(struct scenario *, struct station *,
		    const char *, char **);

static int	clip_len(const char *);
static const char *clip_dots(const char *);
static void	dist_format_one(int64_t, char *, size_t);
static int	dist_parse(const char *, struct dist *, char **);
static int	is_digits(const char *);
static int	parse_u64(const char *, uint64_t, uint64_t *);
static int	parse_enum(const char *, const char *const *, int *,
		    char **);
static void	free_names(struct scenario *);
static int	check_placeholders(const char *, char **);
static size_t	levenshtein(const char *, const char *);
static const struct scn_key *key_find(enum key_section, const char *,
		    const char **);
static int	key_apply(struct scenario *, struct station *,
		    const struct scn_key *, const char *,
		    const struct scn_pos *, char **);
static int	assign(struct scenario *, const char *, const char *,
		    const char *, const struct scn_pos *, char **,
		    enum set_part *);
static int	perr(struct parser *, unsigned, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	check_text(struct parser *, const unsigned char *, size_t);
static int	is_blank(char);
static char	*skip_blanks(char *);
static void	trim_blanks(char *);
static void	trim_value(char *);
static void	default_station(struct station *, const char *);
static int	parse_section(struct parser *, char *, unsigned);
static int	parse_assignment(struct parser *, char *, unsigned);
static int	parse_set_step(struct parser *, struct script_step *, char *,
		    unsigned);
static int	parse_step(struct parser *, char *, unsigned);
static void	scratch_release(struct scenario *);
static int	check_script_sets(struct parser *);
static char	*script_set_live(struct scenario *, const char *,
		    const char *);
static int	check_script_kills(struct parser *);
static void	set_defaults(struct scenario *, const char *);
static char	*read_file(FILE *, const char *, size_t *, char **);
static const char *file_kind(mode_t);
static int	check_set_text(const char *, const char *, char **);

const struct scn_key scn_keys[] = {
	{ SECTION_SCENARIO, "title", KEY_STRING, NULL, "the file name",
	  "the title shown on the screen and in the report", set_title },
	{ SECTION_SCENARIO, "mode", KEY_ENUM, mode_choices, "threads",
	  "what the workers are: threads, forked processes, or async tasks",
	  set_mode },
	{ SECTION_SCENARIO, "dishes", KEY_DISHES, NULL,
	  "salad bread entree dessert",
	  "the dishes to wash: names, or a count", set_dishes },
	{ SECTION_SCENARIO, "rack", KEY_CAPACITY, NULL, "unbounded",
	  "capacity of every rack: a count, 0 for a hand-off, or unbounded",
	  set_rack },
	{ SECTION_SCENARIO, "transport", KEY_STRING, NULL, "local",
	  "where the racks live", set_transport },
	{ SECTION_SCENARIO, "seed", KEY_U64, NULL, "1",
	  "the random seed: random times, virtual interleavings", set_seed },
	{ SECTION_SCENARIO, "output", KEY_ENUM, output_choices, "parts",
	  "parts: each word of a say written apart, as print does; lines: "
	  "whole lines", set_output },
	{ SECTION_SCENARIO, "print_gap", KEY_DURATION, NULL, "1ms",
	  "real time between the parts of a say", set_print_gap },
	{ SECTION_SCENARIO, "gil", KEY_ENUM, onoff_choices, "off",
	  "on: a global interpreter lock per process, as CPython's; cpu work "
	  "holds it", set_gil },
	{ SECTION_SCENARIO, "gil.interval", KEY_DURATION, NULL, "5ms",
	  "how long a thread waits for the GIL before asking for it "
	  "(CPython's switch interval)", set_gil_interval },
	{ SECTION_SCENARIO, "cores", KEY_COUNT, NULL, "2",
	  "processors on the virtual clock (the real clock has the "
	  "machine's)", set_cores },
	{ SECTION_SCENARIO, "lock_order", KEY_ENUM, order_choices, "opposite",
	  "how workers take the locks they need: opposite: every other worker "
	  "in reverse (they may deadlock); fixed: all in one order",
	  set_lock_order },
	{ SECTION_STATION, "count", KEY_COUNT, NULL, "1",
	  "how many workers the station has", set_count },
	{ SECTION_STATION, "time", KEY_DIST, NULL, "1s",
	  "how long one dish takes: 2s, 150ms, 1s..3s, exp(2s), 0", set_time },
	{ SECTION_STATION, "work", KEY_ENUM, work_choices, "io",
	  "io waits (sleeps); cpu computes", set_work },
	{ SECTION_STATION, "say", KEY_STRING, NULL, "nothing",
	  "what a worker prints for each dish; {dish}, {worker}, \\n",
	  set_say },
	{ SECTION_STATION, "say_after", KEY_STRING, NULL, "nothing",
	  "what a worker prints for each dish once its work is done",
	  set_say_after },
	{ SECTION_STATION, "say_start", KEY_STRING, NULL, "nothing",
	  "what a worker prints when it starts; {worker}", set_say_start },
	{ SECTION_STATION, "say_end", KEY_STRING, NULL, "nothing",
	  "what a worker prints when it leaves, its work over; {worker}",
	  set_say_end },
	{ SECTION_STATION, "start", KEY_DURATION, NULL, "0",
	  "how long after the run's start its workers begin", set_start },
	{ SECTION_STATION, "where", KEY_ENUM, where_choices, "here",
	  "here: its workers run in this program; agents: only workers of "
	  "dishrack agent, on other hosts (Redis racks)", set_where },
	{ SECTION_STATION, "rack", KEY_CAPACITY, NULL, "[scenario] rack",
	  "capacity of the rack in front of this station", set_rack },
	{ SECTION_STATION, "needs", KEY_STRING, NULL, "nothing",
	  "named locks a worker holds while it works, such as towel cloth",
	  set_needs },
	{ SECTION_STATION, "subscribe", KEY_STRING, NULL, "every topic",
	  "a broadcast's subscriber: its topics, apart by commas; a '*' at "
	  "the end subscribes to a prefix", set_subscribe },
	{ SECTION_CUPBOARD, "lock", KEY_ENUM, lock_choices, "none",
	  "how the last station's workers update the cupboard's count",
	  set_cupboard_lock },
	{ SECTION_CUPBOARD, "window", KEY_DURATION, NULL, "1ms",
	  "the work between reading the count and writing it back",
	  set_cupboard_window },
	{ SECTION_RACK, "reliable", KEY_ENUM, yesno_choices, "yes",
	  "yes: a taker that dies loses no dish (Redis: each taker's own "
	  "list, acknowledged); no: the lecture's plain queue",
	  set_reliable },
	{ SECTION_RACK, "batch", KEY_COUNT, NULL, "1",
	  "Redis racks: dishes a taker fetches in one round trip; puts and "
	  "acknowledgements go out without waiting for their answers",
	  set_batch },
	{ SECTION_RACK, "quit", KEY_ENUM, quit_choices, "broadcast",
	  "how a plain ZeroMQ rack (reliable = no) ends its takers: broadcast: "
	  "a control PUB/SUB every taker hears; sentinel: one quit per taker "
	  "down the PUSH, as the lecture's washer does (one may miss it)",
	  set_rack_quit },
	{ SECTION_SCENARIO, "duration", KEY_DURATION, NULL, "0",
	  "with arrivals: no dish arrives after this long; the run ends when "
	  "the dishes in it are done", set_duration },
	{ SECTION_SCENARIO, "warmup", KEY_DURATION, NULL, "0",
	  "the start of the run the theory figures leave out (waits, depths, "
	  "busy fractions)", set_warmup },
	{ SECTION_STATION, "arrivals", KEY_DIST, NULL, "a pile",
	  "first station only: dishes arrive one gap apart (exp(5s) is a "
	  "Poisson stream) instead of lying in a pile", set_arrivals },
	{ SECTION_SERVER, "model", KEY_STRING, NULL, "threads:4",
	  "sync: one connection at a time, start to finish; threads:N: a "
	  "pool of N threads; processes:N: N forked sync servers; async: "
	  "one thread, an event loop",
	  set_web_model },
	{ SECTION_SERVER, "listen", KEY_STRING, NULL, "127.0.0.1:0",
	  "the address and port the server listens on; port 0: any free "
	  "one, printed", set_web_listen },
	{ SECTION_SERVER, "render", KEY_DURATION, NULL, "5ms",
	  "the time a page takes to render", set_web_render },
	{ SECTION_SERVER, "work", KEY_ENUM, web_work_choices, "io",
	  "io: rendering waits (a database); cpu: it computes",
	  set_web_work },
	{ SECTION_SERVER, "timeout", KEY_DURATION, NULL, "2s",
	  "a connection that sends no part of its request for that long is "
	  "dropped, and counted (0: never)", set_web_timeout },
	{ SECTION_SERVER, "clients", KEY_ENUM, web_clients_choices,
	  "scenario", "scenario: the [visitors] come; external: none, the "
	  "server runs until stopped (curl, a browser, wrk)",
	  set_web_clients },
	{ SECTION_SERVER, "max_header", KEY_U64, NULL, "8k",
	  "the longest request head (431 beyond)", set_web_max_header },
	{ SECTION_SERVER, "max_body", KEY_U64, NULL, "16M",
	  "the largest upload (413 beyond)", set_web_max_body },
	{ SECTION_VISITORS, "pages", KEY_COUNT, NULL, "100",
	  "page visits in all, each on a connection of its own",
	  set_web_pages },
	{ SECTION_VISITORS, "rate", KEY_COUNT, NULL, "20/s",
	  "page arrivals a second, on a schedule kept whatever the server "
	  "does (open loop)", set_web_rate },
	{ SECTION_VISITORS, "uploads", KEY_COUNT, NULL, "1",
	  "visitors who upload a file, slowly", set_web_uploads },
	{ SECTION_VISITORS, "upload_size", KEY_U64, NULL, "256k",
	  "the size of each upload", set_web_upload_size },
	{ SECTION_VISITORS, "upload_time", KEY_DURATION, NULL, "3s",
	  "how long each upload takes to send, in chunks",
	  set_web_upload_time },
	{ SECTION_VISITORS, "upload_start", KEY_DURATION, NULL, "500ms",
	  "when the first upload starts (the next 100ms apart)",
	  set_web_upload_start },
	{ SECTION_VISITORS, "patience", KEY_DURATION, NULL, "60s",
	  "a visitor without an answer that long gives up (an error)",
	  set_web_patience },
	{ SECTION_RACK, "kind", KEY_ENUM, kind_choices, "queue",
	  "queue: each dish to one taker; broadcast: publish-subscribe, "
	  "every subscriber of a topic gets its own copy", set_kind },
	{ SECTION_RACK, "topics", KEY_STRING, NULL, "nothing",
	  "a broadcast's topics, apart by commas, for the publisher to pick "
	  "from", set_topics },
	{ SECTION_RACK, "pick", KEY_ENUM, pick_choices, "random",
	  "how the publisher picks a message's topic: random (seeded), "
	  "order (the topics in turn), dish (the dish's name)", set_pick },
	{ SECTION_RACK, "sync", KEY_ENUM, yesno_choices, "no",
	  "yes: the publisher waits until every subscriber has subscribed, "
	  "so none misses a message", set_sync },
};
const size_t scn_nkeys = sizeof scn_keys / sizeof scn_keys[0];

/* The parser keeps a line number per key row; the table must fit. */
_Static_assert(sizeof scn_keys / sizeof scn_keys[0] <= SCN_KEYS_MAX,
    "scn_keys has more rows than SCN_KEYS_MAX");

/* --- Values ------------------------------------------------------------- */

/*
 * How much of s a message quotes: all of it, or CLIP_MAX bytes cut at a
 * character boundary, so a 1 MiB line does not make a 1 MiB message.
 */
static int
clip_len(const char *s)
{
	size_t	n;

	if ((n = strlen(s)) <= CLIP_MAX)
		return ((int)n);
	for (n = CLIP_MAX; n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; n--)
		/* nothing */;
	return ((int)n);
}

/* What follows a clipped quote: "..." if clip_len cut it. */
static const char *
clip_dots(const char *s)
{
	return (strlen(s) > CLIP_MAX ? "..." : "");
}

/*
 * A decimal number and a unit, or a bare 0. A double holds 24 hours in
 * nanoseconds to well under a nanosecond, so rounding it is exact enough.
 */
int
dist_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char	*unit;
		double		 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "h", 3600e9 }
	};
	const char	*p = s;
	double		 v = 0, frac = 0.1;
	size_t		 i;
	int		 digits = 0;

	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return (0);
	}
	for (; isdigit((unsigned char)*p); p++, digits++) {
		v = v * 10 + (*p - '0');
		if (v > 1e15)
			return (-1);
	}
	if (digits == 0)
		return (-1);
	if (*p == '.') {
		p++;
		for (digits = 0; isdigit((unsigned char)*p); p++, digits++) {
			v += (*p - '0') * frac;
			frac /= 10;
		}
		if (digits == 0)
			return (-1);	/* "5.s" */
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].unit) != 0)
			continue;
		v *= units[i].ns;
		if (v > (double)SCN_DURATION_MAX)
			return (-1);
		*ns = (int64_t)(v + 0.5);
		return (0);
	}
	return (-1);
}

/* A duration written back: the largest unit that keeps it whole. */
static void
dist_format_one(int64_t ns, char *buf, size_t len)
{
	if (ns == 0)
		snprintf(buf, len, "0");
	else if (ns % 1000000000LL == 0)
		snprintf(buf, len, "%llds", (long long)(ns / 1000000000LL));
	else if (ns % 1000000LL == 0)
		snprintf(buf, len, "%lldms", (long long)(ns / 1000000LL));
	else if (ns % 1000LL == 0)
		snprintf(buf, len, "%lldus", (long long)(ns / 1000LL));
	else
		snprintf(buf, len, "%lldns", (long long)ns);
}

/* A distribution in the syntax a scenario uses: 2s, 1s..3s, exp(2s). */
const char *
dist_format(const struct dist *d, char *buf, size_t len)
{
	char	a[32], b[32];

	dist_format_one(d->a_ns, a, sizeof a);
	switch (d->kind) {
	case DIST_UNIFORM:
		dist_format_one(d->b_ns, b, sizeof b);
		snprintf(buf, len, "%s..%s", a, b);
		break;
	case DIST_EXP:
		snprintf(buf, len, "exp(%s)", a);
		break;
	case DIST_FIXED:
	default:
		snprintf(buf, len, "%s", a);
		break;
	}
	return (buf);
}

/* Parse a distribution. Returns 0, or -1 with *why allocated. */
static int
dist_parse(const char *v, struct dist *d, char **why)
{
	const char	*dots;
	char		*a;
	size_t		 n;
	int		 rc;

	n = strlen(v);
	if (strncmp(v, "exp(", 4) == 0) {
		if (n < 6 || v[n - 1] != ')')
			goto bad;
		a = xstrndup(v + 4, n - 5);
		rc = dist_parse_duration(a, &d->a_ns);
		free(a);
		if (rc == -1)
			goto bad;
		d->kind = DIST_EXP;
		d->b_ns = 0;
		return (0);
	}
	if ((dots = strstr(v, "..")) != NULL) {
		a = xstrndup(v, (size_t)(dots - v));
		rc = dist_parse_duration(a, &d->a_ns);
		free(a);
		if (rc == -1 || dist_parse_duration(dots + 2, &d->b_ns) == -1)
			goto bad;
		if (d->a_ns > d->b_ns) {
			xasprintf(why, _("%.*s%s: the lower bound is above the "
			    "upper"), CLIPA(v));
			return (-1);
		}
		d->kind = DIST_UNIFORM;
		return (0);
	}
	if (dist_parse_duration(v, &d->a_ns) == -1)
		goto bad;
	d->kind = DIST_FIXED;
	d->b_ns = 0;
	return (0);
bad:
	xasprintf(why, _("expected a duration such as 2s, 150ms, 1s..3s or "
	    "exp(2s), found '%.*s%s'"), CLIPA(v));
	return (-1);
}

/* Whether v is one or more ASCII digits and nothing else. */
static int
is_digits(const char *v)
{
	if (*v == '\0')
		return (0);
	for (; *v != '\0'; v++) {
		if (!isdigit((unsigned char)*v))
			return (0);
	}
	return (1);
}

/* A whole number up to max, digits only. Returns 0 or -1. */
static int
parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t	n = 0;

	if (!is_digits(v))
		return (-1);
	for (; *v != '\0'; v++) {
		if (n > (max - (uint64_t)(*v - '0')) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*v - '0');
	}
	*out = n;
	return (0);
}

/* One of choices (two or more). Returns 0, or -1 with *why. */
static int
parse_enum(const char *v, const char *const *choices, int *out, char **why)
{
	char	*list, *more;
	int	 i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return (0);
		}
	}
	list = xstrdup(choices[0]);
	for (i = 1; choices[i] != NULL; i++) {
		xasprintf(&more, "%s%s%s", list, choices[i + 1] == NULL ?
		    _(" or ") : ", ", choices[i]);
		free(list);
		list = more;
	}
	xasprintf(why, _("expected %s, found '%.*s%s'"), list, CLIPA(v));
	free(list);
	return (-1);
}

/* --- Setters: one per key ------------------------------------------------ */

/* title: any text; an empty title is allowed. */
static int
set_title(struct scenario *s, struct station *st, const char *v, char **why)
{
	free(s->title);
	s->title = xstrdup(v);
	return (0);
}

/* mode: threads, processes or async. */
static int
set_mode(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, mode_choices, &m, why) == -1)
		return (-1);
	s->mode = (enum scn_mode)m;
	return (0);
}

/* Drop the dish names, leaving ndishes as it is. */
static void
free_names(struct scenario *s)
{
	uint64_t	i;

	if (s->dish_names == NULL)
		return;
	for (i = 0; i < s->ndishes; i++)
		free(s->dish_names[i]);
	free(s->dish_names);
	s->dish_names = NULL;
}

/*
 * dishes: a count when the value starts with a digit, else names. Names
 * are letters, digits, '-' and '_'; any non-ASCII UTF-8 counts as a letter,
 * since the text is already known to be valid UTF-8.
 */
static int
set_dishes(struct scenario *s, struct station *st, const char *v, char **why)
{
	const char	*p, *start;
	char		**names = NULL;
	uint64_t	 n = 0, cap = 0, i;
	size_t		 len;

	if (isdigit((unsigned char)*v)) {
		if (parse_u64(v, SCN_MAX_DISHES, &n) == -1 || n == 0) {
			xasprintf(why, _("expected a count of dishes from 1 to "
			    "%llu, or dish names, found '%.*s%s'"),
			    (unsigned long long)SCN_MAX_DISHES, CLIPA(v));
			return (-1);
		}
		free_names(s);
		s->ndishes = n;
		return (0);
	}
	for (p = v; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		for (; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
			if (!isalnum((unsigned char)*p) && *p != '_' &&
			    *p != '-' && (unsigned char)*p < 0x80) {
				xasprintf(why, _("a dish name may have "
				    "letters, digits, '-' and '_', found '%c' "
				    "in '%.*s%s'"), *p, CLIPA(start));
				goto fail;
			}
		}
		len = (size_t)(p - start);
		if (len > SCN_DISH_NAME_MAX) {
			xasprintf(why, _("a dish name is at most %d bytes, "
			    "found '%.*s...'"), SCN_DISH_NAME_MAX, 16, start);
			goto fail;
		}
		if (n == SCN_MAX_NAMES) {
			xasprintf(why, _("more than %d dish names; give a "
			    "count instead"), SCN_MAX_NAMES);
			goto fail;
		}
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrndup(start, len);
	}
	if (n == 0) {
		xasprintf(why, _("expected dish names or a count, found "
		    "nothing"));
		return (-1);
	}
	free_names(s);
	s->dish_names = names;
	s->ndishes = n;
	return (0);
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (-1);
}

/* rack: unbounded or a capacity, for every rack or the station's own. */
static int
set_rack(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;
	uint32_t	cap;

	if (strcmp(v, "unbounded") == 0)
		cap = RACK_UNBOUNDED;
	else if (parse_u64(v, SCN_RACK_MAX, &n) == 0)
		cap = (uint32_t)n;
	else {
		xasprintf(why, _("expected a capacity from 0 (hand-off) to %d, "
		    "or unbounded, found '%.*s%s'"), SCN_RACK_MAX, CLIPA(v));
		return (-1);
	}
	if (st != NULL) {
		st->rack = cap;
		st->rack_set = 1;
	} else
		s->rack = cap;
	return (0);
}

/* transport: any text here; the engine refuses what it cannot open. */
static int
set_transport(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	free(s->transport);
	s->transport = xstrdup(v);
	return (0);
}

/* seed: any 64-bit whole number. */
static int
set_seed(struct scenario *s, struct station *st, const char *v, char **why)
{
	if (parse_u64(v, UINT64_MAX, &s->seed) == -1) {
		xasprintf(why, _("expected a whole number from 0 to %llu, "
		    "found '%.*s%s'"),
		    (unsigned long long)UINT64_MAX, CLIPA(v));
		return (-1);
	}
	return (0);
}

/* output: parts or lines. */
static int
set_output(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, output_choices, &m, why) == -1)
		return (-1);
	s->output = (enum output_mode)m;
	return (0);
}

/* print_gap: a duration up to 1s; longer would stall every say. */
static int
set_print_gap(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1 || ns > 1000000000LL) {
		xasprintf(why, _("expected a duration up to 1s such as 1ms, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->print_gap_ns = ns;
	return (0);
}

/* gil: off or on. */
static int
set_gil(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, onoff_choices, &m, why) == -1)
		return (-1);
	s->gil = m;
	return (0);
}

/* gil.interval: 1us to 1s; outside that the simulation means nothing. */
static int
set_gil_interval(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1 || ns < 1000 ||
	    ns > 1000000000LL) {
		xasprintf(why, _("expected a duration from 1us to 1s such as "
		    "5ms, found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->gil_interval_ns = ns;
	return (0);
}

/* cores: 1 to 4096 processors for the virtual clock. */
static int
set_cores(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;

	if (parse_u64(v, 4096, &n) == -1 || n == 0) {
		xasprintf(why, _("expected a count of cores from 1 to 4096, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->cores = (unsigned)n;
	return (0);
}

/* lock_order: opposite or fixed. */
static int
set_lock_order(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int	m;

	if (parse_enum(v, order_choices, &m, why) == -1)
		return (-1);
	s->lock_order_fixed = m;
	return (0);
}

/*
 * count: at least 1. The hard ceiling only keeps the sums in range; the
 * limits a user may pass with --force are scenario_validate's.
 */
static int
set_count(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;

	if (is_digits(v) && parse_u64(v, SCN_COUNT_MAX, &n) == -1) {
		xasprintf(why, _("expected a count of at most %d, found '"
		    "%.*s%s'"), SCN_COUNT_MAX, CLIPA(v));
		return (-1);
	}
	if (parse_u64(v, SCN_COUNT_MAX, &n) == -1 || n == 0) {
		xasprintf(why, _("expected a count >= 1, found '%.*s%s'"),
		    CLIPA(v));
		return (-1);
	}
	st->count = (unsigned)n;
	return (0);
}

/* time: a distribution. */
static int
set_time(struct scenario *s, struct station *st, const char *v, char **why)
{
	struct dist	d;

	if (dist_parse(v, &d, why) == -1)
		return (-1);
	st->time = d;
	return (0);
}

/* arrivals: a distribution of the gaps, on the first station only. */
static int
set_arrivals(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	struct dist	d;

	if (st != &s->stations[0]) {
		xasprintf(why, _("arrivals: only the first station draws its "
		    "dishes as they arrive; [%s] takes them from a rack"),
		    st->name);
		return (-1);
	}
	if (dist_parse(v, &d, why) == -1)
		return (-1);
	if (d.a_ns <= 0 && d.b_ns <= 0) {
		xasprintf(why, _("arrivals: expected a gap longer than 0, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->arrivals = d;
	s->arrivals_set = 1;
	return (0);
}

/* duration: when arrivals stop; 0 for a count of dishes alone. */
static int
set_duration(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1) {
		xasprintf(why, _("expected a duration such as 1440s or 0, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->duration_ns = ns;
	return (0);
}

/* warmup: the start that steady-state figures leave out. */
static int
set_warmup(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1) {
		xasprintf(why, _("expected a duration such as 100s or 0, found "
		    "'%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->warmup_ns = ns;
	return (0);
}

/* work: io or cpu. */
static int
set_work(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, work_choices, &m, why) == -1)
		return (-1);
	st->work = (enum work_kind)m;
	return (0);
}

/*
 * Other braces are printed as they are, but {dihs} is surely a typo: refuse
 * a brace word within two edits of a placeholder. One pass, pairing each
 * '}' with the nearest '{' before it. Returns 0 or -1 with *why.
 */
static int
check_placeholders(const char *v, char **why)
{
	const char	*p, *open = NULL, *near;
	char		 word[17];
	size_t		 n;

	for (p = v; *p != '\0'; p++) {
		if (*p == '{') {
			open = p;
			continue;
		}
		if (*p != '}' || open == NULL)
			continue;
		n = (size_t)(p - open - 1);
		open = NULL;
		if (n == 0 || n >= sizeof word)
			continue;
		memcpy(word, p - n, n);
		word[n] = '\0';
		if (strcmp(word, "dish") == 0 || strcmp(word, "worker") == 0 ||
		    strcmp(word, "topic") == 0)
			continue;
		near = scn_suggest(word, placeholders,
		    sizeof placeholders / sizeof placeholders[0]);
		if (near != NULL) {
			xasprintf(why, _("unknown placeholder '{%s}', did you "
			    "mean '{%s}'?"), word, near);
			return (-1);
		}
	}
	return (0);
}

/* say: a template; \n, \t and \\ are escapes, other text is kept. */
/* A template: \n, \t and \\ are escapes; empty is silence (NULL). */
static int
set_template(char **dst, const char *v, char **why)
{
	char	*out, *o;

	if (check_placeholders(v, why) == -1)
		return (-1);
	free(*dst);
	*dst = NULL;
	if (*v == '\0')
		return (0);	/* an empty say is silence */
	out = o = xmalloc(strlen(v) + 1);
	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] == 'n') {
			*o++ = '\n';
			v++;
		} else if (*v == '\\' && v[1] == 't') {
			*o++ = '\t';
			v++;
		} else if (*v == '\\' && v[1] == '\\') {
			*o++ = '\\';
			v++;
		} else
			*o++ = *v;
	}
	*o = '\0';
	*dst = out;
	return (0);
}

static int
set_say(struct scenario *s, struct station *st, const char *v, char **why)
{
	return (set_template(&st->say, v, why));
}

static int
set_say_after(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	return (set_template(&st->say_after, v, why));
}

static int
set_say_start(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	return (set_template(&st->say_start, v, why));
}

static int
set_say_end(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	return (set_template(&st->say_end, v, why));
}

static int
set_start(struct scenario *s, struct station *st, const char *v, char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1) {
		xasprintf(why, _("expected a duration such as 500ms or 2s, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	st->start_ns = ns;
	return (0);
}

static int
set_where(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, where_choices, &m, why) == -1)
		return (-1);
	st->agents_only = m;
	return (0);
}

static int
set_reliable(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int	m;

	if (parse_enum(v, yesno_choices, &m, why) == -1)
		return (-1);
	s->reliable = m;
	return (0);
}

static int
set_batch(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;

	(void)st;
	if (parse_u64(v, SCN_BATCH_MAX, &n) == -1 || n == 0) {
		xasprintf(why, _("expected a batch of 1 to %d dishes, found '"
		    "%.*s%s'"), SCN_BATCH_MAX, CLIPA(v));
		return (-1);
	}
	s->batch = (unsigned)n;
	return (0);
}

static int
set_rack_quit(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int	m;

	(void)st;
	if (parse_enum(v, quit_choices, &m, why) == -1)
		return (-1);
	s->rack_quit = m;
	return (0);
}

int
scenario_topic_list(const char *v, char (*out)[SCN_TOPIC_MAX], unsigned max,
    int prefixes, char **why)
{
	const char	*p = v, *end, *star;
	unsigned	 n = 0;
	size_t		 len;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			xasprintf(why, _("expected a topic before '%s', found "
			    "nothing"), *end == ',' ? "," : _("the end"));
			return (-1);
		}
		if (len >= SCN_TOPIC_MAX) {
			xasprintf(why, _("topic '%.*s...' is longer than %d "
			    "bytes"), 20, p, SCN_TOPIC_MAX - 1);
			return (-1);
		}
		star = memchr(p, '*', len);
		if (star != NULL && (!prefixes || star != p + len - 1)) {
			xasprintf(why, "'%.*s': %s", (int)len, p, prefixes ?
			    _("a '*' may only end a topic (a prefix)") :
			    _("a topic the publisher picks has no '*'"));
			return (-1);
		}
		if (n == max) {
			xasprintf(why, _("more than %u topics"), max);
			return (-1);
		}
		memcpy(out[n], p, len);
		out[n][len] = '\0';
		n++;
		p = *end == ',' ? end + 1 : end;
		if (*end == ',' && *p == '\0') {
			xasprintf(why, _("expected a topic after the last ',', "
			    "found nothing"));
			return (-1);
		}
	}
	return ((int)n);
}

/* kind: a queue (the default) or a broadcast. */
static int
set_kind(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	(void)st;
	if (parse_enum(v, kind_choices, &m, why) == -1)
		return (-1);
	s->broadcast = m;
	return (0);
}

/* topics: what the publisher picks from; repeats weigh a random pick. */
static int
set_topics(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	char	t[SCN_MAX_TOPICS][SCN_TOPIC_MAX];
	int	n;

	(void)st;
	if ((n = scenario_topic_list(v, t, SCN_MAX_TOPICS, 0, why)) == -1)
		return (-1);
	memcpy(s->topics, t, sizeof t);
	s->ntopics = (unsigned)n;
	return (0);
}

static int
set_pick(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	(void)st;
	if (parse_enum(v, pick_choices, &m, why) == -1)
		return (-1);
	s->pick = (enum topic_pick)m;
	return (0);
}

static int
set_sync(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	(void)st;
	if (parse_enum(v, yesno_choices, &m, why) == -1)
		return (-1);
	s->sync = m;
	return (0);
}

/* subscribe: empty is every topic, as ZeroMQ's empty prefix. */
static int
set_subscribe(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	char	t[SCN_MAX_SUBSCRIBE][SCN_TOPIC_MAX];
	int	n;

	(void)s;
	if ((n = scenario_topic_list(v, t, SCN_MAX_SUBSCRIBE, 1, why)) == -1)
		return (-1);
	memcpy(st->subscribe, t, sizeof t);
	st->nsubscribe = (unsigned)n;
	return (0);
}

/*
 * needs: lock names, as station names are, apart by blanks. The same lock
 * twice would make a worker wait for itself.
 */
static int
set_needs(struct scenario *s, struct station *st, const char *v, char **why)
{
	char		 needs[SCN_MAX_NEEDS][SCN_LOCK_NAME_MAX], *name;
	const char	*p, *start;
	unsigned	 n = 0, i;
	size_t		 len;

	for (p = v; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (start = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
			/* nothing */;
		len = (size_t)(p - start);
		if (!islower((unsigned char)*start) ||
		    len >= SCN_LOCK_NAME_MAX ||
		    strspn(start, "abcdefghijklmnopqrstuvwxyz0123456789_-") <
		    len) {
			name = xstrndup(start, len);
			xasprintf(why, _("a lock is named with lowercase "
			    "letters, digits, '-' and '_' (at most %d), found '"
			    "%.*s%s'"), SCN_LOCK_NAME_MAX - 1, CLIPA(name));
			free(name);
			return (-1);
		}
		if (n == SCN_MAX_NEEDS) {
			xasprintf(why, _("a station needs at most %d locks"),
			    SCN_MAX_NEEDS);
			return (-1);
		}
		memcpy(needs[n], start, len);
		needs[n][len] = '\0';
		for (i = 0; i < n; i++) {
			if (strcmp(needs[i], needs[n]) == 0) {
				xasprintf(why, _("'%s' is needed twice"),
				    needs[n]);
				return (-1);
			}
		}
		n++;
	}
	memcpy(st->needs, needs, sizeof needs);
	st->nneeds = n;
	return (0);
}

/* [cupboard] lock: none, mutex, spin or atomic; a key makes a cupboard. */
static int
set_cupboard_lock(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int	m;

	if (parse_enum(v, lock_choices, &m, why) == -1)
		return (-1);
	s->cupboard_lock = (enum lock_mode)m;
	s->cupboard = 1;
	return (0);
}

/* [cupboard] window: up to 1s; a spin lock spins through all of it. */
static int
set_cupboard_window(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1 || ns > 1000000000LL) {
		xasprintf(why, _("expected a duration up to 1s such as 2ms, "
		    "found '%.*s%s'"), CLIPA(v));
		return (-1);
	}
	s->cupboard_window_ns = ns;
	s->cupboard = 1;
	return (0);
}

/* --- Keys and suggestions ------------------------------------------------- */

/* Edit distance, ignoring case; words of 64 bytes or more are far away. */
static size_t
levenshtein(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t	row[64];

	if (la >= 64 || lb >= 64)
		return (64);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cur = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			prev = tmp;
		}
	}
	return (row[lb]);
}

/*
 * The nearest candidate within two edits, and fewer edits than word has
 * letters (else "x" would suggest any short key). Ties go to the first.
 */
const char *
scn_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		d = levenshtein(word, candidates[i]);
		if (d < bestd && d < strlen(word)) {
			best = candidates[i];
			bestd = d;
		}
	}
	return (best);
}

/* The key called name in a section, or NULL; *near gets a suggestion. */
static const struct scn_key *
key_find(enum key_section sec, const char *name, const char **near)
{
	const char	*names[SCN_KEYS_MAX];
	size_t		 i, n = 0;

	for (i = 0; i < scn_nkeys; i++) {
		if (scn_keys[i].section != sec)
			continue;
		if (strcmp(scn_keys[i].name, name) == 0)
			return (&scn_keys[i]);
		names[n++] = scn_keys[i].name;
	}
	if (near != NULL)
		*near = scn_suggest(name, names, n);
	return (NULL);
}

/*
 * Store a value through its row, and remember where it came from for the
 * values scenario_validate and the engine report on. -1 with *why.
 */
static int
key_apply(struct scenario *s, struct station *st, const struct scn_key *k,
    const char *v, const struct scn_pos *pos, char **why)
{
	if (*v == '\0' && k->type != KEY_STRING) {
		xasprintf(why, _("expected a value for '%s', found nothing"),
		    k->name);
		return (-1);
	}
	if (k->set(s, st, v, why) == -1)
		return (-1);
	if (k->set == set_mode)
		s->mode_pos = *pos;
	else if (k->set == set_dishes)
		s->dishes_pos = *pos;
	else if (k->set == set_transport)
		s->transport_pos = *pos;
	else if (k->set == set_batch)
		s->batch_pos = *pos;
	else if (k->set == set_count)
		st->count_pos = *pos;
	else if (k->set == set_needs)
		st->needs_pos = *pos;
	else if (k->set == set_duration)
		s->duration_pos = *pos;
	else if (k->set == set_subscribe)
		st->subscribe_pos = *pos;
	else if (k->set == set_kind)
		s->kind_pos = *pos;
	else if (k->set == set_topics)
		s->topics_pos = *pos;
	return (0);
}

/*
 * Apply SECTION.KEY = VALUE, as --set and [script] set steps do. On error,
 * *why is allocated without a position and *part says what was wrong.
 */
static int
assign(struct scenario *s, const char *section, const char *key,
    const char *value, const struct scn_pos *pos, char **why,
    enum set_part *part)
{
	const struct scn_key	*k;
	struct station		*st = NULL;
	enum key_section	 sec = SECTION_STATION;
	const char		*near = NULL, *names[SCN_MAX_STATIONS + 3];
	char			*list, *more, *w = NULL;
	unsigned		 i;

	if (strcmp(section, "scenario") == 0)
		sec = SECTION_SCENARIO;
	else if (strcmp(section, "cupboard") == 0)
		sec = SECTION_CUPBOARD;
	else if (strcmp(section, "rack") == 0)
		sec = SECTION_RACK;
	else if (strcmp(section, "server") == 0 && s->web.on)
		sec = SECTION_SERVER;
	else if (strcmp(section, "visitors") == 0 && s->web.on)
		sec = SECTION_VISITORS;
	else if ((st = scenario_station(s, section)) == NULL) {
		*part = PART_SECTION;
		names[0] = "scenario";
		names[1] = "cupboard";
		names[2] = "rack";
		for (i = 0; i < s->nstations; i++)
			names[i + 3] = s->stations[i].name;
		near = scn_suggest(section, names, s->nstations + 3);
		if (near != NULL) {
			xasprintf(why, _("unknown section '%.*s%s', did you "
			    "mean '%s'?"), CLIPA(section), near);
			return (-1);
		}
		list = xstrdup("scenario, cupboard, rack");
		for (i = 0; i < s->nstations; i++) {
			xasprintf(&more, "%s%s%s", list, i + 1 == s->nstations ?
			    _(" or ") : ", ", s->stations[i].name);
			free(list);
			list = more;
		}
		xasprintf(why, _("unknown section '%.*s%s': expected %s"),
		    CLIPA(section), list);
		free(list);
		return (-1);
	}
	if ((k = key_find(sec, key, &near)) == NULL) {
		*part = PART_KEY;
		if (near != NULL)
			xasprintf(why, _("unknown key '%s.%.*s%s', did you "
			    "mean '%s.%s'?"), section, CLIPA(key), section,
			    near);
		else
			xasprintf(why, _("unknown key '%s.%.*s%s'"), section,
			    CLIPA(key));
		return (-1);
	}
	*part = PART_VALUE;
	if (key_apply(s, st, k, value, pos, &w) == -1) {
		xasprintf(why, "%s.%s: %s", section, key, w);
		free(w);
		return (-1);
	}
	return (0);
}

/* --- The parser ----------------------------------------------------------- */

/* Record the first error, as FILE:LINE:COL: message. Returns -1. */
static int
perr(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->cause != NULL)
		return (-1);
	/* fmt is marked N_() where perr is called: translated here. */
	va_start(ap, fmt);
	xvasprintf(&msg, _(fmt), ap);
	va_end(ap);
	xasprintf(&p->cause, "%s:%u:%u: %s", p->file, p->line, col, msg);
	free(msg);
	return (-1);
}

/*
 * Check the text is UTF-8 (RFC 3629: no overlong forms, no surrogates) and
 * has no control characters but tab, LF and the CR of a CRLF: a say is
 * written to the terminal, and an escape sequence in a file must not reach
 * it, nor a lone CR that sends the cursor back over what the line showed.
 */
static int
check_text(struct parser *p, const unsigned char *t, size_t len)
{
	size_t	i, n, bol = 0;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (t[i] == '\n') {
			p->line++;
			bol = i + 1;
		} else if (t[i] == '\r') {
			if (i + 1 < len && t[i + 1] != '\n')
				return (perr(p, (unsigned)(i - bol + 1), N_("a "
				    "carriage return inside a line: expected "
				    "it only before a newline (CRLF)")));
		} else if (t[i] != '\t' &&
		    (n = safe_char_len(t + i, len - i)) == 0)
			return (perr(p, (unsigned)(i - bol + 1),
			    N_("not a text "
			    "file (byte 0x%02x)"), t[i]));
	}
	return (0);
}

/* A blank inside a line: a space or a tab. */
static int
is_blank(char c)
{
	return (c == ' ' || c == '\t');
}

/* The first character of s that is not blank. */
static char *
skip_blanks(char *s)
{
	while (is_blank(*s))
		s++;
	return (s);
}

/* Cut blanks off the end of s. */
static void
trim_blanks(char *s)
{
	char	*end;

	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = '\0';
}

/*
 * Cut a comment and the blanks before it off a value. A '#' after a blank
 * (or first) starts a comment, so "dish#1" keeps its '#'.
 */
static void
trim_value(char *v)
{
	char	*p;

	for (p = v; *p != '\0'; p++) {
		if (*p == '#' && (p == v || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	trim_blanks(v);
}

/* A station with every key at its default. */
static void
default_station(struct station *st, const char *name)
{
	memset(st, 0, sizeof *st);
	snprintf(st->name, sizeof st->name, "%s", name);
	st->count = 1;
	st->time.kind = DIST_FIXED;
	st->time.a_ns = 1000000000LL;
	st->work = WORK_IO;
}

/* A [name] line: [scenario], [script], or the next station. */
/* A station's name: lowercase letters, digits, '-' and '_'. */
static int
station_name_ok(const char *name)
{
	size_t	i, len = strlen(name);

	if (len == 0 || len >= SCN_NAME_MAX || !islower((unsigned char)name[0]))
		return (0);
	for (i = 0; i < len; i++) {
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			return (0);
	}
	return (1);
}

static int
parse_section(struct parser *p, char *line, unsigned col)
{
	char		*end, *name, *rest;
	const char	*near;
	size_t		 len, i;
	struct station	*st;
	int		*have;
	char		 lower[SCN_NAME_MAX];

	if ((end = strchr(line, ']')) == NULL)
		return (perr(p, col,
		    N_("expected ']' to close the section name")));
	rest = skip_blanks(end + 1);
	if (*rest != '\0' && *rest != '#')
		return (perr(p, col + (unsigned)(rest - line), N_("unexpected "
		    "text after the section name, found '%.*s%s'"),
		    CLIPA(rest)));
	*end = '\0';
	name = line + 1;
	len = strlen(name);
	memset(p->seen_line, 0, sizeof p->seen_line);

	have = NULL;
	if (strcmp(name, "scenario") == 0) {
		have = &p->have_scenario;
		p->section = SEC_SCENARIO;
	} else if (strcmp(name, "script") == 0) {
		have = &p->have_script;
		p->section = SEC_SCRIPT;
	} else if (strcmp(name, "cupboard") == 0) {
		have = &p->have_cupboard;
		p->section = SEC_CUPBOARD;
		p->s->cupboard = 1;
	} else if (strcmp(name, "rack") == 0) {
		have = &p->have_rack;
		p->section = SEC_RACK;
	} else if (strcmp(name, "server") == 0) {
		have = &p->have_server;
		p->section = SEC_SERVER;
		p->s->web.on = 1;
		p->s->web.pos = (struct scn_pos){ p->s->file, p->line, col };
	} else if (strcmp(name, "visitors") == 0) {
		have = &p->have_visitors;
		p->section = SEC_VISITORS;
	}
	if (have != NULL) {
		if (*have)
			return (perr(p, col, N_("[%s] appears twice"), name));
		*have = 1;
		return (0);
	}
	if (len == 0 || len >= SCN_NAME_MAX || !islower((unsigned char)name[0]))
		goto badname;
	for (i = 0; i < len; i++) {
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-')
			goto badname;
	}
	near = scn_suggest(name, reserved_sections,
	    sizeof reserved_sections / sizeof reserved_sections[0]);
	if (near != NULL)
		return (perr(p, col, N_("unknown section [%s], did you mean "
		    "[%s]?"), name, near));
	if ((st = scenario_station(p->s, name)) != NULL)
		return (perr(p, col, N_("station [%s] appears twice: first on "
		    "line %u"), name, st->pos.line));
	if (p->s->nstations == SCN_MAX_STATIONS)
		return (perr(p, col, N_("more than %d stations"),
		    SCN_MAX_STATIONS));
	st = &p->s->stations[p->s->nstations];
	default_station(st, name);
	st->pos = (struct scn_pos){ p->s->file, p->line, col };
	p->section = (int)p->s->nstations++;
	return (0);
badname:
	/* [Washer]: the name in lowercase may well be what was meant. */
	for (i = 0; name[i] != '\0' && i < sizeof lower - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (name[i] == '\0' && strcmp(lower, name) != 0 &&
	    station_name_ok(lower))
		return (perr(p, col + 1, N_("a station's name is in lowercase: "
		    "found [%.*s%s], did you mean [%s]?"), CLIPA(name),
		    lower));
	return (perr(p, col + 1, N_("a section is [scenario], [script], or a "
	    "station name of lowercase letters, digits, '-' and '_' "
	    "(at most %d), found [%.*s%s]"), SCN_NAME_MAX - 1, CLIPA(name)));
}

/* A key = value line in [scenario] or a station. */
static int
parse_assignment(struct parser *p, char *line, unsigned col)
{
	const struct scn_key	*k;
	struct station		*st = NULL;
	struct scn_pos		 pos;
	const char		*near = NULL, *secname;
	char			*eq, *v, *why = NULL;
	unsigned		 vcol, row;

	if (p->section == SEC_NONE)
		return (perr(p, col, N_("a key outside any section: start with "
		    "[scenario] or a station such as [washer]")));
	if ((eq = strchr(line, '=')) == NULL) {
		trim_value(line);
		return (perr(p, col, N_("expected KEY = VALUE, found '%.*s%s'"),
		    CLIPA(line)));
	}
	*eq = '\0';
	trim_blanks(line);
	if (*line == '\0')
		return (perr(p, col, N_("expected a key before '='")));
	v = skip_blanks(eq + 1);
	vcol = col + (unsigned)(v - line);
	trim_value(v);
	if (p->section >= 0) {
		st = &p->s->stations[p->section];
		secname = st->name;
		k = key_find(SECTION_STATION, line, &near);
	} else if (p->section == SEC_CUPBOARD) {
		secname = "cupboard";
		k = key_find(SECTION_CUPBOARD, line, &near);
	} else if (p->section == SEC_RACK) {
		secname = "rack";
		k = key_find(SECTION_RACK, line, &near);
	} else if (p->section == SEC_SERVER) {
		secname = "server";
		k = key_find(SECTION_SERVER, line, &near);
	} else if (p->section == SEC_VISITORS) {
		secname = "visitors";
		k = key_find(SECTION_VISITORS, line, &near);
	} else {
		secname = "scenario";
		k = key_find(SECTION_SCENARIO, line, &near);
	}
	if (k == NULL) {
		if (near != NULL)
			return (perr(p, col, N_("unknown key '%.*s%s' in [%s], "
			    "did you mean '%s'?"), CLIPA(line), secname, near));
		return (perr(p, col, N_("unknown key '%.*s%s' in [%s]"),
		    CLIPA(line), secname));
	}
	row = (unsigned)(k - scn_keys);
	if (p->seen_line[row] != 0)
		return (perr(p, col, N_("'%s' is set twice in [%s]: first on "
		    "line %u"), line, secname, p->seen_line[row]));
	p->seen_line[row] = p->line;
	pos = (struct scn_pos){ p->s->file, p->line, vcol };
	if (key_apply(p->s, st, k, v, &pos, &why) == -1) {
		perr(p, vcol, "%s", why);
		free(why);
		return (-1);
	}
	return (0);
}

/*
 * The rest of a "TIME set SECTION.KEY = VALUE" line, at column col. The
 * text is stored as "section.key=value" and checked once the file is read,
 * since the stations may come after [script].
 */
static int
parse_set_step(struct parser *p, struct script_step *step, char *rest,
    unsigned col)
{
	char		*eq, *end, *value;
	const char	*dot, *q;

	if ((eq = strchr(rest, '=')) == NULL)
		goto bad;
	for (end = eq; end > rest && is_blank(end[-1]); end--)
		/* nothing */;
	dot = memchr(rest, '.', (size_t)(end - rest));
	if (dot == NULL || dot == rest || dot + 1 == end)
		goto bad;
	for (q = rest; q < end; q++) {
		if (is_blank(*q))
			goto bad;
	}
	value = skip_blanks(eq + 1);
	p->set_col[p->s->nscript][0] = col;
	p->set_col[p->s->nscript][1] = col + (unsigned)(value - rest);
	xasprintf(&step->text, "%.*s=%s", (int)(end - rest), rest, value);
	return (0);
bad:
	return (perr(p, col, N_("expected set SECTION.KEY = VALUE, found "
	    "'%.*s%s'"), CLIPA(rest)));
}

/* A [script] line: TIME say TEXT | TIME set SECTION.KEY = VALUE | pause. */
static int
parse_step(struct parser *p, char *line, unsigned col)
{
	struct script_step	*step;
	char			*t = line, *verb, *rest;
	unsigned		 vcol;
	int64_t			 at;

	while (*line != '\0' && !is_blank(*line))
		line++;
	if (*line != '\0')
		*line++ = '\0';
	if (dist_parse_duration(t, &at) == -1)
		return (perr(p, col, N_("expected a duration such as 5s, found "
		    "'%.*s%s'"), CLIPA(t)));
	verb = skip_blanks(line);
	vcol = col + (unsigned)(verb - t);
	for (line = verb; *line != '\0' && !is_blank(*line); line++)
		/* nothing */;
	if (*line != '\0')
		*line++ = '\0';
	rest = skip_blanks(line);
	trim_value(rest);
	if (strcmp(verb, "say") != 0 && strcmp(verb, "set") != 0 &&
	    strcmp(verb, "pause") != 0 && strcmp(verb, "kill") != 0 &&
	    strcmp(verb, "restart") != 0) {
		if (*verb == '\0' || *verb == '#')
			return (perr(p, vcol,
			    N_("expected say, set, pause, kill or "
			    "restart after the time, found nothing")));
		return (perr(p, vcol, N_("expected say, set, pause, kill or "
		    "restart after the time, found '%.*s%s'"), CLIPA(verb)));
	}
	if (p->s->nscript == SCN_MAX_SCRIPT)
		return (perr(p, col, N_("more than %d script steps"),
		    SCN_MAX_SCRIPT));
	if (p->s->nscript > 0 && at < p->s->script[p->s->nscript - 1].at_ns)
		return (perr(p, col, N_("script steps must be in time order: "
		    "%.*s%s comes after a later step on line %u"), CLIPA(t),
		    p->s->script[p->s->nscript - 1].pos.line));
	step = &p->s->script[p->s->nscript];
	step->at_ns = at;
	step->pos = (struct scn_pos){ p->s->file, p->line, col };
	if (strcmp(verb, "say") == 0) {
		if (*rest == '\0')
			return (perr(p, vcol,
			    N_("expected text after say, found "
			    "nothing")));
		step->kind = STEP_SAY;
		step->text = xstrdup(rest);
	} else if (strcmp(verb, "pause") == 0) {
		step->kind = STEP_PAUSE;
		step->text = xstrdup(rest);
	} else if (strcmp(verb, "restart") == 0) {
		if (strcmp(rest, "broker") != 0)
			return (perr(p, vcol + 8,
			    N_("expected broker after restart "
			    "(the private redis-server a kill broker stopped), "
			    "found '%.*s%s'"), CLIPA(rest)));
		step->kind = STEP_RESTART;
		step->text = xstrdup(rest);
	} else if (strcmp(verb, "kill") == 0) {
		if (*rest == '\0')
			return (perr(p, vcol,
			    N_("expected a worker (dryer-2) or a "
			    "station after kill, found nothing")));
		step->kind = STEP_KILL;
		step->pos.col = col + (unsigned)(rest - t);
		if (strncmp(rest, "agent", 5) == 0 && is_blank(rest[5])) {
			/*
			 * kill agent NAME: an agent's host process. Who joins
			 * is known at run time only; its name is one word.
			 */
			char	*name = skip_blanks(rest + 5), *end;

			for (end = name; *end != '\0' && !is_blank(*end); end++)
				/* nothing */;
			if (*end != '\0')
				return (perr(p, col + (unsigned)(name - t),
				    N_("expected one name after kill agent "
				    "(its --name or host, as the screen shows "
				    "it), found '%.*s%s'"), CLIPA(name)));
			xasprintf(&step->text, "agent %s", name);
			step->pos.col = col + (unsigned)(name - t);
		} else
			step->text = xstrdup(rest);
		/* Checked once every station is known: check_script_kills. */
	} else {
		step->kind = STEP_SET;
		if (parse_set_step(p, step, rest,
		    col + (unsigned)(rest - t)) == -1)
			return (-1);
	}
	p->s->nscript++;
	return (0);
}

/* Free what the setters allocated into a scratch copy of a scenario. */
static void
scratch_release(struct scenario *tmp)
{
	unsigned	i;

	free(tmp->title);
	free(tmp->transport);
	free_names(tmp);
	for (i = 0; i < tmp->nstations; i++) {
		free(tmp->stations[i].say);
		free(tmp->stations[i].say_after);
		free(tmp->stations[i].say_start);
		free(tmp->stations[i].say_end);
	}
	scenario_web_free(&tmp->web);
}

/*
 * Try each script set on a scratch copy of the finished scenario, so a typo
 * is reported at its line now rather than at second 40 of a lecture. The
 * copy shares no allocation with the real one. The engine can change only
 * a station's count and time while it runs (engine_set) and would drop any
 * other set without a word, so those are refused here too.
 */
static int
check_script_sets(struct parser *p)
{
	struct scenario		 tmp;
	const struct script_step *step;
	enum set_part		 part;
	char			*text, *dot, *eq, *why = NULL;
	unsigned		 i, j;
	int			 rc;

	for (i = 0; i < p->s->nscript; i++) {
		step = &p->s->script[i];
		if (step->kind != STEP_SET)
			continue;
		memcpy(&tmp, p->s, sizeof tmp);
		tmp.dish_names = NULL;
		tmp.title = tmp.transport = NULL;
		tmp.script = NULL;
		tmp.nscript = 0;
		tmp.web.listen = NULL;
		for (j = 0; j < tmp.nstations; j++) {
			tmp.stations[j].say = tmp.stations[j].say_after = NULL;
			tmp.stations[j].say_start = NULL;
			tmp.stations[j].say_end = NULL;
		}
		text = xstrdup(step->text);
		if ((dot = strchr(text, '.')) == NULL ||
		    (eq = strchr(dot, '=')) == NULL) {
			free(text);	/* parse_set_step made sure of both */
			continue;
		}
		*dot = *eq = '\0';
		rc = assign(&tmp, text, dot + 1, eq + 1, &step->pos, &why,
		    &part);
		if (rc == 0 && (why = script_set_live(p->s, text, dot + 1)) !=
		    NULL) {
			part = PART_KEY;
			rc = -1;
		}
		free(text);
		scratch_release(&tmp);
		if (rc == -1) {
			p->line = step->pos.line;
			perr(p, p->set_col[i][part == PART_VALUE], "%s", why);
			free(why);
			return (-1);
		}
	}
	return (0);
}

/*
 * Why section.key cannot change during a run of s (engine_set and
 * engine_live.c say the same at run time), or NULL if it can: a station's
 * count, time, subscribe and the capacity of the rack in front of it;
 * every rack's capacity; the GIL, switched off or on again, in a run that
 * starts with one; the cupboard's lock, if there is a cupboard.
 */
static char *
script_set_live(struct scenario *s, const char *section, const char *key)
{
	const struct station	*st = scenario_station(s, section);
	char			*why = NULL;
	int			 rack = strcmp(key, "rack") == 0;

	if (st != NULL && (strcmp(key, "count") == 0 ||
	    strcmp(key, "time") == 0 || strcmp(key, "subscribe") == 0) &&
	    strcmp(section, "scenario") != 0)
		return (NULL);
	if ((st != NULL || strcmp(section, "scenario") == 0) && rack) {
		if (st == &s->stations[0])
			xasprintf(&why, _("%s takes its dishes from the pile, "
			    "which has no capacity to change"), section);
		else if (s->broadcast || (s->transport != NULL &&
		    strcmp(s->transport, "local") != 0))
			xasprintf(&why, _("only a rack in the run's own memory "
			    "can change its capacity during a run (this one's "
			    "is %s)"), s->broadcast ? _("a broadcast") :
			    s->transport);
		return (why);
	}
	/* On or off in any run: every run keeps its GILs (engine_live.c). */
	if (strcmp(section, "scenario") == 0 && strcmp(key, "gil") == 0)
		return (NULL);
	if (strcmp(section, "cupboard") == 0 && strcmp(key, "lock") == 0) {
		if (!s->cupboard)
			xasprintf(&why, _("there is no [cupboard] to lock"));
		return (why);
	}
	xasprintf(&why, _("only a station's count, time, rack and subscribe, "
	    "scenario.rack, scenario.gil and cupboard.lock can change during "
	    "a run, not '%s.%s'"), section, key);
	return (why);
}

/*
 * The most workers station si can have during the run: its count, or a
 * script's set of it, whichever is more. A killed worker's replacement
 * takes the next number, so it counts once more for each kill of the
 * station's workers before it.
 */
static unsigned
script_max_count(const struct scenario *s, unsigned si, unsigned upto)
{
	const struct script_step *step;
	const char	*name = s->stations[si].name;
	size_t		 len = strlen(name);
	unsigned	 max = s->stations[si].count, kills = 0, i;
	unsigned long	 v;

	for (i = 0; i < upto; i++) {
		step = &s->script[i];
		if (step->kind == STEP_KILL && strncmp(step->text, name,
		    len) == 0 && (step->text[len] == '-' ||
		    step->text[len] == '\0'))
			kills += step->text[len] == '\0' ?
			    s->stations[si].count : 1;
		if (step->kind == STEP_SET && strncmp(step->text, name,
		    len) == 0 && strncmp(step->text + len, ".count=", 7) == 0 &&
		    (v = strtoul(step->text + len + 7, NULL, 10)) > max)
			max = (unsigned)v;
	}
	return (max + kills);
}

/*
 * A kill names a worker (STATION-N) or a whole station, checked now so a
 * typo is found at its line, not at second 40 of a lecture.
 */
static int
check_script_kills(struct parser *p)
{
	struct scenario		*s = p->s;
	const struct script_step *step;
	const char		*names[SCN_MAX_STATIONS], *near, *dash;
	char			 station[SCN_NAME_MAX];
	unsigned		 i, j, max;
	unsigned long		 n;
	char			*end;

	for (i = 0; i < s->nscript; i++) {
		step = &s->script[i];
		if (step->kind != STEP_KILL)
			continue;
		p->line = step->pos.line;
		if (scenario_station(s, step->text) != NULL ||
		    strcmp(step->text, "broker") == 0 ||
		    strncmp(step->text, "agent ", 6) == 0)
			continue;
		if (strcmp(step->text, "agent") == 0)
			return (perr(p, step->pos.col + 5, N_("expected an "
			    "agent's name (its --name or host, as the screen "
			    "shows it) after kill agent, found nothing")));
		dash = strrchr(step->text, '-');
		if (dash != NULL && (size_t)(dash - step->text) < sizeof station) {
			memcpy(station, step->text, (size_t)(dash - step->text));
			station[dash - step->text] = '\0';
			for (j = 0; j < s->nstations; j++) {
				if (strcmp(s->stations[j].name, station) == 0)
					break;
			}
			if (j < s->nstations) {
				n = strtoul(dash + 1, &end, 10);
				max = script_max_count(s, j, i);
				if (*end != '\0' || end == dash + 1 || n == 0)
					return (perr(p, step->pos.col,
					    N_("expected "
					    "a worker's number after '%s-', "
					    "found '%.*s%s'"), station,
					    CLIPA(dash + 1)));
				if (n > max)
					return (perr(p, step->pos.col,
					    N_("no worker "
					    "'%.*s%s': %s has at most %u by "
					    "then"), CLIPA(step->text), station,
					    max));
				continue;
			}
		}
		for (j = 0; j < s->nstations; j++)
			names[j] = s->stations[j].name;
		near = scn_suggest(dash != NULL && (size_t)(dash - step->text) <
		    sizeof station ? station : step->text, names,
		    s->nstations);
		if (near != NULL)
			return (perr(p, step->pos.col,
			    N_("no station or worker "
			    "'%.*s%s', did you mean %s%s?"), CLIPA(step->text),
			    near, dash != NULL ? dash : ""));
		return (perr(p, step->pos.col, N_("no station or worker "
		    "'%.*s%s' to kill"), CLIPA(step->text)));
	}
	return (0);
}

/* The defaults of the key table, and the title from the file name. */
static void
set_defaults(struct scenario *s, const char *file)
{
	const char	*base, *dot;
	char		*why = NULL;

	base = strrchr(file, '/');
	base = base != NULL ? base + 1 : file;
	if (strncmp(base, "builtin:", 8) == 0)
		base += 8;
	dot = strrchr(base, '.');
	s->title = dot != NULL && dot != base ?
	    xstrndup(base, (size_t)(dot - base)) : xstrdup(base);
	s->mode = MODE_THREADS;
	set_dishes(s, NULL, "salad bread entree dessert", &why);
	s->rack = RACK_UNBOUNDED;
	s->reliable = 1;
	s->batch = 1;
	s->transport = xstrdup("local");
	s->seed = 1;
	s->output = OUTPUT_PARTS;
	s->print_gap_ns = 1000000;
	s->gil = 0;
	s->gil_interval_ns = 5000000;
	s->cores = 2;
	s->lock_order_fixed = 0;
	s->cupboard = 0;
	s->cupboard_lock = LOCK_NONE;
	s->cupboard_window_ns = 1000000;
	s->script = xcalloc(SCN_MAX_SCRIPT, sizeof *s->script);
	scenario_web_defaults(&s->web);
}

/* Text check, then line by line; the first error stops the parse. */
struct scenario *
scenario_parse(const char *file, const char *text, size_t len, char **cause)
{
	struct parser	*p;
	struct scenario	*s, *ret = NULL;
	char		*buf, *line, *next, *l;
	size_t		 n;
	unsigned	 col;
	int		 rc = 0;

	p = xcalloc(1, sizeof *p);	/* set_col makes it a few KiB */
	p->file = file;
	p->section = SEC_NONE;
	p->line = 1;
	s = p->s = xcalloc(1, sizeof *s);
	s->file = xstrdup(file);
	set_defaults(s, file);

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (check_text(p, (const unsigned char *)text, len) == -1)
		goto out;
	s->source = xstrndup(text, len);
	buf = xstrndup(text, len);
	p->line = 0;
	for (line = buf; line != NULL && rc == 0; line = next) {
		p->line++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		l = skip_blanks(line);
		col = (unsigned)(l - line) + 1;
		if (*l == '\0' || *l == '#')
			continue;
		if (*l == '[')
			rc = parse_section(p, l, col);
		else if (p->section == SEC_SCRIPT)
			rc = parse_step(p, l, col);
		else
			rc = parse_assignment(p, l, col);
	}
	free(buf);
	if (rc == -1)
		goto out;
	if (s->nstations > 0 && s->web.on) {
		p->line = s->web.pos.line;
		perr(p, s->web.pos.col,
		    N_("a [server] scenario has no stations: "
		    "found [%s] as well"), s->stations[0].name);
		goto out;
	}
	if (s->nstations == 0 && !s->web.on) {
		p->line = 1;
		perr(p, 1, N_("no stations: a scenario needs at least one "
		    "[section] such as [washer]"));
		goto out;
	}
	if (check_script_sets(p) == -1 || check_script_kills(p) == -1)
		goto out;
	ret = s;
out:
	if (ret == NULL) {
		*cause = p->cause;
		scenario_free(s);
	}
	free(p);
	return (ret);
}

/*
 * Read all of f, refusing more than SCN_FILE_MAX bytes. Reads until EOF
 * rather than trusting the size, which may have changed since fstat().
 * NULL on error.
 */
static char *
read_file(FILE *f, const char *path, size_t *len, char **cause)
{
	char	*buf = NULL;
	size_t	 n, cap = 0;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap == 0 ? 16384 : cap * 2;
			if (cap > SCN_FILE_MAX + 1)
				cap = SCN_FILE_MAX + 1;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (*len > SCN_FILE_MAX) {
			xasprintf(cause, _("%s: larger than %d bytes: not a "
			    "scenario file"), path, SCN_FILE_MAX);
			free(buf);
			return (NULL);
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* What a file that is neither regular nor a directory is, for a message. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return (_("a FIFO"));
	if (S_ISCHR(mode))
		return (_("a character device"));
	if (S_ISBLK(mode))
		return (_("a block device"));
	if (S_ISSOCK(mode))
		return (_("a socket"));
	return (_("not a regular file"));	/* a kind POSIX does not name */
}

/*
 * Open, read and parse a regular file; I/O errors are "FILE: reason". A
 * FIFO would block in open() until a writer came, and a device may do
 * anything when opened: stat() refuses them before the open, and fstat()
 * again after it, since the name may have changed in between; O_NONBLOCK
 * keeps that open from blocking.
 */
struct scenario *
scenario_load(const char *path, char **cause)
{
	struct stat	 sb;
	struct scenario	*s;
	FILE		*f;
	char		*buf;
	size_t		 len;
	int		 fd;

	if (stat(path, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (!S_ISREG(sb.st_mode))
		goto not_regular;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		goto not_regular;
	}
	if (sb.st_size > SCN_FILE_MAX) {
		xasprintf(cause, _("%s: larger than %d bytes: not a scenario "
		    "file"), path, SCN_FILE_MAX);
		close(fd);
		return (NULL);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	buf = read_file(f, path, &len, cause);
	fclose(f);
	if (buf == NULL)
		return (NULL);
	s = scenario_parse(path, buf, len, cause);
	free(buf);
	return (s);

not_regular:
	if (S_ISDIR(sb.st_mode))
		xasprintf(cause, _("%s: is a directory"), path);
	else
		xasprintf(cause, _("%s: %s: expected a regular file"), path,
		    file_kind(sb.st_mode));
	return (NULL);
}

/*
 * An override is text as a file is, on one line: tab is the only control
 * character it may have, since a title or a say reaches the terminal.
 * -1 with *cause naming the first other.
 */
static int
check_set_text(const char *origin, const char *v, char **cause)
{
	size_t	len = strlen(v), i;

	if ((i = safe_text_len(v, len, "\t")) == len)
		return (0);
	xasprintf(cause, _("%s: expected text, found byte 0x%02x at column %zu "
	    "of '%.*s%s'"), origin, (unsigned char)v[i], i + 1, CLIPA(v));
	return (-1);
}

/* An override from the command line: messages start "--set: ". */
int
scenario_set(struct scenario *s, const char *assignment, char **cause)
{
	return (scenario_override(s, "--set", assignment, cause));
}

/*
 * "section.key=value", blanks allowed around the name and the '='. The
 * value is taken whole: on a command line '#' is not a comment.
 */
int
scenario_override(struct scenario *s, const char *origin,
    const char *assignment, char **cause)
{
	const struct scn_pos	 pos = { origin, 0, 0 };
	enum set_part		 part;
	char			*copy, *name, *eq, *dot, *value;
	char			*why = NULL;
	int			 rc = -1;

	if (check_set_text(origin, assignment, cause) == -1)
		return (-1);
	copy = xstrdup(assignment);
	name = skip_blanks(copy);
	if ((eq = strchr(name, '=')) == NULL)
		goto bad;
	*eq = '\0';
	trim_blanks(name);
	if ((dot = strchr(name, '.')) == NULL || dot == name || dot[1] == '\0')
		goto bad;
	*dot = '\0';
	value = skip_blanks(eq + 1);
	trim_blanks(value);
	if ((rc = assign(s, name, dot + 1, value, &pos, &why, &part)) == -1) {
		xasprintf(cause, "%s: %s", origin, why);
		free(why);
	} else {
		/* Whoever reads the run again (an agent) applies them too. */
		xasprintf(&why, "%s%s\n", s->sets != NULL ? s->sets : "",
		    assignment);
		free(s->sets);
		s->sets = why;
	}
	free(copy);
	return (rc);
bad:
	xasprintf(cause, _("%s: expected SECTION.KEY=VALUE, found '%.*s%s'"),
	    origin, CLIPA(assignment));
	free(copy);
	return (-1);
}

void
scenario_where(const struct scenario *s, const struct scn_pos *pos, char *buf,
    size_t len)
{
	if (pos->file != NULL && pos->line != 0)
		snprintf(buf, len, "%s:%u:%u", pos->file, pos->line, pos->col);
	else if (pos->file != NULL)
		snprintf(buf, len, "%s", pos->file);
	else
		snprintf(buf, len, "%s", s->file);
}

/*
 * The named locks of all stations, as the engine will count them: the
 * same name is the same lock. -1 with *cause at the station that needs
 * one too many.
 */
static int
validate_locks(const struct scenario *s, char **cause)
{
	const char	*names[SCN_MAX_LOCKS];
	unsigned	 i, j, k, n = 0;
	char		 where[1100];

	for (i = 0; i < s->nstations; i++) {
		const struct station	*st = &s->stations[i];

		for (j = 0; j < st->nneeds; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(names[k], st->needs[j]) == 0)
					break;
			if (k < n)
				continue;
			if (n == SCN_MAX_LOCKS) {
				scenario_where(s, &st->needs_pos, where,
				    sizeof where);
				xasprintf(cause, _("%s: %s needs '%s', a lock "
				    "beyond the %d named locks a scenario may "
				    "have"), where, st->name, st->needs[j],
				    SCN_MAX_LOCKS);
				return (-1);
			}
			names[n++] = st->needs[j];
		}
	}
	return (0);
}

/*
 * Whether a [script] step sets a station's count, and if so which and to
 * what. The parser checked every set, so a count step always parses.
 */
static int
script_count(const struct scenario *s, const struct script_step *step,
    unsigned *si, unsigned *count)
{
	const char	*dot, *eq;
	uint64_t	 n;
	size_t		 len;
	unsigned	 i;

	if (step->kind != STEP_SET || (dot = strchr(step->text, '.')) == NULL ||
	    (eq = strchr(dot, '=')) == NULL || eq - dot != 6 ||
	    strncmp(dot + 1, "count", 5) != 0 ||
	    parse_u64(eq + 1, SCN_COUNT_MAX, &n) == -1)
		return (0);
	len = (size_t)(dot - step->text);
	for (i = 0; i < s->nstations; i++) {
		if (strlen(s->stations[i].name) == len &&
		    strncmp(s->stations[i].name, step->text, len) == 0) {
			*si = i;
			*count = (unsigned)n;
			return (1);
		}
	}
	return (0);
}

/*
 * Counts against the mode: each station's, at its count's place or at
 * the script step *at that set it. With processes the first station's
 * workers are threads of the main process, as the lecture's washer is:
 * only the others are forked, and counted.
 */
static int
validate_counts(const struct scenario *s, const unsigned *counts,
    const struct scn_pos *at, char **cause)
{
	const struct station	*st;
	unsigned		 i, forked = 0, largest = 0;
	char			 where[1100];

	for (i = 0; i < s->nstations; i++) {
		st = &s->stations[i];
		if (s->mode == MODE_PROCESSES && i > 0) {
			forked += counts[i];
			if (largest == 0 || counts[i] > counts[largest])
				largest = i;
			continue;
		}
		if (counts[i] > SCN_MAX_THREADS) {
			scenario_where(s, at != NULL ? at : &st->count_pos,
			    where, sizeof where);
			xasprintf(cause, _("%s: %s.count = %u is more than %d "
			    "%s; pass --force to allow it"), where, st->name,
			    counts[i], SCN_MAX_THREADS, s->mode == MODE_ASYNC ?
			    _("async tasks") : _("threads"));
			return (-1);
		}
	}
	if (forked > SCN_MAX_PROCESSES) {
		scenario_where(s, at != NULL ? at :
		    &s->stations[largest].count_pos, where, sizeof where);
		xasprintf(cause, _("%s: %u forked processes in all is more "
		    "than %d; pass --force to allow it"), where, forked,
		    SCN_MAX_PROCESSES);
		return (-1);
	}
	return (0);
}

/*
 * A kill agent step, once --set has chosen the transport: agents join
 * only racks in Redis or on ZeroMQ over tcp (doc/robustness.md).
 */
static int
validate_agent_kills(const struct scenario *s, char **cause)
{
	const char	*t = s->transport != NULL ? s->transport : "local";
	char		 where[1100];
	unsigned	 i;

	if ((strncmp(t, "redis", 5) == 0 && strcmp(t, "redis") != 0) ||
	    strncmp(t, "unix://", 7) == 0 || strncmp(t, "zmq+tcp://", 10) == 0)
		return (0);
	for (i = 0; i < s->nscript; i++) {
		if (s->script[i].kind != STEP_KILL ||
		    strncmp(s->script[i].text, "agent ", 6) != 0)
			continue;
		scenario_where(s, &s->script[i].pos, where, sizeof where);
		xasprintf(cause, _("%s: kill agent: no agent can join this "
		    "run: its racks are %s (agents join racks in a Redis at an "
		    "address, transport = redis://HOST:PORT, or on ZeroMQ over "
		    "tcp, zmq+tcp://HOST:PORT)"), where, strcmp(t, "zmq") == 0 ?
		    _("ZeroMQ's over ipc://") : strcmp(t, "redis") == 0 ?
		    _("in a private redis-server on a socket of the run's "
		    "own") : _("the run's own memory"));
		return (-1);
	}
	return (0);
}

/*
 * Counts against the mode (--force lifts those limits), as they are and
 * after every count step of the script; and locks.
 */
int
scenario_validate(const struct scenario *s, int force, char **cause)
{
	unsigned	counts[SCN_MAX_STATIONS], i, si, n;

	if (validate_locks(s, cause) == -1 || bcast_check(s, cause) == -1 ||
	    validate_agent_kills(s, cause) == -1)
		return (-1);
	if (s->duration_ns > 0 && !s->arrivals_set) {
		char	where[256];

		scenario_where(s, &s->duration_pos, where, sizeof where);
		xasprintf(cause, _("%s: duration needs arrivals on the first "
		    "station (arrivals = exp(5s)); a pile ends when it is "
		    "empty"), where);
		return (-1);
	}
	if (force)
		return (0);
	for (i = 0; i < s->nstations; i++)
		counts[i] = s->stations[i].count;
	if (validate_counts(s, counts, NULL, cause) == -1)
		return (-1);
	for (i = 0; i < s->nscript; i++) {
		if (!script_count(s, &s->script[i], &si, &n))
			continue;
		counts[si] = n;
		if (validate_counts(s, counts, &s->script[i].pos, cause) == -1)
			return (-1);
	}
	return (0);
}

/* Each count step adds what it asks above the count before it. */
unsigned
scenario_script_workers(const struct scenario *s)
{
	unsigned	counts[SCN_MAX_STATIONS], i, si, n, added = 0;

	for (i = 0; i < s->nstations; i++)
		counts[i] = s->stations[i].count;
	for (i = 0; i < s->nscript; i++) {
		if (!script_count(s, &s->script[i], &si, &n))
			continue;
		if (n > counts[si])
			added += n - counts[si];
		counts[si] = n;
	}
	return (added);
}

/* A station by name, or NULL. */
struct station *
scenario_station(struct scenario *s, const char *name)
{
	unsigned	i;

	for (i = 0; i < s->nstations; i++) {
		if (strcmp(s->stations[i].name, name) == 0)
			return (&s->stations[i]);
	}
	return (NULL);
}

/* The station's own rack if it set one, else the scenario's. */
uint32_t
scenario_rack(const struct scenario *s, unsigned i)
{
	if (i < s->nstations && s->stations[i].rack_set)
		return (s->stations[i].rack);
	return (s->rack);
}

/* Given names first; counted dishes are dish-1, dish-2, ... */
const char *
scenario_dish_name(const struct scenario *s, uint64_t i, char *buf,
    size_t len)
{
	if (s->dish_names != NULL && i < s->ndishes)
		return (s->dish_names[i]);
	snprintf(buf, len, "dish-%llu", (unsigned long long)i + 1);
	return (buf);
}

/* Free a scenario and everything it owns; NULL is fine. */
void
scenario_free(struct scenario *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	free_names(s);
	for (i = 0; i < s->nstations; i++) {
		free(s->stations[i].say);
		free(s->stations[i].say_after);
		free(s->stations[i].say_start);
		free(s->stations[i].say_end);
	}
	if (s->script != NULL) {
		for (i = 0; i < s->nscript; i++)
			free(s->script[i].text);
		free(s->script);
	}
	scenario_web_free(&s->web);
	free(s->title);
	free(s->transport);
	free(s->file);
	free(s->source);
	free(s->sets);
	free(s);
}

/* A step the caption line shows: a say, or a pause with words. */
int
scn_step_is_caption(const struct script_step *st)
{
	return (st->kind == STEP_SAY || (st->kind == STEP_PAUSE &&
	    st->text != NULL && *st->text != '\0'));
}

/*
 * A step as a marker on a timeline (trace, SVG, cast): its words, or what
 * it does ("kill dryer-1", not "dryer-1" alone).
 */
const char *
scn_step_label(const struct script_step *st, char *buf, size_t len)
{
	switch (st->kind) {
	case STEP_KILL:
		snprintf(buf, len, "kill %s", st->text);
		return (buf);
	case STEP_RESTART:
		snprintf(buf, len, "restart %s", st->text);
		return (buf);
	case STEP_PAUSE:
		return (st->text != NULL && *st->text != '\0' ? st->text :
		    "pause");
	default:
		return (st->text != NULL ? st->text : "");
	}
}

/* The name a scenario uses for a mode. */
const char *
scn_mode_name(enum scn_mode m)
{
	if ((unsigned)m < sizeof mode_choices / sizeof mode_choices[0] - 1)
		return (mode_choices[m]);
	return ("?");
}
