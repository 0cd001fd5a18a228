/*
 * fuzz_script.c - libFuzzer target for the script front end (lexer,
 * parser, checker, lowering) and the reference interpreter after it.
 *
 * Any bytes go in.  A refused script must come back as one line naming a
 * position, and nothing else.  An accepted one must be well formed (every
 * jump inside its body, every text short enough for a gate), and is then
 * run on the oracle for a bounded number of steps, the input's own bytes
 * choosing the schedule, so that the evaluator and the objects' semantics
 * meet the odd programs the front end lets through.  Sanitizers and
 * libFuzzer's leak check do the judging.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "script/oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RUN_STEPS 4096

static void
check_program(const struct script_program *p)
{
	unsigned b, s, nb = p->nbodies + (p->check != NULL);

	for (b = 0; b < nb; b++) {
		const struct script_body *body =
			b < p->nbodies ? &p->bodies[b] : p->check;

		for (s = 0; s < body->nsteps; s++) {
			const struct script_step *st = &body->steps[s];

			if (st->next > body->nsteps ||
			    st->jump > body->nsteps ||
			    strlen(st->text) > SCRIPT_TEXT_MAX ||
			    st->line < body->first_line ||
			    st->end_line > body->last_line)
				abort();
		}
		if (body->last_line > p->nlines)
			abort();
	}
}

/* Run p, each step's thread picked by the next input byte among the
 * threads that can move. */
static void
run(const struct script_program *p, const uint8_t *data, size_t size)
{
	static struct oracle o;	/* large: not on the stack */
	static unsigned char buf[1 << 16];
	unsigned i, t, ready[SCRIPT_MAX_THREADS], n;

	oracle_init(&o, p);
	for (i = 0; i < RUN_STEPS && !o.out.end; i++) {
		for (n = 0, t = 0; t < p->nthreads; t++)
			if (oracle_can_step(&o, t))
				ready[n++] = t;
		/* Running, so somebody can move: else it is a deadlock. */
		if (!n)
			abort();
		t = ready[(size ? data[i % size] : i) % n];
		if (oracle_step(&o, t))
			abort();
	}
	if (oracle_pack(&o, buf, sizeof(buf)) > sizeof(buf))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script_program *p = NULL;
	char err[256];
	int rc;

	rc = script_parse_buffer("fuzz.lss", (const char *)data, size, &p, err,
				 sizeof(err));
	if (rc) {
		if (rc != -EINVAL || strchr(err, '\n') ||
		    strncmp(err, "fuzz.lss:", 9))
			abort();
		return 0;
	}
	check_program(p);
	run(p, data, size);
	script_free(p);
	return 0;
}
