/*
 * check_rwlock_want.c - a writer spinning for readers to leave claims the
 * lock (WANT, rwlock.c's top comment), under writer preference only: while
 * it holds the claim no reader or writer goes in ahead of it, by the fast
 * path or by mu; it takes the claim to mu when it queues; and it leaves no
 * claim behind.  That the grant hands out nothing while the claim stands
 * needs a release to run it between a reader queueing and the writer
 * reaching mu, a window this suite cannot hold open; the storms of
 * check_rwlock_stress would hang on a grant lost there.
 *
 * The spin budget is set on the lock by hand (rwlock-int.h), seconds long
 * where a writer must be caught spinning: each test waits for a fact (the
 * claim published, a waiter queued), never for a time, and the case's
 * timeout catches a hang.
 */
#include "rwlockutil.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "engine/rwlock-int.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

/* Spin budgets: long enough that a writer is still spinning when the test
 * looks, on any machine; and none at all (below RW_SPIN_MIN_NS). */
#define SPIN_LONG UINT32_MAX
#define SPIN_NONE 0u

static uint32_t
word(struct ls_rwlock *l)
{
	return atomic_load(&l->state);
}

static void
set_spin(struct ls_rwlock *l, uint32_t ns)
{
	atomic_store(&l->spin_ns, ns);
}

/* A writer-preferring lock that the test holds for reading, with budget
 * as its spin, and a writer w asking for it on g (holding it, once in,
 * until w->go when hold). */
static struct ls_rwlock *
writer_behind_test_reader(struct ls_group **g, struct actor *w,
			  uint32_t budget, bool hold)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_WRITER_PREF);

	*g = mk_group(NULL);
	set_spin(l, budget);
	ck_assert_int_eq(ls_rwlock_rdlock(l), 0);
	actor_start(*g, w, l, OP_WR, hold);
	return l;
}

/* One look of a spinning writer at a lock with one reader inside, under
 * each policy: only writer preference claims it. */
START_TEST(test_claim_by_policy)
{
	unsigned i;

	for (i = 0; i < NPOLICIES; i++) {
		struct ls_rwlock *l = mk(policies[i]);
		bool want = false, claims = policies[i] ==
					    LS_RWLOCK_WRITER_PREF;
		uint32_t s;

		atomic_store(&l->state, RW_READER);
		s = word(l);
		ck_assert(!rwlock_spin_write(l, &s, &want));
		ck_assert_int_eq(want, claims);
		ck_assert_uint_eq(word(l), claims ? RW_READER | RW_WANT
						  : RW_READER);
		/* A claimed lock goes in as the last reader leaves, and the
		 * claim goes with the entry. */
		atomic_store(&l->state, claims ? RW_WANT : 0);
		s = word(l);
		ck_assert(rwlock_spin_write(l, &s, &want));
		ck_assert_uint_eq(word(l), RW_WRITER);
		atomic_store(&l->state, 0);
		ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	}
}
END_TEST

/* A second writer never claims over the first, and never goes in on a
 * word that is free but for another's claim. */
START_TEST(test_one_claim)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_WRITER_PREF);
	bool want = false;
	uint32_t s;

	atomic_store(&l->state, RW_READER | RW_WANT);
	s = word(l);
	ck_assert(!rwlock_spin_write(l, &s, &want));
	ck_assert(!want);
	atomic_store(&l->state, RW_WANT);
	s = word(l);
	ck_assert(!rwlock_spin_write(l, &s, &want));
	ck_assert(!want);
	ck_assert_uint_eq(word(l), RW_WANT);
	atomic_store(&l->state, 0);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/*
 * The claim at work: the test holds the lock for reading, a writer spins
 * for it with a long budget and claims it.  Then tries of either mode are
 * refused at once, a timed wait of no time (which goes to mu without
 * spinning) is refused there, and once the test lets go the writer goes
 * in.
 */
START_TEST(test_claim_holds_arrivals_off)
{
	struct ls_group *g;
	struct actor w;
	struct ls_rwlock *l = writer_behind_test_reader(&g, &w, SPIN_LONG,
							true);

	WAIT_UNTIL(word(l) & RW_WANT);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), -EBUSY);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYWR, 0), -EBUSY);
	/* Tries never set SLOW, so the claim stands. */
	ck_assert_uint_eq(word(l), RW_READER | RW_WANT);
	/* A timed wait sets SLOW at mu, which may send the writer there
	 * too: after it, the writer spins or has queued. */
	ck_assert_int_eq(op_elsewhere(l, OP_TIMEDRD, 0), -ETIMEDOUT);
	ck_assert_int_eq(op_elsewhere(l, OP_TIMEDWR, 0), -ETIMEDOUT);
	ck_assert_uint_eq(stats(l).readers, 1);
	ck_assert_uint_eq(stats(l).readers_waiting, 0);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	WAIT_UNTIL(atomic_load(&w.in));
	ck_assert_uint_eq(word(l), RW_WRITER);
	ck_assert_int_eq(sem_post(&w.go), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.unlock_rc), 0);
	ck_assert_uint_eq(word(l), 0);
	ls_group_destroy(g);
	sem_destroy(&w.go);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/*
 * A reader that does not spin meets the claim at mu: it queues, though no
 * writer has queued yet.  Its queueing sends the writer to mu, which
 * queues ahead of it in the policy's eyes (a writer waiting), clearing the
 * claim.  Released, the lock goes to the writer, then the reader.
 */
START_TEST(test_claim_taken_to_mu)
{
	struct ls_group *g;
	struct actor w, r;
	struct ls_rwlock_stats st;
	struct ls_rwlock *l;

	admit_seq = admit_done = 0;
	l = writer_behind_test_reader(&g, &w, SPIN_LONG, false);
	WAIT_UNTIL(word(l) & RW_WANT);
	/* The reader's thread is new, so it does not probe either
	 * (rwlock_spin_budget: one arrival in RW_SPIN_PROBE). */
	set_spin(l, SPIN_NONE);
	actor_start(g, &r, l, OP_RD, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);
	st = stats(l);
	ck_assert_uint_eq(st.readers_waiting, 1);
	ck_assert_uint_eq(st.readers, 1);
	ck_assert_uint_eq(word(l) & (RW_WANT | RW_WRITER), 0);
	ck_assert_int_eq(atomic_load(&r.rc), PENDING);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.rc), 0);
	ck_assert_int_eq(atomic_load(&r.rc), 0);
	ck_assert_uint_eq(atomic_load(&w.order), 0);
	ck_assert_uint_eq(atomic_load(&r.order), 1);
	ck_assert_uint_eq(word(l), 0);
	ls_group_destroy(g);
	sem_destroy(&w.go);
	sem_destroy(&r.go);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* A writer whose spin runs out (claiming or not: that is the spin's
 * business) queues at mu and leaves no claim on the word: it waits as any
 * writer does, holding readers off by the policy's rule. */
START_TEST(test_claim_spent_queues)
{
	struct ls_group *g;
	struct actor w;
	struct ls_rwlock *l = writer_behind_test_reader(&g, &w,
							RW_SPIN_MIN_NS, false);

	WAIT_UNTIL(stats(l).writers_waiting == 1);
	ck_assert_uint_eq(word(l) & RW_WANT, 0);
	ck_assert_int_eq(op_elsewhere(l, OP_TRYRD, 0), -EBUSY);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.rc), 0);
	ck_assert_uint_eq(word(l), 0);
	ls_group_destroy(g);
	sem_destroy(&w.go);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rwlock_want");
	TCase *tc = tcase_create("want");

	tcase_add_test(tc, test_claim_by_policy);
	tcase_add_test(tc, test_one_claim);
	tcase_add_test(tc, test_claim_holds_arrivals_off);
	tcase_add_test(tc, test_claim_taken_to_mu);
	tcase_add_test(tc, test_claim_spent_queues);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
