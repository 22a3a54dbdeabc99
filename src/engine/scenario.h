/*
 * scenario.h: a scenario file as plain data. The parser knows nothing of the
 * engine; the engine reads this structure and never the text.
 */
#ifndef DISHRACK_SCENARIO_H
#define DISHRACK_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#define SCN_MAX_STATIONS	8	/* a pipeline longer than this is refused */
#define SCN_NAME_MAX		32	/* station names, including the NUL */
#define SCN_MAX_DISHES		10000000ULL
#define SCN_MAX_THREADS		4096	/* per station, without --force */
#define SCN_MAX_PROCESSES	256	/* per run, without --force */
#define SCN_MAX_SCRIPT		256
#define SCN_BATCH_MAX		1000	/* dishes a Redis round trip carries */

#define RACK_UNBOUNDED		UINT32_MAX

#define SCN_MAX_TOPICS		64	/* [rack] topics: the publisher's list */
#define SCN_MAX_SUBSCRIBE	16	/* topics one station subscribes to */
#define SCN_TOPIC_MAX		48	/* bytes in a topic, including the NUL */

/* How the publisher of a broadcast picks each message's topic. */
enum topic_pick {
	PICK_RANDOM,		/* a seeded random choice from topics */
	PICK_ORDER,		/* topics in turn: message i, topics[i % n] */
	PICK_DISH		/* the dish's name is its topic */
};

enum scn_mode {
	MODE_THREADS,
	MODE_PROCESSES,
	MODE_ASYNC
};

enum dist_kind {
	DIST_FIXED,		/* a */
	DIST_UNIFORM,		/* a..b, a <= b */
	DIST_EXP		/* exponential with mean a */
};

/* A duration, possibly random; all times are nanoseconds. */
struct dist {
	enum dist_kind	kind;
	int64_t		a_ns;
	int64_t		b_ns;
};

enum work_kind {
	WORK_IO,		/* waits: sleeps, releases the GIL */
	WORK_CPU		/* computes for that long */
};

/* How the cupboard's counter is updated. */
enum lock_mode {
	LOCK_NONE,		/* read, work, write: updates get lost */
	LOCK_MUTEX,
	LOCK_SPIN,
	LOCK_ATOMIC		/* one indivisible add */
};

#define SCN_MAX_NEEDS		4	/* named locks one station may need */
#define SCN_MAX_LOCKS		8	/* named locks in one scenario */
#define SCN_LOCK_NAME_MAX	16

enum output_mode {
	OUTPUT_PARTS,		/* as Python's print: each part separately */
	OUTPUT_LINES		/* each line whole */
};

/* Where a value came from, for error messages. line 0 = not set. */
struct scn_pos {
	const char	*file;	/* points at scenario.file or "--set" */
	unsigned	 line;
	unsigned	 col;
};

struct station {
	char		 name[SCN_NAME_MAX];
	unsigned	 count;
	struct dist	 time;
	enum work_kind	 work;
	char		*say;		/* template with {dish} {worker}; NULL = silent */
	char		*say_after;	/* said once the work is done */
	char		*say_start;	/* said when a worker starts */
	char		*say_end;	/* said when it leaves, its work over */
	int64_t		 start_ns;	/* its workers start this late */
	int		 agents_only;	/* where = agents: none run here */
	uint32_t	 rack;		/* capacity of the rack in front of it */
	int		 rack_set;	/* rack given in this section */
	char		 needs[SCN_MAX_NEEDS][SCN_LOCK_NAME_MAX];
	unsigned	 nneeds;	/* locks held while working */

	struct scn_pos	 pos;		/* the [section] header */
	struct scn_pos	 count_pos;
	struct scn_pos	 needs_pos;

	/* A subscriber of a broadcast: exact topics, or prefixes ("ma*"). */
	char		 subscribe[SCN_MAX_SUBSCRIBE][SCN_TOPIC_MAX];
	unsigned	 nsubscribe;	/* 0: every topic */
	struct scn_pos	 subscribe_pos;
};

enum step_kind {
	STEP_SAY,		/* caption text */
	STEP_SET,		/* text is "section.key=value" */
	STEP_PAUSE,		/* text is an optional caption */
	STEP_KILL,		/* text is a worker ("dryer-2"), a station, or
				   "broker" (the private redis-server) */
	STEP_RESTART		/* text is "broker" */
};

struct script_step {
	int64_t		 at_ns;
	enum step_kind	 kind;
	char		*text;
	struct scn_pos	 pos;
};

/* [server] and [visitors]: the lecture's web server (net_*.c, web.c). */
enum web_model {
	WEB_SYNC,		/* one connection at a time, start to finish */
	WEB_THREADS,		/* a pool of threads */
	WEB_ASYNC,		/* one thread, an event loop */
	WEB_PROCESSES		/* forked processes, each sync */
};

#define WEB_MAX_THREADS		256
#define WEB_MAX_PROCESSES	64

struct scn_web {
	int		 on;		/* a [server] section was given */
	enum web_model	 model;
	unsigned	 threads;	/* threads:N, processes:N */
	char		*listen;	/* ADDRESS:PORT, port 0 = any */
	int64_t		 render_ns;	/* a page's render time */
	enum work_kind	 work;
	int64_t		 timeout_ns;	/* no progress that long: dropped */
	int		 external;	/* clients = external: none of ours */
	unsigned	 max_header;	/* bytes of a request head */
	uint64_t	 max_body;
	unsigned	 pages;		/* [visitors] */
	unsigned	 rate;		/* page arrivals a second */
	unsigned	 uploads;
	uint64_t	 upload_size;
	int64_t		 upload_time_ns;
	int64_t		 upload_start_ns;
	int64_t		 patience_ns;	/* a visitor gives up after that */
	struct scn_pos	 pos;		/* the [server] header */
};

struct scenario {
	char		*file;		/* as given, or "builtin:NAME" */
	char		*source;	/* the text parsed */
	char		*sets;		/* --set assignments applied, a line each */
	char		*title;
	enum scn_mode	 mode;
	struct scn_pos	 mode_pos;

	char		**dish_names;	/* NULL when dishes is a count */
	uint64_t	 ndishes;
	struct scn_pos	 dishes_pos;

	uint32_t	 rack;		/* default capacity; 0 = hand-off */
	char		*transport;	/* "local" by default */
	struct scn_pos	 transport_pos;
	uint64_t	 seed;
	enum output_mode output;
	int64_t		 print_gap_ns;	/* pause between the parts of a say */
	int		 gil;		/* a GIL per interpreter (process) */
	int64_t		 gil_interval_ns; /* CPython's switch interval */
	unsigned	 cores;		/* processors of the virtual clock */
	int		 lock_order_fixed; /* all take needs in one order */
	int		 cupboard;	/* a [cupboard] section was given */
	int		 reliable;	/* [rack] reliable: no dish lost */
	unsigned	 batch;		/* [rack] batch: dishes a trip carries */
	struct scn_pos	 batch_pos;
	int		 rack_quit;	/* [rack] quit: 0 broadcast, 1 sentinel */
	enum lock_mode	 cupboard_lock;
	int64_t		 cupboard_window_ns;

	struct station	 stations[SCN_MAX_STATIONS];
	unsigned	 nstations;

	struct script_step *script;
	unsigned	 nscript;

	/* Open systems and steady states (arrivals.h, doc/theory.md). */
	struct dist	 arrivals;	/* gaps between dishes at the first */
	int		 arrivals_set;	/* else the first takes from a pile */
	int64_t		 duration_ns;	/* no dish arrives after; 0: none */
	struct scn_pos	 duration_pos;
	int64_t		 warmup_ns;	/* figures leave the start out */
	struct scn_web	 web;
	/* [rack] kind = broadcast: publish-subscribe (doc/pubsub.md). */
	int		 broadcast;
	struct scn_pos	 kind_pos;
	int		 sync;		/* the publisher waits for subscribers */
	enum topic_pick	 pick;
	char		 topics[SCN_MAX_TOPICS][SCN_TOPIC_MAX];
	unsigned	 ntopics;
	struct scn_pos	 topics_pos;
};

/* The value types of the key table. */
enum key_type {
	KEY_STRING,
	KEY_ENUM,		/* one of choices[] */
	KEY_COUNT,		/* unsigned integer */
	KEY_DURATION,		/* 2s, 150ms, 0 */
	KEY_DIST,		/* duration, a..b, exp(d) */
	KEY_CAPACITY,		/* unbounded or a count, 0 = hand-off */
	KEY_DISHES,		/* names or a count */
	KEY_U64
};

enum key_section {
	SECTION_SCENARIO,
	SECTION_STATION,
	SECTION_CUPBOARD,	/* [cupboard]: the shared counter */
	SECTION_RACK,		/* [rack]: how the racks hand dishes over */
	SECTION_SERVER,		/* [server]: the web server */
	SECTION_VISITORS	/* [visitors]: its clients */
};

struct station;
struct scenario;

/* One row per key: the parser, --set, the man page and suggestions read it. */
struct scn_key {
	enum key_section	 section;
	const char		*name;
	enum key_type		 type;
	const char		*const *choices;	/* KEY_ENUM, NULL-terminated */
	const char		*def;			/* default, as text */
	const char		*help;
	/* Parse and store a value; -1 with *why allocated (no position). */
	int			(*set)(struct scenario *, struct station *,
				    const char *, char **why);
};

extern const struct scn_key scn_keys[];
extern const size_t scn_nkeys;

/*
 * Parse the text of a scenario. file names it in messages. On error, NULL is
 * returned and *cause is set to an allocated "FILE:LINE:COL: message" string.
 */
struct scenario	*scenario_parse(const char *file, const char *text, size_t len,
		    char **cause);

/* Read and parse a file. Errors as scenario_parse, "FILE: ..." for I/O. */
struct scenario	*scenario_load(const char *path, char **cause);

/* "FILE:LINE:COL" of a value, "--set", or the file if it was a default. */
void		 scenario_where(const struct scenario *, const struct scn_pos *,
		    char *buf, size_t len);

/*
 * Apply one "section.key=value" override, as --set or a [script] set step.
 * Returns 0, or -1 with *cause allocated ("--set: unknown key ...").
 */
int		 scenario_set(struct scenario *, const char *assignment,
		    char **cause);

/*
 * scenario_set for an override from elsewhere: origin ("--matrix") starts
 * its messages and is where its values came from. origin must outlive the
 * scenario (a string literal).
 */
int		 scenario_override(struct scenario *, const char *origin,
		    const char *assignment, char **cause);

/*
 * Check limits that depend on more than one key (counts against the mode,
 * unless force, as they are and after each [script] count step). Returns
 * 0, or -1 with *cause naming the value's position or the step's.
 */
int		 scenario_validate(const struct scenario *, int force,
		    char **cause);

/*
 * The workers the [script]'s count steps add in all, over the counts as
 * they are: the engine makes room for them (it never uses a slot twice).
 */
unsigned	 scenario_script_workers(const struct scenario *);

/* Find a station by name, or NULL. */
struct station	*scenario_station(struct scenario *, const char *name);

/* The capacity of the rack in front of station i (i >= 1). */
uint32_t	 scenario_rack(const struct scenario *, unsigned i);

/* The name of dish i: its given name, or "dish-N". buf has len bytes. */
const char	*scenario_dish_name(const struct scenario *, uint64_t i,
		    char *buf, size_t len);

void		 scenario_free(struct scenario *);

/* Parse a duration ("2s", "150ms", "1.5s", "0"). Returns 0 or -1. */
int		 dist_parse_duration(const char *, int64_t *ns);

/* Format a duration the way a scenario would write it. */
const char	*dist_format(const struct dist *, char *buf, size_t len);

/* The nearest of candidates to word (Levenshtein <= 2), or NULL. */
const char	*scn_suggest(const char *word, const char *const *candidates,
		    size_t n);

const char	*scn_mode_name(enum scn_mode);
int		 scn_step_is_caption(const struct script_step *);
const char	*scn_step_label(const struct script_step *, char *, size_t);

/*
 * Split a comma-separated list of topics into out (max entries of
 * SCN_TOPIC_MAX bytes), blanks around each trimmed. prefixes: a '*' may
 * end an entry (a prefix subscription). Returns how many, or -1 with
 * *why allocated.
 */
int		 scenario_topic_list(const char *, char (*out)[SCN_TOPIC_MAX],
		    unsigned max, int prefixes, char **why);

#endif
