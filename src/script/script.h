/*
 * script.h - the front end of scene scripts (.lss): a script's text in, a
 * compiled program out.
 *
 * A script declares shared variables, synchronisation objects and threads
 * in a small C-like language (assets/scripts/README.md is its reference).
 * The front end lexes, parses and checks it, then lowers every thread body
 * to a flat array of steps: one step per gate the runtime will pass, with
 * the operation, the object or variable it touches, compiled expressions,
 * where control goes next, its source span and a short text for the code
 * view.  What the runtime, the explorer and the code view need is here and
 * nothing else: the program is plain const data, allocated in one block
 * that script_free releases, and safe to read from any number of threads
 * once parsing has returned.
 *
 * Expressions are compiled to a small stack bytecode that eval_expr (a
 * pure function) evaluates against the shared slots, a thread's locals and
 * temporaries, and its copy index.  oracle.h runs whole programs step by
 * step, single-threaded, as the reference the real-threads runtime must
 * agree with.
 */
#ifndef LOCKSTEP_SCRIPT_H
#define LOCKSTEP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Limits, checked by the front end with a message naming them.  The masks
 * of struct script_step are 64 bits wide, hence the slot and object
 * limits; a thread name must fit a ring producer name (LS_NAME_MAX).
 */
#define SCRIPT_MAX_THREADS 16	/* after expanding thread copies */
#define SCRIPT_MAX_ARRAY 16	/* elements of a shared array */
#define SCRIPT_MAX_SLOTS 64	/* shared slots, arrays included */
#define SCRIPT_MAX_OBJECTS 32	/* synchronisation objects */
#define SCRIPT_MAX_LOCALS 32	/* locals of one thread body */
#define SCRIPT_MAX_TEMPS 16	/* temporaries one statement needs */
#define SCRIPT_MAX_STEPS 2048	/* steps of one thread body */
#define SCRIPT_MAX_ITEMS 16	/* queue capacity, unsafe list length */
#define SCRIPT_MAX_COUNT 1000	/* semaphore, latch and barrier counts */
#define SCRIPT_NAME_MAX 31	/* a name, thread copies' numbers included */
#define SCRIPT_TEXT_MAX 47	/* a step's text (LS_GATE_DESC_MAX) */
#define SCRIPT_MAX_STACK 40	/* eval stack an expression may need */

/* The outcomes a script asks the player to reach (a bit mask). */
enum script_goal {
	SCRIPT_GOAL_ASSERT = 1u << 0,	/* a failed assert or fail */
	SCRIPT_GOAL_DEADLOCK = 1u << 1,	/* every live thread blocked */
	SCRIPT_GOAL_CRITICAL = 1u << 2,	/* two threads in critical blocks */
	SCRIPT_GOAL_ERROR = 1u << 3,	/* a runtime error (script_fault) */
};

/* What the author claims: the goal can be reached, or never. */
enum script_expect {
	SCRIPT_BREAKABLE = 0,
	SCRIPT_SAFE,
};

enum script_type {
	SCRIPT_INT = 0,		/* 64-bit signed, arithmetic wraps */
	SCRIPT_BOOL,		/* 0 or 1 */
};

enum script_obj_kind {
	SCRIPT_MUTEX = 0,
	SCRIPT_RWLOCK,
	SCRIPT_SEMAPHORE,
	SCRIPT_CONDITION,
	SCRIPT_BARRIER,
	SCRIPT_EVENT,
	SCRIPT_LATCH,
	SCRIPT_QUEUE,
	SCRIPT_LIST,		/* the deliberately unsafe collection */
	SCRIPT_OBJ_KIND_COUNT
};

/* In the order of enum ls_rwlock_policy, so a cast converts. */
enum script_rw_policy {
	SCRIPT_RW_WRITER = 0,
	SCRIPT_RW_READER,
	SCRIPT_RW_FAIR,
};

/*
 * Runtime errors: what a step can run into.  eval_expr returns the first
 * two; the others are judged by whoever runs the step (the runtime, the
 * oracle) and are listed here so that both name them the same way.
 */
enum script_fault {
	SCRIPT_FAULT_NONE = 0,
	SCRIPT_FAULT_DIV_ZERO,	/* x / 0 or x % 0 */
	SCRIPT_FAULT_INDEX,	/* an array index out of range */
	SCRIPT_FAULT_NOT_OWNER,	/* unlock of a lock the thread does not hold */
	SCRIPT_FAULT_RELOCK,	/* lock of a non-recursive lock it holds */
	SCRIPT_FAULT_NOT_HELD,	/* wait(cv, m) without holding m */
	SCRIPT_FAULT_OVERLAP,	/* the unsafe list used by two at once */
	SCRIPT_FAULT_EMPTY,	/* take from an empty unsafe list */
	SCRIPT_FAULT_FULL,	/* add to an unsafe list of SCRIPT_MAX_ITEMS */
	SCRIPT_FAULT_LATCH,	/* count_down of a latch already at zero */
	SCRIPT_FAULT_COUNT
};

/* A shared variable: a scalar, or an array of consecutive slots. */
struct script_var {
	const char *name;
	enum script_type type;
	unsigned slot;		/* its first shared slot */
	unsigned len;		/* slots: 1 for a scalar */
	bool array;
	unsigned line, col;	/* where it is declared */
};

/* A synchronisation object, with what its declaration said. */
struct script_object {
	const char *name;
	enum script_obj_kind kind;
	unsigned line, col;
	/* Semaphore: initial count; barrier: parties; latch: count; queue:
	 * capacity.  0 for the other kinds. */
	int64_t init;
	bool recursive;			/* mutex */
	enum script_rw_policy policy;	/* rwlock */
	bool auto_reset;		/* event: auto (true) or manual */
	bool initially_set;		/* event */
	/* Condition: the mutexes it is waited with anywhere in the script
	 * (bit i: object i), for the explorer's independence. */
	uint64_t mutexes;
};

/* A local variable of a thread body (each declaration its own slot). */
struct script_local {
	const char *name;
	enum script_type type;
	unsigned line, col;
};

/* Bytecode of compiled expressions (struct script_code.op). */
enum script_opcode {
	SCRIPT_OP_CONST = 0,	/* push value */
	SCRIPT_OP_SHARED,	/* push shared[arg] */
	SCRIPT_OP_SHARED_AT,	/* pop i; push shared[arg + i], 0 <= i < len */
	SCRIPT_OP_LOCAL,	/* push locals[arg] */
	SCRIPT_OP_TEMP,		/* push temps[arg] */
	SCRIPT_OP_ID,		/* push the thread's copy index */
	SCRIPT_OP_NEG,
	SCRIPT_OP_NOT,
	SCRIPT_OP_ADD,
	SCRIPT_OP_SUB,
	SCRIPT_OP_MUL,
	SCRIPT_OP_DIV,
	SCRIPT_OP_MOD,
	SCRIPT_OP_EQ,
	SCRIPT_OP_NE,
	SCRIPT_OP_LT,
	SCRIPT_OP_LE,
	SCRIPT_OP_GT,
	SCRIPT_OP_GE,
	SCRIPT_OP_AND,		/* top false: keep it, jump to arg; else pop */
	SCRIPT_OP_OR,		/* top true: keep it, jump to arg; else pop */
	SCRIPT_OP_COUNT
};

struct script_code {
	uint8_t op;		/* enum script_opcode */
	uint8_t len;		/* SHARED_AT: the array's length */
	uint16_t arg;		/* slot, local, temp, or jump target */
	int64_t value;		/* CONST */
};

/* A compiled expression; n == 0 means "none". */
struct script_expr {
	const struct script_code *code;
	unsigned n;
};

/* Where a value is read from or written to. */
enum script_where {
	SCRIPT_NOWHERE = 0,	/* discarded (an op's unused result) */
	SCRIPT_SHARED,
	SCRIPT_LOCAL,
	SCRIPT_TEMP,
};

struct script_ref {
	enum script_where where;
	unsigned slot;		/* shared: the variable's first slot;
				 * local, temp: its index */
	unsigned len;		/* shared: the variable's length */
	int var;		/* shared: index in vars, else -1 */
	/* Shared array element: the index, else none.  It reads locals and
	 * temps only, except in a one-step atomic operation, where it may
	 * read shared slots too. */
	struct script_expr index;
};

/* What a step does: its operation, or for an op-less step its role. */
enum script_kind {
	SCRIPT_STEP_ASSIGN = 0,	/* a one-step assignment or initialiser */
	SCRIPT_STEP_LOAD,	/* split statement, first half: the loads */
	SCRIPT_STEP_STORE,	/* split statement, second half: the write */
	SCRIPT_STEP_COND,	/* the condition of an if or a while */
	SCRIPT_STEP_ASSERT,
	SCRIPT_STEP_FAIL,
	SCRIPT_STEP_RETURN,
	SCRIPT_STEP_CRITICAL,	/* entering a critical block */
	SCRIPT_STEP_LOCK,
	SCRIPT_STEP_UNLOCK,	/* of a mutex */
	SCRIPT_STEP_TRYLOCK,
	SCRIPT_STEP_RDLOCK,
	SCRIPT_STEP_WRLOCK,
	SCRIPT_STEP_RWUNLOCK,	/* unlock(rw) of either hold */
	SCRIPT_STEP_WAIT,	/* wait(cv, m) */
	SCRIPT_STEP_SIGNAL,
	SCRIPT_STEP_BROADCAST,
	SCRIPT_STEP_SEM_WAIT,
	SCRIPT_STEP_SEM_POST,
	SCRIPT_STEP_BARRIER_WAIT,
	SCRIPT_STEP_EVENT_SET,
	SCRIPT_STEP_EVENT_RESET,
	SCRIPT_STEP_EVENT_WAIT,
	SCRIPT_STEP_LATCH_COUNT_DOWN,
	SCRIPT_STEP_LATCH_WAIT,
	SCRIPT_STEP_PUSH,
	SCRIPT_STEP_POP,
	SCRIPT_STEP_ADD_BEGIN,	/* unsafe list: mark it in use */
	SCRIPT_STEP_ADD_END,	/* append arg[0], clear the mark */
	SCRIPT_STEP_TAKE_BEGIN,
	SCRIPT_STEP_TAKE_END,	/* remove the oldest item into result */
	SCRIPT_STEP_ATOMIC_ADD,	/* atomic_inc, atomic_dec, atomic_add */
	SCRIPT_STEP_EXCHANGE,
	SCRIPT_STEP_CAS,
	SCRIPT_STEP_KIND_COUNT
};

/* What a step does after its operation, within the same step. */
enum script_then {
	SCRIPT_THEN_NONE = 0,
	SCRIPT_THEN_ASSIGN,	/* dest = value */
	SCRIPT_THEN_BRANCH,	/* value true: next; false: jump */
	SCRIPT_THEN_ASSERT,	/* value false: the assert fails, with msg */
};

/* One value a step reads into a temp before anything else it does. */
struct script_load {
	/* >= 0: temps[temp] = the number of items in object obj (count());
	 * -1: temps[temp] = value, a shared read (the first half of a split
	 * statement), which may use temps loaded before it. */
	int obj;
	struct script_expr value;
	unsigned temp;
	const char *text;		/* "balance", "a[i]", "count(q)" */
};

/*
 * One step.  Its parts run in this order, all in the one step: the loads;
 * the operation (kind) on obj with its arguments, which may block; its
 * result to result; then the "then" part.  A step whose operation blocks
 * completes (result, then) when the object lets the thread through; of
 * those only pop has a result, and no blocking step has a then part.
 */
struct script_step {
	enum script_kind kind;
	enum script_then then;
	int obj;		/* the object operated on, or -1 */
	int obj2;		/* wait(cv, m): the mutex, else -1 */
	/* Atomic operations: the shared variable changed. */
	struct script_ref target;
	/* Operands: push and add: the value; atomic_add: the amount;
	 * exchange: the new value; cas: expected, new.  They may read
	 * shared slots: an operation is one step. */
	struct script_expr arg[2];
	/* Where the operation's result goes: trylock and cas (true or
	 * false), exchange (the old value), pop and take (the item). */
	struct script_ref result;
	const struct script_load *loads;
	unsigned nloads;
	struct script_ref dest;		/* then ASSIGN */
	struct script_expr value;	/* then ASSIGN, BRANCH, ASSERT */
	const char *msg;	/* then ASSERT, and FAIL: why (never NULL) */
	unsigned next;		/* the next step; nsteps: the thread ends */
	unsigned jump;		/* BRANCH: the next step when false; else
				 * next */
	/* Temps hold values for the next step (this is the first half of
	 * a split statement); otherwise they are dead after this step. */
	bool first_half;
	unsigned critical;	/* critical blocks around this step */
	unsigned line, col;	/* source span, 1-based, columns count */
	unsigned end_line, end_col;	/* characters; end inclusive */
	const char *text;	/* for the code view, <= SCRIPT_TEXT_MAX */
	/* For the explorer's independence: shared slots (bit = slot) and
	 * objects (bit = index) the step may read and change. */
	uint64_t reads, writes;
	uint64_t obj_reads, obj_writes;
};

/* A thread body, run by one thread or by each of its copies. */
struct script_body {
	const char *name;	/* "alice", "worker", "check" */
	unsigned copies;	/* thread worker[3]: 3; else 1 */
	const struct script_step *steps;
	unsigned nsteps;
	const struct script_local *locals;
	unsigned nlocals;
	unsigned ntemps;
	/* The body's source lines, from its "thread" line to its closing
	 * brace: lines first_line..last_line of the program. */
	unsigned first_line, last_line;
};

/* A thread as it runs: copies of one body are threads of their own. */
struct script_thread {
	const char *name;	/* "alice", "worker0" */
	unsigned body;		/* index in bodies */
	int64_t id;		/* the copy's index, 0 for a single thread */
};

struct script_program {
	const char *file;	/* the name it was parsed under */
	const char *title;
	const char *lesson;	/* paragraphs separated by blank lines */
	unsigned goals;		/* enum script_goal bits */
	enum script_expect expect;
	/* The author's schedule that reaches the goal (thread indexes), or
	 * nsolution == 0 when the script gives none. */
	const unsigned *solution;
	unsigned nsolution;
	const struct script_var *vars;
	unsigned nvars;
	const int64_t *shared_init;	/* nslots initial values */
	unsigned nslots;
	const struct script_object *objs;
	unsigned nobjs;
	const struct script_body *bodies;
	unsigned nbodies;
	const struct script_thread *threads;
	unsigned nthreads;
	/* The check block (run once every thread has returned; it has no
	 * loops and no operations), or NULL. */
	const struct script_body *check;
	/* The source, one line per entry without its newline; line n is
	 * lines[n - 1]. */
	const char *const *lines;
	unsigned nlines;
	void *mem;		/* private: the allocation behind it all */
};

/*
 * Compile the script src[0..len) (not necessarily NUL-terminated), named
 * name in messages.  On success returns 0 and the program in *out, which
 * the caller frees with script_free.  On a parse or check error returns
 * -EINVAL, leaves *out alone and writes one line to err (errlen bytes, may
 * be 0): "NAME:LINE:COLUMN: what was expected, what was found", the
 * position being the offending token's (columns count characters, a tab
 * being one).  Returns -ENOMEM when memory runs out (err says so).  Pure:
 * any thread, no global state.
 */
int script_parse_buffer(const char *name, const char *src, size_t len,
			struct script_program **out, char *err,
			size_t errlen);

/*
 * script_parse_buffer on the contents of the file at path, named path in
 * messages.  A file that cannot be read gives its negative errno and
 * "PATH: reason" in err.
 */
int script_parse_file(const char *path, struct script_program **out,
		      char *err, size_t errlen);

/* Free a program and everything it points to.  NULL is ignored. */
void script_free(struct script_program *p);

/* The thread named name, or -1. */
int script_thread_find(const struct script_program *p, const char *name);

/* The body of thread t (t < p->nthreads). */
const struct script_body *script_thread_body(const struct script_program *p,
					     unsigned t);

/* "mutex", "rwlock", ... for a kind; "?" if out of range. */
const char *script_obj_kind_name(enum script_obj_kind kind);

/* "lock", "load", "cond", ... for a step kind; "?" if out of range. */
const char *script_kind_name(enum script_kind kind);

/* A fault's reason as a short phrase ("division by zero"). */
const char *script_fault_text(enum script_fault fault);

/* "assert", "deadlock", "critical" or "error" for one goal bit; "?". */
const char *script_goal_name(unsigned goal);

/*
 * Evaluate e for a thread whose locals, temps and copy index are given,
 * against the shared slots: pure, no side effects, any thread.  Returns
 * SCRIPT_FAULT_NONE and the value in *value, or SCRIPT_FAULT_DIV_ZERO, or
 * SCRIPT_FAULT_INDEX with the offending index in *value.  Arithmetic
 * wraps (two's complement); INT64_MIN / -1 is INT64_MIN and INT64_MIN % -1
 * is 0.  An empty expression is 0.
 */
enum script_fault eval_expr(const struct script_expr *e,
			    const int64_t *shared, const int64_t *locals,
			    const int64_t *temps, int64_t id, int64_t *value);

#endif
