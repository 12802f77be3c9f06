/* dict.c: the chained hash table behind the keyspace, and its keyed hash.
 *
 * This file owns bucket arrays (allocated through engine/alloc.h) and the
 * links between nodes. The nodes belong to callers, who embed struct
 * dict_node and find their own struct from it; keys are seen only through
 * the dict_type callbacks. Deciding when to shrink, and how long to rehash
 * per server tick, is left to the caller.
 *
 * Sections: the hash, table sizing, rehashing, lookup and update, SCAN,
 * random sampling, safe iteration.
 *
 * Key invariant: when not rehashing, every node is in table[0] and table[1]
 * is empty with size 0. While rehashing, the buckets of table[0] below
 * rehash_index are empty, each node sits in the bucket its hash selects in
 * the table holding it, and new nodes go into table[1]. No rehash step runs
 * while rehashing is paused or a safe iterator is live, so an iterator's
 * position stays meaningful and a forked child's pages stay clean.
 *
 * The hash key is the one piece of file-scope state: dict_hash_seed sets it
 * at start-up, before any table exists, and it is read-only afterwards. */
#include "engine/dict.h"

#include "engine/alloc.h"

#include <assert.h>
#include <stdint.h>
#include <time.h>

/* Largest bucket count. 2^48 buckets would take 2 PiB of pointers, more
 * than any machine holds, and the limit keeps size arithmetic (used * 2,
 * used * 100, size * pointer bytes) far from overflowing. */
#define DICT_TABLE_SIZE_MAX (UINT64_C(1) << 48)
/* dict_rehash_ms moves this many buckets between clock reads. */
#define DICT_REHASH_MS_BATCH_BUCKETS 100
/* dict_random probes this many random buckets before it walks forward from
 * the last probe, so a very sparse table costs bounded random probes plus
 * at most one pass over the buckets. */
#define DICT_RANDOM_PROBES_MAX 1000
/* dict_random_fair picks among this many sampled nodes (Redis's
 * GETFAIR_NUM_ENTRIES), so a node's odds no longer depend on the length of
 * its chain. */
#define DICT_RANDOM_FAIR_SAMPLE 15
/* Up to this many buckets (both tables) dict_random_fair picks exactly
 * uniformly by counting nodes: the sample can repeat nodes when its walk
 * jumps past an empty stretch (a table mid-rehash, or sparse after
 * deletions), which skews small sets, where it shows most. */
#define DICT_RANDOM_EXACT_BUCKETS_MAX 128
/* SipHash-1-2: one round per message word, two to finalise. Redis uses the
 * same variant for its dict: keyed, so clients cannot aim keys at one
 * bucket, at about half the cost of SipHash-2-4. */
#define DICT_SIPHASH_WORD_ROUNDS 1
#define DICT_SIPHASH_FINAL_ROUNDS 2

static_assert((DICT_INITIAL_SIZE & (DICT_INITIAL_SIZE - 1)) == 0,
              "table sizes are powers of two, starting with the initial size");
static_assert(DICT_INITIAL_SIZE >= 1, "a table needs at least one bucket");
static_assert(DICT_TABLE_SIZE_MAX <= SIZE_MAX / sizeof(struct dict_node *),
              "the largest bucket array must be addressable");
static_assert(DICT_REHASH_STEP_BUCKETS >= 1, "each step must make progress");
static_assert(DICT_REHASH_EMPTY_VISITS >= 1, "each step must visit a bucket");
static_assert(DICT_FORCE_RESIZE_RATIO >= 1, "paused growth cannot be earlier than normal growth");
static_assert(DICT_MIN_FILL_PERCENT < 50,
              "a table just grown or shrunk is about half full or more, never sparse");

/* ---- The hash ---- */

/* The default key is fixed so that a dict works, reproducibly, even if
 * dict_hash_seed is never called. A server should seed with random bytes,
 * or clients can compute colliding keys. */
static uint64_t dict_hash_key[2] = {UINT64_C(0x5d1c3a9e80f2b647), UINT64_C(0xe3a47b19c06d2f85)};

struct dict_sip {
    uint64_t v0, v1, v2, v3;
};

static inline uint64_t dict_rotl(uint64_t x, int bits)
{
    return (x << bits) | (x >> (64 - bits));
}

static inline uint8_t dict_ascii_lower(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Reads bytes p[offset..offset+count) as a little-endian word, lowering
 * ASCII letters first when nocase is set. The offset is applied inside the
 * loop so that a NULL key of length 0 is never offset. */
static inline uint64_t dict_load_le(const uint8_t *p, size_t offset, size_t count, bool nocase)
{
    uint64_t word = 0;
    for (size_t i = 0; i < count; i++) {
        uint8_t c = p[offset + i];
        word |= (uint64_t)(nocase ? dict_ascii_lower(c) : c) << (8 * i);
    }
    return word;
}

static inline void dict_sip_round(struct dict_sip *s)
{
    s->v0 += s->v1;
    s->v1 = dict_rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = dict_rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = dict_rotl(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = dict_rotl(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = dict_rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = dict_rotl(s->v2, 32);
}

static inline void dict_sip_absorb(struct dict_sip *s, uint64_t word)
{
    s->v3 ^= word;
    for (int i = 0; i < DICT_SIPHASH_WORD_ROUNDS; i++)
        dict_sip_round(s);
    s->v0 ^= word;
}

/* SipHash with the rounds above. The case-insensitive form lowers each byte
 * as it is loaded, which gives exactly the hash of the lowered string. */
static inline uint64_t dict_siphash(const uint8_t *in, size_t len, bool nocase)
{
    uint64_t k0 = dict_hash_key[0], k1 = dict_hash_key[1];
    struct dict_sip s = {
        .v0 = k0 ^ UINT64_C(0x736f6d6570736575),
        .v1 = k1 ^ UINT64_C(0x646f72616e646f6d),
        .v2 = k0 ^ UINT64_C(0x6c7967656e657261),
        .v3 = k1 ^ UINT64_C(0x7465646279746573),
    };
    size_t whole = len - (len & 7);
    for (size_t offset = 0; offset < whole; offset += 8)
        dict_sip_absorb(&s, dict_load_le(in, offset, 8, nocase));
    /* The last word carries the length's low byte on top of the tail. */
    dict_sip_absorb(&s, ((uint64_t)len << 56) | dict_load_le(in, whole, len & 7, nocase));
    s.v2 ^= 0xff;
    for (int i = 0; i < DICT_SIPHASH_FINAL_ROUNDS; i++)
        dict_sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void dict_hash_seed(const uint8_t seed[16])
{
    assert(seed != NULL);
    dict_hash_key[0] = dict_load_le(seed, 0, 8, false);
    dict_hash_key[1] = dict_load_le(seed, 8, 8, false);
}

uint64_t dict_hash_bytes(const void *key, size_t len)
{
    assert(key != NULL || len == 0);
    return dict_siphash(key, len, false);
}

uint64_t dict_hash_bytes_nocase(const void *key, size_t len)
{
    assert(key != NULL || len == 0);
    return dict_siphash(key, len, true);
}

/* ---- Table sizing ---- */

void dict_init(struct dict *d, const struct dict_type *type)
{
    assert(type != NULL);
    assert(type->hash_node != NULL);
    assert(type->key_equal != NULL);
    *d = (struct dict){.type = type, .rehash_index = -1};
}

uint64_t dict_buckets(const struct dict *d)
{
    return d->table[0].size + d->table[1].size;
}

/* >0 while a fork child shares the process's pages (dict_avoid_resize):
 * every table, the ones inside values included, then grows only past
 * DICT_FORCE_RESIZE_RATIO and never shrinks, as Redis 7.0 does, because a
 * resize writes a whole new bucket array and then every node's link. */
static int dict_resize_avoided;

void dict_avoid_resize(bool avoid)
{
    dict_resize_avoided += avoid ? 1 : -1;
    assert(dict_resize_avoided >= 0);
}

/* Rehash steps, and the ordinary growth rule, need the table unpaused and
 * free of safe iterators. */
static bool dict_can_step(const struct dict *d)
{
    assert(d->rehash_paused >= 0);
    assert(d->iterators >= 0);
    return d->rehash_paused == 0 && d->iterators == 0;
}

/* The smallest power of two that is at least count, clamped to the limits. */
static uint64_t dict_size_for(uint64_t count)
{
    uint64_t size = DICT_INITIAL_SIZE;
    while (size < count && size < DICT_TABLE_SIZE_MAX)
        size <<= 1;
    return size;
}

/* Allocates a table of size buckets. The first table of an empty dict is
 * installed directly; otherwise it becomes table[1] and a rehash begins. */
static void dict_resize_start(struct dict *d, uint64_t size)
{
    assert(!dict_is_rehashing(d));
    assert(size != d->table[0].size);
    assert(size <= DICT_TABLE_SIZE_MAX);
    struct dict_table fresh = {
        .buckets = alloc_zeroed(size * sizeof(struct dict_node *)),
        .size = size,
        .used = 0,
    };
    if (d->table[0].size == 0) {
        assert(d->table[0].used == 0);
        d->table[0] = fresh;
        return;
    }
    d->table[1] = fresh;
    d->rehash_index = 0;
}

/* Called before linking a node: makes room so that table[0] stays at load
 * factor 1, or at DICT_FORCE_RESIZE_RATIO while steps are suspended. */
static void dict_grow_if_needed(struct dict *d)
{
    if (dict_is_rehashing(d))
        return;
    const struct dict_table *t = &d->table[0];
    if (t->size == 0) {
        dict_resize_start(d, DICT_INITIAL_SIZE);
        return;
    }
    if (t->used < t->size || t->size >= DICT_TABLE_SIZE_MAX)
        return;
    if ((!dict_can_step(d) || dict_resize_avoided > 0) &&
        t->used / t->size <= DICT_FORCE_RESIZE_RATIO)
        return;
    dict_resize_start(d, dict_size_for(t->used * 2));
}

void dict_shrink_if_sparse(struct dict *d)
{
    /* Shrinking only to leave the rehash pending while paused would gain
     * nothing, so a paused table keeps its size. */
    if (dict_is_rehashing(d) || d->rehash_paused > 0 || dict_resize_avoided > 0)
        return;
    const struct dict_table *t = &d->table[0];
    if (t->size <= DICT_INITIAL_SIZE)
        return;
    if (t->used * 100 / t->size >= DICT_MIN_FILL_PERCENT)
        return;
    dict_resize_start(d, dict_size_for(t->used));
    assert(d->table[1].size < d->table[0].size);
}

void dict_expand(struct dict *d, uint64_t n)
{
    /* A size hint, so it never shrinks and never interrupts a rehash. */
    if (dict_is_rehashing(d))
        return;
    uint64_t size = dict_size_for(n);
    if (size <= d->table[0].size)
        return;
    dict_resize_start(d, size);
}

void dict_pause_rehash(struct dict *d)
{
    assert(d->rehash_paused >= 0);
    d->rehash_paused++;
}

void dict_resume_rehash(struct dict *d)
{
    assert(d->rehash_paused > 0);
    d->rehash_paused--;
}

/* ---- Rehashing ---- */

/* Moves every node of table[0]'s bucket at rehash_index into table[1]. */
static void dict_rehash_bucket(struct dict *d)
{
    struct dict_table *from = &d->table[0];
    struct dict_table *to = &d->table[1];
    uint64_t index = (uint64_t)d->rehash_index;
    uint64_t mask = to->size - 1;
    struct dict_node *node = from->buckets[index];
    while (node != NULL) {
        struct dict_node *next = node->next;
        uint64_t slot = d->type->hash_node(node) & mask;
        node->next = to->buckets[slot];
        to->buckets[slot] = node;
        assert(from->used > 0);
        from->used--;
        to->used++;
        node = next;
    }
    from->buckets[index] = NULL;
}

static void dict_rehash_finish(struct dict *d)
{
    assert(d->table[0].used == 0);
    assert(d->table[1].size > 0);
    alloc_free(d->table[0].buckets);
    d->table[0] = d->table[1];
    d->table[1] = (struct dict_table){0};
    d->rehash_index = -1;
}

/* Moves up to n non-empty buckets, giving up after n *
 * DICT_REHASH_EMPTY_VISITS empty ones so a step's cost is bounded. Callers
 * check pause and iterators. Returns true while rehashing continues. */
static bool dict_rehash_buckets(struct dict *d, uint64_t n)
{
    if (!dict_is_rehashing(d))
        return false;
    uint64_t empty_visits = n * DICT_REHASH_EMPTY_VISITS;
    while (n > 0 && d->table[0].used > 0) {
        /* Nodes remain, so a non-empty bucket lies at or after the index. */
        assert((uint64_t)d->rehash_index < d->table[0].size);
        if (d->table[0].buckets[d->rehash_index] == NULL) {
            d->rehash_index++;
            if (--empty_visits == 0)
                return true;
            continue;
        }
        dict_rehash_bucket(d);
        d->rehash_index++;
        n--;
    }
    if (d->table[0].used > 0)
        return true;
    dict_rehash_finish(d);
    return false;
}

bool dict_rehash(struct dict *d, int n)
{
    assert(n >= 0);
    /* Even an explicit request respects a pause or a live iterator: both
     * rely on nodes staying where they are. */
    if (!dict_can_step(d))
        return dict_is_rehashing(d);
    return dict_rehash_buckets(d, (uint64_t)n);
}

static int64_t dict_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool dict_rehash_ms(struct dict *d, int ms)
{
    assert(ms >= 0);
    if (!dict_can_step(d))
        return dict_is_rehashing(d);
    int64_t deadline_ns = dict_now_ns() + (int64_t)ms * 1000000;
    while (dict_rehash_buckets(d, DICT_REHASH_MS_BATCH_BUCKETS)) {
        if (dict_now_ns() >= deadline_ns)
            break;
    }
    return dict_is_rehashing(d);
}

/* ---- Lookup and update ---- */

/* Returns the link pointing at the node with this key and sets *table_out
 * to the table holding it, or returns NULL. */
static struct dict_node **dict_locate(const struct dict *d, const void *key, size_t len,
                                      uint64_t hash, int *table_out)
{
    if (dict_size(d) == 0)
        return NULL;
    int tables = dict_is_rehashing(d) ? 2 : 1;
    for (int t = 0; t < tables; t++) {
        const struct dict_table *table = &d->table[t];
        assert(table->size > 0);
        uint64_t slot = hash & (table->size - 1);
        /* Buckets of table[0] below rehash_index have been moved. */
        if (t == 0 && tables == 2 && slot < (uint64_t)d->rehash_index)
            continue;
        struct dict_node **link = &table->buckets[slot];
        for (; *link != NULL; link = &(*link)->next) {
            if (d->type->key_equal(*link, key, len)) {
                *table_out = t;
                return link;
            }
        }
    }
    return NULL;
}

struct dict_node *dict_find(const struct dict *d, const void *key, size_t len, uint64_t hash)
{
    int table;
    struct dict_node **link = dict_locate(d, key, len, hash, &table);
    return link ? *link : NULL;
}

struct dict_node **dict_find_link(const struct dict *d, const void *key, size_t len, uint64_t hash)
{
    int table;
    return dict_locate(d, key, len, hash, &table);
}

/* Whether node is already linked where its hash would put it. The dict
 * cannot read a node's key, so this catches re-adding the same node, not a
 * second node with an equal key. */
static bool dict_holds_node(const struct dict *d, const struct dict_node *node, uint64_t hash)
{
    int tables = dict_is_rehashing(d) ? 2 : 1;
    for (int t = 0; t < tables; t++) {
        const struct dict_table *table = &d->table[t];
        if (table->size == 0)
            continue;
        for (const struct dict_node *n = table->buckets[hash & (table->size - 1)]; n; n = n->next) {
            if (n == node)
                return true;
        }
    }
    return false;
}

void dict_add(struct dict *d, struct dict_node *node, uint64_t hash)
{
    assert(node != NULL);
    assert(!dict_holds_node(d, node, hash));
    if (dict_can_step(d))
        dict_rehash_buckets(d, DICT_REHASH_STEP_BUCKETS);
    dict_grow_if_needed(d);
    struct dict_table *t = &d->table[dict_is_rehashing(d) ? 1 : 0];
    assert(t->size > 0);
    uint64_t slot = hash & (t->size - 1);
    node->next = t->buckets[slot];
    t->buckets[slot] = node;
    t->used++;
}

struct dict_node *dict_remove(struct dict *d, const void *key, size_t len, uint64_t hash)
{
    if (dict_can_step(d))
        dict_rehash_buckets(d, DICT_REHASH_STEP_BUCKETS);
    int table;
    struct dict_node **link = dict_locate(d, key, len, hash, &table);
    if (link == NULL)
        return NULL;
    struct dict_node *node = *link;
    *link = node->next;
    node->next = NULL;
    assert(d->table[table].used > 0);
    d->table[table].used--;
    return node;
}

/* Unlinks every node of one table, handing each to free_node, and frees
 * the bucket array. */
static void dict_table_clear(struct dict_table *t,
                             void (*free_node)(struct dict_node *node, void *ctx), void *ctx)
{
    for (uint64_t i = 0; i < t->size && t->used > 0; i++) {
        struct dict_node *node = t->buckets[i];
        while (node != NULL) {
            struct dict_node *next = node->next;
            node->next = NULL;
            t->used--;
            if (free_node != NULL)
                free_node(node, ctx);
            node = next;
        }
    }
    assert(t->used == 0);
    alloc_free(t->buckets);
    *t = (struct dict_table){0};
}

void dict_clear(struct dict *d, void (*free_node)(struct dict_node *node, void *ctx), void *ctx)
{
    assert(d->iterators == 0);
    dict_table_clear(&d->table[0], free_node, ctx);
    dict_table_clear(&d->table[1], free_node, ctx);
    d->rehash_index = -1;
    assert(dict_size(d) == 0);
}

/* ---- SCAN ---- */

static uint64_t dict_reverse_bits(uint64_t v)
{
    v = ((v >> 1) & UINT64_C(0x5555555555555555)) | ((v & UINT64_C(0x5555555555555555)) << 1);
    v = ((v >> 2) & UINT64_C(0x3333333333333333)) | ((v & UINT64_C(0x3333333333333333)) << 2);
    v = ((v >> 4) & UINT64_C(0x0f0f0f0f0f0f0f0f)) | ((v & UINT64_C(0x0f0f0f0f0f0f0f0f)) << 4);
    return __builtin_bswap64(v);
}

/* Adds one to the cursor's bits under mask, counting from the high bit
 * down. Setting the bits above the mask first makes the carry run out of
 * the top, so the cursor wraps to 0 after the last bucket. */
static uint64_t dict_cursor_next(uint64_t cursor, uint64_t mask)
{
    cursor |= ~mask;
    cursor = dict_reverse_bits(cursor);
    cursor++;
    return dict_reverse_bits(cursor);
}

static void dict_scan_chain(struct dict_node *node, void (*fn)(struct dict_node *node, void *ctx),
                            void *ctx)
{
    while (node != NULL) {
        struct dict_node *next = node->next;
        fn(node, ctx);
        node = next;
    }
}

/* Why this is enough: the cursor's low bits pick a bucket in any table
 * size, and because it counts in reversed bit order, the buckets visited
 * so far in a table of size s are exactly the ones whose expansions (in a
 * larger table) or contractions (in a smaller one) were visited too. While
 * rehashing, one call covers a bucket of the smaller table together with
 * every bucket of the larger table that its nodes can move to. */
uint64_t dict_scan(const struct dict *d, uint64_t cursor,
                   void (*fn)(struct dict_node *node, void *ctx), void *ctx)
{
    assert(fn != NULL);
    if (dict_size(d) == 0)
        return 0;
    if (!dict_is_rehashing(d)) {
        uint64_t mask = d->table[0].size - 1;
        dict_scan_chain(d->table[0].buckets[cursor & mask], fn, ctx);
        return dict_cursor_next(cursor, mask);
    }
    const struct dict_table *small = &d->table[0];
    const struct dict_table *large = &d->table[1];
    if (small->size > large->size) {
        small = &d->table[1];
        large = &d->table[0];
    }
    uint64_t small_mask = small->size - 1;
    uint64_t large_mask = large->size - 1;
    assert((small_mask & ~large_mask) == 0);
    dict_scan_chain(small->buckets[cursor & small_mask], fn, ctx);
    /* Visit the larger table's buckets that share this cursor's low bits,
     * stepping the extra high bits until they wrap back to zero. */
    do {
        dict_scan_chain(large->buckets[cursor & large_mask], fn, ctx);
        cursor = dict_cursor_next(cursor, large_mask);
    } while (cursor & (small_mask ^ large_mask));
    return cursor;
}

/* ---- Random sampling ---- */

/* Buckets are numbered across both tables: table[0] first, then table[1]. */
static struct dict_node *dict_bucket_at(const struct dict *d, uint64_t position)
{
    if (position < d->table[0].size)
        return d->table[0].buckets[position];
    assert(position - d->table[0].size < d->table[1].size);
    return d->table[1].buckets[position - d->table[0].size];
}

/* Returns the head of a random non-empty bucket of a non-empty dict. */
static struct dict_node *dict_random_bucket(const struct dict *d, uint64_t (*rand64)(void))
{
    /* Buckets of table[0] below rehash_index are known to be empty. */
    uint64_t first = dict_is_rehashing(d) ? (uint64_t)d->rehash_index : 0;
    uint64_t span = dict_buckets(d) - first;
    assert(span > 0);
    uint64_t offset = 0;
    for (int probe = 0; probe < DICT_RANDOM_PROBES_MAX; probe++) {
        offset = rand64() % span;
        struct dict_node *head = dict_bucket_at(d, first + offset);
        if (head != NULL)
            return head;
    }
    for (uint64_t walked = 0; walked < span; walked++) {
        offset = (offset + 1) % span;
        struct dict_node *head = dict_bucket_at(d, first + offset);
        if (head != NULL)
            return head;
    }
    assert(!"a non-empty dict has a non-empty bucket");
    return NULL;
}

struct dict_node *dict_random(const struct dict *d, uint64_t (*rand64)(void))
{
    assert(rand64 != NULL);
    if (dict_size(d) == 0)
        return NULL;
    struct dict_node *head = dict_random_bucket(d, rand64);
    uint64_t chain_len = 0;
    for (const struct dict_node *n = head; n != NULL; n = n->next)
        chain_len++;
    assert(chain_len > 0);
    for (uint64_t skip = rand64() % chain_len; skip > 0; skip--)
        head = head->next;
    return head;
}

/* The node at index k (0 <= k < size) in bucket order, both tables. */
static struct dict_node *dict_node_at(const struct dict *d, uint64_t k)
{
    uint64_t first = dict_is_rehashing(d) ? (uint64_t)d->rehash_index : 0;
    uint64_t span = dict_buckets(d) - first;
    for (uint64_t pos = 0; pos < span; pos++)
        for (struct dict_node *n = dict_bucket_at(d, first + pos); n != NULL; n = n->next)
            if (k-- == 0)
                return n;
    assert(!"k is below the dict's size");
    return NULL;
}

struct dict_node *dict_random_fair(const struct dict *d, uint64_t (*rand64)(void))
{
    if (dict_size(d) == 0)
        return NULL;
    if (dict_buckets(d) <= DICT_RANDOM_EXACT_BUCKETS_MAX)
        return dict_node_at(d, rand64() % dict_size(d));
    struct dict_node *sample[DICT_RANDOM_FAIR_SAMPLE];
    unsigned n = dict_sample(d, sample, DICT_RANDOM_FAIR_SAMPLE, rand64);
    /* The sampler can give up on a very sparse table: fall back to the
     * plain pick rather than fail. */
    if (n == 0)
        return dict_random(d, rand64);
    return sample[rand64() % n];
}

unsigned dict_sample(const struct dict *d, struct dict_node **out, unsigned count,
                     uint64_t (*rand64)(void))
{
    assert(rand64 != NULL);
    if ((uint64_t)count > dict_size(d))
        count = (unsigned)dict_size(d);
    if (count == 0)
        return 0;
    /* Positions number both tables' buckets (dict_bucket_at); those of
     * table[0] below rehash_index are empty and skipped. */
    uint64_t first = dict_is_rehashing(d) ? (uint64_t)d->rehash_index : 0;
    uint64_t span = dict_buckets(d) - first;
    assert(span > 0);
    uint64_t position = rand64() % span;
    uint64_t empty_run = 0;
    unsigned stored = 0;
    for (uint64_t steps = (uint64_t)count * DICT_SAMPLE_STEPS_PER_KEY; stored < count && steps > 0;
         steps--) {
        struct dict_node *n = dict_bucket_at(d, first + position);
        if (n == NULL) {
            /* A long empty stretch says this part of the table is sparse:
             * look somewhere else rather than walk it. */
            if (++empty_run >= DICT_SAMPLE_EMPTY_RUN_MIN && empty_run > count) {
                position = rand64() % span;
                empty_run = 0;
                continue;
            }
        } else {
            empty_run = 0;
            for (; n != NULL && stored < count; n = n->next)
                out[stored++] = n;
        }
        position = (position + 1) % span;
    }
    return stored;
}

/* ---- Safe iteration ---- */

void dict_iter_init(struct dict_iter *it, struct dict *d)
{
    assert(d != NULL);
    assert(d->iterators >= 0);
    *it = (struct dict_iter){.dict = d, .table = 0, .index = 0, .next = NULL, .started = false};
    d->iterators++;
}

/* Moves to the next bucket and loads its head into it->next. Returns false
 * once both tables are exhausted. */
static bool dict_iter_advance(struct dict_iter *it)
{
    const struct dict *d = it->dict;
    if (it->started)
        it->index++;
    it->started = true;
    if (it->index >= d->table[it->table].size) {
        /* Table 1 only exists while rehashing. A rehash cannot finish
         * while this iterator lives, but one may start. */
        if (it->table == 1 || !dict_is_rehashing(d))
            return false;
        it->table = 1;
        it->index = 0;
    }
    assert(it->index < d->table[it->table].size);
    it->next = d->table[it->table].buckets[it->index];
    return true;
}

struct dict_node *dict_iter_next(struct dict_iter *it)
{
    assert(it->dict != NULL);
    assert(it->dict->iterators > 0);
    while (it->next == NULL) {
        if (!dict_iter_advance(it))
            return NULL;
    }
    struct dict_node *node = it->next;
    it->next = node->next;
    return node;
}

void dict_iter_done(struct dict_iter *it)
{
    assert(it->dict != NULL);
    assert(it->dict->iterators > 0);
    it->dict->iterators--;
    *it = (struct dict_iter){0};
}
