/*
 * rack_zmq.c: a rack over ZeroMQ (libzmq 4.3, no draft API).
 *
 * DESIGN (doc/zmq.md argues it): every rack has a keeper, a thread of the
 * run's own process, which binds the rack's sockets; every worker thread
 * or process connects sockets of its own (a ZeroMQ socket is one thread's)
 * from a context made after fork. The rack in the arena holds only what
 * every process may read: endpoints, flags and counts.
 *
 * Reliable (the default) is credit-based ROUTER/DEALER, in the spirit of
 * the guide's load-balancing broker and Paranoid Pirate: a taker asks for
 * one dish (a credit of one, so a slow taker never holds more than the
 * dish it works on), and its next request carries the acknowledgement of
 * the last (the task_done a local rack pays inside the next get). The
 * keeper keeps each taker's dish until it is acknowledged; a taker that
 * died (rack_reclaim, from whoever saw it die) has it sent again, first.
 * A put is a request the keeper answers once the dish is in (capacity:
 * the answer waits for room; a hand-off's, until a taker has it), so a
 * dish is always in the keeper or in a hand, as with local racks. Dish
 * ids make a second put or acknowledgement of a dish a duplicate, counted
 * and dropped: nothing is finished twice.
 *
 * Plain (reliable = no) is the guide's pipeline: putters PUSH, takers
 * PULL, through the keeper (PULL in, PUSH out: the guide's streamer),
 * capacity as high-water marks. What that hides is counted: dishes in
 * flight are sent - received, from both ends; a taker that dies loses its
 * dish and the ones ZeroMQ had queued for it (written off once every live
 * taker waits on an empty socket); the end comes as a control broadcast
 * (PUB/SUB), or as the lecture's quit sentinels, which PUSH deals round
 * the takers blindly: a taker no quit reached is shown stuck, then ended
 * by the broadcast, the guide's fix.
 */
#include "config.h"

#include "rack_zmq.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "clock.h"
#include "event.h"
#include "i18n.h"
#include "xmalloc.h"

#define ZR_SLICE_MS	50	/* a waiter looks at its flags this often */
#define ZR_KEEPER_MS	20
#define ZR_ID_MAX	32	/* a ROUTER's routing id */
#define ZR_QUIET_NS	(300 * NSEC_PER_MSEC)
#define ZR_STUCK_NS	(1000 * NSEC_PER_MSEC)
#define ZR_BITMAP_MAX	((uint64_t)1 << 27)	/* dish ids tracked */
#define ZR_BATCH_MAX	256	/* dishes one answer carries */
#define ZR_FAST_NS	NSEC_PER_MSEC	/* a batch back sooner: a fast taker */
#define ZR_BURST_MIN	16	/* quick puts in a row before they pipeline */
#define ZR_BURST_NS	(200 * 1000)	/* quick: this soon after the last */
#define ZR_ASK_EVERY	128	/* a pipelined put in this many is answered */
#define ZR_ASKS_OUT	8	/* answers owed before a put waits for one */
#define ZR_INBOUND_MAX	256	/* slots whose puts may pipeline */
#define ZR_REG_MAX	64	/* racks of this process that know the next */

enum zr_type {
	ZR_PUT = 1,	/* who, dish -> PUTOK (arg: depth; flags: waited) */
	ZR_GET,		/* who, dish: the ack paid (or DISH_NONE) -> DISH, END, NONE */
	ZR_CANCEL,	/* who: give up its GET -> NONE, if still waiting */
	ZR_ACK,		/* who, dish -> OK */
	ZR_RECLAIM,	/* who, dish: the one it let go, or none -> OK (arg) */
	ZR_CLOSE,	/* -> OK */
	ZR_QUITS,	/* plain: arg quits down the PUSH -> OK */
	ZR_END_ALL,	/* plain: the control broadcast -> OK */
	ZR_ASKED,	/* dish: acknowledged yet? -> OK (arg: 1 or 0) */
	ZR_SYNC,	/* -> OK: every request before it is in */
	ZR_RETURN,	/* who, dishes: fetched and not started -> OK */
	ZR_PUTOK,
	ZR_DISH,
	ZR_END,
	ZR_NONE,
	ZR_OK
};

#define ZR_WAITED	0x01
#define ZR_NOREPLY	0x02	/* a pipelined put: answer nothing */
#define ZR_HELD		0x04	/* a reclaim's dish is in the hand, not let go */
#define ZR_COUNTED	0x08	/* the put is in inbound[who] */

struct zr_msg {
	uint8_t		type;
	uint8_t		flags;
	uint16_t	pad;
	uint32_t	who;
	uint32_t	dish;
	int32_t		arg;
};

/* A batch: the first dish in m.dish, the rest after; or a RETURN's list. */
struct zr_wire {
	struct zr_msg	m;
	dish_t		more[ZR_BATCH_MAX - 1];
};

/* Roles of a thread's sockets (zl_thread_get). */
enum { ZR_ROLE_DEALER, ZR_ROLE_PUSH, ZR_ROLE_PULL, ZR_ROLE_SUB };

struct zr_keeper;

struct rack_zmq {
	struct rack		 base;
	unsigned		 index;
	uint32_t		 capacity;
	int			 reliable;
	enum zr_quit		 quit;
	unsigned		 nslots;
	unsigned		 nquits;	/* the takers the scenario names */
	uint64_t		 ndishes;
	_Atomic unsigned	*takers;
	char			 ep_hub[ZL_EP_MAX];
	char			 ep_in[ZL_EP_MAX];
	char			 ep_out[ZL_EP_MAX];
	char			 ep_ctl[ZL_EP_MAX];

	_Atomic int		 closed;
	_Atomic int		 ended;		/* takers may leave on an empty rack */
	_Atomic int		 aborted;
	_Atomic int		 failed;
	_Atomic int		 quits_sent;
	_Atomic uint64_t	 sent;
	_Atomic uint64_t	 received;	/* net of dishes sent again */
	_Atomic int64_t		 unfinished;
	_Atomic uint64_t	 lost;
	_Atomic uint64_t	 written_off;	/* lost before a taker had them */
	_Atomic uint64_t	 resent;
	_Atomic uint64_t	 duplicates;
	_Atomic uint64_t	 deaths;
	_Atomic uint32_t	 depth;		/* reliable: the keeper's queue */
	unsigned		 serial;	/* which rack, for a thread's state */
	const struct zl_where	*where;		/* its run's, in the run's process */
	int			 remote;	/* an agent's copy */
	/*
	 * Pipelined puts sent by each slot and not yet in the keeper: join
	 * waits for them. Zeroed when the slot dies (what it sent last may
	 * never come; what does come is not counted below zero).
	 */
	_Atomic int32_t		 inbound[ZR_INBOUND_MAX];
	_Atomic uint32_t	 max_depth;
	_Atomic unsigned	 waiting;	/* takers waiting for a dish */
	_Atomic uint64_t	 waiting_who[4];	/* slots < 256, a bit each */
	_Atomic unsigned	 links, connects, disconnects;
	_Atomic unsigned	 stuck;
	_Atomic unsigned	 named;
	uint32_t		 stuck_who[8];
	uint64_t		 quiet_seen;	/* the conductor's, at join */
	int64_t			 quiet_since;
	char			 error[256];

	struct zr_keeper	*k;		/* the run's process only */
};

/* A dish in the keeper, and the putter to answer once a taker has it. */
struct zr_item {
	dish_t		 dish;
	uint8_t		 idlen;		/* 0: nobody to answer */
	uint8_t		 id[ZR_ID_MAX];
};

struct zr_req {
	uint32_t	 who;
	dish_t		 dish;
	uint8_t		 waited;	/* a get that found the rack empty */
	uint8_t		 idlen;
	uint8_t		 id[ZR_ID_MAX];
};

struct zr_fifo {
	void		*v;
	size_t		 size;		/* of an element */
	size_t		 head, n, room;
};

/*
 * A taker as the keeper sees it: the dishes sent to it and not yet
 * acknowledged, in the order sent (it works them in that order, so the
 * dish in its hand tells which of them it had finished), and its credit.
 */
struct zr_slot {
	struct zr_fifo	 out;		/* dish_t */
	unsigned	 window;	/* dishes its next batch may carry */
	unsigned	 last_n;	/* its last batch's */
	int64_t		 sent_at;	/* when that went, or 0 */
	int		 dead;		/* reclaimed: a late request is stale */
};

struct zr_keeper {
	struct rack_zmq	*r;
	pthread_t	 thread;
	_Atomic int	 stop;
	int		 started;
	void		*router;
	void		*pull, *push, *pub;	/* plain */
	void		*mon[3];
	unsigned	 nmon;
	char		*cause;			/* a bind that failed */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 ready;

	struct zr_fifo	 queue;		/* struct zr_item */
	struct zr_fifo	 puts;		/* struct zr_req: waiting for room */
	struct zr_fifo	 gets;		/* struct zr_req: waiting for a dish */
	struct zr_slot	*slots;		/* per taker: what it was sent */
	_Atomic uint8_t	*put_seen, *acked;	/* bitmaps by dish id */
	unsigned	 quits;		/* plain: still to send */
	int		 held;		/* plain: a message taken, not sent */
	zmq_msg_t	 msg;
};

static int	zr_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	zr_get(struct rack *, struct hand *, int *, int *);
static int	zr_reclaim(struct rack *, struct hand *);
static int	zr_task_done(struct rack *, struct hand *);
static int	zr_join(struct rack *, int64_t);
static void	zr_close(struct rack *);
static void	zr_wake_takers(struct rack *);
static void	zr_abort(struct rack *);
static uint32_t	zr_depth(const struct rack *);
static uint32_t	zr_held(struct rack *);
static uint32_t	zr_max_depth(struct rack *);
static uint64_t	zr_unfinished(struct rack *);
static uint64_t	zr_taken(struct rack *);
static void	zr_destroy(struct rack *);
static const char *zr_error(struct rack *);
static void	zr_flush(struct rack *);

const struct rack_ops rack_zmq = {
	.name = "zmq",
	.put = zr_put,
	.get = zr_get,
	.reclaim = zr_reclaim,
	.task_done = zr_task_done,
	.join = zr_join,
	.close = zr_close,
	.wake_takers = zr_wake_takers,
	.abort = zr_abort,
	.depth = zr_depth,
	.held = zr_held,
	.max_depth = zr_max_depth,
	.unfinished = zr_unfinished,
	.taken = zr_taken,
	.destroy = zr_destroy,
	.error = zr_error,
	.flush = zr_flush,
};

size_t
rack_zmq_size(void)
{
	return (sizeof(struct rack_zmq));
}

/* --- Small pieces -------------------------------------------------------- */

static void
zr_fail(struct rack_zmq *r, const char *cause)
{
	int	expected = 0;

	if (atomic_compare_exchange_strong(&r->failed, &expected, 1))
		snprintf(r->error, sizeof r->error, "%s", cause);
	atomic_store(&r->aborted, 1);
}

static void
zr_fifo_init(struct zr_fifo *f, size_t size)
{
	memset(f, 0, sizeof *f);
	f->size = size;
}

static void *
zr_fifo_at(struct zr_fifo *f, size_t i)
{
	return ((char *)f->v + ((f->head + i) % f->room) * f->size);
}

static void
zr_fifo_grow(struct zr_fifo *f)
{
	void	*v;
	size_t	 i, room = f->room == 0 ? 64 : f->room * 2;

	v = xreallocarray(NULL, room, f->size);
	for (i = 0; i < f->n; i++)
		memcpy((char *)v + i * f->size, zr_fifo_at(f, i), f->size);
	free(f->v);
	f->v = v;
	f->room = room;
	f->head = 0;
}

static void
zr_fifo_push(struct zr_fifo *f, const void *e, int front)
{
	if (f->n == f->room)
		zr_fifo_grow(f);
	if (front) {
		f->head = (f->head + f->room - 1) % f->room;
		memcpy(zr_fifo_at(f, 0), e, f->size);
	} else
		memcpy(zr_fifo_at(f, f->n), e, f->size);
	f->n++;
}

static int
zr_fifo_pop(struct zr_fifo *f, void *e)
{
	if (f->n == 0)
		return (0);
	memcpy(e, zr_fifo_at(f, 0), f->size);
	f->head = (f->head + 1) % f->room;
	f->n--;
	return (1);
}

/* Remove element i, keeping the order of the rest. */
static void
zr_fifo_remove(struct zr_fifo *f, size_t i)
{
	for (; i + 1 < f->n; i++)
		memcpy(zr_fifo_at(f, i), zr_fifo_at(f, i + 1), f->size);
	f->n--;
}

/* Atomic bytes: the keeper of the rack before reads put_seen too. */
static int
zr_bit(_Atomic uint8_t *map, uint64_t ndishes, dish_t d, int set)
{
	uint8_t	bit = (uint8_t)(1u << (d % 8)), was;

	if (map == NULL || d >= ndishes)
		return (0);
	if (set)
		was = atomic_fetch_or_explicit(&map[d / 8], bit,
		    memory_order_relaxed);
	else
		was = atomic_load_explicit(&map[d / 8], memory_order_relaxed);
	return ((was & bit) != 0);
}

/*
 * The racks of this process, by run (where their sockets are) and index,
 * so a keeper can ask the next rack of its line whether a dish a dead
 * taker had let go is really there (a pipelined put may have died with
 * the process that sent it).
 */
static pthread_mutex_t	 zr_reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct rack_zmq	*zr_reg[ZR_REG_MAX];
static _Atomic unsigned	 zr_serials;

static void
zr_register(struct rack_zmq *r, int on)
{
	unsigned	i;

	pthread_mutex_lock(&zr_reg_mu);
	for (i = 0; i < ZR_REG_MAX; i++) {
		if (on && zr_reg[i] == NULL) {
			zr_reg[i] = r;
			break;
		}
		if (!on && zr_reg[i] == r)
			zr_reg[i] = NULL;
	}
	pthread_mutex_unlock(&zr_reg_mu);
}

/* The rack after r in its line, if this process has it; zr_reg_mu held. */
static struct rack_zmq *
zr_next(const struct rack_zmq *r)
{
	unsigned	i;

	for (i = 0; i < ZR_REG_MAX; i++) {
		if (zr_reg[i] != NULL && zr_reg[i]->where == r->where &&
		    zr_reg[i]->index == r->index + 1)
			return (zr_reg[i]);
	}
	return (NULL);
}

/*
 * Did d land in the rack after r? 1 if it did, or if no rack of this
 * process can say (the last station's dish is done, not put).
 */
static int
zr_landed(const struct rack_zmq *r, dish_t d)
{
	struct rack_zmq	*next;
	int		 yes = 1;

	pthread_mutex_lock(&zr_reg_mu);
	next = zr_next(r);
	if (next != NULL && next->reliable && next->k != NULL &&
	    next->k->put_seen != NULL)
		yes = zr_bit(next->k->put_seen, next->ndishes, d, 0);
	pthread_mutex_unlock(&zr_reg_mu);
	return (yes);
}

/* A slot died: its pipelined puts into the next rack will never come. */
static void
zr_forget_inbound(const struct rack_zmq *r, uint32_t who)
{
	struct rack_zmq	*next;

	if (who >= ZR_INBOUND_MAX || r->k == NULL)
		return;
	pthread_mutex_lock(&zr_reg_mu);
	next = zr_next(r);
	if (next != NULL)
		atomic_store(&next->inbound[who], 0);
	pthread_mutex_unlock(&zr_reg_mu);
}

static void
zr_max(struct rack_zmq *r, uint32_t depth)
{
	uint32_t	m = atomic_load(&r->max_depth);

	while (depth > m && !atomic_compare_exchange_weak(&r->max_depth, &m,
	    depth))
		;
}

static void
zr_hand_set(struct hand *hand, dish_t d, int owes)
{
	if (hand == NULL)
		return;
	/*
	 * The dish first: whoever finds the worker dead between the two
	 * sees it held (the owed one still the last), never a dish let go
	 * that it had not started.
	 */
	atomic_store_explicit(&hand->dish, d, memory_order_relaxed);
	if (d != DISH_NONE)
		atomic_store_explicit(&hand->owed, d, memory_order_release);
	atomic_store_explicit(&hand->owes, owes, memory_order_release);
}

static void
zr_waiting(struct rack_zmq *r, const struct hand *hand, int on)
{
	uint32_t	who = hand != NULL ? hand->who : 0;
	uint64_t	bit = (uint64_t)1 << (who % 64);

	if (on) {
		if (hand != NULL && who < 256)
			atomic_fetch_or(&r->waiting_who[who / 64], bit);
		atomic_fetch_add(&r->waiting, 1);
	} else {
		atomic_fetch_sub(&r->waiting, 1);
		if (hand != NULL && who < 256)
			atomic_fetch_and(&r->waiting_who[who / 64], ~bit);
	}
}

/* --- The keeper: the run's side ------------------------------------------ */

/* Answer a peer: [id][msg], with more dishes after it (a batch). */
static void
zr_answer_n(struct zr_keeper *k, const uint8_t *id, size_t idlen,
    const struct zr_wire *w, unsigned n)
{
	size_t	len = sizeof w->m + (n > 1 ? (n - 1) * sizeof(dish_t) : 0);

	if (zmq_send(k->router, id, idlen, ZMQ_SNDMORE | ZMQ_DONTWAIT) == -1)
		return;		/* the peer is gone: its socket's pipe with it */
	zmq_send(k->router, w, len, ZMQ_DONTWAIT);
}

static void
zr_answer(struct zr_keeper *k, const uint8_t *id, size_t idlen, int type,
    uint32_t dish, int32_t arg, int flags)
{
	struct zr_wire	w;

	memset(&w.m, 0, sizeof w.m);
	w.m.type = (uint8_t)type;
	w.m.flags = (uint8_t)flags;
	w.m.dish = dish;
	w.m.arg = arg;
	zr_answer_n(k, id, idlen, &w, 1);
}

static uint32_t
zr_queue_depth(const struct zr_keeper *k)
{
	return ((uint32_t)k->queue.n);
}

/* Room for one more dish by capacity (a hand-off takes any number). */
static int
zr_room(const struct zr_keeper *k)
{
	const struct rack_zmq	*r = k->r;

	return (r->capacity == RACK_UNBOUNDED || r->capacity == 0 ||
	    k->queue.n < r->capacity);
}

static struct zr_slot *
zr_slot(struct zr_keeper *k, uint32_t who)
{
	return (who < k->r->nslots ? &k->slots[who] : NULL);
}

/* Take a put in: into the queue, or (no room) to wait. */
static void
zr_accept_put(struct zr_keeper *k, const struct zr_req *q, int waited,
    int reply)
{
	struct rack_zmq	*r = k->r;
	struct zr_item	 it;

	it.dish = q->dish;
	it.idlen = 0;
	if (r->capacity == 0) {
		/* A hand-off's put is answered when a taker has the dish. */
		it.idlen = q->idlen;
		memcpy(it.id, q->id, q->idlen);
	}
	zr_fifo_push(&k->queue, &it, 0);
	atomic_fetch_add(&r->unfinished, 1);
	atomic_fetch_add(&r->sent, 1);
	atomic_store(&r->depth, r->capacity == 0 ? 0 : zr_queue_depth(k));
	zr_max(r, atomic_load(&r->depth));
	if (r->capacity != 0 && reply)
		zr_answer(k, q->id, q->idlen, ZR_PUTOK, q->dish,
		    (int32_t)zr_queue_depth(k), waited ? ZR_WAITED : 0);
}

/*
 * How many dishes who's next batch may carry. A credit of one, as a slow
 * taker must never hold more than the dish it works on; doubled each time
 * a taker is back for more within ZR_FAST_NS of its last batch (it works
 * in microseconds, and a round trip a dish is what holds it back), halved
 * when it is not. So what a taker holds ahead is about a millisecond of
 * its work, whatever its speed. A rack with a capacity keeps one: its
 * dishes are in the rack or in a hand, as a local rack's are.
 */
static void
zr_credit(struct zr_keeper *k, struct zr_slot *sl)
{
	int64_t	now;

	if (sl == NULL)
		return;
	if (sl->window == 0)
		sl->window = 1;
	if (k->r->capacity != RACK_UNBOUNDED || sl->sent_at == 0)
		return;
	now = clock_mono_ns();
	if (now - sl->sent_at < ZR_FAST_NS) {
		if (sl->last_n >= sl->window && sl->window < ZR_BATCH_MAX)
			sl->window *= 2;
	} else if (sl->window > 1)
		sl->window /= 2;
	sl->sent_at = 0;
}

/* Match waiting takers with dishes, then waiting puts with room. */
static void
zr_dispatch(struct zr_keeper *k)
{
	struct rack_zmq	*r = k->r;
	struct zr_slot	*sl;
	struct zr_item	 it;
	struct zr_req	 g, p;
	struct zr_wire	 w;
	unsigned	 n, i, share;

	while (k->gets.n > 0 && k->queue.n > 0) {
		/* Its share of what is there, so the others get some too. */
		share = (unsigned)((k->queue.n + k->gets.n - 1) / k->gets.n);
		zr_fifo_pop(&k->gets, &g);
		sl = zr_slot(k, g.who);
		n = sl != NULL ? sl->window : 1;
		if (n > share)
			n = share;
		memset(&w.m, 0, sizeof w.m);
		w.m.type = ZR_DISH;
		w.m.flags = g.waited ? ZR_WAITED : 0;
		for (i = 0; i < n && zr_fifo_pop(&k->queue, &it); i++) {
			if (i == 0)
				w.m.dish = it.dish;
			else
				w.more[i - 1] = it.dish;
			if (sl != NULL)
				zr_fifo_push(&sl->out, &it.dish, 0);
			if (it.idlen > 0)
				zr_answer(k, it.id, it.idlen, ZR_PUTOK,
				    it.dish, 0, ZR_WAITED);
		}
		n = i;
		if (sl != NULL) {
			sl->last_n = n;
			sl->sent_at = r->capacity == RACK_UNBOUNDED ?
			    clock_mono_ns() : 0;
		}
		atomic_fetch_add(&r->received, n);
		atomic_store(&r->depth, r->capacity == 0 ? 0 :
		    zr_queue_depth(k));
		w.m.arg = (int32_t)atomic_load(&r->depth);
		zr_answer_n(k, g.id, g.idlen, &w, n);
	}
	while (k->puts.n > 0 && zr_room(k)) {
		zr_fifo_pop(&k->puts, &p);
		zr_accept_put(k, &p, 1, 1);
	}
	if (atomic_load(&r->closed) && k->queue.n == 0) {
		/* Closed and empty: every taker waiting sees the end. */
		while (zr_fifo_pop(&k->gets, &g))
			zr_answer(k, g.id, g.idlen, ZR_END, DISH_NONE, 0, 0);
	}
}

/* One dish done: once; a second acknowledgement is a duplicate. */
static int
zr_ack1(struct zr_keeper *k, dish_t d)
{
	struct rack_zmq	*r = k->r;

	if (k->acked != NULL && zr_bit(k->acked, r->ndishes, d, 1)) {
		atomic_fetch_add(&r->duplicates, 1);
		return (0);
	}
	atomic_fetch_sub(&r->unfinished, 1);
	return (1);
}

/* Where d is among what who was sent, or -1. */
static ssize_t
zr_slot_find(struct zr_slot *sl, dish_t d)
{
	size_t	i;

	for (i = 0; sl != NULL && i < sl->out.n; i++) {
		if (*(dish_t *)zr_fifo_at(&sl->out, i) == d)
			return ((ssize_t)i);
	}
	return (-1);
}

/*
 * who acknowledges d, and with it every dish sent to it before d (it
 * works them in order). A dish it was never sent is acknowledged alone.
 * Returns the dishes done now.
 */
static int
zr_ack(struct zr_keeper *k, uint32_t who, dish_t d)
{
	struct zr_slot	*sl = zr_slot(k, who);
	ssize_t		 at;
	dish_t		 e;
	int		 n = 0;

	if (d == DISH_NONE)
		return (0);
	if ((at = zr_slot_find(sl, d)) < 0)
		return (zr_ack1(k, d));
	while (at-- >= 0 && zr_fifo_pop(&sl->out, &e))
		n += zr_ack1(k, e);
	return (n);
}

/* Forget who's waiting get, if any; 1 if there was one. */
static int
zr_drop_get(struct zr_keeper *k, uint32_t who, struct zr_req *out)
{
	size_t		 i;
	struct zr_req	*g;

	for (i = 0; i < k->gets.n; i++) {
		g = zr_fifo_at(&k->gets, i);
		if (g->who != who)
			continue;
		if (out != NULL)
			*out = *g;
		zr_fifo_remove(&k->gets, i);
		return (1);
	}
	return (0);
}

/* Dishes back to the front of the queue, in their order. */
static void
zr_put_back(struct zr_keeper *k, const dish_t *d, size_t n, int resent)
{
	struct rack_zmq	*r = k->r;
	struct zr_item	 it;

	it.idlen = 0;
	while (n-- > 0) {
		it.dish = d[n];
		zr_fifo_push(&k->queue, &it, 1);
		atomic_fetch_sub(&r->received, 1);
		if (resent)
			atomic_fetch_add(&r->resent, 1);
	}
	atomic_store(&r->depth, r->capacity == 0 ? 0 : zr_queue_depth(k));
}

/*
 * A taker died, its hand showing d (held, or let go). What it was sent
 * before d it had finished, and d too if let go: acknowledged, unless the
 * next rack never got it (a pipelined put that died with the taker), and
 * then it is done again. d held, and what came after it: sent again,
 * first. Returns 1 if d itself went back.
 */
static int
zr_take_back(struct zr_keeper *k, uint32_t who, dish_t d, int held)
{
	struct zr_slot	*sl = zr_slot(k, who);
	dish_t		*back, e;
	ssize_t		 at;
	size_t		 nback = 0, i = 0;
	int		 rc = 0;

	zr_drop_get(k, who, NULL);
	if (sl == NULL)
		return (0);
	sl->dead = 1;
	sl->sent_at = 0;
	if (sl->out.n == 0)
		return (0);
	at = d != DISH_NONE ? zr_slot_find(sl, d) : -1;
	back = xreallocarray(NULL, sl->out.n, sizeof *back);
	while (zr_fifo_pop(&sl->out, &e)) {
		if (at >= 0 && ((ssize_t)i < at || ((ssize_t)i == at &&
		    !held)) && zr_landed(k->r, e))
			zr_ack1(k, e);
		else {
			back[nback++] = e;
			if ((ssize_t)i == at)
				rc = 1;
		}
		i++;
	}
	zr_put_back(k, back, nback, 1);
	free(back);
	return (rc);
}

/* A leaving taker gives back what it fetched and did not start. */
static void
zr_give_back(struct zr_keeper *k, uint32_t who, const dish_t *d, size_t n)
{
	struct zr_slot	*sl = zr_slot(k, who);
	dish_t		*back;
	ssize_t		 at;
	size_t		 i, nback = 0;

	if (sl == NULL || n == 0)
		return;
	back = xreallocarray(NULL, n, sizeof *back);
	for (i = 0; i < n; i++) {
		if ((at = zr_slot_find(sl, d[i])) < 0)
			continue;
		zr_fifo_remove(&sl->out, (size_t)at);
		back[nback++] = d[i];
	}
	zr_put_back(k, back, nback, 0);
	free(back);
}

static void
zr_request(struct zr_keeper *k, const uint8_t *id, size_t idlen,
    const struct zr_wire *w, size_t len)
{
	struct rack_zmq		*r = k->r;
	const struct zr_msg	*m = &w->m;
	struct zr_slot		*sl;
	struct zr_req		 q, g;
	dish_t			 list[ZR_BATCH_MAX];
	size_t			 n;
	int			 reply = !(m->flags & ZR_NOREPLY), a;

	q.who = m->who;
	q.dish = m->dish;
	q.waited = 0;
	q.idlen = (uint8_t)idlen;
	memcpy(q.id, id, idlen);
	switch (m->type) {
	case ZR_PUT:
		if ((m->flags & ZR_COUNTED) && m->who < ZR_INBOUND_MAX) {
			/* In: join need wait for it no more (never below 0). */
			a = atomic_load(&r->inbound[m->who]);
			while (a > 0 && !atomic_compare_exchange_weak(
			    &r->inbound[m->who], &a, a - 1))
				;
		}
		if (zr_bit(k->put_seen, r->ndishes, m->dish, 1)) {
			/* Put before (its putter died, and it was redone). */
			atomic_fetch_add(&r->duplicates, 1);
			if (reply)
				zr_answer(k, id, idlen, ZR_PUTOK, m->dish,
				    (int32_t)zr_queue_depth(k), 0);
			break;
		}
		if (atomic_load(&r->closed) && r->capacity != 0) {
			if (reply)
				zr_answer(k, id, idlen, ZR_END, m->dish, 0, 0);
			break;
		}
		if (zr_room(k) && k->puts.n == 0)
			zr_accept_put(k, &q, 0, reply);
		else
			zr_fifo_push(&k->puts, &q, 0);
		break;
	case ZR_GET:
		sl = zr_slot(k, m->who);
		zr_ack(k, m->who, m->dish);
		if (sl != NULL && sl->dead) {
			/* From a taker reclaimed already: late, and stale. */
			zr_answer(k, id, idlen, ZR_NONE, DISH_NONE, 0, 0);
			break;
		}
		zr_credit(k, sl);
		if (m->who < r->nslots)
			zr_drop_get(k, m->who, NULL);
		/* Its taker waited for a dish, not only for the answer. */
		q.waited = k->queue.n == 0;
		zr_fifo_push(&k->gets, &q, 0);
		break;
	case ZR_CANCEL:
		if (zr_drop_get(k, m->who, &g))
			zr_answer(k, g.id, g.idlen, ZR_NONE, DISH_NONE, 0, 0);
		break;
	case ZR_ACK:
		a = zr_ack(k, m->who, m->dish);
		zr_answer(k, id, idlen, ZR_OK, m->dish, a, 0);
		break;
	case ZR_RECLAIM:
		a = zr_take_back(k, m->who, m->dish, (m->flags & ZR_HELD) != 0);
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, a, 0);
		break;
	case ZR_RETURN:
		n = len > sizeof *m ? (len - sizeof *m) / sizeof(dish_t) : 0;
		list[0] = m->dish;
		memcpy(list + 1, w->more, n * sizeof(dish_t));
		zr_give_back(k, m->who, list, m->dish == DISH_NONE ? 0 : n + 1);
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, 0, 0);
		break;
	case ZR_SYNC:
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, 0, 0);
		break;
	case ZR_CLOSE:
		atomic_store(&r->closed, 1);
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, 0, 0);
		break;
	case ZR_QUITS:
		k->quits += (unsigned)m->arg;
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, 0, 0);
		break;
	case ZR_ASKED:
		zr_answer(k, id, idlen, ZR_OK, m->dish, k->acked != NULL &&
		    zr_bit(k->acked, r->ndishes, m->dish, 0), 0);
		break;
	case ZR_END_ALL:
		if (k->pub != NULL)
			zmq_send(k->pub, "END", 3, ZMQ_DONTWAIT);
		zr_answer(k, id, idlen, ZR_OK, DISH_NONE, 0, 0);
		break;
	default:
		break;
	}
}

/* Read what the keeper's monitors saw: links made and lost. */
static void
zr_monitors(struct zr_keeper *k)
{
	struct rack_zmq	*r = k->r;
	struct zl_event	 ev;
	unsigned	 i;

	for (i = 0; i < k->nmon; i++) {
		while (zl_monitor_read(k->mon[i], &ev)) {
			if (ev.what == ZL_ACCEPTED || ev.what == ZL_CONNECTED) {
				atomic_fetch_add(&r->connects, 1);
				atomic_fetch_add(&r->links, 1);
			} else if (ev.what == ZL_DISCONNECTED) {
				atomic_fetch_add(&r->disconnects, 1);
				if (atomic_load(&r->links) > 0)
					atomic_fetch_sub(&r->links, 1);
			}
		}
	}
}

/* Plain: pass dishes on from PULL to PUSH, quits after them. */
static void
zr_stream(struct zr_keeper *k)
{
	dish_t	q = DISH_QUIT;

	for (;;) {
		if (!k->held) {
			zmq_msg_init(&k->msg);
			if (zmq_msg_recv(&k->msg, k->pull, ZMQ_DONTWAIT) == -1) {
				zmq_msg_close(&k->msg);
				break;
			}
			k->held = 1;
		}
		if (zmq_msg_send(&k->msg, k->push, ZMQ_DONTWAIT) == -1)
			return;		/* no taker has room: hold it */
		k->held = 0;
	}
	/* What came in is out: the quits go behind it, as in the lecture. */
	while (k->quits > 0 && zmq_send(k->push, &q, sizeof q,
	    ZMQ_DONTWAIT) != -1)
		k->quits--;
}

static int
zr_keeper_bind(struct zr_keeper *k, const struct zl_where *w)
{
	struct rack_zmq	*r = k->r;
	char		 name[32], ep[ZL_EP_MAX];
	int		 hwm;
	void		*m;

	snprintf(name, sizeof name, "r%u", r->index);
	if ((k->router = zl_socket(ZMQ_ROUTER, 0, &k->cause)) == NULL ||
	    zl_bind(k->router, zl_bind_endpoint(w, name, 0, ep, sizeof ep), r->ep_hub, &k->cause) == -1)
		return (-1);
	if ((m = zl_monitor(k->router, NULL)) != NULL)
		k->mon[k->nmon++] = m;
	if (r->reliable)
		return (0);
	/* ZeroMQ's 0 is no limit; a hand-off is the smallest it has: 1. */
	hwm = r->capacity == RACK_UNBOUNDED ? 0 : r->capacity == 0 ? 1 :
	    (int)r->capacity;
	snprintf(name, sizeof name, "r%u-in", r->index);
	if ((k->pull = zl_socket(ZMQ_PULL, hwm, &k->cause)) == NULL ||
	    zl_bind(k->pull, zl_bind_endpoint(w, name, 0, ep, sizeof ep),
	    r->ep_in, &k->cause) == -1)
		return (-1);
	snprintf(name, sizeof name, "r%u-out", r->index);
	if ((k->push = zl_socket(ZMQ_PUSH, hwm, &k->cause)) == NULL ||
	    zl_bind(k->push, zl_bind_endpoint(w, name, 0, ep, sizeof ep),
	    r->ep_out, &k->cause) == -1)
		return (-1);
	snprintf(name, sizeof name, "r%u-ctl", r->index);
	if ((k->pub = zl_socket(ZMQ_PUB, 0, &k->cause)) == NULL ||
	    zl_bind(k->pub, zl_bind_endpoint(w, name, 0, ep, sizeof ep),
	    r->ep_ctl, &k->cause) == -1)
		return (-1);
	if ((m = zl_monitor(k->push, NULL)) != NULL)
		k->mon[k->nmon++] = m;
	if ((m = zl_monitor(k->pull, NULL)) != NULL)
		k->mon[k->nmon++] = m;
	return (0);
}

struct zr_start {
	struct zr_keeper	*k;
	const struct zl_where	*w;
};

static void *
zr_keeper_main(void *arg)
{
	struct zr_start		*st = arg;
	struct zr_keeper	*k = st->k;
	zmq_pollitem_t		 items[3];
	uint8_t			 id[ZR_ID_MAX];
	struct zr_wire		 w;
	int			 n, idlen, len, rc, more;
	size_t			 sz;

	rc = zr_keeper_bind(k, st->w);
	pthread_mutex_lock(&k->mu);
	k->ready = rc == 0 ? 1 : -1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	if (rc == -1)
		return (NULL);
	while (!atomic_load(&k->stop)) {
		n = 0;
		items[n++] = (zmq_pollitem_t){ k->router, 0, ZMQ_POLLIN, 0 };
		if (k->pull != NULL) {
			items[n++] = (zmq_pollitem_t){ k->pull, 0, ZMQ_POLLIN,
			    0 };
			if (k->held || k->quits > 0)
				items[n++] = (zmq_pollitem_t){ k->push, 0,
				    ZMQ_POLLOUT, 0 };
		}
		if (zmq_poll(items, n, ZR_KEEPER_MS) == -1 && errno != EINTR)
			break;
		zr_monitors(k);
		if (k->pull != NULL)
			zr_stream(k);
		for (;;) {
			idlen = zmq_recv(k->router, id, sizeof id,
			    ZMQ_DONTWAIT);
			if (idlen == -1)
				break;
			more = 0;
			sz = sizeof more;
			zmq_getsockopt(k->router, ZMQ_RCVMORE, &more, &sz);
			if (!more)
				continue;
			memset(&w.m, 0, sizeof w.m);
			len = zmq_recv(k->router, &w, sizeof w, 0);
			if (len < (int)sizeof w.m || len > (int)sizeof w ||
			    idlen > ZR_ID_MAX)
				continue;
			zr_request(k, id, (size_t)idlen, &w, (size_t)len);
		}
		/* Once a drain: a taker gets a batch, not a dish a put. */
		zr_dispatch(k);
	}
	if (k->held)
		zmq_msg_close(&k->msg);
	return (NULL);
}

int
rack_zmq_init(struct rack *base, const struct zl_where *w, unsigned index,
    uint32_t capacity, int reliable, enum zr_quit quit,
    _Atomic unsigned *takers, unsigned nslots, const struct scenario *scn,
    char **cause)
{
	struct rack_zmq		*r = (struct rack_zmq *)base;
	struct zr_keeper	*k;
	struct zr_start		 st;
	unsigned		 i;
	int			 rc;

	r->base.ops = &rack_zmq;
	r->index = index;
	r->capacity = capacity;
	r->reliable = reliable;
	r->quit = quit;
	r->takers = takers;
	r->nslots = nslots;
	r->ndishes = scn != NULL ? scn->ndishes : 0;
	r->nquits = scn != NULL && index < scn->nstations ?
	    scn->stations[index].count : 1;
	r->serial = atomic_fetch_add(&zr_serials, 1) + 1;
	r->where = w;
	if (zl_ctx(cause) == NULL)
		return (-1);
	k = xcalloc(1, sizeof *k);
	k->r = r;
	zr_fifo_init(&k->queue, sizeof(struct zr_item));
	zr_fifo_init(&k->puts, sizeof(struct zr_req));
	zr_fifo_init(&k->gets, sizeof(struct zr_req));
	k->slots = xcalloc(nslots > 0 ? nslots : 1, sizeof *k->slots);
	for (i = 0; i < nslots; i++)
		zr_fifo_init(&k->slots[i].out, sizeof(dish_t));
	if (r->ndishes > 0 && r->ndishes <= ZR_BITMAP_MAX) {
		k->put_seen = xcalloc(1, (size_t)(r->ndishes + 7) / 8);
		k->acked = xcalloc(1, (size_t)(r->ndishes + 7) / 8);
	}
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	r->k = k;
	st.k = k;
	st.w = w;
	if ((rc = pthread_create(&k->thread, NULL, zr_keeper_main, &st)) != 0) {
		xasprintf(cause, _("cannot start the keeper of a ZeroMQ rack: "
		    "%s"),
		    strerror(rc));
		r->k = NULL;
		free(k->slots);
		free(k->put_seen);
		free(k->acked);
		free(k);
		return (-1);
	}
	k->started = 1;
	pthread_mutex_lock(&k->mu);
	while (k->ready == 0)
		pthread_cond_wait(&k->cv, &k->mu);
	pthread_mutex_unlock(&k->mu);
	if (k->ready == -1) {
		*cause = k->cause;
		k->cause = NULL;
		zr_destroy(base);
		return (-1);
	}
	zr_register(r, 1);
	return (0);
}

int
rack_zmq_init_remote(struct rack *base, const struct zr_eps *eps,
    unsigned index, uint32_t capacity, int reliable, enum zr_quit quit,
    unsigned nslots, const struct scenario *scn)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	r->base.ops = &rack_zmq;
	r->index = index;
	r->capacity = capacity;
	r->reliable = reliable;
	r->quit = quit;
	r->nslots = nslots;
	r->serial = atomic_fetch_add(&zr_serials, 1) + 1;
	r->remote = 1;
	r->ndishes = scn != NULL ? scn->ndishes : 0;
	snprintf(r->ep_hub, sizeof r->ep_hub, "%s", eps->hub);
	snprintf(r->ep_in, sizeof r->ep_in, "%s", eps->in);
	snprintf(r->ep_out, sizeof r->ep_out, "%s", eps->out);
	snprintf(r->ep_ctl, sizeof r->ep_ctl, "%s", eps->ctl);
	return (0);
}

int
rack_zmq_eps(struct rack *base, struct zr_eps *eps)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	if (base == NULL || base->ops != &rack_zmq)
		return (-1);
	snprintf(eps->hub, sizeof eps->hub, "%s", r->ep_hub);
	snprintf(eps->in, sizeof eps->in, "%s", r->ep_in);
	snprintf(eps->out, sizeof eps->out, "%s", r->ep_out);
	snprintf(eps->ctl, sizeof eps->ctl, "%s", r->ep_ctl);
	return (0);
}

void
rack_zmq_note(struct rack *in, struct rack *out, int kind)
{
	struct rack_zmq	*ri = (struct rack_zmq *)in;
	struct rack_zmq	*ro = (struct rack_zmq *)out;

	if (in != NULL && (in->ops != &rack_zmq || ri->reliable))
		ri = NULL;
	if (out != NULL && (out->ops != &rack_zmq || ro->reliable))
		ro = NULL;
	switch (kind) {
	case EV_GET:
		if (ri != NULL)
			atomic_fetch_add(&ri->received, 1);
		break;
	case EV_PUT:	/* in the next rack, and done with this one */
		if (ro != NULL) {
			atomic_fetch_add(&ro->unfinished, 1);
			atomic_fetch_add(&ro->sent, 1);
			zr_max(ro, zr_depth(out));
		}
		/* FALLTHROUGH */
	case EV_DONE:
		if (ri != NULL)
			atomic_fetch_sub(&ri->unfinished, 1);
		break;
	}
}

/* --- The workers' side: each thread its own sockets ---------------------- */

static void *
zr_sock(struct rack_zmq *r, int role)
{
	static const int types[] = { ZMQ_DEALER, ZMQ_PUSH, ZMQ_PULL, ZMQ_SUB };
	const char	*ep;
	char		*cause = NULL, *msg;
	void		*s;
	int		 hwm;

	if ((s = zl_thread_get(r, role)) != NULL)
		return (s);
	hwm = r->capacity == RACK_UNBOUNDED || role == ZR_ROLE_DEALER ||
	    role == ZR_ROLE_SUB ? 0 : r->capacity == 0 ? 1 : (int)r->capacity;
	ep = role == ZR_ROLE_DEALER ? r->ep_hub : role == ZR_ROLE_PUSH ?
	    r->ep_in : role == ZR_ROLE_PULL ? r->ep_out : r->ep_ctl;
	if ((s = zl_socket(types[role], hwm, &cause)) == NULL ||
	    (role == ZR_ROLE_SUB && zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0)) ||
	    zl_connect(s, ep, &cause) == -1) {
		if (s != NULL)
			zl_close(s);
		xasprintf(&msg, _("rack %u over ZeroMQ: %s"), r->index,
		    cause != NULL ? cause : _("cannot subscribe"));
		zr_fail(r, msg);
		free(msg);
		free(cause);
		return (NULL);
	}
	zl_thread_put(r, role, s);
	return (s);
}

static int
zr_send(void *s, int type, uint32_t who, dish_t d, int32_t arg, int flags)
{
	struct zr_msg	m = { 0 };

	m.type = (uint8_t)type;
	m.flags = (uint8_t)flags;
	m.who = who;
	m.dish = d;
	m.arg = arg;
	return (zmq_send(s, &m, sizeof m, 0) == (int)sizeof m ? 0 : -1);
}

/*
 * A thread's own state for a reliable rack, as its sockets are its own:
 * the dishes of its last batch not yet started, and its pipelined puts.
 * Kept by (rack, serial, process): a rack made at a freed one's address,
 * or a forked child, starts afresh.
 */
#define ZR_LOCAL_MAX	4

struct zr_local {
	const struct rack_zmq	*r;
	unsigned		 serial;
	pid_t			 pid;
	dish_t			 ahead[ZR_BATCH_MAX];
	unsigned		 nahead, next;
	uint32_t		 who;		/* the hand they are for */
	int32_t			 depth;		/* the keeper's, last said */
	unsigned		 asks;		/* answers owed to its puts */
	unsigned		 since;		/* puts since one that asked */
	unsigned		 burst;		/* quick puts in a row */
	int64_t			 last_put;
};

static _Thread_local struct zr_local zr_locals[ZR_LOCAL_MAX];

static struct zr_local *
zr_local(const struct rack_zmq *r, int make)
{
	struct zr_local	*l, *spare = NULL;
	pid_t		 me = zl_pid_self();
	unsigned	 i;

	for (i = 0; i < ZR_LOCAL_MAX; i++) {
		l = &zr_locals[i];
		if (l->r == r && l->serial == r->serial && l->pid == me)
			return (l);
		/* Another rack's, or gone: free, unless it owes anything. */
		if (spare == NULL && (l->r == NULL || l->pid != me ||
		    (l->next >= l->nahead && l->asks == 0 && l->since == 0)))
			spare = l;
	}
	if (!make || spare == NULL)
		return (NULL);
	memset(spare, 0, sizeof *spare);
	spare->r = r;
	spare->serial = r->serial;
	spare->pid = me;
	return (spare);
}

/*
 * Wait for the keeper's answer, a slice at a time: the answers owed to
 * this thread's pipelined puts come first (the socket keeps order) and
 * are taken in passing (n not NULL: the answer of a request, not one of
 * those). hand (if not NULL) may be asked to leave: its get is cancelled
 * once. 0 with *w (and *n, its dishes), or -1 aborted.
 */
static int
zr_answer_wait(struct rack_zmq *r, void *s, struct zr_wire *w, unsigned *n,
    struct hand *hand, uint32_t who, int *slices)
{
	zmq_pollitem_t	 it = { s, 0, ZMQ_POLLIN, 0 };
	struct zr_local	*l = n != NULL ? zr_local(r, 0) : NULL;
	int		 cancelled = 0, rc, len;

	for (;;) {
		if (atomic_load(&r->aborted))
			return (-1);
		len = zmq_recv(s, w, sizeof *w, ZMQ_DONTWAIT);
		if (len > (int)sizeof *w)
			len = (int)sizeof *w;	/* truncated: not the keeper's */
		if (len >= (int)sizeof w->m) {
			if (l != NULL && l->asks > 0) {
				/* A pipelined put's: it is in (or refused). */
				l->asks--;
				if (w->m.type == ZR_PUTOK)
					l->depth = w->m.arg;
				continue;
			}
			if (n != NULL)
				*n = 1 + (unsigned)((size_t)len -
				    sizeof w->m) / sizeof(dish_t);
			/* An answer: every put sent before it is in. */
			if (l != NULL)
				l->since = 0;
			return (0);
		}
		rc = zmq_poll(&it, 1, ZR_SLICE_MS);
		if (rc == -1 && errno != EINTR)
			return (-1);
		if (rc > 0)
			continue;
		if (slices != NULL)
			(*slices)++;
		if (hand != NULL && !cancelled && atomic_load(&hand->leave)) {
			zr_send(s, ZR_CANCEL, who, DISH_NONE, 0, 0);
			cancelled = 1;
		}
	}
}

/* One request and its answer, from this thread. */
static int
zr_call(struct rack_zmq *r, int type, uint32_t who, dish_t d, int32_t arg,
    int flags, struct zr_msg *m)
{
	struct zr_wire	 w;
	unsigned	 n;
	void		*s;

	if ((s = zr_sock(r, ZR_ROLE_DEALER)) == NULL ||
	    zr_send(s, type, who, d, arg, flags) == -1 ||
	    zr_answer_wait(r, s, &w, &n, NULL, who, NULL) == -1)
		return (-1);
	*m = w.m;
	return (0);
}

/* This thread's pipelined puts into r are all in the keeper. */
static int
zr_settle(struct rack_zmq *r)
{
	struct zr_local	*l = zr_local(r, 0);
	struct zr_msg	 m;

	if (l == NULL || (l->asks == 0 && l->since == 0))
		return (0);
	l->since = 0;
	return (zr_call(r, ZR_SYNC, 0, DISH_NONE, 0, 0, &m));
}

/*
 * A reliable put into an unbounded rack, in a burst: sent, not answered
 * (one in ZR_ASK_EVERY asks, and the put waits only when ZR_ASKS_OUT
 * answers are owed), so a fast putter is not held to a round trip a dish.
 * 1 if it went so, 0 if the put must be a round trip, -1 on error.
 */
static int
zr_put_pipelined(struct rack_zmq *r, dish_t d, uint32_t who, int *depth,
    struct zr_local **lp)
{
	struct zr_local	*l;
	struct zr_wire	 w;
	int64_t		 now;
	void		*s;
	int		 flags = ZR_NOREPLY;

	if (r->capacity != RACK_UNBOUNDED || r->remote ||
	    who >= ZR_INBOUND_MAX || (l = *lp = zr_local(r, 1)) == NULL)
		return (0);
	/* From the end of the last put: its own wait is not the putter's. */
	now = clock_mono_ns();
	l->burst = now - l->last_put < ZR_BURST_NS ? l->burst + 1 : 0;
	if (l->burst < ZR_BURST_MIN)
		return (0);
	if ((s = zr_sock(r, ZR_ROLE_DEALER)) == NULL)
		return (-1);
	if (++l->since >= ZR_ASK_EVERY) {
		flags = 0;
		l->since = 0;
	}
	/* Counted before it goes: a join never misses it on its way. */
	atomic_fetch_add(&r->inbound[who], 1);
	if (zr_send(s, ZR_PUT, who, d, 0, flags | ZR_COUNTED) == -1) {
		atomic_fetch_sub(&r->inbound[who], 1);
		return (-1);
	}
	if (flags == 0)
		l->asks++;
	while (l->asks > ZR_ASKS_OUT) {
		/* The oldest owed answer (n NULL: taken as it is). */
		l->asks--;
		if (zr_answer_wait(r, s, &w, NULL, NULL, who, NULL) == -1)
			return (-1);
		if (w.m.type != ZR_PUTOK)
			return (-1);
		l->depth = w.m.arg;
	}
	*depth = l->depth + (int)l->since;
	return (1);
}

static int
zr_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	zmq_pollitem_t	 it;
	struct zr_msg	 m;
	struct zr_local	*l = NULL;
	uint32_t	 depth, who = hand != NULL ? hand->who : 0;
	void		*s;
	int		 rc, n;

	if (blocked != NULL)
		*blocked = 0;
	if (atomic_load(&r->closed) || atomic_load(&r->aborted))
		return (-1);
	if (r->reliable) {
		rc = zr_put_pipelined(r, d, who, &n, &l);
		if (rc == -1)
			return (-1);
		if (rc == 1) {
			l->last_put = clock_mono_ns();
			if (hand != NULL)
				hand_let_go(hand);
			return (n);
		}
		rc = zr_call(r, ZR_PUT, who, d, 0, 0, &m);
		if (l != NULL)
			l->last_put = clock_mono_ns();
		if (rc == -1 || m.type != ZR_PUTOK)
			return (-1);
		if (blocked != NULL)
			*blocked = (m.flags & ZR_WAITED) != 0;
		if (hand != NULL)
			hand_let_go(hand);
		return (m.arg);
	}
	if ((s = zr_sock(r, ZR_ROLE_PUSH)) == NULL)
		return (-1);
	/* Counted before it goes: a join never misses a dish in flight. */
	atomic_fetch_add(&r->unfinished, 1);
	atomic_fetch_add(&r->sent, 1);
	while (zmq_send(s, &d, sizeof d, ZMQ_DONTWAIT) == -1) {
		if (errno != EAGAIN || atomic_load(&r->aborted)) {
			atomic_fetch_sub(&r->unfinished, 1);
			atomic_fetch_sub(&r->sent, 1);
			return (-1);
		}
		/* At the high-water mark: the rack is full. */
		if (blocked != NULL)
			*blocked = 1;
		it = (zmq_pollitem_t){ s, 0, ZMQ_POLLOUT, 0 };
		rc = zmq_poll(&it, 1, ZR_SLICE_MS);
		(void)rc;
	}
	if (hand != NULL)
		hand_let_go(hand);
	depth = zr_depth(base);
	zr_max(r, depth);
	return ((int)depth);
}

/*
 * Give back what this thread fetched ahead and did not start (for the
 * taker l->who), answered: the dishes are in the rack again when it
 * returns.
 */
static int
zr_return(struct rack_zmq *r, struct zr_local *l)
{
	struct zr_wire	 w;
	unsigned	 n, i;
	void		*s;

	if (l == NULL || l->next >= l->nahead)
		return (0);
	n = l->nahead - l->next;
	memset(&w.m, 0, sizeof w.m);
	w.m.type = ZR_RETURN;
	w.m.who = l->who;
	w.m.dish = l->ahead[l->next];
	for (i = 1; i < n; i++)
		w.more[i - 1] = l->ahead[l->next + i];
	l->next = l->nahead = 0;
	if ((s = zr_sock(r, ZR_ROLE_DEALER)) == NULL ||
	    zmq_send(s, &w, sizeof w.m + (n - 1) * sizeof(dish_t), 0) == -1 ||
	    zr_answer_wait(r, s, &w, &n, NULL, l->who, NULL) == -1)
		return (-1);
	return (0);
}

static dish_t
zr_get_reliable(struct rack_zmq *r, struct hand *hand, int *depth,
    int *blocked)
{
	struct zr_wire	 w;
	struct zr_local	*l = zr_local(r, 1);
	uint32_t	 who = hand != NULL ? hand->who : 0;
	dish_t		 ack = DISH_NONE, d;
	unsigned	 n, i;
	void		*s;
	int		 slices = 0, rc;

	if (l != NULL && l->next < l->nahead && l->who != who &&
	    zr_return(r, l) == -1)
		return (DISH_NONE);
	if (l != NULL && l->next < l->nahead) {
		/*
		 * The batch's next: no message. The dish done before it is
		 * paid by the order (the keeper knows what came first), and
		 * in words at the next request.
		 */
		d = l->ahead[l->next++];
		zr_hand_set(hand, d, 1);
		if (depth != NULL)
			*depth = l->depth;
		return (d);
	}
	if (hand != NULL && atomic_load(&hand->owes))
		ack = atomic_load(&hand->owed);
	if ((s = zr_sock(r, ZR_ROLE_DEALER)) == NULL ||
	    zr_send(s, ZR_GET, who, ack, 0, 0) == -1)
		return (DISH_NONE);
	zr_waiting(r, hand, 1);
	rc = zr_answer_wait(r, s, &w, &n, hand, who, &slices);
	zr_waiting(r, hand, 0);
	if (rc == -1)
		return (DISH_NONE);
	/*
	 * Waited: for a dish (the keeper says so), not only for the round
	 * trip; the worker then times its get after the wait, so a dish is
	 * never seen taken before it was put (the depth's mean was -15).
	 */
	if (blocked != NULL)
		*blocked = slices > 0 || (w.m.flags & ZR_WAITED);
	/* The answer says the acknowledgement is in: the debt is paid. */
	if (w.m.type != ZR_DISH) {
		zr_hand_set(hand, DISH_NONE, 0);
		return (DISH_NONE);
	}
	if (l != NULL) {
		l->who = who;
		l->depth = w.m.arg;
		l->next = 0;
		l->nahead = n - 1;
		for (i = 1; i < n; i++)
			l->ahead[i - 1] = w.more[i - 1];
	}
	zr_hand_set(hand, w.m.dish, 1);
	if (depth != NULL)
		*depth = w.m.arg;
	return (w.m.dish);
}

static dish_t
zr_get_plain(struct rack_zmq *r, struct hand *hand, int *depth, int *blocked)
{
	zmq_pollitem_t	 it[2];
	void		*pull, *sub;
	dish_t		 d = DISH_NONE;
	char		 buf[8];
	int		 rc, got = 0;

	if (hand != NULL && atomic_load(&hand->owes)) {
		atomic_fetch_sub(&r->unfinished, 1);
		zr_hand_set(hand, DISH_NONE, 0);
	}
	if ((pull = zr_sock(r, ZR_ROLE_PULL)) == NULL)
		return (DISH_NONE);
	/* A dish there already: no wait to announce, no control to read. */
	if (zmq_recv(pull, &d, sizeof d, ZMQ_DONTWAIT) == (int)sizeof d &&
	    d != DISH_QUIT)
		goto got;
	if ((sub = zr_sock(r, ZR_ROLE_SUB)) == NULL)
		return (DISH_NONE);
	if (d == DISH_QUIT)
		goto leave;
	zr_waiting(r, hand, 1);
	for (;;) {
		if (zmq_recv(pull, &d, sizeof d, ZMQ_DONTWAIT) ==
		    (int)sizeof d) {
			got = 1;
			break;
		}
		if (atomic_load(&r->aborted) || atomic_load(&r->ended) ||
		    (hand != NULL && atomic_load(&hand->leave)))
			break;
		if (zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
			break;		/* the control broadcast: the end */
		it[0] = (zmq_pollitem_t){ pull, 0, ZMQ_POLLIN, 0 };
		it[1] = (zmq_pollitem_t){ sub, 0, ZMQ_POLLIN, 0 };
		/* An empty socket: it waits for a dish (and is timed after). */
		if (blocked != NULL)
			*blocked = 1;
		rc = zmq_poll(it, 2, ZR_SLICE_MS);
		if (rc == -1 && errno != EINTR)
			break;
	}
	zr_waiting(r, hand, 0);
	if (!got || d == DISH_QUIT) {
leave:
		/*
		 * A taker that leaves closes its sockets, as a program that
		 * exits does: what ZeroMQ had queued for it goes with them.
		 */
		zl_thread_drop(r, ZR_ROLE_PULL);
		zl_thread_drop(r, ZR_ROLE_SUB);
		return (DISH_NONE);
	}
got:
	atomic_fetch_add(&r->received, 1);
	zr_hand_set(hand, d, 1);
	if (depth != NULL)
		*depth = (int)zr_depth(&r->base);
	return (d);
}

static dish_t
zr_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	if (blocked != NULL)
		*blocked = 0;
	if (atomic_load(&r->aborted))
		return (DISH_NONE);
	if (r->reliable)
		return (zr_get_reliable(r, hand, depth, blocked));
	return (zr_get_plain(r, hand, depth, blocked));
}

static int
zr_task_done(struct rack *base, struct hand *hand)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	struct zr_msg	 m;
	dish_t		 d;

	d = hand != NULL ? atomic_load(&hand->owed) : DISH_NONE;
	if (!r->reliable) {
		atomic_fetch_sub(&r->unfinished, 1);
		zr_hand_set(hand, DISH_NONE, 0);
		return (0);
	}
	/* Answered, so a process that leaves next has paid it. */
	if (zr_call(r, ZR_ACK, hand != NULL ? hand->who : 0, d, 0, 0,
	    &m) == -1)
		return (-1);
	zr_hand_set(hand, DISH_NONE, 0);
	return (0);
}

static int
zr_reclaim(struct rack *base, struct hand *hand)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	struct zr_msg	 m;
	dish_t		 d, let_go = DISH_NONE;
	int		 owes;

	d = atomic_load(&hand->dish);
	owes = atomic_load(&hand->owes);
	atomic_fetch_add(&r->deaths, 1);
	/* Died waiting: it waits no more. */
	if (hand->who < 256 && (atomic_load(&r->waiting_who[hand->who / 64]) >>
	    (hand->who % 64) & 1))
		zr_waiting(r, hand, 0);
	if (!r->reliable) {
		/* Plain PUSH/PULL: what it held is gone with it. */
		if (d != DISH_NONE) {
			atomic_fetch_add(&r->lost, 1);
			atomic_fetch_sub(&r->unfinished, 1);
		} else if (owes)
			atomic_fetch_sub(&r->unfinished, 1);
		zr_hand_set(hand, DISH_NONE, 0);
		return (0);
	}
	if (owes && d == DISH_NONE)
		let_go = atomic_load(&hand->owed);
	/* What it sent the next rack and is not there never will be. */
	zr_forget_inbound(r, hand->who);
	if (zr_call(r, ZR_RECLAIM, hand->who, d != DISH_NONE ? d : let_go, 0,
	    d != DISH_NONE ? ZR_HELD : 0, &m) == -1)
		return (-1);
	zr_hand_set(hand, DISH_NONE, 0);
	return (m.arg > 0 ? 1 : 0);
}

/*
 * The calling worker leaves: its pipelined puts answered (LINGER = 0
 * would drop what is unsent when its process exits), and what it fetched
 * ahead and did not start given back, in order.
 */
static void
zr_flush(struct rack *base)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	if (!r->reliable || atomic_load(&r->aborted))
		return;
	zr_settle(r);
	zr_return(r, zr_local(r, 0));
}

int
rack_zmq_acked(struct rack *base, dish_t d)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	struct zr_msg	 m;

	if (base == NULL || base->ops != &rack_zmq || !r->reliable ||
	    r->k == NULL)
		return (0);
	if (zr_call(r, ZR_ASKED, 0, d, 0, 0, &m) == -1)
		return (0);
	return (m.arg == 1);
}

/* Plain: in flight, by the counts of both ends. */
static uint64_t
zr_in_flight(const struct rack_zmq *r)
{
	uint64_t	s, g, w;

	s = atomic_load_explicit(&r->sent, memory_order_relaxed);
	g = atomic_load_explicit(&r->received, memory_order_relaxed);
	w = atomic_load_explicit(&r->written_off, memory_order_relaxed);
	return (s > g + w ? s - g - w : 0);
}

/*
 * Plain, after a taker died: once every live taker has waited on an
 * empty socket for a while and nothing came, what is still in flight was
 * queued for the dead one. ZeroMQ cannot say; the counts can.
 */
static void
zr_write_off(struct rack_zmq *r)
{
	uint64_t	*last = &r->quiet_seen;
	int64_t		*since = &r->quiet_since;
	uint64_t	g, n;
	unsigned	live;

	if (atomic_load(&r->deaths) == 0 || (n = zr_in_flight(r)) == 0)
		return;
	g = atomic_load(&r->received);
	live = r->takers != NULL ? atomic_load(r->takers) : 1;
	if (g != *last || atomic_load(&r->waiting) < live || live == 0) {
		*last = g;
		*since = clock_mono_ns();
		return;
	}
	if (clock_mono_ns() - *since < ZR_QUIET_NS)
		return;
	atomic_fetch_add(&r->written_off, n);
	atomic_fetch_add(&r->lost, n);
	atomic_fetch_sub(&r->unfinished, (int64_t)n);
}

/* Pipelined puts on their way: not in unfinished yet, and coming. */
static int64_t
zr_inbound(const struct rack_zmq *r)
{
	int64_t		n = 0;
	unsigned	i;

	for (i = 0; r->reliable && i < ZR_INBOUND_MAX; i++)
		n += atomic_load_explicit(&r->inbound[i], memory_order_relaxed);
	return (n);
}

static int
zr_join(struct rack *base, int64_t timeout_ns)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	struct zr_msg	 m;
	int64_t		 deadline = 0;
	int64_t		 pause = 100 * 1000;
	unsigned	 n;

	if (!r->reliable && r->quit == ZR_QUIT_SENTINEL &&
	    !atomic_exchange(&r->quits_sent, 1)) {
		/*
		 * The lecture's washer, its dishes all in: one quit for each
		 * dryer it knows of (the scenario's count), down the same
		 * pipe. (The conductor joins a rack only once the station
		 * before has put every dish.)
		 */
		n = r->nquits;
		if (zr_call(r, ZR_QUITS, 0, DISH_NONE, (int32_t)n, 0, &m) == -1)
			return (-1);
	}
	if (timeout_ns >= 0)
		deadline = clock_mono_ns() + timeout_ns;
	for (;;) {
		if (atomic_load(&r->aborted))
			return (-1);
		if (atomic_load(&r->unfinished) <= 0 && zr_inbound(r) == 0)
			return (0);
		if (!r->reliable)
			zr_write_off(r);
		if (timeout_ns >= 0 && clock_mono_ns() >= deadline)
			return (1);
		clock_sleep_ns(pause);
		if (pause < 2 * NSEC_PER_MSEC)
			pause *= 2;
	}
}

static void
zr_close(struct rack *base)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	struct zr_msg	 m;
	int64_t		 start;
	unsigned	 i, j, n = 0;
	uint64_t	 bits;

	atomic_store(&r->closed, 1);
	if (zr_call(r, ZR_CLOSE, 0, DISH_NONE, 0, 0, &m) == -1)
		return;
	if (r->reliable) {
		atomic_store(&r->ended, 1);
		return;
	}
	if (r->quit == ZR_QUIT_SENTINEL) {
		/* Whoever a quit reached leaves; whoever it missed waits. */
		start = clock_mono_ns();
		while (clock_mono_ns() - start < ZR_STUCK_NS &&
		    r->takers != NULL && atomic_load(r->takers) > 0 &&
		    !atomic_load(&r->aborted))
			clock_sleep_ns(10 * NSEC_PER_MSEC);
		for (i = 0; i < 4; i++) {
			bits = atomic_load(&r->waiting_who[i]);
			for (j = 0; j < 64; j++) {
				if (!(bits >> j & 1))
					continue;
				if (n < 8)
					r->stuck_who[n] = i * 64 + j;
				n++;
			}
		}
		/*
		 * Every dish is done: a taker still there a second after the
		 * quits is stuck, waiting or about to (one that started late
		 * may not wait yet, and is not named).
		 */
		atomic_store(&r->named, n);
		if (r->takers != NULL && atomic_load(r->takers) > n)
			n = atomic_load(r->takers);
		atomic_store(&r->stuck, n);
	}
	/* The guide's fix: one broadcast every taker hears. */
	atomic_store(&r->ended, 1);
	zr_call(r, ZR_END_ALL, 0, DISH_NONE, 0, 0, &m);
}

static void
zr_wake_takers(struct rack *base)
{
	(void)base;	/* takers look at their hands every slice */
}

static void
zr_abort(struct rack *base)
{
	atomic_store(&((struct rack_zmq *)base)->aborted, 1);
}

static uint32_t
zr_depth(const struct rack *base)
{
	const struct rack_zmq	*r = (const struct rack_zmq *)base;

	if (r->reliable)
		return (atomic_load(&r->depth));
	return (r->capacity == 0 ? 0 : (uint32_t)zr_in_flight(r));
}

static uint32_t
zr_held(struct rack *base)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	if (r->reliable) {
		/* Put and not taken: its queue, a hand-off's dish too. */
		uint64_t s = atomic_load(&r->sent), g = atomic_load(&r->received);

		return (s > g ? (uint32_t)(s - g) : 0);
	}
	return ((uint32_t)zr_in_flight(r));
}

static uint32_t
zr_max_depth(struct rack *base)
{
	return (atomic_load(&((struct rack_zmq *)base)->max_depth));
}

static uint64_t
zr_unfinished(struct rack *base)
{
	int64_t	u = atomic_load(&((struct rack_zmq *)base)->unfinished);

	return (u > 0 ? (uint64_t)u : 0);
}

static uint64_t
zr_taken(struct rack *base)
{
	return (atomic_load(&((struct rack_zmq *)base)->received));
}

static void
zr_destroy(struct rack *base)
{
	struct rack_zmq		*r = (struct rack_zmq *)base;
	struct zr_keeper	*k = r->k;
	unsigned		 i;

	if (k == NULL)
		return;
	zr_register(r, 0);
	r->k = NULL;
	atomic_store(&r->aborted, 1);
	if (k->started) {
		atomic_store(&k->stop, 1);
		pthread_join(k->thread, NULL);
	}
	for (i = 0; i < k->nmon; i++)
		zl_close(k->mon[i]);
	zl_close(k->router);
	zl_close(k->pull);
	zl_close(k->push);
	zl_close(k->pub);
	free(k->queue.v);
	free(k->puts.v);
	free(k->gets.v);
	for (i = 0; i < r->nslots; i++)
		free(k->slots[i].out.v);
	free(k->slots);
	free(k->put_seen);
	free(k->acked);
	free(k->cause);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k);
}

static const char *
zr_error(struct rack *base)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;

	return (atomic_load(&r->failed) ? r->error : NULL);
}

int
rack_zmq_view(struct rack *base, struct zr_view *v)
{
	struct rack_zmq	*r = (struct rack_zmq *)base;
	unsigned	 i;

	if (base == NULL || base->ops != &rack_zmq)
		return (-1);
	memset(v, 0, sizeof *v);
	v->reliable = r->reliable;
	v->endpoint = r->ep_hub;
	v->in = r->ep_in;
	v->out = r->ep_out;
	v->sent = atomic_load(&r->sent);
	v->received = atomic_load(&r->received);
	v->lost = atomic_load(&r->lost);
	v->resent = atomic_load(&r->resent);
	v->duplicates = atomic_load(&r->duplicates);
	v->links = atomic_load(&r->links);
	v->connects = atomic_load(&r->connects);
	v->disconnects = atomic_load(&r->disconnects);
	v->stuck = atomic_load(&r->stuck);
	v->named = atomic_load(&r->named);
	v->quits = atomic_load(&r->quits_sent) ? r->nquits : 0;
	for (i = 0; i < 8; i++)
		v->stuck_who[i] = r->stuck_who[i];
	return (0);
}
