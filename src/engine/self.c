/*
 * self.c: this process's id, learnt once and again in each child of a
 * fork (pthread_atfork), so that asking it costs a load, not a system
 * call: the Redis link asks at every command whether its connection is
 * its own or a copy made by a fork.
 */
#include "config.h"

#include "self.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static pthread_once_t	self_once = PTHREAD_ONCE_INIT;
static _Atomic pid_t	self;

static void
self_child(void)
{
	atomic_store(&self, getpid());
}

static void
self_init(void)
{
	atomic_store(&self, getpid());
	pthread_atfork(NULL, NULL, self_child);
}

pid_t
self_pid(void)
{
	pthread_once(&self_once, self_init);
	return (atomic_load_explicit(&self, memory_order_relaxed));
}
