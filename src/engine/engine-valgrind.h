/*
 * engine-valgrind.h - tell valgrind's helgrind about the engine's atomics.
 *
 * Helgrind understands pthread mutexes and condvars but not C11 atomics,
 * so a field the engine reads with atomics outside any lock looks like a
 * race to it.  Where valgrind's headers are installed, the engine marks
 * exactly those fields; elsewhere the marks compile to nothing.  Outside
 * valgrind a mark costs a few instructions, at thread creation only.
 */
#ifndef LOCKSTEP_ENGINE_VALGRIND_H
#define LOCKSTEP_ENGINE_VALGRIND_H

#ifdef HAVE_VALGRIND_HELGRIND_H
#include <valgrind/helgrind.h>
#else
#define VALGRIND_HG_DISABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#define VALGRIND_HG_ENABLE_CHECKING(addr, len) ((void)(addr), (void)(len))
#define ANNOTATE_HAPPENS_BEFORE(addr) ((void)(addr))
#define ANNOTATE_HAPPENS_AFTER(addr) ((void)(addr))
#endif

#endif
