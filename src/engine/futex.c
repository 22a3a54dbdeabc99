/*
 * futex.c: futex(2) through syscall(2), which glibc does not wrap.
 */
#include "config.h"

#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int
futex_wait(_Atomic uint32_t *word, uint32_t expected, int64_t timeout_ns,
    int shared)
{
	struct timespec	 ts, *tp = NULL;
	long		 rc;

	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / NSEC_PER_SEC;
		ts.tv_nsec = timeout_ns % NSEC_PER_SEC;
		tp = &ts;
	}
	/* The timeout of FUTEX_WAIT is relative, on CLOCK_MONOTONIC. */
	rc = syscall(SYS_futex, (uint32_t *)word,
	    shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, expected, tp, NULL, 0);
	return (rc == -1 && errno == ETIMEDOUT ? 1 : 0);
}

void
futex_wake(_Atomic uint32_t *word, int n, int shared)
{
	syscall(SYS_futex, (uint32_t *)word,
	    shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}
