/* dict.h: an intrusive chained hash table with incremental rehashing.
 *
 * The table never allocates nodes: callers embed `struct dict_node` in their
 * own allocations (the keyspace embeds it at the start of each `struct kv`)
 * and the table only links them. It allocates bucket arrays, through
 * engine/alloc.h.
 *
 * Sizes are powers of two. While rehashing, nodes live in table 0 (old) and
 * table 1 (new); each add/remove moves a bounded number of buckets, and
 * `dict_rehash_ms` lets the server tick do more. `dict_pause_rehash` stops
 * both rehashing steps and growth past the forced ratio (used while a forked
 * child exists, so the parent does not dirty copy-on-write pages).
 *
 * SCAN guarantee: `dict_scan` with a reverse-binary cursor returns every node
 * that was present for the whole scan at least once, even across resizes
 * (it may return some twice). */
#ifndef RINGKV_ENGINE_DICT_H
#define RINGKV_ENGINE_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buckets moved per rehash step in add/remove, and empty buckets visited per
 * moved bucket before the step gives up (bounded work per operation). */
#define DICT_REHASH_STEP_BUCKETS 1
#define DICT_REHASH_EMPTY_VISITS 10
/* Grow when used/size reaches 1; while rehashing is paused grow only past
 * this ratio. Shrink (dict_shrink_if_sparse) below 10% fill. */
#define DICT_FORCE_RESIZE_RATIO 5
#define DICT_MIN_FILL_PERCENT 10
#define DICT_INITIAL_SIZE 4

struct dict_node {
    struct dict_node *next; /* chain link, owned by the dict */
};

struct dict_type {
    /* Hash of the key stored in node. */
    uint64_t (*hash_node)(const struct dict_node *node);
    /* Whether node's key equals key[0..key_len). */
    bool (*key_equal)(const struct dict_node *node, const void *key, size_t key_len);
};

struct dict_table {
    struct dict_node **buckets; /* owned; NULL when size is 0 */
    uint64_t size;              /* 0 or a power of two */
    uint64_t used;              /* nodes linked in this table */
};

struct dict {
    const struct dict_type *type; /* borrowed, static */
    struct dict_table table[2];
    int64_t rehash_index; /* next bucket of table[0] to move, -1 when not rehashing */
    int rehash_paused;    /* >0: no rehash steps, no ordinary growth */
    int iterators;        /* live dict_iter count: no rehash steps while >0 */
};

struct dict_iter {
    struct dict *dict; /* borrowed */
    int table;
    uint64_t index;
    struct dict_node *next; /* saved before returning a node, so it may be removed */
    bool started;
};

/* Seeds the hash function; call once at start-up before any table is used. */
void dict_hash_seed(const uint8_t seed[16]);
/* A keyed 64-bit hash (SipHash-1-2 style) of key[0..len). */
uint64_t dict_hash_bytes(const void *key, size_t len);
/* Same, ASCII case-insensitive (for command names). */
uint64_t dict_hash_bytes_nocase(const void *key, size_t len);

void dict_init(struct dict *d, const struct dict_type *type);
/* Unlinks every node, calling free_node(node, ctx) on each (may be NULL), and
 * frees the bucket arrays. The dict is empty and reusable afterwards. */
void dict_clear(struct dict *d, void (*free_node)(struct dict_node *node, void *ctx), void *ctx);

static inline uint64_t dict_size(const struct dict *d)
{
    return d->table[0].used + d->table[1].used;
}
static inline bool dict_is_rehashing(const struct dict *d)
{
    return d->rehash_index != -1;
}
/* Bucket count (both tables), for INFO and OBJECT-style reporting. */
uint64_t dict_buckets(const struct dict *d);

/* Returns the node whose key is key[0..len), or NULL. Does not rehash. */
struct dict_node *dict_find(const struct dict *d, const void *key, size_t len, uint64_t hash);
/* Returns the address of the link that points at the node with this key (a
 * bucket slot or a previous node's next field), or NULL. Valid until the
 * next add/remove/rehash. Lets a caller swap a node for a reallocated copy:
 * `*link = new_node` after copying the old node's next. */
struct dict_node **dict_find_link(const struct dict *d, const void *key, size_t len, uint64_t hash);
/* Links node; its key must not be present (asserted in debug paths). May
 * grow the table and does one rehash step. */
void dict_add(struct dict *d, struct dict_node *node, uint64_t hash);
/* Unlinks and returns the node with this key, or NULL. The caller owns it. */
struct dict_node *dict_remove(struct dict *d, const void *key, size_t len, uint64_t hash);

/* Rehashes for about ms milliseconds (in steps of 100 buckets). Returns
 * true if rehashing is still in progress. No-op while paused. */
bool dict_rehash_ms(struct dict *d, int ms);
/* Rehashes n buckets. Returns true if more remain. */
bool dict_rehash(struct dict *d, int n);
/* Starts a shrink to fit when fill is below DICT_MIN_FILL_PERCENT. */
void dict_shrink_if_sparse(struct dict *d);
/* Pre-sizes for at least n nodes (used by loaders with a size hint). */
void dict_expand(struct dict *d, uint64_t n);
void dict_pause_rehash(struct dict *d);
void dict_resume_rehash(struct dict *d);
/* Process-wide, nesting (true adds one, false removes one): while any is
 * on, no table grows before DICT_FORCE_RESIZE_RATIO or shrinks, tables
 * inside values included. For the lifetime of a fork child. */
void dict_avoid_resize(bool avoid);

/* One SCAN step from cursor: calls fn on every node of the buckets visited,
 * returns the next cursor (0 when the scan is complete). fn may not modify
 * the dict. */
uint64_t dict_scan(const struct dict *d, uint64_t cursor,
                   void (*fn)(struct dict_node *node, void *ctx), void *ctx);

/* A random node, or NULL when empty. Not uniform across chain lengths (as in
 * Redis); rand64 supplies randomness. */
struct dict_node *dict_random(const struct dict *d, uint64_t (*rand64)(void));
/* Like dict_random but uniform: exact in a small table, else one of a few nodes
 * dict_sample took (Redis's dictGetFairRandomKey). SRANDMEMBER, SPOP, HRANDFIELD. */
struct dict_node *dict_random_fair(const struct dict *d, uint64_t (*rand64)(void));

/* Up to count nodes near a random place (fewer when the dict is smaller or
 * the walk gives up), stored in out[0..return). Redis's dictGetSomeKeys:
 * consecutive buckets from a random start, jumping elsewhere after a run
 * of empty ones, at most count * DICT_SAMPLE_STEPS_PER_KEY buckets in all;
 * the eviction pool's sampler. In a small table the walk can wrap, so a
 * node may appear twice, as with Redis. */
#define DICT_SAMPLE_STEPS_PER_KEY 10
#define DICT_SAMPLE_EMPTY_RUN_MIN 5
unsigned dict_sample(const struct dict *d, struct dict_node **out, unsigned count,
                     uint64_t (*rand64)(void));

/* Safe iteration: the node returned may be removed before the next call;
 * rehash steps are suspended until dict_iter_done. Adding nodes during
 * iteration is allowed but they may or may not be returned. */
void dict_iter_init(struct dict_iter *it, struct dict *d);
struct dict_node *dict_iter_next(struct dict_iter *it);
void dict_iter_done(struct dict_iter *it);

#endif
