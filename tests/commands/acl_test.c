/* acl_test.c: the ACL rule language (net/commands/acl.c) in process.
 *
 * The rule strings ACL LIST and ACL SAVE write are Redis's best fit of
 * categories plus single commands, rebuilt from a selector's bits, so the
 * property pinned here is the round trip: random rules applied to a user,
 * its description applied to a fresh user, must give the same commands,
 * keys and channels (and the same description again). acl_describe_commands
 * also asserts it rebuilt the bits. Plus the rule errors and the check's
 * choice among selectors. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/wire/buf.h"
#include "net/wire/loop.h"
#include "tests/unit.h"

static struct fixture {
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist persist;
    struct commands commands;
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
    dispatch_free(&f.commands);
    keyspace_free(&f.keyspace);
    config_free(&f.config);
}

static enum acl_rule_error apply(struct acl_user *u, const char *rule)
{
    return acl_user_apply_rule(&f.commands, u, rule, strlen(rule));
}

/* Applies every space-separated rule of text (no selectors). */
static void apply_all(struct acl_user *u, const char *text)
{
    char copy[8192];
    snprintf(copy, sizeof(copy), "%s", text);
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        ck_assert_int_eq(apply(u, w), ACL_RULE_OK);
}

static void describe(const struct acl_user *u, struct buf *b)
{
    b->len = 0;
    acl_describe_user(&f.commands, u, b);
    buf_append(b, "", 1);
}

static const char *const pool[] = {
    "+@all", "-@all", "+@read", "-@read", "+@write", "-@write", "+@string", "-@string",
    "+@hash", "-@hash", "+@dangerous", "-@dangerous", "+@slow", "-@fast", "+@admin",
    "+@connection", "-@connection", "+get", "-get", "+set", "-set", "+client", "-client",
    "+client|id", "-client|id", "+client|kill", "+slowlog|get", "-slowlog|reset", "+command",
    "-command|docs", "+select|0", "+select|3", "~a*", "%R~r*", "%W~w*", "&ch*", "resetkeys",
    "resetchannels", "allkeys", "allchannels", "nocommands", "allcommands", "+keys",
    "-flushall", "+@pubsub", "-@keyspace",
};

START_TEST(test_description_round_trip)
{
    struct test_rng rng;
    test_rng_init(&rng, 0xac1);
    struct buf first = {0}, second = {0};
    for (int round = 0; round < 300; round++) {
        struct acl_user *u = acl_user_new(&f.commands, "u", 1);
        int rules = 1 + (int)test_rng_below(&rng, 12);
        for (int i = 0; i < rules; i++) {
            const char *r = pool[test_rng_below(&rng, sizeof(pool) / sizeof(pool[0]))];
            enum acl_rule_error e = apply(u, r);
            /* Patterns after allkeys/allchannels are refused; nothing else. */
            TEST_CHECK(e == ACL_RULE_OK || e == ACL_RULE_KEYS_AFTER_ALL ||
                       e == ACL_RULE_CHANNELS_AFTER_ALL);
        }
        describe(u, &first);
        struct acl_user *v = acl_user_new(&f.commands, "u", 1);
        apply_all(v, first.data);
        TEST_CHECK(memcmp(u->root.allowed, v->root.allowed, sizeof(u->root.allowed)) == 0);
        TEST_CHECK(u->root.all_keys == v->root.all_keys);
        TEST_CHECK(u->root.all_channels == v->root.all_channels);
        TEST_CHECK(u->root.key_count == v->root.key_count);
        describe(v, &second);
        ck_assert_str_eq(first.data, second.data);
        acl_user_free(u);
        acl_user_free(v);
    }
    buf_free(&first);
    buf_free(&second);
}
END_TEST

START_TEST(test_rule_errors)
{
    struct acl_user *u = acl_user_new(&f.commands, "u", 1);
    ck_assert_int_eq(apply(u, "+nosuch"), ACL_RULE_UNKNOWN);
    ck_assert_int_eq(apply(u, "+@nosuch"), ACL_RULE_UNKNOWN);
    ck_assert_int_eq(apply(u, "-select|0"), ACL_RULE_UNKNOWN);
    ck_assert_int_eq(apply(u, "+client|id|x"), ACL_RULE_FIRSTARG_SUB);
    ck_assert_int_eq(apply(u, "+client|nosuch"), ACL_RULE_UNKNOWN);
    ck_assert_int_eq(apply(u, "<nopw"), ACL_RULE_NO_PASSWORD);
    ck_assert_int_eq(apply(u, "#abc"), ACL_RULE_BAD_HASH);
    ck_assert_int_eq(apply(u, "#0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
                     ACL_RULE_BAD_HASH);
    ck_assert_int_eq(apply(u, "%~x"), ACL_RULE_SYNTAX);
    ck_assert_int_eq(apply(u, "%RX~x"), ACL_RULE_SYNTAX);
    ck_assert_int_eq(apply(u, "%R"), ACL_RULE_SYNTAX);
    ck_assert_int_eq(apply(u, ""), ACL_RULE_SYNTAX);
    ck_assert_int_eq(apply(u, "(~x +nosuch)"), ACL_RULE_UNKNOWN);
    ck_assert_int_eq(u->selector_count, 0);
    ck_assert_int_eq(apply(u, "~*"), ACL_RULE_OK);
    ck_assert_int_eq(apply(u, "%R~x"), ACL_RULE_KEYS_AFTER_ALL);
    ck_assert_int_eq(apply(u, "&*"), ACL_RULE_OK);
    ck_assert_int_eq(apply(u, "&x"), ACL_RULE_CHANNELS_AFTER_ALL);
    /* Passwords: added once, removed by clear text or hash, nopass clears. */
    ck_assert_int_eq(apply(u, ">a"), ACL_RULE_OK);
    ck_assert_int_eq(apply(u, ">a"), ACL_RULE_OK);
    ck_assert_int_eq(u->password_count, 1);
    ck_assert_int_eq(apply(u, "!ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
                     ACL_RULE_OK);
    ck_assert_int_eq(u->password_count, 0);
    ck_assert_int_eq(apply(u, ">b"), ACL_RULE_OK);
    ck_assert_int_eq(apply(u, "nopass"), ACL_RULE_OK);
    ck_assert_int_eq(u->password_count, 0);
    ck_assert(u->flags & ACL_USER_NOPASS);
    ck_assert_int_eq(apply(u, "resetpass"), ACL_RULE_OK);
    ck_assert(!(u->flags & ACL_USER_NOPASS));
    acl_user_free(u);
}
END_TEST

/* The error reported when no selector allows a command: the worst kind
 * (channel, then key, then command), and among equals the last argument. */
START_TEST(test_check_picks_error)
{
    struct acl_user *u = acl_user_new(&f.commands, "u", 1);
    apply_all(u, "~a* +get +mget");
    ck_assert_int_eq(apply(u, "(~b* +mget)"), ACL_RULE_OK);
    ck_assert_int_eq(apply(u, "(+set)"), ACL_RULE_OK);
    acl_user_refresh(&f.commands, u);
    struct command *mget = command_lookup(&f.commands, "mget", 4);
    struct command *hget = command_lookup(&f.commands, "hget", 4);
    struct resp_arg argv[] = {{"mget", 4}, {"a1", 2}, {"b1", 2}, {"a2", 2}};
    int pos;
    ck_assert_int_eq(acl_check(&f.commands, u, mget, 4, argv, &pos), ACL_DENIED_KEY);
    ck_assert_int_eq(pos, 2); /* root fails at b1 (2), the selector at a1 (1) */
    ck_assert_int_eq(acl_check(&f.commands, u, mget, 2, argv, &pos), ACL_OK);
    struct resp_arg only_b[] = {{"mget", 4}, {"b1", 2}};
    ck_assert_int_eq(acl_check(&f.commands, u, mget, 2, only_b, &pos), ACL_OK);
    struct resp_arg hargv[] = {{"hget", 4}, {"a", 1}, {"f", 1}};
    ck_assert_int_eq(acl_check(&f.commands, u, hget, 3, hargv, &pos), ACL_DENIED_CMD);
    acl_user_free(u);
}
END_TEST

static Suite *acl_suite(void)
{
    Suite *s = suite_create("acl");
    TCase *tc = tcase_create("acl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_description_round_trip);
    tcase_add_test(tc, test_rule_errors);
    tcase_add_test(tc, test_check_picks_error);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(acl_suite)
