/*
 * bench-ring.c - `lockstep bench ring`: the event ring against the floor
 * and a mutex-guarded ring, in the same process, interleaved, with the
 * TSC and with clock_gettime as the tick source.
 *
 * Contenders (struct ring_impl, shared with tests/bench/bench_peers.c):
 *   lanes  - ours: a single-producer lane per thread (src/trace/ring.c)
 *   floor  - one tick read plus one atomic add per event, per thread, on
 *            the same clock the ring reads: what any timestamped emit
 *            must cost at least
 *   mutex  - one ring of events guarded by one pthread mutex
 *
 * Figures:
 *   emit, 1 and P producers: each producer keeps one lane for the trial
 *   and emits bursts that fit in it (the consumer drains between bursts,
 *   so no emit finds the ring full); the time per emit is taken inside
 *   each producer.  The first burst runs on cold lanes and caches and is
 *   reported on its own; the figure is the median of the warm bursts.
 *   overload, P producers and one consumer: everybody runs flat out for a
 *   trial; events delivered per second, the consumer's CPU time per
 *   delivered event, and attempted == delivered + drops checked exactly.
 *   consume: lanes filled at once by P producers, then drained alone:
 *   the consumer's cost per event with nothing else running.
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

#define BURST_EVENTS 4096u	/* one burst, per producer */
#define BURST_LANE 8192u	/* lane space: a burst always fits */
#define BURST_ROUNDS 16		/* the first is the cold one */
#define CONSUME_ROUNDS 8
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
	uint64_t ts = ls_clock_ticks();

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
		e->ts = ls_clock_ticks();
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
	pthread_barrier_t start, done;
	atomic_bool stop;
	double burst_ns[64][BURST_ROUNDS];
	uint64_t attempts[64];
	_Atomic unsigned next_idx;
	bool failed;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
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

/* A producer of the emit trial: one lane, BURST_ROUNDS bursts, each
 * between two barriers (the consumer drains while it waits). */
static void *
burst_producer(void *arg)
{
	struct trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_idx, 1), round;
	void *p = t->impl->open(t->ring, idx);

	if (!p)
		t->failed = true;
	for (round = 0; round < BURST_ROUNDS; round++) {
		uint64_t t0;

		pthread_barrier_wait(&t->start);
		t0 = ls_clock_ns();
		if (p)
			t->impl->emit_n(p, BURST_EVENTS);
		t->burst_ns[idx][round] =
			(double)(ls_clock_ns() - t0) / BURST_EVENTS;
		pthread_barrier_wait(&t->done);
	}
	if (p)
		t->impl->close(t->ring, p);
	return NULL;
}

int
ring_trial_emit(const struct ring_impl *impl, unsigned producers,
		struct emit_result *res)
{
	struct trial *t = calloc(1, sizeof(*t));
	double warm[64 * BURST_ROUNDS], cold = 0;
	pthread_t th[64];
	unsigned i, round, nw = 0;
	int err = -ENOMEM;

	if (!t)
		return -ENOMEM;
	t->impl = impl;
	t->producers = producers;
	t->ring = impl->create(producers, BURST_LANE);
	if (!t->ring)
		goto out;
	if (pthread_barrier_init(&t->start, NULL, producers + 1) ||
	    pthread_barrier_init(&t->done, NULL, producers + 1))
		goto out_ring;
	for (i = 0; i < producers; i++)
		if (pthread_create(&th[i], NULL, burst_producer, t))
			abort();
	for (round = 0; round < BURST_ROUNDS; round++) {
		pthread_barrier_wait(&t->start);
		pthread_barrier_wait(&t->done);
		drain_all(impl, t->ring);
	}
	for (i = 0; i < producers; i++)
		if (pthread_join(th[i], NULL))
			abort();
	drain_all(impl, t->ring);
	for (i = 0; i < producers; i++) {
		cold += t->burst_ns[i][0] / producers;
		for (round = 1; round < BURST_ROUNDS; round++)
			warm[nw++] = t->burst_ns[i][round];
	}
	qsort(warm, nw, sizeof(warm[0]), cmp_double);
	res->warm_ns = warm[nw / 2];
	res->cold_ns = cold;
	err = t->failed ? -ENOMEM : 0;
	pthread_barrier_destroy(&t->start);
	pthread_barrier_destroy(&t->done);
out_ring:
	impl->destroy(t->ring);
out:
	free(t);
	return err;
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

/* This thread's CPU time, in ns. */
static uint64_t
thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
ring_trial_overload(const struct ring_impl *impl, unsigned producers,
		    double seconds, struct overload_result *res)
{
	struct trial *t = calloc(1, sizeof(*t));
	struct ls_event buf[DRAIN_BATCH];
	pthread_t th[64];
	uint64_t delivered = 0, attempted = 0, drops, cpu0, cpu1;
	double t0, t1;
	unsigned i;

	if (!t)
		return -ENOMEM;
	t->impl = impl;
	t->producers = producers;
	t->ring = impl->create(producers, LS_RING_DEFAULT_LANE_EVENTS);
	if (!t->ring) {
		free(t);
		return -ENOMEM;
	}
	atomic_init(&t->stop, false);
	pthread_barrier_init(&t->start, NULL, producers + 1);
	for (i = 0; i < producers; i++)
		if (pthread_create(&th[i], NULL, flood_producer, t))
			abort();
	pthread_barrier_wait(&t->start);
	t0 = bench_now();
	cpu0 = thread_cpu_ns();
	while ((t1 = bench_now()) - t0 < seconds)
		delivered += impl->drain(t->ring, buf, DRAIN_BATCH);
	cpu1 = thread_cpu_ns();
	atomic_store(&t->stop, true);
	for (i = 0; i < producers; i++)
		if (pthread_join(th[i], NULL))
			abort();
	res->delivered_per_s = (double)delivered / (t1 - t0);
	res->consumer_cpu_ns = delivered ? (double)(cpu1 - cpu0) /
						   (double)delivered
					 : 0.0;
	/* Events still in flight at the stop are delivered, not lost. */
	delivered += drain_all(impl, t->ring);
	drops = impl->drops(t->ring);
	for (i = 0; i < producers; i++)
		attempted += t->attempts[i];
	pthread_barrier_destroy(&t->start);
	impl->destroy(t->ring);
	free(t);
	res->attempted_per_s = (double)attempted / (t1 - t0);
	res->exact = impl == &ring_impl_floor ||
		     attempted == delivered + drops;
	return 0;
}

/* A producer of the consume trial: fill the space, once. */
static void *
fill_producer(void *arg)
{
	struct trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_idx, 1);
	void *p = t->impl->open(t->ring, idx);

	pthread_barrier_wait(&t->start);
	if (p) {
		t->impl->emit_n(p, LS_RING_DEFAULT_LANE_EVENTS);
		t->impl->close(t->ring, p);
	}
	return NULL;
}

double
ring_trial_consume(const struct ring_impl *impl, unsigned producers)
{
	double per[CONSUME_ROUNDS];
	unsigned i, round;

	for (round = 0; round < CONSUME_ROUNDS; round++) {
		struct trial *t = calloc(1, sizeof(*t));
		pthread_t th[64];
		uint64_t t0, n;

		if (!t)
			return -1;
		t->impl = impl;
		t->ring = impl->create(producers, LS_RING_DEFAULT_LANE_EVENTS);
		if (!t->ring) {
			free(t);
			return -1;
		}
		pthread_barrier_init(&t->start, NULL, producers);
		for (i = 0; i < producers; i++)
			if (pthread_create(&th[i], NULL, fill_producer, t))
				abort();
		for (i = 0; i < producers; i++)
			if (pthread_join(th[i], NULL))
				abort();
		t0 = ls_clock_ns();
		n = drain_all(impl, t->ring);
		per[round] = n ? (double)(ls_clock_ns() - t0) / (double)n : 0;
		pthread_barrier_destroy(&t->start);
		impl->destroy(t->ring);
		free(t);
	}
	qsort(per, CONSUME_ROUNDS, sizeof(per[0]), cmp_double);
	return per[CONSUME_ROUNDS / 2];
}

/* The figures of bench ring, in print order. */
enum {
	F_EMIT,		/* [source][producers 1|P][contender] */
	F_COLD = F_EMIT + 2 * 2 * 3,	/* [source]: lanes 1p, first burst */
	F_RATIO = F_COLD + 2,		/* [source][1|P]: lanes / floor */
	F_OVER = F_RATIO + 2 * 2,	/* delivered: lanes, mutex */
	F_ATTEMPT = F_OVER + 2,		/* emits/s: lanes, mutex */
	F_CPU = F_ATTEMPT + 2,		/* consumer CPU ns/event: lanes, mutex */
	F_CONSUME = F_CPU + 2,		/* drain alone ns/event: lanes, mutex */
	F_COUNT = F_CONSUME + 2
};

static const struct ring_impl *const emit_impls[3] = {
	&ring_impl_lanes, &ring_impl_floor, &ring_impl_mutex,
};

/* Name the figures for p producers; names has F_COUNT rows. */
static void
ring_figures_name(struct bench_figure *f, char (*names)[48], unsigned p)
{
	static const char *const src[2] = { "tsc", "monotonic" };
	unsigned s, k, c, i;

	for (s = 0; s < 2; s++) {
		for (k = 0; k < 2; k++) {
			for (c = 0; c < 3; c++) {
				i = F_EMIT + (s * 2 + k) * 3 + c;
				snprintf(names[i], 48, "emit %up %s [%s]",
					 k ? p : 1, emit_impls[c]->name, src[s]);
				f[i].unit = "ns/event";
			}
			i = F_RATIO + s * 2 + k;
			snprintf(names[i], 48, "emit %up lanes/floor [%s]",
				 k ? p : 1, src[s]);
			f[i].unit = "x";
		}
		snprintf(names[F_COLD + s], 48, "emit 1p lanes cold [%s]",
			 src[s]);
		f[F_COLD + s].unit = "ns/event";
	}
	for (c = 0; c < 2; c++) {
		const char *n = c ? "mutex ring" : "lanes";

		snprintf(names[F_OVER + c], 48, "overload %up+1c: %s", p, n);
		f[F_OVER + c].unit = "events/s";
		snprintf(names[F_ATTEMPT + c], 48, "overload emits: %s", n);
		f[F_ATTEMPT + c].unit = "emits/s";
		snprintf(names[F_CPU + c], 48, "consumer cpu: %s", n);
		f[F_CPU + c].unit = "ns/event";
		snprintf(names[F_CONSUME + c], 48, "drain %up alone: %s", p, n);
		f[F_CONSUME + c].unit = "ns/event";
	}
	for (i = 0; i < F_COUNT; i++)
		f[i].name = names[i];
}

/* One run of the emit figures on source s.  Returns 0 or -ENOMEM. */
static int
ring_run_emit(struct bench_figure *f, unsigned s, unsigned p)
{
	struct emit_result er[2][3];
	unsigned k, c;

	for (k = 0; k < 2; k++)
		for (c = 0; c < 3; c++) {
			if (ring_trial_emit(emit_impls[c], k ? p : 1,
					    &er[k][c]))
				return -ENOMEM;
			bench_add(&f[F_EMIT + (s * 2 + k) * 3 + c],
				  er[k][c].warm_ns);
		}
	bench_add(&f[F_COLD + s], er[0][0].cold_ns);
	for (k = 0; k < 2; k++)
		bench_add(&f[F_RATIO + s * 2 + k],
			  er[k][0].warm_ns / er[k][1].warm_ns);
	return 0;
}

/* The ratio num / den of two medians, held to <= max (at_least false) or
 * >= max (at_least true). */
static struct bench_ratio
ring_ratio(const char *name, double num, double den, double max,
	   bool at_least, const char *text)
{
	struct bench_ratio r = {
		.name = name, .value = num / den, .target = text,
	};

	r.met = at_least ? r.value >= max : r.value <= max;
	return r;
}

int
bench_ring_main(const struct bench_opts *o)
{
	struct bench_figure f[F_COUNT], shown[F_COUNT];
	char names[F_COUNT][48], notes[512];
	struct bench_ratio r[8];
	unsigned run, p = o->threads, s, nr = 0, first;
	unsigned was = ls_clock_source();
	bool exact = true;
	size_t nshown = 0, i;

	memset(f, 0, sizeof(f));
	ring_figures_name(f, names, p);
	/* Without a usable TSC only the clock_gettime figures are run. */
	first = ls_clock_tsc_usable() ? 0 : 1;
	for (run = 0; run < o->runs; run++) {
		struct overload_result ol, om;

		for (s = first; s < 2; s++) {
			ls_clock_select(s ? LS_CLOCK_MONOTONIC : LS_CLOCK_TSC);
			if (ring_run_emit(f, s, p))
				goto nomem;
		}
		ls_clock_select(was);
		if (ring_trial_overload(&ring_impl_lanes, p, o->seconds, &ol) ||
		    ring_trial_overload(&ring_impl_mutex, p, o->seconds, &om))
			goto nomem;
		exact = exact && ol.exact && om.exact;
		bench_add(&f[F_OVER], ol.delivered_per_s);
		bench_add(&f[F_OVER + 1], om.delivered_per_s);
		bench_add(&f[F_ATTEMPT], ol.attempted_per_s);
		bench_add(&f[F_ATTEMPT + 1], om.attempted_per_s);
		bench_add(&f[F_CPU], ol.consumer_cpu_ns);
		bench_add(&f[F_CPU + 1], om.consumer_cpu_ns);
		bench_add(&f[F_CONSUME], ring_trial_consume(&ring_impl_lanes, p));
		bench_add(&f[F_CONSUME + 1],
			  ring_trial_consume(&ring_impl_mutex, p));
	}
	bench_reduce(f, F_COUNT);
	for (s = first; s < 2; s++) {
		unsigned e = F_EMIT + s * 2 * 3;

		r[nr++] = ring_ratio(f[F_RATIO + s * 2].name, f[e].median,
				     f[e + 1].median, 1.15, false, "<= 1.15");
		r[nr++] = ring_ratio(f[F_RATIO + s * 2 + 1].name,
				     f[e + 3].median, f[e + 4].median, 1.15,
				     false, "<= 1.15");
	}
	/* From the first source that ran: without a usable TSC its rows are
	 * empty, and their ratio was NaN. */
	r[nr++] = ring_ratio("emit lanes Np / 1p",
			     f[F_EMIT + first * 2 * 3 + 3].median,
			     f[F_EMIT + first * 2 * 3].median, 1.2, false,
			     "<= 1.2");
	r[nr++] = ring_ratio("overload lanes / mutex ring", f[F_OVER].median,
			     f[F_OVER + 1].median, 3.0, true, ">= 3");
	r[nr++] = ring_ratio("drain alone mutex / lanes",
			     f[F_CONSUME + 1].median, f[F_CONSUME].median,
			     0.0, true, "info");
	r[nr++] = (struct bench_ratio){
		.name = "overload accounting exact",
		.value = exact ? 1.0 : 0.0,
		.target = "== 1",
		.met = exact,
	};
	snprintf(notes, sizeof(notes),
		 "tick source of the program: %s%s.\n"
		 "emit: ns per event inside each producer, median of warm "
		 "bursts that fit (no drops);\ncold: the first burst on a "
		 "fresh lane.  overload: producers and one consumer flat out\n"
		 "on the same cores: events delivered per second, the "
		 "consumer's CPU per event.\ndrain alone: lanes filled at "
		 "once, then drained with nothing else running.\n",
		 ls_clock_source_name(was),
		 first ? " (no usable TSC: only clock_gettime rows)" : "");
	/* Rows of a source that did not run have no runs: leave them out. */
	for (i = 0; i < F_COUNT; i++)
		if (f[i].n)
			shown[nshown++] = f[i];
	bench_print(o, "ring", shown, nshown, r, nr, notes);
	return exact ? 0 : 1;
nomem:
	ls_clock_select(was);
	fprintf(stderr, "lockstep: bench ring: out of memory\n");
	return 1;
}
