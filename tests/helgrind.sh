#!/usr/bin/env bash
# helgrind.sh - the lock-based primitives' suites under valgrind's helgrind,
# at small sizes, unforked.  Any report fails.  The lock-free ring is left
# out (tests/helgrind.supp says why); the engine marks its few atomics for
# helgrind itself (src/engine/engine-valgrind.h).
set -u
cd "$(dirname "$0")/.." || exit 99
: "${BUILDDIR:=.}"
supp=tests/helgrind.supp
fails=0
export CK_FORK=no CK_DEFAULT_TIMEOUT=0
export LS_MUTEX_ITERS=300 LS_MUTEX_ROUNDS=2 LS_MUTEX_ROUND_ITERS=100 LS_MUTEX_THREADS=3
export LS_SEM_ITERS=300 LS_SEM_ROUNDS=2 LS_SEM_ROUND_ITERS=100 LS_SEM_TIMEOUT_NS=2000000
export BQUEUE_ITEMS=500 POOL_TASKS=300 POOL_STRESS_TASKS=1000
export POOL_INTAKE_ROUNDS=3 POOL_INTAKE_TASKS=200
export RWLOCK_STRESS_OPS=300 RWLOCK_STORM_OPS=300 RWLOCK_STREAM=50 RWLOCK_REPLAY_OPS=300
export LS_CANCEL_LOOPS=20 LS_CANCEL_RANDOM_LOOPS=20 LS_CANCEL_RULE_ROUNDS=10
export LS_RMUTEX_ITERS=200 LS_RMUTEX_THREADS=3
export LS_LATCH_ROUNDS=20 LS_LATCH_THREADS=4
export LS_RE_ITERS=200 LS_RE_ROUNDS=2 LS_RE_RACES=10 LS_RE_THREADS=3
export LS_BARRIER_ROUNDS=100 LS_BARRIER_RACES=10 LS_BARRIER_THREADS=4
export LS_COND_ITEMS=500 LS_COND_THREADS=4 LS_COND_RACES=10
suites="mutex mutex_order mutex_stress sem rwlock rwlock_events rwlock_cancel"
suites="$suites rwlock_policy rwlock_stress bqueue bqueue_stress pool pool_submit"
suites="$suites pool_stop pool_events pool_gate pool_intake cancel cancel_rule"
suites="$suites rmutex latch resetevent barrier cond cond_stress"
n=0
for t in $suites; do
	n=$((n + 1))
	log=$(mktemp)
	t0=$(date +%s)
	if ! valgrind --tool=helgrind --suppressions="$supp" --error-exitcode=3 \
		--log-file="$log" "$BUILDDIR/tests/check_$t" >"$log.out" 2>&1; then
		echo "not ok - helgrind check_$t"
		grep -E 'ERROR SUMMARY|Possible data race|lock order' "$log" | head -5
		tail -3 "$log.out"
		fails=$((fails + 1))
	else
		echo "ok - helgrind check_$t: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$log") ($(( $(date +%s) - t0 )) s)"
	fi
	rm -f "$log" "$log.out"
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
