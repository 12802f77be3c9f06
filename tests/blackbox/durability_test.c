/* durability_test.c: nothing acknowledged is ever lost, under faults.
 *
 * Each test pins one defect of issue 10 (the review of the persistence
 * code) and fails on the code before its fix. Faults come from two places:
 *   - the filesystem shim (tests/fault/fsfault.c, LD_PRELOAD): failing
 *     libc calls (fsync of a directory, creating a file) and a power cut
 *     that undoes every directory change no later directory fsync made
 *     durable (POSIX's strict rule);
 *   - DEBUG RINGKV-AOF-FAULT, which fails the AOF writer's ring operations
 *     (writes, fdatasyncs) that never pass through libc.
 * All of these are ringkv behaviours (Redis exits on an AOF fsync error and
 * has the switch-on and directory defects), so the tests skip against
 * redis-server. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define AOF_DIR "appendonlydir"
/* How long a reply that must not come is waited for. */
#define HELD_WAIT_MS 1500
/* How long a rewrite, a recovery or a rebuild may take. */
#define SETTLE_WAIT_MS 15000
/* Power-cut cycles (RINGKV_POWER_CUT_CYCLES overrides, for long runs) and
 * acknowledged writes per phase of one cycle. */
#define POWER_CUT_CYCLES 20
#define POWER_CUT_WRITES 40

/* DEBUG allowed, the AOF on or off, the given fsync policy. */
static struct server_args args_aof(const char *appendonly, const char *fsync_policy)
{
    struct server_args a = {.n = 0};
    server_args_add(&a, "--enable-debug-command", "yes");
    server_args_add(&a, "--appendonly", appendonly);
    server_args_add(&a, "--appendfsync", fsync_policy);
    return a;
}

static bool skip_unless_ringkv_with_shim(void)
{
    if (server_is_redis())
        return true;
    if (!fsfault_available()) {
        fprintf(stderr, "durability_test: the fsfault shim is not built; skipped\n");
        return true;
    }
    return false;
}

static void cmd_ok(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] != '-', "%s: %s", line, harness_escape(reply));
    free(reply);
}

/* Waits until no rewrite runs or is scheduled. */
static void wait_rewrite_idle(struct conn *c)
{
    int64_t deadline = harness_clock_ms() + SETTLE_WAIT_MS;
    while (!(conn_info_is(c, "aof_rewrite_in_progress", "0") &&
             conn_info_is(c, "aof_rewrite_scheduled", "0"))) {
        ck_assert_msg(harness_clock_ms() < deadline, "the rewrite did not end");
        harness_sleep_ms(20);
    }
}

/* Asserts that the reply to a command sent earlier on c is expected and
 * arrives within timeout_ms; what names it in the failure message. */
static void expect_reply_within(struct conn *c, const char *expected, int timeout_ms,
                                const char *what)
{
    char *reply = conn_try_read_raw(c, timeout_ms);
    ck_assert_msg(reply != NULL && strcmp(reply, expected) == 0, "%s: %s", what,
                  harness_escape(reply));
    free(reply);
}

/* Waits until INFO's field shows value, within SETTLE_WAIT_MS. */
static void wait_info_is(struct conn *c, const char *field, const char *value)
{
    int64_t deadline = harness_clock_ms() + SETTLE_WAIT_MS;
    while (!conn_info_is(c, field, value)) {
        ck_assert_msg(harness_clock_ms() < deadline, "%s never became %s", field, value);
        harness_sleep_ms(10);
    }
}

/* Sends SET key value and reads the reply within timeout_ms; whether it
 * was acknowledged (+OK). Any other reply fails the test. */
static bool set_acked(struct conn *c, const char *key, const char *value, int timeout_ms)
{
    const char *argv[] = {"set", key, value};
    conn_send_argv(c, 3, argv, NULL);
    char *reply = conn_try_read_raw(c, timeout_ms);
    bool ok = reply != NULL && strcmp(reply, "+OK\r\n") == 0;
    ck_assert_msg(reply == NULL || ok, "SET %s: %s", key, harness_escape(reply));
    free(reply);
    return ok;
}

static void expect_value(struct conn *c, const char *key, const char *value)
{
    const char *argv[] = {"get", key};
    char *reply = conn_cmd_argv(c, 2, argv, NULL);
    char expected[256];
    if (value != NULL)
        snprintf(expected, sizeof(expected), "$%zu\r\n%s\r\n", strlen(value), value);
    else
        snprintf(expected, sizeof(expected), "$-1\r\n");
    ck_assert_msg(strcmp(reply, expected) == 0, "GET %s: %s, expected %s", key,
                  harness_escape(reply), harness_escape(expected));
    free(reply);
}

/* SIGKILLs the server, then starts it again in the same directory with
 * args (no shim). */
static struct server_handle *crash_and_restart(struct server_handle *h, const char *dir,
                                               const struct server_args *a)
{
    server_kill(h, SIGKILL);
    return server_start_in(server_binary(), dir, a->v);
}

/* Counts the names in <dir>/appendonlydir ending with suffix. */
static int aof_files_ending(const char *dir, const char *suffix)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, AOF_DIR);
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "opendir %s: %s", path, strerror(errno));
    int n = 0;
    size_t sl = strlen(suffix);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        n += len >= sl && strcmp(e->d_name + len - sl, suffix) == 0;
    }
    closedir(d);
    return n;
}

/* ---- defect 2: CONFIG SET appendonly yes ---- */

/* Under always, a write made while the first rewrite cannot finish is named
 * by no manifest: its reply (and a read's that could show it) must wait.
 * Before the fix the SET got +OK and was gone after a crash. */
START_TEST(test_switch_on_holds_replies_until_first_base)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args off = args_aof("no", "always");
    struct server_handle *h = server_start_in_env(server_binary(), dir, off.v, f.env);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "debug populate 1000");
    fsfault_arm(&f, "create ENOSPC temp-rewriteaof\n"); /* every rewrite fails */
    ck_cmd(c, "config set appendonly yes", "+OK\r\n");
    struct conn *w = conn_open(h->port);
    bool acked = set_acked(w, "acked", "v1", HELD_WAIT_MS);
    ck_assert_msg(!acked, "SET acknowledged before any manifest names its INCR");
    struct conn *r = conn_open(h->port);
    conn_send(r, "get acked");
    char *read = conn_try_read_raw(r, 300);
    ck_assert_msg(read == NULL, "a read showed an unacknowledged write: %s", harness_escape(read));
    conn_close(r);
    conn_close(w);
    conn_close(c);
    struct server_args on = args_aof("yes", "always");
    h = crash_and_restart(h, dir, &on);
    c = conn_open(h->port);
    /* Nothing was acknowledged; what the restart shows must be a state
     * the server really had: no AOF yet, so the (empty) RDB state. */
    ck_cmd(c, "dbsize", ":0\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Once the first base is installed the held reply leaves, and the write
 * survives a crash. */
START_TEST(test_switch_on_releases_after_first_base)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args off = args_aof("no", "always");
    struct server_handle *h = server_start_in_env(server_binary(), dir, off.v, f.env);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "debug populate 1000");
    fsfault_arm(&f, "create ENOSPC temp-rewriteaof\n");
    ck_cmd(c, "config set appendonly yes", "+OK\r\n");
    struct conn *w = conn_open(h->port);
    ck_assert(!set_acked(w, "acked", "v1", HELD_WAIT_MS));
    fsfault_arm(&f, "");
    expect_reply_within(w, "+OK\r\n", SETTLE_WAIT_MS, "held SET");
    ck_assert(conn_info_is(c, "aof_enabled", "1"));
    ck_assert(set_acked(w, "after", "v2", HARNESS_READ_TIMEOUT_MS));
    conn_close(w);
    conn_close(c);
    struct server_args on = args_aof("yes", "always");
    h = crash_and_restart(h, dir, &on);
    c = conn_open(h->port);
    expect_value(c, "acked", "v1");
    expect_value(c, "after", "v2");
    ck_cmd(c, "dbsize", ":1002\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* yes -> no -> yes: the AOF left from before the switch off misses the
 * deletions made since; a crash during the first rewrite must not load it
 * (the key came back before the fix). */
START_TEST(test_switch_on_again_never_loads_outdated_aof)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args on = args_aof("yes", "always");
    struct server_handle *h = server_start_in_env(server_binary(), dir, on.v, f.env);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set gone 1");
    ck_cmd(c, "config set appendonly no", "+OK\r\n");
    ck_cmd(c, "del gone", ":1\r\n");
    fsfault_arm(&f, "create ENOSPC temp-rewriteaof\n");
    ck_cmd(c, "config set appendonly yes", "+OK\r\n");
    harness_sleep_ms(300);
    conn_close(c);
    h = crash_and_restart(h, dir, &on);
    c = conn_open(h->port);
    expect_value(c, "gone", NULL);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- defect 4: start-up makes the AOF durable before serving ---- */

/* Starts an AOF server in dir, writes, and SIGKILLs it (under everysec
 * the INCR's last bytes may be only in the page cache). */
static void leave_killed_aof(const char *dir)
{
    struct server_args a = args_aof("yes", "everysec");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set k v");
    conn_close(c);
    server_kill(h, SIGKILL);
}

START_TEST(test_startup_fsyncs_every_aof_file)
{
    if (skip_unless_ringkv_with_shim())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    leave_killed_aof(dir);
    struct fsfault f;
    fsfault_init(&f);
    struct server_args a = args_aof("yes", "always");
    struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
    char real[PATH_MAX];
    ck_assert(realpath(dir, real) != NULL);
    char *log = fsfault_log(&f);
    const char *names[] = {"/appendonly.aof.1.base.rdb\n", "/appendonly.aof.1.incr.aof\n",
                           "/appendonly.aof.manifest\n", "\n"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char line[PATH_MAX + 64];
        snprintf(line, sizeof(line), "fsync %s/%s%s", real, AOF_DIR, names[i]);
        ck_assert_msg(strstr(log, line) != NULL, "no '%s' at start-up in:\n%s",
                      harness_escape(line), log);
    }
    free(log);
    struct conn *c = conn_open(h->port);
    expect_value(c, "k", "v");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* An fsync that fails at start-up means the bytes may not be on disk:
 * refuse to serve them (the old code never synced, so it started). */
START_TEST(test_startup_refuses_when_fsync_fails)
{
    if (skip_unless_ringkv_with_shim())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    leave_killed_aof(dir);
    struct fsfault f;
    fsfault_init(&f);
    fsfault_arm(&f, "fsync EIO appendonly.aof.1.incr.aof\n");
    struct server_args a = args_aof("yes", "always");
    int status = 0;
    struct server_handle *h =
        server_try_start_in_env(server_binary(), dir, a.v, f.env, &status);
    if (h != NULL)
        server_stop(h);
    ck_assert_msg(h == NULL, "started although the AOF could not be fsynced");
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) != 0);
}
END_TEST

/* ---- defect 6: directory entries across a power cut ---- */

/* Acknowledged SETs of <prefix>:<i>, i < POWER_CUT_WRITES. */
static void write_acked(struct conn *c, const char *prefix)
{
    for (int i = 0; i < POWER_CUT_WRITES; i++) {
        char key[64];
        snprintf(key, sizeof(key), "%s:%d", prefix, i);
        ck_assert_msg(set_acked(c, key, key, HARNESS_READ_TIMEOUT_MS), "SET %s", key);
    }
}

static void verify_acked(struct conn *c, const char *prefix)
{
    for (int i = 0; i < POWER_CUT_WRITES; i++) {
        char key[64];
        snprintf(key, sizeof(key), "%s:%d", prefix, i);
        expect_value(c, key, key);
    }
}

/* Under always, writes acknowledged on a fresh data directory, then around
 * rewrites, survive a power cut that keeps only fsynced directory entries.
 * Before the fix appendonlydir itself was never fsynced into its parent:
 * every cycle lost everything. */
START_TEST(test_power_cut_keeps_acknowledged_writes)
{
    if (skip_unless_ringkv_with_shim())
        return;
    const char *env = getenv("RINGKV_POWER_CUT_CYCLES");
    int cycles = env != NULL && atoi(env) > 0 ? atoi(env) : POWER_CUT_CYCLES;
    for (int cycle = 0; cycle < cycles; cycle++) {
        struct fsfault f;
        fsfault_init(&f);
        char dir[256];
        harness_make_dir(dir, sizeof(dir));
        struct server_args a = args_aof("yes", "always");
        struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
        struct conn *c = conn_open(h->port);
        write_acked(c, "first");
        if (cycle % 2 == 1) {
            cmd_ok(c, "bgrewriteaof");
            wait_rewrite_idle(c);
            write_acked(c, "second");
        }
        if (cycle >= 2) {
            ck_cmd(c, "config set appendonly no", "+OK\r\n");
            ck_cmd(c, "config set appendonly yes", "+OK\r\n");
            wait_rewrite_idle(c);
            write_acked(c, "third");
        }
        conn_close(c);
        server_kill(h, SIGKILL);
        int undone = fsfault_power_cut(&f);
        h = server_start_in(server_binary(), dir, a.v);
        c = conn_open(h->port);
        verify_acked(c, "first");
        if (cycle % 2 == 1)
            verify_acked(c, "second");
        if (cycle >= 2)
            verify_acked(c, "third");
        conn_close(c);
        server_stop(h);
        (void)undone;
    }
}
END_TEST

/* ---- defect 8: a manifest whose persist failed may be the one on disk ---- */

/* Fails the fsyncs of appendonlydir itself (exactly, not the files in it),
 * after skip successful ones. */
static void arm_aof_dir_fsync(const struct fsfault *f, const char *dir, int skip)
{
    char real[PATH_MAX];
    ck_assert(realpath(dir, real) != NULL);
    char rule[PATH_MAX + 64];
    snprintf(rule, sizeof(rule), "fsync EIO =%s/%s skip=%d\n", real, AOF_DIR, skip);
    fsfault_arm(f, rule);
}

/* The directory fsync after the manifest's rename fails at the start of a
 * rewrite: the rename may be on disk, so the new INCR it names must stay.
 * Before the fix it was unlinked and the next start refused ("can't open
 * the append log file"). */
START_TEST(test_failed_dir_fsync_at_rotation_keeps_files)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "always");
    struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    arm_aof_dir_fsync(&f, dir, 0);
    char *reply = conn_cmd(c, "bgrewriteaof");
    free(reply); /* refused now, or failing later: either way nothing is lost */
    wait_rewrite_idle(c);
    ck_assert(set_acked(c, "b", "2", HARNESS_READ_TIMEOUT_MS));
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    expect_value(c, "b", "2");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* The same at each later directory fsync of a rewrite: skip 1 fails the
 * rotation's manifest, 2 the new base's rename, 3 the installed manifest
 * (its rename may be on disk: the old code then unlinked the base it
 * names), 4 the manifest that drops the history. Whatever fails, the next
 * start finds every file the manifest on disk names, and every key. */
START_TEST(test_failed_dir_fsync_at_install_keeps_files)
{
    if (skip_unless_ringkv_with_shim())
        return;
    for (int skip = 1; skip <= 4; skip++) {
        struct fsfault f;
        fsfault_init(&f);
        char dir[256];
        harness_make_dir(dir, sizeof(dir));
        struct server_args a = args_aof("yes", "always");
        struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
        struct conn *c = conn_open(h->port);
        for (int i = 0; i < 100; i++) {
            char key[32];
            snprintf(key, sizeof(key), "k:%d", i);
            ck_assert(set_acked(c, key, "v", HARNESS_READ_TIMEOUT_MS));
        }
        cmd_ok(c, "set a 1");
        arm_aof_dir_fsync(&f, dir, skip);
        char *reply = conn_cmd(c, "bgrewriteaof");
        free(reply);
        wait_rewrite_idle(c);
        ck_assert(set_acked(c, "b", "2", HARNESS_READ_TIMEOUT_MS));
        conn_close(c);
        h = crash_and_restart(h, dir, &a);
        c = conn_open(h->port);
        expect_value(c, "a", "1");
        expect_value(c, "b", "2");
        ck_cmd(c, "dbsize", ":102\r\n");
        conn_close(c);
        server_stop(h);
    }
}
END_TEST

/* ---- defect 9: CONFIG SET appendfsync while the disk fails ---- */

/* everysec -> always during a write error: after the disk recovers, the
 * writer must run under always (before the fix it kept everysec, and every
 * reply, reads too, hung waiting for a durability that never came). */
START_TEST(test_policy_to_always_during_error)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "everysec");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    ck_cmd(c, "debug ringkv-aof-fault write EIO", "+OK\r\n");
    struct conn *w = conn_open(h->port);
    /* The write that fails: its reply waits for the retry. */
    ck_assert(!set_acked(w, "b", "2", HELD_WAIT_MS));
    wait_info_is(c, "aof_last_write_status", "err");
    ck_cmd_prefix(c, "set c 3", "-MISCONF");
    conn_send(c, "config set appendfsync always");
    conn_send(c, "debug ringkv-aof-fault off");
    expect_reply_within(c, "+OK\r\n", SETTLE_WAIT_MS, "CONFIG SET");
    expect_reply_within(c, "+OK\r\n", SETTLE_WAIT_MS, "DEBUG");
    expect_reply_within(w, "+OK\r\n", SETTLE_WAIT_MS, "held SET b");
    conn_close(w);
    wait_info_is(c, "aof_last_write_status", "ok");
    ck_assert(set_acked(c, "d", "4", 5000));
    conn_send(c, "get d");
    expect_reply_within(c, "$1\r\n4\r\n", 5000, "GET d");
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    expect_value(c, "b", "2");
    expect_value(c, "d", "4");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* always -> everysec during a write error: a reply held under always keeps
 * its promise (before the fix the switch released it with its write on no
 * disk). */
START_TEST(test_policy_from_always_keeps_held_replies)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "always");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    ck_cmd(c, "debug ringkv-aof-fault write EIO", "+OK\r\n");
    struct conn *w = conn_open(h->port);
    ck_assert_msg(!set_acked(w, "x", "1", HELD_WAIT_MS), "SET acknowledged with its write failing");
    conn_send(c, "config set appendfsync everysec");
    char *reply = conn_try_read_raw(w, HELD_WAIT_MS);
    ck_assert_msg(reply == NULL, "the switch released a reply whose write failed: %s",
                  harness_escape(reply));
    conn_send(c, "debug ringkv-aof-fault off");
    expect_reply_within(w, "+OK\r\n", SETTLE_WAIT_MS, "held SET");
    conn_close(w);
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "x", "1");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- everysec: the replies of a batch whose write failed ---- */

/* Under everysec a reply leaves once its bytes are written, so a kill of
 * the process loses nothing acknowledged. When the write fails, the replies
 * waiting for it must wait for the retry too (before: they were released
 * with their bytes only in the server's memory); other clients' reads go
 * on being served and new writes are refused. */
START_TEST(test_everysec_failed_write_holds_its_replies)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "everysec");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    ck_cmd(c, "debug ringkv-aof-fault write EIO", "+OK\r\n");
    struct conn *w = conn_open(h->port);
    ck_assert_msg(!set_acked(w, "x", "1", HELD_WAIT_MS), "SET acknowledged with its write failing");
    ck_cmd(c, "get a", "$1\r\n1\r\n");
    ck_cmd_prefix(c, "set y 2", "-MISCONF");
    ck_cmd(c, "debug ringkv-aof-fault off", "+OK\r\n");
    expect_reply_within(w, "+OK\r\n", SETTLE_WAIT_MS, "held SET");
    conn_close(w);
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    expect_value(c, "x", "1");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- defect 10: a failed fsync under no ---- */

/* Under no the writer releases bytes once written, so after a failed fsync
 * it cannot write them again: the AOF is rebuilt by a rewrite and writes
 * are accepted again (before the fix: MISCONF forever). */
START_TEST(test_no_policy_failed_fsync_rebuilds)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "no");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "debug populate 500");
    cmd_ok(c, "set a 1");
    ck_cmd(c, "debug ringkv-aof-fault fsync EIO 0 1", "+OK\r\n");
    char *reply = conn_cmd(c, "bgrewriteaof"); /* its rotation's fsync fails */
    free(reply);
    int64_t deadline = harness_clock_ms() + SETTLE_WAIT_MS;
    for (;;) {
        reply = conn_cmd(c, "set b 2");
        bool ok = strcmp(reply, "+OK\r\n") == 0;
        ck_assert_msg(ok || strncmp(reply, "-MISCONF", 8) == 0, "%s", harness_escape(reply));
        free(reply);
        if (ok)
            break;
        ck_assert_msg(harness_clock_ms() < deadline, "writes still refused after %d ms",
                      SETTLE_WAIT_MS);
        harness_sleep_ms(50);
    }
    ck_assert(conn_info_is(c, "aof_last_write_status", "ok"));
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    expect_value(c, "b", "2");
    ck_cmd(c, "dbsize", ":502\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- defect 5: the writer moves to a new INCR without allocating ---- */

/* The server's virtual size in bytes (VmSize). */
static long long process_vm_bytes(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long long kb = -1;
    char line[256];
    while (kb < 0 && fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmSize:", 7) == 0)
            kb = strtoll(line + 7, NULL, 10);
    }
    fclose(f);
    ck_assert_int_gt(kb, 0);
    return kb * 1024;
}

/* A rewrite starts a new INCR. Before the fix that re-created the writer,
 * mapping a new 64 MB buffer; when that failed (here: an address-space
 * limit) the AOF stayed on but logged nothing, and the next SET was
 * acknowledged and lost. Now the writer moves over without allocating, and
 * a write the server acknowledges survives a crash. */
START_TEST(test_rotation_needs_no_new_buffer)
{
#ifdef RINGKV_SANITIZE
    return; /* the sanitizer's shadow memory makes an address-space limit meaningless */
#endif
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "always");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    struct rlimit old;
    ck_assert_int_eq(prlimit(h->pid, RLIMIT_AS, NULL, &old), 0);
    /* Below today's size: nothing new can be mapped, even after unmapping
     * the writer's old buffer (the old code then mapped a new one). */
    struct rlimit limit = {.rlim_cur = (rlim_t)(process_vm_bytes(h->pid) - (32 << 20)),
                           .rlim_max = old.rlim_max};
    ck_assert_int_eq(prlimit(h->pid, RLIMIT_AS, &limit, NULL), 0);
    char *reply = conn_cmd(c, "bgrewriteaof"); /* the child may fail: not the point */
    free(reply);
    wait_rewrite_idle(c);
    reply = conn_cmd(c, "set b 2");
    bool acked = strcmp(reply, "+OK\r\n") == 0;
    ck_assert_msg(acked || strncmp(reply, "-MISCONF", 8) == 0, "SET b: %s", harness_escape(reply));
    free(reply);
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    if (acked)
        expect_value(c, "b", "2");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- also: failed rewrites do not pile up INCR files ---- */

START_TEST(test_failed_rewrites_reuse_empty_incr)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "everysec");
    struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    fsfault_arm(&f, "create ENOSPC temp-rewriteaof\n");
    for (int i = 0; i < 5; i++) {
        char *reply = conn_cmd(c, "bgrewriteaof");
        free(reply);
        wait_rewrite_idle(c);
    }
    ck_assert(conn_info_is(c, "aof_last_bgrewrite_status", "err"));
    int incrs = aof_files_ending(dir, ".incr.aof");
    ck_assert_msg(incrs <= 2, "%d INCR files after 5 failed rewrites", incrs);
    fsfault_arm(&f, "");
    conn_close(c);
    h = crash_and_restart(h, dir, &a);
    c = conn_open(h->port);
    expect_value(c, "a", "1");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- also: the AOF base follows aof-rewrite-incremental-fsync ---- */

/* The rewrite child's incremental writeback (sync_file_range every few MB)
 * is aof-rewrite-incremental-fsync's, not rdb-save-incremental-fsync's as it
 * was. A writeback error injected into sync_file_range shows which one ran. */
START_TEST(test_aof_base_follows_its_own_incremental_fsync)
{
    if (skip_unless_ringkv_with_shim())
        return;
    struct fsfault f;
    fsfault_init(&f);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("yes", "everysec");
    server_args_add(&a, "--aof-rewrite-incremental-fsync", "no");
    server_args_add(&a, "--rdb-save-incremental-fsync", "yes");
    server_args_add(&a, "--rdbcompression", "no");
    struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
    struct conn *c = conn_open(h->port);
    /* About 22 MB: more than the child's 8 MB buffer plus a 4 MB writeback
     * window, so the writeback runs however slowly the disk completes. */
    cmd_ok(c, "debug populate 80000 key 256");
    fsfault_arm(&f, "sync_file_range EIO\n");
    cmd_ok(c, "bgrewriteaof");
    wait_rewrite_idle(c);
    ck_assert_msg(conn_info_is(c, "aof_last_bgrewrite_status", "ok"),
                  "the rewrite ran a writeback that aof-rewrite-incremental-fsync no turns off");
    ck_cmd(c, "config set aof-rewrite-incremental-fsync yes", "+OK\r\n");
    ck_cmd(c, "bgrewriteaof", "+Background append only file rewriting started\r\n");
    wait_rewrite_idle(c);
    ck_assert(conn_info_is(c, "aof_last_bgrewrite_status", "err"));
    conn_close(c);
    server_stop(h);
}
END_TEST

Suite *durability_suite(void)
{
    Suite *s = suite_create("durability");
    TCase *t = tcase_create("switch_on");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_switch_on_holds_replies_until_first_base);
    tcase_add_test(t, test_switch_on_releases_after_first_base);
    tcase_add_test(t, test_switch_on_again_never_loads_outdated_aof);
    suite_add_tcase(s, t);
    t = tcase_create("startup");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_startup_fsyncs_every_aof_file);
    tcase_add_test(t, test_startup_refuses_when_fsync_fails);
    suite_add_tcase(s, t);
    t = tcase_create("directories");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, test_power_cut_keeps_acknowledged_writes);
    tcase_add_test(t, test_failed_dir_fsync_at_rotation_keeps_files);
    tcase_add_test(t, test_failed_dir_fsync_at_install_keeps_files);
    suite_add_tcase(s, t);
    t = tcase_create("ring_faults");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_policy_to_always_during_error);
    tcase_add_test(t, test_policy_from_always_keeps_held_replies);
    tcase_add_test(t, test_everysec_failed_write_holds_its_replies);
    tcase_add_test(t, test_no_policy_failed_fsync_rebuilds);
    tcase_add_test(t, test_failed_rewrites_reuse_empty_incr);
    tcase_add_test(t, test_rotation_needs_no_new_buffer);
    tcase_add_test(t, test_aof_base_follows_its_own_incremental_fsync);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return harness_run_suite(durability_suite());
}
