/* protocol_test.c: black-box tests of the wire protocol and the connection
 * commands. Covers RESP2 multibulk and inline requests, pipelining, every
 * protocol error Redis 7.0 reports (and whether it closes the connection),
 * very large values, RESP3 through HELLO, AUTH with requirepass, QUIT,
 * RESET, SELECT, ECHO, CLIENT, MONITOR, and fairness under a slow reader
 * and many connections.
 *
 * Every expected reply was checked byte for byte against redis-server
 * 7.0.15 (RINGKV_SERVER=/usr/bin/redis-server). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* The server most tests share; started and stopped by the checked fixture,
 * which runs inside each test's forked process. */
static struct server_handle *server;

static void server_setup(void)
{
    server = server_start(NULL);
}

static void server_teardown(void)
{
    if (server != NULL)
        server_stop(server);
    server = NULL;
}

/* Sends raw bytes and asserts that the next reply is exactly expected. */
static void ck_raw(struct conn *c, const char *request, const char *expected)
{
    conn_send_raw(c, request, strlen(request));
    char *reply = conn_read_raw(c);
    ck_assert_msg(strcmp(reply, expected) == 0, "%s: expected %s got %s",
                  harness_escape(request), harness_escape(expected), harness_escape(reply));
    free(reply);
}

/* Sends a request that is a protocol error on a fresh connection, and
 * asserts the error text and that the server then closes the connection. */
static void ck_protocol_error(const void *request, size_t len, const char *expected)
{
    struct conn *c = conn_open(server->port);
    conn_send_raw(c, request, len);
    char *reply = conn_read_raw(c);
    ck_assert_msg(strcmp(reply, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(reply));
    free(reply);
    ck_assert_msg(conn_wait_closed(c, 2000), "connection left open after %s",
                  harness_escape(expected));
    conn_close(c);
}

/* Returns the local port of a connection, as the server sees its peer. */
static int conn_local_port(struct conn *c)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(conn_fd(c), (struct sockaddr *)&addr, &len), 0);
    return ntohs(addr.sin_port);
}

START_TEST(inline_commands)
{
    struct conn *c = conn_open(server->port);
    ck_raw(c, "PING\r\n", "+PONG\r\n");
    ck_raw(c, "PING\n", "+PONG\r\n");
    ck_raw(c, "ping hello\r\n", "$5\r\nhello\r\n");
    /* Empty lines are skipped, and runs of spaces separate one argument. */
    ck_raw(c, "\r\n\r\nPING   a   \r\n", "$1\r\na\r\n");
    ck_raw(c, "SET \"a b\" 'c'\r\n", "+OK\r\n");
    const char *get[] = {"GET", "a b"};
    conn_send_argv(c, 2, get, NULL);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "$1\r\nc\r\n");
    free(reply);
    /* Double quotes understand escapes, including \xHH. */
    ck_raw(c, "ECHO \"a\\x41\\n\\t\"\r\n", "$4\r\naA\n\t\r\n");
    ck_raw(c, "ECHO \"\"\r\n", "$0\r\n\r\n");
    ck_raw(c, "SET  \r\n", "-ERR wrong number of arguments for 'set' command\r\n");
    conn_close(c);
}
END_TEST

START_TEST(inline_unbalanced_quotes)
{
    static const char closing[] = "ECHO \"a\"b\r\n";
    static const char open[] = "ECHO \"abc\r\n";
    const char *expected = "-ERR Protocol error: unbalanced quotes in request\r\n";
    ck_protocol_error(closing, strlen(closing), expected);
    ck_protocol_error(open, strlen(open), expected);
}
END_TEST

START_TEST(multibulk_split_bytes)
{
    struct conn *c = conn_open(server->port);
    /* The request arrives one byte at a time, with empty and null
     * multibulks (which Redis ignores) in front of it. */
    static const char request[] = "*0\r\n*-1\r\n*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$5\r\nv\r\n\0x\r\n";
    for (size_t i = 0; i < sizeof(request) - 1; i++)
        conn_send_raw(c, request + i, 1);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    reply = conn_cmd(c, "GET k1");
    ck_assert_int_eq(memcmp(reply, "$5\r\nv\r\n\0x\r\n", 12), 0);
    free(reply);
    ck_raw(c, "*1\r\n$0\r\n\r\n", "-ERR unknown command '', with args beginning with: \r\n");
    conn_close(c);
}
END_TEST

/* Appends printf output to a growing buffer. */
static void buf_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void buf_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *piece = NULL;
    int n = vasprintf(&piece, fmt, ap);
    va_end(ap);
    ck_assert_int_ge(n, 0);
    if (*len + (size_t)n > *cap) {
        *cap = (*cap + (size_t)n) * 2;
        *buf = realloc(*buf, *cap);
        ck_assert_ptr_nonnull(*buf);
    }
    memcpy(*buf + *len, piece, (size_t)n);
    *len += (size_t)n;
    free(piece);
}

START_TEST(pipeline_10000)
{
    enum { COMMANDS = 10000 };
    struct conn *c = conn_open(server->port);
    char *req = NULL;
    size_t len = 0;
    size_t cap = 0;
    for (int i = 0; i < COMMANDS; i++)
        buf_printf(&req, &len, &cap, "SET key:%d value:%d\r\n", i, i * 7);
    conn_send_raw(c, req, len);
    for (int i = 0; i < COMMANDS; i++) {
        char *reply = conn_read_raw(c);
        ck_assert_msg(strcmp(reply, "+OK\r\n") == 0, "reply %d: %s", i, harness_escape(reply));
        free(reply);
    }
    len = 0;
    for (int i = 0; i < COMMANDS; i++)
        buf_printf(&req, &len, &cap, "*2\r\n$3\r\nGET\r\n$%d\r\nkey:%d\r\n",
                   snprintf(NULL, 0, "key:%d", i), i);
    conn_send_raw(c, req, len);
    for (int i = 0; i < COMMANDS; i++) {
        char value[32];
        char expected[64];
        snprintf(value, sizeof(value), "value:%d", i * 7);
        snprintf(expected, sizeof(expected), "$%zu\r\n%s\r\n", strlen(value), value);
        char *reply = conn_read_raw(c);
        ck_assert_msg(strcmp(reply, expected) == 0, "reply %d: %s", i, harness_escape(reply));
        free(reply);
    }
    free(req);
    ck_cmd(c, "DBSIZE", ":10000\r\n");
    conn_close(c);
}
END_TEST

/* Sends many large values in one write and reads them back pipelined. */
START_TEST(pipeline_big_values)
{
    enum { COMMANDS = 200, VALUE_BYTES = 100 * 1024 };
    struct conn *c = conn_open(server->port);
    char *value = malloc(VALUE_BYTES);
    ck_assert_ptr_nonnull(value);
    char *req = NULL;
    size_t len = 0;
    size_t cap = 0;
    for (int i = 0; i < COMMANDS; i++) {
        memset(value, 'a' + i % 26, VALUE_BYTES);
        buf_printf(&req, &len, &cap, "*3\r\n$3\r\nSET\r\n$%d\r\nbig%03d\r\n$%d\r\n", 6, i,
                   VALUE_BYTES);
        buf_printf(&req, &len, &cap, "%.*s\r\n", VALUE_BYTES, value);
        buf_printf(&req, &len, &cap, "*2\r\n$3\r\nGET\r\n$6\r\nbig%03d\r\n", i);
    }
    conn_send_raw(c, req, len);
    for (int i = 0; i < COMMANDS; i++) {
        char *reply = conn_read_raw(c);
        ck_assert_str_eq(reply, "+OK\r\n");
        free(reply);
        reply = conn_read_raw(c);
        ck_assert_int_eq(strlen(reply), 9 + VALUE_BYTES + 2);
        ck_assert_int_eq(memcmp(reply, "$102400\r\n", 9), 0);
        ck_assert_int_eq(reply[9], 'a' + i % 26);
        ck_assert_int_eq(reply[9 + VALUE_BYTES - 1], 'a' + i % 26);
        free(reply);
    }
    free(req);
    free(value);
    conn_close(c);
}
END_TEST

START_TEST(unknown_command_keeps_connection)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "foo a b", "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    ck_raw(c, "foo a b\r\n", "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n");
    ck_cmd(c, "NOSUCH", "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
    /* The argument list stops once it reaches 128 characters, and the
     * argument that crosses the limit is cut there. */
    ck_raw(c,
           "foo a b c d e f g h i j k l m n o p q r s t u v w x y z "
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n",
           "-ERR unknown command 'foo', with args beginning with: 'a' 'b' 'c' 'd' 'e' "
           "'f' 'g' 'h' 'i' 'j' 'k' 'l' 'm' 'n' 'o' 'p' 'q' 'r' 's' 't' 'u' 'v' 'w' 'x' "
           "'y' 'z' 'aaaaaaaaaaaaaaaaaaaaaaaa' \r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

START_TEST(wrong_arity)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "GET", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(c, "get a b", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(c, "SET k", "-ERR wrong number of arguments for 'set' command\r\n");
    ck_cmd(c, "ECHO", "-ERR wrong number of arguments for 'echo' command\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

START_TEST(protocol_errors_close)
{
    const char *bad_count = "-ERR Protocol error: invalid multibulk length\r\n";
    const char *bad_bulk = "-ERR Protocol error: invalid bulk length\r\n";
    ck_protocol_error("*abc\r\n", 6, bad_count);
    ck_protocol_error("*3000000000\r\n", 13, bad_count);
    ck_protocol_error("*1\r\nx\r\n", 7, "-ERR Protocol error: expected '$', got 'x'\r\n");
    ck_protocol_error("*1\r\n$-5\r\n", 9, bad_bulk);
    ck_protocol_error("*1\r\n$-1\r\n", 9, bad_bulk);
    ck_protocol_error("*1\r\n$abc\r\n", 10, bad_bulk);
    /* Past proto-max-bulk-len (512 MB). */
    ck_protocol_error("*1\r\n$600000000\r\n", 17, bad_bulk);
    /* The server is still fine for everyone else. */
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

/* Requests longer than 64 KB with no line end are refused while incomplete. */
START_TEST(protocol_errors_too_big)
{
    enum { BYTES = 70000 };
    char *request = malloc(BYTES);
    ck_assert_ptr_nonnull(request);
    memset(request, 'a', BYTES);
    ck_protocol_error(request, BYTES, "-ERR Protocol error: too big inline request\r\n");
    memset(request, '1', BYTES);
    request[0] = '*';
    ck_protocol_error(request, BYTES, "-ERR Protocol error: too big mbulk count string\r\n");
    memcpy(request, "*1\r\n$", 5);
    ck_protocol_error(request, BYTES, "-ERR Protocol error: too big bulk count string\r\n");
    free(request);
}
END_TEST

/* Sends a SET of a value_bytes value in 1 MB chunks. The byte at offset i
 * is 'a' + i % 23, so any slice can be checked. */
static void send_patterned_set(struct conn *c, const char *key, size_t value_bytes)
{
    enum { CHUNK_BYTES = 1024 * 1024 };
    char header[128];
    int n = snprintf(header, sizeof(header), "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n",
                     strlen(key), key, value_bytes);
    conn_send_raw(c, header, (size_t)n);
    char *chunk = malloc(CHUNK_BYTES);
    ck_assert_ptr_nonnull(chunk);
    for (size_t sent = 0; sent < value_bytes;) {
        size_t len = value_bytes - sent < CHUNK_BYTES ? value_bytes - sent : CHUNK_BYTES;
        for (size_t i = 0; i < len; i++)
            chunk[i] = (char)('a' + (sent + i) % 23);
        conn_send_raw(c, chunk, len);
        sent += len;
    }
    conn_send_raw(c, "\r\n", 2);
    free(chunk);
}

START_TEST(value_100mb_round_trip)
{
    const size_t value_bytes = 100 * 1024 * 1024;
    struct conn *c = conn_open(server->port);
    send_patterned_set(c, "huge", value_bytes);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    ck_cmd(c, "STRLEN huge", ":104857600\r\n");
    conn_send(c, "GET huge");
    reply = conn_read_raw(c);
    const char *header = "$104857600\r\n";
    size_t header_len = strlen(header);
    ck_assert_int_eq(memcmp(reply, header, header_len), 0);
    ck_assert_uint_eq(strlen(reply), header_len + value_bytes + 2);
    const char *value = reply + header_len;
    size_t offsets[] = {0, 1, 4095, 1024 * 1024, 77777777, value_bytes - 1};
    for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
        ck_assert_int_eq(value[offsets[i]], 'a' + offsets[i] % 23);
    ck_assert_int_eq(memcmp(value + value_bytes, "\r\n", 2), 0);
    free(reply);
    ck_cmd(c, "GETRANGE huge 23 25", "$3\r\nabc\r\n");
    conn_close(c);
}
END_TEST

static const char hello3_prefix[] =
    "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
    "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:";
static const char hello_suffix[] =
    "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
    "$7\r\nmodules\r\n*0\r\n";

/* Asserts that reply is HELLO's map (RESP3) or flat array (RESP2) for the
 * given protocol, with the client id that CLIENT ID reports. */
static void ck_hello_reply(const char *reply, int proto, long long id)
{
    char expected[512];
    if (proto == 3)
        snprintf(expected, sizeof(expected), "%s%lld%s", hello3_prefix, id, hello_suffix);
    else
        snprintf(expected, sizeof(expected),
                 "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
                 "$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:%lld%s",
                 id, hello_suffix);
    ck_assert_msg(strcmp(reply, expected) == 0, "expected %s got %s", harness_escape(expected),
                  harness_escape(reply));
}

static long long client_id(struct conn *c)
{
    char *reply = conn_cmd(c, "CLIENT ID");
    ck_assert_msg(reply[0] == ':', "CLIENT ID: %s", harness_escape(reply));
    long long id = atoll(reply + 1);
    free(reply);
    ck_assert_int_gt(id, 0);
    return id;
}

START_TEST(hello_resp3)
{
    struct conn *c = conn_open(server->port);
    long long id = client_id(c);
    ck_cmd(c, "GET missing", "$-1\r\n");
    char *reply = conn_cmd(c, "HELLO 3");
    ck_hello_reply(reply, 3, id);
    free(reply);
    ck_cmd(c, "GET missing", "_\r\n");
    ck_cmd(c, "CLIENT GETNAME", "_\r\n");
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "CONFIG GET appendonly", "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    ck_cmd(c, "EXISTS k", ":1\r\n");
    /* HELLO with no version reports the current protocol. */
    reply = conn_cmd(c, "HELLO");
    ck_hello_reply(reply, 3, id);
    free(reply);
    reply = conn_cmd(c, "HELLO 2");
    ck_hello_reply(reply, 2, id);
    free(reply);
    ck_cmd(c, "GET missing", "$-1\r\n");
    ck_cmd(c, "CONFIG GET appendonly", "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    conn_close(c);
}
END_TEST

START_TEST(hello_errors)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "HELLO 4", "-NOPROTO unsupported protocol version\r\n");
    ck_cmd(c, "HELLO 1", "-NOPROTO unsupported protocol version\r\n");
    ck_cmd(c, "HELLO abc", "-ERR Protocol version is not an integer or out of range\r\n");
    ck_cmd(c, "HELLO 3 FOO", "-ERR Syntax error in HELLO option 'FOO'\r\n");
    /* A failed HELLO leaves the protocol as it was. */
    ck_cmd(c, "GET missing", "$-1\r\n");
    long long id = client_id(c);
    char *reply = conn_cmd(c, "HELLO 3 SETNAME hello-client");
    ck_hello_reply(reply, 3, id);
    free(reply);
    ck_cmd(c, "CLIENT GETNAME", "$12\r\nhello-client\r\n");
    conn_close(c);
}
END_TEST

START_TEST(auth_requirepass)
{
    const char *args[] = {"--requirepass", "secret", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "PING", "-NOAUTH Authentication required.\r\n");
    ck_cmd(c, "GET a", "-NOAUTH Authentication required.\r\n");
    ck_cmd(c, "AUTH wrong", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    ck_cmd(c, "AUTH nouser secret",
           "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    ck_cmd(c, "AUTH", "-ERR wrong number of arguments for 'auth' command\r\n");
    ck_cmd(c, "HELLO 3",
           "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
           "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
           "the RESP protocol version at the same time\r\n");
    ck_cmd(c, "AUTH secret", "+OK\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    /* RESET logs the client out again. */
    ck_cmd(c, "RESET", "+RESET\r\n");
    ck_cmd(c, "PING", "-NOAUTH Authentication required.\r\n");
    ck_cmd(c, "AUTH default secret", "+OK\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);

    c = conn_open(h->port);
    long long id = 0;
    ck_cmd(c, "HELLO 3 AUTH default wrong",
           "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    char *reply = conn_cmd(c, "HELLO 3 AUTH default secret");
    ck_assert_msg(strncmp(reply, hello3_prefix, strlen(hello3_prefix)) == 0, "%s",
                  harness_escape(reply));
    free(reply);
    id = client_id(c);
    ck_assert_int_gt(id, 0);
    ck_cmd(c, "GET a", "_\r\n");
    conn_close(c);

    /* Before AUTH, a multibulk of more than 10 arguments is refused. */
    c = conn_open(h->port);
    ck_raw(c, "*20\r\n", "-ERR Protocol error: unauthenticated multibulk length\r\n");
    ck_assert(conn_wait_closed(c, 2000));
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(auth_without_password)
{
    struct conn *c = conn_open(server->port);
    const char *no_password =
        "-ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?\r\n";
    ck_cmd(c, "AUTH x", no_password);
    /* The default user has nopass, so any password works with a username. */
    ck_cmd(c, "AUTH default anything", "+OK\r\n");
    ck_cmd(c, "AUTH a b", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

START_TEST(quit_closes)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "QUIT", "+OK\r\n");
    ck_assert(conn_wait_closed(c, 2000));
    conn_close(c);
    /* Commands pipelined after QUIT are never answered. */
    c = conn_open(server->port);
    ck_raw(c, "QUIT\r\nPING\r\n", "+OK\r\n");
    ck_assert(conn_wait_closed(c, 2000));
    conn_close(c);
}
END_TEST

START_TEST(reset_state)
{
    struct conn *c = conn_open(server->port);
    long long id = client_id(c);
    ck_cmd(c, "SELECT 2", "+OK\r\n");
    ck_cmd(c, "SET r 1", "+OK\r\n");
    ck_cmd(c, "CLIENT SETNAME x", "+OK\r\n");
    char *reply = conn_cmd(c, "HELLO 3");
    free(reply);
    ck_cmd(c, "RESET", "+RESET\r\n");
    /* Back to database 0, RESP2 and no name; the id is kept. */
    ck_cmd(c, "GET r", "$-1\r\n");
    ck_cmd(c, "CLIENT GETNAME", "$-1\r\n");
    ck_assert_int_eq(client_id(c), id);
    ck_cmd(c, "SELECT 2", "+OK\r\n");
    ck_cmd(c, "GET r", "$1\r\n1\r\n");
    conn_close(c);
}
END_TEST

START_TEST(select_databases)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "SELECT 16", "-ERR DB index is out of range\r\n");
    ck_cmd(c, "SELECT -1", "-ERR DB index is out of range\r\n");
    ck_cmd(c, "SELECT x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(c, "SELECT", "-ERR wrong number of arguments for 'select' command\r\n");
    ck_cmd(c, "SET k db0", "+OK\r\n");
    ck_cmd(c, "SELECT 15", "+OK\r\n");
    ck_cmd(c, "GET k", "$-1\r\n");
    ck_cmd(c, "SET k db15", "+OK\r\n");
    ck_cmd(c, "DBSIZE", ":1\r\n");
    ck_cmd(c, "SELECT 0", "+OK\r\n");
    ck_cmd(c, "GET k", "$3\r\ndb0\r\n");
    /* Each connection starts in database 0. */
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "GET k", "$3\r\ndb0\r\n");
    conn_close(other);
    conn_close(c);
}
END_TEST

START_TEST(echo_binary)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "ECHO hi", "$2\r\nhi\r\n");
    ck_cmd(c, "ECHO a b", "-ERR wrong number of arguments for 'echo' command\r\n");
    const char *argv[] = {"ECHO", "a\r\n\0b"};
    size_t lens[] = {4, 5};
    conn_send_argv(c, 2, argv, lens);
    char *reply = conn_read_raw(c);
    ck_assert_int_eq(memcmp(reply, "$5\r\na\r\n\0b\r\n", 12), 0);
    free(reply);
    conn_close(c);
}
END_TEST

START_TEST(client_id_and_name)
{
    struct conn *a = conn_open(server->port);
    struct conn *b = conn_open(server->port);
    long long id_a = client_id(a);
    long long id_b = client_id(b);
    ck_assert_int_ne(id_a, id_b);
    ck_cmd(a, "CLIENT GETNAME", "$-1\r\n");
    ck_cmd(a, "CLIENT SETNAME conn-a", "+OK\r\n");
    ck_cmd(a, "CLIENT GETNAME", "$6\r\nconn-a\r\n");
    ck_cmd(a, "CLIENT SETNAME a\x01" "b",
           "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    const char *spaced[] = {"CLIENT", "SETNAME", "a b"};
    char *reply = conn_cmd_argv(a, 3, spaced, NULL);
    ck_assert_str_eq(reply,
                     "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    free(reply);
    /* An empty name clears it. */
    ck_cmd(b, "CLIENT SETNAME x", "+OK\r\n");
    ck_cmd(b, "CLIENT SETNAME ", "+OK\r\n");
    ck_cmd(b, "CLIENT GETNAME", "$-1\r\n");
    ck_cmd(a, "CLIENT FOO", "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    ck_cmd(a, "CLIENT", "-ERR wrong number of arguments for 'client' command\r\n");
    ck_cmd(a, "CLIENT ID x", "-ERR wrong number of arguments for 'client|id' command\r\n");
    conn_close(a);
    conn_close(b);
}
END_TEST

/* Asserts that a CLIENT LIST or CLIENT INFO line has the fields tools rely
 * on. Values that change from run to run are not compared. */
static void ck_client_line(const char *line, long long id, const char *name, const char *cmd)
{
    char want[128];
    snprintf(want, sizeof(want), "id=%lld addr=127.0.0.1:", id);
    ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "line %s", harness_escape(line));
    snprintf(want, sizeof(want), " laddr=127.0.0.1:%d fd=", server->port);
    ck_assert_msg(strstr(line, want) != NULL, "no %s in %s", want, harness_escape(line));
    snprintf(want, sizeof(want), " name=%s age=", name);
    ck_assert_msg(strstr(line, want) != NULL, "no %s in %s", want, harness_escape(line));
    const char *fields[] = {" idle=", " flags=N ", " db=0 ", " sub=0 ", " multi=-1 ",
                            " qbuf=", " obl=", " omem=", " events=r ", " user=default "};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        ck_assert_msg(strstr(line, fields[i]) != NULL, "no %s in %s", fields[i],
                      harness_escape(line));
    snprintf(want, sizeof(want), " cmd=%s ", cmd);
    ck_assert_msg(strstr(line, want) != NULL, "no %s in %s", want, harness_escape(line));
}

START_TEST(client_list_and_info)
{
    struct conn *a = conn_open(server->port);
    struct conn *b = conn_open(server->port);
    long long id_a = client_id(a);
    long long id_b = client_id(b);
    ck_cmd(a, "CLIENT SETNAME conn-a", "+OK\r\n");
    char *reply = conn_cmd(a, "CLIENT LIST");
    ck_assert_msg(reply[0] == '$', "%s", harness_escape(reply));
    char *line_a = strstr(reply, "\r\n") + 2;
    char *line_b = strchr(line_a, '\n');
    ck_assert_ptr_nonnull(line_b);
    line_b++;
    /* One line per client, oldest first, each ending in a newline. */
    ck_client_line(line_a, id_a, "conn-a", "client|list");
    ck_client_line(line_b, id_b, "", "client|id");
    char *end = strchr(line_b, '\n');
    ck_assert_ptr_nonnull(end);
    ck_assert_str_eq(end, "\n\r\n");
    free(reply);

    reply = conn_cmd(b, "CLIENT INFO");
    ck_assert_msg(reply[0] == '$', "%s", harness_escape(reply));
    ck_client_line(strstr(reply, "\r\n") + 2, id_b, "", "client|info");
    ck_assert_str_eq(reply + strlen(reply) - 3, "\n\r\n");
    free(reply);

    char cmd[64];
    snprintf(cmd, sizeof(cmd), "CLIENT LIST ID %lld", id_b);
    reply = conn_cmd(a, cmd);
    ck_client_line(strstr(reply, "\r\n") + 2, id_b, "", "client|info");
    ck_assert_ptr_null(strstr(reply, "conn-a"));
    free(reply);
    conn_close(a);
    conn_close(b);
}
END_TEST

START_TEST(client_kill)
{
    struct conn *killer = conn_open(server->port);
    struct conn *victim = conn_open(server->port);
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "CLIENT KILL 127.0.0.1:%d", conn_local_port(victim));
    ck_cmd(victim, "PING", "+PONG\r\n");
    ck_cmd(killer, cmd, "+OK\r\n");
    ck_assert(conn_wait_closed(victim, 2000));
    conn_close(victim);
    ck_cmd(killer, cmd, "-ERR No such client\r\n");

    victim = conn_open(server->port);
    snprintf(cmd, sizeof(cmd), "CLIENT KILL ID %lld", client_id(victim));
    ck_cmd(killer, cmd, ":1\r\n");
    ck_assert(conn_wait_closed(victim, 2000));
    conn_close(victim);
    ck_cmd(killer, cmd, ":0\r\n");
    ck_cmd(killer, "CLIENT KILL ID abc", "-ERR client-id should be greater than 0\r\n");
    ck_cmd(killer, "CLIENT KILL", "-ERR wrong number of arguments for 'client|kill' command\r\n");
    ck_cmd(killer, "PING", "+PONG\r\n");
    conn_close(killer);
}
END_TEST

/* A client that pipelines GETs of a 1 MB value and never reads its replies
 * must not stall the event loop for everyone else. */
START_TEST(slow_reader_does_not_block)
{
    enum { GETS = 64 };
    struct conn *c = conn_open(server->port);
    send_patterned_set(c, "mb", 1024 * 1024);
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "+OK\r\n");
    free(reply);
    struct conn *slow = conn_open(server->port);
    char *req = NULL;
    size_t len = 0;
    size_t cap = 0;
    for (int i = 0; i < GETS; i++)
        buf_printf(&req, &len, &cap, "*2\r\n$3\r\nGET\r\n$2\r\nmb\r\n");
    conn_send_raw(slow, req, len);
    free(req);
    for (int i = 0; i < 20; i++) {
        conn_send(c, "PING");
        char *pong = conn_try_read_raw(c, 2000);
        ck_assert_msg(pong != NULL, "PING %d got no reply while a client is slow", i);
        ck_assert_str_eq(pong, "+PONG\r\n");
        free(pong);
    }
    ck_cmd(c, "STRLEN mb", ":1048576\r\n");
    conn_close(slow);
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

START_TEST(many_connections)
{
    enum { CONNECTIONS = 2000 };
    /* Both this process and the server (which inherits the limit) need a
     * descriptor per connection. */
    struct rlimit limit;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur < CONNECTIONS + 200) {
        ck_assert_msg(limit.rlim_max >= CONNECTIONS + 200, "RLIMIT_NOFILE hard limit %lu too low",
                      (unsigned long)limit.rlim_max);
        limit.rlim_cur = limit.rlim_max;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
    struct server_handle *h = server_start(NULL);
    struct conn **conns = calloc(CONNECTIONS, sizeof(*conns));
    ck_assert_ptr_nonnull(conns);
    for (int i = 0; i < CONNECTIONS; i++)
        conns[i] = conn_open(h->port);
    for (int i = 0; i < CONNECTIONS; i++)
        conn_send_raw(conns[i], "PING\r\n", 6);
    for (int i = 0; i < CONNECTIONS; i++) {
        char *reply = conn_read_raw(conns[i]);
        ck_assert_msg(strcmp(reply, "+PONG\r\n") == 0, "connection %d: %s", i,
                      harness_escape(reply));
        free(reply);
    }
    char *info = conn_cmd(conns[0], "INFO clients");
    ck_assert_msg(strstr(info, "connected_clients:2000\r\n") != NULL, "%s", harness_escape(info));
    free(info);
    for (int i = 0; i < CONNECTIONS; i++)
        conn_close(conns[i]);
    free(conns);
    server_stop(h);
}
END_TEST

/* Checks one MONITOR line: +<seconds>.<6 digits> [<db> 127.0.0.1:<port>] <args>\r\n */
static void ck_monitor_line(const char *line, int db, int port, const char *args)
{
    const char *p = line;
    ck_assert_msg(*p == '+', "monitor line %s", harness_escape(line));
    p++;
    size_t digits = strspn(p, "0123456789");
    ck_assert_msg(digits >= 10 && p[digits] == '.', "monitor line %s", harness_escape(line));
    p += digits + 1;
    ck_assert_msg(strspn(p, "0123456789") == 6, "monitor line %s", harness_escape(line));
    p += 6;
    char rest[256];
    snprintf(rest, sizeof(rest), " [%d 127.0.0.1:%d] %s\r\n", db, port, args);
    ck_assert_msg(strcmp(p, rest) == 0, "expected ...%s got %s", harness_escape(rest),
                  harness_escape(line));
}

START_TEST(monitor_sees_commands)
{
    struct conn *monitor = conn_open(server->port);
    ck_cmd(monitor, "MONITOR", "+OK\r\n");
    struct conn *c = conn_open(server->port);
    int port = conn_local_port(c);
    ck_cmd(c, "set k v", "+OK\r\n");
    const char *quoted[] = {"SET", "q", "v\"\n"};
    char *reply = conn_cmd_argv(c, 3, quoted, NULL);
    free(reply);
    ck_cmd(c, "SELECT 3", "+OK\r\n");
    ck_cmd(c, "AUTH x y", "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    ck_cmd(c, "GET k", "$-1\r\n");

    char *line = conn_read_raw(monitor);
    ck_monitor_line(line, 0, port, "\"set\" \"k\" \"v\"");
    free(line);
    line = conn_read_raw(monitor);
    ck_monitor_line(line, 0, port, "\"SET\" \"q\" \"v\\\"\\n\"");
    free(line);
    /* A command shows the database it left the client in. */
    line = conn_read_raw(monitor);
    ck_monitor_line(line, 3, port, "\"SELECT\" \"3\"");
    free(line);
    /* AUTH is logged with its arguments redacted, even when it fails. */
    line = conn_read_raw(monitor);
    ck_monitor_line(line, 3, port, "\"AUTH\" \"(redacted)\" \"(redacted)\"");
    free(line);
    line = conn_read_raw(monitor);
    ck_monitor_line(line, 3, port, "\"GET\" \"k\"");
    free(line);
    conn_close(c);
    conn_close(monitor);
}
END_TEST

static Suite *protocol_suite(void)
{
    Suite *s = suite_create("protocol");
    TCase *tc = tcase_create("protocol");
    tcase_add_checked_fixture(tc, server_setup, server_teardown);
    tcase_add_test(tc, inline_commands);
    tcase_add_test(tc, inline_unbalanced_quotes);
    tcase_add_test(tc, multibulk_split_bytes);
    tcase_add_test(tc, pipeline_10000);
    tcase_add_test(tc, pipeline_big_values);
    tcase_add_test(tc, unknown_command_keeps_connection);
    tcase_add_test(tc, wrong_arity);
    tcase_add_test(tc, protocol_errors_close);
    tcase_add_test(tc, protocol_errors_too_big);
    tcase_add_test(tc, value_100mb_round_trip);
    tcase_add_test(tc, hello_resp3);
    tcase_add_test(tc, hello_errors);
    tcase_add_test(tc, auth_requirepass);
    tcase_add_test(tc, auth_without_password);
    tcase_add_test(tc, quit_closes);
    tcase_add_test(tc, reset_state);
    tcase_add_test(tc, select_databases);
    tcase_add_test(tc, echo_binary);
    tcase_add_test(tc, client_id_and_name);
    tcase_add_test(tc, client_list_and_info);
    tcase_add_test(tc, client_kill);
    tcase_add_test(tc, slow_reader_does_not_block);
    tcase_add_test(tc, many_connections);
    tcase_add_test(tc, monitor_sees_commands);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return harness_run_suite(protocol_suite());
}
