/* security_test.c: black-box tests of the safe defaults: protected mode,
 * AUTH's password check, and who may run DEBUG.
 *
 * Protected mode needs a client that is not "local". Redis 7.0 calls a peer
 * local only when its address reads exactly "127.0.0.1" or "::1", so a
 * socket bound to 127.0.0.2 before it connects to 127.0.0.1 (Linux routes
 * all of 127/8 through lo) is a remote client; the suite skips (77) where
 * that bind fails. The harness's server listens on 127.0.0.1 only, and that
 * is enough: Redis 7.0 applies protected mode whatever `bind` says.
 *
 * Every expected reply was checked byte for byte against redis-server
 * 7.0.15 (RINGKV_SERVER=/usr/bin/redis-server). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/wire/resp.h"

/* A loopback source address Redis does not count as local. */
#define PEER_SOURCE "127.0.0.2"
/* Enough for every reply these tests read (the DENIED text is 1 KB). */
#define PEER_BUF_BYTES (16 * 1024)
#define PEER_CLOSE_TIMEOUT_MS 5000

/* Redis 7.0's exact greeting for a remote client in protected mode. */
static const char denied[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections from "
    "the outside.\r\n";
static const char wrongpass[] = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
static const char debug_denied[] =
    "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
    "can run it from a local connection, otherwise you need to set this option in the "
    "configuration file, and then restart the server.\r\n";

/* A client connected from PEER_SOURCE. The harness's struct conn always
 * connects from 127.0.0.1, so this one is the test's own. */
struct peer {
    int fd;
    char buf[PEER_BUF_BYTES + 1];
    size_t len; /* bytes received and not yet returned */
};

/* A TCP socket bound to PEER_SOURCE, or -1 with errno set. */
static int peer_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    inet_pton(AF_INET, PEER_SOURCE, &src.sin_addr);
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Connects from PEER_SOURCE to 127.0.0.1:port. Returns owned. */
static struct peer *peer_open(int port)
{
    struct peer *p = calloc(1, sizeof(*p));
    ck_assert_ptr_nonnull(p);
    p->fd = peer_socket();
    ck_assert_msg(p->fd >= 0, "bind to %s: %s", PEER_SOURCE, strerror(errno));
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(connect(p->fd, (struct sockaddr *)&dst, sizeof(dst)) == 0, "connect: %s",
                  strerror(errno));
    return p;
}

static void peer_close(struct peer *p)
{
    close(p->fd);
    free(p);
}

/* Sends line as an inline command (no argument here needs quoting). */
static void peer_send(struct peer *p, const char *line)
{
    char out[512];
    int n = snprintf(out, sizeof(out), "%s\r\n", line);
    ck_assert(n > 0 && (size_t)n < sizeof(out));
    ck_assert_int_eq(send(p->fd, out, (size_t)n, MSG_NOSIGNAL), n);
}

/* Receives more bytes within timeout_ms. Returns the count, 0 at EOF (a
 * reset counts as EOF: a server that closes with our request unread
 * resets), -1 on timeout. */
static ssize_t peer_recv(struct peer *p, int timeout_ms)
{
    ck_assert_msg(p->len < PEER_BUF_BYTES, "reply longer than %d bytes", PEER_BUF_BYTES);
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) != 1)
        return -1;
    ssize_t n = recv(p->fd, p->buf + p->len, PEER_BUF_BYTES - p->len, 0);
    if (n < 0 && errno == ECONNRESET)
        return 0;
    ck_assert_msg(n >= 0, "recv: %s", strerror(errno));
    p->len += (size_t)n;
    return n;
}

/* Reads one whole reply. Returns owned, NUL-terminated. */
static char *peer_read_reply(struct peer *p)
{
    for (;;) {
        struct resp_reply_head head;
        enum resp_scan_result r = resp_reply_scan(p->buf, p->len, &head);
        ck_assert_int_ne(r, RESP_SCAN_MALFORMED);
        if (r == RESP_SCAN_OK) {
            char *reply = strndup(p->buf, head.reply_bytes);
            ck_assert_ptr_nonnull(reply);
            memmove(p->buf, p->buf + head.reply_bytes, p->len - head.reply_bytes);
            p->len -= head.reply_bytes;
            return reply;
        }
        ssize_t n = peer_recv(p, HARNESS_READ_TIMEOUT_MS);
        ck_assert_msg(n > 0, "no whole reply (%s) after %zu bytes: %s", n == 0 ? "EOF" : "timeout",
                      p->len, harness_escape(strndup(p->buf, p->len)));
    }
}

/* Sends line and asserts the reply is exactly expected. */
static void ck_peer_cmd(struct peer *p, const char *line, const char *expected)
{
    peer_send(p, line);
    char *reply = peer_read_reply(p);
    ck_assert_msg(strcmp(reply, expected) == 0, "%s from %s: expected %s got %s", line, PEER_SOURCE,
                  harness_escape(expected), harness_escape(reply));
    free(reply);
}

/* Asserts that the server closes p within PEER_CLOSE_TIMEOUT_MS after
 * sending exactly expected (and nothing else). */
static void ck_peer_closed_after(struct peer *p, const char *expected)
{
    int64_t deadline = harness_clock_ms() + PEER_CLOSE_TIMEOUT_MS;
    for (;;) {
        int left = (int)(deadline - harness_clock_ms());
        ssize_t n = peer_recv(p, left > 0 ? left : 0);
        ck_assert_msg(n >= 0, "still open after %d ms; received %s", PEER_CLOSE_TIMEOUT_MS,
                      harness_escape(strndup(p->buf, p->len)));
        if (n == 0)
            break;
    }
    p->buf[p->len] = '\0';
    ck_assert_msg(strcmp(p->buf, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(p->buf));
}

/* ---- Protected mode ---- */

/* With the defaults (protected mode on, no password) a client from another
 * address gets DENIED at once, before it sends anything, and is closed;
 * it counts as rejected, not as a received connection. */
START_TEST(protected_mode_denies_remote_client)
{
    struct server_handle *h = server_start(NULL);
    struct conn *local = conn_open(h->port);
    ck_cmd(local, "CONFIG GET protected-mode", "*2\r\n$14\r\nprotected-mode\r\n$3\r\nyes\r\n");
    char *received_before = conn_info_field(local, "total_connections_received");
    char *rejected_before = conn_info_field(local, "rejected_connections");
    ck_assert_ptr_nonnull(received_before);
    ck_assert_ptr_nonnull(rejected_before);

    struct peer *p = peer_open(h->port);
    ck_peer_closed_after(p, denied);
    peer_close(p);

    char *received_after = conn_info_field(local, "total_connections_received");
    char *rejected_after = conn_info_field(local, "rejected_connections");
    ck_assert_str_eq(received_after, received_before);
    ck_assert_int_eq(atoll(rejected_after), atoll(rejected_before) + 1);
    free(received_before);
    free(rejected_before);
    free(received_after);
    free(rejected_after);

    /* 127.0.0.1 is served. */
    ck_cmd(local, "PING", "+PONG\r\n");
    conn_close(local);
    server_stop(h);
}
END_TEST

/* A remote client's first command never runs, even when it is sent at
 * once: Redis answers on accept, before reading anything. */
START_TEST(protected_mode_runs_no_remote_command)
{
    struct server_handle *h = server_start(NULL);
    struct peer *p = peer_open(h->port);
    peer_send(p, "SET leaked 1");
    int64_t deadline = harness_clock_ms() + PEER_CLOSE_TIMEOUT_MS;
    while (harness_clock_ms() < deadline && peer_recv(p, (int)(deadline - harness_clock_ms())) > 0)
        ;
    peer_close(p);
    struct conn *local = conn_open(h->port);
    ck_cmd(local, "EXISTS leaked", ":0\r\n");
    conn_close(local);
    server_stop(h);
}
END_TEST

/* The server bound to 127.0.0.2 itself, a client from there is still not
 * local: bind does not matter, only the peer's address. */
START_TEST(protected_mode_ignores_bind)
{
    const char *args[] = {"--bind", "127.0.0.1 " PEER_SOURCE, NULL};
    struct server_handle *h = server_start(args);
    int fd = peer_socket();
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->port)};
    inet_pton(AF_INET, PEER_SOURCE, &dst.sin_addr);
    ck_assert_msg(connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == 0, "connect: %s",
                  strerror(errno));
    struct peer *p = calloc(1, sizeof(*p));
    ck_assert_ptr_nonnull(p);
    p->fd = fd;
    ck_peer_closed_after(p, denied);
    peer_close(p);
    server_stop(h);
}
END_TEST

START_TEST(protected_mode_off_serves_remote_client)
{
    const char *args[] = {"--protected-mode", "no", NULL};
    struct server_handle *h = server_start(args);
    struct peer *p = peer_open(h->port);
    ck_peer_cmd(p, "PING", "+PONG\r\n");
    ck_peer_cmd(p, "SET k v", "+OK\r\n");
    peer_close(p);
    server_stop(h);
}
END_TEST

/* A password protects the server instead: the remote client connects and
 * must AUTH like anyone else. */
START_TEST(protected_mode_with_password_serves_remote_client)
{
    const char *args[] = {"--requirepass", "secret", NULL};
    struct server_handle *h = server_start(args);
    struct peer *p = peer_open(h->port);
    ck_peer_cmd(p, "PING", "-NOAUTH Authentication required.\r\n");
    ck_peer_cmd(p, "AUTH wrong", wrongpass);
    ck_peer_cmd(p, "AUTH secret", "+OK\r\n");
    ck_peer_cmd(p, "PING", "+PONG\r\n");
    peer_close(p);
    server_stop(h);
}
END_TEST

/* Both settings apply to the next connection when changed at runtime. */
START_TEST(protected_mode_follows_config_set)
{
    struct server_handle *h = server_start(NULL);
    struct conn *local = conn_open(h->port);
    ck_cmd(local, "CONFIG SET protected-mode no", "+OK\r\n");
    struct peer *p = peer_open(h->port);
    ck_peer_cmd(p, "PING", "+PONG\r\n");
    peer_close(p);

    ck_cmd(local, "CONFIG SET protected-mode yes", "+OK\r\n");
    p = peer_open(h->port);
    ck_peer_closed_after(p, denied);
    peer_close(p);

    ck_cmd(local, "CONFIG SET requirepass secret", "+OK\r\n");
    p = peer_open(h->port);
    ck_peer_cmd(p, "PING", "-NOAUTH Authentication required.\r\n");
    ck_peer_cmd(p, "AUTH secret", "+OK\r\n");
    peer_close(p);

    /* An empty requirepass is no password: protected again. */
    const char *clear[] = {"CONFIG", "SET", "requirepass", ""};
    char *reply = conn_cmd_argv(local, 4, clear, NULL);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    p = peer_open(h->port);
    ck_peer_closed_after(p, denied);
    peer_close(p);
    conn_close(local);
    server_stop(h);
}
END_TEST

/* ---- AUTH's password check ---- */

/* Only the exact password passes: not a prefix, an extension, a case
 * change, one changed byte, an empty string or the password with a NUL
 * after it. The long password spans several SHA-1 blocks. */
static void ck_only_exact_password(struct conn *c, const char *password)
{
    size_t len = strlen(password);
    char *variant = malloc(len + 2);
    ck_assert_ptr_nonnull(variant);
    const char *auth[] = {"AUTH", variant};
    size_t lens[2] = {4, 0};

    lens[1] = len - 1; /* shorter */
    memcpy(variant, password, len);
    char *reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    lens[1] = len + 1; /* longer */
    variant[len] = 'x';
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    variant[len] = '\0'; /* with a NUL after it */
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    lens[1] = len; /* last byte changed */
    variant[len - 1] ^= 1;
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    variant[len - 1] ^= 1; /* first byte changed */
    variant[0] ^= 0x20;
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    lens[1] = 0; /* empty */
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, wrongpass);
    free(reply);
    ck_cmd(c, "PING", "-NOAUTH Authentication required.\r\n");

    variant[0] ^= 0x20; /* exact */
    lens[1] = len;
    reply = conn_cmd_argv(c, 2, auth, lens);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    ck_cmd(c, "PING", "+PONG\r\n");
    free(variant);
}

START_TEST(auth_accepts_only_the_exact_password)
{
    char long_password[201];
    for (size_t i = 0; i < sizeof(long_password) - 1; i++)
        long_password[i] = (char)('a' + i % 26);
    long_password[sizeof(long_password) - 1] = '\0';
    const char *passwords[] = {"secret", "s", long_password};
    for (size_t i = 0; i < sizeof(passwords) / sizeof(passwords[0]); i++) {
        const char *args[] = {"--requirepass", passwords[i], NULL};
        struct server_handle *h = server_start(args);
        struct conn *c = conn_open(h->port);
        ck_only_exact_password(c, passwords[i]);
        conn_close(c);
        server_stop(h);
    }
}
END_TEST

START_TEST(auth_with_username_and_hello)
{
    const char *args[] = {"--requirepass", "secret", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "AUTH default secre", wrongpass);
    ck_cmd(c, "AUTH default secrets", wrongpass);
    ck_cmd(c, "AUTH someone secret", wrongpass);
    ck_cmd(c, "AUTH a b c", "-ERR syntax error\r\n");
    ck_cmd(c, "HELLO 3 AUTH default secre", wrongpass);
    ck_cmd(c, "HELLO 3 AUTH default secrets", wrongpass);
    ck_cmd(c, "HELLO 3 AUTH someone secret", wrongpass);
    ck_cmd(c, "PING", "-NOAUTH Authentication required.\r\n");
    char *reply = conn_cmd(c, "HELLO 3 AUTH default secret");
    const char *hello3 = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                         "$5\r\nproto\r\n:3\r\n";
    ck_assert_msg(strncmp(reply, hello3, strlen(hello3)) == 0, "%s", harness_escape(reply));
    free(reply);
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* ---- DEBUG ---- */

/* enable-debug-command: "no" (the default) refuses everyone, "local" all
 * but 127.0.0.1 and ::1, "yes" nobody. Arity is checked first. */
START_TEST(debug_command_by_peer)
{
    const char *modes[] = {"no", "local", "yes"};
    for (int m = 0; m < 3; m++) {
        /* "no" is the default: that server starts with no arguments. */
        const char *args[] = {"--protected-mode", "no", "--enable-debug-command", modes[m], NULL};
        struct server_handle *h = server_start(m == 0 ? NULL : args);
        struct conn *local = conn_open(h->port);
        ck_cmd(local, "DEBUG", "-ERR wrong number of arguments for 'debug' command\r\n");
        ck_cmd(local, "DEBUG SLEEP 0", m == 0 ? debug_denied : "+OK\r\n");
        ck_cmd(local, "CONFIG SET enable-debug-command yes",
               "-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - "
               "can't set immutable config\r\n");
        conn_close(local);
        if (m > 0) {
            struct peer *p = peer_open(h->port);
            ck_peer_cmd(p, "DEBUG SLEEP 0", m == 1 ? debug_denied : "+OK\r\n");
            peer_close(p);
        }
        server_stop(h);
    }
}
END_TEST

/* A refused DEBUG is refused when it is sent, before NOAUTH and before
 * MULTI queues it: the transaction then aborts, and the call counts as
 * rejected, not as a call (Redis 7.0's CMD_PROTECTED check). */
START_TEST(debug_refused_before_queueing_and_auth)
{
    const char *args[] = {"--requirepass", "pw", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "DEBUG SLEEP 0", debug_denied);
    ck_cmd(c, "AUTH pw", "+OK\r\n");
    ck_cmd(c, "MULTI", "+OK\r\n");
    ck_cmd(c, "DEBUG SLEEP 0", debug_denied);
    ck_cmd(c, "EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    char *stats = conn_cmd(c, "INFO commandstats");
    ck_assert_msg(strstr(stats, "cmdstat_debug:calls=0,") != NULL, "%s", stats);
    ck_assert_msg(strstr(stats, "rejected_calls=2,") != NULL, "%s", stats);
    free(stats);
    conn_close(c);
    server_stop(h);
}
END_TEST

static Suite *security_suite(void)
{
    Suite *s = suite_create("security");
    TCase *tc = tcase_create("security");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, protected_mode_denies_remote_client);
    tcase_add_test(tc, protected_mode_runs_no_remote_command);
    tcase_add_test(tc, protected_mode_ignores_bind);
    tcase_add_test(tc, protected_mode_off_serves_remote_client);
    tcase_add_test(tc, protected_mode_with_password_serves_remote_client);
    tcase_add_test(tc, protected_mode_follows_config_set);
    tcase_add_test(tc, auth_accepts_only_the_exact_password);
    tcase_add_test(tc, auth_with_username_and_hello);
    tcase_add_test(tc, debug_command_by_peer);
    tcase_add_test(tc, debug_refused_before_queueing_and_auth);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int fd = peer_socket();
    if (fd < 0) {
        fprintf(stderr, "security_test: cannot bind a socket to %s (%s): skipped\n", PEER_SOURCE,
                strerror(errno));
        return 77;
    }
    close(fd);
    return harness_run_suite(security_suite());
}
