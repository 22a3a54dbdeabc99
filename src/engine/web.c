/*
 * web.c: the conductor of a web server run. It starts the server, then
 * the visitors against the address the server got, and samples the
 * connections waiting (the kernel's accept queue and the pool's) while
 * they visit; at the end it stops both and folds their counts into one
 * set of figures.
 */
#include "config.h"

#include "web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "scenario_web.h"
#include "i18n.h"
#include "xmalloc.h"

static int	web_cmp(const void *, const void *);

struct web_run *
web_create(struct scenario *scn, char **cause)
{
	struct web_run	*w;

	if (!scn->web.on) {
		xasprintf(cause, _("%s: no [server] section"), scn->file);
		scenario_free(scn);
		return (NULL);
	}
	/*
	 * Shared, so that forked server processes count into the same
	 * figures and rows; private memory for everything else would do.
	 */
	w = mmap(NULL, sizeof *w, PROT_READ | PROT_WRITE, MAP_SHARED |
	    MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED) {
		xasprintf(cause, _("cannot map the run's memory: %s"),
		    strerror(errno));
		scenario_free(scn);
		return (NULL);
	}
	memset(w, 0, sizeof *w);
	w->scn = scn;
	return (w);
}

int
web_start(struct web_run *w, char **cause)
{
	const struct scn_web	*cfg = &w->scn->web;

	if (web_server_start(&w->srv, cfg, w->scn->gil,
	    w->scn->gil_interval_ns, cause) == -1)
		return (-1);
	w->server_up = 1;
	w->t0 = web_now();
	if (!cfg->external &&
	    web_client_start(&w->cli, cfg, &w->srv.addr, cause) == -1) {
		web_server_stop(&w->srv);
		w->server_up = 0;
		return (-1);
	}
	return (0);
}

int
web_tick(struct web_run *w)
{
	unsigned	n;

	if (!w->server_up)
		return (1);
	n = web_server_waiting(&w->srv);
	atomic_store(&w->waiting, n);
	if (n > atomic_load(&w->waiting_max))
		atomic_store(&w->waiting_max, n);
	if (w->scn->web.external)
		return (0);
	if (web_client_done(&w->cli))
		atomic_store(&w->finished, 1);
	return (atomic_load(&w->finished));
}

/* Latencies in increasing order. */
static int
web_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

double
web_percentile(const int64_t *v, unsigned n, double q)
{
	unsigned	i;

	if (n == 0)
		return (0);
	/* The nearest rank: the smallest value with q of them at or below. */
	i = (unsigned)(q * n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return ((double)v[i - 1] / 1e9);
}

void
web_finish(struct web_run *w, struct web_figures *f)
{
	const struct scn_web	*cfg = &w->scn->web;
	int64_t			*lat, sum = 0;
	unsigned		 i, n;

	memset(f, 0, sizeof *f);
	if (w->server_up) {
		web_tick(w);
		if (!cfg->external)
			web_client_stop(&w->cli);
		web_server_stop(&w->srv);
		w->server_up = 0;
	}
	scenario_web_model(cfg, f->model, sizeof f->model);
	snprintf(f->where, sizeof f->where, "%s", w->srv.where);
	f->external = cfg->external;
	f->wall_seconds = (double)(web_now() - w->t0) / 1e9;
	f->served_pages = atomic_load(&w->srv.pages);
	f->served_uploads = atomic_load(&w->srv.uploads);
	f->accepted = atomic_load(&w->srv.accepted);
	f->waiting_max = atomic_load(&w->waiting_max);
	n = atomic_load(&w->srv.nservice);
	if (n > WEB_SERVICE_MAX)
		n = WEB_SERVICE_MAX;
	lat = xcalloc(n ? n : 1, sizeof *lat);
	memcpy(lat, w->srv.service_ns, n * sizeof *lat);
	qsort(lat, n, sizeof *lat, web_cmp);
	f->svc_p50 = web_percentile(lat, n, 0.50);
	f->svc_p99 = web_percentile(lat, n, 0.99);
	f->svc_max = n ? (double)lat[n - 1] / 1e9 : 0;
	free(lat);
	for (i = 0; i < WERR_NKINDS; i++) {
		f->server_errors[i] = atomic_load(&w->srv.errors[i]);
		f->errors += f->server_errors[i];
	}
	if (cfg->external) {
		f->pages = (unsigned)f->served_pages;
		f->uploads = (unsigned)f->served_uploads;
		f->complete = 1;
		return;
	}
	f->pages_planned = cfg->pages;
	f->uploads_planned = cfg->uploads;
	for (i = 0; i < WCERR_NKINDS; i++) {
		f->client_errors[i] = atomic_load(&w->cli.errors[i]);
		f->errors += f->client_errors[i];
	}
	n = atomic_load(&w->cli.nlat);
	f->pages = n;
	f->uploads = atomic_load(&w->cli.uploads_done);
	f->upload_max = (double)atomic_load(&w->cli.upload_max_ns) / 1e9;
	lat = xcalloc(n ? n : 1, sizeof *lat);
	memcpy(lat, w->cli.lat, n * sizeof *lat);
	qsort(lat, n, sizeof *lat, web_cmp);
	for (i = 0; i < n; i++)
		sum += lat[i];
	f->p50 = web_percentile(lat, n, 0.50);
	f->p95 = web_percentile(lat, n, 0.95);
	f->p99 = web_percentile(lat, n, 0.99);
	f->max = n ? (double)lat[n - 1] / 1e9 : 0;
	f->mean = n ? (double)sum / n / 1e9 : 0;
	free(lat);
	f->complete = f->pages == f->pages_planned &&
	    f->uploads == f->uploads_planned && f->errors == 0;
}

void
web_destroy(struct web_run *w)
{
	if (w == NULL)
		return;
	if (w->server_up) {
		struct web_figures	f;

		web_finish(w, &f);
	}
	web_client_free(&w->cli);
	scenario_free(w->scn);
	munmap(w, sizeof *w);
}
