/* stream_test.c: black-box tests of the stream commands (XADD, XRANGE,
 * XREVRANGE, XLEN, XDEL, XTRIM, XREAD, XREADGROUP, XGROUP, XACK, XPENDING,
 * XCLAIM, XAUTOCLAIM, XINFO, XSETID): replies and error texts, consumer
 * groups, blocking reads, what reaches the AOF, keyspace events, and a
 * stream surviving DEBUG RELOAD, an AOF rewrite and COPY.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server. IDs are explicit wherever a
 * reply shows them, so replies are byte for byte; times (XCLAIM's TIME,
 * idle counts) are only checked where they cannot vary. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdbool.h>
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

/* ---- Replies and errors (generated from redis-server 7.0.15's replies) ---- */

START_TEST(test_xadd_range_trim_errors)
{
    ck_cmd(client, "xadd s 1-1 a 1 b 2", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd s 1-1 a 1", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xadd s 0-0 a 1", "-ERR The ID specified in XADD must be greater than 0-0\r\n");
    ck_cmd(client, "xadd s 1-* c 3", "$3\r\n1-2\r\n");
    ck_cmd(client, "xadd s 2-* c 3", "$3\r\n2-0\r\n");
    ck_cmd(client, "xadd s 2 a 1", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xadd s 5-5 a 1 b 2", "$3\r\n5-5\r\n");
    ck_cmd(client, "xadd s 6-6 x 1", "$3\r\n6-6\r\n");
    ck_cmd(client, "xadd s badid a 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s - a 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s 7-7 a", "-ERR wrong number of arguments for 'xadd' command\r\n");
    ck_cmd(client, "xadd nokey nomkstream * a 1", "$-1\r\n");
    ck_cmd(client, "xadd s maxlen -1 * a 1", "-ERR The MAXLEN argument must be >= 0.\r\n");
    ck_cmd(client, "xadd s maxlen 2 minid 1 * a 1", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n");
    ck_cmd(client, "xadd s limit 10 8-8 a 1", "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n");
    ck_cmd(client, "xadd s maxlen 10 limit 10 8-8 a 1", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n");
    ck_cmd(client, "xlen s", ":5\r\n");
    ck_cmd(client, "xlen nokey", ":0\r\n");
    ck_cmd(client, "type s", "+stream\r\n");
    ck_cmd(client, "object encoding s", "$6\r\nstream\r\n");
    ck_cmd(client, "xrange s - +", "*5\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xrange s - + count 2", "*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "xrange s - + count 0", "*-1\r\n");
    ck_cmd(client, "xrange s (1-1 +", "*4\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xrange s - (5-5", "*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "xrange s (- +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s 1 2", "*3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "xrange s (18446744073709551615-18446744073709551615 +", "-ERR invalid start ID for the interval\r\n");
    ck_cmd(client, "xrevrange s + -", "*5\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "xrevrange s + - count 1", "*1\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xrevrange s (6-6 -", "*4\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "xrange s - + foo", "-ERR syntax error\r\n");
    ck_cmd(client, "xrange nokey - +", "*0\r\n");
    ck_cmd(client, "xdel s 1-2 9-9", ":1\r\n");
    ck_cmd(client, "xdel s bad", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s - +", "*4\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-6\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-2\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xtrim s maxlen 2", ":2\r\n");
    ck_cmd(client, "xrange s - +", "*2\r\n*2\r\n$3\r\n5-5\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xtrim s minid 6-6", ":1\r\n");
    ck_cmd(client, "xtrim s foo 1", "-ERR syntax error\r\n");
    ck_cmd(client, "xtrim s", "-ERR wrong number of arguments for 'xtrim' command\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-6\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-2\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n6-6\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xsetid s 1-1", "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n");
    ck_cmd(client, "xsetid s 100-1 entriesadded 1", "+OK\r\n");
    ck_cmd(client, "xsetid s 100-1 maxdeletedid 200-0", "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n");
    ck_cmd(client, "xsetid s 100-1 entriesadded 50 maxdeletedid 50-0", "+OK\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$5\r\n100-1\r\n$20\r\nmax-deleted-entry-id\r\n$4\r\n50-0\r\n$13\r\nentries-added\r\n:50\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n6-6\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n6-6\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xsetid nokey 1-1", "-ERR no such key\r\n");
    ck_cmd(client, "xadd e maxlen 0 1-1 a b", "$3\r\n1-1\r\n");
    ck_cmd(client, "xinfo stream e", "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n1-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    ck_cmd(client, "xinfo stream nokey", "-ERR no such key\r\n");
    ck_cmd(client, "set str x", "+OK\r\n");
    ck_cmd(client, "xadd str 1-1 a 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "xlen str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "xrange str - +", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "xread streams str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}
END_TEST

START_TEST(test_consumer_groups)
{
    ck_cmd(client, "xadd s 1-1 a 1", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd s 2-1 a 2", "$3\r\n2-1\r\n");
    ck_cmd(client, "xadd s 3-1 a 3", "$3\r\n3-1\r\n");
    ck_cmd(client, "xgroup create s g $", "+OK\r\n");
    ck_cmd(client, "xgroup create s g $", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xgroup create nokey g $", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    ck_cmd(client, "xgroup create nokey g $ mkstream", "+OK\r\n");
    ck_cmd(client, "xinfo stream nokey", "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n0-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:0\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    ck_cmd(client, "xgroup create s g2 0 entriesread 1", "+OK\r\n");
    ck_cmd(client, "xgroup create s g3 0 entriesread -5", "-ERR value for ENTRIESREAD must be positive or -1\r\n");
    ck_cmd(client, "xgroup create s g3 0 foo", "-ERR unknown subcommand or wrong number of arguments for 'create'. Try XGROUP HELP.\r\n");
    ck_cmd(client, "xinfo groups s", "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-1\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:2\r\n");
    ck_cmd(client, "xadd s 10-1 f v", "$4\r\n10-1\r\n");
    ck_cmd(client, "xadd s 10-2 f v", "$4\r\n10-2\r\n");
    ck_cmd(client, "xreadgroup group g c1 streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$4\r\n10-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n10-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xreadgroup group g2 c1 count 1 streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "xreadgroup group g2 c2 streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*4\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n*2\r\n$4\r\n10-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n10-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:5\r\n$3\r\n1-1\r\n$4\r\n10-2\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n*2\r\n$2\r\nc2\r\n$1\r\n4\r\n");
    ck_cmd(client, "xreadgroup group g2 c1 streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "xack s g2 1-1", ":1\r\n");
    ck_cmd(client, "xack s g2 bad", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:4\r\n$3\r\n2-1\r\n$4\r\n10-2\r\n*1\r\n*2\r\n$2\r\nc2\r\n$1\r\n4\r\n");
    ck_cmd(client, "xclaim s g2 c3 0 2-1 justid", "*1\r\n$3\r\n2-1\r\n");
    ck_cmd(client, "xclaim s g2 c3 0 2-1 justid bogus", "-ERR Unrecognized XCLAIM option 'bogus'\r\n");
    ck_cmd(client, "xclaim s g2 c3 x 2-1", "-ERR Invalid min-idle-time argument for XCLAIM\r\n");
    ck_cmd(client, "xclaim s nog c3 0 2-1", "-NOGROUP No such key 's' or consumer group 'nog'\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:4\r\n$3\r\n2-1\r\n$4\r\n10-2\r\n*2\r\n*2\r\n$2\r\nc2\r\n$1\r\n3\r\n*2\r\n$2\r\nc3\r\n$1\r\n1\r\n");
    ck_cmd(client, "xautoclaim s g2 c4 0 0 count 1 justid", "*3\r\n$3\r\n3-1\r\n*1\r\n$3\r\n2-1\r\n*0\r\n");
    ck_cmd(client, "xautoclaim s g2 c4 0 0 count 0", "-ERR COUNT must be > 0\r\n");
    ck_cmd(client, "xautoclaim s g2 c4 0 0 count x", "-ERR COUNT must be > 0\r\n");
    ck_cmd(client, "xautoclaim s nog c4 0 0", "-NOGROUP No such key 's' or consumer group 'nog'\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:4\r\n$3\r\n2-1\r\n$4\r\n10-2\r\n*2\r\n*2\r\n$2\r\nc2\r\n$1\r\n3\r\n*2\r\n$2\r\nc4\r\n$1\r\n1\r\n");
    ck_cmd(client, "xdel s 3-1", ":1\r\n");
    ck_cmd(client, "xautoclaim s g2 c4 0 0 justid", "*3\r\n$3\r\n0-0\r\n*3\r\n$3\r\n2-1\r\n$4\r\n10-1\r\n$4\r\n10-2\r\n*1\r\n$3\r\n3-1\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:3\r\n$3\r\n2-1\r\n$4\r\n10-2\r\n*1\r\n*2\r\n$2\r\nc4\r\n$1\r\n3\r\n");
    ck_cmd(client, "xgroup delconsumer s g2 c4", ":3\r\n");
    ck_cmd(client, "xgroup delconsumer s g2 c4", ":0\r\n");
    ck_cmd(client, "xgroup createconsumer s g2 c9", ":1\r\n");
    ck_cmd(client, "xgroup createconsumer s g2 c9", ":0\r\n");
    ck_cmd(client, "xgroup createconsumer s nog c9", "-NOGROUP No such consumer group 'nog' for key name 's'\r\n");
    ck_cmd(client, "xgroup setid s g2 0 entriesread 0", "+OK\r\n");
    ck_cmd(client, "xgroup setid s g2 0 entriesread -3", "-ERR value for ENTRIESREAD must be positive or -1\r\n");
    ck_cmd(client, "xgroup setid s nog 0", "-NOGROUP No such consumer group 'nog' for key name 's'\r\n");
    ck_cmd(client, "xinfo groups s", "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$4\r\n10-2\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n$-1\r\n");
    ck_cmd(client, "xgroup destroy s g2", ":1\r\n");
    ck_cmd(client, "xgroup destroy s g2", ":0\r\n");
    ck_cmd(client, "xinfo groups s", "*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$4\r\n10-2\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xread streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*4\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$4\r\n10-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n10-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xread count 1 streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "xread streams s $", "*-1\r\n");
    ck_cmd(client, "xread streams s", "-ERR wrong number of arguments for 'xread' command\r\n");
    ck_cmd(client, "xreadgroup streams s >", "-ERR wrong number of arguments for 'xreadgroup' command\r\n");
    ck_cmd(client, "xread streams s >", "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n");
    ck_cmd(client, "xread group g c streams s >", "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n");
    ck_cmd(client, "xread noack streams s >", "-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n");
    ck_cmd(client, "xreadgroup group g c streams s $", "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n");
    ck_cmd(client, "xreadgroup group nog c streams s >", "-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xgroup foo", "-ERR unknown subcommand 'foo'. Try XGROUP HELP.\r\n");
    ck_cmd(client, "xgroup help", "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n");
    ck_cmd(client, "xinfo help", "*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n");
    ck_cmd_prefix(client, "hello 3", "%7\r\n");
    ck_cmd(client, "xread streams s 0", "%1\r\n$1\r\ns\r\n*4\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$4\r\n10-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n10-2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xinfo groups s", "*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$4\r\n10-2\r\n$12\r\nentries-read\r\n:5\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xpending s g", "*4\r\n:2\r\n$4\r\n10-1\r\n$4\r\n10-2\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n2\r\n");
}
END_TEST

START_TEST(test_edge_cases)
{
    ck_cmd(client, "xadd s 18446744073709551615-18446744073709551615 a b", "$41\r\n18446744073709551615-18446744073709551615\r\n");
    ck_cmd(client, "xadd s * c d", "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n");
    ck_cmd(client, "xadd s 18446744073709551615-* c d", "-ERR The stream has exhausted the last possible ID, unable to add more items\r\n");
    ck_cmd(client, "del s", ":1\r\n");
    ck_cmd(client, "xadd s 1-18446744073709551615 a b", "$22\r\n1-18446744073709551615\r\n");
    ck_cmd(client, "xadd s 1-* a b", "-ERR Elements are too large to be stored\r\n");
    ck_cmd(client, "xadd s 2-* a b", "$3\r\n2-0\r\n");
    ck_cmd(client, "del s", ":1\r\n");
    ck_cmd(client, "xadd s 0-* a b", "$3\r\n0-1\r\n");
    ck_cmd(client, "xadd s 0-* a b", "$3\r\n0-2\r\n");
    ck_cmd(client, "xsetid s 0-2 entriesadded 5", "+OK\r\n");
    ck_cmd(client, "xsetid s 0-2 maxdeletedid 0-1", "+OK\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded 5 maxdeletedid 0-1", "+OK\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n0-3\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-1\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n0-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n0-2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded -1 maxdeletedid 0-1", "-ERR entries_added must be positive\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded 1 maxdeletedid 0-1", "-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded 5 maxdeletedid 0-4", "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded 5 maxdeletedid 0-1 foo", "-ERR syntax error\r\n");
    ck_cmd(client, "xsetid s 0-3 entriesadded", "-ERR syntax error\r\n");
    ck_cmd(client, "del s", ":1\r\n");
    ck_cmd(client, "xadd s 1-1 a b", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd s 2-1 a b", "$3\r\n2-1\r\n");
    ck_cmd(client, "xadd s 3-1 a b", "$3\r\n3-1\r\n");
    ck_cmd(client, "xdel s 2-1", ":1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xdel s 1-1", ":1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xtrim s maxlen 0", ":1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n3-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    ck_cmd(client, "xadd s 5-1 a b", "$3\r\n5-1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n5-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-1\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n5-1\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "del s", ":1\r\n");
    ck_cmd(client, "xadd s maxlen ~ 0 1-1 a b", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd s maxlen 0 2-1 a b", "$3\r\n2-1\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$3\r\n2-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    ck_cmd(client, "xtrim s maxlen ~ 0 limit 1", ":0\r\n");
    ck_cmd(client, "xtrim s minid ~ 0 limit 1", ":0\r\n");
    ck_cmd(client, "xtrim s minid 1-1 limit 1", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n");
    ck_cmd(client, "xtrim s maxlen = 1 limit 1", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n");
    ck_cmd(client, "xtrim s maxlen ~ foo", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xtrim s minid foo", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xtrim s limit 1", "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n");
    ck_cmd(client, "xtrim s maxlen 1 maxlen 2", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n");
    ck_cmd(client, "xtrim s minid 1 minid 2", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n");
    ck_cmd(client, "xadd s minid 1 minid 2 * a b", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n");
    ck_cmd(client, "xadd s nomkstream nomkstream 5-0 a b", "$3\r\n5-0\r\n");
    ck_cmd(client, "xadd s nomkstream maxlen 1 nomkstream 6-0 a b", "$3\r\n6-0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n6-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xrange s + -", "*0\r\n");
    ck_cmd(client, "xrange s 5 5", "*0\r\n");
    ck_cmd(client, "xrevrange s 6 5", "*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xrange s 18446744073709551615 +", "*0\r\n");
    ck_cmd(client, "xrange s - 0", "*0\r\n");
    ck_cmd(client, "xrange s -1 +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s 1-x +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s \" 5\" +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s +5 +", "*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xrange s 5-+5 +", "*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xrange s 18446744073709551616 +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s 1- +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s -1-1 +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xread count -1 streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xread count abc streams s 0", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xread block 0 block 1 streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "xread streams s s 0", "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n");
    ck_cmd(client, "xread streams s 0 0", "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n");
    ck_cmd(client, "xinfo stream s full count -1", "*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n6-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\ngroups\r\n*0\r\n");
    ck_cmd(client, "xinfo stream s full count 0", "*18\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n6-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n6-0\r\n$7\r\nentries\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$6\r\ngroups\r\n*0\r\n");
    ck_cmd(client, "xinfo stream s full count abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xinfo stream s full foo 1", "-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n");
    ck_cmd(client, "xinfo stream s foo", "-ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.\r\n");
    ck_cmd(client, "xinfo stream", "-ERR wrong number of arguments for 'xinfo|stream' command\r\n");
    ck_cmd(client, "xinfo foo", "-ERR unknown subcommand 'foo'. Try XINFO HELP.\r\n");
    ck_cmd(client, "xinfo consumers s", "-ERR wrong number of arguments for 'xinfo|consumers' command\r\n");
    ck_cmd(client, "xinfo consumers s nog", "-NOGROUP No such consumer group 'nog' for key name 's'\r\n");
    ck_cmd(client, "xpending s", "-ERR wrong number of arguments for 'xpending' command\r\n");
    ck_cmd(client, "xpending nokey g", "-NOGROUP No such key 'nokey' or consumer group 'g'\r\n");
    ck_cmd(client, "xgroup create s g 1-x", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create s g 0 entriesread abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xgroup create s g 0 mkstream mkstream", "+OK\r\n");
    ck_cmd(client, "xgroup setid s g 0 entriesread 5 foo", "-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n");
    ck_cmd(client, "xgroup setid s g 0 foo 5", "-ERR unknown subcommand or wrong number of arguments for 'setid'. Try XGROUP HELP.\r\n");
    ck_cmd(client, "xgroup setid nokey g 0", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    ck_cmd(client, "xgroup destroy nokey g", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    ck_cmd(client, "xgroup createconsumer nokey g c", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    ck_cmd(client, "xack nokey g 1-1", ":0\r\n");
    ck_cmd(client, "xack s nog 1-1", ":0\r\n");
    ck_cmd(client, "xclaim nokey g c 0 1-1", "-NOGROUP No such key 'nokey' or consumer group 'g'\r\n");
    ck_cmd(client, "xautoclaim nokey g c 0 0", "-NOGROUP No such key 'nokey' or consumer group 'g'\r\n");
    ck_cmd(client, "xautoclaim s nog c 0 0 count 0", "-ERR COUNT must be > 0\r\n");
    ck_cmd(client, "xautoclaim s nog c 0 0 foo", "-ERR syntax error\r\n");
    ck_cmd(client, "xautoclaim s nog c x 0", "-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n");
    ck_cmd(client, "xautoclaim s nog c 0 bad", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xautoclaim s nog c 0 (18446744073709551615-18446744073709551615", "-ERR invalid start ID for the interval\r\n");
    ck_cmd(client, "xpending s nog - + 10", "-NOGROUP No such key 's' or consumer group 'nog'\r\n");
    ck_cmd(client, "xpending s nog idle abc - + 10", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xpending s nog - + abc", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "xpending s nog - + 10 c extra", "-NOGROUP No such key 's' or consumer group 'nog'\r\n");
    ck_cmd(client, "xpending s nog idle 10 - +", "-ERR syntax error\r\n");
    ck_cmd(client, "xpending s nog bad + 10", "-ERR Invalid stream ID specified as stream command argument\r\n");
}
END_TEST

START_TEST(test_history_setid_autoclaim)
{
    ck_cmd(client, "XGROUP CREATE mystream mygroup $ MKSTREAM", "+OK\r\n");
    ck_cmd(client, "XADD mystream 1 field1 A", "$3\r\n1-0\r\n");
    ck_cmd(client, "XREADGROUP GROUP mygroup myconsumer STREAMS mystream >", "*1\r\n*2\r\n$8\r\nmystream\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$6\r\nfield1\r\n$1\r\nA\r\n");
    ck_cmd(client, "XADD mystream MAXLEN 1 2 field1 B", "$3\r\n2-0\r\n");
    ck_cmd(client, "XREADGROUP GROUP mygroup myconsumer STREAMS mystream >", "*1\r\n*2\r\n$8\r\nmystream\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$6\r\nfield1\r\n$1\r\nB\r\n");
    ck_cmd(client, "XREADGROUP GROUP mygroup myconsumer STREAMS mystream 0-1", "*1\r\n*2\r\n$8\r\nmystream\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$6\r\nfield1\r\n$1\r\nB\r\n");
    ck_cmd(client, "XADD mystream 666 f v", "$5\r\n666-0\r\n");
    ck_cmd(client, "XREADGROUP GROUP mygroup Alice BLOCK 10 STREAMS mystream >", "*1\r\n*2\r\n$8\r\nmystream\r\n*1\r\n*2\r\n$5\r\n666-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "XADD mystream 667 f2 v2", "$5\r\n667-0\r\n");
    ck_cmd(client, "XDEL mystream 667", ":1\r\n");
    ck_cmd(client, "XREADGROUP GROUP mygroup Alice BLOCK 10 STREAMS mystream >", "*-1\r\n");
    ck_cmd(client, "xadd events 1-1 f1 v1", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd events 1-2 f1 v1", "$3\r\n1-2\r\n");
    ck_cmd(client, "xgroup create events g1 $", "+OK\r\n");
    ck_cmd(client, "xadd events 1-3 f1 v1", "$3\r\n1-3\r\n");
    ck_cmd(client, "xreadgroup group g1 c1 streams events >", "*1\r\n*2\r\n$6\r\nevents\r\n*1\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n");
    ck_cmd(client, "xgroup setid events g1 -", "+OK\r\n");
    ck_cmd(client, "xreadgroup group g1 c2 streams events >", "*1\r\n*2\r\n$6\r\nevents\r\n*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n");
    ck_cmd(client, "xpending events g1", "*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n1-3\r\n*1\r\n*2\r\n$2\r\nc2\r\n$1\r\n3\r\n");
    ck_cmd(client, "xinfo groups events", "*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-3\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xclaim events g1 c3 0 1-1 1-2 1-3", "*3\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n");
    ck_cmd(client, "xpending events g1", "*4\r\n:3\r\n$3\r\n1-1\r\n$3\r\n1-3\r\n*1\r\n*2\r\n$2\r\nc3\r\n$1\r\n3\r\n");
    ck_cmd(client, "xclaim events g1 c3 0 1-1 retrycount 7 justid", "*1\r\n$3\r\n1-1\r\n");
    ck_cmd(client, "xautoclaim events g1 c4 0 0 count 1", "*3\r\n$3\r\n1-2\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*0\r\n");
    ck_cmd(client, "xautoclaim events g1 c4 0 0 count 2", "*3\r\n$3\r\n1-3\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$2\r\nf1\r\n$2\r\nv1\r\n*0\r\n");
    ck_cmd(client, "xinfo groups events", "*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:3\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-3\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xadd events maxlen 1 1-4 a b", "$3\r\n1-4\r\n");
    ck_cmd(client, "xautoclaim events g1 c5 0 0 count 1", "*3\r\n$3\r\n1-2\r\n*0\r\n*1\r\n$3\r\n1-1\r\n");
    ck_cmd(client, "xautoclaim events g1 c5 0 0", "*3\r\n$3\r\n0-0\r\n*0\r\n*2\r\n$3\r\n1-2\r\n$3\r\n1-3\r\n");
    ck_cmd(client, "xpending events g1", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xinfo groups events", "*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n1-3\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:1\r\n");
    ck_cmd(client, "xinfo stream events", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n1-4\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-4\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-4\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n1-4\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}
END_TEST

START_TEST(test_special_ids)
{
    ck_cmd(client, "xadd s 1-1 a b", "$3\r\n1-1\r\n");
    ck_cmd(client, "xgroup create s g -", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create s g2 +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup setid s g +", "-NOGROUP No such consumer group 'g' for key name 's'\r\n");
    ck_cmd(client, "xinfo groups s", "*0\r\n");
    ck_cmd(client, "xack s g -", ":0\r\n");
    ck_cmd(client, "xdel s +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xsetid s +", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xsetid s 5-5 maxdeletedid -", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xread streams s -", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g c streams s -", "-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xclaim s g c 0 -", "-NOGROUP No such key 's' or consumer group 'g'\r\n");
    ck_cmd(client, "xclaim s g c 0 1-1 lastid -", "-NOGROUP No such key 's' or consumer group 'g'\r\n");
    ck_cmd(client, "xadd s minid - * a b", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s minid + 3-3 a b", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xautoclaim s g c 0 -", "-NOGROUP No such key 's' or consumer group 'g'\r\n");
    ck_cmd(client, "xautoclaim s g c 0 +", "-NOGROUP No such key 's' or consumer group 'g'\r\n");
    ck_cmd(client, "xpending s g - + 10", "-NOGROUP No such key 's' or consumer group 'g'\r\n");
    ck_cmd(client, "xpending s g (- + 10", "-ERR Invalid stream ID specified as stream command argument\r\n");
}
END_TEST

START_TEST(test_arity)
{
    ck_cmd(client, "xgroup create s g", "-ERR wrong number of arguments for 'xgroup|create' command\r\n");
    ck_cmd(client, "xgroup setid s g", "-ERR wrong number of arguments for 'xgroup|setid' command\r\n");
    ck_cmd(client, "xgroup destroy s", "-ERR wrong number of arguments for 'xgroup|destroy' command\r\n");
    ck_cmd(client, "xgroup createconsumer s g", "-ERR wrong number of arguments for 'xgroup|createconsumer' command\r\n");
    ck_cmd(client, "xgroup help foo", "-ERR wrong number of arguments for 'xgroup|help' command\r\n");
    ck_cmd(client, "xinfo help foo", "-ERR wrong number of arguments for 'xinfo|help' command\r\n");
    ck_cmd(client, "xinfo groups", "-ERR wrong number of arguments for 'xinfo|groups' command\r\n");
    ck_cmd(client, "xinfo consumers s", "-ERR wrong number of arguments for 'xinfo|consumers' command\r\n");
    ck_cmd(client, "xinfo stream", "-ERR wrong number of arguments for 'xinfo|stream' command\r\n");
    ck_cmd(client, "xadd s", "-ERR wrong number of arguments for 'xadd' command\r\n");
    ck_cmd(client, "xadd s 1-1", "-ERR wrong number of arguments for 'xadd' command\r\n");
    ck_cmd(client, "xadd s 1-1 a", "-ERR wrong number of arguments for 'xadd' command\r\n");
    ck_cmd(client, "xreadgroup group g c streams", "-ERR wrong number of arguments for 'xreadgroup' command\r\n");
    ck_cmd(client, "xread streams", "-ERR wrong number of arguments for 'xread' command\r\n");
    ck_cmd(client, "xack s g", "-ERR wrong number of arguments for 'xack' command\r\n");
    ck_cmd(client, "xclaim s g c 0", "-ERR wrong number of arguments for 'xclaim' command\r\n");
    ck_cmd(client, "xautoclaim s g c 0", "-ERR wrong number of arguments for 'xautoclaim' command\r\n");
    ck_cmd(client, "xsetid s", "-ERR wrong number of arguments for 'xsetid' command\r\n");
    ck_cmd(client, "xpending s", "-ERR wrong number of arguments for 'xpending' command\r\n");
    ck_cmd(client, "xrange s -", "-ERR wrong number of arguments for 'xrange' command\r\n");
    ck_cmd(client, "xlen", "-ERR wrong number of arguments for 'xlen' command\r\n");
    ck_cmd(client, "xdel s", "-ERR wrong number of arguments for 'xdel' command\r\n");
    ck_cmd(client, "xtrim s maxlen", "-ERR wrong number of arguments for 'xtrim' command\r\n");
}
END_TEST

/* 400 commands drawn at random (XADD with trimming, XDEL, XTRIM, ranges,
 * groups, XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, XINFO, node limits), with
 * the replies redis-server 7.0.15 gave; nothing in them depends on time. */
START_TEST(test_random_sequence_seed11)
{
    ck_cmd(client, "config set stream-node-max-entries 10", "+OK\r\n");
    ck_cmd(client, "config set stream-node-max-bytes 4096", "+OK\r\n");
    ck_cmd(client, "xrange t (1-1 (3-1 count 1", "*0\r\n");
    ck_cmd(client, "xgroup create s g1 3-3 entriesread 4", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 1  streams s 1-0", "-ERR syntax error\r\n");
    ck_cmd(client, "xrange t 1-1 (2-3 count 5", "*0\r\n");
    ck_cmd(client, "xtrim t minid 0-2", ":0\r\n");
    ck_cmd(client, "xadd s  1-3 10 1 h 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xdel t 0-1 1-0", ":0\r\n");
    ck_cmd(client, "xadd s  2 g -5 f v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xlen t", ":0\r\n");
    ck_cmd(client, "xadd s  2-* f -5", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 4  streams t >", "-ERR syntax error\r\n");
    ck_cmd(client, "xinfo stream t", "-ERR no such key\r\n");
    ck_cmd(client, "xack s g1 4-1 3-3 4-0", ":0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 8 2 g 1 g yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "$3\r\n2-0\r\n");
    ck_cmd(client, "xadd s maxlen 2 2-5 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1 g -5", "$3\r\n2-5\r\n");
    ck_cmd(client, "xgroup setid s g1 3-2", "-NOGROUP No such consumer group 'g1' for key name 's'\r\n");
    ck_cmd(client, "xread count 0 streams t 4-0", "*-1\r\n");
    ck_cmd(client, "xadd t maxlen ~ 28 limit 4 3-2 f 123456789012 10 123456789012", "$3\r\n3-2\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 1  streams s >", "-ERR syntax error\r\n");
    ck_cmd(client, "xpending t g2", "-NOGROUP No such key 't' or consumer group 'g2'\r\n");
    ck_cmd(client, "xinfo groups t", "*0\r\n");
    ck_cmd(client, "xrevrange t 4-0 (4-0 count 0", "*-1\r\n");
    ck_cmd(client, "xread count 0 streams s 3-3", "*-1\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-2\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-0\r\n*4\r\n$1\r\ng\r\n$1\r\n1\r\n$1\r\ng\r\n$31\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xdel t 4-1 4-1 2-3", ":0\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-2\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:2\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-0\r\n*4\r\n$1\r\ng\r\n$1\r\n1\r\n$1\r\ng\r\n$31\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xtrim t maxlen ~ 6", ":0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 28 3-* 10 yyyyyyyyyyyyyyyyyyyyyyyyy h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "$3\r\n3-3\r\n");
    ck_cmd(client, "xdel t 2-0", ":1\r\n");
    ck_cmd(client, "xgroup create t g2 5-0 mkstream", "+OK\r\n");
    ck_cmd(client, "xadd t minid ~ 3-0 4-1 f v 10 v 10 1", "$3\r\n4-1\r\n");
    ck_cmd(client, "xadd s  5 g 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange t (3-0 1-1 count 2", "*0\r\n");
    ck_cmd(client, "xadd t  5 f yyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 2 noack streams t >", "-NOGROUP No such key 't' or consumer group 'g1' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xrevrange t 4-1 (4-2 count 1", "*0\r\n");
    ck_cmd(client, "xgroup create t g1 6-0 entriesread -1", "+OK\r\n");
    ck_cmd(client, "xadd t maxlen ~ 25 5-* h 123456789012 g 123456789012", "$3\r\n5-0\r\n");
    ck_cmd(client, "xrevrange t 1-1 6-0 count 0", "*-1\r\n");
    ck_cmd(client, "xadd s  5-* g yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy f 123456789012 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xpending s g1", "-NOGROUP No such key 's' or consumer group 'g1'\r\n");
    ck_cmd(client, "xpending s g1", "-NOGROUP No such key 's' or consumer group 'g1'\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n2-5\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-5\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n5-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-2\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n5-0\r\n*4\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$1\r\ng\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xgroup setid t g1 $", "+OK\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:1\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n2-5\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-5\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n");
    ck_cmd(client, "xack s g2 1-3 6-1", ":0\r\n");
    ck_cmd(client, "xtrim s maxlen 21", ":0\r\n");
    ck_cmd(client, "xrange t 3-0 (7-0 count 1", "*1\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xadd s maxlen 9 5-1 10 -5 g -5", "$3\r\n5-1\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 2 noack streams s 0", "-NOGROUP No such key 's' or consumer group 'g1' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xadd s minid ~ 5-2 5-2 10 -5 h 123456789012 10 v", "$3\r\n5-2\r\n");
    ck_cmd(client, "xclaim s g2 b 0 0-2 justid force", "-NOGROUP No such key 's' or consumer group 'g2'\r\n");
    ck_cmd(client, "xdel t 6-1 1-3 7-1", ":0\r\n");
    ck_cmd(client, "xack s g1 1-1", ":0\r\n");
    ck_cmd(client, "xrange t (0-1 (6-0 count 2", "*2\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n*2\r\n$3\r\n3-3\r\n*4\r\n$2\r\n10\r\n$25\r\nyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$1\r\nh\r\n$46\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n");
    ck_cmd(client, "xgroup create t g2 1-3 entriesread -1", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xtrim s maxlen 30", ":0\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xadd t  6-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xack t g2 5-3", ":0\r\n");
    ck_cmd(client, "xgroup setid s g2 0", "-NOGROUP No such consumer group 'g2' for key name 's'\r\n");
    ck_cmd(client, "xadd t maxlen ~ 29 6 g -5 g -5", "$3\r\n6-0\r\n");
    ck_cmd(client, "xadd t minid ~ 5-1 7 10 yyyyyyyy", "$3\r\n7-0\r\n");
    ck_cmd(client, "xclaim t g2 b 0 9-1 4-1 justid lastid 3-1", "*0\r\n");
    ck_cmd(client, "xpending s g1", "-NOGROUP No such key 's' or consumer group 'g1'\r\n");
    ck_cmd(client, "xadd s minid ~ 8-2 8-3 h 123456789012", "$3\r\n8-3\r\n");
    ck_cmd(client, "xadd t minid ~ 7-1 9 g v h v", "$3\r\n9-0\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 3  streams t 8-0", "-ERR syntax error\r\n");
    ck_cmd(client, "xclaim t g2 b 0 1-2 justid lastid 3-0", "*0\r\n");
    ck_cmd(client, "xrange t (11-2 (4-1 count 2", "*0\r\n");
    ck_cmd(client, "xdel s 9-2 7-2", ":0\r\n");
    ck_cmd(client, "xdel t 11-1 1-2", ":0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 17 limit 4 10-* g 123456789012 f yyyyyyyyyyyyyyy xxxxxxxx yyyyyyyyyyy", "$4\r\n10-0\r\n");
    ck_cmd(client, "xread count 3 streams t 1-2", "*1\r\n*2\r\n$1\r\nt\r\n*3\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n*2\r\n$3\r\n3-3\r\n*4\r\n$2\r\n10\r\n$25\r\nyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$1\r\nh\r\n$46\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n*2\r\n$3\r\n4-1\r\n*6\r\n$1\r\nf\r\n$1\r\nv\r\n$2\r\n10\r\n$1\r\nv\r\n$2\r\n10\r\n$1\r\n1\r\n");
    ck_cmd(client, "xdel s 11-0 5-0", ":0\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 4  streams s 11-1", "-ERR syntax error\r\n");
    ck_cmd(client, "xack t g2 5-2 10-1", ":0\r\n");
    ck_cmd(client, "xrevrange t (12-0 11-0 count 3", "*0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n8-3\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-5\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n8-3\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xrevrange s (11-0 12-0 count 1", "*0\r\n");
    ck_cmd(client, "xlen s", ":4\r\n");
    ck_cmd(client, "xreadgroup group g2 a count 4 noack streams t 0", "*1\r\n*2\r\n$1\r\nt\r\n*0\r\n");
    ck_cmd(client, "xrange s 11-0 (4-1 count 0", "*-1\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n10-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:9\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-2\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n10-0\r\n*6\r\n$1\r\ng\r\n$12\r\n123456789012\r\n$1\r\nf\r\n$15\r\nyyyyyyyyyyyyyyy\r\n$8\r\nxxxxxxxx\r\n$11\r\nyyyyyyyyyyy\r\n");
    ck_cmd(client, "xdel s 2-2", ":0\r\n");
    ck_cmd(client, "xgroup setid s g2 0", "-NOGROUP No such consumer group 'g2' for key name 's'\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n8-3\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:4\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-5\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n8-3\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xadd t maxlen 30 11 10 123456789012 g 123456789012 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -5", "$4\r\n11-0\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 4 noack streams s 7-1", "-NOGROUP No such key 's' or consumer group 'g1' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xtrim s minid 2-2", ":0\r\n");
    ck_cmd(client, "xadd s maxlen 26 11-0 f 123456789012 xxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy f 123456789012", "$4\r\n11-0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:5\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n11-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-5\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-5\r\n*4\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n11-0\r\n*6\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$11\r\nxxxxxxxxxxx\r\n$35\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$1\r\nf\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xclaim s g2 a 0 8-3 justid", "-NOGROUP No such key 's' or consumer group 'g2'\r\n");
    ck_cmd(client, "xdel t 1-2 7-0", ":1\r\n");
    ck_cmd(client, "xadd t minid ~ 10-3 11 g yyyyyyyyyyyyyyyyyyy 10 1 xxxxxxxxxxxxxxxxxxxxxxxxxxx -5", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n");
    ck_cmd(client, "xread count 3 streams t 8-0", "*1\r\n*2\r\n$1\r\nt\r\n*3\r\n*2\r\n$3\r\n9-0\r\n*4\r\n$1\r\ng\r\n$1\r\nv\r\n$1\r\nh\r\n$1\r\nv\r\n*2\r\n$4\r\n10-0\r\n*6\r\n$1\r\ng\r\n$12\r\n123456789012\r\n$1\r\nf\r\n$15\r\nyyyyyyyyyyyyyyy\r\n$8\r\nxxxxxxxx\r\n$11\r\nyyyyyyyyyyy\r\n*2\r\n$4\r\n11-0\r\n*6\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\ng\r\n$12\r\n123456789012\r\n$68\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$2\r\n-5\r\n");
    ck_cmd(client, "xadd t  12-5 xxxxxxxxxxxxxxxxxxx v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s maxlen ~ 22 13-* h yyyyyyyyyyyyyyyyyyyyyyyyyyyy g v", "$4\r\n13-0\r\n");
    ck_cmd(client, "xrange t 13-0 (12-2 count 2", "*0\r\n");
    ck_cmd(client, "xdel s 14-0 12-1 10-2", ":0\r\n");
    ck_cmd(client, "xgroup destroy s g1", ":0\r\n");
    ck_cmd(client, "xack t g2 7-2 4-1 6-0", ":0\r\n");
    ck_cmd(client, "xclaim s g1 a 0 13-2 10-0 justid force", "-NOGROUP No such key 's' or consumer group 'g1'\r\n");
    ck_cmd(client, "xrange s (4-1 2-2 count 0", "*-1\r\n");
    ck_cmd(client, "xadd s  14 h 123456789012 g 123456789012 f yyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd t minid ~ 10-0 15-* 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy 10 123456789012 h 123456789012", "$4\r\n15-0\r\n");
    ck_cmd(client, "xautoclaim t g1 c 0 3-2 count 4 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:6\r\n$17\r\nlast-generated-id\r\n$4\r\n15-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-2\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n15-0\r\n*6\r\n$2\r\n10\r\n$32\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:6\r\n$17\r\nlast-generated-id\r\n$4\r\n15-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:11\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n3-2\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n3-2\r\n*4\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n15-0\r\n*6\r\n$2\r\n10\r\n$32\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xack t g2 12-2 9-0 7-0", ":0\r\n");
    ck_cmd(client, "xadd t  16-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s  17-4 f v 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyy g yyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s maxlen ~ 6 limit 9 17-* g -5 f yyyyyyyyyyyy xxxxxxxxxxxxxxxxxxxxxxxxxx v", "$4\r\n17-0\r\n");
    ck_cmd(client, "xinfo groups s", "*0\r\n");
    ck_cmd(client, "xreadgroup group g2 c count 3 noack streams s 0", "-NOGROUP No such key 's' or consumer group 'g2' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xtrim t maxlen ~ 7", ":0\r\n");
    ck_cmd(client, "xclaim t g2 c 0 3-1 9-1 7-2 justid force", "*0\r\n");
    ck_cmd(client, "xrange s (16-0 (16-0 count 3", "*0\r\n");
    ck_cmd(client, "xadd s minid 17-0 17-1 f 1 f -5", "$4\r\n17-1\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 3  streams t >", "-ERR syntax error\r\n");
    ck_cmd(client, "xadd t minid 7-2 18-* f yyyyyyyyyyyyy xxxxxxx v", "$4\r\n18-0\r\n");
    ck_cmd(client, "xadd t  18-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx v f 123456789012 h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xack t g2 20-1", ":0\r\n");
    ck_cmd(client, "xadd t maxlen 21 18 f 123456789012 g 123456789012 f v", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:5\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:6\r\n$17\r\nlast-generated-id\r\n$4\r\n18-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:12\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n9-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n9-0\r\n*4\r\n$1\r\ng\r\n$1\r\nv\r\n$1\r\nh\r\n$1\r\nv\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n18-0\r\n*4\r\n$1\r\nf\r\n$13\r\nyyyyyyyyyyyyy\r\n$7\r\nxxxxxxx\r\n$1\r\nv\r\n");
    ck_cmd(client, "xadd s  20-* 10 1 h -5 f 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xack s g1 12-1 12-3", ":0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 17 21-1 10 v g 123456789012", "$4\r\n21-1\r\n");
    ck_cmd(client, "xadd t minid 16-1 22-* h -5 g -5 g 1", "$4\r\n22-0\r\n");
    ck_cmd(client, "xlen s", ":3\r\n");
    ck_cmd(client, "xrevrange t (12-2 8-0 count 3", "*0\r\n");
    ck_cmd(client, "xadd s minid 9-3 24-4 h 123456789012 g -5 10 v", "$4\r\n24-4\r\n");
    ck_cmd(client, "xrevrange t (11-1 3-2 count 1", "*0\r\n");
    ck_cmd(client, "xautoclaim s g2 c 0 0-2 count 1 justid", "-NOGROUP No such key 's' or consumer group 'g2'\r\n");
    ck_cmd(client, "xgroup create s g2 0 entriesread 0", "+OK\r\n");
    ck_cmd(client, "xadd t  25-* g v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 1 noack streams t 13-1", "*1\r\n*2\r\n$1\r\nt\r\n*0\r\n");
    ck_cmd(client, "xreadgroup group g2 c count 1 noack streams t >", "*1\r\n*2\r\n$1\r\nt\r\n*1\r\n*2\r\n$4\r\n18-0\r\n*4\r\n$1\r\nf\r\n$13\r\nyyyyyyyyyyyyy\r\n$7\r\nxxxxxxx\r\n$1\r\nv\r\n");
    ck_cmd(client, "xadd t  26 h -5 g 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup destroy t g2", ":1\r\n");
    ck_cmd(client, "xgroup create s g1 24-0 entriesread -1", "+OK\r\n");
    ck_cmd(client, "xgroup destroy t g1", ":1\r\n");
    ck_cmd(client, "xadd t maxlen 30 27-* h 1 xxxxxxxxxxxxxxxxxxxx -5", "$4\r\n27-0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 17 limit 15 27 xxxxxxxxxxx -5 h 1 g 123456789012", "$4\r\n27-0\r\n");
    ck_cmd(client, "xread count 1 streams s 5-2", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$4\r\n17-0\r\n*6\r\n$1\r\ng\r\n$2\r\n-5\r\n$1\r\nf\r\n$12\r\nyyyyyyyyyyyy\r\n$26\r\nxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\nv\r\n");
    ck_cmd(client, "xclaim t g2 b 0 9-2 23-3 justid force", "-NOGROUP No such key 't' or consumer group 'g2'\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 1  streams t >", "-ERR syntax error\r\n");
    ck_cmd(client, "xrevrange t (21-3 1-1 count 2", "*1\r\n*2\r\n$4\r\n18-0\r\n*4\r\n$1\r\nf\r\n$13\r\nyyyyyyyyyyyyy\r\n$7\r\nxxxxxxx\r\n$1\r\nv\r\n");
    ck_cmd(client, "xtrim t minid 22-3", ":2\r\n");
    ck_cmd(client, "xdel s 26-1", ":0\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 3  streams t 4-1", "-ERR syntax error\r\n");
    ck_cmd(client, "xadd t minid ~ 8-2 27-* 10 v g 1 g -5", "$4\r\n27-1\r\n");
    ck_cmd(client, "xtrim s minid 26-3", ":4\r\n");
    ck_cmd(client, "xclaim t g2 a 0 23-3 24-1 justid lastid 18-3", "-NOGROUP No such key 't' or consumer group 'g2'\r\n");
    ck_cmd(client, "xgroup create s g1 $ mkstream", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xrevrange t 4-2 (28-0 count 5", "*0\r\n");
    ck_cmd(client, "xadd t  27-* f -5 g 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd t maxlen ~ 30 limit 9 28-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1", "$4\r\n28-0\r\n");
    ck_cmd(client, "xpending s g1", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 1 noack streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$4\r\n27-0\r\n*6\r\n$11\r\nxxxxxxxxxxx\r\n$2\r\n-5\r\n$1\r\nh\r\n$1\r\n1\r\n$1\r\ng\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xadd s maxlen ~ 25 limit 17 29 10 123456789012 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1 g 123456789012", "$4\r\n29-0\r\n");
    ck_cmd(client, "xrevrange t (17-2 28-2 count 5", "*0\r\n");
    ck_cmd(client, "xgroup setid t g2 21-1", "-NOGROUP No such consumer group 'g2' for key name 't'\r\n");
    ck_cmd(client, "xadd s maxlen 21 29-* f 123456789012", "$4\r\n29-1\r\n");
    ck_cmd(client, "xtrim s maxlen 10", ":0\r\n");
    ck_cmd(client, "xrevrange t 14-3 (26-1 count 2", "*0\r\n");
    ck_cmd(client, "xclaim s g1 a 0 24-0 13-2 28-3 justid lastid 7-0", "*0\r\n");
    ck_cmd(client, "xrevrange t 29-3 24-1 count 4", "*3\r\n*2\r\n$4\r\n28-0\r\n*2\r\n$57\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n*2\r\n$4\r\n27-1\r\n*6\r\n$2\r\n10\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n*2\r\n$4\r\n27-0\r\n*4\r\n$1\r\nh\r\n$1\r\n1\r\n$20\r\nxxxxxxxxxxxxxxxxxxxx\r\n$2\r\n-5\r\n");
    ck_cmd(client, "xrevrange t (2-0 (20-1 count 5", "*0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 5 limit 20 30-* f -5", "$4\r\n30-0\r\n");
    ck_cmd(client, "xadd t  30-* g 1 10 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xpending t g1", "-NOGROUP No such key 't' or consumer group 'g1'\r\n");
    ck_cmd(client, "xclaim s g1 a 0 2-2 14-2 justid", "*0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 12 limit 0 32-* h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy g v", "$4\r\n32-0\r\n");
    ck_cmd(client, "xreadgroup group g2 a count 2 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xdel t 4-1", ":0\r\n");
    ck_cmd(client, "xpending t g2", "-NOGROUP No such key 't' or consumer group 'g2'\r\n");
    ck_cmd(client, "xadd s  33-* 10 123456789012 h -5", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g2 a count 4 noack streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$4\r\n29-0\r\n*6\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$33\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n29-1\r\n*2\r\n$1\r\nf\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 3 noack streams t 0", "-NOGROUP No such key 't' or consumer group 'g2' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 4 noack streams s 8-2", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xadd t  33-4 xxxx -5 g 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd t minid ~ 1-3 35-* f 123456789012 g yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy 10 v", "$4\r\n35-0\r\n");
    ck_cmd(client, "xadd t  35-0 f -5 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xclaim s g1 b 0 36-0 4-1 8-0 justid force", "*0\r\n");
    ck_cmd(client, "xclaim t g1 c 0 29-0 13-3 justid force", "-NOGROUP No such key 't' or consumer group 'g1'\r\n");
    ck_cmd(client, "xpending s g1", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xadd s maxlen ~ 7 limit 4 37-4 g yyyyyyyyyyyyyyyyyyy", "$4\r\n37-4\r\n");
    ck_cmd(client, "xtrim s maxlen 15", ":0\r\n");
    ck_cmd(client, "xadd s  37-* h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy g 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xclaim t g2 b 0 27-2 28-0 3-2 justid", "-NOGROUP No such key 't' or consumer group 'g2'\r\n");
    ck_cmd(client, "xgroup create t g2 14-0", "+OK\r\n");
    ck_cmd(client, "xdel t 33-3", ":0\r\n");
    ck_cmd(client, "xdel s 6-0 37-2 15-2", ":0\r\n");
    ck_cmd(client, "xautoclaim t g1 c 0 37-0 count 3 justid", "-NOGROUP No such key 't' or consumer group 'g1'\r\n");
    ck_cmd(client, "xrange s (33-2 (3-0 count 3", "*0\r\n");
    ck_cmd(client, "xtrim t minid 6-0", ":0\r\n");
    ck_cmd(client, "xdel s 18-2", ":0\r\n");
    ck_cmd(client, "xlen s", ":4\r\n");
    ck_cmd(client, "xadd t  39 10 1 f v 10 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrange s (4-0 (22-0 count 5", "*0\r\n");
    ck_cmd(client, "xinfo groups s", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n24-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:4\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n29-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:11\r\n");
    ck_cmd(client, "xadd s maxlen ~ 30 40-4 10 123456789012 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 123456789012", "$4\r\n40-4\r\n");
    ck_cmd(client, "xgroup create s g1 $ mkstream", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xreadgroup group g2 c count 4 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xrange s (25-2 (5-3 count 5", "*0\r\n");
    ck_cmd(client, "xgroup create t g2 0 entriesread 0", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xrevrange s (39-0 (35-1 count 3", "*1\r\n*2\r\n$4\r\n37-4\r\n*2\r\n$1\r\ng\r\n$19\r\nyyyyyyyyyyyyyyyyyyy\r\n");
    ck_cmd(client, "xadd s minid 9-0 42 10 123456789012 h v", "$4\r\n42-0\r\n");
    ck_cmd(client, "xadd s minid ~ 12-1 42 f -5 f -5", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xadd s  43-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 123456789012 xxxxxxxxxxxxxxxxxxxxx yyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create s g1 0 mkstream", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 4 noack streams t 0", "-NOGROUP No such key 't' or consumer group 'g1' in XREADGROUP with GROUP option\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:6\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n35-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:19\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n27-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n27-0\r\n*4\r\n$1\r\nh\r\n$1\r\n1\r\n$20\r\nxxxxxxxxxxxxxxxxxxxx\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n35-0\r\n*6\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$1\r\ng\r\n$34\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$2\r\n10\r\n$1\r\nv\r\n");
    ck_cmd(client, "xinfo groups s", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n24-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:6\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n29-1\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:13\r\n");
    ck_cmd(client, "xgroup create s g1 $", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xlen s", ":6\r\n");
    ck_cmd(client, "xdel t 3-0", ":0\r\n");
    ck_cmd(client, "xadd s minid ~ 27-1 45 g 1 g v", "$4\r\n45-0\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 1  streams s 0", "-ERR syntax error\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 2 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 1 limit 4 47-1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1", "$4\r\n47-1\r\n");
    ck_cmd(client, "xdel s 25-1", ":0\r\n");
    ck_cmd(client, "xdel t 22-3", ":0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n47-1\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:18\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n27-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n27-0\r\n*6\r\n$11\r\nxxxxxxxxxxx\r\n$2\r\n-5\r\n$1\r\nh\r\n$1\r\n1\r\n$1\r\ng\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n47-1\r\n*2\r\n$67\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n");
    ck_cmd(client, "xadd s  49 g 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd t  50-1 f yyyyyyyyyyyyyyyyyyyy g 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create s g1 0", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xgroup create t g1 $ mkstream", "+OK\r\n");
    ck_cmd(client, "xtrim s minid 14-2", ":0\r\n");
    ck_cmd(client, "xrange s (52-0 3-3 count 3", "*0\r\n");
    ck_cmd(client, "xadd s  50-* g v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xdel t 7-2 9-0 11-2", ":0\r\n");
    ck_cmd(client, "xadd s  51 f -5 g -5 h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xdel t 29-0 12-1", ":0\r\n");
    ck_cmd(client, "xsetid t 56-9", "+OK\r\n");
    ck_cmd(client, "xadd s minid 13-0 51-* 10 v f -5 h yyyyyyyyyyyyyyyyy", "$4\r\n51-0\r\n");
    ck_cmd(client, "xreadgroup group g2 c count 3  streams t 22-1", "-ERR syntax error\r\n");
    ck_cmd(client, "xgroup create t g2 0 entriesread 0", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xrevrange s 35-2 (48-1 count 1", "*0\r\n");
    ck_cmd(client, "xadd t minid ~ 31-3 51 h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy f -5", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 2  streams t >", "-ERR syntax error\r\n");
    ck_cmd(client, "xadd s minid 51-0 51 h 1", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xrevrange s 30-1 18-2 count 5", "*3\r\n*2\r\n$4\r\n29-1\r\n*2\r\n$1\r\nf\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n29-0\r\n*6\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$33\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\ng\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n27-0\r\n*6\r\n$11\r\nxxxxxxxxxxx\r\n$2\r\n-5\r\n$1\r\nh\r\n$1\r\n1\r\n$1\r\ng\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xclaim t g1 c 0 51-2 justid", "*0\r\n");
    ck_cmd(client, "xclaim s g2 c 0 2-0 justid force", "*0\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n35-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n14-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:6\r\n");
    ck_cmd(client, "xsetid s 56-9", "+OK\r\n");
    ck_cmd(client, "xpending t g2", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xadd t maxlen ~ 24 limit 12 52 10 123456789012", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xtrim s maxlen 11", ":0\r\n");
    ck_cmd(client, "xrange s (20-3 17-1 count 2", "*0\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n35-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n$-1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n14-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:6\r\n");
    ck_cmd(client, "xadd s minid 49-0 54-* f yyyyyyy 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xadd s maxlen 13 56-2 10 123456789012 10 1 10 123456789012", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xgroup setid t g2 $", "+OK\r\n");
    ck_cmd(client, "xack s g1 9-1 35-2 50-2", ":0\r\n");
    ck_cmd(client, "xack t g1 3-3 3-3 6-3", ":0\r\n");
    ck_cmd(client, "xread count 0 streams s 35-0", "*1\r\n*2\r\n$1\r\ns\r\n*6\r\n*2\r\n$4\r\n37-4\r\n*2\r\n$1\r\ng\r\n$19\r\nyyyyyyyyyyyyyyyyyyy\r\n*2\r\n$4\r\n40-4\r\n*4\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$50\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n42-0\r\n*4\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$1\r\nv\r\n*2\r\n$4\r\n45-0\r\n*4\r\n$1\r\ng\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\nv\r\n*2\r\n$4\r\n47-1\r\n*2\r\n$67\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n*2\r\n$4\r\n51-0\r\n*6\r\n$2\r\n10\r\n$1\r\nv\r\n$1\r\nf\r\n$2\r\n-5\r\n$1\r\nh\r\n$17\r\nyyyyyyyyyyyyyyyyy\r\n");
    ck_cmd(client, "xadd s maxlen ~ 15 58-3 xxxxxxxxxxxx v", "$4\r\n58-3\r\n");
    ck_cmd(client, "xgroup create s g2 $ mkstream", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xgroup destroy t g1", ":1\r\n");
    ck_cmd(client, "xpending s g2", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xinfo groups t", "*1\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n56-9\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:0\r\n");
    ck_cmd(client, "xdel s 14-3", ":0\r\n");
    ck_cmd(client, "xpending t g1", "-NOGROUP No such key 't' or consumer group 'g1'\r\n");
    ck_cmd(client, "xadd t  58-* 10 yyyyyyyyyyyyyyyyyyyy 10 123456789012 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:6\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n56-9\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:19\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n27-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n27-0\r\n*4\r\n$1\r\nh\r\n$1\r\n1\r\n$20\r\nxxxxxxxxxxxxxxxxxxxx\r\n$2\r\n-5\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n35-0\r\n*6\r\n$1\r\nf\r\n$12\r\n123456789012\r\n$1\r\ng\r\n$34\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$2\r\n10\r\n$1\r\nv\r\n");
    ck_cmd(client, "xack s g2 46-3", ":0\r\n");
    ck_cmd(client, "xadd t maxlen 24 59 f 123456789012 10 v", "$4\r\n59-0\r\n");
    ck_cmd(client, "xadd t maxlen 26 61-0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1 xxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyy", "$4\r\n61-0\r\n");
    ck_cmd(client, "xadd s minid ~ 63-3 63 xxxxxxxxxxxxx 123456789012", "$4\r\n63-0\r\n");
    ck_cmd(client, "xrevrange t 56-0 37-2 count 0", "*-1\r\n");
    ck_cmd(client, "xgroup create t g1 0 mkstream", "+OK\r\n");
    ck_cmd(client, "xdel s 65-0 47-3 51-1", ":0\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 2  streams t >", "-ERR syntax error\r\n");
    ck_cmd(client, "xadd s maxlen 18 64 h 123456789012", "$4\r\n64-0\r\n");
    ck_cmd(client, "xgroup setid t g2 28-1", "+OK\r\n");
    ck_cmd(client, "xadd t  65-* 10 1 10 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xack s g1 41-0", ":0\r\n");
    ck_cmd(client, "xack t g2 49-0 13-3 2-1", ":0\r\n");
    ck_cmd(client, "xadd t maxlen 10 65 h -5", "$4\r\n65-0\r\n");
    ck_cmd(client, "xadd s  66 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 123456789012 g 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xrevrange t 59-3 (67-1 count 2", "*0\r\n");
    ck_cmd(client, "xadd t  66-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyy f v", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create t g2 4-2", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xadd s  66 10 123456789012 h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s maxlen 7 66-4 g -5", "$4\r\n66-4\r\n");
    ck_cmd(client, "xack s g1 3-1", ":0\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 2 noack streams t >", "*1\r\n*2\r\n$1\r\nt\r\n*2\r\n*2\r\n$4\r\n30-0\r\n*2\r\n$1\r\nf\r\n$2\r\n-5\r\n*2\r\n$4\r\n32-0\r\n*4\r\n$1\r\nh\r\n$43\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n$1\r\ng\r\n$1\r\nv\r\n");
    ck_cmd(client, "xtrim t maxlen 26", ":0\r\n");
    ck_cmd(client, "xgroup setid s g2 $", "+OK\r\n");
    ck_cmd(client, "xadd t maxlen ~ 27 66-* f -5 f -5", "$4\r\n66-0\r\n");
    ck_cmd(client, "xgroup create t g2 $", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 2 noack streams t >", "*1\r\n*2\r\n$1\r\nt\r\n*2\r\n*2\r\n$4\r\n27-0\r\n*4\r\n$1\r\nh\r\n$1\r\n1\r\n$20\r\nxxxxxxxxxxxxxxxxxxxx\r\n$2\r\n-5\r\n*2\r\n$4\r\n27-1\r\n*6\r\n$2\r\n10\r\n$1\r\nv\r\n$1\r\ng\r\n$1\r\n1\r\n$1\r\ng\r\n$2\r\n-5\r\n");
    ck_cmd(client, "xadd s  67-* xxxxxxxxxxxxxxxxxxxxx 1 10 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s maxlen ~ 3 68-4 xxxxxxxxxx 1", "$4\r\n68-4\r\n");
    ck_cmd(client, "xautoclaim s g2 b 0 19-3 count 1 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xadd t maxlen 0 69 g -5 f -5 h 1", "$4\r\n69-0\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 1  streams s 0", "-ERR syntax error\r\n");
    ck_cmd(client, "xautoclaim s g2 c 0 18-2 count 4 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xgroup create t g1 7-3 mkstream", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xdel s 49-1 34-3 3-2", ":0\r\n");
    ck_cmd(client, "xdel s 24-2 25-3 71-2", ":0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 22 limit 7 69-* 10 123456789012 h 123456789012", "$4\r\n69-0\r\n");
    ck_cmd(client, "xdel s 59-1 25-1 20-0", ":0\r\n");
    ck_cmd(client, "xtrim t maxlen 5", ":0\r\n");
    ck_cmd(client, "xrevrange s 32-2 70-3 count 5", "*0\r\n");
    ck_cmd(client, "xrange s (12-0 20-0 count 0", "*-1\r\n");
    ck_cmd(client, "xinfo stream t", "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n:1\r\n$17\r\nlast-generated-id\r\n$4\r\n69-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n7-0\r\n$13\r\nentries-added\r\n:24\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    ck_cmd(client, "xreadgroup group g2 b count 2  streams t 0", "-ERR syntax error\r\n");
    ck_cmd(client, "xclaim t g2 b 0 1-3 justid force", "*0\r\n");
    ck_cmd(client, "xrange s (7-1 46-2 count 3", "*0\r\n");
    ck_cmd(client, "xclaim t g2 c 0 50-3 45-0 justid lastid 15-0", "*0\r\n");
    ck_cmd(client, "xgroup create t g1 56-1", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xack s g2 37-2 47-3 27-0", ":0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:4\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n69-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:25\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n64-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n64-0\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n69-0\r\n*4\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xadd t minid 8-1 69-1 f v", "$4\r\n69-1\r\n");
    ck_cmd(client, "xclaim t g1 c 0 42-3 justid", "*0\r\n");
    ck_cmd(client, "xrange s (38-2 53-1 count 3", "*0\r\n");
    ck_cmd(client, "xdel s 53-0 64-1 17-2", ":0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 23 71-2 xxxxxxxxxxxxxxxx v", "$4\r\n71-2\r\n");
    ck_cmd(client, "xadd s minid 25-2 72 f yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "$4\r\n72-0\r\n");
    ck_cmd(client, "xtrim t minid ~ 15-2 limit 12", ":0\r\n");
    ck_cmd(client, "xgroup create t g2 0 entriesread 4", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xadd s minid ~ 14-1 73-4 h 123456789012", "$4\r\n73-4\r\n");
    ck_cmd(client, "xadd s  73 10 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xtrim s minid ~ 30-3 limit 15", ":0\r\n");
    ck_cmd(client, "xdel t 53-3 45-2 17-2", ":0\r\n");
    ck_cmd(client, "xadd s maxlen 20 73 h 123456789012 10 -5", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xadd s maxlen ~ 23 limit 1 75 f v", "$4\r\n75-0\r\n");
    ck_cmd(client, "xadd t minid 42-0 77 g -5 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx v", "$4\r\n77-0\r\n");
    ck_cmd(client, "xdel t 26-3 59-0 32-0", ":0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 17 77-4 10 123456789012 10 v h 123456789012", "$4\r\n77-4\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n75-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:29\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n64-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n64-0\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n75-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n75-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:29\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n64-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n64-0\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n75-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xautoclaim t g2 a 0 30-2 count 3 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xread count 0 streams t 59-2", "*1\r\n*2\r\n$1\r\nt\r\n*3\r\n*2\r\n$4\r\n69-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n77-0\r\n*4\r\n$1\r\ng\r\n$2\r\n-5\r\n$35\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\nv\r\n*2\r\n$4\r\n77-4\r\n*6\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$1\r\nv\r\n$1\r\nh\r\n$12\r\n123456789012\r\n");
    ck_cmd(client, "xrevrange t (41-1 19-0 count 4", "*0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:8\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$4\r\n75-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:29\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n64-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n64-0\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n75-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_cmd(client, "xautoclaim s g1 a 0 40-1 count 3 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xdel s 7-3", ":0\r\n");
    ck_cmd(client, "xadd t maxlen 14 77-2 h 123456789012 h 123456789012", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xclaim s g2 a 0 76-2 67-0 justid", "*0\r\n");
    ck_cmd(client, "xadd s  78-3 h 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n27-1\r\n$12\r\nentries-read\r\n:15\r\n$3\r\nlag\r\n:12\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n32-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:3\r\n");
    ck_cmd(client, "xadd t maxlen 19 78 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 123456789012 h 1", "$4\r\n78-0\r\n");
    ck_cmd(client, "xreadgroup group g2 c count 4 noack streams t >", "*1\r\n*2\r\n$1\r\nt\r\n*4\r\n*2\r\n$4\r\n69-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$4\r\n77-0\r\n*4\r\n$1\r\ng\r\n$2\r\n-5\r\n$35\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\nv\r\n*2\r\n$4\r\n77-4\r\n*6\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$2\r\n10\r\n$1\r\nv\r\n$1\r\nh\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n78-0\r\n*4\r\n$35\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$1\r\n1\r\n");
    ck_cmd(client, "xadd s minid 61-0 79-1 f 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 123456789012 h -5", "$4\r\n79-1\r\n");
    ck_cmd(client, "xclaim t g1 c 0 59-0 78-0 justid", "*0\r\n");
    ck_cmd(client, "xadd t  81 10 -5 10 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup setid s g1 0", "+OK\r\n");
    ck_cmd(client, "xdel s 74-3", ":0\r\n");
    ck_cmd(client, "xadd t minid 64-0 82-* 10 yyyyyyyyy f yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "$4\r\n82-0\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 4 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xadd s minid 12-1 82-5 h yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "$4\r\n82-5\r\n");
    ck_cmd(client, "xadd t  83-* f 123456789012", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create t g1 0 entriesread -1", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xadd t  85-* 10 v 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s  86-1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -5 h 1 f yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g2 a count 4 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xadd t maxlen ~ 18 87-* xx -5 xxxxxxxx -5 f 1", "$4\r\n87-0\r\n");
    ck_cmd(client, "xack t g1 76-3", ":0\r\n");
    ck_cmd(client, "xclaim t g2 c 0 25-2 28-2 1-2 justid force", "*0\r\n");
    ck_cmd(client, "xpending t g2", "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n");
    ck_cmd(client, "xadd t minid ~ 7-2 88 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyy", "$4\r\n88-0\r\n");
    ck_cmd(client, "xreadgroup group g2 a count 4 noack streams s >", "*1\r\n*2\r\n$1\r\ns\r\n*4\r\n*2\r\n$4\r\n68-4\r\n*2\r\n$10\r\nxxxxxxxxxx\r\n$1\r\n1\r\n*2\r\n$4\r\n69-0\r\n*4\r\n$2\r\n10\r\n$12\r\n123456789012\r\n$1\r\nh\r\n$12\r\n123456789012\r\n*2\r\n$4\r\n71-2\r\n*2\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n$1\r\nv\r\n*2\r\n$4\r\n72-0\r\n*2\r\n$1\r\nf\r\n$45\r\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\r\n");
    ck_cmd(client, "xtrim t maxlen ~ 23", ":0\r\n");
    ck_cmd(client, "xrevrange t (54-2 85-1 count 4", "*0\r\n");
    ck_cmd(client, "xrange s 65-1 (28-0 count 3", "*0\r\n");
    ck_cmd(client, "xadd t maxlen 16 89 10 yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy h -5 f 123456789012", "$4\r\n89-0\r\n");
    ck_cmd(client, "xadd t minid ~ 7-3 89-0 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -5 g v g v", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n");
    ck_cmd(client, "xgroup setid t g2 0", "+OK\r\n");
    ck_cmd(client, "xgroup create s g1 0 entriesread 3", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xadd s  89-* 10 -5", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xadd s  90-5 f yyyyyyyyyyyyyyyyyyyyyyy f 123456789012 h 1", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xgroup create s g2 0-3 entriesread 0", "-BUSYGROUP Consumer Group name already exists\r\n");
    ck_cmd(client, "xinfo groups t", "*2\r\n*12\r\n$4\r\nname\r\n$2\r\ng1\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$4\r\n27-1\r\n$12\r\nentries-read\r\n:15\r\n$3\r\nlag\r\n:17\r\n*12\r\n$4\r\nname\r\n$2\r\ng2\r\n$9\r\nconsumers\r\n:2\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n$-1\r\n$3\r\nlag\r\n:8\r\n");
    ck_cmd(client, "xadd t minid 28-0 90-* 10 123456789012", "$4\r\n90-0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 25 limit 19 91-4 f 1 h 1", "$4\r\n91-4\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 3 noack streams t 18-3", "*1\r\n*2\r\n$1\r\nt\r\n*0\r\n");
    ck_cmd(client, "xreadgroup group g1 c count 4  streams s 0", "-ERR syntax error\r\n");
    ck_cmd(client, "xadd t maxlen ~ 24 limit 6 92-* xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyy", "$4\r\n92-0\r\n");
    ck_cmd(client, "xdel s 53-3", ":0\r\n");
    ck_cmd(client, "xack s g2 64-3 7-0", ":0\r\n");
    ck_cmd(client, "xautoclaim t g2 c 0 8-1 count 1 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xreadgroup group g1 a count 1  streams s 78-0", "-ERR syntax error\r\n");
    ck_cmd(client, "xautoclaim s g1 a 0 25-2 count 4 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xautoclaim s g1 c 0 8-2 count 2 justid", "*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n");
    ck_cmd(client, "xadd s maxlen ~ 0 limit 2 93 f yyyyyyyyyyyyyyyyyyyyyyy g yyyyyyyyyyyy", "$4\r\n93-0\r\n");
    ck_cmd(client, "xinfo stream s", "*20\r\n$6\r\nlength\r\n:12\r\n$15\r\nradix-tree-keys\r\n:2\r\n$16\r\nradix-tree-nodes\r\n:6\r\n$17\r\nlast-generated-id\r\n$4\r\n93-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:33\r\n$23\r\nrecorded-first-entry-id\r\n$4\r\n64-0\r\n$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$4\r\n64-0\r\n*2\r\n$1\r\nh\r\n$12\r\n123456789012\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n93-0\r\n*4\r\n$1\r\nf\r\n$23\r\nyyyyyyyyyyyyyyyyyyyyyyy\r\n$1\r\ng\r\n$12\r\nyyyyyyyyyyyy\r\n");
    ck_cmd(client, "xack t g2 25-2 95-1", ":0\r\n");
    ck_cmd(client, "xadd t minid 82-0 95-4 g 1 g 123456789012 g 1", "$4\r\n95-4\r\n");
    ck_cmd(client, "xgroup setid s g1 79-1", "+OK\r\n");
    ck_cmd(client, "xadd t  97-* 10 yyyyyyyyy xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "-ERR Invalid stream ID specified as stream command argument\r\n");
    ck_cmd(client, "xreadgroup group g1 b count 1 noack streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xgroup create s g2 60-1 entriesread -1", "-BUSYGROUP Consumer Group name already exists\r\n");
}
END_TEST

/* ---- Blocking reads ---- */

START_TEST(test_xread_block_served_by_xadd)
{
    struct conn *reader = conn_open(server->port);
    ck_cmd(client, "xadd s 1-1 f v", "$3\r\n1-1\r\n");
    /* "$" means the last ID when the client blocks, not when it is served. */
    conn_send(reader, "xread block 0 streams s $");
    ck_silent(reader);
    ck_cmd(client, "xadd s 2-1 f v2", "$3\r\n2-1\r\n");
    ck_read(reader, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv2\r\n");
    /* A timeout replies a null array. */
    ck_cmd(reader, "xread block 50 streams s $", "*-1\r\n");
    /* Several keys: the one written serves. */
    conn_send(reader, "xread block 0 streams x y 0 0");
    ck_silent(reader);
    ck_cmd(client, "xadd y 5-1 a b", "$3\r\n5-1\r\n");
    ck_read(reader, "*1\r\n*2\r\n$1\r\ny\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    /* Inside MULTI a read that would block replies a null array. */
    ck_cmd(reader, "multi", "+OK\r\n");
    ck_cmd(reader, "xread block 0 streams s $", "+QUEUED\r\n");
    ck_cmd(reader, "exec", "*1\r\n*-1\r\n");
    ck_cmd(reader, "xread block -1 streams s $", "-ERR timeout is negative\r\n");
    ck_cmd(reader, "xread block abc streams s $",
           "-ERR timeout is not an integer or out of range\r\n");
    /* A key named twice is served once. */
    conn_send(reader, "xread block 0 streams y y $ $");
    ck_silent(reader);
    ck_cmd(client, "xadd y 6-1 c d", "$3\r\n6-1\r\n");
    ck_read(reader, "*1\r\n*2\r\n$1\r\ny\r\n*1\r\n*2\r\n$3\r\n6-1\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
    /* XREAD stays blocked when its key is deleted. */
    conn_send(reader, "xread block 0 streams s $");
    ck_silent(reader);
    ck_cmd(client, "del s", ":1\r\n");
    ck_silent(reader);
    ck_cmd(client, "xadd s 9-1 k v", "$3\r\n9-1\r\n");
    ck_read(reader, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n9-1\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    conn_close(reader);
}
END_TEST

START_TEST(test_xreadgroup_block)
{
    struct conn *c1 = conn_open(server->port);
    struct conn *c2 = conn_open(server->port);
    ck_cmd(client, "xgroup create s g $ mkstream", "+OK\r\n");
    conn_send(c1, "xreadgroup group g alice block 0 streams s >");
    conn_send(c2, "xreadgroup group g bob block 0 count 1 streams s >");
    ck_silent(c1);
    /* Blocked readers are not consumers until served. */
    ck_cmd(client, "xinfo consumers s g", "*0\r\n");
    ck_cmd(client, "xadd s 3-1 f v3", "$3\r\n3-1\r\n");
    ck_read(c1, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv3\r\n");
    ck_silent(c2);
    ck_cmd(client, "xadd s 4-1 f v4", "$3\r\n4-1\r\n");
    ck_read(c2, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$1\r\nf\r\n$2\r\nv4\r\n");
    ck_cmd(client, "xpending s g",
           "*4\r\n:2\r\n$3\r\n3-1\r\n$3\r\n4-1\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n"
           "*2\r\n$3\r\nbob\r\n$1\r\n1\r\n");
    /* Destroying the group wakes its readers with an error. */
    conn_send(c1, "xreadgroup group g alice block 0 streams s >");
    ck_silent(c1);
    ck_cmd(client, "xgroup destroy s g", ":1\r\n");
    ck_read(c1, "-NOGROUP the consumer group this client was blocked on no longer exists\r\n");
    /* Deleting (or replacing) the key does too. */
    ck_cmd(client, "xgroup create s g $", "+OK\r\n");
    conn_send(c1, "xreadgroup group g alice block 0 streams s >");
    ck_silent(c1);
    ck_cmd(client, "del s", ":1\r\n");
    ck_read(c1, "-UNBLOCKED the stream key no longer exists\r\n");
    ck_cmd(client, "xgroup create s g $ mkstream", "+OK\r\n");
    conn_send(c1, "xreadgroup group g alice block 0 streams s >");
    ck_silent(c1);
    ck_cmd(client, "set s x", "+OK\r\n");
    ck_read(c1, "-UNBLOCKED the stream key no longer exists\r\n");
    conn_close(c1);
    conn_close(c2);
}
END_TEST

/* ---- Keyspace events ---- */

START_TEST(test_keyspace_events)
{
    struct conn *sub = conn_open(server->port);
    ck_cmd(client, "config set notify-keyspace-events Et", "+OK\r\n");
    ck_cmd(sub, "psubscribe __keyevent@0__:x*",
           "*3\r\n$10\r\npsubscribe\r\n$17\r\n__keyevent@0__:x*\r\n:1\r\n");
    const char *steps[][2] = {
        {"xadd s maxlen 1 1-1 a b", "xadd"},
        {"xadd s maxlen 1 2-1 a b", "xadd xtrim"},
        {"xdel s 2-1", "xdel"},
        {"xgroup create s g 0", "xgroup-create"},
        {"xgroup createconsumer s g c", "xgroup-createconsumer"},
        {"xgroup setid s g 0", "xgroup-setid"},
        {"xgroup delconsumer s g c", "xgroup-delconsumer"},
        {"xgroup destroy s g", "xgroup-destroy"},
        {"xsetid s 5-5", "xsetid"},
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        char *reply = conn_cmd(client, steps[i][0]);
        free(reply);
        char events[64];
        snprintf(events, sizeof(events), "%s", steps[i][1]);
        for (char *ev = strtok(events, " "); ev; ev = strtok(NULL, " ")) {
            char expected[256];
            snprintf(expected, sizeof(expected),
                     "*4\r\n$8\r\npmessage\r\n$17\r\n__keyevent@0__:x*\r\n$%zu\r\n"
                     "__keyevent@0__:%s\r\n$1\r\ns\r\n",
                     strlen("__keyevent@0__:") + strlen(ev), ev);
            ck_read(sub, expected);
        }
    }
    /* Nothing deleted, nothing published. */
    ck_cmd(client, "xtrim s maxlen 0", ":0\r\n");
    ck_silent(sub);
    conn_close(sub);
}
END_TEST

/* ---- Persistence ---- */

/* The AOF incr file of a server started with --appendonly yes, as text
 * with "\r\n" kept. */
static char *stream_read_incr_aof(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir", server->dir);
    char *names = harness_list_dir(path);
    ck_assert_ptr_nonnull(names);
    char *incr = strstr(names, ".incr.aof");
    ck_assert_ptr_nonnull(incr);
    char *start = incr;
    while (start > names && start[-1] != '\n')
        start--;
    char file[512];
    snprintf(file, sizeof(file), "%s/appendonlydir/%.*s", server->dir,
             (int)(incr - start + strlen(".incr.aof")), start);
    free(names);
    size_t len;
    char *text = harness_read_file(file, &len);
    ck_assert_ptr_nonnull(text);
    len = harness_aof_plain(text, len);
    text[len] = '\0';
    return text;
}

#define ck_aof_has(text, record)                                                        \
    ck_assert_msg(strstr((text), (record)) != NULL, "AOF lacks %s in %s",               \
                  harness_escape(record), harness_escape(text))

START_TEST(test_aof_propagation)
{
    harness_fixture_close(&server, &client);
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    ck_cmd(client, "xadd s 1-1 a 1", "$3\r\n1-1\r\n");
    ck_cmd(client, "xadd s 1-* a 2", "$3\r\n1-2\r\n");
    ck_cmd(client, "xadd s 2-1 a 3", "$3\r\n2-1\r\n");
    ck_cmd(client, "xadd s maxlen ~ 1 3-1 a 4", "$3\r\n3-1\r\n");
    ck_cmd(client, "xgroup create s g 0", "+OK\r\n");
    ck_cmd_prefix(client, "xreadgroup group g alice count 1 streams s >", "*1\r\n");
    ck_cmd_prefix(client, "xreadgroup group g bob noack count 1 streams s >", "*1\r\n");
    ck_cmd(client, "xreadgroup group g carol streams s 0", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n");
    ck_cmd(client, "xtrim s maxlen ~ 0", ":4\r\n");
    char *aof = stream_read_incr_aof();
    /* "ms-*" is logged with the sequence it got; "~" as "=" with the length
     * the trim left. */
    ck_aof_has(aof, "*5\r\n$4\r\nxadd\r\n$1\r\ns\r\n$3\r\n1-2\r\n$1\r\na\r\n$1\r\n2\r\n");
    ck_aof_has(aof, "*8\r\n$4\r\nxadd\r\n$1\r\ns\r\n$6\r\nmaxlen\r\n$1\r\n=\r\n$1\r\n4\r\n"
                    "$3\r\n3-1\r\n$1\r\na\r\n$1\r\n4\r\n");
    /* A delivery is logged as XCLAIM ... FORCE JUSTID LASTID, not as XREADGROUP. */
    ck_aof_has(aof, "*14\r\n$6\r\nXCLAIM\r\n$1\r\ns\r\n$1\r\ng\r\n$5\r\nalice\r\n$1\r\n0\r\n"
                    "$3\r\n1-1\r\n$4\r\nTIME\r\n");
    ck_aof_has(aof, "$10\r\nRETRYCOUNT\r\n$1\r\n1\r\n$5\r\nFORCE\r\n$6\r\nJUSTID\r\n"
                    "$6\r\nLASTID\r\n$3\r\n1-1\r\n");
    /* NOACK: the consumer's creation and the group's new position. */
    ck_aof_has(aof, "*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n$1\r\ns\r\n$1\r\ng\r\n"
                    "$3\r\nbob\r\n");
    ck_aof_has(aof, "*7\r\n$6\r\nXGROUP\r\n$5\r\nSETID\r\n$1\r\ns\r\n$1\r\ng\r\n$3\r\n1-2\r\n"
                    "$11\r\nENTRIESREAD\r\n$1\r\n2\r\n");
    ck_assert_ptr_null(strstr(aof, "xreadgroup"));
    ck_aof_has(aof, "*5\r\n$5\r\nxtrim\r\n$1\r\ns\r\n$6\r\nmaxlen\r\n$1\r\n=\r\n$1\r\n0\r\n");
    free(aof);
}
END_TEST

/* Builds a stream with several nodes, a tombstone, two groups, pending
 * entries and an idle consumer. */
static void stream_build_sample(struct conn *c)
{
    ck_cmd(c, "config set stream-node-max-entries 3", "+OK\r\n");
    for (int i = 1; i <= 10; i++) {
        char line[64], expected[32];
        snprintf(line, sizeof(line), "xadd s %d-0 f%d %d n %d", i, i % 2, i * 1000, -i);
        snprintf(expected, sizeof(expected), "$%d\r\n%d-0\r\n", i < 10 ? 3 : 4, i);
        ck_cmd(c, line, expected);
    }
    ck_cmd(c, "xdel s 4-0", ":1\r\n");
    ck_cmd(c, "xgroup create s g1 0", "+OK\r\n");
    ck_cmd(c, "xgroup create s g2 5-0 entriesread 4", "+OK\r\n");
    ck_cmd_prefix(c, "xreadgroup group g1 alice count 3 streams s >", "*1\r\n");
    ck_cmd_prefix(c, "xreadgroup group g1 bob count 2 streams s >", "*1\r\n");
    ck_cmd(c, "xgroup createconsumer s g1 carol", ":1\r\n");
    ck_cmd(c, "xack s g1 2-0", ":1\r\n");
}

static const char STREAM_SAMPLE_INFO[] =
    "*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:4\r\n$16\r\nradix-tree-nodes\r\n:10\r\n"
    "$17\r\nlast-generated-id\r\n$4\r\n10-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n4-0\r\n"
    "$13\r\nentries-added\r\n:10\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n"
    "$6\r\ngroups\r\n:2\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$2\r\nf1\r\n"
    "$4\r\n1000\r\n$1\r\nn\r\n$2\r\n-1\r\n$10\r\nlast-entry\r\n*2\r\n$4\r\n10-0\r\n*4\r\n"
    "$2\r\nf0\r\n$5\r\n10000\r\n$1\r\nn\r\n$3\r\n-10\r\n";

/* nodes: the XINFO STREAM prefix with the node counts ("*20 ... :<nodes>"),
 * which a reload keeps and an AOF replay (one XADD per entry) changes. */
static void stream_check_sample_nodes(struct conn *c, const char *nodes)
{
    char *info = conn_cmd(c, "xinfo stream s");
    const char *rest = strstr(STREAM_SAMPLE_INFO, "$17\r\nlast-generated-id");
    ck_assert_ptr_nonnull(rest);
    char expected[sizeof(STREAM_SAMPLE_INFO) + 64];
    snprintf(expected, sizeof(expected), "%s%s", nodes, rest);
    ck_assert_msg(strcmp(info, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(info));
    free(info);
}

static void stream_check_sample(struct conn *c)
{
    stream_check_sample_nodes(c, "*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n:4\r\n"
                                 "$16\r\nradix-tree-nodes\r\n:10\r\n");
    ck_cmd(c, "xpending s g1",
           "*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n6-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n"
           "*2\r\n$3\r\nbob\r\n$1\r\n2\r\n");
    ck_cmd(c, "xrange s 3 5",
           "*2\r\n*2\r\n$3\r\n3-0\r\n*4\r\n$2\r\nf1\r\n$4\r\n3000\r\n$1\r\nn\r\n$2\r\n-3\r\n"
           "*2\r\n$3\r\n5-0\r\n*4\r\n$2\r\nf1\r\n$4\r\n5000\r\n$1\r\nn\r\n$2\r\n-5\r\n");
    /* The tombstone 4-0 before g1's position leaves its counter unknown. */
    char *groups = conn_cmd(c, "xinfo groups s");
    ck_assert_msg(strstr(groups, "$2\r\ng1\r\n$9\r\nconsumers\r\n:3\r\n$7\r\npending\r\n:4\r\n"
                                 "$17\r\nlast-delivered-id\r\n$3\r\n6-0\r\n$12\r\nentries-read\r\n"
                                 "$-1\r\n$3\r\nlag\r\n$-1\r\n") != NULL,
                  "%s", harness_escape(groups));
    ck_assert_msg(strstr(groups, "$2\r\ng2\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n"
                                 "$17\r\nlast-delivered-id\r\n$3\r\n5-0\r\n$12\r\nentries-read\r\n"
                                 ":4\r\n$3\r\nlag\r\n:6\r\n") != NULL,
                  "%s", harness_escape(groups));
    free(groups);
}

/* Waits until no AOF rewrite is running or scheduled. */
static void stream_wait_rewrite(struct conn *c)
{
    for (int i = 0; i < 500; i++) {
        char *info = conn_cmd(c, "info persistence");
        bool busy = strstr(info, "aof_rewrite_in_progress:1") != NULL ||
                    strstr(info, "aof_rewrite_scheduled:1") != NULL;
        free(info);
        if (!busy)
            return;
        harness_sleep_ms(20);
    }
    ck_abort_msg("the AOF rewrite did not end");
}

START_TEST(test_debug_reload_and_aof_rewrite)
{
    harness_fixture_close(&server, &client);
    const char *args[] = {"--enable-debug-command", "yes", "--appendonly", "yes",
                          "--aof-use-rdb-preamble", "no", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    stream_build_sample(client);
    ck_cmd(client, "xadd empty maxlen 0 7-7 a b", "$3\r\n7-7\r\n");
    stream_check_sample(client);
    char *before = conn_cmd(client, "xinfo stream s full");
    ck_cmd(client, "debug reload", "+OK\r\n");
    stream_check_sample(client);
    char *after = conn_cmd(client, "xinfo stream s full");
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
    ck_cmd(client, "xinfo stream empty",
           "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n"
           ":1\r\n$17\r\nlast-generated-id\r\n$3\r\n7-7\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n"
           "$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n"
           "$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
    /* A RESP AOF rewrite rebuilds it with XADD, XSETID, XGROUP CREATE and
     * XCLAIM; loading that must give the same stream. */
    ck_cmd_prefix(client, "bgrewriteaof", "+");
    stream_wait_rewrite(client);
    ck_cmd(client, "debug loadaof", "+OK\r\n");
    /* Replayed one XADD at a time, the tombstone is gone and the nodes
     * are packed anew. */
    stream_check_sample_nodes(client, "*20\r\n$6\r\nlength\r\n:9\r\n$15\r\nradix-tree-keys\r\n"
                                      ":3\r\n$16\r\nradix-tree-nodes\r\n:8\r\n");
    ck_cmd(client, "xinfo stream empty",
           "*20\r\n$6\r\nlength\r\n:0\r\n$15\r\nradix-tree-keys\r\n:0\r\n$16\r\nradix-tree-nodes\r\n"
           ":1\r\n$17\r\nlast-generated-id\r\n$3\r\n7-7\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n"
           "$13\r\nentries-added\r\n:1\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n0-0\r\n"
           "$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n$-1\r\n$10\r\nlast-entry\r\n$-1\r\n");
}
END_TEST

START_TEST(test_copy_rename_del)
{
    stream_build_sample(client);
    ck_cmd(client, "copy s s2", ":1\r\n");
    ck_cmd(client, "xadd s2 11-0 x y", "$4\r\n11-0\r\n");
    ck_cmd(client, "xgroup destroy s2 g1", ":1\r\n");
    /* The copy is deep: the original is unchanged. */
    stream_check_sample(client);
    ck_cmd(client, "xlen s2", ":10\r\n");
    ck_cmd(client, "rename s s3", "+OK\r\n");
    ck_cmd(client, "type s3", "+stream\r\n");
    ck_cmd(client, "object encoding s3", "$6\r\nstream\r\n");
    ck_cmd(client, "del s3", ":1\r\n");
    ck_cmd(client, "unlink s2", ":1\r\n");
    ck_cmd(client, "exists s2 s3", ":0\r\n");
}
END_TEST

/* From a script (issue 18): BLOCK is refused at the option, even with data
 * to serve, with the command's name as spelt; LIMIT without ~ is refused as
 * for a client (only the master and the AOF are obeyed). */
START_TEST(test_from_scripts)
{
    ck_cmd(client, "xadd s 1-1 f v", "$3\r\n1-1\r\n");
    ck_cmd(client, "xgroup create s g 0", "+OK\r\n");
    const char *cases[][2] = {
        {"return redis.call('XReaD','block','abc','streams',KEYS[1],'0')",
         "-ERR XReaD command is not allowed with BLOCK option from scripts script: "},
        {"return redis.call('xreadgroup','group','g','c','block',0,'streams',KEYS[1],'>')",
         "-ERR xreadgroup command is not allowed with BLOCK option from scripts script: "},
        {"return redis.call('xadd',KEYS[1],'maxlen','=','1','limit','10','*','f','v')",
         "-ERR syntax error, LIMIT cannot be used without the special ~ option script: "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[] = {"EVAL", cases[i][0], "1", "s"};
        char *reply = conn_cmd_argv(client, 4, argv, NULL);
        ck_assert_msg(strncmp(reply, cases[i][1], strlen(cases[i][1])) == 0, "%s: got %s",
                      cases[i][0], harness_escape(reply));
        free(reply);
    }
    /* Without BLOCK a script reads as usual. */
    const char *read[] = {"EVAL", "return redis.call('xread','count',1,'streams',KEYS[1],'0')", "1",
                          "s"};
    char *reply = conn_cmd_argv(client, 4, read, NULL);
    ck_assert_str_eq(reply, "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\n"
                            "f\r\n$1\r\nv\r\n");
    free(reply);
}
END_TEST

/* DUMP/RESTORE of a stream with a group and pending entries, between the
 * server under test and a reference redis-server, both ways: the restored
 * stream reads back the same (XINFO STREAM FULL without its times). */
static void restore_across(struct conn *from, struct conn *to)
{
    stream_build_sample(from);
    const char *dump[] = {"DUMP", "s"};
    char *payload = conn_cmd_argv(from, 2, dump, NULL);
    ck_assert_msg(payload[0] == '$', "DUMP: %s", harness_escape(payload));
    /* The bulk's body: after "$<n>\r\n", n bytes. */
    char *body = strstr(payload, "\r\n") + 2;
    size_t n = (size_t)strtoull(payload + 1, NULL, 10);
    const char *restore[] = {"RESTORE", "s", "0", body};
    size_t lens[] = {7, 1, 1, n};
    char *ok = conn_cmd_argv(to, 4, restore, lens);
    ck_assert_msg(strcmp(ok, "+OK\r\n") == 0, "RESTORE: %s", harness_escape(ok));
    free(ok);
    free(payload);
    stream_check_sample(to);
}

START_TEST(test_dump_restore_with_redis)
{
    struct server_handle *ref;
    struct conn *ref_client;
    harness_reference_open(&ref, &ref_client);
    if (ref == NULL)
        return;
    restore_across(client, ref_client);
    ck_cmd(client, "del s", ":1\r\n");
    ck_cmd(ref_client, "del s", ":1\r\n");
    restore_across(ref_client, client);
    harness_reference_close(&ref, &ref_client);
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
    Suite *s = suite_create("stream");
    TCase *tc = tcase_with_fixture("replies");
    tcase_add_test(tc, test_xadd_range_trim_errors);
    tcase_add_test(tc, test_consumer_groups);
    tcase_add_test(tc, test_edge_cases);
    tcase_add_test(tc, test_history_setid_autoclaim);
    tcase_add_test(tc, test_special_ids);
    tcase_add_test(tc, test_arity);
    tcase_add_test(tc, test_random_sequence_seed11);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("blocking");
    tcase_add_test(tc, test_xread_block_served_by_xadd);
    tcase_add_test(tc, test_xreadgroup_block);
    suite_add_tcase(s, tc);
    tc = tcase_with_fixture("events_and_persistence");
    tcase_add_test(tc, test_keyspace_events);
    tcase_add_test(tc, test_aof_propagation);
    tcase_add_test(tc, test_debug_reload_and_aof_rewrite);
    tcase_add_test(tc, test_copy_rename_del);
    tcase_add_test(tc, test_from_scripts);
    tcase_add_test(tc, test_dump_restore_with_redis);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
