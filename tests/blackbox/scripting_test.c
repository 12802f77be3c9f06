/* scripting_test.c: black-box tests of EVAL scripting: EVAL, EVALSHA,
 * EVAL_RO, SCRIPT LOAD/EXISTS/FLUSH/KILL, the conversions between Lua and
 * RESP2/RESP3 both ways, error texts, the sandbox (no os/io/dofile, read-only
 * globals and library tables, no bytecode), shebang flags, long scripts
 * (-BUSY for others, SCRIPT KILL, UNKILLABLE, SHUTDOWN NOSAVE), a script's
 * effects in the AOF, and EVAL inside MULTI.
 *
 * Every expectation was checked against Redis 7.0.15 by running this file
 * with RINGKV_SERVER=/usr/bin/redis-server, so a reply here is Redis's reply
 * byte for byte. Maps and sets returned by scripts have one entry, since
 * their order follows Lua's hash order. */
#include "tests/blackbox/harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct server_handle *server; /* owned by the fixture */
static struct conn *client;          /* owned by the fixture */

static void setup(void)
{
    server = server_start(NULL);
    client = conn_open(server->port);
}

static void teardown(void)
{
    conn_close(client);
    server_stop(server);
}

/* EVAL <script> 0 on c, compared with expected. */
static void eval_is(struct conn *c, const char *script, const char *expected)
{
    const char *argv[] = {"EVAL", script, "0"};
    char *got = conn_cmd_argv(c, 3, argv, NULL);
    ck_assert_msg(strcmp(got, expected) == 0, "EVAL %s: expected %s got %s", script,
                  harness_escape(expected), harness_escape(got));
    free(got);
}

/* Like eval_is, but compares only the start (errors that end with the
 * script's SHA are checked whole elsewhere). */
static void eval_prefix(struct conn *c, const char *script, const char *prefix)
{
    const char *argv[] = {"EVAL", script, "0"};
    char *got = conn_cmd_argv(c, 3, argv, NULL);
    ck_assert_msg(strncmp(got, prefix, strlen(prefix)) == 0, "EVAL %s: expected %s... got %s",
                  script, harness_escape(prefix), harness_escape(got));
    free(got);
}

static void argv_is(struct conn *c, int argc, const char *const *argv, const char *expected)
{
    char *got = conn_cmd_argv(c, argc, argv, NULL);
    ck_assert_msg(strcmp(got, expected) == 0, "%s %s: expected %s got %s", argv[0],
                  argc > 1 ? argv[1] : "", harness_escape(expected), harness_escape(got));
    free(got);
}

START_TEST(test_lua_to_resp2)
{
    eval_is(client, "return 100.5", ":100\r\n");
    eval_is(client, "return -3.99", ":-3\r\n");
    eval_is(client, "return true", ":1\r\n");
    eval_is(client, "return false", "$-1\r\n");
    eval_is(client, "return nil", "$-1\r\n");
    eval_is(client, "return 'str'", "$3\r\nstr\r\n");
    /* an array ends at its first nil */
    eval_is(client, "return {1,2,nil,4}", "*2\r\n:1\r\n:2\r\n");
    eval_is(client, "return {1,2,3,'ciao',{1,2}}",
            "*5\r\n:1\r\n:2\r\n:3\r\n$4\r\nciao\r\n*2\r\n:1\r\n:2\r\n");
    eval_is(client, "return {ok='fine'}", "+fine\r\n");
    eval_is(client, "return {ok='a\\r\\nb'}", "+a  b\r\n");
    eval_is(client, "return {err='My Error'}", "-My Error\r\n");
    eval_is(client, "return {err='line1\\nline2'}", "-line1 line2\r\n");
    eval_is(client, "return redis.status_reply('st')", "+st\r\n");
    eval_is(client, "return redis.error_reply('My')", "-ERR My\r\n");
    eval_is(client, "return redis.error_reply('-MY err')", "-MY err\r\n");
    eval_is(client, "return redis.error_reply(1)", "-ERR wrong number or type of arguments\r\n");
    eval_is(client, "return {double=3.14}", "$18\r\n3.1400000000000001\r\n");
    eval_is(client, "return {big_number='12345678901234567890'}",
            "$20\r\n12345678901234567890\r\n");
    eval_is(client, "return {map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n");
    eval_is(client, "return {set={a=1}}", "*1\r\n$1\r\na\r\n");
    eval_is(client, "return {verbatim_string={format='txt',string='abc'}}", "$3\r\nabc\r\n");
    eval_is(client, "return tonumber('0x10')", ":16\r\n");
    eval_is(client, "return 1e300", ":-9223372036854775808\r\n");
}
END_TEST

START_TEST(test_lua_to_resp3)
{
    ck_cmd_prefix(client, "HELLO 3", "%7\r\n");
    /* booleans follow redis.setresp (2 by default), nulls the caller */
    eval_is(client, "return true", ":1\r\n");
    eval_is(client, "return false", "_\r\n");
    eval_is(client, "return nil", "_\r\n");
    eval_is(client, "redis.setresp(3) return true", "#t\r\n");
    eval_is(client, "redis.setresp(3) return false", "#f\r\n");
    eval_is(client, "return {map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n");
    eval_is(client, "return {set={a=1}}", "~1\r\n$1\r\na\r\n");
    eval_is(client, "return {double=3.14}", ",3.1400000000000001\r\n");
    eval_is(client, "return {double=1/0}", ",inf\r\n");
    eval_is(client, "return {big_number='123'}", "(123\r\n");
    eval_is(client, "return {verbatim_string={format='txt',string='abc'}}",
            "=7\r\ntxt:abc\r\n");
    eval_is(client, "return {1,nil,3}", "*1\r\n:1\r\n");
    eval_is(client, "return {ok='fine'}", "+fine\r\n");
    eval_is(client, "return {err='My Error'}", "-My Error\r\n");
}
END_TEST

START_TEST(test_resp_to_lua)
{
    ck_cmd(client, "SET s v", "+OK\r\n");
    ck_cmd(client, "RPUSH l a b", ":2\r\n");
    ck_cmd(client, "HSET h f v", ":1\r\n");
    ck_cmd(client, "SADD st m", ":1\r\n");
    ck_cmd(client, "ZADD z 1.5 m", ":1\r\n");
    eval_is(client, "return redis.call('get','s')", "$1\r\nv\r\n");
    /* a null bulk is false */
    eval_is(client, "return {redis.call('get','nokey')==false}", "*1\r\n:1\r\n");
    eval_is(client, "return redis.call('lrange','l',0,-1)", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    eval_is(client, "return redis.call('incr','cnt')", ":1\r\n");
    /* a status is {ok=...} */
    eval_is(client, "return redis.call('ping')['ok']", "$4\r\nPONG\r\n");
    eval_is(client, "return redis.call('ping')", "+PONG\r\n");
    /* an error is {err=...} for pcall */
    eval_is(client, "return redis.pcall('incr','s')",
            "-ERR value is not an integer or out of range\r\n");
    eval_is(client, "return redis.pcall('incr','s')['err']",
            "$43\r\nERR value is not an integer or out of range\r\n");
    /* pcall() returns the text of an error table it caught */
    eval_is(client, "local ok,e = pcall(function() redis.call('incr','s') end) return e",
            "$43\r\nERR value is not an integer or out of range\r\n");
    eval_is(client, "local ok,e = pcall(function() error('a') end) return e",
            "$16\r\nuser_script:1: a\r\n");
    /* numbers are sent as %.17g */
    eval_is(client, "return redis.call('set', 'num', 0.1)", "+OK\r\n");
    ck_cmd(client, "GET num", "$19\r\n0.10000000000000001\r\n");
    eval_is(client, "return redis.call('set', 'num', 100)", "+OK\r\n");
    ck_cmd(client, "GET num", "$3\r\n100\r\n");
    /* RESP3 replies with redis.setresp(3), given back to a RESP2 caller */
    eval_is(client, "redis.setresp(3) return redis.call('hgetall','h')",
            "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    eval_is(client, "redis.setresp(3) local r=redis.call('hgetall','h') return r['map']['f']",
            "$1\r\nv\r\n");
    eval_is(client, "redis.setresp(3) local r=redis.call('smembers','st') return type(r['set'])",
            "$5\r\ntable\r\n");
    eval_is(client, "redis.setresp(3) return redis.call('zscore','z','m')", "$3\r\n1.5\r\n");
    eval_is(client,
            "redis.setresp(3) local r=redis.call('zscore','z','m') return tostring(r['double'])",
            "$3\r\n1.5\r\n");
    eval_is(client, "redis.setresp(3) return redis.call('get','nokey') == nil", ":1\r\n");
    ck_cmd_prefix(client, "HELLO 3", "%7\r\n");
    eval_is(client, "redis.setresp(3) return redis.call('hgetall','h')",
            "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    eval_is(client, "return redis.call('hgetall','h')", "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
}
END_TEST

START_TEST(test_keys_argv_and_numkeys)
{
    const char *a[] = {"EVAL", "return {KEYS[1],ARGV[1],#KEYS,#ARGV}", "1", "k", "a"};
    argv_is(client, 5, a, "*4\r\n$1\r\nk\r\n$1\r\na\r\n:1\r\n:1\r\n");
    const char *b[] = {"EVAL", "return 1", "2", "k"};
    argv_is(client, 4, b, "-ERR Number of keys can't be greater than number of args\r\n");
    const char *c[] = {"EVAL", "return 1", "-1"};
    argv_is(client, 3, c, "-ERR Number of keys can't be negative\r\n");
    const char *d[] = {"EVAL", "return 1", "x"};
    argv_is(client, 3, d, "-ERR value is not an integer or out of range\r\n");
    ck_cmd(client, "EVAL", "-ERR wrong number of arguments for 'eval' command\r\n");
}
END_TEST

START_TEST(test_error_texts)
{
    eval_is(client, "return redis.call('nosuch')",
            "-ERR Unknown Redis command called from script script: "
            "206396248e12c6e742fd7296250433c8d7343b74, on @user_script:1.\r\n");
    eval_is(client, "return redis.pcall('nosuch')",
            "-ERR Unknown Redis command called from script\r\n");
    eval_is(client, "return redis.call('incr','x','y')",
            "-ERR Wrong number of args calling Redis command from script script: "
            "c7d8ad623e739f5be7f1ea520c579a2cf1a1acc6, on @user_script:1.\r\n");
    eval_is(client, "error('boo')",
            "-ERR user_script:1: boo script: 4c4072b2b44689260a81bb26a459f4463cfbb09e, on "
            "@user_script:1.\r\n");
    eval_is(client, "return redis.call('subscribe','x')",
            "-ERR This Redis command is not allowed from script script: "
            "2f334966be3d5602175118691c9d198b0a695e53, on @user_script:1.\r\n");
    eval_prefix(client, "return redis.call('blpop','l',0)",
                "-ERR This Redis command is not allowed from script script: ");
    eval_prefix(client, "return redis.call('eval','return 1','0')",
                "-ERR This Redis command is not allowed from script script: ");
    eval_prefix(client, "return redis.call('config')",
                "-ERR Wrong number of args calling Redis command from script script: ");
    eval_prefix(client, "return redis.call('client','nosuchsub')",
                "-ERR Unknown Redis command called from script script: ");
    eval_prefix(client, "return redis.call({})",
                "-ERR Lua redis lib command arguments must be strings or integers script: ");
    eval_prefix(client, "return redis.call()",
                "-ERR Please specify at least one argument for this redis lib call script: ");
    eval_prefix(client, "return redis.setresp(4)", "-ERR RESP version must be 2 or 3. script: ");
    eval_prefix(client, "return redis.log()",
                "-ERR redis.log() requires two arguments or more. script: ");
    eval_prefix(client, "return redis.sha1hex()", "-ERR wrong number of arguments script: ");
    eval_prefix(client, "return redis.set_repl(7)",
                "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or "
                "REPL_NONE. script: ");
    eval_is(client, "return xx(",
            "-ERR Error compiling script (new function): user_script:1: unexpected symbol "
            "near '<eof>'\r\n");
    /* the line is where the error was raised */
    const char *deep[] = {"EVAL", "local function f() redis.call('nosuch') end\n\nf()", "0"};
    char *got = conn_cmd_argv(client, 3, deep, NULL);
    ck_assert_msg(strstr(got, ", on @user_script:1.\r\n") != NULL, "got %s", harness_escape(got));
    free(got);
    const char *third[] = {"EVAL", "\n\nerror('x')", "0"};
    got = conn_cmd_argv(client, 3, third, NULL);
    ck_assert_msg(strncmp(got, "-ERR user_script:3: x script: ", 30) == 0 &&
                      strstr(got, ", on @user_script:3.\r\n") != NULL,
                  "got %s", harness_escape(got));
    free(got);
    ck_cmd(client, "SET s v", "+OK\r\n");
    eval_is(client, "return redis.call('incr','s')",
            "-ERR value is not an integer or out of range script: "
            "c243b9f46db13ba8f69da41b45a77708832babed, on @user_script:1.\r\n");
}
END_TEST

START_TEST(test_sandbox)
{
    eval_is(client, "a=1",
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "86eda770a6060824b090dd4df091e3bd4121279c, on @user_script:1.\r\n");
    eval_is(client, "return a",
            "-ERR user_script:1: Script attempted to access nonexistent global variable 'a' "
            "script: bbfcd1ececc90deec823f7fb730e4bfb2a4ba625, on @user_script:1.\r\n");
    eval_prefix(client, "return os.execute('true')",
                "-ERR user_script:1: Script attempted to access nonexistent global variable "
                "'os' script: ");
    eval_prefix(client, "return io.open('/etc/passwd')",
                "-ERR user_script:1: Script attempted to access nonexistent global variable "
                "'io' script: ");
    static const char *const absent[] = {"dofile", "loadfile", "print", "setfenv", "getfenv",
                                         "debug", "require", "newproxy"};
    for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
        char script[64], prefix[160];
        snprintf(script, sizeof(script), "return %s", absent[i]);
        snprintf(prefix, sizeof(prefix),
                 "-ERR user_script:1: Script attempted to access nonexistent global variable "
                 "'%s' script: ",
                 absent[i]);
        eval_prefix(client, script, prefix);
    }
    /* no precompiled chunks */
    eval_is(client, "return loadstring(string.dump(function() return 1 end))", "$-1\r\n");
    eval_is(client, "return {loadstring('\\27Lua')}", "*0\r\n");
    eval_is(client, "local f = loadstring('return 5') return f()", ":5\r\n");
    /* read-only globals and library tables, metatable tricks */
    eval_is(client, "setmetatable(_G, nil)",
            "-ERR Attempt to modify a readonly table script: "
            "22fdd3b51da2d4bc6703d71d651cd782d8e5a35f, on @user_script:1.\r\n");
    eval_is(client, "getmetatable('').__index = nil",
            "-ERR user_script:1: Attempt to modify a readonly table script: "
            "d73a1dfb50411851ebe32e3e075eb37e35009eff, on @user_script:1.\r\n");
    eval_is(client, "return getmetatable(_G)", "*0\r\n");
    /* a library table has no metatable a script can see (nil, not false) */
    eval_is(client, "return tostring(getmetatable(cjson))", "$3\r\nnil\r\n");
    eval_is(client, "return tostring(getmetatable(bit))", "$3\r\nnil\r\n");
    eval_is(client, "return tostring(getmetatable(redis))", "$3\r\nnil\r\n");
    eval_is(client, "return type(getmetatable('abc'))", "$5\r\ntable\r\n");
    eval_is(client, "return tostring(getmetatable({}))", "$3\r\nnil\r\n");
    eval_prefix(client, "getmetatable(_G).__index = {}",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    eval_prefix(client, "redis.call = function() return 1 end",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    eval_prefix(client, "cjson.encode = function() return 1 end",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    eval_prefix(client, "bit.band = function() return 1 end",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    eval_prefix(client, "string.upper = nil",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    eval_prefix(client, "rawset(redis, 'x', 1)", "-ERR Attempt to modify a readonly table script: ");
    eval_prefix(client, "_G.redis = nil",
                "-ERR user_script:1: Attempt to modify a readonly table script: ");
    /* what stays usable */
    eval_is(client, "return ('abc'):upper()", "$3\r\nABC\r\n");
    eval_is(client, "local a = {} a.x = 1 return a.x", ":1\r\n");
    eval_is(client, "return rawget(_G, 'redis') ~= nil", ":1\r\n");
    eval_is(client, "return type(coroutine.create)", "$8\r\nfunction\r\n");
    eval_is(client, "return cjson.encode({1,2,3})", "$7\r\n[1,2,3]\r\n");
    eval_is(client, "return cjson.decode('[1,2,\"x\"]')", "*3\r\n:1\r\n:2\r\n$1\r\nx\r\n");
    eval_is(client, "return bit.band(7,3)", ":3\r\n");
    eval_is(client, "return bit.tohex(65535)", "$8\r\n0000ffff\r\n");
    eval_is(client, "return redis.sha1hex('')", "$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n");
    eval_is(client, "return redis.REDIS_VERSION", "$6\r\n7.0.15\r\n");
    eval_is(client, "return redis.REDIS_VERSION_NUM", ":458767\r\n");
    eval_is(client, "return _VERSION", "$7\r\nLua 5.1\r\n");
    eval_is(client, "return redis.replicate_commands()", ":1\r\n");
    eval_is(client, "return redis.set_repl(redis.REPL_ALL)", "$-1\r\n");
    eval_is(client, "return redis.breakpoint()", "$-1\r\n");
    eval_is(client, "return redis.log(redis.LOG_WARNING, 'hello')", "$-1\r\n");
    eval_is(client, "return redis.acl_check_cmd('get','x')", ":1\r\n");
    /* the globals a script sees, as Redis 7.0 has them */
    eval_is(client,
            "local t={} for k,v in pairs(_G) do t[#t+1]=k end table.sort(t) "
            "return table.concat(t, ' ')",
            "$271\r\nARGV KEYS _G _VERSION __redis__err__handler assert bit cjson cmsgpack "
            "collectgarbage coroutine error gcinfo getmetatable ipairs load loadstring math next "
            "pairs pcall rawequal rawget rawset redis select setmetatable string struct table "
            "tonumber tostring type unpack xpcall\r\n");
}
END_TEST

START_TEST(test_cmsgpack)
{
    eval_is(client,
            "local e = cmsgpack.pack(0.1) local h = '' for i = 1, #e do h = h .. "
            "string.format('%02x', string.byte(e, i)) end return h",
            "$18\r\ncb3fb999999999999a\r\n");
    eval_is(client,
            "local e = cmsgpack.pack(-1099511627776) local h = '' for i = 1, #e do h = h .. "
            "string.format('%02x', string.byte(e, i)) end return h",
            "$18\r\nd3ffffff0000000000\r\n");
    /* a cycle is cut at 16 levels */
    eval_is(client,
            "local a = {y=5} local b = {x=a} a['x'] = b local e = cmsgpack.pack(a) local h = '' "
            "for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end "
            "local re = cmsgpack.unpack(e) return {h, re.x.x.x.x.y == re.y, "
            "re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil}",
            "*3\r\n$146\r\n82a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a1"
            "7882a17905a17881a17882a17905a17881a17882a17905a17881a17882a17905a17881a178c0\r\n"
            ":1\r\n:1\r\n");
    eval_is(client,
            "local e = cmsgpack.pack(1, 2, 3) local o1, v1 = cmsgpack.unpack_one(e) "
            "local o2, v2 = cmsgpack.unpack_one(e, o1) local o3, a, b = "
            "cmsgpack.unpack_limit(e, 2, o1) return {o1, v1, o2, v2, o3, a, b}",
            "*7\r\n:1\r\n:1\r\n:2\r\n:2\r\n:-1\r\n:2\r\n:3\r\n");
    eval_is(client,
            "local t = {cmsgpack.unpack(cmsgpack.pack('abc', {1,2}, true, 300, -70000, 1.5))} "
            "return {#t, t[1], t[2][2], t[3], t[4], t[5], tostring(t[6])}",
            "*7\r\n:6\r\n$3\r\nabc\r\n:2\r\n:1\r\n:300\r\n:-70000\r\n$3\r\n1.5\r\n");
}
END_TEST

START_TEST(test_struct)
{
    eval_is(client, "return struct.pack('HH', 1, 2)", "$4\r\n\x01\x00\x02\x00\r\n");
    eval_is(client, "return struct.pack('>i4', -2)", "$4\r\n\xff\xff\xff\xfe\r\n");
    eval_is(client, "return struct.pack('!4 b i4', 1, 2)",
            "$8\r\n\x01\x00\x00\x00\x02\x00\x00\x00\r\n");
    eval_is(client, "return {struct.unpack('bBhHlL', struct.pack('bBhHlL', -1, 255, -300, 65000, "
                    "-5, 123456789012))}",
            "*7\r\n:-1\r\n:255\r\n:-300\r\n:65000\r\n:-5\r\n:123456789012\r\n:23\r\n");
    eval_is(client, "return {struct.unpack('b c0', struct.pack('b c0', 3, 'abc'))}",
            "*2\r\n$3\r\nabc\r\n:5\r\n");
    eval_is(client, "return struct.size('!4 b i4 d')", ":16\r\n");
    eval_prefix(client, "return struct.size('s')",
                "-ERR user_script:1: bad argument #1 to 'size' (option 's' has no fixed size) "
                "script: ");
    eval_prefix(client, "return struct.pack('q', 1)",
                "-ERR user_script:1: bad argument #1 to 'pack' (invalid format option 'q') "
                "script: ");
}
END_TEST

/* The struct library against the reference redis-server: each expression
 * runs on both and the raw replies must be equal byte for byte. Strings go
 * through hx() (hex) so that bytes such as NUL survive the comparison;
 * errors compare whole, their script SHA included. Covers every option,
 * alignment (odd sizes too), byte order, the conversions of numbers with
 * fractions or out of range, i9..i16 sign extension, c0 both ways,
 * offsets, and each error text. */
START_TEST(test_struct_matches_redis)
{
    static const char *const exprs[] = {
        "hx(struct.pack('>bBhHlLTiI3fd', -1, 255, -300, 65000, -5, 2^40, 7, -9, 70000, 1.5, -0.25))",
        "hx(struct.pack('<i16 >i16 I16', -2, -2, -2))",
        "hx(struct.pack('i8 I8 i8 I8 i8', 2^63 + 2048, 2^64, -1e300, 0/0, 1/0))",
        "hx(struct.pack('b h i4', 1.9, -2.5, -0.5))",
        "hx(struct.pack('x s c3 c0 xx', 'a\\0b', 'abcdef', 'tail'))",
        "hx(struct.pack('!b d !2 b i4 !b i3 b i7', 1, 2, 3, 4, 5, 6, 7, 8))",
        "hx(struct.pack('!i3 i3 !16 b i16 b i0 b', 1, 2, 3, 4, 5, 6, 7))",
        "hx(struct.pack('!4 b x i4 xc2 h', 1, 2, 'ab', 3))",
        "hx(struct.pack('s c0', 12, 1.5))",
        "hx(struct.pack('i0 I1 i32', 5, 300, -1))",
        "hx(struct.pack('b\\0b', 1, 2))",
        "struct.pack('c5', 'ab')",
        "struct.pack('b c2147483647', 1, 'x')",
        "struct.pack('b b', 1)",
        "struct.pack('c0b', string.rep('a', 10000))",
        "struct.pack('s', {})",
        "struct.pack('b', 'x')",
        "struct.pack()",
        "struct.pack('\\tb', 1)",
        "struct.pack('h3', 1)",
        "struct.pack('i33', 1)",
        "struct.pack('i2147483648', 1)",
        "struct.pack('!3 b', 1)",
        "struct.pack('!0')",
        "struct.pack('!4294967296')",
        "{struct.unpack('>bBhHlLTiI3fd', struct.pack('>bBhHlLTiI3fd', -1, 255, -300, 65000, -5, 2^40, 7, -9, 70000, 1.5, -0.25))}",
        "{struct.unpack('i16 I16', struct.pack('i16 i16', -2, -2))}",
        "{struct.unpack('i9 i12 >i13', string.rep('\\255', 9) .. '\\1\\2\\3\\4\\5\\6\\7\\8\\9\\10\\11\\12' .. '\\0\\0\\0\\0\\0\\0\\0\\1\\0\\0\\0\\0\\0')}",
        "{tostring(struct.unpack('I8', string.rep('\\255', 8))), tostring(struct.unpack('i8', '\\0\\0\\0\\0\\0\\0\\0\\128'))}",
        "{struct.unpack('i3 I3 i1 i0', '\\255\\255\\255\\255\\255\\255\\128')}",
        "{struct.unpack('s s x c2 b c0 c1 c0', 'ab\\0\\0zcd\\3xyz2pqr')}",
        "{struct.unpack('!b i4', '\\1\\0\\0\\0\\2\\0\\0\\0x\\3\\0\\0\\0', 1)}",
        "{struct.unpack('!i4', 'x\\2\\0\\0\\0\\3\\0\\0\\0', 2)}",
        "{struct.unpack('b', 'abc', 2.7)}",
        "{struct.unpack('', 'abc', -5)}",
        "{struct.unpack('i0', 'abc', 4)}",
        "struct.unpack('b', 'abc', 0)",
        "struct.unpack('b', 'abc', -1)",
        "struct.unpack('!i4', 'abcdefgh', -1)",
        "struct.unpack('bi4', 'abcd')",
        "struct.unpack('s', 'abc')",
        "struct.unpack('c0', 'abc', 2)",
        "struct.unpack('bc0c0', '\\2abc')",
        "struct.unpack('bc0', '\\255abc')",
        "struct.unpack('q', 'abc', 9)",
        "struct.unpack('q', 'abc')",
        "struct.unpack(' ', 'abc', 5)",
        "struct.unpack('b')",
        "select('#', struct.unpack(string.rep('b', 7997), string.rep('a', 7997)))",
        "struct.unpack(string.rep('b', 7998), string.rep('a', 7998))",
        "{struct.size('>!8bd'), struct.size('!i3i3'), struct.size(''), struct.size('c2147483647c2147483647')}",
        "{struct.size('q5b'), struct.size('b0'), struct.size(12), struct.size('!b i0 b'), struct.size('b\\0b')}",
        "struct.size('c0')",
        "struct.size('bqs')",
        "struct.size('=')",
        "struct.size('!3')",
        "(function() local f = struct.size return f('s') end)()",
    };
    static const char hx[] =
        "local function hx(s) if type(s) ~= 'string' then return s end "
        "return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end ";
    struct server_handle *ref = NULL;
    struct conn *ref_client = NULL;
    harness_reference_open(&ref, &ref_client);
    int compared = 0;
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        char script[8192];
        snprintf(script, sizeof(script), "%sreturn %s", hx, exprs[i]);
        const char *argv[] = {"EVAL", script, "0"};
        char *got = conn_cmd_argv(client, 3, argv, NULL);
        ck_assert_msg(got[0] != '\0', "%s: empty reply", exprs[i]);
        if (ref_client) {
            char *want = conn_cmd_argv(ref_client, 3, argv, NULL);
            ck_assert_msg(strcmp(got, want) == 0, "%s: redis %s, got %s", exprs[i],
                          harness_escape(want), harness_escape(got));
            free(want);
            compared++;
        }
        free(got);
    }
    harness_reference_close(&ref, &ref_client);
    if (compared == 0)
        fprintf(stderr, "test_struct_matches_redis: no %s, nothing compared\n",
                HARNESS_REDIS_SERVER);
}
END_TEST

/* Time in a script, as in Redis 7.0.15: TIME and the TTLs the script sets
 * and reads move with the clock, while no key expires before the script
 * ends (a 20 ms key survives a 50 ms script, its PTTL reads 0). */
START_TEST(test_time_in_scripts)
{
    ck_cmd(client, "SET short v PX 20", "+OK\r\n");
    const char *argv[] = {
        "EVAL",
        "local function now() local t = redis.call('time') return t[1] * 1000000 + t[2] end "
        "local a = now() redis.call('set', 'k', 'v', 'PX', 1000) "
        "while now() - a < 50000 do end "
        "local p1 = redis.call('pttl', 'k') redis.call('set', 'k2', 'v', 'PX', 1000) "
        "return {p1, redis.call('pttl', 'k2'), redis.call('exists', 'short'), "
        "redis.call('pttl', 'short')}",
        "0"};
    char *reply = conn_cmd_argv(client, 3, argv, NULL);
    long long p1, p2, exists, pshort;
    ck_assert_msg(sscanf(reply, "*4\r\n:%lld\r\n:%lld\r\n:%lld\r\n:%lld\r\n", &p1, &p2, &exists,
                         &pshort) == 4,
                  "%s", harness_escape(reply));
    free(reply);
    ck_assert_msg(p1 >= 500 && p1 <= 960, "PTTL after 50 ms of script: %lld", p1);
    ck_assert_msg(p2 >= 990 && p2 <= 1000, "PTTL right after SET: %lld", p2);
    ck_assert_int_eq(exists, 1);
    ck_assert_int_eq(pshort, 0);
    ck_cmd(client, "EXISTS short", ":0\r\n");
}
END_TEST

START_TEST(test_script_cache)
{
    const char *sha = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"; /* "return 1" */
    const char *evalsha[] = {"EVALSHA", sha, "0"};
    argv_is(client, 3, evalsha, "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    const char *bad[] = {"EVALSHA", "abc", "0"};
    argv_is(client, 3, bad, "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    ck_cmd(client, "SCRIPT LOAD return(", "-ERR Error compiling script (new function): "
                                         "user_script:1: unexpected symbol near '<eof>'\r\n");
    const char *load[] = {"SCRIPT", "LOAD", "return 1"};
    argv_is(client, 3, load, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
    argv_is(client, 3, evalsha, ":1\r\n");
    const char *upper[] = {"EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"};
    argv_is(client, 3, upper, ":1\r\n");
    const char *ro[] = {"EVALSHA_RO", sha, "0"};
    argv_is(client, 3, ro, ":1\r\n");
    ck_cmd(client,
           "SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db "
           "ffffffffffffffffffffffffffffffffffffffff",
           "*2\r\n:1\r\n:0\r\n");
    /* EVAL caches what it ran */
    eval_is(client, "return 2", ":2\r\n");
    ck_cmd(client, "SCRIPT EXISTS 7f923f79fe76194c868d7e1d0820de36700eb649", "*1\r\n:1\r\n");
    ck_cmd(client, "SCRIPT FLUSH x", "-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n");
    ck_cmd(client, "SCRIPT FLUSH ASYNC", "+OK\r\n");
    ck_cmd(client, "SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "*1\r\n:0\r\n");
    argv_is(client, 3, evalsha, "-NOSCRIPT No matching script. Please use EVAL.\r\n");
    argv_is(client, 3, load, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
    ck_cmd(client, "SCRIPT FLUSH SYNC", "+OK\r\n");
    ck_cmd(client, "SCRIPT FLUSH", "+OK\r\n");
    ck_cmd(client, "SCRIPT KILL", "-NOTBUSY No scripts in execution right now.\r\n");
    ck_cmd(client, "SCRIPT", "-ERR wrong number of arguments for 'script' command\r\n");
    ck_cmd(client, "SCRIPT NOSUCH", "-ERR unknown subcommand 'NOSUCH'. Try SCRIPT HELP.\r\n");
    ck_cmd_prefix(client, "SCRIPT HELP",
                  "*17\r\n+SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                  "+DEBUG (YES|SYNC|NO)\r\n");
    argv_is(client, 3, load, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
    char *info = conn_cmd(client, "INFO memory");
    ck_assert_msg(strstr(info, "\r\nnumber_of_cached_scripts:1\r\n") != NULL, "%s", info);
    ck_assert_msg(strstr(info, "\r\nused_memory_lua:0\r\n") == NULL, "%s", info);
    free(info);
}
END_TEST

/* INFO line "name:..." from section, copied into out (empty if absent). */
static void info_line(struct conn *c, const char *section, const char *name, char *out, size_t len)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "INFO %s", section);
    char *info = conn_cmd(c, cmd);
    out[0] = '\0';
    char key[96];
    snprintf(key, sizeof(key), "\r\n%s:", name);
    const char *p = strstr(info, key);
    if (p) {
        p += 2;
        size_t n = strcspn(p, "\r");
        snprintf(out, len, "%.*s", (int)n, p);
    }
    free(info);
}

START_TEST(test_error_stats_monitor_slowlog)
{
    char line[256];
    ck_cmd(client, "CONFIG SET maxmemory 1", "+OK\r\n");
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    const char *oom[] = {"EVAL", "return redis.call('set','x','y')", "1", "x"};
    argv_is(client, 4, oom,
            "-OOM command not allowed when used memory > 'maxmemory'. script: "
            "71e6319f97b0fe8bdfa1c5df3ce4489946dda479, on @user_script:1.\r\n");
    info_line(client, "errorstats", "errorstat_OOM", line, sizeof(line));
    ck_assert_str_eq(line, "errorstat_OOM:count=1");
    info_line(client, "stats", "total_error_replies", line, sizeof(line));
    ck_assert_str_eq(line, "total_error_replies:1");
    info_line(client, "commandstats", "cmdstat_set", line, sizeof(line));
    ck_assert_msg(strstr(line, "calls=0,") && strstr(line, "rejected_calls=1,failed_calls=0"),
                  "%s", line);
    info_line(client, "commandstats", "cmdstat_eval", line, sizeof(line));
    ck_assert_msg(strstr(line, "calls=1,") && strstr(line, "rejected_calls=0,failed_calls=1"),
                  "%s", line);
    /* a pcall'd error returned as the reply is not counted twice */
    ck_cmd(client, "CONFIG RESETSTAT", "+OK\r\n");
    const char *pcall[] = {"EVAL", "return redis.pcall('set','x','y')", "1", "x"};
    argv_is(client, 4, pcall, "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
    info_line(client, "stats", "total_error_replies", line, sizeof(line));
    ck_assert_str_eq(line, "total_error_replies:1");
    ck_cmd(client, "CONFIG SET maxmemory 0", "+OK\r\n");
    /* MONITOR shows EVAL first, then its commands from "lua" */
    struct conn *mon = conn_open(server->port);
    ck_cmd(mon, "MONITOR", "+OK\r\n");
    const char *ev[] = {"EVAL", "return redis.call('set','m','1')", "0"};
    argv_is(client, 3, ev, "+OK\r\n");
    char *first = conn_read_raw(mon);
    ck_assert_msg(strstr(first, "] \"EVAL\" \"return redis.call('set','m','1')\" \"0\"\r\n") ||
                      strstr(first, "] \"eval\" \"return redis.call('set','m','1')\" \"0\"\r\n"),
                  "%s", harness_escape(first));
    free(first);
    char *second = conn_read_raw(mon);
    ck_assert_msg(strstr(second, " [0 lua] \"set\" \"m\" \"1\"\r\n"), "%s", harness_escape(second));
    free(second);
    conn_close(mon);
    /* the slow log has the script and its commands (from ?:0) */
    ck_cmd(client, "CONFIG SET slowlog-log-slower-than 0", "+OK\r\n");
    ck_cmd(client, "SLOWLOG RESET", "+OK\r\n");
    argv_is(client, 3, ev, "+OK\r\n");
    ck_cmd(client, "CONFIG SET slowlog-log-slower-than 10000", "+OK\r\n");
    char *log = conn_cmd(client, "SLOWLOG GET 10");
    ck_assert_msg(strstr(log, "$3\r\nset\r\n$1\r\nm\r\n$1\r\n1\r\n$3\r\n?:0\r\n$0\r\n") != NULL,
                  "%s", harness_escape(log));
    free(log);
}
END_TEST

/* What follows from running through dispatch: COMMAND's records, key
 * extraction, WATCH, keyspace events, CLIENT LIST's cmd=. */
START_TEST(test_command_records_and_side_effects)
{
    ck_cmd(client, "COMMAND INFO eval",
           "*1\r\n*10\r\n$4\r\neval\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n"
           "+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n"
           "+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how the "
           "keys will be used so we assume the worst, RW and UPDATE\r\n$5\r\nflags\r\n*3\r\n"
           "+RW\r\n+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\n"
           "index\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n"
           "$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n"
           "$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n");
    const char *getkeys[] = {"COMMAND", "GETKEYS", "eval", "return 1", "2", "a", "b", "c"};
    argv_is(client, 8, getkeys, "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    /* a script's write dirties a WATCH */
    struct conn *other = conn_open(server->port);
    ck_cmd(other, "WATCH w", "+OK\r\n");
    eval_is(client, "return redis.call('set','w','1')", "+OK\r\n");
    ck_cmd(other, "MULTI", "+OK\r\n");
    ck_cmd(other, "PING", "+QUEUED\r\n");
    ck_cmd(other, "EXEC", "*-1\r\n");
    /* and is a keyspace event */
    ck_cmd(client, "CONFIG SET notify-keyspace-events KA", "+OK\r\n");
    ck_cmd(other, "SUBSCRIBE __keyspace@0__:w",
           "*3\r\n$9\r\nsubscribe\r\n$16\r\n__keyspace@0__:w\r\n:1\r\n");
    eval_is(client, "return redis.call('incr','w')", ":2\r\n");
    ck_read(other, "*3\r\n$7\r\nmessage\r\n$16\r\n__keyspace@0__:w\r\n$6\r\nincrby\r\n");
    conn_close(other);
    /* the caller's last command is the script, not what it ran */
    struct conn *viewer = conn_open(server->port);
    char *list = conn_cmd(viewer, "CLIENT LIST");
    ck_assert_msg(strstr(list, " cmd=eval ") != NULL, "%s", list);
    ck_assert_msg(strstr(list, "cmd=incr") == NULL, "%s", list);
    free(list);
    conn_close(viewer);
}
END_TEST

START_TEST(test_read_only_and_shebang)
{
    eval_is(client, "return redis.call('lpush','l','x')", ":1\r\n");
    const char *ro[] = {"EVAL_RO", "return redis.call('lpush','l','x')", "0"};
    argv_is(client, 3, ro,
            "-ERR Write commands are not allowed from read-only scripts. script: "
            "fd683063887f2fa4541a7efe8d4524387b7f92b6, on @user_script:1.\r\n");
    const char *ro_read[] = {"EVAL_RO", "return redis.call('llen','l')", "0"};
    argv_is(client, 3, ro_read, ":1\r\n");
    eval_prefix(client, "#!lua flags=no-writes\nreturn redis.call('set','x','1')",
                "-ERR Write commands are not allowed from read-only scripts. script: ");
    eval_is(client, "#!lua\nreturn redis.call('set','x','1')", "+OK\r\n");
    const char *ro_write_flag[] = {"EVAL_RO", "#!lua\nreturn redis.call('get','x')", "0"};
    argv_is(client, 3, ro_write_flag,
            "-ERR Can not execute a script with write flag using *_ro command.\r\n");
    const char *ro_nowrites[] = {"EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','x')",
                                 "0"};
    argv_is(client, 3, ro_nowrites, "$1\r\n1\r\n");
    eval_is(client, "#!lua flags=bad\nreturn 1", "-ERR Unexpected flag in script shebang: bad\r\n");
    eval_is(client, "#!lua xx=1\nreturn 1", "-ERR Unknown lua shebang option: xx=1\r\n");
    eval_is(client, "#!python\nreturn 1", "-ERR Unexpected engine in script shebang: #!python\r\n");
    eval_is(client, "#!lua", "-ERR Invalid script shebang\r\n");
    eval_is(client, "#!lua flags=\nreturn 1", ":1\r\n");
    eval_is(client, "#!lua flags=no-writes,allow-oom\nreturn 2", ":2\r\n");
    /* the shebang keeps its line: errors count from it */
    eval_prefix(client, "#!lua\nerror('x')", "-ERR user_script:2: x script: ");
}
END_TEST

START_TEST(test_multi_and_select)
{
    ck_cmd(client, "MULTI", "+OK\r\n");
    const char *incr[] = {"EVAL", "return redis.call('incr','mcnt')", "0"};
    argv_is(client, 3, incr, "+QUEUED\r\n");
    argv_is(client, 3, incr, "+QUEUED\r\n");
    ck_cmd(client, "EXEC", "*2\r\n:1\r\n:2\r\n");
    /* SELECT inside a script changes only the script's database */
    eval_is(client, "redis.call('select','1') return redis.call('set','indb1','x')", "+OK\r\n");
    ck_cmd(client, "EXISTS indb1", ":0\r\n");
    ck_cmd(client, "SELECT 1", "+OK\r\n");
    ck_cmd(client, "EXISTS indb1", ":1\r\n");
    /* a blocking command may not run from a script; LPOP answers at once */
    eval_is(client, "return redis.call('lpop','nolist')", "$-1\r\n");
}
END_TEST

/* Starts EVAL script on a connection of its own; returns it, the reply
 * pending. */
static struct conn *start_long_script(const char *script)
{
    struct conn *runner = conn_open(server->port);
    const char *argv[] = {"EVAL", script, "0"};
    conn_send_argv(runner, 3, argv, NULL);
    return runner;
}

/* Waits until other gets -BUSY (the script passed the threshold). */
static void wait_busy(struct conn *other)
{
    for (int i = 0; i < 200; i++) {
        char *r = conn_cmd(other, "PING");
        bool busy = strncmp(r, "-BUSY", 5) == 0;
        if (busy) {
            ck_assert_str_eq(r, "-BUSY Redis is busy running a script. You can only call SCRIPT "
                                "KILL or SHUTDOWN NOSAVE.\r\n");
            free(r);
            return;
        }
        free(r);
        harness_sleep_ms(20);
    }
    ck_abort_msg("the script never made the server busy");
}

START_TEST(test_busy_script_killed)
{
    ck_cmd(client, "CONFIG SET busy-reply-threshold 100", "+OK\r\n");
    ck_cmd(client, "CONFIG GET lua-time-limit", "*2\r\n$14\r\nlua-time-limit\r\n$3\r\n100\r\n");
    struct conn *runner = start_long_script("local i = 0 while true do i = i + 1 end");
    wait_busy(client);
    ck_cmd(client, "GET x",
           "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
           "NOSAVE.\r\n");
    /* a new connection is served too */
    struct conn *late = conn_open(server->port);
    ck_cmd_prefix(late, "SET y 1", "-BUSY ");
    ck_cmd(late, "SCRIPT KILL", "+OK\r\n");
    ck_read(runner, "-ERR Script killed by user with SCRIPT KILL... script: "
                    "3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n");
    ck_cmd(client, "PING", "+PONG\r\n");
    ck_cmd(runner, "PING", "+PONG\r\n");
    ck_cmd(late, "SCRIPT KILL", "-NOTBUSY No scripts in execution right now.\r\n");
    conn_close(late);
    conn_close(runner);
}
END_TEST

/* The caller's pipelined commands run after the killed script, in order;
 * input that arrives while the script runs waits too; a caller that hangs
 * up meanwhile is released once the script ends. */
START_TEST(test_busy_script_pipeline_and_hangup)
{
    ck_cmd(client, "CONFIG SET busy-reply-threshold 100", "+OK\r\n");
    struct conn *runner = conn_open(server->port);
    const char pipelined[] = "*3\r\n$4\r\nEVAL\r\n$33\r\nwhile 1 do redis.call('ping') end\r\n"
                             "$1\r\n0\r\n*1\r\n$4\r\nPING\r\n";
    conn_send_raw(runner, pipelined, sizeof(pipelined) - 1);
    wait_busy(client);
    conn_send(runner, "ECHO hi");
    struct conn *leaver = start_long_script("return 1"); /* answered -BUSY, then gone */
    conn_close(leaver);
    ck_cmd(client, "SCRIPT KILL", "+OK\r\n");
    ck_read(runner, "-ERR Script killed by user with SCRIPT KILL... script: "
                    "b50655b6634f055327ef8affd1e1eecdf71f08ab, on @user_script:1.\r\n");
    ck_read(runner, "+PONG\r\n");
    ck_read(runner, "$2\r\nhi\r\n");
    ck_cmd(client, "PING", "+PONG\r\n");
    conn_close(runner);
    /* the script's caller itself hangs up while the script runs */
    struct conn *gone = start_long_script("local i = 0 while true do i = i + 1 end");
    wait_busy(client);
    conn_close(gone);
    ck_cmd(client, "SCRIPT KILL", "+OK\r\n");
    ck_cmd_eventually(client, "PING", "+PONG\r\n");
    ck_cmd_prefix(client, "CLIENT LIST", "$");
}
END_TEST

START_TEST(test_busy_script_unkillable_shutdown)
{
    ck_cmd(client, "CONFIG SET busy-reply-threshold 100", "+OK\r\n");
    struct conn *runner = start_long_script("redis.call('set','x','y') while true do end");
    wait_busy(client);
    ck_cmd(client, "SCRIPT KILL",
           "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
           "You can either wait the script termination or kill the server in a hard way using "
           "the SHUTDOWN NOSAVE command.\r\n");
    ck_cmd(client, "SHUTDOWN",
           "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
           "NOSAVE.\r\n");
    conn_send(client, "SHUTDOWN NOSAVE");
    ck_assert(conn_wait_closed(client, 5000));
    ck_assert(server_wait_exit(server, 5000) != -1);
    conn_close(runner);
    conn_close(client);
    server_stop(server);
}
END_TEST

START_TEST(test_effects_in_aof)
{
    /* a fresh server with the AOF on */
    conn_close(client);
    server_stop(server);
    const char *args[] = {"--appendonly", "yes", "--appendfsync", "always", NULL};
    server = server_start(args);
    client = conn_open(server->port);
    eval_is(client, "redis.call('set','a','1')", "$-1\r\n");
    eval_is(client, "redis.call('set','b','1') redis.call('set','c','2')", "$-1\r\n");
    eval_is(client, "return redis.call('get','a')", "$1\r\n1\r\n"); /* logs nothing */
    ck_cmd(client, "SCRIPT FLUSH", "+OK\r\n");                       /* nor this */
    eval_is(client, "redis.call('select','3') redis.call('set','a','1')", "$-1\r\n");
    eval_is(client, "redis.call('incr','cnt') return redis.call('incr','cnt')", ":2\r\n");
    /* redis.set_repl: REPL_NONE logs nothing, REPL_AOF only to the AOF */
    eval_is(client,
            "redis.call('set','r1','1') redis.set_repl(redis.REPL_NONE) redis.call('set','r2','2') "
            "redis.set_repl(redis.REPL_AOF) redis.call('set','r3','3')",
            "$-1\r\n");
    eval_is(client, "redis.set_repl(redis.REPL_NONE) redis.call('set','r4','4')", "$-1\r\n");
    ck_cmd(client, "MGET r1 r2 r3 r4", "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    const char load[] = "*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n$8\r\nreturn 1\r\n";
    conn_send_raw(client, load, sizeof(load) - 1);
    ck_read(client, "$40\r\ne0e1f9fabfc9d4800c877a703b823ac0578ff8db\r\n");
    char path[512];
    snprintf(path, sizeof(path), "%s/appendonlydir/appendonly.aof.1.incr.aof", server->dir);
    size_t len;
    char *aof = harness_read_file(path, &len);
    ck_assert_ptr_nonnull(aof);
    len = harness_aof_plain(aof, len);
    aof[len] = '\0';
    const char *expected =
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
        "*1\r\n$5\r\nMULTI\r\n"
        "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n1\r\n"
        "*3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\n2\r\n"
        "*1\r\n$4\r\nEXEC\r\n"
        "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
        "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
        "*1\r\n$5\r\nMULTI\r\n"
        "*2\r\n$4\r\nincr\r\n$3\r\ncnt\r\n"
        "*2\r\n$4\r\nincr\r\n$3\r\ncnt\r\n"
        "*1\r\n$4\r\nEXEC\r\n"
        "*1\r\n$5\r\nMULTI\r\n"
        "*3\r\n$3\r\nset\r\n$2\r\nr1\r\n$1\r\n1\r\n"
        "*3\r\n$3\r\nset\r\n$2\r\nr3\r\n$1\r\n3\r\n"
        "*1\r\n$4\r\nEXEC\r\n";
    ck_assert_msg(strcmp(aof, expected) == 0, "AOF: %s", harness_escape(aof));
    free(aof);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scripting");
    TCase *tc = tcase_create("scripting");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lua_to_resp2);
    tcase_add_test(tc, test_lua_to_resp3);
    tcase_add_test(tc, test_resp_to_lua);
    tcase_add_test(tc, test_keys_argv_and_numkeys);
    tcase_add_test(tc, test_error_texts);
    tcase_add_test(tc, test_sandbox);
    tcase_add_test(tc, test_cmsgpack);
    tcase_add_test(tc, test_struct);
    tcase_add_test(tc, test_struct_matches_redis);
    tcase_add_test(tc, test_script_cache);
    tcase_add_test(tc, test_time_in_scripts);
    tcase_add_test(tc, test_read_only_and_shebang);
    tcase_add_test(tc, test_error_stats_monitor_slowlog);
    tcase_add_test(tc, test_command_records_and_side_effects);
    tcase_add_test(tc, test_multi_and_select);
    tcase_add_test(tc, test_busy_script_killed);
    tcase_add_test(tc, test_busy_script_pipeline_and_hangup);
    tcase_add_test(tc, test_effects_in_aof);
    suite_add_tcase(s, tc);
    /* SHUTDOWN ends the server: the fixture's teardown must not stop it */
    TCase *shutdown = tcase_create("shutdown");
    tcase_set_timeout(shutdown, 60);
    tcase_add_checked_fixture(shutdown, setup, NULL);
    tcase_add_test(shutdown, test_busy_script_unkillable_shutdown);
    suite_add_tcase(s, shutdown);
    return harness_run_suite(s);
}
