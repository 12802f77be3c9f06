/* crc64_test.c: unit tests for engine/crc64.c.
 *
 * The check value pins the parameters Redis uses (a different polynomial,
 * reflection or inversion changes it); a bit-at-a-time reference written
 * from the definition pins crc64_update on random input of every length
 * up to a few words and across alignments; crc64_combine is checked
 * against the CRC of the concatenation for random splits, empty parts and
 * a long run of zeros (where a wrong power of the shift operator shows). */
#include "engine/crc64.h"
#include "tests/unit.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_BUFFER_BYTES 4096
#define TEST_ROUNDS 2000
#define TEST_ZEROS_BYTES (3u << 20)

static struct test_rng rng;

/* The definition, one bit at a time: reflected polynomial, initial value
 * given, no final xor. */
static uint64_t test_crc64_bitwise(uint64_t crc, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

static void test_fill(unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)test_rng_next(&rng);
}

START_TEST(test_check_value)
{
    TEST_CHECK(crc64_update(CRC64_INIT, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    TEST_CHECK(crc64_update(CRC64_INIT, "", 0) == 0);
    TEST_CHECK(crc64_update(0x1234, "", 0) == 0x1234);
}
END_TEST

START_TEST(test_matches_definition)
{
    test_rng_init(&rng, 0xc64);
    unsigned char buf[TEST_BUFFER_BYTES + 8];
    test_fill(buf, sizeof(buf));
    for (size_t len = 0; len < 100; len++)
        for (size_t align = 0; align < 8; align++)
            TEST_CHECK(crc64_update(0, buf + align, len) ==
                       test_crc64_bitwise(0, buf + align, len));
    TEST_CHECK(crc64_update(0, buf, TEST_BUFFER_BYTES) ==
               test_crc64_bitwise(0, buf, TEST_BUFFER_BYTES));
    /* A running value in, as the sinks and sources use it. */
    uint64_t start = test_rng_next(&rng);
    TEST_CHECK(crc64_update(start, buf, 777) == test_crc64_bitwise(start, buf, 777));
}
END_TEST

START_TEST(test_combine_random_splits)
{
    test_rng_init(&rng, 0xc0b1);
    static unsigned char buf[TEST_BUFFER_BYTES];
    test_fill(buf, sizeof(buf));
    for (int round = 0; round < TEST_ROUNDS; round++) {
        size_t len = test_rng_below(&rng, TEST_BUFFER_BYTES + 1);
        size_t split = test_rng_below(&rng, len + 1);
        uint64_t whole = crc64_update(0, buf, len);
        uint64_t a = crc64_update(0, buf, split);
        uint64_t b = crc64_update(0, buf + split, len - split);
        TEST_CHECK(crc64_combine(a, b, len - split) == whole);
    }
}
END_TEST

START_TEST(test_combine_edges)
{
    unsigned char one = 0x5a;
    uint64_t c1 = crc64_update(0, &one, 1);
    TEST_CHECK(crc64_combine(c1, 0, 0) == c1);
    TEST_CHECK(crc64_combine(0, c1, 1) == c1);
    /* A long run of zeros: CRC 0 for B, so the result is A shifted alone. */
    unsigned char *zeros = calloc(1, TEST_ZEROS_BYTES);
    TEST_CHECK(zeros != NULL);
    uint64_t direct = crc64_update(c1, zeros, TEST_ZEROS_BYTES);
    TEST_CHECK(crc64_update(0, zeros, TEST_ZEROS_BYTES) == 0);
    TEST_CHECK(crc64_combine(c1, 0, TEST_ZEROS_BYTES) == direct);
    TEST_CHECK(direct != c1);
    /* Three parts folded left to right, as the encoder folds its chunks. */
    const char *text = "REDIS0010-some-parts-of-a-file";
    size_t n = strlen(text);
    uint64_t folded = 0;
    size_t cuts[] = {0, 9, 10, 22, n};
    for (size_t i = 0; i + 1 < sizeof(cuts) / sizeof(cuts[0]); i++)
        folded = crc64_combine(folded, crc64_update(0, text + cuts[i], cuts[i + 1] - cuts[i]),
                               cuts[i + 1] - cuts[i]);
    TEST_CHECK(folded == crc64_update(0, text, n));
    free(zeros);
}
END_TEST

static Suite *crc64_suite(void)
{
    Suite *s = suite_create("crc64");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_check_value);
    tcase_add_test(tc, test_matches_definition);
    tcase_add_test(tc, test_combine_random_splits);
    tcase_add_test(tc, test_combine_edges);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(crc64_suite)
