/*
 * check_thread.c - unit tests of engine threads and groups: spawn and join,
 * THREAD_START/EXIT events under the ring's names, reaping only returned
 * members, sleeping cut short by cancel, spawning into a cancelled group
 * (also racing the cancel), signals blocked in engine threads, the parker
 * of a thread outside any group, and cancel reaching a group that is being
 * joined.
 *
 * Threads the tests start never call ck_assert: they record what they saw
 * in atomics, and the test asserts after joining them.
 */
#include "checkutil.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "engine/engine-int.h"
#include "lockstep/clock.h"
#include "lockstep/gate.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"

/* Generous bound for waits that end at once unless the engine is broken. */
#define SETTLE_NS (20ull * 1000000000u)

static struct ls_group *
group_new(struct ls_ring *r, const char *name)
{
	struct ls_group *g = NULL;

	ck_assert_int_eq(ls_group_create(r, name, &g), 0);
	ck_assert_ptr_nonnull(g);
	return g;
}

/* Spawn and events. */

struct named {
	unsigned index;
	_Atomic unsigned tid;		/* as the thread sees itself */
	_Atomic int ran;
	_Atomic int self_ok;		/* ls_thread_self() is stable */
};

static void
named_main(void *p)
{
	struct named *a = p;
	struct ls_thread *self = ls_thread_self();

	atomic_store(&a->self_ok, self == ls_thread_self() &&
					  !ls_cancelled() &&
					  ls_gate(LS_EV_MARK, 0, "noop") == 0);
	atomic_store(&a->tid, ls_thread_tid(self));
	atomic_fetch_add(&a->ran, 1);
}

START_TEST(test_spawn_join_events)
{
	unsigned n = (unsigned)test_size("LS_TEST_THREADS", 16, 8);
	struct ls_ring *r = test_ring_new(64, n + 1);
	struct ls_group *g = group_new(r, "spawn");
	struct named *a = calloc(n, sizeof(*a));
	struct ls_event *ev = calloc(8 * n, sizeof(*ev));
	size_t nev, i;
	unsigned k;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(ev);
	ck_assert_ptr_eq(ls_group_ring(g), r);
	for (k = 0; k < n; k++) {
		char name[32];

		a[k].index = k;
		snprintf(name, sizeof(name), "worker-%u", k);
		ck_assert_int_eq(ls_thread_spawn(g, name, named_main, &a[k]),
				 0);
	}
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_uint_eq(ls_group_live(g), 0);
	ck_assert_uint_eq(ls_ring_thread_count(r), n);

	nev = test_drain_all(r, ev, 8 * n);
	for (k = 0; k < n; k++) {
		unsigned tid = atomic_load(&a[k].tid), starts = 0, exits = 0;
		char want[32], got[LS_NAME_MAX + 1];

		ck_assert_int_eq(atomic_load(&a[k].ran), 1);
		ck_assert_int_eq(atomic_load(&a[k].self_ok), 1);
		ck_assert_uint_ge(tid, 1);
		ck_assert_uint_le(tid, n);
		snprintf(want, sizeof(want), "worker-%u", k);
		ck_assert_int_eq(ls_ring_thread_name(r, tid, got, sizeof(got)),
				 0);
		ck_assert_str_eq(got, want);
		for (i = 0; i < nev; i++) {
			if (ev[i].tid != tid)
				continue;
			if (ev[i].kind == LS_EV_THREAD_START) {
				ck_assert_uint_eq(exits, 0);
				ck_assert_uint_eq(ev[i].seq, 0);
				starts++;
			} else if (ev[i].kind == LS_EV_THREAD_EXIT) {
				ck_assert_uint_eq(starts, 1);
				exits++;
			} else {
				ck_abort_msg("unexpected event %s",
					     ls_event_kind_name(ev[i].kind));
			}
		}
		ck_assert_uint_eq(starts, 1);
		ck_assert_uint_eq(exits, 1);
	}
	ck_assert_uint_eq(nev, 2 * n);
	ls_group_destroy(g);
	ls_ring_destroy(r);
	free(a);
	free(ev);
}
END_TEST

/* A group without a ring: threads run, emit nothing, have tid 0. */
START_TEST(test_spawn_without_ring)
{
	struct ls_group *g = group_new(NULL, "quiet");
	struct named a[4];
	unsigned k;

	memset(a, 0, sizeof(a));
	for (k = 0; k < 4; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "q", named_main, &a[k]),
				 0);
	ck_assert_int_eq(ls_thread_spawn(g, "bad", NULL, NULL), -EINVAL);
	ls_group_join(g);
	for (k = 0; k < 4; k++) {
		ck_assert_int_eq(atomic_load(&a[k].ran), 1);
		ck_assert_uint_eq(atomic_load(&a[k].tid), 0);
	}
	ls_group_destroy(g);
}
END_TEST

/* Reap. */

struct sleeper {
	_Atomic int rc;
	_Atomic int done;
};

static void
quick_main(void *p)
{
	atomic_fetch_add((_Atomic int *)p, 1);
}

static void
sleeper_main(void *p)
{
	struct sleeper *s = p;

	atomic_store(&s->rc, ls_thread_sleep(3600ull * 1000000000u));
	atomic_store(&s->done, 1);
}

START_TEST(test_reap_only_returned)
{
	unsigned quick = 6, slow = 3, k;
	struct ls_ring *r = test_ring_new(64, 16);
	struct ls_group *g = group_new(r, "reap");
	struct sleeper s[3];
	struct ls_gate_view v[16];
	_Atomic int ran = 0;
	unsigned before = test_task_baseline();

	memset(s, 0, sizeof(s));
	/* PAUSE makes members report their state changes (sleeping), so
	 * settle can wait for them; nothing here passes a gate. */
	ls_gate_pause(g);
	for (k = 0; k < slow; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "slow", sleeper_main,
						 &s[k]),
				 0);
	for (k = 0; k < quick; k++)
		ck_assert_int_eq(ls_thread_spawn(g, "quick", quick_main, &ran),
				 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_int_eq(atomic_load(&ran), (int)quick);
	ck_assert_uint_eq(ls_group_live(g), slow);

	ck_assert_int_eq(ls_group_reap(g), (int)quick);
	ck_assert_int_eq(ls_group_reap(g), 0);
	ck_assert_uint_eq(test_task_count_settled(before + slow),
			  before + slow);
	ck_assert_uint_eq(ls_gate_list(g, v, 16), slow);
	for (k = 0; k < slow; k++) {
		ck_assert_uint_eq(v[k].state, LS_STATE_SLEEPING);
		ck_assert_int_eq(atomic_load(&s[k].done), 0);
	}

	ls_group_cancel(g);
	ck_assert(ls_group_cancelled(g));
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_uint_eq(ls_group_live(g), 0);
	ck_assert_int_eq(ls_group_reap(g), 0);
	ck_assert_uint_eq(ls_gate_list(g, v, 16), 0);
	for (k = 0; k < slow; k++)
		ck_assert_int_eq(atomic_load(&s[k].rc), -ECANCELED);
	ck_assert_uint_eq(test_task_count_settled(before), before);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/* Reap and join at once: every member is joined exactly once. */
struct reaper {
	struct ls_group *g;
	_Atomic int stop;
	_Atomic int reaped;
};

static void *
reaper_main(void *p)
{
	struct reaper *rp = p;

	while (!atomic_load(&rp->stop)) {
		atomic_fetch_add(&rp->reaped, ls_group_reap(rp->g));
		sched_yield();
	}
	return NULL;
}

START_TEST(test_reap_races_join)
{
	unsigned rounds = (unsigned)test_size("LS_TEST_REAP_ROUNDS", 200, 30);
	unsigned n = 8, k, round;
	unsigned before = test_task_baseline();
	_Atomic int ran = 0;

	for (round = 0; round < rounds; round++) {
		struct reaper rp = { .g = group_new(NULL, "rr") };
		pthread_t pt;

		ck_assert_int_eq(pthread_create(&pt, NULL, reaper_main, &rp),
				 0);
		for (k = 0; k < n; k++)
			ck_assert_int_eq(ls_thread_spawn(rp.g, "q", quick_main,
							 &ran),
					 0);
		ck_assert_int_eq(ls_group_join(rp.g), 0);
		atomic_store(&rp.stop, 1);
		ck_assert_int_eq(pthread_join(pt, NULL), 0);
		ck_assert_uint_eq(ls_group_live(rp.g), 0);
		ck_assert_int_le(atomic_load(&rp.reaped), (int)n);
		ls_group_destroy(rp.g);
	}
	ck_assert_int_eq(atomic_load(&ran), (int)(rounds * n));
	ck_assert_uint_eq(test_task_count_settled(before), before);
}
END_TEST

/* Sleep and cancel. */

START_TEST(test_sleep_cut_short_by_cancel)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_group *g = group_new(r, "sleep");
	struct sleeper s = { 0 };
	struct ls_gate_view v;
	struct ls_event ev[16];
	size_t n, i;
	unsigned sleeping = 0, running = 0;

	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "sleepy", sleeper_main, &s), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_SLEEPING);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&s.rc), -ECANCELED);
	/* The sleep said so in STATE events: sleeping, then running. */
	n = test_drain_all(r, ev, 16);
	for (i = 0; i < n; i++) {
		if (ev[i].kind != LS_EV_STATE)
			continue;
		if (ev[i].arg == LS_STATE_SLEEPING)
			sleeping++;
		else if (ev[i].arg == LS_STATE_RUNNING && sleeping)
			running++;
	}
	ck_assert_uint_eq(sleeping, 1);
	ck_assert_uint_eq(running, 1);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

static void
sleep_twice_main(void *p)
{
	struct sleeper *s = p;

	/* Cancelled already: both return at once. */
	if (ls_thread_sleep(3600ull * 1000000000u) == -ECANCELED &&
	    ls_thread_sleep(1) == -ECANCELED && ls_cancelled())
		atomic_store(&s->rc, -ECANCELED);
	atomic_store(&s->done, 1);
}

static void
block_then_sleep_main(void *p)
{
	struct sleeper *s = p;

	/* Parks at the gate (paused group) until cancelled. */
	if (ls_gate(LS_EV_MARK, 0, "wait") == -ECANCELED)
		sleep_twice_main(s);
}

START_TEST(test_sleep_in_cancelled_group)
{
	struct ls_group *g = group_new(NULL, "c");
	struct sleeper s = { 0 };
	uint64_t t0, t1;
	struct ls_thread *self;

	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "x", block_then_sleep_main, &s),
			 0);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&s.done), 1);
	ck_assert_int_eq(atomic_load(&s.rc), -ECANCELED);
	ls_group_destroy(g);

	/* Outside any group a sleep is never cancelled and lasts. */
	self = ls_thread_self();
	ck_assert_ptr_null(self->group);
	t0 = ls_clock_ns();
	ck_assert_int_eq(ls_thread_sleep(2000000), 0);
	t1 = ls_clock_ns();
	ck_assert_uint_ge(t1 - t0, 2000000);
	/* A stale permit does not cut a sleep short. */
	thread_unpark(self);
	t0 = ls_clock_ns();
	ck_assert_int_eq(ls_thread_sleep(2000000), 0);
	ck_assert_uint_ge(ls_clock_ns() - t0, 2000000);
}
END_TEST

/* Simulated computation (ls_thread_sleep_as RUNNING) is not rest: a
 * paused group settles only once the thread reached its next gate. */
struct computer {
	_Atomic int rc;
	_Atomic int gate_rc;
};

static void
compute_main(void *p)
{
	struct computer *c = p;

	atomic_store(&c->rc, ls_thread_sleep_as(30000000, LS_STATE_RUNNING));
	atomic_store(&c->gate_rc, ls_gate(LS_EV_MARK, 0, "after compute"));
	if (atomic_load(&c->gate_rc) == 0)
		atomic_store(&c->rc, ls_thread_sleep_as(3600ull * 1000000000u,
							LS_STATE_RUNNING));
}

START_TEST(test_sleep_as_running)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_group *g = group_new(r, "compute");
	struct computer c = { 0 };
	struct ls_gate_view v;

	ls_gate_pause(g);
	ck_assert_int_eq(ls_thread_spawn(g, "cpu", compute_main, &c), 0);
	ck_assert_int_eq(ls_gate_settle(g, SETTLE_NS), 0);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_PARKED);
	ck_assert_str_eq(v.desc, "after compute");
	ck_assert_int_eq(atomic_load(&c.rc), 0);
	/* Stepped into an hour of computing: not at rest, and a cancel
	 * cuts it short. */
	ck_assert_int_eq(ls_gate_step(g, v.tid, 20000000), -ETIMEDOUT);
	ck_assert_uint_eq(ls_gate_list(g, &v, 1), 1);
	ck_assert_uint_eq(v.state, LS_STATE_RUNNING);
	ls_group_cancel(g);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&c.gate_rc), 0);
	ck_assert_int_eq(atomic_load(&c.rc), -ECANCELED);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/* Spawn into a cancelled group. */

START_TEST(test_spawn_into_cancelled)
{
	struct ls_ring *r = test_ring_new(64, 4);
	struct ls_group *g = group_new(r, "dead");
	_Atomic int ran = 0;

	ck_assert(!ls_group_cancelled(g));
	ls_group_cancel(g);
	ls_group_cancel(g);	/* idempotent */
	ck_assert(ls_group_cancelled(g));
	ck_assert_int_eq(ls_gate_mode(g), LS_GATE_CANCELLED);
	ck_assert_int_eq(ls_thread_spawn(g, "late", quick_main, &ran),
			 -ECANCELED);
	/* No ring tid was spent on it (tids are never reused). */
	ck_assert_uint_eq(ls_ring_thread_count(r), 0);
	ck_assert_uint_eq(ls_group_live(g), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_int_eq(atomic_load(&ran), 0);
	ls_group_destroy(g);
	ls_ring_destroy(r);
}
END_TEST

/* Spawns racing a cancel: every thread that was spawned is woken by the
 * cancel (it sleeps for an hour otherwise) and joined; every refused spawn
 * ran nothing. */
struct spawn_race {
	struct ls_group *g;
	unsigned tries;
	_Atomic unsigned ok, refused, started, cancelled;
};

static void
race_sleeper_main(void *p)
{
	struct spawn_race *sr = p;

	atomic_fetch_add(&sr->started, 1);
	if (ls_thread_sleep(3600ull * 1000000000u) == -ECANCELED)
		atomic_fetch_add(&sr->cancelled, 1);
}

static void *
spawner_main(void *p)
{
	struct spawn_race *sr = p;
	unsigned k;
	int rc;

	for (k = 0; k < sr->tries; k++) {
		rc = ls_thread_spawn(sr->g, "racer", race_sleeper_main, sr);
		if (rc == 0)
			atomic_fetch_add(&sr->ok, 1);
		else if (rc == -ECANCELED)
			atomic_fetch_add(&sr->refused, 1);
	}
	return NULL;
}

START_TEST(test_spawn_races_cancel)
{
	unsigned rounds = (unsigned)test_size("LS_TEST_SPAWN_ROUNDS", 100, 20);
	unsigned round, before = test_task_baseline();

	for (round = 0; round < rounds; round++) {
		struct spawn_race sr = {
			.g = group_new(NULL, "race"),
			.tries = 8,
		};
		pthread_t pt;

		ck_assert_int_eq(pthread_create(&pt, NULL, spawner_main, &sr),
				 0);
		if (round & 1)
			sched_yield();
		ls_group_cancel(sr.g);
		ck_assert_int_eq(pthread_join(pt, NULL), 0);
		ck_assert_int_eq(ls_group_join(sr.g), 0);
		ck_assert_uint_eq(atomic_load(&sr.ok) +
					  atomic_load(&sr.refused),
				  sr.tries);
		ck_assert_uint_eq(atomic_load(&sr.started),
				  atomic_load(&sr.ok));
		ck_assert_uint_eq(atomic_load(&sr.cancelled),
				  atomic_load(&sr.ok));
		ls_group_destroy(sr.g);
	}
	ck_assert_uint_eq(test_task_count_settled(before), before);
}
END_TEST

/* Signals. */

struct sigcheck {
	_Atomic int blocked;	/* every signal we care about is blocked */
	_Atomic int ran;
};

static void
sig_main(void *p)
{
	static const int sigs[] = { SIGINT,  SIGTERM, SIGHUP,  SIGQUIT,
				    SIGWINCH, SIGUSR1, SIGUSR2, SIGPIPE,
				    SIGALRM, SIGCHLD, SIGCONT, SIGTSTP };
	struct sigcheck *c = p;
	sigset_t cur;
	size_t i;
	int all = 1;

	if (pthread_sigmask(SIG_BLOCK, NULL, &cur))
		all = 0;
	for (i = 0; all && i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&cur, sigs[i]) != 1)
			all = 0;
	atomic_store(&c->blocked, all);
	atomic_store(&c->ran, 1);
}

START_TEST(test_signals_blocked)
{
	struct ls_group *g = group_new(NULL, "sig");
	struct sigcheck c = { 0 };
	sigset_t before, after;

	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &before), 0);
	ck_assert_int_eq(sigismember(&before, SIGINT), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "sig", sig_main, &c), 0);
	ls_group_join(g);
	ck_assert_int_eq(atomic_load(&c.ran), 1);
	ck_assert_int_eq(atomic_load(&c.blocked), 1);
	/* The spawner's own mask is given back. */
	ck_assert_int_eq(pthread_sigmask(SIG_BLOCK, NULL, &after), 0);
	ck_assert_int_eq(sigismember(&after, SIGINT), 0);
	ck_assert_int_eq(sigismember(&after, SIGTERM), 0);
	ls_group_destroy(g);
}
END_TEST

/* The parker of a thread outside any group. */

struct unparker {
	struct ls_thread *target;
};

static void *
unparker_main(void *p)
{
	struct unparker *u = p;

	thread_unpark(u->target);
	return NULL;
}

START_TEST(test_park_outside_group)
{
	struct ls_thread *self = ls_thread_self();
	struct unparker u = { .target = self };
	uint64_t deadline, t0;
	pthread_t pt;

	ck_assert_ptr_eq(ls_thread_self(), self);
	ck_assert_ptr_null(self->group);
	ck_assert_uint_eq(ls_thread_tid(self), 0);
	ck_assert(!ls_cancelled());
	ck_assert(!thread_cancelled(self));
	ck_assert_int_eq(ls_gate(LS_EV_MARK, 1, "outside"), 0);
	/* Start without a permit left by an earlier test (CK_FORK=no). */
	(void)thread_park(self, 1);

	/* A deadline: not one nanosecond early. */
	deadline = ls_clock_ns() + 20000000;
	ck_assert_int_eq(thread_park(self, deadline), -ETIMEDOUT);
	ck_assert_uint_ge(ls_clock_ns(), deadline);
	/* A deadline already past. */
	ck_assert_int_eq(thread_park(self, 1), -ETIMEDOUT);

	/* A permit given before the park is kept and consumed once. */
	thread_unpark(self);
	thread_unpark(self);
	t0 = ls_clock_ns();
	ck_assert_int_eq(thread_park(self, t0 + 3600ull * 1000000000u), 0);
	ck_assert_int_eq(thread_park(self, ls_clock_ns() + 1000000),
			 -ETIMEDOUT);

	/* Woken from another thread, with and without a deadline. */
	ck_assert_int_eq(pthread_create(&pt, NULL, unparker_main, &u), 0);
	ck_assert_int_eq(thread_park(self, ls_clock_ns() +
						   3600ull * 1000000000u),
			 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	ck_assert_int_eq(pthread_create(&pt, NULL, unparker_main, &u), 0);
	ck_assert_int_eq(thread_park(self, 0), 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
}
END_TEST

/* A record made for a plain pthread is freed when it exits (LSan). */
static void *
lazy_main(void *p)
{
	struct ls_thread *t = ls_thread_self();

	*(int *)p = t == ls_thread_self() && t->group == NULL;
	return NULL;
}

START_TEST(test_lazy_record)
{
	pthread_t pt;
	int ok = 0;

	ck_assert_int_eq(pthread_create(&pt, NULL, lazy_main, &ok), 0);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	ck_assert_int_eq(ok, 1);
}
END_TEST

/* A joined thread's record goes to the next thread, not back to malloc:
 * a wake-up left for after a lock may still name its parker word, and
 * must find a parker word there (thread.c, spare records).  Valgrind's
 * memcheck in CI reports a futex call on freed memory if one is freed. */
static void
record_self(void *p)
{
	*(struct ls_thread **)p = ls_thread_self();
}

START_TEST(test_record_reused_not_freed)
{
	struct ls_group *g;
	struct ls_thread *first = NULL, *second = NULL;
	void *decoy;

	ck_assert_int_eq(ls_group_create(NULL, "records", &g), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "first", record_self, &first), 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	/* Were the record freed, malloc would hand it to this block of its
	 * size (and under ASan to nobody): the next thread would not get
	 * it. */
	decoy = malloc(sizeof(struct ls_thread));
	ck_assert_ptr_nonnull(decoy);
	ck_assert_int_eq(ls_thread_spawn(g, "second", record_self, &second),
			 0);
	ck_assert_int_eq(ls_group_join(g), 0);
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_eq(first, second);
	free(decoy);
	ls_group_destroy(g);
}
END_TEST

/* Cancel while another thread is already joining: the cancel must still
 * reach every member (they used to be taken off the list by the join). */
struct joiner {
	struct ls_group *g;
	_Atomic int done;
};

static void *
joiner_main(void *p)
{
	struct joiner *j = p;

	ls_group_join(j->g);
	atomic_store(&j->done, 1);
	return NULL;
}

START_TEST(test_cancel_during_join)
{
	struct joiner j = { .g = group_new(NULL, "joined") };
	struct sleeper s[3];
	pthread_t pt;
	unsigned k;

	memset(s, 0, sizeof(s));
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(ls_thread_spawn(j.g, "s", sleeper_main, &s[k]),
				 0);
	ck_assert_int_eq(pthread_create(&pt, NULL, joiner_main, &j), 0);
	/* Let the joiner get into its wait; the outcome must not depend on
	 * whether it did, only the bug needed it. */
	test_sleep_ns(20000000);
	ls_group_cancel(j.g);
	ck_assert_int_eq(pthread_join(pt, NULL), 0);
	ck_assert_int_eq(atomic_load(&j.done), 1);
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(atomic_load(&s[k].rc), -ECANCELED);
	ls_group_destroy(j.g);
}
END_TEST

/* Destroying a group with live members cancels and joins them. */
START_TEST(test_destroy_live_group)
{
	struct ls_group *g = group_new(NULL, "live");
	struct sleeper s[2];
	unsigned before = test_task_baseline();

	memset(s, 0, sizeof(s));
	ck_assert_int_eq(ls_thread_spawn(g, "a", sleeper_main, &s[0]), 0);
	ck_assert_int_eq(ls_thread_spawn(g, "b", sleeper_main, &s[1]), 0);
	ls_group_destroy(g);
	ck_assert_int_eq(atomic_load(&s[0].rc), -ECANCELED);
	ck_assert_int_eq(atomic_load(&s[1].rc), -ECANCELED);
	ck_assert_uint_eq(test_task_count_settled(before), before);
	ls_group_destroy(NULL);
}
END_TEST

static Suite *
thread_suite(void)
{
	Suite *s = suite_create("thread");
	TCase *basic = tcase_create("basic");
	TCase *cancel = tcase_create("cancel");
	TCase *race = tcase_create("race");

	tcase_set_timeout(basic, 10);
	tcase_add_test(basic, test_spawn_join_events);
	tcase_add_test(basic, test_spawn_without_ring);
	tcase_add_test(basic, test_signals_blocked);
	tcase_add_test(basic, test_park_outside_group);
	tcase_add_test(basic, test_lazy_record);
	tcase_add_test(basic, test_record_reused_not_freed);
	suite_add_tcase(s, basic);

	tcase_set_timeout(cancel, 10);
	tcase_add_test(cancel, test_reap_only_returned);
	tcase_add_test(cancel, test_sleep_cut_short_by_cancel);
	tcase_add_test(cancel, test_sleep_in_cancelled_group);
	tcase_add_test(cancel, test_sleep_as_running);
	tcase_add_test(cancel, test_spawn_into_cancelled);
	tcase_add_test(cancel, test_cancel_during_join);
	tcase_add_test(cancel, test_destroy_live_group);
	suite_add_tcase(s, cancel);

	tcase_set_timeout(race, 30);
	tcase_add_test(race, test_reap_races_join);
	tcase_add_test(race, test_spawn_races_cancel);
	suite_add_tcase(s, race);
	return s;
}

int
main(void)
{
	return test_run_suite(thread_suite());
}
