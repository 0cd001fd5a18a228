/*
 * playback.h - a recording (trace/record.h) as a source of events for a
 * model, with random access: the model shows the run as it stood after
 * any number k of its events, forward or back.
 *
 * This is the replay's half of the one-way flow: where the live ui's feed
 * (feed.h) drains the ring and hands the model names, events and the drop
 * count, a playback hands the same model the same things from the file,
 * in the order they were recorded, so each moment shows the picture the
 * live run had.  A "target" meta record marks the start of a new run (the
 * live ui reset its scene there), and the model starts afresh there too.
 * The model's metrics window is closed once a second of recorded time.
 *
 * Going back is folding again from the start; periodic snapshots of the
 * model (at most PLAYBACK_SNAPSHOTS, taken as the fold first passes them)
 * bound that to a fraction of the recording.  One thread uses a playback
 * and its model.
 */
#ifndef LOCKSTEP_MODEL_PLAYBACK_H
#define LOCKSTEP_MODEL_PLAYBACK_H

#include <stddef.h>
#include <stdint.h>

#include "trace/record.h"

#define PLAYBACK_SNAPSHOTS 16
/* Events between snapshots, at least. */
#define PLAYBACK_SNAPSHOT_MIN 4096

struct model;
struct playback;

/*
 * Read the whole recording at path into memory.  Returns 0 and the
 * playback in *out, or what record_reader_open returns ("PATH: byte N:
 * what is wrong" for a damaged file, -EPROTONOSUPPORT for a newer one),
 * or -ENOMEM, with the message in err.
 */
int playback_open(const char *path, struct playback **out, char *err,
		  size_t n);

void playback_close(struct playback *p);

/* How many events the recording holds. */
size_t playback_events(const struct playback *p);

/* The stamp (ns) of event i (i < playback_events), of the first event, and
 * of the first event of the run event i belongs to; 0 with no events. */
uint64_t playback_ts(const struct playback *p, size_t i);
uint64_t playback_first_ts(const struct playback *p);
uint64_t playback_run_start(const struct playback *p, size_t i);

/* How many events have a stamp at or before ts (a position to seek to). */
size_t playback_position_at(const struct playback *p, uint64_t ts);

/*
 * A meta value of the run event i belongs to ("target", "params"), or of
 * the whole recording for the others ("broken": the last one); NULL when
 * the recording has none.
 */
const char *playback_meta(const struct playback *p, size_t i,
			  const char *key);

/*
 * Make m show the run after its first k events (k is clamped to the
 * number of events): every name recorded before event k, events 0..k-1,
 * and at the end, what follows the last event.  m must be the model this
 * playback last sought with (or any, the first time): it continues from
 * where m stands when k is ahead, else it starts from a snapshot.
 * Returns the position reached.
 */
size_t playback_seek(struct playback *p, struct model *m, size_t k);

/* Where the model stands: the k of the last seek. */
size_t playback_position(const struct playback *p);

#endif
