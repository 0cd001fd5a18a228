/*
 * history.c - the event log: every event the model folds, numbered in the
 * order folded, the newest MODEL_LOG kept in a ring, each with the little
 * the fold knew before it that the event does not carry (model.h:
 * struct model_log_entry), so that say.c can tell it later as it was.
 *
 * Names are looked up when an entry is told, not copied into it (that
 * would triple its size): a thread's slot names it while the slot is the
 * same thread's (the entry is no older than the slot's first event), and
 * the names of recycled slots are kept in a small ring of their own for
 * the entries older than that.  Objects keep their ids for the whole run,
 * so their slots name them while they have one.
 */
#include "config.h"

#include "model/model-int.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void
history_entry(const struct ls_event *e, const struct model_thread *t,
	      const struct model_object *o, struct model_log_entry *out)
{
	/* Field by field: this runs for every event, into a cold line. */
	out->e = *e;
	out->holder = o ? (uint16_t)o->owner : 0;
	out->readers = o ? (uint16_t)(o->nreaders < UINT16_MAX ? o->nreaders
							       : UINT16_MAX)
			 : 0;
	out->flags = t && e->obj && t->waiting_for == e->obj
			     ? MODEL_LOG_WAITED
			     : 0;
	out->unused = 0;
}

void
history_push(struct model *m, const struct ls_event *e,
	     const struct model_thread *t, const struct model_object *o)
{
	history_entry(e, t, o, &m->log[m->log_end % MODEL_LOG]);
	m->log_end++;
}

uint64_t
history_first(const struct model *m)
{
	return m->log_end > MODEL_LOG ? m->log_end - MODEL_LOG : 0;
}

const struct model_log_entry *
history_get(const struct model *m, uint64_t i)
{
	if (i < history_first(m) || i >= m->log_end)
		return NULL;
	return &m->log[i % MODEL_LOG];
}

size_t
history_recent(const struct model *m, struct ls_event *out, size_t max)
{
	uint64_t kept = m->log_end - history_first(m);
	size_t n = max < kept ? max : (size_t)kept, i;

	for (i = 0; i < n; i++)
		out[i] = history_get(m, m->log_end - n + i)->e;
	return n;
}

/* The newest name kept for tid's life that began at or before ts (any,
 * for ts UINT64_MAX), or NULL. */
static const struct model_retired *
history_retired(const struct model *m, unsigned tid, uint64_t ts)
{
	const struct model_retired *r;
	unsigned i, k;

	k = m->nretired < MODEL_RETIRED ? m->nretired : MODEL_RETIRED;
	for (i = 0; i < k; i++) {
		r = &m->retired[(m->nretired - 1 - i) % MODEL_RETIRED];
		if (r->tid == tid && r->first_ts <= ts)
			return r;
	}
	return NULL;
}

void
history_retire(struct model *m, const struct model_thread *t)
{
	const struct model_retired *k;
	struct model_retired *r;

	if (!t->name[0])
		return;
	/* Once per life: a rename (a reused tid) keeps the old name, and the
	 * restart that follows must not keep the new one for it. */
	k = history_retired(m, t->tid, UINT64_MAX);
	if (k && k->first_ts == t->first_ts)
		return;
	r = &m->retired[m->nretired++ % MODEL_RETIRED];
	r->tid = t->tid;
	r->first_ts = t->first_ts;
	memcpy(r->name, t->name, sizeof(r->name));
}

void
history_thread_name(const struct model *m, unsigned tid, uint64_t ts,
		    char *buf, size_t n)
{
	const struct model_thread *t = model_thread(m, tid);
	const struct model_retired *r = history_retired(m, tid, ts);

	/*
	 * The slot names ts if its thread had begun by then, unless its
	 * name was kept for this very life: renamed for a reused tid, and
	 * not yet restarted by the new thread's start (model.c).
	 */
	if (t && t->name[0] && (!t->events || ts >= t->first_ts) &&
	    !(r && t->events && r->first_ts >= t->first_ts))
		snprintf(buf, n, "%s", t->name);
	else if (r)
		snprintf(buf, n, "%s", r->name);
	else
		snprintf(buf, n, "T%u", tid);
}
