/*
 * shrink.c - make a failing schedule short and plain: fewest preemptions
 * first (a reader follows a schedule by its context switches), then
 * fewest steps.
 *
 * A candidate is run leniently (exec_replay_lenient): each step whose
 * thread can move is taken, one that cannot is skipped, and past its end
 * the threads go on without preemption.  It is kept when it fails the
 * same way and is better: fewer preemptions, or as few and fewer steps.
 * What it ran, not what it asked, becomes the schedule, so the result
 * always replays exactly.  Bounded: a few hundred candidates at most.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explore/explore-int.h"

#define SHRINK_RUNS 600

struct shrink {
	struct exec *x;
	struct explore_schedule *best;
	unsigned kind;
	unsigned runs;
	struct explore_result *r;
};

/* Run cand[0..n); keep what it ran if it is better.  Returns 1 when
 * kept, 0 when not, or a negative errno. */
static int
shrink_try(struct shrink *sh, const struct control_step *cand, size_t n,
	   char *err, size_t en)
{
	struct exec *x = sh->x;
	int rc;

	if (sh->runs >= SHRINK_RUNS)
		return 0;
	sh->runs++;
	sh->r->schedules++;
	rc = exec_replay_lenient(x, cand, n, err, en);
	if (rc)
		return rc;
	if (!x->failed || x->out.kind != sh->kind)
		return 0;
	if (x->preemptions > sh->best->preemptions ||
	    (x->preemptions == sh->best->preemptions &&
	     x->c.nsteps >= sh->best->n))
		return 0;
	rc = exec_copy(x, sh->best);
	return rc ? rc : 1;
}

/* Where the best schedule preempts a thread: replay it to learn. */
static int
shrink_preemption_points(struct shrink *sh, size_t *at, size_t *n,
			 char *err, size_t en)
{
	struct exec *x = sh->x;
	size_t k;
	int rc;

	rc = exec_replay_lenient(x, sh->best->steps, sh->best->n, err, en);
	if (rc)
		return rc;
	*n = 0;
	for (k = 0; k < x->c.nsteps && k < sh->best->n; k++)
		if (x->preempted[k])
			at[(*n)++] = k;
	return 0;
}

/* Phase 1: at each preemption, earliest first, let the run go on without
 * preempting from there; keep the first that still fails. */
static int
shrink_preemptions(struct shrink *sh, char *err, size_t en)
{
	size_t *at = NULL, n, i;
	int rc = 0, kept = 1;

	while (kept > 0 && sh->best->preemptions && sh->runs < SHRINK_RUNS) {
		kept = 0;
		free(at);
		at = malloc((sh->best->n + 1) * sizeof(*at));
		if (!at)
			return -ENOMEM;
		rc = shrink_preemption_points(sh, at, &n, err, en);
		if (rc)
			break;
		for (i = 0; i < n && !kept; i++)
			kept = shrink_try(sh, sh->best->steps, at[i], err, en);
		/* Or drop the preempting step alone. */
		for (i = 0; i < n && !kept; i++) {
			struct control_step *cand;

			cand = malloc(sh->best->n * sizeof(*cand));
			if (!cand) {
				kept = -ENOMEM;
				break;
			}
			memcpy(cand, sh->best->steps, at[i] * sizeof(*cand));
			memcpy(cand + at[i], sh->best->steps + at[i] + 1,
			       (sh->best->n - at[i] - 1) * sizeof(*cand));
			kept = shrink_try(sh, cand, sh->best->n - 1, err, en);
			free(cand);
		}
		if (kept < 0)
			rc = kept;
	}
	free(at);
	return rc;
}

/* Phase 2: delete chunks of steps, halving the chunk (ddmin), while the
 * failure stays and no preemption comes back. */
static int
shrink_steps(struct shrink *sh, char *err, size_t en)
{
	size_t chunk = sh->best->n / 2, start;
	struct control_step *cand;
	int kept;

	if (!chunk)
		chunk = 1;
	while (chunk && sh->runs < SHRINK_RUNS) {
		kept = 0;
		for (start = 0; start + chunk <= sh->best->n && !kept &&
			    sh->runs < SHRINK_RUNS; start += chunk) {
			size_t n = sh->best->n - chunk;

			cand = malloc((n ? n : 1) * sizeof(*cand));
			if (!cand)
				return -ENOMEM;
			memcpy(cand, sh->best->steps, start * sizeof(*cand));
			memcpy(cand + start, sh->best->steps + start + chunk,
			       (sh->best->n - start - chunk) * sizeof(*cand));
			kept = shrink_try(sh, cand, n, err, en);
			free(cand);
			if (kept < 0)
				return kept;
		}
		/* Kept: try the same size again on the shorter schedule. */
		if (!kept)
			chunk /= 2;
		if (chunk > sh->best->n)
			chunk = sh->best->n;
	}
	return 0;
}

int
explore_shrink(struct exec *x, struct explore_schedule *s, unsigned kind,
	       struct explore_result *r, char *err, size_t n)
{
	struct shrink sh = { .x = x, .best = s, .kind = kind, .r = r };
	int rc;

	rc = shrink_preemptions(&sh, err, n);
	if (!rc)
		rc = shrink_steps(&sh, err, n);
	/* Fewer steps can open a cheaper preemption: once more. */
	if (!rc)
		rc = shrink_preemptions(&sh, err, n);
	return rc;
}
