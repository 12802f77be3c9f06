/* hash_test.c: black-box tests of the hash commands: HSET, HSETNX, HMSET,
 * HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL,
 * HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, the listpack -> hashtable
 * conversions OBJECT ENCODING reports, RESP2/RESP3 reply shapes, WRONGTYPE
 * and the error texts.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte. Replies whose order is random (HRANDFIELD, and anything over a
 * hashtable-encoded hash) are parsed and checked for their properties
 * instead. Each test starts its own server. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arguments one ck_args call may send. */
#define ARGS_MAX 16
/* Elements a parsed array reply may hold in these tests. */
#define PARSED_MAX 4096
/* Redis 7.0's defaults for the hash encoding thresholds. */
#define HASH_ENTRIES_DEFAULT 512
#define HASH_VALUE_DEFAULT 64

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

/* Sends the listed arguments as one command, each whole, and asserts the
 * reply is exactly expected. */
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

/* A flattened reply: the bulk strings of an array (nested arrays of bulks
 * are flattened too, and their headers counted in `arrays`). */
struct parsed {
    int count;
    int arrays; /* nested aggregate headers met */
    char *items[PARSED_MAX]; /* owned, NUL-terminated */
};

static const char *parse_bulk(const char *p, struct parsed *out)
{
    ck_assert_msg(*p == '$', "expected a bulk at %s", harness_escape(p));
    long n = strtol(p + 1, NULL, 10);
    p = strstr(p, "\r\n") + 2;
    ck_assert_int_lt(out->count, PARSED_MAX);
    out->items[out->count++] = strndup(p, (size_t)n);
    return p + n + 2;
}

static const char *parse_aggregate(const char *p, struct parsed *out)
{
    ck_assert_msg(*p == '*' || *p == '%', "expected an aggregate at %s", harness_escape(p));
    long n = strtol(p + 1, NULL, 10);
    if (*p == '%')
        n *= 2;
    p = strstr(p, "\r\n") + 2;
    for (long i = 0; i < n; i++) {
        if (*p == '*') {
            out->arrays++;
            p = parse_aggregate(p, out);
        } else {
            p = parse_bulk(p, out);
        }
    }
    return p;
}

static void parsed_free(struct parsed *p)
{
    for (int i = 0; i < p->count; i++)
        free(p->items[i]);
    p->count = 0;
    p->arrays = 0;
}

/* Sends line and flattens its aggregate reply into out. */
static void cmd_parsed(struct conn *c, const char *line, struct parsed *out)
{
    char *reply = conn_cmd(c, line);
    out->count = 0;
    out->arrays = 0;
    const char *end = parse_aggregate(reply, out);
    ck_assert_msg(*end == '\0', "%s: trailing bytes in %s", line, harness_escape(reply));
    free(reply);
}

/* Fills hash key with fields f0..f{n-1} holding values v0..v{n-1}. */
static void hash_fill(struct conn *c, const char *key, int n)
{
    char line[128];
    for (int i = 0; i < n; i++) {
        snprintf(line, sizeof(line), "HSET %s f%d v%d", key, i, i);
        ck_assert_int_eq(conn_cmd_integer(c, line), 1);
    }
}

/* Index of field "f<i>" as a number, or -1 for anything else. */
static int field_index(const char *field)
{
    if (field[0] != 'f')
        return -1;
    return atoi(field + 1);
}

/* ---- Basics ---- */

START_TEST(test_set_get_and_counts)
{
    ck_cmd(client, "HSET h a 1 b 2", ":2\r\n");
    ck_cmd(client, "HSET h a 10 c 3", ":1\r\n");
    ck_cmd(client, "HGET h a", "$2\r\n10\r\n");
    ck_cmd(client, "HGET h missing", "$-1\r\n");
    ck_cmd(client, "HGET nokey a", "$-1\r\n");
    ck_cmd(client, "HMGET h a missing c", "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n3\r\n");
    ck_cmd(client, "HMGET nokey a b", "*2\r\n$-1\r\n$-1\r\n");
    ck_cmd(client, "HLEN h", ":3\r\n");
    ck_cmd(client, "HLEN nokey", ":0\r\n");
    ck_cmd(client, "HEXISTS h a", ":1\r\n");
    ck_cmd(client, "HEXISTS h zz", ":0\r\n");
    ck_cmd(client, "HEXISTS nokey a", ":0\r\n");
    ck_cmd(client, "HSTRLEN h a", ":2\r\n");
    ck_cmd(client, "HSTRLEN h zz", ":0\r\n");
    ck_cmd(client, "HSTRLEN nokey zz", ":0\r\n");
    ck_cmd(client, "HSET h n -12345", ":1\r\n");
    ck_cmd(client, "HSTRLEN h n", ":6\r\n");
    ck_cmd(client, "TYPE h", "+hash\r\n");
    ck_cmd(client, "HSETNX h a 5", ":0\r\n");
    ck_cmd(client, "HSETNX h d 4", ":1\r\n");
    ck_cmd(client, "HSETNX fresh f v", ":1\r\n");
    ck_cmd(client, "HGET fresh f", "$1\r\nv\r\n");
    ck_cmd(client, "HMSET h a 1 e 5", "+OK\r\n");
    ck_cmd(client, "HGET h a", "$1\r\n1\r\n");
    ck_args(client, ":1\r\n", "HSET", "h", "", "");
    ck_args(client, "$0\r\n\r\n", "HGET", "h", "");
    ck_args(client, ":1\r\n", "HSET", "h", "with space", "x y");
    ck_args(client, "$3\r\nx y\r\n", "HGET", "h", "with space");
}
END_TEST

START_TEST(test_hdel_deletes_empty_key)
{
    ck_cmd(client, "HSET h a 1 b 2 c 3", ":3\r\n");
    ck_cmd(client, "HDEL h a zz", ":1\r\n");
    ck_cmd(client, "HDEL h a", ":0\r\n");
    ck_cmd(client, "HDEL nokey a", ":0\r\n");
    ck_cmd(client, "HDEL h b c d", ":2\r\n");
    ck_cmd(client, "EXISTS h", ":0\r\n");
    ck_cmd(client, "HLEN h", ":0\r\n");
    /* Same over a hashtable. */
    ck_cmd(client, "CONFIG SET hash-max-listpack-entries 0", "+OK\r\n");
    ck_cmd(client, "HSET t a 1 b 2", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING t", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HDEL t a b zz", ":2\r\n");
    ck_cmd(client, "EXISTS t", ":0\r\n");
}
END_TEST

START_TEST(test_arity_and_syntax_errors)
{
    ck_cmd(client, "HSET h a", "-ERR wrong number of arguments for 'hset' command\r\n");
    ck_cmd(client, "HSET h a 1 b", "-ERR wrong number of arguments for 'hset' command\r\n");
    ck_cmd(client, "HMSET h a 1 b", "-ERR wrong number of arguments for 'hmset' command\r\n");
    ck_cmd(client, "HSETNX h a", "-ERR wrong number of arguments for 'hsetnx' command\r\n");
    ck_cmd(client, "HGET h", "-ERR wrong number of arguments for 'hget' command\r\n");
    ck_cmd(client, "HMGET h", "-ERR wrong number of arguments for 'hmget' command\r\n");
    ck_cmd(client, "HDEL h", "-ERR wrong number of arguments for 'hdel' command\r\n");
    ck_cmd(client, "HLEN h x", "-ERR wrong number of arguments for 'hlen' command\r\n");
    ck_cmd(client, "HGETALL", "-ERR wrong number of arguments for 'hgetall' command\r\n");
    ck_cmd(client, "HINCRBY h f", "-ERR wrong number of arguments for 'hincrby' command\r\n");
    ck_cmd(client, "HRANDFIELD", "-ERR wrong number of arguments for 'hrandfield' command\r\n");
    ck_cmd(client, "HSCAN h", "-ERR wrong number of arguments for 'hscan' command\r\n");
    ck_cmd(client, "EXISTS h", ":0\r\n");
}
END_TEST

START_TEST(test_wrongtype)
{
    static const char *const wrongtype =
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    ck_cmd(client, "SET s v", "+OK\r\n");
    const char *lines[] = {
        "HSET s a 1",      "HSETNX s a 1",      "HMSET s a 1",     "HGET s a",
        "HMGET s a",       "HDEL s a",          "HLEN s",          "HSTRLEN s a",
        "HEXISTS s a",     "HKEYS s",           "HVALS s",         "HGETALL s",
        "HINCRBY s a 1",   "HINCRBYFLOAT s a 1", "HRANDFIELD s",   "HRANDFIELD s 2",
        "HRANDFIELD s -2 WITHVALUES", "HSCAN s 0",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        ck_cmd(client, lines[i], wrongtype);
    ck_cmd(client, "GET s", "$1\r\nv\r\n");
    ck_cmd(client, "HSET h a 1", ":1\r\n");
    ck_cmd(client, "GET h", wrongtype);
    ck_cmd(client, "INCR h", wrongtype);
}
END_TEST

/* ---- Whole-hash reads and reply shapes ---- */

START_TEST(test_getall_keys_vals_resp2_and_resp3)
{
    ck_cmd(client, "HSET h a 1 b 2 c x", ":3\r\n");
    ck_cmd(client, "HKEYS h", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "HVALS h", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n");
    ck_cmd(client, "HGETALL h",
           "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\nx\r\n");
    ck_cmd(client, "HKEYS nokey", "*0\r\n");
    ck_cmd(client, "HVALS nokey", "*0\r\n");
    ck_cmd(client, "HGETALL nokey", "*0\r\n");
    ck_cmd_prefix(client, "HELLO 3", "%");
    ck_cmd(client, "HGETALL h",
           "%3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\nx\r\n");
    ck_cmd(client, "HGETALL nokey", "%0\r\n");
    ck_cmd(client, "HKEYS h", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "HGET h nope", "_\r\n");
    ck_cmd(client, "HMGET h a nope", "*2\r\n$1\r\n1\r\n_\r\n");
    ck_cmd(client, "HINCRBYFLOAT h a 0.5", "$3\r\n1.5\r\n");
}
END_TEST

/* ---- Encodings ---- */

START_TEST(test_encoding_by_entry_count)
{
    hash_fill(client, "h", HASH_ENTRIES_DEFAULT);
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    /* Overwriting a field does not add an entry. */
    ck_cmd(client, "HSET h f0 new", ":0\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    ck_cmd(client, "HSET h one-more x", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HLEN h", ":513\r\n");
    ck_cmd(client, "HGET h f0", "$3\r\nnew\r\n");
    ck_cmd(client, "HGET h f511", "$4\r\nv511\r\n");
    /* Never converts back. */
    ck_cmd(client, "HDEL h one-more f0 f1 f2", ":4\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HLEN h", ":509\r\n");
    /* One HSET with many pairs converts once past the limit. */
    ck_cmd(client, "CONFIG SET hash-max-listpack-entries 3", "+OK\r\n");
    ck_cmd(client, "HSET m a 1 b 2 c 3", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING m", "$8\r\nlistpack\r\n");
    ck_cmd(client, "HSET m1 a 1 b 2 c 3 d 4", ":4\r\n");
    ck_cmd(client, "OBJECT ENCODING m1", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HSETNX m d 4", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING m", "$9\r\nhashtable\r\n");
}
END_TEST

START_TEST(test_encoding_by_length)
{
    char value[HASH_VALUE_DEFAULT + 2];
    memset(value, 'v', sizeof(value) - 1);
    value[HASH_VALUE_DEFAULT] = '\0';
    ck_args(client, ":1\r\n", "HSET", "h", "f", value);
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    ck_args(client, ":1\r\n", "HSET", "h", value, "x");
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    value[HASH_VALUE_DEFAULT] = 'v';
    value[HASH_VALUE_DEFAULT + 1] = '\0';
    ck_args(client, ":1\r\n", "HSET", "v", "f", value);
    ck_cmd(client, "OBJECT ENCODING v", "$9\r\nhashtable\r\n");
    ck_args(client, ":1\r\n", "HSET", "k", value, "x");
    ck_cmd(client, "OBJECT ENCODING k", "$9\r\nhashtable\r\n");
    ck_args(client, "+OK\r\n", "HMSET", "m", "a", "1", "b", value);
    ck_cmd(client, "OBJECT ENCODING m", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HGET m a", "$1\r\n1\r\n");
    ck_args(client, ":1\r\n", "HSETNX", "n", "f", value);
    ck_cmd(client, "OBJECT ENCODING n", "$9\r\nhashtable\r\n");
    /* Overwriting an existing field with a long value converts too. */
    ck_cmd(client, "HSET o f short", ":1\r\n");
    ck_args(client, ":0\r\n", "HSET", "o", "f", value);
    ck_cmd(client, "OBJECT ENCODING o", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HSTRLEN o f", ":65\r\n");
}
END_TEST

START_TEST(test_encoding_by_incr)
{
    ck_cmd(client, "CONFIG SET hash-max-listpack-value 4", "+OK\r\n");
    ck_cmd(client, "HSET h a 1", ":1\r\n");
    ck_cmd(client, "HINCRBY h a 9998", ":9999\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    ck_cmd(client, "HINCRBY h longfield 5", ":5\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    /* A result longer than the limit converts as well. */
    ck_cmd(client, "HSET g a 1", ":1\r\n");
    ck_cmd(client, "HINCRBY g a 9999", ":10000\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HSET f a 1", ":1\r\n");
    ck_cmd(client, "HINCRBYFLOAT f a 1.25", "$4\r\n2.25\r\n");
    ck_cmd(client, "OBJECT ENCODING f", "$8\r\nlistpack\r\n");
    ck_cmd(client, "HINCRBYFLOAT f a 100000", "$9\r\n100002.25\r\n");
    ck_cmd(client, "OBJECT ENCODING f", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HGET f a", "$9\r\n100002.25\r\n");
}
END_TEST

/* ---- Counters ---- */

START_TEST(test_hincrby)
{
    ck_cmd(client, "HINCRBY h f 5", ":5\r\n");
    ck_cmd(client, "HINCRBY h f -7", ":-2\r\n");
    ck_cmd(client, "HGET h f", "$2\r\n-2\r\n");
    ck_cmd(client, "HINCRBY h f x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "HINCRBY h f 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "HSET h s abc t 1.5 sp 01", ":3\r\n");
    ck_cmd(client, "HINCRBY h s 1", "-ERR hash value is not an integer\r\n");
    ck_cmd(client, "HINCRBY h t 1", "-ERR hash value is not an integer\r\n");
    ck_cmd(client, "HINCRBY h sp 1", "-ERR hash value is not an integer\r\n");
    ck_cmd(client, "HSET h max 9223372036854775807 min -9223372036854775808", ":2\r\n");
    ck_cmd(client, "HINCRBY h max 1", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "HINCRBY h min -1", "-ERR increment or decrement would overflow\r\n");
    ck_cmd(client, "HINCRBY h max -1", ":9223372036854775806\r\n");
    ck_cmd(client, "HINCRBY h min 0", ":-9223372036854775808\r\n");
    ck_cmd(client, "HINCRBY new f 9223372036854775807", ":9223372036854775807\r\n");
    ck_cmd(client, "HINCRBY h f 9223372036854775807", ":9223372036854775805\r\n");
    ck_cmd(client, "HINCRBY nokey2 f x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "EXISTS nokey2", ":0\r\n");
    /* Same over a hashtable, whose values are stored as text. */
    ck_cmd(client, "CONFIG SET hash-max-listpack-entries 0", "+OK\r\n");
    ck_cmd(client, "HINCRBY t f 7", ":7\r\n");
    ck_cmd(client, "OBJECT ENCODING t", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HINCRBY t f 3", ":10\r\n");
    ck_cmd(client, "HSET t s abc", ":1\r\n");
    ck_cmd(client, "HINCRBY t s 3", "-ERR hash value is not an integer\r\n");
}
END_TEST

START_TEST(test_hincrbyfloat)
{
    ck_cmd(client, "HINCRBYFLOAT h f 10.5", "$4\r\n10.5\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f 0.1", "$4\r\n10.6\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f -5.6", "$1\r\n5\r\n");
    ck_cmd(client, "HINCRBY h f 1", ":6\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f 5.0e3", "$4\r\n5006\r\n");
    ck_cmd(client, "HSET h s abc", ":1\r\n");
    ck_cmd(client, "HINCRBYFLOAT h s 1", "-ERR hash value is not a float\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f x", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f nan", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f inf", "-ERR value is NaN or Infinity\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f -inf", "-ERR value is NaN or Infinity\r\n");
    ck_cmd(client, "HSET h big 1e4932", ":1\r\n");
    ck_cmd(client, "HINCRBYFLOAT h big 1e4932", "-ERR increment would produce NaN or Infinity\r\n");
    ck_cmd(client, "HSET h i 3", ":1\r\n");
    ck_cmd(client, "HINCRBYFLOAT h i 1.5", "$3\r\n4.5\r\n");
    ck_cmd(client, "HINCRBYFLOAT nokey2 f inf", "-ERR value is NaN or Infinity\r\n");
    ck_cmd(client, "EXISTS nokey2", ":0\r\n");
}
END_TEST

/* ---- HRANDFIELD ---- */

START_TEST(test_hrandfield_shapes_and_errors)
{
    ck_cmd(client, "HRANDFIELD nokey", "$-1\r\n");
    ck_cmd(client, "HRANDFIELD nokey 3", "*0\r\n");
    ck_cmd(client, "HRANDFIELD nokey -3 WITHVALUES", "*0\r\n");
    ck_cmd(client, "HSET one a 1", ":1\r\n");
    ck_cmd(client, "HRANDFIELD one", "$1\r\na\r\n");
    ck_cmd(client, "HRANDFIELD one 0", "*0\r\n");
    ck_cmd(client, "HRANDFIELD one 5", "*1\r\n$1\r\na\r\n");
    ck_cmd(client, "HRANDFIELD one -2", "*2\r\n$1\r\na\r\n$1\r\na\r\n");
    ck_cmd(client, "HRANDFIELD one 1 WITHVALUES", "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "HRANDFIELD one -2 withvalues",
           "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "HRANDFIELD one x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "HRANDFIELD one 1 WITHVALUE", "-ERR syntax error\r\n");
    ck_cmd(client, "HRANDFIELD one 1 WITHVALUES x", "-ERR syntax error\r\n");
    ck_cmd(client, "HRANDFIELD one -9223372036854775808",
           "-ERR value is out of range, value must between -9223372036854775807 and "
           "9223372036854775807\r\n");
    ck_cmd(client, "HRANDFIELD one 4611686018427387904 WITHVALUES",
           "-ERR value is out of range\r\n");
    ck_cmd(client, "HRANDFIELD one -4611686018427387904 WITHVALUES",
           "-ERR value is out of range\r\n");
    ck_cmd(client, "HRANDFIELD nokey x", "-ERR value is not an integer or out of range\r\n");
    /* RESP3: WITHVALUES pairs are two-element arrays, not a map. */
    ck_cmd_prefix(client, "HELLO 3", "%");
    ck_cmd(client, "HRANDFIELD one 1 WITHVALUES", "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "HRANDFIELD one -2 WITHVALUES",
           "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "HRANDFIELD one 1", "*1\r\n$1\r\na\r\n");
    ck_cmd(client, "HRANDFIELD nokey", "_\r\n");
}
END_TEST

/* Checks HRANDFIELD's counts and uniqueness over a hash of n fields. */
static void check_hrandfield(int n)
{
    struct parsed p;
    bool *seen = calloc((size_t)n, sizeof(bool));
    char line[128];
    int counts[] = {1, 3, n / 4 + 1, n / 2, n - 1, n, n + 5};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        int count = counts[k];
        if (count < 1)
            continue;
        snprintf(line, sizeof(line), "HRANDFIELD h %d WITHVALUES", count);
        cmd_parsed(client, line, &p);
        int expect = count < n ? count : n;
        ck_assert_int_eq(p.count, expect * 2);
        memset(seen, 0, (size_t)n);
        for (int i = 0; i < p.count; i += 2) {
            int idx = field_index(p.items[i]);
            ck_assert_msg(idx >= 0 && idx < n, "unknown field %s", p.items[i]);
            ck_assert_msg(!seen[idx], "field %s repeated", p.items[i]);
            seen[idx] = true;
            ck_assert_int_eq(atoi(p.items[i + 1] + 1), idx);
        }
        parsed_free(&p);
        snprintf(line, sizeof(line), "HRANDFIELD h -%d", count);
        cmd_parsed(client, line, &p);
        ck_assert_int_eq(p.count, count);
        for (int i = 0; i < p.count; i++) {
            int idx = field_index(p.items[i]);
            ck_assert_msg(idx >= 0 && idx < n, "unknown field %s", p.items[i]);
        }
        parsed_free(&p);
    }
    /* Every field comes up eventually from the single-field form. */
    memset(seen, 0, (size_t)n);
    int distinct = 0;
    for (int i = 0; i < 200 * n && distinct < n; i++) {
        cmd_parsed(client, "HRANDFIELD h -1", &p);
        int idx = field_index(p.items[0]);
        if (!seen[idx]) {
            seen[idx] = true;
            distinct++;
        }
        parsed_free(&p);
    }
    ck_assert_int_eq(distinct, n);
    free(seen);
}

START_TEST(test_hrandfield_listpack)
{
    hash_fill(client, "h", 20);
    ck_cmd(client, "OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    check_hrandfield(20);
}
END_TEST

START_TEST(test_hrandfield_hashtable)
{
    ck_cmd(client, "CONFIG SET hash-max-listpack-entries 128", "+OK\r\n");
    hash_fill(client, "h", 300);
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    check_hrandfield(300);
    ck_cmd_prefix(client, "HELLO 3", "%");
    struct parsed p;
    cmd_parsed(client, "HRANDFIELD h 7 WITHVALUES", &p);
    ck_assert_int_eq(p.count, 14);
    ck_assert_int_eq(p.arrays, 7);
    parsed_free(&p);
}
END_TEST

/* ---- HSCAN ---- */

/* HSCAN's reply over the three pairs of test_hscan_listpack: every pair,
 * cursor 0. */
#define HSCAN_ALL                                                               \
    "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n" \
    "$2\r\nc3\r\n$1\r\n3\r\n"

START_TEST(test_hscan_listpack)
{
    ck_cmd(client, "HSET h a 1 b 2 c3 3", ":3\r\n");
    ck_cmd(client, "HSCAN h 0",
           HSCAN_ALL);
    ck_cmd(client, "HSCAN h 0 COUNT 1",
           HSCAN_ALL);
    ck_cmd(client, "HSCAN h 0 MATCH c*", "*2\r\n$1\r\n0\r\n*2\r\n$2\r\nc3\r\n$1\r\n3\r\n");
    ck_cmd(client, "HSCAN h 0 MATCH x* COUNT 5", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "HSCAN h 0 MATCH *",
           HSCAN_ALL);
    ck_cmd(client, "HSCAN nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "HSCAN nokey 0 COUNT x", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "HSCAN h x", "-ERR invalid cursor\r\n");
    ck_cmd(client, "HSCAN h 0 COUNT 0", "-ERR syntax error\r\n");
    ck_cmd(client, "HSCAN h 0 COUNT x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "HSCAN h 0 TYPE string", "-ERR syntax error\r\n");
    ck_cmd(client, "HSCAN h 0 MATCH", "-ERR syntax error\r\n");
    ck_cmd(client, "HSCAN h 0 FOO bar", "-ERR syntax error\r\n");
    ck_cmd_prefix(client, "HELLO 3", "%");
    ck_cmd(client, "HSCAN h 0 MATCH c*", "*2\r\n$1\r\n0\r\n*2\r\n$2\r\nc3\r\n$1\r\n3\r\n");
}
END_TEST

/* Iterates a whole hashtable hash with HSCAN and checks every field comes
 * back with its value (fields may repeat, none may be missing). */
static void check_hscan_full(int n, const char *options, int expect_matches)
{
    bool *seen = calloc((size_t)n, sizeof(bool));
    char line[160];
    char cursor[32] = "0";
    int distinct = 0, calls = 0;
    struct parsed p;
    do {
        snprintf(line, sizeof(line), "HSCAN h %s%s", cursor, options);
        cmd_parsed(client, line, &p);
        ck_assert_int_eq(p.arrays, 1);
        snprintf(cursor, sizeof(cursor), "%s", p.items[0]);
        ck_assert_int_eq((p.count - 1) % 2, 0);
        for (int i = 1; i < p.count; i += 2) {
            int idx = field_index(p.items[i]);
            ck_assert_msg(idx >= 0 && idx < n, "unknown field %s", p.items[i]);
            ck_assert_int_eq(atoi(p.items[i + 1] + 1), idx);
            if (!seen[idx]) {
                seen[idx] = true;
                distinct++;
            }
        }
        parsed_free(&p);
        calls++;
    } while (strcmp(cursor, "0") != 0);
    ck_assert_int_eq(distinct, expect_matches);
    ck_assert_int_gt(calls, 1);
    free(seen);
}

START_TEST(test_hscan_hashtable)
{
    int n = 1000;
    hash_fill(client, "h", n);
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    check_hscan_full(n, "", n);
    check_hscan_full(n, " COUNT 100", n);
    /* f1, f10..f19, f100..f199: 111 fields. */
    check_hscan_full(n, " MATCH f1*", 111);
    /* COUNT bounds the work: a small count returns a small batch. */
    struct parsed p;
    cmd_parsed(client, "HSCAN h 0 COUNT 2", &p);
    ck_assert_int_lt(p.count, 60);
    ck_assert_str_ne(p.items[0], "0");
    parsed_free(&p);
}
END_TEST

/* ---- Large and binary ---- */

START_TEST(test_large_hashtable_and_binary)
{
    int n = 2000;
    hash_fill(client, "h", n);
    ck_cmd(client, "HLEN h", ":2000\r\n");
    ck_cmd(client, "HGET h f1999", "$5\r\nv1999\r\n");
    ck_cmd(client, "HSTRLEN h f1999", ":5\r\n");
    ck_cmd(client, "HEXISTS h f2000", ":0\r\n");
    struct parsed p;
    cmd_parsed(client, "HGETALL h", &p);
    ck_assert_int_eq(p.count, 2 * n);
    parsed_free(&p);
    cmd_parsed(client, "HKEYS h", &p);
    ck_assert_int_eq(p.count, n);
    parsed_free(&p);
    /* Updates of every size over the hashtable keep the other fields. */
    ck_cmd(client, "HSET h f5 a-much-longer-value-than-before", ":0\r\n");
    ck_cmd(client, "HSET h f5 s", ":0\r\n");
    ck_cmd(client, "HGET h f5", "$1\r\ns\r\n");
    ck_cmd(client, "HGET h f6", "$2\r\nv6\r\n");
    /* Binary fields and values with NUL bytes, in both encodings. */
    const char *argv[] = {"HSET", "h", "a\0b", "x\0y\0z"};
    const size_t lens[] = {4, 1, 3, 5};
    char *reply = conn_cmd_argv(client, 4, argv, lens);
    ck_assert_str_eq(reply, ":1\r\n");
    free(reply);
    const char *argv2[] = {"HSET", "small", "a\0b", "x\0y\0z"};
    const size_t lens2[] = {4, 5, 3, 5};
    reply = conn_cmd_argv(client, 4, argv2, lens2);
    ck_assert_str_eq(reply, ":1\r\n");
    free(reply);
    const char *keys[] = {"h", "small"};
    for (int k = 0; k < 2; k++) {
        const char *get[] = {"HGET", keys[k], "a\0b"};
        const size_t get_lens[] = {4, strlen(keys[k]), 3};
        reply = conn_cmd_argv(client, 3, get, get_lens);
        ck_assert(memcmp(reply, "$5\r\nx\0y\0z\r\n", 11) == 0);
        free(reply);
        const char *other[] = {"HGET", keys[k], "a"};
        reply = conn_cmd_argv(client, 3, other, NULL);
        ck_assert_str_eq(reply, "$-1\r\n");
        free(reply);
    }
    /* DEL frees a hashtable hash; the key can be reused as another type. */
    ck_cmd(client, "DEL h", ":1\r\n");
    ck_cmd(client, "SET h v", "+OK\r\n");
}
END_TEST

START_TEST(test_copy_and_rename_keep_hash)
{
    ck_cmd(client, "CONFIG SET hash-max-listpack-entries 128", "+OK\r\n");
    hash_fill(client, "h", 200);
    ck_cmd(client, "HSET s a 1", ":1\r\n");
    ck_cmd(client, "COPY h h2", ":1\r\n");
    ck_cmd(client, "COPY s s2", ":1\r\n");
    ck_cmd(client, "HDEL h f0", ":1\r\n");
    ck_cmd(client, "HGET h2 f0", "$2\r\nv0\r\n");
    ck_cmd(client, "HLEN h2", ":200\r\n");
    ck_cmd(client, "OBJECT ENCODING h2", "$9\r\nhashtable\r\n");
    ck_cmd(client, "HSET s2 b 2", ":1\r\n");
    ck_cmd(client, "HLEN s", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING s2", "$8\r\nlistpack\r\n");
    ck_cmd(client, "RENAME h2 h3", "+OK\r\n");
    ck_cmd(client, "HGET h3 f199", "$4\r\nv199\r\n");
}
END_TEST

static TCase *tcase_with_fixture(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_with_fixture("basics");
    tcase_add_test(tc, test_set_get_and_counts);
    tcase_add_test(tc, test_hdel_deletes_empty_key);
    tcase_add_test(tc, test_arity_and_syntax_errors);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_getall_keys_vals_resp2_and_resp3);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("encodings");
    tcase_add_test(tc, test_encoding_by_entry_count);
    tcase_add_test(tc, test_encoding_by_length);
    tcase_add_test(tc, test_encoding_by_incr);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("counters");
    tcase_add_test(tc, test_hincrby);
    tcase_add_test(tc, test_hincrbyfloat);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("random_and_scan");
    tcase_add_test(tc, test_hrandfield_shapes_and_errors);
    tcase_add_test(tc, test_hrandfield_listpack);
    tcase_add_test(tc, test_hrandfield_hashtable);
    tcase_add_test(tc, test_hscan_listpack);
    tcase_add_test(tc, test_hscan_hashtable);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("large");
    tcase_add_test(tc, test_large_hashtable_and_binary);
    tcase_add_test(tc, test_copy_and_rename_keep_hash);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
