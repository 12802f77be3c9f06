/* buf.h: a growable byte buffer (output buffers, scratch text). */
#ifndef RINGKV_NET_WIRE_BUF_H
#define RINGKV_NET_WIRE_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* owned */
    size_t len;
    size_t cap;
};

/* Appends len bytes (copied). */
void buf_append(struct buf *b, const void *p, size_t len);
/* Makes room for extra more bytes without appending. */
void buf_reserve(struct buf *b, size_t extra);
/* Frees the bytes; b is empty and reusable. */
void buf_free(struct buf *b);

#endif
