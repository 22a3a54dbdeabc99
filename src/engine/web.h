/*
 * web.h: one run of the web server scenario: the server in its model,
 * the visitors (or whoever connects), and the figures of the run. A view
 * starts it, ticks it until it is finished, and reads the figures.
 */
#ifndef DISHRACK_WEB_H
#define DISHRACK_WEB_H

#include <stdint.h>

#include "net_client.h"
#include "net_server.h"
#include "scenario.h"

struct web_figures {
	char		 model[32];
	char		 where[32];
	int		 external;
	double		 wall_seconds;
	unsigned	 pages_planned, uploads_planned;
	unsigned	 pages, uploads;	/* answered, as visitors saw */
	uint64_t	 served_pages, served_uploads;	/* as the server saw */
	uint64_t	 accepted;
	double		 p50, p95, p99, max, mean;	/* page latency, s */
	double		 upload_max;	/* the slowest upload, s */
	double		 svc_p50, svc_p99, svc_max;	/* in the server, s */
	unsigned	 waiting_max;	/* connections not yet served */
	uint64_t	 server_errors[WERR_NKINDS];
	uint64_t	 client_errors[WCERR_NKINDS];
	uint64_t	 errors;	/* all of both */
	int		 complete;	/* every visit answered, no error */
};

struct web_run {
	struct scenario	*scn;
	struct web_server srv;
	struct web_client cli;
	int		 server_up;
	int64_t		 t0;
	_Atomic unsigned waiting;
	_Atomic unsigned waiting_max;
	_Atomic int	 finished;
	double		 latency_s[4];	/* p50 p95 p99 max, live */
};

/* A run of scn (taken over). NULL with *cause when it cannot be one. */
struct web_run	*web_create(struct scenario *, char **cause);
/* Listen and let the visitors come. 0, or -1 with *cause. */
int		 web_start(struct web_run *, char **cause);
/* Sample the waiting connections; 1 once every visit has ended. */
int		 web_tick(struct web_run *);
/* Stop everything, close every descriptor, and fill *f. */
void		 web_finish(struct web_run *, struct web_figures *);
void		 web_destroy(struct web_run *);

/* Percentile q (0..1) of n sorted latencies, in seconds. */
double		 web_percentile(const int64_t *, unsigned n, double q);

#endif
