/*
 * starvation.c - a thread that is ready to run never gets its turn.
 *
 * Two parts, chosen by the part parameter (key p); the fix parameter
 * (key f) picks the cure.
 *
 * rwlock: three readers and one writer share a read-write lock.  The
 * readers overlap by construction, not by timing: a reader steps out of
 * the lock only with an "exit ticket" (a semaphore permit; the ui shows
 * it held while the reader is out), and every entry but the very first
 * hands one out.  So there is one ticket fewer than readers inside, and from
 * the first entry on the lock always holds a reader.  On a reader-preferring
 * lock a reader is admitted whenever no writer is inside, the writer
 * needs the lock empty, and it waits for ever: the monitor thread shows
 * its wait climbing.  The fixes change only the lock's policy.
 * Writer-preferring and fair (FIFO) locks queue new readers behind the
 * waiting writer; a reader kept out for PASS_WAIT_MS gives its pass back
 * anyway ("I cannot come in: go ahead"), so the readers inside drain and
 * the writer gets in within about one hold.  Under reader preference no
 * reader ever waits, so that escape never fires and the starvation is
 * certain.  A schedule lets reader-1 in before anybody else moves, so the
 * writer always arrives at a lock that already has a reader.
 *
 * pool: two workers, three chains of urgent jobs (priority 0) and a
 * submitter that adds a batch job (priority 3) every LO_EVERY_MS.  An
 * urgent job queues its successor before it returns, so whenever a worker
 * looks for work at least one urgent job is queued (chains >= workers):
 * without aging a batch job never runs, by construction.  Aging makes a
 * queued job's priority improve with its wait, so a batch job overtakes
 * fresh urgent ones after LO_PRIO * AGING_MS; a FIFO pool ignores
 * priorities altogether.
 *
 * Fix values are shared by both parts, and each part maps every value to
 * its own cure: rwlock: writer -> writer-preferring, fair and aging ->
 * fair (a FIFO lock is aging taken to its limit: the oldest waiter always
 * goes first); pool: writer and aging -> aging, fair -> FIFO.
 *
 * The monitor reports STARVED the moment a wait passes the invariant's
 * bound (a second of workload time), saying who waited how long while
 * whom got in.
 *
 * Invariant: rwlock: the writer got in and never waited a second or more;
 * pool: every batch job queued in the first half of the run has run.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/gate.h"
#include "lockstep/pool.h"
#include "lockstep/ring.h"
#include "lockstep/rwlock.h"
#include "lockstep/sem.h"
#include "lockstep/thread.h"
#include "scenes/scene.h"
#include "scenes/scenes.h"

enum { P_FIX, P_PART };
enum { FIX_NONE, FIX_WRITER, FIX_FAIR, FIX_AGING };
enum { PART_RWLOCK, PART_POOL };

#define MS 1000000ull

/* rwlock part, in workload ms. */
#define NREADERS 3
#define HOLD_MS 300		/* a reader inside */
#define THINK_MS 100		/* a reader between reads */
#define STAGGER_MS 100		/* reader k starts (k - 1) * this late */
#define PASS_WAIT_MS 50		/* kept out this long: let the others go */
#define WRITE_MS 100		/* the writer inside */
#define WRITER_THINK_MS 500	/* the writer between writes */
#define WAIT_BOUND_MS 1000	/* the invariant's bound on a writer wait */

/* pool part. */
#define WORKERS 2
#define CHAINS 3		/* urgent chains; >= WORKERS, see the top */
#define MAX_BATCH 16		/* batch jobs waiting at once, at most */
#define JOB_MS 100
#define LO_EVERY_MS 150
#define HI_PRIO 0
#define LO_PRIO 3
#define AGING_MS 50		/* one priority step per this wait */
#define CAPACITY 64		/* > CHAINS + MAX_BATCH: no submit is refused */

#define TICK_MS 100		/* the monitor's sampling period */

struct starve;

/* A queued job's bookkeeping: queued_ns is when it was queued, 0 while it
 * is not (free, or taken and running).  Only the thread that queues a job
 * stores a non-zero value and only the job (or a failed submit) clears
 * it, so each slot has one writer at a time. */
struct job {
	struct starve *s;
	_Atomic uint64_t queued_ns;
	/* Urgent jobs that had run when it was queued (its queuer
	 * writes it before queued_ns; the monitor reads it after). */
	atomic_ulong urgent_at;
};

struct reader {
	struct starve *s;
	unsigned idx;			/* 0-based */
};

struct starve {
	struct scene_run *run;
	int part, fix;
	uint64_t t0;			/* when the run started (scene clock) */
	/* Time the monitor spent held at its gate: the group paused or
	 * stepping.  Written by the monitor only. */
	_Atomic uint64_t paused_ns;

	/* rwlock part. */
	struct ls_rwlock *lock;
	struct ls_sem *pass;		/* permits: readers inside, minus one */
	atomic_bool entered;		/* the first entry has happened */
	/* The writer's wait start (0: not waiting) and longest finished
	 * wait, written by the writer; the longest wait the monitor saw
	 * still going, written by the monitor.  Read by the monitor and the
	 * invariant; lone values, no ordering needed. */
	_Atomic uint64_t wait_since, wait_max, seen_max;
	atomic_ulong writes, reads;
	atomic_ulong reads_at_wait;	/* reads when the writer began waiting */
	/* The wait (its start) the monitor last reported as starved;
	 * the monitor's alone. */
	uint64_t reported_since;
	struct reader rd[NREADERS];

	/* pool part. */
	struct ls_pool *pool;
	struct job urgent[CHAINS];
	struct job batch[MAX_BATCH];
	atomic_ulong urgent_ran, batch_ran, batch_skipped;

	/* Variables on screen. */
	uint32_t v_wait, v_max, v_writes;
	uint32_t v_hi, v_lo, v_lo_ran, v_lo_queued;
};

/* ns of workload time in real time at the run's speed; at "max" speed
 * (0) the shortest wait there is. */
static uint64_t
starvation_real_ns(struct scene_run *run, uint64_t ns)
{
	unsigned speed = atomic_load_explicit(&run->speed_permille,
					      memory_order_relaxed);

	return speed ? ns * 1000 / speed : 1;
}

static uint64_t
starvation_ms(uint64_t ns)
{
	return ns / MS;
}

/*
 * The scene's clock: real time minus the time the run spent paused, as
 * the ui's t= does, so a wait on screen stops growing while a class looks
 * at a paused picture.  Every time in the scene is on this clock.  The
 * monitor notices a pause when it parks at its gate, up to TICK_MS late,
 * and the clock may step back by that much when a pause ends, so every
 * difference of two readings is taken with a floor of zero.
 */
static uint64_t
starvation_now(struct starve *s)
{
	return ls_clock_ns() - atomic_load(&s->paused_ns);
}

/* a - b, or 0 when b is later. */
static uint64_t
starvation_since(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* rwlock part -------------------------------------------------------- */

static void
reader_main(void *arg)
{
	struct reader *me = arg;
	struct starve *s = me->s;
	struct scene_run *run = s->run;

	if (me->idx && scene_sleep(run, me->idx * STAGGER_MS * MS))
		return;
	for (;;) {
		bool posted = false, first;
		int err;

		err = ls_rwlock_timedrdlock(s->lock, starvation_real_ns(run,
					    PASS_WAIT_MS * MS));
		if (err == -ETIMEDOUT) {
			/* Only a waiting or present writer keeps a reader
			 * out, which a reader-preferring lock never lets
			 * happen here.  Post now the pass this entry would
			 * have posted, so the readers inside can leave.
			 * (A post fails only past LS_SEM_VALUE_MAX.) */
			(void)ls_sem_post(s->pass);
			posted = true;
			err = ls_rwlock_rdlock(s->lock);
		}
		if (err)
			return;
		/* The first entry gives no pass, so passes = readers inside
		 * minus one: a reader never leaves the lock empty. */
		first = !atomic_exchange(&s->entered, true);
		if (!posted && !first)
			(void)ls_sem_post(s->pass);
		atomic_fetch_add(&s->reads, 1);
		err = ls_gate(LS_EV_MARK, ls_rwlock_id(s->lock), "read table");
		if (!err)
			err = scene_work(run, HOLD_MS * MS);
		/* Step out only with a pass: once another reader is in. */
		if (!err)
			err = ls_sem_wait(s->pass);
		ls_rwlock_unlock(s->lock);
		if (err || scene_sleep(run, THINK_MS * MS))
			return;
	}
}

static void
writer_main(void *arg)
{
	struct starve *s = arg;
	struct scene_run *run = s->run;

	for (;;) {
		uint64_t since = starvation_now(s), waited;
		int err;

		atomic_store(&s->reads_at_wait, atomic_load(&s->reads));
		atomic_store(&s->wait_since, since);
		err = ls_rwlock_wrlock(s->lock);
		if (err)
			return;
		waited = starvation_since(starvation_now(s), since);
		atomic_store(&s->wait_since, 0);
		if (waited > atomic_load(&s->wait_max))
			atomic_store(&s->wait_max, waited);
		ls_emit(LS_EV_MARK, s->v_writes,
			atomic_fetch_add(&s->writes, 1) + 1, 0);
		err = scene_work(run, WRITE_MS * MS);
		ls_rwlock_unlock(s->lock);
		if (err || scene_sleep(run, WRITER_THINK_MS * MS))
			return;
	}
}

/* The longest writer wait, finished or seen going by the monitor, ns.
 * Not the wait going on now: the invariant is asked with the group
 * paused, and time spent paused is no part of the run. */
static uint64_t
writer_max_wait(struct starve *s)
{
	uint64_t fin = atomic_load(&s->wait_max);
	uint64_t seen = atomic_load(&s->seen_max);

	return fin > seen ? fin : seen;
}

static int
rwlock_part_start(struct scene_run *run, struct starve *s)
{
	static const enum ls_rwlock_policy policy[] = {
		[FIX_NONE] = LS_RWLOCK_READER_PREF,
		[FIX_WRITER] = LS_RWLOCK_WRITER_PREF,
		[FIX_FAIR] = LS_RWLOCK_FAIR,
		[FIX_AGING] = LS_RWLOCK_FAIR,
	};
	char name[32];
	unsigned i;
	int err;

	err = ls_rwlock_create(run->ring, "table", policy[s->fix], &s->lock);
	if (err)
		return err;
	s->v_wait = ls_ring_object_add(run->ring, LS_OBJ_VAR,
				       "writer wait ms");
	s->v_max = ls_ring_object_add(run->ring, LS_OBJ_VAR, "max wait ms");
	s->v_writes = ls_ring_object_add(run->ring, LS_OBJ_VAR, "writes");
	err = ls_sem_create(run->ring, "exit ticket", 0, &s->pass);
	if (err)
		return err;
	for (i = 0; i < NREADERS; i++) {
		s->rd[i] = (struct reader){ .s = s, .idx = i };
		snprintf(name, sizeof(name), "reader-%u", i + 1);
		err = ls_thread_spawn(run->group, name, reader_main, &s->rd[i]);
		if (err)
			return err;
	}
	return ls_thread_spawn(run->group, "writer", writer_main, s);
}

/* pool part ----------------------------------------------------------- */

/* Time since j was queued, or 0 if it is not queued. */
static uint64_t
job_age(struct job *j, uint64_t now)
{
	uint64_t q = atomic_load(&j->queued_ns);

	return q ? starvation_since(now, q) : 0;
}

static int urgent_main(void *arg);
static int batch_main(void *arg);

/* Queue j as an urgent job (priority HI_PRIO) or a batch job (LO_PRIO).
 * Returns ls_pool_submit's result; j is queued only when it is 0. */
static int
job_submit(struct job *j, bool urgent)
{
	struct ls_task t = {
		.fn = urgent ? urgent_main : batch_main,
		.arg = j,
		.priority = urgent ? HI_PRIO : LO_PRIO,
	};
	int err;

	atomic_store(&j->urgent_at, atomic_load(&j->s->urgent_ran));
	atomic_store(&j->queued_ns, starvation_now(j->s));
	err = ls_pool_submit(j->s->pool, &t, NULL);
	if (err)
		atomic_store(&j->queued_ns, 0);
	return err;
}

/*
 * An urgent job: work, then queue the next job of the chain before
 * returning, so the chain always has a job queued or running.  A submit
 * fails only when the run is being cancelled; the chain then ends.
 */
static int
urgent_main(void *arg)
{
	struct job *j = arg;
	struct starve *s = j->s;

	atomic_store(&j->queued_ns, 0);
	atomic_fetch_add(&s->urgent_ran, 1);
	if (scene_work(s->run, JOB_MS * MS))
		return -ECANCELED;
	return job_submit(j, true) == -ECANCELED ? -ECANCELED : 0;
}

/* A batch job: bookkeeping and work. */
static int
batch_main(void *arg)
{
	struct job *j = arg;
	struct starve *s = j->s;

	atomic_store(&j->queued_ns, 0);
	atomic_fetch_add(&s->batch_ran, 1);
	return scene_work(s->run, JOB_MS * MS) ? -ECANCELED : 0;
}

/* Seed the urgent chains, then add a batch job every LO_EVERY_MS while
 * fewer than MAX_BATCH wait. */
static void
submitter_main(void *arg)
{
	struct starve *s = arg;
	unsigned i;
	int err;

	for (i = 0; i < CHAINS; i++)
		if (job_submit(&s->urgent[i], true))
			return;
	for (;;) {
		for (i = 0; i < MAX_BATCH; i++)
			if (!atomic_load(&s->batch[i].queued_ns))
				break;
		if (i == MAX_BATCH) {
			atomic_fetch_add(&s->batch_skipped, 1);
		} else {
			err = job_submit(&s->batch[i], false);
			if (err && err != -EAGAIN)
				return;
		}
		if (scene_sleep(s->run, LO_EVERY_MS * MS))
			return;
	}
}

/* The oldest wait in jobs[0..n) (0 if none waits), how many wait, and
 * which job waits longest (may be NULL; NULL when none waits). */
static uint64_t
oldest_job(struct job *jobs, unsigned n, uint64_t now, unsigned *waiting,
	   struct job **which)
{
	uint64_t oldest = 0, age;
	unsigned i;

	*waiting = 0;
	if (which)
		*which = NULL;
	for (i = 0; i < n; i++) {
		if (!atomic_load(&jobs[i].queued_ns))
			continue;
		(*waiting)++;
		age = job_age(&jobs[i], now);
		if (age > oldest || (which && !*which)) {
			oldest = age > oldest ? age : oldest;
			if (which)
				*which = &jobs[i];
		}
	}
	return oldest;
}

static int
pool_part_start(struct scene_run *run, struct starve *s)
{
	struct ls_pool_config cfg = {
		.name = "jobs",
		.min_workers = WORKERS,
		.max_workers = WORKERS,
		.capacity = CAPACITY,
		.aging_ns = s->fix == FIX_WRITER || s->fix == FIX_AGING
			    ? AGING_MS * MS : 0,
		.fifo = s->fix == FIX_FAIR,
	};
	unsigned i;
	int err;

	for (i = 0; i < CHAINS; i++)
		s->urgent[i].s = s;
	for (i = 0; i < MAX_BATCH; i++)
		s->batch[i].s = s;
	err = ls_pool_create(run->group, &cfg, &s->pool);
	if (err)
		return err;
	s->v_hi = ls_ring_object_add(run->ring, LS_OBJ_VAR,
				     "oldest urgent ms");
	s->v_lo = ls_ring_object_add(run->ring, LS_OBJ_VAR, "oldest batch ms");
	s->v_lo_ran = ls_ring_object_add(run->ring, LS_OBJ_VAR, "batch ran");
	s->v_lo_queued = ls_ring_object_add(run->ring, LS_OBJ_VAR,
					    "batch queued");
	return ls_thread_spawn(run->group, "submitter", submitter_main, s);
}

/* The scene ----------------------------------------------------------- */

/* The invariant's bound on a wait: a second of workload time, and never
 * less than a real one, in ns of the scene's clock. */
static uint64_t
starvation_bound(struct scene_run *run)
{
	unsigned speed = atomic_load(&run->speed_permille);

	return speed ? WAIT_BOUND_MS * MS * 1000 / speed : WAIT_BOUND_MS * MS;
}

/* The writer has waited cur since since: past the bound, say so once
 * per wait.  Monitor only. */
static void
starvation_check_writer(struct starve *s, uint64_t since, uint64_t cur)
{
	unsigned long got_in;

	if (!since || cur < starvation_bound(s->run) ||
	    s->reported_since == since)
		return;
	s->reported_since = since;
	got_in = atomic_load(&s->reads) - atomic_load(&s->reads_at_wait);
	scene_report(s->run, LS_OUT_STARVED, ls_rwlock_id(s->lock), 0,
		     "the writer has waited %.1f s for the table while the "
		     "readers (reader-1..reader-%d) got in %lu times: a "
		     "reader-preferring lock lets the next reader in while "
		     "one is inside.", (double)cur / 1e9, NREADERS, got_in);
}

/* Batch job j has waited age: past the bound, say so once per job.
 * Monitor only. */
static void
starvation_check_batch(struct starve *s, struct job *j, uint64_t age)
{
	uint64_t queued;

	if (!j || age < starvation_bound(s->run))
		return;
	queued = atomic_load(&j->queued_ns);
	if (!queued || s->reported_since == queued)
		return;
	s->reported_since = queued;
	scene_report(s->run, LS_OUT_STARVED, s->v_lo, 0,
		     "a batch job (priority %d) has waited %.1f s in the "
		     "queue while %lu urgent jobs (priority %d) ran: the "
		     "workers always take the most urgent job first.",
		     LO_PRIO, (double)age / 1e9,
		     atomic_load(&s->urgent_ran) - atomic_load(&j->urgent_at),
		     HI_PRIO);
}

/* Emit the part's variables as they are now. */
static void
starvation_sample(struct starve *s)
{
	uint64_t now = starvation_now(s), age;
	struct job *old;
	unsigned n;

	if (s->part == PART_RWLOCK) {
		uint64_t since = atomic_load(&s->wait_since);
		uint64_t cur = since ? starvation_since(now, since) : 0;

		/* Only the monitor writes seen_max. */
		if (cur > atomic_load(&s->seen_max))
			atomic_store(&s->seen_max, cur);
		ls_emit(LS_EV_MARK, s->v_wait, starvation_ms(cur), 0);
		ls_emit(LS_EV_MARK, s->v_max,
			starvation_ms(writer_max_wait(s)), 0);
		ls_emit(LS_EV_MARK, s->v_writes, atomic_load(&s->writes), 0);
		starvation_check_writer(s, since, cur);
		return;
	}
	ls_emit(LS_EV_MARK, s->v_hi,
		starvation_ms(oldest_job(s->urgent, CHAINS, now, &n, NULL)), 0);
	age = oldest_job(s->batch, MAX_BATCH, now, &n, &old);
	ls_emit(LS_EV_MARK, s->v_lo, starvation_ms(age), 0);
	starvation_check_batch(s, old, age);
	ls_emit(LS_EV_MARK, s->v_lo_queued, n, 0);
	ls_emit(LS_EV_MARK, s->v_lo_ran, atomic_load(&s->batch_ran), 0);
}

/* Samples the waits every TICK_MS: a blocked thread cannot say how long
 * it has been waiting, so somebody else has to. */
static void
monitor_main(void *arg)
{
	struct starve *s = arg;
	uint32_t obj = s->part == PART_RWLOCK ? s->v_wait : s->v_hi;

	for (;;) {
		uint64_t parked;

		starvation_sample(s);
		if (scene_sleep(s->run, TICK_MS * MS))
			return;
		/* Pausing freezes the figures with everything else, and the
		 * time held here is time the scene's clock does not count. */
		parked = ls_clock_ns();
		if (ls_gate(LS_EV_MARK, obj, "sample waits"))
			return;
		atomic_fetch_add(&s->paused_ns, ls_clock_ns() - parked);
	}
}

static int
starvation_start(struct scene_run *run)
{
	struct starve *s = run->state;
	int err;

	s->run = run;
	s->part = run->params[P_PART];
	s->fix = run->params[P_FIX];
	s->t0 = starvation_now(s);
	err = s->part == PART_RWLOCK ? rwlock_part_start(run, s)
				     : pool_part_start(run, s);
	if (err)
		return err;
	return ls_thread_spawn(run->group, "monitor", monitor_main, s);
}

static void
starvation_stop(struct scene_run *run)
{
	struct starve *s = run->state;

	/* Every thread has been joined: nobody holds or waits. */
	ls_rwlock_destroy(s->lock);
	s->lock = NULL;
	ls_sem_destroy(s->pass);
	s->pass = NULL;
	/* Drops the queued jobs; their slots are the scene's, not heap. */
	ls_pool_destroy(s->pool);
	s->pool = NULL;
}

/* Let reader-1 in before the writer or anybody else moves: the writer
 * then always finds a reader inside. */
static const char *const *
starvation_schedule(struct scene_run *run)
{
	static const char *const steps[] = { "reader-1", NULL };

	return run->params[P_PART] == PART_RWLOCK ? steps : NULL;
}

static bool
starvation_invariant(struct scene_run *run, const char **name, char *detail,
		     size_t n)
{
	struct starve *s = run->state;
	uint64_t now = starvation_now(s), oldest, half;
	unsigned long ran;
	unsigned waiting;

	if (s->part == PART_RWLOCK) {
		uint64_t bound = starvation_bound(run);
		unsigned long writes = atomic_load(&s->writes);
		uint64_t max = writer_max_wait(s);

		*name = "the writer gets in, waiting under 1 s";
		snprintf(detail, n, "writer got in %lu times beside %lu reads; "
			 "longest wait %llu ms (bound %llu ms)%s", writes,
			 atomic_load(&s->reads),
			 (unsigned long long)starvation_ms(max),
			 (unsigned long long)starvation_ms(bound),
			 atomic_load(&s->wait_since) ? ", waiting now" : "");
		return writes > 0 && max < bound;
	}
	ran = atomic_load(&s->batch_ran);
	oldest = oldest_job(s->batch, MAX_BATCH, now, &waiting, NULL);
	half = starvation_since(now, s->t0) / 2;
	*name = "every batch job queued in the first half of the run ran";
	snprintf(detail, n, "batch jobs ran %lu, waiting %u, oldest waited "
		 "%llu ms (limit: half the run, %llu ms); urgent jobs ran %lu; "
		 "batch submits held back %lu", ran, waiting,
		 (unsigned long long)starvation_ms(oldest),
		 (unsigned long long)starvation_ms(half),
		 atomic_load(&s->urgent_ran), atomic_load(&s->batch_skipped));
	return ran > 0 && oldest <= half;
}

static const char *const fixes[] = { "none", "writer", "fair", "aging" };
static const char *const parts[] = { "rwlock", "pool" };

static const struct scene_param starvation_params[] = {
	[P_FIX] = { .name = "fix",
		    .help = "none; rwlock: writer or fair (aging = fair); "
			    "pool: aging or fair (writer = aging)",
		    .min = 0, .max = 3, .def = FIX_NONE, .values = fixes,
		    .key = 'f' },
	[P_PART] = { .name = "part",
		     .help = "rwlock: readers starve a writer; pool: urgent "
			     "jobs starve batch jobs",
		     .min = 0, .max = 1, .def = PART_RWLOCK, .values = parts,
		     .key = 'p' },
};

const struct scene_def scene_starvation = {
	.name = "starvation",
	.title = "threads that never get a turn",
	.summary = "a reader stream starves a writer; urgent jobs starve batch "
		   "jobs: writer preference, fair order, aging",
	.params = starvation_params,
	.nparams = sizeof(starvation_params) / sizeof(starvation_params[0]),
	.state_size = sizeof(struct starve),
	.start = starvation_start,
	.stop = starvation_stop,
	.schedule = starvation_schedule,
	.invariant = starvation_invariant,
	.judge_after_ms = 1000,
};
