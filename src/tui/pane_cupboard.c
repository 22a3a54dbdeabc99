/*
 * pane_cupboard.c: the race in the cupboard, drawn from its events (the
 * engine says who read which count, who wrote what back, and what a write
 * went over): on a worker's row, the count it read while it puts the dish
 * away; in the last station's box, the latest lost update in words, "dryer-1
 * read 4, dryer-2 read 4, both wrote 5: one update lost".
 *
 * DESIGN: events come ring by ring, so the write a lost update went over
 * may be folded in after the loss itself. The loss keeps only its own
 * worker's figures (read, over); whose write it went over is looked up in
 * the writes kept when the sentence is drawn, by then all folded in.
 */
#include "config.h"

#include "tui_private.h"
#include "i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define CUP_WRITES	64	/* writes kept, to find whose was overwritten */

struct cupview {
	unsigned	 nslots;
	int32_t		*read;		/* per slot: the count read, or -1 */
	int32_t		*last_read;	/* per slot: its last read, kept */
	struct {
		uint32_t slot;
		int32_t	 read, wrote;
	}		 writes[CUP_WRITES];
	unsigned	 nwrites;	/* ever; the last CUP_WRITES kept */
	int		 have_loss;
	uint32_t	 loss_slot;
	int32_t		 loss_read;	/* it read this */
	int32_t		 loss_over;	/* and wrote read + 1 over this */
	int64_t		 loss_t;
	unsigned	 losses;	/* lost updates seen, in all */
};

void
tui_cupboard_reset(struct tui *t)
{
	if (t->cup != NULL) {
		free(t->cup->read);
		free(t->cup->last_read);
		free(t->cup);
		t->cup = NULL;
	}
}

void
tui_cupboard_event(struct tui *t, const struct event *ev)
{
	struct cupview	*c;
	unsigned	 i;

	if (ev->worker == EV_ENGINE || (ev->kind != EV_CUP_READ &&
	    ev->kind != EV_CUP_WROTE && ev->kind != EV_CUP_LOST))
		return;
	if (t->cup == NULL) {
		c = t->cup = xcalloc(1, sizeof *t->cup);
		c->nslots = engine_run(t->eng)->nslots;
		c->read = xreallocarray(NULL, c->nslots, sizeof *c->read);
		c->last_read = xreallocarray(NULL, c->nslots,
		    sizeof *c->last_read);
		for (i = 0; i < c->nslots; i++)
			c->read[i] = c->last_read[i] = -1;
	}
	c = t->cup;
	if (ev->worker >= c->nslots)
		return;
	switch (ev->kind) {
	case EV_CUP_READ:
		c->read[ev->worker] = c->last_read[ev->worker] = ev->arg;
		break;
	case EV_CUP_LOST:
		c->have_loss = 1;
		c->loss_slot = ev->worker;
		c->loss_read = c->last_read[ev->worker];
		c->loss_over = ev->arg;
		c->loss_t = ev->t;
		if (ev->arg > c->loss_read)
			c->losses += (unsigned)(ev->arg - c->loss_read);
		break;
	case EV_CUP_WROTE:
		c->read[ev->worker] = -1;
		i = c->nwrites++ % CUP_WRITES;
		c->writes[i].slot = ev->worker;
		c->writes[i].read = c->last_read[ev->worker];
		c->writes[i].wrote = ev->arg;
		break;
	}
}

/* The count w read and has not written back yet, or -1. */
int
tui_cupboard_reading(struct tui *t, const struct wslot *w)
{
	if (t->cup == NULL || w->id >= t->cup->nslots)
		return (-1);
	return (t->cup->read[w->id]);
}

/*
 * The latest lost update in words, as wide as room allows (three forms,
 * the whole story first). Returns 0 if there is none.
 */
static int
tui_cupboard_words(struct tui *t, char *buf, size_t len, int form)
{
	struct cupview	*c = t->cup;
	struct run	*run = engine_run(t->eng);
	const char	*me, *other = NULL;
	int32_t		 r, over, n;
	unsigned	 i, k;

	if (c == NULL || !c->have_loss || c->loss_slot >= atomic_load(&run->used))
		return (0);
	me = run->slots[c->loss_slot].name;
	r = c->loss_read;
	over = c->loss_over;
	n = over - r;
	/* Whose write it went over: the latest kept that wrote that count. */
	for (k = 0; k < CUP_WRITES && k < c->nwrites; k++) {
		i = (c->nwrites - 1 - k) % CUP_WRITES;
		if (c->writes[i].wrote == over &&
		    c->writes[i].slot != c->loss_slot &&
		    c->writes[i].slot < atomic_load(&run->used)) {
			other = run->slots[c->writes[i].slot].name;
			/* Read the same: the textbook overlap. */
			if (c->writes[i].read != r)
				other = n == 1 ? other : NULL;
			break;
		}
	}
	if (n == 1 && other != NULL && form == 0)
		snprintf(buf, len, _("%.1fs: %s read %d, %s read %d, both wrote "
		    "%d: one update lost"), (double)c->loss_t / 1e9, other, r,
		    me, r, r + 1);
	else if (n == 1 && other != NULL && form == 1)
		snprintf(buf, len, _("%s and %s both read %d, wrote %d: 1 lost"),
		    other, me, r, r + 1);
	else if (form == 0)
		snprintf(buf, len, P_("%.1fs: %s read %d, wrote %d over %d: %d "
		    "update lost", "%.1fs: %s read %d, wrote %d over %d: %d "
		    "updates lost", (unsigned long)n), (double)c->loss_t / 1e9,
		    me, r, r + 1, over, n);
	else if (form == 1)
		snprintf(buf, len, _("%s read %d, wrote %d over %d: %d lost"), me,
		    r, r + 1, over, n);
	else
		snprintf(buf, len, _("read %d twice: %d lost"), r, n);
	return (1);
}

/*
 * In the last station's box, on its free rows from y to the row before
 * ye: the latest lost update, wrapped if need be, ending just above ye.
 */
void
tui_draw_cupboard(struct tui *t, const struct rect *r, int y, int ye)
{
	char	 text[256], lines[4][160];
	int	 form, n = 0, k, room = r->w - 4, rows = ye - y;

	if (rows < 1 || room < 12)
		return;
	for (form = 0; form < 3; form++) {
		if (!tui_cupboard_words(t, text, sizeof text, form))
			return;
		if ((n = tui_wrap(text, room, lines, 4)) <= rows &&
		    (n == 1 || form == 0))
			break;
	}
	if (form == 3)
		return;
	attron(tui_attr(t, C_BAD));
	for (k = 0; k < n; k++)
		tui_puts(ye - n + k, r->x + 2, room, lines[k]);
	attroff(tui_attr(t, C_BAD));
}
