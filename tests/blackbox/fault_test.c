/* fault_test.c: filesystem faults and power cuts, through the LD_PRELOAD
 * shim tests/fault/fsfault.c.
 *
 * Sections:
 *   - the shim itself, driven by tests/fault/fsfault_probe (scripted
 *     mkdir/create/rename/unlink/fsync steps): what it logs, what
 *     fsfault_power_cut undoes and keeps, and the errors its control file
 *     injects;
 *   - the server under the shim: a SAVE survives a power cut; a writeback
 *     error (sync_file_range EIO) during BGSAVE or BGREWRITEAOF fails the
 *     save and leaves the previous files as they were.
 * Every server expectation holds for redis-server 7.0.15 too (run with
 * RINGKV_SERVER=/usr/bin/redis-server; the shim preloads into it as well).
 * Without the shim (RINGKV_FSFAULT unset) every test passes with a note. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a BGSAVE or BGREWRITEAOF may take before a test gives up. */
#define FAULT_CHILD_WAIT_MS 60000
/* The snapshot the writeback tests write: DEBUG POPULATE keys of
 * FAULT_VALUE_BYTES each, stored uncompressed (--rdbcompression no), so the
 * file is several times the 4 MB incremental-fsync window and the child
 * calls sync_file_range more than once. */
#define FAULT_POPULATE_KEYS 100000
#define FAULT_VALUE_BYTES 200
/* How long the history files of a finished rewrite may take to go. */
#define FAULT_HISTORY_WAIT_MS 5000
/* Keys written with SET (so they reach the AOF) around the failed rewrite. */
#define FAULT_SET_KEYS 100
/* The shell words of the shim's environment: five NAME=value strings. */
#define FAULT_ENV_TEXT_BYTES 4096

/* ---- Utilities ---- */

/* Whether the shim is there; says why a test does nothing when it is not. */
static bool fault_ready(void)
{
    if (fsfault_available() && getenv("RINGKV_FSFAULT_PROBE") != NULL)
        return true;
    fprintf(stderr, "note: the fsfault shim or its probe was not built; test skipped\n");
    return false;
}

/* A fresh directory and its canonical path (the shim logs canonical paths). */
static void fault_dir(char *dir, size_t dir_len, char *canonical)
{
    harness_make_dir(dir, dir_len);
    ck_assert_ptr_nonnull(realpath(dir, canonical));
}

/* Runs the probe with steps in dir under the shim. Returns its output,
 * owned; its exit status goes to *status. */
static char *probe_run(const struct fsfault *f, const char *dir, int *status, const char *steps)
{
    char env[FAULT_ENV_TEXT_BYTES];
    fsfault_shell_env(f, env, sizeof(env));
    return harness_output(status, "cd '%s' && env %s '%s' %s", dir, env,
                          getenv("RINGKV_FSFAULT_PROBE"), steps);
}

/* Runs steps that must all succeed. */
static void probe_ok(const struct fsfault *f, const char *dir, const char *steps)
{
    int status;
    char *out = probe_run(f, dir, &status, steps);
    ck_assert_msg(status == 0, "probe %s failed (%d):\n%s", steps, status, out);
    free(out);
}

/* printf into a new string, owned (free()). */
static char *text_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *text_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = NULL;
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    return out;
}

static void ck_contains(const char *text, const char *part)
{
    ck_assert_msg(strstr(text, part) != NULL, "missing \"%s\" in:\n%s", part, text);
}

static void ck_file(const char *dir, const char *name, const char *expected)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *text = harness_read_file(path, NULL);
    ck_assert_msg(text != NULL, "%s is missing", path);
    ck_assert_msg(strcmp(text, expected) == 0, "%s holds \"%s\", expected \"%s\"", path, text,
                  expected);
    free(text);
}

/* Asserts that dir holds exactly the names in expected, waiting up to
 * wait_ms for it (history files of an AOF rewrite go in the background). */
static void ck_listing_within(const char *dir, const char *expected, int wait_ms)
{
    int64_t deadline = harness_clock_ms() + wait_ms;
    char *list = harness_list_dir(dir);
    while (list != NULL && strcmp(list, expected) != 0 && harness_clock_ms() < deadline) {
        harness_sleep_ms(20);
        free(list);
        list = harness_list_dir(dir);
    }
    ck_assert_ptr_nonnull(list);
    ck_assert_msg(strcmp(list, expected) == 0, "%s holds:\n%s\nexpected:\n%s", dir, list,
                  expected);
    free(list);
}

static void ck_listing(const char *dir, const char *expected)
{
    ck_listing_within(dir, expected, 0);
}

static void ck_info(struct conn *c, const char *field, const char *expected)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL && strcmp(v, expected) == 0, "%s: expected %s got %s", field,
                  expected, v != NULL ? v : "(absent)");
    free(v);
}

/* Waits until every field in fields (NULL-terminated) reads "0". */
static void wait_info_zero(struct conn *c, const char *const *fields)
{
    int64_t deadline = harness_clock_ms() + FAULT_CHILD_WAIT_MS;
    for (int i = 0; fields[i] != NULL; i++) {
        while (!conn_info_is(c, fields[i], "0")) {
            ck_assert_msg(harness_clock_ms() < deadline, "%s still not 0 after %d ms",
                          fields[i], FAULT_CHILD_WAIT_MS);
            harness_sleep_ms(10);
        }
    }
}

static void wait_bgsave(struct conn *c)
{
    static const char *const fields[] = {"rdb_bgsave_in_progress", NULL};
    wait_info_zero(c, fields);
}

static void wait_rewrite(struct conn *c)
{
    static const char *const fields[] = {"aof_rewrite_in_progress", "aof_rewrite_scheduled",
                                         NULL};
    wait_info_zero(c, fields);
}

static char *file_read(const char *dir, const char *name, size_t *len)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *bytes = harness_read_file(path, len);
    ck_assert_msg(bytes != NULL, "cannot read %s", path);
    return bytes;
}

static void ck_bytes_same(const char *dir, const char *name, const char *old, size_t old_len)
{
    size_t len;
    char *now = file_read(dir, name, &len);
    ck_assert_msg(len == old_len && memcmp(now, old, len) == 0,
                  "%s changed (%zu bytes, was %zu)", name, len, old_len);
    free(now);
}

static void ck_no_temp_file(const char *dir)
{
    char *list = harness_list_dir(dir);
    ck_assert_ptr_nonnull(list);
    ck_assert_msg(strstr(list, "temp-") == NULL, "temp file left in %s:\n%s", dir, list);
    free(list);
}

static char *digest(struct conn *c)
{
    char *d = conn_cmd(c, "debug digest");
    ck_assert_msg(d[0] == '+', "digest: %s", harness_escape(d));
    return d;
}

/* SET k:<i> for i in [first, first + count): keys that reach the AOF. */
static void set_keys(struct conn *c, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        char line[64];
        snprintf(line, sizeof(line), "set k:%d v%d", i, i);
        ck_cmd(c, line, "+OK\r\n");
    }
}

static void populate(struct conn *c)
{
    char line[64];
    snprintf(line, sizeof(line), "debug populate %d key %d", FAULT_POPULATE_KEYS,
             FAULT_VALUE_BYTES);
    ck_cmd(c, line, "+OK\r\n");
}

/* ---- The shim ---- */

/* Compares the log with expected, line by line. A '*' in an expected line
 * stands for the backup's unpredictable middle ("<pid>-<n>"). */
static void ck_log_lines(const struct fsfault *f, const char *const *expected)
{
    char *log = fsfault_log(f);
    char *save = NULL;
    char *line = strtok_r(log, "\n", &save);
    for (int i = 0; expected[i] != NULL; i++, line = strtok_r(NULL, "\n", &save)) {
        ck_assert_msg(line != NULL, "log ends before line %d (%s)", i, expected[i]);
        const char *star = strchr(expected[i], '*');
        size_t head = star != NULL ? (size_t)(star - expected[i]) : strlen(expected[i]);
        bool match = strncmp(line, expected[i], head) == 0;
        if (star != NULL) {
            size_t tail = strlen(star + 1);
            match = match && strlen(line) >= head + tail &&
                    strcmp(line + strlen(line) - tail, star + 1) == 0;
        } else {
            match = match && line[head] == '\0';
        }
        ck_assert_msg(match, "log line %d is \"%s\", expected \"%s\"", i, line, expected[i]);
    }
    ck_assert_msg(line == NULL, "unexpected log line \"%s\"", line);
    free(log);
}

/* Every kind of line, with absolute canonical paths: only creates of new
 * files, backups of what a rename replaces and an unlink removes, fsync
 * for both fsync and fdatasync of files and directories, *at calls
 * resolved through their descriptor. sync_file_range is not logged. */
START_TEST(test_shim_logs_each_operation)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir,
             "mkdir:d create:d/a write:b:hello rename:b:c write:c2:x rename:c2:c unlink:c "
             "fsync:. fdatasync:d truncate:d/a:0 creat:e openat:d:f sync_file_range:d/a "
             "create:d/a");
    char *expected[] = {
        text_printf("mkdir %s/d", real),
        text_printf("create %s/d/a", real),
        text_printf("create %s/b", real),
        text_printf("rename %s/b %s/c -", real, real),
        text_printf("create %s/c2", real),
        text_printf("rename %s/c2 %s/c %s/*-0-c", real, real, f.backup),
        text_printf("unlink %s/c %s/*-1-c", real, f.backup),
        text_printf("fsync %s", real),
        text_printf("fsync %s/d", real),
        text_printf("truncate %s/d/a 0", real),
        text_printf("create %s/e", real),
        text_printf("create %s/d/f", real),
        NULL,
    };
    ck_log_lines(&f, (const char *const *)expected);
    for (int i = 0; expected[i] != NULL; i++)
        free(expected[i]);
    /* The backups hold what was replaced ("hello") and removed ("x"). */
    char *backups = harness_list_dir(f.backup);
    ck_assert_ptr_nonnull(backups);
    char first[64], second[64];
    ck_assert_int_eq(sscanf(backups, "%63s\n%63s", first, second), 2);
    ck_file(f.backup, strstr(first, "-0-") != NULL ? first : second, "hello");
    ck_file(f.backup, strstr(first, "-1-") != NULL ? first : second, "x");
    free(backups);
}
END_TEST

/* Nothing was fsynced: every change goes, newest first, and the directory
 * is as it was. A file fsync does not make its name durable, and a
 * directory fsynced inside a new directory does not save that directory. */
START_TEST(test_power_cut_undoes_unsynced_changes)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir, "mkdir:sub create:sub/a write:b:x rename:b:c write:g:y fsync:g");
    ck_assert_int_eq(fsfault_power_cut(&f), 5);
    ck_listing(dir, "");

    fsfault_init(&f);
    probe_ok(&f, dir, "mkdir:sub create:sub/a fsync:sub");
    ck_assert_int_eq(fsfault_power_cut(&f), 1); /* the mkdir, and sub/a with it */
    ck_listing(dir, "");
}
END_TEST

/* Changes followed by an fsync of their directory stay; only what came
 * after the last fsync goes. */
START_TEST(test_power_cut_keeps_synced_changes)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir,
             "mkdir:sub write:sub/a:kept fsync:sub write:b:x rename:b:c fsync:. write:late:y");
    ck_assert_int_eq(fsfault_power_cut(&f), 1);
    ck_listing(dir, "c\nsub\n");
    ck_file(dir, "sub/a", "kept");
    ck_file(dir, "c", "x");
}
END_TEST

/* A rename over an existing file goes back and the old file returns; so
 * does an unlinked file. A rename between directories needs both fsynced. */
START_TEST(test_power_cut_restores_replaced_files)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir,
             "write:dump:old write:gone:keep mkdir:a mkdir:b write:a/f:moved fsync:a fsync:. "
             "write:tmp:new rename:tmp:dump unlink:gone rename:a/f:b/f fsync:b");
    /* create tmp, rename tmp->dump, unlink gone, rename a/f->b/f (a not fsynced) */
    ck_assert_int_eq(fsfault_power_cut(&f), 4);
    ck_listing(dir, "a\nb\ndump\ngone\n");
    ck_file(dir, "dump", "old");
    ck_file(dir, "gone", "keep");
    ck_file(dir, "a/f", "moved");
    ck_listing(f.backup, "");

    fsfault_init(&f);
    probe_ok(&f, dir, "rename:a/f:b/f fsync:b fsync:a");
    ck_assert_int_eq(fsfault_power_cut(&f), 0);
    ck_file(dir, "b/f", "moved");
}
END_TEST

/* Each op of the control file fails its calls with the errno, without
 * doing them (nothing is created, renamed or removed, nothing logged);
 * paths not matching the substring are untouched. */
START_TEST(test_rules_inject_errors)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir, "mkdir:sub write:old:x write:sub/v:y");
    fsfault_arm(&f, "create EIO blocked\n"
                    "fsync ENOSPC /sub\n"
                    "mkdir EROFS\n"
                    "unlink EPERM old\n"
                    "sync_file_range EIO\n"
                    "ftruncate EDQUOT\n"
                    "rename ENOMEM");
    int status;
    char *out = probe_run(&f, dir, &status,
                          "create:blocked create:free fsync:sub fdatasync:sub/v fsync:. "
                          "mkdir:m unlink:old sync_file_range:free truncate:free:0 "
                          "rename:free:other create:sub/v");
    ck_assert_int_eq(status, 1);
    ck_assert_str_eq(out, "create:blocked EIO\n"
                          "create:free ok\n"
                          "fsync:sub ENOSPC\n"
                          "fdatasync:sub/v ENOSPC\n"
                          "fsync:. ok\n"
                          "mkdir:m EROFS\n"
                          "unlink:old EPERM\n"
                          "sync_file_range:free EIO\n"
                          "truncate:free:0 EDQUOT\n"
                          "rename:free:other ENOMEM\n"
                          "create:sub/v ok\n");
    free(out);
    ck_listing(dir, "free\nold\nsub\n");
    char *log = fsfault_log(&f);
    char *tail = text_printf("create %s/free\nfsync %s\n", real, real);
    ck_assert_msg(strlen(log) >= strlen(tail) && strcmp(log + strlen(log) - strlen(tail), tail) == 0,
                  "log ends:\n%s\nexpected the tail:\n%s", log, tail);
    free(tail);
    free(log);

    fsfault_arm(&f, "");
    probe_ok(&f, dir, "create:blocked fsync:sub mkdir:m unlink:old rename:free:other");
}
END_TEST

/* "once" fails the first matching call of each process. A rule the shim
 * cannot read is ignored with a message; the rules around it still apply. */
START_TEST(test_rule_once_per_process)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    fsfault_arm(&f, "rename ENOSPC manifest once\nfrobnicate EIO\nfsync EWHATEVER\n"
                    "mkdir EIO x y z\nunlink EIO");
    int status;
    const char *steps = "write:m1:1 write:m2:2 rename:m1:manifest rename:m2:manifest unlink:m1";
    char *out = probe_run(&f, dir, &status, steps);
    ck_contains(out, "rename:m1:manifest ENOSPC\nrename:m2:manifest ok\nunlink:m1 EIO\n");
    ck_contains(out, "fsfault");
    ck_contains(out, "'frobnicate EIO'");
    ck_contains(out, "'fsync EWHATEVER'");
    ck_contains(out, "'mkdir EIO x y z'");
    free(out);
    out = probe_run(&f, dir, &status, "rename:m1:manifest rename:m1:manifest");
    ck_contains(out, "rename:m1:manifest ENOSPC\nrename:m1:manifest ok\n");
    free(out);
    ck_file(dir, "manifest", "1");
}
END_TEST

/* "=path" matches that path only (a directory, not the files in it), and
 * "skip=N" lets the first N matching calls through. */
START_TEST(test_rule_exact_path_and_skip)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    probe_ok(&f, dir, "mkdir:d write:d/f:1");
    char *rule = text_printf("fsync EIO =%s/d skip=1\n", real);
    fsfault_arm(&f, rule);
    free(rule);
    int status;
    char *out = probe_run(&f, dir, &status, "fsync:d/f fsync:d fsync:d/f fsync:d fsync:d");
    ck_contains(out, "fsync:d/f ok\nfsync:d ok\nfsync:d/f ok\nfsync:d EIO\nfsync:d EIO\n");
    free(out);
}
END_TEST

/* ---- The server under the shim ---- */

static const char *const save_args[] = {"--enable-debug-command", "yes", NULL};

/* SAVE writes a temp file, renames it onto dump.rdb and fsyncs the
 * directory, so a power cut right after the reply keeps dump.rdb. */
START_TEST(test_save_survives_power_cut)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    struct server_handle *h = server_start_in_env(server_binary(), dir, save_args, f.env);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set k v", "+OK\r\n");
    ck_cmd(c, "save", "+OK\r\n");
    conn_close(c);
    server_kill(h, SIGKILL);
    fsfault_power_cut(&f);
    char *log = fsfault_log(&f);
    char *rename_then_fsync = text_printf("%s/dump.rdb -\nfsync %s\n", real, real);
    ck_contains(log, rename_then_fsync);
    free(rename_then_fsync);
    free(log);
    h = server_start_in(server_binary(), dir, save_args);
    c = conn_open(h->port);
    conn_wait_loaded(c, FAULT_CHILD_WAIT_MS);
    ck_cmd(c, "get k", "$1\r\nv\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

static const char *const bgsave_args[] = {"--enable-debug-command", "yes", "--rdbcompression",
                                          "no", NULL};

/* A writeback error during BGSAVE (sync_file_range fails with EIO: Linux
 * reports a failed writeback once and forgets it, so the child's final
 * fdatasync, through the ring and out of the shim's reach, succeeds) fails
 * the save: status err, dump.rdb byte for byte the previous save's, no
 * temp file. Once the fault is gone the next BGSAVE works. */
START_TEST(test_bgsave_writeback_error_fails_save)
{
    if (!fault_ready())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    struct server_handle *h = server_start_in_env(server_binary(), dir, bgsave_args, f.env);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set before 1", "+OK\r\n");
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    size_t old_len;
    char *old = file_read(dir, "dump.rdb", &old_len);

    populate(c);
    fsfault_arm(&f, "sync_file_range EIO");
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave(c);
    ck_info(c, "rdb_last_bgsave_status", "err");
    ck_bytes_same(dir, "dump.rdb", old, old_len);
    ck_no_temp_file(dir);
    free(old);

    fsfault_arm(&f, "");
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* The two BASE formats a rewrite writes: an RDB, or RESP commands (which
 * the server streams without the RDB sink in between). */
static const struct {
    const char *preamble; /* aof-use-rdb-preamble */
    const char *base;     /* the BASE after the first rewrite */
} rewrite_bases[] = {
    {"yes", "appendonly.aof.2.base.rdb"},
    {"no", "appendonly.aof.2.base.aof"},
};

static void ck_manifest(const char *aof_dir, const char *expected)
{
    char *manifest = file_read(aof_dir, "appendonly.aof.manifest", NULL);
    ck_assert_msg(strcmp(manifest, expected) == 0, "manifest is:\n%s\nexpected:\n%s", manifest,
                  expected);
    free(manifest);
}

/* The same error during BGREWRITEAOF fails the rewrite, with either BASE
 * format: status err, and the manifest only gained the INCR the rewrite
 * opened when it started (as in Redis); the BASE and the earlier INCR are
 * byte for byte as they were and no temp file is left. A restart without
 * the fault loads every key: the keys DEBUG POPULATE made (which reach the
 * AOF only through a rewrite) from the BASE, the SETs from the INCRs. */
START_TEST(test_aof_rewrite_writeback_error_keeps_files)
{
    if (!fault_ready())
        return;
    const char *base_name = rewrite_bases[_i].base;
    const char *const args[] = {"--enable-debug-command", "yes", "--rdbcompression", "no",
                                "--appendonly", "yes", "--aof-use-rdb-preamble",
                                rewrite_bases[_i].preamble, NULL};
    struct fsfault f;
    fsfault_init(&f);
    char dir[256], real[PATH_MAX], aof_dir[PATH_MAX];
    fault_dir(dir, sizeof(dir), real);
    snprintf(aof_dir, sizeof(aof_dir), "%s/appendonlydir", dir);
    struct server_handle *h = server_start_in_env(server_binary(), dir, args, f.env);
    struct conn *c = conn_open(h->port);
    /* Each rewrite starts on an INCR that holds something, so it opens the
     * next one whether or not the server skips rotating an empty INCR. */
    set_keys(c, 0, FAULT_SET_KEYS);
    populate(c);
    ck_cmd(c, "bgrewriteaof", "+Background append only file rewriting started\r\n");
    wait_rewrite(c);
    ck_info(c, "aof_last_bgrewrite_status", "ok");
    set_keys(c, FAULT_SET_KEYS, FAULT_SET_KEYS);
    char *listing = text_printf("%s\nappendonly.aof.2.incr.aof\nappendonly.aof.manifest\n",
                                base_name);
    ck_listing_within(aof_dir, listing, FAULT_HISTORY_WAIT_MS);
    free(listing);
    char *manifest = text_printf("file %s seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
                                 base_name);
    ck_manifest(aof_dir, manifest);
    size_t base_len, incr_len;
    char *base = file_read(aof_dir, base_name, &base_len);
    char *incr = file_read(aof_dir, "appendonly.aof.2.incr.aof", &incr_len);

    fsfault_arm(&f, "sync_file_range EIO");
    ck_cmd(c, "bgrewriteaof", "+Background append only file rewriting started\r\n");
    wait_rewrite(c);
    ck_info(c, "aof_last_bgrewrite_status", "err");
    char *grown = text_printf("%sfile appendonly.aof.3.incr.aof seq 3 type i\n", manifest);
    ck_manifest(aof_dir, grown);
    free(grown);
    free(manifest);
    ck_bytes_same(aof_dir, base_name, base, base_len);
    ck_bytes_same(aof_dir, "appendonly.aof.2.incr.aof", incr, incr_len);
    listing = text_printf("%s\nappendonly.aof.2.incr.aof\nappendonly.aof.3.incr.aof\n"
                          "appendonly.aof.manifest\n", base_name);
    ck_listing(aof_dir, listing);
    free(listing);
    ck_no_temp_file(dir);
    free(base);
    free(incr);

    fsfault_arm(&f, "");
    set_keys(c, 2 * FAULT_SET_KEYS, FAULT_SET_KEYS);
    char *before = digest(c);
    conn_close(c);
    server_stop(h);
    h = server_start_in(server_binary(), dir, args);
    c = conn_open(h->port);
    conn_wait_loaded(c, FAULT_CHILD_WAIT_MS);
    char *after = digest(c);
    ck_assert_str_eq(after, before);
    char dbsize[32];
    snprintf(dbsize, sizeof(dbsize), ":%d\r\n", FAULT_POPULATE_KEYS + 3 * FAULT_SET_KEYS);
    ck_cmd(c, "dbsize", dbsize);
    free(before);
    free(after);
    conn_close(c);
    server_stop(h);
}
END_TEST

static Suite *fault_suite(void)
{
    Suite *s = suite_create("fault");
    TCase *shim = tcase_create("shim");
    tcase_add_test(shim, test_shim_logs_each_operation);
    tcase_add_test(shim, test_power_cut_undoes_unsynced_changes);
    tcase_add_test(shim, test_power_cut_keeps_synced_changes);
    tcase_add_test(shim, test_power_cut_restores_replaced_files);
    tcase_add_test(shim, test_rules_inject_errors);
    tcase_add_test(shim, test_rule_once_per_process);
    tcase_add_test(shim, test_rule_exact_path_and_skip);
    suite_add_tcase(s, shim);
    TCase *server = tcase_create("server");
    tcase_set_timeout(server, 180);
    tcase_add_test(server, test_save_survives_power_cut);
    tcase_add_test(server, test_bgsave_writeback_error_fails_save);
    tcase_add_loop_test(server, test_aof_rewrite_writeback_error_keeps_files, 0,
                        sizeof(rewrite_bases) / sizeof(rewrite_bases[0]));
    suite_add_tcase(s, server);
    return s;
}

int main(void)
{
    return harness_run_suite(fault_suite());
}
