/* digest_test.c: DEBUG DIGEST and DEBUG DIGEST-VALUE over every type.
 *
 * The pinned values are Redis 7.0.15's own (run this file with
 * RINGKV_SERVER=/usr/bin/redis-server to see them match), so a user's test
 * suite that compares digests between a Redis and a ringkv, or across a
 * restart, gets the same answers. The digest depends on content, not on
 * encoding or insertion order (except a list's order, which is content). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct server_handle *server; /* owned by the fixture */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    server = server_start(args);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

static void load_every_type(void)
{
    ck_cmd(client, "sadd s a b 1 2", ":4\r\n");
    ck_cmd(client, "sadd si 1 2 3", ":3\r\n");
    ck_cmd(client, "hset h f v n 12", ":2\r\n");
    ck_cmd(client, "zadd z 1.5 a 2 b", ":2\r\n");
    ck_cmd(client, "set k v", "+OK\r\n");
}

START_TEST(test_empty_keyspace_is_zeros)
{
    ck_cmd(client, "debug digest", "+0000000000000000000000000000000000000000\r\n");
    ck_cmd(client, "debug digest-value nosuchkey",
           "*1\r\n+0000000000000000000000000000000000000000\r\n");
}
END_TEST

START_TEST(test_values_match_redis)
{
    load_every_type();
    ck_cmd(client, "debug digest", "+cf3b9d3af79829d7b1c74ccc94970767b88f6e64\r\n");
    ck_cmd(client, "debug digest-value s si h z k",
           "*5\r\n+32b8b98ca01572a2e08f0714f8b73a61d59139dd\r\n"
           "+2a462a3f51a1db89738ebbeef0c47ce1bbc85246\r\n"
           "+76d7ce7d8cb69c65ddb54b94589fa9396351461b\r\n"
           "+445b877af3c3ec83af30529ddbbdda3185172254\r\n"
           "+d79ee9fe5d5ad902d7f6620efc3b07b75ddd742f\r\n");
    ck_cmd(client, "rpush l a 1 -9223372036854775808 9223372036854775807 hello", ":5\r\n");
    ck_cmd(client, "debug digest-value l", "*1\r\n+b089af8b525ebbc8e4a4fa3335d4ed7b768d233c\r\n");
}
END_TEST

START_TEST(test_digest_ignores_encoding_and_order)
{
    load_every_type();
    char *before = conn_cmd(client, "debug digest");
    /* The same contents rebuilt in another order and past the listpack and
     * intset limits (then trimmed back) must digest the same. */
    ck_cmd(client, "config set hash-max-listpack-entries 1 set-max-intset-entries 1 zset-max-listpack-entries 1", "+OK\r\n");
    ck_cmd(client, "del s si h z", ":4\r\n");
    ck_cmd(client, "sadd s 2 1 b a", ":4\r\n");
    ck_cmd(client, "sadd si 3 2 1", ":3\r\n");
    ck_cmd(client, "hset h n 12 f v", ":2\r\n");
    ck_cmd(client, "zadd z 2 b 1.5 a", ":2\r\n");
    ck_cmd(client, "object encoding h", "$9\r\nhashtable\r\n");
    char *after = conn_cmd(client, "debug digest");
    ck_assert_str_eq(before, after);
    /* A change anywhere changes it; so does a TTL. */
    ck_cmd(client, "zincrby z 1 a", "$3\r\n2.5\r\n");
    char *changed = conn_cmd(client, "debug digest");
    ck_assert_str_ne(after, changed);
    ck_cmd(client, "zincrby z -1 a", "$3\r\n1.5\r\n");
    ck_cmd(client, "expire k 100", ":1\r\n");
    char *with_ttl = conn_cmd(client, "debug digest");
    ck_assert_str_ne(after, with_ttl);
    free(before);
    free(after);
    free(changed);
    free(with_ttl);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("digest");
    TCase *tc = tcase_create("digest");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_empty_keyspace_is_zeros);
    tcase_add_test(tc, test_values_match_redis);
    tcase_add_test(tc, test_digest_ignores_encoding_and_order);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
