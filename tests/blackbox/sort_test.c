/* sort_test.c: black-box tests of SORT and SORT_RO: lists, sets and
 * sorted sets, BY (keys, hash fields, no-sort constants), GET ("#", keys,
 * hash fields, several), LIMIT, ASC/DESC, ALPHA, STORE, the numeric parse
 * error, the ACL rule for patterns, keys for ACL and COMMAND GETKEYS,
 * keyspace events, and a randomized comparison.
 *
 * The pinned expectations were read off redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. Beyond them, tests
 * start a reference redis-server (/usr/bin/redis-server) when there is one
 * and send both servers the same commands, asserting byte-identical
 * replies (never on unsorted hashtable sets, whose order is the hash's). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_TIMEOUT_S 120

static struct server_handle *server; /* owned by the fixture */
static struct conn *client;          /* owned by the fixture */
static struct server_handle *ref;    /* reference redis-server, or NULL */
static struct conn *ref_client;      /* NULL without one */

static void setup(void)
{
    harness_fixture_open(&server, &client);
    harness_reference_open(&ref, &ref_client);
}

static void teardown(void)
{
    harness_reference_close(&ref, &ref_client);
    harness_fixture_close(&server, &client);
}

/* Sends line to both servers and asserts the same reply. */
static void same(const char *line)
{
    char *got = conn_cmd(client, line);
    if (ref_client) {
        char *want = conn_cmd(ref_client, line);
        ck_assert_msg(strcmp(got, want) == 0, "%s: redis %s, got %s", line, harness_escape(want),
                      harness_escape(got));
        free(want);
    }
    free(got);
}

/* Runs line on both servers, asserting the pinned reply on each. */
static void pinned(const char *line, const char *expected)
{
    ck_cmd(client, line, expected);
    if (ref_client)
        ck_cmd(ref_client, line, expected);
}

/* The list l = 3 1 2 10 b-less numbers, weights w_<n>, hashes h_<n>. */
static void fill_basic(void)
{
    pinned("RPUSH l 3 1 2 10", ":4\r\n");
    pinned("MSET w_3 30 w_1 5 w_2 7 w_10 -1", "+OK\r\n");
    pinned("HSET h_1 f 9 g one", ":2\r\n");
    pinned("HSET h_2 f 3 g two", ":2\r\n");
    pinned("HSET h_3 f 1", ":1\r\n");
}

START_TEST(test_numeric_alpha_limit)
{
    fill_basic();
    pinned("SORT l", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    pinned("SORT l DESC", "*4\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
    pinned("SORT l ALPHA", "*4\r\n$1\r\n1\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n");
    pinned("SORT l LIMIT 1 2", "*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
    pinned("SORT l LIMIT 3 100", "*1\r\n$2\r\n10\r\n");
    pinned("SORT l LIMIT 10 1", "*0\r\n");
    pinned("SORT l LIMIT -5 2", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    pinned("SORT l LIMIT 1 -1", "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    pinned("SORT l LIMIT 1 0", "*0\r\n");
    pinned("SORT l LIMIT a 1", "-ERR value is not an integer or out of range\r\n");
    pinned("SORT l LIMIT 1", "-ERR syntax error\r\n");
    pinned("SORT l FOO", "-ERR syntax error\r\n");
    pinned("SORT nokey", "*0\r\n");
    pinned("SET s x", "+OK\r\n");
    pinned("SORT s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    /* Numbers as Redis's strtod reads them; ties go to the bytes. */
    pinned("RPUSH f 1.5 -inf +inf 0x10 1e2 1.50 -0 0", ":8\r\n");
    same("SORT f");
    same("SORT f DESC");
    pinned("RPUSH bad 1 x 2", ":3\r\n");
    pinned("SORT bad", "-ERR One or more scores can't be converted into double\r\n");
    pinned("SORT bad STORE dst", "-ERR One or more scores can't be converted into double\r\n");
    pinned("EXISTS dst", ":0\r\n");
    pinned("RPUSH nan nan 1", ":2\r\n");
    pinned("SORT nan", "-ERR One or more scores can't be converted into double\r\n");
    pinned("RPUSH big 1e400 1", ":2\r\n");
    pinned("SORT big", "-ERR One or more scores can't be converted into double\r\n");
    pinned("SORT bad ALPHA", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\nx\r\n");
}
END_TEST

START_TEST(test_by_and_get)
{
    fill_basic();
    pinned("SORT l BY w_*", "*4\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    pinned("SORT l BY w_* DESC LIMIT 0 2", "*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
    /* Missing weights count as 0 (h_10 has no f), ties by the element. */
    pinned("SORT l BY h_*->f", "*4\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
    pinned("SORT l BY h_*->f ALPHA", "*4\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
    pinned("SORT l GET # GET w_* GET h_*->g",
           "*12\r\n$1\r\n1\r\n$1\r\n5\r\n$3\r\none\r\n$1\r\n2\r\n$1\r\n7\r\n$3\r\ntwo\r\n"
           "$1\r\n3\r\n$2\r\n30\r\n$-1\r\n$2\r\n10\r\n$2\r\n-1\r\n$-1\r\n");
    /* "->" with no field name is part of the key name. */
    pinned("SORT l GET h_*-> LIMIT 0 1", "*1\r\n$-1\r\n");
    /* A pattern without '*' names nothing. */
    pinned("SORT l GET nostar LIMIT 0 1", "*1\r\n$-1\r\n");
    /* BY a non-string key: no weight. */
    pinned("RPUSH lw_1 x", ":1\r\n");
    same("SORT l BY lw_*");
    /* BY a constant: no sorting, the list's own order (and LIMIT, DESC). */
    pinned("SORT l BY nosort", "*4\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n");
    pinned("SORT l BY nosort DESC LIMIT 1 2", "*2\r\n$1\r\n2\r\n$1\r\n1\r\n");
    pinned("SORT l BY nosort LIMIT 2 10", "*2\r\n$1\r\n2\r\n$2\r\n10\r\n");
    pinned("SORT l BY nosort LIMIT 5 10", "*0\r\n");
}
END_TEST

START_TEST(test_resp3_null)
{
    fill_basic();
    char *h = conn_cmd(client, "HELLO 3");
    free(h);
    ck_cmd(client, "SORT l GET h_*->g LIMIT 2 2", "*2\r\n_\r\n_\r\n");
}
END_TEST

START_TEST(test_zsets_and_sets)
{
    pinned("ZADD z 3 a 1 b 2 c 2 d", ":4\r\n");
    pinned("OBJECT ENCODING z", "$8\r\nlistpack\r\n");
    pinned("SORT z BY nosort", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n");
    /* Redis 7.0 converts the sorted zset to a skiplist. */
    pinned("OBJECT ENCODING z", "$8\r\nskiplist\r\n");
    pinned("SORT z BY nosort DESC LIMIT 1 2", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
    pinned("SORT z BY nosort LIMIT 3 5", "*1\r\n$1\r\na\r\n");
    pinned("SORT z ALPHA DESC", "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
    pinned("SORT z", "-ERR One or more scores can't be converted into double\r\n");
    pinned("MSET w_a +inf w_b -inf w_c 1 w_d 1", "+OK\r\n");
    pinned("SORT z BY w_*", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\na\r\n");
    pinned("SADD s 5 -2 9 100", ":4\r\n");
    pinned("SORT s", "*4\r\n$2\r\n-2\r\n$1\r\n5\r\n$1\r\n9\r\n$3\r\n100\r\n");
    pinned("SORT s ALPHA", "*4\r\n$2\r\n-2\r\n$3\r\n100\r\n$1\r\n5\r\n$1\r\n9\r\n");
    /* A set sorted BY a constant into STORE is sorted ALPHA. */
    pinned("SADD hs zz yy xx aa", ":4\r\n");
    pinned("SORT hs BY nosort STORE out", ":4\r\n");
    pinned("LRANGE out 0 -1", "*4\r\n$2\r\naa\r\n$2\r\nxx\r\n$2\r\nyy\r\n$2\r\nzz\r\n");
    pinned("SORT hs BY nosort LIMIT 0 0", "*0\r\n");
}
END_TEST

/* A script's SORT of a set BY a constant is sorted ALPHA too: its effects
 * must not depend on hash order. */
START_TEST(test_set_by_constant_in_script)
{
    pinned("SADD hs zz yy xx aa 10 2", ":6\r\n");
    const char *argv[] = {"EVAL", "return redis.call('sort', KEYS[1], 'by', 'nosort')", "1", "hs"};
    const char *want = "*6\r\n$2\r\n10\r\n$1\r\n2\r\n$2\r\naa\r\n$2\r\nxx\r\n$2\r\nyy\r\n$2\r\nzz\r\n";
    struct conn *conns[] = {client, ref_client};
    for (int i = 0; i < 2; i++) {
        if (!conns[i])
            continue;
        char *reply = conn_cmd_argv(conns[i], 4, argv, NULL);
        ck_assert_str_eq(reply, want);
        free(reply);
    }
}
END_TEST

START_TEST(test_store)
{
    fill_basic();
    pinned("SORT l STORE dst", ":4\r\n");
    pinned("TYPE dst", "+list\r\n");
    pinned("OBJECT ENCODING dst", "$9\r\nquicklist\r\n");
    pinned("LRANGE dst 0 -1", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    /* GET values, "" for missing ones. */
    pinned("SORT l GET h_*->g GET # STORE dst", ":8\r\n");
    pinned("LRANGE dst 0 -1",
           "*8\r\n$3\r\none\r\n$1\r\n1\r\n$3\r\ntwo\r\n$1\r\n2\r\n$0\r\n\r\n$1\r\n3\r\n$0\r\n\r\n"
           "$2\r\n10\r\n");
    /* The destination's TTL goes; an empty result deletes it. */
    pinned("EXPIRE dst 100", ":1\r\n");
    pinned("SORT l LIMIT 0 1 STORE dst", ":1\r\n");
    pinned("TTL dst", ":-1\r\n");
    pinned("SORT nokey STORE dst", ":0\r\n");
    pinned("EXISTS dst", ":0\r\n");
    pinned("SORT l LIMIT 9 1 STORE dst2", ":0\r\n");
    pinned("EXISTS dst2", ":0\r\n");
    /* The last STORE wins; the source may be the destination. */
    pinned("SORT l STORE a STORE b", ":4\r\n");
    pinned("EXISTS a b", ":1\r\n");
    pinned("SORT l DESC STORE l", ":4\r\n");
    pinned("LRANGE l 0 -1", "*4\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
    /* SORT_RO reads only. */
    pinned("SORT_RO l STORE x", "-ERR syntax error\r\n");
    pinned("SORT_RO l BY w_* GET #", "*4\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
}
END_TEST

START_TEST(test_keys_and_acl)
{
    pinned("COMMAND GETKEYS SORT l STORE a LIMIT 1 2 STORE b GET x",
           "*2\r\n$1\r\nl\r\n$1\r\nb\r\n");
    pinned("COMMAND GETKEYS SORT l BY store GET store", "*1\r\n$1\r\nl\r\n");
    pinned("COMMAND GETKEYS SORT_RO l BY x", "*1\r\n$1\r\nl\r\n");
    pinned("COMMAND GETKEYSANDFLAGS SORT l STORE d",
           "*2\r\n*2\r\n$1\r\nl\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n"
           "+update\r\n");
    same("COMMAND INFO sort sort_ro");
    same("COMMAND DOCS sort sort_ro");
    fill_basic();
    pinned("ACL SETUSER u on nopass ~l ~w* +@all", "+OK\r\n");
    pinned("ACL SETUSER r on nopass %R~* +@all", "+OK\r\n");
    struct conn *conns[2] = {client, ref_client};
    for (int i = 0; i < 2 && conns[i]; i++) {
        struct conn *c = conns[i];
        ck_cmd(c, "AUTH u x", "+OK\r\n");
        ck_cmd(c, "SORT l BY w_*",
               "-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n");
        ck_cmd(c, "SORT l GET #",
               "-ERR GET option of SORT denied due to insufficient ACL permissions.\r\n");
        ck_cmd(c, "SORT l BY nosort LIMIT 0 1", "*1\r\n$1\r\n3\r\n");
        ck_cmd(c, "SORT h_1", "-NOPERM this user has no permissions to access one of the keys "
                              "used as arguments\r\n");
        ck_cmd(c, "AUTH r x", "+OK\r\n");
        ck_cmd(c, "SORT l BY w_* LIMIT 0 1", "*1\r\n$2\r\n10\r\n");
        ck_cmd(c, "SORT l STORE d", "-NOPERM this user has no permissions to access one of the "
                                    "keys used as arguments\r\n");
        ck_cmd(c, "AUTH default x", "+OK\r\n");
    }
}
END_TEST

START_TEST(test_keyspace_events)
{
    fill_basic();
    struct conn *sub = conn_open(server->port);
    ck_cmd(client, "CONFIG SET notify-keyspace-events Elg", "+OK\r\n");
    ck_cmd(sub, "PSUBSCRIBE __keyevent@0__:*",
           "*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n");
    ck_cmd(client, "SORT l STORE d", ":4\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n"
                 "$24\r\n__keyevent@0__:sortstore\r\n$1\r\nd\r\n");
    ck_cmd(client, "SORT nokey STORE d", ":0\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n"
                 "$18\r\n__keyevent@0__:del\r\n$1\r\nd\r\n");
    ck_cmd(client, "SORT l", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
    ck_silent(sub);
    conn_close(sub);
}
END_TEST

/* ---- Randomized comparison ---- */

static unsigned long long rng_state = 0x2545F4914F6CDD1DULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

START_TEST(test_fuzz_against_redis)
{
    if (ref_client == NULL)
        return;
    char line[512];
    static const char *const weights[] = {"%d", "%d.5", "-%d", "1e%d", "%d", "0%d"};
    for (int round = 0; round < 40; round++) {
        same("FLUSHALL");
        int n = 1 + (int)rnd(round % 3 == 0 ? 300 : 40);
        for (int i = 0; i < n; i++) {
            int v = (int)rnd(50);
            /* Duplicates in the list and equal weights exercise the ties. */
            snprintf(line, sizeof(line), "RPUSH l %d", v);
            same(line);
            snprintf(line, sizeof(line), "ZADD z %d m%d", (int)rnd(20), v);
            same(line);
            snprintf(line, sizeof(line), "SADD s %d", v);
            same(line);
            char w[32];
            snprintf(w, sizeof(w), weights[rnd(6)], (int)rnd(30));
            snprintf(line, sizeof(line), "SET w_%d %s", v, w);
            same(line);
            snprintf(line, sizeof(line), "HSET h_%d f %d g v%d", v, (int)rnd(10), (int)rnd(99));
            same(line);
            snprintf(line, sizeof(line), "SET w_m%d %d", v, (int)rnd(10));
            same(line);
        }
        static const char *const keys[] = {"l", "z", "s"};
        for (int q = 0; q < 30; q++) {
            const char *key = keys[rnd(3)];
            char opts[256] = "";
            size_t at = 0;
            if (rnd(2))
                at += (size_t)snprintf(opts + at, sizeof(opts) - at, " BY %s",
                                       rnd(3) ? (key[0] == 'z' ? "w_*" : rnd(2) ? "w_*" : "h_*->f")
                                              : "nosort");
            if (rnd(2))
                at += (size_t)snprintf(opts + at, sizeof(opts) - at, " LIMIT %d %d",
                                       (int)rnd(20) - 3, (int)rnd(30) - 2);
            if (rnd(3) == 0)
                at += (size_t)snprintf(opts + at, sizeof(opts) - at, " GET # GET h_*->g");
            if (rnd(2))
                at += (size_t)snprintf(opts + at, sizeof(opts) - at, " DESC");
            bool by_pattern = strstr(opts, "_*") != NULL;
            /* A set's or zset's elements load in the hash's order, which
             * differs between processes: ALPHA ties (equal or missing BY
             * values) would come out in that order, so only sort them
             * ALPHA by themselves. zset members are not numbers. */
            /* Lists keep their ties in a deterministic order, also with
             * BY and LIMIT, where Redis's partial quicksort orders them. */
            if (key[0] == 'l' ? rnd(2) != 0 : !by_pattern && (key[0] == 'z' || rnd(2)))
                at += (size_t)snprintf(opts + at, sizeof(opts) - at, " ALPHA");
            else if (key[0] == 'z' && !by_pattern && !strstr(opts, "nosort"))
                continue;
            bool store = rnd(3) == 0;
            /* A set's own order is its hash's: compare it only sorted. */
            if (key[0] == 's' && strstr(opts, "nosort") && !store)
                continue;
            snprintf(line, sizeof(line), "SORT %s%s%s", key, opts, store ? " STORE dst" : "");
            same(line);
            if (store)
                same("LRANGE dst 0 -1");
        }
    }
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
    Suite *s = suite_create("sort");
    TCase *basic = tcase_new("basic");
    tcase_add_test(basic, test_numeric_alpha_limit);
    tcase_add_test(basic, test_by_and_get);
    tcase_add_test(basic, test_resp3_null);
    tcase_add_test(basic, test_zsets_and_sets);
    tcase_add_test(basic, test_store);
    tcase_add_test(basic, test_set_by_constant_in_script);
    suite_add_tcase(s, basic);
    TCase *other = tcase_new("keys-events");
    tcase_add_test(other, test_keys_and_acl);
    tcase_add_test(other, test_keyspace_events);
    suite_add_tcase(s, other);
    TCase *fuzz = tcase_new("fuzz");
    tcase_add_test(fuzz, test_fuzz_against_redis);
    suite_add_tcase(s, fuzz);
    return harness_run_suite(s);
}
