/* aof_group_commit_test.c: the running AOF's group commit (net/persist/aof.c)
 * on uring/'s fake kernel.
 *
 * Each test starts a real AOF in a fresh temporary directory (the manifest,
 * the BASE and the empty INCR are real files), with persist.aof_ring set to
 * a ring_fake, so every append to the INCR goes through the fake's
 * in-memory file and completes only when the test steps the fake. Tokens
 * are what aof_before_replies returns for a loop iteration's replies;
 * aof_reply_ready says when those replies may leave. No connection exists:
 * the loop is a zeroed struct with now_ms set. */
#define _GNU_SOURCE /* nftw */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/aof_encode.h"
#include "engine/aof_reader.h"
#include "engine/db.h"
#include "net/core/config.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/wire/loop.h"
#include "tests/unit.h"
#include "uring/ring_fake.h"

#define TEST_FILE_BYTES (1 << 20)
/* The direct writer's tests: its pre-written chunk, and a file model big
 * enough for a chunk ahead of the log. */
#define TEST_PREWRITE_BYTES (1 << 20)
#define TEST_DIRECT_FILE_BYTES (4 << 20)
#define TEST_DIRECT_ITERATIONS 60
/* The oversize test: a value larger than any direct batch (16 MB of
 * buffer), and a file model that holds the log, its gaps and the value. */
#define TEST_BIG_VALUE_BYTES ((size_t)16 << 20)
#define TEST_BIG_FILE_BYTES ((size_t)96 << 20)
#define TEST_BATCH_RECORDS_MAX 16
#define TEST_RECORD_BYTES_MAX 128
#define TEST_WAIT_STEPS_MAX 100000

struct fixture {
    struct ring_fake fake;
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist p;
    char dir[64];
    char old_cwd[4096];
    struct aof_buffer expected; /* what the INCR must hold, in order */
};

static struct fixture fx; /* check forks each test: every test sets it up anew */

static bool fixture_token_ready(void *ctx, uint64_t token)
{
    return aof_reply_ready(ctx, token);
}

/* persist.wait_writer: the fake is the only kernel, so step it. */
static void fixture_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx)
{
    (void)p;
    for (int i = 0; !done(ctx); i++) {
        TEST_CHECK(i < TEST_WAIT_STEPS_MAX);
        TEST_CHECK(ring_fake_in_flight(&fx.fake) > 0); /* else done() never comes */
        ring_fake_step(&fx.fake);
    }
}

static void fixture_setup_sized(enum appendfsync_policy policy, bool direct, size_t file_bytes)
{
    memset(&fx, 0, sizeof(fx));
    ck_assert_ptr_nonnull(getcwd(fx.old_cwd, sizeof(fx.old_cwd)));
    snprintf(fx.dir, sizeof(fx.dir), "/tmp/ringkv-aofgc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(fx.dir));
    ck_assert_int_eq(chdir(fx.dir), 0);
    ck_assert_int_eq(ring_fake_init(&fx.fake, file_bytes, 1), 0);
    config_init(&fx.config);
    fx.config.appendonly = true;
    fx.config.appendfsync = policy;
    /* Most tests pin the buffered writer's group commit (the file holds
     * the records and nothing else); the direct writer has its own. */
    fx.config.aof_direct_io = direct;
    fx.config.aof_prewrite_size = TEST_PREWRITE_BYTES;
    fx.config.aof_batches_in_flight = 4; /* several, so the order of release is tested */
    fx.config.loglevel = LOGLEVEL_WARNING;
    free(fx.config.dir);
    fx.config.dir = strdup(fx.dir);
    fx.log = (struct log){.config = &fx.config, .main_pid = getpid()};
    keyspace_init(&fx.keyspace, fx.config.databases);
    fx.loop.config = &fx.config;
    fx.loop.log = &fx.log;
    fx.loop.now_ms = 1000000;
    fx.loop.handler.ctx = &fx.p;
    fx.loop.handler.token_ready = fixture_token_ready;
    fx.p = (struct persist){
        .config = &fx.config,
        .log = &fx.log,
        .keyspace = &fx.keyspace,
        .loop = &fx.loop,
        .aof_ring = &fx.fake.sys,
        .wait_writer = fixture_wait_writer,
    };
    aof_buffer_init(&fx.expected);
    char err[256] = "";
    ck_assert_msg(aof_startup(&fx.p, err, sizeof(err)) == 0, "aof_startup: %s", err);
    ck_assert_int_eq(fx.p.aof.status, AOF_ON);
    if (direct) {
        /* The direct writer pre-writes its first chunk through the ring. */
        ck_assert_str_eq(fx.p.aof.log.io == AOF_LOG_DIRECT ? "direct" : fx.p.aof.log.reason,
                         "direct");
        ring_fake_run(&fx.fake);
    }
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0); /* start-up used real files only */
}

static void fixture_setup_with(enum appendfsync_policy policy, bool direct)
{
    fixture_setup_sized(policy, direct, direct ? TEST_DIRECT_FILE_BYTES : TEST_FILE_BYTES);
}

static void fixture_setup(enum appendfsync_policy policy)
{
    fixture_setup_with(policy, false);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void fixture_teardown(void)
{
    aof_shutdown(&fx.p);
    aof_free(&fx.p);
    keyspace_free(&fx.keyspace);
    config_free(&fx.config);
    ring_fake_free(&fx.fake);
    aof_buffer_free(&fx.expected);
    ck_assert_int_eq(chdir(fx.old_cwd), 0);
    ck_assert_int_eq(nftw(fx.dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* One loop iteration that runs a SET: feeds its record (db 0) and returns
 * the token its reply waits for. The record is also added to expected,
 * after the SELECT the AOF writes before the first record. */
static uint64_t iteration(struct test_rng *rng, int index)
{
    char value[TEST_RECORD_BYTES_MAX / 2];
    size_t value_len = 1 + test_rng_below(rng, sizeof(value) - 1);
    for (size_t i = 0; i < value_len; i++)
        value[i] = (char)('a' + test_rng_below(rng, 26));
    char key[16];
    int key_len = snprintf(key, sizeof(key), "k%d", index);
    char rec[TEST_RECORD_BYTES_MAX];
    int len = snprintf(rec, sizeof(rec), "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%zu\r\n%.*s\r\n", key_len,
                       key, value_len, (int)value_len, value);
    ck_assert_int_lt(len, (int)sizeof(rec));
    if (fx.expected.len == 0)
        aof_encode_select(&fx.expected, 0);
    aof_buffer_append(&fx.expected, rec, (size_t)len);
    aof_feed(&fx.p, 0, rec, (size_t)len, true);
    return aof_before_replies(&fx.p);
}

/* Lets the everysec interval (1 s of CLOCK_MONOTONIC) pass. */
static void sleep_past_fsync_interval(void)
{
    struct timespec ts = {.tv_sec = 1, .tv_nsec = 100 * 1000 * 1000};
    while (nanosleep(&ts, &ts) < 0)
        ;
}

/* The fake's page cache holds exactly what was fed, in order. */
static void assert_file_holds_expected(void)
{
    uint64_t len;
    const uint8_t *file = ring_fake_file(&fx.fake, &len);
    ck_assert_uint_eq(len, fx.expected.len);
    ck_assert_int_eq(memcmp(file, fx.expected.data, fx.expected.len), 0);
}

/* The bytes of the one op the fake has in flight. */
static uint64_t in_flight_write_bytes(void)
{
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 1);
    const struct ring_op *op = fx.fake.entries[0].op;
    ck_assert_int_eq(op->kind, RING_OP_WRITE);
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < op->iov_count; i++)
        bytes += op->iov[i].iov_len;
    return bytes;
}

/* Pins, under always: a reply's token is not ready while its write+sync
 * is in flight (nor after the bytes reached the fake's disk but before the
 * completion came back), becomes ready only from the completion, and what
 * is ready survives a crash (the write carried RWF_DSYNC). */
START_TEST(test_always_token_waits_for_durable_write)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xa0f1);
    fixture_setup(APPENDFSYNC_ALWAYS);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_DELAY, 3);
    uint64_t token = iteration(&rng, 0);
    ck_assert_uint_ne(token, 0);
    ck_assert_uint_eq(token, fx.expected.len); /* the INCR offset of the record's end */
    ck_assert(!aof_reply_ready(&fx.p, token));
    ck_assert_uint_eq(in_flight_write_bytes(), fx.expected.len);
    ck_assert(fx.fake.entries[0].op->dsync);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 0); /* ran; its completion is delayed */
    ck_assert_uint_eq(fx.fake.writes_run, 1);
    ck_assert(!aof_reply_ready(&fx.p, token));
    ring_fake_run(&fx.fake);
    ck_assert(aof_reply_ready(&fx.p, token));
    ck_assert_uint_eq(aof_before_replies(&fx.p), 0); /* nothing left to wait for */
    ring_fake_crash(&fx.fake, false);
    assert_file_holds_expected();
    fixture_teardown();
}
END_TEST

/* Pins group commit under always: while one batch's write+sync is in
 * flight, later iterations queue no op of their own (one batch in flight,
 * AOF_ALWAYS_BATCHES_IN_FLIGHT); when it completes, everything fed
 * meanwhile leaves as ONE write, and each token is ready only once the
 * batch holding its record has completed. */
START_TEST(test_always_batches_gather_behind_the_one_in_flight)
{
    struct test_rng rng;
    test_rng_init(&rng, 0x6c0);
    fixture_setup(APPENDFSYNC_ALWAYS);
    int n = 2 + (int)test_rng_below(&rng, TEST_BATCH_RECORDS_MAX - 1);
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_DELAY, 1000);
    uint64_t first = iteration(&rng, 0);
    ck_assert_int_eq(ring_fake_step(&fx.fake), 0); /* the first batch ran, completion held */
    uint64_t tokens[TEST_BATCH_RECORDS_MAX];
    for (int i = 0; i < n; i++) {
        tokens[i] = iteration(&rng, 1 + i);
        ck_assert_uint_eq(tokens[i], fx.expected.len);
        ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 1);
        ck_assert_uint_eq(fx.fake.writes_run, 1);
        ck_assert(!aof_reply_ready(&fx.p, tokens[i]));
    }
    ck_assert(!aof_reply_ready(&fx.p, first));
    /* The held completion arrives: the first batch is durable, and the n
     * records gathered meanwhile go out at once as a single write. */
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1);
    ck_assert(aof_reply_ready(&fx.p, first));
    ck_assert_uint_eq(in_flight_write_bytes(), fx.expected.len - first);
    ck_assert_uint_eq(fx.fake.entries[0].op->offset, first);
    ck_assert(fx.fake.entries[0].op->dsync);
    for (int i = 0; i < n; i++)
        ck_assert(!aof_reply_ready(&fx.p, tokens[i]));
    ck_assert_int_eq(ring_fake_step(&fx.fake), 1);
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
    ck_assert_uint_eq(fx.fake.writes_run, 2);
    ck_assert_uint_eq(fx.fake.fsyncs_run, 0); /* RWF_DSYNC writes: no separate fdatasync */
    for (int i = 0; i < n; i++)
        ck_assert(aof_reply_ready(&fx.p, tokens[i]));
    ck_assert_int_eq(fx.fake.in_flight_peak, 1);
    ring_fake_crash(&fx.fake, false);
    assert_file_holds_expected();
    fixture_teardown();
}
END_TEST

/* Pins, under always: a batch whose RWF_DSYNC write fails with -EIO never
 * makes a token ready, neither its own nor that of the batch gathered
 * behind it (which is not sent after the failure); writes are refused with
 * the MISCONF error from then on. */
START_TEST(test_always_failed_sync_keeps_tokens_waiting)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xe10);
    fixture_setup(APPENDFSYNC_ALWAYS);
    char msg[256];
    ck_assert(!aof_writes_denied(&fx.p, msg, sizeof(msg)));
    ring_fake_script(&fx.fake, RING_OP_WRITE, RING_FAKE_FAIL, -EIO);
    uint64_t first = iteration(&rng, 0);
    uint64_t second = iteration(&rng, 1);
    ck_assert_uint_gt(second, first);
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 1);
    ring_fake_run(&fx.fake);
    ck_assert_uint_eq(fx.fake.writes_run, 1); /* the gathered batch stayed home */
    ck_assert(!aof_reply_ready(&fx.p, first));
    ck_assert(!aof_reply_ready(&fx.p, second));
    /* A later iteration's reply waits too, and nothing new is queued. */
    uint64_t third = iteration(&rng, 2);
    ck_assert_uint_ne(third, 0);
    ck_assert(!aof_reply_ready(&fx.p, third));
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
    ck_assert(aof_writes_denied(&fx.p, msg, sizeof(msg)));
    ck_assert_str_eq(msg, "MISCONF Errors writing to the AOF file: Input/output error");
    ck_assert_int_eq(fx.p.aof.error, -EIO);
    fixture_teardown();
}
END_TEST

/* The INCR as the real file holds it (inline writes bypass the fake). */
static void assert_real_incr_holds_expected(void)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", fx.config.appenddirname, fx.p.aof.manifest.incr.items[0].name);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *got = malloc(fx.expected.len + 1);
    size_t n = fread(got, 1, fx.expected.len + 1, f);
    fclose(f);
    ck_assert_uint_eq(n, fx.expected.len);
    ck_assert_int_eq(memcmp(got, fx.expected.data, n), 0);
    free(got);
}

/* Pins, under everysec and no: each iteration's batch is written into the
 * page cache before aof_before_replies returns (as Redis writes before it
 * replies), so a crash of the process alone never loses an acknowledged
 * write, and the reply is not held for a ring completion: the token is 0
 * and nothing is queued on the ring. Nothing is fsynced for it (a power
 * cut may lose it, which these policies accept); under everysec the tick
 * queues the fdatasync on the ring once a second. */
START_TEST(test_everysec_and_no_tokens_ready_once_written)
{
    static const enum appendfsync_policy policies[] = {APPENDFSYNC_EVERYSEC, APPENDFSYNC_NO};
    struct test_rng rng;
    test_rng_init(&rng, 0x5ec + (uint64_t)_i);
    fixture_setup(policies[_i]);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(iteration(&rng, i), 0);
        ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
        assert_real_incr_holds_expected();
    }
    ck_assert_uint_eq(fx.fake.fsyncs_run, 0);
    ck_assert_uint_eq(fx.fake.writes_run, 0);
    /* The tick a second later: an fdatasync under everysec, none under no. */
    sleep_past_fsync_interval();
    aof_cron(&fx.p);
    if (policies[_i] == APPENDFSYNC_EVERYSEC) {
        ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 1);
        ck_assert_int_eq(fx.fake.entries[0].op->kind, RING_OP_FSYNC);
        ck_assert_int_eq(ring_fake_run(&fx.fake), 1);
        ck_assert_uint_eq(fx.fake.fsyncs_run, 1);
    } else {
        ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
    }
    fixture_teardown();
}
END_TEST

/* Pins the direct writer under always: each iteration's records go out at
 * once as a batch of their own, several in flight; completions come back
 * in any order, yet a reply's token is ready only once its batch and every
 * batch before it completed (replies never overtake), and the disk holds
 * every record in order, one batch per iteration. (Crashes with batches in
 * flight are uring/'s log_writer_test.) */
START_TEST(test_direct_batches_in_flight_release_in_order)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xd1ec7);
    fixture_setup_with(APPENDFSYNC_ALWAYS, true);
    fx.fake.random_order = true;
    uint64_t tokens[TEST_DIRECT_ITERATIONS];
    int acked = 0; /* tokens[0..acked) were seen ready */
    int peak = 0;
    for (int i = 0; i < TEST_DIRECT_ITERATIONS; i++) {
        tokens[i] = iteration(&rng, i);
        ck_assert_uint_ne(tokens[i], 0);
        if (ring_fake_in_flight(&fx.fake) > peak)
            peak = ring_fake_in_flight(&fx.fake);
        for (int steps = (int)test_rng_below(&rng, 3); steps > 0; steps--)
            ring_fake_step(&fx.fake);
        for (int j = 0; j <= i; j++) {
            bool ready = aof_reply_ready(&fx.p, tokens[j]);
            ck_assert_msg(!ready || j <= acked, "token %d ready before token %d", j, acked);
            if (ready && j == acked)
                acked++;
            if (!ready)
                ck_assert_int_ge(j, acked); /* never ready, then not */
        }
    }
    ck_assert_int_ge(peak, 2); /* batches went out while others were in flight */
    ring_fake_run(&fx.fake);
    for (int j = 0; j < TEST_DIRECT_ITERATIONS; j++)
        ck_assert(aof_reply_ready(&fx.p, tokens[j]));
    /* The disk (torn writes cannot matter: everything is durable) holds
     * every record, whole and in order, behind batch headers and padding. */
    ring_fake_crash(&fx.fake, true);
    uint64_t len;
    const uint8_t *file = ring_fake_file(&fx.fake, &len);
    struct aof_reader r;
    aof_reader_init(&r, file, (size_t)len, AOF_READER_BULK_BYTES_DEFAULT);
    int seen = 0;
    enum aof_read_result res;
    while ((res = aof_reader_next(&r)) == AOF_READ_COMMAND) {
        ck_assert_uint_eq(r.argc, r.argv[0].len == 6 ? 2 : 3);
        if (r.argc == 2)
            continue; /* the SELECT */
        char key[16];
        snprintf(key, sizeof(key), "k%d", seen);
        ck_assert_uint_eq(r.argv[1].len, strlen(key));
        ck_assert_int_eq(memcmp(r.argv[1].ptr, key, strlen(key)), 0);
        seen++;
    }
    ck_assert_msg(res == AOF_READ_EOF || res == AOF_READ_TORN, "the log ends with %s",
                  aof_read_result_name(res));
    ck_assert_int_eq(seen, TEST_DIRECT_ITERATIONS);
    ck_assert_uint_eq(r.batches, TEST_DIRECT_ITERATIONS);
    aof_reader_free(&r);
    fixture_teardown();
}
END_TEST

/* Pins the switch to plain records for a unit no direct batch can hold:
 * replies wait on log offsets that count records only, while the file
 * position also grows by every header and gap; the buffered writer that
 * takes the big record starts at that position, and its offsets must be
 * shifted back, or the big record's reply is released before a byte of it
 * is written (found by review: a crash then lost an acknowledged SET). */
START_TEST(test_oversize_record_reply_waits_for_its_bytes)
{
    struct test_rng rng;
    test_rng_init(&rng, 0x5eed);
    fixture_setup_sized(APPENDFSYNC_ALWAYS, true, TEST_BIG_FILE_BYTES);
    int idx = 0;
    /* Pairs of batches, the first in flight when the second is sent: the
     * second starts at the next block, so the position runs ahead of the
     * offsets by more than the big record. */
    while (fx.p.aof.log.lw.position - fx.p.aof.log.logical < TEST_BIG_VALUE_BYTES + 4096) {
        iteration(&rng, idx++);
        iteration(&rng, idx++);
        ring_fake_run(&fx.fake);
    }
    iteration(&rng, idx++); /* one small batch in flight */
    ck_assert_int_gt(ring_fake_in_flight(&fx.fake), 0);
    size_t cap = TEST_BIG_VALUE_BYTES + 128;
    char *rec = malloc(cap);
    ck_assert_ptr_nonnull(rec);
    int head = snprintf(rec, cap, "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%zu\r\n", TEST_BIG_VALUE_BYTES);
    memset(rec + head, 'v', TEST_BIG_VALUE_BYTES);
    memcpy(rec + head + TEST_BIG_VALUE_BYTES, "\r\n", 2);
    size_t rec_len = (size_t)head + TEST_BIG_VALUE_BYTES + 2;
    aof_feed(&fx.p, 0, rec, rec_len, true);
    uint64_t big = aof_before_replies(&fx.p);
    ck_assert(!aof_reply_ready(&fx.p, big));
    for (int steps = 0; steps < 1000 && !aof_reply_ready(&fx.p, big); steps++)
        ring_fake_step(&fx.fake);
    ck_assert(aof_reply_ready(&fx.p, big));
    /* Acknowledged: a power cut now must keep the whole record. */
    ring_fake_crash(&fx.fake, false);
    uint64_t len;
    const uint8_t *file = ring_fake_file(&fx.fake, &len);
    const uint8_t *at = memmem(file, len, rec, (size_t)head);
    ck_assert_msg(at != NULL && (uint64_t)(at - file) + rec_len <= len &&
                      memcmp(at, rec, rec_len) == 0,
                  "the acknowledged SET big is not on disk");
    free(rec);
    /* The crash dropped the writer's ops: only the directory is removed. */
    ck_assert_int_eq(chdir(fx.old_cwd), 0);
    ck_assert_int_eq(nftw(fx.dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

static Suite *aof_group_commit_suite(void)
{
    Suite *s = suite_create("aof_group_commit");
    TCase *tc = tcase_create("group_commit");
    tcase_add_test(tc, test_always_token_waits_for_durable_write);
    tcase_add_test(tc, test_direct_batches_in_flight_release_in_order);
    tcase_add_test(tc, test_oversize_record_reply_waits_for_its_bytes);
    tcase_add_test(tc, test_always_batches_gather_behind_the_one_in_flight);
    tcase_add_test(tc, test_always_failed_sync_keeps_tokens_waiting);
    tcase_add_loop_test(tc, test_everysec_and_no_tokens_ready_once_written, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(aof_group_commit_suite)
