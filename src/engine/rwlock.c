/*
 * rwlock.c - the engine's instrumented read-write lock.
 *
 * One 32-bit state word holds the count of readers inside, a bit for a
 * writer inside and a SLOW bit.  While SLOW is clear, readers enter and
 * leave with one CAS on the word and a writer takes a free lock with one
 * CAS: no internal mutex, which is what keeps the lock at least as fast as
 * glibc's when it is not contended (`lockstep bench rwlock`).  SLOW is set,
 * under the internal mutex, by any thread that needs the mutex-guarded
 * side: one that must queue, and the releaser or try that has to look at
 * the queue.  The rule that makes the two paths safe together: every fast
 * path CAS expects SLOW clear, so while SLOW is set the word changes only
 * under mu, and a thread holding mu with SLOW set owns the word.  SLOW is
 * cleared, still under mu, as soon as the queue is empty again.
 *
 * Waiting follows engine-int.h: a struct waiter on the waiter's stack in
 * one FIFO (readers and writers together, so FAIR can keep arrival order
 * and the ui can show the queue as it is), parked on the thread's own
 * parker, granted by whoever releases: the granter counts the waiter into
 * the word before it unparks it (direct hand-off), so a granted waiter
 * owns the lock even before it runs.  Which waiters a release grants, and
 * which arrivals may go straight in, is the policy (rwlock_admit_locked,
 * rwlock_grant_locked).  A waiter that times out or is cancelled leaves
 * the queue and runs the grant again, since a departing writer can be all
 * that kept the readers behind it out.
 *
 * Misuse detection needs to know what the calling thread holds, and a
 * reader count says how many, not who: each thread keeps its holds (lock
 * and mode) in a small thread-local table.  That table, not the lock, is
 * also what unlock asks "read or write?", so the fast paths touch the
 * lock's line only with their CAS: on two cores a plain load of a line the
 * other core just wrote costs a transfer of its own before the CAS's.
 *
 * Gates: every operation passes ls_gate before it acts, with the kind of
 * the event it is about to cause (RD_ACQUIRED, WR_ACQUIRED, RD_RELEASED,
 * WR_RELEASED; ERROR for an unlock of a lock not held), never holding mu.
 */
#include "config.h"

#include "lockstep/rwlock.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"

/* The state word. */
#define RW_READER	1u		/* one reader inside */
#define RW_READERS	0x3fffffffu	/* mask of the reader count */
#define RW_WRITER	0x40000000u	/* a writer is inside */
#define RW_SLOW		0x80000000u	/* the word changes only under mu */

/* A waiter's mode; also the aux of RW_TIMEOUT (1 writer, 0 reader). */
enum rw_mode {
	RW_READ = 0,
	RW_WRITE = 1,
};

/* How long an acquisition may wait. */
enum rw_how {
	RW_BLOCK,
	RW_TRY,
	RW_TIMED,
};

struct ls_rwlock {
	/* The fast path touches this line only: the word and the read-only
	 * fields every operation reads. */
	alignas(64) _Atomic uint32_t state;
	uint32_t id;
	enum ls_rwlock_policy policy;
	/* The writer inside: its tid for stats (0 when none, or when it has
	 * no lane), and when it got in, for WR_RELEASED.  Written by the
	 * writer (or its granter, under mu) while it holds the lock. */
	_Atomic unsigned writer_tid;
	uint64_t wr_since;

	/* mu guards q, rd_waiting and wr_waiting, and the state word while
	 * SLOW is set. */
	alignas(64) pthread_mutex_t mu;
	struct waitq q;
	unsigned rd_waiting;
	unsigned wr_waiting;
};

/* What the calling thread holds: each rwlock at most once (a second hold
 * is refused as a self-deadlock), with its mode. */
struct held {
	const struct ls_rwlock *lock[LS_RWLOCK_MAX_HELD];
	unsigned char mode[LS_RWLOCK_MAX_HELD];
	unsigned n;
};

static _Thread_local struct held held;

static int
held_find(const struct ls_rwlock *l)
{
	unsigned i;

	for (i = 0; i < held.n; i++)
		if (held.lock[i] == l)
			return (int)i;
	return -1;
}

static void
held_add(const struct ls_rwlock *l, unsigned mode)
{
	held.lock[held.n] = l;
	held.mode[held.n] = (unsigned char)mode;
	held.n++;
}

static void
held_del(int i)
{
	held.n--;
	held.lock[i] = held.lock[held.n];
	held.mode[i] = held.mode[held.n];
}

/* The calling thread's tid, without creating a record for a thread that
 * has none (it has no lane then, so its tid is 0). */
static unsigned
rwlock_self_tid(void)
{
	struct ls_thread *self = thread_current;

	return self ? ls_thread_tid(self) : 0;
}

static uint32_t
us_since(uint64_t since_ns, uint64_t now_ns)
{
	uint64_t us = (now_ns - since_ns) / 1000u;

	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/*
 * Take the word for the mutex-guarded side: set SLOW if it is clear.
 * Caller holds mu.  Returns the word without SLOW.  acq_rel: the CAS reads
 * a fast-path release (so whatever this thread grants happens after that
 * reader's or writer's critical section) and publishes SLOW to the fast
 * paths, whose CASes then fail.
 */
static uint32_t
rwlock_slow_begin_locked(struct ls_rwlock *l)
{
	uint32_t s = atomic_load_explicit(&l->state, memory_order_acquire);

	while (!(s & RW_SLOW) &&
	       !atomic_compare_exchange_weak_explicit(&l->state, &s,
						      s | RW_SLOW,
						      memory_order_acq_rel,
						      memory_order_acquire))
		;
	return s & ~RW_SLOW;
}

/* Store the word (SLOW kept set) while owning it.  Release: a fast path
 * that later reads the word must see every write made before it. */
static void
rwlock_store_locked(struct ls_rwlock *l, uint32_t s)
{
	atomic_store_explicit(&l->state, s | RW_SLOW, memory_order_release);
}

/*
 * Leave the mutex-guarded side: clear SLOW once nobody is queued, giving
 * the word back to the fast paths.  Caller holds mu.  A granted waiter
 * comes here without owning the word (its granter may have cleared SLOW
 * already, and the fast paths may be running), so the word is written
 * only while SLOW shows it is ours: a plain store then loses nothing.
 */
static void
rwlock_slow_end_locked(struct ls_rwlock *l)
{
	uint32_t s;

	if (l->q.len)
		return;
	s = atomic_load_explicit(&l->state, memory_order_relaxed);
	if (s & RW_SLOW)
		atomic_store_explicit(&l->state, s & ~RW_SLOW,
				      memory_order_release);
}

/* May an arriving thread of mode go in now, past everybody queued?
 * s is the word without SLOW.  Caller holds mu with SLOW set. */
static bool
rwlock_admit_locked(const struct ls_rwlock *l, unsigned mode, uint32_t s)
{
	if (s & RW_WRITER)
		return false;
	if (mode == RW_WRITE)
		return !(s & RW_READERS) && !l->q.len;
	switch (l->policy) {
	case LS_RWLOCK_WRITER_PREF:
		return !l->wr_waiting;
	case LS_RWLOCK_READER_PREF:
		return true;
	case LS_RWLOCK_FAIR:
	default:
		return !l->q.len;
	}
}

/* Count w in as a reader and wake it.  Caller holds mu with SLOW set. */
static void
rwlock_grant_reader_locked(struct ls_rwlock *l, struct waiter *w)
{
	uint32_t s = atomic_load_explicit(&l->state, memory_order_relaxed);

	rwlock_store_locked(l, (s & ~RW_SLOW) + RW_READER);
	l->rd_waiting--;
	waitq_grant(&l->q, w);
}

/* Make w the writer and wake it.  Caller holds mu with SLOW set. */
static void
rwlock_grant_writer_locked(struct ls_rwlock *l, struct waiter *w)
{
	uint32_t s = atomic_load_explicit(&l->state, memory_order_relaxed);

	rwlock_store_locked(l, (s & ~RW_SLOW) | RW_WRITER);
	atomic_store_explicit(&l->writer_tid, ls_thread_tid(w->t),
			      memory_order_relaxed);
	l->wr_waiting--;
	waitq_grant(&l->q, w);
}

/* Grant every queued reader (skipping writers).  Caller holds mu. */
static void
rwlock_grant_all_readers_locked(struct ls_rwlock *l)
{
	struct waiter *w, *next;

	for (w = l->q.head; w && l->rd_waiting; w = next) {
		next = w->next;	/* granting unlinks w */
		if (w->mode == RW_READ)
			rwlock_grant_reader_locked(l, w);
	}
}

/* Grant the oldest queued writer.  Caller holds mu; one is queued. */
static void
rwlock_grant_first_writer_locked(struct ls_rwlock *l)
{
	struct waiter *w;

	for (w = l->q.head; w; w = w->next)
		if (w->mode == RW_WRITE) {
			rwlock_grant_writer_locked(l, w);
			return;
		}
}

/*
 * Hand the lock to whichever waiters the policy picks now that it may have
 * become available (a release, a waiter that gave up).  Caller holds mu
 * with SLOW set.  After it no queued waiter could be admitted, which is
 * why rwlock_admit_locked can let arrivals in without looking further.
 */
static void
rwlock_grant_locked(struct ls_rwlock *l)
{
	uint32_t s = atomic_load_explicit(&l->state, memory_order_relaxed);
	uint32_t readers = s & RW_READERS;
	struct waiter *w, *next;

	if ((s & RW_WRITER) || !l->q.len)
		return;
	switch (l->policy) {
	case LS_RWLOCK_WRITER_PREF:
		if (l->wr_waiting) {
			if (!readers)
				rwlock_grant_first_writer_locked(l);
			return;
		}
		rwlock_grant_all_readers_locked(l);
		return;
	case LS_RWLOCK_READER_PREF:
		if (l->rd_waiting)
			rwlock_grant_all_readers_locked(l);
		else if (!readers)
			rwlock_grant_first_writer_locked(l);
		return;
	case LS_RWLOCK_FAIR:
	default:
		w = l->q.head;
		if (w->mode == RW_WRITE) {
			if (!readers)
				rwlock_grant_writer_locked(l, w);
			return;
		}
		for (; w && w->mode == RW_READ; w = next) {
			next = w->next;
			rwlock_grant_reader_locked(l, w);
		}
		return;
	}
}

/* The group was cancelled while the caller was parked at the gate. */
static int
rwlock_cancelled(const struct ls_rwlock *l)
{
	ls_emit(LS_EV_CANCELLED, l->id, 0, 0);
	return -ECANCELED;
}

/* Report misuse: an ERROR event with code and the mode of the offending
 * operation as detail, and the errno to return. */
static int
rwlock_misuse(const struct ls_rwlock *l, unsigned code, unsigned mode,
	      int err)
{
	ls_emit(LS_EV_ERROR, l->id, code, mode);
	return err;
}

/* Refuse an acquisition of mode that would deadlock the caller on itself
 * (a second hold of l in either mode), or that the hold table cannot
 * record.  Returns 0 or a negative errno. */
static int
rwlock_check_acquire(const struct ls_rwlock *l, unsigned mode)
{
	if (!held.n)
		return 0;
	if (held_find(l) >= 0)
		return rwlock_misuse(l, LS_ERR_RELOCK, mode, -EDEADLK);
	if (held.n == LS_RWLOCK_MAX_HELD)
		return -EAGAIN;
	return 0;
}

/*
 * The mutex-guarded side of an acquisition: go in if the policy admits
 * the caller now, else (unless trying) queue and park until granted, timed
 * out or cancelled.  Emits WAIT, ACQUIRED, RW_TIMEOUT and CANCELLED.
 * Returns 0, -EBUSY, -ETIMEDOUT or -ECANCELED.
 */
static int
rwlock_acquire_slow(struct ls_rwlock *l, unsigned mode, enum rw_how how,
		    uint64_t timeout_ns)
{
	struct ls_thread *self = ls_thread_self();
	struct waiter w = { .t = self, .obj = l->id, .mode = mode };
	uint64_t deadline = 0, now = 0;
	uint32_t s, readers_after = 0;
	bool waited = false;
	int rc = 0;

	if (how == RW_TIMED) {
		deadline = ls_clock_ns() + timeout_ns;
		if (deadline < timeout_ns)
			deadline = UINT64_MAX;	/* "forever", not "none" */
	}
	engine_lock(&l->mu);
	s = rwlock_slow_begin_locked(l);
	if (rwlock_admit_locked(l, mode, s)) {
		if (mode == RW_WRITE) {
			rwlock_store_locked(l, s | RW_WRITER);
			atomic_store_explicit(&l->writer_tid,
					      ls_thread_tid(self),
					      memory_order_relaxed);
		} else {
			rwlock_store_locked(l, s + RW_READER);
			readers_after = (s & RW_READERS) + 1;
		}
	} else if (how == RW_TRY) {
		rc = -EBUSY;
	} else {
		w.since_ns = ls_clock_ns();
		waitq_push(&l->q, &w);
		if (mode == RW_WRITE)
			l->wr_waiting++;
		else
			l->rd_waiting++;
		ls_emit(mode == RW_WRITE ? LS_EV_WR_WAIT : LS_EV_RD_WAIT,
			l->id, s & RW_READERS, l->q.len);
		waited = true;
		rc = waitq_sleep_locked(&l->q, &w, &l->mu, deadline);
		if (rc) {
			/* w was queued until now, so SLOW is set and the
			 * word is ours to grant from. */
			if (mode == RW_WRITE)
				l->wr_waiting--;
			else
				l->rd_waiting--;
			rwlock_grant_locked(l);
		} else if (mode == RW_READ) {
			s = atomic_load_explicit(&l->state,
						 memory_order_relaxed);
			readers_after = s & RW_READERS;
		}
	}
	rwlock_slow_end_locked(l);
	engine_unlock(&l->mu);

	if (waited)
		now = ls_clock_ns();
	if (rc == 0) {
		held_add(l, mode);
		if (mode == RW_WRITE) {
			if (ls_trace_lane) {
				l->wr_since = waited ? now : ls_clock_ns();
				ls_emit(LS_EV_WR_ACQUIRED, l->id,
					waited ? now - w.since_ns : 0, 0);
			}
		} else {
			ls_emit(LS_EV_RD_ACQUIRED, l->id, readers_after,
				waited ? us_since(w.since_ns, now) : 0);
		}
	} else if (rc == -ECANCELED) {
		ls_emit(LS_EV_CANCELLED, l->id, 0, 0);
	} else {
		/* A failed try is shown as a timeout after no wait. */
		ls_emit(LS_EV_RW_TIMEOUT, l->id,
			waited ? now - w.since_ns : 0, mode);
	}
	return rc;
}

static int
rwlock_rdlock(struct ls_rwlock *l, enum rw_how how, uint64_t timeout_ns,
	      const char *desc)
{
	uint32_t s = 0;
	int rc;

	if (ls_gate(LS_EV_RD_ACQUIRED, l->id, desc))
		return rwlock_cancelled(l);
	rc = rwlock_check_acquire(l, RW_READ);
	if (rc)
		return rc;
	/* Guess the word is 0 rather than load it: a failed CAS returns the
	 * word with the line already ours, so the retry is local.
	 * Acquire: the critical section comes after the last writer's. */
	while (!atomic_compare_exchange_weak_explicit(&l->state, &s,
						      s + RW_READER,
						      memory_order_acquire,
						      memory_order_relaxed))
		if (s & (RW_WRITER | RW_SLOW))
			goto slow;
	held_add(l, RW_READ);
	ls_emit(LS_EV_RD_ACQUIRED, l->id, (s & RW_READERS) + 1, 0);
	return 0;
slow:
	if (how == RW_TRY && !(s & RW_SLOW)) {
		/* A writer is inside: no policy lets a reader in. */
		ls_emit(LS_EV_RW_TIMEOUT, l->id, 0, RW_READ);
		return -EBUSY;
	}
	return rwlock_acquire_slow(l, RW_READ, how, timeout_ns);
}

static int
rwlock_wrlock(struct ls_rwlock *l, enum rw_how how, uint64_t timeout_ns,
	      const char *desc)
{
	uint32_t s = 0;
	int rc;

	if (ls_gate(LS_EV_WR_ACQUIRED, l->id, desc))
		return rwlock_cancelled(l);
	rc = rwlock_check_acquire(l, RW_WRITE);
	if (rc)
		return rc;
	/* Acquire: the critical section comes after everybody's before. */
	if (atomic_compare_exchange_strong_explicit(&l->state, &s, RW_WRITER,
						    memory_order_acquire,
						    memory_order_relaxed)) {
		atomic_store_explicit(&l->writer_tid, rwlock_self_tid(),
				      memory_order_relaxed);
		held_add(l, RW_WRITE);
		if (ls_trace_lane) {
			l->wr_since = ls_clock_ns();
			ls_emit(LS_EV_WR_ACQUIRED, l->id, 0, 0);
		}
		return 0;
	}
	if (how == RW_TRY && (s & (RW_READERS | RW_WRITER))) {
		ls_emit(LS_EV_RW_TIMEOUT, l->id, 0, RW_WRITE);
		return -EBUSY;
	}
	return rwlock_acquire_slow(l, RW_WRITE, how, timeout_ns);
}

/* Release a write hold.  The caller is the writer and passed the gate. */
static void
rwlock_wrunlock(struct ls_rwlock *l)
{
	uint32_t s = RW_WRITER;

	if (ls_trace_lane)
		ls_emit(LS_EV_WR_RELEASED, l->id, ls_clock_ns() - l->wr_since,
			0);
	atomic_store_explicit(&l->writer_tid, 0, memory_order_relaxed);
	/* Release: the critical section before whoever enters next. */
	if (atomic_compare_exchange_strong_explicit(&l->state, &s, 0,
						    memory_order_release,
						    memory_order_relaxed))
		return;
	engine_lock(&l->mu);
	s = rwlock_slow_begin_locked(l);
	rwlock_store_locked(l, s & ~RW_WRITER);
	rwlock_grant_locked(l);
	rwlock_slow_end_locked(l);
	engine_unlock(&l->mu);
}

/* Release a read hold.  The caller holds l for reading, passed the gate. */
static void
rwlock_rdunlock(struct ls_rwlock *l)
{
	uint32_t s = RW_READER;

	/* The count after is exact unless another reader moves at once.
	 * Loaded only for the event: see the guess below. */
	if (ls_trace_lane)
		ls_emit(LS_EV_RD_RELEASED, l->id,
			(atomic_load_explicit(&l->state, memory_order_relaxed) &
			 RW_READERS) - 1,
			0);
	/* Guess we are the only reader (see rwlock_rdlock).  Release: the
	 * critical section before the next writer's. */
	while (!atomic_compare_exchange_weak_explicit(&l->state, &s,
						      s - RW_READER,
						      memory_order_release,
						      memory_order_relaxed))
		if (s & RW_SLOW)
			goto slow;
	return;
slow:
	engine_lock(&l->mu);
	s = rwlock_slow_begin_locked(l);
	rwlock_store_locked(l, s - RW_READER);
	rwlock_grant_locked(l);
	rwlock_slow_end_locked(l);
	engine_unlock(&l->mu);
}

int
ls_rwlock_create(struct ls_ring *ring, const char *name,
		 enum ls_rwlock_policy policy, struct ls_rwlock **out)
{
	struct ls_rwlock *l;
	int err;

	if ((unsigned)policy >= LS_RWLOCK_POLICY_COUNT)
		return -EINVAL;
	/* aligned_alloc: the state word's line must be the lock's own. */
	l = aligned_alloc(64, sizeof(*l));
	if (!l)
		return -ENOMEM;
	memset(l, 0, sizeof(*l));
	l->policy = policy;
	atomic_init(&l->state, 0);
	atomic_init(&l->writer_tid, 0);
	err = pthread_mutex_init(&l->mu, NULL);
	if (err)
		goto fail;
	l->id = ls_ring_object_add(ring, LS_OBJ_RWLOCK, name);
	*out = l;
	return 0;
fail:
	free(l);
	return -err;
}

int
ls_rwlock_destroy(struct ls_rwlock *l)
{
	bool busy;

	if (!l)
		return 0;
	engine_lock(&l->mu);
	busy = atomic_load(&l->state) != 0 || l->q.len;
	engine_unlock(&l->mu);
	if (busy)
		return -EBUSY;
	pthread_mutex_destroy(&l->mu);
	free(l);
	return 0;
}

int
ls_rwlock_rdlock(struct ls_rwlock *l)
{
	return rwlock_rdlock(l, RW_BLOCK, 0, "rdlock");
}

int
ls_rwlock_tryrdlock(struct ls_rwlock *l)
{
	return rwlock_rdlock(l, RW_TRY, 0, "tryrdlock");
}

int
ls_rwlock_timedrdlock(struct ls_rwlock *l, uint64_t timeout_ns)
{
	return rwlock_rdlock(l, RW_TIMED, timeout_ns, "timedrdlock");
}

int
ls_rwlock_wrlock(struct ls_rwlock *l)
{
	return rwlock_wrlock(l, RW_BLOCK, 0, "wrlock");
}

int
ls_rwlock_trywrlock(struct ls_rwlock *l)
{
	return rwlock_wrlock(l, RW_TRY, 0, "trywrlock");
}

int
ls_rwlock_timedwrlock(struct ls_rwlock *l, uint64_t timeout_ns)
{
	return rwlock_wrlock(l, RW_TIMED, timeout_ns, "timedwrlock");
}

int
ls_rwlock_unlock(struct ls_rwlock *l)
{
	int i = held_find(l);
	unsigned mode;

	if (i < 0) {
		(void)ls_gate(LS_EV_ERROR, l->id, "unlock, not held");
		return rwlock_misuse(l, LS_ERR_NOT_OWNER, RW_READ, -EPERM);
	}
	mode = held.mode[i];
	/* The gate's -ECANCELED is ignored: a cancelled thread must still
	 * let go of what it holds. */
	if (mode == RW_WRITE)
		(void)ls_gate(LS_EV_WR_RELEASED, l->id, "wrunlock");
	else
		(void)ls_gate(LS_EV_RD_RELEASED, l->id, "rdunlock");
	held_del(i);
	if (mode == RW_WRITE)
		rwlock_wrunlock(l);
	else
		rwlock_rdunlock(l);
	return 0;
}

uint32_t
ls_rwlock_id(const struct ls_rwlock *l)
{
	return l->id;
}

enum ls_rwlock_policy
ls_rwlock_policy(const struct ls_rwlock *l)
{
	return l->policy;
}

void
ls_rwlock_stats(const struct ls_rwlock *l, struct ls_rwlock_stats *st)
{
	/* mu is internal state, not part of the lock's logical value. */
	struct ls_rwlock *ml = (struct ls_rwlock *)l;
	uint32_t s;

	engine_lock(&ml->mu);
	s = atomic_load_explicit(&ml->state, memory_order_acquire);
	st->readers = s & RW_READERS;
	st->writer = (s & RW_WRITER) != 0;
	st->writer_tid = st->writer ? atomic_load_explicit(&ml->writer_tid,
							  memory_order_relaxed)
				    : 0;
	st->readers_waiting = ml->rd_waiting;
	st->writers_waiting = ml->wr_waiting;
	engine_unlock(&ml->mu);
}

const char *
ls_rwlock_policy_name(enum ls_rwlock_policy policy)
{
	switch (policy) {
	case LS_RWLOCK_WRITER_PREF:
		return "writer";
	case LS_RWLOCK_READER_PREF:
		return "reader";
	case LS_RWLOCK_FAIR:
		return "fair";
	default:
		return "?";
	}
}
