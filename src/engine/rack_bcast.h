/*
 * rack_bcast.h: the broadcast rack's state, in the run's arena. The local
 * home keeps each subscriber's queue here; the network homes (Redis,
 * ZeroMQ) move the messages themselves and keep only the books here.
 * Only the rack_bcast*.c files and tests look inside.
 */
#ifndef DISHRACK_RACK_BCAST_H
#define DISHRACK_RACK_BCAST_H

#include "bcast.h"

enum {
	BC_MESSAGE,		/* a subscriber's queue got one, or the end */
	BC_STATE,		/* all done, or a subscriber came (sync) */
	BC_NCONDS
};

/* One subscriber: a worker of a subscriber station. */
struct bcast_sub {
	int		 state;		/* BSUB_* */
	unsigned	 slot;
	unsigned	 station;
	int64_t		 joined_t;
	uint64_t	 mask[BCAST_MASK_WORDS];
	uint64_t	 late;		/* published on its topics before */
	uint64_t	 dropped;	/* at the high-water mark */
	uint64_t	 received;
	uint64_t	 life;		/* published on its topics, at leave */
	uint64_t	 done;		/* copies it has finished */
	unsigned	 reconnects;	/* its connection broke (Redis) */
	uint32_t	 head;		/* its queue (local home) */
	uint32_t	 count;
	/* Network homes: per topic, the last seq before it listened, next. */
	uint32_t	 joined_seq[BCAST_MAX_TOPICS];
	uint32_t	 next_seq[BCAST_MAX_TOPICS];
};

/*
 * DESIGN: every field but depth and aborted changes with mu held (on a
 * clock, with the baton). The publisher's put and a subscriber's
 * subscribe take the same lock, so a message is either published before
 * a subscriber listens to its topic (missed, counted late) or after (in
 * its queue, or dropped at the high-water mark): nothing falls between.
 */
struct rack_bcast {
	struct rack	 base;
	pthread_mutex_t	 mu;
	enum rack_sync	 sync;
	struct vclock	*vc;
	const struct run_clock *clock;	/* the run's, for joined_t */
	_Atomic uint32_t seq[BC_NCONDS];
	struct vwaitq	 vq[BC_NCONDS];
	unsigned	 waiting[BC_NCONDS];
	int		 closed;
	_Atomic int	 aborted;
	int		 want_sync;
	unsigned	 expected;	/* subscribers sync waits for */
	unsigned	 subscribed;
	uint32_t	 hwm;		/* per subscriber */
	uint64_t	 unfinished;	/* copies queued or in hand */
	uint64_t	 published;
	uint64_t	 to_nobody;
	uint64_t	 copies;
	_Atomic uint32_t depth;		/* copies queued, all subscribers */
	uint32_t	 max_depth;	/* the most one subscriber had queued */
	const struct bcast_topics *topics;
	const struct scenario *scn;	/* its stations' subscriptions */
	uint64_t	 per_topic[BCAST_MAX_TOPICS];
	uint64_t	 st_mask[SCN_MAX_STATIONS][BCAST_MASK_WORDS];
	_Atomic unsigned st_gen;	/* st_mask changed (a [script] set) */
	unsigned	 nslots;
	int16_t		*sub_of;	/* slot -> subscriber, or -1 */
	uint8_t		*station_of;	/* slot -> its station (0: publisher) */
	unsigned	 nsubs;
	struct bcast_sub subs[BCAST_MAX_SUBS];
	dish_t		*q;		/* BCAST_MAX_SUBS queues of hwm */
	uint32_t	*seq_of;	/* dish -> its topic's seq, once out */
	uint64_t	 nseq;

	/* A network home's (Redis, ZeroMQ). */
	int		 net;
	const void	*where;		/* its address */
	char		 prefix[64];	/* its channels' or endpoint's */
	int		 synced;	/* the publisher saw every subscriber */
	int		 blind;		/* the publisher cannot tell who got it */
	void		(*start)(struct rack_bcast *);	/* the run began */
	void		(*release)(struct rack_bcast *); /* sockets, dirs */
	uint64_t	 join_seen;	/* what a join saw last, and when */
	int64_t		 join_moved;
	char		 error[256];	/* why it gave up, or "" */
	char		 shown[160];	/* where it is, for views, or "" */
};

/* What every home shares (rack_bcast.c); mu is held where it says. */
void		 bc_lock(struct rack_bcast *);
void		 bc_unlock(struct rack_bcast *);
void		 bc_wake(struct rack_bcast *, int);
int		 bc_wait(struct rack_bcast *, int, int64_t);
uint64_t	 bc_published_on(const struct rack_bcast *, const uint64_t *);
struct bcast_sub *bc_sub(struct rack_bcast *, struct hand *, unsigned);
void		 bc_pay(struct rack_bcast *, struct hand *);
void		 bc_leave(struct rack_bcast *, struct bcast_sub *);
int		 bc_reclaim(struct rack *, struct hand *);
int		 bc_task_done(struct rack *, struct hand *);
void		 bc_wake_takers(struct rack *);
void		 bc_abort(struct rack *);
uint32_t	 bc_depth(const struct rack *);
uint32_t	 bc_held(struct rack *);
uint32_t	 bc_max_depth(struct rack *);
uint64_t	 bc_unfinished(struct rack *);
uint64_t	 bc_taken(struct rack *);
void		 bc_destroy(struct rack *);

/*
 * A network home's join: every subscriber there has finished or missed
 * what was published on its topics, or nothing has moved for a second
 * (a copy the transport dropped is only known as such at the end).
 */
int		 bc_net_join(struct rack *, int64_t);

/*
 * A network subscriber's message: topic's seq s arrived. The books say
 * whether it was one counted late (in flight as it subscribed), and what
 * the transport dropped before it. mu is held.
 */
void		 bc_net_arrived(struct bcast_sub *, unsigned topic, uint32_t s);

/* It leaves: what never came of its topics was dropped. mu is held. */
void		 bc_net_leave(struct rack_bcast *, struct bcast_sub *);

/* A network home's publish gave d its topic's seq s. mu is held. */
void		 bc_net_published(struct rack_bcast *, dish_t, uint64_t s);

#endif
