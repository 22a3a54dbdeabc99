/*
 * net_server.h: the lecture's web server over real TCP, in three models:
 * sync (one connection at a time, start to finish), threads:N (a pool)
 * and async (one thread, an epoll loop). It keeps its figures and a row
 * per connection in atomics that views read without locks.
 */
#ifndef DISHRACK_NET_SERVER_H
#define DISHRACK_NET_SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "gil.h"
#include "scenario.h"

/* What went wrong with a connection, counted by kind. */
enum web_err {
	WERR_TIMEOUT,		/* no progress within server.timeout */
	WERR_BAD_REQUEST,	/* not HTTP */
	WERR_HEADER_TOO_LONG,	/* a head over max_header */
	WERR_TOO_LARGE,		/* a body over max_body */
	WERR_DISCONNECTED,	/* gone in the middle of a request */
	WERR_NOT_FOUND,		/* a path we do not serve */
	WERR_METHOD,		/* a method we do not serve */
	WERR_UNSUPPORTED,	/* Transfer-Encoding, no Content-Length */
	WERR_TOO_MANY,		/* out of descriptors: closed at once */
	WERR_NKINDS
};

/* A connection as the screen shows it. */
enum wrow_state {
	WROW_FREE,
	WROW_QUEUED,		/* accepted, waiting for a worker */
	WROW_IDLE,		/* waiting for a request */
	WROW_HEAD,		/* reading a request's head */
	WROW_BODY,		/* reading its body */
	WROW_RENDER,		/* rendering a page */
	WROW_WRITE		/* sending the answer */
};

enum wrow_kind {
	WKIND_NONE,
	WKIND_PAGE,
	WKIND_UPLOAD,
	WKIND_OTHER
};

#define WEB_ROWS		512	/* connections with a row on screen */
#define WEB_HIST_BUCKETS	32	/* powers of two from 1us */
#define WEB_SERVICE_MAX		(1U << 20)	/* pages timed in the server */

struct web_row {
	_Atomic int	 state;		/* enum wrow_state */
	_Atomic int	 kind;		/* enum wrow_kind */
	_Atomic uint64_t bytes;		/* of the request so far */
	_Atomic int64_t	 since;		/* accepted (monotonic ns) */
	_Atomic int64_t	 changed;	/* the state's start */
	_Atomic int	 port;		/* the client's port */
	_Atomic int	 worker;	/* serving it, or -1 */
	_Atomic uint32_t peer;		/* the client's address */
};

/* A thread of the server, or the loop. */
struct web_worker {
	_Atomic int	 state;		/* enum wrow_state: what it does now */
	_Atomic int	 row;		/* the connection, or -1 */
	_Atomic uint64_t served;	/* requests answered */
	_Atomic int	 tid;
};

/* Counts by powers of two of microseconds: the live histogram. */
struct web_hist {
	_Atomic uint64_t b[WEB_HIST_BUCKETS];
};

void	web_hist_add(struct web_hist *, int64_t ns);

struct web_server {
	struct scn_web	 cfg;		/* a copy; listen not owned */
	struct sockaddr_in addr;	/* where it listens, port known */
	char		 where[32];	/* "127.0.0.1:PORT" */
	int		 lfd;
	int		 efd;		/* eventfd: stop */
	int		 spare_fd;	/* given up to refuse when out of fds */
	_Atomic int	 stop;
	unsigned	 nworkers;
	pthread_t	 threads[WEB_MAX_THREADS + 1];
	unsigned	 nthreads;	/* started */
	pid_t		 pids[WEB_MAX_PROCESSES];	/* processes:N */
	unsigned	 npids;
	struct web_worker workers[WEB_MAX_THREADS];
	int		 use_gil;
	struct gil	 gil;

	/* threads:N: accepted, not yet served (a ring of fds). */
	pthread_mutex_t	 qmu;
	pthread_cond_t	 qcv;
	int		*q;
	unsigned	 qcap, qhead, qlen;
	unsigned	 next_worker;	/* a pool thread's number */

	_Atomic uint64_t accepted;
	_Atomic uint64_t pages;
	_Atomic uint64_t uploads;
	_Atomic uint64_t upload_bytes;
	_Atomic uint64_t errors[WERR_NKINDS];
	_Atomic unsigned open;		/* connections accepted, not closed */
	_Atomic unsigned queued;	/* threads:N: waiting for a thread */
	struct web_hist	 service;	/* a page's time in the server */
	_Atomic int64_t	 slowest;	/* since the screen last took it */
	_Atomic uint32_t nservice;	/* and each, first byte to answer */
	int64_t		 service_ns[WEB_SERVICE_MAX];
	_Atomic unsigned row_hint;
	struct web_row	 rows[WEB_ROWS];
};

/*
 * Listen where cfg says and start the model's threads (or, for
 * processes:N, fork its processes: s must then be in memory shared with
 * them, such as web_create's). gil: threads take
 * a GIL to compute (scenario.gil). 0, or -1 with *cause allocated and
 * nothing left open.
 */
int	web_server_start(struct web_server *, const struct scn_web *,
	    int gil, int64_t gil_interval_ns, char **cause);

/* Stop, join the threads, close every connection and the socket. */
void	web_server_stop(struct web_server *);

/* Connections accepted by the kernel, not yet by us, plus our queue. */
unsigned web_server_waiting(struct web_server *);

/*
 * Out of descriptors (EMFILE): take the next connection with the spare
 * descriptor and close it at once, so the client hears of it rather than
 * waiting in the queue, and the loop does not spin on a ready socket.
 */
void	web_server_refuse(struct web_server *);

const char *web_err_name(enum web_err);
const char *web_row_state_name(int);
const char *web_kind_name(int);

int64_t	web_now(void);

#endif
