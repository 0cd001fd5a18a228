/*
 * check_hierarchy.c - lock levels: taking a lower-level mutex while
 * holding a higher one is reported at once as an ERROR event, and the
 * model counts it; taking them in order, or unleveled, reports nothing.
 */
#include "checkutil.h"

#include "lockstep/mutex.h"
#include "lockstep/ring.h"
#include "model/model.h"

struct fixture {
	struct ls_ring *r;
	struct ls_lane *lane;
	struct ls_mutex *low, *high, *plain;
};

static void
setup(struct fixture *f)
{
	ck_assert_int_eq(ls_ring_create(NULL, &f->r), 0);
	ck_assert_int_eq(ls_ring_register(f->r, "me", &f->lane), 0);
	ls_trace_lane = f->lane;
	ck_assert_int_eq(ls_mutex_create(f->r, "low", &f->low), 0);
	ck_assert_int_eq(ls_mutex_create(f->r, "high", &f->high), 0);
	ck_assert_int_eq(ls_mutex_create(f->r, "plain", &f->plain), 0);
	ls_mutex_set_level(f->low, 1);
	ls_mutex_set_level(f->high, 2);
}

static void
teardown(struct fixture *f)
{
	ls_trace_lane = NULL;
	ls_ring_unregister(f->lane);
	ls_mutex_destroy(f->low);
	ls_mutex_destroy(f->high);
	ls_mutex_destroy(f->plain);
	ls_ring_destroy(f->r);
}

/* Drain f's ring into a fresh model; returns the hierarchy errors, and
 * the aux of the last one in *aux. */
static uint64_t
hierarchy_errors(struct fixture *f, uint32_t *obj, uint32_t *aux)
{
	static struct model m;
	struct ls_event ev[64];
	uint64_t n = 0;
	size_t k, i;

	model_init(&m);
	*obj = *aux = 0;
	while ((k = ls_ring_drain(f->r, ev, 64)) > 0)
		for (i = 0; i < k; i++) {
			model_apply(&m, &ev[i]);
			if (ev[i].kind == LS_EV_ERROR &&
			    ev[i].arg == LS_ERR_HIERARCHY) {
				n++;
				*obj = ev[i].obj;
				*aux = ev[i].aux;
			}
		}
	ck_assert_uint_eq(m.hierarchy_errors, n);
	return n;
}

START_TEST(test_in_order_is_quiet)
{
	struct fixture f;
	uint32_t obj, aux;

	setup(&f);
	/* Low then high, high alone, unleveled in between: all fine. */
	ck_assert_int_eq(ls_mutex_lock(f.low), 0);
	ck_assert_int_eq(ls_mutex_lock(f.plain), 0);
	ck_assert_int_eq(ls_mutex_lock(f.high), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.high), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.plain), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.low), 0);
	ck_assert_int_eq(ls_mutex_lock(f.high), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.high), 0);
	/* After high is released, low is fine again. */
	ck_assert_int_eq(ls_mutex_lock(f.low), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.low), 0);
	ck_assert_uint_eq(hierarchy_errors(&f, &obj, &aux), 0);
	teardown(&f);
}
END_TEST

START_TEST(test_lower_under_higher_is_reported)
{
	struct fixture f;
	uint32_t obj, aux;

	setup(&f);
	ck_assert_int_eq(ls_mutex_lock(f.high), 0);
	/* Reported, and still taken: the report is the point. */
	ck_assert_int_eq(ls_mutex_lock(f.low), 0);
	ck_assert(ls_mutex_held(f.low));
	ck_assert_int_eq(ls_mutex_unlock(f.low), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.high), 0);
	ck_assert_uint_eq(hierarchy_errors(&f, &obj, &aux), 1);
	ck_assert_uint_eq(obj, ls_mutex_id(f.low));
	ck_assert_uint_eq(aux, 2);
	/* A trylock in the wrong order is reported too. */
	ck_assert_int_eq(ls_mutex_lock(f.high), 0);
	ck_assert_int_eq(ls_mutex_trylock(f.low), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.low), 0);
	ck_assert_int_eq(ls_mutex_unlock(f.high), 0);
	ck_assert_uint_eq(hierarchy_errors(&f, &obj, &aux), 1);
	teardown(&f);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hierarchy");
	TCase *tc = tcase_create("levels");

	tcase_add_test(tc, test_in_order_is_quiet);
	tcase_add_test(tc, test_lower_under_higher_is_reported);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
