/*
 * lex.c - the script's characters into tokens.
 *
 * The whole source is lexed up front into one array, so the parser can
 * look ahead as far as it likes.  Lines and columns are 1-based; a column
 * counts characters (UTF-8 sequences count once, a tab once), as most
 * editors' "go to column" does.  Comments are C's two kinds.  Strings are
 * "..." on one line, with \" \\ \n \t, or """...""" over several lines,
 * taken as they are written except that the first and last line breaks
 * and the indentation common to every non-blank line are removed, so a
 * lesson can be indented with the script.  Names that are keywords are
 * still T_NAME: the parser knows where a word is a keyword.
 */
#include "config.h"

#include "script/script-int.h"

#include <stdio.h>
#include <string.h>

#include "util/num.h"

struct lexer {
	struct fe *fe;
	const char *p, *end;
	unsigned line, col;
	unsigned cap;
};

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Step over one byte, keeping line and column. */
static void
advance(struct lexer *lx)
{
	unsigned char c = (unsigned char)*lx->p++;

	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		lx->col++;
	} else if (lx->col == 1) {
		/* A stray continuation byte at a line's start: a column. */
		lx->col++;
	}
}

static struct span
here(const struct lexer *lx)
{
	struct span sp = {
		.line = lx->line,
		.col = lx->col,
		.end_line = lx->line,
		.end_col = lx->col,
		.s = lx->p,
		.e = lx->p,
	};

	return sp;
}

/* The span from start to the character before the current one. */
static void
close_span(const struct lexer *lx, struct span *sp, unsigned line,
	   unsigned col)
{
	sp->e = lx->p;
	sp->end_line = line;
	sp->end_col = col;
}

static void
fail_char(struct lexer *lx, const char *expected)
{
	struct span sp = here(lx);
	char buf[40];
	unsigned char c;

	if (lx->p >= lx->end)
		fe_fail(lx->fe, &sp, "expected %s, found the end of the file",
			expected);
	c = (unsigned char)*lx->p;
	if (c == '\n')
		fe_fail(lx->fe, &sp, "expected %s, found the end of the line",
			expected);
	if (c >= 0x80)
		snprintf(buf, sizeof(buf), "a non-ASCII character");
	else if (c < 0x20 || c == 0x7f)
		snprintf(buf, sizeof(buf), "the control character 0x%02x", c);
	else
		snprintf(buf, sizeof(buf), "'%c'", c);
	fe_fail(lx->fe, &sp, "expected %s, found %s", expected, buf);
}

static void
skip_blanks(struct lexer *lx)
{
	for (;;) {
		if (lx->p >= lx->end)
			return;
		if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n' ||
		    *lx->p == '\r') {
			advance(lx);
		} else if (*lx->p == '/' && lx->p + 1 < lx->end &&
			   lx->p[1] == '/') {
			while (lx->p < lx->end && *lx->p != '\n')
				advance(lx);
		} else if (*lx->p == '/' && lx->p + 1 < lx->end &&
			   lx->p[1] == '*') {
			struct span open = here(lx);

			advance(lx);
			advance(lx);
			while (lx->p < lx->end &&
			       !(*lx->p == '*' && lx->p + 1 < lx->end &&
				 lx->p[1] == '/'))
				advance(lx);
			if (lx->p >= lx->end)
				fe_fail(lx->fe, &open,
					"expected '*/' to close this comment, "
					"found the end of the file");
			advance(lx);
			advance(lx);
		} else {
			return;
		}
	}
}

static void
lex_number(struct lexer *lx, struct token *t)
{
	const char *start = lx->p;
	unsigned line = lx->line, col = lx->col;
	char digits[32];
	long long v = 0;
	size_t n;

	while (lx->p < lx->end && is_digit(*lx->p)) {
		line = lx->line;
		col = lx->col;
		advance(lx);
	}
	close_span(lx, &t->sp, line, col);
	/* The digits through the one number parser (util/num.h). */
	n = (size_t)(lx->p - start);
	if (n < sizeof(digits)) {
		memcpy(digits, start, n);
		digits[n] = '\0';
	}
	if (n >= sizeof(digits) ||
	    num_parse_int(digits, 0, INT64_MAX, &v))
		fe_fail(lx->fe, &t->sp,
			"expected a number up to %lld, found a larger one",
			(long long)INT64_MAX);
	if (lx->p < lx->end && is_alpha(*lx->p))
		fail_char(lx, "an operator or a space after a number");
	t->kind = T_INT;
	t->value = v;
}

/* Remove the indentation common to every non-blank line of s (in
 * place), as Python's textwrap.dedent does. */
static void
dedent(char *s)
{
	size_t common = (size_t)-1, n, i;
	const char *first = NULL, *line;
	char *w;

	for (line = s; *line; line += n + (line[n] == '\n')) {
		n = strcspn(line, "\n");
		for (i = 0; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
			;
		if (i == n)
			continue;
		if (!first) {
			first = line;
			common = i;
			continue;
		}
		if (i < common)
			common = i;
		for (i = 0; i < common && line[i] == first[i]; i++)
			;
		common = i;
	}
	if (common == (size_t)-1 || common == 0)
		return;
	for (w = s, line = s; *line; line += n + (line[n] == '\n')) {
		n = strcspn(line, "\n");
		i = n < common ? n : common;
		memmove(w, line + i, n - i);
		w += n - i;
		if (line[n] == '\n')
			*w++ = '\n';
	}
	*w = '\0';
}

static void
lex_long_string(struct lexer *lx, struct token *t)
{
	const char *body;
	unsigned line = lx->line, col = lx->col;
	size_t n;
	char *s;

	advance(lx);
	advance(lx);
	advance(lx);
	body = lx->p;
	while (lx->p < lx->end && !(lx->end - lx->p >= 3 &&
				    !memcmp(lx->p, "\"\"\"", 3)))
		advance(lx);
	if (lx->p >= lx->end)
		fe_fail(lx->fe, &t->sp,
			"expected '\"\"\"' to close this string, found the "
			"end of the file");
	n = (size_t)(lx->p - body);
	advance(lx);
	advance(lx);
	line = lx->line;
	col = lx->col;
	advance(lx);
	close_span(lx, &t->sp, line, col);
	/* Drop the line break after the opening quotes and the blanks and
	 * line break before the closing ones. */
	if (n && body[0] == '\r')
		body++, n--;
	if (n && body[0] == '\n')
		body++, n--;
	while (n && (body[n - 1] == ' ' || body[n - 1] == '\t' ||
		     body[n - 1] == '\n' || body[n - 1] == '\r'))
		n--;
	s = fe_strndup(lx->fe, &lx->fe->scratch, body, n);
	dedent(s);
	t->kind = T_STRING;
	t->str = s;
}

static void
lex_string(struct lexer *lx, struct token *t)
{
	const char *q;
	size_t n = 0;
	unsigned line, col;
	char *s;

	if (lx->end - lx->p >= 3 && !memcmp(lx->p, "\"\"\"", 3)) {
		lex_long_string(lx, t);
		return;
	}
	/* The decoded string is no longer than the rest of the line. */
	for (q = lx->p + 1; q < lx->end && *q != '\n' && *q != '"'; q++)
		q += *q == '\\' && q + 1 < lx->end && q[1] != '\n';
	s = fe_alloc(lx->fe, &lx->fe->scratch, (size_t)(q - lx->p) + 1);
	advance(lx);
	for (;;) {
		if (lx->p >= lx->end || *lx->p == '\n')
			fail_char(lx, "'\"' to end the string");
		if (*lx->p == '"')
			break;
		if (*lx->p == '\\') {
			advance(lx);
			switch (lx->p < lx->end ? *lx->p : '\0') {
			case 'n':
				s[n++] = '\n';
				break;
			case 't':
				s[n++] = '\t';
				break;
			case '"':
			case '\\':
				s[n++] = *lx->p;
				break;
			default:
				fail_char(lx, "n, t, \" or \\ after '\\'");
			}
			advance(lx);
			continue;
		}
		s[n++] = *lx->p;
		advance(lx);
	}
	line = lx->line;
	col = lx->col;
	advance(lx);
	close_span(lx, &t->sp, line, col);
	s[n] = '\0';
	t->kind = T_STRING;
	t->str = s;
}

/* Punctuation, longest first so "+=" wins over "+". */
static const struct {
	const char *s;
	enum tok kind;
} puncts[] = {
	{ "+=", T_ADD_ASSIGN }, { "-=", T_SUB_ASSIGN },
	{ "*=", T_MUL_ASSIGN }, { "/=", T_DIV_ASSIGN },
	{ "%=", T_MOD_ASSIGN }, { "++", T_INC },
	{ "--", T_DEC },	{ "==", T_EQ },
	{ "!=", T_NE },		{ "<=", T_LE },
	{ ">=", T_GE },		{ "&&", T_AND },
	{ "||", T_OR },		{ "{", T_LBRACE },
	{ "}", T_RBRACE },	{ "(", T_LPAREN },
	{ ")", T_RPAREN },	{ "[", T_LBRACKET },
	{ "]", T_RBRACKET },	{ ";", T_SEMI },
	{ ",", T_COMMA },	{ "=", T_ASSIGN },
	{ "+", T_PLUS },	{ "-", T_MINUS },
	{ "*", T_STAR },	{ "/", T_SLASH },
	{ "%", T_PERCENT },	{ "<", T_LT },
	{ ">", T_GT },		{ "!", T_NOT },
};

const char *
lex_spelling(enum tok kind)
{
	size_t i;

	for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++)
		if (puncts[i].kind == kind)
			return puncts[i].s;
	return "?";
}

static void
lex_punct(struct lexer *lx, struct token *t)
{
	size_t i, n;
	unsigned line, col;

	for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		n = strlen(puncts[i].s);
		if ((size_t)(lx->end - lx->p) >= n &&
		    !memcmp(lx->p, puncts[i].s, n))
			break;
	}
	if (i == sizeof(puncts) / sizeof(puncts[0]))
		fail_char(lx, "a name, a number, a string or an operator");
	t->kind = puncts[i].kind;
	line = lx->line;
	col = lx->col;
	while (n--) {
		line = lx->line;
		col = lx->col;
		advance(lx);
	}
	close_span(lx, &t->sp, line, col);
}

static void
lex_one(struct lexer *lx, struct token *t)
{
	unsigned line, col;

	memset(t, 0, sizeof(*t));
	t->sp = here(lx);
	if (lx->p >= lx->end) {
		t->kind = T_EOF;
		return;
	}
	if (is_alpha(*lx->p)) {
		do {
			line = lx->line;
			col = lx->col;
			advance(lx);
		} while (lx->p < lx->end &&
			 (is_alpha(*lx->p) || is_digit(*lx->p)));
		close_span(lx, &t->sp, line, col);
		t->kind = T_NAME;
	} else if (is_digit(*lx->p)) {
		lex_number(lx, t);
	} else if (*lx->p == '"') {
		lex_string(lx, t);
	} else {
		lex_punct(lx, t);
	}
}

void
lex_all(struct fe *fe)
{
	struct lexer lx = {
		.fe = fe,
		.p = fe->src,
		.end = fe->src + fe->len,
		.line = 1,
		.col = 1,
	};
	struct token *t;

	fe->ntoks = 0;
	do {
		skip_blanks(&lx);
		fe_reserve(fe, (void **)&fe->toks, &lx.cap, fe->ntoks + 1,
			   sizeof(*fe->toks));
		t = &fe->toks[fe->ntoks++];
		lex_one(&lx, t);
	} while (t->kind != T_EOF);
}
