/*
 * mutexutil.h - what the mutex's suites share (check_mutex*.c): waiting
 * for a number of queued waiters, and running a function on a plain
 * thread that has no engine record yet.
 *
 * Orders are forced without sleeps: a test waits, by bounded polling,
 * for ls_mutex_waiters to reach k before it starts the next waiter.
 * Threads the tests create never call ck_assert; they record what they
 * saw and the test asserts after joining them.
 */
#ifndef LOCKSTEP_TESTS_MUTEXUTIL_H
#define LOCKSTEP_TESTS_MUTEXUTIL_H

#include "checkutil.h"

#include <pthread.h>
#include <stdatomic.h>

#include "lockstep/mutex.h"

#define WAIT_LIMIT_NS (10ull * 1000000000u)
#define MAX_WAITERS 16
#define EV_MAX 8192

struct waiters_at {
	struct ls_mutex *m;
	unsigned n;
};

static inline bool
waiters_reached(void *p)
{
	struct waiters_at *w = p;

	return ls_mutex_waiters(w->m) >= w->n;
}

static inline void
wait_waiters(struct ls_mutex *m, unsigned n)
{
	struct waiters_at w = { m, n };

	ck_assert_msg(test_wait_until(waiters_reached, &w, WAIT_LIMIT_NS),
		      "never saw %u waiters (saw %u)", n, ls_mutex_waiters(m));
}

/* An atomic read as a plain value, for assertion messages. */
static inline int
ld(atomic_int *p)
{
	return atomic_load(p);
}

/* Run fn(arg) on a plain pthread (no group, no record yet) and join. */
struct on_thread {
	void (*fn)(void *);
	void *arg;
};

static inline void *
on_thread_main(void *p)
{
	struct on_thread *o = p;

	o->fn(o->arg);
	return NULL;
}

static inline void
run_on_thread(void (*fn)(void *), void *arg)
{
	struct on_thread o = { fn, arg };
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, on_thread_main, &o), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}

/* Basic semantics. */

#endif
