/* notify_test.c: black-box tests of keyspace notifications
 * (notify-keyspace-events): each class letter as a filter, the keyspace
 * and keyevent channels, the events of a representative command of each
 * type, commands that report several events (RENAME, MOVE, a pop that
 * empties its key, SMOVE, LMOVE), "expired" from lazy and from active
 * expiry, "new" and "keymiss", events inside MULTI/EXEC and from served
 * blocking pops, the RESP3 push form (and, for a client listening to its
 * own keys, where the push falls relative to the reply), CONFIG SET turning
 * them on and off at runtime, flags given at start-up, and silence by
 * default.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server, so the events, their order and
 * their bytes are Redis's. The subscriber listens with PSUBSCRIBE
 * __key*@*__:* (or on one exact channel where a test says so). Each test
 * starts its own server (check forks per test). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_PATTERN "__key*@*__:*"

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *sub;             /* owned by the fixture: the subscriber */
static struct conn *cmd;             /* owned by the fixture: runs the commands */

static void setup(void)
{
    struct server_args a = {0};
    server_args_add(&a, "--enable-debug-command", "yes");
    server = server_start(a.v);
    sub = conn_open(server->port);
    cmd = conn_open(server->port);
    ck_cmd(sub, "PSUBSCRIBE " NOTIFY_PATTERN,
           "*3\r\n$10\r\npsubscribe\r\n$12\r\n" NOTIFY_PATTERN "\r\n:1\r\n");
}

static void teardown(void)
{
    conn_close(cmd);
    conn_close(sub);
    server_stop(server);
}

/* Sets notify-keyspace-events to flags ("" allowed). */
static void set_flags(const char *flags)
{
    const char *argv[] = {"CONFIG", "SET", "notify-keyspace-events", flags};
    char *got = conn_cmd_argv(cmd, 4, argv, NULL);
    ck_assert_msg(strcmp(got, "+OK\r\n") == 0, "CONFIG SET %s: %s", flags, harness_escape(got));
    free(got);
}

/* Asserts that the next message on the pattern subscriber is message on
 * channel. */
static void ck_pmessage(const char *channel, const char *message)
{
    char expected[1024];
    snprintf(expected, sizeof(expected),
             "*4\r\n$8\r\npmessage\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n",
             strlen(NOTIFY_PATTERN), NOTIFY_PATTERN, strlen(channel), channel, strlen(message),
             message);
    char *got = conn_read_raw(sub);
    ck_assert_msg(strcmp(got, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(got));
    free(got);
}

/* The next message is event about key in db 0 on the keyspace channel. */
static void ck_space(const char *key, const char *event)
{
    char channel[256];
    snprintf(channel, sizeof(channel), "__keyspace@0__:%s", key);
    ck_pmessage(channel, event);
}

/* The next message is event about key in db 0 on the keyevent channel. */
static void ck_event(const char *event, const char *key)
{
    char channel[256];
    snprintf(channel, sizeof(channel), "__keyevent@0__:%s", event);
    ck_pmessage(channel, key);
}

/* Keyspace events for key, in order, then silence: a NULL-terminated list
 * of event names. */
static void ck_space_all(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    for (const char *e; (e = va_arg(ap, const char *)) != NULL;)
        ck_space(key, e);
    va_end(ap);
    ck_silent(sub);
}

START_TEST(test_default_publishes_nothing)
{
    ck_cmd(cmd, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_cmd(cmd, "GET missing", "$-1\r\n");
    ck_cmd(cmd, "RPUSH l a", ":1\r\n");
    ck_cmd(cmd, "LPOP l", "$1\r\na\r\n");
    ck_cmd(cmd, "DEL k", ":1\r\n");
    ck_cmd(cmd, "SET e v PX 1", "+OK\r\n");
    harness_sleep_ms(20);
    ck_cmd(cmd, "GET e", "$-1\r\n");
    ck_silent(sub);
    /* The subscription itself is there: a PUBLISH to a matching channel
     * arrives. */
    ck_cmd(cmd, "PUBLISH __keyspace@0__:x hi", ":1\r\n");
    ck_pmessage("__keyspace@0__:x", "hi");
}
END_TEST

/* One event of the class scenario below: its class letter, key and name. */
struct class_event {
    char letter;
    const char *key;
    const char *event;
};

/* Runs the scenario, one command per class (and an expiry), on a flushed
 * database (FLUSHALL reports nothing). */
static void run_class_scenario(void)
{
    ck_cmd(cmd, "FLUSHALL", "+OK\r\n");
    ck_cmd(cmd, "SET s 1", "+OK\r\n");
    ck_cmd(cmd, "EXPIRE s 100", ":1\r\n");
    ck_cmd(cmd, "RPUSH l a", ":1\r\n");
    ck_cmd(cmd, "SADD st a", ":1\r\n");
    ck_cmd(cmd, "HSET h f v", ":1\r\n");
    ck_cmd(cmd, "ZADD z 1 a", ":1\r\n");
    ck_cmd(cmd, "SET x 1 PX 1", "+OK\r\n");
    harness_sleep_ms(20);
    ck_cmd(cmd, "GET x", "$-1\r\n");
    ck_cmd(cmd, "DEL s l", ":2\r\n");
}

static const struct class_event class_scenario[] = {
    {'n', "s", "new"},     {'$', "s", "set"},      {'g', "s", "expire"}, {'n', "l", "new"},
    {'l', "l", "rpush"},   {'n', "st", "new"},     {'s', "st", "sadd"},  {'n', "h", "new"},
    {'h', "h", "hset"},    {'n', "z", "new"},      {'z', "z", "zadd"},   {'n', "x", "new"},
    {'$', "x", "set"},     {'g', "x", "expire"},   {'x', "x", "expired"}, {'m', "x", "keymiss"},
    {'g', "s", "del"},     {'g', "l", "del"},
};

/* With flags "K<classes>", exactly the scenario's events whose letter is
 * in classes arrive, in order ('A' stands for every letter but n and m). */
static void check_classes(const char *classes)
{
    char flags[32];
    snprintf(flags, sizeof(flags), "K%s", classes);
    set_flags(flags);
    run_class_scenario();
    bool all = strchr(classes, 'A') != NULL;
    for (size_t i = 0; i < sizeof(class_scenario) / sizeof(class_scenario[0]); i++) {
        const struct class_event *e = &class_scenario[i];
        bool in_all = e->letter != 'n' && e->letter != 'm';
        if (strchr(classes, e->letter) || (all && in_all))
            ck_space(e->key, e->event);
    }
    ck_silent(sub);
}

START_TEST(test_class_filters)
{
    static const char *const classes[] = {"g", "$", "l", "s", "h", "z", "x", "e", "t", "d",
                                          "n", "m", "A", "An", "Am", "g$", "lz", "nm", "Anm"};
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
        check_classes(classes[i]);
    /* A class without K or E publishes nothing. */
    set_flags("A");
    run_class_scenario();
    ck_silent(sub);
}
END_TEST

START_TEST(test_keyspace_and_keyevent_channels)
{
    set_flags("E$");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_event("set", "k");
    ck_silent(sub);
    set_flags("KE$");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_space("k", "set");
    ck_event("set", "k");
    ck_silent(sub);
    /* The database number is the one the command ran in. */
    ck_cmd(cmd, "SELECT 3", "+OK\r\n");
    ck_cmd(cmd, "APPEND k v", ":1\r\n");
    ck_pmessage("__keyspace@3__:k", "append");
    ck_pmessage("__keyevent@3__:append", "k");
    ck_silent(sub);
    /* An exact channel subscription gets a plain message. */
    struct conn *exact = conn_open(server->port);
    ck_cmd(exact, "SUBSCRIBE __keyevent@3__:append",
           "*3\r\n$9\r\nsubscribe\r\n$21\r\n__keyevent@3__:append\r\n:1\r\n");
    ck_cmd(cmd, "APPEND k w", ":2\r\n");
    char *got = conn_read_raw(exact);
    ck_assert_str_eq(got, "*3\r\n$7\r\nmessage\r\n$21\r\n__keyevent@3__:append\r\n$1\r\nk\r\n");
    free(got);
    ck_pmessage("__keyspace@3__:k", "append");
    ck_pmessage("__keyevent@3__:append", "k");
    ck_silent(sub);
    /* Keys are binary-safe and may be long (beyond any small buffer). */
    char key[600];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    const char *argv[] = {"SET", key, "v"};
    got = conn_cmd_argv(cmd, 3, argv, NULL);
    ck_assert_str_eq(got, "+OK\r\n");
    free(got);
    char channel[700];
    snprintf(channel, sizeof(channel), "__keyspace@3__:%s", key);
    ck_pmessage(channel, "set");
    ck_pmessage("__keyevent@3__:set", key);
    conn_close(exact);
}
END_TEST

START_TEST(test_string_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "SET a 1", "+OK\r\n");
    ck_space_all("a", "set", NULL);
    ck_cmd(cmd, "SET a 2 NX", "$-1\r\n");
    ck_cmd(cmd, "SET a 3 XX GET", "$1\r\n1\r\n");
    ck_space_all("a", "set", NULL);
    ck_cmd(cmd, "SETEX a 100 x", "+OK\r\n");
    ck_space_all("a", "set", "expire", NULL);
    ck_cmd(cmd, "SET a 4 KEEPTTL", "+OK\r\n");
    ck_space_all("a", "set", NULL);
    ck_cmd(cmd, "GETSET a 5", "$1\r\n4\r\n");
    ck_space_all("a", "set", NULL);
    ck_cmd(cmd, "GETEX a EX 100", "$1\r\n5\r\n");
    ck_space_all("a", "expire", NULL);
    ck_cmd(cmd, "GETEX a PERSIST", "$1\r\n5\r\n");
    ck_space_all("a", "persist", NULL);
    ck_cmd(cmd, "GETEX a PERSIST", "$1\r\n5\r\n");
    ck_cmd(cmd, "GETEX a", "$1\r\n5\r\n");
    ck_silent(sub);
    ck_cmd(cmd, "GETEX a PXAT 1", "$1\r\n5\r\n");
    ck_space_all("a", "del", NULL);
    ck_cmd(cmd, "SET a 1", "+OK\r\n");
    ck_cmd(cmd, "GETDEL a", "$1\r\n1\r\n");
    ck_space_all("a", "set", "del", NULL);
    ck_cmd(cmd, "GETDEL a", "$-1\r\n");
    ck_cmd(cmd, "INCR n", ":1\r\n");
    ck_cmd(cmd, "DECRBY n 5", ":-4\r\n");
    ck_space_all("n", "incrby", "incrby", NULL);
    ck_cmd(cmd, "INCRBYFLOAT n 1.5", "$4\r\n-2.5\r\n");
    ck_space_all("n", "incrbyfloat", NULL);
    ck_cmd(cmd, "INCR n", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(cmd, "APPEND s ab", ":2\r\n");
    ck_cmd(cmd, "SETRANGE s 1 z", ":2\r\n");
    ck_space_all("s", "append", "setrange", NULL);
    /* An empty value changes nothing and reports nothing. */
    ck_cmd(cmd, "SETRANGE s 5 ", ":2\r\n");
    ck_cmd(cmd, "SETRANGE e 0 ", ":0\r\n");
    ck_cmd(cmd, "SETRANGE e 2 x", ":3\r\n");
    ck_space_all("e", "setrange", NULL);
    ck_cmd(cmd, "MSET m1 1 m2 2", "+OK\r\n");
    ck_space("m1", "set");
    ck_space("m2", "set");
    ck_cmd(cmd, "MSETNX m1 1 m3 3", ":0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_generic_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "MSET a 1 b 2", "+OK\r\n");
    ck_space("a", "set");
    ck_space("b", "set");
    ck_cmd(cmd, "EXPIRE a 100", ":1\r\n");
    ck_cmd(cmd, "EXPIRE a 100 NX", ":0\r\n");
    ck_cmd(cmd, "PEXPIREAT a 99999999999999", ":1\r\n");
    ck_cmd(cmd, "PERSIST a", ":1\r\n");
    ck_cmd(cmd, "PERSIST a", ":0\r\n");
    ck_space_all("a", "expire", "expire", "persist", NULL);
    /* A time already past deletes the key: "del", not "expired". */
    ck_cmd(cmd, "EXPIRE a 0", ":1\r\n");
    ck_space_all("a", "del", NULL);
    ck_cmd(cmd, "DEL a b c", ":1\r\n");
    ck_space_all("b", "del", NULL);
    ck_cmd(cmd, "SET u 1", "+OK\r\n");
    ck_cmd(cmd, "UNLINK u", ":1\r\n");
    ck_space_all("u", "set", "del", NULL);
    /* Reads, TOUCH, TYPE and friends report nothing without 'm'. */
    ck_cmd(cmd, "SET r 1", "+OK\r\n");
    ck_space("r", "set");
    ck_cmd(cmd, "GET r", "$1\r\n1\r\n");
    ck_cmd(cmd, "TOUCH r", ":1\r\n");
    ck_cmd(cmd, "TYPE r", "+string\r\n");
    ck_cmd(cmd, "TTL r", ":-1\r\n");
    ck_silent(sub);
    /* FLUSHDB, FLUSHALL and SWAPDB report nothing per key. */
    ck_cmd(cmd, "SWAPDB 0 1", "+OK\r\n");
    ck_cmd(cmd, "FLUSHDB", "+OK\r\n");
    ck_cmd(cmd, "FLUSHALL", "+OK\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_rename_move_copy)
{
    set_flags("KEgn");
    ck_cmd(cmd, "SET a 1", "+OK\r\n");
    ck_space("a", "new");
    ck_event("new", "a");
    ck_cmd(cmd, "RENAME a b", "+OK\r\n");
    ck_space("b", "new");
    ck_event("new", "b");
    ck_space("a", "rename_from");
    ck_event("rename_from", "a");
    ck_space("b", "rename_to");
    ck_event("rename_to", "b");
    ck_silent(sub);
    ck_cmd(cmd, "RENAME b b", "+OK\r\n");
    ck_cmd(cmd, "RENAMENX b b", ":0\r\n");
    ck_silent(sub);
    set_flags("KAn");
    ck_cmd(cmd, "SET c 1", "+OK\r\n");
    ck_space_all("c", "new", "set", NULL);
    /* RENAME over an existing key: the old one goes silently, the renamed
     * key is "new" there. */
    ck_cmd(cmd, "RENAMENX b c", ":0\r\n");
    ck_cmd(cmd, "RENAME b c", "+OK\r\n");
    ck_space("c", "new");
    ck_space("b", "rename_from");
    ck_space("c", "rename_to");
    ck_silent(sub);
    ck_cmd(cmd, "COPY c d", ":1\r\n");
    ck_space_all("d", "new", "copy_to", NULL);
    ck_cmd(cmd, "COPY c d", ":0\r\n");
    ck_cmd(cmd, "COPY c d REPLACE", ":1\r\n");
    ck_space_all("d", "new", "copy_to", NULL);
    ck_cmd(cmd, "COPY c d DB 2", ":1\r\n");
    ck_pmessage("__keyspace@2__:d", "new");
    ck_pmessage("__keyspace@2__:d", "copy_to");
    ck_silent(sub);
    ck_cmd(cmd, "MOVE d 1", ":1\r\n");
    ck_pmessage("__keyspace@1__:d", "new");
    ck_space("d", "move_from");
    ck_pmessage("__keyspace@1__:d", "move_to");
    ck_silent(sub);
    ck_cmd(cmd, "MOVE c 2", ":1\r\n"); /* c exists in 2 as d only */
    ck_pmessage("__keyspace@2__:c", "new");
    ck_space("c", "move_from");
    ck_pmessage("__keyspace@2__:c", "move_to");
    ck_cmd(cmd, "MOVE missing 1", ":0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_list_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "RPUSH l a b c d e", ":5\r\n");
    ck_cmd(cmd, "LPUSHX l x", ":6\r\n");
    ck_cmd(cmd, "RPUSHX l y", ":7\r\n");
    ck_cmd(cmd, "LPUSHX nol x", ":0\r\n");
    ck_space_all("l", "rpush", "lpush", "rpush", NULL);
    ck_cmd(cmd, "LPOP l", "$1\r\nx\r\n");
    ck_cmd(cmd, "RPOP l 2", "*2\r\n$1\r\ny\r\n$1\r\ne\r\n");
    ck_cmd(cmd, "LPOP l 0", "*0\r\n");
    ck_space_all("l", "lpop", "rpop", NULL);
    ck_cmd(cmd, "LSET l 0 z", "+OK\r\n");
    ck_cmd(cmd, "LINSERT l BEFORE z w", ":5\r\n");
    ck_cmd(cmd, "LINSERT l BEFORE nope w", ":-1\r\n");
    ck_cmd(cmd, "LREM l 1 w", ":1\r\n");
    ck_cmd(cmd, "LREM l 1 nope", ":0\r\n");
    ck_space_all("l", "lset", "linsert", "lrem", NULL);
    /* LTRIM reports even a trim that removed nothing. */
    ck_cmd(cmd, "LTRIM l 0 -1", "+OK\r\n");
    ck_cmd(cmd, "LTRIM l 0 0", "+OK\r\n");
    ck_space_all("l", "ltrim", "ltrim", NULL);
    /* A change that empties the key reports it, then "del". */
    ck_cmd(cmd, "LPOP l", "$1\r\nz\r\n");
    ck_space_all("l", "lpop", "del", NULL);
    ck_cmd(cmd, "RPUSH l a b", ":2\r\n");
    ck_cmd(cmd, "LTRIM l 5 10", "+OK\r\n");
    ck_space_all("l", "rpush", "ltrim", "del", NULL);
    ck_cmd(cmd, "RPUSH l a", ":1\r\n");
    ck_cmd(cmd, "LMPOP 1 l RIGHT COUNT 5", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n");
    ck_space_all("l", "rpush", "rpop", "del", NULL);
    /* LMOVE: the push to the destination is reported first. */
    ck_cmd(cmd, "RPUSH src a", ":1\r\n");
    ck_space("src", "rpush");
    ck_cmd(cmd, "LMOVE src dst RIGHT LEFT", "$1\r\na\r\n");
    ck_space("dst", "lpush");
    ck_space("src", "rpop");
    ck_space("src", "del");
    ck_cmd(cmd, "RPOPLPUSH dst dst", "$1\r\na\r\n");
    ck_space_all("dst", "lpush", "rpop", NULL);
    ck_cmd(cmd, "RPOPLPUSH nolist dst", "$-1\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_hash_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "HSET h a 1 b 2", ":2\r\n");
    ck_cmd(cmd, "HSETNX h a 1", ":0\r\n");
    ck_cmd(cmd, "HSETNX h c 1", ":1\r\n");
    ck_cmd(cmd, "HMSET h d 1", "+OK\r\n");
    ck_cmd(cmd, "HSET h a 1", ":0\r\n"); /* no new field, still reported */
    ck_space_all("h", "hset", "hset", "hset", "hset", NULL);
    ck_cmd(cmd, "HINCRBY h b 1", ":3\r\n");
    ck_cmd(cmd, "HINCRBYFLOAT h b 1.5", "$3\r\n4.5\r\n");
    ck_cmd(cmd, "HINCRBY h b 1", "-ERR hash value is not an integer\r\n");
    ck_space_all("h", "hincrby", "hincrbyfloat", NULL);
    ck_cmd(cmd, "HDEL h a nope", ":1\r\n");
    ck_cmd(cmd, "HDEL h nope", ":0\r\n");
    ck_space_all("h", "hdel", NULL);
    ck_cmd(cmd, "HDEL h b c d", ":3\r\n");
    ck_space_all("h", "hdel", "del", NULL);
}
END_TEST

START_TEST(test_set_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "SADD s a b c", ":3\r\n");
    ck_cmd(cmd, "SADD s a", ":0\r\n");
    ck_cmd(cmd, "SREM s a", ":1\r\n");
    ck_cmd(cmd, "SREM s nope", ":0\r\n");
    ck_space_all("s", "sadd", "srem", NULL);
    ck_cmd(cmd, "SPOP s 0", "*0\r\n");
    ck_cmd_prefix(cmd, "SPOP s", "$1\r\n");
    ck_space_all("s", "spop", NULL);
    ck_cmd_prefix(cmd, "SPOP s 5", "*1\r\n");
    ck_space_all("s", "spop", "del", NULL);
    ck_cmd(cmd, "SADD s2 a", ":1\r\n");
    ck_space("s2", "sadd");
    ck_cmd(cmd, "SMOVE s2 s2 a", ":1\r\n");
    ck_cmd(cmd, "SMOVE s2 s3 nope", ":0\r\n");
    ck_silent(sub);
    set_flags("KAn");
    ck_cmd(cmd, "SMOVE s2 s3 a", ":1\r\n");
    ck_space("s2", "srem");
    ck_space("s2", "del");
    ck_space("s3", "new");
    ck_space_all("s3", "sadd", NULL);
    ck_cmd(cmd, "SINTERSTORE i s3", ":1\r\n");
    ck_space_all("i", "new", "sinterstore", NULL);
    ck_cmd(cmd, "SUNIONSTORE i s3 nokey", ":1\r\n");
    ck_space_all("i", "sunionstore", NULL);
    ck_cmd(cmd, "SDIFFSTORE i s3", ":1\r\n");
    ck_space_all("i", "sdiffstore", NULL);
    /* An empty result deletes the destination: "del"; none if absent. */
    ck_cmd(cmd, "SINTERSTORE i s3 nokey", ":0\r\n");
    ck_space_all("i", "del", NULL);
    ck_cmd(cmd, "SDIFFSTORE i s3 s3", ":0\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_zset_commands)
{
    set_flags("KA");
    ck_cmd(cmd, "ZADD z 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(cmd, "ZADD z 1 a", ":0\r\n"); /* nothing changed: no event */
    ck_cmd(cmd, "ZADD z XX 5 a", ":0\r\n");
    ck_cmd(cmd, "ZADD z INCR 1 a", "$1\r\n6\r\n");
    ck_cmd(cmd, "ZINCRBY z 1 a", "$1\r\n7\r\n");
    ck_space_all("z", "zadd", "zadd", "zincr", "zincr", NULL);
    ck_cmd(cmd, "ZREM z nope", ":0\r\n");
    ck_cmd(cmd, "ZREM z a", ":1\r\n");
    ck_cmd(cmd, "ZREMRANGEBYSCORE z 0 0", ":0\r\n");
    ck_cmd(cmd, "ZREMRANGEBYSCORE z 2 2", ":1\r\n");
    ck_space_all("z", "zrem", "zremrangebyscore", NULL);
    ck_cmd(cmd, "ZREMRANGEBYLEX z - +", ":1\r\n");
    ck_space_all("z", "zremrangebylex", "del", NULL);
    ck_cmd(cmd, "ZADD z 0 a 0 b 0 c 0 d", ":4\r\n");
    ck_cmd(cmd, "ZREMRANGEBYRANK z 0 0", ":1\r\n");
    ck_cmd(cmd, "ZPOPMIN z", "*2\r\n$1\r\nb\r\n$1\r\n0\r\n");
    ck_space_all("z", "zadd", "zremrangebyrank", "zpopmin", NULL);
    ck_cmd(cmd, "ZPOPMAX z 5", "*4\r\n$1\r\nd\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n0\r\n");
    ck_space_all("z", "zpopmax", "del", NULL);
    ck_cmd(cmd, "ZADD z 1 a", ":1\r\n");
    ck_cmd(cmd, "ZMPOP 1 z MIN", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_space_all("z", "zadd", "zpopmin", "del", NULL);
    ck_cmd(cmd, "ZADD src 1 a", ":1\r\n");
    ck_space("src", "zadd");
    ck_cmd(cmd, "ZUNIONSTORE u 1 src", ":1\r\n");
    ck_cmd(cmd, "ZINTERSTORE u 1 src", ":1\r\n");
    ck_cmd(cmd, "ZDIFFSTORE u 2 src src", ":0\r\n");
    ck_space_all("u", "zunionstore", "zinterstore", "del", NULL);
    ck_cmd(cmd, "ZRANGESTORE r src 0 -1", ":1\r\n");
    ck_space_all("r", "zrangestore", NULL);
    ck_cmd(cmd, "ZRANGESTORE r src 5 6", ":0\r\n");
    ck_space_all("r", "del", NULL);
}
END_TEST

START_TEST(test_expired_lazy)
{
    set_flags("KEAm");
    ck_cmd(cmd, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_cmd(cmd, "PEXPIRE k 1", ":1\r\n");
    ck_space("k", "set");
    ck_event("set", "k");
    ck_space("k", "expire");
    ck_event("expire", "k");
    harness_sleep_ms(50);
    ck_silent(sub); /* nothing expires it on its own */
    /* The read finds it expired: "expired", then the miss. */
    ck_cmd(cmd, "GET k", "$-1\r\n");
    ck_space("k", "expired");
    ck_event("expired", "k");
    ck_space("k", "keymiss");
    ck_event("keymiss", "k");
    ck_silent(sub);
    /* A write finds it expired too, and reports no miss. */
    ck_cmd(cmd, "RPUSH l a", ":1\r\n");
    ck_cmd(cmd, "PEXPIRE l 1", ":1\r\n");
    harness_sleep_ms(20);
    ck_cmd(cmd, "LPUSH l b", ":1\r\n");
    ck_space("l", "rpush");
    ck_event("rpush", "l");
    ck_space("l", "expire");
    ck_event("expire", "l");
    ck_space("l", "expired");
    ck_event("expired", "l");
    ck_space("l", "lpush");
    ck_event("lpush", "l");
    ck_silent(sub);
}
END_TEST

START_TEST(test_expired_active)
{
    set_flags("Ex");
    ck_cmd(cmd, "SET k v PX 1", "+OK\r\n");
    ck_cmd(cmd, "SET other v PX 100000", "+OK\r\n");
    /* Nobody touches k: the active cycle finds it. */
    char *got = conn_try_read_raw(sub, 3000);
    ck_assert_msg(got != NULL, "no expired event");
    ck_assert_str_eq(got, "*4\r\n$8\r\npmessage\r\n$12\r\n" NOTIFY_PATTERN
                          "\r\n$22\r\n__keyevent@0__:expired\r\n$1\r\nk\r\n");
    free(got);
    ck_silent(sub);
    ck_cmd(cmd, "DBSIZE", ":1\r\n");
}
END_TEST

START_TEST(test_new_and_keymiss)
{
    set_flags("Knm");
    ck_cmd(cmd, "SET a 1", "+OK\r\n");
    ck_cmd(cmd, "SET a 2", "+OK\r\n"); /* an overwrite is not new */
    ck_space_all("a", "new", NULL);
    ck_cmd(cmd, "RPUSH l x", ":1\r\n");
    ck_cmd(cmd, "RPUSH l y", ":2\r\n");
    ck_space_all("l", "new", NULL);
    ck_cmd(cmd, "SET b 1 NX", "+OK\r\n");
    ck_space_all("b", "new", NULL);
    ck_cmd(cmd, "SINTERSTORE a l", "-WRONGTYPE Operation against a key holding the wrong kind "
                                   "of value\r\n");
    ck_silent(sub);
    /* Read commands that miss report "keymiss", once per missing key. */
    ck_cmd(cmd, "GET nokey", "$-1\r\n");
    ck_space_all("nokey", "keymiss", NULL);
    ck_cmd(cmd, "MGET a nokey a", "*3\r\n$1\r\n2\r\n$-1\r\n$1\r\n2\r\n");
    ck_space_all("nokey", "keymiss", NULL);
    ck_cmd(cmd, "EXISTS nokey", ":0\r\n");
    ck_cmd(cmd, "TYPE nokey", "+none\r\n");
    ck_cmd(cmd, "TTL nokey", ":-2\r\n");
    ck_cmd(cmd, "LRANGE nokey 0 -1", "*0\r\n");
    ck_cmd(cmd, "ZSCORE nokey a", "$-1\r\n");
    ck_space_all("nokey", "keymiss", "keymiss", "keymiss", "keymiss", "keymiss", NULL);
    /* Store commands read their sources: a missing one is a miss. */
    ck_cmd(cmd, "SUNIONSTORE dst nokey", ":0\r\n");
    ck_cmd(cmd, "ZRANGESTORE dst nokey 0 -1", ":0\r\n");
    ck_space_all("nokey", "keymiss", "keymiss", NULL);
    /* OBJECT and the write commands do not. */
    ck_cmd(cmd, "OBJECT ENCODING nokey", "$-1\r\n");
    ck_cmd(cmd, "LPOP nokey", "$-1\r\n");
    ck_cmd(cmd, "DEL nokey", ":0\r\n");
    ck_cmd(cmd, "EXPIRE nokey 10", ":0\r\n");
    ck_silent(sub);
    /* GETDEL and GETEX look up as reads. */
    ck_cmd(cmd, "GETDEL nokey", "$-1\r\n");
    ck_cmd(cmd, "GETEX nokey", "$-1\r\n");
    ck_space_all("nokey", "keymiss", "keymiss", NULL);
    /* 'm' and 'n' alone select nothing else. */
    ck_cmd(cmd, "INCR a", ":3\r\n");
    ck_cmd(cmd, "DEL a", ":1\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_multi_exec)
{
    set_flags("KEA");
    ck_cmd(cmd, "MULTI", "+OK\r\n");
    ck_cmd(cmd, "SET k v", "+QUEUED\r\n");
    ck_cmd(cmd, "RPUSH l a", "+QUEUED\r\n");
    ck_cmd(cmd, "LPOP l", "+QUEUED\r\n");
    ck_silent(sub); /* queued commands have not run */
    ck_cmd(cmd, "EXEC", "*3\r\n+OK\r\n:1\r\n$1\r\na\r\n");
    ck_space("k", "set");
    ck_event("set", "k");
    ck_space("l", "rpush");
    ck_event("rpush", "l");
    ck_space("l", "lpop");
    ck_event("lpop", "l");
    ck_space("l", "del");
    ck_event("del", "l");
    ck_silent(sub);
    ck_cmd(cmd, "MULTI", "+OK\r\n");
    ck_cmd(cmd, "SET k v", "+QUEUED\r\n");
    ck_cmd(cmd, "DISCARD", "+OK\r\n");
    ck_silent(sub);
}
END_TEST

START_TEST(test_blocking_pop_served)
{
    set_flags("Kl");
    struct conn *blocked = conn_open(server->port);
    conn_send(blocked, "BLPOP bl 5");
    for (int i = 0; i < 100; i++) {
        char *info = conn_info_field(cmd, "blocked_clients");
        bool one = info && strcmp(info, "1") == 0;
        free(info);
        if (one)
            break;
        harness_sleep_ms(10);
    }
    ck_cmd(cmd, "RPUSH bl a b", ":2\r\n");
    char *got = conn_read_raw(blocked);
    ck_assert_str_eq(got, "*2\r\n$2\r\nbl\r\n$1\r\na\r\n");
    free(got);
    ck_space("bl", "rpush");
    ck_space("bl", "lpop");
    ck_silent(sub);
    conn_close(blocked);
}
END_TEST

START_TEST(test_resp3_push)
{
    set_flags("KE$");
    struct conn *c3 = conn_open(server->port);
    ck_cmd_prefix(c3, "HELLO 3", "%7\r\n");
    ck_cmd(c3, "SUBSCRIBE __keyspace@0__:k",
           ">3\r\n$9\r\nsubscribe\r\n$16\r\n__keyspace@0__:k\r\n:1\r\n");
    /* Another client's change arrives as a push. */
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    char *got = conn_read_raw(c3);
    ck_assert_str_eq(got, ">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n");
    free(got);
    ck_space("k", "set");
    ck_event("set", "k");
    /* The client's own change: Redis 7.0 writes the push before the reply. */
    conn_send(c3, "SET k w");
    got = conn_read_raw(c3);
    ck_assert_str_eq(got, ">3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n");
    free(got);
    got = conn_read_raw(c3);
    ck_assert_str_eq(got, "+OK\r\n");
    free(got);
    ck_space("k", "set");
    ck_event("set", "k");
    ck_silent(sub);
    ck_silent(c3);
    conn_close(c3);
}
END_TEST

/* Sends line on c and asserts the exact bytes that arrive (reply and
 * pushes, in order) up to a short silence. */
static void ck_bytes(struct conn *c, const char *line, const char *expected)
{
    conn_send(c, line);
    size_t cap = 4096, used = 0;
    char *all = calloc(1, cap);
    for (char *got; (got = conn_try_read_raw(c, 200)) != NULL; free(got)) {
        size_t len = strlen(got);
        ck_assert_uint_lt(used + len, cap);
        memcpy(all + used, got, len);
        used += len;
    }
    ck_assert_msg(strcmp(all, expected) == 0, "%s: expected %s got %s", line,
                  harness_escape(expected), harness_escape(all));
    free(all);
}

#define PUSH_K(event)                                                                          \
    ">4\r\n$8\r\npmessage\r\n$16\r\n__keyspace@0__:*\r\n$16\r\n__keyspace@0__:k\r\n$" event

/* A RESP3 client listening to its own keys: whether the push comes before
 * or after the reply is Redis 7.0's choice per command, kept byte for
 * byte (ZPOPMIN's push even lands inside its reply). */
START_TEST(test_resp3_push_order)
{
    set_flags("KA");
    struct conn *c3 = conn_open(server->port);
    ck_cmd_prefix(c3, "HELLO 3", "%7\r\n");
    ck_cmd(c3, "PSUBSCRIBE __keyspace@0__:*",
           ">3\r\n$10\r\npsubscribe\r\n$16\r\n__keyspace@0__:*\r\n:1\r\n");
    ck_bytes(c3, "SET k 1", PUSH_K("3\r\nset\r\n") "+OK\r\n");
    ck_bytes(c3, "EXPIRE k 100", ":1\r\n" PUSH_K("6\r\nexpire\r\n"));
    ck_bytes(c3, "EXPIRE k 0", PUSH_K("3\r\ndel\r\n") ":1\r\n");
    ck_bytes(c3, "HSET k f v", ":1\r\n" PUSH_K("4\r\nhset\r\n"));
    ck_bytes(c3, "HDEL k f", PUSH_K("4\r\nhdel\r\n") PUSH_K("3\r\ndel\r\n") ":1\r\n");
    ck_bytes(c3, "RPUSH k a b", ":2\r\n" PUSH_K("5\r\nrpush\r\n"));
    ck_bytes(c3, "LPOP k", "$1\r\na\r\n" PUSH_K("4\r\nlpop\r\n"));
    ck_bytes(c3, "LSET k 0 c", "+OK\r\n" PUSH_K("4\r\nlset\r\n"));
    ck_bytes(c3, "RPOPLPUSH k k", PUSH_K("5\r\nlpush\r\n") "$1\r\nc\r\n"
                                  PUSH_K("4\r\nrpop\r\n"));
    ck_bytes(c3, "DEL k", PUSH_K("3\r\ndel\r\n") ":1\r\n");
    ck_bytes(c3, "SADD k a", PUSH_K("4\r\nsadd\r\n") ":1\r\n");
    ck_bytes(c3, "SPOP k", PUSH_K("4\r\nspop\r\n") "$1\r\na\r\n" PUSH_K("3\r\ndel\r\n"));
    ck_bytes(c3, "ZADD k 1 a 2 b", ":2\r\n" PUSH_K("4\r\nzadd\r\n"));
    ck_bytes(c3, "ZPOPMIN k", "*2\r\n" PUSH_K("7\r\nzpopmin\r\n") "$1\r\na\r\n,1\r\n");
    ck_bytes(c3, "ZUNIONSTORE k 1 k", ":1\r\n" PUSH_K("11\r\nzunionstore\r\n"));
    ck_bytes(c3, "ZPOPMAX k 1",
             "*1\r\n" PUSH_K("7\r\nzpopmax\r\n") "*2\r\n$1\r\nb\r\n,2\r\n"
             PUSH_K("3\r\ndel\r\n"));
    conn_close(c3);
}
END_TEST

START_TEST(test_config_set_at_runtime)
{
    set_flags("KEA");
    ck_cmd(cmd, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_space("k", "set");
    ck_event("set", "k");
    set_flags("");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_cmd(cmd, "DEL k", ":1\r\n");
    ck_silent(sub);
    ck_cmd(cmd, "CONFIG SET notify-keyspace-events KEl?",
           "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
           "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
    ck_cmd(cmd, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n");
    set_flags("g$K");
    ck_cmd(cmd, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\ng$K\r\n");
    ck_cmd(cmd, "SET k v", "+OK\r\n");
    ck_cmd(cmd, "RPUSH l a", ":1\r\n");
    ck_space_all("k", "set", NULL);
    set_flags("AnmEK");
    ck_cmd(cmd, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\nAKEm\r\n");
    ck_cmd(cmd, "SET n v", "+OK\r\n");
    ck_space("n", "new"); /* "A" prints without 'n' yet keeps it */
    ck_event("new", "n");
    ck_space("n", "set");
    ck_event("set", "n");
    ck_silent(sub);
}
END_TEST

/* The flags given at start-up (a config file line or --notify-keyspace-events)
 * act from the first command. */
START_TEST(test_flags_at_startup)
{
    struct server_args a = {0};
    server_args_add(&a, "--notify-keyspace-events", "Elg");
    struct server_handle *other = server_start(a.v);
    struct conn *listener = conn_open(other->port);
    struct conn *writer = conn_open(other->port);
    ck_cmd(writer, "CONFIG GET notify-keyspace-events",
           "*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nglE\r\n");
    ck_cmd(listener, "SUBSCRIBE __keyevent@0__:rpush __keyevent@0__:set",
           "*3\r\n$9\r\nsubscribe\r\n$20\r\n__keyevent@0__:rpush\r\n:1\r\n");
    char *got = conn_read_raw(listener);
    ck_assert_str_eq(got, "*3\r\n$9\r\nsubscribe\r\n$18\r\n__keyevent@0__:set\r\n:2\r\n");
    free(got);
    ck_cmd(writer, "SET k v", "+OK\r\n"); /* '$' not selected */
    ck_cmd(writer, "RPUSH l a", ":1\r\n");
    got = conn_read_raw(listener);
    ck_assert_str_eq(got, "*3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:rpush\r\n$1\r\nl\r\n");
    free(got);
    got = conn_try_read_raw(listener, 200);
    ck_assert_msg(got == NULL, "unexpected %s", got ? harness_escape(got) : "");
    conn_close(writer);
    conn_close(listener);
    server_stop(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("notify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_publishes_nothing);
    tcase_add_test(tc, test_class_filters);
    tcase_add_test(tc, test_keyspace_and_keyevent_channels);
    tcase_add_test(tc, test_string_commands);
    tcase_add_test(tc, test_generic_commands);
    tcase_add_test(tc, test_rename_move_copy);
    tcase_add_test(tc, test_list_commands);
    tcase_add_test(tc, test_hash_commands);
    tcase_add_test(tc, test_set_commands);
    tcase_add_test(tc, test_zset_commands);
    tcase_add_test(tc, test_expired_lazy);
    tcase_add_test(tc, test_expired_active);
    tcase_add_test(tc, test_new_and_keymiss);
    tcase_add_test(tc, test_multi_exec);
    tcase_add_test(tc, test_blocking_pop_served);
    tcase_add_test(tc, test_resp3_push);
    tcase_add_test(tc, test_resp3_push_order);
    tcase_add_test(tc, test_config_set_at_runtime);
    tcase_add_test(tc, test_flags_at_startup);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
