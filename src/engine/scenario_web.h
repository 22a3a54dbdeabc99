/*
 * scenario_web.h: the keys of [server] and [visitors], the lecture's web
 * server and its clients. Rows of scn_keys, kept apart from the
 * dishwashing keys.
 */
#ifndef DISHRACK_SCENARIO_WEB_H
#define DISHRACK_SCENARIO_WEB_H

#include <netinet/in.h>

#include "scenario.h"

void	scenario_web_defaults(struct scn_web *);
void	scenario_web_free(struct scn_web *);

/* "127.0.0.1:8080" into sin; 0, or -1 with *why allocated. */
int	scenario_web_addr(const char *, struct sockaddr_in *, char **why);

/* "threads:4" and the like, for reports: buf of len bytes. */
const char *scenario_web_model(const struct scn_web *, char *buf, size_t len);

int	set_web_model(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_listen(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_render(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_work(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_timeout(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_clients(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_max_header(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_max_body(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_pages(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_rate(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_uploads(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_upload_size(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_upload_time(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_upload_start(struct scenario *, struct station *, const char *,
	    char **);
int	set_web_patience(struct scenario *, struct station *, const char *,
	    char **);

extern const char *const web_work_choices[];
extern const char *const web_clients_choices[];

#endif
