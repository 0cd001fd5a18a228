/*
 * bench-ring.h - event-ring contenders and trials, shared by
 * `lockstep bench ring` and the peers benchmark in tests/bench/.
 */
#ifndef LOCKSTEP_CLI_BENCH_RING_H
#define LOCKSTEP_CLI_BENCH_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/bench.h"
#include "lockstep/event.h"

/* A ring under test.  capacity is events per producer. */
struct ring_impl {
	const char *name;
	void *(*create)(unsigned producers, uint32_t capacity);
	void (*destroy)(void *ring);
	void *(*open)(void *ring, unsigned idx);	/* in the producer */
	void (*close)(void *ring, void *producer);
	uint64_t (*emit_n)(void *producer, uint64_t n);
	/* Emit until *stop; returns attempts (delivered or dropped). */
	uint64_t (*emit_until)(void *producer, atomic_bool *stop);
	size_t (*drain)(void *ring, struct ls_event *out, size_t max);
	uint64_t (*drops)(void *ring);
};

extern const struct ring_impl ring_impl_lanes;
extern const struct ring_impl ring_impl_floor;
extern const struct ring_impl ring_impl_mutex;

struct emit_result {
	double warm_ns;		/* ns per emit, median of the warm bursts */
	double cold_ns;		/* ns per emit in the first burst */
};

struct overload_result {
	double delivered_per_s;
	double attempted_per_s;
	double consumer_cpu_ns;	/* consumer CPU time per delivered event */
	bool exact;		/* attempted == delivered + dropped */
};

/*
 * ns per emit with producers emitting at once, never full, on the clock
 * source selected now (clock.h): each producer keeps its lane for the
 * whole trial and emits bursts that fit, the consumer drains between
 * bursts.  The first burst (cold lanes and caches) is reported apart from
 * the median of the others.  Returns 0, or -ENOMEM.
 */
int ring_trial_emit(const struct ring_impl *impl, unsigned producers,
		    struct emit_result *res);

/* Producers and this thread as consumer flat out for seconds.  Returns 0
 * or -ENOMEM. */
int ring_trial_overload(const struct ring_impl *impl, unsigned producers,
			double seconds, struct overload_result *res);

/*
 * The consumer alone: producers fill their space at once (so their
 * stamps interleave) and stop; then the ring is drained, timed.  Returns
 * ns per event drained, or a negative value when out of memory.
 */
double ring_trial_consume(const struct ring_impl *impl, unsigned producers);

#endif
