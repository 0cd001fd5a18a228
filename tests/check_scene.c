/*
 * check_scene.c - the scene table and parameter parsing: every scene's
 * defaults are in range, --set accepts every allowed value and rejects
 * everything else with a message that says what is allowed; and every
 * scene starts and stops cleanly on its defaults.
 */
#include "checkutil.h"

#include <errno.h>

#include "control/control.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"

#define GLOBAL_KEYS " snbgvxrRlTqQ?+-=_\t123456789"

START_TEST(test_table_is_sane)
{
	unsigned i, j, k;

	ck_assert_uint_ge(scene_count, 4);
	for (i = 0; i < scene_count; i++) {
		const struct scene_def *d = scene_table[i];

		ck_assert_ptr_nonnull(d->name);
		ck_assert_ptr_nonnull(d->title);
		ck_assert_ptr_nonnull(d->summary);
		ck_assert_ptr_nonnull(d->start);
		ck_assert_ptr_eq(scene_find(d->name), d);
		ck_assert_uint_le(d->nparams, SCENE_MAX_PARAMS);
		for (k = 0; k < i; k++)
			ck_assert_str_ne(scene_table[k]->name, d->name);
		for (j = 0; j < d->nparams; j++) {
			const struct scene_param *p = &d->params[j];

			ck_assert_ptr_nonnull(p->name);
			ck_assert_ptr_nonnull(p->help);
			ck_assert_int_le(p->min, p->def);
			ck_assert_int_le(p->def, p->max);
			/* Keys are unique and never a global key (the ui's:
			 * pause, step, next, back, go, view, explore, reset,
			 * log, theme, help, quit, speed, scene, threads). */
			ck_assert(p->key == 0 ||
				  !strchr(GLOBAL_KEYS, p->key));
			ck_assert(p->key_down == 0 ||
				  !strchr(GLOBAL_KEYS, p->key_down));
			for (k = 0; k < j; k++) {
				ck_assert_str_ne(d->params[k].name, p->name);
				if (p->key)
					ck_assert_int_ne(d->params[k].key, p->key);
			}
		}
	}
	ck_assert_ptr_null(scene_find("no-such-scene"));
}
END_TEST

START_TEST(test_set_accepts_allowed_values)
{
	unsigned i, j;
	char kv[128], err[256];

	for (i = 0; i < scene_count; i++) {
		const struct scene_def *d = scene_table[i];
		int params[SCENE_MAX_PARAMS];

		scene_defaults(d, params);
		for (j = 0; j < d->nparams; j++) {
			const struct scene_param *p = &d->params[j];
			int v;

			for (v = p->min; v <= p->max;
			     v += p->values ? 1 : (p->max - p->min) / 3 + 1) {
				if (p->values)
					snprintf(kv, sizeof(kv), "%s=%s", p->name,
						 p->values[v]);
				else
					snprintf(kv, sizeof(kv), "%s=%d", p->name, v);
				ck_assert_msg(scene_parse_set(d, kv, params, err,
							      sizeof(err)) == 0,
					      "%s: %s rejected: %s", d->name, kv,
					      err);
				ck_assert_int_eq(params[j], v);
			}
		}
	}
}
END_TEST

START_TEST(test_set_rejects_with_a_reason)
{
	const struct scene_def *d = scene_find("prodcons");
	int params[SCENE_MAX_PARAMS];
	char err[256];

	ck_assert_ptr_nonnull(d);
	scene_defaults(d, params);
	ck_assert_int_eq(scene_parse_set(d, "producers", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "key=value"));
	ck_assert_int_eq(scene_parse_set(d, "=3", params, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(scene_parse_set(d, "nosuch=1", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "producers"));
	ck_assert_int_eq(scene_parse_set(d, "producers=0", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "from 1 to"));
	ck_assert_int_eq(scene_parse_set(d, "producers=2x", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(scene_parse_set(d, "producers=", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_int_eq(scene_parse_set(d, "producers=99999999999", params,
					 err, sizeof(err)), -EINVAL);
	/* A failed --set leaves the value as it was. */
	ck_assert_int_eq(params[0], d->params[0].def);

	d = scene_find("rwlock");
	ck_assert_ptr_nonnull(d);
	scene_defaults(d, params);
	ck_assert_int_eq(scene_parse_set(d, "policy=sometimes", params, err,
					 sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "writer, reader or fair"));
	ck_assert_int_eq(scene_parse_set(d, "policy=fair", params, err,
					 sizeof(err)), 0);
}
END_TEST

/* Every scene starts on its defaults, runs, pauses, and stops with no
 * thread left behind. */
START_TEST(test_every_scene_starts_and_stops)
{
	const struct scene_def *d = scene_table[_i];
	struct control_target t = { .def = d };
	struct ls_ring *r;
	struct control c;
	unsigned before = test_task_baseline();
	char err[160];

	ck_assert_int_eq(ls_ring_create(NULL, &r), 0);
	scene_defaults(d, t.params);
	ck_assert_int_eq(control_start(&c, r, &t, CONTROL_RUN, 1000, 0, err,
				       sizeof(err)), 0);
	ck_assert_ptr_nonnull(c.run.group);
	control_pause(&c);
	control_settle(&c, 3000000000ull);
	control_resume(&c);
	control_stop(&c);
	ck_assert_ptr_null(c.run.group);
	/* pthread_join may return a moment before the thread leaves
	 * /proc/self/task: wait for the count, bounded by the timeout.  A
	 * leaked thread never leaves, and fails the test. */
	test_tasks_back_to(before);
	ls_ring_destroy(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("scene");
	TCase *tc = tcase_create("params");
	TCase *run = tcase_create("run");

	tcase_add_test(tc, test_table_is_sane);
	tcase_add_test(tc, test_set_accepts_allowed_values);
	tcase_add_test(tc, test_set_rejects_with_a_reason);
	suite_add_tcase(s, tc);
	tcase_set_timeout(run, 20);
	tcase_add_loop_test(run, test_every_scene_starts_and_stops, 0,
			    (int)scene_count);
	suite_add_tcase(s, run);
	return test_run_suite(s);
}
