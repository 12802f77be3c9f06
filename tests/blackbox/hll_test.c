/* hll_test.c: black-box tests of the HyperLogLog commands: PFADD, PFCOUNT
 * (one key with its cached cardinality, many keys merged), PFMERGE,
 * PFDEBUG and PFSELFTEST; the value's exact bytes, sparse and dense, the
 * promotion at hll-sparse-max-bytes, and the detection of damaged values.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server. The interchange tests go
 * further: they start /usr/bin/redis-server beside the server under test
 * (skipping, with a note, where it is not installed), do the same adds on
 * both and compare the values byte for byte at every step, then move
 * values between the two with GET and SET. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ORACLE_BINARY "/usr/bin/redis-server"
#define HLL_DENSE_BYTES 12304

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    harness_fixture_open(&server, &client);
}

static void teardown(void)
{
    harness_fixture_close(&server, &client);
}

#define ERR_NOT_HLL "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"
#define ERR_CORRUPT "-INVALIDOBJ Corrupted HLL object detected\r\n"

/* A bulk reply's payload, owned (free()), its length in *len; NULL for a
 * nil reply. */
static char *bulk_of(const char *reply, size_t *len)
{
    ck_assert_msg(reply[0] == '$', "not a bulk reply: %s", harness_escape(reply));
    long long n = strtoll(reply + 1, NULL, 10);
    if (n < 0)
        return NULL;
    const char *body = strstr(reply, "\r\n") + 2;
    char *out = malloc((size_t)n + 1);
    memcpy(out, body, (size_t)n);
    out[n] = '\0';
    *len = (size_t)n;
    return out;
}

/* GET key on c, as bytes (owned). */
static char *get_value(struct conn *c, const char *key, size_t *len)
{
    const char *argv[] = {"GET", key};
    char *reply = conn_cmd_argv(c, 2, argv, NULL);
    char *value = bulk_of(reply, len);
    free(reply);
    ck_assert_ptr_nonnull(value);
    return value;
}

static void set_value(struct conn *c, const char *key, const char *value, size_t len)
{
    const char *argv[] = {"SET", key, value};
    size_t lens[] = {3, strlen(key), len};
    char *reply = conn_cmd_argv(c, 3, argv, lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
}

static void check_hex(const char *p, size_t len, const char *hex)
{
    char got[1024] = "";
    ck_assert_uint_lt(len * 2, sizeof(got));
    for (size_t i = 0; i < len; i++)
        snprintf(got + 2 * i, 3, "%02x", (unsigned char)p[i]);
    ck_assert_str_eq(got, hex);
}

START_TEST(test_pfadd_pfcount)
{
    ck_cmd(client, "PFSELFTEST", "+OK\r\n");
    ck_cmd(client, "PFADD h", ":1\r\n");
    ck_cmd(client, "EXISTS h", ":1\r\n");
    ck_cmd(client, "PFCOUNT h", ":0\r\n");
    ck_cmd(client, "PFADD h", ":0\r\n");
    ck_cmd(client, "PFADD h a b c", ":1\r\n");
    ck_cmd(client, "PFADD h a b c", ":0\r\n");
    ck_cmd(client, "PFCOUNT h", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$3\r\nraw\r\n");
    /* The value is Redis's: sparse, the cache valid after the PFCOUNT. */
    size_t len;
    char *v = get_value(client, "h", &len);
    check_hex(v, len, "48594c4c01000000030000000000000060f38050b1844bfb80425a");
    free(v);
    const char *empty[] = {"PFADD", "h", ""};
    size_t empty_lens[] = {5, 1, 0};
    char *reply = conn_cmd_argv(client, 3, empty, empty_lens);
    ck_assert_str_eq(reply, ":1\r\n");
    free(reply);
    ck_cmd(client, "DEL h", ":1\r\n");
    ck_cmd(client, "PFADD h 1 2 3 4 5", ":1\r\n");
    ck_cmd(client, "PFCOUNT h", ":5\r\n");
    ck_cmd(client, "PFADD h 6 7 8 8 9 10", ":1\r\n");
    ck_cmd(client, "PFCOUNT h", ":10\r\n");
    ck_cmd(client, "PFCOUNT nokey", ":0\r\n");
    /* PFCOUNT's lookups count as reads; PFADD's do not. */
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    ck_cmd(client, "PFCOUNT h", ":10\r\n");
    ck_cmd(client, "PFCOUNT nokey", ":0\r\n");
    ck_cmd(client, "PFADD h 11", ":1\r\n");
    ck_cmd(client, "PFADD h3 11", ":1\r\n");
    ck_assert(conn_info_is(client, "keyspace_hits", "1"));
    ck_assert(conn_info_is(client, "keyspace_misses", "1"));
    ck_cmd(client, "PFADD", "-ERR wrong number of arguments for 'pfadd' command\r\n");
}
END_TEST

START_TEST(test_cache)
{
    /* Byte 15's top bit marks the cached cardinality stale. */
    ck_cmd(client, "PFADD h a b c", ":1\r\n");
    ck_cmd(client, "GETRANGE h 15 15", "$1\r\n\x80\r\n");
    ck_cmd(client, "PFCOUNT h", ":3\r\n");
    char *reply = conn_cmd(client, "GETRANGE h 15 15");
    ck_assert(reply[0] == '$' && reply[1] == '1' && reply[4] == '\0');
    free(reply);
    ck_cmd(client, "PFADD h a b c", ":0\r\n");
    reply = conn_cmd(client, "GETRANGE h 8 8");
    ck_assert_str_eq(reply, "$1\r\n\x03\r\n");
    free(reply);
    ck_cmd(client, "PFADD h 1 2 3", ":1\r\n");
    ck_cmd(client, "GETRANGE h 15 15", "$1\r\n\x80\r\n");
    /* A cached value is answered as stored, even if the registers say
     * otherwise (Redis trusts its cache). */
    ck_cmd(client, "PFCOUNT h", ":6\r\n");
    ck_cmd(client, "SETRANGE h 8 \x09", ":36\r\n");
    ck_cmd(client, "PFCOUNT h", ":9\r\n");
}
END_TEST

START_TEST(test_type_checks_and_damage)
{
    ck_cmd(client, "SET foo bar", "+OK\r\n");
    ck_cmd(client, "PFADD foo 1", ERR_NOT_HLL);
    ck_cmd(client, "PFCOUNT foo", ERR_NOT_HLL);
    ck_cmd(client, "PFCOUNT nokey foo", ERR_NOT_HLL);
    ck_cmd(client, "PFMERGE bar foo", ERR_NOT_HLL);
    ck_cmd(client, "PFMERGE foo bar", ERR_NOT_HLL);
    ck_cmd(client, "EXISTS bar", ":0\r\n");
    ck_cmd(client, "PFDEBUG ENCODING foo", ERR_NOT_HLL);
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "PFADD l a",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "PFCOUNT l",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "PFDEBUG ENCODING l",
           "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    /* Extra bytes after a sparse body. */
    ck_cmd(client, "PFADD h a b c", ":1\r\n");
    ck_cmd(client, "APPEND h hello", ":32\r\n");
    ck_cmd(client, "PFCOUNT h", ERR_CORRUPT);
    ck_cmd(client, "PFCOUNT h nokey", ERR_CORRUPT);
    ck_cmd(client, "PFMERGE m h", ERR_CORRUPT);
    ck_cmd(client, "PFDEBUG GETREG h", ERR_CORRUPT);
    ck_cmd(client, "PFDEBUG TODENSE h", ERR_CORRUPT);
    ck_cmd(client, "PFDEBUG DECODE h", "$68\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603 Z:10342 Z:11373 Z:12033\r\n");
    /* Broken magic, unknown encoding, dense of the wrong length. */
    ck_cmd(client, "DEL h", ":1\r\n");
    ck_cmd(client, "PFADD h a b c", ":1\r\n");
    ck_cmd(client, "SETRANGE h 0 0123", ":27\r\n");
    ck_cmd(client, "PFCOUNT h", ERR_NOT_HLL);
    ck_cmd(client, "SETRANGE h 0 HYLLx", ":27\r\n");
    ck_cmd(client, "PFCOUNT h", ERR_NOT_HLL);
    const char *argv[] = {"SETRANGE", "h", "4", "\x00"};
    size_t lens[] = {8, 1, 1, 1};
    char *reply = conn_cmd_argv(client, 4, argv, lens);
    ck_assert_str_eq(reply, ":27\r\n");
    free(reply);
    ck_cmd(client, "PFCOUNT h", ERR_NOT_HLL);
    ck_cmd(client, "PFADD h x", ERR_NOT_HLL);
    /* Short strings are not HyperLogLogs, numbers included. */
    ck_cmd(client, "SET n 12345678901234567", "+OK\r\n");
    ck_cmd(client, "PFCOUNT n", ERR_NOT_HLL);
}
END_TEST

START_TEST(test_pfmerge)
{
    ck_cmd(client, "PFADD h1 a b c", ":1\r\n");
    ck_cmd(client, "PFADD h2 b c d", ":1\r\n");
    ck_cmd(client, "PFADD h3 c d e", ":1\r\n");
    ck_cmd(client, "PFMERGE h h1 h2 h3", "+OK\r\n");
    ck_cmd(client, "PFCOUNT h", ":5\r\n");
    ck_cmd(client, "PFCOUNT h1 h2 h3", ":5\r\n");
    ck_cmd(client, "PFCOUNT h1 nokey", ":3\r\n");
    /* The destination is a source too. */
    ck_cmd(client, "PFMERGE h1 h3", "+OK\r\n");
    ck_cmd(client, "PFCOUNT h1", ":5\r\n");
    /* Missing sources make an empty destination. */
    ck_cmd(client, "PFMERGE e", "+OK\r\n");
    ck_cmd(client, "PFMERGE e2 nokey", "+OK\r\n");
    ck_cmd(client, "PFCOUNT e e2", ":0\r\n");
    size_t len;
    char *v = get_value(client, "e", &len);
    check_hex(v, len, "48594c4c0100000000000000000000807fff");
    free(v);
    /* A dense source makes the destination dense. */
    ck_cmd(client, "PFADD d x", ":1\r\n");
    ck_cmd(client, "PFDEBUG TODENSE d", ":1\r\n");
    ck_cmd(client, "PFMERGE m h2 d", "+OK\r\n");
    ck_cmd(client, "PFDEBUG ENCODING m", "+dense\r\n");
    ck_cmd(client, "PFCOUNT m", ":4\r\n");
    ck_cmd(client, "PFMERGE h2 h3", "+OK\r\n");
    ck_cmd(client, "PFDEBUG ENCODING h2", "+sparse\r\n");
    ck_cmd(client, "PFMERGE", "-ERR wrong number of arguments for 'pfmerge' command\r\n");
}
END_TEST

START_TEST(test_pfdebug)
{
    ck_cmd(client, "PFDEBUG ENCODING nokey", "-ERR The specified key does not exist\r\n");
    ck_cmd(client, "PFDEBUG FOO nokey", "-ERR The specified key does not exist\r\n");
    ck_cmd(client, "PFADD h a b c", ":1\r\n");
    ck_cmd(client, "PFDEBUG FOO h", "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n");
    ck_cmd(client, "PFDEBUG ENCODING h", "+sparse\r\n");
    ck_cmd(client, "PFDEBUG DECODE h", "$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n");
    char *regs = conn_cmd(client, "PFDEBUG GETREG h");
    ck_assert(strncmp(regs, "*16384\r\n", 8) == 0);
    free(regs);
    /* GETREG converted it. */
    ck_cmd(client, "PFDEBUG ENCODING h", "+dense\r\n");
    ck_cmd(client, "STRLEN h", ":12304\r\n");
    ck_cmd(client, "PFDEBUG DECODE h", "-ERR HLL encoding is not sparse\r\n");
    ck_cmd(client, "PFDEBUG TODENSE h", ":0\r\n");
    ck_cmd(client, "PFCOUNT h", ":3\r\n");
    ck_cmd(client, "PFDEBUG ENCODING", "-ERR wrong number of arguments for 'pfdebug' command\r\n");
    ck_cmd(client, "PFSELFTEST x", "-ERR wrong number of arguments for 'pfselftest' command\r\n");
}
END_TEST

START_TEST(test_promotion)
{
    /* 3000 bytes by default: sparse for a few hundred elements, dense
     * past a few thousand. */
    char line[8192];
    int n = 0;
    for (int round = 0; round < 50; round++) {
        int len = snprintf(line, sizeof(line), "PFADD h");
        for (int j = 0; j < 100; j++, n++)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " e%d", n);
        ck_cmd(client, line, ":1\r\n");
        char *enc = conn_cmd(client, "PFDEBUG ENCODING h");
        if (n < 1000)
            ck_assert_str_eq(enc, "+sparse\r\n");
        else if (n > 2500)
            ck_assert_str_eq(enc, "+dense\r\n");
        free(enc);
    }
    ck_cmd(client, "PFCOUNT h", ":4968\r\n");
    /* A lower limit promotes sooner; the parameter reads back. */
    ck_cmd(client, "CONFIG SET hll-sparse-max-bytes 30", "+OK\r\n");
    ck_cmd(client, "CONFIG GET hll-sparse-max-bytes",
           "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$2\r\n30\r\n");
    ck_cmd(client, "PFADD s a b c", ":1\r\n");
    ck_cmd(client, "PFDEBUG ENCODING s", "+sparse\r\n");
    ck_cmd(client, "PFADD s d e f g", ":1\r\n");
    ck_cmd(client, "PFDEBUG ENCODING s", "+dense\r\n");
    ck_cmd(client, "PFCOUNT s", ":7\r\n");
    ck_cmd(client, "CONFIG SET hll-sparse-max-bytes -1",
           "-ERR CONFIG SET failed (possibly related to argument 'hll-sparse-max-bytes') - "
           "argument must be a memory value\r\n");
}
END_TEST

START_TEST(test_keyspace_events)
{
    struct conn *sub = conn_open(server->port);
    ck_cmd(client, "CONFIG SET notify-keyspace-events KEA", "+OK\r\n");
    conn_send(sub, "SUBSCRIBE __keyevent@0__:pfadd");
    ck_read(sub, "*3\r\n$9\r\nsubscribe\r\n$20\r\n__keyevent@0__:pfadd\r\n:1\r\n");
    ck_cmd(client, "PFADD h a", ":1\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:pfadd\r\n$1\r\nh\r\n");
    ck_cmd(client, "PFADD h a", ":0\r\n");
    ck_cmd(client, "PFCOUNT h", ":1\r\n");
    ck_cmd(client, "PFMERGE m h", "+OK\r\n");
    ck_read(sub, "*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:pfadd\r\n$1\r\nm\r\n");
    ck_silent(sub);
    conn_close(sub);
}
END_TEST

/* ---- interchange with redis-server ---- */

static struct server_handle *oracle; /* owned by the test that starts it */
static struct conn *oracle_conn;

static bool oracle_start(void)
{
    if (access(ORACLE_BINARY, X_OK) != 0) {
        fprintf(stderr, "hll_test: %s not installed, interchange test skipped\n", ORACLE_BINARY);
        return false;
    }
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    oracle = server_start_in(ORACLE_BINARY, dir, NULL);
    oracle_conn = conn_open(oracle->port);
    return true;
}

static void oracle_stop(void)
{
    conn_close(oracle_conn);
    server_stop(oracle);
}

/* Sends line to both servers and asserts the same reply. */
static void both(const char *line)
{
    char *a = conn_cmd(client, line);
    char *b = conn_cmd(oracle_conn, line);
    ck_assert_msg(strcmp(a, b) == 0, "%s: %s here, %s on redis-server", line, harness_escape(a),
                  harness_escape(b));
    free(a);
    free(b);
}

/* Asserts that key holds the same bytes on both servers. */
static void same_value(const char *key)
{
    size_t la, lb;
    char *a = get_value(client, key, &la);
    char *b = get_value(oracle_conn, key, &lb);
    ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "%s differs: %zu bytes here, %zu on redis",
                  key, la, lb);
    free(a);
    free(b);
}

START_TEST(test_interchange_same_bytes)
{
    if (!oracle_start())
        return;
    char line[8192];
    unsigned seed = 12345;
    const char *limits[] = {"3000", "200", "10000"};
    for (int k = 0; k < 3; k++) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "CONFIG SET hll-sparse-max-bytes %s", limits[k]);
        both(cmd);
        char key[16];
        snprintf(key, sizeof(key), "h%d", k);
        int n = 0;
        while (n < 20000) {
            int batch = (int)(seed % 7 == 0 ? 300 : seed % 5 + 1);
            int len = snprintf(line, sizeof(line), "PFADD %s", key);
            for (int j = 0; j < batch; j++) {
                seed = seed * 1103515245u + 12345u;
                len += snprintf(line + len, sizeof(line) - (size_t)len, " %u", seed % 1000000);
            }
            n += batch;
            both(line);
            same_value(key);
            if (seed % 3 == 0) {
                snprintf(line, sizeof(line), "PFCOUNT %s", key);
                both(line);
                same_value(key);
            }
        }
        snprintf(line, sizeof(line), "PFDEBUG ENCODING %s", key);
        both(line);
    }
    both("PFMERGE m h0 h1 h2");
    same_value("m");
    both("PFCOUNT h0 h1 h2");
    both("PFCOUNT m");
    /* Small sparse merges stay sparse and byte-identical. */
    both("PFADD s1 a b c d e f g h i j");
    both("PFADD s2 k l m n o p");
    both("PFMERGE s3 s1 s2");
    same_value("s3");
    oracle_stop();
}
END_TEST

START_TEST(test_interchange_get_set)
{
    if (!oracle_start())
        return;
    /* A sparse and a dense value made by redis-server, read here. */
    conn_cmd_integer(oracle_conn, "PFADD sparse a b c d e f g");
    char line[8192];
    int len = snprintf(line, sizeof(line), "PFADD dense");
    for (int i = 0; i < 1000; i++)
        len += snprintf(line + len, sizeof(line) - (size_t)len, " x%d", i);
    conn_cmd_integer(oracle_conn, line);
    conn_cmd_integer(oracle_conn, "PFDEBUG TODENSE dense");
    const char *keys[] = {"sparse", "dense"};
    const char *counts[] = {":7\r\n", ":1001\r\n"};
    for (int i = 0; i < 2; i++) {
        size_t n;
        char *v = get_value(oracle_conn, keys[i], &n);
        set_value(client, keys[i], v, n);
        free(v);
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "PFCOUNT %s", keys[i]);
        ck_cmd(client, cmd, counts[i]);
        ck_cmd(oracle_conn, cmd, counts[i]);
        same_value(keys[i]);
    }
    ck_cmd(client, "STRLEN dense", ":12304\r\n");
    /* And the other way: values made here, read by redis-server. */
    ck_cmd(client, "PFADD mine 1 2 3 4 5 6 7 8 9", ":1\r\n");
    ck_cmd(client, "PFMERGE mine2 mine dense", "+OK\r\n");
    const char *mine[] = {"mine", "mine2"};
    for (int i = 0; i < 2; i++) {
        size_t n;
        char *v = get_value(client, mine[i], &n);
        set_value(oracle_conn, mine[i], v, n);
        free(v);
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "PFCOUNT %s", mine[i]);
        both(cmd);
        snprintf(cmd, sizeof(cmd), "PFADD %s extra", mine[i]);
        both(cmd);
        same_value(mine[i]);
    }
    both("PFCOUNT mine mine2 sparse dense");
    oracle_stop();
}
END_TEST

START_TEST(test_interchange_damaged)
{
    if (!oracle_start())
        return;
    /* Damaged sparse values get the same answers on both servers. */
    conn_cmd_integer(oracle_conn, "PFADD src 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20");
    size_t n;
    char *v = get_value(oracle_conn, "src", &n);
    unsigned seed = 99;
    for (int round = 0; round < 300; round++) {
        char *d = malloc(n + 4);
        memcpy(d, v, n);
        size_t dn = n;
        for (int k = 0; k < 2; k++) {
            seed = seed * 1103515245u + 12345u;
            d[16 + (seed >> 8) % (n - 16)] = (char)(seed >> 16);
        }
        if (round % 5 == 0)
            dn = 16 + (seed >> 4) % (n - 16);
        set_value(client, "x", d, dn);
        set_value(oracle_conn, "x", d, dn);
        free(d);
        switch (round % 5) {
        case 0: both("PFCOUNT x"); break;
        case 1: both("PFCOUNT x src"); break;
        case 2: both("PFADD x a b c d e f g h i j k l m n o p"); break;
        case 3: both("PFMERGE y x"); break;
        default: both("PFDEBUG DECODE x"); break;
        }
        same_value("x");
    }
    free(v);
    oracle_stop();
}
END_TEST

START_TEST(test_interchange_rdb)
{
    /* HyperLogLogs and bitmaps saved by redis-server load here, and what
     * this server saves loads there: the values come back byte for byte. */
    if (!oracle_start())
        return;
    conn_cmd_integer(oracle_conn, "PFADD sparse a b c d e f g");
    conn_cmd_integer(oracle_conn, "PFADD dense a b c");
    conn_cmd_integer(oracle_conn, "PFDEBUG TODENSE dense");
    conn_cmd_integer(oracle_conn, "SETBIT bits 100000 1");
    ck_cmd(oracle_conn, "SAVE", "+OK\r\n");
    char oracle_dir[256], dir[256];
    snprintf(oracle_dir, sizeof(oracle_dir), "%s", oracle->dir);
    harness_make_dir(dir, sizeof(dir));
    ck_assert_int_eq(harness_system("cp %s/dump.rdb %s/dump.rdb", oracle_dir, dir), 0);
    struct server_handle *h = server_start_in(server_binary(), dir, NULL);
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    const char *keys[] = {"sparse", "dense", "bits"};
    for (int i = 0; i < 3; i++) {
        size_t la, lb;
        char *a = get_value(c, keys[i], &la);
        char *b = get_value(oracle_conn, keys[i], &lb);
        ck_assert_msg(la == lb && memcmp(a, b, la) == 0, "%s differs after loading", keys[i]);
        free(a);
        free(b);
    }
    ck_cmd(c, "PFCOUNT sparse dense", ":7\r\n");
    ck_cmd(c, "PFCOUNT dense", ":3\r\n");
    ck_cmd(c, "BITPOS bits 1", ":100000\r\n");
    /* And back: saved here, loaded by redis-server. */
    ck_cmd(c, "PFADD mine x y z", ":1\r\n");
    ck_cmd(c, "SAVE", "+OK\r\n");
    size_t mine_len;
    char *mine = get_value(c, "mine", &mine_len);
    conn_close(c);
    server_stop(h);
    oracle_stop();
    char back[256];
    harness_make_dir(back, sizeof(back));
    ck_assert_int_eq(harness_system("cp %s/dump.rdb %s/dump.rdb", dir, back), 0);
    oracle = server_start_in(ORACLE_BINARY, back, NULL);
    oracle_conn = conn_open(oracle->port);
    conn_wait_loaded(oracle_conn, 10000);
    size_t n;
    char *v = get_value(oracle_conn, "mine", &n);
    ck_assert(n == mine_len && memcmp(v, mine, n) == 0);
    free(v);
    free(mine);
    ck_cmd(oracle_conn, "PFCOUNT mine", ":3\r\n");
    ck_cmd(oracle_conn, "PFCOUNT sparse", ":7\r\n");
    oracle_stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hll");
    TCase *tc = tcase_create("hll");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pfadd_pfcount);
    tcase_add_test(tc, test_cache);
    tcase_add_test(tc, test_type_checks_and_damage);
    tcase_add_test(tc, test_pfmerge);
    tcase_add_test(tc, test_pfdebug);
    tcase_add_test(tc, test_promotion);
    tcase_add_test(tc, test_keyspace_events);
    tcase_add_test(tc, test_interchange_same_bytes);
    tcase_add_test(tc, test_interchange_get_set);
    tcase_add_test(tc, test_interchange_damaged);
    tcase_add_test(tc, test_interchange_rdb);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
