/*
 * rwlock.c - the engine's instrumented read-write lock.
 *
 * One 32-bit state word holds the count of readers inside, a bit for a
 * writer inside, a SLOW bit and a WANT bit (below).  While SLOW is clear,
 * a reader enters with one fetch-add and leaves with one fetch-sub, and a
 * writer takes a free lock with one CAS and leaves with one fetch-sub: no
 * internal mutex, which is what keeps the lock at least as fast as glibc's
 * when it is not contended (`lockstep bench rwlock`).
 *
 * SLOW is set, under the internal mutex mu, by any thread that needs the
 * mutex-guarded side (one that must queue, or a try or timed wait that must
 * look at the queue), and cleared under mu once the queue is empty.  While
 * it is set, no thread gets in without mu: a reader's fetch-add that finds
 * SLOW (or WRITER, or WANT) is a transient, undone at once by a fetch-sub,
 * and a writer's CAS expects 0 (WANT alone, from the writer that set it).
 * So the only changes to the word that mu does not order are transients
 * and releases, and both only ever make the lock look busier than it is to
 * the thread deciding under mu: its decisions err on the side of
 * queueing.  What repairs that is one rule: whoever changes the
 * word and finds SLOW set (a release, an undone transient) then takes mu
 * and runs the grant, which hands the lock to whoever the policy picks
 * given the word as it now is.  Every write to the word is a read-modify-
 * write, so nobody's change is ever lost to another's store.
 *
 * WANT is a writer's claim, under writer preference, to go in next.  A
 * writer spinning while readers are inside sets it (with SLOW clear), and
 * every arrival treats it as a writer inside, so the readers drain and the
 * writer goes in as the last one leaves.  Without it, two threads that
 * read a short critical section in turn keep the count above zero nearly
 * all the time, the writer's spin fails, and every write sleeps in the
 * kernel: at 99 reads in 100 the lock ran at 0.6-0.9x glibc's (`lockstep
 * bench rwlock`).  Only its writer clears it: by going in (a CAS from
 * WANT alone to WRITER, with SLOW clear), or under mu, where it goes once
 * its spin is spent or somebody queued.  While it is set, the grant hands
 * out nothing, since that writer is on its way to decide; so it cannot
 * keep the writer's place and also let a reader that queued behind it in.
 * The price is the one every spin pays: a writer preempted while it holds
 * WANT holds the readers off until it runs again, as a preempted holder
 * would.  A timed wait of no time does not spin, so it never claims.
 *
 * Waiting follows engine-int.h: a struct waiter on the waiter's stack in
 * one FIFO (readers and writers together, so FAIR can keep arrival order
 * and the ui can show the queue as it is), parked on the thread's own
 * parker, granted under mu by whoever runs the grant: the granter counts
 * the waiter into the word before waking it (direct hand-off), so a granted
 * waiter owns the lock even before it runs.  Which waiters the grant picks,
 * and which arrivals may go straight in, is the policy (rwlock-policy.c).
 * A waiter that times out or is cancelled leaves the queue and runs the
 * grant too, since a departing writer can be all that kept the readers
 * behind it out; until it has left, a waiter whose group is cancelled is
 * passed over by every grant, as in every primitive (engine-int.h), so the
 * lock never goes to a thread that is on its way out.
 *
 * Misuse detection needs to know what the calling thread holds, and a
 * reader count says how many, not who: each thread keeps its holds (lock
 * and mode) in a small thread-local table.  That table, not the lock, is
 * also what unlock asks "read or write?", so the fast paths touch the
 * lock's line only with their one atomic: on two cores a plain load of a
 * line the other core just wrote costs a transfer of its own.
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
#include "engine-valgrind.h"
#include "rwlock-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"

/* Keep the contended paths out of line, so the fast paths inlined into
 * each public function stay a few instructions with a small frame. */
#define RW_COLD __attribute__((noinline, cold))
#define RW_INLINE inline __attribute__((always_inline))

/* The spin before queueing adapts to the lock and the machine: see
 * rwlock-spin.c. */

/* How long an acquisition may wait. */
enum rw_how {
	RW_BLOCK,
	RW_TRY,
	RW_TIMED,
};

/* What the calling thread holds: each rwlock at most once (a second hold
 * is refused as a self-deadlock), with its mode. */
struct held {
	const struct ls_rwlock *lock[LS_RWLOCK_MAX_HELD];
	unsigned char mode[LS_RWLOCK_MAX_HELD];
	unsigned n;
};

static _Thread_local struct held held;

/* Where l is in the table, or -1.  From the newest: locks are mostly
 * released in the reverse order of taking, so it is found first. */
static RW_INLINE int
held_find(const struct ls_rwlock *l)
{
	int i;

	for (i = (int)held.n - 1; i >= 0; i--)
		if (held.lock[i] == l)
			return i;
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

/* Do the wake-ups left for after mu, stamping when, for the woken to
 * measure their hand-off (rwlock_handoff_learn). */
static void
rwlock_wake(struct ls_rwlock *l, struct rwlock_wakes *wk)
{
	unsigned i;

	if (wk->n)
		atomic_store_explicit(&l->grant_tk, ls_clock_ticks(),
				      memory_order_relaxed);
	for (i = 0; i < wk->n; i++)
		thread_wake(&wk->wk[i]);
	wk->n = 0;
}

/*
 * Enter the mutex-guarded side: set SLOW, so that from now on nobody gets
 * in without mu.  Caller holds mu.  Returns the word, without SLOW.
 * acq_rel: it reads the fast paths' releases (whatever this thread grants
 * comes after those critical sections) and publishes SLOW to them.
 */
static uint32_t
rwlock_slow_begin_locked(struct ls_rwlock *l)
{
	return atomic_fetch_or_explicit(&l->state, RW_SLOW,
					memory_order_acq_rel) & ~RW_SLOW;
}

/* Leave it: clear SLOW once nobody is queued, giving the lock back to the
 * fast paths.  Caller holds mu.  Release: a fast path that then gets in
 * comes after every hold granted and released here. */
static void
rwlock_slow_end_locked(struct ls_rwlock *l)
{
	if (!l->q.len)
		atomic_fetch_and_explicit(&l->state, ~RW_SLOW,
					  memory_order_release);
}

/* The rule of the top comment: the caller changed the word and found SLOW
 * set, so run the grant under mu. */
static RW_COLD void
rwlock_regrant(struct ls_rwlock *l)
{
	struct rwlock_wakes wk = { .n = 0 };

	engine_lock(&l->mu);
	rwlock_slow_begin_locked(l);
	rwlock_policy_grant_locked(l, &wk);
	rwlock_slow_end_locked(l);
	engine_unlock(&l->mu);
	rwlock_wake(l, &wk);
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

/* The part of rwlock_check_acquire for a thread that holds something. */
static RW_COLD int
rwlock_check_held(const struct ls_rwlock *l, unsigned mode)
{
	if (held_find(l) >= 0)
		return rwlock_misuse(l, LS_ERR_RELOCK, mode, -EDEADLK);
	if (held.n == LS_RWLOCK_MAX_HELD)
		return -EAGAIN;
	return 0;
}

/* Refuse an acquisition of mode that would deadlock the caller on itself
 * (a second hold of l in either mode), or that the hold table cannot
 * record.  Returns 0 or a negative errno. */
static RW_INLINE int
rwlock_check_acquire(const struct ls_rwlock *l, unsigned mode)
{
	return held.n ? rwlock_check_held(l, mode) : 0;
}

/*
 * The mutex-guarded side of an acquisition: run the grant (the caller may
 * have undone a transient), then go in if the policy admits the caller
 * now, else (unless trying) queue and park until granted, timed out or
 * cancelled.  A caller that holds WANT (want) is first by right: it clears
 * WANT and goes in if nobody is inside, else queues, with no grant.  Emits
 * WAIT, ACQUIRED, RW_TIMEOUT and CANCELLED.  Returns 0, -EBUSY, -ETIMEDOUT
 * or -ECANCELED.
 */
static RW_COLD int
rwlock_acquire_slow(struct ls_rwlock *l, unsigned mode, enum rw_how how,
		    uint64_t timeout_ns, bool want)
{
	struct ls_thread *self = ls_thread_self();
	struct waiter w = { .t = self, .obj = l->id, .mode = mode };
	struct rwlock_wakes wk = { .n = 0 };
	uint64_t deadline = 0, now = 0;
	uint32_t s, readers_after = 0;
	bool waited = false, admitted;
	int rc = 0;

	/* One reading for the deadline and the wait, so that a timeout
	 * reports a wait of at least the timeout. */
	w.since_ns = ls_clock_ns();
	if (how == RW_TIMED) {
		deadline = w.since_ns + timeout_ns;
		if (deadline < timeout_ns)
			deadline = UINT64_MAX;	/* "forever", not "none" */
	}
	engine_lock(&l->mu);
	rwlock_slow_begin_locked(l);
	if (want) {
		/* The caller holds WANT, so it is first: it goes in if nobody
		 * is inside, else queues.  Either way, the grant has nothing
		 * to add: every grant held back by WANT waited for a lock
		 * that is now taken, or held by readers whose releases will
		 * run the grant again. */
		s = atomic_fetch_and_explicit(&l->state, ~RW_WANT,
					      memory_order_acquire) &
		    ~(RW_SLOW | RW_WANT);
		admitted = !(s & (RW_READERS | RW_WRITER));
	} else {
		rwlock_policy_grant_locked(l, &wk);
		s = rwlock_word(l);
		admitted = rwlock_policy_admit_locked(l, mode, s);
	}
	if (admitted) {
		rwlock_take_locked(l, mode, self);
		readers_after = (s & RW_READERS) + 1;
	} else if (how == RW_TRY) {
		rc = -EBUSY;
	} else {
		waitq_push(&l->q, &w);
		if (mode == RW_WRITE)
			l->wr_waiting++;
		else
			l->rd_waiting++;
		ls_emit(mode == RW_WRITE ? LS_EV_WR_WAIT : LS_EV_RD_WAIT,
			l->id, s & RW_READERS, l->q.len);
		/* Nobody may be left waiting for a wake-up we hold back
		 * while we sleep. */
		if (wk.n) {
			engine_unlock(&l->mu);
			rwlock_wake(l, &wk);
			engine_lock(&l->mu);
		}
		waited = true;
		rc = waitq_sleep_locked(&l->q, &w, &l->mu, deadline);
		if (!rc)
			rwlock_handoff_learn(l);
		if (rc) {
			/* w was queued until now, so SLOW is still set. */
			if (mode == RW_WRITE)
				l->wr_waiting--;
			else
				l->rd_waiting--;
			rwlock_policy_grant_locked(l, &wk);
		} else if (mode == RW_READ) {
			readers_after = rwlock_word(l) & RW_READERS;
		}
	}
	rwlock_slow_end_locked(l);
	engine_unlock(&l->mu);
	rwlock_wake(l, &wk);

	if (waited)
		now = ls_clock_ns();
	if (rc == 0) {
		held_add(l, mode);
		if (mode == RW_WRITE) {
			l->wr_since = ls_emit_stamp(LS_EV_WR_ACQUIRED, l->id,
						    waited ? now - w.since_ns
							   : 0,
						    0);
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

/*
 * Go in without mu if the word allows it: a reader while no writer is
 * inside or wants in (WANT) and SLOW is clear, a writer when the word is
 * 0.  Acquire: the critical section comes after the previous holder's.  On
 * failure *s is the word seen, and a reader's transient has been undone:
 * the returned word is the one after the undo, which says whether the rule
 * of the top comment applies (SLOW set: take the slow path, which runs the
 * grant).
 */
static RW_INLINE bool
rwlock_try_in(struct ls_rwlock *l, unsigned mode, uint32_t *s)
{
	if (mode == RW_WRITE) {
		*s = 0;
		return atomic_compare_exchange_strong_explicit(
			&l->state, s, RW_WRITER, memory_order_acquire,
			memory_order_relaxed);
	}
	*s = atomic_fetch_add_explicit(&l->state, RW_READER,
				       memory_order_acquire);
	if (!(*s & (RW_WRITER | RW_SLOW | RW_WANT)))
		return true;
	/* Relaxed: the transient published nothing and guards nothing. */
	*s = atomic_fetch_sub_explicit(&l->state, RW_READER,
				       memory_order_relaxed) - RW_READER;
	return false;
}

/* One look of a spinning reader at the word s: go in if no writer is
 * inside or wants in.  True when in; *s is then as rwlock_try_in left it. */
static bool
rwlock_spin_read(struct ls_rwlock *l, uint32_t *s)
{
	return !(*s & (RW_WRITER | RW_WANT)) && rwlock_try_in(l, RW_READ, s);
}

/* One look of a spinning writer at the word s (SLOW clear).  It goes in
 * when the word is free but for its own WANT (*want: it set WANT).  Else,
 * with readers inside, no WANT set and writer preference, it sets WANT,
 * so that the readers drain (see the top).  True when in. */
bool
rwlock_spin_write(struct ls_rwlock *l, uint32_t *s, bool *want)
{
	uint32_t free_word = *want ? RW_WANT : 0;

	if (*s == free_word)
		return atomic_compare_exchange_strong_explicit(
			&l->state, s, RW_WRITER, memory_order_acquire,
			memory_order_relaxed);
	if (!*want && !(*s & (RW_WANT | RW_WRITER)) &&
	    l->policy == LS_RWLOCK_WRITER_PREF)
		*want = atomic_compare_exchange_strong_explicit(
			&l->state, s, *s | RW_WANT, memory_order_relaxed,
			memory_order_relaxed);
	return false;
}

/* Look again, for up to the lock's spin budget, for a lock held while
 * nobody queues (see RW_SPIN_MAX_NS).  Returns true when in; false, with
 * *s the word last seen, when the budget is spent or somebody queued
 * (SLOW), and *want set if the caller, a writer, holds WANT: it must take
 * it to mu (rwlock_acquire_slow). */
static RW_COLD bool
rwlock_spin(struct ls_rwlock *l, unsigned mode, uint32_t *s, bool *want)
{
	uint32_t budget = rwlock_spin_budget(l);
	uint64_t t0, spent = 0;
	bool in = false;
	unsigned i;

	if (!budget)
		return false;
	t0 = ls_clock_ticks();
	for (i = 1;; i++) {
		engine_cpu_relax();
		*s = atomic_load_explicit(&l->state, memory_order_relaxed);
		if (*s & RW_SLOW)
			break;
		in = mode == RW_WRITE ? rwlock_spin_write(l, s, want)
				      : rwlock_spin_read(l, s);
		if (in || (*s & RW_SLOW))
			break;
		if (i % RW_SPIN_LOOKS == 0) {
			spent = ls_clock_ticks_to_ns(ls_clock_ticks() - t0);
			if (spent >= budget)
				break;
		}
	}
	/* A spin cut short by a waiter queueing (SLOW) says nothing. */
	if (in || spent >= budget)
		rwlock_spin_learn(l, budget, in);
	return in;
}

/* The bookkeeping after going in without mu; s is the word before. */
static RW_INLINE int
rwlock_fast_acquired(struct ls_rwlock *l, unsigned mode, uint32_t s)
{
	held_add(l, mode);
	if (mode == RW_READ) {
		ls_emit(LS_EV_RD_ACQUIRED, l->id, (s & RW_READERS) + 1, 0);
		return 0;
	}
	atomic_store_explicit(&l->writer_tid, rwlock_self_tid(),
			      memory_order_relaxed);
	/* The event's stamp starts the hold: one clock read for both. */
	l->wr_since = ls_emit_stamp(LS_EV_WR_ACQUIRED, l->id, 0, 0);
	return 0;
}

/* An acquisition whose fast path failed, leaving the word seen in s:
 * fail a try at once if no policy could let us in, spin a little if
 * nobody queues, else decide under mu. */
static RW_COLD int
rwlock_lock_contended(struct ls_rwlock *l, unsigned mode, enum rw_how how,
		      uint64_t timeout_ns, uint32_t s)
{
	bool want = false;

	if (!(s & RW_SLOW)) {
		if (how == RW_TRY) {
			/* Held in a mode that excludes us, or claimed by a
			 * spinning writer (WANT), with nobody queued: no
			 * policy admits us now.  (A lock that came free
			 * meanwhile goes to mu to decide.) */
			if (s & (mode == RW_READ
					 ? RW_WRITER | RW_WANT
					 : RW_READERS | RW_WRITER | RW_WANT)) {
				ls_emit(LS_EV_RW_TIMEOUT, l->id, 0, mode);
				return -EBUSY;
			}
		} else if (how == RW_BLOCK || timeout_ns) {
			if (rwlock_spin(l, mode, &s, &want))
				return rwlock_fast_acquired(l, mode, s);
		}
	}
	return rwlock_acquire_slow(l, mode, how, timeout_ns, want);
}

/* The gate probe of a blocking acquisition: would the policy let the
 * caller in now, with the lock and its queue as they are?  The queue is
 * settled (the group rests), so a grant has nothing left to hand out. */
static bool
rwlock_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_rwlock *l = (struct ls_rwlock *)prim;
	unsigned mode = kind == LS_EV_WR_ACQUIRED ? RW_WRITE : RW_READ;
	uint32_t s;
	bool ready;

	engine_lock(&l->mu);
	s = rwlock_word(l);
	ready = rwlock_policy_admit_locked(l, mode, s);
	if (!ready && (s & RW_WRITER))
		*holder = atomic_load_explicit(&l->writer_tid,
					       memory_order_relaxed);
	engine_unlock(&l->mu);
	return ready;
}

static const struct ls_gate_probe rwlock_probe = { .ready = rwlock_ready };

/* Every acquisition: gate, misuse check, fast path, then the rest.
 * Inlined into each public function with its constant mode and how. */
static RW_INLINE int
rwlock_lock(struct ls_rwlock *l, unsigned mode, enum rw_how how,
	    uint64_t timeout_ns, const char *desc)
{
	uint32_t s;
	int rc;

	if (ls_gate_probed(mode == RW_WRITE ? LS_EV_WR_ACQUIRED
					    : LS_EV_RD_ACQUIRED,
			   l->id, desc, how == RW_TRY ? NULL : &rwlock_probe,
			   l))
		return rwlock_cancelled(l);
	rc = rwlock_check_acquire(l, mode);
	if (rc)
		return rc;
	if (rwlock_try_in(l, mode, &s))
		return rwlock_fast_acquired(l, mode, s);
	return rwlock_lock_contended(l, mode, how, timeout_ns, s);
}

/* Release a write hold.  The caller is the writer and passed the gate. */
static RW_INLINE void
rwlock_wrunlock(struct ls_rwlock *l)
{
	ls_emit_since(LS_EV_WR_RELEASED, l->id, l->wr_since, 0);
	atomic_store_explicit(&l->writer_tid, 0, memory_order_relaxed);
	/* Release: the critical section before whoever enters next. */
	if (atomic_fetch_sub_explicit(&l->state, RW_WRITER,
				      memory_order_release) & RW_SLOW)
		rwlock_regrant(l);
}

/* Release a read hold.  The caller holds l for reading, passed the gate. */
static RW_INLINE void
rwlock_rdunlock(struct ls_rwlock *l)
{
	/* The count after is exact unless another reader moves at once.
	 * Loaded only for the event, so that without one the line is
	 * touched once; with one, it is fetched ready for the write below,
	 * which otherwise costs a second transfer when another core has
	 * just used it. */
	if (ls_trace_lane) {
		__builtin_prefetch(&l->state, 1);
		ls_emit(LS_EV_RD_RELEASED, l->id,
			(atomic_load_explicit(&l->state, memory_order_relaxed) &
			 RW_READERS) - 1,
			0);
	}
	/* Release: the critical section before the next writer's. */
	if (atomic_fetch_sub_explicit(&l->state, RW_READER,
				      memory_order_release) & RW_SLOW)
		rwlock_regrant(l);
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
	/* The fast path hands the lock over through the atomic state word,
	 * which helgrind cannot see; these fields are the lock's own. */
	VALGRIND_HG_DISABLE_CHECKING(&l->state, sizeof(l->state));
	VALGRIND_HG_DISABLE_CHECKING(&l->writer_tid, sizeof(l->writer_tid));
	VALGRIND_HG_DISABLE_CHECKING(&l->wr_since, sizeof(l->wr_since));
	/* The spin's estimates, read and written without mu (rwlock_spin). */
	atomic_init(&l->grant_tk, 0);
	atomic_init(&l->handoff_ns, 0);
	atomic_init(&l->spin_ns, RW_SPIN_FIRST_NS);
	VALGRIND_HG_DISABLE_CHECKING(&l->grant_tk, sizeof(l->grant_tk));
	VALGRIND_HG_DISABLE_CHECKING(&l->handoff_ns, sizeof(l->handoff_ns));
	VALGRIND_HG_DISABLE_CHECKING(&l->spin_ns, sizeof(l->spin_ns));
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
	VALGRIND_HG_ENABLE_CHECKING(l, sizeof(*l));
	free(l);
	return 0;
}

int
ls_rwlock_rdlock(struct ls_rwlock *l)
{
	return rwlock_lock(l, RW_READ, RW_BLOCK, 0, "rdlock");
}

int
ls_rwlock_tryrdlock(struct ls_rwlock *l)
{
	return rwlock_lock(l, RW_READ, RW_TRY, 0, "tryrdlock");
}

int
ls_rwlock_timedrdlock(struct ls_rwlock *l, uint64_t timeout_ns)
{
	return rwlock_lock(l, RW_READ, RW_TIMED, timeout_ns, "timedrdlock");
}

int
ls_rwlock_wrlock(struct ls_rwlock *l)
{
	return rwlock_lock(l, RW_WRITE, RW_BLOCK, 0, "wrlock");
}

int
ls_rwlock_trywrlock(struct ls_rwlock *l)
{
	return rwlock_lock(l, RW_WRITE, RW_TRY, 0, "trywrlock");
}

int
ls_rwlock_timedwrlock(struct ls_rwlock *l, uint64_t timeout_ns)
{
	return rwlock_lock(l, RW_WRITE, RW_TIMED, timeout_ns, "timedwrlock");
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
