/*
 * check_explore_scripts.c - the search on the shipped scripts: every
 * breakable one fails within 1000 schedules, its shrunk schedule is no
 * longer than the first one found and is at most its par (the shortest
 * path to the goal, breadth-first) plus two steps a preemption left in
 * it (a preempted thread's load and store of a split statement); the
 * search replays the shrunk schedule itself before it reports it.
 */
#include "scriptutil.h"

#include "explore/explore.h"

static struct su_scripts scripts;

START_TEST(test_breakable_found_near_par)
{
	const char *name = scripts.names[_i];
	struct explore_opts o = { 0 };
	struct explore_result r;
	char path[1200], err[512];

	snprintf(path, sizeof(path), "%s/%s", scripts.dir, name);
	ck_assert_msg(!target_resolve(path, &o.target, err, sizeof(err)),
		      "%s", err);
	if (((const struct script_program *)o.target.source)->expect !=
	    SCRIPT_BREAKABLE) {
		target_free(&o.target);
		return;
	}
	o.strategy = EXPLORE_PORTFOLIO;
	o.preemptions = 2;
	o.depth = 3;
	o.max_schedules = 1000;
	o.seconds = 600;
	o.max_steps = 200;
	o.seed = 7;
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
	return test_run_suite(s);
}
