/*
 * check_control.c - the one control door: a hazard scene started held
 * waits before its failure and a class steps into it by hand; the control
 * says before each step who can move and what each will do (a thread
 * whose lock is held is shown blocked before it blocks); a step of a
 * thread that cannot move is refused with the reason; a deadlock formed
 * by steps is reported by the control itself; a timed wait under a
 * stepping control times out only when stepped; step back restores the
 * picture before the last step exactly; replaying a schedule gives the
 * same events every time; judging an unsettled group says it did not.
 */
#include "checkutil.h"

#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"

#define STEP_NS 10000000000ull

/* The seed of the random choices, printed so a failure can be replayed
 * (CONTROL_SEED=...). */
static uint64_t
control_seed(void)
{
	uint64_t seed = test_env_seed("CONTROL_SEED");

	printf("check_control: CONTROL_SEED=%llu\n", (unsigned long long)seed);
	return seed;
}

/* A started target on its own ring, stepped at full speed. */
struct rig {
	struct ls_ring *ring;
	struct control c;
};

/* Between two runs, throw away what the old one left, as a consumer
 * would: a lane comes back only once drained. */
static void
rig_discard(void *arg)
{
	struct ls_ring *ring = arg;
	struct ls_event buf[256];

	while (ls_ring_drain(ring, buf, 256))
		;
}

static void
rig_start(struct rig *r, const char *scene, const char *set,
	  enum control_mode mode, uint64_t seed)
{
	const struct scene_def *d = scene_find(scene);
	struct control_target t = { .def = d };
	char err[256];

	ck_assert_ptr_nonnull(d);
	scene_defaults(d, t.params);
	if (set)
		ck_assert_msg(!scene_parse_set(d, set, t.params, err,
					       sizeof(err)), "%s", err);
	r->ring = test_ring_new(4096, 64);
	ck_assert_msg(!control_start(&r->c, r->ring, &t, mode, 0, seed, err,
				     sizeof(err)), "%s", err);
	r->c.before_launch = rig_discard;
	r->c.hook_arg = r->ring;
}

static void
rig_stop(struct rig *r)
{
	struct ls_event buf[256];

	control_stop(&r->c);
	while (ls_ring_drain(r->ring, buf, 256))
		;
	ls_ring_destroy(r->ring);
}

/* The control's view of the thread named name. */
static struct control_thread
thread_named(struct rig *r, const char *name)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t n = control_threads(&r->c, t, CONTROL_MAX_THREADS), i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i];
	ck_abort_msg("no thread %s", name);
	return t[0];
}

static void
step(struct rig *r, const char *name)
{
	char err[256] = "";
	int rc = control_step_named(&r->c, name, STEP_NS, err, sizeof(err));

	ck_assert_msg(rc == 0, "step %s: %d %s", name, rc, err);
}

/* race, held: nothing is lost until the class steps the lost update. */
START_TEST(test_race_stepped_by_hand)
{
	static const char *const want[] = { "alice", "bob", "alice", "bob",
					    "inc-1", "inc-2", "inc-1", "inc-2",
					    NULL };
	const char *const *hint;
	struct control_verdict v;
	struct control_thread t;
	struct rig r;
	size_t k;

	rig_start(&r, "race", "fix=none", CONTROL_STEP, 0);
	/* The forcing schedule is offered, not applied. */
	hint = control_hint(&r.c);
	ck_assert_ptr_nonnull(hint);
	for (k = 0; want[k]; k++)
		ck_assert_str_eq(hint[k], want[k]);
	ck_assert_uint_eq(r.c.run.forced.stepped, 0);
	control_judge(&r.c, STEP_NS, &v);
	ck_assert(v.judged);
	ck_assert_msg(v.holds, "%s", v.detail);

	t = thread_named(&r, "alice");
	ck_assert_int_eq(t.can, CAN_MOVE);
	ck_assert_str_eq(t.what, "next: read balance");
	step(&r, "alice");
	step(&r, "bob");
	t = thread_named(&r, "alice");
	ck_assert_str_eq(t.what, "next: write balance");
	step(&r, "alice");
	step(&r, "bob");
	ck_assert_uint_eq(r.c.nsteps, 4);
	ck_assert_str_eq(r.c.steps[2].thread, "alice");
	ck_assert_str_eq(r.c.steps[2].what, "write balance");
	ck_assert(r.c.replayable);
	control_judge(&r.c, STEP_NS, &v);
	ck_assert(v.judged);
	ck_assert_msg(!v.holds, "%s", v.detail);
	ck_assert_msg(strstr(v.detail, "1 withdrawals lost"), "%s", v.detail);
	rig_stop(&r);
}
END_TEST

/* deadlock, held: the control predicts the block, refuses to step a
 * blocked thread, and reports the deadlock the steps formed. */
START_TEST(test_deadlock_stepped_by_hand)
{
	struct scene_outcome out;
	struct control_thread t;
	char err[256];
	size_t at;
	struct rig r;

	rig_start(&r, "deadlock", "fix=none", CONTROL_STEP, 0);
	t = thread_named(&r, "T1");
	ck_assert_int_eq(t.can, CAN_MOVE);
	ck_assert_str_eq(t.what, "next: lock A");
	step(&r, "T1");
	step(&r, "T2");
	/* Each holds its first lock and is at its second. */
	t = thread_named(&r, "T1");
	ck_assert_int_eq(t.can, CAN_BLOCK);
	ck_assert_str_eq(t.what, "next: lock B (held by T2)");
	ck_assert(!control_outcome(&r.c, NULL, NULL));
	step(&r, "T1");
	t = thread_named(&r, "T1");
	ck_assert_int_eq(t.can, CAN_WAIT);
	ck_assert_str_eq(t.what, "waits for B (held by T2)");
	/* A blocked thread cannot be stepped; the reason says why. */
	ck_assert_int_eq(control_step_named(&r.c, "T1", STEP_NS, err,
					    sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "T1 cannot move: it waits for B (held by T2)");
	ck_assert_uint_eq(r.c.nsteps, 3);
	step(&r, "T2");
	ck_assert(control_outcome(&r.c, &out, &at));
	ck_assert_uint_eq(out.kind, LS_OUT_DEADLOCK);
	ck_assert_uint_eq(at, 4);
	ck_assert_msg(strstr(out.what, "T1 waits for B (held by T2)") &&
		      strstr(out.what, "T2 waits for A (held by T1)"),
		      "%s", out.what);
	ck_assert_uint_eq(control_next(&r.c), 0);
	ck_assert_int_eq(control_step(&r.c, 0, STEP_NS, err, sizeof(err)),
			 -ENOENT);
	rig_stop(&r);
}
END_TEST

/* fix=trylock: the timed second lock waits for the controller, and a step
 * of that thread makes it give up; no deadlock. */
START_TEST(test_timeout_fired_by_a_step)
{
	struct control_thread t;
	struct rig r;

	rig_start(&r, "deadlock", "fix=trylock", CONTROL_STEP, 0);
	step(&r, "T1");
	step(&r, "T2");
	step(&r, "T1");
	step(&r, "T2");
	t = thread_named(&r, "T1");
	ck_assert_int_eq(t.can, CAN_TIMEOUT);
	ck_assert_msg(strstr(t.what, "may time out"), "%s", t.what);
	/* Both wait, but each wait can time out: not stuck. */
	ck_assert(!control_outcome(&r.c, NULL, NULL));
	ck_assert_uint_ne(control_next(&r.c), 0);
	step(&r, "T1");
	ck_assert(r.c.steps[4].timeout);
	t = thread_named(&r, "T1");
	ck_assert_int_ne(t.can, CAN_TIMEOUT);
	ck_assert(!control_outcome(&r.c, NULL, NULL));
	rig_stop(&r);
}
END_TEST

/* What the control lists, as one comparable string. */
static void
snapshot(struct rig *r, char *buf, size_t n)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t nt = control_threads(&r->c, t, CONTROL_MAX_THREADS), i;
	size_t used = 0;

	buf[0] = '\0';
	for (i = 0; i < nt && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s:%d:%s|",
					 t[i].name, (int)t[i].can, t[i].what);
}

/* Step back after k random steps gives the picture after k - 1, down to
 * the start. */
START_TEST(test_step_back_exact)
{
	static const char *const scenes[] = { "race", "deadlock",
					      "philosophers" };
	unsigned long nsteps = test_size("CONTROL_STEPS", 30, 12), k;
	uint64_t rng = control_seed();
	char (*seen)[1024];
	struct rig r;

	seen = calloc(nsteps + 1, sizeof(*seen));
	ck_assert_ptr_nonnull(seen);
	rig_start(&r, scenes[_i], "fix=none", CONTROL_STEP, 7);
	snapshot(&r, seen[0], sizeof(seen[0]));
	for (k = 0; k < nsteps; k++) {
		struct control_thread t[CONTROL_MAX_THREADS];
		size_t nt = control_threads(&r.c, t, CONTROL_MAX_THREADS);
		size_t i, movable = 0, pick;

		for (i = 0; i < nt; i++)
			movable += t[i].can <= CAN_TIMEOUT;
		if (!movable)
			break;
		pick = test_rng_next(&rng) % movable;
		for (i = 0; i < nt; i++)
			if (t[i].can <= CAN_TIMEOUT && !pick--)
				break;
		step(&r, t[i].name);
		snapshot(&r, seen[k + 1], sizeof(seen[k + 1]));
	}
	while (k > 0) {
		char now[1024], err[256];

		ck_assert_msg(!control_step_back(&r.c, err, sizeof(err)), "%s",
			      err);
		k--;
		ck_assert_uint_eq(r.c.nsteps, k);
		snapshot(&r, now, sizeof(now));
		ck_assert_msg(!strcmp(now, seen[k]), "%s after back to %lu:\n"
			      "%s\nwant\n%s", scenes[_i], k, now, seen[k]);
	}
	rig_stop(&r);
	free(seen);
}
END_TEST

/*
 * Each thread's events in order, thread after thread: what happened, not
 * when (kind, object, and the argument where it is a value rather than a
 * time).  Per thread, because between two gates the threads a step woke
 * run side by side, so only each one's own order is the schedule's.
 */
static size_t
stream(struct ls_ring *ring, char *buf, size_t n)
{
	struct ls_event ev[256];
	size_t got, i, used = 0;
	unsigned tid, ntids = ls_ring_thread_count(ring);
	struct ls_event *all = NULL;
	size_t nall = 0, cap = 0;

	while ((got = ls_ring_drain(ring, ev, 256))) {
		if (nall + got > cap) {
			cap = (nall + got) * 2;
			all = realloc(all, cap * sizeof(*all));
			ck_assert_ptr_nonnull(all);
		}
		memcpy(all + nall, ev, got * sizeof(*ev));
		nall += got;
	}
	buf[0] = '\0';
	for (tid = 1; tid <= ntids; tid++)
		for (i = 0; i < nall && used < n; i++) {
			const struct ls_event *e = &all[i];
			char tname[LS_NAME_MAX + 1] = "", oname[LS_NAME_MAX + 1] = "";
			unsigned kind;
			bool value = e->kind == LS_EV_MARK ||
				     e->kind == LS_EV_Q_PUSHED ||
				     e->kind == LS_EV_Q_POPPED ||
				     e->kind == LS_EV_GATE_WAIT;

			if (e->tid != tid)
				continue;
			ls_ring_thread_name(ring, e->tid, tname, sizeof(tname));
			if (e->obj)
				ls_ring_object_info(ring, e->obj, &kind, oname,
						    sizeof(oname));
			used += (size_t)snprintf(buf + used, n - used,
						 "%s %s %s %llu\n",
						 ls_event_kind_name(e->kind),
						 tname, oname,
						 value ? (unsigned long long)
							 e->arg : 0ull);
		}
	free(all);
	return used;
}

/* The same schedule replayed from the same start gives the same events,
 * every time. */
START_TEST(test_replay_is_deterministic)
{
	static const char *const scenes[] = { "race", "deadlock",
					      "philosophers" };
	unsigned long runs = test_size("CONTROL_REPLAYS", 100, 20), i;
	const size_t cap = 1 << 20;
	char *first = malloc(cap), *again = malloc(cap);
	struct control_step *sched;
	uint64_t rng = control_seed();
	size_t nsched, k;
	struct rig r;

	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_nonnull(again);
	rig_start(&r, scenes[_i], "fix=none", CONTROL_STEP, 11);
	for (k = 0; k < 40; k++) {
		unsigned tid = control_next(&r.c);

		if (!tid)
			break;
		/* Now and then not the next in turn: any thread that can. */
		if (test_rng_next(&rng) % 3 == 0) {
			struct control_thread t[CONTROL_MAX_THREADS];
			size_t nt = control_threads(&r.c, t,
						    CONTROL_MAX_THREADS);
			size_t j = test_rng_next(&rng) % nt;

			if (t[j].can <= CAN_TIMEOUT)
				tid = t[j].tid;
		}
		ck_assert_int_eq(control_step(&r.c, tid, STEP_NS, NULL, 0), 0);
	}
	nsched = r.c.nsteps;
	sched = malloc(nsched * sizeof(*sched));
	ck_assert_ptr_nonnull(sched);
	memcpy(sched, r.c.steps, nsched * sizeof(*sched));
	rig_stop(&r);

	for (i = 0; i <= runs; i++) {
		char *out = i ? again : first;
		size_t len;

		rig_start(&r, scenes[_i], "fix=none", CONTROL_STEP, 11);
		for (k = 0; k < nsched; k++)
			step(&r, sched[k].thread);
		len = stream(r.ring, out, cap);
		ck_assert_uint_lt(len, cap);
		rig_stop(&r);
		if (i)
			ck_assert_msg(!strcmp(first, again), "%s: replay %lu "
				      "differs", scenes[_i], i);
	}
	free(sched);
	free(first);
	free(again);
}
END_TEST

/* A member stuck outside the engine never comes to rest: the judge says
 * it did not judge, rather than judging moving counters. */
static void
outsider_main(void *p)
{
	sem_t *s = p;

	if (ls_gate(LS_EV_MARK, 0, "before"))
		return;
	while (sem_wait(s))
		;
}

START_TEST(test_judge_unsettled)
{
	struct ls_ring *ring = test_ring_new(64, 4);
	struct control_verdict v;
	struct ls_group *g;
	struct control c;
	sem_t s;

	ck_assert_int_eq(sem_init(&s, 0, 0), 0);
	ck_assert_int_eq(ls_group_create(ring, "outside", &g), 0);
	control_attach(&c, g, ring);
	control_pause(&c);
	ck_assert_int_eq(ls_thread_spawn(g, "o", outsider_main, &s), 0);
	ck_assert_int_eq(control_settle(&c, STEP_NS), 0);
	ck_assert_int_eq(control_step(&c, 0, 1000000, NULL, 0), -ETIMEDOUT);
	control_judge(&c, 1000000, &v);
	ck_assert(!v.judged);
	ck_assert_msg(strstr(v.detail, "not judged"), "%s", v.detail);
	ck_assert_int_eq(sem_post(&s), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	control_stop(&c);
	sem_destroy(&s);
	ls_ring_destroy(ring);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("steps");
	TCase *re = tcase_create("replay");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_race_stepped_by_hand);
	tcase_add_test(tc, test_deadlock_stepped_by_hand);
	tcase_add_test(tc, test_timeout_fired_by_a_step);
	tcase_add_test(tc, test_judge_unsettled);
	suite_add_tcase(s, tc);
	tcase_set_timeout(re, 120);
	tcase_add_loop_test(re, test_step_back_exact, 0, 3);
	tcase_add_loop_test(re, test_replay_is_deterministic, 0, 3);
	suite_add_tcase(s, re);
	return test_run_suite(s);
}
