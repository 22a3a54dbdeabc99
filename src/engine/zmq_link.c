/*
 * zmq_link.c: contexts after fork, sockets that never linger, and where a
 * run's sockets live (zmq_link.h).
 *
 * DESIGN: a process's sockets are kept in one registry under a mutex, so
 * zl_end can close them all from one thread once the threads that used
 * them have ended (ZeroMQ allows a socket to move between threads with a
 * full barrier between, which pthread_join gives), then terminate the
 * context, which would otherwise wait for ever for a socket left open.
 * A thread's own sockets are found through thread-local storage, tagged
 * with the pid and the context's generation: a child after fork, or a
 * thread after zl_end, sees a stale tag and makes new ones.
 */
#include "config.h"

#include "zmq_link.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "i18n.h"
#include "self.h"
#include "xmalloc.h"

#define ZL_THREAD_MAX	16

static pthread_mutex_t	 zl_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t	 zl_once = PTHREAD_ONCE_INIT;
static void		*zl_context;
static _Atomic pid_t	 zl_pid;
static _Atomic unsigned	 zl_gen = 1;
static _Atomic int	 zl_live;	/* a context of zl_pid's is there */
static void		**zl_socks;
static unsigned		 zl_nsocks, zl_room;
static unsigned		 zl_monitors;

struct zl_thread {
	pid_t		 pid;
	unsigned	 gen;
	unsigned	 n;
	struct {
		const void	*owner;
		int		 role;
		void		*sock;
	}		 s[ZL_THREAD_MAX];
};
static _Thread_local struct zl_thread zl_mine;

/*
 * A fork made while another thread holds zl_mu (a worker finding its
 * socket, a keeper closing one) would leave the child a lock nobody can
 * release: the fork waits for it, and both sides let it go.
 */
static void
zl_prepare(void)
{
	pthread_mutex_lock(&zl_mu);
}

static void
zl_release(void)
{
	pthread_mutex_unlock(&zl_mu);
}

static void
zl_init(void)
{
	pthread_atfork(zl_prepare, zl_release, zl_release);
}

/*
 * Every put and get asks whose its sockets are: the process id kept
 * (self.c), not getpid, a system call (a third of a plain rack's time
 * went there, bench_zmq under perf).
 */
static pid_t
zl_me(void)
{
	pthread_once(&zl_once, zl_init);
	return (self_pid());
}

pid_t
zl_pid_self(void)
{
	return (zl_me());
}

int
zl_is_transport(const char *t)
{
	return (t != NULL && (strcmp(t, "zmq") == 0 ||
	    strncmp(t, "zmq+", 4) == 0 || strncmp(t, "zmq:", 4) == 0));
}

int
zl_where_parse(const char *t, struct zl_where *w, char **why)
{
	const char	*hp, *colon;
	char		*end;
	long		 port;
	size_t		 n;

	memset(w, 0, sizeof *w);
	if (strcmp(t, "zmq") == 0) {
		snprintf(w->shown, sizeof w->shown, "ipc (a private directory)");
		return (0);
	}
	if (strncmp(t, "zmq+tcp://", 10) == 0)
		hp = t + 10;
	else if (strncmp(t, "tcp://", 6) == 0)
		hp = t + 6;
	else {
		xasprintf(why, _("expected zmq or zmq+tcp://HOST:PORT, found "
		    "'%.64s'"), t);
		return (-1);
	}
	if ((colon = strrchr(hp, ':')) == NULL || colon == hp) {
		xasprintf(why, _("expected HOST:PORT after tcp://, found "
		    "'%.64s'"), hp);
		return (-1);
	}
	n = (size_t)(colon - hp);
	if (n >= sizeof w->host) {
		xasprintf(why, _("the host name is too long"));
		return (-1);
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535) {
		xasprintf(why, _("the port must be 1 to 65535, found '%.16s'"),
		    colon + 1);
		return (-1);
	}
	memcpy(w->host, hp, n);
	w->host[n] = '\0';
	w->port = (int)port;
	w->tcp = 1;
	snprintf(w->shown, sizeof w->shown, "tcp://%s:%d", w->host, w->port);
	return (0);
}

int
zl_where_open(struct zl_where *w, char **cause)
{
	const char	*tmp;

	if (w->tcp)
		return (0);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	/*
	 * A socket's path must fit sun_path (108 bytes with its NUL), with
	 * "/r255-out" or "/agents" after the directory.
	 */
	if ((size_t)snprintf(w->dir, sizeof w->dir, "%s/dishrack-zmq.XXXXXX",
	    tmp) > 96) {
		w->dir[0] = '\0';
		xasprintf(cause, _("TMPDIR is too long for ipc:// sockets "
		    "(%s)"),
		    tmp);
		return (-1);
	}
	if (mkdtemp(w->dir) == NULL) {
		xasprintf(cause, _("cannot make a directory for the ZeroMQ "
		    "sockets in %s: %s"), tmp, strerror(errno));
		w->dir[0] = '\0';
		return (-1);
	}
	snprintf(w->shown, sizeof w->shown, "ipc://%s", w->dir);
	return (0);
}

void
zl_where_close(struct zl_where *w)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];

	if (w->tcp || w->dir[0] == '\0')
		return;
	if ((d = opendir(w->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", w->dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(w->dir);
	w->dir[0] = '\0';
}

char *
zl_bind_endpoint(const struct zl_where *w, const char *name, int first,
    char *buf, size_t len)
{
	if (!w->tcp)
		snprintf(buf, len, "ipc://%s/%s", w->dir, name);
	else if (first)
		snprintf(buf, len, "tcp://%s:%d", w->host, w->port);
	else
		snprintf(buf, len, "tcp://%s:*", w->host);
	return (buf);
}

void *
zl_ctx(char **cause)
{
	void	*c;

	pthread_once(&zl_once, zl_init);
	pthread_mutex_lock(&zl_mu);
	if (zl_context != NULL && zl_pid != zl_me()) {
		/*
		 * A child of fork: the parent's context is not ours to touch
		 * (its I/O thread is not here), nor are its sockets: only
		 * this copy of their list.
		 */
		zl_context = NULL;
		free(zl_socks);
		zl_socks = NULL;
		zl_nsocks = zl_room = 0;
		zl_live = 0;
		zl_gen++;
	}
	if (zl_context == NULL) {
		if ((zl_context = zmq_ctx_new()) == NULL) {
			pthread_mutex_unlock(&zl_mu);
			if (cause != NULL)
				xasprintf(cause, _("cannot make a ZeroMQ "
				    "context: %s"), zmq_strerror(errno));
			return (NULL);
		}
		/* Sockets are few and per thread; one I/O thread is plenty. */
		zmq_ctx_set(zl_context, ZMQ_BLOCKY, 0);
		zl_pid = zl_me();
		zl_live = 1;
	}
	c = zl_context;
	pthread_mutex_unlock(&zl_mu);
	return (c);
}

void *
zl_socket(int type, int hwm, char **cause)
{
	void	*ctx, *s;
	int	 zero = 0;

	if ((ctx = zl_ctx(cause)) == NULL)
		return (NULL);
	if ((s = zmq_socket(ctx, type)) == NULL) {
		if (cause != NULL)
			xasprintf(cause, _("cannot make a ZeroMQ socket: %s"),
			    zmq_strerror(errno));
		return (NULL);
	}
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
	zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
	pthread_mutex_lock(&zl_mu);
	if (zl_nsocks == zl_room) {
		zl_room = zl_room == 0 ? 32 : zl_room * 2;
		zl_socks = xreallocarray(zl_socks, zl_room, sizeof *zl_socks);
	}
	zl_socks[zl_nsocks++] = s;
	pthread_mutex_unlock(&zl_mu);
	return (s);
}

int
zl_bind(void *s, const char *ep, char *actual, char **cause)
{
	size_t	len = ZL_EP_MAX;

	if (zmq_bind(s, ep) != 0) {
		if (cause != NULL)
			xasprintf(cause, _("cannot bind %s: %s"), ep,
			    zmq_strerror(errno));
		return (-1);
	}
	if (actual != NULL && zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, actual,
	    &len) != 0)
		snprintf(actual, ZL_EP_MAX, "%s", ep);
	return (0);
}

int
zl_connect(void *s, const char *ep, char **cause)
{
	if (zmq_connect(s, ep) != 0) {
		if (cause != NULL)
			xasprintf(cause, _("cannot connect to %s: %s"), ep,
			    zmq_strerror(errno));
		return (-1);
	}
	return (0);
}

void
zl_close(void *s)
{
	unsigned	i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&zl_mu);
	for (i = 0; i < zl_nsocks; i++) {
		if (zl_socks[i] == s) {
			zl_socks[i] = zl_socks[--zl_nsocks];
			zmq_close(s);
			break;
		}
	}
	pthread_mutex_unlock(&zl_mu);
}

void
zl_end(void)
{
	unsigned	i;

	pthread_mutex_lock(&zl_mu);
	if (zl_context == NULL || zl_pid != zl_me()) {
		pthread_mutex_unlock(&zl_mu);
		return;
	}
	for (i = 0; i < zl_nsocks; i++)
		zmq_close(zl_socks[i]);
	free(zl_socks);
	zl_socks = NULL;
	zl_nsocks = zl_room = 0;
	zmq_ctx_term(zl_context);
	zl_context = NULL;
	zl_live = 0;
	zl_gen++;
	pthread_mutex_unlock(&zl_mu);
}

unsigned
zl_open_sockets(void)
{
	unsigned	n;

	pthread_mutex_lock(&zl_mu);
	n = zl_context != NULL && zl_pid == zl_me() ? zl_nsocks : 0;
	pthread_mutex_unlock(&zl_mu);
	return (n);
}

/* This thread's table, emptied if it is from before a fork or a zl_end. */
static struct zl_thread *
zl_thread(void)
{
	struct zl_thread	*t = &zl_mine;
	unsigned		 gen;
	pid_t			 me = zl_me();

	/* The hot path of every put and get: no lock. */
	gen = atomic_load(&zl_gen);
	if (!atomic_load(&zl_live) || atomic_load(&zl_pid) != me)
		gen = 0;	/* nothing kept is valid */
	if (t->pid != me || t->gen != gen) {
		t->pid = me;
		t->gen = gen;
		t->n = 0;
	}
	return (t);
}

void *
zl_thread_get(const void *owner, int role)
{
	struct zl_thread	*t = zl_thread();
	unsigned		 i;

	for (i = 0; i < t->n; i++) {
		if (t->s[i].owner == owner && t->s[i].role == role)
			return (t->s[i].sock);
	}
	return (NULL);
}

void
zl_thread_put(const void *owner, int role, void *sock)
{
	struct zl_thread	*t = zl_thread();

	/* A context made since zl_thread looked: take its generation. */
	t->gen = atomic_load(&zl_gen);
	if (t->n == ZL_THREAD_MAX) {
		/* Rare (many racks in one thread): forget the oldest. */
		memmove(&t->s[0], &t->s[1], sizeof t->s[0] * (t->n - 1));
		t->n--;
	}
	t->s[t->n].owner = owner;
	t->s[t->n].role = role;
	t->s[t->n].sock = sock;
	t->n++;
}

void
zl_thread_drop(const void *owner, int role)
{
	struct zl_thread	*t = zl_thread();
	unsigned		 i;

	for (i = 0; i < t->n; i++) {
		if (t->s[i].owner != owner || t->s[i].role != role)
			continue;
		zl_close(t->s[i].sock);
		t->s[i] = t->s[--t->n];
		return;
	}
}

void *
zl_monitor(void *sock, char **cause)
{
	char	 ep[64];
	void	*mon;
	unsigned n;

	pthread_mutex_lock(&zl_mu);
	n = ++zl_monitors;
	pthread_mutex_unlock(&zl_mu);
	snprintf(ep, sizeof ep, "inproc://dishrack-monitor-%d-%u",
	    (int)self_pid(), n);
	if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_CONNECTED |
	    ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
		if (cause != NULL)
			xasprintf(cause, _("cannot monitor a socket: %s"),
			    zmq_strerror(errno));
		return (NULL);
	}
	if ((mon = zl_socket(ZMQ_PAIR, 0, cause)) == NULL)
		return (NULL);
	if (zl_connect(mon, ep, cause) == -1) {
		zl_close(mon);
		return (NULL);
	}
	return (mon);
}

int
zl_monitor_read(void *mon, struct zl_event *ev)
{
	zmq_msg_t	 m;
	uint16_t	 code;
	int		 n, more;
	size_t		 len = sizeof more;

	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, mon, ZMQ_DONTWAIT) == -1) {
		zmq_msg_close(&m);
		return (0);
	}
	/* Frame one: the event (16 bits) and its value; two: the address. */
	code = 0;
	if (zmq_msg_size(&m) >= 2)
		memcpy(&code, zmq_msg_data(&m), sizeof code);
	zmq_msg_close(&m);
	ev->what = code == ZMQ_EVENT_CONNECTED ? ZL_CONNECTED :
	    code == ZMQ_EVENT_ACCEPTED ? ZL_ACCEPTED :
	    code == ZMQ_EVENT_DISCONNECTED ? ZL_DISCONNECTED : ZL_OTHER;
	ev->endpoint[0] = '\0';
	more = 0;
	zmq_getsockopt(mon, ZMQ_RCVMORE, &more, &len);
	if (more) {
		zmq_msg_init(&m);
		if ((n = zmq_msg_recv(&m, mon, 0)) >= 0) {
			if ((size_t)n >= sizeof ev->endpoint)
				n = (int)sizeof ev->endpoint - 1;
			memcpy(ev->endpoint, zmq_msg_data(&m), (size_t)n);
			ev->endpoint[n] = '\0';
		}
		zmq_msg_close(&m);
	}
	return (1);
}
