/* buf.h: a growable byte buffer (output buffers, scratch text). */
#ifndef RINGKV_NET_WIRE_BUF_H
#define RINGKV_NET_WIRE_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
    char *data; /* owned */
    size_t len;
    size_t cap;
};

/* Makes room for extra more bytes without appending. */
void buf_reserve(struct buf *b, size_t extra);
/* Appends len bytes (copied). Inline: every reply fragment passes here. */
static inline void buf_append(struct buf *b, const void *p, size_t len)
{
    if (b->cap - b->len < len)
        buf_reserve(b, len);
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
}
/* Frees the bytes; b is empty and reusable. */
void buf_free(struct buf *b);

#endif
