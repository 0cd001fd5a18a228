/*
 * check_explore_scripts.c - the search on the shipped scripts: every
 * breakable one fails within 1000 schedules, its shrunk schedule is no
 * longer than the first one found and is at most its par (the shortest
 * path to the goal, breadth-first) plus two steps a preemption left in
 * it (a preempted thread's load and store of a split statement); the
 * search replays the shrunk schedule itself before it reports it.  A
 * search that renews its ring finds the same.
 */
#include "scriptutil.h"

#include "exploreutil.h"

static struct su_scripts scripts;

/* The options every search here uses, for the shipped script name. */
static void
script_opts(const char *name, enum explore_strategy strategy,
	    unsigned long max_schedules, struct explore_opts *o)
{
	char path[1200];

	snprintf(path, sizeof(path), "%s/%s", scripts.dir, name);
	test_explore_opts(o, path, strategy, 7, max_schedules, 200);
}

START_TEST(test_breakable_found_near_par)
{
	const char *name = scripts.names[_i];
	struct explore_opts o;
	struct explore_result r;
	char err[512];

	script_opts(name, EXPLORE_PORTFOLIO, 1000, &o);
	if (((const struct script_program *)o.target.source)->expect !=
	    SCRIPT_BREAKABLE) {
		target_free(&o.target);
		return;
	}
	o.par = true;
	ck_assert_msg(!explore_run(&o, &r, err, sizeof(err)), "%s: %s", name,
		      err);
	ck_assert_msg(r.found, "%s: nothing in %lu schedules", name,
		      r.schedules);
	ck_assert_uint_gt(r.shrunk.n, 0);
	ck_assert_uint_le(r.shrunk.n, r.first.n);
	ck_assert_uint_le(r.shrunk.preemptions, r.first.preemptions);
	ck_assert_msg(r.par > 0, "%s: no par", name);
	ck_assert_msg(r.shrunk.n <= (size_t)r.par + 2 * r.shrunk.preemptions,
		      "%s: shrunk to %zu steps (%u preemptions), par %ld",
		      name, r.shrunk.n, r.shrunk.preemptions, r.par);
	printf("%-20s schedules %4lu  first %3zu  shrunk %3zu (%u "
	       "preemptions)  par %ld\n", name, r.schedules, r.first.n,
	       r.shrunk.n, r.shrunk.preemptions, r.par);
	explore_result_free(&r);
	target_free(&o.target);
}
END_TEST

/* One search of the shipped script name, as the options say. */
static void
search_script(const char *name, enum explore_strategy strategy,
	      unsigned ring_objects, struct explore_result *r)
{
	struct explore_opts o;
	char err[512];

	script_opts(name, strategy, 5000, &o);
	o.ring_objects = ring_objects;
	ck_assert_msg(!explore_run(&o, r, err, sizeof(err)), "%s: %s", name,
		      err);
	target_free(&o.target);
}

/* A long search renews its ring (object ids are never reused, so the
 * names would pile up); renewing every few schedules must change
 * nothing the search does or finds. */
START_TEST(test_ring_renewal_changes_nothing)
{
	static const struct {
		const char *name;
		enum explore_strategy strategy;
	} cases[] = {
		{ "atomics.lss", EXPLORE_DFS },		/* safe: exhausts */
		{ "deadlock-three.lss", EXPLORE_PORTFOLIO },
		{ "if-not-while.lss", EXPLORE_RANDOM },
	};
	struct explore_result a, b;
	size_t k;

	search_script(cases[_i].name, cases[_i].strategy, 0, &a);
	search_script(cases[_i].name, cases[_i].strategy, 8, &b);
	ck_assert_uint_eq(a.ring_renewals, 0);
	ck_assert_msg(b.ring_renewals > 0, "%s: the ring was never renewed",
		      cases[_i].name);
	ck_assert_uint_eq(a.schedules, b.schedules);
	ck_assert_uint_eq(a.decisions, b.decisions);
	ck_assert_int_eq(a.found, b.found);
	ck_assert_int_eq(a.exhausted, b.exhausted);
	ck_assert_uint_eq(a.first.n, b.first.n);
	ck_assert_uint_eq(a.shrunk.n, b.shrunk.n);
	for (k = 0; k < a.shrunk.n; k++)
		ck_assert_str_eq(a.shrunk.steps[k].thread,
				 b.shrunk.steps[k].thread);
	printf("%-20s schedules %4lu  renewals %lu  found %d  exhausted %d\n",
	       cases[_i].name, b.schedules, b.ring_renewals, b.found,
	       b.exhausted);
	explore_result_free(&a);
	explore_result_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("explore_scripts");
	TCase *tc = tcase_create("breakable");

	su_list(&scripts);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_breakable_found_near_par, 0,
			    (int)scripts.n);
	suite_add_tcase(s, tc);
	tc = tcase_create("ring");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_ring_renewal_changes_nothing, 0, 3);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
