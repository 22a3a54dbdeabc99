/*
 * net_int.h: one HTTP connection's state, shared by the server's models
 * (net_server.c: sync and threads; net_loop.c: async). The protocol is
 * written once as a state machine fed with bytes; a model only decides
 * how to wait for them and how to spend a render.
 */
#ifndef DISHRACK_NET_INT_H
#define DISHRACK_NET_INT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "net_http.h"
#include "net_server.h"

enum wconn_state {
	CS_HEAD,		/* reading a head (or idle before one) */
	CS_BODY,		/* reading and dropping a body */
	CS_RENDER,		/* a page to render */
	CS_WRITE		/* an answer to send */
};

/* What the model must do next. */
enum wconn_next {
	NEXT_READ,		/* wait for bytes (until deadline) */
	NEXT_RENDER,		/* render a page, then wconn_rendered */
	NEXT_WRITE,		/* send out[outoff..outlen] */
	NEXT_CLOSE		/* close it */
};

struct wconn {
	struct web_server *srv;
	int		 fd;
	int		 row;		/* or -1: no row on screen */
	int		 worker;
	enum wconn_state state;
	int		 kind;		/* enum wrow_kind */
	char		*in;
	size_t		 inlen, incap;
	struct http_req	 req;
	uint64_t	 body_left;
	uint64_t	 bytes;		/* of this request */
	int64_t		 deadline;	/* 0: none */
	int64_t		 head_start;	/* first byte of the request */
	unsigned	 served;	/* requests answered on it */
	int		 close_after;
	char		 out[1024];
	size_t		 outlen, outoff;

	/* The loop's own (net_loop.c). */
	struct wconn	*prev, *next;	/* by deadline */
	int		 listed;
	int64_t		 listed_at;	/* its deadline when listed */
	int64_t		 render_end;
	int		 heap_i;	/* -1: not rendering */
	int		 want_out;
	unsigned	 all_i;		/* in the loop's list of all */
};

/* Take fd over as a connection; never fails (no row if none free). */
void		 wconn_init(struct wconn *, struct web_server *, int fd,
		    int worker, const struct sockaddr_in *peer, int64_t now);
/* Close its fd, free its row and buffer. */
void		 wconn_fini(struct wconn *);
/* Read what there is: >0 bytes, 0 end of file, -1 EAGAIN, -2 error. */
ssize_t		 wconn_read(struct wconn *);
/* Digest the bytes read so far. */
enum wconn_next	 wconn_advance(struct wconn *, int64_t now);
/* The page is rendered: its answer is ready to send. */
void		 wconn_rendered(struct wconn *, int64_t now);
/* The answer is sent: close or go on with the next request. */
enum wconn_next	 wconn_written(struct wconn *, int64_t now);
/* The peer has gone (end of file or an error). */
enum wconn_next	 wconn_gone(struct wconn *);
/* The deadline has passed. */
enum wconn_next	 wconn_expired(struct wconn *);
/* Set a row's state, with the time of the change. */
void		 wconn_show(struct wconn *, int state, int64_t now);
/* Render a page's work on this thread (not the loop's io wait). */
int		 wconn_render_blocking(struct wconn *, struct web_server *,
		    unsigned who);

#endif
