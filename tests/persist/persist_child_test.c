/* persist_child_test.c: a fork child's reports to its parent
 * (net/persist/persist.c), in one process: the test writes the child's
 * records into the pipe and reads them back as the parent, so it can stop
 * the clock's throttle, fill the pipe, and check what INFO's current_*
 * fields would show. No fork and no loop: persist_child_init (signals,
 * listeners, priority) is covered by tests/blackbox/child_test.c. */
#define _GNU_SOURCE /* FIONREAD */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/kv.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "tests/unit.h"

/* A record on the pipe (persist.c's struct persist_child_record). */
#define TEST_RECORD_BYTES 32
/* Seconds a test may take before alarm() ends it: a blocking write or read
 * shows up as this failure rather than a hang. */
#define TEST_ALARM_S 10

struct fixture {
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct persist p;
};

static struct fixture fx; /* check forks each test: every test sets it up anew */

static void fixture_open(int keys)
{
    memset(&fx, 0, sizeof(fx));
    config_init(&fx.config);
    fx.config.loglevel = LOGLEVEL_WARNING;
    fx.log.config = &fx.config;
    keyspace_init(&fx.keyspace, 1);
    for (int i = 0; i < keys; i++) {
        char name[32];
        int len = snprintf(name, sizeof(name), "key:%d", i);
        db_add(&fx.keyspace.dbs[0], kv_new_string(name, (size_t)len, "v", 1, -1));
    }
    fx.p.config = &fx.config;
    fx.p.log = &fx.log;
    fx.p.keyspace = &fx.keyspace;
    alarm(TEST_ALARM_S);
}

static void fixture_close(void)
{
    persist_child_info_receive(&fx.p);
    keyspace_free(&fx.keyspace);
    config_free(&fx.config);
}

/* Makes the next persist_child_progress report, as if a second passed. */
static void fixture_second_passes(void)
{
    fx.p.child_reporter.last_report_mono_ms -= PERSIST_CHILD_REPORT_INTERVAL_MS;
}

static int fixture_pipe_bytes(void)
{
    int n = 0;
    ck_assert_int_eq(ioctl(fx.p.child_info_pipe[0], FIONREAD, &n), 0);
    return n;
}

START_TEST(test_forking_notes_the_keyspace_size)
{
    fixture_open(100);
    persist_child_forking(&fx.p, PERSIST_CHILD_AOF_REWRITE);
    ck_assert_int_gt(fx.p.child_info_pipe[0], 0);
    ck_assert_uint_eq(fx.p.child_stats.keys_total, 100);
    ck_assert_int_eq(fx.p.child_reporter.kind, PERSIST_CHILD_AOF_REWRITE);
    /* No child runs yet: INFO shows zeros. */
    struct persist_child_current cur;
    persist_child_current(&fx.p, &cur);
    ck_assert_uint_eq(cur.keys_total, 0);
    fx.p.aof.child_pid = 12345; /* as the parent sets it after fork */
    persist_child_current(&fx.p, &cur);
    ck_assert_uint_eq(cur.keys_total, 100);
    ck_assert_uint_eq(cur.keys_processed, 0);
    ck_assert(cur.fork_perc == 0.0);
    fixture_close();
}
END_TEST

START_TEST(test_progress_reports_once_a_second)
{
    fixture_open(4096);
    persist_child_forking(&fx.p, PERSIST_CHILD_RDB);
    fx.p.rdb_child_pid = 12345;
    /* The first call reports at once, as Redis's first key does. */
    persist_child_progress(&fx.p, 1);
    ck_assert_int_eq(fixture_pipe_bytes(), TEST_RECORD_BYTES);
    persist_child_info_poll(&fx.p);
    ck_assert_int_eq(fixture_pipe_bytes(), 0);
    ck_assert_uint_eq(fx.p.child_stats.keys_processed, 1);
    /* This process has private dirty pages: the measure is not 0. */
    ck_assert_uint_gt(fx.p.child_stats.cow_bytes, 0);
    ck_assert_int_gt(fx.p.child_stats.cow_measured_mono_ms, 0);
    /* Within the second: nothing is written. */
    persist_child_progress(&fx.p, 1025);
    ck_assert_int_eq(fixture_pipe_bytes(), 0);
    persist_child_info_poll(&fx.p);
    ck_assert_uint_eq(fx.p.child_stats.keys_processed, 1);
    fixture_second_passes();
    persist_child_progress(&fx.p, 2049);
    persist_child_info_poll(&fx.p);
    ck_assert_uint_eq(fx.p.child_stats.keys_processed, 2049);
    struct persist_child_current cur;
    persist_child_current(&fx.p, &cur);
    ck_assert_uint_eq(cur.keys_total, 4096);
    ck_assert_uint_eq(cur.keys_processed, 2049);
    ck_assert(cur.fork_perc > 50.0 && cur.fork_perc < 50.1);
    ck_assert_uint_ge(cur.cow_peak_bytes, cur.cow_bytes);
    ck_assert_uint_le(cur.cow_age_s, 1);
    fixture_close();
}
END_TEST

START_TEST(test_cow_age_grows_between_measures)
{
    fixture_open(10);
    persist_child_forking(&fx.p, PERSIST_CHILD_RDB);
    fx.p.rdb_child_pid = 12345;
    persist_child_progress(&fx.p, 1);
    persist_child_info_poll(&fx.p);
    /* As if the measure were 3 s old. */
    fx.p.child_stats.cow_measured_mono_ms -= 3000;
    struct persist_child_current cur;
    persist_child_current(&fx.p, &cur);
    ck_assert_uint_eq(cur.cow_age_s, 3);
    fixture_close();
}
END_TEST

START_TEST(test_final_record_gives_the_peak_and_resets)
{
    fixture_open(10);
    persist_child_forking(&fx.p, PERSIST_CHILD_AOF_REWRITE);
    fx.p.aof.child_pid = 12345;
    persist_child_progress(&fx.p, 1);
    persist_child_info_poll(&fx.p);
    uint64_t first = fx.p.child_stats.cow_bytes;
    ck_assert_uint_gt(first, 0);
    /* The child dirties 4 MB more before it ends. */
    size_t big = 4u << 20;
    char *mem = malloc(big);
    ck_assert_ptr_nonnull(mem);
    memset(mem, 1, big);
    persist_child_info_send(&fx.p);
    fx.p.aof.child_pid = 0; /* reaped */
    long long cow = persist_child_info_receive(&fx.p);
    free(mem);
    ck_assert_int_ge(cow, (long long)first);
    ck_assert_int_eq(fx.p.child_info_pipe[0], 0);
    ck_assert_uint_eq(fx.p.child_stats.keys_total, 0);
    ck_assert_uint_eq(fx.p.child_stats.cow_peak_bytes, 0);
    struct persist_child_current cur;
    persist_child_current(&fx.p, &cur);
    ck_assert_uint_eq(cur.cow_bytes, 0);
    fixture_close();
}
END_TEST

START_TEST(test_no_final_record_means_no_cow_size)
{
    fixture_open(10);
    persist_child_forking(&fx.p, PERSIST_CHILD_RDB);
    fx.p.rdb_child_pid = 12345;
    persist_child_progress(&fx.p, 1);
    fx.p.rdb_child_pid = 0; /* the child failed: no final record */
    ck_assert_int_eq(persist_child_info_receive(&fx.p), 0);
    fixture_close();
}
END_TEST

START_TEST(test_full_pipe_never_blocks_the_child)
{
    fixture_open(10);
    persist_child_forking(&fx.p, PERSIST_CHILD_RDB);
    fx.p.rdb_child_pid = 12345;
    /* A parent that never reads: the child keeps reporting until the pipe
     * is full, and then its reports are dropped, not waited for (a
     * blocking write would hang here until the alarm). */
    int last = -1;
    uint64_t calls = 0;
    while (fixture_pipe_bytes() != last) {
        last = fixture_pipe_bytes();
        for (int i = 0; i < 64; i++) {
            fixture_second_passes();
            persist_child_progress(&fx.p, ++calls);
        }
    }
    ck_assert_int_gt(last, 0);
    ck_assert_int_eq(last % TEST_RECORD_BYTES, 0);
    persist_child_info_send(&fx.p); /* dropped too */
    ck_assert_int_eq(fixture_pipe_bytes(), last);
    /* A tick reads a bounded number of records. */
    persist_child_info_poll(&fx.p);
    ck_assert_int_lt(fixture_pipe_bytes(), last);
    ck_assert_int_gt(fixture_pipe_bytes(), 0);
    /* The reaper reads the rest; the final record was lost. */
    fx.p.rdb_child_pid = 0;
    ck_assert_int_eq(persist_child_info_receive(&fx.p), 0);
    fixture_close();
}
END_TEST

START_TEST(test_stale_pipe_is_replaced)
{
    fixture_open(3);
    persist_child_forking(&fx.p, PERSIST_CHILD_RDB);
    fx.p.rdb_child_pid = 12345;
    persist_child_progress(&fx.p, 3);
    fx.p.rdb_child_pid = 0;
    /* fork failed, say: the next child's forking drops the old pipe. */
    persist_child_info_open(&fx.p);
    fx.p.rdb_child_pid = 12346;
    persist_child_info_poll(&fx.p);
    ck_assert_uint_eq(fx.p.child_stats.keys_processed, 0);
    ck_assert_uint_eq(fx.p.child_stats.keys_total, 3);
    fixture_close();
}
END_TEST

static int64_t test_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

START_TEST(test_key_delay)
{
    fixture_open(0);
    int64_t start = test_now_us();
    persist_child_key_delay(&fx.p); /* 0: returns at once */
    ck_assert_int_lt(test_now_us() - start, 1000000);
    fx.config.rdb_key_save_delay = 20000;
    start = test_now_us();
    persist_child_key_delay(&fx.p);
    ck_assert_int_ge(test_now_us() - start, 20000);
    fixture_close();
}
END_TEST

static Suite *persist_child_suite(void)
{
    Suite *s = suite_create("persist_child");
    TCase *tc = tcase_create("reports");
    tcase_add_test(tc, test_forking_notes_the_keyspace_size);
    tcase_add_test(tc, test_progress_reports_once_a_second);
    tcase_add_test(tc, test_cow_age_grows_between_measures);
    tcase_add_test(tc, test_final_record_gives_the_peak_and_resets);
    tcase_add_test(tc, test_no_final_record_means_no_cow_size);
    tcase_add_test(tc, test_full_pipe_never_blocks_the_child);
    tcase_add_test(tc, test_stale_pipe_is_replaced);
    tcase_add_test(tc, test_key_delay);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(persist_child_suite)
