/* child_test.c: fork children as the parent sees them: INFO's live
 * current_* fields while an AOF rewrite runs (Redis 7.0's semantics, so the
 * first test also runs against redis-server), and the child's lowered CPU
 * and I/O priority (ringkv's child-nice, child-sched-policy, child-ioprio).
 *
 * A child is made slow with rdb-key-save-delay (Redis's hidden test hook:
 * microseconds of sleep after each key) on a RESP base
 * (aof-use-rdb-preamble no), which both servers honour in the rewrite
 * child. */
#define _GNU_SOURCE /* syscall */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/blackbox/harness.h"

/* Keys and per-key delay: 2 to 6 s of rewrite (a 200 us sleep costs
 * 250-700 us), long enough for several once-a-second reports and
 * well under the suite's budget. */
#define CHILD_TEST_KEYS "8000"
#define CHILD_TEST_KEY_DELAY_US "200"
/* The priority tests read /proc while the child runs: at least 0.2 s. */
#define CHILD_TEST_PRIORITY_KEYS "1000"
#define CHILD_TEST_BGSAVE_KEYS "500"
#define CHILD_TEST_WAIT_MS 30000
#define CHILD_TEST_POLL_MS 50

/* ioprio_get(2): the kernel's values (include/uapi/linux/ioprio.h). */
#define TEST_IOPRIO_WHO_PROCESS 1
#define TEST_IOPRIO_CLASS_BE 2
#define TEST_IOPRIO_CLASS_SHIFT 13
/* /proc/<pid>/stat: policy 3 is SCHED_BATCH, 0 SCHED_OTHER. */
#define TEST_SCHED_OTHER 0
#define TEST_SCHED_BATCH 3

/* extra: more "--name", "value" pairs, NULL-terminated. sched_default:
 * the child's CPU priority as ringkv's defaults set it; otherwise it runs
 * at the server's, so that the test's timing does not depend on how busy
 * the machine is (a child that sleeps after every key waits for a CPU
 * after every key under SCHED_BATCH and nice 10). */
static struct server_handle *start_slow_rewriter(const char *const *extra, bool sched_default)
{
    struct server_args a = {0};
    if (!sched_default && !server_is_redis()) {
        server_args_add(&a, "--child-nice", "0");
        server_args_add(&a, "--child-sched-policy", "normal");
    }
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--aof-use-rdb-preamble", "no");
    server_args_add(&a, "--rdb-key-save-delay", CHILD_TEST_KEY_DELAY_US);
    server_args_add(&a, "--enable-debug-command", "yes");
    for (int i = 0; extra && extra[i]; i += 2)
        server_args_add(&a, extra[i], extra[i + 1]);
    return server_start(a.v);
}

static long long info_ll(struct conn *c, const char *field)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL, "INFO has no %s", field);
    long long n = atoll(v);
    free(v);
    return n;
}

static void populate(struct conn *c, const char *keys)
{
    char line[64];
    snprintf(line, sizeof(line), "DEBUG POPULATE %s", keys);
    ck_cmd(c, line, "+OK\r\n");
}

static void wait_rewrite_done(struct conn *c)
{
    int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
    while (info_ll(c, "aof_rewrite_in_progress") != 0) {
        ck_assert_msg(harness_clock_ms() < deadline, "rewrite still running after %d ms",
                      CHILD_TEST_WAIT_MS);
        harness_sleep_ms(CHILD_TEST_POLL_MS);
    }
}

/* While the rewrite runs, INFO shows the keys at fork, a copy-on-write
 * measure and keys processed that grow with each report; when it ends they
 * are 0 again and the peak became aof_last_cow_size. */
START_TEST(test_rewrite_reports_live_progress)
{
    struct server_handle *h = start_slow_rewriter(NULL, false);
    struct conn *c = conn_open(h->port);
    populate(c, CHILD_TEST_KEYS);
    ck_assert(conn_info_is(c, "current_save_keys_total", "0"));
    ck_assert(conn_info_is(c, "current_fork_perc", "0.00"));
    ck_assert(conn_info_is(c, "aof_last_cow_size", "0"));
    ck_cmd(c, "BGREWRITEAOF", "+Background append only file rewriting started\r\n");
    long long first = 0, later = 0;
    int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
    while (later <= first || first == 0) {
        ck_assert_msg(harness_clock_ms() < deadline, "no second report after %d ms",
                      CHILD_TEST_WAIT_MS);
        ck_assert_msg(info_ll(c, "aof_rewrite_in_progress") == 1,
                      "the rewrite ended before a second report (first %lld)", first);
        long long processed = info_ll(c, "current_save_keys_processed");
        if (first == 0 && processed > 0) {
            first = processed;
            ck_assert_int_gt(info_ll(c, "current_cow_size"), 0);
            ck_assert_int_ge(info_ll(c, "current_cow_peak"), info_ll(c, "current_cow_size"));
            ck_assert(conn_info_is(c, "current_save_keys_total", CHILD_TEST_KEYS));
            ck_assert_int_le(info_ll(c, "current_cow_size_age"), 2);
        } else if (first > 0) {
            later = processed;
        }
        harness_sleep_ms(CHILD_TEST_POLL_MS);
    }
    /* Reports come every 1024 keys at most, from the first key on. */
    ck_assert_int_eq(first % 1024, 1);
    ck_assert_int_eq(later % 1024, 1);
    char *perc = conn_info_field(c, "current_fork_perc");
    ck_assert_ptr_nonnull(perc);
    ck_assert_msg(atof(perc) > 0.0 && atof(perc) < 100.0, "current_fork_perc:%s", perc);
    ck_assert_msg(strchr(perc, '.') != NULL && strlen(strchr(perc, '.')) == 3,
                  "two decimals: %s", perc);
    free(perc);
    wait_rewrite_done(c);
    ck_assert(conn_info_is(c, "current_cow_peak", "0"));
    ck_assert(conn_info_is(c, "current_cow_size", "0"));
    ck_assert(conn_info_is(c, "current_cow_size_age", "0"));
    ck_assert(conn_info_is(c, "current_fork_perc", "0.00"));
    ck_assert(conn_info_is(c, "current_save_keys_processed", "0"));
    ck_assert(conn_info_is(c, "current_save_keys_total", "0"));
    ck_assert(conn_info_is(c, "aof_last_bgrewrite_status", "ok"));
    ck_assert_int_gt(info_ll(c, "aof_last_cow_size"), 0);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* The text of a /proc file (whose size stat reports as 0), owned. */
static char *proc_read(const char *path)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "can't open %s", path);
    char *text = calloc(1, 4096);
    ck_assert_ptr_nonnull(text);
    size_t n = fread(text, 1, 4095, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* Waits for the child's first report, which it sends after
 * persist_child_init lowered its priority. */
static void wait_first_report(struct conn *c)
{
    int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
    while (info_ll(c, "current_save_keys_processed") == 0) {
        ck_assert_msg(harness_clock_ms() < deadline, "no report after %d ms", CHILD_TEST_WAIT_MS);
        harness_sleep_ms(10);
    }
}

/* The pid of the server's (one) child; fails the test if none appears. */
static pid_t wait_child_pid(pid_t server)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)server, (int)server);
    int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
    for (;;) {
        char *text = proc_read(path);
        long pid = atol(text);
        free(text);
        if (pid > 0)
            return (pid_t)pid;
        ck_assert_msg(harness_clock_ms() < deadline, "no child appeared");
        harness_sleep_ms(10);
    }
}

/* Field n (1-based, as proc(5) numbers them) of /proc/<pid>/stat. */
static long proc_stat_field(pid_t pid, int n)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    char *text = proc_read(path);
    /* The name (field 2) may hold spaces: count from its closing ')'. */
    char *p = strrchr(text, ')');
    ck_assert_ptr_nonnull(p);
    p += 2;
    for (int field = 3; field < n; field++) {
        p = strchr(p, ' ');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    long value = atol(p);
    free(text);
    return value;
}

static long proc_nice(pid_t pid)
{
    return proc_stat_field(pid, 19);
}

static long proc_policy(pid_t pid)
{
    return proc_stat_field(pid, 41);
}

static long ioprio_of(pid_t pid)
{
    return syscall(SYS_ioprio_get, TEST_IOPRIO_WHO_PROCESS, (int)pid);
}

/* The child runs at the server's niceness plus child-nice, under
 * SCHED_BATCH, at the configured best-effort I/O level; CONFIG SET applies
 * to the next child. */
START_TEST(test_child_runs_at_lower_priority)
{
    if (server_is_redis())
        return; /* ringkv's own parameters */
    const char *extra[] = {"--child-nice", "7", "--child-ioprio", "best-effort-6", NULL};
    struct server_handle *h = start_slow_rewriter(extra, true);
    struct conn *c = conn_open(h->port);
    populate(c, CHILD_TEST_PRIORITY_KEYS);
    long server_nice = proc_nice(h->pid);
    ck_cmd(c, "BGREWRITEAOF", "+Background append only file rewriting started\r\n");
    pid_t child = wait_child_pid(h->pid);
    wait_first_report(c);
    long expected = server_nice + 7 > 19 ? 19 : server_nice + 7;
    ck_assert_int_eq(proc_nice(child), expected);
    ck_assert_int_eq(proc_policy(child), TEST_SCHED_BATCH);
    ck_assert_int_eq(ioprio_of(child), (TEST_IOPRIO_CLASS_BE << TEST_IOPRIO_CLASS_SHIFT) | 6);
    /* The parent itself is untouched. */
    ck_assert_int_eq(proc_nice(h->pid), server_nice);
    ck_assert_int_eq(proc_policy(h->pid), TEST_SCHED_OTHER);
    wait_rewrite_done(c);

    ck_cmd(c, "CONFIG SET child-nice 0 child-sched-policy normal child-ioprio inherit", "+OK\r\n");
    long server_ioprio = ioprio_of(h->pid);
    ck_cmd(c, "BGREWRITEAOF", "+Background append only file rewriting started\r\n");
    child = wait_child_pid(h->pid);
    wait_first_report(c);
    ck_assert_int_eq(proc_nice(child), server_nice);
    ck_assert_int_eq(proc_policy(child), TEST_SCHED_OTHER);
    ck_assert_int_eq(ioprio_of(child), server_ioprio);
    wait_rewrite_done(c);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A BGSAVE child goes through the same persist_child_init: its priority
 * is lowered at the defaults (child-nice 10, batch, best-effort 7); the
 * parent noted the keys at fork, and the child's peak becomes
 * rdb_last_cow_size. (How often the RDB encoder reports its progress is
 * rdb_save.c's to test.) */
START_TEST(test_bgsave_child_yields)
{
    struct server_args a = {0};
    server_args_add(&a, "--rdb-key-save-delay", CHILD_TEST_KEY_DELAY_US);
    server_args_add(&a, "--enable-debug-command", "yes");
    struct server_handle *h = server_start(a.v);
    struct conn *c = conn_open(h->port);
    populate(c, CHILD_TEST_BGSAVE_KEYS);
    long server_nice = proc_nice(h->pid);
    ck_cmd(c, "BGSAVE", "+Background saving started\r\n");
    pid_t child = wait_child_pid(h->pid);
    ck_assert(conn_info_is(c, "current_save_keys_total", CHILD_TEST_BGSAVE_KEYS));
    if (!server_is_redis()) {
        long nice = server_nice + 10 > 19 ? 19 : server_nice + 10;
        long ioprio = (TEST_IOPRIO_CLASS_BE << TEST_IOPRIO_CLASS_SHIFT) | 7;
        /* persist_child_init runs first thing in the child: wait for it. */
        int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
        while ((proc_nice(child) != nice || ioprio_of(child) != ioprio) &&
               harness_clock_ms() < deadline)
            harness_sleep_ms(5);
        ck_assert_int_eq(info_ll(c, "rdb_bgsave_in_progress"), 1);
        ck_assert_int_eq(proc_nice(child), nice);
        ck_assert_int_eq(proc_policy(child), TEST_SCHED_BATCH);
        ck_assert_int_eq(ioprio_of(child), ioprio);
    }
    int64_t deadline = harness_clock_ms() + CHILD_TEST_WAIT_MS;
    while (info_ll(c, "rdb_bgsave_in_progress") != 0) {
        ck_assert_msg(harness_clock_ms() < deadline, "BGSAVE still running");
        harness_sleep_ms(CHILD_TEST_POLL_MS);
    }
    ck_assert(conn_info_is(c, "rdb_last_bgsave_status", "ok"));
    ck_assert_int_gt(info_ll(c, "rdb_last_cow_size"), 0);
    ck_assert(conn_info_is(c, "current_save_keys_total", "0"));
    ck_assert(conn_info_is(c, "current_cow_peak", "0"));
    conn_close(c);
    server_stop(h);
}
END_TEST

/* The receive buffers (16 MB that the kernel fills on every read) are
 * mapped "do not copy" (VmFlags dc): a fork child never gets them, so the
 * parent's reads during a snapshot copy none of those pages. */
START_TEST(test_receive_buffers_stay_out_of_children)
{
    if (server_is_redis())
        return;
    struct server_handle *h = server_start(NULL);
    int status;
    char *out = harness_output(&status,
                               "awk '/^[0-9a-f]+-[0-9a-f]+ /{size=0} /^Size:/{size=$2} "
                               "/^VmFlags:.* dc/{if (size == 16384) n++} END{print n+0}' "
                               "/proc/%d/smaps",
                               (int)h->pid);
    ck_assert_msg(status == 0 && atoi(out) >= 1, "no 16 MB do-not-copy mapping: %s", out);
    free(out);
    server_stop(h);
}
END_TEST

static Suite *child_suite(void)
{
    Suite *s = suite_create("child");
    TCase *tc = tcase_create("child");
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_rewrite_reports_live_progress);
    tcase_add_test(tc, test_child_runs_at_lower_priority);
    tcase_add_test(tc, test_bgsave_child_yields);
    tcase_add_test(tc, test_receive_buffers_stay_out_of_children);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(child_suite());
}
