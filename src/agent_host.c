/*
 * agent_host.c: dishrack agent's own part, whatever the run's home
 * (agent_host.h). The workers are real threads or processes here; every
 * event they make goes back to the run through the home, so its figures
 * and screen include them.
 */
#include "config.h"

#include "agent_host.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "i18n.h"
#include "safe.h"
#include "scenario.h"
#include "xmalloc.h"

volatile sig_atomic_t agent_signal;

void
agent_say(const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		line = NULL;
	va_end(ap);
	/* Addresses, the server's words and the run's answers are foreign. */
	fputs("dishrack agent: ", stderr);
	safe_fputs(line != NULL ? line : _("out of memory"), stderr);
	fputc('\n', stderr);
	free(line);
}

static void
agent_usage(const char *url_form)
{
	fprintf(stderr, _("usage: dishrack agent %s --station NAME [--count N] "
	    "[--mode threads|processes] [--name NAME]\n"), url_form);
}

int
agent_args(int argc, char **argv, const char *url_form, struct agent_args *a)
{
	static const struct option longopts[] = {
		{ "station", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long	 count;
	char		*end;
	int		 ch;

	memset(a, 0, sizeof *a);
	a->count = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			a->station = optarg;
			break;
		case 'c':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    count < 1 || count > ENGINE_AGENT_MAX) {
				agent_say(_("--count: expected 1 to %d, found "
				    "'%s'"), ENGINE_AGENT_MAX, optarg);
				return (2);
			}
			a->count = (unsigned)count;
			break;
		case 'm':
			if (strcmp(optarg, "threads") != 0 &&
			    strcmp(optarg, "processes") != 0) {
				agent_say(_("--mode: expected threads or "
				    "processes, found '%s'"), optarg);
				return (2);
			}
			a->mode = optarg;
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'h':
			agent_usage(url_form);
			return (0);
		default:
			agent_usage(url_form);
			return (2);
		}
	}
	if (optind != argc - 1 || a->station == NULL) {
		agent_usage(url_form);
		return (2);
	}
	a->url = argv[optind];
	return (-1);
}

static void
agent_on_signal(int sig)
{
	agent_signal = sig;
}

void
agent_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = agent_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
agent_host_name(const struct agent_args *a, char *host, size_t len)
{
	char	*dot;

	if (a->name != NULL) {
		snprintf(host, len, "%s", a->name);
		return;
	}
	if (gethostname(host, len) == -1)
		snprintf(host, len, "host");
	host[len - 1] = '\0';
	if ((dot = strchr(host, '.')) != NULL)
		*dot = '\0';
}

struct scenario *
agent_scenario(const char *file, const char *source, char *sets,
    const char *station, struct engine_agent *ag)
{
	struct scenario	*scn;
	char		*cause = NULL, *line, *save;

	if ((scn = scenario_parse(file, source, strlen(source),
	    &cause)) == NULL) {
		agent_say(_("the run's scenario: %s"), cause);
		free(cause);
		return (NULL);
	}
	for (line = sets != NULL ? strtok_r(sets, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (scenario_set(scn, line, &cause) == -1) {
			agent_say("%s", cause);
			free(cause);
			scenario_free(scn);
			return (NULL);
		}
	}
	if (scenario_station(scn, station) == NULL) {
		agent_say(_("the run has no station '%s'"), station);
		scenario_free(scn);
		return (NULL);
	}
	ag->station = (unsigned)(scenario_station(scn, station) -
	    scn->stations);
	return (scn);
}

void
agent_slots(char *text, unsigned count, struct engine_agent *ag)
{
	char		*save, *slot, *wname;
	unsigned	 i;

	for (i = 0; i < count; i++) {
		slot = strtok_r(i == 0 ? text : NULL, " ", &save);
		wname = strtok_r(NULL, " ", &save);
		if (slot == NULL || wname == NULL)
			break;
		ag->who[i] = (uint32_t)strtoul(slot, NULL, 10);
		snprintf(ag->names[i], sizeof ag->names[i], "%s", wname);
	}
	ag->count = i;
}

int
agent_run(struct scenario *scn, const struct agent_args *a, double speed,
    struct engine_agent *ag, const char *id, const char *shown,
    const struct agent_home *home, void *arg)
{
	struct engine_opts	 eo;
	struct engine		*eng;
	char			 line[512], *cause = NULL;
	int			 rc = 0, gone = 0;

	if (a->mode != NULL)
		scn->mode = strcmp(a->mode, "processes") == 0 ?
		    MODE_PROCESSES : MODE_THREADS;
	else if (scn->mode == MODE_ASYNC)
		scn->mode = MODE_THREADS;
	ag->url = a->url;
	memset(&eo, 0, sizeof eo);
	eo.speed = speed;
	eo.output_fd = STDOUT_FILENO;
	eo.agent = ag;
	agent_say(_("%u %s on %s, joined the run on %s"), ag->count,
	    scn->stations[ag->station].name, id, shown);
	if ((eng = engine_create(scn, &eo, &cause)) == NULL ||
	    engine_start(eng, &cause) == -1) {
		agent_say("%s", cause);
		free(cause);
		engine_destroy(eng);
		return (1);
	}
	while (!engine_finished(eng)) {
		if (agent_signal != 0 || gone)
			engine_stop(eng);
		if (engine_watchdog(eng))
			break;
		if (engine_outage_line(eng, line, sizeof line))
			agent_say("%s", line);
		engine_drain(eng, home->collect, arg);
		home->flush(arg);
		if (home->tick(arg, eng))
			gone = 1;
		clock_sleep_ns(5 * NSEC_PER_MSEC);
	}
	engine_wait(eng);
	engine_drain(eng, home->collect, arg);
	home->flush(arg);
	if (engine_error(eng) != NULL) {
		agent_say("%s", engine_error(eng));
		rc = 1;
	}
	if (gone)
		rc = 1;
	else if (agent_signal != 0)
		rc = 128 + agent_signal;
	engine_destroy(eng);
	return (rc);
}
