/*
 * slotindex.c - the model's id -> slot hashes: which thread slot holds a
 * tid, which object slot an object id (the lookups are inline, in
 * model-int.h).
 *
 * The fold looks a thread and usually an object up for every event the
 * ring yields, and a linear scan would touch one cache line per slot; so
 * two small open-addressed tables (linear probing) map a key to its slot
 * + 1, 0 marking an empty entry.  A recycled slot changes its key, and
 * linear probing cannot delete in place, so the table is rebuilt then
 * (128 inserts; recycling is rare).  Which slot a newcomer gets is
 * model.c's policy; this file only finds them.
 */
#include "config.h"

#include "model/model-int.h"

#include <string.h>

_Static_assert(MODEL_MAX_THREADS < 256 && MODEL_MAX_OBJECTS < 256,
	       "slot + 1 fits the uint8_t hash entries");
_Static_assert(MODEL_INDEX >= 2 * MODEL_MAX_THREADS &&
		       MODEL_INDEX >= 2 * MODEL_MAX_OBJECTS &&
		       (MODEL_INDEX & (MODEL_INDEX - 1)) == 0,
	       "the hashes stay at most half full and mask cleanly");

static void
slotindex_insert(uint8_t *idx, uint32_t key, unsigned slot)
{
	unsigned h = slotindex_hash(key);

	while (idx[h])
		h = (h + 1) & (MODEL_INDEX - 1);
	idx[h] = (uint8_t)(slot + 1);
}

void
slotindex_insert_thread(struct model *m, unsigned slot)
{
	slotindex_insert(m->thread_index, m->threads[slot].tid, slot);
}

void
slotindex_insert_object(struct model *m, unsigned slot)
{
	slotindex_insert(m->object_index, m->objects[slot].id, slot);
}

void
slotindex_rebuild_threads(struct model *m)
{
	unsigned i;

	memset(m->thread_index, 0, sizeof(m->thread_index));
	for (i = 0; i < MODEL_MAX_THREADS; i++)
		if (m->threads[i].used)
			slotindex_insert_thread(m, i);
}

void
slotindex_rebuild_objects(struct model *m)
{
	unsigned i;

	memset(m->object_index, 0, sizeof(m->object_index));
	for (i = 0; i < MODEL_MAX_OBJECTS; i++)
		if (m->objects[i].used)
			slotindex_insert_object(m, i);
}
