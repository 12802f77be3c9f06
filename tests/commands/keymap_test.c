/* keymap_test.c: the (db id, key) -> node map of net/commands/keymap.c, as WATCH and
 * the blocking commands use it: keys told apart by database and by every
 * byte, the node's own key copy, removal (also while iterating), growth
 * past the initial table, and clearing with the caller's release. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/keymap.h"
#include "tests/unit.h"

#define MANY_KEYS 5000
#define MANY_DBS 16

/* A caller's node, as blocking.c and transaction.c declare theirs. */
struct test_node {
    struct keymap_node node;
    int value;
    int *owned; /* freed by test_release, as a caller's arrays are */
};

static int released_count;

static void test_release(struct keymap_node *node)
{
    struct test_node *t = (struct test_node *)node;
    alloc_free(t->owned);
    released_count++;
}

static struct test_node *add(struct keymap *m, int db_id, const char *key, size_t key_len)
{
    struct keymap_node *node = keymap_add(m, db_id, key, key_len, sizeof(struct test_node));
    return (struct test_node *)node;
}

START_TEST(test_find_by_db_and_bytes)
{
    struct keymap m;
    keymap_init(&m);
    ck_assert_ptr_null(keymap_find(&m, 0, "k", 1));
    struct test_node *a = add(&m, 0, "k", 1);
    struct test_node *b = add(&m, 1, "k", 1);
    /* Keys that differ only past a NUL, or only in length. */
    struct test_node *c = add(&m, 0, "k\0x", 3);
    struct test_node *d = add(&m, 0, "k\0", 2);
    struct test_node *e = add(&m, 0, "", 0);
    ck_assert_uint_eq(keymap_size(&m), 5);
    ck_assert_ptr_eq(keymap_find(&m, 0, "k", 1), &a->node);
    ck_assert_ptr_eq(keymap_find(&m, 1, "k", 1), &b->node);
    ck_assert_ptr_eq(keymap_find(&m, 0, "k\0x", 3), &c->node);
    ck_assert_ptr_eq(keymap_find(&m, 0, "k\0", 2), &d->node);
    ck_assert_ptr_eq(keymap_find(&m, 0, "", 0), &e->node);
    ck_assert_ptr_null(keymap_find(&m, 2, "k", 1));
    ck_assert_ptr_null(keymap_find(&m, 0, "K", 1));
    /* The caller's fields start zeroed; the map's are set. */
    ck_assert_int_eq(c->value, 0);
    ck_assert_ptr_null(c->owned);
    ck_assert_int_eq(c->node.db_id, 0);
    ck_assert_uint_eq(c->node.key_len, 3);
    ck_assert_mem_eq(c->node.key, "k\0x", 3);
    keymap_clear(&m, NULL);
    ck_assert_uint_eq(keymap_size(&m), 0);
}
END_TEST

START_TEST(test_key_is_copied)
{
    struct keymap m;
    keymap_init(&m);
    char key[] = "watched";
    struct test_node *t = add(&m, 3, key, strlen(key));
    ck_assert_ptr_ne(t->node.key, key);
    memset(key, 'x', strlen(key));
    ck_assert_ptr_eq(keymap_find(&m, 3, "watched", 7), &t->node);
    ck_assert_ptr_null(keymap_find(&m, 3, key, strlen(key)));
    keymap_clear(&m, NULL);
}
END_TEST

START_TEST(test_remove)
{
    struct keymap m;
    keymap_init(&m);
    struct test_node *a = add(&m, 0, "a", 1);
    struct test_node *b = add(&m, 0, "b", 1);
    keymap_remove(&m, &a->node);
    ck_assert_uint_eq(keymap_size(&m), 1);
    ck_assert_ptr_null(keymap_find(&m, 0, "a", 1));
    ck_assert_ptr_eq(keymap_find(&m, 0, "b", 1), &b->node);
    /* A removed key can come back as a new node. */
    struct test_node *again = add(&m, 0, "a", 1);
    ck_assert_ptr_eq(keymap_find(&m, 0, "a", 1), &again->node);
    keymap_remove(&m, &b->node);
    keymap_remove(&m, &again->node);
    ck_assert_uint_eq(keymap_size(&m), 0);
    keymap_clear(&m, NULL);
}
END_TEST

static int key_of(int i, char *buf, size_t cap)
{
    return snprintf(buf, cap, "key:%d", i);
}

/* Many keys across databases: the table grows, every key stays findable,
 * and removing half leaves exactly the other half. */
START_TEST(test_growth_and_iteration)
{
    struct keymap m;
    keymap_init(&m);
    char buf[32];
    for (int i = 0; i < MANY_KEYS; i++) {
        int len = key_of(i, buf, sizeof(buf));
        add(&m, i % MANY_DBS, buf, (size_t)len)->value = i;
    }
    ck_assert_uint_eq(keymap_size(&m), MANY_KEYS);
    for (int i = 0; i < MANY_KEYS; i++) {
        int len = key_of(i, buf, sizeof(buf));
        struct test_node *t =
            (struct test_node *)keymap_find(&m, i % MANY_DBS, buf, (size_t)len);
        TEST_CHECK(t != NULL);
        TEST_CHECK(t->value == i);
        TEST_CHECK(keymap_find(&m, (i + 1) % MANY_DBS, buf, (size_t)len) == NULL);
    }
    /* Remove the odd values while iterating, as a caller may. */
    struct keymap_iter it;
    keymap_iter_init(&it, &m);
    int seen = 0;
    for (struct keymap_node *node; (node = keymap_iter_next(&it));) {
        seen++;
        if (((struct test_node *)node)->value % 2)
            keymap_remove(&m, node);
    }
    keymap_iter_done(&it);
    ck_assert_int_eq(seen, MANY_KEYS);
    ck_assert_uint_eq(keymap_size(&m), MANY_KEYS / 2);
    for (int i = 0; i < MANY_KEYS; i++) {
        int len = key_of(i, buf, sizeof(buf));
        bool present = keymap_find(&m, i % MANY_DBS, buf, (size_t)len) != NULL;
        TEST_CHECK(present == (i % 2 == 0));
    }
    keymap_clear(&m, NULL);
}
END_TEST

START_TEST(test_clear_releases_every_node)
{
    struct keymap m;
    keymap_init(&m);
    released_count = 0;
    for (int i = 0; i < 100; i++) {
        char buf[32];
        int len = key_of(i, buf, sizeof(buf));
        add(&m, 0, buf, (size_t)len)->owned = alloc_bytes(sizeof(int));
    }
    keymap_clear(&m, test_release);
    ck_assert_int_eq(released_count, 100);
    ck_assert_uint_eq(keymap_size(&m), 0);
    /* Reusable after a clear. */
    add(&m, 0, "k", 1);
    ck_assert_ptr_nonnull(keymap_find(&m, 0, "k", 1));
    keymap_clear(&m, test_release);
    ck_assert_int_eq(released_count, 101);
}
END_TEST

/* A deterministic "random" source: a counter's splitmix64. */
static uint64_t test_rand_state;
static uint64_t test_rand64(void)
{
    uint64_t z = (test_rand_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

START_TEST(test_random)
{
    struct keymap m;
    keymap_init(&m);
    ck_assert_ptr_null(keymap_random(&m, test_rand64));
    for (int i = 0; i < 64; i++) {
        char buf[32];
        int len = key_of(i, buf, sizeof(buf));
        add(&m, i % 3, buf, (size_t)len)->value = i;
    }
    /* Every pick is a node of the map; over many picks, most of them come up. */
    bool seen[64] = {false};
    int distinct = 0;
    for (int round = 0; round < 2000; round++) {
        struct test_node *t = (struct test_node *)keymap_random(&m, test_rand64);
        ck_assert_ptr_nonnull(t);
        ck_assert_ptr_eq(keymap_find(&m, t->node.db_id, t->node.key, t->node.key_len), &t->node);
        distinct += !seen[t->value];
        seen[t->value] = true;
    }
    ck_assert_int_gt(distinct, 48);
    keymap_clear(&m, NULL);
    ck_assert_ptr_null(keymap_random(&m, test_rand64));
}
END_TEST

START_TEST(test_add_present_key_aborts)
{
    struct keymap m;
    keymap_init(&m);
    add(&m, 0, "k", 1);
    add(&m, 0, "k", 1);
}
END_TEST

START_TEST(test_add_small_node_aborts)
{
    struct keymap m;
    keymap_init(&m);
    keymap_add(&m, 0, "k", 1, sizeof(struct keymap_node) - 1);
}
END_TEST

static Suite *keymap_suite(void)
{
    Suite *s = suite_create("keymap");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_find_by_db_and_bytes);
    tcase_add_test(tc, test_key_is_copied);
    tcase_add_test(tc, test_remove);
    tcase_add_test(tc, test_growth_and_iteration);
    tcase_add_test(tc, test_clear_releases_every_node);
    tcase_add_test(tc, test_random);
    tcase_add_test_raise_signal(tc, test_add_present_key_aborts, SIGABRT);
    tcase_add_test_raise_signal(tc, test_add_small_node_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(keymap_suite)
