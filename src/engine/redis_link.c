/*
 * redis_link.c: addresses, a private redis-server, and one hiredis
 * context per thread.
 *
 * DESIGN: a context belongs to the thread that made it and to the process
 * that made it: the thread-local slot remembers the pid, so a forked
 * worker (whose one thread is a copy of the forking one, slot included)
 * never uses its parent's socket; it closes its copy and connects anew.
 * glibc keeps malloc usable in the child of a threaded fork, which is
 * what lets a forked worker make a context at all. A thread's context is
 * freed when the thread ends (a pthread key's destructor).
 */
#include "config.h"

#include "redis_link.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <hiredis/hiredis.h>

#include "clock.h"
#include "i18n.h"
#include "self.h"
#include "xmalloc.h"

#define REDIS_CONNECT_TIMEOUT_MS	2000
#define REDIS_READ_TIMEOUT_MS		5000
#define REDIS_START_TIMEOUT_NS		(5 * NSEC_PER_SEC)

struct redis_conn {
	redisContext			*c;
	pid_t				 pid;
	const struct redis_where	*w;
	unsigned			 generation;	/* connections made */
};

static _Thread_local struct redis_conn conn;
static pthread_key_t	conn_key;
static pthread_once_t	conn_once = PTHREAD_ONCE_INIT;

static void	conn_key_make(void);
static void	conn_end(void *);
static int	where_host_port(const char *, struct redis_where *, char **);

int
redis_where_parse(const char *t, struct redis_where *w, int *private,
    char **cause)
{
	const char	*p, *at, *slash;
	char		*end;
	long		 db;

	memset(w, 0, sizeof *w);
	w->timeout_ns = 10 * NSEC_PER_SEC;
	*private = 0;
	if (strcmp(t, "redis") == 0) {
		*private = 1;
		return (0);
	}
	if (strncmp(t, "unix://", 7) == 0) {
		if (t[7] != '/' || strlen(t + 7) >= sizeof w->path) {
			xasprintf(cause, _("expected unix:///PATH/TO/"
			    "redis.sock, an absolute path of at most %zu "
			    "bytes"),
			    sizeof w->path - 1);
			return (-1);
		}
		snprintf(w->path, sizeof w->path, "%s", t + 7);
		snprintf(w->shown, sizeof w->shown, "unix://%s", w->path);
		return (0);
	}
	if (strncmp(t, "redis://", 8) != 0) {
		xasprintf(cause, _("expected local, redis, redis://HOST:PORT "
		    "or unix:///PATH"));
		return (-1);
	}
	p = t + 8;
	/* [:PASSWORD@] (a user name before the colon is not kept) */
	if ((at = strrchr(p, '@')) != NULL) {
		const char	*colon = memchr(p, ':', (size_t)(at - p));

		if (colon == NULL || (size_t)(at - colon - 1) >=
		    sizeof w->password) {
			xasprintf(cause, _("expected redis://:PASSWORD@"
			    "HOST:PORT (a password of at most %zu bytes)"),
			    sizeof w->password - 1);
			return (-1);
		}
		memcpy(w->password, colon + 1, (size_t)(at - colon - 1));
		p = at + 1;
	}
	if ((slash = strchr(p, '/')) != NULL) {
		char	hp[REDIS_HOST_MAX + 16];

		if ((size_t)(slash - p) >= sizeof hp) {
			xasprintf(cause, _("the host name is too long"));
			return (-1);
		}
		memcpy(hp, p, (size_t)(slash - p));
		hp[slash - p] = '\0';
		errno = 0;
		db = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0 || db < 0 ||
		    db > 65535) {
			xasprintf(cause, _("expected a database number after "
			    "'/', found '%s'"), slash + 1);
			return (-1);
		}
		w->db = (int)db;
		if (where_host_port(hp, w, cause) == -1)
			return (-1);
	} else if (where_host_port(p, w, cause) == -1)
		return (-1);
	snprintf(w->shown, sizeof w->shown, "redis://%s:%d/%d", w->host,
	    w->port, w->db);
	return (0);
}

/* HOST[:PORT], the port 6379 when none is given. */
static int
where_host_port(const char *s, struct redis_where *w, char **cause)
{
	const char	*colon;
	char		*end;
	long		 port = 6379;

	colon = strrchr(s, ':');
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 ||
		    port < 1 || port > 65535) {
			xasprintf(cause, _("expected a port from 1 to 65535 "
			    "after ':', found '%s'"), colon + 1);
			return (-1);
		}
	} else
		colon = s + strlen(s);
	if (colon == s || (size_t)(colon - s) >= sizeof w->host) {
		xasprintf(cause, _("expected a host name in "
		    "redis://HOST:PORT"));
		return (-1);
	}
	memcpy(w->host, s, (size_t)(colon - s));
	w->host[colon - s] = '\0';
	w->port = (int)port;
	return (0);
}

/* --- A private server ---------------------------------------------------- */

static int	private_prepare(struct redis_private *, struct redis_where *,
		    char **);
static int	private_spawn(struct redis_private *, struct redis_where *,
		    char **);
static void	private_remove_dir(const char *);

/* The child's side: its own process group, so Ctrl-C leaves it to us. */
static void __attribute__((noreturn))
private_exec(const char *dir, const char *sock, int durable)
{
	char	log[128];
	int	fd;

#ifdef HAVE_SYS_PRCTL_H
	prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif
	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	snprintf(log, sizeof log, "%s/redis.log", dir);
	execlp("redis-server", "redis-server", "--port", "0",
	    "--unixsocket", sock, "--unixsocketperm", "700", "--dir", dir,
	    "--save", "", "--appendonly", durable ? "yes" : "no",
	    "--appendfsync", "always", "--daemonize", "no",
	    "--logfile", log, (char *)NULL);
	_exit(127);
}

void
redis_where_down(const struct redis_where *w)
{
	_Atomic int64_t	*since = (_Atomic int64_t *)(uintptr_t)&w->down_since;
	int64_t		 zero = 0;

	atomic_compare_exchange_strong(since, &zero, clock_mono_ns());
}

void
redis_where_up(const struct redis_where *w)
{
	_Atomic int64_t	*since = (_Atomic int64_t *)(uintptr_t)&w->down_since;

	/* A load first: the common case writes no shared cache line. */
	if (atomic_load_explicit(since, memory_order_relaxed) != 0)
		atomic_store(since, 0);
}

int64_t
redis_where_down_ns(const struct redis_where *w)
{
	int64_t	since = atomic_load(&w->down_since);

	return (since == 0 ? 0 : clock_mono_ns() - since);
}

int
redis_private_start(struct redis_private *rp, struct redis_where *w,
    char **cause)
{
	if (private_prepare(rp, w, cause) == -1)
		return (-1);
	return (private_spawn(rp, w, cause));
}

int
redis_private_start_durable(struct redis_private *rp, struct redis_where *w,
    char **cause)
{
	if (private_prepare(rp, w, cause) == -1)
		return (-1);
	rp->durable = 1;
	return (private_spawn(rp, w, cause));
}

/* A private directory for the server, and its socket's path in w. */
static int
private_prepare(struct redis_private *rp, struct redis_where *w,
    char **cause)
{
	const char	*tmp;

	memset(rp, 0, sizeof *rp);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0' ||
	    strlen(tmp) > 32)
		tmp = "/tmp";
	snprintf(rp->dir, sizeof rp->dir, "%s/dishrack-redis.XXXXXX", tmp);
	if (mkdtemp(rp->dir) == NULL) {
		xasprintf(cause, _("cannot make a directory for redis-server "
		    "in %s: %s"), tmp, strerror(errno));
		rp->dir[0] = '\0';
		return (-1);
	}
	snprintf(w->path, sizeof w->path, "%s/redis.sock", rp->dir);
	snprintf(w->shown, sizeof w->shown, "unix://%s (private)", w->path);
	return (0);
}

int
redis_private_restart(struct redis_private *rp, struct redis_where *w,
    char **cause)
{
	if (rp->pid > 0) {
		xasprintf(cause, _("the private redis-server is running"));
		return (-1);
	}
	if (rp->dir[0] == '\0') {
		xasprintf(cause, _("there is no private redis-server"));
		return (-1);
	}
	return (private_spawn(rp, w, cause));
}

void
redis_private_kill(struct redis_private *rp)
{
	int	status;

	if (rp->pid <= 0)
		return;
	kill(rp->pid, SIGKILL);
	waitpid(rp->pid, &status, 0);
	rp->pid = 0;
}

/* Start redis-server in rp's directory and wait until it answers. */
static int
private_spawn(struct redis_private *rp, struct redis_where *w, char **cause)
{
	redisContext	*c;
	redisReply	*r;
	int64_t		 deadline;
	int		 status;

	if ((rp->pid = fork()) == -1) {
		xasprintf(cause, _("cannot fork redis-server: %s"),
		    strerror(errno));
		rmdir(rp->dir);
		return (-1);
	}
	if (rp->pid == 0)
		private_exec(rp->dir, w->path, rp->durable);

	deadline = clock_mono_ns() + REDIS_START_TIMEOUT_NS;
	for (;;) {
		if (waitpid(rp->pid, &status, WNOHANG) == rp->pid) {
			if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
				xasprintf(cause, _("transport = redis needs "
				    "redis-server on PATH (Debian: apt-get "
				    "install redis-server)"));
			else
				xasprintf(cause, _("redis-server exited at "
				    "start (see its log: %s/redis.log)"),
				    rp->dir);
			rp->pid = 0;
			redis_private_stop(rp);
			return (-1);
		}
		c = redisConnectUnixWithTimeout(w->path,
		    (struct timeval){ 0, 200000 });
		if (c != NULL && c->err == 0) {
			r = redisCommand(c, "PING");
			status = r != NULL && r->type == REDIS_REPLY_STATUS;
			if (r != NULL)
				freeReplyObject(r);
			redisFree(c);
			if (status)
				return (0);
		} else if (c != NULL)
			redisFree(c);
		if (clock_mono_ns() > deadline) {
			xasprintf(cause, _("redis-server did not answer on %s "
			    "within 5 s"), w->path);
			redis_private_stop(rp);
			return (-1);
		}
		clock_sleep_ns(10 * NSEC_PER_MSEC);
	}
}

/* The files of a folder of the server's own (no deeper folders), then it. */
static void
private_remove_dir(const char *path)
{
	char		 file[512];
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof file, "%s/%s", path, de->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

void
redis_private_stop(struct redis_private *rp)
{
	char	path[128];
	int	i, status;

	if (rp->pid > 0) {
		kill(rp->pid, SIGTERM);
		for (i = 0; i < 300; i++) {
			if (waitpid(rp->pid, &status, WNOHANG) == rp->pid)
				break;
			clock_sleep_ns(10 * NSEC_PER_MSEC);
		}
		if (i == 300) {
			kill(rp->pid, SIGKILL);
			waitpid(rp->pid, &status, 0);
		}
		rp->pid = 0;
	}
	if (rp->dir[0] != '\0') {
		snprintf(path, sizeof path, "%s/redis.sock", rp->dir);
		unlink(path);
		snprintf(path, sizeof path, "%s/redis.log", rp->dir);
		unlink(path);
		/* A durable server's append-only files (Redis 7: a folder). */
		snprintf(path, sizeof path, "%s/appendonlydir", rp->dir);
		private_remove_dir(path);
		rmdir(rp->dir);
		rp->dir[0] = '\0';
	}
}

/* --- The thread's connection --------------------------------------------- */

static void
conn_key_make(void)
{
	pthread_key_create(&conn_key, conn_end);
}

/* A thread ends: its context goes with it. */
static void
conn_end(void *arg)
{
	(void)arg;
	redis_conn_close();
}

void
redis_conn_close(void)
{
	if (conn.c != NULL)
		redisFree(conn.c);
	conn.c = NULL;
	conn.w = NULL;
}

void
redis_conn_broken(void)
{
	redis_conn_close();
}

/* Two copies of one address: one connection serves both. */
static int
where_same(const struct redis_where *a, const struct redis_where *b)
{
	return (a != NULL && strcmp(a->host, b->host) == 0 &&
	    a->port == b->port && strcmp(a->path, b->path) == 0 &&
	    strcmp(a->password, b->password) == 0 && a->db == b->db);
}

/* Say what went wrong, as the user would want to read it. */
static void
conn_cause(const struct redis_where *w, const char *what, char **cause)
{
	if (cause != NULL)
		xasprintf(cause, "%s: %s", w->shown, what);
}

/*
 * The reply to one of the first commands on a connection: 0 if it was
 * not an error (freed), else -1 with *cause: the server's words (which
 * never echo a password), or that it does not speak Redis at all.
 */
static int
conn_greet(redisContext *c, const struct redis_where *w, char **cause,
    redisReply *r)
{
	if (r != NULL && r->type != REDIS_REPLY_ERROR) {
		freeReplyObject(r);
		return (0);
	}
	if (r == NULL && c->err == REDIS_ERR_PROTOCOL)
		conn_cause(w, _("not a Redis server (its answer was not RESP)"),
		    cause);
	else
		conn_cause(w, r != NULL ? r->str : c->errstr, cause);
	if (r != NULL)
		freeReplyObject(r);
	return (-1);
}

redisContext *
redis_conn(const struct redis_where *w, char **cause)
{
	redisContext	*c;

	if (conn.c != NULL && conn.pid == self_pid() && (conn.w == w ||
	    where_same(conn.w, w))) {
		conn.w = w;
		return (conn.c);
	}
	if (conn.c != NULL && conn.pid != self_pid()) {
		/* The parent's, copied by fork: close our copy only. */
		redisFree(conn.c);
		conn.c = NULL;
	}
	redis_conn_close();
	pthread_once(&conn_once, conn_key_make);
	pthread_setspecific(conn_key, &conn);
	if ((c = redis_connect_new(w, cause)) == NULL)
		return (NULL);
	conn.c = c;
	conn.pid = self_pid();
	conn.w = w;
	conn.generation++;
	return (c);
}

redisContext *
redis_connect_new(const struct redis_where *w, char **cause)
{
	struct timeval	 ct = { REDIS_CONNECT_TIMEOUT_MS / 1000,
			    (REDIS_CONNECT_TIMEOUT_MS % 1000) * 1000 };
	struct timeval	 rt = { REDIS_READ_TIMEOUT_MS / 1000,
			    (REDIS_READ_TIMEOUT_MS % 1000) * 1000 };
	redisContext	*c;

	if (w->path[0] != '\0')
		c = redisConnectUnixWithTimeout(w->path, ct);
	else
		c = redisConnectWithTimeout(w->host, w->port, ct);
	if (c == NULL) {
		conn_cause(w, _("cannot allocate a connection"), cause);
		return (NULL);
	}
	if (c->err != 0) {
		conn_cause(w, c->errstr, cause);
		redisFree(c);
		return (NULL);
	}
	redisSetTimeout(c, rt);
	if ((w->password[0] != '\0' && conn_greet(c, w, cause,
	    redisCommand(c, "AUTH %s", w->password)) == -1) ||
	    conn_greet(c, w, cause, redisCommand(c, w->db != 0 ? "SELECT %d" :
	    "PING", w->db)) == -1) {
		redisFree(c);
		return (NULL);
	}
	return (c);
}

unsigned
redis_conn_generation(void)
{
	/* A copy made by fork is not this process's connection. */
	return (conn.c != NULL && conn.pid == self_pid() ? conn.generation : 0);
}

int
redis_check_server(const struct redis_where *w, char **cause)
{
	redisContext	*c;
	redisReply	*r;
	const char	*v;
	char		 what[96];
	int		 major = 0, minor = 0;

	if ((c = redis_conn(w, cause)) == NULL)
		return (-1);
	if ((r = redisCommand(c, "INFO server")) == NULL) {
		redis_conn_broken();
		conn_cause(w, _("the connection broke"), cause);
		return (-1);
	}
	if (r->type == REDIS_REPLY_STRING &&
	    (v = strstr(r->str, "redis_version:")) != NULL)
		sscanf(v + 14, "%d.%d", &major, &minor);
	freeReplyObject(r);
	/* BLMOVE, LMOVE and LPOP with a count came with Redis 6.2. */
	if (major < 6 || (major == 6 && minor < 2)) {
		snprintf(what, sizeof what, _("Redis %d.%d is too old: "
		    "dishrack needs 6.2 or later (BLMOVE)"), major, minor);
		conn_cause(w, what, cause);
		return (-1);
	}
	return (0);
}

/* SCAN every key under prefix and send cmd (UNLINK, PEXPIRE) for each. */
static int
keys_each(const struct redis_where *w, const char *prefix, const char *cmd,
    const char *arg)
{
	redisContext	*c;
	redisReply	*r, *keys;
	char		 cursor[32] = "0", pattern[256];
	size_t		 i;

	if ((c = redis_conn(w, NULL)) == NULL)
		return (-1);
	snprintf(pattern, sizeof pattern, "%s*", prefix);
	do {
		r = redisCommand(c, "SCAN %s MATCH %s COUNT 1000", cursor,
		    pattern);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2) {
			if (r != NULL)
				freeReplyObject(r);
			else
				redis_conn_broken();
			return (-1);
		}
		snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
		keys = r->element[1];
		for (i = 0; i < keys->elements; i++) {
			if (arg != NULL)
				redisAppendCommand(c, "%s %s %s", cmd,
				    keys->element[i]->str, arg);
			else
				redisAppendCommand(c, "%s %s", cmd,
				    keys->element[i]->str);
		}
		for (i = 0; i < keys->elements; i++) {
			redisReply	*x;

			if (redisGetReply(c, (void **)&x) != REDIS_OK) {
				freeReplyObject(r);
				redis_conn_broken();
				return (-1);
			}
			freeReplyObject(x);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return (0);
}

int
redis_keys_delete(const struct redis_where *w, const char *prefix)
{
	return (keys_each(w, prefix, "UNLINK", NULL));
}

int
redis_keys_expire(const struct redis_where *w, const char *prefix,
    int64_t ttl_ms)
{
	char	ms[32];

	snprintf(ms, sizeof ms, "%lld", (long long)ttl_ms);
	return (keys_each(w, prefix, "PEXPIRE", ms));
}
