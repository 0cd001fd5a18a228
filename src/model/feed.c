/*
 * feed.c - drain the ring into a model, with the names it needs.
 */
#include "config.h"

#include "model/feed.h"

#include "lockstep/ring.h"
#include "model/model.h"

#define FEED_BATCH 4096

void
feed_start(struct feed *f, struct ls_ring *r, struct model *m)
{
	f->ring = r;
	f->model = m;
	model_init(m);
	f->names_threads = ls_ring_thread_count(r);
	f->names_objects = ls_ring_object_count(r);
}

/* Hand the model the names the ring learned since last time. */
static void
feed_names(struct feed *f)
{
	unsigned nt = ls_ring_thread_count(f->ring);
	unsigned no = ls_ring_object_count(f->ring);
	char name[LS_NAME_MAX + 1];
	unsigned kind;

	for (; f->names_threads < nt; f->names_threads++)
		if (!ls_ring_thread_name(f->ring, f->names_threads + 1, name,
					 sizeof(name)))
			model_name_thread(f->model, f->names_threads + 1, name);
	for (; f->names_objects < no; f->names_objects++)
		if (!ls_ring_object_info(f->ring, f->names_objects + 1, &kind,
					 name, sizeof(name)))
			model_name_object(f->model, f->names_objects + 1, kind,
					  name);
}

size_t
feed_drain(struct feed *f, unsigned rounds, uint64_t *oldest)
{
	/* Static: one draining thread per process, and 128 KiB is too much
	 * for its stack or for every thread's TLS. */
	static struct ls_event buf[FEED_BATCH];
	size_t n, i, total = 0;

	if (oldest)
		*oldest = 0;
	feed_names(f);
	while (rounds--) {
		n = ls_ring_drain(f->ring, buf, FEED_BATCH);
		if (!n)
			break;
		/* Names first: the batch may mention new threads. */
		feed_names(f);
		for (i = 0; i < n; i++)
			model_apply(f->model, &buf[i]);
		/* Batches come oldest first: the first event is the oldest. */
		if (oldest && !total)
			*oldest = buf[0].ts;
		total += n;
		if (n < FEED_BATCH)
			break;
	}
	model_set_ring_dropped(f->model, ls_ring_dropped_total(f->ring));
	return total;
}
