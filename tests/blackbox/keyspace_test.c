/* keyspace_test.c: black-box tests of the commands that act on keys as a
 * whole rather than on their values: DEL, EXISTS, TYPE, KEYS, SCAN,
 * RANDOMKEY, RENAME, COPY, MOVE, SWAPDB, OBJECT, the EXPIRE family, SELECT,
 * DBSIZE and the flushes.
 *
 * Every expectation was checked against Redis 7.0 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply byte
 * for byte. Where Redis returns keys in hash order, the test sorts them
 * before comparing; where it reports a time, the test allows a window.
 *
 * Each test starts its own server (check forks per test), so no test sees
 * another's keys. The few tests that need DEBUG or a maxmemory policy start
 * the server with the extra arguments they need. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keys a test may collect from one reply; more fails the test. */
#define KEYS_COLLECTED_MAX 4096

/* SCAN calls allowed for one full iteration. Redis needs about
 * keys / COUNT calls; ten times that means the cursor never reached 0. */
#define SCAN_CALLS_MAX 10000

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static const char *const DEBUG_ARGS[] = {"--enable-debug-command", "yes", NULL};
static const char *const LFU_ARGS[] = {"--maxmemory-policy", "allkeys-lfu", NULL};

static void fixture_start(const char *const *extra_args)
{
    server = server_start(extra_args);
    client = conn_open(server->port);
}

static void setup_plain(void) { fixture_start(NULL); }
static void setup_debug(void) { fixture_start(DEBUG_ARGS); }
static void setup_lfu(void) { fixture_start(LFU_ARGS); }

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* ---- Helpers ---- */

/* Parses a flat array of bulk strings starting at *pos. Stores up to
 * KEYS_COLLECTED_MAX owned copies in items and advances *pos past the
 * array. Returns the element count. */
static int bulk_array_parse(const char *raw, size_t *pos, char **items)
{
    const char *p = raw + *pos;
    ck_assert_msg(p[0] == '*', "expected an array, got %s", harness_escape(p));
    int count = (int)strtol(p + 1, NULL, 10);
    ck_assert_int_le(count, KEYS_COLLECTED_MAX);
    p = strstr(p, "\r\n") + 2;
    for (int i = 0; i < count; i++) {
        ck_assert_msg(p[0] == '$', "expected a bulk string, got %s", harness_escape(p));
        size_t len = strtoul(p + 1, NULL, 10);
        p = strstr(p, "\r\n") + 2;
        items[i] = strndup(p, len);
        p += len + 2;
    }
    *pos = (size_t)(p - raw);
    return count;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts items, joins them with commas and frees them. Returns owned. */
static char *items_join_sorted(char **items, int count)
{
    qsort(items, (size_t)count, sizeof(*items), string_compare);
    size_t len = 1;
    for (int i = 0; i < count; i++)
        len += strlen(items[i]) + 1;
    char *joined = calloc(1, len);
    for (int i = 0; i < count; i++) {
        if (i > 0)
            strcat(joined, ",");
        strcat(joined, items[i]);
        free(items[i]);
    }
    return joined;
}

/* Asserts that the reply to line is an array of exactly the keys listed in
 * expected (sorted, comma separated), in any order. */
#define ck_cmd_keys(c, line, expected)                                         \
    do {                                                                       \
        char *ck_keys_reply_ = conn_cmd((c), (line));                          \
        char *ck_keys_items_[KEYS_COLLECTED_MAX];                              \
        size_t ck_keys_pos_ = 0;                                               \
        int ck_keys_n_ = bulk_array_parse(ck_keys_reply_, &ck_keys_pos_,      \
                                          ck_keys_items_);                     \
        char *ck_keys_got_ = items_join_sorted(ck_keys_items_, ck_keys_n_);    \
        ck_assert_msg(strcmp(ck_keys_got_, (expected)) == 0,                   \
                      "%s: expected {%s} got {%s}", (line), (expected),        \
                      ck_keys_got_);                                           \
        free(ck_keys_got_);                                                    \
        free(ck_keys_reply_);                                                  \
    } while (0)

/* Runs one SCAN call. Returns the next cursor and stores the returned keys
 * (owned) in items and their count in *count. */
static unsigned long long scan_once(struct conn *c, const char *line, char **items, int *count)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(strncmp(reply, "*2\r\n$", 5) == 0, "%s: got %s", line,
                  harness_escape(reply));
    const char *cursor = strstr(reply + 4, "\r\n") + 2;
    unsigned long long next = strtoull(cursor, NULL, 10);
    size_t pos = (size_t)(strstr(cursor, "\r\n") + 2 - reply);
    *count = bulk_array_parse(reply, &pos, items);
    free(reply);
    return next;
}

/* Sets keys prefix0 .. prefix(count - 1) to their index. */
static void keys_fill(struct conn *c, const char *prefix, int first, int count)
{
    char line[128];
    for (int i = first; i < first + count; i++) {
        snprintf(line, sizeof(line), "SET %s%d %d", prefix, i, i);
        ck_cmd(c, line, "+OK\r\n");
    }
}

/* Polls line every 20 ms until its integer reply equals want or
 * timeout_ms passes. Returns the last value seen. */
static long long poll_integer(struct conn *c, const char *line, long long want, int timeout_ms)
{
    int64_t deadline = harness_wall_ms() + timeout_ms;
    long long value = conn_cmd_integer(c, line);
    while (value != want && harness_wall_ms() < deadline) {
        harness_sleep_ms(20);
        value = conn_cmd_integer(c, line);
    }
    return value;
}

/* ---- DEL, UNLINK, EXISTS, TYPE ---- */

START_TEST(test_del_counts_removed_keys)
{
    ck_cmd(client, "MSET a 1 b 2 c 3", "+OK\r\n");
    ck_cmd(client, "DEL a missing", ":1\r\n");
    /* A key named twice is removed once and counted once. */
    ck_cmd(client, "DEL b b c", ":2\r\n");
    ck_cmd(client, "DEL a b c", ":0\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "DEL", "-ERR wrong number of arguments for 'del' command\r\n");
}
END_TEST

START_TEST(test_unlink_behaves_like_del)
{
    ck_cmd(client, "MSET a 1 b 2", "+OK\r\n");
    ck_cmd(client, "UNLINK a b missing a", ":2\r\n");
    ck_cmd(client, "EXISTS a b", ":0\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    ck_cmd(client, "UNLINK", "-ERR wrong number of arguments for 'unlink' command\r\n");
}
END_TEST

START_TEST(test_exists_counts_duplicates)
{
    ck_cmd(client, "EXISTS a", ":0\r\n");
    ck_cmd(client, "SET a 1", "+OK\r\n");
    ck_cmd(client, "EXISTS a", ":1\r\n");
    /* EXISTS counts arguments, not distinct keys. */
    ck_cmd(client, "EXISTS a a a missing", ":3\r\n");
    ck_cmd(client, "SET b ", "+OK\r\n");
    ck_cmd(client, "EXISTS a b", ":2\r\n");
    ck_cmd(client, "EXISTS", "-ERR wrong number of arguments for 'exists' command\r\n");
}
END_TEST

START_TEST(test_type)
{
    ck_cmd(client, "TYPE missing", "+none\r\n");
    ck_cmd(client, "SET s 12345", "+OK\r\n");
    ck_cmd(client, "TYPE s", "+string\r\n");
    ck_cmd(client, "SET s hello", "+OK\r\n");
    ck_cmd(client, "TYPE s", "+string\r\n");
    ck_cmd(client, "TYPE", "-ERR wrong number of arguments for 'type' command\r\n");
    ck_cmd(client, "TYPE a b", "-ERR wrong number of arguments for 'type' command\r\n");
}
END_TEST

/* ---- KEYS ---- */

START_TEST(test_keys_glob_patterns)
{
    ck_cmd(client, "KEYS *", "*0\r\n");
    ck_cmd(client, "MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 h[llo 6 h*llo 7 foo 8",
           "+OK\r\n");
    ck_cmd_keys(client, "KEYS *", "foo,h*llo,h[llo,hallo,heeeello,hello,hllo,hxllo");
    ck_cmd_keys(client, "KEYS h?llo", "h*llo,h[llo,hallo,hello,hxllo");
    ck_cmd_keys(client, "KEYS h*llo", "h*llo,h[llo,hallo,heeeello,hello,hllo,hxllo");
    ck_cmd_keys(client, "KEYS h[ae]llo", "hallo,hello");
    ck_cmd_keys(client, "KEYS h[^e]llo", "h*llo,h[llo,hallo,hxllo");
    ck_cmd_keys(client, "KEYS h[a-b]llo", "hallo");
    ck_cmd_keys(client, "KEYS h\\*llo", "h*llo");
    ck_cmd_keys(client, "KEYS h\\[llo", "h[llo");
    ck_cmd_keys(client, "KEYS f*", "foo");
    ck_cmd_keys(client, "KEYS foo", "foo");
    ck_cmd_keys(client, "KEYS nomatch*", "");
    ck_cmd(client, "KEYS", "-ERR wrong number of arguments for 'keys' command\r\n");
}
END_TEST

START_TEST(test_keys_pattern_backtracking)
{
    /* A pattern of many stars that can't match must give up quickly
     * instead of trying every split. */
    ck_cmd(client, "SET aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1", "+OK\r\n");
    ck_cmd(client, "KEYS a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
           "*0\r\n");
    ck_cmd(client, "SCAN 0 MATCH a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
           "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "KEYS a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a",
           "*1\r\n$60\r\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
}
END_TEST

START_TEST(test_keys_many)
{
    keys_fill(client, "key:", 0, 300);
    keys_fill(client, "other:", 0, 5);
    char *reply = conn_cmd(client, "KEYS key:*");
    ck_assert_msg(strncmp(reply, "*300\r\n$", 7) == 0, "KEYS key:*: got %.40s",
                  harness_escape(reply));
    free(reply);
    ck_cmd_keys(client, "KEYS other:*", "other:0,other:1,other:2,other:3,other:4");
    ck_cmd_keys(client, "KEYS key:29?", "key:290,key:291,key:292,key:293,key:294,key:295,"
                                        "key:296,key:297,key:298,key:299");
}
END_TEST

/* ---- SCAN ---- */

/* Scans with the given options until the cursor returns to 0 and marks
 * each returned key "<prefix><n>" in seen. Returns the number of calls. */
static int scan_all(struct conn *c, const char *options, const char *prefix, int *seen,
                    int seen_count)
{
    unsigned long long cursor = 0;
    int calls = 0;
    do {
        char line[256];
        char *items[KEYS_COLLECTED_MAX];
        int count = 0;
        snprintf(line, sizeof(line), "SCAN %llu%s", cursor, options);
        cursor = scan_once(c, line, items, &count);
        for (int i = 0; i < count; i++) {
            size_t prefix_len = strlen(prefix);
            if (strncmp(items[i], prefix, prefix_len) == 0) {
                int n = atoi(items[i] + prefix_len);
                ck_assert_int_lt(n, seen_count);
                seen[n]++;
            }
            free(items[i]);
        }
        calls++;
        ck_assert_int_lt(calls, SCAN_CALLS_MAX);
    } while (cursor != 0);
    return calls;
}

START_TEST(test_scan_returns_every_key)
{
    enum { KEY_COUNT = 1000 };
    static int seen[KEY_COUNT];
    keys_fill(client, "key:", 0, KEY_COUNT);
    int calls = scan_all(client, " COUNT 10", "key:", seen, KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_msg(seen[i] >= 1, "key:%d was never returned", i);
    /* COUNT is a hint, but with COUNT 10 one call can't return everything. */
    ck_assert_int_gt(calls, 1);

    /* The default COUNT also gets there. */
    memset(seen, 0, sizeof(seen));
    scan_all(client, "", "key:", seen, KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_msg(seen[i] >= 1, "key:%d was never returned", i);
}
END_TEST

START_TEST(test_scan_survives_writes_during_iteration)
{
    enum { KEY_COUNT = 500 };
    static int seen[KEY_COUNT];
    keys_fill(client, "stable:", 0, KEY_COUNT);
    keys_fill(client, "churn:", 0, KEY_COUNT);
    unsigned long long cursor = 0;
    int calls = 0;
    do {
        char line[128];
        char *items[KEYS_COLLECTED_MAX];
        int count = 0;
        snprintf(line, sizeof(line), "SCAN %llu COUNT 20", cursor);
        cursor = scan_once(client, line, items, &count);
        for (int i = 0; i < count; i++) {
            if (strncmp(items[i], "stable:", 7) == 0)
                seen[atoi(items[i] + 7)]++;
            free(items[i]);
        }
        /* Shrink one set of keys and grow another, so the table resizes
         * while the cursor is in flight. */
        snprintf(line, sizeof(line), "DEL churn:%d", calls);
        conn_cmd_integer(client, line);
        keys_fill(client, "new:", calls * 10, 10);
        calls++;
        ck_assert_int_lt(calls, SCAN_CALLS_MAX);
    } while (cursor != 0);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_msg(seen[i] >= 1, "stable:%d was never returned", i);
}
END_TEST

START_TEST(test_scan_match_and_type)
{
    enum { KEY_COUNT = 200 };
    static int seen[KEY_COUNT];
    keys_fill(client, "user:", 0, KEY_COUNT);
    keys_fill(client, "other:", 0, KEY_COUNT);
    scan_all(client, " MATCH user:* COUNT 50", "user:", seen, KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_int_ge(seen[i], 1);

    /* MATCH filters after the step, so no call returns a non-matching key. */
    int other_seen[KEY_COUNT] = {0};
    scan_all(client, " MATCH user:* COUNT 50", "other:", other_seen, KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_int_eq(other_seen[i], 0);

    memset(seen, 0, sizeof(seen));
    scan_all(client, " TYPE string COUNT 1000", "user:", seen, KEY_COUNT);
    for (int i = 0; i < KEY_COUNT; i++)
        ck_assert_int_ge(seen[i], 1);
    ck_cmd(client, "SCAN 0 TYPE list COUNT 1000", "*2\r\n$1\r\n0\r\n*0\r\n");
    /* Redis 7.0 treats an unknown type name as a type no key has. */
    ck_cmd(client, "SCAN 0 TYPE nosuchtype COUNT 1000", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "SCAN 0 MATCH nomatch* COUNT 1000", "*2\r\n$1\r\n0\r\n*0\r\n");
}
END_TEST

START_TEST(test_scan_small_and_empty)
{
    ck_cmd(client, "SCAN 0", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "MSET foo 1 bar 2 baz 3", "+OK\r\n");
    /* A small keyspace comes back whole in one call. */
    char *items[KEYS_COLLECTED_MAX];
    int count = 0;
    ck_assert_int_eq(scan_once(client, "SCAN 0 COUNT 100", items, &count), 0);
    char *joined = items_join_sorted(items, count);
    ck_assert_str_eq(joined, "bar,baz,foo");
    free(joined);
    ck_cmd(client, "SCAN 0 MATCH f* COUNT 100", "*2\r\n$1\r\n0\r\n*1\r\n$3\r\nfoo\r\n");
    /* Option names and the type name are case-insensitive. */
    ck_cmd(client, "SCAN 0 match f* count 100 type STRING",
           "*2\r\n$1\r\n0\r\n*1\r\n$3\r\nfoo\r\n");
}
END_TEST

START_TEST(test_scan_errors)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "SCAN abc", "-ERR invalid cursor\r\n");
    ck_cmd(client, "SCAN 1x", "-ERR invalid cursor\r\n");
    ck_cmd(client, "SCAN 18446744073709551616", "-ERR invalid cursor\r\n");
    ck_cmd(client, "SCAN 0 COUNT 0", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN 0 COUNT -1", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN 0 COUNT abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SCAN 0 MATCH", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN 0 COUNT", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN 0 TYPE", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN 0 FOO bar", "-ERR syntax error\r\n");
    ck_cmd(client, "SCAN", "-ERR wrong number of arguments for 'scan' command\r\n");
    /* The largest cursor is valid; it ends the iteration. */
    ck_cmd_prefix(client, "SCAN 18446744073709551615", "*2\r\n");
}
END_TEST

/* ---- RANDOMKEY ---- */

START_TEST(test_randomkey)
{
    ck_cmd(client, "RANDOMKEY", "$-1\r\n");
    ck_cmd(client, "SET only v", "+OK\r\n");
    ck_cmd(client, "RANDOMKEY", "$4\r\nonly\r\n");
    ck_cmd(client, "MSET a 1 b 2 c 3", "+OK\r\n");
    bool got[4] = {false};
    for (int i = 0; i < 200; i++) {
        char *reply = conn_cmd(client, "RANDOMKEY");
        if (strcmp(reply, "$1\r\na\r\n") == 0)
            got[0] = true;
        else if (strcmp(reply, "$1\r\nb\r\n") == 0)
            got[1] = true;
        else if (strcmp(reply, "$1\r\nc\r\n") == 0)
            got[2] = true;
        else
            ck_assert_msg(strcmp(reply, "$4\r\nonly\r\n") == 0, "RANDOMKEY: got %s",
                          harness_escape(reply));
        free(reply);
    }
    /* Two hundred draws from four keys miss one with negligible odds. */
    ck_assert(got[0] && got[1] && got[2]);
    ck_cmd(client, "FLUSHDB", "+OK\r\n");
    ck_cmd(client, "RANDOMKEY", "$-1\r\n");
    ck_cmd(client, "RANDOMKEY x", "-ERR wrong number of arguments for 'randomkey' command\r\n");
}
END_TEST

/* ---- RENAME, RENAMENX ---- */

START_TEST(test_rename)
{
    ck_cmd(client, "SET a 1", "+OK\r\n");
    ck_cmd(client, "RENAME a b", "+OK\r\n");
    ck_cmd(client, "GET b", "$1\r\n1\r\n");
    ck_cmd(client, "EXISTS a", ":0\r\n");
    ck_cmd(client, "RENAME a b", "-ERR no such key\r\n");
    ck_cmd(client, "RENAME missing missing", "-ERR no such key\r\n");
    /* Renaming a key onto itself succeeds and changes nothing. */
    ck_cmd(client, "RENAME b b", "+OK\r\n");
    ck_cmd(client, "GET b", "$1\r\n1\r\n");
    /* The destination is overwritten. */
    ck_cmd(client, "SET c 3", "+OK\r\n");
    ck_cmd(client, "RENAME b c", "+OK\r\n");
    ck_cmd(client, "GET c", "$1\r\n1\r\n");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    ck_cmd(client, "RENAME a", "-ERR wrong number of arguments for 'rename' command\r\n");
    ck_cmd(client, "RENAME a b c", "-ERR wrong number of arguments for 'rename' command\r\n");
}
END_TEST

START_TEST(test_rename_carries_ttl)
{
    ck_cmd(client, "SET t v EX 100", "+OK\r\n");
    ck_cmd(client, "RENAME t t2", "+OK\r\n");
    ck_cmd(client, "TTL t2", ":100\r\n");
    /* The source's lack of a TTL replaces the destination's TTL. */
    ck_cmd(client, "SET plain x", "+OK\r\n");
    ck_cmd(client, "RENAME plain t2", "+OK\r\n");
    ck_cmd(client, "TTL t2", ":-1\r\n");
    ck_cmd(client, "GET t2", "$1\r\nx\r\n");
}
END_TEST

START_TEST(test_renamenx)
{
    ck_cmd(client, "MSET a 1 b 2", "+OK\r\n");
    ck_cmd(client, "RENAMENX a b", ":0\r\n");
    ck_cmd(client, "GET a", "$1\r\n1\r\n");
    ck_cmd(client, "RENAMENX a c", ":1\r\n");
    ck_cmd(client, "GET c", "$1\r\n1\r\n");
    ck_cmd(client, "EXISTS a", ":0\r\n");
    ck_cmd(client, "RENAMENX a d", "-ERR no such key\r\n");
    /* Onto itself the destination exists, so nothing happens. */
    ck_cmd(client, "RENAMENX c c", ":0\r\n");
    ck_cmd(client, "SET t v EX 100", "+OK\r\n");
    ck_cmd(client, "RENAMENX t t2", ":1\r\n");
    ck_cmd(client, "TTL t2", ":100\r\n");
    ck_cmd(client, "RENAMENX a", "-ERR wrong number of arguments for 'renamenx' command\r\n");
}
END_TEST

/* ---- COPY ---- */

START_TEST(test_copy)
{
    ck_cmd(client, "SET src hello", "+OK\r\n");
    ck_cmd(client, "COPY src dst", ":1\r\n");
    ck_cmd(client, "GET dst", "$5\r\nhello\r\n");
    /* The copy is independent of its source. */
    ck_cmd(client, "APPEND src !", ":6\r\n");
    ck_cmd(client, "GET dst", "$5\r\nhello\r\n");
    ck_cmd(client, "COPY src dst", ":0\r\n");
    ck_cmd(client, "GET dst", "$5\r\nhello\r\n");
    ck_cmd(client, "COPY src dst REPLACE", ":1\r\n");
    ck_cmd(client, "GET dst", "$6\r\nhello!\r\n");
    ck_cmd(client, "COPY missing dst", ":0\r\n");
    ck_cmd(client, "COPY missing dst REPLACE", ":0\r\n");
    ck_cmd(client, "GET dst", "$6\r\nhello!\r\n");
    ck_cmd(client, "COPY src src", "-ERR source and destination objects are the same\r\n");
    ck_cmd(client, "COPY src src REPLACE",
           "-ERR source and destination objects are the same\r\n");
    ck_cmd(client, "COPY src src DB 0", "-ERR source and destination objects are the same\r\n");
    /* COPY keeps the TTL. */
    ck_cmd(client, "SET t v EX 100", "+OK\r\n");
    ck_cmd(client, "COPY t t2", ":1\r\n");
    ck_cmd(client, "TTL t2", ":100\r\n");
    /* Without a TTL on the source, the copy has none either, even when it
     * replaces a key that had one. */
    ck_cmd(client, "SET volatile v EX 100", "+OK\r\n");
    ck_cmd(client, "COPY src volatile REPLACE", ":1\r\n");
    ck_cmd(client, "TTL volatile", ":-1\r\n");
    /* COPY keeps the encoding. */
    ck_cmd(client, "SET n 12345", "+OK\r\n");
    ck_cmd(client, "COPY n n2", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING n2", "$3\r\nint\r\n");
    ck_cmd(client, "COPY src", "-ERR wrong number of arguments for 'copy' command\r\n");
}
END_TEST

START_TEST(test_copy_to_other_db)
{
    ck_cmd(client, "SET src v", "+OK\r\n");
    ck_cmd(client, "COPY src dst DB 1", ":1\r\n");
    ck_cmd(client, "EXISTS dst", ":0\r\n");
    /* The same name in another database is a different key. */
    ck_cmd(client, "COPY src src DB 2", ":1\r\n");
    ck_cmd(client, "SET src w", "+OK\r\n");
    ck_cmd(client, "COPY src dst DB 1", ":0\r\n");
    ck_cmd(client, "COPY src dst replace db 1", ":1\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "GET dst", "$1\r\nw\r\n");
    ck_cmd(client, "SELECT 2", "+OK\r\n");
    ck_cmd(client, "GET src", "$1\r\nv\r\n");
    ck_cmd(client, "SELECT 0", "+OK\r\n");
    ck_cmd(client, "COPY src dst DB 16", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "COPY src dst DB -1", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "COPY src dst DB abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "COPY src dst DB", "-ERR syntax error\r\n");
    ck_cmd(client, "COPY src dst FOO", "-ERR syntax error\r\n");
}
END_TEST

/* ---- MOVE ---- */

START_TEST(test_move)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "MOVE k 1", ":1\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    /* Redis's "MOVE basic usage": each database counts its own keys. */
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "SELECT 0", "+OK\r\n");
    ck_cmd(client, "MOVE k 1", ":0\r\n");
    ck_cmd(client, "MOVE missing 1", ":0\r\n");
    /* MOVE never overwrites: with the key in both databases it fails and
     * both values stay. */
    ck_cmd(client, "SET k local", "+OK\r\n");
    ck_cmd(client, "MOVE k 1", ":0\r\n");
    ck_cmd(client, "GET k", "$5\r\nlocal\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "SELECT 0", "+OK\r\n");
    ck_cmd(client, "MOVE k 0", "-ERR source and destination objects are the same\r\n");
    ck_cmd(client, "MOVE k 16", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "MOVE k -1", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "MOVE k abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "MOVE k", "-ERR wrong number of arguments for 'move' command\r\n");
    /* The TTL travels with the key. */
    ck_cmd(client, "SET t v EX 100", "+OK\r\n");
    ck_cmd(client, "MOVE t 3", ":1\r\n");
    ck_cmd(client, "TTL t", ":-2\r\n");
    ck_cmd(client, "SELECT 3", "+OK\r\n");
    ck_cmd(client, "TTL t", ":100\r\n");
    ck_cmd(client, "GET t", "$1\r\nv\r\n");
    /* Every type moves, and keeps its TTL. */
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "SADD s a", ":1\r\n");
    ck_cmd(client, "ZADD z 1 a", ":1\r\n");
    ck_cmd(client, "HSET h f v", ":1\r\n");
    ck_cmd(client, "PEXPIRE z 100000", ":1\r\n");
    const char *const moves[] = {"MOVE l 4", "MOVE s 4", "MOVE z 4", "MOVE h 4"};
    for (int i = 0; i < 4; i++)
        ck_cmd(client, moves[i], ":1\r\n");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    ck_cmd(client, "SELECT 4", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":4\r\n");
    ck_cmd(client, "LRANGE l 0 -1", "*1\r\n$1\r\na\r\n");
    ck_cmd(client, "ZSCORE z a", "$1\r\n1\r\n");
    ck_cmd(client, "TTL z", ":100\r\n");
    ck_cmd(client, "TTL h", ":-1\r\n");
}
END_TEST

/* ---- SWAPDB ---- */

START_TEST(test_swapdb)
{
    ck_cmd(client, "SET a 1", "+OK\r\n");
    ck_cmd(client, "EXPIRE a 100", ":1\r\n");
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "SELECT 1", "+OK\r\n");
    ck_cmd(other, "MSET b 2 c 3", "+OK\r\n");
    ck_cmd(client, "SWAPDB 0 1", "+OK\r\n");
    /* Clients keep their database index, so both see the other's data. */
    ck_cmd(client, "DBSIZE", ":2\r\n");
    ck_cmd(client, "GET b", "$1\r\n2\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    ck_cmd(other, "DBSIZE", ":1\r\n");
    ck_cmd(other, "GET a", "$1\r\n1\r\n");
    ck_cmd(other, "TTL a", ":100\r\n");
    conn_close(other);
    ck_cmd(client, "SWAPDB 0 0", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":2\r\n");
    ck_cmd(client, "SWAPDB 1 0", "+OK\r\n");
    ck_cmd(client, "GET a", "$1\r\n1\r\n");
    ck_cmd(client, "SWAPDB 0 16", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "SWAPDB -1 0", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "SWAPDB a 0", "-ERR invalid first DB index\r\n");
    ck_cmd(client, "SWAPDB 0 a", "-ERR invalid second DB index\r\n");
    ck_cmd(client, "SWAPDB 0", "-ERR wrong number of arguments for 'swapdb' command\r\n");
}
END_TEST

/* ---- TOUCH ---- */

START_TEST(test_touch)
{
    ck_cmd(client, "MSET a 1 b 2", "+OK\r\n");
    ck_cmd(client, "TOUCH a", ":1\r\n");
    /* Like EXISTS, TOUCH counts every argument that names a key. */
    ck_cmd(client, "TOUCH a a b missing", ":3\r\n");
    ck_cmd(client, "TOUCH missing", ":0\r\n");
    ck_cmd(client, "TOUCH", "-ERR wrong number of arguments for 'touch' command\r\n");
}
END_TEST

/* ---- SELECT, DBSIZE, FLUSHDB, FLUSHALL ---- */

START_TEST(test_select_isolates_databases)
{
    char line[64];
    char expected[64];
    for (int db = 0; db < 16; db++) {
        snprintf(line, sizeof(line), "SELECT %d", db);
        ck_cmd(client, line, "+OK\r\n");
        snprintf(line, sizeof(line), "SET shared db%d", db);
        ck_cmd(client, line, "+OK\r\n");
        keys_fill(client, "k", 0, db);
    }
    for (int db = 15; db >= 0; db--) {
        snprintf(line, sizeof(line), "SELECT %d", db);
        ck_cmd(client, line, "+OK\r\n");
        snprintf(expected, sizeof(expected), "$%d\r\ndb%d\r\n", db < 10 ? 3 : 4, db);
        ck_cmd(client, "GET shared", expected);
        ck_assert_int_eq(conn_cmd_integer(client, "DBSIZE"), db + 1);
    }
    /* Each connection has its own selected database, starting at 0. */
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "GET shared", "$3\r\ndb0\r\n");
    ck_cmd(client, "SELECT 15", "+OK\r\n");
    ck_cmd(other, "GET shared", "$3\r\ndb0\r\n");
    conn_close(other);
    ck_cmd(client, "SELECT 16", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "SELECT -1", "-ERR DB index is out of range\r\n");
    ck_cmd(client, "SELECT abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "SELECT", "-ERR wrong number of arguments for 'select' command\r\n");
    /* A failed SELECT leaves the selection alone. */
    ck_cmd(client, "GET shared", "$4\r\ndb15\r\n");
}
END_TEST

START_TEST(test_dbsize_and_flushdb)
{
    ck_cmd(client, "DBSIZE", ":0\r\n");
    keys_fill(client, "k", 0, 10);
    ck_cmd(client, "DBSIZE", ":10\r\n");
    ck_cmd(client, "SET k0 overwritten", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":10\r\n");
    ck_cmd(client, "DEL k0", ":1\r\n");
    ck_cmd(client, "DBSIZE", ":9\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "SET other 1", "+OK\r\n");
    ck_cmd(client, "SELECT 0", "+OK\r\n");
    /* FLUSHDB empties the selected database only. */
    ck_cmd(client, "FLUSHDB", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    ck_cmd(client, "FLUSHDB ASYNC", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "FLUSHDB SYNC", "+OK\r\n");
    ck_cmd(client, "FLUSHDB sync", "+OK\r\n");
    ck_cmd(client, "FLUSHDB FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "FLUSHDB SYNC ASYNC", "-ERR syntax error\r\n");
    ck_cmd(client, "DBSIZE 1", "-ERR wrong number of arguments for 'dbsize' command\r\n");
}
END_TEST

START_TEST(test_flushall)
{
    for (int db = 0; db < 16; db += 5) {
        char line[32];
        snprintf(line, sizeof(line), "SELECT %d", db);
        ck_cmd(client, line, "+OK\r\n");
        keys_fill(client, "k", 0, 3);
    }
    ck_cmd(client, "FLUSHALL", "+OK\r\n");
    for (int db = 0; db < 16; db += 5) {
        char line[32];
        snprintf(line, sizeof(line), "SELECT %d", db);
        ck_cmd(client, line, "+OK\r\n");
        ck_cmd(client, "DBSIZE", ":0\r\n");
    }
    /* The flushed keyspace is usable at once, whether freed in line or not. */
    keys_fill(client, "k", 0, 100);
    ck_cmd(client, "FLUSHALL ASYNC", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "GET k1", "$-1\r\n");
    keys_fill(client, "k", 0, 3);
    ck_cmd(client, "FLUSHALL SYNC", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    ck_cmd(client, "FLUSHALL async", "+OK\r\n");
    ck_cmd(client, "FLUSHALL FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "FLUSHALL SYNC ASYNC", "-ERR syntax error\r\n");
}
END_TEST

/* ---- OBJECT ---- */

/* Sets key to value (sent as one argument, so it may hold spaces or be
 * empty) and asserts OBJECT ENCODING's answer. */
static void ck_encoding_after_set(struct conn *c, const char *value, const char *encoding)
{
    const char *argv[] = {"SET", "enc", value};
    char *reply = conn_cmd_argv(c, 3, argv, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    char expected[32];
    snprintf(expected, sizeof(expected), "$%zu\r\n%s\r\n", strlen(encoding), encoding);
    reply = conn_cmd(c, "OBJECT ENCODING enc");
    ck_assert_msg(strcmp(reply, expected) == 0, "SET enc '%s': expected %s got %s", value,
                  encoding, harness_escape(reply));
    free(reply);
}

START_TEST(test_object_encoding_of_set_values)
{
    /* Values that round-trip through a long long are stored as integers. */
    ck_encoding_after_set(client, "12345", "int");
    ck_encoding_after_set(client, "0", "int");
    ck_encoding_after_set(client, "-1", "int");
    ck_encoding_after_set(client, "9223372036854775807", "int");
    ck_encoding_after_set(client, "-9223372036854775808", "int");
    /* Anything that would not print back identically stays a string. */
    ck_encoding_after_set(client, "9223372036854775808", "embstr");
    ck_encoding_after_set(client, "12345678901234567890", "embstr");
    ck_encoding_after_set(client, "01", "embstr");
    ck_encoding_after_set(client, "+1", "embstr");
    ck_encoding_after_set(client, "-0", "embstr");
    ck_encoding_after_set(client, " 1", "embstr");
    ck_encoding_after_set(client, "1.5", "embstr");
    ck_encoding_after_set(client, "1e3", "embstr");
    ck_encoding_after_set(client, "0x10", "embstr");
    ck_encoding_after_set(client, "", "embstr");
    ck_encoding_after_set(client, "hello", "embstr");
    /* Up to 44 bytes fit an embedded string; 45 need a separate buffer. */
    ck_encoding_after_set(client, "abcdefghijabcdefghijabcdefghijabcdefghijabcd", "embstr");
    ck_encoding_after_set(client, "abcdefghijabcdefghijabcdefghijabcdefghijabcde", "raw");
    ck_encoding_after_set(client, "12345678901234567890123456789012345678901234", "embstr");
    ck_encoding_after_set(client, "123456789012345678901234567890123456789012345", "raw");
    ck_cmd(client, "OBJECT ENCODING missing", "$-1\r\n");
}
END_TEST

START_TEST(test_object_encoding_after_writes)
{
    /* APPEND and SETRANGE leave a raw string, even when short or numeric. */
    ck_cmd(client, "SET s 12", "+OK\r\n");
    ck_cmd(client, "APPEND s 3", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING s", "$3\r\nraw\r\n");
    ck_cmd(client, "SET s hello", "+OK\r\n");
    ck_cmd(client, "APPEND s ", ":5\r\n");
    ck_cmd(client, "OBJECT ENCODING s", "$3\r\nraw\r\n");
    ck_cmd(client, "SETRANGE r 0 123", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING r", "$3\r\nraw\r\n");
    /* APPEND to a missing key stores the argument as SET would. */
    ck_cmd(client, "APPEND new 123", ":3\r\n");
    ck_cmd(client, "OBJECT ENCODING new", "$3\r\nint\r\n");
    ck_cmd(client, "APPEND new2 hello", ":5\r\n");
    ck_cmd(client, "OBJECT ENCODING new2", "$6\r\nembstr\r\n");
    /* Counters are integers; INCRBYFLOAT results are strings. */
    ck_cmd(client, "INCR n", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING n", "$3\r\nint\r\n");
    ck_cmd(client, "INCRBY n 100000", ":100001\r\n");
    ck_cmd(client, "OBJECT ENCODING n", "$3\r\nint\r\n");
    ck_cmd(client, "INCRBYFLOAT f 3", "$1\r\n3\r\n");
    ck_cmd(client, "OBJECT ENCODING f", "$6\r\nembstr\r\n");
    /* Other writers of whole values encode like SET. */
    ck_cmd(client, "MSET m1 123 m2 hello", "+OK\r\n");
    ck_cmd(client, "OBJECT ENCODING m1", "$3\r\nint\r\n");
    ck_cmd(client, "OBJECT ENCODING m2", "$6\r\nembstr\r\n");
    ck_cmd(client, "SETNX nx 123", ":1\r\n");
    ck_cmd(client, "OBJECT ENCODING nx", "$3\r\nint\r\n");
    ck_cmd(client, "SETEX ex 100 123", "+OK\r\n");
    ck_cmd(client, "OBJECT ENCODING ex", "$3\r\nint\r\n");
    ck_cmd(client, "GETSET gs 456", "$-1\r\n");
    ck_cmd(client, "OBJECT ENCODING gs", "$3\r\nint\r\n");
    /* Reads and renames don't change the encoding. */
    ck_cmd(client, "SET e hello", "+OK\r\n");
    ck_cmd(client, "GETRANGE e 0 1", "$2\r\nhe\r\n");
    ck_cmd(client, "RENAME e e2", "+OK\r\n");
    ck_cmd(client, "OBJECT ENCODING e2", "$6\r\nembstr\r\n");
}
END_TEST

START_TEST(test_object_refcount)
{
    ck_cmd(client, "SET s hello", "+OK\r\n");
    ck_cmd(client, "OBJECT REFCOUNT s", ":1\r\n");
    ck_cmd(client, "SET big 10000", "+OK\r\n");
    ck_cmd(client, "OBJECT REFCOUNT big", ":1\r\n");
    ck_cmd(client, "SET neg -1", "+OK\r\n");
    ck_cmd(client, "OBJECT REFCOUNT neg", ":1\r\n");
    /* Without maxmemory, 0 .. 9999 are shared objects, reported with
     * INT_MAX as their reference count. */
    ck_cmd(client, "SET z 0", "+OK\r\n");
    ck_cmd(client, "OBJECT REFCOUNT z", ":2147483647\r\n");
    ck_cmd(client, "SET z 9999", "+OK\r\n");
    ck_cmd(client, "OBJECT REFCOUNT z", ":2147483647\r\n");
    ck_cmd(client, "INCR counter", ":1\r\n");
    ck_cmd(client, "OBJECT REFCOUNT counter", ":2147483647\r\n");
    ck_cmd(client, "OBJECT REFCOUNT missing", "$-1\r\n");
}
END_TEST

START_TEST(test_object_idletime)
{
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "OBJECT IDLETIME s", ":0\r\n");
    ck_cmd(client, "OBJECT IDLETIME missing", "$-1\r\n");
    harness_sleep_ms(1600);
    /* OBJECT itself does not count as an access, so asking twice gives the
     * same idle time. */
    long long idle = conn_cmd_integer(client, "OBJECT IDLETIME s");
    ck_assert_int_ge(idle, 1);
    ck_assert_int_le(idle, 3);
    ck_assert_int_ge(conn_cmd_integer(client, "OBJECT IDLETIME s"), 1);
    /* TOUCH and GET are accesses and reset it. */
    ck_cmd(client, "TOUCH s", ":1\r\n");
    ck_cmd(client, "OBJECT IDLETIME s", ":0\r\n");
}
END_TEST

START_TEST(test_object_freq_without_lfu)
{
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "OBJECT FREQ s",
           "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
           "Please note that when switching between policies at runtime LRU and LFU data "
           "will take some time to adjust.\r\n");
    /* A missing key answers nil before the policy is checked. */
    ck_cmd(client, "OBJECT FREQ missing", "$-1\r\n");
}
END_TEST

START_TEST(test_object_freq_with_lfu)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    /* A new key starts at LFU_INIT_VAL; the first access always counts. */
    ck_cmd(client, "OBJECT FREQ k", ":5\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "OBJECT FREQ k", ":6\r\n");
    ck_cmd(client, "OBJECT IDLETIME k",
           "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
           "that when switching between policies at runtime LRU and LFU data will take "
           "some time to adjust.\r\n");
}
END_TEST

START_TEST(test_object_help_and_errors)
{
    ck_cmd(client, "OBJECT HELP",
           "*15\r\n"
           "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
           "+ENCODING <key>\r\n"
           "+    Return the kind of internal representation used in order to store the value\r\n"
           "+    associated with a <key>.\r\n"
           "+FREQ <key>\r\n"
           "+    Return the access frequency index of the <key>. The returned integer is\r\n"
           "+    proportional to the logarithm of the recent access frequency of the key.\r\n"
           "+IDLETIME <key>\r\n"
           "+    Return the idle time of the <key>, that is the approximated number of\r\n"
           "+    seconds elapsed since the last access to the key.\r\n"
           "+REFCOUNT <key>\r\n"
           "+    Return the number of references of the value associated with the specified\r\n"
           "+    <key>.\r\n"
           "+HELP\r\n"
           "+    Prints this help.\r\n");
    ck_cmd_prefix(client, "OBJECT help", "*15\r\n");
    ck_cmd(client, "OBJECT", "-ERR wrong number of arguments for 'object' command\r\n");
    ck_cmd(client, "OBJECT FOO", "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n");
    ck_cmd(client, "OBJECT ENCODING",
           "-ERR wrong number of arguments for 'object|encoding' command\r\n");
    ck_cmd(client, "OBJECT ENCODING a b",
           "-ERR wrong number of arguments for 'object|encoding' command\r\n");
    ck_cmd(client, "OBJECT REFCOUNT",
           "-ERR wrong number of arguments for 'object|refcount' command\r\n");
}
END_TEST

/* ---- EXPIRE family ---- */

START_TEST(test_ttl_and_pttl)
{
    ck_cmd(client, "TTL missing", ":-2\r\n");
    ck_cmd(client, "PTTL missing", ":-2\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "PTTL k", ":-1\r\n");
    ck_cmd(client, "EXPIRE k 100", ":1\r\n");
    /* TTL rounds to the nearest second. */
    ck_cmd(client, "TTL k", ":100\r\n");
    long long pttl = conn_cmd_integer(client, "PTTL k");
    ck_assert_int_gt(pttl, 99000);
    ck_assert_int_le(pttl, 100000);
    ck_cmd(client, "PEXPIRE k 1800", ":1\r\n");
    ck_cmd(client, "TTL k", ":2\r\n");
    ck_cmd(client, "PEXPIRE k 1200", ":1\r\n");
    ck_cmd(client, "TTL k", ":1\r\n");
    pttl = conn_cmd_integer(client, "PTTL k");
    ck_assert_int_gt(pttl, 1000);
    ck_assert_int_le(pttl, 1200);
    ck_cmd(client, "TTL", "-ERR wrong number of arguments for 'ttl' command\r\n");
    ck_cmd(client, "PTTL a b", "-ERR wrong number of arguments for 'pttl' command\r\n");
}
END_TEST

START_TEST(test_expiretime_and_pexpiretime)
{
    ck_cmd(client, "EXPIRETIME missing", ":-2\r\n");
    ck_cmd(client, "PEXPIRETIME missing", ":-2\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "EXPIRETIME k", ":-1\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":-1\r\n");
    ck_cmd(client, "EXPIREAT k 4000000000", ":1\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000000\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":4000000000000\r\n");
    /* EXPIRETIME rounds to the nearest second, like TTL. */
    ck_cmd(client, "PEXPIREAT k 4000000000499", ":1\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000000\r\n");
    ck_cmd(client, "PEXPIREAT k 4000000000500", ":1\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000001\r\n");
    ck_cmd(client, "PEXPIRETIME k", ":4000000000500\r\n");
    /* A relative expire lands at now plus the delay. */
    int64_t before_ms = harness_wall_ms();
    ck_cmd(client, "PEXPIRE k 100000", ":1\r\n");
    int64_t after_ms = harness_wall_ms();
    long long at_ms = conn_cmd_integer(client, "PEXPIRETIME k");
    ck_assert_int_ge(at_ms, before_ms + 100000 - 5);
    ck_assert_int_le(at_ms, after_ms + 100000 + 5);
    long long at_s = conn_cmd_integer(client, "EXPIRETIME k");
    ck_assert_int_eq(at_s, (at_ms + 500) / 1000);
}
END_TEST

START_TEST(test_expireat_and_pexpireat)
{
    char line[128];
    ck_cmd(client, "SET k v", "+OK\r\n");
    snprintf(line, sizeof(line), "EXPIREAT k %lld", (long long)(harness_wall_ms() / 1000 + 100));
    ck_cmd(client, line, ":1\r\n");
    long long ttl = conn_cmd_integer(client, "TTL k");
    ck_assert_int_ge(ttl, 99);
    ck_assert_int_le(ttl, 100);
    snprintf(line, sizeof(line), "PEXPIREAT k %lld", (long long)(harness_wall_ms() + 50000));
    ck_cmd(client, line, ":1\r\n");
    long long pttl = conn_cmd_integer(client, "PTTL k");
    ck_assert_int_gt(pttl, 49000);
    ck_assert_int_le(pttl, 50000);
    ck_cmd(client, "EXPIREAT missing 4000000000", ":0\r\n");
    ck_cmd(client, "PEXPIREAT missing 4000000000000", ":0\r\n");
    /* A time in the past deletes the key and still answers 1. */
    ck_cmd(client, "EXPIREAT k 1", ":1\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "PEXPIREAT k 1", ":1\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "EXPIREAT k 0 NX", ":1\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
}
END_TEST

START_TEST(test_expire_missing_key)
{
    ck_cmd(client, "EXPIRE missing 100", ":0\r\n");
    ck_cmd(client, "PEXPIRE missing 100", ":0\r\n");
    ck_cmd(client, "EXPIRE missing 100 NX", ":0\r\n");
    ck_cmd(client, "EXPIRE missing -1", ":0\r\n");
    ck_cmd(client, "PERSIST missing", ":0\r\n");
    ck_cmd(client, "EXISTS missing", ":0\r\n");
}
END_TEST

START_TEST(test_expire_nx_xx_gt_lt)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    /* A key without a TTL counts as having an infinite one: XX and GT
     * refuse, LT and NX accept. */
    ck_cmd(client, "EXPIRE k 100 XX", ":0\r\n");
    ck_cmd(client, "EXPIRE k 100 GT", ":0\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "EXPIRE k 100 LT", ":1\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "PERSIST k", ":1\r\n");
    ck_cmd(client, "EXPIRE k 100 NX", ":1\r\n");
    ck_cmd(client, "EXPIRE k 200 NX", ":0\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    ck_cmd(client, "EXPIRE k 200 XX", ":1\r\n");
    ck_cmd(client, "TTL k", ":200\r\n");
    ck_cmd(client, "EXPIRE k 50 GT", ":0\r\n");
    ck_cmd(client, "EXPIRE k 300 GT", ":1\r\n");
    ck_cmd(client, "TTL k", ":300\r\n");
    ck_cmd(client, "EXPIRE k 400 LT", ":0\r\n");
    ck_cmd(client, "EXPIRE k 100 LT", ":1\r\n");
    ck_cmd(client, "TTL k", ":100\r\n");
    /* Options are case-insensitive and may repeat. */
    ck_cmd(client, "EXPIRE k 150 xx", ":1\r\n");
    ck_cmd(client, "EXPIRE k 160 XX XX", ":1\r\n");
    ck_cmd(client, "PEXPIRE k 170000 gt", ":1\r\n");
    ck_cmd(client, "TTL k", ":170\r\n");
    ck_cmd(client, "EXPIREAT k 4000000000 GT", ":1\r\n");
    ck_cmd(client, "PEXPIREAT k 3999999999000 GT", ":0\r\n");
    /* GT and LT are strict: the same deadline is refused by both. */
    ck_cmd(client, "EXPIREAT k 4000000000 GT", ":0\r\n");
    ck_cmd(client, "EXPIREAT k 4000000000 LT", ":0\r\n");
    ck_cmd(client, "EXPIRETIME k", ":4000000000\r\n");
    /* XX on a key without a TTL refuses even a deleting time. */
    ck_cmd(client, "SET p v", "+OK\r\n");
    ck_cmd(client, "EXPIRE p 0 XX", ":0\r\n");
    ck_cmd(client, "EXISTS p", ":1\r\n");
}
END_TEST

START_TEST(test_expire_errors)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "EXPIRE k 100 NX XX",
           "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    ck_cmd(client, "EXPIRE k 100 NX GT",
           "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    ck_cmd(client, "PEXPIRE k 100 LT NX",
           "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
    ck_cmd(client, "EXPIRE k 100 GT LT",
           "-ERR GT and LT options at the same time are not compatible\r\n");
    /* The rejected option is echoed as the client spelled it. */
    ck_cmd(client, "EXPIRE k 100 foo", "-ERR Unsupported option foo\r\n");
    ck_cmd(client, "EXPIREAT k 100 Bar", "-ERR Unsupported option Bar\r\n");
    ck_cmd(client, "EXPIRE k 100 XX yy", "-ERR Unsupported option yy\r\n");
    ck_cmd(client, "EXPIRE k abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "EXPIRE k 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "PEXPIRE k 1.5", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "EXPIRE k 9223372036854775808",
           "-ERR value is not an integer or out of range\r\n");
    /* Times that overflow in milliseconds are refused per command name. */
    ck_cmd(client, "EXPIRE k 9223372036854775807",
           "-ERR invalid expire time in 'expire' command\r\n");
    ck_cmd(client, "EXPIRE k -9223372036854775808",
           "-ERR invalid expire time in 'expire' command\r\n");
    ck_cmd(client, "PEXPIRE k 9223372036854775807",
           "-ERR invalid expire time in 'pexpire' command\r\n");
    ck_cmd(client, "EXPIREAT k 9223372036854775807",
           "-ERR invalid expire time in 'expireat' command\r\n");
    /* The same overflow after adding the current time is also refused. */
    ck_cmd(client, "EXPIRE k 9223372036854774",
           "-ERR invalid expire time in 'expire' command\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "EXPIRE", "-ERR wrong number of arguments for 'expire' command\r\n");
    ck_cmd(client, "EXPIRE k", "-ERR wrong number of arguments for 'expire' command\r\n");
    ck_cmd(client, "PEXPIREAT k", "-ERR wrong number of arguments for 'pexpireat' command\r\n");
    ck_cmd(client, "PERSIST", "-ERR wrong number of arguments for 'persist' command\r\n");
}
END_TEST

START_TEST(test_expire_edge_values)
{
    ck_cmd(client, "SET foo bar", "+OK\r\n");
    ck_cmd(client, "EXPIRE foo ", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "EXPIRE foo 10000000000000000",
           "-ERR invalid expire time in 'expire' command\r\n");
    ck_cmd(client, "EXPIRE foo -9999999999999999",
           "-ERR invalid expire time in 'expire' command\r\n");
    ck_cmd(client, "TTL foo", ":-1\r\n");
    /* Absolute millisecond times are taken as they are, near either end. */
    ck_cmd(client, "PEXPIREAT foo 9223372036854770000", ":1\r\n");
    ck_cmd(client, "PEXPIRETIME foo", ":9223372036854770000\r\n");
    ck_cmd(client, "PEXPIREAT foo -9223372036854770000", ":1\r\n");
    ck_cmd(client, "TTL foo", ":-2\r\n");
    /* A negative time passes LT on a key without a TTL, and deletes it. */
    ck_cmd(client, "SET foo bar", "+OK\r\n");
    ck_cmd(client, "EXPIRE foo -10 LT", ":1\r\n");
    ck_cmd(client, "TTL foo", ":-2\r\n");
    /* It fails GT against a real TTL, and the key stays. */
    ck_cmd(client, "SET foo bar EX 100", "+OK\r\n");
    ck_cmd(client, "EXPIRE foo -10 GT", ":0\r\n");
    ck_cmd(client, "TTL foo", ":100\r\n");
    ck_cmd(client, "EXPIRE none 100 NX", ":0\r\n");
    ck_cmd(client, "EXPIRE none 100 XX", ":0\r\n");
    ck_cmd(client, "EXPIRE none 100 GT", ":0\r\n");
    ck_cmd(client, "EXPIRE none 100 LT", ":0\r\n");
    ck_cmd(client, "EXISTS none", ":0\r\n");
}
END_TEST

START_TEST(test_persist)
{
    ck_cmd(client, "SET k v EX 100", "+OK\r\n");
    ck_cmd(client, "PERSIST k", ":1\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
    ck_cmd(client, "PERSIST k", ":0\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "PERSIST missing", ":0\r\n");
    /* A persisted key outlives its old deadline. */
    ck_cmd(client, "SET short v PX 100", "+OK\r\n");
    ck_cmd(client, "PERSIST short", ":1\r\n");
    harness_sleep_ms(200);
    ck_cmd(client, "GET short", "$1\r\nv\r\n");
}
END_TEST

START_TEST(test_zero_and_negative_expire_delete)
{
    const char *const deleters[] = {"EXPIRE k 0",     "EXPIRE k -5", "PEXPIRE k 0",
                                    "PEXPIRE k -100", "EXPIREAT k 0", "PEXPIREAT k 1",
                                    "EXPIRE k -9223372036854775"};
    for (size_t i = 0; i < sizeof(deleters) / sizeof(deleters[0]); i++) {
        ck_cmd(client, "SET k v", "+OK\r\n");
        ck_cmd(client, deleters[i], ":1\r\n");
        ck_cmd(client, "EXISTS k", ":0\r\n");
        ck_cmd(client, "TTL k", ":-2\r\n");
        ck_cmd(client, "DBSIZE", ":0\r\n");
    }
}
END_TEST

START_TEST(test_expired_key_is_gone)
{
    ck_cmd(client, "SET k v PX 100", "+OK\r\n");
    ck_cmd(client, "PEXPIRE k2 100", ":0\r\n");
    ck_cmd(client, "SET k2 v", "+OK\r\n");
    ck_cmd(client, "PEXPIRE k2 100", ":1\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    harness_sleep_ms(200);
    ck_cmd(client, "GET k", "$-1\r\n");
    ck_cmd(client, "EXISTS k k2", ":0\r\n");
    ck_cmd(client, "TTL k2", ":-2\r\n");
    ck_cmd(client, "PTTL k2", ":-2\r\n");
    ck_cmd(client, "TYPE k2", "+none\r\n");
    ck_cmd(client, "KEYS *", "*0\r\n");
    ck_cmd(client, "DBSIZE", ":0\r\n");
    /* The name is free for reuse, without the old TTL. */
    ck_cmd(client, "SET k again", "+OK\r\n");
    ck_cmd(client, "TTL k", ":-1\r\n");
}
END_TEST

START_TEST(test_expire_does_not_resurrect)
{
    ck_cmd(client, "SET foo bar", "+OK\r\n");
    ck_cmd(client, "PEXPIRE foo 100", ":1\r\n");
    harness_sleep_ms(200);
    /* The key is gone even if nothing has reclaimed it yet, so a new
     * EXPIRE finds nothing to act on. */
    ck_cmd(client, "EXPIRE foo 10", ":0\r\n");
    ck_cmd(client, "EXISTS foo", ":0\r\n");
    ck_cmd(client, "GET foo", "$-1\r\n");
}
END_TEST

START_TEST(test_active_expiry_reclaims_untouched_keys)
{
    char line[64];
    for (int i = 0; i < 20; i++) {
        snprintf(line, sizeof(line), "SET volatile:%d v PX 100", i);
        ck_cmd(client, line, "+OK\r\n");
    }
    ck_cmd(client, "SET keeper v", "+OK\r\n");
    ck_cmd(client, "DBSIZE", ":21\r\n");
    /* Nobody reads the volatile keys again; the server must find them. */
    ck_assert_int_eq(poll_integer(client, "DBSIZE", 1, 3000), 1);
    ck_cmd(client, "GET keeper", "$1\r\nv\r\n");
}
END_TEST

/* ---- Lazy expiry (active expiry switched off with DEBUG) ---- */

START_TEST(test_lazy_expiry_on_access)
{
    ck_cmd(client, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    ck_cmd(client, "SET a 1 PX 50", "+OK\r\n");
    ck_cmd(client, "SET b 1 PX 50", "+OK\r\n");
    ck_cmd(client, "SET c 1 PX 50", "+OK\r\n");
    ck_cmd(client, "SET keeper 1", "+OK\r\n");
    harness_sleep_ms(150);
    /* Expired keys still occupy the keyspace until something looks at
     * them, but no command may show them. */
    ck_cmd(client, "DBSIZE", ":4\r\n");
    ck_cmd(client, "KEYS *", "*1\r\n$6\r\nkeeper\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    ck_cmd(client, "DBSIZE", ":3\r\n");
    ck_cmd(client, "EXISTS b", ":0\r\n");
    ck_cmd(client, "TTL c", ":-2\r\n");
    ck_cmd(client, "DBSIZE", ":1\r\n");
    ck_cmd(client, "SCAN 0", "*2\r\n$1\r\n0\r\n*1\r\n$6\r\nkeeper\r\n");
    ck_cmd(client, "DEBUG SET-ACTIVE-EXPIRE 1", "+OK\r\n");
}
END_TEST

START_TEST(test_lazy_expiry_in_other_commands)
{
    ck_cmd(client, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    const char *const setups[] = {"SET e1 1 PX 50", "SET e2 1 PX 50", "SET e3 1 PX 50",
                                  "SET e4 1 PX 50", "SET e5 1 PX 50", "SET e6 1 PX 50",
                                  "SET e7 1 PX 50", "SET e8 1 PX 50", "SET e9 1 PX 50"};
    for (size_t i = 0; i < sizeof(setups) / sizeof(setups[0]); i++)
        ck_cmd(client, setups[i], "+OK\r\n");
    ck_cmd(client, "SET keeper 1", "+OK\r\n");
    harness_sleep_ms(150);
    ck_cmd(client, "RANDOMKEY", "$6\r\nkeeper\r\n");
    ck_cmd(client, "TYPE e1", "+none\r\n");
    ck_cmd(client, "OBJECT ENCODING e2", "$-1\r\n");
    ck_cmd(client, "TOUCH e3", ":0\r\n");
    ck_cmd(client, "RENAME e4 x", "-ERR no such key\r\n");
    ck_cmd(client, "COPY e5 x", ":0\r\n");
    ck_cmd(client, "MOVE e6 1", ":0\r\n");
    ck_cmd(client, "EXPIRE e7 100", ":0\r\n");
    ck_cmd(client, "PERSIST e7", ":0\r\n");
    /* Writers see a fresh key, not the expired value or its TTL. */
    ck_cmd(client, "APPEND e8 x", ":1\r\n");
    ck_cmd(client, "TTL e8", ":-1\r\n");
    ck_cmd(client, "INCR e9", ":1\r\n");
    ck_cmd(client, "TTL e9", ":-1\r\n");
    ck_cmd(client, "SET e1 new XX", "$-1\r\n");
    ck_cmd(client, "SET e1 new NX", "+OK\r\n");
    ck_cmd(client, "DEBUG SET-ACTIVE-EXPIRE 1", "+OK\r\n");
}
END_TEST

/* ---- Suite ---- */

static TCase *tcase_plain(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup_plain, teardown);
    tcase_set_timeout(tc, 30);
    return tc;
}

static void suite_add_basics(Suite *s)
{
    TCase *tc = tcase_plain("keys");
    tcase_add_test(tc, test_del_counts_removed_keys);
    tcase_add_test(tc, test_unlink_behaves_like_del);
    tcase_add_test(tc, test_exists_counts_duplicates);
    tcase_add_test(tc, test_type);
    tcase_add_test(tc, test_keys_glob_patterns);
    tcase_add_test(tc, test_keys_pattern_backtracking);
    tcase_add_test(tc, test_keys_many);
    tcase_add_test(tc, test_scan_returns_every_key);
    tcase_add_test(tc, test_scan_survives_writes_during_iteration);
    tcase_add_test(tc, test_scan_match_and_type);
    tcase_add_test(tc, test_scan_small_and_empty);
    tcase_add_test(tc, test_scan_errors);
    tcase_add_test(tc, test_randomkey);
    tcase_add_test(tc, test_rename);
    tcase_add_test(tc, test_rename_carries_ttl);
    tcase_add_test(tc, test_renamenx);
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_copy_to_other_db);
    tcase_add_test(tc, test_move);
    tcase_add_test(tc, test_swapdb);
    tcase_add_test(tc, test_touch);
    tcase_add_test(tc, test_select_isolates_databases);
    tcase_add_test(tc, test_dbsize_and_flushdb);
    tcase_add_test(tc, test_flushall);
    suite_add_tcase(s, tc);
}

static void suite_add_object(Suite *s)
{
    TCase *tc = tcase_plain("object");
    tcase_add_test(tc, test_object_encoding_of_set_values);
    tcase_add_test(tc, test_object_encoding_after_writes);
    tcase_add_test(tc, test_object_refcount);
    tcase_add_test(tc, test_object_idletime);
    tcase_add_test(tc, test_object_freq_without_lfu);
    tcase_add_test(tc, test_object_help_and_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("object_lfu");
    tcase_add_checked_fixture(tc, setup_lfu, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_object_freq_with_lfu);
    suite_add_tcase(s, tc);
}

static void suite_add_expire(Suite *s)
{
    TCase *tc = tcase_plain("expire");
    tcase_add_test(tc, test_ttl_and_pttl);
    tcase_add_test(tc, test_expiretime_and_pexpiretime);
    tcase_add_test(tc, test_expireat_and_pexpireat);
    tcase_add_test(tc, test_expire_missing_key);
    tcase_add_test(tc, test_expire_nx_xx_gt_lt);
    tcase_add_test(tc, test_expire_errors);
    tcase_add_test(tc, test_expire_edge_values);
    tcase_add_test(tc, test_persist);
    tcase_add_test(tc, test_zero_and_negative_expire_delete);
    tcase_add_test(tc, test_expired_key_is_gone);
    tcase_add_test(tc, test_expire_does_not_resurrect);
    tcase_add_test(tc, test_active_expiry_reclaims_untouched_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("expire_lazy");
    tcase_add_checked_fixture(tc, setup_debug, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_lazy_expiry_on_access);
    tcase_add_test(tc, test_lazy_expiry_in_other_commands);
    suite_add_tcase(s, tc);
}

int main(void)
{
    Suite *s = suite_create("keyspace");
    suite_add_basics(s);
    suite_add_object(s);
    suite_add_expire(s);
    return harness_run_suite(s);
}
