/* list.h: the list value type and its encodings (collections issue).
 *
 * Placeholder until the list type lands: the functions kv.c dispatches to. */
#ifndef RINGKV_ENGINE_LIST_H
#define RINGKV_ENGINE_LIST_H

#include "engine/kv.h"

/* Frees a list value of the given encoding. */
void list_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *list_copy(const void *obj, enum kv_encoding enc);

#endif
