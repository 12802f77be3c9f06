/* hll_test.c: unit tests for engine/hll.c.
 *
 * Golden values were captured once from a real redis-server 7.0.15 (GET of
 * keys built with PFADD, hll-sparse-max-bytes 3000, PFCOUNT, PFDEBUG
 * GETREG) and pasted here: the tests rebuild each value with the same
 * adds in the same order and compare bytes, which pins the hash, the
 * register mapping, every sparse editing rule and the promotion, and the
 * estimator's exact output. Damaged values are fed in exact-size buffers
 * so ASan sees any read past them. */
#include "engine/alloc.h"
#include "engine/hll.h"
#include "engine/sha1.h"
#include "tests/unit.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 120

static struct test_rng rng;

/* A value in a growable buffer, sparse until it must be dense, grown as
 * the command layer grows a key's value. */
struct value {
    uint8_t *p;
    size_t len, cap;
};

static void value_init(struct value *v)
{
    v->cap = HLL_EMPTY_BYTES + HLL_SPARSE_SET_ROOM;
    v->p = alloc_bytes(v->cap);
    v->len = HLL_EMPTY_BYTES;
    hll_init_empty(v->p);
}

/* PFADD of one element; returns 1 changed, 0 not, -1 corrupt. */
static int value_add(struct value *v, const char *ele, size_t ele_len, size_t max_bytes)
{
    uint32_t index;
    unsigned count = hll_pattern(ele, ele_len, &index);
    if (hll_encoding_of(v->p) == HLL_ENC_SPARSE) {
        if (v->len + HLL_SPARSE_SET_ROOM > v->cap) {
            v->cap = v->len * 2 + HLL_SPARSE_SET_ROOM;
            v->p = alloc_resize(v->p, v->cap);
        }
        enum hll_set_result r = hll_sparse_set(v->p, &v->len, index, count, max_bytes);
        if (r == HLL_SET_INVALID)
            return -1;
        if (r != HLL_SET_PROMOTE) {
            if (r == HLL_SET_UPDATED)
                hll_cache_invalidate(v->p);
            return r == HLL_SET_UPDATED;
        }
        uint8_t *dense = alloc_bytes(HLL_DENSE_BYTES);
        if (!hll_sparse_to_dense(v->p, v->len, dense)) {
            alloc_free(dense);
            return -1;
        }
        alloc_free(v->p);
        v->p = dense;
        v->len = v->cap = HLL_DENSE_BYTES;
        TEST_CHECK(hll_dense_set(v->p + HLL_HEADER_BYTES, index, count));
        hll_cache_invalidate(v->p);
        return 1;
    }
    bool changed = hll_dense_set(v->p + HLL_HEADER_BYTES, index, count);
    if (changed)
        hll_cache_invalidate(v->p);
    return changed;
}

static void value_add_range(struct value *v, int from, int to)
{
    char ele[32];
    for (int i = from; i < to; i++) {
        int n = snprintf(ele, sizeof(ele), "e%d", i);
        TEST_CHECK(value_add(v, ele, (size_t)n, HLL_SPARSE_MAX_BYTES_DEFAULT) >= 0);
    }
}

static void check_hex(const uint8_t *p, size_t len, const char *hex)
{
    size_t want_len = strlen(hex) / 2;
    char *got = alloc_bytes(len * 2 + 1);
    for (size_t i = 0; i < len; i++)
        snprintf(got + 2 * i, 3, "%02x", p[i]);
    ck_assert_msg(len == want_len && strcmp(got, hex) == 0, "bytes differ: got %s, want %s", got,
                  hex);
    alloc_free(got);
}

static void check_sha1(const uint8_t *p, size_t len, const char *hex)
{
    uint8_t digest[SHA1_DIGEST_BYTES];
    char got[2 * SHA1_DIGEST_BYTES + 1];
    sha1_bytes(p, len, digest);
    sha1_to_hex(digest, got);
    ck_assert_str_eq(got, hex);
}

static uint64_t value_count(const struct value *v)
{
    bool invalid = false;
    uint64_t card = hll_count(v->p, v->len, &invalid);
    TEST_CHECK(!invalid);
    return card;
}

START_TEST(test_empty)
{
    struct value v;
    value_init(&v);
    check_hex(v.p, v.len, "48594c4c0100000000000000000000007fff");
    ck_assert(hll_is_valid(v.p, v.len));
    ck_assert(hll_cache_valid(v.p));
    ck_assert_uint_eq(value_count(&v), 0);
    size_t text_len;
    char *text = hll_sparse_describe(v.p, v.len, &text_len);
    ck_assert_str_eq(text, "Z:16384");
    alloc_free(text);
    alloc_free(v.p);
}
END_TEST

START_TEST(test_golden_sparse)
{
    struct value v;
    value_init(&v);
    const char *abc[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(value_add(&v, abc[i], 1, HLL_SPARSE_MAX_BYTES_DEFAULT), 1);
    ck_assert_int_eq(value_add(&v, "a", 1, HLL_SPARSE_MAX_BYTES_DEFAULT), 0);
    check_hex(v.p, v.len, "48594c4c01000000000000000000008060f38050b1844bfb80425a");
    /* The registers PFDEBUG GETREG showed. */
    uint8_t *dense = alloc_bytes(HLL_DENSE_BYTES);
    ck_assert(hll_sparse_to_dense(v.p, v.len, dense));
    for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
        unsigned want = i == 8436 ? 1 : i == 12711 ? 2 : i == 15780 ? 1 : 0;
        TEST_CHECK(hll_dense_get(dense + HLL_HEADER_BYTES, i) == want);
    }
    alloc_free(dense);
    alloc_free(v.p);

    value_init(&v);
    value_add_range(&v, 0, 100);
    check_hex(v.p, v.len,
              "48594c4c01000000000000000000008036843c8040a9a40e88409084406c9c048840e28041358840"
              "d380411d8840898041168c419080098040e08040948041578440a280408384405d8440e18441998440"
              "81803c844047840780404e80408f840984405184268441258440d38042638040a280404b8c406f8042"
              "0b8c41798041478041638040668440f98c0184218811804182844062803088407984228040de8440d3"
              "884045800a88420090118440c184018041138440848c1684228040a88440e180422a844103841680"
              "41178441658c414e802680058040598040ec882e88413c880380405b841b803f80409b802184412e88"
              "408f90407e80408480415f8033844079844193844058902e80406a840d8039801380409a882880408c");
    ck_assert_uint_eq(value_count(&v), 100);
    alloc_free(v.p);

    value_init(&v);
    value_add_range(&v, 0, 1000);
    ck_assert_int_eq(hll_encoding_of(v.p), HLL_ENC_SPARSE);
    ck_assert_uint_eq(v.len, 1906);
    check_sha1(v.p, v.len, "26dc3c41142e0317d54eb6adc1e29ccff5ca6941");
    ck_assert_uint_eq(value_count(&v), 1008);
    alloc_free(v.p);
}
END_TEST

START_TEST(test_golden_dense)
{
    struct value v;
    value_init(&v);
    value_add_range(&v, 0, 10000);
    ck_assert_int_eq(hll_encoding_of(v.p), HLL_ENC_DENSE);
    ck_assert_uint_eq(v.len, HLL_DENSE_BYTES);
    check_sha1(v.p, v.len, "815121cd20d56c18b25dc3df04d13b8fe679a663");
    ck_assert_uint_eq(value_count(&v), 9973);
    value_add_range(&v, 10000, 100000);
    check_sha1(v.p, v.len, "ec6400bb60029296060157289491545488e0cdd1");
    ck_assert_uint_eq(value_count(&v), 100853);
    alloc_free(v.p);
}
END_TEST

START_TEST(test_cache)
{
    uint8_t p[HLL_EMPTY_BYTES];
    hll_init_empty(p);
    hll_cache_set(p, 0x0102030405060708ULL);
    ck_assert(hll_cache_valid(p));
    ck_assert_uint_eq(hll_cache_get(p), 0x0102030405060708ULL);
    ck_assert_uint_eq(p[8], 0x08);
    hll_cache_invalidate(p);
    ck_assert(!hll_cache_valid(p));
    ck_assert_uint_eq(p[15], 0x81);
}
END_TEST

/* The sparse and dense forms of the same adds estimate the same, and a
 * merge of the sparse values equals the union's value. */
START_TEST(test_sparse_dense_agree_and_merge)
{
    test_rng_init(&rng, 11);
    for (int round = 0; round < 300; round++) {
        struct value sparse, dense, other;
        value_init(&sparse);
        value_init(&other);
        dense.p = alloc_bytes(HLL_DENSE_BYTES);
        TEST_CHECK(hll_sparse_to_dense(sparse.p, sparse.len, dense.p));
        dense.len = dense.cap = HLL_DENSE_BYTES;
        int n = (int)test_rng_below(&rng, 300);
        for (int i = 0; i < n; i++) {
            char ele[24];
            int len = snprintf(ele, sizeof(ele), "%llu",
                               (unsigned long long)test_rng_below(&rng, 100000));
            struct value *target = i % 3 == 0 ? &other : &sparse;
            TEST_CHECK(value_add(target, ele, (size_t)len, HLL_SPARSE_MAX_BYTES_DEFAULT) >= 0);
            TEST_CHECK(value_add(&dense, ele, (size_t)len, HLL_SPARSE_MAX_BYTES_DEFAULT) >= 0);
        }
        uint8_t *max = alloc_zeroed(HLL_REGISTERS);
        TEST_CHECK(hll_merge(max, sparse.p, sparse.len));
        TEST_CHECK(hll_merge(max, other.p, other.len));
        TEST_CHECK(hll_count_registers(max) == value_count(&dense));
        for (uint32_t i = 0; i < HLL_REGISTERS; i++)
            TEST_CHECK(max[i] == hll_dense_get(dense.p + HLL_HEADER_BYTES, i));
        alloc_free(max);
        alloc_free(sparse.p);
        alloc_free(other.p);
        alloc_free(dense.p);
    }
}
END_TEST

START_TEST(test_promotion_limit)
{
    /* A lower hll-sparse-max-bytes promotes sooner, and never lets a
     * sparse value grow past it. */
    size_t limits[] = {30, 100, 500};
    for (size_t k = 0; k < 3; k++) {
        struct value v;
        value_init(&v);
        char ele[16];
        for (int i = 0; i < 5000 && hll_encoding_of(v.p) == HLL_ENC_SPARSE; i++) {
            int n = snprintf(ele, sizeof(ele), "x%d", i);
            TEST_CHECK(value_add(&v, ele, (size_t)n, limits[k]) >= 0);
            if (hll_encoding_of(v.p) == HLL_ENC_SPARSE)
                TEST_CHECK(v.len <= limits[k]);
        }
        ck_assert_int_eq(hll_encoding_of(v.p), HLL_ENC_DENSE);
        alloc_free(v.p);
    }
}
END_TEST

/* A copy of p in a buffer of exactly len bytes. */
static uint8_t *exact_copy(const uint8_t *p, size_t len)
{
    uint8_t *out = alloc_bytes(len ? len : 1);
    memcpy(out, p, len);
    return out;
}

START_TEST(test_damaged_values)
{
    struct value v;
    value_init(&v);
    value_add_range(&v, 0, 200);
    /* Validity of the header. */
    ck_assert(hll_is_valid(v.p, v.len));
    ck_assert(!hll_is_valid(v.p, HLL_HEADER_BYTES - 1));
    uint8_t *bad = exact_copy(v.p, v.len);
    bad[0] = '0';
    ck_assert(!hll_is_valid(bad, v.len));
    bad[0] = 'H';
    bad[4] = 'x';
    ck_assert(!hll_is_valid(bad, v.len));
    bad[4] = HLL_ENC_DENSE;
    ck_assert(!hll_is_valid(bad, v.len)); /* dense but the wrong length */
    alloc_free(bad);
    /* Extra bytes at the tail, and truncations: detected, never read past. */
    uint8_t *longer = alloc_bytes(v.len + 5);
    memcpy(longer, v.p, v.len);
    memcpy(longer + v.len, "hello", 5);
    bool invalid = false;
    hll_count(longer, v.len + 5, &invalid);
    ck_assert(invalid);
    alloc_free(longer);
    for (size_t len = HLL_HEADER_BYTES; len < v.len; len++) {
        uint8_t *cut = exact_copy(v.p, len);
        invalid = false;
        hll_count(cut, len, &invalid);
        uint8_t *max = alloc_zeroed(HLL_REGISTERS);
        bool merged = hll_merge(max, cut, len);
        uint8_t *dense = alloc_bytes(HLL_DENSE_BYTES);
        bool converted = hll_sparse_to_dense(cut, len, dense);
        TEST_CHECK(invalid == !merged && merged == converted);
        size_t text_len;
        alloc_free(hll_sparse_describe(cut, len, &text_len));
        alloc_free(dense);
        alloc_free(max);
        alloc_free(cut);
    }
    /* Random damage to the opcodes, with room for sparse edits. */
    test_rng_init(&rng, 12);
    for (int round = 0; round < 2000; round++) {
        struct value d = {alloc_bytes(v.len + HLL_SPARSE_SET_ROOM), v.len,
                          v.len + HLL_SPARSE_SET_ROOM};
        memcpy(d.p, v.p, v.len);
        for (int k = 0; k < 3; k++)
            d.p[HLL_HEADER_BYTES + test_rng_below(&rng, v.len - HLL_HEADER_BYTES)] =
                (uint8_t)test_rng_next(&rng);
        invalid = false;
        hll_count(d.p, d.len, &invalid);
        char ele[16];
        for (int k = 0; k < 20; k++) {
            int n = snprintf(ele, sizeof(ele), "%d", (int)test_rng_below(&rng, 1000000));
            if (value_add(&d, ele, (size_t)n, HLL_SPARSE_MAX_BYTES_DEFAULT) < 0)
                break;
        }
        alloc_free(d.p);
    }
    alloc_free(v.p);
}
END_TEST

START_TEST(test_cut_xzero_reads_zero)
{
    /* An XZERO whose second byte is missing reads it as 0, as Redis reads
     * its string terminator there: 0x7f alone covers (63 << 8) + 1. */
    uint8_t empty[HLL_EMPTY_BYTES];
    hll_init_empty(empty);
    uint8_t *p = exact_copy(empty, HLL_HEADER_BYTES + 1);
    size_t text_len;
    char *text = hll_sparse_describe(p, HLL_HEADER_BYTES + 1, &text_len);
    ck_assert_str_eq(text, "Z:16129");
    alloc_free(text);
    bool invalid = false;
    hll_count(p, HLL_HEADER_BYTES + 1, &invalid);
    ck_assert(invalid);
    alloc_free(p);
}
END_TEST

START_TEST(test_selftest)
{
    char err[128] = "";
    ck_assert_msg(hll_selftest(err, sizeof(err)), "%s", err);
}
END_TEST

static Suite *hll_suite(void)
{
    Suite *s = suite_create("hll");
    TCase *tc = tcase_create("format");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_golden_sparse);
    tcase_add_test(tc, test_golden_dense);
    tcase_add_test(tc, test_cache);
    tcase_add_test(tc, test_sparse_dense_agree_and_merge);
    tcase_add_test(tc, test_promotion_limit);
    suite_add_tcase(s, tc);
    TCase *untrusted = tcase_create("untrusted");
    tcase_set_timeout(untrusted, TEST_TIMEOUT_S);
    tcase_add_test(untrusted, test_damaged_values);
    tcase_add_test(untrusted, test_cut_xzero_reads_zero);
    tcase_add_test(untrusted, test_selftest);
    suite_add_tcase(s, untrusted);
    return s;
}

TEST_SUITE_MAIN(hll_suite)
