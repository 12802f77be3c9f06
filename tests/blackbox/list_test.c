/* list_test.c: black-box tests of the list commands: the pushes and pops
 * (with COUNT), LLEN, LRANGE, LINDEX, LSET, LREM, LTRIM, LINSERT, LPOS,
 * LMOVE, RPOPLPUSH and LMPOP, their errors, WRONGTYPE, RESP3 reply shapes,
 * OBJECT ENCODING, deletion of emptied lists, and lists spanning many
 * quicklist nodes.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte, error texts included. Each test starts its own server. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Elements pushed by the many-nodes tests. */
#define LIST_BIG_COUNT 2000
/* Longest command line built by the helpers below. */
#define LINE_BYTES_MAX 256

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static const char *const wrongtype =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

static void setup(void)
{
    harness_fixture_open(&server, &client);
}

static void teardown(void)
{
    harness_fixture_close(&server, &client);
}

/* Sends a printf-formatted command and asserts the reply. */
static void ck_cmdf(struct conn *c, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ck_cmdf(struct conn *c, const char *expected, const char *fmt, ...)
{
    char line[LINE_BYTES_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ck_cmd(c, line, expected);
}

/* ---- Pushes and pops ---- */

START_TEST(test_push_pop_basics)
{
    ck_cmd(client, "RPUSH l a b c", ":3\r\n");
    ck_cmd(client, "LPUSH l x y", ":5\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*5\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "LLEN l", ":5\r\n");
    ck_cmd(client, "LLEN missing", ":0\r\n");
    ck_cmd(client, "TYPE l", "+list\r\n");
    ck_cmd(client, "OBJECT ENCODING l", "$9\r\nquicklist\r\n");
    ck_cmd(client, "LPOP l", "$1\r\ny\r\n");
    ck_cmd(client, "RPOP l", "$1\r\nc\r\n");
    ck_cmd(client, "LPOP l 2", "*2\r\n$1\r\nx\r\n$1\r\na\r\n");
    ck_cmd(client, "RPOP l 5", "*1\r\n$1\r\nb\r\n");
    /* The emptied list is gone. */
    ck_cmd(client, "EXISTS l", ":0\r\n");
    ck_cmd(client, "LPOP l", "$-1\r\n");
    ck_cmd(client, "LPOP l 2", "*-1\r\n");
    ck_cmd(client, "RPOP l", "$-1\r\n");
}
END_TEST

START_TEST(test_pushx)
{
    ck_cmd(client, "LPUSHX l a", ":0\r\n");
    ck_cmd(client, "RPUSHX l a b", ":0\r\n");
    ck_cmd(client, "EXISTS l", ":0\r\n");
    ck_cmd(client, "RPUSH l m", ":1\r\n");
    ck_cmd(client, "LPUSHX l a b", ":3\r\n");
    ck_cmd(client, "RPUSHX l y z", ":5\r\n");
    ck_cmd(client, "LRANGE l 0 -1",
           "*5\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nm\r\n$1\r\ny\r\n$1\r\nz\r\n");
}
END_TEST

START_TEST(test_pop_count_errors)
{
    ck_cmd(client, "RPUSH l a b", ":2\r\n");
    ck_cmd(client, "LPOP l 0", "*0\r\n");
    ck_cmd(client, "LPOP l -1", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "RPOP l x", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "LPOP l 1 2", "-ERR wrong number of arguments for 'lpop' command\r\n");
    ck_cmd(client, "RPOP l 1 2", "-ERR wrong number of arguments for 'rpop' command\r\n");
    /* The count is parsed before the key is looked up. */
    ck_cmd(client, "LPOP missing -1", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "LPOP missing 0", "*-1\r\n");
    ck_cmd(client, "LLEN l", ":2\r\n");
}
END_TEST

START_TEST(test_integers_and_binary)
{
    ck_cmd(client, "RPUSH l 1 -9223372036854775808 007 9223372036854775808 1.5", ":5\r\n");
    ck_cmd(client, "LRANGE l 0 -1",
           "*5\r\n$1\r\n1\r\n$20\r\n-9223372036854775808\r\n$3\r\n007\r\n"
           "$19\r\n9223372036854775808\r\n$3\r\n1.5\r\n");
    const char *argv[] = {"RPUSH", "b", "a\0b\r\n", ""};
    const size_t lens[] = {5, 1, 5, 0};
    char *reply = conn_cmd_argv(client, 4, argv, lens);
    ck_assert_str_eq(reply, ":2\r\n");
    free(reply);
    reply = conn_cmd(client, "LINDEX b 0");
    ck_assert(memcmp(reply, "$5\r\na\0b\r\n\r\n", 12) == 0);
    free(reply);
    ck_cmd(client, "LINDEX b 1", "$0\r\n\r\n");
}
END_TEST

/* ---- Reading ---- */

START_TEST(test_lrange_lindex)
{
    ck_cmd(client, "RPUSH l a b c d", ":4\r\n");
    ck_cmd(client, "LRANGE l 1 2", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "LRANGE l -2 100", "*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
    ck_cmd(client, "LRANGE l -100 0", "*1\r\n$1\r\na\r\n");
    ck_cmd(client, "LRANGE l 3 1", "*0\r\n");
    ck_cmd(client, "LRANGE l 4 10", "*0\r\n");
    ck_cmd(client, "LRANGE missing 0 -1", "*0\r\n");
    ck_cmd(client, "LRANGE l x 1", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LRANGE missing 0 x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LINDEX l 0", "$1\r\na\r\n");
    ck_cmd(client, "LINDEX l -1", "$1\r\nd\r\n");
    ck_cmd(client, "LINDEX l 4", "$-1\r\n");
    ck_cmd(client, "LINDEX l -5", "$-1\r\n");
    ck_cmd(client, "LINDEX l x", "-ERR value is not an integer or out of range\r\n");
    /* LINDEX looks the key up before parsing the index. */
    ck_cmd(client, "LINDEX missing x", "$-1\r\n");
}
END_TEST

/* ---- Changing in place ---- */

START_TEST(test_lset)
{
    ck_cmd(client, "LSET missing 0 a", "-ERR no such key\r\n");
    ck_cmd(client, "LSET missing x a", "-ERR no such key\r\n");
    ck_cmd(client, "RPUSH l a b c", ":3\r\n");
    ck_cmd(client, "LSET l 1 B", "+OK\r\n");
    ck_cmd(client, "LSET l -1 12345", "+OK\r\n");
    ck_cmd(client, "LSET l 3 z", "-ERR index out of range\r\n");
    ck_cmd(client, "LSET l -4 z", "-ERR index out of range\r\n");
    ck_cmd(client, "LSET l x z", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*3\r\n$1\r\na\r\n$1\r\nB\r\n$5\r\n12345\r\n");
}
END_TEST

START_TEST(test_lrem)
{
    ck_cmd(client, "RPUSH l a b a c a b a", ":7\r\n");
    ck_cmd(client, "LREM l 2 a", ":2\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n");
    ck_cmd(client, "LREM l -1 b", ":1\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\na\r\n");
    ck_cmd(client, "LREM l 0 a", ":2\r\n");
    ck_cmd(client, "LREM l 0 zz", ":0\r\n");
    ck_cmd(client, "LREM l x a", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LREM missing 0 a", ":0\r\n");
    ck_cmd(client, "LREM l 0 b", ":1\r\n");
    ck_cmd(client, "LREM l 0 c", ":1\r\n");
    ck_cmd(client, "EXISTS l", ":0\r\n");
}
END_TEST

START_TEST(test_ltrim)
{
    ck_cmd(client, "RPUSH l a b c d e", ":5\r\n");
    ck_cmd(client, "LTRIM l 1 -2", "+OK\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    ck_cmd(client, "LTRIM l -100 100", "+OK\r\n");
    ck_cmd(client, "LLEN l", ":3\r\n");
    ck_cmd(client, "LTRIM l 1 1", "+OK\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*1\r\n$1\r\nc\r\n");
    ck_cmd(client, "LTRIM l x 1", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LTRIM missing 0 1", "+OK\r\n");
    ck_cmd(client, "LTRIM l 2 1", "+OK\r\n");
    ck_cmd(client, "EXISTS l", ":0\r\n");
}
END_TEST

START_TEST(test_linsert)
{
    ck_cmd(client, "LINSERT missing BEFORE a b", ":0\r\n");
    ck_cmd(client, "RPUSH l a c", ":2\r\n");
    ck_cmd(client, "LINSERT l BEFORE c b", ":3\r\n");
    ck_cmd(client, "LINSERT l after c d", ":4\r\n");
    ck_cmd(client, "LINSERT l before a 0", ":5\r\n");
    ck_cmd(client, "LINSERT l after zz x", ":-1\r\n");
    ck_cmd(client, "LINSERT l middle a x", "-ERR syntax error\r\n");
    ck_cmd(client, "LINSERT missing middle a x", "-ERR syntax error\r\n");
    ck_cmd(client, "LRANGE l 0 -1",
           "*5\r\n$1\r\n0\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
}
END_TEST

/* ---- LPOS ---- */

START_TEST(test_lpos)
{
    ck_cmd(client, "RPUSH l a b c 1 2 3 c c", ":8\r\n");
    ck_cmd(client, "LPOS l c", ":2\r\n");
    ck_cmd(client, "LPOS l zz", "$-1\r\n");
    ck_cmd(client, "LPOS l c RANK 2", ":6\r\n");
    ck_cmd(client, "LPOS l c RANK -1", ":7\r\n");
    ck_cmd(client, "LPOS l c RANK 4", "$-1\r\n");
    ck_cmd(client, "LPOS l c COUNT 2", "*2\r\n:2\r\n:6\r\n");
    ck_cmd(client, "LPOS l c COUNT 0", "*3\r\n:2\r\n:6\r\n:7\r\n");
    ck_cmd(client, "LPOS l c COUNT 0 RANK -2", "*2\r\n:6\r\n:2\r\n");
    ck_cmd(client, "LPOS l c COUNT 0 MAXLEN 7", "*2\r\n:2\r\n:6\r\n");
    ck_cmd(client, "LPOS l c MAXLEN 2", "$-1\r\n");
    ck_cmd(client, "LPOS l zz COUNT 1", "*0\r\n");
    ck_cmd(client, "LPOS l 3", ":5\r\n");
    ck_cmd(client, "LPOS missing c", "$-1\r\n");
    ck_cmd(client, "LPOS missing c COUNT 0", "*0\r\n");
    ck_cmd(client, "LPOS l c RANK -9223372036854775808", ":7\r\n");
}
END_TEST

START_TEST(test_lpos_errors)
{
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "LPOS l a RANK 0",
           "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
           "... or use negative to start from the end of the list\r\n");
    ck_cmd(client, "LPOS l a RANK x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "LPOS l a COUNT -1", "-ERR COUNT can't be negative\r\n");
    ck_cmd(client, "LPOS l a MAXLEN -1", "-ERR MAXLEN can't be negative\r\n");
    ck_cmd(client, "LPOS l a RANK", "-ERR syntax error\r\n");
    ck_cmd(client, "LPOS l a FOO 1", "-ERR syntax error\r\n");
    /* Options are parsed before the key is looked up. */
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "LPOS s a COUNT -1", "-ERR COUNT can't be negative\r\n");
    ck_cmd(client, "LPOS s a", wrongtype);
}
END_TEST

/* ---- Moving ---- */

START_TEST(test_lmove_rpoplpush)
{
    ck_cmd(client, "RPUSH src a b c", ":3\r\n");
    ck_cmd(client, "LMOVE src dst LEFT RIGHT", "$1\r\na\r\n");
    ck_cmd(client, "LMOVE src dst right left", "$1\r\nc\r\n");
    ck_cmd(client, "LRANGE dst 0 -1", "*2\r\n$1\r\nc\r\n$1\r\na\r\n");
    ck_cmd(client, "RPOPLPUSH src dst", "$1\r\nb\r\n");
    ck_cmd(client, "EXISTS src", ":0\r\n");
    ck_cmd(client, "LRANGE dst 0 -1", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n");
    ck_cmd(client, "LMOVE src dst LEFT RIGHT", "$-1\r\n");
    ck_cmd(client, "RPOPLPUSH src dst", "$-1\r\n");
    ck_cmd(client, "LMOVE src dst UP RIGHT", "-ERR syntax error\r\n");
    ck_cmd(client, "LMOVE src dst LEFT DOWN", "-ERR syntax error\r\n");
    /* Rotating a list onto itself, down to one element. */
    ck_cmd(client, "RPOPLPUSH dst dst", "$1\r\na\r\n");
    ck_cmd(client, "LRANGE dst 0 -1", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "RPUSH one x", ":1\r\n");
    ck_cmd(client, "LMOVE one one LEFT RIGHT", "$1\r\nx\r\n");
    ck_cmd(client, "LRANGE one 0 -1", "*1\r\n$1\r\nx\r\n");
    /* A wrong-typed destination leaves the source alone. */
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "LMOVE dst s LEFT RIGHT", wrongtype);
    ck_cmd(client, "RPOPLPUSH s dst", wrongtype);
    ck_cmd(client, "LLEN dst", ":3\r\n");
    /* A missing source wins over a wrong-typed destination. */
    ck_cmd(client, "RPOPLPUSH missing s", "$-1\r\n");
}
END_TEST

START_TEST(test_lmpop)
{
    ck_cmd(client, "RPUSH b 1 2 3", ":3\r\n");
    ck_cmd(client, "LMPOP 2 a b LEFT", "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n");
    ck_cmd(client, "LMPOP 2 a b RIGHT COUNT 5", "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
    ck_cmd(client, "EXISTS b", ":0\r\n");
    ck_cmd(client, "LMPOP 2 a b LEFT", "*-1\r\n");
    ck_cmd(client, "LMPOP 0 a LEFT", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "LMPOP x a LEFT", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "LMPOP 3 a LEFT", "-ERR syntax error\r\n");
    ck_cmd(client, "LMPOP 1 a UP", "-ERR syntax error\r\n");
    ck_cmd(client, "LMPOP 1 a LEFT COUNT 0", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "LMPOP 1 a LEFT COUNT x", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "LMPOP 1 a LEFT COUNT 1 COUNT 2", "-ERR syntax error\r\n");
    ck_cmd(client, "LMPOP 1 a LEFT COUNT", "-ERR syntax error\r\n");
    ck_cmd(client, "LMPOP 1 a", "-ERR wrong number of arguments for 'lmpop' command\r\n");
    /* The first non-empty key is popped; a wrong type before it fails. */
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "RPUSH c x", ":1\r\n");
    ck_cmd(client, "LMPOP 2 s c LEFT", wrongtype);
    ck_cmd(client, "LMPOP 2 c s LEFT", "*2\r\n$1\r\nc\r\n*1\r\n$1\r\nx\r\n");
}
END_TEST

/* numkeys for LMPOP and BLMPOP, as Redis 7.0.15 parses it: no integer, or
 * below 1, says "numkeys should be greater than 0" (so does a number past
 * LLONG_MAX, which is no integer to it); any numkeys that leaves no room
 * for the direction is a syntax error, however large; numkeys is parsed
 * before the direction, COUNT and the timeout. */
START_TEST(test_lmpop_numkeys)
{
    static const char *const syntax = "-ERR syntax error\r\n";
    ck_cmd(client, "RPUSH k1 a", ":1\r\n");
    harness_check_mpop_numkeys(client, "LMPOP", "BLMPOP", "LEFT");
    /* numkeys larger than the arguments left, by one or more. */
    ck_cmd(client, "LMPOP 1 k1 k2 LEFT", syntax);
    ck_cmd(client, "LMPOP 2 k1 LEFT COUNT 1", syntax);
    ck_cmd(client, "LMPOP 4 k1 LEFT COUNT 1", syntax);
    ck_cmd(client, "BLMPOP 0.01 2 k1 LEFT COUNT 1", syntax);
    /* The timeout comes last. */
    ck_cmd(client, "BLMPOP abc 1 k1 LEFT",
           "-ERR timeout is not a float or out of range\r\n");
    ck_cmd(client, "BLMPOP -1 1 k1 LEFT", "-ERR timeout is negative\r\n");
    ck_cmd(client, "BLMPOP abc 1 k1 MIN", syntax);
    ck_cmd(client, "BLMPOP abc 1 k1 LEFT COUNT 0", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "LMPOP 1 k1 LEFT COUNT 9223372036854775808",
           "-ERR count should be greater than 0\r\n");
    /* None of these popped anything. */
    ck_cmd(client, "LLEN k1", ":1\r\n");
    ck_cmd(client, "BLMPOP 0.01 2 k2 k1 RIGHT COUNT 9",
           "*2\r\n$2\r\nk1\r\n*1\r\n$1\r\na\r\n");
    ck_cmd(client, "BLMPOP 0.01 2 k2 k1 RIGHT", "*-1\r\n");
}
END_TEST

/* COPY makes an independent list. */
START_TEST(test_copy_is_deep)
{
    ck_cmd(client, "RPUSH l a b c", ":3\r\n");
    ck_cmd(client, "COPY l l2", ":1\r\n");
    ck_cmd(client, "RPUSH l d", ":4\r\n");
    ck_cmd(client, "LSET l2 0 z", "+OK\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    ck_cmd(client, "LRANGE l2 0 -1", "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "OBJECT ENCODING l2", "$9\r\nquicklist\r\n");
}
END_TEST

/* ---- WRONGTYPE and RESP3 ---- */

START_TEST(test_wrongtype)
{
    ck_cmd(client, "SET s v", "+OK\r\n");
    const char *commands[] = {
        "LPUSH s a", "RPUSH s a", "LPUSHX s a", "RPUSHX s a", "LPOP s", "RPOP s 2",
        "LLEN s", "LRANGE s 0 -1", "LINDEX s 0", "LSET s 0 a", "LREM s 0 a",
        "LTRIM s 0 1", "LINSERT s BEFORE a b", "LPOS s a", "LMOVE s d LEFT LEFT",
        "RPOPLPUSH s d", "LMPOP 1 s LEFT",
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        ck_cmd(client, commands[i], wrongtype);
    ck_cmd(client, "GET s", "$1\r\nv\r\n");
    ck_cmd(client, "EXISTS d", ":0\r\n");
}
END_TEST

START_TEST(test_resp3_shapes)
{
    char *hello = conn_cmd(client, "HELLO 3");
    free(hello);
    ck_cmd(client, "LPOP missing", "_\r\n");
    ck_cmd(client, "LPOP missing 2", "_\r\n");
    ck_cmd(client, "LINDEX missing 0", "_\r\n");
    ck_cmd(client, "LPOS missing a", "_\r\n");
    ck_cmd(client, "LMOVE missing d LEFT LEFT", "_\r\n");
    ck_cmd(client, "LMPOP 1 missing LEFT", "_\r\n");
    ck_cmd(client, "RPUSH l a b", ":2\r\n");
    ck_cmd(client, "LPOP l 0", "*0\r\n");
    ck_cmd(client, "LPOS l a COUNT 0", "*1\r\n:0\r\n");
    ck_cmd(client, "LMPOP 1 l RIGHT", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nb\r\n");
}
END_TEST

/* ---- Many nodes ---- */

/* A list of LIST_BIG_COUNT elements spans hundreds of quicklist nodes
 * under a small list-max-listpack-size; every command must still see one
 * list. */
START_TEST(test_many_nodes_commands)
{
    ck_cmd(client, "CONFIG SET list-max-listpack-size 4", "+OK\r\n");
    char expected[LINE_BYTES_MAX];
    for (int i = 0; i < LIST_BIG_COUNT; i++) {
        snprintf(expected, sizeof(expected), ":%d\r\n", i + 1);
        ck_cmdf(client, expected, "RPUSH l %d", i);
    }
    ck_cmd(client, "OBJECT ENCODING l", "$9\r\nquicklist\r\n");
    ck_cmd(client, "LINDEX l 1234", "$4\r\n1234\r\n");
    ck_cmd(client, "LINDEX l -1", "$4\r\n1999\r\n");
    ck_cmd(client, "LRANGE l 998 1001",
           "*4\r\n$3\r\n998\r\n$3\r\n999\r\n$4\r\n1000\r\n$4\r\n1001\r\n");
    ck_cmd(client, "LSET l 1000 x", "+OK\r\n");
    ck_cmd(client, "LINSERT l AFTER 1001 y", ":2001\r\n");
    ck_cmd(client, "LINSERT l BEFORE 1001 z", ":2002\r\n");
    ck_cmd(client, "LRANGE l 999 1003",
           "*5\r\n$3\r\n999\r\n$1\r\nx\r\n$1\r\nz\r\n$4\r\n1001\r\n$1\r\ny\r\n");
    ck_cmd(client, "LPOS l 1500", ":1502\r\n");
    ck_cmd(client, "LREM l 0 x", ":1\r\n");
    ck_cmd(client, "LTRIM l 500 -501", "+OK\r\n");
    ck_cmd(client, "LLEN l", ":1001\r\n");
    ck_cmd(client, "LINDEX l 0", "$3\r\n500\r\n");
    ck_cmd(client, "LINDEX l -1", "$4\r\n1499\r\n");
    ck_cmd(client, "LPOP l 3", "*3\r\n$3\r\n500\r\n$3\r\n501\r\n$3\r\n502\r\n");
    ck_cmd(client, "RPOP l 2", "*2\r\n$4\r\n1499\r\n$4\r\n1498\r\n");
    ck_cmd(client, "LLEN l", ":996\r\n");
}
END_TEST

/* Long elements fill 8 KB nodes after a few entries under the default. */
START_TEST(test_long_elements)
{
    char *value = malloc(3001);
    ck_assert_ptr_nonnull(value);
    memset(value, 'v', 3000);
    value[3000] = '\0';
    for (int i = 0; i < 10; i++) {
        const char *argv[] = {"RPUSH", "l", value};
        char *reply = conn_cmd_argv(client, 3, argv, NULL);
        char expected[16];
        snprintf(expected, sizeof(expected), ":%d\r\n", i + 1);
        ck_assert_str_eq(reply, expected);
        free(reply);
    }
    char *reply = conn_cmd(client, "LINDEX l 7");
    ck_assert_int_eq((int)strlen(reply), 3000 + 9);
    ck_assert(strncmp(reply, "$3000\r\nvvv", 10) == 0);
    free(reply);
    free(value);
    ck_cmd(client, "LLEN l", ":10\r\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("list");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_push_pop_basics);
    tcase_add_test(tc, test_pushx);
    tcase_add_test(tc, test_pop_count_errors);
    tcase_add_test(tc, test_integers_and_binary);
    tcase_add_test(tc, test_lrange_lindex);
    tcase_add_test(tc, test_lset);
    tcase_add_test(tc, test_lrem);
    tcase_add_test(tc, test_ltrim);
    tcase_add_test(tc, test_linsert);
    tcase_add_test(tc, test_lpos);
    tcase_add_test(tc, test_lpos_errors);
    tcase_add_test(tc, test_lmove_rpoplpush);
    tcase_add_test(tc, test_lmpop);
    tcase_add_test(tc, test_lmpop_numkeys);
    tcase_add_test(tc, test_copy_is_deep);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_resp3_shapes);
    suite_add_tcase(s, tc);
    tc = tcase_create("nodes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_many_nodes_commands);
    tcase_add_test(tc, test_long_elements);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
