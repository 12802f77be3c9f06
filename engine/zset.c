/* zset.c: the zset value type (placeholder: no zset values exist yet, so nothing
 * can reach these; the collections issue replaces this file). */
#include "engine/zset.h"

#include <assert.h>

void zset_free(void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no zset values exist yet");
}

void *zset_copy(const void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no zset values exist yet");
    return NULL;
}
