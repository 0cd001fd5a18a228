/*
 * pool-worker.c - the pool's workers: their loop, and starting them.
 *
 * A worker is an engine thread of the pool's group.  Its loop is three
 * steps, each a function: take a task (waiting idle for one if the queue
 * is empty), run it, record what became of it; it leaves through one
 * door, when the pool stops or drains, when its keep-alive passes above
 * the minimum, or when its group is cancelled.
 *
 * Wake-ups are what a pool pays most for, so the pool avoids the useless
 * ones.  A submit wakes an idle worker only while the queue holds more
 * tasks than workers already woken; the most recently idle worker is woken
 * first (LIFO), so under light load the same worker stays warm and the
 * others can reach their keep-alive and retire.  A worker records a
 * finished task and takes the next one in the same critical section when
 * the gates are open (RUN mode), which halves the lock traffic; with
 * take_many it takes several at once from a deep queue
 * (pool_worker_take_size), which cuts it again.  Those it has not begun
 * came off the queue's head: a free worker claims them, one at a time and
 * in their order, before it takes from the queue.  With the gates in
 * pause or step mode it records, drops the lock and passes the "take
 * task" gate first.  The clock, the dearest call of the fast path, is
 * read only for tasks whose times are used (pool.c decides which).
 */
#include "config.h"

#include "pool-int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/thread.h"

_Thread_local struct ls_pool *pool_worker_current;

/* Why pool_worker_take_relock gives no task (else -ECANCELED). */
#define POOL_WORKER_LEAVE 1

/* What became of a taken task, for pool_worker_record_relock. */
struct pool_outcome {
	bool mine;		/* claimed by this worker, not another */
	bool ran;		/* false: dropped unrun */
	int status;		/* fn's result */
	uint64_t start, end;	/* when it ran (ticks), if the task is timed */
};

static uint32_t
us_of(uint64_t ns)
{
	uint64_t us = ns / 1000;

	return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* The ns from tick from to tick to; 0 when either was not taken (an
 * untimed task) or they are out of order. */
static uint64_t
ns_between(uint64_t from, uint64_t to)
{
	return from && to > from ? ls_clock_ticks_to_ns(to - from) : 0;
}

/* Are the group's gates open (RUN mode)?  Relaxed, as in ls_gate: a pause
 * is seen at a later gate at worst. */
static inline bool
pool_worker_gates_open(const struct ls_group *g)
{
	return atomic_load_explicit(&g->gate_mode, memory_order_relaxed) ==
	       LS_GATE_RUN;
}

unsigned
pool_worker_reserve_locked(struct ls_pool *p)
{
	p->workers++;
	p->starting++;
	p->spawn_req_ns = ls_clock_ns();
	return ++p->next_worker;
}

bool
pool_worker_wanted_locked(const struct ls_pool *p)
{
	return p->state == POOL_RUNNING && p->workers < p->max &&
	       runq_len(&p->rq) > p->idleq.len + p->waking + p->starting;
}

/* The worker is in its loop: count it started. */
static void
pool_worker_arrive_locked(struct ls_pool *p)
{
	uint64_t now = ls_clock_ns();

	p->starting--;
	p->spawned++;
	p->scale_up_ns = now - p->spawn_req_ns;
	p->scale_up_at = now;
	ls_emit(LS_EV_POOL_SCALE, p->obj, p->workers, p->idleq.len);
}

/* Wait idle until a submit or a stop grants this worker, the keep-alive
 * passes (only above min) or the group is cancelled.  Returns
 * waitq_sleep_locked's result. */
static int
pool_worker_idle_relock(struct ls_pool *p)
{
	struct waiter w = { .t = ls_thread_self(), .obj = p->obj };
	uint64_t deadline = 0;
	int rc;

	/* Saturated like every deadline: a keep-alive too long to add to
	 * the clock (LS_POOL_FOREVER and its neighbours) is no deadline,
	 * where a plain sum would wrap into the past and retire the worker
	 * at once. */
	if (p->workers > p->min)
		deadline = pool_deadline(p->keep_alive_ns);
	w.since_ns = ls_clock_ns();
	waitq_push(&p->idleq, &w);
	if (pool_intake_idle_check_locked(p)) {
		/* A task came in by the intake: not idle after all. */
		waitq_remove(&p->idleq, &w);
		pool_idle_changed_locked(p);
		return 0;
	}
	ls_thread_set_state(LS_STATE_IDLE);
	rc = waitq_sleep_locked(&p->idleq, &w, &p->mu, deadline);
	pool_idle_changed_locked(p);
	if (!rc)
		p->waking--;
	ls_thread_set_state(LS_STATE_RUNNING);
	return rc;
}

/* Claim the next task of tk: its index, or tk->n when none is left.  No
 * lock: the claim is the fetch-add (the tasks themselves were written under
 * mu, before tk was listed). */
static unsigned
pool_take_claim(struct pool_take *tk)
{
	unsigned k = atomic_fetch_add_explicit(&tk->next, 1,
					       memory_order_relaxed);

	return k < tk->n ? k : tk->n;
}

static void
pool_take_list_locked(struct ls_pool *p, struct pool_take *tk)
{
	tk->prev = NULL;
	tk->later = p->takes;
	if (p->takes)
		p->takes->prev = tk;
	p->takes = tk;
	tk->listed = true;
}

static void
pool_take_unlist_locked(struct ls_pool *p, struct pool_take *tk)
{
	if (!tk->listed)
		return;
	if (tk->prev)
		tk->prev->later = tk->later;
	else
		p->takes = tk->later;
	if (tk->later)
		tk->later->prev = tk->prev;
	tk->listed = false;
}

/* Is a task taken by a worker still unclaimed?  mu held. */
static bool
pool_takes_left_locked(const struct ls_pool *p)
{
	const struct pool_take *tk;

	for (tk = p->takes; tk; tk = tk->later)
		if (atomic_load_explicit(&tk->next, memory_order_relaxed) <
		    tk->n)
			return true;
	return false;
}

bool
pool_take_claim_any_locked(struct ls_pool *p, struct pool_task *t)
{
	struct pool_take *tk, *later;
	unsigned k;

	for (tk = p->takes; tk; tk = later) {
		later = tk->later;
		k = pool_take_claim(tk);
		if (k < tk->n) {
			*t = tk->t[k];
			return true;
		}
		pool_take_unlist_locked(p, tk);
	}
	return false;
}

/* Claim into mine a task that another worker took with others and has
 * not begun.  mu held.  Returns whether there was one. */
static bool
pool_take_steal_locked(struct ls_pool *p, struct pool_take *mine)
{
	if (!p->takes || !pool_take_claim_any_locked(p, &mine->t[0]))
		return false;
	mine->n = 1;
	atomic_store_explicit(&mine->next, 1, memory_order_relaxed);
	return true;
}

/*
 * The gate probe of "take task": will the worker go on without waiting?
 * It does when there is a task to take, or when the pool stops or its
 * group is cancelled (it leaves).  With the queue empty it waits idle for
 * a submit, from nobody in particular, so no holder.
 */
static bool
pool_worker_take_ready(const void *prim, unsigned kind, unsigned *holder)
{
	struct ls_pool *p = (struct ls_pool *)prim;
	bool ready;

	(void)kind;
	(void)holder;
	engine_lock(&p->mu);
	ready = runq_len(&p->rq) || pool_intake_ready_locked(p) ||
		pool_takes_left_locked(p) ||
		p->state != POOL_RUNNING || ls_group_cancelled(p->group);
	engine_unlock(&p->mu);
	return ready;
}

static const struct ls_gate_probe pool_worker_take_probe = {
	.ready = pool_worker_take_ready,
};

/*
 * How many tasks a worker takes at once from a queue len long: one,
 * unless the pool was made with take_many and the queue is deep enough
 * that every worker has POOL_TAKE_DEPTH times its share still to take;
 * then up to POOL_TAKE_MAX.  A task taken with others waits behind them
 * only while no worker is free (a free one claims it: struct pool_take).
 * Never several with the gates shut (pause, step, a search), whose gate
 * is per task.
 */
static unsigned
pool_worker_take_size(const struct ls_pool *p, unsigned len)
{
	unsigned share = len / (POOL_TAKE_DEPTH * (p->workers ? p->workers : 1));

	if (!p->take_many || share < 1)
		return 1;
	return share > POOL_TAKE_MAX ? POOL_TAKE_MAX : share;
}

/*
 * Take the next tasks into tk: one that another worker took and has not
 * begun (already counted busy), if any; else from the queue (one, or
 * several: pool_worker_take_size), counted busy there, and listed for
 * others to claim when several.  With the gates open the
 * tasks just recorded and these are one critical section; else mu is
 * dropped while the worker passes the "take task" gate, as every gate is
 * passed, and again after an idle wait.  Returns 0 with tasks, or why the
 * worker must leave (POOL_WORKER_LEAVE, -ECANCELED) with mu still held
 * since that decision, so that a worker retiring at its keep-alive cannot
 * take the pool below its minimum.
 */
static int
pool_worker_take_relock(struct ls_pool *p, struct pool_take *tk)
{
	unsigned k, want;
	struct ls_group *g = p->group;
	int rc;

	for (;;) {
		want = 1;
		if (!pool_worker_gates_open(g)) {
			engine_unlock(&p->mu);
			rc = ls_gate_probed(LS_EV_POOL_DEPTH, p->obj,
					    "take task",
					    &pool_worker_take_probe, p);
			engine_lock(&p->mu);
			if (rc)
				return -ECANCELED;
		}
		if (p->state == POOL_STOPPED)
			return POOL_WORKER_LEAVE;
		if (ls_group_cancelled(g))
			return -ECANCELED;
		/* A task another worker took and has not begun came off the
		 * queue's head: it goes before anything still queued. */
		if (pool_take_steal_locked(p, tk))
			return 0;
		pool_intake_drain_locked(p);
		if (runq_len(&p->rq)) {
			if (pool_worker_gates_open(g))
				want = pool_worker_take_size(p,
							     runq_len(&p->rq));
			break;
		}
		/* A draining pool's worker stays while a submit it must run
		 * may still settle in the intake (pool-intake.c). */
		if (p->state == POOL_DRAINING && !pool_intake_pending(p))
			return POOL_WORKER_LEAVE;
		rc = pool_worker_idle_relock(p);
		if (rc == -ECANCELED)
			return rc;
		if (rc == -ETIMEDOUT && !runq_len(&p->rq) &&
		    !pool_takes_left_locked(p) &&
		    p->workers > p->min && p->state == POOL_RUNNING)
			return POOL_WORKER_LEAVE;
	}
	for (k = 0; k < want; k++)
		pool_take_locked(p, &tk->t[k]);
	tk->n = want;
	atomic_store_explicit(&tk->next, 1, memory_order_relaxed);
	if (want > 1)
		pool_take_list_locked(p, tk);
	p->busy += want;
	/* A batch moves the depth by want at once: say each, since the
	 * every-eighth rule could step over its multiples for good. */
	if (want > 1)
		ls_emit(LS_EV_POOL_DEPTH, p->obj, pool_depth_locked(p),
			p->capacity);
	else
		pool_emit_depth_locked(p);
	pool_admit_locked(p);
	return 0;
}

/*
 * A task's start or end: one clock read that stamps its event too.  With
 * a lane, the lane is marked busy and the stamp read (ls_lane_begin), and
 * pool_worker_emit must follow at once; without one, the ticks when timed,
 * else 0 and no read.
 */
static uint64_t
pool_worker_stamp(bool timed)
{
	struct ls_lane *lane = ls_trace_lane;

	if (lane)
		return ls_lane_begin(lane);
	return timed ? ls_clock_ticks() : 0;
}

/* Emit the event pool_worker_stamp read stamp for; with hold, the lane
 * stays busy for the next task's START at the same stamp
 * (ls_lane_commit_hold). */
static void
pool_worker_emit(uint64_t stamp, unsigned kind, uint32_t obj, uint64_t id,
		 uint32_t aux, bool hold)
{
	struct ls_lane *lane = ls_trace_lane;

	if (!lane)
		return;
	if (hold)
		ls_lane_commit_hold(lane, stamp, kind, obj, id, aux);
	else
		ls_lane_commit(lane, stamp, kind, obj, id, aux);
}

/* Is the lane still busy after an END emitted with hold?  Let it go. */
static void
pool_worker_unhold(void)
{
	struct ls_lane *lane = ls_trace_lane;

	if (lane)
		ls_lane_release(lane);
}

/* Does t have a callback for status?  Its END is then followed by the
 * owner's code, which may emit or block, so it lends nothing. */
static bool
pool_task_tells(const struct pool_task *t, int status)
{
	return !t->batch && (status ? t->on_error != NULL : t->on_done != NULL);
}

/*
 * May t start at the stamp end of the task before it, which returned with
 * its lane held?  When its gate lets it through at once and its map has
 * not given up: nothing then comes between the two but a claim.  A timed
 * task needs a stamp that was read.  No lock and no wait here: the lane
 * is busy.
 */
static bool
pool_worker_lends(const struct pool_task *t, uint64_t end)
{
	return gate_open_now() && !(t->batch && pool_map_abandoned(t->batch)) &&
	       (end || !t->timed);
}

/*
 * Pass the "run task" gate and run t, without mu, or with lent (the END
 * stamp of the task before it, pool_worker_lends) start t at once at that
 * stamp: one clock read for an END and the next START.  A task is not run
 * when the group is cancelled at the gate (the next take leaves) or when
 * its map gave up; *out says which.  With may_hold, and no callback to
 * run after it (so none runs here), t's END stamp may go to the next
 * START (its lane, if it has one, left held); returns whether it may.
 */
static bool
pool_worker_run(struct ls_pool *p, const struct pool_task *t,
		struct pool_outcome *out, const uint64_t *lent, bool may_hold)
{
	bool hold;

	*out = (struct pool_outcome){ .ran = false, .mine = true };
	if (lent) {
		out->start = *lent;
	} else {
		if (ls_gate(LS_EV_TASK_START, p->obj, "run task"))
			return false;
		if (t->batch && pool_map_abandoned(t->batch))
			return false;
		out->start = pool_worker_stamp(t->timed);
	}
	out->ran = true;
	pool_worker_emit(out->start, LS_EV_TASK_START, p->obj, t->id,
			 us_of(ns_between(t->queued_tk, out->start)), false);
	if (t->batch)
		out->status = pool_map_call(t->batch, t->index);
	else
		out->status = t->fn(t->arg);
	hold = may_hold && !pool_task_tells(t, out->status);
	out->end = pool_worker_stamp(t->timed);
	if (out->status) {
		pool_worker_emit(out->end, LS_EV_TASK_FAIL, p->obj, t->id,
				 (uint32_t)(out->status < 0
						    ? -(int64_t)out->status
						    : out->status),
				 hold);
		if (!t->batch && t->on_error)
			t->on_error(t->arg, out->status);
	} else {
		pool_worker_emit(out->end, LS_EV_TASK_END, p->obj, t->id,
				 us_of(ns_between(out->start, out->end)),
				 hold);
		if (!t->batch && t->on_done)
			t->on_done(t->arg);
	}
	return hold;
}

/* Run the tasks of tk that this worker claims, without mu: the first,
 * then each that no free worker claimed first, each started at the END
 * stamp of the one before when it can be (pool_worker_lends). */
static void
pool_worker_run_take(struct ls_pool *p, struct pool_take *tk,
		     struct pool_outcome *out)
{
	bool more = tk->n > 1, held;
	unsigned k, prev;

	for (k = 0; k < tk->n; k++)
		out[k].mine = false;
	held = pool_worker_run(p, &tk->t[0], &out[0], NULL, more);
	prev = 0;
	while (more && (k = pool_take_claim(tk)) < tk->n) {
		const uint64_t *lent = NULL;

		if (held && pool_worker_lends(&tk->t[k], out[prev].end))
			lent = &out[prev].end;
		else if (held)
			pool_worker_unhold();
		held = pool_worker_run(p, &tk->t[k], &out[k], lent, more);
		prev = k;
	}
	if (held)
		pool_worker_unhold();
}

/*
 * Record what became of t: counters and histograms for a task that ran,
 * a drop for one that did not, and its map batch; then the worker is no
 * longer busy.  mu is dropped only to tell a dropped task's owner or to
 * release a batch whose last reference this was: the worker stays busy
 * until then, so that a quiet pool (ls_pool_wait_idle) means every
 * callback and release has run.
 */
static void
pool_worker_record_relock(struct ls_pool *p, const struct pool_task *t,
			  const struct pool_outcome *out)
{
	struct map_batch *gone;
	bool tell = !out->ran && !t->batch && t->on_error;

	if (!out->ran) {
		gone = pool_drop_locked(p, t);
	} else {
		if (out->status)
			p->failed++;
		else
			p->completed++;
		if (t->timed) {
			p->timed++;
			hist_add(&p->wait_hist,
				 ns_between(t->queued_tk, out->start));
			hist_add(&p->run_hist, ns_between(out->start, out->end));
		}
		gone = t->batch ? pool_map_done_locked(p, t->batch, t->index,
						       out->status)
				: NULL;
	}
	if (gone || tell) {
		engine_unlock(&p->mu);
		if (tell)
			pool_tell_dropped(t);
		pool_map_put(gone);
		engine_lock(&p->mu);
	}
	p->busy--;
	pool_check_quiet_locked(p);
}

/* The worker leaves for why (pool_worker_take_relock's result).  mu is
 * dropped only to drop the queue after a cancel; the worker is counted
 * until its last critical section, which is what destroy waits for. */
static void
pool_worker_leave_relock(struct ls_pool *p, int why)
{
	if (why == -ECANCELED) {
		/* Whoever notices first stops the pool; any worker still
		 * here helps drop what is left. */
		pool_cancel_locked(p);
		pool_drop_all_relock(p);
	}
	p->workers--;
	p->retired++;
	ls_emit(LS_EV_POOL_SCALE, p->obj, p->workers, p->idleq.len);
	if (!p->workers)
		pool_check_gone_locked(p);
}

static void
pool_worker_main(void *arg)
{
	struct ls_pool *p = arg;
	struct ls_group *g = p->group;
	struct pool_outcome out[POOL_TAKE_MAX];
	struct pool_task t[POOL_TAKE_MAX];
	struct pool_take tk = { .t = t };
	unsigned k;
	int why;

	pool_worker_current = p;
	engine_lock(&p->mu);
	pool_worker_arrive_locked(p);
	while (!(why = pool_worker_take_relock(p, &tk))) {
		engine_unlock(&p->mu);
		pool_worker_run_take(p, &tk, out);
		engine_lock(&p->mu);
		/* Every task is claimed: off the list before t is reused. */
		pool_take_unlist_locked(p, &tk);
		for (k = 0; k < tk.n; k++)
			if (out[k].mine)
				pool_worker_record_relock(p, &t[k], &out[k]);
	}
	pool_worker_leave_relock(p, why);
	engine_unlock(&p->mu);
	/* p may be freed from here on; the group outlives its threads. */
	pool_worker_current = NULL;
	ls_group_reap(g);
}

int
pool_worker_start(struct ls_pool *p, unsigned num)
{
	char name[LS_NAME_MAX + 1];
	int err;

	/* Join the workers that retired since, so the group stays small. */
	ls_group_reap(p->group);
	/* Room for the number: keep at most 20 characters of the name. */
	snprintf(name, sizeof(name), "%.20s.%u", p->name, num);
	err = ls_thread_spawn(p->group, name, pool_worker_main, p);
	if (!err)
		return 0;
	engine_lock(&p->mu);
	p->workers--;
	p->starting--;
	if (err == -ECANCELED) {
		pool_cancel_locked(p);
		pool_stopping_moved_relock(p);
	}
	pool_check_gone_locked(p);
	engine_unlock(&p->mu);
	return err;
}
