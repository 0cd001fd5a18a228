/*
 * check_cancel_rule.c - one rule for cancelled waiters in every primitive
 * (engine-int.h): nothing is handed to a waiter whose group is cancelled,
 * and nothing is lost when waiters are cancelled at random.
 *
 * Each round, of a seeded random shape, blocks a mix of victims (members
 * of the group that will be cancelled) and live members (of another
 * group) on one primitive that the test holds unavailable, in a random
 * order and with blocking or timed waits; then it cancels the victims'
 * group and makes the resource available: a mutex or a rwlock unlocked,
 * units posted, items pushed for consumers, items popped under producers,
 * room made for pool submitters.  In an ordered round the resource comes
 * after the cancel: every victim must return -ECANCELED with nothing, and
 * every live member must get what it waited for.  In a raced round it
 * comes from this thread while another cancels: a victim may win its
 * grant, and must then own what it got.  In every round everything is
 * accounted for: each unit, item, queued task or the lock itself is held
 * by exactly one member that says it got it, or is still where the next
 * arrival finds it.
 *
 * Threads the tests start never call ck_assert: they record what they
 * got, and the test asserts after joining them.  The test waits for each
 * member to be queued by polling the primitive's waiter count (bounded by
 * the test's timeout), never by sleeping a guessed time.
 *
 * Sizes: LS_CANCEL_RULE_ROUNDS (rounds per primitive).  LS_CANCEL_SEED
 * replays a run (the seed is printed).
 */
#include "checkutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "lockstep/bqueue.h"
#include "lockstep/mutex.h"
#include "lockstep/pool.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"

#define MAXM 8			/* members of a round */
#define MAXCAP 4		/* a queue's capacity */
#define PENDING 1		/* a member's rc before its wait returned */
#define LONG_NS (3600ull * 1000000000u)	/* a timeout that never fires */
#define FILLER 1000u		/* the test's own items count from here */

enum prim {
	P_MUTEX,
	P_SEM,
	P_POP,		/* consumers of a bqueue */
	P_PUSH,		/* producers of a bqueue */
	P_RWLOCK,
	P_SUBMIT,	/* submitters of a pool with a full queue */
	P_COUNT,
};

static const char *const prim_names[P_COUNT] = {
	"mutex", "sem", "bqueue pop", "bqueue push", "rwlock", "pool submit",
};

static uint64_t seed;

struct round;

struct member {
	struct round *r;
	bool victim;		/* in the group that is cancelled */
	bool timed;		/* the timed form of the wait */
	bool write;		/* rwlock: a writer */
	int prio;		/* pool: its task's priority */
	uintptr_t item;		/* push: what it brings; pop: what it got */
	_Atomic int rc;		/* its wait's result, PENDING before */
	_Atomic unsigned ran;	/* pool: times its task ran */
};

struct round {
	enum prim kind;
	bool race;		/* the cancel races the resource */
	unsigned n, cap, extra;
	struct member m[MAXM];
	struct ls_group *gv, *gl;	/* victims, live */
	struct ls_group *gp;		/* the pool's workers */
	struct ls_mutex *mu;
	struct ls_sem *sem;
	struct ls_bqueue *q;
	struct ls_rwlock *rw;
	struct ls_pool *pool;
	struct test_latch hold;	/* holds the pool's only worker */
	_Atomic unsigned filler_ran;
	uint64_t rng;		/* this thread's */
	uint64_t cancel_rng;	/* the canceller's, set before it starts */
	/* What the test put in (pushed, posted) or took out (popped). */
	unsigned given;
	uintptr_t taken[MAXM + MAXCAP];
	unsigned ntaken;
};

/* Holds the pool's only worker until the test opens the latch. */
static int
hold_task(void *latch)
{
	test_latch_arrive_wait(latch);
	return 0;
}

static int
member_task(void *arg)
{
	atomic_fetch_add(&((struct member *)arg)->ran, 1);
	return 0;
}

static int
filler_task(void *arg)
{
	atomic_fetch_add((_Atomic unsigned *)arg, 1);
	return 0;
}

static int
rwlock_take(struct member *me)
{
	struct ls_rwlock *l = me->r->rw;

	if (me->write)
		return me->timed ? ls_rwlock_timedwrlock(l, LONG_NS)
				 : ls_rwlock_wrlock(l);
	return me->timed ? ls_rwlock_timedrdlock(l, LONG_NS)
			 : ls_rwlock_rdlock(l);
}

/* One blocking operation; the lock is given back at once, a unit or an
 * item is kept (the test counts it). */
static void
member_main(void *arg)
{
	struct member *me = arg;
	struct round *r = me->r;
	struct ls_task t = { .fn = member_task, .arg = me };
	void *item = NULL;
	int rc = -EINVAL;

	switch (r->kind) {
	case P_MUTEX:
		rc = me->timed ? ls_mutex_timedlock(r->mu, LONG_NS)
			       : ls_mutex_lock(r->mu);
		if (!rc)
			ls_mutex_unlock(r->mu);
		break;
	case P_SEM:
		rc = me->timed ? ls_sem_timedwait(r->sem, LONG_NS)
			       : ls_sem_wait(r->sem);
		break;
	case P_POP:
		rc = me->timed ? ls_bqueue_timedpop(r->q, &item, LONG_NS)
			       : ls_bqueue_pop(r->q, &item);
		if (!rc)
			me->item = (uintptr_t)item;
		break;
	case P_PUSH:
		item = (void *)me->item;
		rc = me->timed ? ls_bqueue_timedpush(r->q, item, LONG_NS)
			       : ls_bqueue_push(r->q, item);
		break;
	case P_RWLOCK:
		rc = rwlock_take(me);
		if (!rc)
			ls_rwlock_unlock(r->rw);
		break;
	case P_SUBMIT:
		t.priority = me->prio;
		rc = ls_pool_submit_timed(r->pool, &t,
					  me->timed ? LONG_NS
						    : LS_POOL_FOREVER,
					  NULL);
		break;
	default:
		break;
	}
	atomic_store(&me->rc, rc);
}

/* Members queued on the primitive now. */
static unsigned
round_queued(struct round *r)
{
	struct ls_rwlock_stats rs;
	struct ls_pool_stats ps;

	switch (r->kind) {
	case P_MUTEX:
		return ls_mutex_waiters(r->mu);
	case P_SEM:
		return ls_sem_waiters(r->sem);
	case P_POP:
		return ls_bqueue_waiting_pop(r->q);
	case P_PUSH:
		return ls_bqueue_waiting_push(r->q);
	case P_RWLOCK:
		ls_rwlock_stats(r->rw, &rs);
		return rs.readers_waiting + rs.writers_waiting;
	case P_SUBMIT:
	default:
		ls_pool_stats(r->pool, &ps);
		return ps.waiting;
	}
}

/* The primitive, held unavailable by the test. */
static void
round_setup(struct round *r)
{
	struct ls_pool_config cfg = {
		.name = "pool", .min_workers = 1, .max_workers = 1,
		.capacity = r->cap,
	};
	struct ls_task hold = { .fn = hold_task };
	struct ls_task filler = { .fn = filler_task };
	unsigned i;

	switch (r->kind) {
	case P_MUTEX:
		ck_assert_int_eq(ls_mutex_create(NULL, "m", &r->mu), 0);
		ck_assert_int_eq(ls_mutex_lock(r->mu), 0);
		break;
	case P_SEM:
		ck_assert_int_eq(ls_sem_create(NULL, "s", 0, &r->sem), 0);
		break;
	case P_POP:
	case P_PUSH:
		ck_assert_int_eq(ls_bqueue_create(NULL, "q", r->cap, &r->q),
				 0);
		for (i = 0; r->kind == P_PUSH && i < r->cap; i++)
			ck_assert_int_eq(ls_bqueue_trypush(r->q,
					 (void *)(uintptr_t)(FILLER + i)), 0);
		break;
	case P_RWLOCK:
		ck_assert_int_eq(ls_rwlock_create(NULL, "l",
				 (enum ls_rwlock_policy)(test_rng_next(&r->rng) %
							 LS_RWLOCK_POLICY_COUNT),
				 &r->rw), 0);
		ck_assert_int_eq(ls_rwlock_wrlock(r->rw), 0);
		break;
	case P_SUBMIT:
	default:
		ck_assert_int_eq(ls_group_create(NULL, "workers", &r->gp), 0);
		ck_assert_int_eq(ls_pool_create(r->gp, &cfg, &r->pool), 0);
		hold.arg = &r->hold;
		ck_assert_int_eq(ls_pool_submit(r->pool, &hold, NULL), 0);
		test_latch_wait_arrived(&r->hold, 1);
		filler.arg = &r->filler_ran;
		for (i = 0; i < r->cap; i++)
			ck_assert_int_eq(ls_pool_submit(r->pool, &filler, NULL),
					 0);
		break;
	}
}

/* How many members of each side. */
static unsigned
round_count(const struct round *r, bool victims)
{
	unsigned i, k = 0;

	for (i = 0; i < r->n; i++)
		k += r->m[i].victim == victims;
	return k;
}

/* Make the resource available: enough for every live member and extra
 * more; from the test's own thread. */
static void
round_release(struct round *r)
{
	unsigned i, k = round_count(r, false) + r->extra;
	void *item;

	switch (r->kind) {
	case P_MUTEX:
		ck_assert_int_eq(ls_mutex_unlock(r->mu), 0);
		break;
	case P_SEM:
		for (i = 0; i < k; i++)
			ck_assert_int_eq(ls_sem_post(r->sem), 0);
		r->given += k;
		break;
	case P_POP:
		/* Live consumers and the queue's room take them all, even
		 * when victims win some. */
		for (i = 0; i < k; i++)
			ck_assert_int_eq(ls_bqueue_trypush(r->q,
					 (void *)(uintptr_t)(i + 1)), 0);
		r->given += k;
		break;
	case P_PUSH:
		for (i = 0; i < k; i++) {
			ck_assert_int_eq(ls_bqueue_trypop(r->q, &item), 0);
			r->taken[r->ntaken++] = (uintptr_t)item;
		}
		break;
	case P_RWLOCK:
		ck_assert_int_eq(ls_rwlock_unlock(r->rw), 0);
		break;
	case P_SUBMIT:
	default:
		test_latch_open(&r->hold);
		break;
	}
}

static void *
canceller_main(void *arg)
{
	struct round *r = arg;
	uint64_t rng = r->cancel_rng;

	test_jitter(&rng);
	ls_group_cancel(r->gv);
	return NULL;
}

/* The cancel, and the resource after it or racing it. */
static void
round_cancel(struct round *r)
{
	pthread_t th;

	if (!r->race) {
		ls_group_cancel(r->gv);
		round_release(r);
		return;
	}
	r->cancel_rng = test_rng_next(&r->rng);
	ck_assert_int_eq(pthread_create(&th, NULL, canceller_main, r), 0);
	test_jitter(&r->rng);
	round_release(r);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}

/* Is x among the n values of v, exactly once? */
static unsigned
count_of(const uintptr_t *v, unsigned n, uintptr_t x)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		k += v[i] == x;
	return k;
}

/* What each side got, and where everything went. */
static void
round_check(struct round *r)
{
	uintptr_t seen[2 * (MAXM + MAXCAP)];
	unsigned i, nseen = 0, units = 0, value;
	struct ls_pool_stats ps;
	void *item;
	int rc;

	for (i = 0; i < r->n; i++) {
		struct member *me = &r->m[i];

		rc = atomic_load(&me->rc);
		ck_assert_msg(rc == 0 || rc == -ECANCELED || rc == -EPIPE,
			      "%s member %u: %d (LS_CANCEL_SEED=%" PRIu64 ")",
			      prim_names[r->kind], i, rc, seed);
		if (r->race)
			continue;
		/* Ordered: a victim gets nothing, a live member all. */
		ck_assert_msg(rc == (me->victim ? -ECANCELED : 0),
			      "%s %s member %u returned %d "
			      "(LS_CANCEL_SEED=%" PRIu64 ")",
			      prim_names[r->kind],
			      me->victim ? "cancelled" : "live", i, rc, seed);
	}
	switch (r->kind) {
	case P_MUTEX:
		ck_assert_uint_eq(ls_mutex_waiters(r->mu), 0);
		ck_assert_int_eq(ls_mutex_trylock(r->mu), 0);
		ck_assert_int_eq(ls_mutex_unlock(r->mu), 0);
		break;
	case P_SEM:
		for (i = 0; i < r->n; i++)
			units += atomic_load(&r->m[i].rc) == 0;
		value = ls_sem_value(r->sem);
		ck_assert_msg(units + value == r->given,
			      "sem: %u taken + %u left != %u posted "
			      "(LS_CANCEL_SEED=%" PRIu64 ")",
			      units, value, r->given, seed);
		break;
	case P_POP:
		for (i = 0; i < r->n; i++)
			if (atomic_load(&r->m[i].rc) == 0)
				seen[nseen++] = r->m[i].item;
		while (ls_bqueue_trypop(r->q, &item) == 0)
			seen[nseen++] = (uintptr_t)item;
		ck_assert_uint_eq(nseen, r->given);
		for (i = 1; i <= r->given; i++)
			ck_assert_msg(count_of(seen, nseen, i) == 1,
				      "item %u seen %u times "
				      "(LS_CANCEL_SEED=%" PRIu64 ")",
				      i, count_of(seen, nseen, i), seed);
		break;
	case P_PUSH:
		for (i = 0; i < r->ntaken; i++)
			seen[nseen++] = r->taken[i];
		while (ls_bqueue_trypop(r->q, &item) == 0)
			seen[nseen++] = (uintptr_t)item;
		for (i = 0; i < r->cap; i++)
			ck_assert_uint_eq(count_of(seen, nseen, FILLER + i), 1);
		for (i = 0; i < r->n; i++)
			ck_assert_msg(count_of(seen, nseen, r->m[i].item) ==
					      (atomic_load(&r->m[i].rc) == 0),
				      "producer %u (rc %d): item seen %u "
				      "times (LS_CANCEL_SEED=%" PRIu64 ")",
				      i, atomic_load(&r->m[i].rc),
				      count_of(seen, nseen, r->m[i].item),
				      seed);
		break;
	case P_RWLOCK:
		ck_assert_int_eq(ls_rwlock_trywrlock(r->rw), 0);
		ck_assert_int_eq(ls_rwlock_unlock(r->rw), 0);
		break;
	case P_SUBMIT:
	default:
		ck_assert_int_eq(ls_pool_wait_idle(r->pool, LS_POOL_FOREVER),
				 0);
		ck_assert_uint_eq(atomic_load(&r->filler_ran), r->cap);
		for (i = 0; i < r->n; i++)
			ck_assert_msg(atomic_load(&r->m[i].ran) ==
					      (atomic_load(&r->m[i].rc) == 0),
				      "submitter %u (rc %d): task ran %u "
				      "times (LS_CANCEL_SEED=%" PRIu64 ")",
				      i, atomic_load(&r->m[i].rc),
				      atomic_load(&r->m[i].ran), seed);
		ls_pool_stats(r->pool, &ps);
		ck_assert_uint_eq(ps.submitted, ps.completed);
		ck_assert_uint_eq(ps.dropped, 0);
		break;
	}
}

/* Let whoever still waits go, so every member can be joined: a queue is
 * closed (a consumer whose item a victim won gets -EPIPE), units a victim
 * won are made up for. */
static void
round_unblock(struct round *r)
{
	unsigned i, won = 0;

	if (r->kind == P_POP || r->kind == P_PUSH) {
		ck_assert_int_eq(ls_bqueue_close(r->q), 0);
	} else if (r->kind == P_SEM) {
		for (i = 0; i < r->n; i++)
			won += r->m[i].victim &&
			       atomic_load(&r->m[i].rc) == 0;
		for (i = 0; i < won; i++)
			ck_assert_int_eq(ls_sem_post(r->sem), 0);
		r->given += won;
	}
}

static void
round_free(struct round *r)
{
	ls_group_destroy(r->gv);
	ls_group_destroy(r->gl);
	ls_mutex_destroy(r->mu);
	ls_sem_destroy(r->sem);
	ls_bqueue_destroy(r->q);
	if (r->rw)
		ck_assert_int_eq(ls_rwlock_destroy(r->rw), 0);
	if (r->pool) {
		ck_assert_int_eq(ls_pool_shutdown(r->pool, LS_POOL_DRAIN,
						  NULL), 0);
		ls_pool_destroy(r->pool);
		ls_group_destroy(r->gp);
	}
	test_latch_destroy(&r->hold);
}

static void
round_run(enum prim kind, uint64_t *rng)
{
	struct round r = { .kind = kind };
	unsigned i, nv = 0;

	r.rng = test_rng_next(rng);
	r.race = test_rng_next(rng) % 3 == 0;
	r.n = 2 + (unsigned)(test_rng_next(rng) % (MAXM - 1));
	r.cap = 1 + (unsigned)(test_rng_next(rng) % MAXCAP);
	/* Up to the queue's capacity: what the live members do not take
	 * then fits in the queue (or under the producers). */
	r.extra = (unsigned)(test_rng_next(rng) % (r.cap + 1));
	test_latch_init(&r.hold);
	ck_assert_int_eq(ls_group_create(NULL, "victims", &r.gv), 0);
	ck_assert_int_eq(ls_group_create(NULL, "live", &r.gl), 0);
	round_setup(&r);
	for (i = 0; i < r.n; i++) {
		uint64_t x = test_rng_next(rng);
		struct member *me = &r.m[i];

		*me = (struct member){
			.r = &r,
			.victim = x & 1,
			.timed = (x >> 1) & 1,
			.write = (x >> 2) & 1,
			.prio = (int)((x >> 3) % 4),
			.item = 100 + i,
		};
		atomic_init(&me->rc, PENDING);
		atomic_init(&me->ran, 0);
		nv += me->victim;
	}
	if (!nv)
		r.m[test_rng_next(rng) % r.n].victim = true;
	/* One at a time, each queued before the next comes. */
	for (i = 0; i < r.n; i++) {
		ck_assert_int_eq(ls_thread_spawn(r.m[i].victim ? r.gv : r.gl,
						 "member", member_main,
						 &r.m[i]), 0);
		while (round_queued(&r) < i + 1)
			test_sleep_ns(20000);
	}
	round_cancel(&r);
	ck_assert_int_eq(ls_group_join(r.gv), 0);
	round_unblock(&r);
	ck_assert_int_eq(ls_group_join(r.gl), 0);
	round_check(&r);
	round_free(&r);
}

START_TEST(test_nothing_lost)
{
	unsigned rounds = (unsigned)test_size("LS_CANCEL_RULE_ROUNDS", 400,
					      60);
	uint64_t rng = seed ^ (uint64_t)_i * 0x9e3779b97f4a7c15ull;
	unsigned k;

	for (k = 0; k < rounds; k++)
		round_run((enum prim)_i, &rng);
}
END_TEST

static Suite *
cancel_rule_suite(void)
{
	Suite *s = suite_create("cancel_rule");
	TCase *tc = tcase_create("rounds");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_nothing_lost, 0, P_COUNT);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	seed = test_env_seed("LS_CANCEL_SEED");
	printf("check_cancel_rule: seed=%" PRIu64
	       " (replay: LS_CANCEL_SEED=%" PRIu64 ")\n", seed, seed);
	fflush(stdout);
	return test_run_suite(cancel_rule_suite());
}
