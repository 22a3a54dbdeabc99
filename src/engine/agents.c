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
 * died, and marks them lost.
 */
#include "config.h"

#include "engine_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

/* host into known ("laptop-a, laptop-b"), once. */
void
agents_known(char *known, size_t len, const char *host)
{
	size_t	 n = strlen(host), have = strlen(known);
	char	*p;

	for (p = strstr(known, host); p != NULL; p = strstr(p + 1, host)) {
		if ((p == known || p[-1] == ' ') && (p[n] == ',' ||
		    p[n] == '\0'))
			return;
	}
	snprintf(known + have, len - have, "%s%s", have > 0 ? ", " : "",
	    host);
}

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>

#include "bcast.h"
#include "rack_redis.h"
#include "redis_link.h"
#include "xmalloc.h"

#define AGENTS_MAX		16
#define AGENTS_ALIVE_MS		5000	/* P:alive's time to live */
#define AGENTS_LOST_CHECK_NS	NSEC_PER_SEC
/*
 * An agent's first pulse may come after its join is answered (it starts
 * its workers first): until then, as long as a pulse lives (agent.c's
 * AGENT_PULSE_MS), no pulse is not yet a death.
 */
#define AGENTS_FIRST_PULSE_NS	(3 * NSEC_PER_SEC)

struct agent {
	char		 id[64];
	char		 host[32];
	unsigned	 station;
	unsigned	 first;		/* its slots: first .. first + n - 1 */
	unsigned	 n;
	int64_t		 offset;	/* our clock when it joined */
	int64_t		 joined;	/* clock_mono_ns of its join */
	int		 seen;		/* its pulse was read once */
	_Atomic int	 lost;
	_Atomic int	 kill;		/* 1: ordered to die, 2: order sent */
};

struct agents {
	struct agent	 a[AGENTS_MAX];
	_Atomic unsigned n;
	pthread_t	 reader;
	int		 reader_started;
	_Atomic int	 stop;
	int64_t		 next_alive;
	int64_t		 since;		/* when the run opened to agents */
	char		 last[64];	/* the stream's position */
};

#define AGENTS_WAIT_NS		(60 * NSEC_PER_SEC)

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

int
agents_publish(struct engine *e, char **cause)
{
	char	 info[128], alive[128];
	sigset_t all, old;

	if (e->where == NULL || e->opts.agent != NULL)
		return (0);
	e->agents = xcalloc(1, sizeof *e->agents);
	e->agents->since = clock_mono_ns();
	snprintf(e->agents->last, sizeof e->agents->last, "0");
	agents_key(e, "info", info, sizeof info);
	if (agents_cmd(e, "HSET %s version %s state running file %s "
	    "source %s sets %s speed %f", info, PACKAGE_VERSION, e->scn->file,
	    e->scn->source != NULL ? e->scn->source : "",
	    e->scn->sets != NULL ? e->scn->sets : "", e->opts.speed) == -1 ||
	    agents_cmd(e, "SET dishrack:current %s EX 60", e->key_prefix) ==
	    -1 || agents_cmd(e, "SET %s 1 PX %d", agents_pulse_key(e, "alive",
	    alive, sizeof alive), AGENTS_ALIVE_MS) == -1) {
		xasprintf(cause, "%s: cannot open the run to agents",
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
	struct run		*run = e->run;
	struct agents		*as = e->agents;
	struct agent		*a;
	struct run_station	*rs;
	struct wslot		*w;
	struct station		*st;
	char			 id[64], name[SCN_NAME_MAX], host[32];
	char			*text, *more;
	unsigned		 count, i, slot;
	int			 si;

	if (sscanf(req, "%63s %31s %u %31s", id, name, &count, host) != 4)
		return;
	if (atomic_load(&e->ended) || atomic_load(&run->stop)) {
		agents_answer(e, id, "error the run has ended");
		return;
	}
	if ((st = scenario_station(e->scn, name)) == NULL) {
		xasprintf(&text, "error the run has no station '%s'", name);
		agents_answer(e, id, text);
		free(text);
		return;
	}
	si = (int)(st - e->scn->stations);
	if (si == 0) {
		agents_answer(e, id, "error the first station takes its dishes "
		    "from the pile, which stays with the run: agents run the "
		    "stations after it");
		return;
	}
	pthread_mutex_lock(&e->ctl);
	if (atomic_load(&as->n) == AGENTS_MAX || count == 0 ||
	    count > ENGINE_AGENT_MAX ||
	    atomic_load(&run->used) + count > run->nslots) {
		pthread_mutex_unlock(&e->ctl);
		xasprintf(&text, "error no room for %u more workers (at most "
		    "%d agents of %d workers, %u workers in all)", count,
		    AGENTS_MAX, ENGINE_AGENT_MAX, run->nslots);
		agents_answer(e, id, text);
		free(text);
		return;
	}
	a = &as->a[atomic_load(&as->n)];
	snprintf(a->id, sizeof a->id, "%s", id);
	snprintf(a->host, sizeof a->host, "%s", host);
	a->station = (unsigned)si;
	a->first = atomic_load(&run->used);
	a->n = count;
	a->offset = run_now(run);
	a->joined = clock_mono_ns();
	a->seen = 0;
	rs = &run->st[si];
	xasprintf(&text, "ok %lld", (long long)a->offset);
	for (i = 0; i < count; i++) {
		slot = a->first + i;
		w = &run->slots[slot];
		w->station = (unsigned)si;
		w->index = ++rs->next_index;
		snprintf(w->name, sizeof w->name, "%s-%u", st->name, w->index);
		snprintf(w->host, sizeof w->host, "%s", host);
		w->remote = (int)atomic_load(&as->n) + 1;
		atomic_store(&w->hand.dish, DISH_NONE);
		atomic_store(&w->hand.owed, DISH_NONE);
		w->hand.who = slot;
		atomic_store(&w->waiting_lock, -1);
		atomic_store(&w->state, WS_STARTING);
		atomic_store(&w->since, a->offset);
		atomic_fetch_add(&rs->live, 1);
		xasprintf(&more, "%s %u %s", text, slot, w->name);
		free(text);
		text = more;
	}
	atomic_store(&run->used, a->first + count);
	atomic_fetch_add(&as->n, 1);
	st->count += count;
	pthread_mutex_unlock(&e->ctl);
	agents_answer(e, id, text);
	free(text);
}

/* A station that waits for agents waits a minute at most. */
static void
agents_wait_check(struct engine *e)
{
	struct agents	*as = e->agents;
	unsigned	 i, k;
	char		*why;

	if (clock_mono_ns() - as->since < AGENTS_WAIT_NS)
		return;
	for (i = 1; i < e->scn->nstations; i++) {
		if (!e->scn->stations[i].agents_only)
			continue;
		for (k = 0; k < atomic_load(&as->n); k++)
			if (as->a[k].station == i)
				break;
		if (k < atomic_load(&as->n))
			continue;
		xasprintf(&why, "no agent joined within 60 s to run [%s]: start "
		    "one with dishrack agent %s --station %s", e->scn->stations[
		    i].name, e->where->shown, e->scn->stations[i].name);
		engine_fail(e, why);
		engine_stop(e);
		return;
	}
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
	agents_wait_check(e);
	if ((c = redis_conn(e->where, NULL)) == NULL)
		return;
	/* Kill orders, which the agent reads with its pulse (agent.c). */
	for (unsigned k = 0; k < atomic_load(&as->n); k++) {
		if (atomic_load(&as->a[k].kill) != 1)
			continue;
		snprintf(key, sizeof key, "%skill:%s", e->key_prefix,
		    as->a[k].id);
		if (agents_cmd(e, "SET %s 1 PX 60000", key) == 0)
			atomic_store(&as->a[k].kill, 2);
	}
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
	struct agents	*as = e->agents;
	struct agent	*a;
	unsigned	 k, asked = 0;

	if (as == NULL)
		return (0);
	for (k = 0; k < atomic_load(&as->n); k++) {
		a = &as->a[k];
		if (name != NULL)
			agents_known(known, len, a->host);
		if (name != NULL ? strcmp(a->host, name) != 0 &&
		    strcmp(a->id, name) != 0 : a->station != si)
			continue;
		if (name == NULL && !atomic_load(&a->lost))
			agents_known(known, len, a->host);
		if (atomic_load(&a->lost)) {
			(*gone)++;
			continue;
		}
		if (atomic_load(&a->kill) == 0)
			atomic_store(&a->kill, 1);
		asked++;
	}
	return (asked);
}

/* The agent of a slot, or NULL. */
static struct agent *
agents_of(struct engine *e, const struct wslot *w)
{
	if (w->remote <= 0 || (unsigned)w->remote > atomic_load(&e->agents->n))
		return (NULL);
	return (&e->agents->a[w->remote - 1]);
}

/* What the remote worker did, into its slot: ring, hand, state. */
static void
agents_apply(struct engine *e, unsigned slot, int kind, dish_t d,
    int32_t arg, int64_t t)
{
	struct run	*run = e->run;
	struct wslot	*w;
	struct agent	*a;
	int		 bcast;

	if (slot >= atomic_load(&run->used))
		return;
	w = &run->slots[slot];
	if ((a = agents_of(e, w)) == NULL || a->lost ||
	    atomic_load(&w->state) == WS_EXITED)
		return;
	t += a->offset;
	/* A subscriber's: the run's broadcast books count it. */
	bcast = rack_is_broadcast(run->st[w->station].in);
	if (bcast)
		rack_bcast_remote(run->st[w->station].in, slot, w->station,
		    kind, d);
	switch (kind) {
	case EV_SPAWN:
		atomic_store(&w->pid, arg);
		break;
	case EV_WAIT_GET:
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_GET:
		atomic_store(&w->hand.dish, d);
		if (bcast)
			break;	/* its copy is paid by its EV_DONE */
		atomic_store(&w->hand.owed, d);
		atomic_store(&w->hand.owes, 1);
		rack_redis_note(run->st[w->station].in, 0, 1);
		break;
	case EV_WORK:
		atomic_store(&w->work_end, t + (int64_t)arg * NSEC_PER_MSEC);
		atomic_store(&w->state, WS_WORKING);
		break;
	case EV_WAIT_PUT:
		atomic_store(&w->state, WS_WAIT_PUT);
		break;
	case EV_PUT:
		rack_redis_note(run->st[w->station].out, 1, 0);
		/* FALLTHROUGH */
	case EV_DONE:
		atomic_store(&w->hand.dish, DISH_NONE);
		atomic_fetch_add(&w->dishes, 1);
		atomic_store(&w->state, WS_WAIT_GET);
		break;
	case EV_EXIT:
		/* Stopped with a dish in hand: it goes back for the others. */
		if (atomic_load(&w->hand.dish) != DISH_NONE)
			rack_reclaim(run->st[w->station].in, &w->hand);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		break;
	}
	atomic_store(&w->since, t);
	ev_ring_put(w->ring, t, (enum ev_kind)kind, d, arg);
}

/* An agent stopped answering: its dishes go back, its workers are lost. */
static void
agents_lose(struct engine *e, struct agent *a)
{
	struct run	*run = e->run;
	struct wslot	*w;
	dish_t		 d;
	unsigned	 i;

	a->lost = 1;
	for (i = a->first; i < a->first + a->n; i++) {
		w = &run->slots[i];
		if (atomic_load(&w->state) == WS_EXITED)
			continue;
		d = atomic_load(&w->hand.dish);
		if (rack_reclaim(run->st[w->station].in, &w->hand) != 1)
			d = DISH_NONE;
		atomic_store(&w->died, 1);
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&run->st[w->station].live, 1);
		ev_ring_put(w->ring, run_now(run), EV_EXIT, d, EXIT_DIED);
	}
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
	char		 stream[128], key[192];
	int64_t		 next_check = 0;
	size_t		 i;
	unsigned	 k;

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
				agents_apply(e, (unsigned)agents_field(kv, "w"),
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
		for (k = 0; k < atomic_load(&as->n); k++) {
			if (as->a[k].lost)
				continue;
			snprintf(key, sizeof key, "dishrack-pulse:%sagent:%s",
			    e->key_prefix + 9, as->a[k].id);
			r = redisCommand(c, "EXISTS %s", key);
			if (r != NULL && r->type == REDIS_REPLY_INTEGER &&
			    r->integer == 1)
				as->a[k].seen = 1;
			else if (r != NULL && r->type == REDIS_REPLY_INTEGER &&
			    (as->a[k].seen || clock_mono_ns() -
			    as->a[k].joined > AGENTS_FIRST_PULSE_NS))
				agents_lose(e, &as->a[k]);
			if (r != NULL)
				freeReplyObject(r);
		}
	}
	redis_conn_close();
	return (NULL);
}

void
agents_reap(struct engine *e)
{
	struct run	*run = e->run;
	struct agents	*as = e->agents;
	int64_t		 deadline;
	unsigned	 i, k, left;

	if (as == NULL)
		return;
	/* Their racks are closed: they leave within a slice, or are lost. */
	deadline = clock_mono_ns() + 10 * NSEC_PER_SEC;
	do {
		left = 0;
		for (k = 0; k < atomic_load(&as->n); k++) {
			for (i = as->a[k].first; i < as->a[k].first +
			    as->a[k].n; i++)
				left += atomic_load(&run->slots[i].state) !=
				    WS_EXITED;
		}
		if (left > 0)
			clock_sleep_ns(20 * NSEC_PER_MSEC);
	} while (left > 0 && clock_mono_ns() < deadline);
	atomic_store(&as->stop, 1);
	if (as->reader_started)
		pthread_join(as->reader, NULL);
	as->reader_started = 0;
	for (i = 0; i < atomic_load(&run->used); i++) {
		if (run->slots[i].remote && atomic_load(&run->slots[i].state) !=
		    WS_EXITED) {
			atomic_store(&run->slots[i].state, WS_EXITED);
			atomic_store(&run->slots[i].died, 1);
		}
	}
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
	return (e->agents != NULL ? (int)atomic_load(&e->agents->n) : 0);
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
