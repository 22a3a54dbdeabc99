/*
 * zmq_link.h: the calling process's ZeroMQ context and sockets, and where
 * a run's sockets live. Generic: racks use it for ROUTER/DEALER and
 * PUSH/PULL, and any other part (publish-subscribe) for PUB/SUB.
 *
 * - One context per process, made on first use and made again in a child
 *   after fork (a context must never cross fork: its I/O thread does not).
 *   The parent's context and sockets are left alone in the child.
 * - Every socket has ZMQ_LINGER = 0, so no close and no exit ever waits
 *   for a peer that is gone, and is registered, so zl_end closes what a
 *   finished thread left open before the context is terminated.
 * - A transport: "zmq" is ipc:// in a private mkdtemp directory, removed
 *   at the end; "zmq+tcp://HOST:PORT" (or "tcp://HOST:PORT", an agent's
 *   spelling) binds the run's first socket on HOST:PORT and the others on
 *   ports the kernel picks, which the first socket's peers are told.
 */
#ifndef DISHRACK_ZMQ_LINK_H
#define DISHRACK_ZMQ_LINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ZL_HOST_MAX	256
#define ZL_DIR_MAX	100	/* with a socket's name, within sun_path */
#define ZL_EP_MAX	(ZL_HOST_MAX + 32)	/* an endpoint's text */

/* Where a run's sockets are; in the run's arena, so children read it. */
struct zl_where {
	int	 tcp;			/* 0: ipc in dir */
	char	 host[ZL_HOST_MAX];
	int	 port;
	char	 dir[ZL_DIR_MAX];	/* ipc: the private directory */
	char	 shown[ZL_EP_MAX];	/* what messages and the screen say */
};

/*
 * Parse a transport: "zmq", "zmq+tcp://HOST:PORT" or "tcp://HOST:PORT".
 * HOST is a name, an IPv4 address or "*" (every interface; peers then
 * need the host's address). 0, or -1 with *why (no position).
 */
int	 zl_where_parse(const char *, struct zl_where *, char **why);

/* 1 if the transport text names ZeroMQ, whether or not it parses. */
int	 zl_is_transport(const char *);

/* Make the ipc directory (nothing for tcp). 0, or -1 with *cause. */
int	 zl_where_open(struct zl_where *, char **cause);

/* Remove the ipc directory and what is in it. */
void	 zl_where_close(struct zl_where *);

/*
 * The endpoint to bind a socket named name on: ipc://DIR/NAME, or
 * tcp://HOST:PORT for the first (first != 0) and tcp://HOST:* for the
 * rest. Returns buf.
 */
char	*zl_bind_endpoint(const struct zl_where *, const char *name, int first,
	    char *buf, size_t len);

/* This process's context; NULL with *cause if none can be made. */
void	*zl_ctx(char **cause);

/*
 * A socket of type, ZMQ_LINGER = 0, high-water marks hwm (both ways; 0:
 * none, as ZeroMQ's own 0 means). NULL with *cause.
 */
void	*zl_socket(int type, int hwm, char **cause);

/* Bind; *actual (if not NULL, ZL_EP_MAX) gets the endpoint bound. */
int	 zl_bind(void *, const char *endpoint, char *actual, char **cause);
int	 zl_connect(void *, const char *endpoint, char **cause);

/* Close one socket of this process and forget it. */
void	 zl_close(void *);

/*
 * Close every socket of this process and terminate its context: the
 * sockets of threads that have ended too. Threads that still run must no
 * longer use theirs: a socket kept by zl_thread_get is forgotten.
 */
void	 zl_end(void);

/*
 * The calling thread's socket for (owner, role): a socket kept per thread,
 * since a ZeroMQ socket must not be shared between threads. NULL if this
 * thread has none yet (or one from before a fork or a zl_end).
 */
void	*zl_thread_get(const void *owner, int role);
void	 zl_thread_put(const void *owner, int role, void *sock);
/* Close the calling thread's socket for (owner, role), if it has one. */
void	 zl_thread_drop(const void *owner, int role);

/* This process's id, without a system call (kept across fork). */
pid_t	 zl_pid_self(void);

/* The open sockets of this process (for tests: nothing leaks). */
unsigned zl_open_sockets(void);

/*
 * Socket monitors: what a socket's connections do, as they happen.
 * zl_monitor starts one on sock and returns the PAIR socket its events
 * come out of (read with zl_monitor_read, which never waits).
 */
enum zl_link {
	ZL_CONNECTED,		/* a connect made (or retried and made) */
	ZL_ACCEPTED,		/* a bound socket took a peer */
	ZL_DISCONNECTED,	/* a peer went (closed, died, the net broke) */
	ZL_OTHER
};

struct zl_event {
	enum zl_link	 what;
	char		 endpoint[ZL_EP_MAX];
};

void	*zl_monitor(void *sock, char **cause);
int	 zl_monitor_read(void *mon, struct zl_event *);	/* 1, or 0: none */

#endif
