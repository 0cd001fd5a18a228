/*
 * rwlock-spin.c - how long the read-write lock spins before it queues.
 *
 * An arrival that finds the lock held, and nobody queued, looks again for
 * a while before it queues.  Critical sections are often far shorter than
 * a sleep and a wake-up in the kernel: without a spin, two threads on two
 * cores that meet on a short write fall into taking turns to sleep, and a
 * 90/10 read/write mix runs ten times slower (`lockstep bench rwlock`).
 * But a fixed spin wins on one machine and loses on another, so it adapts,
 * per lock, on the rule that makes spinning cost at worst twice what
 * parking would (the ski-rental rule): look for as long as a hand-off
 * costs.
 *   - the hand-off is measured: woken waiters time their sleep and
 *     wake-up (from the grant's stamp to running again, handoff_ns);
 *   - an arrival spins for that long (RW_SPIN_FIRST_NS before one was
 *     measured, RW_SPIN_MAX_NS at most).  A spin that gets in early costs
 *     only what it needed, so a long budget is free while critical
 *     sections are short; it is the failures it must bound.  And a lock
 *     handed to a waiter is held while that waiter wakes up: an arrival
 *     that gave up sooner than a wake-up takes would queue behind it and
 *     sleep in turn, and the two would take turns to sleep for good;
 *   - a spin that failed halves the budget, down to nothing: then only
 *     one arrival in RW_SPIN_PROBE spins, with the full budget, to find
 *     out whether spinning pays again; one that got in restores it, one
 *     that failed leaves it so.
 * An earlier rule moved the budget towards twice what successful spins
 * needed: it shrank on every short wait and then failed on the first
 * longer one, and a lock met by two threads at 90/10 fell into taking
 * turns to sleep in some runs and not others (0.3x to 4.5x glibc's from
 * run to run); half a hand-off still let it do so whenever the ring's
 * consumer preempted a holder (events on, 90/10: 0.3M operations a
 * second against 4M with the whole hand-off).
 * Only while SLOW is clear, so the arrival passes nobody the policy would
 * have it wait for: it could have come a moment later and found the lock
 * free.  A writer that spins under writer preference holds new arrivals
 * off meanwhile (WANT, rwlock.c), as it would once queued.  Past the spin
 * the thread blocks in the kernel as always.
 * RW_SPIN_MAX_NS 0 turns it off.  rwlock.c's rwlock_spin does the looking;
 * this file keeps the estimates it goes by.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "rwlock-int.h"
#include "lockstep/clock.h"

/* Arrivals that did not spin since this thread's last probe. */
static _Thread_local unsigned spin_skipped;

uint32_t
rwlock_spin_full(const struct ls_rwlock *l)
{
	uint32_t h = atomic_load_explicit(&l->handoff_ns, memory_order_relaxed);

	if (!h)
		return RW_SPIN_FIRST_NS;
	if (h > RW_SPIN_MAX_NS)
		h = RW_SPIN_MAX_NS;
	return h < RW_SPIN_MIN_NS ? RW_SPIN_MIN_NS : h;
}

uint32_t
rwlock_spin_budget(struct ls_rwlock *l)
{
	uint32_t budget = atomic_load_explicit(&l->spin_ns,
					       memory_order_relaxed);

	if (!RW_SPIN_MAX_NS)
		return 0;
	if (budget >= RW_SPIN_MIN_NS)
		return budget;
	if (++spin_skipped < RW_SPIN_PROBE)
		return 0;
	spin_skipped = 0;
	return rwlock_spin_full(l);
}

void
rwlock_spin_learn(struct ls_rwlock *l, uint32_t budget, bool in)
{
	uint32_t now = atomic_load_explicit(&l->spin_ns, memory_order_relaxed);

	/* A failed probe leaves the lock backed off: its budget was the whole
	 * one, and half of that would turn spinning back on for everyone. */
	if (!in && now < RW_SPIN_MIN_NS)
		return;
	atomic_store_explicit(&l->spin_ns, in ? rwlock_spin_full(l) : budget / 2,
			      memory_order_relaxed);
}

void
rwlock_handoff_learn(struct ls_rwlock *l)
{
	uint64_t g = atomic_load_explicit(&l->grant_tk, memory_order_relaxed);
	uint64_t now = ls_clock_ticks(), ns;
	uint32_t h;

	if (!g || now <= g)
		return;
	ns = ls_clock_ticks_to_ns(now - g);
	if (ns > 100 * (uint64_t)RW_SPIN_MAX_NS)
		return;		/* descheduled, not a hand-off */
	h = atomic_load_explicit(&l->handoff_ns, memory_order_relaxed);
	h = h ? (uint32_t)(((uint64_t)h * 7 + ns) / 8) : (uint32_t)ns;
	atomic_store_explicit(&l->handoff_ns, h, memory_order_relaxed);
}
