/*
 * svg.c: the run as one picture (doc/recording.md, "The picture").
 *
 * Made for a projector: 1920x1080, text no smaller than 22 px, the
 * Okabe-Ito palette (told apart with every common colour blindness) with
 * waits also told apart by pattern, not colour alone. Spans are kept as
 * the events come and drawn at the end, when the run's length is known:
 * each row is cut into columns a pixel or so wide and each column drawn
 * as what filled most of it, so a million dishes make a picture of the
 * same size as four.
 */
#include "config.h"

#include "svg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json.h"
#include "rack.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "xmalloc.h"

#define SVG_W		1920
#define SVG_H		1080
#define SVG_LEFT	230	/* the rows' names */
#define SVG_RIGHT	60
#define SVG_TOP		170	/* title and figures */
#define SVG_COLS	(SVG_W - SVG_LEFT - SVG_RIGHT)
#define SVG_MAX_ROWS	32
#define SVG_MAX_SPANS	(8U << 20)
#define SVG_MAX_CAPTIONS 12

enum svg_kind {
	SK_WORK,
	SK_WAIT_GET,
	SK_WAIT_PUT,
	SK_HOLD,		/* a dish in hand, not working: saying, putting */
	SK_WAIT_GIL,		/* in its work, waiting for the GIL */
	SK_WAIT_LOCK,		/* in its work, waiting for a named lock */
	SK_N
};

static const char *const svg_fill[SK_N] = {
	"#0072B2",		/* blue */
	"url(#waitget)",	/* sky blue, hatched */
	"#D55E00",		/* vermillion */
	"#E69F00",		/* orange */
	"#CC79A7",		/* reddish purple */
	"url(#waitlock)"	/* bluish green, hatched */
};
static const char *const svg_label[SK_N] = {
	"working", "waiting for a dish", "waiting: the rack is full",
	"holding a dish", "waiting for the GIL", "waiting for a lock"
};
static const char *const svg_rack_colour[] = {
	"#009E73", "#CC79A7", "#0072B2", "#E69F00", "#56B4E9", "#D55E00",
	"#000000"
};

struct svg_span {
	int64_t		 a, b;
	uint32_t	 row;
	uint8_t		 kind;
};

struct svg_point {
	int64_t		 t;
	uint32_t	 depth;
	uint8_t		 rack;
};

struct svg_row {
	char		*name;
	unsigned	 station;
	int64_t		 hold, work, wait;
	int		 wait_kind;
	int64_t		 inner;		/* a GIL or lock wait in the work */
	int		 inner_kind;
	int		 inner_work;	/* it stopped the work (else a hold) */
	int		 used;
};

struct svg {
	FILE			*f;
	char			*path;
	const struct scenario	*scn;
	struct svg_span		*sp;
	size_t			 nsp, capsp;
	struct svg_point	*pt;
	size_t			 npt, cappt;
	int			 full;
	struct svg_row		*rows;
	uint32_t		 nrows;
	int64_t			 cap_t[SVG_MAX_CAPTIONS];
	int			 cap_step[SVG_MAX_CAPTIONS];
	unsigned		 ncap;
	int			 ended;
	int64_t			 t_end;
	struct stats		 st;	/* a copy of the figures at the end */
	int			 have_st;
	int			 deadlocked;
	uint32_t		 max_depth;
	int			 kinds[SK_N];	/* drawn at all: in the legend */
};

static void	svg_worker(void *, int64_t, uint32_t, unsigned, const char *);
static void	svg_event(void *, const struct event *);
static void	svg_end(void *, const struct stats_end *,
		    const struct report_run *, const struct stats *);

struct svg *
svg_open(const char *path, const struct scenario *scn, char **cause)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	return (svg_open_stream(f, path, scn));
}

struct svg *
svg_open_stream(FILE *f, const char *name, const struct scenario *scn)
{
	struct svg	*s;

	s = xcalloc(1, sizeof *s);
	s->f = f;
	s->path = xstrdup(name);
	s->scn = scn;
	return (s);
}

void
svg_tap(struct svg *s, struct tap *t)
{
	memset(t, 0, sizeof *t);
	t->worker = svg_worker;
	t->event = svg_event;
	t->end = svg_end;
	t->arg = s;
}

static struct svg_row *
svg_row(struct svg *s, uint32_t id)
{
	uint32_t	n, i;

	if (id >= s->nrows) {
		n = s->nrows ? s->nrows : 16;
		while (n <= id)
			n *= 2;
		s->rows = xreallocarray(s->rows, n, sizeof *s->rows);
		memset(s->rows + s->nrows, 0, (n - s->nrows) * sizeof *s->rows);
		for (i = s->nrows; i < n; i++)
			s->rows[i].hold = s->rows[i].work = s->rows[i].wait =
			    s->rows[i].inner = -1;
		s->nrows = n;
	}
	return (&s->rows[id]);
}

static void
svg_worker(void *arg, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	struct svg	*s = arg;
	struct svg_row	*r = svg_row(s, id);

	(void)t;
	free(r->name);
	r->name = xstrdup(name);
	r->station = station;
	r->used = 1;
}

static void
svg_span(struct svg *s, uint32_t row, int kind, int64_t a, int64_t b)
{
	struct svg_span	*p;

	if (a < 0 || b <= a)
		return;
	if (s->nsp == SVG_MAX_SPANS) {
		s->full = 1;
		return;
	}
	if (s->nsp == s->capsp) {
		s->capsp = s->capsp ? s->capsp * 2 : 4096;
		s->sp = xreallocarray(s->sp, s->capsp, sizeof *s->sp);
	}
	p = &s->sp[s->nsp++];
	p->a = a;
	p->b = b;
	p->row = row;
	p->kind = (uint8_t)kind;
	s->kinds[kind] = 1;
}

static void
svg_depth(struct svg *s, unsigned rack, int64_t t, int32_t depth)
{
	struct svg_point	*p;

	if (depth < 0 || s->npt == SVG_MAX_SPANS)
		return;
	if (s->npt == s->cappt) {
		s->cappt = s->cappt ? s->cappt * 2 : 4096;
		s->pt = xreallocarray(s->pt, s->cappt, sizeof *s->pt);
	}
	p = &s->pt[s->npt++];
	p->t = t;
	p->depth = (uint32_t)depth;
	p->rack = (uint8_t)rack;
	if ((uint32_t)depth > s->max_depth)
		s->max_depth = (uint32_t)depth;
}

/* A dish in hand from hold to t, with its work and waits cut out. */
static void
svg_close_hold(struct svg *s, uint32_t id, int64_t t)
{
	struct svg_row	*r = &s->rows[id];

	if (r->hold >= 0)
		svg_span(s, id, SK_HOLD, r->hold, t);
	r->hold = -1;
}

static void
svg_event(void *arg, const struct event *e)
{
	struct svg		*s = arg;
	const struct scenario	*scn = s->scn;
	struct svg_row		*r;
	uint32_t		 id = e->worker;

	if (id == EV_ENGINE) {
		if (e->kind == EV_SCRIPT && (unsigned)e->arg < scn->nscript &&
		    scn->script[e->arg].kind != STEP_SET &&
		    s->ncap < SVG_MAX_CAPTIONS) {
			s->cap_t[s->ncap] = e->t;
			s->cap_step[s->ncap++] = e->arg;
		}
		return;
	}
	if (e->station >= scn->nstations)
		return;
	r = svg_row(s, id);
	r->station = e->station;
	switch (e->kind) {
	case EV_WAIT_GET:
		r->wait = e->t;
		r->wait_kind = SK_WAIT_GET;
		break;
	case EV_GET:
		if (r->wait >= 0)
			svg_span(s, id, SK_WAIT_GET, r->wait, e->t);
		r->wait = -1;
		r->hold = e->t;
		if (e->station > 0)
			svg_depth(s, e->station, e->t, e->arg);
		break;
	case EV_WORK:
		/* In hand till now; from now it is work. */
		svg_close_hold(s, id, e->t);
		r->work = e->t;
		break;
	case EV_WORKED:
		if (r->work >= 0)
			svg_span(s, id, SK_WORK, r->work, e->t);
		r->work = -1;
		r->hold = e->t;
		break;
	case EV_WAIT_PUT:
		svg_close_hold(s, id, e->t);
		r->wait = e->t;
		r->wait_kind = SK_WAIT_PUT;
		break;
	case EV_PUT:
	case EV_DONE:
		if (r->wait >= 0)
			svg_span(s, id, SK_WAIT_PUT, r->wait, e->t);
		r->wait = -1;
		svg_close_hold(s, id, e->t);
		if (e->kind == EV_PUT && (unsigned)e->station + 1 <
		    scn->nstations)
			svg_depth(s, e->station + 1u, e->t, e->arg);
		break;
	case EV_WAIT_GIL:
	case EV_WAIT_LOCK:
		/*
		 * The work stops here, and goes on once it has what it waits
		 * for; or the dish in hand waits (the cupboard's lock, taken
		 * after the work).
		 */
		r->inner_work = r->work >= 0;
		if (r->work >= 0)
			svg_span(s, id, SK_WORK, r->work, e->t);
		else
			svg_close_hold(s, id, e->t);
		r->work = -1;
		r->inner = e->t;
		r->inner_kind = e->kind == EV_WAIT_GIL ? SK_WAIT_GIL :
		    SK_WAIT_LOCK;
		break;
	case EV_GOT_GIL:
	case EV_GOT_LOCK:
		if (r->inner >= 0)
			svg_span(s, id, r->inner_kind, r->inner, e->t);
		r->inner = -1;
		if (r->inner_work)
			r->work = e->t;
		else
			r->hold = e->t;
		break;
	case EV_EXIT:
		if (r->inner >= 0)
			svg_span(s, id, r->inner_kind, r->inner, e->t);
		r->inner = -1;
		if (r->work >= 0)
			svg_span(s, id, SK_WORK, r->work, e->t);
		if (r->wait >= 0)
			svg_span(s, id, r->wait_kind, r->wait, e->t);
		svg_close_hold(s, id, e->t);
		r->work = r->wait = -1;
		break;
	}
}

static void
svg_end(void *arg, const struct stats_end *se, const struct report_run *rr,
    const struct stats *st)
{
	struct svg	*s = arg;
	uint32_t	 i;

	s->ended = 1;
	s->t_end = se->t_end;
	s->deadlocked = rr->deadlocked;
	for (i = 0; i < s->nrows; i++) {
		struct svg_row	*r = &s->rows[i];

		if (r->inner >= 0)
			svg_span(s, i, r->inner_kind, r->inner, se->t_end);
		r->inner = -1;
		if (r->work >= 0)
			svg_span(s, i, SK_WORK, r->work, se->t_end);
		if (r->wait >= 0)
			svg_span(s, i, r->wait_kind, r->wait, se->t_end);
		svg_close_hold(s, i, se->t_end);
	}
	if (st != NULL) {
		s->st = *st;
		/* Only the figures: the arrays stay the caller's. */
		s->st.w = NULL;
		s->st.finished = NULL;
		s->have_st = 1;
	}
}

static void
svg_text(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* XML 1.0 has no place for other controls. */
			if (*p < 0x20 && *p != '\t')
				fputc('?', f);
			else
				fputc(*p, f);
		}
	}
}

/* A step of the time axis: 1, 2 or 5 times a power of ten, in ns. */
static int64_t
svg_step(int64_t span)
{
	static const int	 m[] = { 1, 2, 5 };
	int64_t			 p = 1;
	int			 i;

	/* The smallest step that makes ten ticks or fewer. */
	for (;;) {
		for (i = 0; i < 3; i++)
			if (span / (p * m[i]) <= 10)
				return (p * m[i]);
		if (p > INT64_MAX / 100)
			return (p);
		p *= 10;
	}
}

/* A tick's label, in the unit of the axis's step (all ticks alike). */
static void
svg_time(char *buf, size_t len, int64_t ns, int64_t step)
{
	if (step >= NSEC_PER_SEC / 2)
		snprintf(buf, len, "%g s", (double)ns / 1e9);
	else if (step >= NSEC_PER_MSEC)
		snprintf(buf, len, "%g ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%g µs", (double)ns / 1e3);
}

/*
 * Where one dish's work follows another's without a gap, a thin white
 * seam, so the dishes can be counted; only where they are wide enough.
 */
static void
svg_seams(struct svg *s, uint32_t id, double scale, double y, double h)
{
	size_t	i, n = 0;
	int64_t	prev_end = -1;

	for (i = 0; i < s->nsp; i++)
		if (s->sp[i].row == id && s->sp[i].kind == SK_WORK)
			n++;
	if (n == 0 || (double)n > SVG_COLS / 12.0)
		return;
	for (i = 0; i < s->nsp; i++) {
		const struct svg_span	*p = &s->sp[i];

		if (p->row != id || p->kind != SK_WORK)
			continue;
		if (p->a == prev_end)
			fprintf(s->f, "<rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"3\" height=\"%.1f\" fill=\"#fff\"/>\n",
			    SVG_LEFT + (double)p->a * scale - 1.5, y, h);
		prev_end = p->b;
	}
}

/* Which rows are drawn: workers that were there, by station, up to max. */
static unsigned
svg_order(struct svg *s, uint32_t *order, unsigned max, unsigned *hidden)
{
	unsigned	k, n = 0;
	uint32_t	i;

	*hidden = 0;
	for (k = 0; k < s->scn->nstations; k++)
		for (i = 0; i < s->nrows; i++) {
			if (!s->rows[i].used || s->rows[i].station != k)
				continue;
			if (n < max)
				order[n++] = i;
			else
				(*hidden)++;
		}
	return (n);
}

static void
svg_write(struct svg *s)
{
	const struct scenario	*scn = s->scn;
	FILE			*f = s->f;
	uint32_t		 order[SVG_MAX_ROWS], *slot;
	float			*cov;
	unsigned		 nrows, hidden, k, c, col, ncols = SVG_COLS;
	double			 row_h, gantt_top = SVG_TOP + 40, gantt_h;
	double			 rack_top, rack_h = 170, axis_y, x, y, scale;
	double			 below;
	int64_t			 span = s->t_end > 0 ? s->t_end : 1, step, t;
	size_t			 i;
	char			 buf[256];
	int			 bn = s->have_st ? s->st.bottleneck : -1;

	nrows = svg_order(s, order, SVG_MAX_ROWS, &hidden);
	/* Below the racks: the axis's labels and up to four captions. */
	below = 60 + 34.0 * (s->ncap < 4 ? s->ncap : 4) + 30;
	gantt_h = SVG_H - gantt_top - 40 - rack_h - below;
	row_h = nrows > 0 ? gantt_h / nrows : gantt_h;
	if (row_h > 84)
		row_h = 84;
	gantt_h = row_h * nrows;
	/* What the rows leave goes to the racks, up to a point. */
	rack_h = SVG_H - gantt_top - gantt_h - 40 - below;
	if (rack_h > 320)
		rack_h = 320;
	rack_top = gantt_top + gantt_h + 40;
	axis_y = rack_top + rack_h;
	scale = (double)SVG_COLS / (double)span;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, "
	    "Verdana, sans-serif\">\n", SVG_W, SVG_H, SVG_W, SVG_H);
	fputs("<defs><pattern id=\"waitget\" width=\"12\" height=\"12\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect width=\"12\" height=\"12\" fill=\"#D6ECF8\"/>"
	    "<rect width=\"5\" height=\"12\" fill=\"#56B4E9\"/></pattern>"
	    "<pattern id=\"waitlock\" width=\"12\" height=\"12\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(-45)\">"
	    "<rect width=\"12\" height=\"12\" fill=\"#CDEFE3\"/>"
	    "<rect width=\"5\" height=\"12\" fill=\"#009E73\"/></pattern>"
	    "</defs>\n", f);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n", f);

	/* The title and the figures in the corner. */
	fputs("<text x=\"40\" y=\"62\" font-size=\"44\" font-weight=\"bold\" "
	    "fill=\"#000\">", f);
	svg_text(f, scn->title);
	fputs("</text>\n", f);
	snprintf(buf, sizeof buf, "%s, %s", scn_mode_name(scn->mode),
	    scn->file);
	fputs("<text x=\"40\" y=\"104\" font-size=\"26\" fill=\"#333\">", f);
	svg_text(f, buf);
	fputs("</text>\n", f);
	if (s->have_st) {
		fprintf(f, "<g font-size=\"26\" fill=\"#000\" "
		    "text-anchor=\"end\">\n<text x=\"%d\" y=\"52\">%llu dishes "
		    "through the line in %.3f s: %.2f a second</text>\n",
		    SVG_W - 40,
		    (unsigned long long)s->st.dried, (double)s->t_end / 1e9,
		    s->st.throughput);
		fprintf(f, "<text x=\"%d\" y=\"88\">fullest rack: %u; "
		    "%s%s</text>\n", SVG_W - 40, s->st.max_rack_depth,
		    s->st.conserved ? "every dish accounted for" :
		    "dishes NOT conserved", s->deadlocked ? "; DEADLOCK" : "");
		if (bn >= 0) {
			fprintf(f, "<text x=\"%d\" y=\"124\" font-weight=\"bold\">"
			    "bottleneck: ", SVG_W - 40);
			svg_text(f, scn->stations[bn].name);
			fprintf(f, " (busy %.0f%%)</text>\n",
			    s->st.st[bn].busy_fraction * 100);
		}
		fputs("</g>\n", f);
	}

	/* The legend. */
	x = 40;
	for (k = 0; k < SK_N; k++) {
		/* The GIL's and locks' waits where there were any. */
		if (k >= SK_WAIT_GIL && !s->kinds[k])
			continue;
		fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"34\" "
		    "height=\"26\" fill=\"%s\" stroke=\"#000\" "
		    "stroke-width=\"1\"/>\n<text x=\"%.0f\" y=\"%.0f\" "
		    "font-size=\"24\">%s</text>\n", x, SVG_TOP - 22.0,
		    svg_fill[k], x + 44, (double)SVG_TOP, svg_label[k]);
		x += 44 + 14.5 * (double)strlen(svg_label[k]) + 40;
	}

	/* The rows: each column is what covered most of it. */
	cov = xcalloc((size_t)ncols * SK_N, sizeof *cov);
	slot = xcalloc(s->nrows ? s->nrows : 1, sizeof *slot);
	for (k = 0; k < nrows; k++)
		slot[order[k]] = k + 1;
	for (k = 0; k < nrows; k++) {
		uint32_t	 id = order[k];
		int		 is_bn = (int)s->rows[id].station == bn;

		y = gantt_top + row_h * k;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
		    "height=\"%.1f\" fill=\"%s\"/>\n", SVG_LEFT, y, SVG_COLS,
		    row_h, is_bn ? "#F6E3EF" : k % 2 ? "#F2F2F2" : "#FAFAFA");
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"%.0f\" "
		    "text-anchor=\"end\"%s>", SVG_LEFT - 14, y + row_h * 0.5 +
		    (row_h > 30 ? 9 : row_h * 0.3), row_h > 30 ? 26.0 :
		    row_h * 0.8, is_bn ? " font-weight=\"bold\"" : "");
		svg_text(f, s->rows[id].name != NULL ? s->rows[id].name : "?");
		fputs("</text>\n", f);
		memset(cov, 0, (size_t)ncols * SK_N * sizeof *cov);
		for (i = 0; i < s->nsp; i++) {
			const struct svg_span	*p = &s->sp[i];
			double			 a, b, lo, hi;

			if (p->row != id)
				continue;
			a = (double)p->a * scale;
			b = (double)p->b * scale;
			for (col = (unsigned)a; col < ncols && col <= (unsigned)b;
			    col++) {
				lo = a > col ? a : col;
				hi = b < col + 1 ? b : col + 1;
				if (hi > lo)
					cov[col * SK_N + p->kind] +=
					    (float)(hi - lo);
			}
		}
		for (col = 0; col < ncols; ) {
			int	best = -1;
			float	most = 0.25f;
			unsigned end;

			for (c = 0; c < SK_N; c++)
				if (cov[col * SK_N + c] > most) {
					most = cov[col * SK_N + c];
					best = (int)c;
				}
			for (end = col + 1; end < ncols; end++) {
				int	b2 = -1;
				float	m2 = 0.25f;

				for (c = 0; c < SK_N; c++)
					if (cov[end * SK_N + c] > m2) {
						m2 = cov[end * SK_N + c];
						b2 = (int)c;
					}
				if (b2 != best)
					break;
			}
			if (best >= 0)
				fprintf(f, "<rect x=\"%u\" y=\"%.1f\" width=\"%u\""
				    " height=\"%.1f\" fill=\"%s\"/>\n",
				    SVG_LEFT + col, y + row_h * 0.12, end - col,
				    row_h * 0.76, svg_fill[best]);
			col = end;
		}
		svg_seams(s, id, scale, y + row_h * 0.12, row_h * 0.76);
	}
	if (bn >= 0 && nrows > 0) {
		/* The bottleneck's rows, bracketed at the right. */
		double	y0 = -1, y1 = -1;

		for (k = 0; k < nrows; k++)
			if ((int)s->rows[order[k]].station == bn) {
				if (y0 < 0)
					y0 = gantt_top + row_h * k;
				y1 = gantt_top + row_h * (k + 1);
			}
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
		    "height=\"%.1f\" fill=\"none\" stroke=\"#CC79A7\" "
		    "stroke-width=\"5\"/>\n", SVG_LEFT - 3, y0, SVG_COLS + 6,
		    y1 - y0);
	}
	if (hidden > 0) {
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"22\" "
		    "fill=\"#333\">and %u more workers not drawn</text>\n",
		    SVG_LEFT, gantt_top + gantt_h + 26, hidden);
	}
	free(slot);
	free(cov);

	/* Each rack's depth: the fullest it was in each column. */
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"24\" "
	    "text-anchor=\"end\">rack depth</text>\n", SVG_LEFT - 14,
	    rack_top + 30);
	fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"22\" "
	    "text-anchor=\"end\" fill=\"#333\">max %u</text>\n",
	    SVG_LEFT - 14, rack_top + 60, s->max_depth);
	fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "stroke=\"#000\" stroke-width=\"2\"/>\n", SVG_LEFT, axis_y,
	    SVG_LEFT + SVG_COLS, axis_y);
	for (k = 1; k < scn->nstations; k++) {
		int32_t		*colmax;
		int64_t		*collast_t;
		int32_t		 last = 0;
		const char	*colour = svg_rack_colour[(k - 1) %
		    (sizeof svg_rack_colour / sizeof svg_rack_colour[0])];
		double		 h = s->max_depth > 0 ?
				    (rack_h - 10) / s->max_depth : 0;

		/* Per column the fullest, and the depth it was left at. */
		colmax = xcalloc((size_t)ncols * 2, sizeof *colmax);
		collast_t = xcalloc(ncols, sizeof *collast_t);
		for (col = 0; col < ncols; col++)
			colmax[col] = colmax[ncols + col] = -1;
		for (i = 0; i < s->npt; i++) {
			const struct svg_point	*p = &s->pt[i];

			if (p->rack != k)
				continue;
			col = (unsigned)((double)p->t * scale);
			if (col >= ncols)
				col = ncols - 1;
			if ((int32_t)p->depth > colmax[col])
				colmax[col] = (int32_t)p->depth;
			if (colmax[ncols + col] < 0 || p->t >= collast_t[col]) {
				colmax[ncols + col] = (int32_t)p->depth;
				collast_t[col] = p->t;
			}
		}
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"4\" points=\"", colour);
		/* Steps: a rack's depth holds until the next change. */
		fprintf(f, "%d,%.1f ", SVG_LEFT, axis_y);
		for (col = 0; col < ncols; col++) {
			if (colmax[col] < 0 || (colmax[col] == last &&
			    colmax[ncols + col] == last))
				continue;
			fprintf(f, "%u,%.1f %u,%.1f %u,%.1f ", SVG_LEFT + col,
			    axis_y - last * h, SVG_LEFT + col,
			    axis_y - colmax[col] * h, SVG_LEFT + col,
			    axis_y - colmax[ncols + col] * h);
			last = colmax[ncols + col];
		}
		fprintf(f, "%u,%.1f", SVG_LEFT + ncols, axis_y - last * h);
		fputs("\"/>\n", f);
		snprintf(buf, sizeof buf, "%s \xe2\x86\x92 %s",
		    scn->stations[k - 1].name, scn->stations[k].name);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"22\" "
		    "fill=\"%s\" font-weight=\"bold\">", SVG_LEFT + 10,
		    rack_top + 24.0 * k, colour);
		svg_text(f, buf);
		fputs("</text>\n", f);
		free(colmax);
		free(collast_t);
	}

	/* The time axis, and the captions on it. */
	step = svg_step(span);
	for (t = 0; t <= span; t += step) {
		x = SVG_LEFT + (double)t * scale;
		svg_time(buf, sizeof buf, t, step);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2\"/>\n"
		    "<text x=\"%.1f\" y=\"%.1f\" font-size=\"24\" "
		    "text-anchor=\"middle\">%s</text>\n", x, axis_y, x,
		    axis_y + 10, x, axis_y + 38, buf);
	}
	for (k = 0; k < s->ncap; k++) {
		char		 lb[128];
		const char	*text = scn_step_label(
				    &scn->script[s->cap_step[k]], lb, sizeof lb);

		x = SVG_LEFT + (double)s->cap_t[k] * scale;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#000\" stroke-width=\"2\" "
		    "stroke-dasharray=\"8 6\"/>\n", x, gantt_top - 6, x,
		    axis_y);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"15\" "
		    "fill=\"#000\"/><text x=\"%.1f\" y=\"%.1f\" "
		    "font-size=\"20\" fill=\"#fff\" text-anchor=\"middle\" "
		    "font-weight=\"bold\">%u</text>\n", x, gantt_top - 6, x,
		    gantt_top + 1, k + 1);
		if (k < 4) {
			fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"24\">"
			    "%u  ", 40, axis_y + 80 + 34.0 * k, k + 1);
			svg_text(f, text != NULL && *text != '\0' ? text :
			    "(pause)");
			fputs("</text>\n", f);
		}
	}
	if (s->full)
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"22\" "
		    "text-anchor=\"end\">(the first %u spans of the run)"
		    "</text>\n", SVG_W - 40, SVG_H - 20, SVG_MAX_SPANS);
	fputs("</svg>\n", f);
}

int
svg_close(struct svg *s, char **cause)
{
	uint32_t	i;
	int		rc = 0, err = 0;

	if (s == NULL)
		return (0);
	if (s->ended)
		svg_write(s);
	if (ferror(s->f))
		err = errno ? errno : EIO;
	if (fclose(s->f) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		xasprintf(cause, "%s: %s", s->path, strerror(err));
		rc = -1;
	}
	for (i = 0; i < s->nrows; i++)
		free(s->rows[i].name);
	free(s->rows);
	free(s->sp);
	free(s->pt);
	free(s->path);
	free(s);
	return (rc);
}
