/* transaction_test.c: black-box tests of MULTI, EXEC, DISCARD, WATCH and
 * UNWATCH: queueing, the errors that abort a transaction and those that do
 * not, pipelined transactions, and which changes invalidate a WATCH (every
 * kind of write, expiry, FLUSHDB, FLUSHALL, SWAPDB, RENAME, MOVE) and which
 * do not (reads, failed writes, other keys, other databases).
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte. Each test starts its own server (check forks per test). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Commands a watch_cases entry may list in each of its steps. */
#define CASE_LINES_MAX 6

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture: the transaction's client */
static struct conn *other;           /* owned by the fixture: a second connection */

static void setup(void)
{
    server = server_start(NULL);
    client = conn_open(server->port);
    other = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(other);
    conn_close(client);
    server_stop(server);
}

/* ---- Helpers ---- */

/* Runs a one-command transaction on c and asserts EXEC ran it. */
static void ck_exec_runs(struct conn *c)
{
    ck_cmd(c, "MULTI", "+OK\r\n");
    ck_cmd(c, "PING", "+QUEUED\r\n");
    ck_cmd(c, "EXEC", "*1\r\n+PONG\r\n");
}

/* Runs a one-command transaction on c and asserts EXEC refused it because a
 * watched key changed (a null array, RESP2). */
static void ck_exec_aborted(struct conn *c)
{
    ck_cmd(c, "MULTI", "+OK\r\n");
    ck_cmd(c, "PING", "+QUEUED\r\n");
    ck_cmd(c, "EXEC", "*-1\r\n");
}

/* Asserts that the reply to line contains needle. */
static void ck_cmd_contains(struct conn *c, const char *line, const char *needle)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(strstr(reply, needle) != NULL, "%s: no %s in %s", line, needle,
                  harness_escape(reply));
    free(reply);
}

/* ---- MULTI, EXEC, DISCARD ---- */

START_TEST(test_multi_exec_runs_in_order)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "INCR a", "+QUEUED\r\n");
    ck_cmd(client, "GET a", "+QUEUED\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    /* Nothing ran yet: another client does not see the key. */
    ck_cmd(other, "GET a", "$-1\r\n");
    ck_cmd(client, "EXEC", "*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n");
    ck_cmd(other, "GET a", "$1\r\n2\r\n");
    /* The transaction is over: EXEC again has no MULTI. */
    ck_cmd(client, "EXEC", "-ERR EXEC without MULTI\r\n");
}
END_TEST

START_TEST(test_empty_transaction)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "EXEC", "*0\r\n");
}
END_TEST

START_TEST(test_discard)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "DISCARD", "+OK\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    ck_cmd(client, "DISCARD", "-ERR DISCARD without MULTI\r\n");
    ck_cmd(client, "EXEC", "-ERR EXEC without MULTI\r\n");
}
END_TEST

START_TEST(test_nested_multi_is_refused_but_not_fatal)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "MULTI", "-ERR MULTI calls can not be nested\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*1\r\n+OK\r\n");
    ck_cmd(client, "GET a", "$1\r\n1\r\n");
}
END_TEST

START_TEST(test_watch_inside_multi_is_refused_but_not_fatal)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "WATCH a", "-ERR WATCH inside MULTI is not allowed\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*1\r\n+OK\r\n");
}
END_TEST

/* A command that fails its checks while queued (unknown, wrong arity,
 * unknown subcommand, refused in a transaction) is answered with its error
 * at once, and EXEC then discards the whole transaction. */
START_TEST(test_queueing_errors_abort_exec)
{
    static const struct {
        const char *line;
        const char *error;
    } cases[] = {
        {"NOSUCH a", "-ERR unknown command 'NOSUCH', with args beginning with: 'a' \r\n"},
        {"GET", "-ERR wrong number of arguments for 'get' command\r\n"},
        {"CONFIG NOSUCH", "-ERR unknown subcommand 'NOSUCH'. Try CONFIG HELP.\r\n"},
        {"MULTI x", "-ERR wrong number of arguments for 'multi' command\r\n"},
        {"DISCARD x", "-ERR wrong number of arguments for 'discard' command\r\n"},
        {"SAVE", "-ERR Command not allowed inside a transaction\r\n"},
        {"SHUTDOWN", "-ERR Command not allowed inside a transaction\r\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_cmd(client, "MULTI", "+OK\r\n");
        ck_cmd(client, "SET a 1", "+QUEUED\r\n");
        ck_cmd(client, cases[i].line, cases[i].error);
        ck_cmd(client, "SET b 1", "+QUEUED\r\n");
        ck_cmd(client, "EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n");
        ck_cmd(client, "EXISTS a b", ":0\r\n");
        ck_cmd(client, "EXEC", "-ERR EXEC without MULTI\r\n");
    }
    ck_assert(server_alive(server));
}
END_TEST

/* EXEC that fails its own arity check ends the transaction with the check's
 * error inside EXECABORT, and does so even outside MULTI. */
START_TEST(test_exec_arity_error_aborts)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "EXEC x",
           "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
           "command\r\n");
    ck_cmd(client, "EXEC", "-ERR EXEC without MULTI\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    ck_cmd(client, "EXEC x",
           "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
           "command\r\n");
}
END_TEST

/* Errors while running do not roll anything back or stop the rest. */
START_TEST(test_runtime_error_does_not_abort)
{
    ck_cmd(client, "SET n notanumber", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET m 1", "+QUEUED\r\n");
    ck_cmd(client, "INCR n", "+QUEUED\r\n");
    ck_cmd(client, "INCR m", "+QUEUED\r\n");
    ck_cmd(client, "EXEC",
           "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:2\r\n");
    ck_cmd(client, "GET m", "$1\r\n2\r\n");
    ck_cmd(client, "GET n", "$10\r\nnotanumber\r\n");
}
END_TEST

START_TEST(test_exec_commandstats)
{
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "SET s x", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "INCR s", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*1\r\n-ERR value is not an integer or out of range\r\n");
    /* The failure is the queued command's, not EXEC's. */
    ck_cmd_contains(client, "INFO commandstats", "cmdstat_incr:calls=1,");
    ck_cmd_contains(client, "INFO commandstats", "rejected_calls=0,failed_calls=1\r\n");
    ck_cmd_contains(client, "INFO commandstats", "cmdstat_multi:calls=1,");
    ck_cmd_contains(client, "INFO commandstats", "cmdstat_exec:calls=1,");
    char *reply = conn_cmd(client, "INFO commandstats");
    char *exec = strstr(reply, "cmdstat_exec:");
    ck_assert_ptr_nonnull(exec);
    ck_assert_ptr_nonnull(strstr(exec, "rejected_calls=0,failed_calls=0\r\n"));
    free(reply);

    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "GET", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(client, "EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_cmd_contains(client, "INFO commandstats",
                    "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
    reply = conn_cmd(client, "INFO commandstats");
    exec = strstr(reply, "cmdstat_exec:calls=1,");
    ck_assert_ptr_nonnull(exec);
    ck_assert_ptr_nonnull(strstr(exec, "rejected_calls=0,failed_calls=1\r\n"));
    free(reply);
    ck_cmd_contains(client, "INFO errorstats", "errorstat_EXECABORT:count=1\r\n");
}
END_TEST

/* A whole transaction sent in one write: every reply comes back in order,
 * and the queued arguments survive the query buffer being reused. */
START_TEST(test_pipelined_transaction)
{
    const char *script = "*1\r\n$5\r\nMULTI\r\n"
                         "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$5\r\nhello\r\n"
                         "*2\r\n$4\r\nINCR\r\n$1\r\na\r\n"
                         "*3\r\n$6\r\nAPPEND\r\n$1\r\na\r\n$6\r\n world\r\n"
                         "*2\r\n$3\r\nGET\r\n$1\r\na\r\n"
                         "*1\r\n$4\r\nEXEC\r\n"
                         "*1\r\n$4\r\nPING\r\n";
    conn_send_raw(client, script, strlen(script));
    static const char *const replies[] = {
        "+OK\r\n",     "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "+QUEUED\r\n",
        "*4\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:11\r\n$11\r\nhello world\r\n",
        "+PONG\r\n",
    };
    for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
        char *reply = conn_read_raw(client);
        ck_assert_msg(strcmp(reply, replies[i]) == 0, "reply %zu: expected %s got %s", i,
                      harness_escape(replies[i]), harness_escape(reply));
        free(reply);
    }
}
END_TEST

/* Large queued arguments are copied whole: the value is bigger than a
 * query buffer chunk, and more commands arrive before EXEC. */
START_TEST(test_large_queued_argument)
{
    size_t len = 300 * 1000;
    char *value = malloc(len + 1);
    ck_assert_ptr_nonnull(value);
    for (size_t i = 0; i < len; i++)
        value[i] = (char)('a' + i % 26);
    value[len] = '\0';
    ck_cmd(client, "MULTI", "+OK\r\n");
    const char *argv[] = {"SET", "big", value};
    char *reply = conn_cmd_argv(client, 3, argv, NULL);
    ck_assert_str_eq(reply, "+QUEUED\r\n");
    free(reply);
    for (int i = 0; i < 50; i++)
        ck_cmd(client, "ECHO filler-to-reuse-the-query-buffer", "+QUEUED\r\n");
    ck_cmd(client, "STRLEN big", "+QUEUED\r\n");
    reply = conn_cmd(client, "EXEC");
    ck_assert_int_eq(strncmp(reply, "*52\r\n+OK\r\n", 10), 0);
    ck_assert_str_eq(reply + strlen(reply) - 9, ":300000\r\n");
    free(reply);
    reply = conn_cmd(client, "GET big");
    char header[32];
    snprintf(header, sizeof(header), "$%zu\r\n", len);
    ck_assert_int_eq(strncmp(reply, header, strlen(header)), 0);
    ck_assert_int_eq(memcmp(reply + strlen(header), value, len), 0);
    free(reply);
    free(value);
}
END_TEST

START_TEST(test_select_inside_transaction)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SELECT 1", "+QUEUED\r\n");
    ck_cmd(client, "SET k in1", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*2\r\n+OK\r\n+OK\r\n");
    ck_cmd(client, "GET k", "$3\r\nin1\r\n");
    ck_cmd(other, "GET k", "$-1\r\n");
}
END_TEST

/* While EXEC runs, the client is still shown in MULTI with its queue, and
 * its last command is EXEC. */
START_TEST(test_client_info_inside_exec)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "CLIENT INFO", "+QUEUED\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    char *reply = conn_cmd(client, "EXEC");
    ck_assert_ptr_nonnull(strstr(reply, " flags=x "));
    ck_assert_ptr_nonnull(strstr(reply, " multi=2 "));
    ck_assert_ptr_nonnull(strstr(reply, " cmd=exec "));
    free(reply);
    ck_cmd_contains(client, "CLIENT INFO", " multi=-1 ");
}
END_TEST

START_TEST(test_reset_ends_transaction)
{
    ck_cmd(client, "SET k 1", "+OK\r\n");
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET k 2", "+QUEUED\r\n");
    ck_cmd(client, "RESET", "+RESET\r\n");
    ck_cmd(client, "GET k", "$1\r\n1\r\n");
    /* RESET also forgot the watch. */
    ck_cmd(other, "SET k 3", "+OK\r\n");
    ck_exec_runs(client);
}
END_TEST

START_TEST(test_quit_inside_transaction)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET k 1", "+QUEUED\r\n");
    ck_cmd(client, "QUIT", "+OK\r\n");
    ck_assert(conn_wait_closed(client, 2000));
    ck_cmd(other, "GET k", "$-1\r\n");
}
END_TEST

START_TEST(test_monitor_sees_transaction)
{
    ck_cmd(other, "MONITOR", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET k 1", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*1\r\n+OK\r\n");
    const char *expected[] = {"\"MULTI\"", "\"SET\" \"k\" \"1\"", "\"EXEC\""};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        char *line = conn_read_raw(other);
        ck_assert_msg(strstr(line, expected[i]) != NULL, "monitor line %zu: expected %s in %s",
                      i, expected[i], harness_escape(line));
        free(line);
    }
}
END_TEST

/* ---- WATCH ---- */

/* One WATCH scenario: `other` runs the setup, `client` selects watch_db and
 * watches key, `other` runs the change (starting in db 0), and EXEC then
 * fails (dirty) or runs. */
struct watch_case {
    const char *name;
    const char *setup[CASE_LINES_MAX];
    int watch_db;
    const char *key;
    const char *change[CASE_LINES_MAX];
    bool dirty;
};

static const struct watch_case watch_cases[] = {
    /* Every kind of write to the key invalidates. */
    {"set", {"SET k 1"}, 0, "k", {"SET k 2"}, true},
    {"set creates", {NULL}, 0, "k", {"SET k 1"}, true},
    {"set same value", {"SET k 1"}, 0, "k", {"SET k 1"}, true},
    {"del", {"SET k 1"}, 0, "k", {"DEL k"}, true},
    {"unlink", {"SET k 1"}, 0, "k", {"UNLINK k"}, true},
    {"expire", {"SET k 1"}, 0, "k", {"EXPIRE k 100"}, true},
    {"expire in the past", {"SET k 1"}, 0, "k", {"EXPIRE k -1"}, true},
    {"pexpireat", {"SET k 1"}, 0, "k", {"PEXPIREAT k 99999999999999"}, true},
    {"persist", {"SET k 1 EX 100"}, 0, "k", {"PERSIST k"}, true},
    {"append", {"SET k 1"}, 0, "k", {"APPEND k x"}, true},
    {"incr", {"SET k 1"}, 0, "k", {"INCR k"}, true},
    {"incrbyfloat", {"SET k 1"}, 0, "k", {"INCRBYFLOAT k 1.5"}, true},
    {"setrange", {"SET k 1"}, 0, "k", {"SETRANGE k 3 x"}, true},
    {"getdel", {"SET k 1"}, 0, "k", {"GETDEL k"}, true},
    {"getex ex", {"SET k 1"}, 0, "k", {"GETEX k EX 100"}, true},
    {"getset", {"SET k 1"}, 0, "k", {"GETSET k 2"}, true},
    {"mset", {NULL}, 0, "k", {"MSET a 1 k 2"}, true},
    {"flushdb", {"SET k 1"}, 0, "k", {"FLUSHDB"}, true},
    {"flushdb async", {"SET k 1"}, 0, "k", {"FLUSHDB ASYNC"}, true},
    {"flushall", {"SET k 1"}, 0, "k", {"FLUSHALL"}, true},
    {"flushall watcher in db 1", {"SELECT 1", "SET k 1"}, 1, "k", {"FLUSHALL"}, true},
    {"swapdb key in watched db", {"SET k 1"}, 0, "k", {"SWAPDB 0 1"}, true},
    {"swapdb key in other db", {"SELECT 1", "SET k 1"}, 0, "k", {"SWAPDB 0 1"}, true},
    {"swapdb key in both", {"SET k 1", "SELECT 1", "SET k 1"}, 0, "k", {"SWAPDB 1 0"}, true},
    {"swapdb watcher in db 1", {"SET k 1"}, 1, "k", {"SWAPDB 0 1"}, true},
    {"rename source", {"SET k 1"}, 0, "k", {"RENAME k z"}, true},
    {"rename destination", {"SET k 1"}, 0, "z", {"RENAME k z"}, true},
    {"renamenx destination", {"SET k 1"}, 0, "z", {"RENAMENX k z"}, true},
    {"move source", {"SET k 1"}, 0, "k", {"MOVE k 1"}, true},
    {"move destination", {"SET k 1"}, 1, "k", {"MOVE k 1"}, true},
    {"copy destination", {"SET k 1"}, 0, "z", {"COPY k z"}, true},
    {"copy to other db", {"SET k 1"}, 1, "z", {"COPY k z DB 1"}, true},
    {"write in a transaction", {"SET k 1"}, 0, "k", {"MULTI", "INCR k", "EXEC"}, true},

    /* Reads, failed writes and changes elsewhere do not. */
    {"reads", {"SET k 1 EX 100"}, 0, "k",
     {"GET k", "EXISTS k", "TTL k", "STRLEN k", "TYPE k", "GETEX k"}, false},
    {"other key", {"SET k 1"}, 0, "k", {"SET other 1", "DEL other2"}, false},
    {"same key in other db", {"SET k 1"}, 0, "k", {"SELECT 1", "SET k 2", "DEL k"}, false},
    {"del of a missing key", {NULL}, 0, "k", {"DEL k"}, false},
    {"failed writes", {"SET k 1"}, 0, "k",
     {"SET k 2 NX", "SETNX k 2", "PERSIST k", "EXPIRE k 100 XX", "RENAMENX k k", "MSETNX k 3 j 3"},
     false},
    {"move refused", {"SET k 1", "SELECT 1", "SET k 1"}, 0, "k", {"MOVE k 1"}, false},
    {"flushdb of a missing key", {NULL}, 0, "k", {"FLUSHDB"}, false},
    {"flushdb of other db", {"SET k 1", "SELECT 1", "SET k 1"}, 0, "k", {"SELECT 1", "FLUSHDB"},
     false},
    {"flushall key in other db", {"SELECT 1", "SET k 1"}, 0, "k", {"FLUSHALL"}, false},
    {"swapdb key in neither", {"SELECT 2", "SET k 1"}, 0, "k", {"SWAPDB 0 1"}, false},
    {"swapdb of a db with itself", {"SET k 1"}, 0, "k", {"SWAPDB 0 0"}, false},
    {"swapdb of other dbs", {"SET k 1", "SELECT 1", "SET k 1"}, 0, "k", {"SWAPDB 1 2"}, false},
    {"discarded transaction", {"SET k 1"}, 0, "k", {"MULTI", "SET k 2", "DISCARD"}, false},
};

START_TEST(test_watch_case)
{
    const struct watch_case *wc = &watch_cases[_i];
    for (int i = 0; i < CASE_LINES_MAX && wc->setup[i]; i++) {
        char *reply = conn_cmd(other, wc->setup[i]);
        ck_assert_msg(reply[0] != '-', "%s: setup %s: %s", wc->name, wc->setup[i],
                      harness_escape(reply));
        free(reply);
    }
    ck_cmd(other, "SELECT 0", "+OK\r\n");
    char line[64];
    snprintf(line, sizeof(line), "SELECT %d", wc->watch_db);
    ck_cmd(client, line, "+OK\r\n");
    snprintf(line, sizeof(line), "WATCH %s", wc->key);
    ck_cmd(client, line, "+OK\r\n");
    for (int i = 0; i < CASE_LINES_MAX && wc->change[i]; i++)
        free(conn_cmd(other, wc->change[i]));
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    char *reply = conn_cmd(client, "EXEC");
    const char *expected = wc->dirty ? "*-1\r\n" : "*1\r\n+PONG\r\n";
    ck_assert_msg(strcmp(reply, expected) == 0, "%s: expected %s got %s", wc->name,
                  harness_escape(expected), harness_escape(reply));
    free(reply);
}
END_TEST

START_TEST(test_watch_own_write)
{
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(client, "SET k 1", "+OK\r\n");
    ck_exec_aborted(client);
}
END_TEST

/* An aborted EXEC changes nothing, and ends the transaction and the watch. */
START_TEST(test_watch_abort_discards_and_unwatches)
{
    ck_cmd(client, "SET k 1", "+OK\r\n");
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "SET k 2", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET k mine", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*-1\r\n");
    ck_cmd(client, "GET k", "$1\r\n2\r\n");
    ck_cmd(other, "SET k 3", "+OK\r\n");
    ck_exec_runs(client);
}
END_TEST

START_TEST(test_watch_aborted_exec_resp3)
{
    char *reply = conn_cmd(client, "HELLO 3");
    ck_assert_int_eq(reply[0], '%');
    free(reply);
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "SET k 1", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "_\r\n");
}
END_TEST

START_TEST(test_watch_several_keys)
{
    ck_cmd(client, "WATCH a b c", "+OK\r\n");
    ck_cmd(client, "WATCH c d", "+OK\r\n");
    ck_cmd(other, "SET d 1", "+OK\r\n");
    ck_exec_aborted(client);
    ck_cmd(client, "WATCH a b c", "+OK\r\n");
    ck_cmd(other, "SET e 1", "+OK\r\n");
    ck_exec_runs(client);
}
END_TEST

START_TEST(test_unwatch)
{
    ck_cmd(client, "SET k 1", "+OK\r\n");
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(client, "UNWATCH", "+OK\r\n");
    ck_cmd(other, "SET k 2", "+OK\r\n");
    ck_exec_runs(client);
    /* UNWATCH after the change also clears the doom. */
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "SET k 3", "+OK\r\n");
    ck_cmd(client, "UNWATCH", "+OK\r\n");
    ck_exec_runs(client);
    ck_cmd(client, "UNWATCH x", "-ERR wrong number of arguments for 'unwatch' command\r\n");
    ck_cmd(client, "WATCH", "-ERR wrong number of arguments for 'watch' command\r\n");
}
END_TEST

/* UNWATCH may be queued; it runs inside EXEC, after the check. */
START_TEST(test_unwatch_queued)
{
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "UNWATCH", "+QUEUED\r\n");
    ck_cmd(other, "SET k 1", "+OK\r\n");
    ck_cmd(client, "EXEC", "*-1\r\n");
}
END_TEST

START_TEST(test_discard_unwatches)
{
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "DISCARD", "+OK\r\n");
    ck_cmd(other, "SET k 1", "+OK\r\n");
    ck_exec_runs(client);
}
END_TEST

START_TEST(test_exec_unwatches)
{
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_exec_runs(client);
    ck_cmd(other, "SET k 1", "+OK\r\n");
    ck_exec_runs(client);
}
END_TEST

/* The change is seen by every client watching the key, and a watcher that
 * disconnects leaves the others' watches working. */
START_TEST(test_many_watchers_and_disconnects)
{
    struct conn *watchers[8];
    for (int i = 0; i < 8; i++) {
        watchers[i] = conn_open(server->port);
        ck_cmd(watchers[i], "WATCH k other", "+OK\r\n");
    }
    conn_close(watchers[3]);
    conn_close(watchers[0]);
    ck_cmd(client, "PING", "+PONG\r\n"); /* the closes are processed */
    ck_cmd(other, "SET k 1", "+OK\r\n");
    for (int i = 1; i < 8; i++)
        if (i != 3)
            ck_exec_aborted(watchers[i]);
    for (int i = 1; i < 8; i++)
        if (i != 3)
            conn_close(watchers[i]);
    ck_cmd(other, "SET k 2", "+OK\r\n");
    ck_cmd(other, "FLUSHALL", "+OK\r\n");
    ck_assert(server_alive(server));
}
END_TEST

/* A key that was live when watched and expires before EXEC fails the
 * transaction, whether or not anything deleted it yet. */
START_TEST(test_watch_key_expires)
{
    ck_cmd(client, "SET k 1 PX 300", "+OK\r\n");
    ck_cmd(client, "WATCH k", "+OK\r\n");
    harness_sleep_ms(500);
    ck_exec_aborted(client);
}
END_TEST

START_TEST(test_watch_key_expires_and_is_read)
{
    ck_cmd(client, "SET k 1 PX 300", "+OK\r\n");
    ck_cmd(client, "WATCH k", "+OK\r\n");
    harness_sleep_ms(500);
    ck_cmd(other, "GET k", "$-1\r\n");
    ck_exec_aborted(client);
}
END_TEST

/* Redis 7.0: a key already expired (but not yet deleted) when watched is
 * an absent key, so its deletion changes nothing; writing it does. */
START_TEST(test_watch_already_expired_key)
{
    ck_cmd(client, "SET k 1 PX 20", "+OK\r\n");
    harness_sleep_ms(100);
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_exec_runs(client);

    ck_cmd(client, "SET k 1 PX 20", "+OK\r\n");
    harness_sleep_ms(100);
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "GET k", "$-1\r\n");
    ck_exec_runs(client);

    ck_cmd(client, "SET k 1 PX 20", "+OK\r\n");
    harness_sleep_ms(100);
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "FLUSHDB", "+OK\r\n");
    ck_exec_runs(client);

    ck_cmd(client, "SET k 1 PX 20", "+OK\r\n");
    harness_sleep_ms(100);
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd(other, "SET k 2", "+OK\r\n");
    ck_exec_aborted(client);
}
END_TEST

START_TEST(test_client_list_dirty_flag)
{
    ck_cmd(client, "WATCH k", "+OK\r\n");
    ck_cmd_contains(client, "CLIENT INFO", " flags=N ");
    ck_cmd(other, "SET k 1", "+OK\r\n");
    ck_cmd_contains(client, "CLIENT INFO", " flags=d ");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*-1\r\n");
    ck_cmd_contains(client, "CLIENT INFO", " flags=N ");
}
END_TEST

/* Redis's "EXEC fails if there are errors while queueing commands #2": a
 * command refused at queue time because another client lowered maxmemory
 * dooms the transaction even after the limit is lifted again. */
START_TEST(test_oom_while_queueing_aborts_exec)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET foo1 bar1", "+QUEUED\r\n");
    ck_cmd(other, "CONFIG SET maxmemory 1", "+OK\r\n");
    ck_cmd(client, "LPUSH mylist myvalue",
           "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    ck_cmd(other, "CONFIG SET maxmemory 0", "+OK\r\n");
    ck_cmd(client, "SET foo2 bar2", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    ck_cmd(client, "EXISTS foo1 foo2 mylist", ":0\r\n");
    /* Even a read-only command is refused at queue time under OOM, and
     * DISCARD still works. */
    ck_cmd(other, "CONFIG SET maxmemory 1", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "GET x", "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    ck_cmd(client, "DISCARD", "+OK\r\n");
    ck_cmd(other, "CONFIG SET maxmemory 0", "+OK\r\n");
}
END_TEST

static void suite_add_multi(Suite *s)
{
    TCase *tc = tcase_create("multi");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_multi_exec_runs_in_order);
    tcase_add_test(tc, test_empty_transaction);
    tcase_add_test(tc, test_discard);
    tcase_add_test(tc, test_oom_while_queueing_aborts_exec);
    tcase_add_test(tc, test_nested_multi_is_refused_but_not_fatal);
    tcase_add_test(tc, test_watch_inside_multi_is_refused_but_not_fatal);
    tcase_add_test(tc, test_queueing_errors_abort_exec);
    tcase_add_test(tc, test_exec_arity_error_aborts);
    tcase_add_test(tc, test_runtime_error_does_not_abort);
    tcase_add_test(tc, test_exec_commandstats);
    tcase_add_test(tc, test_pipelined_transaction);
    tcase_add_test(tc, test_large_queued_argument);
    tcase_add_test(tc, test_select_inside_transaction);
    tcase_add_test(tc, test_client_info_inside_exec);
    tcase_add_test(tc, test_reset_ends_transaction);
    tcase_add_test(tc, test_quit_inside_transaction);
    tcase_add_test(tc, test_monitor_sees_transaction);
    suite_add_tcase(s, tc);
}

static void suite_add_watch(Suite *s)
{
    TCase *tc = tcase_create("watch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_watch_case, 0, (int)(sizeof(watch_cases) / sizeof(watch_cases[0])));
    tcase_add_test(tc, test_watch_own_write);
    tcase_add_test(tc, test_watch_abort_discards_and_unwatches);
    tcase_add_test(tc, test_watch_aborted_exec_resp3);
    tcase_add_test(tc, test_watch_several_keys);
    tcase_add_test(tc, test_unwatch);
    tcase_add_test(tc, test_unwatch_queued);
    tcase_add_test(tc, test_discard_unwatches);
    tcase_add_test(tc, test_exec_unwatches);
    tcase_add_test(tc, test_many_watchers_and_disconnects);
    tcase_add_test(tc, test_watch_key_expires);
    tcase_add_test(tc, test_watch_key_expires_and_is_read);
    tcase_add_test(tc, test_watch_already_expired_key);
    tcase_add_test(tc, test_client_list_dirty_flag);
    suite_add_tcase(s, tc);
}

int main(void)
{
    Suite *s = suite_create("transaction");
    suite_add_multi(s);
    suite_add_watch(s);
    return harness_run_suite(s);
}
