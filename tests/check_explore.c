/*
 * check_explore.c - the search finds what the hazard scenes hide: race,
 * deadlock and philosophers without a fix fail within 1000 schedules, the
 * shrunk schedule is no longer than the first and still fails when
 * replayed from a file, every fix survives the same search, and random
 * seeds and strategies only ever report failures that replay.
 */
#include "exploreutil.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/control.h"
#include "control/schedule.h"
#include "control/target.h"
#include "explore/explore.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"

#define STEP_NS 10000000000ull

static void
opts_for(struct explore_opts *o, const char *scene, const char *fix,
	 enum explore_strategy s, uint64_t seed, unsigned long schedules)
{
	char err[256], kv[64];

	test_explore_opts(o, scene, s, seed, schedules, 60);
	snprintf(kv, sizeof(kv), "fix=%s", fix);
	ck_assert_msg(!target_set(&o->target, kv, err, sizeof(err)), "%s",
		      err);
}

static void
discard(void *arg)
{
	struct ls_event buf[256];

	while (ls_ring_drain(arg, buf, 256))
		;
}

/* Write sched to a file, read it back and replay it on a fresh run:
 * it must fail the same way, at its last step. */
static void
replays(const struct explore_opts *o, const struct explore_result *r)
{
	char path[] = "/tmp/check_explore.XXXXXX", err[256];
	struct ls_ring *ring = test_ring_new(1024, 64);
	struct control_target t;
	struct scene_outcome out;
	struct schedule s;
	struct control c;
	size_t at;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_msg(!schedule_save_steps(path, &o->target, r->seed,
					   r->shrunk.steps, r->shrunk.n, err,
					   sizeof(err)), "%s", err);
	ck_assert_msg(!schedule_load(path, &s, err, sizeof(err)), "%s", err);
	unlink(path);
	ck_assert_uint_eq(s.n, r->shrunk.n);
	ck_assert_msg(!schedule_target(&s, &t, err, sizeof(err)), "%s", err);
	ck_assert_msg(!control_start(&c, ring, &t, CONTROL_STEP, 0, s.seed,
				     err, sizeof(err)), "%s", err);
	c.before_launch = discard;
	c.hook_arg = ring;
	ck_assert_msg(!schedule_replay(&c, &s, 0, s.n, STEP_NS, err,
				       sizeof(err)), "%s", err);
	ck_assert(control_outcome(&c, &out, &at));
	ck_assert_uint_eq(out.kind, r->failure.kind);
	ck_assert_uint_eq(at, s.n);
	control_stop(&c);
	discard(ring);
	ls_ring_destroy(ring);
	target_free(&t);
	schedule_free(&s);
}

static const char *const broken[] = { "race", "deadlock", "philosophers" };

START_TEST(test_finds_and_shrinks)
{
	struct explore_opts o;
	struct explore_result r;
	char err[256];
	size_t k;

	opts_for(&o, broken[_i], "none", EXPLORE_PORTFOLIO, 7, 1000);
	ck_assert_msg(!explore_run(&o, &r, err, sizeof(err)), "%s", err);
	ck_assert_msg(r.found, "%s: nothing in %lu schedules", broken[_i],
		      r.schedules);
	ck_assert_uint_le(r.shrunk.n, r.first.n);
	ck_assert_uint_le(r.shrunk.preemptions, r.first.preemptions);
	ck_assert_uint_gt(r.shrunk.n, 0);
	if (strcmp(broken[_i], "race"))
		ck_assert_uint_eq(r.failure.kind, LS_OUT_DEADLOCK);
	/* Searched without words, reported with them. */
	for (k = 0; k < r.first.n; k++)
		ck_assert_msg(r.first.steps[k].what[0], "first step %zu of "
			      "%s has no words", k + 1, broken[_i]);
	for (k = 0; k < r.shrunk.n; k++)
		ck_assert_msg(r.shrunk.steps[k].what[0], "shrunk step %zu "
			      "of %s has no words", k + 1, broken[_i]);
	replays(&o, &r);
	explore_result_free(&r);
	target_free(&o.target);
}
END_TEST

/* The same seed, the same search. */
START_TEST(test_reproducible_from_seed)
{
	struct explore_opts o;
	struct explore_result a, b;
	char err[256];
	size_t k;

	opts_for(&o, "philosophers", "none", EXPLORE_RANDOM, 99, 1000);
	ck_assert(!explore_run(&o, &a, err, sizeof(err)));
	ck_assert(!explore_run(&o, &b, err, sizeof(err)));
	ck_assert(a.found && b.found);
	ck_assert_uint_eq(a.schedules, b.schedules);
	ck_assert_uint_eq(a.first.n, b.first.n);
	for (k = 0; k < a.first.n; k++)
		ck_assert_str_eq(a.first.steps[k].thread,
				 b.first.steps[k].thread);
	explore_result_free(&a);
	explore_result_free(&b);
	target_free(&o.target);
}
END_TEST

static const struct {
	const char *scene, *fix;
} fixed[] = {
	{ "race", "mutex" }, { "race", "atomic" },
	{ "deadlock", "ordering" }, { "deadlock", "trylock" },
	{ "deadlock", "hierarchy" }, { "deadlock", "scope" },
	{ "philosophers", "ordered" }, { "philosophers", "waiter" },
	{ "philosophers", "trylock" },
};

START_TEST(test_fixes_survive)
{
	unsigned long n = test_size("EXPLORE_SCHEDULES", 1000, 100);
	struct explore_opts o;
	struct explore_result r;
	char err[256];

	opts_for(&o, fixed[_i].scene, fixed[_i].fix, EXPLORE_PORTFOLIO, 7, n);
	o.max_steps = 40;
	ck_assert_msg(!explore_run(&o, &r, err, sizeof(err)), "%s", err);
	ck_assert_msg(!r.found, "%s fix=%s: %s: %s", fixed[_i].scene,
		      fixed[_i].fix, ls_outcome_name(r.failure.kind),
		      r.failure.what);
	ck_assert_uint_eq(r.schedules, n);
	explore_result_free(&r);
	target_free(&o.target);
}
END_TEST

/* Random seeds and strategies: whatever is reported replays. */
START_TEST(test_reported_failures_replay)
{
	unsigned long rounds = test_size("EXPLORE_ROUNDS", 12, 4), i;
	uint64_t rng = test_env_seed("EXPLORE_SEED");

	printf("check_explore: EXPLORE_SEED=%llu\n", (unsigned long long)rng);
	for (i = 0; i < rounds; i++) {
		struct explore_opts o;
		struct explore_result r;
		char err[256];

		opts_for(&o, broken[test_rng_next(&rng) % 3], "none",
			 (enum explore_strategy)(test_rng_next(&rng) %
						 EXPLORE_STRATEGIES),
			 test_rng_next(&rng) | 1, 200);
		o.max_steps = 30;
		ck_assert_msg(!explore_run(&o, &r, err, sizeof(err)), "%s",
			      err);
		if (r.found)
			replays(&o, &r);
		explore_result_free(&r);
		target_free(&o.target);
	}
}
END_TEST

struct search_job {
	struct explore_opts o;
	struct explore_result r;
	int rc;
	char err[256];
};

static void *
search_main(void *p)
{
	struct search_job *j = p;

	j->rc = explore_run(&j->o, &j->r, j->err, sizeof(j->err));
	return NULL;
}

/* The sum of the ids in /proc/self/task, and how many: a thread made
 * and one gone change the sum even when the count stays. */
static unsigned long
task_id_sum(unsigned *n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	unsigned long sum = 0;

	ck_assert_ptr_nonnull(d);
	*n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			sum += strtoul(e->d_name, NULL, 10);
			(*n)++;
		}
	closedir(d);
	return sum;
}

/* A search that ends leaves its threads to the next, which makes none;
 * two searches at once have a set each, and one set is kept after. */
START_TEST(test_threads_kept_between_searches)
{
	struct search_job j[2];
	pthread_t pt[2];
	unsigned before = test_task_count(), kept, n, i;
	unsigned long ids;

	opts_for(&j[0].o, "deadlock", "none", EXPLORE_RANDOM, 3, 1000);
	j[1].o = j[0].o;
	search_main(&j[0]);
	ck_assert_msg(!j[0].rc && j[0].r.found, "%s", j[0].err);
	explore_result_free(&j[0].r);
	ids = task_id_sum(&kept);
	ck_assert_uint_gt(kept, before);
	for (i = 0; i < 8; i++) {
		j[0].o.seed = 4 + i;
		search_main(&j[0]);
		ck_assert_msg(!j[0].rc && j[0].r.found, "%s", j[0].err);
		explore_result_free(&j[0].r);
		/* The very same threads. */
		ck_assert_uint_eq(task_id_sum(&n), ids);
		ck_assert_uint_eq(n, kept);
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&pt[i], NULL, search_main,
						&j[i]), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(pt[i], NULL), 0);
		ck_assert_msg(!j[i].rc && j[i].r.found, "%s", j[i].err);
		explore_result_free(&j[i].r);
	}
	ck_assert_uint_eq(test_task_count_settled(kept), kept);
	target_free(&j[0].o.target);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("explore");
	TCase *tc = tcase_create("explore");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_finds_and_shrinks, 0, 3);
	tcase_add_test(tc, test_reproducible_from_seed);
	tcase_add_loop_test(tc, test_fixes_survive, 0,
			    (int)(sizeof(fixed) / sizeof(fixed[0])));
	tcase_add_test(tc, test_reported_failures_replay);
	tcase_add_test(tc, test_threads_kept_between_searches);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
