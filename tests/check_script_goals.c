/*
 * check_script_goals.c - Check suite: every shipped script does what it
 * claims on the engine, through the control and the explorer.
 *
 * A breakable script has a stored schedule, assets/schedules/script-
 * NAME.sched (written by `lockstep explore NAME.lss -o`), whose replay
 * reaches one of the script's goals on its last step.  A safe script's
 * interleavings, searched depth-first with preemption bounding, reach no
 * outcome at all.  Sizes: LS_SCRIPT_SCHEDULES (schedules a safe script
 * is searched for).
 */
#include "config.h"

#include "control/schedule.h"
#include "explore/explore.h"

#include "scriptutil.h"

static struct su_scripts scripts;

/* Is script i breakable?  (Parsing is the front end's to test.) */
static bool
breakable(unsigned i, struct script_program **out)
{
	char path[1200], err[256];

	snprintf(path, sizeof(path), "%s/%s", scripts.dir, scripts.names[i]);
	ck_assert_msg(!script_parse_file(path, out, err, sizeof(err)), "%s",
		      err);
	return (*out)->expect == SCRIPT_BREAKABLE;
}

START_TEST(test_breakable_reaches_goal)
{
	const char *srcdir = getenv("srcdir");
	struct script_program *p;
	struct control_target t;
	struct schedule sched;
	struct ls_ring *ring;
	struct scene_outcome out;
	struct control c;
	char path[1400], base[256], err[512];
	size_t at;

	if (!breakable((unsigned)_i, &p)) {
		script_free(p);
		return;
	}
	snprintf(base, sizeof(base), "%s", scripts.names[_i]);
	base[strlen(base) - 4] = '\0';
	snprintf(path, sizeof(path), "%s/assets/schedules/script-%s.sched",
		 srcdir && *srcdir ? srcdir : ".", base);
	ck_assert_msg(!schedule_load(path, &sched, err, sizeof(err)), "%s",
		      err);
	ck_assert_msg(!schedule_target(&sched, &t, err, sizeof(err)), "%s",
		      err);
	ck_assert_str_eq(t.path, scripts.names[_i]);
	ring = test_ring_new(4096, 64);
	ck_assert_msg(!control_start(&c, ring, &t, CONTROL_STEP, 0,
				     sched.seed, err, sizeof(err)), "%s", err);
	ck_assert_msg(!schedule_replay(&c, &sched, 0, sched.n, SU_STEP_NS,
				       err, sizeof(err)), "%s", err);
	ck_assert_msg(control_outcome(&c, &out, &at), "%s: no outcome after "
		      "%zu steps", path, sched.n);
	ck_assert_msg(su_goal_of(out.kind) & p->goals, "%s: %s is none of "
		      "the script's goals", path, out.what);
	ck_assert_uint_eq(at, sched.n);
	ck_assert_uint_gt(strlen(out.what), 10);
	control_stop(&c);
	ls_ring_destroy(ring);
	target_free(&t);
	schedule_free(&sched);
	script_free(p);
}
END_TEST

START_TEST(test_safe_never_fails)
{
	unsigned long n = test_size("LS_SCRIPT_SCHEDULES", 2000, 200);
	struct script_program *p;
	struct explore_opts o = {
		.strategy = EXPLORE_DFS,
		.preemptions = 2,
		.max_schedules = n,
		.seconds = 60,
		.max_steps = 80,
		.seed = 7,
	};
	struct explore_result r;
	char path[1200], err[512];

	if (breakable((unsigned)_i, &p)) {
		script_free(p);
		return;
	}
	script_free(p);
	snprintf(path, sizeof(path), "%s/%s", scripts.dir, scripts.names[_i]);
	ck_assert_msg(!target_resolve(path, &o.target, err, sizeof(err)),
		      "%s", err);
	ck_assert_msg(!explore_run(&o, &r, err, sizeof(err)), "%s", err);
	ck_assert_msg(!r.found, "%s: %s: %s", scripts.names[_i],
		      ls_outcome_name(r.failure.kind), r.failure.what);
	ck_assert_uint_gt(r.schedules, 0);
	printf("check_script_goals: %s: %lu schedules, %s\n",
	       scripts.names[_i], r.schedules,
	       r.exhausted ? "exhausted" : "bounded by the schedules given");
	explore_result_free(&r);
	target_free(&o.target);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_goals");
	TCase *tc = tcase_create("script_goals");

	su_list(&scripts);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_breakable_reaches_goal, 0,
			    (int)scripts.n);
	tcase_add_loop_test(tc, test_safe_never_fails, 0, (int)scripts.n);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
