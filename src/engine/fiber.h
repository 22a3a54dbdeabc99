/*
 * fiber.h: stacks of their own on one thread. The async executor's tasks
 * run on them: a fiber runs until it switches to another, and nothing
 * preempts it, which is the whole of the asyncio lesson.
 */
#ifndef DISHRACK_FIBER_H
#define DISHRACK_FIBER_H

#include <stddef.h>

struct fiber;

/* The calling thread's own stack, as a fiber to switch away from. */
struct fiber	*fiber_of_thread(void);

/*
 * A fiber that will run fn(arg) on a fresh stack the first time it is
 * switched to. fn must never return: its last act is a final switch.
 * NULL if there is no memory for the stack.
 */
struct fiber	*fiber_create(void (*fn)(void *), void *arg);

/*
 * Leave from (the fiber running now) for to. Returns when some fiber
 * switches back to from. With last set, from never runs again and may be
 * freed once to runs.
 */
void		 fiber_switch(struct fiber *from, struct fiber *to, int last);

void		 fiber_free(struct fiber *);

#endif
