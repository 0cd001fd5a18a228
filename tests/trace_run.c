/*
 * trace_run.c - a real headless run, recorded and exported, for the
 * trace checker (tests/trace_check.sh): start a scene on a ring, drain
 * the ring into a recording with the names as the ring learns them, stop
 * when enough has happened, then export the recording to Chrome trace
 * JSON.  Usage: trace_run SCENE OUT.lsrec OUT.json [KEY=VALUE]...
 *
 * "Enough" is counted in events, not time: the run ends when the scene
 * reported its outcome, a model of the run finds a deadlock, or the ring
 * gave TRACE_RUN_EVENTS events (500 by default); the run is capped at a
 * minute only so that a broken scene cannot hang the suite.  The scene's
 * invariant is judged as the headless runner does (paused, settled), and
 * a broken one goes into the recording as its "broken" meta record.
 * trace_run --export IN.lsrec OUT.json exports a recording alone.
 */
#include "testutil.h"

#include <limits.h>

#include "cli/export.h"
#include "control/control.h"
#include "model/model.h"
#include "scenes/scene.h"
#include "trace/record.h"

/* Names the ring learned since last time, into the recording: the
 * registrations journal gives new and reused tids in order. */
static int
sync_names(struct ls_ring *ring, struct record_writer *w, uint64_t *regs,
	   unsigned *objects)
{
	char name[LS_NAME_MAX + 1];
	unsigned tids[64], kind, i;
	int n, rc = 0;

	do {
		n = ls_ring_registrations(ring, regs, tids, 64);
		for (i = 0; !rc && n > 0 && i < (unsigned)n; i++)
			if (!ls_ring_thread_name(ring, tids[i], name,
						 sizeof(name)))
				rc = record_write_thread(w, tids[i], name);
	} while (!rc && n == 64);
	for (; !rc && *objects < ls_ring_object_count(ring); (*objects)++)
		if (!ls_ring_object_info(ring, *objects + 1, &kind, name,
					 sizeof(name)))
			rc = record_write_object(w, *objects + 1, kind, name);
	return rc;
}

/* Drain what the ring has into the recording and the model, stamps
 * turned from ticks into ns that never go back (as the feed does). */
static int
drain(struct ls_ring *ring, struct record_writer *w, struct model *m,
      uint64_t *regs, unsigned *objects, uint64_t *last_ns, size_t *got)
{
	static struct ls_event buf[4096];
	size_t n, i;
	int rc;

	n = ls_ring_drain(ring, buf, sizeof(buf) / sizeof(buf[0]));
	rc = sync_names(ring, w, regs, objects);
	for (i = 0; i < n; i++) {
		uint64_t ns = ls_clock_ns_at(buf[i].ts);

		*last_ns = buf[i].ts = ns > *last_ns ? ns : *last_ns;
		model_apply(m, &buf[i]);
	}
	if (!rc)
		rc = record_write_events(w, buf, n);
	*got = n;
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: trace_run SCENE OUT.lsrec OUT.json "
		"[KEY=VALUE]...\n       trace_run --export IN.lsrec "
		"OUT.json\n");
	return 2;
}

int
main(int argc, char **argv)
{
	const unsigned long want = test_size("TRACE_RUN_EVENTS", 500, 500);
	struct control_target target = { 0 };
	struct record_writer *w = NULL;
	struct control_verdict verdict;
	struct scene_outcome outcome;
	struct model *m = malloc(sizeof(*m));
	struct ls_ring *ring;
	struct control c;
	char err[512], set[256] = "", broken[RECORD_META_MAX + 1];
	uint64_t deadline, regs = 0, last_ns = 0;
	unsigned objects = 0;
	unsigned long events = 0;
	size_t n, used = 0, step;
	int i, rc;

	if (argc == 4 && !strcmp(argv[1], "--export")) {
		rc = export_recording(argv[2], argv[3], err, sizeof(err));
		if (rc)
			fprintf(stderr, "trace_run: %s\n", err);
		return rc ? 1 : 0;
	}
	if (argc < 4 || !m)
		return usage();
	target.def = scene_find(argv[1]);
	if (!target.def)
		return usage();
	scene_defaults(target.def, target.params);
	for (i = 4; i < argc; i++) {
		if (scene_parse_set(target.def, argv[i], target.params, err,
				    sizeof(err))) {
			fprintf(stderr, "trace_run: %s\n", err);
			return 2;
		}
		used += (size_t)snprintf(set + used, sizeof(set) - used, "%s%s",
					 used ? " " : "", argv[i]);
	}
	model_init(m);
	if (ls_ring_create(NULL, &ring) ||
	    record_writer_open(argv[2], &w, err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 1;
	}
	rc = record_write_meta(w, "target", target.def->name);
	if (!rc)
		rc = record_write_meta(w, "params", set);
	/* Twenty times the workload's speed: the scenes' pauses of
	 * hundreds of milliseconds become tens.  RUN applies a hazard
	 * scene's forcing schedule first, as the headless runner does. */
	if (!rc && control_start(&c, ring, &target, CONTROL_RUN, 20000, 1,
				 err, sizeof(err))) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 1;
	}
	deadline = ls_clock_ns() + 60000000000ull;
	while (!rc && events < want && !control_outcome(&c, &outcome, &step) &&
	       !model_deadlock(m, NULL) && ls_clock_ns() < deadline) {
		rc = drain(ring, w, m, &regs, &objects, &last_ns, &n);
		events += n;
		if (!n)
			test_sleep_ns(1000000);
	}
	/* Judge the run as it stands, before the stop unwinds it; a broken
	 * invariant goes into the recording for the export to show. */
	control_judge(&c, 3000000000ull, &verdict);
	if (!rc && verdict.judged && !verdict.holds) {
		snprintf(broken, sizeof(broken), "%.60s: %.190s", verdict.name,
			 verdict.detail);
		rc = record_write_meta(w, "broken", broken);
	}
	control_stop(&c);
	/* What the threads emitted on the way out, too. */
	do
		rc = rc ? rc : drain(ring, w, m, &regs, &objects, &last_ns, &n);
	while (!rc && n);
	if (!rc)
		rc = record_write_dropped(w, ls_ring_dropped_total(ring));
	rc = record_writer_close(w, err, sizeof(err));
	ls_ring_destroy(ring);
	free(m);
	if (rc) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 1;
	}
	rc = export_recording(argv[2], argv[3], err, sizeof(err));
	if (rc) {
		fprintf(stderr, "trace_run: %s\n", err);
		return 1;
	}
	return 0;
}
