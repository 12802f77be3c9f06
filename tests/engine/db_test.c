/* db_test.c: databases, kv entries and expiry (engine/db.c, engine/kv.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "tests/unit.h"

static long long fake_us;
static long long fake_now_us(void)
{
    return fake_us += 10;
}

static uint64_t test_rand64(void)
{
    return ((uint64_t)random() << 32) ^ (uint64_t)random();
}

static int expired_seen;
static void count_expired(void *ctx, struct db *db, const struct kv *kv)
{
    (void)ctx;
    (void)db;
    (void)kv;
    expired_seen++;
}

static void set_string(struct db *db, const char *key, const char *val)
{
    db_set(db, kv_new_string(key, strlen(key), val, strlen(val), -1), false);
}

static struct kv *find(struct db *db, const char *key)
{
    return db_lookup(db, key, strlen(key), DB_LOOKUP_READ);
}

START_TEST(test_string_encoding_as_redis)
{
    ck_assert_int_eq(kv_string_encoding("12345", 5), KV_ENC_INT);
    ck_assert_int_eq(kv_string_encoding("-1", 2), KV_ENC_INT);
    ck_assert_int_eq(kv_string_encoding("012", 3), KV_ENC_EMBSTR);  /* not canonical */
    ck_assert_int_eq(kv_string_encoding("+1", 2), KV_ENC_EMBSTR);
    ck_assert_int_eq(kv_string_encoding("9223372036854775808", 19), KV_ENC_EMBSTR); /* overflow */
    char buf[64];
    memset(buf, 'a', sizeof(buf));
    ck_assert_int_eq(kv_string_encoding(buf, 44), KV_ENC_EMBSTR);
    ck_assert_int_eq(kv_string_encoding(buf, 45), KV_ENC_RAW);
}
END_TEST

START_TEST(test_set_get_overwrite_delete)
{
    struct keyspace ks;
    keyspace_init(&ks, 16);
    struct db *db = &ks.dbs[0];
    set_string(db, "k", "v1");
    struct kv *kv = find(db, "k");
    ck_assert_ptr_nonnull(kv);
    ck_assert_str_eq(kv_string(kv), "v1");
    set_string(db, "k", "a much longer second value");
    kv = find(db, "k");
    ck_assert_str_eq(kv_string(kv), "a much longer second value");
    ck_assert_uint_eq(db_size(db), 1);
    ck_assert_uint_eq(db_size(&ks.dbs[1]), 0);
    ck_assert(db_delete(db, "k", 1));
    ck_assert(!db_delete(db, "k", 1));
    ck_assert_ptr_null(find(db, "k"));
    ck_assert_int_eq(ks.stat_keyspace_hits, 2);
    ck_assert_int_eq(ks.stat_keyspace_misses, 1);
    keyspace_free(&ks);
}
END_TEST

/* While a fork child shares the pages, a read must not write the key's
 * access time (a copy-on-write fault per page read), nor its LFU counter;
 * it does again once the child is gone. */
START_TEST(test_reads_do_not_touch_while_a_child_shares_pages)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.lfu_policy = true;
    struct db *db = &ks.dbs[0];
    ks.lru_clock_s = 100;
    set_string(db, "k", "v");
    struct kv *kv = find(db, "k");
    ck_assert_uint_eq(kv->lru, 100);
    uint8_t lfu = kv->lfu;
    keyspace_pause_rehash(&ks);
    keyspace_pause_rehash(&ks); /* an RDB child and an AOF rewrite child */
    ks.lru_clock_s = 200;
    for (int i = 0; i < 1000; i++)
        kv = find(db, "k");
    ck_assert_uint_eq(kv->lru, 100);
    ck_assert_uint_eq(kv->lfu, lfu);
    keyspace_resume_rehash(&ks);
    kv = find(db, "k");
    ck_assert_uint_eq(kv->lru, 100); /* one child still runs */
    keyspace_resume_rehash(&ks);
    for (int i = 0; i < 1000; i++)
        kv = find(db, "k");
    ck_assert_uint_eq(kv->lru, 200);
    ck_assert_uint_gt(kv->lfu, lfu);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_lazy_expiry_deletes_on_access)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.on_expire = count_expired;
    expired_seen = 0;
    struct db *db = &ks.dbs[0];
    ks.now_ms = 1000;
    set_string(db, "k", "v");
    struct kv *kv = find(db, "k");
    db_set_expire(db, kv, 1500);
    ck_assert_int_eq(db_get_expire(db, kv), 1500);
    ks.now_ms = 1499;
    ck_assert_ptr_nonnull(find(db, "k"));
    ks.now_ms = 1500; /* expiry is inclusive: a key is gone at its time */
    ck_assert_ptr_null(find(db, "k"));
    ck_assert_int_eq(expired_seen, 1);
    ck_assert_int_eq(ks.stat_expired_keys, 1);
    ck_assert_uint_eq(db_size(db), 0);
    ck_assert_uint_eq(db_expires_size(db), 0);
    keyspace_free(&ks);
}
END_TEST

/* What the miss and add callbacks saw, in order ("miss:k", "add:k"). */
static char callback_log[256];
static void log_miss(void *ctx, struct db *db, const char *key, size_t key_len)
{
    (void)ctx;
    (void)db;
    size_t used = strlen(callback_log);
    snprintf(callback_log + used, sizeof(callback_log) - used, "miss:%.*s ", (int)key_len, key);
}

static void log_add(void *ctx, struct db *db, const struct kv *kv)
{
    (void)ctx;
    (void)db;
    size_t used = strlen(callback_log);
    snprintf(callback_log + used, sizeof(callback_log) - used, "add:%.*s ", (int)kv->key_len,
             kv_key(kv));
}

/* The callbacks behind keyspace notifications: a read that misses (not a
 * write, not NONOTIFY) and a key added (not an overwrite, not a load). */
START_TEST(test_miss_and_add_callbacks)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.on_miss = log_miss;
    ks.on_add = log_add;
    callback_log[0] = '\0';
    struct db *db = &ks.dbs[0];
    ks.now_ms = 1000;
    set_string(db, "a", "1");
    set_string(db, "a", "2");
    ck_assert_ptr_null(find(db, "b"));
    ck_assert_ptr_null(db_lookup(db, "c", 1, DB_LOOKUP_WRITE));
    ck_assert_ptr_null(db_lookup(db, "d", 1, DB_LOOKUP_READ | DB_LOOKUP_NONOTIFY));
    ck_assert_ptr_nonnull(find(db, "a"));
    db_add_loaded(db, kv_new_string("e", 1, "v", 1, -1));
    ck_assert_ptr_nonnull(find(db, "e"));
    /* An expired key read is a miss too (after it is reported expired). */
    db_set_expire(db, find(db, "e"), 1500);
    ks.now_ms = 1500;
    ck_assert_ptr_null(find(db, "e"));
    ck_assert_str_eq(callback_log, "add:a miss:b miss:e ");
    /* Misses are counted whether reported or not. */
    ck_assert_int_eq(ks.stat_keyspace_misses, 3);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_overwrite_keeps_or_clears_ttl)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    struct db *db = &ks.dbs[0];
    ks.now_ms = 0;
    set_string(db, "k", "v");
    db_set_expire(db, find(db, "k"), 5000);
    db_set(db, kv_new_string("k", 1, "w", 1, -1), true);
    ck_assert_int_eq(db_get_expire(db, find(db, "k")), 5000);
    ck_assert_uint_eq(db_expires_size(db), 1);
    db_set(db, kv_new_string("k", 1, "x", 1, -1), false);
    ck_assert_int_eq(db_get_expire(db, find(db, "k")), -1);
    ck_assert_uint_eq(db_expires_size(db), 0);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_resize_relinks_and_keeps_expiry)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    struct db *db = &ks.dbs[0];
    ks.now_ms = 0;
    /* Many neighbours so the relinked entry is likely mid-chain. */
    for (int i = 0; i < 1000; i++) {
        char key[32];
        snprintf(key, sizeof(key), "key:%d", i);
        set_string(db, key, "x");
    }
    struct kv *kv = find(db, "key:500");
    db_set_expire(db, kv, 9999);
    for (int round = 0; round < 20; round++) {
        size_t len = kv->val_len;
        kv = db_resize_string(db, kv, len + 1000, true);
        memset(kv_string(kv) + len, 'y', 1000);
    }
    kv = find(db, "key:500");
    ck_assert_uint_eq(kv->val_len, 20001);
    ck_assert_int_eq(db_get_expire(db, kv), 9999);
    ck_assert_int_eq(kv_string(kv)[kv->val_len], '\0');
    ck_assert_uint_eq(db_size(db), 1000);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_active_cycle_removes_expired_keys)
{
    struct keyspace ks;
    keyspace_init(&ks, 2);
    ks.on_expire = count_expired;
    expired_seen = 0;
    ks.now_ms = 100;
    for (int d = 0; d < 2; d++) {
        for (int i = 0; i < 5000; i++) {
            char key[32];
            snprintf(key, sizeof(key), "k%d", i);
            set_string(&ks.dbs[d], key, "v");
            /* Half volatile and already due, a quarter due later. */
            if (i % 2 == 0)
                db_set_expire(&ks.dbs[d], find(&ks.dbs[d], key), 50);
            else if (i % 4 == 1)
                db_set_expire(&ks.dbs[d], find(&ks.dbs[d], key), 1000000);
        }
    }
    /* A generous budget: the cycle keeps going while samples are stale. */
    for (int i = 0; i < 100 && keyspace_key_count(&ks) > 5000; i++)
        keyspace_expire_cycle(&ks, 1000000, 1, fake_now_us);
    ck_assert_uint_eq(db_size(&ks.dbs[0]), 2500);
    ck_assert_uint_eq(db_size(&ks.dbs[1]), 2500);
    ck_assert_uint_eq(db_expires_size(&ks.dbs[0]), 1250);
    ck_assert_int_eq(expired_seen, 5000);
    ck_assert_int_gt(ks.dbs[0].avg_ttl_ms, 0);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_active_cycle_respects_time_budget)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.now_ms = 100;
    for (int i = 0; i < 20000; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%d", i);
        set_string(&ks.dbs[0], key, "v");
        db_set_expire(&ks.dbs[0], find(&ks.dbs[0], key), 1);
    }
    /* Each clock read advances 10 us: a 50 us budget allows a few rounds only. */
    keyspace_expire_cycle(&ks, 50, 1, fake_now_us);
    ck_assert_uint_gt(db_size(&ks.dbs[0]), 10000);
    ck_assert_int_ge(ks.stat_expired_time_cap_reached, 1);
    ks.active_expire_enabled = false;
    uint64_t before = db_size(&ks.dbs[0]);
    keyspace_expire_cycle(&ks, 1000000, 1, fake_now_us);
    ck_assert_uint_eq(db_size(&ks.dbs[0]), before);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_unlink_persist_flush_swap_random)
{
    struct keyspace ks;
    keyspace_init(&ks, 4);
    ks.now_ms = 0;
    struct db *db = &ks.dbs[0];
    set_string(db, "a", "1");
    set_string(db, "b", "2");
    db_set_expire(db, find(db, "a"), 100);
    int64_t when = 0;
    struct kv *a = db_unlink(db, "a", 1, &when);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(when, 100);
    ck_assert_uint_eq(db_expires_size(db), 0);
    ck_assert(!(a->flags & KV_FLAG_EXPIRES));
    db_add(&ks.dbs[1], a);
    db_set_expire(&ks.dbs[1], a, when);
    ck_assert(db_persist(&ks.dbs[1], a));
    ck_assert(!db_persist(&ks.dbs[1], a));
    keyspace_swap(&ks, 0, 1);
    ck_assert_ptr_nonnull(find(&ks.dbs[0], "a"));
    ck_assert_ptr_nonnull(find(&ks.dbs[1], "b"));
    ck_assert_ptr_null(find(&ks.dbs[0], "b"));
    ck_assert_ptr_eq(ks.dbs[0].keyspace, &ks);
    ck_assert_int_eq(ks.dbs[0].id, 0);
    struct kv *r = db_random(&ks.dbs[1], test_rand64);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(kv_key(r)[0], 'b');
    ck_assert_ptr_null(db_random(&ks.dbs[2], test_rand64));
    ck_assert_uint_eq(db_flush(&ks.dbs[1]), 1);
    ck_assert_uint_eq(keyspace_key_count(&ks), 1);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_random_skips_and_deletes_expired)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.now_ms = 10;
    struct db *db = &ks.dbs[0];
    for (int i = 0; i < 100; i++) {
        char key[16];
        snprintf(key, sizeof(key), "e%d", i);
        set_string(db, key, "v");
        db_set_expire(db, find(db, key), 5);
    }
    set_string(db, "live", "v");
    struct kv *r = db_random(db, test_rand64);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->key_len, 4);
    keyspace_free(&ks);
}
END_TEST

/* CLIENT PAUSE: expired keys read as missing but are neither deleted by
 * lookups, by RANDOMKEY's draws nor by the active cycle until the pause
 * ends; RANDOMKEY on only expired keys still answers. */
START_TEST(test_expiry_deletes_paused)
{
    struct keyspace ks;
    keyspace_init(&ks, 1);
    ks.on_expire = count_expired;
    expired_seen = 0;
    struct db *db = &ks.dbs[0];
    ks.now_ms = 1000;
    for (int i = 0; i < 50; i++) {
        char key[16];
        snprintf(key, sizeof(key), "e%d", i);
        set_string(db, key, "v");
        db_set_expire(db, find(db, key), 1500);
    }
    ks.now_ms = 2000;
    ks.expire_deletes_paused = true;
    ck_assert_ptr_null(find(db, "e1"));
    ck_assert_ptr_nonnull(db_random(db, test_rand64));
    keyspace_expire_cycle(&ks, 1000000, 1, fake_now_us);
    ck_assert_uint_eq(db_size(db), 50);
    ck_assert_int_eq(expired_seen, 0);
    ck_assert_int_eq(ks.stat_expired_keys, 0);
    /* A write meanwhile replaces the expired key it cannot see. */
    set_string(db, "e2", "new");
    ck_assert_int_eq(expired_seen, 1);
    ck_assert_uint_eq(db_size(db), 50);
    ck_assert_ptr_nonnull(find(db, "e2"));
    expired_seen = 0;
    ks.expire_deletes_paused = false;
    ck_assert_ptr_null(find(db, "e1"));
    ck_assert_int_eq(expired_seen, 1);
    ck_assert_uint_eq(db_size(db), 49);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_number_formats_as_redis)
{
    char buf[NUMBER_TEXT_BYTES_MAX];
    ck_assert_uint_eq(number_format_long_double(buf, 10.5L + 0.1L), 4);
    ck_assert_str_eq(buf, "10.6");
    number_format_long_double(buf, 5000.0L);
    ck_assert_str_eq(buf, "5000");
    number_format_long_double(buf, -0.0L);
    ck_assert_str_eq(buf, "0");
    long long v;
    ck_assert(number_parse_ll("-9223372036854775808", 20, &v));
    ck_assert(v == (-9223372036854775807LL - 1));
    ck_assert(!number_parse_ll("9223372036854775808", 19, &v));
    ck_assert(!number_parse_ll(" 1", 2, &v));
    ck_assert(!number_parse_ll("01", 2, &v));
    ck_assert(!number_parse_ll("", 0, &v));
    double d;
    ck_assert(number_parse_double("1.5", 3, &d));
    ck_assert(number_parse_double("-inf", 4, &d));
    ck_assert(!number_parse_double("nan", 3, &d));
    ck_assert(!number_parse_double("1.5x", 4, &d));
    ck_assert(!number_parse_double(" 1", 2, &d));
    number_format_double(buf, sizeof(buf), 1.5);
    ck_assert_str_eq(buf, "1.5");
    number_format_double(buf, sizeof(buf), 0.1);
    ck_assert_str_eq(buf, "0.10000000000000001");
}
END_TEST

static Suite *db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("db");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_string_encoding_as_redis);
    tcase_add_test(tc, test_set_get_overwrite_delete);
    tcase_add_test(tc, test_lazy_expiry_deletes_on_access);
    tcase_add_test(tc, test_miss_and_add_callbacks);
    tcase_add_test(tc, test_overwrite_keeps_or_clears_ttl);
    tcase_add_test(tc, test_resize_relinks_and_keeps_expiry);
    tcase_add_test(tc, test_active_cycle_removes_expired_keys);
    tcase_add_test(tc, test_active_cycle_respects_time_budget);
    tcase_add_test(tc, test_unlink_persist_flush_swap_random);
    tcase_add_test(tc, test_random_skips_and_deletes_expired);
    tcase_add_test(tc, test_expiry_deletes_paused);
    tcase_add_test(tc, test_number_formats_as_redis);
    tcase_add_test(tc, test_reads_do_not_touch_while_a_child_shares_pages);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(db_suite)
