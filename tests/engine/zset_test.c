/* zset_test.c: unit tests for engine/zset.c.
 *
 * Conversions are checked at the exact limits (entries and member bytes),
 * the listpack bytes are checked for Redis's score format ("1.5" as a
 * string, integral scores as integers, -0 as 0), and a model (a sorted
 * array of pairs) is compared after random operations against zsets under
 * several limits, so both encodings and the conversion between them are
 * covered. Randomness is a seeded xorshift, so failures repeat. */
#include "engine/alloc.h"
#include "engine/kv.h"
#include "engine/listpack.h"
#include "engine/zset.h"
#include "tests/unit.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_POOL_SIZE 40
#define TEST_MEMBER_BYTES_MAX 12
#define TEST_OPS 20000

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* ---- Model ---- */

struct model_pair {
    char member[TEST_MEMBER_BYTES_MAX + 1];
    size_t len;
    double score;
};

struct model {
    struct model_pair pairs[TEST_POOL_SIZE];
    size_t count;
};

static int model_compare(const struct model_pair *a, const struct model_pair *b)
{
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    size_t n = a->len < b->len ? a->len : b->len;
    int cmp = memcmp(a->member, b->member, n);
    if (cmp != 0)
        return cmp;
    return a->len < b->len ? -1 : (a->len > b->len ? 1 : 0);
}

static int model_find(const struct model *m, const char *member, size_t len)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->pairs[i].len == len && memcmp(m->pairs[i].member, member, len) == 0)
            return (int)i;
    return -1;
}

static void model_remove(struct model *m, int i)
{
    memmove(&m->pairs[i], &m->pairs[i + 1], (m->count - (size_t)i - 1) * sizeof(m->pairs[0]));
    m->count--;
}

static void model_insert(struct model *m, const char *member, size_t len, double score)
{
    struct model_pair p = {.len = len, .score = score};
    memcpy(p.member, member, len);
    size_t i = 0;
    while (i < m->count && model_compare(&m->pairs[i], &p) < 0)
        i++;
    memmove(&m->pairs[i + 1], &m->pairs[i], (m->count - i) * sizeof(m->pairs[0]));
    m->pairs[i] = p;
    m->count++;
}

/* Compares the zset's ordered contents, ranks and scores with the model. */
static void model_check(const struct model *m, struct kv *kv)
{
    TEST_CHECK(zset_length(kv) == m->count);
    if (m->count == 0)
        return;
    struct zset_iter it;
    size_t i = 0;
    for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it), i++) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        TEST_CHECK(i < m->count);
        TEST_CHECK(e.len == m->pairs[i].len && memcmp(e.member, m->pairs[i].member, e.len) == 0);
        TEST_CHECK(e.score == m->pairs[i].score);
        TEST_CHECK(zset_rank(kv, e.member, e.len, false, NULL) == (long)i);
        TEST_CHECK(zset_rank(kv, e.member, e.len, true, NULL) == (long)(m->count - 1 - i));
    }
    TEST_CHECK(i == m->count);
    i = m->count;
    for (zset_iter_at_rank(&it, kv, 0, true); zset_iter_valid(&it); zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        i--;
        TEST_CHECK(e.score == m->pairs[i].score);
    }
    TEST_CHECK(i == 0);
}

/* ---- Tests ---- */

static struct kv *new_zset(void)
{
    return zset_new("k", 1, KV_ENC_LISTPACK);
}

START_TEST(test_convert_at_entry_limit)
{
    struct kv *kv = new_zset();
    char member[16];
    for (int i = 0; i < 128; i++) {
        int n = snprintf(member, sizeof(member), "m%d", i);
        ck_assert_int_eq(zset_add(kv, i, member, (size_t)n, 0, NULL, 128, 64), ZSET_ADD_ADDED);
    }
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    /* Updating an existing member does not convert. */
    ck_assert_int_eq(zset_add(kv, 1000, "m0", 2, 0, NULL, 128, 64), ZSET_ADD_UPDATED);
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    ck_assert_int_eq(zset_add(kv, 5, "extra", 5, 0, NULL, 128, 64), ZSET_ADD_ADDED);
    ck_assert_int_eq(kv->encoding, KV_ENC_SKIPLIST);
    ck_assert_uint_eq(zset_length(kv), 129);
    /* Never back: deleting down to one member keeps the skiplist. */
    zset_delete_range_by_rank(kv, 0, 127);
    ck_assert_uint_eq(zset_length(kv), 1);
    ck_assert_int_eq(kv->encoding, KV_ENC_SKIPLIST);
    kv_free(kv);
}
END_TEST

START_TEST(test_convert_at_value_limit)
{
    struct kv *kv = new_zset();
    char member[80];
    memset(member, 'x', sizeof(member));
    ck_assert_int_eq(zset_add(kv, 1, member, 64, 0, NULL, 128, 64), ZSET_ADD_ADDED);
    ck_assert_int_eq(kv->encoding, KV_ENC_LISTPACK);
    ck_assert_int_eq(zset_add(kv, 1, member, 65, 0, NULL, 128, 64), ZSET_ADD_ADDED);
    ck_assert_int_eq(kv->encoding, KV_ENC_SKIPLIST);
    double score;
    ck_assert(zset_score(kv, member, 64, &score));
    ck_assert(score == 1);
    kv_free(kv);
}
END_TEST

START_TEST(test_listpack_score_format)
{
    struct kv *kv = new_zset();
    zset_add(kv, 1.5, "a", 1, 0, NULL, 128, 64);
    zset_add(kv, 3, "b", 1, 0, NULL, 128, 64);
    zset_add(kv, -0.0, "c", 1, 0, NULL, 128, 64);
    unsigned char *lp = kv_object(kv);
    /* Order: c (0), a (1.5), b (3). */
    unsigned char *p = listpack_seek(lp, 1);
    struct listpack_entry e;
    listpack_get(p, &e);
    ck_assert_ptr_null(e.str);
    ck_assert_int_eq(e.integer, 0);
    listpack_get(listpack_seek(lp, 3), &e);
    ck_assert_ptr_nonnull(e.str);
    ck_assert_uint_eq(e.len, 3);
    ck_assert(memcmp(e.str, "1.5", 3) == 0);
    listpack_get(listpack_seek(lp, 5), &e);
    ck_assert_ptr_null(e.str);
    ck_assert_int_eq(e.integer, 3);
    kv_free(kv);
}
END_TEST

START_TEST(test_add_flags)
{
    struct kv *kv = new_zset();
    double out;
    ck_assert_int_eq(zset_add(kv, 1, "a", 1, ZSET_ADD_XX, &out, 128, 64), ZSET_ADD_NOP);
    ck_assert_int_eq(zset_add(kv, 1, "a", 1, ZSET_ADD_NX, &out, 128, 64), ZSET_ADD_ADDED);
    ck_assert_int_eq(zset_add(kv, 2, "a", 1, ZSET_ADD_NX, &out, 128, 64), ZSET_ADD_NOP);
    ck_assert_int_eq(zset_add(kv, 0, "a", 1, ZSET_ADD_GT, &out, 128, 64), ZSET_ADD_NOP);
    ck_assert_int_eq(zset_add(kv, 5, "a", 1, ZSET_ADD_GT, &out, 128, 64), ZSET_ADD_UPDATED);
    ck_assert_int_eq(zset_add(kv, 5, "a", 1, 0, &out, 128, 64), ZSET_ADD_SAME);
    ck_assert_int_eq(zset_add(kv, 2, "a", 1, ZSET_ADD_INCR, &out, 128, 64), ZSET_ADD_UPDATED);
    ck_assert(out == 7);
    ck_assert_int_eq(zset_add(kv, INFINITY, "a", 1, ZSET_ADD_INCR, &out, 128, 64),
                     ZSET_ADD_UPDATED);
    ck_assert_int_eq(zset_add(kv, -INFINITY, "a", 1, ZSET_ADD_INCR, &out, 128, 64),
                     ZSET_ADD_NAN);
    kv_free(kv);
}
END_TEST

/* Random operations under given limits, compared with the model. */
static void model_run(uint64_t seed, long long max_entries, long long max_value)
{
    static const char *pool[TEST_POOL_SIZE];
    static char storage[TEST_POOL_SIZE][TEST_MEMBER_BYTES_MAX + 1];
    for (int i = 0; i < TEST_POOL_SIZE; i++) {
        snprintf(storage[i], sizeof(storage[i]), "%.*s%d", i % 7, "abcdefgh", i);
        pool[i] = storage[i];
    }
    test_rng_init(&rng, seed);
    struct model m = {.count = 0};
    struct kv *kv = new_zset();
    for (int op = 0; op < TEST_OPS; op++) {
        const char *member = pool[test_rng_below(&rng, TEST_POOL_SIZE)];
        size_t len = strlen(member);
        double score = (double)((int)test_rng_below(&rng, 9) - 4) / 2;
        int idx = model_find(&m, member, len);
        switch (test_rng_below(&rng, 6)) {
        case 0:
        case 1:
        case 2: {
            enum zset_add_result r = zset_add(kv, score, member, len, 0, NULL, max_entries, max_value);
            TEST_CHECK(r == (idx < 0 ? ZSET_ADD_ADDED
                                     : (m.pairs[idx].score == score ? ZSET_ADD_SAME
                                                                    : ZSET_ADD_UPDATED)));
            if (idx >= 0)
                model_remove(&m, idx);
            model_insert(&m, member, len, score);
            break;
        }
        case 3:
            TEST_CHECK(zset_delete(kv, member, len) == (idx >= 0));
            if (idx >= 0)
                model_remove(&m, idx);
            break;
        case 4: {
            struct zrange_spec range = {.min = score, .max = score + 1, .minex = false,
                                        .maxex = true};
            size_t expected = 0;
            for (size_t i = 0; i < m.count; i++)
                expected += m.pairs[i].score >= range.min && m.pairs[i].score < range.max;
            TEST_CHECK(zset_count_in_score_range(kv, &range) == expected);
            if (test_rng_below(&rng, 4) == 0) {
                TEST_CHECK(zset_delete_range_by_score(kv, &range) == expected);
                for (size_t i = m.count; i-- > 0;)
                    if (m.pairs[i].score >= range.min && m.pairs[i].score < range.max)
                        model_remove(&m, (int)i);
            }
            break;
        }
        default:
            if (m.count > 2 && test_rng_below(&rng, 3) == 0) {
                zset_delete_range_by_rank(kv, 1, 2);
                model_remove(&m, 2);
                model_remove(&m, 1);
            }
            break;
        }
        model_check(&m, kv);
        if (max_entries >= TEST_POOL_SIZE && max_value >= TEST_MEMBER_BYTES_MAX)
            TEST_CHECK(kv->encoding == KV_ENC_LISTPACK);
    }
    /* A copy matches too. */
    struct kv *copy = kv_copy(kv, "c", 1);
    model_check(&m, copy);
    kv_free(copy);
    kv_free(kv);
}

START_TEST(test_model_listpack)
{
    model_run(0x1234 + (uint64_t)_i, 128, 64);
}
END_TEST

START_TEST(test_model_converting)
{
    model_run(0x9876 + (uint64_t)_i, 8, 5);
}
END_TEST

START_TEST(test_model_skiplist)
{
    model_run(0x5555 + (uint64_t)_i, 0, 64);
}
END_TEST

static Suite *zset_suite(void)
{
    Suite *s = suite_create("zset");
    TCase *tc = tcase_create("zset");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_convert_at_entry_limit);
    tcase_add_test(tc, test_convert_at_value_limit);
    tcase_add_test(tc, test_listpack_score_format);
    tcase_add_test(tc, test_add_flags);
    tcase_add_loop_test(tc, test_model_listpack, 0, 3);
    tcase_add_loop_test(tc, test_model_converting, 0, 3);
    tcase_add_loop_test(tc, test_model_skiplist, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(zset_suite)
