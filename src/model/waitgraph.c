/*
 * waitgraph.c - deadlock cycles and lock-order inversions, kept up to date
 * by model_apply as it folds each event (waitgraph.h says what and why).
 *
 * The wait-for graph is not stored: a blocked thread's out-edges are read
 * from the model when needed (the object it waits for and that object's
 * holders), so nothing can disagree with the picture the ui draws.  Its
 * meaning follows the primitives.  A lock waiter needs every holder gone
 * (a writer waits for all the readers inside; a reader that waits is held
 * back by a writer inside, or by a queued one that waits for the readers
 * inside): any cycle of lock waits is a deadlock.  A semaphore waiter
 * needs any one permit: when it waits for several holders, a cycle
 * through one of them proves nothing while another may still post, so
 * such a candidate is checked by graph reduction (threads that may move
 * free the waits they can end, until nothing changes; what is left cannot
 * move).  Semaphore holders are the model's guess (model.h: holders,
 * sem_signal): a semaphore used as a signal has none.  A queue or a pool
 * has no owner: anybody may push or pop and nobody is known to be the one
 * who will, so their waits have no edges and close no cycle, even a real
 * stall (a producer holding a lock every consumer needs).
 *
 * The order graph is stored: a node per lock, an edge per (held, taken,
 * modes), found through small open-addressed hashes.  An order is recorded
 * on a lock wait as well as on the acquisition (lockdep records the
 * attempt: the thread that deadlocks never acquires), never for the lock
 * itself, and not for semaphores (no owner, as in lockdep).  The events do
 * not tell a trylock from a lock, so a successful trylock records orders
 * too, where lockdep would skip it.  Read-read is no conflict: an order
 * cycle is an inversion only if, at each of its locks, the mode it is
 * taken in and the mode it is held in are not both shared, since two
 * readers do not wait for each other (on a writer-preferring lock they can,
 * through a queued writer: that takes a third thread and is not reported).
 *
 * Costs per event: nothing unless a cycle holds or the event is a wait or
 * an acquisition by a thread holding locks; a cycle search starts from
 * the thread that began waiting and enters each thread at most once; an
 * order search runs only when an order is seen for the first time.
 *
 * Not thread-safe: the model's owner calls it (model.h).
 */
#include "config.h"

#include "model/waitgraph.h"

#include <string.h>

#include "model/model.h"

_Static_assert(MODEL_MAX_CYCLE >= MODEL_MAX_THREADS,
	       "a cycle can hold every thread");
_Static_assert(MODEL_ORDER_EDGES < UINT16_MAX &&
		       MODEL_ORDER_NODES < UINT16_MAX / 2,
	       "edge + 1 and node states fit uint16_t");
_Static_assert((MODEL_ORDER_NODES & (MODEL_ORDER_NODES - 1)) == 0 &&
		       (MODEL_ORDER_EDGES & (MODEL_ORDER_EDGES - 1)) == 0,
	       "the order hashes mask cleanly");

/* What a blocked thread needs of the threads holding what it waits for. */
enum wg_need {
	WG_NOBODY,	/* no known holder: a queue, a pool, a handed permit */
	WG_ALL,		/* every holder gone: mutexes, rwlocks */
	WG_ANY,		/* one holder's post: semaphores */
};

/* The wait-for graph, read from the model. */

static const struct model_object *
wg_waits_for(const struct model *m, const struct model_thread *t)
{
	return t->waiting_for ? model_object(m, t->waiting_for) : NULL;
}

static enum wg_need
wg_need(const struct model_thread *t, const struct model_object *o)
{
	if (!o || t->granted)
		return WG_NOBODY;
	switch (t->wait_kind) {
	case LS_EV_LOCK_WAIT:
	case LS_EV_RD_WAIT:
	case LS_EV_WR_WAIT:
		return WG_ALL;
	case LS_EV_SEM_WAIT:
		return o->sem_signal ? WG_NOBODY : WG_ANY;
	default:
		return WG_NOBODY;
	}
}

/*
 * The number of holder entries of t's wait on o; wg_holder reads entry
 * i.  An entry may be 0 or t itself: callers skip those.  A waiting
 * reader waits for the readers inside too: it is only held back while a
 * writer is inside or queued, and a queued writer waits for them.
 */
static unsigned
wg_nholders(const struct model_thread *t, const struct model_object *o)
{
	switch (wg_need(t, o)) {
	case WG_ALL:
		if (o->owner || t->wait_kind == LS_EV_LOCK_WAIT)
			return 1;
		return o->nreaders;
	case WG_ANY:
		return o->nholders;
	default:
		return 0;
	}
}

static unsigned
wg_holder(const struct model_thread *t, const struct model_object *o,
	  unsigned i)
{
	if (t->wait_kind == LS_EV_SEM_WAIT)
		return o->holders[i].tid;
	if (o->owner || t->wait_kind == LS_EV_LOCK_WAIT)
		return o->owner;
	return o->readers[i];
}

/* The blocked thread with tid, or NULL (no slot, or not waiting). */
static const struct model_thread *
wg_waiter(const struct model *m, unsigned tid)
{
	const struct model_thread *t = tid ? model_thread(m, tid) : NULL;

	return t && t->waiting_for ? t : NULL;
}

static unsigned
wg_slot(const struct model *m, const struct model_thread *t)
{
	return (unsigned)(t - m->threads);
}

/* Holders of t's wait other than t itself. */
static unsigned
wg_others(const struct model_thread *t, const struct model_object *o)
{
	unsigned i, n = wg_nholders(t, o), k = 0, h;

	for (i = 0; i < n; i++) {
		h = wg_holder(t, o, i);
		k += h && h != t->tid;
	}
	return k;
}

/*
 * Graph reduction: mark in stuck (by thread slot) the threads that cannot
 * move even if every thread that is not blocked runs on and lets go of
 * what it holds.  A lock waiter is stuck while any of its holders is, a
 * semaphore waiter while all of them are; a waiter with no holder may be
 * freed by anybody.  At most one pass per thread freed, each over every
 * edge: run only when a semaphore makes a cycle doubtful, or after a cycle
 * broke.
 */
static void
wg_reduce(const struct model *m, bool *stuck)
{
	const struct model_thread *t, *ht;
	const struct model_object *o;
	bool changed, any, all, some, hs;
	unsigned s, i, n, h;

	for (s = 0; s < MODEL_MAX_THREADS; s++)
		stuck[s] = m->threads[s].used && m->threads[s].waiting_for;
	do {
		changed = false;
		for (s = 0; s < MODEL_MAX_THREADS; s++) {
			if (!stuck[s])
				continue;
			t = &m->threads[s];
			o = wg_waits_for(m, t);
			n = wg_nholders(t, o);
			any = some = false;
			all = true;
			for (i = 0; i < n; i++) {
				h = wg_holder(t, o, i);
				if (!h || h == t->tid)
					continue;
				some = true;
				ht = wg_waiter(m, h);
				hs = ht && stuck[wg_slot(m, ht)];
				any |= hs;
				all &= hs;
			}
			if (!some || !(wg_need(t, o) == WG_ANY ? all : any)) {
				stuck[s] = false;
				changed = true;
			}
		}
	} while (changed);
}

/* Does cycle c pass a semaphore wait that other holders could end? */
static bool
wg_doubtful(const struct model *m, const struct model_cycle *c)
{
	const struct model_thread *t;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		t = model_thread(m, c->tid[i]);
		if (t && t->wait_kind == LS_EV_SEM_WAIT &&
		    wg_others(t, wg_waits_for(m, t)) > 1)
			return true;
	}
	return false;
}

struct wg_frame {
	const struct model_thread *t;
	const struct model_object *o;	/* what t waits for */
	unsigned next;			/* t's next holder entry to try */
};

/*
 * Depth-first search for a cycle through start, entering only threads
 * marked in only when it is not NULL.  Fills c's n, tid and obj and
 * returns true if there is one.  Each thread is entered at most once (a
 * thread that led nowhere back to start once never will), so the work is
 * bounded by the threads and their edges.
 */
static bool
wg_search(const struct model *m, const struct model_thread *start,
	  const bool *only, struct model_cycle *c)
{
	struct wg_frame st[MODEL_MAX_THREADS];
	bool seen[MODEL_MAX_THREADS] = { false };
	const struct model_thread *ht;
	struct wg_frame *f;
	unsigned depth = 0, h, i;

	st[depth++] = (struct wg_frame){ start, wg_waits_for(m, start), 0 };
	seen[wg_slot(m, start)] = true;
	while (depth) {
		f = &st[depth - 1];
		if (f->next >= wg_nholders(f->t, f->o)) {
			depth--;
			continue;
		}
		h = wg_holder(f->t, f->o, f->next++);
		if (!h || h == f->t->tid)
			continue;
		if (h == start->tid) {
			c->n = depth;
			for (i = 0; i < depth; i++) {
				c->tid[i] = st[i].t->tid;
				c->obj[i] = st[i].t->waiting_for;
			}
			return true;
		}
		ht = wg_waiter(m, h);
		if (!ht || seen[wg_slot(m, ht)] ||
		    (only && !only[wg_slot(m, ht)]))
			continue;
		seen[wg_slot(m, ht)] = true;
		st[depth++] = (struct wg_frame){ ht, wg_waits_for(m, ht), 0 };
	}
	return false;
}

/* A deadlock through t, which just began to wait: into c, or false. */
static bool
wg_find(const struct model *m, const struct model_thread *t,
	struct model_cycle *c)
{
	bool stuck[MODEL_MAX_THREADS];

	if (!wg_search(m, t, NULL, c))
		return false;
	if (!wg_doubtful(m, c))
		return true;
	wg_reduce(m, stuck);
	return stuck[wg_slot(m, t)] && wg_search(m, t, stuck, c);
}

/* Is every edge of c still there, and c still a deadlock? */
static bool
wg_holds(const struct model *m, const struct model_cycle *c)
{
	bool stuck[MODEL_MAX_THREADS];
	const struct model_thread *t;
	const struct model_object *o;
	unsigned i, j, n, next;

	for (i = 0; i < c->n; i++) {
		t = wg_waiter(m, c->tid[i]);
		if (!t || t->waiting_for != c->obj[i])
			return false;
		o = wg_waits_for(m, t);
		n = wg_nholders(t, o);
		next = c->tid[(i + 1) % c->n];
		for (j = 0; j < n; j++)
			if (wg_holder(t, o, j) == next)
				break;
		if (j == n)
			return false;
	}
	if (!wg_doubtful(m, c))
		return true;
	wg_reduce(m, stuck);
	for (i = 0; i < c->n; i++)
		if (!stuck[wg_slot(m, model_thread(m, c->tid[i]))])
			return false;
	return true;
}

/*
 * Any deadlock in the whole graph, into c: what is left after reduction
 * is stuck, and every stuck thread waits for a stuck one, so walking from
 * one must come round to a thread seen before: the loop is a cycle.
 */
static bool
wg_find_any(const struct model *m, struct model_cycle *c)
{
	bool stuck[MODEL_MAX_THREADS];
	int pos[MODEL_MAX_THREADS];
	unsigned path[MODEL_MAX_THREADS];
	const struct model_thread *t, *ht = NULL;
	const struct model_object *o;
	unsigned s, i, n, len = 0, h;

	wg_reduce(m, stuck);
	for (s = 0; s < MODEL_MAX_THREADS && !stuck[s]; s++)
		;
	if (s == MODEL_MAX_THREADS)
		return false;
	for (i = 0; i < MODEL_MAX_THREADS; i++)
		pos[i] = -1;
	while (pos[s] < 0) {
		pos[s] = (int)len;
		path[len++] = s;
		t = &m->threads[s];
		o = wg_waits_for(m, t);
		n = wg_nholders(t, o);
		for (i = 0; i < n; i++) {
			h = wg_holder(t, o, i);
			ht = h && h != t->tid ? wg_waiter(m, h) : NULL;
			if (ht && stuck[wg_slot(m, ht)])
				break;
		}
		if (i == n)
			return false;	/* cannot be: reduction left it */
		s = wg_slot(m, ht);
	}
	c->n = len - (unsigned)pos[s];
	for (i = 0; i < c->n; i++) {
		t = &m->threads[path[(unsigned)pos[s] + i]];
		c->tid[i] = t->tid;
		c->obj[i] = t->waiting_for;
	}
	return true;
}

/* Start c at its lowest tid: the same cycle reads the same whichever
 * thread closed it (and the way the ui draws it, "T1 -wants B-> T2"). */
static void
wg_rotate(struct model_cycle *c)
{
	struct model_cycle r;
	unsigned i, lo = 0;

	for (i = 1; i < c->n; i++)
		if (c->tid[i] < c->tid[lo])
			lo = i;
	if (!lo)
		return;
	r = *c;
	for (i = 0; i < c->n; i++) {
		c->tid[i] = r.tid[(lo + i) % c->n];
		c->obj[i] = r.obj[(lo + i) % c->n];
	}
}

/* Mark or unmark the threads and objects of c as the current cycle's. */
static void
wg_mark(struct model *m, const struct model_cycle *c, bool on)
{
	const struct model_thread *t;
	const struct model_object *o;
	unsigned i;

	/* Index arithmetic gives the model's own (mutable) slots. */
	for (i = 0; i < c->n; i++) {
		t = model_thread(m, c->tid[i]);
		if (t)
			m->threads[wg_slot(m, t)].in_cycle = on;
		o = model_object(m, c->obj[i]);
		if (o)
			m->objects[o - m->objects].in_cycle = on;
	}
}

static void
wg_set_now(struct model *m, const struct model_cycle *c, bool first)
{
	m->wg.now = *c;
	m->wg.now_valid = true;
	m->wg.now_first = first;
	m->wg.now_doubtful = wg_doubtful(m, c);
	wg_mark(m, c, true);
}

/* An event at ts touched the current cycle: if an edge of it went, it is
 * cleared, and another one shown if the graph still has one. */
static void
wg_recheck(struct model *m, uint64_t ts)
{
	struct waitgraph *g = &m->wg;
	struct model_cycle c;

	if (wg_holds(m, &g->now)) {
		/* Its semaphores may have gained or lost holders. */
		g->now_doubtful = wg_doubtful(m, &g->now);
		return;
	}
	wg_mark(m, &g->now, false);
	g->now.cleared = ts;
	if (g->now_first)
		g->first.cleared = ts;
	g->now_valid = false;
	g->now_doubtful = false;
	/* Another cycle may have formed while this one was shown. */
	if (wg_find_any(m, &c)) {
		wg_rotate(&c);
		c.ts = ts;
		c.cleared = 0;
		wg_set_now(m, &c, false);
	}
}

/* t began to wait at ts: a cycle it closed is counted, kept if it is the
 * first, and shown if no other is. */
static void
wg_detect(struct model *m, const struct model_thread *t, uint64_t ts)
{
	struct waitgraph *g = &m->wg;
	struct model_cycle c;
	bool first;

	if (!wg_find(m, t, &c))
		return;
	wg_rotate(&c);
	c.ts = ts;
	c.cleared = 0;
	g->deadlocks++;
	first = !g->first_valid;
	if (first) {
		g->first = c;
		g->first_valid = true;
	}
	if (!g->now_valid)
		wg_set_now(m, &c, first);
}

void
waitgraph_update(struct model *m, struct model_thread *t,
		 struct model_object *o, const struct ls_event *e,
		 bool left_wait)
{
	const struct waitgraph *g = &m->wg;

	/*
	 * A cycle's edges change only by events of its threads or about its
	 * objects (model.c): nothing else can break it.  A doubtful one also
	 * rests on threads outside it (the other holders of its semaphores,
	 * and what they wait for): any wait that ends, or any event about an
	 * object someone waits for, may free one of them.
	 */
	if (g->now_valid &&
	    (t->in_cycle || (o && o->in_cycle) ||
	     (g->now_doubtful && (left_wait || (o && o->nwaiting)))))
		wg_recheck(m, e->ts);
	/* Only the emitter's own wait can close a new cycle. */
	if (t->waiting_for && !t->in_cycle)
		wg_detect(m, t, e->ts);
}

size_t
waitgraph_edges(const struct model *m, struct model_wait_edge *out,
		size_t max)
{
	const struct model_thread *t;
	const struct model_object *o;
	struct model_wait_edge *w;
	size_t k = 0;
	unsigned s, i, n, h, next;

	for (s = 0; s < MODEL_MAX_THREADS && k < max; s++) {
		t = &m->threads[s];
		if (!t->used || !t->waiting_for)
			continue;
		o = wg_waits_for(m, t);
		w = &out[k++];
		memset(w, 0, sizeof(*w));
		w->waiter = t->tid;
		w->obj = t->waiting_for;
		w->kind = t->wait_kind;
		w->since = t->wait_since;
		w->granted = t->granted;
		n = wg_nholders(t, o);
		for (i = 0; i < n; i++) {
			h = wg_holder(t, o, i);
			if (!h || h == t->tid)
				continue;
			if (w->nholders < MODEL_MAX_EDGE_HOLDERS)
				w->holder[w->nholders] = h;
			w->nholders++;
		}
		if (!t->in_cycle || !m->wg.now_valid)
			continue;
		/* In the cycle when it is this thread's step of it. */
		for (i = 0; i < m->wg.now.n; i++)
			if (m->wg.now.tid[i] == t->tid)
				break;
		if (i < m->wg.now.n && m->wg.now.obj[i] == t->waiting_for) {
			next = m->wg.now.tid[(i + 1) % m->wg.now.n];
			for (i = 0; i < n; i++)
				if (wg_holder(t, o, i) == next)
					w->in_cycle = true;
		}
	}
	return k;
}

/* The order graph. */

static unsigned
wg_hash(uint32_t key, unsigned size)
{
	/* Fibonacci hashing, as slotindex.c does. */
	return (unsigned)((key * 2654435769u) >> 16) & (size - 1);
}

/* The node of lock id, created if need be; -1 when the graph is full. */
static int
wg_node(struct waitgraph *g, uint32_t id)
{
	unsigned size = 2 * MODEL_ORDER_NODES, h = wg_hash(id, size);

	for (; g->node_index[h]; h = (h + 1) & (size - 1))
		if (g->node[g->node_index[h] - 1].id == id)
			return g->node_index[h] - 1;
	if (g->nnodes == MODEL_ORDER_NODES)
		return -1;
	g->node[g->nnodes] = (struct waitgraph_node){ .id = id };
	g->node_index[h] = (uint16_t)++g->nnodes;
	return (int)g->nnodes - 1;
}

static uint32_t
wg_edge_key(uint32_t from, uint32_t to, bool fs, bool ts)
{
	return from * 0x9e3779b1u ^ to * 0x85ebca6bu ^ (uint32_t)fs << 30 ^
	       (uint32_t)ts << 31;
}

/* The hash slot of the order held -> taken (lock ids) in modes fs, ts,
 * or of where it would go.  Keyed by lock ids, not nodes: a known order,
 * the common case, costs this one probe. */
static unsigned
wg_edge_slot(const struct waitgraph *g, uint32_t held, uint32_t taken,
	     bool fs, bool ts)
{
	unsigned size = 2 * MODEL_ORDER_EDGES;
	unsigned h = wg_hash(wg_edge_key(held, taken, fs, ts), size);
	const struct model_order *x;

	for (; g->edge_index[h]; h = (h + 1) & (size - 1)) {
		x = &g->edge[g->edge_index[h] - 1].order;
		if (x->from == held && x->to == taken &&
		    x->from_shared == fs && x->to_shared == ts)
			break;
	}
	return h;
}

/*
 * A path in the order graph from lock `to` back to lock `from` that closes
 * a cycle with the new order nw (not yet in the graph) in which every
 * lock can block (see the top).  Breadth first over (lock, taken shared?)
 * states, so the path found is a shortest one.  Stores its edges in order
 * in path and returns their number, 0 if there is none.
 */
static unsigned
wg_order_path(const struct waitgraph *g, unsigned from, unsigned to,
	      const struct model_order *nw, uint16_t *path)
{
	enum { NSTATES = 2 * MODEL_ORDER_NODES };
	uint16_t via[NSTATES], prev[NSTATES], queue[NSTATES];
	unsigned head = 0, tail = 0, st, nx, e, n = 0, k;
	const struct waitgraph_edge *x;

	memset(via, 0, sizeof(via));
	st = 2 * to + nw->to_shared;
	via[st] = UINT16_MAX;	/* the start: reached, by no edge */
	queue[tail++] = (uint16_t)st;
	while (head < tail) {
		st = queue[head++];
		for (e = g->node[st / 2].out; e; e = x->next_out) {
			x = &g->edge[e - 1];
			/* Taken shared and held shared: no wait here. */
			if ((st & 1) && x->order.from_shared)
				continue;
			nx = 2 * x->to_node + x->order.to_shared;
			if (via[nx])
				continue;
			via[nx] = (uint16_t)e;
			prev[nx] = (uint16_t)st;
			if (x->to_node == from &&
			    !(x->order.to_shared && nw->from_shared))
				goto found;
			queue[tail++] = (uint16_t)nx;
		}
	}
	return 0;
found:
	for (st = nx; via[st] != UINT16_MAX; st = prev[st])
		n++;
	k = n;
	for (st = nx; via[st] != UINT16_MAX; st = prev[st])
		path[--k] = (uint16_t)(via[st] - 1);
	return n;
}

/* Is inv about the same locks as one kept already? */
static bool
wg_inversion_known(const struct waitgraph *g,
		   const struct model_inversion *inv)
{
	const struct model_inversion *k;
	unsigned i, j, l;

	for (i = 0; i < g->ninv; i++) {
		k = &g->inv[i];
		if (k->n != inv->n)
			continue;
		for (j = 0; j < inv->n; j++) {
			for (l = 0; l < k->n; l++)
				if (k->order[l].from == inv->order[j].from)
					break;
			if (l == k->n)
				break;
		}
		if (j == inv->n)
			return true;
	}
	return false;
}

/* Record order held -> taken by t (held in mode fs, taken in ts). */
static void
wg_order(struct waitgraph *g, uint32_t held, uint32_t taken, bool fs,
	 bool ts, const struct model_thread *t, uint64_t now)
{
	uint16_t path[MODEL_ORDER_EDGES];
	struct model_inversion inv;
	struct waitgraph_edge *x;
	int from, to;
	unsigned slot, n, i;

	slot = wg_edge_slot(g, held, taken, fs, ts);
	if (g->edge_index[slot])
		return;		/* known: the common case, and done */
	from = g->nedges < MODEL_ORDER_EDGES ? wg_node(g, held) : -1;
	to = from >= 0 ? wg_node(g, taken) : -1;
	if (to < 0) {
		g->order_overflow++;
		return;
	}
	x = &g->edge[g->nedges];
	*x = (struct waitgraph_edge){
		.order = { .from = held, .to = taken, .tid = t->tid,
			   .ts = now, .from_shared = fs, .to_shared = ts },
		.from_node = (uint16_t)from,
		.to_node = (uint16_t)to,
	};
	n = wg_order_path(g, (unsigned)from, (unsigned)to, &x->order, path);
	/* Into the graph after the search: the new order closes the cycle,
	 * it is not part of the path. */
	x->next_out = g->node[from].out;
	g->node[from].out = (uint16_t)++g->nedges;
	g->edge_index[slot] = (uint16_t)g->nedges;
	if (!n)
		return;
	if (n + 1 > MODEL_MAX_INV_LOCKS) {
		g->inversions++;
		g->inversions_long++;
		return;
	}
	memset(&inv, 0, sizeof(inv));
	inv.ts = now;
	inv.n = n + 1;
	for (i = 0; i < n; i++)
		inv.order[i] = g->edge[path[i]].order;
	inv.order[n] = x->order;
	if (wg_inversion_known(g, &inv))
		return;
	g->inversions++;
	if (g->ninv < MODEL_MAX_INVERSIONS)
		g->inv[g->ninv++] = inv;
}

void
waitgraph_order(struct model *m, const struct model_thread *t,
		const struct ls_event *e)
{
	const struct model_object *h;
	bool ts = e->kind == LS_EV_RD_WAIT || e->kind == LS_EV_RD_ACQUIRED;
	bool fs;
	unsigned i;

	if (!e->obj)
		return;
	for (i = 0; i < t->nheld; i++) {
		if (t->held[i] == e->obj)
			continue;
		h = model_object(m, t->held[i]);
		if (!h || (h->kind != LS_OBJ_MUTEX && h->kind != LS_OBJ_RWLOCK))
			continue;
		/* Held by t but not as the writer: as a reader. */
		fs = h->kind == LS_OBJ_RWLOCK && h->owner != t->tid;
		wg_order(&m->wg, t->held[i], e->obj, fs, ts, t, e->ts);
	}
}
