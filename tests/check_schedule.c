/*
 * check_schedule.c - schedule files: what the writer writes the reader
 * reads back; a malformed file is refused with its line; a schedule that
 * does not fit the run (no such thread, a thread that cannot move, a
 * wrong target) is refused at the step's line, never a hang; replaying a
 * written schedule gives the same run.
 */
#include "checkutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "control/schedule.h"
#include "control/target.h"
#include "lockstep/ring.h"
#include "scenes/scene.h"

#define STEP_NS 10000000000ull

/* Parse text; expect failure with exactly want as the message. */
static void
refused(const char *text, const char *want)
{
	struct schedule s;
	char err[256] = "";

	ck_assert_int_eq(schedule_parse(text, strlen(text), "t.sched", &s, err,
					sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(s.steps);
	ck_assert_ptr_null(s.target);
}

START_TEST(test_parse_errors)
{
	refused("", "t.sched: empty: not a schedule");
	refused("\n\n# only comments\n", "t.sched: empty: not a schedule");
	refused("lockstep-schedule 2\n", "t.sched:1: not a schedule: the "
		"first line must be 'lockstep-schedule 1'");
	refused("hello\n", "t.sched:1: not a schedule: the first line must "
		"be 'lockstep-schedule 1'");
	refused("lockstep-schedule 1\nalice\n",
		"t.sched:2: a step before the target line");
	refused("lockstep-schedule 1\n", "t.sched:1: no target line");
	refused("lockstep-schedule 1\ntarget race\ntarget race\n",
		"t.sched:3: a second target line");
	refused("lockstep-schedule 1\ntarget race\nseed -4\n",
		"t.sched:3: the seed must be a positive integer");
	refused("lockstep-schedule 1\ntarget race\nseed 0\n",
		"t.sched:3: the seed must be a positive integer");
	refused("lockstep-schedule 1\ntarget race\nalice bob\n",
		"t.sched:3: a step is one thread name (letters, digits, "
		"-_.:[], at most 31)");
	refused("lockstep-schedule 1\ntarget race\n\x1b]0;pwned\x07\n",
		"t.sched:3: a step is one thread name (letters, digits, "
		"-_.:[], at most 31)");
	{
		/* A NUL in a name (found by the fuzzer). */
		static const char nul[] = "lockstep-schedule 1\ntarget race\n"
					  "al\0ce\n";
		struct schedule s;
		char err[256];

		ck_assert_int_eq(schedule_parse(nul, sizeof(nul) - 1, "t.sched",
						&s, err, sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, "t.sched:3: a step is one thread name "
				 "(letters, digits, -_.:[], at most 31)");
	}
	refused("lockstep-schedule 1\ntarget  ra\x1b" "ce\n",
		"t.sched:2: the target has a character that is not allowed "
		"at column 11");
	refused("lockstep-schedule 1\ntarget race\n"
		"a_name_that_is_much_too_long_for_a_thread\n",
		"t.sched:3: a step is one thread name (letters, digits, "
		"-_.:[], at most 31)");
}
END_TEST

START_TEST(test_parse_long_and_commented)
{
	size_t n = test_size("SCHEDULE_STEPS", 200000, 20000), i, len = 0;
	char *buf = malloc(n * 24 + 256);
	struct schedule s;
	char err[256];

	ck_assert_ptr_nonnull(buf);
	len += (size_t)sprintf(buf, "  lockstep-schedule 1   # v1\n\n"
			       "target deadlock fix=none\nseed 99\n");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, "%s # step %zu\n",
				       i % 2 ? "T2" : "T1", i);
	/* No newline at the end. */
	len += (size_t)sprintf(buf + len, "T1");
	ck_assert_int_eq(schedule_parse(buf, len, "big", &s, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(s.n, n + 1);
	ck_assert_str_eq(s.target, "deadlock fix=none");
	ck_assert_uint_eq(s.seed, 99);
	ck_assert_str_eq(s.steps[1].thread, "T2");
	ck_assert_uint_eq(s.steps[0].line, 5);
	ck_assert_uint_eq(s.steps[n].line, (unsigned)n + 5);
	schedule_free(&s);
	free(buf);
}
END_TEST

/* A target with a discard hook, as in check_control. */
static void
discard(void *arg)
{
	struct ls_event buf[256];

	while (ls_ring_drain(arg, buf, 256))
		;
}

static void
start(struct control *c, struct ls_ring *ring,
      const struct control_target *t, uint64_t seed)
{
	char err[256];

	ck_assert_msg(!control_start(c, ring, t, CONTROL_STEP, 0, seed, err,
				     sizeof(err)), "%s", err);
	c->before_launch = discard;
	c->hook_arg = ring;
}

START_TEST(test_target_line)
{
	struct control_target t;
	struct schedule s;
	char err[256], desc[256];
	const char *text = "lockstep-schedule 1\n#\ntarget race adds=2000\n";

	ck_assert_int_eq(schedule_parse(text, strlen(text), "x", &s, err,
					sizeof(err)), 0);
	ck_assert_int_eq(schedule_target(&s, &t, err, sizeof(err)), 0);
	ck_assert_str_eq(target_describe(&t, desc, sizeof(desc)),
			 "race fix=none adders=2 adds=2000");
	target_free(&t);
	schedule_free(&s);

	text = "lockstep-schedule 1\ntarget race speed=9\n";
	ck_assert_int_eq(schedule_parse(text, strlen(text), "x", &s, err,
					sizeof(err)), 0);
	ck_assert_int_eq(schedule_target(&s, &t, err, sizeof(err)), -EINVAL);
	ck_assert_msg(!strncmp(err, "x:2: scene race has no parameter "
			       "'speed'", 34), "%s", err);
	schedule_free(&s);

	text = "lockstep-schedule 1\ntarget nosuch\n";
	ck_assert_int_eq(schedule_parse(text, strlen(text), "x", &s, err,
					sizeof(err)), 0);
	ck_assert_int_eq(schedule_target(&s, &t, err, sizeof(err)), -ENOENT);
	ck_assert_msg(!strncmp(err, "x:2: unknown scene 'nosuch'", 27), "%s",
		      err);
	schedule_free(&s);
}
END_TEST

/* Steps that do not fit the run are refused at their line. */
START_TEST(test_replay_misfits)
{
	static const struct {
		const char *steps, *err;
	} cases[] = {
		{ "T1\ncarol\n", "x:5: no thread named 'carol' now" },
		{ "T1\nT2\nT1\nT1\n",
		  "x:7: T1 cannot move: it waits for B (held by T2)" },
	};
	struct ls_ring *ring = test_ring_new(1024, 16);
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		char text[256], err[256];
		struct control_target t;
		struct schedule s;
		struct control c;

		snprintf(text, sizeof(text), "lockstep-schedule 1\n"
			 "target deadlock fix=none\n\n%s", cases[k].steps);
		ck_assert_int_eq(schedule_parse(text, strlen(text), "x", &s,
						err, sizeof(err)), 0);
		ck_assert_int_eq(schedule_target(&s, &t, err, sizeof(err)), 0);
		start(&c, ring, &t, 1);
		ck_assert_int_eq(schedule_replay(&c, &s, 0, s.n, STEP_NS, err,
						 sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, cases[k].err);
		control_stop(&c);
		discard(ring);
		target_free(&t);
		schedule_free(&s);
	}
	ls_ring_destroy(ring);
}
END_TEST

/* Written, read back, replayed: the same steps, the same outcome. */
START_TEST(test_write_read_replay)
{
	struct ls_ring *ring = test_ring_new(1024, 16);
	struct control_target t;
	struct scene_outcome out;
	struct schedule s;
	struct control c;
	char *text = NULL, err[256];
	size_t len = 0, k, at;
	FILE *f;

	ck_assert_int_eq(target_resolve("deadlock", &t, err, sizeof(err)), 0);
	start(&c, ring, &t, 42);
	for (k = 0; k < 4; k++)
		ck_assert_int_eq(control_step(&c, 0, STEP_NS, NULL, 0), 0);
	ck_assert(control_outcome(&c, &out, &at));
	ck_assert_uint_eq(out.kind, LS_OUT_DEADLOCK);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(schedule_write(&c, f), 0);
	fclose(f);
	control_stop(&c);
	discard(ring);

	ck_assert_int_eq(schedule_parse(text, len, "mem", &s, err,
					sizeof(err)), 0);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_uint_eq(s.seed, 42);
	ck_assert_msg(strstr(text, "# lock B (held by T2)"), "%s", text);
	start(&c, ring, &t, s.seed);
	ck_assert_int_eq(schedule_replay(&c, &s, 0, s.n, STEP_NS, err,
					 sizeof(err)), 0);
	ck_assert(control_outcome(&c, &out, &at));
	ck_assert_uint_eq(out.kind, LS_OUT_DEADLOCK);
	ck_assert_uint_eq(at, 4);
	control_stop(&c);
	discard(ring);
	schedule_free(&s);
	target_free(&t);
	free(text);
	ls_ring_destroy(ring);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_long_and_commented);
	tcase_add_test(tc, test_target_line);
	tcase_add_test(tc, test_replay_misfits);
	tcase_add_test(tc, test_write_read_replay);
	suite_add_tcase(s, tc);
	return test_run_suite(s);
}
