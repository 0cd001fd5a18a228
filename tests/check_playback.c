/*
 * check_playback.c - a recording folded back into a model: a real run
 * recorded through the feed replays into the picture the live model had,
 * also across a restart; going back (from snapshots) gives exactly the
 * model that folding straight from the start gives; a new run in the
 * recording starts the model afresh; and a damaged file is refused with
 * its byte offset.
 */
#include "checkutil.h"

#include <unistd.h>

#include "control/control.h"
#include "control/target.h"
#include "model/feed.h"
#include "model/model.h"
#include "model/playback.h"
#include "scenes/scene.h"
#include "trace/record.h"

/* A temporary file's path, made and removed by the test. */
static void
tmp_path(char *buf, size_t n)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(buf, n, "%s/check_playback.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static struct playback *
open_ok(const char *path)
{
	struct playback *p = NULL;
	char err[512];

	ck_assert_msg(playback_open(path, &p, err, sizeof(err)) == 0, "%s",
		      err);
	return p;
}

/* The live side of a recorded run: the feed restarts its model. */
struct live {
	struct feed feed;
	char what[256];
};

static void
live_restart(void *arg)
{
	struct live *l = arg;
	struct ls_event buf[256];

	while (ls_ring_drain(l->feed.ring, buf, 256))
		;
	ck_assert_int_eq(feed_restart(&l->feed, l->what), 0);
}

/* What the screen shows of a model, field by field: every thread and
 * object slot, what each holds and waits for, and the counts. */
static void
assert_same_picture(const struct model *a, const struct model *b)
{
	unsigned i, j;

	ck_assert_uint_eq(a->events, b->events);
	ck_assert_uint_eq(a->lost, b->lost);
	ck_assert_uint_eq(a->outcomes, b->outcomes);
	ck_assert_uint_eq(model_deadlocks(a), model_deadlocks(b));
	for (i = 0; i < MODEL_MAX_THREADS; i++) {
		const struct model_thread *x = &a->threads[i], *y = &b->threads[i];

		ck_assert_int_eq(x->used, y->used);
		if (!x->used)
			continue;
		ck_assert_uint_eq(x->tid, y->tid);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_uint_eq(x->state, y->state);
		ck_assert_uint_eq(x->waiting_for, y->waiting_for);
		ck_assert_uint_eq(x->nheld, y->nheld);
		for (j = 0; j < x->nheld; j++)
			ck_assert_uint_eq(x->held[j], y->held[j]);
		ck_assert_uint_eq(x->events, y->events);
		ck_assert_uint_eq(x->last_ts, y->last_ts);
	}
	for (i = 0; i < MODEL_MAX_OBJECTS; i++) {
		const struct model_object *x = &a->objects[i], *y = &b->objects[i];

		ck_assert_int_eq(x->used, y->used);
		if (!x->used)
			continue;
		ck_assert_uint_eq(x->id, y->id);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_uint_eq(x->owner, y->owner);
		ck_assert_uint_eq(x->count, y->count);
		ck_assert_uint_eq(x->nwaiting, y->nwaiting);
		ck_assert_uint_eq(x->acquired, y->acquired);
		ck_assert_uint_eq(x->contended, y->contended);
	}
}

/* A real run, stepped (so it is the same every time), recorded through
 * the feed while the live model folds it; a step back in the middle
 * restarts the target and the model.  The recording, played to its end,
 * is the live model's picture. */
START_TEST(test_real_run_same_picture)
{
	unsigned long steps = test_size("PLAYBACK_STEPS", 300, 100), k;
	struct control_target t = { 0 };
	struct record_writer *w = NULL;
	struct model *live = malloc(sizeof(*live));
	struct model *replayed = malloc(sizeof(*replayed));
	struct ls_ring *ring = test_ring_new(4096, 16);
	struct live l = { 0 };
	struct playback *p;
	struct control c;
	char path[256], err[512];

	ck_assert_ptr_nonnull(live);
	ck_assert_ptr_nonnull(replayed);
	tmp_path(path, sizeof(path));
	ck_assert_int_eq(target_resolve("prodcons", &t, err, sizeof(err)), 0);
	target_describe(&t, l.what, sizeof(l.what));
	ck_assert_int_eq(record_writer_open(path, &w, err, sizeof(err)), 0);
	feed_start(&l.feed, ring, live);
	ck_assert_int_eq(feed_record(&l.feed, w, l.what), 0);
	ck_assert_int_eq(control_start(&c, ring, &t, CONTROL_STEP, 0, 1, err,
				       sizeof(err)), 0);
	c.before_launch = live_restart;
	c.hook_arg = &l;
	for (k = 0; k < steps; k++) {
		if (control_step(&c, 0, TEST_SETTLE_NS, err, sizeof(err)))
			break;
		feed_drain(&l.feed, UINT32_MAX, NULL);
		if (k == steps / 2)
			ck_assert_msg(control_step_back(&c, err, sizeof(err)) ==
				      0, "%s", err);
	}
	ck_assert_uint_gt(k, steps / 2);
	feed_drain(&l.feed, UINT32_MAX, NULL);
	ck_assert_msg(record_writer_close(w, err, sizeof(err)) == 0, "%s",
		      err);
	control_stop(&c);

	p = open_ok(path);
	ck_assert_uint_eq(playback_seek(p, replayed, SIZE_MAX),
			  playback_events(p));
	assert_same_picture(live, replayed);
	ck_assert_str_eq(playback_meta(p, playback_events(p) - 1, "target"),
			 "prodcons");
	ck_assert_ptr_nonnull(strstr(l.what, playback_meta(p, 0, "params")));
	playback_close(p);
	unlink(path);
	ls_ring_destroy(ring);
	free(live);
	free(replayed);
}
END_TEST

#define NTHREADS 4
#define MUTEX 1

/* A synthetic recording of n events: NTHREADS threads taking turns on
 * one mutex (wait, acquired, released), 100 us apart, so it spans n/10
 * ms and many metrics ticks. */
static void
write_turns(const char *path, size_t n)
{
	static const unsigned kinds[] = {
		LS_EV_LOCK_WAIT, LS_EV_LOCK_ACQUIRED, LS_EV_LOCK_RELEASED,
	};
	struct record_writer *w = NULL;
	uint32_t seq[NTHREADS + 1] = { 0 };
	char err[512], name[16];
	unsigned tid;
	size_t i;

	ck_assert_int_eq(record_writer_open(path, &w, err, sizeof(err)), 0);
	ck_assert_int_eq(record_write_meta(w, "target", "race"), 0);
	ck_assert_int_eq(record_write_object(w, MUTEX, LS_OBJ_MUTEX, "m"), 0);
	for (tid = 1; tid <= NTHREADS; tid++) {
		snprintf(name, sizeof(name), "t%u", tid);
		ck_assert_int_eq(record_write_thread(w, tid, name), 0);
	}
	for (i = 0; i < n; i++) {
		struct ls_event e = {
			.ts = 1000000000ull + i * 100000ull,
			.kind = (uint16_t)kinds[i % 3],
			.tid = (uint16_t)(i / 3 % NTHREADS + 1),
			.obj = MUTEX,
		};

		e.seq = seq[e.tid]++;
		ck_assert_int_eq(record_write_events(w, &e, 1), 0);
	}
	ck_assert_int_eq(record_write_dropped(w, 3), 0);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), 0);
}

/* Every position reached going back (through snapshots) or jumping
 * about is exactly the model a fresh fold from the start gives. */
START_TEST(test_back_equals_forward)
{
	size_t n = 10 * PLAYBACK_SNAPSHOT_MIN + 7, i;
	const size_t at[] = { 0, 1, 2, 3 * PLAYBACK_SNAPSHOT_MIN,
		3 * PLAYBACK_SNAPSHOT_MIN - 1, 5 * PLAYBACK_SNAPSHOT_MIN + 1,
		PLAYBACK_SNAPSHOT_MIN / 2, 9 * PLAYBACK_SNAPSHOT_MIN + 3,
		PLAYBACK_SNAPSHOT_MIN, n - 1, n / 2 };
	struct model *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct playback *p, *q;
	char path[256];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	tmp_path(path, sizeof(path));
	write_turns(path, n);
	p = open_ok(path);
	ck_assert_uint_eq(playback_events(p), n);
	/* To the end first: every snapshot is taken on the way. */
	ck_assert_uint_eq(playback_seek(p, a, n), n);
	ck_assert_uint_eq(a->ring_dropped, 3);
	ck_assert_uint_eq(a->events, n);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		/* Back from where p stands, and one step back more. */
		ck_assert_uint_eq(playback_seek(p, a, at[i] + 1), at[i] + 1);
		ck_assert_uint_eq(playback_seek(p, a, at[i]), at[i]);
		ck_assert_uint_eq(playback_position(p), at[i]);
		q = open_ok(path);
		ck_assert_uint_eq(playback_seek(q, b, at[i]), at[i]);
		ck_assert_msg(!memcmp(a, b, sizeof(*a)),
			      "position %zu differs from a fold from the start",
			      at[i]);
		ck_assert_uint_eq(a->events, at[i]);
		playback_close(q);
	}
	/* The stamps, and the positions they name. */
	ck_assert_uint_eq(playback_first_ts(p), 1000000000ull);
	ck_assert_uint_eq(playback_ts(p, 10), 1000000000ull + 10 * 100000ull);
	ck_assert_uint_eq(playback_position_at(p, 1000000000ull - 1), 0);
	ck_assert_uint_eq(playback_position_at(p, 1000000000ull), 1);
	ck_assert_uint_eq(playback_position_at(p, 1000000000ull + 150000ull),
			  2);
	ck_assert_uint_eq(playback_position_at(p, UINT64_MAX), n);
	ck_assert_ptr_null(playback_meta(p, 0, "broken"));
	playback_close(p);
	unlink(path);
	free(a);
	free(b);
}
END_TEST

/* A "target" record in the middle (a scene reset, or another scene)
 * starts the model afresh there, as the live ui did. */
START_TEST(test_new_run_starts_afresh)
{
	struct record_writer *w = NULL;
	struct model *m = malloc(sizeof(*m));
	struct ls_event e = { .ts = 100, .tid = 1, .kind = LS_EV_STATE,
			      .arg = LS_STATE_RUNNING };
	struct playback *p;
	char path[256], err[512];

	ck_assert_ptr_nonnull(m);
	tmp_path(path, sizeof(path));
	ck_assert_int_eq(record_writer_open(path, &w, err, sizeof(err)), 0);
	ck_assert_int_eq(record_write_meta(w, "target", "race"), 0);
	ck_assert_int_eq(record_write_meta(w, "params", "fix=none"), 0);
	ck_assert_int_eq(record_write_thread(w, 1, "alice"), 0);
	ck_assert_int_eq(record_write_events(w, &e, 1), 0);
	ck_assert_int_eq(record_write_meta(w, "target", "deadlock"), 0);
	ck_assert_int_eq(record_write_meta(w, "params", "fix=ordering"), 0);
	ck_assert_int_eq(record_write_thread(w, 1, "T1"), 0);
	e.ts = 200;
	ck_assert_int_eq(record_write_events(w, &e, 1), 0);
	ck_assert_int_eq(record_write_meta(w, "broken", "no cycle: T1"), 0);
	ck_assert_int_eq(record_writer_close(w, err, sizeof(err)), 0);

	p = open_ok(path);
	ck_assert_uint_eq(playback_events(p), 2);
	playback_seek(p, m, 1);
	ck_assert_str_eq(model_thread(m, 1)->name, "alice");
	ck_assert_uint_eq(m->events, 1);
	ck_assert_str_eq(playback_meta(p, 0, "target"), "race");
	ck_assert_str_eq(playback_meta(p, 0, "params"), "fix=none");
	ck_assert_uint_eq(playback_run_start(p, 0), 100);
	playback_seek(p, m, 2);
	ck_assert_str_eq(model_thread(m, 1)->name, "T1");
	/* The first run's event is gone with its model. */
	ck_assert_uint_eq(m->events, 1);
	ck_assert_str_eq(playback_meta(p, 1, "target"), "deadlock");
	ck_assert_str_eq(playback_meta(p, 1, "params"), "fix=ordering");
	ck_assert_uint_eq(playback_run_start(p, 1), 200);
	ck_assert_str_eq(playback_meta(p, 1, "broken"), "no cycle: T1");
	/* And back into the first run. */
	playback_seek(p, m, 1);
	ck_assert_str_eq(model_thread(m, 1)->name, "alice");
	playback_close(p);
	unlink(path);
	free(m);
}
END_TEST

/* A cut, a flipped bit and a newer version: refused, with the byte. */
START_TEST(test_damaged_refused)
{
	struct playback *p = (struct playback *)1;
	char path[256], cut[300], err[512], cmd[700];
	int rc;

	tmp_path(path, sizeof(path));
	write_turns(path, 100);
	snprintf(cut, sizeof(cut), "%s.cut", path);
	snprintf(cmd, sizeof(cmd), "head -c 100 '%s' > '%s'", path, cut);
	ck_assert_int_eq(system(cmd), 0);
	rc = playback_open(cut, &p, err, sizeof(err));
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "byte ") && strstr(err, "truncated"), "%s",
		      err);
	rc = playback_open("/nonexistent/x.lsrec", &p, err, sizeof(err));
	ck_assert_int_eq(rc, -ENOENT);
	unlink(cut);
	unlink(path);
}
END_TEST

static Suite *
playback_suite(void)
{
	Suite *s = suite_create("playback");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_real_run_same_picture);
	tcase_add_test(tc, test_back_equals_forward);
	tcase_add_test(tc, test_new_run_starts_afresh);
	tcase_add_test(tc, test_damaged_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return test_run_suite(playback_suite());
}
