/* eviction_test.c: black-box tests of maxmemory: the limit kept while
 * writes go on (each policy), which keys each policy evicts (LRU keeps
 * the recently used, volatile-* only keys with a TTL, volatile-ttl the
 * soonest to expire first), the OOM refusal (noeviction, nothing left to
 * evict, MULTI and EXEC), evicted keys logged to the AOF as DEL and seen
 * by WATCH, OBJECT FREQ / IDLETIME under each policy, and the INFO fields.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server. The statistical ones (which
 * keys an approximated LRU or TTL order evicts) leave the margin the
 * sampling needs; maxmemory 1 makes the rest deterministic: every command
 * finds memory over the limit, so evictable keys all go at once. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OOM_REPLY "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
/* Redis's own limit test allows used_memory this far past maxmemory (the
 * INFO reply itself and the next command's buffers). */
#define LIMIT_TOLERANCE_BYTES 4096
/* A value of this size makes each key a sizeable share of the memory, so
 * the statistical tests need few keys. */
#define VALUE_BYTES 1000

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    server = server_start(NULL);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

static long long info_ll(struct conn *c, const char *field)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL, "INFO has no %s", field);
    long long n = atoll(v);
    free(v);
    return n;
}

static void cmd_ok(struct conn *c, const char *line)
{
    ck_cmd(c, line, "+OK\r\n");
}

static void configf(struct conn *c, const char *name, long long value)
{
    char line[128];
    snprintf(line, sizeof(line), "CONFIG SET %s %lld", name, value);
    cmd_ok(c, line);
}

/* SET key value of VALUE_BYTES ('v' repeated), with a TTL when ttl_s > 0. */
static void set_big(struct conn *c, const char *key, long long ttl_s)
{
    static char value[VALUE_BYTES + 1];
    memset(value, 'v', VALUE_BYTES);
    char ttl[32];
    snprintf(ttl, sizeof(ttl), "%lld", ttl_s);
    const char *argv[] = {"SET", key, value, "EX", ttl};
    char *reply = conn_cmd_argv(c, ttl_s > 0 ? 5 : 3, argv, NULL);
    ck_assert_msg(strcmp(reply, "+OK\r\n") == 0, "SET %s: %s", key, harness_escape(reply));
    free(reply);
}

static bool key_exists(struct conn *c, const char *key)
{
    char line[128];
    snprintf(line, sizeof(line), "EXISTS %s", key);
    return conn_cmd_integer(c, line) == 1;
}

/* Redis's "is the memory limit honoured?": a limit a little above what is
 * used, keys added until it is nearly reached, then as many again: the
 * limit holds throughout (each INFO re-reads used_memory). */
static void check_limit_honoured(const char *policy, bool volatile_keys)
{
    char line[128];
    snprintf(line, sizeof(line), "CONFIG SET maxmemory-policy %s", policy);
    cmd_ok(client, line);
    cmd_ok(client, "FLUSHALL");
    long long limit = info_ll(client, "used_memory") + 2 * 1024 * 1024;
    configf(client, "maxmemory", limit);
    int added = 0;
    for (;; added++) {
        snprintf(line, sizeof(line), "k:%d", added);
        set_big(client, line, volatile_keys ? 10000 : 0);
        if (info_ll(client, "used_memory") + LIMIT_TOLERANCE_BYTES > limit)
            break;
        ck_assert_int_lt(added, 100000);
    }
    ck_assert_int_gt(added, 10);
    for (int i = 0; i < added; i++) {
        snprintf(line, sizeof(line), "more:%d", i);
        set_big(client, line, volatile_keys ? 10000 : 0);
        long long used = info_ll(client, "used_memory");
        ck_assert_msg(used < limit + LIMIT_TOLERANCE_BYTES, "%s: used %lld over limit %lld",
                      policy, used, limit);
    }
    ck_assert_int_gt(info_ll(client, "evicted_keys"), 0);
    cmd_ok(client, "CONFIG SET maxmemory 0");
}

START_TEST(test_limit_honoured_allkeys)
{
    check_limit_honoured("allkeys-lru", false);
    check_limit_honoured("allkeys-lfu", false);
    check_limit_honoured("allkeys-random", false);
}
END_TEST

START_TEST(test_limit_honoured_volatile)
{
    check_limit_honoured("volatile-lru", true);
    check_limit_honoured("volatile-lfu", true);
    check_limit_honoured("volatile-random", true);
    check_limit_honoured("volatile-ttl", true);
}
END_TEST

/* Keys read after a pause survive the eviction of about a third of the
 * keys; the untouched ones go (Redis's LRU clock ticks in seconds). */
START_TEST(test_lru_keeps_recently_used)
{
    enum { KEYS = 600 };
    char key[64];
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lru");
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k:%d", i);
        set_big(client, key, 0);
    }
    harness_sleep_ms(2500);
    for (int i = 0; i < KEYS / 2; i++) {
        snprintf(key, sizeof(key), "GET k:%d", i);
        free(conn_cmd(client, key));
    }
    /* New keys over a limit of what is used now evict one old key each. */
    configf(client, "maxmemory", info_ll(client, "used_memory"));
    for (int i = 0; i < KEYS / 3; i++) {
        snprintf(key, sizeof(key), "new:%d", i);
        set_big(client, key, 0);
    }
    cmd_ok(client, "CONFIG SET maxmemory 0");
    int touched_left = 0, untouched_left = 0;
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k:%d", i);
        if (key_exists(client, key)) {
            if (i < KEYS / 2)
                touched_left++;
            else
                untouched_left++;
        }
    }
    ck_assert_int_gt(info_ll(client, "evicted_keys"), KEYS / 6);
    /* Sampling is an approximation: over thousands of simulated runs of
     * engine/evict.c's chooser at most 13 of the 300 read keys went, while
     * about two thirds of the others did. */
    ck_assert_msg(touched_left >= KEYS / 2 * 90 / 100, "touched keys left: %d of %d",
                  touched_left, KEYS / 2);
    ck_assert_msg(untouched_left <= KEYS / 2 * 80 / 100, "untouched keys left: %d of %d",
                  untouched_left, KEYS / 2);
}
END_TEST

/* volatile-*: with every command over the limit, each key with a TTL is
 * evicted and the others stay; then writes are refused, reads and DEL
 * are not. */
static void check_volatile_only(const char *policy)
{
    char line[128];
    cmd_ok(client, "FLUSHALL");
    cmd_ok(client, "CONFIG RESETSTAT");
    snprintf(line, sizeof(line), "CONFIG SET maxmemory-policy %s", policy);
    cmd_ok(client, line);
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof(line), "SET k%d x", i);
        cmd_ok(client, line);
        snprintf(line, sizeof(line), "SET v%d x EX 1000", i);
        cmd_ok(client, line);
    }
    cmd_ok(client, "CONFIG SET maxmemory 1");
    ck_cmd(client, "DBSIZE", ":5\r\n");
    ck_cmd(client, "EXISTS k0 k1 k2 k3 k4", ":5\r\n");
    ck_cmd(client, "EXISTS v0 v1 v2 v3 v4", ":0\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 5);
    ck_cmd(client, "SET k0 y", OOM_REPLY);
    ck_cmd(client, "SET new y EX 100", OOM_REPLY);
    ck_cmd(client, "GET k0", "$1\r\nx\r\n");
    ck_cmd(client, "DEL k1", ":1\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 5);
    cmd_ok(client, "CONFIG SET maxmemory 0");
}

START_TEST(test_volatile_evicts_only_ttl_keys)
{
    check_volatile_only("volatile-lru");
    check_volatile_only("volatile-lfu");
    check_volatile_only("volatile-random");
    check_volatile_only("volatile-ttl");
}
END_TEST

START_TEST(test_allkeys_evicts_everything)
{
    cmd_ok(client, "SET k x");
    cmd_ok(client, "SET v x EX 1000");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-random");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 2);
    ck_cmd(client, "SET k y", OOM_REPLY);
    cmd_ok(client, "CONFIG SET maxmemory 0");
    cmd_ok(client, "SET k y");
}
END_TEST

/* A write pause holds evictions too (Redis's isSafeToPerformEvictions):
 * over the limit, reads go on and nothing is evicted until the pause ends. */
START_TEST(test_no_eviction_while_writes_paused)
{
    cmd_ok(client, "SET k x");
    cmd_ok(client, "SET v x");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-random");
    cmd_ok(client, "CLIENT PAUSE 100000 WRITE");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    ck_cmd(client, "GET k", "$1\r\nx\r\n");
    ck_cmd(client, "DBSIZE", ":2\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 0);
    cmd_ok(client, "CLIENT UNPAUSE");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 2);
    cmd_ok(client, "CONFIG SET maxmemory 0");
}
END_TEST

/* noeviction refuses denyoom commands, and in MULTI everything but EXEC,
 * DISCARD, QUIT and RESET; EXEC then aborts. Nothing is evicted. */
START_TEST(test_noeviction_refuses_writes)
{
    cmd_ok(client, "SET k x");
    cmd_ok(client, "SET v x EX 1000");
    ck_cmd(client, "CONFIG GET maxmemory-policy",
           "*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    ck_cmd(client, "SET k y", OOM_REPLY);
    ck_cmd(client, "INCR counter", OOM_REPLY);
    ck_cmd(client, "GET k", "$1\r\nx\r\n");
    ck_cmd(client, "EXPIRE k 100", ":1\r\n");
    ck_cmd(client, "PING", "+PONG\r\n");
    cmd_ok(client, "MULTI");
    ck_cmd(client, "GET k", OOM_REPLY);
    ck_cmd(client, "EXEC",
           "-EXECABORT Transaction discarded because of previous errors.\r\n");
    cmd_ok(client, "MULTI");
    cmd_ok(client, "DISCARD");
    ck_cmd(client, "DEL k v", ":2\r\n");
    ck_assert_int_eq(info_ll(client, "evicted_keys"), 0);
    cmd_ok(client, "CONFIG SET maxmemory 0");
    cmd_ok(client, "SET k y");
}
END_TEST

/* EXEC is refused (the transaction aborted) when its queue holds a
 * denyoom command and memory went over the limit after queueing. */
START_TEST(test_exec_with_denyoom_queue)
{
    struct conn *other = conn_open(server->port);
    cmd_ok(client, "MULTI");
    ck_cmd(client, "SET k y", "+QUEUED\r\n");
    cmd_ok(other, "CONFIG SET maxmemory 1");
    ck_cmd(client, "EXEC",
           "-EXECABORT Transaction discarded because of: OOM command not allowed when used "
           "memory > 'maxmemory'.\r\n");
    cmd_ok(client, "MULTI");
    cmd_ok(other, "CONFIG SET maxmemory 0");
    ck_cmd(client, "GET k", "+QUEUED\r\n");
    cmd_ok(other, "CONFIG SET maxmemory 1");
    ck_cmd(client, "EXEC", "*1\r\n$-1\r\n");
    cmd_ok(other, "CONFIG SET maxmemory 0");
    conn_close(other);
}
END_TEST

/* volatile-ttl evicts the keys closest to expiring first. */
START_TEST(test_volatile_ttl_order)
{
    enum { KEYS = 300 };
    char key[64];
    cmd_ok(client, "CONFIG SET maxmemory-policy volatile-ttl");
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "t:%d", i);
        set_big(client, key, 1000 + 100LL * i);
    }
    long long used = info_ll(client, "used_memory");
    /* About a third of the keys' worth over the new limit. */
    configf(client, "maxmemory", used - (long long)KEYS / 3 * (VALUE_BYTES + 100));
    cmd_ok(client, "CONFIG SET maxmemory 0");
    long long evicted = info_ll(client, "evicted_keys");
    ck_assert_int_gt(evicted, KEYS / 6);
    int short_left = 0, long_left = 0;
    for (int i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "t:%d", i);
        if (!key_exists(client, key))
            continue;
        if (i < KEYS / 4)
            short_left++;
        else if (i >= KEYS * 3 / 4)
            long_left++;
    }
    /* The sampled pool is an approximation: a random choice would leave
     * about 70% of either quarter; over thousands of runs of the same
     * algorithm (engine/evict.c, checked equal to Redis's results) at most
     * 2 of the longest quarter went and at most 31 of the shortest
     * stayed. */
    ck_assert_msg(long_left >= KEYS / 4 - 3, "longest TTLs left: %d of %d", long_left, KEYS / 4);
    ck_assert_msg(short_left <= KEYS / 4 * 55 / 100, "shortest TTLs left: %d of %d", short_left,
                  KEYS / 4);
}
END_TEST

/* Evicted keys reach the AOF as DEL, one record each (no MULTI), both when
 * CONFIG SET maxmemory evicts and before a command. */
START_TEST(test_evicted_keys_logged_as_del)
{
    conn_close(client);
    server_stop(server);
    static const char *const args[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    cmd_ok(client, "SET k x");
    cmd_ok(client, "SET v1 x EX 100");
    cmd_ok(client, "SET v2 x EX 200");
    cmd_ok(client, "CONFIG SET maxmemory-policy volatile-ttl");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    cmd_ok(client, "CONFIG SET maxmemory 0");
    cmd_ok(client, "SET v3 x EX 100");
    cmd_ok(client, "CONFIG SET maxmemory-policy noeviction");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    cmd_ok(client, "CONFIG SET maxmemory-policy volatile-ttl");
    ck_cmd(client, "GET k", "$1\r\nx\r\n");
    cmd_ok(client, "CONFIG SET maxmemory 0");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.1.incr.aof", server->dir);
    size_t len;
    char *aof = harness_read_file(path, &len);
    ck_assert_msg(aof != NULL, "no %s", path);
    len = harness_aof_plain(aof, len);
    aof[len] = '\0';
    const char *dels = strstr(aof, "*2\r\n$3\r\nDEL\r\n");
    ck_assert_msg(dels != NULL, "no DEL in %s", harness_escape(aof));
    static const char expected[] = "*2\r\n$3\r\nDEL\r\n$2\r\nv1\r\n"
                                   "*2\r\n$3\r\nDEL\r\n$2\r\nv2\r\n"
                                   "*5\r\n$3\r\nSET\r\n$2\r\nv3\r\n";
    ck_assert_msg(strncmp(dels, expected, strlen(expected)) == 0, "AOF from the first DEL: %s",
                  harness_escape(dels));
    ck_assert_ptr_null(strstr(aof, "MULTI"));
    ck_assert_ptr_nonnull(strstr(dels, "*2\r\n$3\r\nDEL\r\n$2\r\nv3\r\n"));
    free(aof);
    /* lazyfree-lazy-eviction makes them UNLINKs. */
    cmd_ok(client, "CONFIG SET lazyfree-lazy-eviction yes");
    cmd_ok(client, "SET v4 x EX 100");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    cmd_ok(client, "CONFIG SET maxmemory 0");
    aof = harness_read_file(path, &len);
    ck_assert_ptr_nonnull(aof);
    len = harness_aof_plain(aof, len);
    aof[len] = '\0';
    ck_assert_ptr_nonnull(strstr(aof, "*2\r\n$6\r\nUNLINK\r\n$2\r\nv4\r\n"));
    free(aof);
}
END_TEST

/* A watched key that is evicted fails the EXEC. */
START_TEST(test_watch_sees_eviction)
{
    struct conn *other = conn_open(server->port);
    cmd_ok(client, "SET v x EX 1000");
    cmd_ok(client, "WATCH v");
    cmd_ok(other, "CONFIG SET maxmemory-policy volatile-lru");
    cmd_ok(other, "CONFIG SET maxmemory 1");
    cmd_ok(other, "CONFIG SET maxmemory 0");
    cmd_ok(client, "MULTI");
    ck_cmd(client, "SET v y", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*-1\r\n");
    ck_cmd(client, "EXISTS v", ":0\r\n");
    conn_close(other);
}
END_TEST

/* OBJECT FREQ counts accesses under an LFU policy (every access with
 * lfu-log-factor 0); OBJECT, TYPE, EXISTS and TTL do not count. Each
 * subcommand refuses under the other kind of policy. */
START_TEST(test_object_freq_and_idletime)
{
    static const char freq_err[] =
        "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take some "
        "time to adjust.\r\n";
    static const char idle_err[] =
        "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
        "when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.\r\n";
    cmd_ok(client, "SET foo bar");
    ck_cmd(client, "OBJECT FREQ foo", freq_err);
    ck_cmd(client, "OBJECT IDLETIME foo", ":0\r\n");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lfu");
    cmd_ok(client, "CONFIG SET lfu-log-factor 0");
    ck_cmd(client, "OBJECT IDLETIME foo", idle_err);
    cmd_ok(client, "SET new bar");
    ck_cmd(client, "OBJECT FREQ new", ":5\r\n");
    for (int i = 0; i < 10; i++)
        ck_cmd(client, "GET new", "$3\r\nbar\r\n");
    ck_cmd(client, "OBJECT FREQ new", ":15\r\n");
    ck_cmd(client, "TYPE new", "+string\r\n");
    ck_cmd(client, "EXISTS new", ":1\r\n");
    ck_cmd(client, "TTL new", ":-1\r\n");
    ck_cmd(client, "OBJECT FREQ new", ":15\r\n");
    ck_cmd(client, "COPY new copy", ":1\r\n");
    ck_cmd(client, "OBJECT FREQ copy", ":5\r\n");
    ck_cmd(client, "OBJECT FREQ new", ":16\r\n");
    cmd_ok(client, "CONFIG SET lfu-log-factor 10");
    for (int i = 0; i < 100; i++)
        ck_cmd(client, "GET copy", "$3\r\nbar\r\n");
    long long freq = conn_cmd_integer(client, "OBJECT FREQ copy");
    ck_assert_int_gt(freq, 5);
    ck_assert_int_lt(freq, 20);
    ck_cmd(client, "OBJECT FREQ missing", "$-1\r\n");
    cmd_ok(client, "CONFIG SET maxmemory-policy volatile-lru");
    ck_cmd(client, "OBJECT FREQ new", freq_err);
}
END_TEST

START_TEST(test_config_and_info_fields)
{
    ck_cmd(client, "CONFIG SET maxmemory-samples 0",
           "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
           "argument must be between 1 and 2147483647 inclusive\r\n");
    ck_cmd(client, "CONFIG SET maxmemory-eviction-tenacity 101",
           "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-eviction-tenacity') "
           "- argument must be between 0 and 100 inclusive\r\n");
    cmd_ok(client, "CONFIG SET maxmemory-samples 64");
    cmd_ok(client, "CONFIG SET maxmemory 100mb");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lfu");
    ck_assert(conn_info_is(client, "maxmemory", "104857600"));
    ck_assert(conn_info_is(client, "maxmemory_human", "100.00M"));
    ck_assert(conn_info_is(client, "maxmemory_policy", "allkeys-lfu"));
    ck_assert(conn_info_is(client, "mem_not_counted_for_evict", "0"));
    ck_assert(conn_info_is(client, "evicted_keys", "0"));
    ck_assert(conn_info_is(client, "total_eviction_exceeded_time", "0"));
    ck_assert(conn_info_is(client, "current_eviction_exceeded_time", "0"));
    cmd_ok(client, "SET k x");
    cmd_ok(client, "CONFIG SET maxmemory 1");
    cmd_ok(client, "CONFIG SET maxmemory 0");
    ck_assert(conn_info_is(client, "evicted_keys", "1"));
    /* Memory stayed over the limit after the last key went, and the
     * period over it stays open once the limit is gone (nothing measures
     * memory any more), as in Redis. */
    harness_sleep_ms(50);
    long long current_ms = info_ll(client, "current_eviction_exceeded_time");
    ck_assert_int_ge(current_ms, 40);
    ck_assert_int_ge(info_ll(client, "total_eviction_exceeded_time"), current_ms);
    cmd_ok(client, "CONFIG RESETSTAT");
    ck_assert(conn_info_is(client, "evicted_keys", "0"));
    ck_assert(conn_info_is(client, "total_eviction_exceeded_time", "0"));
    ck_assert(conn_info_is(client, "current_eviction_exceeded_time", "0"));
}
END_TEST

/* Redis's integer sharing tests: small integers are shared objects
 * (OBJECT REFCOUNT 2147483647) unless maxmemory is set with an LRU or
 * LFU policy, which needs access data per key. */
START_TEST(test_shared_integers_and_policy)
{
    static const char shared[] = ":2147483647\r\n";
    cmd_ok(client, "SET a 1");
    ck_cmd(client, "OBJECT REFCOUNT a", shared);
    cmd_ok(client, "CONFIG SET maxmemory 1073741824");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-random");
    cmd_ok(client, "SET a 1");
    ck_cmd(client, "OBJECT REFCOUNT a", shared);
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lru");
    cmd_ok(client, "SET a 1");
    cmd_ok(client, "CONFIG SET maxmemory-policy volatile-lfu");
    cmd_ok(client, "SET b 1");
    ck_cmd(client, "OBJECT REFCOUNT a", ":1\r\n");
    ck_cmd(client, "OBJECT REFCOUNT b", ":1\r\n");
    cmd_ok(client, "CONFIG SET maxmemory 0");
}
END_TEST

/* Under an LFU policy the RDB keeps each key's counter (RDB_OPCODE_FREQ),
 * under an LRU one its idle time (RDB_OPCODE_IDLE), and a load gives them
 * back; under the other policies a loaded key starts fresh. */
START_TEST(test_access_data_survives_reload)
{
    conn_close(client);
    server_stop(server);
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lfu");
    cmd_ok(client, "CONFIG SET lfu-log-factor 0");
    cmd_ok(client, "SET k v");
    for (int i = 0; i < 10; i++)
        ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "OBJECT FREQ k", ":15\r\n");
    cmd_ok(client, "DEBUG RELOAD");
    ck_cmd(client, "OBJECT FREQ k", ":15\r\n");
    cmd_ok(client, "CONFIG SET maxmemory-policy allkeys-lru");
    cmd_ok(client, "SET j v");
    harness_sleep_ms(2200);
    long long idle = conn_cmd_integer(client, "OBJECT IDLETIME j");
    ck_assert_int_ge(idle, 2);
    cmd_ok(client, "DEBUG RELOAD");
    ck_assert_int_ge(conn_cmd_integer(client, "OBJECT IDLETIME j"), idle);
    cmd_ok(client, "CONFIG SET maxmemory-policy noeviction");
    cmd_ok(client, "DEBUG RELOAD");
    ck_cmd(client, "OBJECT IDLETIME j", ":0\r\n");
}
END_TEST

/* With the AOF on, its buffer is left out of the memory maxmemory counts. */
START_TEST(test_aof_buffer_not_counted)
{
    conn_close(client);
    server_stop(server);
    static const char *const args[] = {"--appendonly", "yes", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    cmd_ok(client, "SET k x");
    ck_assert_int_ge(info_ll(client, "mem_not_counted_for_evict"), 0);
    ck_assert_int_eq(info_ll(client, "mem_not_counted_for_evict"),
                     info_ll(client, "mem_aof_buffer"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eviction");
    TCase *tc = tcase_create("eviction");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_limit_honoured_allkeys);
    tcase_add_test(tc, test_limit_honoured_volatile);
    tcase_add_test(tc, test_lru_keeps_recently_used);
    tcase_add_test(tc, test_volatile_evicts_only_ttl_keys);
    tcase_add_test(tc, test_allkeys_evicts_everything);
    tcase_add_test(tc, test_noeviction_refuses_writes);
    tcase_add_test(tc, test_exec_with_denyoom_queue);
    tcase_add_test(tc, test_volatile_ttl_order);
    tcase_add_test(tc, test_evicted_keys_logged_as_del);
    tcase_add_test(tc, test_watch_sees_eviction);
    tcase_add_test(tc, test_object_freq_and_idletime);
    tcase_add_test(tc, test_config_and_info_fields);
    tcase_add_test(tc, test_no_eviction_while_writes_paused);
    tcase_add_test(tc, test_aof_buffer_not_counted);
    tcase_add_test(tc, test_shared_integers_and_policy);
    tcase_add_test(tc, test_access_data_survives_reload);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
