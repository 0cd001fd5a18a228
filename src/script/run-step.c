/*
 * run-step.c - one step of a script thread on the engine: its gate, then
 * its parts in the order script.h gives (loads, operation, result, then
 * part), exactly as the reference interpreter (oracle.c) runs them, and
 * the outcomes a step can cause.
 *
 * Every step passes one gate of its own, tagged with its pc, whose object
 * is the one thing the step touches (a variable's slot or an object), or
 * 0 when it touches several or none, so the explorer never takes two
 * dependent steps for independent ones.  An operation on a primitive then
 * prepays the primitive's own gate (gate.h), so the step is one gate.
 * Shared slots are read into a plain snapshot for the evaluator and
 * written with relaxed atomic stores, each followed by its MARK event.
 */
#include "config.h"

#include "script/run-int.h"

#include <stdio.h>
#include <string.h>

#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"

void
run_step_snapshot(const struct run_state *s, int64_t *buf)
{
	unsigned k;

	for (k = 0; k < s->prog->nslots; k++)
		buf[k] = atomic_load_explicit(&s->shared[k],
					      memory_order_relaxed);
}

void
run_step_frame(const struct run_thread *th, int64_t *locals, int64_t *temps)
{
	unsigned k;

	for (k = 0; k < SCRIPT_MAX_LOCALS; k++)
		locals[k] = atomic_load_explicit(&th->locals[k],
						 memory_order_relaxed);
	for (k = 0; k < SCRIPT_MAX_TEMPS; k++)
		temps[k] = atomic_load_explicit(&th->temps[k],
						memory_order_relaxed);
}

/* A step's view of the world: the shared slots when it looks, and its
 * thread's (or the check block's) locals and temps. */
struct frame {
	struct run_state *s;
	struct run_thread *th;		/* NULL: the check block */
	int64_t id;
	int64_t shared[SCRIPT_MAX_SLOTS];
	int64_t locals[SCRIPT_MAX_LOCALS];
	int64_t temps[SCRIPT_MAX_TEMPS];
};

static enum script_fault
frame_eval(struct frame *f, const struct script_expr *e, int64_t *v)
{
	run_step_snapshot(f->s, f->shared);
	return eval_expr(e, f->shared, f->locals, f->temps, f->id, v);
}

/* The shared slot a simple read expression names ("x", "a[i]"), or -1. */
static int
frame_read_slot(struct frame *f, const struct script_expr *e)
{
	int64_t i;

	if (e->n == 1 && e->code[0].op == SCRIPT_OP_SHARED)
		return e->code[0].arg;
	if (e->n < 2 || e->code[e->n - 1].op != SCRIPT_OP_SHARED_AT)
		return -1;
	/* The index is the expression without its last op. */
	if (eval_expr(&(struct script_expr){ e->code, e->n - 1 }, f->shared,
		      f->locals, f->temps, f->id, &i) ||
	    i < 0 || i >= e->code[e->n - 1].len)
		return -1;
	return e->code[e->n - 1].arg + (int)i;
}

/* Write v where ref says.  A shared write is an atomic store and a MARK;
 * a local or temp goes to the frame and the thread's copy. */
static enum script_fault
frame_store(struct frame *f, const struct script_ref *ref, int64_t v,
	    int64_t *bad)
{
	int64_t i = 0;
	enum script_fault e;

	switch (ref->where) {
	case SCRIPT_SHARED:
		if (ref->index.n) {
			e = frame_eval(f, &ref->index, &i);
			*bad = i;
			if (e)
				return e;
			if (i < 0 || i >= (int64_t)ref->len)
				return SCRIPT_FAULT_INDEX;
		}
		atomic_store_explicit(&f->s->shared[ref->slot + (unsigned)i],
				      v, memory_order_relaxed);
		ls_emit(LS_EV_MARK, f->s->slot_id[ref->slot + (unsigned)i],
			(uint64_t)v, LS_MARK_WRITE);
		break;
	case SCRIPT_LOCAL:
		f->locals[ref->slot] = v;
		if (f->th)
			atomic_store_explicit(&f->th->locals[ref->slot], v,
					      memory_order_relaxed);
		break;
	case SCRIPT_TEMP:
		f->temps[ref->slot] = v;
		if (f->th)
			atomic_store_explicit(&f->th->temps[ref->slot], v,
					      memory_order_relaxed);
		break;
	default:
		break;
	}
	return SCRIPT_FAULT_NONE;
}

static const char *
run_who(const struct run_state *s, unsigned t)
{
	return t < s->prog->nthreads ? s->prog->threads[t].name
				     : "the check block";
}

void
run_step_fault(struct run_state *s, unsigned t, const struct script_step *st,
	       enum script_fault f, int64_t index)
{
	if (f == SCRIPT_FAULT_INDEX)
		scene_report(s->run, LS_OUT_ERROR, 0, st->line,
			     "%s, line %u: array index %lld is out of range "
			     "in '%s'.", run_who(s, t), st->line,
			     (long long)index, st->text);
	else
		scene_report(s->run, LS_OUT_ERROR,
			     st->obj >= 0 ? s->obj_id[st->obj] : 0, st->line,
			     "%s, line %u: %s in '%s'.", run_who(s, t),
			     st->line, script_fault_text(f), st->text);
}

static void
run_step_assert(struct run_state *s, unsigned t, const struct script_step *st)
{
	scene_report(s->run, LS_OUT_ASSERT, 0, st->line, "%s, line %u: %s",
		     run_who(s, t), st->line, st->msg);
}

/* An atomic operation on its shared target: a real atomic RMW. */
static enum script_fault
run_step_atomic(struct frame *f, const struct script_step *st,
		int64_t *result, int64_t *bad)
{
	const struct script_ref *ref = &st->target;
	int64_t i = 0, a = 0, b = 0, old;
	enum script_fault e;
	_Atomic int64_t *x;
	unsigned slot;

	if (ref->index.n) {
		if ((e = frame_eval(f, &ref->index, &i)))
			return *bad = i, e;
		if (i < 0 || i >= (int64_t)ref->len)
			return *bad = i, SCRIPT_FAULT_INDEX;
	}
	slot = ref->slot + (unsigned)i;
	x = &f->s->shared[slot];
	if ((e = frame_eval(f, &st->arg[0], &a)) ||
	    (st->arg[1].n && (e = frame_eval(f, &st->arg[1], &b))))
		return *bad = a, e;
	switch (st->kind) {
	case SCRIPT_STEP_ATOMIC_ADD:
		/* Atomic arithmetic on a signed type wraps (C11 7.17.7.5). */
		old = atomic_fetch_add_explicit(x, a, memory_order_relaxed);
		ls_emit(LS_EV_MARK, f->s->slot_id[slot],
			(uint64_t)old + (uint64_t)a, LS_MARK_WRITE);
		break;
	case SCRIPT_STEP_EXCHANGE:
		*result = atomic_exchange_explicit(x, a, memory_order_relaxed);
		ls_emit(LS_EV_MARK, f->s->slot_id[slot], (uint64_t)a,
			LS_MARK_WRITE);
		break;
	default:	/* cas */
		old = a;
		*result = atomic_compare_exchange_strong_explicit(
			x, &old, b, memory_order_relaxed,
			memory_order_relaxed);
		ls_emit(LS_EV_MARK, f->s->slot_id[slot],
			(uint64_t)(*result ? b : old),
			*result ? LS_MARK_WRITE : LS_MARK_READ);
		break;
	}
	return SCRIPT_FAULT_NONE;
}

/* The loads of a step into its temps, each shared read a MARK. */
static enum script_fault
run_step_loads(struct frame *f, const struct script_step *st, int64_t *bad)
{
	enum script_fault e;
	unsigned i;
	int64_t v;
	int slot;

	for (i = 0; i < st->nloads; i++) {
		const struct script_load *l = &st->loads[i];

		if (l->obj >= 0) {
			v = run_obj_count(f->s, (unsigned)l->obj);
		} else {
			if ((e = frame_eval(f, &l->value, &v)))
				return *bad = v, e;
			slot = frame_read_slot(f, &l->value);
			if (slot >= 0)
				ls_emit(LS_EV_MARK, f->s->slot_id[slot],
					(uint64_t)v, LS_MARK_READ);
		}
		frame_store(f, &(struct script_ref){ .where = SCRIPT_TEMP,
						     .slot = l->temp }, v, &v);
	}
	return SCRIPT_FAULT_NONE;
}

/* Move thread th (or the check block's frame) past st to target. */
static void
run_step_advance(struct frame *f, const struct script_step *st,
		 unsigned target)
{
	struct run_thread *th = f->th;
	unsigned k;

	/* Temps live from the first half of a split statement to its
	 * second only: cleared after, equal states stay equal. */
	if (!st->first_half) {
		memset(f->temps, 0, sizeof(f->temps));
		for (k = 0; th && k < SCRIPT_MAX_TEMPS; k++)
			atomic_store_explicit(&th->temps[k], 0,
					      memory_order_relaxed);
	}
	if (th)
		atomic_store_explicit(&th->pc, target, memory_order_relaxed);
}

/*
 * Run step st for thread t (nthreads: the check block) in frame f, its
 * gate passed.  Returns GO (moved on: *target is where), END (it ended
 * the run) or CANCELLED.
 */
static enum run_next
run_step_exec(struct frame *f, unsigned t, const struct script_step *st,
	      unsigned nsteps, unsigned *target)
{
	enum script_fault e = SCRIPT_FAULT_NONE;
	int64_t v = 0, result = 0;
	int rc;

	*target = st->next;
	if ((e = run_step_loads(f, st, &v)))
		goto fault;
	switch (st->kind) {
	case SCRIPT_STEP_FAIL:
		run_step_assert(f->s, t, st);
		return RUN_NEXT_END;
	case SCRIPT_STEP_RETURN:
		*target = nsteps;
		break;
	case SCRIPT_STEP_ATOMIC_ADD:
	case SCRIPT_STEP_EXCHANGE:
	case SCRIPT_STEP_CAS:
		if ((e = run_step_atomic(f, st, &result, &v)))
			goto fault;
		break;
	default:
		if (st->obj < 0 || !f->th)
			break;
		rc = run_obj_op(f->th, st, &result);
		if (rc < 0)
			return RUN_NEXT_CANCELLED;
		if ((e = (enum script_fault)rc))
			goto fault;
		/* The operation may have waited: look again. */
		run_step_frame(f->th, f->locals, f->temps);
		break;
	}
	if ((e = frame_store(f, &st->result, result, &v)))
		goto fault;
	if (st->then != SCRIPT_THEN_NONE && (e = frame_eval(f, &st->value, &v)))
		goto fault;
	switch (st->then) {
	case SCRIPT_THEN_ASSIGN:
		if ((e = frame_store(f, &st->dest, v, &v)))
			goto fault;
		break;
	case SCRIPT_THEN_BRANCH:
		*target = v ? st->next : st->jump;
		break;
	case SCRIPT_THEN_ASSERT:
		if (v)
			break;
		run_step_assert(f->s, t, st);
		return RUN_NEXT_END;
	default:
		break;
	}
	run_step_advance(f, st, *target);
	return RUN_NEXT_GO;
fault:
	run_step_fault(f->s, t, st, e, v);
	return RUN_NEXT_END;
}

/* What a step's gate names: the one slot or object it touches, else 0. */
static uint32_t
run_step_gate_obj(const struct run_state *s, const struct script_step *st)
{
	uint64_t slots = st->reads | st->writes;
	uint64_t objs = st->obj_reads | st->obj_writes;

	if (st->obj >= 0)
		objs |= 1ull << st->obj;
	if (st->obj2 >= 0)
		objs |= 1ull << st->obj2;
	if (__builtin_popcountll(slots) + __builtin_popcountll(objs) != 1)
		return 0;
	return slots ? s->slot_id[__builtin_ctzll(slots)]
		     : s->obj_id[__builtin_ctzll(objs)];
}

/* Critical blocks: is th inside one now?  Two inside is an outcome. */
static void
run_step_critical(struct run_thread *th)
{
	struct run_state *s = th->s;
	unsigned pc = atomic_load_explicit(&th->pc, memory_order_relaxed);
	bool in = pc < th->body->nsteps && th->body->steps[pc].critical;
	unsigned i;
	int other = -1;

	if (in == th->inside)
		return;
	th->inside = in;
	if (!in) {
		atomic_fetch_sub(&s->inside, 1);
		return;
	}
	if (atomic_fetch_add(&s->inside, 1) == 0)
		return;
	for (i = 0; i < s->prog->nthreads; i++) {
		const struct run_thread *o = &s->th[i];
		unsigned opc = atomic_load_explicit(&o->pc,
						    memory_order_relaxed);

		if (o != th && opc < o->body->nsteps &&
		    o->body->steps[opc].critical &&
		    atomic_load_explicit(&o->status, memory_order_relaxed) !=
			    RUN_DONE)
			other = (int)i;
	}
	scene_report(s->run, LS_OUT_CRITICAL, 0, th->body->steps[pc].line,
		     "%s and %s are both inside a critical block: %s came in "
		     "at line %u while %s was still inside.",
		     other >= 0 ? s->prog->threads[other].name : "another",
		     s->prog->threads[th->index].name,
		     s->prog->threads[th->index].name,
		     th->body->steps[pc].line,
		     other >= 0 ? s->prog->threads[other].name : "another");
}

enum run_next
run_step_take(struct run_thread *th)
{
	struct run_state *s = th->s;
	unsigned pc = atomic_load_explicit(&th->pc, memory_order_relaxed);
	const struct script_step *st = &th->body->steps[pc];
	uint32_t obj = run_step_gate_obj(s, st);
	bool op = st->obj >= 0 && st->kind >= SCRIPT_STEP_LOCK &&
		  st->kind <= SCRIPT_STEP_POP;
	struct frame f = { .s = s, .th = th, .id = th->id };
	enum run_next next;
	unsigned target;

	ls_gate_tag(pc + 1);
	/* A primitive's gate carries its verb and object ("lock m") when
	 * the step touches that object alone; otherwise the step's text. */
	if (ls_gate_probed(op ? run_obj_kind(st) : LS_EV_MARK, obj,
			   op && obj ? script_kind_name(st->kind) : st->text,
			   op ? run_obj_probe(st) : NULL, th))
		return RUN_NEXT_CANCELLED;
	atomic_store_explicit(&th->took,
			      atomic_fetch_add(&s->steps, 1) + 1,
			      memory_order_relaxed);
	run_step_frame(th, f.locals, f.temps);
	next = run_step_exec(&f, th->index, st, th->body->nsteps, &target);
	if (next == RUN_NEXT_GO)
		run_step_critical(th);
	return next;
}

void
run_step_check(struct run_state *s)
{
	const struct script_body *b = s->prog->check;
	struct scene_outcome out;
	struct frame f = { .s = s };
	unsigned pc = 0, target, n = 0;

	if (!b || scene_outcome_get(s->run, &out))
		return;
	/* No loops: every step moves forward, so this ends. */
	while (pc < b->nsteps && n++ <= b->nsteps) {
		if (run_step_exec(&f, s->prog->nthreads, &b->steps[pc],
				  b->nsteps, &target) != RUN_NEXT_GO)
			return;
		pc = target;
	}
}
