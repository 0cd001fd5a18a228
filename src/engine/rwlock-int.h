/*
 * rwlock-int.h - what the read-write lock's two files share: rwlock.c
 * (the fast paths, the mutex-guarded side, the public calls) and
 * rwlock-policy.c (who may go in and who gets the lock, under mu).
 *
 * The state word, what mu guards and the rule that keeps decisions under
 * mu right while the fast paths change the word without it are in
 * rwlock.c's top comment.
 */
#ifndef LOCKSTEP_RWLOCK_INT_H
#define LOCKSTEP_RWLOCK_INT_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine-int.h"
#include "lockstep/rwlock.h"

/* The state word. */
#define RW_READER	1u		/* one reader inside */
#define RW_READERS	0x1fffffffu	/* mask of the reader count */
#define RW_WANT		0x20000000u	/* a spinning writer holds readers off */
#define RW_WRITER	0x40000000u	/* a writer is inside */
#define RW_SLOW		0x80000000u	/* nobody gets in without mu */

/* Grants whose wake-up waits until mu is dropped (see rwlock_wakes). */
#define RW_WAKES 4

/* A waiter's mode; also the aux of RW_TIMEOUT (1 writer, 0 reader).
 * RW_ANY only asks rwlock_policy_live_from for either. */
enum rw_mode {
	RW_READ = 0,
	RW_WRITE = 1,
	RW_ANY = 2,
};

struct ls_rwlock {
	/* The fast path touches this line only: the word and the read-only
	 * fields every operation reads. */
	alignas(64) _Atomic uint32_t state;
	uint32_t id;
	enum ls_rwlock_policy policy;
	/* The writer inside: its tid for stats (0 when none, or when it has
	 * no lane), and when it got in (its WR_ACQUIRED's stamp, in ticks; 0
	 * when untraced), for WR_RELEASED.  Written by the writer (or its
	 * granter, under mu) while it holds the lock. */
	_Atomic unsigned writer_tid;
	uint64_t wr_since;

	/* mu guards q, rd_waiting and wr_waiting, and every decision about
	 * who gets the lock while SLOW is set. */
	alignas(64) pthread_mutex_t mu;
	struct waitq q;
	unsigned rd_waiting;
	unsigned wr_waiting;

	/* The adaptive spin (rwlock.c, rwlock_spin).  Relaxed atomics, read
	 * by every arrival that finds the lock held and written by some:
	 * estimates, where a lost update costs a slightly worse guess.
	 * grant_tk: when the last deferred wake-ups were sent (ticks);
	 * handoff_ns: what a sleep and a wake-up cost here, as measured by
	 * the waiters woken (0 until one was); spin_ns: how long an arrival
	 * spins now, within handoff_ns. */
	_Atomic uint64_t grant_tk;
	_Atomic uint32_t handoff_ns;
	_Atomic uint32_t spin_ns;
};

/*
 * The wake-ups of one pass of grants.  The first RW_WAKES are left until
 * mu is dropped (waitq_grant_deferred), so a woken waiter does not run
 * straight into mu still held by its waker; any more are woken at once.
 */
struct rwlock_wakes {
	struct wake wk[RW_WAKES];
	unsigned n;
};

/*
 * The word as mu's holder sees it: exact but for releases and transients,
 * which it may miss and which only make it look busier (see the top).
 * WANT stays in: to the policy it is a writer waiting ahead of everyone.
 * Acquire: a release it does see (a fast-path fetch-sub, not ordered by
 * mu) may be what lets it grant, and the grantee's critical section must
 * come after the releaser's.
 */
static inline uint32_t
rwlock_word(const struct ls_rwlock *l)
{
	return atomic_load_explicit(&l->state, memory_order_acquire) &
	       ~RW_SLOW;
}

/* The spin's limits (rwlock-spin.c has the why). */
#ifndef RW_SPIN_MAX_NS
#define RW_SPIN_MAX_NS 20000u	/* whatever a hand-off is measured at */
#endif
#define RW_SPIN_MIN_NS 250u	/* below this a spin is not tried */
#define RW_SPIN_FIRST_NS 2000u	/* the budget before a hand-off was measured */
#define RW_SPIN_LOOKS 8u	/* looks between clock reads */
#define RW_SPIN_PROBE 16u	/* arrivals per probe when spinning failed */

/* How long an arrival may spin now, in ns; 0 for not at all.  Any thread
 * (rwlock-spin.c, as the next three). */
uint32_t rwlock_spin_budget(struct ls_rwlock *l);

/* The budget while spinning pays: the measured hand-off, within
 * [RW_SPIN_MIN_NS, RW_SPIN_MAX_NS]; RW_SPIN_FIRST_NS before one was
 * measured. */
uint32_t rwlock_spin_full(const struct ls_rwlock *l);

/* Learn from a spin with budget that got in (the full budget again) or
 * spent it all (half of budget). */
void rwlock_spin_learn(struct ls_rwlock *l, uint32_t budget, bool in);

/* One look of a spinning writer at the word *s, which has SLOW clear:
 * true when it got in; *want says whether it holds WANT, claimed here or
 * at an earlier look (rwlock.c). */
bool rwlock_spin_write(struct ls_rwlock *l, uint32_t *s, bool *want);

/* A woken waiter's measure of a hand-off: from the grant's stamp
 * (grant_tk) to now, folded into handoff_ns, an average over the last
 * few.  Caller holds mu, granted. */
void rwlock_handoff_learn(struct ls_rwlock *l);

/* Take the lock in mode for the thread t, under mu with SLOW set. */
static inline void
rwlock_take_locked(struct ls_rwlock *l, unsigned mode, struct ls_thread *t)
{
	if (mode == RW_READ) {
		atomic_fetch_add_explicit(&l->state, RW_READER,
					  memory_order_relaxed);
		return;
	}
	atomic_fetch_or_explicit(&l->state, RW_WRITER, memory_order_relaxed);
	atomic_store_explicit(&l->writer_tid, ls_thread_tid(t),
			      memory_order_relaxed);
}

/*
 * May an arriving thread of mode go in now, past everybody queued?  s is
 * the word without SLOW.  Caller holds mu with SLOW set.  Cancelled
 * waiters still count here, so an arrival errs on the side of queueing;
 * each of them runs the grant as it leaves.
 */
bool rwlock_policy_admit_locked(const struct ls_rwlock *l, unsigned mode,
				uint32_t s);

/*
 * Hand the lock to whichever queued waiters the policy picks, given the
 * word as it is now (after a release, a departure, an undone transient),
 * as if the cancelled waiters were not there; their wake-ups go to wk.
 * Caller holds mu with SLOW set.
 */
void rwlock_policy_grant_locked(struct ls_rwlock *l, struct rwlock_wakes *wk);

#endif
