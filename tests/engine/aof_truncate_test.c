/* aof_truncate_test.c: unit tests for engine/aof_truncate.c.
 *
 * Plain files are cut exactly where redis-check-aof 7.0 cuts them (the
 * start of the first "#TS:" line later than the target; the expectations
 * were written from its rules, and tests/blackbox/backup_test.c compares
 * the real redis-check-aof on files like these). Files of ringkv's
 * batches: a cut inside a batch keeps the batch's earlier commands under a
 * rewritten header and the result reads to a clean EOF with exactly those
 * commands; a #TS at a batch's start drops the whole batch; a cut after
 * padding and a later batch. Also: "#TS:" values as strtol reads them,
 * nothing before the cut, a bad record before the cut, MULTI nesting,
 * timestamp 0, and apply_cut on a real file. */
#include "engine/alloc.h"
#include "engine/aof_batch.h"
#include "engine/aof_encode.h"
#include "engine/aof_reader.h"
#include "engine/aof_truncate.h"
#include "tests/unit.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_TIMEOUT_S 30

static void test_set(struct aof_buffer *b, const char *key)
{
    struct aof_arg argv[3] = {{"SET", 3}, {key, strlen(key)}, {"v", 1}};
    aof_encode_command(b, 3, argv);
}

/* Appends one batch of payload[0..len) with header seq. */
static void test_batch(struct aof_buffer *out, uint64_t seq, const struct aof_buffer *payload)
{
    uint8_t header[AOF_BATCH_HEADER_BYTES];
    aof_batch_header(header, seq, payload->data, payload->len);
    aof_buffer_append(out, header, sizeof(header));
    aof_buffer_append(out, payload->data, payload->len);
}

/* The keys of the SET commands in buf[0..len), space separated, or
 * "<result>" when the file does not read to a clean EOF. */
static void test_keys(const char *buf, size_t len, char *out, size_t out_len)
{
    struct aof_reader r;
    aof_reader_init(&r, buf, len, AOF_READER_BULK_BYTES_DEFAULT);
    out[0] = '\0';
    enum aof_read_result res;
    while ((res = aof_reader_next(&r)) == AOF_READ_COMMAND) {
        if (r.argc == 3)
            snprintf(out + strlen(out), out_len - strlen(out), "%s%.*s", out[0] ? " " : "",
                     (int)r.argv[1].len, r.argv[1].ptr);
    }
    if (res != AOF_READ_EOF || r.valid_end != len)
        snprintf(out, out_len, "<%s>", aof_read_result_name(res));
    aof_reader_free(&r);
}

/* The file after cut (header rewrite and truncation) in memory. */
static size_t test_apply(char *buf, const struct aof_ts_cut *cut)
{
    ck_assert_int_eq(cut->result, AOF_TS_CUT_FOUND);
    if (cut->rewrite_header)
        memcpy(buf + cut->header_offset, cut->header, AOF_BATCH_HEADER_BYTES);
    return cut->keep_bytes;
}

START_TEST(test_plain_cut_where_redis_cuts)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    aof_encode_timestamp(&b, 100);
    test_set(&b, "a");
    size_t second = b.len;
    aof_encode_timestamp(&b, 200);
    test_set(&b, "b");
    aof_encode_timestamp(&b, 300);
    test_set(&b, "c");
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 150, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_FOUND);
    ck_assert_uint_eq(cut.ts_offset, second);
    ck_assert_uint_eq(cut.keep_bytes, second);
    ck_assert_int_eq(cut.ts, 200);
    ck_assert(!cut.rewrite_header);
    /* The boundary is inclusive: ts <= target stays. */
    aof_ts_find_cut(b.data, b.len, 0, 200, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_FOUND);
    ck_assert_int_eq(cut.ts, 300);
    aof_ts_find_cut(b.data, b.len, 0, 300, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NONE);
    ck_assert_int_eq(cut.stop, AOF_READ_EOF);
    /* Nothing before the first line; 0 turns the feature off. */
    aof_ts_find_cut(b.data, b.len, 0, 50, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NOTHING_BEFORE);
    ck_assert_uint_eq(cut.ts_offset, 0);
    aof_ts_find_cut(b.data, b.len, 0, 0, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NONE);
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_bad_record_before_cut_stops)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_set(&b, "a");
    aof_buffer_append_str(&b, "x bad\r\n");
    aof_encode_timestamp(&b, 900);
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 100, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NONE);
    ck_assert_int_eq(cut.stop, AOF_READ_CORRUPT);
    aof_buffer_free(&b);
    /* A nested MULTI ends redis-check-aof's walk too. */
    aof_buffer_init(&b);
    aof_buffer_append_str(&b, "*1\r\n$5\r\nMULTI\r\n*1\r\n$5\r\nmulti\r\n");
    aof_encode_timestamp(&b, 900);
    aof_ts_find_cut(b.data, b.len, 0, 100, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NONE);
    ck_assert_int_eq(cut.stop, AOF_READ_COMMAND);
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_timestamp_values)
{
    static const struct {
        const char *line;
        bool ok;
        long long ts;
    } cases[] = {
        {"#TS:123\r\n", true, 123},   {"#TS:\r\n", true, 0},       {"#TS: 5\r\n", true, 5},
        {"#TS:+7\r\n", true, 7},      {"#TS:-3\r\n", true, -3},    {"#TS:12\n", false, 0},
        {"#TS:12x\r\n", false, 0},    {"#TS: \r\n", false, 0},
        {"#TS:99999999999999999999\r\n", false, 0},
        {"#TS:9223372036854775807\r\n", true, 9223372036854775807LL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long ts = -999;
        bool ok = aof_ts_parse(cases[i].line, strlen(cases[i].line), &ts);
        ck_assert_msg(ok == cases[i].ok, "%s", cases[i].line);
        if (ok)
            ck_assert_int_eq(ts, cases[i].ts);
    }
    const char file[] = "*1\r\n$4\r\nPING\r\n#TS:12x\r\n";
    struct aof_ts_cut cut;
    aof_ts_find_cut(file, sizeof(file) - 1, 0, 1, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_BAD_ANNOTATION);
    ck_assert_uint_eq(cut.ts_offset, 14);
}
END_TEST

/* batch 1: TS 100, SET a, SET b, TS 200, SET c; batch 2: SET d, TS 300,
 * SET e. A cut at 150 falls inside batch 1. */
static void test_batched_file(struct aof_buffer *file, size_t *ts200, size_t *ts300)
{
    struct aof_buffer p1, p2;
    aof_buffer_init(&p1);
    aof_buffer_init(&p2);
    aof_encode_timestamp(&p1, 100);
    test_set(&p1, "a");
    test_set(&p1, "b");
    size_t in1 = p1.len;
    aof_encode_timestamp(&p1, 200);
    test_set(&p1, "c");
    test_set(&p2, "d");
    size_t in2 = p2.len;
    aof_encode_timestamp(&p2, 300);
    test_set(&p2, "e");
    aof_buffer_init(file);
    test_batch(file, 1, &p1);
    *ts200 = AOF_BATCH_HEADER_BYTES + in1;
    /* padding between the batches, as the writer leaves it */
    uint8_t pad[64];
    aof_batch_fill(pad, sizeof(pad));
    aof_buffer_append(file, pad, sizeof(pad));
    size_t second = file->len;
    test_batch(file, 2, &p2);
    *ts300 = second + AOF_BATCH_HEADER_BYTES + in2;
    aof_buffer_free(&p1);
    aof_buffer_free(&p2);
}

START_TEST(test_cut_inside_batch_keeps_earlier_commands)
{
    struct aof_buffer b;
    size_t ts200, ts300;
    test_batched_file(&b, &ts200, &ts300);
    char keys[256];
    test_keys(b.data, b.len, keys, sizeof(keys));
    ck_assert_str_eq(keys, "a b c d e");
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 150, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_FOUND);
    ck_assert_uint_eq(cut.ts_offset, ts200);
    ck_assert(cut.rewrite_header);
    ck_assert_uint_eq(cut.header_offset, 0);
    ck_assert_uint_eq(cut.header_seq, 1);
    /* As redis-check-aof would cut it (no header rewrite), the batch runs
     * past the end of the file and ringkv's loader keeps nothing of it. */
    test_keys(b.data, ts200, keys, sizeof(keys));
    ck_assert_str_eq(keys, "<torn>");
    size_t len = test_apply(b.data, &cut);
    test_keys(b.data, len, keys, sizeof(keys));
    ck_assert_str_eq(keys, "a b");
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_cut_in_later_batch_after_padding)
{
    struct aof_buffer b;
    size_t ts200, ts300;
    test_batched_file(&b, &ts200, &ts300);
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 250, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_FOUND);
    ck_assert_uint_eq(cut.ts_offset, ts300);
    ck_assert(cut.rewrite_header);
    ck_assert_uint_eq(cut.header_seq, 2);
    char keys[256];
    size_t len = test_apply(b.data, &cut);
    test_keys(b.data, len, keys, sizeof(keys));
    ck_assert_str_eq(keys, "a b c d");
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_ts_starting_a_batch_drops_the_header)
{
    struct aof_buffer p1, p2, b;
    aof_buffer_init(&p1);
    aof_buffer_init(&p2);
    aof_buffer_init(&b);
    aof_encode_timestamp(&p1, 100);
    test_set(&p1, "a");
    aof_encode_timestamp(&p2, 200);
    test_set(&p2, "b");
    test_batch(&b, 1, &p1);
    size_t second = b.len;
    test_batch(&b, 2, &p2);
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 150, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_FOUND);
    ck_assert(!cut.rewrite_header);
    ck_assert_uint_eq(cut.keep_bytes, second);
    ck_assert_uint_eq(cut.ts_offset, second + AOF_BATCH_HEADER_BYTES);
    char keys[64];
    test_keys(b.data, cut.keep_bytes, keys, sizeof(keys));
    ck_assert_str_eq(keys, "a");
    /* The first batch's #TS is later than the target: nothing before. */
    aof_ts_find_cut(b.data, b.len, 0, 50, &cut);
    ck_assert_int_eq(cut.result, AOF_TS_CUT_NOTHING_BEFORE);
    aof_buffer_free(&p1);
    aof_buffer_free(&p2);
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_apply_cut_on_a_file)
{
    struct aof_buffer b;
    size_t ts200, ts300;
    test_batched_file(&b, &ts200, &ts300);
    char path[] = "/tmp/aof_truncate_test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, b.data, b.len), (ssize_t)b.len);
    struct aof_ts_cut cut;
    aof_ts_find_cut(b.data, b.len, 0, 150, &cut);
    ck_assert_int_eq(aof_ts_apply_cut(fd, &cut), 0);
    char back[4096];
    ssize_t n = pread(fd, back, sizeof(back), 0);
    ck_assert_int_eq(n, (ssize_t)cut.keep_bytes);
    char keys[64];
    test_keys(back, (size_t)n, keys, sizeof(keys));
    ck_assert_str_eq(keys, "a b");
    close(fd);
    unlink(path);
    aof_buffer_free(&b);
}
END_TEST

static Suite *aof_truncate_suite(void)
{
    Suite *s = suite_create("aof_truncate");
    TCase *tc = tcase_create("cut");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_plain_cut_where_redis_cuts);
    tcase_add_test(tc, test_bad_record_before_cut_stops);
    tcase_add_test(tc, test_timestamp_values);
    tcase_add_test(tc, test_cut_inside_batch_keeps_earlier_commands);
    tcase_add_test(tc, test_cut_in_later_batch_after_padding);
    tcase_add_test(tc, test_ts_starting_a_batch_drops_the_header);
    tcase_add_test(tc, test_apply_cut_on_a_file);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(aof_truncate_suite)
