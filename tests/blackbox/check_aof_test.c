/* check_aof_test.c: black-box tests for tools/ringkv-check-aof.
 *
 * Each test writes crafted AOF files and manifests into a fresh temporary
 * directory, runs the checker there and compares its output lines and exit
 * code with what redis-check-aof 7.0.15 prints for the same files. With
 * RINGKV_SERVER pointing at redis-server the same tests run
 * redis-check-aof from that directory, which is how the expectations were
 * validated. Answers to the --fix prompt are piped in, since
 * redis-check-aof has no -y. No server is started. One ringkv-only test
 * runs the checker under the fsfault shim (tests/fault/fsfault.c) to see
 * that --fix fsyncs what it cut. */
#define _GNU_SOURCE /* asprintf */
#include "harness.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_TIMEOUT_S 60

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
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(check_aof_suite());
}
