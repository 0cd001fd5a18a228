/*
 * explore.c - the search: strategies that choose a thread at every gate,
 * and the loop that runs schedules until one fails or the bounds are
 * spent (explore.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore-int.h"
#include "lockstep/clock.h"

static const char *const strategy_names[EXPLORE_STRATEGIES] = {
	[EXPLORE_PORTFOLIO] = "portfolio",
	[EXPLORE_DFS] = "dfs",
	[EXPLORE_PCT] = "pct",
	[EXPLORE_POS] = "pos",
	[EXPLORE_RANDOM] = "random",
};

const char *
explore_strategy_name(enum explore_strategy s)
{
	return (unsigned)s < EXPLORE_STRATEGIES ? strategy_names[s] : NULL;
}

int
explore_strategy_parse(const char *name)
{
	int i;

	for (i = 0; i < EXPLORE_STRATEGIES; i++)
		if (!strcmp(name, strategy_names[i]))
			return i;
	return -1;
}

/* xorshift64*: the search's random choices, all from the seed. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* A random thread among the enabled ones. */
static size_t
pick_random(uint64_t enabled, uint64_t *rng)
{
	unsigned k = (unsigned)(rng_next(rng) %
				(uint64_t)__builtin_popcountll(enabled));

	while (k--)
		enabled &= enabled - 1;
	return (size_t)__builtin_ctzll(enabled);
}

/* What one schedule of a strategy came to. */
enum sched_end {
	SCHED_RAN,		/* ran, no failure */
	SCHED_FOUND,		/* failed: a schedule to shrink */
	SCHED_SPENT,		/* the strategy has nothing left (dfs) */
};

/* ---- random ---------------------------------------------------------- */

static int
run_random(struct exec *x, uint64_t *rng, enum sched_end *end, char *err,
	   size_t n)
{
	int rc = exec_begin(x, err, n);

	while (!rc && !exec_over(x))
		rc = exec_step(x, pick_random(x->enabled, rng), err, n);
	*end = x->failed ? SCHED_FOUND : SCHED_RAN;
	return rc;
}

/* ---- pct ------------------------------------------------------------- */

/* Priorities by thread name, for pct and pos. */
struct prio {
	char name[CONTROL_MAX_THREADS][LS_NAME_MAX + 1];
	uint64_t p[CONTROL_MAX_THREADS];
	size_t n;
};

/* The priority slot of name; a new name gets fresh (value v). */
static uint64_t *
prio_of(struct prio *pr, const char *name, uint64_t v)
{
	size_t i;

	for (i = 0; i < pr->n; i++)
		if (!strcmp(pr->name[i], name))
			return &pr->p[i];
	if (pr->n == CONTROL_MAX_THREADS)
		return &pr->p[pr->n - 1];
	snprintf(pr->name[pr->n], sizeof(pr->name[0]), "%s", name);
	pr->p[pr->n] = v;
	return &pr->p[pr->n++];
}

/* The enabled thread with the highest priority. */
static size_t
pick_highest(struct exec *x, struct prio *pr, uint64_t *rng, uint64_t base)
{
	uint64_t best = 0, *p;
	size_t i, pick = 0;
	bool any = false;

	for (i = 0; i < x->nt; i++) {
		if (!(x->enabled >> i & 1))
			continue;
		/* Fresh threads draw above base: below it are the priorities
		 * pct's change points hand out. */
		p = prio_of(pr, x->t[i].name, base + (rng_next(rng) >> 8));
		if (!any || *p > best) {
			best = *p;
			pick = i;
			any = true;
		}
	}
	return pick;
}

/*
 * PCT (Burckhardt et al. 2010): threads get random priorities, the
 * highest enabled one runs, and at d - 1 random steps the one running
 * drops to a low priority.  A bug of depth d is found with probability
 * at least 1 / (n k^(d-1)) per schedule.
 */
static int
run_pct(struct exec *x, unsigned d, size_t k_est, uint64_t *rng,
	enum sched_end *end, char *err, size_t n)
{
	struct prio *pr = calloc(1, sizeof(*pr));
	size_t change[8], step = 0, j;
	int rc;

	if (!pr)
		return -ENOMEM;
	if (d > 8)
		d = 8;
	if (k_est < 2)
		k_est = 2;
	for (j = 0; j + 1 < d; j++)
		change[j] = 1 + rng_next(rng) % k_est;
	rc = exec_begin(x, err, n);
	while (!rc && !exec_over(x)) {
		size_t i = pick_highest(x, pr, rng, d);

		step++;
		for (j = 0; j + 1 < d; j++)
			if (change[j] == step)
				*prio_of(pr, x->t[i].name, 0) = j + 1;
		rc = exec_step(x, i, err, n);
	}
	free(pr);
	*end = x->failed ? SCHED_FOUND : SCHED_RAN;
	return rc;
}

/* ---- pos ------------------------------------------------------------- */

/*
 * Partial-order sampling (Yuan et al. 2018): every thread's next step has
 * a random priority; the highest enabled one runs; then the threads
 * whose next step races with it (the same object) draw new priorities,
 * as does the thread that ran, for its next step.  Interleavings of
 * racing steps come out close to uniform.
 */
static int
run_pos(struct exec *x, uint64_t *rng, enum sched_end *end, char *err,
	size_t n)
{
	struct prio *pr = calloc(1, sizeof(*pr));
	int rc;

	if (!pr)
		return -ENOMEM;
	rc = exec_begin(x, err, n);
	while (!rc && !exec_over(x)) {
		size_t i = pick_highest(x, pr, rng, 1), j;

		for (j = 0; j < x->nt; j++)
			if (j == i || !exec_independent(x, i, j))
				*prio_of(pr, x->t[j].name, 0) =
					1 + (rng_next(rng) >> 8);
		rc = exec_step(x, i, err, n);
	}
	free(pr);
	*end = x->failed ? SCHED_FOUND : SCHED_RAN;
	return rc;
}

/* ---- dfs ------------------------------------------------------------- */

/* One point of the current path. */
struct dfs_node {
	uint64_t enabled;	/* who could be stepped here */
	uint64_t done;		/* alternatives taken here so far */
	uint64_t sleep;		/* alternatives known to be redundant */
	uint64_t preempting;	/* alternatives that would preempt */
	unsigned preempts;	/* preemptions on the path before here */
	int chosen;
	uint32_t obj[CONTROL_MAX_THREADS];	/* each thread's next object */
};

/* States seen, for a target that hashes them: the most preemptions left
 * when each (state, running thread) was reached. */
struct dfs_seen {
	uint64_t *key;
	int *left;
	size_t cap, n;
};

struct dfs {
	struct dfs_node *path;
	size_t depth, cap;
	unsigned k;		/* the preemption bound of this round */
	bool started, spent;
	bool truncated;		/* some path hit the step bound */
	struct dfs_seen seen;
};

/* Has (key) been reached before with at least left preemptions left?
 * Records it otherwise.  An open-addressing table, grown at half full. */
static bool
dfs_seen_before(struct dfs_seen *s, uint64_t key, int left)
{
	size_t i, mask;

	if (!key)
		key = 1;
	if (s->n * 2 >= s->cap) {
		struct dfs_seen g = { .cap = s->cap ? s->cap * 2 : 4096 };

		g.key = calloc(g.cap, sizeof(*g.key));
		g.left = calloc(g.cap, sizeof(*g.left));
		if (!g.key || !g.left) {
			free(g.key);
			free(g.left);
			return false;	/* no memory: explore it again */
		}
		for (i = 0; i < s->cap; i++)
			if (s->key[i]) {
				size_t j = s->key[i] & (g.cap - 1);

				while (g.key[j])
					j = (j + 1) & (g.cap - 1);
				g.key[j] = s->key[i];
				g.left[j] = s->left[i];
			}
		g.n = s->n;
		free(s->key);
		free(s->left);
		*s = g;
	}
	mask = s->cap - 1;
	for (i = key & mask; s->key[i]; i = (i + 1) & mask)
		if (s->key[i] == key) {
			if (s->left[i] >= left)
				return true;
			s->left[i] = left;
			return false;
		}
	s->key[i] = key;
	s->left[i] = left;
	s->n++;
	return false;
}

/* What can still be tried at node d under the bound. */
static uint64_t
dfs_open(const struct dfs *s, const struct dfs_node *d)
{
	uint64_t open = d->enabled & ~d->done & ~d->sleep;

	if (d->preempts >= s->k)
		open &= ~d->preempting;
	return open;
}

/* Record the point x is at as node s->path[depth]. */
static int
dfs_push(struct dfs *s, const struct exec *x, const struct dfs_node *parent)
{
	struct dfs_node *d;
	size_t i;

	if (s->depth == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct dfs_node *np = realloc(s->path, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		s->path = np;
		s->cap = cap;
		/* parent may have moved with the array. */
		if (parent)
			parent = &s->path[s->depth - 1];
	}
	d = &s->path[s->depth++];
	memset(d, 0, sizeof(*d));
	d->enabled = x->enabled;
	d->chosen = -1;
	for (i = 0; i < x->nt; i++) {
		d->obj[i] = x->t[i].obj;
		if ((x->enabled >> i & 1) && exec_preempts(x, i))
			d->preempting |= 1ull << i;
	}
	if (parent) {
		unsigned c = (unsigned)parent->chosen;
		/* Sleep: what was asleep or already tried at the parent, and
		 * is independent of the step taken from it (so it would lead
		 * to a state explored from a sibling). */
		uint64_t cand = (parent->sleep | parent->done) & ~(1ull << c);

		d->preempts = parent->preempts +
			      (unsigned)(parent->preempting >> c & 1);
		for (i = 0; i < CONTROL_MAX_THREADS; i++)
			if ((cand >> i & 1) && parent->obj[i] &&
			    parent->obj[c] && parent->obj[i] != parent->obj[c])
				d->sleep |= 1ull << i;
		d->sleep &= d->enabled;
	}
	return 0;
}

/* Prepare the next path: pop to the deepest node with an alternative
 * left; false when none is (this bound's space is covered). */
static bool
dfs_backtrack(struct dfs *s)
{
	while (s->depth) {
		struct dfs_node *d = &s->path[s->depth - 1];

		if (dfs_open(s, d))
			return true;
		s->depth--;
	}
	return false;
}

static void
dfs_free(struct dfs *s)
{
	free(s->path);
	free(s->seen.key);
	free(s->seen.left);
	memset(s, 0, sizeof(*s));
}

/*
 * One schedule of the depth-first search: replay the path to its last
 * open node, take the next alternative there, then go on choosing the
 * non-preemptive default (or, when it is asleep or over the bound, the
 * first open alternative), recording every new point.
 */
static int
run_dfs(struct exec *x, struct dfs *s, unsigned K, enum sched_end *end,
	char *err, size_t n)
{
	size_t j, replay;
	int rc;

	*end = SCHED_RAN;
	if (s->spent) {
		*end = SCHED_SPENT;
		return 0;
	}
	if (s->started && !dfs_backtrack(s)) {
		/* This bound is covered: on to the next, from scratch. */
		if (s->k >= K) {
			s->spent = true;
			*end = SCHED_SPENT;
			return 0;
		}
		s->k++;
		s->depth = 0;
		s->seen.n = 0;
		if (s->seen.key) {
			memset(s->seen.key, 0, s->seen.cap * sizeof(*s->seen.key));
		}
	}
	rc = exec_begin(x, err, n);
	if (rc)
		return rc;
	/* Replay the path up to its last node, which gets a new choice. */
	replay = s->started && s->depth ? s->depth - 1 : 0;
	for (j = 0; j < replay && !rc; j++)
		rc = exec_step(x, (size_t)s->path[j].chosen, err, n);
	if (rc)
		return rc;
	if (!s->started || !s->depth) {
		s->started = true;
		s->depth = 0;
		rc = dfs_push(s, x, NULL);
	}
	while (!rc && !x->failed) {
		struct dfs_node *d = &s->path[s->depth - 1];
		uint64_t open = dfs_open(s, d);
		int pick = exec_default(x);

		if (!open)
			break;	/* every way on is redundant or over bound */
		if (pick < 0 || !(open >> pick & 1))
			pick = __builtin_ctzll(open);
		d->chosen = pick;
		d->done |= 1ull << pick;
		rc = exec_step(x, (size_t)pick, err, n);
		if (rc || exec_over(x)) {
			if (!x->failed && x->enabled &&
			    x->c.nsteps >= x->o->max_steps)
				s->truncated = true;
			break;
		}
		/* A state already explored with as much bound left. */
		if (x->o->target.def->state_hash &&
		    dfs_seen_before(&s->seen, exec_hash(x) * 31 +
				    (uint64_t)pick, (int)s->k -
				    (int)(d->preempts + (d->preempting >>
							 pick & 1))))
			break;
		rc = dfs_push(s, x, d);
	}
	if (!rc && x->failed)
		*end = SCHED_FOUND;
	return rc;
}

/* ---- par: the shortest path to the goal ------------------------------ */

/* Replay path[0..w) exactly, by thread name; then x is where it led. */
static int
replay_path(struct exec *x, const struct control_step *path, size_t w,
	    char *err, size_t n)
{
	size_t i;
	int rc = exec_begin(x, err, n), t;

	for (i = 0; !rc && i < w; i++) {
		t = exec_find(x, path[i].thread);
		if (t < 0) {
			snprintf(err, n, "a path did not replay: no %s",
				 path[i].thread);
			return -EPROTO;
		}
		rc = exec_step(x, (size_t)t, err, n);
	}
	return rc;
}

/* A growing array of paths, each w steps long. */
struct frontier {
	struct control_step *steps;	/* path k at steps[k * w] */
	size_t nodes, cap;
};

static int
frontier_add(struct frontier *f, size_t w, const struct control_step *path,
	     const char *last)
{
	struct control_step *dst;

	if (f->nodes == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		void *p = realloc(f->steps, cap * w * sizeof(*f->steps));

		if (!p)
			return -ENOMEM;
		f->steps = p;
		f->cap = cap;
	}
	dst = f->steps + f->nodes++ * w;
	if (w > 1)
		memcpy(dst, path, (w - 1) * sizeof(*path));
	memset(&dst[w - 1], 0, sizeof(dst[w - 1]));
	snprintf(dst[w - 1].thread, sizeof(dst[w - 1].thread), "%s", last);
	return 0;
}

/*
 * Breadth-first over states: every path of w steps that reached a new
 * state is extended by one step of each thread that can move there; the
 * first extension that reaches the goal gives the par.  Paths replay
 * from the start (no snapshots of real threads), so this is for small
 * targets: it gives up (-1) past max_states states.
 */
static long
explore_par(struct exec *x, unsigned long max_states, char *err, size_t n)
{
	struct frontier now = { 0 }, next = { 0 };
	struct dfs_seen seen = { 0 };
	size_t w, k, c;
	long par = -1;
	int rc;

	rc = exec_begin(x, err, n);
	if (rc || !x->o->target.def->state_hash)
		return -1;
	dfs_seen_before(&seen, exec_hash(x), 0);
	now.nodes = 1;		/* the empty path */
	for (w = 0; par < 0 && now.nodes && seen.n < max_states &&
		    w < x->o->max_steps; w++) {
		for (k = 0; par < 0 && k < now.nodes &&
			    !(x->o->cancel && atomic_load(x->o->cancel)); k++) {
			const struct control_step *path =
				w ? now.steps + k * w : NULL;
			char names[CONTROL_MAX_THREADS][LS_NAME_MAX + 1];
			uint64_t en;
			size_t nt;

			rc = replay_path(x, path, w, err, n);
			if (rc)
				goto out;
			en = x->enabled;
			nt = x->nt;
			for (c = 0; c < nt; c++)
				memcpy(names[c], x->t[c].name, sizeof(names[c]));
			for (c = 0; c < nt && par < 0; c++) {
				if (!(en >> c & 1))
					continue;
				rc = replay_path(x, path, w, err, n);
				if (!rc)
					rc = exec_step(x, (size_t)exec_find(
						x, names[c]), err, n);
				if (rc)
					goto out;
				if (x->failed)
					par = (long)w + 1;
				else if (!dfs_seen_before(&seen, exec_hash(x),
							  0) &&
					 frontier_add(&next, w + 1, path,
						      names[c]))
					goto out;
			}
		}
		free(now.steps);
		now = next;
		next = (struct frontier){ 0 };
	}
out:
	free(now.steps);
	free(next.steps);
	free(seen.key);
	free(seen.left);
	return par;
}

/* ---- the search ------------------------------------------------------ */

static double
seconds_since(uint64_t t0)
{
	return (double)(ls_clock_ns() - t0) / 1e9;
}

/* The strategies the portfolio takes turns with, and pct's depths. */
static const struct {
	enum explore_strategy s;
	unsigned d;
} portfolio[] = {
	{ EXPLORE_DFS, 0 }, { EXPLORE_PCT, 1 }, { EXPLORE_POS, 0 },
	{ EXPLORE_PCT, 2 }, { EXPLORE_RANDOM, 0 }, { EXPLORE_PCT, 3 },
};
#define NPORTFOLIO (sizeof(portfolio) / sizeof(portfolio[0]))

static void
explore_report(const struct explore_opts *o, const struct exec *x,
	       const struct explore_result *r, const char *strategy,
	       uint64_t t0, bool shrinking)
{
	struct explore_progress p = {
		.strategy = strategy,
		.schedules = r->schedules,
		.decisions = x->decisions,
		.seconds = seconds_since(t0),
		.deepest = x->deepest,
		.shrinking = shrinking,
	};

	if (o->progress)
		o->progress(&p, o->progress_arg);
}

int
explore_run(const struct explore_opts *o, struct explore_result *r,
	    char *err, size_t n)
{
	struct exec x;
	struct dfs dfs = { 0 };
	uint64_t rng = o->seed ? o->seed : 1, t0 = ls_clock_ns(), last = t0;
	uint64_t seed = o->seed ? o->seed : 1;
	size_t k_est = o->max_steps / 2;
	unsigned turn = 0;
	bool dfs_spent = false;
	int rc;

	memset(r, 0, sizeof(*r));
	r->par = -1;
	r->seed = seed;
	rc = exec_init(&x, o, seed, err, n);
	if (rc)
		return rc;
	while (!r->found) {
		enum explore_strategy s = o->strategy;
		enum sched_end end = SCHED_RAN;
		unsigned d = o->depth;

		if (r->schedules >= o->max_schedules ||
		    seconds_since(t0) >= o->seconds)
			break;
		if (o->cancel && atomic_load(o->cancel)) {
			r->cancelled = true;
			break;
		}
		if (s == EXPLORE_PORTFOLIO) {
			do {
				s = portfolio[turn % NPORTFOLIO].s;
				d = portfolio[turn % NPORTFOLIO].d;
				turn++;
			} while (s == EXPLORE_DFS && dfs_spent);
			if (!o->depth && s == EXPLORE_PCT)
				d = d ? d : 3;
		}
		if (!d)
			d = 3;
		switch (s) {
		case EXPLORE_DFS:
			rc = run_dfs(&x, &dfs, o->preemptions, &end, err, n);
			break;
		case EXPLORE_PCT:
			rc = run_pct(&x, d, k_est, &rng, &end, err, n);
			break;
		case EXPLORE_POS:
			rc = run_pos(&x, &rng, &end, err, n);
			break;
		default:
			rc = run_random(&x, &rng, &end, err, n);
			break;
		}
		if (rc)
			goto out;
		if (end == SCHED_SPENT) {
			dfs_spent = true;
			r->exhausted = !dfs.truncated;
			r->exhausted_k = dfs.k;
			if (o->strategy == EXPLORE_DFS)
				break;
			continue;
		}
		r->schedules++;
		if (x.c.nsteps > k_est)
			k_est = x.c.nsteps;
		if (end == SCHED_FOUND) {
			r->found = true;
			r->found_by = explore_strategy_name(s);
			rc = exec_copy(&x, &r->first);
			if (rc)
				goto out;
		}
		if (ls_clock_ns() - last > 100000000ull) {
			explore_report(o, &x, r, explore_strategy_name(s), t0,
				       false);
			last = ls_clock_ns();
		}
	}
	if (r->found) {
		r->shrunk.steps = NULL;
		r->shrunk.n = 0;
		explore_report(o, &x, r, r->found_by, t0, true);
		/* The failure as first found, then shrunk; each reported in
		 * words. */
		rc = exec_replay_worded(&x, &r->first, err, n);
		if (!rc && x.failed) {
			unsigned kind = x.out.kind;

			rc = exec_copy(&x, &r->shrunk);
			if (!rc)
				rc = explore_shrink(&x, &r->shrunk, kind, r,
						    err, n);
		}
		if (!rc) {
			/* The shrunk schedule, once more, for its failure. */
			rc = exec_replay_worded(&x, &r->shrunk, err, n);
			r->failure = x.out;
			if (!rc && !x.failed) {
				snprintf(err, n, "the failure did not replay: "
					 "the target is not deterministic "
					 "under a schedule");
				rc = -EPROTO;
			}
		}
	}
	if (!rc && o->par && o->target.def->state_hash)
		r->par = explore_par(&x, 20000, err, n);
out:
	r->decisions = x.decisions;
	r->ring_renewals = x.ring_renewals;
	r->deepest = x.deepest;
	r->seconds = seconds_since(t0);
	dfs_free(&dfs);
	exec_free(&x);
	return rc;
}

void
explore_result_free(struct explore_result *r)
{
	free(r->first.steps);
	free(r->shrunk.steps);
	r->first.steps = r->shrunk.steps = NULL;
}
