/*
 * feed.h - the one way from the event ring into a model: drain events in
 * batches, turn their stamps from ticks into CLOCK_MONOTONIC nanoseconds,
 * and hand the model the names the ring learned, new ones only.  Used by
 * the live ui and the headless runner alike, so both see the same
 * picture.  One feed per ring; only the thread that drains may use it.
 */
#ifndef LOCKSTEP_FEED_H
#define LOCKSTEP_FEED_H

#include <stddef.h>
#include <stdint.h>

struct ls_ring;
struct model;
struct record_writer;

struct feed {
	struct ls_ring *ring;
	struct model *model;
	uint64_t regs_seen;	/* ring registrations whose name was handed */
	unsigned names_objects;	/* object names handed over */
	uint64_t last_ns;	/* newest stamp handed to the model, in ns */
	/* What the model is handed is also written here (feed_record),
	 * NULL when nothing records; rec_dropped: the drop total the
	 * recording has. */
	struct record_writer *rec;
	uint64_t rec_dropped;
};

/*
 * Start m empty and feed it from r from now on.  Names the ring already
 * holds are skipped: object ids are never reused in one ring, and a tid
 * is reused only by a new registration (which is handed over), so a model
 * restarted on the same ring (a scene reset) would otherwise show the
 * earlier runs' threads as ghosts.
 */
void feed_start(struct feed *f, struct ls_ring *r, struct model *m);

/*
 * From now on, also write to w (trace/record.h) every name and event
 * handed to the model, stamps in ns as the model gets them, and the
 * ring's drop total when it grows; first a "target" meta record, which
 * tells a reader that a new run (a fresh model) begins here, with the
 * first word of target as its value and the rest (the parameters) as a
 * "params" record.  feed_start detaches the writer: a caller that
 * restarts the model attaches it again, so the recording restarts its
 * model where the live one did.  w is not closed here; its first error
 * sticks, and record_writer_close reports it.  Returns 0 or that error.
 */
int feed_record(struct feed *f, struct record_writer *w, const char *target);

/*
 * Start the model afresh on the same ring (a scene reset), as feed_start
 * does, but keep the recording, if any, and mark in it that a new run of
 * target begins (feed_record).  Stamps keep never decreasing across the
 * restart, as a recording needs.  Returns 0 or the recording's error.
 */
int feed_restart(struct feed *f, const char *target);

/*
 * Drain up to rounds batches of events into the model (fewer when the
 * ring runs dry), names first.  Stamps reach the model in ns comparable
 * with ls_clock_ns(), never decreasing.  Returns the events applied;
 * *oldest (may be NULL) gets the stamp (ns) of the oldest one, or 0 when
 * none.
 */
size_t feed_drain(struct feed *f, unsigned rounds, uint64_t *oldest);

#endif
