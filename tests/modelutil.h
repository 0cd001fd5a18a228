/*
 * modelutil.h - what the model's Check suites share: a model per test (each
 * test runs in its own process, as Check forks, so the feeder may be
 * static), a feeder of hand-built events that checks the model's
 * invariants after every one, and short lookups that fail the test.
 * Include after checkutil.h.
 */
#ifndef LOCKSTEP_MODELUTIL_H
#define LOCKSTEP_MODELUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/event.h"
#include "model/model.h"


/* The model, the clock of the hand-built events and each tid's next
 * sequence number. */
#define FEED_TIDS 4096

static struct model *M;
static uint64_t feed_ts;
static uint32_t feed_seq[FEED_TIDS];

static inline void
setup(void)
{
	M = malloc(sizeof(*M));
	ck_assert_ptr_nonnull(M);
	model_init(M);
	feed_ts = 1000000;
	memset(feed_seq, 0, sizeof(feed_seq));
}

static inline void
teardown(void)
{
	free(M);
	M = NULL;
}

/*
 * What must hold after every event, whatever was fed: owners and readers
 * hold what they own, waiters are blocked threads waiting for that very
 * object, and a blocked thread's wait is listed.  Returns NULL or what
 * is wrong.
 */
static inline const char *
model_consistent(const struct model *m)
{
	static char why[160];
	unsigned i, j;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];
		const struct model_thread *t;

		if (!o->used)
			continue;
		if (model_object(m, o->id) != o)
			return "object index does not find a used object";
		if (o->nwaiting < o->nwaiters)
			return "fewer waiting than listed";
		if (o->owner && (t = model_thread(m, o->owner)) &&
		    t->state != LS_STATE_DONE && t->nheld < MODEL_MAX_HELD) {
			for (j = 0; j < t->nheld; j++)
				if (t->held[j] == o->id)
					break;
			if (j == t->nheld) {
				snprintf(why, sizeof(why),
					 "owner T%u of %u does not hold it",
					 o->owner, o->id);
				return why;
			}
		}
		for (j = 0; j < o->nreaders; j++) {
			t = model_thread(m, o->readers[j]);
			if (t && o->owner)
				return "readers beside a writer";
		}
		for (j = 0; j < o->nwaiters; j++) {
			t = model_thread(m, o->waiters[j].tid);
			if (!t || t->waiting_for != o->id ||
			    t->state != LS_STATE_BLOCKED) {
				snprintf(why, sizeof(why),
					 "waiter T%u of %u is not blocked on it",
					 o->waiters[j].tid, o->id);
				return why;
			}
			if (j && o->waiters[j].since < o->waiters[j - 1].since)
				return "waiters out of order";
		}
	}
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &m->threads[i];
		const struct model_object *o;

		if (!t->used)
			continue;
		if (model_thread(m, t->tid) != t)
			return "thread index does not find a used thread";
		if (t->waiting_for && t->state != LS_STATE_BLOCKED)
			return "waiting but not blocked";
		if (t->waiting_for && (o = model_object(m, t->waiting_for)) &&
		    o->nwaiters < MODEL_MAX_WAITERS) {
			for (j = 0; j < o->nwaiters; j++)
				if (o->waiters[j].tid == t->tid)
					break;
			if (j == o->nwaiters)
				return "a wait missing from its queue";
		}
	}
	return NULL;
}

/* Feed one hand-built event from tid, 1 us after the previous one, with
 * the next seq of tid, and check the invariants. */
static inline void
feed(unsigned tid, unsigned kind, uint32_t obj, uint64_t arg, uint32_t aux)
{
	struct ls_event e = {
		.ts = feed_ts += 1000,
		.arg = arg,
		.seq = feed_seq[tid]++,
		.obj = obj,
		.tid = (uint16_t)tid,
		.kind = (uint16_t)kind,
		.aux = aux,
	};
	const char *why;

	ck_assert_uint_lt(tid, FEED_TIDS);
	model_apply(M, &e);
	why = model_consistent(M);
	ck_assert_msg(!why, "after %s by T%u: %s", ls_event_kind_name(kind),
		      tid, why);
}

static inline const struct model_thread *
thr(unsigned tid)
{
	const struct model_thread *t = model_thread(M, tid);

	ck_assert_msg(t != NULL, "no thread T%u", tid);
	return t;
}

static inline const struct model_object *
obj(uint32_t id)
{
	const struct model_object *o = model_object(M, id);

	ck_assert_msg(o != NULL, "no object %u", id);
	return o;
}

static inline bool
holds(unsigned tid, uint32_t id)
{
	const struct model_thread *t = thr(tid);
	unsigned i;

	for (i = 0; i < t->nheld; i++)
		if (t->held[i] == id)
			return true;
	return false;
}

/* Assert the waiter queue of id is exactly the tids given, in order. */
static inline void
assert_waiters(uint32_t id, unsigned n, const unsigned *tids)
{
	const struct model_object *o = obj(id);
	unsigned i;

	ck_assert_uint_eq(o->nwaiters, n);
	ck_assert_uint_eq(o->nwaiting, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(o->waiters[i].tid, tids[i]);
}

static inline void
assert_in_bucket(uint64_t got, uint64_t want)
{
	unsigned gb = got ? 63u - (unsigned)__builtin_clzll(got) : 0;
	unsigned wb = want ? 63u - (unsigned)__builtin_clzll(want) : 0;

	ck_assert_msg(gb == wb, "%llu is not in the bucket of %llu",
		      (unsigned long long)got, (unsigned long long)want);
}

/* Object ids the suites use. */
enum { MU = 1, RW = 2, Q = 3, POOL = 4, SEM = 5, MU2 = 6 };

#endif
