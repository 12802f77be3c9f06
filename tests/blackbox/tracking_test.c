/* tracking_test.c: black-box tests of client-side caching: CLIENT
 * TRACKING in default mode (RESP3 pushes), REDIRECT (RESP2 messages on
 * __redis__:invalidate, RESP3 pushes), BCAST with prefixes, OPTIN/OPTOUT
 * with CLIENT CACHING, NOLOOP, flush and expiry invalidations,
 * tracking-redir-broken, every error string, CLIENT TRACKINGINFO and
 * GETREDIR, CLIENT LIST's flags and INFO's counters, the order of
 * invalidations and replies under pipelining and MULTI, and
 * tracking-table-max-keys.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's
 * byte for byte. Where Redis picks at random (the keys the table limit
 * evicts) a test checks the set, not the choice. Each test starts its own
 * server (check forks per test). */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *a;               /* owned by the fixture: the tracking client */
static struct conn *w;               /* owned by the fixture: a writer */

static void setup(void)
{
    static const char *const args[] = {"--enable-debug-command", "yes", NULL};
    server = server_start(args);
    a = conn_open(server->port);
    w = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(w);
    conn_close(a);
    server_stop(server);
}

/* Switches c to RESP3. */
static void hello3(struct conn *c)
{
    ck_cmd_prefix(c, "HELLO 3", "%7\r\n");
}

/* The RESP3 push invalidating one key, in a rotating static buffer. */
static const char *inv(const char *key)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof(bufs[0]), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$%zu\r\n%s\r\n", strlen(key),
             key);
    return b;
}

/* The RESP2 Pub/Sub message invalidating one key (a redirect target). */
static const char *msg(const char *key)
{
    static char b[256];
    snprintf(b, sizeof(b), "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$%zu\r\n%s\r\n",
             strlen(key), key);
    return b;
}

#define INV_FLUSH3 ">2\r\n$10\r\ninvalidate\r\n_\r\n"
#define INV_FLUSH2_IN_PUSH ">2\r\n$10\r\ninvalidate\r\n$-1\r\n"
#define MSG_FLUSH "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n"

/* The value of an INFO field of c's server, as a number. */
static long long info_ll(struct conn *c, const char *field)
{
    char *v = conn_info_field(c, field);
    ck_assert_msg(v != NULL, "no INFO field %s", field);
    long long n = atoll(v);
    free(v);
    return n;
}

START_TEST(test_default_mode_resp3)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "GET k", "_\r\n");
    ck_cmd(w, "SET k v", "+OK\r\n");
    ck_read(a, inv("k"));
    /* The key was forgotten with its invalidation: a second write is silent. */
    ck_cmd(w, "SET k v2", "+OK\r\n");
    ck_silent(a);
    /* Every key of a read counts; a miss too. */
    ck_cmd(a, "MGET k k2", "*2\r\n$2\r\nv2\r\n_\r\n");
    /* A key that does not change (DEL of a missing key) stays tracked. */
    ck_cmd(w, "DEL k k2", ":1\r\n");
    ck_read(a, inv("k"));
    ck_cmd(w, "SET k2 1", "+OK\r\n");
    ck_read(a, inv("k2"));
    /* A read that fails still tracks its key (Redis 7.0). */
    ck_cmd(w, "RPUSH l x", ":1\r\n");
    ck_cmd(a, "GET l", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    ck_cmd(w, "RPUSH l y", ":2\r\n");
    ck_read(a, inv("l"));
    /* Writes do not track. */
    ck_cmd(a, "SET x 1", "+OK\r\n");
    ck_cmd(w, "SET x 2", "+OK\r\n");
    ck_silent(a);
    /* The table spans databases. */
    ck_cmd(a, "GET z", "_\r\n");
    ck_cmd(w, "SELECT 3", "+OK\r\n");
    ck_cmd(w, "SET z 1", "+OK\r\n");
    ck_read(a, inv("z"));
    ck_silent(a);
}
END_TEST

/* CLIENT REPLY OFF mutes replies, not invalidations: they are pushes, as
 * Pub/Sub messages are (Redis 7.0.15). */
START_TEST(test_reply_off_still_invalidated)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "GET k", "_\r\n");
    conn_send(a, "CLIENT REPLY OFF");
    conn_send(a, "GET k2");
    ck_cmd(w, "SET k v", "+OK\r\n");
    ck_read(a, inv("k"));
    ck_cmd(w, "SET k2 v", "+OK\r\n");
    ck_read(a, inv("k2"));
    ck_silent(a);
}
END_TEST

START_TEST(test_own_write_after_reply)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "GET k", "_\r\n");
    /* An invalidation a command causes for its own client follows its reply. */
    ck_cmd(a, "SET k v", "+OK\r\n");
    ck_read(a, inv("k"));
    ck_cmd(a, "GET k", "$1\r\nv\r\n");
    /* Inside MULTI, after EXEC's whole reply, in the order of the writes. */
    ck_cmd(a, "GET k2", "_\r\n");
    conn_send(a, "MULTI");
    conn_send(a, "SET k 1");
    conn_send(a, "SET k2 1");
    conn_send(a, "GET k");
    conn_send(a, "EXEC");
    ck_read(a, "+OK\r\n");
    ck_read(a, "+QUEUED\r\n");
    ck_read(a, "+QUEUED\r\n");
    ck_read(a, "+QUEUED\r\n");
    ck_read(a, "*3\r\n+OK\r\n+OK\r\n$1\r\n1\r\n");
    ck_read(a, inv("k"));
    ck_read(a, inv("k2"));
    /* EXEC's GET tracked k again. */
    ck_cmd(w, "SET k 2", "+OK\r\n");
    ck_read(a, inv("k"));
    ck_silent(a);
}
END_TEST

START_TEST(test_pipelining)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    const char pipeline[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
                            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
                            "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
                            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nw\r\n"
                            "*1\r\n$4\r\nPING\r\n";
    conn_send_raw(a, pipeline, sizeof(pipeline) - 1);
    ck_read(a, "_\r\n");
    ck_read(a, "+OK\r\n");
    ck_read(a, inv("k"));
    ck_read(a, "$1\r\nv\r\n");
    ck_read(a, "+OK\r\n");
    ck_read(a, inv("k"));
    ck_read(a, "+PONG\r\n");
    /* Another client's pipelined writes reach a at once, one per key. */
    ck_cmd(a, "MGET p q", "*2\r\n_\r\n_\r\n");
    const char writes[] = "*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n"
                          "*3\r\n$3\r\nSET\r\n$1\r\np\r\n$1\r\n1\r\n";
    conn_send_raw(w, writes, sizeof(writes) - 1);
    ck_read(w, "+OK\r\n");
    ck_read(w, "+OK\r\n");
    ck_read(a, inv("q"));
    ck_read(a, inv("p"));
    ck_silent(a);
}
END_TEST

START_TEST(test_redirect_resp2_pubsub)
{
    struct conn *r = conn_open(server->port);
    long long rid = conn_cmd_integer(r, "CLIENT ID");
    char line[128];
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld", rid);
    ck_cmd(a, line, "+OK\r\n");
    char want[64];
    snprintf(want, sizeof(want), ":%lld\r\n", rid);
    ck_cmd(a, "CLIENT GETREDIR", want);
    /* A RESP2 target not in Pub/Sub mode cannot take the message. */
    ck_cmd(a, "GET k", "$-1\r\n");
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_silent(r);
    /* In Pub/Sub mode (any channel) it gets __redis__:invalidate messages. */
    ck_cmd(r, "SUBSCRIBE other", "*3\r\n$9\r\nsubscribe\r\n$5\r\nother\r\n:1\r\n");
    ck_cmd(a, "GET k", "$1\r\n1\r\n");
    ck_cmd(w, "SET k 2", "+OK\r\n");
    ck_read(r, msg("k"));
    /* A RESP2 tracking client's own connection never gets a message. */
    ck_silent(a);
    /* A flush: the tracking client's RESP2 null. */
    ck_cmd(a, "GET k", "$1\r\n2\r\n");
    ck_cmd(w, "FLUSHALL", "+OK\r\n");
    ck_read(r, MSG_FLUSH);
    ck_silent(r);
    ck_silent(a);
    conn_close(r);
}
END_TEST

START_TEST(test_redirect_resp3_target)
{
    struct conn *r = conn_open(server->port);
    hello3(r);
    long long rid = conn_cmd_integer(r, "CLIENT ID");
    char line[128], want[64];
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld", rid);
    ck_cmd(a, line, "+OK\r\n");
    snprintf(want, sizeof(want), ":%lld\r\n", rid);
    ck_cmd(a, "CLIENT GETREDIR", want);
    ck_cmd(a, "GET k", "$-1\r\n");
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_read(r, inv("k"));
    /* The null is the tracking client's (RESP2), inside r's push. */
    ck_cmd(a, "GET k", "$1\r\n1\r\n");
    ck_cmd(w, "FLUSHDB", "+OK\r\n");
    ck_read(r, INV_FLUSH2_IN_PUSH);
    /* With a RESP3 tracking client, its own null. */
    hello3(a);
    ck_cmd(w, "FLUSHDB", "+OK\r\n");
    ck_read(r, INV_FLUSH3);
    ck_silent(a);
    /* A client may redirect to itself. */
    long long aid = conn_cmd_integer(a, "CLIENT ID");
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld", aid);
    ck_cmd(a, line, "+OK\r\n");
    ck_cmd(a, "GET k", "_\r\n");
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_read(a, inv("k"));
    ck_silent(r);
    conn_close(r);
}
END_TEST

START_TEST(test_redirect_broken)
{
    hello3(a);
    struct conn *r = conn_open(server->port);
    long long rid = conn_cmd_integer(r, "CLIENT ID");
    char line[128], broken[128], list[64];
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld", rid);
    ck_cmd(a, line, "+OK\r\n");
    ck_cmd(a, "MGET k k2", "*2\r\n_\r\n_\r\n");
    conn_close(r);
    snprintf(list, sizeof(list), "CLIENT LIST ID %lld", rid);
    ck_cmd_eventually(w, list, "$0\r\n\r\n");
    /* Nothing is said until an invalidation has nowhere to go. */
    ck_silent(a);
    char *info = conn_cmd(a, "CLIENT INFO");
    ck_assert_msg(strstr(info, " flags=t ") != NULL, "%s", info);
    free(info);
    snprintf(broken, sizeof(broken), ">2\r\n$21\r\ntracking-redir-broken\r\n:%lld\r\n", rid);
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_read(a, broken);
    /* Each time. */
    ck_cmd(w, "SET k2 1", "+OK\r\n");
    ck_read(a, broken);
    ck_cmd(w, "FLUSHALL", "+OK\r\n");
    ck_read(a, broken);
    char want[256];
    snprintf(want, sizeof(want),
             "%%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n"
             ":%lld\r\n$8\r\nprefixes\r\n*0\r\n",
             rid);
    ck_cmd(a, "CLIENT TRACKINGINFO", want);
    info = conn_cmd(a, "CLIENT INFO");
    char redir[64];
    snprintf(redir, sizeof(redir), " redir=%lld ", rid);
    ck_assert_msg(strstr(info, " flags=tR ") != NULL, "%s", info);
    ck_assert_msg(strstr(info, redir) != NULL, "%s", info);
    free(info);
    /* Turning tracking on again clears the mark. */
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
    ck_silent(a);
}
END_TEST

START_TEST(test_bcast_prefixes)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on BCAST PREFIX a PREFIX b", "+OK\r\n");
    ck_cmd(w, "SET b2 1", "+OK\r\n");
    ck_read(a, inv("b2"));
    ck_cmd(w, "SET c 1", "+OK\r\n");
    /* One message per prefix and round, keys in byte order, once each. */
    ck_cmd(w, "MSET a3 1 a0 1 a3 2", "+OK\r\n");
    ck_read(a, ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\na0\r\n$2\r\na3\r\n");
    ck_cmd(w, "MSET b7 1 a7 1", "+OK\r\n");
    ck_read(a, inv("a7"));
    ck_read(a, inv("b7"));
    /* BCAST reads remember nothing; own writes come back after the reply. */
    ck_cmd(a, "GET c", "$1\r\n1\r\n");
    ck_cmd(a, "SET a5 1", "+OK\r\n");
    ck_read(a, inv("a5"));
    ck_silent(a);
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
           "$8\r\nprefixes\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_total_prefixes"), 2);
    /* More prefixes join the old ones; BCAST without any means "". */
    ck_cmd(a, "CLIENT TRACKING on BCAST PREFIX z", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
           "$8\r\nprefixes\r\n*4\r\n$0\r\n\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nz\r\n");
    /* Now a key under "" and "a" comes twice, "" first. */
    ck_cmd(w, "SET a1 1", "+OK\r\n");
    ck_read(a, inv("a1"));
    ck_read(a, inv("a1"));
    char *info = conn_cmd(a, "CLIENT INFO");
    ck_assert_msg(strstr(info, " flags=tB ") != NULL, "%s", info);
    free(info);
    ck_cmd(a, "CLIENT TRACKING off", "+OK\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_total_prefixes"), 0);
    ck_cmd(w, "SET a1 2", "+OK\r\n");
    ck_silent(a);
}
END_TEST

START_TEST(test_bcast_expiry_and_flush)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on BCAST NOLOOP", "+OK\r\n");
    ck_cmd(w, "SET e 1 PX 50", "+OK\r\n");
    ck_read(a, inv("e"));
    /* The expiry is a change too (active expiry here). */
    ck_read(a, inv("e"));
    /* A flush reaches BCAST clients as the null, NOLOOP or not, after the
     * reply when the client flushes itself. */
    ck_cmd(a, "FLUSHDB", "+OK\r\n");
    ck_read(a, INV_FLUSH3);
    /* SWAPDB invalidates nothing. */
    ck_cmd(w, "SET s 1", "+OK\r\n");
    ck_read(a, inv("s"));
    ck_cmd(w, "SWAPDB 0 1", "+OK\r\n");
    ck_silent(a);
}
END_TEST

START_TEST(test_noloop)
{
    hello3(a);
    /* BCAST: a's own keys are left out of the array, others' stay. */
    ck_cmd(a, "CLIENT TRACKING on BCAST NOLOOP", "+OK\r\n");
    ck_cmd(a, "SET a5 1", "+OK\r\n");
    ck_silent(a);
    const char both[] = "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n1\r\n"
                        "*3\r\n$3\r\nSET\r\n$1\r\ny\r\n$1\r\n1\r\n";
    conn_send_raw(a, both, sizeof(both) - 1);
    ck_read(a, "+OK\r\n");
    ck_read(a, "+OK\r\n");
    ck_cmd(w, "SET y 2", "+OK\r\n");
    ck_read(a, inv("y"));
    ck_silent(a);
    ck_cmd(a, "CLIENT TRACKING off", "+OK\r\n");
    /* Default mode: a's own write is silent but still forgets the key. */
    ck_cmd(a, "CLIENT TRACKING on NOLOOP", "+OK\r\n");
    ck_cmd(a, "GET k", "_\r\n");
    ck_cmd(a, "SET k 1", "+OK\r\n");
    ck_silent(a);
    ck_cmd(w, "SET k 2", "+OK\r\n");
    ck_silent(a);
    ck_cmd(a, "GET k", "$1\r\n2\r\n");
    ck_cmd(w, "SET k 3", "+OK\r\n");
    ck_read(a, inv("k"));
    /* A flush is not a loop: the null comes anyway. */
    ck_cmd(a, "GET k", "$1\r\n3\r\n");
    ck_cmd(a, "FLUSHDB", "+OK\r\n");
    ck_read(a, INV_FLUSH3);
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n:0\r\n"
           "$8\r\nprefixes\r\n*0\r\n");
}
END_TEST

START_TEST(test_optin)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on OPTIN", "+OK\r\n");
    ck_cmd(a, "GET k1", "_\r\n");
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n"
           "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
    /* CLIENT subcommands keep the choice; it lasts one other command. */
    ck_cmd(a, "GET k2", "_\r\n");
    ck_cmd(a, "GET k3", "_\r\n");
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    ck_cmd_prefix(a, "CLIENT ID", ":");
    ck_cmd(a, "GET k4", "_\r\n");
    /* A refused command uses it up, a refused CLIENT subcommand does not. */
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    ck_cmd(a, "GET k5 x", "-ERR wrong number of arguments for 'get' command\r\n");
    ck_cmd(a, "GET k5", "_\r\n");
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    ck_cmd(a, "CLIENT ID x", "-ERR wrong number of arguments for 'client|id' command\r\n");
    ck_cmd(a, "GET k6", "_\r\n");
    ck_cmd(w, "MSET k1 1 k2 2 k3 3 k4 4 k5 5 k6 6", "+OK\r\n");
    ck_read(a, inv("k2"));
    ck_read(a, inv("k4"));
    ck_read(a, inv("k6"));
    ck_silent(a);
    /* It lasts a whole transaction, given before MULTI or inside it. */
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    ck_cmd(a, "MULTI", "+OK\r\n");
    ck_cmd(a, "GET k1", "+QUEUED\r\n");
    ck_cmd(a, "GET k3", "+QUEUED\r\n");
    ck_cmd(a, "EXEC", "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
    ck_cmd(a, "MULTI", "+OK\r\n");
    ck_cmd(a, "CLIENT CACHING yes", "+QUEUED\r\n");
    ck_cmd(a, "GET k5", "+QUEUED\r\n");
    ck_cmd(a, "EXEC", "*2\r\n+OK\r\n$1\r\n5\r\n");
    ck_cmd(a, "GET k2", "$1\r\n2\r\n");
    ck_cmd(w, "MSET k1 1 k2 2 k3 3 k5 5", "+OK\r\n");
    ck_read(a, inv("k1"));
    ck_read(a, inv("k3"));
    ck_read(a, inv("k5"));
    ck_silent(a);
}
END_TEST

START_TEST(test_optout)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on OPTOUT", "+OK\r\n");
    ck_cmd(a, "GET k1", "_\r\n");
    ck_cmd(a, "CLIENT CACHING no", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n"
           "$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n");
    ck_cmd(a, "GET k2", "_\r\n");
    ck_cmd(a, "GET k3", "_\r\n");
    ck_cmd(w, "MSET k1 1 k2 2 k3 3", "+OK\r\n");
    ck_read(a, inv("k1"));
    ck_read(a, inv("k3"));
    ck_silent(a);
}
END_TEST

START_TEST(test_errors)
{
    ck_cmd(a, "CLIENT TRACKING on PREFIX a", "-ERR PREFIX option requires BCAST mode to be enabled\r\n");
    ck_cmd(a, "CLIENT TRACKING on OPTIN OPTOUT",
           "-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST OPTIN", "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST OPTOUT", "-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n");
    ck_cmd(a, "CLIENT TRACKING on REDIRECT 999999",
           "-ERR The client ID you want redirect to does not exist\r\n");
    ck_cmd(a, "CLIENT TRACKING on REDIRECT 0",
           "-ERR The client ID you want redirect to does not exist\r\n");
    ck_cmd(a, "CLIENT TRACKING off REDIRECT 999999",
           "-ERR The client ID you want redirect to does not exist\r\n");
    ck_cmd(a, "CLIENT TRACKING on REDIRECT x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(a, "CLIENT TRACKING on REDIRECT", "-ERR syntax error\r\n");
    ck_cmd(a, "CLIENT TRACKING on foo", "-ERR syntax error\r\n");
    ck_cmd(a, "CLIENT TRACKING maybe", "-ERR syntax error\r\n");
    ck_cmd(a, "CLIENT TRACKING", "-ERR wrong number of arguments for 'client|tracking' command\r\n");
    long long wid = conn_cmd_integer(w, "CLIENT ID");
    char line[128];
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld REDIRECT %lld", wid, wid);
    ck_cmd(a, line, "-ERR A client can only redirect to a single other client\r\n");
    ck_cmd(a, "CLIENT TRACKING off PREFIX a", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST PREFIX a PREFIX ab",
           "-ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a single "
           "client must not overlap.\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST PREFIX b PREFIX b",
           "-ERR Prefix 'b' overlaps with another provided prefix 'b'. Prefixes for a single "
           "client must not overlap.\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
    /* Redis 7.0.15 reports an overlap among the given prefixes past the
     * first one, then turns tracking on anyway and replies +OK too. */
    conn_send(a, "CLIENT TRACKING on BCAST PREFIX a PREFIX b PREFIX bc");
    ck_read(a, "-ERR Prefix 'b' overlaps with another provided prefix 'bc'. Prefixes for a single "
               "client must not overlap.\r\n");
    ck_read(a, "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
           "$8\r\nprefixes\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbc\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST PREFIX ab",
           "-ERR Prefix 'ab' overlaps with an existing prefix 'a'. Prefixes for a single client "
           "must not overlap.\r\n");
    ck_cmd(a, "CLIENT TRACKING on", "-ERR You can't switch BCAST mode on/off before disabling "
                                    "tracking for this client, and then re-enabling it with a "
                                    "different mode.\r\n");
    ck_cmd(a, "CLIENT TRACKING off", "+OK\r\n");
    ck_cmd(a, "CLIENT CACHING yes", "-ERR CLIENT CACHING can be called only when the client is in "
                                    "tracking mode with OPTIN or OPTOUT mode enabled\r\n");
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKING on BCAST", "-ERR You can't switch BCAST mode on/off before "
                                          "disabling tracking for this client, and then "
                                          "re-enabling it with a different mode.\r\n");
    ck_cmd(a, "CLIENT CACHING yes",
           "-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n");
    ck_cmd(a, "CLIENT CACHING no",
           "-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n");
    ck_cmd(a, "CLIENT TRACKING on OPTOUT", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKING on OPTIN", "-ERR You can't switch OPTIN/OPTOUT mode before "
                                          "disabling tracking for this client, and then "
                                          "re-enabling it with a different mode.\r\n");
    ck_cmd(a, "CLIENT CACHING maybe", "-ERR syntax error\r\n");
    ck_cmd(a, "CLIENT CACHING", "-ERR wrong number of arguments for 'client|caching' command\r\n");
    ck_cmd(a, "CLIENT CACHING yes x",
           "-ERR wrong number of arguments for 'client|caching' command\r\n");
    ck_cmd(a, "CLIENT GETREDIR x", "-ERR wrong number of arguments for 'client|getredir' command\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO x",
           "-ERR wrong number of arguments for 'client|trackinginfo' command\r\n");
}
END_TEST

START_TEST(test_trackinginfo_getredir)
{
    ck_cmd(a, "CLIENT GETREDIR", ":-1\r\n");
    ck_cmd(a, "CLIENT TRACKINGINFO",
           "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n");
    /* RESP2 tracking is allowed without a redirect (it just hears nothing). */
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "CLIENT GETREDIR", ":0\r\n");
    ck_cmd(a, "GET k", "$-1\r\n");
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_silent(a);
    long long wid = conn_cmd_integer(w, "CLIENT ID");
    char line[128], want[256];
    snprintf(line, sizeof(line), "CLIENT TRACKING on REDIRECT %lld OPTIN NOLOOP", wid);
    ck_cmd(a, line, "+OK\r\n");
    snprintf(want, sizeof(want), ":%lld\r\n", wid);
    ck_cmd(a, "CLIENT GETREDIR", want);
    ck_cmd(a, "CLIENT CACHING yes", "+OK\r\n");
    snprintf(want, sizeof(want),
             "*6\r\n$5\r\nflags\r\n*4\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n"
             "$6\r\nnoloop\r\n$8\r\nredirect\r\n:%lld\r\n$8\r\nprefixes\r\n*0\r\n",
             wid);
    ck_cmd(a, "CLIENT TRACKINGINFO", want);
    hello3(a);
    snprintf(want, sizeof(want),
             "%%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$6\r\nnoloop\r\n"
             "$8\r\nredirect\r\n:%lld\r\n$8\r\nprefixes\r\n*0\r\n",
             wid);
    ck_cmd(a, "CLIENT TRACKINGINFO", want);
    char *info = conn_cmd(w, "CLIENT LIST");
    char redir[64];
    snprintf(redir, sizeof(redir), " flags=t db=0 ");
    ck_assert_msg(strstr(info, redir) != NULL, "%s", info);
    snprintf(redir, sizeof(redir), " redir=%lld resp=3", wid);
    ck_assert_msg(strstr(info, redir) != NULL, "%s", info);
    ck_assert_msg(strstr(info, " redir=-1 resp=2") != NULL, "%s", info);
    free(info);
    ck_assert_int_eq(info_ll(w, "tracking_clients"), 1);
    /* RESET turns tracking off. */
    ck_cmd(a, "RESET", "+RESET\r\n");
    ck_cmd(a, "CLIENT GETREDIR", ":-1\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_clients"), 0);
}
END_TEST

START_TEST(test_info_counters_and_disconnect)
{
    hello3(a);
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 0);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(a, "MGET x y", "*2\r\n_\r\n_\r\n");
    struct conn *b = conn_open(server->port);
    ck_cmd(b, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(b, "GET x", "$-1\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_clients"), 2);
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 2);
    ck_assert_int_eq(info_ll(w, "tracking_total_items"), 3);
    /* Turning off or leaving keeps the ids: they go with their keys. */
    ck_cmd(a, "CLIENT TRACKING off", "+OK\r\n");
    conn_close(b);
    for (int i = 0; i < 100 && info_ll(w, "tracking_clients") != 0; i++)
        harness_sleep_ms(20);
    ck_assert_int_eq(info_ll(w, "tracking_clients"), 0);
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 2);
    ck_assert_int_eq(info_ll(w, "tracking_total_items"), 3);
    ck_cmd(w, "SET x 1", "+OK\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 1);
    ck_assert_int_eq(info_ll(w, "tracking_total_items"), 1);
    ck_silent(a);
    /* Tracking on again: keys read before still count. */
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(w, "SET y 1", "+OK\r\n");
    ck_read(a, inv("y"));
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 0);
    ck_assert_int_eq(info_ll(w, "tracking_total_items"), 0);
}
END_TEST

/* Reads the two evictions and the PONG the table limit produces after a
 * read of k1..k4 with tracking-table-max-keys 2: which keys go is random. */
static void ck_two_evictions(void)
{
    char seen[4] = {0};
    for (int i = 0; i < 2; i++) {
        char *got = conn_read_raw(a);
        bool ok = false;
        for (int k = 0; k < 4 && !ok; k++) {
            char key[8];
            snprintf(key, sizeof(key), "k%d", k + 1);
            if (strcmp(got, inv(key)) == 0 && !seen[k]) {
                seen[k] = 1;
                ok = true;
            }
        }
        ck_assert_msg(ok, "unexpected %s", harness_escape(got));
        free(got);
    }
    ck_read(a, "+PONG\r\n");
}

START_TEST(test_table_limit)
{
    hello3(a);
    ck_cmd(w, "CONFIG GET tracking-table-max-keys",
           "*2\r\n$23\r\ntracking-table-max-keys\r\n$7\r\n1000000\r\n");
    ck_cmd(w, "CONFIG SET tracking-table-max-keys -1",
           "-ERR CONFIG SET failed (possibly related to argument 'tracking-table-max-keys') - "
           "argument must be between 0 and 9223372036854775807 inclusive\r\n");
    ck_cmd(w, "CONFIG SET tracking-table-max-keys 2", "+OK\r\n");
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    /* The next command (here in the same pipeline) evicts down to the limit
     * first: the evicted keys' invalidations come before its reply. */
    const char pipeline[] = "*5\r\n$4\r\nMGET\r\n$2\r\nk1\r\n$2\r\nk2\r\n$2\r\nk3\r\n$2\r\nk4\r\n"
                            "*1\r\n$4\r\nPING\r\n";
    conn_send_raw(a, pipeline, sizeof(pipeline) - 1);
    ck_read(a, "*4\r\n_\r\n_\r\n_\r\n_\r\n");
    ck_two_evictions();
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 2);
    ck_assert_int_eq(info_ll(w, "tracking_total_items"), 2);
    /* Idle, the cron enforces it too. */
    ck_cmd(w, "CONFIG SET tracking-table-max-keys 1", "+OK\r\n");
    char *got = conn_read_raw(a);
    ck_assert_msg(strncmp(got, ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk", 29) == 0, "%s",
                  harness_escape(got));
    free(got);
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 1);
    /* 0: no limit. */
    ck_cmd(w, "CONFIG SET tracking-table-max-keys 0", "+OK\r\n");
    ck_cmd(a, "MGET m1 m2 m3 m4 m5", "*5\r\n_\r\n_\r\n_\r\n_\r\n_\r\n");
    ck_cmd(a, "PING", "+PONG\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 6);
    ck_silent(a);
}
END_TEST

START_TEST(test_expiry)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    /* Active expiry. */
    ck_cmd(w, "SET e 1 PX 100", "+OK\r\n");
    ck_cmd(a, "GET e", "$1\r\n1\r\n");
    ck_read(a, inv("e"));
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 0);
    /* Lazy expiry by the tracking client's own read: after its reply, and
     * the read tracks the key again. */
    ck_cmd(w, "DEBUG SET-ACTIVE-EXPIRE 0", "+OK\r\n");
    ck_cmd(w, "SET e 1 PX 100", "+OK\r\n");
    ck_cmd(a, "GET e", "$1\r\n1\r\n");
    harness_sleep_ms(200);
    ck_cmd(a, "GET e", "_\r\n");
    ck_read(a, inv("e"));
    ck_cmd(w, "SET e 2", "+OK\r\n");
    ck_read(a, inv("e"));
    /* Lazy expiry by another client's read. */
    ck_cmd(w, "SET e 1 PX 100", "+OK\r\n");
    ck_cmd(a, "GET e", "$1\r\n1\r\n");
    harness_sleep_ms(200);
    ck_cmd(w, "GET e", "$-1\r\n");
    ck_read(a, inv("e"));
    ck_cmd(w, "DEBUG SET-ACTIVE-EXPIRE 1", "+OK\r\n");
    ck_silent(a);
}
END_TEST

START_TEST(test_flush_and_reload)
{
    hello3(a);
    ck_cmd(a, "CLIENT TRACKING on", "+OK\r\n");
    /* Sent to every tracking client, even one that tracks nothing, once
     * per command. */
    ck_cmd(w, "FLUSHALL", "+OK\r\n");
    ck_read(a, INV_FLUSH3);
    ck_silent(a);
    ck_cmd(a, "MGET k k2", "*2\r\n_\r\n_\r\n");
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 2);
    ck_cmd(a, "FLUSHDB", "+OK\r\n");
    ck_read(a, INV_FLUSH3);
    ck_assert_int_eq(info_ll(w, "tracking_total_keys"), 0);
    ck_cmd(w, "SET k 1", "+OK\r\n");
    ck_silent(a);
    ck_cmd(a, "GET k", "$1\r\n1\r\n");
    ck_cmd(w, "DEBUG RELOAD", "+OK\r\n");
    ck_read(a, INV_FLUSH3);
    ck_silent(a);
}
END_TEST

START_TEST(test_loadaof)
{
    static const char *const args[] = {"--enable-debug-command", "yes", "--appendonly", "yes",
                                       NULL};
    struct server_handle *aof = server_start(args);
    struct conn *t = conn_open(aof->port);
    struct conn *o = conn_open(aof->port);
    hello3(t);
    ck_cmd(t, "CLIENT TRACKING on", "+OK\r\n");
    ck_cmd(t, "GET k", "_\r\n");
    ck_cmd(o, "SET k 1", "+OK\r\n");
    ck_read(t, inv("k"));
    ck_cmd(t, "GET k", "$1\r\n1\r\n");
    /* Emptying the keyspace to load the AOF again is a flush. */
    ck_cmd(o, "DEBUG LOADAOF", "+OK\r\n");
    ck_read(t, INV_FLUSH3);
    ck_cmd(o, "SET k 2", "+OK\r\n");
    ck_silent(t);
    conn_close(o);
    conn_close(t);
    server_stop(aof);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tracking");
    TCase *tc = tcase_create("tracking");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_default_mode_resp3);
    tcase_add_test(tc, test_own_write_after_reply);
    tcase_add_test(tc, test_reply_off_still_invalidated);
    tcase_add_test(tc, test_pipelining);
    tcase_add_test(tc, test_redirect_resp2_pubsub);
    tcase_add_test(tc, test_redirect_resp3_target);
    tcase_add_test(tc, test_redirect_broken);
    tcase_add_test(tc, test_bcast_prefixes);
    tcase_add_test(tc, test_bcast_expiry_and_flush);
    tcase_add_test(tc, test_noloop);
    tcase_add_test(tc, test_optin);
    tcase_add_test(tc, test_optout);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_trackinginfo_getredir);
    tcase_add_test(tc, test_info_counters_and_disconnect);
    tcase_add_test(tc, test_table_limit);
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_flush_and_reload);
    tcase_add_test(tc, test_loadaof);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
