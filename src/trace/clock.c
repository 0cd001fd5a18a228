/*
 * clock.c - choosing the tick source and calibrating the TSC.
 *
 * Before main, clock_init decides the source (clock.h says how) and, where
 * the TSC is usable, takes an anchor: a TSC read paired with the
 * CLOCK_MONOTONIC time it happened at, from the tightest of a few
 * clock_gettime brackets.  The rate is not measured then, since that would
 * make every process start wait: the first conversion takes a second pair
 * at least CAL_FIRST_NS after the anchor (sleeping for the rest if it comes
 * sooner) and the rate is the slope between the two.  A bracket is good to
 * some tens of ns, so the slope is good to a few ppm; later conversions
 * take a new pair whenever the process has run twice as long as at the last
 * one (at most every CAL_MAX_GAP_NS), and the slope from the anchor to the
 * newest pair then also follows CLOCK_MONOTONIC's own slewing.
 *
 * Conversions read the parameters under a sequence lock: writers (rare,
 * one at a time under cal_mu) make the count odd, store, make it even;
 * readers retry when they saw it odd or changed.
 */
#include "config.h"

#include "lockstep/clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define CAL_FIRST_NS 20000000ull	/* anchor to first pair, at least */
#define CAL_MAX_GAP_NS 16000000000ull	/* longest time between pairs */
#define CAL_SHIFT 32			/* mult is ns per tick << CAL_SHIFT */
#define CAL_TRIES 7			/* brackets per pair, tightest kept */

_Atomic unsigned ls_clock_source_now = LS_CLOCK_MONOTONIC;
_Atomic uint64_t ls_clock_dur_mult;
_Static_assert(CAL_SHIFT == 32, "clock.h's ls_clock_ticks_to_ns shifts 32");

/* A TSC read and the CLOCK_MONOTONIC ns it happened at. */
struct pair {
	uint64_t tsc, ns;
};

static bool tsc_ok;		/* written before main only */
static struct pair anchor;	/* written before main only */

/* The conversion ns = anchor.ns + (tsc - anchor.tsc) * mult >> CAL_SHIFT.
 * The fields are atomics only so that the sequence lock's racy reads are
 * defined; cal_seq orders them. */
static _Atomic uint32_t cal_seq;
static _Atomic uint64_t cal_mult;
static _Atomic uint64_t cal_next;	/* tsc at which to refine next */
static _Atomic bool cal_done;		/* the first pair was taken */
static pthread_mutex_t cal_mu = PTHREAD_MUTEX_INITIALIZER;

void
ls_clock_tsc_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best_w = UINT64_MAX;
	unsigned i;

	for (i = 0; i < CAL_TRIES; i++) {
		uint64_t a = ls_clock_ns(), t = ls_clock_tsc(), b = ls_clock_ns();

		if (b - a < best_w) {
			best_w = b - a;
			*tsc = t;
			*ns = a + (b - a) / 2;
		}
	}
}

/* A pair as a struct. */
static struct pair
pair_take(void)
{
	struct pair p;

	ls_clock_tsc_pair(&p.tsc, &p.ns);
	return p;
}

void
ls_clock_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / 1000000000u),
		.tv_nsec = (long)(ns % 1000000000u),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Is the processor's TSC invariant (constant rate, never stops)? */
static bool
tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000007u, &a, &b, &c, &d))
		return false;
	return (d >> 8) & 1;
#else
	return false;
#endif
}

/* Does the kernel use the TSC itself, or say nothing?  It marks the TSC
 * unstable and picks another clocksource when CPUs disagree. */
static bool
tsc_kernel_trusts(void)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource", "r");
	char buf[32] = "";
	bool ok;

	if (!f)
		return true;
	ok = !fgets(buf, sizeof(buf), f) || !strcmp(buf, "tsc\n");
	fclose(f);
	return ok;
}

__attribute__((constructor)) static void
clock_init(void)
{
	const char *want = getenv("LOCKSTEP_CLOCK");
	bool force_tsc = want && !strcmp(want, "tsc");
	bool force_mono = want && !strcmp(want, "monotonic");

	tsc_ok = tsc_invariant() && (force_tsc || tsc_kernel_trusts());
	if (tsc_ok)
		anchor = pair_take();
	atomic_store(&ls_clock_source_now,
		     tsc_ok && !force_mono ? LS_CLOCK_TSC : LS_CLOCK_MONOTONIC);
}

/* Take a pair and set the slope from the anchor to it.  cal_mu held. */
static void
cal_refine_locked(void)
{
	struct pair p = pair_take();
	uint64_t dt = p.tsc - anchor.tsc, dn = p.ns - anchor.ns, gap;
	unsigned __int128 mult;

	if (!dt || p.tsc < anchor.tsc || p.ns < anchor.ns)
		return;
	mult = ((unsigned __int128)dn << CAL_SHIFT) / dt;
	/* Next pair when the run has doubled, capped: the slope's error
	 * shrinks as the distance to the anchor grows. */
	gap = dt;
	if (dn > CAL_MAX_GAP_NS)
		gap = (uint64_t)(((unsigned __int128)CAL_MAX_GAP_NS << CAL_SHIFT) /
				 mult);
	/* The sequence lock: odd while the fields change.  The release
	 * fence keeps the stores after the odd count; the release store of
	 * the even count keeps them before it. */
	atomic_fetch_add_explicit(&cal_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&cal_mult, (uint64_t)mult, memory_order_relaxed);
	atomic_store_explicit(&cal_next, p.tsc + gap, memory_order_relaxed);
	atomic_fetch_add_explicit(&cal_seq, 1, memory_order_release);
	/* Alone, outside the sequence lock: durations need no anchor. */
	atomic_store_explicit(&ls_clock_dur_mult, (uint64_t)mult,
			      memory_order_relaxed);
}

/* The first pair, CAL_FIRST_NS after the anchor at the earliest. */
static void
cal_first(void)
{
	uint64_t since;

	if (pthread_mutex_lock(&cal_mu))
		abort();
	if (!atomic_load(&cal_done)) {
		since = ls_clock_ns() - anchor.ns;
		if (since < CAL_FIRST_NS)
			ls_clock_sleep_ns(CAL_FIRST_NS - since);
		cal_refine_locked();
		/* seq_cst: a reader that sees it done sees the fields. */
		atomic_store(&cal_done, true);
	}
	if (pthread_mutex_unlock(&cal_mu))
		abort();
}

/* The current mult, calibrating or refining first when it is time.  now
 * is a recent tick, to judge that. */
static uint64_t
cal_mult_now(uint64_t now)
{
	uint32_t s1, s2;
	uint64_t mult, next;

	if (!atomic_load(&cal_done))
		cal_first();
	for (;;) {
		s1 = atomic_load_explicit(&cal_seq, memory_order_acquire);
		mult = atomic_load_explicit(&cal_mult, memory_order_relaxed);
		next = atomic_load_explicit(&cal_next, memory_order_relaxed);
		/* Acquire fence: the field loads before the second count. */
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&cal_seq, memory_order_relaxed);
		if (s1 == s2 && !(s1 & 1))
			break;
	}
	/* Refine when due, unless another thread is already at it. */
	if (now >= next && !pthread_mutex_trylock(&cal_mu)) {
		if (now >= atomic_load_explicit(&cal_next,
						memory_order_relaxed))
			cal_refine_locked();
		mult = atomic_load_explicit(&cal_mult, memory_order_relaxed);
		if (pthread_mutex_unlock(&cal_mu))
			abort();
	}
	return mult;
}

uint64_t
ls_clock_ticks_to_ns_first(uint64_t ticks)
{
	uint64_t mult;

	if (ls_clock_source() != LS_CLOCK_TSC)
		return ticks;
	mult = cal_mult_now(ls_clock_tsc());
	return (uint64_t)(((unsigned __int128)ticks * mult) >> CAL_SHIFT);
}

uint64_t
ls_clock_ns_at(uint64_t ticks)
{
	uint64_t mult, d;

	if (ls_clock_source() != LS_CLOCK_TSC)
		return ticks;
	mult = cal_mult_now(ticks);
	if (ticks >= anchor.tsc) {
		d = (uint64_t)(((unsigned __int128)(ticks - anchor.tsc) * mult) >>
			       CAL_SHIFT);
		return anchor.ns + d;
	}
	d = (uint64_t)(((unsigned __int128)(anchor.tsc - ticks) * mult) >>
		       CAL_SHIFT);
	return d < anchor.ns ? anchor.ns - d : 0;
}

uint64_t
ls_clock_ticks_fallback(void)
{
	return ls_clock_ns();
}

unsigned
ls_clock_source(void)
{
	return atomic_load_explicit(&ls_clock_source_now, memory_order_relaxed);
}

const char *
ls_clock_source_name(unsigned source)
{
	return source == LS_CLOCK_TSC ? "tsc" : "monotonic";
}

int
ls_clock_tsc_usable(void)
{
	return tsc_ok;
}

double
ls_clock_tsc_hz(void)
{
	uint64_t mult;

	if (!tsc_ok)
		return 0.0;
	mult = cal_mult_now(ls_clock_tsc());
	return mult ? 1e9 * (double)(1ull << CAL_SHIFT) / (double)mult : 0.0;
}

int
ls_clock_select(unsigned source)
{
	if (source == LS_CLOCK_TSC && !tsc_ok)
		return -ENOTSUP;
	if (source != LS_CLOCK_TSC && source != LS_CLOCK_MONOTONIC)
		return -EINVAL;
	atomic_store(&ls_clock_source_now, source);
	return 0;
}
