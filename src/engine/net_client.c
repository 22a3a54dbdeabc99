/*
 * net_client.c: the visitors. One thread, one epoll set: pages start on
 * their schedule whatever the server does, each on a connection of its
 * own (Connection: close, as a visitor who comes once); uploads send
 * their head at once and their body in chunks spread over upload_time,
 * as a slow line does.
 */
#include "config.h"

#include "net_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "i18n.h"
#include "xmalloc.h"

#define CHUNK_GAP	50000000LL	/* ns between an upload's chunks */
#define UPLOAD_GAP	100000000LL	/* ns between uploads' starts */

enum visit_state {
	VS_WAITING,		/* not started */
	VS_CONNECTING,
	VS_SENDING,
	VS_READING,
	VS_ENDED
};

struct web_visit {
	int		 fd;
	int		 upload;
	enum visit_state state;
	int64_t		 intended;	/* when it should start */
	int64_t		 started;
	char		 head[160];
	size_t		 headlen, headoff;
	uint64_t	 body_sent;
	char		 resp[1024];
	size_t		 resplen;
	size_t		 resp_head;	/* its head's length, once known */
	uint64_t	 resp_body;	/* Content-Length */
	int		 want;		/* epoll events now */
};

static void	*client_main(void *);
static void	 client_begin(struct web_client *, int, struct web_visit *);
static void	 client_end(struct web_client *, struct web_visit *,
		    int64_t, int);
static void	 client_io(struct web_client *, int, struct web_visit *,
		    int64_t);
static uint64_t	 client_due(struct web_client *, struct web_visit *,
		    int64_t);
static void	 client_want(int, struct web_visit *, uint32_t);

static const char *const cerr_names[WCERR_NKINDS] = {
	"refused", "reset", "patience", "status"
};

const char *
web_cerr_name(enum web_cerr e)
{
	return (e < WCERR_NKINDS ? cerr_names[e] : "?");
}

int
web_client_start(struct web_client *c, const struct scn_web *cfg,
    const struct sockaddr_in *to, char **cause)
{
	unsigned	i;
	int		rc;

	memset(c, 0, sizeof *c);
	c->cfg = *cfg;
	c->cfg.listen = NULL;
	c->to = *to;
	c->nv = cfg->pages + cfg->uploads;
	c->v = xcalloc(c->nv ? c->nv : 1, sizeof *c->v);
	c->lat = xcalloc(cfg->pages ? cfg->pages : 1, sizeof *c->lat);
	c->t0 = web_now();
	for (i = 0; i < c->nv; i++) {
		c->v[i].fd = -1;
		if (i < cfg->pages)
			c->v[i].intended = c->t0 + (int64_t)((double)i * 1e9 /
			    cfg->rate);
		else {
			c->v[i].upload = 1;
			c->v[i].intended = c->t0 + cfg->upload_start_ns +
			    (int64_t)(i - cfg->pages) * UPLOAD_GAP;
		}
	}
	if ((c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		return (-1);
	}
	if ((rc = pthread_create(&c->thread, NULL, client_main, c)) != 0) {
		xasprintf(cause, _("visitors: cannot start a thread: %s"),
		    strerror(rc));
		close(c->efd);
		return (-1);
	}
	c->started = 1;
	return (0);
}

int
web_client_done(struct web_client *c)
{
	return (atomic_load(&c->done));
}

void
web_client_stop(struct web_client *c)
{
	uint64_t	one = 1;

	if (!c->started)
		return;
	if (write(c->efd, &one, sizeof one) == -1) {
		/* Cannot happen on an eventfd below its maximum. */
	}
	pthread_join(c->thread, NULL);
	close(c->efd);
	c->started = 0;
}

void
web_client_free(struct web_client *c)
{
	free(c->v);
	free(c->lat);
	c->v = NULL;
	c->lat = NULL;
}

/* What a visit waits for in epoll, changed only when it changes. */
static void
client_want(int ep, struct web_visit *v, uint32_t ev)
{
	struct epoll_event	e;

	if ((uint32_t)v->want == ev)
		return;
	memset(&e, 0, sizeof e);
	e.events = ev;
	e.data.ptr = v;
	epoll_ctl(ep, EPOLL_CTL_MOD, v->fd, &e);
	v->want = (int)ev;
}

/* Open its connection (non-blocking) and write its head. */
static void
client_begin(struct web_client *c, int ep, struct web_visit *v)
{
	struct epoll_event	e;
	int			n;

	v->started = web_now();
	atomic_fetch_add(&c->in_flight, 1);
	if (!v->upload)
		atomic_fetch_add(&c->started_pages, 1);
	if ((v->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		client_end(c, v, v->started, WCERR_REFUSED);
		return;
	}
	if (v->upload)
		n = snprintf(v->head, sizeof v->head, "POST /upload HTTP/1.1"
		    "\r\nHost: dishrack\r\nContent-Length: %llu\r\n"
		    "Connection: close\r\n\r\n",
		    (unsigned long long)c->cfg.upload_size);
	else
		n = snprintf(v->head, sizeof v->head, "GET /page HTTP/1.1\r\n"
		    "Host: dishrack\r\nConnection: close\r\n\r\n");
	v->headlen = (size_t)n;
	v->state = VS_CONNECTING;
	if (connect(v->fd, (struct sockaddr *)&c->to, sizeof c->to) == -1 &&
	    errno != EINPROGRESS) {
		client_end(c, v, web_now(), WCERR_REFUSED);
		return;
	}
	memset(&e, 0, sizeof e);
	e.events = EPOLLOUT;
	e.data.ptr = v;
	epoll_ctl(ep, EPOLL_CTL_ADD, v->fd, &e);
	v->want = EPOLLOUT;
}

/* The visit is over: err < 0 for an answer, else an error's kind. */
static void
client_end(struct web_client *c, struct web_visit *v, int64_t now, int err)
{
	int64_t		d, max;
	unsigned	i;

	if (v->fd != -1)
		close(v->fd);
	v->fd = -1;
	v->state = VS_ENDED;
	atomic_fetch_sub(&c->in_flight, 1);
	if (err >= 0) {
		atomic_fetch_add(&c->errors[err], 1);
		return;
	}
	d = now - v->intended;
	if (v->upload) {
		atomic_fetch_add(&c->uploads_done, 1);
		max = atomic_load(&c->upload_max_ns);
		if (now - v->started > max)
			atomic_store(&c->upload_max_ns, now - v->started);
		return;
	}
	i = atomic_load(&c->nlat);
	c->lat[i] = d;
	atomic_store_explicit(&c->nlat, i + 1, memory_order_release);
	web_hist_add(&c->hist, d);
}

/* The body bytes an upload should have sent by now. */
static uint64_t
client_due(struct web_client *c, struct web_visit *v, int64_t now)
{
	int64_t		span = c->cfg.upload_time_ns, el, chunks;
	uint64_t	due;

	el = now - v->started;
	if (span <= 0 || el >= span)
		return (c->cfg.upload_size);
	/* Whole chunks only, one every CHUNK_GAP. */
	chunks = span / CHUNK_GAP;
	if (chunks < 1)
		chunks = 1;
	due = (uint64_t)((double)c->cfg.upload_size * (double)(el /
	    CHUNK_GAP) / (double)chunks);
	return (due > c->cfg.upload_size ? c->cfg.upload_size : due);
}

/* Move a visit on after an event (or a chunk's time). */
static void
client_io(struct web_client *c, int ep, struct web_visit *v, int64_t now)
{
	static const char	 zeros[16384];
	const char		*p, *hend;
	uint64_t		 due, n64;
	ssize_t			 n;
	int			 err = 0, status;
	socklen_t		 len = sizeof err;

	if (v->state == VS_CONNECTING) {
		if (getsockopt(v->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			client_end(c, v, now, WCERR_REFUSED);
			return;
		}
		v->state = VS_SENDING;
	}
	if (v->state == VS_SENDING) {
		due = v->upload ? client_due(c, v, now) : 0;
		while (v->headoff < v->headlen) {
			n = send(v->fd, v->head + v->headoff, v->headlen -
			    v->headoff, MSG_NOSIGNAL);
			if (n <= 0)
				break;
			v->headoff += (size_t)n;
		}
		while (v->headoff == v->headlen && v->body_sent < due) {
			n64 = due - v->body_sent;
			if (n64 > sizeof zeros)
				n64 = sizeof zeros;
			n = send(v->fd, zeros, (size_t)n64, MSG_NOSIGNAL);
			if (n <= 0)
				break;
			v->body_sent += (uint64_t)n;
		}
		if (v->headoff == v->headlen && (!v->upload ||
		    v->body_sent == c->cfg.upload_size))
			v->state = VS_READING;
		else if (v->headoff == v->headlen && v->body_sent == due) {
			/* Wait for the next chunk's time, reading meanwhile. */
			client_want(ep, v, EPOLLIN);
			goto read;
		} else {
			/* The server does not read: its buffers are full. */
			client_want(ep, v, EPOLLOUT | EPOLLIN);
			goto read;
		}
	}
	client_want(ep, v, EPOLLIN);
read:
	for (;;) {
		if (v->resplen == sizeof v->resp) {
			/* Our server's answers are short: this is not it. */
			client_end(c, v, now, WCERR_STATUS);
			return;
		}
		n = read(v->fd, v->resp + v->resplen, sizeof v->resp -
		    v->resplen);
		if (n == 0 || (n == -1 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != EINTR)) {
			/* An early answer (an error) can end an upload. */
			client_end(c, v, now, WCERR_RESET);
			return;
		}
		if (n == -1)
			return;
		v->resplen += (size_t)n;
		if (v->resp_head == 0) {
			hend = memmem(v->resp, v->resplen, "\r\n\r\n", 4);
			if (hend == NULL)
				continue;
			v->resp_head = (size_t)(hend + 4 - v->resp);
			if (sscanf(v->resp, "HTTP/1.%*d %d", &status) != 1 ||
			    status != 200) {
				client_end(c, v, now, WCERR_STATUS);
				return;
			}
			p = memmem(v->resp, v->resp_head, "Content-Length: ",
			    16);
			v->resp_body = p != NULL ? strtoull(p + 16, NULL, 10) :
			    0;
		}
		if (v->resplen - v->resp_head >= v->resp_body) {
			if (v->upload && v->body_sent < c->cfg.upload_size) {
				/* Answered before it was all sent: refused. */
				client_end(c, v, now, WCERR_STATUS);
				return;
			}
			client_end(c, v, web_now(), -1);
			return;
		}
	}
}

/* The visitors' thread: start visits on time, move them on, to the end. */
static void *
client_main(void *arg)
{
	struct web_client	*c = arg;
	struct epoll_event	 e, evs[128];
	struct web_visit	*v;
	int64_t			 now, next_t, t;
	unsigned		 i, next_page = 0, next_upload, ended;
	int			 ep, nev, k, timeout, stop = 0;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		atomic_store(&c->done, 1);
		return (NULL);
	}
	memset(&e, 0, sizeof e);
	e.events = EPOLLIN;
	e.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->efd, &e);
	next_upload = c->cfg.pages;
	while (!stop) {
		now = web_now();
		while (next_page < c->cfg.pages &&
		    c->v[next_page].intended <= now)
			client_begin(c, ep, &c->v[next_page++]);
		while (next_upload < c->nv && c->v[next_upload].intended <= now)
			client_begin(c, ep, &c->v[next_upload++]);
		/* Chunks due, patience run out, the next timer. */
		next_t = 0;
		if (next_page < c->cfg.pages)
			next_t = c->v[next_page].intended;
		if (next_upload < c->nv && (next_t == 0 ||
		    c->v[next_upload].intended < next_t))
			next_t = c->v[next_upload].intended;
		ended = 0;
		for (i = 0; i < c->nv; i++) {
			v = &c->v[i];
			if (v->state == VS_ENDED) {
				ended++;
				continue;
			}
			if (v->state == VS_WAITING)
				continue;
			if (now - v->intended >= c->cfg.patience_ns) {
				client_end(c, v, now, WCERR_PATIENCE);
				ended++;
				continue;
			}
			t = v->intended + c->cfg.patience_ns;
			if (v->upload && v->state == VS_SENDING &&
			    v->headoff == v->headlen && v->want == EPOLLIN &&
			    client_due(c, v, now) > v->body_sent)
				client_io(c, ep, v, now);
			if (v->state == VS_ENDED) {
				ended++;
				continue;
			}
			/* The next chunk's time, while chunks are due. */
			if (v->upload && v->state == VS_SENDING &&
			    v->want == EPOLLIN &&
			    v->started + c->cfg.upload_time_ns > now)
				t = v->started + ((now - v->started) /
				    CHUNK_GAP + 1) * CHUNK_GAP;
			if (next_t == 0 || t < next_t)
				next_t = t;
		}
		if (ended == c->nv)
			break;
		timeout = -1;
		if (next_t != 0) {
			now = web_now();
			timeout = next_t <= now ? 0 :
			    (int)((next_t - now + 999999) / 1000000);
		}
		nev = epoll_wait(ep, evs, 128, timeout);
		for (k = 0; k < nev; k++) {
			if (evs[k].data.ptr == NULL) {
				stop = 1;
				break;
			}
			v = evs[k].data.ptr;
			if (v->state != VS_ENDED)
				client_io(c, ep, v, web_now());
		}
	}
	for (i = 0; i < c->nv; i++) {
		if (c->v[i].fd != -1) {
			close(c->v[i].fd);
			c->v[i].fd = -1;
		}
	}
	close(ep);
	atomic_store(&c->done, 1);
	return (NULL);
}
