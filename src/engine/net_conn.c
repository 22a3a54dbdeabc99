/*
 * net_conn.c: the protocol of one connection, as a state machine fed
 * with bytes, and the work of a render. Every model runs this code; what
 * differs is only who waits for what.
 */
#include "config.h"

#include "net_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpuwork.h"
#include "scenario_web.h"
#include "xmalloc.h"

#define RENDER_SLICE	50000		/* ns of computing between GIL checks */

static void	wconn_reply(struct wconn *, int, const char *, int);
static void	wconn_error(struct wconn *, enum web_err, int, int);
static void	wconn_consume(struct wconn *, size_t);

int64_t
web_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

void
web_hist_add(struct web_hist *h, int64_t ns)
{
	int64_t	us = ns / 1000;
	int	i = 0;

	while (us > 1 && i < WEB_HIST_BUCKETS - 1) {
		us >>= 1;
		i++;
	}
	atomic_fetch_add_explicit(&h->b[i], 1, memory_order_relaxed);
}

void
wconn_show(struct wconn *c, int state, int64_t now)
{
	struct web_row	*r;

	if (c->row < 0)
		return;
	r = &c->srv->rows[c->row];
	atomic_store_explicit(&r->changed, now, memory_order_relaxed);
	atomic_store_explicit(&r->state, state, memory_order_release);
}

void
wconn_init(struct wconn *c, struct web_server *s, int fd, int worker,
    const struct sockaddr_in *peer, int64_t now)
{
	struct web_row	*r;
	unsigned	 i, start;
	int		 want = WROW_FREE;

	memset(c, 0, sizeof *c);
	c->srv = s;
	c->fd = fd;
	c->worker = worker;
	c->row = -1;
	c->heap_i = -1;
	c->incap = s->cfg.max_header;
	c->in = xmalloc(c->incap);
	c->state = CS_HEAD;
	if (s->cfg.timeout_ns > 0)
		c->deadline = now + s->cfg.timeout_ns;
	start = atomic_fetch_add_explicit(&s->row_hint, 1,
	    memory_order_relaxed);
	for (i = 0; i < WEB_ROWS; i++) {
		r = &s->rows[(start + i) % WEB_ROWS];
		want = WROW_FREE;
		if (atomic_compare_exchange_strong(&r->state, &want,
		    WROW_QUEUED)) {
			c->row = (int)((start + i) % WEB_ROWS);
			atomic_store(&r->kind, WKIND_NONE);
			atomic_store(&r->bytes, 0);
			atomic_store(&r->since, now);
			atomic_store(&r->changed, now);
			atomic_store(&r->worker, worker);
			atomic_store(&r->port, peer != NULL ?
			    ntohs(peer->sin_port) : 0);
			atomic_store(&r->peer, peer != NULL ?
			    ntohl(peer->sin_addr.s_addr) : 0);
			break;
		}
	}
	atomic_fetch_add(&s->open, 1);
}

void
wconn_fini(struct wconn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	if (c->row >= 0)
		atomic_store_explicit(&c->srv->rows[c->row].state, WROW_FREE,
		    memory_order_release);
	c->row = -1;
	free(c->in);
	c->in = NULL;
	atomic_fetch_sub(&c->srv->open, 1);
}

ssize_t
wconn_read(struct wconn *c)
{
	ssize_t	n;

	if (c->inlen == c->incap)
		return (-1);	/* a full head: wconn_advance decides */
	n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
	if (n > 0) {
		c->inlen += (size_t)n;
		return (n);
	}
	if (n == 0)
		return (0);
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return (-1);
	return (-2);
}

/* Drop n bytes from the front of the input. */
static void
wconn_consume(struct wconn *c, size_t n)
{
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

/* An answer with a short body, ready to send. */
static void
wconn_reply(struct wconn *c, int status, const char *body, int close_after)
{
	int	n;

	c->close_after = close_after || !c->req.keep_alive;
	n = snprintf(c->out, sizeof c->out, "HTTP/1.1 %d %s\r\n"
	    "Server: dishrack\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n%s\r\n%s", status, http_reason(status),
	    strlen(body), c->close_after ? "Connection: close\r\n" :
	    c->req.minor == 0 ? "Connection: keep-alive\r\n" : "", body);
	c->outlen = n > 0 && (size_t)n < sizeof c->out ? (size_t)n :
	    sizeof c->out - 1;
	c->outoff = 0;
	c->state = CS_WRITE;
}

/* Count an error and answer it, closing after the answer. */
static void
wconn_error(struct wconn *c, enum web_err e, int status, int close_after)
{
	char	body[128];

	atomic_fetch_add(&c->srv->errors[e], 1);
	snprintf(body, sizeof body, "<p>%d %s</p>\n", status,
	    http_reason(status));
	wconn_reply(c, status, body, close_after);
	c->deadline = c->srv->cfg.timeout_ns > 0 ? web_now() +
	    c->srv->cfg.timeout_ns : 0;
}

enum wconn_next
wconn_advance(struct wconn *c, int64_t now)
{
	struct web_server	*s = c->srv;
	const char		*why;
	size_t			 take;
	int			 r;

	for (;;) {
		switch (c->state) {
		case CS_HEAD:
			if (c->inlen == 0)
				return (NEXT_READ);
			if (c->head_start == 0) {
				c->head_start = now;
				c->bytes = 0;
				if (s->cfg.timeout_ns > 0)
					c->deadline = now + s->cfg.timeout_ns;
				wconn_show(c, WROW_HEAD, now);
			}
			r = http_parse(c->in, c->inlen, c->incap, &c->req, &why);
			if (c->row >= 0)
				atomic_store(&s->rows[c->row].bytes, c->inlen);
			if (r == HTTP_MORE)
				return (NEXT_READ);
			if (r == HTTP_TOO_LONG) {
				wconn_error(c, WERR_HEADER_TOO_LONG, 431, 1);
				return (NEXT_WRITE);
			}
			if (r == HTTP_BAD) {
				wconn_error(c, WERR_BAD_REQUEST, 400, 1);
				return (NEXT_WRITE);
			}
			if (r == HTTP_UNSUPPORTED) {
				wconn_error(c, WERR_UNSUPPORTED, 501, 1);
				return (NEXT_WRITE);
			}
			wconn_consume(c, c->req.head_len);
			c->bytes = c->req.head_len;
			if (c->req.method == HTTP_GET &&
			    (strcmp(c->req.path, "/") == 0 ||
			    strcmp(c->req.path, "/page") == 0 ||
			    strncmp(c->req.path, "/page/", 6) == 0))
				c->kind = WKIND_PAGE;
			else if (c->req.method == HTTP_POST &&
			    strcmp(c->req.path, "/upload") == 0)
				c->kind = WKIND_UPLOAD;
			else
				c->kind = WKIND_OTHER;
			if (c->row >= 0)
				atomic_store(&s->rows[c->row].kind, c->kind);
			if (c->req.method == HTTP_POST && !c->req.has_length) {
				wconn_error(c, WERR_UNSUPPORTED, 411, 1);
				return (NEXT_WRITE);
			}
			if (c->req.length > s->cfg.max_body) {
				wconn_error(c, WERR_TOO_LARGE, 413, 1);
				return (NEXT_WRITE);
			}
			c->body_left = c->req.length;
			c->state = CS_BODY;
			if (c->body_left > 0)
				wconn_show(c, WROW_BODY, now);
			break;
		case CS_BODY:
			take = c->inlen < c->body_left ? c->inlen :
			    (size_t)c->body_left;
			if (take > 0) {
				wconn_consume(c, take);
				c->body_left -= take;
				c->bytes += take;
				if (c->kind == WKIND_UPLOAD)
					atomic_fetch_add_explicit(
					    &s->upload_bytes, take,
					    memory_order_relaxed);
				if (c->row >= 0)
					atomic_store(&s->rows[c->row].bytes,
					    c->bytes);
				if (s->cfg.timeout_ns > 0)
					c->deadline = now + s->cfg.timeout_ns;
			}
			if (c->body_left > 0)
				return (NEXT_READ);
			if (c->kind == WKIND_PAGE) {
				c->state = CS_RENDER;
				c->deadline = 0;
				wconn_show(c, WROW_RENDER, now);
				return (NEXT_RENDER);
			}
			if (c->kind == WKIND_UPLOAD) {
				char	body[96];

				atomic_fetch_add(&s->uploads, 1);
				snprintf(body, sizeof body, "<p>uploaded %llu "
				    "bytes</p>\n",
				    (unsigned long long)c->req.length);
				wconn_reply(c, 200, body, 0);
			} else if (c->req.method == HTTP_OTHER ||
			    c->req.method == HTTP_POST) {
				wconn_error(c, WERR_METHOD, 405, 0);
			} else {
				wconn_error(c, WERR_NOT_FOUND, 404, 0);
			}
			wconn_show(c, WROW_WRITE, now);
			return (NEXT_WRITE);
		case CS_RENDER:
			return (NEXT_RENDER);
		case CS_WRITE:
			return (NEXT_WRITE);
		}
	}
}

void
wconn_rendered(struct wconn *c, int64_t now)
{
	char	body[256], model[32];

	snprintf(body, sizeof body, "<!doctype html><title>dishrack</title>"
	    "<p>a page, rendered in %lld us by %s worker %d</p>\n",
	    (long long)(c->srv->cfg.render_ns / 1000),
	    scenario_web_model(&c->srv->cfg, model, sizeof model),
	    c->worker + 1);
	wconn_reply(c, 200, body, 0);
	wconn_show(c, WROW_WRITE, now);
}

enum wconn_next
wconn_written(struct wconn *c, int64_t now)
{
	struct web_server	*s = c->srv;

	if (c->kind == WKIND_PAGE && c->state == CS_WRITE &&
	    c->outlen > 0 && strncmp(c->out, "HTTP/1.1 200", 12) == 0) {
		uint32_t	i;
		int64_t		d = now - c->head_start, cur;

		cur = atomic_load_explicit(&s->slowest, memory_order_relaxed);
		while (d > cur && !atomic_compare_exchange_weak(&s->slowest,
		    &cur, d))
			;
		atomic_fetch_add(&s->pages, 1);
		web_hist_add(&s->service, now - c->head_start);
		/* Read once every writer has stopped: at the run's end. */
		if ((i = atomic_fetch_add_explicit(&s->nservice, 1,
		    memory_order_relaxed)) < WEB_SERVICE_MAX)
			s->service_ns[i] = now - c->head_start;
	}
	atomic_fetch_add_explicit(&s->workers[c->worker].served, 1,
	    memory_order_relaxed);
	c->served++;
	if (c->close_after)
		return (NEXT_CLOSE);
	c->state = CS_HEAD;
	c->kind = WKIND_NONE;
	c->head_start = 0;
	c->outlen = c->outoff = 0;
	c->deadline = s->cfg.timeout_ns > 0 ? now + s->cfg.timeout_ns : 0;
	wconn_show(c, WROW_IDLE, now);
	return (wconn_advance(c, now));
}

enum wconn_next
wconn_gone(struct wconn *c)
{
	/* Between requests, closing is how a client says it is done. */
	if (c->state != CS_HEAD || c->inlen > 0)
		atomic_fetch_add(&c->srv->errors[WERR_DISCONNECTED], 1);
	return (NEXT_CLOSE);
}

enum wconn_next
wconn_expired(struct wconn *c)
{
	/* An idle keep-alive connection is closed without blame. */
	if (c->state == CS_HEAD && c->inlen == 0 && c->served > 0)
		return (NEXT_CLOSE);
	if (c->state == CS_WRITE) {
		/* A reader that never reads: nothing more to say to it. */
		atomic_fetch_add(&c->srv->errors[WERR_TIMEOUT], 1);
		return (NEXT_CLOSE);
	}
	wconn_error(c, WERR_TIMEOUT, 408, 1);
	return (NEXT_WRITE);
}

int
wconn_render_blocking(struct wconn *c, struct web_server *s, unsigned who)
{
	struct timespec	ts;
	int64_t		need = s->cfg.render_ns, done = 0, t0, slice, left;
	int64_t		waited = 0, end;

	(void)c;
	if (s->cfg.work == WORK_IO) {
		end = web_now() + need;
		while (!atomic_load(&s->stop) && (left = end - web_now()) > 0) {
			if (left > 100000000)
				left = 100000000;
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
			nanosleep(&ts, NULL);
		}
		return (atomic_load(&s->stop) ? -1 : 0);
	}
	if (s->use_gil && gil_take(&s->gil, who, &s->stop, &waited) == -1)
		return (-1);
	while (done < need && !atomic_load(&s->stop)) {
		slice = need - done < RENDER_SLICE ? need - done : RENDER_SLICE;
		t0 = cpuwork_thread_ns();
		cpuwork_for(slice);
		done += cpuwork_thread_ns() - t0;
		if (s->use_gil && gil_drop_requested(&s->gil)) {
			gil_drop(&s->gil, who, 1, &s->stop);
			if (gil_take(&s->gil, who, &s->stop, &waited) == -1)
				return (-1);
		}
	}
	if (s->use_gil)
		gil_drop(&s->gil, who, 0, &s->stop);
	return (atomic_load(&s->stop) ? -1 : 0);
}
