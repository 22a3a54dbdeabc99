/*
 * redis_link.h: where a run's Redis is, and the calling thread's
 * connection to it. A run either starts a private redis-server on a Unix
 * socket in a temporary directory of its own (transport = redis), or uses
 * one a URL names (redis://[:PASSWORD@]HOST:PORT[/DB], unix:///PATH).
 *
 * hiredis 0.14 contexts are not thread-safe and must not cross fork(), so
 * each thread (and each forked worker) makes its own, on first use.
 */
#ifndef DISHRACK_REDIS_LINK_H
#define DISHRACK_REDIS_LINK_H

#include <stdint.h>
#include <sys/types.h>

#define REDIS_HOST_MAX	256
#define REDIS_PATH_MAX	108	/* sun_path */
#define REDIS_PASS_MAX	128

/*
 * An address; it lives in the run's arena, so forked workers read it.
 * shown is what messages and the screen say: never the password.
 */
struct redis_where {
	char	 host[REDIS_HOST_MAX];	/* "" for a Unix socket */
	int	 port;
	char	 path[REDIS_PATH_MAX];
	char	 password[REDIS_PASS_MAX];
	int	 db;
	int64_t	 timeout_ns;		/* how long an outage may last */
	char	 shown[REDIS_HOST_MAX + REDIS_PATH_MAX + 32];
	/*
	 * Since when (monotonic ns) no command has gone through, or 0:
	 * written by whichever worker, thread or forked process, meets the
	 * outage or its end, read by the views (the header, one line).
	 */
	_Atomic int64_t down_since;
};

/* A redis-server this run started, stopped by its pid. */
struct redis_private {
	pid_t	 pid;
	char	 dir[64];		/* its temporary directory */
	int	 durable;		/* append-only file, fsync always */
};

/*
 * Parse a transport: "redis" (*private set to 1: the caller starts a
 * server), or a URL. 0, or -1 with *cause (which never holds the
 * password).
 */
int	redis_where_parse(const char *transport, struct redis_where *,
	    int *private, char **cause);

/*
 * Start redis-server from PATH on a Unix socket in a new private
 * directory, wait until it answers (5 s at most) and point w at it.
 * 0, or -1 with *cause and nothing left behind.
 */
int	redis_private_start(struct redis_private *, struct redis_where *w,
	    char **cause);

/*
 * A command failed to reach w, or one went through. The address lives in
 * shared memory, so these are the one mutable part of it (a const w is
 * written through: it is never in read-only memory).
 */
void	redis_where_down(const struct redis_where *w);
void	redis_where_up(const struct redis_where *w);

/* How long w has been unreachable, ns, or 0 while it answers. */
int64_t	redis_where_down_ns(const struct redis_where *w);

/*
 * The same with an append-only file written at every command, so that a
 * server killed and started again loses nothing (a [script]'s kill
 * broker); started again in its directory, on its socket, by _restart.
 */
int	redis_private_start_durable(struct redis_private *,
	    struct redis_where *w, char **cause);
int	redis_private_restart(struct redis_private *, struct redis_where *w,
	    char **cause);

/* Kill it for real (SIGKILL): its directory and files stay. */
void	redis_private_kill(struct redis_private *);

/* Stop it (SIGTERM, then SIGKILL), reap it, remove its directory. */
void	redis_private_stop(struct redis_private *);

struct redisContext;

/*
 * The calling thread's connection to w, connected (and authenticated,
 * and on its database) on first use, again after fork or after it broke.
 * NULL with *cause (allocated) if the server cannot be reached.
 */
struct redisContext *redis_conn(const struct redis_where *, char **cause);

/*
 * The server can run a rack: Redis 6.2 or later. 0, or -1 with *cause
 * (a server that is not Redis is found by redis_conn already).
 */
int	redis_check_server(const struct redis_where *, char **cause);

/*
 * Which of the calling thread's connections is open: a number that
 * changes whenever another is made (0: none). Commands written and not
 * yet answered were lost with a connection if it changed.
 */
unsigned	redis_conn_generation(void);

/*
 * A connection of the caller's own, not the thread's (a subscriber's, in
 * subscribed mode): connected, authenticated, on its database; the
 * caller frees it. NULL with *cause.
 */
struct redisContext *redis_connect_new(const struct redis_where *,
	    char **cause);

/* The connection broke: drop it, so the next redis_conn makes another. */
void	redis_conn_broken(void);

/* Close the calling thread's connection, if it has one. */
void	redis_conn_close(void);

/*
 * Every key under prefix (a glob is appended): removed, or given a time
 * to live of ttl_ms. 0, or -1 if the server could not be reached.
 */
int	redis_keys_delete(const struct redis_where *, const char *prefix);
int	redis_keys_expire(const struct redis_where *, const char *prefix,
	    int64_t ttl_ms);

#endif
