/*
 * check_rwlock_spin.c - the read-write lock's spin adapts as rwlock-spin.c
 * says: failed spins halve the budget until only one arrival in
 * RW_SPIN_PROBE tries (with the whole budget), one that got in sets it to
 * what a hand-off costs, within the limits, and a woken waiter's
 * measure of the hand-off is an average that ignores a waiter that was
 * descheduled.  The estimates are driven directly, so nothing here
 * depends on how fast the machine is.
 */
#include "checkutil.h"

#include "engine/rwlock-int.h"
#include "lockstep/clock.h"
#include "lockstep/rwlock.h"

static struct ls_rwlock *
spin_lock_new(void)
{
	struct ls_rwlock *l;

	ck_assert_int_eq(ls_rwlock_create(NULL, "spin", LS_RWLOCK_WRITER_PREF,
					  &l),
			 0);
	return l;
}

static uint32_t
spin_ns(struct ls_rwlock *l)
{
	return atomic_load(&l->spin_ns);
}

START_TEST(test_failures_back_off_to_probes)
{
	struct ls_rwlock *l = spin_lock_new();
	uint32_t b = rwlock_spin_budget(l);
	unsigned i, probes = 0;

	ck_assert_uint_eq(b, RW_SPIN_FIRST_NS);
	while (spin_ns(l) >= RW_SPIN_MIN_NS) {
		b = spin_ns(l);
		rwlock_spin_learn(l, b, false);
		ck_assert_uint_eq(spin_ns(l), b / 2);
	}
	/* Backed off: one arrival in RW_SPIN_PROBE spins, with the whole
	 * budget (a short probe would fail on any wait a spin should
	 * catch). */
	for (i = 0; i < 4 * RW_SPIN_PROBE; i++) {
		b = rwlock_spin_budget(l);
		ck_assert(b == 0 || b == RW_SPIN_FIRST_NS);
		probes += b != 0;
	}
	ck_assert_uint_eq(probes, 4);
	/* A probe that fails leaves it backed off. */
	b = spin_ns(l);
	rwlock_spin_learn(l, RW_SPIN_FIRST_NS, false);
	ck_assert_uint_eq(spin_ns(l), b);
	ck_assert_uint_lt(spin_ns(l), RW_SPIN_MIN_NS);
	/* A probe that gets in brings the whole spin back. */
	rwlock_spin_learn(l, RW_SPIN_FIRST_NS, true);
	ck_assert_uint_eq(spin_ns(l), RW_SPIN_FIRST_NS);
	ck_assert_uint_eq(rwlock_spin_budget(l), RW_SPIN_FIRST_NS);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* A spin that got in sets the budget to what a hand-off costs, within
 * the limits. */
START_TEST(test_success_spins_a_handoff)
{
	struct ls_rwlock *l = spin_lock_new();
	static const struct {
		uint32_t handoff, budget;
	} cases[] = {
		{ 5000, 5000 },
		{ 1000, 1000 },
		{ 0, RW_SPIN_FIRST_NS },	/* not measured yet */
		{ 10 * RW_SPIN_MAX_NS, RW_SPIN_MAX_NS },
		{ RW_SPIN_MIN_NS / 2, RW_SPIN_MIN_NS },
	};
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		atomic_store(&l->handoff_ns, cases[i].handoff);
		rwlock_spin_learn(l, RW_SPIN_MIN_NS, true);
		ck_assert_uint_eq(spin_ns(l), cases[i].budget);
		ck_assert_uint_eq(rwlock_spin_full(l), cases[i].budget);
	}
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/* Spins that got in quickly do not shrink the budget: the next wait may
 * be longer, and failing it costs a sleep and a wake-up (the rule before
 * moved it to twice what they needed, and then failed). */
START_TEST(test_short_spins_keep_the_budget)
{
	struct ls_rwlock *l = spin_lock_new();
	unsigned i;

	atomic_store(&l->handoff_ns, 10000);
	for (i = 0; i < 64; i++)
		rwlock_spin_learn(l, spin_ns(l), true);
	ck_assert_uint_eq(spin_ns(l), 10000);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

START_TEST(test_handoff_measured_and_averaged)
{
	struct ls_rwlock *l = spin_lock_new();
	uint64_t t0, first;
	unsigned tries;

	/* A grant long ago: the waiter was descheduled, not handed over. */
	atomic_store(&l->grant_tk, 1);
	rwlock_handoff_learn(l);
	ck_assert_uint_eq(atomic_load(&l->handoff_ns), 0);
	/* A grant 10 us ago is measured as at least that (a preemption of
	 * the test between the two can void a try: then try again). */
	for (tries = 0; tries < 100 && !atomic_load(&l->handoff_ns); tries++) {
		t0 = ls_clock_ticks();
		atomic_store(&l->grant_tk, t0);
		while (ls_clock_ticks_to_ns(ls_clock_ticks() - t0) < 10000)
			;
		rwlock_handoff_learn(l);
	}
	first = atomic_load(&l->handoff_ns);
	ck_assert_uint_ge(first, 10000);
	ck_assert_uint_le(first, 100 * (uint64_t)RW_SPIN_MAX_NS);
	/* The next one moves the average an eighth of the way. */
	for (tries = 0; tries < 100; tries++) {
		t0 = ls_clock_ticks();
		atomic_store(&l->grant_tk, t0);
		while (ls_clock_ticks_to_ns(ls_clock_ticks() - t0) < 50000)
			;
		rwlock_handoff_learn(l);
		if (atomic_load(&l->handoff_ns) != first)
			break;
	}
	ck_assert_uint_gt(atomic_load(&l->handoff_ns), first);
	ck_assert_uint_le(atomic_load(&l->handoff_ns),
			  first + (100 * (uint64_t)RW_SPIN_MAX_NS - first) / 8);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rwlock_spin");
	TCase *tc = tcase_create("estimates");

	tcase_add_test(tc, test_failures_back_off_to_probes);
	tcase_add_test(tc, test_success_spins_a_handoff);
	tcase_add_test(tc, test_short_spins_keep_the_budget);
	tcase_add_test(tc, test_handoff_measured_and_averaged);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
