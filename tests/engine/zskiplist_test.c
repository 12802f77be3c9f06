/* zskiplist_test.c: unit tests for engine/zskiplist.c.
 *
 * The main oracle is a model: a plain array of (score, member) pairs kept
 * sorted by insertion, compared after every random operation against the
 * list's forward and backward walks, its ranks and its by-rank lookups
 * (ranks are sums of spans, so they check every span on the search paths),
 * plus zskiplist_verify, which checks every span directly. Members are drawn
 * from a pool that spells every short string over {NUL, 'a', 'b', 0xff}, so
 * prefixes, embedded NULs and high bytes all meet in the order. Randomness
 * comes from a seeded xorshift generator, so a failure repeats exactly. */
#include "engine/alloc.h"
#include "engine/zskiplist.h"
#include "tests/unit.h"

#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_MEMBER_BYTES_MAX 16
#define TEST_POOL_SIZE 400
#define TEST_MODEL_CAPACITY TEST_POOL_SIZE
/* Random operations per seed, and how often the full model comparison runs
 * (zskiplist_verify runs after every operation). */
#define TEST_OPS_PER_SEED 20000
#define TEST_FULL_CHECK_EVERY 8
/* Per-test time limit; the model tests run slowly under ASan. */
#define TEST_TIMEOUT_S 240

/* ---- Randomness ---- */

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* Scores with many ties, both infinities, both zeros and huge magnitudes,
 * and sometimes an arbitrary value in between. */
static const double test_scores[] = {
    -INFINITY, -1e300, -2.5, -1, -0.0, 0, 0.5, 1, 1.5, 2, 3, 1e300, INFINITY,
};
#define TEST_SCORE_COUNT (sizeof(test_scores) / sizeof(test_scores[0]))

static double test_random_score(void)
{
    if (test_rng_below(&rng, 4) == 0)
        return (double)(int64_t)test_rng_below(&rng, 2001) / 100.0 - 10.0;
    return test_scores[test_rng_below(&rng, TEST_SCORE_COUNT)];
}

/* ---- Members ---- */

struct test_member {
    uint32_t len;
    char bytes[TEST_MEMBER_BYTES_MAX];
};

static struct test_member test_pool[TEST_POOL_SIZE];

/* Member k spells k in bijective base 4 over {NUL, 'a', 'b', 0xff}: every
 * string over that alphabet appears once, shortest first, "" being k = 0. */
static void test_pool_fill(void)
{
    static const char alphabet[4] = {'\0', 'a', 'b', (char)0xff};
    for (uint32_t k = 0; k < TEST_POOL_SIZE; k++) {
        struct test_member *m = &test_pool[k];
        m->len = 0;
        for (uint32_t rest = k; rest > 0; rest = (rest - 1) / 4) {
            TEST_CHECK(m->len < TEST_MEMBER_BYTES_MAX);
            m->bytes[m->len++] = alphabet[(rest - 1) % 4];
        }
    }
}

/* The oracle's member order, written independently of zskiplist.c. */
static int test_member_compare(const char *a, size_t a_len, const char *b, size_t b_len)
{
    for (size_t i = 0; i < a_len && i < b_len; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a_len == b_len)
        return 0;
    return a_len < b_len ? -1 : 1;
}

/* ---- The model ---- */

struct model_entry {
    double score;
    const struct test_member *member; /* borrowed from test_pool */
};

struct model {
    struct model_entry entries[TEST_MODEL_CAPACITY];
    size_t count;
};

static int model_entry_compare(const struct model_entry *a, double score,
                               const struct test_member *m)
{
    if (a->score != score)
        return a->score < score ? -1 : 1;
    return test_member_compare(a->member->bytes, a->member->len, m->bytes, m->len);
}

/* Index of member in the model, or -1. */
static long model_find(const struct model *model, const struct test_member *m)
{
    for (size_t i = 0; i < model->count; i++) {
        if (model->entries[i].member == m)
            return (long)i;
    }
    return -1;
}

static void model_insert(struct model *model, double score, const struct test_member *m)
{
    TEST_CHECK(model->count < TEST_MODEL_CAPACITY);
    size_t at = 0;
    while (at < model->count && model_entry_compare(&model->entries[at], score, m) < 0)
        at++;
    memmove(&model->entries[at + 1], &model->entries[at],
            (model->count - at) * sizeof(model->entries[0]));
    model->entries[at] = (struct model_entry){.score = score, .member = m};
    model->count++;
}

static void model_remove(struct model *model, size_t index)
{
    TEST_CHECK(index < model->count);
    memmove(&model->entries[index], &model->entries[index + 1],
            (model->count - index - 1) * sizeof(model->entries[0]));
    model->count--;
}

static bool test_node_is(const struct zskiplist_node *node, const struct model_entry *e)
{
    return node != NULL && zskiplist_node_member_len(node) == e->member->len &&
           memcmp(zskiplist_node_member(node), e->member->bytes, e->member->len) == 0 &&
           zskiplist_node_member(node)[e->member->len] == '\0' &&
           zskiplist_node_score(node) == e->score;
}

/* The whole comparison: both walks, every rank and every by-rank lookup. */
static void model_check(const struct zskiplist *zsl, const struct model *model)
{
    zskiplist_verify(zsl);
    TEST_CHECK(zskiplist_length(zsl) == model->count);
    const struct zskiplist_node *node = zskiplist_first(zsl);
    for (size_t i = 0; i < model->count; i++, node = zskiplist_node_next(node))
        TEST_CHECK(test_node_is(node, &model->entries[i]));
    TEST_CHECK(node == NULL);
    node = zskiplist_last(zsl);
    for (size_t i = model->count; i > 0; i--, node = zskiplist_node_prev(node))
        TEST_CHECK(test_node_is(node, &model->entries[i - 1]));
    TEST_CHECK(node == NULL);
    for (size_t i = 0; i < model->count; i++) {
        const struct model_entry *e = &model->entries[i];
        TEST_CHECK(zskiplist_rank(zsl, e->score, e->member->bytes, e->member->len) == i + 1);
        TEST_CHECK(test_node_is(zskiplist_by_rank(zsl, i + 1), e));
    }
    TEST_CHECK(zskiplist_by_rank(zsl, 0) == NULL);
    TEST_CHECK(zskiplist_by_rank(zsl, model->count + 1) == NULL);
}

static struct zskiplist_node *test_insert(struct zskiplist *zsl, struct model *model,
                                          double score, const struct test_member *m)
{
    struct zskiplist_node *node = zskiplist_insert(zsl, score, m->bytes, m->len);
    model_insert(model, score, m);
    TEST_CHECK(zskiplist_node_score(node) == score);
    TEST_CHECK(zskiplist_node_member_len(node) == m->len);
    return node;
}

/* ---- Range oracles ---- */

static bool model_score_in(double score, const struct zrange_spec *r)
{
    bool above = r->minex ? score > r->min : score >= r->min;
    bool below = r->maxex ? score < r->max : score <= r->max;
    return above && below;
}

/* Whether member sorts on the "min" side's inside of bound b. */
static bool model_lex_gte(const struct test_member *m, const struct zlex_bound *b)
{
    if (b->kind == ZLEX_BOUND_NEG_INF)
        return true;
    if (b->kind == ZLEX_BOUND_POS_INF)
        return false;
    int c = test_member_compare(m->bytes, m->len, b->bytes, b->len);
    return b->exclusive ? c > 0 : c >= 0;
}

static bool model_lex_lte(const struct test_member *m, const struct zlex_bound *b)
{
    if (b->kind == ZLEX_BOUND_POS_INF)
        return true;
    if (b->kind == ZLEX_BOUND_NEG_INF)
        return false;
    int c = test_member_compare(m->bytes, m->len, b->bytes, b->len);
    return b->exclusive ? c < 0 : c <= 0;
}

static bool model_lex_in(const struct test_member *m, const struct zlex_spec *r)
{
    return model_lex_gte(m, &r->min) && model_lex_lte(m, &r->max);
}

/* Checks first/last_in_range against the model, and that walking from the
 * first node with next visits exactly the model's matching run. */
static void model_check_score_range(const struct zskiplist *zsl, const struct model *model,
                                    const struct zrange_spec *r)
{
    long first = -1, last = -1;
    for (size_t i = 0; i < model->count; i++) {
        if (model_score_in(model->entries[i].score, r)) {
            if (first < 0)
                first = (long)i;
            last = (long)i;
        }
    }
    const struct zskiplist_node *lo = zskiplist_first_in_range(zsl, r);
    const struct zskiplist_node *hi = zskiplist_last_in_range(zsl, r);
    if (first < 0) {
        TEST_CHECK(lo == NULL);
        TEST_CHECK(hi == NULL);
        return;
    }
    TEST_CHECK(test_node_is(lo, &model->entries[first]));
    TEST_CHECK(test_node_is(hi, &model->entries[last]));
    long i = first;
    for (; lo != NULL && zrange_score_lte_max(zskiplist_node_score(lo), r);
         lo = zskiplist_node_next(lo), i++) {
        TEST_CHECK(zrange_score_gte_min(zskiplist_node_score(lo), r));
        TEST_CHECK(test_node_is(lo, &model->entries[i]));
    }
    TEST_CHECK(i == last + 1);
}

static void model_check_lex_range(const struct zskiplist *zsl, const struct model *model,
                                  const struct zlex_spec *r)
{
    long first = -1, last = -1;
    for (size_t i = 0; i < model->count; i++) {
        if (model_lex_in(model->entries[i].member, r)) {
            if (first < 0)
                first = (long)i;
            last = (long)i;
        }
    }
    const struct zskiplist_node *lo = zskiplist_first_in_lex_range(zsl, r);
    const struct zskiplist_node *hi = zskiplist_last_in_lex_range(zsl, r);
    if (first < 0) {
        TEST_CHECK(lo == NULL);
        TEST_CHECK(hi == NULL);
        return;
    }
    TEST_CHECK(test_node_is(lo, &model->entries[first]));
    TEST_CHECK(test_node_is(hi, &model->entries[last]));
    for (long i = first; i <= last; i++, lo = zskiplist_node_next(lo)) {
        TEST_CHECK(zrange_lex_gte_min(zskiplist_node_member(lo), zskiplist_node_member_len(lo), r));
        TEST_CHECK(zrange_lex_lte_max(zskiplist_node_member(lo), zskiplist_node_member_len(lo), r));
    }
    TEST_CHECK(lo == NULL || !zrange_lex_lte_max(zskiplist_node_member(lo),
                                                 zskiplist_node_member_len(lo), r));
}

static struct zrange_spec test_random_score_range(void)
{
    struct zrange_spec r = {
        .min = test_random_score(),
        .max = test_random_score(),
        .minex = test_rng_below(&rng, 2) == 0,
        .maxex = test_rng_below(&rng, 2) == 0,
    };
    /* Mostly ordered ranges, so most queries find something. */
    if (r.min > r.max && test_rng_below(&rng, 4) != 0) {
        double t = r.min;
        r.min = r.max;
        r.max = t;
    }
    return r;
}

static struct zlex_bound test_random_lex_bound(void)
{
    uint32_t pick = test_rng_below(&rng, 10);
    if (pick == 0)
        return (struct zlex_bound){.kind = ZLEX_BOUND_NEG_INF, .exclusive = true};
    if (pick == 1)
        return (struct zlex_bound){.kind = ZLEX_BOUND_POS_INF, .exclusive = true};
    const struct test_member *m = &test_pool[test_rng_below(&rng, TEST_POOL_SIZE)];
    return (struct zlex_bound){
        .kind = ZLEX_BOUND_FINITE,
        .exclusive = test_rng_below(&rng, 2) == 0,
        .bytes = m->bytes,
        .len = m->len,
    };
}

static struct zlex_spec test_random_lex_range(void)
{
    struct zlex_spec r = {.min = test_random_lex_bound(), .max = test_random_lex_bound()};
    return r;
}

/* ---- Basics ---- */

START_TEST(test_empty_list)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_verify(zsl);
    ck_assert_uint_eq(zskiplist_length(zsl), 0);
    ck_assert_ptr_null(zskiplist_first(zsl));
    ck_assert_ptr_null(zskiplist_last(zsl));
    ck_assert_ptr_null(zskiplist_by_rank(zsl, 0));
    ck_assert_ptr_null(zskiplist_by_rank(zsl, 1));
    ck_assert_uint_eq(zskiplist_rank(zsl, 0, "", 0), 0);
    ck_assert(!zskiplist_delete(zsl, 0, "a", 1, NULL));
    struct zrange_spec all = {.min = -INFINITY, .max = INFINITY};
    ck_assert_ptr_null(zskiplist_first_in_range(zsl, &all));
    ck_assert_ptr_null(zskiplist_last_in_range(zsl, &all));
    struct zlex_spec lex_all = {.min = {.kind = ZLEX_BOUND_NEG_INF, .exclusive = true},
                                .max = {.kind = ZLEX_BOUND_POS_INF, .exclusive = true}};
    ck_assert_ptr_null(zskiplist_first_in_lex_range(zsl, &lex_all));
    ck_assert_ptr_null(zskiplist_last_in_lex_range(zsl, &lex_all));
    ck_assert_uint_eq(zskiplist_delete_range_by_score(zsl, &all, NULL, NULL), 0);
    ck_assert_uint_eq(zskiplist_delete_range_by_lex(zsl, &lex_all, NULL, NULL), 0);
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, 1, 10, NULL, NULL), 0);
    zskiplist_free(zsl);
    zskiplist_free(NULL);
}
END_TEST

/* Equal scores order by bytes, then length: the empty member first, a
 * prefix before its extensions, NUL before 'a', 0xff (unsigned) last. */
START_TEST(test_equal_scores_order_by_member)
{
    static const struct {
        const char *bytes;
        size_t len;
    } sorted[] = {
        {"", 0}, {"\0", 1}, {"\0\0", 2}, {"\0a", 2}, {"a", 1}, {"a\0", 2},
        {"aa", 2}, {"ab", 2}, {"b", 1}, {"ba", 2}, {"\xff", 1}, {"\xff\xff", 2},
    };
    size_t n = sizeof(sorted) / sizeof(sorted[0]);
    struct zskiplist *zsl = zskiplist_create(7);
    /* Insert in a scrambled order (7 is coprime with 12). */
    for (size_t k = 0; k < n; k++) {
        size_t i = (k * 7) % n;
        zskiplist_insert(zsl, 5, sorted[i].bytes, sorted[i].len);
    }
    zskiplist_verify(zsl);
    const struct zskiplist_node *node = zskiplist_first(zsl);
    for (size_t i = 0; i < n; i++, node = zskiplist_node_next(node)) {
        ck_assert_uint_eq(zskiplist_node_member_len(node), sorted[i].len);
        ck_assert(memcmp(zskiplist_node_member(node), sorted[i].bytes, sorted[i].len) == 0);
        ck_assert_uint_eq(zskiplist_rank(zsl, 5, sorted[i].bytes, sorted[i].len), i + 1);
    }
    /* A lower score beats any member; a higher one loses to all. */
    zskiplist_insert(zsl, 4.5, "\xff\xff\xff", 3);
    zskiplist_insert(zsl, 5.5, "", 0);
    ck_assert_uint_eq(zskiplist_rank(zsl, 4.5, "\xff\xff\xff", 3), 1);
    ck_assert_uint_eq(zskiplist_rank(zsl, 5.5, "", 0), n + 2);
    /* The same member with the wrong score is not found. */
    ck_assert_uint_eq(zskiplist_rank(zsl, 5, "\xff\xff\xff", 3), 0);
    ck_assert(!zskiplist_delete(zsl, 5, "\xff\xff\xff", 3, NULL));
    zskiplist_free(zsl);
}
END_TEST

/* 0.0 and -0.0 are the same score, so members decide between them. */
START_TEST(test_signed_zero_ties)
{
    struct zskiplist *zsl = zskiplist_create(3);
    zskiplist_insert(zsl, 0.0, "b", 1);
    zskiplist_insert(zsl, -0.0, "a", 1);
    ck_assert_str_eq(zskiplist_node_member(zskiplist_first(zsl)), "a");
    ck_assert_uint_eq(zskiplist_rank(zsl, 0.0, "a", 1), 1);
    ck_assert_uint_eq(zskiplist_rank(zsl, -0.0, "b", 1), 2);
    ck_assert(zskiplist_delete(zsl, 0.0, "a", 1, NULL));
    zskiplist_verify(zsl);
    zskiplist_free(zsl);
}
END_TEST

START_TEST(test_long_member_embedded)
{
    size_t len = 100000;
    char *big = alloc_bytes(len);
    memset(big, 'x', len);
    big[len / 2] = '\0';
    struct zskiplist *zsl = zskiplist_create(11);
    struct zskiplist_node *node = zskiplist_insert(zsl, 1, big, len);
    zskiplist_insert(zsl, 1, big, len - 1);
    ck_assert_uint_eq(zskiplist_node_member_len(node), len);
    ck_assert(memcmp(zskiplist_node_member(node), big, len) == 0);
    ck_assert_int_eq(zskiplist_node_member(node)[len], '\0');
    /* The shorter (a prefix) sorts first. */
    ck_assert_uint_eq(zskiplist_rank(zsl, 1, big, len), 2);
    struct zskiplist_node *removed = NULL;
    ck_assert(zskiplist_delete(zsl, 1, big, len, &removed));
    ck_assert_ptr_eq(removed, node);
    ck_assert(memcmp(zskiplist_node_member(removed), big, len) == 0);
    zskiplist_node_free(removed);
    zskiplist_verify(zsl);
    zskiplist_free(zsl);
    alloc_free(big);
}
END_TEST

/* update_score keeps the node's address whether it stays or moves. */
START_TEST(test_update_score_keeps_node)
{
    struct zskiplist *zsl = zskiplist_create(5);
    struct zskiplist_node *a = zskiplist_insert(zsl, 1, "a", 1);
    struct zskiplist_node *b = zskiplist_insert(zsl, 2, "b", 1);
    struct zskiplist_node *c = zskiplist_insert(zsl, 3, "c", 1);
    /* Stays between its neighbours: in place. */
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 2, "b", 1, 2.5), b);
    ck_assert_ptr_eq(zskiplist_node_prev(b), a);
    ck_assert_ptr_eq(zskiplist_node_next(b), c);
    /* Ties with a neighbour's score but stays in member order: in place. */
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 2.5, "b", 1, 3), b);
    ck_assert_ptr_eq(zskiplist_node_next(b), c);
    /* Moves past b (all three now score 3, so members order them), then to
     * the front. */
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 1, "a", 1, 3), a);
    ck_assert_ptr_eq(zskiplist_first(zsl), a);
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 3, "a", 1, 3.5), a);
    ck_assert_ptr_eq(zskiplist_last(zsl), a);
    ck_assert_ptr_eq(zskiplist_node_prev(a), c);
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 3.5, "a", 1, 3), a);
    ck_assert_ptr_eq(zskiplist_node_next(a), b);
    ck_assert_ptr_eq(zskiplist_update_score(zsl, 3, "c", 1, -INFINITY), c);
    ck_assert_ptr_eq(zskiplist_first(zsl), c);
    ck_assert_uint_eq(zskiplist_rank(zsl, 3, "a", 1), 2);
    ck_assert_uint_eq(zskiplist_rank(zsl, 3, "b", 1), 3);
    zskiplist_verify(zsl);
    zskiplist_free(zsl);
}
END_TEST

/* ---- Random operations against the model ---- */

static void test_random_op(struct zskiplist *zsl, struct model *model)
{
    uint32_t op = test_rng_below(&rng, 100);
    if (op < 45 || model->count == 0) {
        const struct test_member *m = &test_pool[test_rng_below(&rng, TEST_POOL_SIZE)];
        long at = model_find(model, m);
        if (at >= 0) {
            const struct model_entry *e = &model->entries[at];
            TEST_CHECK(zskiplist_rank(zsl, e->score, m->bytes, m->len) == (size_t)at + 1);
            return;
        }
        test_insert(zsl, model, test_random_score(), m);
    } else if (op < 65) {
        size_t at = test_rng_below(&rng, (uint32_t)model->count);
        const struct model_entry e = model->entries[at];
        struct zskiplist_node *expected = zskiplist_by_rank(zsl, at + 1);
        struct zskiplist_node *removed = NULL;
        bool keep = test_rng_below(&rng, 2) == 0;
        TEST_CHECK(zskiplist_delete(zsl, e.score, e.member->bytes, e.member->len,
                                    keep ? &removed : NULL));
        if (keep) {
            TEST_CHECK(removed == expected);
            TEST_CHECK(test_node_is(removed, &e));
            zskiplist_node_free(removed);
        }
        model_remove(model, at);
    } else if (op < 70) {
        /* A present member under a different score, or an absent one. */
        const struct test_member *m = &test_pool[test_rng_below(&rng, TEST_POOL_SIZE)];
        long at = model_find(model, m);
        double score = test_random_score();
        if (at >= 0 && model->entries[at].score == score)
            return;
        TEST_CHECK(!zskiplist_delete(zsl, score, m->bytes, m->len, NULL));
        TEST_CHECK(zskiplist_rank(zsl, score, m->bytes, m->len) == 0);
    } else if (op < 95) {
        size_t at = test_rng_below(&rng, (uint32_t)model->count);
        const struct model_entry e = model->entries[at];
        struct zskiplist_node *before = zskiplist_by_rank(zsl, at + 1);
        double score = test_random_score();
        struct zskiplist_node *after =
            zskiplist_update_score(zsl, e.score, e.member->bytes, e.member->len, score);
        TEST_CHECK(after == before);
        TEST_CHECK(zskiplist_node_score(after) == score);
        model_remove(model, at);
        model_insert(model, score, e.member);
    } else {
        struct zrange_spec r = test_random_score_range();
        model_check_score_range(zsl, model, &r);
    }
}

static void test_model_run(uint64_t seed)
{
    test_rng_init(&rng, seed);
    struct model *model = alloc_zeroed(sizeof(*model));
    struct zskiplist *zsl = zskiplist_create(seed);
    for (int i = 0; i < TEST_OPS_PER_SEED; i++) {
        test_random_op(zsl, model);
        if (i % TEST_FULL_CHECK_EVERY == 0)
            model_check(zsl, model);
        else
            zskiplist_verify(zsl);
    }
    model_check(zsl, model);
    /* Drain it completely, checking as it empties. */
    while (model->count > 0) {
        size_t at = test_rng_below(&rng, (uint32_t)model->count);
        const struct model_entry *e = &model->entries[at];
        TEST_CHECK(zskiplist_delete(zsl, e->score, e->member->bytes, e->member->len, NULL));
        model_remove(model, at);
        model_check(zsl, model);
    }
    ck_assert_int_eq(zsl->level, 1);
    zskiplist_free(zsl);
    alloc_free(model);
}

START_TEST(test_random_against_model)
{
    test_pool_fill();
    static const uint64_t seeds[] = {1, 2, 0xdeadbeef, 424242};
    test_model_run(seeds[_i]);
}
END_TEST

/* ---- Ranges ---- */

/* Every pair of bounds from a grid around the stored scores (infinities,
 * stored values, gaps between them, outside both ends) with all four
 * exclusivity combinations, min > max included. */
START_TEST(test_score_ranges_exhaustive)
{
    test_pool_fill();
    static const double stored[] = {-INFINITY, 1, 1, 1, 2, 2, 3, INFINITY};
    static const double grid[] = {-INFINITY, -1e300, 0, 1, 1.5, 2, 2.5, 3, 4, 1e300, INFINITY};
    size_t grid_count = sizeof(grid) / sizeof(grid[0]);
    struct zskiplist *zsl = zskiplist_create(9);
    struct model *model = alloc_zeroed(sizeof(*model));
    for (size_t i = 0; i < sizeof(stored) / sizeof(stored[0]); i++)
        test_insert(zsl, model, stored[i], &test_pool[i + 1]);
    model_check(zsl, model);
    for (size_t lo = 0; lo < grid_count; lo++) {
        for (size_t hi = 0; hi < grid_count; hi++) {
            for (int flags = 0; flags < 4; flags++) {
                struct zrange_spec r = {grid[lo], grid[hi], flags & 1, (flags & 2) != 0};
                model_check_score_range(zsl, model, &r);
            }
        }
    }
    /* Spot checks of the cases that matter most. */
    struct zrange_spec point = {.min = 1, .max = 1};
    ck_assert_uint_eq(zskiplist_rank(zsl, 1, test_pool[2].bytes, test_pool[2].len), 2);
    ck_assert_ptr_eq(zskiplist_first_in_range(zsl, &point), zskiplist_by_rank(zsl, 2));
    ck_assert_ptr_eq(zskiplist_last_in_range(zsl, &point), zskiplist_by_rank(zsl, 4));
    point.minex = true;
    ck_assert_ptr_null(zskiplist_first_in_range(zsl, &point));
    struct zrange_spec open = {.min = 1, .max = 3, .minex = true, .maxex = true};
    ck_assert_ptr_eq(zskiplist_first_in_range(zsl, &open), zskiplist_by_rank(zsl, 5));
    ck_assert_ptr_eq(zskiplist_last_in_range(zsl, &open), zskiplist_by_rank(zsl, 6));
    struct zrange_spec inf_only = {.min = INFINITY, .max = INFINITY};
    ck_assert_ptr_eq(zskiplist_first_in_range(zsl, &inf_only), zskiplist_last(zsl));
    inf_only.maxex = true;
    ck_assert_ptr_null(zskiplist_first_in_range(zsl, &inf_only));
    zskiplist_free(zsl);
    alloc_free(model);
}
END_TEST

START_TEST(test_score_ranges_random)
{
    test_pool_fill();
    test_rng_init(&rng, 77);
    struct zskiplist *zsl = zskiplist_create(77);
    struct model *model = alloc_zeroed(sizeof(*model));
    for (uint32_t k = 0; k < 300; k++)
        test_insert(zsl, model, test_random_score(), &test_pool[k]);
    model_check(zsl, model);
    for (int i = 0; i < 20000; i++) {
        struct zrange_spec r = test_random_score_range();
        model_check_score_range(zsl, model, &r);
    }
    zskiplist_free(zsl);
    alloc_free(model);
}
END_TEST

/* Every pair of lex bounds over the first 50 pool members (the list holds
 * every other one, so bounds fall both on and between members), with "-"
 * and "+" on either side. */
START_TEST(test_lex_ranges_exhaustive)
{
    test_pool_fill();
    struct zskiplist *zsl = zskiplist_create(13);
    struct model *model = alloc_zeroed(sizeof(*model));
    for (uint32_t k = 0; k < 50; k += 2)
        test_insert(zsl, model, 0, &test_pool[k]);
    model_check(zsl, model);
    struct zlex_bound bounds[2 + 50 * 2];
    size_t bound_count = 0;
    bounds[bound_count++] = (struct zlex_bound){.kind = ZLEX_BOUND_NEG_INF, .exclusive = true};
    bounds[bound_count++] = (struct zlex_bound){.kind = ZLEX_BOUND_POS_INF, .exclusive = true};
    for (uint32_t k = 0; k < 50; k++) {
        for (int ex = 0; ex < 2; ex++) {
            bounds[bound_count++] = (struct zlex_bound){
                .kind = ZLEX_BOUND_FINITE, .exclusive = ex,
                .bytes = test_pool[k].bytes, .len = test_pool[k].len};
        }
    }
    for (size_t lo = 0; lo < bound_count; lo++) {
        for (size_t hi = 0; hi < bound_count; hi++) {
            struct zlex_spec r = {.min = bounds[lo], .max = bounds[hi]};
            model_check_lex_range(zsl, model, &r);
        }
    }
    /* "-" to "+" is everything; "+" to "-", "-" to "-" and "+" to "+" are empty. */
    struct zlex_spec r = {.min = bounds[0], .max = bounds[1]};
    ck_assert_ptr_eq(zskiplist_first_in_lex_range(zsl, &r), zskiplist_first(zsl));
    ck_assert_ptr_eq(zskiplist_last_in_lex_range(zsl, &r), zskiplist_last(zsl));
    r = (struct zlex_spec){.min = bounds[1], .max = bounds[0]};
    ck_assert_ptr_null(zskiplist_first_in_lex_range(zsl, &r));
    r = (struct zlex_spec){.min = bounds[0], .max = bounds[0]};
    ck_assert_ptr_null(zskiplist_first_in_lex_range(zsl, &r));
    r = (struct zlex_spec){.min = bounds[1], .max = bounds[1]};
    ck_assert_ptr_null(zskiplist_last_in_lex_range(zsl, &r));
    zskiplist_free(zsl);
    alloc_free(model);
}
END_TEST

/* ---- Range deletion ---- */

struct deleted_log {
    const struct model *expected; /* borrowed: the model before deletion */
    size_t next;                  /* index of the entry the next call must match */
    size_t end;                   /* one past the last entry expected */
    size_t calls;
};

static void test_deleted(struct zskiplist_node *node, void *ctx)
{
    struct deleted_log *log = ctx;
    TEST_CHECK(log->next < log->end);
    TEST_CHECK(test_node_is(node, &log->expected->entries[log->next]));
    log->next++;
    log->calls++;
}

/* Runs one range deletion (kind 0 score, 1 lex, 2 rank) on a fresh random
 * list and compares the callbacks and what is left with the model. */
static void test_delete_range_once(uint64_t seed, int kind)
{
    test_rng_init(&rng, seed);
    struct zskiplist *zsl = zskiplist_create(seed);
    struct model *model = alloc_zeroed(sizeof(*model));
    uint32_t n = test_rng_below(&rng, 120);
    for (uint32_t k = 0; k < n; k++) {
        double score = kind == 1 ? 0 : test_random_score();
        test_insert(zsl, model, score, &test_pool[k + 1 + seed % 100]);
    }
    struct zrange_spec sr = test_random_score_range();
    struct zlex_spec lr = test_random_lex_range();
    size_t start = test_rng_below(&rng, n + 3) + 1, end = test_rng_below(&rng, n + 3);
    /* The deleted run is contiguous in the model. */
    size_t first = model->count, last = 0;
    for (size_t i = 0; i < model->count; i++) {
        const struct model_entry *e = &model->entries[i];
        bool in = kind == 0 ? model_score_in(e->score, &sr)
                : kind == 1 ? model_lex_in(e->member, &lr)
                            : (i + 1 >= start && i + 1 <= end);
        if (in) {
            first = first < i ? first : i;
            last = i + 1;
        }
    }
    size_t expected = first < last ? last - first : 0;
    struct model *before = alloc_bytes(sizeof(*before));
    memcpy(before, model, sizeof(*model));
    struct deleted_log log = {.expected = before, .next = first, .end = last};
    size_t removed = kind == 0 ? zskiplist_delete_range_by_score(zsl, &sr, &log, test_deleted)
                   : kind == 1 ? zskiplist_delete_range_by_lex(zsl, &lr, &log, test_deleted)
                               : zskiplist_delete_range_by_rank(zsl, start, end, &log, test_deleted);
    TEST_CHECK(removed == expected);
    TEST_CHECK(log.calls == expected);
    for (size_t i = 0; i < expected; i++)
        model_remove(model, first);
    model_check(zsl, model);
    zskiplist_free(zsl);
    alloc_free(before);
    alloc_free(model);
}

START_TEST(test_delete_ranges_random)
{
    test_pool_fill();
    for (uint64_t seed = 1; seed <= 600; seed++)
        test_delete_range_once(seed, (int)(seed % 3));
}
END_TEST

START_TEST(test_delete_ranges_edges)
{
    test_pool_fill();
    struct zskiplist *zsl = zskiplist_create(21);
    struct model *model = alloc_zeroed(sizeof(*model));
    for (uint32_t k = 1; k <= 10; k++)
        test_insert(zsl, model, k, &test_pool[k]);
    /* A NULL callback is allowed; rank ranges clip at the end. */
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, 9, 100, NULL, NULL), 2);
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, 9, 100, NULL, NULL), 0);
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, 3, 2, NULL, NULL), 0);
    struct zrange_spec r = {.min = 2, .max = 4, .minex = true};
    ck_assert_uint_eq(zskiplist_delete_range_by_score(zsl, &r, NULL, NULL), 2);
    r = (struct zrange_spec){.min = 5, .max = 1};
    ck_assert_uint_eq(zskiplist_delete_range_by_score(zsl, &r, NULL, NULL), 0);
    ck_assert_uint_eq(zskiplist_length(zsl), 6);
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, 1, 6, NULL, NULL), 6);
    zskiplist_verify(zsl);
    ck_assert_ptr_null(zskiplist_first(zsl));
    ck_assert_ptr_null(zskiplist_last(zsl));
    ck_assert_int_eq(zsl->level, 1);
    zskiplist_free(zsl);
    alloc_free(model);
}
END_TEST

/* ---- Scale and levels ---- */

START_TEST(test_large_sequential)
{
    size_t n = 100000;
    struct zskiplist *zsl = zskiplist_create(99);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        /* Alternate ends so inserts land at both head and tail. */
        double score = (i % 2 == 0) ? (double)i : -(double)i - 1;
        int len = snprintf(buf, sizeof(buf), "m%zu", i);
        zskiplist_insert(zsl, score, buf, (size_t)len);
    }
    zskiplist_verify(zsl);
    ck_assert_uint_eq(zskiplist_length(zsl), n);
    for (size_t i = 0; i < n; i += 997) {
        double score = (i % 2 == 0) ? (double)i : -(double)i - 1;
        int len = snprintf(buf, sizeof(buf), "m%zu", i);
        size_t rank = zskiplist_rank(zsl, score, buf, (size_t)len);
        ck_assert_uint_ne(rank, 0);
        const struct zskiplist_node *node = zskiplist_by_rank(zsl, rank);
        ck_assert_double_eq(zskiplist_node_score(node), score);
        ck_assert_str_eq(zskiplist_node_member(node), buf);
    }
    ck_assert_uint_eq(zskiplist_delete_range_by_rank(zsl, n / 4, 3 * n / 4, NULL, NULL),
                      n / 2 + 1);
    zskiplist_verify(zsl);
    zskiplist_free(zsl);
}
END_TEST

/* Levels follow P = 1/4: about a quarter of nodes reach level 2, a
 * sixteenth level 3. The same seed gives the same shape. */
START_TEST(test_level_distribution_and_seed)
{
    size_t n = 200000;
    struct zskiplist *a = zskiplist_create(1234);
    struct zskiplist *b = zskiplist_create(1234);
    struct zskiplist *c = zskiplist_create(4321);
    for (size_t i = 0; i < n; i++) {
        zskiplist_insert(a, (double)i, "", 0);
        zskiplist_insert(b, (double)i, "", 0);
        zskiplist_insert(c, (double)i, "", 0);
    }
    size_t at_least[4] = {0};
    bool same = true, differs = false;
    const struct zskiplist_node *x = zskiplist_first(a);
    const struct zskiplist_node *y = zskiplist_first(b);
    const struct zskiplist_node *z = zskiplist_first(c);
    for (; x != NULL; x = zskiplist_node_next(x), y = zskiplist_node_next(y),
                      z = zskiplist_node_next(z)) {
        for (int l = 0; l < 4; l++)
            at_least[l] += x->level_count >= l + 1;
        same = same && x->level_count == y->level_count;
        differs = differs || x->level_count != z->level_count;
    }
    ck_assert(same);
    ck_assert(differs);
    ck_assert_uint_eq(at_least[0], n);
    ck_assert(fabs((double)at_least[1] / n - 0.25) < 0.01);
    ck_assert(fabs((double)at_least[2] / n - 0.0625) < 0.005);
    ck_assert(fabs((double)at_least[3] / n - 0.015625) < 0.003);
    ck_assert_int_ge(a->level, 6);
    ck_assert_int_le(a->level, 16);
    zskiplist_free(a);
    zskiplist_free(b);
    zskiplist_free(c);
}
END_TEST

/* ---- Range syntax ---- */

struct score_case {
    const char *text;
    size_t len;
    bool ok;
    double value;
    bool exclusive;
};

#define SCORE_CASE(s, ok, v, ex) {s, sizeof(s) - 1, ok, v, ex}

/* Expected results follow Redis 7.0.15's ZRANGEBYSCORE, checked against the
 * real server (including "" as 0, leading spaces, hex, and stopping at a
 * NUL byte). */
static const struct score_case score_cases[] = {
    SCORE_CASE("1.5", true, 1.5, false),
    SCORE_CASE("(1.5", true, 1.5, true),
    SCORE_CASE("-inf", true, -INFINITY, false),
    SCORE_CASE("+inf", true, INFINITY, false),
    SCORE_CASE("inf", true, INFINITY, false),
    SCORE_CASE("(-inf", true, -INFINITY, true),
    SCORE_CASE("(+inf", true, INFINITY, true),
    SCORE_CASE("-infinity", true, -INFINITY, false),
    SCORE_CASE("1e400", true, INFINITY, false),
    SCORE_CASE("-7", true, -7, false),
    SCORE_CASE("+1", true, 1, false),
    SCORE_CASE(".5", true, 0.5, false),
    SCORE_CASE("5.", true, 5, false),
    SCORE_CASE("0x10", true, 16, false),
    SCORE_CASE(" 1", true, 1, false),
    SCORE_CASE("", true, 0, false),
    SCORE_CASE("(", true, 0, true),
    SCORE_CASE("1\0x", true, 1, false),
    SCORE_CASE("(2\0junk", true, 2, true),
    SCORE_CASE("nan", false, 0, false),
    SCORE_CASE("(nan", false, 0, false),
    SCORE_CASE("-nan", false, 0, false),
    SCORE_CASE("1 ", false, 0, false),
    SCORE_CASE("((1", false, 0, false),
    SCORE_CASE("[1", false, 0, false),
    SCORE_CASE("1e", false, 0, false),
    SCORE_CASE("abc", false, 0, false),
    SCORE_CASE(" (1", false, 0, false),
    SCORE_CASE("1.5x", false, 0, false),
};

START_TEST(test_parse_score)
{
    const struct score_case *c = &score_cases[_i];
    struct zrange_spec r;
    /* As min and as max, paired with a valid other side. */
    bool ok = zrange_parse_score(c->text, c->len, "10", 2, &r);
    ck_assert_msg(ok == c->ok, "min \"%s\"", c->text);
    if (ok) {
        ck_assert(r.min == c->value);
        ck_assert(r.minex == c->exclusive);
        ck_assert(r.max == 10 && !r.maxex);
    }
    ok = zrange_parse_score("(0", 2, c->text, c->len, &r);
    ck_assert_msg(ok == c->ok, "max \"%s\"", c->text);
    if (ok) {
        ck_assert(r.max == c->value);
        ck_assert(r.maxex == c->exclusive);
        ck_assert(r.min == 0 && r.minex);
    }
}
END_TEST

/* Text longer than the parser's stack buffer takes the allocating path. */
START_TEST(test_parse_score_long_text)
{
    char text[1000];
    memset(text, '0', sizeof(text));
    text[0] = '(';
    text[sizeof(text) - 1] = '7';
    struct zrange_spec r;
    ck_assert(zrange_parse_score(text, sizeof(text), text + 1, sizeof(text) - 1, &r));
    ck_assert(r.min == 7 && r.minex);
    ck_assert(r.max == 7 && !r.maxex);
    text[500] = 'x';
    ck_assert(!zrange_parse_score(text, sizeof(text), "1", 1, &r));
}
END_TEST

struct lex_case {
    const char *text;
    size_t len;
    bool ok;
    enum zlex_bound_kind kind;
    bool exclusive;
    size_t offset; /* where the bound's bytes start in text */
};

#define LEX_CASE(s, ok, kind, ex) {s, sizeof(s) - 1, ok, kind, ex, 1}

static const struct lex_case lex_cases[] = {
    LEX_CASE("[a", true, ZLEX_BOUND_FINITE, false),
    LEX_CASE("(a", true, ZLEX_BOUND_FINITE, true),
    LEX_CASE("[", true, ZLEX_BOUND_FINITE, false),
    LEX_CASE("(", true, ZLEX_BOUND_FINITE, true),
    LEX_CASE("[a\0b", true, ZLEX_BOUND_FINITE, false),
    LEX_CASE("((", true, ZLEX_BOUND_FINITE, true),
    LEX_CASE("-", true, ZLEX_BOUND_NEG_INF, true),
    LEX_CASE("+", true, ZLEX_BOUND_POS_INF, true),
    LEX_CASE("+\0x", true, ZLEX_BOUND_POS_INF, true),
    LEX_CASE("-\0", true, ZLEX_BOUND_NEG_INF, true),
    LEX_CASE("", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE("a", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE("-a", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE("+a", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE("--", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE(" [a", false, ZLEX_BOUND_FINITE, false),
    LEX_CASE("]a", false, ZLEX_BOUND_FINITE, false),
};

static void test_lex_bound_matches(const struct zlex_bound *b, const struct lex_case *c)
{
    ck_assert_int_eq(b->kind, c->kind);
    ck_assert(b->exclusive == c->exclusive);
    if (c->kind == ZLEX_BOUND_FINITE) {
        ck_assert_ptr_eq(b->bytes, c->text + c->offset);
        ck_assert_uint_eq(b->len, c->len - c->offset);
    } else {
        ck_assert_ptr_null(b->bytes);
        ck_assert_uint_eq(b->len, 0);
    }
}

START_TEST(test_parse_lex)
{
    const struct lex_case *c = &lex_cases[_i];
    struct zlex_spec r;
    bool ok = zrange_parse_lex(c->text, c->len, "+", 1, &r);
    ck_assert_msg(ok == c->ok, "min case %d", _i);
    if (ok) {
        test_lex_bound_matches(&r.min, c);
        ck_assert_int_eq(r.max.kind, ZLEX_BOUND_POS_INF);
    }
    ok = zrange_parse_lex("-", 1, c->text, c->len, &r);
    ck_assert_msg(ok == c->ok, "max case %d", _i);
    if (ok) {
        test_lex_bound_matches(&r.max, c);
        ck_assert_int_eq(r.min.kind, ZLEX_BOUND_NEG_INF);
    }
}
END_TEST

/* Parsed specs drive the list end to end, as ZRANGEBYLEX would. */
START_TEST(test_parsed_lex_range_query)
{
    struct zskiplist *zsl = zskiplist_create(31);
    const char *members[] = {"a", "b", "bb", "c", "d"};
    for (int i = 0; i < 5; i++)
        zskiplist_insert(zsl, 0, members[i], strlen(members[i]));
    struct zlex_spec r;
    ck_assert(zrange_parse_lex("(b", 2, "[c", 2, &r));
    ck_assert_str_eq(zskiplist_node_member(zskiplist_first_in_lex_range(zsl, &r)), "bb");
    ck_assert_str_eq(zskiplist_node_member(zskiplist_last_in_lex_range(zsl, &r)), "c");
    ck_assert(zrange_parse_lex("[b", 2, "(b", 2, &r));
    ck_assert_ptr_null(zskiplist_first_in_lex_range(zsl, &r));
    ck_assert(zrange_parse_lex("[b", 2, "[b", 2, &r));
    ck_assert_str_eq(zskiplist_node_member(zskiplist_first_in_lex_range(zsl, &r)), "b");
    ck_assert_str_eq(zskiplist_node_member(zskiplist_last_in_lex_range(zsl, &r)), "b");
    ck_assert(zrange_parse_lex("-", 1, "(bb", 3, &r));
    ck_assert_uint_eq(zskiplist_delete_range_by_lex(zsl, &r, NULL, NULL), 2);
    ck_assert_str_eq(zskiplist_node_member(zskiplist_first(zsl)), "bb");
    struct zrange_spec s;
    ck_assert(zrange_parse_score("-inf", 4, "(0", 2, &s));
    ck_assert_ptr_null(zskiplist_first_in_range(zsl, &s));
    ck_assert(zrange_parse_score("0", 1, "+inf", 4, &s));
    ck_assert_ptr_eq(zskiplist_first_in_range(zsl, &s), zskiplist_first(zsl));
    zskiplist_verify(zsl);
    zskiplist_free(zsl);
}
END_TEST

/* ---- Misuse ---- */

START_TEST(test_insert_duplicate_aborts)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_insert(zsl, 1, "a", 1);
    zskiplist_insert(zsl, 1, "a", 1);
}
END_TEST

START_TEST(test_insert_nan_aborts)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_insert(zsl, NAN, "a", 1);
}
END_TEST

START_TEST(test_update_missing_aborts)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_insert(zsl, 1, "a", 1);
    zskiplist_update_score(zsl, 2, "a", 1, 3);
}
END_TEST

START_TEST(test_update_to_nan_aborts)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_insert(zsl, 1, "a", 1);
    zskiplist_update_score(zsl, 1, "a", 1, NAN);
}
END_TEST

START_TEST(test_delete_rank_zero_aborts)
{
    struct zskiplist *zsl = zskiplist_create(1);
    zskiplist_insert(zsl, 1, "a", 1);
    zskiplist_delete_range_by_rank(zsl, 0, 1, NULL, NULL);
}
END_TEST

static Suite *zskiplist_suite(void)
{
    Suite *s = suite_create("zskiplist");
    TCase *basics = tcase_create("basics");
    tcase_add_test(basics, test_empty_list);
    tcase_add_test(basics, test_equal_scores_order_by_member);
    tcase_add_test(basics, test_signed_zero_ties);
    tcase_add_test(basics, test_long_member_embedded);
    tcase_add_test(basics, test_update_score_keeps_node);
    suite_add_tcase(s, basics);

    TCase *model = tcase_create("model");
    tcase_set_timeout(model, TEST_TIMEOUT_S);
    tcase_add_loop_test(model, test_random_against_model, 0, 4);
    tcase_add_test(model, test_large_sequential);
    tcase_add_test(model, test_level_distribution_and_seed);
    suite_add_tcase(s, model);

    TCase *ranges = tcase_create("ranges");
    tcase_set_timeout(ranges, TEST_TIMEOUT_S);
    tcase_add_test(ranges, test_score_ranges_exhaustive);
    tcase_add_test(ranges, test_score_ranges_random);
    tcase_add_test(ranges, test_lex_ranges_exhaustive);
    tcase_add_test(ranges, test_delete_ranges_random);
    tcase_add_test(ranges, test_delete_ranges_edges);
    suite_add_tcase(s, ranges);

    TCase *syntax = tcase_create("syntax");
    tcase_add_loop_test(syntax, test_parse_score, 0,
                        (int)(sizeof(score_cases) / sizeof(score_cases[0])));
    tcase_add_test(syntax, test_parse_score_long_text);
    tcase_add_loop_test(syntax, test_parse_lex, 0,
                        (int)(sizeof(lex_cases) / sizeof(lex_cases[0])));
    tcase_add_test(syntax, test_parsed_lex_range_query);
    suite_add_tcase(s, syntax);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_insert_duplicate_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_insert_nan_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_update_missing_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_update_to_nan_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_delete_rank_zero_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(zskiplist_suite)
