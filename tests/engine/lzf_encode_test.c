/* lzf_encode_test.c: engine/lzf_encode.c, decoded by liblzf.
 *
 * Every output the compressor makes must decode, with liblzf's own
 * lzf_decompress (what redis-server uses) and with lzf_decode, back to the
 * exact input: over inputs built to compress (copies from near and far,
 * runs longer than the longest reference, short periods), over random
 * bytes, and at every output limit near the compressed size, where it
 * must either fit or say 0 without writing past the limit (buffers are
 * allocated to their exact sizes for the ASan build). It must also
 * actually compress: repetitive input shrinks as much as liblzf shrinks it,
 * within a margin. */
#include "engine/lzf_decode.h"
#include "engine/lzf_encode.h"
#include "tests/unit.h"

#include <check.h>
#include <lzf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_INPUTS 600
#define TEST_INPUT_BYTES_MAX 70000

static struct test_rng rng;

static size_t make_input(unsigned char *buf, size_t cap, bool compressible)
{
    size_t len = 1 + test_rng_below(&rng, cap);
    size_t i = 0;
    while (i < len) {
        size_t kind = compressible ? test_rng_below(&rng, 4) : 0;
        size_t n = 1 + test_rng_below(&rng, kind == 0 ? 40 : 600);
        if (n > len - i)
            n = len - i;
        if (kind == 0 || i == 0) {
            for (size_t j = 0; j < n; j++)
                buf[i + j] = (unsigned char)test_rng_below(&rng, 256);
        } else {
            size_t reach = kind == 1 ? 16 : 10000; /* sometimes past LZF's reach */
            size_t back = 1 + test_rng_below(&rng, i < reach ? i : reach);
            for (size_t j = 0; j < n; j++)
                buf[i + j] = buf[i + j - back];
        }
        i += n;
    }
    return len;
}

/* Compresses with out_max exactly, checks both decoders give back in. */
static size_t check_round_trip(const unsigned char *in, size_t len, size_t out_max)
{
    unsigned char *out = malloc(out_max ? out_max : 1);
    size_t n = lzf_encode(in, len, out, out_max);
    ck_assert_uint_le(n, out_max);
    if (n > 0) {
        unsigned char *back = malloc(len);
        unsigned int got = lzf_decompress(out, (unsigned int)n, back, (unsigned int)len);
        ck_assert_msg(got == len, "liblzf decoded %u of %zu bytes", got, len);
        ck_assert(memcmp(back, in, len) == 0);
        memset(back, 0, len);
        ck_assert(lzf_decode(out, n, back, len));
        ck_assert(memcmp(back, in, len) == 0);
        free(back);
    }
    free(out);
    return n;
}

START_TEST(test_outputs_decode_with_liblzf)
{
    test_rng_init(&rng, 0xe4c0);
    unsigned char *raw = malloc(TEST_INPUT_BYTES_MAX);
    unsigned char *ref = malloc(TEST_INPUT_BYTES_MAX * 2);
    size_t ours_total = 0, theirs_total = 0;
    for (int t = 0; t < TEST_INPUTS; t++) {
        bool compressible = t % 5 != 0;
        size_t len = make_input(raw, t < 200 ? 600 : TEST_INPUT_BYTES_MAX, compressible);
        size_t n = check_round_trip(raw, len, len * 2 + 64);
        if (!compressible)
            continue;
        unsigned int theirs = lzf_compress(raw, (unsigned int)len, ref, TEST_INPUT_BYTES_MAX * 2);
        ck_assert(n > 0 && theirs > 0);
        ours_total += n;
        theirs_total += theirs;
        /* Every limit around the compressed size: fits exactly at n. */
        for (size_t limit = n > 3 ? n - 3 : 0; limit <= n + 3; limit++) {
            size_t m = check_round_trip(raw, len, limit);
            ck_assert(limit < n ? m == 0 : m == n);
        }
    }
    /* Within a quarter of liblzf's size over the whole set. */
    ck_assert_msg(ours_total * 4 <= theirs_total * 5, "ours %zu bytes, liblzf %zu", ours_total,
                  theirs_total);
    free(raw);
    free(ref);
}
END_TEST

START_TEST(test_edges)
{
    unsigned char out[600];
    ck_assert_uint_eq(lzf_encode("", 0, out, sizeof(out)), 0);
    /* One byte, two bytes: literals only. */
    check_round_trip((const unsigned char *)"a", 1, 2);
    check_round_trip((const unsigned char *)"ab", 2, 3);
    ck_assert_uint_eq(lzf_encode("a", 1, out, 1), 0);
    /* A run longer than the longest reference, and a period of one. */
    unsigned char run[1000];
    memset(run, 'x', sizeof(run));
    size_t n = check_round_trip(run, sizeof(run), sizeof(run));
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_lt(n, 30);
    /* Listpack-like: field names that differ by a digit. */
    char lp[512];
    size_t len = 0;
    for (int i = 0; len + 16 < sizeof(lp); i++)
        len += (size_t)snprintf(lp + len, sizeof(lp) - len, "field%d\x07", i);
    n = check_round_trip((const unsigned char *)lp, len, len - 4);
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_lt(n, len * 2 / 3);
}
END_TEST

static Suite *lzf_encode_suite(void)
{
    Suite *s = suite_create("lzf_encode");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_outputs_decode_with_liblzf);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(lzf_encode_suite)
