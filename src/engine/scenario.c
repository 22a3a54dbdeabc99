/*
 * scenario.c: the scenario language, read by hand. One key table (scn_keys)
 * drives the parser, --set, the suggestions for misspelt keys and the man
 * page; each row carries its setter. Errors name FILE:LINE:COL.
 */
#include "config.h"

#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "xmalloc.h"

#define SCN_FILE_MAX		(1024 * 1024)
#define SCN_MAX_NAMES		100000
#define SCN_DISH_NAME_MAX	64
#define SCN_RACK_MAX		1000000
#define SCN_DURATION_MAX	(24LL * 3600 * 1000000000LL)

static const char *const mode_choices[] = { "threads", "processes", "async",
    NULL };
static const char *const output_choices[] = { "parts", "lines", NULL };
static const char *const work_choices[] = { "io", "cpu", NULL };
static const char *const onoff_choices[] = { "off", "on", NULL };
static const char *const reserved_sections[] = { "scenario", "script" };

static int	set_title(struct scenario *, struct station *, const char *,
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
static int	set_count(struct scenario *, struct station *, const char *,
		    char **);
static int	set_time(struct scenario *, struct station *, const char *,
		    char **);
static int	set_work(struct scenario *, struct station *, const char *,
		    char **);
static int	set_say(struct scenario *, struct station *, const char *,
		    char **);

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
	{ SECTION_STATION, "count", KEY_COUNT, NULL, "1",
	  "how many workers the station has", set_count },
	{ SECTION_STATION, "time", KEY_DIST, NULL, "1s",
	  "how long one dish takes: 2s, 150ms, 1s..3s, exp(2s), 0", set_time },
	{ SECTION_STATION, "work", KEY_ENUM, work_choices, "io",
	  "io waits (sleeps); cpu computes", set_work },
	{ SECTION_STATION, "say", KEY_STRING, NULL, "nothing",
	  "what a worker prints for each dish; {dish}, {worker}, \\n",
	  set_say },
	{ SECTION_STATION, "rack", KEY_CAPACITY, NULL, "[scenario] rack",
	  "capacity of the rack in front of this station", set_rack },
};
const size_t scn_nkeys = sizeof scn_keys / sizeof scn_keys[0];

/* --- Values ------------------------------------------------------------- */

int
dist_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char	*unit;
		double		 ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }
	};
	const char	*p = s;
	double		 v = 0, frac = 0.1;
	size_t		 i;
	int		 digits = 0;

	if (*p == '0' && p[1] == '\0') {
		*ns = 0;
		return (0);
	}
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		digits++;
		if (v > 1e15)
			return (-1);
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			v += (*p++ - '0') * frac;
			frac /= 10;
			digits++;
		}
	}
	if (digits == 0)
		return (-1);
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].unit) == 0) {
			v *= units[i].ns;
			if (v > (double)SCN_DURATION_MAX)
				return (-1);
			*ns = (int64_t)(v + 0.5);
			return (0);
		}
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

	if (strncmp(v, "exp(", 4) == 0) {
		n = strlen(v);
		if (n < 6 || v[n - 1] != ')')
			goto bad;
		a = xstrndup(v + 4, n - 5);
		d->kind = DIST_EXP;
		d->b_ns = 0;
		if (dist_parse_duration(a, &d->a_ns) == -1) {
			free(a);
			goto bad;
		}
		free(a);
		return (0);
	}
	if ((dots = strstr(v, "..")) != NULL) {
		a = xstrndup(v, (size_t)(dots - v));
		d->kind = DIST_UNIFORM;
		if (dist_parse_duration(a, &d->a_ns) == -1 ||
		    dist_parse_duration(dots + 2, &d->b_ns) == -1) {
			free(a);
			goto bad;
		}
		free(a);
		if (d->a_ns > d->b_ns) {
			xasprintf(why, "%s: the lower bound is above the upper",
			    v);
			return (-1);
		}
		return (0);
	}
	d->kind = DIST_FIXED;
	d->b_ns = 0;
	if (dist_parse_duration(v, &d->a_ns) == -1)
		goto bad;
	return (0);
bad:
	xasprintf(why, "expected a duration such as 2s, 150ms, 1s..3s or "
	    "exp(2s), found '%s'", v);
	return (-1);
}

/* A whole number, digits only. Returns 0 or -1. */
static int
parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t	n = 0;
	const char	*p;

	if (*v == '\0')
		return (-1);
	for (p = v; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return (-1);
		if (n > (max - (uint64_t)(*p - '0')) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*out = n;
	return (0);
}

static int
parse_enum(const char *v, const char *const *choices, int *out, char **why)
{
	int	i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return (0);
		}
	}
	xasprintf(why, "expected %s%s%s%s%s, found '%s'", choices[0],
	    choices[1] != NULL ? (choices[2] != NULL ? ", " : " or ") : "",
	    choices[1] != NULL ? choices[1] : "",
	    choices[1] != NULL && choices[2] != NULL ? " or " : "",
	    choices[1] != NULL && choices[2] != NULL ? choices[2] : "", v);
	return (-1);
}

/* --- Setters: one per key ------------------------------------------------ */

static int
set_title(struct scenario *s, struct station *st, const char *v, char **why)
{
	free(s->title);
	s->title = xstrdup(v);
	return (0);
}

static int
set_mode(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, mode_choices, &m, why) == -1)
		return (-1);
	s->mode = (enum scn_mode)m;
	return (0);
}

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

static int
set_dishes(struct scenario *s, struct station *st, const char *v, char **why)
{
	const char	*p, *start;
	char		**names = NULL;
	uint64_t	 n = 0, i;
	size_t		 len;

	if (isdigit((unsigned char)*v)) {
		if (parse_u64(v, SCN_MAX_DISHES, &n) == -1 || n == 0) {
			xasprintf(why, "expected a count of dishes from 1 to "
			    "%llu, or dish names, found '%s'",
			    (unsigned long long)SCN_MAX_DISHES, v);
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
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (!isalnum((unsigned char)*p) && *p != '_' &&
			    *p != '-' && (unsigned char)*p < 0x80) {
				xasprintf(why, "a dish name may have letters, "
				    "digits, '-' and '_', found '%c' in '%s'",
				    *p, v);
				goto fail;
			}
			p++;
		}
		len = (size_t)(p - start);
		if (len > SCN_DISH_NAME_MAX) {
			xasprintf(why, "a dish name is at most %d bytes",
			    SCN_DISH_NAME_MAX);
			goto fail;
		}
		if (n == SCN_MAX_NAMES) {
			xasprintf(why, "more than %d dish names; give a count",
			    SCN_MAX_NAMES);
			goto fail;
		}
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrndup(start, len);
	}
	if (n == 0) {
		xasprintf(why, "expected dish names or a count, found nothing");
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
		xasprintf(why, "expected a capacity from 0 (hand-off) to %d, "
		    "or unbounded, found '%s'", SCN_RACK_MAX, v);
		return (-1);
	}
	if (st != NULL) {
		st->rack = cap;
		st->rack_set = 1;
	} else
		s->rack = cap;
	return (0);
}

static int
set_transport(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	free(s->transport);
	s->transport = xstrdup(v);
	return (0);
}

static int
set_seed(struct scenario *s, struct station *st, const char *v, char **why)
{
	if (parse_u64(v, UINT64_MAX, &s->seed) == -1) {
		xasprintf(why, "expected a whole number, found '%s'", v);
		return (-1);
	}
	return (0);
}

static int
set_output(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, output_choices, &m, why) == -1)
		return (-1);
	s->output = (enum output_mode)m;
	return (0);
}

static int
set_print_gap(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	if (dist_parse_duration(v, &s->print_gap_ns) == -1 ||
	    s->print_gap_ns > 1000000000LL) {
		xasprintf(why, "expected a duration up to 1s such as 1ms, "
		    "found '%s'", v);
		return (-1);
	}
	return (0);
}

static int
set_gil(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, onoff_choices, &m, why) == -1)
		return (-1);
	s->gil = m;
	return (0);
}

static int
set_gil_interval(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1 || ns < 1000 ||
	    ns > 1000000000LL) {
		xasprintf(why, "expected a duration from 1us to 1s such as 5ms, "
		    "found '%s'", v);
		return (-1);
	}
	s->gil_interval_ns = ns;
	return (0);
}

static int
set_cores(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;

	if (parse_u64(v, 4096, &n) == -1 || n == 0) {
		xasprintf(why, "expected a count of cores from 1 to 4096, "
		    "found '%s'", v);
		return (-1);
	}
	s->cores = (unsigned)n;
	return (0);
}

static int
set_count(struct scenario *s, struct station *st, const char *v, char **why)
{
	uint64_t	n;

	if (parse_u64(v, 1000000, &n) == -1 || n == 0) {
		xasprintf(why, "expected a count >= 1, found '%s'", v);
		return (-1);
	}
	st->count = (unsigned)n;
	return (0);
}

static int
set_time(struct scenario *s, struct station *st, const char *v, char **why)
{
	struct dist	d;

	if (dist_parse(v, &d, why) == -1)
		return (-1);
	st->time = d;
	return (0);
}

static int
set_work(struct scenario *s, struct station *st, const char *v, char **why)
{
	int	m;

	if (parse_enum(v, work_choices, &m, why) == -1)
		return (-1);
	st->work = (enum work_kind)m;
	return (0);
}

/* A say template: \n, \t and \\ are escapes; anything else is kept. */
static int
set_say(struct scenario *s, struct station *st, const char *v, char **why)
{
	char	*out, *o;

	free(st->say);
	st->say = NULL;
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
	st->say = out;
	return (0);
}

/* --- Suggestions ----------------------------------------------------------- */

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
	const char	*names[32];
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

/* --- The parser ------------------------------------------------------------- */

struct parser {
	struct scenario	*s;
	const char	*file;
	char		*cause;
	unsigned	 line;
	int		 section;	/* -1 none, -2 scenario, -3 script, i */
	unsigned	 seen_line[32];	/* key row -> line it was set on */
	int		 have_scenario;
	int		 have_script;
};

#define SEC_NONE	-1
#define SEC_SCENARIO	-2
#define SEC_SCRIPT	-3

static int
perr(struct parser *p, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the first error, as FILE:LINE:COL: message. Returns -1. */
static int
perr(struct parser *p, unsigned col, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->cause != NULL)
		return (-1);
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(&p->cause, "%s:%u:%u: %s", p->file, p->line, col, msg);
	free(msg);
	return (-1);
}

/* Check the text is UTF-8 without NUL bytes; on error say where. */
static int
check_text(struct parser *p, const unsigned char *t, size_t len)
{
	size_t		i, k, n;
	unsigned	line = 1, col = 1;

	for (i = 0; i < len; i += n, col++) {
		n = 1;
		if (t[i] == '\n') {
			line++;
			col = 0;
			continue;
		}
		if (t[i] == 0)
			goto bad;
		if (t[i] < 0x80)
			continue;
		if ((t[i] & 0xe0) == 0xc0 && t[i] >= 0xc2)
			n = 2;
		else if ((t[i] & 0xf0) == 0xe0)
			n = 3;
		else if ((t[i] & 0xf8) == 0xf0 && t[i] <= 0xf4)
			n = 4;
		else
			goto bad;
		if (i + n > len)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((t[i + k] & 0xc0) != 0x80)
				goto bad;
		}
	}
	return (0);
bad:
	p->line = line;
	return (perr(p, col, "not a text file (byte 0x%02x)", t[i]));
}

static int
is_blank(char c)
{
	return (c == ' ' || c == '\t');
}

/* Cut a trailing comment (" #") and blanks off a value. */
static void
trim_value(char *v)
{
	char	*p, *end;

	for (p = v; *p != '\0'; p++) {
		if (*p == '#' && (p == v || is_blank(p[-1]))) {
			*p = '\0';
			break;
		}
	}
	end = v + strlen(v);
	while (end > v && is_blank(end[-1]))
		*--end = '\0';
}

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

static int
parse_section(struct parser *p, char *line, unsigned col)
{
	char		*end, *name, *rest;
	const char	*near;
	size_t		 len, i;
	struct station	*st;

	if ((end = strchr(line, ']')) == NULL)
		return (perr(p, col, "expected ']' to close the section name"));
	rest = end + 1;
	while (is_blank(*rest))
		rest++;
	if (*rest != '\0' && *rest != '#')
		return (perr(p, col + (unsigned)(rest - line), "unexpected "
		    "text after the section name"));
	*end = '\0';
	name = line + 1;
	len = strlen(name);
	memset(p->seen_line, 0, sizeof p->seen_line);

	if (strcmp(name, "scenario") == 0 || strcmp(name, "script") == 0) {
		int	 scn = strcmp(name, "scenario") == 0;
		int	*have = scn ? &p->have_scenario : &p->have_script;

		if (*have)
			return (perr(p, col, "[%s] appears twice", name));
		*have = 1;
		p->section = scn ? SEC_SCENARIO : SEC_SCRIPT;
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
	near = scn_suggest(name, reserved_sections, 2);
	if (near != NULL)
		return (perr(p, col, "unknown section [%s], did you mean "
		    "[%s]?", name, near));
	if (scenario_station(p->s, name) != NULL)
		return (perr(p, col, "station [%s] appears twice", name));
	if (p->s->nstations == SCN_MAX_STATIONS)
		return (perr(p, col, "more than %d stations",
		    SCN_MAX_STATIONS));
	st = &p->s->stations[p->s->nstations];
	default_station(st, name);
	st->pos = (struct scn_pos){ p->s->file, p->line, col };
	p->section = (int)p->s->nstations++;
	return (0);
badname:
	return (perr(p, col + 1, "a section is [scenario], [script], or a "
	    "station name of lowercase letters, digits, '-' and '_' "
	    "(at most %d), found [%s]", SCN_NAME_MAX - 1, name));
}

/* A key = value line in [scenario] or a station. */
static int
parse_assignment(struct parser *p, char *line, unsigned col)
{
	const struct scn_key	*k;
	struct station		*st = NULL;
	const char		*near = NULL, *secname;
	char			*eq, *key, *v, *kend, *why = NULL;
	unsigned		 vcol, row;

	if (p->section == SEC_NONE)
		return (perr(p, col, "a key outside any section: start with "
		    "[scenario] or a station such as [washer]"));
	if ((eq = strchr(line, '=')) == NULL)
		return (perr(p, col, "expected KEY = VALUE, found '%s'", line));
	key = line;
	kend = eq;
	while (kend > key && is_blank(kend[-1]))
		kend--;
	*kend = '\0';
	v = eq + 1;
	while (is_blank(*v))
		v++;
	vcol = col + (unsigned)(v - line);
	trim_value(v);
	if (p->section >= 0) {
		st = &p->s->stations[p->section];
		secname = st->name;
		k = key_find(SECTION_STATION, key, &near);
	} else {
		secname = "scenario";
		k = key_find(SECTION_SCENARIO, key, &near);
	}
	if (k == NULL) {
		if (near != NULL)
			return (perr(p, col, "unknown key '%s' in [%s], did you "
			    "mean '%s'?", key, secname, near));
		return (perr(p, col, "unknown key '%s' in [%s]", key,
		    secname));
	}
	row = (unsigned)(k - scn_keys);
	if (p->seen_line[row] != 0)
		return (perr(p, col, "'%s' is set twice in [%s]: first on "
		    "line %u", key, secname, p->seen_line[row]));
	p->seen_line[row] = p->line;
	if (*v == '\0' && k->type != KEY_STRING)
		return (perr(p, vcol, "'%s' needs a value", key));
	if (k->set(p->s, st, v, &why) == -1) {
		perr(p, vcol, "%s", why);
		free(why);
		return (-1);
	}
	if (strcmp(k->name, "mode") == 0)
		p->s->mode_pos = (struct scn_pos){ p->s->file, p->line, vcol };
	else if (strcmp(k->name, "dishes") == 0)
		p->s->dishes_pos = (struct scn_pos){ p->s->file, p->line, vcol };
	else if (strcmp(k->name, "count") == 0)
		st->count_pos = (struct scn_pos){ p->s->file, p->line, vcol };
	return (0);
}

/* A [script] line: TIME say TEXT | TIME set SECTION.KEY = VALUE | pause. */
static int
parse_step(struct parser *p, char *line, unsigned col)
{
	struct script_step	*step;
	char			*t = line, *verb, *rest, *o, *q;
	int64_t			 at;

	while (*line != '\0' && !is_blank(*line))
		line++;
	if (*line != '\0')
		*line++ = '\0';
	if (dist_parse_duration(t, &at) == -1)
		return (perr(p, col, "expected a duration such as 5s, found "
		    "'%s'", t));
	while (is_blank(*line))
		line++;
	verb = line;
	while (*line != '\0' && !is_blank(*line))
		line++;
	if (*line != '\0')
		*line++ = '\0';
	while (is_blank(*line))
		line++;
	rest = line;
	trim_value(rest);
	if (p->s->nscript == SCN_MAX_SCRIPT)
		return (perr(p, col, "more than %d script steps",
		    SCN_MAX_SCRIPT));
	if (p->s->nscript > 0 && at < p->s->script[p->s->nscript - 1].at_ns)
		return (perr(p, col, "script steps must be in time order"));
	step = &p->s->script[p->s->nscript];
	step->at_ns = at;
	step->pos = (struct scn_pos){ p->s->file, p->line, col };
	if (strcmp(verb, "say") == 0) {
		step->kind = STEP_SAY;
		step->text = xstrdup(rest);
	} else if (strcmp(verb, "pause") == 0) {
		step->kind = STEP_PAUSE;
		step->text = xstrdup(rest);
	} else if (strcmp(verb, "set") == 0) {
		step->kind = STEP_SET;
		o = step->text = xmalloc(strlen(rest) + 1);
		for (q = rest; *q != '\0'; q++) {
			if (!is_blank(*q))
				*o++ = *q;
		}
		*o = '\0';
		if (strchr(step->text, '=') == NULL ||
		    strchr(step->text, '.') == NULL) {
			free(step->text);
			step->text = NULL;
			return (perr(p, col + (unsigned)(rest - t), "expected "
			    "set SECTION.KEY = VALUE, found '%s'", rest));
		}
	} else
		return (perr(p, col + (unsigned)(verb - t), "expected say, set "
		    "or pause after the time, found '%s'", verb));
	p->s->nscript++;
	return (0);
}

/* Free what a setter allocated into a scratch copy of a scenario. */
static void
scratch_release(struct scenario *tmp)
{
	unsigned	j;

	free(tmp->title);
	free(tmp->transport);
	free_names(tmp);
	for (j = 0; j < tmp->nstations; j++)
		free(tmp->stations[j].say);
}

/* Check each script set against the finished scenario, on a scratch copy. */
static int
check_script_sets(struct parser *p)
{
	struct scenario		 tmp;
	const struct script_step *step;
	char			*why = NULL;
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
		for (j = 0; j < tmp.nstations; j++)
			tmp.stations[j].say = NULL;
		rc = scenario_set(&tmp, step->text, &why);
		scratch_release(&tmp);
		if (rc == -1) {
			p->line = step->pos.line;
			perr(p, step->pos.col, "%s", why +
			    (strncmp(why, "--set: ", 7) == 0 ? 7 : 0));
			free(why);
			return (-1);
		}
	}
	return (0);
}

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
	s->transport = xstrdup("local");
	s->seed = 1;
	s->output = OUTPUT_PARTS;
	s->print_gap_ns = 1000000;
	s->gil = 0;
	s->gil_interval_ns = 5000000;
	s->cores = 2;
	s->script = xcalloc(SCN_MAX_SCRIPT, sizeof *s->script);
}

struct scenario *
scenario_parse(const char *file, const char *text, size_t len, char **cause)
{
	struct parser	 p;
	struct scenario	*s;
	char		*buf, *line, *next, *l;
	size_t		 n;
	unsigned	 col;
	int		 rc = 0;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.section = SEC_NONE;
	s = p.s = xcalloc(1, sizeof *s);
	s->file = xstrdup(file);
	set_defaults(s, file);

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (check_text(&p, (const unsigned char *)text, len) == -1)
		goto fail;
	buf = xstrndup(text, len);
	for (line = buf; line != NULL && rc == 0; line = next) {
		p.line++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		l = line;
		while (is_blank(*l))
			l++;
		col = (unsigned)(l - line) + 1;
		if (*l == '\0' || *l == '#')
			continue;
		if (*l == '[')
			rc = parse_section(&p, l, col);
		else if (p.section == SEC_SCRIPT)
			rc = parse_step(&p, l, col);
		else
			rc = parse_assignment(&p, l, col);
	}
	free(buf);
	if (rc == -1)
		goto fail;
	if (s->nstations == 0) {
		p.line = 1;
		perr(&p, 1, "no stations: a scenario needs at least one "
		    "[section] such as [washer]");
		goto fail;
	}
	if (check_script_sets(&p) == -1)
		goto fail;
	return (s);
fail:
	*cause = p.cause;
	scenario_free(s);
	return (NULL);
}

struct scenario *
scenario_load(const char *path, char **cause)
{
	struct stat	 sb;
	struct scenario	*s;
	FILE		*f;
	char		*buf;
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fileno(f), &sb) == -1 || S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: is a directory, not a scenario file",
		    path);
		fclose(f);
		return (NULL);
	}
	if (sb.st_size > SCN_FILE_MAX) {
		xasprintf(cause, "%s: larger than %d bytes: not a scenario",
		    path, SCN_FILE_MAX);
		fclose(f);
		return (NULL);
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return (NULL);
	}
	fclose(f);
	s = scenario_parse(path, buf, n, cause);
	free(buf);
	return (s);
}

int
scenario_set(struct scenario *s, const char *assignment, char **cause)
{
	const struct scn_key	*k;
	struct station		*st = NULL;
	const char		*eq, *dot, *near = NULL, *names[SCN_MAX_STATIONS + 1];
	char			*section, *key, *value, *why = NULL;
	unsigned		 i;

	eq = strchr(assignment, '=');
	dot = strchr(assignment, '.');
	if (eq == NULL || dot == NULL || dot > eq) {
		xasprintf(cause, "--set: expected SECTION.KEY=VALUE, found "
		    "'%s'", assignment);
		return (-1);
	}
	section = xstrndup(assignment, (size_t)(dot - assignment));
	key = xstrndup(dot + 1, (size_t)(eq - dot - 1));
	value = xstrdup(eq + 1);
	trim_value(value);

	if (strcmp(section, "scenario") == 0)
		k = key_find(SECTION_SCENARIO, key, &near);
	else if ((st = scenario_station(s, section)) != NULL)
		k = key_find(SECTION_STATION, key, &near);
	else {
		names[0] = "scenario";
		for (i = 0; i < s->nstations; i++)
			names[i + 1] = s->stations[i].name;
		near = scn_suggest(section, names, s->nstations + 1);
		if (near != NULL)
			xasprintf(cause, "--set: unknown section '%s' in '%s', "
			    "did you mean '%s'?", section, assignment, near);
		else
			xasprintf(cause, "--set: unknown section '%s' in '%s'",
			    section, assignment);
		goto fail;
	}
	if (k == NULL) {
		if (near != NULL)
			xasprintf(cause, "--set: unknown key '%s.%s', did you "
			    "mean '%s.%s'?", section, key, section, near);
		else
			xasprintf(cause, "--set: unknown key '%s.%s'", section,
			    key);
		goto fail;
	}
	if (k->set(s, st, value, &why) == -1) {
		xasprintf(cause, "--set: %s.%s: %s", section, key, why);
		free(why);
		goto fail;
	}
	if (st != NULL && strcmp(key, "count") == 0)
		st->count_pos = (struct scn_pos){ "--set", 0, 0 };
	free(section);
	free(key);
	free(value);
	return (0);
fail:
	free(section);
	free(key);
	free(value);
	return (-1);
}

/* "FILE:LINE:COL" of a value, or "--set" if it came from the command line. */
static void
pos_format(const struct scn_pos *pos, char *buf, size_t len)
{
	if (pos->line == 0 || pos->file == NULL)
		snprintf(buf, len, "--set");
	else
		snprintf(buf, len, "%s:%u:%u", pos->file, pos->line, pos->col);
}

int
scenario_validate(const struct scenario *s, int force, char **cause)
{
	const struct station	*st, *largest = NULL;
	unsigned		 i, total = 0;
	char			 where[1100];

	for (i = 0; i < s->nstations; i++) {
		st = &s->stations[i];
		total += st->count;
		if (largest == NULL || st->count > largest->count)
			largest = st;
		if (!force && st->count > SCN_MAX_THREADS) {
			pos_format(&st->count_pos, where, sizeof where);
			xasprintf(cause, "%s: %s.count = %u is more than %d "
			    "threads; pass --force to allow it", where,
			    st->name, st->count, SCN_MAX_THREADS);
			return (-1);
		}
	}
	if (!force && s->mode == MODE_PROCESSES && total > SCN_MAX_PROCESSES) {
		pos_format(&largest->count_pos, where, sizeof where);
		xasprintf(cause, "%s: %u processes in all is more than %d; pass "
		    "--force to allow it", where, total, SCN_MAX_PROCESSES);
		return (-1);
	}
	return (0);
}

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

uint32_t
scenario_rack(const struct scenario *s, unsigned i)
{
	if (i < s->nstations && s->stations[i].rack_set)
		return (s->stations[i].rack);
	return (s->rack);
}

const char *
scenario_dish_name(const struct scenario *s, uint64_t i, char *buf,
    size_t len)
{
	if (s->dish_names != NULL && i < s->ndishes)
		return (s->dish_names[i]);
	snprintf(buf, len, "dish-%llu", (unsigned long long)i + 1);
	return (buf);
}

void
scenario_free(struct scenario *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	free_names(s);
	for (i = 0; i < s->nstations; i++)
		free(s->stations[i].say);
	if (s->script != NULL) {
		for (i = 0; i < s->nscript; i++)
			free(s->script[i].text);
		free(s->script);
	}
	free(s->title);
	free(s->transport);
	free(s->file);
	free(s);
}

const char *
scn_mode_name(enum scn_mode m)
{
	if ((unsigned)m < sizeof mode_choices / sizeof mode_choices[0] - 1)
		return (mode_choices[m]);
	return ("?");
}
