/* rdb_parallel_test.c: unit tests for engine/rdb_parallel.c.
 *
 * The parallel encoder must write the very bytes the single-threaded one
 * writes, so each test encodes one keyspace both ways and compares the
 * buffers: every type and encoding, expiries, several databases, a key
 * table caught mid-rehash (its second table is walked too), a value larger
 * than what a chunk may hold before its worker waits, an empty keyspace,
 * and thread counts from 2 to more than the chunks. The output then loads
 * back with every key. A sink that fails part-way makes the save return
 * its error without hanging or leaking (the ASan build checks the leak);
 * the hooks are called as documented: progress on the writer's thread
 * with growing counts, after_key once per key. */
#include "engine/alloc.h"
#include "engine/crc64.h"
#include "engine/db.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/rdb.h"
#include "engine/set.h"
#include "engine/zset.h"
#include "tests/unit.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TEST_TIMEOUT_S 300
#define TEST_DATABASES 4
/* Larger than the parallel encoder's per-chunk hold (16 MB). */
#define TEST_BIG_VALUE_BYTES (20u << 20)

static struct test_rng rng;

static void fill_random(char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)('a' + test_rng_below(&rng, 26));
}

static void add_string(struct db *db, const char *key, size_t len)
{
    char *val = alloc_bytes(len + 1);
    fill_random(val, len);
    db_add(db, kv_new_string(key, strlen(key), val, len, -1));
    alloc_free(val);
}

static void add_collection(struct db *db, const char *key, int kind, size_t count)
{
    const struct encoding_limits *lim = &db->keyspace->limits;
    char buf[64];
    struct kv *kv = NULL;
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(buf, sizeof(buf), kind == 2 ? "%zu" : "e-%zu-%llu", i,
                         (unsigned long long)test_rng_below(&rng, 1000000));
        switch (kind) {
        case 0: {
            if (kv == NULL)
                kv = kv_new_object(key, strlen(key), KV_LIST, KV_ENC_QUICKLIST,
                                   list_new(lim->list_max_listpack_size));
            list_push(kv_object(kv), LIST_TAIL, buf, (size_t)n);
            break;
        }
        case 1:
            if (kv == NULL)
                kv = hash_kv_new(key, strlen(key));
            hash_set(kv, buf, (size_t)n, buf, (size_t)n, lim);
            break;
        case 2:
        case 3:
            if (kv == NULL)
                kv = set_new_kv(key, strlen(key), buf, (size_t)n); /* picks the encoding */
            set_add(kv, buf, (size_t)n, lim->set_max_intset_entries);
            break;
        default:
            if (kv == NULL)
                kv = zset_new(key, strlen(key), KV_ENC_LISTPACK);
            zset_add(kv, (double)test_rng_below(&rng, 1000) / 7, buf, (size_t)n, 0, NULL,
                     lim->zset_max_listpack_entries, lim->zset_max_listpack_value);
            break;
        }
    }
    db_add(db, kv);
}

/* A mix of every type and both encodings, a third of the keys expiring. */
static void fill_mixed(struct keyspace *ks, size_t keys)
{
    char key[64];
    for (size_t i = 0; i < keys; i++) {
        struct db *db = &ks->dbs[i % 3]; /* db 3 stays empty */
        snprintf(key, sizeof(key), "key:%zu", i);
        if (i % 10 < 5)
            add_string(db, key, 1 + test_rng_below(&rng, 80));
        else
            add_collection(db, key, (int)(i % 5),
                           i % 97 == 0 ? 300 : 1 + test_rng_below(&rng, 20));
        if (i % 3 == 0) {
            struct kv *kv = db_lookup(db, key, strlen(key), 0);
            db_set_expire(db, kv, 4102444800000LL + (int64_t)i);
        }
    }
}

static void encode(struct keyspace *ks, int threads, struct rdb_buffer *out)
{
    struct rdb_save_options opt = {.compression = true, .checksum = true, .threads = threads,
                                   .ctime_s = 1700000000, .used_mem = 12345};
    struct rdb_sink sink;
    memset(out, 0, sizeof(*out));
    rdb_sink_init(&sink, rdb_buffer_write, out);
    TEST_CHECK(rdb_save(ks, &sink, &opt) == 0);
    rdb_sink_free(&sink);
}

/* Encodes with 1 thread and with each count in threads[], requires equal
 * bytes, a correct trailer, and a load that gives back every key. */
static void check_same_bytes(struct keyspace *ks, const int *threads, size_t n)
{
    struct rdb_buffer serial;
    encode(ks, 1, &serial);
    uint64_t trailer;
    memcpy(&trailer, serial.data + serial.len - 8, 8);
    TEST_CHECK(trailer == crc64_update(0, serial.data, serial.len - 8));
    for (size_t i = 0; i < n; i++) {
        struct rdb_buffer par;
        encode(ks, threads[i], &par);
        ck_assert_msg(par.len == serial.len && memcmp(par.data, serial.data, par.len) == 0,
                      "%d threads wrote %zu bytes that differ from the serial %zu", threads[i],
                      par.len, serial.len);
        rdb_buffer_free(&par);
    }
    struct keyspace back;
    keyspace_init(&back, ks->db_count);
    struct rdb_source src;
    rdb_source_init_memory(&src, serial.data, serial.len);
    struct rdb_load_options lo = {.limits = &back.limits, .keep_expired = true};
    struct rdb_load_info info;
    ck_assert_msg(rdb_load(&src, &back, &lo, &info) == RDB_LOAD_OK, "load: %s at %llu",
                  info.error_text, (unsigned long long)info.error_offset);
    TEST_CHECK(keyspace_key_count(&back) == keyspace_key_count(ks));
    rdb_source_free(&src);
    keyspace_free(&back);
    rdb_buffer_free(&serial);
}

static const int thread_counts[] = {2, 3, 7, 16};
#define THREAD_COUNTS (sizeof(thread_counts) / sizeof(thread_counts[0]))

START_TEST(test_same_bytes_mixed)
{
    test_rng_init(&rng, 0x9a7a11e1);
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    fill_mixed(&ks, 60000);
    check_same_bytes(&ks, thread_counts, THREAD_COUNTS);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_same_bytes_mid_rehash)
{
    test_rng_init(&rng, 0x7e4a54);
    struct keyspace ks;
    keyspace_init(&ks, 1);
    char key[64];
    size_t i = 0;
    /* Past a few growths, then on until a growth has just started. */
    for (; i < 40000; i++) {
        snprintf(key, sizeof(key), "k%zu", i);
        add_string(&ks.dbs[0], key, 10);
    }
    while (!dict_is_rehashing(&ks.dbs[0].keys)) {
        snprintf(key, sizeof(key), "k%zu", i++);
        add_string(&ks.dbs[0], key, 10);
    }
    TEST_CHECK(ks.dbs[0].keys.table[1].used > 0 && ks.dbs[0].keys.table[0].used > 0);
    check_same_bytes(&ks, thread_counts, THREAD_COUNTS);
    keyspace_free(&ks);
}
END_TEST

START_TEST(test_same_bytes_big_value_and_tiny)
{
    test_rng_init(&rng, 0xb16);
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    /* Empty keyspace, then one key, then a value no chunk may hold whole
     * among many small keys (its chunk is rarely the head when encoded). */
    check_same_bytes(&ks, thread_counts, THREAD_COUNTS);
    add_string(&ks.dbs[2], "only", 5);
    check_same_bytes(&ks, thread_counts, THREAD_COUNTS);
    char key[64];
    for (size_t i = 0; i < 200000; i++) {
        snprintf(key, sizeof(key), "small:%zu", i);
        add_string(&ks.dbs[0], key, 8);
    }
    add_string(&ks.dbs[0], "big", TEST_BIG_VALUE_BYTES);
    add_string(&ks.dbs[0], "big2", TEST_BIG_VALUE_BYTES);
    const int few[] = {2, 3};
    check_same_bytes(&ks, few, 2);
    keyspace_free(&ks);
}
END_TEST

/* A sink that fails once it has taken fail_after bytes. */
struct failing_sink {
    size_t taken, fail_after;
};

static int failing_write(void *ctx, const void *buf, size_t len)
{
    struct failing_sink *f = ctx;
    (void)buf;
    if (f->taken + len > f->fail_after)
        return -ENOSPC;
    f->taken += len;
    return 0;
}

START_TEST(test_sink_error_stops_workers)
{
    test_rng_init(&rng, 0xe44);
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    fill_mixed(&ks, 40000);
    size_t cuts[] = {0, 100, 70000, 1u << 20};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct failing_sink f = {.fail_after = cuts[i]};
        struct rdb_save_options opt = {.compression = true, .checksum = true, .threads = 3};
        struct rdb_sink sink;
        rdb_sink_init(&sink, failing_write, &f);
        TEST_CHECK(rdb_save(&ks, &sink, &opt) == -ENOSPC);
        rdb_sink_free(&sink);
    }
    keyspace_free(&ks);
}
END_TEST

struct hook_counts {
    pthread_t writer;
    uint64_t last_progress;
    int progress_calls;
    bool progress_off_thread;
    uint64_t after_key_calls; /* atomic */
};

static void on_progress(void *ctx, uint64_t keys_done)
{
    struct hook_counts *h = ctx;
    if (!pthread_equal(pthread_self(), h->writer))
        h->progress_off_thread = true;
    TEST_CHECK(keys_done > h->last_progress);
    h->last_progress = keys_done;
    h->progress_calls++;
}

static void on_key(void *ctx)
{
    struct hook_counts *h = ctx;
    __atomic_fetch_add(&h->after_key_calls, 1, __ATOMIC_RELAXED);
}

START_TEST(test_hooks)
{
    test_rng_init(&rng, 0x400c);
    struct keyspace ks;
    keyspace_init(&ks, TEST_DATABASES);
    fill_mixed(&ks, 30000);
    uint64_t total = keyspace_key_count(&ks);
    for (int threads = 1; threads <= 3; threads += 2) {
        struct hook_counts h = {.writer = pthread_self()};
        struct rdb_save_options opt = {.checksum = true, .threads = threads,
                                       .progress = on_progress, .progress_ctx = &h,
                                       .after_key = on_key, .after_key_ctx = &h};
        struct rdb_buffer out = {0};
        struct rdb_sink sink;
        rdb_sink_init(&sink, rdb_buffer_write, &out);
        TEST_CHECK(rdb_save(&ks, &sink, &opt) == 0);
        rdb_sink_free(&sink);
        rdb_buffer_free(&out);
        TEST_CHECK(!h.progress_off_thread);
        /* Serial: every RDB_PROGRESS_KEYS keys; parallel: per chunk (a
         * chunk of each of the three databases here). */
        TEST_CHECK(h.progress_calls >= (threads == 1 ? (int)(total / RDB_PROGRESS_KEYS) : 3));
        TEST_CHECK(h.last_progress <= total);
        TEST_CHECK(h.after_key_calls == total);
    }
    keyspace_free(&ks);
}
END_TEST

static void on_key_slowly(void *ctx)
{
    (void)ctx;
    struct timespec pause = {.tv_nsec = 100 * 1000};
    nanosleep(&pause, NULL);
}

/* One database of a few thousand keys is a single chunk: progress must
 * still come while it is encoded (what INFO's current_save_keys_processed
 * shows), not only once it is written. */
START_TEST(test_progress_within_a_chunk)
{
    test_rng_init(&rng, 0x5105);
    struct keyspace ks;
    keyspace_init(&ks, 1);
    char key[32];
    for (int i = 0; i < 4000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        add_string(&ks.dbs[0], key, 8);
    }
    struct hook_counts h = {.writer = pthread_self()};
    struct rdb_save_options opt = {.checksum = true, .threads = 2, .progress = on_progress,
                                   .progress_ctx = &h, .after_key = on_key_slowly};
    struct rdb_buffer out = {0};
    struct rdb_sink sink;
    rdb_sink_init(&sink, rdb_buffer_write, &out);
    TEST_CHECK(rdb_save(&ks, &sink, &opt) == 0);
    rdb_sink_free(&sink);
    rdb_buffer_free(&out);
    TEST_CHECK(!h.progress_off_thread);
    ck_assert_msg(h.progress_calls >= 2, "%d progress reports", h.progress_calls);
    keyspace_free(&ks);
}
END_TEST

static Suite *rdb_parallel_suite(void)
{
    Suite *s = suite_create("rdb_parallel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_same_bytes_mixed);
    tcase_add_test(tc, test_same_bytes_mid_rehash);
    tcase_add_test(tc, test_same_bytes_big_value_and_tiny);
    tcase_add_test(tc, test_sink_error_stops_workers);
    tcase_add_test(tc, test_hooks);
    tcase_add_test(tc, test_progress_within_a_chunk);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(rdb_parallel_suite)
