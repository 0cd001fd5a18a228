/*
 * oracle.c - the reference interpreter: threads, steps and outcomes.
 *
 * A step runs its parts in the order script.h gives (loads, operation,
 * result, then part), and stops at the first fault, which ends the run
 * as ORACLE_ERROR.  After each step the run is judged in a fixed order:
 * the step's own outcome (a fault, a failed assert), then two threads in
 * critical blocks, then the end of every thread (the check block runs at
 * once, all of it: it has no loops and no operations), then a deadlock.
 * The objects' semantics are in oracle-obj.c.
 */
#include "config.h"

#include "script/oracle.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "script/oracle-int.h"

const struct script_step *
oracle_at(const struct oracle *o, unsigned t)
{
	return &script_thread_body(o->prog, t)->steps[o->th[t].pc];
}

/* Evaluate for a thread's locals and temps (th may be the check's). */
static enum script_fault
eval_for(const struct oracle *o, const struct oracle_thread *th, int64_t id,
	 const struct script_expr *e, int64_t *v)
{
	return eval_expr(e, o->shared, th->locals, th->temps, id, v);
}

enum script_fault
oracle_eval(const struct oracle *o, unsigned t, const struct script_expr *e,
	    int64_t *v)
{
	return eval_for(o, &o->th[t], o->prog->threads[t].id, e, v);
}

/* Write v where ref says; the index of a shared element may fault (the
 * index in *bad). */
static enum script_fault
store(struct oracle *o, struct oracle_thread *th, int64_t id,
      const struct script_ref *ref, int64_t v, int64_t *bad)
{
	int64_t i = 0;
	enum script_fault f;

	switch (ref->where) {
	case SCRIPT_SHARED:
		if (ref->index.n) {
			f = eval_for(o, th, id, &ref->index, &i);
			*bad = i;
			if (f)
				return f;
			if (i < 0 || i >= (int64_t)ref->len)
				return SCRIPT_FAULT_INDEX;
		}
		o->shared[ref->slot + (unsigned)i] = v;
		break;
	case SCRIPT_LOCAL:
		th->locals[ref->slot] = v;
		break;
	case SCRIPT_TEMP:
		th->temps[ref->slot] = v;
		break;
	default:
		break;
	}
	return SCRIPT_FAULT_NONE;
}

/* Move past the step at pc to target, ready. */
static void
advance(struct oracle_thread *th, const struct script_step *st,
	unsigned target, unsigned nsteps)
{
	/* Temps live from the first half of a split statement to its
	 * second; dropping them after keeps equal states equal. */
	if (!st->first_half)
		memset(th->temps, 0, sizeof(th->temps));
	th->carry = 0;
	th->depth = 0;
	th->pc = (uint16_t)target;
	th->blocked_on = -1;
	th->status = target >= nsteps ? ORACLE_DONE : ORACLE_READY;
}

void
oracle_wake(struct oracle *o, unsigned t, bool has_value, int64_t v)
{
	const struct script_step *st = oracle_at(o, t);
	struct oracle_thread *th = &o->th[t];

	/* Blocking steps have no then part; pop's result is a local or a
	 * temp, which a store cannot fail on. */
	if (has_value)
		store(o, th, o->prog->threads[t].id, &st->result, v, &v);
	advance(th, st, st->next, script_thread_body(o->prog, t)->nsteps);
}

static void
end_run(struct oracle *o, enum oracle_end end, int thread, unsigned line)
{
	o->out.end = end;
	o->out.thread = thread;
	o->out.line = line;
}

static const char *
who(const struct oracle *o, int t)
{
	return t < (int)o->prog->nthreads ? o->prog->threads[t].name
					   : "the check block";
}

static void
fault(struct oracle *o, int t, const struct script_step *st,
      enum script_fault f, int64_t index)
{
	end_run(o, ORACLE_ERROR, t, st->line);
	o->out.fault = f;
	if (f == SCRIPT_FAULT_INDEX)
		snprintf(o->out.why, sizeof(o->out.why),
			 "%s, line %u: array index %lld out of range in '%s'.",
			 who(o, t), st->line, (long long)index, st->text);
	else
		snprintf(o->out.why, sizeof(o->out.why),
			 "%s, line %u: %s in '%s'.", who(o, t), st->line,
			 script_fault_text(f), st->text);
}

/* An atomic operation on its shared target. */
static enum script_fault
atomic(struct oracle *o, unsigned t, const struct script_step *st,
       int64_t *result, int64_t *bad)
{
	const struct script_ref *ref = &st->target;
	int64_t i = 0, a = 0, b = 0;
	enum script_fault f;
	int64_t *x;

	if (ref->index.n) {
		if ((f = oracle_eval(o, t, &ref->index, &i)))
			return *bad = i, f;
		if (i < 0 || i >= (int64_t)ref->len)
			return *bad = i, SCRIPT_FAULT_INDEX;
	}
	x = &o->shared[ref->slot + (unsigned)i];
	if ((f = oracle_eval(o, t, &st->arg[0], &a)) ||
	    (st->arg[1].n && (f = oracle_eval(o, t, &st->arg[1], &b))))
		return *bad = a, f;
	switch (st->kind) {
	case SCRIPT_STEP_ATOMIC_ADD:
		*x = (int64_t)((uint64_t)*x + (uint64_t)a);
		break;
	case SCRIPT_STEP_EXCHANGE:
		*result = *x;
		*x = a;
		break;
	default:	/* cas */
		*result = *x == a;
		if (*result)
			*x = b;
		break;
	}
	return SCRIPT_FAULT_NONE;
}

/*
 * Run the step st of a thread (t < nthreads) or of the check block (t ==
 * nthreads, th its state).  Ends the run on a fault or a failed assert.
 */
static void
run_step(struct oracle *o, unsigned t, struct oracle_thread *th, int64_t id,
	 const struct script_step *st, unsigned nsteps)
{
	enum script_fault f = SCRIPT_FAULT_NONE;
	int64_t v = 0, result = 0;
	unsigned i, target = st->next;
	int rc;

	for (i = 0; i < st->nloads; i++) {
		const struct script_load *l = &st->loads[i];

		if (l->obj >= 0)
			v = o->obj[l->obj].nitems;
		else if ((f = eval_for(o, th, id, &l->value, &v)))
			goto fault;
		th->temps[l->temp] = v;
	}
	switch (st->kind) {
	case SCRIPT_STEP_FAIL:
		end_run(o, ORACLE_ASSERT, (int)t, st->line);
		snprintf(o->out.why, sizeof(o->out.why), "%s, line %u: %s",
			 who(o, (int)t), st->line, st->msg);
		return;
	case SCRIPT_STEP_RETURN:
		target = nsteps;
		break;
	case SCRIPT_STEP_ATOMIC_ADD:
	case SCRIPT_STEP_EXCHANGE:
	case SCRIPT_STEP_CAS:
		if ((f = atomic(o, t, st, &result, &v)))
			goto fault;
		break;
	default:
		if (st->obj < 0)
			break;
		rc = oracle_obj_run(o, t, st, &result);
		if (rc == ORACLE_OP_BLOCKED) {
			th->status = ORACLE_BLOCKED;
			th->blocked_on = (int8_t)st->obj;
			return;
		}
		if ((f = (enum script_fault)rc))
			goto fault;
		break;
	}
	if ((f = store(o, th, id, &st->result, result, &v)))
		goto fault;
	if (st->then != SCRIPT_THEN_NONE &&
	    (f = eval_for(o, th, id, &st->value, &v)))
		goto fault;
	switch (st->then) {
	case SCRIPT_THEN_ASSIGN:
		if ((f = store(o, th, id, &st->dest, v, &v)))
			goto fault;
		break;
	case SCRIPT_THEN_BRANCH:
		target = v ? st->next : st->jump;
		break;
	case SCRIPT_THEN_ASSERT:
		if (v)
			break;
		end_run(o, ORACLE_ASSERT, (int)t, st->line);
		snprintf(o->out.why, sizeof(o->out.why), "%s, line %u: %s",
			 who(o, (int)t), st->line, st->msg);
		return;
	default:
		break;
	}
	advance(th, st, target, nsteps);
	return;
fault:
	fault(o, (int)t, st, f, v);
}

/* Every thread returned: run the check block to its end. */
static void
run_check(struct oracle *o)
{
	const struct script_body *b = o->prog->check;
	struct oracle_thread th;
	unsigned n = 0;

	memset(&th, 0, sizeof(th));
	/* No loops: every step moves forward, so this ends. */
	while (b && th.pc < b->nsteps && !o->out.end && n++ <= b->nsteps)
		run_step(o, o->prog->nthreads, &th, 0, &b->steps[th.pc],
			 b->nsteps);
	if (!o->out.end)
		end_run(o, ORACLE_FINISHED, -1, 0);
}

static bool
inside(const struct oracle *o, unsigned t)
{
	return o->th[t].status != ORACLE_DONE && oracle_at(o, t)->critical;
}

/* Judge the run after thread t's step, which was at line. */
static void
judge(struct oracle *o, int t, unsigned line)
{
	const struct script_program *p = o->prog;
	unsigned i, live = 0, ready = 0;
	int a = -1, b = -1;
	size_t n;

	for (i = 0; i < p->nthreads; i++) {
		if (!inside(o, i))
			continue;
		if (a < 0)
			a = (int)i;
		else if (b < 0)
			b = (int)i;
	}
	if (b >= 0) {
		end_run(o, ORACLE_CRITICAL, t, line);
		snprintf(o->out.why, sizeof(o->out.why),
			 "%s and %s are both inside a critical block.",
			 p->threads[a].name, p->threads[b].name);
		return;
	}
	for (i = 0; i < p->nthreads; i++) {
		live += o->th[i].status != ORACLE_DONE;
		ready += o->th[i].status == ORACLE_READY;
	}
	if (!live) {
		run_check(o);
		return;
	}
	if (ready)
		return;
	end_run(o, ORACLE_DEADLOCK, -1, 0);
	n = (size_t)snprintf(o->out.why, sizeof(o->out.why),
			     "Every live thread is blocked:");
	for (i = 0; i < p->nthreads && n < sizeof(o->out.why); i++)
		if (o->th[i].status == ORACLE_BLOCKED)
			n += (size_t)snprintf(o->out.why + n,
					      sizeof(o->out.why) - n,
					      " %s in %s (line %u);",
					      p->threads[i].name,
					      oracle_at(o, i)->text,
					      oracle_at(o, i)->line);
	if (n < sizeof(o->out.why))
		o->out.why[n - 1] = '.';
}

void
oracle_init(struct oracle *o, const struct script_program *p)
{
	unsigned i;

	memset(o, 0, sizeof(*o));
	o->prog = p;
	memcpy(o->shared, p->shared_init, p->nslots * sizeof(*o->shared));
	for (i = 0; i < p->nobjs; i++) {
		const struct script_object *so = &p->objs[i];

		o->obj[i].owner = -1;
		o->obj[i].set = so->initially_set;
		if (so->kind == SCRIPT_SEMAPHORE || so->kind == SCRIPT_LATCH)
			o->obj[i].count = so->init;
	}
	for (i = 0; i < p->nthreads; i++) {
		o->th[i].blocked_on = -1;
		o->th[i].status = script_thread_body(p, i)->nsteps
					  ? ORACLE_READY
					  : ORACLE_DONE;
	}
	judge(o, -1, 0);
}

bool
oracle_can_step(const struct oracle *o, unsigned t)
{
	return !o->out.end && t < o->prog->nthreads &&
	       o->th[t].status == ORACLE_READY;
}

int
oracle_step(struct oracle *o, unsigned t)
{
	const struct script_body *b;
	unsigned line;

	if (o->out.end)
		return -EPIPE;
	if (t >= o->prog->nthreads)
		return -EINVAL;
	if (o->th[t].status == ORACLE_BLOCKED)
		return -EAGAIN;
	if (o->th[t].status == ORACLE_DONE)
		return -ENOENT;
	b = script_thread_body(o->prog, t);
	o->steps++;
	line = oracle_at(o, t)->line;
	run_step(o, t, &o->th[t], o->prog->threads[t].id, oracle_at(o, t),
		 b->nsteps);
	if (!o->out.end)
		judge(o, (int)t, line);
	return 0;
}

unsigned
oracle_goal(const struct oracle *o)
{
	switch (o->out.end) {
	case ORACLE_ASSERT:
		return SCRIPT_GOAL_ASSERT;
	case ORACLE_DEADLOCK:
		return SCRIPT_GOAL_DEADLOCK;
	case ORACLE_CRITICAL:
		return SCRIPT_GOAL_CRITICAL;
	case ORACLE_ERROR:
		return SCRIPT_GOAL_ERROR;
	default:
		return 0;
	}
}

int
oracle_replay(struct oracle *o, const unsigned *threads, size_t n,
	      size_t *done)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++)
		rc = oracle_step(o, threads[i]);
	*done = rc ? i - 1 : n;
	return rc;
}

/* Append n bytes at p to buf (up to cap) at *off. */
static void
put(unsigned char *buf, size_t cap, size_t *off, const void *p, size_t n)
{
	if (*off < cap)
		memcpy(buf + *off, p, n < cap - *off ? n : cap - *off);
	*off += n;
}

size_t
oracle_pack(const struct oracle *o, unsigned char *buf, size_t cap)
{
	const struct script_program *p = o->prog;
	size_t off = 0;
	unsigned i;

	put(buf, cap, &off, &o->out.end, sizeof(o->out.end));
	put(buf, cap, &off, o->shared, p->nslots * sizeof(*o->shared));
	for (i = 0; i < p->nthreads; i++) {
		const struct oracle_thread *th = &o->th[i];
		const struct script_body *b = script_thread_body(p, i);

		put(buf, cap, &off, &th->pc, sizeof(th->pc));
		put(buf, cap, &off, &th->status, sizeof(th->status));
		put(buf, cap, &off, &th->blocked_on, sizeof(th->blocked_on));
		put(buf, cap, &off, &th->depth, sizeof(th->depth));
		put(buf, cap, &off, &th->carry, sizeof(th->carry));
		put(buf, cap, &off, th->locals, b->nlocals * sizeof(int64_t));
		put(buf, cap, &off, th->temps, b->ntemps * sizeof(int64_t));
	}
	for (i = 0; i < p->nobjs; i++) {
		const struct oracle_object *ob = &o->obj[i];

		put(buf, cap, &off, &ob->count, sizeof(ob->count));
		put(buf, cap, &off, &ob->owner, sizeof(ob->owner));
		put(buf, cap, &off, &ob->depth, sizeof(ob->depth));
		put(buf, cap, &off, &ob->set, sizeof(ob->set));
		put(buf, cap, &off, &ob->readers, sizeof(ob->readers));
		put(buf, cap, &off, &ob->nwait, sizeof(ob->nwait));
		put(buf, cap, &off, ob->wait, ob->nwait);
		put(buf, cap, &off, &ob->nitems, sizeof(ob->nitems));
		put(buf, cap, &off, ob->items, ob->nitems * sizeof(int64_t));
	}
	return off;
}
