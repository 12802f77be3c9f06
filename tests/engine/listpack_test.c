/* listpack_test.c: unit tests for engine/listpack.c.
 *
 * Three kinds of evidence. Golden blobs: bytes captured once from a real
 * redis-server 7.0.15 (DUMP of lists, hashes and sorted sets, started with
 * --rdbcompression no so the listpack is stored raw) and pasted here as
 * hex; large ones are pinned by length, SHA-1 and header bytes instead.
 * A model: thousands of seeded random operations checked after each step
 * against a plain array of strings, walking both ways. Hostile input:
 * every truncation and many single-byte corruptions of real blobs go
 * through listpack_validate, and whatever it accepts is walked in full, so
 * an out-of-bounds read shows up under the ASan build. */
#include "engine/alloc.h"
#include "engine/listpack.h"
#include "engine/sha1.h"
#include "tests/engine/hex.h"
#include "tests/unit.h"

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The huge-entry and model tests are slow under ASan. */
#define TEST_TIMEOUT_S 300
#define TEST_MODEL_OPS 4000
#define TEST_MODEL_SEEDS 4
/* Keeps the model around a few hundred entries so each full check is cheap. */
#define TEST_MODEL_ENTRIES_SOFT_MAX 300
#define TEST_VALUE_BYTES_MAX 4200

/* ---- Helpers ---- */

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* Returns owned bytes decoded from hex; sets *len. */
static void test_check_hex(const unsigned char *bytes, size_t len, const char *hex)
{
    size_t expected_len;
    unsigned char *expected = test_hex_decode(hex, &expected_len);
    if (len != expected_len || memcmp(bytes, expected, len) != 0) {
        char got[256] = {0};
        for (size_t i = 0; i < len && i < 100; i++)
            snprintf(got + 2 * i, 3, "%02x", bytes[i]);
        alloc_free(expected);
        ck_abort_msg("bytes differ: got %s (len %zu), want %s", got, len, hex);
    }
    alloc_free(expected);
}

static void test_check_sha1(const unsigned char *bytes, size_t len, const char *hex)
{
    uint8_t digest[SHA1_DIGEST_BYTES];
    char got[2 * SHA1_DIGEST_BYTES + 1];
    sha1_bytes(bytes, len, digest);
    sha1_to_hex(digest, got);
    ck_assert_str_eq(got, hex);
}

/* The deterministic filler the golden generator used for big strings. */
static unsigned char *test_pattern(size_t n)
{
    unsigned char *p = alloc_bytes(n + 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)('a' + (i * 7 + n) % 26);
    return p;
}

/* Builds a listpack by appending NUL-terminated strings. */
static unsigned char *test_build(const char *const *items, size_t count)
{
    unsigned char *lp = listpack_new();
    for (size_t i = 0; i < count; i++)
        lp = listpack_append(lp, items[i], strlen(items[i]));
    return lp;
}

static void test_check_text(const unsigned char *p, const void *s, size_t len)
{
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
    size_t got_len;
    const unsigned char *got = listpack_get_text(p, &got_len, buf);
    TEST_CHECK(got_len == len);
    TEST_CHECK(len == 0 || memcmp(got, s, len) == 0);
    TEST_CHECK(listpack_entry_equals(p, s, len));
}

/* Checks lp holds exactly items[0..count) (as text), both ways. */
static void test_check_items(unsigned char *lp, const char *const *items, size_t count)
{
    TEST_CHECK(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));
    TEST_CHECK(listpack_count(lp) == count);
    unsigned char *p = listpack_first(lp);
    for (size_t i = 0; i < count; i++, p = listpack_next(lp, p)) {
        TEST_CHECK(p != NULL);
        test_check_text(p, items[i], strlen(items[i]));
    }
    TEST_CHECK(p == NULL);
    p = listpack_last(lp);
    for (size_t i = count; i-- > 0; p = listpack_prev(lp, p)) {
        TEST_CHECK(p != NULL);
        test_check_text(p, items[i], strlen(items[i]));
    }
    TEST_CHECK(p == NULL);
}

/* Reads one RDB length (6-bit, 14-bit, 32-bit or 64-bit big-endian form). */
static size_t test_rdb_length(const unsigned char *b, size_t *pos)
{
    unsigned char first = b[*pos];
    switch (first >> 6) {
    case 0: *pos += 1; return first & 0x3F;
    case 1: *pos += 2; return ((size_t)(first & 0x3F) << 8) | b[*pos - 1];
    default: break;
    }
    TEST_CHECK(first == 0x80);
    size_t v = ((size_t)b[*pos + 1] << 24) | ((size_t)b[*pos + 2] << 16) |
               ((size_t)b[*pos + 3] << 8) | b[*pos + 4];
    *pos += 5;
    return v;
}

/* ---- Golden data from redis-server 7.0.15 ---- */

/* DUMP of `RPUSH l a 1 300 -5 hello`: type 18 (quicklist 2), 1 node,
 * container 2 (packed), the listpack as an RDB string, RDB version 10 and
 * the CRC-64. */
static const char GOLDEN_DUMP_LIST[] =
    "120102191900000005008161020101c12c02dffb028568656c6c6f06ff0a0081278b1648f5d2fb";

/* DUMP payload (type 16) of `HSET h f v n 12345`. */
static const char GOLDEN_HASH[] = "140000000400816602817602816e02f1393003ff";

/* `HSET hi k0 <ints[0]> k1 <ints[1]> ...` with the strings below: every
 * integer encoding boundary, then strings that must stay strings. */
static const char *const GOLDEN_INTS_VALUES[] = {
    "0", "127", "128", "-1", "-4096", "4095", "4096", "-4097", "32767", "32768", "-32768",
    "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
    "-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808", "007", "-0",
    "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "", "12345678901234567890",
    "-", "0x10", "1.5",
};
static const char GOLDEN_INTS[] =
    "810100004400826b30030001826b31037f01826b3203c08002826b3303dfff02826b3403d00002826b3503cfff"
    "02826b3603f1001003826b3703f1ffef03826b3803f1ff7f03826b3903f200800004836b313004f1008003836b"
    "313104f2ff7fff04836b313204f2ffff7f04836b313304f30000800005836b313404f200008004836b313504f3"
    "ffff7fff05836b313604f3ffffff7f05836b313704f4000000800000000009836b313804f30000008005836b31"
    "3904f4ffffff7fffffffff09836b323004f4ffffffffffffff7f09836b323104f4000000000000008009836b32"
    "32048330303704836b323304822d3003836b323404822b3103836b32350482203103836b32360482312003836b"
    "323704933932323333373230333638353437373538303814836b323804942d3932323333373230333638353437"
    "373538303915836b3239048001836b33300494313233343536373839303132333435363738393015836b333104"
    "812d02836b333204843078313005836b33330483312e3504ff";

/* `ZADD z 1 a 2.5 b -3 c 1e20 d 0.1 e`: members and scores (as Redis
 * formats them) in score order. */
static const char *const GOLDEN_ZSET_ITEMS[] = {
    "c", "-3", "e", "0.10000000000000001", "a", "1", "b", "2.5", "d", "1e+20",
};
static const char GOLDEN_ZSET[] =
    "3c0000000a00816302dffd0281650293302e313030303030303030303030303030303114816102010181620283"
    "322e35048164028531652b323006ff";

/* `HSET x a 1 b hello c 300`, `HSET x b 99999`, `HDEL x a`, `HSET x d ""`. */
static const char GOLDEN_HASH_OPS[] = "1a0000000600816202f29f860104816302c12c028164028001ff";
/* `RPUSH L x y z`, `LINSERT L BEFORE y 12`, `LSET L 0 -70000`, `LREM L 1 z`,
 * `LPUSH L head` (the node's listpack). */
static const char GOLDEN_LIST_OPS[] = "170000000400846865616405f290eefe040c01817902ff";

/* `HSET big f<n> <pattern(n)>` for each n: every backlen size boundary. */
static const size_t GOLDEN_BIG_LENS[] = {
    0, 1, 63, 64, 125, 126, 127, 128, 4095, 4096, 16377, 16378, 16379, 2097145, 2097146,
};
static const size_t GOLDEN_BIG_BYTES = 4252432;
static const char GOLDEN_BIG_SHA1[] = "7673677b33063b86af0dd1b4fb3889a88b0f5175";
static const char GOLDEN_BIG_HEADER[] = "10e340001e00";
/* Encoded size of each entry of `big` and the backlen Redis wrote for it. */
static const struct {
    size_t encoded_bytes;
    const char *backlen;
} GOLDEN_BIG_BACKLENS[] = {
    {3, "03"},          {1, "01"},         {3, "03"},           {2, "02"},
    {4, "04"},          {64, "40"},        {4, "04"},           {66, "42"},
    {5, "05"},          {127, "7f"},       {5, "05"},           {128, "0180"},
    {5, "05"},          {129, "0181"},     {5, "05"},           {130, "0182"},
    {6, "06"},          {4097, "2081"},    {6, "06"},           {4101, "2085"},
    {7, "07"},          {16382, "7ffe"},   {7, "07"},           {16383, "00ffff"},
    {7, "07"},          {16384, "018080"}, {9, "09"},           {2097150, "7ffffe"},
    {9, "09"},          {2097151, "00ffffff"},
};

/* 32768 fields `f<i>` = `<i>`: 65536 entries, so the header count is
 * unknown; then `HDEL many f100`, after which HDEL's length check recounts
 * and stores 65534. */
static const size_t GOLDEN_MANY_BYTES = 377889;
static const char GOLDEN_MANY_SHA1[] = "84656260447dc094a0c5533b67215b8334bc2f3f";
static const char GOLDEN_MANY_HEADER[] = "21c40500ffff";
static const size_t GOLDEN_MANY_AFTER_BYTES = 377881;
static const char GOLDEN_MANY_AFTER_SHA1[] = "36a69d58b6e1636dda61f6f7f821394fde46d42c";
static const char GOLDEN_MANY_AFTER_HEADER[] = "19c40500feff";

/* `HSET huge f <pattern(n)>` at the 4/5-byte backlen boundary. */
static const struct {
    size_t len;
    size_t blob_bytes;
    const char *sha1;
    const char *head;    /* header + first entry + start of the value */
    const char *tail;    /* last 8 bytes: value end, backlen, terminator */
} GOLDEN_HUGE[] = {
    {268435449, 268435468, "d41ae7bb8fb5efffab5d92c387b9e861d8868b98",
     "0c0000100200816602f0f9ffff0f6a71", "7a676e7ffffffeff"},
    {268435450, 268435470, "07c131a8ab6d1b098b1c7dd854f3bbf726858559",
     "0e0000100200816602f0faffff0f6b72", "6f7600ffffffffff"},
};

/* ---- Golden comparisons ---- */

START_TEST(test_golden_dump_list)
{
    size_t dump_len;
    unsigned char *dump = test_hex_decode(GOLDEN_DUMP_LIST, &dump_len);
    size_t pos = 0;
    ck_assert_uint_eq(dump[pos++], 18);            /* RDB_TYPE_LIST_QUICKLIST_2 */
    ck_assert_uint_eq(test_rdb_length(dump, &pos), 1); /* nodes */
    ck_assert_uint_eq(test_rdb_length(dump, &pos), 2); /* container: packed */
    size_t blob_len = test_rdb_length(dump, &pos);
    const unsigned char *blob = dump + pos;
    ck_assert_uint_eq(pos + blob_len + 2 + 8, dump_len);
    ck_assert_uint_eq(blob[blob_len], 10); /* RDB version 10, little-endian */
    ck_assert_uint_eq(blob[blob_len + 1], 0);

    ck_assert(listpack_validate(blob, blob_len, true, NULL, NULL));
    const char *const items[] = {"a", "1", "300", "-5", "hello"};
    unsigned char *lp = test_build(items, 5);
    ck_assert_uint_eq(listpack_bytes(lp), blob_len);
    ck_assert(memcmp(lp, blob, blob_len) == 0);
    test_check_items(lp, items, 5);

    /* The blob as loaded reads the same, with integers as integers. */
    unsigned char *loaded = listpack_from_bytes(blob, blob_len);
    struct listpack_entry e;
    listpack_get(listpack_seek(loaded, 0), &e);
    ck_assert(e.str != NULL && e.len == 1 && e.str[0] == 'a');
    listpack_get(listpack_seek(loaded, 2), &e);
    ck_assert(e.str == NULL && e.integer == 300);
    listpack_get(listpack_seek(loaded, -2), &e);
    ck_assert(e.str == NULL && e.integer == -5);
    listpack_free(loaded);
    listpack_free(lp);
    alloc_free(dump);
}
END_TEST

START_TEST(test_golden_hash)
{
    const char *const items[] = {"f", "v", "n", "12345"};
    unsigned char *lp = test_build(items, 4);
    test_check_hex(lp, listpack_bytes(lp), GOLDEN_HASH);
    test_check_items(lp, items, 4);
    listpack_free(lp);
}
END_TEST

START_TEST(test_golden_integer_boundaries)
{
    size_t n = sizeof(GOLDEN_INTS_VALUES) / sizeof(GOLDEN_INTS_VALUES[0]);
    const char *items[2 * 64];
    char fields[64][8];
    ck_assert_uint_le(n, 64);
    for (size_t i = 0; i < n; i++) {
        snprintf(fields[i], sizeof(fields[i]), "k%zu", i);
        items[2 * i] = fields[i];
        items[2 * i + 1] = GOLDEN_INTS_VALUES[i];
    }
    unsigned char *lp = test_build(items, 2 * n);
    test_check_hex(lp, listpack_bytes(lp), GOLDEN_INTS);
    test_check_items(lp, items, 2 * n);
    listpack_free(lp);
}
END_TEST

START_TEST(test_golden_zset)
{
    size_t n = sizeof(GOLDEN_ZSET_ITEMS) / sizeof(GOLDEN_ZSET_ITEMS[0]);
    unsigned char *lp = test_build(GOLDEN_ZSET_ITEMS, n);
    test_check_hex(lp, listpack_bytes(lp), GOLDEN_ZSET);
    test_check_items(lp, GOLDEN_ZSET_ITEMS, n);
    listpack_free(lp);
}
END_TEST

/* Replays the hash and list commands with the operations their type code
 * will use, and gets Redis's bytes. */
START_TEST(test_golden_operations)
{
    const char *const start[] = {"a", "1", "b", "hello", "c", "300"};
    unsigned char *lp = test_build(start, 6);
    unsigned char *p = listpack_find(lp, listpack_first(lp), "b", 1, 1);
    ck_assert_ptr_nonnull(p);
    p = listpack_next(lp, p);
    lp = listpack_replace(lp, &p, "99999", 5);
    test_check_text(p, "99999", 5);
    p = listpack_find(lp, listpack_first(lp), "a", 1, 1);
    lp = listpack_delete_range_at(lp, &p, 2);
    lp = listpack_append(lp, "d", 1);
    lp = listpack_append(lp, "", 0);
    test_check_hex(lp, listpack_bytes(lp), GOLDEN_HASH_OPS);
    listpack_free(lp);

    const char *const list[] = {"x", "y", "z"};
    lp = test_build(list, 3);
    unsigned char *newp = NULL;
    p = listpack_find(lp, listpack_first(lp), "y", 1, 0);
    lp = listpack_insert(lp, p, LISTPACK_BEFORE, "12", 2, &newp);
    test_check_text(newp, "12", 2);
    p = listpack_seek(lp, 0);
    lp = listpack_replace_integer(lp, &p, -70000);
    p = listpack_find(lp, listpack_first(lp), "z", 1, 0);
    lp = listpack_delete(lp, p, &newp);
    ck_assert_ptr_null(newp); /* z was last */
    lp = listpack_prepend(lp, "head", 4);
    test_check_hex(lp, listpack_bytes(lp), GOLDEN_LIST_OPS);
    const char *const final[] = {"head", "-70000", "12", "y"};
    test_check_items(lp, final, 4);
    listpack_free(lp);
}
END_TEST

START_TEST(test_golden_backlen_boundaries)
{
    size_t n = sizeof(GOLDEN_BIG_LENS) / sizeof(GOLDEN_BIG_LENS[0]);
    unsigned char *lp = listpack_new();
    for (size_t i = 0; i < n; i++) {
        char field[16];
        int flen = snprintf(field, sizeof(field), "f%zu", GOLDEN_BIG_LENS[i]);
        unsigned char *value = test_pattern(GOLDEN_BIG_LENS[i]);
        size_t before = listpack_bytes(lp);
        lp = listpack_append(lp, field, (size_t)flen);
        lp = listpack_append(lp, value, GOLDEN_BIG_LENS[i]);
        ck_assert_uint_eq(listpack_bytes(lp) - before,
                          listpack_entry_bytes(field, (size_t)flen) +
                              listpack_entry_bytes(value, GOLDEN_BIG_LENS[i]));
        alloc_free(value);
    }
    ck_assert_uint_eq(listpack_bytes(lp), GOLDEN_BIG_BYTES);
    test_check_hex(lp, LISTPACK_HEADER_BYTES, GOLDEN_BIG_HEADER);
    test_check_sha1(lp, listpack_bytes(lp), GOLDEN_BIG_SHA1);
    ck_assert(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));

    /* Each entry's backlen, found by walking forward... */
    unsigned char *p = listpack_first(lp);
    for (size_t i = 0; i < 2 * n; i++) {
        unsigned char *q = listpack_next(lp, p);
        const unsigned char *end = q != NULL ? q : lp + listpack_bytes(lp) - 1;
        size_t encoded = GOLDEN_BIG_BACKLENS[i].encoded_bytes;
        test_check_hex(p + encoded, (size_t)(end - p) - encoded, GOLDEN_BIG_BACKLENS[i].backlen);
        p = q;
    }
    ck_assert_ptr_null(p);
    /* ...and the values read back walking backward. */
    p = listpack_last(lp);
    for (size_t i = n; i-- > 0;) {
        unsigned char *value = test_pattern(GOLDEN_BIG_LENS[i]);
        test_check_text(p, value, GOLDEN_BIG_LENS[i]);
        alloc_free(value);
        p = listpack_prev(lp, listpack_prev(lp, p));
    }
    ck_assert_ptr_null(p);
    listpack_free(lp);
}
END_TEST

START_TEST(test_golden_huge_entries)
{
    for (size_t i = 0; i < 2; i++) {
        unsigned char *value = test_pattern(GOLDEN_HUGE[i].len);
        unsigned char *lp = listpack_new();
        lp = listpack_append(lp, "f", 1);
        lp = listpack_append(lp, value, GOLDEN_HUGE[i].len);
        size_t bytes = listpack_bytes(lp);
        ck_assert_uint_eq(bytes, GOLDEN_HUGE[i].blob_bytes);
        test_check_hex(lp, 16, GOLDEN_HUGE[i].head);
        test_check_hex(lp + bytes - 8, 8, GOLDEN_HUGE[i].tail);
        test_check_sha1(lp, bytes, GOLDEN_HUGE[i].sha1);
        ck_assert(listpack_validate(lp, bytes, true, NULL, NULL));
        unsigned char *last = listpack_last(lp);
        ck_assert_ptr_eq(last, lp + LISTPACK_HEADER_BYTES + 3);
        ck_assert_ptr_eq(listpack_prev(lp, last), lp + LISTPACK_HEADER_BYTES);
        struct listpack_entry e;
        listpack_get(last, &e);
        ck_assert_uint_eq(e.len, GOLDEN_HUGE[i].len);
        ck_assert(memcmp(e.str, value, e.len) == 0);
        listpack_free(lp);
        alloc_free(value);
    }
}
END_TEST

START_TEST(test_golden_unknown_count)
{
    unsigned char *lp = listpack_new();
    for (long i = 0; i < 32768; i++) {
        char field[16];
        int len = snprintf(field, sizeof(field), "f%ld", i);
        lp = listpack_append(lp, field, (size_t)len);
        lp = listpack_append_integer(lp, i);
    }
    ck_assert_uint_eq(listpack_bytes(lp), GOLDEN_MANY_BYTES);
    test_check_hex(lp, LISTPACK_HEADER_BYTES, GOLDEN_MANY_HEADER);
    test_check_sha1(lp, listpack_bytes(lp), GOLDEN_MANY_SHA1);
    ck_assert(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));

    /* HDEL: find the field, delete the pair; the header stays unknown
     * until the length check recounts and stores it. */
    unsigned char *p = listpack_find(lp, listpack_first(lp), "f100", 4, 1);
    ck_assert_ptr_nonnull(p);
    lp = listpack_delete_range_at(lp, &p, 2);
    test_check_text(p, "f101", 4);
    test_check_hex(lp + 4, 2, "ffff");
    ck_assert_uint_eq(listpack_count(lp), 65534);
    ck_assert_uint_eq(listpack_bytes(lp), GOLDEN_MANY_AFTER_BYTES);
    test_check_hex(lp, LISTPACK_HEADER_BYTES, GOLDEN_MANY_AFTER_HEADER);
    test_check_sha1(lp, listpack_bytes(lp), GOLDEN_MANY_AFTER_SHA1);
    listpack_free(lp);
}
END_TEST

/* ---- Encodings ---- */

/* Each value's whole entry (encoding + data + backlen), from Redis's
 * bytes above. */
static const struct {
    long long value;
    const char *entry;
} INTEGER_ENTRIES[] = {
    {0, "0001"},
    {127, "7f01"},
    {128, "c08002"},
    {-1, "dfff02"},
    {-4096, "d00002"},
    {4095, "cfff02"},
    {4096, "f1001003"},
    {-4097, "f1ffef03"},
    {32767, "f1ff7f03"},
    {-32768, "f1008003"},
    {32768, "f200800004"},
    {-32769, "f2ff7fff04"},
    {8388607, "f2ffff7f04"},
    {-8388608, "f200008004"},
    {8388608, "f30000800005"},
    {-8388609, "f3ffff7fff05"},
    {2147483647, "f3ffffff7f05"},
    {-2147483647 - 1, "f30000008005"},
    {2147483648LL, "f4000000800000000009"},
    {-2147483649LL, "f4ffffff7fffffffff09"},
    {LLONG_MAX, "f4ffffffffffffff7f09"},
    {LLONG_MIN, "f4000000000000008009"},
};

START_TEST(test_integer_encodings)
{
    for (size_t i = 0; i < sizeof(INTEGER_ENTRIES) / sizeof(INTEGER_ENTRIES[0]); i++) {
        long long v = INTEGER_ENTRIES[i].value;
        char text[LISTPACK_INTEGER_TEXT_BYTES];
        int text_len = snprintf(text, sizeof(text), "%lld", v);
        unsigned char *a = listpack_append_integer(listpack_new(), v);
        unsigned char *b = listpack_append(listpack_new(), text, (size_t)text_len);
        unsigned char *c = listpack_prepend_integer(listpack_new(), v);
        size_t entry_len = listpack_bytes(a) - LISTPACK_HEADER_BYTES - 1;
        test_check_hex(a + LISTPACK_HEADER_BYTES, entry_len, INTEGER_ENTRIES[i].entry);
        ck_assert_uint_eq(listpack_bytes(a), listpack_bytes(b));
        ck_assert(memcmp(a, b, listpack_bytes(a)) == 0);
        ck_assert(memcmp(a, c, listpack_bytes(a)) == 0);
        ck_assert_uint_eq(listpack_entry_bytes_integer(v), entry_len);
        ck_assert_uint_eq(listpack_entry_bytes(text, (size_t)text_len), entry_len);

        struct listpack_entry e;
        listpack_get(listpack_first(a), &e);
        ck_assert_ptr_null(e.str);
        ck_assert(e.integer == v);
        test_check_text(listpack_first(a), text, (size_t)text_len);
        ck_assert(listpack_validate(a, listpack_bytes(a), true, NULL, NULL));
        listpack_free(a);
        listpack_free(b);
        listpack_free(c);
    }
}
END_TEST

START_TEST(test_non_canonical_integers_stay_strings)
{
    const char *const texts[] = {"007", "-0", "+1", " 1", "1 ", "9223372036854775808",
                                 "-9223372036854775809", "", "-", "0x10", "1.5", "1e3", "00"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t len = strlen(texts[i]);
        unsigned char *lp = listpack_append(listpack_new(), texts[i], len);
        struct listpack_entry e;
        listpack_get(listpack_first(lp), &e);
        ck_assert_ptr_nonnull(e.str);
        ck_assert_uint_eq(e.len, len);
        ck_assert(memcmp(e.str, texts[i], len) == 0);
        ck_assert_uint_eq(lp[LISTPACK_HEADER_BYTES], 0x80 | len);
        listpack_free(lp);
    }
}
END_TEST

START_TEST(test_string_encodings)
{
    static const struct {
        size_t len;
        const char *head;
    } cases[] = {
        {0, "80"}, {1, "81"}, {63, "bf"}, {64, "e040"}, {4095, "efff"}, {4096, "f000100000"},
        {65536, "f000000100"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char *s = test_pattern(cases[i].len);
        unsigned char *lp = listpack_append(listpack_new(), s, cases[i].len);
        size_t head_len = strlen(cases[i].head) / 2;
        test_check_hex(lp + LISTPACK_HEADER_BYTES, head_len, cases[i].head);
        size_t entry = listpack_bytes(lp) - LISTPACK_HEADER_BYTES - 1;
        ck_assert_uint_eq(listpack_entry_bytes(s, cases[i].len), entry);
        test_check_text(listpack_first(lp), s, cases[i].len);
        ck_assert_ptr_eq(listpack_last(lp), listpack_first(lp));
        listpack_free(lp);
        alloc_free(s);
    }
}
END_TEST

START_TEST(test_empty)
{
    unsigned char *lp = listpack_new();
    test_check_hex(lp, listpack_bytes(lp), "0700000000" "00ff");
    ck_assert_uint_eq(listpack_count(lp), 0);
    ck_assert_ptr_null(listpack_first(lp));
    ck_assert_ptr_null(listpack_last(lp));
    ck_assert_ptr_null(listpack_seek(lp, 0));
    ck_assert_ptr_null(listpack_seek(lp, -1));
    ck_assert(listpack_validate(lp, 7, true, NULL, NULL));
    ck_assert(listpack_validate(lp, 7, false, NULL, NULL));
    lp = listpack_delete_range(lp, 0, 5);
    ck_assert_uint_eq(listpack_bytes(lp), 7);
    listpack_free(lp);
    listpack_free(NULL);
}
END_TEST

START_TEST(test_find_with_skip)
{
    const char *const items[] = {"name", "v", "v", "12345", "12345", "x", "-7", "name"};
    unsigned char *lp = test_build(items, 8);
    unsigned char *first = listpack_first(lp);
    /* Fields only (skip 1): "v" is a value, so the field search misses it. */
    ck_assert_ptr_eq(listpack_find(lp, first, "v", 1, 1), listpack_seek(lp, 2));
    ck_assert_ptr_eq(listpack_find(lp, first, "12345", 5, 1), listpack_seek(lp, 4));
    ck_assert_ptr_null(listpack_find(lp, first, "x", 1, 1));
    /* Values only: start at the first value. */
    ck_assert_ptr_eq(listpack_find(lp, listpack_next(lp, first), "x", 1, 1),
                     listpack_seek(lp, 5));
    ck_assert_ptr_eq(listpack_find(lp, listpack_next(lp, first), "name", 4, 1),
                     listpack_seek(lp, 7));
    /* Integer entries match only their canonical text. */
    ck_assert_ptr_eq(listpack_find(lp, first, "12345", 5, 0), listpack_seek(lp, 3));
    ck_assert_ptr_null(listpack_find(lp, first, "012345", 6, 0));
    ck_assert_ptr_null(listpack_find(lp, first, "+12345", 6, 0));
    ck_assert_ptr_eq(listpack_find(lp, first, "-7", 2, 0), listpack_seek(lp, 6));
    ck_assert_ptr_null(listpack_find(lp, first, "-07", 3, 0));
    ck_assert_ptr_null(listpack_find(lp, first, "", 0, 0));
    ck_assert(!listpack_entry_equals(listpack_seek(lp, 3), "1234", 4));
    listpack_free(lp);
}
END_TEST

START_TEST(test_delete_range_edges)
{
    const char *const items[] = {"0", "1", "2", "3", "4", "5", "6", "7"};
    unsigned char *lp = test_build(items, 8);
    lp = listpack_delete_range(lp, 8, 1);  /* out of range: no change */
    lp = listpack_delete_range(lp, -9, 1); /* out of range: no change */
    lp = listpack_delete_range(lp, 3, 0);  /* nothing */
    test_check_items(lp, items, 8);
    lp = listpack_delete_range(lp, -3, 2); /* 5, 6 */
    const char *const a[] = {"0", "1", "2", "3", "4", "7"};
    test_check_items(lp, a, 6);
    lp = listpack_delete_range(lp, 4, 100); /* 4, 7: through the end */
    const char *const b[] = {"0", "1", "2", "3"};
    test_check_items(lp, b, 4);
    unsigned char *p = listpack_seek(lp, 2);
    lp = listpack_delete_range_at(lp, &p, 10); /* 2, 3 */
    ck_assert_ptr_null(p);
    const char *const c[] = {"0", "1"};
    test_check_items(lp, c, 2);
    p = listpack_first(lp);
    lp = listpack_delete(lp, p, &p);
    test_check_text(p, "1", 1);
    lp = listpack_delete(lp, p, &p);
    ck_assert_ptr_null(p);
    test_check_items(lp, NULL, 0);
    listpack_free(lp);
}
END_TEST

START_TEST(test_unknown_count_transitions)
{
    unsigned char *lp = listpack_new();
    for (long i = 0; i < 65534; i++)
        lp = listpack_append_integer(lp, i % 100);
    test_check_hex(lp + 4, 2, "feff");
    lp = listpack_append_integer(lp, 1);
    test_check_hex(lp + 4, 2, "ffff"); /* 65535 entries: unknown */
    lp = listpack_prepend(lp, "first", 5);
    ck_assert_uint_eq(listpack_count(lp), 65536);
    test_check_hex(lp + 4, 2, "ffff"); /* does not fit: stays unknown */

    /* Seeking without a count walks from the end for negative indexes. */
    test_check_text(listpack_seek(lp, 0), "first", 5);
    test_check_text(listpack_seek(lp, -1), "1", 1);
    test_check_text(listpack_seek(lp, -65536), "first", 5);
    ck_assert_ptr_null(listpack_seek(lp, -65537));
    ck_assert_ptr_null(listpack_seek(lp, 65536));

    unsigned char *p = listpack_first(lp);
    lp = listpack_delete(lp, p, NULL);
    test_check_hex(lp + 4, 2, "ffff"); /* deletes do not recount */
    ck_assert_uint_eq(listpack_count(lp), 65535);
    test_check_hex(lp + 4, 2, "ffff");
    lp = listpack_delete(lp, listpack_last(lp), NULL);
    ck_assert_uint_eq(listpack_count(lp), 65534);
    test_check_hex(lp + 4, 2, "feff"); /* fits again: written back */

    /* listpack_delete_range stores the recomputed count. */
    lp = listpack_append(lp, "a", 1);
    lp = listpack_append(lp, "b", 1);
    test_check_hex(lp + 4, 2, "ffff");
    lp = listpack_delete_range(lp, 10, 6);
    test_check_hex(lp + 4, 2, "faff");
    ck_assert(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));
    listpack_free(lp);
}
END_TEST

START_TEST(test_estimates)
{
    ck_assert_uint_eq(listpack_entry_bytes("", 0), 2);
    ck_assert_uint_eq(listpack_entry_bytes("hello", 5), 7);
    ck_assert_uint_eq(listpack_entry_bytes("12345", 5), 4);
    ck_assert(listpack_safe_to_add(NULL, LISTPACK_SAFETY_BYTES_MAX));
    ck_assert(!listpack_safe_to_add(NULL, LISTPACK_SAFETY_BYTES_MAX + 1));
    unsigned char *lp = listpack_new();
    ck_assert(listpack_safe_to_add(lp, LISTPACK_SAFETY_BYTES_MAX - 7));
    ck_assert(!listpack_safe_to_add(lp, LISTPACK_SAFETY_BYTES_MAX - 6));
    ck_assert(!listpack_safe_to_add(lp, SIZE_MAX));
    listpack_free(lp);
}
END_TEST

/* ---- Model test ---- */

struct test_value {
    unsigned char *bytes; /* owned */
    size_t len;
};

struct test_model {
    struct test_value *items; /* owned */
    size_t count;
    size_t capacity;
};

static const long long TEST_INTERESTING[] = {
    0, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, 32768, -32768, -32769, 8388607,
    8388608, -8388608, -8388609, 2147483647, 2147483648LL, -2147483648LL, -2147483649LL,
    LLONG_MAX, LLONG_MIN,
};

/* A random value, as the canonical text the listpack will read back. */
static struct test_value test_random_value(bool *as_integer, long long *integer)
{
    struct test_value v;
    v.bytes = alloc_bytes(TEST_VALUE_BYTES_MAX);
    *as_integer = false;
    size_t kind = test_rng_below(&rng, 10);
    if (kind < 4) {
        long long x;
        if (kind == 0)
            x = (long long)test_rng_next(&rng);
        else if (kind == 1)
            x = TEST_INTERESTING[test_rng_below(&rng,
                                                sizeof(TEST_INTERESTING) / sizeof(long long))];
        else
            x = (long long)test_rng_below(&rng, 20000) - 10000;
        v.len = (size_t)snprintf((char *)v.bytes, TEST_VALUE_BYTES_MAX, "%lld", x);
        *as_integer = test_rng_below(&rng, 2) == 0;
        *integer = x;
    } else if (kind == 4) {
        /* Integer-looking text that is not canonical. */
        static const char *const odd[] = {"007", "-0", "+3", "1 ", "99999999999999999999", "-"};
        const char *s = odd[test_rng_below(&rng, 6)];
        v.len = strlen(s);
        memcpy(v.bytes, s, v.len);
    } else {
        size_t r = test_rng_below(&rng, 100);
        size_t len = r < 70 ? test_rng_below(&rng, 70) : r < 95 ? 60 + test_rng_below(&rng, 80)
                                                            : 4085 + test_rng_below(&rng, 20);
        /* Any byte, 0x00 and 0xFF included: data never looks like EOF. */
        for (size_t i = 0; i < len; i++)
            v.bytes[i] = (unsigned char)test_rng_next(&rng);
        /* Short random text can be canonical integer text ("7"); it is
         * then stored as an integer and reads back as the same text. */
        v.len = len;
    }
    return v;
}

static void test_model_insert(struct test_model *m, size_t index, struct test_value v)
{
    if (m->count == m->capacity) {
        m->capacity = m->capacity ? 2 * m->capacity : 64;
        m->items = alloc_resize(m->items, m->capacity * sizeof(*m->items));
    }
    memmove(&m->items[index + 1], &m->items[index], (m->count - index) * sizeof(*m->items));
    m->items[index] = v;
    m->count++;
}

static void test_model_erase(struct test_model *m, size_t index, size_t n)
{
    for (size_t i = index; i < index + n; i++)
        alloc_free(m->items[i].bytes);
    memmove(&m->items[index], &m->items[index + n],
            (m->count - index - n) * sizeof(*m->items));
    m->count -= n;
}

static void test_model_check(unsigned char *lp, const struct test_model *m)
{
    TEST_CHECK(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));
    TEST_CHECK(listpack_count(lp) == m->count);
    unsigned char *p = listpack_first(lp);
    for (size_t i = 0; i < m->count; i++, p = listpack_next(lp, p)) {
        TEST_CHECK(p != NULL);
        test_check_text(p, m->items[i].bytes, m->items[i].len);
    }
    TEST_CHECK(p == NULL);
    p = listpack_last(lp);
    for (size_t i = m->count; i-- > 0; p = listpack_prev(lp, p)) {
        TEST_CHECK(p != NULL);
        test_check_text(p, m->items[i].bytes, m->items[i].len);
    }
    TEST_CHECK(p == NULL);
}

/* The bytes depend only on the entries: rebuilding by appends matches. */
static void test_model_check_canonical(const unsigned char *lp, const struct test_model *m)
{
    unsigned char *fresh = listpack_new();
    for (size_t i = 0; i < m->count; i++)
        fresh = listpack_append(fresh, m->items[i].bytes, m->items[i].len);
    TEST_CHECK(listpack_bytes(fresh) == listpack_bytes(lp));
    TEST_CHECK(memcmp(fresh, lp, listpack_bytes(lp)) == 0);
    listpack_free(fresh);
}

/* A value inserted next to a random position, by one of the four calls. */
static unsigned char *test_model_step_insert(unsigned char *lp, struct test_model *m)
{
    bool as_integer;
    long long integer = 0;
    struct test_value v = test_random_value(&as_integer, &integer);
    size_t choice = m->count == 0 ? test_rng_below(&rng, 2) : test_rng_below(&rng, 4);
    if (choice == 0) {
        lp = as_integer ? listpack_append_integer(lp, integer) : listpack_append(lp, v.bytes, v.len);
        test_model_insert(m, m->count, v);
    } else if (choice == 1) {
        lp = as_integer ? listpack_prepend_integer(lp, integer) : listpack_prepend(lp, v.bytes, v.len);
        test_model_insert(m, 0, v);
    } else {
        size_t index = test_rng_below(&rng, m->count);
        enum listpack_where where = choice == 2 ? LISTPACK_BEFORE : LISTPACK_AFTER;
        unsigned char *p = listpack_seek(lp, (long)index);
        unsigned char *newp = NULL;
        lp = as_integer ? listpack_insert_integer(lp, p, where, integer, &newp)
                        : listpack_insert(lp, p, where, v.bytes, v.len, &newp);
        size_t at = index + (where == LISTPACK_AFTER);
        test_check_text(newp, v.bytes, v.len);
        TEST_CHECK(newp == listpack_seek(lp, (long)at));
        test_model_insert(m, at, v);
    }
    return lp;
}

static unsigned char *test_model_step_replace(unsigned char *lp, struct test_model *m)
{
    bool as_integer;
    long long integer = 0;
    struct test_value v = test_random_value(&as_integer, &integer);
    size_t index = test_rng_below(&rng, m->count);
    long seek = test_rng_below(&rng, 2) ? (long)index : (long)index - (long)m->count;
    unsigned char *p = listpack_seek(lp, seek);
    lp = as_integer ? listpack_replace_integer(lp, &p, integer) : listpack_replace(lp, &p, v.bytes, v.len);
    test_check_text(p, v.bytes, v.len);
    alloc_free(m->items[index].bytes);
    m->items[index] = v;
    return lp;
}

static unsigned char *test_model_step_delete(unsigned char *lp, struct test_model *m)
{
    size_t index = test_rng_below(&rng, m->count);
    size_t n = 1 + test_rng_below(&rng, 4);
    size_t kind = test_rng_below(&rng, 3);
    if (kind == 0) {
        unsigned char *next = NULL;
        lp = listpack_delete(lp, listpack_seek(lp, (long)index), &next);
        n = 1;
        TEST_CHECK(next == (index + 1 < m->count ? listpack_seek(lp, (long)index) : NULL));
    } else if (kind == 1) {
        unsigned char *p = listpack_seek(lp, (long)index);
        lp = listpack_delete_range_at(lp, &p, n);
        if (n > m->count - index)
            n = m->count - index;
        TEST_CHECK(p == (index + n < m->count ? listpack_seek(lp, (long)index) : NULL));
    } else {
        long start = test_rng_below(&rng, 2) ? (long)index : (long)index - (long)m->count;
        lp = listpack_delete_range(lp, start, n);
        if (n > m->count - index)
            n = m->count - index;
    }
    test_model_erase(m, index, n);
    return lp;
}

/* Checks listpack_find against a linear search of the model. */
static void test_model_step_find(unsigned char *lp, const struct test_model *m)
{
    if (m->count == 0)
        return;
    const struct test_value *needle = &m->items[test_rng_below(&rng, m->count)];
    unsigned skip = (unsigned)test_rng_below(&rng, 3);
    size_t start = test_rng_below(&rng, m->count);
    size_t expected = SIZE_MAX;
    for (size_t i = start; i < m->count; i += skip + 1) {
        if (m->items[i].len == needle->len && memcmp(m->items[i].bytes, needle->bytes, needle->len) == 0) {
            expected = i;
            break;
        }
    }
    unsigned char *got = listpack_find(lp, listpack_seek(lp, (long)start), needle->bytes, needle->len, skip);
    TEST_CHECK(got == (expected == SIZE_MAX ? NULL : listpack_seek(lp, (long)expected)));
}

START_TEST(test_random_model)
{
    for (uint64_t seed = 1; seed <= TEST_MODEL_SEEDS; seed++) {
        test_rng_init(&rng, seed * 0x9e3779b97f4a7c15ULL);
        struct test_model m = {0};
        unsigned char *lp = listpack_new();
        for (size_t op = 0; op < TEST_MODEL_OPS; op++) {
            size_t r = test_rng_below(&rng, 100);
            bool grow = m.count < TEST_MODEL_ENTRIES_SOFT_MAX;
            if (m.count == 0 || r < (grow ? 45 : 25))
                lp = test_model_step_insert(lp, &m);
            else if (r < 65)
                lp = test_model_step_replace(lp, &m);
            else if (r < 90)
                lp = test_model_step_delete(lp, &m);
            else
                test_model_step_find(lp, &m);
            test_model_check(lp, &m);
            if (op % 64 == 0)
                test_model_check_canonical(lp, &m);
        }
        test_model_check_canonical(lp, &m);
        test_model_erase(&m, 0, m.count);
        alloc_free(m.items);
        listpack_free(lp);
    }
}
END_TEST

/* ---- Untrusted input ---- */

/* Walks an accepted blob every way a caller could, to flush out reads
 * outside it (ASan) or asserts on something validate let through. */
static void test_walk_accepted(const unsigned char *blob, size_t len)
{
    unsigned char *lp = listpack_from_bytes(blob, len);
    size_t count = listpack_count(lp);
    size_t forward = 0, backward = 0;
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
    size_t text_len;
    for (unsigned char *p = listpack_first(lp); p != NULL; p = listpack_next(lp, p), forward++)
        TEST_CHECK(listpack_get_text(p, &text_len, buf) != NULL);
    for (unsigned char *p = listpack_last(lp); p != NULL; p = listpack_prev(lp, p), backward++)
        TEST_CHECK(listpack_get_text(p, &text_len, buf) != NULL);
    TEST_CHECK(forward == count);
    TEST_CHECK(backward == count);
    if (count > 0) {
        listpack_find(lp, listpack_first(lp), "zz", 2, 0);
        lp = listpack_delete_range(lp, 0, 1);
        lp = listpack_append(lp, "x", 1);
        TEST_CHECK(listpack_validate(lp, listpack_bytes(lp), true, NULL, NULL));
    }
    listpack_free(lp);
}

/* A blob mixing every encoding and backlen sizes 1 and 2. */
static unsigned char *test_rich_blob(void)
{
    unsigned char *lp = listpack_new();
    for (size_t i = 0; i < sizeof(INTEGER_ENTRIES) / sizeof(INTEGER_ENTRIES[0]); i++)
        lp = listpack_append_integer(lp, INTEGER_ENTRIES[i].value);
    size_t lens[] = {0, 5, 63, 64, 126, 300};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        unsigned char *s = test_pattern(lens[i]);
        lp = listpack_append(lp, s, lens[i]);
        alloc_free(s);
    }
    return lp;
}

START_TEST(test_validate_truncated)
{
    unsigned char *lp = test_rich_blob();
    size_t bytes = listpack_bytes(lp);
    ck_assert(listpack_validate(lp, bytes, true, NULL, NULL));
    for (size_t len = 0; len < bytes; len++) {
        /* An exact-size copy, so reading past len is an ASan error. */
        unsigned char *copy = alloc_bytes(len ? len : 1);
        memcpy(copy, lp, len);
        TEST_CHECK(!listpack_validate(copy, len, true, NULL, NULL));
        TEST_CHECK(!listpack_validate(copy, len, false, NULL, NULL));
        /* The same prefix with its header and terminator patched to look
         * whole: entries are cut mid-way, and must still be caught. */
        if (len >= LISTPACK_HEADER_BYTES + 1) {
            copy[0] = (unsigned char)len;
            copy[1] = (unsigned char)(len >> 8);
            copy[2] = copy[3] = 0;
            copy[4] = copy[5] = 0xFF;
            copy[len - 1] = LISTPACK_EOF;
            if (listpack_validate(copy, len, true, NULL, NULL))
                test_walk_accepted(copy, len);
        }
        alloc_free(copy);
    }
    listpack_free(lp);
}
END_TEST

START_TEST(test_validate_corrupted_bytes)
{
    unsigned char *lp = test_rich_blob();
    size_t bytes = listpack_bytes(lp);
    static const unsigned char masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF, 0x7F};
    unsigned char *copy = alloc_bytes(bytes);
    size_t accepted = 0;
    for (size_t i = 0; i < bytes; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            memcpy(copy, lp, bytes);
            copy[i] ^= masks[m];
            bool shallow = listpack_validate(copy, bytes, false, NULL, NULL);
            bool deep = listpack_validate(copy, bytes, true, NULL, NULL);
            TEST_CHECK(!deep || shallow); /* deep never accepts more */
            if (deep) {
                accepted++;
                test_walk_accepted(copy, bytes);
            }
        }
    }
    /* Flipping a string's data bytes keeps it valid, so some must pass. */
    ck_assert_uint_gt(accepted, 0);
    alloc_free(copy);
    listpack_free(lp);
}
END_TEST

/* Walks blob[0..bytes) with a cursor; returns the entries seen, or -1 when
 * the cursor said BAD. */
static long test_cursor_walk(const unsigned char *blob)
{
    struct listpack_cursor c;
    const unsigned char *p;
    listpack_cursor_init(&c, blob);
    for (long n = 0;; n++) {
        enum listpack_cursor_step step = listpack_cursor_next(&c, &p);
        if (step == LISTPACK_CURSOR_END) {
            TEST_CHECK(listpack_cursor_next(&c, &p) == LISTPACK_CURSOR_END);
            return n;
        }
        if (step == LISTPACK_CURSOR_BAD) {
            TEST_CHECK(listpack_cursor_next(&c, &p) == LISTPACK_CURSOR_BAD);
            return -1;
        }
        TEST_CHECK(p >= blob + LISTPACK_HEADER_BYTES && p < blob + listpack_bytes(blob) - 1);
        struct listpack_entry e;
        listpack_get(p, &e); /* inside the blob: ASan would say otherwise */
    }
}

/* The loaders' cursor: on every blob that passes shallow validation it
 * either walks to the end or says BAD, never reading outside (every byte
 * of a rich blob flipped, under ASan); on deep-valid blobs it sees exactly
 * the header's count. */
START_TEST(test_cursor_on_shallow_blobs)
{
    unsigned char *lp = test_rich_blob();
    size_t bytes = listpack_bytes(lp);
    ck_assert_int_eq(test_cursor_walk(lp), (long)listpack_count(lp));
    ck_assert_uint_eq(listpack_count_header(lp), listpack_count(lp));
    static const unsigned char masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF, 0x7F};
    unsigned char *copy = alloc_bytes(bytes);
    size_t bad = 0;
    for (size_t i = LISTPACK_HEADER_BYTES; i + 1 < bytes; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            memcpy(copy, lp, bytes);
            copy[i] ^= masks[m];
            if (!listpack_validate(copy, bytes, false, NULL, NULL))
                continue;
            long n = test_cursor_walk(copy);
            if (n < 0)
                bad++;
            if (listpack_validate(copy, bytes, true, NULL, NULL))
                ck_assert_int_eq(n, (long)listpack_count_header(copy));
        }
    }
    ck_assert_uint_gt(bad, 0);
    unsigned char *empty = listpack_new();
    ck_assert_int_eq(test_cursor_walk(empty), 0);
    listpack_free(empty);
    alloc_free(copy);
    listpack_free(lp);
}
END_TEST

static bool test_count_entries(const unsigned char *p, size_t header_count, void *ctx)
{
    size_t *seen = ctx;
    (*seen)++;
    return header_count == 3;
}

static bool test_reject_integers(const unsigned char *p, size_t header_count, void *ctx)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    return e.str != NULL;
}

START_TEST(test_validate_specific)
{
    static const struct {
        const char *hex;
        bool valid;
        const char *why;
    } cases[] = {
        {"0700000000" "00ff", true, "empty"},
        {"0b000000" "0200" "00" "01" "01" "01" "ff", true, "two small ints"},
        {"0b000000" "ffff" "00" "01" "01" "01" "ff", true, "unknown count"},
        {"0b000000" "0300" "00" "01" "01" "01" "ff", false, "count too high"},
        {"0b000000" "0100" "00" "01" "01" "01" "ff", false, "count too low"},
        {"0c000000" "0200" "00" "01" "01" "01" "ff", false, "total bytes too high"},
        {"0b000000" "0200" "00" "01" "01" "01" "fe", false, "no terminator"},
        {"0b000000" "0200" "00" "01" "ff" "01" "ff", false, "terminator inside"},
        {"0a000000" "0100" "f5" "01" "02" "ff", false, "unknown tag f5"},
        {"0a000000" "0100" "fe" "01" "02" "ff", false, "unknown tag fe"},
        {"09000000" "0100" "00" "02" "ff", false, "backlen mismatch"},
        {"09000000" "0100" "00" "81" "ff", false, "backlen has a continuation"},
        {"0a000000" "0100" "bf" "41" "42" "ff", false, "string runs past the end"},
        {"0a000000" "0100" "e0" "ff" "ff" "ff", false, "12-bit length past the end"},
        {"0c000000" "0100" "f0" "ff" "ff" "ff" "ff" "ff", false, "32-bit length past the end"},
        {"0b000000" "0100" "f0" "ff" "ff" "ff" "ff", false, "32-bit length cut off"},
        {"09000000" "0100" "f1" "05" "ff", false, "int16 cut off"},
        {"0a000000" "0100" "c1" "2c" "02" "ff", true, "13-bit 300"},
        {"0a000000" "0100" "e1" "00" "00" "ff", false, "str12 claims 256 bytes"},
        {"0a000000" "0100" "e0" "00" "02" "ff", true, "non-canonical empty str12"},
        {"09000000" "0100" "c0" "05" "ff", false, "13-bit without backlen"},
        {"06000000" "0000", false, "no terminator at all"},
        {"", false, "nothing"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len;
        unsigned char *blob = test_hex_decode(cases[i].hex, &len);
        unsigned char *exact = alloc_bytes(len ? len : 1);
        memcpy(exact, blob, len);
        bool got = listpack_validate(exact, len, true, NULL, NULL);
        if (got != cases[i].valid)
            ck_abort_msg("case %zu (%s): validate said %d", i, cases[i].why, got);
        if (got)
            test_walk_accepted(exact, len);
        alloc_free(exact);
        alloc_free(blob);
    }

    /* The per-entry callback sees every entry and can reject. */
    const char *const items[] = {"a", "7", "b"};
    unsigned char *lp = test_build(items, 3);
    size_t seen = 0;
    ck_assert(listpack_validate(lp, listpack_bytes(lp), true, test_count_entries, &seen));
    ck_assert_uint_eq(seen, 3);
    ck_assert(!listpack_validate(lp, listpack_bytes(lp), true, test_reject_integers, NULL));
    /* Shallow mode never calls it. */
    ck_assert(listpack_validate(lp, listpack_bytes(lp), false, test_reject_integers, NULL));
    listpack_free(lp);
}
END_TEST

/* ---- Misuse and corruption that trips asserts ---- */

/* A blob whose first entry is fine but whose second is not passes the
 * shallow check; walking onto the bad entry must abort, not read on. */
START_TEST(test_shallow_blob_walk_aborts)
{
    size_t len;
    unsigned char *blob = test_hex_decode("0c000000" "0200" "00" "01" "f5" "01" "01" "ff", &len);
    ck_assert(listpack_validate(blob, len, false, NULL, NULL));
    ck_assert(!listpack_validate(blob, len, true, NULL, NULL));
    unsigned char *lp = listpack_from_bytes(blob, len);
    listpack_next(lp, listpack_first(lp));
}
END_TEST

START_TEST(test_shallow_blob_prev_aborts)
{
    size_t len;
    /* The last entry's backlen (00 85) claims an entry of 5 bytes, which
     * would start inside the header. */
    unsigned char *blob = test_hex_decode("0b000000" "0200" "00" "01" "00" "85" "ff", &len);
    ck_assert(listpack_validate(blob, len, false, NULL, NULL));
    ck_assert(!listpack_validate(blob, len, true, NULL, NULL));
    unsigned char *lp = listpack_from_bytes(blob, len);
    listpack_last(lp);
}
END_TEST

START_TEST(test_insert_from_inside_aborts)
{
    unsigned char *lp = listpack_append(listpack_new(), "hello", 5);
    struct listpack_entry e;
    listpack_get(listpack_first(lp), &e);
    listpack_append(lp, e.str, e.len);
}
END_TEST

static Suite *listpack_suite(void)
{
    Suite *s = suite_create("listpack");

    TCase *golden = tcase_create("golden");
    tcase_set_timeout(golden, TEST_TIMEOUT_S);
    tcase_add_test(golden, test_golden_dump_list);
    tcase_add_test(golden, test_golden_hash);
    tcase_add_test(golden, test_golden_integer_boundaries);
    tcase_add_test(golden, test_golden_zset);
    tcase_add_test(golden, test_golden_operations);
    tcase_add_test(golden, test_golden_backlen_boundaries);
    tcase_add_test(golden, test_golden_huge_entries);
    tcase_add_test(golden, test_golden_unknown_count);
    suite_add_tcase(s, golden);

    TCase *basics = tcase_create("basics");
    tcase_set_timeout(basics, TEST_TIMEOUT_S);
    tcase_add_test(basics, test_integer_encodings);
    tcase_add_test(basics, test_non_canonical_integers_stay_strings);
    tcase_add_test(basics, test_string_encodings);
    tcase_add_test(basics, test_empty);
    tcase_add_test(basics, test_find_with_skip);
    tcase_add_test(basics, test_delete_range_edges);
    tcase_add_test(basics, test_unknown_count_transitions);
    tcase_add_test(basics, test_estimates);
    tcase_add_test(basics, test_random_model);
    suite_add_tcase(s, basics);

    TCase *untrusted = tcase_create("untrusted");
    tcase_set_timeout(untrusted, TEST_TIMEOUT_S);
    tcase_add_test(untrusted, test_validate_truncated);
    tcase_add_test(untrusted, test_validate_corrupted_bytes);
    tcase_add_test(untrusted, test_validate_specific);
    tcase_add_test(untrusted, test_cursor_on_shallow_blobs);
    suite_add_tcase(s, untrusted);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_shallow_blob_walk_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_shallow_blob_prev_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_insert_from_inside_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(listpack_suite)
