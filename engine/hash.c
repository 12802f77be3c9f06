/* hash.c: the hash value type: a listpack of field,value pairs while it is
 * small, then a dict of single-allocation nodes (see hash.h).
 *
 * A hashtable node is laid out as
 *
 *     struct dict_node link | varint field_len | varint value_len | field | value
 *
 * with 7-bit little-endian varints, so a field with short field and value
 * costs 8 + 2 + field + value bytes rounded up to the allocator's size class,
 * against Redis's 24-byte dictEntry plus two sds headers and allocations. */
#include "engine/hash.h"

#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/number.h"

/* A varint of a size_t takes at most 10 bytes (64 / 7 rounded up). */
#define HASH_VARINT_BYTES_MAX 10
/* An update rewrites a node in place only while the block would idle fewer
 * than this many bytes, so a short value written over a long one gives the
 * memory back. */
#define HASH_NODE_SLACK_BYTES 16
/* HRANDFIELD with a unique count: past count * this >= size it is cheaper to
 * pick from all the nodes than to draw random ones and drop repeats (the
 * same trade-off as Redis's CASE 3 / CASE 4). */
#define HASH_RANDOM_COPY_FACTOR 3

struct hash_node {
    struct dict_node link; /* owned by the hash's dict */
    unsigned char data[];  /* varint field_len, varint value_len, field, value */
};

static_assert(offsetof(struct hash_node, link) == 0, "a dict_node must be a hash_node");

/* ---- Node encoding ---- */

static size_t varint_bytes(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t varint_write(unsigned char *dst, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        dst[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    dst[n++] = (unsigned char)v;
    return n;
}

static size_t varint_read(const unsigned char *src, size_t *out)
{
    size_t v = 0, n = 0;
    unsigned shift = 0;
    for (;;) {
        unsigned char b = src[n++];
        v |= (size_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
        assert(n < HASH_VARINT_BYTES_MAX);
    }
    *out = v;
    return n;
}

/* The decoded view of a node. */
struct node_view {
    const char *field;
    size_t field_len;
    const char *value;
    size_t value_len;
    size_t header_bytes;
};

static void node_read(const struct hash_node *node, struct node_view *v)
{
    size_t n = varint_read(node->data, &v->field_len);
    n += varint_read(node->data + n, &v->value_len);
    v->header_bytes = n;
    v->field = (const char *)node->data + n;
    v->value = v->field + v->field_len;
}

static size_t node_bytes(size_t field_len, size_t value_len)
{
    size_t header = varint_bytes(field_len) + varint_bytes(value_len);
    return sizeof(struct hash_node) + header + field_len + value_len;
}

/* Writes header, field and value into a node block of at least node_bytes.
 * The field is written with memmove because an in-place update passes the
 * node's own field bytes. */
static void node_fill(struct hash_node *node, const char *field, size_t field_len,
                      const char *value, size_t value_len)
{
    unsigned char header[2 * HASH_VARINT_BYTES_MAX];
    size_t n = varint_write(header, field_len);
    n += varint_write(header + n, value_len);
    memmove(node->data + n, field, field_len);
    memcpy(node->data, header, n);
    memcpy(node->data + n + field_len, value, value_len);
}

static struct hash_node *node_new(const char *field, size_t field_len, const char *value,
                                  size_t value_len)
{
    struct hash_node *node = alloc_bytes(node_bytes(field_len, value_len));
    node->link.next = NULL;
    node_fill(node, field, field_len, value, value_len);
    return node;
}

static uint64_t node_hash(const struct dict_node *dn)
{
    struct node_view v;
    node_read((const struct hash_node *)dn, &v);
    return dict_hash_bytes(v.field, v.field_len);
}

static bool node_equal(const struct dict_node *dn, const void *key, size_t key_len)
{
    const struct hash_node *node = (const struct hash_node *)dn;
    size_t field_len;
    size_t n = varint_read(node->data, &field_len);
    if (field_len != key_len)
        return false;
    size_t value_len;
    n += varint_read(node->data + n, &value_len);
    return memcmp(node->data + n, key, key_len) == 0;
}

static const struct dict_type hash_dict_type = {node_hash, node_equal};

static void node_free(struct dict_node *dn, void *ctx)
{
    (void)ctx;
    alloc_free(dn);
}

static void text_from_bytes(struct hash_text *t, const char *p, size_t len)
{
    t->ptr = p;
    t->len = len;
    t->is_integer = false;
}

/* Reads the listpack entry at p as text (integers formatted into t->buf). */
static void text_from_entry(struct hash_text *t, const unsigned char *p)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    if (e.str) {
        text_from_bytes(t, (const char *)e.str, e.len);
        return;
    }
    t->len = number_format_ll(t->buf, e.integer);
    t->ptr = t->buf;
    t->is_integer = true;
    t->integer = e.integer;
}

/* ---- Object access ---- */

static unsigned char *hash_listpack(const struct kv *kv)
{
    assert(kv->type == KV_HASH && kv->encoding == KV_ENC_LISTPACK);
    return kv_object(kv);
}

static struct dict *hash_dict(const struct kv *kv)
{
    assert(kv->type == KV_HASH && kv->encoding == KV_ENC_HASHTABLE);
    return kv_object(kv);
}

struct kv *hash_kv_new(const char *key, size_t key_len)
{
    return kv_new_object(key, key_len, KV_HASH, KV_ENC_LISTPACK, listpack_new());
}

size_t hash_count(struct kv *kv)
{
    if (kv->encoding == KV_ENC_LISTPACK) {
        size_t entries = listpack_count(hash_listpack(kv));
        assert(entries % 2 == 0);
        return entries / 2;
    }
    return dict_size(hash_dict(kv));
}

/* The listpack entry of field, or NULL. */
static unsigned char *listpack_find_field(unsigned char *lp, const char *field, size_t field_len)
{
    unsigned char *p = listpack_first(lp);
    if (!p)
        return NULL;
    return listpack_find(lp, p, field, field_len, 1);
}

bool hash_get(struct kv *kv, const char *field, size_t field_len, struct hash_text *value)
{
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = hash_listpack(kv);
        unsigned char *p = listpack_find_field(lp, field, field_len);
        if (!p)
            return false;
        if (value) {
            unsigned char *vp = listpack_next(lp, p);
            assert(vp);
            text_from_entry(value, vp);
        }
        return true;
    }
    struct dict *d = hash_dict(kv);
    struct dict_node *dn = dict_find(d, field, field_len, dict_hash_bytes(field, field_len));
    if (!dn)
        return false;
    if (value) {
        struct node_view v;
        node_read((struct hash_node *)dn, &v);
        text_from_bytes(value, v.value, v.value_len);
    }
    return true;
}

bool hash_exists(struct kv *kv, const char *field, size_t field_len)
{
    return hash_get(kv, field, field_len, NULL);
}

void hash_convert_to_table(struct kv *kv)
{
    if (kv->encoding == KV_ENC_HASHTABLE)
        return;
    unsigned char *lp = hash_listpack(kv);
    struct dict *d = alloc_bytes(sizeof(*d));
    dict_init(d, &hash_dict_type);
    dict_expand(d, listpack_count(lp) / 2);
    struct hash_text field, value;
    for (unsigned char *p = listpack_first(lp); p; p = listpack_next(lp, p)) {
        text_from_entry(&field, p);
        p = listpack_next(lp, p);
        assert(p);
        text_from_entry(&value, p);
        uint64_t hash = dict_hash_bytes(field.ptr, field.len);
        assert(!dict_find(d, field.ptr, field.len, hash));
        dict_add(d, &node_new(field.ptr, field.len, value.ptr, value.len)->link, hash);
    }
    listpack_free(lp);
    kv_set_object(kv, d);
    kv->encoding = KV_ENC_HASHTABLE;
}

/* ---- Setting ---- */

static bool listpack_set(struct kv *kv, const char *field, size_t field_len, const char *value,
                         size_t value_len)
{
    unsigned char *lp = hash_listpack(kv);
    unsigned char *p = listpack_find_field(lp, field, field_len);
    bool inserted = p == NULL;
    if (p) {
        unsigned char *vp = listpack_next(lp, p);
        assert(vp);
        lp = listpack_replace(lp, &vp, value, value_len);
    } else {
        lp = listpack_append(lp, field, field_len);
        lp = listpack_append(lp, value, value_len);
    }
    kv_set_object(kv, lp);
    return inserted;
}

/* Replaces the value of the node that *link points at, in place when the
 * block fits the new size without idling much, else in a new block that
 * takes the old one's place in the chain. */
static void table_update(struct dict_node **link, const char *value, size_t value_len)
{
    struct hash_node *node = (struct hash_node *)*link;
    struct node_view v;
    node_read(node, &v);
    size_t needed = node_bytes(v.field_len, value_len);
    size_t usable = alloc_usable_size(node);
    if (needed <= usable && usable - needed < HASH_NODE_SLACK_BYTES) {
        node_fill(node, v.field, v.field_len, value, value_len);
        return;
    }
    struct hash_node *fresh = node_new(v.field, v.field_len, value, value_len);
    fresh->link.next = node->link.next;
    *link = &fresh->link;
    alloc_free(node);
}

static bool table_set(struct kv *kv, const char *field, size_t field_len, const char *value,
                      size_t value_len)
{
    struct dict *d = hash_dict(kv);
    uint64_t hash = dict_hash_bytes(field, field_len);
    struct dict_node **link = dict_find_link(d, field, field_len, hash);
    if (link) {
        table_update(link, value, value_len);
        return false;
    }
    dict_add(d, &node_new(field, field_len, value, value_len)->link, hash);
    return true;
}

bool hash_set(struct kv *kv, const char *field, size_t field_len, const char *value,
              size_t value_len, const struct encoding_limits *limits)
{
    assert(kv->type == KV_HASH);
    if (kv->encoding == KV_ENC_LISTPACK) {
        long long value_max = limits->hash_max_listpack_value;
        size_t add =
            listpack_entry_bytes(field, field_len) + listpack_entry_bytes(value, value_len);
        if ((long long)field_len > value_max || (long long)value_len > value_max ||
            !listpack_safe_to_add(hash_listpack(kv), add))
            hash_convert_to_table(kv);
    }
    if (kv->encoding == KV_ENC_HASHTABLE)
        return table_set(kv, field, field_len, value, value_len);
    bool inserted = listpack_set(kv, field, field_len, value, value_len);
    if (inserted && (long long)hash_count(kv) > limits->hash_max_listpack_entries)
        hash_convert_to_table(kv);
    return inserted;
}

bool hash_delete(struct kv *kv, const char *field, size_t field_len)
{
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = hash_listpack(kv);
        unsigned char *p = listpack_find_field(lp, field, field_len);
        if (!p)
            return false;
        lp = listpack_delete_range_at(lp, &p, 2);
        kv_set_object(kv, lp);
        return true;
    }
    struct dict *d = hash_dict(kv);
    struct dict_node *dn = dict_remove(d, field, field_len, dict_hash_bytes(field, field_len));
    if (!dn)
        return false;
    alloc_free(dn);
    /* Redis shrinks a hash's table after deletes leave it sparse. */
    dict_shrink_if_sparse(d);
    return true;
}

/* ---- Iteration ---- */

void hash_iter_init(struct hash_iter *it, struct kv *kv)
{
    assert(kv->type == KV_HASH);
    it->kv = kv;
    it->p = NULL;
    if (kv->encoding == KV_ENC_LISTPACK)
        it->p = listpack_first(hash_listpack(kv));
    else
        dict_iter_init(&it->dict_it, hash_dict(kv));
}

bool hash_iter_next(struct hash_iter *it, struct hash_text *field, struct hash_text *value)
{
    if (it->kv->encoding == KV_ENC_LISTPACK) {
        if (!it->p)
            return false;
        unsigned char *lp = hash_listpack(it->kv);
        unsigned char *vp = listpack_next(lp, it->p);
        assert(vp);
        text_from_entry(field, it->p);
        text_from_entry(value, vp);
        it->p = listpack_next(lp, vp);
        return true;
    }
    struct dict_node *dn = dict_iter_next(&it->dict_it);
    if (!dn)
        return false;
    struct node_view v;
    node_read((struct hash_node *)dn, &v);
    text_from_bytes(field, v.field, v.field_len);
    text_from_bytes(value, v.value, v.value_len);
    return true;
}

void hash_iter_done(struct hash_iter *it)
{
    if (it->kv->encoding == KV_ENC_HASHTABLE)
        dict_iter_done(&it->dict_it);
}

/* ---- SCAN ---- */

struct scan_ctx {
    hash_pair_fn fn;
    void *ctx;
};

static void scan_node(struct dict_node *dn, void *ctx)
{
    struct scan_ctx *sc = ctx;
    struct node_view v;
    node_read((struct hash_node *)dn, &v);
    struct hash_text field, value;
    text_from_bytes(&field, v.field, v.field_len);
    text_from_bytes(&value, v.value, v.value_len);
    sc->fn(&field, &value, sc->ctx);
}

uint64_t hash_scan(struct kv *kv, uint64_t cursor, hash_pair_fn fn, void *ctx)
{
    if (kv->encoding == KV_ENC_LISTPACK) {
        struct hash_iter it;
        struct hash_text field, value;
        hash_iter_init(&it, kv);
        while (hash_iter_next(&it, &field, &value))
            fn(&field, &value, ctx);
        hash_iter_done(&it);
        return 0;
    }
    struct scan_ctx sc = {fn, ctx};
    return dict_scan(hash_dict(kv), cursor, scan_node, &sc);
}

/* ---- Random pairs ---- */

static void report_node(struct dict_node *dn, hash_pair_fn fn, void *ctx)
{
    scan_node(dn, &(struct scan_ctx){fn, ctx});
}

static void report_entry(unsigned char *lp, unsigned char *p, hash_pair_fn fn, void *ctx)
{
    struct hash_text field, value;
    text_from_entry(&field, p);
    unsigned char *vp = listpack_next(lp, p);
    assert(vp);
    text_from_entry(&value, vp);
    fn(&field, &value, ctx);
}

/* Every field entry of a listpack, so random picks cost O(1) each. Returns
 * an owned array of count positions. */
static unsigned char **listpack_fields(unsigned char *lp, size_t count)
{
    unsigned char **fields = alloc_bytes(count * sizeof(*fields));
    size_t i = 0;
    for (unsigned char *p = listpack_first(lp); p; p = listpack_next(lp, listpack_next(lp, p)))
        fields[i++] = p;
    assert(i == count);
    return fields;
}

static void listpack_random_pairs(struct kv *kv, uint64_t count, bool unique,
                                  uint64_t (*rand64)(void), hash_pair_fn fn, void *ctx)
{
    unsigned char *lp = hash_listpack(kv);
    size_t size = hash_count(kv);
    unsigned char **fields = listpack_fields(lp, size);
    if (!unique) {
        for (uint64_t i = 0; i < count; i++)
            report_entry(lp, fields[rand64() % size], fn, ctx);
    } else {
        /* Selection sampling (Knuth's algorithm S): each field is taken with
         * probability needed/left, which yields exactly count distinct
         * fields in listpack order, as Redis's lpRandomPairsUnique does. */
        uint64_t needed = count < size ? count : size;
        for (size_t i = 0; i < size && needed > 0; i++) {
            if (rand64() % (size - i) < needed) {
                report_entry(lp, fields[i], fn, ctx);
                needed--;
            }
        }
    }
    alloc_free(fields);
}

/* An open-addressing set of node pointers, for drawing distinct random
 * nodes from a large table. */
struct node_set {
    const struct dict_node **slots; /* owned; NULL marks an empty slot */
    size_t mask;
};

static bool node_set_add(struct node_set *s, const struct dict_node *dn)
{
    size_t i = (size_t)(((uintptr_t)dn >> 4) * 0x9E3779B97F4A7C15ULL) & s->mask;
    while (s->slots[i]) {
        if (s->slots[i] == dn)
            return false;
        i = (i + 1) & s->mask;
    }
    s->slots[i] = dn;
    return true;
}

static void table_random_unique(struct dict *d, uint64_t count, uint64_t (*rand64)(void),
                                hash_pair_fn fn, void *ctx)
{
    size_t size = dict_size(d);
    if (count * HASH_RANDOM_COPY_FACTOR > size) {
        /* Many of the fields are wanted: shuffle the first count of an array
         * of all the nodes (a partial Fisher-Yates). */
        struct dict_node **nodes = alloc_bytes(size * sizeof(*nodes));
        struct dict_iter it;
        size_t n = 0;
        dict_iter_init(&it, d);
        for (struct dict_node *dn; (dn = dict_iter_next(&it));)
            nodes[n++] = dn;
        dict_iter_done(&it);
        assert(n == size);
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)(rand64() % (size - i));
            struct dict_node *tmp = nodes[i];
            nodes[i] = nodes[j];
            nodes[j] = tmp;
            report_node(nodes[i], fn, ctx);
        }
        alloc_free(nodes);
        return;
    }
    /* Few are wanted: draw random nodes and skip repeats. */
    size_t slots = 16;
    while (slots < count * 2)
        slots <<= 1;
    struct node_set seen = {alloc_zeroed(slots * sizeof(*seen.slots)), slots - 1};
    for (uint64_t got = 0; got < count;) {
        struct dict_node *dn = dict_random_fair(d, rand64);
        if (node_set_add(&seen, dn)) {
            report_node(dn, fn, ctx);
            got++;
        }
    }
    alloc_free(seen.slots);
}

void hash_random_pairs(struct kv *kv, uint64_t count, bool unique, uint64_t (*rand64)(void),
                       hash_pair_fn fn, void *ctx)
{
    size_t size = hash_count(kv);
    assert(size > 0);
    if (unique && count >= size) {
        struct hash_iter it;
        struct hash_text field, value;
        hash_iter_init(&it, kv);
        while (hash_iter_next(&it, &field, &value))
            fn(&field, &value, ctx);
        hash_iter_done(&it);
        return;
    }
    if (kv->encoding == KV_ENC_LISTPACK) {
        listpack_random_pairs(kv, count, unique, rand64, fn, ctx);
        return;
    }
    struct dict *d = hash_dict(kv);
    if (unique) {
        table_random_unique(d, count, rand64, fn, ctx);
        return;
    }
    for (uint64_t i = 0; i < count; i++)
        report_node(dict_random_fair(d, rand64), fn, ctx);
}

/* ---- Memory, lifetime ---- */

size_t hash_bytes(struct kv *kv)
{
    if (kv->encoding == KV_ENC_LISTPACK)
        return alloc_usable_size(hash_listpack(kv));
    struct dict *d = hash_dict(kv);
    size_t total = sizeof(*d) + dict_buckets(d) * sizeof(struct dict_node *);
    struct dict_iter it;
    dict_iter_init(&it, d);
    for (struct dict_node *dn; (dn = dict_iter_next(&it));)
        total += alloc_usable_size(dn);
    dict_iter_done(&it);
    return total;
}

void hash_free(void *obj, enum kv_encoding enc)
{
    if (enc == KV_ENC_LISTPACK) {
        listpack_free(obj);
        return;
    }
    assert(enc == KV_ENC_HASHTABLE);
    struct dict *d = obj;
    dict_clear(d, node_free, NULL);
    alloc_free(d);
}

void *hash_copy(const void *obj, enum kv_encoding enc)
{
    if (enc == KV_ENC_LISTPACK) {
        const unsigned char *lp = obj;
        return listpack_from_bytes(lp, listpack_bytes(lp));
    }
    assert(enc == KV_ENC_HASHTABLE);
    struct dict *src = (struct dict *)obj;
    struct dict *d = alloc_bytes(sizeof(*d));
    dict_init(d, &hash_dict_type);
    dict_expand(d, dict_size(src));
    struct dict_iter it;
    dict_iter_init(&it, src);
    for (struct dict_node *dn; (dn = dict_iter_next(&it));) {
        struct node_view v;
        node_read((struct hash_node *)dn, &v);
        struct hash_node *copy = node_new(v.field, v.field_len, v.value, v.value_len);
        dict_add(d, &copy->link, dict_hash_bytes(v.field, v.field_len));
    }
    dict_iter_done(&it);
    return d;
}
