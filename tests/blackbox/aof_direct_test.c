/* aof_direct_test.c: the AOF log under appendfsync always as a user sees it
 * from outside: which writer runs (INFO), what the INCR file holds after a
 * SIGKILL and after a clean shutdown, and that redis-server 7.0,
 * redis-check-aof and ringkv itself read those files.
 *
 * Under always ringkv writes its INCR with O_DIRECT into space pre-written
 * with padding lines, each batch behind a "#ringkv-batch" header line; both
 * are annotations to Redis 7.0. Where O_DIRECT is refused it falls back to
 * the buffered writer (plain Redis records) and says why. Sections:
 *   - the writer in use: direct by default, buffered with aof-direct-io no,
 *     when O_DIRECT is refused (the fault shim's "direct" rule), and under
 *     everysec;
 *   - interop: a ringkv killed under a write load leaves a directory that
 *     redis-server 7.0 loads as it is and redis-check-aof accepts, with
 *     every acknowledged write; a cleanly stopped one leaves no padding;
 *     ringkv itself loads both;
 *   - a change of appendfsync at runtime moves the log between writers
 *     without losing a write.
 * ringkv-only: redis-server has no direct writer (each test returns at once
 * when RINGKV_SERVER is redis-server). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"
#define REDIS_CHECK_AOF "/usr/bin/redis-check-aof"
#define INCR_NAME "appendonly.aof.1.incr.aof"
#define BATCH_HEADER "#ringkv-batch "
/* Keys the kill test writes from each of its clients, pipelined. */
#define KILL_CLIENTS 4
#define KILL_KEYS_PER_CLIENT 400
#define KILL_PIPELINE 20

static struct server_args args_always(void)
{
    struct server_args a = {.n = 0};
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--appendfsync", "always");
    server_args_add(&a, "--aof-prewrite-size", "1mb");
    /* Several batches in flight (the default is 1): gaps of padding
     * between batches must load everywhere too. */
    server_args_add(&a, "--aof-batches-in-flight", "4");
    return a;
}

static void incr_path(char *out, size_t out_len, const char *dir)
{
    snprintf(out, out_len, "%s/appendonlydir/%s", dir, INCR_NAME);
}

static long incr_size(const char *dir)
{
    char path[512];
    incr_path(path, sizeof(path), dir);
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static char *incr_read(const char *dir, size_t *len)
{
    char path[512];
    incr_path(path, sizeof(path), dir);
    char *bytes = harness_read_file(path, len);
    ck_assert_msg(bytes != NULL, "cannot read %s", path);
    return bytes;
}

/* Whether the file ends in padding: its last line is '#' and spaces. */
static bool ends_in_padding(const char *bytes, size_t len)
{
    if (len < 2 || bytes[len - 1] != '\n')
        return false;
    size_t i = len - 1;
    while (i > 0 && bytes[i - 1] == ' ')
        i--;
    return i > 0 && bytes[i - 1] == '#' && (i == 1 || bytes[i - 2] == '\n');
}

static void expect_writer(struct conn *c, const char *io, const char *reason_part)
{
    char *got = conn_info_field(c, "ringkv_aof_log_io");
    ck_assert_msg(got != NULL && strcmp(got, io) == 0, "writer %s, expected %s", got ? got : "-", io);
    free(got);
    char *reason = conn_info_field(c, "ringkv_aof_log_io_reason");
    ck_assert_msg(reason != NULL && strstr(reason, reason_part) != NULL,
                  "reason \"%s\" lacks \"%s\"", reason ? reason : "-", reason_part);
    free(reason);
}

/* SETs k<from..to) = v<i> on c, pipelined, all acknowledged. */
static void set_range(struct conn *c, int from, int to)
{
    for (int i = from; i < to;) {
        int n = 0;
        for (; n < KILL_PIPELINE && i + n < to; n++) {
            char line[64];
            snprintf(line, sizeof(line), "SET k%d v%d", i + n, i + n);
            conn_send(c, line);
        }
        for (int j = 0; j < n; j++) {
            char *reply = conn_read_raw(c);
            ck_assert_str_eq(reply, "+OK\r\n");
            free(reply);
        }
        i += n;
    }
}

static void expect_keys(struct conn *c, int from, int to)
{
    for (int i = from; i < to; i++) {
        char line[64], want[64];
        snprintf(line, sizeof(line), "GET k%d", i);
        char value[32];
        int vlen = snprintf(value, sizeof(value), "v%d", i);
        snprintf(want, sizeof(want), "$%d\r\n%s\r\n", vlen, value);
        char *reply = conn_cmd(c, line);
        ck_assert_msg(strcmp(reply, want) == 0, "k%d: %s", i, harness_escape(reply));
        free(reply);
    }
}

/* ---- The writer in use ---- */

START_TEST(test_always_writes_direct_batches)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    expect_writer(c, "direct", "O_DIRECT");
    set_range(c, 0, 100);
    /* Pre-written: the file is whole blocks, at least one chunk ahead. */
    long size = incr_size(dir);
    ck_assert_int_ge(size, 1 << 20);
    ck_assert_int_eq(size % 4096, 0);
    size_t len;
    char *bytes = incr_read(dir, &len);
    ck_assert_ptr_nonnull(memmem(bytes, len, BATCH_HEADER "0000000000000001 ", 31));
    ck_assert(ends_in_padding(bytes, len));
    free(bytes);
    char *batches = conn_info_field(c, "ringkv_aof_batches");
    ck_assert_int_ge(atol(batches), 1);
    free(batches);
    conn_close(c);
    server_stop(h);
}
END_TEST

static long info_long(struct conn *c, const char *field)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL, "INFO has no %s", field);
    long n = atol(v);
    free(v);
    return n;
}

/* Batch writes made, and of them made inline, since the last call. */
struct inline_count {
    long batches, inline_writes;
};

static struct inline_count inline_delta(struct conn *c, struct inline_count *last)
{
    struct inline_count now = {info_long(c, "ringkv_aof_batches"),
                               info_long(c, "ringkv_aof_inline_writes")};
    struct inline_count d = {now.batches - last->batches, now.inline_writes - last->inline_writes};
    *last = now;
    return d;
}

/* count SETs of w<i> to value on w, one at a time; with r, each beside a
 * GET of the durable key k1 on r while the SET is on its way. */
static void sets_beside_reads(struct conn *w, struct conn *r, int count, const char *value)
{
    for (int i = 0; i < count; i++) {
        char line[64];
        snprintf(line, sizeof(line), "SET w%d %s", i, value);
        conn_send(w, line);
        if (r) {
            char *got = conn_cmd(r, "GET k1");
            ck_assert_str_eq(got, "$2\r\nv1\r\n");
            free(got);
        }
        char *reply = conn_read_raw(w);
        ck_assert_str_eq(reply, "+OK\r\n");
        free(reply);
    }
}

/* aof-write-inline auto: a write load alone gets inline writes (every
 * client waits for the batch anyway); while replies that need no wait go
 * out (GETs of durable keys), the batches go through the ring so the loop
 * stays free to answer them; yes writes inline whatever the load. */
START_TEST(test_write_inline_auto_follows_reads)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *w = conn_open(h->port), *r = conn_open(h->port);
    char *mode = conn_info_field(w, "ringkv_aof_write_inline");
    ck_assert_str_eq(mode, "auto");
    free(mode);
    set_range(w, 0, 10);
    struct inline_count last = {0, 0};
    inline_delta(w, &last);
    harness_sleep_ms(50); /* quiet: INFO's own reply needed no wait either */

    sets_beside_reads(w, NULL, 200, "x");
    struct inline_count d = inline_delta(w, &last);
    ck_assert_int_ge(d.batches, 200);
    ck_assert_msg(d.inline_writes >= d.batches - 5, "writes alone: %ld of %ld batches inline",
                  d.inline_writes, d.batches);

    /* The same writes, each beside a GET of a durable key on another
     * connection: the GET needs no wait, so the loop keeps free. */
    sets_beside_reads(w, r, 200, "y");
    d = inline_delta(w, &last);
    ck_assert_int_ge(d.batches, 100);
    ck_assert_msg(d.inline_writes <= d.batches / 10, "writes beside reads: %ld of %ld batches inline",
                  d.inline_writes, d.batches);

    /* yes: inline whatever the load. */
    ck_cmd(w, "CONFIG SET aof-write-inline yes", "+OK\r\n");
    inline_delta(w, &last);
    sets_beside_reads(w, r, 50, "z");
    d = inline_delta(w, &last);
    ck_assert_int_ge(d.inline_writes, d.batches - 1);
    conn_close(w);
    conn_close(r);
    server_stop(h);
}
END_TEST

START_TEST(test_aof_direct_io_no_is_buffered)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    server_args_add(&a, "--aof-direct-io", "no");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    expect_writer(c, "buffered", "aof-direct-io is no");
    set_range(c, 0, 50);
    size_t len;
    char *bytes = incr_read(dir, &len);
    ck_assert_ptr_null(memmem(bytes, len, BATCH_HEADER, strlen(BATCH_HEADER)));
    ck_assert(!ends_in_padding(bytes, len));
    free(bytes);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A filesystem that refuses O_DIRECT (the shim fails the probe's open and
 * fcntl's F_SETFL): the buffered writer runs, says why, and keeps every
 * acknowledged write across a SIGKILL. */
START_TEST(test_o_direct_refused_falls_back)
{
    if (server_is_redis())
        return;
    if (!fsfault_available())
        return;
    struct fsfault f;
    fsfault_init(&f);
    fsfault_arm(&f, "direct EINVAL");
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in_env(server_binary(), dir, a.v, f.env);
    struct conn *c = conn_open(h->port);
    expect_writer(c, "buffered", "O_DIRECT refused");
    set_range(c, 0, 200);
    conn_close(c);
    server_kill(h, SIGKILL);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    expect_keys(c, 0, 200);
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_everysec_is_buffered)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = {.n = 0};
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--appendfsync", "everysec");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    expect_writer(c, "buffered", "appendfsync is not always");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- Interop ---- */

/* Copies dir's appendonlydir into a new directory for redis-server, runs
 * redis-check-aof on it, starts redis-server 7.0 there and checks k0 ..
 * k<keys-1> and the key count. */
static void redis_loads(const char *dir, int keys, long long dbsize)
{
    if (access(REDIS_SERVER, X_OK) != 0 || access(REDIS_CHECK_AOF, X_OK) != 0) {
        fprintf(stderr, "aof_direct_test: %s or %s missing, interop part skipped\n", REDIS_SERVER,
                REDIS_CHECK_AOF);
        return;
    }
    char copy[256];
    harness_make_dir(copy, sizeof(copy));
    ck_assert_int_eq(harness_system("cp -r %s/appendonlydir %s/", harness_escape(dir), copy), 0);
    int status;
    char *out = harness_output(&status, "%s %s/appendonlydir/appendonly.aof.manifest 2>&1",
                               REDIS_CHECK_AOF, copy);
    ck_assert_msg(status == 0 && strstr(out, "All AOF files and manifest are valid") != NULL,
                  "redis-check-aof:\n%s", out);
    free(out);
    const char *args[] = {"--appendonly", "yes", "--save", "", NULL};
    struct server_handle *r = server_start_in(REDIS_SERVER, copy, args);
    struct conn *c = conn_open(r->port);
    conn_wait_loaded(c, 20000);
    expect_keys(c, 0, keys);
    long long got = conn_cmd_integer(c, "DBSIZE");
    if (got != dbsize) {
        char *names = conn_cmd(c, "KEYS *");
        ck_assert_msg(0, "redis-server loaded %lld keys, not %lld: %s", got, dbsize,
                      harness_escape(names));
    }
    conn_close(c);
    server_stop(r);
}

/* SIGKILL while clients write: every acknowledged write is in the files,
 * which hold batches and pre-written padding; redis-server loads them as
 * they are, redis-check-aof accepts them, and ringkv restarts on them
 * (cutting the padding, then pre-writing again). */
START_TEST(test_killed_ringkv_files_load_in_redis_and_ringkv)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c[KILL_CLIENTS];
    for (int i = 0; i < KILL_CLIENTS; i++)
        c[i] = conn_open(h->port);
    /* Interleaved pipelines from several clients: several batches in flight. */
    for (int step = 0; step < KILL_KEYS_PER_CLIENT; step += KILL_PIPELINE) {
        for (int i = 0; i < KILL_CLIENTS; i++) {
            int base = i * KILL_KEYS_PER_CLIENT + step;
            set_range(c[i], base, base + KILL_PIPELINE);
        }
    }
    int keys = KILL_CLIENTS * KILL_KEYS_PER_CLIENT;
    for (int i = 0; i < KILL_CLIENTS; i++)
        conn_close(c[i]);
    server_kill(h, SIGKILL);
    size_t len;
    char *bytes = incr_read(dir, &len);
    ck_assert(ends_in_padding(bytes, len));
    free(bytes);
    redis_loads(dir, keys, keys);
    h = server_start_in(server_binary(), dir, a.v);
    struct conn *k = conn_open(h->port);
    expect_keys(k, 0, keys);
    ck_assert_int_eq(conn_cmd_integer(k, "DBSIZE"), keys);
    conn_close(k);
    server_stop(h);
}
END_TEST

/* A clean shutdown cuts the padding: the INCR ends with its last record,
 * as Redis's would, and Redis and ringkv load it. */
START_TEST(test_clean_shutdown_leaves_no_padding)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    set_range(c, 0, 300);
    conn_close(c);
    ck_assert_int_eq(server_stop(h), 0);
    size_t len;
    char *bytes = incr_read(dir, &len);
    ck_assert(len > 0 && !ends_in_padding(bytes, len));
    ck_assert_msg(len >= 2 && memcmp(bytes + len - 2, "\r\n", 2) == 0, "the INCR ends with %s",
                  harness_escape(bytes + (len > 40 ? len - 40 : 0)));
    free(bytes);
    redis_loads(dir, 300, 300);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    expect_keys(c, 0, 300);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A value larger than a direct batch (16 MB), alone and inside a
 * transaction: batches hold whole records, so it goes out plain right
 * after the last batch and the log turns direct again behind it. Every
 * write survives a SIGKILL, in ringkv and in redis-server. */
START_TEST(test_record_larger_than_a_batch)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    server_args_add(&a, "--auto-aof-rewrite-percentage", "0");
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    size_t big_len = 20u << 20;
    char *big = malloc(big_len);
    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < big_len; i++)
        big[i] = (char)('a' + i % 26);
    set_range(c, 0, 10);
    const char *set_argv[] = {"SET", "big", big};
    size_t set_lens[] = {3, 3, big_len};
    conn_send_argv(c, 3, set_argv, set_lens);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    set_range(c, 10, 20);
    ck_cmd(c, "MULTI", "+OK\r\n");
    const char *set2_argv[] = {"SET", "big2", big};
    size_t set2_lens[] = {3, 4, big_len};
    conn_send_argv(c, 3, set2_argv, set2_lens);
    reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+QUEUED\r\n");
    free(reply);
    ck_cmd(c, "SET k20 v20", "+QUEUED\r\n");
    reply = conn_cmd(c, "EXEC");
    ck_assert_str_eq(reply, "*2\r\n+OK\r\n+OK\r\n");
    free(reply);
    set_range(c, 21, 40);
    expect_writer(c, "direct", "O_DIRECT"); /* direct again behind it */
    conn_close(c);
    server_kill(h, SIGKILL);
    redis_loads(dir, 40, 42);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    expect_keys(c, 0, 40);
    ck_assert_int_eq(conn_cmd_integer(c, "STRLEN big"), (long long)big_len);
    ck_assert_int_eq(conn_cmd_integer(c, "STRLEN big2"), (long long)big_len);
    ck_assert_int_eq(conn_cmd_integer(c, "DBSIZE"), 42);
    conn_close(c);
    server_stop(h);
    free(big);
}
END_TEST

/* ---- A change of policy at runtime ---- */

START_TEST(test_policy_changes_move_the_log)
{
    if (server_is_redis())
        return;
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_always();
    struct server_handle *h = server_start_in(server_binary(), dir, a.v);
    struct conn *c = conn_open(h->port);
    set_range(c, 0, 100);
    ck_cmd(c, "CONFIG SET appendfsync everysec", "+OK\r\n");
    expect_writer(c, "buffered", "not always");
    set_range(c, 100, 200);
    ck_cmd(c, "CONFIG SET appendfsync always", "+OK\r\n");
    expect_writer(c, "direct", "O_DIRECT");
    set_range(c, 200, 300);
    conn_close(c);
    server_kill(h, SIGKILL);
    h = server_start_in(server_binary(), dir, a.v);
    c = conn_open(h->port);
    expect_keys(c, 0, 300);
    conn_close(c);
    server_stop(h);
    redis_loads(dir, 300, 300);
}
END_TEST

static Suite *aof_direct_suite(void)
{
    Suite *s = suite_create("aof_direct");
    TCase *t = tcase_create("writer");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_always_writes_direct_batches);
    tcase_add_test(t, test_aof_direct_io_no_is_buffered);
    tcase_add_test(t, test_write_inline_auto_follows_reads);
    tcase_add_test(t, test_o_direct_refused_falls_back);
    tcase_add_test(t, test_everysec_is_buffered);
    suite_add_tcase(s, t);
    t = tcase_create("interop");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, test_killed_ringkv_files_load_in_redis_and_ringkv);
    tcase_add_test(t, test_clean_shutdown_leaves_no_padding);
    tcase_add_test(t, test_record_larger_than_a_batch);
    tcase_add_test(t, test_policy_changes_move_the_log);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return harness_run_suite(aof_direct_suite());
}
