/* acl_test.c: black-box tests of ACL: users and their rules (passwords,
 * commands, categories, subcommands, key patterns with read/write
 * permissions, channels, selectors), AUTH and HELLO AUTH, the NOPERM
 * errors (top level, in MULTI, at EXEC), ACL GETUSER / LIST / USERS /
 * WHOAMI / CAT / DRYRUN / GENPASS / LOG / DELUSER, clients of a deleted
 * user, CLIENT LIST user= and CLIENT KILL USER, requirepass, `user`
 * directives and the aclfile (SAVE and LOAD).
 *
 * Every expectation was checked against redis-server 7.0.15 by running
 * this file with RINGKV_SERVER=/usr/bin/redis-server. Redis lists single
 * commands in ACL LIST in its hash table's order, which changes from run
 * to run, so rule strings here hold at most one single command. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *admin;           /* owned by the fixture: the default user */

static void setup(void)
{
    server = server_start(NULL);
    admin = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(admin);
    server_stop(server);
}

#define ck_contains(haystack, needle)                                                   \
    ck_assert_msg(strstr((haystack), (needle)) != NULL, "%s not found in %s",          \
                  harness_escape(needle), harness_escape(haystack))

#define OK "+OK\r\n"
#define NOPERM_KEYS "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
#define NOPERM_CHANNELS                                                                  \
    "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"
#define NOPERM_CMD(name) "-NOPERM this user has no permissions to run the '" name "' command\r\n"
#define WRONGPASS "-WRONGPASS invalid username-password pair or user is disabled.\r\n"

/* A connection authenticated as user (password pw). Owned. */
static struct conn *open_as(const char *user, const char *pw)
{
    struct conn *c = conn_open(server->port);
    char line[256];
    snprintf(line, sizeof(line), "AUTH %s %s", user, pw);
    ck_cmd(c, line, OK);
    return c;
}

/* The bulk reply for s. */
static const char *bulk(const char *s)
{
    static char out[4][1024];
    static int next;
    char *b = out[next++ % 4];
    snprintf(b, 1024, "$%zu\r\n%s\r\n", strlen(s), s);
    return b;
}

START_TEST(test_read_only_key_pattern)
{
    ck_cmd(admin, "ACL SETUSER reader on >pw %R~app:* +@read +@write", OK);
    ck_cmd(admin, "SET app:x 1", OK);
    ck_cmd(admin, "SET other 2", OK);
    struct conn *c = open_as("reader", "pw");
    ck_cmd(c, "GET app:x", "$1\r\n1\r\n");
    ck_cmd(c, "GET other", NOPERM_KEYS);
    ck_cmd(c, "SET app:x 2", NOPERM_KEYS);
    ck_cmd(c, "MGET app:x app:y other", NOPERM_KEYS);
    ck_cmd(c, "MGET app:x app:y", "*2\r\n$1\r\n1\r\n$-1\r\n");
    /* A command outside the categories is refused by name first. */
    ck_cmd(c, "CONFIG GET x", NOPERM_CMD("config|get"));
    /* Write-only patterns: COPY reads its source and writes its target. */
    ck_cmd(admin, "ACL SETUSER writer on >pw %R~src* %W~dst* +@all", OK);
    struct conn *w = open_as("writer", "pw");
    ck_cmd(w, "SET src1 v", NOPERM_KEYS);
    ck_cmd(w, "SET dst1 v", OK);
    ck_cmd(w, "GET dst1", NOPERM_KEYS);
    /* SET reads its key only with GET. */
    ck_cmd(w, "SET dst1 v GET", NOPERM_KEYS);
    ck_cmd(admin, "SET src1 v", OK);
    ck_cmd(w, "COPY src1 dst2", ":1\r\n");
    ck_cmd(w, "COPY dst1 src2", NOPERM_KEYS);
    /* A command whose keys are neither read nor written (EXISTS) matches
     * any pattern. */
    ck_cmd(w, "EXISTS src1 dst1", ":2\r\n");
    ck_cmd(w, "EXISTS other", NOPERM_KEYS);
    conn_close(w);
    conn_close(c);
}
END_TEST

START_TEST(test_categories_and_commands)
{
    ck_cmd(admin, "ACL SETUSER u on nopass allkeys +@string -@write", OK);
    struct conn *c = open_as("u", "x");
    ck_cmd(c, "GET k", "$-1\r\n");
    ck_cmd(c, "STRLEN k", ":0\r\n");
    ck_cmd(c, "SET k v", NOPERM_CMD("set"));
    ck_cmd(c, "HGET h f", NOPERM_CMD("hget"));
    ck_cmd(admin, "ACL SETUSER u +set", OK);
    ck_cmd(c, "SET k v", OK);
    /* Commands that need no authentication pass every ACL. */
    ck_cmd(c, "AUTH u x", OK);
    ck_cmd(c, "PING", NOPERM_CMD("ping"));
    ck_cmd(admin, "ACL SETUSER u -@all +@hash -hset", OK);
    ck_cmd(admin, "ACL LIST",
           "*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
           "$52\r\nuser u on nopass ~* resetchannels -@all +@hash -hset\r\n");
    ck_cmd(c, "HSET h f v", NOPERM_CMD("hset"));
    ck_cmd(c, "HGET h f", "$-1\r\n");
    ck_cmd(admin, "ACL SETUSER u allcommands -flushall", OK);
    ck_cmd(admin, "ACL GETUSER u",
           "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n"
           "$8\r\ncommands\r\n$15\r\n+@all -flushall\r\n$4\r\nkeys\r\n$2\r\n~*\r\n"
           "$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n");
    ck_cmd(c, "FLUSHALL", NOPERM_CMD("flushall"));
    ck_cmd(c, "DBSIZE", ":1\r\n");
    /* Errors name the rule at fault and change nothing. */
    ck_cmd(admin, "ACL SETUSER u +get +nosuch",
           "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in "
           "ACL\r\n");
    ck_cmd(admin, "ACL SETUSER u -@nosuch",
           "-ERR Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in "
           "ACL\r\n");
    ck_cmd(admin, "ACL SETUSER u bogus",
           "-ERR Error in ACL SETUSER modifier 'bogus': Syntax error\r\n");
    ck_cmd(admin, "ACL SETUSER u ~x",
           "-ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or "
           "the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to "
           "start with an empty list of patterns\r\n");
    /* Redis refuses any pattern after allkeys before reading its flags. */
    ck_cmd(admin, "ACL SETUSER u %X~x",
           "-ERR Error in ACL SETUSER modifier '%X~x': Adding a pattern after the * pattern (or "
           "the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to "
           "start with an empty list of patterns\r\n");
    ck_cmd(admin, "ACL SETUSER newbie on +nosuch",
           "-ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in "
           "ACL\r\n");
    ck_cmd(admin, "ACL GETUSER newbie", "$-1\r\n");
    ck_cmd(c, "FLUSHALL", NOPERM_CMD("flushall"));
    conn_close(c);
}
END_TEST

START_TEST(test_subcommands_and_first_args)
{
    ck_cmd(admin, "ACL SETUSER s on nopass +client|id +config|get +select|0", OK);
    struct conn *c = open_as("s", "x");
    ck_cmd_prefix(c, "CLIENT ID", ":");
    ck_cmd(c, "CLIENT INFO", NOPERM_CMD("client|info"));
    ck_cmd_prefix(c, "CONFIG GET maxmemory", "*2\r\n");
    ck_cmd(c, "CONFIG SET maxmemory 0", NOPERM_CMD("config|set"));
    ck_cmd(c, "SELECT 0", OK);
    ck_cmd(c, "SELECT 1", NOPERM_CMD("select"));
    ck_cmd(admin, "ACL SETUSER s +client|id|x",
           "-ERR Error in ACL SETUSER modifier '+client|id|x': Allowing first-arg of a "
           "subcommand is not supported\r\n");
    ck_cmd(admin, "ACL SETUSER s %X~x", "-ERR Error in ACL SETUSER modifier '%X~x': Syntax error\r\n");
    ck_cmd(admin, "ACL SETUSER s %~x", "-ERR Error in ACL SETUSER modifier '%~x': Syntax error\r\n");
    ck_cmd(admin, "ACL SETUSER s -select|0",
           "-ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in "
           "ACL\r\n");
    ck_cmd(admin, "ACL SETUSER s +get|", "-ERR Error in ACL SETUSER modifier '+get|': Syntax error\r\n");
    ck_cmd(admin, "ACL SETUSER s -client|id|x",
           "-ERR Error in ACL SETUSER modifier '-client|id|x': Unknown command or category name "
           "in ACL\r\n");
    ck_cmd(admin, "ACL SETUSER s +select|0|1",
           "-ERR Error in ACL SETUSER modifier '+select|0|1': Unknown command or category name "
           "in ACL\r\n");
    ck_cmd(admin, "ACL SETUSER s +client|nosuch",
           "-ERR Error in ACL SETUSER modifier '+client|nosuch': Unknown command or category "
           "name in ACL\r\n");
    /* A whole container takes every subcommand; one can be taken back. */
    ck_cmd(admin, "ACL SETUSER t on nopass +client -client|kill", OK);
    ck_cmd(admin, "ACL GETUSER t",
           "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n"
           "$8\r\ncommands\r\n$26\r\n-@all +client -client|kill\r\n$4\r\nkeys\r\n$0\r\n\r\n"
           "$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n");
    struct conn *t = open_as("t", "x");
    ck_cmd_prefix(t, "CLIENT INFO", "$");
    ck_cmd(t, "CLIENT KILL ID 123456", NOPERM_CMD("client|kill"));
    conn_close(t);
    conn_close(c);
}
END_TEST

START_TEST(test_selectors)
{
    /* A command runs when one selector allows it whole: command and keys. */
    ck_cmd(admin, "ACL SETUSER sel on >pw ~app:* +get (~x* +set) (%R~r* +@read)", OK);
    ck_cmd(admin, "ACL GETUSER sel",
           "*12\r\n$5\r\nflags\r\n*1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n"
           "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\r\n"
           "$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$6\r\n~app:*\r\n"
           "$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*2\r\n"
           "*6\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$3\r\n~x*\r\n"
           "$8\r\nchannels\r\n$0\r\n\r\n"
           "*6\r\n$8\r\ncommands\r\n$12\r\n-@all +@read\r\n$4\r\nkeys\r\n$5\r\n%R~r*\r\n"
           "$8\r\nchannels\r\n$0\r\n\r\n");
    ck_cmd(admin, "ACL LIST",
           "*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
           "$175\r\nuser sel on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e2"
           "6170c4 ~app:* resetchannels -@all +get (~x* resetchannels -@all +set) (%R~r* "
           "resetchannels -@all +@read)\r\n");
    struct conn *c = open_as("sel", "pw");
    ck_cmd(c, "SET app:x 1", NOPERM_KEYS);
    ck_cmd(c, "SET x1 1", OK);
    ck_cmd(c, "GET r1", "$-1\r\n");
    ck_cmd(c, "HGET r1 f", "$-1\r\n");
    ck_cmd(c, "SET r1 1", NOPERM_KEYS);
    ck_cmd(c, "GET zz", NOPERM_KEYS);
    ck_cmd(c, "HGET zz f", NOPERM_KEYS);
    /* Every key of one command must be allowed by the same selector. */
    ck_cmd(c, "MGET app:1 r1", NOPERM_KEYS);
    ck_cmd(c, "MGET r1 r2", "*2\r\n$-1\r\n$-1\r\n");
    ck_cmd(c, "DEL r1", NOPERM_CMD("del"));
    /* Selectors split over arguments are joined; "()" is an empty one. */
    ck_cmd(admin, "ACL SETUSER sel clearselectors (~y +get ) ()", OK);
    ck_cmd(admin, "ACL LIST",
           "*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
           "$161\r\nuser sel on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e2"
           "6170c4 ~app:* resetchannels -@all +get (~y resetchannels -@all +get) (resetchannels "
           "-@all)\r\n");
    ck_cmd(c, "SET x1 1", NOPERM_CMD("set"));
    ck_cmd(c, "GET y", "$-1\r\n");
    ck_cmd(admin, "ACL SETUSER sel (",
           "-ERR Unmatched parenthesis in acl selector starting at '('.\r\n");
    ck_cmd(admin, "ACL SETUSER sel (~x +@foo)",
           "-ERR Error in ACL SETUSER modifier '(~x +@foo)': Unknown command or category name "
           "in ACL\r\n");
    conn_close(c);
}
END_TEST

START_TEST(test_channels)
{
    ck_cmd(admin, "ACL SETUSER p on nopass allkeys +@all &ch*", OK);
    struct conn *c = open_as("p", "x");
    ck_cmd(c, "PUBLISH chx m", ":0\r\n");
    ck_cmd(c, "PUBLISH dx m", NOPERM_CHANNELS);
    ck_cmd(c, "SUBSCRIBE chx dx", NOPERM_CHANNELS);
    /* A pattern must be one of the allowed patterns, literally. */
    ck_cmd(c, "PSUBSCRIBE ch*x", NOPERM_CHANNELS);
    ck_cmd(c, "PSUBSCRIBE ch*", "*3\r\n$10\r\npsubscribe\r\n$3\r\nch*\r\n:1\r\n");
    ck_cmd(c, "PUNSUBSCRIBE ch*", "*3\r\n$12\r\npunsubscribe\r\n$3\r\nch*\r\n:0\r\n");
    ck_cmd(c, "SUBSCRIBE chx", "*3\r\n$9\r\nsubscribe\r\n$3\r\nchx\r\n:1\r\n");
    ck_cmd(c, "UNSUBSCRIBE dx", "*3\r\n$11\r\nunsubscribe\r\n$2\r\ndx\r\n:1\r\n");
    /* Taking a channel away closes the clients subscribed to it. */
    ck_cmd(admin, "ACL SETUSER p resetchannels &chx", OK);
    ck_cmd(c, "PING", "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    ck_cmd(admin, "ACL SETUSER p resetchannels &other", OK);
    ck_assert(conn_wait_closed(c, 2000));
    conn_close(c);
    /* New users get no channel (acl-pubsub-default resetchannels). */
    ck_cmd(admin, "ACL SETUSER q on nopass +@all", OK);
    struct conn *q = open_as("q", "x");
    ck_cmd(q, "PUBLISH any m", NOPERM_CHANNELS);
    ck_cmd(admin, "CONFIG SET acl-pubsub-default allchannels", OK);
    ck_cmd(admin, "ACL SETUSER q2 on nopass +@all", OK);
    ck_cmd(admin, "ACL SETUSER q reset on nopass +@all", OK);
    ck_cmd(q, "PUBLISH any m", ":0\r\n");
    struct conn *q2 = open_as("q2", "x");
    ck_cmd(q2, "PUBLISH any m", ":0\r\n");
    ck_cmd(admin, "ACL SETUSER q2 &x",
           "-ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the * pattern (or "
           "the 'allchannels' flag) is not valid and does not have any effect. Try "
           "'resetchannels' to start with an empty list of channels\r\n");
    conn_close(q2);
    conn_close(q);
}
END_TEST

START_TEST(test_auth_forms)
{
    /* With a nopass default user, AUTH <pass> is an error, AUTH default x works. */
    ck_cmd(admin, "AUTH x",
           "-ERR AUTH <password> called without any password configured for the default user. "
           "Are you sure your configuration is correct?\r\n");
    ck_cmd(admin, "AUTH default anything", OK);
    ck_cmd(admin, "ACL SETUSER bob on >secret +@all ~*", OK);
    ck_cmd(admin, "ACL SETUSER carol off >secret +@all ~*", OK);
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "AUTH bob wrong", WRONGPASS);
    ck_cmd(c, "AUTH nobody secret", WRONGPASS);
    ck_cmd(c, "AUTH carol secret", WRONGPASS);
    ck_cmd(c, "ACL WHOAMI", "$7\r\ndefault\r\n");
    ck_cmd(c, "AUTH bob secret", OK);
    ck_cmd(c, "ACL WHOAMI", "$3\r\nbob\r\n");
    ck_cmd(c, "AUTH a b c", "-ERR syntax error\r\n");
    /* HELLO AUTH: a failure leaves the name unset (SETNAME runs after AUTH). */
    ck_cmd(c, "HELLO 2 AUTH bob wrong SETNAME zz", WRONGPASS);
    ck_cmd(c, "CLIENT GETNAME", "$-1\r\n");
    ck_cmd(c, "HELLO 2 AUTH bob secret SETNAME a\x01",
           "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    ck_cmd_prefix(c, "HELLO 2 AUTH default x SETNAME yy", "*14\r\n");
    ck_cmd(c, "CLIENT GETNAME", "$2\r\nyy\r\n");
    ck_cmd(c, "ACL WHOAMI", "$7\r\ndefault\r\n");
    /* RESET goes back to the default user. */
    ck_cmd(c, "AUTH bob secret", OK);
    ck_cmd(c, "RESET", "+RESET\r\n");
    ck_cmd(c, "ACL WHOAMI", "$7\r\ndefault\r\n");
    conn_close(c);
}
END_TEST

START_TEST(test_requirepass)
{
    ck_cmd(admin, "CONFIG SET requirepass sesame", OK);
    ck_cmd(admin, "ACL LIST",
           "*1\r\n$93\r\nuser default on #d0c04f4b1951e4aeaaec8223ed2039e542f3aae805a6fa7f6d794e5"
           "afff5d272 ~* &* +@all\r\n");
    struct conn *c = conn_open(server->port);
    ck_cmd(c, "GET k", "-NOAUTH Authentication required.\r\n");
    ck_cmd(c, "AUTH wrong", WRONGPASS);
    ck_cmd(c, "HELLO 3 SETNAME x",
           "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
           "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
           "the RESP protocol version at the same time\r\n");
    ck_cmd(c, "AUTH sesame", OK);
    ck_cmd(c, "GET k", "$-1\r\n");
    const char *clear[] = {"CONFIG", "SET", "requirepass", ""};
    char *cleared = conn_cmd_argv(admin, 4, clear, NULL);
    ck_assert_str_eq(cleared, OK);
    free(cleared);
    conn_close(c);
    c = conn_open(server->port);
    ck_cmd(c, "GET k", "$-1\r\n");
    ck_cmd(admin, "ACL GETUSER default",
           "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n"
           "$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n"
           "$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n");
    conn_close(c);
}
END_TEST

START_TEST(test_multi)
{
    ck_cmd(admin, "ACL SETUSER m on >pw ~* +@all -set", OK);
    struct conn *c = open_as("m", "pw");
    ck_cmd(c, "MULTI", OK);
    ck_cmd(c, "SET k v", NOPERM_CMD("set"));
    ck_cmd(c, "GET k", "+QUEUED\r\n");
    ck_cmd(c, "EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n");
    /* Rules changed after queueing: EXEC answers that command in place. */
    ck_cmd(c, "MULTI", OK);
    ck_cmd(c, "GET k", "+QUEUED\r\n");
    ck_cmd(c, "INCR n", "+QUEUED\r\n");
    ck_cmd(admin, "ACL SETUSER m -get", OK);
    ck_cmd(c, "EXEC",
           "*2\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated "
           "and the EXEC call. This command is no longer allowed for the following reason: no "
           "permission to execute the command or subcommand\r\n:1\r\n");
    conn_close(c);
}
END_TEST

START_TEST(test_acl_log)
{
    ck_cmd(admin, "ACL SETUSER lg on >pw ~k* +get +multi +discard", OK);
    struct conn *c = open_as("lg", "pw");
    ck_cmd(c, "GET other", NOPERM_KEYS);
    ck_cmd(c, "GET other", NOPERM_KEYS);
    ck_cmd(c, "AUTH nobody wrong", WRONGPASS);
    ck_cmd(c, "MULTI", OK);
    ck_cmd(c, "SET k v", NOPERM_CMD("set"));
    char *log = conn_cmd(admin, "ACL LOG");
    static const char newest[] =
        "*3\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n"
        "$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$3\r\nset\r\n"
        "$8\r\nusername\r\n$2\r\nlg\r\n$11\r\nage-seconds\r\n";
    ck_assert_msg(strncmp(log, newest, strlen(newest)) == 0, "%s", harness_escape(log));
    ck_contains(log, "$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n"
                     "$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$6\r\nnobody\r\n");
    ck_contains(log, "$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n"
                     "$8\r\ntoplevel\r\n$6\r\nobject\r\n$5\r\nother\r\n");
    ck_contains(log, "$11\r\nclient-info\r\n");
    ck_contains(log, " cmd=set user=lg ");
    free(log);
    ck_cmd(c, "DISCARD", OK);
    char *one = conn_cmd(admin, "ACL LOG 1");
    ck_assert_msg(strncmp(one, "*1\r\n*14\r\n", 9) == 0, "%s", harness_escape(one));
    free(one);
    ck_cmd(admin, "ACL LOG x", "-ERR value is not an integer or out of range\r\n");
    ck_cmd(admin, "ACL LOG RESET", OK);
    ck_cmd(admin, "ACL LOG", "*0\r\n");
    ck_cmd(admin, "CONFIG SET acllog-max-len 1", OK);
    ck_cmd(c, "GET a1", NOPERM_KEYS);
    ck_cmd(c, "GET a2", NOPERM_KEYS);
    char *last = conn_cmd(admin, "ACL LOG");
    ck_assert_msg(strncmp(last, "*1\r\n", 4) == 0, "%s", harness_escape(last));
    ck_contains(last, "$2\r\na2\r\n");
    free(last);
    conn_close(c);
}
END_TEST

START_TEST(test_deluser_disconnects)
{
    ck_cmd(admin, "ACL SETUSER d1 on >pw +@all ~*", OK);
    ck_cmd(admin, "ACL SETUSER d2 on >pw +@all ~*", OK);
    struct conn *a = open_as("d1", "pw");
    struct conn *b = open_as("d1", "pw");
    struct conn *other = open_as("d2", "pw");
    char *list = conn_cmd(admin, "CLIENT LIST");
    ck_contains(list, " user=d1 ");
    ck_contains(list, " user=d2 ");
    free(list);
    ck_cmd(admin, "ACL DELUSER d1 nosuch", ":1\r\n");
    ck_assert(conn_wait_closed(a, 2000));
    ck_assert(conn_wait_closed(b, 2000));
    ck_cmd(other, "PING", "+PONG\r\n");
    ck_cmd(admin, "ACL DELUSER default", "-ERR The 'default' user cannot be removed\r\n");
    /* Disabling a user keeps its connections (Redis 7.0). */
    ck_cmd(admin, "ACL SETUSER d2 off", OK);
    ck_cmd(other, "PING", "+PONG\r\n");
    ck_cmd(admin, "CLIENT KILL USER nosuch", "-ERR No such user 'nosuch'\r\n");
    ck_cmd(admin, "CLIENT KILL USER d2", ":1\r\n");
    ck_assert(conn_wait_closed(other, 2000));
    ck_cmd(admin, "ACL USERS", "*2\r\n$2\r\nd2\r\n$7\r\ndefault\r\n");
    conn_close(other);
    conn_close(b);
    conn_close(a);
}
END_TEST

START_TEST(test_introspection)
{
    /* ACL SETUSER's arguments never reach the slow log. */
    ck_cmd(admin, "CONFIG SET slowlog-log-slower-than 0", OK);
    ck_cmd(admin, "ACL SETUSER zz on >secret", OK);
    char *slow = conn_cmd(admin, "SLOWLOG GET 1");
    ck_contains(slow, "$3\r\nACL\r\n$7\r\nSETUSER\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"
                      "$10\r\n(redacted)\r\n");
    free(slow);
    ck_cmd(admin, "CONFIG SET slowlog-log-slower-than 10000", OK);
    /* Nor MONITOR: admin commands are not shown at all. */
    struct conn *mon = conn_open(server->port);
    ck_cmd(mon, "MONITOR", OK);
    ck_cmd(admin, "ACL SETUSER zz >other", OK);
    ck_cmd(admin, "ACL WHOAMI", "$7\r\ndefault\r\n");
    char *seen = conn_read_raw(mon);
    ck_assert_msg(strstr(seen, "] \"ACL\" \"WHOAMI\"\r\n") != NULL, "%s", harness_escape(seen));
    free(seen);
    conn_close(mon);
    ck_cmd(admin, "ACL WHOAMI", "$7\r\ndefault\r\n");
    char *cats = conn_cmd(admin, "ACL CAT");
    ck_assert_msg(strncmp(cats, "*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n", 29) == 0, "%s",
                  harness_escape(cats));
    free(cats);
    ck_cmd(admin, "ACL CAT nosuch", "-ERR Unknown category 'nosuch'\r\n");
    char *tx = conn_cmd(admin, "ACL CAT transaction");
    ck_assert_msg(strncmp(tx, "*5\r\n", 4) == 0, "%s", harness_escape(tx));
    ck_contains(tx, "$5\r\nwatch\r\n");
    free(tx);
    char *pw = conn_cmd(admin, "ACL GENPASS");
    ck_assert_msg(strlen(pw) == 5 + 64 + 2 && strncmp(pw, "$64\r\n", 5) == 0, "%s", pw);
    free(pw);
    ck_cmd_prefix(admin, "ACL GENPASS 5", "$2\r\n");
    ck_cmd(admin, "ACL GENPASS 0",
           "-ERR ACL GENPASS argument must be the number of bits for the output password, a "
           "positive number up to 4096\r\n");
    ck_cmd(admin, "ACL SETUSER dr on ~k* +get &c*", OK);
    ck_cmd(admin, "ACL DRYRUN dr get k1", OK);
    ck_cmd(admin, "ACL DRYRUN dr get x", bulk("This user has no permissions to access the 'x' key"));
    ck_cmd(admin, "ACL DRYRUN dr set k1 v",
           bulk("This user has no permissions to run the 'set' command"));
    ck_cmd(admin, "ACL DRYRUN nosuch get k", "-ERR User 'nosuch' not found\r\n");
    ck_cmd(admin, "ACL DRYRUN dr nocmd", "-ERR Command 'nocmd' not found\r\n");
    ck_cmd(admin, "ACL DRYRUN dr get", "-ERR wrong number of arguments for 'get' command\r\n");
    const char *spaced[] = {"ACL", "SETUSER", "a b"};
    char *reply = conn_cmd_argv(admin, 3, spaced, NULL);
    ck_assert_str_eq(reply, "-ERR Usernames can't contain spaces or null characters\r\n");
    free(reply);
    ck_cmd(admin, "ACL SETUSER x (~a", "-ERR Unmatched parenthesis in acl selector starting at '(~a'.\r\n");
    ck_cmd(admin, "ACL GETUSER nosuch", "$-1\r\n");
    ck_cmd(admin, "ACL LOAD",
           "-ERR This Redis instance is not configured to use an ACL file. You may want to "
           "specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming "
           "you have a Redis configuration file set) in order to store users in the Redis "
           "configuration.\r\n");
    ck_cmd_prefix(admin, "ACL HELP", "*29\r\n+ACL <subcommand> [<arg> [value] [opt] ...]. "
                                     "Subcommands are:\r\n");
    ck_cmd(admin, "ACL NOSUCH", "-ERR unknown subcommand 'NOSUCH'. Try ACL HELP.\r\n");
    ck_cmd(admin, "COMMAND INFO acl|whoami",
           "*1\r\n*10\r\n$10\r\nacl|whoami\r\n:2\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n"
           ":0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n");
}
END_TEST

/* The `user` directive (here on the command line, which Redis reads as
 * the same directives) and an aclfile round trip. */
START_TEST(test_user_directive)
{
    conn_close(admin);
    server_stop(server);
    /* A `user default` line starts from a reset default user. */
    const char *args[] = {"--user", "alice", "on", ">p1", "~app:*", "+get",
                          "--user", "default", "on", "nopass", "~*", "+@all", NULL};
    server = server_start(args);
    admin = conn_open(server->port);
    ck_cmd(admin, "ACL LIST",
           "*2\r\n$111\r\nuser alice on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd"
           "7a69f68a ~app:* resetchannels -@all +get\r\n"
           "$62\r\nuser default on nopass sanitize-payload ~* resetchannels +@all\r\n");
    struct conn *c = open_as("alice", "p1");
    ck_cmd(c, "GET app:1", "$-1\r\n");
    conn_close(c);
}
END_TEST

START_TEST(test_aclfile_save_load)
{
    conn_close(admin);
    server_stop(server);
    char dir[256], path[320];
    harness_make_dir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/users.acl", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("user alice on >p1 ~app:* +get\n", f);
    fclose(f);
    const char *args[] = {"--aclfile", path, NULL};
    server = server_start(args);
    admin = conn_open(server->port);
    ck_cmd(admin, "ACL USERS", "*2\r\n$5\r\nalice\r\n$7\r\ndefault\r\n");
    ck_cmd(admin, "ACL SETUSER bob on >p2 ~b* +set (~x +get)", OK);
    ck_cmd(admin, "ACL SAVE", OK);
    size_t len;
    char *saved = harness_read_file(path, &len);
    ck_assert_str_eq(saved,
        "user alice on #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a ~app:* "
        "resetchannels -@all +get\n"
        "user bob on #3946ca64ff78d93ca61090a437cbb6b3d2ca0d488f5f9ccf3059608368b27693 ~b* "
        "resetchannels -@all +set (~x resetchannels -@all +get)\n"
        "user default on nopass ~* &* +@all\n");
    free(saved);
    struct conn *bob = open_as("bob", "p2");
    /* LOAD replaces every user; an error changes nothing. */
    f = fopen(path, "w");
    fputs("user carol on nopass +@all ~*\nuser bob bad\nuser carol off\nfoo bar\n", f);
    fclose(f);
    char expected[1024];
    snprintf(expected, sizeof(expected),
             "-ERR %s:2: Syntax error. WARNING: Duplicate user 'carol' found on line 3. %s:4 should "
             "start with user keyword followed by the username. WARNING: ACL errors detected, no "
             "change to the previously active ACL rules was performed\r\n", path, path);
    ck_cmd(admin, "ACL LOAD", expected);
    ck_cmd(bob, "PING", NOPERM_CMD("ping"));
    f = fopen(path, "w");
    fputs("user carol on nopass +@all ~*\n", f);
    fclose(f);
    ck_cmd(admin, "ACL LOAD", OK);
    ck_cmd(admin, "ACL USERS", "*2\r\n$5\r\ncarol\r\n$7\r\ndefault\r\n");
    ck_assert(conn_wait_closed(bob, 2000));
    conn_close(bob);
    unlink(path);
    snprintf(expected, sizeof(expected),
             "-ERR Error loading ACLs, opening file '%s': No such file or directory\r\n", path);
    ck_cmd(admin, "ACL LOAD", expected);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("acl");
    TCase *tc = tcase_create("acl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_read_only_key_pattern);
    tcase_add_test(tc, test_categories_and_commands);
    tcase_add_test(tc, test_subcommands_and_first_args);
    tcase_add_test(tc, test_selectors);
    tcase_add_test(tc, test_channels);
    tcase_add_test(tc, test_auth_forms);
    tcase_add_test(tc, test_requirepass);
    tcase_add_test(tc, test_multi);
    tcase_add_test(tc, test_acl_log);
    tcase_add_test(tc, test_deluser_disconnects);
    tcase_add_test(tc, test_introspection);
    tcase_add_test(tc, test_user_directive);
    tcase_add_test(tc, test_aclfile_save_load);
    suite_add_tcase(s, tc);
    return harness_run_suite(s);
}
