/* list.c: the list value type (placeholder: no list values exist yet, so nothing
 * can reach these; the collections issue replaces this file). */
#include "engine/list.h"

#include <assert.h>

void list_free(void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no list values exist yet");
}

void *list_copy(const void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no list values exist yet");
    return NULL;
}
