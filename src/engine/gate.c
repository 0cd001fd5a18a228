/*
 * gate.c - pause and single-step the threads of a group.
 *
 * In RUN mode ls_gate costs one relaxed load of the group's mode.  Outside
 * RUN mode a thread reaching a gate records what it is about to do under
 * group->mu, tells the controller, and parks on its own parker until the
 * controller resumes the group, steps this thread, or cancels the group.
 * The controller learns where the stepped thread went next through the
 * same group->mu and condvar: parked at its next gate, blocked or sleeping
 * in a primitive (thread_set_state_quiet notifies), or returned.
 *
 * The mode is written only under group->mu, always with a seq_cst store:
 * a member that changes its state outside the lock reads the mode with a
 * seq_cst load afterwards to decide whether to wake the controller (see
 * thread_notify_controller), and the controller reads member states with
 * seq_cst loads after it set the mode, so one of the two always sees the
 * other.  Everything else the controller reads about a member (parked,
 * step_go, returned, the gate fields) is guarded by group->mu.
 *
 * Lock order: group->mu is the only lock taken here (thread_unpark takes
 * none).  No primitive lock is ever taken here, and a gate is never passed
 * with one held (the caller's contract), so parking cannot stall a
 * primitive.
 */
#include "config.h"

#include "lockstep/gate.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"

/* Park self at a gate until resumed, stepped or cancelled.  The slow path
 * of ls_gate; self is a member.  Returns 0 or -ECANCELED. */
/* Out of line and cold: inlined into ls_gate, it made the RUN-mode fast
 * path save six registers on every call (28 instructions against 12). */
__attribute__((noinline, cold)) static int
gate_park(struct ls_thread *self, unsigned kind, uint32_t obj,
	  const char *desc, const struct ls_gate_probe *probe,
	  const void *prim)
{
	struct ls_group *g = self->group;
	bool cancelled, told = false;

	engine_lock(&g->mu);
	/* CANCELLED mode or a resume that raced the fast path: no park. */
	if (atomic_load(&g->cancelled)) {
		engine_unlock(&g->mu);
		return -ECANCELED;
	}
	if (atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
	    LS_GATE_RUN) {
		engine_unlock(&g->mu);
		return 0;
	}
	/* Under g->mu, so a controller that sees parked has the event
	 * emitted before it (the drain then finds it). */
	ls_emit(LS_EV_GATE_WAIT, obj, kind, self->tag);
	self->gate_tag = self->tag;
	self->parked = true;
	self->gate_arrivals++;
	self->gate_kind = kind;
	self->gate_obj = obj;
	self->gate_desc = desc;
	self->gate_probe = probe;
	self->gate_prim = prim;
	atomic_store(&self->state, LS_STATE_PARKED);
	/*
	 * Every condition is re-read under g->mu, which resume, step and
	 * cancel write under; their unpark (or cancel's broadcast of our
	 * parker) comes after, so no wake-up is lost.  A permit left over
	 * from an earlier wait only costs one more turn of the loop.  The
	 * controller is told once g->mu is dropped, so it does not wake into
	 * the mutex we hold (g outlives its members, so g->cv is alive).
	 */
	while (atomic_load_explicit(&g->gate_mode, memory_order_relaxed) !=
		       LS_GATE_RUN &&
	       !self->step_go && !atomic_load(&g->cancelled)) {
		engine_unlock(&g->mu);
		if (!told) {
			told = true;
			pthread_cond_broadcast(&g->cv);
		}
		thread_park(self, 0);
		engine_lock(&g->mu);
	}
	if (!told)
		pthread_cond_broadcast(&g->cv);
	self->step_go = false;
	self->parked = false;
	self->gate_desc = NULL;
	/* gate_kind, gate_obj, gate_probe and gate_prim stay: a thread that
	 * blocks after this gate blocks in that operation, and the
	 * controller asks the same probe who it waits for (ls_gate_list). */
	/* RUNNING, whatever it was before: until it rests again the thread
	 * runs, and a stepping controller must not take it for settled. */
	atomic_store(&self->state, LS_STATE_RUNNING);
	cancelled = atomic_load(&g->cancelled);
	engine_unlock(&g->mu);
	/* Close the GATE_WAIT either way, so the model never keeps a
	 * cancelled thread parked. */
	ls_emit(cancelled ? LS_EV_CANCELLED : LS_EV_GATE_PASS, obj,
		cancelled ? 0 : kind, 0);
	return cancelled ? -ECANCELED : 0;
}

int
ls_gate_probed(unsigned kind, uint32_t obj, const char *desc,
	       const struct ls_gate_probe *probe, const void *prim)
{
	struct ls_thread *self = thread_current;

	/* No group, or open gates (relaxed: the slow path re-reads the
	 * mode under group->mu) and no pass prepaid. */
	if (gate_open_now())
		return 0;
	if (self->gate_prepaid) {
		self->gate_prepaid = false;
		return thread_cancelled(self) ? -ECANCELED : 0;
	}
	return gate_park(self, kind, obj, desc, probe, prim);
}

int
ls_gate(unsigned kind, uint32_t obj, const char *desc)
{
	return ls_gate_probed(kind, obj, desc, NULL, NULL);
}

void
ls_gate_prepay(void)
{
	ls_thread_self()->gate_prepaid = true;
}

void
ls_gate_tag(uint32_t tag)
{
	ls_thread_self()->tag = tag;
}

bool
ls_gate_held(void)
{
	const struct ls_group *g = ls_thread_self()->group;

	return g && atomic_load(&g->gate_mode) != LS_GATE_RUN;
}

int
gate_timed_wait(struct ls_thread *self, uint64_t deadline_ns,
		uint64_t *sleep_to)
{
	struct ls_group *g = self->group;
	int mode;

	if (g) {
		engine_lock(&g->mu);
		if (self->timeout_go) {
			self->timeout_go = false;
			self->timed_hold = false;
			engine_unlock(&g->mu);
			return -ETIMEDOUT;
		}
		mode = atomic_load_explicit(&g->gate_mode,
					    memory_order_relaxed);
		if (mode == LS_GATE_PAUSE || mode == LS_GATE_STEP) {
			/* The controller holds the timeout from now on: a
			 * stepped run must not depend on how long a step
			 * took in real time. */
			if (!self->timed_hold) {
				self->timed_hold = true;
				pthread_cond_broadcast(&g->cv);
			}
			engine_unlock(&g->mu);
			*sleep_to = 0;
			return 0;
		}
		self->timed_hold = false;
		engine_unlock(&g->mu);
	}
	if (ls_clock_ns() >= deadline_ns)
		return -ETIMEDOUT;
	*sleep_to = deadline_ns;
	return 0;
}

void
gate_timed_begin(struct ls_thread *self)
{
	struct ls_group *g = self->group;
	int mode;

	if (!g)
		return;
	engine_lock(&g->mu);
	mode = atomic_load_explicit(&g->gate_mode, memory_order_relaxed);
	/* No broadcast: the controller waits for the blocked state, which
	 * thread_block_begin announces next. */
	if (mode == LS_GATE_PAUSE || mode == LS_GATE_STEP)
		self->timed_hold = true;
	engine_unlock(&g->mu);
}

void
gate_timed_end(struct ls_thread *self)
{
	struct ls_group *g = self->group;

	if (!g)
		return;
	engine_lock(&g->mu);
	self->timed_hold = false;
	self->timeout_go = false;
	engine_unlock(&g->mu);
}

/* Set the mode unless the group is cancelled (CANCELLED is final).
 * g->mu held.  Returns false when cancelled. */
static bool
gate_set_mode_locked(struct ls_group *g, enum ls_gate_mode mode)
{
	if (atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
	    LS_GATE_CANCELLED)
		return false;
	/* seq_cst: see the file comment. */
	atomic_store(&g->gate_mode, mode);
	return true;
}

void
ls_gate_pause(struct ls_group *g)
{
	engine_lock(&g->mu);
	gate_set_mode_locked(g, LS_GATE_PAUSE);
	engine_unlock(&g->mu);
}

void
ls_gate_resume(struct ls_group *g)
{
	struct ls_thread *t;

	engine_lock(&g->mu);
	/* Timed waiters held by the controller go back to their own
	 * deadlines (a spurious wake-up for them: they look again). */
	if (gate_set_mode_locked(g, LS_GATE_RUN))
		for (t = g->members; t; t = t->next)
			if (t->parked || t->timed_hold)
				thread_unpark(t);
	engine_unlock(&g->mu);
}

enum ls_gate_mode
ls_gate_mode(const struct ls_group *g)
{
	return atomic_load(&g->gate_mode);
}

/*
 * Is t at rest: parked (and not just released), waiting in a primitive,
 * sleeping, idle, or returned?  DONE alone is not rest: it is set before
 * the thread emits THREAD_EXIT and sets returned, and a controller that
 * waited for rest may reap at once.  g->mu held.
 */
static bool
thread_settled_locked(const struct ls_thread *t, bool sleepers_rest)
{
	unsigned s;

	if (t->returned || (t->parked && !t->step_go))
		return true;
	if (t->parked || t->timeout_go)
		return false;
	/* seq_cst: see the file comment. */
	s = atomic_load(&t->state);
	return s == LS_STATE_BLOCKED || s == LS_STATE_IDLE ||
	       (s == LS_STATE_SLEEPING && sleepers_rest);
}

/* The member whose producer id is tid, or NULL.  g->mu held. */
static struct ls_thread *
group_find_locked(struct ls_group *g, unsigned tid)
{
	struct ls_thread *t;

	if (!tid)
		return NULL;
	for (t = g->members; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The monotonic deadline timeout_ns from now, saturating. */
static uint64_t
gate_deadline(uint64_t timeout_ns)
{
	uint64_t now = ls_clock_ns();

	return timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
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

/*
 * On one CPU (g->spin_off), give the CPU to the members for a while
 * before sleeping on g->cv: the thread just let go runs, and when it
 * parks or returns the CPU comes straight back, with no wake-up to send
 * (it broadcasts to a condvar nobody waits on) and none to take.  A
 * condvar sleep costs the waker a futex wake and the CPU a switch more.
 * Bounded by ENGINE_STEP_YIELD_NS from the first call (*yield_end 0):
 * members asleep on a timer leave nothing to yield to.  Not when engine
 * threads run in the background (SCHED_IDLE, the live ui's search): a
 * yield seldom hands the CPU to one of those, and would only burn the
 * window.  g->mu held, dropped around the yield.  Returns whether it
 * yielded (look again) or the caller should sleep on g->cv.
 */
static bool
group_yield(struct ls_group *g, uint64_t *yield_end, uint64_t deadline)
{
	uint64_t now;

	if (!g->spin_off || thread_prio_background())
		return false;
	now = ls_clock_ns();
	if (!*yield_end)
		*yield_end = now + ENGINE_STEP_YIELD_NS;
	if (now >= *yield_end || now >= deadline)
		return false;
	engine_unlock(&g->mu);
	sched_yield();
	engine_lock(&g->mu);
	return true;
}

static int
group_settle(struct ls_group *g, uint64_t timeout_ns, bool sleepers_rest)
{
	uint64_t deadline = gate_deadline(timeout_ns), spin_end = 0, now;
	uint64_t yield_end = 0;
	struct ls_thread *t;
	bool spin = false;
	unsigned i, epoch;
	int rc = 0;

	engine_lock(&g->mu);
	for (;;) {
		/* Cancel broadcasts g->cv, so this is seen at once. */
		if (atomic_load(&g->cancelled)) {
			rc = -ECANCELED;
			break;
		}
		epoch = atomic_load(&g->wake_epoch);
		for (t = g->members; t; t = t->next)
			if (!thread_settled_locked(t, sleepers_rest))
				break;
		/* A member seen at rest may have been woken since by one
		 * seen later at rest (it woke it, then rested): the pass is
		 * a snapshot only if no wake-up came during it. */
		if (!t && atomic_load(&g->wake_epoch) != epoch)
			continue;
		if (!t) {
			if (spin)
				group_spin_result(g, true);
			break;
		}
		/* Stepping: the thread let go is about to come back;
		 * look again a while before sleeping on the condvar
		 * (ENGINE_STEP_SPIN_NS, engine-int.h). */
		if (!spin_end && timeout_ns &&
		    atomic_load_explicit(&g->gate_mode,
					 memory_order_relaxed) ==
			    LS_GATE_STEP && group_spin_pays(g)) {
			spin = true;
			spin_end = ls_clock_ns() + ENGINE_STEP_SPIN_NS;
		}
		if (spin) {
			now = ls_clock_ns();
			if (now < spin_end && now < deadline) {
				engine_unlock(&g->mu);
				for (i = 0; i < 32; i++)
					engine_cpu_relax();
				engine_lock(&g->mu);
				continue;
			}
			group_spin_result(g, false);
			spin = false;
		}
		if (group_yield(g, &yield_end, deadline))
			continue;
		rc = group_wait_locked(g, deadline);
		if (rc)
			break;
	}
	engine_unlock(&g->mu);
	return rc;
}

int
ls_gate_settle(struct ls_group *g, uint64_t timeout_ns)
{
	return group_settle(g, timeout_ns, true);
}

int
ls_gate_quiesce(struct ls_group *g, uint64_t timeout_ns)
{
	return group_settle(g, timeout_ns, false);
}

/* Let t go once (see ls_gate_release).  g->mu held; the futex wake is
 * left in wk, for after g->mu is dropped, so t does not wake into it. */
static int
gate_release_locked(struct ls_group *g, struct ls_thread *t,
		    struct wake *wk)
{
	if (!t)
		return -ENOENT;
	if (t->step_go || t->timeout_go)
		return -EBUSY;
	if (t->parked) {
		/* Before t leaves: the members still parked must stay so. */
		gate_set_mode_locked(g, LS_GATE_STEP);
		t->step_go = true;
	} else if (t->timed_hold) {
		gate_set_mode_locked(g, LS_GATE_STEP);
		t->timeout_go = true;
		/* No longer at rest from this moment, though it has not
		 * woken yet (as waitq_grant does for a grant). */
		atomic_store_explicit(&t->blocked_on, 0, memory_order_relaxed);
		atomic_store(&t->state, LS_STATE_RUNNING);
	} else {
		return -ENOENT;
	}
	thread_unpark_deferred(t, wk);
	return 0;
}

int
ls_gate_release(struct ls_group *g, unsigned tid)
{
	struct wake wk = { NULL };
	int rc;

	engine_lock(&g->mu);
	rc = atomic_load(&g->cancelled) ? -ECANCELED
					: gate_release_locked(
						  g, group_find_locked(g, tid),
						  &wk);
	engine_unlock(&g->mu);
	thread_wake(&wk);
	return rc;
}

int
ls_gate_step(struct ls_group *g, unsigned tid, uint64_t timeout_ns)
{
	uint64_t deadline = gate_deadline(timeout_ns);
	struct wake wk = { NULL };
	struct ls_thread *t;
	uint64_t arrivals;
	int rc = 0;

	engine_lock(&g->mu);
	if (atomic_load(&g->cancelled)) {
		rc = -ECANCELED;
		goto out;
	}
	t = group_find_locked(g, tid);
	arrivals = t ? t->gate_arrivals : 0;
	rc = gate_release_locked(g, t, &wk);
	if (rc) {
		rc = -ENOENT;
		goto out;
	}
	/* Wake t outside g->mu; the loop looks at everything again. */
	engine_unlock(&g->mu);
	thread_wake(&wk);
	engine_lock(&g->mu);
	for (;;) {
		/*
		 * Look t up again after every wait: once it returns, a
		 * member calling ls_group_reap may free it.  Gone from the
		 * list means it returned.  parked with more arrivals means
		 * it reached its next gate; not parked and at rest means it
		 * blocked, slept, idled or is done.  While still at the old
		 * gate (not yet woken) t is never at rest: step_go is set.
		 */
		t = group_find_locked(g, tid);
		if (!t || t->returned)
			break;
		if (t->parked ? t->gate_arrivals > arrivals
			      : thread_settled_locked(t, true))
			break;
		if (atomic_load(&g->cancelled)) {
			rc = -ECANCELED;
			break;
		}
		rc = group_wait_locked(g, deadline);
		if (rc)
			break;
	}
out:
	engine_unlock(&g->mu);
	return rc;
}

size_t
ls_gate_list(struct ls_group *g, struct ls_gate_view *out, size_t max)
{
	/* The probes of parked members, asked once g->mu is dropped: a
	 * probe takes its primitive's lock, which comes before g->mu. */
	struct {
		const struct ls_gate_probe *probe;
		const void *prim;
		bool holder_only;
	} ask[128];
	struct ls_thread *t;
	size_t n = 0, i;
	bool held;

	engine_lock(&g->mu);
	held = atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
		       LS_GATE_PAUSE ||
	       atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
		       LS_GATE_STEP;
	for (t = g->members; t && n < max; t = t->next, n++) {
		struct ls_gate_view *v = &out[n];

		memset(v, 0, sizeof(*v));
		v->tid = t->tid;
		memcpy(v->name, t->name, sizeof(v->name));
		if (n < sizeof(ask) / sizeof(ask[0])) {
			ask[n].probe = NULL;
			ask[n].holder_only = false;
		}
		if (t->returned) {
			v->state = LS_STATE_DONE;
		} else if (t->parked) {
			v->state = LS_STATE_PARKED;
			v->next_kind = t->gate_kind;
			v->next_obj = t->gate_obj;
			v->tag = t->gate_tag;
			v->ready = true;
			/* Truncated as snprintf would, without its cost
			 * (a search lists after every step); v is zeroed. */
			if (t->gate_desc)
				memcpy(v->desc, t->gate_desc,
				       strnlen(t->gate_desc,
					       sizeof(v->desc) - 1));
			if (n < sizeof(ask) / sizeof(ask[0]) && !t->step_go) {
				ask[n].probe = t->gate_probe;
				ask[n].prim = t->gate_prim;
			}
		} else {
			v->state = atomic_load(&t->state);
			/* Stored before BLOCKED (thread_block_begin). */
			if (v->state == LS_STATE_BLOCKED)
				v->blocked_on = atomic_load_explicit(
					&t->blocked_on, memory_order_relaxed);
			v->timed = t->timed_hold && !t->timeout_go;
			v->busy_until = atomic_load_explicit(
				&t->busy_until, memory_order_relaxed);
			/*
			 * Blocked in the operation of its last gate (object
			 * ids are never reused in a ring, so the same id is
			 * the same primitive, alive while t waits in it):
			 * its probe names the holder.  Only while the group
			 * is held, when nobody can destroy it meanwhile.
			 */
			if (v->state == LS_STATE_BLOCKED && v->blocked_on &&
			    v->blocked_on == t->gate_obj && t->gate_probe &&
			    held && n < sizeof(ask) / sizeof(ask[0])) {
				ask[n].probe = t->gate_probe;
				ask[n].prim = t->gate_prim;
				ask[n].holder_only = true;
				v->next_kind = t->gate_kind;
			}
		}
	}
	engine_unlock(&g->mu);
	/* Still parked or blocked: only this controller lets a member go. */
	for (i = 0; i < n && i < sizeof(ask) / sizeof(ask[0]); i++) {
		bool ready;

		if (!ask[i].probe)
			continue;
		ready = ask[i].probe->ready(ask[i].prim, out[i].next_kind,
					    &out[i].holder);
		if (!ask[i].holder_only)
			out[i].ready = ready;
		else
			out[i].next_kind = 0;
	}
	return n;
}
