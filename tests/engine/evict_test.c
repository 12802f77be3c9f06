/* evict_test.c: the eviction chooser and the LFU counter (engine/evict.c),
 * and dict_sample (engine/dict.c), which feeds the pool.
 *
 * The chooser is checked where its answer is exact: with maxmemory-samples
 * at least the database's size every round sees every key, so the pool's
 * best candidate is the true best (oldest, least used, soonest to expire);
 * a key deleted behind the pool's back must never come out of it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/evict.h"
#include "engine/kv.h"
#include "tests/unit.h"

static uint64_t test_rand64(void)
{
    return ((uint64_t)random() << 32) ^ (uint64_t)random();
}

static struct kv *add_key(struct db *db, const char *key)
{
    struct kv *kv = kv_new_string(key, strlen(key), "v", 1, -1);
    db_add(db, kv);
    return kv;
}

START_TEST(test_lfu_log_incr)
{
    /* Factor 0: every access counts. */
    ck_assert_uint_eq(lfu_log_incr(5, 0, 0.999), 6);
    ck_assert_uint_eq(lfu_log_incr(100, 0, 0.999), 101);
    /* At or below the initial value the increment is certain. */
    ck_assert_uint_eq(lfu_log_incr(0, 10, 0.999), 1);
    ck_assert_uint_eq(lfu_log_incr(LFU_INIT_VAL, 10, 0.999), LFU_INIT_VAL + 1);
    /* Above it, with probability 1 / ((c - 5) * factor + 1): 1/101 at 15. */
    ck_assert_uint_eq(lfu_log_incr(15, 10, 0.5), 15);
    ck_assert_uint_eq(lfu_log_incr(15, 10, 0.009), 16);
    ck_assert_uint_eq(lfu_log_incr(15, 10, 0.0100), 15);
    /* Saturates. */
    ck_assert_uint_eq(lfu_log_incr(LFU_COUNTER_MAX, 0, 0.0), LFU_COUNTER_MAX);
    /* The logarithm (redis.conf's table for factor 10: about 18 after a
     * thousand accesses, 255 only after a million). */
    uint8_t c = LFU_INIT_VAL;
    for (int i = 0; i < 1000; i++)
        c = lfu_log_incr(c, 10, (double)random() / RAND_MAX);
    ck_assert_uint_gt(c, 12);
    ck_assert_uint_lt(c, 26);
}
END_TEST

START_TEST(test_lfu_decay)
{
    struct kv *kv = kv_new_string("k", 1, "v", 1, -1);
    ck_assert_uint_eq(kv->lfu, LFU_INIT_VAL);
    kv->lfu = 10;
    kv->lru = 600; /* minute 10 */
    ck_assert_uint_eq(lfu_decayed(kv, 659, 1), 10);  /* same minute */
    ck_assert_uint_eq(lfu_decayed(kv, 660, 1), 9);
    ck_assert_uint_eq(lfu_decayed(kv, 600 + 3 * 60, 1), 7);
    ck_assert_uint_eq(lfu_decayed(kv, 600 + 3 * 60, 2), 9); /* one whole period of 2 */
    ck_assert_uint_eq(lfu_decayed(kv, 600 + 100 * 60, 1), 0);
    ck_assert_uint_eq(lfu_decayed(kv, 600 + 100 * 60, 0), 10); /* 0: never decays */
    ck_assert_uint_eq(lfu_decayed(kv, 0, 1), 10);           /* a clock behind the key */
    ck_assert_uint_eq(kv->lfu, 10);                          /* reading stores nothing */
    kv_free(kv);
}
END_TEST

/* An LFU read applies the decay, then the increment. */
START_TEST(test_lookup_updates_lfu)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.lfu_policy = true;
    ks.lfu_log_factor = 0;
    ks.lru_clock_s = 60;
    struct db *db = &ks.dbs[0];
    struct kv *kv = add_key(db, "k");
    for (int i = 0; i < 10; i++)
        db_lookup(db, "k", 1, DB_LOOKUP_READ);
    ck_assert_uint_eq(kv->lfu, LFU_INIT_VAL + 10);
    db_lookup(db, "k", 1, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
    ck_assert_uint_eq(kv->lfu, LFU_INIT_VAL + 10);
    ks.lru_clock_s = 60 + 4 * 60;
    db_lookup(db, "k", 1, DB_LOOKUP_READ);
    ck_assert_uint_eq(kv->lfu, LFU_INIT_VAL + 10 - 4 + 1);
    ck_assert_uint_eq(kv->lru, 300);
    /* An overwrite keeps the access data under LFU. */
    struct kv *fresh = kv_new_string("k", 1, "w", 1, -1);
    db_set(db, fresh, false);
    ck_assert_uint_eq(fresh->lfu, LFU_INIT_VAL + 7);
    ck_assert_uint_eq(fresh->lru, 300);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_dict_sample)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    struct db *db = &ks.dbs[0];
    struct dict_node *out[64];
    ck_assert_uint_eq(dict_sample(&db->keys, out, 5, test_rand64), 0);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        add_key(db, key);
    }
    for (int round = 0; round < 200; round++) {
        unsigned n = dict_sample(&db->keys, out, 5, test_rand64);
        ck_assert_uint_ge(n, 1);
        ck_assert_uint_le(n, 5);
        for (unsigned i = 0; i < n; i++) {
            const struct kv *kv = (const struct kv *)out[i];
            ck_assert_ptr_eq(db_lookup(db, kv_key(kv), kv->key_len, DB_LOOKUP_NOTOUCH), kv);
        }
    }
    /* A count over the size stops at the size. */
    keyspace_free(&ks);
    keyspace_init(&ks, 1);
    db = &ks.dbs[0];
    add_key(db, "a");
    add_key(db, "b");
    ck_assert_uint_le(dict_sample(&db->keys, out, 64, test_rand64), 2);
    keyspace_free(&ks);
}
END_TEST

/* Evicts (deletes) what the chooser returns until it returns NULL, and
 * returns how many keys came out; order[] receives their numbers. */
static int drain(struct evict_pool *pool, struct keyspace *ks, const struct evict_params *p,
                 int *order, int order_max)
{
    int n = 0;
    struct db *db;
    struct kv *kv;
    while ((kv = evict_choose(pool, ks, p, test_rand64, &db)) != NULL) {
        ck_assert_int_lt(n, order_max);
        order[n++] = atoi(kv_key(kv) + 1);
        db_delete_entry(db, kv);
    }
    return n;
}

START_TEST(test_choose_lru_exact_order)
{
    enum { KEYS = 50 };
    struct keyspace ks;
    keyspace_init(&ks, 2);
    ks.lru_clock_s = 10000;
    char key[32];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        struct kv *kv = add_key(&ks.dbs[i % 2], key);
        kv->lru = 10000 - (uint32_t)(KEYS - i); /* k0 idle longest */
    }
    struct evict_pool pool;
    evict_pool_init(&pool);
    struct evict_params p = {.rank = EVICT_RANK_LRU, .allkeys = true, .samples = KEYS};
    int order[KEYS];
    ck_assert_int_eq(drain(&pool, &ks, &p, order, KEYS), KEYS);
    for (int i = 0; i < KEYS; i++)
        ck_assert_int_eq(order[i], i);
    ck_assert_uint_eq(keyspace_key_count(&ks), 0);
    evict_pool_free(&pool);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_choose_lfu_and_ttl)
{
    enum { KEYS = 40 };
    struct keyspace ks;
    keyspace_init(&ks, 1);
    struct db *db = &ks.dbs[0];
    char key[32];
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        struct kv *kv = add_key(db, key);
        kv->lfu = (uint8_t)(i + 1); /* k0 least used */
        if (i % 2 == 0)
            db_set_expire(db, kv, 1000000 - i); /* the highest even key expires first */
    }
    struct evict_pool pool;
    evict_pool_init(&pool);
    struct evict_params ttl = {.rank = EVICT_RANK_TTL, .allkeys = false, .samples = KEYS};
    int order[KEYS];
    ck_assert_int_eq(drain(&pool, &ks, &ttl, order, KEYS), KEYS / 2);
    for (int i = 0; i < KEYS / 2; i++)
        ck_assert_int_eq(order[i], KEYS - 2 - 2 * i);
    ck_assert_uint_eq(db_size(db), KEYS / 2); /* keys without a TTL stay */
    struct evict_params lfu = {.rank = EVICT_RANK_LFU, .allkeys = true, .samples = KEYS,
                               .lfu_decay_minutes = 1};
    evict_pool_clear(&pool);
    ck_assert_int_eq(drain(&pool, &ks, &lfu, order, KEYS), KEYS / 2);
    for (int i = 0; i < KEYS / 2; i++)
        ck_assert_int_eq(order[i], 2 * i + 1);
    evict_pool_free(&pool);
    keyspace_free(&ks);
}
END_TEST

/* Keys deleted behind the pool's back, and keys that lost their TTL under
 * a volatile policy, are skipped; long keys are copied whole. */
START_TEST(test_pool_ghosts_and_long_keys)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.lru_clock_s = 1000;
    struct db *db = &ks.dbs[0];
    char long_key[600];
    memset(long_key, 'x', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    struct kv *old = add_key(db, "k1");
    old->lru = 1;
    struct kv *older = add_key(db, long_key);
    older->lru = 0;
    struct kv *young = add_key(db, "k2");
    young->lru = 999;
    db_set_expire(db, old, 5000);
    db_set_expire(db, older, 5000);
    db_set_expire(db, young, 5000);
    struct evict_pool pool;
    evict_pool_init(&pool);
    struct evict_params p = {.rank = EVICT_RANK_LRU, .allkeys = false, .samples = 10};
    for (int i = 0; i < 3; i++)
        evict_pool_populate(&pool, db, &p, test_rand64);
    /* Behind the pool's back: the best candidate deleted, the next one no
     * longer volatile. */
    ck_assert(db_delete(db, long_key, strlen(long_key)));
    db_persist(db, old);
    struct db *from;
    struct kv *kv = evict_choose(&pool, &ks, &p, test_rand64, &from);
    ck_assert_ptr_eq(kv, young);
    ck_assert_ptr_eq(from, db);
    /* Long keys come out whole. */
    struct kv *again = add_key(db, long_key);
    again->lru = 0;
    p.allkeys = true;
    kv = evict_choose(&pool, &ks, &p, test_rand64, &from);
    ck_assert_ptr_eq(kv, again);
    evict_pool_free(&pool);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_choose_random)
{
    struct keyspace ks;
    keyspace_init(&ks, 3);
    add_key(&ks.dbs[1], "k1");
    struct kv *v = add_key(&ks.dbs[2], "k2");
    db_set_expire(&ks.dbs[2], v, 100);
    struct evict_pool pool;
    evict_pool_init(&pool);
    struct evict_params vol = {.rank = EVICT_RANK_RANDOM, .allkeys = false, .samples = 5};
    struct db *from;
    ck_assert_ptr_eq(evict_choose(&pool, &ks, &vol, test_rand64, &from), v);
    ck_assert_ptr_eq(from, &ks.dbs[2]);
    db_delete_entry(from, v);
    ck_assert_ptr_null(evict_choose(&pool, &ks, &vol, test_rand64, &from));
    struct evict_params all = {.rank = EVICT_RANK_RANDOM, .allkeys = true, .samples = 5};
    struct kv *kv = evict_choose(&pool, &ks, &all, test_rand64, &from);
    ck_assert_ptr_nonnull(kv);
    ck_assert_ptr_eq(from, &ks.dbs[1]);
    evict_pool_free(&pool);
    keyspace_free(&ks);
}
END_TEST

static Suite *evict_suite(void)
{
    Suite *s = suite_create("evict");
    TCase *tc = tcase_create("evict");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lfu_log_incr);
    tcase_add_test(tc, test_lfu_decay);
    tcase_add_test(tc, test_lookup_updates_lfu);
    tcase_add_test(tc, test_dict_sample);
    tcase_add_test(tc, test_choose_lru_exact_order);
    tcase_add_test(tc, test_choose_lfu_and_ttl);
    tcase_add_test(tc, test_pool_ghosts_and_long_keys);
    tcase_add_test(tc, test_choose_random);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(evict_suite)
