/*
 * run-view.c - a script run's state, read from outside while it rests:
 * copied out for the code view (run_view), and hashed for the explorer
 * (run_state_hash), which must tell a state it has seen.
 *
 * The hash covers what decides the run's future: the shared slots; for
 * every thread its position, whether it is in an operation, its locals,
 * temps and the value it brings to a push; for every object what the
 * engine says of it (owners as thread indexes, depths, readers, counts,
 * flags, the values a queue holds) and the unsafe list's contents; and
 * the order in which the threads blocked in one object arrived, by the
 * step at which each went in.  Ring tids and absolute step numbers stay
 * out: two runs that reach one state by different paths hash alike.
 */
#include "config.h"

#include "script/run-int.h"

#include <string.h>

#include "lockstep/barrier.h"
#include "lockstep/bqueue.h"
#include "lockstep/latch.h"
#include "lockstep/mutex.h"
#include "lockstep/resetevent.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"

bool
run_view(const struct scene_run *run, struct run_view *out)
{
	const struct run_state *s;
	unsigned i;

	if (!run_is_script(run->def) || !run->state)
		return false;
	s = run->state;
	if (!s->prog)
		return false;
	memset(out, 0, sizeof(*out));
	out->prog = s->prog;
	out->steps = atomic_load_explicit(&s->steps, memory_order_relaxed);
	run_step_snapshot(s, out->shared);
	for (i = 0; i < s->prog->nthreads; i++) {
		const struct run_thread *th = &s->th[i];
		struct run_thread_view *v = &out->th[i];

		v->pc = atomic_load_explicit(&th->pc, memory_order_relaxed);
		v->status = (enum run_status)atomic_load_explicit(
			&th->status, memory_order_relaxed);
		v->carry = atomic_load_explicit(&th->carry,
						memory_order_relaxed);
		run_step_frame(th, v->locals, v->temps);
	}
	return true;
}

/* One 64-bit word into the hash: a multiply-rotate step (the hash is
 * taken after every step of a search, so a word at a time, not bytes;
 * for a fixed h the step is a bijection of v). */
static void
hash_int(uint64_t *h, int64_t v)
{
	uint64_t x = *h ^ (uint64_t)v;

	x = (x << 27 | x >> 37) * 0x9e3779b97f4a7c15ull;
	*h = x ^ x >> 29;
}

/* n words of atomics, each read relaxed (the run is at rest). */
static void
hash_atomics(uint64_t *h, const _Atomic int64_t *w, unsigned n)
{
	unsigned k;

	for (k = 0; k < n; k++)
		hash_int(h, atomic_load_explicit(&w[k], memory_order_relaxed));
}

/* The thread index of ring tid, or -1 (none, or not a thread of s). */
static int64_t
run_index_of(const struct run_state *s, unsigned tid)
{
	unsigned i;

	for (i = 0; tid && i < s->prog->nthreads; i++)
		if (atomic_load_explicit(&s->th[i].tid,
					 memory_order_relaxed) == tid)
			return i;
	return -1;
}

/* Object o's state, as the engine tells it. */
static void
run_hash_object(const struct run_state *s, unsigned o, uint64_t *h)
{
	const union run_prim *p = &s->prim[o];
	struct ls_rwlock_stats rw;
	struct run_qmirror *m;
	struct run_list *l;
	int64_t v[2] = { 0, 0 };
	unsigned i;

	switch (s->prog->objs[o].kind) {
	case SCRIPT_MUTEX:
		v[0] = run_index_of(s, ls_mutex_owner(p->mutex));
		v[1] = ls_mutex_depth(p->mutex);
		break;
	case SCRIPT_RWLOCK:
		ls_rwlock_stats(p->rwlock, &rw);
		v[0] = rw.writer ? run_index_of(s, rw.writer_tid) : -1;
		v[1] = rw.readers;
		break;
	case SCRIPT_SEMAPHORE:
		v[0] = ls_sem_value(p->sem);
		break;
	case SCRIPT_BARRIER:
		v[0] = ls_barrier_waiters(p->barrier);
		break;
	case SCRIPT_EVENT:
		v[0] = ls_resetevent_is_set(p->event);
		break;
	case SCRIPT_LATCH:
		v[0] = ls_latch_count(p->latch);
		break;
	case SCRIPT_QUEUE:
		m = s->mirror[o];
		v[0] = ls_bqueue_depth(p->queue);
		if (pthread_mutex_lock(&m->mu))
			break;
		/* A multiset: add each value's own hash, in any order. */
		for (i = 0; i < m->n; i++) {
			uint64_t e = 0xcbf29ce484222325ull;

			hash_int(&e, m->value[i]);
			hash_int(&e, m->count[i]);
			v[1] += (int64_t)e;
		}
		pthread_mutex_unlock(&m->mu);
		break;
	case SCRIPT_LIST:
		l = p->list;
		if (pthread_mutex_lock(&l->mu))
			break;
		hash_int(h, l->owner);
		for (i = 0; i < l->n; i++)
			hash_int(h, l->items[i]);
		v[0] = l->n;
		pthread_mutex_unlock(&l->mu);
		break;
	default:	/* a condition: its waiters are the threads' */
		break;
	}
	hash_int(h, v[0]);
	hash_int(h, v[1]);
}

/* Thread i's step, when it is in one; NULL otherwise. */
static const struct script_step *
run_hash_step(const struct run_state *s, unsigned i, int status)
{
	const struct script_body *b = s->th[i].body;
	unsigned pc = atomic_load_explicit(&s->th[i].pc, memory_order_relaxed);

	return status == RUN_BLOCKED && pc < b->nsteps ? &b->steps[pc] : NULL;
}

/*
 * Read from the run's state, not a run_view: a search hashes after every
 * step, and a view copies every thread's whole frame.
 */
uint64_t
run_state_hash(struct scene_run *run)
{
	const struct run_state *s = run->state;
	const struct script_program *p;
	const struct script_step *at[SCRIPT_MAX_THREADS];
	unsigned long took[SCRIPT_MAX_THREADS];
	int status[SCRIPT_MAX_THREADS];
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned i, j, rank;

	if (!run_is_script(run->def) || !s || !s->prog)
		return 0;
	p = s->prog;
	hash_atomics(&h, s->shared, p->nslots);
	for (i = 0; i < p->nthreads; i++) {
		status[i] = atomic_load_explicit(&s->th[i].status,
						 memory_order_relaxed);
		took[i] = atomic_load_explicit(&s->th[i].took,
					       memory_order_relaxed);
		at[i] = run_hash_step(s, i, status[i]);
	}
	for (i = 0; i < p->nthreads; i++) {
		const struct run_thread *th = &s->th[i];

		/* Among the threads in an operation at the same step's
		 * object, its place in arrival order. */
		rank = 0;
		for (j = 0; at[i] && j < p->nthreads; j++)
			rank += at[j] && at[j]->obj == at[i]->obj &&
				took[j] < took[i];
		hash_int(&h, atomic_load_explicit(&th->pc,
						  memory_order_relaxed));
		hash_int(&h, status[i]);
		hash_int(&h, rank);
		hash_int(&h, atomic_load_explicit(&th->carry,
						  memory_order_relaxed));
		hash_atomics(&h, th->locals, th->body->nlocals);
		hash_atomics(&h, th->temps, th->body->ntemps);
	}
	for (i = 0; i < p->nobjs; i++)
		run_hash_object(s, i, &h);
	return h;
}
