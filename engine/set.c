/* set.c: the set value type: intset and hashtable encodings, the switch
 * between them, iteration, random members and SSCAN steps. See set.h. */
#include "engine/set.h"

#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/intset.h"
#include "engine/number.h"

/* ---- Hashtable members ---- */

static uint64_t set_member_hash(const struct dict_node *node)
{
    const struct set_member *m = (const struct set_member *)node;
    return dict_hash_bytes(m->data, m->len);
}

static bool set_member_equal(const struct dict_node *node, const void *key, size_t key_len)
{
    const struct set_member *m = (const struct set_member *)node;
    return m->len == key_len && memcmp(m->data, key, key_len) == 0;
}

static const struct dict_type set_dict_type = {
    .hash_node = set_member_hash,
    .key_equal = set_member_equal,
};

static struct set_member *set_member_new(const char *data, size_t len)
{
    assert(len <= KV_BYTES_MAX);
    struct set_member *m = alloc_bytes(sizeof(*m) + len);
    m->link.next = NULL;
    m->len = (uint32_t)len;
    memcpy(m->data, data, len);
    return m;
}

static void set_member_free(struct dict_node *node, void *ctx)
{
    (void)ctx;
    alloc_free(node);
}

static struct dict *set_dict_new(void)
{
    struct dict *d = alloc_bytes(sizeof(*d));
    dict_init(d, &set_dict_type);
    return d;
}

/* Adds member unless present; returns whether it was absent. */
static bool set_dict_add(struct dict *d, const char *member, size_t len)
{
    uint64_t hash = dict_hash_bytes(member, len);
    if (dict_find(d, member, len, hash))
        return false;
    dict_add(d, &set_member_new(member, len)->link, hash);
    return true;
}

/* ---- Creation and conversion ---- */

struct kv *set_new_kv(const char *key, size_t key_len, const char *first, size_t first_len)
{
    long long ignored;
    if (first == NULL || number_parse_ll(first, first_len, &ignored))
        return kv_new_object(key, key_len, KV_SET, KV_ENC_INTSET, intset_new());
    return kv_new_object(key, key_len, KV_SET, KV_ENC_HASHTABLE, set_dict_new());
}

void set_convert_to_hashtable(struct kv *kv, size_t size_hint)
{
    assert(kv->type == KV_SET);
    if (kv->encoding == KV_ENC_HASHTABLE)
        return;
    assert(kv->encoding == KV_ENC_INTSET);
    unsigned char *is = kv_object(kv);
    struct dict *d = set_dict_new();
    size_t count = intset_length(is);
    /* Sizing the table once avoids rehashing through every power of two. */
    dict_expand(d, size_hint > count ? size_hint : count);
    for (size_t i = 0; i < count; i++) {
        long long v;
        bool found = intset_get(is, i, &v);
        assert(found);
        char text[SET_INT_TEXT_BYTES];
        size_t text_len = number_format_ll(text, v);
        bool added = set_dict_add(d, text, text_len);
        assert(added);
    }
    intset_free(is);
    kv_set_object(kv, d);
    kv->encoding = KV_ENC_HASHTABLE;
    assert(dict_size(d) == count);
}

/* ---- Membership ---- */

bool set_add(struct kv *kv, const char *member, size_t len, long long intset_max)
{
    assert(kv->type == KV_SET);
    if (kv->encoding == KV_ENC_INTSET) {
        long long v;
        if (number_parse_ll(member, len, &v)) {
            bool added;
            unsigned char *is = intset_add(kv_object(kv), v, &added);
            kv_set_object(kv, is);
            long long max = intset_max < SET_INTSET_ENTRIES_CAP ? intset_max
                                                                : SET_INTSET_ENTRIES_CAP;
            /* Redis checks the limit only after a successful add. */
            if (added && (long long)intset_length(is) > max)
                set_convert_to_hashtable(kv, 0);
            return added;
        }
        /* A member that is not an integer can only live in a hashtable. */
        set_convert_to_hashtable(kv, 0);
    }
    assert(kv->encoding == KV_ENC_HASHTABLE);
    return set_dict_add(kv_object(kv), member, len);
}

bool set_remove(struct kv *kv, const char *member, size_t len)
{
    assert(kv->type == KV_SET);
    if (kv->encoding == KV_ENC_INTSET) {
        long long v;
        if (!number_parse_ll(member, len, &v))
            return false;
        bool removed;
        kv_set_object(kv, intset_remove(kv_object(kv), v, &removed));
        return removed;
    }
    struct dict *d = kv_object(kv);
    struct dict_node *node = dict_remove(d, member, len, dict_hash_bytes(member, len));
    if (!node)
        return false;
    alloc_free(node);
    /* Give the bucket array back once the set has mostly emptied, as
     * Redis's setTypeRemove does. */
    dict_shrink_if_sparse(d);
    return true;
}

bool set_contains(const struct kv *kv, const char *member, size_t len)
{
    assert(kv->type == KV_SET);
    if (kv->encoding == KV_ENC_INTSET) {
        long long v;
        return number_parse_ll(member, len, &v) && intset_find(kv_object(kv), v);
    }
    return dict_find(kv_object(kv), member, len, dict_hash_bytes(member, len)) != NULL;
}

size_t set_size(const struct kv *kv)
{
    assert(kv->type == KV_SET);
    if (kv->encoding == KV_ENC_INTSET)
        return intset_length(kv_object(kv));
    return (size_t)dict_size((const struct dict *)kv_object(kv));
}

static void set_elem_from_int(struct set_elem *out, long long v)
{
    out->len = number_format_ll(out->text, v);
    out->ptr = out->text;
}

static void set_elem_from_node(struct set_elem *out, const struct dict_node *node)
{
    const struct set_member *m = (const struct set_member *)node;
    out->ptr = m->data;
    out->len = m->len;
}

void set_random(const struct kv *kv, uint64_t (*rand64)(void), struct set_elem *out)
{
    assert(set_size(kv) > 0);
    if (kv->encoding == KV_ENC_INTSET) {
        set_elem_from_int(out, intset_random(kv_object(kv), rand64()));
        return;
    }
    struct dict_node *node = dict_random_fair(kv_object(kv), rand64);
    assert(node);
    set_elem_from_node(out, node);
}

/* ---- Iteration and scanning ---- */

void set_iter_init(struct set_iter *it, const struct kv *kv)
{
    assert(kv->type == KV_SET);
    it->kv = kv;
    it->index = 0;
    if (kv->encoding == KV_ENC_HASHTABLE)
        dict_iter_init(&it->dict_it, kv_object(kv));
}

bool set_iter_next(struct set_iter *it, struct set_elem *out)
{
    if (it->kv->encoding == KV_ENC_INTSET) {
        long long v;
        if (!intset_get(kv_object(it->kv), it->index, &v))
            return false;
        it->index++;
        set_elem_from_int(out, v);
        return true;
    }
    struct dict_node *node = dict_iter_next(&it->dict_it);
    if (!node)
        return false;
    set_elem_from_node(out, node);
    return true;
}

void set_iter_done(struct set_iter *it)
{
    if (it->kv->encoding == KV_ENC_HASHTABLE)
        dict_iter_done(&it->dict_it);
}

struct set_scan_ctx {
    void (*fn)(const char *member, size_t len, void *ctx);
    void *ctx;
};

static void set_scan_node(struct dict_node *node, void *ctx)
{
    struct set_scan_ctx *scan = ctx;
    const struct set_member *m = (const struct set_member *)node;
    scan->fn(m->data, m->len, scan->ctx);
}

uint64_t set_scan(const struct kv *kv, uint64_t cursor,
                  void (*fn)(const char *member, size_t len, void *ctx), void *ctx)
{
    assert(kv->encoding == KV_ENC_HASHTABLE);
    struct set_scan_ctx scan = {.fn = fn, .ctx = ctx};
    return dict_scan(kv_object(kv), cursor, set_scan_node, &scan);
}

/* ---- Lifetime ---- */

void set_free(void *obj, enum kv_encoding enc)
{
    if (obj == NULL)
        return;
    if (enc == KV_ENC_INTSET) {
        intset_free(obj);
        return;
    }
    assert(enc == KV_ENC_HASHTABLE);
    dict_clear(obj, set_member_free, NULL);
    alloc_free(obj);
}

void *set_copy(const void *obj, enum kv_encoding enc)
{
    if (enc == KV_ENC_INTSET) {
        const unsigned char *is = obj;
        return intset_from_bytes(is, intset_blob_bytes(is));
    }
    assert(enc == KV_ENC_HASHTABLE);
    struct dict *src = (struct dict *)obj;
    struct dict *d = set_dict_new();
    dict_expand(d, dict_size(src));
    struct dict_iter it;
    dict_iter_init(&it, src);
    struct dict_node *node;
    while ((node = dict_iter_next(&it)) != NULL) {
        const struct set_member *m = (const struct set_member *)node;
        bool added = set_dict_add(d, m->data, m->len);
        assert(added);
    }
    dict_iter_done(&it);
    return d;
}
