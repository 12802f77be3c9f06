/* aof_batch_test.c: unit tests for engine/aof_batch.c.
 *
 * CRC-32C against the published check value and RFC 3720's iSCSI test
 * vectors, and against a bit-at-a-time implementation written here from
 * the polynomial (an oracle that shares nothing with ISA-L) over random
 * buffers, whole and split; header lines byte for byte, round trips and
 * every single-byte change; padding lines of every legal length and the
 * lines that must not pass for padding; the asserts on misuse. */
#include "engine/aof_batch.h"
#include "tests/unit.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 60
#define TEST_CRC_ROUNDS 2000
#define TEST_CRC_BYTES_MAX 4096

static struct test_rng rng;

/* CRC-32C one bit at a time: reflected polynomial 0x82F63B78, initial and
 * final value all ones. */
static uint32_t test_crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

START_TEST(test_crc_known_vectors)
{
    TEST_CHECK(aof_crc32c(0, "123456789", 9) == 0xe3069283u);
    TEST_CHECK(aof_crc32c(0, NULL, 0) == 0);
    TEST_CHECK(aof_crc32c(0x12345678u, NULL, 0) == 0x12345678u);
    /* RFC 3720, appendix B.4. */
    uint8_t buf[32];
    memset(buf, 0, sizeof(buf));
    TEST_CHECK(aof_crc32c(0, buf, sizeof(buf)) == 0x8a9136aau);
    memset(buf, 0xff, sizeof(buf));
    TEST_CHECK(aof_crc32c(0, buf, sizeof(buf)) == 0x62a8ab43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    TEST_CHECK(aof_crc32c(0, buf, sizeof(buf)) == 0x46dd794eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    TEST_CHECK(aof_crc32c(0, buf, sizeof(buf)) == 0x113fdb5cu);
}
END_TEST

/* Random lengths and contents against the bit-at-a-time oracle, and every
 * split of a buffer into two chained calls gives the whole's CRC. */
START_TEST(test_crc_random_and_chained)
{
    test_rng_init(&rng, 0xc2c32c);
    uint8_t *buf = malloc(TEST_CRC_BYTES_MAX);
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < TEST_CRC_ROUNDS; round++) {
        size_t n = test_rng_below(&rng, TEST_CRC_BYTES_MAX + 1);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)test_rng_next(&rng);
        uint32_t whole = aof_crc32c(0, buf, n);
        TEST_CHECK(whole == test_crc32c_bitwise(buf, n));
        size_t split = n ? test_rng_below(&rng, n + 1) : 0;
        TEST_CHECK(aof_crc32c(aof_crc32c(0, buf, split), buf + split, n - split) == whole);
    }
    free(buf);
}
END_TEST

START_TEST(test_header_bytes)
{
    uint8_t out[AOF_BATCH_HEADER_BYTES];
    aof_batch_header(out, 1, "123456789", 9);
    const char expect[] = "#ringkv-batch 0000000000000001 00000009 e3069283\n";
    ck_assert_uint_eq(sizeof(expect) - 1, AOF_BATCH_HEADER_BYTES);
    TEST_CHECK(memcmp(out, expect, AOF_BATCH_HEADER_BYTES) == 0);

    aof_batch_header_format(out, UINT64_MAX, AOF_BATCH_BYTES_MAX, 0xdeadbeef);
    const char max[] = "#ringkv-batch ffffffffffffffff ffffffff deadbeef\n";
    TEST_CHECK(memcmp(out, max, AOF_BATCH_HEADER_BYTES) == 0);

    /* An empty batch has CRC 0. */
    aof_batch_header(out, 0x10, NULL, 0);
    const char empty[] = "#ringkv-batch 0000000000000010 00000000 00000000\n";
    TEST_CHECK(memcmp(out, empty, AOF_BATCH_HEADER_BYTES) == 0);

    /* Redis 7.0 must read it as one annotation line, and redis-check-aof
     * must not take it for a #TS: timestamp. */
    TEST_CHECK(out[0] == '#');
    TEST_CHECK(memchr(out, '\n', AOF_BATCH_HEADER_BYTES) == out + AOF_BATCH_HEADER_BYTES - 1);
    TEST_CHECK(AOF_BATCH_HEADER_BYTES <= AOF_BATCH_LINE_BYTES_MAX);
    TEST_CHECK(memcmp(out, "#TS:", 4) != 0);
    TEST_CHECK(!aof_batch_is_padding((const char *)out, AOF_BATCH_HEADER_BYTES));
}
END_TEST

START_TEST(test_header_round_trip)
{
    test_rng_init(&rng, 0x4eade4);
    static const uint64_t seqs[] = {1, 2, 0xff, 0x100000000ULL, UINT64_MAX};
    static const uint32_t lens[] = {0, 1, 4096, 0x7fffffffu, UINT32_MAX};
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
            uint32_t crc = (uint32_t)test_rng_next(&rng);
            uint8_t out[AOF_BATCH_HEADER_BYTES];
            aof_batch_header_format(out, seqs[i], lens[j], crc);
            struct aof_batch_header h;
            TEST_CHECK(aof_batch_is_header((const char *)out, AOF_BATCH_HEADER_BYTES));
            TEST_CHECK(aof_batch_parse_header((const char *)out, AOF_BATCH_HEADER_BYTES, &h));
            TEST_CHECK(h.seq == seqs[i] && h.len == lens[j] && h.crc == crc);
        }
    }
}
END_TEST

/* Whether position i of a header holds a hex digit. */
static bool test_hex_position(size_t i)
{
    return i >= AOF_BATCH_HEADER_PREFIX_BYTES && i < AOF_BATCH_HEADER_BYTES - 1 &&
           i != AOF_BATCH_HEADER_PREFIX_BYTES + AOF_BATCH_SEQ_DIGITS &&
           i != AOF_BATCH_HEADER_PREFIX_BYTES + AOF_BATCH_SEQ_DIGITS + 1 + AOF_BATCH_LEN_DIGITS;
}

/* Every single-byte change either fails to parse or, in a digit, parses to
 * other values; so does every length but the right one. */
START_TEST(test_header_rejects)
{
    uint8_t good[AOF_BATCH_HEADER_BYTES];
    aof_batch_header_format(good, 0x123, 0x456, 0x789abcde);
    char line[AOF_BATCH_HEADER_BYTES + 1];
    struct aof_batch_header h;
    for (size_t i = 0; i < AOF_BATCH_HEADER_BYTES; i++) {
        for (int b = 0; b < 256; b++) {
            if (b == good[i])
                continue;
            memcpy(line, good, AOF_BATCH_HEADER_BYTES);
            line[i] = (char)b;
            bool ok = aof_batch_parse_header(line, AOF_BATCH_HEADER_BYTES, &h);
            bool digit = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');
            if (ok != (test_hex_position(i) && digit))
                ck_abort_msg("byte %zu set to %#x: parse says %d", i, b, ok);
            if (ok)
                TEST_CHECK(h.seq != 0x123 || h.len != 0x456 || h.crc != 0x789abcde);
        }
    }
    memcpy(line, good, AOF_BATCH_HEADER_BYTES);
    TEST_CHECK(aof_batch_parse_header(line, AOF_BATCH_HEADER_BYTES, &h));
    TEST_CHECK(!aof_batch_parse_header(line, AOF_BATCH_HEADER_BYTES - 1, &h));
    line[AOF_BATCH_HEADER_BYTES] = '\n';
    TEST_CHECK(!aof_batch_parse_header(line, AOF_BATCH_HEADER_BYTES + 1, &h));
    static const char *const bad[] = {
        "#ringkv-batch 0000000000000000 00000001 00000000\n", /* seq 0 */
        "#ringkv-batch 000000000000000A 00000001 00000000\n", /* uppercase */
        "#ringkv-batch 0000000000000001 00000001 0000000\r\n",
        "#ringkv-batch  000000000000001 00000001 00000000\n",
        "#ringkv_batch 0000000000000001 00000001 00000000\n",
        "#TS:1700000000                                  \n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_uint_eq(strlen(bad[i]), AOF_BATCH_HEADER_BYTES);
        TEST_CHECK(!aof_batch_parse_header(bad[i], AOF_BATCH_HEADER_BYTES, &h));
    }
    TEST_CHECK(aof_batch_is_header(bad[0], AOF_BATCH_HEADER_PREFIX_BYTES));
    TEST_CHECK(!aof_batch_is_header(bad[0], AOF_BATCH_HEADER_PREFIX_BYTES - 1));
    TEST_CHECK(!aof_batch_is_header(bad[4], AOF_BATCH_HEADER_BYTES));
}
END_TEST

START_TEST(test_padding_lines)
{
    uint8_t line[AOF_BATCH_PAD_BYTES_MAX + 2];
    for (size_t len = AOF_BATCH_PAD_BYTES_MIN; len <= AOF_BATCH_PAD_BYTES_MAX; len++) {
        memset(line, 'x', sizeof(line));
        aof_batch_fill(line, len);
        TEST_CHECK(line[len] == 'x'); /* nothing past len */
        TEST_CHECK(line[0] == '#' && line[len - 1] == '\n');
        TEST_CHECK(memchr(line, '\n', len) == line + len - 1);
        TEST_CHECK(aof_batch_is_padding((const char *)line, len));
        TEST_CHECK(!aof_batch_is_header((const char *)line, len));
        /* Any other byte inside makes it something else. */
        if (len > 2) {
            line[1 + (len - 2) / 2] = '\t';
            TEST_CHECK(!aof_batch_is_padding((const char *)line, len));
        }
    }
    aof_batch_fill(line, 2);
    TEST_CHECK(memcmp(line, "#\n", 2) == 0);
    /* Too short, too long for Redis's line buffer, not ending in '\n',
     * not starting with '#', ending in "\r\n". */
    TEST_CHECK(!aof_batch_is_padding("#", 1));
    TEST_CHECK(!aof_batch_is_padding("\n", 1));
    memset(line, ' ', sizeof(line));
    line[0] = '#';
    line[AOF_BATCH_PAD_BYTES_MAX] = '\n'; /* a 1024-byte line */
    TEST_CHECK(!aof_batch_is_padding((const char *)line, AOF_BATCH_PAD_BYTES_MAX));
    TEST_CHECK(!aof_batch_is_padding((const char *)line, AOF_BATCH_PAD_BYTES_MAX + 1));
    TEST_CHECK(!aof_batch_is_padding("#   ", 4));
    TEST_CHECK(!aof_batch_is_padding("    \n", 5));
    TEST_CHECK(!aof_batch_is_padding("#  \r\n", 5));
    TEST_CHECK(!aof_batch_is_padding("#TS:1\r\n", 7));
}
END_TEST

START_TEST(test_fill_too_short_aborts)
{
    uint8_t line[4];
    aof_batch_fill(line, 1);
}
END_TEST

START_TEST(test_fill_too_long_aborts)
{
    uint8_t line[AOF_BATCH_PAD_BYTES_MAX + 1];
    aof_batch_fill(line, AOF_BATCH_PAD_BYTES_MAX + 1);
}
END_TEST

START_TEST(test_header_seq_zero_aborts)
{
    uint8_t out[AOF_BATCH_HEADER_BYTES];
    aof_batch_header(out, 0, "x", 1);
}
END_TEST

static Suite *aof_batch_suite(void)
{
    Suite *s = suite_create("aof_batch");
    TCase *crc = tcase_create("crc");
    tcase_set_timeout(crc, TEST_TIMEOUT_S);
    tcase_add_test(crc, test_crc_known_vectors);
    tcase_add_test(crc, test_crc_random_and_chained);
    suite_add_tcase(s, crc);

    TCase *lines = tcase_create("lines");
    tcase_set_timeout(lines, TEST_TIMEOUT_S);
    tcase_add_test(lines, test_header_bytes);
    tcase_add_test(lines, test_header_round_trip);
    tcase_add_test(lines, test_header_rejects);
    tcase_add_test(lines, test_padding_lines);
    suite_add_tcase(s, lines);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_fill_too_short_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_fill_too_long_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_header_seq_zero_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(aof_batch_suite)
