/* slowlog_test.c: black-box tests of the slow log: SLOWLOG GET, LEN, RESET
 * and HELP, the entries' shape and order, ids that outlive RESET,
 * slowlog-max-len trimming, argument truncation (count and bytes),
 * password redaction, EXEC's commands, the thresholds that disable or
 * filter logging, the errors for bad counts, and blocking commands
 * (logged when served or unblocked by CLIENT UNBLOCK, not on a timeout).
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server. Durations and timestamps vary, so
 * only their sanity is checked. With slowlog-log-slower-than 0 every
 * command is logged once it has run, SLOWLOG's own included: a test
 * resets the log, and reads it knowing its last SLOWLOG call is there. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire/resp.h"

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static void setup_log_all(void)
{
    static const char *const args[] = {"--slowlog-log-slower-than", "0", NULL};
    server = server_start(args);
    client = conn_open(server->port);
}

static void setup_default(void)
{
    server = server_start(NULL);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* The reply to line as a tree; owned by the caller (resp_value_free). */
static struct resp_value *cmd_tree(struct conn *c, const char *line)
{
    char *raw = conn_cmd(c, line);
    struct resp_value *v = NULL;
    size_t used = 0;
    ck_assert_int_eq(resp_read_reply(raw, strlen(raw), &v, &used), RESP_SCAN_OK);
    ck_assert_uint_eq(used, strlen(raw));
    free(raw);
    return v;
}

/* Checks one entry's shape and returns its id. name may be "" (unnamed). */
static long long ck_entry(const struct resp_value *e, const char *name)
{
    ck_assert_int_eq(e->type, RESP_ARRAY);
    ck_assert_uint_eq(e->count, 6);
    ck_assert_int_eq(e->elements[0]->type, RESP_INTEGER);
    ck_assert_int_eq(e->elements[1]->type, RESP_INTEGER);
    long long now_s = harness_wall_ms() / 1000;
    ck_assert_int_le(e->elements[1]->integer, now_s + 1);
    ck_assert_int_ge(e->elements[1]->integer, now_s - 60);
    ck_assert_int_eq(e->elements[2]->type, RESP_INTEGER);
    ck_assert_int_ge(e->elements[2]->integer, 0);
    ck_assert_int_eq(e->elements[3]->type, RESP_ARRAY);
    ck_assert_int_eq(e->elements[4]->type, RESP_BULK);
    ck_assert_msg(strncmp(e->elements[4]->str, "127.0.0.1:", 10) == 0, "peer %s",
                  e->elements[4]->str);
    ck_assert_int_eq(e->elements[5]->type, RESP_BULK);
    ck_assert_str_eq(e->elements[5]->str, name);
    return e->elements[0]->integer;
}

/* Asserts that entry e's arguments are exactly words (space-separated). */
static void ck_entry_args(const struct resp_value *e, const char *words)
{
    const struct resp_value *args = e->elements[3];
    char joined[4096] = "";
    for (size_t i = 0; i < args->count; i++) {
        ck_assert_int_eq(args->elements[i]->type, RESP_BULK);
        if (i > 0)
            strcat(joined, " ");
        ck_assert_uint_lt(strlen(joined) + args->elements[i]->len, sizeof(joined) - 1);
        strcat(joined, args->elements[i]->str);
    }
    ck_assert_str_eq(joined, words);
}

START_TEST(test_entries_shape_and_order)
{
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd(client, "CLIENT SETNAME tester", "+OK\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_int_eq(v->type, RESP_ARRAY);
    ck_assert_uint_eq(v->count, 4); /* newest first, ending with RESET */
    long long id = ck_entry(v->elements[0], "tester");
    ck_entry_args(v->elements[0], "GET k");
    ck_assert_int_eq(ck_entry(v->elements[1], "tester"), id - 1);
    ck_entry_args(v->elements[1], "SET k v");
    /* The name is the one the client has when its command ends. */
    ck_assert_int_eq(ck_entry(v->elements[2], "tester"), id - 2);
    ck_entry_args(v->elements[2], "CLIENT SETNAME tester");
    ck_assert_int_eq(ck_entry(v->elements[3], ""), id - 3);
    ck_entry_args(v->elements[3], "SLOWLOG RESET");
    resp_value_free(v);
    /* SLOWLOG GET itself was logged after it replied. */
    v = cmd_tree(client, "SLOWLOG GET 1");
    ck_assert_uint_eq(v->count, 1);
    ck_assert_int_eq(ck_entry(v->elements[0], "tester"), id + 1);
    ck_entry_args(v->elements[0], "SLOWLOG GET");
    resp_value_free(v);
}
END_TEST

START_TEST(test_len_reset_keeps_ids)
{
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd(client, "SLOWLOG LEN", ":1\r\n"); /* RESET's own entry */
    ck_cmd(client, "SLOWLOG LEN", ":2\r\n");
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET 1");
    long long id = ck_entry(v->elements[0], "");
    resp_value_free(v);
    ck_assert_int_gt(id, 0); /* the harness's PINGs came before */
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 1);
    ck_assert_int_eq(ck_entry(v->elements[0], ""), id + 2); /* ids go on counting */
    ck_entry_args(v->elements[0], "SLOWLOG RESET");
    resp_value_free(v);
}
END_TEST

START_TEST(test_max_len_trims_oldest)
{
    ck_cmd(client, "CONFIG SET slowlog-max-len 3", "+OK\r\n");
    ck_cmd(client, "CONFIG GET slowlog-max-len",
           "*2\r\n$15\r\nslowlog-max-len\r\n$1\r\n3\r\n");
    for (int i = 0; i < 10; i++) {
        char line[32];
        snprintf(line, sizeof(line), "SET k%d v", i);
        ck_cmd(client, line, "+OK\r\n");
    }
    ck_cmd(client, "SLOWLOG LEN", ":3\r\n");
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET -1");
    ck_assert_uint_eq(v->count, 3);
    ck_entry_args(v->elements[0], "SLOWLOG LEN");
    ck_entry_args(v->elements[1], "SET k9 v");
    ck_entry_args(v->elements[2], "SET k8 v");
    resp_value_free(v);
    ck_cmd(client, "CONFIG SET slowlog-max-len 0", "+OK\r\n");
    ck_cmd(client, "SLOWLOG LEN", ":0\r\n");
    ck_cmd(client, "SLOWLOG GET", "*0\r\n");
}
END_TEST

START_TEST(test_argument_truncation)
{
    /* 40 arguments: 31 kept, then a note for the other 9. */
    const char *argv[40];
    size_t lens[40];
    char words[40][8];
    argv[0] = "RPUSH";
    argv[1] = "list";
    for (int i = 2; i < 40; i++) {
        snprintf(words[i], sizeof(words[i]), "e%d", i);
        argv[i] = words[i];
    }
    for (int i = 0; i < 40; i++)
        lens[i] = strlen(argv[i]);
    char *r = conn_cmd_argv(client, 40, argv, lens);
    ck_assert_str_eq(r, ":38\r\n");
    free(r);
    /* A 200-byte value: 128 kept, then a note for the other 72. */
    char big[201];
    memset(big, 'x', 200);
    big[200] = '\0';
    const char *set_argv[] = {"SET", "big", big};
    size_t set_lens[] = {3, 3, 200};
    r = conn_cmd_argv(client, 3, set_argv, set_lens);
    ck_assert_str_eq(r, "+OK\r\n");
    free(r);

    struct resp_value *v = cmd_tree(client, "SLOWLOG GET 2");
    ck_assert_uint_eq(v->count, 2);
    const struct resp_value *set_args = v->elements[0]->elements[3];
    ck_assert_uint_eq(set_args->count, 3);
    char expected[256];
    snprintf(expected, sizeof(expected), "%.128s... (72 more bytes)", big);
    ck_assert_str_eq(set_args->elements[2]->str, expected);
    const struct resp_value *push_args = v->elements[1]->elements[3];
    ck_assert_uint_eq(push_args->count, 32);
    ck_assert_str_eq(push_args->elements[0]->str, "RPUSH");
    ck_assert_str_eq(push_args->elements[30]->str, "e30");
    ck_assert_str_eq(push_args->elements[31]->str, "... (9 more arguments)");
    resp_value_free(v);

    /* Exactly 32 arguments and exactly 128 bytes are kept whole. */
    memset(big, 'y', 128);
    big[128] = '\0';
    set_argv[2] = big;
    set_lens[2] = 128;
    r = conn_cmd_argv(client, 3, set_argv, set_lens);
    free(r);
    r = conn_cmd_argv(client, 32, argv, lens);
    ck_assert_str_eq(r, ":68\r\n");
    free(r);
    v = cmd_tree(client, "SLOWLOG GET 2");
    ck_assert_uint_eq(v->elements[0]->elements[3]->count, 32);
    ck_assert_str_eq(v->elements[0]->elements[3]->elements[31]->str, "e31");
    ck_assert_str_eq(v->elements[1]->elements[3]->elements[2]->str, big);
    resp_value_free(v);
}
END_TEST

START_TEST(test_passwords_redacted)
{
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd_prefix(client, "AUTH user secret", "-WRONGPASS ");
    ck_cmd_prefix(client, "HELLO 3 AUTH user secret", "-WRONGPASS ");
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET 2");
    ck_assert_uint_eq(v->count, 2);
    ck_entry_args(v->elements[0], "HELLO 3 AUTH (redacted) (redacted)");
    ck_entry_args(v->elements[1], "AUTH (redacted) (redacted)");
    resp_value_free(v);
}
END_TEST

START_TEST(test_exec_logs_its_commands)
{
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "INCR a", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*2\r\n+OK\r\n:2\r\n");
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 4);
    ck_entry_args(v->elements[0], "INCR a");
    ck_entry_args(v->elements[1], "SET a 1");
    ck_entry_args(v->elements[2], "MULTI");
    ck_entry_args(v->elements[3], "SLOWLOG RESET");
    resp_value_free(v);
}
END_TEST

START_TEST(test_negative_threshold_disables)
{
    ck_cmd(client, "CONFIG SET slowlog-log-slower-than -1", "+OK\r\n");
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "SLOWLOG LEN", ":0\r\n");
    ck_cmd(client, "SLOWLOG GET", "*0\r\n");
    ck_cmd_prefix(client, "CONFIG SET slowlog-log-slower-than -2", "-ERR ");
    ck_cmd(client, "CONFIG SET slowlog-log-slower-than 0", "+OK\r\n");
    ck_cmd(client, "SLOWLOG LEN", ":1\r\n"); /* CONFIG SET's own entry */
}
END_TEST

START_TEST(test_get_count)
{
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    for (int i = 0; i < 14; i++)
        ck_cmd(client, "PING", "+PONG\r\n");
    /* 15 entries: RESET and the PINGs. */
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 10);
    ck_entry_args(v->elements[0], "PING");
    resp_value_free(v);
    ck_cmd(client, "SLOWLOG GET 0", "*0\r\n");
    v = cmd_tree(client, "SLOWLOG GET 2");
    ck_assert_uint_eq(v->count, 2);
    ck_entry_args(v->elements[0], "SLOWLOG GET 0");
    ck_entry_args(v->elements[1], "SLOWLOG GET");
    resp_value_free(v);
    v = cmd_tree(client, "SLOWLOG GET -1");
    ck_assert_uint_eq(v->count, 18);
    ck_entry_args(v->elements[17], "SLOWLOG RESET");
    resp_value_free(v);
    v = cmd_tree(client, "SLOWLOG GET 1000");
    ck_assert_uint_eq(v->count, 19);
    resp_value_free(v);
}
END_TEST

START_TEST(test_errors_and_help)
{
    static const char count_error[] = "-ERR count should be greater than or equal to -1\r\n";
    ck_cmd(client, "SLOWLOG GET -2", count_error);
    ck_cmd(client, "SLOWLOG GET abc", count_error);
    ck_cmd(client, "SLOWLOG GET 1.5", count_error);
    ck_cmd(client, "SLOWLOG GET 99999999999999999999", count_error);
    ck_cmd(client, "SLOWLOG GET 1 2",
           "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
    ck_cmd(client, "SLOWLOG LEN x", "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
    ck_cmd(client, "SLOWLOG RESET x",
           "-ERR wrong number of arguments for 'slowlog|reset' command\r\n");
    ck_cmd(client, "SLOWLOG", "-ERR wrong number of arguments for 'slowlog' command\r\n");
    ck_cmd(client, "SLOWLOG foo", "-ERR unknown subcommand 'foo'. Try SLOWLOG HELP.\r\n");
    ck_cmd_prefix(client, "SLOWLOG HELP",
                  "*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                  "+GET [<count>]\r\n");
}
END_TEST

/* With the default threshold (10 ms) quick commands leave no entry. */
START_TEST(test_default_threshold)
{
    ck_cmd(client, "CONFIG GET slowlog-log-slower-than",
           "*2\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n");
    ck_cmd(client, "CONFIG GET slowlog-max-len", "*2\r\n$15\r\nslowlog-max-len\r\n$3\r\n128\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "SLOWLOG LEN", ":0\r\n");
    ck_cmd(client, "SLOWLOG GET", "*0\r\n");
}
END_TEST

/* A command that blocked is logged when it is served, after the command
 * that served it, with its own arguments and client (Redis 7.0). */
START_TEST(test_blocked_logged_when_served)
{
    struct conn *blk = conn_open(server->port);
    ck_cmd(blk, "CLIENT SETNAME blk", "+OK\r\n");
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    conn_send(blk, "BLMOVE src dst LEFT RIGHT 0");
    harness_sleep_ms(100);
    /* Not logged while it waits. */
    ck_cmd(client, "SLOWLOG LEN", ":1\r\n");
    ck_cmd(client, "RPUSH src x", ":1\r\n");
    char *reply = conn_read_raw(blk);
    ck_assert_str_eq(reply, "$1\r\nx\r\n");
    free(reply);
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 4);
    long long id = ck_entry(v->elements[0], "blk");
    ck_entry_args(v->elements[0], "BLMOVE src dst LEFT RIGHT 0");
    ck_assert_int_eq(ck_entry(v->elements[1], ""), id - 1);
    ck_entry_args(v->elements[1], "RPUSH src x");
    ck_entry_args(v->elements[2], "SLOWLOG LEN");
    resp_value_free(v);
    conn_close(blk);
}
END_TEST

/* A blocking command that times out, or whose client leaves, makes no
 * entry (Redis 7.0.15). */
START_TEST(test_blocked_timeout_not_logged)
{
    struct conn *blk = conn_open(server->port);
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    ck_cmd(blk, "BLPOP l 0.1", "*-1\r\n");
    conn_send(blk, "BLPOP l 0");
    harness_sleep_ms(100);
    conn_close(blk);
    harness_sleep_ms(100);
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 1);
    ck_entry_args(v->elements[0], "SLOWLOG RESET");
    resp_value_free(v);
}
END_TEST

/* CLIENT UNBLOCK (either form) logs the unblocked command when it ends,
 * before CLIENT UNBLOCK's own entry, without its arguments (they are gone
 * by then in Redis 7.0), and counts it as a failed call. */
START_TEST(test_client_unblock_logged)
{
    struct conn *blk = conn_open(server->port);
    ck_cmd(blk, "CLIENT SETNAME blk", "+OK\r\n");
    long long id = conn_cmd_integer(blk, "CLIENT ID");
    char line[64];
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    conn_send(blk, "BLPOP l 0");
    harness_sleep_ms(100);
    snprintf(line, sizeof(line), "CLIENT UNBLOCK %lld ERROR", id);
    ck_cmd(client, line, ":1\r\n");
    char *reply = conn_read_raw(blk);
    ck_assert_str_eq(reply, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    free(reply);
    struct resp_value *v = cmd_tree(client, "SLOWLOG GET");
    ck_assert_uint_eq(v->count, 3);
    ck_entry_args(v->elements[0], line);
    ck_entry(v->elements[1], "blk");
    ck_assert_uint_eq(v->elements[1]->elements[3]->count, 0);
    ck_entry_args(v->elements[2], "SLOWLOG RESET");
    resp_value_free(v);
    char *stats = conn_cmd(client, "INFO commandstats");
    char *row = strstr(stats, "cmdstat_blpop:calls=1,");
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_nonnull(strstr(row, ",failed_calls=1\r\n"));
    free(stats);
    conn_close(blk);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slowlog");
    TCase *tc = tcase_create("slowlog");
    tcase_add_checked_fixture(tc, setup_log_all, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_entries_shape_and_order);
    tcase_add_test(tc, test_len_reset_keeps_ids);
    tcase_add_test(tc, test_max_len_trims_oldest);
    tcase_add_test(tc, test_argument_truncation);
    tcase_add_test(tc, test_passwords_redacted);
    tcase_add_test(tc, test_exec_logs_its_commands);
    tcase_add_test(tc, test_negative_threshold_disables);
    tcase_add_test(tc, test_get_count);
    tcase_add_test(tc, test_errors_and_help);
    tcase_add_test(tc, test_blocked_logged_when_served);
    tcase_add_test(tc, test_blocked_timeout_not_logged);
    tcase_add_test(tc, test_client_unblock_logged);
    suite_add_tcase(s, tc);
    TCase *tc_default = tcase_create("default");
    tcase_add_checked_fixture(tc_default, setup_default, teardown);
    tcase_set_timeout(tc_default, 30);
    tcase_add_test(tc_default, test_default_threshold);
    suite_add_tcase(s, tc_default);
    return harness_run_suite(s);
}
