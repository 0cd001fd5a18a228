/*
 * pool-int.h - what the thread pool's files share and nothing else sees.
 *
 * The pool (pool.h) is six files along its seams: pool.c creates it,
 * takes submits and admits waiting submitters; pool-stop.c stops it,
 * drops what is queued and waits for it to be gone; pool-intake.c
 * takes submits without the lock in a pool made for throughput;
 * pool-worker.c is the worker loop (take, run, record) and the scaling of
 * workers; pool-map.c is ls_pool_map and its batches; runq.c orders the
 * queued tasks.
 *
 * One internal mutex (mu) guards the whole pool but the intake's ring: the
 * run queue and the slots holding the tasks, the counters, the histograms
 * and five wait queues built like every engine primitive's (engine-int.h).
 * The intake (struct pool_intake) is filled without mu and emptied under
 * it; pool-intake.c says how the two meet.  A function
 * name says what it does with mu:
 *   _locked  the caller holds mu, and mu stays held throughout;
 *   _unlock  the caller holds mu, and mu is dropped on return;
 *   _relock  the caller holds mu and has it again on return, but mu is
 *            dropped meanwhile (to sleep, to pass a gate or to run a
 *            callback), so whatever the caller read under mu before may
 *            have changed;
 * and a function without a suffix is called without mu.
 *
 * Lock order: mu, then group->mu (a worker's state change told to a
 * pausing or stepping controller, a gate probe).  Waking a thread takes no
 * lock (the parker is an atomic word and a futex, park.c).  The pool
 * never holds mu while it passes a gate, spawns or joins a thread, or runs
 * a task or a callback.
 */
#ifndef LOCKSTEP_POOL_INT_H
#define LOCKSTEP_POOL_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine-int.h"
#include "lockstep/event.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "runq.h"
#include "util/hist.h"

enum pool_state {
	POOL_RUNNING = 0,
	POOL_DRAINING,		/* no submits; workers finish the queue */
	POOL_STOPPED,		/* no submits; the queue is dropped */
};

struct map_batch;

/* A queued or taken task.  Queued, it lives in one of the pool's slots. */
/* A worker takes at most POOL_TAKE_MAX tasks at once, and more than one
 * only while the queue holds POOL_TAKE_DEPTH times that many per worker
 * (pool-worker.c, pool_worker_take_size). */
#define POOL_TAKE_MAX 16
#define POOL_TAKE_DEPTH 4

struct pool_task {
	ls_task_fn fn;
	void *arg;
	void (*on_done)(void *arg);
	void (*on_error)(void *arg, int err);
	struct map_batch *batch;	/* a map item, or NULL */
	size_t index;			/* its item number in batch */
	uint64_t id;
	uint64_t queued_ns;		/* when it entered the queue, for the
					 * aging key: set only when aging */
	uint64_t queued_tk;		/* the same in ticks, when timed */
	int priority;
	bool timed;			/* queued_tk is set; time its run */
};

/*
 * The tasks a worker took from the queue at once (pool-worker.c), on its
 * stack.  Each is claimed by one fetch-add of next: by the worker, one
 * after another as it runs them, and by any other worker that is free,
 * before it takes from the queue, so that a task taken with others never
 * waits behind them while a worker is free, and they start in their
 * order.  While it has tasks to claim it is on the pool's
 * list of takes; the list, t and n are under mu, next is not.
 */
struct pool_take {
	_Atomic unsigned next;	/* the first task not yet claimed */
	unsigned n;
	struct pool_task *t;
	struct pool_take *prev, *later;	/* on ls_pool.takes */
	bool listed;
};

/* A slot of the intake (pool-intake.c): seq says whose turn it is, and
 * the task, without what no intake task has (a batch, an aging key), so
 * that a submit writes one line. */
struct intake_slot {
	alignas(64) _Atomic uint64_t seq;
	ls_task_fn fn;			/* NULL: taken back (a tombstone) */
	void *arg;
	void (*on_done)(void *arg);
	void (*on_error)(void *arg, int err);
	uint64_t id;
	uint64_t queued_tk;
	int priority;
	bool timed;
};

_Static_assert(sizeof(struct intake_slot) == 64, "a slot is one line");

/*
 * The intake: submits without mu (pool-intake.c).  Allocated for every
 * pool (ids live here); slots is NULL where the pool has no intake.
 */
struct pool_intake {
	/* Written by submitters only: the next position, the next id. */
	alignas(64) _Atomic uint64_t tail;
	_Atomic uint64_t ids;
	/* Written under mu, read by submitters: may they use the intake,
	 * and how many workers idle (idleq.len as of its last change). */
	alignas(64) _Atomic bool open;
	_Atomic unsigned idle;
	/* Under mu. */
	alignas(64) uint64_t head;
	uint32_t mask;		/* slots - 1 */
	struct intake_slot *slots;
};

struct ls_pool {
	/* Set at creation, read without the lock. */
	struct pool_intake *in;
	unsigned rq_cap;	/* room in the run queue: capacity less the
				 * intake's slots */
	struct ls_group *group;
	uint32_t obj;
	unsigned capacity;
	unsigned slack;		/* free slots that let waiters in */
	unsigned min, max;
	bool fifo;
	bool take_many;		/* several tasks a take (pool-worker.c) */
	bool time_all;		/* events or aging need every task's times */
	uint64_t keep_alive_ns;
	uint64_t aging_ns;
	uint64_t base_ns;	/* creation time, origin of aging keys */
	char name[LS_NAME_MAX + 1];

	pthread_mutex_t mu;	/* guards every field below */
	pthread_cond_t exit_cv;	/* destroy waits here for the workers */
	enum pool_state state;
	bool cancelled;		/* stopped by a cancel of the group */
	struct pool_task *slots;	/* capacity tasks */
	uint32_t *free_slots;	/* a stack of unused slot numbers */
	unsigned nfree;
	struct runq rq;		/* the queued tasks' slots, in run order */
	struct pool_take *takes;	/* takes with tasks left to claim */
	unsigned reserved;	/* room handed to woken submitters */
	struct waitq idleq;	/* idle workers, newest at the tail */
	struct waitq submitq;	/* submitters waiting for room */
	struct waitq mapq;	/* map callers waiting for their items */
	struct waitq quietq;	/* ls_pool_wait_idle callers */
	struct waitq exitq;	/* ls_pool_shutdown callers */
	struct waitq flushq;	/* locked submits waiting for a place in
				 * the intake to be published (pool-intake.c) */
	unsigned workers;	/* started or starting, not yet left */
	unsigned starting;	/* spawned, not yet in their loop */
	unsigned waking;	/* idle workers granted, not yet awake */
	unsigned busy;		/* holding a task */
	unsigned dropping;	/* dropped tasks in their callbacks */
	unsigned settling;	/* threads in pool_stopping_moved_relock */
	unsigned next_worker;	/* for worker names */
	uint64_t submitted, completed, failed, rejected, dropped;
	uint64_t spawned, retired, timed;
	uint64_t spawn_req_ns, scale_up_ns, scale_up_at;
	struct hist wait_hist, run_hist;
};

/*
 * Say the depth after a task entered or left the queue.  Every change is
 * told while the queue is short (what a scene shows), and in a deep queue
 * every eighth: each event costs a clock read, a deep queue changes twice
 * per task, and its sparkline loses nothing at a resolution of 8.  The
 * event is absolute, so a lost one is healed by the next.
 */
unsigned pool_intake_len(const struct ls_pool *p);

/* The tasks queued: in the run queue and the intake. */
static inline unsigned
pool_depth_locked(const struct ls_pool *p)
{
	return runq_len(&p->rq) + pool_intake_len(p);
}

static inline void
pool_emit_depth_locked(const struct ls_pool *p)
{
	unsigned depth = pool_depth_locked(p);

	if (depth < 16 || !(depth & 7))
		ls_emit(LS_EV_POOL_DEPTH, p->obj, depth, p->capacity);
}

/* pool.c */

/* Why a submit is refused now, or 0. */
int pool_refusal_locked(const struct ls_pool *p);

/* Put t (id set, room checked) in a free slot and the run queue. */
void pool_queue_locked(struct ls_pool *p, const struct pool_task *t);

/* Grant the newest idle worker if the queue holds more tasks than the
 * workers already woken; its wake-up is left in wk for after mu. */
void pool_wake_idle_locked(struct ls_pool *p, struct wake *wk);

/* Grant every idle worker, to look at a new state. */
void pool_wake_all_idle_locked(struct ls_pool *p);

/* The monotonic deadline timeout_ns from now, or 0 (none) for
 * LS_POOL_FOREVER and for a timeout too long to add to the clock. */
uint64_t pool_deadline(uint64_t timeout_ns);

/* Wake every ls_pool_wait_idle caller if the pool is quiet. */
void pool_check_quiet_locked(struct ls_pool *p);

/* Take the first queued task (the queue is not empty) into *t and free
 * its slot. */
void pool_take_locked(struct ls_pool *p, struct pool_task *t);

/* pool-worker.c: claim into *t a task a worker took with others and has
 * not begun (struct pool_take); it stays counted busy.  Returns whether
 * there was one. */
bool pool_take_claim_any_locked(struct ls_pool *p, struct pool_task *t);

/* Hand free room to waiting submitters, in their order (by priority),
 * once slack slots are free. */
void pool_admit_locked(struct ls_pool *p);

/* Refuse every waiting submitter with rc (for a stop). */
void pool_refuse_locked(struct ls_pool *p, int rc);

/* Queue t: wait for room up to deadline (0: none) if wait, else refuse a
 * full queue.  Without mu.  Returns 0 or a negative errno (pool.h). */
int pool_submit(struct ls_pool *p, struct pool_task *t, bool wait,
		uint64_t deadline, uint64_t *id);

/* pool-stop.c */

/* Wake shutdown and destroy if no worker is left and nothing is pending
 * in the intake; each then counts the settling drops that are not its
 * own thread's (pool_settling_mine). */
void pool_check_gone_locked(struct ls_pool *p);

/* The pool's group was cancelled: stop for good, refusing waiters. */
void pool_cancel_locked(struct ls_pool *p);

/* Count and announce t, taken out of the queue, as never to run.
 * Returns t's batch if that dropped its last reference (the caller puts
 * it with pool_map_put once mu is dropped), else NULL. */
struct map_batch *pool_drop_locked(struct ls_pool *p,
				   const struct pool_task *t);

/* Tell a dropped task's owner (on_error with -ECANCELED; a map item's
 * owner learns from its status instead).  Without mu. */
void pool_tell_dropped(const struct pool_task *t);

/* Drop every queued task.  The state is STOPPED, so nothing new enters
 * the queue while mu is dropped around the callbacks. */
void pool_drop_all_relock(struct ls_pool *p);

/* Room came free or the intake moved in a pool that stops: what it holds
 * is dropped (stopped) or left to the workers, woken (draining).  The
 * caller then checks whether the pool is gone. */
void pool_stopping_moved_relock(struct ls_pool *p);

/* pool-intake.c */

/* Give p its intake where cfg allows one (and its ids either way), and
 * set rq_cap.  Returns 0 or -ENOMEM. */
int pool_intake_create(struct ls_pool *p, const struct ls_pool_config *cfg);
void pool_intake_free(struct ls_pool *p);

/* The next task id, in submission order.  Any thread. */
uint64_t pool_next_id(struct ls_pool *p);

/* Queue t through the intake, without mu, if it is open and has room:
 * returns true with the submit's result in *rc, else false (nothing was
 * done; take the locked way). */
bool pool_intake_submit(struct ls_pool *p, struct pool_task *t, uint64_t *id,
			int *rc);

/* Queue t (its id set) in the intake's room, under mu, when the run queue
 * has none.  Returns whether it went in. */
bool pool_intake_put_locked(struct ls_pool *p, struct pool_task *t);

/* A shutdown is about to wait for the pool to be gone: nothing, but for a
 * test's hook (pool-intake.c). */
void pool_intake_exit_wait_locked(void);

/* Open or close the intake for the pool's state (after it changes). */
void pool_intake_update_locked(struct ls_pool *p);

/* Move the published tasks into the run queue while it has room; returns
 * how many. */
unsigned pool_intake_drain_locked(struct ls_pool *p);

/* Is a position reserved and not yet drained? */
bool pool_intake_pending(const struct ls_pool *p);

/* Is the task at the intake's head published (ready to drain)? */
bool pool_intake_ready_locked(const struct ls_pool *p);

/* Drain the intake, and say whether it is empty now. */
bool pool_intake_empty_locked(struct ls_pool *p);

/* Drain the intake of the places reserved before the call, waiting for a
 * submit between its reservation and its publication that holds back the
 * rest, until they are drained or the run queue has no room for the next.
 * The wait is a producer's few instructions, unless it is preempted there;
 * deadline as waitq_sleep_locked's (0: none).  Returns 0, -ETIMEDOUT,
 * -ECANCELED if the caller's group is cancelled meanwhile, or the pool's
 * refusal if it stopped meanwhile (then nothing more was drained). */
int pool_intake_flush_relock(struct ls_pool *p, uint64_t deadline);

/* idleq.len changed: tell the submitters. */
void pool_idle_changed_locked(struct ls_pool *p);

/* A worker queued itself idle: tell the submitters, then say whether a
 * published task waits in the intake after all (then it must not sleep). */
bool pool_intake_idle_check_locked(struct ls_pool *p);

/* pool-worker.c */

/* The pool whose worker the calling thread is, to refuse self-waits. */
extern _Thread_local struct ls_pool *pool_worker_current;

/* Set up w for the calling thread to wait on p; -EDEADLK (w untouched)
 * from a worker of p, which would wait for itself. */
static inline int
pool_waiter_of_caller(const struct ls_pool *p, struct waiter *w)
{
	if (pool_worker_current == p)
		return -EDEADLK;
	w->t = ls_thread_self();
	w->obj = p->obj;
	return 0;
}

/* The drops this thread is making in stopping pools, innermost first, each
 * on the stack of pool_stopping_moved_relock while it tells the owners: a
 * callback's shutdown of such a pool does not wait for its own thread's
 * drops (they may nest across pools), and a callback's destroy panics. */
struct pool_settle_frame {
	const struct ls_pool *p;
	const struct pool_settle_frame *up;
};
extern _Thread_local const struct pool_settle_frame *pool_settling_here;

/* How many of p's settling drops are this thread's. */
unsigned pool_settling_mine(const struct ls_pool *p);

/* Count a worker about to start; returns its number for
 * pool_worker_start. */
unsigned pool_worker_reserve_locked(struct ls_pool *p);

/* Does the queue hold more tasks than idle or starting workers can take,
 * with room for one more worker? */
bool pool_worker_wanted_locked(const struct ls_pool *p);

/* Start worker number num, reserved with pool_worker_reserve_locked.
 * Returns 0 or ls_thread_spawn's error, after undoing the reservation. */
int pool_worker_start(struct ls_pool *p, unsigned num);

/* pool-map.c */

/* Has b's caller given up?  A hint read without mu: a stale false only
 * means an item runs and its result is thrown away. */
bool pool_map_abandoned(const struct map_batch *b);

/* Run item i of b: fn(ctx, i). */
int pool_map_call(const struct map_batch *b, size_t i);

/* One more queued item holds b. */
void pool_map_hold_locked(struct map_batch *b);

/* Account for item i of b finishing with status (or being dropped).
 * Returns b if that dropped its last reference, for pool_map_put. */
struct map_batch *pool_map_done_locked(struct ls_pool *p, struct map_batch *b,
				       size_t i, int status);

/* Release and free b, whose last reference is gone (NULL: nothing). */
void pool_map_put(struct map_batch *b);

#endif
