/* aof_forms_test.c: black-box tests of what each write command appends to
 * the AOF: the exact RESP records Redis 7.0 writes to the INCR file.
 *
 * Commands whose effect depends on when or where they run are logged in a
 * form that replays to the same data: relative expiries become absolute
 * (SET ... PXAT, PEXPIREAT), an expiry in the past becomes DEL, float
 * increments log their result, random pops log what they removed, and
 * blocking commands log the plain command they amounted to. Several
 * commands logged for one call are wrapped in MULTI ... EXEC.
 *
 * Each test starts a server with appendonly yes and appendfsync always in a
 * fresh directory, finds the INCR file through the manifest and reads the
 * records appended since its last check. With appendfsync always a record
 * is written before the command's reply is sent; the reader still polls
 * briefly so that a slow disk cannot fail a test. Every expectation was
 * checked against Redis 7.0.15 by running this file with
 * RINGKV_SERVER=/usr/bin/redis-server. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Records one check may expect, and the text of one record ("SET k v"). */
#define AOF_RECORDS_MAX 32
#define AOF_RECORD_TEXT_BYTES 512
/* How long to wait for records to reach the file before failing. */
#define AOF_WAIT_MS 3000
/* An absolute time logged by the server may differ from the test's clock
 * by the time the commands took; anything within this is accepted. */
#define AOF_TIME_SLACK_MS 5000
/* How long to poll INFO for a client to be blocked before failing. */
#define BLOCKED_WAIT_MS 5000

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */
static char data_dir[256];           /* the server's directory (removed by server_stop) */
static char incr_path[640];          /* the INCR file the manifest names */
static size_t aof_offset;            

/* Reads a whole file; returns owned bytes (NUL-terminated) or NULL when it
 * does not exist. */
static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The INCR's records and annotations as Redis would have written them
 * (ringkv's batch headers and padding removed: harness_aof_plain). */
static char *read_incr(size_t *len)
{
    char *buf = read_file(incr_path, len);
    if (buf != NULL)
        *len = harness_aof_plain(buf, *len);
    return buf;
}

/* Finds the INCR file in the manifest ("file <name> seq <n> type i"). */
static void find_incr_file(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.manifest", data_dir);
    size_t len;
    char *manifest = read_file(path, &len);
    ck_assert_msg(manifest != NULL, "no manifest at %s", path);
    char name[256] = "";
    for (char *line = strtok(manifest, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char file[256], type[8];
        if (sscanf(line, "file %255s seq %*d type %7s", file, type) == 2 && strcmp(type, "i") == 0)
            snprintf(name, sizeof(name), "%s", file);
    }
    free(manifest);
    ck_assert_msg(name[0] != '\0', "the manifest names no INCR file");
    snprintf(incr_path, sizeof(incr_path), "%s/appendonlydir/%s", data_dir, name);
}

/* Reads the decimal number that ends at "\r\n" at *p, advancing past it.
 * Returns false if the bytes are not exactly that. */
static bool parse_number_line(const char **p, const char *end, long long *out)
{
    char *stop;
    long long v = strtoll(*p, &stop, 10);
    if (stop == *p || stop + 2 > end || stop[0] != '\r' || stop[1] != '\n')
        return false;
    *out = v;
    *p = stop + 2;
    return true;
}

/* Parses the complete records in buf into their texts (arguments joined by
 * single spaces). Fails the test on any byte that is not a RESP multibulk
 * of bulk strings with exactly the lengths it announces. Returns the number
 * of records; *used gets the bytes they span. */
static int parse_records(const char *buf, size_t len, char texts[][AOF_RECORD_TEXT_BYTES],
                         int max, size_t *used)
{
    const char *p = buf, *end = buf + len;
    int count = 0;
    *used = 0;
    while (p < end) {
        const char *q = p;
        long long argc;
        ck_assert_msg(*q == '*', "not a multibulk at offset %zu: %s", (size_t)(p - buf),
                      harness_escape(p));
        q++;
        if (!parse_number_line(&q, end, &argc))
            break; /* incomplete: written later */
        ck_assert_msg(argc >= 1, "bad argument count at offset %zu", (size_t)(p - buf));
        char text[AOF_RECORD_TEXT_BYTES] = "";
        size_t text_len = 0;
        bool complete = true;
        for (long long i = 0; i < argc && complete; i++) {
            long long arg_len;
            complete = q < end && *q == '$';
            if (complete) {
                q++;
                complete = parse_number_line(&q, end, &arg_len) && q + arg_len + 2 <= end;
            }
            if (!complete)
                break;
            ck_assert_msg(q[arg_len] == '\r' && q[arg_len + 1] == '\n', "bulk not ended by CRLF");
            ck_assert(text_len + (size_t)arg_len + 2 < sizeof(text));
            if (i > 0)
                text[text_len++] = ' ';
            memcpy(text + text_len, q, (size_t)arg_len);
            text_len += (size_t)arg_len;
            text[text_len] = '\0';
            q += arg_len + 2;
        }
        if (!complete)
            break;
        ck_assert_msg(count < max, "more than %d records", max);
        memcpy(texts[count++], text, text_len + 1);
        p = q;
        *used = (size_t)(p - buf);
    }
    return count;
}

/* Whether an actual argument matches an expected one. "~N" expects an
 * absolute unix time in ms near now + N; anything else must be equal. */
static bool token_matches(const char *expected, const char *actual)
{
    if (expected[0] != '~')
        return strcmp(expected, actual) == 0;
    char *stop;
    long long got = strtoll(actual, &stop, 10);
    long long want = harness_wall_ms() + atoll(expected + 1);
    return *stop == '\0' && stop != actual && llabs(got - want) <= AOF_TIME_SLACK_MS;
}

/* Copies src into dst[size], cutting it (records longer than the buffer
 * never need comparing past it). */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static bool record_matches(const char *expected, const char *actual)
{
    char e[AOF_RECORD_TEXT_BYTES], a[AOF_RECORD_TEXT_BYTES];
    copy_text(e, sizeof(e), expected);
    copy_text(a, sizeof(a), actual);
    char *es, *as;
    char *et = strtok_r(e, " ", &es), *at = strtok_r(a, " ", &as);
    while (et != NULL && at != NULL) {
        if (!token_matches(et, at))
            return false;
        et = strtok_r(NULL, " ", &es);
        at = strtok_r(NULL, " ", &as);
    }
    return et == NULL && at == NULL;
}

/* Asserts that the records appended since the last check are exactly
 * expected (n of them, as texts: "SET k v PXAT ~100000"), then moves the
 * check point past them. */
static void aof_expect(const char *const *expected, int n)
{
    char texts[AOF_RECORDS_MAX][AOF_RECORD_TEXT_BYTES];
    int count = 0;
    size_t used = 0;
    long long deadline = harness_clock_ms() + AOF_WAIT_MS;
    for (;;) {
        size_t len = 0;
        char *buf = read_incr(&len);
        count = 0;
        if (buf != NULL && len > aof_offset)
            count = parse_records(buf + aof_offset, len - aof_offset, texts, AOF_RECORDS_MAX, &used);
        free(buf);
        if (count >= n || harness_clock_ms() > deadline)
            break;
        harness_sleep_ms(5);
    }
    for (int i = 0; i < count && i < n; i++)
        ck_assert_msg(record_matches(expected[i], texts[i]), "record %d: expected \"%s\" got \"%s\"",
                      i, expected[i], texts[i]);
    ck_assert_msg(count == n, "expected %d records, got %d (first extra: \"%s\")", n, count,
                  count > n ? texts[n] : "");
    aof_offset += used;
}

#define AOF_EXPECT(...)                                                                          \
    do {                                                                                         \
        const char *const aof_expected_[] = {__VA_ARGS__};                                       \
        aof_expect(aof_expected_, (int)(sizeof(aof_expected_) / sizeof(aof_expected_[0])));      \
    } while (0)

/* Asserts that nothing was logged since the last check: a write whose
 * record must then come first. */
static void aof_expect_nothing(void)
{
    ck_cmd(client, "SET sentinel 1", "+OK\r\n");
    AOF_EXPECT("SET sentinel 1");
}

static void setup(void)
{
    harness_make_dir(data_dir, sizeof(data_dir));
    /* ringkv pre-writes its INCR ahead (64mb by default): a small chunk
     * keeps the file these tests read often small. */
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always", "--save", "",
                          server_is_redis() ? NULL : "--aof-prewrite-size",
                          "1mb", NULL};
    server = server_start_in(server_binary(), data_dir, args);
    client = conn_open(server->port);
    find_incr_file();
    aof_offset = 0;
    /* Every INCR file starts with the SELECT of the first command's db. */
    ck_cmd(client, "SET start 1", "+OK\r\n");
    size_t len = 0;
    char *buf = read_incr(&len);
    static const char select0[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
    ck_assert_msg(buf != NULL && len >= sizeof(select0) - 1 &&
                      memcmp(buf, select0, sizeof(select0) - 1) == 0,
                  "the INCR file does not start with SELECT 0: %s", buf ? harness_escape(buf) : "");
    free(buf);
    AOF_EXPECT("SELECT 0", "SET start 1");
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* Polls INFO clients until blocked_clients is n. */
static void wait_blocked(int n)
{
    char want[64];
    snprintf(want, sizeof(want), "blocked_clients:%d\r\n", n);
    long long deadline = harness_clock_ms() + BLOCKED_WAIT_MS;
    for (;;) {
        char *info = conn_cmd(client, "INFO clients");
        bool found = strstr(info, want) != NULL;
        free(info);
        if (found)
            return;
        ck_assert_msg(harness_clock_ms() < deadline, "never saw %s", want);
        harness_sleep_ms(5);
    }
}

static void ck_reply(struct conn *c, const char *expected)
{
    char *reply = conn_read_raw(c);
    ck_assert_msg(strcmp(reply, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(reply));
    free(reply);
}

/* Sends line on a second connection, where it blocks; then runs wake on
 * the main one, whose reply must be wake_reply, and checks the blocked
 * client's reply. */
static void block_then_wake(const char *line, const char *wake, const char *wake_reply,
                            const char *blocked_reply)
{
    struct conn *b = conn_open(server->port);
    conn_send(b, line);
    wait_blocked(1);
    ck_cmd(client, wake, wake_reply);
    ck_reply(b, blocked_reply);
    conn_close(b);
}

START_TEST(test_default_forms)
{
    /* A write is logged as sent, the spelling of its arguments kept. */
    ck_cmd(client, "set k v", "+OK\r\n");
    ck_cmd(client, "Rpush L a b", ":2\r\n");
    ck_cmd(client, "INCR n", ":1\r\n");
    ck_cmd(client, "SETNX k2 v", ":1\r\n");
    ck_cmd(client, "MSET a 1 b 2", "+OK\r\n");
    ck_cmd(client, "APPEND a x", ":2\r\n");
    AOF_EXPECT("set k v", "Rpush L a b", "INCR n", "SETNX k2 v", "MSET a 1 b 2", "APPEND a x");
    /* Reads and writes that change nothing leave nothing. */
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "SET k v2 NX", "$-1\r\n");
    ck_cmd(client, "DEL nokey", ":0\r\n");
    ck_cmd(client, "LPOP L 0", "*0\r\n");
    ck_cmd(client, "EXPIRE nokey 10", ":0\r\n");
    ck_cmd(client, "HDEL nokey f", ":0\r\n");
    aof_expect_nothing();
    /* LTRIM that removes nothing is no change to log, though Redis still
     * counts it as touching the key for WATCH. */
    ck_cmd(client, "WATCH L", "+OK\r\n");
    ck_cmd(client, "LTRIM L 0 -1", "+OK\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "PING", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*-1\r\n");
    aof_expect_nothing();
    ck_cmd(client, "LTRIM L 1 -1", "+OK\r\n");
    AOF_EXPECT("LTRIM L 1 -1");
}
END_TEST

START_TEST(test_bitmap_hll_forms)
{
    /* Bitmap writes are logged as sent, unless they changed nothing. */
    ck_cmd(client, "SETBIT b 7 1", ":0\r\n");
    ck_cmd(client, "SETBIT b 7 1", ":1\r\n");
    ck_cmd(client, "BITFIELD b GET u8 0", "*1\r\n:1\r\n");
    ck_cmd(client, "BITFIELD b SET u8 0 1", "*1\r\n:1\r\n");
    ck_cmd(client, "BITFIELD b OVERFLOW FAIL INCRBY u8 0 300", "*1\r\n$-1\r\n");
    AOF_EXPECT("SETBIT b 7 1");
    ck_cmd(client, "BITFIELD b GET u8 0 INCRBY u8 0 2", "*2\r\n:1\r\n:3\r\n");
    ck_cmd(client, "BITOP NOT d b", ":1\r\n");
    ck_cmd(client, "BITOP AND d nokey", ":0\r\n");
    AOF_EXPECT("BITFIELD b GET u8 0 INCRBY u8 0 2", "BITOP NOT d b",
               "BITOP AND d nokey");
    ck_cmd(client, "BITOP AND d nokey", ":0\r\n");
    aof_expect_nothing();
    /* PFCOUNT refreshing the cached cardinality is a write Redis logs;
     * a PFADD that changes no register is none. */
    ck_cmd(client, "PFADD h a b", ":1\r\n");
    ck_cmd(client, "PFADD h a", ":0\r\n");
    ck_cmd(client, "PFCOUNT h", ":2\r\n");
    ck_cmd(client, "PFCOUNT h", ":2\r\n");
    ck_cmd(client, "PFCOUNT h nokey", ":2\r\n");
    ck_cmd(client, "PFMERGE m h", "+OK\r\n");
    ck_cmd(client, "PFDEBUG TODENSE m", ":1\r\n");
    ck_cmd(client, "PFDEBUG TODENSE m", ":0\r\n");
    AOF_EXPECT("PFADD h a b", "PFCOUNT h", "PFMERGE m h", "PFDEBUG TODENSE m");
}
END_TEST

START_TEST(test_set_expiry_forms)
{
    /* Every expiry becomes SET key value PXAT <ms>; NX, XX and GET go. */
    ck_cmd(client, "SET a v EX 100", "+OK\r\n");
    ck_cmd(client, "set a v2 px 50000 xx get", "$1\r\nv\r\n");
    ck_cmd(client, "SET b v EXAT 2000000000 NX", "+OK\r\n");
    ck_cmd(client, "set c v pxat 2000000000000", "+OK\r\n");
    ck_cmd(client, "SET c v PX 100 PX 200000", "+OK\r\n");
    ck_cmd(client, "SETEX d 10 v", "+OK\r\n");
    ck_cmd(client, "psetex e 10000 v", "+OK\r\n");
    AOF_EXPECT("SET a v PXAT ~100000", "SET a v2 PXAT ~50000", "SET b v PXAT 2000000000000",
               "SET c v PXAT 2000000000000", "SET c v PXAT ~200000", "SET d v PXAT ~10000",
               "SET e v PXAT ~10000");
    /* A time already past is still a SET (the key expires later). */
    ck_cmd(client, "SET p v EXAT 100", "+OK\r\n");
    AOF_EXPECT("SET p v PXAT 100000");
    /* Without an expiry only GET is dropped; KEEPTTL stays. */
    ck_cmd(client, "set f v keepttl", "+OK\r\n");
    ck_cmd(client, "set f w GET", "$1\r\nv\r\n");
    ck_cmd(client, "set f x get XX get", "$1\r\nw\r\n");
    ck_cmd(client, "SET f y KEEPTTL GET", "$1\r\nx\r\n");
    AOF_EXPECT("set f v keepttl", "set f w", "set f x XX", "SET f y KEEPTTL");
    /* A SET that NX stops logs nothing, with or without an expiry. */
    ck_cmd(client, "SET f z NX EX 10", "$-1\r\n");
    ck_cmd(client, "SET nokey z XX GET", "$-1\r\n");
    aof_expect_nothing();
    /* GETSET is logged as the SET it amounts to. */
    ck_cmd(client, "getset f v", "$1\r\ny\r\n");
    ck_cmd(client, "GETSET g v", "$-1\r\n");
    AOF_EXPECT("SET f v", "SET g v");
}
END_TEST

START_TEST(test_getex_getdel)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    AOF_EXPECT("SET k v");
    ck_cmd(client, "GETEX k", "$1\r\nv\r\n");
    ck_cmd(client, "GETEX k PERSIST", "$1\r\nv\r\n");
    ck_cmd(client, "GETEX nokey EX 10", "$-1\r\n");
    aof_expect_nothing();
    ck_cmd(client, "GETEX k EX 100", "$1\r\nv\r\n");
    ck_cmd(client, "getex k px 100000", "$1\r\nv\r\n");
    ck_cmd(client, "GETEX k EXAT 2000000000", "$1\r\nv\r\n");
    ck_cmd(client, "GETEX k PXAT 1900000000000", "$1\r\nv\r\n");
    ck_cmd(client, "getex k persist", "$1\r\nv\r\n");
    AOF_EXPECT("PEXPIREAT k ~100000", "PEXPIREAT k ~100000", "PEXPIREAT k 2000000000000",
               "PEXPIREAT k 1900000000000", "PERSIST k");
    /* An absolute time already past deletes the key: DEL. */
    ck_cmd(client, "GETEX k EXAT 100", "$1\r\nv\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "GETEX k PXAT 100", "$1\r\nv\r\n");
    ck_cmd(client, "EXISTS k", ":0\r\n");
    AOF_EXPECT("DEL k", "SET k v", "DEL k");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "getdel k", "$1\r\nv\r\n");
    ck_cmd(client, "GETDEL k", "$-1\r\n");
    AOF_EXPECT("SET k v", "DEL k");
}
END_TEST

START_TEST(test_expire_family)
{
    ck_cmd(client, "SET k v", "+OK\r\n");
    AOF_EXPECT("SET k v");
    /* The time becomes absolute ms; options are kept as sent. */
    ck_cmd(client, "EXPIRE k 100", ":1\r\n");
    ck_cmd(client, "expire k 200 gt", ":1\r\n");
    ck_cmd(client, "PEXPIRE k 100000 XX", ":1\r\n");
    ck_cmd(client, "EXPIREAT k 2000000000", ":1\r\n");
    ck_cmd(client, "pexpireat k 1900000000000 lt", ":1\r\n");
    AOF_EXPECT("PEXPIREAT k ~100000", "PEXPIREAT k ~200000 gt", "PEXPIREAT k ~100000 XX",
               "PEXPIREAT k 2000000000000", "pexpireat k 1900000000000 lt");
    /* Refused by an option, or no key: nothing. */
    ck_cmd(client, "EXPIRE k 50 NX", ":0\r\n");
    ck_cmd(client, "EXPIRE nokey 50", ":0\r\n");
    aof_expect_nothing();
    ck_cmd(client, "PERSIST k", ":1\r\n");
    ck_cmd(client, "PERSIST k", ":0\r\n");
    AOF_EXPECT("PERSIST k");
    /* A time in the past deletes the key, logged as DEL. */
    ck_cmd(client, "EXPIRE k -1", ":1\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "PEXPIRE k 0", ":1\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "EXPIREAT k 100", ":1\r\n");
    ck_cmd(client, "SET k v", "+OK\r\n");
    ck_cmd(client, "pexpireat k 100", ":1\r\n");
    AOF_EXPECT("DEL k", "SET k v", "DEL k", "SET k v", "DEL k", "SET k v", "DEL k");
}
END_TEST

START_TEST(test_float_increments)
{
    ck_cmd(client, "SET f 1.5", "+OK\r\n");
    ck_cmd(client, "INCRBYFLOAT f 2", "$3\r\n3.5\r\n");
    ck_cmd(client, "incrbyfloat f 1e3", "$6\r\n1003.5\r\n");
    ck_cmd(client, "INCRBYFLOAT g 0.1", "$3\r\n0.1\r\n");
    AOF_EXPECT("SET f 1.5", "SET f 3.5 KEEPTTL", "SET f 1003.5 KEEPTTL", "SET g 0.1 KEEPTTL");
    ck_cmd(client, "HSET h f 1", ":1\r\n");
    ck_cmd(client, "HINCRBYFLOAT h f 1.5", "$3\r\n2.5\r\n");
    ck_cmd(client, "hincrbyfloat h g 2", "$1\r\n2\r\n");
    ck_cmd(client, "HINCRBY h i 2", ":2\r\n");
    AOF_EXPECT("HSET h f 1", "HSET h f 2.5", "HSET h g 2", "HINCRBY h i 2");
}
END_TEST

/* Parses a RESP2 array of bulk strings (an SPOP reply) into texts. */
static int reply_members(const char *reply, char members[][AOF_RECORD_TEXT_BYTES], int max)
{
    size_t used;
    int n = parse_records(reply, strlen(reply), members, max, &used);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(used, strlen(reply));
    /* One "record" holding every member: split it back. */
    int count = 0;
    char *save;
    char joined[AOF_RECORD_TEXT_BYTES];
    copy_text(joined, sizeof(joined), members[0]);
    for (char *t = strtok_r(joined, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
        ck_assert_int_lt(count, max);
        snprintf(members[count++], AOF_RECORD_TEXT_BYTES, "%s", t);
    }
    return count;
}

START_TEST(test_spop)
{
    ck_cmd(client, "SADD s a b c d e f g h i j", ":10\r\n");
    AOF_EXPECT("SADD s a b c d e f g h i j");
    /* One member: SREM key member. */
    char *reply = conn_cmd(client, "SPOP s");
    ck_assert_int_eq(reply[0], '$');
    char expected[AOF_RECORDS_MAX][AOF_RECORD_TEXT_BYTES];
    snprintf(expected[0], sizeof(expected[0]), "SREM s %c", reply[4]);
    free(reply);
    aof_expect((const char *const[]){expected[0]}, 1);
    /* A count: one SREM per member, in reply order, in MULTI/EXEC: with
     * many members left (popped one by one), a count of 1 (one SREM needs
     * no MULTI), and few left (Redis moves the survivors instead). */
    const char *const pops[] = {"SPOP s 2", "SPOP s 1", "SPOP s 5"};
    for (size_t p = 0; p < sizeof(pops) / sizeof(pops[0]); p++) {
        char members[AOF_RECORDS_MAX][AOF_RECORD_TEXT_BYTES];
        reply = conn_cmd(client, pops[p]);
        int n = reply_members(reply, members, AOF_RECORDS_MAX - 2);
        free(reply);
        const char *want[AOF_RECORDS_MAX];
        int w = 0;
        if (n > 1)
            want[w++] = "MULTI";
        for (int i = 0; i < n; i++) {
            snprintf(expected[i], sizeof(expected[i]), "SREM s %.400s", members[i]);
            want[w++] = expected[i];
        }
        if (n > 1)
            want[w++] = "EXEC";
        aof_expect(want, w);
    }
    ck_cmd(client, "SCARD s", ":1\r\n");
    ck_cmd(client, "SADD s x y", ":2\r\n");
    /* A count that takes the whole set: DEL. */
    reply = conn_cmd(client, "SPOP s 3");
    free(reply);
    AOF_EXPECT("SADD s x y", "DEL s");
    ck_cmd(client, "SPOP s 3", "*0\r\n");
    ck_cmd(client, "SPOP s", "$-1\r\n");
    aof_expect_nothing();
}
END_TEST

START_TEST(test_list_pops)
{
    ck_cmd(client, "RPUSH l a b c d e f g h", ":8\r\n");
    AOF_EXPECT("RPUSH l a b c d e f g h");
    ck_cmd(client, "BLPOP nokey l 1", "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    ck_cmd(client, "brpop l 1", "*2\r\n$1\r\nl\r\n$1\r\nh\r\n");
    ck_cmd(client, "BLMOVE l m Left right 1", "$1\r\nb\r\n");
    ck_cmd(client, "BRPOPLPUSH l m 1", "$1\r\ng\r\n");
    ck_cmd(client, "LMPOP 1 l LEFT", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nc\r\n");
    ck_cmd(client, "lmpop 2 nokey l right count 1", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nf\r\n");
    ck_cmd(client, "BLMPOP 1 1 l LEFT COUNT 10", "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    AOF_EXPECT("LPOP l", "RPOP l", "LMOVE l m Left right", "RPOPLPUSH l m", "LPOP l 1",
               "RPOP l 1", "LPOP l 2");
    /* The non-blocking forms are logged as sent. */
    ck_cmd(client, "lmove m m left left", "$1\r\ng\r\n");
    ck_cmd(client, "RPOPLPUSH m m", "$1\r\nb\r\n");
    ck_cmd(client, "LPOP m", "$1\r\nb\r\n");
    AOF_EXPECT("lmove m m left left", "RPOPLPUSH m m", "LPOP m");
}
END_TEST

START_TEST(test_list_wakeups)
{
    /* A woken client logs what its command did, after the push that woke
     * it, each as its own unit. */
    block_then_wake("BLPOP w 5", "RPUSH w a b", ":2\r\n", "*2\r\n$1\r\nw\r\n$1\r\na\r\n");
    AOF_EXPECT("RPUSH w a b", "LPOP w");
    block_then_wake("BRPOP w2 5", "RPUSH w2 a b", ":2\r\n", "*2\r\n$2\r\nw2\r\n$1\r\nb\r\n");
    AOF_EXPECT("RPUSH w2 a b", "RPOP w2");
    /* On a wake-up Redis spells BLMOVE's ends itself, in lowercase. */
    block_then_wake("BLMOVE w3 d Left RIGHT 5", "RPUSH w3 a", ":1\r\n", "$1\r\na\r\n");
    AOF_EXPECT("RPUSH w3 a", "LMOVE w3 d left right");
    block_then_wake("BRPOPLPUSH w4 d 5", "RPUSH w4 a", ":1\r\n", "$1\r\na\r\n");
    AOF_EXPECT("RPUSH w4 a", "RPOPLPUSH w4 d");
    block_then_wake("BLMPOP 5 2 x w5 LEFT COUNT 3", "RPUSH w5 a b", ":2\r\n",
                    "*2\r\n$2\r\nw5\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    AOF_EXPECT("RPUSH w5 a b", "LPOP w5 2");
    block_then_wake("BLMPOP 5 1 w6 RIGHT", "RPUSH w6 a b", ":2\r\n",
                    "*2\r\n$2\r\nw6\r\n*1\r\n$1\r\nb\r\n");
    AOF_EXPECT("RPUSH w6 a b", "RPOP w6 1");
}
END_TEST

START_TEST(test_zset_pops)
{
    ck_cmd(client, "ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g", ":7\r\n");
    AOF_EXPECT("ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g");
    ck_cmd(client, "BZPOPMIN nokey z 1", "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "bzpopmax z 1", "*3\r\n$1\r\nz\r\n$1\r\ng\r\n$1\r\n7\r\n");
    ck_cmd(client, "ZMPOP 1 z MIN", "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "zmpop 1 z max count 2",
           "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nf\r\n$1\r\n6\r\n*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    ck_cmd(client, "BZMPOP 1 2 nokey z MIN COUNT 10",
           "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    AOF_EXPECT("ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 1", "ZPOPMAX z 2", "ZPOPMIN z 2");
    /* ZPOPMIN/ZPOPMAX themselves are logged as sent. */
    ck_cmd(client, "ZADD z 1 a 2 b", ":2\r\n");
    ck_cmd(client, "zpopmin z", "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    ck_cmd(client, "ZPOPMAX z 5", "*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    ck_cmd(client, "ZPOPMIN z", "*0\r\n");
    AOF_EXPECT("ZADD z 1 a 2 b", "zpopmin z", "ZPOPMAX z 5");
    block_then_wake("BZPOPMIN y 5", "ZADD y 1 a 2 b", ":2\r\n",
                    "*3\r\n$1\r\ny\r\n$1\r\na\r\n$1\r\n1\r\n");
    AOF_EXPECT("ZADD y 1 a 2 b", "ZPOPMIN y");
    block_then_wake("BZPOPMAX y2 5", "ZADD y2 1 a 2 b", ":2\r\n",
                    "*3\r\n$2\r\ny2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    AOF_EXPECT("ZADD y2 1 a 2 b", "ZPOPMAX y2");
    block_then_wake("BZMPOP 5 1 y3 MAX COUNT 5", "ZADD y3 1 a 2 b", ":2\r\n",
                    "*2\r\n$2\r\ny3\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    AOF_EXPECT("ZADD y3 1 a 2 b", "ZPOPMAX y3 2");
}
END_TEST

START_TEST(test_multi_exec)
{
    /* Two writes: wrapped. */
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET a 1", "+QUEUED\r\n");
    ck_cmd(client, "GET a", "+QUEUED\r\n");
    ck_cmd(client, "INCR a", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*3\r\n+OK\r\n$1\r\n1\r\n:2\r\n");
    AOF_EXPECT("MULTI", "SET a 1", "INCR a", "EXEC");
    /* One write: not wrapped. */
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET b 1", "+QUEUED\r\n");
    ck_cmd(client, "GET b", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*2\r\n+OK\r\n$1\r\n1\r\n");
    AOF_EXPECT("SET b 1");
    /* Reads only: nothing. */
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "GET b", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*1\r\n$1\r\n1\r\n");
    aof_expect_nothing();
    /* Rewritten forms inside a transaction, blocking ones included. */
    ck_cmd(client, "RPUSH l a b", ":2\r\n");
    ck_cmd(client, "MULTI", "+OK\r\n");
    ck_cmd(client, "SET c v EX 100", "+QUEUED\r\n");
    ck_cmd(client, "BLPOP l 0", "+QUEUED\r\n");
    ck_cmd(client, "BLPOP nokey 0", "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*3\r\n+OK\r\n*2\r\n$1\r\nl\r\n$1\r\na\r\n*-1\r\n");
    AOF_EXPECT("RPUSH l a b", "MULTI", "SET c v PXAT ~100000", "LPOP l", "EXEC");
}
END_TEST

START_TEST(test_lazy_expire)
{
    /* A key found expired by a read is deleted, and the deletion logged. */
    ck_cmd(client, "SET k v PX 1", "+OK\r\n");
    AOF_EXPECT("SET k v PXAT ~1");
    harness_sleep_ms(20);
    ck_cmd(client, "GET k", "$-1\r\n");
    AOF_EXPECT("DEL k");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("aof_forms");
    TCase *tc = tcase_create("forms");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_forms);
    tcase_add_test(tc, test_set_expiry_forms);
    tcase_add_test(tc, test_getex_getdel);
    tcase_add_test(tc, test_expire_family);
    tcase_add_test(tc, test_float_increments);
    tcase_add_test(tc, test_spop);
    tcase_add_test(tc, test_list_pops);
    tcase_add_test(tc, test_list_wakeups);
    tcase_add_test(tc, test_zset_pops);
    tcase_add_test(tc, test_multi_exec);
    tcase_add_test(tc, test_lazy_expire);
    tcase_add_test(tc, test_bitmap_hll_forms);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
