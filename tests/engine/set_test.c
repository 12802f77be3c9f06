/* set_test.c: unit tests for engine/set.c: the intset -> hashtable
 * conversions at their exact thresholds, iteration, random members, SSCAN
 * steps, copies, and a model-checked run of random operations.
 *
 * Randomness comes from a seeded xorshift generator, so a failure repeats
 * exactly. */
#include "engine/set.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/intset.h"
#include "tests/unit.h"

/* Members the model run draws from: half integers, half not. */
#define TEST_UNIVERSE 300
#define TEST_MODEL_STEPS 200000
#define TEST_TIMEOUT_S 120

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;
/* The seed the tests here start from: the one this file's generator
 * always started from, so their draws are what they always were. */
#define TEST_SEED_DEFAULT 0x9e3779b97f4a7c15ULL

/* For the library calls that take a uint64_t (*)(void) source of
 * randomness. */
static uint64_t test_rand64(void)
{
    return test_rng_next(&rng);
}

static struct kv *test_new_set(const char *first)
{
    return set_new_kv("k", 1, first, first ? strlen(first) : 0);
}

static bool test_add(struct kv *kv, const char *m, long long max)
{
    return set_add(kv, m, strlen(m), max);
}

START_TEST(test_new_picks_encoding_from_first_member)
{
    struct kv *a = test_new_set("12");
    ck_assert_int_eq(a->encoding, KV_ENC_INTSET);
    struct kv *b = test_new_set("x");
    ck_assert_int_eq(b->encoding, KV_ENC_HASHTABLE);
    struct kv *c = test_new_set(NULL);
    ck_assert_int_eq(c->encoding, KV_ENC_INTSET);
    /* Not canonical integers: leading zero, plus sign, spaces, overflow. */
    const char *non_canonical[] = {"01", "+1", " 1", "1 ", "-0", "9223372036854775808", ""};
    for (size_t i = 0; i < sizeof(non_canonical) / sizeof(non_canonical[0]); i++) {
        struct kv *d = test_new_set(non_canonical[i]);
        ck_assert_msg(d->encoding == KV_ENC_HASHTABLE, "%s", non_canonical[i]);
        kv_free(d);
    }
    kv_free(a);
    kv_free(b);
    kv_free(c);
}
END_TEST

START_TEST(test_intset_converts_past_the_entry_limit)
{
    const long long max = 512;
    struct kv *kv = test_new_set("0");
    char text[32];
    for (long long i = 0; i < max; i++) {
        snprintf(text, sizeof(text), "%lld", i * 3 - 700);
        ck_assert(test_add(kv, text, max));
    }
    ck_assert_int_eq(kv->encoding, KV_ENC_INTSET);
    ck_assert_uint_eq(set_size(kv), (size_t)max);
    /* A duplicate at the limit does not convert. */
    ck_assert(!test_add(kv, "-700", max));
    ck_assert_int_eq(kv->encoding, KV_ENC_INTSET);
    ck_assert(test_add(kv, "100000", max));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    ck_assert_uint_eq(set_size(kv), (size_t)max + 1);
    for (long long i = 0; i < max; i++) {
        snprintf(text, sizeof(text), "%lld", i * 3 - 700);
        ck_assert(set_contains(kv, text, strlen(text)));
    }
    /* Removing never converts back. */
    for (long long i = 0; i < max; i++) {
        snprintf(text, sizeof(text), "%lld", i * 3 - 700);
        ck_assert(set_remove(kv, text, strlen(text)));
    }
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    ck_assert_uint_eq(set_size(kv), 1);
    kv_free(kv);
}
END_TEST

START_TEST(test_non_integer_converts_and_limit_zero)
{
    struct kv *kv = test_new_set("1");
    ck_assert(test_add(kv, "1", 512));
    ck_assert(test_add(kv, "2", 512));
    ck_assert(!test_add(kv, "2", 512));
    ck_assert_int_eq(kv->encoding, KV_ENC_INTSET);
    ck_assert(test_add(kv, "a", 512));
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    ck_assert(set_contains(kv, "1", 1) && set_contains(kv, "2", 1) && set_contains(kv, "a", 1));
    ck_assert(!set_contains(kv, "01", 2));
    kv_free(kv);

    /* With a limit of 0 the first integer already passes it. */
    struct kv *z = test_new_set("5");
    ck_assert(test_add(z, "5", 0));
    ck_assert_int_eq(z->encoding, KV_ENC_HASHTABLE);
    kv_free(z);
}
END_TEST

START_TEST(test_intset_iterates_in_order_and_random_is_a_member)
{
    test_rng_init(&rng, TEST_SEED_DEFAULT);
    struct kv *kv = test_new_set("0");
    const char *values[] = {"5", "-3", "9223372036854775807", "-9223372036854775808", "0"};
    for (size_t i = 0; i < 5; i++)
        test_add(kv, values[i], 512);
    const char *sorted[] = {"-9223372036854775808", "-3", "0", "5", "9223372036854775807"};
    struct set_iter it;
    struct set_elem e;
    size_t n = 0;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e)) {
        ck_assert_uint_eq(e.len, strlen(sorted[n]));
        ck_assert(memcmp(e.ptr, sorted[n], e.len) == 0);
        n++;
    }
    set_iter_done(&it);
    ck_assert_uint_eq(n, 5);
    for (int i = 0; i < 100; i++) {
        set_random(kv, test_rand64, &e);
        ck_assert(set_contains(kv, e.ptr, e.len));
    }
    kv_free(kv);
}
END_TEST

static void test_count_scan(const char *member, size_t len, void *ctx)
{
    struct kv *seen = ctx;
    set_add(seen, member, len, 0);
}

START_TEST(test_hashtable_scan_copy_and_iteration_cover_every_member)
{
    struct kv *kv = test_new_set("m");
    char text[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(text, sizeof(text), "m%d", i);
        test_add(kv, text, 512);
    }
    struct kv *seen = test_new_set("x");
    uint64_t cursor = 0;
    do {
        cursor = set_scan(kv, cursor, test_count_scan, seen);
    } while (cursor != 0);
    ck_assert_uint_eq(set_size(seen), 5000);

    void *copy_obj = set_copy(kv_object(kv), KV_ENC_HASHTABLE);
    struct kv *copy = kv_new_object("c", 1, KV_SET, KV_ENC_HASHTABLE, copy_obj);
    ck_assert_uint_eq(set_size(copy), 5000);
    struct set_iter it;
    struct set_elem e;
    size_t n = 0;
    set_iter_init(&it, copy);
    while (set_iter_next(&it, &e)) {
        ck_assert(set_contains(kv, e.ptr, e.len));
        n++;
    }
    set_iter_done(&it);
    ck_assert_uint_eq(n, 5000);

    struct kv *ints = test_new_set("1");
    test_add(ints, "1", 512);
    test_add(ints, "70000", 512);
    void *ints_copy = set_copy(kv_object(ints), KV_ENC_INTSET);
    ck_assert(intset_length(ints_copy) == 2 && intset_find(ints_copy, 70000));
    set_free(ints_copy, KV_ENC_INTSET);
    kv_free(ints);
    kv_free(copy);
    kv_free(seen);
    kv_free(kv);
}
END_TEST

/* The model: a presence flag per universe member. */
static void test_member_name(int id, char *buf, size_t cap)
{
    if (id % 2 == 0)
        snprintf(buf, cap, "%d", id - TEST_UNIVERSE / 2);
    else
        snprintf(buf, cap, "s%d", id);
}

static void test_check_model(const struct kv *kv, const bool *present, size_t count)
{
    ck_assert_uint_eq(set_size(kv), count);
    struct set_iter it;
    struct set_elem e;
    size_t n = 0;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e))
        n++;
    set_iter_done(&it);
    ck_assert_uint_eq(n, count);
    char name[32];
    for (int id = 0; id < TEST_UNIVERSE; id++) {
        test_member_name(id, name, sizeof(name));
        ck_assert(set_contains(kv, name, strlen(name)) == present[id]);
    }
}

START_TEST(test_model_random_operations)
{
    test_rng_init(&rng, TEST_SEED_DEFAULT);
    const long long max = 64;
    bool present[TEST_UNIVERSE] = {0};
    size_t count = 0;
    bool any_string = false;
    struct kv *kv = test_new_set(NULL);
    char name[32];
    for (int step = 0; step < TEST_MODEL_STEPS; step++) {
        /* Mostly integers at first, so the intset stage gets exercised. */
        int id = (int)test_rng_below(&rng, TEST_UNIVERSE);
        if (step < TEST_MODEL_STEPS / 2 && kv->encoding == KV_ENC_INTSET)
            id &= ~1;
        test_member_name(id, name, sizeof(name));
        uint64_t op = test_rng_below(&rng, 3);
        if (op < 2) {
            ck_assert(set_add(kv, name, strlen(name), max) == !present[id]);
            count += !present[id];
            any_string |= id % 2 == 1;
            present[id] = true;
        } else {
            ck_assert(set_remove(kv, name, strlen(name)) == present[id]);
            count -= present[id];
            present[id] = false;
        }
        /* An intset holds only integers and at most max of them. */
        if (kv->encoding == KV_ENC_INTSET)
            ck_assert(!any_string && (long long)count <= max);
        if (step % 1000 == 0)
            test_check_model(kv, present, count);
    }
    test_check_model(kv, present, count);
    ck_assert_int_eq(kv->encoding, KV_ENC_HASHTABLE);
    kv_free(kv);
}
END_TEST

static Suite *set_suite(void)
{
    Suite *s = suite_create("set");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_new_picks_encoding_from_first_member);
    tcase_add_test(tc, test_intset_converts_past_the_entry_limit);
    tcase_add_test(tc, test_non_integer_converts_and_limit_zero);
    tcase_add_test(tc, test_intset_iterates_in_order_and_random_is_a_member);
    tcase_add_test(tc, test_hashtable_scan_copy_and_iteration_cover_every_member);
    tcase_add_test(tc, test_model_random_operations);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(set_suite)
