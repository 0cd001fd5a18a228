/*
 * export-int.h - what export.c (tracks, states, holds, counters, instants)
 * and handoff.c (flow arrows) share.  Not for use outside src/cli.
 */
#ifndef LOCKSTEP_CLI_EXPORT_INT_H
#define LOCKSTEP_CLI_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/export.h"
#include "trace/record.h"
#include "lockstep/ring.h"
#include "model/model.h"

/* Tracks of one thread sort together: its state track, then its holds,
 * then its hand-offs. */
#define SORT_SPAN 64

/* Hand-offs a thread may have waiting for their flow before the oldest
 * is given up: resolution normally comes within a few events. */
#define EXPORT_MAX_WAITING 256

/* A hand-off slice ("release A") not written yet: its flow is known when
 * the thread it let go gets what it waited for. */
struct xmarker {
	uint64_t ts;
	uint64_t serial;
	uint64_t flow;		/* 0: none (yet) */
	bool done;		/* resolved or given up: may be written */
	char name[48];
};

struct xhold {
	uint32_t obj;
	uint64_t start;
	int track;
	char name[48];
};

/* The track of a thread's holds of one lock. */
struct xlocktrack {
	uint32_t obj;
	int track;
};

struct xthread {
	unsigned tid;
	int track;		/* Chrome tid of its state track */
	int handoff_track;	/* of its hand-offs, 0 until it has one */
	unsigned sort;		/* its tracks sort from here */
	bool exited;		/* THREAD_EXIT seen: a THREAD_START is new */
	char name[LS_NAME_MAX + 1];
	char next_name[LS_NAME_MAX + 1];	/* for the next life of a tid */
	/* The state slice open on its track. */
	bool open;
	uint64_t start, flow_in;
	unsigned state;
	uint32_t on;		/* what it waits for, while blocked */
	unsigned wait_kind;
	struct xhold holds[MODEL_MAX_HELD];
	unsigned nholds;
	uint64_t lost;		/* the model's count of its missing events */
	struct xmarker *q;	/* hand-offs not written, oldest first */
	size_t qn, qcap;
	uint64_t serial;	/* of the next hand-off */
	struct xlocktrack *locks;	/* its hold tracks, a lock each */
	size_t nlocks, caplocks;
};

/* A hand-off waiting for the thread it lets go. */
struct xpending {
	uint32_t obj;
	unsigned chan;		/* enum handoff_chan */
	unsigned tid;
	unsigned target;	/* the thread it wakes, 0: any waiter */
	uint64_t serial;
	uint64_t ts;
};

enum xtrack_kind { XTRACK_STATE, XTRACK_HOLD, XTRACK_HANDOFF };

/* A track: named when the trace is closed, from the names known then
 * (frozen earlier for a thread's past life). */
struct xtrack {
	int id;
	unsigned kind;		/* enum xtrack_kind */
	unsigned tid;
	uint32_t obj;		/* the lock of a hold track */
	unsigned sort;
	char name[96];		/* "" until named */
};

struct xobject {
	uint32_t id;		/* 0: a free slot of the table */
	bool known;
	unsigned kind;
	char name[LS_NAME_MAX + 1];
	bool counted;		/* a counter was written */
	uint64_t count;
	unsigned workers, idle;
};

struct export {
	FILE *out;
	bool first;		/* no event written yet: no comma */
	char title[RECORD_META_MAX + 16];
	struct model *m;
	bool started;
	uint64_t t0, last_ts;
	struct xthread **thread;	/* by tid */
	size_t nthread;
	struct xobject *object;	/* open-addressed by id */
	size_t nobject, capobject;	/* used; slots, a power of two */
	struct xpending *pending;
	size_t npending, cappending;
	struct xtrack *track;
	size_t ntrack, captrack;
	int next_track;
	struct xthread **holding;	/* threads with holds open */
	size_t nholding, capholding;
	uint64_t global_ts, process_ts;	/* last instants, per scope */
	uint64_t next_flow, flows, deadlocks, events, dropped;
	bool nomem;
};

/* JSON (export.c).  An event: the opening with the common fields, then
 * the caller's fields, then export_json_end. */
void export_json_begin(struct export *x, const char *ph, const char *name,
		       const char *cat, uint64_t ts, int track);
void export_json_end(struct export *x);
void export_json_string(struct export *x, const char *s);

/* A thread's record (made on first use), or NULL when out of memory. */
struct xthread *export_thread(struct export *x, unsigned tid);

/* A name for object id ("A"; "#7" when it has none). */
const char *export_object_label(struct export *x, uint32_t id, char *buf,
				size_t n);

/* A new track of kind for thread tid (and lock obj), its Chrome tid; 0
 * when out of memory. */
int export_track(struct export *x, unsigned kind, unsigned tid, uint32_t obj);

/* Grow *v (of *cap elements of size) to hold want, zeroing the new
 * part.  False on ENOMEM. */
bool export_grow(void **v, size_t *cap, size_t want, size_t size);

/* Holds (holds.c). */

/* Whether obj is a lock the model knows (a mutex or an rwlock). */
bool holds_is_lock(const struct model *m, uint32_t obj);

/* Close t's holds the model no longer has; with e (an event of t's),
 * open the ones it has newly. */
void holds_update(struct export *x, struct xthread *t,
		  const struct ls_event *e);

/* A lock event may end another thread's hold: look at every thread
 * that holds e's object. */
void holds_others(struct export *x, const struct ls_event *e);

/* Write t's hold i as ending at ts. */
void holds_close(struct export *x, struct xthread *t, unsigned i,
		 uint64_t ts);

/* Flow arrows (handoff.c). */
enum handoff_chan {
	HANDOFF_LOCK,		/* a mutex or rwlock released */
	HANDOFF_SEM,		/* a permit posted */
	HANDOFF_ITEM,		/* an item pushed, for a waiting popper */
	HANDOFF_ROOM,		/* room made, for a waiting pusher */
	HANDOFF_WAKE,		/* a condition signalled or broadcast, a
				 * barrier, event or latch opened */
};

/*
 * Before e is folded into the model: what it hands off (a release with
 * waiters...) becomes a pending hand-off on its thread's hand-off track.
 */
void handoff_before(struct export *x, const struct ls_event *e);

/*
 * After e is folded: if e ends a wait on waited (the object its thread
 * waited for before e) by getting it, the hand-off that let it go gets a
 * flow; returns its id (0 for none), which the thread's next slice takes
 * as flow_in.  Hand-offs nobody can take any more are given up.
 */
uint64_t handoff_after(struct export *x, const struct ls_event *e,
		       uint32_t waited, unsigned wait_kind);

/* Write t's hand-offs that are done, oldest first, up to the first one
 * still waiting; all of them (given up if waiting) when all is true. */
void handoff_flush(struct export *x, struct xthread *t, bool all);

#endif
