/*
 * bench_peers.c - the event ring against Concurrency Kit's ck_ring, in one
 * process, with the same trials as `lockstep bench ring`.
 *
 * Built by `make bench` when configure found libck-dev.  Two ck contenders:
 *   ck_spsc - one ck_ring SPSC ring per producer (the same shape as our
 *             lanes), drained round-robin; it does no timestamp merge, so
 *             its consumer does less work than ours
 *   ck_mpmc - one ck_ring MPMC ring shared by every producer
 * Each stores the same 32-byte event, stamped with the same clock
 * (ls_clock_ticks: the TSC where usable, as the ring).  Figures: emit
 * (warm bursts, as `lockstep bench ring`), overload (events delivered per
 * second and the consumer's CPU per event, with P producers and one
 * consumer flat out) and drain alone (the consumer's cost per event).
 *
 * usage: bench_peers [--json] [--runs N] [--threads N] [--seconds S]
 */
#include "config.h"

#include <ck_ring.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/bench-ring.h"
#include "lockstep/clock.h"

CK_RING_PROTOTYPE(ev, ls_event)

struct ck_producer {
	_Alignas(64) struct ck_ring ring;	/* spsc: this producer's own */
	struct ls_event *buf;
	_Atomic uint64_t drops;
	uint32_t seq;
	uint16_t tid;
	struct ck_peer *peer;
};

struct ck_peer {
	bool mpmc;
	unsigned producers;
	struct ck_producer *p;		/* one per producer */
	struct ck_ring shared;		/* mpmc */
	struct ls_event *shared_buf;
	unsigned rr;			/* consumer's round-robin start */
};

static void *
peer_create(bool mpmc, unsigned producers, uint32_t capacity)
{
	struct ck_peer *c = calloc(1, sizeof(*c));
	unsigned i;

	if (!c)
		return NULL;
	c->mpmc = mpmc;
	c->producers = producers;
	c->p = aligned_alloc(64, sizeof(*c->p) * producers);
	if (!c->p)
		goto fail;
	memset(c->p, 0, sizeof(*c->p) * producers);
	for (i = 0; i < producers; i++) {
		c->p[i].peer = c;
		c->p[i].tid = (uint16_t)(i + 1);
		if (mpmc)
			continue;
		c->p[i].buf = calloc(capacity, sizeof(struct ls_event));
		if (!c->p[i].buf)
			goto fail;
		ck_ring_init(&c->p[i].ring, capacity);
	}
	if (mpmc) {
		uint32_t size = capacity * producers, pow = 1;

		while (pow < size)
			pow <<= 1;
		c->shared_buf = calloc(pow, sizeof(struct ls_event));
		if (!c->shared_buf)
			goto fail;
		ck_ring_init(&c->shared, pow);
	}
	return c;
fail:
	if (c->p)
		for (i = 0; i < producers; i++)
			free(c->p[i].buf);
	free(c->p);
	free(c);
	return NULL;
}

static void *
spsc_create(unsigned producers, uint32_t capacity)
{
	return peer_create(false, producers, capacity);
}

static void *
mpmc_create(unsigned producers, uint32_t capacity)
{
	return peer_create(true, producers, capacity);
}

static void
peer_destroy(void *ring)
{
	struct ck_peer *c = ring;
	unsigned i;

	for (i = 0; i < c->producers; i++)
		free(c->p[i].buf);
	free(c->p);
	free(c->shared_buf);
	free(c);
}

static void *
peer_open(void *ring, unsigned idx)
{
	return &((struct ck_peer *)ring)->p[idx];
}

static void
peer_close(void *ring, void *p)
{
	(void)ring;
	(void)p;
}

static inline void
peer_emit(struct ck_producer *p, uint64_t arg)
{
	struct ls_event e = {
		.ts = ls_clock_ticks(),
		.arg = arg,
		.seq = p->seq++,
		.obj = 1,
		.tid = p->tid,
		.kind = LS_EV_MARK,
	};
	bool ok = p->peer->mpmc
			  ? ck_ring_enqueue_mpmc_ev(&p->peer->shared,
						    p->peer->shared_buf, &e)
			  : ck_ring_enqueue_spsc_ev(&p->ring, p->buf, &e);

	if (!ok)
		atomic_store_explicit(&p->drops,
				      atomic_load_explicit(&p->drops,
							   memory_order_relaxed) +
					      1,
				      memory_order_relaxed);
}

static uint64_t
peer_emit_n(void *p, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		peer_emit(p, i);
	return n;
}

static uint64_t
peer_emit_until(void *p, atomic_bool *stop)
{
	uint64_t i = 0;

	do {
		for (unsigned k = 0; k < 256; k++, i++)
			peer_emit(p, i);
	} while (!atomic_load_explicit(stop, memory_order_relaxed));
	return i;
}

static size_t
peer_drain(void *ring, struct ls_event *out, size_t max)
{
	struct ck_peer *c = ring;
	size_t n = 0;
	unsigned i, empty = 0;

	if (c->mpmc) {
		while (n < max &&
		       ck_ring_dequeue_mpmc_ev(&c->shared, c->shared_buf,
					       &out[n]))
			n++;
		return n;
	}
	/* Round-robin over the producers' rings until all are empty. */
	for (i = c->rr; n < max && empty < c->producers;
	     i = (i + 1) % c->producers) {
		struct ck_producer *p = &c->p[i];
		size_t before = n;

		while (n < max && n - before < 64 &&
		       ck_ring_dequeue_spsc_ev(&p->ring, p->buf, &out[n]))
			n++;
		empty = n == before ? empty + 1 : 0;
	}
	c->rr = (c->rr + 1) % c->producers;
	return n;
}

static uint64_t
peer_drops(void *ring)
{
	struct ck_peer *c = ring;
	uint64_t d = 0;
	unsigned i;

	for (i = 0; i < c->producers; i++)
		d += atomic_load(&c->p[i].drops);
	return d;
}

static const struct ring_impl ck_spsc = {
	.name = "ck_spsc",
	.create = spsc_create,
	.destroy = peer_destroy,
	.open = peer_open,
	.close = peer_close,
	.emit_n = peer_emit_n,
	.emit_until = peer_emit_until,
	.drain = peer_drain,
	.drops = peer_drops,
};

static const struct ring_impl ck_mpmc = {
	.name = "ck_mpmc",
	.create = mpmc_create,
	.destroy = peer_destroy,
	.open = peer_open,
	.close = peer_close,
	.emit_n = peer_emit_n,
	.emit_until = peer_emit_until,
	.drain = peer_drain,
	.drops = peer_drops,
};

int
main(int argc, char **argv)
{
	static const struct ring_impl *const impls[] = {
		&ring_impl_lanes, &ck_spsc, &ck_mpmc,
	};
	enum { NI = 3, F_EMIT1 = 0, F_EMITP = NI, F_OVER = 2 * NI,
	       F_CPU = 3 * NI, F_DRAIN = 4 * NI, F_COUNT = 5 * NI };
	struct bench_opts o = { .runs = 5, .threads = 2, .seconds = 0.2 };
	struct bench_figure f[F_COUNT];
	struct bench_ratio r[5];
	char names[F_COUNT][64];
	bool exact = true;
	unsigned run, i;
	int rc;

	rc = bench_parse(argc, argv,
			 "bench_peers [--json] [--runs N] [--threads N] [--seconds S]",
			 &o);
	if (rc)
		return rc;
	memset(f, 0, sizeof(f));
	for (i = 0; i < NI; i++) {
		const char *n = impls[i]->name;

		snprintf(names[F_EMIT1 + i], 64, "emit 1p: %s", n);
		snprintf(names[F_EMITP + i], 64, "emit %up: %s", o.threads, n);
		snprintf(names[F_OVER + i], 64, "overload %up+1c: %s",
			 o.threads, n);
		snprintf(names[F_CPU + i], 64, "consumer cpu: %s", n);
		snprintf(names[F_DRAIN + i], 64, "drain %up alone: %s",
			 o.threads, n);
		f[F_EMIT1 + i].unit = f[F_EMITP + i].unit = "ns/event";
		f[F_OVER + i].unit = "events/s";
		f[F_CPU + i].unit = f[F_DRAIN + i].unit = "ns/event";
	}
	for (i = 0; i < F_COUNT; i++)
		f[i].name = names[i];
	for (run = 0; run < o.runs; run++) {
		for (i = 0; i < NI; i++) {
			struct emit_result e1, ep;
			struct overload_result ol;

			if (ring_trial_emit(impls[i], 1, &e1) ||
			    ring_trial_emit(impls[i], o.threads, &ep) ||
			    ring_trial_overload(impls[i], o.threads, o.seconds,
						&ol)) {
				fprintf(stderr, "bench_peers: out of memory\n");
				return 1;
			}
			exact = exact && ol.exact;
			bench_add(&f[F_EMIT1 + i], e1.warm_ns);
			bench_add(&f[F_EMITP + i], ep.warm_ns);
			bench_add(&f[F_OVER + i], ol.delivered_per_s);
			bench_add(&f[F_CPU + i], ol.consumer_cpu_ns);
			bench_add(&f[F_DRAIN + i],
				  ring_trial_consume(impls[i], o.threads));
		}
	}
	bench_reduce(f, F_COUNT);
	r[0] = (struct bench_ratio){
		.name = "emit 1p lanes / ck_spsc",
		.value = f[F_EMIT1].median / f[F_EMIT1 + 1].median,
		.target = "info",
		.met = true,
	};
	r[1] = (struct bench_ratio){
		.name = "emit Np lanes / ck_mpmc",
		.value = f[F_EMITP].median / f[F_EMITP + 2].median,
		.target = "info",
		.met = true,
	};
	r[2] = (struct bench_ratio){
		.name = "overload lanes / ck_spsc",
		.value = f[F_OVER].median / f[F_OVER + 1].median,
		.target = ">= 1.5",
	};
	r[2].met = r[2].value >= 1.5;
	r[3] = (struct bench_ratio){
		.name = "drain alone ck_spsc / lanes",
		.value = f[F_DRAIN + 1].median / f[F_DRAIN].median,
		.target = "info",
		.met = true,
	};
	r[4] = (struct bench_ratio){
		.name = "overload accounting exact",
		.value = exact ? 1.0 : 0.0,
		.target = "== 1",
		.met = exact,
	};
	bench_print(&o, "ring-peers", f, F_COUNT, r, 5,
		    "ck_spsc delivers per producer in arrival order, with no "
		    "timestamp merge;\nlanes deliver all producers merged in "
		    "global timestamp order.\n");
	return exact ? 0 : 1;
}
