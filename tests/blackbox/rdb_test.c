/* rdb_test.c: SAVE, BGSAVE, SHUTDOWN SAVE and start-up loading, end to end.
 *
 * Each test writes every type (with TTLs, in two databases), saves, starts a
 * new server on the same directory and compares DEBUG DIGEST, which covers
 * every key, value and expiry flag. The cross checks run the real
 * redis-server 7.0.15 and redis-check-rdb on our file and load theirs: the
 * digests are identical across the two servers by design. A BGSAVE child
 * encoding with several threads is checked the same ways. */
#define _GNU_SOURCE /* memmem */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"
#define REDIS_CHECK_RDB "/usr/bin/redis-check-rdb"
/* How long a BGSAVE may take before a test gives up on it. */
#define BGSAVE_WAIT_MS 20000
/* Members of the collections large enough for the big encodings. */
#define BIG_COLLECTION 300
/* Keys (MSET batches of MSET_PAIRS) for the test that kills a child. */
#define KILL_TEST_BATCHES 400
#define MSET_PAIRS 1000

static const char *const debug_args[] = {"--enable-debug-command", "yes", NULL};

static bool redis_available(void)
{
    return access(REDIS_SERVER, X_OK) == 0 && access(REDIS_CHECK_RDB, X_OK) == 0;
}

/* Adds n members/fields to key with the given command ("sadd", "zadd",
 * "hset", "rpush"), in one call. */
static void fill_big(struct conn *c, const char *cmd, const char *key, int n)
{
    int argc = 2 + n * 2;
    const char **argv = calloc((size_t)argc, sizeof(*argv));
    char (*words)[32] = calloc((size_t)n * 2, 32);
    ck_assert_ptr_nonnull(argv);
    argv[0] = cmd;
    argv[1] = key;
    int k = 2;
    bool pairs = strcmp(cmd, "zadd") == 0 || strcmp(cmd, "hset") == 0;
    for (int i = 0; i < n; i++) {
        if (pairs) {
            snprintf(words[2 * i], 32, strcmp(cmd, "zadd") == 0 ? "%d.5" : "field%d", i);
            argv[k++] = words[2 * i];
        }
        snprintf(words[2 * i + 1], 32, "member-%d", i);
        argv[k++] = words[2 * i + 1];
    }
    char *reply = conn_cmd_argv(c, k, argv, NULL);
    ck_assert_msg(reply[0] == ':', "%s: %s", cmd, harness_escape(reply));
    free(reply);
    free(words);
    free(argv);
}

static void load_every_type(struct conn *c)
{
    ck_cmd(c, "set s1 hello", "+OK\r\n");
    ck_cmd(c, "set n1 12345", "+OK\r\n");
    ck_cmd(c, "set raw1 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "+OK\r\n");
    ck_cmd(c, "expire s1 1000", ":1\r\n");
    ck_cmd(c, "rpush list a b c 1 2", ":5\r\n");
    ck_cmd(c, "hset h f1 v1 f2 v2", ":2\r\n");
    ck_cmd(c, "pexpire h 500000", ":1\r\n");
    ck_cmd(c, "sadd si 1 2 3", ":3\r\n");
    ck_cmd(c, "sadd ss a b c", ":3\r\n");
    ck_cmd(c, "zadd z 1 a 2.5 b", ":2\r\n");
    fill_big(c, "sadd", "bigset", BIG_COLLECTION);
    fill_big(c, "zadd", "bigzset", BIG_COLLECTION);
    fill_big(c, "hset", "bighash", BIG_COLLECTION);
    fill_big(c, "rpush", "biglist", BIG_COLLECTION);
    ck_cmd(c, "expire bigzset 3000", ":1\r\n");
    ck_cmd(c, "select 1", "+OK\r\n");
    ck_cmd(c, "set d1 x ex 2000", "+OK\r\n");
    ck_cmd(c, "rpush l1 x", ":1\r\n");
    ck_cmd(c, "select 0", "+OK\r\n");
}

static char *digest(struct server_handle *h)
{
    struct conn *c = conn_open(h->port);
    /* DEBUG is served while loading, as in Redis: wait for the whole file. */
    conn_wait_loaded(c, BGSAVE_WAIT_MS);
    char *d = conn_cmd(c, "debug digest");
    conn_close(c);
    ck_assert_msg(d[0] == '+', "digest: %s", harness_escape(d));
    ck_assert_str_ne(d, "+0000000000000000000000000000000000000000\r\n");
    return d;
}

static void wait_bgsave_done(struct conn *c)
{
    for (int waited = 0; waited < BGSAVE_WAIT_MS; waited += 10) {
        if (conn_info_is(c, "rdb_bgsave_in_progress", "0"))
            return;
        usleep(10 * 1000);
    }
    ck_abort_msg("BGSAVE did not finish within %d ms", BGSAVE_WAIT_MS);
}

static void ck_info(struct conn *c, const char *field, const char *expected)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL && strcmp(v, expected) == 0, "%s: expected %s got %s", field,
                  expected, v != NULL ? v : "(absent)");
    free(v);
}

/* Starts the binary under test in dir, checks the digest is expected. */
static void restart_and_compare(const char *dir, const char *expected)
{
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    char *d = digest(h);
    ck_assert_str_eq(d, expected);
    free(d);
    struct conn *c = conn_open(h->port);
    char *ttl = conn_cmd(c, "ttl s1");
    ck_assert_msg(ttl[0] == ':' && atoi(ttl + 1) > 900, "ttl s1: %s", harness_escape(ttl));
    free(ttl);
    conn_close(c);
    server_stop(h);
}

START_TEST(test_save_then_restart)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    char *before = digest(h);
    ck_cmd(c, "save", "+OK\r\n");
    ck_info(c, "rdb_changes_since_last_save", "0");
    ck_info(c, "rdb_last_bgsave_status", "ok");
    char *lastsave = conn_cmd(c, "lastsave");
    ck_assert_msg(lastsave[0] == ':' && atoll(lastsave + 1) > 0, "%s", harness_escape(lastsave));
    free(lastsave);
    conn_close(c);
    server_stop(h);
    restart_and_compare(dir, before);
    free(before);
}
END_TEST

START_TEST(test_bgsave_then_restart)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    char *before = digest(h);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    ck_info(c, "rdb_changes_since_last_save", "0");
    ck_info(c, "total_forks", "1");
    ck_cmd(c, "bgsave schedule", "+Background saving started\r\n");
    wait_bgsave_done(c);
    conn_close(c);
    server_stop(h);
    restart_and_compare(dir, before);
    free(before);
}
END_TEST

START_TEST(test_redis_loads_our_file)
{
    if (!redis_available() || server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    char *before = digest(h);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    conn_close(c);
    server_stop(h);
    int status;
    char *out = harness_output(&status, "%s %s/dump.rdb", REDIS_CHECK_RDB, dir);
    ck_assert_msg(status == 0 && strstr(out, "RDB looks OK!"), "redis-check-rdb: %s", out);
    free(out);
    struct server_handle *r = server_start_in(REDIS_SERVER, dir, debug_args);
    char *after = digest(r);
    ck_assert_str_eq(after, before);
    free(after);
    server_stop(r);
    free(before);
}
END_TEST

START_TEST(test_we_load_redis_file)
{
    if (!redis_available() || server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *r = server_start_in(REDIS_SERVER, dir, debug_args);
    struct conn *c = conn_open(r->port);
    load_every_type(c);
    char *before = digest(r);
    ck_cmd(c, "save", "+OK\r\n");
    conn_close(c);
    server_stop(r);
    restart_and_compare(dir, before);
    free(before);
}
END_TEST

START_TEST(test_corrupted_file_refuses_start)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    ck_cmd(c, "save", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    /* Overwrite bytes in the middle of the file: the checksum or the
     * structure must catch it. */
    char path[300];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size / 2, SEEK_SET);
    fwrite("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8", 1, 8, f);
    fclose(f);
    int status;
    char *out = harness_output(&status, "timeout 20 '%s' --port 0 --dir '%s' --save ''",
                               server_binary(), dir);
    ck_assert_msg(status != 0, "server started on a corrupted file: %s", out);
    ck_assert_msg(strstr(out, "Fatal error loading the DB") && strstr(out, "dump.rdb") &&
                      strstr(out, "offset"),
                  "no load error message: %s", out);
    free(out);
}
END_TEST

START_TEST(test_shutdown_save_writes_file)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    char *before = digest(h);
    conn_send(c, "shutdown save");
    ck_assert(conn_wait_closed(c, 10000));
    conn_close(c);
    int status = server_wait_exit(h, 10000);
    ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d",
                  status);
    server_stop(h);
    restart_and_compare(dir, before);
    free(before);
}
END_TEST

/* A failed BGSAVE with save points set refuses writes (MISCONF) until a
 * save succeeds again. The rename fails because dump.rdb is a non-empty
 * directory, which stops root as well as anyone else. */
START_TEST(test_failed_bgsave_misconf)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    static const char *const args[] = {"--enable-debug-command", "yes", "--save", "3600 100000",
                                       NULL};
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set k v", "+OK\r\n");
    char path[300];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/dump.rdb/x", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_info(c, "rdb_last_bgsave_status", "err");
    ck_cmd(c, "set k v2",
           "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.\r\n");
    ck_cmd(c, "get k", "$1\r\nv\r\n");
    ck_assert_int_eq(rmdir(path), 0);
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    ck_assert_int_eq(rmdir(path), 0);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    ck_cmd(c, "set k v2", "+OK\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Returns the pid of the server's first child, or 0. */
static pid_t child_of(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int pid = 0;
    if (fscanf(f, "%d", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid;
}

static void load_many_keys(struct conn *c)
{
    const char **argv = calloc(1 + 2 * MSET_PAIRS, sizeof(*argv));
    char (*words)[32] = calloc(2 * MSET_PAIRS, 32);
    ck_assert_ptr_nonnull(words);
    argv[0] = "mset";
    for (int b = 0; b < KILL_TEST_BATCHES; b++) {
        for (int i = 0; i < MSET_PAIRS; i++) {
            snprintf(words[2 * i], 32, "key:%d:%d", b, i);
            snprintf(words[2 * i + 1], 32, "value-%d-%d-xxxxxxxx", i, b);
            argv[1 + 2 * i] = words[2 * i];
            argv[2 + 2 * i] = words[2 * i + 1];
        }
        conn_send_argv(c, 1 + 2 * MSET_PAIRS, argv, NULL);
    }
    for (int b = 0; b < KILL_TEST_BATCHES; b++) {
        char *r = conn_read_raw(c);
        ck_assert_str_eq(r, "+OK\r\n");
        free(r);
    }
    free(words);
    free(argv);
}

START_TEST(test_killed_child_keeps_old_file)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set old 1", "+OK\r\n");
    ck_cmd(c, "save", "+OK\r\n");
    char *old_digest = digest(h);
    load_many_keys(c);
    char *new_digest = digest(h);
    /* The child may finish before we see it; try a few times. */
    bool killed = false;
    for (int attempt = 0; attempt < 5 && !killed; attempt++) {
        ck_cmd(c, "bgsave", "+Background saving started\r\n");
        for (int spin = 0; spin < 100000 && !killed; spin++) {
            pid_t child = child_of(h->pid);
            if (child > 0 && kill(child, SIGKILL) == 0)
                killed = true;
        }
        wait_bgsave_done(c);
        if (killed)
            ck_info(c, "rdb_last_bgsave_status", "err");
        if (!killed) {
            /* Put the old file back for the next attempt. */
            ck_cmd(c, "flushall", "+OK\r\n");
            ck_cmd(c, "set old 1", "+OK\r\n");
            ck_cmd(c, "save", "+OK\r\n");
            load_many_keys(c);
        }
    }
    ck_assert_msg(killed, "never caught the BGSAVE child running");
    /* No temp file is left behind, and the old file is intact. */
    int status;
    char *ls = harness_output(&status, "ls '%s'", dir);
    ck_assert_msg(strstr(ls, "temp-") == NULL, "temp file left: %s", ls);
    free(ls);
    ck_cmd(c, "debug reload nosave", "+OK\r\n");
    char *reloaded = digest(h);
    ck_assert_str_eq(reloaded, old_digest);
    free(reloaded);
    /* The data is the old file's now; the next BGSAVE works. */
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    free(old_digest);
    free(new_digest);
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_debug_reload_keeps_data)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    char *before = digest(h);
    ck_cmd(c, "debug reload", "+OK\r\n");
    char *after = digest(h);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Bytes of incompressible value stored for the disk-full test (in
 * DISKFULL_VALUES keys), well past DISKFULL_FSIZE_BYTES, the file size limit
 * that stands in for a full disk. The limit stays above the server log's
 * size, since the parent writes its log under the same limit. */
#define DISKFULL_VALUE_BYTES 16384
#define DISKFULL_VALUES 64
#define DISKFULL_FSIZE_BYTES 65536

/* Stores DISKFULL_VALUES keys of pseudo-random hex, which LZF cannot shrink
 * much, so the snapshot is far larger than DISKFULL_FSIZE_BYTES. */
static void load_incompressible(struct conn *c)
{
    char *value = malloc(DISKFULL_VALUE_BYTES + 1);
    ck_assert_ptr_nonnull(value);
    unsigned long long x = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < DISKFULL_VALUES; k++) {
        for (int i = 0; i < DISKFULL_VALUE_BYTES; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            value[i] = "0123456789abcdef"[x & 15];
        }
        value[DISKFULL_VALUE_BYTES] = '\0';
        char key[32];
        snprintf(key, sizeof(key), "noise:%d", k);
        const char *argv[] = {"set", key, value};
        char *r = conn_cmd_argv(c, 3, argv, NULL);
        ck_assert_str_eq(r, "+OK\r\n");
        free(r);
    }
    free(value);
}

/* Sets the soft RLIMIT_FSIZE of the server with util-linux prlimit, to
 * bytes, or unlimited when bytes is negative. Only the soft limit: lowering
 * the hard one could not be undone without CAP_SYS_RESOURCE. A BGSAVE child
 * forked afterwards inherits it. */
static void set_fsize_limit(struct server_handle *h, long long bytes)
{
    char limit[32] = "unlimited";
    if (bytes >= 0)
        snprintf(limit, sizeof(limit), "%lld", bytes);
    int status = harness_system("prlimit --pid %d --fsize=%s:", (int)h->pid, limit);
    ck_assert_msg(status == 0, "prlimit --pid %d --fsize=%s: failed (%d)", (int)h->pid, limit,
                  status);
}

/* A BGSAVE that runs out of space (here: hits RLIMIT_FSIZE, which fails the
 * child's writes with EFBIG in ringkv, or kills Redis's child with SIGXFSZ)
 * reports err, leaves the previous dump.rdb byte for byte as it was and no
 * temp file, refuses writes with MISCONF because a save point is set, and
 * the next BGSAVE succeeds once the limit is lifted, with a file that
 * loads. */
START_TEST(test_disk_full_bgsave_recovers)
{
    if (access("/usr/bin/prlimit", X_OK) != 0)
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    static const char *const args[] = {"--enable-debug-command", "yes", "--save", "3600 1",
                                       NULL};
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    struct conn *c = conn_open(h->port);
    load_every_type(c);
    ck_cmd(c, "save", "+OK\r\n");
    char path[300];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    size_t old_len;
    char *old_file = harness_read_file(path, &old_len);
    ck_assert_ptr_nonnull(old_file);
    load_incompressible(c);

    set_fsize_limit(h, DISKFULL_FSIZE_BYTES);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_assert(server_alive(h));
    ck_info(c, "rdb_last_bgsave_status", "err");
    ck_cmd(c, "set k v",
           "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.\r\n");
    ck_cmd(c, "get s1", "$5\r\nhello\r\n");
    size_t now_len;
    char *now_file = harness_read_file(path, &now_len);
    ck_assert_ptr_nonnull(now_file);
    ck_assert_msg(now_len == old_len && memcmp(now_file, old_file, old_len) == 0,
                  "dump.rdb changed by the failed BGSAVE (%zu bytes, was %zu)", now_len, old_len);
    free(now_file);
    free(old_file);
    char *ls = harness_list_dir(dir);
    ck_assert_ptr_nonnull(ls);
    ck_assert_msg(strstr(ls, "temp-") == NULL, "temp file left: %s", ls);
    free(ls);

    set_fsize_limit(h, -1);
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_info(c, "rdb_last_bgsave_status", "ok");
    ck_info(c, "rdb_changes_since_last_save", "0");
    ck_cmd(c, "set k v", "+OK\r\n");
    ck_cmd(c, "del k", ":1\r\n");
    char *before = digest(h);
    conn_close(c);
    /* Without the --save point, so that stopping does not write the file
     * again: what loads is what the BGSAVE wrote (del k was the only write
     * after it, and undid set k). */
    server_kill(h, SIGKILL);
    restart_and_compare(dir, before);
    free(before);
}
END_TEST

/* ---- sanitize-dump-payload: deep or shallow validation at start-up ---- */

/* The RDB CRC-64 (Jones, reflected), bit by bit: the test's own, so the
 * files below do not depend on the code under test. */
static uint64_t test_crc64(const unsigned char *p, size_t len)
{
    uint64_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x95AC9329AC4BC9B5ULL : crc >> 1;
    }
    return crc;
}

enum test_trailer { TRAILER_CRC, TRAILER_WRONG_CRC, TRAILER_ZERO, TRAILER_ZERO_THEN_JUNK };

/* The file offset of the hash's listpack in the files below. */
#define SANITIZE_BLOB_OFFSET 22

/* Writes dir/dump.rdb: SET good v, and the hash h {f1 v1 f2 v2 f3 v3} as a
 * listpack whose third entry's backlen is wrong when corrupt (its header,
 * size and terminator stay right: only deep validation sees it). */
static void write_sanitize_file(const char *dir, bool corrupt, enum test_trailer trailer)
{
    unsigned char f[128];
    size_t n;
    memcpy(f, "REDIS0010\xfe\x00\x00\x04good\x01v\x10\x01h", 22);
    n = 22;
    ck_assert_uint_eq(n, SANITIZE_BLOB_OFFSET);
    static const char *const items[] = {"f1", "v1", "f2", "v2", "f3", "v3"};
    unsigned char lp[64];
    size_t lp_len = 6;
    for (size_t i = 0; i < 6; i++) {
        lp[lp_len++] = 0x82;
        memcpy(lp + lp_len, items[i], 2);
        lp_len += 2;
        lp[lp_len++] = 3;
    }
    lp[lp_len++] = 0xFF;
    lp[0] = (unsigned char)lp_len;
    lp[1] = lp[2] = lp[3] = 0;
    lp[4] = 6;
    lp[5] = 0;
    if (corrupt)
        lp[17] = 4;
    f[n++] = (unsigned char)lp_len;
    memcpy(f + n, lp, lp_len);
    n += lp_len;
    f[n++] = 0xFF;
    uint64_t crc = trailer == TRAILER_CRC || trailer == TRAILER_WRONG_CRC ? test_crc64(f, n) : 0;
    if (trailer == TRAILER_WRONG_CRC)
        f[SANITIZE_BLOB_OFFSET + 1 + 8] ^= 0x01; /* "f1" becomes "f0", after the CRC */
    for (int i = 0; i < 8; i++)
        f[n++] = (unsigned char)(crc >> (8 * i));
    if (trailer == TRAILER_ZERO_THEN_JUNK) {
        memcpy(f + n, "trailing", 8);
        n += 8;
    }
    char path[300];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(fwrite(f, 1, n, out), n);
    ck_assert_int_eq(fclose(out), 0);
}

/* Starts binary on dir with sanitize-dump-payload mode: true if it loaded
 * (and then answers HGET h f1 with v1), false if it refused to start, with
 * its output in *out (owned; NULL when it started). */
static bool start_with_sanitize(const char *binary, const char *dir, const char *mode, char **out)
{
    const char *const args[] = {"--sanitize-dump-payload", mode, NULL};
    int status;
    *out = NULL;
    struct server_handle *h = server_try_start_in(binary, dir, args, &status);
    if (h == NULL) {
        *out = harness_output(&status, "timeout 20 '%s' --port 0 --dir '%s' --save '' "
                                       "--sanitize-dump-payload %s 2>&1",
                              binary, dir, mode);
        return false;
    }
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "dbsize", ":2\r\n");
    ck_cmd(c, "hget h f1", "$2\r\nv1\r\n");
    ck_cmd(c, "config get sanitize-dump-payload",
           strcmp(mode, "yes") == 0       ? "*2\r\n$21\r\nsanitize-dump-payload\r\n$3\r\nyes\r\n"
           : strcmp(mode, "no") == 0      ? "*2\r\n$21\r\nsanitize-dump-payload\r\n$2\r\nno\r\n"
                                          : "*2\r\n$21\r\nsanitize-dump-payload\r\n$7\r\nclients\r\n");
    conn_close(c);
    server_stop(h);
    return true;
}

static void expect_refusal_text(char *out, const char *want)
{
    ck_assert_msg(out != NULL && strstr(out, want) != NULL, "wanted '%s' in: %s", want,
                  out ? out : "(started)");
    free(out);
}

/* Redis 7.0's rule: `yes` validates every listpack entry and refuses the
 * corrupt one at its offset; `no` and `clients` trust a file being loaded
 * and take it (its CRC-64 matches); a wrong CRC-64 is refused in every
 * mode; and ringkv validates deeply whatever the mode when the file has no
 * checksum, or when what looked like one was not the file's trailer. */
START_TEST(test_sanitize_dump_payload)
{
    if (server_is_redis())
        return;
    char dir[256], *out;
    harness_make_dir(dir, sizeof(dir));
    write_sanitize_file(dir, true, TRAILER_CRC);
    ck_assert(!start_with_sanitize(server_binary(), dir, "yes", &out));
    expect_refusal_text(out, "offset 22): invalid listpack");
    ck_assert(start_with_sanitize(server_binary(), dir, "no", &out));
    ck_assert(start_with_sanitize(server_binary(), dir, "clients", &out));
    if (redis_available()) {
        /* The same file, the same verdicts from redis-server 7.0.15. */
        const char *const yes[] = {"--sanitize-dump-payload", "yes", NULL};
        const char *const args[] = {"--sanitize-dump-payload", "no", NULL};
        int status;
        ck_assert_ptr_null(server_try_start_in(REDIS_SERVER, dir, yes, &status));
        struct server_handle *r = server_try_start_in(REDIS_SERVER, dir, args, &status);
        ck_assert_ptr_nonnull(r);
        struct conn *c = conn_open(r->port);
        ck_cmd(c, "dbsize", ":2\r\n");
        conn_close(c);
        server_stop(r);
    }

    write_sanitize_file(dir, true, TRAILER_WRONG_CRC);
    ck_assert(!start_with_sanitize(server_binary(), dir, "no", &out));
    expect_refusal_text(out, "wrong RDB checksum");

    write_sanitize_file(dir, true, TRAILER_ZERO);
    ck_assert(!start_with_sanitize(server_binary(), dir, "no", &out));
    expect_refusal_text(out, "offset 22): invalid listpack");
    write_sanitize_file(dir, true, TRAILER_ZERO_THEN_JUNK);
    ck_assert(!start_with_sanitize(server_binary(), dir, "no", &out));
    expect_refusal_text(out, "offset 22): invalid listpack");

    /* Sound files without a checksum load in every mode. */
    write_sanitize_file(dir, false, TRAILER_ZERO);
    ck_assert(start_with_sanitize(server_binary(), dir, "no", &out));
    write_sanitize_file(dir, false, TRAILER_ZERO_THEN_JUNK);
    ck_assert(start_with_sanitize(server_binary(), dir, "no", &out));
    ck_assert(start_with_sanitize(server_binary(), dir, "yes", &out));
}
END_TEST

/* ---- BGSAVE with several encoding threads ----
 *
 * tests/engine/rdb_parallel_test.c pins that the threads write the bytes
 * one thread writes; these check it through the server: a child encoding
 * with rdb-save-threads 3 writes a file that is the same, after the
 * header, as a one-thread save, that redis-check-rdb accepts and that
 * ringkv and redis-server 7.0 load with the same DEBUG DIGEST; and such a
 * child killed mid-save (slowed down with rdb-key-save-delay so the kill
 * always lands part-way) leaves the previous dump.rdb and no temp file. */

static const char *const parallel_args[] = {"--enable-debug-command", "yes",
                                            "--rdb-save-threads", "3", NULL};

static void bgsave_ok(struct conn *c)
{
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_assert(conn_info_is(c, "rdb_last_bgsave_status", "ok"));
}

/* Strings from DEBUG POPULATE, every collection type in both encodings,
 * expiries, and keys in three databases. */
static void load_dataset(struct conn *c)
{
    ck_cmd(c, "debug populate 60000", "+OK\r\n");
    for (int db = 0; db < 3; db++) {
        char line[64];
        snprintf(line, sizeof(line), "select %d", db);
        ck_cmd(c, line, "+OK\r\n");
        for (int i = 0; i < 40; i++) {
            char key[32];
            int n = i % 2 ? BIG_COLLECTION : 5;
            snprintf(key, sizeof(key), "list:%d", i);
            fill_big(c, "rpush", key, n);
            snprintf(key, sizeof(key), "set:%d", i);
            fill_big(c, "sadd", key, n);
            snprintf(key, sizeof(key), "hash:%d", i);
            fill_big(c, "hset", key, n);
            snprintf(key, sizeof(key), "zset:%d", i);
            fill_big(c, "zadd", key, n);
            snprintf(line, sizeof(line), "set ttl:%d v ex %d", i, 1000 + i);
            ck_cmd(c, line, "+OK\r\n");
        }
    }
    ck_cmd(c, "sadd ints 1 2 3 -7", ":4\r\n");
    ck_cmd(c, "select 0", "+OK\r\n");
}

/* The file's bytes from the end of the aof-base AUX field to the trailer:
 * the part the header's save time and memory figures cannot change (the
 * trailer's CRC covers the header too). */
static const char *after_header(const char *data, size_t len, size_t *rest)
{
    const char *p = memmem(data, len, "aof-base", 8);
    ck_assert_ptr_nonnull(p);
    p += 8;
    ck_assert_uint_ge(len - (size_t)(p - data), 8);
    *rest = len - (size_t)(p - data) - 8;
    return p;
}

START_TEST(test_parallel_file_loads_everywhere)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, parallel_args);
    struct conn *c = conn_open(h->port);
    load_dataset(c);
    /* Let the tick finish any rehash, so both saves walk the same table. */
    harness_sleep_ms(500);
    char *before = digest(h);
    char path[320];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);

    ck_cmd(c, "config set rdb-save-threads 1", "+OK\r\n");
    bgsave_ok(c);
    size_t serial_len;
    char *serial = harness_read_file(path, &serial_len);
    ck_cmd(c, "config set rdb-save-threads 3", "+OK\r\n");
    bgsave_ok(c);
    size_t parallel_len;
    char *parallel = harness_read_file(path, &parallel_len);
    size_t a_len, b_len;
    const char *a = after_header(serial, serial_len, &a_len);
    const char *b = after_header(parallel, parallel_len, &b_len);
    ck_assert_msg(a_len == b_len && memcmp(a, b, a_len) == 0,
                  "3 threads wrote a different file (%zu bytes after the header, 1 thread %zu)",
                  b_len, a_len);
    free(serial);
    free(parallel);
    conn_close(c);
    server_stop(h);

    h = server_start_in(server_binary(), dir, parallel_args);
    char *after = digest(h);
    ck_assert_str_eq(after, before);
    free(after);
    server_stop(h);

    if (redis_available() && !server_is_redis()) {
        int status;
        char *out = harness_output(&status, "%s %s", REDIS_CHECK_RDB, path);
        ck_assert_msg(status == 0 && strstr(out, "RDB looks OK!"), "redis-check-rdb: %s", out);
        free(out);
        static const char *const redis_args[] = {"--enable-debug-command", "yes", NULL};
        struct server_handle *r = server_start_in(REDIS_SERVER, dir, redis_args);
        char *in_redis = digest(r);
        ck_assert_str_eq(in_redis, before);
        free(in_redis);
        server_stop(r);
    }
    free(before);
}
END_TEST

START_TEST(test_killed_parallel_child_keeps_old_file)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, parallel_args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set old 1", "+OK\r\n");
    ck_cmd(c, "save", "+OK\r\n");
    char *old_digest = digest(h);
    load_dataset(c);
    /* 60k keys at 200 us each take seconds even on three threads. */
    ck_cmd(c, "config set rdb-key-save-delay 200", "+OK\r\n");
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    pid_t child = 0;
    for (int waited = 0; child == 0 && waited < 5000; waited += 5) {
        child = child_of(h->pid);
        if (child == 0)
            harness_sleep_ms(5);
    }
    ck_assert_msg(child > 0, "no BGSAVE child seen");
    harness_sleep_ms(300); /* the threads are encoding and writing by now */
    ck_assert(conn_info_is(c, "rdb_bgsave_in_progress", "1"));
    ck_assert_int_eq(kill(child, SIGKILL), 0);
    wait_bgsave_done(c);
    ck_assert(conn_info_is(c, "rdb_last_bgsave_status", "err"));
    char *ls = harness_list_dir(dir);
    ck_assert_msg(strstr(ls, "temp-") == NULL, "temp file left: %s", ls);
    free(ls);
    ck_cmd(c, "config set rdb-key-save-delay 0", "+OK\r\n");
    ck_cmd(c, "debug reload nosave", "+OK\r\n");
    char *reloaded = digest(h);
    ck_assert_str_eq(reloaded, old_digest);
    free(reloaded);
    free(old_digest);
    conn_close(c);
    server_stop(h);
}
END_TEST

static Suite *rdb_suite(void)
{
    Suite *s = suite_create("rdb");
    TCase *tc = tcase_create("rdb");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_save_then_restart);
    tcase_add_test(tc, test_bgsave_then_restart);
    tcase_add_test(tc, test_redis_loads_our_file);
    tcase_add_test(tc, test_we_load_redis_file);
    tcase_add_test(tc, test_corrupted_file_refuses_start);
    tcase_add_test(tc, test_shutdown_save_writes_file);
    tcase_add_test(tc, test_failed_bgsave_misconf);
    tcase_add_test(tc, test_killed_child_keeps_old_file);
    tcase_add_test(tc, test_debug_reload_keeps_data);
    tcase_add_test(tc, test_disk_full_bgsave_recovers);
    tcase_add_test(tc, test_sanitize_dump_payload);
    tcase_add_test(tc, test_parallel_file_loads_everywhere);
    tcase_add_test(tc, test_killed_parallel_child_keeps_old_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(rdb_suite());
}
