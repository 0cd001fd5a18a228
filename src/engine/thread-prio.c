/*
 * thread-prio.c - engine threads below the rest of the process.
 *
 * The live ui draws from one thread while the engine may run 64 threads
 * flat out on two cores; at the same priority the scheduler gives the ui
 * thread one share in 65, and frames and keys wait behind whole rounds of
 * engine time slices.  A process that draws sets the engine's threads to
 * the background once (ls_thread_set_background): each engine thread then
 * moves itself to SCHED_IDLE when it starts to run (thread_run), where
 * the kernel runs it only when no normal thread wants the CPU and preempts
 * it as soon as one wakes, and falls back to nice 19 where SCHED_IDLE is
 * refused.  The ui's own threads keep their priority.  Nothing is gained
 * back: an unprivileged thread may not raise itself again, so a cached
 * thread that went to the background stays there, and the switch is one
 * way for the process.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine-int.h"
#include "lockstep/thread.h"

/* Set once by ls_thread_set_background; relaxed, since a thread started
 * after the call is ordered after it by its creation. */
static _Atomic bool prio_background;

/* Whether this OS thread went to the background already. */
static _Thread_local bool prio_applied;

void
ls_thread_set_background(void)
{
	atomic_store_explicit(&prio_background, true, memory_order_relaxed);
}

bool
thread_prio_background(void)
{
	return atomic_load_explicit(&prio_background, memory_order_relaxed);
}

void
thread_prio_apply(void)
{
	struct sched_param sp = { .sched_priority = 0 };

	if (prio_applied ||
	    !atomic_load_explicit(&prio_background, memory_order_relaxed))
		return;
	prio_applied = true;
#ifdef SCHED_IDLE
	if (!pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp))
		return;
#endif
	/* Per thread on Linux: PRIO_PROCESS with a thread id.  Best
	 * effort: a thread that stays at the ui's priority only costs the
	 * ui frames, never correctness. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
}
