/*
 * clock.h - the two clocks of lockstep: event stamps and deadlines.
 *
 * Deadlines, sleeps and everything a person reads are CLOCK_MONOTONIC
 * nanoseconds (ls_clock_ns).  Event stamps are ticks (ls_clock_ticks): the
 * calibrated TSC where it is usable, else CLOCK_MONOTONIC nanoseconds
 * themselves.  The ring stamps every event in ticks because a tick read is
 * the cheapest ordered timestamp the machine has; the one consumer that
 * turns events into a picture (src/model/feed.c) converts them with
 * ls_clock_ns_at, so the model and everything after it stay in nanoseconds
 * comparable with ls_clock_ns().
 *
 * The TSC is used when the processor says it is invariant (CPUID
 * 0x80000007 EDX bit 8: constant rate, runs in every C-state) and the
 * kernel, where it says, uses it as its own clocksource (which it does only
 * after checking it is synchronised across CPUs).  LOCKSTEP_CLOCK=monotonic
 * in the environment forces the fallback, LOCKSTEP_CLOCK=tsc forces the TSC
 * on an invariant-TSC processor whatever the kernel chose; both are read
 * once, before main.  Calibration against CLOCK_MONOTONIC happens on the
 * first conversion (at least 20 ms after start-up, so a short program
 * waits for the rest) and is refined as the process runs; see clock.c.
 *
 * For the engine, the fewer-clock-reads recipe: an operation reads ticks
 * once (or takes them from the emit that stamped its event, ring.h
 * ls_lane_stamp), keeps the tick value it started at, and turns a
 * difference into a duration with ls_clock_ticks_to_ns.  Never mix a tick
 * value with ls_clock_ns() values.
 */
#ifndef LOCKSTEP_CLOCK_H
#define LOCKSTEP_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds since an arbitrary start.  Any thread. */
static inline uint64_t
ls_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The absolute CLOCK_MONOTONIC deadline that lies ns from now, for
 * pthread_cond_timedwait on a condvar set to CLOCK_MONOTONIC. */
static inline struct timespec
ls_clock_deadline(uint64_t ns)
{
	uint64_t at = ls_clock_ns() + ns;
	struct timespec ts = {
		.tv_sec = (time_t)(at / 1000000000u),
		.tv_nsec = (long)(at % 1000000000u),
	};
	return ts;
}

/* What ls_clock_ticks reads. */
enum ls_clock_source {
	LS_CLOCK_MONOTONIC = 0,	/* ticks are CLOCK_MONOTONIC ns */
	LS_CLOCK_TSC,		/* ticks are TSC cycles */
};

/* The source ticks come from now.  Set before main (see the top), changed
 * only by ls_clock_select; relaxed, since a change is ordered by whatever
 * starts the threads that read ticks afterwards. */
extern _Atomic unsigned ls_clock_source_now;

/* Read the TSC, ordered after the caller's earlier instructions: the
 * LFENCE keeps RDTSC from running ahead of them (the ring's seq_cst store
 * of its active flag must be visible before the stamp is read).  Intel SDM
 * vol. 2B, RDTSC.  A caller whose later loads must not run ahead of the
 * read adds ls_clock_order_after(). */
static inline uint64_t
ls_clock_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
#else
	return ls_clock_ns();
#endif
}

/* Keep the caller's later loads after its last tick read (LFENCE after
 * RDTSC, the SDM's recipe; a memory fence alone does not order RDTSC).
 * The ring's consumer reads the lanes only after its clock. */
static inline void
ls_clock_order_after(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ __volatile__("lfence" : : : "memory");
#endif
}

/* ls_clock_ns() out of line: the fallback of ls_clock_ticks, kept off the
 * TSC path so that an emit inlining it saves no registers for a call. */
uint64_t ls_clock_ticks_fallback(void) __attribute__((cold));

/*
 * A timestamp in ticks: monotonic per thread and, with either source,
 * consistent across CPUs (a read that happens after another never returns
 * less).  Any thread; no system call with the TSC.
 */
static inline uint64_t
ls_clock_ticks(void)
{
	if (__builtin_expect(atomic_load_explicit(&ls_clock_source_now,
						  memory_order_relaxed) ==
				     LS_CLOCK_TSC,
			     1))
		return ls_clock_tsc();
	return ls_clock_ticks_fallback();
}

/* ns per tick << 32 as last calibrated, 0 before the first calibration;
 * clock.c writes it.  Relaxed: one word, and any recent value will do for
 * a duration. */
extern _Atomic uint64_t ls_clock_dur_mult;

/* ls_clock_ticks_to_ns before the first calibration (which it runs, and
 * which may sleep up to 20 ms after start-up: clock.h, top). */
uint64_t ls_clock_ticks_to_ns_first(uint64_t ticks) __attribute__((cold));

/*
 * The duration of ticks ticks in nanoseconds.  Any thread.  Inline and
 * with no clock read, so that an emit site can turn the distance between
 * two of its stamps into an event's arg (a hold, a wait) for a multiply:
 * it uses the rate as last calibrated, which ls_clock_ns_at refines as the
 * consumer converts stamps.
 */
static inline uint64_t
ls_clock_ticks_to_ns(uint64_t ticks)
{
	uint64_t mult;

	if (atomic_load_explicit(&ls_clock_source_now, memory_order_relaxed) !=
	    LS_CLOCK_TSC)
		return ticks;
	mult = atomic_load_explicit(&ls_clock_dur_mult, memory_order_relaxed);
	if (__builtin_expect(!mult, 0))
		return ls_clock_ticks_to_ns_first(ticks);
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}

/*
 * The CLOCK_MONOTONIC time, in ns, at which ls_clock_ticks() returned
 * ticks: comparable with ls_clock_ns().  Any thread.  Conversions of
 * increasing ticks increase, within one calibration; a refinement may move
 * later results by a few hundred ns, so a consumer that needs a monotonic
 * sequence clamps (feed.c does).
 */
uint64_t ls_clock_ns_at(uint64_t ticks);

/* The current source (enum ls_clock_source) and its name ("tsc",
 * "monotonic").  Any thread. */
unsigned ls_clock_source(void);
const char *ls_clock_source_name(unsigned source);

/* Whether the TSC is usable here: invariant, and trusted by the kernel
 * where it says (LOCKSTEP_CLOCK=tsc skips the kernel's word). */
int ls_clock_tsc_usable(void);

/* TSC ticks per second as calibrated (0 when the TSC is not usable). */
double ls_clock_tsc_hz(void);

/* A TSC read paired with the CLOCK_MONOTONIC time it happened at: the
 * tightest of a few clock_gettime brackets around it.  Any thread; the
 * calibration's and `lockstep bench clock`'s one way to take a pair. */
void ls_clock_tsc_pair(uint64_t *tsc, uint64_t *ns);

/* Sleep ns, resuming after signals.  Any thread. */
void ls_clock_sleep_ns(uint64_t ns);

/*
 * Switch the source, for benchmarks and tests that compare both in one
 * process.  Only while no thread reads ticks and no ring holds events:
 * stamps of one source mean nothing in the other.  Returns 0, or -ENOTSUP
 * for LS_CLOCK_TSC where the TSC is not usable.
 */
int ls_clock_select(unsigned source);

#endif
