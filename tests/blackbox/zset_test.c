/* zset_test.c: black-box tests of the sorted-set commands: ZADD and its
 * options and errors, the point reads, every ZRANGE form, the range
 * deletions, the pops, ZMPOP, the set operations and their STORE forms,
 * ZSCAN, ZRANDMEMBER, WRONGTYPE, the listpack -> skiplist transitions at the
 * configured limits, and the RESP3 reply shapes (doubles, [member, score]
 * pairs).
 *
 * Every expectation was produced by, and checked against, Redis 7.0 (run
 * with RINGKV_SERVER=/usr/bin/redis-server), so a reply here is Redis's
 * reply byte for byte. Replies that depend on randomness (ZRANDMEMBER with
 * repetition) are checked by their header only. Each test starts its own
 * server. */
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

/* A large zset: ZRANGE, ZRANK and ZSCAN over the skiplist encoding agree
 * with each other for 1000 members. */
START_TEST(test_large_skiplist_consistency)
{
    char line[128];
    for (int i = 0; i < 1000; i++) {
        snprintf(line, sizeof(line), "zadd big %d m%04d", i % 10, i);
        ck_cmd(client, line, ":1\r\n");
    }
    ck_cmd(client, "object encoding big", "$8\r\nskiplist\r\n");
    ck_cmd(client, "zcard big", ":1000\r\n");
    ck_cmd(client, "zcount big 3 (5", ":200\r\n");
    /* Score 0 holds m0000, m0010, ...: rank 1 is m0010. */
    ck_cmd(client, "zrank big m0010", ":1\r\n");
    ck_cmd(client, "zrevrank big m0999", ":0\r\n");
    ck_cmd(client, "zrange big 1 1 withscores", "*2\r\n$5\r\nm0010\r\n$1\r\n0\r\n");
    ck_cmd(client, "zremrangebyscore big 0 8", ":900\r\n");
    ck_cmd(client, "zcard big", ":100\r\n");
    /* A full ZSCAN walk returns every member at least once. */
    char cursor[32] = "0";
    int seen = 0;
    do {
        snprintf(line, sizeof(line), "zscan big %s count 7", cursor);
        char *reply = conn_cmd(client, line);
        ck_assert_msg(strncmp(reply, "*2\r\n$", 5) == 0, "%s", harness_escape(reply));
        char *p = strchr(reply + 5, '\n') + 1;
        char *end = strchr(p, '\r');
        memcpy(cursor, p, (size_t)(end - p));
        cursor[end - p] = '\0';
        p = end + 2;
        seen += atoi(p + 1) / 2;
        free(reply);
    } while (strcmp(cursor, "0") != 0);
    ck_assert_int_ge(seen, 100);
}
END_TEST

/* Plain sets take part in the zset algebra as zsets whose members score 1. */
START_TEST(test_set_inputs_score_one)
{
    ck_cmd(client, "sadd s a b c 1", ":4\r\n");
    ck_cmd(client, "sadd si 1 2 3", ":3\r\n"); /* intset encoding */
    ck_cmd(client, "zadd z 2 a 3 d", ":2\r\n");
    ck_cmd(client, "zunion 2 s z withscores",
           "*10\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n"
           "$1\r\na\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n3\r\n");
    ck_cmd(client, "zinter 2 s z weights 2 3 withscores", "*2\r\n$1\r\na\r\n$1\r\n8\r\n");
    ck_cmd(client, "zdiff 2 s z", "*3\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "zintercard 2 s si", ":1\r\n");
    ck_cmd(client, "zinterstore out 2 si s aggregate max", ":1\r\n");
    ck_cmd(client, "zrange out 0 -1 withscores", "*2\r\n$1\r\n1\r\n$1\r\n1\r\n");
    ck_cmd(client, "zunionstore out 2 si missing", ":3\r\n");
    ck_cmd(client, "type out", "+zset\r\n");
}
END_TEST

START_TEST(test_zadd_options)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c 1.5 d", ":4\r\n");
    ck_cmd(client, "zadd z nx 5 a 6 e", ":1\r\n");
    ck_cmd(client, "zadd z xx ch 5 a 6 f", ":1\r\n");
    ck_cmd(client, "zadd z gt ch 1 a 10 b", ":1\r\n");
    ck_cmd(client, "zadd z lt ch 1 a 10 c", ":1\r\n");
    ck_cmd(client, "zadd z incr gt -1 a", "$-1\r\n");
    ck_cmd(client, "zadd z incr 2.5 a", "$3\r\n3.5\r\n");
    ck_cmd(client, "zadd nokey xx 1 a", ":0\r\n");
    ck_cmd(client, "zadd nokey xx incr 1 a", "$-1\r\n");
    ck_cmd(client, "exists nokey", ":0\r\n");
    ck_cmd(client, "zrange z 0 -1 withscores", "*10\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$3\r\n3.5\r\n$1\r\ne\r\n$1\r\n6\r\n$1\r\nb\r\n$2\r\n10\r\n");
    ck_cmd(client, "zcard z", ":5\r\n");
}
END_TEST

START_TEST(test_zadd_errors)
{
    ck_cmd(client, "zadd z nx xx 1 a", "-ERR XX and NX options at the same time are not compatible\r\n");
    ck_cmd(client, "zadd z gt lt 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    ck_cmd(client, "zadd z gt nx 1 a", "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n");
    ck_cmd(client, "zadd z incr 1 a 2 b", "-ERR INCR option supports a single increment-element pair\r\n");
    ck_cmd(client, "zadd z 1", "-ERR wrong number of arguments for 'zadd' command\r\n");
    ck_cmd(client, "zadd z 1 a 2", "-ERR syntax error\r\n");
    ck_cmd(client, "zadd z x a", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "zadd z nan a", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "zadd z 1 a", ":1\r\n");
    ck_cmd(client, "zadd z incr inf a", "$3\r\ninf\r\n");
    ck_cmd(client, "zadd z incr -inf a", "-ERR resulting score is not a number (NaN)\r\n");
    ck_cmd(client, "zincrby z x a", "-ERR value is not a valid float\r\n");
    ck_cmd(client, "zincrby z -inf a", "-ERR resulting score is not a number (NaN)\r\n");
    ck_cmd(client, "exists z2", ":0\r\n");
}
END_TEST

START_TEST(test_zincrby_and_scores)
{
    ck_cmd(client, "zincrby z 1 a", "$1\r\n1\r\n");
    ck_cmd(client, "zincrby z 1.5 a", "$3\r\n2.5\r\n");
    ck_cmd(client, "zincrby z -0.5 b", "$4\r\n-0.5\r\n");
    ck_cmd(client, "zscore z a", "$3\r\n2.5\r\n");
    ck_cmd(client, "zscore z nope", "$-1\r\n");
    ck_cmd(client, "zscore nokey a", "$-1\r\n");
    ck_cmd(client, "zmscore z a nope b", "*3\r\n$3\r\n2.5\r\n$-1\r\n$4\r\n-0.5\r\n");
    ck_cmd(client, "zmscore nokey a b", "*2\r\n$-1\r\n$-1\r\n");
    ck_cmd(client, "zadd z 1e17 big 0.1 tenth inf top -inf bottom", ":4\r\n");
    ck_cmd(client, "zrange z 0 -1 withscores", "*12\r\n$6\r\nbottom\r\n$4\r\n-inf\r\n$1\r\nb\r\n$4\r\n-0.5\r\n$5\r\ntenth\r\n$19\r\n0.10000000000000001\r\n$1\r\na\r\n$3\r\n2.5\r\n$3\r\nbig\r\n$5\r\n1e+17\r\n$3\r\ntop\r\n$3\r\ninf\r\n");
    ck_cmd(client, "zrank z a", ":3\r\n");
    ck_cmd(client, "zrevrank z a", ":2\r\n");
    ck_cmd(client, "zrank z nope", "$-1\r\n");
    ck_cmd(client, "zrank nokey a", "$-1\r\n");
}
END_TEST

START_TEST(test_zrange_by_rank)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c 4 d 5 e", ":5\r\n");
    ck_cmd(client, "zrange z 0 -1", "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    ck_cmd(client, "zrange z -2 -1 withscores", "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n");
    ck_cmd(client, "zrange z 5 1", "*0\r\n");
    ck_cmd(client, "zrange z 1 100 rev withscores", "*8\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zrevrange z 0 1 withscores", "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n");
    ck_cmd(client, "zrange z -100 1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "zrange nokey 0 -1", "*0\r\n");
    ck_cmd(client, "zrange z a 1", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "zrange z 0 1 limit 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    ck_cmd(client, "zrevrange z 0 1 limit 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    ck_cmd(client, "zrange z 0 1 rev rev", "-ERR syntax error\r\n");
    ck_cmd(client, "zrange z 0 1 foo", "-ERR syntax error\r\n");
}
END_TEST

START_TEST(test_zrange_by_score)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c 4 d 5 e", ":5\r\n");
    ck_cmd(client, "zrange z (1 3 byscore withscores", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "zrange z 5 (2 byscore rev limit 1 2", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
    ck_cmd(client, "zrangebyscore z -inf +inf limit 1 2", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "zrangebyscore z -inf +inf limit -1 2", "*0\r\n");
    ck_cmd(client, "zrangebyscore z -inf +inf limit 1 -1", "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n");
    ck_cmd(client, "zrangebyscore z 3 1", "*0\r\n");
    ck_cmd(client, "zrevrangebyscore z 3 1 withscores", "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zrevrangebyscore z +inf -inf limit 0 2", "*2\r\n$1\r\ne\r\n$1\r\nd\r\n");
    ck_cmd(client, "zrangebyscore z x 1", "-ERR min or max is not a float\r\n");
    ck_cmd(client, "zrangebyscore z 0 1 rev", "-ERR syntax error\r\n");
    ck_cmd(client, "zrange z 0 1 byscore bylex", "-ERR syntax error\r\n");
    ck_cmd(client, "zcount z -inf +inf", ":5\r\n");
    ck_cmd(client, "zcount z (1 3", ":2\r\n");
    ck_cmd(client, "zcount z a b", "-ERR min or max is not a float\r\n");
    ck_cmd(client, "zcount nokey 0 1", ":0\r\n");
}
END_TEST

START_TEST(test_zrange_by_lex)
{
    ck_cmd(client, "zadd l 0 a 0 b 0 c 0 d 0 e", ":5\r\n");
    ck_cmd(client, "zrangebylex l [b (e", "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
    ck_cmd(client, "zrevrangebylex l (e [b", "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n");
    ck_cmd(client, "zrevrangebylex l + - limit 1 2", "*2\r\n$1\r\nd\r\n$1\r\nc\r\n");
    ck_cmd(client, "zrange l [b + bylex rev", "*0\r\n");
    ck_cmd(client, "zrange l + [b bylex rev", "*4\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n");
    ck_cmd(client, "zrange l - + bylex limit 1 2", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "zlexcount l [b (e", ":3\r\n");
    ck_cmd(client, "zlexcount l - +", ":5\r\n");
    ck_cmd(client, "zrangebylex l a b", "-ERR min or max not valid string range item\r\n");
    ck_cmd(client, "zlexcount l a b", "-ERR min or max not valid string range item\r\n");
    ck_cmd(client, "zrange l a b bylex withscores", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
    ck_cmd(client, "zrangebylex l - + withscores", "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n");
}
END_TEST

START_TEST(test_zremrange)
{
    ck_cmd(client, "zadd l 0 a 0 b 0 c 0 d 0 e", ":5\r\n");
    ck_cmd(client, "zremrangebylex l [b [c", ":2\r\n");
    ck_cmd(client, "zrange l 0 -1", "*3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n");
    ck_cmd(client, "zremrangebyrank l 0 0", ":1\r\n");
    ck_cmd(client, "zremrangebyrank l a 1", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "zremrangebyrank l 5 10", ":0\r\n");
    ck_cmd(client, "zrange l 0 -1", "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    ck_cmd(client, "zremrangebyscore l (0 +inf", ":0\r\n");
    ck_cmd(client, "zremrangebyscore l -inf +inf", ":2\r\n");
    ck_cmd(client, "exists l", ":0\r\n");
    ck_cmd(client, "zremrangebyscore nokey 0 1", ":0\r\n");
    ck_cmd(client, "zremrangebyscore l x 1", "-ERR min or max is not a float\r\n");
    ck_cmd(client, "zremrangebylex l x y", "-ERR min or max not valid string range item\r\n");
}
END_TEST

START_TEST(test_zrangestore)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(client, "zrangestore dst z 0 1", ":2\r\n");
    ck_cmd(client, "zrange dst 0 -1 withscores", "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "object encoding dst", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zrangestore dst z (1 +inf byscore limit 0 1", ":1\r\n");
    ck_cmd(client, "zrange dst 0 -1 withscores", "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "zrangestore dst z 0 1 withscores", "-ERR syntax error\r\n");
    ck_cmd(client, "zrangestore dst nokey 0 1", ":0\r\n");
    ck_cmd(client, "exists dst", ":0\r\n");
    ck_cmd(client, "zrangestore dst z 5 10", ":0\r\n");
    ck_cmd(client, "set s x", "+OK\r\n");
    ck_cmd(client, "zrangestore s z 0 -1", ":3\r\n");
    ck_cmd(client, "type s", "+zset\r\n");
}
END_TEST

START_TEST(test_zpop)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c 4 d", ":4\r\n");
    ck_cmd(client, "zpopmin z", "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zpopmax z 2", "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "zpopmin z 0", "*0\r\n");
    ck_cmd(client, "zpopmin z -1", "-ERR value is out of range, must be positive\r\n");
    ck_cmd(client, "zpopmin z 1 2", "-ERR syntax error\r\n");
    ck_cmd(client, "zpopmin nokey", "*0\r\n");
    ck_cmd(client, "zpopmax z 10", "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "exists z", ":0\r\n");
}
END_TEST

START_TEST(test_zmpop)
{
    ck_cmd(client, "zadd z 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(client, "zmpop 0 z min", "-ERR numkeys should be greater than 0\r\n");
    ck_cmd(client, "zmpop 1 z min count 0", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "zmpop 1 z foo", "-ERR syntax error\r\n");
    ck_cmd(client, "zmpop 2 z min", "-ERR syntax error\r\n");
    ck_cmd(client, "zmpop 1 z min count -1", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "zmpop 2 nokey z max count 2", "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "zmpop 1 z min", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zmpop 1 nokey min", "*-1\r\n");
    ck_cmd(client, "exists z", ":0\r\n");
}
END_TEST

/* numkeys for ZMPOP and BZMPOP, as Redis 7.0.15 parses it: no integer, or
 * below 1, says "numkeys should be greater than 0" (so does a number past
 * LLONG_MAX); any numkeys that leaves no room for MIN|MAX is a syntax error,
 * however large (past INT_MAX too); numkeys is parsed before MIN|MAX, COUNT
 * and the timeout. */
START_TEST(test_zmpop_numkeys)
{
    static const char *const syntax = "-ERR syntax error\r\n";
    ck_cmd(client, "zadd k1 1 a", ":1\r\n");
    harness_check_mpop_numkeys(client, "zmpop", "bzmpop", "min");
    /* numkeys larger than the arguments left, by one or more. */
    ck_cmd(client, "zmpop 1 k1 k2 min", syntax);
    ck_cmd(client, "zmpop 2 k1 min count 1", syntax);
    ck_cmd(client, "zmpop 4 k1 min count 1", syntax);
    ck_cmd(client, "bzmpop 0.01 2 k1 min count 1", syntax);
    /* The timeout comes last. */
    ck_cmd(client, "bzmpop abc 1 k1 min", "-ERR timeout is not a float or out of range\r\n");
    ck_cmd(client, "bzmpop -1 1 k1 min", "-ERR timeout is negative\r\n");
    ck_cmd(client, "bzmpop abc 1 k1 left", syntax);
    ck_cmd(client, "bzmpop abc 1 k1 min count 0", "-ERR count should be greater than 0\r\n");
    ck_cmd(client, "zmpop 1 k1 min count 9223372036854775808",
           "-ERR count should be greater than 0\r\n");
    /* None of these popped anything. */
    ck_cmd(client, "zcard k1", ":1\r\n");
    ck_cmd(client, "bzmpop 0.01 2 k2 k1 max count 9",
           "*2\r\n$2\r\nk1\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "bzmpop 0.01 2 k2 k1 max", "*-1\r\n");
}
END_TEST

START_TEST(test_set_operations)
{
    ck_cmd(client, "zadd s1 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(client, "zadd s2 10 b 20 c 30 d", ":3\r\n");
    ck_cmd(client, "zunion 2 s1 s2 withscores", "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    ck_cmd(client, "zunion 2 s1 s2 weights 2 3 aggregate max withscores", "*8\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$2\r\n30\r\n$1\r\nc\r\n$2\r\n60\r\n$1\r\nd\r\n$2\r\n90\r\n");
    ck_cmd(client, "zinter 2 s1 s2 withscores", "*4\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n");
    ck_cmd(client, "zinter 2 s1 s2 aggregate min withscores", "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n");
    ck_cmd(client, "zdiff 2 s1 s2 withscores", "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zdiff 2 s2 s1", "*1\r\n$1\r\nd\r\n");
    ck_cmd(client, "zunion 2 s1 nokey", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    ck_cmd(client, "zinter 2 s1 nokey", "*0\r\n");
    ck_cmd(client, "zintercard 2 s1 s2", ":2\r\n");
    ck_cmd(client, "zintercard 2 s1 s2 limit 1", ":1\r\n");
    ck_cmd(client, "zunionstore out 2 s1 s2", ":4\r\n");
    ck_cmd(client, "zrange out 0 -1 withscores", "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    ck_cmd(client, "object encoding out", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zinterstore out 2 s1 nokey", ":0\r\n");
    ck_cmd(client, "exists out", ":0\r\n");
    ck_cmd(client, "zdiffstore out 2 s2 s1", ":1\r\n");
    ck_cmd(client, "zrange out 0 -1 withscores", "*2\r\n$1\r\nd\r\n$2\r\n30\r\n");
}
END_TEST

START_TEST(test_set_operation_errors)
{
    ck_cmd(client, "zadd z 1 a", ":1\r\n");
    ck_cmd(client, "zunion 0 z", "-ERR at least 1 input key is needed for 'zunion' command\r\n");
    ck_cmd(client, "zunion 2 z", "-ERR syntax error\r\n");
    ck_cmd(client, "zunion 1 z weights x", "-ERR weight value is not a float\r\n");
    ck_cmd(client, "zunion 1 z aggregate foo", "-ERR syntax error\r\n");
    ck_cmd(client, "zdiff 1 z weights 1", "-ERR syntax error\r\n");
    ck_cmd(client, "zintercard 0 z", "-ERR at least 1 input key is needed for 'zintercard' command\r\n");
    ck_cmd(client, "zintercard 1 z limit -1", "-ERR LIMIT can't be negative\r\n");
    ck_cmd(client, "zinterstore d 1 z withscores", "-ERR syntax error\r\n");
    ck_cmd(client, "zunionstore d 0 z", "-ERR at least 1 input key is needed for 'zunionstore' command\r\n");
}
END_TEST

START_TEST(test_zscan_and_zrandmember)
{
    ck_cmd(client, "zadd z 1 a 2 b 3.5 c", ":3\r\n");
    ck_cmd(client, "zscan z 0", "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$3\r\n3.5\r\n");
    ck_cmd(client, "zscan z x", "-ERR invalid cursor\r\n");
    /* An empty cursor reads as 0 and a negative one wraps, as strtoul does. */
    ck_cmd(client, "zscan z  count 1",
           "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$3\r\n3.5\r\n");
    ck_cmd(client, "zscan z 0 count 0", "-ERR syntax error\r\n");
    ck_cmd(client, "zscan nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n");
    ck_cmd(client, "zscan z 0 match a*", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "zrandmember nokey", "$-1\r\n");
    ck_cmd(client, "zrandmember nokey 5", "*0\r\n");
    ck_cmd(client, "zrandmember z 0", "*0\r\n");
    ck_cmd(client, "zrandmember z 1 withscores x", "-ERR syntax error\r\n");
    ck_cmd(client, "zrandmember z -9223372036854775807 withscores", "-ERR value is out of range\r\n");
    ck_cmd_prefix(client, "zrandmember z -3 withscores", "*6\r\n");
    ck_cmd_prefix(client, "zrandmember z 5 withscores", "*6\r\n");
}
END_TEST

START_TEST(test_wrongtype)
{
    ck_cmd(client, "set str x", "+OK\r\n");
    ck_cmd(client, "zadd str 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zincrby str 1 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zrem str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zcard str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zscore str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zmscore str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zrank str a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zcount str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zlexcount str - +", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zrange str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zrangebyscore str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zremrangebyrank str 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zpopmin str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zmpop 1 str min", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zrandmember str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zunion 1 str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zintercard 1 str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zscan str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(client, "zunionstore str2 1 str", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
}
END_TEST

START_TEST(test_encoding_transitions)
{
    ck_cmd(client, "config set zset-max-listpack-entries 3", "+OK\r\n");
    ck_cmd(client, "config set zset-max-listpack-value 5", "+OK\r\n");
    ck_cmd(client, "zadd z 1 a 2 b 3 c", ":3\r\n");
    ck_cmd(client, "object encoding z", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zadd z 4 d", ":1\r\n");
    ck_cmd(client, "object encoding z", "$8\r\nskiplist\r\n");
    ck_cmd(client, "zrem z a b c d", ":4\r\n");
    ck_cmd(client, "exists z", ":0\r\n");
    ck_cmd(client, "zadd v 1 abcde", ":1\r\n");
    ck_cmd(client, "object encoding v", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zadd v 2 abcdef", ":1\r\n");
    ck_cmd(client, "object encoding v", "$8\r\nskiplist\r\n");
    ck_cmd(client, "zadd w 1 abcdef", ":1\r\n");
    ck_cmd(client, "object encoding w", "$8\r\nskiplist\r\n");
    ck_cmd(client, "zadd small 1 a 2 b", ":2\r\n");
    ck_cmd(client, "zunionstore u 1 small", ":2\r\n");
    ck_cmd(client, "object encoding u", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zadd big 1 a 2 b 3 c 4 d", ":4\r\n");
    ck_cmd(client, "zunionstore u 1 big", ":4\r\n");
    ck_cmd(client, "object encoding u", "$8\r\nskiplist\r\n");
    ck_cmd(client, "zrangestore r big 0 1", ":2\r\n");
    ck_cmd(client, "object encoding r", "$8\r\nlistpack\r\n");
    ck_cmd(client, "zrangestore r big 0 -1", ":4\r\n");
    ck_cmd(client, "object encoding r", "$8\r\nskiplist\r\n");
    ck_cmd(client, "config set zset-max-listpack-entries 0", "+OK\r\n");
    ck_cmd(client, "zadd e 1 a", ":1\r\n");
    ck_cmd(client, "object encoding e", "$8\r\nskiplist\r\n");
}
END_TEST

START_TEST(test_resp3_shapes)
{
    free(conn_cmd(client, "hello 3"));
    ck_cmd(client, "zadd z 1 a 2.5 b", ":2\r\n");
    ck_cmd(client, "zrange z 0 -1 withscores", "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    ck_cmd(client, "zrange z 0 -1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_cmd(client, "zrangebyscore z -inf +inf withscores", "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n");
    ck_cmd(client, "zscore z a", ",1\r\n");
    ck_cmd(client, "zmscore z a nope", "*2\r\n,1\r\n_\r\n");
    ck_cmd(client, "zincrby z 1 a", ",2\r\n");
    ck_cmd(client, "zadd z incr 1 a", ",3\r\n");
    ck_cmd(client, "zrank z nope", "_\r\n");
    ck_cmd(client, "zpopmin z", "*2\r\n$1\r\nb\r\n,2.5\r\n");
    ck_cmd(client, "zadd z 2 a", ":0\r\n");
    ck_cmd(client, "zpopmin z 1", "*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    ck_cmd(client, "zadd z 2 a", ":1\r\n");
    ck_cmd_prefix(client, "zrandmember z -1 withscores", "*1\r\n");
    ck_cmd(client, "zunion 1 z withscores", "*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    ck_cmd(client, "zinter 1 z withscores", "*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    ck_cmd(client, "zdiff 1 z withscores", "*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    ck_cmd(client, "zscan z 0", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n");
    ck_cmd(client, "zmpop 1 z max", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,2\r\n");
    ck_cmd(client, "zmpop 1 nokey min", "_\r\n");
    ck_cmd(client, "zrandmember nokey", "_\r\n");
    free(conn_cmd(client, "hello 2"));
    ck_cmd(client, "zmpop 1 z max", "*-1\r\n");
}
END_TEST

static void suite_add_zset(Suite *s)
{
    TCase *tc = tcase_create("zset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_zadd_options);
    tcase_add_test(tc, test_set_inputs_score_one);
    tcase_add_test(tc, test_zadd_errors);
    tcase_add_test(tc, test_zincrby_and_scores);
    tcase_add_test(tc, test_zrange_by_rank);
    tcase_add_test(tc, test_zrange_by_score);
    tcase_add_test(tc, test_zrange_by_lex);
    tcase_add_test(tc, test_zremrange);
    tcase_add_test(tc, test_zrangestore);
    tcase_add_test(tc, test_zpop);
    tcase_add_test(tc, test_zmpop);
    tcase_add_test(tc, test_zmpop_numkeys);
    tcase_add_test(tc, test_set_operations);
    tcase_add_test(tc, test_set_operation_errors);
    tcase_add_test(tc, test_zscan_and_zrandmember);
    tcase_add_test(tc, test_wrongtype);
    tcase_add_test(tc, test_encoding_transitions);
    tcase_add_test(tc, test_resp3_shapes);
    tcase_add_test(tc, test_large_skiplist_consistency);
    suite_add_tcase(s, tc);
}

int main(void)
{
    Suite *s = suite_create("zset");
    suite_add_zset(s);
    return harness_run_suite(s);
}
