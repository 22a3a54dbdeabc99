/*
 * net_loop.c: the async model. One thread waits for every connection at
 * once with epoll, beside two kinds of timer: each connection's deadline
 * (a list kept in deadline order, since every deadline is "now + the
 * timeout" when it is set, so a touched connection goes to the tail) and
 * each page's render (a heap). An io render is a timer; a cpu render
 * computes on the loop's thread, and every other connection waits for
 * it: asyncio's lesson. doc/webserver.md says why this is a loop of its
 * own rather than fibers on the virtual clock's.
 *
 * DESIGN
 * Only the loop's thread touches its connections; the screen reads the
 * rows (atomics). web_server_stop writes the eventfd, the loop closes
 * every connection and returns.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cpuwork.h"
#include "net_int.h"
#include "xmalloc.h"

#define LOOP_EVENTS	256
#define LOOP_ACCEPTS	64	/* a wake's accepts, so reads get a turn */
#define LOOP_READS	8	/* a wake's reads of one connection */

struct loop {
	struct web_server *s;
	int		 ep;
	struct wconn	*head, *tail;	/* by deadline */
	struct wconn	**heap;		/* renders by render_end */
	unsigned	 nheap, heapcap;
	struct wconn	**all;		/* every connection, for the end */
	unsigned	 nall, allcap;
};

void	*web_loop_main(void *);

static void	loop_unlist(struct loop *, struct wconn *);
static void	loop_touch(struct loop *, struct wconn *);
static void	loop_heap_push(struct loop *, struct wconn *);
static struct wconn *loop_heap_pop(struct loop *);
static void	loop_events(struct loop *, struct wconn *, uint32_t);
static void	loop_next(struct loop *, struct wconn *, enum wconn_next);
static void	loop_accept(struct loop *);
static void	loop_close(struct loop *, struct wconn *);

/* Off the deadline list, if on it. */
static void
loop_unlist(struct loop *l, struct wconn *c)
{
	if (!c->listed)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->listed = 0;
}

/* Its deadline changed (or went): to the tail, or off the list. */
static void
loop_touch(struct loop *l, struct wconn *c)
{
	/* Unchanged, it stays where it is: the list is in deadline order. */
	if (c->listed && c->deadline == c->listed_at)
		return;
	loop_unlist(l, c);
	if (c->deadline == 0)
		return;
	c->prev = l->tail;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	c->listed = 1;
	c->listed_at = c->deadline;
}

/* A render to the heap, by when it ends. */
static void
loop_heap_push(struct loop *l, struct wconn *c)
{
	unsigned	i, p;

	if (l->nheap == l->heapcap) {
		l->heapcap = l->heapcap ? l->heapcap * 2 : 64;
		l->heap = xreallocarray(l->heap, l->heapcap, sizeof *l->heap);
	}
	i = l->nheap++;
	while (i > 0 && l->heap[p = (i - 1) / 2]->render_end >
	    c->render_end) {
		l->heap[i] = l->heap[p];
		l->heap[i]->heap_i = (int)i;
		i = p;
	}
	l->heap[i] = c;
	c->heap_i = (int)i;
}

/* The render that ends first, off the heap. */
static struct wconn *
loop_heap_pop(struct loop *l)
{
	struct wconn	*top = l->heap[0], *last;
	unsigned	 i = 0, k;

	last = l->heap[--l->nheap];
	while ((k = 2 * i + 1) < l->nheap) {
		if (k + 1 < l->nheap &&
		    l->heap[k + 1]->render_end < l->heap[k]->render_end)
			k++;
		if (l->heap[k]->render_end >= last->render_end)
			break;
		l->heap[i] = l->heap[k];
		l->heap[i]->heap_i = (int)i;
		i = k;
	}
	if (l->nheap > 0) {
		l->heap[i] = last;
		last->heap_i = (int)i;
	}
	top->heap_i = -1;
	return (top);
}

/* What the connection waits for in epoll: 0, EPOLLIN or EPOLLOUT. */
static void
loop_events(struct loop *l, struct wconn *c, uint32_t ev)
{
	struct epoll_event	e;

	if ((uint32_t)c->want_out == ev)
		return;
	memset(&e, 0, sizeof e);
	e.events = ev;
	e.data.ptr = c;
	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &e);
	c->want_out = (int)ev;
}

/* Close a connection and forget it. */
static void
loop_close(struct loop *l, struct wconn *c)
{
	loop_unlist(l, c);
	l->all[c->all_i] = l->all[--l->nall];
	l->all[c->all_i]->all_i = c->all_i;
	wconn_fini(c);
	free(c);
}

/* Do what the protocol asks until it waits for something. */
static void
loop_next(struct loop *l, struct wconn *c, enum wconn_next next)
{
	struct web_server	*s = l->s;
	ssize_t			 n;
	int64_t			 now;

	for (;;) {
		switch (next) {
		case NEXT_READ:
			loop_events(l, c, EPOLLIN);
			loop_touch(l, c);
			return;
		case NEXT_RENDER:
			loop_unlist(l, c);
			if (s->cfg.render_ns == 0) {
				/* Nothing to wait for: answer at once. */
				wconn_rendered(c, web_now());
				next = NEXT_WRITE;
				break;
			}
			if (s->cfg.work == WORK_IO) {
				/* An await: the loop goes on meanwhile. */
				loop_events(l, c, 0);
				c->render_end = web_now() + s->cfg.render_ns;
				loop_heap_push(l, c);
				return;
			}
			atomic_store(&s->workers[0].state, WROW_RENDER);
			atomic_store(&s->workers[0].row, c->row);
			cpuwork_for(s->cfg.render_ns);
			atomic_store(&s->workers[0].row, -1);
			wconn_rendered(c, web_now());
			next = NEXT_WRITE;
			break;
		case NEXT_WRITE:
			n = send(c->fd, c->out + c->outoff, c->outlen -
			    c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0)
				c->outoff += (size_t)n;
			else if (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				next = wconn_gone(c);
				break;
			}
			if (c->outoff < c->outlen) {
				loop_events(l, c, EPOLLOUT);
				loop_touch(l, c);
				return;
			}
			now = web_now();
			next = wconn_written(c, now);
			break;
		case NEXT_CLOSE:
			loop_close(l, c);
			return;
		}
	}
}

/* Accept what is waiting, a wake's share at most. */
static void
loop_accept(struct loop *l)
{
	struct web_server	*s = l->s;
	struct epoll_event	 e;
	struct sockaddr_in	 peer;
	struct wconn		*c;
	socklen_t		 len;
	int			 fd, i;

	for (i = 0; i < LOOP_ACCEPTS; i++) {
		len = sizeof peer;
		fd = accept4(s->lfd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
			web_server_refuse(s);
			continue;
		}
		if (fd == -1)
			return;
		atomic_fetch_add(&s->accepted, 1);
		c = xmalloc(sizeof *c);
		wconn_init(c, s, fd, 0, &peer, web_now());
		wconn_show(c, WROW_IDLE, web_now());
		memset(&e, 0, sizeof e);
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &e) == -1) {
			wconn_fini(c);
			free(c);
			continue;
		}
		c->want_out = EPOLLIN;
		if (l->nall == l->allcap) {
			l->allcap = l->allcap ? l->allcap * 2 : 256;
			l->all = xreallocarray(l->all, l->allcap, sizeof *l->all);
		}
		c->all_i = l->nall;
		l->all[l->nall++] = c;
		loop_touch(l, c);
	}
}

void *
web_loop_main(void *arg)
{
	struct loop		 l;
	struct web_server	*s = arg;
	struct epoll_event	 e, evs[LOOP_EVENTS];
	struct wconn		*c;
	int64_t			 now, next_t;
	ssize_t			 n;
	int			 i, nev, r, timeout, stop = 0;
	enum wconn_next		 next;

	memset(&l, 0, sizeof l);
	l.s = s;
	atomic_store(&s->workers[0].tid, (int)syscall(SYS_gettid));
	if ((l.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return (NULL);
	memset(&e, 0, sizeof e);
	e.events = EPOLLIN;
	e.data.ptr = &s->lfd;
	epoll_ctl(l.ep, EPOLL_CTL_ADD, s->lfd, &e);
	e.data.ptr = &s->efd;
	epoll_ctl(l.ep, EPOLL_CTL_ADD, s->efd, &e);

	while (!stop) {
		now = web_now();
		while (l.nheap > 0 && l.heap[0]->render_end <= now) {
			c = loop_heap_pop(&l);
			wconn_rendered(c, now);
			loop_next(&l, c, NEXT_WRITE);
		}
		while (l.head != NULL && l.head->deadline <= now) {
			c = l.head;
			loop_unlist(&l, c);
			loop_next(&l, c, wconn_expired(c));
		}
		/* Sleep until the next timer: nothing to do costs nothing. */
		next_t = 0;
		if (l.nheap > 0)
			next_t = l.heap[0]->render_end;
		if (l.head != NULL && (next_t == 0 || l.head->deadline < next_t))
			next_t = l.head->deadline;
		timeout = -1;
		if (next_t != 0) {
			now = web_now();
			timeout = next_t <= now ? 0 :
			    (int)((next_t - now + 999999) / 1000000);
		}
		atomic_store(&s->workers[0].state, WROW_IDLE);
		nev = epoll_wait(l.ep, evs, LOOP_EVENTS, timeout);
		for (i = 0; i < nev; i++) {
			if (evs[i].data.ptr == &s->efd) {
				stop = 1;
				break;
			}
			if (evs[i].data.ptr == &s->lfd) {
				loop_accept(&l);
				continue;
			}
			c = evs[i].data.ptr;
			if (c->state == CS_WRITE) {
				if (evs[i].events & (EPOLLOUT | EPOLLERR |
				    EPOLLHUP))
					loop_next(&l, c, NEXT_WRITE);
				continue;
			}
			if (c->state != CS_HEAD && c->state != CS_BODY)
				continue;
			atomic_store(&s->workers[0].state, c->state ==
			    CS_BODY ? WROW_BODY : WROW_HEAD);
			next = NEXT_READ;
			for (r = 0; r < LOOP_READS; r++) {
				n = wconn_read(c);
				if (n == 0 || n == -2) {
					next = wconn_gone(c);
					break;
				}
				next = wconn_advance(c, web_now());
				if (n == -1 || next != NEXT_READ)
					break;
			}
			loop_next(&l, c, next);
		}
	}
	while (l.nall > 0)
		loop_close(&l, l.all[0]);
	free(l.all);
	free(l.heap);
	close(l.ep);
	return (NULL);
}
