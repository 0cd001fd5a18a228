/*
 * clock.h - the one timestamp source of lockstep.
 *
 * Every event and every measured wait reads this clock, so durations and
 * cross-thread order are comparable.  CLOCK_MONOTONIC goes through the vDSO
 * on Linux: no system call, 20-40 ns on the machines we measured.
 */
#ifndef LOCKSTEP_CLOCK_H
#define LOCKSTEP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds since an arbitrary start.  Any thread. */
static inline uint64_t
ls_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The absolute CLOCK_MONOTONIC deadline that lies ns from now, for
 * pthread_cond_timedwait on a condvar set to CLOCK_MONOTONIC. */
static inline struct timespec
ls_clock_deadline(uint64_t ns)
{
	uint64_t at = ls_clock_ns() + ns;
	struct timespec ts = {
		.tv_sec = (time_t)(at / 1000000000u),
		.tv_nsec = (long)(at % 1000000000u),
	};
	return ts;
}

#endif
