/*
 * feed.c - drain the ring into a model, with the names it needs.
 *
 * The ring stamps in ticks (clock.h); the model and everything after it
 * count in CLOCK_MONOTONIC ns, so this is where the two meet: every event
 * is converted once, here.  A refinement of the TSC calibration can move
 * the conversion back by a few hundred ns; the model wants events in order,
 * so a stamp is never handed over smaller than the one before it.
 *
 * Names: the ring journals its registrations, so a tid that is reused
 * reaches the model with its new name before any event of its new thread
 * (that thread registered after the old one's last events were drained).
 *
 * Recording (feed_record) taps this one path, so a recording holds what
 * the model was handed, in the order it was handed, and a replay folds
 * it into the same picture.
 */
#include "config.h"

#include "model/feed.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "model/model.h"
#include "trace/record.h"

#define FEED_BATCH 4096
#define FEED_NAMES 64

/* Skip every registration the ring has made so far. */
static void
feed_skip_names(struct feed *f)
{
	unsigned tids[FEED_NAMES];

	while (ls_ring_registrations(f->ring, &f->regs_seen, tids,
				     FEED_NAMES) == FEED_NAMES)
		;
}

void
feed_start(struct feed *f, struct ls_ring *r, struct model *m)
{
	f->ring = r;
	f->model = m;
	model_init(m);
	f->regs_seen = 0;
	f->last_ns = 0;
	f->rec = NULL;
	f->rec_dropped = 0;
	feed_skip_names(f);
	f->names_objects = ls_ring_object_count(r);
}

/* Hand the model the name of tid's producer, if the ring has it. */
static void
feed_name_thread(struct feed *f, unsigned tid)
{
	char name[LS_NAME_MAX + 1];

	if (ls_ring_thread_name(f->ring, tid, name, sizeof(name)))
		return;
	model_name_thread(f->model, tid, name);
	/* A write error sticks in the writer (record.h). */
	if (f->rec)
		record_write_thread(f->rec, tid, name);
}

/* Hand the model the names the ring learned since last time. */
static void
feed_names(struct feed *f)
{
	unsigned no = ls_ring_object_count(f->ring), tids[FEED_NAMES], i;
	char name[LS_NAME_MAX + 1];
	unsigned kind;
	int n;

	do {
		n = ls_ring_registrations(f->ring, &f->regs_seen, tids,
					  FEED_NAMES);
		if (n == -EOVERFLOW) {
			/* Fell behind the journal: every name, again. */
			unsigned nt = ls_ring_thread_count(f->ring);

			for (i = 1; i <= nt; i++)
				feed_name_thread(f, i);
		}
		for (i = 0; n > 0 && i < (unsigned)n; i++)
			feed_name_thread(f, tids[i]);
	} while (n == FEED_NAMES);
	for (; f->names_objects < no; f->names_objects++)
		if (!ls_ring_object_info(f->ring, f->names_objects + 1, &kind,
					 name, sizeof(name))) {
			model_name_object(f->model, f->names_objects + 1, kind,
					  name);
			if (f->rec)
				record_write_object(f->rec,
						    f->names_objects + 1, kind,
						    name);
		}
}

int
feed_record(struct feed *f, struct record_writer *w, const char *target)
{
	char word[RECORD_META_MAX + 1];
	const char *sp = strchr(target, ' ');
	int rc;

	snprintf(word, sizeof(word), "%.*s",
		 (int)(sp ? (size_t)(sp - target) : strlen(target)), target);
	rc = record_write_meta(w, "target", word);
	if (!rc)
		rc = record_write_meta(w, "params", sp ? sp + 1 : "");
	f->rec = w;
	return rc;
}

int
feed_restart(struct feed *f, const char *target)
{
	struct record_writer *w = f->rec;
	uint64_t last = f->last_ns, dropped = f->rec_dropped;

	feed_start(f, f->ring, f->model);
	f->last_ns = last;
	f->rec_dropped = dropped;
	return w ? feed_record(f, w, target) : 0;
}

size_t
feed_drain(struct feed *f, unsigned rounds, uint64_t *oldest)
{
	/* Static: one draining thread per process, and 128 KiB is too much
	 * for its stack or for every thread's TLS. */
	static struct ls_event buf[FEED_BATCH];
	size_t n, i, total = 0;
	uint64_t dropped;

	if (oldest)
		*oldest = 0;
	feed_names(f);
	while (rounds--) {
		n = ls_ring_drain(f->ring, buf, FEED_BATCH);
		if (!n)
			break;
		/* Names first: the batch may mention new threads. */
		feed_names(f);
		for (i = 0; i < n; i++) {
			uint64_t ns = ls_clock_ns_at(buf[i].ts);

			if (ns < f->last_ns)
				ns = f->last_ns;
			f->last_ns = buf[i].ts = ns;
			model_apply(f->model, &buf[i]);
		}
		if (f->rec)
			record_write_events(f->rec, buf, n);
		/* Batches come oldest first: the first event is the oldest. */
		if (oldest && !total)
			*oldest = buf[0].ts;
		total += n;
		if (n < FEED_BATCH)
			break;
	}
	dropped = ls_ring_dropped_total(f->ring);
	model_set_ring_dropped(f->model, dropped);
	if (f->rec && dropped > f->rec_dropped) {
		record_write_dropped(f->rec, dropped);
		f->rec_dropped = dropped;
	}
	return total;
}
