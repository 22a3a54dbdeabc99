/*
 * rack_redis.h: the Redis home of a rack: a list in a real redis-server,
 * shared by threads, forked workers and (later) agents on other hosts.
 */
#ifndef DISHRACK_RACK_REDIS_H
#define DISHRACK_RACK_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "rack.h"
#include "redis_link.h"
#include "scenario.h"

extern const struct rack_ops rack_redis;

/* Bytes a Redis rack takes in the run's arena. */
size_t	rack_redis_size(void);

/*
 * Set up a Redis rack in mem (zeroed): its keys are prefix + "rI:" + a
 * name each. reliable: every taker moves its dish into a list of its own
 * and acknowledges it, so a taker that dies loses nothing; else the
 * lecture's RPUSH and BLPOP, where it does. w lives as long as the rack.
 * 0, or -1 with *cause.
 */
int	rack_redis_init(struct rack *, const struct redis_where *w,
	    const char *prefix, unsigned index, uint32_t capacity,
	    int reliable, const struct scenario *, char **cause);

/*
 * Count puts and takes made on another host (an agent's, told by its
 * events), so the depth this run shows is the rack's. Local racks: nothing.
 */
void	rack_redis_note(struct rack *, unsigned puts, unsigned takes);

/*
 * Is dish d still in the list of hand's taker (a reliable rack)? 1 yes,
 * 0 no (acknowledged: it was let go), -1 cannot say (plain, not Redis's,
 * Redis away).
 */
int	rack_redis_held(struct rack *, const struct hand *, dish_t d);

#endif
