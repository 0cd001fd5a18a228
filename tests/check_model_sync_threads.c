/*
 * check_model_sync_threads.c - the model folding real threads that use
 * the recursive mutex, condition variables, barriers, reset events and
 * latches, drained from the ring while they run, as the ui drains it.
 *
 * After every event the model must show a state the primitives can be
 * in (sync_possible: a mutex held at a depth by one owner, a queue the
 * length its engine said plus the waiters let go and not yet running, a
 * barrier's arrivals exactly its waiters of this round, an open latch
 * with nobody waiting, a set event with nobody queued), and before every
 * acquisition and depth change a state it can follow from (never two
 * owners, a depth moving one level).  Every run ends with the state the
 * threads left, and nothing dropped, lost or healed.  Then each kind of
 * wait is cancelled in the middle with real threads, folded the same way.
 * Hand-fed sequences, one rule at a time, are in check_model_sync.c.
 *
 * Sizes: MODEL_SYNC_ITERS, MODEL_SYNC_THREADS.  LS_SEED=n replays the
 * random timing of a failure (every failure prints its seed).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "lockstep/barrier.h"
#include "lockstep/cond.h"
#include "lockstep/latch.h"
#include "lockstep/mutex.h"
#include "lockstep/resetevent.h"
#include "model/model.h"
#include "primutil.h"
#include "modelutil.h"

#define FOLD_BATCH 4096

/*
 * What the model must show after every event of these runs, for each
 * kind of object (model.h); NULL, or what is wrong.  Exact because no
 * event is dropped: a run checks that at its end.
 */
static const char *
sync_possible(const struct model *m)
{
	static char why[160];
	const struct model_object *o;
	unsigned i, g, pending;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		o = &m->objects[i];
		if (!o->used)
			continue;
		g = granted_on(m, o);
		pending = o->nwaiting - g;
		why[0] = 0;
		switch (o->kind) {
		case LS_OBJ_MUTEX:
			if (!o->owner != !o->depth)
				snprintf(why, sizeof(why), "owner T%u at "
					 "depth %u", o->owner, o->depth);
			break;
		case LS_OBJ_EVENT_MANUAL:
		case LS_OBJ_EVENT_AUTO:
			if (o->set && o->queued)
				snprintf(why, sizeof(why), "set, %u queued",
					 o->queued);
			/* fall through */
		case LS_OBJ_COND:
			if (o->queued + g != o->nwaiting)
				snprintf(why, sizeof(why), "%u queued + %u let "
					 "go, %u waiting", o->queued, g,
					 o->nwaiting);
			break;
		case LS_OBJ_LATCH:
			if (!o->count && (pending || o->queued))
				snprintf(why, sizeof(why), "open, %u pending, "
					 "%u queued", pending, o->queued);
			else if (o->queued + g != o->nwaiting)
				snprintf(why, sizeof(why), "%u queued + %u let "
					 "go, %u waiting", o->queued, g,
					 o->nwaiting);
			break;
		case LS_OBJ_BARRIER:
			if (o->count != pending ||
			    (o->parties && o->count >= o->parties))
				snprintf(why, sizeof(why), "%llu arrived of "
					 "%u, %u pending",
					 (unsigned long long)o->count,
					 o->parties, pending);
			break;
		}
		if (why[0])
			return why;
	}
	return NULL;
}

/* Fold e, after checking it can follow what the model shows. */
static void
fold_one(const struct ls_event *e)
{
	const struct model_object *o = model_object(M, e->obj);
	const char *why;

	if (o && e->kind == LS_EV_LOCK_ACQUIRED)
		ck_assert_msg(!o->owner, "T%u locked %u held by T%u", e->tid,
			      e->obj, o->owner);
	if (o && e->kind == LS_EV_LOCK_DEPTH)
		ck_assert_msg(o->owner == e->tid &&
				      o->depth + 1 == e->arg + !e->aux * 2,
			      "T%u at depth %llu of %u: owner T%u, depth %u",
			      e->tid, (unsigned long long)e->arg, e->obj,
			      o->owner, o->depth);
	model_apply(M, e);
	why = model_consistent(M);
	if (!why)
		why = sync_possible(M);
	ck_assert_msg(!why, "after %s by T%u on %u: %s",
		      ls_event_kind_name(e->kind), e->tid, e->obj, why);
}

/* Fold everything r holds now. */
static void
fold_ready(struct ls_ring *r, struct ls_event *ev)
{
	size_t n, i;

	while ((n = ls_ring_drain(r, ev, FOLD_BATCH)) > 0)
		for (i = 0; i < n; i++)
			fold_one(&ev[i]);
}

/* Fold r into M while g runs, then join g and fold the rest; nothing
 * may have been dropped, lost or healed. */
static void
fold_run(struct ls_ring *r, struct ls_group *g)
{
	struct ls_event *ev = malloc(FOLD_BATCH * sizeof(*ev));

	ck_assert_ptr_nonnull(ev);
	while (ls_group_live(g)) {
		fold_ready(r, ev);
		test_sleep_ns(100000);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	fold_ready(r, ev);
	free(ev);
	model_set_ring_dropped(M, ls_ring_dropped_total(r));
	ck_assert_uint_eq(M->ring_dropped, 0);
	ck_assert_uint_eq(M->lost, 0);
	ck_assert_uint_eq(M->healed, 0);
}

/* A ring whose lanes hold a whole run, so a slow drain drops nothing. */
static struct ls_ring *
ring_new(void)
{
	return test_ring_new(1u << 16, 16);
}

static void
name(struct ls_ring *r, uint32_t id)
{
	char buf[LS_NAME_MAX + 1];
	unsigned kind;

	ck_assert_int_eq(ls_ring_object_info(r, id, &kind, buf, sizeof(buf)),
			 0);
	model_name_object(M, id, kind, buf);
}

/* Every thread of the run but except (a tid, 0 none) is done, waiting
 * for nothing. */
static void
assert_all_done(unsigned except)
{
	unsigned i, n = 0;

	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &M->threads[i];

		if (!t->used || t->tid == except)
			continue;
		n++;
		ck_assert_uint_eq(t->state, LS_STATE_DONE);
		ck_assert_uint_eq(t->waiting_for, 0);
		ck_assert_uint_eq(t->nheld, 0);
	}
	ck_assert_uint_gt(n, 0);
}

static unsigned
sync_threads(void)
{
	unsigned n = (unsigned)test_size("MODEL_SYNC_THREADS", 3, 3);

	return n < 2 ? 2 : n > 8 ? 8 : n;
}

static unsigned
sync_iters(void)
{
	return (unsigned)test_size("MODEL_SYNC_ITERS", 300, 60);
}

/*
 * Turns: n threads take turns round a recursive mutex held two deep
 * (every cond wait lets go of both levels and takes them back) and one
 * condition variable; waits are plain or timed, and wakes a broadcast
 * after a signal or not, or a stray signal that may find nobody.
 */
struct turns {
	struct ls_mutex *m;
	struct ls_cond *c;
	unsigned n, rounds;
	uint64_t seed;
	unsigned turn;		/* guarded by m */
	atomic_int errors;
};

/* Wait for member i's turn, m held two deep.  0, or an error. */
static int
turns_wait(struct turns *s, unsigned i, uint64_t *rng)
{
	int rc;

	while (s->turn != i) {
		if (test_rng_next(rng) & 1)
			rc = ls_cond_wait(s->c, s->m);
		else
			rc = ls_cond_timedwait(s->c, s->m, 200000);
		if (rc && rc != -ETIMEDOUT)
			return rc;
		if (ls_mutex_depth(s->m) != 2)
			return -EPROTO;
	}
	return 0;
}

static void
turns_main(void *p)
{
	struct prim_member *a = p;
	struct turns *s = a->state;
	uint64_t rng = prim_rng(s->seed, a->i);
	unsigned r;
	int rc = 0;

	for (r = 0; r < s->rounds && !rc; r++) {
		test_jitter(&rng);
		if (test_rng_next(&rng) % 4 == 0)
			ls_cond_signal(s->c);
		if (ls_mutex_lock(s->m) || ls_mutex_lock(s->m)) {
			rc = -EPROTO;
			break;
		}
		rc = turns_wait(s, a->i, &rng);
		if (!rc) {
			s->turn = (s->turn + 1) % s->n;
			if (test_rng_next(&rng) & 1)
				ls_cond_signal(s->c);
			ls_cond_broadcast(s->c);
		}
		if (ls_mutex_unlock(s->m) || ls_mutex_unlock(s->m))
			rc = -EPROTO;
	}
	if (rc)
		atomic_fetch_add(&s->errors, 1);
}

START_TEST(test_cond_turns)
{
	struct ls_ring *r = ring_new();
	struct prim_member mem[PRIM_MAX];
	const struct model_object *m, *c;
	struct turns s = {
		.n = sync_threads(),
		.rounds = sync_iters(),
		.seed = test_env_seed("LS_SEED"),
	};
	struct ls_group *g;

	fprintf(stderr, "cond turns: LS_SEED=%llu\n",
		(unsigned long long)s.seed);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "m", &s.m), 0);
	ck_assert_int_eq(ls_cond_create(r, "turn", &s.c), 0);
	name(r, ls_mutex_id(s.m));
	name(r, ls_cond_id(s.c));
	ck_assert_int_eq(ls_group_create(r, "turns", &g), 0);
	prim_spawn_all(g, "T", turns_main, &s, mem, s.n);
	fold_run(r, g);
	ck_assert_int_eq(atomic_load(&s.errors), 0);
	ck_assert_uint_eq(s.turn, 0);
	assert_all_done(0);
	m = obj(ls_mutex_id(s.m));
	c = obj(ls_cond_id(s.c));
	ck_assert_uint_eq(m->owner, 0);
	ck_assert_uint_eq(m->depth, 0);
	ck_assert_uint_eq(c->nwaiting, 0);
	ck_assert_uint_eq(c->queued, 0);
	ck_assert_uint_eq(c->mutex, ls_mutex_id(s.m));
	/* Every wait woke or gave up. */
	ck_assert_uint_eq(c->acquired + c->timeouts, c->contended);
	ck_assert_uint_gt(c->contended, 0);
	fprintf(stderr, "cond turns: %u x %u, %llu waits, %llu timed out, "
		"%llu signals lost\n", s.n, s.rounds,
		(unsigned long long)c->contended,
		(unsigned long long)c->timeouts,
		(unsigned long long)c->lost_signals);
	ls_group_destroy(g);
	ls_cond_destroy(s.c);
	ls_mutex_destroy(s.m);
	ls_ring_destroy(r);
}
END_TEST

/* Rounds: more threads than parties (a round can open while the last
 * one's waiters still sleep), each arriving again at once.  Rounds are
 * made of whoever comes, so arrivals are tickets from one stock: a thread
 * that finishes early never leaves a round nobody can fill. */
struct rounds {
	struct ls_barrier *b;
	unsigned arrivals;
	atomic_uint tickets;	/* arrivals taken */
	uint64_t seed;
	atomic_int errors;
};

static void
rounds_main(void *p)
{
	struct prim_member *a = p;
	struct rounds *s = a->state;
	uint64_t rng = prim_rng(s->seed, a->i);

	while (atomic_fetch_add(&s->tickets, 1) < s->arrivals) {
		test_jitter(&rng);
		if (ls_barrier_wait(s->b) < 0)
			atomic_fetch_add(&s->errors, 1);
	}
}

START_TEST(test_barrier_rounds)
{
	struct ls_ring *r = ring_new();
	struct prim_member mem[PRIM_MAX];
	const struct model_object *b;
	unsigned n = 2 * sync_threads();
	struct rounds s = {
		.arrivals = 2 * sync_iters(),
		.seed = test_env_seed("LS_SEED"),
	};
	struct ls_group *g;

	fprintf(stderr, "barrier rounds: LS_SEED=%llu\n",
		(unsigned long long)s.seed);
	ck_assert_int_eq(ls_barrier_create(r, "b", 2, &s.b), 0);
	name(r, ls_barrier_id(s.b));
	ck_assert_int_eq(ls_group_create(r, "rounds", &g), 0);
	prim_spawn_all(g, "T", rounds_main, &s, mem, n);
	fold_run(r, g);
	ck_assert_int_eq(atomic_load(&s.errors), 0);
	assert_all_done(0);
	b = obj(ls_barrier_id(s.b));
	ck_assert_uint_eq(b->generation, s.arrivals / 2);
	ck_assert_uint_eq(b->generation, ls_barrier_generation(s.b));
	ck_assert_uint_eq(b->parties, 2);
	ck_assert_uint_eq(b->count, 0);
	ck_assert_uint_eq(b->nwaiting, 0);
	/* Every arrival went on: by a release, or released. */
	ck_assert_uint_eq(b->acquired, s.arrivals);
	ls_group_destroy(g);
	ls_barrier_destroy(s.b);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Events: a baton (auto reset) passed among some threads, each setting
 * it for the next when done, so it is never held twice; a gate (manual)
 * that one thread opens and closes while others wait for it, timed.
 */
struct events {
	struct ls_resetevent *baton, *go;
	unsigned rounds, passers;
	uint64_t seed;
	atomic_int inside;
	atomic_int errors;
};

static void
events_passer(struct events *s, uint64_t *rng)
{
	unsigned r;
	int rc;

	for (r = 0; r < s->rounds; r++) {
		test_jitter(rng);
		while ((rc = ls_resetevent_timedwait(s->baton, 300000)) ==
		       -ETIMEDOUT)
			;
		if (rc || atomic_fetch_add(&s->inside, 1))
			atomic_fetch_add(&s->errors, 1);
		test_jitter(rng);
		atomic_fetch_sub(&s->inside, 1);
		ls_resetevent_set(s->baton);
	}
}

static void
events_main(void *p)
{
	struct prim_member *a = p;
	struct events *s = a->state;
	uint64_t rng = prim_rng(s->seed, a->i);
	unsigned r;
	int rc;

	if (a->i < s->passers) {
		events_passer(s, &rng);
		return;
	}
	for (r = 0; r < s->rounds; r++) {
		test_jitter(&rng);
		if (a->i == s->passers) {
			ls_resetevent_set(s->go);
			test_jitter(&rng);
			rc = ls_resetevent_reset(s->go);
		} else {
			rc = ls_resetevent_timedwait(s->go, 100000);
		}
		if (rc && rc != -ETIMEDOUT)
			atomic_fetch_add(&s->errors, 1);
	}
}

START_TEST(test_reset_events)
{
	struct ls_ring *r = ring_new();
	struct prim_member mem[PRIM_MAX];
	const struct model_object *baton, *go;
	struct events s = {
		.rounds = sync_iters(),
		.passers = sync_threads(),
		.seed = test_env_seed("LS_SEED"),
	};
	struct ls_group *g;

	fprintf(stderr, "reset events: LS_SEED=%llu\n",
		(unsigned long long)s.seed);
	ck_assert_int_eq(ls_resetevent_create(r, "baton", LS_RESETEVENT_AUTO,
					      true, &s.baton),
			 0);
	ck_assert_int_eq(ls_resetevent_create(r, "go", LS_RESETEVENT_MANUAL,
					      false, &s.go),
			 0);
	name(r, ls_resetevent_id(s.baton));
	name(r, ls_resetevent_id(s.go));
	ck_assert_int_eq(ls_group_create(r, "events", &g), 0);
	/* The passers, the one who opens and closes go, two who wait. */
	prim_spawn_all(g, "T", events_main, &s, mem, s.passers + 3);
	fold_run(r, g);
	ck_assert_int_eq(atomic_load(&s.errors), 0);
	assert_all_done(0);
	baton = obj(ls_resetevent_id(s.baton));
	go = obj(ls_resetevent_id(s.go));
	/* The last pass set the baton for nobody; go was closed last. */
	ck_assert(baton->set);
	ck_assert(!go->set);
	ck_assert_uint_eq(baton->acquired, s.passers * s.rounds);
	ck_assert_uint_eq(baton->queued, 0);
	ck_assert_uint_eq(go->queued, 0);
	ck_assert_uint_eq(go->nwaiting, 0);
	ls_group_destroy(g);
	ls_resetevent_destroy(s.baton);
	ls_resetevent_destroy(s.go);
	ls_ring_destroy(r);
}
END_TEST

/* A latch: workers count it down, two threads wait for it (plainly, and
 * timed until it opens), then wait again (at once) and count it down
 * once too often. */
struct countdown {
	struct ls_latch *l;
	unsigned workers, downs;
	uint64_t seed;
	atomic_int errors;
};

static void
countdown_main(void *p)
{
	struct prim_member *a = p;
	struct countdown *s = a->state;
	uint64_t rng = prim_rng(s->seed, a->i);
	unsigned k;
	int rc;

	if (a->i < s->workers) {
		for (k = 0; k < s->downs; k++) {
			test_jitter(&rng);
			if (ls_latch_count_down(s->l, 1))
				atomic_fetch_add(&s->errors, 1);
		}
		return;
	}
	if (a->i == s->workers)
		rc = ls_latch_wait(s->l);
	else
		while ((rc = ls_latch_timedwait(s->l, 50000)) == -ETIMEDOUT)
			;
	if (rc || ls_latch_wait(s->l) ||
	    ls_latch_count_down(s->l, 1) != -ERANGE)
		atomic_fetch_add(&s->errors, 1);
}

START_TEST(test_latch_opens)
{
	struct ls_ring *r = ring_new();
	struct prim_member mem[PRIM_MAX];
	const struct model_object *l;
	struct countdown s = {
		.workers = sync_threads(),
		.downs = sync_iters(),
		.seed = test_env_seed("LS_SEED"),
	};
	struct ls_group *g;

	fprintf(stderr, "latch: LS_SEED=%llu\n", (unsigned long long)s.seed);
	ck_assert_int_eq(ls_latch_create(r, "done", s.workers * s.downs, &s.l),
			 0);
	name(r, ls_latch_id(s.l));
	ck_assert_int_eq(ls_group_create(r, "latch", &g), 0);
	prim_spawn_all(g, "T", countdown_main, &s, mem, s.workers + 2);
	fold_run(r, g);
	ck_assert_int_eq(atomic_load(&s.errors), 0);
	assert_all_done(0);
	l = obj(ls_latch_id(s.l));
	ck_assert_uint_eq(l->count, 0);
	ck_assert_uint_eq(l->queued, 0);
	ck_assert_uint_eq(l->nwaiting, 0);
	/* Two waits each, all through; one underflow each. */
	ck_assert_uint_eq(l->acquired, 4);
	ck_assert_uint_eq(l->errors, 2);
	ls_group_destroy(g);
	ls_latch_destroy(s.l);
	ls_ring_destroy(r);
}
END_TEST

/* Nesting: each thread locks a recursive mutex 1 to 4 deep, by lock,
 * trylock or timedlock, and unwinds. */
struct nest {
	struct ls_mutex *m;
	unsigned rounds;
	uint64_t seed;
	unsigned long counter;	/* guarded by m */
	atomic_int errors;
};

/* Take m one level deeper, by any of its ways in. */
static int
nest_lock(struct nest *s, uint64_t *rng)
{
	int rc;

	switch (test_rng_next(rng) % 3) {
	case 0:
		rc = ls_mutex_trylock(s->m);
		break;
	case 1:
		rc = ls_mutex_timedlock(s->m, 100000);
		break;
	default:
		rc = ls_mutex_lock(s->m);
		break;
	}
	return rc == -EBUSY || rc == -ETIMEDOUT ? ls_mutex_lock(s->m) : rc;
}

static void
nest_main(void *p)
{
	struct prim_member *a = p;
	struct nest *s = a->state;
	uint64_t rng = prim_rng(s->seed, a->i);
	unsigned r, d, depth;

	for (r = 0; r < s->rounds; r++) {
		test_jitter(&rng);
		depth = 1 + (unsigned)(test_rng_next(&rng) % 4);
		for (d = 0; d < depth; d++)
			if (nest_lock(s, &rng))
				atomic_fetch_add(&s->errors, 1);
		if (ls_mutex_depth(s->m) != depth)
			atomic_fetch_add(&s->errors, 1);
		s->counter++;
		test_jitter(&rng);
		for (d = 0; d < depth; d++)
			if (ls_mutex_unlock(s->m))
				atomic_fetch_add(&s->errors, 1);
	}
}

START_TEST(test_recursive_nesting)
{
	struct ls_ring *r = ring_new();
	struct prim_member mem[PRIM_MAX];
	const struct model_object *m;
	struct nest s = {
		.rounds = sync_iters(),
		.seed = test_env_seed("LS_SEED"),
	};
	unsigned n = sync_threads();
	struct ls_group *g;

	fprintf(stderr, "nesting: LS_SEED=%llu\n", (unsigned long long)s.seed);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "rm", &s.m), 0);
	name(r, ls_mutex_id(s.m));
	ck_assert_int_eq(ls_group_create(r, "nest", &g), 0);
	prim_spawn_all(g, "T", nest_main, &s, mem, n);
	fold_run(r, g);
	ck_assert_int_eq(atomic_load(&s.errors), 0);
	ck_assert_uint_eq(s.counter, n * s.rounds);
	assert_all_done(0);
	m = obj(ls_mutex_id(s.m));
	ck_assert_uint_eq(m->owner, 0);
	ck_assert_uint_eq(m->depth, 0);
	ck_assert_uint_eq(m->acquired, n * s.rounds);
	ls_group_destroy(g);
	ls_mutex_destroy(s.m);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Cancels: k members of a group block in op on obj_id; the group is
 * cancelled in the middle of their waits and joined, and the model,
 * folding it all, shows them gone: nobody waiting or queued, every wait
 * counted cancelled.
 */
static void
fold_cancel(struct ls_ring *r, struct ls_lane *lane, prim_op_fn op,
	    void *obj_arg, uint32_t obj_id, unsigned k)
{
	struct ls_event *ev = malloc(FOLD_BATCH * sizeof(*ev));
	const struct model_object *o;
	struct prim_run run;
	struct ls_group *g;
	unsigned i;
	struct control ctl;

	ck_assert_ptr_nonnull(ev);
	name(r, obj_id);
	prim_run_init(&run, op, obj_arg);
	g = prim_group_attached(r, "cancel", &ctl);
	for (i = 0; i < k; i++)
		prim_spawn(g, &run, i, "W");
	prim_wait_blocked(&ctl, obj_id, k);
	fold_ready(r, ev);
	o = obj(obj_id);
	ck_assert_uint_eq(o->nwaiting, k);
	ls_group_cancel(g);
	ck_assert_int_eq(ls_group_join(g), 0);
	control_stop(&ctl);
	ls_group_destroy(g);
	fold_ready(r, ev);
	free(ev);
	for (i = 0; i < k; i++)
		ck_assert_int_eq(prim_rc(&run, i), -ECANCELED);
	ck_assert_uint_eq(o->nwaiting, 0);
	ck_assert_uint_eq(o->queued, 0);
	ck_assert_uint_eq(o->cancelled, k);
	ck_assert_uint_eq(granted_on(M, o), 0);
	assert_all_done(ls_lane_tid(lane));
}

static int
op_cond_wait(void *p, unsigned i)
{
	struct turns *s = p;
	int rc;

	(void)i;
	rc = ls_mutex_lock(s->m);
	return rc ? rc : ls_cond_wait(s->c, s->m);
}

static int
op_barrier_wait(void *p, unsigned i)
{
	(void)i;
	return ls_barrier_wait(p);
}

static int
op_event_wait(void *p, unsigned i)
{
	(void)i;
	return ls_resetevent_wait(p);
}

static int
op_latch_wait(void *p, unsigned i)
{
	(void)i;
	return ls_latch_wait(p);
}

static int
op_lock(void *p, unsigned i)
{
	(void)i;
	return ls_mutex_lock(p);
}

START_TEST(test_cancel_each_wait)
{
	struct ls_ring *r = ring_new();
	struct ls_lane *lane = test_lane_bind(r, "main");
	unsigned k = sync_threads();
	struct ls_resetevent *e;
	struct turns s = { 0 };
	struct ls_barrier *b;
	struct ls_latch *l;

	ck_assert_ptr_nonnull(lane);
	ck_assert_int_eq(ls_mutex_create_recursive(r, "m", &s.m), 0);
	ck_assert_int_eq(ls_cond_create(r, "c", &s.c), 0);
	name(r, ls_mutex_id(s.m));
	fold_cancel(r, lane, op_cond_wait, &s, ls_cond_id(s.c), k);
	ck_assert_uint_eq(obj(ls_mutex_id(s.m))->owner, 0);

	ck_assert_int_eq(ls_barrier_create(r, "b", k + 1, &b), 0);
	fold_cancel(r, lane, op_barrier_wait, b, ls_barrier_id(b), k);
	ck_assert_uint_eq(obj(ls_barrier_id(b))->count, 0);

	ck_assert_int_eq(ls_resetevent_create(r, "e", LS_RESETEVENT_MANUAL,
					      false, &e),
			 0);
	fold_cancel(r, lane, op_event_wait, e, ls_resetevent_id(e), k);

	ck_assert_int_eq(ls_latch_create(r, "l", 1, &l), 0);
	fold_cancel(r, lane, op_latch_wait, l, ls_latch_id(l), k);
	ck_assert_uint_eq(obj(ls_latch_id(l))->count, 1);

	/* The test thread holds the recursive mutex two deep meanwhile. */
	ck_assert_int_eq(ls_mutex_lock(s.m), 0);
	ck_assert_int_eq(ls_mutex_lock(s.m), 0);
	fold_cancel(r, lane, op_lock, s.m, ls_mutex_id(s.m), k);
	ck_assert_uint_eq(obj(ls_mutex_id(s.m))->depth, 2);
	ck_assert_int_eq(ls_mutex_unlock(s.m), 0);
	ck_assert_int_eq(ls_mutex_unlock(s.m), 0);
	test_lane_unbind(lane);

	ls_latch_destroy(l);
	ls_resetevent_destroy(e);
	ls_barrier_destroy(b);
	ls_cond_destroy(s.c);
	ls_mutex_destroy(s.m);
	ls_ring_destroy(r);
}
END_TEST

static Suite *
model_sync_threads_suite(void)
{
	Suite *s = suite_create("model_sync_threads");
	TCase *tc = tcase_create("real threads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cond_turns);
	tcase_add_test(tc, test_barrier_rounds);
	tcase_add_test(tc, test_reset_events);
	tcase_add_test(tc, test_latch_opens);
	tcase_add_test(tc, test_recursive_nesting);
	tcase_add_test(tc, test_cancel_each_wait);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(model_sync_threads_suite());
}
