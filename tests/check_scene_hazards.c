/*
 * check_scene_hazards.c - the hazard scenes race, deadlock and
 * philosophers: without a fix the invariant is broken every time, with
 * each fix it holds every time, and a scene resets cleanly at any moment,
 * deadlocked or not.
 *
 * Each round starts the scene running through the control module on its
 * own ring, which applies its forced schedule first, and drains the events into a model, as the
 * screen would, until the scene has visibly done its work: two audited
 * rounds and every add for race, three transfers per thread for deadlock,
 * a meal per philosopher for philosophers; or, without a fix, until the
 * failure shows.  No fixed sleeps: the test waits for facts, and Check's
 * timeout bounds the wait.  The invariant is then judged as the headless
 * runner judges it, with the group paused and settled, several times.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "control/control.h"
#include "lockstep/clock.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "model/model.h"
#include "scenes/scene.h"

/* 100x: workload times shrink, the logic under test does not. */
#define SPEED 100000u
#define SETTLE_NS 10000000000ull
#define JUDGEMENTS 3

struct variant {
	const char *scene, *fix;
	bool holds;
	/* What the forced schedule must do: steps taken and skipped (a
	 * fix blocks a thread the schedule then cannot move). */
	unsigned stepped, skipped;
};

static const struct variant variants[] = {
	{ "race", "none", false, 8, 0 },
	{ "race", "mutex", true, 6, 2 },
	{ "race", "atomic", true, 8, 0 },
	{ "deadlock", "none", false, 4, 0 },
	{ "deadlock", "ordering", true, 3, 1 },
	{ "deadlock", "trylock", true, 4, 0 },
	{ "deadlock", "hierarchy", true, 4, 0 },
	{ "deadlock", "scope", true, 4, 0 },
	{ "philosophers", "none", false, 10, 0 },
	{ "philosophers", "ordered", true, 9, 1 },
	{ "philosophers", "waiter", true, 9, 1 },
	{ "philosophers", "trylock", true, 10, 0 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static const char *const hazard_scenes[] = { "race", "deadlock",
					     "philosophers" };

/* The ring's events so far, folded into m with names, as the ui does. */
struct watch {
	struct ls_ring *ring;
	struct model *m;
	unsigned nthreads, nobjects;
};

static void
watch_drain(struct watch *w)
{
	static struct ls_event buf[1024];
	char name[LS_NAME_MAX + 1];
	unsigned kind;
	size_t n, i;

	do {
		for (; w->nthreads < ls_ring_thread_count(w->ring);
		     w->nthreads++)
			if (!ls_ring_thread_name(w->ring, w->nthreads + 1,
						 name, sizeof(name)))
				model_name_thread(w->m, w->nthreads + 1, name);
		for (; w->nobjects < ls_ring_object_count(w->ring);
		     w->nobjects++)
			if (!ls_ring_object_info(w->ring, w->nobjects + 1,
						 &kind, name, sizeof(name)))
				model_name_object(w->m, w->nobjects + 1, kind,
						  name);
		n = ls_ring_drain(w->ring, buf, 1024);
		for (i = 0; i < n; i++)
			model_apply(w->m, &buf[i]);
	} while (n == 1024);
}

/* The value the screen shows for variable name; fails if there is none. */
static uint64_t
watch_var(const struct watch *w, const char *name)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *o = &w->m->objects[i];

		if (o->used && o->kind == LS_OBJ_VAR && !strcmp(o->name, name))
			return o->count;
	}
	ck_abort_msg("no variable '%s' on screen", name);
	return 0;
}

/* The state the screen shows for thread name. */
static unsigned
watch_state(const struct watch *w, const char *name)
{
	unsigned i;

	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *t = &w->m->threads[i];

		if (t->used && !strcmp(t->name, name))
			return t->state;
	}
	ck_abort_msg("no thread '%s' on screen", name);
	return 0;
}

/* Has the scene visibly done what a judgement needs?  For a fix: real
 * work.  Without one: the failure is on screen. */
static bool
ready(const struct watch *w, const struct variant *v, int adders, int adds)
{
	char name[32];
	unsigned i;

	if (!strcmp(v->scene, "race")) {
		if (watch_var(w, "rounds") < 2)
			return false;
		for (i = 1; i <= (unsigned)adders; i++) {
			snprintf(name, sizeof(name), "inc-%u", i);
			if (watch_state(w, name) != LS_STATE_DONE)
				return false;
		}
		/* The bank counts the adders' losses at its next audit. */
		return v->holds || watch_var(w, "lost") >
				   (uint64_t)adders * (uint64_t)adds -
				   watch_var(w, "counter");
	}
	if (!strcmp(v->scene, "deadlock")) {
		if (!v->holds)
			return watch_state(w, "T1") == LS_STATE_BLOCKED &&
			       watch_state(w, "T2") == LS_STATE_BLOCKED;
		return watch_var(w, "T1 transfers") >= 3 &&
		       watch_var(w, "T2 transfers") >= 3;
	}
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "P%u", i);
		if (!v->holds && watch_state(w, name) != LS_STATE_BLOCKED)
			return false;
		snprintf(name, sizeof(name), "meals P%u", i);
		if (v->holds && watch_var(w, name) < 1)
			return false;
	}
	return true;
}

/* Judge the invariant as the headless runner does, then run on. */
static bool
judge(struct control *c, char *detail, size_t n)
{
	struct control_verdict v;

	control_judge(c, SETTLE_NS, &v);
	ck_assert(v.judged);
	ck_assert_ptr_nonnull(v.name);
	snprintf(detail, n, "%s", v.detail);
	control_resume(c);
	return v.holds;
}

/* Start d with params running, as the ui and headless runner do. */
static void
start_running(struct control *c, struct ls_ring *ring,
	      const struct scene_def *d, const int *params, unsigned speed)
{
	struct control_target t = { .def = d };
	char err[160];

	memcpy(t.params, params, sizeof(t.params));
	ck_assert_msg(control_start(c, ring, &t, CONTROL_RUN, speed, 0, err,
				    sizeof(err)) == 0, "%s", err);
}

static void
params_for(const struct scene_def *d, const char *fix, int *params)
{
	char kv[64], err[256];

	scene_defaults(d, params);
	snprintf(kv, sizeof(kv), "fix=%s", fix);
	ck_assert_msg(scene_parse_set(d, kv, params, err, sizeof(err)) == 0,
		      "%s: %s", d->name, err);
}

/* fix=none breaks the invariant, every fix keeps it: every round. */
START_TEST(test_invariant_every_time)
{
	const struct variant *v = &variants[_i];
	const struct scene_def *d = scene_find(v->scene);
	unsigned long rounds = test_size("HAZARD_ROUNDS", 20, 5), r;
	unsigned before = test_task_baseline();
	int params[SCENE_MAX_PARAMS], adders = 0, adds = 0;
	struct watch w = { 0 };
	char detail[256];

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(d->schedule);
	ck_assert_ptr_nonnull(d->invariant);
	params_for(d, v->fix, params);
	if (!strcmp(v->scene, "race")) {
		adders = params[scene_param_index(d, "adders")];
		adds = params[scene_param_index(d, "adds")];
	}
	w.m = malloc(sizeof(*w.m));
	ck_assert_ptr_nonnull(w.m);
	for (r = 0; r < rounds; r++) {
		struct control c;
		unsigned k;

		model_init(w.m);
		w.nthreads = w.nobjects = 0;
		ck_assert_int_eq(ls_ring_create(NULL, &w.ring), 0);
		start_running(&c, w.ring, d, params, SPEED);
		ck_assert_msg(c.run.forced.stepped == v->stepped &&
			      c.run.forced.skipped == v->skipped,
			      "%s fix=%s round %lu: forced %u steps, %u "
			      "skipped; want %u, %u", v->scene, v->fix, r,
			      c.run.forced.stepped, c.run.forced.skipped,
			      v->stepped, v->skipped);
		/* Bounded by Check's timeout, not by a clock of ours.  A fix
		 * that deadlocks would never get ready: say so at once. */
		for (k = 0;; k++) {
			watch_drain(&w);
			if (ready(&w, v, adders, adds))
				break;
			if (v->holds && k % 16 == 15) {
				judge(&c, detail, sizeof(detail));
				ck_assert_msg(!strstr(detail, "DEADLOCK"),
					      "%s fix=%s round %lu: %s",
					      v->scene, v->fix, r, detail);
			}
			test_sleep_ns(1000000);
		}
		/* The screen agrees with the judgement to come. */
		if (!strcmp(v->scene, "race")) {
			uint64_t want = (uint64_t)adders * (uint64_t)adds;

			ck_assert_uint_eq(watch_var(&w, "counter want"), want);
			if (v->holds) {
				ck_assert_uint_eq(watch_var(&w, "counter"),
						  want);
				ck_assert_uint_eq(watch_var(&w, "lost"), 0);
				ck_assert_uint_eq(watch_var(&w, "lost rounds"),
						  0);
			} else {
				ck_assert_uint_lt(watch_var(&w, "counter"),
						  want);
				ck_assert_uint_ge(watch_var(&w, "lost rounds"),
						  1);
				/* Lost withdrawals and lost adds. */
				ck_assert_uint_gt(watch_var(&w, "lost"), want -
						  watch_var(&w, "counter"));
			}
		}
		for (k = 0; k < JUDGEMENTS; k++) {
			bool holds = judge(&c, detail, sizeof(detail));

			ck_assert_msg(holds == v->holds,
				      "%s fix=%s round %lu judgement %u: "
				      "holds=%d, want %d: %s", v->scene, v->fix,
				      r, k, holds, v->holds, detail);
			/* Without a fix it is the failure the lesson names:
			 * a cycle of waits, not merely slowness. */
			if (!v->holds && strcmp(v->scene, "race"))
				ck_assert_msg(strstr(detail, "DEADLOCK"),
					      "%s", detail);
			watch_drain(&w);
			test_sleep_ns(1000000);
		}
		control_stop(&c);
		ck_assert_ptr_null(c.run.group);
		test_tasks_back_to(before);
		watch_drain(&w);
		ls_ring_destroy(w.ring);
	}
	free(w.m);
}
END_TEST

/* Start and stop at random moments, running, paused, mid-step or
 * deadlocked, at random speeds: every thread joins, none is left. */
START_TEST(test_reset_at_random_moments)
{
	static const unsigned speeds[] = { 1000, 20000, 100000, 0 };
	unsigned long n = test_size("HAZARD_RESETS", 200, 40), i;
	unsigned before = test_task_baseline(), seed = 12345u + (unsigned)_i;
	const struct scene_def *d = scene_find(hazard_scenes[_i]);
	struct ls_event buf[1024];
	struct ls_ring *ring;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(ls_ring_create(NULL, &ring), 0);
	for (i = 0; i < n; i++) {
		const struct scene_param *fix = &d->params[0];
		int params[SCENE_MAX_PARAMS];
		struct control c;
		unsigned how = (unsigned)rand_r(&seed) % 4;

		scene_defaults(d, params);
		ck_assert_str_eq(fix->name, "fix");
		params[0] = fix->min +
			    rand_r(&seed) % (fix->max - fix->min + 1);
		start_running(&c, ring, d, params, speeds[rand_r(&seed) % 4]);
		test_sleep_ns((uint64_t)(rand_r(&seed) % 3000) * 1000);
		if (how == 1) {
			control_pause(&c);
		} else if (how == 2) {
			/* Step whoever can move, without waiting for it;
			 * maybe nobody can. */
			control_pause(&c);
			control_settle(&c, SETTLE_NS);
			control_step(&c, 0, 1000000, NULL, 0);
		}
		control_stop(&c);
		ck_assert_ptr_null(c.run.group);
		test_tasks_back_to(before);
		/* Drained, so lanes come back for the next run. */
		while (ls_ring_drain(ring, buf, 1024))
			;
	}
	ls_ring_destroy(ring);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("scene_hazards");
	TCase *inv = tcase_create("invariant");
	TCase *reset = tcase_create("reset");

	tcase_set_timeout(inv, 60);
	tcase_add_loop_test(inv, test_invariant_every_time, 0,
			    (int)NVARIANTS);
	suite_add_tcase(s, inv);
	tcase_set_timeout(reset, 60);
	tcase_add_loop_test(reset, test_reset_at_random_moments, 0,
			    (int)(sizeof(hazard_scenes) /
				  sizeof(hazard_scenes[0])));
	suite_add_tcase(s, reset);
	return test_run_suite(s);
}
