/* partial_sort_test.c: engine/partial_sort.h puts in the wanted range
 * what a full sort would (checked against qsort over random arrays with
 * many equal keys), and leaves the array a permutation of itself. The
 * order of equal elements is Redis's; the black-box SORT and GEORADIUS
 * tests compare that with redis-server. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "engine/partial_sort.h"
#include "tests/unit.h"

#define N_MAX 500

struct item {
    int key;
    int id;
};

static int by_key(const void *a, const void *b, void *ctx)
{
    (void)ctx;
    const struct item *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int by_key_qsort(const void *a, const void *b)
{
    return by_key(a, b, NULL);
}

START_TEST(test_range_matches_full_sort)
{
    struct test_rng rng;
    test_rng_init(&rng, 0x9505);
    static struct item a[N_MAX], sorted[N_MAX];
    for (int round = 0; round < 3000; round++) {
        int n = 1 + (int)test_rng_below(&rng, N_MAX);
        int distinct = 1 + (int)test_rng_below(&rng, 50);
        for (int i = 0; i < n; i++) {
            a[i].key = (int)test_rng_below(&rng, (uint64_t)distinct);
            a[i].id = i;
        }
        memcpy(sorted, a, sizeof(a[0]) * (size_t)n);
        qsort(sorted, (size_t)n, sizeof(a[0]), by_key_qsort);
        long lo = (long)test_rng_below(&rng, (uint64_t)n);
        long hi = lo + (long)test_rng_below(&rng, (uint64_t)(n - lo));
        partial_sort(a, (size_t)n, sizeof(a[0]), by_key, NULL, lo, hi);
        for (long i = lo; i <= hi; i++)
            TEST_CHECK(a[i].key == sorted[i].key);
        /* Every element is still there once. */
        static bool seen[N_MAX];
        memset(seen, 0, sizeof(seen));
        for (int i = 0; i < n; i++) {
            TEST_CHECK(!seen[a[i].id]);
            seen[a[i].id] = true;
        }
    }
}
END_TEST

START_TEST(test_full_range_sorts_everything)
{
    struct item a[100];
    for (int i = 0; i < 100; i++)
        a[i] = (struct item){.key = (i * 37) % 11, .id = i};
    partial_sort(a, 100, sizeof(a[0]), by_key, NULL, 0, 99);
    for (int i = 1; i < 100; i++)
        ck_assert_int_le(a[i - 1].key, a[i].key);
}
END_TEST

static Suite *partial_sort_suite(void)
{
    Suite *s = suite_create("partial_sort");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_range_matches_full_sort);
    tcase_add_test(tc, test_full_range_sorts_everything);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(partial_sort_suite)
