/* rdb_decode.c: loading the RDB format.
 *
 * Owns the source plumbing (buffering and the running CRC-64) and the loader
 * that rebuilds a keyspace from a file Redis 1.0 to 7.4 (or ringkv) wrote.
 * The in-memory layout of each value is its type module's; blobs (listpack,
 * intset) become values as the bytes they are once checked.
 *
 * Sections: source; loader primitives (lengths, strings, doubles); ziplist
 * and zipmap readers (old formats, load only); value loaders per type; the
 * top-level load loop. Encoding is engine/rdb_encode.c.
 *
 * Key invariant of the loader: no length read from the input is used to
 * allocate or index memory before it has been checked against what is left
 * of the input (or a fixed cap when the size is unknown), and every walk
 * the loader makes over a blob checks each entry's bounds. Blobs reach the
 * type modules deep-validated (every entry checked), or, when the caller
 * skips deep validation as Redis does for trusted files, with their header,
 * size and terminator checked and the file's CRC-64 required to match at
 * the end (the load fails as a whole otherwise, see rdb.h). Keys reach the
 * keyspace through a short queue that overlaps their memory fetches
 * (rdb_queue_key). Nothing here recurses. */
#include "engine/rdb.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/crc64.h"
#include "engine/hash.h"
#include "engine/intset.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/listpack.h"
#include "engine/lzf_decode.h"
#include "engine/number.h"
#include "engine/rdb_format.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/zset.h"
#include "engine/zskiplist.h"

/* Limits on what a file can make us allocate when its size is unknown:
 * lengths above these must be backed by bytes actually read. */
#define RDB_PREALLOC_BYTES_MAX (1u << 20)
#define RDB_PRESIZE_ENTRIES_MAX (1u << 20)
/* Longest AUX key or value we keep for messages. */
#define RDB_AUX_TEXT_BYTES_MAX 4096

_Static_assert(RDB_VERSION <= RDB_VERSION_LOAD_MAX, "we must load what we write");
_Static_assert(RDB_TYPE_COUNT > RDB_TYPE_HASH_LISTPACK_EX, "per-type counters cover every id");

/* ======================================================================
 * Source
 * ====================================================================== */

void rdb_source_init(struct rdb_source *src, rdb_read_fn read, void *ctx, uint64_t size)
{
    assert(read != NULL);
    memset(src, 0, sizeof(*src));
    src->read = read;
    src->ctx = ctx;
    src->size = size;
    src->crc = CRC64_INIT;
    src->buf = alloc_bytes(RDB_SOURCE_BUFFER_BYTES);
    src->data = src->buf;
}

void rdb_source_init_memory(struct rdb_source *src, const void *data, size_t len)
{
    memset(src, 0, sizeof(*src));
    src->size = len;
    src->crc = CRC64_INIT;
    src->data = data;
    src->data_len = len;
}

void rdb_source_free(struct rdb_source *src)
{
    alloc_free(src->buf);
    src->buf = NULL;
    src->data = NULL;
    src->data_len = src->pos = src->crc_pos = 0;
}

/* Folds the bytes consumed since the last call into the CRC. */
static void rdb_source_crc_sync(struct rdb_source *src)
{
    assert(src->crc_pos <= src->pos);
    src->crc = crc64_update(src->crc, src->data + src->crc_pos, src->pos - src->crc_pos);
    src->crc_pos = src->pos;
}

/* Refills the window once every byte in it was consumed. Returns false at
 * the end of the input or on a read error (kept in src->error). */
static bool rdb_source_fill(struct rdb_source *src)
{
    assert(src->pos == src->data_len);
    if (src->read == NULL || src->at_end || src->error != 0)
        return false;
    rdb_source_crc_sync(src);
    long n;
    do {
        n = src->read(src->ctx, src->buf, RDB_SOURCE_BUFFER_BYTES);
    } while (n == -EINTR);
    if (n < 0) {
        src->error = (int)n;
        return false;
    }
    if (n == 0) {
        src->at_end = true;
        return false;
    }
    assert((size_t)n <= RDB_SOURCE_BUFFER_BYTES);
    src->data_len = (size_t)n;
    src->pos = src->crc_pos = 0;
    return true;
}

/* Bytes left in the input when its size is known, else UINT64_MAX. */
static uint64_t rdb_source_remaining(const struct rdb_source *src)
{
    if (src->size == RDB_SOURCE_SIZE_UNKNOWN)
        return UINT64_MAX;
    return src->offset <= src->size ? src->size - src->offset : 0;
}

/* ======================================================================
 * Loader primitives
 * ====================================================================== */

/* A reusable scratch string, NUL-terminated for the number parsers. */
struct rdb_text {
    char *data; /* owned */
    size_t len, cap;
};

/* Keys read but not yet in their db (see rdb_queue_key). A power of two;
 * 16 keys of reading cover the two memory fetches an insertion waits for. */
#define RDB_PENDING_KEYS 16
_Static_assert((RDB_PENDING_KEYS & (RDB_PENDING_KEYS - 1)) == 0, "a power of two");

struct rdb_pending {
    struct kv *kv;     /* owned until inserted */
    struct db *db;     /* borrowed */
    uint64_t hash;     /* of the key, as the db's dict hashes it */
    int64_t expire_ms; /* -1: none */
    uint64_t offset;   /* of the key's type byte, for a duplicate's error */
    int64_t lru_s;     /* access time from the file's IDLE, -1: now (db_add's) */
};

/* What the opcodes before a key say about it (each applies to the next
 * key only). */
struct rdb_key_meta {
    int64_t expire_ms; /* -1: none */
    int64_t idle_s;    /* RDB_OPCODE_IDLE, -1: none */
    int freq;          /* RDB_OPCODE_FREQ, -1: none */
};

struct rdb_loader {
    struct rdb_source *src;       /* borrowed */
    struct keyspace *ks;          /* borrowed */
    const struct rdb_load_options *options; /* borrowed */
    const struct encoding_limits *limits;   /* borrowed */
    struct rdb_load_info *info;   /* borrowed */
    bool failed;
    bool deep;                    /* deep validation of blobs (see rdb.h) */
    int version;
    struct rdb_text key, a, b, lzf; /* scratch: key, two value parts, LZF input */
    /* The listpack or intset being loaded: in the source's window, or in
     * a, until the next read (set by rdb_read_blob). */
    const unsigned char *blob;
    size_t blob_len;
    struct rdb_pending pending[RDB_PENDING_KEYS]; /* a ring, oldest at pending_head */
    size_t pending_head, pending_count;
};

static void rdb_text_reserve(struct rdb_text *t, size_t len)
{
    if (len + 1 <= t->cap)
        return;
    size_t cap = t->cap * 2 > len + 1 ? t->cap * 2 : len + 1;
    t->data = alloc_resize(t->data, cap);
    t->cap = cap;
}

static void rdb_text_free(struct rdb_text *t)
{
    alloc_free(t->data);
    memset(t, 0, sizeof(*t));
}

__attribute__((format(printf, 3, 4))) static bool rdb_fail_at(struct rdb_loader *ld,
                                                               uint64_t offset,
                                                               const char *fmt, ...)
{
    if (ld->failed)
        return false;
    ld->failed = true;
    ld->info->error_offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->info->error_text, sizeof(ld->info->error_text), fmt, ap);
    va_end(ap);
    return false;
}

#define rdb_fail(ld, ...) rdb_fail_at((ld), (ld)->src->offset, __VA_ARGS__)

/* Copies the next n bytes into out. A short input is a load error. */
static bool rdb_read(struct rdb_loader *ld, void *out, size_t n)
{
    struct rdb_source *src = ld->src;
    unsigned char *dst = out;
    while (n > 0) {
        if (src->pos == src->data_len && !rdb_source_fill(src)) {
            if (src->error != 0) {
                ld->info->io_error = src->error;
                return rdb_fail(ld, "read error: %s", strerror(-src->error));
            }
            return rdb_fail(ld, "unexpected end of file");
        }
        size_t chunk = src->data_len - src->pos;
        if (chunk > n)
            chunk = n;
        memcpy(dst, src->data + src->pos, chunk);
        src->pos += chunk;
        src->offset += chunk;
        dst += chunk;
        n -= chunk;
    }
    return true;
}

static bool rdb_read_byte(struct rdb_loader *ld, unsigned char *out)
{
    struct rdb_source *src = ld->src;
    if (src->pos < src->data_len) {
        *out = src->data[src->pos++];
        src->offset++;
        return true;
    }
    return rdb_read(ld, out, 1);
}

static bool rdb_read_le(struct rdb_loader *ld, uint64_t *out, size_t bytes)
{
    unsigned char buf[8];
    assert(bytes <= sizeof(buf));
    if (!rdb_read(ld, buf, bytes))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    *out = v;
    return true;
}

/* Reads a length prefix. *encoded is set for the 11xxxxxx string forms,
 * whose low six bits come back in *len. */
static bool rdb_read_len_any(struct rdb_loader *ld, uint64_t *len, bool *encoded)
{
    unsigned char b, more[8];
    *encoded = false;
    if (!rdb_read_byte(ld, &b))
        return false;
    switch (b >> 6) {
    case RDB_LEN_6BIT:
        *len = b & 0x3f;
        return true;
    case RDB_LEN_14BIT:
        if (!rdb_read_byte(ld, more))
            return false;
        *len = ((uint64_t)(b & 0x3f) << 8) | more[0];
        return true;
    case RDB_LEN_ENCVAL:
        *encoded = true;
        *len = b & 0x3f;
        return true;
    }
    size_t n = b == RDB_LEN_32BIT ? 4 : b == RDB_LEN_64BIT ? 8 : 0;
    if (n == 0)
        return rdb_fail_at(ld, ld->src->offset - 1, "unknown length encoding 0x%02x", b);
    if (!rdb_read(ld, more, n))
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | more[i];
    *len = v;
    return true;
}

static bool rdb_read_len(struct rdb_loader *ld, uint64_t *len)
{
    bool encoded;
    uint64_t start = ld->src->offset;
    if (!rdb_read_len_any(ld, len, &encoded))
        return false;
    if (encoded)
        return rdb_fail_at(ld, start, "a string encoding where a length was expected");
    return true;
}

/* Reads n bytes into t. When the input size is unknown, the buffer grows
 * only as bytes actually arrive, so a huge declared length costs nothing
 * until the data exists. */
static bool rdb_read_into(struct rdb_loader *ld, struct rdb_text *t, uint64_t n)
{
    bool size_known = ld->src->size != RDB_SOURCE_SIZE_UNKNOWN;
    if (n > rdb_source_remaining(ld->src))
        return rdb_fail(ld, "length %llu runs past the end of the file", (unsigned long long)n);
    if (n > KV_BYTES_MAX)
        return rdb_fail(ld, "length %llu is over the %zu byte limit", (unsigned long long)n,
                        (size_t)KV_BYTES_MAX);
    size_t done = 0;
    t->len = 0;
    while (done < n) {
        size_t chunk = n - done;
        if (!size_known && chunk > RDB_PREALLOC_BYTES_MAX)
            chunk = RDB_PREALLOC_BYTES_MAX;
        rdb_text_reserve(t, done + chunk);
        if (!rdb_read(ld, t->data + done, chunk))
            return false;
        done += chunk;
    }
    rdb_text_reserve(t, n);
    t->len = n;
    t->data[n] = '\0';
    return true;
}

static bool rdb_read_lzf(struct rdb_loader *ld, struct rdb_text *t)
{
    uint64_t start = ld->src->offset - 1;
    uint64_t compressed_len, len;
    if (!rdb_read_len(ld, &compressed_len) || !rdb_read_len(ld, &len))
        return false;
    if (len == 0 || compressed_len == 0)
        return rdb_fail_at(ld, start, "LZF string with a zero length");
    if (compressed_len > UINT_MAX || len > KV_BYTES_MAX ||
        len / RDB_LZF_EXPANSION_MAX > compressed_len)
        return rdb_fail_at(ld, start, "LZF string lengths %llu -> %llu are impossible",
                           (unsigned long long)compressed_len, (unsigned long long)len);
    /* The compressed bytes are decoded where they lie in the source's
     * window when they lie there whole, else from a copy. */
    struct rdb_source *src = ld->src;
    const unsigned char *in;
    if (compressed_len <= src->data_len - src->pos) {
        in = src->data + src->pos;
        src->pos += (size_t)compressed_len;
        src->offset += compressed_len;
    } else {
        if (!rdb_read_into(ld, &ld->lzf, compressed_len))
            return false;
        in = (const unsigned char *)ld->lzf.data;
    }
    rdb_text_reserve(t, len);
    if (!lzf_decode(in, (size_t)compressed_len, t->data, (size_t)len))
        return rdb_fail_at(ld, start, "invalid LZF compressed string");
    t->len = len;
    t->data[len] = '\0';
    return true;
}

/* Reads the rest of a string whose length prefix was len/encoded into t. */
static bool rdb_read_string_body(struct rdb_loader *ld, struct rdb_text *t, uint64_t len,
                                 bool encoded)
{
    uint64_t v;
    if (!encoded)
        return rdb_read_into(ld, t, len);
    long long value;
    switch (len) {
    case RDB_ENC_INT8:
        if (!rdb_read_le(ld, &v, 1))
            return false;
        value = (int8_t)v;
        break;
    case RDB_ENC_INT16:
        if (!rdb_read_le(ld, &v, 2))
            return false;
        value = (int16_t)v;
        break;
    case RDB_ENC_INT32:
        if (!rdb_read_le(ld, &v, 4))
            return false;
        value = (int32_t)v;
        break;
    case RDB_ENC_LZF:
        return rdb_read_lzf(ld, t);
    default:
        return rdb_fail_at(ld, ld->src->offset - 1, "unknown string encoding %llu",
                           (unsigned long long)len);
    }
    rdb_text_reserve(t, LISTPACK_INTEGER_TEXT_BYTES);
    t->len = number_format_ll(t->data, value);
    t->data[t->len] = '\0';
    return true;
}

/* Reads any string form into t (integers come back as decimal text). */
static bool rdb_read_string(struct rdb_loader *ld, struct rdb_text *t)
{
    uint64_t len = 0; /* set by rdb_read_len_any on success; gcc -O2 cannot see it */
    bool encoded;
    return rdb_read_len_any(ld, &len, &encoded) && rdb_read_string_body(ld, t, len, encoded);
}

/* Like rdb_read_string, but a plain string that lies whole in the source's
 * window is not copied: *out points into the window, valid until the next
 * read. Otherwise it is read into t and *out points at t's bytes. */
static bool rdb_read_string_ref(struct rdb_loader *ld, struct rdb_text *t, const char **out,
                                size_t *out_len)
{
    struct rdb_source *src = ld->src;
    uint64_t len = 0;
    bool encoded;
    if (!rdb_read_len_any(ld, &len, &encoded))
        return false;
    if (!encoded && len <= src->data_len - src->pos) {
        *out = (const char *)src->data + src->pos;
        *out_len = (size_t)len;
        src->pos += (size_t)len;
        src->offset += len;
        return true;
    }
    if (!rdb_read_string_body(ld, t, len, encoded))
        return false;
    *out = t->data;
    *out_len = t->len;
    return true;
}

/* Legacy type 3 scores: a length byte then %.17g text, with three length
 * values reserved for NaN and the infinities. */
static bool rdb_read_ascii_double(struct rdb_loader *ld, double *out)
{
    unsigned char len;
    char buf[256];
    if (!rdb_read_byte(ld, &len))
        return false;
    if (len == 253 || len == 254 || len == 255) {
        *out = len == 253 ? NAN : len == 254 ? INFINITY : -INFINITY;
        return true;
    }
    uint64_t start = ld->src->offset;
    if (!rdb_read(ld, buf, len))
        return false;
    buf[len] = '\0';
    char *end;
    *out = strtod(buf, &end);
    if (len == 0 || end != buf + len)
        return rdb_fail_at(ld, start, "invalid double value");
    return true;
}

static bool rdb_read_binary_double(struct rdb_loader *ld, double *out)
{
    uint64_t bits;
    if (!rdb_read_le(ld, &bits, 8))
        return false;
    memcpy(out, &bits, sizeof(*out));
    return true;
}

/* A count of items each taking at least min_bytes of input: refuse counts
 * the rest of the file cannot hold. */
static bool rdb_read_count(struct rdb_loader *ld, uint64_t *count, uint64_t min_bytes)
{
    uint64_t start = ld->src->offset;
    if (!rdb_read_len(ld, count))
        return false;
    uint64_t remaining = rdb_source_remaining(ld->src);
    if (remaining != UINT64_MAX && *count > remaining / min_bytes)
        return rdb_fail_at(ld, start, "count %llu runs past the end of the file",
                           (unsigned long long)*count);
    return true;
}

/* A dict pre-size hint that outside data cannot inflate beyond what the
 * file could hold, or beyond a fixed cap when its size is unknown. */
static uint64_t rdb_presize(const struct rdb_loader *ld, uint64_t n)
{
    uint64_t cap = rdb_source_remaining(ld->src);
    cap = cap == UINT64_MAX ? RDB_PRESIZE_ENTRIES_MAX : cap / 3;
    return n < cap ? n : cap;
}

/* ======================================================================
 * Ziplist and zipmap readers (formats Redis stopped writing in 7.0; load
 * only). Each call checks that the entry lies inside the blob before
 * touching its bytes; nothing walks backwards, so prevlen values are
 * skipped, not trusted.
 * ====================================================================== */

#define ZIPLIST_HEADER_BYTES 10
#define ZIPLIST_END 0xFF
#define ZIPLIST_PREVLEN_LONG 0xFE

struct rdb_blob_reader {
    const unsigned char *p; /* borrowed blob */
    size_t len;
    size_t pos;
    /* Ziplists: what the header must agree with, checked as Redis's
     * ziplistValidateIntegrity does (each entry's prevlen is the size of
     * the entry before it; the tail offset is the last entry's; the count,
     * unless saturated, is the number of entries). */
    size_t prev_size, last_pos, entries;
};

/* One element: either str/len, or the integer (formatted into buf). */
struct rdb_element {
    const char *str;
    size_t len;
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
};

enum rdb_next { RDB_NEXT_ENTRY, RDB_NEXT_END, RDB_NEXT_BAD };

static bool ziplist_open(struct rdb_blob_reader *r, const struct rdb_text *blob)
{
    r->p = (const unsigned char *)blob->data;
    r->len = blob->len;
    r->pos = ZIPLIST_HEADER_BYTES;
    r->prev_size = 0;
    r->last_pos = ZIPLIST_HEADER_BYTES;
    r->entries = 0;
    if (blob->len < ZIPLIST_HEADER_BYTES + 1)
        return false;
    uint32_t bytes = r->p[0] | r->p[1] << 8 | r->p[2] << 16 | (uint32_t)r->p[3] << 24;
    return bytes == blob->len && r->p[blob->len - 1] == ZIPLIST_END;
}

static void rdb_element_integer(struct rdb_element *e, long long value)
{
    e->len = number_format_ll(e->buf, value);
    e->str = e->buf;
}

/* Decodes a ziplist integer of `bytes` little-endian bytes, sign-extended. */
static long long ziplist_int(const unsigned char *p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    unsigned shift = (unsigned)(64 - 8 * bytes);
    return (long long)(v << shift) >> shift;
}

static enum rdb_next ziplist_next(struct rdb_blob_reader *r, struct rdb_element *e)
{
    const unsigned char *p = r->p;
    size_t end = r->len - 1; /* position of the terminator */
    if (r->pos > end)
        return RDB_NEXT_BAD;
    if (p[r->pos] == ZIPLIST_END) {
        if (r->pos != end)
            return RDB_NEXT_BAD;
        uint32_t tail = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
        unsigned count = p[8] | (unsigned)p[9] << 8;
        if (tail != r->last_pos || (count != UINT16_MAX && count != r->entries))
            return RDB_NEXT_BAD;
        return RDB_NEXT_END;
    }
    size_t pos = r->pos + (p[r->pos] == ZIPLIST_PREVLEN_LONG ? 5 : 1);
    if (pos >= end)
        return RDB_NEXT_BAD;
    size_t prevlen = p[r->pos];
    if (prevlen == ZIPLIST_PREVLEN_LONG)
        prevlen = (size_t)p[r->pos + 1] | (size_t)p[r->pos + 2] << 8 |
                  (size_t)p[r->pos + 3] << 16 | (size_t)p[r->pos + 4] << 24;
    if (prevlen != r->prev_size)
        return RDB_NEXT_BAD;
    unsigned char enc = p[pos];
    size_t header, data;
    bool is_string = (enc >> 6) != 3;
    if ((enc >> 6) == 0) {
        header = 1, data = enc & 0x3f;
    } else if ((enc >> 6) == 1) {
        if (pos + 2 > end)
            return RDB_NEXT_BAD;
        header = 2, data = (size_t)(enc & 0x3f) << 8 | p[pos + 1];
    } else if (enc == 0x80) {
        if (pos + 5 > end)
            return RDB_NEXT_BAD;
        header = 5;
        data = (size_t)p[pos + 1] << 24 | p[pos + 2] << 16 | p[pos + 3] << 8 | p[pos + 4];
    } else if ((enc >> 6) == 2) {
        return RDB_NEXT_BAD;
    } else if (enc >= 0xF1 && enc <= 0xFD) {
        header = 1, data = 0;
    } else {
        header = 1;
        data = enc == 0xC0 ? 2 : enc == 0xD0 ? 4 : enc == 0xE0 ? 8 : enc == 0xF0 ? 3
             : enc == 0xFE ? 1 : 0;
        if (data == 0)
            return RDB_NEXT_BAD;
    }
    if (header > end - pos || data > end - pos - header)
        return RDB_NEXT_BAD;
    const unsigned char *payload = p + pos + header;
    if (is_string) {
        e->str = (const char *)payload;
        e->len = data;
    } else if (data == 0) {
        rdb_element_integer(e, (enc & 0x0f) - 1);
    } else {
        rdb_element_integer(e, ziplist_int(payload, data));
    }
    r->last_pos = r->pos;
    r->prev_size = pos + header + data - r->pos;
    r->entries++;
    r->pos = pos + header + data;
    return RDB_NEXT_ENTRY;
}

#define ZIPMAP_LEN_LONG 254
#define ZIPMAP_END 255

/* A zipmap length: one byte below 254, or 254 then four bytes. */
static bool zipmap_len(struct rdb_blob_reader *r, size_t *len, bool *is_end)
{
    *is_end = false;
    if (r->pos >= r->len)
        return false;
    unsigned char b = r->p[r->pos];
    if (b == ZIPMAP_END) {
        *is_end = true;
        return r->pos == r->len - 1;
    }
    if (b < ZIPMAP_LEN_LONG) {
        *len = b;
        r->pos++;
        return true;
    }
    if (r->len - r->pos < 5)
        return false;
    const unsigned char *q = r->p + r->pos + 1;
    *len = (size_t)q[0] | (size_t)q[1] << 8 | (size_t)q[2] << 16 | (size_t)q[3] << 24;
    r->pos += 5;
    return true;
}

/* The next field and value, or the end. */
static enum rdb_next zipmap_next(struct rdb_blob_reader *r, struct rdb_element *field,
                                 struct rdb_element *value)
{
    size_t len;
    bool is_end;
    if (!zipmap_len(r, &len, &is_end))
        return RDB_NEXT_BAD;
    if (is_end)
        return RDB_NEXT_END;
    if (len > r->len - r->pos)
        return RDB_NEXT_BAD;
    field->str = (const char *)r->p + r->pos;
    field->len = len;
    r->pos += len;
    if (!zipmap_len(r, &len, &is_end) || is_end || r->pos >= r->len)
        return RDB_NEXT_BAD;
    size_t free_bytes = r->p[r->pos++];
    if (len > r->len - r->pos || free_bytes > r->len - r->pos - len)
        return RDB_NEXT_BAD;
    value->str = (const char *)r->p + r->pos;
    value->len = len;
    r->pos += len + free_bytes;
    return RDB_NEXT_ENTRY;
}

/* A listpack entry as an element. p is a whole entry inside its blob (a
 * cursor step proved it). */
static void rdb_listpack_element(const unsigned char *p, struct rdb_element *e)
{
    size_t len;
    const unsigned char *s = listpack_get_text(p, &len, e->buf);
    e->str = (const char *)s;
    e->len = len;
}

/* ======================================================================
 * Value loaders
 * ====================================================================== */

/* A collection being built element by element, created on its first
 * element so an empty one never exists. count_hint (already capped) picks
 * the big encoding up front when the count says it will be needed. */
struct rdb_value {
    enum kv_type type;
    struct kv *kv;     /* owned until handed to the keyspace */
    struct list *list; /* owned; lists are wrapped in a kv at the end */
    uint64_t count_hint;
};

static void rdb_value_discard(struct rdb_value *v)
{
    if (v->kv != NULL)
        kv_free(v->kv);
    if (v->list != NULL)
        list_free(v->list, KV_ENC_QUICKLIST);
    v->kv = NULL;
    v->list = NULL;
}

/* Returns the finished kv (owned), or NULL if no element was added. */
static struct kv *rdb_value_finish(struct rdb_loader *ld, struct rdb_value *v)
{
    if (v->type == KV_LIST && v->list != NULL) {
        assert(list_count(v->list) > 0);
        v->kv = kv_new_object(ld->key.data, ld->key.len, KV_LIST, KV_ENC_QUICKLIST, v->list);
        v->list = NULL;
    }
    struct kv *kv = v->kv;
    v->kv = NULL;
    return kv;
}

static void rdb_value_create(struct rdb_loader *ld, struct rdb_value *v,
                             const struct rdb_element *first)
{
    const struct encoding_limits *lim = ld->limits;
    switch (v->type) {
    case KV_LIST:
        v->list = list_new(lim->list_max_listpack_size);
        return;
    case KV_SET:
        /* Born an intset; rdb_value_add converts it, with the count as the
         * table's size, at the first member that is not an integer, so a
         * set of strings sizes its table once (Redis's loader does too). */
        (void)first;
        v->kv = set_new_kv(ld->key.data, ld->key.len, NULL, 0);
        if (v->count_hint > (uint64_t)lim->set_max_intset_entries)
            set_convert_to_hashtable(v->kv, v->count_hint);
        return;
    case KV_HASH:
        v->kv = hash_kv_new(ld->key.data, ld->key.len);
        if (v->count_hint > (uint64_t)lim->hash_max_listpack_entries)
            hash_convert_to_table(v->kv);
        return;
    case KV_ZSET:
        v->kv = zset_new(ld->key.data, ld->key.len,
                         v->count_hint > (uint64_t)lim->zset_max_listpack_entries
                             ? KV_ENC_SKIPLIST : KV_ENC_LISTPACK);
        return;
    case KV_STRING:
    case KV_STREAM:
        break;
    }
    assert(!"not a collection");
}

/* Adds one element (lists, sets) or pair (hashes: field, value). Duplicate
 * members are a load error, as in Redis. */
static bool rdb_value_add(struct rdb_loader *ld, struct rdb_value *v, const struct rdb_element *a,
                          const struct rdb_element *b, uint64_t offset)
{
    if (v->kv == NULL && v->list == NULL)
        rdb_value_create(ld, v, a);
    switch (v->type) {
    case KV_LIST:
        list_push(v->list, LIST_TAIL, a->str, a->len);
        return true;
    case KV_SET: {
        long long ignored;
        if (v->kv->encoding == KV_ENC_INTSET && !number_parse_ll(a->str, a->len, &ignored))
            set_convert_to_hashtable(v->kv, v->count_hint);
        if (!set_add(v->kv, a->str, a->len, ld->limits->set_max_intset_entries))
            return rdb_fail_at(ld, offset, "duplicate set member");
        return true;
    }
    case KV_HASH:
        if (!hash_set(v->kv, a->str, a->len, b->str, b->len, ld->limits))
            return rdb_fail_at(ld, offset, "duplicate hash field");
        return true;
    default:
        break;
    }
    assert(!"use rdb_value_add_scored for sorted sets");
    return false;
}

static bool rdb_value_add_scored(struct rdb_loader *ld, struct rdb_value *v,
                                 const struct rdb_element *member, double score, uint64_t offset)
{
    assert(v->type == KV_ZSET);
    if (isnan(score))
        return rdb_fail_at(ld, offset, "sorted set score is NaN");
    if (v->kv == NULL)
        rdb_value_create(ld, v, member);
    const struct encoding_limits *lim = ld->limits;
    enum zset_add_result r = zset_add(v->kv, score, member->str, member->len, 0, NULL,
                                      lim->zset_max_listpack_entries, lim->zset_max_listpack_value);
    if (r != ZSET_ADD_ADDED)
        return rdb_fail_at(ld, offset, "duplicate sorted set member");
    return true;
}

static bool rdb_element_score(const struct rdb_element *e, double *score)
{
    return number_parse_double(e->str, e->len, score) && !isnan(*score);
}

/* Digits a plain-decimal score may have before the full parse decides:
 * far from any overflow, underflow or NaN. */
#define RDB_SCORE_FAST_DIGITS_MAX 30
#define RDB_SCORE_FAST_EXPONENT_DIGITS_MAX 2

static size_t rdb_count_digits(const char *s, size_t len, size_t *i)
{
    size_t n = 0;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        (*i)++;
        n++;
    }
    return n;
}

/* Whether a listpack score is valid, without its value (a load only checks
 * it). The scores Redis writes are plain decimal text ("%.17g") or integers:
 * [-]digits[.digits][e[-]dd] is accepted at once, a strict subset of what
 * the full parse accepts; anything else (inf, long forms) takes the full
 * parse. strtod on every score was an eighth of a collections load. */
static bool rdb_score_valid(const struct rdb_element *e)
{
    const char *s = e->str;
    size_t len = e->len, i = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t digits = rdb_count_digits(s, len, &i);
    if (i < len && s[i] == '.') {
        i++;
        digits += rdb_count_digits(s, len, &i);
    }
    bool plain = digits > 0 && digits <= RDB_SCORE_FAST_DIGITS_MAX;
    if (plain && i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp = rdb_count_digits(s, len, &i);
        plain = exp > 0 && exp <= RDB_SCORE_FAST_EXPONENT_DIGITS_MAX;
    }
    if (plain && i == len)
        return true;
    double ignored;
    return rdb_element_score(e, &ignored);
}

static struct rdb_element rdb_text_element(const struct rdb_text *t)
{
    struct rdb_element e = {.str = t->data, .len = t->len};
    return e;
}

/* Types 1-5: a count, then strings (and scores). */
static bool rdb_load_plain(struct rdb_loader *ld, int type, struct rdb_value *v)
{
    bool pairs = type == RDB_TYPE_HASH || type == RDB_TYPE_ZSET || type == RDB_TYPE_ZSET_2;
    uint64_t count;
    if (!rdb_read_count(ld, &count, pairs ? 2 : 1))
        return false;
    v->count_hint = rdb_presize(ld, count);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t offset = ld->src->offset;
        double score = 0;
        if (!rdb_read_string(ld, &ld->a))
            return false;
        if (type == RDB_TYPE_HASH && !rdb_read_string(ld, &ld->b))
            return false;
        if (type == RDB_TYPE_ZSET && !rdb_read_ascii_double(ld, &score))
            return false;
        if (type == RDB_TYPE_ZSET_2 && !rdb_read_binary_double(ld, &score))
            return false;
        struct rdb_element a = rdb_text_element(&ld->a), b = rdb_text_element(&ld->b);
        bool ok = v->type == KV_ZSET ? rdb_value_add_scored(ld, v, &a, score, offset)
                                     : rdb_value_add(ld, v, &a, &b, offset);
        if (!ok)
            return false;
    }
    return true;
}

/* A ziplist blob (types 10, 12, 13 and quicklist nodes) already read into
 * ld->a, fed element by element. */
static bool rdb_load_ziplist(struct rdb_loader *ld, struct rdb_value *v, uint64_t offset)
{
    struct rdb_blob_reader r;
    struct rdb_element a, b;
    if (!ziplist_open(&r, &ld->a))
        return rdb_fail_at(ld, offset, "invalid ziplist header");
    for (;;) {
        enum rdb_next n = ziplist_next(&r, &a);
        if (n == RDB_NEXT_END)
            return true;
        if (n == RDB_NEXT_BAD)
            return rdb_fail_at(ld, offset, "invalid ziplist entry at blob byte %zu", r.pos);
        if (v->type == KV_LIST || v->type == KV_SET) {
            if (!rdb_value_add(ld, v, &a, NULL, offset))
                return false;
            continue;
        }
        if (ziplist_next(&r, &b) != RDB_NEXT_ENTRY)
            return rdb_fail_at(ld, offset, "ziplist with an odd number of entries");
        double score;
        if (v->type == KV_HASH) {
            if (!rdb_value_add(ld, v, &a, &b, offset))
                return false;
        } else if (!rdb_element_score(&b, &score)) {
            return rdb_fail_at(ld, offset, "invalid score in ziplist");
        } else if (!rdb_value_add_scored(ld, v, &a, score, offset)) {
            return false;
        }
    }
}

static bool rdb_load_zipmap(struct rdb_loader *ld, struct rdb_value *v)
{
    uint64_t offset = ld->src->offset;
    if (!rdb_read_string(ld, &ld->a))
        return false;
    struct rdb_blob_reader r = {.p = (const unsigned char *)ld->a.data, .len = ld->a.len, .pos = 1};
    struct rdb_element field, value;
    if (ld->a.len < 2)
        return rdb_fail_at(ld, offset, "invalid zipmap");
    for (;;) {
        enum rdb_next n = zipmap_next(&r, &field, &value);
        if (n == RDB_NEXT_END)
            return true;
        if (n == RDB_NEXT_BAD)
            return rdb_fail_at(ld, offset, "invalid zipmap entry at blob byte %zu", r.pos);
        if (!rdb_value_add(ld, v, &field, &value, offset))
            return false;
    }
}

/* Reads a listpack or intset blob into ld->blob: where it lies in the
 * source's window when it lies there whole and uncompressed (the type
 * modules copy it anyway), else through ld->a. */
static bool rdb_read_blob(struct rdb_loader *ld)
{
    const char *blob;
    if (!rdb_read_string_ref(ld, &ld->a, &blob, &ld->blob_len))
        return false;
    ld->blob = (const unsigned char *)blob;
    return true;
}

/* A bad entry found by a loader's walk: the blob's file offset, and where
 * in the blob the walk stopped. */
static bool rdb_fail_listpack_entry(struct rdb_loader *ld, uint64_t offset,
                                    const struct listpack_cursor *c)
{
    return rdb_fail_at(ld, offset, "invalid listpack entry at blob byte %zu", c->pos);
}

/* Steps c to its next entry, turning a bad one into a load error. */
static bool rdb_listpack_step(struct rdb_loader *ld, struct listpack_cursor *c, uint64_t offset,
                              const unsigned char **entry, bool *end)
{
    enum listpack_cursor_step step = listpack_cursor_next(c, entry);
    *end = step == LISTPACK_CURSOR_END;
    if (step == LISTPACK_CURSOR_BAD)
        return rdb_fail_listpack_entry(ld, offset, c);
    return true;
}

/* Reads a listpack blob into ld->a and validates it: every entry (deep), or
 * its header, size, terminator and first entry (shallow). Returns its entry
 * count through *count, 0 when it fails so no caller can read a count it
 * never got: the header's count, which deep validation compared with the
 * entries; when the header says "unknown" (65535 entries or more), a
 * bounds-checked walk's. A blob without entries counts 0, whatever its
 * header claims, so that it is skipped as empty. */
static bool rdb_read_listpack(struct rdb_loader *ld, size_t *count, uint64_t *offset)
{
    *count = 0;
    *offset = ld->src->offset;
    if (!rdb_read_blob(ld))
        return false;
    const unsigned char *lp = ld->blob;
    if (!listpack_validate(lp, ld->blob_len, ld->deep, NULL, NULL))
        return rdb_fail_at(ld, *offset, "invalid listpack");
    if (ld->blob_len == LISTPACK_HEADER_BYTES + 1)
        return true;
    size_t n = listpack_count_header(lp);
    if (n == LISTPACK_COUNT_UNKNOWN) {
        struct listpack_cursor c;
        const unsigned char *p;
        bool end = false;
        listpack_cursor_init(&c, lp);
        for (n = 0;; n++) {
            if (!rdb_listpack_step(ld, &c, *offset, &p, &end))
                return false;
            if (end)
                break;
        }
    }
    *count = n;
    return true;
}

/* Feeds the listpack in ld->a to v: single elements, or pairs (hashes:
 * field and value; zsets: member and score). Bounds-checked: it runs on
 * blobs that passed shallow validation only. */
static bool rdb_feed_listpack(struct rdb_loader *ld, struct rdb_value *v, bool pairs,
                              uint64_t offset)
{
    struct listpack_cursor c;
    const unsigned char *p;
    struct rdb_element a, b;
    bool end;
    listpack_cursor_init(&c, ld->blob);
    for (;;) {
        if (!rdb_listpack_step(ld, &c, offset, &p, &end))
            return false;
        if (end)
            return true;
        rdb_listpack_element(p, &a);
        if (!pairs) {
            if (!rdb_value_add(ld, v, &a, NULL, offset))
                return false;
            continue;
        }
        if (!rdb_listpack_step(ld, &c, offset, &p, &end))
            return false;
        if (end)
            return rdb_fail_at(ld, offset, "listpack with an odd number of entries");
        rdb_listpack_element(p, &b);
        double score;
        if (v->type == KV_HASH) {
            if (!rdb_value_add(ld, v, &a, &b, offset))
                return false;
        } else if (!rdb_element_score(&b, &score)) {
            return rdb_fail_at(ld, offset, "invalid score in listpack");
        } else if (!rdb_value_add_scored(ld, v, &a, score, offset)) {
            return false;
        }
    }
}

/* Deep validation of a hash or zset listpack of pairs: scores that parse
 * (zsets), and whether any element is longer than value_max (which sends it
 * to the big encoding). */
static bool rdb_check_pairs(struct rdb_loader *ld, bool scored, long long value_max,
                            bool *too_long, uint64_t offset)
{
    struct listpack_cursor c;
    const unsigned char *p;
    struct rdb_element e;
    bool end;
    *too_long = false;
    listpack_cursor_init(&c, ld->blob);
    for (size_t index = 0;; index++) {
        if (!rdb_listpack_step(ld, &c, offset, &p, &end))
            return false;
        if (end)
            return true;
        rdb_listpack_element(p, &e);
        if (scored && index % 2 == 1) {
            if (!rdb_score_valid(&e))
                return rdb_fail_at(ld, offset, "invalid score in listpack");
        } else if ((long long)e.len > value_max) {
            *too_long = true;
        }
    }
}

/* One field or member of a pairs listpack, as text (integers formatted). */
struct rdb_pair_key {
    const char *str;
    size_t len;
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
};

static int rdb_pair_key_compare(const void *a, const void *b)
{
    const struct rdb_pair_key *x = *(const struct rdb_pair_key *const *)a;
    const struct rdb_pair_key *y = *(const struct rdb_pair_key *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int cmp = n ? memcmp(x->str, y->str, n) : 0;
    return cmp != 0 ? cmp : (x->len > y->len) - (x->len < y->len);
}

/* Deep validation of a hash or sorted set listpack also refuses a field
 * or member that appears twice (Redis's lpValidateIntegrityAndDups): the
 * keys (pairs of them, the listpack walked already by rdb_check_pairs)
 * sorted through pointers, so an integer's text stays in its slot, and
 * compared neighbour to neighbour. */
static bool rdb_check_pair_dups(struct rdb_loader *ld, size_t pairs, uint64_t offset)
{
    struct rdb_pair_key *keys = alloc_bytes(pairs * sizeof(*keys));
    struct rdb_pair_key **order = alloc_bytes(pairs * sizeof(*order));
    struct listpack_cursor c;
    const unsigned char *p;
    bool end;
    size_t n = 0;
    listpack_cursor_init(&c, ld->blob);
    for (size_t index = 0; n < pairs; index++) {
        bool stepped = rdb_listpack_step(ld, &c, offset, &p, &end);
        assert(stepped && !end);
        (void)stepped;
        if (index % 2 != 0)
            continue;
        struct rdb_pair_key *k = &keys[n];
        k->str = (const char *)listpack_get_text(p, &k->len, k->buf);
        order[n++] = k;
    }
    qsort(order, n, sizeof(*order), rdb_pair_key_compare);
    bool dup = false;
    for (size_t i = 1; i < n && !dup; i++)
        dup = rdb_pair_key_compare(&order[i - 1], &order[i]) == 0;
    alloc_free(order);
    alloc_free(keys);
    if (dup)
        return rdb_fail_at(ld, offset, "listpack with duplicate elements");
    return true;
}

/* Types 16 and 17: the blob becomes the value as it is, unless it breaks
 * the limits, in which case it is rebuilt in the big encoding. Like Redis
 * 7.0, a shallow load decides on the entry count alone (the longest element
 * takes a walk); a deep one walks every entry anyway, and checks the
 * lengths and the scores as it goes. */
static bool rdb_load_pairs_listpack(struct rdb_loader *ld, struct rdb_value *v)
{
    size_t count;
    uint64_t offset;
    if (!rdb_read_listpack(ld, &count, &offset))
        return false;
    if (count == 0)
        return true;
    if (count % 2 != 0)
        return rdb_fail_at(ld, offset, "listpack with an odd number of entries");
    bool scored = v->type == KV_ZSET, too_long = false;
    const struct encoding_limits *lim = ld->limits;
    long long entries_max =
        scored ? lim->zset_max_listpack_entries : lim->hash_max_listpack_entries;
    long long value_max = scored ? lim->zset_max_listpack_value : lim->hash_max_listpack_value;
    if (ld->deep && (!rdb_check_pairs(ld, scored, value_max, &too_long, offset) ||
                     !rdb_check_pair_dups(ld, count / 2, offset)))
        return false;
    if (too_long || (long long)(count / 2) > entries_max) {
        v->count_hint = count / 2;
        return rdb_feed_listpack(ld, v, true, offset);
    }
    unsigned char *lp = listpack_from_bytes(ld->blob, ld->blob_len);
    v->kv = kv_new_object(ld->key.data, ld->key.len, v->type, KV_ENC_LISTPACK, lp);
    return true;
}

static bool rdb_load_intset(struct rdb_loader *ld, struct rdb_value *v)
{
    uint64_t offset = ld->src->offset;
    if (!rdb_read_blob(ld))
        return false;
    const unsigned char *blob = ld->blob;
    long long max = ld->limits->set_max_intset_entries;
    bool valid = intset_validate_shallow(blob, ld->blob_len);
    /* The order check is deep validation's, and a conversion needs it too:
     * the hashtable it builds asserts that every value is new. */
    if (valid && (ld->deep || (long long)intset_length(blob) > max))
        valid = intset_validate(blob, ld->blob_len);
    if (!valid)
        return rdb_fail_at(ld, offset, "invalid intset");
    unsigned char *is = intset_from_bytes(blob, ld->blob_len);
    v->kv = kv_new_object(ld->key.data, ld->key.len, KV_SET, KV_ENC_INTSET, is);
    size_t length = intset_length(is);
    if ((long long)length > max)
        set_convert_to_hashtable(v->kv, length);
    return true;
}

/* Appends a validated, non-empty listpack as a node of its own, as Redis's
 * quicklist loader does, rather than re-packing every element. */
static void rdb_list_adopt_node(struct rdb_loader *ld, struct rdb_value *v, size_t count)
{
    if (v->list == NULL)
        rdb_value_create(ld, v, NULL);
    list_append_listpack(v->list, listpack_from_bytes(ld->blob, ld->blob_len), (uint32_t)count);
}

/* Types 14 and 18: a count of nodes, each a ziplist (14) or a container
 * tag and then a listpack or a single plain element (18). */
static bool rdb_load_quicklist(struct rdb_loader *ld, int type, struct rdb_value *v)
{
    uint64_t nodes;
    if (!rdb_read_count(ld, &nodes, 2))
        return false;
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = RDB_QUICKLIST_NODE_PACKED, offset = ld->src->offset;
        if (type == RDB_TYPE_LIST_QUICKLIST_2 && !rdb_read_len(ld, &container))
            return false;
        if (container != RDB_QUICKLIST_NODE_PACKED && container != RDB_QUICKLIST_NODE_PLAIN)
            return rdb_fail_at(ld, offset, "unknown quicklist node container %llu",
                               (unsigned long long)container);
        if (type == RDB_TYPE_LIST_QUICKLIST || container == RDB_QUICKLIST_NODE_PLAIN) {
            offset = ld->src->offset;
            if (!rdb_read_string(ld, &ld->a))
                return false;
            /* Redis refuses an empty node of either kind. */
            if (ld->a.len == 0)
                return rdb_fail_at(ld, offset, "empty quicklist node");
            struct rdb_element e = rdb_text_element(&ld->a);
            bool ok = type == RDB_TYPE_LIST_QUICKLIST ? rdb_load_ziplist(ld, v, offset)
                                                      : rdb_value_add(ld, v, &e, NULL, offset);
            if (!ok)
                return false;
            continue;
        }
        size_t count;
        if (!rdb_read_listpack(ld, &count, &offset))
            return false;
        if (count > UINT32_MAX)
            return rdb_fail_at(ld, offset, "quicklist node with too many entries");
        if (count > 0)
            rdb_list_adopt_node(ld, v, count);
    }
    return true;
}

/* ---- Streams (RDB_TYPE_STREAM_LISTPACKS, _2 and _3) ---- */

static bool rdb_read_stream_id(struct rdb_loader *ld, struct stream_id *id)
{
    return rdb_read_len(ld, &id->ms) && rdb_read_len(ld, &id->seq);
}

static bool rdb_load_stream_nodes(struct rdb_loader *ld, struct stream *s)
{
    uint64_t nodes;
    if (!rdb_read_len(ld, &nodes))
        return false;
    while (nodes--) {
        uint64_t offset = ld->src->offset;
        if (!rdb_read_string(ld, &ld->b))
            return false;
        if (ld->b.len != 16)
            return rdb_fail_at(ld, offset,
                               "Stream node key entry is not the size of a stream ID");
        struct stream_id master;
        stream_id_decode((const unsigned char *)ld->b.data, &master);
        offset = ld->src->offset;
        if (!rdb_read_blob(ld))
            return false;
        if (!listpack_validate(ld->blob, ld->blob_len, true, NULL, NULL))
            return rdb_fail_at(ld, offset, "Stream listpack integrity check failed.");
        unsigned char *lp = listpack_from_bytes(ld->blob, ld->blob_len);
        if (!stream_node_validate(lp, ld->blob_len, &master, true, NULL)) {
            listpack_free(lp);
            return rdb_fail_at(ld, offset, "Stream listpack integrity check failed.");
        }
        if (s->node_count && stream_id_cmp(&s->nodes[s->node_count - 1].master, &master) >= 0) {
            listpack_free(lp);
            return rdb_fail_at(ld, offset, "Listpack re-added with existing key");
        }
        stream_adopt_node(s, &master, lp);
    }
    return true;
}

static bool rdb_load_stream_group(struct rdb_loader *ld, struct stream *s, int type)
{
    uint64_t offset = ld->src->offset;
    if (!rdb_read_string(ld, &ld->b))
        return false;
    struct stream_id last;
    if (!rdb_read_stream_id(ld, &last))
        return false;
    long long entries_read;
    if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
        uint64_t v;
        if (!rdb_read_len(ld, &v))
            return false;
        entries_read = (long long)v;
    } else {
        entries_read = stream_estimate_distance(s, &last);
    }
    struct stream_group *g = stream_group_create(s, ld->b.data, ld->b.len, &last, entries_read);
    if (!g)
        return rdb_fail_at(ld, offset, "Duplicated consumer group name");
    uint64_t pel;
    if (!rdb_read_len(ld, &pel))
        return false;
    while (pel--) {
        unsigned char raw[16];
        uint64_t when, count;
        offset = ld->src->offset;
        if (!rdb_read(ld, raw, sizeof(raw)) || !rdb_read_le(ld, &when, 8) ||
            !rdb_read_len(ld, &count))
            return false;
        struct stream_nack *nack = alloc_zeroed(sizeof(*nack));
        stream_id_decode(raw, &nack->id);
        nack->delivery_time = (int64_t)when;
        nack->delivery_count = count;
        if (!stream_idmap_insert(&g->pel, &nack->id, nack)) {
            alloc_free(nack);
            return rdb_fail_at(ld, offset,
                               "Duplicated global PEL entry loading stream consumer group");
        }
    }
    uint64_t consumers;
    if (!rdb_read_len(ld, &consumers))
        return false;
    bool failed = false;
    while (consumers-- && !failed) {
        offset = ld->src->offset;
        uint64_t seen, active = 0, cpel;
        if (!rdb_read_string(ld, &ld->b) || !rdb_read_le(ld, &seen, 8))
            return false;
        if (type >= RDB_TYPE_STREAM_LISTPACKS_3 && !rdb_read_le(ld, &active, 8))
            return false;
        struct stream_consumer *c =
            stream_consumer_create(g, ld->b.data, ld->b.len, (int64_t)seen);
        if (!c)
            return rdb_fail_at(ld, offset, "Duplicate stream consumer detected.");
        c->active_time = type >= RDB_TYPE_STREAM_LISTPACKS_3 ? (int64_t)active : -1;
        if (!rdb_read_len(ld, &cpel))
            return false;
        while (cpel--) {
            unsigned char raw[16];
            struct stream_id id;
            offset = ld->src->offset;
            if (!rdb_read(ld, raw, sizeof(raw)))
                return false;
            stream_id_decode(raw, &id);
            struct stream_nack *nack = stream_idmap_find(&g->pel, &id);
            if (!nack)
                return rdb_fail_at(ld, offset, "Consumer entry not found in group global PEL");
            if (nack->consumer || !stream_idmap_insert(&c->pel, &id, nack))
                return rdb_fail_at(ld, offset, "Duplicated consumer PEL entry");
            nack->consumer = c;
        }
    }
    for (struct stream_idmap_node *n = stream_idmap_seek(&g->pel, NULL); n != NULL;
         n = stream_idmap_next(n)) {
        const struct stream_nack *nack = stream_idmap_node_value(n);
        if (!nack->consumer)
            return rdb_fail_at(ld, offset, "Stream CG PEL entry without consumer");
    }
    return true;
}

/* Reads a stream into v->kv (which owns it from the start, so a failure
 * part way frees everything through rdb_value_discard). */
static bool rdb_load_stream(struct rdb_loader *ld, int type, struct rdb_value *v)
{
    struct stream *s = stream_new();
    v->kv = stream_kv_new(ld->key.data, ld->key.len, s);
    uint64_t offset = ld->src->offset;
    if (!rdb_load_stream_nodes(ld, s))
        return false;
    if (!rdb_read_len(ld, &s->length) || !rdb_read_stream_id(ld, &s->last_id))
        return false;
    if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
        if (!rdb_read_stream_id(ld, &s->first_id) || !rdb_read_stream_id(ld, &s->max_deleted_id) ||
            !rdb_read_len(ld, &s->entries_added))
            return false;
    } else {
        s->entries_added = s->length;
        stream_update_first_id(s);
    }
    uint64_t live = 0;
    for (size_t i = 0; i < s->node_count; i++) {
        unsigned char *p = listpack_first(s->nodes[i].lp);
        struct listpack_entry e;
        listpack_get(p, &e);
        live += (uint64_t)e.integer;
    }
    if (live != s->length)
        return rdb_fail_at(ld, offset, "Stream length inconsistent with rax entries");
    /* New IDs must sort after every stored one (XADD relies on it). */
    struct stream_id top;
    if (s->node_count && stream_edge_id(s, false, &top) && stream_id_cmp(&top, &s->last_id) > 0)
        return rdb_fail_at(ld, offset, "Stream last ID is smaller than its last entry");
    uint64_t groups;
    if (!rdb_read_len(ld, &groups))
        return false;
    while (groups--)
        if (!rdb_load_stream_group(ld, s, type))
            return false;
    return true;
}

static bool rdb_refuse_type(struct rdb_loader *ld, int type, uint64_t offset)
{
    switch (type) {
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
        return rdb_fail_at(ld, offset, "module values are not supported (type %d)", type);
    case RDB_TYPE_HASH_METADATA_PRE_GA:
    case RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
    case RDB_TYPE_HASH_METADATA:
    case RDB_TYPE_HASH_LISTPACK_EX:
        return rdb_fail_at(ld, offset,
                           "hashes with field expiration (type %d, Redis 7.4) are not supported",
                           type);
    }
    return rdb_fail_at(ld, offset, "unknown RDB value type %d", type);
}

/* The kv type a loadable RDB type id builds, or -1. */
static int rdb_type_kv(int type)
{
    switch (type) {
    case RDB_TYPE_STRING:
        return KV_STRING;
    case RDB_TYPE_LIST: case RDB_TYPE_LIST_ZIPLIST: case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        return KV_LIST;
    case RDB_TYPE_SET: case RDB_TYPE_SET_INTSET: case RDB_TYPE_SET_LISTPACK:
        return KV_SET;
    case RDB_TYPE_ZSET: case RDB_TYPE_ZSET_2: case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK:
        return KV_ZSET;
    case RDB_TYPE_HASH: case RDB_TYPE_HASH_ZIPMAP: case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_HASH_LISTPACK:
        return KV_HASH;
    case RDB_TYPE_STREAM_LISTPACKS: case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        return KV_STREAM;
    }
    return -1;
}

/* Reads the value of the key in ld->key. *out gets the owned kv, or NULL
 * for an empty collection. */
static bool rdb_load_value(struct rdb_loader *ld, int type, struct kv **out)
{
    struct rdb_value v = {.type = (enum kv_type)rdb_type_kv(type)};
    uint64_t offset = ld->src->offset;
    bool ok;
    *out = NULL;
    assert(rdb_type_kv(type) >= 0);
    switch (type) {
    case RDB_TYPE_STRING: {
        const char *val;
        size_t val_len;
        if (!rdb_read_string_ref(ld, &ld->a, &val, &val_len))
            return false;
        *out = kv_new_string(ld->key.data, ld->key.len, val, val_len, -1);
        return true;
    }
    case RDB_TYPE_LIST: case RDB_TYPE_SET: case RDB_TYPE_ZSET: case RDB_TYPE_HASH:
    case RDB_TYPE_ZSET_2:
        ok = rdb_load_plain(ld, type, &v);
        break;
    case RDB_TYPE_LIST_ZIPLIST: case RDB_TYPE_ZSET_ZIPLIST: case RDB_TYPE_HASH_ZIPLIST:
        ok = rdb_read_string(ld, &ld->a) && rdb_load_ziplist(ld, &v, offset);
        break;
    case RDB_TYPE_LIST_QUICKLIST: case RDB_TYPE_LIST_QUICKLIST_2:
        ok = rdb_load_quicklist(ld, type, &v);
        break;
    case RDB_TYPE_HASH_ZIPMAP:
        ok = rdb_load_zipmap(ld, &v);
        break;
    case RDB_TYPE_SET_INTSET:
        ok = rdb_load_intset(ld, &v);
        break;
    case RDB_TYPE_SET_LISTPACK: {
        /* The count is the hint only once the blob was read and validated:
         * after a failure there is no count, and nothing to size. */
        size_t count = 0;
        ok = rdb_read_listpack(ld, &count, &offset);
        if (ok) {
            v.count_hint = count;
            ok = rdb_feed_listpack(ld, &v, false, offset);
        }
        break;
    }
    case RDB_TYPE_HASH_LISTPACK: case RDB_TYPE_ZSET_LISTPACK:
        ok = rdb_load_pairs_listpack(ld, &v);
        break;
    case RDB_TYPE_STREAM_LISTPACKS: case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        ok = rdb_load_stream(ld, type, &v);
        break;
    default:
        assert(!"rdb_type_kv and rdb_load_value disagree");
        return false;
    }
    if (!ok) {
        rdb_value_discard(&v);
        return false;
    }
    *out = rdb_value_finish(ld, &v);
    return true;
}

/* ======================================================================
 * The load loop
 * ====================================================================== */

static bool rdb_load_header(struct rdb_loader *ld)
{
    char magic[RDB_MAGIC_BYTES + 1];
    if (!rdb_read(ld, magic, RDB_MAGIC_BYTES))
        return false;
    magic[RDB_MAGIC_BYTES] = '\0';
    if (memcmp(magic, "REDIS", 5) != 0)
        return rdb_fail_at(ld, 0, "wrong signature trying to load DB from file");
    int version = 0;
    for (int i = 5; i < RDB_MAGIC_BYTES; i++) {
        if (magic[i] < '0' || magic[i] > '9')
            return rdb_fail_at(ld, 5, "bad version digits in the header");
        version = version * 10 + (magic[i] - '0');
    }
    ld->version = ld->info->version = version;
    if (version < 1 || version > RDB_VERSION_LOAD_MAX)
        return rdb_fail_at(ld, 5, "Can't handle RDB format version %d", version);
    return true;
}

static long long rdb_aux_ll(const struct rdb_text *t)
{
    long long v;
    return number_parse_ll(t->data, t->len, &v) ? v : -1;
}

static bool rdb_load_aux(struct rdb_loader *ld)
{
    if (!rdb_read_string(ld, &ld->a) || !rdb_read_string(ld, &ld->b))
        return false;
    struct rdb_load_info *info = ld->info;
    const char *key = ld->a.data;
    size_t ver_len = ld->b.len < sizeof(info->redis_ver) ? ld->b.len : sizeof(info->redis_ver) - 1;
    if (strcmp(key, "redis-ver") == 0 || strcmp(key, "valkey-ver") == 0)
        snprintf(info->redis_ver, sizeof(info->redis_ver), "%.*s", (int)ver_len, ld->b.data);
    else if (strcmp(key, "redis-bits") == 0)
        info->redis_bits = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "ctime") == 0)
        info->ctime_s = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "used-mem") == 0)
        info->used_mem = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "aof-base") == 0)
        info->aof_base = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "repl-stream-db") == 0)
        info->repl_stream_db = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "repl-offset") == 0)
        info->repl_offset = rdb_aux_ll(&ld->b);
    else if (strcmp(key, "repl-id") == 0 && ld->b.len == sizeof(info->repl_id) - 1)
        memcpy(info->repl_id, ld->b.data, sizeof(info->repl_id));
    if (ld->options->on_aux != NULL)
        ld->options->on_aux(ld->options->aux_ctx, ld->a.data, ld->a.len, ld->b.data, ld->b.len);
    return true;
}

/* ---- Keys on their way into the keyspace ----
 *
 * Inserting a key in a big table waits twice on memory: for the bucket it
 * lands in, then for the key already there, compared to find a duplicate.
 * In file order that was two thirds of loading a file of small strings. So
 * a key waits in a short queue after its value was read: the bucket is
 * fetched when it joins, the first key in that bucket half way down, and
 * the duplicate check and the insertion happen when it leaves, by which
 * time both are usually in the cache. The order of insertion is the
 * file's, so a duplicate is found exactly as before. The prefetches read
 * the dict's public table fields; a table that changes meanwhile costs a
 * useless fetch, nothing more. */

static const struct dict_table *rdb_insert_table(const struct dict *d)
{
    return &d->table[dict_is_rehashing(d) ? 1 : 0];
}

/* The bucket a key of this hash lands in. */
static const void *rdb_bucket_address(const struct dict *d, uint64_t hash)
{
    const struct dict_table *t = rdb_insert_table(d);
    return t->size != 0 ? &t->buckets[hash & (t->size - 1)] : NULL;
}

/* The first key in that bucket, or NULL. */
static const void *rdb_chain_address(const struct dict *d, uint64_t hash)
{
    const struct dict_table *t = rdb_insert_table(d);
    return t->size != 0 ? t->buckets[hash & (t->size - 1)] : NULL;
}

/* The prefetches stay in the caller: GCC finds a function that does
 * nothing but prefetch free of side effects and drops its calls. */
#define RDB_PREFETCH(address)                 \
    do {                                      \
        const void *rdb_address_ = (address); \
        if (rdb_address_ != NULL)             \
            __builtin_prefetch(rdb_address_); \
    } while (0)

/* Takes the oldest queued key into its db, or fails on a duplicate (which
 * is freed). */
static bool rdb_pending_pop(struct rdb_loader *ld)
{
    assert(ld->pending_count > 0);
    struct rdb_pending *e = &ld->pending[ld->pending_head];
    ld->pending_head = (ld->pending_head + 1) & (RDB_PENDING_KEYS - 1);
    ld->pending_count--;
    struct kv *kv = e->kv;
    const char *key = kv_key(kv);
    /* db_lookup(WRITE | NOTOUCH | NOEXPIRE) is this find, with the hash
     * already at hand. */
    if (dict_find(&e->db->keys, key, kv->key_len, e->hash) != NULL && ld->options->merge)
        db_delete(e->db, key, kv->key_len);
    else if (dict_find(&e->db->keys, key, kv->key_len, e->hash) != NULL) {
        bool ok = rdb_fail_at(ld, e->offset, "duplicate key '%.*s' in db %d",
                              (int)(kv->key_len > 64 ? 64 : kv->key_len), key, e->db->id);
        kv_free(kv);
        return ok;
    }
    db_add_loaded(e->db, kv);
    if (e->lru_s >= 0)
        kv->lru = (uint32_t)e->lru_s;
    /* A time before the epoch (other than -1, "none", as in Redis) comes
     * only from a damaged or hand-made file and is as past as 0 is. Kept
     * (an AOF base, a check), it is stored as 0: the keyspace holds no
     * negative time, which the encoder relies on. Found by fuzzing. */
    if (e->expire_ms != -1)
        db_set_expire(e->db, kv, e->expire_ms < 0 ? 0 : e->expire_ms);
    ld->info->keys_loaded++;
    return true;
}

/* Queues kv (owned) for db. Returns false if the key it pushed out of the
 * queue was a duplicate. */
static bool rdb_queue_key(struct rdb_loader *ld, struct db *db, struct kv *kv, int64_t expire_ms,
                          int64_t lru_s, uint64_t offset)
{
    bool ok = ld->pending_count < RDB_PENDING_KEYS || rdb_pending_pop(ld);
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    RDB_PREFETCH(rdb_bucket_address(&db->keys, hash));
    size_t tail = (ld->pending_head + ld->pending_count) & (RDB_PENDING_KEYS - 1);
    ld->pending[tail] = (struct rdb_pending){kv, db, hash, expire_ms, offset, lru_s};
    ld->pending_count++;
    if (ld->pending_count > RDB_PENDING_KEYS / 2) {
        size_t mid = (tail - RDB_PENDING_KEYS / 2) & (RDB_PENDING_KEYS - 1);
        RDB_PREFETCH(rdb_chain_address(&ld->pending[mid].db->keys, ld->pending[mid].hash));
    }
    return ok;
}

/* Inserts every queued key. The keys were read before anything that failed
 * since, so a duplicate among them is the first error in file order and
 * replaces an error already recorded. Returns whether the load is still
 * good. */
static bool rdb_pending_drain(struct rdb_loader *ld)
{
    bool failed_before = ld->failed;
    struct rdb_load_info saved = *ld->info;
    if (failed_before) {
        ld->failed = false;
        ld->info->io_error = 0;
        ld->info->checksum_missing = false;
    }
    bool ok = true;
    while (ld->pending_count > 0)
        ok = rdb_pending_pop(ld) && ok;
    if (failed_before && ok) {
        ld->failed = true;
        ld->info->error_offset = saved.error_offset;
        ld->info->io_error = saved.io_error;
        ld->info->checksum_missing = saved.checksum_missing;
        memcpy(ld->info->error_text, saved.error_text, sizeof(saved.error_text));
    }
    return ok && !failed_before;
}

/* A key of RDB type `type`: its name, its value, then (through the queue)
 * into db unless it has already expired. */
/* The access data a key's IDLE or FREQ gives it, as Redis's
 * objectSetLRUOrLFU: under an LFU policy a FREQ sets the counter (the
 * access time is the load's); otherwise an IDLE sets the access time.
 * Returns the access time to keep, or -1 for the load's. */
static int64_t rdb_key_access(const struct rdb_loader *ld, struct kv *kv,
                              const struct rdb_key_meta *meta)
{
    const struct keyspace *ks = ld->ks;
    if (ks->lfu_policy) {
        if (meta->freq >= 0) {
            kv->lfu = (uint8_t)meta->freq;
            return -1;
        }
    } else if (meta->idle_s >= 0) {
        return meta->idle_s >= (int64_t)ks->lru_clock_s ? 0 : (int64_t)ks->lru_clock_s - meta->idle_s;
    }
    return -1;
}

static bool rdb_load_key(struct rdb_loader *ld, struct db *db, int type,
                         const struct rdb_key_meta *meta)
{
    int64_t expire_ms = meta->expire_ms;
    uint64_t offset = ld->src->offset - 1;
    if (rdb_type_kv(type) < 0)
        return rdb_refuse_type(ld, type, offset);
    struct kv *kv;
    if (!rdb_read_string(ld, &ld->key) || !rdb_load_value(ld, type, &kv))
        return false;
    ld->info->keys_by_type[type]++;
    if (kv == NULL) {
        ld->info->keys_empty_skipped++;
        return true;
    }
    if (expire_ms != -1 && !ld->options->keep_expired && expire_ms < ld->options->now_ms) {
        ld->info->keys_expired_skipped++;
        kv_free(kv);
        return true;
    }
    return rdb_queue_key(ld, db, kv, expire_ms, rdb_key_access(ld, kv, meta), offset);
}

/* The CRC-64 after EOF (versions 5 and up; 0 means "not computed"). A
 * load that skipped deep validation needs a checksum that matched: it is
 * all that vouches for the blobs. */
static bool rdb_load_trailer(struct rdb_loader *ld)
{
    uint64_t stored = 0, offset = ld->src->offset;
    if (ld->version >= 5) {
        rdb_source_crc_sync(ld->src);
        uint64_t computed = ld->src->crc;
        if (!rdb_read_le(ld, &stored, 8))
            return false;
        ld->info->checksum = stored;
        if (stored != 0 && stored != computed)
            return rdb_fail_at(ld, offset,
                               "wrong RDB checksum: file says %016llx, data gives %016llx",
                               (unsigned long long)stored, (unsigned long long)computed);
    }
    if (stored == 0 && !ld->deep) {
        ld->info->checksum_missing = true;
        return rdb_fail_at(ld, offset, "the file has no checksum to vouch for values loaded "
                                       "without deep validation: load it with deep validation");
    }
    return true;
}

/* Handles one opcode that is not a key. *done is set at EOF. */
static void rdb_info_init(struct rdb_load_info *info);

/* ---- Function libraries ----
 *
 * A record is the library's source as one string. The pre-GA form (7.0
 * release candidates, opcode 246) puts the library name, the engine name,
 * a description flag and maybe a description before it; Redis 7.0 reads
 * and ignores them, and so do we. The reasons are Redis's texts. */

static bool rdb_read_function_code(struct rdb_loader *ld, int op, const char **why)
{
    if (op == RDB_OPCODE_FUNCTION_PRE_GA) {
        uint64_t has_desc;
        if (!rdb_read_string(ld, &ld->a)) {
            *why = "Failed loading library name";
            return false;
        }
        if (!rdb_read_string(ld, &ld->a)) {
            *why = "Failed loading engine name";
            return false;
        }
        if (!rdb_read_len(ld, &has_desc)) {
            *why = "Failed loading library description indicator";
            return false;
        }
        if (has_desc && !rdb_read_string(ld, &ld->a)) {
            *why = "Failed loading library description";
            return false;
        }
    }
    if (!rdb_read_string(ld, &ld->b)) {
        *why = "Failed loading library payload";
        return false;
    }
    return true;
}

static bool rdb_load_function(struct rdb_loader *ld, int op, uint64_t offset)
{
    const char *why = NULL;
    if (!rdb_read_function_code(ld, op, &why)) {
        /* The read's own reason (a short file) stays; Redis's comes first
         * for the log. */
        ld->failed = false;
        return rdb_fail_at(ld, offset, "Failed loading library, %s", why);
    }
    if (ld->options->on_function == NULL)
        return true;
    char err[RDB_ERROR_TEXT_BYTES - 32];
    err[0] = '\0';
    if (ld->options->on_function(ld->options->function_ctx, ld->b.data, ld->b.len,
                                 ld->options->merge, err, sizeof(err)))
        return true;
    return rdb_fail_at(ld, offset, "Failed loading library, %s", err);
}

enum rdb_function_record rdb_decode_function_record(struct rdb_source *src, char **code,
                                                    size_t *len, char *err, size_t err_len)
{
    struct rdb_load_info info;
    struct rdb_load_options options = {0};
    rdb_info_init(&info);
    struct rdb_loader ld = {.src = src, .options = &options, .info = &info, .deep = true};
    const char *why = NULL;
    enum rdb_function_record r = RDB_FUNCTION_RECORD_BAD;
    unsigned char opcode;
    if (!rdb_read_byte(&ld, &opcode)) {
        snprintf(err, err_len, "can not read data type");
        return r;
    }
    if (opcode != RDB_OPCODE_FUNCTION2 && opcode != RDB_OPCODE_FUNCTION_PRE_GA) {
        snprintf(err, err_len, "given type is not a function");
        return r;
    }
    if (rdb_read_function_code(&ld, opcode, &why)) {
        *code = ld.b.data;
        *len = ld.b.len;
        ld.b.data = NULL;
        r = RDB_FUNCTION_RECORD_OK;
    } else {
        snprintf(err, err_len, "%s", why);
    }
    rdb_text_free(&ld.a);
    rdb_text_free(&ld.b);
    rdb_text_free(&ld.lzf);
    return r;
}

static bool rdb_load_opcode(struct rdb_loader *ld, unsigned char op, struct db **db,
                            struct rdb_key_meta *meta, bool *done)
{
    int64_t *expire_ms = &meta->expire_ms;
    uint64_t offset = ld->src->offset - 1, a, b;
    unsigned char byte;
    switch (op) {
    case RDB_OPCODE_EXPIRETIME:
        if (!rdb_read_le(ld, &a, 4))
            return false;
        *expire_ms = (int64_t)(int32_t)a * 1000;
        return true;
    case RDB_OPCODE_EXPIRETIME_MS:
        if (!rdb_read_le(ld, &a, 8))
            return false;
        *expire_ms = (int64_t)a;
        return true;
    case RDB_OPCODE_FREQ:
        if (!rdb_read_byte(ld, &byte))
            return false;
        meta->freq = byte;
        return true;
    case RDB_OPCODE_IDLE:
        if (!rdb_read_len(ld, &a))
            return false;
        meta->idle_s = a > INT64_MAX ? INT64_MAX : (int64_t)a;
        return true;
    case RDB_OPCODE_EOF:
        *done = true;
        return rdb_load_trailer(ld);
    case RDB_OPCODE_SELECTDB:
        if (!rdb_read_len(ld, &a))
            return false;
        if (a >= (uint64_t)ld->ks->db_count)
            return rdb_fail_at(ld, offset, "DB index %llu is out of range (databases is %d)",
                               (unsigned long long)a, ld->ks->db_count);
        *db = &ld->ks->dbs[a];
        return true;
    case RDB_OPCODE_RESIZEDB:
        if (!rdb_read_len(ld, &a) || !rdb_read_len(ld, &b))
            return false;
        dict_expand(&(*db)->keys, rdb_presize(ld, a));
        dict_expand(&(*db)->expires, rdb_presize(ld, b));
        return true;
    case RDB_OPCODE_SLOT_INFO:
        return rdb_read_len(ld, &a) && rdb_read_len(ld, &a) && rdb_read_len(ld, &a);
    case RDB_OPCODE_AUX:
        return rdb_load_aux(ld);
    case RDB_OPCODE_MODULE_AUX:
        return rdb_fail_at(ld, offset, "module data (MODULE_AUX) is not supported");
    case RDB_OPCODE_FUNCTION2:
    case RDB_OPCODE_FUNCTION_PRE_GA:
        return rdb_load_function(ld, op, offset);
    }
    assert(!"not an opcode");
    return false;
}

static void rdb_info_init(struct rdb_load_info *info)
{
    memset(info, 0, sizeof(*info));
    info->redis_bits = info->ctime_s = info->used_mem = info->aof_base = -1;
    info->repl_offset = info->repl_stream_db = -1;
    info->repl_id[0] = '\0';
}

enum rdb_load_result rdb_load(struct rdb_source *src, struct keyspace *ks,
                              const struct rdb_load_options *options, struct rdb_load_info *info)
{
    assert(options->limits != NULL);
    assert(ks->db_count > 0);
    struct rdb_loader ld = {.src = src, .ks = ks, .options = options, .limits = options->limits,
                            .info = info, .deep = !options->skip_deep_validation};
    rdb_info_init(info);
    struct db *db = &ks->dbs[0];
    struct rdb_key_meta meta = {.expire_ms = -1, .idle_s = -1, .freq = -1};
    bool done = false, ok = rdb_load_header(&ld);
    while (ok && !done) {
        unsigned char op;
        if (!rdb_read_byte(&ld, &op)) {
            ok = false;
        } else if (op >= RDB_OPCODE_SLOT_INFO) {
            ok = rdb_load_opcode(&ld, op, &db, &meta, &done);
        } else {
            /* An expiry (and IDLE/FREQ) applies to the next key only. */
            ok = rdb_load_key(&ld, db, op, &meta);
            meta = (struct rdb_key_meta){.expire_ms = -1, .idle_s = -1, .freq = -1};
        }
    }
    ok = rdb_pending_drain(&ld) && ok;
    info->bytes = src->offset;
    rdb_text_free(&ld.key);
    rdb_text_free(&ld.a);
    rdb_text_free(&ld.b);
    rdb_text_free(&ld.lzf);
    if (ok)
        return RDB_LOAD_OK;
    assert(ld.failed);
    return info->io_error != 0 ? RDB_LOAD_IO : RDB_LOAD_BAD;
}

const char *rdb_type_name(int type)
{
    static const char *const names[RDB_TYPE_COUNT] = {
        [RDB_TYPE_STRING] = "string", [RDB_TYPE_LIST] = "list", [RDB_TYPE_SET] = "set",
        [RDB_TYPE_ZSET] = "zset", [RDB_TYPE_HASH] = "hash", [RDB_TYPE_ZSET_2] = "zset2",
        [RDB_TYPE_MODULE_PRE_GA] = "module-pre-ga", [RDB_TYPE_MODULE_2] = "module2",
        [RDB_TYPE_HASH_ZIPMAP] = "hash-zipmap", [RDB_TYPE_LIST_ZIPLIST] = "list-ziplist",
        [RDB_TYPE_SET_INTSET] = "set-intset", [RDB_TYPE_ZSET_ZIPLIST] = "zset-ziplist",
        [RDB_TYPE_HASH_ZIPLIST] = "hash-ziplist", [RDB_TYPE_LIST_QUICKLIST] = "quicklist",
        [RDB_TYPE_STREAM_LISTPACKS] = "stream", [RDB_TYPE_HASH_LISTPACK] = "hash-listpack",
        [RDB_TYPE_ZSET_LISTPACK] = "zset-listpack", [RDB_TYPE_LIST_QUICKLIST_2] = "quicklist2",
        [RDB_TYPE_STREAM_LISTPACKS_2] = "stream2", [RDB_TYPE_SET_LISTPACK] = "set-listpack",
        [RDB_TYPE_STREAM_LISTPACKS_3] = "stream3",
        [RDB_TYPE_HASH_METADATA_PRE_GA] = "hash-metadata-pre-ga",
        [RDB_TYPE_HASH_LISTPACK_EX_PRE_GA] = "hash-listpack-ex-pre-ga",
        [RDB_TYPE_HASH_METADATA] = "hash-metadata",
        [RDB_TYPE_HASH_LISTPACK_EX] = "hash-listpack-ex",
    };
    if (type < 0 || type >= RDB_TYPE_COUNT || names[type] == NULL)
        return "unknown";
    return names[type];
}


/* ======================================================================
 * RESTORE payloads
 * ====================================================================== */

/* The footer as Redis's verifyDumpPayload checks it. */
static bool rdb_restore_footer_ok(const unsigned char *p, size_t len, bool skip_checksum)
{
    if (len < RDB_DUMP_FOOTER_BYTES)
        return false;
    const unsigned char *footer = p + len - RDB_DUMP_FOOTER_BYTES;
    unsigned version = (unsigned)footer[0] | (unsigned)footer[1] << 8;
    if (version > RDB_VERSION)
        return false;
    if (skip_checksum)
        return true;
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++)
        stored |= (uint64_t)footer[2 + i] << (8 * i);
    return stored == crc64_update(CRC64_INIT, p, len - 8);
}

enum rdb_restore_result rdb_restore_value(const void *payload, size_t len, const char *key,
                                          size_t key_len, const struct encoding_limits *limits,
                                          bool skip_checksum, struct kv **out,
                                          struct rdb_restore_error *err)
{
    *out = NULL;
    if (!rdb_restore_footer_ok(payload, len, skip_checksum))
        return RDB_RESTORE_BAD_FOOTER;
    /* The value is read from the bytes before the footer only, so a
     * truncated value ends the input rather than eating the footer. */
    struct rdb_source src;
    rdb_source_init_memory(&src, payload, len - RDB_DUMP_FOOTER_BYTES);
    struct rdb_load_options options = {.limits = limits};
    struct rdb_load_info info;
    rdb_info_init(&info);
    struct rdb_loader ld = {.src = &src, .options = &options, .limits = limits, .info = &info,
                            .deep = true, .version = RDB_VERSION};
    rdb_text_reserve(&ld.key, key_len);
    memcpy(ld.key.data, key, key_len);
    ld.key.len = key_len;
    ld.key.data[key_len] = '\0';
    unsigned char type;
    struct kv *kv = NULL;
    bool ok = rdb_read_byte(&ld, &type) &&
              (rdb_type_kv(type) >= 0 ? rdb_load_value(&ld, type, &kv)
                                      : rdb_refuse_type(&ld, type, 0));
    if (ok && kv == NULL)
        rdb_fail_at(&ld, 0, "empty keys are not restored");
    if (err != NULL) {
        err->offset = info.error_offset;
        snprintf(err->text, sizeof(err->text), "%s", info.error_text);
    }
    rdb_text_free(&ld.key);
    rdb_text_free(&ld.a);
    rdb_text_free(&ld.b);
    rdb_text_free(&ld.lzf);
    rdb_source_free(&src);
    /* An empty collection is refused, as Redis's loader does for RESTORE. */
    if (!ok || kv == NULL) {
        if (kv != NULL)
            kv_free(kv);
        return RDB_RESTORE_BAD_DATA;
    }
    *out = kv;
    return RDB_RESTORE_OK;
}
