/* client_reply_test.c: black-box tests of CLIENT REPLY ON|OFF|SKIP: which
 * replies are dropped (OFF: all until ON; SKIP: the next command's), the
 * errors, errors still counted in INFO errorstats while muted, RESET
 * ending OFF, SKIP before MULTI, a blocked command's reply under SKIP,
 * Pub/Sub messages and confirmations still delivered (as Redis 7.0.15
 * does), MONITOR's feed muted. Also CLIENT NO-EVICT's replies and its
 * CLIENT LIST flag.
 *
 * Every expectation was checked against redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. A dropped reply is
 * seen by sending a PING with a marker after it: the next reply read must
 * be that PING's. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *c1;              /* owned by the fixture */
static struct conn *c2;              /* owned by the fixture */

static void setup(void)
{
    server = server_start(NULL);
    c1 = conn_open(server->port);
    c2 = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(c2);
    conn_close(c1);
    server_stop(server);
}

START_TEST(test_errors)
{
    ck_cmd(c1, "CLIENT REPLY", "-ERR wrong number of arguments for 'client|reply' command\r\n");
    ck_cmd(c1, "CLIENT REPLY on x", "-ERR wrong number of arguments for 'client|reply' command\r\n");
    ck_cmd(c1, "CLIENT REPLY foo", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT REPLY On", "+OK\r\n");
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
}
END_TEST

START_TEST(test_off_and_on)
{
    conn_send(c1, "CLIENT REPLY OFF");
    conn_send(c1, "SET k v");
    conn_send(c1, "GET k");
    conn_send(c1, "NOSUCH");
    conn_send(c1, "CLIENT REPLY bad");
    conn_send(c1, "CLIENT REPLY SKIP"); /* no effect while OFF */
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
    ck_cmd(c1, "GET k", "$1\r\nv\r\n");
    /* The muted errors were still counted. */
    char *value = conn_info_field(c2, "errorstat_ERR");
    ck_assert_ptr_nonnull(value);
    ck_assert_str_eq(value, "count=2");
    free(value);
}
END_TEST

START_TEST(test_skip)
{
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "SET k v");
    ck_cmd(c1, "PING a", "$1\r\na\r\n");
    /* An error reply is skipped as well. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "NOSUCH");
    ck_cmd(c1, "PING b", "$1\r\nb\r\n");
    /* SKIP then OFF: off until ON. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "CLIENT REPLY OFF");
    conn_send(c1, "PING c");
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
    /* SKIP then a bad CLIENT REPLY: the error is the skipped reply. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "CLIENT REPLY bad");
    ck_cmd(c1, "PING d", "$1\r\nd\r\n");
    /* SKIP then ON: ON clears the skip before it answers. */
    conn_send(c1, "CLIENT REPLY SKIP");
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
    ck_cmd(c1, "PING e", "$1\r\ne\r\n");
}
END_TEST

START_TEST(test_reset)
{
    conn_send(c1, "CLIENT REPLY OFF");
    ck_cmd(c1, "RESET", "+RESET\r\n");
    ck_cmd(c1, "PING", "+PONG\r\n");
    /* A SKIP already on drops RESET's own reply. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "RESET");
    ck_cmd(c1, "PING", "+PONG\r\n");
}
END_TEST

START_TEST(test_skip_and_multi)
{
    /* SKIP drops MULTI's +OK; the rest of the transaction answers. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "MULTI");
    ck_cmd(c1, "PING", "+QUEUED\r\n");
    ck_cmd(c1, "EXEC", "*1\r\n+PONG\r\n");
    /* SKIP queued in a transaction applies after EXEC (not tested: OFF
     * or SKIP inside EXEC leaves Redis's array short of elements). */
}
END_TEST

START_TEST(test_skip_blocked_command)
{
    /* The reply of a blocking command served later is the one skipped. */
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "BLPOP list 0");
    harness_sleep_ms(100);
    ck_cmd(c2, "RPUSH list a", ":1\r\n");
    ck_cmd(c1, "PING after", "$5\r\nafter\r\n");
    ck_cmd(c2, "LLEN list", ":0\r\n");
}
END_TEST

START_TEST(test_pubsub_still_delivered)
{
    /* RESP2: confirmations and messages reach a client that is OFF. */
    conn_send(c1, "CLIENT REPLY OFF");
    ck_cmd(c1, "SUBSCRIBE ch", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    ck_cmd(c2, "PUBLISH ch hi", ":1\r\n");
    ck_read(c1, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    ck_cmd(c1, "UNSUBSCRIBE ch", "*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
    /* RESP3: pushes pass OFF and SKIP alike. */
    char *hello = conn_cmd(c1, "HELLO 3");
    free(hello);
    conn_send(c1, "CLIENT REPLY OFF");
    ck_cmd(c1, "PSUBSCRIBE c*", ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:1\r\n");
    ck_cmd(c2, "PUBLISH ch a", ":1\r\n");
    ck_read(c1, ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$1\r\na\r\n");
    ck_cmd(c1, "CLIENT REPLY ON", "+OK\r\n");
    conn_send(c1, "CLIENT REPLY SKIP");
    conn_send(c1, "PING");
    ck_cmd(c2, "PUBLISH ch b", ":1\r\n");
    ck_read(c1, ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$1\r\nb\r\n");
    ck_cmd(c1, "PING z", "$1\r\nz\r\n");
}
END_TEST

START_TEST(test_monitor_muted)
{
    ck_cmd(c1, "MONITOR", "+OK\r\n");
    conn_send(c1, "CLIENT REPLY OFF");
    harness_sleep_ms(50);
    ck_cmd(c2, "SET m 1", "+OK\r\n");
    char *got = conn_try_read_raw(c1, 300);
    ck_assert_msg(got == NULL, "monitor line while muted: %s", got ? harness_escape(got) : "");
}
END_TEST

START_TEST(test_no_evict)
{
    ck_cmd(c1, "CLIENT NO-EVICT", "-ERR wrong number of arguments for 'client|no-evict' command\r\n");
    ck_cmd(c1, "CLIENT NO-EVICT maybe", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT SETNAME ne", "+OK\r\n");
    ck_cmd(c1, "CLIENT NO-EVICT ON", "+OK\r\n");
    char *list = conn_cmd(c2, "CLIENT LIST");
    ck_assert_ptr_nonnull(strstr(list, " name=ne age="));
    ck_assert_ptr_nonnull(strstr(strstr(list, " name=ne "), " flags=e "));
    free(list);
    /* RESET keeps it. */
    ck_cmd(c1, "RESET", "+RESET\r\n");
    char *info = conn_cmd(c1, "CLIENT INFO");
    ck_assert_ptr_nonnull(strstr(info, " flags=e "));
    free(info);
    ck_cmd(c1, "CLIENT NO-EVICT off", "+OK\r\n");
    info = conn_cmd(c1, "CLIENT INFO");
    ck_assert_ptr_nonnull(strstr(info, " flags=N "));
    free(info);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_reply");
    TCase *tc = tcase_create("client_reply");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_off_and_on);
    tcase_add_test(tc, test_skip);
    tcase_add_test(tc, test_reset);
    tcase_add_test(tc, test_skip_and_multi);
    tcase_add_test(tc, test_skip_blocked_command);
    tcase_add_test(tc, test_pubsub_still_delivered);
    tcase_add_test(tc, test_monitor_muted);
    tcase_add_test(tc, test_no_evict);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
