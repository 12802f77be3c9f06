/* bitmap_test.c: black-box tests of the bitmap commands: SETBIT, GETBIT,
 * BITCOUNT and BITPOS (BYTE and BIT ranges), BITOP, BITFIELD and
 * BITFIELD_RO: replies, exact error texts, the order of Redis's checks,
 * how a string grows (zero-filled, raw, bounded by proto-max-bulk-len),
 * keyspace events, the change counter, and ACL read-only keys.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's
 * reply byte for byte. Each test starts its own server. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* SET key to len bytes of value (any bytes). */
static void set_bytes(const char *key, const char *value, size_t len)
{
    const char *argv[] = {"SET", key, value};
    size_t lens[] = {3, strlen(key), len};
    char *reply = conn_cmd_argv(client, 3, argv, lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
}

/* Asserts that the bulk reply to line is the len bytes at want (which
 * may hold NUL bytes, so the reply is measured from its header). */
static void ck_bulk_bytes(const char *line, const char *want, size_t len)
{
    char *reply = conn_cmd(client, line);
    char header[32];
    snprintf(header, sizeof(header), "$%zu\r\n", len);
    size_t header_len = strlen(header);
    ck_assert_msg(strncmp(reply, header, header_len) == 0 &&
                      memcmp(reply + header_len, want, len) == 0 &&
                      memcmp(reply + header_len + len, "\r\n", 2) == 0,
                  "%s: got %s", line, harness_escape(reply));
    free(reply);
}

static long long changes(void)
{
    char *v = conn_info_field(client, "rdb_changes_since_last_save");
    ck_assert_ptr_nonnull(v);
    long long n = strtoll(v, NULL, 10);
    free(v);
    return n;
}

#define ERR_OFFSET "-ERR bit offset is not an integer or out of range\r\n"
#define ERR_BIT "-ERR bit is not an integer or out of range\r\n"
#define ERR_TYPE                                                                               \
    "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "   \
    "but i64 is.\r\n"
#define ERR_WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

START_TEST(test_setbit_getbit)
{
    ck_cmd(client, "SETBIT k 7 1", ":0\r\n");
    ck_cmd(client, "GET k", "$1\r\n\x01\r\n");
    ck_cmd(client, "SETBIT k 7 0", ":1\r\n");
    ck_cmd(client, "SETBIT k 100 1", ":0\r\n");
    ck_cmd(client, "STRLEN k", ":13\r\n");
    ck_cmd(client, "OBJECT ENCODING k", "$3\r\nraw\r\n");
    ck_cmd(client, "GETBIT k 100", ":1\r\n");
    ck_cmd(client, "GETBIT k 99", ":0\r\n");
    ck_cmd(client, "GETBIT k 100000", ":0\r\n");
    ck_cmd(client, "GETBIT nokey 3", ":0\r\n");
    /* An integer or embstr value becomes raw once a bit is written. */
    ck_cmd(client, "SET n 12345", "+OK\r\n");
    ck_cmd(client, "OBJECT ENCODING n", "$3\r\nint\r\n");
    ck_cmd(client, "GETBIT n 2", ":1\r\n");
    ck_cmd(client, "SETBIT n 6 1", ":0\r\n");
    ck_cmd(client, "GET n", "$5\r\n32345\r\n");
    ck_cmd(client, "OBJECT ENCODING n", "$3\r\nraw\r\n");
    /* Errors, offset first. */
    ck_cmd(client, "SETBIT k -1 1", ERR_OFFSET);
    ck_cmd(client, "SETBIT k abc 1", ERR_OFFSET);
    ck_cmd(client, "SETBIT k 4294967296 1", ERR_OFFSET);
    ck_cmd(client, "SETBIT k abc x", ERR_OFFSET);
    ck_cmd(client, "SETBIT k 1 2", ERR_BIT);
    ck_cmd(client, "SETBIT k 1 -1", ERR_BIT);
    ck_cmd(client, "SETBIT k 1 x", ERR_BIT);
    ck_cmd(client, "GETBIT k -1", ERR_OFFSET);
    ck_cmd(client, "GETBIT k 4294967296", ERR_OFFSET);
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "SETBIT l 0 1", ERR_WRONGTYPE);
    ck_cmd(client, "GETBIT l 0", ERR_WRONGTYPE);
    ck_cmd(client, "GETBIT l x", ERR_OFFSET);
    ck_cmd(client, "SETBIT k", "-ERR wrong number of arguments for 'setbit' command\r\n");
}
END_TEST

START_TEST(test_setbit_limit)
{
    /* The last bit below proto-max-bulk-len bytes is allowed. */
    ck_cmd(client, "CONFIG SET proto-max-bulk-len 1048576", "+OK\r\n");
    ck_cmd(client, "SETBIT big 8388608 1", ERR_OFFSET);
    ck_cmd(client, "SETBIT big 8388607 1", ":0\r\n");
    ck_cmd(client, "STRLEN big", ":1048576\r\n");
    ck_cmd(client, "BITCOUNT big", ":1\r\n");
    ck_cmd(client, "BITPOS big 1", ":8388607\r\n");
    ck_cmd(client, "BITFIELD big GET u8 8388600", "*1\r\n:1\r\n");
    /* Only the offset is bounded: a field starting on the last byte may
     * end past it, and the string grows by a byte. */
    ck_cmd(client, "BITFIELD big SET u2 8388607 1", "*1\r\n:2\r\n");
    ck_cmd(client, "STRLEN big", ":1048577\r\n");
    ck_cmd(client, "BITFIELD big SET u2 #4194303 1", "*1\r\n:0\r\n");
    ck_cmd(client, "BITFIELD big SET u2 #4194304 1", ERR_OFFSET);
    /* Growing bit by bit stays cheap (greedy growth) and zero-filled. */
    for (int i = 0; i < 2000; i++) {
        char line[64];
        snprintf(line, sizeof(line), "SETBIT grow %d 1", i * 64 + 3);
        ck_cmd(client, line, ":0\r\n");
    }
    ck_cmd(client, "STRLEN grow", ":15993\r\n");
    ck_cmd(client, "BITCOUNT grow", ":2000\r\n");
}
END_TEST

START_TEST(test_bitcount)
{
    ck_cmd(client, "BITCOUNT nokey", ":0\r\n");
    /* A missing key answers before the range is read (Redis 7.0). */
    ck_cmd(client, "BITCOUNT nokey a b", ":0\r\n");
    ck_cmd(client, "BITCOUNT nokey 0", ":0\r\n");
    ck_cmd(client, "SET s foobar", "+OK\r\n");
    ck_cmd(client, "BITCOUNT s", ":26\r\n");
    ck_cmd(client, "BITCOUNT s 0 0", ":4\r\n");
    ck_cmd(client, "BITCOUNT s 1 1", ":6\r\n");
    ck_cmd(client, "BITCOUNT s 1 1 BYTE", ":6\r\n");
    ck_cmd(client, "BITCOUNT s 5 30 BIT", ":17\r\n");
    ck_cmd(client, "BITCOUNT s 5 30 bit", ":17\r\n");
    ck_cmd(client, "BITCOUNT s -3 -1 BIT", ":1\r\n");
    ck_cmd(client, "BITCOUNT s 0 -1", ":26\r\n");
    ck_cmd(client, "BITCOUNT s -100 100", ":26\r\n");
    ck_cmd(client, "BITCOUNT s 2 1", ":0\r\n");
    ck_cmd(client, "BITCOUNT s -1 -2", ":0\r\n");
    ck_cmd(client, "BITCOUNT s 100 200", ":0\r\n");
    ck_cmd(client, "BITCOUNT s 0 4294967296", ":26\r\n");
    ck_cmd(client, "BITCOUNT s 0", "-ERR syntax error\r\n");
    ck_cmd(client, "BITCOUNT s 0 1 WORD", "-ERR syntax error\r\n");
    ck_cmd(client, "BITCOUNT s 0 1 BIT x", "-ERR syntax error\r\n");
    ck_cmd(client, "BITCOUNT s a 1", "-ERR value is not an integer or out of range\r\n");
    /* Both negative and reversed: 0 before the unit is read. */
    ck_cmd(client, "BITCOUNT s -1 -2 WORD", ":0\r\n");
    set_bytes("e", "", 0);
    ck_cmd(client, "BITCOUNT e", ":0\r\n");
    ck_cmd(client, "BITCOUNT e 0 -1", ":0\r\n");
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "BITCOUNT l", ERR_WRONGTYPE);
}
END_TEST

START_TEST(test_bitpos)
{
    ck_cmd(client, "BITPOS nokey 0", ":0\r\n");
    ck_cmd(client, "BITPOS nokey 1", ":-1\r\n");
    ck_cmd(client, "BITPOS nokey 1 x y", ":-1\r\n");
    ck_cmd(client, "BITPOS nokey 2", "-ERR The bit argument must be 1 or 0.\r\n");
    ck_cmd(client, "BITPOS nokey x", "-ERR value is not an integer or out of range\r\n");
    set_bytes("ff", "\xff\xf0\x00", 3);
    ck_cmd(client, "BITPOS ff 0", ":12\r\n");
    ck_cmd(client, "BITPOS ff 1", ":0\r\n");
    ck_cmd(client, "BITPOS ff 1 2", ":-1\r\n");
    ck_cmd(client, "BITPOS ff 0 0 0", ":-1\r\n");
    ck_cmd(client, "BITPOS ff 1 1 -1", ":8\r\n");
    ck_cmd(client, "BITPOS ff 1 4 100 BIT", ":4\r\n");
    ck_cmd(client, "BITPOS ff 1 12 23 BIT", ":-1\r\n");
    ck_cmd(client, "BITPOS ff 0 2 11 BIT", ":-1\r\n");
    ck_cmd(client, "BITPOS ff 0 2 12 bit", ":12\r\n");
    ck_cmd(client, "BITPOS ff 1 5 5 BIT", ":5\r\n");
    ck_cmd(client, "BITPOS ff 1 0 -1 BYTE", ":0\r\n");
    /* All ones: without an end the string continues with zeros. */
    set_bytes("ones", "\xff\xff\xff", 3);
    ck_cmd(client, "BITPOS ones 0", ":24\r\n");
    ck_cmd(client, "BITPOS ones 0 1", ":24\r\n");
    ck_cmd(client, "BITPOS ones 0 0 -1", ":-1\r\n");
    ck_cmd(client, "BITPOS ones 0 0 23 BIT", ":-1\r\n");
    ck_cmd(client, "BITPOS ones 0 5", ":-1\r\n");
    /* A long run checks the word-at-a-time search. */
    ck_cmd(client, "SETBIT long 1000 1", ":0\r\n");
    ck_cmd(client, "BITPOS long 1", ":1000\r\n");
    ck_cmd(client, "BITPOS long 1 3", ":1000\r\n");
    ck_cmd(client, "BITPOS long 1 3 100 BIT", ":-1\r\n");
    ck_cmd(client, "BITPOS long 1 1000 1000 BIT", ":1000\r\n");
    ck_cmd(client, "BITPOS long 1 126 -1", ":-1\r\n");
    ck_cmd(client, "BITPOS long 1 125 -1", ":1000\r\n");
    set_bytes("e", "", 0);
    ck_cmd(client, "BITPOS e 0", ":-1\r\n");
    ck_cmd(client, "BITPOS e 1", ":-1\r\n");
    ck_cmd(client, "BITPOS ff 1 0 1 WORD", "-ERR syntax error\r\n");
    ck_cmd(client, "BITPOS ff 1 0 1 BIT x", "-ERR syntax error\r\n");
    ck_cmd(client, "BITPOS ff 1 x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "BITPOS l 0", ERR_WRONGTYPE);
}
END_TEST

START_TEST(test_bitop)
{
    ck_cmd(client, "SET a foobar", "+OK\r\n");
    ck_cmd(client, "SET b abcdef", "+OK\r\n");
    ck_cmd(client, "SET c x", "+OK\r\n");
    ck_cmd(client, "BITOP AND d a b", ":6\r\n");
    ck_cmd(client, "GET d", "$6\r\n`bc`ab\r\n");
    ck_cmd(client, "OBJECT ENCODING d", "$3\r\nraw\r\n");
    ck_cmd(client, "BITOP or d a b", ":6\r\n");
    ck_cmd(client, "GET d", "$6\r\ngoofev\r\n");
    /* Shorter sources and missing keys count as zero bytes. */
    ck_cmd(client, "BITOP XOR d a c nokey", ":6\r\n");
    ck_cmd(client, "GET d", "$6\r\n\x1eoobar\r\n");
    ck_cmd(client, "BITOP AND d a c", ":6\r\n");
    ck_bulk_bytes("GET d", "`\x00\x00\x00\x00\x00", 6);
    ck_cmd(client, "BITOP NOT d c", ":1\r\n");
    ck_cmd(client, "GET d", "$1\r\n\x87\r\n");
    /* The destination may be a source; its TTL goes. */
    ck_cmd(client, "EXPIRE d 100", ":1\r\n");
    ck_cmd(client, "BITOP NOT d d", ":1\r\n");
    ck_cmd(client, "GET d", "$1\r\nx\r\n");
    ck_cmd(client, "TTL d", ":-1\r\n");
    /* An empty result deletes the destination. */
    ck_cmd(client, "BITOP OR d nokey nokey2", ":0\r\n");
    ck_cmd(client, "EXISTS d", ":0\r\n");
    ck_cmd(client, "BITOP NOT d nokey", ":0\r\n");
    ck_cmd(client, "BITOP FOO d a", "-ERR syntax error\r\n");
    ck_cmd(client, "BITOP NOT d a b", "-ERR BITOP NOT must be called with a single source key.\r\n");
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "BITOP AND d a l", ERR_WRONGTYPE);
    /* The destination's type does not matter: it is replaced. */
    ck_cmd(client, "BITOP AND l a", ":6\r\n");
    ck_cmd(client, "TYPE l", "+string\r\n");
    /* Integer-encoded sources are read as their text. */
    ck_cmd(client, "SET n 1", "+OK\r\n");
    ck_cmd(client, "BITOP NOT d n", ":1\r\n");
    ck_cmd(client, "GET d", "$1\r\n\xce\r\n");
    ck_cmd(client, "BITOP AND d", "-ERR wrong number of arguments for 'bitop' command\r\n");
}
END_TEST

START_TEST(test_bitfield)
{
    ck_cmd(client, "BITFIELD bf SET u8 0 255 GET u8 0 INCRBY u8 0 10",
           "*3\r\n:0\r\n:255\r\n:9\r\n");
    ck_cmd(client, "BITFIELD bf OVERFLOW SAT INCRBY u8 0 300 OVERFLOW FAIL INCRBY u8 0 1 GET u8 0",
           "*3\r\n:255\r\n$-1\r\n:255\r\n");
    ck_cmd(client, "BITFIELD bf SET i8 #1 -100 INCRBY i8 #1 -100 OVERFLOW SAT INCRBY i8 #1 -100",
           "*3\r\n:0\r\n:56\r\n:-44\r\n");
    ck_cmd(client, "BITFIELD bf overflow wrap set i8 #2 200 get i8 #2 get u4 #5 get i1 0",
           "*4\r\n:0\r\n:-56\r\n:8\r\n:-1\r\n");
    ck_cmd(client, "BITFIELD i SET i64 0 -1 INCRBY i64 0 -9223372036854775807",
           "*2\r\n:0\r\n:-9223372036854775808\r\n");
    ck_cmd(client, "BITFIELD i OVERFLOW SAT INCRBY i64 0 -10 INCRBY i64 0 9223372036854775807",
           "*2\r\n:-9223372036854775808\r\n:-1\r\n");
    ck_cmd(client, "BITFIELD i SET u63 0 -1 GET u63 0",
           "*2\r\n:9223372036854775807\r\n:9223372036854775807\r\n");
    ck_cmd(client, "BITFIELD bf GET u8 1000000", "*1\r\n:0\r\n");
    ck_cmd(client, "STRLEN bf", ":3\r\n");
    /* GET on a missing key reads zeros and creates nothing. */
    ck_cmd(client, "BITFIELD nokey GET u8 0", "*1\r\n:0\r\n");
    ck_cmd(client, "BITFIELD nokey", "*0\r\n");
    ck_cmd(client, "EXISTS nokey", ":0\r\n");
    /* A write creates the key even when OVERFLOW FAIL stops it. */
    ck_cmd(client, "BITFIELD f OVERFLOW FAIL SET u2 10 9", "*1\r\n$-1\r\n");
    ck_bulk_bytes("GET f", "\x00\x00", 2);
    ck_cmd(client, "BITFIELD_RO bf GET u8 0 GET i16 #1", "*2\r\n:255\r\n:-14336\r\n");
    ck_cmd(client, "BITFIELD_RO nokey GET u8 0", "*1\r\n:0\r\n");
    ck_cmd(client, "BITFIELD_RO bf SET u8 0 1",
           "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
    ck_cmd(client, "BITFIELD_RO bf OVERFLOW SAT GET u8 0", "*1\r\n:255\r\n");
    /* Errors, in the order Redis meets them. */
    ck_cmd(client, "BITFIELD bf SET u64 0 1", ERR_TYPE);
    ck_cmd(client, "BITFIELD bf GET i65 0", ERR_TYPE);
    ck_cmd(client, "BITFIELD bf GET i0 0", ERR_TYPE);
    ck_cmd(client, "BITFIELD bf GET x8 0", ERR_TYPE);
    ck_cmd(client, "BITFIELD bf GET u8 -1", ERR_OFFSET);
    ck_cmd(client, "BITFIELD bf GET u8 #-1", ERR_OFFSET);
    ck_cmd(client, "BITFIELD bf GET u8 #", ERR_OFFSET);
    ck_cmd(client, "BITFIELD bf GET u8 4294967296", ERR_OFFSET);
    ck_cmd(client, "BITFIELD bf GET i8 #99999999999999999", ERR_OFFSET);
    ck_cmd(client, "BITFIELD bf GET u8", "-ERR syntax error\r\n");
    ck_cmd(client, "BITFIELD bf FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "BITFIELD bf OVERFLOW", "-ERR syntax error\r\n");
    ck_cmd(client, "BITFIELD bf OVERFLOW BAD GET u8 0", "-ERR Invalid OVERFLOW type specified\r\n");
    ck_cmd(client, "BITFIELD bf INCRBY u8 0 x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "BITFIELD bf SET u8 0 1 FOO", "-ERR syntax error\r\n");
    ck_cmd(client, "RPUSH l a", ":1\r\n");
    ck_cmd(client, "BITFIELD l GET u8 0", ERR_WRONGTYPE);
    ck_cmd(client, "BITFIELD l SET u8 0 1", ERR_WRONGTYPE);
    ck_cmd(client, "BITFIELD_RO l GET u8 0", ERR_WRONGTYPE);
    ck_cmd(client, "BITFIELD", "-ERR wrong number of arguments for 'bitfield' command\r\n");
}
END_TEST

START_TEST(test_change_counter)
{
    /* A write that changes nothing is no change (nor is it logged). */
    long long base = changes();
    ck_cmd(client, "SETBIT foo 0 0", ":0\r\n");
    ck_cmd(client, "BITFIELD foo2 SET i5 0 0", "*1\r\n:0\r\n");
    ck_assert_int_eq(changes(), base + 2);
    ck_cmd(client, "SETBIT foo 0 0", ":0\r\n");
    ck_cmd(client, "BITFIELD foo2 SET i5 0 0", "*1\r\n:0\r\n");
    ck_assert_int_eq(changes(), base + 2);
    ck_cmd(client, "SETBIT foo 0 1", ":0\r\n");
    ck_cmd(client, "SETBIT foo 0 1", ":1\r\n");
    ck_cmd(client, "BITFIELD foo2 SET i5 0 1", "*1\r\n:0\r\n");
    ck_cmd(client, "BITFIELD foo2 SET i5 0 1", "*1\r\n:1\r\n");
    ck_assert_int_eq(changes(), base + 4);
    /* Each changed field counts; a grown string counts every write. */
    ck_cmd(client, "BITFIELD f3 SET u8 0 5 SET u8 8 5", "*2\r\n:0\r\n:0\r\n");
    ck_assert_int_eq(changes(), base + 6);
    ck_cmd(client, "BITFIELD f3 OVERFLOW FAIL INCRBY u8 0 1000", "*1\r\n$-1\r\n");
    ck_assert_int_eq(changes(), base + 6);
    ck_cmd(client, "BITFIELD f3 SET u8 0 5 SET u8 200 0", "*2\r\n:5\r\n:0\r\n");
    ck_assert_int_eq(changes(), base + 8);
    ck_cmd(client, "BITFIELD f4 OVERFLOW FAIL SET u2 0 9", "*1\r\n$-1\r\n");
    ck_assert_int_eq(changes(), base + 8);
    ck_cmd(client, "BITOP NOT d f3", ":26\r\n");
    ck_assert_int_eq(changes(), base + 9);
}
END_TEST

START_TEST(test_keyspace_events)
{
    struct conn *sub = conn_open(server->port);
    ck_cmd(client, "CONFIG SET notify-keyspace-events KEA", "+OK\r\n");
    conn_send(sub, "PSUBSCRIBE __keyevent@0__:*");
    ck_read(sub, "*3\r\n$10\r\npsubscribe\r\n$16\r\n__keyevent@0__:*\r\n:1\r\n");
    ck_cmd(client, "SETBIT b 3 1", ":0\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$21\r\n__keyevent@0__:setbit\r\n"
                 "$1\r\nb\r\n");
    ck_cmd(client, "SETBIT b 3 1", ":1\r\n");
    ck_cmd(client, "BITFIELD b GET u8 0", "*1\r\n:16\r\n");
    ck_cmd(client, "BITFIELD b INCRBY u8 0 1", "*1\r\n:17\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$21\r\n__keyevent@0__:setbit\r\n"
                 "$1\r\nb\r\n");
    ck_cmd(client, "BITOP NOT d b", ":1\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$18\r\n__keyevent@0__:set\r\n"
                 "$1\r\nd\r\n");
    ck_cmd(client, "BITOP AND d nokey", ":0\r\n");
    ck_read(sub, "*4\r\n$8\r\npmessage\r\n$16\r\n__keyevent@0__:*\r\n$18\r\n__keyevent@0__:del\r\n"
                 "$1\r\nd\r\n");
    ck_silent(sub);
    conn_close(sub);
}
END_TEST

START_TEST(test_acl_read_only_keys)
{
    /* A GET-only BITFIELD reads its key, so a user with read-only access to
     * it may run it; a SET or INCRBY needs write access. */
    ck_cmd(client, "SET k x", "+OK\r\n");
    ck_cmd(client, "ACL SETUSER ro on nopass %R~* +@all", "+OK\r\n");
    struct conn *ro = conn_open(server->port);
    ck_cmd(ro, "AUTH ro x", "+OK\r\n");
    ck_cmd(ro, "BITFIELD k GET u8 0 OVERFLOW SAT GET i4 4", "*2\r\n:120\r\n:-8\r\n");
    ck_cmd(ro, "BITFIELD_RO k GET u8 0", "*1\r\n:120\r\n");
    ck_cmd(ro, "GETBIT k 1", ":1\r\n");
    ck_cmd(ro, "BITFIELD k GET u8 0 SET u8 0 1",
           "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
    ck_cmd(ro, "BITFIELD k INCRBY u8 0 1",
           "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
    ck_cmd(ro, "SETBIT k 0 1",
           "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n");
    conn_close(ro);
    /* COMMAND GETKEYSANDFLAGS reports the flags of this call. */
    ck_cmd(client, "COMMAND GETKEYSANDFLAGS BITFIELD k GET u8 0 OVERFLOW SAT",
           "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n");
    ck_cmd(client, "COMMAND GETKEYSANDFLAGS BITFIELD k GET u8 0 SET u8 0 1",
           "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
    ck_cmd(client, "COMMAND GETKEYSANDFLAGS SET k v",
           "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
    ck_cmd(client, "COMMAND GETKEYSANDFLAGS SET k v GET",
           "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bitmap");
    TCase *tc = tcase_create("bitmap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_setbit_getbit);
    tcase_add_test(tc, test_setbit_limit);
    tcase_add_test(tc, test_bitcount);
    tcase_add_test(tc, test_bitpos);
    tcase_add_test(tc, test_bitop);
    tcase_add_test(tc, test_bitfield);
    tcase_add_test(tc, test_change_counter);
    tcase_add_test(tc, test_keyspace_events);
    tcase_add_test(tc, test_acl_read_only_keys);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
