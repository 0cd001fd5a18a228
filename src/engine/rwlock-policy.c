/*
 * rwlock-policy.c - who may go into a read-write lock and who gets it: the
 * three policies (rwlock.h) as two decisions, both made under the lock's
 * internal mutex with SLOW set (rwlock.c).  An arrival asks
 * rwlock_policy_admit_locked whether it may go in past everybody queued;
 * whoever changes the word and finds SLOW set runs
 * rwlock_policy_grant_locked, which hands the lock over to the queued
 * waiters the policy picks (direct hand-off: the granter counts them into
 * the word before it wakes them).
 *
 * A waiter whose group is cancelled is passed over by every grant, as in
 * every primitive (engine-int.h), so the lock never goes to a thread that
 * is on its way out; it leaves the queue and runs the grant itself.
 */
#include "config.h"

#include "rwlock-int.h"

#include <stdatomic.h>
#include <stdbool.h>

#include "engine-int.h"

bool
rwlock_policy_admit_locked(const struct ls_rwlock *l, unsigned mode,
			   uint32_t s)
{
	/* WANT: a writer spinning ahead of everyone, on its way in or to
	 * mu (writer preference only). */
	if (s & (RW_WRITER | RW_WANT))
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

/* Hand the lock to the queued w, under mu with SLOW set.  The waiter's
 * thread synchronizes with us through mu, which it takes on waking. */
static void
rwlock_policy_grant_one_locked(struct ls_rwlock *l, struct waiter *w,
			       struct rwlock_wakes *wk)
{
	rwlock_take_locked(l, w->mode, w->t);
	if (w->mode == RW_READ)
		l->rd_waiting--;
	else
		l->wr_waiting--;
	if (wk->n < RW_WAKES)
		waitq_grant_deferred(&l->q, w, &wk->wk[wk->n++]);
	else
		waitq_grant(&l->q, w);
}

/* The first queued waiter from w on (w included) that is of mode (or of
 * either, mode RW_ANY) and whose group is not cancelled, or NULL.  A
 * cancelled waiter is never granted (engine-int.h): woken by the cancel,
 * it leaves the queue and runs the grant itself. */
static struct waiter *
rwlock_policy_live_from(struct waiter *w, unsigned mode)
{
	for (; w; w = w->next)
		if ((mode == RW_ANY || w->mode == mode) &&
		    !thread_cancelled(w->t))
			return w;
	return NULL;
}

/* Grant every live queued waiter of mode, or only the oldest.  Caller
 * holds mu. */
static void
rwlock_policy_grant_mode_locked(struct ls_rwlock *l, unsigned mode,
				bool all, struct rwlock_wakes *wk)
{
	struct waiter *w, *next;

	for (w = rwlock_policy_live_from(l->q.head, mode); w;
	     w = rwlock_policy_live_from(next, mode)) {
		next = w->next;	/* granting unlinks w */
		rwlock_policy_grant_one_locked(l, w, wk);
		if (!all)
			return;
	}
}

/* After the grant no live queued waiter could be admitted, unless a
 * release or transient it cannot see yet, whose thread will run it again:
 * that is why rwlock_policy_admit_locked can let arrivals in without
 * looking further. */
void
rwlock_policy_grant_locked(struct ls_rwlock *l, struct rwlock_wakes *wk)
{
	uint32_t s = rwlock_word(l);
	uint32_t readers = s & RW_READERS;
	struct waiter *w, *next;

	/* Under WANT, its writer comes to mu and decides (rwlock.c). */
	if ((s & (RW_WRITER | RW_WANT)) || !l->q.len)
		return;
	switch (l->policy) {
	case LS_RWLOCK_WRITER_PREF:
		w = rwlock_policy_live_from(l->q.head, RW_WRITE);
		if (w) {
			if (!readers)
				rwlock_policy_grant_one_locked(l, w, wk);
			return;
		}
		rwlock_policy_grant_mode_locked(l, RW_READ, true, wk);
		return;
	case LS_RWLOCK_READER_PREF:
		if (rwlock_policy_live_from(l->q.head, RW_READ))
			rwlock_policy_grant_mode_locked(l, RW_READ, true, wk);
		else if (!readers)
			rwlock_policy_grant_mode_locked(l, RW_WRITE, false,
							wk);
		return;
	case LS_RWLOCK_FAIR:
	default:
		w = rwlock_policy_live_from(l->q.head, RW_ANY);
		if (w && w->mode == RW_WRITE) {
			if (!readers)
				rwlock_policy_grant_one_locked(l, w, wk);
			return;
		}
		/* The readers up to the next live writer, in order. */
		for (; w && w->mode == RW_READ;
		     w = rwlock_policy_live_from(next, RW_ANY)) {
			next = w->next;
			rwlock_policy_grant_one_locked(l, w, wk);
		}
		return;
	}
}
