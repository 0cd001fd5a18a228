/*
 * event.h - the one record every part of lockstep speaks.
 *
 * The engine writes an event for every operation it performs, about the
 * thread that performs it, into the event ring (ring.h).  The model folds
 * those events into a picture; the ui, the headless summary and trace
 * export read the model.  Events are absolute where they can be ("T3 now
 * holds A", "queue depth is 7") so that one dropped event is healed by the
 * next one about the same thread or object.
 *
 * The record is 32 bytes: two per cache line, written by one store burst.
 */
#ifndef LOCKSTEP_EVENT_H
#define LOCKSTEP_EVENT_H

#include <stdint.h>

/* What happened.  The comment after each kind says what obj, arg and aux
 * carry; "-" means unused (zero). */
enum ls_event_kind {
	LS_EV_NONE = 0,
	LS_EV_THREAD_START,	/* obj -, arg group id, aux - */
	LS_EV_THREAD_EXIT,	/* obj -, arg exit status, aux - */
	LS_EV_STATE,		/* obj -, arg enum ls_thread_state, aux - */

	LS_EV_LOCK_WAIT,	/* obj mutex, arg -, aux 1: timed (it gives up) */
	LS_EV_LOCK_ACQUIRED,	/* obj mutex, arg wait ns, aux - */
	LS_EV_LOCK_RELEASED,	/* obj mutex, arg hold ns, aux - */
	LS_EV_LOCK_TIMEOUT,	/* obj mutex, arg wait ns, aux - */
	LS_EV_LOCK_BUSY,	/* obj mutex, arg owner tid, aux - (trylock failed) */

	LS_EV_RD_WAIT,		/* obj rwlock, arg readers inside, aux waiting */
	LS_EV_RD_ACQUIRED,	/* obj rwlock, arg readers inside after, aux wait us */
	LS_EV_RD_RELEASED,	/* obj rwlock, arg readers inside after, aux - */
	LS_EV_WR_WAIT,		/* obj rwlock, arg readers inside, aux waiting */
	LS_EV_WR_ACQUIRED,	/* obj rwlock, arg wait ns, aux - */
	LS_EV_WR_RELEASED,	/* obj rwlock, arg hold ns, aux - */
	LS_EV_RW_TIMEOUT,	/* obj rwlock, arg wait ns, aux 1 writer 0 reader */

	LS_EV_SEM_WAIT,		/* obj sem, arg count, aux - */
	LS_EV_SEM_ACQUIRED,	/* obj sem, arg count after, aux - */
	LS_EV_SEM_POST,		/* obj sem, arg count after, aux - */
	LS_EV_SEM_TIMEOUT,	/* obj sem, arg count, aux - */

	LS_EV_Q_PUSH_WAIT,	/* obj queue, arg depth, aux capacity */
	LS_EV_Q_PUSHED,		/* obj queue, arg depth after, aux capacity */
	LS_EV_Q_POP_WAIT,	/* obj queue, arg depth, aux capacity */
	LS_EV_Q_POPPED,		/* obj queue, arg depth after, aux capacity */
	LS_EV_Q_TIMEOUT,	/* obj queue, arg depth, aux 1 push 0 pop */
	LS_EV_Q_CLOSED,		/* obj queue, arg depth, aux capacity; or obj
				 * pool: destroyed (arg 0) */

	LS_EV_TASK_SUBMIT,	/* obj pool, arg task id, aux priority */
	LS_EV_TASK_START,	/* obj pool, arg task id, aux queue wait us */
	LS_EV_TASK_END,		/* obj pool, arg task id, aux run us */
	LS_EV_TASK_FAIL,	/* obj pool, arg task id, aux error code */
	LS_EV_TASK_REJECT,	/* obj pool, arg task id, aux queue depth;
				 * after the task's SUBMIT when the submit
				 * met a stop as it queued (pool.h) */
	LS_EV_TASK_DROP,	/* obj pool, arg task id, aux - (shutdown now) */
	LS_EV_POOL_SCALE,	/* obj pool, arg workers after, aux idle after */
	LS_EV_POOL_DEPTH,	/* obj pool, arg queue depth, aux capacity */

	LS_EV_GATE_WAIT,	/* obj gate's object, arg event kind it guards, aux tag */
	LS_EV_GATE_PASS,	/* obj gate's object, arg event kind it guards, aux - */
	LS_EV_CANCELLED,	/* obj object waited on, or whose gate it
				 * was parked at; arg -, aux - */
	LS_EV_MARK,		/* obj scene object, arg value, aux LS_MARK_* */
	LS_EV_ERROR,		/* obj object, arg enum ls_error_code, aux detail */
	LS_EV_OUTCOME,		/* obj object or -, arg enum ls_outcome, aux tid */

	/*
	 * A recursive mutex (mutex.h): the owner's depth changed without the
	 * mutex changing hands (aux 1: a lock went deeper, 0: an unlock came
	 * back up).  Its first lock is a LOCK_ACQUIRED (depth 1) and only its
	 * last unlock a LOCK_RELEASED, so a view that ignores this kind still
	 * sees the right owner.  Only the owner emits it, and it is no lock
	 * attempt (it waits for nothing).  A condition wait lets go of every
	 * level at once (one LOCK_RELEASED) and, with the mutex back, puts
	 * the depth back with one LOCK_DEPTH (aux 1) from 1 to what it was.
	 */
	LS_EV_LOCK_DEPTH,	/* obj mutex, arg depth after (>= 1), aux 1 or 0 */

	/*
	 * Condition variables (cond.h).  A wait emits the mutex's
	 * LOCK_RELEASED, then CV_WAIT; once signalled, CV_WOKEN (or, timed
	 * out, CV_TIMEOUT), then the mutex's own events as it takes the
	 * mutex back (LOCK_WAIT, LOCK_ACQUIRED, LOCK_DEPTH); a CANCELLED
	 * takes nothing back.  Here and below, "waiters" counts the threads
	 * queued on the object after the event (a *_WAIT's own thread
	 * included, cancelled ones not yet gone too).  A thread let go (by a
	 * signal, a broadcast, a barrier's release, a set, a latch's
	 * opening) leaves that queue at once, in the event that let it go,
	 * though it says so itself only with its own next event: a view
	 * counting the threads it sees blocked counts it until then.  Those
	 * releases skip waiters whose group is cancelled, which stay queued
	 * until they leave with CANCELLED.  A signal or broadcast that finds
	 * nobody waiting is lost, as in pthreads, and says so with CV_LOST
	 * (arg: which of the two it was).
	 */
	LS_EV_CV_WAIT,		/* obj cond, arg mutex id, aux waiters */
	LS_EV_CV_WOKEN,		/* obj cond, arg wait ns, aux waiters */
	LS_EV_CV_TIMEOUT,	/* obj cond, arg wait ns, aux waiters */
	LS_EV_CV_SIGNAL,	/* obj cond, arg tid woken, aux waiters */
	LS_EV_CV_BROADCAST,	/* obj cond, arg threads woken (>= 1), aux waiters */
	LS_EV_CV_LOST,		/* obj cond, arg event kind, aux - */

	/* Barriers (barrier.h).  The last arrival of a generation emits
	 * BAR_RELEASE and waits for nobody; every other arrival emits
	 * BAR_WAIT, then BAR_PASSED once released (possibly after later
	 * rounds opened).  Arrivals never count a cancelled waiter, even one
	 * still queued. */
	LS_EV_BAR_WAIT,		/* obj barrier, arg arrived so far, aux parties */
	LS_EV_BAR_RELEASE,	/* obj barrier, arg generation (1...), aux parties */
	LS_EV_BAR_PASSED,	/* obj barrier, arg generation, aux wait us */

	/* Reset events (resetevent.h); "set" is the state after the event,
	 * 1 set, 0 not. */
	LS_EV_RE_WAIT,		/* obj event, arg set (0), aux waiters */
	LS_EV_RE_PASSED,	/* obj event, arg set, aux waiters */
	LS_EV_RE_TIMEOUT,	/* obj event, arg set, aux waiters */
	LS_EV_RE_SET,		/* obj event, arg set, aux threads released */
	LS_EV_RE_RESET,		/* obj event, arg set (0), aux set before */

	/* Countdown latches (latch.h).  The count is what is left; a
	 * LATCH_TIMEOUT at 0 is a cancelled timed waiter the opening
	 * skipped. */
	LS_EV_LATCH_WAIT,	/* obj latch, arg count, aux waiters */
	LS_EV_LATCH_PASSED,	/* obj latch, arg count (0), aux waiters */
	LS_EV_LATCH_TIMEOUT,	/* obj latch, arg count, aux waiters */
	LS_EV_LATCH_DOWN,	/* obj latch, arg count after, aux released */

	LS_EV_KIND_COUNT
};

/*
 * MARK's aux: the low bits are the point of the variable's series the
 * value is (0 for none; the sizing scene's throughput by pool size), and
 * at most one flag says what the thread did to the variable: read it (arg
 * is the value it saw) or wrote it (arg is the value it stored).  With
 * neither, arg is simply the variable's value now.
 */
#define LS_MARK_SERIES 0x0000ffffu	/* the series index */
#define LS_MARK_READ 0x40000000u
#define LS_MARK_WRITE 0x80000000u

/* Thread states carried by LS_EV_STATE. */
enum ls_thread_state {
	LS_STATE_RUNNING = 0,
	LS_STATE_IDLE,		/* waiting for work, not for a resource */
	LS_STATE_SLEEPING,	/* simulated work that is not CPU (I/O) */
	LS_STATE_BLOCKED,
	LS_STATE_PARKED,	/* held at a gate by pause or step */
	LS_STATE_DONE,
	LS_STATE_COUNT
};

/* Error codes carried by LS_EV_ERROR. */
enum ls_error_code {
	LS_ERR_NOT_OWNER = 1,	/* unlock of a lock the caller does not hold */
	LS_ERR_LOCK_ORDER,	/* acquisition against an established order */
	LS_ERR_HIERARCHY,	/* lower level taken while holding a higher one */
	LS_ERR_RELOCK,		/* non-recursive lock taken twice by its owner */
	LS_ERR_TOO_DEEP,	/* recursive lock nested too deep; aux limit */
	LS_ERR_CV_NOT_OWNER,	/* cond wait without the mutex; aux the
				 * mutex's owner (0: nobody) */
	LS_ERR_LATCH_UNDERFLOW,	/* latch counted down past zero; aux count */
};

/*
 * What a scene or a script reports the moment it happens (OUTCOME): the
 * failure its lesson is about, with the thread that caused it in aux and
 * the object involved.  The scene also hands the controller a sentence
 * that explains it (scenes/scene.h, scene_report).
 */
enum ls_outcome {
	LS_OUT_NONE = 0,
	LS_OUT_ASSERT,		/* a failed assert or fail() in a script */
	LS_OUT_DEADLOCK,	/* no live thread can ever move again */
	LS_OUT_CRITICAL,	/* two threads inside one critical section */
	LS_OUT_ERROR,		/* a runtime error (unlock not held...) */
	LS_OUT_LOST_UPDATE,	/* a write overwrote one it never saw */
	LS_OUT_TORN_READ,	/* a reader saw half of an update */
	LS_OUT_STARVED,		/* a thread waited while others kept going */
	LS_OUT_INVARIANT,	/* a scene's invariant broke */
	LS_OUT_LIVELOCK,	/* threads move, and nothing ever changes */
	LS_OUT_COUNT
};

/* Object kinds, named when an object is registered (ring.h). */
enum ls_obj_kind {
	LS_OBJ_NONE = 0,
	LS_OBJ_MUTEX,
	LS_OBJ_RWLOCK,
	LS_OBJ_SEM,
	LS_OBJ_QUEUE,
	LS_OBJ_POOL,
	LS_OBJ_VAR,		/* a scene's shared variable (balance, config) */
	LS_OBJ_COND,		/* a condition variable */
	LS_OBJ_BARRIER,
	LS_OBJ_EVENT_MANUAL,	/* a manual-reset event (resetevent.h) */
	LS_OBJ_EVENT_AUTO,	/* an auto-reset event */
	LS_OBJ_LATCH,		/* a countdown latch */
	LS_OBJ_KIND_COUNT
};

struct ls_event {
	uint64_t ts;		/* ticks from the ring, ns after the feed (clock.h) */
	uint64_t arg;		/* kind-specific, see enum ls_event_kind */
	uint32_t seq;		/* per-producer; a gap is explained by drops */
	uint32_t obj;		/* object id, 0 for none */
	uint16_t tid;		/* producer id given at registration */
	uint16_t kind;		/* enum ls_event_kind */
	uint32_t aux;		/* kind-specific second argument */
};

_Static_assert(sizeof(struct ls_event) == 32, "an event is 32 bytes");

/* Short upper-case name of an event kind ("LOCK_WAIT"); "?" if unknown. */
const char *ls_event_kind_name(unsigned kind);

/* Lower-case name of a thread state ("blocked"); "?" if unknown. */
const char *ls_thread_state_name(unsigned state);

/* Upper-case name of an outcome ("LOST UPDATE"); "?" if unknown. */
const char *ls_outcome_name(unsigned outcome);

/* Lower-case name of an object kind ("rwlock"); "?" if unknown. */
const char *ls_obj_kind_name(unsigned kind);

#endif
