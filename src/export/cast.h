/*
 * cast.h: --cast FILE: the screen as an asciicast v2 file (asciinema 2),
 * each frame an "o" event of the rows that changed, each caption or
 * pause of the script an "m" marker. Times are real seconds since the
 * cast began, as the screen showed them.
 */
#ifndef DISHRACK_CAST_H
#define DISHRACK_CAST_H

#include <stddef.h>

#include "tap.h"

struct cast;
struct scenario;

struct cast	*cast_open(const char *path, const char *title, char **cause);

/* A frame (the shape of tui_frame_fn). */
void		 cast_frame(void *, const char *, size_t, int cols, int rows);

/* The cast as a tap: the markers. scn: the run's, for the captions. */
void		 cast_tap(struct cast *, const struct scenario *, struct tap *);

int		 cast_close(struct cast *, char **cause);

#endif
