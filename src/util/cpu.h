/*
 * cpu.h - confine the calling thread to the CPU it is on, and undo it.
 *
 * A controlled schedule moves one thread at a time: every decision hands
 * the CPU from the controller to a stepped thread and back.  Across CPUs
 * that hand-off wakes an idle core (tens of microseconds on the 2-core
 * machines lockstep is tested on); on one CPU it is a context switch.
 * Threads created afterwards inherit the confinement, so pinning the
 * controller before it starts its target pins the whole run.
 */
#ifndef LOCKSTEP_UTIL_CPU_H
#define LOCKSTEP_UTIL_CPU_H

#include <sched.h>
#include <stdbool.h>

/* Confine the calling thread to its current CPU, saving its CPUs before
 * in *before.  Returns the CPU when pinned; -1 (nothing changed) when the
 * system would not say or allow it. */
int cpu_pin_here(cpu_set_t *before);

/* The same, to CPU cpu, which must be one the thread may run on. */
int cpu_pin_to(int cpu, cpu_set_t *before);

/* Is the calling thread allowed on one CPU only (pinned, by cpu_pin_here
 * or otherwise)?  False when the system would not say. */
bool cpu_confined_to_one(void);

/* Give the calling thread back the CPUs saved by cpu_pin_here. */
void cpu_unpin(const cpu_set_t *before);

#endif
