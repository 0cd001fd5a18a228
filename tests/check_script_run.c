/*
 * check_script_run.c - Check suite for scripts on real engine threads
 * (src/script/run*.c), held to the reference interpreter (oracle.h).
 *
 * For every shipped script and a few seeded random schedules, the run on
 * the engine and the oracle take the same steps: after each one the
 * shared values, every thread's position, locals and whether it can move
 * must agree, and so must the outcome and the step it came at.  Replaying
 * one schedule again and again gives the same events (per thread, in
 * order, with the values MARKs carry) and the same final values.  Step
 * back, then the same step forward again, returns to the same state (the
 * explorer's hash and the values).  The time of a step back at 100 steps
 * is printed (never asserted: the machine is shared).
 *
 * Sizes: LS_SCRIPT_RUN_SCHEDULES (schedules per script against the
 * oracle), LS_SCRIPT_REPLAYS (runs of one schedule), LS_SCRIPT_RUN_SEED
 * replays a run (the seed is printed).
 */
#include "config.h"

#include "script/oracle.h"

#include "scriptutil.h"

#define MAX_STEPS 150		/* of one schedule against the oracle */

static struct su_scripts scripts;
static uint64_t seed;

/* The control's listing of the thread named name; asserts. */
static struct control_thread
listed(struct su_run *r, const char *name)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t n = control_threads(&r->c, t, CONTROL_MAX_THREADS), i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i];
	ck_abort_msg("thread %s is not listed", name);
	return t[0];
}

/* The engine run and the oracle agree, after step k. */
static void
agree(struct su_run *r, const struct oracle *o, const char *script, size_t k)
{
	const struct script_program *p = r->p;
	struct run_view v;
	unsigned i, j;

	ck_assert(run_view(&r->c.run, &v));
	for (j = 0; j < p->nslots; j++)
		ck_assert_msg(v.shared[j] == o->shared[j], "%s step %zu: slot "
			      "%u is %lld, the oracle says %lld", script, k, j,
			      (long long)v.shared[j],
			      (long long)o->shared[j]);
	for (i = 0; i < p->nthreads && !o->out.end; i++) {
		const struct script_body *b = script_thread_body(p, i);
		struct control_thread ct = listed(r, p->threads[i].name);

		ck_assert_msg(v.th[i].pc == o->th[i].pc, "%s step %zu: %s at "
			      "step %u, the oracle says %u", script, k,
			      p->threads[i].name, v.th[i].pc, o->th[i].pc);
		for (j = 0; j < b->nlocals; j++)
			ck_assert_msg(v.th[i].locals[j] == o->th[i].locals[j],
				      "%s step %zu: %s's %s", script, k,
				      p->threads[i].name, b->locals[j].name);
		switch (o->th[i].status) {
		case ORACLE_READY:
			ck_assert_msg(ct.can == CAN_MOVE || ct.can == CAN_BLOCK,
				      "%s step %zu: %s should be at a step: "
				      "%s", script, k, ct.name, ct.what);
			break;
		case ORACLE_BLOCKED:
			ck_assert_msg(ct.can == CAN_WAIT, "%s step %zu: %s "
				      "should be blocked: %s", script, k,
				      ct.name, ct.what);
			break;
		default:
			ck_assert_msg(ct.can == CAN_DONE, "%s step %zu: %s "
				      "should be done: %s", script, k, ct.name,
				      ct.what);
			break;
		}
	}
}

/* The outcome kind the oracle's end stands for (0: none). */
static unsigned
oracle_kind(const struct oracle *o)
{
	switch (o->out.end) {
	case ORACLE_ASSERT:
		return LS_OUT_ASSERT;
	case ORACLE_DEADLOCK:
		return LS_OUT_DEADLOCK;
	case ORACLE_CRITICAL:
		return LS_OUT_CRITICAL;
	case ORACLE_ERROR:
		return LS_OUT_ERROR;
	default:
		return LS_OUT_NONE;
	}
}

/* One random schedule of script on both, compared step by step. */
static void
one_schedule(const char *script, uint64_t *rng)
{
	struct su_run r = { 0 };
	struct scene_outcome out;
	struct oracle o;
	unsigned ready[SCRIPT_MAX_THREADS], n, i;
	size_t k, at = 0;
	bool seen;

	su_start(&r, &scripts, script);
	oracle_init(&o, r.p);
	agree(&r, &o, script, 0);
	for (k = 1; k <= MAX_STEPS && !o.out.end; k++) {
		for (i = n = 0; i < r.p->nthreads; i++)
			if (oracle_can_step(&o, i))
				ready[n++] = i;
		if (!n)
			break;
		i = ready[test_rng_next(rng) % n];
		su_step(&r, r.p->threads[i].name);
		ck_assert_int_eq(oracle_step(&o, i), 0);
		agree(&r, &o, script, k);
		seen = control_outcome(&r.c, &out, &at);
		ck_assert_msg(seen == (oracle_kind(&o) != LS_OUT_NONE),
			      "%s step %zu: the engine %s an outcome (%s), the "
			      "oracle %s (%s)", script, k, seen ? "saw" : "saw no",
			      seen ? out.what : "", o.out.end ? "ended" : "runs",
			      o.out.why);
	}
	if (oracle_kind(&o)) {
		ck_assert(control_outcome(&r.c, &out, &at));
		ck_assert_msg(out.kind == oracle_kind(&o), "%s: %s, the oracle "
			      "says %s", script, out.what, o.out.why);
		ck_assert_uint_eq(at, o.steps);
	}
	su_stop(&r);
}

START_TEST(test_matches_oracle)
{
	unsigned long runs = test_size("LS_SCRIPT_RUN_SCHEDULES", 6, 2), k;
	uint64_t rng = seed + (uint64_t)_i;

	for (k = 0; k < runs; k++)
		one_schedule(scripts.names[_i], &rng);
}
END_TEST

/* A run's signature: per thread, its events in order as (kind, object,
 * and for MARKs the value); plus the final shared values. */
struct signature {
	uint64_t h[SCRIPT_MAX_THREADS + 1];
	size_t events;
	int64_t shared[SCRIPT_MAX_SLOTS];
};

static void
sig_events(struct su_run *r, struct signature *s)
{
	struct test_evlog log = { 0 };
	size_t i;

	test_evlog_drain(r->ring, &log);
	for (i = 0; i < log.n; i++) {
		const struct ls_event *e = &log.ev[i];
		uint64_t *h = &s->h[e->tid <= SCRIPT_MAX_THREADS ? e->tid : 0];
		uint64_t w[3] = { e->kind, e->obj,
				  e->kind == LS_EV_MARK ? e->arg : 0 };
		size_t j;

		for (j = 0; j < 3; j++)
			*h = (*h ^ w[j]) * 0x100000001b3ull;
		s->events++;
	}
	test_evlog_free(&log);
}

/* Run script under steps[0..n) (thread names) and sign it. */
static void
sign(const char *script, char names[][LS_NAME_MAX + 1], size_t n,
     struct signature *s)
{
	struct su_run r = { 0 };
	struct run_view v;
	size_t k;

	memset(s, 0, sizeof(*s));
	su_start(&r, &scripts, script);
	for (k = 0; k < n; k++)
		su_step(&r, names[k]);
	ck_assert(run_view(&r.c.run, &v));
	memcpy(s->shared, v.shared, sizeof(s->shared));
	control_stop(&r.c);
	sig_events(&r, s);
	ls_ring_destroy(r.ring);
	target_free(&r.t);
}

/* A thread that can take a step now, picked from rng, into name; false
 * when none can (or the run is over). */
static bool
pick(struct su_run *r, uint64_t *rng, char *name)
{
	struct control_thread t[CONTROL_MAX_THREADS];
	size_t n, i, movable;

	if (control_outcome(&r->c, NULL, NULL))
		return false;
	n = control_threads(&r->c, t, CONTROL_MAX_THREADS);
	for (i = movable = 0; i < n; i++)
		if (t[i].can <= CAN_BLOCK)
			t[movable++] = t[i];
	if (!movable)
		return false;
	snprintf(name, LS_NAME_MAX + 1, "%s",
		 t[test_rng_next(rng) % movable].name);
	return true;
}

/* A random schedule of script, up to max steps, into names. */
static size_t
random_schedule(const char *script, uint64_t *rng,
		char names[][LS_NAME_MAX + 1], size_t max)
{
	struct su_run r = { 0 };
	size_t k;

	su_start(&r, &scripts, script);
	for (k = 0; k < max && pick(&r, rng, names[k]); k++)
		su_step(&r, names[k]);
	su_stop(&r);
	return k;
}

static const char *const replayed[] = {
	"bounded-buffer.lss", "if-not-while.lss", "read-lock-write.lss",
};

START_TEST(test_replays_are_identical)
{
	unsigned long runs = test_size("LS_SCRIPT_REPLAYS", 100, 10), k;
	uint64_t rng = seed ^ 0x5eed;
	static char names[80][LS_NAME_MAX + 1];
	struct signature first, again;
	size_t n;

	n = random_schedule(replayed[_i], &rng, names, 80);
	ck_assert_uint_gt(n, 4);
	sign(replayed[_i], names, n, &first);
	ck_assert_uint_gt(first.events, n);
	for (k = 1; k < runs; k++) {
		sign(replayed[_i], names, n, &again);
		ck_assert_msg(!memcmp(&first, &again, sizeof(first)),
			      "%s: run %lu of one schedule of %zu steps "
			      "differs (%zu events, then %zu)", replayed[_i],
			      k + 1, n, first.events, again.events);
	}
}
END_TEST

/* The state of a run: its hash and its values. */
static void
state_of(struct su_run *r, uint64_t *h, struct run_view *v)
{
	*h = run_state_hash(&r->c.run);
	ck_assert(run_view(&r->c.run, v));
	v->steps = 0;		/* counts this run's steps, replays too */
}

START_TEST(test_back_then_forward)
{
	uint64_t rng = seed ^ 0xbac;
	struct run_view before, after, back, again;
	uint64_t hb, ha, hk, hg;
	struct su_run r = { 0 };
	char err[256], who[LS_NAME_MAX + 1];
	unsigned k;

	su_start(&r, &scripts, scripts.names[_i]);
	for (k = 0; k < 12 && pick(&r, &rng, who); k++) {
		state_of(&r, &hb, &before);
		su_step(&r, who);
		state_of(&r, &ha, &after);
		ck_assert_msg(!control_step_back(&r.c, err, sizeof(err)),
			      "%s", err);
		state_of(&r, &hk, &back);
		ck_assert_msg(hk == hb && !memcmp(&back, &before,
						  sizeof(back)),
			      "%s: a step back from step %u is not where it "
			      "was", scripts.names[_i], k + 1);
		su_step(&r, who);
		state_of(&r, &hg, &again);
		ck_assert_msg(hg == ha && !memcmp(&again, &after,
						  sizeof(again)),
			      "%s: step %u again is not what it was",
			      scripts.names[_i], k + 1);
	}
	su_stop(&r);
}
END_TEST

static int
by_ns(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The time of one step back at 100 steps: printed, not asserted. */
START_TEST(test_step_back_time)
{
	static char names[100][LS_NAME_MAX + 1];
	const char *script = "bounded-buffer.lss";
	uint64_t rng = 42, ns[5];
	struct su_run r = { 0 };
	char err[256];
	size_t n, k, j;

	n = random_schedule(script, &rng, names, 100);
	for (j = 0; j < 5; j++) {
		su_start(&r, &scripts, script);
		for (k = 0; k < n; k++)
			su_step(&r, names[k]);
		ns[j] = ls_clock_ns();
		ck_assert_msg(!control_step_back(&r.c, err, sizeof(err)),
			      "%s", err);
		ns[j] = ls_clock_ns() - ns[j];
		ck_assert_uint_eq(r.c.nsteps, n - 1);
		su_stop(&r);
	}
	qsort(ns, 5, sizeof(ns[0]), by_ns);
	printf("check_script_run: step back at %zu steps of %s: median "
	       "%.2f ms, min %.2f ms, max %.2f ms (5 runs)\n", n, script,
	       ns[2] / 1e6, ns[0] / 1e6, ns[4] / 1e6);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("script_run");
	TCase *tc = tcase_create("script_run");

	seed = test_env_seed("LS_SCRIPT_RUN_SEED");
	printf("check_script_run: LS_SCRIPT_RUN_SEED=%llu\n",
	       (unsigned long long)seed);
	su_list(&scripts);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_matches_oracle, 0, (int)scripts.n);
	tcase_add_loop_test(tc, test_replays_are_identical, 0,
			    (int)(sizeof(replayed) / sizeof(replayed[0])));
	tcase_add_loop_test(tc, test_back_then_forward, 0, (int)scripts.n);
	tcase_add_test(tc, test_step_back_time);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
