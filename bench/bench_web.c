/*
 * bench_web.c: pages a second, pages only (render 0: the server's own
 * cost), of dishrack's web server in threads:4 and async, against two
 * minimal servers written here: an epoll loop and a thread per
 * connection, each answering every request with the same fixed page.
 * Two loads, the same run: wrk when it is installed (a process of its
 * own) and a client of our own (closed loop, keep-alive connections on
 * one epoll thread), each with its p99. Alternated RUNS times, medians.
 *   bench_web [SECONDS [RUNS [CONNECTIONS]]]
 * Four connections by default: threads:4 serves a keep-alive connection
 * on one thread until it closes, so a fifth would wait for a free one.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchutil.h"
#include "net_server.h"
#include "scenario.h"
#include "scenario_web.h"

#define MAXC	256

static const char page[] = "HTTP/1.1 200 OK\r\nServer: bench\r\n"
    "Content-Type: text/html; charset=utf-8\r\nContent-Length: 81\r\n\r\n"
    "<!doctype html><title>dishrack</title><p>a page, rendered in 0 us by a "
    "bench</p>\n";

/* --- The minimal servers ---------------------------------------------- */

struct mini {
	int		 lfd, efd;
	int		 port;
	pthread_t	 thr;
	_Atomic int	 stop;
};

/* Answer every complete head in buf[0..*len]; -1 if the peer is gone. */
static int
mini_answer(int fd, char *buf, size_t *len)
{
	char	*end;
	size_t	 n;

	while ((end = memmem(buf, *len, "\r\n\r\n", 4)) != NULL) {
		if (send(fd, page, sizeof page - 1, MSG_NOSIGNAL) == -1)
			return (-1);
		n = (size_t)(end + 4 - buf);
		memmove(buf, buf + n, *len - n);
		*len -= n;
	}
	return (0);
}

struct mini_conn {
	int	fd;
	size_t	len;
	char	buf[4096];
};

static void *
mini_epoll_main(void *arg)
{
	struct mini		*m = arg;
	struct epoll_event	 e, evs[64];
	struct mini_conn	*c;
	ssize_t			 n;
	int			 ep, i, k, fd;

	ep = epoll_create1(0);
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, m->lfd, &e);
	e.data.ptr = &m->efd;
	epoll_ctl(ep, EPOLL_CTL_ADD, m->efd, &e);
	for (;;) {
		k = epoll_wait(ep, evs, 64, -1);
		for (i = 0; i < k; i++) {
			if (evs[i].data.ptr == &m->efd)
				goto out;
			if (evs[i].data.ptr == NULL) {
				while ((fd = accept4(m->lfd, NULL, NULL,
				    SOCK_NONBLOCK)) != -1) {
					c = calloc(1, sizeof *c);
					c->fd = fd;
					e.events = EPOLLIN;
					e.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
				}
				continue;
			}
			c = evs[i].data.ptr;
			n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
			if (n <= 0 && !(n == -1 && errno == EAGAIN)) {
				close(c->fd);
				free(c);
				continue;
			}
			if (n > 0) {
				c->len += (size_t)n;
				if (mini_answer(c->fd, c->buf, &c->len) == -1 ||
				    c->len == sizeof c->buf) {
					close(c->fd);
					free(c);
				}
			}
		}
	}
out:
	/* Connections left open are the clients' to close: a benchmark. */
	close(ep);
	return (NULL);
}

static void *
mini_conn_main(void *arg)
{
	struct mini_conn	*c = arg;
	ssize_t			 n;

	while ((n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len)) >
	    0) {
		c->len += (size_t)n;
		if (mini_answer(c->fd, c->buf, &c->len) == -1 ||
		    c->len == sizeof c->buf)
			break;
	}
	close(c->fd);
	free(c);
	return (NULL);
}

static void *
mini_thread_main(void *arg)
{
	struct mini		*m = arg;
	struct mini_conn	*c;
	pthread_t		 t;
	int			 fd;

	while (!atomic_load(&m->stop)) {
		if ((fd = accept(m->lfd, NULL, NULL)) == -1)
			continue;
		c = calloc(1, sizeof *c);
		c->fd = fd;
		pthread_create(&t, NULL, mini_conn_main, c);
		pthread_detach(t);
	}
	return (NULL);
}

static void
mini_start(struct mini *m, void *(*fn)(void *))
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			one = 1;

	memset(m, 0, sizeof *m);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m->lfd = socket(AF_INET, SOCK_STREAM | (fn == mini_epoll_main ?
	    SOCK_NONBLOCK : 0), 0);
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(m->lfd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(m->lfd, 1024) == -1) {
		perror("bench_web: listen");
		exit(1);
	}
	getsockname(m->lfd, (struct sockaddr *)&sin, &len);
	m->port = ntohs(sin.sin_port);
	m->efd = eventfd(0, 0);
	pthread_create(&m->thr, NULL, fn, m);
}

static void
mini_stop(struct mini *m)
{
	uint64_t	one = 1;

	atomic_store(&m->stop, 1);
	if (write(m->efd, &one, sizeof one) == -1)
		perror("bench_web: eventfd");
	shutdown(m->lfd, SHUT_RDWR);	/* wakes a blocking accept */
	pthread_join(m->thr, NULL);
	close(m->lfd);
	close(m->efd);
}

/* --- The loads ------------------------------------------------------- */

struct figures {
	double	rps;
	double	p99_ms;
};

static const char request[] = "GET /page HTTP/1.1\r\nHost: bench\r\n\r\n";

struct cconn {
	int	 fd;
	int64_t	 sent;
	size_t	 len;
	char	 buf[1024];
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Closed loop: each connection sends its next request on an answer. */
static struct figures
load_own(int port, double secs, int nconn)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 e, evs[MAXC];
	struct cconn		 c[MAXC];
	struct figures		 f;
	int64_t			*lat, t0, end, now;
	size_t			 nlat = 0, cap = 1 << 22;
	char			*h;
	ssize_t			 n;
	int			 ep, i, k, one = 1;

	lat = malloc(cap * sizeof *lat);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	ep = epoll_create1(0);
	for (i = 0; i < nconn; i++) {
		c[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(c[i].fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
			perror("bench_web: connect");
			exit(1);
		}
		setsockopt(c[i].fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one,
		    sizeof one);
		c[i].len = 0;
		e.events = EPOLLIN;
		e.data.ptr = &c[i];
		epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &e);
	}
	t0 = web_now();
	end = t0 + (int64_t)(secs * 1e9);
	for (i = 0; i < nconn; i++) {
		c[i].sent = web_now();
		send(c[i].fd, request, sizeof request - 1, MSG_NOSIGNAL);
	}
	while ((now = web_now()) < end) {
		k = epoll_wait(ep, evs, MAXC, 100);
		for (i = 0; i < k; i++) {
			struct cconn	*cc = evs[i].data.ptr;

			n = read(cc->fd, cc->buf + cc->len, sizeof cc->buf -
			    cc->len);
			if (n <= 0) {
				fprintf(stderr, "bench_web: the server closed "
				    "a connection\n");
				exit(1);
			}
			cc->len += (size_t)n;
			/* Every answer here is one head and a short body. */
			if ((h = memmem(cc->buf, cc->len, "\r\n\r\n", 4)) ==
			    NULL)
				continue;
			if (cc->len < (size_t)(h + 4 - cc->buf) + (size_t)
			    strtoul(strstr(cc->buf, "Content-Length: ") + 16,
			    NULL, 10))
				continue;
			now = web_now();
			if (nlat < cap)
				lat[nlat++] = now - cc->sent;
			cc->len = 0;
			cc->sent = now;
			send(cc->fd, request, sizeof request - 1, MSG_NOSIGNAL);
		}
	}
	f.rps = (double)nlat / ((double)(web_now() - t0) / 1e9);
	qsort(lat, nlat, sizeof *lat, cmp_i64);
	f.p99_ms = nlat ? (double)lat[(size_t)(0.99 * (double)nlat)] / 1e6 : 0;
	for (i = 0; i < nconn; i++)
		close(c[i].fd);
	close(ep);
	free(lat);
	return (f);
}

/* wrk as a process of its own: Requests/sec and the 99% line. */
static struct figures
load_wrk(int port, double secs, int nconn)
{
	struct figures	f = { 0, 0 };
	char		cmd[256], line[256], unit[8];
	double		v;
	FILE		*p;

	snprintf(cmd, sizeof cmd, "wrk -t1 -c%d -d%gs --latency "
	    "http://127.0.0.1:%d/page 2>&1", nconn, secs, port);
	if ((p = popen(cmd, "r")) == NULL)
		return (f);
	while (fgets(line, sizeof line, p) != NULL) {
		if (sscanf(line, "Requests/sec: %lf", &v) == 1)
			f.rps = v;
		if (sscanf(line, " 99%% %lf%7s", &v, unit) == 2)
			f.p99_ms = strcmp(unit, "us") == 0 ? v / 1e3 :
			    strcmp(unit, "s") == 0 ? v * 1e3 : v;
	}
	pclose(p);
	return (f);
}

/* --- The servers ------------------------------------------------------ */

enum { S_THREADS, S_ASYNC, S_EPOLL, S_PERCONN, S_N };
static const char *const names[S_N] = { "dishrack threads:4",
    "dishrack async", "minimal epoll loop", "minimal thread/conn" };

static struct figures
bench_one(int which, int use_wrk, double secs, int nconn)
{
	struct web_server	*srv = NULL;
	struct scenario		*scn;
	struct mini		 m;
	struct figures		 f;
	char			*cause = NULL;
	int			 port;

	if (which == S_THREADS || which == S_ASYNC) {
		scn = scenario_parse("bench", "[server]\nrender = 0\n", 20,
		    &cause);
		if (scn == NULL) {
			fprintf(stderr, "bench_web: %s\n", cause);
			exit(1);
		}
		scn->web.model = which == S_ASYNC ? WEB_ASYNC : WEB_THREADS;
		scn->web.threads = 4;
		scn->web.timeout_ns = 0;
		srv = calloc(1, sizeof *srv);
		if (web_server_start(srv, &scn->web, 0, 5000000, &cause) ==
		    -1) {
			fprintf(stderr, "bench_web: %s\n", cause);
			exit(1);
		}
		scenario_free(scn);
		port = ntohs(srv->addr.sin_port);
	} else {
		mini_start(&m, which == S_EPOLL ? mini_epoll_main :
		    mini_thread_main);
		port = m.port;
	}
	f = use_wrk ? load_wrk(port, secs, nconn) : load_own(port, secs,
	    nconn);
	if (srv != NULL) {
		web_server_stop(srv);
		free(srv);
	} else
		mini_stop(&m);
	return (f);
}

int
main(int argc, char **argv)
{
	double		 secs = argc > 1 ? atof(argv[1]) : 2;
	int		 runs = argc > 2 ? atoi(argv[2]) : 3;
	int		 nconn = argc > 3 ? atoi(argv[3]) : 4;
	double		 rps[2][S_N][16], p99[2][S_N][16], med[2][S_N];
	int		 have_wrk, load, r, s;

	if (runs < 1 || runs > 16 || nconn < 1 || nconn > MAXC || secs <= 0) {
		fprintf(stderr, "usage: bench_web [SECONDS [RUNS(1-16) "
		    "[CONNECTIONS(1-%d)]]]\n", MAXC);
		return (2);
	}
	have_wrk = system("command -v wrk >/dev/null 2>&1") == 0;
	printf("bench_web: pages only (render 0), %d keep-alive connections, "
	    "%g s a load, median of %d alternated runs\n", nconn, secs, runs);
	for (r = 0; r < runs; r++) {
		for (load = 0; load < 1 + have_wrk; load++) {
			for (s = 0; s < S_N; s++) {
				struct figures f = bench_one(s, load, secs,
				    nconn);

				rps[load][s][r] = f.rps;
				p99[load][s][r] = f.p99_ms;
			}
		}
	}
	for (load = 0; load < 1 + have_wrk; load++) {
		printf("\n%s\n%-22s %12s %10s %14s\n", load ? "load: wrk -t1" :
		    "load: our client (one epoll thread, closed loop)",
		    "server", "requests/s", "p99 ms", "x epoll loop");
		for (s = 0; s < S_N; s++)
			med[load][s] = bench_median(rps[load][s], runs);
		for (s = 0; s < S_N; s++)
			printf("%-22s %12.0f %10.3f %13.2fx\n", names[s],
			    med[load][s], bench_median(p99[load][s], runs),
			    med[load][S_EPOLL] > 0 ? med[load][s] /
			    med[load][S_EPOLL] : 0);
		printf("target: dishrack async >= 0.5x the minimal epoll loop: "
		    "%.2fx\n", med[load][S_EPOLL] > 0 ? med[load][S_ASYNC] /
		    med[load][S_EPOLL] : 0);
	}
	if (!have_wrk)
		printf("\n(wrk is not installed: only our own client)\n");
	return (0);
}
