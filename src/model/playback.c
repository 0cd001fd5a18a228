/*
 * playback.c - a recording folded into a model at any position
 * (playback.h).
 *
 * The file is read once, checked whole by the reader, into two arrays:
 * the events, and the rest ("sides": names, drop counts, the start of a
 * run), each side stamped with how many events came before it.  The
 * state at position k is every side stamped below k and events 0..k-1,
 * so a name that came just before event k is handed over with it, as the
 * feed does.  Snapshots are whole copies of the model (it is one flat
 * struct, about 2.3 MiB), taken at multiples of `every` as the fold first
 * passes them.
 */
#include "config.h"

#include "model/playback.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

#define TICK_NS 1000000000ull

enum pb_side_kind {
	PB_THREAD = 1,
	PB_OBJECT,
	PB_DROPPED,
	PB_RUN,		/* a "target" meta record: a fresh model */
};

struct pb_side {
	size_t at;		/* events before it */
	unsigned kind;		/* enum pb_side_kind */
	uint32_t id;
	unsigned obj_kind;
	uint64_t dropped;
	char name[LS_NAME_MAX + 1];
};

struct pb_run {
	size_t at;		/* its first event */
	char target[RECORD_META_MAX + 1];
	char params[RECORD_META_MAX + 1];
};

/* Where a fold stands, besides the model itself. */
struct pb_cursor {
	size_t pos;		/* events folded */
	size_t side;		/* sides handed over */
	uint64_t next_tick;	/* the next metrics tick, 0: at the next event */
};

struct pb_snapshot {
	struct pb_cursor at;
	struct model m;
};

struct playback {
	struct ls_event *ev;
	size_t n, cap;
	struct pb_side *side;
	size_t nside, side_cap;
	struct pb_run *run;
	size_t nrun, run_cap;
	char broken[RECORD_META_MAX + 1];
	struct pb_cursor cur;
	size_t every;		/* events between snapshots */
	struct pb_snapshot *snap[PLAYBACK_SNAPSHOTS + 1];
};

/* Room for one more of an array's elements.  Returns 0 or -ENOMEM. */
static int
pb_grow(void **a, size_t *cap, size_t used, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 256;
	void *na;

	if (used < *cap)
		return 0;
	na = realloc(*a, ncap * size);
	if (!na)
		return -ENOMEM;
	*a = na;
	*cap = ncap;
	return 0;
}

/* One item read from the file, into the arrays. */
static int
pb_add(struct playback *p, const struct record_item *it)
{
	struct pb_side *s;
	struct pb_run *r;

	if (it->kind == RECORD_EVENT) {
		if (pb_grow((void **)&p->ev, &p->cap, p->n, sizeof(*p->ev)))
			return -ENOMEM;
		p->ev[p->n++] = it->ev;
		return 0;
	}
	if (it->kind == RECORD_META && !strcmp(it->key, "broken")) {
		snprintf(p->broken, sizeof(p->broken), "%s", it->value);
		return 0;
	}
	if (it->kind == RECORD_META && !strcmp(it->key, "params")) {
		if (p->nrun)
			snprintf(p->run[p->nrun - 1].params,
				 sizeof(p->run->params), "%s", it->value);
		return 0;
	}
	if (it->kind == RECORD_META && strcmp(it->key, "target"))
		return 0;
	if (pb_grow((void **)&p->side, &p->side_cap, p->nside,
		    sizeof(*p->side)))
		return -ENOMEM;
	s = &p->side[p->nside++];
	memset(s, 0, sizeof(*s));
	s->at = p->n;
	s->id = it->id;
	switch (it->kind) {
	case RECORD_THREAD:
		s->kind = PB_THREAD;
		snprintf(s->name, sizeof(s->name), "%s", it->name);
		break;
	case RECORD_OBJECT:
		s->kind = PB_OBJECT;
		s->obj_kind = it->obj_kind;
		snprintf(s->name, sizeof(s->name), "%s", it->name);
		break;
	case RECORD_DROPPED:
		s->kind = PB_DROPPED;
		s->dropped = it->dropped;
		break;
	default:	/* "target" */
		s->kind = PB_RUN;
		if (pb_grow((void **)&p->run, &p->run_cap, p->nrun,
			    sizeof(*p->run)))
			return -ENOMEM;
		r = &p->run[p->nrun++];
		memset(r, 0, sizeof(*r));
		r->at = p->n;
		snprintf(r->target, sizeof(r->target), "%s", it->value);
		break;
	}
	return 0;
}

int
playback_open(const char *path, struct playback **out, char *err, size_t n)
{
	struct record_reader *r = NULL;
	struct playback *p;
	struct record_item *it = malloc(sizeof(*it));
	int rc;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p || !it) {
		snprintf(err, n, "%s: out of memory", path);
		rc = -ENOMEM;
		goto fail;
	}
	rc = record_reader_open(path, &r, err, n);
	if (rc)
		goto fail;
	while ((rc = record_read(r, it, err, n)) > 0) {
		rc = pb_add(p, it);
		if (rc) {
			snprintf(err, n, "%s: out of memory", path);
			goto fail;
		}
	}
	if (rc)
		goto fail;
	p->every = p->n / PLAYBACK_SNAPSHOTS + 1;
	if (p->every < PLAYBACK_SNAPSHOT_MIN)
		p->every = PLAYBACK_SNAPSHOT_MIN;
	record_reader_close(r);
	free(it);
	*out = p;
	return 0;
fail:
	record_reader_close(r);
	playback_close(p);
	free(it);
	return rc;
}

void
playback_close(struct playback *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i <= PLAYBACK_SNAPSHOTS; i++)
		free(p->snap[i]);
	free(p->ev);
	free(p->side);
	free(p->run);
	free(p);
}

size_t
playback_events(const struct playback *p)
{
	return p->n;
}

uint64_t
playback_ts(const struct playback *p, size_t i)
{
	return i < p->n ? p->ev[i].ts : 0;
}

uint64_t
playback_first_ts(const struct playback *p)
{
	return playback_ts(p, 0);
}

/* The run event i belongs to, or NULL when the recording names none. */
static const struct pb_run *
pb_run_of(const struct playback *p, size_t i)
{
	size_t k = p->nrun;

	while (k > 1 && p->run[k - 1].at > i)
		k--;
	return k ? &p->run[k - 1] : NULL;
}

uint64_t
playback_run_start(const struct playback *p, size_t i)
{
	const struct pb_run *r = pb_run_of(p, i);

	/* A run's first event, or the recording's when the run has none. */
	if (r && r->at < p->n)
		return p->ev[r->at].ts;
	return playback_first_ts(p);
}

size_t
playback_position_at(const struct playback *p, uint64_t ts)
{
	size_t lo = 0, hi = p->n;

	/* The first event stamped after ts. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->ev[mid].ts <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *
playback_meta(const struct playback *p, size_t i, const char *key)
{
	const struct pb_run *r = pb_run_of(p, i);

	if (!strcmp(key, "broken"))
		return p->broken[0] ? p->broken : NULL;
	if (!r)
		return NULL;
	if (!strcmp(key, "target"))
		return r->target;
	if (!strcmp(key, "params"))
		return r->params;
	return NULL;
}

size_t
playback_position(const struct playback *p)
{
	return p->cur.pos;
}

/* Hand m the sides stamped at or below pos, as the feed hands names
 * before the events that follow them. */
static void
pb_sides(struct playback *p, struct model *m, size_t pos)
{
	for (; p->cur.side < p->nside && p->side[p->cur.side].at <= pos;
	     p->cur.side++) {
		const struct pb_side *s = &p->side[p->cur.side];

		switch (s->kind) {
		case PB_THREAD:
			model_name_thread(m, s->id, s->name);
			break;
		case PB_OBJECT:
			model_name_object(m, s->id, s->obj_kind, s->name);
			break;
		case PB_DROPPED:
			model_set_ring_dropped(m, s->dropped);
			break;
		case PB_RUN:
			model_init(m);
			p->cur.next_tick = 0;
			break;
		}
	}
}

/* Close the metrics windows that ended before ts, one a second of the
 * recording, as the live ui closes one a second. */
static void
pb_tick(struct playback *p, struct model *m, uint64_t ts)
{
	unsigned k = 0;

	if (!p->cur.next_tick)
		p->cur.next_tick = ts + TICK_NS;
	while (ts >= p->cur.next_tick && k++ < 2) {
		model_tick(m, p->cur.next_tick);
		p->cur.next_tick += TICK_NS;
	}
	/* A long quiet stretch: two empty windows said all there is. */
	if (ts >= p->cur.next_tick)
		p->cur.next_tick = ts - (ts - p->cur.next_tick) % TICK_NS +
				   TICK_NS;
}

/* Keep the state at cur.pos, a multiple of every, if not kept yet.  A
 * snapshot that cannot be allocated is only a slower step back. */
static void
pb_snapshot_take(struct playback *p, const struct model *m)
{
	size_t j = p->cur.pos / p->every;

	if (!j || j > PLAYBACK_SNAPSHOTS || p->snap[j])
		return;
	p->snap[j] = malloc(sizeof(*p->snap[j]));
	if (!p->snap[j])
		return;
	p->snap[j]->at = p->cur;
	memcpy(&p->snap[j]->m, m, sizeof(*m));
}

/* Start m at the latest state kept at or before position k. */
static void
pb_restore(struct playback *p, struct model *m, size_t k)
{
	size_t j = k / p->every;

	if (j > PLAYBACK_SNAPSHOTS)
		j = PLAYBACK_SNAPSHOTS;
	while (j && !p->snap[j])
		j--;
	if (j) {
		p->cur = p->snap[j]->at;
		memcpy(m, &p->snap[j]->m, sizeof(*m));
		return;
	}
	memset(&p->cur, 0, sizeof(p->cur));
	model_init(m);
}

size_t
playback_seek(struct playback *p, struct model *m, size_t k)
{
	if (k > p->n)
		k = p->n;
	/* Ahead: go on from here.  Behind, or at the start (m may be any
	 * model the first time): from the latest snapshot. */
	if (k < p->cur.pos || !p->cur.pos)
		pb_restore(p, m, k);
	while (p->cur.pos < k) {
		const struct ls_event *e = &p->ev[p->cur.pos];

		if (!(p->cur.pos % p->every))
			pb_snapshot_take(p, m);
		pb_sides(p, m, p->cur.pos);
		pb_tick(p, m, e->ts);
		model_apply(m, e);
		p->cur.pos++;
	}
	/* The end: the drop count and names that came after the last
	 * event. */
	if (k == p->n)
		pb_sides(p, m, p->n);
	return k;
}
