/* list_test.c: unit tests for engine/list.c.
 *
 * The quicklist is checked against a model (a plain array of strings) under
 * long runs of random operations for several fills, with list_check and the
 * node size limits verified after every step; node boundaries are pinned at
 * the exact fill thresholds. Randomness comes from a seeded xorshift
 * generator, so a failure repeats exactly. */
#include "engine/alloc.h"
#include "engine/list.h"
#include "tests/unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_ELEMENT_BYTES_MAX 600
#define TEST_MODEL_MAX 4000
#define TEST_STEPS 100000
#define TEST_TIMEOUT_S 120

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

struct model_item {
    size_t len;
    char bytes[TEST_ELEMENT_BYTES_MAX];
};

static struct model_item model[TEST_MODEL_MAX];
static size_t model_count;

/* A random element: small integers (stored as listpack integers), short
 * strings from a tiny alphabet (so LREM-like deletes find matches) and
 * occasional long strings that push nodes past their byte limits. */
static void random_element(struct model_item *out)
{
    uint64_t kind = test_rng_below(&rng, 10);
    if (kind < 4) {
        out->len = (size_t)snprintf(out->bytes, sizeof(out->bytes), "%lld",
                                    (long long)test_rng_below(&rng, 2000) - 1000);
    } else if (kind < 9) {
        out->len = 1 + test_rng_below(&rng, 3);
        for (size_t i = 0; i < out->len; i++)
            out->bytes[i] = (char)('a' + test_rng_below(&rng, 2));
    } else {
        out->len = test_rng_below(&rng, TEST_ELEMENT_BYTES_MAX);
        memset(out->bytes, 'x', out->len);
    }
}

static void model_insert(size_t index, const struct model_item *item)
{
    memmove(&model[index + 1], &model[index], (model_count - index) * sizeof(model[0]));
    model[index] = *item;
    model_count++;
}

static void model_remove(size_t index, size_t count)
{
    memmove(&model[index], &model[index + count],
            (model_count - index - count) * sizeof(model[0]));
    model_count -= count;
}

static bool entry_is(const struct list_entry *e, const struct model_item *item)
{
    return e->len == item->len && memcmp(e->str, item->bytes, e->len) == 0;
}

/* Compares the whole list with the model, both directions, and checks the
 * node limits for fill. */
static void compare_with_model(struct list *l, int fill)
{
    list_check(l);
    TEST_CHECK(list_count(l) == model_count);
    struct list_iter it;
    list_iter_init(&it, l, 0, true);
    for (size_t i = 0; i < model_count; i++) {
        struct list_entry e;
        TEST_CHECK(list_iter_valid(&it));
        list_iter_get(&it, &e);
        TEST_CHECK(entry_is(&e, &model[i]));
        list_iter_next(&it);
    }
    TEST_CHECK(!list_iter_valid(&it));
    if (model_count > 0) {
        list_iter_init(&it, l, model_count - 1, false);
        for (size_t i = model_count; i-- > 0;) {
            struct list_entry e;
            list_iter_get(&it, &e);
            TEST_CHECK(entry_is(&e, &model[i]));
            list_iter_next(&it);
        }
        TEST_CHECK(!list_iter_valid(&it));
    }
    for (struct list_node *node = l->head; node != NULL; node = node->next) {
        /* A node may only pass its limit when it holds a single element,
         * or when LSET grew an element in place (not exercised here). */
        if (node->count == 1)
            continue;
        if (fill > 0)
            TEST_CHECK(node->count <= (uint32_t)fill);
    }
}

/* One random operation applied to both the list and the model. In a
 * growing phase half of the steps push, so the list reaches thousands of
 * elements over many nodes; otherwise removals keep it in check. */
static void random_step(struct list *l, bool growing)
{
    struct model_item item;
    uint64_t op = test_rng_below(&rng, 9);
    if (growing && (test_rng_next(&rng) & 1))
        op = 0;
    /* Removing every match of a short element empties a list quickly:
     * keep it rare. */
    if (op == 6 && test_rng_below(&rng, 8) != 0)
        op = 8;
    if (model_count == 0 || (op < 3 && model_count < TEST_MODEL_MAX - 1)) {
        random_element(&item);
        bool head = test_rng_next(&rng) & 1;
        list_push(l, head ? LIST_HEAD : LIST_TAIL, item.bytes, item.len);
        model_insert(head ? 0 : model_count, &item);
        return;
    }
    size_t index = test_rng_below(&rng, model_count);
    struct list_entry e;
    switch (op) {
    case 3: {
        bool head = test_rng_next(&rng) & 1;
        list_peek(l, head ? LIST_HEAD : LIST_TAIL, &e);
        TEST_CHECK(entry_is(&e, &model[head ? 0 : model_count - 1]));
        list_pop(l, head ? LIST_HEAD : LIST_TAIL);
        model_remove(head ? 0 : model_count - 1, 1);
        break;
    }
    case 4:
        random_element(&item);
        list_set(l, index, item.bytes, item.len);
        model[index] = item;
        break;
    case 5: {
        size_t count = test_rng_below(&rng, model_count - index + 1);
        if (count > 20)
            count = count % 20;
        list_delete_range(l, index, count);
        model_remove(index, count);
        break;
    }
    case 6: {
        /* LREM-like: delete matches of one element walking either way. */
        struct model_item target = model[index];
        bool forward = test_rng_next(&rng) & 1;
        struct list_iter it;
        list_iter_init(&it, l, forward ? 0 : model_count - 1, forward);
        size_t pos = forward ? 0 : model_count - 1;
        while (list_iter_valid(&it)) {
            if (list_iter_equals(&it, target.bytes, target.len)) {
                list_iter_delete(&it);
                model_remove(pos, 1);
                if (!forward)
                    pos--;
            } else {
                list_iter_next(&it);
                if (forward)
                    pos++;
                else
                    pos--;
            }
        }
        break;
    }
    case 7:
        if (model_count < TEST_MODEL_MAX - 1) {
            random_element(&item);
            bool after = test_rng_next(&rng) & 1;
            struct list_iter it;
            list_iter_init(&it, l, index, true);
            list_iter_insert(&it, after ? LISTPACK_AFTER : LISTPACK_BEFORE, item.bytes, item.len);
            model_insert(after ? index + 1 : index, &item);
        }
        break;
    default:
        list_get(l, index, &e);
        TEST_CHECK(entry_is(&e, &model[index]));
        break;
    }
}

static void run_model(int fill, uint64_t seed)
{
    test_rng_init(&rng, seed);
    model_count = 0;
    struct list *l = list_new(fill);
    for (int step = 0; step < TEST_STEPS; step++) {
        random_step(l, (step / (TEST_STEPS / 4)) % 2 == 0);
        if (step % 64 == 0 || model_count < 8)
            compare_with_model(l, fill);
    }
    compare_with_model(l, fill);
    struct list *copy = list_copy(l, KV_ENC_QUICKLIST);
    compare_with_model(copy, fill);
    list_free(copy, KV_ENC_QUICKLIST);
    list_free(l, KV_ENC_QUICKLIST);
}

START_TEST(test_model_fill_1)
{
    run_model(1, 0x1234567u);
}
END_TEST

START_TEST(test_model_fill_3)
{
    run_model(3, 0xabcdefu);
}
END_TEST

START_TEST(test_model_fill_128)
{
    run_model(128, 0x5555u);
}
END_TEST

START_TEST(test_model_fill_4kb)
{
    run_model(-1, 0x99u);
}
END_TEST

START_TEST(test_model_fill_8kb)
{
    run_model(-2, 0x4242u);
}
END_TEST

static size_t node_count(const struct list *l)
{
    size_t n = 0;
    for (const struct list_node *node = l->head; node != NULL; node = node->next)
        n++;
    return n;
}

/* With fill 4, the fifth push starts a second node, at either end. */
START_TEST(test_count_fill_threshold)
{
    struct list *l = list_new(4);
    for (int i = 0; i < 4; i++)
        list_push(l, LIST_TAIL, "v", 1);
    ck_assert_uint_eq(node_count(l), 1);
    list_push(l, LIST_TAIL, "v", 1);
    ck_assert_uint_eq(node_count(l), 2);
    ck_assert_uint_eq(l->tail->count, 1);
    for (int i = 0; i < 4; i++)
        list_push(l, LIST_HEAD, "v", 1);
    ck_assert_uint_eq(node_count(l), 3);
    list_check(l);
    list_free(l, KV_ENC_QUICKLIST);
}
END_TEST

/* With fill -1 (4096 bytes), 61-byte strings cost exactly their estimate
 * (1 encoding + 61 + 1 backlen = 63 bytes), so a node holds 64 of them:
 * 7 + 64 * 63 = 4039, and a 65th would make 4102 > 4096. */
START_TEST(test_bytes_fill_threshold)
{
    char element[61];
    memset(element, 'e', sizeof(element));
    struct list *l = list_new(-1);
    for (int i = 0; i < 64; i++)
        list_push(l, LIST_TAIL, element, sizeof(element));
    ck_assert_uint_eq(node_count(l), 1);
    ck_assert_uint_eq(listpack_bytes(l->head->lp), 4039);
    list_push(l, LIST_TAIL, element, sizeof(element));
    ck_assert_uint_eq(node_count(l), 2);
    list_free(l, KV_ENC_QUICKLIST);
}
END_TEST

/* Positive fills still stop at LIST_NODE_SAFETY_BYTES; out-of-range fills
 * are clamped as Redis clamps them. */
START_TEST(test_safety_limit_and_clamp)
{
    char element[1000];
    memset(element, 's', sizeof(element));
    struct list *l = list_new(1000);
    for (int i = 0; i < 9; i++)
        list_push(l, LIST_TAIL, element, sizeof(element));
    ck_assert_uint_eq(node_count(l), 2);
    ck_assert_uint_eq(l->head->count, 8);
    list_free(l, KV_ENC_QUICKLIST);
    l = list_new(-100);
    ck_assert_int_eq(l->fill, LIST_FILL_MIN);
    list_free(l, KV_ENC_QUICKLIST);
    l = list_new(1LL << 40);
    ck_assert_int_eq(l->fill, LIST_FILL_MAX);
    list_free(l, KV_ENC_QUICKLIST);
}
END_TEST

/* Integers come back as their decimal text. */
START_TEST(test_integer_text)
{
    struct list *l = list_new(-2);
    list_push(l, LIST_TAIL, "-9223372036854775808", 20);
    list_push(l, LIST_TAIL, "007", 3);
    struct list_entry e;
    list_get(l, 0, &e);
    ck_assert_uint_eq(e.len, 20);
    ck_assert(memcmp(e.str, "-9223372036854775808", 20) == 0);
    list_get(l, 1, &e);
    ck_assert(e.len == 3 && memcmp(e.str, "007", 3) == 0);
    list_free(l, KV_ENC_QUICKLIST);
}
END_TEST

static Suite *list_suite(void)
{
    Suite *s = suite_create("list");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_model_fill_1);
    tcase_add_test(tc, test_model_fill_3);
    tcase_add_test(tc, test_model_fill_128);
    tcase_add_test(tc, test_model_fill_4kb);
    tcase_add_test(tc, test_model_fill_8kb);
    suite_add_tcase(s, tc);
    tc = tcase_create("thresholds");
    tcase_add_test(tc, test_count_fill_threshold);
    tcase_add_test(tc, test_bytes_fill_threshold);
    tcase_add_test(tc, test_safety_limit_and_clamp);
    tcase_add_test(tc, test_integer_text);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(list_suite)
