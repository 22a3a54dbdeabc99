/*
 * rack_redis.c: a rack in a Redis list (hiredis, synchronous, one
 * connection per thread and per process).
 *
 * DESIGN: the dishes are entries "ID:NAME" of the list KEY:q, the id the
 * run's and the name the scenario's, so a dish crosses processes and
 * hosts and a second delivery is known by its id. Every wait is a
 * blocking command with a short timeout (a slice), after which the taker
 * looks at the run's own flags (closed, aborted, its hand's leave) in
 * shared memory: Redis keeps no state for a taker that died.
 *
 * Reliable (the default): a taker moves a dish atomically into its own
 * list (BLMOVE KEY:q KEY:w:SLOT), so a dish is always in the rack or in
 * exactly one taker's list. Its task_done is an acknowledgement, one Lua
 * script: pop the dish from its list, add the id to KEY:a (a set, so a
 * second acknowledgement of the same dish is a duplicate and changes
 * nothing), count KEY:u down. A taker that died has its list moved back
 * to the front of KEY:q (LMOVE, one script), or its acknowledgement paid
 * if it had let the dish go already. Unreliable: the lecture's RPUSH and
 * BLPOP; a taker that dies loses its dish, which is written off (KEY:u
 * down) so join ends, and the run's conservation shows the loss.
 *
 * Capacity: a put is one script that refuses when KEY:q is at its limit
 * (0, a hand-off, counts as 1); a refused putter waits on KEY:s, a list a
 * taker pushes a token to after each take. A hand-off's putter also waits
 * until the takes counted in KEY:t reach its put's ticket (KEY:p). join
 * waits on KEY:d, pushed when KEY:u reaches 0. close pushes one "quit"
 * per waiting taker, as the lecture's washer does, and sets the flag the
 * others see within a slice.
 *
 * depth is counted by this run's puts and takes (atomics in the rack), so
 * the screen reads it without a round trip.
 */
#include "config.h"

#include "rack_redis.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "sha1.h"
#include "i18n.h"
#include "xmalloc.h"

/* Longer than a round trip on a loopback or a LAN: the take waited. */
#define RR_WAITED_NS	(2 * NSEC_PER_MSEC)

#define RR_SLICE	"0.1"		/* seconds a blocking command waits */
#define RR_PUT_SLICE	"0.02"
#define RR_KEY_MAX	96
#define RR_ARGS		10

struct rack_redis {
	struct rack			 base;
	const struct redis_where	*where;
	const struct scenario		*scn;
	char				 key[RR_KEY_MAX];
	uint32_t			 capacity;
	int				 reliable;
	unsigned			 batch;		/* dishes a fetch takes */
	_Atomic int			 closed;
	_Atomic int			 aborted;
	_Atomic uint64_t		 puts;		/* by this run */
	_Atomic uint64_t		 takes;		/* net of reclaims */
	_Atomic uint32_t		 max_depth;
	_Atomic unsigned		 waiting_takers;
	_Atomic uint64_t		 duplicates;	/* second acks */
	_Atomic int			 failed;
	char				 error[320];
};

/* One command, as an argument vector. */
struct rr_cmd {
	int		 argc;
	const char	*argv[RR_ARGS];
};

/*
 * A put, refused at the limit. A dish comes to a rack once, so its id in
 * KEY:i makes a put sent again (its reply lost with a connection) change
 * nothing: it returns the ticket of the first.
 */
/* This thread's last round trip had to be sent again (rr_exec). */
static _Thread_local int rr_broke;

static const char put_lua[] =
    "local lim = tonumber(ARGV[2])\n"
    "if redis.call('HEXISTS', KEYS[4], ARGV[3]) == 1 then\n"
    "  return {redis.call('LLEN', KEYS[1]),\n"
    "      tonumber(redis.call('HGET', KEYS[4], ARGV[3])), 1}\n"
    "end\n"
    "if lim > 0 and redis.call('LLEN', KEYS[1]) >= lim then\n"
    "  return {-1, 0}\n"
    "end\n"
    "local n = redis.call('RPUSH', KEYS[1], ARGV[1])\n"
    "redis.call('INCR', KEYS[2])\n"
    "local t = redis.call('INCR', KEYS[3])\n"
    "redis.call('HSET', KEYS[4], ARGV[3], t)\n"
    "return {n, t}\n";

/*
 * The put of an unbounded rack: no limit to look at, and no ticket (only
 * a hand-off waits for its taker), so three calls where put_lua makes
 * five. Its id in KEY:i still makes one sent again change nothing.
 */
static const char put_free_lua[] =
    "if redis.call('HSETNX', KEYS[3], ARGV[2], 0) == 0 then\n"
    "  return {redis.call('LLEN', KEYS[1]), 0, 1}\n"
    "end\n"
    "local n = redis.call('RPUSH', KEYS[1], ARGV[1])\n"
    "redis.call('INCR', KEYS[2])\n"
    "return {n, 0}\n";

static const char taken_lua[] =
    "local t = redis.call('INCR', KEYS[1])\n"
    "redis.call('RPUSH', KEYS[2], '1')\n"
    "redis.call('LTRIM', KEYS[2], -16, -1)\n"
    "return t\n";

/*
 * An acknowledgement names its dish: a taker killed between a pipelined
 * acknowledgement and its next dish has two in its list for a moment, and
 * only the one it owes for may be counted done.
 */
static const char ack_lua[] =
    "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return -1 end\n"
    "if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end\n"
    "if redis.call('DECR', KEYS[3]) <= 0 then\n"
    "  redis.call('RPUSH', KEYS[4], '1')\n"
    "end\n"
    "return 1\n";

static const char done_lua[] =
    "local u = redis.call('DECR', KEYS[1])\n"
    "if u <= 0 then redis.call('RPUSH', KEYS[2], '1') end\n"
    "return u\n";

static const char held_lua[] =
    "local n = 0\n"
    "for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do\n"
    "  if e ~= 'quit' then n = n + 1 end\n"
    "end\n"
    "return n\n";

static const char reclaim_lua[] =
    "local n = 0\n"
    "while redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') do\n"
    "  n = n + 1\n"
    "end\n"
    "return n\n";

/*
 * After a broken connection the take is sent again, and the first may have
 * moved a dish into the taker's list (KEYS[1]) and lost its reply with the
 * connection (a broker killed between the two): that dish is the taker's
 * if the second brought none (ARGV[1] empty), and any other goes back to
 * the front of the rack (KEYS[2]). Else it would wait in the list of a
 * live taker for ever, and join with it.
 */
static const char orphan_lua[] =
    "local got, keep, back = ARGV[1], false, {}\n"
    "for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do\n"
    "  if e == got then\n"
    "  elseif got == '' and not keep then keep = e\n"
    "  else back[#back + 1] = e end\n"
    "end\n"
    "for i = #back, 1, -1 do\n"
    "  redis.call('LREM', KEYS[1], 1, back[i])\n"
    "  redis.call('LPUSH', KEYS[2], back[i])\n"
    "end\n"
    "return keep\n";

/*
 * A batch: up to ARGV[1] dishes into the taker's own list at once. A quit
 * stops it, left in the rack (with what came after it) for the blocking
 * take, which knows it.
 */
static const char fetch_lua[] =
    "local got = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))\n"
    "if not got then return {} end\n"
    "for i = 1, #got do\n"
    "  if got[i] == 'quit' then\n"
    "    for j = #got, i, -1 do redis.call('LPUSH', KEYS[1], got[j]) end\n"
    "    for j = #got, i, -1 do got[j] = nil end\n"
    "    break\n"
    "  end\n"
    "end\n"
    "if #got > 0 then redis.call('RPUSH', KEYS[2], unpack(got)) end\n"
    "return got\n";

/*
 * A batch's put: no limit and no hand-off, so no ticket; the id in KEY:i
 * still makes one sent again (after a broken connection) change nothing.
 */
static const char put_batch_lua[] =
    "if redis.call('HSETNX', KEYS[3], ARGV[2], 1) == 0 then return 0 end\n"
    "redis.call('RPUSH', KEYS[1], ARGV[1])\n"
    "redis.call('INCR', KEYS[2])\n"
    "return 1\n";

/* What a leaving taker fetched and did not start goes back, in order. */
static const char unfetch_lua[] =
    "local n = 0\n"
    "for i = #ARGV, 1, -1 do\n"
    "  if redis.call('LREM', KEYS[1], 1, ARGV[i]) == 1 then\n"
    "    redis.call('LPUSH', KEYS[2], ARGV[i])\n"
    "    n = n + 1\n"
    "  end\n"
    "end\n"
    "return n\n";

/*
 * Batched mode (rack.batch > 1) leaves commands unanswered: a put, or an
 * acknowledgement, is written at once and its answer read at the
 * thread's next round trip, so a zero-work worker does not wait a round
 * trip a dish. Each is kept until answered: a connection that breaks
 * first has them all sent again on the next (puts and acknowledgements
 * name their dish, so one that had landed changes nothing the second
 * time). One list per thread, as the connection is.
 */
#define RR_PEND_MAX	256

enum rr_pend_kind {
	RR_PEND_PUT,
	RR_PEND_ACK
};

struct rr_pend {
	struct rack_redis	*r;
	enum rr_pend_kind	 kind;
	dish_t			 d;
	unsigned		 who;		/* an acknowledgement's taker */
};

/* A command's strings, while it is written. */
struct rr_cmdbuf {
	char	 k[4][RR_KEY_MAX + 16];
	char	 entry[96];
	char	 id[16];
	char	 lim[16];
};

static _Thread_local struct rr_pend	 rr_pend[RR_PEND_MAX];
static _Thread_local unsigned		 rr_npend;
static _Thread_local unsigned		 rr_pend_gen;	/* connection they went on */


/* The dishes a taker fetched ahead, in its own list, not yet started. */
static _Thread_local struct {
	struct rack_redis	*r;
	unsigned		 who;		/* whose list they are in */
	unsigned		 next, n;
	dish_t			 d[SCN_BATCH_MAX];
} rr_ahead;

static void	rr_put_cmd(const struct rack_redis *, dish_t, struct rr_cmd *,
		    struct rr_cmdbuf *);
static void	rr_entry(const struct rack_redis *, dish_t, char *, size_t);
static void	rr_pend_cmd(const struct rr_pend *, struct rr_cmd *,
		    struct rr_cmdbuf *);
static void	rr_done_reply(struct rack_redis *, const redisReply *);

static int	rr_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	rr_get(struct rack *, struct hand *, int *, int *);
static int	rr_reclaim(struct rack *, struct hand *);
static int	rr_task_done(struct rack *, struct hand *);
static int	rr_join(struct rack *, int64_t);
static void	rr_close(struct rack *);
static void	rr_wake_takers(struct rack *);
static void	rr_abort(struct rack *);
static uint32_t	rr_depth(const struct rack *);
static uint32_t	rr_held(struct rack *);
static uint32_t	rr_max_depth(struct rack *);
static uint64_t	rr_unfinished(struct rack *);
static uint64_t	rr_taken(struct rack *);
static void	rr_destroy(struct rack *);
static const char *rr_error(struct rack *);
static void	rr_flush(struct rack *);

const struct rack_ops rack_redis = {
	.name = "redis",
	.held_asks = 1,
	.put = rr_put,
	.get = rr_get,
	.reclaim = rr_reclaim,
	.task_done = rr_task_done,
	.join = rr_join,
	.close = rr_close,
	.wake_takers = rr_wake_takers,
	.abort = rr_abort,
	.depth = rr_depth,
	.held = rr_held,
	.max_depth = rr_max_depth,
	.unfinished = rr_unfinished,
	.taken = rr_taken,
	.destroy = rr_destroy,
	.error = rr_error,
	.flush = rr_flush,
};

size_t
rack_redis_size(void)
{
	return (sizeof(struct rack_redis));
}

/* KEY:name into buf. */
static const char *
rr_key(const struct rack_redis *r, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", r->key, name);
	return (buf);
}

/* A taker's own list: KEY:w:SLOT. */
static const char *
rr_proc(const struct rack_redis *r, const struct hand *hand, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s:w:%u", r->key, hand != NULL ? hand->who : 0);
	return (buf);
}

/* The first failure is the rack's error; every wait gives up. */
static void
rr_fail(struct rack_redis *r, const char *cause)
{
	int	expected = 0;

	if (atomic_compare_exchange_strong(&r->failed, &expected, 1))
		snprintf(r->error, sizeof r->error, "%s", cause);
	atomic_store(&r->aborted, 1);
}

/* A reply that is an error fails the rack: 0, or -1 (failed). */
static int
rr_reply_ok(struct rack_redis *r, const redisReply *rep)
{
	char	*cause;

	if (rep->type != REDIS_REPLY_ERROR)
		return (0);
	xasprintf(&cause, "%s: %s", r->where->shown, rep->str);
	rr_fail(r, cause);
	free(cause);
	return (-1);
}

/*
 * The scripts, each sent whole once on a connection and then by its
 * SHA-1 (EVALSHA): the text of a put is most of its bytes, and the server
 * hashes what EVAL sends on every call. A server loses its scripts only
 * when it restarts, and then the connection is new, so the first call on
 * each connection of a thread sends the text. A SCRIPT FLUSH by someone
 * else is the one way to a NOSCRIPT, which fails the rack, saying so.
 */
#define RR_SCRIPTS	16

static struct {
	const char	*body;
	char		 sha[SHA1_HEX_LEN + 1];
} rr_script[RR_SCRIPTS];
static pthread_mutex_t		rr_script_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic unsigned		rr_nscripts;
static _Thread_local unsigned	rr_script_gen[RR_SCRIPTS];

/* The slot of script body, hashed at its first call; -1 if all are full. */
static int
rr_script_slot(const char *body)
{
	unsigned	 i, n = atomic_load(&rr_nscripts);

	for (i = 0; i < n; i++)
		if (rr_script[i].body == body)
			return ((int)i);
	pthread_mutex_lock(&rr_script_lock);
	n = atomic_load(&rr_nscripts);
	for (i = 0; i < n && rr_script[i].body != body; i++)
		;
	if (i == n && n < RR_SCRIPTS) {
		sha1_hex(body, strlen(body), rr_script[n].sha);
		rr_script[n].body = body;
		atomic_store(&rr_nscripts, n + 1);
	}
	pthread_mutex_unlock(&rr_script_lock);
	return (i < RR_SCRIPTS ? (int)i : -1);
}

/* Append cmd to c's output: a script by its SHA-1 once c has its text. */
static void
rr_append(redisContext *c, const struct rr_cmd *cmd)
{
	struct rr_cmd	 named;
	unsigned	 gen;
	int		 slot;

	if (strcmp(cmd->argv[0], "EVAL") != 0 ||
	    (slot = rr_script_slot(cmd->argv[1])) == -1) {
		redisAppendCommandArgv(c, cmd->argc,
		    (const char **)(uintptr_t)cmd->argv, NULL);
		return;
	}
	gen = redis_conn_generation();
	if (gen == 0 || rr_script_gen[slot] != gen) {
		rr_script_gen[slot] = gen;
		redisAppendCommandArgv(c, cmd->argc,
		    (const char **)(uintptr_t)cmd->argv, NULL);
		return;
	}
	named = *cmd;
	named.argv[0] = "EVALSHA";
	named.argv[1] = rr_script[slot].sha;
	redisAppendCommandArgv(c, named.argc,
	    (const char **)(uintptr_t)named.argv, NULL);
}

/*
 * The thread's unanswered commands that went on a connection since lost
 * (or on none): written on c, ahead of anything else.
 */
static void
rr_resend(redisContext *c)
{
	struct rr_cmdbuf	 b;
	struct rr_cmd		 cmd;
	unsigned		 i;

	if (rr_npend == 0 || rr_pend_gen == redis_conn_generation())
		return;
	for (i = 0; i < rr_npend; i++) {
		rr_pend_cmd(&rr_pend[i], &cmd, &b);
		rr_append(c, &cmd);
	}
	rr_pend_gen = redis_conn_generation();
}

/*
 * Read the answers to the thread's unanswered commands, which come
 * before any other on its connection c. 0, or -1 if c broke (those not
 * answered are kept, to go again) or a reply was an error.
 */
static int
rr_settle(redisContext *c)
{
	redisReply	*rep;
	unsigned	 i, k;
	int		 rc = 0;

	if (rr_npend == 0)
		return (0);
	for (i = 0; i < rr_npend; i++) {
		if (redisGetReply(c, (void **)&rep) != REDIS_OK)
			break;
		if (rr_reply_ok(rr_pend[i].r, rep) == -1)
			rc = -1;
		else if (rr_pend[i].kind == RR_PEND_ACK)
			rr_done_reply(rr_pend[i].r, rep);
		freeReplyObject(rep);
	}
	/* The answered are done with; the others go again. */
	for (k = 0; i + k < rr_npend; k++)
		rr_pend[k] = rr_pend[i + k];
	rr_npend = k;
	if (k > 0) {
		rr_pend_gen = 0;
		return (-1);
	}
	return (rc);
}

/*
 * Send n commands in one write and read their n replies into out, after
 * the answers to the thread's unanswered commands. A connection that
 * cannot be made or breaks is made again, with backoff, until the
 * address's timeout; then the rack fails. 0, or -1 (aborted or failed),
 * with no reply kept.
 */
static int
rr_exec(struct rack_redis *r, int n, const struct rr_cmd *cmds,
    redisReply **out)
{
	redisContext	*c;
	char		*cause = NULL;
	int64_t		 start = 0, pause = 10 * NSEC_PER_MSEC;
	int		 i, j;

	if (n == 0 && rr_npend == 0)
		return (0);
	for (;;) {
		if (atomic_load(&r->aborted))
			return (-1);
		free(cause);
		cause = NULL;
		if ((c = redis_conn(r->where, &cause)) != NULL) {
			rr_resend(c);
			for (i = 0; i < n; i++)
				rr_append(c, &cmds[i]);
			if (rr_settle(c) == -1) {
				if (atomic_load(&r->failed))
					return (-1);
				i = -1;
			} else {
				for (i = 0; i < n; i++) {
					if (redisGetReply(c,
					    (void **)&out[i]) != REDIS_OK)
						break;
				}
			}
			if (i == n) {
				redis_where_up(r->where);
				for (j = 0; j < n; j++) {
					if (rr_reply_ok(r, out[j]) == 0)
						continue;
					for (i = 0; i < n; i++)
						freeReplyObject(out[i]);
					return (-1);
				}
				return (0);
			}
			for (j = 0; j < i; j++)
				freeReplyObject(out[j]);
			xasprintf(&cause, "%s: %s", r->where->shown,
			    c->errstr[0] != '\0' ? c->errstr :
			    _("the connection broke"));
			redis_conn_broken();
			rr_broke = 1;
		}
		redis_where_down(r->where);
		if (start == 0)
			start = clock_mono_ns();
		if (clock_mono_ns() - start > r->where->timeout_ns) {
			rr_fail(r, cause);
			free(cause);
			return (-1);
		}
		clock_sleep_ns(pause);
		if (pause < NSEC_PER_SEC / 2)
			pause *= 2;
	}
}

/*
 * Write a put or an acknowledgement and go on without its answer (a
 * batch). 0, or -1 if the rack failed while the thread's list was full.
 */
static int
rr_defer(struct rack_redis *r, enum rr_pend_kind kind, dish_t d,
    unsigned who)
{
	redisContext	*c;
	struct rr_cmdbuf b;
	struct rr_cmd	 cmd;
	int		 done = 0;

	if (rr_npend == RR_PEND_MAX && (rr_exec(r, 0, NULL, NULL) == -1 ||
	    rr_npend == RR_PEND_MAX))
		return (-1);
	rr_pend[rr_npend++] = (struct rr_pend){ r, kind, d, who };
	/* Some went on a connection since lost: the next trip sends all. */
	if (rr_npend > 1 && rr_pend_gen != redis_conn_generation())
		return (0);
	if ((c = redis_conn(r->where, NULL)) == NULL ||
	    (rr_npend > 1 && rr_pend_gen != redis_conn_generation())) {
		rr_pend_gen = 0;
		return (0);
	}
	rr_pend_cmd(&rr_pend[rr_npend - 1], &cmd, &b);
	rr_append(c, &cmd);
	/*
	 * Written now, not kept to write with others: what a worker that
	 * is killed had written reaches Redis all the same, and what it had
	 * not is still in its hand, for the engine to put back.
	 */
	while (!done) {
		if (redisBufferWrite(c, &done) == REDIS_ERR) {
			redis_conn_broken();
			rr_pend_gen = 0;
			return (0);
		}
	}
	rr_pend_gen = redis_conn_generation();
	return (0);
}

/* One command; its reply, or NULL. */
static redisReply *
rr_one(struct rack_redis *r, const struct rr_cmd *cmd)
{
	redisReply	*rep;

	return (rr_exec(r, 1, cmd, &rep) == 0 ? rep : NULL);
}

/* One command whose reply is an integer, or fallback. */
static long long
rr_int(struct rack_redis *r, const struct rr_cmd *cmd, long long fallback)
{
	redisReply	*rep;
	long long	 v = fallback;

	if ((rep = rr_one(r, cmd)) == NULL)
		return (fallback);
	if (rep->type == REDIS_REPLY_INTEGER)
		v = rep->integer;
	else if (rep->type == REDIS_REPLY_STRING)
		v = strtoll(rep->str, NULL, 10);
	else if (rep->type == REDIS_REPLY_NIL)
		v = 0;
	freeReplyObject(rep);
	return (v);
}

int
rack_redis_init(struct rack *base, const struct redis_where *w,
    const char *prefix, unsigned index, uint32_t capacity, int reliable,
    const struct scenario *scn, char **cause)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	r->base.ops = &rack_redis;
	r->where = w;
	r->scn = scn;
	r->capacity = capacity;
	r->reliable = reliable;
	/* The engine refuses a batch elsewhere: doc/redis.md, "Batches". */
	r->batch = scn->batch > 1 && reliable && capacity == RACK_UNBOUNDED ?
	    scn->batch : 1;
	if ((size_t)snprintf(r->key, sizeof r->key, "%sr%u", prefix, index) >=
	    sizeof r->key) {
		xasprintf(cause, _("the Redis key prefix is too long"));
		return (-1);
	}
	return (0);
}

/* The entry a dish travels as: its id, and its name for whoever reads. */
static void
rr_entry(const struct rack_redis *r, dish_t d, char *buf, size_t len)
{
	char	name[64];

	snprintf(buf, len, "%u:%s", d, scenario_dish_name(r->scn, d, name,
	    sizeof name));
}

/* The dish an entry is, DISH_QUIT for the sentinel, DISH_NONE if neither. */
static dish_t
rr_dish(const char *e)
{
	char		*end;
	unsigned long	 v;

	if (strcmp(e, "quit") == 0)
		return (DISH_QUIT);
	v = strtoul(e, &end, 10);
	if (end == e || *end != ':' || v > DISH_MAX)
		return (DISH_NONE);
	return ((dish_t)v);
}

/* Dishes in the list by this run's count: puts less takes. */
static uint32_t
rr_counted(const struct rack_redis *r)
{
	uint64_t	p, t;

	p = atomic_load_explicit(&r->puts, memory_order_relaxed);
	t = atomic_load_explicit(&r->takes, memory_order_relaxed);
	return (p > t ? (uint32_t)(p - t) : 0);
}

static uint32_t
rr_depth(const struct rack *base)
{
	const struct rack_redis	*r = (const struct rack_redis *)base;

	/* A hand-off's offered dish is not waiting in a rack. */
	return (r->capacity == 0 ? 0 : rr_counted(r));
}

/* Room for the put: 1 if a putter must wait (the rack is at its limit). */
static int
rr_wait_slot(struct rack_redis *r, const char *space)
{
	struct rr_cmd	 wait = { 3, { "BLPOP", space, RR_PUT_SLICE } };
	redisReply	*rep;

	if ((rep = rr_one(r, &wait)) == NULL)
		return (-1);
	freeReplyObject(rep);
	return (0);
}

/* A put landed (again: it had, before): count it; the depth after. */
static uint32_t
rr_landed(struct rack_redis *r, struct hand *hand, int again)
{
	uint32_t	depth, m;

	if (!again)
		atomic_fetch_add(&r->puts, 1);
	if (hand != NULL)
		hand_let_go(hand);
	depth = rr_depth(&r->base);
	m = atomic_load(&r->max_depth);
	while (depth > m && !atomic_compare_exchange_weak(&r->max_depth, &m,
	    depth))
		;
	return (depth);
}

static int
rr_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 s[RR_KEY_MAX + 8], t[RR_KEY_MAX + 8];
	struct rr_cmdbuf	 b;
	struct rr_cmd		 put;
	redisReply		*rep;
	long long		 n, ticket = 0;
	uint32_t		 depth;
	int			 again = 0;

	if (blocked != NULL)
		*blocked = 0;
	if (atomic_load(&r->closed))
		return (-1);
	/* Unanswered, in a batch: an unbounded rack refuses no put. */
	if (r->batch > 1)
		return (rr_defer(r, RR_PEND_PUT, d, 0) == -1 ? -1 :
		    (int)rr_landed(r, hand, 0));
	rr_put_cmd(r, d, &put, &b);
	rr_key(r, "s", s, sizeof s);
	for (;;) {
		if ((rep = rr_one(r, &put)) == NULL)
			return (-1);
		n = rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2 ?
		    rep->element[0]->integer : -1;
		ticket = n >= 0 ? rep->element[1]->integer : 0;
		again = rep->type == REDIS_REPLY_ARRAY && rep->elements == 3;
		freeReplyObject(rep);
		if (n >= 0)
			break;
		if (blocked != NULL)
			*blocked = 1;
		/* Killed while it waits for room: it drops the dish now. */
		if (hand != NULL && atomic_load(&hand->crash))
			return (-1);
		if (rr_wait_slot(r, s) == -1)
			return (-1);
	}
	depth = rr_landed(r, hand, again);
	if (r->capacity == 0) {
		/* A hand-off completes only when someone has taken it. */
		struct rr_cmd get_t = { 2, { "GET", NULL } };

		get_t.argv[1] = rr_key(r, "t", t, sizeof t);
		while (rr_int(r, &get_t, -1) < ticket) {
			if (blocked != NULL)
				*blocked = 1;
			if (atomic_load(&r->aborted) || rr_wait_slot(r, s) ==
			    -1)
				break;
		}
	}
	return ((int)depth);
}

/* The acknowledgement of dish d by taker who: the command. */
static void
rr_ack_cmd(const struct rack_redis *r, dish_t d, unsigned who,
    struct rr_cmd *cmd, struct rr_cmdbuf *b)
{
	rr_entry(r, d, b->entry, sizeof b->entry);
	snprintf(b->id, sizeof b->id, "%u", d);
	snprintf(b->k[0], sizeof b->k[0], "%s:w:%u", r->key, who);
	*cmd = (struct rr_cmd){ 9, { "EVAL", ack_lua, "4", b->k[0],
	    rr_key(r, "a", b->k[1], sizeof b->k[1]),
	    rr_key(r, "u", b->k[2], sizeof b->k[2]),
	    rr_key(r, "d", b->k[3], sizeof b->k[3]), b->entry, b->id } };
}

/* The acknowledgement (reliable) or count-down of a dish: the command. */
static void
rr_done_cmd(const struct rack_redis *r, const struct hand *hand,
    struct rr_cmd *cmd, struct rr_cmdbuf *b)
{
	if (r->reliable) {
		rr_ack_cmd(r, hand != NULL ? atomic_load(&hand->owed) :
		    DISH_NONE, hand != NULL ? hand->who : 0, cmd, b);
	} else {
		*cmd = (struct rr_cmd){ 5, { "EVAL", done_lua, "2",
		    rr_key(r, "u", b->k[0], sizeof b->k[0]),
		    rr_key(r, "d", b->k[1], sizeof b->k[1]) } };
	}
}

/* The put of dish d: the command. */
static void
rr_put_cmd(const struct rack_redis *r, dish_t d, struct rr_cmd *cmd,
    struct rr_cmdbuf *b)
{
	rr_entry(r, d, b->entry, sizeof b->entry);
	snprintf(b->id, sizeof b->id, "%u", d);
	if (r->capacity == RACK_UNBOUNDED) {
		*cmd = (struct rr_cmd){ 8, { "EVAL", put_free_lua, "3",
		    rr_key(r, "q", b->k[0], sizeof b->k[0]),
		    rr_key(r, "u", b->k[1], sizeof b->k[1]),
		    rr_key(r, "i", b->k[2], sizeof b->k[2]), b->entry,
		    b->id } };
		return;
	}
	snprintf(b->lim, sizeof b->lim, "%u", r->capacity == 0 ? 1 :
	    r->capacity);
	*cmd = (struct rr_cmd){ 10, { "EVAL", put_lua, "4",
	    rr_key(r, "q", b->k[0], sizeof b->k[0]),
	    rr_key(r, "u", b->k[1], sizeof b->k[1]),
	    rr_key(r, "p", b->k[2], sizeof b->k[2]),
	    rr_key(r, "i", b->k[3], sizeof b->k[3]), b->entry, b->lim,
	    b->id } };
}

/* An unanswered command's own, to write it (again). */
static void
rr_pend_cmd(const struct rr_pend *p, struct rr_cmd *cmd, struct rr_cmdbuf *b)
{
	struct rack_redis	*r = p->r;

	if (p->kind == RR_PEND_PUT) {
		rr_entry(r, p->d, b->entry, sizeof b->entry);
		snprintf(b->id, sizeof b->id, "%u", p->d);
		*cmd = (struct rr_cmd){ 8, { "EVAL", put_batch_lua, "3",
		    rr_key(r, "q", b->k[0], sizeof b->k[0]),
		    rr_key(r, "u", b->k[1], sizeof b->k[1]),
		    rr_key(r, "i", b->k[2], sizeof b->k[2]), b->entry,
		    b->id } };
	} else
		rr_ack_cmd(p->r, p->d, p->who, cmd, b);
}

/* What an acknowledgement said: a second one for a dish is a duplicate. */
static void
rr_done_reply(struct rack_redis *r, const redisReply *rep)
{
	if (r->reliable && rep->type == REDIS_REPLY_INTEGER &&
	    rep->integer == 0)
		atomic_fetch_add(&r->duplicates, 1);
}

/* Clear a hand's debt: as the local rack does, under no lock of ours. */
static void
rr_hand_set(struct hand *hand, dish_t d, int owes)
{
	if (hand == NULL)
		return;
	if (d != DISH_NONE)
		atomic_store_explicit(&hand->owed, d, memory_order_relaxed);
	atomic_store_explicit(&hand->dish, d, memory_order_relaxed);
	atomic_store_explicit(&hand->owes, owes, memory_order_relaxed);
}

/*
 * The next of the dishes fetched ahead; the one before is done, and its
 * acknowledgement goes out unanswered.
 */
static dish_t
rr_get_ahead(struct rack_redis *r, struct hand *hand, int *depth)
{
	if (hand != NULL && atomic_load(&hand->owes) && rr_defer(r,
	    RR_PEND_ACK, atomic_load(&hand->owed), hand->who) == -1)
		return (DISH_NONE);
	rr_hand_set(hand, rr_ahead.d[rr_ahead.next++], 1);
	if (depth != NULL)
		*depth = (int)rr_depth(&r->base);
	return (atomic_load(&hand->dish));
}

/*
 * A fetched batch (an array of entries, maybe empty): the first dish, for
 * the hand; the rest kept ahead. Every one is counted taken now.
 */
static dish_t
rr_got_batch(struct rack_redis *r, const struct hand *hand,
    const redisReply *rep)
{
	dish_t	 d;
	size_t	 i;

	rr_ahead.r = r;
	rr_ahead.who = hand != NULL ? hand->who : 0;
	rr_ahead.next = rr_ahead.n = 0;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0)
		return (DISH_NONE);
	for (i = 1; i < rep->elements && rr_ahead.n < SCN_BATCH_MAX; i++) {
		if (rep->element[i]->type != REDIS_REPLY_STRING ||
		    (d = rr_dish(rep->element[i]->str)) >= DISH_QUIT)
			continue;
		rr_ahead.d[rr_ahead.n++] = d;
	}
	atomic_fetch_add(&r->takes, rr_ahead.n);
	return (rep->element[0]->type == REDIS_REPLY_STRING ?
	    rr_dish(rep->element[0]->str) : DISH_NONE);
}

/*
 * A take that was sent again: what the first moved into the taker's list
 * w (orphan_lua); d, or the orphan when the second brought nothing.
 */
static dish_t
rr_orphans(struct rack_redis *r, char *w, char *q, const redisReply *got,
    dish_t d)
{
	struct rr_cmd	 cmd = { 6, { "EVAL", orphan_lua, "2", w, q, NULL } };
	redisReply	*rep;

	rr_broke = 0;
	cmd.argv[5] = got->type == REDIS_REPLY_STRING ? got->str : "";
	if ((rep = rr_one(r, &cmd)) == NULL)
		return (d);
	if (d == DISH_NONE && rep->type == REDIS_REPLY_STRING)
		d = rr_dish(rep->str);
	freeReplyObject(rep);
	return (d);
}

static dish_t
rr_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	struct rr_cmdbuf	 keys;
	char			 q[RR_KEY_MAX + 8], w[RR_KEY_MAX + 16];
	char			 t[RR_KEY_MAX + 8], s[RR_KEY_MAX + 8];
	char			 c[RR_KEY_MAX + 8];
	struct rr_cmd		 cmds[2], taken, closed = { 2, { "GET", NULL } };
	redisReply		*rep[2];
	dish_t			 d = DISH_NONE;
	char			 want[16];
	int			 n, owes, fetch, empty = 0;
	int64_t			 t0;

	if (blocked != NULL)
		*blocked = 0;
	if (rr_ahead.r == r && rr_ahead.next < rr_ahead.n)
		return (rr_get_ahead(r, hand, depth));
	t0 = clock_mono_ns();
	rr_key(r, "q", q, sizeof q);
	rr_proc(r, hand, w, sizeof w);
	closed.argv[1] = rr_key(r, "c", c, sizeof c);
	snprintf(want, sizeof want, "%u", r->batch);
	for (;;) {
		n = 0;
		owes = hand != NULL && atomic_load(&hand->owes);
		if (owes)
			rr_done_cmd(r, hand, &cmds[n++], &keys);
		fetch = r->batch > 1 && !empty;
		if (fetch)
			/* A batch, if there are dishes; else wait for one. */
			cmds[n++] = (struct rr_cmd){ 6, { "EVAL", fetch_lua,
			    "2", q, w, want } };
		else if (r->reliable)
			cmds[n++] = (struct rr_cmd){ 6, { "BLMOVE", q, w,
			    "LEFT", "RIGHT", RR_SLICE } };
		else
			cmds[n++] = (struct rr_cmd){ 3, { "BLPOP", q,
			    RR_SLICE } };
		atomic_fetch_add(&r->waiting_takers, 1);
		rr_broke = 0;
		if (rr_exec(r, n, cmds, rep) == -1) {
			atomic_fetch_sub(&r->waiting_takers, 1);
			return (DISH_NONE);
		}
		atomic_fetch_sub(&r->waiting_takers, 1);
		if (owes) {
			rr_done_reply(r, rep[0]);
			rr_hand_set(hand, DISH_NONE, 0);
			freeReplyObject(rep[0]);
		}
		rep[0] = rep[n - 1];
		if (fetch) {
			d = rr_got_batch(r, hand, rep[0]);
			freeReplyObject(rep[0]);
			if (d != DISH_NONE)
				break;
			empty = 1;
			continue;
		}
		empty = 0;
		if (rep[0]->type == REDIS_REPLY_STRING)
			d = rr_dish(rep[0]->str);
		else if (rep[0]->type == REDIS_REPLY_ARRAY &&
		    rep[0]->elements == 2)
			d = rr_dish(rep[0]->element[1]->str);
		if (r->reliable && rr_broke)
			d = rr_orphans(r, w, q, rep[0], d);
		freeReplyObject(rep[0]);
		if (d == DISH_QUIT) {
			struct rr_cmd lrem = { 4, { "LREM", w, "1", "quit" } };

			if (r->reliable && (rep[0] = rr_one(r, &lrem)) != NULL)
				freeReplyObject(rep[0]);
			return (DISH_NONE);
		}
		if (d != DISH_NONE)
			break;
		/* Closed by whoever runs the run, here or on another host. */
		if (!atomic_load(&r->closed) && rr_int(r, &closed, 0) == 1)
			atomic_store(&r->closed, 1);
		if (atomic_load(&r->aborted) || atomic_load(&r->closed) ||
		    (hand != NULL && atomic_load(&hand->leave)))
			return (DISH_NONE);
		if (blocked != NULL)
			*blocked = 1;
	}
	/*
	 * A wait that ended within one slice (the dish came while BLPOP
	 * waited) is a wait too: the worker stamps its take after it, or
	 * its work would seem to start when it began to wait.
	 */
	if (blocked != NULL && clock_mono_ns() - t0 > RR_WAITED_NS)
		*blocked = 1;
	rr_hand_set(hand, d, 1);
	atomic_fetch_add(&r->takes, 1);
	if (depth != NULL)
		*depth = (int)rr_depth(base);
	if (r->capacity != RACK_UNBOUNDED) {
		/* A putter may wait for the room this take made. */
		taken = (struct rr_cmd){ 5, { "EVAL", taken_lua, "2",
		    rr_key(r, "t", t, sizeof t), rr_key(r, "s", s, sizeof s) } };
		if ((rep[0] = rr_one(r, &taken)) != NULL)
			freeReplyObject(rep[0]);
	}
	return (d);
}

static int
rr_task_done(struct rack *base, struct hand *hand)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	struct rr_cmdbuf	 keys;
	struct rr_cmd		 cmd;
	redisReply		*rep;
	int			 rc;

	rr_done_cmd(r, hand, &cmd, &keys);
	if ((rep = rr_one(r, &cmd)) == NULL)
		return (-1);
	rr_done_reply(r, rep);
	rc = r->reliable && rep->type == REDIS_REPLY_INTEGER &&
	    rep->integer == -1 ? -1 : 0;
	freeReplyObject(rep);
	rr_hand_set(hand, DISH_NONE, 0);
	return (rc);
}

static int
rr_reclaim(struct rack *base, struct hand *hand)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 w[RR_KEY_MAX + 16], q[RR_KEY_MAX + 8];
	struct rr_cmd		 back;
	long long		 n;
	dish_t			 d;
	int			 owes;

	d = atomic_load(&hand->dish);
	owes = atomic_load(&hand->owes);
	if (!r->reliable) {
		/* The lecture's queue: what it held is gone with it. */
		if (d != DISH_NONE || owes)
			rr_task_done(base, hand);
		rr_hand_set(hand, DISH_NONE, 0);
		return (0);
	}
	/* It had let its dish go: the acknowledgement is owed for that one. */
	if (owes && d == DISH_NONE)
		rr_task_done(base, hand);
	/*
	 * Whatever its list holds now goes back: the dish in its hand, or
	 * one it took and had no time to note.
	 */
	back = (struct rr_cmd){ 5, { "EVAL", reclaim_lua, "2",
	    rr_proc(r, hand, w, sizeof w), rr_key(r, "q", q, sizeof q) } };
	n = rr_int(r, &back, -1);
	rr_hand_set(hand, DISH_NONE, 0);
	if (n <= 0)
		return (n < 0 ? -1 : 0);
	atomic_fetch_sub(&r->takes, (uint64_t)n);
	return (1);
}

static int
rr_join(struct rack *base, int64_t timeout_ns)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 u[RR_KEY_MAX + 8], d[RR_KEY_MAX + 8];
	struct rr_cmd		 get_u = { 2, { "GET", NULL } };
	struct rr_cmd		 wait = { 3, { "BLPOP", NULL, RR_SLICE } };
	redisReply		*rep;
	int64_t			 deadline = 0;

	get_u.argv[1] = rr_key(r, "u", u, sizeof u);
	wait.argv[1] = rr_key(r, "d", d, sizeof d);
	if (timeout_ns >= 0)
		deadline = clock_mono_ns() + timeout_ns;
	for (;;) {
		if (atomic_load(&r->aborted))
			return (-1);
		if (rr_int(r, &get_u, 1) <= 0)
			return (atomic_load(&r->aborted) ? -1 : 0);
		if (timeout_ns >= 0 && clock_mono_ns() >= deadline)
			return (1);
		if ((rep = rr_one(r, &wait)) == NULL)
			return (-1);
		freeReplyObject(rep);
	}
}

static void
rr_close(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 c[RR_KEY_MAX + 8], q[RR_KEY_MAX + 8];
	struct rr_cmd		 cmds[RR_ARGS];
	redisReply		*rep[RR_ARGS];
	unsigned		 i, n;

	atomic_store(&r->closed, 1);
	/* One quit per taker waiting now; the rest see the flag. */
	n = atomic_load(&r->waiting_takers);
	if (n > RR_ARGS - 1)
		n = RR_ARGS - 1;
	cmds[0] = (struct rr_cmd){ 3, { "SET", rr_key(r, "c", c, sizeof c),
	    "1" } };
	rr_key(r, "q", q, sizeof q);
	for (i = 1; i <= n; i++)
		cmds[i] = (struct rr_cmd){ 3, { "RPUSH", q, "quit" } };
	if (rr_exec(r, (int)n + 1, cmds, rep) == 0) {
		for (i = 0; i <= n; i++)
			freeReplyObject(rep[i]);
	}
}

static void
rr_wake_takers(struct rack *base)
{
	/* Takers look at their hands within a slice. */
	(void)base;
}

static void
rr_abort(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;

	atomic_store(&r->aborted, 1);
}

/* What the list holds, from Redis itself: every host's puts and takes. */
static uint32_t
rr_held(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 q[RR_KEY_MAX + 8];
	struct rr_cmd		 count = { 4, { "EVAL", held_lua, "1", NULL } };
	long long		 n;

	count.argv[3] = rr_key(r, "q", q, sizeof q);
	n = rr_int(r, &count, -1);
	if (n >= 0)
		return ((uint32_t)n);
	/* Redis is gone: what this run counted, a hand-off's dish too. */
	return (rr_counted(r));
}

/* 1 if dish ARGV[1] is in the taker's list KEYS[1] ("D:..."), else 0. */
static const char holds_lua[] =
    "for _, e in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do\n"
    "  if string.match(e, '^(%d+):') == ARGV[1] then return 1 end\n"
    "end\n"
    "return 0\n";

int
rack_redis_held(struct rack *base, const struct hand *hand, dish_t d)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 w[RR_KEY_MAX + 16], num[16];
	struct rr_cmd		 held;

	if (base == NULL || base->ops != &rack_redis || !r->reliable)
		return (-1);
	snprintf(num, sizeof num, "%u", (unsigned)d);
	held = (struct rr_cmd){ 5, { "EVAL", holds_lua, "1",
	    rr_proc(r, hand, w, sizeof w), num } };
	return ((int)rr_int(r, &held, -1));
}

void
rack_redis_note(struct rack *base, unsigned puts, unsigned takes)
{
	struct rack_redis	*r = (struct rack_redis *)base;

	if (base == NULL || base->ops != &rack_redis)
		return;
	atomic_fetch_add(&r->puts, puts);
	atomic_fetch_add(&r->takes, takes);
}

static uint32_t
rr_max_depth(struct rack *base)
{
	return (atomic_load(&((struct rack_redis *)base)->max_depth));
}

static uint64_t
rr_unfinished(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 u[RR_KEY_MAX + 8];
	struct rr_cmd		 get_u = { 2, { "GET", NULL } };
	long long		 v;

	get_u.argv[1] = rr_key(r, "u", u, sizeof u);
	v = rr_int(r, &get_u, 0);
	return (v > 0 ? (uint64_t)v : 0);
}

static uint64_t
rr_taken(struct rack *base)
{
	return (atomic_load(&((struct rack_redis *)base)->takes));
}

static void
rr_destroy(struct rack *base)
{
	/* The run removes its keys; the thread's connection is its own. */
	(void)base;
}

/*
 * A leaving taker's dishes fetched ahead go back to the front of the
 * rack, in their order; then every unanswered command is answered.
 */
static void
rr_flush(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;
	char			 w[RR_KEY_MAX + 16], q[RR_KEY_MAX + 8];
	char			 entry[96];
	struct rr_cmd		 back = { 6, { "EVAL", unfetch_lua, "2", w, q,
				    entry } };

	if (r->batch <= 1)
		return;
	if (rr_ahead.r == r) {
		snprintf(w, sizeof w, "%s:w:%u", r->key, rr_ahead.who);
		rr_key(r, "q", q, sizeof q);
		while (rr_ahead.n > rr_ahead.next) {
			rr_entry(r, rr_ahead.d[--rr_ahead.n], entry,
			    sizeof entry);
			if (rr_int(r, &back, 0) == 1)
				atomic_fetch_sub(&r->takes, 1);
		}
		rr_ahead.r = NULL;
	}
	(void)rr_exec(r, 0, NULL, NULL);
}

static const char *
rr_error(struct rack *base)
{
	struct rack_redis	*r = (struct rack_redis *)base;

	return (atomic_load(&r->failed) ? r->error : NULL);
}
