/*
 * cpu.c - confine the calling thread to one CPU (cpu.h).
 */
#include "config.h"

#include "util/cpu.h"

int
cpu_pin_to(int cpu, cpu_set_t *before)
{
	cpu_set_t one;

	if (cpu < 0 || cpu >= CPU_SETSIZE ||
	    sched_getaffinity(0, sizeof(*before), before) ||
	    !CPU_ISSET(cpu, before))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? -1 : cpu;
}

int
cpu_pin_here(cpu_set_t *before)
{
	return cpu_pin_to(sched_getcpu(), before);
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
