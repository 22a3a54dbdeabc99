/*
 * futex.h: waiting on a 32-bit word, as Linux's futex(2) offers it.
 *
 * A word a waiter watches and a waker changes is the one wait a process
 * that dies can never wedge: the kernel keeps no state for a waiter once
 * it is gone, and a waker that dies between its change and its wake costs
 * the waiters only their timeout. glibc's process-shared condition
 * variables keep waiter counts in the shared memory, which a killed
 * waiter leaves wrong for ever (doc/robust-waits.md).
 */
#ifndef DISHRACK_FUTEX_H
#define DISHRACK_FUTEX_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * Sleep while *word == expected, at most timeout_ns (< 0: no limit).
 * shared: the word is in memory shared between processes. Returns 0 after
 * a wake-up (or at once, the word having moved, or a signal), 1 on
 * timeout.
 */
int	futex_wait(_Atomic uint32_t *word, uint32_t expected,
	    int64_t timeout_ns, int shared);

/* Wake up to n sleepers on word (INT32_MAX: all). */
void	futex_wake(_Atomic uint32_t *word, int n, int shared);

#endif
