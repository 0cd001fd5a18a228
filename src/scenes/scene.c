/*
 * scene.c - the scene table, parameters, and the one way every scene is
 * started and stopped.
 */
#include "config.h"

#include "scenes/scene.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockstep/clock.h"
#include "lockstep/event.h"
#include "lockstep/ring.h"
#include "lockstep/thread.h"
#include "scenes/scenes.h"
#include "util/escape.h"
#include "util/num.h"

const struct scene_def *const scene_table[] = {
	SCENE_LIST
};
const unsigned scene_count = sizeof(scene_table) / sizeof(scene_table[0]);

const struct scene_def *
scene_find(const char *name)
{
	unsigned i;

	for (i = 0; i < scene_count; i++)
		if (!strcmp(scene_table[i]->name, name))
			return scene_table[i];
	return NULL;
}

void
scene_defaults(const struct scene_def *def, int *params)
{
	unsigned i;

	for (i = 0; i < SCENE_MAX_PARAMS; i++)
		params[i] = i < def->nparams ? def->params[i].def : 0;
}

int
scene_param_index(const struct scene_def *def, const char *name)
{
	unsigned i;

	for (i = 0; i < def->nparams; i++)
		if (!strcmp(def->params[i].name, name))
			return (int)i;
	return -1;
}

/* "a, b or c" for the allowed values of p. */
static void
allowed_values(const struct scene_param *p, char *buf, size_t n)
{
	size_t used = 0;
	int v;

	if (!p->values) {
		snprintf(buf, n, "an integer from %d to %d", p->min, p->max);
		return;
	}
	buf[0] = '\0';
	for (v = p->min; v <= p->max && used < n; v++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 v == p->min ? ""
					 : v == p->max ? " or " : ", ",
					 p->values[v]);
}

int
scene_parse_set(const struct scene_def *def, const char *kv, int *params,
		char *err, size_t n)
{
	const char *eq = strchr(kv, '=');
	const struct scene_param *p;
	char key[64], allowed[256], shown[96];
	long long lv;
	int idx, v;

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		snprintf(err, n, "--set wants key=value, got '%s'",
			 escape_str(shown, sizeof(shown), kv));
		return -EINVAL;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	idx = scene_param_index(def, key);
	if (idx < 0) {
		size_t used = 0;
		unsigned i;

		allowed[0] = '\0';
		for (i = 0; i < def->nparams && used < sizeof(allowed); i++)
			used += (size_t)snprintf(allowed + used,
						 sizeof(allowed) - used, "%s%s",
						 i ? ", " : "",
						 def->params[i].name);
		snprintf(err, n, "scene %s has no parameter '%s'; it has: %s",
			 def->name, escape_str(shown, sizeof(shown), key),
			 def->nparams ? allowed : "none");
		return -EINVAL;
	}
	p = &def->params[idx];
	if (p->values) {
		for (v = p->min; v <= p->max; v++)
			if (!strcmp(p->values[v], eq + 1))
				break;
	} else {
		v = num_parse_int(eq + 1, p->min, p->max, &lv) ? p->max + 1
							       : (int)lv;
	}
	if (v < p->min || v > p->max) {
		allowed_values(p, allowed, sizeof(allowed));
		snprintf(err, n, "bad value '%s' for %s: want %s",
			 escape_str(shown, sizeof(shown), eq + 1), key,
			 allowed);
		return -EINVAL;
	}
	params[idx] = v;
	return 0;
}

void
scene_param_format(const struct scene_def *def, unsigned idx, int value,
		   char *buf, size_t n)
{
	const struct scene_param *p = &def->params[idx];

	if (p->values && value >= p->min && value <= p->max)
		snprintf(buf, n, "%s", p->values[value]);
	else
		snprintf(buf, n, "%d", value);
}

int
scene_prepare(struct scene_run *run, const struct scene_def *def,
	      const void *source, struct ls_ring *ring, const int *params,
	      unsigned speed_permille, uint64_t seed)
{
	int err;

	memset(run, 0, sizeof(*run));
	run->source = source;
	run->seed = seed ? seed : ls_clock_ns();
	atomic_flag_clear(&run->outcome_claimed);
	run->def = def;
	run->ring = ring;
	memcpy(run->params, params, sizeof(run->params));
	atomic_init(&run->speed_permille, speed_permille);
	if (def->state_size) {
		run->state = calloc(1, def->state_size);
		if (!run->state)
			return -ENOMEM;
	}
	err = ls_group_create(ring, def->name, &run->group);
	if (err) {
		free(run->state);
		run->state = NULL;
	}
	return err;
}

int
scene_launch(struct scene_run *run)
{
	return run->def->start(run);
}

int
scene_start(struct scene_run *run, const struct scene_def *def,
	    const void *source, struct ls_ring *ring, const int *params,
	    unsigned speed_permille, uint64_t seed)
{
	int err = scene_prepare(run, def, source, ring, params,
				speed_permille, seed);

	if (!err)
		err = scene_launch(run);
	if (err)
		scene_stop(run);
	return err;
}

void
scene_stop(struct scene_run *run)
{
	if (!run->group)
		return;
	ls_group_cancel(run->group);
	ls_group_join(run->group);
	if (run->def->stop)
		run->def->stop(run);
	ls_group_destroy(run->group);
	run->group = NULL;
	free(run->state);
	run->state = NULL;
}

/* Workload time to real time at the run's speed; UINT64_MAX at "max". */
static uint64_t
scaled_ns(struct scene_run *run, uint64_t ns)
{
	unsigned speed = atomic_load_explicit(&run->speed_permille,
					      memory_order_relaxed);

	if (!speed)
		return 0;
	return ns * 1000 / speed;
}

int
scene_sleep(struct scene_run *run, uint64_t ns)
{
	uint64_t real = scaled_ns(run, ns);

	if (!real)
		return ls_cancelled() ? -ECANCELED : 0;
	return ls_thread_sleep(real);
}

int
scene_work(struct scene_run *run, uint64_t ns)
{
	uint64_t real = scaled_ns(run, ns);

	if (!real)
		return ls_cancelled() ? -ECANCELED : 0;
	return ls_thread_sleep_as(real, LS_STATE_RUNNING);
}

int
scene_spin(struct scene_run *run, uint64_t ns)
{
	uint64_t end = ls_clock_ns() + scaled_ns(run, ns);

	/* Check for cancel every few microseconds: a reset must not wait
	 * for a long simulated computation to finish. */
	while (ls_clock_ns() < end)
		if (ls_cancelled())
			return -ECANCELED;
	return 0;
}

void
scene_report(struct scene_run *run, unsigned kind, uint32_t obj,
	     unsigned line, const char *what, ...)
{
	struct ls_thread *self = ls_thread_self();
	unsigned tid = ls_thread_tid(self);
	va_list ap;

	atomic_fetch_add(&run->reported, 1);
	ls_emit(LS_EV_OUTCOME, obj, kind, tid);
	/* The first report wins; its fields are written before kind is
	 * published, so a reader never sees half of one. */
	if (atomic_flag_test_and_set(&run->outcome_claimed))
		return;
	run->outcome.kind = kind;
	run->outcome.tid = tid;
	run->outcome.obj = obj;
	run->outcome.line = line;
	va_start(ap, what);
	vsnprintf(run->outcome.what, sizeof(run->outcome.what), what, ap);
	va_end(ap);
	atomic_store_explicit(&run->outcome_kind, kind, memory_order_release);
}

bool
scene_outcome_get(const struct scene_run *run, struct scene_outcome *out)
{
	if (!atomic_load_explicit(&run->outcome_kind, memory_order_acquire))
		return false;
	*out = run->outcome;
	return true;
}

uint64_t
scene_seed(const struct scene_run *run, unsigned stream)
{
	/* splitmix64 of seed and stream: streams are independent. */
	uint64_t z = run->seed + 0x9e3779b97f4a7c15ull * (stream + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}
