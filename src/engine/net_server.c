/*
 * net_server.c: the listening socket and two of the server's models.
 *
 * DESIGN
 * sync: one thread accepts a connection and serves it, request after
 * request, until it closes; the next waits in the kernel's accept queue.
 * threads:N: an acceptor thread accepts and queues fds (qmu, qcv); N
 * workers take them and serve each as sync does. A worker blocks in
 * poll() on its one fd, with the deadline and, at most 100 ms apart, the
 * stop flag. The figures are atomics; the rows are claimed by CAS.
 * processes:N: N forked processes, each a sync server on the socket they
 * share (the kernel hands each connection to one of them); their figures
 * and rows are in the server's struct, which is then in shared memory.
 * Each dies with the process that forked it (PR_SET_PDEATHSIG).
 * async is net_loop.c. web_server_stop writes the eventfd and sets stop;
 * every thread returns within 100 ms, and the fds they hold are closed
 * by them; the queue's by the stopper after the join.
 */
#include "config.h"

#include "net_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net_int.h"
#include "scenario_web.h"
#include "i18n.h"
#include "xmalloc.h"

#define WEB_POLL_MS	100
#define WEB_BACKLOG	4096

void	*web_loop_main(void *);		/* net_loop.c */

static void	*web_sync_main(void *);
static void	*web_accept_main(void *);
static void	*web_pool_main(void *);
static void	 web_serve(struct web_server *, int, unsigned,
		    const struct sockaddr_in *, int64_t);
static int	 web_wait_fd(struct web_server *, int, short, int64_t);
static int	 web_accept(struct web_server *, struct sockaddr_in *);
static void	 web_process_main(struct web_server *, unsigned, pid_t);
static void	 web_reap(struct web_server *);

static const char *const err_names[WERR_NKINDS] = {
	"timeout", "bad_request", "header_too_long", "too_large",
	"disconnected", "not_found", "method", "unsupported", "too_many"
};

const char *
web_err_name(enum web_err e)
{
	return (e < WERR_NKINDS ? err_names[e] : "?");
}

const char *
web_row_state_name(int st)
{
	static const char *const names[] = { "free", "queued", "idle",
	    "head", "body", "render", "write" };

	return (st >= 0 && st <= WROW_WRITE ? names[st] : "?");
}

const char *
web_kind_name(int k)
{
	static const char *const names[] = { "-", "page", "upload", "other" };

	return (k >= 0 && k <= WKIND_OTHER ? names[k] : "?");
}

int
web_server_start(struct web_server *s, const struct scn_web *cfg, int gil,
    int64_t gil_interval_ns, char **cause)
{
	socklen_t	 len;
	unsigned	 i;
	int		 one = 1, rc;
	void		*(*fn)(void *);

	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	s->cfg.listen = NULL;
	s->lfd = s->efd = -1;
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (scenario_web_addr(cfg->listen, &s->addr, cause) == -1)
		goto fail;
	if ((s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one) == -1 ||
	    bind(s->lfd, (struct sockaddr *)&s->addr, sizeof s->addr) == -1 ||
	    listen(s->lfd, WEB_BACKLOG) == -1) {
		xasprintf(cause, _("server.listen: cannot listen on %s: %s"),
		    cfg->listen, strerror(errno));
		goto fail;
	}
	len = sizeof s->addr;
	getsockname(s->lfd, (struct sockaddr *)&s->addr, &len);
	snprintf(s->where, sizeof s->where, "%s:%u",
	    inet_ntoa(s->addr.sin_addr), ntohs(s->addr.sin_port));
	if ((s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		goto fail;
	}
	s->use_gil = gil && cfg->model == WEB_THREADS;
	gil_init(&s->gil, gil_interval_ns);
	pthread_mutex_init(&s->qmu, NULL);
	pthread_cond_init(&s->qcv, NULL);
	for (i = 0; i < WEB_MAX_THREADS; i++)
		atomic_store(&s->workers[i].row, -1);

	if (cfg->model == WEB_PROCESSES) {
		pid_t	parent = getpid(), pid;

		s->nworkers = cfg->threads;
		for (i = 0; i < s->nworkers; i++) {
			fflush(NULL);	/* nothing printed twice */
			if ((pid = fork()) == -1) {
				xasprintf(cause, _("server: cannot fork "
				    "process %u: %s"), i + 1, strerror(errno));
				web_server_stop(s);
				return (-1);
			}
			if (pid == 0)
				web_process_main(s, i, parent);
			s->pids[s->npids++] = pid;
		}
		return (0);
	}
	switch (cfg->model) {
	case WEB_SYNC:
		s->nworkers = 1;
		fn = web_sync_main;
		break;
	case WEB_ASYNC:
		s->nworkers = 1;
		fn = web_loop_main;
		break;
	default:
		s->nworkers = cfg->threads;
		s->qcap = 1024;
		s->q = xcalloc(s->qcap, sizeof *s->q);
		fn = web_accept_main;
		break;
	}
	if ((rc = pthread_create(&s->threads[0], NULL, fn, s)) != 0) {
		xasprintf(cause, _("server: cannot start a thread: %s"),
		    strerror(rc));
		goto fail;
	}
	s->nthreads = 1;
	for (i = 0; cfg->model == WEB_THREADS && i < s->nworkers; i++) {
		if ((rc = pthread_create(&s->threads[1 + i], NULL,
		    web_pool_main, s)) != 0) {
			xasprintf(cause, _("server: cannot start thread %u: "
			    "%s"),
			    i + 1, strerror(rc));
			web_server_stop(s);
			return (-1);
		}
		s->nthreads++;
	}
	return (0);
fail:
	if (s->spare_fd != -1)
		close(s->spare_fd);
	s->spare_fd = -1;
	if (s->lfd != -1)
		close(s->lfd);
	if (s->efd != -1)
		close(s->efd);
	s->lfd = s->efd = -1;
	return (-1);
}

void
web_server_stop(struct web_server *s)
{
	uint64_t	one = 1;
	unsigned	i;

	if (s->lfd == -1)
		return;
	atomic_store(&s->stop, 1);
	if (write(s->efd, &one, sizeof one) == -1) {
		/* The flag alone stops every thread within WEB_POLL_MS. */
	}
	pthread_mutex_lock(&s->qmu);
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qmu);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	s->nthreads = 0;
	web_reap(s);
	for (; s->qlen > 0; s->qlen--) {
		close(s->q[s->qhead]);
		s->qhead = (s->qhead + 1) % s->qcap;
		atomic_fetch_sub(&s->open, 1);
	}
	free(s->q);
	s->q = NULL;
	close(s->lfd);
	close(s->efd);
	if (s->spare_fd != -1)
		close(s->spare_fd);
	s->lfd = s->efd = s->spare_fd = -1;
	pthread_cond_destroy(&s->qcv);
	pthread_mutex_destroy(&s->qmu);
}

void
web_server_refuse(struct web_server *s)
{
	int	fd;

	if (s->spare_fd == -1) {
		/* Not even that: let the queue wait a little. */
		poll(NULL, 0, 10);
		return;
	}
	close(s->spare_fd);
	if ((fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		close(fd);
		atomic_fetch_add(&s->errors[WERR_TOO_MANY], 1);
	}
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

unsigned
web_server_waiting(struct web_server *s)
{
	struct tcp_info	ti;
	socklen_t	len = sizeof ti;
	unsigned	n = atomic_load(&s->queued);

	/* On a listening socket, Linux reports its accept queue here. */
	if (s->lfd != -1 && getsockopt(s->lfd, IPPROTO_TCP, TCP_INFO, &ti,
	    &len) == 0)
		n += ti.tcpi_unacked;
	return (n);
}

/* Accept one connection, blocking: its fd, or -1 once stopped. */
static int
web_accept(struct web_server *s, struct sockaddr_in *peer)
{
	struct pollfd	pfd[2];
	socklen_t	len;
	int		fd;

	while (!atomic_load(&s->stop)) {
		len = sizeof *peer;
		fd = accept4(s->lfd, (struct sockaddr *)peer, &len,
		    SOCK_CLOEXEC);
		if (fd != -1)
			return (fd);
		if (errno == EMFILE || errno == ENFILE) {
			web_server_refuse(s);
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			return (-1);
		pfd[0].fd = s->lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = s->efd;
		pfd[1].events = POLLIN;
		poll(pfd, 2, WEB_POLL_MS);
	}
	return (-1);
}

/* The sync model: accept, serve to the end, accept the next. */
static void *
web_sync_main(void *arg)
{
	struct web_server	*s = arg;
	struct sockaddr_in	 peer;
	int			 fd;

	atomic_store(&s->workers[0].tid, (int)syscall(SYS_gettid));
	while ((fd = web_accept(s, &peer)) != -1) {
		atomic_fetch_add(&s->accepted, 1);
		web_serve(s, fd, 0, &peer, web_now());
	}
	return (NULL);
}

/* processes:N: a child, a sync server of its own until stopped. */
static void
web_process_main(struct web_server *s, unsigned who, pid_t parent)
{
	struct sockaddr_in	peer;
	int			fd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);	/* the parent died before the line above */
	/* Ctrl-C reaches the whole group: the parent stops us in order. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	atomic_store(&s->workers[who].tid, (int)getpid());
	while ((fd = web_accept(s, &peer)) != -1) {
		atomic_fetch_add(&s->accepted, 1);
		web_serve(s, fd, who, &peer, web_now());
	}
	_exit(0);
}

/* Wait for the processes; one that does not leave in 2 s is killed. */
static void
web_reap(struct web_server *s)
{
	struct timespec	ts = { 0, 10000000 };
	unsigned	i, tries;
	pid_t		r;

	for (i = 0; i < s->npids; i++) {
		for (tries = 0; (r = waitpid(s->pids[i], NULL, WNOHANG)) == 0;
		    tries++) {
			if (tries == 200)
				kill(s->pids[i], SIGKILL);
			nanosleep(&ts, NULL);
		}
	}
	s->npids = 0;
}

/* threads:N: accept and queue; a worker takes it from there. */
static void *
web_accept_main(void *arg)
{
	struct web_server	*s = arg;
	struct sockaddr_in	 peer;
	int			 fd;

	while ((fd = web_accept(s, &peer)) != -1) {
		atomic_fetch_add(&s->accepted, 1);
		pthread_mutex_lock(&s->qmu);
		if (s->qlen == s->qcap) {
			pthread_mutex_unlock(&s->qmu);
			/* A queue this long already says it all. */
			close(fd);
			atomic_fetch_add(&s->errors[WERR_TOO_MANY], 1);
			continue;
		}
		s->q[(s->qhead + s->qlen++) % s->qcap] = fd;
		atomic_fetch_add(&s->open, 1);
		atomic_fetch_add(&s->queued, 1);
		pthread_cond_signal(&s->qcv);
		pthread_mutex_unlock(&s->qmu);
	}
	return (NULL);
}

/* A worker of the pool. */
static void *
web_pool_main(void *arg)
{
	struct web_server	*s = arg;
	struct sockaddr_in	 peer;
	socklen_t		 len;
	unsigned		 me;
	int			 fd;

	pthread_mutex_lock(&s->qmu);
	me = s->next_worker++;
	pthread_mutex_unlock(&s->qmu);
	atomic_store(&s->workers[me].tid, (int)syscall(SYS_gettid));
	for (;;) {
		pthread_mutex_lock(&s->qmu);
		while (s->qlen == 0 && !atomic_load(&s->stop))
			pthread_cond_wait(&s->qcv, &s->qmu);
		if (atomic_load(&s->stop)) {
			pthread_mutex_unlock(&s->qmu);
			break;
		}
		fd = s->q[s->qhead];
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
		atomic_fetch_sub(&s->queued, 1);
		pthread_mutex_unlock(&s->qmu);
		atomic_fetch_sub(&s->open, 1);	/* wconn_init counts it */
		len = sizeof peer;
		memset(&peer, 0, sizeof peer);
		getpeername(fd, (struct sockaddr *)&peer, &len);
		web_serve(s, fd, me, &peer, web_now());
	}
	return (NULL);
}

/*
 * Wait until fd is ready for events or the deadline (0: none) passes:
 * 1 ready, 0 deadline, -1 stopped.
 */
static int
web_wait_fd(struct web_server *s, int fd, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		ms;

	for (;;) {
		if (atomic_load(&s->stop))
			return (-1);
		ms = WEB_POLL_MS;
		if (deadline != 0) {
			left = deadline - web_now();
			if (left <= 0)
				return (0);
			if (left / 1000000 + 1 < ms)
				ms = (int)(left / 1000000 + 1);
		}
		pfd.fd = fd;
		pfd.events = events;
		if (poll(&pfd, 1, ms) > 0)
			return (1);
	}
}

/* Serve one connection from its first request to its close. */
static void
web_serve(struct web_server *s, int fd, unsigned who,
    const struct sockaddr_in *peer, int64_t now)
{
	struct web_worker	*w = &s->workers[who];
	struct wconn		 c;
	enum wconn_next		 next;
	ssize_t			 n;
	int			 r;

	wconn_init(&c, s, fd, (int)who, peer, now);
	atomic_store(&w->row, c.row);
	wconn_show(&c, WROW_IDLE, now);
	atomic_store(&w->state, WROW_IDLE);
	next = NEXT_READ;
	while (next != NEXT_CLOSE) {
		switch (next) {
		case NEXT_READ:
			atomic_store(&w->state, c.state == CS_BODY ? WROW_BODY :
			    WROW_HEAD);
			if ((r = web_wait_fd(s, fd, POLLIN, c.deadline)) == -1) {
				next = NEXT_CLOSE;
				break;
			}
			if (r == 0) {
				next = wconn_expired(&c);
				break;
			}
			n = wconn_read(&c);
			if (n == 0 || n == -2)
				next = wconn_gone(&c);
			else
				next = wconn_advance(&c, web_now());
			break;
		case NEXT_RENDER:
			atomic_store(&w->state, WROW_RENDER);
			if (wconn_render_blocking(&c, s, who) == -1) {
				next = NEXT_CLOSE;
				break;
			}
			wconn_rendered(&c, web_now());
			next = NEXT_WRITE;
			break;
		case NEXT_WRITE:
			atomic_store(&w->state, WROW_WRITE);
			n = send(fd, c.out + c.outoff, c.outlen - c.outoff,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				c.outoff += (size_t)n;
			else if (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				next = wconn_gone(&c);
				break;
			}
			if (c.outoff < c.outlen) {
				if ((r = web_wait_fd(s, fd, POLLOUT,
				    c.deadline)) == -1)
					next = NEXT_CLOSE;
				else if (r == 0)
					next = wconn_expired(&c);
				break;
			}
			next = wconn_written(&c, web_now());
			break;
		case NEXT_CLOSE:
			break;
		}
	}
	wconn_fini(&c);
	atomic_store(&w->row, -1);
	atomic_store(&w->state, WROW_FREE);
}
