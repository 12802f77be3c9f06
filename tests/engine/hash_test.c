/* hash_test.c: unit tests for engine/hash.c.
 *
 * The conversion tests pin the exact points where a listpack hash becomes a
 * hashtable. The model test runs seeded random HSET/HDEL/HGET sequences
 * against a plain array model under several limits, checking after each
 * step that the hash and the model agree, and that iteration, SCAN, random
 * pairs and COPY see exactly the model's pairs. */
#include "engine/alloc.h"
#include "engine/hash.h"
#include "tests/unit.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct fields the model test draws from, and the longest field or
 * value it writes. */
#define MODEL_FIELDS 300
#define MODEL_TEXT_BYTES_MAX 80
#define TEST_TIMEOUT_S 120

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* For the library calls that take a uint64_t (*)(void) source of
 * randomness. */
static uint64_t test_rand64(void)
{
    return test_rng_next(&rng);
}

static struct encoding_limits limits_of(long long entries, long long value)
{
    struct encoding_limits l = {0};
    l.hash_max_listpack_entries = entries;
    l.hash_max_listpack_value = value;
    return l;
}

static bool set_text(struct kv *kv, const char *f, const char *v, const struct encoding_limits *l)
{
    return hash_set(kv, f, strlen(f), v, strlen(v), l);
}

static void check_value(struct kv *kv, const char *f, const char *expect)
{
    struct hash_text t;
    bool found = hash_get(kv, f, strlen(f), &t);
    if (!expect) {
        TEST_CHECK(!found);
        return;
    }
    TEST_CHECK(found);
    TEST_CHECK(t.len == strlen(expect) && memcmp(t.ptr, expect, t.len) == 0);
}

/* ---- Conversions ---- */

START_TEST(test_converts_past_entry_limit)
{
    struct encoding_limits l = limits_of(4, 64);
    struct kv *kv = hash_kv_new("k", 1);
    char f[16];
    for (int i = 0; i < 4; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert(set_text(kv, f, "v", &l));
        ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    }
    ck_assert(!set_text(kv, "f0", "updated", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    ck_assert(set_text(kv, "f4", "v", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    ck_assert_uint_eq(hash_count(kv), 5);
    check_value(kv, "f0", "updated");
    check_value(kv, "f4", "v");
    /* Deleting never converts back. */
    for (int i = 0; i < 5; i++) {
        snprintf(f, sizeof(f), "f%d", i);
        ck_assert(hash_delete(kv, f, strlen(f)));
    }
    ck_assert_uint_eq(hash_count(kv), 0);
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    kv_free(kv);
}
END_TEST

START_TEST(test_converts_past_value_limit)
{
    struct encoding_limits l = limits_of(128, 8);
    struct kv *kv = hash_kv_new("k", 1);
    ck_assert(set_text(kv, "12345678", "87654321", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    ck_assert(!set_text(kv, "12345678", "876543210", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    check_value(kv, "12345678", "876543210");
    kv_free(kv);

    kv = hash_kv_new("k", 1);
    ck_assert(set_text(kv, "123456789", "v", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    kv_free(kv);

    /* Zero limits: the first field converts. */
    l = limits_of(0, 64);
    kv = hash_kv_new("k", 1);
    ck_assert(set_text(kv, "a", "b", &l));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    kv_free(kv);
}
END_TEST

START_TEST(test_integer_text_round_trips)
{
    struct encoding_limits l = limits_of(128, 64);
    struct kv *kv = hash_kv_new("k", 1);
    const char *texts[] = {"0", "-1", "12", "-9223372036854775808", "9223372036854775807",
                           "007", "1.5", "+3", " 4", "18446744073709551616"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        set_text(kv, texts[i], texts[i], &l);
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        check_value(kv, texts[i], texts[i]);
    struct hash_text t;
    ck_assert(hash_get(kv, "-1", 2, &t));
    ck_assert(t.is_integer);
    ck_assert_int_eq(t.integer, -1);
    ck_assert(hash_get(kv, "007", 3, &t));
    ck_assert(!t.is_integer);
    hash_convert_to_table(kv);
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        check_value(kv, texts[i], texts[i]);
    kv_free(kv);
}
END_TEST

START_TEST(test_binary_fields)
{
    struct encoding_limits l = limits_of(128, 64);
    for (int table = 0; table < 2; table++) {
        struct kv *kv = hash_kv_new("k", 1);
        if (table)
            hash_convert_to_table(kv);
        ck_assert(hash_set(kv, "a\0b", 3, "x\0y", 3, &l));
        ck_assert(hash_set(kv, "a", 1, "", 0, &l));
        ck_assert(hash_set(kv, "", 0, "empty", 5, &l));
        struct hash_text t;
        ck_assert(hash_get(kv, "a\0b", 3, &t));
        ck_assert(t.len == 3 && memcmp(t.ptr, "x\0y", 3) == 0);
        ck_assert(hash_get(kv, "a", 1, &t));
        ck_assert_uint_eq(t.len, 0);
        ck_assert(hash_get(kv, "", 0, &t));
        ck_assert_uint_eq(t.len, 5);
        ck_assert(!hash_exists(kv, "a\0", 2));
        kv_free(kv);
    }
}
END_TEST

START_TEST(test_table_value_updates_of_every_size)
{
    struct encoding_limits l = limits_of(0, 1 << 20);
    struct kv *kv = hash_kv_new("k", 1);
    static char big[70000];
    memset(big, 'x', sizeof(big));
    size_t sizes[] = {0, 1, 127, 128, 129, 16383, 16384, 16385, 69999, 3, 200, 0, 65536};
    for (int f = 0; f < 20; f++) {
        char field[16];
        snprintf(field, sizeof(field), "field%d", f);
        hash_set(kv, field, strlen(field), "init", 4, &l);
    }
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        ck_assert(!hash_set(kv, "field7", 6, big, sizes[i], &l));
        struct hash_text t;
        ck_assert(hash_get(kv, "field7", 6, &t));
        ck_assert_uint_eq(t.len, sizes[i]);
        ck_assert(hash_get(kv, "field8", 6, &t));
        ck_assert(t.len == 4 && memcmp(t.ptr, "init", 4) == 0);
    }
    ck_assert_uint_eq(hash_count(kv), 20);
    kv_free(kv);
}
END_TEST

/* ---- Model-checked random operations ---- */

struct model {
    bool present[MODEL_FIELDS];
    char value[MODEL_FIELDS][MODEL_TEXT_BYTES_MAX + 1];
    size_t count;
};

static void field_name(int i, char *buf, size_t len)
{
    /* Some fields are integers, so both listpack encodings are exercised. */
    if (i % 3 == 0)
        snprintf(buf, len, "%d", i * 7 - 500);
    else
        snprintf(buf, len, "field:%d", i);
}

/* Inverse of field_name, or -1 for a name it does not produce. */
static int field_lookup(const char *p, size_t len)
{
    char text[32];
    if (len >= sizeof(text))
        return -1;
    memcpy(text, p, len);
    text[len] = '\0';
    int i;
    char name[32];
    if (strncmp(text, "field:", 6) == 0)
        i = atoi(text + 6);
    else
        i = (atoi(text) + 500) / 7;
    if (i < 0 || i >= MODEL_FIELDS)
        return -1;
    field_name(i, name, sizeof(name));
    return strcmp(name, text) == 0 ? i : -1;
}

static void random_value(char *buf, size_t max_len)
{
    size_t len = (size_t)test_rng_below(&rng, max_len + 1);
    if (test_rng_below(&rng, 4) == 0) {
        snprintf(buf, MODEL_TEXT_BYTES_MAX + 1, "%lld",
                 (long long)test_rng_below(&rng, 200000) - 100000);
        return;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + test_rng_below(&rng, 26));
    buf[len] = '\0';
}

struct pair_check {
    const struct model *m;
    bool seen[MODEL_FIELDS];
    size_t reported;
    bool allow_repeats;
};

static void pair_check_fn(const struct hash_text *field, const struct hash_text *value, void *ctx)
{
    struct pair_check *pc = ctx;
    int i = field_lookup(field->ptr, field->len);
    TEST_CHECK(i >= 0);
    TEST_CHECK(pc->m->present[i]);
    TEST_CHECK(value->len == strlen(pc->m->value[i]) &&
               memcmp(value->ptr, pc->m->value[i], value->len) == 0);
    TEST_CHECK(pc->allow_repeats || !pc->seen[i]);
    pc->seen[i] = true;
    pc->reported++;
}

/* Every way of reading the whole hash reports exactly the model. */
static void check_whole(struct kv *kv, const struct model *m)
{
    TEST_CHECK(hash_count(kv) == m->count);
    struct pair_check pc = {.m = m};
    struct hash_iter it;
    struct hash_text f, v;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &f, &v))
        pair_check_fn(&f, &v, &pc);
    hash_iter_done(&it);
    TEST_CHECK(pc.reported == m->count);

    /* A full SCAN may repeat pairs but must miss none. */
    struct pair_check sc = {.m = m, .allow_repeats = true};
    uint64_t cursor = 0;
    do {
        cursor = hash_scan(kv, cursor, pair_check_fn, &sc);
    } while (cursor != 0);
    for (int i = 0; i < MODEL_FIELDS; i++)
        TEST_CHECK(sc.seen[i] == m->present[i]);

    if (m->count == 0)
        return;
    uint64_t counts[] = {1, 2, m->count / 3 + 1, m->count, m->count + 3};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        struct pair_check rc = {.m = m};
        hash_random_pairs(kv, counts[k], true, test_rand64, pair_check_fn, &rc);
        TEST_CHECK(rc.reported == (counts[k] < m->count ? counts[k] : m->count));
        struct pair_check rr = {.m = m, .allow_repeats = true};
        hash_random_pairs(kv, counts[k], false, test_rand64, pair_check_fn, &rr);
        TEST_CHECK(rr.reported == counts[k]);
    }
}

static void run_model(long long entries_max, long long value_max, int steps)
{
    struct encoding_limits l = limits_of(entries_max, value_max);
    struct model *m = calloc(1, sizeof(*m));
    struct kv *kv = hash_kv_new("key", 3);
    char name[32], value[MODEL_TEXT_BYTES_MAX + 1];
    bool converted = false;
    for (int step = 0; step < steps; step++) {
        int i = (int)test_rng_below(&rng, MODEL_FIELDS);
        field_name(i, name, sizeof(name));
        unsigned op = (unsigned)test_rng_below(&rng, 10);
        if (op < 6) {
            /* Mostly short values; now and then one past the limit. */
            size_t max_len = test_rng_below(&rng, 50) == 0 ? MODEL_TEXT_BYTES_MAX : 12;
            random_value(value, max_len);
            bool added = hash_set(kv, name, strlen(name), value, strlen(value), &l);
            TEST_CHECK(added == !m->present[i]);
            if (added)
                m->count++;
            m->present[i] = true;
            strcpy(m->value[i], value);
            bool must_convert = (long long)strlen(value) > value_max ||
                                (long long)strlen(name) > value_max ||
                                (long long)m->count > entries_max;
            if (must_convert)
                converted = true;
        } else if (op < 8) {
            bool deleted = hash_delete(kv, name, strlen(name));
            TEST_CHECK(deleted == m->present[i]);
            if (deleted)
                m->count--;
            m->present[i] = false;
        } else {
            check_value(kv, name, m->present[i] ? m->value[i] : NULL);
        }
        TEST_CHECK(kv->encoding == (converted ? KV_ENC_HASHTABLE : KV_ENC_LISTPACK));
        if (step % 97 == 0)
            check_whole(kv, m);
    }
    check_whole(kv, m);
    /* COPY is deep: changing the copy leaves the original alone. */
    void *copy_obj = hash_copy(kv_object(kv), (enum kv_encoding)kv->encoding);
    struct kv *copy = kv_new_object("c", 1, KV_HASH, (enum kv_encoding)kv->encoding, copy_obj);
    check_whole(copy, m);
    set_text(copy, "only-in-copy", "x", &l);
    check_whole(kv, m);
    kv_free(copy);
    kv_free(kv);
    free(m);
}

START_TEST(test_model_listpack_limits)
{
    /* Limits that keep the hash a listpack for a while, then convert. */
    test_rng_init(&rng, 0x1234567ULL + (uint64_t)_i);
    run_model(128, 64, 4000);
}
END_TEST

START_TEST(test_model_always_table)
{
    test_rng_init(&rng, 0xABCDEFULL);
    run_model(0, 64, 6000);
}
END_TEST

START_TEST(test_model_never_converts)
{
    test_rng_init(&rng, 0x777ULL);
    run_model(100000, 1000, 6000);
}
END_TEST

START_TEST(test_large_table_scan_during_growth)
{
    /* 100k fields force many resizes; a full scan still sees them all. */
    struct encoding_limits l = limits_of(128, 64);
    struct kv *kv = hash_kv_new("k", 1);
    char f[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(f, sizeof(f), "f%d", i);
        TEST_CHECK(hash_set(kv, f, (size_t)n, f, (size_t)n, &l));
    }
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    ck_assert_uint_eq(hash_count(kv), 100000);
    for (int i = 0; i < 100000; i += 2) {
        int n = snprintf(f, sizeof(f), "f%d", i);
        TEST_CHECK(hash_delete(kv, f, (size_t)n));
    }
    ck_assert_uint_eq(hash_count(kv), 50000);
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(f, sizeof(f), "f%d", i);
        TEST_CHECK(hash_exists(kv, f, (size_t)n) == (i % 2 == 1));
    }
    ck_assert_uint_gt(hash_bytes(kv), 50000 * 8);
    kv_free(kv);
}
END_TEST

static Suite *hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("conversions");
    tcase_add_test(tc, test_converts_past_entry_limit);
    tcase_add_test(tc, test_converts_past_value_limit);
    tcase_add_test(tc, test_integer_text_round_trips);
    tcase_add_test(tc, test_binary_fields);
    tcase_add_test(tc, test_table_value_updates_of_every_size);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_loop_test(tc, test_model_listpack_limits, 0, 3);
    tcase_add_test(tc, test_model_always_table);
    tcase_add_test(tc, test_model_never_converts);
    tcase_add_test(tc, test_large_table_scan_during_growth);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(hash_suite)
