/* kv.c: allocation, resizing and copying of single-block key/value entries.
 *
 * Owns the layout described in kv.h. Collection values are opaque here: the
 * collections code registers hooks to free and copy them. Invariant: a
 * string kv always has a NUL byte right after its val_len value bytes. */
#include "engine/kv.h"

#include <assert.h>

#include "engine/alloc.h"
#include "engine/hash.h"
#include "engine/list.h"
#include "engine/number.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/zset.h"

/* Collection values are owned by their type modules; these dispatch on
 * the kv's type so kv.c stays ignorant of their layouts. */
static void kv_free_object(enum kv_type type, enum kv_encoding enc, void *obj)
{
    switch (type) {
    case KV_LIST: list_free(obj, enc); return;
    case KV_HASH: hash_free(obj, enc); return;
    case KV_SET: set_free(obj, enc); return;
    case KV_ZSET: zset_free(obj, enc); return;
    case KV_STREAM: stream_free(obj); return;
    case KV_STRING: break;
    }
    assert(0 && "kv_free_object: not a collection");
}

static void *kv_copy_object(enum kv_type type, enum kv_encoding enc, const void *obj)
{
    switch (type) {
    case KV_LIST: return list_copy(obj, enc);
    case KV_HASH: return hash_copy(obj, enc);
    case KV_SET: return set_copy(obj, enc);
    case KV_ZSET: return zset_copy(obj, enc);
    case KV_STREAM: return stream_copy(obj);
    case KV_STRING: break;
    }
    assert(0 && "kv_copy_object: not a collection");
    return NULL;
}

enum kv_encoding kv_string_encoding(const char *val, size_t val_len)
{
    long long ignored;
    if (val_len <= KV_INT_BYTES_MAX && number_parse_ll(val, val_len, &ignored))
        return KV_ENC_INT;
    if (val_len <= KV_EMBSTR_BYTES_MAX)
        return KV_ENC_EMBSTR;
    return KV_ENC_RAW;
}

static size_t kv_string_block_bytes(size_t key_len, size_t val_len)
{
    return sizeof(struct kv) + key_len + val_len + 1;
}

struct kv *kv_new_string(const char *key, size_t key_len, const char *val, size_t val_len, int enc)
{
    assert(key_len <= KV_BYTES_MAX);
    assert(val_len <= KV_BYTES_MAX);
    struct kv *kv = alloc_bytes(kv_string_block_bytes(key_len, val_len));
    kv->link.next = NULL;
    kv->lru = 0;
    kv->key_len = (uint32_t)key_len;
    kv->val_len = (uint32_t)val_len;
    kv->type = KV_STRING;
    kv->encoding = (uint8_t)(enc >= 0 ? enc : (int)kv_string_encoding(val, val_len));
    kv->flags = 0;
    kv->lfu = KV_LFU_INIT; /* Redis's LFU_INIT_VAL */
    memcpy(kv->data, key, key_len);
    if (val_len)
        memcpy(kv->data + key_len, val, val_len);
    kv->data[key_len + val_len] = '\0';
    return kv;
}

struct kv *kv_new_object(const char *key, size_t key_len, enum kv_type type, enum kv_encoding enc,
                         void *obj)
{
    assert(type != KV_STRING);
    assert(key_len <= KV_BYTES_MAX);
    struct kv *kv = alloc_bytes(sizeof(struct kv) + key_len + sizeof(void *));
    kv->link.next = NULL;
    kv->lru = 0;
    kv->key_len = (uint32_t)key_len;
    kv->val_len = 0;
    kv->type = (uint8_t)type;
    kv->encoding = (uint8_t)enc;
    kv->flags = 0;
    kv->lfu = KV_LFU_INIT;
    memcpy(kv->data, key, key_len);
    kv_set_object(kv, obj);
    return kv;
}

size_t kv_string_capacity(const struct kv *kv)
{
    assert(kv->type == KV_STRING);
    return alloc_usable_size(kv) - sizeof(struct kv) - kv->key_len - 1;
}

struct kv *kv_resize_string(struct kv *kv, size_t new_len, bool grow)
{
    assert(kv->type == KV_STRING);
    assert(new_len <= KV_BYTES_MAX);
    size_t capacity = kv_string_capacity(kv);
    if (new_len > capacity || (!grow && capacity > new_len * 2 + 64)) {
        size_t want = new_len;
        /* sds's greedy rule: double below 1 MB, then add 1 MB at a time, so
         * a string built by repeated APPENDs costs amortised O(1) per byte. */
        if (grow)
            want = new_len < 1024 * 1024 ? new_len * 2 : new_len + 1024 * 1024;
        if (want > KV_BYTES_MAX)
            want = KV_BYTES_MAX;
        kv = alloc_resize(kv, kv_string_block_bytes(kv->key_len, want));
    }
    kv->val_len = (uint32_t)new_len;
    kv->data[kv->key_len + new_len] = '\0';
    return kv;
}

struct kv *kv_copy(const struct kv *kv, const char *key, size_t key_len)
{
    struct kv *copy;
    if (kv->type == KV_STRING) {
        copy = kv_new_string(key, key_len, kv_string_const(kv), kv->val_len, kv->encoding);
    } else {
        void *obj = kv_copy_object(kv->type, kv->encoding, kv_object(kv));
        copy = kv_new_object(key, key_len, kv->type, kv->encoding, obj);
    }
    /* A copy is a new object to Redis (COPY's duplicate starts at
     * LFU_INIT_VAL); db_add stamps its access time. */
    return copy;
}

void kv_free(struct kv *kv)
{
    if (!kv)
        return;
    if (kv->type != KV_STRING)
        kv_free_object(kv->type, kv->encoding, kv_object(kv));
    alloc_free(kv);
}

const char *kv_type_name(enum kv_type type)
{
    switch (type) {
    case KV_STRING: return "string";
    case KV_LIST: return "list";
    case KV_SET: return "set";
    case KV_ZSET: return "zset";
    case KV_HASH: return "hash";
    case KV_STREAM: return "stream";
    }
    return "unknown";
}

const char *kv_encoding_name(enum kv_encoding enc)
{
    switch (enc) {
    case KV_ENC_RAW: return "raw";
    case KV_ENC_INT: return "int";
    case KV_ENC_EMBSTR: return "embstr";
    case KV_ENC_HASHTABLE: return "hashtable";
    case KV_ENC_QUICKLIST: return "quicklist";
    case KV_ENC_LISTPACK: return "listpack";
    case KV_ENC_INTSET: return "intset";
    case KV_ENC_SKIPLIST: return "skiplist";
    case KV_ENC_STREAM: return "stream";
    }
    return "unknown";
}
