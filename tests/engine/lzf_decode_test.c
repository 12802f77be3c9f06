/* lzf_decode_test.c: engine/lzf_decode.c against liblzf's own decoder.
 *
 * Valid streams come from liblzf's compressor over data built to compress
 * (random bytes mixed with copies from short and long distances, long
 * runs, short periods), so every kind of literal run and back reference
 * appears, near both buffers' ends too. Each stream is then damaged many
 * ways (a byte changed, cut short, a byte added, the expected length one
 * off) and both decoders must agree on every one: the same verdict, and
 * the same bytes when it decodes. Buffers are allocated to their exact
 * sizes, so the ASan build catches a read or write past either end. */
#include "engine/lzf_decode.h"
#include "tests/unit.h"

#include <check.h>
#include <lzf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_INPUTS 400
#define TEST_INPUT_BYTES_MAX 70000
#define TEST_DAMAGES_PER_STREAM 40

static struct test_rng rng;

/* Data LZF can shrink: literal stretches and copies of earlier bytes. */
static size_t make_input(unsigned char *buf, size_t cap)
{
    size_t len = 1 + test_rng_below(&rng, cap);
    size_t i = 0;
    while (i < len) {
        size_t kind = test_rng_below(&rng, 4);
        size_t n = 1 + test_rng_below(&rng, kind == 0 ? 40 : 300);
        if (n > len - i)
            n = len - i;
        if (kind == 0 || i == 0) {
            for (size_t j = 0; j < n; j++)
                buf[i + j] = (unsigned char)test_rng_below(&rng, kind == 0 ? 256 : 4);
        } else {
            /* A copy from up to 8 KB back (LZF's reach), byte by byte so
             * a distance shorter than the copy repeats a pattern. */
            size_t back = 1 + test_rng_below(&rng, i < 8192 ? i : 8192);
            for (size_t j = 0; j < n; j++)
                buf[i + j] = buf[i + j - back];
        }
        i += n;
    }
    return len;
}

/* Both decoders on in[0..in_len) with out_len expected: they must agree. */
static void check_agree(const unsigned char *in, size_t in_len, size_t out_len)
{
    unsigned char *in_copy = malloc(in_len ? in_len : 1);
    memcpy(in_copy, in, in_len);
    unsigned char *ours = malloc(out_len ? out_len : 1);
    unsigned char *theirs = malloc(out_len ? out_len : 1);
    bool ok = lzf_decode(in_copy, in_len, ours, out_len);
    unsigned int n = lzf_decompress(in_copy, (unsigned int)in_len, theirs, (unsigned int)out_len);
    /* liblzf returns 0 for an error and for an empty result alike. */
    bool lib_ok = out_len == 0 ? in_len == 0 : n == out_len;
    ck_assert_msg(ok == lib_ok, "in %zu bytes, out %zu: ours %d, liblzf %u bytes", in_len,
                  out_len, ok, n);
    if (ok)
        ck_assert(memcmp(ours, theirs, out_len) == 0);
    free(in_copy);
    free(ours);
    free(theirs);
}

START_TEST(test_valid_streams_match_liblzf)
{
    test_rng_init(&rng, 0x12f0);
    unsigned char *raw = malloc(TEST_INPUT_BYTES_MAX);
    unsigned char *packed = malloc(TEST_INPUT_BYTES_MAX);
    int compressed = 0;
    for (int t = 0; t < TEST_INPUTS; t++) {
        size_t len = make_input(raw, t < 100 ? 64 : TEST_INPUT_BYTES_MAX);
        unsigned int plen = lzf_compress(raw, (unsigned int)len, packed, TEST_INPUT_BYTES_MAX);
        if (plen == 0)
            continue;
        compressed++;
        unsigned char *out = malloc(len);
        ck_assert(lzf_decode(packed, plen, out, len));
        ck_assert(memcmp(out, raw, len) == 0);
        free(out);
        check_agree(packed, plen, len);
    }
    ck_assert_int_gt(compressed, TEST_INPUTS / 2);
    free(raw);
    free(packed);
}
END_TEST

START_TEST(test_damaged_streams_match_liblzf)
{
    test_rng_init(&rng, 0xda3a);
    unsigned char *raw = malloc(TEST_INPUT_BYTES_MAX);
    unsigned char *packed = malloc(TEST_INPUT_BYTES_MAX + 1);
    unsigned char *bad = malloc(TEST_INPUT_BYTES_MAX + 1);
    for (int t = 0; t < TEST_INPUTS / 4; t++) {
        size_t len = make_input(raw, t % 2 ? 200 : 5000);
        unsigned int plen = lzf_compress(raw, (unsigned int)len, packed, TEST_INPUT_BYTES_MAX);
        if (plen == 0)
            continue;
        check_agree(packed, plen, len + 1);
        check_agree(packed, plen, len - 1);
        check_agree(packed, plen, 0);
        for (int d = 0; d < TEST_DAMAGES_PER_STREAM; d++) {
            memcpy(bad, packed, plen);
            size_t blen = plen;
            switch (test_rng_below(&rng, 3)) {
            case 0:
                bad[test_rng_below(&rng, plen)] = (unsigned char)test_rng_next(&rng);
                break;
            case 1:
                blen = test_rng_below(&rng, plen);
                break;
            default:
                bad[blen++] = (unsigned char)test_rng_next(&rng);
                break;
            }
            check_agree(bad, blen, len);
        }
    }
    /* Hand-made: a reference before the start, a literal run past the
     * input, a long reference missing its length byte, an empty stream. */
    static const unsigned char before_start[] = {0x00, 'a', 0x20, 0x05};
    check_agree(before_start, sizeof(before_start), 4);
    static const unsigned char short_run[] = {0x05, 'a', 'b'};
    check_agree(short_run, sizeof(short_run), 6);
    static const unsigned char no_length[] = {0x00, 'a', 0xe0};
    check_agree(no_length, sizeof(no_length), 20);
    check_agree(before_start, 0, 0);
    free(raw);
    free(packed);
    free(bad);
}
END_TEST

static Suite *lzf_decode_suite(void)
{
    Suite *s = suite_create("lzf_decode");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_valid_streams_match_liblzf);
    tcase_add_test(tc, test_damaged_streams_match_liblzf);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(lzf_decode_suite)
