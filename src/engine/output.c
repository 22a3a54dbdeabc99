/*
 * output.c: worker text, written part by part or line by line.
 *
 * DESIGN: mu (process-shared and robust in process runs) orders appends to
 * the ring, so the ring holds the parts in the order they really reached
 * the descriptor. In parts mode the lock is held for one part only, and the
 * caller's pause runs between parts with no lock held: that window is where
 * another worker's parts slip in, as between the writes of Python's print.
 */
#include "config.h"

#include "output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>


static void	out_emit(struct output *, const char *, size_t);

void
output_init(struct output *o, int fd, int use_ring, int shared, int use_lock,
    enum output_mode mode)
{
	pthread_mutexattr_t	ma;

	pthread_mutexattr_init(&ma);
	if (shared) {
		pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	}
	pthread_mutex_init(&o->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	o->fd = fd;
	o->use_ring = use_ring;
	o->use_lock = use_lock;
	o->mode = mode;
	atomic_store(&o->broken, 0);
	atomic_store(&o->head, 0);
}

static void
out_lock(struct output *o)
{
	if (o->use_lock && pthread_mutex_lock(&o->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&o->mu);
}

static void
out_unlock(struct output *o)
{
	if (o->use_lock)
		pthread_mutex_unlock(&o->mu);
}

/* One write to the descriptor and the ring. Called with mu held. */
static void
out_emit(struct output *o, const char *p, size_t len)
{
	uint64_t	head;
	size_t		i;
	ssize_t		n;
	const char	*q = p;
	size_t		left = len;

	if (o->fd != -1 && !atomic_load(&o->broken)) {
		while (left > 0) {
			n = write(o->fd, q, left);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				atomic_store(&o->broken, 1);
				break;
			}
			q += n;
			left -= (size_t)n;
		}
	}
	if (o->use_ring) {
		head = atomic_load_explicit(&o->head, memory_order_relaxed);
		for (i = 0; i < len; i++)
			o->ring[(head + i) % OUTPUT_RING] = p[i];
		atomic_store_explicit(&o->head, head + len,
		    memory_order_release);
	}
}

void
output_say(struct output *o, const char *text, output_pause_fn pause,
    void *arg)
{
	const char	*p, *end, *nl;
	size_t		 n;

	if (o->fd == -1 && !o->use_ring)
		return;
	if (o->mode == OUTPUT_LINES) {
		out_lock(o);
		p = text;
		for (;;) {
			nl = strchr(p, '\n');
			n = nl != NULL ? (size_t)(nl - p) : strlen(p);
			out_emit(o, p, n);
			out_emit(o, "\n", 1);
			if (nl == NULL)
				break;
			p = nl + 1;
		}
		out_unlock(o);
		return;
	}

	/* Parts: each run of non-blanks, each blank and each newline alone. */
	p = text;
	while (*p != '\0') {
		end = p;
		if (*p == ' ' || *p == '\n')
			end = p + 1;
		else {
			while (*end != '\0' && *end != ' ' && *end != '\n')
				end++;
		}
		out_lock(o);
		out_emit(o, p, (size_t)(end - p));
		out_unlock(o);
		p = end;
		if (pause != NULL)
			pause(arg);
	}
	out_lock(o);
	out_emit(o, "\n", 1);
	out_unlock(o);
}

size_t
output_read(struct output *o, uint64_t *pos, char *buf, size_t len)
{
	uint64_t	head, from;
	size_t		n, i;

	head = atomic_load_explicit(&o->head, memory_order_acquire);
	from = *pos;
	if (head - from > OUTPUT_RING)
		from = head - OUTPUT_RING;
	n = (size_t)(head - from);
	if (n > len)
		n = len;
	for (i = 0; i < n; i++)
		buf[i] = o->ring[(from + i) % OUTPUT_RING];
	*pos = from + n;
	return (n);
}

void
output_render(const char *tmpl, const char *dish, const char *worker,
    char *buf, size_t len)
{
	const char	*p, *v;
	size_t		 o = 0, n;

	if (len == 0)
		return;
	for (p = tmpl; *p != '\0' && o + 1 < len; p++) {
		v = NULL;
		if (strncmp(p, "{dish}", 6) == 0) {
			v = dish;
			p += 5;
		} else if (strncmp(p, "{worker}", 8) == 0) {
			v = worker;
			p += 7;
		}
		if (v == NULL) {
			buf[o++] = *p;
			continue;
		}
		n = strlen(v);
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(buf + o, v, n);
		o += n;
	}
	buf[o] = '\0';
}
