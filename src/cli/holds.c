/*
 * holds.c - lock holds in the exported trace: a track per thread and
 * lock, and a slice ("hold A", "read A", "write A") for as long as the
 * model says the thread holds it.  A hold the model ends for another
 * thread (a release that was lost, healed by the next owner's acquire)
 * ends there too.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export-int.h"

static bool
holding_add(struct export *x, struct xthread *t)
{
	if (!export_grow((void **)&x->holding, &x->capholding, x->nholding + 1,
		  sizeof(*x->holding)))
		return false;
	x->holding[x->nholding++] = t;
	return true;
}

static void
holding_remove(struct export *x, struct xthread *t)
{
	size_t i;

	for (i = 0; i < x->nholding; i++)
		if (x->holding[i] == t) {
			x->holding[i] = x->holding[--x->nholding];
			return;
		}
}

/* The track of t's holds of obj, made on first use. */
static int
lock_track(struct export *x, struct xthread *t, uint32_t obj)
{
	size_t i;
	int id;

	for (i = 0; i < t->nlocks; i++)
		if (t->locks[i].obj == obj)
			return t->locks[i].track;
	if (!export_grow((void **)&t->locks, &t->caplocks, t->nlocks + 1,
		  sizeof(*t->locks))) {
		x->nomem = true;
		return 0;
	}
	id = export_track(x, XTRACK_HOLD, t->tid, obj);
	if (!id)
		return 0;
	x->track[x->ntrack - 1].sort = t->sort + 1 + (unsigned)(t->nlocks %
							       (SORT_SPAN - 2));
	t->locks[t->nlocks].obj = obj;
	t->locks[t->nlocks++].track = id;
	return id;
}

void
holds_close(struct export *x, struct xthread *t, unsigned i, uint64_t ts)
{
	struct xhold *h = &t->holds[i];
	char lb[24];

	export_json_begin(x, "X", h->name, "hold", h->start, h->track);
	fprintf(x->out, ",\"dur\":%" PRIu64 ".%03u", (ts - h->start) / 1000,
		(unsigned)((ts - h->start) % 1000));
	fputs(",\"args\":{\"lock\":", x->out);
	export_json_string(x, export_object_label(x, h->obj, lb, sizeof(lb)));
	fputs("}", x->out);
	export_json_end(x);
	t->holds[i] = t->holds[--t->nholds];
	if (!t->nholds)
		holding_remove(x, t);
}

/* Whether the model says t holds lock obj (a mutex or an rwlock). */
static bool
model_holds(const struct model *m, const struct model_thread *mt,
	    uint32_t obj)
{
	unsigned i;

	for (i = 0; mt && i < mt->nheld; i++)
		if (mt->held[i] == obj)
			return true;
	return false;
}

bool
holds_is_lock(const struct model *m, uint32_t obj)
{
	const struct model_object *o = model_object(m, obj);

	return o && (o->kind == LS_OBJ_MUTEX || o->kind == LS_OBJ_RWLOCK);
}

/* Close t's holds the model no longer has; with e (an event of t's),
 * open the ones it has newly. */
void
holds_update(struct export *x, struct xthread *t, const struct ls_event *e)
{
	const struct model_thread *mt = model_thread(x->m, t->tid);
	const struct model_object *o;
	struct xhold *h;
	unsigned i, k;
	uint64_t ts = e->ts;
	char lb[24];
	const char *mode;

	for (i = t->nholds; i-- > 0;)
		if (!model_holds(x->m, mt, t->holds[i].obj))
			holds_close(x, t, i, ts);
	if (!mt || e->tid != t->tid)
		return;
	for (i = 0; i < mt->nheld; i++) {
		uint32_t obj = mt->held[i];

		for (k = 0; k < t->nholds && t->holds[k].obj != obj; k++)
			;
		if (k < t->nholds || !holds_is_lock(x->m, obj) ||
		    t->nholds == MODEL_MAX_HELD)
			continue;
		o = model_object(x->m, obj);
		if (e->obj == obj && e->kind == LS_EV_RD_ACQUIRED)
			mode = "read";
		else if (e->obj == obj && e->kind == LS_EV_WR_ACQUIRED)
			mode = "write";
		else if (o->kind == LS_OBJ_RWLOCK)
			mode = o->owner == t->tid ? "write" : "read";
		else
			mode = "hold";
		h = &t->holds[t->nholds];
		h->obj = obj;
		h->start = ts;
		h->track = lock_track(x, t, obj);
		snprintf(h->name, sizeof(h->name), "%s %s", mode,
			 export_object_label(x, obj, lb, sizeof(lb)));
		if (!h->track || (!t->nholds && !holding_add(x, t))) {
			x->nomem = true;
			return;
		}
		t->nholds++;
	}
}

/* A lock event may end another thread's hold (the model heals a lost
 * release): look at every thread that holds it. */
void
holds_others(struct export *x, const struct ls_event *e)
{
	size_t i, k;

	/* Downwards: a thread that lets go of its last hold is swapped
	 * out for the last one, which has been looked at already. */
	for (i = x->nholding; i-- > 0;) {
		struct xthread *t = x->holding[i];

		if (t->tid == e->tid)
			continue;
		for (k = 0; k < t->nholds; k++)
			if (t->holds[k].obj == e->obj)
				break;
		if (k < t->nholds)
			holds_update(x, t, e);
	}
}

