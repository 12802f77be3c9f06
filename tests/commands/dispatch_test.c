/* dispatch_test.c: command dispatch (net/commands/command.c) in process,
 * with no socket: fake clients (client_create(cs, -1)) whose replies pile
 * up in c->conn.out, against a command layer wired as net/server/server.c
 * wires it, minus the ring, the listeners and the files.
 *
 * Pins what a client relies on: a command runs and replies; the checks come
 * in Redis 7.0's order (unknown command, arity, then authentication) with
 * their exact errors, each counted as rejected and in errorstats; MULTI
 * queues and EXEC runs the queue in order or aborts; WATCH makes EXEC fail
 * after a change; only writes that change something bump `dirty`; RESP3
 * maps after HELLO 3. Every expected reply was checked against
 * redis-server 7.0.15. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/commands/notify.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/wire/loop.h"
#include "tests/unit.h"

#define RUN_ARGS_MAX 16
#define RUN_REPLY_BYTES_MAX 4096

/* The layers server_wire_layers points at each other. The loop is never
 * initialised: fake clients touch no ring, only its connection list. The
 * AOF stays zeroed (AOF_OFF), so nothing is logged or written. */
static struct fixture {
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist persist;
    struct commands commands;
    char reply[RUN_REPLY_BYTES_MAX + 1];
} f;

static void setup(void)
{
    memset(&f, 0, sizeof(f));
    config_init(&f.config);
    f.log = (struct log){.config = &f.config, .main_pid = getpid()};
    f.loop.config = &f.config;
    f.loop.log = &f.log;
    f.loop.now_ms = 1700000000000;
    f.loop.handler.closed = dispatch_closed; /* frees a fake client on client_close */
    keyspace_init(&f.keyspace, f.config.databases);
    f.keyspace.now_ms = f.loop.now_ms;
    f.persist = (struct persist){.config = &f.config, .log = &f.log, .keyspace = &f.keyspace,
                                 .loop = &f.loop, .rdb_last_bgsave_ok = true};
    f.commands = (struct commands){.config = &f.config, .log = &f.log, .keyspace = &f.keyspace,
                                   .persist = &f.persist, .loop = &f.loop};
    dispatch_init(&f.commands);
}

static void teardown(void)
{
    while (client_first(&f.commands))
        client_close(client_first(&f.commands));
    dispatch_free(&f.commands);
    keyspace_free(&f.keyspace);
    config_free(&f.config);
}

/* Requires a password of every client created after the call. */
static void set_requirepass(const char *password)
{
    char err[256];
    char *words[] = {"requirepass", (char *)password};
    ck_assert_int_eq(config_apply_directive(&f.config, 2, words, false, err, sizeof(err)), 0);
    acl_requirepass_changed(&f.commands); /* what CONFIG SET does */
}

/* Runs the command named by the NULL-terminated arguments on c, as
 * dispatch_input would, and returns what it replied (NUL-terminated), then
 * empties c's output. Valid until the next run. */
static const char *run(struct client *c, const char *name, ...)
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
    size_t before = c->conn.out.len;
    c->argc = argc;
    c->argv = argv;
    dispatch_process(c);
    c->argc = 0;
    c->argv = NULL;
    size_t len = c->conn.out.len - before;
    ck_assert_uint_le(len, RUN_REPLY_BYTES_MAX);
    memcpy(f.reply, c->conn.out.data + before, len);
    f.reply[len] = '\0';
    c->conn.out.len = 0;
    return f.reply;
}

static struct command_stats stats_of(const char *name)
{
    struct command *cmd = command_lookup(&f.commands, name, strlen(name));
    ck_assert_ptr_nonnull(cmd);
    return cmd->stats;
}

static long long errorstat(const char *code)
{
    for (int i = 0; i < f.commands.stats.errorstat_count; i++)
        if (strcmp(f.commands.stats.errorstats[i].code, code) == 0)
            return f.commands.stats.errorstats[i].count;
    return 0;
}

/* A client gets the reply of the command it sent, whatever the case of its
 * name: the table is looked up case-insensitively. */
START_TEST(test_known_command_replies)
{
    struct client *c = client_create(&f.commands, -1);
    long long calls = stats_of("set").calls;
    ck_assert_str_eq(run(c, "SET", "k", "v", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "GET", "k", NULL), "$1\r\nv\r\n");
    ck_assert_str_eq(run(c, "sEt", "k", "w", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "get", "k", NULL), "$1\r\nw\r\n");
    ck_assert_str_eq(run(c, "GET", "missing", NULL), "$-1\r\n");
    ck_assert_int_eq(stats_of("set").calls, calls + 2);
    ck_assert_ptr_eq(command_lookup(&f.commands, "gEt", 3), command_lookup(&f.commands, "get", 3));
}
END_TEST

/* Redis 7.0 checks a command's name, then its arity, and only then whether
 * the client authenticated: an unauthenticated client learns of a typo or a
 * wrong argument count before NOAUTH. Each rejection is an error reply in
 * errorstats; arity and NOAUTH are also rejected calls of the command (an
 * unknown command has none to count against). */
START_TEST(test_check_order_and_accounting)
{
    set_requirepass("pw");
    struct client *c = client_create(&f.commands, -1);
    ck_assert(!c->authenticated);
    struct command_stats get = stats_of("get");
    long long errors = f.commands.stats.total_error_replies;

    ck_assert_str_eq(run(c, "FOO", "a", NULL),
                     "-ERR unknown command 'FOO', with args beginning with: 'a' \r\n");
    ck_assert_str_eq(run(c, "foo", NULL),
                     "-ERR unknown command 'foo', with args beginning with: \r\n");
    ck_assert_str_eq(run(c, "GET", NULL), "-ERR wrong number of arguments for 'get' command\r\n");
    ck_assert_str_eq(run(c, "GET", "k", "x", NULL),
                     "-ERR wrong number of arguments for 'get' command\r\n");
    ck_assert_str_eq(run(c, "GET", "k", NULL), "-NOAUTH Authentication required.\r\n");
    ck_assert_int_eq(stats_of("get").rejected_calls, get.rejected_calls + 3);
    ck_assert_int_eq(stats_of("get").calls, get.calls);
    ck_assert_int_eq(stats_of("get").failed_calls, get.failed_calls);
    ck_assert_int_eq(f.commands.stats.total_error_replies, errors + 5);
    ck_assert_int_eq(errorstat("ERR"), 4);
    ck_assert_int_eq(errorstat("NOAUTH"), 1);

    /* AUTH is allowed before authentication; then the same GET runs. */
    ck_assert_str_eq(run(c, "AUTH", "pw", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "GET", "k", NULL), "$-1\r\n");
    ck_assert_int_eq(stats_of("get").calls, get.calls + 1);
    ck_assert_int_eq(stats_of("get").rejected_calls, get.rejected_calls + 3);
    ck_assert_int_eq(f.commands.stats.total_error_replies, errors + 5);
}
END_TEST

/* MULTI queues each command (+QUEUED, nothing runs) and EXEC runs the
 * queue in arrival order, answering with one array of the replies. The
 * order is drawn at random: APPENDs of random letters build the same
 * string only if they ran in the order they were queued. */
START_TEST(test_multi_exec_runs_queue_in_order)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xd15a7c4);
    struct client *c = client_create(&f.commands, -1);
    ck_assert_str_eq(run(c, "MULTI", NULL), "+OK\r\n");
    char expected[64 + 1] = {0};
    char letters[64][2];
    int count = 1 + (int)test_rng_below(&rng, 64);
    for (int i = 0; i < count; i++) {
        letters[i][0] = (char)('a' + test_rng_below(&rng, 26));
        letters[i][1] = '\0';
        expected[i] = letters[i][0];
        ck_assert_str_eq(run(c, "APPEND", "s", letters[i], NULL), "+QUEUED\r\n");
    }
    ck_assert_str_eq(run(c, "GET", "s", NULL), "+QUEUED\r\n");
    ck_assert_ptr_null(db_lookup(c->db, "s", 1, DB_LOOKUP_WRITE)); /* nothing ran yet */

    char want[RUN_REPLY_BYTES_MAX];
    int n = snprintf(want, sizeof(want), "*%d\r\n", count + 1);
    for (int i = 1; i <= count; i++)
        n += snprintf(want + n, sizeof(want) - (size_t)n, ":%d\r\n", i);
    snprintf(want + n, sizeof(want) - (size_t)n, "$%d\r\n%s\r\n", count, expected);
    ck_assert_str_eq(run(c, "EXEC", NULL), want);
    ck_assert_uint_eq(c->flags & CLIENT_MULTI, 0);
}
END_TEST

/* A command that fails its checks while queued (arity, unknown name) is
 * answered at once and makes the whole transaction abort at EXEC: none of
 * the queued commands runs. */
START_TEST(test_exec_aborts_after_rejected_command)
{
    struct client *c = client_create(&f.commands, -1);
    const char *bad[][3] = {{"GET", NULL, NULL}, {"NOSUCH", "x", NULL}};
    const char *bad_reply[] = {
        "-ERR wrong number of arguments for 'get' command\r\n",
        "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n",
    };
    for (int i = 0; i < 2; i++) {
        ck_assert_str_eq(run(c, "MULTI", NULL), "+OK\r\n");
        ck_assert_str_eq(run(c, "SET", "a", "1", NULL), "+QUEUED\r\n");
        ck_assert_str_eq(run(c, bad[i][0], bad[i][1], bad[i][2]), bad_reply[i]);
        ck_assert_str_eq(run(c, "SET", "b", "2", NULL), "+QUEUED\r\n");
        ck_assert_str_eq(run(c, "EXEC", NULL),
                         "-EXECABORT Transaction discarded because of previous errors.\r\n");
        ck_assert_uint_eq(c->flags & CLIENT_MULTI, 0);
        ck_assert_str_eq(run(c, "GET", "a", NULL), "$-1\r\n");
        ck_assert_str_eq(run(c, "GET", "b", NULL), "$-1\r\n");
    }
    ck_assert_int_eq(errorstat("EXECABORT"), 2);
}
END_TEST

/* WATCH is optimistic locking: a watched key changed before EXEC (by a
 * command of this layer, or by another client) makes EXEC reply a null
 * array and run nothing; an untouched key lets it run. */
START_TEST(test_watch_fails_exec_after_change)
{
    struct client *c = client_create(&f.commands, -1);
    struct client *other = client_create(&f.commands, -1);

    ck_assert_str_eq(run(c, "WATCH", "w", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "MULTI", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "SET", "r", "1", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(c, "EXEC", NULL), "*1\r\n+OK\r\n");

    ck_assert_str_eq(run(c, "WATCH", "w", NULL), "+OK\r\n");
    notify_key_modified(&f.commands, c->db, "w", 1);
    ck_assert_str_eq(run(c, "MULTI", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "SET", "r", "2", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(c, "EXEC", NULL), "*-1\r\n");
    ck_assert_str_eq(run(c, "GET", "r", NULL), "$1\r\n1\r\n");

    ck_assert_str_eq(run(c, "WATCH", "w", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "MULTI", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "SET", "r", "3", NULL), "+QUEUED\r\n");
    ck_assert_str_eq(run(other, "SET", "w", "x", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "EXEC", NULL), "*-1\r\n");
    ck_assert_str_eq(run(c, "GET", "r", NULL), "$1\r\n1\r\n");
}
END_TEST

/* `dirty` drives the save points (and INFO rdb_changes_since_last_save):
 * a write that changes the keyspace counts, a read or a write that changes
 * nothing does not. */
START_TEST(test_dirty_counts_only_changes)
{
    struct client *c = client_create(&f.commands, -1);
    long long dirty = f.persist.dirty;
    ck_assert_str_eq(run(c, "SET", "k", "v", NULL), "+OK\r\n");
    ck_assert_int_eq(f.persist.dirty, dirty + 1);
    ck_assert_str_eq(run(c, "GET", "k", NULL), "$1\r\nv\r\n");
    ck_assert_str_eq(run(c, "EXISTS", "k", NULL), ":1\r\n");
    ck_assert_int_eq(f.persist.dirty, dirty + 1);
    ck_assert_str_eq(run(c, "DEL", "missing", NULL), ":0\r\n");
    ck_assert_int_eq(f.persist.dirty, dirty + 1);
    ck_assert_str_eq(run(c, "DEL", "k", NULL), ":1\r\n");
    ck_assert_int_eq(f.persist.dirty, dirty + 2);
    ck_assert_str_eq(run(c, "SET", "k", "v", "NX", NULL), "+OK\r\n");
    ck_assert_str_eq(run(c, "SET", "k", "w", "NX", NULL), "$-1\r\n");
    ck_assert_int_eq(f.persist.dirty, dirty + 3);
}
END_TEST

/* A RESP3 client (HELLO 3) gets maps as '%' and nulls as '_'; a RESP2
 * client gets the same data as a flat array and "$-1". */
START_TEST(test_resp3_map_after_hello)
{
    struct client *c = client_create(&f.commands, -1);
    ck_assert_str_eq(run(c, "HSET", "h", "f", "v", NULL), ":1\r\n");
    ck_assert_str_eq(run(c, "HGETALL", "h", NULL), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    const char *hello = run(c, "HELLO", "3", NULL);
    ck_assert_msg(strncmp(hello, "%7\r\n$6\r\nserver\r\n", 16) == 0, "HELLO 3: %s", hello);
    ck_assert_int_eq(c->resp, 3);
    ck_assert_str_eq(run(c, "HGETALL", "h", NULL), "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    ck_assert_str_eq(run(c, "GET", "missing", NULL), "_\r\n");
    ck_assert_msg(strncmp(run(c, "HELLO", "2", NULL), "*14\r\n", 5) == 0, "HELLO 2: %s", f.reply);
    ck_assert_int_eq(c->resp, 2);
    ck_assert_str_eq(run(c, "HGETALL", "h", NULL), "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
}
END_TEST

static Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_known_command_replies);
    tcase_add_test(tc, test_check_order_and_accounting);
    tcase_add_test(tc, test_multi_exec_runs_queue_in_order);
    tcase_add_test(tc, test_exec_aborts_after_rejected_command);
    tcase_add_test(tc, test_watch_fails_exec_after_change);
    tcase_add_test(tc, test_dirty_counts_only_changes);
    tcase_add_test(tc, test_resp3_map_after_hello);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(dispatch_suite)
