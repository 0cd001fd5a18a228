/*
 * pools.c - the fold of thread-pool events: submitted, completed, failed,
 * rejected and dropped counts, the pool's scale and queue depth, each
 * worker's task and its times, which threads work for which pool, and how
 * many tasks wait at each priority.
 *
 * Priorities come only with TASK_SUBMIT (aux); TASK_START and TASK_DROP
 * name the task alone.  So the model keeps the priority of every waiting
 * task in a bounded map by (pool, task id): a dense array of entries, so
 * that forgetting a pool's entries walks the waiting tasks only, chained
 * from a small hash.  A task the map cannot hold is counted nowhere but
 * in tasks_overflow.  A lost START would leave its task waiting for ever;
 * the next depth of 0 the pool reports clears it (POOL_DEPTH is absolute,
 * and 0 is always reported).
 */
#include "config.h"

#include "model/model-int.h"

#include <assert.h>
#include <string.h>

_Static_assert(MODEL_TASKS < UINT16_MAX, "entry + 1 fits a uint16_t");
_Static_assert((MODEL_TASK_BUCKETS & (MODEL_TASK_BUCKETS - 1)) == 0,
	       "the task hash masks cleanly");

/* Waiting tasks by (pool, id). */

static unsigned
pools_bucket(uint32_t pool, uint64_t id)
{
	uint64_t k = (id ^ (uint64_t)pool << 40) * 0x9e3779b97f4a7c15ull;

	return (unsigned)(k >> 32) & (MODEL_TASK_BUCKETS - 1);
}

/* The link that points at entry k (a bucket head or an entry's next). */
static uint16_t *
pools_link_to(struct model *m, unsigned k)
{
	const struct model_task *x = &m->tasks[k];
	uint16_t *l = &m->task_bucket[pools_bucket(x->pool, x->id)];

	while (*l && *l != k + 1)
		l = &m->tasks[*l - 1].next;
	return l;
}

/* The entry of task id of pool, or -1. */
static int
pools_task_find(const struct model *m, uint32_t pool, uint64_t id)
{
	unsigned e = m->task_bucket[pools_bucket(pool, id)];

	for (; e; e = m->tasks[e - 1].next)
		if (m->tasks[e - 1].id == id && m->tasks[e - 1].pool == pool)
			return (int)e - 1;
	return -1;
}

/* Drop entry k; the last entry moves into its place. */
static void
pools_task_remove(struct model *m, unsigned k)
{
	unsigned last = m->ntasks - 1;
	uint16_t *l = pools_link_to(m, k);

	assert(*l == k + 1);
	*l = m->tasks[k].next;
	if (k != last) {
		l = pools_link_to(m, last);
		m->tasks[k] = m->tasks[last];
		*l = (uint16_t)(k + 1);
	}
	m->ntasks--;
}

/* Priorities listed per pool. */

/* One more task waits at priority: listed (true), or unlisted when the
 * list has no room for a new priority. */
static bool
pools_prio_add(struct model_object *o, int32_t priority)
{
	unsigned i;

	for (i = 0; i < o->nprios && o->prios[i].priority < priority; i++)
		;
	if (i < o->nprios && o->prios[i].priority == priority) {
		o->prios[i].waiting++;
		return true;
	}
	if (o->nprios == MODEL_PRIOS) {
		o->prio_other++;
		return false;
	}
	memmove(&o->prios[i + 1], &o->prios[i],
		(o->nprios - i) * sizeof(o->prios[0]));
	o->prios[i] = (struct model_prio){ .priority = priority, .waiting = 1 };
	o->nprios++;
	return true;
}

/* One task less waits at priority; a priority none waits at leaves. */
static void
pools_prio_sub(struct model_object *o, int32_t priority)
{
	unsigned i;

	for (i = 0; i < o->nprios; i++)
		if (o->prios[i].priority == priority)
			break;
	if (i == o->nprios)
		return;
	if (--o->prios[i].waiting)
		return;
	memmove(&o->prios[i], &o->prios[i + 1],
		(o->nprios - i - 1) * sizeof(o->prios[0]));
	o->nprios--;
}

static void
pools_submitted(struct model *m, struct model_object *o, uint64_t id,
		int32_t priority)
{
	struct model_task *x;
	unsigned b;

	if (pools_task_find(m, o->id, id) >= 0)
		return;		/* a repeat: it waits already */
	if (m->ntasks == MODEL_TASKS) {
		m->tasks_overflow++;
		return;
	}
	b = pools_bucket(o->id, id);
	x = &m->tasks[m->ntasks];
	*x = (struct model_task){
		.id = id,
		.pool = o->id,
		.priority = priority,
		.next = m->task_bucket[b],
	};
	x->unlisted = !pools_prio_add(o, priority);
	m->task_bucket[b] = (uint16_t)++m->ntasks;
}

/* Task id of o no longer waits (it started or was dropped). */
static void
pools_left(struct model *m, struct model_object *o, uint64_t id)
{
	int k = pools_task_find(m, o->id, id);

	/* Unknown: past the map, cleared by a depth of 0, or its SUBMIT
	 * was lost; it is counted nowhere. */
	if (k < 0)
		return;
	if (m->tasks[k].unlisted) {
		if (o->prio_other)
			o->prio_other--;
	} else {
		pools_prio_sub(o, m->tasks[k].priority);
	}
	pools_task_remove(m, (unsigned)k);
}

void
pools_forget(struct model *m, struct model_object *o)
{
	unsigned k;

	for (k = m->ntasks; k-- > 0;)
		if (m->tasks[k].pool == o->id)
			pools_task_remove(m, k);
	o->nprios = 0;
	o->prio_other = 0;
}

/* Workers. */

void
model_pool_workers(const struct model *m, uint32_t pool,
		   struct model_pool_workers *out)
{
	const struct model_thread *t;
	unsigned i;

	memset(out, 0, sizeof(*out));
	for (i = 0; pool && i < MODEL_MAX_THREADS; i++) {
		t = &m->threads[i];
		if (!t->used || t->pool != pool || t->state == LS_STATE_DONE)
			continue;
		out->workers++;
		if (t->state == LS_STATE_IDLE)
			out->idle++;
		else if (t->state == LS_STATE_PARKED)
			out->paused++;
		else
			out->busy++;
	}
}

/* A submitter that waited for room (Q_PUSH_WAIT on the pool) waited
 * since since. */
void
pools_apply(struct model *m, struct model_thread *t, struct model_object *o,
	    const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_TASK_SUBMIT:
		if (waited)
			metrics_wait(m, o, MODEL_WAIT_QUEUE, e->ts - since);
		if (o) {
			o->submitted++;
			pools_submitted(m, o, e->arg, (int32_t)e->aux);
		}
		break;
	case LS_EV_TASK_START:
		t->state = LS_STATE_RUNNING;
		t->task = e->arg;
		t->task_since = e->ts;
		t->pool = e->obj;
		metrics_wait(m, o, MODEL_WAIT_TASK, (uint64_t)e->aux * 1000u);
		if (o)
			pools_left(m, o, e->arg);
		break;
	case LS_EV_TASK_END:
	case LS_EV_TASK_FAIL:
		/* FAIL's aux is an error code: its run time is measured
		 * from the TASK_START seen for it, if any. */
		if (e->kind == LS_EV_TASK_END)
			metrics_run(m, (uint64_t)e->aux * 1000u);
		else if (t->task_since && t->task == e->arg)
			metrics_run(m, e->ts - t->task_since);
		t->tasks_done++;
		m->tasks_done++;
		t->task = 0;
		t->task_since = 0;
		t->pool = e->obj;
		if (o && e->kind == LS_EV_TASK_END)
			o->completed++;
		else if (o)
			o->failed++;
		break;
	case LS_EV_TASK_REJECT:
		if (o) {
			o->rejected++;
			o->count = e->aux;
			/* Refused after its SUBMIT (a submit that met a stop
			 * as it queued, pool.h): it waits no more. */
			pools_left(m, o, e->arg);
		}
		break;
	case LS_EV_TASK_DROP:
		if (o) {
			o->dropped++;
			pools_left(m, o, e->arg);
		}
		break;
	case LS_EV_POOL_SCALE:
		/* Emitted by a worker as it starts and as it leaves. */
		t->pool = t->pool == e->obj ? 0 : e->obj;
		if (o) {
			o->workers = (unsigned)e->arg;
			o->idle = e->aux;
		}
		break;
	case LS_EV_POOL_DEPTH:
		if (o) {
			o->count = e->arg;
			o->capacity = e->aux;
			if (!e->arg && (o->nprios || o->prio_other))
				pools_forget(m, o);
		}
		break;
	}
}
