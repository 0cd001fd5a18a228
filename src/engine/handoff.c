/*
 * handoff.c - the floor under a step: two threads handing a turn back and
 * forth through the engine's own parker, the way a controller and a
 * stepped thread do, with the spin a step uses or straight to the futex,
 * across CPUs or on one (as the explorer runs, util/cpu.h).
 * `lockstep bench explore` prints it beside a search's decisions per
 * second, so the ratio says what the rest of a step costs.
 */
#include "config.h"

#include "lockstep/thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "engine-int.h"
#include "lockstep/clock.h"
#include "util/cpu.h"

struct handoff {
	struct ls_thread *a, *b;	/* a: the caller; b: the partner */
	_Atomic unsigned long turn;	/* odd: b's turn; even: a's */
	unsigned long rounds;
	bool spin;
	pthread_t pt;
	_Atomic bool b_ready;
};

/* Wait for the turn counter to reach want, spinning first if asked. */
static void
handoff_wait(struct handoff *h, struct ls_thread *self, unsigned long want)
{
	unsigned i;

	if (h->spin)
		for (i = 0; i < 4096; i++) {
			if (atomic_load_explicit(&h->turn,
						 memory_order_acquire) >= want)
				return;
			engine_cpu_relax();
		}
	while (atomic_load_explicit(&h->turn, memory_order_acquire) < want)
		thread_park(self, 0);
}

static void *
handoff_partner(void *p)
{
	struct handoff *h = p;
	unsigned long k;

	h->b = ls_thread_self();
	atomic_store(&h->b_ready, true);
	for (k = 0; k < h->rounds; k++) {
		handoff_wait(h, h->b, 2 * k + 1);
		atomic_store_explicit(&h->turn, 2 * k + 2,
				      memory_order_release);
		thread_unpark(h->a);
	}
	return NULL;
}

int
ls_handoff_floor(unsigned long rounds, bool spin, bool one_cpu,
		 uint64_t *ns_per_round)
{
	struct handoff h = { .rounds = rounds, .spin = spin };
	cpu_set_t before;
	bool pinned = one_cpu && cpu_pin_here(&before) >= 0;
	uint64_t t0;
	unsigned long k;
	int err;

	h.a = ls_thread_self();
	atomic_init(&h.turn, 0);
	atomic_init(&h.b_ready, false);
	/* The partner inherits the one CPU. */
	err = pthread_create(&h.pt, NULL, handoff_partner, &h);
	if (err) {
		if (pinned)
			cpu_unpin(&before);
		return -err;
	}
	while (!atomic_load(&h.b_ready))
		engine_cpu_relax();
	t0 = ls_clock_ns();
	for (k = 0; k < rounds; k++) {
		atomic_store_explicit(&h.turn, 2 * k + 1, memory_order_release);
		thread_unpark(h.b);
		handoff_wait(&h, h.a, 2 * k + 2);
	}
	*ns_per_round = rounds ? (ls_clock_ns() - t0) / rounds : 0;
	pthread_join(h.pt, NULL);
	if (pinned)
		cpu_unpin(&before);
	return 0;
}
