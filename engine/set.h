/* set.h: the set value type and its encodings (collections issue).
 *
 * Placeholder until the set type lands: the functions kv.c dispatches to. */
#ifndef RINGKV_ENGINE_SET_H
#define RINGKV_ENGINE_SET_H

#include "engine/kv.h"

/* Frees a set value of the given encoding. */
void set_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *set_copy(const void *obj, enum kv_encoding enc);

#endif
