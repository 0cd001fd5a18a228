/*
 * testutil.h - what every test program of lockstep shares: sizes taken
 * from the environment (smaller under sanitizers), seeded timing noise,
 * bounded waits, counting the process's threads, ring and lane set-up, and
 * the helpers that need no test framework.  Check suites include
 * checkutil.h, which adds the asserting helpers and the runner.
 */
#ifndef LOCKSTEP_TESTUTIL_H
#define LOCKSTEP_TESTUTIL_H

#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "util/escape.h"
#include "util/num.h"

/* True in a sanitizer build, configured (LS_SANITIZER) or by hand. */
static inline bool
test_sanitized(void)
{
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	return true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
	return true;
#endif
#endif
	return strcmp(LS_SANITIZER, "none") != 0;
}

/*
 * A size for a test: the environment variable name if set, else def, or
 * def_san in a sanitizer build.  A malformed value is a hard error, so a
 * typo cannot silently shrink a test.
 */
static inline unsigned long
test_size(const char *name, unsigned long def, unsigned long def_san)
{
	const char *s = getenv(name);
	unsigned long long v;
	char shown[64];

	if (!s || !*s)
		return test_sanitized() ? def_san : def;
	if (num_parse_uint(s, 1, ULONG_MAX, &v)) {
		fprintf(stderr, "%s: bad value '%s' (want a positive integer)\n",
			name, escape_str(shown, sizeof(shown), s));
		exit(99);
	}
	return (unsigned long)v;
}

/* A seed: env variable name if set, in decimal as the suites print it
 * (malformed: exit 99), else clock^pid. */
static inline uint64_t
test_env_seed(const char *name)
{
	const char *s = getenv(name);
	unsigned long long v;
	char shown[64];

	if (!s || !*s)
		return ls_clock_ns() ^ ((uint64_t)getpid() << 32);
	if (num_parse_uint(s, 0, UINT64_MAX, &v)) {
		fprintf(stderr, "%s: bad value '%s' (want a decimal seed)\n",
			name, escape_str(shown, sizeof(shown), s));
		exit(99);
	}
	return v;
}

/* splitmix64 step of the stream in *s: any seed, even 0, mixes well. */
static inline uint64_t
test_rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Sleep ns, resuming after a signal. */
static inline void
test_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Seeded noise: yield 1 time in 8, sleep <= 20 us 1 time in 64. */
static inline void
test_jitter(uint64_t *rng)
{
	uint64_t r = test_rng_next(rng);

	if ((r & 7) == 0)
		sched_yield();
	else if ((r & 63) == 1)
		test_sleep_ns((r >> 8) % 20000);
}

/* Poll pred(arg) until it holds (true) or limit_ns passes (false). */
static inline bool
test_wait_until(bool (*pred)(void *), void *arg, uint64_t limit_ns)
{
	uint64_t end = ls_clock_ns() + limit_ns;

	while (!pred(arg)) {
		if (ls_clock_ns() > end)
			return false;
		test_sleep_ns(50000);
	}
	return true;
}

/* A test_wait_until predicate: the atomic_bool at p is set. */
static inline bool
test_flag_set(void *p)
{
	return atomic_load((atomic_bool *)p);
}

/* A test_wait_until predicate: the calling engine thread was cancelled. */
static inline bool
test_cancelled(void *unused)
{
	(void)unused;
	return ls_cancelled();
}

/* Drain what r has ready into ev (at most max); returns the count. */
static inline size_t
test_drain_all(struct ls_ring *r, struct ls_event *ev, size_t max)
{
	size_t n = 0, k;

	while (n < max && (k = ls_ring_drain(r, ev + n, max - n)) > 0)
		n += k;
	return n;
}

/* How many of ev[0..n) are of kind on obj. */
static inline size_t
test_count_kind(const struct ls_event *ev, size_t n, unsigned kind,
		uint32_t obj)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (ev[i].kind == kind && ev[i].obj == obj)
			c++;
	return c;
}

/* Bind a new lane of r to this thread, as the engine does; NULL if none. */
static inline struct ls_lane *
test_lane_bind(struct ls_ring *r, const char *name)
{
	struct ls_lane *lane;

	if (ls_ring_register(r, name, &lane))
		return NULL;
	ls_trace_lane = lane;
	return lane;
}

/* Undo test_lane_bind on the same thread. */
static inline void
test_lane_unbind(struct ls_lane *lane)
{
	ls_trace_lane = NULL;
	ls_ring_unregister(lane);
}


#endif
