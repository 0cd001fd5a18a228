/*
 * engine-int.h - what the engine's files share and nothing else sees.
 *
 * Every blocking primitive is built the same way: a short internal mutex
 * guards the primitive's state and an explicit FIFO queue of waiters; a
 * thread that must wait queues a struct waiter on its own stack, drops the
 * internal mutex and parks on its own parker (thread_park).  Whoever makes
 * the resource available grants it to a waiter (sets granted, dequeues it)
 * and unparks that thread.  Parking on a per-thread parker, rather than on
 * a condvar per primitive, is what lets one cancel wake every waiter of a
 * group at once without the canceller taking any primitive's lock, and it
 * keeps the wait queue explicit so the ui can show it in order.
 *
 * Cancelled waiters, one rule for every primitive: a granter never hands
 * what it has to give (a lock, a unit, an item, room in a queue) to a
 * waiter whose group is cancelled.  It passes over it; the waiter, woken
 * by the cancel, takes itself off the queue and returns -ECANCELED, and
 * what it would have got goes to the next live waiter or stays where the
 * next arrival finds it.  A cancel that comes after the grant is too late:
 * the grant wins (waitq_sleep_locked returns 0) and the waiter returns 0
 * owning what it got.  Either way its result says whether it got it, so
 * nothing is handed to a thread that then reports it got nothing.
 * Wake-ups that hand nothing over (a close, a pool stopping or going
 * quiet) wake cancelled waiters too.
 *
 * Lock order: a primitive's internal mutex, then group->mu.  No
 * primitive lock is taken while holding group->mu.  One primitive nests
 * another's: a condition's internal mutex, then its mutex's (cond.c,
 * mutex-int.h).  The parker itself is
 * lock-free (an atomic word and a futex), so waking a thread takes no lock,
 * and a grant may leave the wake-up until after the primitive lock is
 * dropped (waitq_grant_deferred): the woken thread then never runs into a
 * lock its waker still holds.
 */
#ifndef LOCKSTEP_ENGINE_INT_H
#define LOCKSTEP_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

struct ls_thread {
	/* The parker: PARK_EMPTY, PARK_PERMIT or PARK_SLEEPING, and the
	 * futex the thread sleeps on (park.c). */
	_Atomic uint32_t park;

	struct ls_group *group;	/* NULL outside any group; set once */
	struct ls_lane *lane;	/* this thread's ring lane, or NULL */
	uint16_t tid;
	char name[LS_NAME_MAX + 1];
	pthread_t pt;
	bool cached;		/* run by a thread of a cache: no join */
	ls_thread_fn fn;
	void *arg;
	/* Once freed: the next of thread.c's spare records (its lock). */
	struct ls_thread *spare_next;

	/* Read by the controller without locks, for ls_gate_list. */
	_Atomic unsigned state;		/* enum ls_thread_state */
	_Atomic uint32_t blocked_on;	/* object waited for, or 0 */
	_Atomic uint64_t busy_until;	/* end of a sleep or work, or 0 */

	/* Guarded by group->mu. */
	struct ls_thread *next;		/* group->members, spawn order */
	bool parked;			/* waiting at a gate */
	bool step_go;			/* the controller let it through once */
	bool returned;			/* fn has returned */
	uint64_t gate_arrivals;		/* gates reached, for step */
	/* The last gate it parked at: kind, object and probe stay after it
	 * passed (a thread blocked in that operation is probed for its
	 * holder); desc only while parked. */
	unsigned gate_kind;
	uint32_t gate_obj;
	const char *gate_desc;
	const struct ls_gate_probe *gate_probe;	/* NULL: cannot block */
	const void *gate_prim;
	/* Thread-private: the next gate lets it through (ls_gate_prepay);
	 * the tag its gates carry (ls_gate_tag). */
	bool gate_prepaid;
	uint32_t tag;
	uint32_t gate_tag;		/* the tag of the gate it parked at */
	/* In a timed wait whose deadline the controller holds (gate.h,
	 * ls_gate_view.timed); timeout_go: the controller fired it. */
	bool timed_hold;
	bool timeout_go;
};

struct ls_group {
	struct ls_ring *ring;
	char name[LS_NAME_MAX + 1];

	/* Written once by cancel with seq_cst, before cancel takes each
	 * member's parker word back from SLEEPING: a waiter that sees it
	 * clear after announcing its sleep is sure to be woken (thread_park,
	 * whose window check_park tests). */
	atomic_int cancelled;
	/* Counts wake-ups that take a member out of rest (a grant to a
	 * blocked waiter), seq_cst, after the member's new state.  A
	 * controller's settle reads it around its pass over the members:
	 * a running member can wake a resting one and then rest itself
	 * between two of the pass's reads, and only the count shows it. */
	atomic_uint wake_epoch;
	/* enum ls_gate_mode, written only under mu with seq_cst stores (see
	 * thread_notify_controller); LS_GATE_CANCELLED is final.  The fast
	 * path of ls_gate is a relaxed load. */
	atomic_int gate_mode;

	pthread_mutex_t mu;	/* guards members, live and gate fields */
	pthread_cond_t cv;	/* controller waits here, CLOCK_MONOTONIC */
	struct ls_thread *members;
	struct ls_thread *members_tail;
	unsigned live;
	/* Threads are run by this cache's threads instead of new ones
	 * (ls_group_use_cache); set before the first spawn. */
	struct ls_thread_cache *cache;
	/* Whether spinning at a step pays here (group_spin_pays): up when a
	 * spin ends with what it waited for, down by more when it does not,
	 * so on a loaded machine the spinners soon stop.  Relaxed: a hint. */
	atomic_int spin_credit;
	atomic_uint spin_tries;
	/* Never spin: the group was made by a thread confined to one CPU,
	 * whose members (inheriting that) can only run while a spinner
	 * waits for them by giving the CPU up.  Set at creation. */
	bool spin_off;
};

/*
 * Park the calling thread until it is unparked, its group is cancelled,
 * or the monotonic clock passes deadline_ns (0: no deadline).  Consumes one
 * permit.  Returns 0, -ETIMEDOUT or -ECANCELED.  Spurious returns of 0 are
 * possible (a late unpark meant for an earlier wait): callers re-check
 * their condition.
 */
int thread_park(struct ls_thread *self, uint64_t deadline_ns);

/* t's group was just cancelled (its flag set, seq_cst): keep t from
 * going to sleep in its parker if it is about to, and if it sleeps there
 * leave its wake-up in wk for thread_wake (wk->word NULL: none needed).
 * Takes no lock. */
struct wake;
void thread_wake_cancelled(struct ls_thread *t, struct wake *wk);

/* Give t one permit and wake it.  Any thread, any lock held; the caller
 * must know t is alive (it holds the lock t must take to leave its wait). */
void thread_unpark(struct ls_thread *t);

/* A futex wake-up left for after a lock is dropped (waitq_grant_deferred,
 * thread_unpark_deferred, a cancel, a cached thread's start). */
struct wake {
	_Atomic uint32_t *word;	/* the sleeper's futex, NULL: nothing to do */
};

/* Give t one permit now (the caller knows t is alive, as for
 * thread_unpark) and leave the futex wake in wk for thread_wake, after
 * the caller drops its lock. */
void thread_unpark_deferred(struct ls_thread *t, struct wake *wk);

/* Do the wake-up in wk, if any.  Call it after dropping the primitive lock
 * that was held for the grant.  Only a futex wake on the word: harmless
 * even if the woken thread has since left and its record is gone. */
void thread_wake(struct wake *wk);

/* Has self's group been cancelled? */
bool thread_cancelled(const struct ls_thread *self);

/* Record that self now waits for obj (state BLOCKED), or no longer does
 * (state RUNNING), and tell a stepping controller. */
void thread_block_begin(struct ls_thread *self, uint32_t obj);
void thread_block_end(struct ls_thread *self);

/* Set self's state and tell a stepping controller; no event. */
void thread_set_state_quiet(struct ls_thread *self, unsigned state);

/* Wake the controller of self's group if it is pausing or stepping.
 * Takes group->mu (see the lock order above). */
void thread_notify_controller(struct ls_thread *self);

/*
 * One turn of a timed wait of self that ends at deadline_ns: returns
 * -ETIMEDOUT when the wait must time out now (the deadline passed in RUN
 * mode, or the controller fired it), else 0 with *sleep_to set to the
 * deadline to park until: deadline_ns in RUN mode, 0 (none) while the
 * group is paused or stepping, when the controller holds the timeout
 * (self->timed_hold is set and the controller told).  Takes group->mu,
 * so call it with at most a primitive lock held.
 */
int gate_timed_wait(struct ls_thread *self, uint64_t deadline_ns,
		    uint64_t *sleep_to);

/* A timed wait of self is about to begin: while the group is paused or
 * stepping, the controller holds its timeout from before self shows as
 * blocked, so a controller that sees it at rest also sees it timed.
 * Takes group->mu, as gate_timed_wait. */
void gate_timed_begin(struct ls_thread *self);

/* A timed wait of self is over: clear what gate_timed_wait set.  Takes
 * group->mu. */
void gate_timed_end(struct ls_thread *self);

/* One queued waiter, on the waiting thread's stack. */
struct waiter {
	struct ls_thread *t;
	struct waiter *prev, *next;
	uint32_t obj;		/* what it waits for, shown as blocked_on */
	unsigned mode;		/* primitive-defined: reader/writer, push/pop */
	uint64_t since_ns;	/* when it started waiting */
	bool granted;		/* set by the granter under the primitive lock */
};

/* FIFO of waiters, guarded by the owning primitive's internal mutex. */
struct waitq {
	struct waiter *head, *tail;
	unsigned len;
};

void waitq_push(struct waitq *q, struct waiter *w);
void waitq_remove(struct waitq *q, struct waiter *w);

/* Dequeue w, mark it granted, show its thread RUNNING (no longer blocked:
 * a settling controller waits for it to reach its next gate) and unpark
 * it.  Caller holds the primitive lock; w's memory may be gone once that
 * lock is dropped. */
void waitq_grant(struct waitq *q, struct waiter *w);

/*
 * Like waitq_grant, but store the wake-up in *wk instead of doing it; the
 * caller calls thread_wake(wk) after dropping the primitive lock, so the
 * woken thread does not find that lock held and block on it again.  Use it
 * for the one hand-off of a release; wk must start as { NULL }.
 */
void waitq_grant_deferred(struct waitq *q, struct waiter *w,
			  struct wake *wk);

/*
 * The oldest waiter of q whose group is not cancelled, or NULL: the one a
 * hand-off goes to.  A cancelled waiter wakes with -ECANCELED and leaves
 * the queue by itself; granting it would hand it what it must not get.
 * Primitive lock held.
 */
struct waiter *waitq_first_live(struct waitq *q);

/*
 * Grant every waiter of q whose group is not cancelled (the others leave
 * by themselves, as above), oldest first: a release that opens for all
 * (a barrier, a latch, a broadcast).  The oldest one's
 * wake-up is left in *wk, as waitq_grant_deferred does; the others are
 * woken at once.  Returns how many were granted.  Primitive lock held.
 */
unsigned waitq_grant_all(struct waitq *q, struct wake *wk);

/*
 * Start w as the calling thread's wait for obj, from now.  Returns the
 * deadline for waitq_sleep_locked: timeout_ns from now (saturating) when
 * timed, else 0 (none).  Call it after the gate: time parked there by a
 * pause is no wait.
 */
uint64_t waitq_waiter_start(struct waiter *w, uint32_t obj, bool timed,
			    uint64_t timeout_ns);

/* Say how a wait on obj ended, rc being waitq_sleep_locked's: ok_kind
 * (granted) or timeout_kind, each with arg and aux, or CANCELLED. */
void waitq_emit_end(int rc, uint32_t obj, unsigned ok_kind,
		    unsigned timeout_kind, uint64_t arg, uint32_t aux);

/*
 * Sleep until w is granted.  Called with *mu held and w queued on q by the
 * caller; returns with *mu held.  Returns 0 when granted, or -ETIMEDOUT /
 * -ECANCELED after taking w off q.  A grant that races a timeout or a
 * cancel wins:
 * the caller then owns the resource and gets 0.  deadline_ns 0: none.
 */
int waitq_sleep_locked(struct waitq *q, struct waiter *w, pthread_mutex_t *mu,
		       uint64_t deadline_ns);

/* The calling thread's record if it has one yet, else NULL. */
extern _Thread_local struct ls_thread *thread_current;

/* Would a gate let the calling thread through at once and change
 * nothing (ls_gate_probed's fast path, which is this): no group, or the
 * gates open and no pass prepaid?  Relaxed: a pause is seen at a later
 * gate at worst. */
static inline bool
gate_open_now(void)
{
	const struct ls_thread *self = thread_current;

	return !self || !self->group ||
	       (!self->gate_prepaid &&
		atomic_load_explicit(&self->group->gate_mode,
				     memory_order_relaxed) == LS_GATE_RUN);
}

/* Lock or unlock a pthread mutex that cannot fail unless memory is
 * corrupt; abort with a message if it does. */
void engine_lock(pthread_mutex_t *mu);
void engine_unlock(pthread_mutex_t *mu);

/* Initialise cv to use CLOCK_MONOTONIC.  Returns 0 or a negative errno. */
int engine_cond_init(pthread_cond_t *cv);

/* A pause for a spin loop: cheaper for the sibling hyperthread and for
 * the power budget than a bare reload. */
static inline void
engine_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/*
 * How long a stepped thread and its controller spin before they sleep in
 * the kernel.  A step wakes exactly these two; on a machine with a core
 * for each, the hand-off then costs a cache line's trip instead of two
 * futex wake-ups and two context switches.  Bounded, so on a loaded
 * machine the spinner soon gives its core back.
 */
#ifndef ENGINE_STEP_SPIN_NS
#define ENGINE_STEP_SPIN_NS 20000ull
#endif

/* How long a controller on one CPU yields to its members before it
 * sleeps (gate.c, group_yield): a step of a script is a few µs. */
#ifndef ENGINE_STEP_YIELD_NS
#define ENGINE_STEP_YIELD_NS 50000ull
#endif

/* Should a spin at a step be tried now in g?  Yes while spins have been
 * paying off; one try in 64 otherwise, to notice when they would again. */
static inline bool
group_spin_pays(struct ls_group *g)
{
	if (g->spin_off)
		return false;
	return atomic_load_explicit(&g->spin_credit, memory_order_relaxed) > 0 ||
	       !(atomic_fetch_add_explicit(&g->spin_tries, 1,
					   memory_order_relaxed) & 63);
}

/* Record how a spin in g ended. */
static inline void
group_spin_result(struct ls_group *g, bool paid)
{
	int c = atomic_load_explicit(&g->spin_credit, memory_order_relaxed);

	c = paid ? (c < 16 ? c + 1 : 16) : (c > -16 ? c - 4 : -16);
	atomic_store_explicit(&g->spin_credit, c, memory_order_relaxed);
}

/* Run t's function as t, then say it returned, calling returned(arg)
 * (when not NULL) under its group's mu as it does: the body of every
 * engine thread, new or cached. */
void thread_run(struct ls_thread *t, void (*returned)(void *arg),
		void *arg);

/* Move the calling engine thread to the background once, if the process
 * asked for it (ls_thread_set_background); thread-prio.c. */
void thread_prio_apply(void);

/* Whether the process asked for engine threads in the background. */
bool thread_prio_background(void);

/* Hand t to a thread of cache c (an idle one, preferably the one that
 * last ran a thread of t's name, or a new one), leaving its wake-up in
 * wk.  Called under t's group->mu; the caller calls thread_wake(wk) after
 * dropping it, so that on one CPU the worker does not wake straight into
 * the held mutex.  Returns 0 or a positive errno. */
int thread_cache_run(struct ls_thread_cache *c, struct ls_thread *t,
		     struct wake *wk);

/* Sleep while *word is val, until the monotonic deadline (0: none), or
 * wake one sleeper on word.  futex_sleep returns -ETIMEDOUT or 0. */
int futex_sleep(_Atomic uint32_t *word, uint32_t val, uint64_t deadline_ns);
void futex_wake_one(_Atomic uint32_t *word);

/* Abort with a message naming what failed: for broken invariants. */
_Noreturn void engine_panic(const char *what, int err);

#endif
