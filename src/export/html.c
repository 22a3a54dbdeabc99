/*
 * html.c: the run as one HTML page, nothing outside it: no script, no
 * style sheet or font to fetch, the picture inline, so it opens the same
 * from a mail, a USB stick or a course page.
 */
#include "config.h"

#include "html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "svg.h"
#include "xmalloc.h"

struct html {
	FILE			*f;
	char			*path;
	const struct scenario	*scn;
	struct svg		*svg;
	struct tap		 svg_tap;
	FILE			*svg_mem;
	char			*svg_buf;
	size_t			 svg_len;
	char			*summary;
	size_t			 summary_len;
	char			*sets;	/* --set as the run started */
	int			 ended;
};

static void	html_worker(void *, int64_t, uint32_t, unsigned,
		    const char *);
static void	html_event(void *, const struct event *);
static void	html_end(void *, const struct stats_end *,
		    const struct report_run *, const struct stats *);

struct html *
html_open(const char *path, const struct scenario *scn, char **cause)
{
	struct html	*h;
	FILE		*f, *mem;

	if ((f = fopen(path, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	h = xcalloc(1, sizeof *h);
	/* The stream keeps where the buffer is: in h, which stays. */
	if ((mem = open_memstream(&h->svg_buf, &h->svg_len)) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		fclose(f);
		free(h);
		return (NULL);
	}
	h->f = f;
	h->path = xstrdup(path);
	h->scn = scn;
	/* The script's sets are added as it runs: keep the command line's. */
	h->sets = scn->sets != NULL ? xstrdup(scn->sets) : NULL;
	h->svg_mem = mem;
	h->svg = svg_open_stream(mem, path, scn);
	svg_tap(h->svg, &h->svg_tap);
	return (h);
}

void
html_tap(struct html *h, struct tap *t)
{
	memset(t, 0, sizeof *t);
	t->worker = html_worker;
	t->event = html_event;
	t->end = html_end;
	t->arg = h;
}

static void
html_worker(void *arg, int64_t t, uint32_t id, unsigned station,
    const char *name)
{
	struct html	*h = arg;

	h->svg_tap.worker(h->svg_tap.arg, t, id, station, name);
}

static void
html_event(void *arg, const struct event *e)
{
	struct html	*h = arg;

	h->svg_tap.event(h->svg_tap.arg, e);
}

static void
html_end(void *arg, const struct stats_end *se, const struct report_run *rr,
    const struct stats *st)
{
	struct html	*h = arg;
	FILE		*mem;

	h->svg_tap.end(h->svg_tap.arg, se, rr, st);
	if (st == NULL || (mem = open_memstream(&h->summary,
	    &h->summary_len)) == NULL)
		return;
	report_text_run(mem, rr, st);
	fclose(mem);
	h->ended = 1;
}

/* Text as HTML: the five that mean something there, and no controls. */
static void
html_text(FILE *f, const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputc('?', f);
			else
				fputc(c, f);
		}
	}
}

static void
html_write(struct html *h)
{
	const struct scenario	*scn = h->scn;
	FILE			*f = h->f;
	const char		*svg = h->svg_buf, *nl;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>", f);
	html_text(f, scn->title, strlen(scn->title));
	fputs(" - dishrack</title>\n<style>\n"
	    "body { font-family: sans-serif; margin: 2em auto; "
	    "max-width: 1960px; padding: 0 1em; }\n"
	    "svg { width: 100%; height: auto; border: 1px solid #ccc; }\n"
	    "pre { background: #f4f4f4; padding: 1em; overflow: auto; "
	    "font-size: 15px; }\n</style>\n</head>\n<body>\n<h1>", f);
	html_text(f, scn->title, strlen(scn->title));
	fputs("</h1>\n<p>", f);
	html_text(f, scn->file, strlen(scn->file));
	fprintf(f, ", mode %s, made by dishrack %s.</p>\n",
	    scn_mode_name(scn->mode), PACKAGE_VERSION);
	/* The picture without its XML declaration, which HTML has not. */
	if (svg != NULL && strncmp(svg, "<?xml", 5) == 0 &&
	    (nl = strchr(svg, '\n')) != NULL)
		svg = nl + 1;
	if (svg != NULL)
		fputs(svg, f);
	fputs("\n<h2>Summary</h2>\n<pre>", f);
	if (h->summary != NULL)
		html_text(f, h->summary, h->summary_len);
	fputs("</pre>\n<h2>Scenario</h2>\n<pre>", f);
	html_text(f, scn->source, strlen(scn->source));
	fputs("</pre>\n", f);
	if (h->sets != NULL) {
		fputs("<p>With:</p>\n<pre>", f);
		html_text(f, h->sets, strlen(h->sets));
		fputs("</pre>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}

int
html_close(struct html *h, char **cause)
{
	char	*why = NULL;
	int	 rc = 0, err = 0;

	if (h == NULL)
		return (0);
	/*
	 * svg_close writes the picture (if the end came) and closes its
	 * stream: open_memstream's buffer is then whole.
	 */
	if (svg_close(h->svg, &why) == -1)
		free(why);
	if (h->ended)
		html_write(h);
	free(h->svg_buf);
	if (ferror(h->f))
		err = errno ? errno : EIO;
	if (fclose(h->f) != 0 && err == 0)
		err = errno;
	if (err != 0) {
		xasprintf(cause, "%s: %s", h->path, strerror(err));
		rc = -1;
	}
	free(h->summary);
	free(h->sets);
	free(h->path);
	free(h);
	return (rc);
}
