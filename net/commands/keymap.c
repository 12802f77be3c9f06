/* keymap.c: the (db id, key) -> node map shared by WATCH and the blocking
 * commands.
 *
 * Owns the dict type (hash and equality on a database and key bytes) and
 * each node's block: the caller's struct, then the key bytes. Leaves to the
 * callers what a node holds beyond its key, and when a node comes and goes.
 *
 * Invariant: every linked node's key points just past the caller's struct
 * in the node's own block, so freeing the node frees the key. */
#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/keymap.h"

/* The lookup key handed to dict_find: a database and key bytes. */
struct keymap_lookup {
    int db_id;
    const char *key;
    size_t key_len;
};

static uint64_t keymap_hash(int db_id, const char *key, size_t key_len)
{
    /* The same key in two databases must land in different chains as often
     * as two different keys do. */
    return dict_hash_bytes(key, key_len) ^ ((uint64_t)(unsigned)db_id * 0x9E3779B97F4A7C15ULL);
}

static uint64_t keymap_node_hash(const struct dict_node *link)
{
    const struct keymap_node *node = (const struct keymap_node *)link;
    return keymap_hash(node->db_id, node->key, node->key_len);
}

static bool keymap_node_equal(const struct dict_node *link, const void *key, size_t len)
{
    const struct keymap_node *node = (const struct keymap_node *)link;
    const struct keymap_lookup *lookup = key;
    assert(len == sizeof(*lookup));
    return node->db_id == lookup->db_id && node->key_len == lookup->key_len &&
           memcmp(node->key, lookup->key, node->key_len) == 0;
}

static const struct dict_type keymap_dict_type = {keymap_node_hash, keymap_node_equal};

void keymap_init(struct keymap *m)
{
    dict_init(&m->dict, &keymap_dict_type);
}

struct keymap_clear_ctx {
    void (*release)(struct keymap_node *node);
};

static void keymap_node_free(struct dict_node *link, void *ctx)
{
    const struct keymap_clear_ctx *clear = ctx;
    struct keymap_node *node = (struct keymap_node *)link;
    if (clear->release)
        clear->release(node);
    alloc_free(node);
}

void keymap_clear(struct keymap *m, void (*release)(struct keymap_node *node))
{
    struct keymap_clear_ctx ctx = {release};
    dict_clear(&m->dict, keymap_node_free, &ctx);
}

struct keymap_node *keymap_find(const struct keymap *m, int db_id, const char *key,
                                size_t key_len)
{
    /* Most commands touch keys nobody waits on: skip the hash then. */
    if (dict_size(&m->dict) == 0)
        return NULL;
    struct keymap_lookup lookup = {db_id, key, key_len};
    return (struct keymap_node *)dict_find(&m->dict, &lookup, sizeof(lookup),
                                           keymap_hash(db_id, key, key_len));
}

struct keymap_node *keymap_add(struct keymap *m, int db_id, const char *key, size_t key_len,
                               size_t node_bytes)
{
    assert(node_bytes >= sizeof(struct keymap_node));
    assert(keymap_find(m, db_id, key, key_len) == NULL);
    struct keymap_node *node = alloc_zeroed(node_bytes + key_len);
    char *copy = (char *)node + node_bytes;
    memcpy(copy, key, key_len);
    node->db_id = db_id;
    node->key_len = key_len;
    node->key = copy;
    dict_add(&m->dict, &node->link, keymap_hash(db_id, key, key_len));
    return node;
}

void keymap_remove(struct keymap *m, struct keymap_node *node)
{
    struct keymap_lookup lookup = {node->db_id, node->key, node->key_len};
    struct dict_node *removed = dict_remove(&m->dict, &lookup, sizeof(lookup),
                                            keymap_hash(node->db_id, node->key, node->key_len));
    assert(removed == &node->link);
    alloc_free(node);
}

struct keymap_node *keymap_random(const struct keymap *m, uint64_t (*rand64)(void))
{
    return (struct keymap_node *)dict_random(&m->dict, rand64);
}

void keymap_iter_init(struct keymap_iter *it, struct keymap *m)
{
    dict_iter_init(&it->it, &m->dict);
}

struct keymap_node *keymap_iter_next(struct keymap_iter *it)
{
    return (struct keymap_node *)dict_iter_next(&it->it);
}

void keymap_iter_done(struct keymap_iter *it)
{
    dict_iter_done(&it->it);
}
