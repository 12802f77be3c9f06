/* client_list_test.c: black-box tests of CLIENT LIST's filters (TYPE, ID)
 * and their errors, and of the client types a connection moves between
 * (normal, pubsub once subscribed), and the idle timeout sparing
 * subscribers.
 *
 * Every expectation was checked against redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. */
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
    ck_cmd(c1, "CLIENT SETNAME one", "+OK\r\n");
    ck_cmd(c2, "CLIENT SETNAME two", "+OK\r\n");
}

static void teardown(void)
{
    conn_close(c2);
    conn_close(c1);
    server_stop(server);
}

/* How many lines of the reply to line (a CLIENT LIST, sent on c1) name
 * name. */
static int listed(const char *line, const char *name)
{
    char *list = conn_cmd(c1, line);
    ck_assert_msg(list[0] == '$', "%s: %s", line, harness_escape(list));
    char pattern[64];
    snprintf(pattern, sizeof(pattern), " name=%s ", name);
    int n = 0;
    for (char *p = list; (p = strstr(p, pattern)) != NULL; p++)
        n++;
    free(list);
    return n;
}

START_TEST(test_errors)
{
    ck_cmd(c1, "CLIENT LIST TYPE x", "-ERR Unknown client type 'x'\r\n");
    ck_cmd(c1, "CLIENT LIST ID x", "-ERR Invalid client ID\r\n");
    ck_cmd(c1, "CLIENT LIST ID 1 x", "-ERR Invalid client ID\r\n");
    ck_cmd(c1, "CLIENT LIST ID 99999999999999999999", "-ERR Invalid client ID\r\n");
    /* ID takes every word after it as an id. */
    ck_cmd(c1, "CLIENT LIST ID 1 TYPE normal", "-ERR Invalid client ID\r\n");
    ck_cmd(c1, "CLIENT LIST foo", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT LIST TYPE", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT LIST ID", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT LIST TYPE normal x", "-ERR syntax error\r\n");
    ck_cmd(c1, "CLIENT LIST TYPE normal ID 1", "-ERR syntax error\r\n");
    /* Ids that match nobody, 0 and negatives included, list nothing. */
    ck_cmd(c1, "CLIENT LIST ID 0", "$0\r\n\r\n");
    ck_cmd(c1, "CLIENT LIST ID -1", "$0\r\n\r\n");
    ck_cmd(c1, "CLIENT LIST ID 123456", "$0\r\n\r\n");
}
END_TEST

START_TEST(test_filters)
{
    long long id2 = conn_cmd_integer(c2, "CLIENT ID");
    char line[96];
    snprintf(line, sizeof(line), "CLIENT LIST ID %lld", id2);
    ck_assert_int_eq(listed(line, "two"), 1);
    ck_assert_int_eq(listed(line, "one"), 0);
    /* Each id given is looked up, in order: a repeated one shows twice. */
    long long id1 = conn_cmd_integer(c1, "CLIENT ID");
    snprintf(line, sizeof(line), "CLIENT LIST ID 0 %lld %lld %lld", id2, id1, id2);
    ck_assert_int_eq(listed(line, "two"), 2);
    ck_assert_int_eq(listed(line, "one"), 1);
    char *list = conn_cmd(c1, line);
    ck_assert(strstr(list, " name=two ") < strstr(list, " name=one "));
    free(list);
    ck_assert_int_eq(listed("CLIENT LIST TYPE normal", "two"), 1);
    ck_assert_int_eq(listed("CLIENT LIST type NORMAL", "one"), 1);
    ck_assert_int_eq(listed("CLIENT LIST TYPE pubsub", "two"), 0);
    ck_cmd(c1, "CLIENT LIST TYPE master", "$0\r\n\r\n");
    ck_cmd(c1, "CLIENT LIST TYPE replica", "$0\r\n\r\n");
    ck_cmd(c1, "CLIENT LIST TYPE slave", "$0\r\n\r\n");
    /* A subscriber is of type pubsub, and normal again when it leaves. */
    ck_cmd(c2, "SUBSCRIBE ch", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    ck_assert_int_eq(listed("CLIENT LIST TYPE pubsub", "two"), 1);
    ck_assert_int_eq(listed("CLIENT LIST TYPE normal", "two"), 0);
    ck_cmd(c2, "UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
    ck_assert_int_eq(listed("CLIENT LIST TYPE normal", "two"), 1);
}
END_TEST

/* With an idle timeout, a subscriber is never closed as idle (Redis
 * exempts Pub/Sub clients), while an idle normal client is. */
START_TEST(test_idle_timeout_spares_subscribers)
{
    ck_cmd(c1, "CONFIG SET timeout 1", "+OK\r\n");
    ck_cmd(c2, "SUBSCRIBE ch", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    struct conn *idle = conn_open(server->port);
    ck_cmd(idle, "PING", "+PONG\r\n");
    bool closed = false;
    for (int i = 0; i < 25 && !closed; i++) {
        ck_cmd(c1, "PING", "+PONG\r\n");
        closed = conn_wait_closed(idle, 200);
    }
    ck_assert_msg(closed, "the idle client was not closed");
    conn_close(idle);
    for (int i = 0; i < 10; i++) {
        ck_cmd(c1, "PING", "+PONG\r\n");
        harness_sleep_ms(200);
    }
    ck_cmd(c1, "PUBLISH ch x", ":1\r\n");
    char *msg = conn_read_raw(c2);
    ck_assert_str_eq(msg, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n");
    free(msg);
    ck_cmd(c1, "CONFIG SET timeout 0", "+OK\r\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_list");
    TCase *tc = tcase_create("client_list");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_filters);
    tcase_add_test(tc, test_idle_timeout_spares_subscribers);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
