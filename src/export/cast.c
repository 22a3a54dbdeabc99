/*
 * cast.c: asciicast v2 (docs.asciinema.org/manual/asciicast/v2). The
 * header needs the screen's size, so it is written at the first frame;
 * a marker seen before it waits. A later change of size is an "r" event.
 * Every event is stamped from one monotonic clock, so they are in order.
 */
#include "config.h"

#include "cast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "json.h"
#include "scenario.h"
#include "xmalloc.h"

#define CAST_PENDING	16

struct cast {
	FILE			*f;
	char			*path;
	char			*title;
	int64_t			 t0;
	time_t			 started;
	int			 cols, rows;	/* 0 until the first frame */
	const struct scenario	*scn;
	double			 pend_t[CAST_PENDING];
	char			*pend[CAST_PENDING];
	unsigned		 npend;
};

static void	cast_event(void *, const struct event *);

struct cast *
cast_open(const char *path, const char *title, char **cause)
{
	struct cast	*c;
	FILE		*f;

	if ((f = fopen(path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	c = xcalloc(1, sizeof *c);
	c->f = f;
	c->path = xstrdup(path);
	c->title = xstrdup(title);
	c->t0 = clock_mono_ns();
	c->started = time(NULL);
	return (c);
}

static double
cast_now(struct cast *c)
{
	return ((double)(clock_mono_ns() - c->t0) / 1e9);
}

static void
cast_marker(struct cast *c, double t, const char *label)
{
	fprintf(c->f, "[%.6f, \"m\", ", t);
	json_put_string(c->f, label, strlen(label));
	fputs("]\n", c->f);
}

void
cast_frame(void *arg, const char *text, size_t len, int cols, int rows)
{
	struct cast	*c = arg;
	double		 t = cast_now(c);
	unsigned	 i;

	if (c->cols == 0) {
		fprintf(c->f, "{\"version\": 2, \"width\": %d, \"height\": %d, "
		    "\"timestamp\": %lld, \"title\": ", cols, rows,
		    (long long)c->started);
		json_put_string(c->f, c->title, strlen(c->title));
		fputs(", \"env\": {\"TERM\": \"xterm-256color\"}}\n", c->f);
		for (i = 0; i < c->npend; i++) {
			cast_marker(c, c->pend_t[i], c->pend[i]);
			free(c->pend[i]);
		}
		c->npend = 0;
	} else if (cols != c->cols || rows != c->rows)
		fprintf(c->f, "[%.6f, \"r\", \"%dx%d\"]\n", t, cols, rows);
	c->cols = cols;
	c->rows = rows;
	fprintf(c->f, "[%.6f, \"o\", ", t);
	json_put_string(c->f, text, len);
	fputs("]\n", c->f);
	fflush(c->f);
}

void
cast_tap(struct cast *c, const struct scenario *scn, struct tap *t)
{
	memset(t, 0, sizeof *t);
	c->scn = scn;
	t->event = cast_event;
	t->arg = c;
}

/* A caption or a pause of the script: a marker, labelled with its text. */
static void
cast_event(void *arg, const struct event *e)
{
	struct cast		*c = arg;
	const struct script_step *st;
	const char		*label;
	char			 lb[128];

	if (e->worker != EV_ENGINE || e->kind != EV_SCRIPT || c->scn == NULL ||
	    (unsigned)e->arg >= c->scn->nscript)
		return;
	st = &c->scn->script[e->arg];
	if (st->kind == STEP_SET)
		return;
	label = scn_step_label(st, lb, sizeof lb);
	if (c->cols == 0) {
		if (c->npend < CAST_PENDING) {
			c->pend_t[c->npend] = cast_now(c);
			c->pend[c->npend++] = xstrdup(label);
		}
		return;
	}
	cast_marker(c, cast_now(c), label);
}

int
cast_close(struct cast *c, char **cause)
{
	unsigned	i;
	int		rc = 0, err = 0;

	if (c == NULL)
		return (0);
	if (ferror(c->f))
		err = errno ? errno : EIO;
	if (fclose(c->f) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		xasprintf(cause, "%s: %s", c->path, strerror(err));
		rc = -1;
	}
	for (i = 0; i < c->npend; i++)
		free(c->pend[i]);
	free(c->title);
	free(c->path);
	free(c);
	return (rc);
}
