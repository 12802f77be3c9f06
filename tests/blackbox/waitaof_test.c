/* waitaof_test.c: WAITAOF numlocal numreplicas timeout, the Redis 7.2 verb
 * (net/commands/waitaof.c).
 *
 * redis-server 7.0.15, this suite's usual oracle, has no WAITAOF: run
 * against it (RINGKV_SERVER=/usr/bin/redis-server) the suite skips (77).
 * The expectations come from Redis 7.2's documentation and its own test
 * unit (tests/unit/wait.tcl): the reply is [local fsynced (0 or 1),
 * replicas that fsynced]; a timeout answers what was reached; inside MULTI
 * it never blocks; the argument errors keep 7.2's words and order.
 * No replica is attached here (replication is tested elsewhere), so the
 * replica count is always 0 and numreplicas > 0 runs into the timeout.
 *
 * Sections: argument errors; no AOF; appendfsync everysec, always and no;
 * MULTI; CONFIG SET appendonly no releasing a waiter; an fsync that fails
 * (DEBUG RINGKV-AOF-FAULT) counts for nothing until a retry succeeds;
 * COMMAND INFO. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE_ZERO "*2\r\n:1\r\n:0\r\n"
#define ZERO_ZERO "*2\r\n:0\r\n:0\r\n"

static struct server_handle *server;
static struct conn *client;

static void start_with(const char *appendonly, const char *fsync)
{
    struct server_args a = {0};
    server_args_add(&a, "--appendonly", appendonly);
    server_args_add(&a, "--appendfsync", fsync);
    server_args_add(&a, "--enable-debug-command", "yes");
    server = server_start(a.v);
    client = conn_open(server->port);
}

static void teardown(void)
{
    if (client)
        conn_close(client);
    if (server)
        server_stop(server);
    client = NULL;
    server = NULL;
}

/* Asserts the reply to line and that it came between min_ms and max_ms. */
static void ck_cmd_timed(struct conn *c, const char *line, const char *expected, int64_t min_ms,
                         int64_t max_ms)
{
    int64_t start = harness_clock_ms();
    ck_cmd(c, line, expected);
    int64_t took = harness_clock_ms() - start;
    ck_assert_msg(took >= min_ms && took <= max_ms, "%s took %lld ms, expected %lld..%lld", line,
                  (long long)took, (long long)min_ms, (long long)max_ms);
}

/* ---- argument errors and no AOF ---- */

START_TEST(test_errors_in_order)
{
    start_with("no", "everysec");
    ck_cmd(client, "WAITAOF 0 0", "-ERR wrong number of arguments for 'waitaof' command\r\n");
    ck_cmd(client, "WAITAOF abc 0 0", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "WAITAOF 2 0 0", "-ERR value is out of range, value must between 0 and 1\r\n");
    ck_cmd(client, "WAITAOF -1 0 0", "-ERR value is out of range, value must between 0 and 1\r\n");
    ck_cmd(client, "WAITAOF 0 abc 0", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "WAITAOF 0 -1 0", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "WAITAOF 0 0 abc", "-ERR timeout is not an integer or out of range\r\n");
    ck_cmd(client, "WAITAOF 0 0 1.5", "-ERR timeout is not an integer or out of range\r\n");
    ck_cmd(client, "WAITAOF 0 0 -1", "-ERR timeout is negative\r\n");
    ck_cmd(client, "WAITAOF 0 0 9223372036854775807", "-ERR timeout is out of range\r\n");
    /* Every argument is parsed before the AOF is looked at. */
    ck_cmd(client, "WAITAOF 1 0 -5", "-ERR timeout is negative\r\n");
    ck_cmd(client, "WAITAOF 1 abc 100", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "WAITAOF 1 0 0",
           "-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n");
}
END_TEST

START_TEST(test_no_aof)
{
    start_with("no", "everysec");
    ck_cmd(client, "SET k v", "+OK\r\n");
    /* No AOF: nothing is ever fsynced locally, and no replica is there. */
    ck_cmd_timed(client, "WAITAOF 0 0 0", ZERO_ZERO, 0, 500);
    ck_cmd_timed(client, "WAITAOF 0 1 200", ZERO_ZERO, 150, 3000);
    /* The connection goes on after a timed-out wait. */
    ck_cmd(client, "PING", "+PONG\r\n");
}
END_TEST

/* ---- the three fsync policies ---- */

START_TEST(test_everysec)
{
    start_with("yes", "everysec");
    /* A client that wrote nothing has nothing to wait for. */
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 500);
    ck_cmd(client, "SET k v", "+OK\r\n");
    /* The next fsync of everysec comes within about a second. */
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 2500);
    /* Pipelined with the write: the wait covers it. */
    static const char pipeline[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nw\r\n"
                                   "*4\r\n$7\r\nWAITAOF\r\n$1\r\n1\r\n$1\r\n0\r\n$1\r\n0\r\n"
                                   "*1\r\n$4\r\nPING\r\n";
    conn_send_raw(client, pipeline, sizeof(pipeline) - 1);
    char *r = conn_read_raw(client);
    ck_assert_str_eq(r, "+OK\r\n");
    free(r);
    r = conn_read_raw(client);
    ck_assert_str_eq(r, ONE_ZERO);
    free(r);
    r = conn_read_raw(client);
    ck_assert_str_eq(r, "+PONG\r\n");
    free(r);
    /* Reads do not move the client's last write. */
    ck_cmd(client, "GET k", "$1\r\nw\r\n");
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 500);
    /* A replica count nobody reaches: the timeout answers, local 1. */
    ck_cmd_timed(client, "WAITAOF 1 1 200", ONE_ZERO, 150, 3000);
    ck_cmd_timed(client, "WAITAOF 0 1 200", ONE_ZERO, 150, 3000);
}
END_TEST

START_TEST(test_always)
{
    start_with("yes", "always");
    /* Under always a write's reply leaves once it is fsynced: the wait
     * after it is answered at once, every time. */
    for (int i = 1; i <= 20; i++) {
        ck_assert_int_eq(conn_cmd_integer(client, "INCR n"), i);
        ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 500);
    }
    ck_cmd_timed(client, "WAITAOF 1 1 100", ONE_ZERO, 50, 3000);
}
END_TEST

START_TEST(test_no_fsync)
{
    start_with("yes", "no");
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 500);
    ck_cmd(client, "SET k v", "+OK\r\n");
    /* appendfsync no: nothing fsyncs the write, so the timeout answers 0
     * (Redis 7.2's "WAITAOF local copy before fsync"). */
    ck_cmd_timed(client, "WAITAOF 1 0 300", ZERO_ZERO, 250, 3000);
    ck_cmd_timed(client, "WAITAOF 0 0 0", ZERO_ZERO, 0, 500);
    /* Switched to always, the next fsync covers the earlier write too. */
    ck_cmd(client, "CONFIG SET appendfsync always", "+OK\r\n");
    ck_cmd(client, "SET k2 v", "+OK\r\n");
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 2000);
}
END_TEST

/* ---- MULTI, and the AOF turned off under a waiter ---- */

START_TEST(test_multi_does_not_block)
{
    start_with("yes", "no");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "WAITAOF 1 0 0", "+QUEUED\r\n");
    ck_cmd(client, "WAITAOF 1 1 0", "+QUEUED\r\n");
    /* Blocking forever would never answer: inside EXEC it answers what
     * is reached now. */
    ck_cmd_timed(client, "EXEC", "*2\r\n" ZERO_ZERO ZERO_ZERO, 0, 1000);
    /* The AOF check is made when EXEC runs it, as Redis does. */
    struct conn *fresh = conn_open(server->port);
    ck_cmd(fresh, "MULTI", "+OK\r\n");
    ck_cmd(fresh, "SET k2 v", "+QUEUED\r\n");
    ck_cmd(fresh, "WAITAOF 1 0 0", "+QUEUED\r\n");
    /* The write in the same transaction is logged after EXEC: inside it
     * the client has written nothing yet. */
    ck_cmd_timed(fresh, "EXEC", "*2\r\n+OK\r\n" ONE_ZERO, 0, 1000);
    conn_close(fresh);
}
END_TEST

START_TEST(test_appendonly_off_releases_waiter)
{
    start_with("yes", "no");
    ck_cmd(client, "SET k v", "+OK\r\n");
    conn_send(client, "WAITAOF 1 0 0");
    harness_sleep_ms(100);
    struct conn *admin = conn_open(server->port);
    char *blocked = conn_info_field(admin, "blocked_clients");
    ck_assert_str_eq(blocked, "1");
    free(blocked);
    ck_cmd(admin, "CONFIG SET appendonly no", "+OK\r\n");
    char *r = conn_read_raw(client);
    ck_assert_str_eq(r, "-ERR WAITAOF cannot be used when numlocal is set but appendonly is "
                        "disabled.\r\n");
    free(r);
    ck_cmd(client, "PING", "+PONG\r\n");
    blocked = conn_info_field(admin, "blocked_clients");
    ck_assert_str_eq(blocked, "0");
    free(blocked);
    conn_close(admin);
}
END_TEST

START_TEST(test_client_unblock_and_disconnect)
{
    start_with("yes", "no");
    ck_cmd(client, "SET k v", "+OK\r\n");
    char *id = conn_cmd(client, "CLIENT ID");
    long long cid = atoll(id + 1);
    free(id);
    conn_send(client, "WAITAOF 1 0 0");
    harness_sleep_ms(100);
    struct conn *admin = conn_open(server->port);
    char line[64];
    /* CLIENT UNBLOCK (TIMEOUT) answers what was reached, as a timeout. */
    snprintf(line, sizeof(line), "CLIENT UNBLOCK %lld", cid);
    ck_cmd(admin, line, ":1\r\n");
    char *r = conn_read_raw(client);
    ck_assert_str_eq(r, ZERO_ZERO);
    free(r);
    /* A waiter that disconnects leaves nothing behind. */
    conn_send(client, "WAITAOF 1 0 0");
    harness_sleep_ms(100);
    conn_close(client);
    client = NULL;
    harness_sleep_ms(100);
    char *blocked = conn_info_field(admin, "blocked_clients");
    ck_assert_str_eq(blocked, "0");
    free(blocked);
    ck_cmd(admin, "SET k v2", "+OK\r\n");
    conn_close(admin);
}
END_TEST

/* ---- a failed fsync does not count ---- */

START_TEST(test_failed_fsync_does_not_count)
{
    start_with("yes", "everysec");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd_timed(client, "WAITAOF 1 0 0", ONE_ZERO, 0, 2500);
    ck_cmd(client, "DEBUG RINGKV-AOF-FAULT fsync EIO", "+OK\r\n");
    ck_cmd(client, "SET k w", "+OK\r\n");
    /* Every fsync fails: the write is written but not durable. */
    ck_cmd_timed(client, "WAITAOF 1 0 2500", ZERO_ZERO, 2400, 6000);
    ck_cmd(client, "DEBUG RINGKV-AOF-FAULT off", "+OK\r\n");
    /* The retry (once a second) fsyncs it. */
    ck_cmd_timed(client, "WAITAOF 1 0 10000", ONE_ZERO, 0, 5000);
}
END_TEST

/* ---- introspection ---- */

START_TEST(test_served_wait_in_slowlog)
{
    start_with("yes", "everysec");
    ck_cmd(client, "CONFIG SET slowlog-log-slower-than 0", "+OK\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "WAITAOF 1 0 0", ONE_ZERO);
    /* Whether it blocked or not, the newest entry is WAITAOF with its
     * arguments (a served wait is logged when it ends). */
    char *log = conn_cmd(client, "SLOWLOG GET 1");
    ck_assert_msg(strstr(log, "*4\r\n$7\r\nWAITAOF\r\n$1\r\n1\r\n$1\r\n0\r\n$1\r\n0\r\n") != NULL,
                  "%s", harness_escape(log));
    free(log);
    char *info = conn_cmd(client, "INFO commandstats");
    ck_assert_ptr_nonnull(strstr(info, "cmdstat_waitaof:calls=1,"));
    free(info);
}
END_TEST

START_TEST(test_command_info)
{
    start_with("no", "everysec");
    ck_cmd(client, "COMMAND INFO waitaof",
           "*1\r\n*10\r\n$7\r\nwaitaof\r\n:4\r\n*1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n"
           "*2\r\n+@slow\r\n+@connection\r\n"
           "*2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_min\r\n*0\r\n*0\r\n");
    char *docs = conn_cmd(client, "COMMAND DOCS waitaof");
    ck_assert_ptr_nonnull(strstr(docs, "$5\r\nsince\r\n$5\r\n7.2.0\r\n"));
    ck_assert_ptr_nonnull(strstr(docs, "$5\r\ngroup\r\n$7\r\ngeneric\r\n"));
    ck_assert_ptr_nonnull(strstr(docs, "$8\r\nnumlocal\r\n"));
    free(docs);
}
END_TEST

int main(void)
{
    if (server_is_redis()) {
        fprintf(stderr, "waitaof: redis-server 7.0 has no WAITAOF (a 7.2 verb); skipped\n");
        return 77;
    }
    Suite *s = suite_create("waitaof");
    TCase *tc = tcase_create("waitaof");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_errors_in_order);
    tcase_add_test(tc, test_no_aof);
    tcase_add_test(tc, test_everysec);
    tcase_add_test(tc, test_always);
    tcase_add_test(tc, test_no_fsync);
    tcase_add_test(tc, test_multi_does_not_block);
    tcase_add_test(tc, test_appendonly_off_releases_waiter);
    tcase_add_test(tc, test_client_unblock_and_disconnect);
    tcase_add_test(tc, test_failed_fsync_does_not_count);
    tcase_add_test(tc, test_served_wait_in_slowlog);
    tcase_add_test(tc, test_command_info);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
