/*
 * check_rwlock_policy.c - each policy's admission rule, shown
 * deterministically: writer preference admits no reader once a writer
 * waits; reader preference lets a stream of readers keep a writer out for
 * as long as the stream lasts; FAIR admits in arrival order, consecutive
 * readers together.
 *
 * Sizes: RWLOCK_STREAM (readers streamed past a waiting writer, writes in
 * the free-running stream).
 */
#include "rwlockutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/thread.h"

/*
 * Policies.  The stream protocol: readers A and B take turns; the next
 * reader asks for the lock while the current one holds it, and the current
 * one lets go only once the next is inside or queued.  So a reader is
 * always inside unless the policy queues the next reader.  A writer asks
 * while the first reader holds the lock; we count the readers admitted
 * while it waits.
 */
struct streamer {
	struct ls_rwlock *l;
	sem_t go, rel;
	_Atomic unsigned entries;	/* admissions so far */
	_Atomic int rc;
	atomic_bool quit;
};

static void
streamer_main(void *arg)
{
	struct streamer *s = arg;

	for (;;) {
		(void)test_sem_wait(&s->go);
		if (atomic_load(&s->quit))
			break;
		if (ls_rwlock_rdlock(s->l)) {
			atomic_store(&s->rc, -1);
			break;
		}
		atomic_fetch_add(&s->entries, 1);
		(void)test_sem_wait(&s->rel);
		if (ls_rwlock_unlock(s->l)) {
			atomic_store(&s->rc, -1);
			break;
		}
	}
}

struct stream_result {
	unsigned admitted;	/* readers admitted while the writer waited */
	bool writer_waited_throughout;
};

static struct stream_result
run_stream(enum ls_rwlock_policy policy, unsigned n)
{
	struct stream_result res = { 0, true };
	struct ls_rwlock *l = mk(policy);
	struct ls_group *g = mk_group(NULL);
	struct streamer s[2];
	struct actor w;
	unsigned cur = 0, k, e = 0;

	for (k = 0; k < 2; k++) {
		memset(&s[k], 0, sizeof(s[k]));
		s[k].l = l;
		ck_assert_int_eq(sem_init(&s[k].go, 0, 0), 0);
		ck_assert_int_eq(sem_init(&s[k].rel, 0, 0), 0);
		ck_assert_int_eq(ls_thread_spawn(g, "reader", streamer_main,
						 &s[k]), 0);
	}
	/* The first reader in, then the writer queued behind it. */
	ck_assert_int_eq(sem_post(&s[0].go), 0);
	WAIT_UNTIL(atomic_load(&s[0].entries) == 1);
	actor_start(g, &w, l, OP_WR, false);
	WAIT_UNTIL(stats(l).writers_waiting == 1);

	for (k = 0; k < n; k++) {
		struct streamer *next = &s[1 - cur];

		e = atomic_load(&next->entries);
		ck_assert_int_eq(sem_post(&next->go), 0);
		WAIT_UNTIL(atomic_load(&next->entries) > e ||
			   stats(l).readers_waiting == 1);
		if (atomic_load(&next->entries) == e) {
			/* Queued: the stream is broken, let it unwind. */
			break;
		}
		res.admitted++;
		res.writer_waited_throughout &=
			stats(l).writers_waiting == 1 && !stats(l).writer;
		ck_assert_int_eq(sem_post(&s[cur].rel), 0);
		cur = 1 - cur;
	}
	/* Stop: the holder lets go; the writer and any queued reader get
	 * in and out; then the readers quit. */
	ck_assert_int_eq(sem_post(&s[cur].rel), 0);
	WAIT_UNTIL(atomic_load(&w.done));
	if (k < n) {
		/* The queued reader got in after the writer: let it go. */
		WAIT_UNTIL(atomic_load(&s[1 - cur].entries) > e);
		ck_assert_int_eq(sem_post(&s[1 - cur].rel), 0);
	}
	for (k = 0; k < 2; k++) {
		atomic_store(&s[k].quit, true);
		ck_assert_int_eq(sem_post(&s[k].go), 0);
	}
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&w.rc), 0);
	ck_assert_int_eq(atomic_load(&w.unlock_rc), 0);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(atomic_load(&s[k].rc), 0);
		sem_destroy(&s[k].go);
		sem_destroy(&s[k].rel);
	}
	ck_assert_uint_eq(waiting(l), 0);
	ck_assert_uint_eq(stats(l).readers, 0);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
	return res;
}

START_TEST(test_writer_pref_stream)
{
	struct stream_result r = run_stream(LS_RWLOCK_WRITER_PREF,
		(unsigned)test_size("RWLOCK_STREAM", 200, 50));

	/* Once the writer waits, no reader gets past it. */
	ck_assert_uint_eq(r.admitted, 0);
}
END_TEST

START_TEST(test_fair_stream)
{
	struct stream_result r = run_stream(LS_RWLOCK_FAIR,
		(unsigned)test_size("RWLOCK_STREAM", 200, 50));

	/* The writer came first: no later reader goes ahead of it. */
	ck_assert_uint_eq(r.admitted, 0);
}
END_TEST

START_TEST(test_reader_pref_starves)
{
	unsigned n = (unsigned)test_size("RWLOCK_STREAM", 200, 50);
	struct stream_result r = run_stream(LS_RWLOCK_READER_PREF, n);

	/* Every reader of the stream got past the waiting writer, which got
	 * in only once the stream stopped. */
	ck_assert_uint_eq(r.admitted, n);
	ck_assert(r.writer_waited_throughout);
}
END_TEST

/*
 * Writer preference with free-running readers: three readers loop with
 * random holds; a writer asks repeatedly.  Readers count their admissions
 * made while the stats show a writer waiting; each wait may see at most
 * one such admission per reader that was already on its way in, plus one
 * counted late from the previous wait.
 */
struct free_stream {
	struct ls_rwlock *l;
	uint64_t seed;
	atomic_bool stop;
	_Atomic unsigned idx;
	_Atomic unsigned during_wait;	/* admissions seen while one waits */
	_Atomic unsigned max_per_wait;
	_Atomic unsigned errors;
	unsigned writes;
};

static void
free_reader(void *arg)
{
	struct free_stream *f = arg;
	uint64_t x = f->seed + 31 * (atomic_fetch_add(&f->idx, 1) + 1);

	while (!atomic_load(&f->stop)) {
		if (ls_rwlock_rdlock(f->l)) {
			atomic_fetch_add(&f->errors, 1);
			return;
		}
		if (stats(f->l).writers_waiting)
			atomic_fetch_add(&f->during_wait, 1);
		test_sleep_ns(1000 * (test_rng_next(&x) % 100));
		if (ls_rwlock_unlock(f->l))
			atomic_fetch_add(&f->errors, 1);
	}
}

static void
free_writer(void *arg)
{
	struct free_stream *f = arg;
	unsigned i, seen;

	for (i = 0; i < f->writes; i++) {
		test_sleep_ns(500 * 1000);
		if (ls_rwlock_wrlock(f->l)) {
			atomic_fetch_add(&f->errors, 1);
			break;
		}
		seen = atomic_exchange(&f->during_wait, 0);
		if (seen > atomic_load(&f->max_per_wait))
			atomic_store(&f->max_per_wait, seen);
		if (ls_rwlock_unlock(f->l))
			atomic_fetch_add(&f->errors, 1);
	}
	atomic_store(&f->stop, true);
}

START_TEST(test_writer_pref_free_stream)
{
	const unsigned readers = 3;
	struct free_stream f;
	struct ls_group *g = mk_group(NULL);
	unsigned i;

	memset(&f, 0, sizeof(f));
	f.l = mk(LS_RWLOCK_WRITER_PREF);
	f.seed = 99;
	f.writes = (unsigned)test_size("RWLOCK_STREAM", 200, 50);
	for (i = 0; i < readers; i++)
		ck_assert_int_eq(ls_thread_spawn(g, "r", free_reader, &f), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "w", free_writer, &f), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	ck_assert_uint_eq(atomic_load(&f.errors), 0);
	ck_assert_uint_le(atomic_load(&f.max_per_wait), 2 * readers);
	ck_assert_int_eq(ls_rwlock_destroy(f.l), 0);
}
END_TEST

/*
 * FAIR: build a queue one waiter at a time behind a writer (waiting until
 * the stats show it before adding the next), release, and check that the
 * lock admits exactly the next batch each time: a writer alone, or the run
 * of consecutive readers at the head together.
 */
START_TEST(test_fair_fifo)
{
	static const char pattern[] = "RWRRWRRRWWR";
	enum { N = sizeof(pattern) - 1 };
	struct ls_rwlock *l = mk(LS_RWLOCK_FAIR);
	struct ls_group *g = mk_group(NULL);
	struct actor a[N];
	unsigned i, j, start, end, rd_left, wr_left, admitted = 0;
	struct ls_rwlock_stats st;

	atomic_store(&admit_seq, 0);
	atomic_store(&admit_done, 0);
	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	for (i = 0; i < N; i++) {
		actor_start(g, &a[i], l, pattern[i] == 'R' ? OP_RD : OP_WR,
			    true);
		WAIT_UNTIL(waiting(l) == i + 1);
	}
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	for (start = 0; start < N; start = end) {
		end = start + 1;
		if (pattern[start] == 'R')
			while (end < N && pattern[end] == 'R')
				end++;
		WAIT_UNTIL(atomic_load(&admit_done) >= end);
		/* Exactly this batch is inside; the rest still queue. */
		ck_assert_uint_eq(atomic_load(&admit_seq), end);
		st = stats(l);
		rd_left = wr_left = 0;
		for (j = end; j < N; j++) {
			rd_left += pattern[j] == 'R';
			wr_left += pattern[j] == 'W';
		}
		ck_assert_uint_eq(st.readers_waiting, rd_left);
		ck_assert_uint_eq(st.writers_waiting, wr_left);
		if (pattern[start] == 'W') {
			ck_assert(st.writer && st.readers == 0);
		} else {
			ck_assert(!st.writer);
			ck_assert_uint_eq(st.readers, end - start);
		}
		for (j = start; j < end; j++) {
			ck_assert(atomic_load(&a[j].in));
			ck_assert_uint_ge(atomic_load(&a[j].order), admitted);
			ck_assert_uint_lt(atomic_load(&a[j].order), end);
		}
		admitted = end;
		for (j = start; j < end; j++)
			ck_assert_int_eq(sem_post(&a[j].go), 0);
	}
	ls_group_join(g);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(atomic_load(&a[i].rc), 0);
		ck_assert_int_eq(atomic_load(&a[i].unlock_rc), 0);
		sem_destroy(&a[i].go);
	}
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/*
 * Writer preference keeps the readers queued while writers wait, and
 * lets them in together once no writer is left.
 */
START_TEST(test_writer_pref_batches)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_WRITER_PREF);
	struct ls_group *g = mk_group(NULL);
	struct actor r1, w1, r2, w2;
	struct ls_rwlock_stats st;

	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	actor_start(g, &r1, l, OP_RD, true);
	WAIT_UNTIL(waiting(l) == 1);
	actor_start(g, &w1, l, OP_WR, true);
	WAIT_UNTIL(waiting(l) == 2);
	actor_start(g, &r2, l, OP_RD, true);
	WAIT_UNTIL(waiting(l) == 3);
	actor_start(g, &w2, l, OP_WR, true);
	WAIT_UNTIL(waiting(l) == 4);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	/* Writers first, in their order. */
	WAIT_UNTIL(atomic_load(&w1.in));
	st = stats(l);
	ck_assert(st.writer && st.readers_waiting == 2 &&
		  st.writers_waiting == 1);
	ck_assert_int_eq(sem_post(&w1.go), 0);
	WAIT_UNTIL(atomic_load(&w2.in));
	st = stats(l);
	ck_assert(st.writer && st.readers_waiting == 2 &&
		  st.writers_waiting == 0);
	ck_assert_int_eq(sem_post(&w2.go), 0);
	/* Then both readers at once. */
	WAIT_UNTIL(atomic_load(&r1.in) && atomic_load(&r2.in));
	st = stats(l);
	ck_assert(!st.writer && st.readers == 2 && st.readers_waiting == 0);
	ck_assert_int_eq(sem_post(&r1.go), 0);
	ck_assert_int_eq(sem_post(&r2.go), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

/*
 * Reader preference: when the writer inside leaves, the queued readers go
 * before the queued writers.
 */
START_TEST(test_reader_pref_batches)
{
	struct ls_rwlock *l = mk(LS_RWLOCK_READER_PREF);
	struct ls_group *g = mk_group(NULL);
	struct actor w1, r1, r2;
	struct ls_rwlock_stats st;

	ck_assert_int_eq(ls_rwlock_wrlock(l), 0);
	actor_start(g, &w1, l, OP_WR, true);
	WAIT_UNTIL(waiting(l) == 1);
	actor_start(g, &r1, l, OP_RD, true);
	WAIT_UNTIL(waiting(l) == 2);
	actor_start(g, &r2, l, OP_RD, true);
	WAIT_UNTIL(waiting(l) == 3);
	ck_assert_int_eq(ls_rwlock_unlock(l), 0);
	WAIT_UNTIL(atomic_load(&r1.in) && atomic_load(&r2.in));
	st = stats(l);
	ck_assert(!st.writer && st.readers == 2 && st.writers_waiting == 1);
	ck_assert_int_eq(sem_post(&r1.go), 0);
	ck_assert_uint_eq(stats(l).writers_waiting, 1);
	ck_assert_int_eq(sem_post(&r2.go), 0);
	WAIT_UNTIL(atomic_load(&w1.in));
	ck_assert_int_eq(sem_post(&w1.go), 0);
	ls_group_join(g);
	ls_group_destroy(g);
	ck_assert_int_eq(ls_rwlock_destroy(l), 0);
}
END_TEST

static Suite *
rwlock_policy_suite(void)
{
	Suite *s = suite_create("rwlock_policy");
	TCase *tc;

	tc = tcase_create("policy");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_writer_pref_stream);
	tcase_add_test(tc, test_fair_stream);
	tcase_add_test(tc, test_reader_pref_starves);
	tcase_add_test(tc, test_writer_pref_free_stream);
	tcase_add_test(tc, test_fair_fifo);
	tcase_add_test(tc, test_writer_pref_batches);
	tcase_add_test(tc, test_reader_pref_batches);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(rwlock_policy_suite());
}
