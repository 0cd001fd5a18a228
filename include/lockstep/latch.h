/*
 * latch.h - an instrumented, cancellable countdown latch.
 *
 * A latch starts at a count; threads count it down, and at zero it opens
 * for good: every thread waiting for it goes on, and every later wait goes
 * through at once.  Counting down never blocks and needs no waiter, so a
 * latch is how one thread (or several) tells others "the work is done"
 * without a lost wake-up.  Counting down past zero is a bug in the caller,
 * reported, never a wrap-around.
 *
 * Waiters sleep in the kernel on their own parker, in FIFO order.  Every
 * operation passes a gate first (gate.h) and writes events: LATCH_WAIT,
 * LATCH_PASSED, LATCH_TIMEOUT, LATCH_DOWN, CANCELLED, ERROR (event.h),
 * each carrying the count left, emitted under the latch's own lock so the
 * counts the model sees change in the order they really did.  The gate of
 * a wait is probed: a controller knows before a step whether it will
 * block (the latch is not open yet), and on nobody in particular.
 */
#ifndef LOCKSTEP_LATCH_H
#define LOCKSTEP_LATCH_H

#include <stdint.h>

struct ls_ring;
struct ls_latch;

/*
 * Create a latch named name at count (0: open from the start), registered
 * in ring as an LS_OBJ_LATCH (ring NULL: unnamed, id 0).  Returns 0,
 * -ENOMEM, or a negative errno from pthreads.  Any thread.
 */
int ls_latch_create(struct ls_ring *ring, const char *name, unsigned count,
		    struct ls_latch **out);

/* Free l, which nobody may wait for.  NULL is ignored. */
void ls_latch_destroy(struct ls_latch *l);

/*
 * Count l down by n (>= 1); reaching zero opens it and releases every
 * waiter.  Returns 0; -EINVAL when n is 0; -ERANGE (and an ERROR event,
 * LS_ERR_LATCH_UNDERFLOW, aux the count left) when n exceeds the count
 * left, which is then unchanged.  Never blocks, and acts even when the
 * caller's group is cancelled (as an unlock does: a cancelled worker must
 * still say it is done, or whoever waits outside its group never goes on).
 * Any thread.
 */
int ls_latch_count_down(struct ls_latch *l, unsigned n);

/*
 * Wait until l is open (at once if it is).  Returns 0, or -ECANCELED (and
 * a CANCELLED event) if the caller's group is cancelled while it waits, or
 * from the gate, without acting, once it is.  Any thread.
 */
int ls_latch_wait(struct ls_latch *l);

/*
 * As ls_latch_wait, waiting at most timeout_ns (counted from after the
 * gate; 0: do not wait, but still queue and time out with events).
 * Returns 0, -ETIMEDOUT (and a LATCH_TIMEOUT event) or -ECANCELED.  An
 * opening that races the timeout wins: the caller then gets 0.  While the
 * caller's group is paused or stepped, the controller holds the timeout
 * (gate.h, ls_gate_view.timed).  Any thread.
 */
int ls_latch_timedwait(struct ls_latch *l, uint64_t timeout_ns);

/* The count left (a snapshot, for tests and views).  Any thread. */
unsigned ls_latch_count(const struct ls_latch *l);

/* Threads waiting for l (a snapshot).  Any thread. */
unsigned ls_latch_waiters(const struct ls_latch *l);

/* The object id of l in its ring (0 if none).  Any thread. */
uint32_t ls_latch_id(const struct ls_latch *l);

#endif
