/* dump_test.c: black-box tests of DUMP and RESTORE: the payload format
 * (byte for byte where the encodings agree), its interchange with
 * redis-server 7.0.15 in both directions for every type and encoding,
 * RESTORE's options (REPLACE, ABSTTL, IDLETIME, FREQ), its errors in
 * Redis's order, its TTL rules (a deadline already past creates nothing),
 * its keyspace event, and damaged payloads (every truncation and bit flips,
 * with a valid checksum so the value decoder itself is tried) refused
 * without harm.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server (which runs with
 * sanitize-dump-payload yes here, as damaged payloads can crash it
 * otherwise). The interchange tests start a
 * redis-server beside the server under test (skipped when it is missing). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"
#define TEST_TIMEOUT_S 120
/* The DUMP footer: 2 bytes of RDB version, 8 of CRC-64. */
#define FOOTER_BYTES 10

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    static const char *const args[] = {"--sanitize-dump-payload", "yes", "--enable-debug-command",
                                       "yes", NULL};
    server = server_start(args);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* ---- Helpers ---- */

/* A binary-safe bulk string taken from a reply. */
struct blob {
    unsigned char *data; /* owned (malloc) */
    size_t len;
};

/* The payload of a bulk reply (fails the test on anything else). */
static struct blob blob_of_reply(const char *raw)
{
    ck_assert_msg(raw[0] == '$', "not a bulk: %s", harness_escape(raw));
    long len = strtol(raw + 1, NULL, 10);
    ck_assert_int_ge(len, 0);
    const char *p = strstr(raw, "\r\n") + 2;
    struct blob b = {malloc((size_t)len + 1), (size_t)len};
    memcpy(b.data, p, (size_t)len);
    return b;
}

static struct blob dump_key(struct conn *c, const char *key)
{
    const char *argv[] = {"DUMP", key};
    char *raw = conn_cmd_argv(c, 2, argv, NULL);
    struct blob b = blob_of_reply(raw);
    free(raw);
    return b;
}

/* RESTORE key ttl payload [opt...]; returns the raw reply (owned). */
static char *restore_raw(struct conn *c, const char *key, const char *ttl, const struct blob *p,
                         const char *const *opts)
{
    const char *argv[12] = {"RESTORE", key, ttl, (const char *)p->data};
    size_t lens[12] = {7, strlen(key), strlen(ttl), p->len};
    int argc = 4;
    for (int i = 0; opts && opts[i]; i++) {
        argv[argc] = opts[i];
        lens[argc++] = strlen(opts[i]);
    }
    return conn_cmd_argv(c, argc, argv, lens);
}

#define ck_restore(c, key, ttl, p, opts, expected)                                       \
    do {                                                                                  \
        char *ck_restore_got_ = restore_raw((c), (key), (ttl), (p), (opts));              \
        ck_assert_msg(strcmp(ck_restore_got_, (expected)) == 0, "RESTORE %s: expected %s got %s", \
                      (key), harness_escape(expected), harness_escape(ck_restore_got_));  \
        free(ck_restore_got_);                                                            \
    } while (0)

/* CRC-64 Jones (reflected 0x95ac9329ac4bc9b5, initial 0, no final xor): the
 * RDB's, written out here so damaged payloads can carry a valid checksum. */
static uint64_t crc64_jones(const unsigned char *p, size_t len)
{
    uint64_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ UINT64_C(0x95ac9329ac4bc9b5) : crc >> 1;
    }
    return crc;
}

/* A payload of body[0..len) with a version-10 footer and a valid CRC. */
static struct blob payload_with_footer(const unsigned char *body, size_t len)
{
    struct blob b = {malloc(len + FOOTER_BYTES), len + FOOTER_BYTES};
    memcpy(b.data, body, len);
    b.data[len] = 10;
    b.data[len + 1] = 0;
    uint64_t crc = crc64_jones(b.data, len + 2);
    for (int i = 0; i < 8; i++)
        b.data[len + 2 + i] = (unsigned char)(crc >> (8 * i));
    return b;
}

static bool blob_eq(const struct blob *a, const struct blob *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* The keys of the interchange: one per type and encoding ringkv has. */
static const char *const fill_script[] = {
    "SET str:embstr hello",
    "SET str:int 12345",
    "SET str:int64 1234567890123",
    "SET str:neg -7",
    "RPUSH list:quicklist a b c 1 2 3 -100 99999999999",
    "SADD set:intset 1 2 3 -5 100000",
    "SADD set:hashtable a b c d 1",
    "ZADD zset:listpack 1 a 2.5 b -3 c inf d",
    "HSET hash:listpack f v f2 12 f3 -1",
    NULL,
};
/* Which of them DUMP writes the same everywhere (no hash-table order);
 * LZF-compressed strings and listpacks included. */
static const char *const same_bytes_keys[] = {
    "str:embstr", "str:int", "str:int64", "str:neg", "str:lzf", "str:raw", "list:quicklist",
    "list:big", "set:intset", "zset:listpack", "zset:skiplist", "hash:listpack", NULL,
};

static void fill_types(struct conn *c)
{
    for (int i = 0; fill_script[i]; i++) {
        char *raw = conn_cmd(c, fill_script[i]);
        ck_assert_msg(raw[0] == ':' || raw[0] == '+', "%s: %s", fill_script[i],
                      harness_escape(raw));
        free(raw);
    }
    /* The big encodings, and a string long enough for LZF. */
    char line[256];
    for (int i = 0; i < 200; i++) {
        snprintf(line, sizeof(line), "ZADD zset:skiplist %d member:%d", i, i);
        free(conn_cmd(c, line));
        snprintf(line, sizeof(line), "HSET hash:hashtable field:%d value:%d", i, i);
        free(conn_cmd(c, line));
        snprintf(line, sizeof(line), "RPUSH list:big element-number-%d", i);
        free(conn_cmd(c, line));
    }
    free(conn_cmd(c, "SET str:lzf aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    free(conn_cmd(c, "SET str:raw abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"));
}

static const char *const all_keys[] = {
    "str:embstr", "str:int", "str:int64", "str:neg", "str:lzf", "str:raw", "list:quicklist",
    "list:big", "set:intset", "set:hashtable", "zset:listpack", "zset:skiplist", "hash:listpack",
    "hash:hashtable", NULL,
};

/* A reply that says the same whatever the encoding's order: a member
 * listing sorted by the server where it can be (SORT ... ALPHA), or the
 * reply itself for ordered types. */
static char *content_of(struct conn *c, const char *key)
{
    char line[256];
    char *type = conn_cmd(c, (snprintf(line, sizeof(line), "TYPE %s", key), line));
    char *out;
    if (strcmp(type, "+string\r\n") == 0)
        snprintf(line, sizeof(line), "GET %s", key);
    else if (strcmp(type, "+list\r\n") == 0)
        snprintf(line, sizeof(line), "LRANGE %s 0 -1", key);
    else if (strcmp(type, "+set\r\n") == 0)
        snprintf(line, sizeof(line), "SINTERCARD 1 %s", key);
    else if (strcmp(type, "+zset\r\n") == 0)
        snprintf(line, sizeof(line), "ZRANGE %s 0 -1 WITHSCORES", key);
    else
        snprintf(line, sizeof(line), "HLEN %s", key);
    out = conn_cmd(c, line);
    free(type);
    return out;
}

/* Moves every key from one server to the other through DUMP/RESTORE and
 * checks the value, the encoding and (where it cannot differ) the bytes. */
static void move_all(struct conn *from, struct conn *to)
{
    fill_types(from);
    for (int i = 0; all_keys[i]; i++) {
        struct blob p = dump_key(from, all_keys[i]);
        ck_restore(to, all_keys[i], "0", &p, NULL, "+OK\r\n");
        char line[256];
        snprintf(line, sizeof(line), "OBJECT ENCODING %s", all_keys[i]);
        char *enc_from = conn_cmd(from, line), *enc_to = conn_cmd(to, line);
        ck_assert_msg(strcmp(enc_from, enc_to) == 0, "%s: encoding %s became %s", all_keys[i],
                      harness_escape(enc_from), harness_escape(enc_to));
        char *v_from = content_of(from, all_keys[i]), *v_to = content_of(to, all_keys[i]);
        ck_assert_msg(strcmp(v_from, v_to) == 0, "%s: value differs", all_keys[i]);
        for (int k = 0; same_bytes_keys[k]; k++) {
            if (strcmp(same_bytes_keys[k], all_keys[i]) != 0)
                continue;
            struct blob again = dump_key(to, all_keys[i]);
            ck_assert_msg(blob_eq(&p, &again), "%s: DUMP bytes differ", all_keys[i]);
            free(again.data);
        }
        free(enc_from);
        free(enc_to);
        free(v_from);
        free(v_to);
        free(p.data);
    }
    /* The members of the hash-table encodings, whose order may differ. */
    ck_cmd(to, "SISMEMBER set:hashtable d", ":1\r\n");
    ck_cmd(to, "SCARD set:hashtable", ":5\r\n");
    ck_cmd(to, "HGET hash:hashtable field:199", "$9\r\nvalue:199\r\n");
    ck_cmd(to, "HLEN hash:hashtable", ":200\r\n");
}

static struct server_handle *start_redis_peer(void)
{
    char dir[512];
    harness_make_dir(dir, sizeof(dir));
    return server_start_in(REDIS_SERVER, dir, NULL);
}

/* ---- Round trips and the format ---- */

START_TEST(test_string_payload_bytes)
{
    /* The exact payloads Redis 7.0 writes: type, value, version 10, CRC. */
    static const unsigned char v[] = {0x00, 0x01, 'v', 0x0a, 0x00, 0x91, 0x08,
                                      0xce, 0xb2, 0x19, 0x38, 0x8a, 0xce};
    static const unsigned char n300[] = {0x00, 0xc1, 0x2c, 0x01, 0x0a, 0x00, 0x95,
                                         0x42, 0x61, 0xf2, 0x65, 0x82, 0x5c, 0x10};
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob got = dump_key(client, "k");
    struct blob want = {(unsigned char *)v, sizeof(v)};
    ck_assert(blob_eq(&got, &want));
    free(got.data);
    ck_cmd(client, "SET k 300", "+OK\r\n");
    got = dump_key(client, "k");
    want = (struct blob){(unsigned char *)n300, sizeof(n300)};
    ck_assert(blob_eq(&got, &want));
    free(got.data);
    ck_cmd(client, "DUMP missing", "$-1\r\n");
}
END_TEST

START_TEST(test_round_trip_every_type)
{
    fill_types(client);
    for (int i = 0; all_keys[i]; i++) {
        struct blob p = dump_key(client, all_keys[i]);
        char copy[128];
        snprintf(copy, sizeof(copy), "copy:%s", all_keys[i]);
        ck_restore(client, copy, "0", &p, NULL, "+OK\r\n");
        /* A hash table's order may change on a copy; the rest may not. */
        struct blob again = dump_key(client, copy);
        ck_assert_msg(strstr(all_keys[i], "hashtable") || blob_eq(&p, &again),
                      "%s: DUMP of the copy differs", all_keys[i]);
        char *a = content_of(client, all_keys[i]), *b = content_of(client, copy);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
        free(p.data);
        free(again.data);
    }
}
END_TEST

START_TEST(test_redis_to_server)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    struct server_handle *peer = start_redis_peer();
    struct conn *r = conn_open(peer->port);
    move_all(r, client);
    conn_close(r);
    server_stop(peer);
}
END_TEST

START_TEST(test_server_to_redis)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    struct server_handle *peer = start_redis_peer();
    struct conn *r = conn_open(peer->port);
    move_all(client, r);
    conn_close(r);
    server_stop(peer);
}
END_TEST

/* ---- RESTORE's options, errors and rules ---- */

START_TEST(test_restore_errors_in_order)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob p = dump_key(client, "k");
    ck_cmd(client, "DUMP", "-ERR wrong number of arguments for 'dump' command\r\n");
    ck_cmd(client, "RESTORE a 0", "-ERR wrong number of arguments for 'restore' command\r\n");
    /* Options first, then the existing key, then the TTL, then the payload. */
    const char *foo[] = {"FOO", NULL};
    ck_restore(client, "k", "-5", &p, foo, "-ERR syntax error\r\n");
    const char *idle_neg[] = {"IDLETIME", "-1", NULL};
    ck_restore(client, "k", "0", &p, idle_neg, "-ERR Invalid IDLETIME value, must be >= 0\r\n");
    const char *idle_nan[] = {"IDLETIME", "x", NULL};
    ck_restore(client, "n", "0", &p, idle_nan, "-ERR value is not an integer or out of range\r\n");
    const char *idle_alone[] = {"IDLETIME", NULL};
    ck_restore(client, "n", "0", &p, idle_alone, "-ERR syntax error\r\n");
    const char *freq_big[] = {"FREQ", "256", NULL};
    ck_restore(client, "n", "0", &p, freq_big,
               "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
    const char *freq_neg[] = {"FREQ", "-1", NULL};
    ck_restore(client, "n", "0", &p, freq_neg,
               "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n");
    const char *both[] = {"FREQ", "1", "IDLETIME", "2", NULL};
    ck_restore(client, "n", "0", &p, both, "-ERR syntax error\r\n");
    const char *both2[] = {"IDLETIME", "1", "FREQ", "2", NULL};
    ck_restore(client, "n", "0", &p, both2, "-ERR syntax error\r\n");
    ck_restore(client, "k", "-1", &p, NULL, "-BUSYKEY Target key name already exists.\r\n");
    ck_restore(client, "n", "-1", &p, NULL, "-ERR Invalid TTL value, must be >= 0\r\n");
    ck_restore(client, "n", "abc", &p, NULL, "-ERR value is not an integer or out of range\r\n");
    /* The footer: too short, a newer version, a wrong CRC. */
    static const char wrong[] = "-ERR DUMP payload version or checksum are wrong\r\n";
    struct blob cut = {p.data, p.len - 1};
    ck_restore(client, "n", "0", &cut, NULL, wrong);
    struct blob tiny = {p.data, 9};
    ck_restore(client, "n", "0", &tiny, NULL, wrong);
    struct blob empty = {p.data, 0};
    ck_restore(client, "n", "0", &empty, NULL, wrong);
    struct blob newer = payload_with_footer(p.data, p.len - FOOTER_BYTES);
    ck_restore(client, "n", "0", &newer, NULL, "+OK\r\n");
    newer.data[newer.len - FOOTER_BYTES] = 11;
    ck_restore(client, "n2", "0", &newer, NULL, wrong);
    p.data[1] ^= 0x20;
    ck_restore(client, "n2", "0", &p, NULL, wrong);
    /* A value that does not decode, and an empty set (valid CRC). */
    static const unsigned char not_a_type[] = {0x7f, 0x01, 'v'};
    struct blob bad = payload_with_footer(not_a_type, sizeof(not_a_type));
    ck_restore(client, "n2", "0", &bad, NULL, "-ERR Bad data format\r\n");
    static const unsigned char empty_set[] = {0x02, 0x00};
    struct blob emptyset = payload_with_footer(empty_set, sizeof(empty_set));
    ck_restore(client, "n2", "0", &emptyset, NULL, "-ERR Bad data format\r\n");
    ck_cmd(client, "EXISTS n2", ":0\r\n");
    free(p.data);
    free(newer.data);
    free(bad.data);
    free(emptyset.data);
}
END_TEST

START_TEST(test_restore_ttl_rules)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob p = dump_key(client, "k");
    /* A relative TTL in ms. */
    ck_restore(client, "a", "100000", &p, NULL, "+OK\r\n");
    long long pttl = conn_cmd_integer(client, "PTTL a");
    ck_assert(pttl > 90000 && pttl <= 100000);
    /* An absolute one. */
    char when[32];
    snprintf(when, sizeof(when), "%lld", (long long)harness_wall_ms() + 100000);
    const char *abs[] = {"ABSTTL", NULL};
    ck_restore(client, "b", when, &p, abs, "+OK\r\n");
    pttl = conn_cmd_integer(client, "PTTL b");
    ck_assert(pttl > 90000 && pttl <= 100000);
    /* A deadline already past: OK, and no key. */
    ck_restore(client, "c", "1", &p, abs, "+OK\r\n");
    ck_cmd(client, "EXISTS c", ":0\r\n");
    /* ... and with REPLACE the old key is gone too. */
    const char *abs_replace[] = {"ABSTTL", "REPLACE", NULL};
    ck_restore(client, "k", "1", &p, abs_replace, "+OK\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    /* REPLACE over a key with a TTL, without one: no TTL. */
    ck_cmd(client, "SET e old EX 100", "+OK\r\n");
    const char *replace[] = {"REPLACE", NULL};
    ck_restore(client, "e", "0", &p, replace, "+OK\r\n");
    ck_cmd(client, "TTL e", ":-1\r\n");
    ck_cmd(client, "GET e", "$1\r\nv\r\n");
    /* RESTORE-ASKING (a cluster's import) is RESTORE outside cluster mode. */
    const char *argv[] = {"RESTORE-ASKING", "ask", "0", (const char *)p.data};
    size_t lens[] = {14, 3, 1, p.len};
    char *got = conn_cmd_argv(client, 4, argv, lens);
    ck_assert_str_eq(got, "+OK\r\n");
    free(got);
    got = conn_cmd_argv(client, 4, argv, lens);
    ck_assert_str_eq(got, "-BUSYKEY Target key name already exists.\r\n");
    free(got);
    free(p.data);
}
END_TEST

START_TEST(test_restore_idletime_and_freq)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob p = dump_key(client, "k");
    const char *idle[] = {"IDLETIME", "1000", NULL};
    ck_restore(client, "i", "0", &p, idle, "+OK\r\n");
    long long idle_s = conn_cmd_integer(client, "OBJECT IDLETIME i");
    ck_assert(idle_s >= 1000 && idle_s <= 1002);
    /* FREQ counts only under an LFU policy. */
    const char *freq[] = {"FREQ", "100", NULL};
    ck_restore(client, "f0", "0", &p, freq, "+OK\r\n");
    ck_cmd(client, "OBJECT IDLETIME f0", ":0\r\n");
    ck_cmd(client, "CONFIG SET maxmemory-policy allkeys-lfu", "+OK\r\n");
    ck_restore(client, "f", "0", &p, freq, "+OK\r\n");
    ck_cmd(client, "OBJECT FREQ f", ":100\r\n");
    /* Under LFU, IDLETIME is accepted and ignored: the new key's counter. */
    ck_restore(client, "f2", "0", &p, idle, "+OK\r\n");
    ck_cmd(client, "OBJECT FREQ f2", ":5\r\n");
    free(p.data);
}
END_TEST

START_TEST(test_restore_keyspace_event)
{
    ck_cmd(client, "CONFIG SET notify-keyspace-events KEg", "+OK\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob p = dump_key(client, "k");
    struct conn *sub = conn_open(server->port);
    ck_cmd(sub, "PSUBSCRIBE __key*__:*", "*3\r\n$10\r\npsubscribe\r\n$10\r\n__key*__:*\r\n:1\r\n");
    ck_restore(client, "n", "0", &p, NULL, "+OK\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:n\r\n"
                 "$7\r\nrestore\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$22\r\n__keyevent@0__:restore"
                 "\r\n$1\r\nn\r\n");
    /* A past deadline over an existing key: "del". */
    const char *abs_replace[] = {"ABSTTL", "REPLACE", NULL};
    ck_restore(client, "n", "1", &p, abs_replace, "+OK\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:n\r\n"
                 "$3\r\ndel\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:del"
                 "\r\n$1\r\nn\r\n");
    ck_silent(sub);
    conn_close(sub);
    free(p.data);
}
END_TEST

/* ---- Damaged payloads ---- */

/* Every truncation of each value, and every single-bit flip of the first
 * bytes, re-sealed with a valid CRC: refused with "Bad data format" or
 * (a flip that still decodes) accepted, and the server keeps answering. */
START_TEST(test_damaged_payloads)
{
    fill_types(client);
    static const char bad[] = "-ERR Bad data format\r\n";
    for (int i = 0; all_keys[i]; i++) {
        struct blob p = dump_key(client, all_keys[i]);
        size_t body = p.len - FOOTER_BYTES;
        for (size_t cut = 0; cut < body; cut++) {
            struct blob t = payload_with_footer(p.data, cut);
            const char *replace[] = {"REPLACE", NULL};
            char *got = restore_raw(client, "victim", "0", &t, replace);
            /* Redis reads a value on into the footer's bytes when it is
             * short, so it may accept a cut; ringkv reads the value from
             * the bytes before the footer only. */
            bool refused = strcmp(got, bad) == 0;
            ck_assert_msg(refused || (server_is_redis() && strcmp(got, "+OK\r\n") == 0),
                          "%s cut at %zu: %s", all_keys[i], cut, harness_escape(got));
            free(got);
            free(t.data);
        }
        size_t flips = body < 48 ? body : 48;
        for (size_t at = 0; at < flips; at++) {
            for (int bit = 0; bit < 8; bit++) {
                unsigned char *copy = malloc(body);
                memcpy(copy, p.data, body);
                copy[at] ^= (unsigned char)(1u << bit);
                struct blob t = payload_with_footer(copy, body);
                const char *replace[] = {"REPLACE", NULL};
                char *got = restore_raw(client, "victim", "0", &t, replace);
                ck_assert_msg(strcmp(got, bad) == 0 || strcmp(got, "+OK\r\n") == 0,
                              "%s flip %zu.%d: %s", all_keys[i], at, bit, harness_escape(got));
                free(got);
                free(t.data);
                free(copy);
            }
        }
        free(p.data);
    }
    ck_cmd(client, "PING", "+PONG\r\n");
}
END_TEST

/* A ziplist of short strings (Redis 7.0 reads them in old payloads:
 * types 10, 12, 13 and quicklist nodes), with each header field
 * overridable to build the damage Redis's integrity check refuses. */
struct zl_spec {
    int bad_prevlen_at; /* entry whose prevlen is off by one, or -1 */
    int count_delta;    /* added to the header's entry count */
    int tail_delta;     /* added to the header's tail offset */
};

static size_t ziplist_build(unsigned char *out, const char *const *items, int n,
                            const struct zl_spec *spec)
{
    size_t pos = 10, prev = 0, tail = 10;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(items[i]);
        tail = pos;
        out[pos++] = (unsigned char)(prev + (i == spec->bad_prevlen_at ? 1 : 0));
        out[pos++] = (unsigned char)len; /* a string of up to 63 bytes */
        memcpy(out + pos, items[i], len);
        pos += len;
        prev = 2 + len;
    }
    out[pos++] = 0xff;
    size_t count = (size_t)(n + spec->count_delta);
    tail = (size_t)((long)tail + spec->tail_delta);
    for (int i = 0; i < 4; i++) {
        out[i] = (unsigned char)(pos >> (8 * i));
        out[4 + i] = (unsigned char)(tail >> (8 * i));
    }
    out[8] = (unsigned char)count;
    out[9] = (unsigned char)(count >> 8);
    return pos;
}

/* type, then the ziplist as an RDB string (short: one length byte). */
static struct blob ziplist_payload(unsigned char type, const char *const *items, int n,
                                   const struct zl_spec *spec)
{
    unsigned char body[256];
    body[0] = type;
    size_t zl = ziplist_build(body + 2, items, n, spec);
    body[1] = (unsigned char)zl;
    return payload_with_footer(body, 2 + zl);
}

/* Damage that only a check of the whole value finds, each sealed with a
 * valid CRC: refused as "Bad data format" (Redis 7.0.15 with
 * sanitize-dump-payload yes, as this fixture runs it; ringkv always). */
START_TEST(test_corrupt_values_refused)
{
    static const char bad[] = "-ERR Bad data format\r\n";
    static const char *const hash_items[] = {"f1", "v1", "f2", "v2"};
    const struct zl_spec good = {-1, 0, 0};
    struct blob p = ziplist_payload(13, hash_items, 4, &good);
    ck_restore(client, "zl", "0", &p, NULL, "+OK\r\n");
    ck_cmd(client, "HGET zl f2", "$2\r\nv2\r\n");
    free(p.data);
    const struct zl_spec damages[] = {
        {2, 0, 0},  /* an entry's prevlen is not the size of the one before */
        {0, 0, 0},  /* the first entry's prevlen is not 0 */
        {-1, 1, 0}, /* the header counts one entry too many */
        {-1, 0, -4}, /* the tail offset is not the last entry's */
    };
    for (size_t i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
        p = ziplist_payload(13, hash_items, 4, &damages[i]);
        char *got = restore_raw(client, "zlbad", "0", &p, NULL);
        ck_assert_msg(strcmp(got, bad) == 0, "hash ziplist damage %zu: %s", i,
                      harness_escape(got));
        free(got);
        free(p.data);
    }
    /* The same damage inside a quicklist node (type 14, one node). */
    static const char *const list_items[] = {"a", "b", "c"};
    const struct zl_spec prev = {1, 0, 0};
    unsigned char body[256] = {14, 1};
    size_t zl = ziplist_build(body + 3, list_items, 3, &prev);
    body[2] = (unsigned char)zl;
    p = payload_with_footer(body, 3 + zl);
    ck_restore(client, "qlbad", "0", &p, NULL, bad);
    free(p.data);
    /* A quicklist2 node of zero bytes. */
    static const unsigned char empty_node[] = {18, 1, 1, 0};
    p = payload_with_footer(empty_node, sizeof(empty_node));
    ck_restore(client, "qlbad", "0", &p, NULL, bad);
    free(p.data);
    /* A hash listpack with a field twice: "b" rewritten as "a". */
    ck_cmd(client, "HSET h a 1 b 2", ":2\r\n");
    p = dump_key(client, "h");
    unsigned char *b = memchr(p.data + 2, 'b', p.len - 2);
    ck_assert_ptr_nonnull(b);
    *b = 'a';
    struct blob dup = payload_with_footer(p.data, p.len - FOOTER_BYTES);
    ck_restore(client, "hdup", "0", &dup, NULL, bad);
    /* The same for a sorted set listpack's members. */
    ck_cmd(client, "ZADD z 1 a 2 b", ":2\r\n");
    struct blob zp = dump_key(client, "z");
    b = memchr(zp.data + 2, 'b', zp.len - 2);
    ck_assert_ptr_nonnull(b);
    *b = 'a';
    struct blob zdup = payload_with_footer(zp.data, zp.len - FOOTER_BYTES);
    ck_restore(client, "zdup", "0", &zdup, NULL, bad);
    ck_cmd(client, "EXISTS zlbad qlbad hdup zdup", ":0\r\n");
    free(p.data);
    free(dup.data);
    free(zp.data);
    free(zdup.data);
}
END_TEST

/* DEBUG SET-SKIP-CHECKSUM-VALIDATION lets a payload with a wrong CRC
 * through to the decoder (Redis's corrupt-dump tests use it). */
START_TEST(test_skip_checksum_validation)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    struct blob p = dump_key(client, "k");
    p.data[p.len - 1] ^= 0xff;
    ck_restore(client, "n", "0", &p, NULL,
               "-ERR DUMP payload version or checksum are wrong\r\n");
    char *debug = conn_cmd(client, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 1");
    if (strncmp(debug, "-ERR DEBUG command not allowed", 30) == 0) {
        free(debug);
        free(p.data);
        return;
    }
    ck_assert_str_eq(debug, "+OK\r\n");
    free(debug);
    ck_restore(client, "n", "0", &p, NULL, "+OK\r\n");
    /* The version is still checked. */
    p.data[p.len - 10] = 11;
    ck_restore(client, "n2", "0", &p, NULL, "-ERR DUMP payload version or checksum are wrong\r\n");
    ck_cmd(client, "DEBUG SET-SKIP-CHECKSUM-VALIDATION 0", "+OK\r\n");
    free(p.data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dump");
    TCase *tc = tcase_create("dump");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_string_payload_bytes);
    tcase_add_test(tc, test_round_trip_every_type);
    tcase_add_test(tc, test_redis_to_server);
    tcase_add_test(tc, test_server_to_redis);
    tcase_add_test(tc, test_restore_errors_in_order);
    tcase_add_test(tc, test_restore_ttl_rules);
    tcase_add_test(tc, test_restore_idletime_and_freq);
    tcase_add_test(tc, test_restore_keyspace_event);
    tcase_add_test(tc, test_damaged_payloads);
    tcase_add_test(tc, test_corrupt_values_refused);
    tcase_add_test(tc, test_skip_checksum_validation);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
