/* client_pause_test.c: black-box tests of CLIENT PAUSE and CLIENT UNPAUSE:
 * which commands wait under WRITE and ALL (reads, PING and commands that
 * fail a check answer at once under WRITE; writes, PUBLISH and an EXEC
 * whose queue writes wait), pipelines kept in order, UNPAUSE and the
 * timeout releasing, a later PAUSE extending but never shortening, WRITE
 * upgraded to ALL, the paused clients counted in INFO blocked_clients and
 * flagged b in CLIENT LIST, expired keys kept (neither lazily nor actively
 * deleted) while paused, and the argument errors.
 *
 * Every expectation was checked against redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. Redis 7.0.15 crashes
 * on CLIENT UNBLOCK of a paused client, so that is not tested. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a test waits to see that a reply does not come. */
#define PAUSE_QUIET_MS 300

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *admin;           /* owned by the fixture: pauses and checks */
static struct conn *other;           /* owned by the fixture: the paused one */

static void setup(void)
{
    server = server_start(NULL);
    admin = conn_open(server->port);
    other = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(other);
    conn_close(admin);
    server_stop(server);
}

/* Asserts that no reply arrives on c for PAUSE_QUIET_MS. */
static void ck_quiet(struct conn *c)
{
    char *got = conn_try_read_raw(c, PAUSE_QUIET_MS);
    ck_assert_msg(got == NULL, "expected no reply, got %s", got ? harness_escape(got) : "");
}

static long long info_integer(struct conn *c, const char *field)
{
    char *value = conn_info_field(c, field);
    ck_assert_ptr_nonnull(value);
    long long n = atoll(value);
    free(value);
    return n;
}

/* Waits up to 5 s for INFO blocked_clients to read want. */
static void wait_blocked_clients(struct conn *c, long long want)
{
    int64_t deadline = harness_clock_ms() + 5000;
    while (info_integer(c, "blocked_clients") != want) {
        ck_assert_msg(harness_clock_ms() < deadline, "blocked_clients never reached %lld", want);
        harness_sleep_ms(10);
    }
}

/* The flags= field of the CLIENT LIST line of the client named name. */
static char *client_flags(struct conn *c, const char *name)
{
    char *list = conn_cmd(c, "CLIENT LIST");
    char pattern[64];
    snprintf(pattern, sizeof(pattern), " name=%s ", name);
    char *line = strstr(list, pattern);
    ck_assert_ptr_nonnull(line);
    char *flags = strstr(line, " flags=");
    ck_assert_ptr_nonnull(flags);
    flags += 7;
    size_t n = strcspn(flags, " ");
    char *out = strndup(flags, n);
    free(list);
    return out;
}

START_TEST(test_argument_errors)
{
    ck_cmd(admin, "CLIENT PAUSE", "-ERR wrong number of arguments for 'client|pause' command\r\n");
    ck_cmd(admin, "CLIENT PAUSE abc", "-ERR timeout is not an integer or out of range\r\n");
    ck_cmd(admin, "CLIENT PAUSE 1.5", "-ERR timeout is not an integer or out of range\r\n");
    ck_cmd(admin, "CLIENT PAUSE -1", "-ERR timeout is negative\r\n");
    ck_cmd(admin, "CLIENT PAUSE 10 foo", "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
    /* The mode is checked before the timeout. */
    ck_cmd(admin, "CLIENT PAUSE abc foo", "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
    ck_cmd(admin, "CLIENT PAUSE 10 all extra",
           "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE x",
           "-ERR wrong number of arguments for 'client|unpause' command\r\n");
    /* Nothing paused: UNPAUSE still answers +OK. */
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_cmd(other, "SET k v", "+OK\r\n");
}
END_TEST

START_TEST(test_write_pause_reads_pass_writes_wait)
{
    ck_cmd(other, "CLIENT SETNAME paused", "+OK\r\n");
    ck_cmd(other, "SET k v0", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    ck_cmd(other, "PING", "+PONG\r\n");
    ck_cmd(other, "GET k", "$2\r\nv0\r\n");
    ck_cmd(other, "EXISTS k", ":1\r\n");
    /* A command that fails a check answers at once. */
    ck_cmd(other, "SET k", "-ERR wrong number of arguments for 'set' command\r\n");
    ck_cmd(other, "NOSUCH", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
    /* A write waits, and the client's pipeline waits behind it, in order. */
    conn_send(other, "SET k v1");
    conn_send(other, "GET k");
    conn_send(other, "INCR n");
    ck_quiet(other);
    wait_blocked_clients(admin, 1);
    char *flags = client_flags(admin, "paused");
    ck_assert_str_eq(flags, "b");
    free(flags);
    /* Others still read the old value; the pauser itself is paused for writes too. */
    ck_cmd(admin, "GET k", "$2\r\nv0\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "+OK\r\n");
    ck_read(other, "$2\r\nv1\r\n");
    ck_read(other, ":1\r\n");
    wait_blocked_clients(admin, 0);
    flags = client_flags(admin, "paused");
    ck_assert_str_eq(flags, "N");
    free(flags);
}
END_TEST

START_TEST(test_write_pause_holds_publish)
{
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    conn_send(other, "PUBLISH ch hello");
    ck_quiet(other);
    conn_send(admin, "SPUBLISH ch hello");
    ck_quiet(admin);
    struct conn *third = conn_open(server->port);
    ck_cmd(third, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, ":0\r\n");
    ck_read(admin, ":0\r\n");
    conn_close(third);
}
END_TEST

START_TEST(test_write_pause_multi_exec)
{
    /* A transaction of reads runs; one that writes waits at EXEC, whole. */
    ck_cmd(other, "SET k v0", "+OK\r\n");
    ck_cmd(other, "MULTI", "+OK\r\n");
    ck_cmd(other, "GET k", "+QUEUED\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    ck_cmd(other, "EXEC", "*1\r\n$2\r\nv0\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");

    ck_cmd(other, "MULTI", "+OK\r\n");
    ck_cmd(other, "SET k v1", "+QUEUED\r\n");
    ck_cmd(other, "GET k", "+QUEUED\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    conn_send(other, "EXEC");
    ck_quiet(other);
    wait_blocked_clients(admin, 1);
    ck_cmd(admin, "GET k", "$2\r\nv0\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "*2\r\n+OK\r\n$2\r\nv1\r\n");

    /* A write sent inside MULTI while paused waits before it is queued. */
    ck_cmd(other, "MULTI", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    conn_send(other, "SET k v2");
    ck_quiet(other);
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "+QUEUED\r\n");
    ck_cmd(other, "EXEC", "*1\r\n+OK\r\n");
}
END_TEST

START_TEST(test_pause_starts_after_transaction)
{
    /* CLIENT PAUSE inside MULTI takes effect once EXEC is done: the
     * transaction's own writes run. */
    ck_cmd(admin, "MULTI", "+OK\r\n");
    ck_cmd(admin, "SET a 1", "+QUEUED\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+QUEUED\r\n");
    ck_cmd(admin, "SET b 2", "+QUEUED\r\n");
    ck_cmd(admin, "EXEC", "*3\r\n+OK\r\n+OK\r\n+OK\r\n");
    conn_send(other, "SET c 3");
    ck_quiet(other);
    ck_cmd(admin, "GET a", "$1\r\n1\r\n");
    ck_cmd(admin, "GET b", "$1\r\n2\r\n");
    ck_cmd(admin, "GET c", "$-1\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "+OK\r\n");
}
END_TEST

START_TEST(test_all_pause_holds_everything)
{
    /* Under ALL every command waits, the pauser's and CLIENT UNPAUSE
     * included: only the timeout ends it. */
    ck_cmd(admin, "CLIENT PAUSE 1000 ALL", "+OK\r\n");
    int64_t start = harness_clock_ms();
    conn_send(other, "PING");
    conn_send(admin, "GET k");
    struct conn *third = conn_open(server->port);
    conn_send(third, "CLIENT UNPAUSE");
    ck_quiet(other);
    ck_read(third, "+OK\r\n");
    ck_read(other, "+PONG\r\n");
    ck_read(admin, "$-1\r\n");
    ck_assert_int_ge(harness_clock_ms() - start, 800);
    conn_close(third);
}
END_TEST

START_TEST(test_timeout_releases_in_order)
{
    ck_cmd(admin, "CLIENT PAUSE 500 WRITE", "+OK\r\n");
    int64_t start = harness_clock_ms();
    struct conn *third = conn_open(server->port);
    conn_send(other, "RPUSH l a");
    harness_sleep_ms(20);
    conn_send(third, "RPUSH l b");
    harness_sleep_ms(20);
    conn_send(other, "RPUSH l c");
    /* Clients resume in the order they were paused, each running its
     * whole pipeline before the next. */
    ck_read(other, ":1\r\n");
    ck_read(other, ":2\r\n");
    ck_read(third, ":3\r\n");
    ck_assert_int_ge(harness_clock_ms() - start, 400);
    ck_cmd(admin, "LRANGE l 0 -1", "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n");
    conn_close(third);
}
END_TEST

START_TEST(test_extend_never_shorten)
{
    /* A shorter second pause keeps the first's deadline. */
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 10 WRITE", "+OK\r\n");
    harness_sleep_ms(100);
    conn_send(other, "SET k v");
    ck_quiet(other);
    wait_blocked_clients(admin, 1);
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "+OK\r\n");
}
END_TEST

START_TEST(test_write_upgrades_to_all)
{
    /* WRITE then a shorter ALL: reads wait too, until the first deadline
     * (the type only goes up, the deadline only later). */
    int64_t start = harness_clock_ms();
    ck_cmd(admin, "CLIENT PAUSE 700 WRITE", "+OK\r\n");
    ck_cmd(other, "GET k", "$-1\r\n");
    ck_cmd(admin, "CLIENT PAUSE 10 ALL", "+OK\r\n");
    conn_send(other, "GET k");
    ck_quiet(other);
    /* Everything waits now, UNPAUSE too, until the longer deadline. */
    struct conn *third = conn_open(server->port);
    conn_send(third, "CLIENT UNPAUSE");
    ck_read(third, "+OK\r\n");
    ck_read(other, "$-1\r\n");
    ck_assert_int_ge(harness_clock_ms() - start, 600);
    /* ALL then WRITE stays ALL (both in one transaction: under ALL no
     * other command could run). */
    ck_cmd(admin, "MULTI", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 600 ALL", "+QUEUED\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100 WRITE", "+QUEUED\r\n");
    start = harness_clock_ms();
    ck_cmd(admin, "EXEC", "*2\r\n+OK\r\n+OK\r\n");
    conn_send(other, "GET k");
    ck_quiet(other);
    ck_read(other, "$-1\r\n");
    ck_assert_int_ge(harness_clock_ms() - start, 500);
    conn_close(third);
}
END_TEST

START_TEST(test_expiry_held_during_pause)
{
    long long expired = info_integer(admin, "expired_keys");
    ck_cmd(admin, "SET keep v", "+OK\r\n");
    ck_cmd(admin, "SET e1 v PX 100", "+OK\r\n");
    ck_cmd(admin, "SET e2 v PX 100", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    harness_sleep_ms(400);
    /* Expired keys read as missing but stay stored. */
    ck_cmd(other, "GET e1", "$-1\r\n");
    ck_cmd(other, "EXISTS e1 e2", ":0\r\n");
    ck_cmd(other, "PTTL e2", ":-2\r\n");
    ck_cmd(other, "KEYS *", "*1\r\n$4\r\nkeep\r\n");
    ck_cmd(other, "DBSIZE", ":3\r\n");
    ck_assert_int_eq(info_integer(admin, "expired_keys"), expired);
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_cmd(other, "GET e1", "$-1\r\n");
    ck_cmd(other, "GET e2", "$-1\r\n");
    ck_cmd(other, "DBSIZE", ":1\r\n");
    ck_assert_int_eq(info_integer(admin, "expired_keys"), expired + 2);
}
END_TEST

/* A transaction that pauses and then writes over an expired key: the key
 * is replaced (the pause keeps expired keys only from deletion). */
START_TEST(test_write_over_expired_key_after_pause)
{
    ck_cmd(admin, "SET e str PX 50", "+OK\r\n");
    harness_sleep_ms(150);
    ck_cmd(admin, "MULTI", "+OK\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+QUEUED\r\n");
    ck_cmd(admin, "LPUSH e x", "+QUEUED\r\n");
    ck_cmd(admin, "SET e2 v", "+QUEUED\r\n");
    ck_cmd(admin, "EXEC", "*3\r\n+OK\r\n:1\r\n+OK\r\n");
    ck_cmd(other, "TYPE e", "+list\r\n");
    ck_cmd(other, "LRANGE e 0 -1", "*1\r\n$1\r\nx\r\n");
    ck_cmd(other, "DBSIZE", ":2\r\n");
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
}
END_TEST

/* The idle timeout spares a paused client (it counts as blocked) but
 * still closes an idle one that is not paused. */
START_TEST(test_idle_timeout_spares_paused)
{
    ck_cmd(admin, "CONFIG SET timeout 1", "+OK\r\n");
    struct conn *idle = conn_open(server->port);
    ck_cmd(idle, "PING", "+PONG\r\n");
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    conn_send(other, "SET k v");
    /* admin keeps itself busy; idle is closed within a few seconds, the
     * paused client stays for as long again. */
    bool closed = false;
    for (int i = 0; i < 25 && !closed; i++) {
        ck_cmd(admin, "PING", "+PONG\r\n");
        closed = conn_wait_closed(idle, 200);
    }
    ck_assert_msg(closed, "the idle client was not closed");
    conn_close(idle);
    for (int i = 0; i < 10; i++) {
        ck_cmd(admin, "PING", "+PONG\r\n");
        harness_sleep_ms(200);
    }
    ck_assert_int_eq(info_integer(admin, "blocked_clients"), 1);
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(other, "+OK\r\n");
    ck_cmd(admin, "CONFIG SET timeout 0", "+OK\r\n");
}
END_TEST

START_TEST(test_paused_client_disconnects)
{
    ck_cmd(admin, "CLIENT PAUSE 100000 WRITE", "+OK\r\n");
    conn_send(other, "SET k v");
    wait_blocked_clients(admin, 1);
    conn_close(other);
    wait_blocked_clients(admin, 0);
    other = conn_open(server->port);
    ck_cmd(admin, "CLIENT UNPAUSE", "+OK\r\n");
    ck_cmd(other, "GET k", "$-1\r\n");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_pause");
    TCase *tc = tcase_create("client_pause");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_argument_errors);
    tcase_add_test(tc, test_write_pause_reads_pass_writes_wait);
    tcase_add_test(tc, test_write_pause_holds_publish);
    tcase_add_test(tc, test_write_pause_multi_exec);
    tcase_add_test(tc, test_pause_starts_after_transaction);
    tcase_add_test(tc, test_all_pause_holds_everything);
    tcase_add_test(tc, test_timeout_releases_in_order);
    tcase_add_test(tc, test_extend_never_shorten);
    tcase_add_test(tc, test_write_upgrades_to_all);
    tcase_add_test(tc, test_expiry_held_during_pause);
    tcase_add_test(tc, test_write_over_expired_key_after_pause);
    tcase_add_test(tc, test_idle_timeout_spares_paused);
    tcase_add_test(tc, test_paused_client_disconnects);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
