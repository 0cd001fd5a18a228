/*
 * bench-queue.c - `lockstep bench queue`: the engine's bounded blocking
 * queue (src/engine/bqueue.c) against plain pthread queues, in the same
 * process, interleaved.
 *
 * Ping-pong: one item goes back and forth between two threads through two
 * queues of capacity 1, so every transfer puts one thread to sleep and
 * wakes the other: what is measured is the blocking path (queue lock,
 * parker, futex wake-up), not buffering.  The baseline is the textbook
 * one-slot mailbox, one pthread mutex and one condition variable per
 * direction, signalled under the mutex; a second baseline signals after
 * unlocking, so the woken thread does not find the mutex still held (on a
 * busy machine that is worth a factor of two, and it is what the engine's
 * deferred wake-ups do).  Ours runs on engine threads (a group, as in a
 * scene) with events off (no ring) and with events on (every operation
 * written to a ring the benchmark drains between trials).
 *
 * Throughput: P producers and P consumers (P = --threads) through one
 * queue of capacity 64 for a timed trial; items delivered per second.  The
 * baseline is the textbook bounded queue: one mutex, a not-empty and a
 * not-full condition variable, signalled under the mutex.  Both are closed
 * at the end so consumers drain what is left; every item counts.
 */
#include "config.h"

#include "cli/bench-queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockstep/bqueue.h"
#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "util/cpu.h"

/* Events per lane of the events-on ring: a round trip writes at most three
 * per thread, and a trial stops before it could fill a lane, so events-on
 * is never flattered by cheap drops. */
#define PP_LANE_EVENTS (1u << 18)
#define PP_MAX_ROUNDS (PP_LANE_EVENTS / 4)
/* Clock reads and stop-flag checks happen every this many operations. */
#define CHECK_EVERY 64
#define TP_CAPACITY 64
#define TP_MAX_THREADS 64

/* Items are addresses; the queues never look at them. */
static char token_item, stop_item;

/* The ping-pong baseline: a one-slot mailbox. */

struct mbox {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void *item;		/* guarded by mu */
	bool full;
};

static int
mbox_init(struct mbox *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	err = pthread_mutex_init(&b->mu, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&b->cv, NULL);
	if (err) {
		pthread_mutex_destroy(&b->mu);
		return -err;
	}
	return 0;
}

static void
mbox_fini(struct mbox *b)
{
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
}

static int
mbox_send(void *ch, void *item)
{
	struct mbox *b = ch;

	pthread_mutex_lock(&b->mu);
	while (b->full)
		pthread_cond_wait(&b->cv, &b->mu);
	b->item = item;
	b->full = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

/* The same, waking the other side after dropping the mutex. */
static int
mbox_send_late(void *ch, void *item)
{
	struct mbox *b = ch;

	pthread_mutex_lock(&b->mu);
	while (b->full)
		pthread_cond_wait(&b->cv, &b->mu);
	b->item = item;
	b->full = true;
	pthread_mutex_unlock(&b->mu);
	pthread_cond_signal(&b->cv);
	return 0;
}

static int
mbox_recv_late(void *ch, void **item)
{
	struct mbox *b = ch;

	pthread_mutex_lock(&b->mu);
	while (!b->full)
		pthread_cond_wait(&b->cv, &b->mu);
	*item = b->item;
	b->full = false;
	pthread_mutex_unlock(&b->mu);
	pthread_cond_signal(&b->cv);
	return 0;
}

static int
mbox_recv(void *ch, void **item)
{
	struct mbox *b = ch;

	pthread_mutex_lock(&b->mu);
	while (!b->full)
		pthread_cond_wait(&b->cv, &b->mu);
	*item = b->item;
	b->full = false;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return 0;
}

/* The throughput baseline: mutex + not-empty + not-full, with close. */

struct cvq {
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
	void **slots;		/* everything below guarded by mu */
	unsigned cap, head, count;
	bool closed;
};

static int
cvq_init(struct cvq *q, unsigned cap)
{
	memset(q, 0, sizeof(*q));
	q->slots = calloc(cap, sizeof(*q->slots));
	if (!q->slots)
		return -ENOMEM;
	q->cap = cap;
	if (pthread_mutex_init(&q->mu, NULL))
		goto fail;
	if (pthread_cond_init(&q->not_empty, NULL))
		goto fail_mu;
	if (pthread_cond_init(&q->not_full, NULL))
		goto fail_ne;
	return 0;
fail_ne:
	pthread_cond_destroy(&q->not_empty);
fail_mu:
	pthread_mutex_destroy(&q->mu);
fail:
	free(q->slots);
	return -ENOMEM;
}

static void
cvq_fini(struct cvq *q)
{
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	pthread_mutex_destroy(&q->mu);
	free(q->slots);
}

static int
cvq_push(void *qp, void *item)
{
	struct cvq *q = qp;

	pthread_mutex_lock(&q->mu);
	while (q->count == q->cap && !q->closed)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (q->closed) {
		pthread_mutex_unlock(&q->mu);
		return -EPIPE;
	}
	q->slots[(q->head + q->count) % q->cap] = item;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static int
cvq_pop(void *qp, void **item)
{
	struct cvq *q = qp;

	pthread_mutex_lock(&q->mu);
	while (!q->count && !q->closed)
		pthread_cond_wait(&q->not_empty, &q->mu);
	if (!q->count) {
		pthread_mutex_unlock(&q->mu);
		return -EPIPE;
	}
	*item = q->slots[q->head];
	q->head = (q->head + 1) % q->cap;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

static void
cvq_close(void *qp)
{
	struct cvq *q = qp;

	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->mu);
}

/* Ours, behind the same function pointers. */

static int
bq_push(void *q, void *item)
{
	return ls_bqueue_push(q, item);
}

static int
bq_pop(void *q, void **item)
{
	return ls_bqueue_pop(q, item);
}

static void
bq_close(void *q)
{
	ls_bqueue_close(q);
}

struct queue_ops {
	int (*push)(void *q, void *item);
	int (*pop)(void *q, void **item);
	void (*close)(void *q);
};

static const struct queue_ops mbox_ops = {
	.push = mbox_send,
	.pop = mbox_recv,
};

static const struct queue_ops mbox_late_ops = {
	.push = mbox_send_late,
	.pop = mbox_recv_late,
};

static const struct queue_ops cvq_ops = {
	.push = cvq_push,
	.pop = cvq_pop,
	.close = cvq_close,
};

static const struct queue_ops bq_ops = {
	.push = bq_push,
	.pop = bq_pop,
	.close = bq_close,
};

/* Start threads as engine threads of g, or as plain pthreads (g NULL). */
struct crew {
	struct ls_group *g;
	pthread_t pt[2 * TP_MAX_THREADS];
	unsigned n;
};

struct crew_start {
	void (*fn)(void *);
	void *arg;
};

static void *
crew_main(void *p)
{
	struct crew_start *s = p;

	s->fn(s->arg);
	return NULL;
}

static int
crew_spawn(struct crew *c, struct crew_start *s, const char *name)
{
	int err;

	if (c->g)
		return ls_thread_spawn(c->g, name, s->fn, s->arg);
	err = pthread_create(&c->pt[c->n], NULL, crew_main, s);
	if (err)
		return -err;
	c->n++;
	return 0;
}

static void
crew_join(struct crew *c)
{
	unsigned i;

	if (c->g) {
		ls_group_join(c->g);
		return;
	}
	for (i = 0; i < c->n; i++)
		pthread_join(c->pt[i], NULL);
	c->n = 0;
}

/*
 * Where a trial's threads wait until all of them are up, so the timed part
 * starts together.  Unlike a barrier it can be abandoned: if a thread
 * cannot be started, those already waiting are sent home.
 */
struct start_line {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned arrived;	/* everything guarded by mu */
	bool go, abandoned;
};

static int
start_init(struct start_line *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = pthread_mutex_init(&s->mu, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&s->cv, NULL);
	if (err) {
		pthread_mutex_destroy(&s->mu);
		return -err;
	}
	return 0;
}

static void
start_fini(struct start_line *s)
{
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
}

/* A trial thread: wait for the start.  Returns false if abandoned. */
static bool
start_wait(struct start_line *s)
{
	bool run;

	pthread_mutex_lock(&s->mu);
	s->arrived++;
	pthread_cond_broadcast(&s->cv);
	while (!s->go)
		pthread_cond_wait(&s->cv, &s->mu);
	run = !s->abandoned;
	pthread_mutex_unlock(&s->mu);
	return run;
}

/* The trial's main thread: wait for n arrivals and start them (n 0: send
 * home whoever came). */
static void
start_release(struct start_line *s, unsigned n)
{
	pthread_mutex_lock(&s->mu);
	while (n && s->arrived < n)
		pthread_cond_wait(&s->cv, &s->mu);
	s->go = true;
	s->abandoned = !n;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

/* Ping-pong. */

struct pp_trial {
	const struct queue_ops *ops;
	void *ab, *ba;		/* pinger to ponger, and back */
	uint64_t budget_ns;
	struct start_line start;
	uint64_t rounds, ns;	/* written by the pinger */
	atomic_int err;
};

static void
pp_pinger(void *arg)
{
	struct pp_trial *t = arg;
	uint64_t t0, now, n = 0;
	void *item;
	int rc = 0;

	if (!start_wait(&t->start))
		return;
	t0 = ls_clock_ns();
	for (;;) {
		rc = t->ops->push(t->ab, &token_item);
		if (!rc)
			rc = t->ops->pop(t->ba, &item);
		if (rc)
			break;
		if (++n % CHECK_EVERY)
			continue;
		now = ls_clock_ns();
		if (now - t0 >= t->budget_ns || n >= PP_MAX_ROUNDS)
			break;
	}
	t->ns = ls_clock_ns() - t0;
	t->rounds = n;
	if (rc)
		atomic_store(&t->err, rc);
	t->ops->push(t->ab, &stop_item);
}

static void
pp_ponger(void *arg)
{
	struct pp_trial *t = arg;
	void *item;
	int rc;

	if (!start_wait(&t->start))
		return;
	for (;;) {
		rc = t->ops->pop(t->ab, &item);
		if (rc || item == &stop_item)
			break;
		rc = t->ops->push(t->ba, item);
		if (rc)
			break;
	}
	if (rc)
		atomic_store(&t->err, rc);
}

/* Drain ring so its lanes are empty for the next trial.  Returns the
 * events taken. */
static uint64_t
drain_ring(struct ls_ring *ring)
{
	static struct ls_event buf[4096];
	uint64_t n = 0;
	size_t k;

	while ((k = ls_ring_drain(ring, buf, 4096)) > 0)
		n += k;
	return n;
}

/* Ping-pong contenders, in the order of their figures. */
enum pp_kind {
	PP_MBOX,	/* mailbox, signal under the mutex, pthreads */
	PP_MBOX_LATE,	/* mailbox, signal after unlock, pthreads */
	PP_BQ,		/* ours, events off */
	PP_BQ_EVENTS,	/* ours, events into the ring */
	PP_KINDS
};

/* One ping-pong trial of budget_ns.  Returns microseconds per round trip,
 * or a negative errno. */
static double
pp_run(enum pp_kind kind, struct ls_ring *ring, uint64_t budget_ns)
{
	struct pp_trial t = { .budget_ns = budget_ns };
	struct crew c = { 0 };
	struct crew_start ping = { pp_pinger, &t }, pong = { pp_ponger, &t };
	struct mbox mb[2];
	struct ls_bqueue *bq[2] = { NULL, NULL };
	int err;

	atomic_init(&t.err, 0);
	if (kind == PP_MBOX || kind == PP_MBOX_LATE) {
		t.ops = kind == PP_MBOX ? &mbox_ops : &mbox_late_ops;
		err = mbox_init(&mb[0]);
		if (err)
			return err;
		err = mbox_init(&mb[1]);
		if (err) {
			mbox_fini(&mb[0]);
			return err;
		}
		t.ab = &mb[0];
		t.ba = &mb[1];
	} else {
		t.ops = &bq_ops;
		if (kind != PP_BQ_EVENTS)
			ring = NULL;
		err = ls_group_create(ring, "bench", &c.g);
		if (!err)
			err = ls_bqueue_create(ring, "ab", 1, &bq[0]);
		if (!err)
			err = ls_bqueue_create(ring, "ba", 1, &bq[1]);
		if (err)
			goto out;
		t.ab = bq[0];
		t.ba = bq[1];
	}
	err = start_init(&t.start);
	if (err)
		goto out;
	err = crew_spawn(&c, &pong, "ponger");
	if (!err)
		err = crew_spawn(&c, &ping, "pinger");
	start_release(&t.start, err ? 0 : 2);
	crew_join(&c);
	start_fini(&t.start);
	if (!err)
		err = atomic_load(&t.err);
out:
	if (kind == PP_MBOX || kind == PP_MBOX_LATE) {
		mbox_fini(&mb[0]);
		mbox_fini(&mb[1]);
	} else {
		ls_bqueue_destroy(bq[0]);
		ls_bqueue_destroy(bq[1]);
		ls_group_destroy(c.g);
	}
	if (err)
		return err;
	return (double)t.ns / 1e3 / (double)(t.rounds ? t.rounds : 1);
}

/* Throughput. */

struct tp_trial {
	const struct queue_ops *ops;
	void *q;
	unsigned producers;
	struct start_line start;
	atomic_bool stop;
	_Atomic unsigned producers_left, next_consumer;
	uint64_t popped[TP_MAX_THREADS];	/* by consumer index */
	atomic_int err;
};

static void
tp_producer(void *arg)
{
	struct tp_trial *t = arg;
	unsigned k;
	int rc = 0;

	if (!start_wait(&t->start))
		return;
	while (!rc && !atomic_load_explicit(&t->stop, memory_order_relaxed))
		for (k = 0; k < CHECK_EVERY && !rc; k++)
			rc = t->ops->push(t->q, &token_item);
	if (rc)
		atomic_store(&t->err, rc);
	/* The last producer out closes: consumers drain, then stop. */
	if (atomic_fetch_sub(&t->producers_left, 1) == 1)
		t->ops->close(t->q);
}

static void
tp_consumer(void *arg)
{
	struct tp_trial *t = arg;
	unsigned idx = atomic_fetch_add(&t->next_consumer, 1);
	uint64_t n = 0;
	void *item;

	if (!start_wait(&t->start))
		return;
	while (t->ops->pop(t->q, &item) == 0)
		n++;
	t->popped[idx] = n;
}

/* One throughput trial: P producers and P consumers for seconds.  ours:
 * the bqueue, else the condvar queue.  Returns items/s or -errno. */
static double
tp_run(bool ours, unsigned p, double seconds)
{
	struct tp_trial t = { .producers = p };
	struct crew c = { 0 };
	struct crew_start prod = { tp_producer, &t };
	struct crew_start cons = { tp_consumer, &t };
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9),
	};
	struct ls_bqueue *bq = NULL;
	struct cvq cq;
	uint64_t total = 0, t0 = 0, t1 = 1;
	unsigned i;
	int err;

	atomic_init(&t.stop, false);
	atomic_init(&t.producers_left, p);
	atomic_init(&t.next_consumer, 0);
	atomic_init(&t.err, 0);
	if (ours) {
		t.ops = &bq_ops;
		err = ls_group_create(NULL, "bench", &c.g);
		if (!err)
			err = ls_bqueue_create(NULL, "q", TP_CAPACITY, &bq);
		if (err) {
			ls_group_destroy(c.g);
			return err;
		}
		t.q = bq;
	} else {
		t.ops = &cvq_ops;
		err = cvq_init(&cq, TP_CAPACITY);
		if (err)
			return err;
		t.q = &cq;
	}
	err = start_init(&t.start);
	if (err)
		goto out;
	for (i = 0; i < p && !err; i++)
		err = crew_spawn(&c, &cons, "consumer");
	for (i = 0; i < p && !err; i++)
		err = crew_spawn(&c, &prod, "producer");
	/* If one could not be started, those that were neither push nor
	 * pop: they go home at once. */
	start_release(&t.start, err ? 0 : 2 * p);
	t0 = ls_clock_ns();
	if (!err)
		nanosleep(&ts, NULL);
	atomic_store(&t.stop, true);
	crew_join(&c);
	t1 = ls_clock_ns();
	start_fini(&t.start);
	for (i = 0; i < p; i++)
		total += t.popped[i];
	err = atomic_load(&t.err);
out:
	if (ours) {
		ls_bqueue_destroy(bq);
		ls_group_destroy(c.g);
	} else {
		cvq_fini(&cq);
	}
	if (err)
		return err;
	return (double)total / ((double)(t1 - t0) / 1e9);
}

int
bench_queue_main(const struct bench_opts *o)
{
	enum { F_CV, F_CVL, F_BQ, F_BQE, F_DROP, F_TCV, F_TBQ, F_COUNT };
	struct bench_figure f[F_COUNT] = {
		[F_CV] = { .name = "pingpong: mutex+condvar",
			   .unit = "us/round trip" },
		[F_CVL] = { .name = "pingpong: condvar, late signal",
			    .unit = "us/round trip" },
		[F_BQ] = { .name = "pingpong: bqueue, events off",
			   .unit = "us/round trip" },
		[F_BQE] = { .name = "pingpong: bqueue, events on",
			    .unit = "us/round trip" },
		[F_DROP] = { .name = "pingpong: events dropped",
			     .unit = "events/trial" },
		[F_TCV] = { .name = "PxP: mutex+2 condvars",
			    .unit = "items/s" },
		[F_TBQ] = { .name = "PxP: bqueue", .unit = "items/s" },
	};
	struct ls_ring_config cfg = {
		.lane_events = PP_LANE_EVENTS,
		.max_lanes = 4,
	};
	char names[2][64], notes[512];
	struct bench_ratio r[4];
	struct ls_ring *ring;
	uint64_t budget = (uint64_t)(o->seconds * 1e9), drops, d;
	unsigned run, i, p = o->threads;
	enum pp_kind kind;
	double v;
	int err;

	if (p > TP_MAX_THREADS)
		p = TP_MAX_THREADS;
	snprintf(names[0], sizeof(names[0]), "%ux%u: mutex+2 condvars", p, p);
	snprintf(names[1], sizeof(names[1]), "%ux%u: bqueue", p, p);
	f[F_TCV].name = names[0];
	f[F_TBQ].name = names[1];
	err = ls_ring_create(&cfg, &ring);
	if (err) {
		fprintf(stderr, "lockstep: bench queue: no ring: %s\n",
			strerror(-err));
		return 1;
	}

	/* Warm up: fault in the ring's lanes and the thread stacks. */
	for (kind = 0; kind < PP_KINDS; kind++)
		if (pp_run(kind, ring, budget / 4) < 0)
			goto fail;
	drain_ring(ring);
	drops = ls_ring_dropped_total(ring);

	for (run = 0; run < o->runs; run++) {
		/* Ping-pong on one CPU (its threads inherit the pin): across
		 * CPUs each transfer wakes an idle core, 14-53 us a round trip
		 * from one run to the next on these machines, which buried what
		 * the queue costs and swung the events ratio 2-3x. */
		cpu_set_t cpus;
		int pinned = cpu_pin_here(&cpus);

		/* Rotate who goes first, so no contender always follows the
		 * same one. */
		for (i = 0; i < PP_KINDS; i++) {
			kind = (enum pp_kind)((run + i) % PP_KINDS);
			v = pp_run(kind, ring, budget);
			if (v < 0)
				goto fail;
			/* The pingpong figures are in pp_kind order. */
			bench_add(&f[F_CV + kind], v);
			if (kind == PP_BQ_EVENTS) {
				drain_ring(ring);
				d = ls_ring_dropped_total(ring);
				bench_add(&f[F_DROP], (double)(d - drops));
				drops = d;
			}
		}
		if (pinned >= 0)
			cpu_unpin(&cpus);
		for (i = 0; i < 2; i++) {
			bool ours = (run + i) % 2;

			v = tp_run(ours, p, o->seconds);
			if (v < 0)
				goto fail;
			bench_add(&f[ours ? F_TBQ : F_TCV], v);
		}
	}
	ls_ring_destroy(ring);
	bench_reduce(f, F_COUNT);

	r[0] = (struct bench_ratio){
		.name = "pingpong bqueue / mutex+condvar",
		.value = f[F_BQ].median / f[F_CV].median,
		.target = "<= 1.0",
	};
	r[0].met = r[0].value <= 1.0;
	r[1] = (struct bench_ratio){
		.name = "pingpong bqueue / late signal",
		.value = f[F_BQ].median / f[F_CVL].median,
		/* The tuned hand-written mailbox: a floor to compare with,
		 * not a target (ours also queues, gates and tracks owners). */
		.target = "info",
		.met = true,
	};
	r[2] = (struct bench_ratio){
		.name = "pingpong events on / off",
		.value = f[F_BQE].median / f[F_BQ].median,
		.target = "<= 1.05",
	};
	r[2].met = r[2].value <= 1.05;
	r[3] = (struct bench_ratio){
		.name = "PxP bqueue / mutex+2 condvars",
		.value = f[F_TBQ].median / f[F_TCV].median,
		.target = ">= 1.0",
	};
	r[3].met = r[3].value >= 1.0;
	snprintf(notes, sizeof(notes),
		 "pingpong: one item back and forth through two queues of "
		 "capacity 1\n(every transfer blocks and wakes), both threads "
		 "on one CPU; time per round\ntrip.  late signal: the "
		 "baseline signals after unlocking its mutex.\n"
		 "%ux%u: %u producers and %u consumers through one queue of "
		 "capacity %u;\nitems delivered per second.  bqueue runs on "
		 "engine threads in a group.\n",
		 p, p, p, p, TP_CAPACITY);
	bench_print(o, "queue", f, F_COUNT, r, 4, notes);
	return 0;
fail:
	fprintf(stderr, "lockstep: bench queue: a trial failed\n");
	ls_ring_destroy(ring);
	return 1;
}
