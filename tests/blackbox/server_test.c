/* server_test.c: black-box tests of the server-level commands and of the
 * process itself. Covers INFO, CONFIG, COMMAND, TIME, DBSIZE, LASTSAVE,
 * DEBUG (refused by default, and its subcommands when enabled), SHUTDOWN,
 * SIGTERM, a bad config file at start-up, and the stock redis-cli and
 * redis-benchmark clients.
 *
 * Every expectation was checked against redis-server 7.0.15
 * (RINGKV_SERVER=/usr/bin/redis-server); the few ringkv-only checks are
 * skipped there through server_is_redis(). */
#define _GNU_SOURCE
#include "tests/blackbox/harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
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

/* Asserts that haystack contains needle. */
#define ck_contains(haystack, needle)                                                   \
    ck_assert_msg(strstr((haystack), (needle)) != NULL, "%s not found in %s",          \
                  harness_escape(needle), harness_escape(haystack))
#define ck_not_contains(haystack, needle)                                               \
    ck_assert_msg(strstr((haystack), (needle)) == NULL, "%s unexpectedly in %s",       \
                  harness_escape(needle), harness_escape(haystack))

/* Returns the integer of an integer reply, failing on any other reply. */
static long long integer_reply(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] == ':', "%s: %s", line, harness_escape(reply));
    long long value = atoll(reply + 1);
    free(reply);
    return value;
}

/* Returns the body of the bulk reply to line (the INFO text), owned. */
static char *bulk_reply(struct conn *c, const char *line)
{
    char *reply = conn_cmd(c, line);
    ck_assert_msg(reply[0] == '$', "%s: %s", line, harness_escape(reply));
    char *body = strstr(reply, "\r\n") + 2;
    size_t len = (size_t)atoll(reply + 1);
    ck_assert_uint_eq(strlen(body), len + 2);
    memmove(reply, body, len);
    reply[len] = '\0';
    return reply;
}

START_TEST(info_sections)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "SET k v", "+OK\r\n");
    char *info = bulk_reply(c, "INFO");
    const char *sections[] = {"# Server\r\n", "# Clients\r\n", "# Memory\r\n",
                              "# Persistence\r\n", "# Stats\r\n", "# Keyspace\r\n"};
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
        ck_contains(info, sections[i]);
    ck_assert_msg(strncmp(info, "# Server\r\nredis_version:7.0.15\r\n", 32) == 0, "%s",
                  harness_escape(info));
    char port_field[48];
    snprintf(port_field, sizeof(port_field), "\r\ntcp_port:%d\r\n", server->port);
    ck_contains(info, port_field);
    ck_contains(info, "\r\nused_memory:");
    ck_contains(info, "\r\nconnected_clients:1\r\n");
    ck_contains(info, "\r\ntotal_commands_processed:");
    ck_contains(info, "\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n");
    /* Command statistics are not in the default set, only when asked for. */
    ck_not_contains(info, "# Commandstats");
    if (!server_is_redis())
        ck_contains(info, "\r\nringkv_version:");
    free(info);

    info = bulk_reply(c, "INFO commandstats");
    ck_assert_msg(strncmp(info, "# Commandstats\r\n", 16) == 0, "%s", harness_escape(info));
    ck_contains(info, "\r\ncmdstat_set:calls=1,usec=");
    ck_contains(info, ",rejected_calls=0,failed_calls=0\r\n");
    free(info);

    info = bulk_reply(c, "INFO server clients");
    ck_contains(info, "# Server\r\n");
    ck_contains(info, "# Clients\r\n");
    ck_not_contains(info, "# Keyspace");
    free(info);
    info = bulk_reply(c, "INFO everything");
    ck_contains(info, "# Commandstats\r\n");
    ck_contains(info, "# Keyspace\r\n");
    free(info);
    conn_close(c);
}
END_TEST

START_TEST(info_keyspace_and_unknown)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "INFO foo", "$0\r\n\r\n");
    ck_cmd(c, "INFO keyspace", "$12\r\n# Keyspace\r\n\r\n");
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "INFO keyspace", "$44\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
    ck_cmd(c, "SELECT 3", "+OK\r\n");
    ck_cmd(c, "SET a 1 EX 1000", "+OK\r\n");
    char *info = bulk_reply(c, "INFO keyspace");
    ck_contains(info, "db0:keys=1,expires=0,avg_ttl=0\r\ndb3:keys=1,expires=1,avg_ttl=");
    free(info);
    /* In RESP3, INFO is a verbatim string. */
    conn_send(c, "HELLO 3");
    free(conn_read_raw(c));
    ck_cmd(c, "INFO foo", "=4\r\ntxt:\r\n");
    conn_close(c);
}
END_TEST

START_TEST(config_get)
{
    struct conn *c = conn_open(server->port);
    char expected[96];
    char port_text[16];
    int port_len = snprintf(port_text, sizeof(port_text), "%d", server->port);
    snprintf(expected, sizeof(expected), "*2\r\n$4\r\nport\r\n$%d\r\n%s\r\n", port_len, port_text);
    ck_cmd(c, "CONFIG GET port", expected);
    ck_cmd(c, "CONFIG GET save", "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    ck_cmd(c, "CONFIG GET appendonly", "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    /* Names match case-insensitively, and a name that is not a glob is
     * echoed as the client spelled it. */
    ck_cmd(c, "CONFIG GET APPENDONLY", "*2\r\n$10\r\nAPPENDONLY\r\n$2\r\nno\r\n");
    ck_cmd(c, "CONFIG GET AppendOnly", "*2\r\n$10\r\nAppendOnly\r\n$2\r\nno\r\n");
    ck_cmd(c, "CONFIG GET append?nly", "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
    ck_cmd(c, "CONFIG GET bind", "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n");
    ck_cmd(c, "CONFIG GET nosuchoption", "*0\r\n");
    ck_cmd(c, "CONFIG GET", "-ERR wrong number of arguments for 'config|get' command\r\n");
    /* A glob matches every parameter it fits, in no particular order. */
    char *reply = conn_cmd(c, "CONFIG GET maxmemory*");
    ck_assert_msg(strncmp(reply, "*10\r\n", 5) == 0, "%s", harness_escape(reply));
    ck_contains(reply, "$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    ck_contains(reply, "$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
    ck_contains(reply, "$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n");
    ck_contains(reply, "$17\r\nmaxmemory-clients\r\n$1\r\n0\r\n");
    ck_contains(reply, "$27\r\nmaxmemory-eviction-tenacity\r\n$2\r\n10\r\n");
    free(reply);
    /* Several names in one call. */
    reply = conn_cmd(c, "CONFIG GET appendonly save");
    ck_assert_msg(strncmp(reply, "*4\r\n", 4) == 0, "%s", harness_escape(reply));
    ck_contains(reply, "$10\r\nappendonly\r\n$2\r\nno\r\n");
    ck_contains(reply, "$4\r\nsave\r\n$0\r\n\r\n");
    free(reply);
    conn_close(c);
}
END_TEST

START_TEST(config_set)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "CONFIG SET hz 20", "+OK\r\n");
    ck_cmd(c, "CONFIG GET hz", "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n");
    /* hz is clamped to at least 1. */
    ck_cmd(c, "CONFIG SET hz 0", "+OK\r\n");
    ck_cmd(c, "CONFIG GET hz", "*2\r\n$2\r\nhz\r\n$1\r\n1\r\n");
    ck_cmd(c, "CONFIG SET maxmemory 100mb", "+OK\r\n");
    ck_cmd(c, "CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$9\r\n104857600\r\n");
    ck_cmd(c, "CONFIG SET maxmemory 0", "+OK\r\n");
    ck_cmd(c, "CONFIG SET hz 15 maxmemory 1mb", "+OK\r\n");
    ck_cmd(c, "CONFIG GET hz", "*2\r\n$2\r\nhz\r\n$2\r\n15\r\n");
    ck_cmd(c, "CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$7\r\n1048576\r\n");
    ck_cmd(c, "CONFIG SET maxmemory 0", "+OK\r\n");
    ck_cmd(c, "CONFIG SET databases 4",
           "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
           "immutable config\r\n");
    ck_cmd(c, "CONFIG SET foo bar",
           "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n");
    ck_cmd(c, "CONFIG SET hz abc",
           "-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be "
           "parsed into an integer\r\n");
    ck_cmd(c, "CONFIG SET maxmemory abc",
           "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
           "be a memory value\r\n");
    ck_cmd(c, "CONFIG SET hz 15 hz 16",
           "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n");
    ck_cmd(c, "CONFIG SET hz", "-ERR wrong number of arguments for 'config|set' command\r\n");
    /* A failed multi-parameter SET changes nothing. */
    ck_cmd(c, "CONFIG SET hz 30 maxmemory abc",
           "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
           "be a memory value\r\n");
    ck_cmd(c, "CONFIG GET hz", "*2\r\n$2\r\nhz\r\n$2\r\n15\r\n");
    conn_close(c);
}
END_TEST

START_TEST(config_resetstat)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "GET k", "$1\r\nv\r\n");
    ck_cmd(c, "CONFIG RESETSTAT", "+OK\r\n");
    /* Only the RESETSTAT call itself has been counted since. */
    char *info = bulk_reply(c, "INFO commandstats");
    const char *expected = "# Commandstats\r\ncmdstat_config|resetstat:calls=1,usec=";
    ck_assert_msg(strncmp(info, expected, strlen(expected)) == 0, "%s", harness_escape(info));
    ck_not_contains(info, "cmdstat_set");
    ck_not_contains(info, "cmdstat_get");
    free(info);
    info = bulk_reply(c, "INFO stats");
    ck_contains(info, "\r\ntotal_commands_processed:2\r\n");
    free(info);
    conn_close(c);
}
END_TEST

START_TEST(command_count_info_docs)
{
    struct conn *c = conn_open(server->port);
    ck_assert_int_gt(integer_reply(c, "COMMAND COUNT"), 0);
    /* name, arity, flags, first key, last key, step, then ACL categories,
     * tips, key specs and subcommands. */
    ck_cmd_prefix(c, "COMMAND INFO get",
                  "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
                  "*3\r\n+@read\r\n+@string\r\n+@fast\r\n");
    ck_cmd_prefix(c, "COMMAND INFO GET",
                  "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n");
    ck_cmd_prefix(c, "COMMAND INFO set nosuch",
                  "*2\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n");
    char *reply = conn_cmd(c, "COMMAND INFO set nosuch");
    ck_assert_str_eq(reply + strlen(reply) - 5, "$-1\r\n");
    free(reply);
    ck_cmd(c, "COMMAND INFO nosuch", "*1\r\n$-1\r\n");

    ck_cmd_prefix(c, "COMMAND DOCS get",
                  "*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n"
                  "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n");
    ck_cmd(c, "COMMAND DOCS nosuch", "*0\r\n");
    conn_send(c, "HELLO 3");
    free(conn_read_raw(c));
    ck_cmd_prefix(c, "COMMAND DOCS get",
                  "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n");
    conn_close(c);
}
END_TEST

/* The end of the RESP element at p (aggregates walked through). */
static const char *resp_skip(const char *p)
{
    char type = *p;
    long n = strtol(p + 1, NULL, 10);
    p = strstr(p, "\r\n") + 2;
    switch (type) {
    case '$':
    case '=':
    case '!':
        return n < 0 ? p : p + n + 2;
    case '*':
    case '~':
    case '>':
        for (long i = 0; i < n; i++)
            p = resp_skip(p);
        return p;
    case '%':
    case '|':
        for (long i = 0; i < 2 * n; i++)
            p = resp_skip(p);
        return p;
    default:
        return p;
    }
}

/* The raw flags array (third field) of a one-command COMMAND INFO reply,
 * owned; NULL when the command is unknown. */
static char *command_flags_of(struct conn *c, const char *name)
{
    char line[128];
    snprintf(line, sizeof(line), "COMMAND INFO %s", name);
    char *reply = conn_cmd(c, line);
    char *out = NULL;
    if (strncmp(reply, "*1\r\n*", 5) == 0) {
        const char *p = reply + 4;
        p = strstr(p, "\r\n") + 2; /* into the entry */
        p = resp_skip(p);          /* name */
        p = resp_skip(p);          /* arity */
        const char *end = resp_skip(p);
        out = strndup(p, (size_t)(end - p));
    }
    free(reply);
    return out;
}

/* Every command and subcommand reports Redis 7.0.15's flags, movablekeys
 * (set when a key spec is not a plain index and range, as Redis computes
 * it) included. */
START_TEST(command_flags_match_redis)
{
    struct conn *c = conn_open(server->port);
    ck_cmd_prefix(c, "COMMAND INFO zunionstore",
                  "*1\r\n*10\r\n$11\r\nzunionstore\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n"
                  "+movablekeys\r\n:1\r\n:1\r\n:1\r\n");
    ck_cmd_prefix(c, "COMMAND INFO zunion",
                  "*1\r\n*10\r\n$6\r\nzunion\r\n:-3\r\n*2\r\n+readonly\r\n+movablekeys\r\n");
    if (access("/usr/bin/redis-server", X_OK) != 0) {
        conn_close(c);
        return;
    }
    char dir[512];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *peer = server_start_in("/usr/bin/redis-server", dir, NULL);
    struct conn *r = conn_open(peer->port);
    char *list = conn_cmd(c, "COMMAND LIST");
    ck_assert(list[0] == '*');
    long count = strtol(list + 1, NULL, 10), compared = 0;
    const char *p = strstr(list, "\r\n") + 2;
    for (long i = 0; i < count; i++) {
        ck_assert(*p == '$');
        size_t len = (size_t)strtol(p + 1, NULL, 10);
        p = strstr(p, "\r\n") + 2;
        char *name = strndup(p, len);
        p += len + 2;
        char *theirs = command_flags_of(r, name);
        if (theirs != NULL) {
            char *ours = command_flags_of(c, name);
            ck_assert_msg(ours != NULL && strcmp(ours, theirs) == 0, "%s: flags %s, Redis %s", name,
                          harness_escape(ours ? ours : ""), harness_escape(theirs));
            free(ours);
            compared++;
        }
        free(theirs);
        free(name);
    }
    ck_assert_int_gt(compared, 200);
    free(list);
    conn_close(r);
    server_stop(peer);
    conn_close(c);
}
END_TEST

START_TEST(command_list)
{
    struct conn *c = conn_open(server->port);
    char *reply = conn_cmd(c, "COMMAND LIST");
    ck_assert_msg(reply[0] == '*' && atoi(reply + 1) > 0, "%s", harness_escape(reply));
    ck_contains(reply, "\r\n$3\r\nget\r\n");
    ck_contains(reply, "\r\n$3\r\nset\r\n");
    ck_contains(reply, "\r\n$4\r\nping\r\n");
    free(reply);
    ck_cmd(c, "COMMAND LIST FILTERBY PATTERN ge?", "*1\r\n$3\r\nget\r\n");
    conn_close(c);
}
END_TEST

START_TEST(time_dbsize_lastsave)
{
    struct conn *c = conn_open(server->port);
    char *reply = conn_cmd(c, "TIME");
    long long seconds = 0;
    long long micros = -1;
    int used = 0;
    int matched = sscanf(reply, "*2\r\n$%*d\r\n%lld\r\n$%*d\r\n%lld\r\n%n", &seconds, &micros,
                         &used);
    ck_assert_msg(matched == 2 && reply[used] == '\0', "TIME: %s", harness_escape(reply));
    free(reply);
    long long now = (long long)time(NULL);
    ck_assert_int_le(llabs(seconds - now), 5);
    ck_assert_int_ge(micros, 0);
    ck_assert_int_lt(micros, 1000000);

    ck_cmd(c, "DBSIZE", ":0\r\n");
    ck_cmd(c, "MSET a 1 b 2 c 3", "+OK\r\n");
    ck_cmd(c, "DBSIZE", ":3\r\n");
    ck_cmd(c, "SELECT 1", "+OK\r\n");
    ck_cmd(c, "DBSIZE", ":0\r\n");
    ck_cmd(c, "DBSIZE x", "-ERR wrong number of arguments for 'dbsize' command\r\n");

    /* With no save yet, LASTSAVE is the start-up time. */
    long long last_save = integer_reply(c, "LASTSAVE");
    ck_assert_int_le(llabs(last_save - now), 60);
    conn_close(c);
}
END_TEST

START_TEST(debug_disabled)
{
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "DEBUG SLEEP 0",
           "-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
           "\"local\", you can run it from a local connection, otherwise you need to set this "
           "option in the configuration file, and then restart the server.\r\n");
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

static struct server_handle *debug_server_start(void)
{
    const char *args[] = {"--enable-debug-command", "yes", NULL};
    return server_start(args);
}

/* Returns true if s is a '+' reply holding 40 lowercase hex digits. */
static bool is_digest_reply(const char *s)
{
    return s[0] == '+' && strspn(s + 1, "0123456789abcdef") == 40 && strcmp(s + 41, "\r\n") == 0;
}

START_TEST(debug_basic)
{
    struct server_handle *h = debug_server_start();
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "DEBUG SLEEP 0", "+OK\r\n");
    ck_cmd(c, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    ck_cmd(c, "DEBUG SET-ACTIVE-EXPIRE 1", "+OK\r\n");
    ck_cmd(c, "DEBUG ERROR foo", "-foo\r\n");
    const char *spaced[] = {"DEBUG", "ERROR", "foo bar"};
    char *reply = conn_cmd_argv(c, 3, spaced, NULL);
    ck_assert_str_eq(reply, "-foo bar\r\n");
    free(reply);
    ck_cmd(c, "DEBUG OBJECT nokey", "-ERR no such key\r\n");
    ck_cmd(c, "SET k hello", "+OK\r\n");
    reply = conn_cmd(c, "DEBUG OBJECT k");
    ck_assert_msg(strncmp(reply, "+Value at:", 10) == 0, "%s", harness_escape(reply));
    ck_contains(reply, " refcount:");
    ck_contains(reply, " encoding:");
    ck_contains(reply, " serializedlength:");
    free(reply);
    ck_cmd(c, "DEBUG FOO",
           "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n");
    ck_cmd(c, "DEBUG", "-ERR wrong number of arguments for 'debug' command\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(debug_digest)
{
    struct server_handle *h = debug_server_start();
    struct conn *c = conn_open(h->port);
    const char *zero = "+0000000000000000000000000000000000000000\r\n";
    ck_cmd(c, "DEBUG DIGEST", zero);
    ck_cmd(c, "SET k hello", "+OK\r\n");
    char *first = conn_cmd(c, "DEBUG DIGEST");
    ck_assert_msg(is_digest_reply(first) && strcmp(first, zero) != 0, "%s",
                  harness_escape(first));
    /* The digest depends on content only: rewriting the same data gives
     * the same digest, and changing it gives another. */
    ck_cmd(c, "DEL k", ":1\r\n");
    ck_cmd(c, "SET k hello", "+OK\r\n");
    ck_cmd(c, "DEBUG DIGEST", first);
    ck_cmd(c, "SET k hellO", "+OK\r\n");
    char *changed = conn_cmd(c, "DEBUG DIGEST");
    ck_assert_msg(is_digest_reply(changed) && strcmp(changed, first) != 0, "%s",
                  harness_escape(changed));
    free(changed);
    free(first);

    ck_cmd(c, "SET k2 hellO", "+OK\r\n");
    char *value = conn_cmd(c, "DEBUG DIGEST-VALUE k");
    ck_assert_msg(strncmp(value, "*1\r\n", 4) == 0 && is_digest_reply(value + 4), "%s",
                  harness_escape(value));
    ck_cmd(c, "DEBUG DIGEST-VALUE k2", value);
    free(value);
    ck_cmd(c, "DEBUG DIGEST-VALUE nokey", "*1\r\n+0000000000000000000000000000000000000000\r\n");
    ck_cmd_prefix(c, "DEBUG DIGEST-VALUE k k2 nokey", "*3\r\n+");
    ck_cmd(c, "FLUSHALL", "+OK\r\n");
    ck_cmd(c, "DEBUG DIGEST", zero);
    conn_close(c);
    server_stop(h);
}
END_TEST

/* DEBUG PROTOCOL replies with each RESP3 type, so the harness's reply
 * scanner and the server's RESP3 writer are both exercised. */
START_TEST(debug_protocol_resp3)
{
    struct server_handle *h = debug_server_start();
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "DEBUG PROTOCOL attrib", "$39\r\nSome real reply following the attribute\r\n");
    ck_cmd(c, "DEBUG PROTOCOL bignum", "$37\r\n1234567999999999999999999999999999999\r\n");
    ck_cmd(c, "DEBUG PROTOCOL true", ":1\r\n");
    ck_cmd(c, "DEBUG PROTOCOL map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n");
    ck_cmd(c, "DEBUG PROTOCOL push", "-ERR RESP2 is not supported by this command\r\n");
    conn_send(c, "HELLO 3");
    free(conn_read_raw(c));
    ck_cmd(c, "DEBUG PROTOCOL attrib",
           "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n"
           "$39\r\nSome real reply following the attribute\r\n");
    ck_cmd(c, "DEBUG PROTOCOL bignum", "(1234567999999999999999999999999999999\r\n");
    ck_cmd(c, "DEBUG PROTOCOL null", "_\r\n");
    ck_cmd(c, "DEBUG PROTOCOL double", ",3.141\r\n");
    ck_cmd(c, "DEBUG PROTOCOL true", "#t\r\n");
    ck_cmd(c, "DEBUG PROTOCOL false", "#f\r\n");
    ck_cmd(c, "DEBUG PROTOCOL map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n");
    ck_cmd(c, "DEBUG PROTOCOL set", "~3\r\n:0\r\n:1\r\n:2\r\n");
    ck_cmd(c, "DEBUG PROTOCOL array", "*3\r\n:0\r\n:1\r\n:2\r\n");
    ck_cmd(c, "DEBUG PROTOCOL verbatim", "=29\r\ntxt:This is a verbatim\nstring\r\n");
    ck_cmd(c, "DEBUG PROTOCOL string", "$11\r\nHello World\r\n");
    ck_cmd(c, "DEBUG PROTOCOL integer", ":12345\r\n");
    /* The push message comes first, then the command's own reply. */
    ck_cmd(c, "DEBUG PROTOCOL push", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n");
    char *reply = conn_read_raw(c);
    ck_assert_str_eq(reply, "$40\r\nSome real reply following the push reply\r\n");
    free(reply);
    ck_cmd(c, "DEBUG PROTOCOL foo",
           "-ERR Wrong protocol type name. Please use one of the following: "
           "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

START_TEST(shutdown_nosave)
{
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "SET k v", "+OK\r\n");
    conn_send(c, "SHUTDOWN NOSAVE");
    /* No reply: the connection just closes as the process exits. */
    ck_assert(conn_wait_closed(c, 5000));
    conn_close(c);
    int status = server_wait_exit(h, 5000);
    ck_assert_msg(status != -1, "server still running after SHUTDOWN NOSAVE");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    ck_assert_ptr_null(conn_try_open(h->port));
    server_stop(h);
}
END_TEST

START_TEST(sigterm_clean_exit)
{
    struct server_handle *h = server_start(NULL);
    struct conn *c = conn_open(h->port);
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_assert(server_alive(h));
    ck_assert_int_eq(kill(h->pid, SIGTERM), 0);
    int status = server_wait_exit(h, 5000);
    ck_assert_msg(status != -1, "server still running 5 s after SIGTERM");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    ck_assert(!server_alive(h));
    ck_assert(conn_wait_closed(c, 1000));
    conn_close(c);
    server_stop(h);
}
END_TEST

/* Returns a loopback port that was free a moment ago. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

START_TEST(bad_config_directive)
{
    char dir[] = "/tmp/ringkv-conf-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof(path), "%s/bad.conf", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "port %d\nbogus-directive yes\nbind 127.0.0.1\n", free_port());
    fclose(f);
    int status = 0;
    char *out = harness_output(&status, "cd %s && '%s' %s", dir, server_binary(), path);
    unlink(path);
    rmdir(dir);
    ck_assert_msg(status > 0 && status < 128, "exit status %d, output %s", status,
                  harness_escape(out));
    ck_contains(out, "bogus-directive");
    if (server_is_redis()) {
        ck_contains(out, "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                         "Reading the configuration file, at line 2\n"
                         ">>> 'bogus-directive yes'\n"
                         "Bad directive or wrong number of arguments\n");
    } else {
        ck_assert_msg(strstr(out, "line 2") != NULL || strstr(out, ":2") != NULL,
                      "no line number in %s", harness_escape(out));
    }
    free(out);
}
END_TEST

/* Runs redis-cli against the fixture's server and returns its output. */
static char *redis_cli(int *status, const char *args)
{
    return harness_output(status, "redis-cli -p %d %s", server->port, args);
}

START_TEST(redis_cli_works)
{
    int status = -1;
    char *out = redis_cli(&status, "set a b");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "OK\n");
    free(out);
    out = redis_cli(&status, "get a");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "b\n");
    free(out);
    out = redis_cli(&status, "--no-raw get a");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "\"b\"\n");
    free(out);
    out = redis_cli(&status, "--no-raw get missing");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "(nil)\n");
    free(out);
    out = redis_cli(&status, "ping");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "PONG\n");
    free(out);
    /* redis-cli fetches COMMAND DOCS for its interactive hints. */
    out = redis_cli(&status, "COMMAND DOCS get");
    ck_assert_int_eq(status, 0);
    ck_contains(out, "summary\nGet the value of a key\n");
    free(out);
    out = redis_cli(&status, "-3 get a");
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "b\n");
    free(out);
    out = redis_cli(&status, "--no-raw nosuchcommand");
    ck_assert_int_eq(status, 0);
    ck_contains(out, "(error) ERR unknown command 'nosuchcommand'");
    free(out);
}
END_TEST

/* redis-benchmark's quiet output ends each test with a line such as
 * "SET: 30030.03 requests per second, p50=1.015 msec". */
static void ck_benchmark(const char *extra)
{
    int status = -1;
    char *out = harness_output(&status, "redis-benchmark -p %d -t set,get -n 10000 -q %s",
                               server->port, extra);
    ck_assert_msg(status == 0, "redis-benchmark exited %d: %s", status, harness_escape(out));
    const char *tests[] = {"SET: ", "GET: "};
    for (size_t i = 0; i < 2; i++) {
        /* Progress lines, ended by '\r', come before the final one. */
        const char *line = strstr(out, tests[i]);
        while (line != NULL) {
            const char *rps = strstr(line, " requests per second");
            if (rps != NULL && rps < line + strcspn(line, "\r\n"))
                break;
            line = strstr(line + 1, tests[i]);
        }
        ck_assert_msg(line != NULL, "no %srequests per second line in %s", tests[i],
                      harness_escape(out));
        ck_assert_msg(atof(line + 5) > 0, "zero throughput in %s", harness_escape(line));
    }
    ck_not_contains(out, "WARNING");
    free(out);
}

START_TEST(redis_benchmark_runs)
{
    ck_benchmark("");
    ck_benchmark("-P 16");
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "PING", "+PONG\r\n");
    conn_close(c);
}
END_TEST

static Suite *server_suite(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("server");
    tcase_add_checked_fixture(tc, server_setup, server_teardown);
    tcase_add_test(tc, info_sections);
    tcase_add_test(tc, info_keyspace_and_unknown);
    tcase_add_test(tc, config_get);
    tcase_add_test(tc, config_set);
    tcase_add_test(tc, config_resetstat);
    tcase_add_test(tc, command_count_info_docs);
    tcase_add_test(tc, command_list);
    tcase_add_test(tc, command_flags_match_redis);
    tcase_add_test(tc, time_dbsize_lastsave);
    tcase_add_test(tc, debug_disabled);
    tcase_add_test(tc, debug_basic);
    tcase_add_test(tc, debug_digest);
    tcase_add_test(tc, debug_protocol_resp3);
    tcase_add_test(tc, redis_cli_works);
    tcase_add_test(tc, redis_benchmark_runs);
    suite_add_tcase(s, tc);

    /* Tests that start and end their own server process. */
    TCase *process = tcase_create("process");
    tcase_add_test(process, shutdown_nosave);
    tcase_add_test(process, sigterm_clean_exit);
    tcase_add_test(process, bad_config_directive);
    suite_add_tcase(s, process);
    return s;
}

int main(void)
{
    return harness_run_suite(server_suite());
}
