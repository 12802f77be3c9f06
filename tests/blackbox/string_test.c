/* string_test.c: black-box tests of the string commands: GET and SET with
 * all its options, the SET and GET variants, MGET and MSET, the counters,
 * APPEND, STRLEN, GETRANGE, SETRANGE and LCS, plus binary-safe and very
 * long keys and values.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte, error texts included. Each test starts its own server (check
 * forks per test), so tests never see each other's keys. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Arguments one ck_args call may send. */
#define ARGS_MAX 16

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

/* ---- Helpers ---- */

/* Returns the byte length of the RESP2 reply at raw. The harness hands a
 * reply back NUL-terminated, which hides where a bulk string holding NUL
 * bytes ends, so binary tests measure it from the headers. */
static size_t reply_len(const char *raw)
{
    const char *crlf = strstr(raw, "\r\n");
    ck_assert_ptr_nonnull(crlf);
    size_t header_bytes = (size_t)(crlf - raw) + 2;
    long long n = strtoll(raw + 1, NULL, 10);
    if (raw[0] == '$')
        return n < 0 ? header_bytes : header_bytes + (size_t)n + 2;
    if (raw[0] != '*' || n <= 0)
        return header_bytes;
    size_t pos = header_bytes;
    for (long long i = 0; i < n; i++)
        pos += reply_len(raw + pos);
    return pos;
}

/* Sends argv (with explicit lengths, so arguments may hold any bytes) and
 * asserts that the reply is exactly the expected_len bytes at expected. */
static void ck_argv_bytes_at(int line, struct conn *c, int argc, const char *const *argv,
                             const size_t *lens, const char *expected, size_t expected_len)
{
    char *reply = conn_cmd_argv(c, argc, argv, lens);
    size_t len = reply_len(reply);
    ck_assert_msg(len == expected_len && memcmp(reply, expected, len) == 0,
                  "line %d: %s: reply of %zu bytes differs from the expected %zu bytes "
                  "(printable prefix %s)",
                  line, argv[0], len, expected_len, harness_escape(reply));
    free(reply);
}

#define ck_argv_bytes(c, argc, argv, lens, expected)                                  \
    ck_argv_bytes_at(__LINE__, (c), (argc), (argv), (lens), (expected),               \
                     sizeof(expected) - 1)

/* Sends the listed arguments as one command, each whole even if it is
 * empty or holds spaces, and asserts the reply is exactly expected. */
static void ck_args_at(int line, struct conn *c, const char *expected, const char *const *argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    ck_assert_int_le(argc, ARGS_MAX);
    char *reply = conn_cmd_argv(c, argc, argv, NULL);
    ck_assert_msg(strcmp(reply, expected) == 0, "line %d: %s: expected %s got %s", line,
                  argv[0], harness_escape(expected), harness_escape(reply));
    free(reply);
}

#define ck_args(c, expected, ...)                                                     \
    ck_args_at(__LINE__, (c), (expected), (const char *const[]){__VA_ARGS__, NULL})

/* Returns a string of len bytes, byte i being 'a' + i % 26. Owned. */
static char *pattern_make(size_t len)
{
    char *s = malloc(len + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < len; i++)
        s[i] = (char)('a' + i % 26);
    s[len] = '\0';
    return s;
}

/* ---- GET and SET ---- */

START_TEST(test_get_and_set)
{
    ck_cmd(client, "GET missing", "$-1\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "SET k other", "+OK\r\n");
    ck_cmd(client, "GET k", "$5\r\nother\r\n");
    ck_args(client, "+OK\r\n", "SET", "empty", "");
    ck_cmd(client, "GET empty", "$0\r\n\r\n");
    ck_args(client, "+OK\r\n", "SET", "spaced key", "a value with spaces");
    ck_args(client, "$19\r\na value with spaces\r\n", "GET", "spaced key");
    /* Integers come back as the same text. */
    ck_cmd(client, "SET n -12345", "+OK\r\n");
    ck_cmd(client, "GET n", "$6\r\n-12345\r\n");
    ck_cmd(client, "GET", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(client, "GET a b", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(client, "SET k", "-ERR wrong number of arguments for 'set' command\r\n");
}
END_TEST

START_TEST(test_set_expire_options)
{
    ck_cmd(client, "SET k v EX 100", "+OK\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "SET k v PX 100000", "+OK\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    long long pttl = conn_cmd_integer(client, "PTTL k");
    ck_assert_int_gt(pttl, 99000);
    ck_assert_int_le(pttl, 100000);
    ck_cmd(client, "SET k v EXAT 4000000000", "+OK\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000000\r\n");
    ck_cmd(client, "SET k v PXAT 4000000000555", "+OK\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":4000000000555\r\n");
    /* Option names are case-insensitive. */
    ck_cmd(client, "SET k v ex 50", "+OK\r\n");
    ck_cmd(client, "TTL k", ":50\r\n");
    /* A plain SET drops the TTL. */
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    /* The same option twice is accepted; the last value wins. */
    ck_cmd(client, "SET k v EX 10 EX 20", "+OK\r\n");
    ck_cmd(client, "TTL k", ":20\r\n");
    /* A large but representable EX is fine. */
    ck_cmd(client, "SET k v EX 10000000000", "+OK\r\n");
    ck_cmd(client, "TTL k", ":10000000000\r\n");
}
END_TEST

START_TEST(test_set_absolute_time_in_past_deletes)
{
    ck_cmd(client, "SET k v EXAT 1", "+OK\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "SET k v2 PXAT 1 GET", "$1\r\nv\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    char line[128];
    snprintf(line, sizeof(line), "SET k v PXAT %lld", (long long)(harness_wall_ms() + 100));
    ck_cmd(client, line, "+OK\r\n");
    ck_cmd(client, "EXISTS k", ":1\r\n");
    harness_sleep_ms(200);
    ck_cmd(client, "GET k", "$-1\r\n");
}
END_TEST

START_TEST(test_set_nx_xx)
{
    ck_cmd(client, "SET k v NX", "+OK\r\n");
    ck_cmd(client, "SET k w NX", "$-1\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "SET k w XX", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nw\r\n");
    ck_cmd(client, "SET missing v XX", "$-1\r\n");
    ck_cmd(client, "EXISTS missing", ":0\r\n");
    ck_cmd(client, "SET k x px 100000 xx", "+OK\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "SET k y px 100000 nx", "$-1\r\n");
    ck_cmd(client, "GET k", "$1\r\nx\r\n");
    /* A failed NX leaves the TTL alone. */
    ck_cmd(client, "TTL k", ":100\r\n");
}
END_TEST

START_TEST(test_set_keepttl)
{
    ck_cmd(client, "SET k v EX 100", "+OK\r\n");
    ck_cmd(client, "SET k v2 KEEPTTL", "+OK\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "GET k", "$2\r\nv2\r\n");
    ck_cmd(client, "SET k v3 keepttl XX", "+OK\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "SET k v4", "+OK\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "SET new v KEEPTTL", "+OK\r\n");
    ck_cmd(client, "TTL new", ":-1\r\n");
}
END_TEST

START_TEST(test_set_get_option)
{
    ck_cmd(client, "SET k v1 GET", "$-1\r\n");
    ck_cmd(client, "GET k", "$2\r\nv1\r\n");
    ck_cmd(client, "SET k v2 GET", "$2\r\nv1\r\n");
    /* With NX, GET reports the old value even though nothing is set. */
    ck_cmd(client, "SET k v3 NX GET", "$2\r\nv2\r\n");
    ck_cmd(client, "GET k", "$2\r\nv2\r\n");
    ck_cmd(client, "SET k v3 XX GET", "$2\r\nv2\r\n");
    ck_cmd(client, "GET k", "$2\r\nv3\r\n");
    ck_cmd(client, "SET nx v NX GET", "$-1\r\n");
    ck_cmd(client, "GET nx", "$1\r\nv\r\n");
    ck_cmd(client, "SET xx v XX GET", "$-1\r\n");
    ck_cmd(client, "EXISTS xx", ":0\r\n");
    ck_cmd(client, "SET k v4 ex 10 get", "$2\r\nv3\r\n");
    ck_cmd(client, "TTL k", ":10\r\n");
    ck_cmd(client, "SET k v5 KEEPTTL GET", "$2\r\nv4\r\n");
    ck_cmd(client, "TTL k", ":10\r\n");
    ck_cmd(client, "SET n 12345", "+OK\r\n");
    ck_cmd(client, "SET n x GET", "$5\r\n12345\r\n");
}
END_TEST

START_TEST(test_set_errors)
{
    ck_cmd(client, "SET k v NX XX", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v EX 10 PX 100", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v EX 10 EXAT 4000000000", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v PXAT 4000000000000 EXAT 4000000000", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v EX 10 KEEPTTL", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v KEEPTTL EX 10", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v PERSIST", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v EX", "-ERR syntax error\r\n");
    ck_cmd(client, "SET k v EX abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SET k v EX 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SET k v EX 0", "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v EX -1", "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v PX 0", "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v EXAT 0", "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v PXAT 0", "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v EX 9223372036854775807",
           "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v PX 9223372036854775807",
           "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v EXAT 9223372036854775807",
           "-ERR invalid expire time in 'set' command\r\n");
    ck_cmd(client, "SET k v EX -9999999999999999",
           "-ERR invalid expire time in 'set' command\r\n");
    /* None of those touched the keyspace. */
    ck_cmd(client, "DBSIZE", ":0\r\n");
    /* An absolute millisecond time needs no conversion, so even the
     * largest one is accepted. */
    ck_cmd(client, "SET k v PXAT 9223372036854775807", "+OK\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":9223372036854775807\r\n");
}
END_TEST

/* ---- SETNX, SETEX, PSETEX ---- */

START_TEST(test_setnx)
{
    ck_cmd(client, "SETNX k v", ":1\r\n");
    ck_cmd(client, "SETNX k w", ":0\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "EXPIRE k 100", ":1\r\n");
    ck_cmd(client, "SETNX k w", ":0\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "SETNX k", "-ERR wrong number of arguments for 'setnx' command\r\n");
}
END_TEST

START_TEST(test_setex_and_psetex)
{
    ck_cmd(client, "SETEX k 100 v", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "PSETEX k 100000 w", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nw\r\n");
    long long pttl = conn_cmd_integer(client, "PTTL k");
    ck_assert_int_gt(pttl, 99000);
    ck_assert_int_le(pttl, 100000);
    ck_cmd(client, "SETEX k 0 v", "-ERR invalid expire time in 'setex' command\r\n");
    ck_cmd(client, "SETEX k -1 v", "-ERR invalid expire time in 'setex' command\r\n");
    ck_cmd(client, "SETEX k 9223372036854775807 v",
           "-ERR invalid expire time in 'setex' command\r\n");
    ck_cmd(client, "SETEX k abc v", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "PSETEX k 0 v", "-ERR invalid expire time in 'psetex' command\r\n");
    ck_cmd(client, "PSETEX k 9223372036854775807 v",
           "-ERR invalid expire time in 'psetex' command\r\n");
    ck_cmd(client, "SETEX k 100", "-ERR wrong number of arguments for 'setex' command\r\n");
    ck_cmd(client, "PSETEX k 100", "-ERR wrong number of arguments for 'psetex' command\r\n");
    /* The failed calls left the last good value. */
    ck_cmd(client, "GET k", "$1\r\nw\r\n");
    ck_cmd(client, "PSETEX short 100 v", "+OK\r\n");
    harness_sleep_ms(200);
    ck_cmd(client, "GET short", "$-1\r\n");
}
END_TEST

/* ---- GETSET, GETDEL, GETEX ---- */

START_TEST(test_getset_and_getdel)
{
    ck_cmd(client, "GETSET k v", "$-1\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "EXPIRE k 100", ":1\r\n");
    ck_cmd(client, "GETSET k w", "$1\r\nv\r\n");
    /* GETSET is a plain SET underneath, so the TTL goes. */
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "GETDEL k", "$1\r\nw\r\n");
    ck_cmd(client, "GETDEL k", "$-1\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "SET n 123", "+OK\r\n");
    ck_cmd(client, "GETDEL n", "$3\r\n123\r\n");
    ck_cmd(client, "GETSET k", "-ERR wrong number of arguments for 'getset' command\r\n");
    ck_cmd(client, "GETDEL", "-ERR wrong number of arguments for 'getdel' command\r\n");
}
END_TEST

START_TEST(test_getex)
{
    ck_cmd(client, "GETEX missing", "$-1\r\n");
    ck_cmd(client, "GETEX missing EX 10", "$-1\r\n");
    ck_cmd(client, "GETEX missing PERSIST", "$-1\r\n");
    ck_cmd(client, "SET k v EX 100", "+OK\r\n");
    ck_cmd(client, "GETEX k", "$1\r\nv\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "GETEX k PERSIST", "$1\r\nv\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "GETEX k PERSIST", "$1\r\nv\r\n");
    ck_cmd(client, "GETEX k EX 50", "$1\r\nv\r\n");
    ck_cmd(client, "TTL k", ":50\r\n");
    ck_cmd(client, "GETEX k px 60000", "$1\r\nv\r\n");
    ck_cmd(client, "TTL k", ":60\r\n");
    ck_cmd(client, "GETEX k EXAT 4000000000", "$1\r\nv\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000000\r\n");
    ck_cmd(client, "GETEX k PXAT 4000000000777", "$1\r\nv\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":4000000000777\r\n");
    /* A deadline in the past returns the value and deletes the key. */
    ck_cmd(client, "GETEX k PXAT 1", "$1\r\nv\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "GETEX", "-ERR wrong number of arguments for 'getex' command\r\n");
}
END_TEST

START_TEST(test_getex_errors)
{
    ck_cmd(client, "SET k v EX 100", "+OK\r\n");
    ck_cmd(client, "GETEX k EX 0", "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k EX -1", "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k PX 0", "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k EXAT 0", "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k EX 9223372036854775807",
           "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k EX -9999999999999999",
           "-ERR invalid expire time in 'getex' command\r\n");
    ck_cmd(client, "GETEX k EX abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "GETEX k EX 10 PX 10", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k EX 10 PERSIST", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k PERSIST EX 10", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k KEEPTTL", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k NX", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX k EX", "-ERR syntax error\r\n");
    /* Syntax is checked before the lookup, but the time's value only once
     * the key is found: a missing key answers nil to a bad time. */
    ck_cmd(client, "GETEX missing FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX missing PX", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX missing EX 10 PX 10", "-ERR syntax error\r\n");
    ck_cmd(client, "GETEX missing EX 0", "$-1\r\n");
    ck_cmd(client, "GETEX missing EX abc", "$-1\r\n");
    ck_cmd(client, "GETEX missing EX 9223372036854775807", "$-1\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
}
END_TEST

/* ---- MGET, MSET, MSETNX ---- */

START_TEST(test_mget_and_mset)
{
    ck_cmd(client, "MSET a 1 b 2 c 3", "+OK\r\n");
    ck_cmd(client, "MGET a b c missing a",
           "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n$1\r\n1\r\n");
    ck_cmd(client, "MGET missing", "*1\r\n$-1\r\n");
    /* A key named twice takes the later value. */
    ck_cmd(client, "MSET d 1 d 2", "+OK\r\n");
    ck_cmd(client, "GET d", "$1\r\n2\r\n");
    /* MSET replaces values and drops TTLs. */
    ck_cmd(client, "EXPIRE a 100", ":1\r\n");
    ck_cmd(client, "MSET a 10", "+OK\r\n");
    ck_cmd(client, "TTL a", ":-1\r\n");
    ck_cmd(client, "GET a", "$2\r\n10\r\n");
    ck_cmd(client, "MSET a 1 b", "-ERR wrong number of arguments for 'mset' command\r\n");
    ck_cmd(client, "MSET a", "-ERR wrong number of arguments for 'mset' command\r\n");
    ck_cmd(client, "MSET", "-ERR wrong number of arguments for 'mset' command\r\n");
    ck_cmd(client, "MGET", "-ERR wrong number of arguments for 'mget' command\r\n");
    ck_cmd(client, "GET b", "$1\r\n2\r\n");
}
END_TEST

START_TEST(test_msetnx)
{
    ck_cmd(client, "MSETNX x 1 y 2", ":1\r\n");
    ck_cmd(client, "MGET x y", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    /* All or nothing: one existing key blocks every assignment. */
    ck_cmd(client, "MSETNX x 9 z 9", ":0\r\n");
    ck_cmd(client, "MGET x z", "*2\r\n$1\r\n1\r\n$-1\r\n");
    ck_cmd(client, "MSETNX z 9 x 9", ":0\r\n");
    ck_cmd(client, "EXISTS z", ":0\r\n");
    /* A key named twice is still new, and takes the later value. */
    ck_cmd(client, "MSETNX q 1 q 2", ":1\r\n");
    ck_cmd(client, "GET q", "$1\r\n2\r\n");
    ck_cmd(client, "MSETNX x 0 x 1", ":0\r\n");
    ck_cmd(client, "GET x", "$1\r\n1\r\n");
    ck_cmd(client, "MSETNX x 1 y", "-ERR wrong number of arguments for 'msetnx' command\r\n");
    ck_cmd(client, "MSETNX", "-ERR wrong number of arguments for 'msetnx' command\r\n");
}
END_TEST

/* ---- INCR, DECR, INCRBY, DECRBY ---- */

START_TEST(test_incr_and_decr)
{
    ck_cmd(client, "INCR n", ":1\r\n");
    ck_cmd(client, "INCR n", ":2\r\n");
    ck_cmd(client, "DECR n", ":1\r\n");
    ck_cmd(client, "INCRBY n 10", ":11\r\n");
    ck_cmd(client, "DECRBY n 20", ":-9\r\n");
    ck_cmd(client, "DECRBY n -5", ":-4\r\n");
    ck_cmd(client, "INCRBY n -10", ":-14\r\n");
    ck_cmd(client, "GET n", "$3\r\n-14\r\n");
    ck_cmd(client, "DECR fresh", ":-1\r\n");
    ck_cmd(client, "INCRBY fresh2 0", ":0\r\n");
    ck_cmd(client, "SET s 41", "+OK\r\n");
    ck_cmd(client, "INCR s", ":42\r\n");
    ck_cmd(client, "GET s", "$2\r\n42\r\n");
    /* A value made by APPEND is parsed, not trusted to be a string. */
    ck_cmd(client, "SET a 1", "+OK\r\n");
    ck_cmd(client, "APPEND a 0", ":2\r\n");
    ck_cmd(client, "INCR a", ":11\r\n");
    /* Past 32 bits. */
    ck_cmd(client, "DECRBY big 17179869184", ":-17179869184\r\n");
    ck_cmd(client, "SET big 17179869184", "+OK\r\n");
    ck_cmd(client, "INCRBY big 17179869184", ":34359738368\r\n");
    /* The result of a counter is integer-encoded again. */
    ck_cmd(client, "OBJECT ENCODING a", "$3\r\nint\r\n");
    /* Counters keep the TTL. */
    ck_cmd(client, "SET t 5 EX 100", "+OK\r\n");
    ck_cmd(client, "DECRBY t 1", ":4\r\n");
    ck_cmd(client, "TTL t", ":100\r\n");
    ck_cmd(client, "INCR", "-ERR wrong number of arguments for 'incr' command\r\n");
    ck_cmd(client, "INCR a b", "-ERR wrong number of arguments for 'incr' command\r\n");
    ck_cmd(client, "INCRBY a", "-ERR wrong number of arguments for 'incrby' command\r\n");
    ck_cmd(client, "DECRBY a", "-ERR wrong number of arguments for 'decrby' command\r\n");
}
END_TEST

START_TEST(test_incr_rejects_non_integers)
{
    /* The stored value must be the canonical decimal form of a long long. */
    const char *const bad_values[] = {"abc", "1.5", " 1",  "1 ", "01", "+1",
                                      "-0",  "",    "1e3", "12345678901234567890"};
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        ck_args(client, "+OK\r\n", "SET", "n", bad_values[i]);
        ck_cmd(client, "INCR n", "-ERR value is not an integer or out of range\r\n");
        ck_cmd(client, "DECRBY n 1", "-ERR value is not an integer or out of range\r\n");
    }
    ck_cmd(client, "SET n 5", "+OK\r\n");
    ck_cmd(client, "INCRBY n abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "INCRBY n 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "INCRBY n 9223372036854775808",
           "-ERR value is not an integer or out of range\r\n");
    ck_args(client, "-ERR value is not an integer or out of range\r\n", "INCRBY", "n", " 1");
    ck_args(client, "-ERR value is not an integer or out of range\r\n", "INCRBY", "n", "");
    ck_cmd(client, "GET n", "$1\r\n5\r\n");
}
END_TEST

START_TEST(test_incr_overflow)
{
    ck_cmd(client, "SET n 9223372036854775807", "+OK\r\n");
    ck_cmd(client, "INCR n", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "INCRBY n 1", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "DECRBY n -1", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "INCRBY n 0", ":9223372036854775807\r\n");
    ck_cmd(client, "SET n -9223372036854775808", "+OK\r\n");
    ck_cmd(client, "DECR n", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "INCRBY n -1", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "GET n", "$20\r\n-9223372036854775808\r\n");
    /* DECRBY can't negate LLONG_MIN and says so with its own message. */
    ck_cmd(client, "SET z 0", "+OK\r\n");
    ck_cmd(client, "DECRBY z -9223372036854775808", "-ERR decrement would overflow\r\n");
    ck_cmd(client, "DECRBY z 9223372036854775807", ":-9223372036854775807\r\n");
    ck_cmd(client, "DECR z", ":-9223372036854775808\r\n");
    ck_cmd(client, "INCRBY y -9223372036854775808", ":-9223372036854775808\r\n");
}
END_TEST

/* ---- INCRBYFLOAT ---- */

START_TEST(test_incrbyfloat_formatting)
{
    ck_cmd(client, "INCRBYFLOAT f 10.5", "$4\r\n10.5\r\n");
    ck_cmd(client, "INCRBYFLOAT f 0.1", "$4\r\n10.6\r\n");
    ck_cmd(client, "GET f", "$4\r\n10.6\r\n");
    ck_cmd(client, "INCRBYFLOAT f -5.1", "$3\r\n5.5\r\n");
    /* Exponents are accepted and results print without them. */
    ck_cmd(client, "SET g 5.0e3", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT g 0", "$4\r\n5000\r\n");
    ck_cmd(client, "INCRBYFLOAT g 2.0e2", "$4\r\n5200\r\n");
    ck_cmd(client, "INCRBYFLOAT h 1.23e20", "$21\r\n123000000000000000000\r\n");
    ck_cmd(client, "INCRBYFLOAT i 1E2", "$3\r\n100\r\n");
    ck_cmd(client, "INCRBYFLOAT j 0.0000001", "$9\r\n0.0000001\r\n");
    /* Whole results drop the fraction; zero has no sign. */
    ck_cmd(client, "SET k 3", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT k 0.1", "$3\r\n3.1\r\n");
    ck_cmd(client, "INCRBYFLOAT k -3.1", "$1\r\n0\r\n");
    ck_cmd(client, "INCRBYFLOAT k -0.5", "$4\r\n-0.5\r\n");
    ck_cmd(client, "INCRBYFLOAT k 1.0", "$3\r\n0.5\r\n");
    ck_cmd(client, "INCRBYFLOAT l -0.0", "$1\r\n0\r\n");
    ck_cmd(client, "INCRBYFLOAT m 3", "$1\r\n3\r\n");
    /* Hexadecimal parses, as strtold allows. */
    ck_cmd(client, "INCRBYFLOAT n 0x10", "$2\r\n16\r\n");
    /* An integer-encoded value is a fine starting point. */
    ck_cmd(client, "SET o 5", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT o 1.5", "$3\r\n6.5\r\n");
    ck_cmd(client, "SET p 1", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT p -1.1", "$4\r\n-0.1\r\n");
    ck_cmd(client, "SET q 17179869184", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT q 1.5", "$13\r\n17179869185.5\r\n");
    ck_cmd(client, "INCRBYFLOAT q 17179869184", "$13\r\n34359738369.5\r\n");
    /* Adding a number and its negation leaves a plain 0, never "-0". */
    ck_cmd(client, "INCRBYFLOAT r 0.024390243902439025", "$19\r\n0.02439024390243902\r\n");
    ck_cmd(client, "INCRBYFLOAT r -0.024390243902439025", "$1\r\n0\r\n");
    /* The TTL survives. */
    ck_cmd(client, "SET t 1 EX 100", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT t 1.5", "$3\r\n2.5\r\n");
    ck_cmd(client, "TTL t", ":100\r\n");
}
END_TEST

START_TEST(test_incrbyfloat_long_double_precision)
{
    /* Redis adds in long double and prints with 17 fractional digits before
     * trimming zeros, so binary rounding shows through exactly like this
     * (x86-64's 80-bit long double). */
    ck_cmd(client, "SET f 5200", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT f 1e-3", "$22\r\n5200.00099999999999989\r\n");
    ck_cmd(client, "INCRBYFLOAT g 123456789.123456789", "$27\r\n123456789.12345678899873747\r\n");
    ck_cmd(client, "INCRBYFLOAT h 1e17", "$18\r\n100000000000000000\r\n");
}
END_TEST

START_TEST(test_incrbyfloat_errors)
{
    ck_cmd(client, "SET f 1", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT f abc", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "INCRBYFLOAT f 1.5.5", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "INCRBYFLOAT f nan", "-ERR value is not a valid float\r\n");
    ck_args(client, "-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", "");
    ck_args(client, "-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", " 1");
    ck_args(client, "-ERR value is not a valid float\r\n", "INCRBYFLOAT", "f", "1 ");
    /* Infinity parses as a float but may not be stored. */
    ck_cmd(client, "INCRBYFLOAT f inf", "-ERR increment would produce NaN or Infinity\r\n");
    ck_cmd(client, "INCRBYFLOAT f +inf", "-ERR increment would produce NaN or Infinity\r\n");
    ck_cmd(client, "INCRBYFLOAT f -inf", "-ERR increment would produce NaN or Infinity\r\n");
    ck_cmd(client, "GET f", "$1\r\n1\r\n");
    /* A NUL inside the stored value makes it no number at all. */
    ck_cmd(client, "SETRANGE f 2 2", ":3\r\n");
    ck_cmd(client, "INCRBYFLOAT f 1", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "INCR f", "-ERR value is not an integer or out of range\r\n");
    /* The stored value is held to the same rules. */
    const char *const bad_values[] = {"abc", "", " 1", "1 ", "1.5.5"};
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        ck_args(client, "+OK\r\n", "SET", "g", bad_values[i]);
        ck_cmd(client, "INCRBYFLOAT g 1", "-ERR value is not a valid float\r\n");
    }
    ck_cmd(client, "INCRBYFLOAT f",
           "-ERR wrong number of arguments for 'incrbyfloat' command\r\n");
}
END_TEST

/* ---- APPEND, STRLEN ---- */

START_TEST(test_append_and_strlen)
{
    ck_cmd(client, "STRLEN missing", ":0\r\n");
    ck_cmd(client, "APPEND k hello", ":5\r\n");
    ck_cmd(client, "APPEND k world", ":10\r\n");
    ck_cmd(client, "GET k", "$10\r\nhelloworld\r\n");
    ck_cmd(client, "STRLEN k", ":10\r\n");
    /* Integer-encoded values have the length of their decimal text. */
    ck_cmd(client, "SET n 123", "+OK\r\n");
    ck_cmd(client, "STRLEN n", ":3\r\n");
    ck_cmd(client, "SET n -1", "+OK\r\n");
    ck_cmd(client, "STRLEN n", ":2\r\n");
    ck_cmd(client, "APPEND n 4", ":3\r\n");
    ck_cmd(client, "GET n", "$3\r\n-14\r\n");
    /* Appending nothing still creates the key. */
    ck_args(client, ":0\r\n", "APPEND", "empty", "");
    ck_cmd(client, "EXISTS empty", ":1\r\n");
    ck_cmd(client, "GET empty", "$0\r\n\r\n");
    ck_cmd(client, "SET t a EX 100", "+OK\r\n");
    ck_cmd(client, "APPEND t b", ":2\r\n");
    ck_cmd(client, "TTL t", ":100\r\n");
    ck_cmd(client, "APPEND k", "-ERR wrong number of arguments for 'append' command\r\n");
    ck_cmd(client, "STRLEN", "-ERR wrong number of arguments for 'strlen' command\r\n");
}
END_TEST

/* ---- GETRANGE, SUBSTR ---- */

START_TEST(test_getrange)
{
    ck_cmd(client, "SET s Thisisastring", "+OK\r\n");
    ck_cmd(client, "GETRANGE s 0 3", "$4\r\nThis\r\n");
    ck_cmd(client, "GETRANGE s -3 -1", "$3\r\ning\r\n");
    ck_cmd(client, "GETRANGE s 0 -1", "$13\r\nThisisastring\r\n");
    ck_cmd(client, "GETRANGE s 0 0", "$1\r\nT\r\n");
    ck_cmd(client, "GETRANGE s -1 -1", "$1\r\ng\r\n");
    /* The end is clamped to the last byte. */
    ck_cmd(client, "GETRANGE s 10 100", "$3\r\ning\r\n");
    ck_cmd(client, "GETRANGE s 0 9223372036854775807", "$13\r\nThisisastring\r\n");
    ck_cmd(client, "GETRANGE s 0 4294967297", "$13\r\nThisisastring\r\n");
    ck_cmd(client, "GETRANGE s -100 2", "$3\r\nThi\r\n");
    /* Empty when the start is past the end or after the last byte. */
    ck_cmd(client, "GETRANGE s 100 200", "$0\r\n\r\n");
    ck_cmd(client, "GETRANGE s 5 3", "$0\r\n\r\n");
    ck_cmd(client, "GETRANGE s -1 -2", "$0\r\n\r\n");
    /* Redis 7.0 clamps a negative end below the start to 0, so these
     * return the first byte rather than nothing. */
    ck_cmd(client, "GETRANGE s -100 -50", "$1\r\nT\r\n");
    ck_cmd(client, "GETRANGE s 0 -100", "$1\r\nT\r\n");
    ck_cmd(client, "GETRANGE missing 0 -1", "$0\r\n\r\n");
    ck_cmd(client, "SET i 1234", "+OK\r\n");
    ck_cmd(client, "GETRANGE i 1 2", "$2\r\n23\r\n");
    ck_cmd(client, "GETRANGE i -2 -1", "$2\r\n34\r\n");
    ck_args(client, "+OK\r\n", "SET", "e", "");
    ck_cmd(client, "GETRANGE e 0 -1", "$0\r\n\r\n");
    ck_cmd(client, "GETRANGE e -1 -1", "$0\r\n\r\n");
    ck_cmd(client, "GETRANGE s a 1", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "GETRANGE s 0 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "GETRANGE s 0", "-ERR wrong number of arguments for 'getrange' command\r\n");
}
END_TEST

/* Redis 7.0's GETRANGE, as a model: both ends count from the end when
 * negative and clamp to the string. Returns the length of the range and
 * stores its first index in *first. */
static long long getrange_model(long long len, long long start, long long end, long long *first)
{
    *first = 0;
    if (start < 0 && end < 0 && start > end)
        return 0;
    if (start < 0)
        start = len + start;
    if (end < 0)
        end = len + end;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= len)
        end = len - 1;
    if (len == 0 || start > end)
        return 0;
    *first = start;
    return end - start + 1;
}

START_TEST(test_getrange_fuzz)
{
    srandom(12345);
    for (int round = 0; round < 300; round++) {
        long long len = random() % 20;
        char *value = pattern_make((size_t)len);
        ck_args(client, "+OK\r\n", "SET", "s", value);
        long long start = random() % 50 - 25;
        long long end = random() % 50 - 25;
        long long first = 0;
        long long count = getrange_model(len, start, end, &first);
        char line[64];
        char expected[64];
        snprintf(line, sizeof(line), "GETRANGE s %lld %lld", start, end);
        snprintf(expected, sizeof(expected), "$%lld\r\n%.*s\r\n", count, (int)count,
                 value + first);
        ck_cmd(client, line, expected);
        free(value);
    }
}
END_TEST

START_TEST(test_substr_is_getrange)
{
    ck_cmd(client, "SET s Thisisastring", "+OK\r\n");
    ck_cmd(client, "SUBSTR s 0 3", "$4\r\nThis\r\n");
    ck_cmd(client, "SUBSTR s -3 -1", "$3\r\ning\r\n");
    ck_cmd(client, "SUBSTR s 100 200", "$0\r\n\r\n");
    ck_cmd(client, "SUBSTR s 0 -100", "$1\r\nT\r\n");
    ck_cmd(client, "SUBSTR missing 0 -1", "$0\r\n\r\n");
    ck_cmd(client, "SUBSTR s 0", "-ERR wrong number of arguments for 'substr' command\r\n");
}
END_TEST

/* ---- SETRANGE ---- */

START_TEST(test_setrange)
{
    ck_cmd(client, "SET k helloworld", "+OK\r\n");
    ck_cmd(client, "SETRANGE k 0 HELLO", ":10\r\n");
    ck_cmd(client, "GET k", "$10\r\nHELLOworld\r\n");
    ck_cmd(client, "SETRANGE k 5 W", ":10\r\n");
    ck_cmd(client, "GET k", "$10\r\nHELLOWorld\r\n");
    ck_cmd(client, "SETRANGE k 8 LDS", ":11\r\n");
    ck_cmd(client, "GET k", "$11\r\nHELLOWorLDS\r\n");
    /* Writing past the end pads with zero bytes. */
    ck_cmd(client, "SETRANGE k 13 XY", ":15\r\n");
    char *reply = conn_cmd(client, "GET k");
    ck_assert_int_eq(reply_len(reply), 22);
    ck_assert_int_eq(memcmp(reply, "$15\r\nHELLOWorLDS\0\0XY\r\n", 22), 0);
    free(reply);
    ck_cmd(client, "SETRANGE z 5 ab", ":7\r\n");
    reply = conn_cmd(client, "GET z");
    ck_assert_int_eq(reply_len(reply), 13);
    ck_assert_int_eq(memcmp(reply, "$7\r\n\0\0\0\0\0ab\r\n", 13), 0);
    free(reply);
    /* An integer-encoded value is edited as its decimal text. */
    ck_cmd(client, "SET i 1234", "+OK\r\n");
    ck_cmd(client, "SETRANGE i 1 x", ":4\r\n");
    ck_cmd(client, "GET i", "$4\r\n1x34\r\n");
    ck_cmd(client, "SET i 1234", "+OK\r\n");
    ck_cmd(client, "SETRANGE i 4 5", ":5\r\n");
    ck_cmd(client, "GET i", "$5\r\n12345\r\n");
    ck_cmd(client, "SET t abc EX 100", "+OK\r\n");
    ck_cmd(client, "SETRANGE t 0 x", ":3\r\n");
    ck_cmd(client, "TTL t", ":100\r\n");
    ck_cmd(client, "SETRANGE", "-ERR wrong number of arguments for 'setrange' command\r\n");
    ck_cmd(client, "SETRANGE k 0", "-ERR wrong number of arguments for 'setrange' command\r\n");
}
END_TEST

START_TEST(test_setrange_empty_value)
{
    /* An empty value writes nothing: a missing key stays missing and an
     * existing one keeps its length, however far the offset. */
    ck_args(client, ":0\r\n", "SETRANGE", "missing", "0", "");
    ck_args(client, ":0\r\n", "SETRANGE", "missing", "10", "");
    ck_cmd(client, "EXISTS missing", ":0\r\n");
    ck_cmd(client, "SET k abc", "+OK\r\n");
    ck_args(client, ":3\r\n", "SETRANGE", "k", "100", "");
    ck_cmd(client, "GET k", "$3\r\nabc\r\n");
    /* Not even the size limit is checked then; the offset's sign is. */
    ck_args(client, ":3\r\n", "SETRANGE", "k", "536870912", "");
    ck_args(client, ":0\r\n", "SETRANGE", "missing", "536870912", "");
    ck_args(client, "-ERR offset is out of range\r\n", "SETRANGE", "k", "-1", "");
}
END_TEST

START_TEST(test_setrange_errors)
{
    ck_cmd(client, "SET k abc", "+OK\r\n");
    ck_cmd(client, "SETRANGE k -1 x", "-ERR offset is out of range\r\n");
    ck_cmd(client, "SETRANGE missing -1 x", "-ERR offset is out of range\r\n");
    ck_cmd(client, "SETRANGE k abc x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SETRANGE k 1.5 x", "-ERR value is not an integer or out of range\r\n");
    /* The result may not pass 512 MB (proto-max-bulk-len). */
    ck_cmd(client, "SETRANGE k 536870912 x",
           "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    ck_cmd(client, "SETRANGE missing 536870912 x",
           "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    ck_cmd(client, "SETRANGE k 536870910 xyz",
           "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    ck_cmd(client, "SETRANGE k 9223372036854775807 x",
           "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
    ck_cmd(client, "GET k", "$3\r\nabc\r\n");
    ck_cmd(client, "EXISTS missing", ":0\r\n");
}
END_TEST

/* ---- LCS ---- */

START_TEST(test_lcs_plain_and_len)
{
    ck_cmd(client, "MSET key1 ohmytext key2 mynewtext", "+OK\r\n");
    ck_cmd(client, "LCS key1 key2", "$6\r\nmytext\r\n");
    ck_cmd(client, "LCS key1 key2 LEN", ":6\r\n");
    ck_cmd(client, "LCS key1 key1", "$8\r\nohmytext\r\n");
    /* MINMATCHLEN and WITHMATCHLEN only shape IDX output. */
    ck_cmd(client, "LCS key1 key2 MINMATCHLEN 4", "$6\r\nmytext\r\n");
    ck_cmd(client, "LCS key1 key2 WITHMATCHLEN", "$6\r\nmytext\r\n");
    ck_cmd(client, "LCS key1 key2 LEN WITHMATCHLEN", ":6\r\n");
    /* Missing keys are empty strings. */
    ck_cmd(client, "LCS key1 missing", "$0\r\n\r\n");
    ck_cmd(client, "LCS missing1 missing2", "$0\r\n\r\n");
    ck_cmd(client, "LCS missing1 missing2 LEN", ":0\r\n");
    ck_cmd(client, "MSET a abc b xyz", "+OK\r\n");
    ck_cmd(client, "LCS a b", "$0\r\n\r\n");
    /* On ties the walk back from the end keeps the later match. */
    ck_cmd(client, "MSET c ab d ba", "+OK\r\n");
    ck_cmd(client, "LCS c d", "$1\r\nb\r\n");
    ck_args(client, "+OK\r\n", "MSET", "x", "Hello World", "y", "Hello Redis World");
    ck_cmd(client, "LCS x y", "$11\r\nHello World\r\n");
    /* Integer-encoded values compare as their text. */
    ck_cmd(client, "MSET n1 12345 n2 2345", "+OK\r\n");
    ck_cmd(client, "LCS n1 n2", "$4\r\n2345\r\n");
}
END_TEST

START_TEST(test_lcs_idx)
{
    ck_cmd(client, "MSET key1 ohmytext key2 mynewtext", "+OK\r\n");
    /* Matches run from the end of the strings to the start, each as
     * [[start1, end1], [start2, end2]] with inclusive ends. */
    ck_cmd(client, "LCS key1 key2 IDX",
           "*4\r\n$7\r\nmatches\r\n"
           "*2\r\n"
           "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
           "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
           "$3\r\nlen\r\n:6\r\n");
    ck_cmd(client, "LCS key1 key2 IDX MINMATCHLEN 4",
           "*4\r\n$7\r\nmatches\r\n"
           "*1\r\n"
           "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
           "$3\r\nlen\r\n:6\r\n");
    ck_cmd(client, "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
           "*4\r\n$7\r\nmatches\r\n"
           "*1\r\n"
           "*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
           "$3\r\nlen\r\n:6\r\n");
    ck_cmd(client, "LCS key1 key2 IDX WITHMATCHLEN",
           "*4\r\n$7\r\nmatches\r\n"
           "*2\r\n"
           "*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
           "*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n"
           "$3\r\nlen\r\n:6\r\n");
    /* A MINMATCHLEN of zero or below filters nothing. */
    ck_cmd(client, "LCS key1 key2 idx minmatchlen -1",
           "*4\r\n$7\r\nmatches\r\n"
           "*2\r\n"
           "*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
           "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n"
           "$3\r\nlen\r\n:6\r\n");
    ck_cmd(client, "LCS key1 key1 IDX",
           "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n"
           "$3\r\nlen\r\n:8\r\n");
    ck_cmd(client, "LCS key1 missing IDX WITHMATCHLEN",
           "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}
END_TEST

START_TEST(test_lcs_idx_split_matches)
{
    /* A range ends where either string's run breaks, so single letters
     * split by noise in one string are separate matches. */
    ck_cmd(client, "MSET c aXbYc d abc", "+OK\r\n");
    ck_cmd(client, "LCS c d IDX WITHMATCHLEN",
           "*4\r\n$7\r\nmatches\r\n"
           "*3\r\n"
           "*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:2\r\n:2\r\n:1\r\n"
           "*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:1\r\n:1\r\n:1\r\n"
           "*3\r\n*2\r\n:0\r\n:0\r\n*2\r\n:0\r\n:0\r\n:1\r\n"
           "$3\r\nlen\r\n:3\r\n");
    ck_cmd(client, "LCS d c IDX",
           "*4\r\n$7\r\nmatches\r\n"
           "*3\r\n"
           "*2\r\n*2\r\n:2\r\n:2\r\n*2\r\n:4\r\n:4\r\n"
           "*2\r\n*2\r\n:1\r\n:1\r\n*2\r\n:2\r\n:2\r\n"
           "*2\r\n*2\r\n:0\r\n:0\r\n*2\r\n:0\r\n:0\r\n"
           "$3\r\nlen\r\n:3\r\n");
    ck_args(client, "+OK\r\n", "MSET", "x", "Hello World", "y", "Hello Redis World");
    ck_cmd(client, "LCS x y IDX MINMATCHLEN 2 WITHMATCHLEN",
           "*4\r\n$7\r\nmatches\r\n"
           "*2\r\n"
           "*3\r\n*2\r\n:5\r\n:10\r\n*2\r\n:11\r\n:16\r\n:6\r\n"
           "*3\r\n*2\r\n:0\r\n:4\r\n*2\r\n:0\r\n:4\r\n:5\r\n"
           "$3\r\nlen\r\n:11\r\n");
    ck_cmd(client, "MSET a abc b xyz", "+OK\r\n");
    ck_cmd(client, "LCS a b IDX", "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}
END_TEST

START_TEST(test_lcs_idx_resp3_map)
{
    ck_cmd(client, "MSET c aXbYc d abc", "+OK\r\n");
    ck_cmd_prefix(client, "HELLO 3", "%");
    /* Under RESP3 the IDX reply is a map with the same two entries. */
    ck_cmd(client, "LCS c d IDX WITHMATCHLEN",
           "%2\r\n$7\r\nmatches\r\n"
           "*3\r\n"
           "*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:2\r\n:2\r\n:1\r\n"
           "*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:1\r\n:1\r\n:1\r\n"
           "*3\r\n*2\r\n:0\r\n:0\r\n*2\r\n:0\r\n:0\r\n:1\r\n"
           "$3\r\nlen\r\n:3\r\n");
    ck_cmd(client, "LCS c d LEN", ":3\r\n");
}
END_TEST

START_TEST(test_lcs_errors)
{
    ck_cmd(client, "MSET key1 ohmytext key2 mynewtext", "+OK\r\n");
    ck_cmd(client, "LCS key1 key2 LEN IDX",
           "-ERR If you want both the length and indexes, please just use IDX.\r\n");
    ck_cmd(client, "LCS key1 key2 IDX MINMATCHLEN", "-ERR syntax error\r\n");
    ck_cmd(client, "LCS key1 key2 IDX MINMATCHLEN abc",
           "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LCS key1 key2 FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "LCS key1", "-ERR wrong number of arguments for 'lcs' command\r\n");
}
END_TEST

/* ---- Binary safety and size ---- */

START_TEST(test_binary_keys_and_values)
{
    const char *const set_argv[] = {"SET", "k\0ey", "a\0b\r\nc"};
    const size_t set_lens[] = {3, 4, 6};
    ck_argv_bytes(client, 3, set_argv, set_lens, "+OK\r\n");
    const char *const get_argv[] = {"GET", "k\0ey"};
    const size_t get_lens[] = {3, 4};
    ck_argv_bytes(client, 2, get_argv, get_lens, "$6\r\na\0b\r\nc\r\n");
    /* The key is all four bytes, not a C string cut at the NUL. */
    ck_cmd(client, "EXISTS k", ":0\r\n");
    char *reply = conn_cmd(client, "KEYS k*");
    ck_assert_int_eq(reply_len(reply), 14);
    ck_assert_int_eq(memcmp(reply, "*1\r\n$4\r\nk\0ey\r\n", 14), 0);
    free(reply);
    const char *const strlen_argv[] = {"STRLEN", "k\0ey"};
    const size_t strlen_lens[] = {6, 4};
    ck_argv_bytes(client, 2, strlen_argv, strlen_lens, ":6\r\n");
    const char *const append_argv[] = {"APPEND", "k\0ey", "\0\xff"};
    const size_t append_lens[] = {6, 4, 2};
    ck_argv_bytes(client, 3, append_argv, append_lens, ":8\r\n");
    const char *const range_argv[] = {"GETRANGE", "k\0ey", "1", "-1"};
    const size_t range_lens[] = {8, 4, 1, 2};
    ck_argv_bytes(client, 4, range_argv, range_lens, "$7\r\n\0b\r\nc\0\xff\r\n");
    const char *const setrange_argv[] = {"SETRANGE", "k\0ey", "2", "\r\n"};
    const size_t setrange_lens[] = {8, 4, 1, 2};
    ck_argv_bytes(client, 4, setrange_argv, setrange_lens, ":8\r\n");
    const char *const mget_argv[] = {"MGET", "k\0ey", "missing"};
    const size_t mget_lens[] = {4, 4, 7};
    ck_argv_bytes(client, 3, mget_argv, mget_lens,
                  "*2\r\n$8\r\na\0\r\n\nc\0\xff\r\n$-1\r\n");
}
END_TEST

START_TEST(test_every_byte_value_round_trips)
{
    char value[256];
    for (int i = 0; i < 256; i++)
        value[i] = (char)i;
    const char *const set_argv[] = {"SET", "bytes", value};
    const size_t set_lens[] = {3, 5, sizeof(value)};
    char *reply = conn_cmd_argv(client, 3, set_argv, set_lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    reply = conn_cmd(client, "GET bytes");
    ck_assert_int_eq(reply_len(reply), 6 + 256 + 2);
    ck_assert_int_eq(memcmp(reply, "$256\r\n", 6), 0);
    ck_assert_int_eq(memcmp(reply + 6, value, sizeof(value)), 0);
    free(reply);
    ck_cmd(client, "STRLEN bytes", ":256\r\n");
    ck_cmd(client, "GETRANGE bytes 65 67", "$3\r\nABC\r\n");
    /* A value with CR LF inside is a bulk string, not a second command. */
    ck_args(client, "+OK\r\n", "SET", "crlf", "line1\r\nPING\r\n");
    ck_cmd(client, "GET crlf", "$13\r\nline1\r\nPING\r\n\r\n");
    ck_cmd(client, "DBSIZE", ":2\r\n");
}
END_TEST

START_TEST(test_very_long_keys)
{
    char *key = pattern_make(100000);
    ck_args(client, "+OK\r\n", "SET", key, "v");
    ck_args(client, "$1\r\nv\r\n", "GET", key);
    ck_args(client, ":1\r\n", "EXISTS", key);
    /* A key one byte shorter is a different key. */
    key[99999] = '\0';
    ck_args(client, ":0\r\n", "EXISTS", key);
    key[99999] = (char)('a' + 99999 % 26);
    ck_args(client, "+OK\r\n", "RENAME", key, "short");
    ck_cmd(client, "GET short", "$1\r\nv\r\n");
    ck_args(client, "+OK\r\n", "RENAME", "short", key);
    ck_args(client, ":1\r\n", "DEL", key);
    ck_cmd(client, "DBSIZE", ":0\r\n");
    free(key);
    /* A megabyte key works too. */
    key = pattern_make(1 << 20);
    ck_args(client, "+OK\r\n", "SET", key, "big");
    ck_args(client, "$3\r\nbig\r\n", "GET", key);
    ck_args(client, ":3\r\n", "STRLEN", key);
    free(key);
}
END_TEST

START_TEST(test_large_values)
{
    size_t len = 4 << 20;
    char *value = pattern_make(len);
    ck_args(client, "+OK\r\n", "SET", "big", value);
    ck_cmd(client, "STRLEN big", ":4194304\r\n");
    char *reply = conn_cmd(client, "GET big");
    ck_assert_int_eq(strlen(reply), len + 12);
    ck_assert_int_eq(memcmp(reply, "$4194304\r\n", 10), 0);
    ck_assert_int_eq(memcmp(reply + 10, value, len), 0);
    free(reply);
    free(value);
    /* Grow a value by appends, then read back where the pieces meet. */
    char *piece = pattern_make(65536);
    for (int i = 1; i <= 16; i++) {
        char expected[32];
        snprintf(expected, sizeof(expected), ":%d\r\n", i * 65536);
        ck_args(client, expected, "APPEND", "grown", piece);
    }
    free(piece);
    ck_cmd(client, "STRLEN grown", ":1048576\r\n");
    /* 65536 % 26 is 16, so the second piece starts "a" after "...mnop". */
    ck_cmd(client, "GETRANGE grown 65532 65539", "$8\r\nmnopabcd\r\n");
    ck_cmd(client, "GETRANGE grown -2 -1", "$2\r\nop\r\n");
}
END_TEST

/* ---- Suite ---- */

static TCase *tcase_new(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    return tc;
}

static void suite_add_set_family(Suite *s)
{
    TCase *tc = tcase_new("set");
    tcase_add_test(tc, test_get_and_set);
    tcase_add_test(tc, test_set_expire_options);
    tcase_add_test(tc, test_set_absolute_time_in_past_deletes);
    tcase_add_test(tc, test_set_nx_xx);
    tcase_add_test(tc, test_set_keepttl);
    tcase_add_test(tc, test_set_get_option);
    tcase_add_test(tc, test_set_errors);
    tcase_add_test(tc, test_setnx);
    tcase_add_test(tc, test_setex_and_psetex);
    tcase_add_test(tc, test_getset_and_getdel);
    tcase_add_test(tc, test_getex);
    tcase_add_test(tc, test_getex_errors);
    tcase_add_test(tc, test_mget_and_mset);
    tcase_add_test(tc, test_msetnx);
    suite_add_tcase(s, tc);
}

static void suite_add_counters(Suite *s)
{
    TCase *tc = tcase_new("counters");
    tcase_add_test(tc, test_incr_and_decr);
    tcase_add_test(tc, test_incr_rejects_non_integers);
    tcase_add_test(tc, test_incr_overflow);
    tcase_add_test(tc, test_incrbyfloat_formatting);
    tcase_add_test(tc, test_incrbyfloat_long_double_precision);
    tcase_add_test(tc, test_incrbyfloat_errors);
    suite_add_tcase(s, tc);
}

static void suite_add_ranges(Suite *s)
{
    TCase *tc = tcase_new("ranges");
    tcase_add_test(tc, test_append_and_strlen);
    tcase_add_test(tc, test_getrange);
    tcase_add_test(tc, test_getrange_fuzz);
    tcase_add_test(tc, test_substr_is_getrange);
    tcase_add_test(tc, test_setrange);
    tcase_add_test(tc, test_setrange_empty_value);
    tcase_add_test(tc, test_setrange_errors);
    tcase_add_test(tc, test_lcs_plain_and_len);
    tcase_add_test(tc, test_lcs_idx);
    tcase_add_test(tc, test_lcs_idx_split_matches);
    tcase_add_test(tc, test_lcs_idx_resp3_map);
    tcase_add_test(tc, test_lcs_errors);
    suite_add_tcase(s, tc);
}

static void suite_add_binary(Suite *s)
{
    TCase *tc = tcase_new("binary");
    tcase_add_test(tc, test_binary_keys_and_values);
    tcase_add_test(tc, test_every_byte_value_round_trips);
    tcase_add_test(tc, test_very_long_keys);
    tcase_add_test(tc, test_large_values);
    suite_add_tcase(s, tc);
}

int main(void)
{
    Suite *s = suite_create("string");
    suite_add_set_family(s);
    suite_add_counters(s);
    suite_add_ranges(s);
    suite_add_binary(s);
    return harness_run_suite(s);
}
