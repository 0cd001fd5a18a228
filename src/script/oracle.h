/*
 * oracle.h - a pure, single-threaded reference interpreter of compiled
 * scripts, one step at a time.
 *
 * The state of a run is one plain struct: the shared slots, each thread's
 * position, status, locals and temps, and an abstract state for each
 * object (owner and depth of a mutex, readers and writer of an rwlock,
 * counts, event flags, queue and list contents, and FIFOs of the threads
 * blocked in it).  oracle_step moves one thread by one step exactly as
 * assets/scripts/README.md says a step goes, and judges the outcome after
 * it.  Copying the struct copies the run, so a search can branch by
 * assignment; oracle_pack gives the bytes that identify a state.
 *
 * It is the oracle for the runtime on real threads (its tests must see the
 * same values and outcomes under the same schedule), the reference for the
 * explorer, and what the front end's tests use to run the shipped scripts.
 *
 * Objects hand over as the engine's primitives do: an unlock, post, push
 * or set that finds threads waiting passes what it releases straight to
 * the oldest of them, who is then ready to go on; a signal moves the
 * oldest waiter of a condition to the back of its mutex's queue.
 */
#ifndef LOCKSTEP_ORACLE_H
#define LOCKSTEP_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "script/script.h"

enum oracle_status {
	ORACLE_READY = 0,	/* at a step it can take (it may block) */
	ORACLE_BLOCKED,		/* took a step and waits in an object */
	ORACLE_DONE,		/* returned */
};

enum oracle_end {
	ORACLE_RUNNING = 0,
	ORACLE_FINISHED,	/* every thread returned, check passed */
	ORACLE_ASSERT,		/* a failed assert or fail */
	ORACLE_DEADLOCK,	/* every live thread blocked */
	ORACLE_CRITICAL,	/* two threads in critical blocks at once */
	ORACLE_ERROR,		/* a runtime error */
};

struct oracle_thread {
	uint16_t pc;		/* the next step; nsteps when done */
	uint8_t status;		/* enum oracle_status */
	int8_t blocked_on;	/* the object it waits in, or -1 */
	uint8_t depth;		/* in wait(cv, m): its holds on m */
	int64_t carry;		/* in push: the value it brings */
	int64_t locals[SCRIPT_MAX_LOCALS];
	int64_t temps[SCRIPT_MAX_TEMPS];
};

struct oracle_object {
	/* Semaphore, latch: the count; barrier: arrivals this round. */
	int64_t count;
	/* Mutex: owner; rwlock: the writer; list: the thread between a
	 * begin and an end.  -1: none. */
	int8_t owner;
	uint8_t depth;		/* mutex: its owner's holds */
	bool set;		/* event */
	uint16_t readers;	/* rwlock: readers inside (bit = thread) */
	uint8_t nwait;		/* threads blocked in it, oldest first */
	uint8_t wait[SCRIPT_MAX_THREADS];
	uint8_t nitems;		/* queue, list: items, oldest first */
	int64_t items[SCRIPT_MAX_ITEMS];
};

struct oracle_outcome {
	enum oracle_end end;
	int thread;		/* whose step it was; -1 for a deadlock;
				 * nthreads for the check block */
	unsigned line;		/* of that step; 0 for a deadlock */
	enum script_fault fault;	/* ORACLE_ERROR: which */
	char why[192];		/* one or two sentences */
};

struct oracle {
	const struct script_program *prog;
	unsigned long steps;		/* steps taken */
	struct oracle_outcome out;
	int64_t shared[SCRIPT_MAX_SLOTS];
	struct oracle_thread th[SCRIPT_MAX_THREADS];
	struct oracle_object obj[SCRIPT_MAX_OBJECTS];
};

/* The state of p before any step: shared slots and objects as declared,
 * every thread ready at its first step (a thread with an empty body is
 * done, and a program whose threads are all done has finished). */
void oracle_init(struct oracle *o, const struct script_program *p);

/* Can thread t take a step now (ready, and the run not over)? */
bool oracle_can_step(const struct oracle *o, unsigned t);

/*
 * Let thread t take one step, then judge: a failed assert, a runtime
 * error, two threads in critical blocks, every thread returned (then the
 * check block runs), every live thread blocked.  Returns 0; -EINVAL when
 * t is no thread; -EAGAIN when it is blocked and -ENOENT when it has
 * returned (nothing changes); -EPIPE when the run is already over.
 */
int oracle_step(struct oracle *o, unsigned t);

/* The goal bit (enum script_goal) of the outcome so far; 0 while running
 * or after a clean finish. */
unsigned oracle_goal(const struct oracle *o);

/*
 * Step the threads listed (indexes into prog->threads), in order.
 * Returns 0 when all were taken, else the error of the first that could
 * not be, with its position in *done (on success *done = n).
 */
int oracle_replay(struct oracle *o, const unsigned *threads, size_t n,
		  size_t *done);

/*
 * The bytes that identify o's state (everything that decides what the
 * run does next, and its outcome), written to buf up to cap.  Returns the
 * number of bytes the whole state needs: equal states give equal bytes.
 */
size_t oracle_pack(const struct oracle *o, unsigned char *buf, size_t cap);

#endif
