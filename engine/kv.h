/* kv.h: one key and its value in one allocation.
 *
 * A `struct kv` is the keyspace's unit: the dict link, the key bytes and,
 * for strings, the value bytes, all in a single block, so a small string
 * key costs one allocation plus its bucket slot (Redis 7.0 spends a
 * dictEntry, an sds key and a robj on it). Collection types keep a pointer
 * to their own structure after the key instead of the bytes.
 *
 * Layout of data[]: key (key_len bytes), then either the string value
 * (val_len bytes and a NUL, so numeric parsers can read it in place) or a
 * `void *` to the collection (unaligned; read it with kv_object).
 *
 * Because string values are stored inline, growing one may move the kv;
 * functions that can do that return the new address and the caller (db.c)
 * relinks it. */
#ifndef RINGKV_ENGINE_KV_H
#define RINGKV_ENGINE_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/dict.h"

/* A key or string value longer than this cannot be stored (uint32 lengths);
 * proto-max-bulk-len is checked against it at start-up. */
#define KV_BYTES_MAX ((size_t)UINT32_MAX - 64)
/* Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT and OBJ_SHARED_INTEGERS: only used
 * to report the encoding Redis would have chosen. */
#define KV_EMBSTR_BYTES_MAX 44
#define KV_SHARED_INTEGERS 10000
#define KV_INT_BYTES_MAX 20
/* A new key's LFU counter (Redis's LFU_INIT_VAL; engine/evict.h's
 * LFU_INIT_VAL is asserted equal). */
#define KV_LFU_INIT 5

/* Numbered as Redis's OBJ_* types. */
enum kv_type { KV_STRING = 0, KV_LIST = 1, KV_SET = 2, KV_ZSET = 3, KV_HASH = 4,
               KV_STREAM = 6 };

/* What OBJECT ENCODING reports. Strings are always stored as bytes; the
 * encoding records what Redis would use for them. */
enum kv_encoding {
    KV_ENC_RAW = 0,
    KV_ENC_INT,
    KV_ENC_EMBSTR,
    KV_ENC_HASHTABLE,
    KV_ENC_QUICKLIST,
    KV_ENC_LISTPACK,
    KV_ENC_INTSET,
    KV_ENC_SKIPLIST,
    KV_ENC_STREAM,
};

enum kv_flag {
    KV_FLAG_EXPIRES = 1 << 0, /* an entry exists in the db's expires dict */
};

struct kv {
    struct dict_node link; /* owned by the db's keys dict */
    uint32_t lru;          /* unix seconds of last access (OBJECT IDLETIME) */
    uint32_t key_len;
    uint32_t val_len;      /* string value bytes; 0 for other types */
    uint8_t type;          /* enum kv_type */
    uint8_t encoding;      /* enum kv_encoding */
    uint8_t flags;         /* enum kv_flag */
    uint8_t lfu;           /* LFU counter (OBJECT FREQ under an LFU policy) */
    char data[];
};

_Static_assert(sizeof(struct kv) == 24, "struct kv header must stay 24 bytes");

static inline const char *kv_key(const struct kv *kv)
{
    return kv->data;
}
static inline char *kv_string(struct kv *kv)
{
    return kv->data + kv->key_len;
}
static inline const char *kv_string_const(const struct kv *kv)
{
    return kv->data + kv->key_len;
}
static inline void *kv_object(const struct kv *kv)
{
    void *p;
    memcpy(&p, kv->data + kv->key_len, sizeof(p));
    return p;
}
static inline void kv_set_object(struct kv *kv, void *p)
{
    memcpy(kv->data + kv->key_len, &p, sizeof(p));
}

/* The encoding Redis 7.0's tryObjectEncoding picks for a stored string. */
enum kv_encoding kv_string_encoding(const char *val, size_t val_len);

/* Returns an owned string kv (encoding from kv_string_encoding unless
 * forced with enc >= 0). */
struct kv *kv_new_string(const char *key, size_t key_len, const char *val, size_t val_len, int enc);
/* Returns an owned kv holding obj (ownership of obj moves to the kv). */
struct kv *kv_new_object(const char *key, size_t key_len, enum kv_type type, enum kv_encoding enc,
                         void *obj);
/* Makes room for a string value of new_len bytes (contents of the first
 * min(old, new) bytes kept), greedily when grow is set (APPEND, SETRANGE).
 * Takes ownership of kv; returns the possibly moved kv. */
struct kv *kv_resize_string(struct kv *kv, size_t new_len, bool grow);
/* Bytes available for the string value without moving. */
size_t kv_string_capacity(const struct kv *kv);
/* Returns an owned deep copy with a new key (COPY). */
struct kv *kv_copy(const struct kv *kv, const char *key, size_t key_len);

/* Frees kv and its value (collections through their type module). */
void kv_free(struct kv *kv);

/* Name as TYPE / OBJECT ENCODING report it. */
const char *kv_type_name(enum kv_type type);
const char *kv_encoding_name(enum kv_encoding enc);

#endif
