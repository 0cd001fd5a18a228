/*
 * park.c - how an engine thread waits: the per-thread parker, the wait
 * queues the primitives keep, state changes a controller watches, and
 * sleeps.
 *
 * Every engine wait ends in thread_park, on a per-thread parker: one atomic
 * word that holds a permit or says the thread sleeps, and a futex on that
 * word.  Unpark stores the permit and makes the futex system call only when
 * the thread sleeps; nothing is locked, so the woken thread never wakes up
 * into a mutex its waker still holds (which a mutex and condvar parker
 * cannot avoid: pthread_cond_signal must be called while the condvar is
 * certainly alive, that is, under a lock the waiter needs).  A futex wake
 * touches no user memory, so a primitive may defer it until after its own
 * lock is dropped (waitq_grant_deferred) even though the waiter may be gone
 * by then: thread records are never freed, only kept for the next thread
 * (thread.c), so the address is still a parker word, and at worst its new
 * thread sees a spurious wake-up, which thread_park tolerates.  Cancelling a group sets its
 * flag and then wakes every member that sleeps (thread_wake_cancelled);
 * the flag and the word are both seq_cst, so a member either sees the flag
 * before it sleeps or is woken.  No wait polls: a parked thread sleeps in
 * the kernel until a permit, a cancel or its deadline.
 */
#include "config.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine-int.h"
#include "engine-valgrind.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

/* The parker word.  Only the thread itself moves it from EMPTY to
 * SLEEPING; anyone may store PERMIT; cancel moves SLEEPING back to EMPTY. */
enum {
	PARK_EMPTY = 0,
	PARK_PERMIT = 1,
	PARK_SLEEPING = 2,
};

/* Sleep while *word is val, until the monotonic deadline (0: none).
 * Returns -ETIMEDOUT, or 0 (woken, value changed, or interrupted). */
int
futex_sleep(_Atomic uint32_t *word, uint32_t val, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	/* WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. */
	if (syscall(SYS_futex, word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
		    val, deadline_ns ? &ts : NULL, NULL,
		    FUTEX_BITSET_MATCH_ANY) == -1 && errno == ETIMEDOUT)
		return -ETIMEDOUT;
	return 0;
}

void
futex_wake_one(_Atomic uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL,
		NULL, 0);
}

/*
 * While a controller steps self's group, look for the permit a while
 * before sleeping (ENGINE_STEP_SPIN_NS): the controller is about to hand
 * it over.  Returns true when it came.  Relaxed loads: thread_park takes
 * the permit with its exchange, which orders what follows.
 */
static bool
thread_spin_for_permit(struct ls_thread *self)
{
	uint64_t end = 0, now;
	unsigned i;

	if (!self->group || atomic_load_explicit(&self->group->gate_mode,
						 memory_order_relaxed) !=
				    LS_GATE_STEP ||
	    !group_spin_pays(self->group))
		return false;
	for (i = 1;; i++) {
		if (atomic_load_explicit(&self->park, memory_order_relaxed) ==
		    PARK_PERMIT) {
			group_spin_result(self->group, true);
			return true;
		}
		engine_cpu_relax();
		if (i % 64)
			continue;
		if (thread_cancelled(self))
			return false;
		now = ls_clock_ns();
		if (!end) {
			end = now + ENGINE_STEP_SPIN_NS;
		} else if (now > end) {
			group_spin_result(self->group, false);
			return false;
		}
	}
}

#ifdef LS_ENGINE_TEST_HOOK
/* Tests only (check_park): called at the two places in the park where a
 * cancel may land between the look at the flag and the sleep, so a test
 * can put one there every time instead of hoping a race does. */
void (*thread_park_test_hook)(struct ls_thread *self, int where);
#define PARK_TEST_HOOK(self, where)                                          \
	do {                                                                 \
		if (thread_park_test_hook)                                   \
			thread_park_test_hook(self, where);                  \
	} while (0)
#else
#define PARK_TEST_HOOK(self, where) ((void)0)
#endif

int
thread_park(struct ls_thread *self, uint64_t deadline_ns)
{
	bool spun = false;
	uint32_t v;

	for (;;) {
		if (atomic_exchange(&self->park, PARK_EMPTY) == PARK_PERMIT) {
			/* Tell helgrind what the futex word means: whatever
			 * the unparker did before its permit happened first. */
			ANNOTATE_HAPPENS_AFTER(&self->park);
			return 0;
		}
		if (thread_cancelled(self))
			return -ECANCELED;
		if (!spun) {
			spun = true;
			if (thread_spin_for_permit(self))
				continue;
		}
		PARK_TEST_HOOK(self, 0);
		v = PARK_EMPTY;
		if (!atomic_compare_exchange_strong(&self->park, &v,
						    PARK_SLEEPING))
			continue;	/* a permit came in */
		/* seq_cst: SLEEPING is visible before we read the flag, and
		 * cancel sets the flag before it reads our word, so either
		 * we see the flag here or cancel sees SLEEPING and wakes us. */
		if (thread_cancelled(self)) {
			v = PARK_SLEEPING;
			atomic_compare_exchange_strong(&self->park, &v,
						       PARK_EMPTY);
			continue;	/* the top of the loop decides */
		}
		PARK_TEST_HOOK(self, 1);
		if (futex_sleep(&self->park, PARK_SLEEPING, deadline_ns)) {
			v = PARK_SLEEPING;
			if (atomic_compare_exchange_strong(&self->park, &v,
							   PARK_EMPTY))
				return -ETIMEDOUT;
			/* A permit that raced the deadline still counts. */
		}
	}
}

/* Store a permit for t.  Returns the word to wake, or NULL when t does
 * not sleep (it will see the permit before it could). */
static _Atomic uint32_t *
thread_give_permit(struct ls_thread *t)
{
	ANNOTATE_HAPPENS_BEFORE(&t->park);
	if (atomic_exchange(&t->park, PARK_PERMIT) == PARK_SLEEPING)
		return &t->park;
	return NULL;
}

void
thread_unpark(struct ls_thread *t)
{
	struct wake wk = { thread_give_permit(t) };

	thread_wake(&wk);
}

void
thread_unpark_deferred(struct ls_thread *t, struct wake *wk)
{
	wk->word = thread_give_permit(t);
}

void
thread_wake(struct wake *wk)
{
	if (wk->word)
		futex_wake_one(wk->word);
	wk->word = NULL;
}

void
thread_notify_controller(struct ls_thread *self)
{
	struct ls_group *g = self->group;

	/*
	 * Only a pausing or stepping controller waits for member states; in
	 * RUN mode nobody listens, so skip the group lock entirely.  seq_cst,
	 * paired with the seq_cst store of the mode (gate.c) and the seq_cst
	 * load of the state in the controller: either we see the new mode and
	 * broadcast, or the controller, which set the mode before it looks,
	 * sees our new state.  Weaker orders allow both to miss (a store
	 * buffer), and the controller would then sleep to its deadline.
	 */
	if (!g || atomic_load(&g->gate_mode) == LS_GATE_RUN)
		return;
	/* The lock orders us after a controller that looked and is now
	 * waiting (it released mu in the wait); the broadcast comes after
	 * it is dropped, so the controller does not wake into a mutex we
	 * hold (on one CPU that was two more context switches a step). */
	engine_lock(&g->mu);
	engine_unlock(&g->mu);
	pthread_cond_broadcast(&g->cv);
}

void
thread_set_state_quiet(struct ls_thread *self, unsigned state)
{
	/* seq_cst: the store half of thread_notify_controller's pairing. */
	atomic_store(&self->state, state);
	thread_notify_controller(self);
}

void
thread_block_begin(struct ls_thread *self, uint32_t obj)
{
	/* Before the state: a view that sees BLOCKED (seq_cst, so acquire)
	 * sees what it is blocked on. */
	atomic_store_explicit(&self->blocked_on, obj, memory_order_relaxed);
	thread_set_state_quiet(self, LS_STATE_BLOCKED);
}

void
thread_block_end(struct ls_thread *self)
{
	atomic_store_explicit(&self->blocked_on, 0, memory_order_relaxed);
	atomic_store_explicit(&self->state, LS_STATE_RUNNING,
			      memory_order_release);
}

void
ls_thread_set_state(unsigned state)
{
	struct ls_thread *self = ls_thread_self();

	thread_set_state_quiet(self, state);
	ls_emit(LS_EV_STATE, 0, state, 0);
}

int
ls_thread_sleep(uint64_t ns)
{
	return ls_thread_sleep_as(ns, LS_STATE_SLEEPING);
}

int
ls_thread_sleep_as(uint64_t ns, unsigned state)
{
	struct ls_thread *self = ls_thread_self();
	uint64_t now = ls_clock_ns(), deadline;
	int rc;

	/* Saturate: a huge ns means "until cancelled", not a past deadline;
	 * 0 would mean no deadline to thread_park, so keep it >= 1. */
	deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	if (!deadline)
		deadline = 1;
	/* Before the state, so a controller that sees it asleep knows
	 * until when (a progress bar). */
	atomic_store_explicit(&self->busy_until, deadline, memory_order_relaxed);
	ls_thread_set_state(state);
	do {
		/* A stale permit from an earlier wait returns 0 early. */
		rc = thread_park(self, deadline);
	} while (rc == 0 && ls_clock_ns() < deadline);
	atomic_store_explicit(&self->busy_until, 0, memory_order_relaxed);
	ls_thread_set_state(LS_STATE_RUNNING);
	/* A cancel that raced the deadline still ends the sleep cancelled,
	 * so a scene loop stops at once either way. */
	return rc == -ECANCELED || thread_cancelled(self) ? -ECANCELED : 0;
}

/* Wait queues. */

void
waitq_push(struct waitq *q, struct waiter *w)
{
	w->next = NULL;
	w->prev = q->tail;
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
	q->len++;
}

void
waitq_remove(struct waitq *q, struct waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->tail = w->prev;
	w->prev = w->next = NULL;
	q->len--;
}

/* Grant w without waking it.  Primitive lock held. */
static void
waitq_grant_quiet(struct waitq *q, struct waiter *w)
{
	waitq_remove(q, w);
	w->granted = true;
	/*
	 * The waiter is no longer blocked from this moment, though it has
	 * not woken yet: say so now, so that a controller waiting for the
	 * group to come to rest (settle, step) waits for it to reach its
	 * next gate instead of taking it for still blocked.  No notify:
	 * RUNNING is not rest.  The waiter's own thread_block_end repeats
	 * this; it cannot change its state in between, being parked.
	 */
	atomic_store_explicit(&w->t->blocked_on, 0, memory_order_relaxed);
	atomic_store(&w->t->state, LS_STATE_RUNNING);
	if (w->t->group)
		atomic_fetch_add(&w->t->group->wake_epoch, 1);
}

void
waitq_grant(struct waitq *q, struct waiter *w)
{
	waitq_grant_quiet(q, w);
	/* Unpark under the primitive lock: once it is dropped the waiter
	 * may see granted, return, and take its stack frame with it. */
	thread_unpark(w->t);
}

void
waitq_grant_deferred(struct waitq *q, struct waiter *w, struct wake *wk)
{
	waitq_grant_quiet(q, w);
	/* The permit now, while w->t is sure to be alive; only the futex
	 * call is left for thread_wake. */
	wk->word = thread_give_permit(w->t);
}

struct waiter *
waitq_first_live(struct waitq *q)
{
	struct waiter *w;

	for (w = q->head; w && thread_cancelled(w->t); w = w->next)
		;
	return w;
}

unsigned
waitq_grant_all(struct waitq *q, struct wake *wk)
{
	struct waiter *w, *next;
	unsigned n = 0;

	for (w = q->head; w; w = next) {
		next = w->next;
		if (thread_cancelled(w->t))
			continue;
		if (n++ == 0)
			waitq_grant_deferred(q, w, wk);
		else
			waitq_grant(q, w);
	}
	return n;
}

uint64_t
waitq_waiter_start(struct waiter *w, uint32_t obj, bool timed,
		   uint64_t timeout_ns)
{
	*w = (struct waiter){
		.t = thread_current ? thread_current : ls_thread_self(),
		.obj = obj,
		.since_ns = ls_clock_ns(),
	};
	if (!timed)
		return 0;
	return timeout_ns > UINT64_MAX - w->since_ns ? UINT64_MAX
						      : w->since_ns + timeout_ns;
}

void
waitq_emit_end(int rc, uint32_t obj, unsigned ok_kind, unsigned timeout_kind,
	       uint64_t arg, uint32_t aux)
{
	if (!rc)
		ls_emit(ok_kind, obj, arg, aux);
	else if (rc == -ETIMEDOUT)
		ls_emit(timeout_kind, obj, arg, aux);
	else
		ls_emit(LS_EV_CANCELLED, obj, 0, 0);
}

int
waitq_sleep_locked(struct waitq *q, struct waiter *w, pthread_mutex_t *mu,
		   uint64_t deadline_ns)
{
	uint64_t sleep_to = 0;
	int rc = 0;

	if (deadline_ns)
		gate_timed_begin(w->t);
	thread_block_begin(w->t, w->obj);
	for (;;) {
		if (w->granted) {
			rc = 0;
			break;
		}
		/* A timed wait asks every turn whose deadline it sleeps to:
		 * its own, or none while the controller holds it. */
		if (deadline_ns)
			rc = gate_timed_wait(w->t, deadline_ns, &sleep_to);
		if (!rc) {
			engine_unlock(mu);
			rc = thread_park(w->t, sleep_to);
			engine_lock(mu);
			if (w->granted) {
				rc = 0;
				break;
			}
			/* A deadline that passed is judged by the next
			 * turn's gate_timed_wait: the group may have been
			 * paused meanwhile. */
			if (rc == -ETIMEDOUT)
				rc = 0;
		}
		if (rc) {
			waitq_remove(q, w);
			break;
		}
	}
	if (deadline_ns)
		gate_timed_end(w->t);
	thread_block_end(w->t);
	return rc;
}

void
thread_wake_cancelled(struct ls_thread *t, struct wake *wk)
{
	uint32_t v = PARK_SLEEPING;

	/* Back to EMPTY, so a member about to sleep does not. */
	wk->word = atomic_compare_exchange_strong(&t->park, &v, PARK_EMPTY)
			   ? &t->park
			   : NULL;
}
