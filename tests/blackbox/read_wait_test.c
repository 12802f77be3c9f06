/* read_wait_test.c: under appendfsync always, a reply waits only for the
 * writes it could have seen, as a client of the real binary sees it.
 *
 * The write of one SET is made to fail (DEBUG RINGKV-AOF-FAULT write EIO,
 * once), so its durability comes only with the retry a second later: a
 * write whose fsync is slow, seen from outside. Meanwhile:
 *   - a GET of a key written (and made durable) before is answered at once;
 *   - a GET of the key whose write waits is not, and gets the new value
 *     once the retry made it durable;
 *   - a pipeline (that GET, then a GET of the durable key) answers nothing
 *     until then, and then both, in order;
 *   - DBSIZE (it sees every key) waits too; PING is refused with MISCONF at
 *     once, as Redis refuses it while the AOF cannot be written;
 *   - the writer gets its +OK after the retry, and a GET is answered at
 *     once again afterwards.
 * Both writers (direct and buffered). ringkv only: redis-server has no such
 * DEBUG, and exits on an AOF write error under always. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answered "at once": well under the retry interval (1 s). */
#define AT_ONCE_MS 300
/* Not answered within this while the write waits for its retry. */
#define STILL_WAITING_MS 300
/* A reply already there is read within this. */
#define POLL_MS 20
/* The retry comes no sooner than this after the failure (1 s interval). */
#define RETRY_MIN_MS 900
/* The retry comes about a second after the failure. */
#define RETRY_WITHIN_MS 5000

static const char *const direct_io[] = {"yes", "no"};

/* A reply read within timeout_ms, or NULL; *ms says how long it took. */
static char *read_within(struct conn *c, int timeout_ms, int64_t *ms)
{
    int64_t t0 = harness_clock_ms();
    char *reply = conn_try_read_raw(c, timeout_ms);
    *ms = harness_clock_ms() - t0;
    return reply;
}

static void expect_reply(struct conn *c, int timeout_ms, const char *want, const char *what)
{
    int64_t ms;
    char *got = read_within(c, timeout_ms, &ms);
    ck_assert_msg(got != NULL, "%s: no reply within %d ms", what, timeout_ms);
    ck_assert_msg(strcmp(got, want) == 0, "%s: expected %s, got %s", what, harness_escape(want),
                  harness_escape(got));
    free(got);
}

static void expect_silence(struct conn *c, const char *what)
{
    int64_t ms;
    char *got = read_within(c, POLL_MS, &ms);
    ck_assert_msg(got == NULL, "%s: answered while the write it could see waits: %s", what,
                  got ? harness_escape(got) : "");
}

/* A server in a fresh dir under appendfsync always, with DEBUG enabled. */
static struct server_handle *start_always(const char *direct_io_value)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_args a = {.n = 0};
    server_args_add(&a, "--enable-debug-command", "yes");
    server_args_add(&a, "--appendonly", "yes");
    server_args_add(&a, "--appendfsync", "always");
    server_args_add(&a, "--aof-direct-io", direct_io_value);
    return server_start_in(server_binary(), dir, a.v);
}

START_TEST(test_read_waits_only_for_writes_it_could_see)
{
    if (server_is_redis())
        return;
    struct server_handle *h = start_always(direct_io[_i]);
    struct conn *ctl = conn_open(h->port);
    ck_cmd(ctl, "SET k0 v0", "+OK\r\n");
    ck_cmd(ctl, "SET other 1", "+OK\r\n");
    ck_cmd(ctl, "DEBUG RINGKV-AOF-FAULT write EIO 0 1", "+OK\r\n");
    int64_t t_fault = harness_clock_ms();

    /* Everything below happens within the first second after the failed
     * write, before its retry: one shared window, then quick polls. */
    struct conn *writer = conn_open(h->port);
    conn_send(writer, "SET k1 v1");
    harness_sleep_ms(50); /* its batch is written (and fails) */
    struct conn *reader = conn_open(h->port);
    conn_send(reader, "GET k0");
    struct conn *waiting = conn_open(h->port);
    conn_send(waiting, "GET k1");
    struct conn *pipe = conn_open(h->port);
    conn_send_raw(pipe, "GET k1\r\nGET k0\r\n", strlen("GET k1\r\nGET k0\r\n"));
    struct conn *size = conn_open(h->port);
    conn_send(size, "DBSIZE");
    struct conn *ping = conn_open(h->port);
    conn_send(ping, "PING");
    harness_sleep_ms(STILL_WAITING_MS);

    /* A key written before, durable: answered at once. So is PING, refused
     * while the AOF cannot be written, as Redis refuses it. */
    expect_reply(reader, POLL_MS, "$2\r\nv0\r\n", "GET k0");
    int64_t ms;
    char *pong = read_within(ping, POLL_MS, &ms);
    ck_assert_msg(pong != NULL && strncmp(pong, "-MISCONF ", 9) == 0, "PING: %s",
                  pong ? harness_escape(pong) : "no reply");
    free(pong);
    /* What could see the waiting write waits. */
    expect_silence(writer, "SET k1 (its write failed)");
    expect_silence(waiting, "GET k1");
    expect_silence(pipe, "GET k1 then GET k0");
    expect_silence(size, "DBSIZE");
    /* A read of a durable key is still answered at once. */
    conn_send(reader, "GET k0");
    expect_reply(reader, AT_ONCE_MS, "$2\r\nv0\r\n", "GET k0 during the error");
    ck_assert_msg(harness_clock_ms() - t_fault < RETRY_MIN_MS,
                  "the checks took too long to come before the retry");

    /* The retry makes the write durable: everything held is answered. */
    expect_reply(writer, RETRY_WITHIN_MS, "+OK\r\n", "SET k1 after the retry");
    expect_reply(waiting, RETRY_WITHIN_MS, "$2\r\nv1\r\n", "GET k1 after the retry");
    expect_reply(pipe, RETRY_WITHIN_MS, "$2\r\nv1\r\n", "pipelined GET k1");
    expect_reply(pipe, AT_ONCE_MS, "$2\r\nv0\r\n", "pipelined GET k0, after GET k1");
    expect_reply(size, RETRY_WITHIN_MS, ":3\r\n", "DBSIZE after the retry");
    conn_send(waiting, "GET k1");
    expect_reply(waiting, AT_ONCE_MS, "$2\r\nv1\r\n", "GET k1 once durable");

    struct conn *all[] = {ctl, writer, reader, waiting, pipe, size, ping};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        conn_close(all[i]);
    server_stop(h);
}
END_TEST

/* Scripts (issue 18) under always: an EVAL or FCALL that wrote is answered
 * only once its effects are durable, like any write; a script that read a
 * key whose write waits waits too, even through a key it did not declare;
 * one that read only a durable key, or nothing, is answered at once. Same
 * failed-write window as above. */
static void send_argv(struct conn *c, int argc, const char *const *argv)
{
    char buf[1024];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "*%d\r\n", argc);
    for (int i = 0; i < argc; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
    ck_assert(n < sizeof(buf));
    conn_send_raw(c, buf, n);
}

START_TEST(test_scripts_wait_like_writes)
{
    if (server_is_redis())
        return;
    struct server_handle *h = start_always(direct_io[_i]);
    struct conn *ctl = conn_open(h->port);
    ck_cmd(ctl, "SET k0 v0", "+OK\r\n");
    const char *lib[] = {"FUNCTION", "LOAD",
                         "#!lua name=w\nredis.register_function('setk', function(k, a) "
                         "return redis.call('SET', k[1], a[1]) end)"};
    send_argv(ctl, 3, lib);
    expect_reply(ctl, AT_ONCE_MS, "$1\r\nw\r\n", "FUNCTION LOAD");

    /* Round 0 writes k1 with EVAL, round 1 writes k2 with FCALL; a write
     * sent after the failure would be refused (MISCONF), so one writer per
     * failed batch. */
    const char *ev[] = {"EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k1", "v1"};
    const char *fc[] = {"FCALL", "setk", "1", "k2", "v2"};
    const char *const *writes[] = {ev, fc};
    const char *keys[] = {"k1", "k2"}, *values[] = {"$2\r\nv1\r\n", "$2\r\nv2\r\n"};
    for (int round = 0; round < 2; round++) {
        ck_cmd(ctl, "DEBUG RINGKV-AOF-FAULT write EIO 0 1", "+OK\r\n");
        int64_t t_fault = harness_clock_ms();
        struct conn *writer = conn_open(h->port);
        send_argv(writer, 5, writes[round]);
        harness_sleep_ms(50); /* its batch is written (and fails) */
        struct conn *sees = conn_open(h->port);
        const char *rd[] = {"EVAL_RO", "return redis.call('GET', KEYS[1])", "1", keys[round]};
        send_argv(sees, 4, rd);
        /* The waiting key read through a name the script was not given. */
        struct conn *hidden = conn_open(h->port);
        const char *rdh[] = {"EVAL_RO", "return redis.call('GET', ARGV[1])", "0", keys[round]};
        send_argv(hidden, 4, rdh);
        struct conn *durable = conn_open(h->port);
        const char *rd0[] = {"EVAL_RO", "return redis.call('GET', KEYS[1])", "1", "k0"};
        send_argv(durable, 4, rd0);
        struct conn *nothing = conn_open(h->port);
        const char *none[] = {"EVAL", "return 7", "0"};
        send_argv(nothing, 3, none);
        harness_sleep_ms(STILL_WAITING_MS);

        expect_reply(durable, POLL_MS, "$2\r\nv0\r\n", "script reading a durable key");
        expect_reply(nothing, POLL_MS, ":7\r\n", "script reading nothing");
        expect_silence(writer, round == 0 ? "EVAL that wrote" : "FCALL that wrote");
        expect_silence(sees, "script reading the waiting key");
        expect_silence(hidden, "script reading the waiting key it was not given");
        ck_assert_msg(harness_clock_ms() - t_fault < RETRY_MIN_MS,
                      "the checks took too long to come before the retry");

        expect_reply(writer, RETRY_WITHIN_MS, "+OK\r\n", "the script's write after the retry");
        expect_reply(sees, RETRY_WITHIN_MS, values[round], "script read after the retry");
        expect_reply(hidden, RETRY_WITHIN_MS, values[round], "undeclared read after the retry");
        conn_close(writer);
        conn_close(sees);
        conn_close(hidden);
        conn_close(durable);
        conn_close(nothing);
    }
    conn_close(ctl);
    server_stop(h);
}
END_TEST

static Suite *read_wait_suite(void)
{
    Suite *s = suite_create("read_wait");
    TCase *t = tcase_create("read_wait");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, test_read_waits_only_for_writes_it_could_see, 0, 2);
    tcase_add_loop_test(t, test_scripts_wait_like_writes, 0, 2);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return harness_run_suite(read_wait_suite());
}
