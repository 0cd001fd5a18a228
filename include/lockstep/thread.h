/*
 * thread.h - named engine threads in groups that can be cancelled as one.
 *
 * A scene runs its threads in one group.  The group carries the cancel
 * token that every blocking wait of every engine primitive watches, and the
 * gate controller (gate.h) that pauses and steps its threads.  Cancelling a
 * group wakes every member's wait with -ECANCELED; the members unwind,
 * release what they hold, return, and the group is joined.  That is how a
 * deadlocked scene is reset without killing a thread or leaking anything.
 *
 * A thread the engine did not start (main, a test's pthread) may still use
 * every primitive: it gets a record on first use, belongs to no group, is
 * never cancelled and never parked at a gate.
 */
#ifndef LOCKSTEP_THREAD_H
#define LOCKSTEP_THREAD_H

#include <stdbool.h>
#include <stdint.h>

struct ls_ring;
struct ls_group;
struct ls_thread;
struct ls_thread_cache;

typedef void (*ls_thread_fn)(void *arg);

/*
 * Create an empty group whose threads emit into ring (NULL: no events).
 * Returns 0, -ENOMEM or a pthread error as a negative errno.
 */
int ls_group_create(struct ls_ring *ring, const char *name,
		    struct ls_group **out);

/*
 * Free a group (NULL is ignored).  A group with live threads is cancelled
 * and joined first.  Not from a member; nobody may use g afterwards.
 */
void ls_group_destroy(struct ls_group *g);

/*
 * Start an engine thread named name in g running fn(arg).  The thread
 * starts with every signal blocked (the ui thread handles signals),
 * registers as a ring producer, and emits THREAD_START and THREAD_EXIT
 * around fn.  Returns 0, -ECANCELED when g is cancelled (no ring tid is
 * spent then), -EAGAIN when the ring has no free lane or the system no
 * thread, -ENOMEM, -EINVAL when fn is NULL.  Any thread, members included.
 */
int ls_thread_spawn(struct ls_group *g, const char *name, ls_thread_fn fn,
		    void *arg);

/*
 * Cancel g: set its token, put its gates in CANCELLED mode (gate.h), then
 * wake every member blocked in a primitive, parked at a gate or sleeping.
 * From now on every wait and every gate of a member returns -ECANCELED at
 * once; a waiter that was handed the resource before it woke still gets
 * it (and must release it).  Any thread; idempotent; final.
 */
void ls_group_cancel(struct ls_group *g);

/* Has g been cancelled?  Any thread. */
bool ls_group_cancelled(const struct ls_group *g);

/*
 * Join every thread spawned in g (also those spawned while this waits),
 * freeing their records.  Members stay visible to cancel, the gate
 * controller and ls_gate_list until they return, so a cancel or resume
 * from another thread reaches them meanwhile; a member parked at a gate
 * waits for that.  Safe together with ls_group_reap.  Not from a member.
 * Returns 0.
 */
int ls_group_join(struct ls_group *g);

/*
 * Join and free the members of g whose fn has returned, so that a group
 * whose threads come and go (a pool scaling up and down) stays small.
 * Any thread, members included.  Returns how many were reaped.
 */
int ls_group_reap(struct ls_group *g);

/* Threads spawned in g that have not yet returned from their fn. */
unsigned ls_group_live(const struct ls_group *g);

/* The ring g's threads emit into (may be NULL). */
struct ls_ring *ls_group_ring(const struct ls_group *g);

/* The calling thread's record (created on first use).  Never NULL; aborts
 * only when memory for a 200-byte record cannot be had. */
struct ls_thread *ls_thread_self(void);

/* The producer id of t in its group's ring, 0 when it has none. */
unsigned ls_thread_tid(const struct ls_thread *t);

/* Has the calling thread's group been cancelled?  Scene loops ask this
 * between operations.  False for threads outside any group. */
bool ls_cancelled(void);

/*
 * Sleep ns as simulated I/O (state SLEEPING), cut short by cancellation;
 * a sleeping member counts as at rest for ls_gate_settle.  No gate is
 * passed.  Returns 0, or -ECANCELED when the caller's group is cancelled
 * by the time it returns.  Any thread, about itself.
 */
int ls_thread_sleep(uint64_t ns);

/* As ls_thread_sleep, but showing state (enum ls_thread_state) while it
 * sleeps: LS_STATE_RUNNING for simulated computation that costs no CPU,
 * which is not rest: ls_gate_settle and ls_gate_step wait it out. */
int ls_thread_sleep_as(uint64_t ns, unsigned state);

/* Say what the calling thread is doing (enum ls_thread_state) with a
 * STATE event.  For scenes: RUNNING while computing, IDLE while waiting
 * for work that is not a lock. */
void ls_thread_set_state(unsigned state);

/*
 * A cache of OS threads that run engine threads one after another, for a
 * caller that starts the same few threads thousands of times (a search
 * restarting its target for every schedule): spawning takes an idle one
 * instead of creating a thread.  Its threads live until the cache is
 * destroyed, so it is opt-in, per group (ls_group_use_cache).
 * ls_thread_cache_create returns 0, -ENOMEM or a negative pthread error.
 */
int ls_thread_cache_create(struct ls_thread_cache **out);

/* Stop and join the cache's threads.  Every group that used it must have
 * been joined.  NULL is ignored. */
void ls_thread_cache_destroy(struct ls_thread_cache *c);

/* Run g's threads on the threads of c (before g's first spawn). */
void ls_group_use_cache(struct ls_group *g, struct ls_thread_cache *c);

/*
 * Run every engine thread that starts to run from now on below the
 * process's other threads (SCHED_IDLE on Linux, else nice 19), so that a
 * thread that draws keeps its frame rate while the engine runs flat out.
 * For the live ui, once, before it starts a target; one way (a thread
 * cannot raise its priority back unprivileged).  Any thread.
 */
void ls_thread_set_background(void);

/*
 * The floor under a step, for benchmarks: the calling thread and one it
 * starts hand a turn back and forth rounds times through the engine's
 * parker (spinning a while before parking when spin is set, as a step
 * does, else straight to the kernel), both on the caller's CPU when
 * one_cpu is set, and *ns_per_round gets the mean round trip.  Returns 0
 * or a negative errno.  Any thread outside a group.
 */
int ls_handoff_floor(unsigned long rounds, bool spin, bool one_cpu,
		     uint64_t *ns_per_round);

#endif
