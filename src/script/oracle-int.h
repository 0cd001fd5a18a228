/*
 * oracle-int.h - what oracle.c (threads, steps, outcomes) and
 * oracle-obj.c (the objects' abstract semantics) share.
 */
#ifndef LOCKSTEP_ORACLE_INT_H
#define LOCKSTEP_ORACLE_INT_H

#include "script/oracle.h"

/* oracle_obj_run: the thread is now blocked in the object. */
#define ORACLE_OP_BLOCKED (-1)

/* oracle.c */
/* The step thread t is at. */
const struct script_step *oracle_at(const struct oracle *o, unsigned t);
/* Evaluate e for thread t; a fault or SCRIPT_FAULT_NONE. */
enum script_fault oracle_eval(const struct oracle *o, unsigned t,
			      const struct script_expr *e, int64_t *v);
/* Thread t, blocked, is let through: its step completes (with the value
 * it was handed, for pop) and it is ready at its next step. */
void oracle_wake(struct oracle *o, unsigned t, bool has_value, int64_t v);

/* oracle-obj.c */
/*
 * Run the operation of step st (on an object) for thread t.  Returns 0
 * with a result in *result for those that give one (trylock, pop, take),
 * ORACLE_OP_BLOCKED when t must wait, or a fault (> 0).
 */
int oracle_obj_run(struct oracle *o, unsigned t, const struct script_step *st,
		   int64_t *result);

#endif
