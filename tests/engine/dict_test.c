/* dict_test.c: unit tests for engine/dict.c.
 *
 * Nodes come from a pool of struct test_node, each with a "linked" flag the
 * tests keep in step with the dict, so every callback can check that the
 * dict only hands out nodes that are really in it. Randomness comes from a
 * seeded xorshift generator, so a failure repeats exactly. */
#include "engine/alloc.h"
#include "engine/dict.h"
#include "tests/unit.h"

#include <assert.h>
#include <check.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_KEY_BYTES_MAX 24
/* Per-test time limit; the 100k-node tests run slowly under ASan. */
#define TEST_TIMEOUT_S 120

struct test_node {
    struct dict_node link; /* first member, so a dict_node is a test_node */
    uint32_t id;
    bool linked;       /* whether the test believes the node is in the dict */
    uint32_t removals; /* times test_remove took it out */
    uint8_t key_len;
    char key[TEST_KEY_BYTES_MAX];
};

static_assert(offsetof(struct test_node, link) == 0, "link must come first");

static struct test_node *test_node_of(struct dict_node *node)
{
    return (struct test_node *)node;
}

static uint64_t test_hash_node(const struct dict_node *node)
{
    const struct test_node *n = (const struct test_node *)node;
    return dict_hash_bytes(n->key, n->key_len);
}

static bool test_key_equal(const struct dict_node *node, const void *key, size_t key_len)
{
    const struct test_node *n = (const struct test_node *)node;
    return n->key_len == key_len && memcmp(n->key, key, key_len) == 0;
}

static const struct dict_type test_type = {
    .hash_node = test_hash_node,
    .key_equal = test_key_equal,
};

/* ---- Randomness ---- */

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* For the library calls that take a uint64_t (*)(void) source of
 * randomness. */
static uint64_t test_rand64(void)
{
    return test_rng_next(&rng);
}

/* ---- Node pool ---- */

struct test_pool {
    struct test_node *nodes; /* owned */
    uint32_t count;
};

static struct test_pool test_pool_make(uint32_t count)
{
    struct test_pool pool = {
        .nodes = alloc_zeroed(count * sizeof(struct test_node)),
        .count = count,
    };
    for (uint32_t i = 0; i < count; i++) {
        struct test_node *n = &pool.nodes[i];
        n->id = i;
        int len = snprintf(n->key, sizeof(n->key), "key:%u", i);
        TEST_CHECK(len > 0);
        n->key_len = (uint8_t)len;
    }
    return pool;
}

/* The pool's nodes are borrowed by the dict, so the dict is cleared first. */
static void test_pool_free(struct test_pool *pool, struct dict *d)
{
    dict_clear(d, NULL, NULL);
    alloc_free(pool->nodes);
    pool->nodes = NULL;
}

static uint64_t test_hash(const struct test_node *n)
{
    return dict_hash_bytes(n->key, n->key_len);
}

static void test_add(struct dict *d, struct test_node *n)
{
    TEST_CHECK(!n->linked);
    dict_add(d, &n->link, test_hash(n));
    n->linked = true;
}

static void test_remove(struct dict *d, struct test_node *n)
{
    TEST_CHECK(n->linked);
    struct dict_node *removed = dict_remove(d, n->key, n->key_len, test_hash(n));
    TEST_CHECK(removed == &n->link);
    n->linked = false;
    n->removals++;
}

static struct test_node *test_find(const struct dict *d, const struct test_node *n)
{
    struct dict_node *found = dict_find(d, n->key, n->key_len, test_hash(n));
    return found ? test_node_of(found) : NULL;
}

/* Checks every pool node against the dict: linked ones are found, others
 * are not, and the counts agree. */
static void test_verify(const struct dict *d, const struct test_pool *pool)
{
    uint64_t linked = 0;
    for (uint32_t i = 0; i < pool->count; i++) {
        const struct test_node *n = &pool->nodes[i];
        struct test_node *found = test_find(d, n);
        if (n->linked) {
            TEST_CHECK(found == n);
            linked++;
        } else {
            TEST_CHECK(found == NULL);
        }
    }
    ck_assert_uint_eq(dict_size(d), linked);
}

static void test_rehash_all(struct dict *d)
{
    while (dict_rehash(d, 1000)) {
    }
    ck_assert(!dict_is_rehashing(d));
}

/* Adds pool nodes in order, at least at_least of them, until an add leaves
 * the dict rehashing; returns how many were added. */
static uint32_t test_fill_until_rehashing(struct dict *d, struct test_pool *pool, uint32_t at_least)
{
    for (uint32_t i = 0; i < pool->count; i++) {
        test_add(d, &pool->nodes[i]);
        if (i + 1 >= at_least && dict_is_rehashing(d))
            return i + 1;
    }
    ck_abort_msg("the pool never triggered a resize");
    return 0;
}

/* ---- Hash ---- */

START_TEST(test_hash_nocase_equals_lowercased)
{
    uint8_t raw[80], lowered[80];
    test_rng_init(&rng, 11);
    for (size_t len = 0; len <= sizeof(raw); len++) {
        for (size_t i = 0; i < len; i++) {
            raw[i] = (uint8_t)test_rng_next(&rng);
            lowered[i] = (raw[i] >= 'A' && raw[i] <= 'Z') ? (uint8_t)(raw[i] + 32) : raw[i];
        }
        TEST_CHECK(dict_hash_bytes_nocase(raw, len) == dict_hash_bytes(lowered, len));
        TEST_CHECK(dict_hash_bytes_nocase(lowered, len) == dict_hash_bytes(lowered, len));
    }
    ck_assert_uint_eq(dict_hash_bytes_nocase("GET", 3), dict_hash_bytes("get", 3));
    ck_assert_uint_ne(dict_hash_bytes("GET", 3), dict_hash_bytes("get", 3));
    ck_assert_uint_eq(dict_hash_bytes(NULL, 0), dict_hash_bytes("", 0));
}
END_TEST

START_TEST(test_hash_seed_changes_hash)
{
    const char *key = "ringkv";
    uint64_t before = dict_hash_bytes(key, strlen(key));
    ck_assert_uint_eq(dict_hash_bytes(key, strlen(key)), before);
    uint8_t seed[16];
    for (int i = 0; i < 16; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    dict_hash_seed(seed);
    uint64_t after = dict_hash_bytes(key, strlen(key));
    ck_assert_uint_ne(after, before);
    ck_assert_uint_eq(dict_hash_bytes(key, strlen(key)), after);
    seed[15] ^= 1;
    dict_hash_seed(seed);
    ck_assert_uint_ne(dict_hash_bytes(key, strlen(key)), after);
    seed[15] ^= 1;
    dict_hash_seed(seed);
    ck_assert_uint_eq(dict_hash_bytes(key, strlen(key)), after);
}
END_TEST

START_TEST(test_hash_distinguishes_keys)
{
    /* Every length and every single-bit flip must change the hash. */
    uint8_t buf[32] = {0};
    uint64_t lengths[sizeof(buf) + 1];
    for (size_t len = 0; len <= sizeof(buf); len++) {
        lengths[len] = dict_hash_bytes(buf, len);
        for (size_t j = 0; j < len; j++)
            TEST_CHECK(lengths[len] != lengths[j]);
    }
    uint64_t base = dict_hash_bytes(buf, sizeof(buf));
    for (size_t bit = 0; bit < sizeof(buf) * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        TEST_CHECK(dict_hash_bytes(buf, sizeof(buf)) != base);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}
END_TEST

/* ---- Add, find, remove, sizing ---- */

START_TEST(test_add_find_remove_100k)
{
    enum { count = 100000 };
    struct test_pool pool = test_pool_make(count);
    struct dict d;
    dict_init(&d, &test_type);
    ck_assert_uint_eq(dict_size(&d), 0);
    ck_assert_ptr_null(dict_find(&d, "key:1", 5, dict_hash_bytes("key:1", 5)));
    for (uint32_t i = 0; i < count; i++) {
        test_add(&d, &pool.nodes[i]);
        /* Unpaused, one step per add finishes each rehash before the
         * next growth, so the load factor stays at most 1. */
        if (!dict_is_rehashing(&d))
            TEST_CHECK(d.table[0].used <= d.table[0].size);
    }
    test_verify(&d, &pool);
    for (uint32_t i = 0; i < count; i += 2)
        test_remove(&d, &pool.nodes[i]);
    test_verify(&d, &pool);
    ck_assert_ptr_null(dict_remove(&d, pool.nodes[0].key, pool.nodes[0].key_len,
                                   test_hash(&pool.nodes[0])));
    for (uint32_t i = 1; i < count; i += 2)
        test_remove(&d, &pool.nodes[i]);
    test_verify(&d, &pool);
    ck_assert_uint_eq(dict_size(&d), 0);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_growth_sizes)
{
    struct test_pool pool = test_pool_make(100000);
    struct dict d;
    dict_init(&d, &test_type);
    ck_assert_uint_eq(dict_buckets(&d), 0);
    for (uint32_t i = 0; i < DICT_INITIAL_SIZE; i++)
        test_add(&d, &pool.nodes[i]);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE);
    /* Reaching load factor 1 doubles the table, and the new node lands
     * in the new table. */
    test_add(&d, &pool.nodes[DICT_INITIAL_SIZE]);
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[1].size, DICT_INITIAL_SIZE * 2);
    ck_assert_uint_ge(d.table[1].used, 1);
    ck_assert_uint_eq(dict_buckets(&d), DICT_INITIAL_SIZE * 3);
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE * 2);
    ck_assert_uint_eq(d.table[1].size, 0);
    ck_assert_ptr_null(d.table[1].buckets);
    ck_assert_int_eq(d.rehash_index, -1);
    for (uint32_t i = DICT_INITIAL_SIZE + 1; i < pool.count; i++)
        test_add(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    /* 100000 nodes: the last growth happened at 65536 used. */
    ck_assert_uint_eq(d.table[0].size, 131072);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_shrink_if_sparse)
{
    struct test_pool pool = test_pool_make(1000);
    struct dict d;
    dict_init(&d, &test_type);
    for (uint32_t i = 0; i < pool.count; i++)
        test_add(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, 1024);
    /* 103 of 1024 is just over 10%: no shrink. */
    for (uint32_t i = 103; i < pool.count; i++)
        test_remove(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    dict_shrink_if_sparse(&d);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, 1024);
    /* 100 of 1024 is under 10%: shrink to the smallest fit, 128. */
    for (uint32_t i = 100; i < 103; i++)
        test_remove(&d, &pool.nodes[i]);
    dict_shrink_if_sparse(&d);
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[1].size, 128);
    dict_shrink_if_sparse(&d); /* no-op while rehashing */
    ck_assert_uint_eq(d.table[1].size, 128);
    test_verify(&d, &pool);
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, 128);
    test_verify(&d, &pool);
    /* Emptied, it goes back to the initial size and no further. */
    for (uint32_t i = 0; i < 100; i++)
        test_remove(&d, &pool.nodes[i]);
    dict_shrink_if_sparse(&d);
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE);
    dict_shrink_if_sparse(&d);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

/* While a fork child shares the pages, every table (not only the paused
 * keyspace ones) grows only past the forced ratio and never shrinks; the
 * rules come back when the last child is gone. */
START_TEST(test_avoid_resize_while_a_child_shares_pages)
{
    struct test_pool pool = test_pool_make(1000);
    struct dict d;
    dict_init(&d, &test_type);
    for (uint32_t i = 0; i < 64; i++)
        test_add(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, 64);
    dict_avoid_resize(true);
    dict_avoid_resize(true);
    /* Up to DICT_FORCE_RESIZE_RATIO nodes per bucket: no growth. */
    uint32_t n = 64;
    for (; n < 64 * (DICT_FORCE_RESIZE_RATIO + 1); n++)
        test_add(&d, &pool.nodes[n]);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, 64);
    /* Past it, the table must grow even now. */
    test_add(&d, &pool.nodes[n++]);
    ck_assert(dict_is_rehashing(&d));
    test_rehash_all(&d);
    /* Emptied to one node: no shrink while avoided. */
    for (uint32_t i = 1; i < n; i++)
        test_remove(&d, &pool.nodes[i]);
    uint64_t size = d.table[0].size;
    dict_shrink_if_sparse(&d);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, size);
    dict_avoid_resize(false);
    dict_shrink_if_sparse(&d);
    ck_assert(!dict_is_rehashing(&d)); /* one child still runs */
    dict_avoid_resize(false);
    dict_shrink_if_sparse(&d);
    ck_assert(dict_is_rehashing(&d));
    test_rehash_all(&d);
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE);
    for (uint32_t i = 1; i < n; i++)
        test_add(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    ck_assert_uint_ge(d.table[0].size, n); /* load factor 1 again */
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_expand_presizes)
{
    struct test_pool pool = test_pool_make(1000);
    struct dict d;
    dict_init(&d, &test_type);
    dict_expand(&d, 1000);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, 1024);
    for (uint32_t i = 0; i < pool.count; i++) {
        test_add(&d, &pool.nodes[i]);
        ck_assert(!dict_is_rehashing(&d));
    }
    dict_expand(&d, 10); /* a hint never shrinks */
    ck_assert_uint_eq(d.table[0].size, 1024);
    dict_expand(&d, 5000); /* a non-empty table grows by rehashing */
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[1].size, 8192);
    test_verify(&d, &pool);
    test_rehash_all(&d);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_interleaved_during_rehash)
{
    struct test_pool pool = test_pool_make(20000);
    struct dict d;
    dict_init(&d, &test_type);
    uint32_t filled = test_fill_until_rehashing(&d, &pool, 1300);
    /* While paused, an add lands in table[1] and moves nothing. */
    dict_pause_rehash(&d);
    uint64_t old_used = d.table[0].used, new_used = d.table[1].used;
    test_add(&d, &pool.nodes[filled++]);
    ck_assert_uint_eq(d.table[0].used, old_used);
    ck_assert_uint_eq(d.table[1].used, new_used + 1);
    dict_resume_rehash(&d);
    /* Random adds, removes and finds, checking everything while any
     * rehash is in progress. */
    test_rng_init(&rng, 7);
    uint32_t checks_while_rehashing = 0;
    for (int round = 0; round < 60000; round++) {
        struct test_node *n = &pool.nodes[test_rng_below(&rng, pool.count)];
        if (n->linked)
            test_remove(&d, n);
        else
            test_add(&d, n);
        if (round % 997 == 0)
            dict_shrink_if_sparse(&d);
        if (round % 499 == 0 && dict_is_rehashing(&d)) {
            test_verify(&d, &pool);
            checks_while_rehashing++;
        }
    }
    ck_assert_uint_gt(checks_while_rehashing, 0);
    test_verify(&d, &pool);
    test_rehash_all(&d);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

/* ---- SCAN ---- */

struct test_seen {
    uint8_t *counts; /* owned; visits per pool id, saturating */
    uint32_t count;
    struct test_node *base; /* borrowed: the pool */
};

static struct test_seen test_seen_make(struct test_pool *pool)
{
    return (struct test_seen){
        .counts = alloc_zeroed(pool->count),
        .count = pool->count,
        .base = pool->nodes,
    };
}

static void test_seen_fn(struct dict_node *node, void *ctx)
{
    struct test_seen *seen = ctx;
    struct test_node *n = test_node_of(node);
    TEST_CHECK(n >= seen->base && n < seen->base + seen->count);
    TEST_CHECK(n->linked);
    if (seen->counts[n->id] < UINT8_MAX)
        seen->counts[n->id]++;
}

START_TEST(test_scan_empty_and_complete_cycle)
{
    struct test_pool pool = test_pool_make(5000);
    struct test_seen seen = test_seen_make(&pool);
    struct dict d;
    dict_init(&d, &test_type);
    ck_assert_uint_eq(dict_scan(&d, 0, test_seen_fn, &seen), 0);
    test_fill_until_rehashing(&d, &pool, 1300);
    /* Stable tables, once rehashing and once not: a full cycle returns
     * each node exactly once and ends with cursor 0 within the bucket
     * count of calls. */
    for (int pass = 0; pass < 2; pass++) {
        dict_pause_rehash(&d);
        ck_assert(dict_is_rehashing(&d) == (pass == 0));
        memset(seen.counts, 0, seen.count);
        uint64_t cursor = 0, calls = 0;
        do {
            cursor = dict_scan(&d, cursor, test_seen_fn, &seen);
            calls++;
            TEST_CHECK(calls <= dict_buckets(&d));
        } while (cursor != 0);
        for (uint32_t i = 0; i < pool.count; i++)
            TEST_CHECK(seen.counts[i] == (pool.nodes[i].linked ? 1 : 0));
        dict_resume_rehash(&d);
        test_rehash_all(&d);
    }
    alloc_free(seen.counts);
    test_pool_free(&pool, &d);
}
END_TEST

/* A set of pool ids with random removal, for picking what to add or remove
 * next without retrying. */
struct test_id_set {
    uint32_t *ids; /* owned */
    uint32_t count;
};

static struct test_id_set test_id_set_make(uint32_t capacity)
{
    return (struct test_id_set){.ids = alloc_bytes(capacity * sizeof(uint32_t)), .count = 0};
}

static void test_id_set_put(struct test_id_set *set, uint32_t id)
{
    set->ids[set->count++] = id;
}

static uint32_t test_id_set_take_random(struct test_id_set *set)
{
    TEST_CHECK(set->count > 0);
    uint32_t slot = test_rng_below(&rng, set->count);
    uint32_t id = set->ids[slot];
    set->ids[slot] = set->ids[--set->count];
    return id;
}

/* What the table did during a checked scan. */
struct test_scan_stats {
    uint64_t calls;
    uint32_t grows;   /* calls after which the target size had grown */
    uint32_t shrinks; /* calls after which the target size had shrunk */
};

/* The size the table is heading for: table[1]'s while rehashing. */
static uint64_t test_target_size(const struct dict *d)
{
    return dict_is_rehashing(d) ? d->table[1].size : d->table[0].size;
}

/* Scans to completion, calling between(d, pool, ctx) after every step, and
 * checks that every node present for the whole scan was returned: one that
 * was linked at the start and never removed since. */
typedef void test_between_fn(struct dict *d, struct test_pool *pool, void *ctx);

static struct test_scan_stats test_scan_checked(struct dict *d, struct test_pool *pool,
                                                test_between_fn *between, void *ctx)
{
    struct test_seen seen = test_seen_make(pool);
    uint32_t *removals_at_start = alloc_zeroed(pool->count * sizeof(uint32_t));
    bool *linked_at_start = alloc_zeroed(pool->count * sizeof(bool));
    for (uint32_t i = 0; i < pool->count; i++) {
        removals_at_start[i] = pool->nodes[i].removals;
        linked_at_start[i] = pool->nodes[i].linked;
    }
    struct test_scan_stats stats = {0};
    uint64_t cursor = 0;
    do {
        uint64_t target_before = test_target_size(d);
        cursor = dict_scan(d, cursor, test_seen_fn, &seen);
        between(d, pool, ctx);
        stats.grows += test_target_size(d) > target_before;
        stats.shrinks += test_target_size(d) < target_before;
        TEST_CHECK(++stats.calls < 10000000);
    } while (cursor != 0);
    uint32_t stable = 0;
    for (uint32_t i = 0; i < pool->count; i++) {
        if (!linked_at_start[i] || pool->nodes[i].removals != removals_at_start[i])
            continue;
        if (seen.counts[i] == 0)
            ck_abort_msg("node %u was present throughout the scan but not returned", i);
        stable++;
    }
    ck_assert_uint_gt(stable, 0);
    alloc_free(linked_at_start);
    alloc_free(removals_at_start);
    alloc_free(seen.counts);
    return stats;
}

/* Adds the next 40 pool nodes after every scan step. */
static void test_scan_grow_between(struct dict *d, struct test_pool *pool, void *ctx)
{
    uint32_t *next_id = ctx;
    for (int i = 0; i < 40 && *next_id < pool->count; i++)
        test_add(d, &pool->nodes[(*next_id)++]);
}

START_TEST(test_scan_while_growing)
{
    struct test_pool pool = test_pool_make(1000 + 120000);
    struct dict d;
    dict_init(&d, &test_type);
    uint32_t next_id = 0;
    while (next_id < 1000)
        test_add(&d, &pool.nodes[next_id++]);
    test_rehash_all(&d);
    struct test_scan_stats stats = test_scan_checked(&d, &pool, test_scan_grow_between, &next_id);
    ck_assert_uint_ge(stats.grows, 4);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

/* Removes 16 random removable nodes after every scan step, then lets the
 * table shrink and rehash a little. */
static void test_scan_shrink_between(struct dict *d, struct test_pool *pool, void *ctx)
{
    struct test_id_set *removable = ctx;
    for (int i = 0; i < 16 && removable->count > 0; i++)
        test_remove(d, &pool->nodes[test_id_set_take_random(removable)]);
    dict_shrink_if_sparse(d);
    dict_rehash(d, (int)test_rng_below(&rng, 4));
}

START_TEST(test_scan_while_shrinking)
{
    struct test_pool pool = test_pool_make(65536);
    struct test_id_set removable = test_id_set_make(pool.count);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct dict d;
        dict_init(&d, &test_type);
        test_rng_init(&rng, seed);
        removable.count = 0;
        for (uint32_t i = 0; i < pool.count; i++) {
            pool.nodes[i].linked = false;
            test_add(&d, &pool.nodes[i]);
            if (i % 512 != 0)
                test_id_set_put(&removable, i);
        }
        test_rehash_all(&d);
        ck_assert_uint_eq(d.table[0].size, 65536);
        struct test_scan_stats stats =
            test_scan_checked(&d, &pool, test_scan_shrink_between, &removable);
        /* 65536 buckets shrink to 8192, then to 1024 for the 128 kept. */
        ck_assert_uint_ge(stats.shrinks, 2);
        test_verify(&d, &pool);
        dict_clear(&d, NULL, NULL);
    }
    alloc_free(removable.ids);
    alloc_free(pool.nodes);
}
END_TEST

/* Ids below TEST_CHURN_KEPT stay linked throughout; the rest move between
 * two sets in phases of adding and of removing. */
#define TEST_CHURN_KEPT 100

struct test_churn {
    struct test_id_set linked;
    struct test_id_set unlinked;
    bool growing;
    uint32_t phase_calls_left;
};

/* Adds or removes 20 nodes per scan step, switching direction every few
 * hundred steps, with random shrinks, rehash steps and pauses. */
static void test_scan_churn_between(struct dict *d, struct test_pool *pool, void *ctx)
{
    struct test_churn *churn = ctx;
    if (churn->phase_calls_left-- == 0) {
        churn->growing = !churn->growing;
        churn->phase_calls_left = 50 + test_rng_below(&rng, 400);
    }
    for (int op = 0; op < 20; op++) {
        struct test_id_set *from = churn->growing ? &churn->unlinked : &churn->linked;
        struct test_id_set *to = churn->growing ? &churn->linked : &churn->unlinked;
        if (from->count == 0)
            break;
        uint32_t id = test_id_set_take_random(from);
        if (churn->growing)
            test_add(d, &pool->nodes[id]);
        else
            test_remove(d, &pool->nodes[id]);
        test_id_set_put(to, id);
    }
    if (test_rng_below(&rng, 4) == 0)
        dict_shrink_if_sparse(d);
    if (test_rng_below(&rng, 3) == 0)
        dict_rehash(d, (int)test_rng_below(&rng, 50));
    if (d->rehash_paused > 0)
        dict_resume_rehash(d);
    else if (test_rng_below(&rng, 8) == 0)
        dict_pause_rehash(d);
}

START_TEST(test_scan_under_churn)
{
    struct test_pool pool = test_pool_make(20000);
    struct test_churn churn = {
        .linked = test_id_set_make(pool.count),
        .unlinked = test_id_set_make(pool.count),
    };
    struct test_scan_stats total = {0};
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct dict d;
        dict_init(&d, &test_type);
        test_rng_init(&rng, seed * 7919);
        churn.linked.count = churn.unlinked.count = 0;
        churn.growing = seed % 2 == 0;
        churn.phase_calls_left = 50 + test_rng_below(&rng, 400);
        uint32_t initial = TEST_CHURN_KEPT + test_rng_below(&rng, pool.count / 2);
        for (uint32_t i = 0; i < pool.count; i++) {
            pool.nodes[i].linked = false;
            if (i < initial)
                test_add(&d, &pool.nodes[i]);
            if (i >= TEST_CHURN_KEPT)
                test_id_set_put(i < initial ? &churn.linked : &churn.unlinked, i);
        }
        struct test_scan_stats stats =
            test_scan_checked(&d, &pool, test_scan_churn_between, &churn);
        total.calls += stats.calls;
        total.grows += stats.grows;
        total.shrinks += stats.shrinks;
        if (d.rehash_paused > 0)
            dict_resume_rehash(&d);
        test_verify(&d, &pool);
        dict_clear(&d, NULL, NULL);
    }
    /* The point of the churn is resizes in both directions mid-scan. */
    ck_assert_uint_ge(total.grows, 12);
    ck_assert_uint_ge(total.shrinks, 12);
    alloc_free(churn.linked.ids);
    alloc_free(churn.unlinked.ids);
    alloc_free(pool.nodes);
}
END_TEST

/* ---- Links, iterators, random ---- */

static void test_free_copy(struct dict_node *node, void *ctx)
{
    uint32_t *freed = ctx;
    (*freed)++;
    alloc_free(test_node_of(node));
}

START_TEST(test_find_link_swap)
{
    enum { count = 3000 };
    struct test_pool pool = test_pool_make(count);
    struct dict d;
    dict_init(&d, &test_type);
    for (uint32_t i = 0; i < count; i++)
        test_add(&d, &pool.nodes[i]);
    ck_assert(dict_is_rehashing(&d)); /* 3000 adds end mid-rehash */
    ck_assert_ptr_null(dict_find_link(&d, "absent", 6, dict_hash_bytes("absent", 6)));
    /* Replace every node with a separately allocated copy, as the
     * keyspace does when a value is reallocated, then wipe the original. */
    struct test_node **copies = alloc_zeroed(count * sizeof(struct test_node *));
    for (uint32_t i = 0; i < count; i++) {
        struct test_node *old = &pool.nodes[i];
        struct dict_node **link = dict_find_link(&d, old->key, old->key_len, test_hash(old));
        TEST_CHECK(link != NULL);
        TEST_CHECK(*link == &old->link);
        struct test_node *copy = alloc_bytes(sizeof(*copy));
        memcpy(copy, old, sizeof(*copy));
        *link = &copy->link;
        memset(old, 0xa5, sizeof(*old));
        copies[i] = copy;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < count; i++)
            TEST_CHECK(test_find(&d, copies[i]) == copies[i]);
        test_rehash_all(&d);
    }
    uint32_t freed = 0;
    dict_clear(&d, test_free_copy, &freed);
    ck_assert_uint_eq(freed, count);
    alloc_free(copies);
    alloc_free(pool.nodes);
}
END_TEST

START_TEST(test_iter_remove_current)
{
    struct test_pool pool = test_pool_make(5000);
    struct test_seen seen = test_seen_make(&pool);
    struct dict d;
    dict_init(&d, &test_type);
    uint32_t filled = test_fill_until_rehashing(&d, &pool, 1300);
    uint32_t next_new = filled + 1; /* nodes[filled] is kept for the end */
    int64_t rehash_index = d.rehash_index;
    struct dict_iter it;
    dict_iter_init(&it, &d);
    ck_assert_int_eq(d.iterators, 1);
    struct dict_node *node;
    while ((node = dict_iter_next(&it)) != NULL) {
        struct test_node *n = test_node_of(node);
        test_seen_fn(node, &seen);
        /* Remove every current node except one in three, and add a node
         * now and then, which may or may not be returned. */
        if (n->id % 3 != 0)
            test_remove(&d, n);
        if (n->id % 10 == 0)
            test_add(&d, &pool.nodes[next_new++]);
        /* No rehash step happens under a live iterator. */
        TEST_CHECK(d.rehash_index == rehash_index);
    }
    ck_assert_ptr_null(dict_iter_next(&it));
    dict_iter_done(&it);
    ck_assert_int_eq(d.iterators, 0);
    ck_assert_uint_gt(next_new, filled + 100);
    for (uint32_t i = 0; i < filled; i++)
        TEST_CHECK(seen.counts[i] == 1);
    for (uint32_t i = filled; i < pool.count; i++)
        TEST_CHECK(seen.counts[i] <= 1);
    test_verify(&d, &pool);
    /* After the iterator is done, steps resume. */
    test_add(&d, &pool.nodes[filled]);
    ck_assert_int_ne(d.rehash_index, rehash_index);
    alloc_free(seen.counts);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_iter_growth_only_past_ratio)
{
    struct test_pool pool = test_pool_make(200);
    struct dict d;
    dict_init(&d, &test_type);
    struct dict_iter it;
    dict_iter_init(&it, &d);
    ck_assert_ptr_null(dict_iter_next(&it));
    /* With an iterator live the table grows only past the forced ratio:
     * the add that finds used / size above it starts the resize. */
    uint32_t limit = DICT_INITIAL_SIZE * (DICT_FORCE_RESIZE_RATIO + 1);
    for (uint32_t i = 0; i <= limit; i++) {
        TEST_CHECK(!dict_is_rehashing(&d));
        test_add(&d, &pool.nodes[i]);
    }
    ck_assert(dict_is_rehashing(&d));
    ck_assert_uint_eq(d.table[0].size, DICT_INITIAL_SIZE);
    ck_assert_uint_eq(d.table[1].size, 64);
    dict_iter_done(&it);
    /* A fresh iterator over a rehashing table returns every node once. */
    dict_iter_init(&it, &d);
    uint32_t returned = 0;
    while (dict_iter_next(&it) != NULL)
        returned++;
    dict_iter_done(&it);
    ck_assert_uint_eq(returned, limit + 1);
    test_verify(&d, &pool);
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_random_returns_present)
{
    struct test_pool pool = test_pool_make(2000);
    struct test_seen seen = test_seen_make(&pool);
    struct dict d;
    dict_init(&d, &test_type);
    test_rng_init(&rng, 3);
    ck_assert_ptr_null(dict_random(&d, test_rand64));
    uint32_t filled = test_fill_until_rehashing(&d, &pool, 1300);
    /* Mid-rehash, both tables hold nodes and every node turns up. */
    dict_pause_rehash(&d);
    ck_assert_uint_gt(d.table[0].used, 100);
    ck_assert_uint_gt(d.table[1].used, 100);
    for (int i = 0; i < 100000; i++)
        test_seen_fn(dict_random(&d, test_rand64), &seen);
    for (uint32_t i = 0; i < filled; i++)
        TEST_CHECK(seen.counts[i] > 0);
    dict_resume_rehash(&d);
    test_rehash_all(&d);
    /* A few nodes in a large sparse table: probes mostly miss. */
    for (uint32_t i = 10; i < filled; i++)
        test_remove(&d, &pool.nodes[i]);
    memset(seen.counts, 0, seen.count);
    for (int i = 0; i < 5000; i++)
        test_seen_fn(dict_random(&d, test_rand64), &seen);
    for (uint32_t i = 0; i < 10; i++)
        TEST_CHECK(seen.counts[i] > 0);
    for (uint32_t i = 0; i < 10; i++)
        test_remove(&d, &pool.nodes[i]);
    ck_assert_ptr_null(dict_random(&d, test_rand64));
    alloc_free(seen.counts);
    test_pool_free(&pool, &d);
}
END_TEST

/* Pearson's chi-square of draws against a uniform pick among n nodes. */
static double test_chi_square(const uint32_t *counts, uint32_t n, uint32_t draws)
{
    double expected = (double)draws / n, chi = 0;
    for (uint32_t i = 0; i < n; i++)
        chi += ((double)counts[i] - expected) * ((double)counts[i] - expected) / expected;
    return chi;
}

/* dict_random_fair is close to uniform where dict_random is not: with ten
 * nodes in a small table, chains of two or three make dict_random favour
 * the nodes alone in their bucket (SRANDMEMBER's histogram test). With 9
 * degrees of freedom a chi-square over 40 has a probability near 1e-5. */
START_TEST(test_random_fair_is_uniform)
{
    enum { NODES = 10, DRAWS = 50000 };
    struct test_pool pool = test_pool_make(NODES);
    struct dict d;
    dict_init(&d, &test_type);
    test_rng_init(&rng, 7);
    ck_assert_ptr_null(dict_random_fair(&d, test_rand64));
    for (uint32_t i = 0; i < NODES; i++)
        test_add(&d, &pool.nodes[i]);
    test_rehash_all(&d);
    uint32_t fair[NODES] = {0}, plain[NODES] = {0};
    for (int i = 0; i < DRAWS; i++) {
        fair[test_node_of(dict_random_fair(&d, test_rand64))->id]++;
        plain[test_node_of(dict_random(&d, test_rand64))->id]++;
    }
    double chi_fair = test_chi_square(fair, NODES, DRAWS);
    ck_assert_msg(chi_fair < 40, "fair chi-square %.1f", chi_fair);
    /* The test would notice the bias it guards against, unless this
     * table happens to hold one node per bucket. */
    size_t longest = 0;
    for (uint64_t b = 0; b < d.table[0].size; b++) {
        size_t chain = 0;
        for (struct dict_node *n = d.table[0].buckets[b]; n != NULL; n = n->next)
            chain++;
        longest = chain > longest ? chain : longest;
    }
    if (longest > 1)
        ck_assert_msg(test_chi_square(plain, NODES, DRAWS) > 40, "plain chi-square %.1f",
                      test_chi_square(plain, NODES, DRAWS));
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_pause_resume)
{
    struct test_pool pool = test_pool_make(2000);
    struct dict d;
    dict_init(&d, &test_type);
    uint32_t filled = test_fill_until_rehashing(&d, &pool, 1300);
    dict_pause_rehash(&d);
    dict_pause_rehash(&d); /* pauses nest */
    int64_t rehash_index = d.rehash_index;
    for (uint32_t i = 0; i < 50; i++)
        test_add(&d, &pool.nodes[filled + i]);
    test_remove(&d, &pool.nodes[0]);
    ck_assert(dict_rehash(&d, 100));
    ck_assert(dict_rehash_ms(&d, 1));
    ck_assert_int_eq(d.rehash_index, rehash_index);
    dict_resume_rehash(&d);
    ck_assert(dict_rehash_ms(&d, 1));
    ck_assert_int_eq(d.rehash_index, rehash_index);
    dict_resume_rehash(&d);
    ck_assert(!dict_rehash_ms(&d, 1000));
    test_verify(&d, &pool);
    /* While paused the table grows only past the forced ratio, and does
     * not shrink. */
    dict_clear(&d, NULL, NULL);
    for (uint32_t i = 0; i < pool.count; i++)
        pool.nodes[i].linked = false;
    dict_pause_rehash(&d);
    uint32_t limit = DICT_INITIAL_SIZE * (DICT_FORCE_RESIZE_RATIO + 1);
    for (uint32_t i = 0; i < limit; i++)
        test_add(&d, &pool.nodes[i]);
    ck_assert(!dict_is_rehashing(&d));
    ck_assert_uint_eq(dict_buckets(&d), DICT_INITIAL_SIZE);
    test_add(&d, &pool.nodes[limit]);
    ck_assert(dict_is_rehashing(&d));
    dict_resume_rehash(&d);
    test_rehash_all(&d);
    for (uint32_t i = 0; i <= limit; i++)
        test_remove(&d, &pool.nodes[i]);
    dict_pause_rehash(&d);
    dict_shrink_if_sparse(&d);
    ck_assert(!dict_is_rehashing(&d));
    dict_resume_rehash(&d);
    dict_shrink_if_sparse(&d);
    ck_assert(dict_is_rehashing(&d));
    test_pool_free(&pool, &d);
}
END_TEST

START_TEST(test_clear_while_rehashing)
{
    enum { count = 777 };
    struct dict d;
    dict_init(&d, &test_type);
    uint32_t freed = 0;
    /* An empty dict clears cleanly. */
    dict_clear(&d, test_free_copy, &freed);
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < count; i++) {
            struct test_node *n = alloc_zeroed(sizeof(*n));
            n->id = i;
            n->key_len = (uint8_t)snprintf(n->key, sizeof(n->key), "k%u", i);
            dict_add(&d, &n->link, test_hash(n));
        }
        ck_assert(dict_is_rehashing(&d));
        freed = 0;
        dict_clear(&d, test_free_copy, &freed);
        ck_assert_uint_eq(freed, count);
        ck_assert_uint_eq(dict_size(&d), 0);
        ck_assert_uint_eq(dict_buckets(&d), 0);
        ck_assert(!dict_is_rehashing(&d));
    }
}
END_TEST

/* ---- Misuse trips an assert ---- */

START_TEST(test_resume_without_pause_aborts)
{
    struct dict d;
    dict_init(&d, &test_type);
    dict_resume_rehash(&d);
}
END_TEST

START_TEST(test_add_twice_aborts)
{
    struct test_pool pool = test_pool_make(1);
    struct dict d;
    dict_init(&d, &test_type);
    dict_add(&d, &pool.nodes[0].link, test_hash(&pool.nodes[0]));
    dict_add(&d, &pool.nodes[0].link, test_hash(&pool.nodes[0]));
}
END_TEST

START_TEST(test_clear_with_iterator_aborts)
{
    struct dict d;
    dict_init(&d, &test_type);
    struct dict_iter it;
    dict_iter_init(&it, &d);
    dict_clear(&d, NULL, NULL);
}
END_TEST

static Suite *dict_suite(void)
{
    Suite *s = suite_create("dict");
    TCase *hash = tcase_create("hash");
    tcase_add_test(hash, test_hash_nocase_equals_lowercased);
    tcase_add_test(hash, test_hash_seed_changes_hash);
    tcase_add_test(hash, test_hash_distinguishes_keys);
    suite_add_tcase(s, hash);

    TCase *table = tcase_create("table");
    tcase_set_timeout(table, TEST_TIMEOUT_S);
    tcase_add_test(table, test_add_find_remove_100k);
    tcase_add_test(table, test_growth_sizes);
    tcase_add_test(table, test_shrink_if_sparse);
    tcase_add_test(table, test_avoid_resize_while_a_child_shares_pages);
    tcase_add_test(table, test_expand_presizes);
    tcase_add_test(table, test_interleaved_during_rehash);
    tcase_add_test(table, test_find_link_swap);
    tcase_add_test(table, test_iter_remove_current);
    tcase_add_test(table, test_iter_growth_only_past_ratio);
    tcase_add_test(table, test_random_returns_present);
    tcase_add_test(table, test_random_fair_is_uniform);
    tcase_add_test(table, test_pause_resume);
    tcase_add_test(table, test_clear_while_rehashing);
    suite_add_tcase(s, table);

    TCase *scan = tcase_create("scan");
    tcase_set_timeout(scan, TEST_TIMEOUT_S);
    tcase_add_test(scan, test_scan_empty_and_complete_cycle);
    tcase_add_test(scan, test_scan_while_growing);
    tcase_add_test(scan, test_scan_while_shrinking);
    tcase_add_test(scan, test_scan_under_churn);
    suite_add_tcase(s, scan);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_resume_without_pause_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_add_twice_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_clear_with_iterator_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(dict_suite)
