/*
 * run-int.h - what the files of the script runtime share: the state of
 * one run of a compiled script on engine threads.
 *
 * run.c starts and stops a run and holds each thread's loop; run-step.c
 * runs one step (the gate, then its parts, in the order script.h gives);
 * run-obj.c does a step's operation on an engine primitive; run-view.c
 * hashes the state for the explorer and copies it out for the code view.
 *
 * Threads: every field of struct run_thread is written by its own thread
 * only, and read by the controller while the group is at rest (the code
 * view, the state hash) or by other threads judging an outcome; so the
 * fields that others read are relaxed atomics (no data race, and the gate
 * the thread parks at orders its writes before the controller's reads).
 * The shared slots are relaxed atomics too: a script's race is a race the
 * gates decide, never undefined behaviour.
 */
#ifndef LOCKSTEP_SCRIPT_RUN_INT_H
#define LOCKSTEP_SCRIPT_RUN_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/control.h"
#include "script/run.h"
#include "script/script.h"

struct scene_run;

/*
 * A gate tag (ls_gate_tag) is the step's pc + 1 in the low bits.  The
 * gate where a thread back from wait(cv, m) takes m again is the rest of
 * the wait step: it carries CONTROL_TAG_FOLLOW (control.h passes such a gate
 * at once, as part of the step that woke the thread) and the wait's
 * ticket, so that threads woken together go on in the order they waited.
 */
#define RUN_TAG_PC_MASK 0xffffu
#define RUN_TAG_TICKET_SHIFT CONTROL_TAG_ORDER_SHIFT
#define RUN_TAG_TICKET_MASK CONTROL_TAG_ORDER_MASK

/* What a step came to (run_step_take's result). */
enum run_next {
	RUN_NEXT_GO = 0,	/* at its next step, or done */
	RUN_NEXT_END,		/* it ended the run (an outcome): stop */
	RUN_NEXT_CANCELLED,	/* the group is cancelled: unwind */
};

/* An engine primitive behind a script object (by its kind). */
union run_prim {
	struct ls_mutex *mutex;
	struct ls_rwlock *rwlock;
	struct ls_sem *sem;
	struct ls_cond *cond;
	struct ls_barrier *barrier;
	struct ls_resetevent *event;
	struct ls_latch *latch;
	struct ls_bqueue *queue;
	struct run_list *list;
};

/*
 * The deliberately unsafe list: not an engine primitive, so its own
 * small lock (never held across a gate) keeps the runtime itself sound
 * while the script's use of it is judged by owner.
 */
struct run_list {
	pthread_mutex_t mu;	/* guards owner, n and items */
	int owner;		/* thread between a begin and an end, -1 */
	unsigned n;
	int64_t items[SCRIPT_MAX_ITEMS];
};

/* What a queue holds, as a multiset of values (for the state hash): a
 * push adds its value once it returned, a pop takes it away once it
 * returned; at rest the two agree with the queue.  Guarded by mu. */
struct run_qmirror {
	pthread_mutex_t mu;
	unsigned n;
	int64_t value[2 * SCRIPT_MAX_ITEMS + SCRIPT_MAX_THREADS];
	int count[2 * SCRIPT_MAX_ITEMS + SCRIPT_MAX_THREADS];
};

struct run_state;

struct run_thread {
	struct run_state *s;
	unsigned index;			/* in prog->threads */
	const struct script_body *body;
	int64_t id;			/* the copy's index */
	_Atomic unsigned tid;		/* its ring tid, once started */
	_Atomic unsigned pc;		/* the step it is at */
	_Atomic int status;		/* enum run_status */
	_Atomic int64_t carry;		/* in push: the value it brings */
	/* The global step count when it took its last step: orders the
	 * threads blocked in one object. */
	_Atomic unsigned long took;
	_Atomic int64_t locals[SCRIPT_MAX_LOCALS];
	_Atomic int64_t temps[SCRIPT_MAX_TEMPS];
	/* Its own bookkeeping, read by itself only. */
	uint64_t rw_read, rw_write;	/* rwlocks held (bit = object) */
	bool inside;			/* counted in s->inside */
};

struct run_state {
	struct scene_run *run;
	const struct script_program *prog;
	union run_prim prim[SCRIPT_MAX_OBJECTS];
	uint32_t obj_id[SCRIPT_MAX_OBJECTS];	/* ring ids */
	struct run_qmirror *mirror[SCRIPT_MAX_OBJECTS];	/* queues */
	uint32_t slot_id[SCRIPT_MAX_SLOTS];	/* a variable per slot */
	_Atomic int64_t shared[SCRIPT_MAX_SLOTS];
	struct run_thread th[SCRIPT_MAX_THREADS];
	_Atomic unsigned live;		/* threads not yet returned */
	_Atomic unsigned inside;	/* threads inside critical blocks */
	_Atomic unsigned long steps;	/* steps taken by every thread */
	_Atomic unsigned ticket;	/* condition waits so far */
	/* The author's solution as thread names, for scene_def.schedule. */
	const char *solution[SCRIPT_MAX_STEPS / 8 + 1];
};

/* run-step.c */
/* Take thread th's next step: its gate, then the step.  Thread th only. */
enum run_next run_step_take(struct run_thread *th);
/* Copy the shared slots into buf (nslots values). */
void run_step_snapshot(const struct run_state *s, int64_t *buf);
/* The check block, once every thread returned (the last thread). */
void run_step_check(struct run_state *s);
/* Report a fault of thread t (nthreads: the check block) at st. */
void run_step_fault(struct run_state *s, unsigned t,
		    const struct script_step *st, enum script_fault f,
		    int64_t index);
/* Thread th's locals and temps into plain arrays. */
void run_step_frame(const struct run_thread *th, int64_t *locals,
		    int64_t *temps);

/* run-obj.c */
/*
 * Run the operation of step st on its object for th, the step's gate
 * passed.  Returns 0 with a result in *result for those that give one,
 * -ECANCELED, or a fault (> 0).
 */
int run_obj_op(struct run_thread *th, const struct script_step *st,
	       int64_t *result);
/* The probe for an own gate of step st that may block, or NULL. */
const struct ls_gate_probe *run_obj_probe(const struct script_step *st);
/* The event kind of st's operation (the gate's kind). */
unsigned run_obj_kind(const struct script_step *st);
/* Items in object o now (count(q), count(items)). */
int64_t run_obj_count(const struct run_state *s, unsigned o);

#endif
