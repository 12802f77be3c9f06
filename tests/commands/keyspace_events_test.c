/* keyspace_events_test.c: keyspace_event (net/commands/keyspace_events.c)
 * in process, against a command layer wired as net/server/server.c wires
 * it (as dispatch_test.c does), with fake clients whose output piles up in
 * c->conn.out.
 *
 * Pins the API other modules call (the eviction's "evicted" among them):
 * nothing is published unless the flags select both the event's class and
 * a channel kind; the keyspace channel comes before the keyevent one; the
 * database number and binary keys of any length reach the channel names.
 * The bytes are those redis-server 7.0.15 sends a PSUBSCRIBE client. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "net/commands/client.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/commands/keyspace_events.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/wire/loop.h"
#include "tests/unit.h"

#define OUT_BYTES_MAX 8192

static struct fixture {
    struct config config;
    struct log log;
    struct keyspace keyspace;
    struct loop loop;
    struct persist persist;
    struct commands commands;
    struct client *sub; /* PSUBSCRIBEd to __key*@*__:* */
    char out[OUT_BYTES_MAX + 1];
} f;

/* Runs one command on c as dispatch_input would; its reply is dropped. */
static void run(struct client *c, int argc, const char *const *words)
{
    struct resp_arg argv[8];
    ck_assert_int_le(argc, 8);
    for (int i = 0; i < argc; i++)
        argv[i] = (struct resp_arg){.ptr = words[i], .len = strlen(words[i])};
    c->argc = argc;
    c->argv = argv;
    dispatch_process(c);
    c->argc = 0;
    c->argv = NULL;
    c->conn.out.len = 0;
}

static void setup(void)
{
    memset(&f, 0, sizeof(f));
    config_init(&f.config);
    f.log = (struct log){.config = &f.config, .main_pid = getpid()};
    f.loop.config = &f.config;
    f.loop.log = &f.log;
    f.loop.now_ms = 1700000000000;
    f.loop.handler.closed = dispatch_closed;
    keyspace_init(&f.keyspace, f.config.databases);
    f.keyspace.now_ms = f.loop.now_ms;
    f.persist = (struct persist){.config = &f.config, .log = &f.log, .keyspace = &f.keyspace,
                                 .loop = &f.loop, .rdb_last_bgsave_ok = true};
    f.commands = (struct commands){.config = &f.config, .log = &f.log, .keyspace = &f.keyspace,
                                   .persist = &f.persist, .loop = &f.loop};
    dispatch_init(&f.commands);
    f.sub = client_create(&f.commands, -1);
    const char *words[] = {"PSUBSCRIBE", "__key*@*__:*"};
    run(f.sub, 2, words);
}

static void teardown(void)
{
    while (client_first(&f.commands))
        client_close(client_first(&f.commands));
    dispatch_free(&f.commands);
    keyspace_free(&f.keyspace);
    config_free(&f.config);
}

static void set_flags(const char *flags)
{
    char err[256];
    char *words[] = {"notify-keyspace-events", (char *)flags};
    ck_assert_int_eq(config_apply_directive(&f.config, 2, words, true, err, sizeof(err)), 0);
}

/* What the subscriber received since the last call, NUL-terminated. */
static const char *received(void)
{
    size_t len = f.sub->conn.out.len;
    ck_assert_uint_le(len, OUT_BYTES_MAX);
    memcpy(f.out, f.sub->conn.out.data, len);
    f.out[len] = '\0';
    f.sub->conn.out.len = 0;
    return f.out;
}

#define PMESSAGE(channel_len, channel, message_len, message)                                   \
    "*4\r\n$8\r\npmessage\r\n$12\r\n__key*@*__:*\r\n$" channel_len "\r\n" channel "\r\n$"      \
    message_len "\r\n" message "\r\n"

START_TEST(test_off_publishes_nothing)
{
    ck_assert_int_eq(f.config.notify_keyspace_events, 0);
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 0, "k", 1);
    keyspace_event(&f.commands, NOTIFY_GENERIC, "del", 0, "k", 1);
    ck_assert_str_eq(received(), "");
    /* A class alone, or a channel kind alone, selects nothing either. */
    set_flags("e");
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 0, "k", 1);
    set_flags("KE");
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 0, "k", 1);
    ck_assert_str_eq(received(), "");
}
END_TEST

START_TEST(test_channels_and_classes)
{
    set_flags("Ke");
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 0, "k", 1);
    ck_assert_str_eq(received(), PMESSAGE("16", "__keyspace@0__:k", "7", "evicted"));
    set_flags("Ee");
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 12, "k", 1);
    ck_assert_str_eq(received(), PMESSAGE("23", "__keyevent@12__:evicted", "1", "k"));
    set_flags("KEA");
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 3, "ab", 2);
    ck_assert_str_eq(received(), PMESSAGE("17", "__keyspace@3__:ab", "7", "evicted")
                                 PMESSAGE("22", "__keyevent@3__:evicted", "2", "ab"));
    /* 'A' leaves out keymiss and new. */
    keyspace_event(&f.commands, NOTIFY_KEY_MISS, "keymiss", 0, "k", 1);
    keyspace_event(&f.commands, NOTIFY_NEW, "new", 0, "k", 1);
    ck_assert_str_eq(received(), "");
    set_flags("Kn");
    keyspace_event(&f.commands, NOTIFY_NEW, "new", 0, "k", 1);
    keyspace_event(&f.commands, NOTIFY_EVICTED, "evicted", 0, "k", 1);
    ck_assert_str_eq(received(), PMESSAGE("16", "__keyspace@0__:k", "3", "new"));
}
END_TEST

/* Keys are bytes (a NUL inside, no terminator needed) of any length. */
START_TEST(test_binary_and_long_keys)
{
    set_flags("Kg");
    keyspace_event(&f.commands, NOTIFY_GENERIC, "del", 0, "a\0bXYZ", 3);
    const char *got = received();
    static const char expected[] = PMESSAGE("18", "__keyspace@0__:a\0b", "3", "del");
    ck_assert_uint_eq(f.sub->conn.out.len, 0);
    ck_assert_int_eq(memcmp(got, expected, sizeof(expected) - 1), 0);
    char key[5000];
    memset(key, 'x', sizeof(key));
    keyspace_event(&f.commands, NOTIFY_GENERIC, "del", 0, key, sizeof(key));
    got = received();
    char head[64];
    snprintf(head, sizeof(head), "*4\r\n$8\r\npmessage\r\n$12\r\n__key*@*__:*\r\n$%zu\r\n",
             sizeof(key) + 15);
    ck_assert_int_eq(strncmp(got, head, strlen(head)), 0);
    ck_assert_int_eq(strncmp(got + strlen(head), "__keyspace@0__:xxx", 18), 0);
    ck_assert_str_eq(got + strlen(head) + 15 + sizeof(key), "\r\n$3\r\ndel\r\n");
}
END_TEST

static Suite *keyspace_events_suite(void)
{
    Suite *s = suite_create("keyspace_events");
    TCase *tc = tcase_create("keyspace_events");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_off_publishes_nothing);
    tcase_add_test(tc, test_channels_and_classes);
    tcase_add_test(tc, test_binary_and_long_keys);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(keyspace_events_suite)
