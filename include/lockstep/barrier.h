/*
 * barrier.h - an instrumented, cancellable, reusable barrier.
 *
 * A barrier of N parties holds every thread that arrives until the N-th
 * arrives; that last arrival releases them all and goes on without
 * waiting, and the barrier is at once ready for the next round (a new
 * generation), as pthread_barrier_wait.  A thread that comes round again
 * before the others have left waits in the new generation: it can never
 * pass twice on one round.  Exactly one caller per generation, the last
 * arrival, gets LS_BARRIER_SERIAL, for work to be done once per round.
 *
 * Waiters sleep in the kernel on their own parker.  A waiter whose group
 * is cancelled leaves with -ECANCELED and no longer counts as arrived, so
 * nothing is lost: a round opens only when N threads that will really go
 * on have arrived.  Every wait passes a gate first (gate.h), probed: a
 * controller knows before a step whether the thread will wait (it is not
 * the N-th) on nobody in particular.  Events: BAR_WAIT, BAR_RELEASE,
 * BAR_PASSED, CANCELLED (event.h), emitted under the barrier's lock.
 *
 * There is no timed wait (nor is there one in pthreads): a party that gave
 * up would leave the others waiting for a round that can never fill.
 */
#ifndef LOCKSTEP_BARRIER_H
#define LOCKSTEP_BARRIER_H

#include <stdint.h>

struct ls_ring;
struct ls_barrier;

/* What ls_barrier_wait returns to the one caller per generation that
 * released it (as PTHREAD_BARRIER_SERIAL_THREAD, but positive). */
#define LS_BARRIER_SERIAL 1

/*
 * Create a barrier of parties (>= 1) named name, registered in ring as an
 * LS_OBJ_BARRIER (ring NULL: unnamed, id 0).  Returns 0, -EINVAL when
 * parties is 0, -ENOMEM, or a negative errno from pthreads.  Any thread.
 */
int ls_barrier_create(struct ls_ring *ring, const char *name,
		      unsigned parties, struct ls_barrier **out);

/* Free b, which nobody may wait at.  NULL is ignored. */
void ls_barrier_destroy(struct ls_barrier *b);

/*
 * Arrive at b and wait until parties threads have arrived in this
 * generation.  Returns LS_BARRIER_SERIAL to the last arrival (which does
 * not wait), 0 to the others once released, or -ECANCELED (and a CANCELLED
 * event) if the caller's group is cancelled while it waits, or from the
 * gate, without arriving, once it is.  Any thread.
 */
int ls_barrier_wait(struct ls_barrier *b);

/* The number of parties b was created with.  Any thread. */
unsigned ls_barrier_parties(const struct ls_barrier *b);

/* Threads waiting at b now (a snapshot, cancelled ones on their way out
 * included).  Any thread. */
unsigned ls_barrier_waiters(const struct ls_barrier *b);

/* Generations released so far (a snapshot).  Any thread. */
uint64_t ls_barrier_generation(const struct ls_barrier *b);

/* The object id of b in its ring (0 if none).  Any thread. */
uint32_t ls_barrier_id(const struct ls_barrier *b);

#endif
