/*
 * mutex.c - the engine's instrumented mutex: owner tracking, FIFO hand-off,
 * cancellable and timed waits, misuse reported instead of undefined.
 *
 * Built like every blocking primitive of the engine (engine-int.h): the
 * internal mutex mu serialises changes of the owner and guards the FIFO of
 * waiters; a locker that finds m held queues a waiter on its own stack and
 * parks; unlock hands m straight to the oldest waiter, which is the owner
 * before it even wakes.  Hand-off makes the order the ui shows the order
 * the lock is given in, and stops an unlocker from barging back in ahead
 * of threads that have waited.
 *
 * Events are ordered so that the model never sees two owners: LOCK_RELEASED
 * is emitted while the caller still owns m, LOCK_ACQUIRED once it does, and
 * ownership passes only under mu, so the next owner's ACQUIRED happens
 * after (and is stamped no earlier than) the previous owner's RELEASED.
 *
 * A recursive mutex keeps its depth beyond the first level in relocks,
 * which only its owner touches: a lock by the owner goes one deeper, an
 * unlock with relocks left comes one back up, and neither changes hands,
 * so the events of a recursive mutex are a plain mutex's plus LOCK_DEPTH.
 *
 * Uncontended, lock and unlock each take mu once.  Time is read only when
 * the caller has a ring lane, so an untraced thread pays for no clock.
 */
#include "config.h"

#include "lockstep/mutex.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "mutex-int.h"

struct ls_mutex {
	/* Serialises every change of owner and owner_tid, and guards
	 * waiters.  Never held across a gate or a park. */
	pthread_mutex_t mu;
	/* The holder's thread record, NULL when free.  Read and written
	 * only under mu (atomic so that a view may take a snapshot). */
	_Atomic(struct ls_thread *) owner;
	/* The holder's producer id, for views and LOCK_BUSY; written under
	 * mu, read by views without it (a snapshot). */
	_Atomic unsigned owner_tid;
	struct waitq waiters;	/* of struct mutex_waiter; guarded by mu */
	/* The stamp (ticks) of the holder's LOCK_ACQUIRED, for the hold
	 * time in LOCK_RELEASED, or 0 when it was untraced or dropped: the
	 * event's own clock read, so a hold costs no other.  Owner-private:
	 * only the holder touches it, and ownership itself passes under mu. */
	uint64_t acquired_tk;
	/* Levels held beyond the first (recursive only), 0 while free.
	 * Owner-private, as acquired_tk. */
	unsigned relocks;
	uint32_t id;		/* object id in the ring, 0 for none */
	unsigned level;		/* place in a lock hierarchy, 0 for none */
	bool recursive;		/* set at creation */
};

/* A locker waiting for m, on its own stack.  The unlocker that hands m
 * over makes it the owner, so it needs the waiter's producer id too. */
struct mutex_waiter {
	struct waiter w;	/* first, so a struct waiter * converts back */
	unsigned tid;		/* the waiter's producer id (mutex_tid) */
};

static struct mutex_waiter *
mutex_waiter_of(struct waiter *w)
{
	return (struct mutex_waiter *)((char *)w -
				       offsetof(struct mutex_waiter, w));
}

/* The leveled mutexes the calling thread holds, for the hierarchy check.
 * Thread-private, so no lock. */
static _Thread_local struct {
	const struct ls_mutex *m[LS_MUTEX_MAX_LEVELED];
	unsigned n;
} leveled;

/* Report (ERROR, LS_ERR_HIERARCHY) taking m while holding a mutex of a
 * higher level: an order that can deadlock against one that obeys.  A
 * second lock of m by its owner cannot wait, so it is no such order. */
static void
hierarchy_check(const struct ls_mutex *m)
{
	unsigned i, top = 0;

	for (i = 0; i < leveled.n; i++) {
		if (leveled.m[i] == m)
			return;
		if (leveled.m[i]->level > top)
			top = leveled.m[i]->level;
	}
	if (top > m->level)
		ls_emit(LS_EV_ERROR, m->id, LS_ERR_HIERARCHY, top);
}

static void
leveled_push(const struct ls_mutex *m)
{
	if (leveled.n < LS_MUTEX_MAX_LEVELED)
		leveled.m[leveled.n++] = m;
}

static void
leveled_remove(const struct ls_mutex *m)
{
	unsigned i;

	for (i = leveled.n; i-- > 0;)
		if (leveled.m[i] == m) {
			leveled.m[i] = leveled.m[--leveled.n];
			return;
		}
}

void
ls_mutex_set_level(struct ls_mutex *m, unsigned level)
{
	m->level = level;
}

enum mutex_how {
	MUTEX_BLOCK,
	MUTEX_TRY,
	MUTEX_TIMED,
};

/* The caller's thread record without a call once it exists. */
static inline struct ls_thread *
mutex_self(void)
{
	struct ls_thread *t = thread_current;

	return t ? t : ls_thread_self();
}

/* The producer id the caller's events carry: its lane's, which a thread
 * outside a group may have bound by hand, else its record's (0). */
static inline unsigned
mutex_tid(const struct ls_thread *self)
{
	struct ls_lane *lane = ls_trace_lane;

	return lane ? ls_lane_tid(lane) : ls_thread_tid(self);
}

static int
mutex_new(struct ls_ring *ring, const char *name, bool recursive,
	  struct ls_mutex **out)
{
	struct ls_mutex *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	err = pthread_mutex_init(&m->mu, NULL);
	if (err)
		goto fail;
	atomic_init(&m->owner, NULL);
	atomic_init(&m->owner_tid, 0);
	m->recursive = recursive;
	m->id = ls_ring_object_add(ring, LS_OBJ_MUTEX, name);
	*out = m;
	return 0;
fail:
	free(m);
	return -err;
}

int
ls_mutex_create(struct ls_ring *ring, const char *name, struct ls_mutex **out)
{
	return mutex_new(ring, name, false, out);
}

int
ls_mutex_create_recursive(struct ls_ring *ring, const char *name,
			  struct ls_mutex **out)
{
	return mutex_new(ring, name, true, out);
}

void
ls_mutex_destroy(struct ls_mutex *m)
{
	int err;

	if (!m)
		return;
	/* A queued waiter lives on a stack that would be left pointing at
	 * freed memory: a bug in the caller, caught here, not later. */
	engine_lock(&m->mu);
	if (m->waiters.head)
		engine_panic("ls_mutex_destroy: threads still wait", EBUSY);
	engine_unlock(&m->mu);
	err = pthread_mutex_destroy(&m->mu);
	if (err)
		engine_panic("pthread_mutex_destroy", err);
	free(m);
}

/* The gate probe of a blocking lock: free, or held by the caller (which
 * fails at once), goes through; else it waits for the owner. */
static bool
mutex_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_mutex *m = (struct ls_mutex *)prim;
	bool ready;

	(void)kind;
	engine_lock(&m->mu);
	ready = !atomic_load_explicit(&m->owner, memory_order_relaxed);
	if (!ready)
		*holder = atomic_load_explicit(&m->owner_tid,
					       memory_order_relaxed);
	engine_unlock(&m->mu);
	return ready;
}

static const struct ls_gate_probe mutex_probe = { .ready = mutex_ready };

static void mutex_release_unlock(struct ls_mutex *m);

/* self, the owner of m, locks it again: one level deeper if m is
 * recursive, else refused.  m->mu not held. */
static int
mutex_relock(struct ls_mutex *m, struct ls_thread *self)
{
	if (!m->recursive) {
		ls_emit(LS_EV_ERROR, m->id, LS_ERR_RELOCK, mutex_tid(self));
		return -EDEADLK;
	}
	if (m->relocks + 1 >= LS_MUTEX_MAX_DEPTH) {
		ls_emit(LS_EV_ERROR, m->id, LS_ERR_TOO_DEEP,
			LS_MUTEX_MAX_DEPTH);
		return -EAGAIN;
	}
	m->relocks++;
	ls_emit(LS_EV_LOCK_DEPTH, m->id, m->relocks + 1, 1);
	return 0;
}

static int
mutex_acquire(struct ls_mutex *m, enum mutex_how how, uint64_t timeout_ns,
	      const char *desc)
{
	struct ls_thread *self = mutex_self();
	struct mutex_waiter mw;
	uint64_t start = 0, deadline = 0, waited;
	unsigned busy;
	bool waits;
	int rc;

	/* A try never waits, nor does a recursive mutex's owner: no probe,
	 * so the controller knows the step goes through.  (Only the owner
	 * itself makes it own m or not, so the answer holds at the gate.) */
	waits = how != MUTEX_TRY && !(m->recursive && mutex_owned_by(m, self));
	rc = ls_gate_probed(LS_EV_LOCK_ACQUIRED, m->id, desc,
			    waits ? &mutex_probe : NULL, m);
	if (rc)
		return rc;
	if (m->level)
		hierarchy_check(m);
	if (how == MUTEX_TIMED) {
		/* The wait is timed from here, so a LOCK_TIMEOUT's wait is
		 * never shorter than the timeout asked for. */
		start = ls_clock_ns();
		deadline = timeout_ns > UINT64_MAX - start
				   ? UINT64_MAX
				   : start + timeout_ns;
	}

	engine_lock(&m->mu);
	/* Owner is read under mu only (here and in unlock), so the checks
	 * need no atomics that valgrind's helgrind cannot see. */
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) == self) {
		engine_unlock(&m->mu);
		return mutex_relock(m, self);
	}
	/* Hand-off keeps owner set while anyone waits, so a free mutex has
	 * an empty queue and the fast path needs no look at it. */
	if (!atomic_load_explicit(&m->owner, memory_order_relaxed)) {
		atomic_store_explicit(&m->owner, self, memory_order_relaxed);
		atomic_store_explicit(&m->owner_tid, mutex_tid(self),
				      memory_order_relaxed);
		engine_unlock(&m->mu);
		if (m->level)
			leveled_push(m);
		m->acquired_tk = ls_emit_stamp(LS_EV_LOCK_ACQUIRED, m->id, 0, 0);
		return 0;
	}
	if (how == MUTEX_TRY) {
		busy = atomic_load_explicit(&m->owner_tid,
					    memory_order_relaxed);
		engine_unlock(&m->mu);
		ls_emit(LS_EV_LOCK_BUSY, m->id, busy, 0);
		return -EBUSY;
	}

	mw = (struct mutex_waiter){
		.w = {
			.t = self,
			.obj = m->id,
			.since_ns = start ? start : ls_clock_ns(),
		},
		.tid = mutex_tid(self),
	};
	ls_emit(LS_EV_LOCK_WAIT, m->id, 0, how == MUTEX_TIMED);
	waitq_push(&m->waiters, &mw.w);
	rc = waitq_sleep_locked(&m->waiters, &mw.w, &m->mu, deadline);
	engine_unlock(&m->mu);

	waited = ls_clock_ns() - mw.w.since_ns;
	switch (rc) {
	case 0:
		/* The unlocker made us owner; time starts now. */
		if (m->level)
			leveled_push(m);
		m->acquired_tk = ls_emit_stamp(LS_EV_LOCK_ACQUIRED, m->id,
					       waited, 0);
		break;
	case -ETIMEDOUT:
		ls_emit(LS_EV_LOCK_TIMEOUT, m->id, waited, 0);
		break;
	default:
		ls_emit(LS_EV_CANCELLED, m->id, 0, 0);
		break;
	}
	return rc;
}

int
ls_mutex_lock(struct ls_mutex *m)
{
	return mutex_acquire(m, MUTEX_BLOCK, 0, "lock");
}

int
ls_mutex_trylock(struct ls_mutex *m)
{
	return mutex_acquire(m, MUTEX_TRY, 0, "trylock");
}

int
ls_mutex_timedlock(struct ls_mutex *m, uint64_t timeout_ns)
{
	return mutex_acquire(m, MUTEX_TIMED, timeout_ns, "timedlock");
}

int
ls_mutex_unlock(struct ls_mutex *m)
{
	struct ls_thread *self;

	/* A cancelled thread must still release what it holds, or the
	 * threads it blocks could never unwind: ignore -ECANCELED. */
	(void)ls_gate(LS_EV_LOCK_RELEASED, m->id, "unlock");
	self = mutex_self();
	engine_lock(&m->mu);
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) != self) {
		unsigned owner = atomic_load_explicit(&m->owner_tid,
						      memory_order_relaxed);

		engine_unlock(&m->mu);
		ls_emit(LS_EV_ERROR, m->id, LS_ERR_NOT_OWNER, owner);
		return -EPERM;
	}
	if (m->relocks) {
		/* An inner level: m stays ours, so no release to order. */
		m->relocks--;
		engine_unlock(&m->mu);
		ls_emit(LS_EV_LOCK_DEPTH, m->id, m->relocks + 1, 0);
		return 0;
	}
	mutex_release_unlock(m);
	return 0;
}

/* Give m up, handing it to the oldest waiter that is not cancelled.
 * Called by the owner at its last level with m->mu held; drops it. */
static void
mutex_release_unlock(struct ls_mutex *m)
{
	struct waiter *w;

	if (m->level)
		leveled_remove(m);
	/* Before the real release: nobody can own m until we drop mu. */
	ls_emit_since(LS_EV_LOCK_RELEASED, m->id, m->acquired_tk, 0);

	/* The cancel rule (engine-int.h): a waiter whose group is cancelled
	 * is passed over; it wakes with -ECANCELED and leaves the queue
	 * itself, and must see the cancel, not a lock. */
	w = waitq_first_live(&m->waiters);
	if (w) {
		atomic_store_explicit(&m->owner, w->t, memory_order_relaxed);
		atomic_store_explicit(&m->owner_tid, mutex_waiter_of(w)->tid,
				      memory_order_relaxed);
		waitq_grant(&m->waiters, w);
	} else {
		atomic_store_explicit(&m->owner, NULL, memory_order_relaxed);
		atomic_store_explicit(&m->owner_tid, 0, memory_order_relaxed);
	}
	engine_unlock(&m->mu);
}

unsigned
mutex_unlock_all(struct ls_mutex *m)
{
	unsigned depth;

	engine_lock(&m->mu);
	if (atomic_load_explicit(&m->owner, memory_order_relaxed) !=
	    thread_current)
		engine_panic("mutex_unlock_all: not the owner", EPERM);
	depth = m->relocks + 1;
	m->relocks = 0;
	mutex_release_unlock(m);
	return depth;
}

void
mutex_restore_depth(struct ls_mutex *m, unsigned depth)
{
	/* Owner-private, and the caller owns m again. */
	if (depth <= 1)
		return;
	m->relocks = depth - 1;
	ls_emit(LS_EV_LOCK_DEPTH, m->id, depth, 1);
}

bool
mutex_owned_by(struct ls_mutex *m, const struct ls_thread *t)
{
	bool owned;

	engine_lock(&m->mu);
	owned = atomic_load_explicit(&m->owner, memory_order_relaxed) == t;
	engine_unlock(&m->mu);
	return owned;
}

uint32_t
ls_mutex_id(const struct ls_mutex *m)
{
	return m->id;
}

unsigned
ls_mutex_owner(const struct ls_mutex *m)
{
	struct ls_mutex *mm = (struct ls_mutex *)m;
	unsigned tid;

	engine_lock(&mm->mu);
	tid = atomic_load_explicit(&mm->owner_tid, memory_order_relaxed);
	engine_unlock(&mm->mu);
	return tid;
}

bool
ls_mutex_held(const struct ls_mutex *m)
{
	return ls_mutex_depth(m) > 0;
}

unsigned
ls_mutex_depth(const struct ls_mutex *m)
{
	struct ls_mutex *mm = (struct ls_mutex *)m;
	struct ls_thread *self = thread_current;
	unsigned depth = 0;

	/* Without a record the caller never locked anything. */
	if (!self)
		return 0;
	engine_lock(&mm->mu);
	/* relocks is the owner's, and the caller is the owner. */
	if (atomic_load_explicit(&mm->owner, memory_order_relaxed) == self)
		depth = mm->relocks + 1;
	engine_unlock(&mm->mu);
	return depth;
}

unsigned
ls_mutex_waiters(const struct ls_mutex *m)
{
	struct ls_mutex *mm = (struct ls_mutex *)m;
	unsigned n;

	/* The queue is plain data under mu; a view is rare, so lock. */
	engine_lock(&mm->mu);
	n = mm->waiters.len;
	engine_unlock(&mm->mu);
	return n;
}
