/* durable_fs_test.c: unit tests for engine/durable_fs.c's durable_replace,
 * the one writer of whole replaced files (CONFIG REWRITE, ACL SAVE).
 *
 * A replace leaves exactly the new bytes under the name, with mode 0644
 * less the umask, and no temporary file beside it; a replace that cannot
 * happen (its directory is missing) fails with the errno and creates
 * nothing. What a power cut keeps is tested end to end with the fsfault
 * shim (config_rewrite_test test_power_cut_keeps_rewrite). */
#include "engine/durable_fs.h"
#include "tests/unit.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/durable_fs_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char path[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static int entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void ck_content(const char *path, const char *want)
{
    char got[256] = {0};
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(got, 1, sizeof(got) - 1, f);
    fclose(f);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_str_eq(got, want);
}

START_TEST(test_replace_creates_and_replaces)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/file.conf", dir);
    ck_assert_int_eq(durable_replace(path, "first\n", 6), 0);
    ck_content(path, "first\n");
    ck_assert_int_eq(durable_replace(path, "second, longer\n", 15), 0);
    ck_content(path, "second, longer\n");
    ck_assert_int_eq(durable_replace(path, "", 0), 0);
    ck_content(path, "");
    /* No temporary file is left beside it. */
    ck_assert_int_eq(entries(), 1);
    mode_t mask = umask(0);
    umask(mask);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644 & ~mask);
}
END_TEST

START_TEST(test_missing_directory_fails_cleanly)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/no-such-dir/file.conf", dir);
    ck_assert_int_eq(durable_replace(path, "x", 1), -ENOENT);
    ck_assert_int_eq(entries(), 0);
}
END_TEST

static Suite *durable_fs_suite(void)
{
    Suite *s = suite_create("durable_fs");
    TCase *tc = tcase_create("durable_replace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_replace_creates_and_replaces);
    tcase_add_test(tc, test_missing_directory_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(durable_fs_suite)
