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

#define SCENE_LIST \
	&scene_pool, &scene_prodcons, &scene_rwlock, &scene_sizing,

#endif
