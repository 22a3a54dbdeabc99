/*
 * check_web.c: the web server's parts in one process: the HTTP head
 * parser case by case, the [server] keys, and short runs of each model
 * over loopback that leave no descriptor behind. (The latency ratios and
 * outside clients are tests/e2e/web.sh.)
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "net_http.h"
#include "scenario.h"
#include "web.h"

static int
count_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return (n);
}

static enum http_parse
parse(const char *text, struct http_req *r)
{
	const char	*why;

	return (http_parse(text, strlen(text), 8192, r, &why));
}

START_TEST(test_http_get)
{
	struct http_req	r;
	const char	*t = "GET /page?x=1 HTTP/1.1\r\nHost: a\r\n\r\nGET";

	ck_assert_int_eq(parse(t, &r), HTTP_DONE);
	ck_assert_int_eq(r.method, HTTP_GET);
	ck_assert_str_eq(r.path, "/page");
	ck_assert_int_eq(r.minor, 1);
	ck_assert_int_eq(r.keep_alive, 1);
	ck_assert_uint_eq(r.head_len, strlen(t) - 3);
}
END_TEST

START_TEST(test_http_post)
{
	struct http_req	r;

	ck_assert_int_eq(parse("POST /upload HTTP/1.1\r\ncontent-length:  "
	    "42 \r\nConnection: Close\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.method, HTTP_POST);
	ck_assert_int_eq(r.has_length, 1);
	ck_assert_uint_eq(r.length, 42);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.keep_alive, 0);
	ck_assert_int_eq(parse("GET / HTTP/1.0\r\nConnection: keep-alive"
	    "\r\n\r\n", &r), HTTP_DONE);
	ck_assert_int_eq(r.keep_alive, 1);
}
END_TEST

START_TEST(test_http_incomplete)
{
	struct http_req	r;

	ck_assert_int_eq(parse("", &r), HTTP_MORE);
	ck_assert_int_eq(parse("GET /page HTTP/1.1\r\nHost: a\r\n", &r),
	    HTTP_MORE);
	ck_assert_int_eq(parse("GE", &r), HTTP_MORE);
}
END_TEST

START_TEST(test_http_bad)
{
	struct http_req	r;
	char		big[9000];

	ck_assert_int_eq(parse("\x01\x02 hello", &r), HTTP_BAD);
	ck_assert_int_eq(parse("GET page HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse("GET /page HTTP/2.0\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse("GET /page HTTP/1.1\n\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse("GET / HTTP/1.1\r\nno colon\r\n\r\n", &r),
	    HTTP_BAD);
	ck_assert_int_eq(parse("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
	    &r), HTTP_BAD);
	ck_assert_int_eq(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", &r), HTTP_BAD);
	ck_assert_int_eq(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n", &r), HTTP_UNSUPPORTED);
	memset(big, 'a', sizeof big);
	memcpy(big, "GET /", 5);
	ck_assert_int_eq(http_parse(big, sizeof big, 8192, &r,
	    &(const char *){ NULL }), HTTP_TOO_LONG);
}
END_TEST

static struct scenario *
web_scenario(const char *model)
{
	static const char text[] = "[server]\nrender = 2ms\ntimeout = 1s\n"
	    "[visitors]\npages = 10\nrate = 50\nuploads = 1\n"
	    "upload_time = 300ms\nupload_start = 50ms\nupload_size = 64k\n";
	struct scenario	*s;
	char		*cause = NULL, set[64];

	s = scenario_parse("web.scn", text, strlen(text), &cause);
	ck_assert_msg(s != NULL, "%s", cause);
	snprintf(set, sizeof set, "server.model=%s", model);
	ck_assert_int_eq(scenario_set(s, set, &cause), 0);
	return (s);
}

START_TEST(test_web_keys)
{
	struct scenario	*s;
	char		*cause = NULL;

	s = web_scenario("threads:3");
	ck_assert_int_eq(s->web.model, WEB_THREADS);
	ck_assert_uint_eq(s->web.threads, 3);
	ck_assert_int_eq(scenario_set(s, "server.model=threads:0", &cause),
	    -1);
	ck_assert_ptr_nonnull(strstr(cause, "expected sync, threads:N"));
	free(cause);
	ck_assert_int_eq(scenario_set(s, "server.modle=sync", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "did you mean 'server.model'"));
	free(cause);
	ck_assert_int_eq(scenario_set(s, "visitors.upload_size=2M", &cause),
	    0);
	ck_assert_uint_eq(s->web.upload_size, 2 << 20);
	scenario_free(s);
	ck_assert_ptr_null(scenario_parse("x.scn", "[server]\nlisten = "
	    "1.2.3:80\n", 24, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "x.scn:2:"));
	free(cause);
}
END_TEST

/* A run of each model: every visit answered, no descriptor left. */
START_TEST(test_web_models)
{
	static const char *const models[] = { "sync", "threads:4", "async" };
	struct web_figures	 f;
	struct web_run		*w;
	char			*cause = NULL;
	int			 fds;

	fds = count_fds();
	w = web_create(web_scenario(models[_i]), &cause);
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(web_start(w, &cause), 0);
	while (!web_tick(w))
		usleep(5000);
	web_finish(w, &f);
	web_destroy(w);
	ck_assert_msg(f.complete, "%s: %u pages, %u uploads, %llu errors",
	    models[_i], f.pages, f.uploads, (unsigned long long)f.errors);
	ck_assert_uint_eq(f.served_pages, 10);
	ck_assert_uint_eq(f.served_uploads, 1);
	ck_assert(f.p50 > 0 && f.p50 <= f.p95 && f.p95 <= f.p99 &&
	    f.p99 <= f.max);
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

/* Stopped mid-run, with an upload on the wire: nothing left either. */
START_TEST(test_web_stop_early)
{
	static const char *const models[] = { "sync", "threads:2", "async" };
	struct web_figures	 f;
	struct web_run		*w;
	char			*cause = NULL;
	int			 fds;

	fds = count_fds();
	w = web_create(web_scenario(models[_i]), &cause);
	ck_assert_int_eq(web_start(w, &cause), 0);
	usleep(150000);
	web_tick(w);
	web_finish(w, &f);
	web_destroy(w);
	ck_assert_int_eq(count_fds(), fds);
}
END_TEST

static Suite *
web_suite(void)
{
	Suite	*s = suite_create("web");
	TCase	*tc = tcase_create("http");

	tcase_add_test(tc, test_http_get);
	tcase_add_test(tc, test_http_post);
	tcase_add_test(tc, test_http_incomplete);
	tcase_add_test(tc, test_http_bad);
	tcase_add_test(tc, test_web_keys);
	suite_add_tcase(s, tc);
	tc = tcase_create("runs");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_web_models, 0, 3);
	tcase_add_loop_test(tc, test_web_stop_early, 0, 3);
	suite_add_tcase(s, tc);
	return (s);
}

CHECK_MAIN(web_suite)
