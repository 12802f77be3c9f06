/* bitops_test.c: unit tests for engine/bitops.c.
 *
 * The word-at-a-time kernels (popcount, bit ranges, first set or clear
 * bit, BITOP) are checked against one-bit-at-a-time models on random
 * buffers of every small length and misalignment, so the head, body and
 * tail paths all run. The BITFIELD arithmetic is pinned with values
 * redis-server 7.0.15 answered for the same operations (WRAP, SAT and FAIL
 * at the edges of 1-, 8-, 63- and 64-bit fields). Buffers are allocated
 * at their exact size so that ASan catches any read past them. */
#include "engine/alloc.h"
#include "engine/bitops.h"
#include "tests/unit.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 120
#define TEST_LEN_MAX 80
#define TEST_ROUNDS 4000

static struct test_rng rng;

static int model_bit(const uint8_t *p, uint64_t i)
{
    return (p[i >> 3] >> (7 - (i & 7))) & 1;
}

/* An exact-size random buffer; dense or sparse in ones by the round. */
static uint8_t *random_buffer(size_t len, int round)
{
    uint8_t *p = alloc_bytes(len ? len : 1);
    for (size_t i = 0; i < len; i++) {
        uint8_t b = (uint8_t)test_rng_next(&rng);
        if (round % 3 == 0)
            b = 0xff; /* long runs of ones for the clear-bit search */
        else if (round % 3 == 1 && test_rng_below(&rng, 8) != 0)
            b = 0; /* long runs of zeros for the set-bit search */
        p[i] = b;
    }
    return p;
}

START_TEST(test_popcount_and_ranges)
{
    test_rng_init(&rng, 1);
    for (int round = 0; round < TEST_ROUNDS; round++) {
        size_t len = (size_t)test_rng_below(&rng, TEST_LEN_MAX) + 1;
        uint8_t *p = random_buffer(len, round);
        uint64_t model = 0;
        for (uint64_t i = 0; i < len * 8; i++)
            model += (uint64_t)model_bit(p, i);
        TEST_CHECK(bitops_popcount(p, len) == model);
        uint64_t first = test_rng_below(&rng, len * 8);
        uint64_t last = first + test_rng_below(&rng, len * 8 - first);
        uint64_t in_range = 0;
        for (uint64_t i = first; i <= last; i++)
            in_range += (uint64_t)model_bit(p, i);
        TEST_CHECK(bitops_count_bits(p, len, first, last) == in_range);
        for (int bit = 0; bit <= 1; bit++) {
            int64_t want = -1;
            for (uint64_t i = first; i <= last && want < 0; i++)
                if (model_bit(p, i) == bit)
                    want = (int64_t)i;
            TEST_CHECK(bitops_find(p, len, bit, first, last) == want);
        }
        alloc_free(p);
    }
}
END_TEST

START_TEST(test_find_edges)
{
    uint8_t ones[16];
    memset(ones, 0xff, sizeof(ones));
    ck_assert_int_eq(bitops_find(ones, sizeof(ones), 0, 0, 127), -1);
    ck_assert_int_eq(bitops_find(ones, sizeof(ones), 1, 5, 127), 5);
    ones[15] = 0xfe;
    ck_assert_int_eq(bitops_find(ones, sizeof(ones), 0, 0, 127), 127);
    ck_assert_int_eq(bitops_find(ones, sizeof(ones), 0, 0, 126), -1);
    uint8_t zeros[9] = {0};
    zeros[8] = 0x01;
    ck_assert_int_eq(bitops_find(zeros, sizeof(zeros), 1, 0, 71), 71);
    ck_assert_int_eq(bitops_find(zeros, sizeof(zeros), 1, 3, 70), -1);
    ck_assert_int_eq(bitops_count_bits(zeros, sizeof(zeros), 71, 71), 1);
}
END_TEST

START_TEST(test_fields_model)
{
    test_rng_init(&rng, 2);
    for (int round = 0; round < TEST_ROUNDS; round++) {
        size_t len = 9 + (size_t)test_rng_below(&rng, 8);
        uint8_t *p = random_buffer(len, round);
        uint8_t *copy = alloc_bytes(len);
        memcpy(copy, p, len);
        unsigned bits = 1 + (unsigned)test_rng_below(&rng, 64);
        uint64_t offset = test_rng_below(&rng, len * 8 - bits + 1);
        uint64_t want = 0;
        for (unsigned j = 0; j < bits; j++)
            want = (want << 1) | (uint64_t)model_bit(p, offset + j);
        TEST_CHECK(bitops_get_unsigned(p, offset, bits) == want);
        int64_t sign_extended = (int64_t)want;
        if (bits < 64 && (want >> (bits - 1)) & 1)
            sign_extended = (int64_t)(want | (UINT64_MAX << bits));
        TEST_CHECK(bitops_get_signed(p, offset, bits) == sign_extended);
        uint64_t value = test_rng_next(&rng);
        bitops_set_field(p, offset, bits, value);
        uint64_t mask = bits == 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
        TEST_CHECK(bitops_get_unsigned(p, offset, bits) == (value & mask));
        /* Bits outside the field are untouched. */
        for (uint64_t i = 0; i < len * 8; i++)
            if (i < offset || i >= offset + bits)
                TEST_CHECK(model_bit(p, i) == model_bit(copy, i));
        alloc_free(copy);
        alloc_free(p);
    }
}
END_TEST

struct overflow_case {
    bool is_signed;
    unsigned bits;
    int64_t value, incr;
    enum bitops_overflow mode;
    int dir;
    int64_t result; /* unused when FAIL overflows */
};

/* Results redis-server 7.0.15 gave for BITFIELD SET/INCRBY with the same
 * type, value and OVERFLOW mode. */
static const struct overflow_case overflow_cases[] = {
    {false, 8, 255, 10, BITOPS_OVERFLOW_WRAP, 1, 9},
    {false, 8, 9, 300, BITOPS_OVERFLOW_SAT, 1, 255},
    {false, 8, 255, 1, BITOPS_OVERFLOW_FAIL, 1, 0},
    {false, 8, 5, -6, BITOPS_OVERFLOW_WRAP, -1, 255},
    {false, 8, 5, -6, BITOPS_OVERFLOW_SAT, -1, 0},
    {false, 2, 9, 0, BITOPS_OVERFLOW_WRAP, 1, 1},
    {false, 63, -1, 0, BITOPS_OVERFLOW_WRAP, 1, INT64_MAX},
    {false, 63, -1, 0, BITOPS_OVERFLOW_SAT, 1, INT64_MAX},
    {false, 1, 1, 1, BITOPS_OVERFLOW_WRAP, 1, 0},
    {true, 8, -100, -100, BITOPS_OVERFLOW_WRAP, -1, 56},
    {true, 8, -100, -100, BITOPS_OVERFLOW_SAT, -1, -128},
    {true, 8, 200, 0, BITOPS_OVERFLOW_WRAP, 1, -56},
    {true, 5, 16, 0, BITOPS_OVERFLOW_WRAP, 1, -16},
    {true, 1, 0, 1, BITOPS_OVERFLOW_WRAP, 1, -1},
    {true, 64, -1, INT64_MIN + 1, BITOPS_OVERFLOW_WRAP, 0, INT64_MIN},
    {true, 64, INT64_MIN, -10, BITOPS_OVERFLOW_WRAP, -1, INT64_MAX - 9},
    {true, 64, INT64_MIN, -10, BITOPS_OVERFLOW_SAT, -1, INT64_MIN},
    {true, 64, INT64_MIN, INT64_MAX, BITOPS_OVERFLOW_WRAP, 0, -1},
    {true, 64, 5, INT64_MAX, BITOPS_OVERFLOW_SAT, 1, INT64_MAX},
    {true, 64, -5, INT64_MAX, BITOPS_OVERFLOW_FAIL, 0, INT64_MAX - 5},
    {true, 64, 5, INT64_MIN, BITOPS_OVERFLOW_FAIL, 0, INT64_MIN + 5},
};

START_TEST(test_overflow_cases)
{
    for (size_t i = 0; i < sizeof(overflow_cases) / sizeof(overflow_cases[0]); i++) {
        const struct overflow_case *t = &overflow_cases[i];
        int dir;
        int64_t got = 0;
        if (t->is_signed) {
            dir = bitops_add_signed(t->value, t->incr, t->bits, t->mode, &got);
        } else {
            uint64_t u = 0;
            dir = bitops_add_unsigned((uint64_t)t->value, t->incr, t->bits, t->mode, &u);
            got = (int64_t)u;
        }
        ck_assert_msg(dir == t->dir, "case %zu: direction %d, want %d", i, dir, t->dir);
        if (!(dir && t->mode == BITOPS_OVERFLOW_FAIL))
            ck_assert_msg(got == t->result, "case %zu: result %lld, want %lld", i,
                          (long long)got, (long long)t->result);
    }
}
END_TEST

START_TEST(test_combine_model)
{
    test_rng_init(&rng, 3);
    for (int round = 0; round < TEST_ROUNDS; round++) {
        size_t n = 1 + (size_t)test_rng_below(&rng, 4);
        enum bitops_op op = (enum bitops_op)test_rng_below(&rng, 4);
        if (op == BITOPS_NOT)
            n = 1;
        const uint8_t *src[4];
        size_t len[4], max = 0;
        uint8_t *owned[4];
        for (size_t k = 0; k < n; k++) {
            len[k] = (size_t)test_rng_below(&rng, 40);
            owned[k] = random_buffer(len[k], round + (int)k);
            src[k] = test_rng_below(&rng, 5) == 0 ? (len[k] = 0, NULL) : owned[k];
            if (len[k] > max)
                max = len[k];
        }
        if (max > 0) {
            uint8_t *dst = alloc_bytes(max);
            bitops_combine(op, dst, max, src, len, n);
            for (size_t i = 0; i < max; i++) {
                uint8_t want = i < len[0] ? src[0][i] : 0;
                if (op == BITOPS_NOT)
                    want = (uint8_t)~want;
                for (size_t k = 1; k < n; k++) {
                    uint8_t v = i < len[k] ? src[k][i] : 0;
                    want = op == BITOPS_AND   ? (uint8_t)(want & v)
                           : op == BITOPS_OR  ? (uint8_t)(want | v)
                                              : (uint8_t)(want ^ v);
                }
                TEST_CHECK(dst[i] == want);
            }
            alloc_free(dst);
        }
        for (size_t k = 0; k < n; k++)
            alloc_free(owned[k]);
    }
}
END_TEST

static Suite *bitops_suite(void)
{
    Suite *s = suite_create("bitops");
    TCase *tc = tcase_create("kernels");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_popcount_and_ranges);
    tcase_add_test(tc, test_find_edges);
    tcase_add_test(tc, test_fields_model);
    tcase_add_test(tc, test_overflow_cases);
    tcase_add_test(tc, test_combine_model);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(bitops_suite)
