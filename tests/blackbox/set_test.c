/* set_test.c: black-box tests of the set commands: SADD, SREM, SCARD,
 * SISMEMBER, SMISMEMBER, SMEMBERS, SPOP, SRANDMEMBER, SMOVE, SINTER,
 * SINTERCARD, SUNION, SDIFF, the *STORE forms and SSCAN, with the intset ->
 * hashtable encoding transitions, WRONGTYPE, argument errors and RESP3
 * reply shapes.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server. Hashtable sets come back in an order
 * that depends on the hash function, so such replies are compared as sorted
 * member lists; intset sets come back in ascending order and are compared
 * byte for byte. Random commands are checked for properties only. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members a parsed reply may hold in these tests. */
#define MEMBERS_MAX 2048
#define TEST_TIMEOUT_S 60

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

/* A flat aggregate of bulk strings, parsed. */
struct members {
    char type; /* '*' or '~' */
    int count;
    char *items[MEMBERS_MAX]; /* owned */
};

static void members_parse(const char *raw, struct members *m)
{
    m->type = raw[0];
    ck_assert_msg(raw[0] == '*' || raw[0] == '~', "not an aggregate: %s", harness_escape(raw));
    m->count = (int)strtol(raw + 1, NULL, 10);
    ck_assert_int_le(m->count, MEMBERS_MAX);
    const char *p = strstr(raw, "\r\n") + 2;
    for (int i = 0; i < m->count; i++) {
        ck_assert_msg(*p == '$', "not a bulk: %s", harness_escape(p));
        int len = (int)strtol(p + 1, NULL, 10);
        p = strstr(p, "\r\n") + 2;
        m->items[i] = strndup(p, (size_t)len);
        p += len + 2;
    }
    ck_assert_msg(*p == '\0', "trailing bytes: %s", harness_escape(p));
}

static void members_free(struct members *m)
{
    for (int i = 0; i < m->count; i++)
        free(m->items[i]);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sends line and asserts the reply is an aggregate of type `type` whose
 * members, sorted bytewise, joined by spaces, equal expected. */
static void ck_members_at(int line_no, struct conn *c, const char *line, char type,
                          const char *expected)
{
    char *raw = conn_cmd(c, line);
    struct members m;
    members_parse(raw, &m);
    ck_assert_msg(m.type == type, "line %d: %s: type %c, expected %c", line_no, line, m.type,
                  type);
    qsort(m.items, (size_t)m.count, sizeof(m.items[0]), compare_strings);
    char joined[8192] = "";
    for (int i = 0; i < m.count; i++) {
        if (i)
            strcat(joined, " ");
        strcat(joined, m.items[i]);
    }
    ck_assert_msg(strcmp(joined, expected) == 0, "line %d: %s: expected [%s] got [%s]", line_no,
                  line, expected, joined);
    members_free(&m);
    free(raw);
}

#define ck_members(c, line, type, expected) ck_members_at(__LINE__, (c), (line), (type), (expected))

/* SADDs count members "<prefix><i>" (or integers from start when prefix
 * is NULL) in batches. */
static void fill(struct conn *c, const char *key, const char *prefix, int start, int count)
{
    char line[8192];
    int i = 0;
    while (i < count) {
        int len = snprintf(line, sizeof(line), "SADD %s", key);
        for (int j = 0; j < 100 && i < count; j++, i++)
            len += snprintf(line + len, sizeof(line) - (size_t)len, " %s%d", prefix ? prefix : "",
                            start + i);
        free(conn_cmd(c, line));
    }
}

/* Sends the listed arguments as one command (each whole, even if empty or
 * holding spaces) and asserts the reply is exactly expected. */
static void ck_args_at(int line, struct conn *c, const char *expected, const char *const *argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    char *reply = conn_cmd_argv(c, argc, argv, NULL);
    ck_assert_msg(strcmp(reply, expected) == 0, "line %d: %s: expected %s got %s", line,
                  argv[0], harness_escape(expected), harness_escape(reply));
    free(reply);
}

#define ck_args(c, expected, ...)                                                     \
    ck_args_at(__LINE__, (c), (expected), (const char *const[]){__VA_ARGS__, NULL})

static const char *const wrongtype =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

/* ---- Membership ---- */

START_TEST(test_sadd_srem_scard_sismember)
{
    ck_cmd(client, "SADD s a b c", ":3\r\n");
    ck_cmd(client, "SADD s c d", ":1\r\n");
    ck_cmd(client, "SADD s a a a", ":0\r\n");
    ck_cmd(client, "SCARD s", ":4\r\n");
    ck_cmd(client, "SCARD missing", ":0\r\n");
    ck_cmd(client, "SISMEMBER s a", ":1\r\n");
    ck_cmd(client, "SISMEMBER s z", ":0\r\n");
    ck_cmd(client, "SISMEMBER missing a", ":0\r\n");
    ck_cmd(client, "SMISMEMBER s a z d", "*3\r\n:1\r\n:0\r\n:1\r\n");
    ck_cmd(client, "SMISMEMBER missing a b", "*2\r\n:0\r\n:0\r\n");
    ck_cmd(client, "SREM s a z", ":1\r\n");
    ck_cmd(client, "SREM missing a", ":0\r\n");
    ck_members(client, "SMEMBERS s", '*', "b c d");
    ck_cmd(client, "TYPE s", "+set\r\n");
    /* Removing the last member deletes the key. */
    ck_cmd(client, "SREM s b c d e", ":3\r\n");
    ck_cmd(client, "EXISTS s", ":0\r\n");
    ck_cmd(client, "SMEMBERS s", "*0\r\n");
}
END_TEST

START_TEST(test_wrongtype_and_arity)
{
    ck_cmd(client, "SET str v", "+OK\r\n");
    const char *lines[] = {
        "SADD str a",          "SREM str a",          "SCARD str",
        "SISMEMBER str a",     "SMISMEMBER str a",    "SMEMBERS str",
        "SPOP str",            "SPOP str 2",          "SRANDMEMBER str",
        "SRANDMEMBER str 2",   "SINTER str",          "SUNION str",
        "SDIFF str",           "SINTERSTORE d str",   "SUNIONSTORE d str",
        "SDIFFSTORE d str",    "SINTERCARD 1 str",    "SSCAN str 0",
        "SMOVE str d a",       "SINTER missing str",  "SINTERCARD 2 missing str",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        ck_cmd(client, lines[i], wrongtype);
    ck_cmd(client, "SADD s a", ":1\r\n");
    ck_cmd(client, "SMOVE s str a", wrongtype);
    ck_cmd(client, "SMOVE missing str a", ":0\r\n");
    ck_cmd(client, "SADD s", "-ERR wrong number of arguments for 'sadd' command\r\n");
    ck_cmd(client, "SINTERCARD 1", "-ERR wrong number of arguments for 'sintercard' command\r\n");
    ck_cmd(client, "SMOVE a b", "-ERR wrong number of arguments for 'smove' command\r\n");
}
END_TEST

/* ---- Encodings ---- */

START_TEST(test_intset_to_hashtable_at_512)
{
    fill(client, "s", NULL, 0, 512);
    ck_cmd(client, "OBJECT ENCODING s", "$6\r\nintset\r\n");
    ck_cmd(client, "SADD s 0", ":0\r\n");
    ck_cmd(client, "OBJECT ENCODING s", "$6\r\nintset\r\n");
    ck_cmd(client, "SADD s 512", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING s", "$9\r\nhashtable\r\n");
    ck_cmd(client, "SCARD s", ":513\r\n");
    /* Shrinking never converts back. */
    fill(client, "t", NULL, 0, 10);
    for (int i = 0; i < 510; i++) {
        char line[64];
        snprintf(line, sizeof(line), "SREM s %d", i);
        ck_cmd(client, line, ":1\r\n");
    }
    ck_cmd(client, "OBJECT ENCODING s", "$9\r\nhashtable\r\n");
}
END_TEST

START_TEST(test_non_integer_members_convert)
{
    ck_cmd(client, "SADD a 1 2 3", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING a", "$6\r\nintset\r\n");
    ck_cmd(client, "SADD a x", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING a", "$9\r\nhashtable\r\n");
    const char *not_canonical[] = {"01", "+1", "-0", "1.0", "9223372036854775808", " 1"};
    for (size_t i = 0; i < sizeof(not_canonical) / sizeof(not_canonical[0]); i++) {
        ck_args(client, ":1\r\n", "SADD", "b", not_canonical[i]);
        ck_cmd(client, "OBJECT ENCODING b", "$9\r\nhashtable\r\n");
        ck_cmd(client, "DEL b", ":1\r\n");
    }
    ck_cmd(client, "SADD c 9223372036854775807 -9223372036854775808", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING c", "$6\r\nintset\r\n");
    ck_cmd(client, "SMEMBERS c",
           "*2\r\n$20\r\n-9223372036854775808\r\n$19\r\n9223372036854775807\r\n");
    /* A set created by a non-integer first member is a hashtable at once. */
    ck_cmd(client, "SADD d x 1", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$9\r\nhashtable\r\n");
}
END_TEST

START_TEST(test_configured_intset_limit)
{
    ck_cmd(client, "CONFIG SET set-max-intset-entries 4", "+OK\r\n");
    ck_cmd(client, "SADD a 1 2 3 4", ":4\r\n");
    ck_cmd(client, "OBJECT ENCODING a", "$6\r\nintset\r\n");
    ck_cmd(client, "SADD a 5", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING a", "$9\r\nhashtable\r\n");
    ck_cmd(client, "CONFIG SET set-max-intset-entries 0", "+OK\r\n");
    ck_cmd(client, "SADD z 1", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING z", "$9\r\nhashtable\r\n");
}
END_TEST

/* ---- Algebra ---- */

START_TEST(test_intset_results_are_sorted)
{
    ck_cmd(client, "SADD a 5 3 1 -7 100000", ":5\r\n");
    ck_cmd(client, "SADD b 3 100000 8", ":3\r\n");
    ck_cmd(client, "SMEMBERS a", "*5\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$6\r\n100000\r\n");
    ck_cmd(client, "SUNION a b missing",
           "*6\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n8\r\n$6\r\n100000\r\n");
    ck_cmd(client, "SDIFF a b missing", "*3\r\n$2\r\n-7\r\n$1\r\n1\r\n$1\r\n5\r\n");
    ck_cmd(client, "SINTER a b", "*2\r\n$1\r\n3\r\n$6\r\n100000\r\n");
    ck_cmd(client, "SINTER a b missing", "*0\r\n");
    ck_cmd(client, "SDIFF missing a", "*0\r\n");
    ck_cmd(client, "SDIFF a a", "*0\r\n");
    ck_cmd(client, "SUNION missing", "*0\r\n");
}
END_TEST

START_TEST(test_hashtable_algebra)
{
    ck_cmd(client, "SADD a x y z 1 2", ":5\r\n");
    ck_cmd(client, "SADD b y z w 2", ":4\r\n");
    ck_cmd(client, "SADD c z 2 q", ":3\r\n");
    ck_members(client, "SINTER a b c", '*', "2 z");
    ck_members(client, "SINTER a b", '*', "2 y z");
    ck_members(client, "SUNION a b c", '*', "1 2 q w x y z");
    ck_members(client, "SDIFF a b", '*', "1 x");
    ck_members(client, "SDIFF a b c", '*', "1 x");
    ck_members(client, "SDIFF a missing c", '*', "1 x y");
    ck_cmd(client, "SINTERCARD 3 a b c", ":2\r\n");
    ck_cmd(client, "SINTERCARD 2 a b", ":3\r\n");
    ck_cmd(client, "SINTERCARD 2 a b LIMIT 2", ":2\r\n");
    ck_cmd(client, "SINTERCARD 2 a b limit 0", ":3\r\n");
    ck_cmd(client, "SINTERCARD 2 a missing", ":0\r\n");
}
END_TEST

START_TEST(test_store_commands)
{
    ck_cmd(client, "SADD a 1 2 3 x", ":4\r\n");
    ck_cmd(client, "SADD b 2 3 4 x", ":4\r\n");
    /* The stored encoding follows the members: integers only -> intset. */
    ck_cmd(client, "SINTERSTORE d a b", ":3\r\n");
    ck_members(client, "SMEMBERS d", '*', "2 3 x");
    ck_cmd(client, "OBJECT ENCODING d", "$9\r\nhashtable\r\n");
    ck_cmd(client, "SDIFFSTORE d a x", ":4\r\n");
    ck_cmd(client, "SREM a x", ":1\r\n");
    ck_cmd(client, "SREM b x", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING a", "$9\r\nhashtable\r\n");
    ck_cmd(client, "SINTERSTORE d a b", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$6\r\nintset\r\n");
    ck_cmd(client, "SMEMBERS d", "*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_cmd(client, "SUNIONSTORE d a b", ":4\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$6\r\nintset\r\n");
    ck_cmd(client, "SDIFFSTORE d a b", ":1\r\n");
    ck_cmd(client, "SMEMBERS d", "*1\r\n$1\r\n1\r\n");
    /* An empty result deletes the destination. */
    ck_cmd(client, "SINTERSTORE d a missing", ":0\r\n");
    ck_cmd(client, "EXISTS d", ":0\r\n");
    ck_cmd(client, "SADD d 9", ":1\r\n");
    ck_cmd(client, "SDIFFSTORE d a a", ":0\r\n");
    ck_cmd(client, "EXISTS d", ":0\r\n");
    ck_cmd(client, "SUNIONSTORE d missing", ":0\r\n");
    ck_cmd(client, "EXISTS d", ":0\r\n");
    /* The destination may be a source, and any type is overwritten. */
    ck_cmd(client, "SUNIONSTORE a a b", ":4\r\n");
    ck_cmd(client, "SMEMBERS a", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    ck_cmd(client, "SET str v", "+OK\r\n");
    ck_cmd(client, "EXPIRE str 100", ":1\r\n");
    ck_cmd(client, "SINTERSTORE str a b", ":3\r\n");
    ck_cmd(client, "TYPE str", "+set\r\n");
    ck_cmd(client, "TTL str", ":-1\r\n");
    ck_cmd(client, "SET str2 v", "+OK\r\n");
    ck_cmd(client, "SDIFFSTORE str2 a missing", ":4\r\n");
    ck_cmd(client, "TYPE str2", "+set\r\n");
}
END_TEST

START_TEST(test_store_encoding_over_limit)
{
    ck_cmd(client, "CONFIG SET set-max-intset-entries 4", "+OK\r\n");
    ck_cmd(client, "SADD a 1 2 3", ":3\r\n");
    ck_cmd(client, "SADD b 4 5 6", ":3\r\n");
    ck_cmd(client, "SUNIONSTORE u a b", ":6\r\n");
    ck_cmd(client, "OBJECT ENCODING u", "$9\r\nhashtable\r\n");
    /* SDIFF by removal copies the first set, converting on the way; the
     * copy stays a hashtable after the removals, as in Redis. */
    ck_cmd(client, "SADD big 1 2 3 4 5 6 7 8 9 10", ":10\r\n");
    ck_cmd(client, "SADD sub 1 2 3 4 5 6 7 8 9 10 11 12", ":12\r\n");
    ck_cmd(client, "SADD x1 1 2 3", ":3\r\n");
    ck_cmd(client, "SADD x2 4 5 6", ":3\r\n");
    ck_cmd(client, "SADD x3 7 8", ":2\r\n");
    ck_cmd(client, "SDIFFSTORE d big x1 x2 x3", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$9\r\nhashtable\r\n");
    /* With fewer sources Redis tests each member instead: an intset. */
    ck_cmd(client, "SUNIONSTORE x12 x1 x2", ":6\r\n");
    ck_cmd(client, "SADD x12 7 8", ":2\r\n");
    ck_cmd(client, "SDIFFSTORE d big x12", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$6\r\nintset\r\n");
    ck_cmd(client, "SDIFFSTORE d sub big", ":2\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$6\r\nintset\r\n");
    ck_cmd(client, "SINTERSTORE d big sub", ":10\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$9\r\nhashtable\r\n");
}
END_TEST

START_TEST(test_sintercard_errors)
{
    ck_cmd(client, "SADD s 1 2", ":2\r\n");
    ck_cmd(client, "SINTERCARD 0 s", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "SINTERCARD -1 s", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "SINTERCARD x s", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "SINTERCARD 3 s", "-ERR Number of keys can't be greater than number of args\r\n");
    ck_cmd(client, "SINTERCARD 1 s LIMIT -1", "-ERR LIMIT can't be negative\r\n");
    ck_cmd(client, "SINTERCARD 1 s LIMIT x", "-ERR LIMIT can't be negative\r\n");
    ck_cmd(client, "SINTERCARD 1 s LIMIT", "-ERR syntax error\r\n");
    ck_cmd(client, "SINTERCARD 1 s foo 1", "-ERR syntax error\r\n");
    ck_cmd(client, "SINTERCARD 1 s LIMIT 1 LIMIT 5", ":2\r\n");
    ck_cmd(client, "SINTERCARD 2 s s", ":2\r\n");
    ck_cmd(client, "SINTERCARD 1 s LIMIT 1", ":1\r\n");
}
END_TEST

/* ---- SMOVE ---- */

START_TEST(test_smove)
{
    ck_cmd(client, "SADD src 1 2 x", ":3\r\n");
    ck_cmd(client, "SMOVE src dst 1", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING dst", "$6\r\nintset\r\n");
    ck_cmd(client, "SMOVE src dst 1", ":0\r\n");
    ck_cmd(client, "SMOVE src dst2 x", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING dst2", "$9\r\nhashtable\r\n");
    ck_cmd(client, "SMOVE missing dst 1", ":0\r\n");
    ck_cmd(client, "SMOVE src src 2", ":1\r\n");
    ck_cmd(client, "SMOVE src src 9", ":0\r\n");
    ck_cmd(client, "SADD dst 2", ":1\r\n");
    /* Moving a member the destination holds still removes it at the source. */
    ck_cmd(client, "SMOVE src dst 2", ":1\r\n");
    ck_cmd(client, "EXISTS src", ":0\r\n");
    ck_cmd(client, "SMEMBERS dst", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
}
END_TEST

/* ---- SPOP and SRANDMEMBER ---- */

START_TEST(test_spop_properties)
{
    ck_cmd(client, "SPOP missing", "$-1\r\n");
    ck_cmd(client, "SPOP missing 3", "*0\r\n");
    fill(client, "s", "m", 0, 100);
    ck_cmd(client, "SPOP s 0", "*0\r\n");
    char *raw = conn_cmd(client, "SPOP s 10");
    struct members m;
    members_parse(raw, &m);
    ck_assert_int_eq(m.count, 10);
    qsort(m.items, 10, sizeof(m.items[0]), compare_strings);
    for (int i = 0; i < 10; i++) {
        ck_assert_msg(m.items[i][0] == 'm', "%s", m.items[i]);
        if (i)
            ck_assert_str_ne(m.items[i], m.items[i - 1]);
        char line[64];
        snprintf(line, sizeof(line), "SISMEMBER s %s", m.items[i]);
        ck_cmd(client, line, ":0\r\n");
    }
    members_free(&m);
    free(raw);
    ck_cmd(client, "SCARD s", ":90\r\n");
    /* Popping nearly everything keeps the rest intact. */
    raw = conn_cmd(client, "SPOP s 88");
    members_parse(raw, &m);
    ck_assert_int_eq(m.count, 88);
    members_free(&m);
    free(raw);
    ck_cmd(client, "SCARD s", ":2\r\n");
    char *one = conn_cmd(client, "SPOP s");
    ck_assert_msg(strncmp(one, "$2\r\nm", 5) == 0 || strncmp(one, "$3\r\nm", 5) == 0, "%s",
                  harness_escape(one));
    free(one);
    ck_cmd(client, "SCARD s", ":1\r\n");
    ck_cmd_prefix(client, "SPOP s 5", "*1\r\n");
    ck_cmd(client, "EXISTS s", ":0\r\n");
}
END_TEST

START_TEST(test_spop_errors_and_intset)
{
    ck_cmd(client, "SADD s 3 1 2", ":3\r\n");
    ck_cmd(client, "SPOP s -1", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "SPOP s x", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "SPOP s 1 2", "-ERR syntax error\r\n");
    ck_cmd(client, "SPOP s 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_cmd(client, "EXISTS s", ":0\r\n");
    /* Popping most of a hashtable of integers rebuilds the few survivors
     * as a new set, which is an intset, as in Redis 7.0. */
    ck_cmd(client, "CONFIG SET set-max-intset-entries 4", "+OK\r\n");
    fill(client, "h", NULL, 0, 10);
    ck_cmd(client, "OBJECT ENCODING h", "$9\r\nhashtable\r\n");
    ck_cmd(client, "EXPIRE h 100", ":1\r\n");
    ck_cmd_prefix(client, "SPOP h 9", "*9\r\n");
    ck_cmd(client, "OBJECT ENCODING h", "$6\r\nintset\r\n");
    ck_cmd(client, "SCARD h", ":1\r\n");
    ck_assert_int_gt(conn_cmd_integer(client, "TTL h"), 0);
}
END_TEST

START_TEST(test_srandmember_properties)
{
    ck_cmd(client, "SRANDMEMBER missing", "$-1\r\n");
    ck_cmd(client, "SRANDMEMBER missing 5", "*0\r\n");
    ck_cmd(client, "SRANDMEMBER missing -5", "*0\r\n");
    ck_cmd(client, "SADD s a b c d e f g h i j", ":10\r\n");
    ck_cmd(client, "SRANDMEMBER s 0", "*0\r\n");
    ck_cmd(client, "SRANDMEMBER s x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SRANDMEMBER s -9223372036854775808",
           "-ERR value is out of range, value must between -9223372036854775807 and "
           "9223372036854775807\r\n");
    ck_cmd(client, "SRANDMEMBER s 1 2", "-ERR syntax error\r\n");
    ck_members(client, "SRANDMEMBER s 10", '*', "a b c d e f g h i j");
    ck_members(client, "SRANDMEMBER s 100", '*', "a b c d e f g h i j");
    /* Distinct picks for both strategies (most of the set, a few of it). */
    const char *counts[] = {"SRANDMEMBER s 9", "SRANDMEMBER s 2"};
    for (int k = 0; k < 2; k++) {
        for (int round = 0; round < 20; round++) {
            char *raw = conn_cmd(client, counts[k]);
            struct members m;
            members_parse(raw, &m);
            ck_assert_int_eq(m.count, k == 0 ? 9 : 2);
            qsort(m.items, (size_t)m.count, sizeof(m.items[0]), compare_strings);
            for (int i = 1; i < m.count; i++)
                ck_assert_str_ne(m.items[i], m.items[i - 1]);
            members_free(&m);
            free(raw);
        }
    }
    /* A negative count may repeat and returns exactly |count| members. */
    char *raw = conn_cmd(client, "SRANDMEMBER s -50");
    struct members m;
    members_parse(raw, &m);
    ck_assert_int_eq(m.count, 50);
    for (int i = 0; i < m.count; i++)
        ck_assert(strlen(m.items[i]) == 1 && m.items[i][0] >= 'a' && m.items[i][0] <= 'j');
    members_free(&m);
    free(raw);
    ck_cmd(client, "SCARD s", ":10\r\n");
    ck_cmd(client, "SADD one 7", ":1\r\n");
    ck_cmd(client, "SRANDMEMBER one", "$1\r\n7\r\n");
    ck_cmd(client, "SRANDMEMBER one -3", "*3\r\n$1\r\n7\r\n$1\r\n7\r\n$1\r\n7\r\n");
}
END_TEST

/* ---- Uniformity of the random picks (Redis's "histogram distribution") ---- */

#define CHI_MEMBERS 10
static const char *const chi_names[CHI_MEMBERS] = {"alpha", "bravo", "charlie", "delta", "echo",
                                                   "foxtrot", "golf", "hotel", "india", "juliet"};

/* Adds every bulk string of an aggregate reply (or a lone bulk) to the
 * tallies of chi_names. */
static void chi_tally(const char *raw, long tally[CHI_MEMBERS])
{
    const char *p = raw;
    long items = 1;
    if (*p == '*' || *p == '~') {
        items = strtol(p + 1, NULL, 10);
        p = strstr(p, "\r\n") + 2;
    }
    for (long i = 0; i < items; i++) {
        ck_assert_msg(*p == '$', "not a bulk: %s", harness_escape(p));
        size_t len = (size_t)strtol(p + 1, NULL, 10);
        p = strstr(p, "\r\n") + 2;
        int k = 0;
        while (k < CHI_MEMBERS &&
               !(strlen(chi_names[k]) == len && memcmp(p, chi_names[k], len) == 0))
            k++;
        ck_assert_msg(k < CHI_MEMBERS, "unexpected member in %s", harness_escape(raw));
        tally[k]++;
        p += len + 2;
    }
}

/* Pearson's chi-square of the tallies against a uniform pick (9 degrees of
 * freedom: 40 has a probability near 1e-5, the bound Redis's test uses). */
static double chi_square(const long tally[CHI_MEMBERS])
{
    long total = 0;
    for (int k = 0; k < CHI_MEMBERS; k++)
        total += tally[k];
    double expected = (double)total / CHI_MEMBERS, chi = 0;
    for (int k = 0; k < CHI_MEMBERS; k++)
        chi += ((double)tally[k] - expected) * ((double)tally[k] - expected) / expected;
    return chi;
}

static void chi_fill(const char *key)
{
    const char *argv[2 + CHI_MEMBERS] = {"SADD", key};
    for (int k = 0; k < CHI_MEMBERS; k++)
        argv[2 + k] = chi_names[k];
    char *raw = conn_cmd_argv(client, 2 + CHI_MEMBERS, argv, NULL);
    ck_assert_str_eq(raw, ":10\r\n");
    free(raw);
}

/* A hashtable set of ten members: every way of picking must be uniform.
 * Picking a random bucket and then a random node of its chain favours the
 * members alone in their bucket (a chi-square in the hundreds here). */
START_TEST(test_random_picks_are_uniform)
{
    chi_fill("s");
    ck_cmd(client, "OBJECT ENCODING s", "$9\r\nhashtable\r\n");
    long tally[CHI_MEMBERS] = {0};
    /* Repeats allowed. */
    for (int round = 0; round < 4; round++) {
        char *raw = conn_cmd(client, "SRANDMEMBER s -5000");
        chi_tally(raw, tally);
        free(raw);
    }
    ck_assert_msg(chi_square(tally) < 40, "SRANDMEMBER -N: chi-square %.1f", chi_square(tally));
    /* Distinct picks, by both strategies (a few of the set, most of it). */
    const char *lines[] = {"SRANDMEMBER s 2", "SRANDMEMBER s 8", "SRANDMEMBER s"};
    for (int l = 0; l < 3; l++) {
        memset(tally, 0, sizeof(tally));
        for (int round = 0; round < 4000; round++) {
            char *raw = conn_cmd(client, lines[l]);
            chi_tally(raw, tally);
            free(raw);
        }
        ck_assert_msg(chi_square(tally) < 40, "%s: chi-square %.1f", lines[l], chi_square(tally));
    }
    /* SPOP, one and two at a time, from a fresh set each round. */
    const char *pops[] = {"SPOP p", "SPOP p 2"};
    for (int l = 0; l < 2; l++) {
        memset(tally, 0, sizeof(tally));
        for (int round = 0; round < 3000; round++) {
            ck_cmd_prefix(client, "DEL p", ":");
            chi_fill("p");
            char *raw = conn_cmd(client, pops[l]);
            chi_tally(raw, tally);
            free(raw);
        }
        ck_assert_msg(chi_square(tally) < 40, "%s: chi-square %.1f", pops[l], chi_square(tally));
    }
}
END_TEST

/* ---- SSCAN ---- */

START_TEST(test_sscan_intset_and_errors)
{
    ck_cmd(client, "SSCAN missing 0", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "SADD s 10 2 13", ":3\r\n");
    /* An intset comes back whole with cursor 0, whatever the cursor. */
    ck_cmd(client, "SSCAN s 0", "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n13\r\n");
    ck_cmd(client, "SSCAN s 7 COUNT 1",
           "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n13\r\n");
    ck_cmd(client, "SSCAN s 0 MATCH 1*", "*2\r\n$1\r\n0\r\n*2\r\n$2\r\n10\r\n$2\r\n13\r\n");
    ck_cmd(client, "SSCAN s x", "-ERR invalid cursor\r\n");
    ck_cmd(client, "SSCAN s 0 COUNT 0", "-ERR syntax error\r\n");
    ck_cmd(client, "SSCAN s 0 COUNT x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SSCAN s 0 TYPE set", "-ERR syntax error\r\n");
    ck_cmd(client, "SSCAN s 0 MATCH", "-ERR syntax error\r\n");
    ck_cmd(client, "SSCAN missing 0 foo", "*2\r\n$1\r\n0\r\n*0\r\n");
}
END_TEST

START_TEST(test_sscan_hashtable_covers_everything)
{
    fill(client, "s", "m", 0, 1000);
    static bool seen[1000];
    memset(seen, 0, sizeof(seen));
    char cursor[32] = "0";
    int calls = 0;
    do {
        char line[128];
        snprintf(line, sizeof(line), "SSCAN s %s COUNT 20", cursor);
        char *raw = conn_cmd(client, line);
        ck_assert(strncmp(raw, "*2\r\n$", 5) == 0);
        const char *p = strstr(raw + 4, "\r\n") + 2;
        const char *end = strstr(p, "\r\n");
        snprintf(cursor, sizeof(cursor), "%.*s", (int)(end - p), p);
        struct members m;
        members_parse(end + 2, &m);
        for (int i = 0; i < m.count; i++) {
            int id = atoi(m.items[i] + 1);
            ck_assert(m.items[i][0] == 'm' && id >= 0 && id < 1000);
            seen[id] = true;
        }
        members_free(&m);
        free(raw);
        calls++;
    } while (strcmp(cursor, "0") != 0);
    ck_assert_int_gt(calls, 1);
    for (int i = 0; i < 1000; i++)
        ck_assert_msg(seen[i], "m%d never returned", i);
    /* MATCH filters after the buckets are read. */
    char *raw = conn_cmd(client, "SSCAN s 0 COUNT 100000 MATCH m99?");
    ck_assert_msg(strncmp(raw, "*2\r\n$1\r\n0\r\n", 11) == 0, "%s", harness_escape(raw));
    struct members m;
    members_parse(raw + 11, &m);
    ck_assert_int_eq(m.count, 10);
    for (int i = 0; i < m.count; i++)
        ck_assert(strlen(m.items[i]) == 4 && strncmp(m.items[i], "m99", 3) == 0);
    members_free(&m);
    free(raw);
}
END_TEST

/* ---- RESP3 ---- */

START_TEST(test_resp3_shapes)
{
    free(conn_cmd(client, "HELLO 3"));
    ck_cmd(client, "SADD s 3 1 2", ":3\r\n");
    ck_cmd(client, "SADD t 2 3 4", ":3\r\n");
    ck_cmd(client, "SMEMBERS s", "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_cmd(client, "SMEMBERS missing", "~0\r\n");
    ck_cmd(client, "SINTER s t", "~2\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_cmd(client, "SINTER s missing", "~0\r\n");
    ck_cmd(client, "SUNION s t", "~4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    ck_cmd(client, "SDIFF s t", "~1\r\n$1\r\n1\r\n");
    ck_cmd(client, "SDIFF missing", "~0\r\n");
    ck_cmd(client, "SMISMEMBER s 1 9", "*2\r\n:1\r\n:0\r\n");
    ck_cmd(client, "SISMEMBER s 1", ":1\r\n");
    ck_cmd(client, "SRANDMEMBER s 5", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_cmd_prefix(client, "SRANDMEMBER s 2", "*2\r\n");
    ck_cmd_prefix(client, "SRANDMEMBER s -2", "*2\r\n");
    ck_cmd(client, "SRANDMEMBER s 0", "*0\r\n");
    ck_cmd(client, "SRANDMEMBER missing", "_\r\n");
    ck_cmd(client, "SPOP missing", "_\r\n");
    ck_cmd(client, "SPOP missing 2", "~0\r\n");
    ck_cmd(client, "SPOP s 0", "~0\r\n");
    ck_cmd_prefix(client, "SPOP s 1", "~1\r\n");
    ck_cmd_prefix(client, "SPOP s 5", "~2\r\n");
    ck_cmd(client, "SSCAN t 0", "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
}
END_TEST

static TCase *tcase_new(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("set");
    TCase *basic = tcase_new("basic");
    tcase_add_test(basic, test_sadd_srem_scard_sismember);
    tcase_add_test(basic, test_wrongtype_and_arity);
    tcase_add_test(basic, test_smove);
    suite_add_tcase(s, basic);
    TCase *enc = tcase_new("encodings");
    tcase_add_test(enc, test_intset_to_hashtable_at_512);
    tcase_add_test(enc, test_non_integer_members_convert);
    tcase_add_test(enc, test_configured_intset_limit);
    suite_add_tcase(s, enc);
    TCase *algebra = tcase_new("algebra");
    tcase_add_test(algebra, test_intset_results_are_sorted);
    tcase_add_test(algebra, test_hashtable_algebra);
    tcase_add_test(algebra, test_store_commands);
    tcase_add_test(algebra, test_store_encoding_over_limit);
    tcase_add_test(algebra, test_sintercard_errors);
    suite_add_tcase(s, algebra);
    TCase *random = tcase_new("random");
    tcase_add_test(random, test_spop_properties);
    tcase_add_test(random, test_spop_errors_and_intset);
    tcase_add_test(random, test_srandmember_properties);
    tcase_add_test(random, test_random_picks_are_uniform);
    suite_add_tcase(s, random);
    TCase *scan = tcase_new("scan");
    tcase_add_test(scan, test_sscan_intset_and_errors);
    tcase_add_test(scan, test_sscan_hashtable_covers_everything);
    tcase_add_test(scan, test_resp3_shapes);
    suite_add_tcase(s, scan);
    return harness_run_suite(s);
}
