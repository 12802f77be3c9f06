/* auth_test.c: AUTH and HELLO ... AUTH's password check
 * (net/commands/cmd_connection.c) in process, through fake clients, as
 * dispatch_test.c runs commands.
 *
 * The check compares SHA-256 digests without an early exit (acl.c), so
 * its result is what this pins: only the exact password passes, whatever
 * its length (around the hash's 64-byte blocks too) and wherever a wrong
 * one differs, including bytes past the end and NULs. The replies were
 * checked against redis-server 7.0.15. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/wire/loop.h"
#include "tests/unit.h"

#define PASSWORD_BYTES_MAX 300
#define RUN_REPLY_BYTES_MAX 1024

static const char wrongpass[] = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";

/* The layers wired as in dispatch_test.c: no ring, no files. */
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
    f.loop.handler.closed = dispatch_closed;
    keyspace_init(&f.keyspace, f.config.databases);
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

static void set_requirepass(const char *password)
{
    char err[256];
    char *words[] = {"requirepass", (char *)password};
    ck_assert_int_eq(config_apply_directive(&f.config, 2, words, false, err, sizeof(err)), 0);
    acl_requirepass_changed(&f.commands); /* what CONFIG SET does (net/server/cmd_config.c) */
}

/* Runs argv[0..argc) (binary-safe) on c and returns its reply, valid until
 * the next run. */
static const char *run_argv(struct client *c, int argc, struct resp_arg *argv)
{
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

/* AUTH <password[0..len)> from a fresh client: whether it was accepted.
 * Any reply but +OK must be WRONGPASS. */
static bool auth_accepts(const char *password, size_t len)
{
    struct client *c = client_create(&f.commands, -1);
    struct resp_arg argv[] = {{.ptr = "AUTH", .len = 4}, {.ptr = password, .len = len}};
    const char *reply = run_argv(c, 2, argv);
    bool ok = strcmp(reply, "+OK\r\n") == 0;
    if (!ok)
        ck_assert_str_eq(reply, wrongpass);
    ck_assert(c->authenticated == ok);
    client_close(c);
    return ok;
}

/* HELLO 3 AUTH default <password[0..len)> from a fresh client. */
static bool hello_accepts(const char *password, size_t len)
{
    struct client *c = client_create(&f.commands, -1);
    struct resp_arg argv[] = {{.ptr = "HELLO", .len = 5}, {.ptr = "3", .len = 1},
                              {.ptr = "AUTH", .len = 4},  {.ptr = "default", .len = 7},
                              {.ptr = password, .len = len}};
    const char *reply = run_argv(c, 5, argv);
    bool ok = strncmp(reply, "%7\r\n", 4) == 0;
    if (!ok)
        ck_assert_str_eq(reply, wrongpass);
    ck_assert(c->authenticated == ok);
    client_close(c);
    return ok;
}

/* Only the password itself passes: not a prefix, not it with anything
 * after (a NUL included), not it with any one byte changed. */
static void check_only_exact(const char *password, size_t len, struct test_rng *rng)
{
    char variant[PASSWORD_BYTES_MAX + 2];
    memcpy(variant, password, len);
    ck_assert(auth_accepts(variant, len));
    ck_assert(hello_accepts(variant, len));
    ck_assert(!auth_accepts(variant, 0));
    ck_assert(!auth_accepts(variant, len - 1));
    ck_assert(!auth_accepts(variant, test_rng_below(rng, len)));
    variant[len] = '\0';
    ck_assert(!auth_accepts(variant, len + 1));
    ck_assert(!hello_accepts(variant, len + 1));
    variant[len] = (char)test_rng_below(rng, 256);
    ck_assert(!auth_accepts(variant, len + 1));
    size_t at = test_rng_below(rng, len);
    variant[at] = (char)(variant[at] ^ (1 + test_rng_below(rng, 255)));
    ck_assert(!auth_accepts(variant, len));
    ck_assert(!hello_accepts(variant, len));
}

/* Fixed lengths around SHA-256's block (55, 56 and 64 bytes change the
 * padding), then random ones. */
START_TEST(test_only_the_exact_password_passes)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xa17e5);
    const size_t lengths[] = {1, 2, 19, 20, 21, 55, 56, 63, 64, 65, 119, 120, 128, PASSWORD_BYTES_MAX};
    size_t rounds = sizeof(lengths) / sizeof(lengths[0]) + 50;
    for (size_t i = 0; i < rounds; i++) {
        size_t len = i < sizeof(lengths) / sizeof(lengths[0])
                         ? lengths[i]
                         : 1 + test_rng_below(&rng, PASSWORD_BYTES_MAX);
        char password[PASSWORD_BYTES_MAX + 1];
        for (size_t j = 0; j < len; j++)
            password[j] = (char)('!' + test_rng_below(&rng, 94)); /* printable, no NUL */
        password[len] = '\0';
        set_requirepass(password);
        check_only_exact(password, len, &rng);
    }
}
END_TEST

/* Without a password the default user is nopass: any password passes with
 * its name, none with another, and AUTH <password> alone is an error. */
START_TEST(test_no_password)
{
    ck_assert(hello_accepts("anything", 8));
    struct client *c = client_create(&f.commands, -1);
    struct resp_arg auth[] = {{.ptr = "AUTH", .len = 4}, {.ptr = "x", .len = 1}};
    ck_assert_str_eq(run_argv(c, 2, auth),
                     "-ERR AUTH <password> called without any password configured for the "
                     "default user. Are you sure your configuration is correct?\r\n");
    struct resp_arg other[] = {{.ptr = "AUTH", .len = 4}, {.ptr = "someone", .len = 7},
                               {.ptr = "x", .len = 1}};
    ck_assert_str_eq(run_argv(c, 3, other), wrongpass);
}
END_TEST

/* A changed requirepass is what the next AUTH is compared with. */
START_TEST(test_changed_password)
{
    set_requirepass("first");
    ck_assert(auth_accepts("first", 5));
    set_requirepass("second");
    ck_assert(!auth_accepts("first", 5));
    ck_assert(auth_accepts("second", 6));
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_only_the_exact_password_passes);
    tcase_add_test(tc, test_no_password);
    tcase_add_test(tc, test_changed_password);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(auth_suite)
