/* hash.c: the hash value type (placeholder: no hash values exist yet, so nothing
 * can reach these; the collections issue replaces this file). */
#include "engine/hash.h"

#include <assert.h>

void hash_free(void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no hash values exist yet");
}

void *hash_copy(const void *obj, enum kv_encoding enc)
{
    (void)obj;
    (void)enc;
    assert(0 && "no hash values exist yet");
    return NULL;
}
