/* intset_test.c: unit tests for engine/intset.c.
 *
 * Golden blobs were captured once from a real redis-server 7.0.15 (DUMP of
 * sets built with SADD, type 11) and pasted here as hex; the tests rebuild
 * each set with the same adds in the same order and compare bytes, which
 * also pins the upgrade rules since an intset's bytes depend on its
 * history. A seeded random model checks thousands of adds and removes
 * against a sorted array, and intset_validate is fed truncated and
 * corrupted blobs in exact-size buffers so ASan sees any over-read. */
#include "engine/alloc.h"
#include "engine/intset.h"
#include "tests/engine/hex.h"
#include "tests/unit.h"

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 120
#define TEST_MODEL_OPS 20000
#define TEST_MODEL_SEEDS 4
/* Values per model: enough for the binary search and memmoves to matter,
 * with duplicates likely. */
#define TEST_MODEL_VALUES_MAX 600

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

static void test_check_hex(const unsigned char *bytes, size_t len, const char *hex)
{
    size_t expected_len;
    unsigned char *expected = test_hex_decode(hex, &expected_len);
    bool same = len == expected_len && memcmp(bytes, expected, len) == 0;
    alloc_free(expected);
    if (!same) {
        char got[512] = {0};
        for (size_t i = 0; i < len && i < 200; i++)
            snprintf(got + 2 * i, 3, "%02x", bytes[i]);
        ck_abort_msg("bytes differ: got %s, want %s", got, hex);
    }
}

/* ---- Golden data from redis-server 7.0.15 (SADD in this order) ---- */

static const struct {
    const char *name;
    long long values[6];
    size_t count;
    const char *blob;
} GOLDEN_SETS[] = {
    {"SADD s 1 2 3 70000", {1, 2, 3, 70000}, 4,
     "040000000400000001000000020000000300000070110100"},
    {"SADD s16 5 -32768 32767 0 -1", {5, -32768, 32767, 0, -1}, 5,
     "02000000050000000080ffff00000500ff7f"},
    {"SADD s32 32768 -32769 2147483647 -2147483648", {32768, -32769, 2147483647, -2147483647 - 1},
     4, "040000000400000000000080ff7fffff00800000ffffff7f"},
    {"SADD s64 LLONG_MIN LLONG_MAX 2147483648 -2147483649 0",
     {LLONG_MIN, LLONG_MAX, 2147483648LL, -2147483649LL, 0}, 5,
     "08000000050000000000000000000080ffffff7fffffffff0000000000000000000000800000000"
     "0ffffffffffffff7f"},
    {"SADD sneg 10 20 -70000", {10, 20, -70000}, 3, "040000000300000090eefeff0a00000014000000"},
};

/* `SADD sr 1 2 3 5000000000` then `SREM sr 5000000000`: the encoding stays 8. */
static const char GOLDEN_SHRUNK[] = "0800000003000000010000000000000002000000000000000300000000000000";

START_TEST(test_golden_sets)
{
    for (size_t i = 0; i < sizeof(GOLDEN_SETS) / sizeof(GOLDEN_SETS[0]); i++) {
        unsigned char *is = intset_new();
        for (size_t j = 0; j < GOLDEN_SETS[i].count; j++) {
            bool added = false;
            is = intset_add(is, GOLDEN_SETS[i].values[j], &added);
            ck_assert(added);
        }
        test_check_hex(is, intset_blob_bytes(is), GOLDEN_SETS[i].blob);
        ck_assert(intset_validate(is, intset_blob_bytes(is)));
        for (size_t j = 0; j < GOLDEN_SETS[i].count; j++)
            ck_assert(intset_find(is, GOLDEN_SETS[i].values[j]));
        intset_free(is);
    }

    unsigned char *is = intset_new();
    is = intset_add(is, 1, NULL);
    is = intset_add(is, 2, NULL);
    is = intset_add(is, 3, NULL);
    is = intset_add(is, 5000000000LL, NULL);
    bool removed = false;
    is = intset_remove(is, 5000000000LL, &removed);
    ck_assert(removed);
    test_check_hex(is, intset_blob_bytes(is), GOLDEN_SHRUNK);
    intset_free(is);
}
END_TEST

START_TEST(test_empty)
{
    unsigned char *is = intset_new();
    test_check_hex(is, intset_blob_bytes(is), "0200000000000000");
    ck_assert_uint_eq(intset_length(is), 0);
    ck_assert_uint_eq(intset_encoding(is), INTSET_ENCODING_INT16);
    ck_assert(!intset_find(is, 0));
    long long v;
    ck_assert(!intset_get(is, 0, &v));
    bool removed = true;
    is = intset_remove(is, 0, &removed);
    ck_assert(!removed);
    /* Redis never stores an empty intset, so the loader refuses one. */
    ck_assert(!intset_validate(is, intset_blob_bytes(is)));
    intset_free(is);
    intset_free(NULL);
}
END_TEST

/* Each value and the narrowest encoding that holds it. */
static const struct {
    long long value;
    size_t encoding;
} ENCODING_BOUNDARIES[] = {
    {0, 2},
    {INT16_MAX, 2},
    {INT16_MIN, 2},
    {INT16_MAX + 1, 4},
    {INT16_MIN - 1, 4},
    {INT32_MAX, 4},
    {INT32_MIN, 4},
    {(long long)INT32_MAX + 1, 8},
    {(long long)INT32_MIN - 1, 8},
    {LLONG_MAX, 8},
    {LLONG_MIN, 8},
};

START_TEST(test_encoding_boundaries)
{
    for (size_t i = 0; i < sizeof(ENCODING_BOUNDARIES) / sizeof(ENCODING_BOUNDARIES[0]); i++) {
        long long v = ENCODING_BOUNDARIES[i].value;
        size_t width = ENCODING_BOUNDARIES[i].encoding;
        unsigned char *is = intset_add(intset_new(), v, NULL);
        ck_assert_uint_eq(intset_encoding(is), width);
        ck_assert_uint_eq(intset_blob_bytes(is), INTSET_HEADER_BYTES + width);
        /* The value, little-endian, at the width. */
        for (size_t b = 0; b < width; b++)
            ck_assert_uint_eq(is[INTSET_HEADER_BYTES + b], (unsigned char)((uint64_t)v >> (8 * b)));
        long long got;
        ck_assert(intset_get(is, 0, &got));
        ck_assert(got == v);
        ck_assert(intset_find(is, v));
        ck_assert(intset_validate(is, intset_blob_bytes(is)));
        /* A value wider than the set's encoding is never found in it. */
        if (width == 2) {
            ck_assert(!intset_find(is, (long long)INT32_MAX + 1));
            ck_assert(!intset_find(is, INT16_MAX + 1));
        }
        intset_free(is);
    }
}
END_TEST

START_TEST(test_upgrade_places_value)
{
    unsigned char *is = intset_new();
    for (long long v = -50; v <= 50; v += 10)
        is = intset_add(is, v, NULL);
    /* A wider positive value goes last, a wider negative one first. */
    is = intset_add(is, 100000, NULL);
    ck_assert_uint_eq(intset_encoding(is), 4);
    is = intset_add(is, LLONG_MIN, NULL);
    ck_assert_uint_eq(intset_encoding(is), 8);
    is = intset_add(is, LLONG_MAX, NULL);
    ck_assert_uint_eq(intset_length(is), 14);
    long long prev = 0, v = 0;
    ck_assert(intset_get(is, 0, &prev));
    ck_assert(prev == LLONG_MIN);
    for (size_t i = 1; i < intset_length(is); i++) {
        ck_assert(intset_get(is, i, &v));
        ck_assert(prev < v);
        prev = v;
    }
    ck_assert(v == LLONG_MAX);
    ck_assert(!intset_get(is, 14, &v));
    bool added = true;
    is = intset_add(is, -50, &added);
    ck_assert(!added);
    ck_assert_uint_eq(intset_length(is), 14);
    ck_assert(intset_validate(is, intset_blob_bytes(is)));
    intset_free(is);
}
END_TEST

START_TEST(test_random_member)
{
    unsigned char *is = intset_new();
    for (long long v = 0; v < 10; v++)
        is = intset_add(is, v * 1000, NULL);
    for (uint64_t r = 0; r < 10; r++)
        ck_assert(intset_random(is, r) == (long long)r * 1000);
    ck_assert(intset_random(is, UINT64_MAX) == (long long)(UINT64_MAX % 10) * 1000);
    intset_free(is);
}
END_TEST

/* ---- Model test ---- */

static long long test_random_value(void)
{
    size_t kind = test_rng_below(&rng, 8);
    if (kind == 0)
        return (long long)test_rng_next(&rng);
    if (kind == 1)
        return (long long)(int32_t)test_rng_next(&rng);
    if (kind == 2)
        return ENCODING_BOUNDARIES[test_rng_below(&rng, sizeof(ENCODING_BOUNDARIES) /
                                                   sizeof(ENCODING_BOUNDARIES[0]))].value;
    return (long long)test_rng_below(&rng, 2000) - 1000;
}

/* The model is a sorted array of distinct values. */
static size_t test_model_position(const long long *values, size_t count, long long v, bool *found)
{
    size_t i = 0;
    while (i < count && values[i] < v)
        i++;
    *found = i < count && values[i] == v;
    return i;
}

static void test_model_check(const unsigned char *is, const long long *values, size_t count,
                             size_t widest)
{
    TEST_CHECK(intset_length(is) == count);
    TEST_CHECK(intset_encoding(is) == widest);
    TEST_CHECK(intset_blob_bytes(is) == INTSET_HEADER_BYTES + count * widest);
    TEST_CHECK(count == 0 || intset_validate(is, intset_blob_bytes(is)));
    for (size_t i = 0; i < count; i++) {
        long long v;
        TEST_CHECK(intset_get(is, i, &v));
        TEST_CHECK(v == values[i]);
    }
}

static size_t test_width_of(long long v)
{
    if (v < INT32_MIN || v > INT32_MAX)
        return 8;
    return v < INT16_MIN || v > INT16_MAX ? 4 : 2;
}

START_TEST(test_random_model)
{
    long long *values = alloc_bytes(TEST_MODEL_VALUES_MAX * sizeof(long long) + 1);
    for (uint64_t seed = 1; seed <= TEST_MODEL_SEEDS; seed++) {
        test_rng_init(&rng, seed * 0x9e3779b97f4a7c15ULL);
        unsigned char *is = intset_new();
        size_t count = 0;
        size_t widest = 2;
        for (size_t op = 0; op < TEST_MODEL_OPS; op++) {
            bool found;
            /* Removes pick present values half the time. */
            long long v = count > 0 && test_rng_below(&rng, 2) ? values[test_rng_below(&rng, count)]
                                                          : test_random_value();
            size_t pos = test_model_position(values, count, v, &found);
            TEST_CHECK(intset_find(is, v) == found);
            bool add = count < TEST_MODEL_VALUES_MAX && test_rng_below(&rng, 100) < 55;
            bool changed;
            if (add) {
                is = intset_add(is, v, &changed);
                TEST_CHECK(changed == !found);
                if (!found) {
                    memmove(&values[pos + 1], &values[pos], (count - pos) * sizeof(long long));
                    values[pos] = v;
                    count++;
                    if (test_width_of(v) > widest)
                        widest = test_width_of(v);
                }
            } else {
                is = intset_remove(is, v, &changed);
                TEST_CHECK(changed == found);
                if (found) {
                    memmove(&values[pos], &values[pos + 1], (count - pos - 1) * sizeof(long long));
                    count--;
                }
            }
            test_model_check(is, values, count, widest);
        }
        intset_free(is);
    }
    alloc_free(values);
}
END_TEST

/* ---- Untrusted input ---- */

static bool test_validate_copy(const unsigned char *blob, size_t len)
{
    unsigned char *copy = alloc_bytes(len ? len : 1);
    memcpy(copy, blob, len);
    bool valid = intset_validate(copy, len);
    if (valid) {
        /* Whatever is accepted must be usable. */
        unsigned char *is = intset_from_bytes(copy, len);
        long long v;
        for (size_t i = 0; i < intset_length(is); i++) {
            TEST_CHECK(intset_get(is, i, &v));
            TEST_CHECK(intset_find(is, v));
        }
        is = intset_add(is, 12345, NULL);
        is = intset_remove(is, 12345, NULL);
        intset_free(is);
    }
    alloc_free(copy);
    return valid;
}

START_TEST(test_validate_rejects)
{
    static const struct {
        const char *hex;
        bool valid;
        const char *why;
    } cases[] = {
        {"02000000" "01000000" "0500", true, "one int16"},
        {"02000000" "02000000" "0500" "0600", true, "two ascending"},
        {"02000000" "02000000" "0600" "0500", false, "descending"},
        {"02000000" "02000000" "0500" "0500", false, "duplicate"},
        {"02000000" "00000000", false, "empty"},
        {"03000000" "01000000" "050000", false, "encoding 3"},
        {"00000000" "01000000", false, "encoding 0"},
        {"10000000" "01000000" "05000000000000000000000000000000", false, "encoding 16"},
        {"04000000" "01000000" "0500", false, "too short for length"},
        {"02000000" "01000000" "050006", false, "trailing byte"},
        {"02000000" "ffffffff" "0500", false, "huge length"},
        {"08000000" "00000020" "00", false, "length overflowing a 32-bit product"},
        {"020000", false, "header cut off"},
        {"", false, "nothing"},
        {"08000000" "02000000" "0000000000000080" "ffffffffffffff7f", true, "int64 extremes"},
        {"02000000" "02000000" "0080" "ff7f", true, "int16 extremes"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        unsigned char *blob = test_hex_decode(cases[i].hex, &len);
        bool got = test_validate_copy(blob, len);
        if (got != cases[i].valid)
            ck_abort_msg("case %zu (%s): validate said %d", i, cases[i].why, got);
        alloc_free(blob);
    }
}
END_TEST

START_TEST(test_validate_truncated_and_corrupted)
{
    for (size_t g = 0; g < sizeof(GOLDEN_SETS) / sizeof(GOLDEN_SETS[0]); g++) {
        size_t len;
        unsigned char *blob = test_hex_decode(GOLDEN_SETS[g].blob, &len);
        ck_assert(test_validate_copy(blob, len));
        for (size_t cut = 0; cut < len; cut++)
            TEST_CHECK(!test_validate_copy(blob, cut));
        for (size_t i = 0; i < len; i++) {
            for (unsigned bit = 0; bit < 8; bit++) {
                blob[i] ^= (unsigned char)(1u << bit);
                bool valid = test_validate_copy(blob, len);
                /* Any change to the header makes the sizes disagree. */
                if (i < INTSET_HEADER_BYTES)
                    TEST_CHECK(!valid);
                blob[i] ^= (unsigned char)(1u << bit);
            }
        }
        alloc_free(blob);
    }
}
END_TEST

START_TEST(test_random_on_empty_aborts)
{
    unsigned char *is = intset_new();
    intset_random(is, 7);
}
END_TEST

static Suite *intset_suite(void)
{
    Suite *s = suite_create("intset");
    TCase *basics = tcase_create("basics");
    tcase_set_timeout(basics, TEST_TIMEOUT_S);
    tcase_add_test(basics, test_golden_sets);
    tcase_add_test(basics, test_empty);
    tcase_add_test(basics, test_encoding_boundaries);
    tcase_add_test(basics, test_upgrade_places_value);
    tcase_add_test(basics, test_random_member);
    tcase_add_test(basics, test_random_model);
    suite_add_tcase(s, basics);

    TCase *untrusted = tcase_create("untrusted");
    tcase_set_timeout(untrusted, TEST_TIMEOUT_S);
    tcase_add_test(untrusted, test_validate_rejects);
    tcase_add_test(untrusted, test_validate_truncated_and_corrupted);
    suite_add_tcase(s, untrusted);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_random_on_empty_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(intset_suite)
