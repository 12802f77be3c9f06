/* hash.h: the hash value type and its encodings (collections issue).
 *
 * Placeholder until the hash type lands: the functions kv.c dispatches to. */
#ifndef RINGKV_ENGINE_HASH_H
#define RINGKV_ENGINE_HASH_H

#include "engine/kv.h"

/* Frees a hash value of the given encoding. */
void hash_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *hash_copy(const void *obj, enum kv_encoding enc);

#endif
