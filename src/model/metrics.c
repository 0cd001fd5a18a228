/*
 * metrics.c - the model's figures over time: events and tasks per second
 * from tick to tick, each queue's, pool's and semaphore's depth at every
 * tick (the sparkline), and the wait and run-time percentiles.
 *
 * Percentiles cover a window: the samples since the last tick and those of
 * the window before, so a figure never rests on an instant and never on
 * the whole run.  The histogram is util/hist.c's, shared with the pool.
 */
#include "config.h"

#include "model/model-int.h"

#include <string.h>

void
metrics_wait(struct model *m, struct model_object *o, unsigned cls,
	     uint64_t ns)
{
	hist_add(&m->wait_now[cls], ns);
	if (o) {
		o->wait_ns_total += ns;
		if (ns > o->wait_ns_max)
			o->wait_ns_max = ns;
	}
}

void
metrics_run(struct model *m, uint64_t ns)
{
	hist_add(&m->run_now, ns);
}

/* The windows (current and previous) of class cls, or of every class for
 * MODEL_WAIT_ALL, into hs; returns how many (0 for no such class). */
static size_t
metrics_wait_windows(const struct model *m, unsigned cls,
		     const struct hist **hs)
{
	unsigned c, from = cls, to = cls + 1;
	size_t n = 0;

	if (cls == MODEL_WAIT_ALL) {
		from = 0;
		to = MODEL_WAIT_CLASSES;
	} else if (cls > MODEL_WAIT_ALL) {
		return 0;
	}
	for (c = from; c < to; c++) {
		hs[n++] = &m->wait_now[c];
		hs[n++] = &m->wait_prev[c];
	}
	return n;
}

uint64_t
metrics_wait_percentile(const struct model *m, unsigned cls, double p)
{
	const struct hist *hs[2 * MODEL_WAIT_CLASSES];
	size_t n = metrics_wait_windows(m, cls, hs);

	return n ? hist_percentile(hs, n, p) : 0;
}

uint64_t
metrics_wait_samples(const struct model *m, unsigned cls)
{
	const struct hist *hs[2 * MODEL_WAIT_CLASSES];
	size_t n = metrics_wait_windows(m, cls, hs), i;
	uint64_t k = 0;

	for (i = 0; i < n; i++)
		k += hs[i]->n;
	return k;
}

uint64_t
metrics_run_percentile(const struct model *m, double p)
{
	const struct hist *both[2] = { &m->run_now, &m->run_prev };

	return hist_percentile(both, 2, p);
}

/* Rates since the last tick (or the first event). */
static void
metrics_rates(struct model *m, uint64_t now)
{
	uint64_t from = m->tick_ts ? m->tick_ts : m->first_ts;
	double dt;

	if (from && now > from) {
		dt = (double)(now - from) / 1e9;
		m->events_per_s = (double)(m->events - m->tick_events) / dt;
		m->tasks_per_s = (double)(m->tasks_done - m->tick_tasks) / dt;
	} else {
		m->events_per_s = 0;
		m->tasks_per_s = 0;
	}
	m->tick_ts = now;
	m->tick_events = m->events;
	m->tick_tasks = m->tasks_done;
}

/* One depth sample per queue, pool and semaphore; the oldest goes. */
static void
metrics_sample_depths(struct model *m)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		struct model_object *o = &m->objects[i];
		uint64_t d;

		if (!o->used || (o->kind != LS_OBJ_QUEUE &&
				 o->kind != LS_OBJ_POOL && o->kind != LS_OBJ_SEM))
			continue;
		if (o->nsamples == MODEL_SAMPLES) {
			memmove(&o->depth_samples[0], &o->depth_samples[1],
				(MODEL_SAMPLES - 1) * sizeof(o->depth_samples[0]));
			o->nsamples--;
		}
		d = o->count < UINT16_MAX ? o->count : UINT16_MAX;
		o->depth_samples[o->nsamples++] = (uint16_t)d;
	}
}

void
metrics_tick(struct model *m, uint64_t now)
{
	metrics_rates(m, now);
	metrics_sample_depths(m);
	memcpy(m->wait_prev, m->wait_now, sizeof(m->wait_prev));
	memset(m->wait_now, 0, sizeof(m->wait_now));
	m->run_prev = m->run_now;
	memset(&m->run_now, 0, sizeof(m->run_now));
}
