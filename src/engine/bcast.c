/*
 * bcast.c: the topics of a broadcast and how subscriptions match them,
 * shared by every home of the broadcast rack.
 */
#include "config.h"

#include "bcast.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "xmalloc.h"

static int	topics_find_or_add(struct bcast_topics *, const char *);

size_t
bcast_topics_extra(const struct scenario *scn)
{
	if (!scn->broadcast || scn->pick != PICK_DISH)
		return (0);
	return ((size_t)scn->ndishes * sizeof(uint16_t));
}

/* The index of a topic name, added if new; -1 if the table is full. */
static int
topics_find_or_add(struct bcast_topics *t, const char *name)
{
	unsigned	i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->name[i], name) == 0)
			return ((int)i);
	}
	if (t->n == BCAST_MAX_TOPICS)
		return (-1);
	snprintf(t->name[t->n], sizeof t->name[0], "%s", name);
	return ((int)t->n++);
}

int
bcast_topics_init(struct bcast_topics *t, const struct scenario *scn,
    uint16_t *of_dish, char **cause)
{
	char		buf[96], where[1100];
	const char	*name;
	uint64_t	i;
	int		id;

	memset(t, 0, sizeof *t);
	t->pick = scn->pick;
	t->seed = scn->seed;
	t->ndishes = scn->ndishes;
	scenario_where(scn, &scn->topics_pos, where, sizeof where);
	if (scn->pick == PICK_DISH) {
		t->of_dish = of_dish;
		for (i = 0; i < scn->ndishes; i++) {
			name = scenario_dish_name(scn, i, buf, sizeof buf);
			if ((id = topics_find_or_add(t, name)) == -1) {
				xasprintf(cause, _("%s: pick = dish: more than "
				    "%d different dish names (each is a "
				    "topic)"), scn->file, BCAST_MAX_TOPICS);
				return (-1);
			}
			of_dish[i] = (uint16_t)id;
		}
		return (0);
	}
	if (scn->ntopics == 0) {
		xasprintf(cause, _("%s: a broadcast needs topics to pick from: "
		    "[rack] topics = A, B, ... (or pick = dish)"), where);
		return (-1);
	}
	for (i = 0; i < scn->ntopics; i++) {
		/* SCN_MAX_TOPICS entries cannot fill BCAST_MAX_TOPICS. */
		id = topics_find_or_add(t, scn->topics[i]);
		t->list[t->nlist++] = (uint16_t)id;
	}
	return (0);
}

/* A mix of the seed and the message, for a pick that repeats by seed. */
static uint64_t
bcast_hash(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return (x ^ (x >> 31));
}

unsigned
bcast_topic_of(const struct bcast_topics *t, dish_t d)
{
	switch (t->pick) {
	case PICK_DISH:
		return (d < t->ndishes ? t->of_dish[d] : 0);
	case PICK_ORDER:
		return (t->list[d % t->nlist]);
	default:
		return (t->list[bcast_hash(t->seed * 0x100000001B3ULL ^ d) %
		    t->nlist]);
	}
}

int
bcast_match(const char *pattern, const char *topic)
{
	size_t	n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return (strncmp(pattern, topic, n - 1) == 0);
	return (strcmp(pattern, topic) == 0);
}

void
bcast_mask(const struct bcast_topics *t, const struct station *st,
    uint64_t mask[BCAST_MASK_WORDS])
{
	unsigned	i, j;

	memset(mask, 0, BCAST_MASK_WORDS * sizeof mask[0]);
	for (i = 0; i < t->n; i++) {
		if (st->nsubscribe == 0) {
			mask[i / 64] |= 1ULL << (i % 64);
			continue;
		}
		for (j = 0; j < st->nsubscribe; j++) {
			if (bcast_match(st->subscribe[j], t->name[i])) {
				mask[i / 64] |= 1ULL << (i % 64);
				break;
			}
		}
	}
}

void
bcast_render(const char *tmpl, const char *topic, const char *dish,
    const char *worker, char *buf, size_t len)
{
	static const struct {
		const char	*word;
		size_t		 n;
	} words[] = { { "{dish}", 6 }, { "{worker}", 8 }, { "{topic}", 7 } };
	const char	*p, *v, *vals[3] = { dish, worker, topic };
	size_t		 o = 0, n, k;

	if (len == 0)
		return;
	for (p = tmpl; *p != '\0' && o + 1 < len; p++) {
		v = NULL;
		for (k = 0; k < 3; k++) {
			if (strncmp(p, words[k].word, words[k].n) == 0) {
				v = vals[k];
				p += words[k].n - 1;
				break;
			}
		}
		if (v == NULL) {
			buf[o++] = *p;
			continue;
		}
		n = strlen(v);
		if (n > len - 1 - o)
			n = len - 1 - o;
		memcpy(buf + o, v, n);
		o += n;
	}
	buf[o] = '\0';
}

int
bcast_check(const struct scenario *scn, char **cause)
{
	char		where[1100];
	unsigned	i;

	for (i = 0; i < scn->nstations && !scn->broadcast; i++) {
		if (scn->stations[i].nsubscribe == 0)
			continue;
		scenario_where(scn, &scn->stations[i].subscribe_pos, where,
		    sizeof where);
		xasprintf(cause, _("%s: [%s] subscribe needs a broadcast rack "
		    "([rack] kind = broadcast)"), where, scn->stations[i].name);
		return (-1);
	}
	if (!scn->broadcast)
		return (0);
	scenario_where(scn, &scn->kind_pos, where, sizeof where);
	if (scn->nstations < 2) {
		xasprintf(cause, _("%s: a broadcast needs a publisher and, "
		    "after it, a station of subscribers"), where);
		return (-1);
	}
	if (scn->pick != PICK_DISH && scn->ntopics == 0) {
		scenario_where(scn, &scn->topics_pos, where, sizeof where);
		xasprintf(cause, _("%s: a broadcast needs topics to pick from: "
		    "[rack] topics = A, B, ... (or pick = dish)"), where);
		return (-1);
	}
	if (scn->stations[0].nsubscribe > 0) {
		scenario_where(scn, &scn->stations[0].subscribe_pos, where,
		    sizeof where);
		xasprintf(cause, _("%s: [%s] is the publisher (the first "
		    "station): it subscribes to nothing"), where,
		    scn->stations[0].name);
		return (-1);
	}
	for (i = 0; i < scn->nstations; i++) {
		if (scn->stations[i].agents_only) {
			xasprintf(cause, _("%s: [%s] where = agents: a "
			    "broadcast's subscribers run in this program"),
			    where, scn->stations[i].name);
			return (-1);
		}
		if (i > 0 && scenario_rack(scn, i) == 0) {
			xasprintf(cause, _("%s: a broadcast has no hand-off: "
			    "rack = 0 in front of [%s]; give a high-water mark "
			    "or unbounded"), where, scn->stations[i].name);
			return (-1);
		}
	}
	return (0);
}
