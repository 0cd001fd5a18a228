/*
 * lessons.h - lesson texts, compiled in from assets/lessons/SCENE.txt by
 * src/scenes/embed-lessons.sh, so the program needs no data files.
 */
#ifndef LOCKSTEP_LESSONS_H
#define LOCKSTEP_LESSONS_H

/* The lesson of scene name, or NULL. */
const char *lesson_text(const char *name);

#endif
