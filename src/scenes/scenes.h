/*
 * scenes.h - every scene, in the order Tab walks through them.
 */
#ifndef LOCKSTEP_SCENES_H
#define LOCKSTEP_SCENES_H

#include "scenes/scene.h"

extern const struct scene_def scene_pool;
extern const struct scene_def scene_prodcons;
extern const struct scene_def scene_rwlock;
extern const struct scene_def scene_sizing;
extern const struct scene_def scene_race;
extern const struct scene_def scene_deadlock;
extern const struct scene_def scene_philosophers;
extern const struct scene_def scene_starvation;
extern const struct scene_def scene_deploy;

#define SCENE_LIST \
	&scene_pool, &scene_prodcons, &scene_rwlock, &scene_sizing, \
	&scene_race, &scene_deadlock, &scene_philosophers, \
	&scene_starvation, &scene_deploy,

#endif
