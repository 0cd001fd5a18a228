/*
 * say.c - an event as a short sentence a class reads: the event log in
 * plain language (model.h: model_log_say, model_say).
 *
 * A sentence names threads and objects as the lesson does (the model's
 * names) and says what happened in everyday words: "bob locked B", never
 * "LOCK_ACQUIRED B 0".  What the event does not carry comes from its log
 * entry (who held the lock a thread began to wait for), so an old entry
 * reads as it was.  Only the model's owner calls it (model.h).
 */
#include "config.h"

#include "model/model-int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* A sentence being written: at most n bytes, len counts them all. */
struct say {
	char *buf;
	size_t n, len;
};

__attribute__((format(printf, 2, 3))) static void
say_add(struct say *s, const char *fmt, ...)
{
	size_t room = s->len < s->n ? s->n - s->len : 0;
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		s->len += (size_t)k;
}

/* A duration for a person: "850 ns", "12 us", "3.4 ms", "1.25 s". */
static void
say_ns(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, n, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.0f us", (double)ns / 1e3);
	else if (ns < 10000000)
		snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.0f ms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.2f s", (double)ns / 1e9);
}

/* The name of object id: its slot's, else "#id" ("something" for none). */
static void
say_object(const struct model *m, uint32_t id, char *buf, size_t n)
{
	const struct model_object *o = model_object(m, id);

	if (!id)
		snprintf(buf, n, "something");
	else if (o && o->name[0])
		snprintf(buf, n, "%s", o->name);
	else
		snprintf(buf, n, "#%" PRIu32, id);
}

/* What a thread at a gate is about to do, by the kind the gate guards:
 * "lock B".  (A gate's aux is a tag, gate.h: no read or write for a
 * MARK.) */
static void
say_gate_op(struct say *s, uint64_t kind, const char *obj)
{
	switch (kind) {
	case LS_EV_LOCK_ACQUIRED:
		say_add(s, "lock %s", obj);
		break;
	case LS_EV_LOCK_RELEASED:
	case LS_EV_ERROR:	/* an unlock of a lock not held */
		say_add(s, "unlock %s", obj);
		break;
	case LS_EV_RD_ACQUIRED:
		say_add(s, "lock %s to read", obj);
		break;
	case LS_EV_WR_ACQUIRED:
		say_add(s, "lock %s to write", obj);
		break;
	case LS_EV_RD_RELEASED:
	case LS_EV_WR_RELEASED:
		say_add(s, "unlock %s", obj);
		break;
	case LS_EV_SEM_ACQUIRED:
		say_add(s, "take a permit of %s", obj);
		break;
	case LS_EV_SEM_POST:
		say_add(s, "give back a permit of %s", obj);
		break;
	case LS_EV_Q_PUSHED:
		say_add(s, "push to %s", obj);
		break;
	case LS_EV_Q_POPPED:
		say_add(s, "pop from %s", obj);
		break;
	case LS_EV_Q_CLOSED:
		say_add(s, "close %s", obj);
		break;
	case LS_EV_TASK_SUBMIT:
		say_add(s, "submit a task to %s", obj);
		break;
	case LS_EV_POOL_DEPTH:
		say_add(s, "take a task from %s", obj);
		break;
	case LS_EV_TASK_START:
		say_add(s, "run a task of %s", obj);
		break;
	case LS_EV_MARK:
		say_add(s, "use %s", obj);
		break;
	default:
		say_add(s, "its next step");
		break;
	}
}

/* A variable's MARK: "bob wrote balance = 50". */
static void
say_mark(struct say *s, const struct model *m, const struct ls_event *e,
	 const char *who, const char *obj)
{
	const struct model_object *o = model_object(m, e->obj);
	unsigned k = e->aux & LS_MARK_SERIES;
	int64_t v = (int64_t)e->arg;

	if (!e->obj || (o && o->kind != LS_OBJ_VAR)) {
		say_add(s, "%s marked %s%s%" PRId64, who, e->obj ? obj : "",
			e->obj ? " " : "", v);
		return;
	}
	if (e->aux & LS_MARK_WRITE)
		say_add(s, "%s wrote ", who);
	else if (e->aux & LS_MARK_READ)
		say_add(s, "%s read ", who);
	if (k)
		say_add(s, "%s[%u] = %" PRId64, obj, k, v);
	else
		say_add(s, "%s = %" PRId64, obj, v);
}

static void
say_error(struct say *s, const struct ls_event *e, const char *who,
	  const char *obj)
{
	switch (e->arg) {
	case LS_ERR_NOT_OWNER:
		say_add(s, "%s unlocked %s without holding it", who, obj);
		break;
	case LS_ERR_LOCK_ORDER:
		say_add(s, "%s took %s against the lock order", who, obj);
		break;
	case LS_ERR_HIERARCHY:
		say_add(s, "%s took %s while holding a higher level", who,
			obj);
		break;
	case LS_ERR_RELOCK:
		say_add(s, "%s locked %s twice", who, obj);
		break;
	default:
		say_add(s, "%s: error %" PRIu64 " on %s", who, e->arg, obj);
		break;
	}
}

static const char *
say_state(uint64_t state)
{
	switch (state) {
	case LS_STATE_RUNNING:
		return "runs";
	case LS_STATE_IDLE:
		return "is idle, waiting for work";
	case LS_STATE_SLEEPING:
		return "waits for I/O";
	case LS_STATE_BLOCKED:
		return "is blocked";
	case LS_STATE_PARKED:
		return "is paused";
	case LS_STATE_DONE:
		return "is done";
	default:
		return "is in an unknown state";
	}
}

/* Lock and rwlock events. */
static void
say_lock(struct say *s, const struct model_log_entry *le, const char *who,
	 const char *obj, const char *holder, const char *dur)
{
	const struct ls_event *e = &le->e;

	switch (e->kind) {
	case LS_EV_LOCK_WAIT:
		say_add(s, "%s waits for %s", who, obj);
		if (le->holder && le->holder != e->tid)
			say_add(s, " (held by %s)", holder);
		break;
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_WR_ACQUIRED:
		say_add(s, "%s locked %s%s", who, obj,
			e->kind == LS_EV_WR_ACQUIRED ? " to write" : "");
		if (e->arg)
			say_add(s, " after waiting %s", dur);
		break;
	case LS_EV_LOCK_RELEASED:
	case LS_EV_WR_RELEASED:
		say_add(s, "%s unlocked %s", who, obj);
		break;
	case LS_EV_LOCK_TIMEOUT:
		say_add(s, "%s gave up waiting for %s after %s", who, obj, dur);
		break;
	case LS_EV_LOCK_BUSY:
		say_add(s, "%s tried to lock %s, but %s holds it", who, obj,
			holder);
		break;
	case LS_EV_RD_WAIT:
	case LS_EV_WR_WAIT:
		say_add(s, "%s waits to %s %s", who,
			e->kind == LS_EV_RD_WAIT ? "read" : "write", obj);
		if (le->holder && le->holder != e->tid)
			say_add(s, " (held by %s)", holder);
		else if (e->kind == LS_EV_WR_WAIT && le->readers)
			say_add(s, " (%u reading)", le->readers);
		else if (e->kind == LS_EV_RD_WAIT)
			say_add(s, " (a writer goes first)");
		break;
	case LS_EV_RD_ACQUIRED:
		say_add(s, "%s locked %s to read (%" PRIu64 " reading)", who,
			obj, e->arg);
		break;
	case LS_EV_RD_RELEASED:
		say_add(s, "%s stopped reading %s (%" PRIu64 " still reading)",
			who, obj, e->arg);
		break;
	case LS_EV_RW_TIMEOUT:
		say_add(s, "%s gave up waiting to %s %s", who,
			e->aux ? "write" : "read", obj);
		break;
	}
}

/* Semaphore and queue events. */
static void
say_sem_queue(struct say *s, const struct model_log_entry *le,
	      const char *who, const char *obj)
{
	const struct ls_event *e = &le->e;

	switch (e->kind) {
	case LS_EV_SEM_WAIT:
		say_add(s, "%s waits for %s (count %" PRIu64 ")", who, obj,
			e->arg);
		break;
	case LS_EV_SEM_ACQUIRED:
		say_add(s, "%s took a permit of %s (%" PRIu64 " left)", who,
			obj, e->arg);
		break;
	case LS_EV_SEM_POST:
		say_add(s, "%s gave back a permit of %s (count %" PRIu64 ")",
			who, obj, e->arg);
		break;
	case LS_EV_SEM_TIMEOUT:
		say_add(s, "%s gave up waiting for %s", who, obj);
		break;
	case LS_EV_Q_PUSH_WAIT:
		say_add(s, "%s waits to push: %s is full (%" PRIu64 " of %u)",
			who, obj, e->arg, e->aux);
		break;
	case LS_EV_Q_POP_WAIT:
		say_add(s, "%s waits to pop: %s is empty", who, obj);
		break;
	case LS_EV_Q_PUSHED:
	case LS_EV_Q_POPPED:
		say_add(s, "%s depth %" PRIu64 " of %u after %s %s", obj,
			e->arg, e->aux, who,
			e->kind == LS_EV_Q_PUSHED ? "pushed" : "popped");
		break;
	case LS_EV_Q_TIMEOUT:
		say_add(s, "%s gave up %s %s", who,
			e->aux ? "pushing to" : "popping from", obj);
		break;
	case LS_EV_Q_CLOSED:
		if (le->flags & MODEL_LOG_WAITED)
			say_add(s, "%s woke: %s is closed", who, obj);
		else
			say_add(s, "%s is closed (%s)", obj, who);
		break;
	}
}

/* Pool events. */
static void
say_pool(struct say *s, const struct ls_event *e, const char *who,
	 const char *obj, const char *dur)
{
	switch (e->kind) {
	case LS_EV_TASK_SUBMIT:
		say_add(s, "%s submitted task %" PRIu64 " to %s (priority %d)",
			who, e->arg, obj, (int32_t)e->aux);
		break;
	case LS_EV_TASK_START:
		say_add(s, "%s started task %" PRIu64 " (waited %s)", who,
			e->arg, dur);
		break;
	case LS_EV_TASK_END:
		say_add(s, "%s finished task %" PRIu64 " (ran %s)", who,
			e->arg, dur);
		break;
	case LS_EV_TASK_FAIL:
		say_add(s, "%s: task %" PRIu64 " failed (error %u)", who,
			e->arg, e->aux);
		break;
	case LS_EV_TASK_REJECT:
		say_add(s, "%s turned away task %" PRIu64 " of %s (%u queued)",
			obj, e->arg, who, e->aux);
		break;
	case LS_EV_TASK_DROP:
		say_add(s, "%s dropped task %" PRIu64 " of %s", who, e->arg,
			obj);
		break;
	case LS_EV_POOL_SCALE:
		say_add(s, "%s has %" PRIu64 " worker%s now (%u idle)", obj,
			e->arg, e->arg == 1 ? "" : "s", e->aux);
		break;
	case LS_EV_POOL_DEPTH:
		say_add(s, "%s queue depth %" PRIu64 " of %u", obj, e->arg,
			e->aux);
		break;
	}
}

size_t
say_entry(const struct model *m, const struct model_log_entry *le,
	  char *buf, size_t n)
{
	const struct ls_event *e = &le->e;
	char who[MODEL_NAME + 8], obj[MODEL_NAME + 16];
	char holder[MODEL_NAME + 8], dur[24];
	struct say s = { .buf = buf, .n = n };
	uint64_t ns = 0;

	if (n)
		buf[0] = 0;
	history_thread_name(m, e->tid, e->ts, who, sizeof(who));
	say_object(m, e->obj, obj, sizeof(obj));
	history_thread_name(m, e->kind == LS_EV_LOCK_BUSY ? (unsigned)e->arg
							  : le->holder,
			    e->ts, holder, sizeof(holder));
	switch (e->kind) {
	case LS_EV_LOCK_ACQUIRED:
	case LS_EV_WR_ACQUIRED:
	case LS_EV_LOCK_TIMEOUT:
		ns = e->arg;
		break;
	case LS_EV_TASK_START:
	case LS_EV_TASK_END:
		ns = (uint64_t)e->aux * 1000u;
		break;
	}
	say_ns(dur, sizeof(dur), ns);

	switch (e->kind) {
	case LS_EV_THREAD_START:
		say_add(&s, "%s started", who);
		break;
	case LS_EV_THREAD_EXIT:
		say_add(&s, "%s finished", who);
		if (e->arg)
			say_add(&s, " (status %" PRId64 ")", (int64_t)e->arg);
		break;
	case LS_EV_STATE:
		say_add(&s, "%s %s", who, say_state(e->arg));
		break;
	case LS_EV_GATE_WAIT:
	case LS_EV_GATE_PASS:
		say_add(&s, e->kind == LS_EV_GATE_WAIT ? "%s is paused before: "
						       : "%s goes on: ",
			who);
		say_gate_op(&s, e->arg, obj);
		break;
	case LS_EV_CANCELLED:
		if (le->flags & MODEL_LOG_WAITED)
			say_add(&s, "%s was cancelled waiting for %s", who, obj);
		else
			say_add(&s, "%s was cancelled", who);
		break;
	case LS_EV_MARK:
		say_mark(&s, m, e, who, obj);
		break;
	case LS_EV_ERROR:
		say_error(&s, e, who, obj);
		break;
	case LS_EV_OUTCOME:
		history_thread_name(m, e->aux, e->ts, holder, sizeof(holder));
		say_add(&s, "%s", ls_outcome_name((unsigned)e->arg));
		if (e->aux)
			say_add(&s, " by %s", holder);
		if (e->obj)
			say_add(&s, " on %s", obj);
		break;
	default:
		switch (model_event_object_kind(e->kind)) {
		case LS_OBJ_MUTEX:
		case LS_OBJ_RWLOCK:
			say_lock(&s, le, who, obj, holder, dur);
			break;
		case LS_OBJ_SEM:
		case LS_OBJ_QUEUE:
			say_sem_queue(&s, le, who, obj);
			break;
		case LS_OBJ_POOL:
			say_pool(&s, e, who, obj, dur);
			break;
		default:
			say_add(&s, "%s did something the model does not know",
				who);
			break;
		}
		break;
	}
	return s.len;
}
