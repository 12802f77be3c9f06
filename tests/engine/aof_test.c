/* aof_test.c: unit tests for engine/aof_manifest.c, aof_reader.c (ringkv's
 * batches and padding included) and aof_encode.c.
 *
 * Golden data was captured once from a real redis-server 7.0.15 started
 * with --appendonly yes on loopback: the manifests after startup and after
 * three BGREWRITEAOFs (auto-gc on, then off, then with the RDB preamble
 * off), one written for an appendfilename that needs quoting, and the
 * bytes of one INCR file. The tests rebuild those manifests
 * through the edit helpers and compare bytes, parse and re-serialise them,
 * and re-encode the INCR file's commands. The reader is fed every prefix of
 * a multi-command file in exact-size heap copies (so ASan sees over-reads),
 * corrupt and oversized inputs, and random byte flips. Batched files are
 * built the way ringkv's log writer lays them out (a padding line per
 * 512-byte sector, batches at 4096-byte blocks) and damaged the way a power
 * cut does: a batch missing, a sector reverted to padding, the file cut
 * anywhere; each time the commands read must be a prefix of the log and
 * the file cut at valid_end must read cleanly to the same commands. */
#include "engine/alloc.h"
#include "engine/aof_batch.h"
#include "engine/aof_encode.h"
#include "engine/aof_manifest.h"
#include "engine/aof_reader.h"
#include "tests/unit.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEST_TIMEOUT_S 120
#define TEST_FUZZ_ROUNDS 20000
#define TEST_FUZZ_FLIPS_MAX 4

/* ---- golden data from redis-server 7.0.15 ---- */

/* After startup with appendonly yes. */
static const char golden_manifest_start[] =
    "file appendonly.aof.1.base.rdb seq 1 type b\n"
    "file appendonly.aof.1.incr.aof seq 1 type i\n";
/* After BGREWRITEAOF with auto-gc on: history deleted. */
static const char golden_manifest_rewrite1[] =
    "file appendonly.aof.2.base.rdb seq 2 type b\n"
    "file appendonly.aof.2.incr.aof seq 2 type i\n";
/* After BGREWRITEAOF with aof-disable-auto-gc yes. */
static const char golden_manifest_rewrite2[] =
    "file appendonly.aof.3.base.rdb seq 3 type b\n"
    "file appendonly.aof.2.incr.aof seq 2 type h\n"
    "file appendonly.aof.2.base.rdb seq 2 type h\n"
    "file appendonly.aof.3.incr.aof seq 3 type i\n";
/* After BGREWRITEAOF with aof-use-rdb-preamble no as well. */
static const char golden_manifest_rewrite3[] =
    "file appendonly.aof.4.base.aof seq 4 type b\n"
    "file appendonly.aof.3.incr.aof seq 3 type h\n"
    "file appendonly.aof.3.base.rdb seq 3 type h\n"
    "file appendonly.aof.2.incr.aof seq 2 type h\n"
    "file appendonly.aof.2.base.rdb seq 2 type h\n"
    "file appendonly.aof.4.incr.aof seq 4 type i\n";

/* At startup with appendfilename set to 'my "aof<TAB>x': names needing
 * escapes are quoted. */
static const char golden_manifest_quoted[] =
    "file \"my \\\"aof\\tx.1.base.rdb\" seq 1 type b\n"
    "file \"my \\\"aof\\tx.1.incr.aof\" seq 1 type i\n";

/* appendonly.aof.2.incr.aof after "SET c xyz", "-n 3 INCR n", "EXPIRE a
 * 100" (logged as PEXPIREAT with an absolute time). */
static const char golden_incr[] =
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
    "*3\r\n$3\r\nset\r\n$1\r\nc\r\n$3\r\nxyz\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
    "*2\r\n$4\r\nincr\r\n$1\r\nn\r\n"
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
    "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\na\r\n$13\r\n1795478319153\r\n";
#define GOLDEN_INCR_BYTES 165

/* ---- helpers ---- */

/* This test's random stream. Each test seeds it with test_rng_init
 * before drawing (check forks per test, so no test sees another's draws). */
static struct test_rng rng;

/* Returns an owned exact-size copy, so reading past len trips ASan. */
static char *test_exact_copy(const char *bytes, size_t len)
{
    char *copy = alloc_bytes(len ? len : 1);
    memcpy(copy, bytes, len);
    return copy;
}

static void test_check_serialised(const struct aof_manifest *m, const char *expected)
{
    struct aof_buffer out;
    aof_buffer_init(&out);
    aof_manifest_serialise(m, &out);
    if (out.len != strlen(expected) || memcmp(out.data, expected, out.len) != 0)
        ck_abort_msg("manifest differs:\n%.*s\nexpected:\n%s", (int)out.len, out.data, expected);
    aof_buffer_free(&out);
}

static void test_parse_ok(struct aof_manifest *m, const char *text)
{
    struct aof_manifest_error err;
    aof_manifest_init(m);
    enum aof_manifest_parse_result result = aof_manifest_parse(m, text, strlen(text), &err);
    if (result != AOF_MANIFEST_PARSE_OK)
        ck_abort_msg("parse failed at line %d: %s\n%s", err.line, err.reason, text);
}

static bool test_arg_is(const struct aof_reader *r, size_t i, const char *s)
{
    return i < r->argc && r->argv[i].len == strlen(s) && memcmp(r->argv[i].ptr, s, r->argv[i].len) == 0;
}

/* ---- encoder ---- */

START_TEST(test_encode_golden_incr)
{
    struct aof_buffer buf;
    struct aof_select_state select;
    aof_buffer_init(&buf);
    aof_select_reset(&select);
    struct aof_arg set[] = {{"set", 3}, {"c", 1}, {"xyz", 3}};
    struct aof_arg incr[] = {{"incr", 4}, {"n", 1}};
    struct aof_arg pexpireat[] = {{"PEXPIREAT", 9}, {"a", 1}, {"1795478319153", 13}};
    TEST_CHECK(aof_select_emit_if_needed(&select, &buf, 0) == 1);
    aof_encode_command(&buf, 3, set);
    TEST_CHECK(aof_select_emit_if_needed(&select, &buf, 3) == 1);
    aof_encode_command(&buf, 2, incr);
    TEST_CHECK(aof_select_emit_if_needed(&select, &buf, 0) == 1);
    TEST_CHECK(aof_select_emit_if_needed(&select, &buf, 0) == 0);
    aof_encode_command(&buf, 3, pexpireat);
    TEST_CHECK(buf.len == GOLDEN_INCR_BYTES);
    TEST_CHECK(memcmp(buf.data, golden_incr, buf.len) == 0);

    /* A new INCR file starts with SELECT again. */
    aof_buffer_clear(&buf);
    aof_select_reset(&select);
    TEST_CHECK(aof_select_emit_if_needed(&select, &buf, 0) == 1);
    aof_encode_timestamp(&buf, 1700000000);
    const char expect[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n#TS:1700000000\r\n";
    TEST_CHECK(buf.len == strlen(expect) && memcmp(buf.data, expect, buf.len) == 0);
    aof_buffer_free(&buf);
}
END_TEST

START_TEST(test_encode_binary_and_empty_args)
{
    struct aof_buffer buf;
    aof_buffer_init(&buf);
    char binary[300];
    for (size_t i = 0; i < sizeof(binary); i++)
        binary[i] = (char)(i * 7);
    struct aof_arg argv[] = {{"SET", 3}, {"", 0}, {binary, sizeof(binary)}};
    aof_encode_command(&buf, 3, argv);
    struct aof_reader r;
    aof_reader_init(&r, buf.data, buf.len, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND);
    TEST_CHECK(r.argc == 3);
    TEST_CHECK(r.argv[1].len == 0);
    TEST_CHECK(r.argv[2].len == sizeof(binary) && memcmp(r.argv[2].ptr, binary, sizeof(binary)) == 0);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF);
    aof_reader_free(&r);
    aof_buffer_free(&buf);
}
END_TEST

/* Pins aof_units_prefix and aof_units_first: the direct log cuts its
 * batches only where a record, an annotation line or a whole MULTI ... EXEC
 * ends (its loader replays a batch's records only whole). */
START_TEST(test_units_never_split_records_or_transactions)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    struct aof_arg set1[3] = {{"SET", 3}, {"k1", 2}, {"v1", 2}};
    struct aof_arg multi[1] = {{"MULTI", 5}};
    struct aof_arg exec[1] = {{"EXEC", 4}};
    aof_encode_select(&b, 0);
    size_t after_select = b.len;
    aof_encode_command(&b, 3, set1);
    size_t after_set = b.len;
    aof_encode_timestamp(&b, 1700000000);
    size_t after_ts = b.len;
    aof_encode_command(&b, 1, multi);
    aof_encode_command(&b, 3, set1);
    size_t inside_multi = b.len;
    aof_encode_command(&b, 3, set1);
    aof_encode_command(&b, 1, exec);
    size_t after_exec = b.len;
    aof_encode_command(&b, 3, set1);
    size_t end = b.len;
    /* Every max between two boundaries gives the lower one. */
    for (size_t max = 0; max <= end + 5; max++) {
        size_t want = max >= end ? end : max >= after_exec ? after_exec : max >= after_ts ? after_ts
                      : max >= after_set ? after_set : max >= after_select ? after_select : 0;
        ck_assert_uint_eq(aof_units_prefix(b.data, b.len, max), want);
    }
    ck_assert_uint_ne(aof_units_prefix(b.data, b.len, inside_multi), inside_multi);
    ck_assert_uint_eq(aof_units_first(b.data, b.len), after_select);
    ck_assert_uint_eq(aof_units_first(b.data + after_ts, b.len - after_ts), after_exec - after_ts);
    /* A transaction that is not closed, or a record cut off, is one unit
     * up to the end. */
    ck_assert_uint_eq(aof_units_first(b.data + after_ts, inside_multi - after_ts),
                      inside_multi - after_ts);
    ck_assert_uint_eq(aof_units_first(b.data + after_select, 7), 7);
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_encode_zero_args_aborts)
{
    struct aof_buffer buf;
    aof_buffer_init(&buf);
    aof_encode_command(&buf, 0, NULL);
}
END_TEST

/* ---- manifest ---- */

/* Replays what redis-server did and compares each manifest it wrote. */
START_TEST(test_manifest_golden_sequence)
{
    const char *a = "appendonly.aof";
    struct aof_manifest m;
    aof_manifest_init(&m);
    /* Startup with no AOF: a BASE from the empty dataset and an INCR. */
    TEST_CHECK(aof_manifest_new_base(&m, a, true)->seq == 1);
    TEST_CHECK(aof_manifest_add_incr(&m, a)->seq == 1);
    test_check_serialised(&m, golden_manifest_start);

    /* A rewrite opens the next INCR before forking, then installs the new
     * BASE and retires everything older. */
    const struct aof_file_info *incr = aof_manifest_add_incr(&m, a);
    TEST_CHECK(strcmp(incr->name, "appendonly.aof.2.incr.aof") == 0);
    aof_manifest_new_base(&m, a, true);
    aof_manifest_mark_incr_history(&m, true);
    TEST_CHECK(m.history.count == 2);
    TEST_CHECK(strcmp(m.history.items[0].name, "appendonly.aof.1.incr.aof") == 0);
    TEST_CHECK(strcmp(m.history.items[1].name, "appendonly.aof.1.base.rdb") == 0);
    aof_manifest_clear_history(&m);
    test_check_serialised(&m, golden_manifest_rewrite1);

    aof_manifest_add_incr(&m, a);
    aof_manifest_new_base(&m, a, true);
    aof_manifest_mark_incr_history(&m, true);
    test_check_serialised(&m, golden_manifest_rewrite2);

    aof_manifest_add_incr(&m, a);
    aof_manifest_new_base(&m, a, false);
    aof_manifest_mark_incr_history(&m, true);
    test_check_serialised(&m, golden_manifest_rewrite3);

    TEST_CHECK(aof_manifest_load_count(&m) == 2);
    TEST_CHECK(strcmp(aof_manifest_load_file(&m, 0)->name, "appendonly.aof.4.base.aof") == 0);
    TEST_CHECK(strcmp(aof_manifest_load_file(&m, 1)->name, "appendonly.aof.4.incr.aof") == 0);
    aof_manifest_free(&m);
}
END_TEST

START_TEST(test_manifest_golden_round_trip)
{
    const char *goldens[] = {golden_manifest_start, golden_manifest_rewrite1,
                             golden_manifest_rewrite2, golden_manifest_rewrite3};
    for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
        struct aof_manifest m, copy;
        test_parse_ok(&m, goldens[i]);
        test_check_serialised(&m, goldens[i]);
        aof_manifest_copy(&copy, &m);
        aof_manifest_free(&m);
        test_check_serialised(&copy, goldens[i]);
        aof_manifest_free(&copy);
    }
    struct aof_manifest m;
    test_parse_ok(&m, golden_manifest_rewrite3);
    TEST_CHECK(m.has_base && m.base.seq == 4 && m.base.type == AOF_FILE_TYPE_BASE);
    TEST_CHECK(m.base_seq == 4 && m.incr_seq == 4);
    TEST_CHECK(m.history.count == 4 && m.incr.count == 1);
    /* The counters continue from the parsed manifest. */
    TEST_CHECK(strcmp(aof_manifest_add_incr(&m, "appendonly.aof")->name,
                      "appendonly.aof.5.incr.aof") == 0);
    aof_manifest_free(&m);
}
END_TEST

/* Redis accepts keys in any order and case, extra pairs, comments, CRLF
 * and quoting; it always writes the canonical form back. */
START_TEST(test_manifest_parse_flexible)
{
    struct aof_manifest m;
    test_parse_ok(&m,
                  "# written by hand\n"
                  "TYPE b SEQ 7 FILE a.7.base.rdb future yes\r\n"
                  "  seq 3 type h file   a.3.base.rdb  \n"
                  "file \"a.8.incr.aof\" seq 8 type i\n"
                  "type i seq 9 file 'a.9.incr.aof'\n");
    test_check_serialised(&m, "file a.7.base.rdb seq 7 type b\n"
                              "file a.3.base.rdb seq 3 type h\n"
                              "file a.8.incr.aof seq 8 type i\n"
                              "file a.9.incr.aof seq 9 type i\n");
    TEST_CHECK(m.base_seq == 7 && m.incr_seq == 9);
    aof_manifest_free(&m);

    /* Only comments: an empty manifest, which is not an error. */
    test_parse_ok(&m, "# nothing yet\n");
    TEST_CHECK(aof_manifest_load_count(&m) == 0);
    aof_manifest_free(&m);

    /* No BASE: Redis loads the INCR files alone. */
    test_parse_ok(&m, "file x.1.incr.aof seq 1 type i\n");
    TEST_CHECK(aof_manifest_load_count(&m) == 1 && !m.has_base);
    aof_manifest_free(&m);
}
END_TEST

START_TEST(test_manifest_quoted_names)
{
    struct aof_manifest m;
    aof_manifest_init(&m);
    aof_manifest_new_base(&m, "my \"aof\tx", true);
    aof_manifest_add_incr(&m, "my \"aof\tx");
    test_check_serialised(&m, golden_manifest_quoted);
    aof_manifest_free(&m);
    test_parse_ok(&m, golden_manifest_quoted);
    TEST_CHECK(strcmp(m.base.name, "my \"aof\tx.1.base.rdb") == 0);
    test_check_serialised(&m, golden_manifest_quoted);
    aof_manifest_free(&m);

    aof_manifest_init(&m);
    aof_manifest_new_base(&m, "my aof", true);
    aof_manifest_add_incr(&m, "q\"\t\x01\xe9");
    const char expect[] = "file \"my aof.1.base.rdb\" seq 1 type b\n"
                          "file \"q\\\"\\t\\x01\\xe9.1.incr.aof\" seq 1 type i\n";
    test_check_serialised(&m, expect);
    struct aof_manifest back;
    test_parse_ok(&back, expect);
    TEST_CHECK(strcmp(back.base.name, "my aof.1.base.rdb") == 0);
    TEST_CHECK(strcmp(back.incr.items[0].name, "q\"\t\x01\xe9.1.incr.aof") == 0);
    test_check_serialised(&back, expect);
    aof_manifest_free(&back);
    aof_manifest_free(&m);
}
END_TEST

struct manifest_reject_case {
    const char *text;
    const char *reason;
    int line;
    size_t len; /* 0: strlen(text) */
};

START_TEST(test_manifest_rejects)
{
    static const struct manifest_reject_case cases[] = {
        {"", "Found an empty AOF manifest", 0, 0},
        {"file a seq 1 type b", "The AOF manifest file contains too long line", 1, 0},
        {"file a seq 1 type b\n\n", "Invalid AOF manifest file format", 2, 0},
        {"file a seq 1\n", "Invalid AOF manifest file format", 1, 0},
        {"file a seq 1 type b x\n", "Invalid AOF manifest file format", 1, 0},
        {"file a seq 0 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file a seq x type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file a seq 99999999999999999999 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"name a seq 1 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file a seq 1 type \"\"\n", "Invalid AOF manifest file format", 1, 0},
        {"file \"a seq 1 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file \"a\"b seq 1 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file \"a\\x00b\" seq 1 type b\n", "Invalid AOF manifest file format", 1, 0},
        {"file ../a seq 1 type b\n", "File can't be a path, just a filename", 1, 0},
        {"file a\\b seq 1 type b\n", "File can't be a path, just a filename", 1, 0},
        {"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information", 2, 0},
        {"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number", 2, 0},
        {"file a seq 3 type i\nfile b seq 1 type i\n", "Found a non-monotonic sequence number", 2, 0},
        {"file a seq 1 type x\n", "Unknown AOF file type", 1, 0},
        {"file a seq 1 type b\nfile a\0 seq 2 type i\n", "The AOF manifest file contains too long line", 2, 41},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *text = cases[i].text;
        size_t len = cases[i].len ? cases[i].len : strlen(text);
        char *copy = test_exact_copy(text, len);
        struct aof_manifest m;
        struct aof_manifest_error err;
        aof_manifest_init(&m);
        if (aof_manifest_parse(&m, copy, len, &err) != AOF_MANIFEST_PARSE_BAD)
            ck_abort_msg("case %zu accepted", i);
        if (strcmp(err.reason, cases[i].reason) != 0 || err.line != cases[i].line)
            ck_abort_msg("case %zu: line %d '%s'", i, err.line, err.reason);
        aof_manifest_free(&m);
        alloc_free(copy);
    }

    /* A line longer than Redis's 1024-byte buffer. */
    char long_line[1100];
    memset(long_line, 'x', sizeof(long_line));
    memcpy(long_line, "file ", 5);
    long_line[sizeof(long_line) - 1] = '\n';
    struct aof_manifest m;
    struct aof_manifest_error err;
    aof_manifest_init(&m);
    TEST_CHECK(aof_manifest_parse(&m, long_line, sizeof(long_line), &err) == AOF_MANIFEST_PARSE_BAD);
    TEST_CHECK(strcmp(err.reason, "The AOF manifest file contains too long line") == 0);
    TEST_CHECK(!err.has_line_text);
    aof_manifest_free(&m);

    /* The offending line is reported for echoing. */
    const char *dup = "file a seq 1 type b\n  file b seq 2 type b \n";
    aof_manifest_init(&m);
    TEST_CHECK(aof_manifest_parse(&m, dup, strlen(dup), &err) == AOF_MANIFEST_PARSE_BAD);
    TEST_CHECK(err.has_line_text && err.line == 2);
    TEST_CHECK(err.line_offset == 20 && err.line_len == strlen(dup) - 20);
    aof_manifest_free(&m);
}
END_TEST

START_TEST(test_manifest_write_file)
{
    char dir[] = "/tmp/ringkv-aof-test-XXXXXX";
    TEST_CHECK(mkdtemp(dir) != NULL);
    struct aof_manifest m;
    test_parse_ok(&m, golden_manifest_rewrite2);
    TEST_CHECK(aof_manifest_write_file(dir, "appendonly.aof", &m) == 0);
    /* Write twice: the second replaces the first atomically. */
    TEST_CHECK(aof_manifest_write_file(dir, "appendonly.aof", &m) == 0);

    char path[256], temp[256];
    snprintf(path, sizeof(path), "%s/appendonly.aof.manifest", dir);
    snprintf(temp, sizeof(temp), "%s/temp-appendonly.aof.manifest", dir);
    struct aof_buffer text;
    aof_buffer_init(&text);
    TEST_CHECK(aof_manifest_read_file(path, &text) == 0);
    TEST_CHECK(text.len == strlen(golden_manifest_rewrite2));
    TEST_CHECK(memcmp(text.data, golden_manifest_rewrite2, text.len) == 0);
    struct stat st;
    TEST_CHECK(stat(temp, &st) < 0 && errno == ENOENT);

    char missing[300];
    snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
    TEST_CHECK(aof_manifest_write_file(missing, "appendonly.aof", &m) == -ENOENT);
    aof_buffer_clear(&text);
    TEST_CHECK(aof_manifest_read_file(missing, &text) == -ENOENT);

    char *name = aof_manifest_temp_file_name("appendonly.aof");
    TEST_CHECK(strcmp(name, "temp-appendonly.aof.manifest") == 0);
    alloc_free(name);
    TEST_CHECK(aof_manifest_name_is_basename("appendonly.aof"));
    TEST_CHECK(!aof_manifest_name_is_basename("dir/appendonly.aof"));

    unlink(path);
    TEST_CHECK(rmdir(dir) == 0);
    aof_buffer_free(&text);
    aof_manifest_free(&m);
}
END_TEST

/* Several INCR files retire oldest first, ahead of older history. */
START_TEST(test_manifest_mark_history_order)
{
    struct aof_manifest m;
    test_parse_ok(&m, "file a.1.base.rdb seq 1 type b\n"
                      "file a.0.base.rdb seq 9 type h\n"
                      "file a.1.incr.aof seq 1 type i\n"
                      "file a.2.incr.aof seq 2 type i\n"
                      "file a.3.incr.aof seq 3 type i\n");
    aof_manifest_new_base(&m, "a", true);
    aof_manifest_mark_incr_history(&m, true);
    test_check_serialised(&m, "file a.2.base.rdb seq 2 type b\n"
                              "file a.1.incr.aof seq 1 type h\n"
                              "file a.2.incr.aof seq 2 type h\n"
                              "file a.1.base.rdb seq 1 type h\n"
                              "file a.0.base.rdb seq 9 type h\n"
                              "file a.3.incr.aof seq 3 type i\n");
    /* With AOF off Redis retires the current INCR too. */
    aof_manifest_mark_incr_history(&m, false);
    TEST_CHECK(m.incr.count == 0 && m.history.count == 5);
    TEST_CHECK(strcmp(m.history.items[0].name, "a.3.incr.aof") == 0);
    aof_manifest_free(&m);
}
END_TEST

/* Parses text and expects a refusal with reason on line 1. */
static void test_parse_refused(const char *text, size_t len, const char *reason)
{
    struct aof_manifest m;
    struct aof_manifest_error err;
    aof_manifest_init(&m);
    TEST_CHECK(aof_manifest_parse(&m, text, len, &err) == AOF_MANIFEST_PARSE_BAD);
    if (strcmp(err.reason, reason) != 0 || err.line != 1)
        ck_abort_msg("line %d '%s', want '%s'", err.line, err.reason, reason);
    aof_manifest_free(&m);
}

/* Found by tests/fuzz/aof_manifest_fuzz.c (tests/fuzz/regressions/
 * aof_manifest/). A name of raw unprintable bytes was accepted although
 * its quoted form (four bytes each) made the line written back too long
 * to read: the next restart failed. And a seq of LLONG_MAX was accepted,
 * so the next rewrite tripped the increment's assert. */
START_TEST(test_manifest_fuzz_findings)
{
    /* "file " + quoted name (2 + 4n) + " seq 1 type i\n" is 21 + 4n bytes:
     * 250 unprintable bytes fit in 1024, 251 do not. */
    for (size_t n = 250; n <= 251; n++) {
        char text[400];
        memcpy(text, "file ", 5);
        memset(text + 5, 0x01, n);
        memcpy(text + 5 + n, " seq 1 type i\n", 14);
        size_t len = 5 + n + 14;
        if (n == 251) {
            test_parse_refused(text, len,
                               "File name too long to write back on one manifest line");
            continue;
        }
        struct aof_manifest m, again;
        struct aof_manifest_error err;
        aof_manifest_init(&m);
        TEST_CHECK(aof_manifest_parse(&m, text, len, &err) == AOF_MANIFEST_PARSE_OK);
        struct aof_buffer out;
        aof_buffer_init(&out);
        aof_manifest_serialise(&m, &out);
        TEST_CHECK(out.len == 1021);
        aof_manifest_init(&again);
        TEST_CHECK(aof_manifest_parse(&again, out.data, out.len, &err) == AOF_MANIFEST_PARSE_OK);
        TEST_CHECK(again.incr.count == 1 && strcmp(again.incr.items[0].name, m.incr.items[0].name) == 0);
        aof_manifest_free(&again);
        aof_buffer_free(&out);
        aof_manifest_free(&m);
    }

    const char *huge[] = {"file a seq 9223372036854775807 type i\n",
                          "file a seq 9223372036854775807 type b\n",
                          "file a seq 1000000000000000001 type i\n"};
    for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
        test_parse_refused(huge[i], strlen(huge[i]), "Invalid AOF manifest file format");
    struct aof_manifest m;
    test_parse_ok(&m, "file a.b seq 1000000000000000000 type b\n"
                      "file a.i seq 1000000000000000000 type i\n");
    aof_manifest_new_base(&m, "a", true);
    aof_manifest_add_incr(&m, "a");
    TEST_CHECK(m.base.seq == 1000000000000000001LL);
    TEST_CHECK(m.incr.items[1].seq == 1000000000000000001LL);
    aof_manifest_free(&m);

    /* A single quote in a name was written bare (as Redis does), and the
     * splitter then read it as an unterminated quoted section. */
    test_parse_ok(&m, "file \"it's\" seq 1 type i\n");
    test_check_serialised(&m, "file \"it's\" seq 1 type i\n");
    aof_manifest_free(&m);
    aof_manifest_init(&m);
    aof_manifest_add_incr(&m, "o'hara");
    struct aof_buffer out;
    struct aof_manifest back;
    struct aof_manifest_error err;
    aof_buffer_init(&out);
    aof_manifest_serialise(&m, &out);
    aof_manifest_init(&back);
    TEST_CHECK(aof_manifest_parse(&back, out.data, out.len, &err) == AOF_MANIFEST_PARSE_OK);
    TEST_CHECK(strcmp(back.incr.items[0].name, "o'hara.1.incr.aof") == 0);
    aof_manifest_free(&back);
    aof_buffer_free(&out);
    aof_manifest_free(&m);
}
END_TEST

/* Random byte flips and cuts in a manifest: parsing ends with a verdict,
 * and whatever parses re-serialises to text that parses to the same. */
START_TEST(test_manifest_fuzz)
{
    size_t base_len = strlen(golden_manifest_rewrite3);
    test_rng_init(&rng, 0x2545f4914f6cdd1dULL);
    for (int round = 0; round < TEST_FUZZ_ROUNDS; round++) {
        size_t len = base_len - (round % 3 == 0 ? test_rng_below(&rng, base_len) : 0);
        char *bytes = test_exact_copy(golden_manifest_rewrite3, len);
        int flips = 1 + (int)test_rng_below(&rng, TEST_FUZZ_FLIPS_MAX);
        for (int f = 0; f < flips && len > 0; f++)
            bytes[test_rng_below(&rng, len)] = (char)test_rng_next(&rng);
        struct aof_manifest m;
        struct aof_manifest_error err;
        aof_manifest_init(&m);
        if (aof_manifest_parse(&m, bytes, len, &err) == AOF_MANIFEST_PARSE_OK) {
            struct aof_buffer once;
            aof_buffer_init(&once);
            aof_manifest_serialise(&m, &once);
            struct aof_manifest again;
            aof_manifest_init(&again);
            if (once.len > 0) {
                TEST_CHECK(aof_manifest_parse(&again, once.data, once.len, &err) ==
                           AOF_MANIFEST_PARSE_OK);
                struct aof_buffer twice;
                aof_buffer_init(&twice);
                aof_manifest_serialise(&again, &twice);
                TEST_CHECK(twice.len == once.len && memcmp(twice.data, once.data, once.len) == 0);
                aof_buffer_free(&twice);
            }
            aof_manifest_free(&again);
            aof_buffer_free(&once);
        } else {
            TEST_CHECK(err.reason != NULL);
            TEST_CHECK(!err.has_line_text || err.line_offset + err.line_len <= len);
        }
        aof_manifest_free(&m);
        alloc_free(bytes);
    }
}
END_TEST

/* ---- reader ---- */

START_TEST(test_reader_golden_incr)
{
    char *bytes = test_exact_copy(golden_incr, GOLDEN_INCR_BYTES);
    struct aof_reader r;
    aof_reader_init(&r, bytes, GOLDEN_INCR_BYTES, AOF_READER_BULK_BYTES_DEFAULT);
    const char *expect[][3] = {{"SELECT", "0", NULL}, {"set", "c", "xyz"}, {"SELECT", "3", NULL},
                               {"incr", "n", NULL},   {"SELECT", "0", NULL},
                               {"PEXPIREAT", "a", "1795478319153"}};
    for (size_t i = 0; i < 6; i++) {
        TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND);
        size_t argc = expect[i][2] ? 3 : 2;
        TEST_CHECK(r.argc == argc);
        for (size_t j = 0; j < argc; j++)
            TEST_CHECK(test_arg_is(&r, j, expect[i][j]));
        TEST_CHECK(r.valid_end == r.pos);
    }
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF);
    TEST_CHECK(r.valid_end == GOLDEN_INCR_BYTES);
    /* redis-check-aof says ok_up_to_line=35 for this file. */
    TEST_CHECK(r.lines == 35);
    aof_reader_free(&r);
    alloc_free(bytes);
}
END_TEST

/* The records of the truncation test, in order. */
static const char *const truncation_records[] = {
    "#TS:1700000000\r\n",
    "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n",
    "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n",
    "*1\r\n$5\r\nMULTI\r\n",
    "*2\r\n$4\r\nincr\r\n$1\r\nn\r\n",
    "*1\r\n$4\r\nEXEC\r\n",
    "#TS:1700000001\r\n",
    "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$10\r\n0123456789\r\n",
};
#define TRUNCATION_RECORDS 8

/* Every prefix of the file is either clean or a truncated tail with the
 * right cut point: never corruption, never a crash. */
START_TEST(test_reader_every_truncation)
{
    struct aof_buffer file;
    aof_buffer_init(&file);
    size_t ends[TRUNCATION_RECORDS];
    bool safe[TRUNCATION_RECORDS];
    bool command[TRUNCATION_RECORDS];
    bool in_multi = false;
    for (size_t i = 0; i < TRUNCATION_RECORDS; i++) {
        aof_buffer_append_str(&file, truncation_records[i]);
        ends[i] = file.len;
        command[i] = truncation_records[i][0] == '*';
        if (strstr(truncation_records[i], "MULTI"))
            in_multi = true;
        if (strstr(truncation_records[i], "EXEC"))
            in_multi = false;
        safe[i] = !in_multi;
    }
    for (size_t cut = 0; cut <= file.len; cut++) {
        size_t expect_valid = 0, expect_commands = 0;
        bool expect_eof = cut == 0;
        for (size_t i = 0; i < TRUNCATION_RECORDS; i++) {
            if (ends[i] <= cut && command[i])
                expect_commands++;
            if (ends[i] <= cut && safe[i])
                expect_valid = ends[i];
            if (ends[i] == cut && safe[i])
                expect_eof = true;
        }
        char *bytes = test_exact_copy(file.data, cut);
        struct aof_reader r;
        aof_reader_init(&r, bytes, cut, AOF_READER_BULK_BYTES_DEFAULT);
        size_t commands = 0;
        enum aof_read_result result;
        while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND)
            commands++;
        if (result != (expect_eof ? AOF_READ_EOF : AOF_READ_TRUNCATED) ||
            r.valid_end != expect_valid || commands != expect_commands)
            ck_abort_msg("cut %zu: %s valid_end %zu (want %zu) commands %zu (want %zu): %s", cut,
                         aof_read_result_name(result), r.valid_end, expect_valid, commands,
                         expect_commands, r.reason);
        aof_reader_free(&r);
        alloc_free(bytes);
    }
    aof_buffer_free(&file);
}
END_TEST

START_TEST(test_reader_multi_tail)
{
    const char text[] = "*1\r\n$4\r\nPING\r\n"
                        "*1\r\n$5\r\nmulti\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n";
    char *bytes = test_exact_copy(text, sizeof(text) - 1);
    struct aof_reader r;
    aof_reader_init(&r, bytes, sizeof(text) - 1, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND && test_arg_is(&r, 0, "multi"));
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND && test_arg_is(&r, 0, "DEL"));
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_TRUNCATED);
    TEST_CHECK(r.valid_end == 14);
    TEST_CHECK(r.error_offset == 14);
    TEST_CHECK(strcmp(r.reason, "Reached EOF before reading EXEC for MULTI") == 0);
    aof_reader_free(&r);
    alloc_free(bytes);

    /* DISCARD closes the transaction, as it does for Redis's fake client. */
    const char discard[] = "*1\r\n$5\r\nMULTI\r\n*1\r\n$7\r\nDISCARD\r\n";
    aof_reader_init(&r, discard, sizeof(discard) - 1, AOF_READER_BULK_BYTES_DEFAULT);
    while (aof_reader_next(&r) == AOF_READ_COMMAND)
        ;
    TEST_CHECK(r.final == AOF_READ_EOF && r.valid_end == sizeof(discard) - 1);
    aof_reader_free(&r);
}
END_TEST

struct reader_corrupt_case {
    const char *text;
    size_t error_offset;
    size_t valid_end;
    const char *reason_prefix;
};

START_TEST(test_reader_corrupt)
{
    static const struct reader_corrupt_case cases[] = {
        {"*1\r\n$4\r\nPING\r\nXYZ\r\n*1\r\n$4\r\nPING\r\n", 14, 14, "Expected prefix '*', got: 'X'"},
        {"*1\r\n$4\r\nPINGxx*1\r\n", 8, 0, "Expected \\r\\n, got: 7878"},
        {"*1\r\n#4\r\nPING\r\n", 4, 0, "Expected prefix '$', got: '#'"},
        {"*1x\r\n", 0, 0, "Expected \\r\\n, got: 780d"},
        {"*1\r\r\n", 0, 0, "Expected \\r\\n, got: 0d0d"},
        {"*\r\n", 0, 0, "Expected \\r\\n"},
        {"*1\r\n$\r\n", 4, 0, "Expected \\r\\n"},
        {"*0\r\n", 0, 0, "Argument count 0 is not in the suitable range"},
        {"*-1\r\n", 0, 0, "Expected \\r\\n"},
        {"*1048577\r\n$1\r\na\r\n", 0, 0, "Argument count 1048577"},
        {"*1\r\n$536870913\r\n", 4, 0, "Expected to read string of 536870913 bytes"},
        {"*1\r\n$9999999999999999999\r\n", 4, 0, "Number after '$' is too long"},
        {"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n\r\n", 28, 28, "Expected prefix '*', got: '\r'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = strlen(cases[i].text);
        char *bytes = test_exact_copy(cases[i].text, len);
        struct aof_reader r;
        aof_reader_init(&r, bytes, len, AOF_READER_BULK_BYTES_DEFAULT);
        enum aof_read_result result;
        while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND)
            ;
        if (result != AOF_READ_CORRUPT || r.error_offset != cases[i].error_offset ||
            r.valid_end != cases[i].valid_end ||
            strncmp(r.reason, cases[i].reason_prefix, strlen(cases[i].reason_prefix)) != 0)
            ck_abort_msg("case %zu: %s at %zu valid_end %zu: %s", i, aof_read_result_name(result),
                         r.error_offset, r.valid_end, r.reason);
        TEST_CHECK(aof_reader_next(&r) == AOF_READ_CORRUPT);
        aof_reader_free(&r);
        alloc_free(bytes);
    }

    /* An annotation that never ends within Redis's line buffer. */
    char annotation[AOF_READER_ANNOTATION_BYTES_MAX + 10];
    memset(annotation, 'x', sizeof(annotation));
    annotation[0] = '#';
    struct aof_reader r;
    aof_reader_init(&r, annotation, sizeof(annotation), AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_CORRUPT);
    aof_reader_free(&r);
    /* A shorter one cut off at the end is a truncated tail. */
    aof_reader_init(&r, annotation, 100, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_TRUNCATED && r.valid_end == 0);
    aof_reader_free(&r);
}
END_TEST

/* Declared sizes are checked against the limits and the bytes present:
 * nothing is allocated from them. */
START_TEST(test_reader_huge_lengths)
{
    const char bulk[] = "*1\r\n$536870912\r\n";
    struct aof_reader r;
    aof_reader_init(&r, bulk, sizeof(bulk) - 1, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_TRUNCATED);
    TEST_CHECK(strcmp(r.reason, "Expected to read 536870914 bytes, got 0 bytes") == 0);
    TEST_CHECK(r.argv_cap == 0);
    aof_reader_free(&r);

    /* A smaller ceiling turns the same header into corruption. */
    aof_reader_init(&r, bulk, sizeof(bulk) - 1, 1024);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_CORRUPT);
    aof_reader_free(&r);

    const char argc[] = "*1048576\r\n$1\r\na\r\n$1\r\nb\r\n";
    aof_reader_init(&r, argc, sizeof(argc) - 1, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_TRUNCATED);
    TEST_CHECK(r.argv_cap <= 8);
    aof_reader_free(&r);
}
END_TEST

START_TEST(test_reader_rdb_and_skip)
{
    const char text[] = "REDIS0010\xfa\x09redis-ver\xff*1\r\n$4\r\nPING\r\n";
    size_t len = sizeof(text) - 1;
    struct aof_reader r;
    aof_reader_init(&r, text, len, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_RDB);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_RDB);
    aof_reader_free(&r);

    /* After a caller has parsed the RDB part, the tail is plain RESP. */
    size_t tail = len - 14;
    aof_reader_init(&r, text, len, AOF_READER_BULK_BYTES_DEFAULT);
    aof_reader_skip_to(&r, tail);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_COMMAND && test_arg_is(&r, 0, "PING"));
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF && r.valid_end == len);
    aof_reader_free(&r);

    /* An empty file is a clean end; so is one made of annotations. */
    aof_reader_init(&r, NULL, 0, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF);
    aof_reader_free(&r);
    const char ts[] = "#TS:1\r\n#TS:2\n";
    aof_reader_init(&r, ts, sizeof(ts) - 1, AOF_READER_BULK_BYTES_DEFAULT);
    TEST_CHECK(aof_reader_next(&r) == AOF_READ_EOF && r.valid_end == sizeof(ts) - 1);
    aof_reader_free(&r);
}
END_TEST

/* Random byte flips and cuts: the reader always ends with a verdict, its
 * spans stay inside the bytes, and a file it reads cleanly re-encodes to
 * the same bytes. */
START_TEST(test_reader_fuzz)
{
    struct aof_buffer base;
    aof_buffer_init(&base);
    for (size_t i = 2; i < TRUNCATION_RECORDS; i++) {
        if (truncation_records[i][0] == '*')
            aof_buffer_append_str(&base, truncation_records[i]);
    }
    aof_buffer_append(&base, golden_incr, GOLDEN_INCR_BYTES);
    test_rng_init(&rng, 0x9e3779b97f4a7c15ULL);
    struct aof_buffer again;
    aof_buffer_init(&again);
    for (int round = 0; round < TEST_FUZZ_ROUNDS; round++) {
        size_t len = base.len - (round % 3 == 0 ? test_rng_below(&rng, base.len) : 0);
        char *bytes = test_exact_copy(base.data, len);
        int flips = 1 + (int)test_rng_below(&rng, TEST_FUZZ_FLIPS_MAX);
        for (int f = 0; f < flips && len > 0; f++)
            bytes[test_rng_below(&rng, len)] = (char)test_rng_next(&rng);
        struct aof_reader r;
        aof_reader_init(&r, bytes, len, AOF_READER_BULK_BYTES_DEFAULT);
        aof_buffer_clear(&again);
        enum aof_read_result result;
        while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND) {
            TEST_CHECK(r.argc >= 1);
            for (size_t i = 0; i < r.argc; i++) {
                TEST_CHECK(r.argv[i].ptr >= bytes);
                TEST_CHECK(r.argv[i].ptr + r.argv[i].len <= bytes + len);
            }
            aof_encode_command(&again, r.argc, r.argv);
        }
        TEST_CHECK(r.valid_end <= r.pos && r.pos <= len);
        /* A flip can make a padding line ("#\n"), and what follows it
         * belongs to no batch. */
        TEST_CHECK(result == AOF_READ_EOF || result == AOF_READ_TRUNCATED ||
                   result == AOF_READ_CORRUPT || result == AOF_READ_RDB ||
                   result == AOF_READ_TORN);
        if (result == AOF_READ_EOF && memchr(bytes, '#', len) == NULL) {
            /* Leading zeros in a length are accepted but not re-encoded. */
            if (again.len == len)
                TEST_CHECK(memcmp(again.data, bytes, len) == 0);
        }
        aof_reader_free(&r);
        alloc_free(bytes);
    }
    aof_buffer_free(&again);
    aof_buffer_free(&base);
}
END_TEST

/* ---- reader: ringkv's batches ---- */

/* The sector a power cut tears at, as the log writer lays padding out. */
#define TEST_SECTOR_BYTES 512
#define TEST_BLOCK_BYTES 4096
/* Commands per batch in these tests, and the most any file here holds. */
#define TEST_BATCH_RECORDS 3
#define TEST_KEYS_MAX 100000
/* 64 MiB of padding must read at hundreds of MB/s: in a normal build it
 * takes well under this; sanitizers and a loaded machine get room. */
#define TEST_PADDING_BYTES ((size_t)64 << 20)
#define TEST_PADDING_SECONDS_MAX 4.0
#define TEST_BATCH_FUZZ_ROUNDS 20000

/* Appends "SET k<i> v<i>" for i in [first, first + count). */
static void test_put_records(struct aof_buffer *b, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        char key[16], value[16];
        int kl = snprintf(key, sizeof(key), "k%d", i);
        int vl = snprintf(value, sizeof(value), "v%d", i);
        struct aof_arg argv[] = {{"SET", 3}, {key, (size_t)kl}, {value, (size_t)vl}};
        aof_encode_command(b, 3, argv);
    }
}

/* Appends batch seq holding records[0..len). */
static void test_put_batch_bytes(struct aof_buffer *b, uint64_t seq, const void *records, size_t len)
{
    uint8_t header[AOF_BATCH_HEADER_BYTES];
    aof_batch_header(header, seq, records, len);
    aof_buffer_append(b, header, sizeof(header));
    aof_buffer_append(b, records, len);
}

/* Appends batch seq holding the records of keys [first, first + count). */
static void test_put_batch(struct aof_buffer *b, uint64_t seq, int first, int count)
{
    struct aof_buffer records;
    aof_buffer_init(&records);
    test_put_records(&records, first, count);
    test_put_batch_bytes(b, seq, records.data, records.len);
    aof_buffer_free(&records);
}

/* Where padding piece p of the writer ends when padding starts at pos:
 * at the next sector boundary (a 1-byte remainder joins the next sector),
 * never past end. */
static size_t test_piece_end(size_t pos, size_t end)
{
    size_t boundary = (pos / TEST_SECTOR_BYTES + 1) * TEST_SECTOR_BYTES;
    if (boundary - pos < AOF_BATCH_PAD_BYTES_MIN)
        boundary += TEST_SECTOR_BYTES;
    return boundary < end ? boundary : end;
}

/* Pads b up to end as the log writer does: one padding line per sector. */
static void test_pad_to(struct aof_buffer *b, size_t end)
{
    uint8_t piece[AOF_BATCH_PAD_BYTES_MAX];
    while (b->len < end) {
        size_t n = test_piece_end(b->len, end) - b->len;
        ck_assert_uint_ge(n, AOF_BATCH_PAD_BYTES_MIN);
        aof_batch_fill(piece, n);
        aof_buffer_append(b, piece, n);
    }
}

/* Overwrites bytes [at, at + TEST_SECTOR_BYTES) of b with what the sector
 * held before a write that did not reach it: one padding line. */
static void test_revert_sector(struct aof_buffer *b, size_t at)
{
    ck_assert_uint_eq(at % TEST_SECTOR_BYTES, 0);
    ck_assert_uint_le(at + TEST_SECTOR_BYTES, b->len);
    aof_batch_fill((uint8_t *)b->data + at, TEST_SECTOR_BYTES);
}

/* The offset of the first s in b at or after from. */
static size_t test_find(const struct aof_buffer *b, size_t from, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = from; i + n <= b->len; i++) {
        if (memcmp(b->data + i, s, n) == 0)
            return i;
    }
    ck_abort_msg("\"%s\" not found", s);
    return 0;
}

struct test_read {
    enum aof_read_result result;
    size_t commands;    /* SET commands returned */
    bool in_order;      /* they were SET k1, k2, ... in that order */
    size_t valid_end;
    size_t error_offset;
    uint64_t batches;
    uint64_t batch_seq;
    uint64_t valid_batch_seq;
    char reason[AOF_READER_REASON_BYTES_MAX];
};

/* Reads bytes[0..len) (from an exact-size copy) to its final result. */
static struct test_read test_read_all(const char *bytes, size_t len)
{
    struct test_read out = {.in_order = true};
    char *copy = test_exact_copy(bytes, len);
    struct aof_reader r;
    aof_reader_init(&r, copy, len, AOF_READER_BULK_BYTES_DEFAULT);
    while ((out.result = aof_reader_next(&r)) == AOF_READ_COMMAND) {
        TEST_CHECK(r.valid_end <= r.pos && r.pos <= len);
        if (!test_arg_is(&r, 0, "SET"))
            continue; /* MULTI, EXEC */
        char key[16];
        snprintf(key, sizeof(key), "k%zu", out.commands + 1);
        out.in_order = out.in_order && test_arg_is(&r, 1, key);
        out.commands++;
    }
    TEST_CHECK(aof_reader_next(&r) == out.result);
    TEST_CHECK(r.valid_end <= r.pos && r.pos <= len);
    out.valid_end = r.valid_end;
    out.error_offset = r.error_offset;
    out.batches = r.batches;
    out.batch_seq = r.batch_seq;
    out.valid_batch_seq = r.valid_batch_seq;
    memcpy(out.reason, r.reason, sizeof(out.reason));
    aof_reader_free(&r);
    alloc_free(copy);
    return out;
}

/* Asserts what reading b gives. reason: a substring of the reason, or NULL. */
static void test_expect(const struct aof_buffer *b, enum aof_read_result result, size_t commands,
                        size_t valid_end, uint64_t valid_batch_seq, const char *reason)
{
    struct test_read got = test_read_all(b->data, b->len);
    if (got.result != result || got.commands != commands || !got.in_order ||
        got.valid_end != valid_end || got.valid_batch_seq != valid_batch_seq ||
        (reason != NULL && strstr(got.reason, reason) == NULL))
        ck_abort_msg("got %s, %zu commands%s, valid_end %zu, batch %llu (%s); want %s, %zu, %zu, "
                     "%llu (%s)", aof_read_result_name(got.result), got.commands,
                     got.in_order ? "" : " out of order", got.valid_end,
                     (unsigned long long)got.valid_batch_seq, got.reason,
                     aof_read_result_name(result), commands, valid_end,
                     (unsigned long long)valid_batch_seq, reason ? reason : "");
    /* What the server and --fix keep reads cleanly to the same commands. */
    if (result == AOF_READ_EOF || result == AOF_READ_TORN) {
        struct test_read cut = test_read_all(b->data, got.valid_end);
        if (cut.result != AOF_READ_EOF || cut.commands != commands ||
            cut.valid_end != got.valid_end || cut.valid_batch_seq != valid_batch_seq)
            ck_abort_msg("cut at %zu: %s, %zu commands: %s", got.valid_end,
                         aof_read_result_name(cut.result), cut.commands, cut.reason);
    }
}

/* Batches 1..count of TEST_BATCH_RECORDS keys each, back to back. */
static void test_put_batches(struct aof_buffer *b, uint64_t first_seq, int count)
{
    for (int i = 0; i < count; i++) {
        uint64_t seq = first_seq + (uint64_t)i;
        test_put_batch(b, seq, 1 + (int)(seq - 1) * TEST_BATCH_RECORDS, TEST_BATCH_RECORDS);
    }
}

START_TEST(test_batches_load)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 5);
    size_t end = b.len;
    test_expect(&b, AOF_READ_EOF, 15, end, 5, "End of file");
    struct test_read got = test_read_all(b.data, b.len);
    TEST_CHECK(got.batches == 5 && got.batch_seq == 5);

    /* Pre-written padding after the last batch: a clean end before it. */
    test_pad_to(&b, 3 * TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_EOF, 15, end, 5, NULL);

    /* A file of padding only: nothing to replay. */
    aof_buffer_clear(&b);
    test_pad_to(&b, 1 << 20);
    test_expect(&b, AOF_READ_EOF, 0, 0, 0, NULL);
    aof_buffer_free(&b);
}
END_TEST

/* Batch 4 never reached the disk (its space reads as padding) while batch
 * 5, written at the same time, did: the log ends after batch 3. */
START_TEST(test_batches_hole)
{
    struct aof_buffer b, four;
    aof_buffer_init(&b);
    aof_buffer_init(&four);
    test_put_batches(&b, 1, 3);
    size_t end3 = b.len;
    test_pad_to(&b, TEST_BLOCK_BYTES);
    test_put_batch(&four, 4, 10, TEST_BATCH_RECORDS);
    test_pad_to(&b, b.len + four.len);
    test_pad_to(&b, 2 * TEST_BLOCK_BYTES);
    size_t at5 = b.len;
    test_put_batch(&b, 5, 13, TEST_BATCH_RECORDS);
    size_t end5 = b.len;
    test_pad_to(&b, 3 * TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "Batch seq 5 at offset 8192 does not follow seq 3");
    TEST_CHECK(test_read_all(b.data, b.len).error_offset == at5);

    /* With batch 4 in place the whole log reads. */
    memcpy(b.data + TEST_BLOCK_BYTES, four.data, four.len);
    test_expect(&b, AOF_READ_EOF, 15, end5, 5, NULL);
    aof_buffer_free(&four);
    aof_buffer_free(&b);
}
END_TEST

/* Batch 4 spans four sectors; a power cut kept some of them. */
START_TEST(test_batch_torn_sector)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 3);
    size_t end3 = b.len;
    test_pad_to(&b, TEST_BLOCK_BYTES);
    test_put_batch(&b, 4, 10, 50); /* about 1.3 KiB */
    size_t end4 = b.len;
    ck_assert_uint_gt(end4, TEST_BLOCK_BYTES + 2 * TEST_SECTOR_BYTES);
    test_pad_to(&b, 2 * TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_EOF, 59, end4, 4, NULL);
    struct aof_buffer whole;
    aof_buffer_init(&whole);
    aof_buffer_append(&whole, b.data, b.len);

    /* A middle sector missing: the CRC fails. */
    test_revert_sector(&b, TEST_BLOCK_BYTES + TEST_SECTOR_BYTES);
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "Batch seq 4 at offset 4096 fails its CRC-32C");

    /* The last sector missing. */
    memcpy(b.data, whole.data, whole.len);
    test_revert_sector(&b, (end4 - 1) / TEST_SECTOR_BYTES * TEST_SECTOR_BYTES);
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "fails its CRC-32C");

    /* The header's sector missing: what follows the padding is the middle
     * of a batch, at a sector but not a block boundary. */
    memcpy(b.data, whole.data, whole.len);
    test_revert_sector(&b, TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "Bytes at offset 4608 after padding belong to no batch");

    /* The file ends inside the batch. */
    b.len = end4 - 10;
    memcpy(b.data, whole.data, b.len);
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "runs past the end of the file");
    b.len = TEST_BLOCK_BYTES + 20;
    test_expect(&b, AOF_READ_TORN, 9, end3, 3, "is cut off by the end of the file");
    aof_buffer_free(&whole);
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_batch_crc_mismatch)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 1);
    size_t end1 = b.len;
    test_put_batches(&b, 2, 2);
    /* Change a value byte of batch 2: still well-formed RESP. */
    char *v = b.data + test_find(&b, end1, "v5");
    v[1] = '7';
    test_expect(&b, AOF_READ_TORN, 3, end1, 1, "Batch seq 2 at offset");
    /* A changed header field is caught as well. */
    v[1] = '5';
    test_expect(&b, AOF_READ_EOF, 9, b.len, 3, NULL);
    b.data[end1 + AOF_BATCH_HEADER_PREFIX_BYTES + AOF_BATCH_SEQ_DIGITS + 3] ^= 1;
    test_expect(&b, AOF_READ_TORN, 3, end1, 1, NULL);
    aof_buffer_free(&b);
}
END_TEST

/* A file Redis wrote has no headers and no padding: it reads as before. */
START_TEST(test_batch_redis_file_unchanged)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    aof_buffer_append_str(&b, "#TS:1700000000\r\n");
    test_put_records(&b, 1, 4);
    aof_buffer_append_str(&b, "#TS:1700000001\r\n");
    test_expect(&b, AOF_READ_EOF, 4, b.len, 0, NULL);
    TEST_CHECK(test_read_all(b.data, b.len).batches == 0);
    size_t whole = b.len;
    aof_buffer_append_str(&b, "*3\r\n$3\r\nSET\r\n$2\r\nk5");
    test_expect(&b, AOF_READ_TRUNCATED, 4, whole, 0, NULL);
    b.len = whole;
    aof_buffer_append_str(&b, "xyz\r\n");
    test_expect(&b, AOF_READ_CORRUPT, 4, whole, 0, "Expected prefix '*', got: 'x'");
    aof_buffer_free(&b);
}
END_TEST

/* Redis appended to a file ringkv closed cleanly (cut after its last
 * batch): its records follow the batch directly. ringkv may go on after
 * them with the next batch. */
START_TEST(test_batch_plain_after_batch)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 2);
    size_t end2 = b.len;
    test_put_records(&b, 7, 3);
    test_expect(&b, AOF_READ_EOF, 9, b.len, 2, NULL);
    test_put_batch(&b, 3, 10, 3);
    size_t end3 = b.len;
    test_pad_to(&b, TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_EOF, 12, end3, 3, NULL);

    /* Records cut off right after a batch: the log ends at the batch. */
    b.len = end2;
    aof_buffer_append_str(&b, "*3\r\n$3\r\nSET\r\n$2\r\nk7");
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after batch seq 2 are not a record");
    /* ... and bytes that are no record at all, such as zeros. */
    b.len = end2;
    aof_buffer_append(&b, "\0\0\0\0", 4);
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after batch seq 2 are not a record");
    /* After a whole plain record, a cut-off one is Redis's truncated tail. */
    b.len = end2;
    test_put_records(&b, 7, 1);
    size_t end7 = b.len;
    aof_buffer_append_str(&b, "*3\r\n$3\r\nSET\r\n$2\r\nk8");
    test_expect(&b, AOF_READ_TRUNCATED, 7, end7, 2, NULL);
    aof_buffer_free(&b);
}
END_TEST

/* Redis appended to a file ringkv left with pre-written padding (killed):
 * its records start at the end of the file, a block boundary. */
START_TEST(test_batch_redis_tail_after_padding)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 2);
    test_pad_to(&b, 2 * TEST_BLOCK_BYTES);
    size_t tail = b.len;
    test_put_records(&b, 7, 3);
    test_expect(&b, AOF_READ_EOF, 9, b.len, 2, NULL);

    /* Starting with an annotation. */
    b.len = tail;
    aof_buffer_append_str(&b, "#TS:1700000000\r\n");
    test_put_records(&b, 7, 3);
    test_expect(&b, AOF_READ_EOF, 9, b.len, 2, NULL);

    /* Then ringkv went on: the next batch follows the tail. */
    test_put_batch(&b, 3, 10, 3);
    size_t end3 = b.len;
    test_pad_to(&b, 3 * TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_EOF, 12, end3, 3, NULL);
    aof_buffer_free(&b);
}
END_TEST

/* After padding, bytes that are not a tail Redis appended are what is left
 * of a batch whose header did not land: the log ends before the padding. */
START_TEST(test_batch_stray_after_padding)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 2);
    size_t end2 = b.len;
    test_pad_to(&b, 2 * TEST_BLOCK_BYTES + TEST_SECTOR_BYTES);
    size_t at = b.len;
    test_put_records(&b, 7, 3);
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after padding belong to no batch");
    TEST_CHECK(test_read_all(b.data, b.len).error_offset == at);

    /* Aligned, but padding follows. */
    b.len = end2;
    test_pad_to(&b, 2 * TEST_BLOCK_BYTES);
    size_t aligned = b.len;
    test_put_records(&b, 7, 3);
    test_pad_to(&b, 3 * TEST_BLOCK_BYTES);
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "Bytes at offset 8192 after padding");

    /* Aligned, then a header out of sequence. */
    b.len = aligned;
    test_put_records(&b, 7, 3);
    test_put_batch(&b, 5, 10, 3);
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "Bytes at offset 8192 after padding");

    /* Aligned, then a header with the next seq whose batch is torn: the
     * tail is Redis's, the log ends at the torn batch. */
    b.len = aligned;
    test_put_records(&b, 7, 3);
    size_t tail_end = b.len;
    test_put_batch(&b, 3, 10, 3);
    b.data[b.len - 3] ^= 1;
    test_expect(&b, AOF_READ_TORN, 9, tail_end, 2, "Batch seq 3");

    /* Aligned, cut off at the end. */
    b.len = tail_end - 3;
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after padding");

    /* Not a record at all. */
    b.len = aligned;
    aof_buffer_append_str(&b, "garbage\r\n");
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after padding");
    b.len = aligned;
    aof_buffer_append(&b, "\0\0\0\0", 4);
    test_expect(&b, AOF_READ_TORN, 6, end2, 2, "after padding");
    aof_buffer_free(&b);
}
END_TEST

START_TEST(test_batch_header_problems)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    /* The first header of a file must be seq 1. */
    test_put_batch(&b, 2, 1, 3);
    test_expect(&b, AOF_READ_TORN, 0, 0, 0, "Batch seq 2 at offset 0 does not follow seq 0");

    /* Records Redis wrote, then ringkv's first batch. */
    aof_buffer_clear(&b);
    test_put_records(&b, 1, 3);
    test_put_batch(&b, 1, 4, 3);
    test_expect(&b, AOF_READ_EOF, 6, b.len, 1, NULL);

    /* Padding, then the first batch. */
    aof_buffer_clear(&b);
    test_pad_to(&b, TEST_BLOCK_BYTES);
    test_put_batch(&b, 1, 1, 3);
    test_expect(&b, AOF_READ_EOF, 3, b.len, 1, NULL);

    /* A malformed header ends the log, wherever it is. */
    aof_buffer_clear(&b);
    test_put_batches(&b, 1, 1);
    size_t end1 = b.len;
    test_put_batches(&b, 2, 1);
    b.data[end1 + AOF_BATCH_HEADER_PREFIX_BYTES] = 'X';
    test_expect(&b, AOF_READ_TORN, 3, end1, 1, "Malformed batch header at offset");
    aof_buffer_clear(&b);
    aof_buffer_append_str(&b, "#ringkv-batch 1\n");
    test_put_records(&b, 1, 3);
    test_expect(&b, AOF_READ_TORN, 0, 0, 0, "Malformed batch header at offset 0");
    aof_buffer_clear(&b);
    aof_buffer_append_str(&b, "#ringkv-batch 1\n");
    test_expect(&b, AOF_READ_TORN, 0, 0, 0, "cut off by the end of the file");

    /* A record that does not end inside its batch: the batch is whole
     * (its CRC matches) but malformed. */
    aof_buffer_clear(&b);
    struct aof_buffer records;
    aof_buffer_init(&records);
    test_put_records(&records, 1, 2);
    test_put_batch_bytes(&b, 1, records.data, records.len - 5);
    aof_buffer_append(&b, records.data + records.len - 5, 5);
    struct test_read got = test_read_all(b.data, b.len);
    TEST_CHECK(got.result == AOF_READ_CORRUPT);
    TEST_CHECK(strstr(got.reason, "inside batch seq 1") != NULL);
    TEST_CHECK(got.commands == 1);
    aof_buffer_free(&records);
    aof_buffer_free(&b);
}
END_TEST

/* MULTI/EXEC inside a batch replays; one the log ends inside is dropped
 * with the batch it began in, and valid_end never splits a batch. */
START_TEST(test_batch_multi)
{
    struct aof_buffer b, records;
    aof_buffer_init(&b);
    aof_buffer_init(&records);
    struct aof_arg multi[] = {{"MULTI", 5}};
    struct aof_arg exec[] = {{"EXEC", 4}};
    test_put_batches(&b, 1, 1);
    size_t end1 = b.len;
    aof_encode_command(&records, 1, multi);
    aof_encode_command(&records, 1, exec);
    test_put_batch_bytes(&b, 2, records.data, records.len);
    test_expect(&b, AOF_READ_EOF, 3, b.len, 2, NULL);

    /* A transaction spanning batches 2 and 3, batch 3 torn. */
    b.len = end1;
    aof_buffer_clear(&records);
    test_put_records(&records, 4, 1);
    aof_encode_command(&records, 1, multi);
    test_put_batch_bytes(&b, 2, records.data, records.len);
    aof_buffer_clear(&records);
    aof_encode_command(&records, 1, exec);
    test_put_batch_bytes(&b, 3, records.data, records.len);
    b.data[b.len - 2] = 'x';
    struct test_read got = test_read_all(b.data, b.len);
    TEST_CHECK(got.result == AOF_READ_TORN);
    TEST_CHECK(got.valid_end == end1);
    TEST_CHECK(got.valid_batch_seq == 1);
    /* Whole, it replays. */
    b.data[b.len - 2] = '\r';
    got = test_read_all(b.data, b.len);
    TEST_CHECK(got.result == AOF_READ_EOF && got.valid_end == b.len && got.valid_batch_seq == 3);
    aof_buffer_free(&records);
    aof_buffer_free(&b);
}
END_TEST

/* Every prefix of a batched file, as a crash may leave it: the log is the
 * whole batches that fit, and the result says whether bytes were cut. */
START_TEST(test_batch_every_cut)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    size_t batch_ends[4] = {0};
    for (int i = 1; i <= 3; i++) {
        test_put_batches(&b, (uint64_t)i, 1);
        batch_ends[i] = b.len;
    }
    size_t padding_start = b.len;
    test_pad_to(&b, TEST_BLOCK_BYTES);
    for (size_t cut = 0; cut <= b.len; cut++) {
        int whole = 0;
        while (whole < 3 && batch_ends[whole + 1] <= cut)
            whole++;
        bool clean = cut == batch_ends[whole];
        if (cut > padding_start) {
            for (size_t at = padding_start; at < cut; at = test_piece_end(at, b.len))
                clean = test_piece_end(at, b.len) == cut;
        }
        /* A file that is only "#" ends in a cut-off annotation, as a file
         * of Redis's would. */
        enum aof_read_result want = clean ? AOF_READ_EOF : AOF_READ_TORN;
        if (cut == 1)
            want = AOF_READ_TRUNCATED;
        struct test_read got = test_read_all(b.data, cut);
        if (got.result != want ||
            got.commands != (size_t)whole * TEST_BATCH_RECORDS ||
            got.valid_end != batch_ends[whole] || got.valid_batch_seq != (uint64_t)whole)
            ck_abort_msg("cut %zu: %s, %zu commands, valid_end %zu: %s", cut,
                         aof_read_result_name(got.result), got.commands, got.valid_end,
                         got.reason);
    }
    aof_buffer_free(&b);
}
END_TEST

/* Up to 64 MiB of pre-written padding follows the log: reading past it is
 * a scan, not a parse. */
START_TEST(test_batch_padding_fast)
{
    struct aof_buffer b;
    aof_buffer_init(&b);
    test_put_batches(&b, 1, 1);
    size_t end1 = b.len;
    aof_buffer_reserve(&b, TEST_PADDING_BYTES);
    test_pad_to(&b, TEST_PADDING_BYTES);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct aof_reader r;
    aof_reader_init(&r, b.data, b.len, AOF_READER_BULK_BYTES_DEFAULT);
    size_t commands = 0;
    enum aof_read_result result;
    while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND)
        commands++;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "64 MiB of padding read in %.3f s (%.0f MB/s)\n", seconds,
            (double)b.len / 1e6 / seconds);
    TEST_CHECK(result == AOF_READ_EOF);
    TEST_CHECK(commands == TEST_BATCH_RECORDS);
    TEST_CHECK(r.valid_end == end1);
    TEST_CHECK(seconds < TEST_PADDING_SECONDS_MAX);
    aof_reader_free(&r);
    aof_buffer_free(&b);
}
END_TEST

/* A batched file with damage anywhere: random flips, cuts and sectors
 * reverted to padding, sometimes with every header's CRC made to match
 * again so the damage reaches the records. Whatever the result, the
 * commands are a prefix of the log, and a file cut at valid_end reads to a
 * clean end with the same commands. */
START_TEST(test_batch_fuzz)
{
    struct aof_buffer base;
    aof_buffer_init(&base);
    size_t headers[8];
    int header_count = 0;
    int key = 1;
    for (uint64_t seq = 1; seq <= 6; seq++) {
        if (seq == 3) {
            test_put_records(&base, key, 2); /* Redis appended after a clean close */
            key += 2;
        }
        if (seq == 5)
            test_pad_to(&base, (base.len / TEST_BLOCK_BYTES + 1) * TEST_BLOCK_BYTES);
        headers[header_count++] = base.len;
        int n = 1 + (int)(seq % 3);
        test_put_batch(&base, seq, key, n);
        key += n;
    }
    test_pad_to(&base, (base.len / TEST_BLOCK_BYTES + 2) * TEST_BLOCK_BYTES);
    test_rng_init(&rng, 0xba7c4);
    struct aof_buffer b;
    aof_buffer_init(&b);
    for (int round = 0; round < TEST_BATCH_FUZZ_ROUNDS; round++) {
        aof_buffer_clear(&b);
        aof_buffer_append(&b, base.data, base.len);
        int flips = (int)test_rng_below(&rng, TEST_FUZZ_FLIPS_MAX + 1);
        for (int f = 0; f < flips; f++)
            b.data[test_rng_below(&rng, b.len)] = (char)test_rng_next(&rng);
        if (test_rng_below(&rng, 4) == 0)
            test_revert_sector(&b, test_rng_below(&rng, b.len / TEST_SECTOR_BYTES) * TEST_SECTOR_BYTES);
        if (test_rng_below(&rng, 2) == 0) {
            for (int h = 0; h < header_count; h++) {
                struct aof_batch_header hd;
                if (!aof_batch_parse_header(b.data + headers[h], AOF_BATCH_HEADER_BYTES, &hd) ||
                    hd.len > b.len - headers[h] - AOF_BATCH_HEADER_BYTES)
                    continue;
                aof_batch_header((uint8_t *)b.data + headers[h], hd.seq,
                                 b.data + headers[h] + AOF_BATCH_HEADER_BYTES, hd.len);
            }
        }
        if (test_rng_below(&rng, 3) == 0)
            b.len = test_rng_below(&rng, b.len + 1);
        struct test_read got = test_read_all(b.data, b.len);
        TEST_CHECK(got.valid_end <= b.len);
        if (got.result == AOF_READ_RDB)
            continue;
        /* Flips may change a key; the order holds where they did not. */
        if (got.result == AOF_READ_CORRUPT)
            continue;
        struct test_read cut = test_read_all(b.data, got.valid_end);
        if (cut.result != AOF_READ_EOF || cut.valid_end != got.valid_end ||
            cut.commands > got.commands || cut.valid_batch_seq != got.valid_batch_seq)
            ck_abort_msg("round %d: %s valid_end %zu (%s); cut: %s valid_end %zu (%s)", round,
                         aof_read_result_name(got.result), got.valid_end, got.reason,
                         aof_read_result_name(cut.result), cut.valid_end, cut.reason);
    }
    aof_buffer_free(&b);
    aof_buffer_free(&base);
}
END_TEST

/* Redis skips a '#' line of up to 1023 bytes, newline included; a longer
 * one falls apart in its 1024-byte fgets buffer (checked with
 * redis-server and redis-check-aof 7.0.15). */
START_TEST(test_reader_annotation_length)
{
    char line[AOF_READER_ANNOTATION_BYTES_MAX + 1];
    for (size_t len = 1022; len <= 1024; len++) {
        memset(line, 'x', len);
        line[0] = '#';
        line[len - 1] = '\n';
        struct test_read got = test_read_all(line, len);
        TEST_CHECK(got.result == (len <= 1023 ? AOF_READ_EOF : AOF_READ_CORRUPT));
    }
}
END_TEST

START_TEST(test_reader_bulk_max_too_large_aborts)
{
    struct aof_reader r;
    aof_reader_init(&r, "", 0, SIZE_MAX);
}
END_TEST

static Suite *aof_suite(void)
{
    Suite *s = suite_create("aof");

    TCase *encode = tcase_create("encode");
    tcase_add_test(encode, test_units_never_split_records_or_transactions);
    tcase_set_timeout(encode, TEST_TIMEOUT_S);
    tcase_add_test(encode, test_encode_golden_incr);
    tcase_add_test(encode, test_encode_binary_and_empty_args);
    suite_add_tcase(s, encode);

    TCase *manifest = tcase_create("manifest");
    tcase_set_timeout(manifest, TEST_TIMEOUT_S);
    tcase_add_test(manifest, test_manifest_golden_sequence);
    tcase_add_test(manifest, test_manifest_golden_round_trip);
    tcase_add_test(manifest, test_manifest_parse_flexible);
    tcase_add_test(manifest, test_manifest_quoted_names);
    tcase_add_test(manifest, test_manifest_rejects);
    tcase_add_test(manifest, test_manifest_write_file);
    tcase_add_test(manifest, test_manifest_mark_history_order);
    tcase_add_test(manifest, test_manifest_fuzz);
    tcase_add_test(manifest, test_manifest_fuzz_findings);
    suite_add_tcase(s, manifest);

    TCase *reader = tcase_create("reader");
    tcase_set_timeout(reader, TEST_TIMEOUT_S);
    tcase_add_test(reader, test_reader_golden_incr);
    tcase_add_test(reader, test_reader_every_truncation);
    tcase_add_test(reader, test_reader_multi_tail);
    tcase_add_test(reader, test_reader_corrupt);
    tcase_add_test(reader, test_reader_huge_lengths);
    tcase_add_test(reader, test_reader_rdb_and_skip);
    tcase_add_test(reader, test_reader_fuzz);
    tcase_add_test(reader, test_reader_annotation_length);
    suite_add_tcase(s, reader);

    TCase *batches = tcase_create("batches");
    tcase_set_timeout(batches, TEST_TIMEOUT_S);
    tcase_add_test(batches, test_batches_load);
    tcase_add_test(batches, test_batches_hole);
    tcase_add_test(batches, test_batch_torn_sector);
    tcase_add_test(batches, test_batch_crc_mismatch);
    tcase_add_test(batches, test_batch_redis_file_unchanged);
    tcase_add_test(batches, test_batch_plain_after_batch);
    tcase_add_test(batches, test_batch_redis_tail_after_padding);
    tcase_add_test(batches, test_batch_stray_after_padding);
    tcase_add_test(batches, test_batch_header_problems);
    tcase_add_test(batches, test_batch_multi);
    tcase_add_test(batches, test_batch_every_cut);
    tcase_add_test(batches, test_batch_padding_fast);
    tcase_add_test(batches, test_batch_fuzz);
    suite_add_tcase(s, batches);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, test_encode_zero_args_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, test_reader_bulk_max_too_large_aborts, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

TEST_SUITE_MAIN(aof_suite)
