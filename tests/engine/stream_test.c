/* stream_test.c: unit tests for engine/stream.c.
 *
 * The golden node was captured once from a real redis-server 7.0.15 (an
 * uncompressed SAVE of a stream built with XADD and XDEL, its first node's
 * listpack pasted here as hex): the test builds the same stream and
 * compares the bytes, which pins the node layout, SAMEFIELDS, the
 * lp-count and the deletion flags. Seeded random models check the ID map
 * against a sorted array and iteration / trimming against a plain list of
 * IDs, and stream_node_validate is fed corrupted nodes. */
#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "engine/listpack.h"
#include "engine/rdb.h"
#include "engine/stream.h"
#include "tests/engine/hex.h"
#include "tests/unit.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_TIMEOUT_S 120
#define TEST_MODEL_OPS 20000
#define TEST_STREAM_ENTRIES 2000

static struct test_rng rng;

static const struct stream_limits limits_default = {4096, 100};

static void test_add(struct stream *s, uint64_t ms, uint64_t seq, const char *const *fv,
                     size_t nfields, const struct stream_limits *lim)
{
    struct stream_field f[8];
    ck_assert_uint_le(nfields * 2, 8);
    for (size_t i = 0; i < nfields * 2; i++)
        f[i] = (struct stream_field){fv[i], strlen(fv[i])};
    struct stream_id id = {ms, seq};
    stream_append(s, &id, f, nfields, lim);
}

/* XADD s 1-1 a 1 b 2; XADD s 1-2 a 3 b 4; XADD s 1-3 c 3; XDEL s 1-2
 * with stream-node-max-entries 3: the first node as Redis 7.0.15 saved it. */
START_TEST(test_node_bytes_match_redis)
{
    static const char golden[] =
        "3c00000019000201010102018161028162020001020100010001010102010501030100010101030104"
        "010501000100010201010181630203010601ff";
    struct stream_limits lim = {4096, 3};
    struct stream *s = stream_new();
    test_add(s, 1, 1, (const char *const[]){"a", "1", "b", "2"}, 2, &lim);
    test_add(s, 1, 2, (const char *const[]){"a", "3", "b", "4"}, 2, &lim);
    test_add(s, 1, 3, (const char *const[]){"c", "3"}, 1, &lim);
    test_add(s, 2, 0, (const char *const[]){"a", "100000", "b", "hello"}, 2, &lim);
    ck_assert_uint_eq(s->node_count, 2);
    ck_assert(stream_delete(s, &(struct stream_id){1, 2}));
    size_t len;
    unsigned char *want = test_hex_decode(golden, &len);
    ck_assert_uint_eq(listpack_bytes(s->nodes[0].lp), len);
    ck_assert(memcmp(s->nodes[0].lp, want, len) == 0);
    ck_assert_uint_eq(s->nodes[0].master.ms, 1);
    ck_assert_uint_eq(s->nodes[0].master.seq, 1);
    ck_assert_uint_eq(s->length, 3);
    ck_assert_uint_eq(s->entries_added, 4);
    ck_assert(stream_node_validate(s->nodes[0].lp, len, &s->nodes[0].master, true, NULL));
    alloc_free(want);
    stream_free(s);
}
END_TEST

/* Entry text read back through an iterator. */
static void test_check_entry(struct stream_iter *it, int64_t nfields, uint64_t ms)
{
    ck_assert_int_eq(nfields, 2);
    struct stream_text f, v;
    char want[32];
    stream_iter_field(it, &f, &v);
    ck_assert(f.len == 1 && f.ptr[0] == 'f');
    snprintf(want, sizeof(want), "%llu", (unsigned long long)ms);
    ck_assert(v.len == strlen(want) && memcmp(v.ptr, want, v.len) == 0);
    stream_iter_field(it, &f, &v);
    ck_assert(f.len == (ms % 3 == 0 ? 5 : 1));
    ck_assert(v.len == 1 && v.ptr[0] == 'x');
}

static struct stream *test_build(uint64_t n, const struct stream_limits *lim)
{
    struct stream *s = stream_new();
    for (uint64_t i = 1; i <= n; i++) {
        char num[24];
        snprintf(num, sizeof(num), "%llu", (unsigned long long)i);
        /* Every third entry has other field names (no SAMEFIELDS). */
        const char *second = i % 3 == 0 ? "other" : "g";
        test_add(s, i, 0, (const char *const[]){"f", num, second, "x"}, 2, lim);
    }
    return s;
}

START_TEST(test_iterate_forward_backward_and_ranges)
{
    test_rng_init(&rng, 0x5e9a);
    struct stream *s = test_build(TEST_STREAM_ENTRIES, &limits_default);
    ck_assert_uint_eq(s->node_count, TEST_STREAM_ENTRIES / 100);
    struct stream_iter it;
    struct stream_id id;
    int64_t nf;
    uint64_t expect = 1;
    stream_iter_start(&it, s, NULL, NULL, false);
    while (stream_iter_next(&it, &id, &nf)) {
        ck_assert_uint_eq(id.ms, expect);
        test_check_entry(&it, nf, expect);
        expect++;
    }
    ck_assert_uint_eq(expect, TEST_STREAM_ENTRIES + 1);
    stream_iter_start(&it, s, NULL, NULL, true);
    while (stream_iter_next(&it, &id, &nf)) {
        expect--;
        ck_assert_uint_eq(id.ms, expect);
        test_check_entry(&it, nf, expect);
    }
    ck_assert_uint_eq(expect, 1);
    /* Ranges crossing node boundaries, both ways. */
    for (int round = 0; round < 200; round++) {
        uint64_t a = test_rng_next(&rng) % (TEST_STREAM_ENTRIES + 10);
        uint64_t b = test_rng_next(&rng) % (TEST_STREAM_ENTRIES + 10);
        struct stream_id start = {a, 0}, end = {b, 0};
        bool rev = round % 2;
        uint64_t got = 0, prev = rev ? UINT64_MAX : 0;
        stream_iter_start(&it, s, &start, &end, rev);
        while (stream_iter_next(&it, &id, &nf)) {
            ck_assert(id.ms >= a && id.ms <= b);
            ck_assert(rev ? id.ms < prev : id.ms > prev);
            prev = id.ms;
            got++;
        }
        uint64_t lo = a < 1 ? 1 : a, hi = b > TEST_STREAM_ENTRIES ? TEST_STREAM_ENTRIES : b;
        ck_assert_uint_eq(got, lo <= hi ? hi - lo + 1 : 0);
    }
    stream_free(s);
}
END_TEST

START_TEST(test_node_split_rules)
{
    /* By bytes: a node closes once its bytes plus the new fields reach the
     * limit. */
    struct stream_limits by_bytes = {200, 0};
    struct stream *s = test_build(100, &by_bytes);
    ck_assert_uint_gt(s->node_count, 1);
    for (size_t i = 0; i < s->node_count; i++)
        ck_assert_uint_lt(listpack_bytes(s->nodes[i].lp), 200 + 16);
    stream_free(s);
    /* No limits: one node. */
    struct stream_limits none = {0, 0};
    s = test_build(1000, &none);
    ck_assert_uint_eq(s->node_count, 1);
    stream_free(s);
    /* Deleted entries count toward the entry limit. */
    struct stream_limits three = {4096, 3};
    s = test_build(3, &three);
    ck_assert(stream_delete(s, &(struct stream_id){2, 0}));
    test_add(s, 10, 0, (const char *const[]){"f", "10", "g", "x"}, 2, &three);
    ck_assert_uint_eq(s->node_count, 2);
    stream_free(s);
}
END_TEST

START_TEST(test_delete_and_trim_model)
{
    test_rng_init(&rng, 0x57ea11);
    for (int round = 0; round < 20; round++) {
        struct stream_limits lim = {4096, 1 + (long long)(test_rng_next(&rng) % 20)};
        uint64_t n = 1 + test_rng_next(&rng) % 400;
        struct stream *s = test_build(n, &lim);
        bool *live = calloc(n + 2, sizeof(bool));
        for (uint64_t i = 1; i <= n; i++)
            live[i] = true;
        uint64_t count = n;
        for (int d = 0; d < (int)(n / 3); d++) {
            uint64_t victim = 1 + test_rng_next(&rng) % n;
            bool was = live[victim];
            ck_assert(stream_delete(s, &(struct stream_id){victim, 0}) == was);
            if (was) {
                live[victim] = false;
                count--;
            }
        }
        ck_assert_uint_eq(s->length, count);
        /* Exact MAXLEN keeps the newest entries. */
        uint64_t maxlen = test_rng_next(&rng) % (count + 1);
        struct stream_trim t = {.strategy = STREAM_TRIM_MAXLEN, .maxlen = maxlen};
        int64_t removed = stream_trim(s, &t);
        ck_assert_int_eq(removed, (int64_t)(count - maxlen));
        ck_assert_uint_eq(s->length, maxlen);
        uint64_t keep = maxlen;
        for (uint64_t i = n; i >= 1; i--) {
            if (!live[i])
                continue;
            if (keep > 0)
                keep--;
            else
                live[i] = false;
        }
        struct stream_iter it;
        struct stream_id id;
        int64_t nf;
        uint64_t seen = 0;
        stream_iter_start(&it, s, NULL, NULL, false);
        while (stream_iter_next(&it, &id, &nf)) {
            ck_assert(live[id.ms]);
            seen++;
        }
        ck_assert_uint_eq(seen, maxlen);
        /* Exact MINID drops everything below it. */
        uint64_t minid = 1 + test_rng_next(&rng) % (n + 1);
        t = (struct stream_trim){.strategy = STREAM_TRIM_MINID, .minid = {minid, 0}};
        stream_trim(s, &t);
        stream_iter_start(&it, s, NULL, NULL, false);
        while (stream_iter_next(&it, &id, &nf))
            ck_assert_uint_ge(id.ms, minid);
        if (s->length) {
            struct stream_id first;
            ck_assert(stream_edge_id(s, true, &first));
            ck_assert_uint_eq(first.ms, s->first_id.ms);
        }
        free(live);
        stream_free(s);
    }
}
END_TEST

START_TEST(test_approx_trim_removes_whole_nodes_only)
{
    struct stream_limits lim = {4096, 10};
    struct stream *s = test_build(95, &lim);
    struct stream_trim t = {.strategy = STREAM_TRIM_MAXLEN, .approx = true, .maxlen = 33};
    ck_assert_int_eq(stream_trim(s, &t), 60);
    ck_assert_uint_eq(s->length, 35);
    ck_assert_uint_eq(s->first_id.ms, 61);
    /* LIMIT stops before a node that would pass it. */
    t = (struct stream_trim){.strategy = STREAM_TRIM_MAXLEN, .approx = true, .maxlen = 0,
                             .limit = 15};
    ck_assert_int_eq(stream_trim(s, &t), 10);
    stream_free(s);
}
END_TEST

START_TEST(test_idmap_model)
{
    test_rng_init(&rng, 0x1d3a9);
    struct stream_idmap m;
    stream_idmap_init(&m);
    enum { RANGE = 500 };
    bool present[RANGE] = {false};
    for (int op = 0; op < TEST_MODEL_OPS; op++) {
        uint64_t k = test_rng_next(&rng) % RANGE;
        struct stream_id id = {k / 10, k % 10};
        if (test_rng_next(&rng) % 3) {
            bool added = stream_idmap_insert(&m, &id, (void *)(uintptr_t)(k + 1));
            ck_assert(added == !present[k]);
            present[k] = true;
        } else {
            void *v = stream_idmap_remove(&m, &id);
            ck_assert(present[k] ? v == (void *)(uintptr_t)(k + 1) : v == NULL);
            present[k] = false;
        }
    }
    uint64_t count = 0, k = 0;
    for (struct stream_idmap_node *n = stream_idmap_seek(&m, NULL); n; n = stream_idmap_next(n)) {
        const struct stream_id *id = stream_idmap_node_id(n);
        uint64_t key = id->ms * 10 + id->seq;
        while (k < key)
            ck_assert(!present[k++]);
        ck_assert(present[k++]);
        count++;
    }
    ck_assert_uint_eq(count, m.count);
    struct stream_idmap_node *last = stream_idmap_last(&m);
    if (count) {
        uint64_t hi = RANGE - 1;
        while (!present[hi])
            hi--;
        ck_assert_uint_eq(stream_idmap_node_id(last)->ms * 10 + stream_idmap_node_id(last)->seq,
                          hi);
    }
    /* seek lands on the first ID >= the probe. */
    struct stream_idmap_node *n = stream_idmap_seek(&m, &(struct stream_id){25, 5});
    uint64_t probe = 255;
    while (probe < RANGE && !present[probe])
        probe++;
    if (probe < RANGE)
        ck_assert_uint_eq(stream_idmap_node_id(n)->ms * 10 + stream_idmap_node_id(n)->seq, probe);
    else
        ck_assert_ptr_null(n);
    stream_idmap_clear(&m);
}
END_TEST

START_TEST(test_groups_consumers_and_pel)
{
    struct stream *s = test_build(10, &limits_default);
    struct stream_id zero = {0, 0};
    ck_assert_ptr_nonnull(stream_group_create(s, "b", 1, &zero, 0));
    ck_assert_ptr_nonnull(stream_group_create(s, "a", 1, &zero, 0));
    ck_assert_ptr_nonnull(stream_group_create(s, "ab", 2, &zero, 0));
    ck_assert_ptr_null(stream_group_create(s, "a", 1, &zero, 0));
    /* Bytewise order, a prefix first (rax order). */
    ck_assert_str_eq(s->groups[0]->name, "a");
    ck_assert_str_eq(s->groups[1]->name, "ab");
    ck_assert_str_eq(s->groups[2]->name, "b");
    struct stream_group *g = stream_group_find(s, "ab", 2);
    struct stream_consumer *c1 = stream_consumer_create(g, "c1", 2, 100);
    struct stream_consumer *c2 = stream_consumer_create(g, "c2", 2, 100);
    ck_assert_ptr_null(stream_consumer_create(g, "c1", 2, 100));
    for (uint64_t i = 1; i <= 5; i++)
        ck_assert_ptr_nonnull(stream_nack_add(g, i % 2 ? c1 : c2, &(struct stream_id){i, 0}, 7, 1));
    ck_assert_ptr_null(stream_nack_add(g, c1, &(struct stream_id){1, 0}, 7, 1));
    ck_assert_uint_eq(g->pel.count, 5);
    ck_assert_uint_eq(c1->pel.count, 3);
    struct stream_nack *nack = stream_idmap_find(&g->pel, &(struct stream_id){2, 0});
    stream_nack_move(nack, c1);
    ck_assert_uint_eq(c1->pel.count, 4);
    ck_assert_uint_eq(c2->pel.count, 1);
    ck_assert(stream_nack_ack(g, &(struct stream_id){3, 0}));
    ck_assert(!stream_nack_ack(g, &(struct stream_id){3, 0}));
    ck_assert_int_eq(stream_consumer_delete(g, "c1", 2), 3);
    ck_assert_uint_eq(g->pel.count, 1);
    ck_assert_int_eq(stream_consumer_delete(g, "c1", 2), -1);
    /* A deep copy shares nothing. */
    struct stream *copy = stream_copy(s);
    struct stream_group *cg = stream_group_find(copy, "ab", 2);
    ck_assert_ptr_ne(cg, g);
    ck_assert_uint_eq(cg->pel.count, 1);
    ck_assert(stream_group_destroy(s, "ab", 2));
    ck_assert(!stream_group_destroy(s, "ab", 2));
    ck_assert_uint_eq(copy->group_count, 3);
    ck_assert_uint_eq(copy->length, 10);
    stream_free(copy);
    stream_free(s);
}
END_TEST

START_TEST(test_lag_bookkeeping)
{
    struct stream *s = test_build(10, &limits_default);
    struct stream_group g = {.last_id = {5, 0}, .entries_read = 5};
    long long lag;
    ck_assert(stream_group_lag(s, &g, &lag));
    ck_assert_int_eq(lag, 5);
    /* A tombstone after the group's position makes the counter unknown. */
    ck_assert(stream_delete(s, &(struct stream_id){7, 0}));
    s->max_deleted_id = (struct stream_id){7, 0};
    ck_assert(stream_range_has_tombstones(s, &g.last_id, NULL));
    g.entries_read = STREAM_ENTRIES_READ_INVALID;
    ck_assert(!stream_group_lag(s, &g, &lag));
    ck_assert_int_eq(stream_estimate_distance(s, &(struct stream_id){10, 0}), 10);
    ck_assert_int_eq(stream_estimate_distance(s, &(struct stream_id){11, 0}),
                     STREAM_ENTRIES_READ_INVALID);
    stream_free(s);
}
END_TEST

START_TEST(test_node_validate_rejects)
{
    struct stream *s = test_build(5, &limits_default);
    unsigned char *lp = s->nodes[0].lp;
    size_t len = listpack_bytes(lp);
    ck_assert(stream_node_validate(lp, len, &s->nodes[0].master, true, NULL));
    /* Corrupt the live count, the lp-count and a flag in turn. */
    unsigned char *bad = listpack_from_bytes(lp, len);
    unsigned char *p = listpack_first(bad);
    bad = listpack_replace_integer(bad, &p, 4);
    ck_assert(!stream_node_validate(bad, listpack_bytes(bad), &s->nodes[0].master, true, NULL));
    listpack_free(bad);
    bad = listpack_from_bytes(lp, len);
    p = listpack_last(bad);
    bad = listpack_replace_integer(bad, &p, 99);
    ck_assert(!stream_node_validate(bad, listpack_bytes(bad), &s->nodes[0].master, true, NULL));
    listpack_free(bad);
    bad = listpack_from_bytes(lp, len);
    p = listpack_last(bad);
    bad = listpack_replace(bad, &p, "x", 1);
    ck_assert(!stream_node_validate(bad, listpack_bytes(bad), &s->nodes[0].master, true, NULL));
    listpack_free(bad);
    /* An empty listpack is no node. */
    bad = listpack_new();
    ck_assert(!stream_node_validate(bad, listpack_bytes(bad), &s->nodes[0].master, true, NULL));
    listpack_free(bad);
    stream_free(s);
}
END_TEST

START_TEST(test_id_helpers)
{
    struct stream_id id = {5, UINT64_MAX};
    ck_assert(stream_id_incr(&id));
    ck_assert(id.ms == 6 && id.seq == 0);
    ck_assert(stream_id_decr(&id));
    ck_assert(id.ms == 5 && id.seq == UINT64_MAX);
    struct stream_id max = {UINT64_MAX, UINT64_MAX}, zero = {0, 0};
    ck_assert(!stream_id_incr(&max));
    ck_assert(!stream_id_decr(&zero));
    unsigned char raw[16];
    struct stream_id back, a = {0x0102030405060708ULL, 0x1112131415161718ULL};
    stream_id_encode(&a, raw);
    ck_assert_uint_eq(raw[0], 1);
    ck_assert_uint_eq(raw[15], 0x18);
    stream_id_decode(raw, &back);
    ck_assert_int_eq(stream_id_cmp(&a, &back), 0);
    char text[48];
    ck_assert_uint_eq(stream_id_format(&max, text), 41);
    ck_assert_str_eq(text, "18446744073709551615-18446744073709551615");
}
END_TEST


/* ---- RDB: the older (v1, Redis 5-6.2) and newer (v3, 7.2) stream types ---- */

struct test_buf {
    unsigned char data[1024];
    size_t len;
};

static void buf_put(struct test_buf *b, const void *p, size_t n)
{
    ck_assert_uint_le(b->len + n, sizeof(b->data));
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_byte(struct test_buf *b, unsigned char v)
{
    buf_put(b, &v, 1);
}

static void buf_le64(struct test_buf *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        buf_byte(b, (unsigned char)(v >> (8 * i)));
}

static void buf_id_raw(struct test_buf *b, uint64_t ms, uint64_t seq)
{
    unsigned char raw[16];
    stream_id_encode(&(struct stream_id){ms, seq}, raw);
    buf_put(b, raw, 16);
}

/* An RDB holding stream "s" with the golden node (1-1, 1-3 live), group
 * "g" at 1-1 with 1-1 pending for consumer "c", in RDB type `type`;
 * lengths below 64 take one byte. */
static void test_rdb_stream(struct test_buf *b, int type)
{
    static const char golden[] =
        "3c00000019000201010102018161028162020001020100010001010102010501030100010101030104"
        "010501000100010201010181630203010601ff";
    size_t lp_len;
    unsigned char *lp = test_hex_decode(golden, &lp_len);
    b->len = 0;
    buf_put(b, type == RDB_TYPE_STREAM_LISTPACKS ? "REDIS0009" : "REDIS0011", 9);
    buf_byte(b, 0xFE);
    buf_byte(b, 0);
    buf_byte(b, (unsigned char)type);
    buf_byte(b, 1);
    buf_byte(b, 's');
    buf_byte(b, 1); /* one node */
    buf_byte(b, 16);
    buf_id_raw(b, 1, 1);
    buf_byte(b, (unsigned char)lp_len);
    buf_put(b, lp, lp_len);
    buf_byte(b, 2); /* length */
    buf_byte(b, 1); /* last ID 1-3 */
    buf_byte(b, 3);
    if (type != RDB_TYPE_STREAM_LISTPACKS) {
        buf_byte(b, 1); /* first ID 1-1 */
        buf_byte(b, 1);
        buf_byte(b, 1); /* max deleted 1-2 */
        buf_byte(b, 2);
        buf_byte(b, 3); /* entries added */
    }
    buf_byte(b, 1); /* one group */
    buf_byte(b, 1);
    buf_byte(b, 'g');
    buf_byte(b, 1); /* last delivered 1-1 */
    buf_byte(b, 1);
    if (type != RDB_TYPE_STREAM_LISTPACKS)
        buf_byte(b, 1); /* entries read */
    buf_byte(b, 1); /* global PEL */
    buf_id_raw(b, 1, 1);
    buf_le64(b, 1700000000000ULL);
    buf_byte(b, 4); /* delivery count */
    buf_byte(b, 1); /* one consumer */
    buf_byte(b, 1);
    buf_byte(b, 'c');
    buf_le64(b, 1700000000111ULL);
    if (type == RDB_TYPE_STREAM_LISTPACKS_3)
        buf_le64(b, 1700000000222ULL);
    buf_byte(b, 1);
    buf_id_raw(b, 1, 1);
    buf_byte(b, 0xFF);
    buf_le64(b, 0); /* no checksum: deep validation */
    alloc_free(lp);
}

static struct stream *test_load_stream(struct keyspace *ks, const struct test_buf *b,
                                       enum rdb_load_result want)
{
    struct rdb_source src;
    struct rdb_load_info info;
    rdb_source_init_memory(&src, b->data, b->len);
    struct rdb_load_options opt = {.limits = &ks->limits, .now_ms = 0, .keep_expired = true};
    enum rdb_load_result r = rdb_load(&src, ks, &opt, &info);
    rdb_source_free(&src);
    ck_assert_msg(r == want, "load: %s", info.error_text);
    if (r != RDB_LOAD_OK)
        return NULL;
    struct kv *kv = db_lookup(&ks->dbs[0], "s", 1, DB_LOOKUP_NOTOUCH);
    ck_assert_ptr_nonnull(kv);
    ck_assert_int_eq(kv->type, KV_STREAM);
    return kv_object(kv);
}

START_TEST(test_rdb_load_v1_v2_v3)
{
    const int types[] = {RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2,
                         RDB_TYPE_STREAM_LISTPACKS_3};
    for (size_t t = 0; t < 3; t++) {
        struct keyspace ks;
        keyspace_init(&ks, 16);
        struct test_buf b;
        test_rdb_stream(&b, types[t]);
        struct stream *s = test_load_stream(&ks, &b, RDB_LOAD_OK);
        ck_assert_uint_eq(s->length, 2);
        ck_assert_uint_eq(s->last_id.seq, 3);
        ck_assert_uint_eq(s->first_id.ms, 1);
        ck_assert_uint_eq(s->first_id.seq, 1);
        struct stream_group *g = stream_group_find(s, "g", 1);
        ck_assert_ptr_nonnull(g);
        struct stream_consumer *c = stream_consumer_find(g, "c", 1);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(c->seen_time, 1700000000111LL);
        struct stream_nack *nack = stream_idmap_find(&g->pel, &(struct stream_id){1, 1});
        ck_assert_ptr_eq(nack->consumer, c);
        ck_assert_uint_eq(nack->delivery_count, 4);
        ck_assert_int_eq(nack->delivery_time, 1700000000000LL);
        if (types[t] == RDB_TYPE_STREAM_LISTPACKS) {
            /* v1 knows no counters: entries_added is the length, the
             * tombstone is unknown and the group's counter estimated. */
            ck_assert_uint_eq(s->entries_added, 2);
            ck_assert(stream_id_is_zero(&s->max_deleted_id));
            ck_assert_int_eq(g->entries_read, 1);
        } else {
            ck_assert_uint_eq(s->entries_added, 3);
            ck_assert_uint_eq(s->max_deleted_id.seq, 2);
            ck_assert_int_eq(g->entries_read, 1);
        }
        ck_assert_int_eq(c->active_time,
                         types[t] == RDB_TYPE_STREAM_LISTPACKS_3 ? 1700000000222LL : -1);
        keyspace_free(&ks);
    }
}
END_TEST

START_TEST(test_rdb_load_rejects_bad_streams)
{
    struct test_buf good;
    test_rdb_stream(&good, RDB_TYPE_STREAM_LISTPACKS_2);
    /* Every truncation fails cleanly. */
    for (size_t cut = 10; cut < good.len - 9; cut += 3) {
        struct keyspace ks;
        keyspace_init(&ks, 16);
        struct test_buf b = good;
        b.len = cut;
        test_load_stream(&ks, &b, RDB_LOAD_BAD);
        keyspace_free(&ks);
    }
    /* Flipping bytes never crashes the loader (ASan watches). */
    for (size_t at = 14; at < good.len - 9; at++) {
        struct keyspace ks;
        keyspace_init(&ks, 16);
        struct test_buf b = good;
        b.data[at] ^= 0x5a;
        struct rdb_source src;
        struct rdb_load_info info;
        rdb_source_init_memory(&src, b.data, b.len);
        struct rdb_load_options opt = {.limits = &ks.limits, .keep_expired = true};
        (void)rdb_load(&src, &ks, &opt, &info);
        rdb_source_free(&src);
        keyspace_free(&ks);
    }
}
END_TEST

static Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("basics");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_id_helpers);
    tcase_add_test(tc, test_node_bytes_match_redis);
    tcase_add_test(tc, test_iterate_forward_backward_and_ranges);
    tcase_add_test(tc, test_node_split_rules);
    tcase_add_test(tc, test_delete_and_trim_model);
    tcase_add_test(tc, test_approx_trim_removes_whole_nodes_only);
    tcase_add_test(tc, test_idmap_model);
    tcase_add_test(tc, test_groups_consumers_and_pel);
    tcase_add_test(tc, test_lag_bookkeeping);
    tcase_add_test(tc, test_node_validate_rejects);
    tcase_add_test(tc, test_rdb_load_v1_v2_v3);
    tcase_add_test(tc, test_rdb_load_rejects_bad_streams);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(stream_suite)
