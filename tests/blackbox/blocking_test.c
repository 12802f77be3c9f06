/* blocking_test.c: black-box tests of the blocking commands: BLPOP, BRPOP,
 * BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX and BZMPOP: immediate
 * data, wake-ups by another client, timeouts, FIFO service, BLMOVE
 * chaining, MULTI/EXEC, disconnects, CLIENT UNBLOCK, pipelining behind a
 * blocked command, RESP3 shapes and INFO's blocked_clients.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server. Each test starts its own server. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long to poll INFO for clients to be blocked before failing. */
#define BLOCKED_WAIT_MS 5000
/* A reply that must not arrive is awaited this long. */
#define NO_REPLY_MS 200

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static const char *const wrongtype =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

static void setup(void)
{
    harness_fixture_open(&server, &client);
}

static void teardown(void)
{
    harness_fixture_close(&server, &client);
}

/* Polls INFO clients until blocked_clients is n: a command sent on another
 * connection has then certainly blocked. */
static void wait_blocked(int n)
{
    char want[64];
    snprintf(want, sizeof(want), "blocked_clients:%d\r\n", n);
    long long deadline = harness_clock_ms() + BLOCKED_WAIT_MS;
    for (;;) {
        char *info = conn_cmd(client, "INFO clients");
        bool found = strstr(info, want) != NULL;
        free(info);
        if (found)
            return;
        ck_assert_msg(harness_clock_ms() < deadline, "never saw %s", want);
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

/* Asserts the next reply on c is expected. */
static void ck_reply(struct conn *c, const char *expected)
{
    char *reply = conn_read_raw(c);
    ck_assert_msg(strcmp(reply, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(reply));
    free(reply);
}

static void ck_no_reply(struct conn *c)
{
    char *reply = conn_try_read_raw(c, NO_REPLY_MS);
    ck_assert_msg(reply == NULL, "unexpected reply %s", reply ? harness_escape(reply) : "");
}

START_TEST(test_immediate_data)
{
    ck_cmd(client, "RPUSH l a b c", ":3\r\n");
    ck_cmd(client, "BLPOP none l 0", "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    ck_cmd(client, "BRPOP l 0", "*2\r\n$1\r\nl\r\n$1\r\nc\r\n");
    ck_cmd(client, "BRPOPLPUSH l d 0", "$1\r\nb\r\n");
    ck_cmd(client, "EXISTS l", ":0\r\n");
    ck_cmd(client, "BLMOVE d e RIGHT LEFT 0", "$1\r\nb\r\n");
    ck_cmd(client, "RPUSH m 1 2 3", ":3\r\n");
    ck_cmd(client, "BLMPOP 0 2 none m RIGHT COUNT 2",
           "*2\r\n$1\r\nm\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
    ck_cmd(client, "ZADD z 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(client, "BZPOPMIN z 0", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "BZPOPMAX none z 0", "*3\r\n$1\r\nz\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "BZMPOP 0 1 z MIN COUNT 5", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "EXISTS z", ":0\r\n");
}
END_TEST

START_TEST(test_argument_errors)
{
    const char *not_float = "-ERR timeout is not a float or out of range\r\n";
    const char *negative = "-ERR timeout is negative\r\n";
    ck_cmd(client, "BLPOP l abc", not_float);
    ck_cmd(client, "BLPOP l -1", negative);
    ck_cmd(client, "BLPOP l inf", negative);
    ck_cmd(client, "BLPOP l 1e16", negative);
    ck_cmd(client, "BZPOPMIN z nan", not_float);
    ck_cmd(client, "BRPOPLPUSH a b x", not_float);
    ck_cmd(client, "BLMOVE a b LEFT UP 0", "-ERR syntax error\r\n");
    ck_cmd(client, "BLMOVE a b LEFT RIGHT x", not_float);
    ck_cmd(client, "BLMPOP 0 0 a LEFT", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "BLMPOP abc 1 a LEFT", not_float);
    ck_cmd(client, "BLMPOP abc 1 a FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "BLMPOP abc 1 a LEFT COUNT 0", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "BZMPOP 0 1 a FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "BZMPOP abc 1 a MIN", not_float);
    ck_cmd(client, "BLPOP l", "-ERR wrong number of arguments for 'blpop' command\r\n");
}
END_TEST

START_TEST(test_block_then_push)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP l1 l2 0");
    wait_blocked(1);
    ck_no_reply(b);
    ck_cmd(client, "RPUSH l2 x y", ":2\r\n");
    ck_reply(b, "*2\r\n$2\r\nl2\r\n$1\r\nx\r\n");
    ck_cmd(client, "LRANGE l2 0 -1", "*1\r\n$1\r\ny\r\n");
    wait_blocked(0);
    conn_close(b);
}
END_TEST

START_TEST(test_timeout)
{
    long long start = harness_clock_ms();
    ck_cmd(client, "BLPOP none 0.1", "*-1\r\n");
    ck_cmd(client, "BLMOVE none d LEFT LEFT 0.1", "*-1\r\n");
    ck_cmd(client, "BZPOPMIN none 0.1", "*-1\r\n");
    ck_cmd(client, "BZMPOP 0.1 1 none MAX", "*-1\r\n");
    long long elapsed = harness_clock_ms() - start;
    ck_assert_msg(elapsed >= 390 && elapsed < 3000, "elapsed %lld ms", elapsed);
}
END_TEST

START_TEST(test_fifo_and_multi_element_push)
{
    struct conn *w[3];
    for (int i = 0; i < 3; i++) {
        w[i] = conn_open(server->port);
        conn_send(w[i], "BRPOP q 0");
        wait_blocked(i + 1);
    }
    ck_cmd(client, "RPUSH q 1 2 3", ":3\r\n");
    ck_reply(w[0], "*2\r\n$1\r\nq\r\n$1\r\n3\r\n");
    ck_reply(w[1], "*2\r\n$1\r\nq\r\n$1\r\n2\r\n");
    ck_reply(w[2], "*2\r\n$1\r\nq\r\n$1\r\n1\r\n");
    ck_cmd(client, "EXISTS q", ":0\r\n");
    /* One element for two waiters: only the first is served. */
    conn_send(w[0], "BLPOP r 0");
    wait_blocked(1);
    conn_send(w[1], "BLPOP r 0");
    wait_blocked(2);
    ck_cmd(client, "LPUSH r only", ":1\r\n");
    ck_reply(w[0], "*2\r\n$1\r\nr\r\n$4\r\nonly\r\n");
    ck_no_reply(w[1]);
    ck_cmd(client, "LPUSH r next", ":1\r\n");
    ck_reply(w[1], "*2\r\n$1\r\nr\r\n$4\r\nnext\r\n");
    for (int i = 0; i < 3; i++)
        conn_close(w[i]);
}
END_TEST

START_TEST(test_blmove_chain)
{
    struct conn *mover = conn_open(server->port);
    struct conn *waiter = conn_open(server->port);
    conn_send(mover, "BLMOVE src dst LEFT RIGHT 0");
    wait_blocked(1);
    conn_send(waiter, "BLPOP dst 0");
    wait_blocked(2);
    ck_cmd(client, "LPUSH src v", ":1\r\n");
    ck_reply(mover, "$1\r\nv\r\n");
    ck_reply(waiter, "*2\r\n$3\r\ndst\r\n$1\r\nv\r\n");
    ck_cmd(client, "EXISTS src dst", ":0\r\n");
    /* BRPOPLPUSH onto a wrong-type destination: an error, the element stays. */
    ck_cmd(client, "SET str x", "+OK\r\n");
    conn_send(mover, "BRPOPLPUSH src str 0");
    wait_blocked(1);
    ck_cmd(client, "RPUSH src e", ":1\r\n");
    ck_reply(mover, wrongtype);
    ck_cmd(client, "LRANGE src 0 -1", "*1\r\n$1\r\ne\r\n");
    conn_close(mover);
    conn_close(waiter);
}
END_TEST

START_TEST(test_multiple_keys)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP k1 k2 k3 0");
    wait_blocked(1);
    ck_cmd(client, "RPUSH k3 c", ":1\r\n");
    ck_reply(b, "*2\r\n$2\r\nk3\r\n$1\r\nc\r\n");
    /* With data in several keys, the first in argument order wins. */
    ck_cmd(client, "RPUSH k2 b", ":1\r\n");
    ck_cmd(client, "RPUSH k3 c", ":1\r\n");
    ck_cmd(b, "BLPOP k1 k3 k2 0", "*2\r\n$2\r\nk3\r\n$1\r\nc\r\n");
    conn_close(b);
}
END_TEST

START_TEST(test_multi_exec)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP m 0");
    wait_blocked(1);
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "RPUSH m 1", "+QUEUED\r\n");
    ck_cmd(client, "LLEN m", "+QUEUED\r\n");
    /* The waiter is served after EXEC, not in the middle of it. */
    ck_cmd(client, "EXEC", "*2\r\n:1\r\n:1\r\n");
    ck_reply(b, "*2\r\n$1\r\nm\r\n$1\r\n1\r\n");
    /* Inside a transaction a blocking command never blocks. */
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "BLPOP none 0", "+QUEUED\r\n");
    ck_cmd(client, "BLMOVE none d LEFT LEFT 0", "+QUEUED\r\n");
    ck_cmd(client, "BRPOPLPUSH none d 0", "+QUEUED\r\n");
    ck_cmd(client, "BLMPOP 0 1 none LEFT", "+QUEUED\r\n");
    ck_cmd(client, "BZPOPMAX none 0", "+QUEUED\r\n");
    ck_cmd(client, "BZMPOP 0 1 none MIN", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n*-1\r\n*-1\r\n");
    conn_close(b);
}
END_TEST

START_TEST(test_wrong_type)
{
    ck_cmd(client, "SET s x", "+OK\r\n");
    ck_cmd(client, "BLPOP none s 0", wrongtype);
    ck_cmd(client, "BZPOPMIN s 0", wrongtype);
    ck_cmd(client, "BLMPOP 0 1 s LEFT", wrongtype);
    ck_cmd(client, "BZMPOP 0 1 s MIN", wrongtype);
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "BZPOPMIN l 0", wrongtype);
    ck_cmd(client, "BLMOVE l s LEFT LEFT 0", wrongtype);
    /* A waiter for a list is not woken by a sorted set on its key. */
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP k 0");
    wait_blocked(1);
    ck_cmd(client, "ZADD k 1 a", ":1\r\n");
    ck_no_reply(b);
    ck_cmd(client, "DEL k", ":1\r\n");
    ck_cmd(client, "RPUSH k v", ":1\r\n");
    ck_reply(b, "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    conn_close(b);
}
END_TEST

START_TEST(test_disconnect_while_blocked)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP gone 0");
    wait_blocked(1);
    conn_close(b);
    wait_blocked(0);
    ck_cmd(client, "RPUSH gone 1", ":1\r\n");
    ck_cmd(client, "LRANGE gone 0 -1", "*1\r\n$1\r\n1\r\n");
}
END_TEST

START_TEST(test_client_unblock)
{
    struct conn *b = conn_open(server->port);
    char *id = conn_cmd(b, "CLIENT ID");
    char line[128];
    conn_send(b, "BLPOP k 0");
    wait_blocked(1);
    snprintf(line, sizeof(line), "CLIENT UNBLOCK %.*s TIMEOUT", (int)strlen(id) - 3, id + 1);
    ck_cmd(client, line, ":1\r\n");
    ck_reply(b, "*-1\r\n");
    ck_cmd(client, line, ":0\r\n");
    conn_send(b, "BZPOPMIN z 0");
    wait_blocked(1);
    snprintf(line, sizeof(line), "CLIENT UNBLOCK %.*s ERROR", (int)strlen(id) - 3, id + 1);
    ck_cmd(client, line, ":1\r\n");
    ck_reply(b, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
    conn_send(b, "BLMOVE k d LEFT LEFT 0");
    wait_blocked(1);
    snprintf(line, sizeof(line), "CLIENT UNBLOCK %.*s", (int)strlen(id) - 3, id + 1);
    ck_cmd(client, line, ":1\r\n");
    ck_reply(b, "*-1\r\n");
    ck_cmd(client, "CLIENT UNBLOCK 1 foo", "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
    ck_cmd(client, "CLIENT UNBLOCK abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "CLIENT UNBLOCK 99999 ERROR", ":0\r\n");
    free(id);
    conn_close(b);
}
END_TEST

START_TEST(test_pipelined_after_block)
{
    struct conn *b = conn_open(server->port);
    conn_send_raw(b, "BLPOP p 0\r\nPING\r\nLLEN p\r\n", 25);
    wait_blocked(1);
    ck_no_reply(b);
    ck_cmd(client, "RPUSH p 1 2", ":2\r\n");
    ck_reply(b, "*2\r\n$1\r\np\r\n$1\r\n1\r\n");
    ck_reply(b, "+PONG\r\n");
    ck_reply(b, ":1\r\n");
    conn_close(b);
}
END_TEST

START_TEST(test_zset_wakeups)
{
    struct conn *a = conn_open(server->port);
    struct conn *b = conn_open(server->port);
    struct conn *m = conn_open(server->port);
    conn_send(a, "BZPOPMIN z 0");
    wait_blocked(1);
    conn_send(b, "BZPOPMAX z 0");
    wait_blocked(2);
    conn_send(m, "BZMPOP 0 2 y z MAX COUNT 10");
    wait_blocked(3);
    ck_cmd(client, "ZADD z 1 a 2 b 3 c 4 d", ":4\r\n");
    ck_reply(a, "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_reply(b, "*3\r\n$1\r\nz\r\n$1\r\nd\r\n$1\r\n4\r\n");
    ck_reply(m, "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "EXISTS z", ":0\r\n");
    /* ZINCRBY and ZUNIONSTORE create keys too. */
    conn_send(a, "BZPOPMIN w 0");
    wait_blocked(1);
    ck_cmd(client, "ZINCRBY w 2.5 m", "$3\r\n2.5\r\n");
    ck_reply(a, "*3\r\n$1\r\nw\r\n$1\r\nm\r\n$3\r\n2.5\r\n");
    conn_send(a, "BZPOPMAX u 0");
    wait_blocked(1);
    ck_cmd(client, "ZADD src 7 x", ":1\r\n");
    ck_cmd(client, "ZUNIONSTORE u 1 src", ":1\r\n");
    ck_reply(a, "*3\r\n$1\r\nu\r\n$1\r\nx\r\n$1\r\n7\r\n");
    conn_close(a);
    conn_close(b);
    conn_close(m);
}
END_TEST

START_TEST(test_rename_wakes)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP target 0");
    wait_blocked(1);
    ck_cmd(client, "RPUSH other v", ":1\r\n");
    ck_cmd(client, "RENAME other target", "+OK\r\n");
    ck_reply(b, "*2\r\n$6\r\ntarget\r\n$1\r\nv\r\n");
    conn_close(b);
}
END_TEST

START_TEST(test_resp3_shapes)
{
    ck_cmd_prefix(client, "HELLO 3", "%");
    ck_cmd(client, "BLPOP none 0.01", "_\r\n");
    ck_cmd(client, "BZMPOP 0.01 1 none MIN", "_\r\n");
    ck_cmd(client, "ZADD z 1.5 m 2 n", ":2\r\n");
    ck_cmd(client, "BZPOPMIN z 0", "*3\r\n$1\r\nz\r\n$1\r\nm\r\n,1.5\r\n");
    ck_cmd(client, "BZMPOP 0 1 z MAX", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nn\r\n,2\r\n");
    ck_cmd(client, "RPUSH l a b", ":2\r\n");
    ck_cmd(client, "BLPOP l 0", "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    ck_cmd(client, "BLMPOP 0 1 l LEFT COUNT 5", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nb\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "BLMOVE none d LEFT LEFT 0", "+QUEUED\r\n");
    ck_cmd(client, "BLPOP none 0", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*2\r\n_\r\n_\r\n");
}
END_TEST

START_TEST(test_info_and_client_list)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, "BLPOP k 0");
    wait_blocked(1);
    char *list = conn_cmd(client, "CLIENT LIST");
    ck_assert_msg(strstr(list, "flags=b ") != NULL, "%s", list);
    ck_assert_msg(strstr(list, "cmd=blpop ") != NULL, "%s", list);
    free(list);
    conn_close(b);
    wait_blocked(0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("blocking");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_immediate_data);
    tcase_add_test(tc, test_argument_errors);
    tcase_add_test(tc, test_block_then_push);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_fifo_and_multi_element_push);
    tcase_add_test(tc, test_blmove_chain);
    tcase_add_test(tc, test_multiple_keys);
    tcase_add_test(tc, test_multi_exec);
    tcase_add_test(tc, test_wrong_type);
    tcase_add_test(tc, test_disconnect_while_blocked);
    tcase_add_test(tc, test_client_unblock);
    tcase_add_test(tc, test_pipelined_after_block);
    tcase_add_test(tc, test_zset_wakeups);
    tcase_add_test(tc, test_rename_wakes);
    tcase_add_test(tc, test_resp3_shapes);
    tcase_add_test(tc, test_info_and_client_list);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
