/*
 * rack_bcast_redis.h: the broadcast rack over Redis PUBLISH and
 * SUBSCRIBE (rack_bcast_redis.c).
 */
#ifndef DISHRACK_RACK_BCAST_REDIS_H
#define DISHRACK_RACK_BCAST_REDIS_H

#include "bcast.h"

struct redis_where;

extern const struct rack_ops rack_bcast_redis;

/*
 * Set up a broadcast rack in mem (rack_bcast_size bytes, zeroed) whose
 * messages go through the Redis at where, on channels under prefix.
 * 0, or -1 with *cause.
 */
int	rack_bcast_redis_init(struct rack *, enum rack_sync,
	    const struct run_clock *, const struct scenario *,
	    const struct bcast_topics *, unsigned nslots,
	    const struct redis_where *, const char *prefix, char **cause);

#endif
