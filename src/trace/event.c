/*
 * event.c - names of event kinds, thread states and object kinds, for
 * logs, the headless summary and trace export.
 */
#include "config.h"

#include "lockstep/event.h"

static const char *const kind_names[LS_EV_KIND_COUNT] = {
	[LS_EV_NONE] = "NONE",
	[LS_EV_THREAD_START] = "THREAD_START",
	[LS_EV_THREAD_EXIT] = "THREAD_EXIT",
	[LS_EV_STATE] = "STATE",
	[LS_EV_LOCK_WAIT] = "LOCK_WAIT",
	[LS_EV_LOCK_ACQUIRED] = "LOCK_ACQUIRED",
	[LS_EV_LOCK_RELEASED] = "LOCK_RELEASED",
	[LS_EV_LOCK_TIMEOUT] = "LOCK_TIMEOUT",
	[LS_EV_LOCK_BUSY] = "LOCK_BUSY",
	[LS_EV_RD_WAIT] = "RD_WAIT",
	[LS_EV_RD_ACQUIRED] = "RD_ACQUIRED",
	[LS_EV_RD_RELEASED] = "RD_RELEASED",
	[LS_EV_WR_WAIT] = "WR_WAIT",
	[LS_EV_WR_ACQUIRED] = "WR_ACQUIRED",
	[LS_EV_WR_RELEASED] = "WR_RELEASED",
	[LS_EV_RW_TIMEOUT] = "RW_TIMEOUT",
	[LS_EV_SEM_WAIT] = "SEM_WAIT",
	[LS_EV_SEM_ACQUIRED] = "SEM_ACQUIRED",
	[LS_EV_SEM_POST] = "SEM_POST",
	[LS_EV_SEM_TIMEOUT] = "SEM_TIMEOUT",
	[LS_EV_Q_PUSH_WAIT] = "Q_PUSH_WAIT",
	[LS_EV_Q_PUSHED] = "Q_PUSHED",
	[LS_EV_Q_POP_WAIT] = "Q_POP_WAIT",
	[LS_EV_Q_POPPED] = "Q_POPPED",
	[LS_EV_Q_TIMEOUT] = "Q_TIMEOUT",
	[LS_EV_Q_CLOSED] = "Q_CLOSED",
	[LS_EV_TASK_SUBMIT] = "TASK_SUBMIT",
	[LS_EV_TASK_START] = "TASK_START",
	[LS_EV_TASK_END] = "TASK_END",
	[LS_EV_TASK_FAIL] = "TASK_FAIL",
	[LS_EV_TASK_REJECT] = "TASK_REJECT",
	[LS_EV_TASK_DROP] = "TASK_DROP",
	[LS_EV_POOL_SCALE] = "POOL_SCALE",
	[LS_EV_POOL_DEPTH] = "POOL_DEPTH",
	[LS_EV_GATE_WAIT] = "GATE_WAIT",
	[LS_EV_GATE_PASS] = "GATE_PASS",
	[LS_EV_CANCELLED] = "CANCELLED",
	[LS_EV_MARK] = "MARK",
	[LS_EV_ERROR] = "ERROR",
	[LS_EV_OUTCOME] = "OUTCOME",
	[LS_EV_LOCK_DEPTH] = "LOCK_DEPTH",
	[LS_EV_CV_WAIT] = "CV_WAIT",
	[LS_EV_CV_WOKEN] = "CV_WOKEN",
	[LS_EV_CV_TIMEOUT] = "CV_TIMEOUT",
	[LS_EV_CV_SIGNAL] = "CV_SIGNAL",
	[LS_EV_CV_BROADCAST] = "CV_BROADCAST",
	[LS_EV_CV_LOST] = "CV_LOST",
	[LS_EV_BAR_WAIT] = "BAR_WAIT",
	[LS_EV_BAR_RELEASE] = "BAR_RELEASE",
	[LS_EV_BAR_PASSED] = "BAR_PASSED",
	[LS_EV_RE_WAIT] = "RE_WAIT",
	[LS_EV_RE_PASSED] = "RE_PASSED",
	[LS_EV_RE_TIMEOUT] = "RE_TIMEOUT",
	[LS_EV_RE_SET] = "RE_SET",
	[LS_EV_RE_RESET] = "RE_RESET",
	[LS_EV_LATCH_WAIT] = "LATCH_WAIT",
	[LS_EV_LATCH_PASSED] = "LATCH_PASSED",
	[LS_EV_LATCH_TIMEOUT] = "LATCH_TIMEOUT",
	[LS_EV_LATCH_DOWN] = "LATCH_DOWN",
};

static const char *const state_names[LS_STATE_COUNT] = {
	[LS_STATE_RUNNING] = "running",
	[LS_STATE_IDLE] = "idle",
	[LS_STATE_SLEEPING] = "sleeping",
	[LS_STATE_BLOCKED] = "blocked",
	[LS_STATE_PARKED] = "parked",
	[LS_STATE_DONE] = "done",
};

static const char *const obj_names[LS_OBJ_KIND_COUNT] = {
	[LS_OBJ_NONE] = "none",
	[LS_OBJ_MUTEX] = "mutex",
	[LS_OBJ_RWLOCK] = "rwlock",
	[LS_OBJ_SEM] = "semaphore",
	[LS_OBJ_QUEUE] = "queue",
	[LS_OBJ_POOL] = "pool",
	[LS_OBJ_VAR] = "variable",
	[LS_OBJ_COND] = "condition",
	[LS_OBJ_BARRIER] = "barrier",
	[LS_OBJ_EVENT_MANUAL] = "manual event",
	[LS_OBJ_EVENT_AUTO] = "auto event",
	[LS_OBJ_LATCH] = "latch",
};

const char *
ls_event_kind_name(unsigned kind)
{
	return kind < LS_EV_KIND_COUNT && kind_names[kind] ? kind_names[kind]
							    : "?";
}

const char *
ls_thread_state_name(unsigned state)
{
	return state < LS_STATE_COUNT ? state_names[state] : "?";
}

const char *
ls_obj_kind_name(unsigned kind)
{
	return kind < LS_OBJ_KIND_COUNT ? obj_names[kind] : "?";
}

static const char *const outcome_names[LS_OUT_COUNT] = {
	[LS_OUT_NONE] = "NONE",
	[LS_OUT_ASSERT] = "ASSERTION FAILED",
	[LS_OUT_DEADLOCK] = "DEADLOCK",
	[LS_OUT_CRITICAL] = "MUTUAL EXCLUSION BROKEN",
	[LS_OUT_ERROR] = "RUNTIME ERROR",
	[LS_OUT_LOST_UPDATE] = "LOST UPDATE",
	[LS_OUT_TORN_READ] = "TORN READ",
	[LS_OUT_STARVED] = "STARVED",
	[LS_OUT_INVARIANT] = "INVARIANT BROKEN",
	[LS_OUT_LIVELOCK] = "LIVELOCK",
};

const char *
ls_outcome_name(unsigned outcome)
{
	return outcome < LS_OUT_COUNT ? outcome_names[outcome] : "?";
}
