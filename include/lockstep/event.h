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

	LS_EV_LOCK_WAIT,	/* obj mutex, arg -, aux - */
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
	LS_EV_Q_CLOSED,		/* obj queue, arg depth, aux capacity */

	LS_EV_TASK_SUBMIT,	/* obj pool, arg task id, aux priority */
	LS_EV_TASK_START,	/* obj pool, arg task id, aux queue wait us */
	LS_EV_TASK_END,		/* obj pool, arg task id, aux run us */
	LS_EV_TASK_FAIL,	/* obj pool, arg task id, aux error code */
	LS_EV_TASK_REJECT,	/* obj pool, arg task id, aux queue depth */
	LS_EV_TASK_DROP,	/* obj pool, arg task id, aux - (shutdown now) */
	LS_EV_POOL_SCALE,	/* obj pool, arg workers after, aux idle after */
	LS_EV_POOL_DEPTH,	/* obj pool, arg queue depth, aux capacity */

	LS_EV_GATE_WAIT,	/* obj gate's object, arg event kind it guards, aux tag */
	LS_EV_GATE_PASS,	/* obj gate's object, arg event kind it guards, aux - */
	LS_EV_CANCELLED,	/* obj object waited on, arg -, aux - */
	LS_EV_MARK,		/* obj scene object, arg value, aux scene-defined */
	LS_EV_ERROR,		/* obj object, arg enum ls_error_code, aux detail */
	LS_EV_OUTCOME,		/* obj object or -, arg enum ls_outcome, aux tid */

	LS_EV_KIND_COUNT
};

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
