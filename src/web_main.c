/*
 * web_main.c: a web server run without the screen, and its figures for
 * people (text) and programs (JSON), both from one struct web_figures.
 */
#include "config.h"

#include "web_main.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "safe.h"
#include "scenario_web.h"
#include "xmalloc.h"

#define EXIT_RUN_FAILED	1
#define EXIT_USAGE	2

static int	web_main_run(const struct web_main_opts *, struct scenario *,
		    struct web_figures *, int);
static void	web_sleep_ms(int);

/* Sleep between two ticks of the run. */
static void
web_sleep_ms(int ms)
{
	struct timespec	ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Run to the end or a signal; -1 with the error printed. */
static int
web_main_run(const struct web_main_opts *o, struct scenario *scn,
    struct web_figures *f, int announce)
{
	struct web_run	*w;
	char		*cause = NULL;

	if ((w = web_create(scn, &cause)) == NULL ||
	    web_start(w, &cause) == -1) {
		fprintf(stderr, "dishrack: %s\n", cause);
		free(cause);
		web_destroy(w);
		return (-1);
	}
	if (announce) {
		/* Scripts read the port here, whatever else is printed. */
		fprintf(o->json || o->quiet ? stderr : stdout,
		    "dishrack: listening on http://%s/\n", w->srv.where);
		fflush(NULL);
	}
	while (!web_tick(w) && *o->signal == 0)
		web_sleep_ms(5);
	web_finish(w, f);
	if (announce) {
		if (o->json)
			web_report_json(stdout, w->scn, f);
		else
			web_report_text(stdout, w->scn, f);
	}
	web_destroy(w);
	return (0);
}

int
web_main_headless(const struct web_main_opts *o, struct scenario *scn)
{
	struct web_figures	 f;
	int			 external = scn->web.external;

	if (web_main_run(o, scn, &f, 1) == -1)
		return (EXIT_RUN_FAILED);
	fflush(stdout);
	/* A server for others ends when it is stopped: that is success. */
	if (external)
		return (0);
	if (*o->signal != 0)
		return (128 + *o->signal);
	return (f.complete ? 0 : EXIT_RUN_FAILED);
}

int
web_main_matrix(const struct web_main_opts *o, const struct matrix *m,
    struct scenario *(*load)(void *, const unsigned *), void *arg)
{
	struct web_figures	 f;
	struct scenario		*scn;
	unsigned		 idx[MATRIX_MAX_PARAMS], k, row = 0;
	int			 failed = 0;
	char			*cell;

	memset(idx, 0, sizeof idx);
	/* Refused before the table starts, not after its header. */
	if ((scn = load(arg, idx)) == NULL)
		return (EXIT_USAGE);
	if (scn->web.external) {
		fprintf(stderr, "dishrack: %s\n", _("--matrix: server.clients "
		    "= external has no end to measure"));
		scenario_free(scn);
		return (EXIT_USAGE);
	}
	scenario_free(scn);
	if (o->json) {
		fputs("{\"scenario\":", stdout);
		safe_json_fputs(o->name, stdout);
		fputs(",\"rows\":[", stdout);
	} else {
		for (k = 0; k < m->nkeys; k++) {
			cell = safe_strdup(m->keys[k]);
			printf("%-14s ", cell);
			free(cell);
		}
		printf("%9s %9s %9s %9s %7s %7s %7s %6s\n", "p50-s", "p95-s",
		    "p99-s", "max-s", "pages", "uploads", "waiting", "errors");
	}
	do {
		if ((scn = load(arg, idx)) == NULL) {
			failed = EXIT_USAGE;
			break;
		}
		if (scn->web.external) {
			/* A row may set it even if the first does not. */
			fprintf(stderr, "dishrack: %s\n", _("--matrix: "
			    "server.clients = external has no end to "
			    "measure"));
			scenario_free(scn);
			failed = EXIT_USAGE;
			break;
		}
		if (web_main_run(o, scn, &f, 0) == -1) {
			failed = EXIT_RUN_FAILED;
			break;
		}
		if (!f.complete)
			failed = EXIT_RUN_FAILED;
		if (o->json) {
			printf("%s{\"params\":{", row ? "," : "");
			for (k = 0; k < m->nkeys; k++) {
				if (k > 0)
					putchar(',');
				safe_json_fputs(m->keys[k], stdout);
				putchar(':');
				safe_json_fputs(m->values[k][idx[k]], stdout);
			}
			printf("},\"model\":\"%s\",\"page_latency\":{\"p50\":%.6f,"
			    "\"p95\":%.6f,\"p99\":%.6f,\"max\":%.6f},"
			    "\"pages\":%u,\"uploads\":%u,\"waiting_max\":%u,"
			    "\"errors\":%llu,\"complete\":%s}", f.model, f.p50,
			    f.p95, f.p99, f.max, f.pages, f.uploads,
			    f.waiting_max, (unsigned long long)f.errors,
			    f.complete ? "true" : "false");
		} else {
			for (k = 0; k < m->nkeys; k++) {
				cell = safe_strdup(m->values[k][idx[k]]);
				printf("%-14s ", cell);
				free(cell);
			}
			printf("%9.4f %9.4f %9.4f %9.4f %7u %7u %7u %6llu\n",
			    f.p50, f.p95, f.p99, f.max, f.pages, f.uploads,
			    f.waiting_max, (unsigned long long)f.errors);
		}
		fflush(stdout);
		row++;
	} while (*o->signal == 0 && matrix_next(m, idx));
	if (o->json)
		printf("]}\n");
	if (*o->signal != 0)
		return (128 + *o->signal);
	return (failed);
}

void
web_report_text(FILE *fp, const struct scenario *scn,
    const struct web_figures *f)
{
	unsigned	i;
	int		any = 0;

	fputs("\n== ", fp);
	safe_fputs(scn != NULL ? scn->title : _("web server"), fp);
	fputs(" ==\n", fp);
	fprintf(fp, _("server      %s on http://%s/, pages rendered in "
	    "%.3g ms (%s)\n"), f->model, f->where, scn != NULL ?
	    (double)scn->web.render_ns / 1e6 : 0.0, scn != NULL &&
	    scn->web.work == WORK_CPU ? "cpu" : "io");
	fprintf(fp, _("time        %.3f s wall\n"), f->wall_seconds);
	if (f->external) {
		fprintf(fp, _("served      %llu pages, %llu uploads, %llu "
		    "connections\n"), (unsigned long long)f->served_pages,
		    (unsigned long long)f->served_uploads,
		    (unsigned long long)f->accepted);
	} else {
		fprintf(fp, _("visits      %u of %u pages answered, %u of %u "
		    "uploads (the slowest %.3f s)\n"), f->pages,
		    f->pages_planned, f->uploads, f->uploads_planned,
		    f->upload_max);
		fprintf(fp, _("page latency  p50 %.4f s  p95 %.4f s  p99 %.4f s  "
		    "max %.4f s  (from each page's intended start)\n"), f->p50,
		    f->p95, f->p99, f->max);
	}
	if (f->served_pages > 0)
		fprintf(fp, _("in server   p50 %.4f s  p99 %.4f s  max %.4f s  "
		    "(from a page's first byte to its answer)\n"), f->svc_p50,
		    f->svc_p99, f->svc_max);
	fprintf(fp, _("waiting     at most %u connections not yet served\n"),
	    f->waiting_max);
	fputs(_("errors     "), fp);
	for (i = 0; i < WERR_NKINDS; i++) {
		if (f->server_errors[i] == 0)
			continue;
		fprintf(fp, "%s %s %llu", any ? "," : "", web_err_name(i),
		    (unsigned long long)f->server_errors[i]);
		any = 1;
	}
	for (i = 0; i < WCERR_NKINDS; i++) {
		if (f->client_errors[i] == 0)
			continue;
		fprintf(fp, _("%s visitor %s %llu"), any ? "," : "",
		    web_cerr_name(i), (unsigned long long)f->client_errors[i]);
		any = 1;
	}
	fprintf(fp, "%s\n", any ? "" : _(" none"));
}

void
web_report_json(FILE *fp, const struct scenario *scn,
    const struct web_figures *f)
{
	unsigned	i;

	fputs("{\"scenario\":", fp);
	safe_json_fputs(scn != NULL ? scn->file : "", fp);
	fputs(",\"title\":", fp);
	safe_json_fputs(scn != NULL ? scn->title : "", fp);
	fprintf(fp, ",\"kind\":\"webserver\",\"model\":\"%s\",\"listen\":\"%s\","
	    "\"clients\":\"%s\",\"work\":\"%s\",\"render_seconds\":%.6f,"
	    "\"wall_seconds\":%.6f,", f->model, f->where, f->external ?
	    "external" : "scenario", scn != NULL && scn->web.work == WORK_CPU ?
	    "cpu" : "io", scn != NULL ? (double)scn->web.render_ns / 1e9 : 0,
	    f->wall_seconds);
	fprintf(fp, "\"pages\":%u,\"pages_planned\":%u,\"uploads\":%u,"
	    "\"uploads_planned\":%u,\"served_pages\":%llu,"
	    "\"served_uploads\":%llu,\"accepted\":%llu,", f->pages,
	    f->pages_planned, f->uploads, f->uploads_planned,
	    (unsigned long long)f->served_pages,
	    (unsigned long long)f->served_uploads,
	    (unsigned long long)f->accepted);
	fprintf(fp, "\"page_latency\":{\"p50\":%.6f,\"p95\":%.6f,\"p99\":%.6f,"
	    "\"max\":%.6f,\"mean\":%.6f},\"upload_max_seconds\":%.6f,"
	    "\"service_time\":{\"p50\":%.6f,\"p99\":%.6f,\"max\":%.6f},"
	    "\"waiting_max\":%u,\"errors\":{", f->p50, f->p95, f->p99, f->max,
	    f->mean, f->upload_max, f->svc_p50, f->svc_p99, f->svc_max,
	    f->waiting_max);
	for (i = 0; i < WERR_NKINDS; i++)
		fprintf(fp, "%s\"%s\":%llu", i ? "," : "", web_err_name(i),
		    (unsigned long long)f->server_errors[i]);
	for (i = 0; i < WCERR_NKINDS; i++)
		fprintf(fp, ",\"visitor_%s\":%llu", web_cerr_name(i),
		    (unsigned long long)f->client_errors[i]);
	fprintf(fp, "},\"errors_total\":%llu,\"complete\":%s}\n",
	    (unsigned long long)f->errors, f->complete ? "true" : "false");
}
