/*
 * queues.c - the fold of bounded-queue events: depth and capacity come
 * with every event (absolute, so a lost one is healed by the next), the
 * waits that ended in a push or a pop, timeouts and the close.
 */
#include "config.h"

#include "model/model-int.h"

void
queues_apply(struct model *m, struct model_thread *t, struct model_object *o,
	     const struct ls_event *e, bool waited, uint64_t since)
{
	switch (e->kind) {
	case LS_EV_Q_PUSHED:
	case LS_EV_Q_POPPED:
		t->state = LS_STATE_RUNNING;
		if (waited)
			metrics_wait(m, o, MODEL_WAIT_QUEUE, e->ts - since);
		if (o)
			o->acquired++;
		break;
	case LS_EV_Q_TIMEOUT:
		if (o)
			o->timeouts++;
		break;
	case LS_EV_Q_CLOSED:
		if (o)
			o->closed = true;
		break;
	}
	if (!o)
		return;
	o->count = e->arg;
	/* Q_TIMEOUT's aux is a direction, not a capacity. */
	if (e->kind != LS_EV_Q_TIMEOUT)
		o->capacity = e->aux;
}
