/*
 * pools.c - the fold of thread-pool events: submitted, completed, failed,
 * rejected and dropped counts, the pool's scale and queue depth, and each
 * worker's task and its times.
 */
#include "config.h"

#include "model/model-int.h"

/* A submitter that waited for room (Q_PUSH_WAIT on the pool) waited
 * since since. */
void
pools_apply(struct model *m, struct model_thread *t, struct model_object *o,
	    const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_TASK_SUBMIT:
		if (waited)
			metrics_wait(m, o, e->ts - since);
		if (o)
			o->submitted++;
		break;
	case LS_EV_TASK_START:
		t->state = LS_STATE_RUNNING;
		t->task = e->arg;
		t->task_since = e->ts;
		metrics_wait(m, o, (uint64_t)e->aux * 1000u);
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
		if (o && e->kind == LS_EV_TASK_END)
			o->completed++;
		else if (o)
			o->failed++;
		break;
	case LS_EV_TASK_REJECT:
		if (o) {
			o->rejected++;
			o->count = e->aux;
		}
		break;
	case LS_EV_TASK_DROP:
		if (o)
			o->dropped++;
		break;
	case LS_EV_POOL_SCALE:
		if (o) {
			o->workers = (unsigned)e->arg;
			o->idle = e->aux;
		}
		break;
	case LS_EV_POOL_DEPTH:
		if (o) {
			o->count = e->arg;
			o->capacity = e->aux;
		}
		break;
	}
}
