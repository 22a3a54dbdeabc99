/*
 * scenario_web.c: the values of [server] and [visitors]. Each setter
 * checks its value whole and says what it expected, as the other rows
 * of scn_keys do.
 */
#include "config.h"

#include "scenario_web.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "xmalloc.h"

const char *const web_work_choices[] = { "io", "cpu", NULL };
const char *const web_clients_choices[] = { "scenario", "external", NULL };

static int	web_count(const char *, uint64_t, uint64_t, int, uint64_t *);
static int	web_duration(const char *, int64_t, int64_t, int64_t *);

void
scenario_web_defaults(struct scn_web *w)
{
	memset(w, 0, sizeof *w);
	w->model = WEB_THREADS;
	w->threads = 4;
	w->listen = xstrdup("127.0.0.1:0");
	w->render_ns = 5000000;
	w->work = WORK_IO;
	w->timeout_ns = 2000000000LL;
	w->max_header = 8192;
	w->max_body = 16 << 20;
	w->pages = 100;
	w->rate = 20;
	w->uploads = 1;
	w->upload_size = 256 << 10;
	w->upload_time_ns = 3000000000LL;
	w->upload_start_ns = 500000000LL;
	w->patience_ns = 60000000000LL;
}

void
scenario_web_free(struct scn_web *w)
{
	free(w->listen);
	w->listen = NULL;
}

/* Digits with an optional k, KiB, M or MiB (bytes) when sized. */
static int
web_count(const char *v, uint64_t lo, uint64_t hi, int sized, uint64_t *out)
{
	uint64_t	n = 0, mul = 1;
	const char	*p;

	for (p = v; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - 9) / 10)
			return (-1);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == v)
		return (-1);
	if (*p != '\0') {
		if (!sized)
			return (-1);
		if (strcmp(p, "k") == 0 || strcmp(p, "KiB") == 0)
			mul = 1024;
		else if (strcmp(p, "M") == 0 || strcmp(p, "MiB") == 0)
			mul = 1024 * 1024;
		else
			return (-1);
	}
	if (n > hi / mul || n * mul < lo)
		return (-1);
	*out = n * mul;
	return (0);
}

/* A duration within lo..hi. */
static int
web_duration(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t	ns;

	if (dist_parse_duration(v, &ns) == -1 || ns < lo || ns > hi)
		return (-1);
	*out = ns;
	return (0);
}

int
scenario_web_addr(const char *v, struct sockaddr_in *sin, char **why)
{
	const char	*colon;
	char		 host[64];
	uint64_t	 port;

	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	if ((colon = strrchr(v, ':')) == NULL || colon == v ||
	    (size_t)(colon - v) >= sizeof host ||
	    web_count(colon + 1, 0, 65535, 0, &port) == -1) {
		xasprintf(why, _("expected ADDRESS:PORT such as 127.0.0.1:0 "
		    "(port 0: any free one), found '%.40s'"), v);
		return (-1);
	}
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		xasprintf(why, _("expected an IPv4 address such as 127.0.0.1 "
		    "before the port, found '%.40s'"), host);
		return (-1);
	}
	sin->sin_port = htons((uint16_t)port);
	return (0);
}

const char *
scenario_web_model(const struct scn_web *w, char *buf, size_t len)
{
	switch (w->model) {
	case WEB_SYNC:
		snprintf(buf, len, "sync");
		break;
	case WEB_THREADS:
		snprintf(buf, len, "threads:%u", w->threads);
		break;
	case WEB_ASYNC:
		snprintf(buf, len, "async");
		break;
	case WEB_PROCESSES:
		snprintf(buf, len, "processes:%u", w->threads);
		break;
	}
	return (buf);
}

/* model: sync, threads:N, processes:N or async. */
int
set_web_model(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	uint64_t	n;

	(void)st;
	if (strcmp(v, "sync") == 0)
		s->web.model = WEB_SYNC;
	else if (strcmp(v, "async") == 0)
		s->web.model = WEB_ASYNC;
	else if (strncmp(v, "threads:", 8) == 0 &&
	    web_count(v + 8, 1, WEB_MAX_THREADS, 0, &n) == 0) {
		s->web.model = WEB_THREADS;
		s->web.threads = (unsigned)n;
	} else if (strcmp(v, "threads") == 0) {
		s->web.model = WEB_THREADS;
		s->web.threads = 4;
	} else if (strncmp(v, "processes:", 10) == 0 &&
	    web_count(v + 10, 1, WEB_MAX_PROCESSES, 0, &n) == 0) {
		s->web.model = WEB_PROCESSES;
		s->web.threads = (unsigned)n;
	} else {
		xasprintf(why, _("expected sync, threads:N (N from 1 to %d), "
		    "processes:N (N from 1 to %d) or async, found '%.40s'"),
		    WEB_MAX_THREADS, WEB_MAX_PROCESSES, v);
		return (-1);
	}
	return (0);
}

/* listen: ADDRESS:PORT; nothing is opened until the run. */
int
set_web_listen(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	struct sockaddr_in	sin;

	(void)st;
	if (scenario_web_addr(v, &sin, why) == -1)
		return (-1);
	free(s->web.listen);
	s->web.listen = xstrdup(v);
	return (0);
}

/* render: 0 to 10s. */
int
set_web_render(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_duration(v, 0, 10000000000LL, &s->web.render_ns) == -1) {
		xasprintf(why, _("expected a duration from 0 to 10s such as "
		    "5ms, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* work: io or cpu. */
int
set_web_work(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (strcmp(v, "io") == 0)
		s->web.work = WORK_IO;
	else if (strcmp(v, "cpu") == 0)
		s->web.work = WORK_CPU;
	else {
		xasprintf(why, _("expected io or cpu, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* timeout: 10ms to 1h, or 0 for never. */
int
set_web_timeout(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_duration(v, 0, 3600000000000LL, &s->web.timeout_ns) == -1 ||
	    (s->web.timeout_ns != 0 && s->web.timeout_ns < 10000000)) {
		xasprintf(why, _("expected a duration from 10ms to 1h, or 0 "
		    "for none, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* clients: scenario or external. */
int
set_web_clients(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (strcmp(v, "scenario") == 0)
		s->web.external = 0;
	else if (strcmp(v, "external") == 0)
		s->web.external = 1;
	else {
		xasprintf(why, _("expected scenario or external, found "
		    "'%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* max_header: 256 bytes to 1MiB. */
int
set_web_max_header(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	uint64_t	n;

	(void)st;
	if (web_count(v, 256, 1 << 20, 1, &n) == -1) {
		xasprintf(why, _("expected a size from 256 to 1MiB such as 8k, "
		    "found '%.40s'"), v);
		return (-1);
	}
	s->web.max_header = (unsigned)n;
	return (0);
}

/* max_body: up to 1GiB. */
int
set_web_max_body(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_count(v, 0, 1 << 30, 1, &s->web.max_body) == -1) {
		xasprintf(why, _("expected a size up to 1024M such as 16M, "
		    "found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* pages: 0 to 1,000,000 visits. */
int
set_web_pages(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	uint64_t	n;

	(void)st;
	if (web_count(v, 0, 1000000, 0, &n) == -1) {
		xasprintf(why, _("expected a count of pages from 0 to 1000000, "
		    "found '%.40s'"), v);
		return (-1);
	}
	s->web.pages = (unsigned)n;
	return (0);
}

/* rate: 1 to 100,000 page arrivals a second. */
int
set_web_rate(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	uint64_t	n;
	size_t		len = strlen(v);
	char		buf[32];

	(void)st;
	/* "50/s" reads as well as "50". */
	if (len > 2 && len < sizeof buf && strcmp(v + len - 2, "/s") == 0) {
		memcpy(buf, v, len - 2);
		buf[len - 2] = '\0';
		v = buf;
	}
	if (web_count(v, 1, 100000, 0, &n) == -1) {
		xasprintf(why, _("expected page arrivals a second from 1 to "
		    "100000 such as 20/s, found '%.40s'"), v);
		return (-1);
	}
	s->web.rate = (unsigned)n;
	return (0);
}

/* uploads: 0 to 1000 slow uploads. */
int
set_web_uploads(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	uint64_t	n;

	(void)st;
	if (web_count(v, 0, 1000, 0, &n) == -1) {
		xasprintf(why, _("expected a count of uploads from 0 to 1000, "
		    "found '%.40s'"), v);
		return (-1);
	}
	s->web.uploads = (unsigned)n;
	return (0);
}

/* upload_size: 1 byte to 1GiB. */
int
set_web_upload_size(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_count(v, 1, 1 << 30, 1, &s->web.upload_size) == -1) {
		xasprintf(why, _("expected a size from 1 to 1024M such as "
		    "256k, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* upload_time: 0 to 10 min. */
int
set_web_upload_time(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_duration(v, 0, 600000000000LL, &s->web.upload_time_ns) == -1) {
		xasprintf(why, _("expected a duration from 0 to 10min such as "
		    "3s, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* upload_start: 0 to 10 min. */
int
set_web_upload_start(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_duration(v, 0, 600000000000LL, &s->web.upload_start_ns) ==
	    -1) {
		xasprintf(why, _("expected a duration from 0 to 10min such as "
		    "500ms, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}

/* patience: 100ms to 1h. */
int
set_web_patience(struct scenario *s, struct station *st, const char *v,
    char **why)
{
	(void)st;
	if (web_duration(v, 100000000, 3600000000000LL,
	    &s->web.patience_ns) == -1) {
		xasprintf(why, _("expected a duration from 100ms to 1h such as "
		    "60s, found '%.40s'"), v);
		return (-1);
	}
	return (0);
}
