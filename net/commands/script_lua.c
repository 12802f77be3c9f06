/* script_lua.c: the Lua runtime shared by EVAL and FCALL (see
 * script_lua.h for what it owns and the API note).
 *
 * Read-only tables: Redis 7.0 patches its Lua so that tables can be made
 * read-only. Debian's stock Lua 5.1 cannot, so a protected table here is
 * an empty proxy whose metatable reads through to the real table and
 * refuses every write (__newindex), and the base functions that would
 * bypass a metatable (rawset, setmetatable) refuse proxies; rawget, next,
 * pairs and ipairs look through them so scripts see the same contents.
 * The globals are such a proxy, and the real globals table's own
 * metatable raises Redis's error for reads of undeclared globals. */
#include "net/commands/script_lua.h"

#include <lauxlib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/sha1.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/evict.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

/* Instructions between two calls of the count hook (Redis's figure). */
#define SCRIPT_HOOK_INSTRUCTIONS 100000
/* Calls between two garbage collection steps of a state (Redis's). */
#define SCRIPT_GC_CALLS 50

#define SCRIPT_READONLY_ERROR "Attempt to modify a readonly table"
#define SCRIPT_KILLED_ERROR "Script killed by user with SCRIPT KILL..."
#define SCRIPT_BUSY_EVAL \
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
#define SCRIPT_BUSY_FUNCTION \
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."

/* Registry keys (their addresses are unique). */
static char script_key_proxy_mt;   /* the __newindex every read-only proxy shares */
static char script_key_globals;    /* the real globals table */
static char script_key_redis;      /* the real redis table */
static char script_key_state;      /* light userdata: struct commands */
static char script_key_handler;    /* the error handler */

/* A state's allocation counter: Lua's allocator goes through alloc.h, so
 * the memory counts in used_memory, and this tells used_memory_lua. */
struct script_lua_mem {
    size_t bytes;
    int gc_calls;
};

/* The running script (one at a time) and the redis.call client. */
struct script_state {
    struct client *fake;               /* owned: runs redis.call's commands */
    int (*fcall_flags)(struct client *c);
    /* The current run, NULL between runs. */
    const struct script_run *run;
    lua_State *L;
    long long start_ms;
    bool busy;          /* past busy-reply-threshold: -BUSY for others */
    bool killed;        /* SCRIPT KILL / FUNCTION KILL asked */
    bool wrote;         /* a write command ran (Redis's SCRIPT_WRITE_DIRTY) */
    bool read_only;     /* *_RO command or no-writes */
    bool oom_at_start;  /* over maxmemory when it started */
    int resp;           /* redis.setresp */
};

/* ---- memory ---- */

static void *script_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    struct script_lua_mem *m = ud;
    if (nsize == 0) {
        if (ptr) {
            m->bytes -= osize;
            alloc_free(ptr);
        }
        return NULL;
    }
    void *p = alloc_resize(ptr, nsize);
    m->bytes = m->bytes - (ptr ? osize : 0) + nsize;
    return p;
}

size_t script_lua_memory(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ((struct script_lua_mem *)ud)->bytes;
}

/* ---- registry helpers ---- */

static void script_registry_get(lua_State *L, void *key)
{
    lua_pushlightuserdata(L, key);
    lua_rawget(L, LUA_REGISTRYINDEX);
}

static void script_registry_set(lua_State *L, void *key) /* pops the value */
{
    lua_pushlightuserdata(L, key);
    lua_insert(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
}

static struct commands *script_commands_of(lua_State *L)
{
    script_registry_get(L, &script_key_state);
    struct commands *cs = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return cs;
}

/* ---- errors as Redis's error tables ---- */

/* Pushes {err = "CODE msg"} from "-CODE msg" or "msg" (code ERR), as
 * Redis's luaPushErrorBuff. */
static void script_push_error(lua_State *L, const char *text, size_t len)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (len && text[0] == '-') {
        const char *space = memchr(text, ' ', len);
        if (!space) {
            luaL_addstring(&b, "ERR ");
            luaL_addlstring(&b, text + 1, len - 1);
        } else {
            luaL_addlstring(&b, text + 1, len - 1);
        }
    } else {
        luaL_addstring(&b, "ERR ");
        luaL_addlstring(&b, text, len);
    }
    luaL_pushresult(&b);
    /* no trailing newline in the table */
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    if (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) {
        while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        lua_pushlstring(L, s, n);
        lua_remove(L, -2);
    }
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_remove(L, -2);
}

static int script_raise(lua_State *L, const char *msg)
{
    script_push_error(L, msg, strlen(msg));
    return lua_error(L);
}

/* The error handler (Redis's __redis__err__handler): a string error
 * becomes {err = "ERR <text>"}, and the table gets where it was raised:
 * the Lua function that raised it, or that called the C function that did. */
static int script_error_handler(lua_State *L)
{
    lua_Debug ar;
    int level = 1;
    bool found = lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar);
    if (found && strcmp(ar.what, "C") == 0)
        found = lua_getstack(L, ++level, &ar) && lua_getinfo(L, "Sl", &ar);
    if (!lua_istable(L, 1)) {
        const char *s = lua_tostring(L, 1);
        lua_pushfstring(L, "ERR %s", s ? s : "(error object is not a string)");
        lua_newtable(L);
        lua_pushstring(L, "err");
        lua_pushvalue(L, -3);
        lua_rawset(L, -3);
        lua_replace(L, 1);
        lua_settop(L, 1);
    }
    if (found) {
        lua_pushstring(L, "source");
        lua_pushstring(L, ar.source);
        lua_rawset(L, 1);
        lua_pushstring(L, "line");
        lua_pushinteger(L, ar.currentline);
        lua_rawset(L, 1);
    }
    lua_settop(L, 1);
    return 1;
}

/* ---- read-only tables ---- */

/* A proxy's own metatable: __index is the real table (the VM reads
 * through it without a call), __newindex refuses, __readonly marks it. */
static bool script_is_proxy(lua_State *L, int idx)
{
    if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
        return false;
    lua_pushstring(L, "__readonly");
    lua_rawget(L, -2);
    bool marked = lua_toboolean(L, -1);
    lua_pop(L, 2);
    return marked;
}

/* Replaces a proxy at idx with its real table (for rawget, next...). */
static void script_unproxy(lua_State *L, int idx)
{
    if (idx < 0 && idx > LUA_REGISTRYINDEX)
        idx = lua_gettop(L) + idx + 1;
    if (!script_is_proxy(L, idx))
        return;
    lua_getmetatable(L, idx);
    lua_pushstring(L, "__index");
    lua_rawget(L, -2);
    lua_replace(L, idx);
    lua_pop(L, 1);
}

static int script_proxy_newindex(lua_State *L)
{
    return luaL_error(L, SCRIPT_READONLY_ERROR);
}

void script_lua_readonly(lua_State *L, int idx)
{
    if (idx < 0 && idx > LUA_REGISTRYINDEX)
        idx = lua_gettop(L) + idx + 1;
    if (script_is_proxy(L, idx))
        return;
    lua_newtable(L); /* the proxy */
    lua_newtable(L); /* its metatable */
    lua_pushstring(L, "__index");
    lua_pushvalue(L, idx);
    lua_rawset(L, -3);
    lua_pushstring(L, "__newindex");
    script_registry_get(L, &script_key_proxy_mt); /* the shared refusal function */
    lua_rawset(L, -3);
    lua_pushstring(L, "__metatable");
    lua_pushboolean(L, 0);
    lua_rawset(L, -3);
    lua_pushstring(L, "__readonly");
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_setmetatable(L, -2);
    lua_replace(L, idx);
}

static void script_proxy_mt_create(lua_State *L)
{
    lua_pushcfunction(L, script_proxy_newindex);
    script_registry_set(L, &script_key_proxy_mt);
}

/* rawset, setmetatable: refuse a read-only table, as Redis's patched Lua
 * does (the error carries no position there either). */
static int script_base_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (script_is_proxy(L, 1)) {
        lua_pushstring(L, SCRIPT_READONLY_ERROR);
        return lua_error(L);
    }
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int script_base_setmetatable(lua_State *L)
{
    if (script_is_proxy(L, 1)) {
        lua_pushstring(L, SCRIPT_READONLY_ERROR);
        return lua_error(L);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* getmetatable: a read-only library table (cjson, bit, redis...) has no
 * metatable to a script, as in Redis's patched Lua, so its proxy answers
 * nil, not the false that hides the proxy's own; _G and the string
 * metatable show what their __metatable says. */
static int script_base_getmetatable(lua_State *L)
{
    luaL_checkany(L, 1);
    if (!lua_getmetatable(L, 1)) {
        lua_pushnil(L);
        return 1;
    }
    luaL_getmetafield(L, 1, "__metatable");
    if (lua_isboolean(L, -1) && !lua_toboolean(L, -1) && script_is_proxy(L, 1))
        lua_pushnil(L);
    return 1;
}

static int script_base_rawget(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    script_unproxy(L, 1);
    luaL_checkany(L, 2);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int script_base_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    script_unproxy(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

static int script_base_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    script_unproxy(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1)); /* next */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

static int script_base_ipairs_aux(lua_State *L)
{
    int i = (int)luaL_checkinteger(L, 2);
    luaL_checktype(L, 1, LUA_TTABLE);
    i++;
    lua_pushinteger(L, i);
    lua_rawgeti(L, 1, i);
    return lua_isnil(L, -1) ? 0 : 2;
}

static int script_base_ipairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    script_unproxy(L, 1);
    lua_pushcfunction(L, script_base_ipairs_aux);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

/* loadstring / load refuse precompiled chunks (Redis's Lua does too). */
static int script_base_loadstring(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, s);
    if (len > 0 && s[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(L);
        lua_pushstring(L, "binary code not allowed");
        return 2;
    }
    if (luaL_loadbuffer(L, s, len, name) == 0)
        return 1;
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
}

static int script_base_load(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING)
        return script_base_loadstring(L);
    luaL_checktype(L, 1, LUA_TFUNCTION);
    const char *name = luaL_optstring(L, 2, "=(load)");
    luaL_Buffer b;
    lua_settop(L, 2);
    luaL_buffinit(L, &b);
    for (;;) {
        lua_pushvalue(L, 1);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (!lua_isstring(L, -1))
            return luaL_error(L, "reader function must return a string");
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_pushstring(L, name);
    lua_replace(L, 2);
    lua_replace(L, 1);
    return script_base_loadstring(L);
}

/* pcall as Redis 7.0 replaces it: an error table caught is returned as
 * its err string. */
static int script_base_pcall(lua_State *L)
{
    int argc = lua_gettop(L);
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_pushstring(L, "err");
            lua_rawget(L, -2);
            if (lua_isstring(L, -1))
                lua_replace(L, -2);
            else
                lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

/* Reads of undeclared globals (the real globals table's __index). */
static int script_globals_index(lua_State *L)
{
    const char *name = lua_tostring(L, 2);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                      name ? name : "?");
}

/* ---- Lua -> RESP: a script's result to its caller ---- */

/* Whether the error table at idx came from a command's error reply
 * (counted then: Redis counts it once). */
static bool script_error_counted(lua_State *L, int idx)
{
    lua_pushstring(L, "ignore_error_stats_update");
    lua_rawget(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
    bool counted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return counted;
}

/* Replies "-<msg>" (msg without the dash, its code first). An error the
 * command's own reply already counted is not counted again in INFO
 * errorstats, but the script's call still counts as failed, as Redis's
 * ERR_REPLY_FLAG_NO_STATS_UPDATE. */
static void script_reply_error_text(struct client *c, const char *msg, size_t len, bool counted)
{
    if (!counted) {
        char *full = alloc_bytes(len + 2);
        full[0] = '-';
        memcpy(full + 1, msg, len);
        full[len + 1] = '\0';
        reply_error(c, full);
        alloc_free(full);
        return;
    }
    struct buf b = {0};
    buf_append(&b, "-", 1);
    buf_append(&b, msg, len);
    for (size_t i = 1; i < b.len; i++)
        if (b.data[i] == '\r' || b.data[i] == '\n')
            b.data[i] = ' ';
    buf_append(&b, "\r\n", 2);
    reply_raw(c, b.data, b.len);
    buf_free(&b);
    if (c->cmd)
        ((struct command *)c->cmd)->stats.failed_calls++;
}

static void script_reply_value(lua_State *L, struct client *c, int depth);

static void script_reply_table(lua_State *L, struct client *c, int depth)
{
    /* err / ok / double / big_number / map / set, then an array */
    lua_pushstring(L, "err");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        script_reply_error_text(c, s, n, script_error_counted(L, -2));
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushstring(L, "ok");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        struct buf b = {0};
        buf_append(&b, "+", 1);
        size_t start = b.len;
        buf_append(&b, s, n);
        for (size_t i = start; i < b.len; i++)
            if (b.data[i] == '\r' || b.data[i] == '\n')
                b.data[i] = ' ';
        buf_append(&b, "\r\n", 2);
        reply_raw(c, b.data, b.len);
        buf_free(&b);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushstring(L, "double");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TNUMBER) {
        reply_double(c, (double)lua_tonumber(L, -1));
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushstring(L, "big_number");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        /* CR and LF become spaces, in either protocol (as Redis) */
        struct buf b = {0};
        buf_append(&b, s, n);
        for (size_t i = 0; i < b.len; i++)
            if (b.data[i] == '\r' || b.data[i] == '\n')
                b.data[i] = ' ';
        if (c->resp == 2) {
            reply_bulk(c, b.data ? b.data : "", b.len);
        } else {
            reply_raw(c, "(", 1);
            reply_raw(c, b.data ? b.data : "", b.len);
            reply_raw(c, "\r\n", 2);
        }
        buf_free(&b);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushstring(L, "verbatim_string");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_pushstring(L, "format");
        lua_rawget(L, -2);
        lua_pushstring(L, "string");
        lua_rawget(L, -3);
        size_t flen = 0, n = 0;
        const char *format = lua_tolstring(L, -2, &flen);
        const char *str = lua_tolstring(L, -1, &n);
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING && flen == 3) {
            reply_verbatim(c, str, n, format);
            lua_pop(L, 3);
            return;
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    lua_pushstring(L, "map");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE) {
        size_t handle = reply_defer_len(c);
        long long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2); /* the key, converted on a copy */
            script_reply_value(L, c, depth + 1);
            script_reply_value(L, c, depth + 1); /* pops the value */
            n++;
        }
        reply_set_defer_len(c, handle, n, '%');
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    lua_pushstring(L, "set");
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE) {
        size_t handle = reply_defer_len(c);
        long long n = 0;
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            lua_pushvalue(L, -1);
            script_reply_value(L, c, depth + 1);
            n++;
        }
        reply_set_defer_len(c, handle, n, '~');
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    /* An array: elements 1, 2, ... up to the first nil. */
    size_t handle = reply_defer_len(c);
    long long n = 0;
    for (;;) {
        lua_rawgeti(L, -1, (int)n + 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        script_reply_value(L, c, depth + 1);
        n++;
    }
    reply_set_defer_len(c, handle, n, '*');
}

/* Replies the value on top of L's stack and pops it. */
static void script_reply_value(lua_State *L, struct client *c, int depth)
{
    if (!lua_checkstack(L, 4)) { /* Lua's own bound on nesting, as in Redis */
        lua_pop(L, 1);
        reply_error(c, "reached lua stack limit");
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        reply_bulk(c, s, n);
        break;
    }
    case LUA_TBOOLEAN:
        /* the form follows redis.setresp, as Redis 7.0 (nulls follow the caller) */
        if (c->commands->scripts->resp == 2) {
            if (lua_toboolean(L, -1))
                reply_integer(c, 1);
            else
                reply_null(c);
        } else {
            reply_bool(c, lua_toboolean(L, -1));
        }
        break;
    case LUA_TNUMBER:
        reply_integer(c, (long long)lua_tonumber(L, -1));
        break;
    case LUA_TTABLE:
        script_reply_table(L, c, depth);
        break;
    default:
        reply_null(c);
        break;
    }
    lua_pop(L, 1);
}

/* ---- RESP -> Lua: a command's reply to redis.call ---- */

/* The line at *p (without CRLF): returns its length and moves *p past it. */
static size_t script_resp_line(const char **p, const char *end, const char **line)
{
    const char *s = *p;
    const char *crlf = s;
    while (crlf + 1 < end && !(crlf[0] == '\r' && crlf[1] == '\n'))
        crlf++;
    *line = s;
    *p = crlf + 2 <= end ? crlf + 2 : end;
    return (size_t)(crlf - s);
}

static long long script_resp_ll(const char *s, size_t n)
{
    char tmp[32];
    if (n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return strtoll(tmp, NULL, 10);
}

static void script_resp_push(lua_State *L, const char **p, const char *end);

static void script_push_field_table(lua_State *L, const char *field)
{
    /* value on top -> {field = value} */
    lua_newtable(L);
    lua_pushstring(L, field);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_remove(L, -2);
}

/* Pushes one reply read from *p. */
static void script_resp_push(lua_State *L, const char **p, const char *end)
{
    luaL_checkstack(L, 6, "reached lua stack limit");
    if (*p >= end) {
        lua_pushboolean(L, 0);
        return;
    }
    char type = **p;
    (*p)++;
    const char *line;
    size_t n = script_resp_line(p, end, &line);
    switch (type) {
    case '+':
        lua_pushlstring(L, line, n);
        script_push_field_table(L, "ok");
        return;
    case '-':
        script_push_error(L, line - 1, n + 1); /* "-CODE msg" */
        /* the command's own reply counted it in INFO errorstats already */
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        return;
    case ':':
        lua_pushnumber(L, (lua_Number)script_resp_ll(line, n));
        return;
    case '$':
    case '=': {
        long long len = script_resp_ll(line, n);
        if (len < 0) {
            lua_pushboolean(L, 0);
            return;
        }
        const char *data = *p;
        *p += len + 2;
        if (*p > end)
            *p = end;
        if (type == '$') {
            lua_pushlstring(L, data, (size_t)len);
            return;
        }
        /* {verbatim_string = {format = "txt", string = "..."}} */
        lua_newtable(L);
        lua_pushstring(L, "format");
        lua_pushlstring(L, data, len >= 3 ? 3 : (size_t)len);
        lua_rawset(L, -3);
        lua_pushstring(L, "string");
        lua_pushlstring(L, len >= 4 ? data + 4 : data, len >= 4 ? (size_t)len - 4 : 0);
        lua_rawset(L, -3);
        script_push_field_table(L, "verbatim_string");
        return;
    }
    case '*':
    case '~':
    case '%':
    case '>': {
        long long count = script_resp_ll(line, n);
        if (count < 0) {
            lua_pushboolean(L, 0);
            return;
        }
        lua_newtable(L);
        for (long long i = 0; i < count; i++) {
            if (type == '%') {
                script_resp_push(L, p, end);
                script_resp_push(L, p, end);
                lua_rawset(L, -3);
            } else if (type == '~') {
                script_resp_push(L, p, end);
                lua_pushboolean(L, 1);
                lua_rawset(L, -3);
            } else {
                script_resp_push(L, p, end);
                lua_rawseti(L, -2, (int)i + 1);
            }
        }
        if (type == '%')
            script_push_field_table(L, "map");
        else if (type == '~')
            script_push_field_table(L, "set");
        return;
    }
    case '_':
        lua_pushnil(L);
        return;
    case '#':
        lua_pushboolean(L, n > 0 && line[0] == 't');
        return;
    case ',': {
        char tmp[64];
        size_t k = n < sizeof(tmp) - 1 ? n : sizeof(tmp) - 1;
        memcpy(tmp, line, k);
        tmp[k] = '\0';
        lua_pushnumber(L, (lua_Number)strtod(tmp, NULL));
        script_push_field_table(L, "double");
        return;
    }
    case '(':
        lua_pushlstring(L, line, n);
        script_push_field_table(L, "big_number");
        return;
    case '|': {
        /* attributes are dropped; the reply follows them */
        long long count = script_resp_ll(line, n);
        for (long long i = 0; i < 2 * count; i++) {
            script_resp_push(L, p, end);
            lua_pop(L, 1);
        }
        script_resp_push(L, p, end);
        return;
    }
    default:
        lua_pushboolean(L, 0);
        return;
    }
}

/* ---- redis.call / redis.pcall ---- */

struct script_call_args {
    struct resp_arg *argv;
    char *numbers; /* owned text of the numeric arguments */
};

/* The command named by argv, its subcommand resolved; NULL if unknown. */
static struct command *script_lookup(struct commands *cs, int argc, struct resp_arg *argv)
{
    struct command *cmd = command_lookup(cs, argv[0].ptr, argv[0].len);
    if (!cmd || !cmd->subcommands)
        return cmd;
    if (argc < 2)
        return cmd; /* the container alone: its arity decides */
    struct command *sub = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
    return sub;
}

/* Runs the command; returns NULL (reply on the stack) or the error text
 * to raise / return (static or in err). */
static const char *script_call_checked(lua_State *L, struct commands *cs, struct script_state *st,
                                       int argc, struct resp_arg *argv, char *err, size_t err_len,
                                       struct command **rejected)
{
    struct command *cmd = script_lookup(cs, argc, argv);
    *rejected = NULL;
    if (!cmd)
        return "Unknown Redis command called from script";
    *rejected = cmd;
    if ((cmd->arity > 0 && cmd->arity != argc) || (argc < -cmd->arity) ||
        (cmd->subcommands && !cmd->proc && argc < 2))
        return "Wrong number of args calling Redis command from script";
    if ((cmd->flags & CMD_NOSCRIPT) && !cs->script_disable_deny)
        return "This Redis command is not allowed from script";
    struct client *fake = st->fake;
    struct client *caller = st->run->caller;
    fake->argc = argc;
    fake->argv = argv;
    fake->user = caller->user;
    fake->authenticated = true;
    if (fake->user && !acl_user_unrestricted(fake->user)) {
        char noperm[512];
        if (!acl_check_client(fake, cmd, false, noperm, sizeof(noperm))) {
            /* acl.c's NOPERM reason, in the words Redis uses for scripts */
            const char *what = "run this command or subcommand";
            if (strstr(noperm, "one of the keys"))
                what = "access at least one of the keys mentioned in the command arguments";
            else if (strstr(noperm, "one of the channels"))
                what = "publish to the channel mentioned in the command";
            snprintf(err, err_len, "The user executing the script can't %s", what);
            return err;
        }
    }
    bool write = cmd->flags & CMD_WRITE;
    if (st->read_only && (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE)))
        return "Write commands are not allowed from read-only scripts.";
    if (write && !st->wrote) {
        if (!(caller->flags & CLIENT_MASTER)) {
            if (rdb_save_writes_denied(cs->persist)) {
                snprintf(err, err_len, "-%s", RDB_SAVE_MISCONF_ERROR);
                return err;
            }
            char misconf[256];
            if (aof_writes_denied(cs->persist, misconf, sizeof(misconf))) {
                snprintf(err, err_len, "-%s", misconf);
                return err;
            }
            if ((cs->repl_replica || cs->config->min_replicas_to_write) && cs->repl_deny) {
                const char *denied = cs->repl_deny(cs->repl_ctx, caller, cmd);
                if (denied) {
                    snprintf(err, err_len, "-%s", denied);
                    return err;
                }
            }
        }
    }
    /* maxmemory: only a first write may be refused (later ones would leave
     * the script half done), and only if memory was over the limit when
     * the script started. */
    bool allow_oom = st->run->flags & SCRIPT_FLAG_ALLOW_OOM;
    if (!allow_oom && cs->config->maxmemory && !(caller->flags & CLIENT_MASTER) && !st->wrote &&
        st->oom_at_start && (cmd->flags & CMD_DENYOOM)) {
        snprintf(err, err_len, "-%s", EVICT_OOM_ERROR);
        return err;
    }
    /* A replica cut from its master with replica-serve-stale-data no runs
     * only stale-safe commands, even from an allow-stale script (Redis's
     * scriptVerifyAllowStale): what repl_deny calls MASTERDOWN. */
    if (cs->repl_replica && cs->repl_deny) {
        const char *denied = cs->repl_deny(cs->repl_ctx, caller, cmd);
        if (denied && strncmp(denied, "MASTERDOWN", 10) == 0)
            return "Can not execute the command on a stale replica";
    }
    *rejected = NULL;
    if (write)
        st->wrote = true;
    fake->resp = st->resp;
    fake->conn.out.len = 0;
    fake->conn.out_released = 0;
    fake->last_cmd = cmd;
    cs->call(fake, cmd);
    /* Under always, the script's reply waits for what this read. */
    dirty_keys_script_read(fake, cmd);
    const char *p = fake->conn.out.data ? fake->conn.out.data : "";
    const char *end = p + fake->conn.out.len;
    script_resp_push(L, &p, end);
    fake->conn.out.len = 0;
    fake->conn.out_released = 0;
    fake->argc = 0;
    fake->argv = NULL;
    return NULL;
}

static int script_redis_call_generic(lua_State *L, bool raise)
{
    struct commands *cs = script_commands_of(L);
    struct script_state *st = cs->scripts;
    int argc = lua_gettop(L);
    if (argc == 0 || !st->run) {
        script_push_error(L, "Please specify at least one argument for this redis lib call",
                          strlen("Please specify at least one argument for this redis lib call"));
        return raise ? lua_error(L) : 1;
    }
    struct resp_arg *argv = alloc_bytes(sizeof(*argv) * (size_t)argc);
    char *numbers = alloc_bytes((size_t)argc * 32);
    for (int i = 0; i < argc; i++) {
        int t = lua_type(L, i + 1);
        if (t == LUA_TNUMBER) {
            char *slot = numbers + (size_t)i * 32;
            int n = snprintf(slot, 32, "%.17g", (double)lua_tonumber(L, i + 1));
            argv[i].ptr = slot;
            argv[i].len = (size_t)n;
        } else if (t == LUA_TSTRING) {
            size_t n;
            argv[i].ptr = (char *)lua_tolstring(L, i + 1, &n);
            argv[i].len = n;
        } else {
            alloc_free(argv);
            alloc_free(numbers);
            const char *m = "Lua redis lib command arguments must be strings or integers";
            script_push_error(L, m, strlen(m));
            return raise ? lua_error(L) : 1;
        }
    }
    char err[512];
    struct command *rejected;
    const char *e = script_call_checked(L, cs, st, argc, argv, err, sizeof(err), &rejected);
    alloc_free(argv);
    alloc_free(numbers);
    if (e) {
        /* Counted now, as the refused command's error reply (Redis's
         * afterErrorReply on its script client), and not again when the
         * script replies it: the command counts as rejected. */
        struct client *fake = st->fake;
        const struct command *saved = fake->cmd;
        size_t keep = fake->conn.out.len;
        fake->cmd = NULL;
        reply_error(fake, e);
        fake->conn.out.len = keep;
        fake->cmd = saved;
        if (rejected)
            rejected->stats.rejected_calls++;
        script_push_error(L, e, strlen(e));
        lua_pushstring(L, "ignore_error_stats_update");
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
        return raise ? lua_error(L) : 1;
    }
    /* redis.call raises an error reply; redis.pcall returns it */
    if (raise && lua_istable(L, -1)) {
        lua_pushstring(L, "err");
        lua_rawget(L, -2);
        bool is_err = lua_type(L, -1) == LUA_TSTRING;
        lua_pop(L, 1);
        if (is_err)
            return lua_error(L);
    }
    return 1;
}

static int script_redis_call(lua_State *L)
{
    return script_redis_call_generic(L, true);
}

static int script_redis_pcall(lua_State *L)
{
    return script_redis_call_generic(L, false);
}

/* ---- the other redis.* functions ---- */

static int script_redis_sha1hex(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return script_raise(L, "wrong number of arguments");
    size_t n;
    const char *s = lua_tolstring(L, 1, &n);
    uint8_t digest[SHA1_DIGEST_BYTES];
    char hex[2 * SHA1_DIGEST_BYTES + 1];
    sha1_bytes(s ? s : "", s ? n : 0, digest);
    sha1_to_hex(digest, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int script_redis_error_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        script_push_error(L, "wrong number or type of arguments",
                          strlen("wrong number or type of arguments"));
        return 1;
    }
    size_t n;
    const char *s = lua_tolstring(L, 1, &n);
    if (n && s[0] == '-') {
        script_push_error(L, s, n);
    } else {
        lua_pushfstring(L, "-%s", s);
        size_t m;
        const char *t = lua_tolstring(L, -1, &m);
        script_push_error(L, t, m);
    }
    return 1;
}

static int script_redis_status_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        script_push_error(L, "wrong number or type of arguments",
                          strlen("wrong number or type of arguments"));
        return 1;
    }
    lua_newtable(L);
    lua_pushstring(L, "ok");
    lua_pushvalue(L, 1);
    lua_rawset(L, -3);
    return 1;
}

static int script_redis_log(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc < 2)
        return script_raise(L, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(L, 1))
        return script_raise(L, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(L, 1);
    if (level < 0 || level > 3)
        return script_raise(L, "Invalid debug level.");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 2; i <= argc; i++) {
        size_t n;
        const char *s = lua_tolstring(L, i, &n);
        if (!s)
            continue;
        if (i > 2)
            luaL_addchar(&b, ' ');
        luaL_addlstring(&b, s, n);
    }
    luaL_pushresult(&b);
    struct commands *cs = script_commands_of(L);
    static const enum loglevel levels[] = {LOGLEVEL_DEBUG, LOGLEVEL_VERBOSE, LOGLEVEL_NOTICE,
                                           LOGLEVEL_WARNING};
    log_write(cs->log, levels[level], "%s", lua_tostring(L, -1));
    return 0;
}

static int script_redis_setresp(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return script_raise(L, "redis.setresp() requires one argument.");
    int resp = (int)lua_tonumber(L, 1);
    if (resp != 2 && resp != 3)
        return script_raise(L, "RESP version must be 2 or 3.");
    struct commands *cs = script_commands_of(L);
    cs->scripts->resp = resp;
    return 0;
}

static int script_redis_set_repl(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return script_raise(L, "redis.set_repl() requires one argument.");
    int flags = (int)lua_tonumber(L, 1);
    if ((flags & ~3) != 0)
        return script_raise(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, "
                               "REPL_ALL or REPL_NONE.");
    /* REPL_AOF and REPL_REPLICA are propagate.c's two targets */
    propagate_set_targets(script_commands_of(L), (unsigned)flags);
    return 0;
}

static int script_redis_replicate_commands(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

static int script_redis_breakpoint(lua_State *L)
{
    lua_pushboolean(L, 0); /* no debugger session */
    return 1;
}

static int script_redis_debug(lua_State *L)
{
    (void)L;
    return 0;
}

static int script_redis_acl_check_cmd(lua_State *L)
{
    struct commands *cs = script_commands_of(L);
    struct script_state *st = cs->scripts;
    int argc = lua_gettop(L);
    if (argc == 0)
        return script_raise(L, "Please specify at least one argument for this redis lib call");
    struct resp_arg *argv = alloc_bytes(sizeof(*argv) * (size_t)argc);
    for (int i = 0; i < argc; i++) {
        size_t n;
        const char *s = lua_tolstring(L, i + 1, &n);
        if (!s) {
            alloc_free(argv);
            return script_raise(L, "Lua redis lib command arguments must be strings or integers");
        }
        argv[i].ptr = (char *)s;
        argv[i].len = n;
    }
    struct command *cmd = script_lookup(cs, argc, argv);
    if (!cmd) {
        alloc_free(argv);
        return script_raise(L, "Invalid command passed to redis.acl_check_cmd()");
    }
    bool ok = true;
    if (st->run && st->run->caller->user && !acl_user_unrestricted(st->run->caller->user)) {
        struct client *fake = st->fake;
        fake->user = st->run->caller->user;
        fake->argc = argc;
        fake->argv = argv;
        char msg[256];
        ok = acl_check_client(fake, cmd, false, msg, sizeof(msg));
        fake->argc = 0;
        fake->argv = NULL;
    }
    alloc_free(argv);
    lua_pushboolean(L, ok);
    return 1;
}

static void script_set_number(lua_State *L, const char *name, lua_Number v)
{
    lua_pushstring(L, name);
    lua_pushnumber(L, v);
    lua_rawset(L, -3);
}

static void script_set_function(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_pushstring(L, name);
    lua_pushcfunction(L, fn);
    lua_rawset(L, -3);
}

static void script_redis_table_create(lua_State *L)
{
    lua_newtable(L);
    script_set_function(L, "call", script_redis_call);
    script_set_function(L, "pcall", script_redis_pcall);
    script_set_function(L, "sha1hex", script_redis_sha1hex);
    script_set_function(L, "error_reply", script_redis_error_reply);
    script_set_function(L, "status_reply", script_redis_status_reply);
    script_set_function(L, "log", script_redis_log);
    script_set_function(L, "setresp", script_redis_setresp);
    script_set_function(L, "set_repl", script_redis_set_repl);
    script_set_function(L, "replicate_commands", script_redis_replicate_commands);
    script_set_function(L, "breakpoint", script_redis_breakpoint);
    script_set_function(L, "debug", script_redis_debug);
    script_set_function(L, "acl_check_cmd", script_redis_acl_check_cmd);
    script_set_number(L, "LOG_DEBUG", 0);
    script_set_number(L, "LOG_VERBOSE", 1);
    script_set_number(L, "LOG_NOTICE", 2);
    script_set_number(L, "LOG_WARNING", 3);
    script_set_number(L, "REPL_NONE", 0);
    script_set_number(L, "REPL_AOF", 1);
    script_set_number(L, "REPL_SLAVE", 2);
    script_set_number(L, "REPL_REPLICA", 2);
    script_set_number(L, "REPL_ALL", 3);
    lua_pushstring(L, "REDIS_VERSION");
    lua_pushstring(L, "7.0.15");
    lua_rawset(L, -3);
    script_set_number(L, "REDIS_VERSION_NUM", (7 << 16) | (0 << 8) | 15);
    lua_pushvalue(L, -1);
    script_registry_set(L, &script_key_redis);
    lua_setglobal(L, "redis");
}

/* ---- the state ---- */

static void script_open_lib(lua_State *L, lua_CFunction open, const char *name)
{
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

lua_State *script_lua_new(struct commands *cs, enum script_lua_kind kind)
{
    (void)kind;
    struct script_lua_mem *m = alloc_zeroed(sizeof(*m));
    lua_State *L = lua_newstate(script_lua_alloc, m);
    lua_pushlightuserdata(L, cs);
    script_registry_set(L, &script_key_state);
    script_open_lib(L, luaopen_base, "");
    script_open_lib(L, luaopen_table, LUA_TABLIBNAME);
    script_open_lib(L, luaopen_string, LUA_STRLIBNAME);
    script_open_lib(L, luaopen_math, LUA_MATHLIBNAME);
    /* cjson and bit register themselves as globals too; set them
     * explicitly whatever their build does */
    lua_pushcfunction(L, luaopen_cjson);
    lua_call(L, 0, 1);
    lua_setglobal(L, "cjson");
    lua_pushcfunction(L, luaopen_bit);
    lua_call(L, 0, 1);
    lua_setglobal(L, "bit");
    lua_pushcfunction(L, script_luaopen_cmsgpack);
    lua_call(L, 0, 1);
    lua_setglobal(L, "cmsgpack");
    lua_pushcfunction(L, script_luaopen_struct);
    lua_call(L, 0, 1);
    lua_setglobal(L, "struct");
    static const char *const removed[] = {"print",  "dofile",  "loadfile", "getfenv",
                                          "setfenv", "newproxy", "module",   "require",
                                          "package"};
    for (size_t i = 0; i < sizeof(removed) / sizeof(removed[0]); i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    script_proxy_mt_create(L);
    lua_pushcfunction(L, script_base_rawset);
    lua_setglobal(L, "rawset");
    lua_pushcfunction(L, script_base_rawget);
    lua_setglobal(L, "rawget");
    lua_pushcfunction(L, script_base_getmetatable);
    lua_setglobal(L, "getmetatable");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, script_base_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_pushcfunction(L, script_base_next);
    lua_pushvalue(L, -1);
    lua_setglobal(L, "next");
    lua_pushcclosure(L, script_base_pairs, 1);
    lua_setglobal(L, "pairs");
    lua_pushcfunction(L, script_base_ipairs);
    lua_setglobal(L, "ipairs");
    lua_pushcfunction(L, script_base_loadstring);
    lua_setglobal(L, "loadstring");
    lua_pushcfunction(L, script_base_pcall);
    lua_setglobal(L, "pcall");
    lua_pushcfunction(L, script_base_load);
    lua_setglobal(L, "load");
    lua_pushcfunction(L, script_error_handler);
    lua_pushvalue(L, -1);
    script_registry_set(L, &script_key_handler);
    lua_setglobal(L, "__redis__err__handler");
    script_redis_table_create(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    script_registry_set(L, &script_key_globals);
    return L;
}

void script_lua_free(lua_State *L)
{
    if (!L)
        return;
    void *ud;
    lua_getallocf(L, &ud);
    lua_close(L);
    alloc_free(ud);
}

void script_lua_globals(lua_State *L)
{
    script_registry_get(L, &script_key_globals);
}

void script_lua_redis_table(lua_State *L)
{
    script_registry_get(L, &script_key_redis);
}

/* Makes every table field of the table at idx read-only, depth first,
 * each table once (seen: a set at the top of the stack's index). */
static void script_seal_fields(lua_State *L, int idx, int seen)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_istable(L, -1) && !script_is_proxy(L, -1)) {
            lua_pushvalue(L, -1);
            lua_rawget(L, seen);
            bool was = !lua_isnil(L, -1);
            lua_pop(L, 1);
            if (!was) {
                lua_pushvalue(L, -1);
                lua_pushboolean(L, 1);
                lua_rawset(L, seen);
                int t = lua_gettop(L);
                script_seal_fields(L, t, seen);
                script_lua_readonly(L, t);
                /* store the proxy back under the same key */
                lua_pushvalue(L, -2);
                lua_pushvalue(L, -2);
                lua_rawset(L, idx);
            }
        }
        lua_pop(L, 1);
    }
}

void script_lua_seal(lua_State *L)
{
    script_lua_globals(L);
    int g = lua_gettop(L);
    lua_newtable(L);
    int seen = lua_gettop(L);
    lua_pushvalue(L, g);
    lua_pushboolean(L, 1);
    lua_rawset(L, seen);
    /* the string metatable: its __index is the (sealed) string table */
    script_seal_fields(L, g, seen);
    lua_pushstring(L, "");
    if (lua_getmetatable(L, -1)) {
        int mt = lua_gettop(L);
        lua_pushstring(L, "__index");
        lua_getglobal(L, "string");
        lua_rawset(L, mt);
        lua_pushstring(L, "__metatable");
        lua_pushvalue(L, mt);
        script_lua_readonly(L, -1);
        lua_rawset(L, mt);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pop(L, 1); /* seen */
    /* reads of undeclared globals raise */
    lua_newtable(L);
    lua_pushstring(L, "__index");
    lua_pushcfunction(L, script_globals_index);
    lua_rawset(L, -3);
    lua_setmetatable(L, g);
    /* _G and the globals seen by code compiled from now on: the proxy.
     * getmetatable(_G) shows a (read-only) table, as Redis's does. */
    lua_pushvalue(L, g);
    script_lua_readonly(L, -1);
    lua_getmetatable(L, -1);
    lua_pushstring(L, "__metatable");
    lua_newtable(L);
    script_lua_readonly(L, -1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_pushstring(L, "_G");
    lua_pushvalue(L, -2);
    lua_rawset(L, g);
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_pop(L, 1);
}

/* ---- flags ---- */

static const struct {
    const char *name;
    unsigned flag;
} script_flag_names[] = {
    {"no-writes", SCRIPT_FLAG_NO_WRITES},
    {"allow-oom", SCRIPT_FLAG_ALLOW_OOM},
    {"allow-stale", SCRIPT_FLAG_ALLOW_STALE},
    {"no-cluster", SCRIPT_FLAG_NO_CLUSTER},
    {"allow-cross-slot-keys", SCRIPT_FLAG_ALLOW_CROSS_SLOT},
};

unsigned script_flag_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(script_flag_names) / sizeof(script_flag_names[0]); i++)
        if (strlen(script_flag_names[i].name) == len &&
            memcmp(script_flag_names[i].name, name, len) == 0)
            return script_flag_names[i].flag;
    return 0;
}

void script_flags_names(unsigned flags, void (*fn)(const char *name, void *ctx), void *ctx)
{
    for (size_t i = 0; i < sizeof(script_flag_names) / sizeof(script_flag_names[0]); i++)
        if (flags & script_flag_names[i].flag)
            fn(script_flag_names[i].name, ctx);
}

/* ---- running ---- */

static void script_lua_hook(lua_State *L, lua_Debug *ar);

static struct client *script_fake_client(struct commands *cs)
{
    struct script_state *st = cs->scripts;
    if (!st->fake) {
        st->fake = client_create(cs, -1);
        st->fake->flags |= CLIENT_FAKE | CLIENT_SCRIPT | CLIENT_DENY_BLOCKING;
        st->fake->authenticated = true;
        /* the peer Redis shows for its script client (SLOWLOG) */
        snprintf(st->fake->conn.addr, sizeof(st->fake->conn.addr), "?:0");
    }
    return st->fake;
}

bool script_lua_prepare(struct commands *cs, const struct script_run *run)
{
    struct client *c = run->caller;
    if (run->flags & SCRIPT_FLAG_EVAL_COMPAT)
        return true;
    bool obey = c->flags & CLIENT_MASTER;
    /* Declared flags replace the command's: a script that may write is
     * refused under OOM unless allow-oom (Redis's scriptFlagsToCmdFlags
     * and processCommand). */
    if (!(run->flags & (SCRIPT_FLAG_NO_WRITES | SCRIPT_FLAG_ALLOW_OOM)) && !obey &&
        cs->config->maxmemory && evict_perform(cs) == EVICT_FAIL) {
        reply_error(c, "-" EVICT_OOM_ERROR);
        return false;
    }
    if (!(run->flags & SCRIPT_FLAG_NO_WRITES) && !obey) {
        if (rdb_save_writes_denied(cs->persist)) {
            reply_error(c, "-" RDB_SAVE_MISCONF_ERROR);
            return false;
        }
        char misconf[256];
        if (aof_writes_denied(cs->persist, misconf, sizeof(misconf))) {
            char msg[300];
            snprintf(msg, sizeof(msg), "-%s", misconf);
            reply_error(c, msg);
            return false;
        }
    }
    /* NOREPLICAS, READONLY, MASTERDOWN, judged on the declared flags as
     * dispatch judges a command on its own (the texts are the same). */
    if ((cs->repl_replica || cs->config->min_replicas_to_write) && cs->repl_deny) {
        struct command probe = {
            .name = "eval",
            .flags = (run->flags & SCRIPT_FLAG_NO_WRITES ? 0 : CMD_WRITE) |
                     (run->flags & SCRIPT_FLAG_ALLOW_STALE ? CMD_STALE : 0),
        };
        const char *denied = cs->repl_deny(cs->repl_ctx, c, &probe);
        if (denied) {
            char msg[300];
            snprintf(msg, sizeof(msg), "-%s", denied);
            reply_error(c, msg);
            return false;
        }
    }
    if (!(run->flags & SCRIPT_FLAG_NO_WRITES)) {
        if (run->ro) {
            reply_error(c, "Can not execute a script with write flag using *_ro command.");
            return false;
        }
    }
    return true;
}

void script_lua_run(lua_State *L, const struct script_run *run, const struct resp_arg *keys,
                    int nkeys, const struct resp_arg *args, int nargs)
{
    struct commands *cs = run->caller->commands;
    struct script_state *st = cs->scripts;
    if (!script_lua_prepare(cs, run)) {
        lua_pop(L, 1);
        return;
    }
    int base = lua_gettop(L); /* the function */
    script_registry_get(L, &script_key_handler);
    lua_insert(L, base); /* handler below the function */
    /* KEYS / ARGV */
    lua_createtable(L, nkeys, 0);
    for (int i = 0; i < nkeys; i++) {
        lua_pushlstring(L, keys[i].ptr, keys[i].len);
        lua_rawseti(L, -2, i + 1);
    }
    lua_createtable(L, nargs, 0);
    for (int i = 0; i < nargs; i++) {
        lua_pushlstring(L, args[i].ptr, args[i].len);
        lua_rawseti(L, -2, i + 1);
    }
    int call_args = 2;
    if (run->is_eval) {
        script_lua_globals(L);
        lua_pushstring(L, "ARGV");
        lua_pushvalue(L, -3);
        lua_rawset(L, -3);
        lua_pushstring(L, "KEYS");
        lua_pushvalue(L, -4);
        lua_rawset(L, -3);
        lua_pop(L, 3);
        call_args = 0;
    }
    struct client *fake = script_fake_client(cs);
    fake->db = run->caller->db;
    /* The script's commands run nested in the caller's: dispatch_call
     * then keeps the time frozen (no key expires mid-script), and clients
     * blocked on keys the script changes are served after it, as Redis. */
    fake->cmd = run->caller->cmd;
    st->run = run;
    st->L = L;
    st->start_ms = log_clock_ms();
    /* No key expires while the script runs (keyspace_expire_now). */
    cs->keyspace->frozen_ms = cs->keyspace->now_ms;
    st->busy = st->killed = st->wrote = false;
    st->read_only = run->ro || (run->flags & SCRIPT_FLAG_NO_WRITES);
    st->resp = 2;
    st->oom_at_start = false;
    if (cs->config->maxmemory) {
        size_t used = alloc_used_bytes();
        size_t not_counted = evict_not_counted_bytes(cs);
        used = used > not_counted ? used - not_counted : 0;
        st->oom_at_start = used > (size_t)cs->config->maxmemory;
    }
    lua_sethook(L, script_lua_hook, LUA_MASKCOUNT, SCRIPT_HOOK_INSTRUCTIONS);
    int err = lua_pcall(L, call_args, 1, base);
    lua_sethook(L, NULL, 0, 0);
    propagate_set_targets(cs, PROPAGATE_AOF | PROPAGATE_REPL);
    if (st->busy) {
        st->busy = false;
        cs->script_busy = false;
        conn_unprotect(&run->caller->conn);
        /* a master's stream waited (dispatch_input): it runs now */
        for (struct client *o = client_first(cs); o; o = client_next(o))
            if (o->flags & CLIENT_MASTER)
                conn_resume(&o->conn);
    }
    struct client *c = run->caller;
    if (err) {
        if (!lua_istable(L, -1)) {
            const char *msg = lua_tostring(L, -1);
            reply_errorf(c, "Error running script %s, %.100s", run->name,
                         msg ? msg : "execution failure");
        } else {
            struct buf b = {0};
            buf_append(&b, "-", 1);
            lua_pushstring(L, "err");
            lua_rawget(L, -2);
            size_t n = 0;
            const char *s = lua_tolstring(L, -1, &n);
            if (s)
                buf_append(&b, s, n);
            lua_pop(L, 1);
            lua_pushstring(L, "source");
            lua_rawget(L, -2);
            lua_pushstring(L, "line");
            lua_rawget(L, -3);
            const char *source = lua_tostring(L, -2);
            const char *line = lua_tostring(L, -1);
            if (source && line) {
                char tail[256];
                int k = snprintf(tail, sizeof(tail), " script: %s, on %s:%s.", run->name, source,
                                 line);
                buf_append(&b, tail, (size_t)k < sizeof(tail) ? (size_t)k : sizeof(tail) - 1);
            }
            lua_pop(L, 2);
            script_reply_error_text(c, b.data + 1, b.len - 1, script_error_counted(L, -1));
            buf_free(&b);
        }
        lua_pop(L, 1);
    } else {
        script_reply_value(L, c, 0);
    }
    lua_pop(L, 1); /* the handler */
    fake->cmd = NULL;
    st->run = NULL;
    st->L = NULL;
    cs->keyspace->frozen_ms = 0;
    void *ud;
    lua_getallocf(L, &ud);
    struct script_lua_mem *m = ud;
    if (++m->gc_calls >= SCRIPT_GC_CALLS) {
        m->gc_calls = 0;
        lua_gc(L, LUA_GCSTEP, SCRIPT_GC_CALLS); /* a step, not a full cycle: latency */
    }
}

/* ---- the busy machinery ---- */

static void script_lua_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct commands *cs = script_commands_of(L);
    struct script_state *st = cs->scripts;
    if (!st->run)
        return;
    long long elapsed = log_clock_ms() - st->start_ms;
    /* A script replayed from an old AOF (a fake caller) never serves
     * clients from inside the load. */
    if (!st->busy && elapsed >= cs->config->busy_reply_threshold &&
        st->run->caller->conn.fd >= 0) {
        log_write(cs->log, LOGLEVEL_WARNING,
                  "Slow script detected: still in execution after %lld milliseconds. You can "
                  "try killing the script using the %s command. Script name is: %s.",
                  elapsed, st->run->is_eval ? "SCRIPT KILL" : "FUNCTION KILL", st->run->name);
        st->busy = true;
        cs->script_busy = true;
        /* the caller reads nothing more and cannot be freed until the end */
        conn_protect(&st->run->caller->conn);
    }
    if (st->busy)
        loop_serve_once(cs->loop);
    if (st->killed || cs->loop->stopping) {
        log_write(cs->log, LOGLEVEL_WARNING, "Lua script killed by user with SCRIPT KILL.");
        /* called at every line from now on, so pcall cannot swallow it */
        lua_sethook(L, script_lua_hook, LUA_MASKLINE, 0);
        script_raise(L, SCRIPT_KILLED_ERROR);
    }
}

bool script_busy(const struct commands *cs)
{
    return cs->scripts && cs->scripts->busy;
}

bool script_running(const struct commands *cs)
{
    return cs->scripts && cs->scripts->run;
}

const struct script_run *script_current(const struct commands *cs, long long *duration_ms)
{
    if (!cs->scripts || !cs->scripts->run)
        return NULL;
    if (duration_ms)
        *duration_ms = log_clock_ms() - cs->scripts->start_ms;
    return cs->scripts->run;
}

const char *script_busy_error(const struct commands *cs)
{
    return cs->scripts->run && !cs->scripts->run->is_eval ? SCRIPT_BUSY_FUNCTION
                                                          : SCRIPT_BUSY_EVAL;
}

void script_kill(struct client *c, bool is_eval)
{
    struct script_state *st = c->commands->scripts;
    if (!st->run) {
        reply_error(c, "NOTBUSY No scripts in execution right now.");
        return;
    }
    if (st->run->caller->flags & CLIENT_MASTER) {
        reply_error(c, "UNKILLABLE The busy script was sent by a master instance in the context "
                       "of replication and cannot be killed.");
        return;
    }
    if (st->wrote) {
        reply_error(c, "UNKILLABLE Sorry the script already executed write commands against the "
                       "dataset. You can either wait the script termination or kill the server "
                       "in a hard way using the SHUTDOWN NOSAVE command.");
        return;
    }
    if (is_eval != st->run->is_eval) {
        reply_error(c, st->run->is_eval ? SCRIPT_BUSY_EVAL : SCRIPT_BUSY_FUNCTION);
        return;
    }
    st->killed = true;
    reply_ok(c);
}

uint32_t script_command_flags(struct client *c, const struct command *cmd, uint32_t cmd_flags)
{
    /* FCALL / FCALL_RO: the called function's flags (Redis's
     * fcallGetCommandFlags and scriptFlagsToCmdFlags). */
    struct script_state *st = c->commands->scripts;
    if (!st || !st->fcall_flags || cmd->name[0] != 'f')
        return cmd_flags;
    int flags = st->fcall_flags(c);
    if (flags < 0)
        return cmd_flags;
    cmd_flags &= ~(uint32_t)(CMD_STALE | CMD_DENYOOM | CMD_WRITE);
    if (!(flags & (SCRIPT_FLAG_ALLOW_OOM | SCRIPT_FLAG_NO_WRITES)))
        cmd_flags |= CMD_DENYOOM;
    if (!(flags & SCRIPT_FLAG_NO_WRITES))
        cmd_flags |= CMD_WRITE;
    if (flags & SCRIPT_FLAG_ALLOW_STALE)
        cmd_flags |= CMD_STALE;
    return cmd_flags;
}

void script_set_fcall_flags(struct commands *cs, int (*lookup)(struct client *c))
{
    cs->scripts->fcall_flags = lookup;
}

void script_init(struct commands *cs)
{
    cs->scripts = alloc_zeroed(sizeof(*cs->scripts));
}

void script_free(struct commands *cs)
{
    if (!cs->scripts)
        return;
    /* The fake client is a connection of the loop's like any other: the
     * server closes every one before the layer goes (server.c). */
    alloc_free(cs->scripts);
    cs->scripts = NULL;
}
