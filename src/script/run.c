/*
 * run.c - the scene of scripts (run.h): start a compiled program on
 * engine threads, run each thread's loop, stop it.
 *
 * start() builds every object as an engine primitive registered in the
 * run's ring under the script's name for it, one LS_OBJ_VAR per shared
 * slot, then spawns the threads in the program's order (the order the
 * control lists them).  A thread takes steps until its body ends, the
 * run ends (its own outcome) or the group is cancelled; the last thread
 * to return runs the check block, unless an outcome came first.
 *
 * Free running (RUN mode) a step is preceded by a little simulated work,
 * so a class can watch; stepped, nothing waits: a step is its gate.
 */
#include "config.h"

#include "script/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/barrier.h"
#include "lockstep/bqueue.h"
#include "lockstep/cond.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/latch.h"
#include "lockstep/mutex.h"
#include "lockstep/resetevent.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"
#include "script/run-int.h"

/* Workload time of one step when running freely (at 1x). */
#define RUN_STEP_WORK_NS 150000000ull

_Static_assert(sizeof(void *) >= sizeof(int64_t),
	       "a queue item carries an int64_t in a pointer");

static struct run_state *
run_state_of(const struct scene_run *run)
{
	return run->def == &run_scene ? run->state : NULL;
}

bool
run_is_script(const struct scene_def *def)
{
	return def == &run_scene;
}

uint32_t
run_slot_id(const struct scene_run *run, unsigned k)
{
	const struct run_state *s = run_state_of(run);

	return s && s->prog && k < s->prog->nslots ? s->slot_id[k] : 0;
}

uint32_t
run_object_id(const struct scene_run *run, unsigned o)
{
	const struct run_state *s = run_state_of(run);

	return s && s->prog && o < s->prog->nobjs ? s->obj_id[o] : 0;
}

/* The starting value of every shared variable, for the model. */
static void
run_emit_initial(const struct run_state *s)
{
	unsigned k;

	for (k = 0; k < s->prog->nslots; k++)
		ls_emit(LS_EV_MARK, s->slot_id[k],
			(uint64_t)atomic_load_explicit(&s->shared[k],
						       memory_order_relaxed),
			0);
}

/*
 * A thread that ends the run (an outcome) or is cancelled gives back its
 * rwlock holds: the engine cannot free an rwlock still held.  (One that
 * simply returned keeps them, as the reference says: others may still
 * wait for them; its run ends by a deadlock or a reset, which cancels
 * nobody that returned, so that hold is the one an rwlock may be freed
 * with.  ls_rwlock_destroy refuses it, and the lock is leaked.)
 */
static void
run_thread_release(struct run_thread *th)
{
	struct run_state *s = th->s;
	uint64_t held = th->rw_read | th->rw_write;
	unsigned o;

	for (o = 0; held; o++, held >>= 1) {
		if (!(held & 1))
			continue;
		/* A release passes its gate even when cancelled. */
		ls_gate_prepay();
		(void)ls_rwlock_unlock(s->prim[o].rwlock);
	}
	th->rw_read = th->rw_write = 0;
}

/* Leave the run: no more steps.  The last thread out judges the end. */
static void
run_thread_leave(struct run_thread *th, bool judge)
{
	struct run_state *s = th->s;

	if (!judge)
		run_thread_release(th);

	atomic_store_explicit(&th->status, RUN_DONE, memory_order_relaxed);
	if (th->inside) {
		th->inside = false;
		atomic_fetch_sub(&s->inside, 1);
	}
	/* acq_rel: the last one out sees every other thread's last
	 * writes to the shared slots before it runs the check block. */
	if (atomic_fetch_sub_explicit(&s->live, 1, memory_order_acq_rel) == 1
	    && judge)
		run_step_check(s);
}

static void
run_thread_main(void *arg)
{
	struct run_thread *th = arg;
	struct run_state *s = th->s;
	enum run_next next = RUN_NEXT_GO;

	atomic_store_explicit(&th->tid, ls_thread_tid(ls_thread_self()),
			      memory_order_relaxed);
	if (th->index == 0)
		run_emit_initial(s);
	while (next == RUN_NEXT_GO &&
	       atomic_load_explicit(&th->pc, memory_order_relaxed) <
		       th->body->nsteps) {
		/* Only a free run is paced: a stepped one must not wait. */
		if (!ls_gate_held() &&
		    scene_work(s->run, RUN_STEP_WORK_NS))
			break;
		next = run_step_take(th);
	}
	run_thread_leave(th, next == RUN_NEXT_GO);
}

/* The primitive behind object o, created and registered. */
static int
run_object_create(struct run_state *s, unsigned o)
{
	const struct script_object *so = &s->prog->objs[o];
	struct ls_ring *ring = s->run->ring;
	union run_prim *p = &s->prim[o];
	int rc;

	switch (so->kind) {
	case SCRIPT_MUTEX:
		rc = so->recursive
			     ? ls_mutex_create_recursive(ring, so->name,
							 &p->mutex)
			     : ls_mutex_create(ring, so->name, &p->mutex);
		if (!rc)
			s->obj_id[o] = ls_mutex_id(p->mutex);
		return rc;
	case SCRIPT_RWLOCK:
		rc = ls_rwlock_create(ring, so->name,
				      (enum ls_rwlock_policy)so->policy,
				      &p->rwlock);
		if (!rc)
			s->obj_id[o] = ls_rwlock_id(p->rwlock);
		return rc;
	case SCRIPT_SEMAPHORE:
		rc = ls_sem_create(ring, so->name, (unsigned)so->init,
				   &p->sem);
		if (!rc)
			s->obj_id[o] = ls_sem_id(p->sem);
		return rc;
	case SCRIPT_CONDITION:
		rc = ls_cond_create(ring, so->name, &p->cond);
		if (!rc)
			s->obj_id[o] = ls_cond_id(p->cond);
		return rc;
	case SCRIPT_BARRIER:
		rc = ls_barrier_create(ring, so->name, (unsigned)so->init,
				       &p->barrier);
		if (!rc)
			s->obj_id[o] = ls_barrier_id(p->barrier);
		return rc;
	case SCRIPT_EVENT:
		rc = ls_resetevent_create(ring, so->name,
					  so->auto_reset ? LS_RESETEVENT_AUTO
							 : LS_RESETEVENT_MANUAL,
					  so->initially_set, &p->event);
		if (!rc)
			s->obj_id[o] = ls_resetevent_id(p->event);
		return rc;
	case SCRIPT_LATCH:
		rc = ls_latch_create(ring, so->name, (unsigned)so->init,
				     &p->latch);
		if (!rc)
			s->obj_id[o] = ls_latch_id(p->latch);
		return rc;
	case SCRIPT_QUEUE:
		s->mirror[o] = calloc(1, sizeof(*s->mirror[o]));
		if (!s->mirror[o])
			return -ENOMEM;
		rc = -pthread_mutex_init(&s->mirror[o]->mu, NULL);
		if (rc) {
			free(s->mirror[o]);
			s->mirror[o] = NULL;
			return rc;
		}
		rc = ls_bqueue_create(ring, so->name, (unsigned)so->init,
				      &p->queue);
		if (!rc)
			s->obj_id[o] = ls_bqueue_id(p->queue);
		return rc;
	default:	/* the unsafe list: a variable, its length */
		p->list = calloc(1, sizeof(*p->list));
		if (!p->list)
			return -ENOMEM;
		rc = -pthread_mutex_init(&p->list->mu, NULL);
		if (rc) {
			free(p->list);
			p->list = NULL;
			return rc;
		}
		p->list->owner = -1;
		s->obj_id[o] = ls_ring_object_add(ring, LS_OBJ_VAR, so->name);
		return 0;
	}
}

/* Free the primitive behind object o (NULL parts are skipped). */
static void
run_object_destroy(struct run_state *s, unsigned o)
{
	union run_prim *p = &s->prim[o];
	int rc = 0;

	switch (s->prog->objs[o].kind) {
	case SCRIPT_MUTEX:
		ls_mutex_destroy(p->mutex);
		break;
	case SCRIPT_RWLOCK:
		if (p->rwlock)
			rc = ls_rwlock_destroy(p->rwlock);
		break;
	case SCRIPT_SEMAPHORE:
		ls_sem_destroy(p->sem);
		break;
	case SCRIPT_CONDITION:
		ls_cond_destroy(p->cond);
		break;
	case SCRIPT_BARRIER:
		ls_barrier_destroy(p->barrier);
		break;
	case SCRIPT_EVENT:
		ls_resetevent_destroy(p->event);
		break;
	case SCRIPT_LATCH:
		ls_latch_destroy(p->latch);
		break;
	case SCRIPT_QUEUE:
		ls_bqueue_destroy(p->queue);
		if (s->mirror[o]) {
			rc = pthread_mutex_destroy(&s->mirror[o]->mu);
			free(s->mirror[o]);
		}
		break;
	default:
		if (p->list) {
			rc = pthread_mutex_destroy(&p->list->mu);
			free(p->list);
		}
		break;
	}
	/* Every thread was joined: nothing can hold or wait in it. */
	if (rc)
		fprintf(stderr, "lockstep: script object %s: cannot free it "
			"(%s)\n", s->prog->objs[o].name, strerror(rc < 0 ? -rc
								    : rc));
	memset(p, 0, sizeof(*p));
}

/* One ring variable per shared slot: "balance", "a[2]". */
static void
run_register_vars(struct run_state *s)
{
	const struct script_program *p = s->prog;
	char name[LS_NAME_MAX + 1];
	unsigned v, k;

	for (v = 0; v < p->nvars; v++) {
		const struct script_var *var = &p->vars[v];

		for (k = 0; k < var->len; k++) {
			if (var->array)
				snprintf(name, sizeof(name), "%s[%u]",
					 var->name, k);
			else
				snprintf(name, sizeof(name), "%s", var->name);
			s->slot_id[var->slot + k] =
				ls_ring_object_add(s->run->ring, LS_OBJ_VAR,
						   name);
		}
	}
	for (k = 0; k < p->nslots; k++)
		atomic_init(&s->shared[k], p->shared_init[k]);
}

static int
run_start(struct scene_run *run)
{
	struct run_state *s = run->state;
	const struct script_program *p = run->source;
	unsigned i, n;
	int rc;

	if (!p)
		return -EINVAL;
	s->run = run;
	s->prog = p;
	for (i = 0; i < p->nobjs; i++) {
		rc = run_object_create(s, i);
		if (rc)
			return rc;
	}
	run_register_vars(s);
	n = p->nsolution < sizeof(s->solution) / sizeof(s->solution[0])
		    ? p->nsolution
		    : (unsigned)(sizeof(s->solution) / sizeof(s->solution[0])) -
			      1;
	for (i = 0; i < n; i++)
		s->solution[i] = p->threads[p->solution[i]].name;
	atomic_init(&s->live, p->nthreads);
	for (i = 0; i < p->nthreads; i++) {
		struct run_thread *th = &s->th[i];

		th->s = s;
		th->index = i;
		th->body = script_thread_body(p, i);
		th->id = p->threads[i].id;
	}
	for (i = 0; i < p->nthreads; i++) {
		rc = ls_thread_spawn(run->group, p->threads[i].name,
				     run_thread_main, &s->th[i]);
		if (rc) {
			/* Those not started never leave: count them out so
			 * that no one runs the check block for them. */
			atomic_store(&s->live, p->nthreads + 1);
			return rc;
		}
	}
	return 0;
}

static void
run_stop(struct scene_run *run)
{
	struct run_state *s = run->state;
	unsigned i;

	if (!s->prog)
		return;
	for (i = 0; i < s->prog->nobjs; i++)
		run_object_destroy(s, i);
}

/* The author's solution as a forcing schedule (and the ui's hint). */
static const char *const *
run_schedule(struct scene_run *run)
{
	const struct run_state *s = run->state;

	return s->solution[0] ? s->solution : NULL;
}

const struct scene_def run_scene = {
	.name = "script",
	.title = "a scene script",
	.summary = "a .lss file: threads, shared variables and objects",
	.state_size = sizeof(struct run_state),
	.start = run_start,
	.stop = run_stop,
	.schedule = run_schedule,
	.invariant_is_safety = true,
	.state_hash = run_state_hash,
};
