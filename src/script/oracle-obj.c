/*
 * oracle-obj.c - the abstract semantics of every synchronisation object,
 * the reference the runtime's engine primitives are held to.
 *
 * Each object keeps the threads blocked in it in arrival order.  Whatever
 * a release frees goes to the oldest waiter at once (oracle_wake), as the
 * engine hands over: a mutex to the oldest locker, a unit of a semaphore
 * to the oldest waiter, an item to the oldest popper, a slot to the oldest
 * pusher.  The rwlock's policies follow the engine's rwlock.c rule for
 * rule: who an arrival may pass, and whom a release lets in.  A thread in
 * wait(cv, m) gives up every hold on m, waits in cv, and on a signal joins
 * the back of m's queue; it goes on once it holds m again as before.
 */
#include "config.h"

#include "script/oracle-int.h"

#include <string.h>

static void
enqueue(struct oracle_object *ob, unsigned t)
{
	ob->wait[ob->nwait++] = (uint8_t)t;
}

static unsigned
dequeue_at(struct oracle_object *ob, unsigned i)
{
	unsigned t = ob->wait[i];

	memmove(ob->wait + i, ob->wait + i + 1, (size_t)(ob->nwait - i - 1));
	ob->nwait--;
	return t;
}

static bool
is_writer(const struct oracle *o, unsigned t)
{
	return oracle_at(o, t)->kind == SCRIPT_STEP_WRLOCK;
}

/* Give mutex m to thread t, blocked in it: in lock() with one hold, or
 * back from wait(cv, m) with the holds it had. */
static void
mutex_grant(struct oracle *o, unsigned m, unsigned t)
{
	struct oracle_object *ob = &o->obj[m];

	ob->owner = (int8_t)t;
	ob->depth = oracle_at(o, t)->kind == SCRIPT_STEP_WAIT ? o->th[t].depth
							      : 1;
	oracle_wake(o, t, false, 0);
}

/* m's last hold is gone: to the oldest waiter, or free. */
static void
mutex_release(struct oracle *o, unsigned m)
{
	struct oracle_object *ob = &o->obj[m];

	ob->owner = -1;
	ob->depth = 0;
	if (ob->nwait)
		mutex_grant(o, m, dequeue_at(ob, 0));
}

static int
mutex_op(struct oracle *o, unsigned t, const struct script_step *st,
	 int64_t *result)
{
	const struct script_object *so = &o->prog->objs[st->obj];
	struct oracle_object *ob = &o->obj[st->obj];

	switch (st->kind) {
	case SCRIPT_STEP_LOCK:
	case SCRIPT_STEP_TRYLOCK:
		if (ob->owner == (int8_t)t) {
			if (!so->recursive)
				return SCRIPT_FAULT_RELOCK;
			ob->depth++;
			*result = 1;
			return 0;
		}
		if (ob->owner < 0) {
			ob->owner = (int8_t)t;
			ob->depth = 1;
			*result = 1;
			return 0;
		}
		*result = 0;
		if (st->kind == SCRIPT_STEP_TRYLOCK)
			return 0;
		enqueue(ob, t);
		return ORACLE_OP_BLOCKED;
	default:	/* unlock */
		if (ob->owner != (int8_t)t)
			return SCRIPT_FAULT_NOT_OWNER;
		if (--ob->depth == 0)
			mutex_release(o, (unsigned)st->obj);
		return 0;
	}
}

/* Would the policy let an arriving reader or writer in now? */
static bool
rw_admit(const struct oracle *o, unsigned l, bool writer)
{
	const struct oracle_object *ob = &o->obj[l];
	unsigned i;

	if (ob->owner >= 0)
		return false;
	if (writer)
		return !ob->readers && !ob->nwait;
	switch (o->prog->objs[l].policy) {
	case SCRIPT_RW_WRITER:
		for (i = 0; i < ob->nwait; i++)
			if (is_writer(o, ob->wait[i]))
				return false;
		return true;
	case SCRIPT_RW_READER:
		return true;
	default:
		return !ob->nwait;
	}
}

static void
rw_take(struct oracle *o, unsigned l, unsigned t)
{
	if (is_writer(o, t))
		o->obj[l].owner = (int8_t)t;
	else
		o->obj[l].readers |= (uint16_t)(1u << t);
}

/* Let in the queued waiters of one mode: all of them, or the oldest. */
static void
rw_grant_mode(struct oracle *o, unsigned l, bool writer, bool all)
{
	struct oracle_object *ob = &o->obj[l];
	unsigned i = 0, t;

	while (i < ob->nwait) {
		t = ob->wait[i];
		if (is_writer(o, t) != writer) {
			i++;
			continue;
		}
		dequeue_at(ob, i);
		rw_take(o, l, t);
		oracle_wake(o, t, false, 0);
		if (!all)
			return;
	}
}

/* After a release: whom the policy lets in (rwlock.c's grant). */
static void
rw_grant(struct oracle *o, unsigned l)
{
	struct oracle_object *ob = &o->obj[l];
	bool wr_waiting = false, rd_waiting = false;
	unsigned i;

	if (ob->owner >= 0 || !ob->nwait)
		return;
	for (i = 0; i < ob->nwait; i++) {
		if (is_writer(o, ob->wait[i]))
			wr_waiting = true;
		else
			rd_waiting = true;
	}
	switch (o->prog->objs[l].policy) {
	case SCRIPT_RW_WRITER:
		if (wr_waiting) {
			if (!ob->readers)
				rw_grant_mode(o, l, true, false);
			return;
		}
		rw_grant_mode(o, l, false, true);
		return;
	case SCRIPT_RW_READER:
		if (rd_waiting)
			rw_grant_mode(o, l, false, true);
		else if (!ob->readers)
			rw_grant_mode(o, l, true, false);
		return;
	default:
		if (is_writer(o, ob->wait[0])) {
			if (!ob->readers)
				rw_grant_mode(o, l, true, false);
			return;
		}
		while (ob->nwait && !is_writer(o, ob->wait[0])) {
			i = dequeue_at(ob, 0);
			rw_take(o, l, i);
			oracle_wake(o, i, false, 0);
		}
		return;
	}
}

static int
rwlock_op(struct oracle *o, unsigned t, const struct script_step *st)
{
	struct oracle_object *ob = &o->obj[st->obj];
	bool holds = ob->owner == (int8_t)t || (ob->readers >> t & 1);
	bool writer = st->kind == SCRIPT_STEP_WRLOCK;

	if (st->kind == SCRIPT_STEP_RWUNLOCK) {
		if (!holds)
			return SCRIPT_FAULT_NOT_OWNER;
		if (ob->owner == (int8_t)t)
			ob->owner = -1;
		else
			ob->readers &= (uint16_t)~(1u << t);
		rw_grant(o, (unsigned)st->obj);
		return 0;
	}
	if (holds)
		return SCRIPT_FAULT_RELOCK;
	if (!rw_admit(o, (unsigned)st->obj, writer)) {
		enqueue(ob, t);
		return ORACLE_OP_BLOCKED;
	}
	if (writer)
		ob->owner = (int8_t)t;
	else
		ob->readers |= (uint16_t)(1u << t);
	return 0;
}

/* Thread t, signalled out of a condition, goes for its mutex. */
static void
cond_reacquire(struct oracle *o, unsigned t)
{
	unsigned m = (unsigned)oracle_at(o, t)->obj2;
	struct oracle_object *ob = &o->obj[m];

	if (ob->owner < 0 && !ob->nwait) {
		mutex_grant(o, m, t);
		return;
	}
	o->th[t].blocked_on = (int8_t)m;
	enqueue(ob, t);
}

static int
cond_op(struct oracle *o, unsigned t, const struct script_step *st)
{
	struct oracle_object *ob = &o->obj[st->obj];
	struct oracle_object *m;

	switch (st->kind) {
	case SCRIPT_STEP_WAIT:
		m = &o->obj[st->obj2];
		if (m->owner != (int8_t)t)
			return SCRIPT_FAULT_NOT_HELD;
		o->th[t].depth = m->depth;
		mutex_release(o, (unsigned)st->obj2);
		enqueue(ob, t);
		return ORACLE_OP_BLOCKED;
	case SCRIPT_STEP_SIGNAL:
		if (ob->nwait)
			cond_reacquire(o, dequeue_at(ob, 0));
		return 0;
	default:	/* broadcast */
		while (ob->nwait)
			cond_reacquire(o, dequeue_at(ob, 0));
		return 0;
	}
}

/* Let every thread blocked in object i through. */
static void
release_all(struct oracle *o, unsigned i)
{
	while (o->obj[i].nwait)
		oracle_wake(o, dequeue_at(&o->obj[i], 0), false, 0);
}

static int
counter_op(struct oracle *o, unsigned t, const struct script_step *st)
{
	const struct script_object *so = &o->prog->objs[st->obj];
	struct oracle_object *ob = &o->obj[st->obj];

	switch (st->kind) {
	case SCRIPT_STEP_SEM_WAIT:
		if (ob->count > 0) {
			ob->count--;
			return 0;
		}
		break;
	case SCRIPT_STEP_SEM_POST:
		if (ob->nwait)
			oracle_wake(o, dequeue_at(ob, 0), false, 0);
		else
			ob->count++;
		return 0;
	case SCRIPT_STEP_BARRIER_WAIT:
		if (ob->count + 1 == so->init) {
			ob->count = 0;
			release_all(o, (unsigned)st->obj);
			return 0;
		}
		ob->count++;
		break;
	case SCRIPT_STEP_LATCH_COUNT_DOWN:
		if (ob->count == 0)
			return SCRIPT_FAULT_LATCH;
		if (--ob->count == 0)
			release_all(o, (unsigned)st->obj);
		return 0;
	case SCRIPT_STEP_LATCH_WAIT:
		if (ob->count == 0)
			return 0;
		break;
	case SCRIPT_STEP_EVENT_SET:
		if (!so->auto_reset) {
			ob->set = true;
			release_all(o, (unsigned)st->obj);
		} else if (ob->nwait) {
			oracle_wake(o, dequeue_at(ob, 0), false, 0);
		} else {
			ob->set = true;
		}
		return 0;
	case SCRIPT_STEP_EVENT_RESET:
		ob->set = false;
		return 0;
	default:	/* event wait */
		if (ob->set) {
			ob->set = !so->auto_reset;
			return 0;
		}
		break;
	}
	enqueue(ob, t);
	return ORACLE_OP_BLOCKED;
}

static void
take_item(struct oracle_object *ob, int64_t *v)
{
	*v = ob->items[0];
	memmove(ob->items, ob->items + 1,
		(size_t)(ob->nitems - 1) * sizeof(*ob->items));
	ob->nitems--;
}

static int
queue_op(struct oracle *o, unsigned t, const struct script_step *st,
	 int64_t *result)
{
	struct oracle_object *ob = &o->obj[st->obj];
	int64_t v;
	unsigned w;
	int f;

	if (st->kind == SCRIPT_STEP_POP) {
		if (!ob->nitems) {
			enqueue(ob, t);
			return ORACLE_OP_BLOCKED;
		}
		take_item(ob, result);
		/* A slot is free: the oldest blocked pusher's item goes in. */
		if (ob->nwait) {
			w = dequeue_at(ob, 0);
			ob->items[ob->nitems++] = o->th[w].carry;
			oracle_wake(o, w, false, 0);
		}
		return 0;
	}
	f = oracle_eval(o, t, &st->arg[0], &v);
	if (f)
		return f;
	if (ob->nwait && !ob->nitems) {
		/* A popper waits: the item goes straight to it. */
		oracle_wake(o, dequeue_at(ob, 0), true, v);
		return 0;
	}
	if (ob->nitems < o->prog->objs[st->obj].init) {
		ob->items[ob->nitems++] = v;
		return 0;
	}
	o->th[t].carry = v;
	enqueue(ob, t);
	return ORACLE_OP_BLOCKED;
}

static int
list_op(struct oracle *o, unsigned t, const struct script_step *st,
	int64_t *result)
{
	struct oracle_object *ob = &o->obj[st->obj];
	int64_t v;
	int f;

	switch (st->kind) {
	case SCRIPT_STEP_ADD_BEGIN:
	case SCRIPT_STEP_TAKE_BEGIN:
		if (ob->owner >= 0)
			return SCRIPT_FAULT_OVERLAP;
		ob->owner = (int8_t)t;
		return 0;
	case SCRIPT_STEP_ADD_END:
		f = oracle_eval(o, t, &st->arg[0], &v);
		if (f)
			return f;
		if (ob->nitems == SCRIPT_MAX_ITEMS)
			return SCRIPT_FAULT_FULL;
		ob->items[ob->nitems++] = v;
		break;
	default:	/* take end */
		if (!ob->nitems)
			return SCRIPT_FAULT_EMPTY;
		take_item(ob, result);
		break;
	}
	ob->owner = -1;
	return 0;
}

int
oracle_obj_run(struct oracle *o, unsigned t, const struct script_step *st,
	       int64_t *result)
{
	switch (o->prog->objs[st->obj].kind) {
	case SCRIPT_MUTEX:
		return mutex_op(o, t, st, result);
	case SCRIPT_RWLOCK:
		return rwlock_op(o, t, st);
	case SCRIPT_CONDITION:
		return cond_op(o, t, st);
	case SCRIPT_QUEUE:
		return queue_op(o, t, st, result);
	case SCRIPT_LIST:
		return list_op(o, t, st, result);
	default:
		return counter_op(o, t, st);
	}
}
