/*
 * pool-intake.c - submits that do not take the pool's lock.
 *
 * With short tasks the pool's one mutex is the pool's cost: the submitter
 * takes it for every task and every worker for every take, and perf put
 * 40% of a no-op run's cycles in its lock and unlock and some 500,000
 * futex calls in 3M tasks - the submitter queued behind workers that
 * queued behind it.  So a pool made for throughput (take_many, a fixed
 * number of workers, no aging: pool_intake_create) has an intake, a
 * bounded ring that submitters fill without mu and that whoever holds mu
 * empties into the run queue: a worker before every take, a locked submit
 * before its own task (so one thread's tasks keep their order), a stop
 * before it drops or drains the queue.
 *
 * The ring is a bounded queue of positions with a sequence number per
 * slot: a producer reserves position pos by a CAS of tail while slot pos
 * says it is free (seq == pos), writes the task and publishes it (seq =
 * pos + 1, release); the consumer, mu held, takes slot head once it is
 * published and frees it for the next lap (seq = head + size).
 *
 * Room: the intake's slots are carved out of the pool's capacity (the run
 * queue holds rq_cap = capacity - size), so the tasks queued in both never
 * number more than capacity, and a submit that finds both full waits or is
 * refused as before.  A submit that finds room in the intake does not wait
 * behind a submitter blocked on a full run queue.
 *
 * Two races, each closed by a seq_cst fence on both sides (a store, the
 * fence, then a load: of two threads doing so, one sees the other's
 * store):
 *   - A worker going idle against a producer publishing.  The worker
 *     counts itself idle (idle), then looks at the slot at head; the
 *     producer publishes, then reads idle, and if anybody idles, it takes
 *     mu and wakes one.
 *   - A stop against a producer.  The stopper closes the intake (open),
 *     then empties it; the producer publishes, then reads open, and if it
 *     is closed it settles under mu (intake_settle_relock): a task nobody
 *     took yet is taken back (a tombstone the consumer skips) and the
 *     submit refused, as any submit to a stopped pool is; one already
 *     taken belongs to the pool, which runs or drops it like any other.
 *     What a stopped pool's drain moves into the run queue is dropped by
 *     the same thread (pool_stopping_moved_relock), counted in settling
 *     while it tells the owners, so that no shutdown returns before they
 *     were told; nobody else drains a stopped pool (a flush gives up).
 * A slot reserved and not yet published holds back the ones after it,
 * and whoever must see what lies behind it waits for its producer to
 * settle (the intake is closed while anybody does, so that it settles),
 * and is woken by it:
 *   - a draining pool's workers, which do not leave while a position is
 *     reserved;
 *   - ls_pool_shutdown and destroy, which do not return before every
 *     task accepted by the intake was run or told it was dropped;
 *   - a locked submit (the intake full or closed, a map item), which must
 *     not pass an earlier task of its own thread into the run queue:
 *     tasks go into the run queue directly only when the intake is empty
 *     (pool_intake_flush_relock); the room the run queue has goes to the
 *     intake's tasks before a waiting submitter is let in
 *     (pool_admit_locked); and a task the run queue has no room for goes
 *     into the intake, behind the others.
 * The window is a producer's few instructions between its reservation and
 * its publication, unless it is preempted there.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "engine-valgrind.h"
#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "pool-int.h"

#ifdef LS_ENGINE_TEST_HOOK
/* Tests only (check_pool_intake), so that a test can put a stop in a
 * submit's window every time instead of hoping a race does: the first is
 * called between a submit's reservation and its publication, the second
 * (mu held) when a stopping pool closes the intake, the third (mu held)
 * when a shutdown is about to wait for the pool to be gone. */
void (*pool_intake_test_hook)(void);
void (*pool_intake_stop_hook)(void);
void (*pool_intake_exit_hook)(void);
#define INTAKE_TEST_HOOK(hook)                                               \
	do {                                                                 \
		if (hook)                                                    \
			hook();                                              \
	} while (0)
#else
#define INTAKE_TEST_HOOK(hook) ((void)0)
#endif

/* The largest intake, and the share of the capacity it may take. */
#define INTAKE_MAX 256u
#define INTAKE_SHARE 4u

int
pool_intake_create(struct ls_pool *p, const struct ls_pool_config *cfg)
{
	struct pool_intake *in;
	unsigned size = 0, i;

	in = aligned_alloc(64, sizeof(*in));
	if (!in)
		return -ENOMEM;
	memset(in, 0, sizeof(*in));
	atomic_init(&in->tail, 0);
	atomic_init(&in->ids, 0);
	atomic_init(&in->open, false);
	atomic_init(&in->idle, 0);
	/* Atomics read outside mu: helgrind sees only locks (see
	 * engine-valgrind.h). */
	VALGRIND_HG_DISABLE_CHECKING(&in->tail, sizeof(in->tail));
	VALGRIND_HG_DISABLE_CHECKING(&in->ids, sizeof(in->ids));
	VALGRIND_HG_DISABLE_CHECKING(&in->open, sizeof(in->open));
	VALGRIND_HG_DISABLE_CHECKING(&in->idle, sizeof(in->idle));
	p->in = in;
	p->rq_cap = cfg->capacity;
	/* Only where no locked decision is needed per submit: no scale-up
	 * or retiring (min == max), no aging key, take_many's throughput. */
	if (!cfg->take_many || cfg->min_workers != cfg->max_workers ||
	    cfg->aging_ns)
		return 0;
	while (size * 2 <= cfg->capacity / INTAKE_SHARE &&
	       size * 2 <= INTAKE_MAX)
		size = size ? size * 2 : 1;
	if (size < 8)
		return 0;
	in->slots = aligned_alloc(64, size * sizeof(*in->slots));
	if (!in->slots)
		return -ENOMEM;
	memset(in->slots, 0, size * sizeof(*in->slots));
	for (i = 0; i < size; i++) {
		atomic_init(&in->slots[i].seq, i);
		VALGRIND_HG_DISABLE_CHECKING(&in->slots[i].seq,
					     sizeof(in->slots[i].seq));
	}
	in->mask = size - 1;
	p->rq_cap = cfg->capacity - size;
	return 0;
}

void
pool_intake_free(struct ls_pool *p)
{
	if (p->in)
		free(p->in->slots);
	free(p->in);
}

uint64_t
pool_next_id(struct ls_pool *p)
{
	return atomic_fetch_add_explicit(&p->in->ids, 1,
					 memory_order_relaxed) + 1;
}

void
pool_intake_exit_wait_locked(void)
{
	INTAKE_TEST_HOOK(pool_intake_exit_hook);
}

void
pool_intake_update_locked(struct ls_pool *p)
{
	/* Closed while submitters wait for room, so that a submit does not
	 * pass them by the intake for as long as it finds room there. */
	bool open = p->in->slots && p->state == POOL_RUNNING &&
		    !p->submitq.len && !p->flushq.len;

	atomic_store_explicit(&p->in->open, open, memory_order_relaxed);
	/* Pairs with the producer's fence after it publishes (top). */
	atomic_thread_fence(memory_order_seq_cst);
	if (p->state != POOL_RUNNING)
		INTAKE_TEST_HOOK(pool_intake_stop_hook);
}

void
pool_idle_changed_locked(struct ls_pool *p)
{
	atomic_store_explicit(&p->in->idle, p->idleq.len,
			      memory_order_relaxed);
}

bool
pool_intake_ready_locked(const struct ls_pool *p)
{
	const struct pool_intake *in = p->in;

	return in->slots &&
	       atomic_load_explicit(&in->slots[in->head & in->mask].seq,
				    memory_order_acquire) == in->head + 1;
}

/* Has the run queue room for the intake's next task? */
static bool
intake_room_locked(const struct ls_pool *p)
{
	return runq_len(&p->rq) + p->reserved < p->rq_cap;
}

bool
pool_intake_idle_check_locked(struct ls_pool *p)
{
	pool_idle_changed_locked(p);
	if (!p->in->slots)
		return false;
	/* Pairs with the producer's fence after it publishes (top).  A task
	 * the run queue has no room for is no reason to stay awake: the
	 * submitter the room is reserved for wakes a worker. */
	atomic_thread_fence(memory_order_seq_cst);
	return pool_intake_ready_locked(p) && intake_room_locked(p);
}

bool
pool_intake_pending(const struct ls_pool *p)
{
	return p->in->slots &&
	       atomic_load(&p->in->tail) != p->in->head;
}

bool
pool_intake_empty_locked(struct ls_pool *p)
{
	pool_intake_drain_locked(p);
	if (!pool_intake_pending(p))
		return true;
	/* What a producer published before a stop's or a waiter's fence is
	 * seen after a fence of ours (top). */
	atomic_thread_fence(memory_order_seq_cst);
	pool_intake_drain_locked(p);
	return !pool_intake_pending(p);
}

/* Is the intake held back, before position until, by a place reserved and
 * not yet published, with room in the run queue for what follows?  (After
 * a drain: a published task at head would have gone into that room,
 * unless it was published since, and then the next drain takes it.) */
static bool
intake_held_back_locked(const struct ls_pool *p, uint64_t until)
{
	return p->in->slots && p->in->head < until && intake_room_locked(p);
}

int
pool_intake_flush_relock(struct ls_pool *p, uint64_t deadline)
{
	struct waiter w = { .t = ls_thread_self(), .obj = p->obj };
	/* Only the places reserved before this submit came: those reserved
	 * since are other threads' and need not go first, and a stream of
	 * them would keep us waiting for ever. */
	uint64_t until = p->in->slots ? atomic_load(&p->in->tail) : 0;
	int rc = 0;

	pool_intake_drain_locked(p);
	while (intake_held_back_locked(p, until)) {
		/* Closed while we wait, so that the producer of the place at
		 * head settles under mu and wakes us (intake_settle_relock);
		 * or, if it published before it could see that, we see its
		 * task after the fence in the update. */
		w.granted = false;
		w.since_ns = ls_clock_ns();
		waitq_push(&p->flushq, &w);
		pool_intake_update_locked(p);
		if (pool_intake_ready_locked(p))
			waitq_remove(&p->flushq, &w);
		else
			rc = waitq_sleep_locked(&p->flushq, &w, &p->mu,
						deadline);
		pool_intake_update_locked(p);
		/* A pool that stopped meanwhile is not drained here: what a
		 * stopped pool's drain takes must be dropped, and the stop
		 * and the settling producers do that. */
		if (!rc)
			rc = pool_refusal_locked(p);
		if (rc)
			return rc;
		pool_intake_drain_locked(p);
	}
	return 0;
}

unsigned
pool_intake_len(const struct ls_pool *p)
{
	return p->in->slots ? (unsigned)(atomic_load_explicit(
						 &p->in->tail,
						 memory_order_relaxed) -
					 p->in->head)
			    : 0;
}

unsigned
pool_intake_drain_locked(struct ls_pool *p)
{
	struct pool_intake *in = p->in;
	unsigned n = 0;

	if (!in->slots)
		return 0;
	for (;;) {
		struct intake_slot *sl = &in->slots[in->head & in->mask];

		if (atomic_load_explicit(&sl->seq, memory_order_acquire) !=
		    in->head + 1)
			break;
		/* For helgrind, what the seq orders: the producer's writes
		 * of the slot before our reads, ours before its next lap. */
		ANNOTATE_HAPPENS_AFTER(sl);
		/* A task taken back needs no room: it is skipped. */
		if (sl->fn && !intake_room_locked(p))
			break;
		if (sl->fn) {
			struct pool_task t = {
				.fn = sl->fn, .arg = sl->arg,
				.on_done = sl->on_done, .on_error = sl->on_error,
				.id = sl->id, .queued_tk = sl->queued_tk,
				.priority = sl->priority, .timed = sl->timed,
			};

			pool_queue_locked(p, &t);
			n++;
		}
		/* Release: we are done with the slot before its next lap. */
		ANNOTATE_HAPPENS_BEFORE(sl);
		atomic_store_explicit(&sl->seq, in->head + in->mask + 1,
				      memory_order_release);
		in->head++;
	}
	return n;
}

/* Reserve the next position, or return false when the intake is full. */
static bool
intake_reserve(struct pool_intake *in, uint64_t *pos)
{
	uint64_t at = atomic_load_explicit(&in->tail, memory_order_relaxed);

	for (;;) {
		struct intake_slot *sl = &in->slots[at & in->mask];
		/* Acquire: the consumer's reads of the slot's last lap come
		 * before our writes. */
		int64_t d = (int64_t)(atomic_load_explicit(
					      &sl->seq, memory_order_acquire) -
				      at);

		if (d == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &in->tail, &at, at + 1,
				    memory_order_relaxed,
				    memory_order_relaxed)) {
				ANNOTATE_HAPPENS_AFTER(sl);
				*pos = at;
				return true;
			}
		} else if (d < 0) {
			return false;	/* a lap behind: full */
		} else {
			at = atomic_load_explicit(&in->tail,
						  memory_order_relaxed);
		}
	}
}

/*
 * The producer found the intake closed, or a worker idle, after it
 * published the task at pos: take the task back if the pool now refuses
 * submits and nobody took it yet, else leave it to the pool; then empty
 * the intake and wake whoever must look at it.  Returns the submit's
 * result.
 */
static int
intake_settle_relock(struct ls_pool *p, uint64_t pos, struct wake *wk)
{
	struct pool_intake *in = p->in;
	int rc = pool_refusal_locked(p);

	if (rc && pos >= in->head) {
		struct intake_slot *sl = &in->slots[pos & in->mask];

		/* Refused like any submit to a stopped pool, and told as
		 * one (TASK_REJECT, counted rejected: the caller has the
		 * error and no callback runs); the model, which saw its
		 * SUBMIT, takes it off the queue at the REJECT.  A cancelled
		 * group's is dropped, as its queued tasks are. */
		sl->fn = NULL;
		if (rc != -ECANCELED) {
			p->rejected++;
			ls_emit(LS_EV_TASK_REJECT, p->obj, sl->id,
				runq_len(&p->rq));
		} else {
			ls_emit(LS_EV_TASK_DROP, p->obj, sl->id, 0);
		}
	} else {
		rc = 0;
	}
	pool_intake_drain_locked(p);
	/* Whoever waited for this place to be published looks again. */
	while (p->flushq.head)
		waitq_grant(&p->flushq, p->flushq.head);
	if (p->state == POOL_RUNNING) {
		pool_admit_locked(p);
		pool_wake_idle_locked(p, wk);
	} else {
		pool_stopping_moved_relock(p);
	}
	pool_check_gone_locked(p);
	pool_check_quiet_locked(p);
	return rc;
}

/* Say t (its id set) is queued, and write it into the slot at pos
 * reserved for it, published. */
static void
intake_write(struct ls_pool *p, uint64_t pos, struct pool_task *t)
{
	struct intake_slot *sl = &p->in->slots[pos & p->in->mask];
	/* The SUBMIT's stamp is when the task was queued, as in
	 * pool_enqueue_locked, and comes before its publication, so before
	 * its START. */
	uint64_t tk = ls_emit_stamp(LS_EV_TASK_SUBMIT, p->obj, t->id,
				    (uint32_t)t->priority);

	if (t->timed)
		t->queued_tk = tk ? tk : ls_clock_ticks();
	sl->fn = t->fn;
	sl->arg = t->arg;
	sl->on_done = t->on_done;
	sl->on_error = t->on_error;
	sl->id = t->id;
	sl->queued_tk = t->queued_tk;
	sl->priority = t->priority;
	sl->timed = t->timed;
	ANNOTATE_HAPPENS_BEFORE(sl);
	atomic_store_explicit(&sl->seq, pos + 1, memory_order_release);
}

bool
pool_intake_put_locked(struct ls_pool *p, struct pool_task *t)
{
	uint64_t pos;

	/* Not open's test: the intake is closed while a flush waits, and
	 * a task put here with mu held is published before anyone looks. */
	if (!p->in->slots || p->state != POOL_RUNNING || p->submitq.len ||
	    t->batch || !intake_reserve(p->in, &pos))
		return false;
	intake_write(p, pos, t);
	return true;
}

bool
pool_intake_submit(struct ls_pool *p, struct pool_task *t, uint64_t *id,
		   int *rc)
{
	struct pool_intake *in = p->in;
	struct wake wk = { NULL };
	uint64_t pos;

	if (!atomic_load_explicit(&in->open, memory_order_relaxed) ||
	    t->batch || ls_group_cancelled(p->group) ||
	    !intake_reserve(in, &pos))
		return false;
	t->id = pool_next_id(p);
	if (id)
		*id = t->id;
	INTAKE_TEST_HOOK(pool_intake_test_hook);
	intake_write(p, pos, t);
	/* Pairs with the fences of a worker going idle and of a stop. */
	atomic_thread_fence(memory_order_seq_cst);
	*rc = 0;
	if (atomic_load_explicit(&in->open, memory_order_relaxed) &&
	    !atomic_load_explicit(&in->idle, memory_order_relaxed))
		return true;
	engine_lock(&p->mu);
	*rc = intake_settle_relock(p, pos, &wk);
	engine_unlock(&p->mu);
	thread_wake(&wk);
	return true;
}
