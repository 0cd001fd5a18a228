/*
 * bench-ring.c - `lockstep bench ring`: the event ring against the floor
 * and a mutex-guarded ring, in the same process, interleaved.
 *
 * Contenders (struct ring_impl, shared with tests/bench/bench_peers.c):
 *   lanes  - ours: a single-producer lane per thread (src/trace/ring.c)
 *   floor  - one clock read plus one atomic add per event, per thread:
 *            what any timestamped emit must cost at least
 *   mutex  - one ring of events guarded by one pthread mutex
 *
 * Figures:
 *   emit, 1 and P producers: each producer emits bursts that fit in its
 *   space (the consumer drains between bursts, so no emit finds the ring
 *   full) and the time per emit is taken inside each producer.
 *   overload, P producers and one consumer: everybody runs flat out for a
 *   trial; events delivered per second, and attempted == delivered + drops
 *   is checked exactly.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench-ring.h"
#include "lockstep/clock.h"
#include "lockstep/ring.h"

#define BURST_EVENTS (1u << 15)
#define BURST_ROUNDS 8
#define DRAIN_BATCH 1024

/* Ours. */

static void *
lanes_create(unsigned producers, uint32_t capacity)
{
	struct ls_ring_config cfg = {
		.lane_events = capacity,
		.max_lanes = producers,
	};
	struct ls_ring *r;

	return ls_ring_create(&cfg, &r) ? NULL : r;
}

static void
lanes_destroy(void *ring)
{
	ls_ring_destroy(ring);
}

static void *
lanes_open(void *ring, unsigned idx)
{
	struct ls_lane *lane;

	(void)idx;
	return ls_ring_register(ring, "bench", &lane) ? NULL : lane;
}

static void
lanes_close(void *ring, void *p)
{
	(void)ring;
	ls_ring_unregister(p);
}

static uint64_t
lanes_emit_n(void *p, uint64_t n)
{
	uint64_t i, ok = 0;

	for (i = 0; i < n; i++)
		ok += ls_lane_emit(p, LS_EV_MARK, 1, i, 0);
	return ok;
}

static uint64_t
lanes_emit_until(void *p, atomic_bool *stop)
{
	uint64_t i = 0;

	do {
		for (unsigned k = 0; k < 256; k++, i++)
			ls_lane_emit(p, LS_EV_MARK, 1, i, 0);
	} while (!atomic_load_explicit(stop, memory_order_relaxed));
	return i;
}

static size_t
lanes_drain(void *ring, struct ls_event *out, size_t max)
{
	return ls_ring_drain(ring, out, max);
}

static uint64_t
lanes_drops(void *ring)
{
	return ls_ring_dropped_total(ring);
}

const struct ring_impl ring_impl_lanes = {
	.name = "lanes",
	.create = lanes_create,
	.destroy = lanes_destroy,
	.open = lanes_open,
	.close = lanes_close,
	.emit_n = lanes_emit_n,
	.emit_until = lanes_emit_until,
	.drain = lanes_drain,
	.drops = lanes_drops,
};

/* The floor: a clock read and an atomic add on the producer's own line. */

struct floor_slot {
	_Alignas(64) _Atomic uint64_t count;
	uint64_t sink;
};

struct floor_ring {
	struct floor_slot slot[64];
	_Atomic unsigned next;
};

static void *
floor_create(unsigned producers, uint32_t capacity)
{
	(void)capacity;
	if (producers > 64)
		return NULL;
	return calloc(1, sizeof(struct floor_ring));
}

static void
floor_destroy(void *ring)
{
	free(ring);
}

static void *
floor_open(void *ring, unsigned idx)
{
	return &((struct floor_ring *)ring)->slot[idx];
}

static void
floor_close(void *ring, void *p)
{
	(void)ring;
	(void)p;
}

static inline void
floor_emit(struct floor_slot *s)
{
	uint64_t ts = ls_clock_ns();

	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	s->sink += ts;
}

static uint64_t
floor_emit_n(void *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		floor_emit(p);
	return n;
}

static uint64_t
floor_emit_until(void *p, atomic_bool *stop)
{
	uint64_t i = 0;

	do {
		for (unsigned k = 0; k < 256; k++, i++)
			floor_emit(p);
	} while (!atomic_load_explicit(stop, memory_order_relaxed));
	return i;
}

static size_t
floor_drain(void *ring, struct ls_event *out, size_t max)
{
	(void)ring;
	(void)out;
	(void)max;
	return 0;
}

static uint64_t
floor_drops(void *ring)
{
	(void)ring;
	return 0;
}

const struct ring_impl ring_impl_floor = {
	.name = "floor",
	.create = floor_create,
	.destroy = floor_destroy,
	.open = floor_open,
	.close = floor_close,
	.emit_n = floor_emit_n,
	.emit_until = floor_emit_until,
	.drain = floor_drain,
	.drops = floor_drops,
};

/* One ring behind one mutex, stamped under the lock so order is kept. */

struct mutex_ring {
	pthread_mutex_t mu;
	struct ls_event *slots;
	uint64_t head, tail, mask, drops;
	_Atomic unsigned next_tid;
};

struct mutex_producer {
	struct mutex_ring *r;
	uint32_t seq;
	uint16_t tid;
};

static void *
mutex_create(unsigned producers, uint32_t capacity)
{
	struct mutex_ring *r = calloc(1, sizeof(*r));
	uint64_t size = 1;

	if (!r)
		return NULL;
	/* One shared ring holds what the lanes hold together. */
	while (size < (uint64_t)capacity * producers)
		size <<= 1;
	r->slots = calloc(size, sizeof(*r->slots));
	if (!r->slots || pthread_mutex_init(&r->mu, NULL)) {
		free(r->slots);
		free(r);
		return NULL;
	}
	r->mask = size - 1;
	return r;
}

static void
mutex_destroy(void *ring)
{
	struct mutex_ring *r = ring;

	pthread_mutex_destroy(&r->mu);
	free(r->slots);
	free(r);
}

static void *
mutex_open(void *ring, unsigned idx)
{
	struct mutex_producer *p = calloc(1, sizeof(*p));

	(void)idx;
	if (p) {
		p->r = ring;
		p->tid = (uint16_t)(atomic_fetch_add(&p->r->next_tid, 1) + 1);
	}
	return p;
}

static void
mutex_close(void *ring, void *p)
{
	(void)ring;
	free(p);
}

static inline void
mutex_emit(struct mutex_producer *p, uint64_t arg)
{
	struct mutex_ring *r = p->r;
	struct ls_event *e;

	pthread_mutex_lock(&r->mu);
	if (r->head - r->tail > r->mask) {
		r->drops++;
	} else {
		e = &r->slots[r->head++ & r->mask];
		e->ts = ls_clock_ns();
		e->arg = arg;
		e->seq = p->seq;
		e->obj = 1;
		e->tid = p->tid;
		e->kind = LS_EV_MARK;
		e->aux = 0;
	}
	p->seq++;
	pthread_mutex_unlock(&r->mu);
}

static uint64_t
mutex_emit_n(void *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		mutex_emit(p, i);
	return n;
}

static uint64_t
mutex_emit_until(void *p, atomic_bool *stop)
{
	uint64_t i = 0;

	do {
		for (unsigned k = 0; k < 256; k++, i++)
			mutex_emit(p, i);
	} while (!atomic_load_explicit(stop, memory_order_relaxed));
	return i;
}

static size_t
mutex_drain(void *ring, struct ls_event *out, size_t max)
{
	struct mutex_ring *r = ring;
	size_t n = 0;

	pthread_mutex_lock(&r->mu);
	while (n < max && r->tail < r->head)
		out[n++] = r->slots[r->tail++ & r->mask];
	pthread_mutex_unlock(&r->mu);
	return n;
}

static uint64_t
mutex_drops(void *ring)
{
	struct mutex_ring *r = ring;
	uint64_t d;

	pthread_mutex_lock(&r->mu);
	d = r->drops;
	pthread_mutex_unlock(&r->mu);
	return d;
}

const struct ring_impl ring_impl_mutex = {
	.name = "mutex",
	.create = mutex_create,
	.destroy = mutex_destroy,
	.open = mutex_open,
	.close = mutex_close,
	.emit_n = mutex_emit_n,
	.emit_until = mutex_emit_until,
	.drain = mutex_drain,
	.drops = mutex_drops,
};

/* The trials. */

struct trial {
	const struct ring_impl *impl;
	void *ring;
	unsigned producers;
	pthread_barrier_t start;
	atomic_bool stop;
	double ns_per_emit[64];
	uint64_t attempts[64];
	_Atomic unsigned next_idx;
};

static void *
burst_producer(void *arg)
{
	struct trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_idx, 1);
	void *p = t->impl->open(t->ring, idx);
	uint64_t t0;

	pthread_barrier_wait(&t->start);
	t0 = ls_clock_ns();
	if (p)
		t->impl->emit_n(p, BURST_EVENTS);
	t->ns_per_emit[idx] = (double)(ls_clock_ns() - t0) / BURST_EVENTS;
	if (p)
		t->impl->close(t->ring, p);
	return NULL;
}

/* Drain everything the ring holds; returns how many events. */
static uint64_t
drain_all(const struct ring_impl *impl, void *ring)
{
	struct ls_event buf[DRAIN_BATCH];
	uint64_t n = 0;
	size_t k;

	while ((k = impl->drain(ring, buf, DRAIN_BATCH)) > 0)
		n += k;
	return n;
}

double
ring_trial_emit(const struct ring_impl *impl, unsigned producers)
{
	struct trial t = { .impl = impl, .producers = producers };
	pthread_t th[64];
	double sum = 0;
	unsigned i, round;

	t.ring = impl->create(producers, 2 * BURST_EVENTS);
	if (!t.ring)
		return -1;
	for (round = 0; round < BURST_ROUNDS; round++) {
		atomic_store(&t.next_idx, 0);
		pthread_barrier_init(&t.start, NULL, producers);
		for (i = 0; i < producers; i++)
			pthread_create(&th[i], NULL, burst_producer, &t);
		for (i = 0; i < producers; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&t.start);
		drain_all(impl, t.ring);
		for (i = 0; i < producers; i++)
			sum += t.ns_per_emit[i];
	}
	impl->destroy(t.ring);
	return sum / (BURST_ROUNDS * producers);
}

static void *
flood_producer(void *arg)
{
	struct trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_idx, 1);
	void *p = t->impl->open(t->ring, idx);

	pthread_barrier_wait(&t->start);
	t->attempts[idx] = p ? t->impl->emit_until(p, &t->stop) : 0;
	if (p)
		t->impl->close(t->ring, p);
	return NULL;
}

int
ring_trial_overload(const struct ring_impl *impl, unsigned producers,
		    double seconds, struct overload_result *res)
{
	struct trial t = { .impl = impl, .producers = producers };
	struct ls_event buf[DRAIN_BATCH];
	pthread_t th[64];
	uint64_t delivered = 0, attempted = 0, drops;
	double t0, t1;
	unsigned i;

	t.ring = impl->create(producers, LS_RING_DEFAULT_LANE_EVENTS);
	if (!t.ring)
		return -ENOMEM;
	atomic_init(&t.stop, false);
	pthread_barrier_init(&t.start, NULL, producers + 1);
	for (i = 0; i < producers; i++)
		pthread_create(&th[i], NULL, flood_producer, &t);
	pthread_barrier_wait(&t.start);
	t0 = bench_now();
	while ((t1 = bench_now()) - t0 < seconds)
		delivered += impl->drain(t.ring, buf, DRAIN_BATCH);
	atomic_store(&t.stop, true);
	for (i = 0; i < producers; i++)
		pthread_join(th[i], NULL);
	/* Events still in flight at the stop are delivered, not lost. */
	delivered += drain_all(impl, t.ring);
	drops = impl->drops(t.ring);
	for (i = 0; i < producers; i++)
		attempted += t.attempts[i];
	pthread_barrier_destroy(&t.start);
	impl->destroy(t.ring);
	res->delivered_per_s = (double)delivered / (t1 - t0);
	res->attempted_per_s = (double)attempted / (t1 - t0);
	res->exact = impl == &ring_impl_floor ||
		     attempted == delivered + drops;
	return 0;
}

int
bench_ring_main(const struct bench_opts *o)
{
	enum { F_LANES1, F_FLOOR1, F_MUTEX1, F_LANESP, F_FLOORP, F_MUTEXP,
	       F_LANESO, F_MUTEXO, F_LANESA, F_MUTEXA, F_COUNT };
	struct bench_figure f[F_COUNT] = {
		[F_LANES1] = { .name = "emit 1p: lanes", .unit = "ns/event" },
		[F_FLOOR1] = { .name = "emit 1p: floor", .unit = "ns/event" },
		[F_MUTEX1] = { .name = "emit 1p: mutex ring", .unit = "ns/event" },
		[F_LANESP] = { .name = "emit Np: lanes", .unit = "ns/event" },
		[F_FLOORP] = { .name = "emit Np: floor", .unit = "ns/event" },
		[F_MUTEXP] = { .name = "emit Np: mutex ring", .unit = "ns/event" },
		[F_LANESO] = { .name = "overload Np+1c: lanes", .unit = "events/s" },
		[F_MUTEXO] = { .name = "overload Np+1c: mutex ring", .unit = "events/s" },
		[F_LANESA] = { .name = "overload emits: lanes", .unit = "emits/s" },
		[F_MUTEXA] = { .name = "overload emits: mutex ring", .unit = "emits/s" },
	};
	struct bench_ratio r[5];
	char names[5][64];
	bool exact = true;
	unsigned run, p = o->threads;

	snprintf(names[0], sizeof(names[0]), "emit %up: lanes", p);
	snprintf(names[1], sizeof(names[1]), "emit %up: floor", p);
	snprintf(names[2], sizeof(names[2]), "emit %up: mutex ring", p);
	f[F_LANESP].name = names[0];
	f[F_FLOORP].name = names[1];
	f[F_MUTEXP].name = names[2];
	snprintf(names[3], sizeof(names[3]), "overload %up+1c: lanes", p);
	snprintf(names[4], sizeof(names[4]), "overload %up+1c: mutex ring", p);
	f[F_LANESO].name = names[3];
	f[F_MUTEXO].name = names[4];
	for (run = 0; run < o->runs; run++) {
		struct overload_result ol, om;

		bench_add(&f[F_LANES1], ring_trial_emit(&ring_impl_lanes, 1));
		bench_add(&f[F_FLOOR1], ring_trial_emit(&ring_impl_floor, 1));
		bench_add(&f[F_MUTEX1], ring_trial_emit(&ring_impl_mutex, 1));
		bench_add(&f[F_LANESP], ring_trial_emit(&ring_impl_lanes, p));
		bench_add(&f[F_FLOORP], ring_trial_emit(&ring_impl_floor, p));
		bench_add(&f[F_MUTEXP], ring_trial_emit(&ring_impl_mutex, p));
		if (ring_trial_overload(&ring_impl_lanes, p, o->seconds, &ol) ||
		    ring_trial_overload(&ring_impl_mutex, p, o->seconds, &om)) {
			fprintf(stderr, "lockstep: bench ring: out of memory\n");
			return 1;
		}
		exact = exact && ol.exact && om.exact;
		bench_add(&f[F_LANESO], ol.delivered_per_s);
		bench_add(&f[F_MUTEXO], om.delivered_per_s);
		bench_add(&f[F_LANESA], ol.attempted_per_s);
		bench_add(&f[F_MUTEXA], om.attempted_per_s);
	}
	bench_reduce(f, F_COUNT);
	r[0] = (struct bench_ratio){
		.name = "lanes 1p / floor 1p",
		.value = f[F_LANES1].median / f[F_FLOOR1].median,
		.target = "<= 1.3",
	};
	r[0].met = r[0].value <= 1.3;
	r[1] = (struct bench_ratio){
		.name = "lanes Np / lanes 1p",
		.value = f[F_LANESP].median / f[F_LANES1].median,
		.target = "<= 1.2",
	};
	r[1].met = r[1].value <= 1.2;
	r[2] = (struct bench_ratio){
		.name = "overload lanes / mutex ring",
		.value = f[F_LANESO].median / f[F_MUTEXO].median,
		.target = ">= 3",
	};
	r[2].met = r[2].value >= 3.0;
	r[4] = (struct bench_ratio){
		.name = "overload emits lanes / mutex",
		.value = f[F_LANESA].median / f[F_MUTEXA].median,
		.target = "info",
		.met = true,
	};
	r[3] = (struct bench_ratio){
		.name = "overload accounting exact",
		.value = exact ? 1.0 : 0.0,
		.target = "== 1",
		.met = exact,
	};
	bench_print(o, "ring", f, F_COUNT, r, 5,
		    "emit: ns per event inside each producer, bursts that fit "
		    "(no drops);\noverload: producers and one consumer flat out "
		    "on the same cores: events delivered\nto the consumer per "
		    "second, and emits (delivered or dropped) per second.\n");
	return exact ? 0 : 1;
}
