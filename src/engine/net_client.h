/*
 * net_client.h: the [visitors], as a wrk2-style open-loop client on one
 * thread of its own: each page has an intended start time on a fixed
 * schedule, and its latency is counted from that time, so a server that
 * stalls cannot hide the queue behind it (coordinated omission).
 */
#ifndef DISHRACK_NET_CLIENT_H
#define DISHRACK_NET_CLIENT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "net_server.h"
#include "scenario.h"

enum web_cerr {
	WCERR_REFUSED,		/* could not connect */
	WCERR_RESET,		/* the connection ended before the answer */
	WCERR_PATIENCE,		/* no answer within visitors.patience */
	WCERR_STATUS,		/* an answer other than 200 */
	WCERR_NKINDS
};

struct web_visit;

struct web_client {
	struct scn_web	 cfg;		/* listen not owned */
	struct sockaddr_in to;
	pthread_t	 thread;
	int		 started;
	int		 efd;		/* eventfd: stop */
	_Atomic int	 done;
	int64_t		 t0;		/* the schedule's start */
	struct web_visit *v;
	unsigned	 nv;
	int64_t		*lat;		/* page latencies, ns, in order done */
	_Atomic unsigned nlat;
	_Atomic unsigned uploads_done;
	_Atomic unsigned started_pages;
	_Atomic unsigned in_flight;
	_Atomic uint64_t errors[WCERR_NKINDS];
	_Atomic int64_t	 upload_max_ns;	/* the slowest upload, start to end */
	struct web_hist	 hist;		/* page latency, live */
};

/* Start visiting the server at to. 0, or -1 with *cause allocated. */
int	web_client_start(struct web_client *, const struct scn_web *,
	    const struct sockaddr_in *to, char **cause);
/* Every visit has ended (answered or failed). */
int	web_client_done(struct web_client *);
/* Stop (if not done), join, close what is open; the figures stay. */
void	web_client_stop(struct web_client *);
void	web_client_free(struct web_client *);

const char *web_cerr_name(enum web_cerr);

#endif
