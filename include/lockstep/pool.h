/*
 * pool.h - an instrumented thread pool with priorities, a bounded queue,
 * elastic workers and metrics.
 *
 * Workers are engine threads of the group the pool is created in (thread.h),
 * so a scene reset (ls_group_cancel) stops them and the gates (gate.h)
 * pause and step them like any other member.  Tasks wait in a run queue
 * ordered by (priority, submission order): lower priorities run sooner,
 * equal priorities run first in, first out.  With aging on, a task's
 * effective priority improves with the time it has waited, so a low
 * priority task cannot starve behind a stream of urgent ones.
 *
 * The queue holds at most `capacity` tasks: ls_pool_submit fails with
 * -EAGAIN when it is full, ls_pool_submit_timed waits for room.  The pool
 * starts min_workers, adds one (up to max_workers) whenever the queue is
 * deeper than the idle workers can take, and lets a worker above the
 * minimum retire after keep_alive_ns without work.  Idle workers sleep in
 * the kernel on their parker; nothing in the pool polls.  With take_many
 * (ls_pool_config), from a deep queue (at least eight tasks a worker) a
 * worker takes up to 16 at once, one lock for all, and runs them in order;
 * a free worker claims those it has not begun, in their order, before it
 * takes from the queue, so no task waits behind another while a worker is
 * free.  They count as busy (ls_pool_stats) from the take, not the queue.
 * A take_many pool of a fixed size (min_workers == max_workers) without
 * aging also takes submits without its lock, into an intake of up to 256
 * slots (a quarter of the capacity at most, taken from it); a submitter's
 * tasks keep their order, and the queue still holds at most capacity.
 *
 * Every accepted task gets exactly one of its callbacks: on_done when fn
 * returned 0, on_error with fn's non-zero result, or on_error with
 * -ECANCELED when the task is dropped without running (shutdown "now", a
 * cancelled group).  A rejected submit calls neither: the caller has the
 * error.
 *
 * Events (event.h; obj is the pool): TASK_SUBMIT, TASK_START, TASK_END,
 * TASK_FAIL, TASK_REJECT, TASK_DROP, POOL_SCALE, STATE (idle/running) from
 * workers, Q_PUSH_WAIT and CANCELLED from a submitter that waits for room,
 * and POOL_DEPTH: after every change while fewer than 16 tasks are queued,
 * at every multiple of 8 above, after a take of several, and after a
 * drop.  Gates: before a submit
 * ("submit task"), before a worker takes a task ("take task", kind
 * POOL_DEPTH) and before it runs it ("run task", kind TASK_START).  The
 * two that can be followed by a wait carry probes (gate.h): a blocking
 * submit will wait when the queue has no room for it (or a waiting
 * submitter comes first), a worker at "take task" will wait idle when the
 * queue is empty; neither waits for anyone in particular.
 */
#ifndef LOCKSTEP_POOL_H
#define LOCKSTEP_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ls_group;
struct ls_pool;

/* A task's work.  0 is success; anything else is a failure, handed to
 * on_error and counted (TASK_FAIL, aux its absolute value). */
typedef int (*ls_task_fn)(void *arg);

/* One item of ls_pool_map: fn(ctx, i) for i in [0, n). */
typedef int (*ls_map_fn)(void *ctx, size_t i);

struct ls_task {
	ls_task_fn fn;			/* required */
	void *arg;			/* handed to fn and the callbacks */
	int priority;			/* lower runs sooner */
	/* On the worker, after fn returned 0.  May be NULL. */
	void (*on_done)(void *arg);
	/* After fn returned err != 0 (on the worker), or with -ECANCELED
	 * when the task is dropped unrun (on the thread that drops it).
	 * May be NULL. */
	void (*on_error)(void *arg, int err);
};

struct ls_pool_config {
	const char *name;	/* object and worker names; may be NULL */
	unsigned min_workers;	/* kept while idle; may be 0 */
	unsigned max_workers;	/* >= 1 and >= min_workers */
	unsigned capacity;	/* queued tasks, 1..LS_POOL_MAX_CAPACITY */
	/* Idle time after which a worker above min retires; 0 for
	 * LS_POOL_DEFAULT_KEEP_ALIVE, LS_POOL_FOREVER (or any time too
	 * long to count) for never. */
	uint64_t keep_alive_ns;
	/* 0: no aging.  Else a task's priority improves by one for every
	 * aging_ns it waits; at most LS_POOL_MAX_AGING. */
	uint64_t aging_ns;
	bool fifo;		/* ignore priorities: a plain FIFO */
	/* Throughput over the picture: a worker may take several tasks at
	 * once from a deep queue, and a fixed-size pool takes submits
	 * without its lock (see the top).  Off, every take is one task, as
	 * a class watching a scene expects to see it: the queue shrinks by
	 * one and a worker starts it; the scenes leave it off. */
	bool take_many;
};

#define LS_POOL_MAX_CAPACITY (1u << 24)
#define LS_POOL_MAX_WORKERS 1024u
#define LS_POOL_DEFAULT_KEEP_ALIVE 1000000000ull	/* 1 s */
#define LS_POOL_MAX_AGING 1000000000ull		/* 1 s per step */
/* A timeout that never expires (ls_pool_submit_timed, ls_pool_map). */
#define LS_POOL_FOREVER UINT64_MAX

enum ls_pool_stop {
	LS_POOL_DRAIN = 0,	/* run every queued task, then stop */
	LS_POOL_NOW,		/* drop the queue, finish running tasks */
};

/* A consistent snapshot, taken under the pool's lock. */
struct ls_pool_stats {
	uint64_t submitted;	/* accepted into the queue */
	uint64_t completed;	/* ran, returned 0 */
	uint64_t failed;	/* ran, returned non-zero */
	uint64_t rejected;	/* refused: full, timed out, shut down */
	uint64_t dropped;	/* accepted, never ran */
	unsigned depth;		/* queued now */
	unsigned capacity;
	unsigned workers;	/* alive or starting */
	unsigned busy;		/* took a task, not yet finished */
	unsigned idle;		/* waiting for work */
	unsigned waiting;	/* submitters waiting for room (or for a
				 * submit ahead of them to finish queueing) */
	unsigned min_workers, max_workers;
	uint64_t spawned;	/* workers started, ever */
	uint64_t retired;	/* workers that left (keep-alive, stop) */
	uint64_t scale_up_ns;	/* last spawn: request to worker start */
	uint64_t scale_up_at;	/* ls_clock_ns() at that start */
	/* Finished tasks whose times were taken: every task when the pool's
	 * group has a ring (events on) or aging is on; else one in 8 per
	 * submitting thread, to keep the clock off the fast path. */
	uint64_t timed;
	/* Percentiles of the timed tasks, in ns; 0 when none yet.  From a
	 * log-scale histogram (8 buckets per power of two, so a value is
	 * within 6.25% of the truth). */
	uint64_t wait_p50, wait_p90, wait_p99;	/* queue wait */
	uint64_t run_p50, run_p90, run_p99;	/* run time */
};

/*
 * Create a pool whose workers run in g (and emit into g's ring) and start
 * its min_workers.  cfg is copied.  Returns 0, -EINVAL for a bad config,
 * -ENOMEM, or ls_thread_spawn's error (-ECANCELED, -EAGAIN).  Any thread
 * that is not a worker of the pool; the pool must be destroyed before g.
 */
int ls_pool_create(struct ls_group *g, const struct ls_pool_config *cfg,
		   struct ls_pool **out);

/*
 * Stop the pool if it is running (as LS_POOL_NOW), wait until every worker
 * has left, even when the caller is cancelled, and free it.  No other
 * thread may be in or enter a call on p.  Not from a worker of p, and not
 * while its workers are held at a gate.  NULL is ignored.
 */
void ls_pool_destroy(struct ls_pool *p);

/*
 * Queue *t (copied).  Returns 0 and the task id in *id (may be NULL);
 * -EAGAIN and a TASK_REJECT event when the queue is full or a submitter
 * that waits for room comes first (its task has the same or a better
 * priority); -ESHUTDOWN after ls_pool_shutdown;
 * -ECANCELED when the caller's or the pool's group was cancelled;
 * -EINVAL without t->fn; or a spawn error when the pool has no worker and
 * none could be started (the task was not queued).  Any thread.  It
 * never waits for room; in a pool with an intake it may wait, briefly, for
 * another submit that reserved a place there before it and has not yet
 * filled it (a few instructions, unless that thread was preempted there),
 * so as not to pass that task.  A submit that meets a stop may drop the
 * tasks behind such a place and call their on_error, as a shutdown does,
 * on the submitter's thread; that callback may shut the pool down, and
 * must not destroy it.
 */
int ls_pool_submit(struct ls_pool *p, const struct ls_task *t, uint64_t *id);

/*
 * As ls_pool_submit, but wait up to timeout_ns (LS_POOL_FOREVER: no limit)
 * for room when the queue is full.  Submitters waiting for room are let
 * in by their tasks' priority (with aging, as the tasks would run), first
 * come first served among equals, and in arrival order in fifo mode; so
 * an urgent task never waits behind a crowd of less urgent submitters.
 * A full queue lets them in when it has drained by an eighth of its
 * capacity (at least one slot), so a fast submitter is woken once per
 * batch rather than once per task.  Returns as ls_pool_submit, or
 * -ETIMEDOUT (and TASK_REJECT).  Cancellable: returns -ECANCELED when the
 * caller's group or the pool's group is cancelled.
 */
int ls_pool_submit_timed(struct ls_pool *p, const struct ls_task *t,
			 uint64_t timeout_ns, uint64_t *id);

/*
 * Run fn(ctx, i) for every i < n as tasks of priority and wait at most
 * timeout_ns in all (LS_POOL_FOREVER: no limit) for them.  status[i] gets
 * fn's result, or -ETIMEDOUT for an item that had not finished by the
 * deadline (queued items are then dropped and never run), or the submit
 * error of an item that could not be queued.  Returns 0 when every item
 * finished (whatever its status), -ETIMEDOUT when the deadline passed,
 * -ECANCELED when the caller's group was cancelled (unfinished items then
 * read -ETIMEDOUT too), -ENOMEM.
 *
 * Never hangs on a failed or late item.  Items still running when map
 * returns finish in the background; their results are discarded, and
 * they still use ctx, so release(ctx) (may be NULL) is called exactly
 * once, by whichever thread finishes last (possibly the caller, before
 * map returns), after the last fn(ctx, ...) has returned.  status is
 * written only by the caller, never after map returns.  Any thread;
 * from a worker of p it can only finish if other workers are free.
 */
int ls_pool_map(struct ls_pool *p, ls_map_fn fn, void *ctx,
		void (*release)(void *ctx), size_t n, int priority,
		uint64_t timeout_ns, int *status);

/*
 * Stop accepting tasks (submits return -ESHUTDOWN; waiting submitters are
 * refused) and wait until every worker has left.  LS_POOL_DRAIN runs the
 * queued tasks first; LS_POOL_NOW drops them (TASK_DROP, on_error with
 * -ECANCELED) and waits only for the running ones.  A second call may turn
 * a drain into a stop now.  *dropped (may be NULL) gets the number of
 * accepted tasks that never ran, over the pool's life, so that submitted
 * = completed + failed + dropped afterwards.  Returns 0, -ECANCELED when
 * the caller's group is cancelled while it waits (the pool still stops),
 * -EDEADLK from a worker of p.  Workers held at a gate (ls_gate_pause)
 * cannot leave: resume or cancel their group first.
 */
int ls_pool_shutdown(struct ls_pool *p, enum ls_pool_stop how,
		     uint64_t *dropped);

/*
 * Wait until the queue is empty and no worker holds a task, at most
 * timeout_ns (LS_POOL_FOREVER: no limit).  Returns 0, -ETIMEDOUT,
 * -ECANCELED (caller's group), -EDEADLK from a worker of p.
 */
int ls_pool_wait_idle(struct ls_pool *p, uint64_t timeout_ns);

/* Fill *s with a consistent snapshot of p's counters.  Any thread. */
void ls_pool_stats(struct ls_pool *p, struct ls_pool_stats *s);

/* The object id of p in its group's ring (0 if none). */
uint32_t ls_pool_id(const struct ls_pool *p);

#endif
