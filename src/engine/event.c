/*
 * event.c: single-producer single-consumer rings. The producer publishes
 * with a release store of head, the consumer frees space with a release
 * store of tail; each side reads the other's index with acquire.
 */
#include "config.h"

#include "event.h"

#include <sched.h>

#include "clock.h"

size_t
ev_ring_size(uint32_t n)
{
	return (sizeof(struct ev_ring) + (size_t)n * sizeof(struct ev_rec));
}

void
ev_ring_init(struct ev_ring *r, uint32_t n)
{
	atomic_store(&r->head, 0);
	atomic_store(&r->tail, 0);
	r->tail_seen = 0;
	atomic_store(&r->abandoned, 0);
	atomic_store(&r->dropped, 0);
	r->mask = n - 1;
}

void
ev_ring_put(struct ev_ring *r, int64_t t, enum ev_kind kind, uint32_t dish,
    int32_t arg)
{
	struct ev_rec	*rec;
	uint64_t	head, tail;
	unsigned	spins = 0;

	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	for (;;) {
		if (head - r->tail_seen <= r->mask)
			break;
		tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		r->tail_seen = tail;
		if (head - tail <= r->mask)
			break;
		if (atomic_load_explicit(&r->abandoned, memory_order_relaxed)) {
			atomic_fetch_add(&r->dropped, 1);
			return;
		}
		if (++spins < 64)
			sched_yield();
		else
			clock_sleep_ns(50000);
	}
	rec = &r->ev[head & r->mask];
	rec->tk = (uint64_t)(t < 0 ? 0 : t) << 8 | (uint8_t)kind;
	rec->dish = dish;
	rec->arg = arg;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

size_t
ev_ring_take(struct ev_ring *r, struct event *out, size_t max,
    uint32_t worker, uint16_t station)
{
	const struct ev_rec	*rec;
	uint64_t		 head, tail;
	size_t			 n = 0;

	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	while (tail != head && n < max) {
		rec = &r->ev[tail++ & r->mask];
		out[n].t = (int64_t)(rec->tk >> 8);
		out[n].kind = (uint16_t)(rec->tk & 0xff);
		out[n].worker = worker;
		out[n].station = station;
		out[n].dish = rec->dish;
		out[n].arg = rec->arg;
		n++;
	}
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return (n);
}

const char *
ev_kind_name(enum ev_kind k)
{
	static const char *const names[EV_NKINDS] = {
		"spawn", "wait-get", "get", "work", "worked", "wait-put",
		"put", "done", "exit", "script", "control", "wait-gil",
		"got-gil", "wait-lock", "got-lock", "cup-read", "cup-wrote",
		"cup-lost"
	};

	if ((unsigned)k >= EV_NKINDS)
		return ("?");
	return (names[k]);
}
