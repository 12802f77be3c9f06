/* set.c: the set value type (placeholder: no set values exist yet, so nothing
 * can reach these; the collections issue replaces this file). */
#include "engine/set.h"

#include <assert.h>

void set_free(void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no set values exist yet");
}

void *set_copy(const void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no set values exist yet");
    return NULL;
}
