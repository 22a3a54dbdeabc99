/*
 * engine.c: prepares a run, spawns its workers and conducts it.
 *
 * DESIGN: three kinds of thread touch a run in the main process. Workers
 * (threads, or children for processes) only move dishes and write events
 * to their own rings. The conductor spawns the workers and then plays the
 * lecture's main program: join the pile (every dish washed), close it, join
 * the next rack, close it, and so on down the line; closing a rack is what
 * lets its takers leave. It also supervises children, putting back the
 * dish of one that died. The script thread runs the [script] timeline.
 * Views call the engine_* controls from the main thread; ctl serialises
 * those with the script's. On a clock (virtual, or the async loop) the
 * conductor and the script are tasks like the workers, on the clock's one
 * loop thread, so every step happens at an exact clock time.
 */
#include "config.h"

#include "engine.h"
#include "engine_int.h"
#include "engine_replay.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "arrivals.h"
#include "bcast.h"
#include "exec.h"
#include "i18n.h"
#include "rack_local.h"
#ifdef HAVE_ZMQ
#include "rack_bcast_zmq.h"
#endif
#ifdef HAVE_HIREDIS
#include "rack_bcast_redis.h"
#include "rack_redis.h"
#include "redis_link.h"
#endif
#ifdef HAVE_ZMQ
#include "rack_zmq.h"
#include "zmq_link.h"
#endif
#include "worker.h"
#include "xmalloc.h"

#define ENGINE_RING_EVENTS	1024
#define ENGINE_BATCH_NS		(1 * NSEC_PER_MSEC)
/*
 * Bytes of event rings. The mapping is lazy: pages a ring never reaches
 * are never touched, so rings can be deep enough that a worker hardly ever
 * waits for the reader.
 */
#define ENGINE_EVENT_BUDGET	((size_t)512 << 20)
#define ENGINE_JOIN_SLICE	(100 * NSEC_PER_MSEC)
/*
 * The watchdog's patience once a stop is asked: after one grace the child
 * processes still there are killed, after two the run is given up.
 */
#define ENGINE_STOP_GRACE	(3 * NSEC_PER_SEC)


static void	*engine_conductor(void *);
static void	 engine_conduct(void *);
static void	*engine_loop(void *);
static void	*engine_script(void *);
static void	 engine_script_steps(void *);
static int	 engine_spawn(struct engine *, unsigned, char **);
static void	 engine_supervise(struct engine *);
static void	 engine_reap_all(struct engine *);
static int	 engine_check_transport(const struct scenario *,
		    const struct engine_opts *, char **);
static int	 engine_redis(struct engine *, char **);
static int	 engine_redis_start(struct engine *, char **);
static int	 engine_rack_failed(struct engine *);
static int	 engine_zmq(struct engine *, char **);
static int	 engine_crashed(struct run *, struct wslot *, dish_t *);
static int	 engine_script_kills_broker(const struct scenario *);
static int	 engine_broadcast_rack(struct engine *, unsigned, char **);
#ifdef HAVE_ZMQ
static void	 engine_zmq_links(struct engine *);
#endif

/*
 * What a rack in this process's memory is sized for: every dish, when
 * there are not too many (a rack.capacity set during the run, from the
 * script or the keys, can then be anything), else its own capacity.
 */
#define ENGINE_LIVE_RACK	65536
static uint32_t
engine_rack_room(const struct scenario *scn, unsigned i)
{
	return (scn->ndishes <= ENGINE_LIVE_RACK ? RACK_UNBOUNDED :
	    scenario_rack(scn, i));
}

struct gil *
run_gil(struct run *run, struct wslot *w)
{
	unsigned	i = 0;

	/* Off, or switched off live: from each worker's next dish. */
	if (run->ngils == 0 || atomic_load(&run->gil_off))
		return (NULL);
	/* Processes: the first station shares the main process's. */
	if (run->scn->mode == MODE_PROCESSES && w->station != 0)
		i = 1 + w->id;
	return (i < run->ngils ? &run->gils[i] : &run->gils[0]);
}

/* The worker the calling thread runs (threads and processes). */
static _Thread_local struct wslot *run_self;

void
run_set_self(struct wslot *w)
{
	run_self = w;
}

int
run_crashing(struct run *run)
{
	struct wslot	*w = run_self;
	uintptr_t	 t, lo, hi;

	/* On a clock, the task running now: one of the slots' own, or not. */
	if (run->vc != NULL) {
		t = (uintptr_t)run->vc->cur;
		lo = (uintptr_t)run->slots;
		hi = (uintptr_t)(run->slots + run->nslots);
		w = t >= lo && t < hi ? &run->slots[(t - lo) /
		    sizeof *run->slots] : NULL;
	}
	return (w != NULL && atomic_load_explicit(&w->crash,
	    memory_order_relaxed));
}

int64_t
run_now(struct run *run)
{
	if (run->vc != NULL)
		return (vclock_now(run->vc));
	return (run_clock_now(&run->clock));
}

void
run_event(struct run *run, struct wslot *w, enum ev_kind kind, dish_t dish,
    int32_t arg)
{
	int64_t	t = run_now(run);

	if (w != NULL) {
		/* A worker's ring: its own, or a dead process's. */
		ev_ring_put(w->ring, t, kind, dish, arg);
		return;
	}
	pthread_mutex_lock(&run->ring_mu);
	ev_ring_put(run->ring, t, kind, dish, arg);
	pthread_mutex_unlock(&run->ring_mu);
}

/* The largest power of two not above n, at least lo, at most hi. */
static uint32_t
engine_ring_events(size_t n, uint32_t lo, uint32_t hi)
{
	uint32_t	p = lo;

	while (p < hi && (size_t)p * 2 <= n)
		p *= 2;
	return (p);
}

/* Carve n bytes from the run's arena; NULL with *cause if it is full. */
static void *
engine_alloc(struct engine *e, size_t n, char **cause)
{
	void	*p;

	if ((p = arena_alloc(&e->arena, n)) == NULL)
		xasprintf(cause, _("not enough memory for the run (%zu bytes "
		    "more)"), n);
	return (p);
}

/* Give every lock a station needs an index; the same name, the same lock. */
static int
engine_named_locks(struct engine *e, char **cause)
{
	struct run	*run = e->run;
	const char	*names[LOCK_MAX_NAMED];
	unsigned	 i, j, k, n = 0;

	for (i = 0; i < e->scn->nstations; i++) {
		const struct station	*st = &e->scn->stations[i];

		for (j = 0; j < st->nneeds; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(names[k], st->needs[j]) == 0)
					break;
			if (k == n) {
				/* scenario_validate refuses it first. */
				if (n == LOCK_MAX_NAMED) {
					xasprintf(cause, _("more than %d named "
					    "locks"), LOCK_MAX_NAMED);
					return (-1);
				}
				names[n++] = st->needs[j];
			}
			run->st[i].need[j] = k;
		}
		run->st[i].nneed = st->nneeds;
	}
	if (n == 0)
		return (0);
	if ((run->locks = engine_alloc(e, n * sizeof *run->locks,
	    cause)) == NULL)
		return (-1);
	for (k = 0; k < n; k++)
		named_lock_init(&run->locks[k], names[k],
		    e->ops->shared_memory);
	run->nlocks = n;
	return (0);
}

/* Set up the racks, the pile first. 0, or -1 with *cause. */
static int
engine_racks(struct engine *e, unsigned nslots, char **cause)
{
	struct run		*run = e->run;
	struct scenario		*scn = e->scn;
	struct run_station	*rs;
	const struct station	*st;
	unsigned		 i;

	run->nstations = scn->nstations;
	if ((run->pile = engine_alloc(e, rack_local_size(RACK_UNBOUNDED, 0, 0),
	    cause)) == NULL)
		return (-1);
	if (rack_local_init_pile(run->pile, e->ops->rack_sync, run->vc,
	    scn->ndishes) == -1) {
		run->pile = NULL;
		xasprintf(cause, _("cannot set up the pile of %llu dishes"),
		    (unsigned long long)scn->ndishes);
		return (-1);
	}
	for (i = 0; i < scn->nstations; i++) {
		rs = &run->st[i];
		st = &scn->stations[i];
		atomic_store(&rs->time_kind, st->time.kind);
		atomic_store(&rs->time_a, st->time.a_ns);
		atomic_store(&rs->time_b, st->time.b_ns);
		if (i == 0) {
			rs->in = run->pile;
			continue;
		}
		if (scn->broadcast) {
			/* One rack: every later station subscribes to it. */
			if (i == 1 && engine_broadcast_rack(e, nslots,
			    cause) == -1)
				return (-1);
			if (i == 1)
				rack_bcast_expect(run->st[0].out,
				    e->opts.wait_agents);
			rs->in = run->st[0].out;
			continue;
		}
#ifdef HAVE_HIREDIS
		if (e->where != NULL) {
			rs->in = engine_alloc(e, rack_redis_size(), cause);
			if (rs->in == NULL)
				return (-1);
			if (rack_redis_init(rs->in, e->where, e->key_prefix, i,
			    scenario_rack(scn, i), scn->reliable, scn,
			    cause) == -1) {
				rs->in = NULL;
				return (-1);
			}
			run->st[i - 1].out = rs->in;
			continue;
		}
#endif
#ifdef HAVE_ZMQ
		if (e->zwhere != NULL && e->opts.agent != NULL) {
			/* An agent's racks are the run's, where it says. */
			rs->in = engine_alloc(e, rack_zmq_size(), cause);
			if (rs->in == NULL)
				return (-1);
			rack_zmq_init_remote(rs->in, (const struct zr_eps *)
			    e->opts.agent->zmq_eps + i, i,
			    scenario_rack(scn, i), scn->reliable,
			    scn->rack_quit ? ZR_QUIT_SENTINEL :
			    ZR_QUIT_BROADCAST, nslots, scn);
			run->st[i - 1].out = rs->in;
			continue;
		}
		if (e->zwhere != NULL) {
			rs->in = engine_alloc(e, rack_zmq_size(), cause);
			if (rs->in == NULL)
				return (-1);
			if (rack_zmq_init(rs->in, e->zwhere, i,
			    scenario_rack(scn, i), scn->reliable,
			    scn->rack_quit ? ZR_QUIT_SENTINEL :
			    ZR_QUIT_BROADCAST, &run->st[i].live, nslots, scn,
			    cause) == -1) {
				rs->in = NULL;
				return (-1);
			}
			run->st[i - 1].out = rs->in;
			continue;
		}
#endif
		/* Every worker may die holding a dish: room for all. */
		rs->in = engine_alloc(e, rack_local_size(engine_rack_room(scn,
		    i), scn->ndishes + nslots, nslots), cause);
		if (rs->in == NULL)
			return (-1);
		if (rack_local_init(rs->in, e->ops->rack_sync, run->vc,
		    engine_rack_room(scn, i), scn->ndishes + nslots, nslots) ==
		    -1 || rack_set_capacity(rs->in, scenario_rack(scn, i)) ==
		    -1) {
			/* Not destroyed: only an initialised rack is. */
			rs->in = NULL;
			xasprintf(cause, _("cannot set up the rack in front of "
			    "%s"), st->name);
			return (-1);
		}
		if (!scn->reliable)
			rack_local_set_lossy(rs->in);
		run->st[i - 1].out = rs->in;
	}
	return (0);
}

#ifdef HAVE_HIREDIS
/*
 * A batch's puts go out unanswered, so none may be refused (a rack with a
 * limit refuses), and a taker's batch waits in its own list, which only
 * the reliable rack has. 1 with *cause if scn cannot batch.
 */
static int
engine_batch_refused(const struct scenario *scn, char **cause)
{
	char		 where[1100];
	unsigned	 i;
	const char	*why = NULL;

	if (!scn->reliable)
		why = N_("reliable = yes (a fetched batch waits in the "
		    "taker's own list, which the lecture's plain queue has "
		    "not)");
	for (i = 1; i < scn->nstations && why == NULL; i++) {
		if (scenario_rack(scn, i) != RACK_UNBOUNDED)
			why = N_("unbounded racks (its puts go out unanswered, "
			    "and a rack with a limit refuses some)");
	}
	if (why == NULL)
		return (0);
	scenario_where(scn, &scn->batch_pos, where, sizeof where);
	xasprintf(cause, _("%s: batch = %u needs %s"), where, scn->batch,
	    _(why));
	return (1);
}
#endif

/*
 * The broadcast rack after the publisher (doc/pubsub.md), its topics
 * first. 0, or -1 with *cause.
 */
static int
engine_broadcast_rack(struct engine *e, unsigned nslots, char **cause)
{
	struct run		*run = e->run;
	struct bcast_topics	*t;
	uint16_t		*of_dish = NULL;
	struct rack		*r;
	size_t			 extra;

	if ((t = engine_alloc(e, sizeof *t, cause)) == NULL)
		return (-1);
	if ((extra = bcast_topics_extra(e->scn)) > 0 &&
	    (of_dish = engine_alloc(e, extra, cause)) == NULL)
		return (-1);
	if (bcast_topics_init(t, e->scn, of_dish, cause) == -1)
		return (-1);
	run->topics = t;
	if ((r = engine_alloc(e, rack_bcast_size(e->scn, nslots),
	    cause)) == NULL)
		return (-1);
#ifdef HAVE_ZMQ
	if (!e->opts.virtual_clock && strcmp(e->scn->transport, "zmq") == 0) {
		if (rack_bcast_zmq_init(r, e->ops->rack_sync, &run->clock,
		    e->scn, t, nslots, cause) == -1)
			return (-1);
		run->st[0].out = r;
		return (0);
	}
	/* Over tcp, so that agents' subscribers can join (agents_zmq.c). */
	if (!e->opts.virtual_clock && e->zwhere != NULL && e->zwhere->tcp) {
		const struct zr_eps *eps = e->opts.agent != NULL ?
		    e->opts.agent->zmq_eps : NULL;

		if (rack_bcast_zmq_init_tcp(r, e->ops->rack_sync, &run->clock,
		    e->scn, t, nslots, e->zwhere->host, eps != NULL ?
		    eps[1].hub : NULL, cause) == -1)
			return (-1);
		run->st[0].out = r;
		return (0);
	}
#endif
#ifdef HAVE_HIREDIS
	if (e->where != NULL) {
		if (rack_bcast_redis_init(r, e->ops->rack_sync, &run->clock,
		    e->scn, t, nslots, e->where, e->key_prefix, cause) == -1)
			return (-1);
		run->st[0].out = r;
		return (0);
	}
#endif
	if (rack_bcast_init(r, e->ops->rack_sync, run->vc, &run->clock,
	    e->scn, t, nslots, cause) == -1)
		return (-1);
	run->st[0].out = r;
	return (0);
}

/*
 * Where the racks live: 0 for local (and on the virtual clock, whose time
 * is simulated, so are its racks: doc/redis.md), 1 for Redis. -1 with
 * *cause at the transport's place.
 */
static int
engine_check_transport(const struct scenario *scn,
    const struct engine_opts *opts, char **cause)
{
	char	where[1100];

#ifdef HAVE_ZMQ
	if (opts->agent != NULL && opts->agent->zmq_eps != NULL)
		return (2);
#endif
#ifdef HAVE_HIREDIS
	if (opts->agent != NULL)
		return (1);
#endif
	if (scn->transport == NULL || strcmp(scn->transport, "local") == 0 ||
	    opts->virtual_clock)
		return (0);
	scenario_where(scn, &scn->transport_pos, where, sizeof where);
	if (scn->broadcast && strcmp(scn->transport, "zmq") == 0) {
		/* A broadcast over ZeroMQ: XPUB and SUB (doc/pubsub.md). */
#ifdef HAVE_ZMQ
		if (scn->mode != MODE_ASYNC)
			return (0);
		xasprintf(cause, _("%s: transport %s runs workers as threads "
		    "or processes: async tasks share one thread, which a wait "
		    "on a socket would block (mode = async is for local "
		    "racks)"), where, "zmq");
#else
		xasprintf(cause, _("%s: transport zmq needs libzmq, and this "
		    "dishrack was built without it (apt-get install "
		    "libzmq3-dev, then configure --with-zmq)"), where);
#endif
		return (-1);
	}
	if (strcmp(scn->transport, "zmq") == 0 ||
	    strncmp(scn->transport, "zmq+", 4) == 0 ||
	    strncmp(scn->transport, "zmq:", 4) == 0) {
#ifdef HAVE_ZMQ
		struct zl_where	 zw;
		char		*why = NULL;

		if (zl_where_parse(scn->transport, &zw, &why) == -1) {
			xasprintf(cause, "%s: transport: %s", where, why);
			free(why);
			return (-1);
		}
		if (scn->mode == MODE_ASYNC) {
			xasprintf(cause, _("%s: transport %s runs workers as "
			    "threads or processes: async tasks share one "
			    "thread, which a wait on a socket would block "
			    "(mode = async is for local racks)"), where, "zmq");
			return (-1);
		}
		return (2);
#else
		xasprintf(cause, _("%s: transport '%s' needs libzmq, and this "
		    "dishrack was built without it (apt-get install "
		    "libzmq3-dev, then configure --with-zmq)"), where,
		    scn->transport);
		return (-1);
#endif
	}
	if (strncmp(scn->transport, "redis", 5) != 0 &&
	    strncmp(scn->transport, "unix://", 7) != 0) {
		xasprintf(cause, _("%s: transport '%s' is not available in "
		    "this version: expected local, redis, redis://HOST:PORT, "
		    "unix:///PATH, zmq or zmq+tcp://HOST:PORT"), where,
		    scn->transport);
		return (-1);
	}
#ifdef HAVE_HIREDIS
	if (scn->mode == MODE_ASYNC) {
		xasprintf(cause, _("%s: transport %s runs workers as threads "
		    "or processes: async tasks share one thread, which a wait "
		    "on Redis would block (mode = async is for local racks)"),
		    where, "redis");
		return (-1);
	}
	if (scn->batch > 1 && engine_batch_refused(scn, cause))
		return (-1);
	return (1);
#else
	xasprintf(cause, _("%s: transport '%s' needs hiredis, and this "
	    "dishrack was built without it (apt-get install libhiredis-dev, "
	    "then configure --with-hiredis)"), where, "redis");
	return (-1);
#endif
}

/* Set up where the run's Redis is: its address, or a private server. */
static int
engine_redis(struct engine *e, char **cause)
{
#ifdef HAVE_HIREDIS
	char	 where[1100], *why = NULL;
	int	 private;

	if (engine_check_transport(e->scn, &e->opts, cause) != 1)
		return (0);
	if ((e->where = engine_alloc(e, sizeof *e->where, cause)) == NULL)
		return (-1);
	scenario_where(e->scn, &e->scn->transport_pos, where, sizeof where);
	if (e->opts.agent != NULL) {
		/* An agent's racks are the run's: its address, its keys. */
		if (redis_where_parse(e->opts.agent->url, e->where, &private,
		    cause) == -1 || private) {
			if (private)
				xasprintf(cause, _("an agent needs the run's "
				    "address, redis://HOST:PORT"));
			e->where = NULL;
			return (-1);
		}
		snprintf(e->key_prefix, sizeof e->key_prefix, "%s",
		    e->opts.agent->prefix);
		return (0);
	}
	if (redis_where_parse(e->scn->transport, e->where, &private,
	    &why) == -1) {
		/* The URL may hold a password: the message never quotes it. */
		xasprintf(cause, "%s: %s", where, why);
		free(why);
		e->where = NULL;
		return (-1);
	}
	snprintf(e->key_prefix, sizeof e->key_prefix, "dishrack:%08x:",
	    (unsigned)((uint64_t)clock_mono_ns() * 2654435761u ^
	    (uint64_t)getpid() << 16));
	e->redis_private = private;
	return (0);
#else
	(void)e;
	(void)cause;
	return (0);
#endif
}

/*
 * Where a run's ZeroMQ sockets are: a private ipc directory, made now, or
 * the tcp address the transport names. Nothing for other transports.
 */
static int
engine_zmq(struct engine *e, char **cause)
{
#ifdef HAVE_ZMQ
	char	 where[1100], *why = NULL;

	if (engine_check_transport(e->scn, &e->opts, cause) != 2)
		return (0);
	if ((e->zwhere = engine_alloc(e, sizeof *e->zwhere, cause)) == NULL)
		return (-1);
	scenario_where(e->scn, &e->scn->transport_pos, where, sizeof where);
	if (e->opts.agent != NULL) {
		if (zl_where_parse(e->opts.agent->url, e->zwhere, &why) == -1) {
			xasprintf(cause, "%s", why);
			free(why);
			e->zwhere = NULL;
			return (-1);
		}
		snprintf(e->zshown, sizeof e->zshown, "ZeroMQ %s",
		    e->zwhere->shown);
		return (0);
	}
	if (zl_where_parse(e->scn->transport, e->zwhere, &why) == -1) {
		xasprintf(cause, "%s: transport: %s", where, why);
		free(why);
		e->zwhere = NULL;
		return (-1);
	}
	if (zl_where_open(e->zwhere, cause) == -1) {
		e->zwhere = NULL;
		return (-1);
	}
	snprintf(e->zshown, sizeof e->zshown, "ZeroMQ %s", e->zwhere->shown);
#else
	(void)e;
	(void)cause;
#endif
	return (0);
}

#ifdef HAVE_ZMQ
/*
 * What the ZeroMQ racks' socket monitors saw since the last look, as the
 * run's events: a link up or down per connect and disconnect.
 */
static void
engine_zmq_links(struct engine *e)
{
	struct run	*run = e->run;
	struct zr_view	 v;
	unsigned	 i;

	if (e->zwhere == NULL || e->opts.agent != NULL)
		return;
	for (i = 1; i < run->nstations; i++) {
		if (rack_zmq_view(run->st[i].in, &v) == -1)
			continue;
		for (; e->zlinks[i][0] < v.connects; e->zlinks[i][0]++)
			run_event(run, NULL, EV_CONTROL, i, CTL_LINK_UP);
		for (; e->zlinks[i][1] < v.disconnects; e->zlinks[i][1]++)
			run_event(run, NULL, EV_CONTROL, i, CTL_LINK_DOWN);
	}
}
#endif

/*
 * Start the run's private server, or reach the one it was given: a Redis
 * that is not there is a run that fails (exit 1), not a usage error.
 */
static int
engine_redis_start(struct engine *e, char **cause)
{
#ifdef HAVE_HIREDIS
	if (e->where == NULL)
		return (0);
	if (e->redis_private && engine_script_kills_broker(e->scn)) {
		if (redis_private_start_durable(&e->redis_server, e->where,
		    cause) == -1)
			return (-1);
	} else if (e->redis_private && redis_private_start(&e->redis_server,
	    e->where, cause) == -1)
		return (-1);
	if (redis_check_server(e->where, cause) == -1)
		return (-1);
#else
	(void)e;
	(void)cause;
#endif
	return (0);
}

/* Leave engine_create: the scenario goes with the engine. */
static struct engine *
engine_create_failed(struct engine *e, struct scenario *scn)
{
	if (e != NULL)
		engine_destroy(e);	/* frees the scenario */
	else
		scenario_free(scn);
	return (NULL);
}

struct engine *
engine_create(struct scenario *scn, const struct engine_opts *opts,
    char **cause)
{
	struct engine	*e;
	struct run	*run;
	size_t		 size, ring_bytes;
	uint32_t	 ring_n;
	unsigned	 nslots, i, total = 0;
	int		 rc;

	if ((rc = engine_check_transport(scn, opts, cause)) == -1 ||
	    bcast_check(scn, cause) == -1)
		return (engine_create_failed(NULL, scn));
	arrivals_resolve(scn);
	for (i = 0; i < scn->nstations; i++) {
		if (!scn->stations[i].agents_only)
			continue;
		if (opts->virtual_clock || opts->agent != NULL) {
			/* Simulated time simulates the agents too. */
			scn->stations[i].agents_only = 0;
		} else if ((rc != 1 && (rc != 2 ||
		    strncmp(scn->transport, "zmq+tcp://", 10) != 0)) || i == 0) {
			xasprintf(cause, _("%s: [%s] where = agents needs %s"),
			    scn->file, scn->stations[i].name, i == 0 ?
			    _("a station after the first (the first takes its "
			    "dishes from the pile)") : _("racks in Redis "
			    "(transport = redis://HOST:PORT) or over ZeroMQ "
			    "(transport = zmq+tcp://HOST:PORT)"));
			return (engine_create_failed(NULL, scn));
		} else
			scn->stations[i].count = 0;
	}

	e = xcalloc(1, sizeof *e);
	e->scn = scn;
	e->opts = *opts;
	if (e->opts.speed <= 0)
		e->opts.speed = 1.0;
	if (opts->virtual_clock)
		e->ops = &exec_virtual;
	else if (scn->mode == MODE_ASYNC)
		e->ops = &exec_async;
	else if (scn->mode == MODE_PROCESSES)
		e->ops = &exec_processes;
	else
		e->ops = &exec_threads;
	pthread_mutex_init(&e->ctl, NULL);
	atomic_store(&e->end_scn, -1);

	for (i = 0; i < scn->nstations; i++)
		total += scn->stations[i].count;
	nslots = total + scenario_script_workers(scn) +
	    (opts->spare_slots ? opts->spare_slots : 64);
	if (nslots > VCLOCK_MAX_TASKS - 2)
		nslots = VCLOCK_MAX_TASKS - 2;
	if (nslots < total)
		nslots = total;
	ring_n = engine_ring_events(ENGINE_EVENT_BUDGET /
	    ((size_t)nslots * sizeof(struct ev_rec)), 64, 262144);
	ring_bytes = ev_ring_size(ring_n);

	size = sizeof(struct run) + sizeof(struct output) +
	    (size_t)nslots * (sizeof(struct wslot) + ring_bytes + 128) +
	    ev_ring_size(ENGINE_RING_EVENTS) + 64 * 1024;
	size += rack_local_size(RACK_UNBOUNDED, 0, 0);
	/* Every run keeps its GILs, off, for a live switch to turn on. */
	size += (size_t)(nslots + 1) * sizeof(struct gil) + 64;
	if (scn->arrivals_set)
		size += scn->ndishes * sizeof(int64_t) + 64;
	size += sizeof(struct cupboard) + LOCK_MAX_NAMED *
	    sizeof(struct named_lock) + 128;
	for (i = 1; i < scn->nstations; i++)
		size += rack_local_size(engine_rack_room(scn, i),
		    scn->ndishes + nslots, nslots) + 128;
	if (scn->broadcast)
		size += sizeof(struct bcast_topics) + bcast_topics_extra(scn) +
		    rack_bcast_size(scn, nslots) + 256;
#ifdef HAVE_HIREDIS
	size += scn->nstations * (rack_redis_size() + 128) +
	    sizeof(struct redis_where) + 128;
#endif
#ifdef HAVE_ZMQ
	size += scn->nstations * (rack_zmq_size() + 128) +
	    sizeof(struct zl_where) + 128;
#endif
	if (arena_init(&e->arena, size, e->ops->shared_memory, cause) == -1)
		return (engine_create_failed(e, scn));

	if ((run = e->run = engine_alloc(e, sizeof *run, cause)) == NULL)
		return (engine_create_failed(e, scn));
	run_clock_init(&run->clock, e->opts.speed);
	run_clock_pause(&run->clock, 1);	/* time starts with the run */
	run->ops = e->ops;
	run->crashed = engine_crashed;
	run->owner = e;
	run->scn = scn;
	pthread_mutex_init(&run->ring_mu, NULL);
	if ((run->ring = engine_alloc(e, ev_ring_size(ENGINE_RING_EVENTS),
	    cause)) == NULL)
		return (engine_create_failed(e, scn));
	ev_ring_init(run->ring, ENGINE_RING_EVENTS);
	if (opts->virtual_clock || scn->mode == MODE_ASYNC) {
		vclock_init(&e->vc, scn->seed, VCLOCK_SWITCH_PERMILLE);
		e->has_vc = 1;
		run->vc = &e->vc;
		if (!opts->virtual_clock)
			vclock_set_pace(&e->vc, &run->clock, 1);
		else if (opts->paced)
			vclock_set_pace(&e->vc, &run->clock, 0);
	}
	if ((run->out = engine_alloc(e, sizeof *run->out, cause)) == NULL)
		return (engine_create_failed(e, scn));
	output_init(run->out, opts->output_fd, opts->output_ring,
	    e->ops->shared_memory, !opts->virtual_clock, scn->output);

	/* An event loop is one thread: one core, whatever the machine. */
	run->vcores.cores = scn->mode == MODE_ASYNC ? 1 :
	    scn->cores > 0 ? scn->cores : 1;
	/*
	 * The GILs exist in every run, off unless the scenario has one, so
	 * that a live switch can turn them on under running threads
	 * (engine_live.c).
	 */
	atomic_store(&run->gil_off, !scn->gil);
	atomic_store(&run->gil_ever, scn->gil);
	run->ngils = scn->mode == MODE_PROCESSES ? nslots + 1 : 1;
	if ((run->gils = engine_alloc(e, run->ngils * sizeof *run->gils,
	    cause)) == NULL) {
		run->ngils = 0;
		return (engine_create_failed(e, scn));
	}
	for (i = 0; i < run->ngils; i++)
		gil_init(&run->gils[i], scn->gil_interval_ns);

	if (scn->cupboard) {
		if ((run->cupboard = engine_alloc(e, sizeof *run->cupboard,
		    cause)) == NULL)
			return (engine_create_failed(e, scn));
		cupboard_init(run->cupboard, scn->cupboard_lock,
		    scn->cupboard_window_ns, e->ops->shared_memory);
	}
	if (scn->arrivals_set) {
		int64_t	*at;

		/* In the arena: a forked first station reads it too. */
		if ((at = arrivals_make(scn)) == NULL) {
			xasprintf(cause, _("%s: arrivals: at most %llu dishes "
			    "may arrive in a run"), scn->file,
			    (unsigned long long)ARRIVALS_MAX);
			return (engine_create_failed(e, scn));
		}
		run->arrival = engine_alloc(e, scn->ndishes * sizeof *at,
		    cause);
		if (run->arrival == NULL) {
			free(at);
			return (engine_create_failed(e, scn));
		}
		memcpy(run->arrival, at, scn->ndishes * sizeof *at);
		run->narrival = scn->ndishes;
		free(at);
	}
	if (engine_named_locks(e, cause) == -1 ||
	    engine_redis(e, cause) == -1 ||
	    engine_zmq(e, cause) == -1 ||
	    engine_racks(e, nslots, cause) == -1)
		return (engine_create_failed(e, scn));

	if ((run->slots = engine_alloc(e, (size_t)nslots * sizeof *run->slots,
	    cause)) == NULL)
		return (engine_create_failed(e, scn));
	run->nslots = nslots;
	for (i = 0; i < nslots; i++) {
		run->slots[i].id = i;
		run->slots[i].ring = arena_alloc(&e->arena, ring_bytes);
		if (run->slots[i].ring == NULL) {
			xasprintf(cause, _("not enough memory for %u workers"),
			    nslots);
			return (engine_create_failed(e, scn));
		}
		ev_ring_init(run->slots[i].ring, ring_n);
		atomic_store(&run->slots[i].hand.dish, DISH_NONE);
	}
	return (e);
}

/* Give a worker of station si a slot and start it. Called with ctl held. */
static int
engine_spawn(struct engine *e, unsigned si, char **cause)
{
	struct run		*run = e->run;
	struct run_station	*rs = &run->st[si];
	struct wslot		*w;
	unsigned		 id;

	id = atomic_load(&run->used);
	if (id >= run->nslots) {
		xasprintf(cause, _("no room for another worker (%u in all)"),
		    run->nslots);
		return (-1);
	}
	w = &run->slots[id];
	w->station = si;
	w->index = ++rs->next_index;
	snprintf(w->name, sizeof w->name, "%s-%u", e->scn->stations[si].name,
	    w->index);
	atomic_store(&w->hand.dish, DISH_NONE);
	atomic_store(&w->hand.owed, DISH_NONE);
	w->hand.who = id;
	if (e->opts.agent != NULL && w->index <= e->opts.agent->count) {
		/* The coordinator's slot and name: its list, its words. */
		w->hand.who = e->opts.agent->who[w->index - 1];
		snprintf(w->name, sizeof w->name, "%s",
		    e->opts.agent->names[w->index - 1]);
	}
	atomic_store(&w->waiting_lock, -1);
	atomic_store(&w->state, WS_STARTING);
	atomic_store(&w->since, run_now(run));
	/* By its hand's slot: an agent's is the coordinator's (the same
	 * scenario, so the same count of slots on both sides). */
	if (si > 0 && rack_is_broadcast(rs->in))
		rack_bcast_enrol(rs->in, w->hand.who, si);
	atomic_fetch_add(&rs->live, 1);
	atomic_store(&run->used, id + 1);
	if (e->ops->spawn(run, w, cause) == -1) {
		atomic_store(&w->state, WS_EXITED);
		atomic_fetch_sub(&rs->live, 1);
		w->reaped = 1;
		return (-1);
	}
	return (0);
}

int
engine_start(struct engine *e, char **cause)
{
	sigset_t	all, old;
	int		rc;

	if (e->replay != NULL)
		return (0);	/* a replay has nothing to start */
	if (e->has_vc && vclock_add(&e->vc, &e->conductor_vt, "conductor",
	    engine_conduct, e) == -1) {
		xasprintf(cause, _("cannot register the conductor"));
		return (-1);
	}
	if (engine_redis_start(e, cause) == -1 ||
	    agents_publish(e, cause) == -1)
		return (-1);
#ifdef HAVE_ZMQ
	if (agents_zmq_publish(e, cause) == -1)
		return (-1);
#endif
	atomic_store(&e->real_start, clock_mono_ns());
	run_clock_pause(&e->run->clock, 0);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&e->conductor, NULL,
	    e->has_vc ? engine_loop : engine_conductor, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		xasprintf(cause, _("cannot start the run: %s"), strerror(rc));
		return (-1);
	}
	e->started = 1;
	return (0);
}

void
engine_fail(struct engine *e, char *cause)
{
	pthread_mutex_lock(&e->ctl);
	if (e->error == NULL)
		e->error = cause;
	else
		free(cause);
	pthread_mutex_unlock(&e->ctl);
}

/* Off the clock, once the run is over: collect what is left. */
static void
engine_wind_up(struct engine *e)
{
	agents_reap(e);
#ifdef HAVE_ZMQ
	agents_zmq_reap(e);
#endif
	engine_reap_all(e);
	atomic_store(&e->reaped, 1);
	if (e->script_started)
		pthread_join(e->script, NULL);
	atomic_store(&e->finished, 1);
}

/* The conductor as a thread of its own, on the real clock. */
static void *
engine_conductor(void *arg)
{
	struct engine	*e = arg;

	engine_conduct(e);
	engine_wind_up(e);
	return (NULL);
}

/* The clock's loop thread (virtual or async): the conductor is a task. */
static void *
engine_loop(void *arg)
{
	struct engine	*e = arg;

	vclock_run(&e->vc);
	engine_wind_up(e);
	return (NULL);
}

/*
 * An agent's conductor: start its workers of the one station, tend them
 * until they have all left (the run closed their rack, or stopped).
 */
static void
engine_conduct_agent(struct engine *e)
{
	struct run	*run = e->run;
	const struct engine_agent *ag = e->opts.agent;
	char		*cause = NULL;
	unsigned	 j;

	pthread_mutex_lock(&e->ctl);
	for (j = 0; j < ag->count; j++) {
		if (engine_spawn(e, ag->station, &cause) == -1) {
			engine_fail(e, cause);
			engine_stop(e);
			break;
		}
	}
	pthread_mutex_unlock(&e->ctl);
	while (atomic_load(&run->st[ag->station].live) > 0) {
		engine_supervise(e);
		clock_sleep_ns(ENGINE_JOIN_SLICE);
	}
	atomic_store(&e->end_scn, run_now(run));
	atomic_store(&e->real_end, clock_mono_ns());
	engine_rack_failed(e);
	atomic_store(&e->ended, 1);
}

/* Start the stations and the script, then join the racks down the line. */
static void
engine_conduct(void *arg)
{
	struct engine	*e = arg;
	struct run	*run = e->run;
	char		*cause = NULL;
	unsigned	 i, j;
	int		 rc = 0;

	if (e->opts.agent != NULL) {
		engine_conduct_agent(e);
		return;
	}
	pthread_mutex_lock(&e->ctl);
	for (i = 0; i < run->nstations && rc == 0; i++) {
		/* Its workers come with the agents that join. */
		if (e->scn->stations[i].agents_only)
			continue;
		for (j = 0; j < e->scn->stations[i].count; j++) {
			if ((rc = engine_spawn(e, i, &cause)) == -1)
				break;
		}
	}
	pthread_mutex_unlock(&e->ctl);
	if (rc == -1) {
		engine_fail(e, cause);
		engine_stop(e);
	}
	rack_bcast_start(engine_broadcast(e));

	if (rc == 0 && e->scn->nscript > 0 && e->has_vc) {
		if (vclock_add(&e->vc, &e->script_vt, "script",
		    engine_script_steps, e) == -1)
			engine_fail(e, xstrdup(_("cannot start the [script]")));
	} else if (rc == 0 && e->scn->nscript > 0) {
		sigset_t	all, old;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &old);
		if (pthread_create(&e->script, NULL, engine_script, e) == 0)
			e->script_started = 1;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}

	/* dish_queue.join(), then the daemons may go: down the line. */
	for (i = 0; i < run->nstations; i++) {
		for (;;) {
			rc = rack_join(run->st[i].in,
			    e->has_vc ? -1 : ENGINE_JOIN_SLICE);
			if (rc != 1)
				break;
			engine_supervise(e);
		}
		if (rc == -1)
			break;
		if (i == run->nstations - 1) {
			atomic_store(&e->end_scn, run_now(run));
			atomic_store(&e->real_end, clock_mono_ns());
		}
		rack_close(run->st[i].in);
	}
	if (atomic_load(&e->end_scn) < 0) {
		atomic_store(&e->end_scn, run_now(run));
		atomic_store(&e->real_end, clock_mono_ns());
	}
	if (engine_rack_failed(e))
		engine_stop(e);
	atomic_store(&e->ended, 1);
	/* The script may sleep till a step after the end: no need to wait. */
	if (e->has_vc)
		vclock_wake(&e->vc, &e->script_vt);
}

/* A rack that gave up is the run's error. 1 if one did. */
static int
engine_rack_failed(struct engine *e)
{
	struct run	*run = e->run;
	const char	*why;
	unsigned	 i;

	for (i = 1; i < run->nstations; i++) {
		if ((why = rack_error(run->st[i].in)) != NULL) {
			engine_fail(e, xstrdup(why));
			return (1);
		}
	}
	return (0);
}

/* Collect children that died, put back what they held, replace them. */
/*
 * A worker that died or crashed: what it held goes back to its rack (or,
 * in the lecture's plain queue, is lost), its row says killed, and a
 * replacement starts unless the run is ending or the station is being
 * made smaller. Returns EXIT_DIED or EXIT_REPLACED; *d: the dish it held.
 */
static int
engine_bury(struct engine *e, struct wslot *w, dish_t *d, int retiring)
{
	struct run		*run = e->run;
	struct run_station	*rs = &run->st[w->station];
	unsigned		 next;
	char			*cause = NULL;
	int			 why = EXIT_DIED;

	*d = atomic_load(&w->hand.dish);
	if (rack_reclaim(rs->in, &w->hand) != 1 && run->scn->reliable)
		*d = DISH_NONE;
	if (*d != DISH_NONE) {
		atomic_store(&w->dropped_back, run->scn->reliable ||
		    w->station == 0);
		atomic_store(&w->dropped, *d + 1);
	}
	atomic_store(&w->died, 1);
	atomic_store(&w->state, WS_EXITED);
	atomic_fetch_sub(&rs->live, 1);
	/* An agent's slots are the coordinator's to give: none more. */
	if (!atomic_load(&run->stop) && !retiring && e->opts.agent == NULL) {
		pthread_mutex_lock(&e->ctl);
		next = atomic_load(&run->used);
		if (engine_spawn(e, w->station, &cause) == -1) {
			free(cause);
		} else {
			atomic_store(&run->slots[next].replaces, (int)w->id + 1);
			why = EXIT_REPLACED;
		}
		pthread_mutex_unlock(&e->ctl);
	}
	return (why);
}

/* run->crashed: a thread or task that was killed, from its own context. */
static int
engine_crashed(struct run *run, struct wslot *w, dish_t *d)
{
	return (engine_bury(run->owner, w, d, 0));
}

/*
 * Kill one worker for real: SIGKILL for a process (the supervisor finds
 * it dead), a crash for a thread or a task, which cannot die alone: it
 * stops where it stands and drops what it holds, as a thread whose
 * function raised would. 0, or -1 with *cause.
 */
static int
engine_kill_slot(struct engine *e, struct wslot *w, char **cause)
{
	struct run	*run = e->run;
	pid_t		 pid;

	if (atomic_load(&w->state) == WS_EXITED || atomic_load(&w->died) ||
	    atomic_load(&w->crash)) {
		xasprintf(cause, _("%s is gone already"), w->name);
		return (-1);
	}
	if (w->remote) {
		xasprintf(cause, _("%s is an agent's, on %s: kill it there"),
		    w->name, w->host);
		return (-1);
	}
	if (w->is_process && (pid = atomic_load(&w->pid)) > 0) {
		if (kill(pid, SIGKILL) == -1) {
			xasprintf(cause, "%s: %s", w->name, strerror(errno));
			return (-1);
		}
		return (0);
	}
	atomic_store(&w->crash, 1);
	/*
	 * Its waits end now, whatever it waits for (doc/robust-waits.md): a
	 * taker looks at its hand when woken, a putter at its hand's crash,
	 * a GIL waiter at its flag; a task on the clock is kicked out of
	 * its sleep or wait queue. A named lock's wait ends within its slice.
	 */
	atomic_store(&w->hand.crash, 1);
	atomic_store(&w->hand.leave, 1);
	rack_wake_takers(run->st[w->station].in);
	if (run->st[w->station].out != NULL)
		rack_wake_takers(run->st[w->station].out);
	if (e->has_vc)
		vclock_kick(&e->vc, &w->vt);
	else if (run_gil(run, w) != NULL)
		gil_wake(run_gil(run, w));
	return (0);
}

/* The script kills the broker: its server keeps its file, to restart. */
static int
engine_script_kills_broker(const struct scenario *scn)
{
	unsigned	i;

	for (i = 0; i < scn->nscript; i++) {
		if (scn->script[i].kind == STEP_KILL &&
		    strcmp(scn->script[i].text, "broker") == 0)
			return (1);
	}
	return (0);
}

/*
 * The private redis-server, killed for real (SIGKILL) and started again:
 * a broker outage the workers ride out (they retry, with the header
 * counting down); it keeps an append-only file synced at every command
 * when the script kills it, so nothing is lost across the restart.
 */
static int
engine_kill_broker(struct engine *e, char **cause)
{
#ifdef HAVE_HIREDIS
	if (e->where != NULL && e->redis_server.pid > 0) {
		redis_private_kill(&e->redis_server);
		return (0);
	}
	xasprintf(cause, "%s", e->where == NULL ?
	    _("the racks are not in Redis") : e->redis_server.dir[0] == '\0' ?
	    _("the racks' Redis is not this run's own (transport = redis "
	    "starts one)") : _("the broker is down already"));
#else
	(void)e;
	xasprintf(cause, _("the racks are not in Redis"));
#endif
	return (-1);
}

int
engine_restart_broker(struct engine *e, char **cause)
{
#ifdef HAVE_HIREDIS
	if (e->where != NULL && e->redis_server.dir[0] != '\0')
		return (redis_private_restart(&e->redis_server, e->where,
		    cause));
#endif
	(void)e;
	xasprintf(cause, _("the racks are not in a Redis of this run's own"));
	return (-1);
}

int
engine_kill(struct engine *e, const char *target, char **cause)
{
	struct run	*run = e->run;
	struct wslot	*w;
	unsigned	 i, used, killed = 0;
	int		 si = -1;

	if (strcmp(target, "broker") == 0)
		return (engine_kill_broker(e, cause));
	if (strncmp(target, "agent ", 6) == 0)
		return (engine_kill_agent(e, target + 6, cause) == -1 ? -1 : 0);

	for (i = 0; i < run->nstations; i++) {
		if (strcmp(e->scn->stations[i].name, target) == 0)
			si = (int)i;
	}
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (si >= 0 ? w->station != (unsigned)si :
		    strcmp(w->name, target) != 0)
			continue;
		if (si >= 0 && (atomic_load(&w->state) == WS_EXITED ||
		    w->remote))
			continue;
		if (engine_kill_slot(e, w, cause) == -1)
			return (-1);
		killed++;
	}
	if (killed == 0) {
		xasprintf(cause, si >= 0 ? _("%s has no worker of its own "
		    "running") : _("no worker %s"), target);
		return (-1);
	}
	return (0);
}

int
engine_kill_agent(struct engine *e, const char *name, char **cause)
{
	char		 known[256] = "";
	unsigned	 asked, gone = 0;

	asked = agents_order_kill(e, name, 0, &gone, known, sizeof known);
#ifdef HAVE_ZMQ
	asked += agents_zmq_order_kill(e, name, 0, &gone, known, sizeof known);
#endif
	if (asked > 0)
		return (0);
	if (gone > 0)
		return (1);
	if (known[0] != '\0')
		xasprintf(cause, _("no agent %s in this run (agents: %s)"),
		    name, known);
	else
		xasprintf(cause, _("no agent %s in this run (%s)"), name,
		    e->has_vc ? _("on the virtual clock the racks are "
		    "simulated here, and no agent joins") :
		    _("no agent has joined"));
	return (-1);
}

unsigned
engine_kill_agents_of(struct engine *e, unsigned si, char *names, size_t len)
{
	unsigned	 asked, gone = 0;

	names[0] = '\0';
	asked = agents_order_kill(e, NULL, si, &gone, names, len);
#ifdef HAVE_ZMQ
	asked += agents_zmq_order_kill(e, NULL, si, &gone, names, len);
#endif
	return (asked);
}

int
engine_kill_one(struct engine *e, unsigned si, char **cause)
{
	struct run	*run = e->run;
	struct wslot	*w, *pick = NULL;
	unsigned	 i, used;

	if (si >= run->nstations) {
		xasprintf(cause, _("no station %u"), si);
		return (-1);
	}
	/* The one holding a dish, so the lesson shows: it goes back. */
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si || w->remote || atomic_load(&w->died) ||
		    atomic_load(&w->crash) ||
		    atomic_load(&w->state) == WS_EXITED)
			continue;
		if (pick == NULL || (atomic_load(&pick->hand.dish) ==
		    DISH_NONE && atomic_load(&w->hand.dish) != DISH_NONE))
			pick = w;
	}
	if (pick == NULL) {
		xasprintf(cause, _("%s has no worker of its own running"),
		    e->scn->stations[si].name);
		return (-1);
	}
	return (engine_kill_slot(e, pick, cause));
}

static void
engine_supervise(struct engine *e)
{
	struct run		*run = e->run;
	struct wslot		*w;
	dish_t			 d;
	unsigned		 i, used;
	int			 why;

	if (engine_rack_failed(e)) {
		engine_stop(e);
		return;
	}
	agents_tend(e);
#ifdef HAVE_ZMQ
	engine_zmq_links(e);
#endif
#ifdef HAVE_HIREDIS
	/* Keys of a shared server outlive a coordinator killed for good. */
	if (e->where != NULL && e->redis_server.pid == 0 &&
	    e->opts.agent == NULL && clock_mono_ns() > e->next_expire) {
		redis_keys_expire(e->where, e->key_prefix, 60 * 1000);
		e->next_expire = clock_mono_ns() + 5 * NSEC_PER_SEC;
	}
#endif
	/* A cycle seen on two looks a slice apart is a deadlock. */
	if (run->nlocks > 0) {
		char	text[sizeof run->deadlock_text];

		if (lock_find_cycle(run, text, sizeof text)) {
			if (e->cycle_seen++ > 0) {
				run_note_deadlock(run);
				engine_stop(e);
				return;
			}
		} else
			e->cycle_seen = 0;
	}

	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (!w->is_process || w->reaped)
			continue;
		if (e->ops->reap(run, w, 0) != 1) {
			if (atomic_load(&w->state) == WS_EXITED)
				w->reaped = 1;
			continue;
		}
		w->reaped = 1;
		if (atomic_load(&w->state) == WS_EXITED)
			continue;
		why = engine_bury(e, w, &d, atomic_load(&w->hand.leave));
		run_event(run, w, EV_EXIT, d, why);
	}
}

static void
engine_reap_all(struct engine *e)
{
	struct run	*run = e->run;
	struct wslot	*w;
	unsigned	 i, used;

	for (;;) {
		used = atomic_load(&run->used);
		for (i = 0; i < used; i++) {
			w = &run->slots[i];
			if (w->reaped)
				continue;
			/* An agent's workers are its own: agents_reap. */
			if (!w->remote)
				e->ops->reap(run, w, 1);
			w->reaped = 1;
		}
		if (atomic_load(&run->used) == used)
			break;
	}
}

/* Wait on the run's clock until t or the end of the run. 0, or -1. */
static int
engine_script_wait(struct engine *e, int64_t t)
{
	struct run	*run = e->run;
	int64_t		 now, real;

	if (e->has_vc) {
		now = run_now(run);
		if (t > now && vclock_sleep(&e->vc, t - now) == -1)
			return (-1);
		return (atomic_load(&e->ended) ? -1 : 0);
	}
	for (;;) {
		if (atomic_load(&e->ended) || atomic_load(&run->stop))
			return (-1);
		now = run_now(run);
		if (now >= t)
			return (0);
		real = run_clock_real(&run->clock, t - now);
		if (real > 20 * NSEC_PER_MSEC || run_clock_paused(&run->clock))
			real = 20 * NSEC_PER_MSEC;
		clock_sleep_ns(real);
	}
}

/*
 * The script as a thread of its own, on the real clock. A child it forks
 * (set dryer.count=4) dies with it, since PR_SET_PDEATHSIG follows the
 * thread that forked, not the process: so it outlives every worker.
 */
static void *
engine_script(void *arg)
{
	struct engine	*e = arg;

	engine_script_steps(e);
	while (!atomic_load(&e->reaped))
		clock_sleep_ns(20 * NSEC_PER_MSEC);
	return (NULL);
}

static void
engine_script_steps(void *arg)
{
	struct engine		*e = arg;
	const struct script_step *step;
	char			*cause, *msg, where[1100];
	unsigned		 i;

	for (i = 0; i < e->scn->nscript; i++) {
		step = &e->scn->script[i];
		if (engine_script_wait(e, step->at_ns) == -1)
			break;
		run_event(e->run, NULL, EV_SCRIPT, DISH_NONE, (int32_t)i);
		switch (step->kind) {
		case STEP_SET:
			cause = NULL;
			if (engine_set(e, step->text, &cause) == -1) {
				/* Say so, at the step: never a silent cap. */
				scenario_where(e->scn, &step->pos, where,
				    sizeof where);
				xasprintf(&msg, "%s: set %s: %s", where,
				    step->text, cause);
				free(cause);
				engine_fail(e, msg);
			}
			break;
		case STEP_PAUSE:
			if (!e->opts.pauses)
				break;
			engine_pause(e, 1);
			/*
			 * On the virtual clock, exactly at its time: the pacing
			 * clock had run on a little (the screen showed it, and
			 * tasks due by then ran), where a replay stops at it.
			 */
			if (e->has_vc && !e->vc.real)
				run_clock_pause_at(&e->run->clock,
				    vclock_now(&e->vc));
			/*
			 * A barrier: what comes at or after its time waits
			 * for the resume, so a say at the same second does
			 * not replace the pause's caption under the lecturer.
			 */
			while (engine_paused(e) && !atomic_load(&e->ended) &&
			    !atomic_load(&e->run->stop)) {
				if (e->has_vc)
					vclock_sleep(&e->vc, NSEC_PER_MSEC);
				else
					clock_sleep_ns(20 * NSEC_PER_MSEC);
			}
			break;
		case STEP_KILL:
			cause = NULL;
			/* An agent that never joined: said, at the step. */
			if (strncmp(step->text, "agent ", 6) == 0 &&
			    engine_kill_agent(e, step->text + 6, &cause) == -1) {
				scenario_where(e->scn, &step->pos, where,
				    sizeof where);
				xasprintf(&msg, "%s: kill agent %s: %s", where,
				    step->text + 6, cause);
				free(cause);
				engine_fail(e, msg);
				break;
			}
			/* Gone already (killed before, or done): nothing. */
			if (strncmp(step->text, "agent ", 6) != 0 &&
			    engine_kill(e, step->text, &cause) == -1)
				free(cause);
			break;
		case STEP_RESTART:
			cause = NULL;
			if (engine_restart_broker(e, &cause) == -1) {
				scenario_where(e->scn, &step->pos, where,
				    sizeof where);
				xasprintf(&msg, "%s: restart broker: %s", where,
				    cause);
				free(cause);
				engine_fail(e, msg);
			}
			break;
		case STEP_SAY:
			break;
		}
	}
}

size_t
engine_drain(struct engine *e, void (*fn)(const struct event *, void *),
    void *arg)
{
	struct run	*run = e->run;
	unsigned	 i, used;
	size_t		 n, j, total = 0;

	if (e->replay != NULL)
		return (engine_replay_drain(e, fn, arg));
	used = atomic_load(&run->used);
	for (i = 0; i <= used; i++) {
		struct ev_ring	*r = i < used ? run->slots[i].ring : run->ring;
		uint32_t	 who = i < used ? i : EV_ENGINE;
		uint16_t	 st = i < used ?
				    (uint16_t)run->slots[i].station : 0;

		while ((n = ev_ring_take(r, e->buf,
		    sizeof e->buf / sizeof e->buf[0], who, st)) > 0) {
			for (j = 0; j < n; j++)
				fn(&e->buf[j], arg);
			total += n;
		}
	}
	return (total);
}

void
engine_follow(struct engine *e, void (*fn)(const struct event *, void *),
    void *arg, volatile sig_atomic_t *stop)
{
	int64_t	idle = 20000;
	int	stopped = 0;
	char	line[512];

	while (!engine_finished(e)) {
		if (stop != NULL && *stop != 0 && !stopped) {
			engine_stop(e);
			stopped = 1;
		}
		if (engine_watchdog(e))
			return;
		if (engine_outage_line(e, line, sizeof line))
			fprintf(stderr, "dishrack: %s\n", line);
		/*
		 * Read in batches: the rings hold milliseconds of events even
		 * at full speed, and a reader that polls takes a core's share
		 * from the workers it watches (two cores, three threads). An
		 * idle run is read ever more rarely, up to every 5 ms.
		 */
		if (engine_drain(e, fn, arg) > 0) {
			idle = 20000;
			clock_sleep_ns(ENGINE_BATCH_NS);
		} else {
			clock_sleep_ns(idle);
			if (idle < 5 * NSEC_PER_MSEC)
				idle *= 2;
		}
	}
	engine_wait(e);
	engine_drain(e, fn, arg);
}

int
engine_finished(struct engine *e)
{
	return (atomic_load(&e->finished) || atomic_load(&e->abandoned));
}

/* Name each worker still there, for the watchdog's message. */
static void
engine_name_stuck(struct engine *e, char *buf, size_t len)
{
	static const char *const states[] = { N_("free"), N_("starting"),
	    N_("waiting for a dish"), N_("working"), N_("waiting to put"),
	    N_("paused"), N_("exited") };
	struct run	*run = e->run;
	struct wslot	*w;
	unsigned	 i, used, st;
	size_t		 n = 0;
	int		 k;

	buf[0] = '\0';
	used = atomic_load(&run->used);
	for (i = 0; i < used && n + 1 < len; i++) {
		w = &run->slots[i];
		st = (unsigned)atomic_load(&w->state);
		if (st == WS_EXITED || st == WS_FREE || w->reaped)
			continue;
		k = snprintf(buf + n, len - n, "%s%s (%s", n > 0 ? ", " : "",
		    w->name, st < 7 ? _(states[st]) : "?");
		if (k > 0 && (size_t)k < len - n)
			n += (size_t)k;
		if (w->is_process)
			k = snprintf(buf + n, len - n, ", pid %d)",
			    atomic_load(&w->pid));
		else
			k = snprintf(buf + n, len - n, ")");
		if (k > 0 && (size_t)k < len - n)
			n += (size_t)k;
	}
	if (n == 0)
		snprintf(buf, len, _("the conductor"));
}

/*
 * The watchdog's word says why the run ended, before any error of the
 * run's own. Only the thread that waits writes it, and takes no lock a
 * stuck thread could hold.
 */
static void
engine_replace_error(struct engine *e, char *msg)
{
	free(e->watchdog_error);
	e->watchdog_error = msg;
}

int
engine_watchdog(struct engine *e)
{
	struct run	*run = e->run;
	struct wslot	*w;
	char		 who[512], *msg;
	int64_t		 asked, waited;
	unsigned	 i, used;
	int		 pid;

	asked = atomic_load(&e->stop_at);
	if (asked == 0 || engine_finished(e))
		return (atomic_load(&e->abandoned));
	waited = clock_mono_ns() - asked;
	if (waited > ENGINE_STOP_GRACE && !e->children_killed) {
		/* A stopped or wedged child: killing it lets the reap end. */
		engine_name_stuck(e, who, sizeof who);
		e->children_killed = 1;
		used = atomic_load(&run->used);
		for (i = 0; i < used; i++) {
			w = &run->slots[i];
			pid = atomic_load(&w->pid);
			if (w->is_process && !w->reaped && pid > 0)
				kill(pid, SIGKILL);
		}
		xasprintf(&msg, _("the run did not stop within %d s; killed "
		    "what was left: %s"),
		    (int)(ENGINE_STOP_GRACE / NSEC_PER_SEC), who);
		engine_replace_error(e, msg);
	}
	if (waited > 2 * ENGINE_STOP_GRACE) {
		engine_name_stuck(e, who, sizeof who);
		xasprintf(&msg, _("the run did not stop within %d s; gave up on"
		    " %s"), (int)(2 * ENGINE_STOP_GRACE / NSEC_PER_SEC), who);
		engine_replace_error(e, msg);
		atomic_store(&e->abandoned, 1);
		return (1);
	}
	return (0);
}

int
engine_watchdog_fired(struct engine *e)
{
	return (e->watchdog_error != NULL);
}

void
engine_stop(struct engine *e)
{
	struct run	*run = e->run;
	unsigned	 i;

	if (atomic_exchange(&run->stop, 1))
		return;
	atomic_store(&e->stop_at, clock_mono_ns());
	if (!atomic_load(&e->ended) && !atomic_load(&run->deadlock))
		atomic_store(&e->interrupted, 1);
	rack_abort(run->pile);
	for (i = 1; i < run->nstations; i++)
		rack_abort(run->st[i].in);
	if (e->has_vc)
		vclock_abort(&e->vc);
	run_clock_pause(&run->clock, 0);
}

void
engine_wait(struct engine *e)
{
	if (!e->started || e->waited)
		return;
	/* Once stopped, a run that will not end is the watchdog's. */
	while (atomic_load(&e->stop_at) != 0 && !atomic_load(&e->finished)) {
		if (engine_watchdog(e))
			return;
		clock_sleep_ns(10 * NSEC_PER_MSEC);
	}
	pthread_join(e->conductor, NULL);
	e->waited = 1;
}

void
engine_destroy(struct engine *e)
{
	unsigned	i;

	if (e == NULL)
		return;
	if (e->started && !e->waited) {
		engine_stop(e);
		engine_wait(e);
	}
	/* Threads that would not stop may still use all of it. */
	if (atomic_load(&e->abandoned))
		return;
	if (e->run != NULL && !e->ops->shared_memory) {
		/* A run that failed to set up has NULL for racks not made. */
		for (i = 1; i < e->run->nstations; i++) {
			/* A broadcast is one rack for its stations. */
			if (i == 1 || e->run->st[i].in != e->run->st[i - 1].in)
				rack_destroy(e->run->st[i].in);
		}
		rack_destroy(e->run->pile);
	}
#ifdef HAVE_ZMQ
	agents_zmq_end(e);
	if (e->zwhere != NULL) {
		/* Their keepers are threads of this process: stopped here. */
		if (e->run != NULL && e->ops->shared_memory) {
			for (i = 1; i < e->run->nstations; i++)
				rack_destroy(e->run->st[i].in);
		}
		zl_end();
		zl_where_close(e->zwhere);
	}
#endif
	if (e->run != NULL)
		rack_bcast_release(engine_broadcast(e));
	if (e->has_vc)
		vclock_destroy(&e->vc);
#ifdef HAVE_HIREDIS
	agents_end(e);
	if (e->where != NULL) {
		/* Nothing of the run stays in a server it shares. */
		if (e->redis_server.pid == 0 && e->opts.agent == NULL)
			redis_keys_delete(e->where, e->key_prefix);
		redis_conn_close();
	}
	redis_private_stop(&e->redis_server);
#endif
	arena_free(&e->arena);
	pthread_mutex_destroy(&e->ctl);
	scenario_free(e->scn);
	free(e->error);
	free(e->watchdog_error);
	free(e);
}

void
engine_pause(struct engine *e, int paused)
{
	if (atomic_load(&e->run->stop))
		return;
	run_clock_pause(&e->run->clock, paused);
	run_event(e->run, NULL, EV_CONTROL, DISH_NONE,
	    paused ? CTL_PAUSE : CTL_RESUME);
}

int
engine_paused(struct engine *e)
{
	return (run_clock_paused(&e->run->clock));
}

void
engine_set_speed(struct engine *e, double speed)
{
	if (speed < 0.01)
		speed = 0.01;
	if (speed > 1000)
		speed = 1000;
	run_clock_set_speed(&e->run->clock, speed);
	run_event(e->run, NULL, EV_CONTROL, DISH_NONE, CTL_SPEED);
}

int
engine_add_worker(struct engine *e, unsigned si, char **cause)
{
	int	rc;

	if (si >= e->run->nstations) {
		xasprintf(cause, _("no station %u"), si);
		return (-1);
	}
	if (e->replay != NULL) {
		xasprintf(cause, _("a replay: the recorded run stays as it "
		    "was"));
		return (-1);
	}
	if (atomic_load(&e->ended) || atomic_load(&e->run->stop)) {
		xasprintf(cause, _("the run has ended"));
		return (-1);
	}
	pthread_mutex_lock(&e->ctl);
	if ((rc = engine_spawn(e, si, cause)) == 0)
		e->scn->stations[si].count++;
	pthread_mutex_unlock(&e->ctl);
	if (rc == 0)
		run_event(e->run, NULL, EV_CONTROL, DISH_NONE, CTL_ADD_WORKER);
	return (rc);
}

int
engine_remove_worker(struct engine *e, unsigned si, char **cause)
{
	struct run	*run = e->run;
	struct wslot	*w, *pick = NULL;
	unsigned	 i, used, staying = 0;

	if (si >= run->nstations) {
		xasprintf(cause, _("no station %u"), si);
		return (-1);
	}
	if (e->replay != NULL) {
		xasprintf(cause, _("a replay: the recorded run stays as it "
		    "was"));
		return (-1);
	}
	pthread_mutex_lock(&e->ctl);
	used = atomic_load(&run->used);
	for (i = 0; i < used; i++) {
		w = &run->slots[i];
		if (w->station != si || atomic_load(&w->hand.leave) ||
		    atomic_load(&w->state) == WS_EXITED)
			continue;
		staying++;
		/*
		 * The last to come, but one with nothing to finish first; not
		 * an agent's: its hand here is a mirror the agent never reads.
		 */
		if (w->remote)
			continue;
		if (pick == NULL || atomic_load(&pick->state) != WS_WAIT_GET ||
		    atomic_load(&w->state) == WS_WAIT_GET)
			pick = w;
	}
	if (staying <= 1 || pick == NULL) {
		pthread_mutex_unlock(&e->ctl);
		xasprintf(cause, staying <= 1 ? "%s keeps at least one worker" :
		    "%s has no worker of its own left to take away (an "
		    "agent's leave with their agent)",
		    e->scn->stations[si].name);
		return (-1);
	}
	atomic_store(&pick->hand.leave, 1);
	e->scn->stations[si].count--;
	pthread_mutex_unlock(&e->ctl);
	rack_wake_takers(run->st[si].in);
	run_event(run, NULL, EV_CONTROL, DISH_NONE, CTL_REMOVE_WORKER);
	return (0);
}

int
engine_set(struct engine *e, const char *assignment, char **cause)
{
	const char	*dot, *eq;
	struct station	*st;
	unsigned	 si, live, target, before;
	size_t		 n;
	char		 section[SCN_NAME_MAX];
	int		 rc;

	if (e->replay != NULL) {
		xasprintf(cause, _("a replay: the recorded run stays as it "
		    "was"));
		return (-1);
	}
	/* The cupboard's lock, the GIL, a rack's capacity. */
	if ((rc = engine_set_live(e, assignment, cause)) != 1)
		return (rc);
	dot = strchr(assignment, '.');
	eq = strchr(assignment, '=');
	if (dot == NULL || eq == NULL || dot > eq ||
	    (n = (size_t)(dot - assignment)) >= sizeof section) {
		xasprintf(cause, _("expected SECTION.KEY=VALUE, found '%s'"),
		    assignment);
		return (-1);
	}
	memcpy(section, assignment, n);
	section[n] = '\0';
	if ((st = scenario_station(e->scn, section)) == NULL ||
	    (strncmp(dot + 1, "count", 5) != 0 &&
	    strncmp(dot + 1, "time", 4) != 0 &&
	    strncmp(dot + 1, "subscribe", 9) != 0)) {
		xasprintf(cause, _("only a station's count, time, rack and "
		    "subscribe, scenario.rack, scenario.gil and cupboard.lock "
		    "can change during a run, not '%.*s'"),
		    (int)(eq - assignment), assignment);
		return (-1);
	}
	si = (unsigned)(st - e->scn->stations);
	pthread_mutex_lock(&e->ctl);
	before = st->count;
	if (scenario_set(e->scn, assignment, cause) == -1) {
		pthread_mutex_unlock(&e->ctl);
		return (-1);
	}
	atomic_store(&e->run->st[si].time_kind, st->time.kind);
	atomic_store(&e->run->st[si].time_a, st->time.a_ns);
	atomic_store(&e->run->st[si].time_b, st->time.b_ns);
	if (strncmp(dot + 1, "subscribe", 9) == 0 && si > 0)
		rack_bcast_resubscribe(e->run->st[si].in, st, si);
	/* The count follows the workers as they are added and removed. */
	target = st->count;
	st->count = before;
	pthread_mutex_unlock(&e->ctl);

	if (strncmp(dot + 1, "count", 5) == 0) {
		live = atomic_load(&e->run->st[si].live);
		for (; live < target; live++) {
			if (engine_add_worker(e, si, cause) == -1)
				return (-1);
		}
		for (; live > target; live--) {
			if (engine_remove_worker(e, si, cause) == -1)
				return (-1);
		}
	} else
		run_event(e->run, NULL, EV_CONTROL, DISH_NONE, CTL_SET_TIME);
	return (0);
}

struct run *
engine_run(struct engine *e)
{
	return (e->run);
}

const struct scenario *
engine_scenario(struct engine *e)
{
	return (e->scn);
}

int64_t
engine_now(struct engine *e)
{
	int64_t	end = atomic_load(&e->end_scn);

	return (end >= 0 ? end : run_now(e->run));
}

int64_t
engine_end_time(struct engine *e)
{
	return (atomic_load(&e->end_scn));
}

int64_t
engine_wall_ns(struct engine *e)
{
	int64_t	end = atomic_load(&e->real_end);

	if (end == 0)
		end = clock_mono_ns();
	return (end - atomic_load(&e->real_start));
}

int
engine_interrupted(struct engine *e)
{
	return (atomic_load(&e->interrupted));
}

int
engine_deadlocked(struct engine *e)
{
	return (atomic_load(&e->run->deadlock) ||
	    (e->has_vc && vclock_deadlocked(&e->vc)));
}

const char *
engine_deadlock_cycle(struct engine *e)
{
	return (atomic_load(&e->run->deadlock) ? e->run->deadlock_text : NULL);
}

const char *
engine_racks_where(struct engine *e)
{
	struct rack	*b = engine_broadcast(e);

	if (b != NULL && rack_bcast_shown(b) != NULL)
		return (rack_bcast_shown(b));
#ifdef HAVE_ZMQ
	if (e->zwhere != NULL)
		return (e->zshown);
#endif
#ifdef HAVE_HIREDIS
	if (e->where != NULL)
		/* English for the JSON; the views translate it (N_). */
		return (e->redis_private ? N_("a private redis-server") :
		    e->where->shown);
#endif
	(void)e;
	return (NULL);
}

int64_t
engine_racks_down(struct engine *e, int64_t *limit)
{
#ifdef HAVE_HIREDIS
	if (e->where != NULL) {
		if (limit != NULL)
			*limit = e->where->timeout_ns;
		return (redis_where_down_ns(e->where));
	}
#endif
	(void)e;
	if (limit != NULL)
		*limit = 0;
	return (0);
}

int
engine_outage_line(struct engine *e, char *buf, size_t len)
{
#ifdef HAVE_HIREDIS
	int64_t	since;

	if (e->where == NULL)
		return (0);
	since = atomic_load(&e->where->down_since);
	if (since != 0 && e->outage_said == 0) {
		e->outage_said = since;
		snprintf(buf, len, _("%s does not answer; the workers retry "
		    "for up to %.0f s"), e->where->shown,
		    (double)e->where->timeout_ns / 1e9);
		return (1);
	}
	if (since == 0 && e->outage_said != 0) {
		snprintf(buf, len, _("%s answers again, after %.1f s"),
		    e->where->shown,
		    (double)(clock_mono_ns() - e->outage_said) / 1e9);
		e->outage_said = 0;
		return (1);
	}
#endif
	(void)e;
	(void)buf;
	(void)len;
	return (0);
}

size_t
engine_bcast_view(struct engine *e, struct bcast_view *out, size_t max,
    struct bcast_totals *tot)
{
	struct rack	*r = engine_broadcast(e);

	if (r == NULL) {
		if (tot != NULL)
			memset(tot, 0, sizeof *tot);
		return (0);
	}
	return (rack_bcast_view(r, out, max, tot));
}

struct rack *
engine_broadcast(struct engine *e)
{
	if (e->run->nstations > 1 && rack_is_broadcast(e->run->st[1].in))
		return (e->run->st[1].in);
	return (NULL);
}

const char *
engine_error(struct engine *e)
{
	if (e->watchdog_error != NULL)
		return (e->watchdog_error);
	return (e->error);
}

const char *
engine_clock_name(struct engine *e)
{
	return (e->opts.virtual_clock ? "virtual" : "real");
}

double
engine_speed(struct engine *e)
{
	return (run_clock_speed(&e->run->clock));
}
