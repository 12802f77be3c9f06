/* functions_test.c: black-box tests of Redis 7.0's functions: FUNCTION
 * LOAD (the shebang's and register_function's errors, the restricted
 * loading environment, REPLACE), DELETE, FLUSH, LIST (RESP2 and RESP3,
 * LIBRARYNAME, WITHCODE), DUMP and RESTORE (each policy, damaged
 * payloads), STATS, KILL, HELP; FCALL and FCALL_RO (numkeys errors, keys
 * and arguments, flags); COMMAND INFO; and the libraries' persistence: RDB
 * restart and DEBUG RELOAD, the AOF with and without its RDB preamble (a
 * RESP rewrite starts with FUNCTION LOAD records), a library that no
 * longer compiles refusing the start, and RDB files moving between
 * redis-server 7.0 and the server under test both ways.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's
 * byte for byte. FUNCTION LIST's order follows Redis's hash tables, so a
 * test lists one library with one function at a time. */
#define _GNU_SOURCE /* memmem */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDIS_SERVER "/usr/bin/redis-server"

static struct server_handle *server; /* owned by the fixture, one per test */
static struct conn *client;          /* owned by the fixture */

static const char *const debug_args[] = {"--enable-debug-command", "yes", NULL};

static void setup(void)
{
    server = server_start(debug_args);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* Sends the NULL-terminated arguments and asserts the reply is expected. */
static void ck_args(struct conn *c, const char *expected, ...)
{
    const char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, expected);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && argc < 16;)
        argv[argc++] = a;
    va_end(ap);
    char *reply = conn_cmd_argv(c, argc, argv, NULL);
    ck_assert_msg(strcmp(reply, expected) == 0, "%s %s: expected %s got %s", argv[0],
                  argc > 1 ? argv[1] : "", harness_escape(expected), harness_escape(reply));
    free(reply);
}

/* FUNCTION LOAD code, asserting the reply. */
static void ck_load(struct conn *c, const char *code, const char *expected)
{
    ck_args(c, expected, "FUNCTION", "LOAD", code, NULL);
}

/* The error FUNCTION LOAD gives when the body fails while registering. */
#define REGISTER_ERROR(msg) "-ERR Error registering functions: ERR " msg "\r\n"

/* ---- FUNCTION LOAD ---- */

START_TEST(test_load_shebang_errors)
{
    ck_load(client, "return 1", "-ERR Missing library metadata\r\n");
    ck_load(client, "#!lua", "-ERR Invalid library metadata\r\n");
    ck_load(client, "#!lua name=x", "-ERR Invalid library metadata\r\n");
    ck_load(client, "#!lua\nreturn 1", "-ERR Library name was not given\r\n");
    static const char name_rule[] = "-ERR Library names can only contain letters, numbers, or "
                                    "underscores(_) and must be at least one character long\r\n";
    ck_load(client, "#!lua name=\nreturn 1", name_rule);
    ck_load(client, "#!lua name=a-b\nreturn 1", name_rule);
    ck_load(client, "#!lua   name=\"c d\"\nreturn 1", name_rule);
    ck_load(client, "#!lua name=\"c d\nreturn 1", "-ERR Invalid library metadata\r\n");
    ck_load(client, "#!foo name=ab\nreturn 1", "-ERR Engine 'foo' not found\r\n");
    ck_load(client, "#! name=ab\nreturn 1", "-ERR Engine '' not found\r\n");
    ck_load(client, "#!lua name=ab foo=bar\nreturn 1",
            "-ERR Invalid metadata value given: foo=bar\r\n");
    ck_load(client, "#!lua name=ab name=cd\nreturn 1",
            "-ERR Invalid metadata value, name argument was given multiple times\r\n");
    ck_load(client, "#!lua name=ab\nreturn 1", "-ERR No functions registered\r\n");
    ck_load(client, "#!lua name=cd\nsyntax error here",
            "-ERR Error compiling function: user_function:2: '=' expected near 'error'\r\n");
    /* The engine's name and the name= key are case-insensitive. */
    ck_load(client, "#!LUA NAME=up\nredis.register_function('f_up', function() return 1 end)",
            "$2\r\nup\r\n");
    /* Arguments: options before the code, which must be there. */
    ck_args(client, "-ERR Unknown option given: foo\r\n", "FUNCTION", "LOAD", "foo", "bar", NULL);
    ck_args(client, "-ERR Missing library metadata\r\n", "FUNCTION", "LOAD", "replace", NULL);
    ck_args(client, "-ERR wrong number of arguments for 'function|load' command\r\n", "FUNCTION",
            "LOAD", NULL);
}
END_TEST

START_TEST(test_load_register_function_errors)
{
    ck_load(client, "#!lua name=t\nredis.register_function()",
            REGISTER_ERROR("wrong number of arguments to redis.register_function"));
    ck_load(client, "#!lua name=t\nredis.register_function(1,2,3)",
            REGISTER_ERROR("wrong number of arguments to redis.register_function"));
    ck_load(client, "#!lua name=t\nredis.register_function(1)",
            REGISTER_ERROR("calling redis.register_function with a single argument is only "
                           "applicable to Lua table (representing named arguments)."));
    ck_load(client, "#!lua name=t\nredis.register_function({})",
            REGISTER_ERROR("redis.register_function must get a function name argument"));
    ck_load(client, "#!lua name=t\nredis.register_function({function_name='x'})",
            REGISTER_ERROR("redis.register_function must get a callback argument"));
    ck_load(client, "#!lua name=t\nredis.register_function({function_name={}, callback=function() end})",
            REGISTER_ERROR("function_name argument given to redis.register_function must be a "
                           "string"));
    ck_load(client, "#!lua name=t\nredis.register_function({function_name='x', callback=1})",
            REGISTER_ERROR("callback argument given to redis.register_function must be a "
                           "function"));
    ck_load(client,
            "#!lua name=t\nredis.register_function({function_name='x', callback=function() end, "
            "flags='no-writes'})",
            REGISTER_ERROR("flags argument to redis.register_function must be a table "
                           "representing function flags"));
    ck_load(client,
            "#!lua name=t\nredis.register_function({function_name='x', callback=function() end, "
            "flags={'bad'}})",
            REGISTER_ERROR("unknown flag given"));
    ck_load(client,
            "#!lua name=t\nredis.register_function({function_name='x', callback=function() end, "
            "description={}})",
            REGISTER_ERROR("description argument given to redis.register_function must be a "
                           "string"));
    ck_load(client,
            "#!lua name=t\nredis.register_function({function_name='x', callback=function() end, "
            "foo=1})",
            REGISTER_ERROR("unknown argument given to redis.register_function"));
    ck_load(client, "#!lua name=t\nredis.register_function({}, 2)",
            REGISTER_ERROR("first argument to redis.register_function must be a string"));
    ck_load(client, "#!lua name=t\nredis.register_function('x', 2)",
            REGISTER_ERROR("second argument to redis.register_function must be a function"));
    /* Redis checks function names with the library rule's text. */
    ck_load(client, "#!lua name=t\nredis.register_function('f-1', function() end)",
            REGISTER_ERROR("Library names can only contain letters, numbers, or underscores(_) "
                           "and must be at least one character long"));
    ck_load(client,
            "#!lua name=t\nredis.register_function('f2', function() end)\n"
            "redis.register_function('f2', function() end)",
            REGISTER_ERROR("Function already exists in the library"));
    /* Nothing of a failed load stays. */
    ck_cmd(client, "FUNCTION LIST", "*0\r\n");
}
END_TEST

START_TEST(test_load_environment)
{
    /* While loading, only redis (register_function, log, LOG_*, the
     * version) exists, and it is read-only. */
    ck_load(client, "#!lua name=t\nredis.call('ping')",
            REGISTER_ERROR("user_function:2: Script attempted to access nonexistent global "
                           "variable 'call'"));
    ck_load(client, "#!lua name=t\nerror('boom')",
            REGISTER_ERROR("user_function:2: Script attempted to access nonexistent global "
                           "variable 'error'"));
    ck_load(client, "#!lua name=t\nlocal s = string.format('%d', 1)",
            REGISTER_ERROR("user_function:2: Script attempted to access nonexistent global "
                           "variable 'string'"));
    ck_load(client, "#!lua name=t\nredis.setresp(3)",
            REGISTER_ERROR("user_function:2: Script attempted to access nonexistent global "
                           "variable 'setresp'"));
    ck_load(client, "#!lua name=t\nx = 1",
            REGISTER_ERROR("user_function:2: Attempt to modify a readonly table"));
    ck_load(client, "#!lua name=t\nredis.x = 1",
            REGISTER_ERROR("user_function:2: Attempt to modify a readonly table"));
    ck_load(client,
            "#!lua name=t\nlocal v = redis.LOG_DEBUG .. redis.LOG_VERBOSE .. redis.LOG_NOTICE .. "
            "redis.LOG_WARNING .. redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM\n"
            "redis.log(redis.LOG_NOTICE, 'loading', v)\n"
            "local function f() return 1 end\nredis.register_function('f', f)",
            "$1\r\nt\r\n");
    /* A body that runs too long is stopped after 500 ms. */
    ck_load(client, "#!lua name=slow\nlocal i = 0 while true do i = i + 1 end",
            REGISTER_ERROR("FUNCTION LOAD timeout"));
}
END_TEST

START_TEST(test_load_replace_delete)
{
    static const char lib_a[] = "#!lua name=a\nredis.register_function('fa', function() return 1 end)";
    ck_load(client, lib_a, "$1\r\na\r\n");
    ck_load(client, lib_a, "-ERR Library 'a' already exists\r\n");
    ck_args(client, "$1\r\na\r\n", "FUNCTION", "LOAD", "REPLACE", lib_a, NULL);
    ck_args(client, "$1\r\na\r\n", "FUNCTION", "LOAD", "replace", "replace", lib_a, NULL);
    /* Function names collide across libraries whatever their case. */
    ck_load(client, "#!lua name=b\nredis.register_function('FA', function() return 1 end)",
            "-ERR Function FA already exists\r\n");
    /* A REPLACE that fails keeps the old library. */
    ck_args(client, "-ERR No functions registered\r\n", "FUNCTION", "LOAD", "REPLACE",
            "#!lua name=a\nlocal x = 1", NULL);
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME a",
           "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$1\r\na\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
           "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nfa\r\n$11\r\ndescription\r\n"
           "$-1\r\n$5\r\nflags\r\n*0\r\n");
    /* Library names are case-sensitive. */
    ck_cmd(client, "FUNCTION DELETE A", "-ERR Library not found\r\n");
    ck_cmd(client, "FUNCTION DELETE a", "+OK\r\n");
    ck_cmd(client, "FUNCTION DELETE a", "-ERR Library not found\r\n");
    ck_cmd(client, "FUNCTION DELETE", "-ERR wrong number of arguments for 'function|delete' "
                                      "command\r\n");
    ck_cmd(client, "FUNCTION LIST", "*0\r\n");
}
END_TEST

/* ---- FUNCTION LIST ---- */

static const char list_code[] =
    "#!lua name=lib1\nredis.register_function{function_name='fn1', callback=function() return 1 "
    "end, flags={'no-writes','allow-oom','allow-stale','no-cluster','allow-cross-slot-keys'}, "
    "description='my desc'}";

START_TEST(test_list)
{
    ck_load(client, list_code, "$4\r\nlib1\r\n");
    char code_bulk[512];
    snprintf(code_bulk, sizeof(code_bulk), "$%zu\r\n%s\r\n", strlen(list_code), list_code);
    static const char lib2[] =
        "*6\r\n$12\r\nlibrary_name\r\n$4\r\nlib1\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
        "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nfn1\r\n$11\r\ndescription\r\n"
        "$7\r\nmy desc\r\n$5\r\nflags\r\n*5\r\n+no-writes\r\n+allow-oom\r\n+allow-stale\r\n"
        "+no-cluster\r\n+allow-cross-slot-keys\r\n";
    char expected[2048];
    snprintf(expected, sizeof(expected), "*1\r\n%s", lib2);
    ck_cmd(client, "FUNCTION LIST", expected);
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME lib*", expected);
    /* The pattern ignores case. */
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME LIB?", expected);
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME other*", "*0\r\n");
    /* WITHCODE: a fourth pair; the map header says 8. */
    snprintf(expected, sizeof(expected), "*1\r\n*8%s%s%s", strchr(lib2, '\r'),
             "$12\r\nlibrary_code\r\n", code_bulk);
    ck_cmd(client, "FUNCTION LIST WITHCODE", expected);
    ck_cmd(client, "FUNCTION LIST withcode libraryname lib1", expected);
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME", "-ERR library name argument was not given\r\n");
    ck_cmd(client, "FUNCTION LIST foo", "-ERR Unknown argument foo\r\n");
    ck_cmd(client, "FUNCTION LIST WITHCODE WITHCODE", "-ERR Unknown argument WITHCODE\r\n");
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME a LIBRARYNAME b",
           "-ERR Unknown argument LIBRARYNAME\r\n");
    /* RESP3: maps, a null description, flags as a set. */
    ck_cmd_prefix(client, "HELLO 3", "%7\r\n");
    ck_load(client, "#!lua name=lib3\nredis.register_function('fn3', function() return 3 end)",
            "$4\r\nlib3\r\n");
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME lib3",
           "*1\r\n%3\r\n$12\r\nlibrary_name\r\n$4\r\nlib3\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
           "$9\r\nfunctions\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nfn3\r\n$11\r\ndescription\r\n"
           "_\r\n$5\r\nflags\r\n~0\r\n");
}
END_TEST

/* ---- FLUSH, STATS, KILL, HELP ---- */

START_TEST(test_flush_stats_kill_help)
{
    ck_load(client, "#!lua name=s1\nredis.register_function('f1', function() return 1 end)\n"
                    "redis.register_function('f2', function() return 1 end)",
            "$2\r\ns1\r\n");
    ck_cmd(client, "FUNCTION STATS",
           "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n"
           "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:2\r\n");
    ck_cmd(client, "FUNCTION KILL", "-NOTBUSY No scripts in execution right now.\r\n");
    ck_cmd(client, "FUNCTION FLUSH foo", "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n");
    ck_cmd(client, "FUNCTION FLUSH sync x",
           "-ERR unknown subcommand or wrong number of arguments for 'FLUSH'. Try FUNCTION "
           "HELP.\r\n");
    ck_cmd(client, "FUNCTION FLUSH ASYNC", "+OK\r\n");
    ck_cmd(client, "FUNCTION LIST", "*0\r\n");
    ck_cmd(client, "FUNCTION FLUSH", "+OK\r\n");
    ck_cmd(client, "FUNCTION FLUSH SYNC", "+OK\r\n");
    ck_cmd_prefix(client, "HELLO 3", "%7\r\n");
    ck_cmd(client, "FUNCTION STATS",
           "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n"
           "$15\r\nlibraries_count\r\n:0\r\n$15\r\nfunctions_count\r\n:0\r\n");
    ck_cmd_prefix(client, "FUNCTION HELP",
                  "*40\r\n+FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                  "+LOAD [REPLACE] <FUNCTION CODE>\r\n");
    ck_cmd(client, "FUNCTION nope", "-ERR unknown subcommand 'nope'. Try FUNCTION HELP.\r\n");
    ck_cmd(client, "FUNCTION", "-ERR wrong number of arguments for 'function' command\r\n");
    ck_cmd(client, "FUNCTION STATS x",
           "-ERR wrong number of arguments for 'function|stats' command\r\n");
    ck_cmd(client, "FUNCTION DUMP x",
           "-ERR wrong number of arguments for 'function|dump' command\r\n");
    ck_cmd(client, "FUNCTION KILL x",
           "-ERR wrong number of arguments for 'function|kill' command\r\n");
    ck_cmd(client, "FUNCTION HELP x",
           "-ERR wrong number of arguments for 'function|help' command\r\n");
}
END_TEST

/* ---- DUMP / RESTORE ---- */

/* Redis's CRC-64 (Jones, reflected), for payloads the test builds. */
static uint64_t test_crc64(const unsigned char *p, size_t len)
{
    uint64_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

/* A payload: body, then RDB version (2 bytes LE) and CRC-64. Returns its
 * length; out must have room for body_len + 10. */
static size_t make_payload(unsigned char *out, const void *body, size_t body_len, int version)
{
    memcpy(out, body, body_len);
    out[body_len] = (unsigned char)(version & 0xff);
    out[body_len + 1] = (unsigned char)(version >> 8);
    uint64_t crc = test_crc64(out, body_len + 2);
    for (int i = 0; i < 8; i++)
        out[body_len + 2 + i] = (unsigned char)(crc >> (8 * i));
    return body_len + 10;
}

/* One function record: opcode, then code as a short RDB string (< 64
 * bytes) or a 14-bit one. Returns bytes written. */
static size_t make_record(unsigned char *out, int opcode, const char *code)
{
    size_t len = strlen(code), n = 0;
    out[n++] = (unsigned char)opcode;
    if (len < 64) {
        out[n++] = (unsigned char)len;
    } else {
        out[n++] = (unsigned char)(0x40 | (len >> 8));
        out[n++] = (unsigned char)(len & 0xff);
    }
    memcpy(out + n, code, len);
    return n + len;
}

static void ck_restore(struct conn *c, const unsigned char *payload, size_t len,
                       const char *policy, const char *expected)
{
    const char *argv[] = {"FUNCTION", "RESTORE", (const char *)payload, policy};
    size_t lens[] = {8, 7, len, policy ? strlen(policy) : 0};
    char *reply = conn_cmd_argv(c, policy ? 4 : 3, argv, lens);
    ck_assert_msg(strcmp(reply, expected) == 0, "RESTORE %s: expected %s got %s",
                  policy ? policy : "", harness_escape(expected), harness_escape(reply));
    free(reply);
}

static const char lib1_code[] = "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)";
static const char lib2_code[] = "#!lua name=lib2\nredis.register_function('f1', function() return 2 end)";
static const char lib1b_code[] = "#!lua name=lib1\nredis.register_function('g1', function() return 3 end)";

START_TEST(test_dump_restore)
{
    ck_load(client, lib1_code, "$4\r\nlib1\r\n");
    /* DUMP is the RDB record (uncompressed: too little to gain), version
     * 10 and the CRC: exactly what this test builds. */
    unsigned char rec[256], payload[300];
    size_t rec_len = make_record(rec, 0xf5, lib1_code);
    size_t len = make_payload(payload, rec, rec_len, 10);
    char *dump = conn_cmd(client, "FUNCTION DUMP");
    char head[16];
    snprintf(head, sizeof(head), "$%zu\r\n", len);
    ck_assert_msg(strncmp(dump, head, strlen(head)) == 0 &&
                      memcmp(dump + strlen(head), payload, len) == 0,
                  "DUMP: %s", harness_escape(dump));
    free(dump);
    /* APPEND (the default) refuses a library that exists, REPLACE swaps
     * it, FLUSH drops the others. */
    ck_restore(client, payload, len, NULL, "-ERR Library lib1 already exists\r\n");
    ck_restore(client, payload, len, "APPEND", "-ERR Library lib1 already exists\r\n");
    ck_restore(client, payload, len, "replace", "+OK\r\n");
    ck_load(client, "#!lua name=other\nredis.register_function('o1', function() return 1 end)",
            "$5\r\nother\r\n");
    ck_restore(client, payload, len, "FLUSH", "+OK\r\n");
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME other", "*0\r\n");
    ck_cmd(client, "FUNCTION DELETE lib1", "+OK\r\n");
    ck_restore(client, payload, len, NULL, "+OK\r\n");
    ck_cmd(client, "FUNCTION LIST LIBRARYNAME lib1",
           "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$4\r\nlib1\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
           "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n"
           "$-1\r\n$5\r\nflags\r\n*0\r\n");
    /* A function of another library with the same name fails even REPLACE. */
    rec_len = make_record(rec, 0xf5, lib2_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, "REPLACE", "-ERR Function f1 already exists\r\n");
    /* REPLACE of lib1 with other functions: the old ones go. */
    rec_len = make_record(rec, 0xf5, lib1b_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, "REPLACE", "+OK\r\n");
    ck_cmd(client, "FCALL f1 0", "-ERR Function not found\r\n");
    /* An empty payload restores nothing, successfully. */
    len = make_payload(payload, "", 0, 10);
    ck_restore(client, payload, len, "FLUSH", "+OK\r\n");
    ck_cmd(client, "FUNCTION LIST", "*0\r\n");
}
END_TEST

START_TEST(test_restore_bad_payloads)
{
    unsigned char rec[512], payload[600];
    static const char wrong[] = "-ERR DUMP payload version or checksum are wrong\r\n";
    size_t rec_len = make_record(rec, 0xf5, lib1_code);
    size_t len = make_payload(payload, rec, rec_len, 10);
    payload[3] ^= 1; /* damaged: the CRC no longer matches */
    ck_restore(client, payload, len, NULL, wrong);
    len = make_payload(payload, rec, rec_len, 11); /* a newer RDB version */
    ck_restore(client, payload, len, NULL, wrong);
    ck_restore(client, (const unsigned char *)"abc", 3, NULL, wrong);
    memset(payload, 0, 10);
    payload[0] = 10;
    ck_restore(client, payload, rec_len + 10, NULL, wrong); /* zero CRC */
    len = make_payload(payload, rec, rec_len, 9); /* an older version is fine */
    ck_restore(client, payload, len, NULL, "+OK\r\n");
    ck_cmd(client, "FUNCTION FLUSH", "+OK\r\n");
    ck_restore(client, payload, len, "foo",
               "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
               "REPLACE.\r\n");
    const char *argv[] = {"FUNCTION", "RESTORE", "x", "append", "x"};
    char *r = conn_cmd_argv(client, 5, argv, NULL);
    ck_assert_str_eq(r, "-ERR unknown subcommand or wrong number of arguments for 'RESTORE'. "
                        "Try FUNCTION HELP.\r\n");
    free(r);
    /* Records that are not libraries. */
    rec_len = make_record(rec, 0x00, lib1_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR given type is not a function\r\n");
    /* The pre-GA form (7.0 release candidates) wants a name and an engine. */
    rec_len = make_record(rec, 0xf6, lib1_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR Failed loading engine name\r\n");
    /* A string longer than what is left. */
    unsigned char trunc[] = {0xf5, 0x40, 200, 'a', 'b', 'c'};
    len = make_payload(payload, trunc, sizeof(trunc), 10);
    ck_restore(client, payload, len, NULL, "-ERR Failed loading library payload\r\n");
    /* Libraries that do not load, or collide within the payload. */
    rec_len = make_record(rec, 0xf5, "return 1");
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR Missing library metadata\r\n");
    rec_len = make_record(rec, 0xf5, "#!lua name=z\nreturn 1");
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR No functions registered\r\n");
    rec_len = make_record(rec, 0xf5, lib1_code);
    rec_len += make_record(rec + rec_len, 0xf5, lib1_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR Library 'lib1' already exists\r\n");
    rec_len = make_record(rec, 0xf5, lib1_code);
    rec_len += make_record(rec + rec_len, 0xf5, lib2_code);
    len = make_payload(payload, rec, rec_len, 10);
    ck_restore(client, payload, len, NULL, "-ERR Function f1 already exists\r\n");
    /* None of it left a library behind. */
    ck_cmd(client, "FUNCTION LIST", "*0\r\n");
}
END_TEST

/* ---- FCALL ---- */

START_TEST(test_fcall_arguments)
{
    ck_cmd(client, "FCALL nope 0", "-ERR Function not found\r\n");
    ck_cmd(client, "FCALL", "-ERR wrong number of arguments for 'fcall' command\r\n");
    ck_cmd(client, "FCALL x", "-ERR wrong number of arguments for 'fcall' command\r\n");
    ck_load(client, "#!lua name=t\nredis.register_function('x', function() return 1 end)",
            "$1\r\nt\r\n");
    ck_cmd(client, "FCALL x a", "-ERR Bad number of keys provided\r\n");
    ck_cmd(client, "FCALL x 99999999999999999999", "-ERR Bad number of keys provided\r\n");
    ck_cmd(client, "FCALL x -1", "-ERR Number of keys can't be negative\r\n");
    ck_cmd(client, "FCALL x 2 k", "-ERR Number of keys can't be greater than number of args\r\n");
    ck_cmd(client, "FCALL_RO x 2 k",
           "-ERR Number of keys can't be greater than number of args\r\n");
    /* The function's name matches without case. */
    ck_cmd(client, "FCALL_RO nope 0", "-ERR Function not found\r\n");
}
END_TEST

static const char run_code[] =
    "#!lua name=run\n"
    "redis.register_function('f', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
    "redis.register_function('g', function(keys, args) return nosuch end)\n"
    "redis.register_function('h', function(keys, args) y = 5 end)\n"
    "redis.register_function('e', function(keys, args) error('boom') end)\n"
    "redis.register_function{function_name='ro', callback=function(keys, args) "
    "return redis.call('set', 'a', 'b') end, flags={'no-writes'}}\n"
    "redis.register_function('ty', function(keys, args) return {type(keys), #keys, #args, "
    "keys[1], args[1], redis.REDIS_VERSION} end)\n"
    "redis.register_function('rf', function() return redis.register_function('zz', "
    "function() end) end)\n"
    "redis.register_function('ll', function() redis.log(redis.LOG_NOTICE, 'hi') "
    "return string.format('%d', 5) end)\n"
    "redis.register_function('api', function() return {type(redis.replicate_commands), "
    "type(redis.breakpoint), type(redis.debug), type(redis.set_repl), type(redis.setresp)} "
    "end)";

START_TEST(test_fcall_run)
{
    ck_load(client, run_code, "$3\r\nrun\r\n");
    ck_cmd(client, "FCALL f 1 k v", "+OK\r\n");
    ck_cmd(client, "GET k", "$1\r\nv\r\n");
    ck_cmd(client, "FCALL F 1 k w", "+OK\r\n"); /* any case */
    ck_cmd(client, "GET k", "$1\r\nw\r\n");
    /* Functions see the ordinary globals once loaded, still read-only. */
    ck_cmd(client, "FCALL ty 1 k a b",
           "*6\r\n$5\r\ntable\r\n:1\r\n:2\r\n$1\r\nk\r\n$1\r\na\r\n$6\r\n7.0.15\r\n");
    ck_cmd(client, "FCALL ll 0", "$1\r\n5\r\n");
    /* EVAL's replicate_commands and debugger are not a function's. */
    ck_cmd(client, "FCALL api 0",
           "*5\r\n$3\r\nnil\r\n$3\r\nnil\r\n$3\r\nnil\r\n$8\r\nfunction\r\n$8\r\nfunction\r\n");
    ck_cmd(client, "FCALL g 0",
           "-ERR user_function:3: Script attempted to access nonexistent global variable "
           "'nosuch' script: g, on @user_function:3.\r\n");
    ck_cmd(client, "FCALL h 0",
           "-ERR user_function:4: Attempt to modify a readonly table script: h, on "
           "@user_function:4.\r\n");
    ck_cmd(client, "FCALL e 0", "-ERR user_function:5: boom script: e, on @user_function:5.\r\n");
    ck_cmd(client, "FCALL rf 0",
           "-ERR user_function:8: attempt to call field 'register_function' (a nil value) "
           "script: rf, on @user_function:8.\r\n");
    /* Flags: a no-writes function may not write; FCALL_RO only runs
     * no-writes functions. */
    ck_cmd(client, "FCALL ro 0",
           "-ERR Write commands are not allowed from read-only scripts. script: ro, on "
           "@user_function:6.\r\n");
    ck_cmd(client, "FCALL_RO ro 0",
           "-ERR Write commands are not allowed from read-only scripts. script: ro, on "
           "@user_function:6.\r\n");
    ck_cmd(client, "FCALL_RO f 1 k v",
           "-ERR Can not execute a script with write flag using *_ro command.\r\n");
    ck_cmd(client, "GET a", "$-1\r\n");
    /* FCALL is refused inside a script. */
    ck_args(client, "-ERR This Redis command is not allowed from script script: "
                    "0443ecf2a3636045089dcbcbd794df0a54d40345, on @user_script:1.\r\n",
            "EVAL", "return redis.call('fcall','f','1','k','v')", "0", NULL);
    /* INFO counts them. */
    ck_assert(conn_info_is(client, "number_of_functions", "9"));
    ck_assert(conn_info_is(client, "number_of_libraries", "1"));
    char *vm = conn_info_field(client, "used_memory_vm_functions");
    ck_assert_msg(vm != NULL && atoll(vm) > 10000, "used_memory_vm_functions %s", vm);
    free(vm);
    ck_cmd(client, "FUNCTION FLUSH", "+OK\r\n");
    ck_assert(conn_info_is(client, "number_of_functions", "0"));
}
END_TEST

/* A function past busy-reply-threshold: others get -BUSY (FUNCTION KILL's
 * text), FUNCTION STATS shows it, SCRIPT KILL is refused, FUNCTION KILL
 * stops it; one that wrote cannot be killed. */
START_TEST(test_fcall_busy_kill)
{
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "CONFIG SET busy-reply-threshold 100", "+OK\r\n");
    ck_load(other,
            "#!lua name=busy\n"
            "redis.register_function('loop', function() local i = 0 while true do i = i + 1 end end)\n"
            "redis.register_function('wloop', function(k) redis.call('set', k[1], 'x') "
            "while true do end end)",
            "$4\r\nbusy\r\n");
    static const char busy[] = "-BUSY Redis is busy running a script. You can only call FUNCTION "
                               "KILL or SHUTDOWN NOSAVE.\r\n";
    conn_send(client, "FCALL loop 0 ka");
    harness_sleep_ms(400);
    ck_cmd(other, "PING", busy);
    ck_cmd_prefix(other, "FUNCTION STATS",
                  "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nloop\r\n"
                  "$7\r\ncommand\r\n*4\r\n$5\r\nFCALL\r\n$4\r\nloop\r\n$1\r\n0\r\n"
                  "$2\r\nka\r\n$11\r\nduration_ms\r\n:");
    ck_cmd(other, "SCRIPT KILL", busy);
    ck_cmd(other, "FUNCTION KILL", "+OK\r\n");
    ck_read(client, "-ERR Script killed by user with SCRIPT KILL... script: loop, on "
                    "@user_function:2.\r\n");
    ck_cmd(other, "PING", "+PONG\r\n");
    conn_send(client, "FCALL wloop 1 kw");
    harness_sleep_ms(400);
    ck_cmd(other, "FUNCTION KILL",
           "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
           "You can either wait the script termination or kill the server in a hard way using "
           "the SHUTDOWN NOSAVE command.\r\n");
    conn_send(other, "SHUTDOWN NOSAVE");
    ck_assert(conn_wait_closed(other, 10000));
    conn_close(other);
    server_wait_exit(server, 10000);
}
END_TEST

/* The function's flags decide dispatch's checks: OOM (denyoom unless
 * no-writes or allow-oom), a replica's READONLY and MASTERDOWN (stale
 * unless allow-stale), and in a stale replica redis.call runs only
 * stale-safe commands. */
START_TEST(test_flags_oom_stale)
{
    ck_load(client,
            "#!lua name=fl\n"
            "redis.register_function{function_name='w', callback=function() return redis.call('set','x','1') end}\n"
            "redis.register_function{function_name='ro', callback=function() return 'hello' end, flags={'no-writes'}}\n"
            "redis.register_function{function_name='oom', callback=function() return redis.call('set','x','1') end, flags={'allow-oom'}}\n"
            "redis.register_function{function_name='st', callback=function() return 'hello' end, flags={'allow-stale','no-writes'}}\n"
            "redis.register_function{function_name='stget', callback=function() return redis.call('get','x') end, flags={'allow-stale','no-writes'}}\n"
            "redis.register_function{function_name='stinfo', callback=function() return type(redis.call('info','server')) end, flags={'allow-stale','no-writes'}}",
            "$2\r\nfl\r\n");
    static const char oom[] = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    ck_cmd(client, "CONFIG SET maxmemory 1", "+OK\r\n");
    ck_cmd(client, "FCALL w 1 x", oom);
    ck_cmd(client, "FCALL ro 1 x", "$5\r\nhello\r\n");
    ck_cmd(client, "FCALL_RO ro 1 x", "$5\r\nhello\r\n");
    ck_cmd(client, "FCALL oom 1 x", "+OK\r\n");
    ck_load(client, "#!lua name=more\nredis.register_function('m', function() return 1 end)", oom);
    ck_cmd(client, "CONFIG SET maxmemory 0", "+OK\r\n");
    ck_cmd(client, "CONFIG SET replica-serve-stale-data no", "+OK\r\n");
    ck_cmd(client, "REPLICAOF 127.0.0.1 1", "+OK\r\n");
    ck_cmd(client, "FCALL w 1 x", "-READONLY You can't write against a read only replica.\r\n");
    ck_cmd(client, "FCALL ro 0",
           "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
    ck_cmd(client, "FCALL st 0", "$5\r\nhello\r\n");
    ck_cmd(client, "FCALL stget 1 x",
           "-ERR Can not execute the command on a stale replica script: stget, on "
           "@user_function:6.\r\n");
    ck_cmd(client, "FCALL stinfo 0", "$6\r\nstring\r\n");
    ck_cmd(client, "REPLICAOF NO ONE", "+OK\r\n");
    /* CLIENT PAUSE WRITE holds a write function, not a no-writes one. */
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "CLIENT PAUSE 1000 WRITE", "+OK\r\n");
    ck_cmd(client, "FCALL ro 0", "$5\r\nhello\r\n");
    conn_send(client, "FCALL w 1 x");
    ck_silent(client);
    ck_cmd(other, "CLIENT UNPAUSE", "+OK\r\n");
    ck_read(client, "+OK\r\n");
    conn_close(other);
}
END_TEST

START_TEST(test_command_info)
{
    ck_cmd(client, "COMMAND INFO fcall_ro",
           "*1\r\n*10\r\n$8\r\nfcall_ro\r\n:-3\r\n*6\r\n+readonly\r\n+noscript\r\n+stale\r\n"
           "+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n"
           "+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how "
           "the keys will be used so we assume the worst, RO and ACCESS\r\n$5\r\nflags\r\n*2\r\n"
           "+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n"
           "$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n"
           "$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n"
           ":1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n");
    ck_cmd(client, "COMMAND INFO function|load",
           "*1\r\n*10\r\n$13\r\nfunction|load\r\n:-3\r\n*3\r\n+write\r\n+denyoom\r\n"
           "+noscript\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@write\r\n+@slow\r\n+@scripting\r\n*2\r\n"
           "$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n"
           "*0\r\n");
    ck_cmd(client, "COMMAND GETKEYS fcall f 2 k1 k2 a1", "*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n");
}
END_TEST

/* ---- persistence ---- */

static const char persist_code[] =
    "#!lua name=plib\nredis.register_function{function_name='pf', callback=function() return 7 "
    "end, flags={'no-writes'}, description='persisted'}";
static const char persist_list[] =
    "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$4\r\nplib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
    "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\npf\r\n$11\r\ndescription\r\n"
    "$9\r\npersisted\r\n$5\r\nflags\r\n*1\r\n+no-writes\r\n";

START_TEST(test_rdb_restart_and_reload)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(server_binary(), dir, debug_args);
    struct conn *c = conn_open(h->port);
    ck_load(c, persist_code, "$4\r\nplib\r\n");
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "DEBUG RELOAD", "+OK\r\n");
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "FLUSHALL", "+OK\r\n"); /* keys only: the libraries stay */
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "SAVE", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    h = server_start_in(server_binary(), dir, debug_args);
    c = conn_open(h->port);
    ck_cmd(c, "FUNCTION LIST", persist_list);
    /* A library deleted and the file saved again: gone after a reload. */
    ck_cmd(c, "FUNCTION DELETE plib", "+OK\r\n");
    ck_cmd(c, "DEBUG RELOAD", "+OK\r\n");
    ck_cmd(c, "FUNCTION LIST", "*0\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* DEBUG RELOAD NOFLUSH finds the library already there and fails;
 * MERGE replaces libraries and keys the file also has. */
START_TEST(test_debug_reload_merge)
{
    ck_load(client, lib1_code, "$4\r\nlib1\r\n");
    ck_cmd(client, "DEBUG RELOAD foo",
           "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n");
    ck_cmd(client, "DEBUG RELOAD NOFLUSH", "-ERR Error trying to load the RDB dump\r\n");
    ck_cmd(client, "DEBUG RELOAD NOFLUSH MERGE", "+OK\r\n");
    ck_cmd(client, "SET x 1", "+OK\r\n");
    ck_cmd(client, "DEBUG RELOAD NOFLUSH MERGE", "+OK\r\n");
    ck_cmd(client, "GET x", "$1\r\n1\r\n");
    /* Without saving first, a library loaded since the file was written
     * stays next to the file's. */
    ck_load(client, lib2_code, "-ERR Function f1 already exists\r\n");
    ck_load(client, persist_code, "$4\r\nplib\r\n");
    ck_cmd(client, "DEBUG RELOAD NOSAVE NOFLUSH MERGE", "+OK\r\n");
    ck_cmd(client, "FCALL_RO pf 0", ":7\r\n");
    ck_cmd(client, "FCALL f1 0", ":1\r\n");
    /* A plain NOSAVE reload drops what the file does not have. */
    ck_cmd(client, "DEBUG RELOAD NOSAVE", "+OK\r\n");
    ck_cmd(client, "FCALL_RO pf 0", "-ERR Function not found\r\n");
    ck_cmd(client, "FUNCTION STATS",
           "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n"
           "$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n");
}
END_TEST

/* An AOF with FUNCTION commands and restarts, with preamble yes or no. */
static void aof_round_trip(const char *preamble)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    const char *args[] = {"--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                          "--enable-debug-command", "yes", NULL};
    struct server_handle *h = server_start_in(server_binary(), dir, args);
    struct conn *c = conn_open(h->port);
    ck_load(c, lib1_code, "$4\r\nlib1\r\n");
    ck_args(c, "$4\r\nlib1\r\n", "FUNCTION", "LOAD", "REPLACE", lib1_code, NULL);
    ck_cmd(c, "FUNCTION DELETE lib1", "+OK\r\n");
    ck_load(c, lib2_code, "$4\r\nlib2\r\n");
    ck_cmd(c, "FUNCTION FLUSH ASYNC", "+OK\r\n");
    ck_load(c, persist_code, "$4\r\nplib\r\n");
    ck_load(c, run_code, "$3\r\nrun\r\n");
    ck_cmd(c, "FCALL f 1 fk fv", "+OK\r\n"); /* its SET is logged, not the FCALL */
    ck_cmd(c, "FUNCTION DELETE run", "+OK\r\n");
    /* Failed commands change nothing and leave nothing in the AOF. */
    ck_cmd(c, "FUNCTION DELETE nosuch", "-ERR Library not found\r\n");
    conn_close(c);
    server_stop(h);
    /* The increment replays the commands. */
    h = server_start_in(server_binary(), dir, args);
    c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "GET fk", "$2\r\nfv\r\n");
    ck_cmd(c, "BGREWRITEAOF", "+Background append only file rewriting started\r\n");
    int64_t deadline = harness_clock_ms() + 10000;
    while (!conn_info_is(c, "aof_rewrite_in_progress", "0") ||
           !conn_info_is(c, "aof_rewrite_scheduled", "0")) {
        ck_assert_msg(harness_clock_ms() < deadline, "the rewrite did not end");
        harness_sleep_ms(20);
    }
    conn_close(c);
    server_stop(h);
    /* The new base holds the library: a RESP one starts with its
     * FUNCTION LOAD, before any SELECT. */
    char path[512];
    bool rdb = strcmp(preamble, "yes") == 0;
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.2.base.%s", dir,
             rdb ? "rdb" : "aof");
    size_t len = 0;
    char *base = harness_read_file(path, &len);
    ck_assert_msg(base != NULL, "no %s", path);
    if (rdb) {
        ck_assert(len > 9 && memcmp(base, "REDIS0010", 9) == 0);
        ck_assert(memmem(base, len, "\xf5", 1) != NULL);
    } else {
        char head[1024];
        snprintf(head, sizeof(head), "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$%zu\r\n%s\r\n",
                 strlen(persist_code), persist_code);
        ck_assert_msg(len > strlen(head) && memcmp(base, head, strlen(head)) == 0 &&
                          strncmp(base + strlen(head), "*2\r\n$6\r\nSELECT\r\n", 16) == 0,
                      "base: %s", harness_escape(base));
    }
    free(base);
    h = server_start_in(server_binary(), dir, args);
    c = conn_open(h->port);
    conn_wait_loaded(c, 10000);
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "GET fk", "$2\r\nfv\r\n");
    conn_close(c);
    server_stop(h);
}

START_TEST(test_aof_with_preamble)
{
    aof_round_trip("yes");
}
END_TEST

START_TEST(test_aof_without_preamble)
{
    aof_round_trip("no");
}
END_TEST

/* DEBUG LOADAOF empties the libraries and replays them, also on a
 * read-only replica (the AOF is obeyed). */
START_TEST(test_debug_loadaof)
{
    const char *args[] = {"--appendonly", "yes", "--enable-debug-command", "yes", NULL};
    struct server_handle *h = server_start(args);
    struct conn *c = conn_open(h->port);
    ck_load(c, persist_code, "$4\r\nplib\r\n");
    ck_cmd(c, "DEBUG LOADAOF", "+OK\r\n");
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "REPLICAOF 127.0.0.1 0", "+OK\r\n");
    ck_cmd(c, "DEBUG LOADAOF", "+OK\r\n");
    ck_cmd(c, "REPLICAOF NO ONE", "+OK\r\n");
    ck_cmd(c, "FUNCTION LIST", persist_list);
    ck_cmd(c, "FUNCTION DELETE plib", "+OK\r\n");
    ck_cmd(c, "DEBUG LOADAOF", "+OK\r\n");
    ck_cmd(c, "FUNCTION LIST", "*0\r\n");
    conn_close(c);
    server_stop(h);
}
END_TEST

/* A replica gets the libraries in its full sync and FUNCTION commands in
 * the stream, and runs them. */
START_TEST(test_replica)
{
    struct server_handle *m = server_start(NULL);
    struct conn *mc = conn_open(m->port);
    ck_load(mc, persist_code, "$4\r\nplib\r\n");
    char replicaof[32];
    snprintf(replicaof, sizeof(replicaof), "127.0.0.1 %d", m->port);
    const char *rargs[] = {"--replicaof", replicaof, NULL};
    struct server_handle *r = server_start(rargs);
    struct conn *rc = conn_open(r->port);
    int64_t deadline = harness_clock_ms() + 10000;
    while (!conn_info_is(rc, "master_link_status", "up")) {
        ck_assert_msg(harness_clock_ms() < deadline, "the replica did not sync");
        harness_sleep_ms(20);
    }
    ck_cmd(rc, "FUNCTION LIST", persist_list);
    ck_cmd(rc, "FCALL_RO pf 0", ":7\r\n");
    ck_load(mc, run_code, "$3\r\nrun\r\n");
    ck_cmd(mc, "FCALL f 1 rk rv", "+OK\r\n");
    ck_cmd(mc, "FUNCTION DELETE plib", "+OK\r\n");
    ck_cmd_eventually(rc, "GET rk", "$2\r\nrv\r\n");
    ck_cmd_eventually(rc, "FUNCTION LIST LIBRARYNAME plib", "*0\r\n");
    /* A function without no-writes counts as a write: refused on a
     * read-only replica, even one that would not write. */
    ck_cmd(rc, "FCALL ll 0", "-READONLY You can't write against a read only replica.\r\n");
    ck_cmd(rc, "FCALL f 1 rk x", "-READONLY You can't write against a read only replica.\r\n");
    conn_close(rc);
    server_stop(r);
    conn_close(mc);
    server_stop(m);
}
END_TEST

/* ---- RDB files between redis-server 7.0 and the server under test ---- */

/* writer saves a library and a key in dir; reader starts there and runs
 * the function. */
static void rdb_move(const char *writer, const char *reader)
{
    char dir[256];
    harness_make_dir(dir, sizeof(dir));
    struct server_handle *h = server_start_in(writer, dir, NULL);
    struct conn *c = conn_open(h->port);
    ck_load(c, persist_code, "$4\r\nplib\r\n");
    ck_load(c, lib1_code, "$4\r\nlib1\r\n");
    ck_cmd(c, "SET k v", "+OK\r\n");
    ck_cmd(c, "SAVE", "+OK\r\n");
    conn_close(c);
    server_stop(h);
    h = server_start_in(reader, dir, NULL);
    c = conn_open(h->port);
    ck_cmd(c, "FUNCTION LIST LIBRARYNAME plib", persist_list);
    ck_cmd(c, "FUNCTION LIST LIBRARYNAME lib1",
           "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$4\r\nlib1\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
           "$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n"
           "$-1\r\n$5\r\nflags\r\n*0\r\n");
    ck_cmd(c, "GET k", "$1\r\nv\r\n");
    conn_close(c);
    server_stop(h);
}

START_TEST(test_rdb_from_redis)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    rdb_move(REDIS_SERVER, server_binary());
}
END_TEST

START_TEST(test_rdb_to_redis)
{
    if (access(REDIS_SERVER, X_OK) != 0)
        return;
    rdb_move(server_binary(), REDIS_SERVER);
}
END_TEST

/* A file whose library no longer loads stops the start, as Redis's
 * "Failed loading library" does. */
START_TEST(test_rdb_bad_library_refused)
{
    char dir[256], path[512];
    harness_make_dir(dir, sizeof(dir));
    unsigned char file[256];
    size_t n = 0;
    memcpy(file, "REDIS0010", 9);
    n = 9;
    n += make_record(file + n, 0xf5, "#!lua name=bad\nreturn 1");
    file[n++] = 0xff;
    uint64_t crc = test_crc64(file, n);
    for (int i = 0; i < 8; i++)
        file[n++] = (unsigned char)(crc >> (8 * i));
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    FILE *f = fopen(path, "wb");
    ck_assert(f != NULL && fwrite(file, 1, n, f) == n);
    fclose(f);
    int status = 0;
    struct server_handle *h = server_try_start_in(server_binary(), dir, NULL, &status);
    ck_assert_msg(h == NULL, "the server started with a library that does not load");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("functions");
    TCase *tc = tcase_create("functions");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_shebang_errors);
    tcase_add_test(tc, test_load_register_function_errors);
    tcase_add_test(tc, test_load_environment);
    tcase_add_test(tc, test_load_replace_delete);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_flush_stats_kill_help);
    tcase_add_test(tc, test_dump_restore);
    tcase_add_test(tc, test_restore_bad_payloads);
    tcase_add_test(tc, test_fcall_arguments);
    tcase_add_test(tc, test_fcall_run);
    tcase_add_test(tc, test_fcall_busy_kill);
    tcase_add_test(tc, test_flags_oom_stale);
    tcase_add_test(tc, test_command_info);
    tcase_add_test(tc, test_debug_reload_merge);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("persistence");
    tcase_set_timeout(tp, 60);
    tcase_add_test(tp, test_rdb_restart_and_reload);
    tcase_add_test(tp, test_aof_with_preamble);
    tcase_add_test(tp, test_aof_without_preamble);
    tcase_add_test(tp, test_debug_loadaof);
    tcase_add_test(tp, test_replica);
    tcase_add_test(tp, test_rdb_from_redis);
    tcase_add_test(tp, test_rdb_to_redis);
    tcase_add_test(tp, test_rdb_bad_library_refused);
    suite_add_tcase(s, tp);
    return harness_run_suite(s);
}
