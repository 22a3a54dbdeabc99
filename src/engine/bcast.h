/*
 * bcast.h: what every home of a broadcast rack shares: the run's topics,
 * which topic each message has, how a subscription matches a topic, and
 * each subscriber's books (received, missed before it subscribed, missed
 * at the high-water mark). doc/pubsub.md has the design.
 */
#ifndef DISHRACK_BCAST_H
#define DISHRACK_BCAST_H

#include <stddef.h>
#include <stdint.h>

#include "rack.h"
#include "scenario.h"

#define BCAST_MAX_TOPICS	256	/* distinct topics of one run */
#define BCAST_MASK_WORDS	(BCAST_MAX_TOPICS / 64)
#define BCAST_MAX_SUBS		64	/* subscribers of one run */
#define BCAST_MAX_HWM		65536	/* messages one subscriber may queue */

/*
 * The run's topics, made once before any worker starts and only read
 * after (so a forked child may read its copy): the distinct names, the
 * [rack] topics list as indexes into them, and for pick = dish the topic
 * of every dish.
 */
struct bcast_topics {
	enum topic_pick	 pick;
	uint64_t	 seed;
	unsigned	 n;			/* distinct topics */
	unsigned	 nlist;
	uint16_t	 list[SCN_MAX_TOPICS];	/* [rack] topics, as ids */
	uint64_t	 ndishes;
	uint16_t	*of_dish;		/* pick = dish: per dish */
	char		 name[BCAST_MAX_TOPICS][SCN_TOPIC_MAX];
};

/* A subscriber as the views see it. */
struct bcast_view {
	unsigned	 slot;		/* the worker's */
	unsigned	 station;
	int		 state;		/* BSUB_* */
	int64_t		 joined_t;	/* when it subscribed */
	uint64_t	 received;
	uint64_t	 late;		/* missed: published before it subscribed */
	uint64_t	 dropped;	/* missed: its queue was at the HWM */
	uint64_t	 queued;	/* waiting for it at the end */
	uint64_t	 life;		/* published on its topics while it lived */
	unsigned	 reconnects;	/* Redis closed it (its output buffer) */
	uint64_t	 mask[BCAST_MASK_WORDS];	/* its topics */
};

#define BSUB_FREE	0
#define BSUB_ON		1	/* subscribed */
#define BSUB_LEFT	2

/*
 * What a broadcast rack tells the views: its subscribers (up to max of
 * them in out; returns how many there are) and its totals.
 */
struct bcast_totals {
	uint64_t	 published;
	uint64_t	 to_nobody;	/* no subscriber had its topic */
	uint64_t	 copies;	/* delivered to a subscriber's queue */
	unsigned	 expected;	/* subscribers sync waits for */
	unsigned	 subscribed;	/* have subscribed so far */
	int		 sync;
	uint32_t	 hwm;		/* a subscriber's queue at most */
	int		 blind;		/* to_nobody unknown (ZeroMQ's PUB) */
	uint64_t	 per_topic[BCAST_MAX_TOPICS];
};

/* Bytes for the per-dish topics of scn (0 unless pick = dish). */
size_t		 bcast_topics_extra(const struct scenario *);

/*
 * Fill t from scn; of_dish has bcast_topics_extra bytes. Returns 0, or
 * -1 with *cause (too many distinct topics, none to pick from).
 */
int		 bcast_topics_init(struct bcast_topics *,
		    const struct scenario *, uint16_t *of_dish, char **cause);

/* The topic of dish d, an index below t->n. */
unsigned	 bcast_topic_of(const struct bcast_topics *, dish_t);

/* Does pattern ("persian", or a prefix "mai*", or "*") match topic? */
int		 bcast_match(const char *pattern, const char *topic);

/* The topics a station subscribes to, as a mask over t. */
void		 bcast_mask(const struct bcast_topics *, const struct station *,
		    uint64_t mask[BCAST_MASK_WORDS]);

static inline int
bcast_has(const uint64_t *mask, unsigned topic)
{
	return ((mask[topic / 64] >> (topic % 64)) & 1);
}

/*
 * A say template with {topic} besides {dish} and {worker}, as
 * output_render does.
 */
void		 bcast_render(const char *tmpl, const char *topic,
		    const char *dish, const char *worker, char *buf, size_t len);

/*
 * Check that a broadcast scenario makes sense: a publisher and at least
 * one station of subscribers, no agents. 0, or -1 with *cause.
 */
int		 bcast_check(const struct scenario *, char **cause);

/* The local home of a broadcast rack (rack_bcast.c). */
extern const struct rack_ops rack_bcast;

size_t		 rack_bcast_size(const struct scenario *, unsigned nslots);

/*
 * Set up a broadcast rack in mem (rack_bcast_size bytes, zeroed) for the
 * scenario's subscriber stations, with worker slots 0..nslots-1. topics
 * must outlive it. 0, or -1 with *cause.
 */
struct run_clock;
int		 rack_bcast_init(struct rack *, enum rack_sync, struct vclock *,
		    const struct run_clock *, const struct scenario *,
		    const struct bcast_topics *, unsigned nslots,
		    char **cause);

/*
 * Views of a broadcast rack, whatever its home: NULL for a queue. Its
 * subscribers (up to max) and its totals; returns how many subscribers.
 */
size_t		 rack_bcast_view(struct rack *, struct bcast_view *, size_t max,
		    struct bcast_totals *);

/*
 * A station's subscriptions changed (a [script] set): its subscribers
 * listen to the new topics from now on (what was published on them
 * before is missed); topics are only added to a subscriber that lives,
 * never taken away, and new subscribers take the station's list.
 */
void		 rack_bcast_resubscribe(struct rack *, const struct station *,
		    unsigned station);

/*
 * An agent's subscriber (slot, of station) did kind with dish d, as its
 * events say (agents.c, agents_zmq.c): the run's books count it as they
 * count their own subscribers', received and missed.
 */
void		 rack_bcast_remote(struct rack *, unsigned slot,
		    unsigned station, int kind, dish_t d);

/* Slot slot is a worker of station (engine_spawn, before it starts). */
void		 rack_bcast_enrol(struct rack *, unsigned slot,
		    unsigned station);

/*
 * The run's workers have started (the conductor, in the main process,
 * after its first forks): a home may make what its publisher needs, as
 * ZeroMQ binds its XPUB socket. NULL is fine.
 */
void		 rack_bcast_start(struct rack *);

/*
 * What a home holds outside the arena (sockets, a directory) goes, even
 * where the rack itself is not destroyed (shared memory). Idempotent;
 * NULL is fine.
 */
void		 rack_bcast_release(struct rack *);

/* Where a network home's broadcast is, for the views; NULL if local. */
const char	*rack_bcast_shown(struct rack *);

/* Is this rack a broadcast (of any home)? */
int		 rack_is_broadcast(const struct rack *);

/*
 * sync = yes: also wait for n subscribers of agents (--wait-agents), who
 * say they are there as the run's own do, over the same home. NULL, or a
 * rack not a broadcast, is fine.
 */
void		 rack_bcast_expect(struct rack *, unsigned n);

#endif
