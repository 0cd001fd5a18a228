/*
 * cpu.c - confine the calling thread to one CPU (cpu.h).
 */
#include "config.h"

#include "util/cpu.h"

bool
cpu_pin_here(cpu_set_t *before)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*before), before))
		return false;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return !sched_setaffinity(0, sizeof(one), &one);
}

bool
cpu_confined_to_one(void)
{
	cpu_set_t set;

	return !sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) == 1;
}

void
cpu_unpin(const cpu_set_t *before)
{
	/* Best effort: a thread left pinned is slower, not wrong. */
	(void)sched_setaffinity(0, sizeof(*before), before);
}
