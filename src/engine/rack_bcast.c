/*
 * rack_bcast.c: the broadcast rack's local home, publish-subscribe in the
 * run's memory (threads, processes, the virtual clock). A put is a
 * publish: a copy goes to the queue of every subscriber whose topics
 * include the message's, and to nobody else; a full queue (the
 * high-water mark) drops the copy, as ZeroMQ's PUB does, and a
 * subscriber not yet listening never sees it. Delivery is at most once:
 * the publisher never waits for a subscriber, except with sync = yes,
 * where it waits until every expected subscriber has subscribed.
 *
 * DESIGN: one lock (mu; a robust process-shared mutex for processes, the
 * baton on a clock) over the whole rack; a subscriber subscribes at its
 * first get, under that lock, so a message is on one side of its
 * subscription or the other. Waits are futex words as in rack_local.c
 * (a killed waiter wedges nothing), one word for messages and one for
 * the rack's state (all done, a subscriber came); every wake is a
 * broadcast, and every waiter re-checks its condition.
 */
#include "config.h"

#include "rack_bcast.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "event.h"
#include "futex.h"
#include "i18n.h"
#include "xmalloc.h"

#define BC_WAIT_SLICE	(100 * NSEC_PER_MSEC)

static int	bc_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	bc_get(struct rack *, struct hand *, int *, int *);
static int	bc_join(struct rack *, int64_t);
static void	bc_close(struct rack *);
static const char *bc_error(struct rack *);

const struct rack_ops rack_bcast = {
	.name = "local",
	.put = bc_put,
	.get = bc_get,
	.reclaim = bc_reclaim,
	.task_done = bc_task_done,
	.join = bc_join,
	.close = bc_close,
	.wake_takers = bc_wake_takers,
	.abort = bc_abort,
	.depth = bc_depth,
	.held = bc_held,
	.max_depth = bc_max_depth,
	.unfinished = bc_unfinished,
	.taken = bc_taken,
	.destroy = bc_destroy,
	.error = bc_error,
};

static const char *
bc_error(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	return (r->error[0] != '\0' ? r->error : NULL);
}

/* The high-water mark a subscriber's queue has for the scenario. */
static uint32_t
bc_hwm(const struct scenario *scn)
{
	uint64_t	n = scn->rack;
	unsigned	i;

	for (i = 1; i < scn->nstations; i++) {
		if (scn->stations[i].rack_set)
			n = scn->stations[i].rack;
	}
	if (n == RACK_UNBOUNDED || n > scn->ndishes)
		n = scn->ndishes;
	if (n > BCAST_MAX_HWM)
		n = BCAST_MAX_HWM;
	return (n == 0 ? 1 : (uint32_t)n);
}

/*
 * How many dishes keep the seq their publish gave them: what an agent's
 * subscriber reports is a dish, and the books want its seq (at most a
 * million: beyond, an agent's subscriber counts what it got, no more).
 */
static uint64_t
bc_nseq(const struct scenario *scn)
{
	return (scn->ndishes < 1000000 ? scn->ndishes : 1000000);
}

size_t
rack_bcast_size(const struct scenario *scn, unsigned nslots)
{
	return (sizeof(struct rack_bcast) + 64 + nslots * sizeof(int16_t) +
	    nslots + 64 + (size_t)BCAST_MAX_SUBS * bc_hwm(scn) * sizeof(dish_t) +
	    bc_nseq(scn) * sizeof(uint32_t) + 64);
}

int
rack_bcast_init(struct rack *base, enum rack_sync sync, struct vclock *vc,
    const struct run_clock *clock, const struct scenario *scn,
    const struct bcast_topics *topics, unsigned nslots, char **cause)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	pthread_mutexattr_t	 ma;
	unsigned		 i;
	char			*p;
	int			 rc;

	r->base.ops = &rack_bcast;
	r->sync = sync;
	r->vc = vc;
	r->clock = clock;
	r->topics = topics;
	r->scn = scn;
	r->hwm = bc_hwm(scn);
	r->want_sync = scn->sync;
	for (i = 1; i < scn->nstations; i++) {
		r->expected += scn->stations[i].count;
		bcast_mask(topics, &scn->stations[i], r->st_mask[i]);
	}
	r->nslots = nslots;
	p = (char *)(r + 1);
	p += (64 - (uintptr_t)p % 64) % 64;
	r->sub_of = (int16_t *)p;
	for (i = 0; i < nslots; i++)
		r->sub_of[i] = -1;
	p += nslots * sizeof(int16_t);
	r->station_of = (uint8_t *)p;
	p += nslots;
	p += (64 - (uintptr_t)p % 64) % 64;
	r->q = (dish_t *)p;
	p += (size_t)BCAST_MAX_SUBS * r->hwm * sizeof(dish_t);
	p += (64 - (uintptr_t)p % 64) % 64;
	r->seq_of = (uint32_t *)p;
	r->nseq = bc_nseq(scn);
	if (sync == RACK_VIRTUAL)
		return (0);
	pthread_mutexattr_init(&ma);
	if (sync == RACK_PROCESSES) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	rc = pthread_mutex_init(&r->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (rc != 0) {
		xasprintf(cause, _("cannot set up the broadcast rack"));
		return (-1);
	}
	return (0);
}

void
bc_lock(struct rack_bcast *r)
{
	if (r->sync == RACK_VIRTUAL)
		return;
	if (pthread_mutex_lock(&r->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&r->mu);
}

void
bc_unlock(struct rack_bcast *r)
{
	if (r->sync != RACK_VIRTUAL)
		pthread_mutex_unlock(&r->mu);
}

/* Wake every waiter of one condition; mu is held. */
void
bc_wake(struct rack_bcast *r, int which)
{
	if (r->sync == RACK_VIRTUAL) {
		vclock_wake_all(r->vc, &r->vq[which]);
		return;
	}
	if (r->waiting[which] == 0)
		return;
	atomic_fetch_add_explicit(&r->seq[which], 1, memory_order_relaxed);
	futex_wake(&r->seq[which], INT32_MAX, r->sync == RACK_PROCESSES);
}

/*
 * Wait on one condition with mu held, at most timeout_ns (< 0: a slice).
 * 0 after a wake-up or a slice, 1 once timeout_ns has passed, -1 if
 * aborted.
 */
int
bc_wait(struct rack_bcast *r, int which, int64_t timeout_ns)
{
	uint32_t	seen;
	int64_t		t;
	int		timed_out, rc;

	if (atomic_load(&r->aborted))
		return (-1);
	r->waiting[which]++;
	if (r->sync == RACK_VIRTUAL) {
		rc = vclock_block(r->vc, &r->vq[which]);
		r->waiting[which]--;
		return (rc);
	}
	t = timeout_ns < 0 || timeout_ns > BC_WAIT_SLICE ? BC_WAIT_SLICE :
	    timeout_ns;
	seen = atomic_load_explicit(&r->seq[which], memory_order_relaxed);
	pthread_mutex_unlock(&r->mu);
	timed_out = futex_wait(&r->seq[which], seen, t,
	    r->sync == RACK_PROCESSES);
	bc_lock(r);
	r->waiting[which]--;
	if (atomic_load(&r->aborted))
		return (-1);
	if (timed_out && timeout_ns >= 0 && timeout_ns <= BC_WAIT_SLICE)
		return (1);
	return (0);
}

/* Published so far on the topics of mask. */
uint64_t
bc_published_on(const struct rack_bcast *r, const uint64_t *mask)
{
	uint64_t	n = 0;
	unsigned	i;

	for (i = 0; i < r->topics->n; i++) {
		if (bcast_has(mask, i))
			n += r->per_topic[i];
	}
	return (n);
}

/* The subscriber of a hand, subscribing it at its first get; or NULL. */
struct bcast_sub *
bc_sub(struct rack_bcast *r, struct hand *hand, unsigned station)
{
	struct bcast_sub	*s;
	int16_t			 i;

	if (hand == NULL || hand->who >= r->nslots || station == 0)
		return (NULL);
	if ((i = r->sub_of[hand->who]) >= 0)
		return (&r->subs[i]);
	if (station >= SCN_MAX_STATIONS)
		return (NULL);
	if (r->nsubs == BCAST_MAX_SUBS) {
		/* Said once, and the run stops: never a subscriber ignored. */
		if (r->error[0] == '\0')
			snprintf(r->error, sizeof r->error,
			    _("a broadcast has at most %d subscribers"),
			    BCAST_MAX_SUBS);
		atomic_store(&r->aborted, 1);
		bc_wake(r, BC_MESSAGE);
		bc_wake(r, BC_STATE);
		return (NULL);
	}
	s = &r->subs[r->nsubs];
	memset(s, 0, sizeof *s);
	s->slot = hand->who;
	s->station = station;
	s->state = BSUB_ON;
	s->joined_t = r->sync == RACK_VIRTUAL ? vclock_now(r->vc) :
	    run_clock_now(r->clock);
	memcpy(s->mask, r->st_mask[station], sizeof s->mask);
	s->late = bc_published_on(r, s->mask);
	for (i = 0; i < BCAST_MAX_TOPICS; i++) {
		/* A network home's: the seqs it has seen of each topic. */
		s->joined_seq[i] = (uint32_t)r->per_topic[i];
		s->next_seq[i] = s->joined_seq[i] + 1;
	}
	r->sub_of[hand->who] = (int16_t)r->nsubs++;
	r->subscribed++;
	bc_wake(r, BC_STATE);
	return (s);
}

/* A copy's task_done, with mu held. */
void
bc_pay(struct rack_bcast *r, struct hand *hand)
{
	int16_t	i;

	if (hand->who < r->nslots && (i = r->sub_of[hand->who]) >= 0)
		r->subs[i].done++;
	/* A network home's join looks every 10 ms: no wake-up a copy. */
	if (r->unfinished > 0 && --r->unfinished == 0)
		bc_wake(r, BC_STATE);
	atomic_store_explicit(&hand->dish, DISH_NONE, memory_order_relaxed);
	atomic_store_explicit(&hand->owes, 0, memory_order_relaxed);
	atomic_store_explicit(&hand->owed, DISH_NONE, memory_order_relaxed);
}

/* The subscriber leaves: what it lived through is fixed now. */
void
bc_leave(struct rack_bcast *r, struct bcast_sub *s)
{
	if (s->state != BSUB_ON)
		return;
	s->state = BSUB_LEFT;
	s->life = bc_published_on(r, s->mask);
	/* What still waited for it goes with it: missed, not lost. */
	s->dropped += s->count;
	r->unfinished -= s->count < r->unfinished ? s->count : r->unfinished;
	atomic_fetch_sub(&r->depth, s->count);
	s->count = 0;
	if (r->unfinished == 0)
		bc_wake(r, BC_STATE);
}

static int
bc_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s;
	unsigned		 topic, i, to = 0;
	uint32_t		 depth = 0;
	int			 rc;

	if (blocked != NULL)
		*blocked = 0;
	topic = bcast_topic_of(r->topics, d);
	bc_lock(r);
	/* sync = yes: the guide's node coordination, before the first. */
	while (r->want_sync && r->subscribed < r->expected && !r->closed) {
		if (blocked != NULL)
			*blocked = 1;
		if ((rc = bc_wait(r, BC_STATE, -1)) == -1) {
			bc_unlock(r);
			return (-1);
		}
	}
	if (r->closed || atomic_load(&r->aborted)) {
		bc_unlock(r);
		return (-1);
	}
	r->per_topic[topic]++;
	r->published++;
	for (i = 0; i < r->nsubs; i++) {
		s = &r->subs[i];
		if (s->state != BSUB_ON || !bcast_has(s->mask, topic))
			continue;
		to++;
		if (s->count >= r->hwm) {
			s->dropped++;
			continue;
		}
		r->q[(size_t)i * r->hwm + (s->head + s->count) % r->hwm] = d;
		s->count++;
		r->unfinished++;
		r->copies++;
		atomic_fetch_add_explicit(&r->depth, 1, memory_order_relaxed);
		if (s->count > r->max_depth)
			r->max_depth = s->count;
		if (s->count > depth)
			depth = s->count;
	}
	if (to == 0)
		r->to_nobody++;
	if (hand != NULL)
		atomic_store_explicit(&hand->dish, DISH_NONE,
		    memory_order_relaxed);
	if (to > 0)
		bc_wake(r, BC_MESSAGE);
	bc_unlock(r);
	return ((int)depth);
}

static dish_t
bc_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s;
	dish_t			 d = DISH_NONE;
	unsigned		 station = 0;

	if (blocked != NULL)
		*blocked = 0;
	bc_lock(r);
	if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
		bc_pay(r, hand);
	/* Its first get subscribes it. */
	if (hand->who < r->nslots)
		station = r->station_of[hand->who];
	s = bc_sub(r, hand, station);
	for (;;) {
		if (s == NULL || atomic_load(&r->aborted))
			break;
		if (s->count > 0) {
			d = r->q[(size_t)(s - r->subs) * r->hwm + s->head];
			s->head = (s->head + 1) % r->hwm;
			s->count--;
			s->received++;
			atomic_fetch_sub_explicit(&r->depth, 1,
			    memory_order_relaxed);
			atomic_store_explicit(&hand->dish, d,
			    memory_order_relaxed);
			atomic_store_explicit(&hand->owed, d,
			    memory_order_relaxed);
			atomic_store_explicit(&hand->owes, 1,
			    memory_order_relaxed);
			if (depth != NULL)
				*depth = (int)s->count;
			break;
		}
		if (r->closed || atomic_load_explicit(&hand->leave,
		    memory_order_relaxed)) {
			bc_leave(r, s);
			break;
		}
		if (blocked != NULL)
			*blocked = 1;
		if (bc_wait(r, BC_MESSAGE, -1) == -1)
			break;
	}
	bc_unlock(r);
	return (d);
}

void
rack_bcast_enrol(struct rack *base, unsigned slot, unsigned station)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (slot < r->nslots && station < SCN_MAX_STATIONS)
		r->station_of[slot] = (uint8_t)station;
}

/*
 * A dead subscriber's copy is not put back for anyone else (each has its
 * own); it leaves, and what it held or had queued is missed.
 */
int
bc_reclaim(struct rack *base, struct hand *hand)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	int16_t			 i;

	bc_lock(r);
	if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
		bc_pay(r, hand);
	if (hand->who < r->nslots && (i = r->sub_of[hand->who]) >= 0) {
		if (r->net)
			bc_net_leave(r, &r->subs[i]);
		else
			bc_leave(r, &r->subs[i]);
	}
	bc_unlock(r);
	return (0);
}

int
bc_task_done(struct rack *base, struct hand *hand)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	int			 rc = 0;

	bc_lock(r);
	if (r->unfinished == 0)
		rc = -1;
	bc_pay(r, hand);
	bc_unlock(r);
	return (rc);
}

/* Every copy delivered has been done (or went with its subscriber). */
static int
bc_join(struct rack *base, int64_t timeout_ns)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	int64_t			 deadline = 0, left;
	int			 rc = 0;

	if (timeout_ns >= 0)
		deadline = clock_mono_ns() + timeout_ns;
	bc_lock(r);
	while (r->unfinished > 0) {
		left = -1;
		if (timeout_ns >= 0 && r->sync != RACK_VIRTUAL) {
			if ((left = deadline - clock_mono_ns()) <= 0) {
				rc = 1;
				break;
			}
		}
		if ((rc = bc_wait(r, BC_STATE, left)) == -1)
			break;
		rc = 0;
	}
	bc_unlock(r);
	return (rc);
}

static void
bc_close(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	bc_lock(r);
	r->closed = 1;
	bc_wake(r, BC_MESSAGE);
	bc_wake(r, BC_STATE);
	bc_unlock(r);
}

void
bc_wake_takers(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	bc_lock(r);
	bc_wake(r, BC_MESSAGE);
	bc_unlock(r);
}

void
bc_abort(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	bc_lock(r);
	atomic_store(&r->aborted, 1);
	bc_wake(r, BC_MESSAGE);
	bc_wake(r, BC_STATE);
	bc_unlock(r);
}

uint32_t
bc_depth(const struct rack *base)
{
	const struct rack_bcast	*r = (const struct rack_bcast *)base;

	return (atomic_load_explicit(&r->depth, memory_order_relaxed));
}

uint32_t
bc_held(struct rack *base)
{
	return (bc_depth(base));
}

uint32_t
bc_max_depth(struct rack *base)
{
	return (((struct rack_bcast *)base)->max_depth);
}

uint64_t
bc_unfinished(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	uint64_t		 n;

	bc_lock(r);
	n = r->unfinished;
	bc_unlock(r);
	return (n);
}

/* Copies taken by subscribers. */
uint64_t
bc_taken(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	uint64_t		 n = 0;
	unsigned		 i;

	bc_lock(r);
	for (i = 0; i < r->nsubs; i++)
		n += r->subs[i].received;
	bc_unlock(r);
	return (n);
}

void
bc_destroy(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (r->sync != RACK_VIRTUAL)
		pthread_mutex_destroy(&r->mu);
}

void
rack_bcast_start(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (rack_is_broadcast(base) && r->start != NULL)
		r->start(r);
}

const char *
rack_bcast_shown(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (!rack_is_broadcast(base) || r->shown[0] == '\0')
		return (NULL);
	return (r->shown);
}

void
rack_bcast_release(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (rack_is_broadcast(base) && r->release != NULL)
		r->release(r);
}

int
rack_is_broadcast(const struct rack *r)
{
	return (r != NULL && r->ops != NULL && r->ops->depth == bc_depth);
}

size_t
rack_bcast_view(struct rack *base, struct bcast_view *out, size_t max,
    struct bcast_totals *tot)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s;
	size_t			 i, n;

	if (!rack_is_broadcast(base))
		return (0);
	bc_lock(r);
	n = r->nsubs;
	for (i = 0; i < n && i < max; i++) {
		s = &r->subs[i];
		out[i].slot = s->slot;
		out[i].station = s->station;
		out[i].state = s->state;
		out[i].joined_t = s->joined_t;
		out[i].received = s->received;
		out[i].late = s->late;
		out[i].dropped = s->dropped;
		out[i].queued = s->count;
		out[i].reconnects = s->reconnects;
		out[i].life = s->state == BSUB_LEFT ? s->life :
		    bc_published_on(r, s->mask);
		memcpy(out[i].mask, s->mask, sizeof s->mask);
	}
	if (tot != NULL) {
		tot->published = r->published;
		tot->to_nobody = r->to_nobody;
		tot->copies = r->copies;
		tot->expected = r->expected;
		tot->subscribed = r->subscribed;
		tot->sync = r->want_sync;
		tot->hwm = r->hwm;
		tot->blind = r->blind;
		memcpy(tot->per_topic, r->per_topic, sizeof tot->per_topic);
	}
	bc_unlock(r);
	return (n);
}

void
rack_bcast_resubscribe(struct rack *base, const struct station *st,
    unsigned station)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s;
	uint64_t		 mask[BCAST_MASK_WORDS];
	unsigned		 i, t;

	if (!rack_is_broadcast(base) || station >= SCN_MAX_STATIONS)
		return;
	bcast_mask(r->topics, st, mask);
	bc_lock(r);
	memcpy(r->st_mask[station], mask, sizeof mask);
	atomic_fetch_add(&r->st_gen, 1);
	/* A network home's subscribers subscribe to the new ones first. */
	for (i = 0; i < r->nsubs && !r->net; i++) {
		s = &r->subs[i];
		if (s->station != station || s->state != BSUB_ON)
			continue;
		/* A topic added now: what it had before was missed. */
		for (t = 0; t < r->topics->n; t++) {
			if (bcast_has(mask, t) && !bcast_has(s->mask, t))
				s->late += r->per_topic[t];
		}
		/*
		 * Topics are only added while it lives (no UNSUBSCRIBE), so
		 * what it lived through stays whole: received + missed =
		 * published on its topics.
		 */
		for (t = 0; t < BCAST_MASK_WORDS; t++)
			s->mask[t] |= mask[t];
	}
	bc_unlock(r);
}

void
bc_net_arrived(struct bcast_sub *s, unsigned t, uint32_t seq)
{
	uint32_t	gap;

	if (t >= BCAST_MAX_TOPICS)
		return;
	if (seq <= s->joined_seq[t]) {
		/* In flight as it subscribed: counted late, came after all. */
		if (s->late > 0)
			s->late--;
		s->received++;
		return;
	}
	if (seq < s->next_seq[t])
		return;		/* seen already: at most once */
	if ((gap = seq - s->next_seq[t]) > 0) {
		/*
		 * Before its first message, a gap is the slow joiner's: the
		 * subscription had not reached the publisher yet (ZeroMQ
		 * sends it on its own time). After it, the transport dropped
		 * them (the high-water mark).
		 */
		if (s->next_seq[t] == s->joined_seq[t] + 1)
			s->late += gap;
		else
			s->dropped += gap;
	}
	s->next_seq[t] = seq + 1;
	s->received++;
}

void
bc_net_published(struct rack_bcast *r, dish_t d, uint64_t s)
{
	if (d < r->nseq)
		r->seq_of[d] = (uint32_t)s;
}

void
rack_bcast_expect(struct rack *base, unsigned n)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (base == NULL || !rack_is_broadcast(base) || n == 0)
		return;
	bc_lock(r);
	r->expected += n;
	bc_unlock(r);
}

void
rack_bcast_remote(struct rack *base, unsigned slot, unsigned station,
    int kind, dish_t d)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s = NULL;
	struct hand		 h;
	int16_t			 i;

	if (!rack_is_broadcast(base) || slot >= r->nslots)
		return;
	memset(&h, 0, sizeof h);
	h.who = slot;
	bc_lock(r);
	if ((i = r->sub_of[slot]) >= 0)
		s = &r->subs[i];
	else if (kind != EV_EXIT) {
		/*
		 * It subscribed about now, over there: what was published
		 * before is late, less what arrives of it all the same
		 * (bc_net_arrived), as for a subscriber of the run's own.
		 */
		r->station_of[slot] = (uint8_t)station;
		s = bc_sub(r, &h, station);
	}
	if (s == NULL || s->state != BSUB_ON) {
		bc_unlock(r);
		return;
	}
	switch (kind) {
	case EV_GET:
		if (d < r->nseq && r->seq_of[d] != 0)
			bc_net_arrived(s, bcast_topic_of(r->topics, d),
			    r->seq_of[d]);
		else
			s->received++;
		break;
	case EV_DONE:
		bc_pay(r, &h);
		break;
	case EV_EXIT:
		bc_net_leave(r, s);
		break;
	}
	bc_unlock(r);
}

void
bc_net_leave(struct rack_bcast *r, struct bcast_sub *s)
{
	uint64_t	top, n;
	unsigned	t;

	if (s->state != BSUB_ON)
		return;
	for (t = 0; t < r->topics->n; t++) {
		if (!bcast_has(s->mask, t))
			continue;
		top = s->next_seq[t] - 1;
		if (top < s->joined_seq[t])
			top = s->joined_seq[t];
		if (r->per_topic[t] <= top)
			continue;
		n = r->per_topic[t] - top;
		if (s->next_seq[t] == s->joined_seq[t] + 1)
			s->late += n;
		else
			s->dropped += n;
	}
	bc_leave(r, s);
}

int
bc_net_join(struct rack *base, int64_t timeout_ns)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s;
	uint64_t		 pending, seen, life;
	int64_t			 start = clock_mono_ns();
	unsigned		 i;
	int			 rc = 0;

	bc_lock(r);
	for (;;) {
		pending = seen = 0;
		for (i = 0; i < r->nsubs; i++) {
			s = &r->subs[i];
			seen += s->received + s->late + s->dropped + s->done;
			if (s->state != BSUB_ON)
				continue;
			life = bc_published_on(r, s->mask);
			if (life > s->late + s->dropped + s->done)
				pending += life - (s->late + s->dropped +
				    s->done);
		}
		if (pending == 0 || atomic_load(&r->aborted))
			break;
		/* Kept in the rack: the conductor joins a slice at a time. */
		if (seen != r->join_seen || r->join_moved == 0) {
			r->join_seen = seen;
			r->join_moved = clock_mono_ns();
		} else if (clock_mono_ns() - r->join_moved > NSEC_PER_SEC)
			break;	/* dropped on the way: the end will tell */
		if (timeout_ns >= 0 && clock_mono_ns() - start > timeout_ns) {
			rc = 1;
			break;
		}
		if (bc_wait(r, BC_STATE, 10 * NSEC_PER_MSEC) == -1) {
			rc = -1;
			break;
		}
	}
	bc_unlock(r);
	return (rc);
}
