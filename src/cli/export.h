/*
 * export.h - Chrome trace event JSON from an event stream, for Perfetto
 * (ui.perfetto.dev) and chrome://tracing.
 *
 * The events go through a model of their own (model/model.h), which
 * knows who waits for what, who holds what and who was woken, and the
 * exporter writes, in one process (pid 1):
 *   - a thread_name ("M") per track;
 *   - each thread's state as complete ("X") slices on its own track
 *     ("running", "idle", "sleeping", "parked", "wait A" while blocked on
 *     A), and, on a track per thread and lock, "hold A" ("read A",
 *     "write A") while it holds it;
 *   - flow arrows (bind_id with flow_out / flow_in) from a zero-length
 *     "release A" / "post S" / "push q" / "pop q" / "signal c" /
 *     "broadcast c" / "open b" / "set e" / "count down l" slice on the
 *     track of the thread that let another go, to the slice that thread
 *     starts when it gets the lock, the permit, the item or the room, or
 *     is woken;
 *   - counters ("C") for queue depths, pool queues and workers, and
 *     semaphore permits;
 *   - instant ("i") events for every OUTCOME (deadlock, lost update...),
 *     a wait-for cycle the model finds, engine errors, a gap of dropped
 *     events, and whatever the caller adds (a broken invariant).
 * Slices never overlap on a track and each track's events are written in
 * time order; every flow has both ends.  Timestamps are microseconds from
 * the first event, with nanosecond digits.
 *
 * One thread uses an exporter: whoever reads the stream.
 */
#ifndef LOCKSTEP_CLI_EXPORT_H
#define LOCKSTEP_CLI_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/event.h"

struct export;
struct record_item;

/*
 * Start a trace on out (written as events come; not closed by the
 * exporter), its process named title.  Returns 0 and the exporter in *x,
 * or -ENOMEM.
 */
int export_open(FILE *out, const char *title, struct export **x);

/* Names, as the ring's tables give them; any time before or after the
 * events that use them. */
void export_thread_name(struct export *x, unsigned tid, const char *name);
void export_object_name(struct export *x, uint32_t id, unsigned kind,
			const char *name);

/* One event.  Events come in timestamp order. */
void export_event(struct export *x, const struct ls_event *e);

/* The ring's count of dropped events so far. */
void export_dropped(struct export *x, uint64_t total);

/* An instant event of the caller's (a broken invariant: name "INVARIANT
 * BROKEN", detail what the scene said) at ts (ns, the events' clock). */
void export_instant(struct export *x, uint64_t ts, const char *name,
		    const char *detail);

/* One item of a recording (trace/record.h), whatever its kind. */
void export_record_item(struct export *x, const struct record_item *it);

/*
 * End the open slices at the last event, write the rest and free the
 * exporter.  Returns 0, or -EIO when writing failed (then the JSON is
 * incomplete).
 */
int export_close(struct export *x);

/*
 * Read the recording at in and write its trace to out ("-": standard
 * output).  Returns 0, or a negative errno with "FILE: why" (for a bad
 * recording, "FILE: byte N: what is wrong") in err.
 */
int export_recording(const char *in, const char *out, char *err, size_t n);

#endif
