/* zset.h: the zset value type and its encodings (collections issue).
 *
 * Placeholder until the zset type lands: the functions kv.c dispatches to. */
#ifndef RINGKV_ENGINE_ZSET_H
#define RINGKV_ENGINE_ZSET_H

#include "engine/kv.h"

/* Frees a zset value of the given encoding. */
void zset_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *zset_copy(const void *obj, enum kv_encoding enc);

#endif
