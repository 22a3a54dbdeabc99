/*
 * rack_bcast_redis.c: the broadcast rack's Redis home, the lecture's
 * pub.py and sub.py. The publisher PUBLISHes each message on its topic's
 * channel over its thread's connection; each subscriber has a connection
 * of its own in subscribed mode (SUBSCRIBE, one channel per topic it
 * listens to), as redis-py's pubsub() has. Redis keeps nothing for a
 * subscriber that is not there: a message published before its SUBSCRIBE
 * is gone, which is the lecture's late subscriber.
 *
 * DESIGN: the messages travel through Redis only; the run's arena keeps
 * the books (rack_bcast.h). Each message carries its topic's sequence
 * number, so a subscriber counts what it missed from what it got: a seq
 * at or below its topic's count when it subscribed was in flight then
 * (not missed after all), a gap was dropped on the way. sync = yes is
 * the guide's node coordination over Redis: each subscriber INCRs a key
 * once its SUBSCRIBE is confirmed, and the publisher waits for the count.
 * A subscriber reads with poll(2) on its connection's socket, never with
 * a read timeout (hiredis 0.14 gives a context up after one), so it looks
 * at the rack's end, a stop and its hand's leave every slice.
 */
#include "config.h"

#include "rack_bcast.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "rack_bcast_redis.h"
#include "i18n.h"
#include "redis_link.h"
#include "xmalloc.h"

#define BR_SLICE_MS	20		/* a subscriber's look-around */
#define BR_END_WAIT	(500 * NSEC_PER_MSEC)	/* for the end, once closed */

static int	br_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	br_get(struct rack *, struct hand *, int *, int *);
static void	br_close(struct rack *);
static const char *br_error(struct rack *);

const struct rack_ops rack_bcast_redis = {
	.name = "redis",
	.put = br_put,
	.get = br_get,
	.reclaim = bc_reclaim,
	.task_done = bc_task_done,
	.join = bc_net_join,
	.close = br_close,
	.wake_takers = bc_wake_takers,
	.abort = bc_abort,
	.depth = bc_depth,
	.held = bc_held,
	.max_depth = bc_max_depth,
	.unfinished = bc_unfinished,
	.taken = bc_taken,
	.destroy = bc_destroy,
	.error = br_error,
};

/*
 * A subscriber's connection: one per worker thread (or process), made
 * after fork, freed when it leaves.
 */
static _Thread_local struct {
	redisContext	*c;
	pid_t		 pid;
	const void	*rack;
	unsigned	 gen;		/* the station's topics it has seen */
} br_sub;

/*
 * A worker stopped in the middle of a message never comes back for the
 * next: its thread's end frees its connection.
 */
static pthread_key_t	br_key;
static pthread_once_t	br_once = PTHREAD_ONCE_INIT;

static void
br_thread_end(void *c)
{
	if (c != NULL)
		redisFree(c);
}

static void
br_key_make(void)
{
	pthread_key_create(&br_key, br_thread_end);
}

int
rack_bcast_redis_init(struct rack *base, enum rack_sync sync,
    const struct run_clock *clock, const struct scenario *scn,
    const struct bcast_topics *topics, unsigned nslots,
    const struct redis_where *where, const char *prefix, char **cause)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (rack_bcast_init(base, sync, NULL, clock, scn, topics, nslots,
	    cause) == -1)
		return (-1);
	r->base.ops = &rack_bcast_redis;
	r->net = 1;
	r->where = where;
	snprintf(r->prefix, sizeof r->prefix, "%sbc:", prefix);
	return (0);
}

/* The rack gives up: say why once, and every wait ends. */
static void
br_fail(struct rack_bcast *r, const char *why)
{
	bc_lock(r);
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof r->error,
		    _("broadcast over Redis: %s"), why);
	bc_unlock(r);
	bc_abort(&r->base);
}

static const char *
br_error(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	return (r->error[0] != '\0' ? r->error : NULL);
}

/* A command on the thread's connection; its reply (freed), -1 if none. */
static long long
br_command(struct rack_bcast *r, const char *fmt, const char *a,
    const char *b, size_t blen)
{
	redisContext	*c;
	redisReply	*rep;
	char		*cause = NULL;
	long long	 n = -1;

	if ((c = redis_conn(r->where, &cause)) == NULL) {
		br_fail(r, cause);
		free(cause);
		return (-1);
	}
	if ((rep = redisCommand(c, fmt, a, b, blen)) == NULL) {
		redis_conn_broken();
		br_fail(r, _("the connection broke"));
		return (-1);
	}
	if (rep->type == REDIS_REPLY_INTEGER)
		n = rep->integer;
	else if (rep->type == REDIS_REPLY_STRING)
		n = strtoll(rep->str, NULL, 10);
	else if (rep->type == REDIS_REPLY_NIL)
		n = 0;
	else if (rep->type == REDIS_REPLY_ERROR)
		br_fail(r, rep->str);
	freeReplyObject(rep);
	return (n);
}

/* sync = yes: wait until every subscriber expected has said so. */
static int
br_sync(struct rack_bcast *r, int *blocked)
{
	char		key[96];
	long long	n;

	snprintf(key, sizeof key, "%sready", r->prefix);
	for (;;) {
		if (atomic_load(&r->aborted))
			return (-1);
		if ((n = br_command(r, "GET %s", key, NULL, 0)) < 0)
			return (-1);
		if (n >= (long long)r->expected)
			break;
		*blocked = 1;
		clock_sleep_ns(5 * NSEC_PER_MSEC);
	}
	r->synced = 1;
	return (0);
}

static int
br_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	char			 ch[SCN_TOPIC_MAX + 80], msg[48];
	unsigned		 t;
	uint64_t		 seq;
	long long		 n;
	int			 b = 0;

	if (r->want_sync && !r->synced && br_sync(r, &b) == -1)
		return (-1);
	if (blocked != NULL)
		*blocked = b;
	t = bcast_topic_of(r->topics, d);
	bc_lock(r);
	if (r->closed || atomic_load(&r->aborted)) {
		bc_unlock(r);
		return (-1);
	}
	seq = ++r->per_topic[t];
	bc_net_published(r, d, seq);
	r->published++;
	bc_unlock(r);
	snprintf(ch, sizeof ch, "%s%s", r->prefix, r->topics->name[t]);
	snprintf(msg, sizeof msg, "%u %llu %u", d, (unsigned long long)seq, t);
	/* PUBLISH answers how many subscribers got it. */
	if ((n = br_command(r, "PUBLISH %s %b", ch, msg, strlen(msg))) < 0)
		return (-1);
	bc_lock(r);
	if (n == 0)
		r->to_nobody++;
	r->copies += (uint64_t)n;
	if (hand != NULL)
		atomic_store_explicit(&hand->dish, DISH_NONE,
		    memory_order_relaxed);
	bc_unlock(r);
	return (0);
}

/* Subscribe the connection to topics of mask; wait for each answer. */
static int
br_subscribe(struct rack_bcast *r, const uint64_t *mask, int with_end)
{
	redisReply	*rep;
	unsigned	 t, n = 0, i;
	int		 rc = 0;

	for (t = 0; t < r->topics->n; t++) {
		if (!bcast_has(mask, t))
			continue;
		redisAppendCommand(br_sub.c, "SUBSCRIBE %s%s", r->prefix,
		    r->topics->name[t]);
		n++;
	}
	if (with_end) {
		redisAppendCommand(br_sub.c, "SUBSCRIBE %s!end", r->prefix);
		n++;
	}
	for (i = 0; i < n; i++) {
		if (redisGetReply(br_sub.c, (void **)&rep) != REDIS_OK) {
			rc = -1;
			break;
		}
		if (rep->type != REDIS_REPLY_ARRAY)
			rc = -1;
		freeReplyObject(rep);
	}
	return (rc);
}

/* The subscriber's connection goes, with its subscriptions. */
static void
br_unsubscribe(void)
{
	if (br_sub.c != NULL && br_sub.pid == getpid())
		redisFree(br_sub.c);
	br_sub.c = NULL;
	br_sub.rack = NULL;
	pthread_once(&br_once, br_key_make);
	pthread_setspecific(br_key, NULL);
}

/*
 * The subscriber's connection broke: Redis closes a subscriber whose
 * output buffer passed client-output-buffer-limit pubsub (a slow one).
 * Connect and subscribe again; what was published meanwhile is a gap in
 * the sequence, counted as dropped. 0, or -1 if the server is gone.
 */
static int
br_resubscribe(struct rack_bcast *r, struct bcast_sub *s)
{
	uint64_t	 mask[BCAST_MASK_WORDS];
	char		*cause = NULL;

	if (br_sub.c != NULL)
		redisFree(br_sub.c);
	pthread_setspecific(br_key, NULL);
	if ((br_sub.c = redis_connect_new(r->where, &cause)) == NULL) {
		br_fail(r, cause);
		free(cause);
		return (-1);
	}
	pthread_setspecific(br_key, br_sub.c);
	bc_lock(r);
	memcpy(mask, s->mask, sizeof mask);
	s->reconnects++;
	bc_unlock(r);
	if (br_subscribe(r, mask, 1) == -1) {
		br_fail(r, _("SUBSCRIBE failed"));
		return (-1);
	}
	return (0);
}

/* Connect and subscribe the hand's worker: its first get. */
static struct bcast_sub *
br_join(struct rack_bcast *r, struct hand *hand)
{
	struct bcast_sub	*s;
	uint64_t		 mask[BCAST_MASK_WORDS];
	char			*cause = NULL, key[96];
	unsigned		 station;

	if (hand->who >= r->nslots || (station = r->station_of[hand->who]) == 0)
		return (NULL);
	if (br_sub.c != NULL && br_sub.pid != getpid())
		br_sub.c = NULL;	/* the parent's, copied by fork */
	br_unsubscribe();
	if ((br_sub.c = redis_connect_new(r->where, &cause)) == NULL) {
		br_fail(r, cause);
		free(cause);
		return (NULL);
	}
	br_sub.pid = getpid();
	br_sub.rack = r;
	pthread_once(&br_once, br_key_make);
	pthread_setspecific(br_key, br_sub.c);
	bc_lock(r);
	memcpy(mask, r->st_mask[station], sizeof mask);
	br_sub.gen = atomic_load(&r->st_gen);
	bc_unlock(r);
	if (br_subscribe(r, mask, 1) == -1) {
		br_fail(r, _("SUBSCRIBE failed"));
		br_unsubscribe();
		return (NULL);
	}
	/* Subscribed: what was published so far, it has missed. */
	bc_lock(r);
	s = bc_sub(r, hand, station);
	if (s != NULL)
		memcpy(s->mask, mask, sizeof mask);
	bc_unlock(r);
	if (s == NULL) {
		br_unsubscribe();
		return (NULL);
	}
	snprintf(key, sizeof key, "%sready", r->prefix);
	if (br_command(r, "INCR %s", key, NULL, 0) < 0)
		return (NULL);
	return (s);
}

/* A [script] gave its station more topics: subscribe to them first. */
static void
br_more_topics(struct rack_bcast *r, struct bcast_sub *s)
{
	uint64_t	more[BCAST_MASK_WORDS];
	unsigned	i, t, any = 0;

	if (atomic_load_explicit(&r->st_gen, memory_order_acquire) ==
	    br_sub.gen)
		return;
	bc_lock(r);
	br_sub.gen = atomic_load(&r->st_gen);
	for (i = 0; i < BCAST_MASK_WORDS; i++) {
		more[i] = r->st_mask[s->station][i] & ~s->mask[i];
		any |= more[i] != 0;
	}
	bc_unlock(r);
	if (!any)
		return;
	if (br_subscribe(r, more, 0) == -1) {
		br_fail(r, _("SUBSCRIBE failed"));
		return;
	}
	bc_lock(r);
	for (t = 0; t < r->topics->n; t++) {
		if (!bcast_has(more, t))
			continue;
		s->late += r->per_topic[t];
		s->joined_seq[t] = (uint32_t)r->per_topic[t];
		s->next_seq[t] = s->joined_seq[t] + 1;
		s->mask[t / 64] |= 1ULL << (t % 64);
	}
	bc_unlock(r);
}

/*
 * The next reply on the subscriber's connection, waiting a slice at
 * most: 1 with *rep, 0 if none came, -1 if the connection broke.
 */
static int
br_read(redisReply **rep)
{
	struct pollfd	pfd;
	void		*v = NULL;

	*rep = NULL;
	if (redisReaderGetReply(br_sub.c->reader, &v) != REDIS_OK)
		return (-1);
	if (v != NULL) {
		*rep = v;
		return (1);
	}
	pfd.fd = br_sub.c->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, BR_SLICE_MS) <= 0)
		return (0);
	if (redisBufferRead(br_sub.c) != REDIS_OK)
		return (-1);
	if (redisReaderGetReply(br_sub.c->reader, &v) != REDIS_OK)
		return (-1);
	*rep = v;
	return (v != NULL);
}

static dish_t
br_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s = NULL;
	redisReply		*rep, *ch, *msg;
	unsigned		 d, t;
	unsigned long long	 seq;
	int64_t			 closed_at = 0;
	int16_t			 i;
	int			 rc;

	if (blocked != NULL)
		*blocked = 0;
	if (depth != NULL)
		*depth = 0;
	bc_lock(r);
	if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
		bc_pay(r, hand);
	if (hand->who < r->nslots && (i = r->sub_of[hand->who]) >= 0)
		s = &r->subs[i];
	bc_unlock(r);
	if (s == NULL || br_sub.c == NULL || br_sub.pid != getpid()) {
		if (s != NULL)
			return (DISH_NONE);	/* left already */
		if ((s = br_join(r, hand)) == NULL)
			return (DISH_NONE);
	}
	for (;;) {
		if (atomic_load(&r->aborted))
			break;
		br_more_topics(r, s);
		if ((rc = br_read(&rep)) == -1) {
			if (br_resubscribe(r, s) == -1)
				break;
			continue;
		}
		if (rc == 0) {
			bc_lock(r);
			if ((r->closed || atomic_load_explicit(&hand->leave,
			    memory_order_relaxed)) && closed_at == 0)
				closed_at = clock_mono_ns();
			bc_unlock(r);
			/* Closed: the end is on its way; not for ever. */
			if (closed_at != 0 && (atomic_load_explicit(
			    &hand->leave, memory_order_relaxed) ||
			    clock_mono_ns() - closed_at > BR_END_WAIT))
				break;
			if (blocked != NULL)
				*blocked = 1;
			continue;
		}
		/* ["message", channel, payload] */
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    strcmp(rep->element[0]->str, "message") != 0) {
			freeReplyObject(rep);
			continue;
		}
		ch = rep->element[1];
		msg = rep->element[2];
		if (ch->type == REDIS_REPLY_STRING && ch->len > 4 &&
		    strcmp(ch->str + ch->len - 4, "!end") == 0) {
			freeReplyObject(rep);
			break;
		}
		if (msg->type != REDIS_REPLY_STRING || sscanf(msg->str,
		    "%u %llu %u", &d, &seq, &t) != 3 || t >= r->topics->n) {
			freeReplyObject(rep);
			continue;
		}
		freeReplyObject(rep);
		bc_lock(r);
		bc_net_arrived(s, t, (uint32_t)seq);
		atomic_store_explicit(&hand->dish, d, memory_order_relaxed);
		atomic_store_explicit(&hand->owed, d, memory_order_relaxed);
		atomic_store_explicit(&hand->owes, 1, memory_order_relaxed);
		bc_unlock(r);
		return (d);
	}
	bc_lock(r);
	bc_net_leave(r, s);
	bc_unlock(r);
	br_unsubscribe();
	return (DISH_NONE);
}

/* No more messages: the end goes to every subscriber. */
static void
br_close(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	char			 ch[96];
	int			 was;

	bc_lock(r);
	was = r->closed;
	r->closed = 1;
	bc_wake(r, BC_STATE);
	bc_unlock(r);
	if (was || atomic_load(&r->aborted))
		return;
	snprintf(ch, sizeof ch, "%s!end", r->prefix);
	br_command(r, "PUBLISH %s %b", ch, "end", 3);
}
