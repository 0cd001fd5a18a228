/*
 * run-obj.c - a script step's operation on its object: the engine's
 * primitives (the unsafe list is the runtime's own), with their errors
 * turned into the script's faults, and the probes that tell the
 * controller, before a step, whether its operation will wait.
 *
 * The step's own gate has been passed (run-step.c); each call into a
 * primitive is preceded by ls_gate_prepay, so the primitive's gate lets
 * it through at once and the step stays one gate.  A fault that the
 * thread can tell by itself (an rwlock it holds or does not hold) is
 * judged here without calling the primitive, after the gate, as the
 * reference does.
 *
 * wait(cv, m): once signalled, the engine's condition takes m back
 * through m's own gate.  That gate belongs to the wait step: it is tagged
 * CONTROL_TAG_FOLLOW with the wait's ticket, and the control passes it at
 * once, in ticket order, so the waiter queues on m as the reference
 * says: right after the signal, behind those that waited before it.
 */
#include "config.h"

#include "script/run-int.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "control/control.h"
#include "lockstep/barrier.h"
#include "lockstep/bqueue.h"
#include "lockstep/cond.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/latch.h"
#include "lockstep/mutex.h"
#include "lockstep/resetevent.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"

unsigned
run_obj_kind(const struct script_step *st)
{
	switch (st->kind) {
	case SCRIPT_STEP_LOCK:
	case SCRIPT_STEP_TRYLOCK:
		return LS_EV_LOCK_ACQUIRED;
	case SCRIPT_STEP_UNLOCK:
		return LS_EV_LOCK_RELEASED;
	case SCRIPT_STEP_RDLOCK:
		return LS_EV_RD_ACQUIRED;
	case SCRIPT_STEP_WRLOCK:
		return LS_EV_WR_ACQUIRED;
	case SCRIPT_STEP_RWUNLOCK:
		return LS_EV_RD_RELEASED;
	case SCRIPT_STEP_WAIT:
		return LS_EV_CV_WAIT;
	case SCRIPT_STEP_SIGNAL:
		return LS_EV_CV_SIGNAL;
	case SCRIPT_STEP_BROADCAST:
		return LS_EV_CV_BROADCAST;
	case SCRIPT_STEP_SEM_WAIT:
		return LS_EV_SEM_ACQUIRED;
	case SCRIPT_STEP_SEM_POST:
		return LS_EV_SEM_POST;
	case SCRIPT_STEP_BARRIER_WAIT:
		return LS_EV_BAR_PASSED;
	case SCRIPT_STEP_EVENT_SET:
		return LS_EV_RE_SET;
	case SCRIPT_STEP_EVENT_RESET:
		return LS_EV_RE_RESET;
	case SCRIPT_STEP_EVENT_WAIT:
		return LS_EV_RE_PASSED;
	case SCRIPT_STEP_LATCH_COUNT_DOWN:
		return LS_EV_LATCH_DOWN;
	case SCRIPT_STEP_LATCH_WAIT:
		return LS_EV_LATCH_PASSED;
	case SCRIPT_STEP_PUSH:
		return LS_EV_Q_PUSHED;
	case SCRIPT_STEP_POP:
		return LS_EV_Q_POPPED;
	default:
		return LS_EV_MARK;
	}
}

/* Would rwlock l's policy let a reader (or a writer) in now, as the
 * engine's rwlock_policy_admit does?  If not, *holder is its writer. */
static bool
run_obj_rw_admits(const struct script_object *so, const struct ls_rwlock *l,
		  bool writer, unsigned *holder)
{
	struct ls_rwlock_stats st;

	ls_rwlock_stats(l, &st);
	if (st.writer) {
		*holder = st.writer_tid;
		return false;
	}
	if (writer)
		return !st.readers && !st.readers_waiting &&
		       !st.writers_waiting;
	switch (so->policy) {
	case SCRIPT_RW_WRITER:
		return !st.writers_waiting;
	case SCRIPT_RW_READER:
		return true;
	default:
		return !st.readers_waiting && !st.writers_waiting;
	}
}

/* The probe of a step that may wait: will its operation go through now?
 * The group is at rest, th parked at the step's gate. */
static bool
run_obj_ready(const void *prim, unsigned kind, unsigned *holder)
{
	const struct run_thread *th = prim;
	const struct run_state *s = th->s;
	const struct script_step *st =
		&th->body->steps[atomic_load_explicit(&th->pc,
						      memory_order_relaxed)];
	const union run_prim *p = &s->prim[st->obj];
	unsigned owner, me = atomic_load_explicit(&th->tid,
						  memory_order_relaxed);

	(void)kind;
	switch (st->kind) {
	case SCRIPT_STEP_LOCK:
		owner = ls_mutex_owner(p->mutex);
		*holder = owner;
		return !owner || owner == me;	/* its own: a fault or
						 * one level deeper */
	case SCRIPT_STEP_RDLOCK:
	case SCRIPT_STEP_WRLOCK:
		if ((th->rw_read | th->rw_write) >> st->obj & 1)
			return true;		/* a fault, at once */
		return run_obj_rw_admits(&s->prog->objs[st->obj], p->rwlock,
					 st->kind == SCRIPT_STEP_WRLOCK,
					 holder);
	case SCRIPT_STEP_WAIT:
		/* Holding m it always waits; without m it faults. */
		return ls_mutex_owner(s->prim[st->obj2].mutex) != me;
	case SCRIPT_STEP_SEM_WAIT:
		return ls_sem_value(p->sem) > 0;
	case SCRIPT_STEP_BARRIER_WAIT:
		return ls_barrier_waiters(p->barrier) + 1 >=
		       ls_barrier_parties(p->barrier);
	case SCRIPT_STEP_EVENT_WAIT:
		return ls_resetevent_is_set(p->event);
	case SCRIPT_STEP_LATCH_WAIT:
		return ls_latch_count(p->latch) == 0;
	case SCRIPT_STEP_PUSH:
		return ls_bqueue_depth(p->queue) <
			       ls_bqueue_capacity(p->queue) ||
		       ls_bqueue_waiting_pop(p->queue);
	case SCRIPT_STEP_POP:
		return ls_bqueue_depth(p->queue) > 0;
	default:
		return true;
	}
}

static const struct ls_gate_probe run_obj_probe_ops = {
	.ready = run_obj_ready,
};

const struct ls_gate_probe *
run_obj_probe(const struct script_step *st)
{
	switch (st->kind) {
	case SCRIPT_STEP_LOCK:
	case SCRIPT_STEP_RDLOCK:
	case SCRIPT_STEP_WRLOCK:
	case SCRIPT_STEP_WAIT:
	case SCRIPT_STEP_SEM_WAIT:
	case SCRIPT_STEP_BARRIER_WAIT:
	case SCRIPT_STEP_EVENT_WAIT:
	case SCRIPT_STEP_LATCH_WAIT:
	case SCRIPT_STEP_PUSH:
	case SCRIPT_STEP_POP:
		return &run_obj_probe_ops;
	default:
		return NULL;
	}
}

int64_t
run_obj_count(const struct run_state *s, unsigned o)
{
	struct run_list *l;
	int64_t n;

	if (s->prog->objs[o].kind == SCRIPT_QUEUE)
		return ls_bqueue_depth(s->prim[o].queue);
	l = s->prim[o].list;
	if (pthread_mutex_lock(&l->mu))
		return 0;
	n = l->n;
	pthread_mutex_unlock(&l->mu);
	return n;
}

/* Add (delta 1) or take away (-1) value v in queue o's mirror. */
static void
run_obj_mirror(struct run_state *s, unsigned o, int64_t v, int delta)
{
	struct run_qmirror *m = s->mirror[o];
	unsigned i;

	if (pthread_mutex_lock(&m->mu))
		return;
	for (i = 0; i < m->n && m->value[i] != v; i++)
		;
	if (i == m->n && m->n < sizeof(m->value) / sizeof(m->value[0])) {
		m->value[m->n] = v;
		m->count[m->n++] = 0;
	}
	if (i < m->n) {
		m->count[i] += delta;
		if (!m->count[i])
			m->value[i] = m->value[--m->n], m->count[i] =
				m->count[m->n];
	}
	pthread_mutex_unlock(&m->mu);
}

/* The unsafe list's begin and end steps. */
static int
run_obj_list(struct run_thread *th, const struct script_step *st,
	     int64_t *result)
{
	struct run_state *s = th->s;
	struct run_list *l = s->prim[st->obj].list;
	enum script_fault f = SCRIPT_FAULT_NONE;
	int64_t v = 0, locals[SCRIPT_MAX_LOCALS], temps[SCRIPT_MAX_TEMPS];
	int64_t shared[SCRIPT_MAX_SLOTS];
	unsigned n;

	if (st->kind == SCRIPT_STEP_ADD_END) {
		run_step_frame(th, locals, temps);
		run_step_snapshot(s, shared);
		f = eval_expr(&st->arg[0], shared, locals, temps, th->id, &v);
		if (f)
			return f;
	}
	if (pthread_mutex_lock(&l->mu))
		return SCRIPT_FAULT_OVERLAP;
	switch (st->kind) {
	case SCRIPT_STEP_ADD_BEGIN:
	case SCRIPT_STEP_TAKE_BEGIN:
		if (l->owner >= 0)
			f = SCRIPT_FAULT_OVERLAP;
		else
			l->owner = (int)th->index;
		break;
	case SCRIPT_STEP_ADD_END:
		if (l->n == SCRIPT_MAX_ITEMS) {
			f = SCRIPT_FAULT_FULL;
			break;
		}
		l->items[l->n++] = v;
		l->owner = -1;
		break;
	default:	/* take end */
		if (!l->n) {
			f = SCRIPT_FAULT_EMPTY;
			break;
		}
		*result = l->items[0];
		memmove(l->items, l->items + 1,
			(l->n - 1) * sizeof(*l->items));
		l->n--;
		l->owner = -1;
		break;
	}
	n = l->n;
	pthread_mutex_unlock(&l->mu);
	if (!f && (st->kind == SCRIPT_STEP_ADD_END ||
		   st->kind == SCRIPT_STEP_TAKE_END))
		ls_emit(LS_EV_MARK, s->obj_id[st->obj], n, LS_MARK_WRITE);
	return f;
}

/* A mutex operation. */
static int
run_obj_mutex(struct run_thread *th, const struct script_step *st,
	      struct ls_mutex *m, int64_t *result)
{
	int rc;

	(void)th;
	ls_gate_prepay();
	switch (st->kind) {
	case SCRIPT_STEP_LOCK:
		rc = ls_mutex_lock(m);
		break;
	case SCRIPT_STEP_TRYLOCK:
		rc = ls_mutex_trylock(m);
		*result = rc == 0;
		if (rc == -EBUSY)
			rc = 0;
		break;
	default:
		rc = ls_mutex_unlock(m);
		break;
	}
	switch (rc) {
	case 0:
		return 0;
	case -EPERM:
		return SCRIPT_FAULT_NOT_OWNER;
	case -ECANCELED:
		return rc;
	default:	/* -EDEADLK: its own non-recursive lock */
		return SCRIPT_FAULT_RELOCK;
	}
}

/* An rwlock operation; the thread knows what it holds. */
static int
run_obj_rwlock(struct run_thread *th, const struct script_step *st,
	       struct ls_rwlock *l)
{
	uint64_t bit = 1ull << st->obj;
	bool holds = (th->rw_read | th->rw_write) & bit;
	int rc;

	if (st->kind == SCRIPT_STEP_RWUNLOCK) {
		if (!holds)
			return SCRIPT_FAULT_NOT_OWNER;
		ls_gate_prepay();
		rc = ls_rwlock_unlock(l);
		th->rw_read &= ~bit;
		th->rw_write &= ~bit;
		return rc == -ECANCELED ? 0 : rc ? SCRIPT_FAULT_NOT_OWNER : 0;
	}
	if (holds)
		return SCRIPT_FAULT_RELOCK;
	ls_gate_prepay();
	rc = st->kind == SCRIPT_STEP_WRLOCK ? ls_rwlock_wrlock(l)
					    : ls_rwlock_rdlock(l);
	if (rc)
		return rc == -ECANCELED ? rc : SCRIPT_FAULT_RELOCK;
	if (st->kind == SCRIPT_STEP_WRLOCK)
		th->rw_write |= bit;
	else
		th->rw_read |= bit;
	return 0;
}

/* wait(cv, m): see the top of the file. */
static int
run_obj_cond_wait(struct run_thread *th, const struct script_step *st)
{
	struct run_state *s = th->s;
	unsigned pc = atomic_load_explicit(&th->pc, memory_order_relaxed);
	unsigned ticket = atomic_fetch_add(&s->ticket, 1);
	int rc;

	ls_gate_tag(CONTROL_TAG_FOLLOW |
		    (ticket & RUN_TAG_TICKET_MASK) << RUN_TAG_TICKET_SHIFT |
		    (pc + 1));
	ls_gate_prepay();
	rc = ls_cond_wait(s->prim[st->obj].cond, s->prim[st->obj2].mutex);
	ls_gate_tag(pc + 1);
	if (rc == -EPERM)
		return SCRIPT_FAULT_NOT_HELD;
	return rc;
}

/* A queue operation, the mirror kept. */
static int
run_obj_queue(struct run_thread *th, const struct script_step *st,
	      int64_t *result)
{
	struct run_state *s = th->s;
	struct ls_bqueue *q = s->prim[st->obj].queue;
	int64_t v, locals[SCRIPT_MAX_LOCALS], temps[SCRIPT_MAX_TEMPS];
	int64_t shared[SCRIPT_MAX_SLOTS];
	void *item = NULL;
	enum script_fault f;
	int rc;

	if (st->kind == SCRIPT_STEP_POP) {
		ls_gate_prepay();
		rc = ls_bqueue_pop(q, &item);
		if (rc)
			return rc;
		*result = (int64_t)(intptr_t)item;
		run_obj_mirror(s, (unsigned)st->obj, *result, -1);
		return 0;
	}
	/* The value is worked out once the step is taken. */
	run_step_frame(th, locals, temps);
	run_step_snapshot(s, shared);
	f = eval_expr(&st->arg[0], shared, locals, temps, th->id, &v);
	if (f)
		return f;
	atomic_store_explicit(&th->carry, v, memory_order_relaxed);
	ls_gate_prepay();
	rc = ls_bqueue_push(q, (void *)(intptr_t)v);
	atomic_store_explicit(&th->carry, 0, memory_order_relaxed);
	if (rc)
		return rc;
	run_obj_mirror(s, (unsigned)st->obj, v, 1);
	return 0;
}

/* The operations on the other primitives: no faults but the latch's. */
static int
run_obj_other(struct run_thread *th, const struct script_step *st)
{
	const union run_prim *p = &th->s->prim[st->obj];
	int rc;

	if (st->kind == SCRIPT_STEP_LATCH_COUNT_DOWN &&
	    ls_latch_count(p->latch) == 0)
		return SCRIPT_FAULT_LATCH;
	ls_gate_prepay();
	switch (st->kind) {
	case SCRIPT_STEP_SIGNAL:
		return ls_cond_signal(p->cond);
	case SCRIPT_STEP_BROADCAST:
		return ls_cond_broadcast(p->cond);
	case SCRIPT_STEP_SEM_WAIT:
		return ls_sem_wait(p->sem);
	case SCRIPT_STEP_SEM_POST:
		rc = ls_sem_post(p->sem);
		return rc == -ECANCELED ? 0 : rc;
	case SCRIPT_STEP_BARRIER_WAIT:
		rc = ls_barrier_wait(p->barrier);
		return rc == LS_BARRIER_SERIAL ? 0 : rc;
	case SCRIPT_STEP_EVENT_SET:
		return ls_resetevent_set(p->event);
	case SCRIPT_STEP_EVENT_RESET:
		return ls_resetevent_reset(p->event);
	case SCRIPT_STEP_EVENT_WAIT:
		return ls_resetevent_wait(p->event);
	case SCRIPT_STEP_LATCH_COUNT_DOWN:
		rc = ls_latch_count_down(p->latch, 1);
		return rc == -ERANGE ? SCRIPT_FAULT_LATCH : rc;
	default:	/* latch wait */
		return ls_latch_wait(p->latch);
	}
}

int
run_obj_op(struct run_thread *th, const struct script_step *st,
	   int64_t *result)
{
	const union run_prim *p = &th->s->prim[st->obj];
	int rc;

	/* In an operation, maybe waiting in it, until it returns. */
	atomic_store_explicit(&th->status, RUN_BLOCKED, memory_order_relaxed);
	switch (th->s->prog->objs[st->obj].kind) {
	case SCRIPT_MUTEX:
		rc = run_obj_mutex(th, st, p->mutex, result);
		break;
	case SCRIPT_RWLOCK:
		rc = run_obj_rwlock(th, st, p->rwlock);
		break;
	case SCRIPT_CONDITION:
		rc = st->kind == SCRIPT_STEP_WAIT ? run_obj_cond_wait(th, st)
						  : run_obj_other(th, st);
		break;
	case SCRIPT_QUEUE:
		rc = run_obj_queue(th, st, result);
		break;
	case SCRIPT_LIST:
		rc = run_obj_list(th, st, result);
		break;
	default:
		rc = run_obj_other(th, st);
		break;
	}
	atomic_store_explicit(&th->status, RUN_READY, memory_order_relaxed);
	/* A release a cancelled thread still performs says -ECANCELED
	 * only through its gate; an operation that did not happen does. */
	return rc == -ECANCELED || rc >= 0 ? rc : SCRIPT_FAULT_NOT_OWNER;
}
