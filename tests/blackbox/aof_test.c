/* aof_test.c: the append-only file, end to end (Redis 7.0's multi-part AOF).
 *
 * Each test starts its own server in a fresh directory with --save "" and
 * looks at the result only from outside: replies, DEBUG DIGEST (which covers
 * every key, value and expiry flag of every database), INFO persistence, and
 * the files under appendonlydir/ (the manifest, the BASE and INCR files).
 * Sections:
 *   - restart recovery under each appendfsync policy, with and without a
 *     BGREWRITEAOF in the middle;
 *   - crash durability: SIGKILL under appendfsync always loses no
 *     acknowledged write;
 *   - the record format: argv as sent, relative TTLs made absolute, MULTI
 *     and SELECT where Redis puts them;
 *   - the file layout and manifest text, before and after a rewrite;
 *   - a truncated tail (tolerated or refused) and corruption in the middle
 *     (refused);
 *   - rewrites racing a stream of INCRs;
 *   - interop with the real redis-server 7.0.15 in both directions;
 *   - CONFIG SET appendonly at runtime, INFO fields, DEBUG LOADAOF;
 *   - two ringkv-only behaviours: loading dump.rdb when no AOF exists yet
 *     (Redis starts empty there, its issue 12484), and recovering from a
 *     write error (Redis dies of SIGXFSZ under RLIMIT_FSIZE).
 * Every expectation was first checked against redis-server 7.0.15 with
 * RINGKV_SERVER=/usr/bin/redis-server. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"
#define REDIS_CHECK_AOF "/usr/bin/redis-check-aof"
#define AOF_DIR "appendonlydir"
#define AOF_MANIFEST "appendonly.aof.manifest"
/* How long a test waits for a rewrite, or for its history files to go. */
#define REWRITE_WAIT_MS 20000
#define HISTORY_WAIT_MS 5000
/* Members of the collections big enough for the non-compact encodings
 * (past the 128-entry listpack and 512-entry intset limits). */
#define BIG_COLLECTION 600
/* Crash test: cycles of load-then-SIGKILL, SETs per pipelined batch, and the
 * window in which the kill lands after the load starts. */
#define CRASH_CYCLES 3
#define CRASH_BATCH 300
#define CRASH_KILL_MIN_MS 300
#define CRASH_KILL_SPAN_MS 700
#define CRASH_LOAD_MAX_MS 15000
/* SIGTERM test: load-then-SIGTERM cycles per policy, and the window in
 * which the signal lands (from the first batch on). */
#define SIGTERM_CYCLES 3
#define SIGTERM_DELAY_SPAN_MS 50
/* Keys checked per MGET when verifying. */
#define MGET_KEYS 500
/* Rewrite race: rewrites, INCRs per pipelined batch, preloaded keys (so a
 * rewrite takes long enough to overlap many batches). */
#define RACE_REWRITES 3
#define RACE_BATCH 200
#define RACE_PRELOAD_KEYS 100000
#define RACE_PRELOAD_PER_MSET 1000
/* Disk-error test: headroom under the file size limit, writes attempted
 * before giving up on seeing the error, and how long recovery may take. */
#define FSIZE_HEADROOM_BYTES 16384
#define FSIZE_WRITES_MAX 20000
#define FSIZE_RECOVER_MS 4000
/* How long a write's reply is waited for before it counts as held. */
#define FSIZE_HELD_WAIT_MS 1500

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const fsync_policies[] = {"always", "everysec", "no"};
static const char *const preambles[] = {"yes", "no"};

/* ---- Small utilities ---- */

/* The arguments of an AOF server: DEBUG allowed (DIGEST, LOADAOF), AOF on,
 * and the fsync policy and BASE format when given (NULL keeps the default). */
static struct server_args args_aof(const char *fsync_policy, const char *preamble)
{
    struct server_args a = {.n = 0};
    server_args_add(&a, "--enable-debug-command", "yes");
    server_args_add(&a, "--appendonly", "yes");
    if (fsync_policy != NULL)
        server_args_add(&a, "--appendfsync", fsync_policy);
    if (preamble != NULL)
        server_args_add(&a, "--aof-use-rdb-preamble", preamble);
    return a;
}

/* Writes "<dir>/appendonlydir/<name>" into out. */
static void aof_path(char *out, size_t out_len, const char *dir, const char *name)
{
    int n = snprintf(out, out_len, "%s/%s/%s", dir, AOF_DIR, name);
    ck_assert_int_lt(n, (int)out_len);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static bool is_incr_name(const char *name)
{
    size_t n = strlen(name);
    return n > 9 && strcmp(name + n - 9, ".incr.aof") == 0;
}

/* A file's size; an INCR's as Redis would have written it (ringkv's batch
 * headers and pre-written padding not counted: harness_aof_plain). */
static long aof_file_size(const char *dir, const char *name)
{
    char path[512];
    aof_path(path, sizeof(path), dir, name);
    if (!is_incr_name(name))
        return file_size(path);
    size_t len;
    char *bytes = harness_read_file(path, &len);
    if (bytes == NULL)
        return -1;
    long plain = (long)harness_aof_plain(bytes, len);
    free(bytes);
    return plain;
}

/* A file's bytes; an INCR's as Redis would have written them. */
static char *aof_read(const char *dir, const char *name, size_t *len)
{
    char path[512];
    aof_path(path, sizeof(path), dir, name);
    size_t n;
    char *bytes = harness_read_file(path, &n);
    ck_assert_msg(bytes != NULL, "cannot read %s", path);
    if (is_incr_name(name))
        n = harness_aof_plain(bytes, n);
    if (len != NULL)
        *len = n;
    return bytes;
}

static char *aof_listing(const char *dir)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, AOF_DIR);
    char *list = harness_list_dir(path);
    return list != NULL ? list : strdup("(no directory)\n");
}

/* Waits until appendonlydir holds exactly the names in expected (history
 * files are removed in the background after a rewrite), then asserts it. */
static void wait_listing(const char *dir, const char *expected)
{
    char *list = aof_listing(dir);
    for (int64_t deadline = harness_clock_ms() + HISTORY_WAIT_MS;
         strcmp(list, expected) != 0 && harness_clock_ms() < deadline;) {
        harness_sleep_ms(20);
        free(list);
        list = aof_listing(dir);
    }
    ck_assert_msg(strcmp(list, expected) == 0, "appendonlydir holds:\n%s\nexpected:\n%s", list,
                  expected);
    free(list);
}

static void manifest_expect(const char *dir, const char *expected)
{
    char *manifest = aof_read(dir, AOF_MANIFEST, NULL);
    ck_assert_msg(strcmp(manifest, expected) == 0, "manifest is %s, expected %s",
                  harness_escape(manifest), harness_escape(expected));
    free(manifest);
}

/* Sends every byte or reports that the peer has gone (no test failure:
 * the crash test kills the server while sending). */
static bool send_all(struct conn *c, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(conn_fd(c), buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            harness_sleep_ms(1);
        } else {
            return false;
        }
    }
    return true;
}

/* A growing byte buffer for pipelined commands. */
struct bytes {
    char *p; /* owned */
    size_t len;
    size_t cap;
};

static void bytes_printf(struct bytes *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void bytes_printf(struct bytes *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        ck_assert_ptr_nonnull(b->p);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Appends "SET key:<i> <i>" as a multibulk. */
static void bytes_set_command(struct bytes *b, long i)
{
    char key[32];
    char value[32];
    int key_len = snprintf(key, sizeof(key), "key:%ld", i);
    int value_len = snprintf(value, sizeof(value), "%ld", i);
    bytes_printf(b, "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", key_len, key, value_len,
                 value);
}

/* ---- Replies and INFO ---- */

static void cmd_ok(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] != '-', "%s: %s", line, harness_escape(reply));
    free(reply);
}

static char *digest(struct conn *c)
{
    char *d = conn_cmd(c, "debug digest");
    ck_assert_msg(d[0] == '+', "digest: %s", harness_escape(d));
    return d;
}

static long info_long(struct conn *c, const char *field)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL, "INFO has no %s", field);
    long n = strtol(v, NULL, 10);
    free(v);
    return n;
}

/* Waits until no rewrite runs or is scheduled, and the last one succeeded. */
static void wait_rewrite_done(struct conn *c)
{
    int64_t deadline = harness_clock_ms() + REWRITE_WAIT_MS;
    while (!conn_info_is(c, "aof_rewrite_in_progress", "0") ||
           !conn_info_is(c, "aof_rewrite_scheduled", "0")) {
        ck_assert_msg(harness_clock_ms() < deadline, "rewrite still running after %d ms", REWRITE_WAIT_MS);
        harness_sleep_ms(10);
    }
    ck_assert_msg(conn_info_is(c, "aof_last_bgrewrite_status", "ok"), "the rewrite failed");
}

static void rewrite_and_wait(struct conn *c)
{
    ck_cmd(c, "bgrewriteaof", "+Background append only file rewriting started\r\n");
    wait_rewrite_done(c);
}

/* Starts binary in dir and waits until it has loaded its data. */
static struct server_handle *start_loaded(const char *binary, const char *dir,
                                          const struct server_args *a)
{
    struct server_handle *h = server_start_in(binary, dir, a->v);
    struct conn *c = conn_open(h->port);
    conn_wait_loaded(c, REWRITE_WAIT_MS);
    conn_close(c);
    return h;
}

/* For a server expected to refuse its files: starts binary in dir and
 * returns NULL with the exit status in *status if it exits before it
 * has loaded (Redis answers -LOADING while it reads the AOF, then exits),
 * or the server once it answers +PONG. */
static struct server_handle *try_start_loaded(const char *binary, const char *dir,
                                              const struct server_args *a, int *status)
{
    struct server_handle *h = server_try_start_in(binary, dir, a->v, status);
    int64_t deadline = harness_clock_ms() + REWRITE_WAIT_MS;
    while (h != NULL) {
        if (!server_alive(h)) {
            *status = server_kill(h, 0);
            return NULL;
        }
        struct conn *c = conn_try_open(h->port);
        char *reply = NULL;
        if (c != NULL) {
            conn_send(c, "ping");
            reply = conn_try_read_raw(c, 1000);
            conn_close(c);
        }
        bool ready = reply != NULL && strcmp(reply, "+PONG\r\n") == 0;
        free(reply);
        if (ready)
            break;
        ck_assert_msg(harness_clock_ms() < deadline, "still loading after %d ms", REWRITE_WAIT_MS);
        harness_sleep_ms(10);
    }
    return h;
}

/* ---- The dataset ---- */

/* Creates key with n members through cmd ("rpush", "sadd", "zadd", "hset"),
 * in one command, so the value takes its big encoding. */
static void fill_big(struct conn *c, const char *cmd, const char *key, int n)
{
    bool pairs = strcmp(cmd, "zadd") == 0 || strcmp(cmd, "hset") == 0;
    int argc = 2 + n * (pairs ? 2 : 1);
    const char **argv = calloc((size_t)argc, sizeof(*argv));
    char(*words)[32] = calloc((size_t)n * 2, 32);
    ck_assert_ptr_nonnull(argv);
    ck_assert_ptr_nonnull(words);
    argv[0] = cmd;
    argv[1] = key;
    int k = 2;
    for (int i = 0; i < n; i++) {
        if (pairs) {
            snprintf(words[2 * i], 32, strcmp(cmd, "zadd") == 0 ? "%d.25" : "field%d", i);
            argv[k++] = words[2 * i];
        }
        snprintf(words[2 * i + 1], 32, "member-%d", i);
        argv[k++] = words[2 * i + 1];
    }
    char *reply = conn_cmd_argv(c, k, argv, NULL);
    ck_assert_msg(reply[0] == ':', "%s %s: %s", cmd, key, harness_escape(reply));
    free(reply);
    free(words);
    free(argv);
}

/* Every type in small and big encodings, TTLs, and databases 0, 3 and 15. */
static void fill_part_one(struct conn *c)
{
    cmd_ok(c, "set s:small hello");
    cmd_ok(c, "set s:int 12345");
    cmd_ok(c, "set s:raw aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    cmd_ok(c, "set s:ttl v ex 1000");
    cmd_ok(c, "incr counter");
    cmd_ok(c, "incrby counter 41");
    cmd_ok(c, "rpush l:small a b c 1 2");
    cmd_ok(c, "hset h:small f1 v1 f2 v2");
    cmd_ok(c, "pexpire h:small 500000");
    cmd_ok(c, "sadd set:int 1 2 3");
    cmd_ok(c, "sadd set:small a b c");
    cmd_ok(c, "zadd z:small 1 a 2.5 b -3 c");
    fill_big(c, "rpush", "big:list", BIG_COLLECTION);
    fill_big(c, "hset", "big:hash", BIG_COLLECTION);
    fill_big(c, "sadd", "big:set", BIG_COLLECTION);
    fill_big(c, "zadd", "big:zset", BIG_COLLECTION);
    cmd_ok(c, "expire big:zset 3000");
    cmd_ok(c, "select 3");
    cmd_ok(c, "set in3 three");
    cmd_ok(c, "rpush l3 x y z");
    cmd_ok(c, "expire l3 2000");
    cmd_ok(c, "select 15");
    cmd_ok(c, "set in15 fifteen");
    cmd_ok(c, "zadd z15 1 one 2 two");
    cmd_ok(c, "select 0");
}

/* Overwrites, deletes and commands whose AOF form differs from what was
 * sent (relative TTLs, INCRBYFLOAT, GETEX), on top of part one. */
static void fill_part_two(struct conn *c)
{
    cmd_ok(c, "set s:int 999");
    cmd_ok(c, "del set:small");
    cmd_ok(c, "lpop l:small");
    cmd_ok(c, "hdel big:hash field7");
    cmd_ok(c, "srem big:set member-3");
    cmd_ok(c, "zrem big:zset member-5");
    cmd_ok(c, "zincrby z:small 10 a");
    cmd_ok(c, "rpush big:list tail");
    cmd_ok(c, "set s:px p px 900000");
    cmd_ok(c, "persist s:ttl");
    cmd_ok(c, "set f 1.5");
    cmd_ok(c, "incrbyfloat f 2.25");
    cmd_ok(c, "set s:getex g");
    cmd_ok(c, "getex s:getex ex 4000");
    cmd_ok(c, "append s:small world");
    cmd_ok(c, "select 3");
    cmd_ok(c, "del in3");
    cmd_ok(c, "set in3b again");
    cmd_ok(c, "select 15");
    cmd_ok(c, "hset h15 a 1");
    cmd_ok(c, "hincrby h15 a 5");
    cmd_ok(c, "select 0");
}

/* What a restart must keep: the digest, each database's size, and the
 * absolute expiry of the keys with TTLs (the digest only sees whether a key
 * has one). */
static const char *const snapshot_ttl_keys[] = {"s:ttl", "h:small", "big:zset", "s:px",
                                                "s:getex"};
#define SNAPSHOT_TTL_KEYS (sizeof(snapshot_ttl_keys) / sizeof(snapshot_ttl_keys[0]))
static const int snapshot_dbs[] = {0, 3, 15};
#define SNAPSHOT_DBS (sizeof(snapshot_dbs) / sizeof(snapshot_dbs[0]))

struct snapshot {
    char *digest; /* owned */
    char *dbsize[SNAPSHOT_DBS];
    char *expiretime[SNAPSHOT_TTL_KEYS];
};

static void snapshot_take(struct conn *c, struct snapshot *s)
{
    s->digest = digest(c);
    for (size_t i = 0; i < SNAPSHOT_DBS; i++) {
        char line[32];
        snprintf(line, sizeof(line), "select %d", snapshot_dbs[i]);
        ck_cmd(c, line, "+OK\r\n");
        s->dbsize[i] = conn_cmd(c, "dbsize");
    }
    ck_cmd(c, "select 0", "+OK\r\n");
    for (size_t i = 0; i < SNAPSHOT_TTL_KEYS; i++) {
        const char *argv[] = {"pexpiretime", snapshot_ttl_keys[i]};
        s->expiretime[i] = conn_cmd_argv(c, 2, argv, NULL);
    }
}

static void snapshot_expect(struct conn *c, struct snapshot *before)
{
    struct snapshot after;
    snapshot_take(c, &after);
    ck_assert_str_eq(after.digest, before->digest);
    for (size_t i = 0; i < SNAPSHOT_DBS; i++)
        ck_assert_msg(strcmp(after.dbsize[i], before->dbsize[i]) == 0, "db %d: dbsize %s, was %s",
                      snapshot_dbs[i], harness_escape(after.dbsize[i]),
                      harness_escape(before->dbsize[i]));
    for (size_t i = 0; i < SNAPSHOT_TTL_KEYS; i++)
        ck_assert_msg(strcmp(after.expiretime[i], before->expiretime[i]) == 0,
                      "%s: pexpiretime %s, was %s", snapshot_ttl_keys[i],
                      harness_escape(after.expiretime[i]), harness_escape(before->expiretime[i]));
    free(after.digest);
    for (size_t i = 0; i < SNAPSHOT_DBS; i++)
        free(after.dbsize[i]);
    for (size_t i = 0; i < SNAPSHOT_TTL_KEYS; i++)
        free(after.expiretime[i]);
}

static void snapshot_free(struct snapshot *s)
{
    free(s->digest);
    for (size_t i = 0; i < SNAPSHOT_DBS; i++)
        free(s->dbsize[i]);
    for (size_t i = 0; i < SNAPSHOT_TTL_KEYS; i++)
        free(s->expiretime[i]);
}

/* Stops h cleanly, starts binary on the same directory with args, and
 * checks that the data matches before. Returns the new server. */
static struct server_handle *restart_expect(struct server_handle *h, const char *binary,
                                            const char *dir, const struct server_args *a,
                                            struct snapshot *before)
{
    server_stop(h);
    h = start_loaded(binary, dir, a);
    struct conn *c = conn_open(h->port);
    snapshot_expect(c, before);
    conn_close(c);
    return h;
}

/* Checks that key:<i> holds <i> for every i in [first, first + count), with
 * MGET in chunks. */
static void keys_expect(struct conn *c, long first, long count)
{
    const char **argv = calloc(MGET_KEYS + 1, sizeof(*argv));
    char(*keys)[32] = calloc(MGET_KEYS, 32);
    ck_assert_ptr_nonnull(argv);
    ck_assert_ptr_nonnull(keys);
    argv[0] = "mget";
    for (long base = first; base < first + count; base += MGET_KEYS) {
        long n = first + count - base < MGET_KEYS ? first + count - base : MGET_KEYS;
        for (long k = 0; k < n; k++) {
            snprintf(keys[k], 32, "key:%ld", base + k);
            argv[k + 1] = keys[k];
        }
        char *reply = conn_cmd_argv(c, (int)n + 1, argv, NULL);
        char *p = strchr(reply, '\n') + 1; /* past "*<n>\r\n" */
        for (long k = 0; k < n; k++) {
            char expected[48];
            long value = base + k;
            snprintf(expected, sizeof(expected), "$%d\r\n%ld\r\n",
                     snprintf(NULL, 0, "%ld", value), value);
            ck_assert_msg(strncmp(p, expected, strlen(expected)) == 0,
                          "acknowledged key:%ld lost or wrong: %s", value,
                          harness_escape(strndup(p, 40)));
            p += strlen(expected);
        }
        free(reply);
    }
    free(keys);
    free(argv);
}

/* ---- 1. Restart recovery ---- */

START_TEST(test_restart_recovers_each_policy)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(fsync_policies[_i], NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    fill_part_two(c);
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);
    h = restart_expect(h, server_binary(), dir, &a, &before);
    /* A second restart reads the same files plus nothing: still equal. */
    h = restart_expect(h, server_binary(), dir, &a, &before);
    snapshot_free(&before);
    server_stop(h);
}
END_TEST

/* Policy and BASE format for each run of the rewrite variant. */
static const char *const rewrite_runs[][2] = {
    {"always", "yes"}, {"everysec", "no"}, {"no", "yes"}};

START_TEST(test_restart_after_rewrite_recovers)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(rewrite_runs[_i][0], rewrite_runs[_i][1]);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    rewrite_and_wait(c);
    fill_part_two(c); /* lands in the new INCR, on top of the new BASE */
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);
    h = restart_expect(h, server_binary(), dir, &a, &before);
    snapshot_free(&before);
    server_stop(h);
}
END_TEST

/* ---- 2. Crash durability under appendfsync always ---- */

/* Forks a process that sends sig to pid after delay_ms. Returns its pid. */
static pid_t killer_start(pid_t pid, int sig, int delay_ms)
{
    pid_t killer = fork();
    ck_assert_int_ge(killer, 0);
    if (killer == 0) {
        harness_sleep_ms(delay_ms);
        kill(pid, sig);
        _exit(0);
    }
    return killer;
}

/* Sends one batch of SET key:<i> <i> from *next on; false once the server
 * has gone. */
static bool crash_send_batch(struct conn *c, struct bytes *batch, long *next)
{
    batch->len = 0;
    for (int k = 0; k < CRASH_BATCH; k++)
        bytes_set_command(batch, *next + k);
    *next += CRASH_BATCH;
    return send_all(c, batch->p, batch->len);
}

/* Pipelines batches of SETs from *next on, two batches in flight so the
 * server always has work when the kill lands, until the server dies.
 * Returns how many were acknowledged (a prefix: replies come in order);
 * *next is left past every key sent. */
static long crash_load(struct conn *c, long *next)
{
    long first = *next;
    long acked = 0;
    struct bytes batch = {.p = NULL};
    int64_t deadline = harness_clock_ms() + CRASH_LOAD_MAX_MS;
    bool alive = crash_send_batch(c, &batch, next);
    while (alive) {
        ck_assert_msg(harness_clock_ms() < deadline, "the server was not killed");
        crash_send_batch(c, &batch, next);
        for (int k = 0; k < CRASH_BATCH && alive; k++) {
            char *reply = conn_try_read_raw(c, 5000);
            alive = reply != NULL;
            ck_assert_msg(!alive || strcmp(reply, "+OK\r\n") == 0, "SET key:%ld: %s",
                          first + acked, harness_escape(reply));
            acked += alive;
            free(reply);
        }
    }
    free(batch.p);
    return acked;
}

START_TEST(test_crash_loses_no_acknowledged_write)
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("always", NULL);
    long firsts[CRASH_CYCLES];
    long ackeds[CRASH_CYCLES];
    long next = 0;
    for (int cycle = 0; cycle <= CRASH_CYCLES; cycle++) {
        struct server_handle *h = start_loaded(server_binary(), dir, &a);
        struct conn *c = conn_open(h->port);
        for (int k = 0; k < cycle; k++)
            keys_expect(c, firsts[k], ackeds[k]);
        char *dbsize = conn_cmd(c, "dbsize");
        ck_assert_msg(strtol(dbsize + 1, NULL, 10) <= next, "more keys than were sent: %s",
                      harness_escape(dbsize));
        free(dbsize);
        if (cycle == CRASH_CYCLES) {
            conn_close(c);
            server_stop(h);
            break;
        }
        int delay_ms = CRASH_KILL_MIN_MS + rand() % CRASH_KILL_SPAN_MS;
        pid_t killer = killer_start(h->pid, SIGKILL, delay_ms);
        firsts[cycle] = next;
        ackeds[cycle] = crash_load(c, &next);
        waitpid(killer, NULL, 0);
        int status = server_kill(h, SIGKILL);
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                      "the server ended with status %#x, not by our SIGKILL (seed %u)", status,
                      seed);
        ck_assert_msg(ackeds[cycle] > 0, "nothing acknowledged in %d ms (seed %u)", delay_ms,
                      seed);
        conn_close(c);
    }
}
END_TEST

/* SIGTERM in the middle of a write load: the server exits cleanly (status
 * 0) and every acknowledged write is there after a restart, whatever the
 * policy, because shutdown flushes and fsyncs the AOF. */
START_TEST(test_sigterm_under_load)
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(fsync_policies[_i], NULL);
    long first[SIGTERM_CYCLES];
    long acked[SIGTERM_CYCLES];
    long next = 0;
    for (int cycle = 0; cycle < SIGTERM_CYCLES; cycle++) {
        struct server_handle *h = start_loaded(server_binary(), dir, &a);
        struct conn *c = conn_open(h->port);
        for (int k = 0; k < cycle; k++)
            keys_expect(c, first[k], acked[k]);
        int delay_ms = rand() % SIGTERM_DELAY_SPAN_MS;
        pid_t killer = killer_start(h->pid, SIGTERM, delay_ms);
        first[cycle] = next;
        acked[cycle] = crash_load(c, &next);
        waitpid(killer, NULL, 0);
        conn_close(c);
        int status = server_kill(h, 0);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "SIGTERM %d ms into the load: status %#x (seed %u)", delay_ms, status,
                      seed);
    }
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    for (int k = 0; k < SIGTERM_CYCLES; k++)
        keys_expect(c, first[k], acked[k]);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- The record format ---- */

/* Commands sent by test_record_format, one connection, in order. */
static const char *const record_commands[] = {
    "set a 1", "expireat a 4102444800", "set b v exat 4102444800",
    "set b2 v px 100000 nx get", "setex c 100 v", "psetex c2 100000 v", "set f 1.5",
    "incrbyfloat f 2.25", "pexpire a 500000", "getex b persist", "getex c ex 50", "set d 1",
    "expire d -1", "set e 1", "pexpireat e 1000", "multi", "set x 1", "set y 2", "exec",
    "select 3", "set z 1"};

/* What Redis 7.0.15 logs for them: argv as sent unless the command
 * rewrites it, relative TTLs made absolute, expired keys deleted, the
 * transaction wrapped, SELECT before the first command in each database.
 * "~N" stands for a unix time in ms N after the moment of the command. */
static const char *const record_expected[] = {
    "SELECT 0", "set a 1", "PEXPIREAT a 4102444800000", "SET b v PXAT 4102444800000",
    "SET b2 v PXAT ~100000", "SET c v PXAT ~100000", "SET c2 v PXAT ~100000", "set f 1.5",
    "SET f 3.75 KEEPTTL", "PEXPIREAT a ~500000", "PERSIST b", "PEXPIREAT c ~50000", "set d 1",
    "DEL d", "set e 1", "DEL e", "MULTI", "set x 1", "set y 2", "EXEC", "SELECT 3", "set z 1"};

/* Parses the RESP record at *p (argv only, no spaces inside arguments, as
 * here) into "arg arg ...", owned; advances *p. NULL at the end or on bytes
 * that are not a record. */
static char *record_next(const char **p, const char *end)
{
    if (*p >= end || **p != '*')
        return NULL;
    char *q;
    long argc = strtol(*p + 1, &q, 10);
    struct bytes out = {.p = NULL};
    bytes_printf(&out, "%s", "");
    q += 2;
    for (long i = 0; i < argc; i++) {
        long len = q < end && *q == '$' ? strtol(q + 1, &q, 10) : -1;
        q += 2;
        if (len < 0 || q + len + 2 > end) {
            free(out.p);
            return NULL;
        }
        bytes_printf(&out, "%s%.*s", i > 0 ? " " : "", (int)len, q);
        q += len + 2;
    }
    *p = q;
    return out.p;
}

/* Compares one logged record with its expectation, "~N" tokens matching a
 * time between t0 + N and t1 + N. */
static bool record_matches(const char *actual, const char *expected, int64_t t0, int64_t t1)
{
    const char *tilde = strchr(expected, '~');
    if (tilde == NULL)
        return strcmp(actual, expected) == 0;
    size_t prefix = (size_t)(tilde - expected);
    if (strncmp(actual, expected, prefix) != 0)
        return false;
    long long offset = strtoll(tilde + 1, NULL, 10);
    long long when = strtoll(actual + prefix, NULL, 10);
    return when >= t0 + offset && when <= t1 + offset;
}

START_TEST(test_record_format)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("always", NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    int64_t t0 = harness_wall_ms();
    for (size_t i = 0; i < COUNT_OF(record_commands); i++)
        cmd_ok(c, record_commands[i]);
    int64_t t1 = harness_wall_ms();
    size_t len;
    char *incr = aof_read(dir, "appendonly.aof.1.incr.aof", &len);
    const char *p = incr;
    for (size_t i = 0; i < COUNT_OF(record_expected); i++) {
        char *record = record_next(&p, incr + len);
        ck_assert_msg(record != NULL, "record %zu: expected %s, the file has no more", i,
                      record_expected[i]);
        ck_assert_msg(record_matches(record, record_expected[i], t0, t1),
                      "record %zu: expected %s, got %s", i, record_expected[i], record);
        free(record);
    }
    ck_assert_msg(p == incr + len, "more after the expected records: %s", harness_escape(p));
    free(incr);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- 3. Layout ---- */

START_TEST(test_layout_fresh_and_after_rewrite)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    wait_listing(dir, "appendonly.aof.1.base.rdb\nappendonly.aof.1.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof.1.base.rdb seq 1 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type i\n");
    char *base = aof_read(dir, "appendonly.aof.1.base.rdb", NULL);
    ck_assert_msg(strncmp(base, "REDIS", 5) == 0, "BASE does not start with REDIS");
    free(base);
    ck_assert_int_eq(aof_file_size(dir, "appendonly.aof.1.incr.aof"), 0);
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    rewrite_and_wait(c);
    wait_listing(dir, "appendonly.aof.2.base.rdb\nappendonly.aof.2.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof.2.base.rdb seq 2 type b\n"
                         "file appendonly.aof.2.incr.aof seq 2 type i\n");
    base = aof_read(dir, "appendonly.aof.2.base.rdb", NULL);
    ck_assert_msg(strncmp(base, "REDIS", 5) == 0, "BASE does not start with REDIS");
    free(base);
    ck_assert_int_eq(aof_file_size(dir, "appendonly.aof.2.incr.aof"), 0);
    /* The rewrite's temporary files are gone from the data directory too. */
    char *root = harness_list_dir(dir);
    ck_assert_msg(strcmp(root, AOF_DIR "\nserver.log\n") == 0, "%s holds:\n%s", dir, root);
    free(root);
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_layout_resp_base)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, "no");
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    wait_listing(dir, "appendonly.aof.1.base.aof\nappendonly.aof.1.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof.1.base.aof seq 1 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type i\n");
    struct conn *c = conn_open(h->port);
    cmd_ok(c, "set a 1");
    cmd_ok(c, "rpush l x y");
    rewrite_and_wait(c);
    wait_listing(dir, "appendonly.aof.2.base.aof\nappendonly.aof.2.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof.2.base.aof seq 2 type b\n"
                         "file appendonly.aof.2.incr.aof seq 2 type i\n");
    char *base = aof_read(dir, "appendonly.aof.2.base.aof", NULL);
    ck_assert_msg(base[0] == '*', "RESP BASE starts with %s", harness_escape(base));
    free(base);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- 4. and 5. Truncated and corrupted files ---- */

START_TEST(test_truncated_tail)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    for (int i = 1; i <= 10; i++) {
        char line[32];
        snprintf(line, sizeof(line), "set k%d v%d", i, i);
        ck_cmd(c, line, "+OK\r\n");
    }
    conn_close(c);
    server_stop(h);

    /* The INCR ends with the last command exactly as the client sent it. */
    static const char last[] = "*3\r\n$3\r\nset\r\n$3\r\nk10\r\n$3\r\nv10\r\n";
    size_t len;
    char *incr = aof_read(dir, "appendonly.aof.1.incr.aof", &len);
    ck_assert_uint_gt(len, sizeof(last));
    ck_assert_msg(memcmp(incr + len - (sizeof(last) - 1), last, sizeof(last) - 1) == 0,
                  "INCR tail: %s", harness_escape(incr + len - (sizeof(last) - 1)));
    free(incr);
    char path[512];
    aof_path(path, sizeof(path), dir, "appendonly.aof.1.incr.aof");
    ck_assert_int_eq(truncate(path, (off_t)len - 3), 0);

    struct server_args refuse = a;
    server_args_add(&refuse, "--aof-load-truncated", "no");
    int status = 0;
    h = try_start_loaded(server_binary(), dir, &refuse, &status);
    ck_assert_msg(h == NULL, "started with a truncated AOF and aof-load-truncated no");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 0, "status %#x", status);
    ck_assert_int_eq(file_size(path), (long)len - 3);

    h = start_loaded(server_binary(), dir, &a);
    ck_assert_int_eq(file_size(path), (long)(len - (sizeof(last) - 1)));
    c = conn_open(h->port);
    ck_cmd(c, "get k9", "$2\r\nv9\r\n");
    ck_cmd(c, "get k10", "$-1\r\n");
    ck_cmd(c, "dbsize", ":9\r\n");
    /* Appends after the repair land after the last whole command. */
    ck_cmd(c, "set after x", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    h = start_loaded(server_binary(), dir, &refuse);
    c = conn_open(h->port);
    ck_cmd(c, "get after", "$1\r\nx\r\n");
    ck_cmd(c, "get k1", "$2\r\nv1\r\n");
    ck_cmd(c, "dbsize", ":10\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_corruption_in_middle_refuses_start)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    char log_path[300];
    snprintf(log_path, sizeof(log_path), "%s/aof.log", dir);
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    for (int i = 0; i < 20; i++) {
        char line[32];
        snprintf(line, sizeof(line), "set k%d v%d", i, i);
        ck_cmd(c, line, "+OK\r\n");
    }
    conn_close(c);
    server_stop(h);

    /* The INCR opens with SELECT 0; break the "$" of the first argument of
     * the command after it, leaving 19 whole commands behind. */
    size_t len;
    char *incr = aof_read(dir, "appendonly.aof.1.incr.aof", &len);
    char *second = strstr(incr + 1, "\r\n*");
    ck_assert_ptr_nonnull(second);
    long offset = (second - incr) + 2 + strlen("*3\r\n");
    ck_assert_int_eq(incr[offset], '$');
    free(incr);
    char path[512];
    aof_path(path, sizeof(path), dir, "appendonly.aof.1.incr.aof");
    FILE *fp = fopen(path, "r+b");
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fseek(fp, offset, SEEK_SET), 0);
    ck_assert_int_eq(fputc('x', fp), 'x');
    ck_assert_int_eq(fclose(fp), 0);

    struct server_args logged = a;
    server_args_add(&logged, "--logfile", log_path);
    int status = 0;
    h = try_start_loaded(server_binary(), dir, &logged, &status);
    ck_assert_msg(h == NULL, "started with a corrupted AOF");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 0, "status %#x", status);
    char *log = harness_read_file(log_path, NULL);
    ck_assert_msg(log != NULL, "no log at %s", log_path);
    ck_assert_msg(strstr(log, "appendonly.aof.1.incr.aof") != NULL,
                  "the log does not name the file:\n%s", log);
    free(log);
    ck_assert_int_eq(file_size(path), (long)len);
}
END_TEST

START_TEST(test_truncated_transaction_reverted)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set before 1", "+OK\r\n");
    char path[512];
    aof_path(path, sizeof(path), dir, "appendonly.aof.1.incr.aof");
    conn_close(c);
    server_stop(h);
    long whole = file_size(path);
    h = start_loaded(server_binary(), dir, &a);
    c = conn_open(h->port);
    ck_cmd(c, "multi", "+OK\r\n");
    ck_cmd(c, "set x 1", "+QUEUED\r\n");
    ck_cmd(c, "set y 2", "+QUEUED\r\n");
    ck_cmd(c, "exec", "*2\r\n+OK\r\n+OK\r\n");
    conn_close(c);
    server_stop(h);

    /* Cut inside the EXEC: the loader must not apply the transaction. */
    long size = file_size(path);
    ck_assert_int_gt(size, whole);
    ck_assert_int_eq(truncate(path, (off_t)size - 3), 0);
    h = start_loaded(server_binary(), dir, &a);
    c = conn_open(h->port);
    ck_cmd(c, "get before", "$1\r\n1\r\n");
    ck_cmd(c, "exists x y", ":0\r\n");
    ck_cmd(c, "set after 1", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    if (server_is_redis())
        return; /* see below */

    /* Redis 7.0.15 cuts only the partial EXEC here, leaving MULTI and its
     * commands in the file; the next load reverts that open transaction
     * and takes "set after 1", logged behind it, down with it: an
     * acknowledged write lost. ringkv cuts back to before MULTI. */
    size_t len;
    char *incr = aof_read(dir, "appendonly.aof.1.incr.aof", &len);
    ck_assert_msg(memmem(incr, len, "MULTI", 5) == NULL, "MULTI left in %s",
                  harness_escape(incr));
    free(incr);
    h = start_loaded(server_binary(), dir, &a);
    c = conn_open(h->port);
    ck_cmd(c, "get after", "$1\r\n1\r\n");
    ck_cmd(c, "exists x y", ":0\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_missing_listed_file_refuses_start)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "set k v", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    char path[512];
    aof_path(path, sizeof(path), dir, "appendonly.aof.1.incr.aof");
    ck_assert_int_eq(unlink(path), 0);
    int status = 0;
    h = try_start_loaded(server_binary(), dir, &a, &status);
    ck_assert_msg(h == NULL, "started without a file its manifest lists");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) != 0, "status %#x", status);
    ck_assert_int_eq(file_size(path), -1);
}
END_TEST

/* ---- Upgrading a single-file AOF (Redis 6 and older) ---- */

/* Puts bytes into <dir>/appendonly.aof, starts the server with AOF on and
 * checks that the file moved into appendonlydir/ as the BASE. */
static struct server_handle *upgrade_start(const char *dir, const struct server_args *a)
{
    struct server_handle *h = start_loaded(server_binary(), dir, a);
    char old_path[300];
    snprintf(old_path, sizeof(old_path), "%s/appendonly.aof", dir);
    ck_assert_int_eq(file_size(old_path), -1);
    wait_listing(dir, "appendonly.aof\nappendonly.aof.1.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof seq 1 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type i\n");
    return h;
}

static void write_file(const char *path, const char *mode, const void *bytes, size_t len)
{
    FILE *fp = fopen(path, mode);
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_upgrade_single_resp_file)
{
    static const char old_aof[] = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                  "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
                                  "*3\r\n$5\r\nrpush\r\n$1\r\nl\r\n$1\r\nx\r\n";
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    char path[300];
    snprintf(path, sizeof(path), "%s/appendonly.aof", dir);
    write_file(path, "wb", old_aof, sizeof(old_aof) - 1);
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = upgrade_start(dir, &a);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "get a", "$1\r\n1\r\n");
    ck_cmd(c, "lrange l 0 -1", "*1\r\n$1\r\nx\r\n");
    ck_cmd(c, "set b 2", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    h = start_loaded(server_binary(), dir, &a);
    c = conn_open(h->port);
    ck_cmd(c, "mget a b", "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(test_upgrade_single_preamble_file)
{
    /* An RDB (from SAVE) followed by RESP commands, as Redis 4 to 6 wrote
     * with aof-use-rdb-preamble yes. */
    static const char tail[] = "*3\r\n$3\r\nset\r\n$4\r\ntail\r\n$1\r\n1\r\n";
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args plain = {.n = 0};
    server_args_add(&plain, "--enable-debug-command", "yes");
    struct server_handle *h = start_loaded(server_binary(), dir, &plain);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    ck_cmd(c, "save", "+OK\r\n");
    ck_cmd(c, "set tail 1", "+OK\r\n");
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);
    server_stop(h);
    char rdb_path[300];
    char aof_file[300];
    snprintf(rdb_path, sizeof(rdb_path), "%s/dump.rdb", dir);
    snprintf(aof_file, sizeof(aof_file), "%s/appendonly.aof", dir);
    ck_assert_int_eq(rename(rdb_path, aof_file), 0);
    write_file(aof_file, "ab", tail, sizeof(tail) - 1);
    struct server_args a = args_aof(NULL, NULL);
    h = upgrade_start(dir, &a);
    c = conn_open(h->port);
    snapshot_expect(c, &before);
    conn_close(c);
    snapshot_free(&before);
    server_stop(h);
}
END_TEST

/* ---- 6. Rewrites racing writes ---- */

/* Adds RACE_PRELOAD_KEYS keys of 100-byte values with MSET. */
static void race_preload(struct conn *c)
{
    static char value[101];
    memset(value, 'v', 100);
    const char **argv = calloc(1 + 2 * RACE_PRELOAD_PER_MSET, sizeof(*argv));
    char(*keys)[32] = calloc(RACE_PRELOAD_PER_MSET, 32);
    ck_assert_ptr_nonnull(argv);
    ck_assert_ptr_nonnull(keys);
    argv[0] = "mset";
    for (int base = 0; base < RACE_PRELOAD_KEYS; base += RACE_PRELOAD_PER_MSET) {
        for (int k = 0; k < RACE_PRELOAD_PER_MSET; k++) {
            snprintf(keys[k], 32, "pre:%d", base + k);
            argv[1 + 2 * k] = keys[k];
            argv[2 + 2 * k] = value;
        }
        char *reply = conn_cmd_argv(c, 1 + 2 * RACE_PRELOAD_PER_MSET, argv, NULL);
        ck_assert_str_eq(reply, "+OK\r\n");
        free(reply);
    }
    free(keys);
    free(argv);
}

/* Sends prefix (may be empty) and RACE_BATCH INCRs in one write, checks the
 * prefix's reply against prefix_reply, and each INCR's reply against the
 * count so far. */
static void race_batch(struct conn *c, const char *prefix, const char *prefix_reply, long *acked)
{
    static const char incr[] = "*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n";
    struct bytes b = {.p = NULL};
    bytes_printf(&b, "%s", prefix);
    for (int k = 0; k < RACE_BATCH; k++)
        bytes_printf(&b, "%s", incr);
    conn_send_raw(c, b.p, b.len);
    free(b.p);
    if (prefix[0] != '\0') {
        char *reply = conn_read_raw(c);
        ck_assert_msg(strcmp(reply, prefix_reply) == 0, "%s", harness_escape(reply));
        free(reply);
    }
    for (int k = 0; k < RACE_BATCH; k++) {
        char *reply = conn_read_raw(c);
        char expected[32];
        snprintf(expected, sizeof(expected), ":%ld\r\n", *acked + 1);
        ck_assert_msg(strcmp(reply, expected) == 0, "INCR: %s, expected %s",
                      harness_escape(reply), harness_escape(expected));
        free(reply);
        (*acked)++;
    }
}

START_TEST(test_rewrite_races_incr)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    struct conn *watch = conn_open(h->port);
    race_preload(c);
    long acked = 0;
    for (int r = 0; r < RACE_REWRITES; r++) {
        /* The INCRs behind BGREWRITEAOF in the same packet run while the
         * child is certainly alive: it cannot be reaped in between. */
        race_batch(c, "*1\r\n$12\r\nBGREWRITEAOF\r\n",
                   "+Background append only file rewriting started\r\n", &acked);
        int64_t deadline = harness_clock_ms() + REWRITE_WAIT_MS;
        while (!conn_info_is(watch, "aof_rewrite_in_progress", "0")) {
            ck_assert_msg(harness_clock_ms() < deadline, "rewrite %d does not finish", r);
            race_batch(c, "", "", &acked);
        }
        ck_assert(conn_info_is(watch, "aof_last_bgrewrite_status", "ok"));
        race_batch(c, "", "", &acked);
    }
    ck_assert_int_eq(info_long(watch, "aof_rewrites"), RACE_REWRITES);
    conn_close(watch);
    conn_close(c);
    server_stop(h);
    h = start_loaded(server_binary(), dir, &a);
    c = conn_open(h->port);
    char expected[48];
    snprintf(expected, sizeof(expected), "$%d\r\n%ld\r\n", snprintf(NULL, 0, "%ld", acked), acked);
    ck_cmd(c, "get counter", expected);
    snprintf(expected, sizeof(expected), ":%d\r\n", RACE_PRELOAD_KEYS + 1);
    ck_cmd(c, "dbsize", expected);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- 7. Interop with redis-server 7.0.15 ---- */

/* Has writer build a dataset in a BASE (format per preamble) plus an INCR,
 * then checks that reader loads the same digest from that directory. */
static void interop_check(const char *writer, const char *reader, const char *preamble)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, preamble);
    struct server_handle *h = start_loaded(writer, dir, &a);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    rewrite_and_wait(c);
    fill_part_two(c);
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);
    h = restart_expect(h, reader, dir, &a, &before);
    snapshot_free(&before);
    server_stop(h);
}

START_TEST(test_redis_loads_our_aof)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    interop_check(server_binary(), REDIS_SERVER, preambles[_i]);
}
END_TEST

START_TEST(test_we_load_redis_aof)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    interop_check(REDIS_SERVER, server_binary(), preambles[_i]);
}
END_TEST

/* ---- 8. CONFIG SET appendonly at runtime ---- */

START_TEST(test_config_set_appendonly)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    /* Under everysec Redis may hold a write back while a background fsync
     * runs, so only always promises the file has it when the reply comes. */
    struct server_args plain = {.n = 0};
    server_args_add(&plain, "--enable-debug-command", "yes");
    server_args_add(&plain, "--appendfsync", "always");
    struct server_handle *h = start_loaded(server_binary(), dir, &plain);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    ck_assert_int_eq(aof_file_size(dir, AOF_MANIFEST), -1);
    ck_cmd(c, "config set appendonly yes", "+OK\r\n");
    ck_assert(conn_info_is(c, "aof_enabled", "1"));
    wait_rewrite_done(c);
    wait_listing(dir, "appendonly.aof.1.base.rdb\nappendonly.aof.1.incr.aof\n" AOF_MANIFEST "\n");
    manifest_expect(dir, "file appendonly.aof.1.base.rdb seq 1 type b\n"
                         "file appendonly.aof.1.incr.aof seq 1 type i\n");
    ck_assert(conn_info_is(c, "aof_enabled", "1"));
    ck_cmd(c, "config get appendonly", "*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n");
    long before_size = aof_file_size(dir, "appendonly.aof.1.incr.aof");
    fill_part_two(c);
    cmd_ok(c, "set logged-after-switch 1");
    size_t len;
    char *incr = aof_read(dir, "appendonly.aof.1.incr.aof", &len);
    ck_assert_int_gt((long)len, before_size);
    ck_assert_ptr_nonnull(memmem(incr, len, "logged-after-switch", 19));
    free(incr);
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);

    struct server_args a = args_aof("always", NULL);
    h = restart_expect(h, server_binary(), dir, &a, &before);
    snapshot_free(&before);
    c = conn_open(h->port);
    ck_cmd(c, "config set appendonly no", "+OK\r\n");
    ck_assert(conn_info_is(c, "aof_enabled", "0"));
    long off_size = aof_file_size(dir, "appendonly.aof.1.incr.aof");
    cmd_ok(c, "set not-logged 1");
    cmd_ok(c, "rpush not-logged-list a b");
    ck_assert_int_eq(aof_file_size(dir, "appendonly.aof.1.incr.aof"), off_size);
    conn_close(c);
    server_stop(h);
    ck_assert_int_eq(aof_file_size(dir, "appendonly.aof.1.incr.aof"), off_size);
}
END_TEST

/* ---- 9. INFO persistence and BGREWRITEAOF replies ---- */

static const char *const info_fields_always[] = {
    "aof_enabled", "aof_rewrite_in_progress", "aof_rewrite_scheduled",
    "aof_last_rewrite_time_sec", "aof_current_rewrite_time_sec", "aof_last_bgrewrite_status",
    "aof_rewrites", "aof_rewrites_consecutive_failures", "aof_last_write_status",
    "aof_last_cow_size", "module_fork_in_progress", "module_fork_last_cow_size"};
static const char *const info_fields_aof_on[] = {
    "aof_current_size", "aof_base_size", "aof_pending_rewrite",
    "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"};

static void info_fields_expect(struct conn *c, bool aof_on)
{
    for (size_t i = 0; i < COUNT_OF(info_fields_always); i++) {
        char *v = conn_info_field(c, info_fields_always[i]);
        ck_assert_msg(v != NULL, "INFO persistence lacks %s", info_fields_always[i]);
        free(v);
    }
    for (size_t i = 0; i < COUNT_OF(info_fields_aof_on); i++) {
        char *v = conn_info_field(c, info_fields_aof_on[i]);
        ck_assert_msg((v != NULL) == aof_on, "INFO persistence %s %s with appendonly %s",
                      aof_on ? "lacks" : "has", info_fields_aof_on[i], aof_on ? "yes" : "no");
        free(v);
    }
}

START_TEST(test_info_fields_aof_off)
{
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    info_fields_expect(c, false);
    ck_assert(conn_info_is(c, "aof_enabled", "0"));
    ck_assert(conn_info_is(c, "aof_rewrites", "0"));
    ck_assert(conn_info_is(c, "aof_last_rewrite_time_sec", "-1"));
    ck_assert(conn_info_is(c, "aof_current_rewrite_time_sec", "-1"));
    ck_assert(conn_info_is(c, "aof_last_bgrewrite_status", "ok"));
    ck_assert(conn_info_is(c, "aof_last_write_status", "ok"));
    conn_close(c);
    server_stop(h);
}
END_TEST

/* After a restart aof_base_size is the BASE's size and aof_current_size
 * the BASE's plus the INCR's, which grows with each write. */
static struct server_handle *info_sizes_after_restart(struct server_handle *h, const char *dir,
                                                      const struct server_args *a)
{
    server_stop(h);
    h = start_loaded(server_binary(), dir, a);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "get k3", "$2\r\nv3\r\n");
    long base = aof_file_size(dir, "appendonly.aof.3.base.rdb");
    ck_assert_int_eq(info_long(c, "aof_base_size"), base);
    ck_assert_int_eq(info_long(c, "aof_current_size"), base);
    ck_assert(conn_info_is(c, "aof_rewrites", "0"));
    ck_cmd(c, "set k4 v4", "+OK\r\n");
    long incr = aof_file_size(dir, "appendonly.aof.3.incr.aof");
    ck_assert_int_gt(incr, 0);
    ck_assert_int_eq(info_long(c, "aof_current_size"), base + incr);
    conn_close(c);
    return h;
}

START_TEST(test_info_fields_and_bgrewriteaof_replies)
{
    /* always: the INCR has each write when its reply arrives. */
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("always", NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    info_fields_expect(c, true);
    ck_assert(conn_info_is(c, "aof_enabled", "1"));
    ck_assert(conn_info_is(c, "aof_rewrites", "0"));
    /* Redis 7.0 reports 0 and 0 here, not counting the BASE it has just
     * created, so only growth is pinned until the first rewrite. */
    long size = info_long(c, "aof_current_size");
    ck_cmd(c, "set k1 v1", "+OK\r\n");
    ck_assert_int_gt(info_long(c, "aof_current_size"), size);
    size = info_long(c, "aof_current_size");
    ck_cmd(c, "set k2 v2", "+OK\r\n");
    ck_assert_int_eq(info_long(c, "aof_current_size"),
                     size + (long)strlen("*3\r\n$3\r\nset\r\n$2\r\nk2\r\n$2\r\nv2\r\n"));
    ck_cmd(c, "get k2", "$2\r\nv2\r\n");
    ck_assert_int_eq(info_long(c, "aof_current_size"),
                     size + (long)strlen("*3\r\n$3\r\nset\r\n$2\r\nk2\r\n$2\r\nv2\r\n"));

    /* Both in one packet: the second arrives while the child runs. */
    static const char two[] = "*1\r\n$12\r\nBGREWRITEAOF\r\n*1\r\n$12\r\nBGREWRITEAOF\r\n";
    conn_send_raw(c, two, sizeof(two) - 1);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+Background append only file rewriting started\r\n");
    free(reply);
    reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "-ERR Background append only file rewriting already in progress\r\n");
    free(reply);
    wait_rewrite_done(c);
    ck_assert(conn_info_is(c, "aof_rewrites", "1"));
    ck_assert(conn_info_is(c, "aof_rewrites_consecutive_failures", "0"));
    ck_assert_int_ge(info_long(c, "aof_last_rewrite_time_sec"), 0);
    ck_assert(conn_info_is(c, "aof_current_rewrite_time_sec", "-1"));
    /* From the first rewrite on, the sizes are the files' sizes. */
    long base = aof_file_size(dir, "appendonly.aof.2.base.rdb");
    ck_assert_int_eq(info_long(c, "aof_base_size"), base);
    ck_assert_int_eq(info_long(c, "aof_current_size"), base);
    ck_cmd(c, "set k3 v3", "+OK\r\n");
    long incr = aof_file_size(dir, "appendonly.aof.2.incr.aof");
    ck_assert_int_gt(incr, 0);
    ck_assert_int_eq(info_long(c, "aof_current_size"), base + incr);
    rewrite_and_wait(c);
    ck_assert(conn_info_is(c, "aof_rewrites", "2"));
    conn_close(c);
    h = info_sizes_after_restart(h, dir, &a);
    server_stop(h);
}
END_TEST

/* ---- 10. ringkv only: dump.rdb seeds a new AOF ---- */

START_TEST(test_rdb_seeds_new_aof)
{
    if (server_is_redis())
        return; /* Redis starts empty here (its issue 12484) */
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args plain = {.n = 0};
    server_args_add(&plain, "--enable-debug-command", "yes");
    struct server_handle *h = start_loaded(server_binary(), dir, &plain);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    fill_part_two(c);
    ck_cmd(c, "save", "+OK\r\n");
    struct snapshot before;
    snapshot_take(c, &before);
    conn_close(c);

    struct server_args a = args_aof(NULL, NULL);
    h = restart_expect(h, server_binary(), dir, &a, &before);
    ck_assert_int_gt(aof_file_size(dir, AOF_MANIFEST), 0);
    /* Without dump.rdb the AOF alone must hold the data now. */
    char rdb[300];
    snprintf(rdb, sizeof(rdb), "%s/dump.rdb", dir);
    ck_assert_int_eq(unlink(rdb), 0);
    h = restart_expect(h, server_binary(), dir, &a, &before);
    snapshot_free(&before);
    server_stop(h);
}
END_TEST

/* ---- 11. ringkv only: a write error, then recovery ---- */

static void fsize_limit(pid_t pid, rlim_t bytes)
{
    struct rlimit old;
    ck_assert_int_eq(prlimit(pid, RLIMIT_FSIZE, NULL, &old), 0);
    struct rlimit limit = {.rlim_cur = bytes, .rlim_max = old.rlim_max};
    ck_assert_msg(prlimit(pid, RLIMIT_FSIZE, &limit, NULL) == 0, "prlimit: %s", strerror(errno));
}

static const char fsize_misconf[] = "-MISCONF Errors writing to the AOF file:";

/* The writes of the disk-error test: SET w:<i> <value>, and which of them
 * were acknowledged. */
struct fsize_run {
    struct conn *c;
    long next;                     /* the next i to write */
    long held;                     /* the write whose reply waits for the retry, or -1 */
    int port;
    bool acked[FSIZE_WRITES_MAX];
    char value[101];               /* 100 bytes, NUL-terminated */
};

/* Sends the next write; returns its reply, owned. */
static char *fsize_set(struct fsize_run *run)
{
    ck_assert_int_lt(run->next, FSIZE_WRITES_MAX);
    char key[32];
    snprintf(key, sizeof(key), "w:%ld", run->next++);
    const char *argv[] = {"set", key, run->value};
    return conn_cmd_argv(run->c, 3, argv, NULL);
}

static bool fsize_refused(const char *reply)
{
    return strncmp(reply, fsize_misconf, strlen(fsize_misconf)) == 0;
}

/* Writes until a write is refused; returns that reply, owned. The write
 * whose bytes failed gets no reply until the retry has written them (a
 * kill meanwhile would lose it): it is remembered in run->held, and the
 * refusal is then seen on a second connection. */
static char *fsize_write_until_refused(struct fsize_run *run)
{
    run->held = -1;
    for (;;) {
        ck_assert_msg(run->next < FSIZE_WRITES_MAX, "no write error after %ld writes", run->next);
        char key[32];
        snprintf(key, sizeof(key), "w:%ld", run->next++);
        const char *argv[] = {"set", key, run->value};
        conn_send_argv(run->c, 3, argv, NULL);
        char *reply = conn_try_read_raw(run->c, FSIZE_HELD_WAIT_MS);
        if (reply == NULL) {
            run->held = run->next - 1;
            struct conn *other = conn_open(run->port);
            reply = conn_cmd(other, "set probe 1");
            conn_close(other);
            ck_assert_msg(fsize_refused(reply), "SET after the failed write: %s",
                          harness_escape(reply));
            return reply;
        }
        if (fsize_refused(reply))
            return reply;
        ck_assert_msg(strcmp(reply, "+OK\r\n") == 0, "SET w:%ld: %s", run->next - 1,
                      harness_escape(reply));
        run->acked[run->next - 1] = true;
        free(reply);
    }
}

/* Retries a write until it is accepted again, within FSIZE_RECOVER_MS;
 * first the held write's reply arrives, once the retry wrote it. */
static void fsize_wait_accepted(struct fsize_run *run)
{
    if (run->held >= 0) {
        char *reply = conn_try_read_raw(run->c, FSIZE_RECOVER_MS);
        ck_assert_msg(reply != NULL && strcmp(reply, "+OK\r\n") == 0,
                      "held SET w:%ld: %s", run->held, harness_escape(reply));
        free(reply);
        run->acked[run->held] = true;
    }
    int64_t deadline = harness_clock_ms() + FSIZE_RECOVER_MS;
    for (;;) {
        char *reply = fsize_set(run);
        bool ok = strcmp(reply, "+OK\r\n") == 0;
        ck_assert_msg(ok || fsize_refused(reply), "%s", harness_escape(reply));
        free(reply);
        if (ok) {
            run->acked[run->next - 1] = true;
            return;
        }
        ck_assert_msg(harness_clock_ms() < deadline, "writes still refused %d ms after the limit rose",
                      FSIZE_RECOVER_MS);
        harness_sleep_ms(50);
    }
}

/* Checks every acknowledged write on a new connection to port. */
static void fsize_verify(struct fsize_run *run, int port)
{
    struct conn *c = conn_open(port);
    char expected[128];
    snprintf(expected, sizeof(expected), "$100\r\n%s\r\n", run->value);
    for (long k = 0; k < run->next; k++) {
        if (!run->acked[k])
            continue;
        char key[32];
        snprintf(key, sizeof(key), "w:%ld", k);
        const char *argv[] = {"get", key};
        char *reply = conn_cmd_argv(c, 2, argv, NULL);
        ck_assert_msg(strcmp(reply, expected) == 0, "acknowledged %s lost: %s", key,
                      harness_escape(reply));
        free(reply);
    }
    conn_close(c);
}

START_TEST(test_write_error_then_recovery)
{
    if (server_is_redis())
        return; /* Redis dies of SIGXFSZ; ringkv ignores it */
    static struct fsize_run run;
    memset(run.value, 'x', 100);
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof("everysec", NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    run.c = conn_open(h->port);
    run.port = h->port;
    cmd_ok(run.c, "set before-limit 1");
    fsize_limit(h->pid, (rlim_t)aof_file_size(dir, "appendonly.aof.1.incr.aof") +
                            FSIZE_HEADROOM_BYTES);
    char *reply = fsize_write_until_refused(&run);
    ck_assert_msg(strstr(reply, "File too large") != NULL, "%s", harness_escape(reply));
    free(reply);
    /* run.c may wait for its held write: look from another connection. */
    struct conn *side = conn_open(h->port);
    ck_assert(conn_info_is(side, "aof_last_write_status", "err"));
    ck_cmd(side, "get before-limit", "$1\r\n1\r\n"); /* reads still work */
    conn_close(side);
    fsize_limit(h->pid, RLIM_INFINITY);
    fsize_wait_accepted(&run);
    ck_assert(conn_info_is(run.c, "aof_last_write_status", "ok"));
    for (int k = 0; k < 10; k++) {
        reply = fsize_set(&run);
        ck_assert_str_eq(reply, "+OK\r\n");
        free(reply);
        run.acked[run.next - 1] = true;
    }
    conn_close(run.c);
    server_stop(h);

    /* No partial command was left in the INCR, so the checker is happy. */
    int status = 0;
    char *out = harness_output(&status, "%s %s/%s/%s", REDIS_CHECK_AOF, dir, AOF_DIR,
                               AOF_MANIFEST);
    ck_assert_msg(status == 0, "redis-check-aof:\n%s", out);
    free(out);
    h = start_loaded(server_binary(), dir, &a);
    fsize_verify(&run, h->port);
    server_stop(h);
}
END_TEST

/* ---- 12. DEBUG LOADAOF ---- */

START_TEST(test_debug_loadaof)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = args_aof(NULL, NULL);
    struct server_handle *h = start_loaded(server_binary(), dir, &a);
    struct conn *c = conn_open(h->port);
    fill_part_one(c);
    rewrite_and_wait(c);
    fill_part_two(c);
    struct snapshot before;
    snapshot_take(c, &before);
    ck_cmd(c, "debug loadaof", "+OK\r\n");
    snapshot_expect(c, &before);
    snapshot_free(&before);
    cmd_ok(c, "set after-load 1");
    snapshot_take(c, &before);
    ck_cmd(c, "debug loadaof", "+OK\r\n");
    snapshot_expect(c, &before);
    snapshot_free(&before);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* One test case per section, so CK_RUN_CASE can pick one while debugging. */
static TCase *aof_case(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *aof_suite(void)
{
    Suite *s = suite_create("aof");
    TCase *tc = aof_case(s, "restart");
    tcase_add_loop_test(tc, test_restart_recovers_each_policy, 0, COUNT_OF(fsync_policies));
    tcase_add_loop_test(tc, test_restart_after_rewrite_recovers, 0, COUNT_OF(rewrite_runs));
    tc = aof_case(s, "crash");
    tcase_add_test(tc, test_crash_loses_no_acknowledged_write);
    tcase_add_loop_test(tc, test_sigterm_under_load, 0, COUNT_OF(fsync_policies));
    tc = aof_case(s, "layout");
    tcase_add_test(tc, test_record_format);
    tcase_add_test(tc, test_layout_fresh_and_after_rewrite);
    tcase_add_test(tc, test_layout_resp_base);
    tc = aof_case(s, "damage");
    tcase_add_test(tc, test_truncated_tail);
    tcase_add_test(tc, test_corruption_in_middle_refuses_start);
    tcase_add_test(tc, test_truncated_transaction_reverted);
    tcase_add_test(tc, test_missing_listed_file_refuses_start);
    tc = aof_case(s, "upgrade");
    tcase_add_test(tc, test_upgrade_single_resp_file);
    tcase_add_test(tc, test_upgrade_single_preamble_file);
    tc = aof_case(s, "race");
    tcase_add_test(tc, test_rewrite_races_incr);
    tc = aof_case(s, "interop");
    tcase_add_loop_test(tc, test_redis_loads_our_aof, 0, COUNT_OF(preambles));
    tcase_add_loop_test(tc, test_we_load_redis_aof, 0, COUNT_OF(preambles));
    tc = aof_case(s, "runtime");
    tcase_add_test(tc, test_config_set_appendonly);
    tcase_add_test(tc, test_info_fields_aof_off);
    tcase_add_test(tc, test_info_fields_and_bgrewriteaof_replies);
    tcase_add_test(tc, test_debug_loadaof);
    tc = aof_case(s, "ringkv");
    tcase_add_test(tc, test_rdb_seeds_new_aof);
    tcase_add_test(tc, test_write_error_then_recovery);
    return s;
}

int main(void)
{
    return harness_run_suite(aof_suite());
}
