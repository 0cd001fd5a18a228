/*
 * gate.c - pause and single-step the threads of a group.
 *
 * In RUN mode ls_gate costs one relaxed load of the group's mode.  Outside
 * RUN mode a thread reaching a gate records what it is about to do under
 * group->mu, tells the controller, and parks on its own parker until the
 * controller resumes the group, steps this thread, or cancels the group.
 * The controller learns where the stepped thread went next through the
 * same group->mu and condvar: parked at its next gate, blocked or sleeping
 * in a primitive (thread_block_begin notifies), or returned.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

static int
gate_park(struct ls_thread *self, unsigned kind, uint32_t obj,
	  const char *desc)
{
	struct ls_group *g = self->group;
	bool cancelled;

	ls_emit(LS_EV_GATE_WAIT, obj, kind, 0);
	engine_lock(&g->mu);
	self->parked = true;
	self->gate_arrivals++;
	self->gate_kind = kind;
	self->gate_obj = obj;
	self->gate_desc = desc;
	atomic_store_explicit(&self->state, LS_STATE_PARKED,
			      memory_order_release);
	pthread_cond_broadcast(&g->cv);
	while (atomic_load(&g->gate_mode) != LS_GATE_RUN && !self->step_go &&
	       !atomic_load(&g->cancelled)) {
		engine_unlock(&g->mu);
		thread_park(self, 0);
		engine_lock(&g->mu);
	}
	self->step_go = false;
	self->parked = false;
	self->gate_desc = NULL;
	atomic_store_explicit(&self->state, LS_STATE_RUNNING,
			      memory_order_release);
	cancelled = atomic_load(&g->cancelled);
	engine_unlock(&g->mu);
	if (cancelled)
		return -ECANCELED;
	ls_emit(LS_EV_GATE_PASS, obj, kind, 0);
	return 0;
}

int
ls_gate(unsigned kind, uint32_t obj, const char *desc)
{
	struct ls_thread *self = thread_current;

	if (!self || !self->group)
		return 0;
	/* Relaxed: a mode change is seen at a later gate at worst, and the
	 * parking path re-reads the mode under group->mu. */
	if (atomic_load_explicit(&self->group->gate_mode,
				 memory_order_relaxed) == LS_GATE_RUN)
		return 0;
	return gate_park(self, kind, obj, desc);
}

void
ls_gate_pause(struct ls_group *g)
{
	engine_lock(&g->mu);
	atomic_store(&g->gate_mode, LS_GATE_PAUSE);
	engine_unlock(&g->mu);
}

void
ls_gate_resume(struct ls_group *g)
{
	struct ls_thread *t;

	engine_lock(&g->mu);
	atomic_store(&g->gate_mode, LS_GATE_RUN);
	for (t = g->members; t; t = t->next)
		if (t->parked)
			thread_unpark(t);
	engine_unlock(&g->mu);
}

enum ls_gate_mode
ls_gate_mode(const struct ls_group *g)
{
	return atomic_load(&g->gate_mode);
}

/* Is t at rest: parked, waiting in a primitive, or returned?  g->mu held. */
static bool
thread_settled_locked(const struct ls_thread *t)
{
	unsigned s;

	if (t->returned || (t->parked && !t->step_go))
		return true;
	if (t->parked)
		return false;
	s = atomic_load_explicit(&t->state, memory_order_acquire);
	return s == LS_STATE_BLOCKED || s == LS_STATE_SLEEPING ||
	       s == LS_STATE_IDLE || s == LS_STATE_DONE;
}

/* Wait on g->cv until the monotonic deadline.  g->mu held.  Returns 0 or
 * -ETIMEDOUT. */
static int
group_wait_locked(struct ls_group *g, uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};
	int err = pthread_cond_timedwait(&g->cv, &g->mu, &ts);

	if (err == ETIMEDOUT)
		return -ETIMEDOUT;
	if (err)
		engine_panic("pthread_cond_timedwait", err);
	return 0;
}

int
ls_gate_settle(struct ls_group *g, uint64_t timeout_ns)
{
	uint64_t deadline = ls_clock_ns() + timeout_ns;
	struct ls_thread *t;
	int rc = 0;

	engine_lock(&g->mu);
	for (;;) {
		for (t = g->members; t; t = t->next)
			if (!thread_settled_locked(t))
				break;
		if (!t || atomic_load(&g->cancelled))
			break;
		rc = group_wait_locked(g, deadline);
		if (rc)
			break;
	}
	engine_unlock(&g->mu);
	return rc;
}

int
ls_gate_step(struct ls_group *g, unsigned tid, uint64_t timeout_ns)
{
	uint64_t deadline = ls_clock_ns() + timeout_ns;
	struct ls_thread *t;
	uint64_t arrivals;
	int rc = 0;

	engine_lock(&g->mu);
	atomic_store(&g->gate_mode, LS_GATE_STEP);
	for (t = g->members; t; t = t->next)
		if (t->tid == tid)
			break;
	if (!t || !t->parked || t->step_go) {
		engine_unlock(&g->mu);
		return -ENOENT;
	}
	arrivals = t->gate_arrivals;
	t->step_go = true;
	thread_unpark(t);
	/* Done when it has left this gate and come to rest again. */
	while (!(t->returned ||
		 (t->parked && t->gate_arrivals > arrivals) ||
		 (!t->parked && thread_settled_locked(t)))) {
		rc = group_wait_locked(g, deadline);
		if (rc)
			break;
	}
	engine_unlock(&g->mu);
	return rc;
}

size_t
ls_gate_list(struct ls_group *g, struct ls_gate_view *out, size_t max)
{
	struct ls_thread *t;
	size_t n = 0;

	engine_lock(&g->mu);
	for (t = g->members; t && n < max; t = t->next, n++) {
		struct ls_gate_view *v = &out[n];

		memset(v, 0, sizeof(*v));
		v->tid = t->tid;
		memcpy(v->name, t->name, sizeof(v->name));
		v->state = t->returned ? LS_STATE_DONE
				       : atomic_load(&t->state);
		v->blocked_on = atomic_load_explicit(&t->blocked_on,
						     memory_order_relaxed);
		if (t->parked) {
			v->next_kind = t->gate_kind;
			v->next_obj = t->gate_obj;
			if (t->gate_desc)
				snprintf(v->desc, sizeof(v->desc), "%s",
					 t->gate_desc);
		}
	}
	engine_unlock(&g->mu);
	return n;
}
