/* twemproxy_test.c: three servers behind twemproxy (Debian's nutcracker),
 * laid out like scripts/nutcracker.yml: every command family twemproxy
 * forwards makes the round trip, each key lands on exactly one server,
 * MGET / DEL / MSET / EXISTS split across the shards and come back whole,
 * and a pipeline keeps its order.
 *
 * Skips (77) when nutcracker is absent ($NUTCRACKER, else
 * /usr/sbin/nutcracker). Every expectation holds for redis-server 7.0.15
 * too (RINGKV_SERVER=/usr/bin/redis-server). Each test starts its own
 * servers and nutcracker (the harness stops a test's servers when its
 * forked process ends, so they cannot be shared across tests). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define TW_SERVERS 3
/* Keys the placement test writes: enough that every shard gets some. */
#define TW_KEYS 60

static const char *nutcracker_path(void)
{
    const char *p = getenv("NUTCRACKER");
    return p && p[0] ? p : "/usr/sbin/nutcracker";
}

static struct server_handle *backends[TW_SERVERS];
static pid_t proxy_pid;
static int proxy_port;
static char proxy_dir[256];
static struct conn *proxy;
static struct conn *direct[TW_SERVERS];

static void dump_proxy_log(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/nutcracker.log", proxy_dir);
    char *log = harness_read_file(path, NULL);
    if (log)
        fprintf(stderr, "---- nutcracker.log ----\n%s\n", log);
    free(log);
}

/* Starts the three servers and nutcracker in front of them. */
static void processes_start(void)
{
    for (int i = 0; i < TW_SERVERS; i++)
        backends[i] = server_start(NULL);
    harness_make_dir(proxy_dir, sizeof(proxy_dir));
    proxy_port = harness_free_port();
    int stats_port = harness_free_port();
    char conf[300], log[300], stats[16];
    snprintf(conf, sizeof(conf), "%s/nutcracker.yml", proxy_dir);
    snprintf(log, sizeof(log), "%s/nutcracker.log", proxy_dir);
    snprintf(stats, sizeof(stats), "%d", stats_port);
    FILE *f = fopen(conf, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "ringkv:\n  listen: 127.0.0.1:%d\n  hash: murmur\n  distribution: ketama\n"
               "  redis: true\n  auto_eject_hosts: false\n  timeout: 2000\n  preconnect: true\n"
               "  server_connections: 1\n  servers:\n", proxy_port);
    for (int i = 0; i < TW_SERVERS; i++)
        fprintf(f, "   - 127.0.0.1:%d:1 ringkv%d\n", backends[i]->port, i + 1);
    fclose(f);
    const char *argv[] = {nutcracker_path(), "-c", conf, "-o", log, "-s", stats, "-v", "6", NULL};
    proxy_pid = harness_spawn(argv, log);
}

static void processes_stop(void)
{
    harness_spawn_stop(proxy_pid);
    for (int i = 0; i < TW_SERVERS; i++)
        if (backends[i])
            server_stop(backends[i]);
}

static void setup(void)
{
    processes_start();
    proxy = conn_open_retry(proxy_port, 5000);
    if (proxy == NULL)
        dump_proxy_log();
    ck_assert_msg(proxy != NULL, "nutcracker does not accept on %d", proxy_port);
    for (int i = 0; i < TW_SERVERS; i++) {
        direct[i] = conn_open(backends[i]->port);
        ck_cmd(direct[i], "FLUSHALL", "+OK\r\n");
    }
}

static void teardown(void)
{
    if (proxy)
        conn_close(proxy);
    for (int i = 0; i < TW_SERVERS; i++)
        if (direct[i])
            conn_close(direct[i]);
    processes_stop();
}

/* Which server holds key (EXISTS on each); asserts exactly one does. */
static int shard_of(const char *key)
{
    char line[256];
    snprintf(line, sizeof(line), "EXISTS %s", key);
    int found = -1;
    for (int i = 0; i < TW_SERVERS; i++) {
        if (conn_cmd_integer(direct[i], line) == 1) {
            ck_assert_msg(found < 0, "%s is on servers %d and %d", key, found, i);
            found = i;
        }
    }
    ck_assert_msg(found >= 0, "%s is on no server", key);
    return found;
}

START_TEST(test_strings_and_placement)
{
    int per_shard[TW_SERVERS] = {0};
    char line[128], expect[128];
    for (int i = 0; i < TW_KEYS; i++) {
        snprintf(line, sizeof(line), "SET key:%d value:%d", i, i);
        ck_cmd(proxy, line, "+OK\r\n");
    }
    for (int i = 0; i < TW_KEYS; i++) {
        snprintf(line, sizeof(line), "GET key:%d", i);
        int n = snprintf(NULL, 0, "value:%d", i);
        snprintf(expect, sizeof(expect), "$%d\r\nvalue:%d\r\n", n, i);
        ck_cmd(proxy, line, expect);
        snprintf(line, sizeof(line), "key:%d", i);
        per_shard[shard_of(line)]++;
    }
    for (int i = 0; i < TW_SERVERS; i++)
        ck_assert_msg(per_shard[i] > 0, "server %d got no key of %d", i, TW_KEYS);
    ck_cmd(proxy, "INCR counter", ":1\r\n");
    ck_cmd(proxy, "INCRBY counter 41", ":42\r\n");
    ck_cmd(proxy, "APPEND greeting hello", ":5\r\n");
    ck_cmd(proxy, "GETRANGE greeting 1 3", "$3\r\nell\r\n");
    ck_cmd(proxy, "SETNX greeting x", ":0\r\n");
    ck_cmd(proxy, "STRLEN greeting", ":5\r\n");
    ck_cmd(proxy, "GET missing", "$-1\r\n");
    ck_cmd(proxy, "TYPE greeting", "+string\r\n");
    /* A server's error comes back as it is. */
    ck_cmd(proxy, "LPUSH greeting x",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}
END_TEST

START_TEST(test_hashes_lists_sets_zsets)
{
    ck_cmd(proxy, "HSET h f1 v1 f2 v2", ":2\r\n");
    ck_cmd(proxy, "HGET h f1", "$2\r\nv1\r\n");
    ck_cmd(proxy, "HMGET h f1 nope f2", "*3\r\n$2\r\nv1\r\n$-1\r\n$2\r\nv2\r\n");
    ck_cmd(proxy, "HINCRBY h n 5", ":5\r\n");
    ck_cmd(proxy, "HLEN h", ":3\r\n");
    ck_cmd(proxy, "HDEL h f2", ":1\r\n");
    ck_cmd(proxy, "HGETALL h", "*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$1\r\nn\r\n$1\r\n5\r\n");

    ck_cmd(proxy, "RPUSH l a b c", ":3\r\n");
    ck_cmd(proxy, "LPUSH l z", ":4\r\n");
    ck_cmd(proxy, "LRANGE l 0 -1", "*4\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(proxy, "LPOP l", "$1\r\nz\r\n");
    ck_cmd(proxy, "LINDEX l -1", "$1\r\nc\r\n");
    ck_cmd(proxy, "LLEN l", ":3\r\n");

    ck_cmd(proxy, "SADD s a b c", ":3\r\n");
    ck_cmd(proxy, "SISMEMBER s b", ":1\r\n");
    ck_cmd(proxy, "SREM s b", ":1\r\n");
    ck_cmd(proxy, "SCARD s", ":2\r\n");
    char *members = conn_cmd(proxy, "SMEMBERS s");
    ck_assert_msg(strcmp(members, "*2\r\n$1\r\na\r\n$1\r\nc\r\n") == 0 ||
                      strcmp(members, "*2\r\n$1\r\nc\r\n$1\r\na\r\n") == 0,
                  "SMEMBERS: %s", harness_escape(members));
    free(members);

    ck_cmd(proxy, "ZADD z 1 one 2 two 3 three", ":3\r\n");
    ck_cmd(proxy, "ZINCRBY z 10 one", "$2\r\n11\r\n");
    ck_cmd(proxy, "ZRANGE z 0 -1 WITHSCORES",
           "*6\r\n$3\r\ntwo\r\n$1\r\n2\r\n$5\r\nthree\r\n$1\r\n3\r\n$3\r\none\r\n$2\r\n11\r\n");
    ck_cmd(proxy, "ZRANGEBYSCORE z 2 3", "*2\r\n$3\r\ntwo\r\n$5\r\nthree\r\n");
    ck_cmd(proxy, "ZRANK z one", ":2\r\n");
    ck_cmd(proxy, "ZSCORE z two", "$1\r\n2\r\n");
    ck_cmd(proxy, "ZCARD z", ":3\r\n");
    /* Each structure lives whole on one server. */
    shard_of("h");
    shard_of("l");
    shard_of("s");
    shard_of("z");
}
END_TEST

START_TEST(test_multi_key_across_shards)
{
    ck_cmd(proxy, "MSET a 1 b 2 c 3 d 4 e 5 f 6", "+OK\r\n");
    int used[TW_SERVERS] = {0};
    const char *keys[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++)
        used[shard_of(keys[i])] = 1;
    ck_assert_msg(used[0] + used[1] + used[2] >= 2, "the six keys all went to one server");
    /* The replies come back in the order of the keys, whatever shard
     * answered each. */
    ck_cmd(proxy, "MGET f missing a c b e d",
           "*7\r\n$1\r\n6\r\n$-1\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n5\r\n$1\r\n4\r\n");
    ck_cmd(proxy, "EXISTS a b missing f", ":3\r\n");
    ck_cmd(proxy, "DEL a b c missing", ":3\r\n");
    ck_cmd(proxy, "MGET a b c d", "*4\r\n$-1\r\n$-1\r\n$-1\r\n$1\r\n4\r\n");
    ck_cmd(proxy, "DEL d e f", ":3\r\n");
    for (int i = 0; i < TW_SERVERS; i++)
        ck_cmd(direct[i], "DBSIZE", ":0\r\n");
}
END_TEST

START_TEST(test_expire_ttl)
{
    ck_cmd(proxy, "SET t v", "+OK\r\n");
    ck_cmd(proxy, "TTL t", ":-1\r\n");
    ck_cmd(proxy, "EXPIRE t 100", ":1\r\n");
    long long ttl = conn_cmd_integer(proxy, "TTL t");
    ck_assert(ttl > 90 && ttl <= 100);
    long long pttl = conn_cmd_integer(proxy, "PTTL t");
    ck_assert(pttl > 90000 && pttl <= 100000);
    ck_cmd(proxy, "PERSIST t", ":1\r\n");
    ck_cmd(proxy, "TTL t", ":-1\r\n");
    ck_cmd(proxy, "SETEX s 100 v", "+OK\r\n");
    ck_cmd(proxy, "PEXPIRE s 1", ":1\r\n");
    harness_sleep_ms(20);
    ck_cmd(proxy, "GET s", "$-1\r\n");
    ck_cmd(proxy, "TTL nope", ":-2\r\n");
    /* The TTL lives on the server that holds the key. */
    ck_cmd(proxy, "EXPIRE t 500", ":1\r\n");
    char line[32];
    snprintf(line, sizeof(line), "TTL t");
    ttl = conn_cmd_integer(direct[shard_of("t")], line);
    ck_assert(ttl > 490 && ttl <= 500);
}
END_TEST

START_TEST(test_pipeline_keeps_order)
{
    enum { N = 200 };
    /* One write of N commands over keys on every shard, read back in
     * order. */
    size_t cap = N * 64, len = 0;
    char *buf = malloc(cap);
    for (int i = 0; i < N; i++) {
        char key[16];
        int kl = snprintf(key, sizeof(key), "p%d", i % 20);
        if (i < 20)
            len += (size_t)snprintf(buf + len, cap - len, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\n0\r\n",
                                    kl, key);
        else
            len += (size_t)snprintf(buf + len, cap - len, "*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n", kl,
                                    key);
    }
    conn_send_raw(proxy, buf, len);
    free(buf);
    for (int i = 0; i < N; i++) {
        char *r = conn_read_raw(proxy);
        char expect[32];
        if (i < 20)
            snprintf(expect, sizeof(expect), "+OK\r\n");
        else
            snprintf(expect, sizeof(expect), ":%d\r\n", i / 20);
        ck_assert_msg(strcmp(r, expect) == 0, "reply %d: %s, expected %s", i, harness_escape(r),
                      harness_escape(expect));
        free(r);
    }
    ck_cmd(proxy, "MGET p0 p19", "*2\r\n$1\r\n9\r\n$1\r\n9\r\n");
}
END_TEST

START_TEST(test_proxy_commands)
{
    /* Answered by twemproxy itself, as from one server. */
    ck_cmd(proxy, "PING", "+PONG\r\n");
    /* Forwarded commands without a key are refused by twemproxy: the
     * connection closes (its documented behaviour, not the server's). */
    conn_send(proxy, "KEYS *");
    ck_assert(conn_wait_closed(proxy, 5000));
    conn_close(proxy);
    proxy = NULL;
}
END_TEST

int main(void)
{
    if (access(nutcracker_path(), X_OK) != 0) {
        fprintf(stderr, "twemproxy: %s not found (Debian package nutcracker); skipped\n",
                nutcracker_path());
        return 77;
    }
    Suite *s = suite_create("twemproxy");
    TCase *tc = tcase_create("twemproxy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_strings_and_placement);
    tcase_add_test(tc, test_hashes_lists_sets_zsets);
    tcase_add_test(tc, test_multi_key_across_shards);
    tcase_add_test(tc, test_expire_ttl);
    tcase_add_test(tc, test_pipeline_keeps_order);
    tcase_add_test(tc, test_proxy_commands);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
