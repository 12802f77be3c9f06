/* obuf_limit_test.c: black-box tests of client-output-buffer-limit for
 * the pubsub class: a subscriber that stops reading while messages pile
 * up is closed at the hard limit, or after soft-seconds above the soft
 * limit, with Redis's log line; the normal class's limit does not apply to
 * a subscriber, and a client that unsubscribes is normal again. Limits are
 * set at runtime with CONFIG SET, as a test suite does. (limits_test.c
 * covers the normal class.)
 *
 * Every expectation was checked against redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. Redis 7.0 has no
 * INFO counter of these disconnections (7.2 added one), so none is read. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBUF_MESSAGE_BYTES (100 * 1024)
#define OBUF_CLOSED_LOG "for overcoming of output buffer limits."

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *pub;             /* owned by the fixture: publishes, checks */

static void setup(void)
{
    server = server_start(NULL);
    pub = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(pub);
    server_stop(server);
}

/* A connection named name, subscribed to channel "ch". */
static struct conn *subscriber_open(const char *name)
{
    struct conn *c = conn_open(server->port);
    char line[64];
    snprintf(line, sizeof(line), "CLIENT SETNAME %s", name);
    ck_cmd(c, line, "+OK\r\n");
    ck_cmd(c, "SUBSCRIBE ch", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    return c;
}

/* Publishes count OBUF_MESSAGE_BYTES messages on "ch", reading each
 * reply; returns the receivers of the last. */
static long long publish_many(int count)
{
    char *message = malloc(OBUF_MESSAGE_BYTES);
    ck_assert_ptr_nonnull(message);
    memset(message, 'm', OBUF_MESSAGE_BYTES);
    const char *argv[] = {"PUBLISH", "ch", message};
    size_t lens[] = {7, 2, OBUF_MESSAGE_BYTES};
    long long receivers = -1;
    for (int i = 0; i < count; i++) {
        char *reply = conn_cmd_argv(pub, 3, argv, lens);
        ck_assert_msg(reply[0] == ':', "PUBLISH: %s", harness_escape(reply));
        receivers = atoll(reply + 1);
        free(reply);
    }
    free(message);
    return receivers;
}

static bool client_listed(const char *name)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), " name=%s ", name);
    char *list = conn_cmd(pub, "CLIENT LIST");
    bool found = strstr(list, pattern) != NULL;
    free(list);
    return found;
}

static bool client_gone(const char *name, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    while (client_listed(name)) {
        if (harness_clock_ms() > deadline)
            return false;
        harness_sleep_ms(20);
    }
    return true;
}

/* Whether a line of the server's log holds both texts, within timeout_ms. */
static bool log_has(const char *text, const char *also, int timeout_ms)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", server->dir);
    int64_t deadline = harness_clock_ms() + timeout_ms;
    for (;;) {
        char *log = harness_read_file(path, NULL);
        bool found = false;
        for (char *line = log; line != NULL && *line && !found;) {
            char *end = strchr(line, '\n');
            if (end != NULL)
                *end = '\0';
            found = strstr(line, text) != NULL && strstr(line, also) != NULL;
            line = end != NULL ? end + 1 : NULL;
        }
        free(log);
        if (found)
            return true;
        if (harness_clock_ms() > deadline)
            return false;
        harness_sleep_ms(50);
    }
}


/* The hard limit: closed as soon as its pending output reaches 1 MB (the
 * kernel's buffers absorb a few MB first, so 30 MB are sent). */
START_TEST(test_pubsub_hard_limit)
{
    const char *set[] = {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 512kb 60"};
    char *reply = conn_cmd_argv(pub, 4, set, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    struct conn *sub = subscriber_open("sleepy");
    long long receivers = publish_many(300);
    ck_assert_int_eq(receivers, 0);
    ck_assert_msg(client_gone("sleepy", 10000), "the subscriber was not closed");
    ck_assert_msg(conn_wait_closed(sub, 10000), "its socket did not reach EOF");
    conn_close(sub);
    ck_assert_msg(log_has("# Client id=", OBUF_CLOSED_LOG, 5000), "no log line");
    ck_assert_msg(log_has(" name=sleepy ", "scheduled to be closed ASAP " OBUF_CLOSED_LOG, 5000),
                  "the line does not name it");
    ck_cmd(pub, "PUBSUB NUMSUB ch", "*2\r\n$2\r\nch\r\n:0\r\n");
}
END_TEST

/* The soft limit: above 512 KB for longer than 1 s closes it; the next
 * message found it (or the periodic check did). */
START_TEST(test_pubsub_soft_limit)
{
    const char *set[] = {"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 512kb 1"};
    char *reply = conn_cmd_argv(pub, 4, set, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    struct conn *sub = subscriber_open("soft");
    publish_many(150);
    int64_t start = harness_clock_ms();
    ck_assert_msg(client_listed("soft"), "closed at once by a soft limit");
    harness_sleep_ms(1500);
    publish_many(1);
    ck_assert_msg(client_gone("soft", 10000), "not closed after its soft seconds");
    ck_assert_int_ge(harness_clock_ms() - start, 1000);
    ck_assert_msg(conn_wait_closed(sub, 10000), "its socket did not reach EOF");
    conn_close(sub);
    ck_assert_msg(log_has(" name=soft ", OBUF_CLOSED_LOG, 5000), "no log line");
}
END_TEST

/* The normal class's limit does not apply to a subscriber; once it has
 * unsubscribed it is a normal client again. */
START_TEST(test_class_follows_subscription)
{
    const char *set[] = {"CONFIG", "SET", "client-output-buffer-limit",
                         "normal 1mb 0 0 pubsub 0 0 0"};
    char *reply = conn_cmd_argv(pub, 4, set, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    struct conn *sub = subscriber_open("unlimited");
    publish_many(150);
    harness_sleep_ms(300);
    ck_assert_msg(client_listed("unlimited"), "a subscriber was held to the normal limit");
    /* Read everything, leave the channel, then fall behind on GETs. */
    for (int i = 0; i < 150; i++)
        free(conn_read_raw(sub));
    ck_cmd(sub, "UNSUBSCRIBE ch", "*3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
    char *value = malloc(OBUF_MESSAGE_BYTES);
    ck_assert_ptr_nonnull(value);
    memset(value, 'v', OBUF_MESSAGE_BYTES);
    const char *argv[] = {"SET", "big", value};
    size_t lens[] = {3, 3, OBUF_MESSAGE_BYTES};
    reply = conn_cmd_argv(pub, 3, argv, lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    free(value);
    /* The server may close the connection before the last GET is sent. */
    static const char get[] = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n";
    for (int i = 0; i < 300 && conn_try_send_raw(sub, get, sizeof(get) - 1); i++)
        ;
    ck_assert_msg(client_gone("unlimited", 10000), "the normal limit did not apply");
    conn_close(sub);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("obuf_limit");
    TCase *tc = tcase_create("obuf_limit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pubsub_hard_limit);
    tcase_add_test(tc, test_pubsub_soft_limit);
    tcase_add_test(tc, test_class_follows_subscription);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
