/* check_aof_test.c: black-box tests for tools/ringkv-check-aof.
 *
 * Each test writes crafted AOF files and manifests into a fresh temporary
 * directory, runs the checker there and compares its output lines and exit
 * code with what redis-check-aof 7.0.15 prints for the same files. With
 * RINGKV_SERVER pointing at redis-server the same tests run
 * redis-check-aof from that directory, which is how the expectations were
 * validated. Answers to the --fix prompt are piped in, since
 * redis-check-aof has no -y. One ringkv-only test runs the checker under
 * the fsfault shim (tests/fault/fsfault.c) to see that --fix fsyncs what
 * it cut.
 *
 * ringkv's batched files (headers, padding, a batch torn by a power cut, a
 * hole where a batch never landed) are checked the same way; the torn ones
 * only against ringkv-check-aof, since for redis-check-aof a torn batch is
 * whatever its bytes happen to parse as. One test starts servers: Redis
 * 7.0's redis-check-aof and redis-server (from /usr/bin, whatever
 * RINGKV_SERVER is) must accept a file of batches and padding, and what
 * Redis then appends must load in ringkv. Two ringkv-only tests start
 * ringkv-server on such files to see where it cuts the last incr at
 * start-up and what it refuses. */
#define _GNU_SOURCE /* asprintf */
#include "harness.h"

#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_TIMEOUT_S 60
/* Redis 7.0 (Debian's redis-server and redis-tools), for the test that it
 * reads ringkv's batches whatever RINGKV_SERVER is. */
#define REDIS_SERVER_BINARY "/usr/bin/redis-server"
#define REDIS_CHECK_AOF_BINARY "/usr/bin/redis-check-aof"

static const char valid_aof[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n";

static char tool_path[512];
static char work_dir[256];

static void check_setup(void)
{
    char *copy = strdup(server_binary());
    ck_assert_ptr_nonnull(copy);
    snprintf(tool_path, sizeof(tool_path), "%s/%s", dirname(copy),
             server_is_redis() ? "redis-check-aof" : "ringkv-check-aof");
    free(copy);
    snprintf(work_dir, sizeof(work_dir), "/tmp/ringkv-check-aof-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(work_dir));
}

static void check_teardown(void)
{
    harness_system("rm -rf '%s'", work_dir);
}

static void check_write(const char *name, const void *bytes, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", work_dir, name);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
    fclose(fp);
}

static long check_size(const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", work_dir, name);
    ck_assert_int_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

/* Runs the checker in work_dir with answer piped to stdin. Returns the
 * output, owned; the exit code goes to *status. */
static char *check_run(int *status, const char *answer, const char *args)
{
    return harness_output(status, "cd '%s' && printf '%s' | '%s' %s", work_dir, answer, tool_path,
                          args);
}

static void check_contains(const char *out, const char *line)
{
    ck_assert_msg(strstr(out, line) != NULL, "missing \"%s\" in:\n%s", line, out);
}

START_TEST(test_valid_and_empty)
{
    int status;
    check_write("v.aof", valid_aof, sizeof(valid_aof) - 1);
    char *out = check_run(&status, "", "v.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "Start checking Old-Style AOF\n"
                        "AOF analyzed: filename=v.aof, size=50, ok_up_to=50, ok_up_to_line=13, diff=0\n"
                        "AOF v.aof is valid\n");
    free(out);
    check_write("e.aof", "", 0);
    out = check_run(&status, "", "e.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "AOF e.aof is empty\n");
    free(out);
}
END_TEST

START_TEST(test_truncated_then_fixed)
{
    int status;
    check_write("t.aof", valid_aof, 40);
    char *out = check_run(&status, "", "t.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "0x              28: Expected to read 3 bytes, got 0 bytes\n"
                        "AOF analyzed: filename=t.aof, size=40, ok_up_to=23, ok_up_to_line=10, diff=17\n"
                        "AOF t.aof is not valid. Use the --fix option to try fixing it.\n");
    free(out);

    out = check_run(&status, "n", "--fix t.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "This will shrink the AOF t.aof from 40 bytes, with 17 bytes, to 23 bytes\n"
                        "Continue? [y/N]: Aborting...\n");
    ck_assert_int_eq(check_size("t.aof"), 40);
    free(out);

    out = check_run(&status, "y", "--fix t.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "Continue? [y/N]: Successfully truncated AOF t.aof\n");
    ck_assert_int_eq(check_size("t.aof"), 23);
    free(out);
}
END_TEST

START_TEST(test_corrupt_middle)
{
    int status;
    char bytes[128];
    int len = snprintf(bytes, sizeof(bytes), "%sXYZ\r\n*1\r\n$4\r\nPING\r\n", valid_aof);
    check_write("c.aof", bytes, (size_t)len);
    char *out = check_run(&status, "", "c.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "AOF c.aof format error\n"
                        "AOF analyzed: filename=c.aof, size=69, ok_up_to=50, ok_up_to_line=13, diff=19\n");
    free(out);

    const char crlf[] = "*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n";
    check_write("x.aof", crlf, sizeof(crlf) - 1);
    out = check_run(&status, "", "x.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "0x               8: Expected \\r\\n, got: 7878\n");
    free(out);
}
END_TEST

START_TEST(test_unterminated_multi)
{
    int status;
    char bytes[128];
    int len = snprintf(bytes, sizeof(bytes), "%s*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nPING\r\n", valid_aof);
    check_write("m.aof", bytes, (size_t)len);
    char *out = check_run(&status, "y", "--fix m.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "0x              49: Reached EOF before reading EXEC for MULTI\n"
                        "AOF analyzed: filename=m.aof, size=79, ok_up_to=50, ok_up_to_line=19, diff=29\n");
    ck_assert_int_eq(check_size("m.aof"), 50);
    free(out);
}
END_TEST

START_TEST(test_manifest_only_last_file_is_cut)
{
    int status;
    const char manifest[] = "file a.1.base.aof seq 1 type b\n"
                            "file a.1.incr.aof seq 1 type i\n"
                            "file a.2.incr.aof seq 2 type i\n";
    check_write("a.manifest", manifest, sizeof(manifest) - 1);
    check_write("a.1.base.aof", valid_aof, sizeof(valid_aof) - 1);
    check_write("a.1.incr.aof", valid_aof, 40);
    check_write("a.2.incr.aof", valid_aof, sizeof(valid_aof) - 1);
    char *out = check_run(&status, "y", "--fix a.manifest");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Start checking Multi Part AOF\n"
                        "Start to check BASE AOF (RESP format).\n"
                        "AOF analyzed: filename=a.1.base.aof, size=50, ok_up_to=50, ok_up_to_line=13, diff=0\n"
                        "BASE AOF a.1.base.aof is valid\n"
                        "Start to check INCR files.\n");
    check_contains(out, "Failed to truncate AOF a.1.incr.aof because it is not the last file\n");
    ck_assert_int_eq(check_size("a.1.incr.aof"), 40);
    free(out);

    /* The same damage in the last file is repaired; the manifest stays. */
    check_write("a.1.incr.aof", valid_aof, sizeof(valid_aof) - 1);
    check_write("a.2.incr.aof", valid_aof, 40);
    out = check_run(&status, "y", "--fix a.manifest");
    ck_assert_int_eq(status, 0);
    check_contains(out, "Successfully truncated AOF a.2.incr.aof\n"
                        "All AOF files and manifest are valid\n");
    ck_assert_int_eq(check_size("a.2.incr.aof"), 23);
    ck_assert_int_eq(check_size("a.manifest"), (long)sizeof(manifest) - 1);
    free(out);
}
END_TEST

START_TEST(test_bad_manifest)
{
    int status;
    const char manifest[] = "file a.1.base.aof seq 1 type b\n"
                            "file a.2.base.aof seq 2 type b\n";
    check_write("b.manifest", manifest, sizeof(manifest) - 1);
    char *out = check_run(&status, "", "b.manifest");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Found duplicate base file information\n");
    check_contains(out, ">>> 'file a.2.base.aof seq 2 type b'\n");
    free(out);

    const char missing[] = "file gone.1.incr.aof seq 1 type i\n";
    check_write("g.manifest", missing, sizeof(missing) - 1);
    out = check_run(&status, "", "g.manifest");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Cannot open file ./gone.1.incr.aof: No such file or directory, aborting...\n");
    free(out);

    out = check_run(&status, "", "");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Usage: ");
    free(out);
}
END_TEST

/* Runs the checker in work_dir under the fsfault shim with args (stdin
 * from /dev/null). Returns the output, owned; the exit code goes to *status. */
static char *check_run_faulted(const struct fsfault *f, int *status, const char *args)
{
    char env[4096];
    fsfault_shell_env(f, env, sizeof(env));
    return harness_output(status, "cd '%s' && env %s '%s' %s", work_dir, env, tool_path, args);
}

/* --fix makes its cut durable: an fsync of the file follows the truncation
 * in the shim's log. A failed fsync or truncation is reported and exits 1.
 * ringkv only: redis-check-aof does not fsync after truncating. */
START_TEST(test_fix_fsyncs_the_file)
{
    if (server_is_redis() || !fsfault_available()) {
        fprintf(stderr, "note: test_fix_fsyncs_the_file needs ringkv-check-aof and the shim\n");
        return;
    }
    struct fsfault f;
    fsfault_init(&f);
    int status;
    check_write("t.aof", valid_aof, 40);
    char *out = check_run_faulted(&f, &status, "--fix -y t.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "Successfully truncated AOF t.aof\n");
    free(out);
    char real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(work_dir, real));
    char *log = fsfault_log(&f);
    char *expected = NULL;
    ck_assert_int_ge(asprintf(&expected, "truncate %s/t.aof 23\nfsync %s/t.aof\n", real, real), 0);
    check_contains(log, expected);
    free(expected);
    free(log);

    check_write("u.aof", valid_aof, 40);
    fsfault_arm(&f, "fsync EIO u.aof");
    out = check_run_faulted(&f, &status, "--fix -y u.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Failed to fsync AOF u.aof after truncating it: Input/output error\n");
    free(out);

    check_write("v.aof", valid_aof, 40);
    fsfault_arm(&f, "ftruncate ENOSPC");
    out = check_run_faulted(&f, &status, "--fix -y v.aof");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Failed to truncate AOF v.aof\n");
    ck_assert_int_eq(check_size("v.aof"), 40);
    free(out);
}
END_TEST

/* ---- ringkv's batches (engine/aof_batch.h), restated here ----
 *
 * The frame is rebuilt from its description, with its own bit-at-a-time
 * CRC-32C, so these tests check the format the tools read, not the code
 * that writes it. Files are laid out as ringkv's log writer lays them: a
 * padding line ('#', spaces, '\n') per 512-byte sector, later batches at
 * 4096-byte blocks. */

#define BATCH_SECTOR_BYTES 512
#define BATCH_BLOCK_BYTES 4096
#define BATCH_FILE_BYTES_MAX (64 * 1024)

struct batch_file {
    char data[BATCH_FILE_BYTES_MAX];
    size_t len;
};

static uint32_t batch_crc32c(const char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint8_t)p[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void batch_append(struct batch_file *f, const void *bytes, size_t len)
{
    ck_assert_uint_le(f->len + len, sizeof(f->data));
    memcpy(f->data + f->len, bytes, len);
    f->len += len;
}

/* Appends "SET <prefix><i> v<i>" for i in [first, first + count). */
static void batch_records(struct batch_file *f, const char *prefix, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        char key[32], value[32], rec[128];
        int kl = snprintf(key, sizeof(key), "%s%d", prefix, i);
        int vl = snprintf(value, sizeof(value), "v%d", i);
        int n = snprintf(rec, sizeof(rec), "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", kl, key,
                         vl, value);
        batch_append(f, rec, (size_t)n);
    }
}

/* Appends batch seq holding those records. */
static void batch_put(struct batch_file *f, unsigned long long seq, const char *prefix, int first,
                      int count)
{
    struct batch_file records = {.len = 0};
    batch_records(&records, prefix, first, count);
    char header[64];
    int n = snprintf(header, sizeof(header), "#ringkv-batch %016llx %08zx %08x\n", seq,
                     records.len, batch_crc32c(records.data, records.len));
    ck_assert_int_eq(n, 49);
    batch_append(f, header, (size_t)n);
    batch_append(f, records.data, records.len);
}

static void batch_padding_line(char *dst, size_t len)
{
    dst[0] = '#';
    memset(dst + 1, ' ', len - 2);
    dst[len - 1] = '\n';
}

/* Pads to end with one padding line per sector. */
static void batch_pad_to(struct batch_file *f, size_t end)
{
    ck_assert_uint_le(end, sizeof(f->data));
    while (f->len < end) {
        size_t boundary = (f->len / BATCH_SECTOR_BYTES + 1) * BATCH_SECTOR_BYTES;
        if (boundary - f->len < 2)
            boundary += BATCH_SECTOR_BYTES;
        if (boundary > end)
            boundary = end;
        batch_padding_line(f->data + f->len, boundary - f->len);
        f->len = boundary;
    }
}

/* A file of two batches and a Redis-style SELECT, then padding to a block:
 * what a ringkv killed under appendfsync always leaves. */
static void batch_two_and_padding(struct batch_file *f, size_t *log_end)
{
    f->len = 0;
    struct batch_file first = {.len = 0};
    batch_append(&first, "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n", 23);
    batch_records(&first, "a", 1, 1);
    char header[64];
    snprintf(header, sizeof(header), "#ringkv-batch %016llx %08zx %08x\n", 1ULL, first.len,
             batch_crc32c(first.data, first.len));
    batch_append(f, header, 49);
    batch_append(f, first.data, first.len);
    batch_put(f, 2, "c", 1, 1);
    *log_end = f->len;
    batch_pad_to(f, BATCH_BLOCK_BYTES);
}

/* redis-check-aof accepts the file (padding and headers are annotations to
 * it) with the same verdict and line count; ringkv-check-aof also says
 * what it verified. */
START_TEST(test_batches_and_padding_valid)
{
    struct batch_file f;
    size_t log_end;
    batch_two_and_padding(&f, &log_end);
    /* The longest annotation line Redis reads whole: 1023 bytes. */
    batch_padding_line(f.data + f.len, 1023);
    f.len += 1023;
    check_write("b.aof", f.data, f.len);
    int status;
    char *out = check_run(&status, "", "b.aof");
    ck_assert_int_eq(status, 0);
    char line[256];
    /* SELECT is 5 lines, each SET 7: ok_up_to_line counts from 1. */
    snprintf(line, sizeof(line), "AOF analyzed: filename=b.aof, size=%zu, ok_up_to=%zu, "
             "ok_up_to_line=20, diff=0\n", f.len, f.len);
    check_contains(out, line);
    check_contains(out, "AOF b.aof is valid\n");
    if (!server_is_redis()) {
        check_contains(out, "Verified 2 batches in AOF b.aof (last seq 2)\n");
        snprintf(line, sizeof(line), "AOF b.aof ends with %zu bytes of padding\n", f.len - log_end);
        check_contains(out, line);
    }
    free(out);
}
END_TEST

/* A batch torn by a power cut (one of its sectors still holds padding) at
 * the end of the last file is a truncated tail: reported with its offset
 * and cut back to the last good batch by --fix. ringkv only: for
 * redis-check-aof the torn batch is whatever its bytes happen to parse as. */
START_TEST(test_torn_batch_then_fixed)
{
    if (server_is_redis())
        return;
    struct batch_file f;
    size_t log_end;
    batch_two_and_padding(&f, &log_end);
    batch_put(&f, 3, "e", 1, 40); /* about 1.1 KiB: three sectors */
    ck_assert_uint_gt(f.len, BATCH_BLOCK_BYTES + 2 * BATCH_SECTOR_BYTES);
    batch_pad_to(&f, 2 * BATCH_BLOCK_BYTES);
    batch_padding_line(f.data + BATCH_BLOCK_BYTES + BATCH_SECTOR_BYTES, BATCH_SECTOR_BYTES);
    check_write("t.aof", f.data, f.len);

    int status;
    char *out = check_run(&status, "", "t.aof");
    ck_assert_int_eq(status, 1);
    char expect[512];
    snprintf(expect, sizeof(expect),
             "0x            1000: Batch seq 3 at offset 4096 fails its CRC-32C");
    check_contains(out, expect);
    check_contains(out, "Verified 2 batches in AOF t.aof (last seq 2)\n");
    snprintf(expect, sizeof(expect), "AOF analyzed: filename=t.aof, size=%zu, ok_up_to=%zu, "
             "ok_up_to_line=20, diff=%zu\n"
             "AOF t.aof is not valid. Use the --fix option to try fixing it.\n",
             f.len, log_end, f.len - log_end);
    check_contains(out, expect);
    free(out);

    out = check_run(&status, "", "--fix -y t.aof");
    ck_assert_int_eq(status, 0);
    snprintf(expect, sizeof(expect), "This will shrink the AOF t.aof from %zu bytes, with %zu "
             "bytes, to %zu bytes\nContinue? [y/N]: Successfully truncated AOF t.aof\n",
             f.len, f.len - log_end, log_end);
    check_contains(out, expect);
    ck_assert_int_eq(check_size("t.aof"), (long)log_end);
    free(out);
    out = check_run(&status, "", "t.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "Verified 2 batches in AOF t.aof (last seq 2)\nAOF analyzed:");
    check_contains(out, "AOF t.aof is valid\n");
    free(out);

    /* A hole: batch 3 never landed, batch 4 did. Same verdict. */
    batch_two_and_padding(&f, &log_end);
    batch_pad_to(&f, 2 * BATCH_BLOCK_BYTES);
    batch_put(&f, 4, "g", 1, 2);
    batch_pad_to(&f, 3 * BATCH_BLOCK_BYTES);
    check_write("h.aof", f.data, f.len);
    out = check_run(&status, "", "--fix -y h.aof");
    ck_assert_int_eq(status, 0);
    check_contains(out, "0x            2000: Batch seq 4 at offset 8192 does not follow seq 2\n");
    ck_assert_int_eq(check_size("h.aof"), (long)log_end);
    free(out);
}
END_TEST

/* Only the last file may be cut: a torn log in an earlier incr stops the
 * check, as a truncated one does. ringkv only, as above. */
START_TEST(test_torn_batch_not_last)
{
    if (server_is_redis())
        return;
    const char manifest[] = "file a.1.base.aof seq 1 type b\n"
                            "file a.1.incr.aof seq 1 type i\n"
                            "file a.2.incr.aof seq 2 type i\n";
    check_write("a.manifest", manifest, sizeof(manifest) - 1);
    check_write("a.1.base.aof", valid_aof, sizeof(valid_aof) - 1);
    struct batch_file f;
    size_t log_end;
    batch_two_and_padding(&f, &log_end);
    batch_put(&f, 4, "g", 1, 2);
    check_write("a.1.incr.aof", f.data, f.len);
    long first_size = (long)f.len;
    batch_two_and_padding(&f, &log_end);
    check_write("a.2.incr.aof", f.data, f.len);
    int status;
    char *out = check_run(&status, "", "--fix -y a.manifest");
    ck_assert_int_eq(status, 1);
    check_contains(out, "Batch seq 4 at offset 4096 does not follow seq 2\n");
    check_contains(out, "Failed to truncate AOF a.1.incr.aof because it is not the last file\n");
    ck_assert_int_eq(check_size("a.1.incr.aof"), first_size);
    free(out);
}
END_TEST

/* Redis 7.0 reads a file of batches and padding as it is: redis-check-aof
 * calls the manifest valid and redis-server loads every key (the headers
 * and padding are annotations to both). Redis then appends at the end of
 * the file, after the padding, at a block boundary; ringkv-check-aof and
 * ringkv-server accept that tail. Needs redis-server and redis-tools 7.0;
 * passes with a note when they are missing. */
START_TEST(test_redis_reads_batches)
{
    if (access(REDIS_SERVER_BINARY, X_OK) != 0 || access(REDIS_CHECK_AOF_BINARY, X_OK) != 0) {
        fprintf(stderr, "note: test_redis_reads_batches needs %s and %s\n", REDIS_SERVER_BINARY,
                REDIS_CHECK_AOF_BINARY);
        return;
    }
    char dir[256], aof_dir[300], path[400];
    harness_make_dir(dir, sizeof(dir));
    snprintf(aof_dir, sizeof(aof_dir), "%s/appendonlydir", dir);
    ck_assert_int_eq(mkdir(aof_dir, 0755), 0);
    const char manifest[] = "file appendonly.aof.1.incr.aof seq 1 type i\n";
    snprintf(path, sizeof(path), "%s/appendonly.aof.manifest", aof_dir);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(manifest, 1, sizeof(manifest) - 1, fp), sizeof(manifest) - 1);
    fclose(fp);
    struct batch_file f;
    size_t log_end;
    batch_two_and_padding(&f, &log_end);
    /* The longest padding line Redis reads whole, among the sector ones. */
    f.len = log_end;
    batch_pad_to(&f, 1024);
    batch_padding_line(f.data + f.len, 1023);
    f.len += 1023;
    batch_pad_to(&f, 2 * BATCH_BLOCK_BYTES);
    snprintf(path, sizeof(path), "%s/appendonly.aof.1.incr.aof", aof_dir);
    fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(f.data, 1, f.len, fp), f.len);
    fclose(fp);

    int status;
    char *out = harness_output(&status, "cd '%s' && %s appendonly.aof.manifest", aof_dir,
                               REDIS_CHECK_AOF_BINARY);
    ck_assert_int_eq(status, 0);
    check_contains(out, "All AOF files and manifest are valid\n");
    free(out);

    struct server_args a = {.n = 0};
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--appendfsync", "always");
    struct server_handle *h = server_start_in(REDIS_SERVER_BINARY, dir, a.v);
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get a1", "$2\r\nv1\r\n");
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    ck_cmd(c, "set redis-wrote this", "+OK\r\n");
    conn_close(c);
    server_stop(h);

    /* Redis's records start where the padding ended. */
    size_t len;
    char *bytes = harness_read_file(path, &len);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_uint_gt(len, f.len);
    ck_assert_int_eq(memcmp(bytes, f.data, f.len), 0);
    ck_assert_int_eq(bytes[f.len], '*');
    free(bytes);
    if (server_is_redis())
        return;
    out = harness_output(&status, "cd '%s' && '%s' appendonly.aof.manifest", aof_dir, tool_path);
    ck_assert_int_eq(status, 0);
    check_contains(out, "Verified 2 batches in AOF appendonly.aof.1.incr.aof (last seq 2)\n");
    check_contains(out, "All AOF files and manifest are valid\n");
    free(out);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get a1", "$2\r\nv1\r\n");
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    ck_cmd(c, "get redis-wrote", "$4\r\nthis\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Writes a manifest naming incrs (NULL-terminated) and, for each, its
 * bytes, into dir/appendonlydir. */
static void batch_write_aof_dir(const char *dir, const char *const *names,
                                const struct batch_file *const *files)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.manifest", dir);
    FILE *manifest = fopen(path, "wb");
    ck_assert_ptr_nonnull(manifest);
    for (int i = 0; names[i] != NULL; i++) {
        fprintf(manifest, "file %s seq %d type i\n", names[i], i + 1);
        snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, names[i]);
        FILE *fp = fopen(path, "wb");
        ck_assert_ptr_nonnull(fp);
        ck_assert_uint_eq(fwrite(files[i]->data, 1, files[i]->len, fp), files[i]->len);
        ck_assert_int_eq(fclose(fp), 0);
    }
    ck_assert_int_eq(fclose(manifest), 0);
}

static long batch_file_size(const char *dir, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, name);
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Starts the server under test on dir with the AOF on, logging to
 * dir/server.log. Returns NULL with *status set when it refuses to start. */
static struct server_handle *batch_start(const char *dir, const char *load_truncated, int *status)
{
    static char log_path[512];
    snprintf(log_path, sizeof(log_path), "%s/server.log", dir);
    struct server_args a = {.n = 0};
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--logfile", log_path);
    server_args_add(&a, "--aof-load-truncated", load_truncated);
    return server_try_start_in(server_binary(), dir, a.v, status);
}

static char *batch_server_log(const char *dir)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/server.log", dir);
    char *log = harness_read_file(path, NULL);
    ck_assert_ptr_nonnull(log);
    return log;
}

/* At start-up the server cuts the last incr where its log ends: after the
 * last good batch when a later one is torn (a warning, with the offset,
 * the bytes cut and why), before the padding when only padding follows
 * (a notice). With aof-load-truncated no a torn log refuses to start, as a
 * truncated one does. ringkv only. */
START_TEST(test_server_cuts_the_log_end)
{
    if (server_is_redis())
        return;
    struct batch_file f;
    size_t log_end;
    batch_two_and_padding(&f, &log_end);
    batch_put(&f, 3, "e", 1, 40);
    batch_pad_to(&f, 2 * BATCH_BLOCK_BYTES);
    batch_padding_line(f.data + BATCH_BLOCK_BYTES + BATCH_SECTOR_BYTES, BATCH_SECTOR_BYTES);
    const char *const names[] = {"appendonly.aof.1.incr.aof", NULL};
    const struct batch_file *const files[] = {&f};
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    batch_write_aof_dir(dir, names, files);

    int status = 0;
    struct server_handle *h = batch_start(dir, "no", &status);
    if (h != NULL)
        ck_abort_msg("started with a torn AOF and aof-load-truncated no");
    ck_assert_int_eq(batch_file_size(dir, names[0]), (long)f.len);
    char *log = batch_server_log(dir);
    check_contains(log, "Batch seq 3 at offset 4096 fails its CRC-32C");
    free(log);

    h = batch_start(dir, "yes", &status);
    ck_assert_ptr_nonnull(h);
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get a1", "$2\r\nv1\r\n");
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    ck_cmd(c, "exists e1", ":0\r\n");
    log = batch_server_log(dir);
    char line[256];
    snprintf(line, sizeof(line), "# !!! Truncating the AOF appendonlydir/%s at offset %zu "
             "(%zu bytes cut, last batch seq 2) !!!", names[0], log_end, f.len - log_end);
    check_contains(log, line);
    free(log);
    /* What is appended continues the log: a restart loads it all. */
    ck_cmd(c, "set after cut", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    size_t len;
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/%s", dir, names[0]);
    char *bytes = harness_read_file(path, &len);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_uint_gt(len, log_end);
    ck_assert_int_eq(memcmp(bytes, f.data, log_end), 0);
    /* A writer that frames its batches goes on with seq 3. */
    if (strncmp(bytes + log_end, "#ringkv-batch ", 14) == 0)
        ck_assert_int_eq(strncmp(bytes + log_end, "#ringkv-batch 0000000000000003 ", 31), 0);
    free(bytes);
    h = batch_start(dir, "no", &status);
    ck_assert_ptr_nonnull(h);
    c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get after", "$3\r\ncut\r\n");
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    conn_close(c);
    server_stop(h);

    /* Padding alone after the log: cut with a notice. */
    harness_make_dir(dir, sizeof(dir));
    batch_two_and_padding(&f, &log_end);
    batch_write_aof_dir(dir, names, files);
    h = batch_start(dir, "no", &status);
    ck_assert_ptr_nonnull(h);
    c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    conn_close(c);
    log = batch_server_log(dir);
    snprintf(line, sizeof(line), "* AOF appendonlydir/%s: removing %zu bytes of pre-written "
             "padding after offset %zu (last batch seq 2)", names[0], f.len - log_end, log_end);
    check_contains(log, line);
    ck_assert_msg(strstr(log, "!!!") == NULL, "a warning for padding:\n%s", log);
    free(log);
    server_stop(h);
}
END_TEST

/* A log that ends early in an incr that is not the last refuses start-up,
 * as a truncated one does; padding at its end is normal and stays. */
START_TEST(test_server_torn_not_last)
{
    if (server_is_redis())
        return;
    struct batch_file torn, padded, last;
    size_t log_end;
    batch_two_and_padding(&torn, &log_end);
    batch_put(&torn, 4, "g", 1, 2);
    batch_two_and_padding(&padded, &log_end);
    last.len = 0;
    batch_put(&last, 1, "x", 1, 1);
    const char *const names[] = {"appendonly.aof.1.incr.aof", "appendonly.aof.2.incr.aof", NULL};
    const struct batch_file *const refused[] = {&torn, &last};
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    batch_write_aof_dir(dir, names, refused);
    int status = 0;
    struct server_handle *h = batch_start(dir, "yes", &status);
    if (h != NULL)
        ck_abort_msg("started with a torn AOF that is not the last file");
    ck_assert_int_eq(batch_file_size(dir, names[0]), (long)torn.len);
    char *log = batch_server_log(dir);
    check_contains(log, "and it is not the last file");
    free(log);

    const struct batch_file *const accepted[] = {&padded, &last};
    harness_make_dir(dir, sizeof(dir));
    batch_write_aof_dir(dir, names, accepted);
    h = batch_start(dir, "yes", &status);
    ck_assert_ptr_nonnull(h);
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "get c1", "$2\r\nv1\r\n");
    ck_cmd(c, "get x1", "$2\r\nv1\r\n");
    conn_close(c);
    server_stop(h);
    ck_assert_int_eq(batch_file_size(dir, names[0]), (long)padded.len);
}
END_TEST

static Suite *check_aof_suite(void)
{
    Suite *s = suite_create("check_aof");
    TCase *tc = tcase_create("check_aof");
    tcase_set_timeout(tc, CHECK_TIMEOUT_S);
    tcase_add_checked_fixture(tc, check_setup, check_teardown);
    tcase_add_test(tc, test_valid_and_empty);
    tcase_add_test(tc, test_truncated_then_fixed);
    tcase_add_test(tc, test_corrupt_middle);
    tcase_add_test(tc, test_unterminated_multi);
    tcase_add_test(tc, test_manifest_only_last_file_is_cut);
    tcase_add_test(tc, test_bad_manifest);
    tcase_add_test(tc, test_fix_fsyncs_the_file);
    tcase_add_test(tc, test_batches_and_padding_valid);
    tcase_add_test(tc, test_torn_batch_then_fixed);
    tcase_add_test(tc, test_torn_batch_not_last);
    tcase_add_test(tc, test_redis_reads_batches);
    tcase_add_test(tc, test_server_cuts_the_log_end);
    tcase_add_test(tc, test_server_torn_not_last);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(check_aof_suite());
}
