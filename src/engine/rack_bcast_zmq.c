/*
 * rack_bcast_zmq.c: the broadcast rack's ZeroMQ home, brokerless
 * publish-subscribe: the publisher binds an XPUB socket on ipc:// in a
 * private directory, each subscriber connects a SUB socket of its own
 * and subscribes. ZeroMQ matches a subscription as a prefix of the
 * message, so a message is "TOPIC\0PAYLOAD": an exact topic subscribes
 * to "TOPIC\0", a prefix ("mai*") to "mai". It is kept small and apart
 * from the queue rack's ZeroMQ link on purpose, to be unified with it.
 *
 * DESIGN: what ZeroMQ drops, it drops in silence: a message published
 * before a subscription has reached the publisher (the slow joiner: a
 * SUB subscribes on its own time after connecting), or beyond a pipe's
 * high-water mark (ZMQ_SNDHWM, ZMQ_RCVHWM, the rack's capacity). So each
 * message carries its topic's sequence number and the subscriber counts
 * what never came (rack_bcast.c: the gap before its first message is the
 * slow joiner's, a later one was dropped). XPUB is used so that the
 * publisher sees subscriptions arrive: with sync = yes, each subscriber
 * also subscribes to a topic of its own ("\2hello" and its slot) after
 * its real ones, and the publisher reads the subscriptions coming in
 * until it has every expected hello (in order on each pipe, so the real
 * subscriptions are in effect). Contexts are made per process after
 * fork, ZMQ_LINGER = 0 everywhere, so no exit waits on a socket. The one
 * XPUB socket of a process is used under a mutex by its publishers and
 * closed by the conductor once they are done (a full barrier between).
 */
#include "config.h"

#include "rack_bcast.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "clock.h"
#include "rack_bcast_zmq.h"
#include "i18n.h"
#include "xmalloc.h"
#include "zmq_link.h"

#define BZ_SLICE_MS	20
#define BZ_END_WAIT	(300 * NSEC_PER_MSEC)

static int	bz_put(struct rack *, dish_t, struct hand *, int *);
static dish_t	bz_get(struct rack *, struct hand *, int *, int *);
static void	bz_close(struct rack *);
static void	bz_destroy(struct rack *);
static const char *bz_error(struct rack *);
static void	bz_start(struct rack_bcast *);
static void	bz_release(struct rack_bcast *);

const struct rack_ops rack_bcast_zmq = {
	.name = "zmq",
	.put = bz_put,
	.get = bz_get,
	.reclaim = bc_reclaim,
	.task_done = bc_task_done,
	.join = bc_net_join,
	.close = bz_close,
	.wake_takers = bc_wake_takers,
	.abort = bc_abort,
	.depth = bc_depth,
	.held = bc_held,
	.max_depth = bc_max_depth,
	.unfinished = bc_unfinished,
	.taken = bc_taken,
	.destroy = bz_destroy,
	.error = bz_error,
};

/* This process's context and publisher socket: made after fork. */
static struct {
	pthread_mutex_t	 mu;
	pid_t		 pid;
	void		*ctx;
	void		*pub;
	unsigned	 hellos;	/* sync: subscribers heard from */
} bz = { PTHREAD_MUTEX_INITIALIZER, 0, NULL, NULL, 0 };

/*
 * A subscriber's socket: one per worker thread; the topics it has seen.
 * A worker stopped in the middle of a message never comes back for the
 * next: its thread's end closes the socket (else zmq_ctx_term would wait
 * for it for ever).
 */
static _Thread_local void *bz_sub;
static _Thread_local unsigned bz_gen;
static _Thread_local struct bcast_sub *bz_me;	/* its books, once joined */
static pthread_key_t	bz_key;
static pthread_once_t	bz_once = PTHREAD_ONCE_INIT;

static void
bz_thread_end(void *s)
{
	if (s != NULL)
		zmq_close(s);
}

static void
bz_key_make(void)
{
	pthread_key_create(&bz_key, bz_thread_end);
}

int
rack_bcast_zmq_init(struct rack *base, enum rack_sync sync,
    const struct run_clock *clock, const struct scenario *scn,
    const struct bcast_topics *topics, unsigned nslots, char **cause)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	const char		*tmp;
	char			 dir[64];

	if (rack_bcast_init(base, sync, NULL, clock, scn, topics, nslots,
	    cause) == -1)
		return (-1);
	r->base.ops = &rack_bcast_zmq;
	r->net = 1;
	r->blind = 1;
	r->start = bz_start;
	r->release = bz_release;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0' ||
	    strlen(tmp) > 32)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/dishrack-zmq.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		xasprintf(cause, _("cannot make a directory for ZeroMQ in %s: "
		    "%s"),
		    tmp, strerror(errno));
		return (-1);
	}
	snprintf(r->prefix, sizeof r->prefix, "%s", dir);
	snprintf(r->shown, sizeof r->shown, "ZeroMQ XPUB/SUB, ipc://%s/bcast",
	    dir);
	return (0);
}

/* A port the kernel gives on host now, for the publisher. 0 or -1. */
static int
bz_free_port(const char *host, int *port)
{
	struct sockaddr_in	 sin;
	struct addrinfo		 hints, *ai = NULL;
	socklen_t		 len = sizeof sin;
	int			 fd, rc = -1;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	if (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0)
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
			return (-1);
		memcpy(&sin, ai->ai_addr, sizeof sin);
		freeaddrinfo(ai);
		sin.sin_port = 0;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
		*port = ntohs(sin.sin_port);
		rc = 0;
	}
	close(fd);
	return (rc);
}

int
rack_bcast_zmq_init_tcp(struct rack *base, enum rack_sync sync,
    const struct run_clock *clock, const struct scenario *scn,
    const struct bcast_topics *topics, unsigned nslots, const char *host,
    const char *connect, char **cause)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	int			 port;

	if (rack_bcast_init(base, sync, NULL, clock, scn, topics, nslots,
	    cause) == -1)
		return (-1);
	r->base.ops = &rack_bcast_zmq;
	r->net = 1;
	r->blind = 1;
	r->release = bz_release;
	if (connect != NULL) {
		/* An agent's: its subscribers connect; nobody publishes. */
		snprintf(r->prefix, sizeof r->prefix, "%s", connect);
	} else {
		r->start = bz_start;
		if (bz_free_port(host, &port) == -1) {
			xasprintf(cause, _("cannot find a port for the "
			    "broadcast on %s: %s"), host, strerror(errno));
			return (-1);
		}
		snprintf(r->prefix, sizeof r->prefix, "tcp://%s:%d", host,
		    port);
	}
	snprintf(r->shown, sizeof r->shown, "ZeroMQ XPUB/SUB, %s", r->prefix);
	return (0);
}

const char *
rack_bcast_zmq_endpoint(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	if (base == NULL || base->ops != &rack_bcast_zmq)
		return (NULL);
	return (r->prefix);
}

static void
bz_fail(struct rack_bcast *r, const char *what)
{
	bc_lock(r);
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof r->error, _("broadcast over ZeroMQ: "
		    "%s: %s"), what, zmq_strerror(zmq_errno()));
	bc_unlock(r);
	bc_abort(&r->base);
}

static const char *
bz_error(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	return (r->error[0] != '\0' ? r->error : NULL);
}

/*
 * The endpoint: ipc:// in the rack's own directory, or the tcp one (a
 * subscriber of a publisher bound on every interface connects to this
 * host's loopback).
 */
static void
bz_endpoint(const struct rack_bcast *r, char *buf, size_t len, int bind)
{
	if (strncmp(r->prefix, "tcp://", 6) != 0)
		snprintf(buf, len, "ipc://%s/bcast", r->prefix);
	else if (!bind && strncmp(r->prefix, "tcp://*:", 8) == 0)
		snprintf(buf, len, "tcp://127.0.0.1:%s", r->prefix + 8);
	else if (!bind && strncmp(r->prefix, "tcp://0.0.0.0:", 14) == 0)
		snprintf(buf, len, "tcp://127.0.0.1:%s", r->prefix + 14);
	else
		snprintf(buf, len, "%s", r->prefix);
}

/* This process's context; bz.mu is held. NULL on failure. */
static void *
bz_context(void)
{
	if (bz.ctx != NULL && bz.pid == zl_pid_self())
		return (bz.ctx);
	/* A parent's, copied by fork: not ours to use or to end. */
	bz.ctx = zmq_ctx_new();
	bz.pub = NULL;
	bz.hellos = 0;
	bz.pid = zl_pid_self();
	return (bz.ctx);
}

static void
bz_set_int(void *s, int opt, int v)
{
	zmq_setsockopt(s, opt, &v, sizeof v);
}

/*
 * The publisher's socket, bound at its first message; bz.mu is held.
 * Asked at every message: whose it is comes from zl_pid_self, not from
 * getpid (a system call a message).
 */
static void *
bz_publisher(struct rack_bcast *r)
{
	char	ep[128];

	if (bz.pub != NULL && bz.pid == zl_pid_self())
		return (bz.pub);
	if (bz_context() == NULL ||
	    (bz.pub = zmq_socket(bz.ctx, ZMQ_XPUB)) == NULL)
		return (NULL);
	bz_set_int(bz.pub, ZMQ_LINGER, 0);
	bz_set_int(bz.pub, ZMQ_SNDHWM, (int)r->hwm);
	bz_endpoint(r, ep, sizeof ep, 1);
	if (zmq_bind(bz.pub, ep) == -1) {
		zmq_close(bz.pub);
		bz.pub = NULL;
		return (NULL);
	}
	return (bz.pub);
}

/* Read the subscriptions that came in; count the subscribers' hellos. */
static void
bz_hear(int wait_ms)
{
	zmq_pollitem_t	pi = { bz.pub, 0, ZMQ_POLLIN, 0 };
	unsigned char	buf[SCN_TOPIC_MAX + 16];
	int		n;

	if (zmq_poll(&pi, 1, wait_ms) <= 0)
		return;
	while ((n = zmq_recv(bz.pub, buf, sizeof buf, ZMQ_DONTWAIT)) >= 0) {
		/* "\1" subscribe, "\0" unsubscribe, then the topic. */
		if (n >= 3 && buf[0] == 1 && buf[1] == 2 && buf[2] == 'h')
			bz.hellos++;
	}
}

static int
bz_put(struct rack *base, dish_t d, struct hand *hand, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	char			 msg[SCN_TOPIC_MAX + 48];
	unsigned		 t;
	uint64_t		 seq;
	size_t			 n;
	int			 rc;

	if (blocked != NULL)
		*blocked = 0;
	pthread_mutex_lock(&bz.mu);
	if (bz_publisher(r) == NULL) {
		pthread_mutex_unlock(&bz.mu);
		bz_fail(r, _("cannot bind the publisher"));
		return (-1);
	}
	/*
	 * sync = yes: until every expected subscriber has said hello; the
	 * mutex is let go between looks, subscribers need it to start.
	 */
	while (r->want_sync && !r->synced) {
		bz_hear(0);
		if (bz.hellos >= r->expected) {
			r->synced = 1;
			break;
		}
		if (blocked != NULL)
			*blocked = 1;
		pthread_mutex_unlock(&bz.mu);
		if (atomic_load(&r->aborted))
			return (-1);
		clock_sleep_ns(5 * NSEC_PER_MSEC);
		pthread_mutex_lock(&bz.mu);
	}
	/* Subscriptions keep coming in: read them now and then. */
	if (r->published % 256 == 0)
		bz_hear(0);
	t = bcast_topic_of(r->topics, d);
	bc_lock(r);
	if (r->closed || atomic_load(&r->aborted)) {
		bc_unlock(r);
		pthread_mutex_unlock(&bz.mu);
		return (-1);
	}
	seq = ++r->per_topic[t];
	bc_net_published(r, d, seq);
	r->published++;
	bc_unlock(r);
	n = strlen(r->topics->name[t]) + 1;
	memcpy(msg, r->topics->name[t], n);
	n += (size_t)snprintf(msg + n, sizeof msg - n, "%u %llu %u", d,
	    (unsigned long long)seq, t);
	/* A full pipe drops the message for that subscriber: by design. */
	rc = zmq_send(bz.pub, msg, n, 0);
	pthread_mutex_unlock(&bz.mu);
	if (rc == -1) {
		bz_fail(r, "send");
		return (-1);
	}
	if (hand != NULL)
		atomic_store_explicit(&hand->dish, DISH_NONE,
		    memory_order_relaxed);
	return (0);
}

/* Subscribe the thread's socket to the topics of mask (or their prefix). */
static void
bz_subscribe(struct rack_bcast *r, const struct station *st,
    const uint64_t *mask)
{
	char		 topic[SCN_TOPIC_MAX + 1];
	size_t		 n;
	unsigned	 i, t;

	if (st == NULL) {
		/* Topics added by the [script]: exact ones, as resolved. */
		for (t = 0; t < r->topics->n; t++) {
			if (!bcast_has(mask, t))
				continue;
			n = strlen(r->topics->name[t]) + 1;
			zmq_setsockopt(bz_sub, ZMQ_SUBSCRIBE,
			    r->topics->name[t], n);
		}
		return;
	}
	if (st->nsubscribe == 0)
		zmq_setsockopt(bz_sub, ZMQ_SUBSCRIBE, "", 0);
	for (i = 0; i < st->nsubscribe; i++) {
		n = strlen(st->subscribe[i]);
		memcpy(topic, st->subscribe[i], n + 1);
		if (n > 0 && topic[n - 1] == '*')
			n--;		/* a prefix: ZeroMQ's own match */
		else
			n++;		/* exact: the topic and its NUL */
		zmq_setsockopt(bz_sub, ZMQ_SUBSCRIBE, topic, n);
	}
}

static void
bz_unsubscribe(void)
{
	if (bz_sub != NULL)
		zmq_close(bz_sub);
	bz_sub = NULL;
	bz_me = NULL;
	pthread_setspecific(bz_key, NULL);
}

/* Connect and subscribe the hand's worker, at its first get. */
static struct bcast_sub *
bz_join(struct rack_bcast *r, struct hand *hand, const struct scenario *scn)
{
	struct bcast_sub	*s;
	uint64_t		 mask[BCAST_MASK_WORDS];
	char			 ep[128], hello[16];
	unsigned		 station;

	if (hand->who >= r->nslots || (station = r->station_of[hand->who]) == 0)
		return (NULL);
	pthread_mutex_lock(&bz.mu);
	if (bz_context() != NULL)
		bz_sub = zmq_socket(bz.ctx, ZMQ_SUB);
	pthread_mutex_unlock(&bz.mu);
	if (bz_sub == NULL) {
		bz_fail(r, _("cannot make a subscriber"));
		return (NULL);
	}
	pthread_once(&bz_once, bz_key_make);
	pthread_setspecific(bz_key, bz_sub);
	bz_set_int(bz_sub, ZMQ_LINGER, 0);
	bz_set_int(bz_sub, ZMQ_RECONNECT_IVL, 10);
	bz_set_int(bz_sub, ZMQ_RCVHWM, (int)r->hwm);
	bz_set_int(bz_sub, ZMQ_RCVTIMEO, BZ_SLICE_MS);
	bz_endpoint(r, ep, sizeof ep, 0);
	if (zmq_connect(bz_sub, ep) == -1) {
		bz_fail(r, _("cannot connect a subscriber"));
		bz_unsubscribe();
		return (NULL);
	}
	bc_lock(r);
	memcpy(mask, r->st_mask[station], sizeof mask);
	bz_gen = atomic_load(&r->st_gen);
	bc_unlock(r);
	bz_subscribe(r, station < scn->nstations ? &scn->stations[station] :
	    NULL, mask);
	/* After its real ones, so the publisher hears it once they count. */
	snprintf(hello, sizeof hello, "\2h%u", hand->who);
	zmq_setsockopt(bz_sub, ZMQ_SUBSCRIBE, hello, strlen(hello));
	bc_lock(r);
	s = bc_sub(r, hand, station);
	if (s != NULL)
		memcpy(s->mask, mask, sizeof mask);
	bc_unlock(r);
	if (s == NULL)
		bz_unsubscribe();
	return (s);
}

/* A [script] gave its station more topics: subscribe to them too. */
static void
bz_more_topics(struct rack_bcast *r, struct bcast_sub *s)
{
	uint64_t	more[BCAST_MASK_WORDS];
	unsigned	i, t, any = 0;

	/* Looked at once per message: the lock only once they changed. */
	if (atomic_load_explicit(&r->st_gen, memory_order_acquire) == bz_gen)
		return;
	bc_lock(r);
	bz_gen = atomic_load(&r->st_gen);
	for (i = 0; i < BCAST_MASK_WORDS; i++) {
		more[i] = r->st_mask[s->station][i] & ~s->mask[i];
		any |= more[i] != 0;
	}
	if (any) {
		for (t = 0; t < r->topics->n; t++) {
			if (!bcast_has(more, t))
				continue;
			s->late += r->per_topic[t];
			s->joined_seq[t] = (uint32_t)r->per_topic[t];
			s->next_seq[t] = s->joined_seq[t] + 1;
			s->mask[t / 64] |= 1ULL << (t % 64);
		}
	}
	bc_unlock(r);
	if (any)
		bz_subscribe(r, NULL, more);
}

static dish_t
bz_get(struct rack *base, struct hand *hand, int *depth, int *blocked)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;
	struct bcast_sub	*s = NULL;
	char			 buf[SCN_TOPIC_MAX + 64], *nul;
	unsigned		 d, t;
	unsigned long long	 seq;
	int64_t			 closed_at = 0;
	int16_t			 i;
	int			 n;

	if (blocked != NULL)
		*blocked = 0;
	if (depth != NULL)
		*depth = 0;
	if (bz_sub != NULL && bz_me != NULL)
		s = bz_me;	/* its own books: no lock to find them */
	else {
		bc_lock(r);
		if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
			bc_pay(r, hand);
		if (hand->who < r->nslots && (i = r->sub_of[hand->who]) >= 0)
			s = &r->subs[i];
		bc_unlock(r);
		if (s != NULL)
			return (DISH_NONE);	/* it left already */
		if ((s = bz_join(r, hand, r->scn)) == NULL)
			return (DISH_NONE);
		bz_me = s;
	}
	for (;;) {
		if (atomic_load(&r->aborted))
			break;
		bz_more_topics(r, s);
		/*
		 * While messages flow, the last one's task_done is paid with
		 * the next one's arrival, under one lock; before a wait, on
		 * its own (the run's join counts it).
		 */
		n = zmq_recv(bz_sub, buf, sizeof buf - 1, ZMQ_DONTWAIT);
		if (n == -1 && zmq_errno() == EAGAIN) {
			if (atomic_load_explicit(&hand->owes,
			    memory_order_relaxed)) {
				bc_lock(r);
				bc_pay(r, hand);
				bc_unlock(r);
			}
			n = zmq_recv(bz_sub, buf, sizeof buf - 1, 0);
		}
		if (n == -1) {
			if (zmq_errno() != EAGAIN && zmq_errno() != EINTR) {
				bz_fail(r, "receive");
				break;
			}
			bc_lock(r);
			if ((r->closed || atomic_load_explicit(&hand->leave,
			    memory_order_relaxed)) && closed_at == 0)
				closed_at = clock_mono_ns();
			bc_unlock(r);
			if (closed_at != 0 && (atomic_load_explicit(
			    &hand->leave, memory_order_relaxed) ||
			    clock_mono_ns() - closed_at > BZ_END_WAIT))
				break;
			if (blocked != NULL)
				*blocked = 1;
			continue;
		}
		if ((size_t)n >= sizeof buf)
			n = sizeof buf - 1;
		buf[n] = '\0';
		if ((nul = memchr(buf, '\0', (size_t)n)) == NULL ||
		    nul == buf + n || sscanf(nul + 1, "%u %llu %u", &d, &seq,
		    &t) != 3 || t >= r->topics->n)
			continue;
		bc_lock(r);
		if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
			bc_pay(r, hand);
		bc_net_arrived(s, t, (uint32_t)seq);
		atomic_store_explicit(&hand->dish, d, memory_order_relaxed);
		atomic_store_explicit(&hand->owed, d, memory_order_relaxed);
		atomic_store_explicit(&hand->owes, 1, memory_order_relaxed);
		bc_unlock(r);
		return (d);
	}
	bc_lock(r);
	if (atomic_load_explicit(&hand->owes, memory_order_relaxed))
		bc_pay(r, hand);
	bc_net_leave(r, s);
	bc_unlock(r);
	bz_unsubscribe();
	return (DISH_NONE);
}

static void
bz_close(struct rack *base)
{
	struct rack_bcast	*r = (struct rack_bcast *)base;

	bc_lock(r);
	r->closed = 1;
	bc_wake(r, BC_STATE);
	bc_unlock(r);
}

/*
 * Bind at the start of the run, in the main process once its first
 * workers are forked: subscribers that start with the run find the
 * publisher there (ZeroMQ would let them connect first, but a SUB retries
 * only every ZMQ_RECONNECT_IVL).
 */
static void
bz_start(struct rack_bcast *r)
{
	pthread_mutex_lock(&bz.mu);
	if (bz_publisher(r) == NULL) {
		pthread_mutex_unlock(&bz.mu);
		bz_fail(r, _("cannot bind the publisher"));
		return;
	}
	pthread_mutex_unlock(&bz.mu);
}

static void
bz_destroy(struct rack *base)
{
	bz_release((struct rack_bcast *)base);
	bc_destroy(base);
}

/* The publisher's socket and the context go, then the directory. */
static void
bz_release(struct rack_bcast *r)
{
	char	path[128];

	pthread_mutex_lock(&bz.mu);
	if (bz.pid == zl_pid_self()) {
		if (bz.pub != NULL)
			zmq_close(bz.pub);
		if (bz.ctx != NULL)
			zmq_ctx_term(bz.ctx);
	}
	bz.pub = bz.ctx = NULL;
	bz.pid = 0;
	bz.hellos = 0;
	pthread_mutex_unlock(&bz.mu);
	if (r->prefix[0] != '\0' && strncmp(r->prefix, "tcp://", 6) != 0) {
		snprintf(path, sizeof path, "%s/bcast", r->prefix);
		unlink(path);
		rmdir(r->prefix);
		r->prefix[0] = '\0';
	}
}
