/*
 * timeline.c - each thread's past states, for the Timeline panel: a ring
 * of spans (a state and the ts it began), oldest first, the oldest
 * overwritten when it is full.  A span lasts until the next one starts;
 * the newest lasts until now.
 */
#include "config.h"

#include "model/model-int.h"

/* The span i places before the newest of t (i < t->nspans). */
static struct model_span *
timeline_newest(struct model_thread *t, unsigned i)
{
	return &t->spans[(t->span_head + t->nspans - 1 - i) % MODEL_SPANS];
}

void
timeline_push(struct model_thread *t, uint64_t ts, unsigned state)
{
	struct model_span *last;
	unsigned i;

	if (t->nspans) {
		last = timeline_newest(t, 0);
		if (last->start == ts) {
			/* Zero-length: the later state wins the instant,
			 * and a span like the one before merges into it. */
			if (t->nspans > 1 &&
			    timeline_newest(t, 1)->state == state)
				t->nspans--;
			else
				last->state = (uint8_t)state;
			goto since;
		}
		if (last->state == state)
			goto since;
	}
	if (t->nspans < MODEL_SPANS) {
		i = (t->span_head + t->nspans++) % MODEL_SPANS;
	} else {
		i = t->span_head;
		t->span_head = (t->span_head + 1) % MODEL_SPANS;
	}
	t->spans[i] = (struct model_span){ .start = ts, .state = (uint8_t)state };
since:
	/* A change undone within one instant keeps the older start. */
	t->state_since = timeline_newest(t, 0)->start;
}

const struct model_span *
timeline_span(const struct model_thread *t, unsigned i)
{
	if (!t || i >= t->nspans)
		return NULL;
	return &t->spans[(t->span_head + i) % MODEL_SPANS];
}

unsigned
timeline_state_at(const struct model_thread *t, uint64_t ts)
{
	unsigned lo = 0, hi, mid;

	if (!t->nspans)
		return t->state;
	if (ts < timeline_span(t, 0)->start)
		return timeline_span(t, 0)->state;
	/* The last span that started at or before ts. */
	hi = t->nspans;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (timeline_span(t, mid)->start <= ts)
			lo = mid;
		else
			hi = mid;
	}
	return timeline_span(t, lo)->state;
}
