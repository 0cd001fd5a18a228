/*
 * rwlock-spin.c - how long the read-write lock spins before it queues.
 *
 * An arrival that finds the lock held, and nobody queued, looks again for
 * a while before it queues.  Critical sections are often far shorter than
 * a sleep and a wake-up in the kernel: without a spin, two threads on two
 * cores that meet on a short write fall into taking turns to sleep, and a
 * 90/10 read/write mix runs ten times slower (`lockstep bench rwlock`).
 * But a fixed spin wins on one machine and loses on another, so it adapts,
 * per lock:
 *   - it is bounded by the hand-off it would save: woken waiters measure
 *     what their sleep and wake-up cost (from the grant's stamp to running
 *     again, handoff_ns), and spinning longer than that cannot pay;
 *   - a spin that got in moves spin_ns towards twice what it needed, and
 *     one that failed halves it, down to nothing: then only one arrival
 *     in RW_SPIN_PROBE spins, with RW_SPIN_MIN_NS, to find out whether
 *     spinning pays again.
 * Only while SLOW is clear, so the arrival passes nobody the policy would
 * have it wait for: it could have come a moment later and found the lock
 * free.  Past the spin the thread blocks in the kernel as always.
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
	return RW_SPIN_MIN_NS;
}

void
rwlock_spin_learn(struct ls_rwlock *l, uint32_t budget, uint64_t spent,
		  bool in)
{
	uint32_t cap = atomic_load_explicit(&l->handoff_ns,
					    memory_order_relaxed);
	uint64_t want;

	if (!cap)
		cap = RW_SPIN_FIRST_NS;
	if (cap > RW_SPIN_MAX_NS)
		cap = RW_SPIN_MAX_NS;
	if (in) {
		want = 2 * spent + RW_SPIN_MIN_NS;
		if (want > cap)
			want = cap;
		budget = (uint32_t)(((uint64_t)budget * 3 + want) / 4);
	} else {
		budget /= 2;
	}
	atomic_store_explicit(&l->spin_ns, budget, memory_order_relaxed);
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
