/* buf.c: the growable byte buffer (see buf.h). */
#include "net/wire/buf.h"

#include <string.h>

#include "engine/alloc.h"

void buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return;
    size_t want = b->len + extra;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap = cap < (64u << 20) ? cap * 2 : cap + (64u << 20);
    b->data = alloc_resize(b->data, cap);
    b->cap = cap;
}

void buf_free(struct buf *b)
{
    alloc_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
