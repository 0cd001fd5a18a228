/*
 * export.c - Chrome trace event JSON (export.h): the tracks, the thread
 * states and lock holds, counters and instants.  Flow arrows are
 * handoff.c's.
 *
 * Each event goes through the exporter's own model first; the exporter
 * then compares what the model says with what it has open (a thread's
 * state slice, its holds) and closes and opens slices where they differ.
 * A slice is written when it closes, so each track's slices come out in
 * time order and never overlap; zero-length slices are left out unless a
 * flow arrow ends on one.
 */
#include "config.h"

#include "cli/export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/export-int.h"
#include "trace/record.h"
#include "util/file.h"

/* Tracks other than a thread's first state track get ids above every
 * tid, so they never collide with one. */
#define EXTRA_TRACKS 100000

/* JSON. */

/* s as a JSON string on f.  Valid UTF-8 goes as it is, a byte that
 * starts nothing valid as U+FFFD, so the file stays valid JSON. */
static void
json_string_to(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k, len;

	fputc('"', f);
	while (*u) {
		if (*u == '"' || *u == '\\') {
			fprintf(f, "\\%c", *u++);
			continue;
		}
		if (*u < 0x20 || *u == 0x7f) {
			fprintf(f, "\\u%04x", *u++);
			continue;
		}
		len = *u < 0x80 ? 1 : (*u & 0xe0) == 0xc0 ? 2
		      : (*u & 0xf0) == 0xe0 ? 3 : (*u & 0xf8) == 0xf0 ? 4 : 0;
		for (k = 1; k < len && (u[k] & 0xc0) == 0x80; k++)
			;
		if (!len || k < len || (len == 2 && *u < 0xc2)) {
			fputs("\\ufffd", f);
			u++;
			continue;
		}
		fwrite(u, 1, len, f);
		u += len;
	}
	fputc('"', f);
}

void
export_json_string(struct export *x, const char *s)
{
	json_string_to(x->out, s);
}

/* JSON members written into buf through a memory stream: start with
 * args_open, end with args_close (which leaves "" if they did not
 * fit). */
static FILE *
args_open(char *buf, size_t n)
{
	buf[0] = '\0';
	return fmemopen(buf, n, "w");
}

static void
args_close(FILE *mem, char *buf, size_t n)
{
	if (!mem || fclose(mem) || !memchr(buf, '\0', n))
		buf[0] = '\0';
}

/* Microseconds since the first event, to the nanosecond. */
static void
json_ts(struct export *x, uint64_t ns)
{
	ns = ns > x->t0 ? ns - x->t0 : 0;
	fprintf(x->out, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

void
export_json_begin(struct export *x, const char *ph, const char *name,
		  const char *cat, uint64_t ts, int track)
{
	fputs(x->first ? "\n{" : ",\n{", x->out);
	x->first = false;
	fprintf(x->out, "\"ph\":\"%s\",\"name\":", ph);
	export_json_string(x, name);
	if (cat)
		fprintf(x->out, ",\"cat\":\"%s\"", cat);
	fputs(",\"ts\":", x->out);
	json_ts(x, ts);
	fputs(",\"pid\":1", x->out);
	if (track)
		fprintf(x->out, ",\"tid\":%d", track);
}

void
export_json_end(struct export *x)
{
	fputc('}', x->out);
}

/* A metadata event: {"ph":"M","name":what,"pid":1,"tid":track,"args":
 * {key:value}}, value a string or (str NULL) the number num. */
static void
json_meta(struct export *x, const char *what, int track, const char *key,
	  const char *str, uint64_t num)
{
	fputs(x->first ? "\n{" : ",\n{", x->out);
	x->first = false;
	fprintf(x->out, "\"ph\":\"M\",\"name\":\"%s\",\"pid\":1", what);
	if (track)
		fprintf(x->out, ",\"tid\":%d", track);
	fprintf(x->out, ",\"args\":{\"%s\":", key);
	if (str)
		export_json_string(x, str);
	else
		fprintf(x->out, "%" PRIu64, num);
	fputs("}}", x->out);
}

/* Names and records. */

bool
export_grow(void **v, size_t *cap, size_t want, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *g;

	if (want <= *cap)
		return true;
	while (n < want)
		n *= 2;
	g = realloc(*v, n * size);
	if (!g)
		return false;
	memset((char *)g + *cap * size, 0, (n - *cap) * size);
	*v = g;
	*cap = n;
	return true;
}

int
export_track(struct export *x, unsigned kind, unsigned tid, uint32_t obj)
{
	struct xtrack *t;

	if (!export_grow((void **)&x->track, &x->captrack, x->ntrack + 1,
		  sizeof(*x->track))) {
		x->nomem = true;
		return 0;
	}
	t = &x->track[x->ntrack++];
	t->kind = kind;
	t->tid = tid;
	t->obj = obj;
	t->id = x->next_track++;
	return t->id;
}

/* A thread's state track for a new life, and where its tracks sort. */
static void
thread_life(struct export *x, struct xthread *t, bool first)
{
	size_t k = x->ntrack;

	if (first && t->tid < EXTRA_TRACKS) {
		/* Its first life: its track is its tid. */
		if (!export_grow((void **)&x->track, &x->captrack,
				 x->ntrack + 1, sizeof(*x->track))) {
			x->nomem = true;
			return;
		}
		x->track[k] = (struct xtrack){ .id = (int)t->tid,
					       .kind = XTRACK_STATE,
					       .tid = t->tid };
		x->ntrack++;
		t->track = (int)t->tid;
	} else {
		t->track = export_track(x, XTRACK_STATE, t->tid, 0);
	}
	t->sort = (unsigned)t->track * SORT_SPAN;
	if (k < x->ntrack)
		x->track[k].sort = t->sort;
}

struct xthread *
export_thread(struct export *x, unsigned tid)
{
	struct xthread *t;

	if (tid >= x->nthread &&
	    !export_grow((void **)&x->thread, &x->nthread, tid + 1,
		  sizeof(*x->thread)))
		goto nomem;
	if (x->thread[tid])
		return x->thread[tid];
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->tid = tid;
	x->thread[tid] = t;
	thread_life(x, t, true);
	return t;
nomem:
	x->nomem = true;
	return NULL;
}

/* The slot for id in a table of cap slots (a power of two): its own,
 * or the free one where it would go. */
static struct xobject *
object_slot(struct xobject *t, size_t cap, uint32_t id)
{
	/* Fibonacci hashing spreads consecutive ids; linear probing. */
	size_t i = (size_t)((id * 2654435769u) & (cap - 1));

	while (t[i].id && t[i].id != id)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Twice the slots, every object moved over. */
static bool
object_rehash(struct export *x)
{
	size_t cap = x->capobject ? x->capobject * 2 : 64, i;
	struct xobject *t = calloc(cap, sizeof(*t));

	if (!t)
		return false;
	for (i = 0; i < x->capobject; i++)
		if (x->object[i].id)
			*object_slot(t, cap, x->object[i].id) = x->object[i];
	free(x->object);
	x->object = t;
	x->capobject = cap;
	return true;
}

/* The record of object id, made on first use; NULL for id 0 or when out
 * of memory.  Ids come from the stream, so a table indexed by them would
 * be as large as the largest id: a hash instead. */
static struct xobject *
object(struct export *x, uint32_t id)
{
	struct xobject *o;

	if (!id)
		return NULL;
	if (x->capobject) {
		o = object_slot(x->object, x->capobject, id);
		if (o->id)
			return o;
	}
	/* At most half full. */
	if (2 * (x->nobject + 1) > x->capobject && !object_rehash(x)) {
		x->nomem = true;
		return NULL;
	}
	o = object_slot(x->object, x->capobject, id);
	o->id = id;
	x->nobject++;
	return o;
}

const char *
export_object_label(struct export *x, uint32_t id, char *buf, size_t n)
{
	struct xobject *o = object(x, id);

	if (o && o->known && o->name[0])
		return o->name;
	snprintf(buf, n, "#%" PRIu32, id);
	return buf;
}

/* "alice"; "thread 7" while it has no name. */
static const char *
thread_label(struct export *x, unsigned tid, char *buf, size_t n)
{
	struct xthread *t = tid < x->nthread ? x->thread[tid] : NULL;

	if (t && t->name[0])
		return t->name;
	snprintf(buf, n, "thread %u", tid);
	return buf;
}

void
export_thread_name(struct export *x, unsigned tid, const char *name)
{
	struct xthread *t = export_thread(x, tid);

	if (!t)
		return;
	/* A name for a tid whose thread has ended is for its next life. */
	snprintf(t->exited ? t->next_name : t->name, sizeof(t->name), "%s",
		 name);
	model_name_thread(x->m, tid, name);
}

void
export_object_name(struct export *x, uint32_t id, unsigned kind,
		   const char *name)
{
	struct xobject *o = object(x, id);

	if (!o)
		return;
	o->known = true;
	o->kind = kind;
	snprintf(o->name, sizeof(o->name), "%s", name);
	model_name_object(x->m, id, kind, name);
}

/* Thread states. */

/* The name of a state slice: the state, or what a blocked thread waits
 * for. */
static void
state_name(struct export *x, const struct xthread *t, char *buf, size_t n)
{
	char lb[24];
	const char *what = export_object_label(x, t->on, lb, sizeof(lb));

	if (t->state != LS_STATE_BLOCKED || !t->on) {
		snprintf(buf, n, "%s", ls_thread_state_name(t->state));
		return;
	}
	switch (t->wait_kind) {
	case LS_EV_RD_WAIT:
		snprintf(buf, n, "wait to read %s", what);
		break;
	case LS_EV_WR_WAIT:
		snprintf(buf, n, "wait to write %s", what);
		break;
	case LS_EV_Q_PUSH_WAIT:
		snprintf(buf, n, "wait for room in %s", what);
		break;
	case LS_EV_Q_POP_WAIT:
		snprintf(buf, n, "wait for an item in %s", what);
		break;
	default:
		snprintf(buf, n, "wait %s", what);
		break;
	}
}

/* Write t's open state slice as ending at ts. */
static void
state_close(struct export *x, struct xthread *t, uint64_t ts)
{
	char name[80], lb[24];

	if (!t->open)
		return;
	t->open = false;
	/* An instant of a state says nothing, unless a flow ends on it. */
	if (ts == t->start && !t->flow_in)
		return;
	state_name(x, t, name, sizeof(name));
	export_json_begin(x, "X", name, "state", t->start, t->track);
	fputs(",\"dur\":", x->out);
	fprintf(x->out, "%" PRIu64 ".%03u", (ts - t->start) / 1000,
		(unsigned)((ts - t->start) % 1000));
	fprintf(x->out, ",\"args\":{\"state\":\"%s\"",
		ls_thread_state_name(t->state));
	if (t->state == LS_STATE_BLOCKED && t->on) {
		fputs(",\"object\":", x->out);
		export_json_string(x, export_object_label(x, t->on, lb,
							  sizeof(lb)));
	}
	fputc('}', x->out);
	if (t->flow_in)
		fprintf(x->out, ",\"bind_id\":%" PRIu64 ",\"flow_in\":true",
			t->flow_in);
	export_json_end(x);
}

/* Bring t's state slice in line with the model at ts; a flow that ends
 * here starts a slice of its own. */
static void
state_update(struct export *x, struct xthread *t, uint64_t ts, uint64_t flow)
{
	const struct model_thread *mt = model_thread(x->m, t->tid);
	unsigned state;
	uint32_t on;

	if (!mt)
		return;
	state = mt->state;
	on = state == LS_STATE_BLOCKED ? mt->waiting_for : 0;
	if (t->open && t->state == state && t->on == on && !flow)
		return;
	state_close(x, t, ts);
	if (state == LS_STATE_DONE)
		return;
	t->open = true;
	t->start = ts;
	t->state = state;
	t->on = on;
	t->wait_kind = mt->wait_kind;
	t->flow_in = flow;
}

/* Counters: queue depths, pool queues and workers, semaphore permits,
 * each written when it changes. */
static void
counters(struct export *x, const struct ls_event *e)
{
	const struct model_object *mo = model_object(x->m, e->obj);
	struct xobject *o = object(x, e->obj);
	char lb[24];
	const char *name;

	if (!mo || !o || (mo->kind != LS_OBJ_QUEUE && mo->kind != LS_OBJ_POOL &&
			  mo->kind != LS_OBJ_SEM))
		return;
	if (o->counted && o->count == mo->count && o->workers == mo->workers &&
	    o->idle == mo->idle)
		return;
	o->counted = true;
	o->count = mo->count;
	o->workers = mo->workers;
	o->idle = mo->idle;
	name = export_object_label(x, e->obj, lb, sizeof(lb));
	export_json_begin(x, "C", name, "counter", e->ts, 0);
	if (mo->kind == LS_OBJ_POOL)
		fprintf(x->out, ",\"args\":{\"queued\":%" PRIu64
			",\"workers\":%u,\"idle\":%u}", mo->count,
			mo->workers, mo->idle);
	else
		fprintf(x->out, ",\"args\":{\"%s\":%" PRIu64 "}",
			mo->kind == LS_OBJ_SEM ? "permits" : "depth",
			mo->count);
	export_json_end(x);
}

/* An instant event, global ("g") or of the process ("p"), with args
 * already formatted as JSON members (or ""). */
static void
instant(struct export *x, char scope, uint64_t ts, const char *name,
	const char *args)
{
	uint64_t *last = scope == 'g' ? &x->global_ts : &x->process_ts;

	/* Each scope is a track of its own: its events in time order. */
	if (ts < *last)
		ts = *last;
	*last = ts;
	export_json_begin(x, "i", name, "instant", ts, 0);
	fprintf(x->out, ",\"s\":\"%c\",\"args\":{%s}", scope, args);
	export_json_end(x);
}

/* "thread":"alice","object":"A" for an instant's args. */
static void
who_args(struct export *x, unsigned tid, uint32_t obj, char *buf, size_t n)
{
	FILE *mem = args_open(buf, n);
	char lb[24];

	if (mem) {
		fputs("\"thread\":", mem);
		json_string_to(mem, thread_label(x, tid, lb, sizeof(lb)));
		if (obj) {
			fputs(",\"object\":", mem);
			json_string_to(mem, export_object_label(x, obj, lb,
								sizeof(lb)));
		}
	}
	args_close(mem, buf, n);
}

/* A wait-for cycle the model found: its threads and locks. */
static void
cycle_instant(struct export *x, uint64_t ts)
{
	struct model_cycle *c = malloc(sizeof(*c));
	char args[2048], lb[24];
	FILE *mem;
	unsigned i;

	if (!c || !model_deadlock(x->m, c)) {
		free(c);
		return;
	}
	mem = args_open(args, sizeof(args));
	if (mem) {
		fputs("\"threads\":[", mem);
		for (i = 0; i < c->n; i++) {
			fputs(i ? "," : "", mem);
			json_string_to(mem, thread_label(x, c->tid[i], lb,
							 sizeof(lb)));
		}
		fputs("],\"locks\":[", mem);
		for (i = 0; i < c->n; i++) {
			fputs(i ? "," : "", mem);
			json_string_to(mem, export_object_label(x, c->obj[i],
								lb,
								sizeof(lb)));
		}
		fputs("]", mem);
	}
	args_close(mem, args, sizeof(args));
	free(c);
	instant(x, 'g', ts, "deadlock: wait-for cycle", args);
}

static const char *
error_name(uint64_t code)
{
	switch (code) {
	case LS_ERR_NOT_OWNER:
		return "error: unlock by a thread that does not hold it";
	case LS_ERR_LOCK_ORDER:
		return "error: lock order";
	case LS_ERR_HIERARCHY:
		return "error: lock hierarchy";
	case LS_ERR_RELOCK:
		return "error: lock taken twice";
	default:
		return "error";
	}
}

/* Instants: outcomes, errors, cycles, dropped events. */
static void
instants(struct export *x, struct xthread *t, const struct ls_event *e)
{
	const struct model_thread *mt = model_thread(x->m, e->tid);
	char args[256];

	if (e->kind == LS_EV_OUTCOME) {
		who_args(x, e->aux ? e->aux : e->tid, e->obj, args,
			 sizeof(args));
		instant(x, 'g', e->ts, ls_outcome_name((unsigned)e->arg), args);
	} else if (e->kind == LS_EV_ERROR) {
		who_args(x, e->tid, e->obj, args, sizeof(args));
		instant(x, 'p', e->ts, error_name(e->arg), args);
	}
	if (model_deadlocks(x->m) > x->deadlocks) {
		x->deadlocks = model_deadlocks(x->m);
		cycle_instant(x, e->ts);
	}
	if (mt && mt->lost > t->lost) {
		who_args(x, e->tid, 0, args, sizeof(args));
		snprintf(args + strlen(args), sizeof(args) - strlen(args),
			 ",\"missing\":%" PRIu64, mt->lost - t->lost);
		t->lost = mt->lost;
		instant(x, 'p', e->ts, "dropped events", args);
	}
}

/* A tid that starts again after its thread ended: a new thread, on a
 * track of its own.  The old life's tracks keep the old name. */
static void
new_life(struct export *x, struct xthread *t, uint64_t ts)
{
	size_t i;

	state_close(x, t, ts);
	while (t->nholds)
		holds_close(x, t, 0, ts);
	handoff_flush(x, t, true);
	for (i = 0; i < x->ntrack; i++)
		if (x->track[i].tid == t->tid && !x->track[i].name[0])
			snprintf(x->track[i].name, sizeof(x->track[i].name),
				 "%s", t->name);
	t->exited = false;
	t->handoff_track = 0;
	t->nlocks = 0;
	if (t->next_name[0]) {
		snprintf(t->name, sizeof(t->name), "%s", t->next_name);
		t->next_name[0] = '\0';
	}
	thread_life(x, t, false);
}

void
export_event(struct export *x, const struct ls_event *e)
{
	const struct model_thread *mt;
	struct xthread *t;
	uint32_t waited;
	unsigned wait_kind;
	uint64_t flow;

	if (!x->started) {
		x->started = true;
		x->t0 = e->ts;
	}
	if (e->ts > x->last_ts)
		x->last_ts = e->ts;
	x->events++;
	t = export_thread(x, e->tid);
	if (!t)
		return;
	if (e->kind == LS_EV_THREAD_START && t->exited)
		new_life(x, t, e->ts);
	mt = model_thread(x->m, e->tid);
	waited = mt ? mt->waiting_for : 0;
	wait_kind = mt ? mt->wait_kind : 0;
	handoff_before(x, e);
	model_apply(x->m, e);
	flow = handoff_after(x, e, waited, wait_kind);
	state_update(x, t, e->ts, flow);
	if (e->kind == LS_EV_THREAD_EXIT)
		t->exited = true;
	holds_update(x, t, e);
	if (e->obj && holds_is_lock(x->m, e->obj))
		holds_others(x, e);
	if (e->obj)
		counters(x, e);
	instants(x, t, e);
	handoff_flush(x, t, false);
}

void
export_dropped(struct export *x, uint64_t total)
{
	x->dropped = total;
	model_set_ring_dropped(x->m, total);
}

void
export_instant(struct export *x, uint64_t ts, const char *name,
	       const char *detail)
{
	char args[512];
	FILE *mem = args_open(args, sizeof(args));

	if (mem) {
		fputs("\"detail\":", mem);
		json_string_to(mem, detail ? detail : "");
	}
	args_close(mem, args, sizeof(args));
	instant(x, 'g', ts, name, args);
}

void
export_record_item(struct export *x, const struct record_item *it)
{
	switch (it->kind) {
	case RECORD_EVENT:
		export_event(x, &it->ev);
		break;
	case RECORD_THREAD:
		export_thread_name(x, it->id, it->name);
		break;
	case RECORD_OBJECT:
		export_object_name(x, it->id, it->obj_kind, it->name);
		break;
	case RECORD_DROPPED:
		export_dropped(x, it->dropped);
		break;
	case RECORD_META:
		if (!strcmp(it->key, "target"))
			snprintf(x->title, sizeof(x->title), "lockstep %s",
				 it->value);
		/* The run's verdict: its invariant broke (at the end). */
		else if (!strcmp(it->key, "broken"))
			export_instant(x, x->last_ts,
				       ls_outcome_name(LS_OUT_INVARIANT),
				       it->value);
		break;
	}
}

int
export_open(FILE *out, const char *title, struct export **xp)
{
	struct export *x = calloc(1, sizeof(*x));

	*xp = NULL;
	if (!x || !(x->m = malloc(sizeof(*x->m)))) {
		free(x);
		return -ENOMEM;
	}
	model_init(x->m);
	x->out = out;
	x->first = true;
	x->next_track = EXTRA_TRACKS;
	snprintf(x->title, sizeof(x->title), "%s", title ? title : "lockstep");
	fputs("{\"traceEvents\":[", out);
	*xp = x;
	return 0;
}

/* The name of a track, from what is known now; a past life's tracks
 * hold the name that thread had. */
static void
track_name(struct export *x, struct xtrack *tr)
{
	char who[LS_NAME_MAX + 16], tb[24], ob[24];

	snprintf(who, sizeof(who), "%.*s", LS_NAME_MAX,
		 tr->name[0] ? tr->name : thread_label(x, tr->tid, tb,
							 sizeof(tb)));
	switch (tr->kind) {
	case XTRACK_STATE:
		snprintf(tr->name, sizeof(tr->name), "%s", who);
		break;
	case XTRACK_HOLD:
		snprintf(tr->name, sizeof(tr->name), "%s holds %s", who,
			 export_object_label(x, tr->obj, ob, sizeof(ob)));
		break;
	default:
		snprintf(tr->name, sizeof(tr->name), "%s lets go", who);
		break;
	}
}

int
export_close(struct export *x)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < x->nthread; i++) {
		struct xthread *t = x->thread[i];

		if (!t)
			continue;
		state_close(x, t, x->last_ts);
		while (t->nholds)
			holds_close(x, t, 0, x->last_ts);
		handoff_flush(x, t, true);
	}
	json_meta(x, "process_name", 0, "name", x->title, 0);
	for (i = 0; i < x->ntrack; i++) {
		track_name(x, &x->track[i]);
		json_meta(x, "thread_name", x->track[i].id, "name",
			  x->track[i].name, 0);
		json_meta(x, "thread_sort_index", x->track[i].id, "sort_index",
			  NULL, x->track[i].sort);
	}
	fprintf(x->out, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{"
		"\"events\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"lost\":%"
		PRIu64 ",\"flows\":%" PRIu64 "}}\n", x->events, x->dropped,
		x->m->lost, x->flows);
	if (fflush(x->out) || ferror(x->out) || x->nomem)
		rc = x->nomem ? -ENOMEM : -EIO;
	for (i = 0; i < x->nthread; i++)
		if (x->thread[i]) {
			free(x->thread[i]->q);
			free(x->thread[i]->locks);
			free(x->thread[i]);
		}
	free(x->thread);
	free(x->object);
	free(x->pending);
	free(x->track);
	free(x->holding);
	free(x->m);
	free(x);
	return rc;
}

int
export_recording(const char *in, const char *out, char *err, size_t n)
{
	struct record_reader *r = NULL;
	struct record_item it;
	struct export *x = NULL;
	bool to_stdout = !strcmp(out, "-");
	FILE *f = NULL;
	int rc;

	rc = record_reader_open(in, &r, err, n);
	if (rc)
		return rc;
	f = to_stdout ? stdout : file_open(out, "w", err, n);
	if (!f) {
		rc = -errno;
		goto out;
	}
	rc = export_open(f, NULL, &x);
	if (rc) {
		snprintf(err, n, "%s: out of memory", out);
		goto out;
	}
	while ((rc = record_read(r, &it, err, n)) > 0)
		export_record_item(x, &it);
	if (!rc) {
		rc = export_close(x);
		if (rc)
			snprintf(err, n, "%s: %s", out, strerror(-rc));
	} else {
		export_close(x);
	}
out:
	if (f && !to_stdout && fclose(f) && !rc) {
		rc = -EIO;
		snprintf(err, n, "%s: write error", out);
	}
	record_reader_close(r);
	return rc;
}
