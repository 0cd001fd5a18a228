/*
 * script-int.h - what the files of the script front end share: the
 * compilation context, tokens, the syntax tree, and each stage's entry.
 *
 * The stages run in order on one struct fe: lex_all turns the source into
 * tokens, parse_script builds the tree, checker_run resolves names and
 * types and enforces the rules of the language, lower_program turns each
 * thread body into steps.  The tree and the tokens live in a scratch arena
 * freed when compilation ends; the program lives in its own arena, which
 * becomes script_program.mem.
 *
 * Errors do not unwind stage by stage: fe_fail formats the one-line
 * message and longjmps back to script_parse_buffer, which frees both
 * arenas.  Nothing a stage allocates lives outside them, so the jump
 * leaks nothing, and the stages stay free of error plumbing.
 */
#ifndef LOCKSTEP_SCRIPT_INT_H
#define LOCKSTEP_SCRIPT_INT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "script/script.h"

/* Deepest nesting of expressions and of statements. */
#define FE_MAX_DEPTH 32
/* Longest compiled expression, in codes (jump targets are 16 bits). */
#define FE_MAX_CODE 4096
/* Largest script accepted. */
#define FE_MAX_SOURCE (1u << 20)

/* A bump allocator: everything in it is freed at once. */
struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};

enum tok {
	T_EOF = 0,
	T_NAME,
	T_INT,
	T_STRING,
	T_LBRACE,
	T_RBRACE,
	T_LPAREN,
	T_RPAREN,
	T_LBRACKET,
	T_RBRACKET,
	T_SEMI,
	T_COMMA,
	T_ASSIGN,
	T_ADD_ASSIGN,
	T_SUB_ASSIGN,
	T_MUL_ASSIGN,
	T_DIV_ASSIGN,
	T_MOD_ASSIGN,
	T_INC,
	T_DEC,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
	T_PERCENT,
	T_EQ,
	T_NE,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_AND,
	T_OR,
	T_NOT,
};

/* A stretch of source: first and last character (inclusive), and the
 * bytes, for the code view's texts. */
struct span {
	unsigned line, col, end_line, end_col;
	const char *s, *e;	/* [s, e) */
};

struct token {
	enum tok kind;
	struct span sp;
	int64_t value;		/* T_INT */
	const char *str;	/* T_STRING, decoded, NUL-terminated */
};

/* Built-in operations, called like functions. */
enum builtin {
	B_LOCK = 0,
	B_UNLOCK,
	B_TRYLOCK,
	B_RDLOCK,
	B_WRLOCK,
	B_WAIT,
	B_SIGNAL,
	B_BROADCAST,
	B_POST,
	B_SET,
	B_RESET,
	B_COUNT_DOWN,
	B_PUSH,
	B_POP,
	B_COUNT,
	B_ADD,
	B_TAKE,
	B_ATOMIC_INC,
	B_ATOMIC_DEC,
	B_ATOMIC_ADD,
	B_EXCHANGE,
	B_CAS,
	B_ASSERT,
	B_FAIL,
	B_COUNT_ALL
};

enum ax {
	AX_INT = 0,
	AX_BOOL,
	AX_STRING,
	AX_ID,
	AX_NAME,	/* a variable or an object */
	AX_INDEX,	/* a[b] */
	AX_UNARY,	/* op a */
	AX_BINARY,	/* a op b */
	AX_CALL,	/* builtin(args) */
};

/* What a name resolved to. */
enum sym {
	SYM_NONE = 0,
	SYM_SHARED,
	SYM_LOCAL,
	SYM_OBJECT,
};

#define AST_MAX_ARGS 3

struct ast_expr {
	enum ax kind;
	int op;			/* enum tok of an operator; enum builtin */
	int64_t value;		/* AX_INT, AX_BOOL */
	const char *name;	/* AX_NAME, AX_INDEX, AX_CALL; AX_STRING */
	struct ast_expr *a, *b;	/* operands; AX_INDEX: a[b] with a NULL */
	struct ast_expr *args[AST_MAX_ARGS];
	unsigned nargs;
	unsigned depth;		/* of the tree below, for FE_MAX_DEPTH */
	struct span sp;
	/* Set by the checker. */
	enum script_type type;
	enum sym sym;
	int index;		/* the variable, local or object */
};

enum sx {
	SX_EMPTY = 0,
	SX_BLOCK,
	SX_IF,
	SX_WHILE,
	SX_BREAK,
	SX_CONTINUE,
	SX_RETURN,
	SX_CRITICAL,
	SX_DECL,	/* one declarator: int t = e */
	SX_ASSIGN,	/* lhs op rhs; x++ and x-- with rhs NULL */
	SX_CALL,	/* an operation as a statement */
};

struct ast_stmt {
	enum sx kind;
	/* The statement's span; for if and while "if (c)", for critical
	 * the keyword, for a declarator "t = e". */
	struct span sp;
	struct ast_expr *lhs, *rhs;	/* assign; decl: lhs names it */
	int op;				/* assign: T_ASSIGN..T_DEC */
	enum script_type type;		/* decl */
	struct ast_expr *cond;		/* if, while */
	struct ast_stmt *body, *els;	/* if, while, critical */
	struct ast_stmt **list;		/* block */
	unsigned n;
	struct ast_expr *call;		/* call */
};

struct ast_var {
	const char *name;
	enum script_type type;
	bool array;
	unsigned len;
	int64_t init[SCRIPT_MAX_ARRAY];
	struct span sp;
};

struct ast_obj {
	struct script_object o;
	struct span sp;
};

struct ast_thread {
	const char *name;
	unsigned copies;
	bool array;
	struct ast_stmt *body;
	struct span sp;			/* the name */
	unsigned first_line, last_line;
};

struct ast_script {
	const char *title, *lesson, *solution;
	struct span solution_sp;
	unsigned goals;
	int expect;			/* enum script_expect, -1 unset */
	struct ast_var *vars;
	unsigned nvars, vars_cap;
	struct ast_obj *objs;
	unsigned nobjs, objs_cap;
	struct ast_thread *threads;
	unsigned nthreads, threads_cap;
	struct ast_thread *check;
	struct span end;		/* the end of the file */
};

/* One compilation. */
struct fe {
	const char *file;
	const char *src;
	size_t len;
	struct arena scratch;		/* tokens, tree */
	struct arena *mem;		/* the program's */
	jmp_buf fail;
	int err;
	char *msg;
	size_t msglen;
	struct token *toks;
	unsigned ntoks;
	unsigned pos;			/* parser: the current token */
	unsigned depth;			/* parser: statement nesting */
	struct ast_script ast;
	struct script_program *prog;
	/* The program's tables, writable while they are built. */
	struct script_object *objs;
	struct script_body *bodies;
};

/* fe.c */
/* n zeroed bytes from a, aligned for anything; NULL when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* Free everything allocated from a; a is empty again. */
void arena_free(struct arena *a);
/* arena_alloc, failing the compilation (-ENOMEM) when out of memory. */
void *fe_alloc(struct fe *fe, struct arena *a, size_t n);
/* s[0..n) as a NUL-terminated string in a. */
char *fe_strndup(struct fe *fe, struct arena *a, const char *s, size_t n);
/* Make room for want elements of size at *v holding have of cap. */
void fe_reserve(struct fe *fe, void **v, unsigned *cap, unsigned want,
		size_t size);
#if defined(__GNUC__)
#define FE_NORETURN __attribute__((noreturn))
#define FE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FE_NORETURN
#define FE_PRINTF(a, b)
#endif
/* Fail the compilation at the start of sp with a formatted message. */
void fe_fail(struct fe *fe, const struct span *sp, const char *fmt, ...)
	FE_NORETURN FE_PRINTF(3, 4);
void fe_fail_oom(struct fe *fe) FE_NORETURN;
/* How tok reads in "found ...": 'x', the end of the file, a string. */
const char *fe_found(const struct token *tok, char *buf, size_t n);
/* The source of sp, blanks squeezed, cut to fit n (with "..."). */
const char *fe_text(const struct span *sp, char *buf, size_t n);

/* lex.c: the whole source into fe->toks, ending in T_EOF. */
void lex_all(struct fe *fe);
/* The spelling of a punctuation token ("+=") */
const char *lex_spelling(enum tok kind);

/* parse.c: the token helpers and the top level. */
void parse_script(struct fe *fe);
const struct token *parse_peek(struct fe *fe, unsigned ahead);
const struct token *parse_next(struct fe *fe);
bool parse_is(struct fe *fe, enum tok kind);
/* Is the current token the word w?  parse_word also consumes it. */
bool parse_at(struct fe *fe, const char *w);
bool parse_word(struct fe *fe, const char *w);
/* Fail at the current token: "expected what, found <it>". */
void parse_fail_found(struct fe *fe, const char *what) FE_NORETURN;
const struct token *parse_expect(struct fe *fe, enum tok kind,
				 const char *what);
/* A name that is not a keyword, copied to scratch. */
const char *parse_name(struct fe *fe, const char *what, struct span *sp);
bool parse_reserved(const char *s, size_t n);
/* The span from a's start to b's end. */
struct span parse_join(const struct span *a, const struct span *b);

/* parse-stmt.c: thread bodies. */
struct ast_stmt *parse_stmt_block(struct fe *fe);
struct ast_expr *parse_stmt_expr(struct fe *fe);
const char *parse_stmt_builtin_name(enum builtin b);

/* The checker's state while it walks one body (checker*.c). */
struct scope_entry {
	const char *name;
	int local;
};

struct checker {
	struct fe *fe;
	struct script_var *vars;
	unsigned nvars;
	struct script_object *objs;
	unsigned nobjs;
	/* The body being checked. */
	struct script_local *locals;
	unsigned nlocals, locals_cap;
	struct scope_entry *scope;
	unsigned nscope, scope_cap;
	unsigned loops;
	bool in_check;
	/* The statement being checked: its one operation, if any. */
	const struct ast_expr *op;
};

/* checker.c: names, tables, bodies. */
void checker_run(struct fe *fe);
/* What name means here: a local, a shared variable, an object. */
enum sym checker_lookup(const struct checker *ck, const char *name,
			int *index);

/* Where an expression stands, for the rules on operations in it. */
enum {
	CK_WHOLE_RHS = 1u << 0,	/* the whole right side: pop, take go */
	CK_COND = 1u << 1,	/* in a condition */
	CK_GUARDED = 1u << 2,	/* right of && or ||: may not run */
};

/* checker-expr.c: the type of e, checking it where it stands. */
enum script_type checker_expr(struct checker *ck, struct ast_expr *e,
			      unsigned where);
/* e must be of type want (what it is, for the message). */
void checker_want(struct checker *ck, struct ast_expr *e,
		  enum script_type want, unsigned where, const char *what);
/* A call used as a statement. */
void checker_call_stmt(struct checker *ck, struct ast_expr *call);
/* A variable that can be assigned: its type. */
enum script_type checker_lvalue(struct checker *ck, struct ast_expr *e);

/* lower.c: each checked body into steps. */
void lower_program(struct fe *fe);

/* What lower.c and lower-expr.c share while lowering one statement. */
struct lower_read {
	const struct ast_expr *e;	/* a shared read or a count() */
	unsigned temp;
};

struct lower_ir;
struct lower_loop;

struct lower {
	struct fe *fe;
	/* The body: its steps and jumps in source order. */
	struct lower_ir *ir;
	unsigned nir, ir_cap;
	unsigned critical;
	unsigned ntemps;
	struct lower_loop *loop;
	/* The statement: values it reads into temps, its operation and
	 * the temp of the operation's result. */
	struct lower_read reads[SCRIPT_MAX_TEMPS];
	unsigned nreads;
	const struct ast_expr *op;
	unsigned op_temp;
	const struct ast_stmt *stmt;
	/* Code being compiled. */
	struct script_code *code;
	unsigned ncode, code_cap;
};

/* How shared reads compile: from the shared slots, or from the temps
 * a load step filled (the second half of a split statement). */
enum lower_mode {
	LOWER_DIRECT = 0,
	LOWER_TEMPS,
};

/* lower-expr.c */
const struct ast_expr *lower_expr_find_op(const struct ast_expr *e);
/* Add e's reads to lw->reads (count() always, shared values when
 * shared), outside the statement's operation, each once. */
void lower_expr_reads(struct lower *lw, const struct ast_expr *e,
		      bool shared);
/* e compiled for step st, whose read masks it adds to. */
struct script_expr lower_expr_compile(struct lower *lw,
				      struct script_step *st,
				      const struct ast_expr *e,
				      enum lower_mode mode);
/* The load of the shared read e: the value, its index from temps. */
struct script_expr lower_expr_load(struct lower *lw, struct script_step *st,
				   const struct ast_expr *e);
/* The variable e as a reference for step st (write: a write mask). */
void lower_expr_ref(struct lower *lw, struct script_step *st,
		    const struct ast_expr *e, enum lower_mode mode,
		    struct script_ref *ref, bool write);

#endif
