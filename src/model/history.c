/*
 * history.c - the event log: the latest events the model folded, in
 * order, in a ring of MODEL_LOG.
 */
#include "config.h"

#include "model/model-int.h"

void
history_push(struct model *m, const struct ls_event *e)
{
	m->log[m->log_head] = *e;
	m->log_head = (m->log_head + 1) % MODEL_LOG;
	if (m->nlog < MODEL_LOG)
		m->nlog++;
}

size_t
history_recent(const struct model *m, struct ls_event *out, size_t max)
{
	size_t n = max < m->nlog ? max : m->nlog, i;
	unsigned start = (m->log_head + MODEL_LOG - (unsigned)n) % MODEL_LOG;

	for (i = 0; i < n; i++)
		out[i] = m->log[(start + i) % MODEL_LOG];
	return n;
}
