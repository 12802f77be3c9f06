/* rdb_parallel_test.c: BGSAVE with several encoding threads, end to end.
 *
 * The engine's own test (tests/engine/rdb_parallel_test.c) pins that the
 * threads write the bytes one thread writes; this one checks what a user
 * sees through the server: a BGSAVE child encoding with rdb-save-threads 3
 * writes a file whose keys (DEBUG DIGEST) come back in ringkv and in
 * redis-server 7.0, which redis-check-rdb accepts, and which is the same
 * file, after the header, as a save with one thread; and a child killed
 * part-way (slowed down with rdb-key-save-delay so the kill always lands
 * mid-save) leaves the previous dump.rdb in place and no temp file. */
#define _GNU_SOURCE /* memmem */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"
#define REDIS_CHECK_RDB "/usr/bin/redis-check-rdb"
#define BGSAVE_WAIT_MS 60000
/* Members of the collections large enough for the big encodings. */
#define BIG_MEMBERS 300

static const char *const parallel_args[] = {"--enable-debug-command", "yes",
                                            "--rdb-save-threads", "3", NULL};

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
        harness_sleep_ms(10);
    }
    ck_abort_msg("BGSAVE did not finish within %d ms", BGSAVE_WAIT_MS);
}

static void bgsave_ok(struct conn *c)
{
    ck_cmd(c, "bgsave", "+Background saving started\r\n");
    wait_bgsave_done(c);
    ck_assert(conn_info_is(c, "rdb_last_bgsave_status", "ok"));
}

/* A member-per-argument command with n members, sent in one call. */
static void fill(struct conn *c, const char *cmd, const char *key, int n, bool pairs)
{
    int argc = 2 + n * (pairs ? 2 : 1);
    const char **argv = calloc((size_t)argc, sizeof(*argv));
    char (*words)[32] = calloc((size_t)argc, 32);
    ck_assert_ptr_nonnull(words);
    argv[0] = cmd;
    argv[1] = key;
    for (int i = 2; i < argc; i++) {
        snprintf(words[i], 32, (i % 2 == 0 && pairs) ? "%d" : "m-%d", i);
        argv[i] = words[i];
    }
    char *r = conn_cmd_argv(c, argc, argv, NULL);
    ck_assert_msg(r[0] == ':', "%s %s: %s", cmd, key, harness_escape(r));
    free(r);
    free(words);
    free(argv);
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
            int n = i % 2 ? BIG_MEMBERS : 5;
            snprintf(key, sizeof(key), "list:%d", i);
            fill(c, "rpush", key, n, false);
            snprintf(key, sizeof(key), "set:%d", i);
            fill(c, "sadd", key, n, false);
            snprintf(key, sizeof(key), "hash:%d", i);
            fill(c, "hset", key, n, true);
            snprintf(key, sizeof(key), "zset:%d", i);
            fill(c, "zadd", key, n, true);
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

    if (access(REDIS_SERVER, X_OK) == 0 && access(REDIS_CHECK_RDB, X_OK) == 0) {
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

static Suite *rdb_parallel_suite(void)
{
    Suite *s = suite_create("rdb_parallel");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, test_parallel_file_loads_everywhere);
    tcase_add_test(tc, test_killed_parallel_child_keeps_old_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(rdb_parallel_suite());
}
