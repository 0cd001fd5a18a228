/*
 * check_scene_starve_deploy.c - the starvation and deploy hazard scenes:
 * the invariant is broken with fix=none and holds with every fix, every
 * round; and starting and stopping them at random moments (mid-starvation,
 * paused, mid-deploy) leaves no thread behind.
 *
 * A round is one scene run of SCENE_RUN_MS, judged as the headless runner
 * judges it: pause, settle, ask the invariant.  The rounds of a test run
 * side by side (each in its own group and ring), so twenty rounds of every
 * fix take one run's time; the scenes force their failures through gates
 * and by construction, so neighbours cannot make a round pass or fail.
 *
 * Sizes: SCENE_ROUNDS rounds per fix (20; 5 under sanitizers),
 * SCENE_RUN_MS per run (1200; 3000 under sanitizers), SCENE_RESETS
 * start/stop cycles (200; 50 under sanitizers).
 */
#include "checkutil.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "control/control.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"

#define SETTLE_NS 5000000000ull

/* Set name=value in params, which must be allowed. */
static void
set_param(const struct scene_def *d, int *params, const char *kv)
{
	char err[256];

	ck_assert_msg(scene_parse_set(d, kv, params, err, sizeof(err)) == 0,
		      "%s: %s", kv, err);
}

/* Start d with params running, as the ui and headless runner do. */
static void
start_running(struct control *c, struct ls_ring *ring,
	      const struct scene_def *d, const int *params)
{
	struct control_target t = { .def = d };
	char err[160];

	memcpy(t.params, params, sizeof(t.params));
	ck_assert_msg(control_start(c, ring, &t, CONTROL_RUN, 1000, 0, err,
				    sizeof(err)) == 0, "%s: %s", d->name, err);
}

struct trial {
	struct ls_ring *ring;
	struct control c;
	int fix;		/* index into the fix parameter's values */
	bool holds;
	struct scene_forced forced;
	char detail[256];
};

/*
 * Run rounds runs of scene d for every value of its fix parameter, with
 * extra ("part=pool" or NULL) set, side by side for SCENE_RUN_MS; judge
 * each; then check that exactly the fix=none runs broke the invariant.
 * want_steps (if not NULL) checks each run's forced steps.
 */
static void
run_trials(const char *scene, const char *extra,
	   void (*want_steps)(const char *fix, const struct scene_forced *f))
{
	const struct scene_def *d = scene_find(scene);
	unsigned long rounds = test_size("SCENE_ROUNDS", 20, 5);
	unsigned long run_ms = test_size("SCENE_RUN_MS", 1200, 3000);
	const struct scene_param *fixp;
	struct trial *t;
	unsigned nfix, n, i;
	int fix_idx;
	const char *inv_name = "";

	ck_assert_ptr_nonnull(d);
	fix_idx = scene_param_index(d, "fix");
	ck_assert_int_ge(fix_idx, 0);
	fixp = &d->params[fix_idx];
	ck_assert_str_eq(fixp->values[0], "none");
	nfix = (unsigned)(fixp->max - fixp->min + 1);
	ck_assert_uint_ge(nfix, 2);
	n = nfix * (unsigned)rounds;
	t = calloc(n, sizeof(*t));
	ck_assert_ptr_nonnull(t);

	for (i = 0; i < n; i++) {
		int params[SCENE_MAX_PARAMS];
		char kv[64];

		t[i].fix = fixp->min + (int)(i % nfix);
		scene_defaults(d, params);
		if (extra)
			set_param(d, params, extra);
		snprintf(kv, sizeof(kv), "fix=%s", fixp->values[t[i].fix]);
		set_param(d, params, kv);
		/* Small, so a hundred runs side by side cost little; nobody
		 * drains it, so events past a lane's size are dropped and
		 * counted, which is what the ring does when the ui is slow. */
		t[i].ring = test_ring_new(256, 64);
		start_running(&t[i].c, t[i].ring, d, params);
		t[i].forced = t[i].c.run.forced;
	}
	test_sleep_ns((uint64_t)run_ms * 1000000u);
	/* Pause them all first, so they settle side by side. */
	for (i = 0; i < n; i++)
		control_pause(&t[i].c);
	for (i = 0; i < n; i++) {
		struct control_verdict v;

		control_judge(&t[i].c, SETTLE_NS, &v);
		ck_assert(v.judged);
		inv_name = v.name;
		t[i].holds = v.holds;
		snprintf(t[i].detail, sizeof(t[i].detail), "%s", v.detail);
	}
	for (i = 0; i < n; i++) {
		control_stop(&t[i].c);
		ls_ring_destroy(t[i].ring);
	}
	/* Judge after cleaning up, so a failure leaks nothing. */
	for (i = 0; i < n; i++) {
		bool want = t[i].fix != 0;

		ck_assert_msg(t[i].holds == want,
			      "%s %s fix=%s round %u: invariant \"%s\" %s, "
			      "want %s: %s", scene, extra ? extra : "",
			      fixp->values[t[i].fix], i / nfix, inv_name,
			      t[i].holds ? "holds" : "broken",
			      want ? "holds" : "broken", t[i].detail);
		if (want_steps)
			want_steps(fixp->values[t[i].fix], &t[i].forced);
	}
	free(t);
}

/* rwlock part: the schedule lets reader-1 in, under every policy. */
static void
starve_steps(const char *fix, const struct scene_forced *f)
{
	(void)fix;
	ck_assert_uint_eq(f->stepped, 1);
	ck_assert_uint_eq(f->skipped, 0);
}

/*
 * deploy: four steps.  rwlock: the deployer takes the lock, worker-1's
 * first step queues it on the lock, where it blocks, so its second is
 * skipped; the deployer then writes the flag.  none and swap: worker-1
 * reads both fields while the deployer is between its two writes.
 */
static void
deploy_steps(const char *fix, const struct scene_forced *f)
{
	ck_assert_uint_eq(f->stepped + f->skipped, 4);
	if (!strcmp(fix, "rwlock")) {
		ck_assert_uint_eq(f->stepped, 3);
		ck_assert_uint_eq(f->skipped, 1);
	} else {
		/* The deployer's last step may find it still sleeping
		 * through the rollout; the other three always happen. */
		ck_assert_uint_ge(f->stepped, 3);
	}
}

START_TEST(test_starvation_rwlock)
{
	run_trials("starvation", "part=rwlock", starve_steps);
}
END_TEST

START_TEST(test_starvation_pool)
{
	run_trials("starvation", "part=pool", NULL);
}
END_TEST

START_TEST(test_deploy)
{
	run_trials("deploy", NULL, deploy_steps);
}
END_TEST

/* Random params for d: every fix, every part, 1..MAX workers. */
static void
random_params(const struct scene_def *d, int *params, uint64_t *rng)
{
	unsigned j;

	scene_defaults(d, params);
	for (j = 0; j < d->nparams; j++) {
		const struct scene_param *p = &d->params[j];
		int span = p->max - p->min + 1;

		/* Keep thread counts small: many cycles, not big runs. */
		if (!p->values && span > 4)
			span = 4;
		params[j] = p->min + (int)(scene_rand(rng) % (unsigned)span);
	}
}

/*
 * Start and stop the two scenes SCENE_RESETS times at random moments: right
 * away, mid-run (the writer starving, workers mid-deploy), or paused with
 * threads parked at gates holding locks.  The thread count must come back
 * every time, and nothing may leak (LSan).
 */
START_TEST(test_reset_anytime)
{
	static const char *const names[] = { "starvation", "deploy" };
	unsigned long resets = test_size("SCENE_RESETS", 200, 50);
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	unsigned before, after;
	struct ls_ring *r;
	unsigned long i;
	struct control warm;
	int warm_params[SCENE_MAX_PARAMS];

	/* One ring for every cycle, as the ui keeps one across resets. */
	ck_assert_int_eq(ls_ring_create(NULL, &r), 0);
	/* ThreadSanitizer starts a helper thread with the first thread we
	 * create: count from after one cycle (it then waits out the two
	 * seconds, as the count stays one up for good). */
	before = test_task_count();
	scene_defaults(scene_find("deploy"), warm_params);
	start_running(&warm, r, scene_find("deploy"), warm_params);
	control_stop(&warm);
	before = test_task_count_settled(before);
	for (i = 0; i < resets; i++) {
		const struct scene_def *d = scene_find(names[i % 2]);
		int params[SCENE_MAX_PARAMS];
		struct control c;
		unsigned how = scene_rand(&rng) % 3;

		ck_assert_ptr_nonnull(d);
		random_params(d, params, &rng);
		start_running(&c, r, d, params);
		if (how > 0)
			test_sleep_ns(scene_rand(&rng) % 30 * 1000000ull);
		if (how == 2) {
			/* Some threads parked, some still on their way. */
			control_pause(&c);
			control_settle(&c, (scene_rand(&rng) % 30) * 1000000ull);
		}
		control_stop(&c);
		ck_assert_ptr_null(c.run.group);
		after = test_task_count_settled(before);
		ck_assert_msg(after == before, "cycle %lu (%s, how %u): %u "
			      "threads, %u before", i, d->name, how, after,
			      before);
	}
	ls_ring_destroy(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("scene_starve_deploy");
	TCase *inv = tcase_create("invariant");
	TCase *reset = tcase_create("reset");

	/* A run is SCENE_RUN_MS, plus starting and settling many of them. */
	tcase_set_timeout(inv, 30);
	tcase_add_test(inv, test_starvation_rwlock);
	tcase_add_test(inv, test_starvation_pool);
	tcase_add_test(inv, test_deploy);
	suite_add_tcase(s, inv);
	tcase_set_timeout(reset, 60);
	tcase_add_test(reset, test_reset_anytime);
	suite_add_tcase(s, reset);
	return test_run_suite(s);
}
