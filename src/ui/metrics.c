/*
 * metrics.c - the numbers: throughput, wait and run percentiles (waits of
 * every kind: for a lock, for room or an item in a queue, a task for a
 * worker; and each kind apart), a depth sparkline of the busiest queue,
 * and the events the ring had to drop.
 */
#include "config.h"

#include "ui/ui.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/num.h"

/* The queue, pool or semaphore with the most depth samples. */
static const struct model_object *
busiest_queue(const struct model *m)
{
	const struct model_object *best = NULL;
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &m->objects[i];

		if (!o->used || (o->kind != LS_OBJ_QUEUE && o->kind != LS_OBJ_POOL &&
				 o->kind != LS_OBJ_SEM))
			continue;
		if (!best || o->capacity > best->capacity)
			best = o;
	}
	return best;
}

static void
sparkline(const struct ui *u, const struct model_object *o, int y, int x,
	  int w)
{
	unsigned n = o->nsamples < MODEL_SAMPLES ? o->nsamples : MODEL_SAMPLES;
	unsigned i, max = 1;

	if ((unsigned)w < n)
		n = (unsigned)w;
	/* depth_samples is a ring: sample k lives at k % MODEL_SAMPLES. */
	for (i = 0; i < n; i++) {
		unsigned v = o->depth_samples[(o->nsamples - n + i) % MODEL_SAMPLES];

		if (v > max)
			max = v;
	}
	if (o->capacity && o->capacity > max)
		max = (unsigned)o->capacity;
	for (i = 0; i < n; i++) {
		unsigned v = o->depth_samples[(o->nsamples - n + i) % MODEL_SAMPLES];

		draw_text(y, x + (int)i, 1, u->theme.bar_fill,
			  ui_spark_glyph(u, v * 7 / max));
	}
}

/* "locks 2.1ms  queues 30ms  tasks 5ms": the p99 of each kind of wait
 * that has samples.  Returns whether any has. */
static bool
metrics_by_class(const struct model *m, char *buf, size_t n)
{
	static const char *const names[MODEL_WAIT_CLASSES] = {
		[MODEL_WAIT_LOCK] = "locks", [MODEL_WAIT_QUEUE] = "queues",
		[MODEL_WAIT_TASK] = "tasks",
	};
	size_t used = 0;
	unsigned c;
	char v[16];

	buf[0] = '\0';
	for (c = 0; c < MODEL_WAIT_CLASSES && used < n; c++) {
		if (!model_wait_samples(m, c))
			continue;
		draw_format_ns(v, sizeof(v),
			       model_wait_class_percentile(m, c, 99));
		used += (size_t)snprintf(buf + used, n - used, "%s%s %s",
					 used ? "  " : "", names[c], v);
	}
	return used > 0;
}

uint64_t
metrics_lost(const struct model *m)
{
	/* The ring counts what it dropped, the model the gaps it saw; either
	 * may run ahead of the other for a moment, so take the larger. */
	return m->ring_dropped > m->lost ? m->ring_dropped : m->lost;
}

const struct ls_ring_config *
metrics_ring_config(struct ls_ring_config *cfg)
{
	const char *s = getenv("LOCKSTEP_LANE_EVENTS");
	unsigned long long v;

	if (!s || num_parse_uint(s, 2, 1u << 24, &v))
		return NULL;
	*cfg = (struct ls_ring_config){
		.lane_events = (uint32_t)v,
		.max_lanes = LS_RING_DEFAULT_MAX_LANES,
	};
	return cfg;
}

void
metrics_draw(struct ui *u, struct rect r)
{
	const struct model *m = u->model;
	const struct model_object *q = busiest_queue(m);
	uint64_t lost = metrics_lost(m);
	char p50[16], p99[16], r50[16], r99[16], drop[96];
	int x = r.x + 1, w = r.w - 2, y = r.y + 1, dw;

	draw_box(u, r, "Metrics", NULL);
	draw_format_ns(p50, sizeof(p50), model_wait_percentile(m, 50));
	draw_format_ns(p99, sizeof(p99), model_wait_percentile(m, 99));
	draw_format_ns(r50, sizeof(r50), model_run_percentile(m, 50));
	draw_format_ns(r99, sizeof(r99), model_run_percentile(m, 99));
	draw_textf(y++, x, w, A_NORMAL, "events/s %-8.0f tasks/s %.0f",
		   m->events_per_s, m->tasks_per_s);
	draw_textf(y++, x, w, A_NORMAL, "wait p50 %-8s p99 %s", p50, p99);
	draw_textf(y++, x, w, A_NORMAL, "run  p50 %-8s p99 %s", r50, r99);
	if (y >= r.y + r.h - 1)
		return;
	if (metrics_by_class(m, drop, sizeof(drop)) && y < r.y + r.h - 2)
		draw_textf(y++, x, w, A_NORMAL, "wait p99 %s", drop);
	/* Dropped events at the right: red when any were lost. */
	dw = snprintf(drop, sizeof(drop), " dropped %llu",
		      (unsigned long long)lost);
	draw_text(y, x + w - dw, dw, lost ? u->theme.alert : A_NORMAL, drop);
	if (q) {
		int lw = draw_textf(y, x, w - dw, A_NORMAL, "%-.8s ", q->name);

		sparkline(u, q, y, x + lw, w - dw - lw - 1);
	}
}
