/* limits_test.c: black-box tests of the memory a client can make the server
 * hold: client-output-buffer-limit for normal clients (hard and soft, a
 * MONITOR client included), bulk headers that announce huge lengths, huge
 * multibulk counts, and the unauthenticated limits.
 *
 * Every shared expectation was checked against redis-server 7.0.15
 * (RINGKV_SERVER=/usr/bin/redis-server): its log line for a client closed
 * at its output limit, when the soft limit closes (when output is added
 * after soft-seconds above it, not by a timer), its protocol errors.
 * Redis 7.0 reserves a bulk's announced length as soon as its header
 * arrives (used_memory reached 4.3 GB for eight 500 MB headers), and
 * accepts multibulk counts up to INT_MAX; ringkv reserves as bytes arrive
 * and caps counts at 1024*1024, so those checks skip against Redis. */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT_VALUE_BYTES (1024 * 1024)
/* Redis's two log texts: found when output is added, or by its cron. */
#define LIMIT_CLOSED_LOG "scheduled to be closed ASAP for overcoming of output buffer limits."
#define LIMIT_CRON_CLOSED_LOG "closed for overcoming of output buffer limits."

/* Starts a server with client-output-buffer-limit "normal <hard> <soft>
 * <seconds>" and, optionally, requirepass. */
static struct server_handle *limits_server_start(const char *hard, const char *soft,
                                                 const char *seconds)
{
    const char *args[] = {"--client-output-buffer-limit", "normal", hard, soft, seconds, NULL};
    return server_start(args);
}

/* SET key to a LIMIT_VALUE_BYTES value of 'v's. */
static void set_big_value(struct conn *c, const char *key)
{
    char *value = malloc(LIMIT_VALUE_BYTES);
    ck_assert_ptr_nonnull(value);
    memset(value, 'v', LIMIT_VALUE_BYTES);
    const char *argv[] = {"SET", key, value};
    size_t lens[] = {3, strlen(key), LIMIT_VALUE_BYTES};
    char *reply = conn_cmd_argv(c, 3, argv, lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    free(value);
}

/* A named connection, for CLIENT LIST and the log. One that stops reading
 * lets the kernel absorb a few MB (its receive window, the server's send
 * buffer: tcp_wmem's 4 MB at most) before the server's output grows, so the
 * tests ask for several times the limit. A smaller SO_RCVBUF would cut
 * that, but slows the loopback to a crawl once reading starts again. */
static struct conn *slow_open(int port, const char *name)
{
    struct conn *c = conn_open(port);
    char line[64];
    snprintf(line, sizeof(line), "CLIENT SETNAME %s", name);
    ck_cmd(c, line, "+OK\r\n");
    return c;
}

/* Sends count pipelined GETs of key without reading the replies. */
static void send_gets(struct conn *c, const char *key, int count)
{
    char one[64];
    int n = snprintf(one, sizeof(one), "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", strlen(key), key);
    char *all = malloc((size_t)n * (size_t)count);
    ck_assert_ptr_nonnull(all);
    for (int i = 0; i < count; i++)
        memcpy(all + (size_t)i * (size_t)n, one, (size_t)n);
    conn_send_raw(c, all, (size_t)n * (size_t)count);
    free(all);
}

/* Whether CLIENT LIST, asked on c, shows a client named name. */
static bool client_listed(struct conn *c, const char *name)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), " name=%s ", name);
    char *list = conn_cmd(c, "CLIENT LIST");
    bool found = strstr(list, pattern) != NULL;
    free(list);
    return found;
}

/* Waits up to timeout_ms for CLIENT LIST to stop showing name. */
static bool client_gone(struct conn *c, const char *name, int timeout_ms)
{
    int64_t deadline = harness_clock_ms() + timeout_ms;
    while (client_listed(c, name)) {
        if (harness_clock_ms() > deadline)
            return false;
        harness_sleep_ms(20);
    }
    return true;
}

/* Waits up to timeout_ms for a line of the server's log to contain both
 * texts. */
static bool log_has(struct server_handle *h, const char *text, const char *also, int timeout_ms)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", h->dir);
    int64_t deadline = harness_clock_ms() + timeout_ms;
    for (;;) {
        char *log = harness_read_file(path, NULL);
        bool found = false;
        for (char *line = log; line != NULL && *line && !found;) {
            char *end = strchr(line, '\n');
            if (end != NULL)
                *end = '\0';
            found = strstr(line, text) != NULL && strstr(line, also) != NULL;
            line = end != NULL ? end + 1 : NULL;
        }
        free(log);
        if (found)
            return true;
        if (harness_clock_ms() > deadline)
            return false;
        harness_sleep_ms(50);
    }
}

static long long used_memory(struct conn *c)
{
    char *value = conn_info_field(c, "used_memory");
    ck_assert_ptr_nonnull(value);
    long long bytes = atoll(value);
    free(value);
    return bytes;
}

/* A client that pipelines 64 GETs of a 1 MB value and reads nothing is
 * closed once its pending output reaches the hard limit; the others are
 * served throughout. */
static void check_hard_limit(struct server_handle *h)
{
    struct conn *c = conn_open(h->port);
    set_big_value(c, "big");
    struct conn *slow = slow_open(h->port, "slow");
    send_gets(slow, "big", 64);
    ck_assert_msg(client_gone(c, "slow", 10000), "the non-reading client was not closed");
    ck_assert_msg(conn_wait_closed(slow, 10000), "its socket did not reach EOF");
    conn_close(slow);
    /* Redis's line: the client as CLIENT LIST shows it, then the reason. */
    ck_assert_msg(log_has(h, "# Client id=", LIMIT_CLOSED_LOG, 5000), "no log line");
    ck_assert_msg(log_has(h, " name=slow ", LIMIT_CLOSED_LOG, 5000), "the line does not name it");
    ck_cmd(c, "STRLEN big", ":1048576\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}

START_TEST(hard_limit_closes_non_reader)
{
    struct server_handle *h = limits_server_start("4mb", "0", "0");
    check_hard_limit(h);
    server_stop(h);
}
END_TEST

/* Under appendfsync always ringkv holds replies until the AOF is durable:
 * held replies count as pending output too. */
START_TEST(hard_limit_counts_held_replies)
{
    const char *args[] = {"--client-output-buffer-limit", "normal", "4mb", "0", "0",
                          "--appendonly", "yes", "--appendfsync", "always", NULL};
    struct server_handle *h = server_start(args);
    check_hard_limit(h);
    server_stop(h);
}
END_TEST

/* The limit bounds what is pending, not what was sent: a client that reads
 * its replies gets every one of them, however much that is in all. */
START_TEST(reading_client_is_not_limited)
{
    struct server_handle *h = limits_server_start("4mb", "2mb", "1");
    struct conn *c = conn_open(h->port);
    set_big_value(c, "big");
    for (int round = 0; round < 3; round++) {
        send_gets(c, "big", 2);
        for (int i = 0; i < 2; i++) {
            char *reply = conn_read_raw(c);
            ck_assert_uint_eq(strlen(reply), LIMIT_VALUE_BYTES + 12);
            free(reply);
        }
    }
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Above the soft limit for longer than its seconds: closed, even with no
 * output added since (Redis's clientsCron checks every client about once a
 * second). A burst drained before that is not held against the client. */
START_TEST(soft_limit_closes_after_seconds)
{
    struct server_handle *h = limits_server_start("0", "2mb", "2");
    struct conn *c = conn_open(h->port);
    set_big_value(c, "big");
    struct conn *slow = slow_open(h->port, "slow");
    struct conn *burst = slow_open(h->port, "burst");

    /* burst: well above the soft limit, then reads it all at once. */
    send_gets(burst, "big", 16);
    for (int i = 0; i < 16; i++)
        free(conn_read_raw(burst));
    /* slow: well above the soft limit (more than the kernel buffers). */
    send_gets(slow, "big", 16);
    int64_t start = harness_clock_ms();
    harness_sleep_ms(1000);
    ck_assert_msg(client_listed(c, "slow"), "closed before its soft seconds");
    ck_assert_msg(client_gone(c, "slow", 10000), "not closed after its soft seconds");
    ck_assert_int_ge(harness_clock_ms() - start, 2000);
    ck_assert_msg(conn_wait_closed(slow, 10000), "its socket did not reach EOF");
    conn_close(slow);
    ck_assert_msg(log_has(h, " name=slow ", LIMIT_CRON_CLOSED_LOG, 5000), "no log line");

    harness_sleep_ms(1000); /* burst drained 3 s ago or more */

    /* burst: a reply below the soft limit, long after its burst. */
    send_gets(burst, "big", 1);
    char *reply = conn_read_raw(burst);
    ck_assert_uint_eq(strlen(reply), LIMIT_VALUE_BYTES + 12);
    free(reply);
    ck_cmd(burst, "PING", "+PONG\r\n");
    ck_assert(client_listed(c, "burst"));
    conn_close(burst);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A MONITOR client is of class normal: one that does not read is closed
 * at the limit while the commands it watches go on. */
START_TEST(monitor_is_limited)
{
    struct server_handle *h = limits_server_start("4mb", "0", "0");
    struct conn *c = conn_open(h->port);
    struct conn *monitor = slow_open(h->port, "watcher");
    ck_cmd(monitor, "MONITOR", "+OK\r\n");
    for (int i = 0; i < 16; i++)
        set_big_value(c, "big");
    ck_assert_msg(client_gone(c, "watcher", 10000), "the monitor was not closed");
    ck_assert_msg(conn_wait_closed(monitor, 10000), "its socket did not reach EOF");
    conn_close(monitor);
    ck_assert_msg(log_has(h, " name=watcher ", LIMIT_CLOSED_LOG, 5000), "no log line");
    ck_cmd(c, "STRLEN big", ":1048576\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Eight connections announce 500 MB bulks and send a little of them: the
 * server holds what arrived, not what was announced. */
START_TEST(bulk_headers_reserve_little)
{
    enum { CONNECTIONS = 8, SENT_BYTES = 100000 };
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    long long before = used_memory(c);
    struct conn *attackers[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
        attackers[i] = conn_open(h->port);
        conn_send_raw(attackers[i], "*1\r\n$500000000\r\n", 17);
    }
    ck_cmd(c, "PING", "+PONG\r\n");
    char *payload = malloc(SENT_BYTES);
    ck_assert_ptr_nonnull(payload);
    memset(payload, 'x', SENT_BYTES);
    for (int i = 0; i < CONNECTIONS; i++)
        conn_send_raw(attackers[i], payload, SENT_BYTES);
    free(payload);
    /* Give the server a moment to read what the attackers sent. */
    harness_sleep_ms(300);
    ck_cmd(c, "PING", "+PONG\r\n");
    long long after = used_memory(c);
    if (!server_is_redis()) /* Redis 7.0 reserves the announced 4 GB */
        ck_assert_msg(after - before < 50LL * 1024 * 1024,
                      "used_memory grew from %lld to %lld", before, after);
    for (int i = 0; i < CONNECTIONS; i++)
        conn_close(attackers[i]);
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A value that really arrives still arrives whole, sent in pieces. */
START_TEST(big_bulk_in_pieces)
{
    enum { VALUE_BYTES = 3 * 1024 * 1024 + 17, PIECE_BYTES = 100000 };
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    char header[64];
    int n = snprintf(header, sizeof(header), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\n", VALUE_BYTES);
    conn_send_raw(c, header, (size_t)n);
    char *value = malloc(VALUE_BYTES + 2);
    ck_assert_ptr_nonnull(value);
    for (size_t i = 0; i < VALUE_BYTES; i++)
        value[i] = (char)('a' + i % 26);
    memcpy(value + VALUE_BYTES, "\r\n", 2);
    for (size_t at = 0; at < VALUE_BYTES + 2; at += PIECE_BYTES) {
        size_t piece = VALUE_BYTES + 2 - at < PIECE_BYTES ? VALUE_BYTES + 2 - at : PIECE_BYTES;
        conn_send_raw(c, value + at, piece);
        if (at % (10 * PIECE_BYTES) == 0)
            harness_sleep_ms(5);
    }
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    reply = conn_cmd(c, "GET k");
    ck_assert_int_eq(memcmp(reply + 10, value, VALUE_BYTES), 0);
    free(reply);
    free(value);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Counts past INT_MAX are refused (and the connection closed) by both;
 * ringkv also refuses counts past 1024*1024, which Redis 7.0 accepts. A
 * huge count that is accepted costs nothing until its arguments come. */
START_TEST(huge_multibulk_counts)
{
    enum { CONNECTIONS = 8 };
    struct server_handle *h = server_start(NULL);
    const char *invalid = "-ERR Protocol error: invalid multibulk length\r\n";
    const char *counts[] = {"*2147483648\r\n", "*9223372036854775807\r\n",
                            "*99999999999999999999\r\n", server_is_redis() ? NULL : "*1048577\r\n"};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]) && counts[i]; i++) {
        struct conn *c = conn_open(h->port);
        conn_send_raw(c, counts[i], strlen(counts[i]));
        char *reply = conn_read_raw(c);
        ck_assert_msg(strcmp(reply, invalid) == 0, "%s: %s", harness_escape(counts[i]),
                      harness_escape(reply));
        free(reply);
        ck_assert(conn_wait_closed(c, 2000));
        conn_close(c);
    }
    struct conn *c = conn_open(h->port);
    long long before = used_memory(c);
    struct conn *waiting[CONNECTIONS];
    for (int i = 0; i < CONNECTIONS; i++) {
        waiting[i] = conn_open(h->port);
        const char *request = "*1048576\r\n$4\r\nPING\r\n$1\r\nx\r\n";
        conn_send_raw(waiting[i], request, strlen(request));
    }
    harness_sleep_ms(200);
    ck_cmd(c, "PING", "+PONG\r\n");
    long long after = used_memory(c);
    ck_assert_msg(after - before < 50LL * 1024 * 1024, "used_memory grew from %lld to %lld",
                  before, after);
    for (int i = 0; i < CONNECTIONS; i++) {
        ck_assert(conn_try_read_raw(waiting[i], 50) == NULL); /* still waiting */
        conn_close(waiting[i]);
    }
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Before AUTH, Redis 7.0 allows 10 arguments and 16384-byte bulks. */
START_TEST(unauthenticated_lengths)
{
    const char *args[] = {"--requirepass", "secret", NULL};
    struct server_handle *h = server_start(args);
    struct {
        const char *request;
        const char *error; /* NULL: accepted, the server waits for the rest */
    } cases[] = {
        {"*10\r\n", NULL},
        {"*11\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n"},
        {"*1\r\n$16384\r\n", NULL},
        {"*1\r\n$16385\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n"},
        {"*1\r\n$500000000\r\n", "-ERR Protocol error: unauthenticated bulk length\r\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct conn *c = conn_open(h->port);
        conn_send_raw(c, cases[i].request, strlen(cases[i].request));
        char *reply = conn_try_read_raw(c, cases[i].error ? 2000 : 200);
        if (cases[i].error == NULL) {
            ck_assert_msg(reply == NULL, "%s: %s", harness_escape(cases[i].request),
                          harness_escape(reply));
        } else {
            ck_assert_msg(reply != NULL && strcmp(reply, cases[i].error) == 0, "%s: %s",
                          harness_escape(cases[i].request), reply ? harness_escape(reply) : "none");
            ck_assert(conn_wait_closed(c, 2000));
        }
        free(reply);
        conn_close(c);
    }
    /* Once authenticated, a big bulk is fine. */
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "AUTH secret", "+OK\r\n");
    set_big_value(c, "big");
    conn_close(c);
    server_stop(h);
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hard_limit_closes_non_reader);
    tcase_add_test(tc, hard_limit_counts_held_replies);
    tcase_add_test(tc, reading_client_is_not_limited);
    tcase_add_test(tc, soft_limit_closes_after_seconds);
    tcase_add_test(tc, monitor_is_limited);
    tcase_add_test(tc, bulk_headers_reserve_little);
    tcase_add_test(tc, big_bulk_in_pieces);
    tcase_add_test(tc, huge_multibulk_counts);
    tcase_add_test(tc, unauthenticated_lengths);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(limits_suite());
}
