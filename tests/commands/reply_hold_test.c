/* reply_hold_test.c: under appendfsync always, a reply waits only for the
 * writes it could have seen (issue 14; net/commands/dirty_keys.h).
 *
 * Pins: a read of a key nobody wrote lately is answered while a write is
 * in flight, a read of a key written in the batch in flight waits for that
 * batch (and only for it), a connection's replies still leave in order,
 * every command that sees more than its keys (or has no key specs) waits
 * for everything logged, the commands that show no data and the replies
 * refused before a command ran wait for nothing, a blocked pop served by a
 * write waits, a whole-db change makes every read wait, and the table of
 * written keys stays within DIRTY_KEYS_MAX (the floor takes over) and
 * empties once the AOF is durable.
 *
 * How: the command layer wired in process as dispatch_test.c wires it
 * (fake clients, client_create(cs, -1), whose replies pile up in
 * c->conn.out and are never sent), over a real AOF started with
 * aof_startup in a temporary directory as aof_group_commit_test.c starts
 * it, its writer on uring/'s fake kernel (persist.aof_ring = a ring_fake):
 * a write+fsync completes only when the test steps the fake, and its
 * completion (aof_writer_done) releases the held replies through
 * conn_release_holds, exactly as in the server. Commands run through
 * dispatch_process, as the input path runs them; aof_before_replies hands
 * the round's batch to the writer, as the loop's flush round does. A reply
 * is held while out_released < out.len with hold_count > 0.
 *
 * The server layer's INFO, CONFIG and DEBUG cannot be linked here (tests
 * of commands link only the layers up to net/commands), so stand-ins with
 * their names are registered after dispatch_init, the way net/server's
 * server_init registers server_commands: the hold a reply gets depends on
 * the command's name and key specs only, not on its handler.
 *
 * Every test runs on the buffered writer and on the direct one. */
#define _GNU_SOURCE /* nftw */
#include <check.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/dispatch.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"
#include "tests/unit.h"
#include "uring/ring_fake.h"

#define RUN_ARGS_MAX 16
#define TEST_FILE_BYTES ((size_t)4 << 20)
/* The memory-bound test logs DIRTY_KEYS_MAX + 100 SETs (about 3 MB, more
 * with the direct writer's batch headers and block padding). */
#define TEST_BIG_FILE_BYTES ((size_t)16 << 20)
#define TEST_PREWRITE_BYTES ((size_t)1 << 20)
#define TEST_WAIT_STEPS_MAX 100000
/* The memory-bound test hands the batch to the writer this often. */
#define TEST_ROUND_EVERY 300

static struct fixture {
    struct ring_fake fake;
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist persist;
    struct commands commands;
    char dir[96];
    char old_cwd[4096];
} fx; /* check forks each test: every test sets it up anew */

/* ---- stand-ins for the server layer's commands (see the header) ---- */

static void stub_info(struct client *c)
{
    reply_bulk_cstr(c, "# Stub\r\nstub:1\r\n");
}

static void stub_empty_array(struct client *c)
{
    reply_empty_array(c);
}

static void stub_status(struct client *c)
{
    reply_status(c, "STUB");
}

static struct command stub_config_subcommands[] = {
    {.name = "get", .proc = stub_empty_array, .arity = -3, .flags = CMD_LOADING | CMD_STALE},
    {0},
};

static struct command stub_server_commands[] = {
    {.name = "info", .proc = stub_info, .arity = -1, .flags = CMD_LOADING | CMD_STALE},
    {.name = "config", .arity = -2, .subcommands = stub_config_subcommands},
    {.name = "time", .proc = stub_empty_array, .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST},
    {.name = "debug", .proc = stub_status, .arity = -2, .flags = CMD_ADMIN | CMD_PROTECTED},
    {0},
};

/* ---- the fixture ---- */

static bool fixture_token_ready(void *ctx, uint64_t token)
{
    return aof_reply_ready(ctx, token);
}

/* persist.wait_writer: the fake is the only kernel, so step it. */
static void fixture_wait_writer(struct persist *p, bool (*done)(void *ctx), void *ctx)
{
    (void)p;
    for (int i = 0; !done(ctx); i++) {
        TEST_CHECK(i < TEST_WAIT_STEPS_MAX);
        TEST_CHECK(ring_fake_in_flight(&fx.fake) > 0); /* else done() never comes */
        ring_fake_step(&fx.fake);
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Every test's directory lives in one made by the suite's process (check
 * forks each test): a failed check ends a test before its teardown, and
 * the suite still removes everything. */
static char suite_dir[64];

static void suite_dir_make(void)
{
    snprintf(suite_dir, sizeof(suite_dir), "/tmp/ringkv-rhold-XXXXXX");
    if (!mkdtemp(suite_dir))
        abort();
}

static void suite_dir_remove(void)
{
    nftw(suite_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void fixture_setup_sized(bool direct, size_t file_bytes)
{
    memset(&fx, 0, sizeof(fx));
    ck_assert_ptr_nonnull(getcwd(fx.old_cwd, sizeof(fx.old_cwd)));
    snprintf(fx.dir, sizeof(fx.dir), "%s/t-XXXXXX", suite_dir);
    ck_assert_ptr_nonnull(mkdtemp(fx.dir));
    ck_assert_int_eq(chdir(fx.dir), 0);
    ck_assert_int_eq(ring_fake_init(&fx.fake, file_bytes, 1), 0);
    config_init(&fx.config);
    fx.config.appendonly = true;
    fx.config.appendfsync = APPENDFSYNC_ALWAYS;
    fx.config.aof_direct_io = direct;
    fx.config.aof_prewrite_size = TEST_PREWRITE_BYTES;
    fx.config.aof_batches_in_flight = 4;
    fx.config.enable_debug_command = CONFIG_PROTECTED_YES;
    fx.config.loglevel = LOGLEVEL_WARNING;
    free(fx.config.dir);
    fx.config.dir = strdup(fx.dir);
    fx.log = (struct log){.config = &fx.config, .main_pid = getpid()};
    keyspace_init(&fx.keyspace, fx.config.databases);
    fx.loop.config = &fx.config;
    fx.loop.log = &fx.log;
    fx.loop.now_ms = 1700000000000;
    fx.keyspace.now_ms = fx.loop.now_ms;
    fx.loop.handler.ctx = &fx.persist;
    fx.loop.handler.token_ready = fixture_token_ready;
    fx.loop.handler.closed = dispatch_closed; /* frees a fake client on client_close */
    fx.persist = (struct persist){
        .config = &fx.config,
        .log = &fx.log,
        .keyspace = &fx.keyspace,
        .loop = &fx.loop,
        .aof_ring = &fx.fake.sys,
        .wait_writer = fixture_wait_writer,
        .rdb_last_bgsave_ok = true,
    };
    fx.commands = (struct commands){.config = &fx.config, .log = &fx.log, .keyspace = &fx.keyspace,
                                    .persist = &fx.persist, .loop = &fx.loop};
    fx.persist.replayer = dispatch_replayer(&fx.commands);
    /* As server_init: the layer's tables, then the server's. */
    dispatch_init(&fx.commands);
    dispatch_add_table(&fx.commands, stub_server_commands);
    char err[256] = "";
    ck_assert_msg(aof_startup(&fx.persist, err, sizeof(err)) == 0, "aof_startup: %s", err);
    ck_assert_int_eq(fx.persist.aof.status, AOF_ON);
    if (direct) {
        ck_assert_str_eq(fx.persist.aof.log.io == AOF_LOG_DIRECT ? "direct"
                                                                 : fx.persist.aof.log.reason,
                         "direct");
        ring_fake_run(&fx.fake); /* the pre-written chunk */
    }
    ck_assert_int_eq(ring_fake_in_flight(&fx.fake), 0);
}

static void setup(bool direct)
{
    fixture_setup_sized(direct, TEST_FILE_BYTES);
}

static void teardown(void)
{
    while (client_first(&fx.commands))
        client_close(client_first(&fx.commands));
    aof_shutdown(&fx.persist);
    dispatch_free(&fx.commands);
    aof_free(&fx.persist);
    keyspace_free(&fx.keyspace);
    config_free(&fx.config);
    ring_fake_free(&fx.fake);
    ck_assert_int_eq(chdir(fx.old_cwd), 0);
    ck_assert_int_eq(nftw(fx.dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

/* ---- running commands and looking at replies ---- */

static struct client *new_client(void)
{
    struct client *c = client_create(&fx.commands, -1);
    ck_assert_uint_eq(c->flags & CLIENT_FAKE, 0);
    return c;
}

/* Runs the command named by the NULL-terminated arguments on c, as
 * dispatch_input does. Its reply is appended to c->conn.out. */
static void run(struct client *c, const char *name, ...)
{
    struct resp_arg argv[RUN_ARGS_MAX];
    int argc = 0;
    va_list ap;
    va_start(ap, name);
    for (const char *a = name; a != NULL; a = va_arg(ap, const char *)) {
        ck_assert_int_lt(argc, RUN_ARGS_MAX);
        argv[argc++] = (struct resp_arg){.ptr = a, .len = strlen(a)};
    }
    va_end(ap);
    c->argc = argc;
    c->argv = argv;
    dispatch_process(c);
    c->argc = 0;
    c->argv = NULL;
}

/* c's whole output, NUL-terminated (static: valid until the next call). */
static const char *out_of(const struct client *c)
{
    static char text[1 << 16];
    ck_assert_uint_lt(c->conn.out.len, sizeof(text));
    memcpy(text, c->conn.out.data, c->conn.out.len);
    text[c->conn.out.len] = '\0';
    return text;
}

/* All of c's output may leave now. */
static bool released(const struct client *c)
{
    return c->conn.hold_count == 0 && c->conn.out_released == c->conn.out.len;
}

/* None of c's output may leave yet: it is all behind a hold. */
static bool all_held(const struct client *c)
{
    return c->conn.out.len > 0 && c->conn.hold_count > 0 && c->conn.out_released == 0;
}

#define ASSERT_RELEASED(c, want)                                                          \
    do {                                                                                  \
        ck_assert_msg(released(c), "%s: held (hold_count %d, released %zu of %zu)", #c,  \
                      (c)->conn.hold_count, (c)->conn.out_released, (c)->conn.out.len);   \
        ck_assert_str_eq(out_of(c), want);                                                \
    } while (0)

#define ASSERT_HELD(c, want)                                                               \
    do {                                                                                   \
        ck_assert_msg(all_held(c), "%s: not held (hold_count %d, released %zu of %zu)", #c, \
                      (c)->conn.hold_count, (c)->conn.out_released, (c)->conn.out.len);    \
        ck_assert_str_eq(out_of(c), want);                                                 \
    } while (0)

/* Forgets c's output once it was all released (as if it were sent). */
static void drain(struct client *c)
{
    ck_assert(released(c));
    c->conn.out.len = 0;
    c->conn.out_released = 0;
}

/* The loop's flush round: the batch goes to the writer. Returns the token
 * replies produced so far wait for. */
static uint64_t flush_round(void)
{
    return aof_before_replies(&fx.persist);
}

/* Everything logged becomes durable: rounds and completions until nothing
 * is left to wait for. The completions release the holds. */
static void make_durable(void)
{
    for (int i = 0; i < 100; i++) {
        flush_round();
        ring_fake_run(&fx.fake);
        if (aof_token_now(&fx.persist) == 0 && ring_fake_in_flight(&fx.fake) == 0)
            return;
    }
    ck_abort_msg("the AOF never became durable");
}

static struct dirty_keys_stats stats(void)
{
    struct dirty_keys_stats st;
    dirty_keys_stats(&fx.commands, &st);
    return st;
}

/* The common start: old = v, durable; then A's SET k1 w in flight (handed
 * to the writer, not completed). Returns A; *token is its batch's token. */
static struct client *old_durable_k1_in_flight(uint64_t *token)
{
    struct client *a = new_client();
    run(a, "SET", "old", "v", NULL);
    ASSERT_HELD(a, "+OK\r\n"); /* a write waits for its own record */
    make_durable();
    ASSERT_RELEASED(a, "+OK\r\n");
    drain(a);
    run(a, "SET", "k1", "w", NULL);
    ASSERT_HELD(a, "+OK\r\n");
    uint64_t t = flush_round();
    ck_assert_uint_ne(t, 0);
    ck_assert_int_gt(ring_fake_in_flight(&fx.fake), 0);
    ck_assert(!aof_reply_ready(&fx.persist, t));
    ASSERT_HELD(a, "+OK\r\n");
    if (token)
        *token = t;
    return a;
}

/* ---- the tests ---- */

/* 1. A read of a key no write in flight touched is answered at once,
 * while the writer's batch is in flight; the write's own reply waits. */
START_TEST(test_read_of_untouched_key_not_held)
{
    setup(_i);
    struct client *a = old_durable_k1_in_flight(NULL);
    struct client *b = new_client();
    long long free_before = stats().reads_free;
    run(b, "GET", "old", NULL);
    ASSERT_RELEASED(b, "$1\r\nv\r\n");
    ck_assert_int_eq(stats().reads_free, free_before + 1);
    /* Other reads that name only untouched keys: a missing one, several. */
    drain(b);
    run(b, "EXISTS", "nothere", "old", NULL);
    run(b, "MGET", "old", "nothere", NULL);
    ASSERT_RELEASED(b, ":1\r\n*2\r\n$1\r\nv\r\n$-1\r\n");
    ASSERT_HELD(a, "+OK\r\n");
    ck_assert(!aof_reply_ready(&fx.persist, a->conn.holds[0].token));
    make_durable();
    ASSERT_RELEASED(a, "+OK\r\n");
    teardown();
}
END_TEST

/* 2. A read of a key written in the batch in flight waits for that batch,
 * and for no later one: a later write (C's SET k2, gathered behind the
 * batch in flight) does not delay it. */
START_TEST(test_read_of_key_in_flight_waits_for_its_batch)
{
    setup(_i);
    uint64_t k1_token;
    struct client *a = old_durable_k1_in_flight(&k1_token);
    struct client *c = new_client();
    run(c, "SET", "k2", "z", NULL); /* staged, a later token */
    ASSERT_HELD(c, "+OK\r\n");
    ck_assert_uint_gt(c->conn.holds[0].token, k1_token);
    struct client *b = new_client();
    long long held_before = stats().reads_held;
    run(b, "GET", "k1", NULL);
    ASSERT_HELD(b, "$1\r\nw\r\n");
    ck_assert_int_eq(b->conn.hold_count, 1);
    ck_assert_uint_eq(b->conn.holds[0].token, k1_token);
    ck_assert_int_eq(stats().reads_held, held_before + 1);
    flush_round(); /* k2 goes behind the batch in flight (or beside it, direct) */
    /* Step until k1's batch is durable: its completion releases B and A. */
    for (int i = 0; i < TEST_WAIT_STEPS_MAX && !aof_reply_ready(&fx.persist, k1_token); i++) {
        ASSERT_HELD(b, "$1\r\nw\r\n");
        ASSERT_HELD(a, "+OK\r\n");
        ck_assert_int_gt(ring_fake_in_flight(&fx.fake), 0);
        ring_fake_step(&fx.fake);
    }
    ck_assert(aof_reply_ready(&fx.persist, k1_token));
    ASSERT_RELEASED(b, "$1\r\nw\r\n");
    ASSERT_RELEASED(a, "+OK\r\n");
    if (!aof_reply_ready(&fx.persist, c->conn.holds[0].token))
        ASSERT_HELD(c, "+OK\r\n");
    make_durable();
    ASSERT_RELEASED(c, "+OK\r\n");
    teardown();
}
END_TEST

/* 3. A connection's replies leave in the order they were made: a free
 * reply behind a held one waits with it, and both come out in order. */
START_TEST(test_pipeline_keeps_order)
{
    setup(_i);
    old_durable_k1_in_flight(NULL);
    struct client *p = new_client();
    run(p, "GET", "k1", NULL);
    run(p, "GET", "old", NULL);
    run(p, "CLIENT", "ID", NULL); /* waits for nothing, but comes behind */
    char want[128];
    snprintf(want, sizeof(want), "$1\r\nw\r\n$1\r\nv\r\n:%llu\r\n", (unsigned long long)p->conn.id);
    ASSERT_HELD(p, want);
    /* A fresh client's GET old is still free: the hold is P's alone. */
    struct client *q = new_client();
    run(q, "GET", "old", NULL);
    ASSERT_RELEASED(q, "$1\r\nv\r\n");
    make_durable();
    ASSERT_RELEASED(p, want);
    drain(p);
    run(p, "GET", "old", NULL);
    ASSERT_RELEASED(p, "$1\r\nv\r\n");
    teardown();
}
END_TEST

struct case_cmd {
    const char *argv[6];
    const char *reply; /* NULL: any */
};

static void run_case(struct client *c, const struct case_cmd *k)
{
    run(c, k->argv[0], k->argv[1], k->argv[2], k->argv[3], k->argv[4], k->argv[5], NULL);
}

static void case_name(const struct case_cmd *k, char *name, size_t cap)
{
    size_t n = 0;
    name[0] = '\0';
    for (int i = 0; i < 6 && k->argv[i] && n < cap; i++)
        n += (size_t)snprintf(name + n, cap - n, i ? " %s" : "%s", k->argv[i]);
}

/* Runs each case on a fresh client while k1's write is in flight; checks
 * it is held (want_held) or released at once. Returns the clients. */
static void check_cases(const struct case_cmd *cases, int n, bool want_held,
                        struct client **clients)
{
    for (int i = 0; i < n; i++) {
        char name[128];
        case_name(&cases[i], name, sizeof(name));
        struct client *c = new_client();
        clients[i] = c;
        run_case(c, &cases[i]);
        ck_assert_msg(c->conn.out.len > 0, "%s: no reply", name);
        if (cases[i].reply)
            ck_assert_msg(strcmp(out_of(c), cases[i].reply) == 0, "%s replied %s", name, out_of(c));
        if (want_held)
            ck_assert_msg(all_held(c), "%s: not held (hold_count %d, released %zu of %zu)", name,
                          c->conn.hold_count, c->conn.out_released, c->conn.out.len);
        else
            ck_assert_msg(released(c), "%s: held (hold_count %d, released %zu of %zu)", name,
                          c->conn.hold_count, c->conn.out_released, c->conn.out.len);
    }
}

/* 4a. Commands of the command layer that observe more than their keys, or
 * have no key specs, wait for everything logged while a write is in
 * flight; those that show no data, and replies refused before a command
 * ran, wait for nothing. */
START_TEST(test_commands_without_keys_wait)
{
    setup(_i);
    old_durable_k1_in_flight(NULL);
    static const struct case_cmd held[] = {
        {{"DBSIZE"}, ":2\r\n"},
        {{"KEYS", "*"}, NULL},
        {{"SCAN", "0"}, NULL},
        {{"RANDOMKEY"}, NULL},
        {{"PING"}, "+PONG\r\n"},
        {{"ECHO", "x"}, "$1\r\nx\r\n"},
        /* A MOVE and a COPY of a missing key log nothing, yet wait. */
        {{"MOVE", "missing", "1"}, ":0\r\n"},
        {{"COPY", "missing", "old2", "DB", "1"}, ":0\r\n"},
    };
    enum { HELD_N = sizeof(held) / sizeof(held[0]) };
    struct client *held_clients[HELD_N];
    long long logged = fx.persist.aof.records_logged;
    check_cases(held, HELD_N, true, held_clients);
    ck_assert_int_eq(fx.persist.aof.records_logged, logged); /* none of them wrote */

    /* EXEC sees the whole keyspace; MULTI and QUEUED show no data. */
    struct client *x = new_client();
    run(x, "MULTI", NULL);
    run(x, "GET", "old", NULL);
    ASSERT_RELEASED(x, "+OK\r\n+QUEUED\r\n");
    run(x, "EXEC", NULL);
    ck_assert_str_eq(out_of(x), "+OK\r\n+QUEUED\r\n*1\r\n$1\r\nv\r\n");
    ck_assert_int_eq(x->conn.hold_count, 1);
    ck_assert_uint_eq(x->conn.out_released, strlen("+OK\r\n+QUEUED\r\n"));

    static const struct case_cmd free_cases[] = {
        {{"CLIENT", "ID"}, NULL},
        {{"SELECT", "0"}, "+OK\r\n"},
        /* Refused before running: arity, unknown command. */
        {{"SET", "k1"}, "-ERR wrong number of arguments for 'set' command\r\n"},
        {{"NOSUCH"}, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"},
    };
    enum { FREE_N = sizeof(free_cases) / sizeof(free_cases[0]) };
    struct client *free_clients[FREE_N];
    check_cases(free_cases, FREE_N, false, free_clients);

    make_durable();
    for (int i = 0; i < HELD_N; i++)
        ck_assert(released(held_clients[i]));
    ASSERT_RELEASED(x, "+OK\r\n+QUEUED\r\n*1\r\n$1\r\nv\r\n");
    /* Durable: the same commands are free now. */
    check_cases(held, HELD_N, false, held_clients);
    teardown();
}
END_TEST

/* 4b. The server layer's commands (registered after dispatch_init, as
 * server_init registers server_commands): INFO with the keyspace section
 * and DEBUG wait while a write is in flight; INFO without the keyspace
 * section, CONFIG GET and TIME wait for nothing. */
START_TEST(test_server_commands_wait_by_what_they_show)
{
    setup(_i);
    old_durable_k1_in_flight(NULL);
    static const struct case_cmd held[] = {
        {{"INFO"}, NULL},
        {{"INFO", "keyspace"}, NULL},
        {{"INFO", "persistence", "keyspace"}, NULL},
        {{"INFO", "everything"}, NULL},
        {{"DEBUG", "DIGEST"}, "+STUB\r\n"},
    };
    enum { HELD_N = sizeof(held) / sizeof(held[0]) };
    struct client *held_clients[HELD_N];
    check_cases(held, HELD_N, true, held_clients);
    static const struct case_cmd free_cases[] = {
        {{"INFO", "persistence"}, NULL},
        {{"CONFIG", "GET", "appendfsync"}, "*0\r\n"},
        {{"TIME"}, "*0\r\n"},
    };
    enum { FREE_N = sizeof(free_cases) / sizeof(free_cases[0]) };
    struct client *free_clients[FREE_N];
    check_cases(free_cases, FREE_N, false, free_clients);
    make_durable();
    for (int i = 0; i < HELD_N; i++)
        ck_assert(released(held_clients[i]));
    teardown();
}
END_TEST

/* 5. A blocked pop served by another client's push: the served reply is
 * output no command of E made; when E runs its next command, it gets the
 * token of everything logged, so it (and the free reply behind it) waits
 * until the push (and the pop it propagated) is durable. */
START_TEST(test_served_blocked_pop_waits)
{
    setup(_i);
    struct client *a = new_client();
    run(a, "SET", "old", "v", NULL);
    make_durable();
    drain(a);
    struct client *e = new_client();
    run(e, "BLPOP", "q", "0", NULL);
    ck_assert_uint_ne(e->flags & CLIENT_BLOCKED, 0);
    ck_assert_uint_eq(e->conn.out.len, 0);
    run(a, "RPUSH", "q", "x", NULL);
    ASSERT_HELD(a, ":1\r\n");
    ck_assert_uint_eq(e->flags & CLIENT_BLOCKED, 0);
    const char *served = "*2\r\n$1\r\nq\r\n$1\r\nx\r\n";
    ck_assert_str_eq(out_of(e), served);
    ck_assert_uint_eq(e->conn.out_released, 0); /* not released by anyone */
    run(e, "GET", "old", NULL);
    char want[64];
    snprintf(want, sizeof(want), "%s$1\r\nv\r\n", served);
    ASSERT_HELD(e, want);
    ck_assert(!aof_reply_ready(&fx.persist, e->conn.holds[0].token));
    flush_round();
    ASSERT_HELD(e, want);
    make_durable();
    ASSERT_RELEASED(e, want);
    ASSERT_RELEASED(a, ":1\r\n");
    teardown();
}
END_TEST

/* 6. A whole-db change in flight (FLUSHDB, SWAPDB, FLUSHALL) makes every
 * read wait, even of a key never written, until it is durable. */
START_TEST(test_whole_db_change_holds_every_read)
{
    static const char *const changes[][4] = {
        {"FLUSHDB", NULL},
        {"SWAPDB", "0", "1", NULL},
        {"FLUSHALL", NULL},
    };
    bool direct = _i % 2;
    const char *const *change = changes[_i / 2];
    setup(direct);
    struct client *a = new_client();
    run(a, "SET", "old", "v", NULL);
    make_durable();
    drain(a);
    run(a, change[0], change[1], change[2], NULL);
    ASSERT_HELD(a, "+OK\r\n");
    uint64_t token = flush_round();
    ck_assert_uint_ne(token, 0);
    struct client *b = new_client();
    run(b, "GET", "never", NULL);
    ASSERT_HELD(b, "$-1\r\n");
    ck_assert_uint_eq(b->conn.holds[0].token, token);
    make_durable();
    ASSERT_RELEASED(b, "$-1\r\n");
    ASSERT_RELEASED(a, "+OK\r\n");
    /* Durable: the floor is gone. */
    drain(b);
    run(b, "GET", "never", NULL);
    ASSERT_RELEASED(b, "$-1\r\n");
    teardown();
}
END_TEST

/* 7. The table is bounded: with a write in flight that never completes,
 * DIRTY_KEYS_MAX + 100 distinct keys written keep at most DIRTY_KEYS_MAX
 * entries, and the floor then makes a read of a key never written wait.
 * Once everything is durable, the next command empties the table. */
START_TEST(test_table_bounded_then_emptied)
{
    fixture_setup_sized(_i, TEST_BIG_FILE_BYTES);
    struct client *a = new_client();
    /* Start with no floor: a write made durable, and a command after it. */
    run(a, "SET", "old", "v", NULL);
    make_durable();
    run(a, "GET", "never", NULL);
    ASSERT_RELEASED(a, "+OK\r\n$-1\r\n");
    ck_assert_uint_eq(stats().keys, 0);
    drain(a);
    run(a, "SET", "first", "v", NULL);
    flush_round();
    ck_assert_int_gt(ring_fake_in_flight(&fx.fake), 0);
    uint64_t first_token = a->conn.holds[0].token;
    char key[32];
    bool full_seen = false;
    for (int i = 0; i < DIRTY_KEYS_MAX + 100; i++) {
        snprintf(key, sizeof(key), "key:%d", i);
        run(a, "SET", key, "v", NULL);
        TEST_CHECK(a->conn.hold_count > 0 && a->conn.out_released == 0);
        if (i % TEST_ROUND_EVERY == TEST_ROUND_EVERY - 1)
            flush_round();
        if (!full_seen && stats().keys == DIRTY_KEYS_MAX) {
            /* Full, not past the bound yet: no floor, an unwritten key's
             * read is free; so the hold below is the bound's. */
            full_seen = true;
            struct client *r = new_client();
            run(r, "GET", "never", NULL);
            ASSERT_RELEASED(r, "$-1\r\n");
        }
    }
    ck_assert(full_seen);
    flush_round();
    ck_assert(!aof_reply_ready(&fx.persist, first_token)); /* never stepped */
    struct dirty_keys_stats st = stats();
    ck_assert_uint_le(st.keys, DIRTY_KEYS_MAX);
    ck_assert_uint_le(st.peak, DIRTY_KEYS_MAX);
    ck_assert_uint_eq(st.keys, DIRTY_KEYS_MAX); /* the bound was reached */
    ck_assert_uint_gt(st.bytes, 0);
    /* The key that found the table full raised the floor. */
    struct client *b = new_client();
    run(b, "GET", "never", NULL);
    ASSERT_HELD(b, "$-1\r\n");
    /* A key tracked in the table waits too, of course. */
    struct client *c = new_client();
    run(c, "GET", "key:0", NULL);
    ASSERT_HELD(c, "$1\r\nv\r\n");
    make_durable();
    ASSERT_RELEASED(b, "$-1\r\n");
    ASSERT_RELEASED(c, "$1\r\nv\r\n");
    ck_assert(released(a));
    /* Pruning runs at each command's end: one more, and it is empty. */
    struct client *d = new_client();
    run(d, "GET", "never", NULL);
    ASSERT_RELEASED(d, "$-1\r\n");
    st = stats();
    ck_assert_uint_eq(st.keys, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ck_assert_uint_le(st.peak, DIRTY_KEYS_MAX);
    teardown();
}
END_TEST

/* 8. Entries live only while their write is not durable: after
 * durability, the next command leaves the table empty (keys and bytes). */
START_TEST(test_table_empty_after_durability)
{
    setup(_i);
    struct client *a = new_client();
    ck_assert_uint_eq(stats().keys, 0);
    run(a, "SET", "a", "1", NULL);
    run(a, "SET", "b", "2", NULL);
    run(a, "SET", "a", "3", NULL); /* the same key again: one entry */
    run(a, "HSET", "h", "f", "v", NULL);
    struct dirty_keys_stats st = stats();
    ck_assert_uint_eq(st.keys, 3);
    ck_assert_uint_gt(st.bytes, 0);
    ck_assert_uint_eq(st.peak, 3);
    make_durable();
    ASSERT_RELEASED(a, "+OK\r\n+OK\r\n+OK\r\n:1\r\n");
    run(a, "PING", NULL);
    ASSERT_RELEASED(a, "+OK\r\n+OK\r\n+OK\r\n:1\r\n+PONG\r\n");
    st = stats();
    ck_assert_uint_eq(st.keys, 0);
    ck_assert_uint_eq(st.bytes, 0);
    /* And a write, made durable, leaves nothing behind either. */
    drain(a);
    run(a, "SET", "c", "1", NULL);
    ck_assert_uint_eq(stats().keys, 1);
    make_durable();
    run(a, "GET", "c", NULL);
    ASSERT_RELEASED(a, "+OK\r\n$1\r\n1\r\n");
    st = stats();
    ck_assert_uint_eq(st.keys, 0);
    ck_assert_uint_eq(st.bytes, 0);
    teardown();
}
END_TEST

static Suite *reply_hold_suite(void)
{
    Suite *s = suite_create("reply_hold");
    TCase *tc = tcase_create("reply_hold");
    tcase_add_unchecked_fixture(tc, suite_dir_make, suite_dir_remove);
    /* _i: 0 the buffered writer, 1 the direct one. */
    tcase_add_loop_test(tc, test_read_of_untouched_key_not_held, 0, 2);
    tcase_add_loop_test(tc, test_read_of_key_in_flight_waits_for_its_batch, 0, 2);
    tcase_add_loop_test(tc, test_pipeline_keeps_order, 0, 2);
    tcase_add_loop_test(tc, test_commands_without_keys_wait, 0, 2);
    tcase_add_loop_test(tc, test_server_commands_wait_by_what_they_show, 0, 2);
    tcase_add_loop_test(tc, test_served_blocked_pop_waits, 0, 2);
    tcase_add_loop_test(tc, test_whole_db_change_holds_every_read, 0, 6);
    tcase_add_loop_test(tc, test_table_bounded_then_emptied, 0, 2);
    tcase_add_loop_test(tc, test_table_empty_after_durability, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(reply_hold_suite)
