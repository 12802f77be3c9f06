/* backup_test.c: black-box tests for tools/ringkv-backup and for
 * ringkv-check-aof --truncate-to-timestamp.
 *
 * Each backup test starts a real server, runs the real tool against it and
 * restores the generation into a fresh directory that a new server then
 * loads. Under write load a forked writer sends SET k<i> one at a time and
 * publishes, in shared memory, how many it got +OK for; the count read
 * just before the tool starts is the set of writes acknowledged before the
 * backup began, and every one of them must be in the restored server.
 * Covered: RDB (a fresh BGSAVE), AOF under appendfsync always and everysec
 * (the everysec run rewrites the AOF during the backup), point-in-time
 * restore with aof-timestamp-enabled (writes on both sides of a second
 * boundary), --keep pruning, a corrupted copy caught by verification, and
 * redis-server 7.0 as the source (RDB and AOF, restored into redis-server).
 *
 * What the corruption test shows, honestly: it flips a byte inside the
 * server's AOF base file on disk (the server has loaded it already and
 * never reads it again), so the tool copies a bad file; ringkv-check-aof's
 * RDB check fails on the copy, and the test sees a non-zero exit and no
 * generation left behind. It does not simulate a bad disk under the copy.
 *
 * The truncate-to-timestamp tests run ringkv-check-aof and, where Debian's
 * /usr/bin/redis-check-aof exists, redis-check-aof on copies of the same
 * files, and require the same output, exit code and resulting bytes.
 *
 * The tools are found next to $RINGKV_SERVER; when that is redis-server
 * (the oracle run) there is no ringkv-backup and the tests pass with a
 * note. */
#define _GNU_SOURCE /* asprintf */
#include "harness.h"

#include <libgen.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEST_TIMEOUT_S 120
#define REDIS_SERVER_BINARY "/usr/bin/redis-server"
#define REDIS_CHECK_AOF_BINARY "/usr/bin/redis-check-aof"
/* Writes acknowledged before the backup starts, at least. */
#define TEST_WRITES_BEFORE 1500
/* EXISTS takes this many keys at a time when checking a restore. */
#define TEST_EXISTS_CHUNK 500

static char tool_dir[512];

/* Whether ringkv's tools are next to the server under test. */
static bool test_tools_available(void)
{
    char *copy = strdup(server_binary());
    ck_assert_ptr_nonnull(copy);
    snprintf(tool_dir, sizeof(tool_dir), "%s", dirname(copy));
    free(copy);
    char path[600];
    snprintf(path, sizeof(path), "%s/ringkv-backup", tool_dir);
    if (access(path, X_OK) != 0) {
        fprintf(stderr, "note: %s not found; backup tests skipped\n", path);
        return false;
    }
    return true;
}

/* Runs ringkv-backup with args; returns its output, owned. */
static char *test_backup(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *test_backup(int *status, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    return harness_output(status, "'%s/ringkv-backup' %s", tool_dir, args);
}

/* The one generation directory under root (fails unless exactly one). */
static void test_only_generation(const char *root, char *out, size_t out_len)
{
    char *names = harness_list_dir(root);
    ck_assert_ptr_nonnull(names);
    char *nl = strchr(names, '\n');
    ck_assert_msg(nl != NULL && nl[1] == '\0', "expected one generation in %s, found:\n%s", root,
                  names);
    *nl = '\0';
    snprintf(out, out_len, "%s/%s", root, names);
    free(names);
}

/* ---- the writer ---- */

struct test_writer {
    pid_t pid;
    _Atomic long *acked; /* shared: SETs answered +OK */
};

static void test_writer_start(struct test_writer *w, int port)
{
    w->acked = mmap(NULL, sizeof(*w->acked), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                    -1, 0);
    ck_assert(w->acked != MAP_FAILED);
    atomic_store(w->acked, 0);
    w->pid = fork();
    ck_assert_int_ge(w->pid, 0);
    if (w->pid == 0) {
        struct conn *c = conn_open(port);
        for (long i = 0;; i++) {
            char key[32];
            snprintf(key, sizeof(key), "k%ld", i);
            const char *argv[] = {"SET", key, "value"};
            char *reply = conn_cmd_argv(c, 3, argv, NULL);
            if (strcmp(reply, "+OK\r\n") != 0)
                _exit(3);
            free(reply);
            atomic_store(w->acked, i + 1);
        }
    }
}

/* Waits until at least n writes were acknowledged. */
static void test_writer_wait(struct test_writer *w, long n)
{
    int64_t deadline = harness_clock_ms() + 20000;
    while (atomic_load(w->acked) < n) {
        ck_assert_msg(harness_clock_ms() < deadline, "writer stuck at %ld", atomic_load(w->acked));
        harness_sleep_ms(5);
    }
}

static void test_writer_stop(struct test_writer *w)
{
    kill(w->pid, SIGKILL);
    waitpid(w->pid, NULL, 0);
    munmap((void *)w->acked, sizeof(*w->acked));
}

/* Every key k0 .. k<count-1> exists on the server. */
static void test_keys_present(struct conn *c, long count)
{
    for (long start = 0; start < count; start += TEST_EXISTS_CHUNK) {
        long n = count - start < TEST_EXISTS_CHUNK ? count - start : TEST_EXISTS_CHUNK;
        const char *argv[TEST_EXISTS_CHUNK + 1];
        char keys[TEST_EXISTS_CHUNK][24];
        argv[0] = "EXISTS";
        for (long i = 0; i < n; i++) {
            snprintf(keys[i], sizeof(keys[i]), "k%ld", start + i);
            argv[i + 1] = keys[i];
        }
        char *reply = conn_cmd_argv(c, (int)n + 1, argv, NULL);
        char expected[32];
        snprintf(expected, sizeof(expected), ":%ld\r\n", n);
        ck_assert_msg(strcmp(reply, expected) == 0, "keys k%ld..: %s present of %ld", start,
                      harness_escape(reply), n);
        free(reply);
    }
}

/* Saves while the writer runs, restores into a new directory and checks
 * every write acknowledged before the save began. */
static void test_backup_under_load(const char *const *server_args, const char *const *restore_args,
                                   bool rewrite_during)
{
    struct server_handle *h = server_start(server_args);
    struct test_writer w;
    test_writer_start(&w, h->port);
    test_writer_wait(&w, TEST_WRITES_BEFORE);
    if (rewrite_during) {
        struct conn *c = conn_open(h->port);
        ck_cmd_prefix(c, "BGREWRITEAOF", "+Background append only file rewriting");
        conn_close(c);
    }
    long before = atomic_load(w.acked);
    char root[300], gen[600], data[300];
    harness_make_dir(root, sizeof(root));
    int status;
    char *out = test_backup(&status, "save -q -p %d '%s/b'", h->port, root);
    ck_assert_msg(status == 0, "save failed:\n%s", out);
    free(out);
    long after = atomic_load(w.acked);
    test_writer_stop(&w);
    ck_assert_msg(after > before, "the writer made no progress during the backup");
    server_stop(h);

    char broot[400];
    snprintf(broot, sizeof(broot), "%s/b", root);
    test_only_generation(broot, gen, sizeof(gen));
    harness_make_dir(data, sizeof(data));
    out = test_backup(&status, "restore -q '%s' '%s'", gen, data);
    ck_assert_msg(status == 0, "restore failed:\n%s", out);
    free(out);
    struct server_handle *r = server_start_in(server_binary(), data, restore_args);
    struct conn *c = conn_open(r->port);
    conn_wait_loaded(c, 20000);
    test_keys_present(c, before);
    conn_close(c);
    server_stop(r);
}

START_TEST(test_rdb_backup_under_load)
{
    if (!test_tools_available())
        return;
    test_backup_under_load(NULL, NULL, false);
}
END_TEST

START_TEST(test_aof_always_backup_under_load)
{
    if (!test_tools_available())
        return;
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};
    const char *restore[] = {"--appendonly", "yes", NULL};
    test_backup_under_load(args, restore, false);
}
END_TEST

START_TEST(test_aof_everysec_backup_under_load_with_rewrite)
{
    if (!test_tools_available())
        return;
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "everysec", NULL};
    const char *restore[] = {"--appendonly", "yes", NULL};
    test_backup_under_load(args, restore, true);
}
END_TEST

/* ---- point in time ---- */

static void test_set_range(struct conn *c, const char *prefix, int count)
{
    for (int i = 0; i < count; i++) {
        char line[64];
        snprintf(line, sizeof(line), "SET %s%d v", prefix, i);
        ck_cmd(c, line, "+OK\r\n");
    }
}

START_TEST(test_point_in_time_restore)
{
    if (!test_tools_available())
        return;
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always",
                          "--aof-timestamp-enabled", "yes", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    test_set_range(c, "early", 50);
    time_t cut = time(NULL); /* every early write was logged at or before it */
    while (time(NULL) <= cut)
        harness_sleep_ms(20);
    test_set_range(c, "late", 50);
    conn_close(c);
    char root[300], gen[600], data[300], all[300];
    harness_make_dir(root, sizeof(root));
    int status;
    char *out = test_backup(&status, "save -q -p %d '%s'", h->port, root);
    ck_assert_msg(status == 0, "save failed:\n%s", out);
    free(out);
    server_stop(h);
    test_only_generation(root, gen, sizeof(gen));

    harness_make_dir(data, sizeof(data));
    out = test_backup(&status, "restore -q --to-timestamp %lld '%s' '%s'", (long long)cut, gen, data);
    ck_assert_msg(status == 0, "restore failed:\n%s", out);
    ck_assert_msg(strstr(out, "Successfully truncated AOF") != NULL, "%s", out);
    free(out);
    harness_make_dir(all, sizeof(all));
    out = test_backup(&status, "restore -q '%s' '%s'", gen, all);
    ck_assert_int_eq(status, 0);
    free(out);

    const char *restore[] = {"--appendonly", "yes", NULL};
    struct server_handle *r = server_start_in(server_binary(), data, restore);
    c = conn_open(r->port);
    conn_wait_loaded(c, 20000);
    ck_cmd(c, "DBSIZE", ":50\r\n");
    ck_cmd(c, "EXISTS early0 early49", ":2\r\n");
    ck_cmd(c, "EXISTS late0", ":0\r\n");
    conn_close(c);
    server_stop(r);
    r = server_start_in(server_binary(), all, restore);
    c = conn_open(r->port);
    conn_wait_loaded(c, 20000);
    ck_cmd(c, "DBSIZE", ":100\r\n");
    conn_close(c);
    server_stop(r);
}
END_TEST

START_TEST(test_to_timestamp_refuses_rdb_backup)
{
    if (!test_tools_available())
        return;
    struct server_handle *h = server_start(NULL);
    char root[300], gen[600], data[300];
    harness_make_dir(root, sizeof(root));
    int status;
    char *out = test_backup(&status, "save -q -p %d '%s'", h->port, root);
    ck_assert_int_eq(status, 0);
    free(out);
    server_stop(h);
    test_only_generation(root, gen, sizeof(gen));
    harness_make_dir(data, sizeof(data));
    out = test_backup(&status, "restore --to-timestamp 5 '%s' '%s'", gen, data);
    ck_assert_int_ne(status, 0);
    ck_assert_msg(strstr(out, "needs an AOF backup") != NULL, "%s", out);
    free(out);
}
END_TEST

/* ---- keep, list, verification ---- */

START_TEST(test_keep_prunes_oldest)
{
    if (!test_tools_available())
        return;
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    char root[300], first[600];
    harness_make_dir(root, sizeof(root));
    int status;
    for (int i = 0; i < 3; i++) {
        char line[32];
        snprintf(line, sizeof(line), "SET round %d", i);
        ck_cmd(c, line, "+OK\r\n");
        char *out = test_backup(&status, "save -q --keep 2 -p %d '%s'", h->port, root);
        ck_assert_msg(status == 0, "save %d failed:\n%s", i, out);
        free(out);
        if (i == 0)
            test_only_generation(root, first, sizeof(first));
    }
    conn_close(c);
    server_stop(h);
    char *names = harness_list_dir(root);
    ck_assert_ptr_nonnull(names);
    int lines = 0;
    for (char *p = names; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    ck_assert_msg(lines == 2, "expected 2 generations, found:\n%s", names);
    char first_line[64];
    snprintf(first_line, sizeof(first_line), "%s\n", strrchr(first, '/') + 1);
    /* Every name is a stamp plus an optional "-N", so only the oldest's
     * own line can hold its name followed by a newline. */
    ck_assert_msg(strstr(names, first_line) == NULL, "oldest kept:\n%s", names);
    free(names);
    char *out = test_backup(&status, "list '%s'", root);
    ck_assert_int_eq(status, 0);
    ck_assert_msg(strstr(out, " rdb ") != NULL, "%s", out);
    free(out);
}
END_TEST

/* A save killed part-way (here while it waits for its BGSAVE, which
 * rdb-key-save-delay makes last seconds) leaves only its temp directory,
 * which `list` does not show as a generation; the next save completes and
 * removes the dead one's directory. */
START_TEST(test_killed_save_leaves_no_generation)
{
    if (!test_tools_available())
        return;
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "DEBUG POPULATE 3000", "+OK\r\n");
    ck_cmd(c, "CONFIG SET rdb-key-save-delay 2000", "+OK\r\n");
    char root[300], port[16], tool[600];
    harness_make_dir(root, sizeof(root));
    snprintf(port, sizeof(port), "%d", h->port);
    snprintf(tool, sizeof(tool), "%s/ringkv-backup", tool_dir);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        execl(tool, tool, "save", "-q", "-p", port, root, (char *)NULL);
        _exit(127);
    }
    bool started = false;
    for (int waited = 0; !started && waited < 5000; waited += 10) {
        char *names = harness_list_dir(root);
        started = names != NULL && strstr(names, ".tmp-") != NULL;
        free(names);
        if (!started)
            harness_sleep_ms(10);
    }
    ck_assert_msg(started, "the save never made its temp directory");
    harness_sleep_ms(200);
    ck_assert(conn_info_is(c, "rdb_bgsave_in_progress", "1"));
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    char *names = harness_list_dir(root);
    ck_assert_msg(names != NULL && strncmp(names, ".tmp-", 5) == 0 && strchr(names, '\n') &&
                      strchr(names, '\n')[1] == '\0',
                  "expected only the temp directory, found:\n%s", names ? names : "");
    free(names);
    char *out = test_backup(&status, "list '%s'", root);
    ck_assert_msg(status == 0 && strstr(out, " rdb ") == NULL, "a generation is listed:\n%s",
                  out);
    free(out);
    ck_cmd(c, "CONFIG SET rdb-key-save-delay 0", "+OK\r\n");
    out = test_backup(&status, "save -q -p %d '%s'", h->port, root);
    ck_assert_msg(status == 0, "the next save failed:\n%s", out);
    free(out);
    char generation[600];
    test_only_generation(root, generation, sizeof(generation));
    ck_assert_msg(strstr(generation, ".tmp-") == NULL, "left: %s", generation);
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_corrupt_copy_fails_verification)
{
    if (!test_tools_available())
        return;
    const char *args[] = {"--appendonly", "yes", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    test_set_range(c, "key", 200);
    ck_cmd_prefix(c, "BGREWRITEAOF", "+Background append only file rewriting");
    int64_t deadline = harness_clock_ms() + 10000;
    while (!conn_info_is(c, "aof_rewrite_in_progress", "0") ||
           !conn_info_is(c, "aof_rewrite_scheduled", "0")) {
        ck_assert(harness_clock_ms() < deadline);
        harness_sleep_ms(20);
    }
    /* Flip a byte in the middle of the base RDB the server already loaded. */
    char aof_dir[400], base[700];
    snprintf(aof_dir, sizeof(aof_dir), "%s/appendonlydir", h->dir);
    char *names = harness_list_dir(aof_dir);
    ck_assert_ptr_nonnull(names);
    char *base_name = strstr(names, ".base.rdb\n");
    ck_assert_msg(base_name != NULL, "no RDB base in:\n%s", names);
    base_name[strlen(".base.rdb")] = '\0';
    while (base_name > names && base_name[-1] != '\n')
        base_name--;
    snprintf(base, sizeof(base), "%s/%s", aof_dir, base_name);
    free(names);
    size_t len;
    char *bytes = harness_read_file(base, &len);
    ck_assert_ptr_nonnull(bytes);
    bytes[len / 2] ^= 0x5a;
    FILE *fp = fopen(base, "r+b");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fwrite(bytes, 1, len, fp), len);
    fclose(fp);
    free(bytes);

    char root[300];
    harness_make_dir(root, sizeof(root));
    int status;
    char *out = test_backup(&status, "save -q -p %d '%s'", h->port, root);
    ck_assert_msg(status != 0, "save of a corrupt base succeeded:\n%s", out);
    ck_assert_msg(strstr(out, "verification") != NULL, "%s", out);
    free(out);
    names = harness_list_dir(root);
    ck_assert_msg(names != NULL && names[0] == '\0', "left behind:\n%s", names);
    free(names);
    out = test_backup(&status, "save -q --no-verify -p %d '%s'", h->port, root);
    ck_assert_msg(status == 0, "--no-verify save failed:\n%s", out);
    free(out);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- redis-server as the source ---- */

START_TEST(test_backup_of_redis_server)
{
    if (!test_tools_available())
        return;
    if (access(REDIS_SERVER_BINARY, X_OK) != 0) {
        fprintf(stderr, "note: %s not found; redis-server backup test skipped\n",
                REDIS_SERVER_BINARY);
        return;
    }
    for (int aof = 0; aof <= 1; aof++) {
        char src[300], root[300], gen[600], data[300];
        harness_make_dir(src, sizeof(src));
        const char *args[] = {"--appendonly", aof ? "yes" : "no", NULL};
        struct server_handle *h = server_start_in(REDIS_SERVER_BINARY, src, args);
        struct test_writer w;
        test_writer_start(&w, h->port);
        test_writer_wait(&w, 500);
        long before = atomic_load(w.acked);
        harness_make_dir(root, sizeof(root));
        int status;
        char *out = test_backup(&status, "save -q -p %d '%s'", h->port, root);
        ck_assert_msg(status == 0, "save of redis-server failed:\n%s", out);
        ck_assert_msg(strstr(out, aof ? "AOF backup" : "RDB backup") != NULL, "%s", out);
        free(out);
        test_writer_stop(&w);
        server_stop(h);
        test_only_generation(root, gen, sizeof(gen));
        harness_make_dir(data, sizeof(data));
        out = test_backup(&status, "restore -q '%s' '%s'", gen, data);
        ck_assert_msg(status == 0, "restore failed:\n%s", out);
        free(out);
        struct server_handle *r = server_start_in(REDIS_SERVER_BINARY, data, args);
        struct conn *c = conn_open(r->port);
        conn_wait_loaded(c, 20000);
        test_keys_present(c, before);
        conn_close(c);
        server_stop(r);
    }
}
END_TEST

/* ---- ringkv-check-aof --truncate-to-timestamp beside redis-check-aof ---- */

static const char ts_file[] = "#TS:100\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                              "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n"
                              "#TS:200\r\n*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\nd\r\n"
                              "#TS:300\r\n*3\r\n$3\r\nset\r\n$1\r\ne\r\n$1\r\nf\r\n";

static void test_write(const char *dir, const char *name, const char *bytes, size_t len)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
    fclose(fp);
}

/* Writes files (name, content pairs) into a fresh dir. */
static void test_make_case(char *dir, size_t dir_len, const char *const *files)
{
    harness_make_dir(dir, dir_len);
    for (int i = 0; files[i] != NULL; i += 2)
        test_write(dir, files[i], files[i + 1], strlen(files[i + 1]));
}

/* Runs tool in dir with args; the output has the tool's own name made
 * neutral (usage lines only). */
static char *test_check(const char *tool, const char *dir, const char *args, int *status)
{
    return harness_output(status, "cd '%s' && '%s' %s", dir, tool, args);
}

/* Runs both checkers on identical copies and compares everything. */
static void test_compare_truncate(const char *const *files, const char *args,
                                  int expected_status, const char *expected_line)
{
    char ours[300], theirs[300], tool[600];
    test_make_case(ours, sizeof(ours), files);
    snprintf(tool, sizeof(tool), "%s/ringkv-check-aof", tool_dir);
    int status;
    char *out = test_check(tool, ours, args, &status);
    ck_assert_msg(status == expected_status, "status %d for %s:\n%s", status, args, out);
    ck_assert_msg(strstr(out, expected_line) != NULL, "missing \"%s\" in:\n%s", expected_line, out);
    if (access(REDIS_CHECK_AOF_BINARY, X_OK) != 0) {
        fprintf(stderr, "note: %s not found; comparison skipped\n", REDIS_CHECK_AOF_BINARY);
        free(out);
        return;
    }
    test_make_case(theirs, sizeof(theirs), files);
    int redis_status;
    char *redis_out = test_check(REDIS_CHECK_AOF_BINARY, theirs, args, &redis_status);
    ck_assert_msg(redis_status == status, "redis-check-aof %d, ringkv %d", redis_status, status);
    ck_assert_msg(strcmp(out, redis_out) == 0, "outputs differ:\nringkv:\n%s\nredis:\n%s", out,
                  redis_out);
    for (int i = 0; files[i] != NULL; i += 2) {
        char a[700], b[700];
        snprintf(a, sizeof(a), "%s/%s", ours, files[i]);
        snprintf(b, sizeof(b), "%s/%s", theirs, files[i]);
        size_t la, lb;
        char *fa = harness_read_file(a, &la), *fb = harness_read_file(b, &lb);
        ck_assert_msg(fa && fb && la == lb && memcmp(fa, fb, la) == 0, "%s differs", files[i]);
        free(fa);
        free(fb);
    }
    free(out);
    free(redis_out);
}

START_TEST(test_truncate_to_timestamp_like_redis)
{
    if (!test_tools_available())
        return;
    const char *single[] = {"a.aof", ts_file, NULL};
    test_compare_truncate(single, "--truncate-to-timestamp 150 a.aof", 0,
                          "Successfully truncated AOF a.aof to timestamp 150\n");
    test_compare_truncate(single, "--truncate-to-timestamp 250 a.aof", 0,
                          "Successfully truncated AOF a.aof to timestamp 250\n");
    test_compare_truncate(single, "--truncate-to-timestamp 300 a.aof", 0,
                          "Truncate nothing in AOF a.aof to timestamp 300\n");
    test_compare_truncate(single, "--truncate-to-timestamp 50 a.aof", 1,
                          "has nothing before timestamp 50, aborting...\n");
    test_compare_truncate(single, "--truncate-to-timestamp 15x a.aof", 1,
                          "Invalid timestamp, aborting...\n");
    const char *bad[] = {"b.aof", "*1\r\n$4\r\nPING\r\n#TS:12x\r\n", NULL};
    test_compare_truncate(bad, "--truncate-to-timestamp 5 b.aof", 1,
                          "Invalid timestamp annotation\n");
}
END_TEST

START_TEST(test_truncate_to_timestamp_multi_part_like_redis)
{
    if (!test_tools_available())
        return;
    const char *manifest = "file appendonly.aof.1.base.aof seq 1 type b\n"
                           "file appendonly.aof.1.incr.aof seq 1 type i\n"
                           "file appendonly.aof.2.incr.aof seq 2 type i\n";
    const char *base = "*3\r\n$3\r\nset\r\n$1\r\nx\r\n$1\r\ny\r\n";
    const char *incr1 = "*3\r\n$3\r\nset\r\n$1\r\np\r\n$1\r\nq\r\n#TS:100\r\n"
                        "*3\r\n$3\r\nset\r\n$1\r\nr\r\n$1\r\ns\r\n#TS:200\r\n"
                        "*3\r\n$3\r\nset\r\n$1\r\nt\r\n$1\r\nu\r\n";
    const char *files[] = {"appendonly.aof.manifest", manifest, "appendonly.aof.1.base.aof", base,
                           "appendonly.aof.1.incr.aof", incr1, "appendonly.aof.2.incr.aof",
                           ts_file, NULL};
    /* The cut point is in the last file: cut there. */
    test_compare_truncate(files, "--truncate-to-timestamp 250 appendonly.aof.manifest", 0,
                          "Successfully truncated AOF appendonly.aof.2.incr.aof to timestamp 250\n");
    /* In an earlier file: refused, nothing changed. */
    test_compare_truncate(files, "--truncate-to-timestamp 150 appendonly.aof.manifest", 1,
                          "because it is not the last file.\n");
    /* Later than everything: nothing cut, every file reported. */
    test_compare_truncate(files, "--truncate-to-timestamp 400 appendonly.aof.manifest", 0,
                          "All AOF files and manifest are valid\n");
}
END_TEST

/* A file of ringkv's batches (appendfsync always): cut with
 * ringkv-check-aof, then loaded by ringkv-server with exactly the writes
 * before the cut. The server stages a #TS line at the start of a loop
 * iteration's records, so here it opens a batch and the cut drops that
 * batch's header with it; a #TS in the middle of a batch (staging that
 * gathered over several iterations while a write was in flight) cannot be
 * forced from outside, and tests/engine/aof_truncate_test.c covers that
 * header rewrite. */
START_TEST(test_truncate_ringkv_batches_loads)
{
    if (!test_tools_available() || server_is_redis())
        return;
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always",
                          "--aof-timestamp-enabled", "yes", NULL};
    char dir[300];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    struct conn *c = conn_open(h->port);
    test_set_range(c, "early", 5);
    time_t cut = time(NULL);
    while (time(NULL) <= cut)
        harness_sleep_ms(20);
    char burst[4096] = "";
    for (int i = 0; i < 20; i++)
        snprintf(burst + strlen(burst), sizeof(burst) - strlen(burst),
                 "*3\r\n$3\r\nSET\r\n$6\r\nlate%02d\r\n$1\r\nv\r\n", i);
    conn_send_raw(c, burst, strlen(burst));
    for (int i = 0; i < 20; i++)
        free(conn_read_raw(c));
    conn_send(c, "SHUTDOWN");
    ck_assert(conn_wait_closed(c, 10000));
    conn_close(c);
    ck_assert_int_ne(server_wait_exit(h, 10000), -1);
    server_stop(h);
    char manifest[600], tool[600], incr[700];
    snprintf(manifest, sizeof(manifest), "%s/appendonlydir/appendonly.aof.manifest", dir);
    snprintf(incr, sizeof(incr), "%s/appendonlydir/appendonly.aof.1.incr.aof", dir);
    size_t len;
    char *bytes = harness_read_file(incr, &len);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_msg(strstr(bytes, "#ringkv-batch ") != NULL, "no batches in the incr file");
    free(bytes);
    snprintf(tool, sizeof(tool), "%s/ringkv-check-aof", tool_dir);
    int status;
    char *out = harness_output(&status, "'%s' --truncate-to-timestamp %lld '%s'", tool,
                               (long long)cut, manifest);
    ck_assert_msg(status == 0, "%s", out);
    ck_assert_msg(strstr(out, "Successfully truncated AOF") != NULL, "%s", out);
    free(out);
    const char *restart[] = {"--appendonly", "yes", NULL};
    struct server_handle *r = server_start_in(server_binary(), dir, restart);
    c = conn_open(r->port);
    conn_wait_loaded(c, 20000);
    ck_cmd(c, "DBSIZE", ":5\r\n");
    conn_close(c);
    server_stop(r);
}
END_TEST

static Suite *backup_suite(void)
{
    Suite *s = suite_create("backup");
    TCase *tc = tcase_create("backup");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_rdb_backup_under_load);
    tcase_add_test(tc, test_aof_always_backup_under_load);
    tcase_add_test(tc, test_aof_everysec_backup_under_load_with_rewrite);
    tcase_add_test(tc, test_point_in_time_restore);
    tcase_add_test(tc, test_to_timestamp_refuses_rdb_backup);
    tcase_add_test(tc, test_keep_prunes_oldest);
    tcase_add_test(tc, test_corrupt_copy_fails_verification);
    tcase_add_test(tc, test_killed_save_leaves_no_generation);
    tcase_add_test(tc, test_backup_of_redis_server);
    tcase_add_test(tc, test_truncate_to_timestamp_like_redis);
    tcase_add_test(tc, test_truncate_to_timestamp_multi_part_like_redis);
    tcase_add_test(tc, test_truncate_ringkv_batches_loads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(backup_suite());
}
