/*
 * eval.c - the one evaluator of compiled expressions.
 *
 * Pure and reentrant: the runtime's threads, the oracle and the explorer
 * all call it with their own state.  The stack is bounded by
 * SCRIPT_MAX_STACK, which the front end's depth limit guarantees (an
 * expression at most FE_MAX_DEPTH deep needs at most that many entries
 * plus one); slots, locals and temps were range-checked when compiled.
 * Arithmetic is done on uint64_t so that overflow wraps instead of being
 * undefined.
 */
#include "config.h"

#include "script/script.h"

#include <assert.h>

static int64_t
wrap(uint64_t v)
{
	/* Two's complement back to signed without an implementation-defined
	 * conversion of values above INT64_MAX. */
	return v <= (uint64_t)INT64_MAX ? (int64_t)v
					 : -(int64_t)(~v) - 1;
}

enum script_fault
eval_expr(const struct script_expr *e, const int64_t *shared,
	  const int64_t *locals, const int64_t *temps, int64_t id,
	  int64_t *value)
{
	int64_t st[SCRIPT_MAX_STACK];
	unsigned sp = 0, pc;
	int64_t a, b;

	for (pc = 0; pc < e->n; pc++) {
		const struct script_code *c = &e->code[pc];

		assert(sp < SCRIPT_MAX_STACK);
		switch (c->op) {
		case SCRIPT_OP_CONST:
			st[sp++] = c->value;
			continue;
		case SCRIPT_OP_SHARED:
			st[sp++] = shared[c->arg];
			continue;
		case SCRIPT_OP_SHARED_AT:
			a = st[sp - 1];
			if (a < 0 || a >= c->len) {
				*value = a;
				return SCRIPT_FAULT_INDEX;
			}
			st[sp - 1] = shared[c->arg + a];
			continue;
		case SCRIPT_OP_LOCAL:
			st[sp++] = locals[c->arg];
			continue;
		case SCRIPT_OP_TEMP:
			st[sp++] = temps[c->arg];
			continue;
		case SCRIPT_OP_ID:
			st[sp++] = id;
			continue;
		case SCRIPT_OP_NEG:
			st[sp - 1] = wrap(0 - (uint64_t)st[sp - 1]);
			continue;
		case SCRIPT_OP_NOT:
			st[sp - 1] = !st[sp - 1];
			continue;
		case SCRIPT_OP_AND:
		case SCRIPT_OP_OR:
			/* Short-circuit: the left value is the result. */
			if (!st[sp - 1] == (c->op == SCRIPT_OP_AND))
				pc = (unsigned)c->arg - 1;
			else
				sp--;
			continue;
		default:
			break;
		}
		b = st[--sp];
		a = st[sp - 1];
		switch (c->op) {
		case SCRIPT_OP_ADD:
			a = wrap((uint64_t)a + (uint64_t)b);
			break;
		case SCRIPT_OP_SUB:
			a = wrap((uint64_t)a - (uint64_t)b);
			break;
		case SCRIPT_OP_MUL:
			a = wrap((uint64_t)a * (uint64_t)b);
			break;
		case SCRIPT_OP_DIV:
		case SCRIPT_OP_MOD:
			if (b == 0)
				return SCRIPT_FAULT_DIV_ZERO;
			if (b == -1)	/* INT64_MIN / -1 overflows */
				a = c->op == SCRIPT_OP_DIV
					    ? wrap(0 - (uint64_t)a)
					    : 0;
			else
				a = c->op == SCRIPT_OP_DIV ? a / b : a % b;
			break;
		case SCRIPT_OP_EQ:
			a = a == b;
			break;
		case SCRIPT_OP_NE:
			a = a != b;
			break;
		case SCRIPT_OP_LT:
			a = a < b;
			break;
		case SCRIPT_OP_LE:
			a = a <= b;
			break;
		case SCRIPT_OP_GT:
			a = a > b;
			break;
		default:
			a = a >= b;
			break;
		}
		st[sp - 1] = a;
	}
	*value = sp ? st[sp - 1] : 0;
	return SCRIPT_FAULT_NONE;
}
