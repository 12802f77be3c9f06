/* pubsub_test.c: black-box tests of Pub/Sub: SUBSCRIBE, PSUBSCRIBE,
 * SSUBSCRIBE and their UNSUBSCRIBE forms, PUBLISH and SPUBLISH, PUBSUB's
 * subcommands, the RESP2 subscribed mode (allowed commands, PING's form,
 * the error for the rest), RESP3 push messages, pipelining, RESET and a
 * subscriber disconnecting, INFO's and CLIENT LIST's counters.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte. Where Redis's order depends on its hash tables (UNSUBSCRIBE
 * without arguments, PUBSUB CHANNELS) a test uses one name, or compares
 * without order. Each test starts its own server (check forks per test). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *sub;             /* owned by the fixture: the subscriber */
static struct conn *pub;             /* owned by the fixture: the publisher */

static void setup(void)
{
    server = server_start(NULL);
    sub = conn_open(server->port);
    pub = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(pub);
    conn_close(sub);
    server_stop(server);
}

#define SUBSCRIBED_ERROR(cmd)                                                                  \
    "-ERR Can't execute '" cmd "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "   \
    "RESET are allowed in this context\r\n"

START_TEST(test_subscribe_publish_receive)
{
    conn_send(sub, "SUBSCRIBE news sport");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n");
    /* Subscribing again changes nothing but is confirmed. */
    ck_cmd(sub, "SUBSCRIBE news", "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:2\r\n");
    ck_cmd(pub, "PUBLISH news hello", ":1\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
    ck_cmd(pub, "PUBLISH nobody x", ":0\r\n");
    ck_cmd(sub, "UNSUBSCRIBE news", "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    ck_cmd(pub, "PUBLISH news again", ":0\r\n");
    ck_cmd(pub, "PUBLISH sport goal", ":1\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$5\r\nsport\r\n$4\r\ngoal\r\n");
    /* Unsubscribing from a channel never subscribed is confirmed too. */
    ck_cmd(sub, "UNSUBSCRIBE other", "*3\r\n$11\r\nunsubscribe\r\n$5\r\nother\r\n:1\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_patterns)
{
    ck_cmd(sub, "PSUBSCRIBE news.*", "*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n");
    ck_cmd(sub, "SUBSCRIBE news.it", "*3\r\n$9\r\nsubscribe\r\n$7\r\nnews.it\r\n:2\r\n");
    /* A client subscribed both ways gets both messages, counted twice. */
    ck_cmd(pub, "PUBLISH news.it ciao", ":2\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$7\r\nnews.it\r\n$4\r\nciao\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$7\r\nnews.it\r\n$4\r\nciao\r\n");
    ck_cmd(pub, "PUBLISH news.fr salut", ":1\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$6\r\nnews.*\r\n$7\r\nnews.fr\r\n$5\r\nsalut\r\n");
    ck_cmd(pub, "PUBLISH sport.it x", ":0\r\n");
    ck_cmd(sub, "PSUBSCRIBE h?llo", "*3\r\n$10\r\npsubscribe\r\n$5\r\nh?llo\r\n:3\r\n");
    ck_cmd(pub, "PUBLISH hallo y", ":1\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$5\r\nh?llo\r\n$5\r\nhallo\r\n$1\r\ny\r\n");
    ck_cmd(sub, "PUNSUBSCRIBE news.*", "*3\r\n$12\r\npunsubscribe\r\n$6\r\nnews.*\r\n:2\r\n");
    ck_cmd(pub, "PUBLISH news.fr z", ":0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_pubsub_introspection)
{
    struct conn *third = conn_open(server->port);
    ck_cmd(pub, "PUBSUB CHANNELS", "*0\r\n");
    ck_cmd(pub, "PUBSUB NUMPAT", ":0\r\n");
    ck_cmd(pub, "PUBSUB NUMSUB", "*0\r\n");
    ck_cmd(sub, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(third, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(third, "SUBSCRIBE bb", "*3\r\n$9\r\nsubscribe\r\n$2\r\nbb\r\n:2\r\n");
    /* NUMPAT counts distinct patterns, not subscriptions. */
    ck_cmd(sub, "PSUBSCRIBE p*", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:2\r\n");
    ck_cmd(third, "PSUBSCRIBE p*", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
    ck_cmd(pub, "PUBSUB NUMPAT", ":1\r\n");
    ck_cmd(pub, "PUBSUB NUMSUB a bb c",
           "*6\r\n$1\r\na\r\n:2\r\n$2\r\nbb\r\n:1\r\n$1\r\nc\r\n:0\r\n");
    ck_cmd(pub, "PUBSUB CHANNELS b*", "*1\r\n$2\r\nbb\r\n");
    ck_cmd(pub, "PUBSUB CHANNELS x*", "*0\r\n");
    char *all = conn_cmd(pub, "PUBSUB CHANNELS");
    ck_assert_msg(strcmp(all, "*2\r\n$1\r\na\r\n$2\r\nbb\r\n") == 0 ||
                      strcmp(all, "*2\r\n$2\r\nbb\r\n$1\r\na\r\n") == 0,
                  "got %s", harness_escape(all));
    free(all);
    ck_assert(conn_info_is(pub, "pubsub_channels", "2"));
    ck_assert(conn_info_is(pub, "pubsub_patterns", "1"));
    ck_assert(conn_info_is(pub, "pubsubshard_channels", "0"));
    ck_cmd(pub, "PUBSUB CHANNELS a b",
           "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB "
           "HELP.\r\n");
    ck_cmd(pub, "PUBSUB foo", "-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n");
    ck_cmd(pub, "PUBSUB", "-ERR wrong number of arguments for 'pubsub' command\r\n");
    ck_cmd(pub, "PUBLISH a", "-ERR wrong number of arguments for 'publish' command\r\n");
    ck_cmd(pub, "SUBSCRIBE", "-ERR wrong number of arguments for 'subscribe' command\r\n");
    ck_cmd_prefix(pub, "PUBSUB HELP",
                  "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                  "+CHANNELS [<pattern>]\r\n");
    conn_close(third);
}
END_TEST

START_TEST(test_unsubscribe_all)
{
    ck_cmd(sub, "UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    ck_cmd(sub, "PUNSUBSCRIBE", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
    ck_cmd(sub, "SUNSUBSCRIBE", "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
    conn_send(sub, "SUBSCRIBE a b");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
    ck_cmd(sub, "PSUBSCRIBE p*", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
    /* One confirmation per channel, in an order Redis does not fix; the
     * counts fall to what the patterns leave. */
    conn_send(sub, "UNSUBSCRIBE");
    char *first = conn_read_raw(sub);
    char *second = conn_read_raw(sub);
    ck_assert_msg(strcmp(first, "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:2\r\n") == 0 ||
                      strcmp(first, "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:2\r\n") == 0,
                  "got %s", harness_escape(first));
    ck_assert_msg(strcmp(second, "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n") == 0 ||
                      strcmp(second, "*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:1\r\n") == 0,
                  "got %s", harness_escape(second));
    ck_assert(strcmp(first + 22, second + 22) != 0);
    free(first);
    free(second);
    /* Still in Pub/Sub mode through the pattern. */
    ck_cmd(sub, "GET k", SUBSCRIBED_ERROR("get"));
    ck_cmd(sub, "PUNSUBSCRIBE", "*3\r\n$12\r\npunsubscribe\r\n$2\r\np*\r\n:0\r\n");
    ck_cmd(sub, "GET k", "$-1\r\n");
    ck_cmd(pub, "PUBSUB NUMSUB a b", "*4\r\n$1\r\na\r\n:0\r\n$1\r\nb\r\n:0\r\n");
}
END_TEST

START_TEST(test_subscribed_mode_resp2)
{
    ck_cmd(sub, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "PING", "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    ck_cmd(sub, "PING hi", "*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
    ck_cmd(sub, "GET k", SUBSCRIBED_ERROR("get"));
    ck_cmd(sub, "PUBLISH a x", SUBSCRIBED_ERROR("publish"));
    ck_cmd(sub, "PUBSUB NUMPAT", SUBSCRIBED_ERROR("pubsub|numpat"));
    ck_cmd(sub, "MULTI", SUBSCRIBED_ERROR("multi"));
    /* An unknown command is unknown first. */
    ck_cmd_prefix(sub, "NOSUCH", "-ERR unknown command 'NOSUCH'");
    ck_cmd(sub, "PSUBSCRIBE x*", "*3\r\n$10\r\npsubscribe\r\n$2\r\nx*\r\n:2\r\n");
    /* Shard channels count apart, and keep the mode on their own. */
    ck_cmd(sub, "SSUBSCRIBE s", "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    ck_cmd(sub, "UNSUBSCRIBE a", "*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "PUNSUBSCRIBE x*", "*3\r\n$12\r\npunsubscribe\r\n$2\r\nx*\r\n:0\r\n");
    ck_cmd(sub, "GET k", SUBSCRIBED_ERROR("get"));
    ck_cmd(sub, "SUNSUBSCRIBE s", "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n");
    ck_cmd(sub, "GET k", "$-1\r\n");
    ck_cmd(sub, "PING", "+PONG\r\n");
    ck_cmd(sub, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "QUIT", "+OK\r\n");
    ck_assert(conn_wait_closed(sub, 2000));
}
END_TEST

START_TEST(test_shard_channels)
{
    ck_cmd(sub, "SSUBSCRIBE s", "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    ck_cmd(sub, "SUBSCRIBE c", "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
    /* Shard channels and plain channels are apart. */
    ck_cmd(pub, "PUBLISH s x", ":0\r\n");
    ck_cmd(pub, "SPUBLISH c x", ":0\r\n");
    ck_cmd(pub, "SPUBLISH s hi", ":1\r\n");
    ck_read(sub, "*3\r\n$8\r\nsmessage\r\n$1\r\ns\r\n$2\r\nhi\r\n");
    ck_cmd(pub, "PUBSUB SHARDCHANNELS", "*1\r\n$1\r\ns\r\n");
    ck_cmd(pub, "PUBSUB SHARDNUMSUB s c", "*4\r\n$1\r\ns\r\n:1\r\n$1\r\nc\r\n:0\r\n");
    ck_cmd(pub, "PUBSUB CHANNELS", "*1\r\n$1\r\nc\r\n");
    ck_assert(conn_info_is(pub, "pubsubshard_channels", "1"));
    ck_cmd(sub, "SUNSUBSCRIBE", "*3\r\n$12\r\nsunsubscribe\r\n$1\r\ns\r\n:0\r\n");
    ck_cmd(pub, "PUBSUB SHARDCHANNELS", "*0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_resp3_push)
{
    ck_cmd_prefix(sub, "HELLO 3", "%7\r\n");
    ck_cmd(sub, "SUBSCRIBE a", ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "PSUBSCRIBE a*", ">3\r\n$10\r\npsubscribe\r\n$2\r\na*\r\n:2\r\n");
    /* Any command runs in RESP3, PING included in its usual form. */
    ck_cmd(sub, "PING", "+PONG\r\n");
    ck_cmd(sub, "PING x", "$1\r\nx\r\n");
    ck_cmd(sub, "GET k", "_\r\n");
    ck_cmd(pub, "PUBLISH a hi", ":2\r\n");
    ck_read(sub, ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n");
    ck_read(sub, ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$2\r\nhi\r\n");
    /* Its own PUBLISH: the messages come before the count. */
    conn_send(sub, "PUBLISH a me");
    ck_read(sub, ">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nme\r\n");
    ck_read(sub, ">4\r\n$8\r\npmessage\r\n$2\r\na*\r\n$1\r\na\r\n$2\r\nme\r\n");
    ck_read(sub, ":2\r\n");
    ck_cmd(sub, "PUBSUB NUMSUB a", "*2\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "UNSUBSCRIBE a", ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "PUNSUBSCRIBE a*", ">3\r\n$12\r\npunsubscribe\r\n$2\r\na*\r\n:0\r\n");
    ck_cmd(sub, "UNSUBSCRIBE", ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}
END_TEST

START_TEST(test_pipelined_subscribe_publish)
{
    /* The subscriber's confirmations and the publisher's messages, each
     * side pipelined. */
    conn_send_raw(sub, "SUBSCRIBE a\r\nPSUBSCRIBE b*\r\nPING\r\n", 34);
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_read(sub, "*3\r\n$10\r\npsubscribe\r\n$2\r\nb*\r\n:2\r\n");
    ck_read(sub, "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    const char burst[] = "PUBLISH a 1\r\nPUBLISH bx 2\r\nPUBLISH c 3\r\nPUBLISH a 4\r\n";
    conn_send_raw(pub, burst, sizeof(burst) - 1);
    ck_read(pub, ":1\r\n");
    ck_read(pub, ":1\r\n");
    ck_read(pub, ":0\r\n");
    ck_read(pub, ":1\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$2\r\nb*\r\n$2\r\nbx\r\n$1\r\n2\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\n4\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_reset_leaves_subscriptions)
{
    ck_cmd(sub, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(sub, "PSUBSCRIBE p*", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:2\r\n");
    ck_cmd(sub, "SSUBSCRIBE s", "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    ck_cmd(sub, "RESET", "+RESET\r\n");
    ck_cmd(sub, "GET k", "$-1\r\n");
    ck_cmd(pub, "PUBLISH a x", ":0\r\n");
    ck_cmd(pub, "PUBLISH px x", ":0\r\n");
    ck_cmd(pub, "SPUBLISH s x", ":0\r\n");
    ck_cmd(pub, "PUBSUB NUMPAT", ":0\r\n");
    ck_cmd(pub, "PUBSUB CHANNELS", "*0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_subscriber_closes)
{
    struct conn *third = conn_open(server->port);
    ck_cmd(third, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(third, "PSUBSCRIBE *", "*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:2\r\n");
    ck_cmd(sub, "SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(pub, "PUBSUB NUMSUB a", "*2\r\n$1\r\na\r\n:2\r\n");
    conn_close(third);
    ck_cmd_eventually(pub, "PUBSUB NUMSUB a", "*2\r\n$1\r\na\r\n:1\r\n");
    ck_cmd(pub, "PUBSUB NUMPAT", ":0\r\n");
    ck_cmd(pub, "PUBLISH a x", ":1\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n");
    ck_assert(conn_info_is(pub, "pubsub_channels", "1"));
    ck_assert(conn_info_is(pub, "pubsub_patterns", "0"));
    ck_cmd(pub, "PING", "+PONG\r\n");
}
END_TEST

START_TEST(test_client_list_counts)
{
    ck_cmd(sub, "CLIENT SETNAME s1", "+OK\r\n");
    conn_send(sub, "SUBSCRIBE a b");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n");
    ck_cmd(sub, "PSUBSCRIBE p*", "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
    ck_cmd(sub, "SSUBSCRIBE s", "*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n");
    char *list = conn_cmd(pub, "CLIENT LIST");
    char *line = strstr(list, "name=s1 ");
    ck_assert_ptr_nonnull(line);
    ck_assert_ptr_nonnull(strstr(line, " flags=P "));
    ck_assert_ptr_nonnull(strstr(line, " sub=2 psub=1 ssub=1 "));
    ck_assert_ptr_nonnull(strstr(line, " cmd=ssubscribe "));
    free(list);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pubsub");
    TCase *tc = tcase_create("pubsub");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_subscribe_publish_receive);
    tcase_add_test(tc, test_patterns);
    tcase_add_test(tc, test_pubsub_introspection);
    tcase_add_test(tc, test_unsubscribe_all);
    tcase_add_test(tc, test_subscribed_mode_resp2);
    tcase_add_test(tc, test_shard_channels);
    tcase_add_test(tc, test_resp3_push);
    tcase_add_test(tc, test_pipelined_subscribe_publish);
    tcase_add_test(tc, test_reset_leaves_subscriptions);
    tcase_add_test(tc, test_subscriber_closes);
    tcase_add_test(tc, test_client_list_counts);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
