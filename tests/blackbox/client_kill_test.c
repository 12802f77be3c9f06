/* client_kill_test.c: black-box tests of CLIENT KILL: the old form
 * (CLIENT KILL ip:port), and the filters ID, TYPE, USER, ADDR, LADDR and
 * SKIPME alone and combined, the error texts, a client killing itself
 * (after its reply, the rest of an EXEC dropped), and killing clients that
 * are blocked (BLPOP), in MULTI, subscribed (TYPE pubsub, RESP2 and RESP3)
 * or holding unsent output. A killed connection must see EOF.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server. Redis 7.0 has no MAXAGE filter
 * (it came in 7.4): 7.0.15 answers it with a syntax error, and so do we.
 * Each test starts its own server (check forks per test). */
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KILL_EOF_WAIT_MS 5000

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *killer;          /* owned by the fixture: sends the kills */

static void setup(void)
{
    server = server_start(NULL);
    killer = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(killer);
    server_stop(server);
}

/* c's CLIENT ID. */
static long long client_id(struct conn *c)
{
    char *got = conn_cmd(c, "CLIENT ID");
    ck_assert_msg(got[0] == ':', "CLIENT ID: %s", harness_escape(got));
    long long id = strtoll(got + 1, NULL, 10);
    free(got);
    return id;
}

/* c's address as the server sees it (CLIENT LIST addr=): our socket's name. */
static void client_addr(struct conn *c, char *out, size_t out_len)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(conn_fd(c), (struct sockaddr *)&addr, &len), 0);
    snprintf(out, out_len, "127.0.0.1:%d", ntohs(addr.sin_port));
}

/* Asserts that the reply to the formatted command is exactly expected. */
static void ck_cmdf(struct conn *c, const char *expected, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ck_cmdf(struct conn *c, const char *expected, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ck_cmd(c, line, expected);
}

static void ck_killed(struct conn *c)
{
    ck_assert_msg(conn_wait_closed(c, KILL_EOF_WAIT_MS), "the killed connection stayed open");
}

static void ck_alive(struct conn *c)
{
    ck_cmd(c, "PING", "+PONG\r\n");
}

/* Polls until the reply to line on c contains needle. */
static void ck_eventually_contains(struct conn *c, const char *line, const char *needle)
{
    char *got = NULL;
    for (int i = 0; i < 200; i++) {
        free(got);
        got = conn_cmd(c, line);
        if (strstr(got, needle))
            break;
        usleep(10000);
    }
    ck_assert_msg(strstr(got, needle) != NULL, "%s: %s never contained %s", line,
                  harness_escape(got), needle);
    free(got);
}

/* Reads everything c receives until the peer closes; returns it owned. */
static char *read_until_eof(struct conn *c)
{
    size_t len = 0, cap = 4096;
    char *all = malloc(cap);
    for (;;) {
        struct pollfd p = {.fd = conn_fd(c), .events = POLLIN};
        ck_assert_msg(poll(&p, 1, KILL_EOF_WAIT_MS) == 1, "no EOF: got %.*s so far", (int)len, all);
        if (len + 1024 >= cap)
            all = realloc(all, cap *= 2);
        ssize_t n = recv(conn_fd(c), all + len, cap - len - 1, 0);
        ck_assert_msg(n >= 0, "recv failed");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    all[len] = '\0';
    return all;
}

START_TEST(test_errors)
{
    ck_cmd(killer, "CLIENT KILL", "-ERR wrong number of arguments for 'client|kill' command\r\n");
    ck_cmd(killer, "CLIENT KILL 1.2.3.4:5", "-ERR No such client\r\n");
    /* Three arguments are always the old form, whatever the word. */
    ck_cmd(killer, "CLIENT KILL ID", "-ERR No such client\r\n");
    ck_cmd(killer, "CLIENT KILL ID 0", "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL ID -1", "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL ID abc", "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL ID 18446744073709551615",
           "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE x", "-ERR Unknown client type 'x'\r\n");
    ck_cmd(killer, "CLIENT KILL USER x", "-ERR No such user 'x'\r\n");
    ck_cmd(killer, "CLIENT KILL USER Default", "-ERR No such user 'Default'\r\n");
    ck_cmd(killer, "CLIENT KILL SKIPME maybe", "-ERR syntax error\r\n");
    ck_cmd(killer, "CLIENT KILL FOO bar", "-ERR syntax error\r\n");
    ck_cmd(killer, "CLIENT KILL ID 1 TYPE", "-ERR syntax error\r\n");
    ck_cmd(killer, "CLIENT KILL MAXAGE 10", "-ERR syntax error\r\n");
    /* Pairs are read left to right: the first bad one decides. */
    ck_cmd(killer, "CLIENT KILL TYPE x ID 0", "-ERR Unknown client type 'x'\r\n");
    ck_cmd(killer, "CLIENT KILL ID 0 TYPE x", "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE x ID", "-ERR Unknown client type 'x'\r\n");
    /* Nothing matches: zero, no error. */
    ck_cmd(killer, "CLIENT KILL ID 99999", ":0\r\n");
    ck_cmd(killer, "CLIENT KILL ADDR 1.2.3.4:5", ":0\r\n");
    ck_cmd(killer, "CLIENT KILL LADDR 1.2.3.4:5", ":0\r\n");
    ck_alive(killer);
}
END_TEST

START_TEST(test_kill_by_id)
{
    struct conn *victim = conn_open(server->port);
    struct conn *other = conn_open(server->port);
    long long id = client_id(victim);
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ID %lld", id);
    ck_killed(victim);
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ID %lld", id);
    ck_alive(other);
    ck_alive(killer);
    conn_close(victim);
    conn_close(other);
}
END_TEST

START_TEST(test_kill_by_addr_and_laddr)
{
    struct conn *a = conn_open(server->port);
    struct conn *b = conn_open(server->port);
    struct conn *c = conn_open(server->port);
    char addr[64];
    client_addr(a, addr, sizeof(addr));
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ADDR %s", addr);
    ck_killed(a);
    ck_alive(b);
    /* Every connection came in on the same local address: all but me. */
    ck_cmdf(killer, ":2\r\n", "CLIENT KILL LADDR 127.0.0.1:%d", server->port);
    ck_killed(b);
    ck_killed(c);
    ck_alive(killer);
    conn_close(a);
    conn_close(b);
    conn_close(c);
}
END_TEST

START_TEST(test_skipme)
{
    struct conn *other = conn_open(server->port);
    long long me = client_id(killer);
    /* SKIPME yes is the default. */
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ID %lld", me);
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ID %lld SKIPME YES", me);
    ck_alive(killer);
    ck_cmd(killer, "CLIENT KILL USER default", ":1\r\n");
    ck_killed(other);
    ck_alive(killer);
    /* SKIPME no: the reply comes, then the connection closes. */
    struct conn *third = conn_open(server->port);
    ck_alive(third);
    ck_cmd(killer, "CLIENT KILL USER default SKIPME no", ":2\r\n");
    ck_killed(killer);
    ck_killed(third);
    conn_close(other);
    conn_close(third);
    conn_close(killer);
    killer = conn_open(server->port);
}
END_TEST

START_TEST(test_old_form)
{
    struct conn *victim = conn_open(server->port);
    char addr[64];
    client_addr(victim, addr, sizeof(addr));
    ck_cmdf(killer, "+OK\r\n", "CLIENT KILL %s", addr);
    ck_killed(victim);
    ck_cmdf(killer, "-ERR No such client\r\n", "CLIENT KILL %s", addr);
    /* The old form may kill the caller: +OK first, then EOF. */
    client_addr(killer, addr, sizeof(addr));
    ck_cmdf(killer, "+OK\r\n", "CLIENT KILL %s", addr);
    ck_killed(killer);
    conn_close(victim);
    conn_close(killer);
    killer = conn_open(server->port);
}
END_TEST

START_TEST(test_type)
{
    struct conn *plain = conn_open(server->port);
    struct conn *sub2 = conn_open(server->port);
    struct conn *sub3 = conn_open(server->port);
    ck_cmd(sub2, "SUBSCRIBE ch", "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    ck_cmd_prefix(sub3, "HELLO 3", "%7\r\n");
    ck_cmd(sub3, "PSUBSCRIBE p*", ">3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:1\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE master", ":0\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE replica", ":0\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE slave", ":0\r\n");
    ck_cmd(killer, "CLIENT KILL TYPE PubSub", ":2\r\n");
    ck_killed(sub2);
    ck_killed(sub3);
    ck_cmd(killer, "PUBLISH ch m", ":0\r\n");
    ck_cmd(killer, "PUBSUB NUMPAT", ":0\r\n");
    ck_alive(plain);
    ck_cmd(killer, "CLIENT KILL TYPE normal", ":1\r\n");
    ck_killed(plain);
    ck_alive(killer);
    conn_close(plain);
    conn_close(sub2);
    conn_close(sub3);
}
END_TEST

START_TEST(test_combined_filters)
{
    struct conn *a = conn_open(server->port);
    struct conn *b = conn_open(server->port);
    long long id_a = client_id(a), id_b = client_id(b);
    char addr_a[64];
    client_addr(a, addr_a, sizeof(addr_a));
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ID %lld TYPE pubsub", id_a);
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ID %lld ADDR %s", id_b, addr_a);
    ck_cmdf(killer, ":0\r\n", "CLIENT KILL ADDR %s LADDR 1.2.3.4:5", addr_a);
    ck_alive(a);
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ID %lld TYPE normal ADDR %s USER default LADDR 127.0.0.1:%d",
            id_a, addr_a, server->port);
    ck_killed(a);
    ck_alive(b);
    conn_close(a);
    conn_close(b);
}
END_TEST

START_TEST(test_kill_blocked)
{
    struct conn *blocked = conn_open(server->port);
    long long id = client_id(blocked);
    conn_send(blocked, "BLPOP list 0");
    ck_eventually_contains(killer, "INFO clients", "blocked_clients:1\r\n");
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ID %lld", id);
    ck_killed(blocked);
    ck_eventually_contains(killer, "INFO clients", "blocked_clients:0\r\n");
    /* Nobody is served: the value stays. */
    ck_cmd(killer, "LPUSH list x", ":1\r\n");
    ck_cmd(killer, "LLEN list", ":1\r\n");
    conn_close(blocked);
}
END_TEST

START_TEST(test_kill_in_multi)
{
    struct conn *victim = conn_open(server->port);
    long long id = client_id(victim);
    ck_cmd(victim, "WATCH k", "+OK\r\n");
    ck_cmd(victim, "MULTI", "+OK\r\n");
    ck_cmd(victim, "SET k v", "+QUEUED\r\n");
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ID %lld", id);
    ck_killed(victim);
    ck_cmd(killer, "EXISTS k", ":0\r\n");
    ck_cmd(killer, "SET k w", "+OK\r\n");
    conn_close(victim);
}
END_TEST

START_TEST(test_kill_self_in_exec)
{
    long long me = client_id(killer);
    char line[128];
    snprintf(line, sizeof(line), "MULTI\r\nCLIENT KILL SKIPME no ID %lld\r\nPING\r\nEXEC\r\nPING\r\n", me);
    conn_send_raw(killer, line, strlen(line));
    char *all = read_until_eof(killer);
    /* The EXEC reply is cut after the kill's, as in Redis. */
    ck_assert_str_eq(all, "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:1\r\n");
    free(all);
    conn_close(killer);
    killer = conn_open(server->port);
}
END_TEST

START_TEST(test_kill_with_pending_output)
{
    struct conn *victim = conn_open(server->port);
    long long id = client_id(victim);
    static char big[1 << 20];
    memset(big, 'x', sizeof(big));
    const char *set[] = {"SET", "big", big};
    size_t lens[] = {3, 3, sizeof(big)};
    char *got = conn_cmd_argv(killer, 3, set, lens);
    ck_assert_str_eq(got, "+OK\r\n");
    free(got);
    /* The victim asks for 32 MB and reads none of it. */
    for (int i = 0; i < 32; i++)
        conn_send(victim, "GET big");
    ck_eventually_contains(killer, "CLIENT LIST", "cmd=get");
    ck_cmdf(killer, ":1\r\n", "CLIENT KILL ID %lld", id);
    ck_killed(victim);
    ck_alive(killer);
    conn_close(victim);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_kill");
    TCase *tc = tcase_create("client_kill");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_kill_by_id);
    tcase_add_test(tc, test_kill_by_addr_and_laddr);
    tcase_add_test(tc, test_skipme);
    tcase_add_test(tc, test_old_form);
    tcase_add_test(tc, test_type);
    tcase_add_test(tc, test_combined_filters);
    tcase_add_test(tc, test_kill_blocked);
    tcase_add_test(tc, test_kill_in_multi);
    tcase_add_test(tc, test_kill_self_in_exec);
    tcase_add_test(tc, test_kill_with_pending_output);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
