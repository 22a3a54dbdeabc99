/*
 * agents.c: the coordinator's side of dishrack agent: workers of a station
 * on other hosts, joining a run through its Redis.
 *
 * DESIGN: the run says in Redis that it is open (dishrack:current names
 * its key prefix P; P:info holds the version, the scenario's text and its
 * --set lines; P:alive lives while the coordinator does). An agent asks
 * to join by pushing "ID STATION COUNT HOST" to P:joins; the conductor
 * (agents_tend, every slice) gives it slots of the run, as if it had
 * spawned local workers, and answers in P:join:ID with the run's clock
 * and the slots' numbers and names. The agent's workers take and put in
 * the run's Redis racks, named by those slots, and send every event to
 * the stream P:ev. One reader thread here turns the stream into the
 * slots' rings (it is the only writer of a remote slot: its ring, its
 * hand, its state), so stats and the screen see remote workers as any
 * other. An agent keeps P:agent:ID alive; when that key expires the
 * reader reclaims what its workers held, as for a local process that
 * died, and marks them lost. The book of agents is the roster's, shared
 * with ZeroMQ's home (agent_roster.c); this file carries Redis's words.
 */
#include "config.h"

#include "engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>

#include "agent_roster.h"
#include "rack_redis.h"
#include "redis_link.h"
#include "i18n.h"
#include "xmalloc.h"

#define AGENTS_ALIVE_MS		5000	/* P:alive's time to live */
#define AGENTS_LOST_CHECK_NS	NSEC_PER_SEC

struct agents {
	struct roster	 roster;
	pthread_t	 reader;
	int		 reader_started;
	_Atomic int	 stop;
	int64_t		 next_alive;
	char		 last[64];	/* the stream's position */
};

static void	*agents_read(void *);

/* P + name into buf. */
static const char *
agents_key(const struct engine *e, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", e->key_prefix, name);
	return (buf);
}

/*
 * A pulse key: dishrack-pulse:RUN-ID:name, apart from the run's keys so
 * that refreshing their time to live never stretches a pulse's.
 */
static const char *
agents_pulse_key(const struct engine *e, const char *name, char *buf,
    size_t len)
{
	snprintf(buf, len, "dishrack-pulse:%s%s", e->key_prefix + 9, name);
	return (buf);
}

/* One command on the calling thread's connection; 0 or -1. */
static int
agents_cmd(struct engine *e, const char *fmt, ...)
{
	redisContext	*c;
	redisReply	*r;
	va_list		 ap;
	int		 rc;

	if ((c = redis_conn(e->where, NULL)) == NULL)
		return (-1);
	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	if (r == NULL) {
		redis_conn_broken();
		return (-1);
	}
	rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
	freeReplyObject(r);
	return (rc);
}

/* The agent's pulse key, read on the reader's connection. */
static enum roster_pulse
agents_pulse(struct roster *ro, struct roster_agent *a)
{
	struct engine		*e = ro->e;
	redisContext		*c;
	redisReply		*r;
	enum roster_pulse	 p = ROSTER_PULSE_UNKNOWN;
	char			 key[192];

	if ((c = redis_conn(e->where, NULL)) == NULL)
		return (ROSTER_PULSE_UNKNOWN);
	snprintf(key, sizeof key, "dishrack-pulse:%sagent:%s",
	    e->key_prefix + 9, a->id);
	if ((r = redisCommand(c, "EXISTS %s", key)) == NULL) {
		redis_conn_broken();
		return (ROSTER_PULSE_UNKNOWN);
	}
	if (r->type == REDIS_REPLY_INTEGER)
		p = r->integer == 1 ? ROSTER_PULSE_UP : ROSTER_PULSE_DOWN;
	freeReplyObject(r);
	return (p);
}

/* A kill order, which the agent reads with its pulse (agent.c). */
static int
agents_order(struct roster *ro, struct roster_agent *a)
{
	char	key[192];

	snprintf(key, sizeof key, "%skill:%s", ro->e->key_prefix, a->id);
	return (agents_cmd(ro->e, "SET %s 1 PX 60000", key));
}

/* A remote take or put, into the Redis racks' depth. */
static void
agents_note(struct roster *ro, struct wslot *w, int kind)
{
	struct run	*run = ro->e->run;

	if (kind == EV_GET)
		rack_redis_note(run->st[w->station].in, 0, 1);
	else if (kind == EV_PUT)
		rack_redis_note(run->st[w->station].out, 1, 0);
}

/*
 * Gone from its list, so acknowledged: done, or put on (a put is
 * acknowledged at the next take). An agent killed between that and the
 * XADD of its event took only the event with it; read as still held, the
 * dish was counted lost (agents.sh's section 2, now and then, under load).
 */
static int
agents_finished(struct roster *ro, struct wslot *w, dish_t d)
{
	return (rack_redis_held(ro->e->run->st[w->station].in, &w->hand,
	    d) == 0);
}

static const struct roster_ops agents_ops = {
	.pulse = agents_pulse,
	.order = agents_order,
	.note = agents_note,
	.finished = agents_finished,
};

int
agents_publish(struct engine *e, char **cause)
{
	char	 info[128], alive[128];
	sigset_t all, old;

	if (e->where == NULL || e->opts.agent != NULL)
		return (0);
	e->agents = xcalloc(1, sizeof *e->agents);
	roster_init(&e->agents->roster, e, &agents_ops, e->agents,
	    e->where->shown);
	snprintf(e->agents->last, sizeof e->agents->last, "0");
	agents_key(e, "info", info, sizeof info);
	if (agents_cmd(e, "HSET %s version %s state running file %s "
	    "source %s sets %s speed %f", info, PACKAGE_VERSION, e->scn->file,
	    e->scn->source != NULL ? e->scn->source : "",
	    e->scn->sets != NULL ? e->scn->sets : "", e->opts.speed) == -1 ||
	    agents_cmd(e, "SET dishrack:current %s EX 60", e->key_prefix) ==
	    -1 || agents_cmd(e, "SET %s 1 PX %d", agents_pulse_key(e, "alive",
	    alive, sizeof alive), AGENTS_ALIVE_MS) == -1) {
		xasprintf(cause, _("%s: cannot open the run to agents"),
		    e->where->shown);
		return (-1);
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&e->agents->reader, NULL, agents_read, e) == 0)
		e->agents->reader_started = 1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (0);
}

/* Answer an agent: "ok OFFSET SLOT NAME ..." or "error WHY". */
static void
agents_answer(struct engine *e, const char *id, const char *text)
{
	char	key[192];

	snprintf(key, sizeof key, "%sjoin:%s", e->key_prefix, id);
	agents_cmd(e, "SET %s %s EX 60", key, text);
}

/* Take in one agent's request: "ID STATION COUNT HOST". */
static void
agents_join(struct engine *e, const char *req)
{
	struct roster_agent	*a;
	char			 id[64], name[SCN_NAME_MAX], host[32];
	char			*text, *slots, *why;
	unsigned		 count;

	if (sscanf(req, "%63s %31s %u %31s", id, name, &count, host) != 4)
		return;
	a = roster_join(&e->agents->roster, id, name, count, host, &slots,
	    &why);
	if (a != NULL)
		xasprintf(&text, "ok %lld %s", (long long)a->offset, slots);
	else
		xasprintf(&text, "error %s", why);
	agents_answer(e, id, text);
	free(text);
	free(slots);
	free(why);
}

void
agents_tend(struct engine *e)
{
	struct agents	*as = e->agents;
	redisContext	*c;
	redisReply	*r;
	char		 key[128];
	int64_t		 now;

	if (as == NULL)
		return;
	now = clock_mono_ns();
	if (now > as->next_alive) {
		agents_cmd(e, "SET %s 1 PX %d", agents_pulse_key(e, "alive",
		    key, sizeof key), AGENTS_ALIVE_MS);
		agents_cmd(e, "EXPIRE dishrack:current 60");
		as->next_alive = now + NSEC_PER_SEC;
	}
	roster_wait_check(&as->roster);
	if ((c = redis_conn(e->where, NULL)) == NULL)
		return;
	roster_orders(&as->roster);
	agents_key(e, "joins", key, sizeof key);
	while ((r = redisCommand(c, "LPOP %s", key)) != NULL &&
	    r->type == REDIS_REPLY_STRING) {
		agents_join(e, r->str);
		freeReplyObject(r);
	}
	if (r != NULL)
		freeReplyObject(r);
	else
		redis_conn_broken();
}

unsigned
agents_order_kill(struct engine *e, const char *name, unsigned si,
    unsigned *gone, char *known, size_t len)
{
	return (roster_order_kill(e->agents != NULL ? &e->agents->roster :
	    NULL, name, si, gone, known, len));
}

/* A field of a stream entry, as a number. */
static long long
agents_field(const redisReply *kv, const char *name)
{
	size_t	i;

	for (i = 0; i + 1 < kv->elements; i += 2) {
		if (strcmp(kv->element[i]->str, name) == 0)
			return (strtoll(kv->element[i + 1]->str, NULL, 10));
	}
	return (-1);
}

/* The reader: the stream of remote events, and the agents' pulses. */
static void *
agents_read(void *arg)
{
	struct engine	*e = arg;
	struct agents	*as = e->agents;
	redisContext	*c;
	redisReply	*r, *entries, *kv;
	char		 stream[128];
	int64_t		 next_check = 0;
	size_t		 i;

	agents_key(e, "ev", stream, sizeof stream);
	while (!atomic_load(&as->stop)) {
		if ((c = redis_conn(e->where, NULL)) == NULL) {
			clock_sleep_ns(100 * NSEC_PER_MSEC);
			continue;
		}
		r = redisCommand(c, "XREAD COUNT 512 BLOCK 100 STREAMS %s %s",
		    stream, as->last);
		if (r == NULL) {
			redis_conn_broken();
			continue;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
			entries = r->element[0]->element[1];
			for (i = 0; i < entries->elements; i++) {
				kv = entries->element[i]->element[1];
				snprintf(as->last, sizeof as->last, "%s",
				    entries->element[i]->element[0]->str);
				roster_apply(&as->roster, NULL,
				    (unsigned)agents_field(kv, "w"),
				    (int)agents_field(kv, "k"),
				    (dish_t)agents_field(kv, "d"),
				    (int32_t)agents_field(kv, "a"),
				    agents_field(kv, "t"));
			}
		}
		freeReplyObject(r);
		if (clock_mono_ns() < next_check)
			continue;
		next_check = clock_mono_ns() + AGENTS_LOST_CHECK_NS;
		roster_check(&as->roster);
	}
	redis_conn_close();
	return (NULL);
}

void
agents_reap(struct engine *e)
{
	struct agents	*as = e->agents;

	if (as == NULL)
		return;
	roster_wait_workers(&as->roster);
	atomic_store(&as->stop, 1);
	if (as->reader_started)
		pthread_join(as->reader, NULL);
	as->reader_started = 0;
	roster_reap(e->run);
}

void
agents_end(struct engine *e)
{
	char	info[128];

	if (e->agents == NULL)
		return;
	atomic_store(&e->agents->stop, 1);
	if (e->agents->reader_started)
		pthread_join(e->agents->reader, NULL);
	agents_cmd(e, "HSET %s state ended", agents_key(e, "info", info,
	    sizeof info));
	agents_cmd(e, "DEL %s", agents_pulse_key(e, "alive", info,
	    sizeof info));
	/* The server's pointer to the open run, if it is still ours. */
	agents_cmd(e, "EVAL %s 1 dishrack:current %s", "if redis.call('GET', "
	    "KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
	    "return 0", e->key_prefix);
	free(e->agents);
	e->agents = NULL;
}

int
agents_joined(struct engine *e)
{
	return (e->agents != NULL ? (int)atomic_load(&e->agents->roster.n) :
	    0);
}

#else	/* HAVE_HIREDIS */

int
agents_publish(struct engine *e, char **cause)
{
	return (0);
}

void
agents_tend(struct engine *e)
{
}

void
agents_reap(struct engine *e)
{
}

void
agents_end(struct engine *e)
{
}

int
agents_joined(struct engine *e)
{
	return (0);
}

unsigned
agents_order_kill(struct engine *e, const char *name, unsigned si,
    unsigned *gone, char *known, size_t len)
{
	return (0);
}

#endif
