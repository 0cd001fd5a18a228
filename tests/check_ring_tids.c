/*
 * check_ring_tids.c - ring tids are reused, so they never run out: a
 * million register/emit/unregister/drain cycles in one ring, the journal
 * that tells readers which tids changed hands, and engine threads spawned
 * and joined thousands of times through src/engine/thread.c with a ring
 * of eight tids, fed into a model that must see each reused tid as a new
 * thread with its own name.
 */
#include "checkutil.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "model/feed.h"
#include "model/model.h"

/*
 * Tids run out no more: a million register/emit/unregister/drain cycles
 * in one ring (many times LS_RING_MAX_TIDS).  Every cycle gets a tid,
 * fresh ones first, then the ones freed longest ago; its event carries it;
 * the journal and the name table name it.
 */
START_TEST(test_tid_reuse_million_cycles)
{
	unsigned long cycles = test_size("RING_TID_CYCLES", 1000000, 100000);
	struct ls_ring *r = test_ring_new(8, 2);
	uint64_t since = 0;
	struct ls_event ev[4];
	unsigned long k;

	for (k = 0; k < cycles; k++) {
		struct ls_lane *lane = NULL;
		unsigned tid, want, jt;
		char name[LS_NAME_MAX + 1], got[LS_NAME_MAX + 1];

		snprintf(name, sizeof(name), "c%lu", k);
		ck_assert_int_eq(ls_ring_register(r, name, &lane), 0);
		tid = ls_lane_tid(lane);
		/* Fresh tids in order, then round and round: with one lane
		 * in use at a time, every tid comes back in turn. */
		want = (unsigned)(k % LS_RING_MAX_TIDS) + 1;
		ck_assert_uint_eq(tid, want);
		ck_assert(ls_lane_emit(lane, LS_EV_MARK, 1, k, 0));
		ls_ring_unregister(lane);
		ck_assert_uint_eq(test_drain_all(r, ev, 4), 1);
		ck_assert_uint_eq(ev[0].tid, tid);
		ck_assert_uint_eq(ev[0].arg, k);
		ck_assert_uint_eq(ev[0].seq, 0);
		ck_assert_int_eq(ls_ring_registrations(r, &since, &jt, 1), 1);
		ck_assert_uint_eq(jt, tid);
		if (k % 4099 == 0) {
			ck_assert_int_eq(ls_ring_thread_name(r, tid, got,
							     sizeof(got)), 0);
			ck_assert_str_eq(got, name);
		}
	}
	ck_assert_uint_eq(ls_ring_thread_count(r),
			  cycles < LS_RING_MAX_TIDS ? cycles : LS_RING_MAX_TIDS);
	ck_assert_uint_eq(ls_ring_dropped_total(r), 0);
	ls_ring_destroy(r);
}
END_TEST

/* A journal the reader fell behind: it says so and jumps ahead. */
START_TEST(test_registration_journal_overflow)
{
	struct ls_ring *r = test_ring_new(8, 1);
	uint64_t since = 0;
	unsigned tids[4], k;

	for (k = 0; k < LS_RING_JOURNAL + 1; k++) {
		struct ls_lane *lane = NULL;
		struct ls_event ev[2];

		ck_assert_int_eq(ls_ring_register(r, "j", &lane), 0);
		ls_ring_unregister(lane);
		test_drain_all(r, ev, 2);
	}
	ck_assert_int_eq(ls_ring_registrations(r, &since, tids, 4),
			 -EOVERFLOW);
	ck_assert_uint_eq(since, LS_RING_JOURNAL + 1);
	ck_assert_int_eq(ls_ring_registrations(r, &since, tids, 4), 0);
	ls_ring_destroy(r);
}
END_TEST

/*
 * Engine threads through thread.c with a ring of 8 tids: thousands of
 * spawn/join cycles never fail, and the feed hands the model each reused
 * tid as a new thread with its own name.
 */

struct reuse_arg {
	unsigned k;
	atomic_uint tid;
};

static void
reuse_main(void *p)
{
	struct reuse_arg *a = p;

	atomic_store(&a->tid, ls_lane_tid(ls_trace_lane));
	ls_emit(LS_EV_MARK, 0, a->k, 0);
}

START_TEST(test_tid_reuse_engine_threads)
{
	unsigned cycles = (unsigned)test_size("RING_SPAWN_CYCLES", 3000, 500);
	struct ls_ring_config cfg = {
		.lane_events = 64, .max_lanes = 4, .max_tids = 8,
	};
	struct model *m = calloc(1, sizeof(*m));
	struct ls_ring *r = NULL;
	struct ls_group *g = NULL;
	struct feed f;
	unsigned k;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(ls_ring_create(&cfg, &r), 0);
	ck_assert_int_eq(ls_group_create(r, "reuse", &g), 0);
	feed_start(&f, r, m);
	for (k = 0; k < cycles; k++) {
		struct reuse_arg a = { .k = k };
		const struct model_thread *t;
		char name[32];
		unsigned tid;

		snprintf(name, sizeof(name), "w%u", k);
		ck_assert_int_eq(ls_thread_spawn(g, name, reuse_main, &a), 0);
		ck_assert_int_eq(ls_group_join(g), 0);
		feed_drain(&f, UINT_MAX, NULL);
		tid = atomic_load(&a.tid);
		ck_assert_uint_ge(tid, 1);
		ck_assert_uint_le(tid, 8);
		t = model_thread(m, tid);
		ck_assert_ptr_nonnull(t);
		/* A new row: its own name, its own three events. */
		ck_assert_str_eq(t->name, name);
		ck_assert_uint_eq(t->events, 3);
		ck_assert_uint_eq(t->state, LS_STATE_DONE);
		ck_assert_uint_eq(t->lost, 0);
	}
	ck_assert_uint_eq(ls_ring_thread_count(r), cycles < 8 ? cycles : 8);
	ck_assert_uint_eq(m->lost, 0);
	ck_assert_uint_eq(m->threads_overflow, 0);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(m);
}
END_TEST

static Suite *
ring_tids_suite(void)
{
	Suite *s = suite_create("ring_tids");
	TCase *tc = tcase_create("tids");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_registration_journal_overflow);
	tcase_add_test(tc, test_tid_reuse_million_cycles);
	tcase_add_test(tc, test_tid_reuse_engine_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(ring_tids_suite());
}
