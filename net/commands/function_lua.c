/* function_lua.c: the Lua engine of function libraries (see function_lua.h).
 *
 * Owns the engine's Lua state, the restricted environment a library's
 * body runs in while it loads (only `redis` with register_function, log,
 * the LOG_* levels and the version; any other name is an error, every
 * table read-only), register_function's two call forms with Redis 7.0's
 * error texts, and the load timeout. Each library's chunk gets its own
 * environment table; once loaded, that table reads the ordinary globals,
 * so the functions it registered see what any script sees.
 *
 * Redis swaps the __index of one global metatable between the two
 * environments; Lua 5.1's setfenv gives the same result per chunk. The
 * state itself, its sandbox, the runtime's redis table and running a
 * function are the shared script runtime's (script_lua.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "engine/alloc.h"
#include "net/commands/function_lua.h"
#include "net/commands/script_lua.h"

/* Instructions between two looks at the clock while a library loads. */
#define FUNCTION_LUA_HOOK_INSTRUCTIONS 100000

const struct function_flag_name function_flag_names[] = {
    {FUNCTION_FLAG_NO_WRITES, "no-writes"},
    {FUNCTION_FLAG_ALLOW_OOM, "allow-oom"},
    {FUNCTION_FLAG_ALLOW_STALE, "allow-stale"},
    {FUNCTION_FLAG_NO_CLUSTER, "no-cluster"},
    {FUNCTION_FLAG_ALLOW_CROSS_SLOT, "allow-cross-slot-keys"},
    {0, NULL},
};

struct function_lua {
    lua_State *L;           /* owned (script_lua_new) */
    int load_env_ref;       /* metatable of a loading chunk's environment */
    int run_env_ref;        /* metatable of a loaded chunk's environment */
    /* While a library loads: */
    void *loading;                /* the library being loaded (borrowed), or NULL */
    function_lua_add add;         /* its registry's add, while loading */
    long long load_start_ms;
    int load_timeout_ms;
};

static long long function_lua_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Raises a Redis-style error object {err = "ERR <msg>"}, as Redis's
 * luaPushError + luaError: no position is added. */
static int function_lua_raise(lua_State *L, const char *msg)
{
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushfstring(L, "ERR %s", msg);
    lua_settable(L, -3);
    return lua_error(L);
}

/* __index of a protected table: the real table (upvalue 1) has the name,
 * or reading it is an error (Redis's luaProtectedTableError). */
static int function_lua_protected_index(lua_State *L)
{
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    if (!lua_isnil(L, -1))
        return 1;
    if (!lua_isstring(L, 2))
        return luaL_error(L, "Second argument to luaProtectedTableError must be a string or "
                             "number");
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                      lua_tostring(L, 2));
}

static int function_lua_readonly_newindex(lua_State *L)
{
    return luaL_error(L, "Attempt to modify a readonly table");
}

/* Pushes a metatable reading real (at index real_idx) through
 * function_lua_protected_index and refusing writes. */
static void function_lua_push_protecting_meta(lua_State *L, int real_idx)
{
    real_idx = real_idx < 0 ? lua_gettop(L) + real_idx + 1 : real_idx;
    lua_newtable(L);
    lua_pushstring(L, "__index");
    lua_pushvalue(L, real_idx);
    lua_pushcclosure(L, function_lua_protected_index, 1);
    lua_rawset(L, -3);
    lua_pushstring(L, "__newindex");
    lua_pushcfunction(L, function_lua_readonly_newindex);
    lua_rawset(L, -3);
    lua_pushstring(L, "__metatable");
    lua_pushboolean(L, 0);
    lua_rawset(L, -3);
}

/* Replaces the table at the top with an empty proxy that reads it through
 * a protecting metatable. */
static void function_lua_protect_top(lua_State *L)
{
    lua_newtable(L);
    function_lua_push_protecting_meta(L, -2);
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

static struct function_lua *function_lua_self(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

/* ---- redis.register_function ---- */

struct function_lua_args {
    const char *name;
    size_t name_len;
    const char *desc;
    size_t desc_len;
    bool has_name, has_desc;
    uint32_t flags;
    int ref; /* LUA_NOREF until the callback is kept */
};

/* The flags table at the top of the stack; false on an unknown flag. */
static bool function_lua_read_flags(lua_State *L, uint32_t *flags)
{
    uint32_t out = 0;
    for (int j = 1;; j++) {
        lua_rawgeti(L, -1, j);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        if (!lua_isstring(L, -1)) {
            lua_pop(L, 1);
            return false;
        }
        const char *name = lua_tostring(L, -1);
        bool found = false;
        for (const struct function_flag_name *f = function_flag_names; f->name; f++) {
            if (strcasecmp(f->name, name) == 0) {
                out |= f->flag;
                found = true;
                break;
            }
        }
        lua_pop(L, 1);
        if (!found)
            return false;
    }
    *flags = out;
    return true;
}

/* register_function{function_name=, callback=, flags=, description=}.
 * The strings stay valid while the table (argument 1) is on the stack.
 * Returns NULL or the error text. */
static const char *function_lua_named_args(lua_State *L, struct function_lua_args *a)
{
    if (!lua_istable(L, 1))
        return "calling redis.register_function with a single argument is only applicable to "
               "Lua table (representing named arguments).";
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        /* Stack: table, key, value. A number key is read through a copy,
         * so lua_next's key stays intact. */
        if (!lua_isstring(L, -2)) {
            lua_pop(L, 2);
            return "named argument key given to redis.register_function is not a string";
        }
        char keybuf[32];
        lua_pushvalue(L, -2);
        snprintf(keybuf, sizeof(keybuf), "%s", lua_tostring(L, -1));
        lua_pop(L, 1);
        if (strcasecmp(keybuf, "function_name") == 0) {
            if (!lua_isstring(L, -1)) {
                lua_pop(L, 2);
                return "function_name argument given to redis.register_function must be a "
                       "string";
            }
            /* A number converts in place: the value is not the key, so
             * lua_next is not disturbed. The table keeps it alive. */
            a->name = lua_tolstring(L, -1, &a->name_len);
            a->has_name = true;
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, 1); /* keep the converted string referenced by the table */
        } else if (strcasecmp(keybuf, "description") == 0) {
            if (!lua_isstring(L, -1)) {
                lua_pop(L, 2);
                return "description argument given to redis.register_function must be a "
                       "string";
            }
            a->desc = lua_tolstring(L, -1, &a->desc_len);
            a->has_desc = true;
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, 1);
        } else if (strcasecmp(keybuf, "callback") == 0) {
            if (!lua_isfunction(L, -1)) {
                lua_pop(L, 2);
                return "callback argument given to redis.register_function must be a function";
            }
            if (a->ref != LUA_NOREF)
                luaL_unref(L, LUA_REGISTRYINDEX, a->ref);
            a->ref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops the value */
            continue;
        } else if (strcasecmp(keybuf, "flags") == 0) {
            if (!lua_istable(L, -1)) {
                lua_pop(L, 2);
                return "flags argument to redis.register_function must be a table "
                       "representing function flags";
            }
            if (!function_lua_read_flags(L, &a->flags)) {
                lua_pop(L, 2);
                return "unknown flag given";
            }
        } else {
            lua_pop(L, 2);
            return "unknown argument given to redis.register_function";
        }
        lua_pop(L, 1);
    }
    if (!a->has_name)
        return "redis.register_function must get a function name argument";
    if (a->ref == LUA_NOREF)
        return "redis.register_function must get a callback argument";
    return NULL;
}

/* register_function(name, callback). */
static const char *function_lua_positional_args(lua_State *L, struct function_lua_args *a)
{
    if (!lua_isstring(L, 1))
        return "first argument to redis.register_function must be a string";
    if (!lua_isfunction(L, 2))
        return "second argument to redis.register_function must be a function";
    a->name = lua_tolstring(L, 1, &a->name_len);
    a->has_name = true;
    lua_pushvalue(L, 2);
    a->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return NULL;
}

static int function_lua_register(lua_State *L)
{
    struct function_lua *fl = function_lua_self(L);
    if (fl->loading == NULL)
        return function_lua_raise(L, "redis.register_function can only be called on FUNCTION "
                                     "LOAD command");
    int argc = lua_gettop(L);
    if (argc < 1 || argc > 2)
        return function_lua_raise(L, "wrong number of arguments to redis.register_function");
    struct function_lua_args a = {.ref = LUA_NOREF};
    const char *why = argc == 1 ? function_lua_named_args(L, &a)
                                : function_lua_positional_args(L, &a);
    char err[FUNCTION_ERROR_BYTES];
    if (why == NULL) {
        if (fl->add(fl->loading, a.name, a.name_len, a.desc, a.desc_len, a.has_desc,
                             a.flags, a.ref, err, sizeof(err)))
            return 0;
        why = err;
    }
    if (a.ref != LUA_NOREF)
        luaL_unref(L, LUA_REGISTRYINDEX, a.ref);
    return function_lua_raise(L, why);
}

/* ---- the state ---- */

/* The fields the loading `redis` table shares with the runtime's. */
static const char *const function_lua_load_api[] = {
    "log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION",
    "REDIS_VERSION_NUM", NULL};

/* The load-time `redis` table and the metatables of chunk environments.
 * Called before the state is sealed, with the runtime's redis table real. */
static void function_lua_build_envs(struct function_lua *fl)
{
    lua_State *L = fl->L;
    /* redis (loading): register_function and what the runtime's redis
     * table has of log, LOG_* and the version. */
    lua_newtable(L);
    lua_pushlightuserdata(L, fl);
    lua_pushcclosure(L, function_lua_register, 1);
    lua_setfield(L, -2, "register_function");
    script_lua_redis_table(L);
    for (int i = 0; function_lua_load_api[i]; i++) {
        lua_getfield(L, -1, function_lua_load_api[i]);
        lua_setfield(L, -3, function_lua_load_api[i]);
    }
    lua_pop(L, 1);
    function_lua_protect_top(L);
    /* The loading globals: redis only. */
    lua_newtable(L);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "redis");
    function_lua_push_protecting_meta(L, -1);
    fl->load_env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 2);
}

/* After the seal: a loaded chunk's environment reads the sealed globals
 * (whose own metatable refuses undeclared names) and refuses writes. */
static void function_lua_build_run_env(struct function_lua *fl)
{
    lua_State *L = fl->L;
    lua_newtable(L);
    lua_pushstring(L, "__index");
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_rawset(L, -3);
    lua_pushstring(L, "__newindex");
    lua_pushcfunction(L, function_lua_readonly_newindex);
    lua_rawset(L, -3);
    lua_pushstring(L, "__metatable");
    lua_pushboolean(L, 0);
    lua_rawset(L, -3);
    fl->run_env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* What EVAL's redis table has and a function's has not (Redis 7.0
 * registers them for EVAL only: effects replication is the only kind, and
 * the debugger is EVAL's). */
static const char *const function_lua_eval_only[] = {"replicate_commands", "breakpoint", "debug",
                                                     NULL};

struct function_lua *function_lua_new(struct commands *cs)
{
    struct function_lua *fl = alloc_zeroed(sizeof(*fl));
    fl->L = script_lua_new(cs, SCRIPT_LUA_FUNCTION);
    script_lua_redis_table(fl->L);
    for (int i = 0; function_lua_eval_only[i]; i++) {
        lua_pushnil(fl->L);
        lua_setfield(fl->L, -2, function_lua_eval_only[i]);
    }
    lua_pop(fl->L, 1);
    function_lua_build_envs(fl);
    script_lua_seal(fl->L);
    function_lua_build_run_env(fl);
    return fl;
}

void function_lua_free(struct function_lua *fl)
{
    if (fl == NULL)
        return;
    script_lua_free(fl->L);
    alloc_free(fl);
}

void function_lua_release(struct function_lua *fl, int ref)
{
    luaL_unref(fl->L, LUA_REGISTRYINDEX, ref);
}

size_t function_lua_memory(const struct function_lua *fl)
{
    return script_lua_memory(fl->L);
}

struct lua_State *function_lua_state(struct function_lua *fl)
{
    return fl->L;
}

/* ---- loading a library ---- */

static struct function_lua *function_lua_hook_owner;

static void function_lua_load_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    struct function_lua *fl = function_lua_hook_owner;
    if (fl == NULL || fl->load_timeout_ms <= 0)
        return;
    if (function_lua_now_ms() - fl->load_start_ms > fl->load_timeout_ms) {
        /* Every line from now on fails too, so a pcall cannot swallow it. */
        lua_sethook(L, function_lua_load_hook, LUA_MASKLINE, 0);
        function_lua_raise(L, "FUNCTION LOAD timeout");
    }
}

/* The error at the top as Redis's luaExtractErrorInformation reads it:
 * a string gets the ERR code, a table gives its err field. */
static void function_lua_error_text(lua_State *L, char *out, size_t out_len)
{
    if (lua_isstring(L, -1)) {
        snprintf(out, out_len, "ERR %s", lua_tostring(L, -1));
        return;
    }
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "err");
        if (lua_isstring(L, -1)) {
            snprintf(out, out_len, "%s", lua_tostring(L, -1));
            lua_pop(L, 1);
            return;
        }
        lua_pop(L, 1);
    }
    snprintf(out, out_len, "ERR unknown error");
}

bool function_lua_create(struct function_lua *fl, function_lua_add add, void *lib,
                         const char *body, size_t len, int timeout_ms, char *err, size_t err_len)
{
    lua_State *L = fl->L;
    int top = lua_gettop(L);
    if (luaL_loadbuffer(L, body, len, "@user_function") != 0) {
        snprintf(err, err_len, "Error compiling function: %s", lua_tostring(L, -1));
        lua_settop(L, top);
        return false;
    }
    /* The chunk's own environment, reading the loading globals. */
    int chunk_idx = lua_gettop(L);
    lua_newtable(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, fl->load_env_ref);
    lua_setmetatable(L, -2);
    int env_idx = lua_gettop(L);
    lua_pushvalue(L, env_idx);
    lua_setfenv(L, chunk_idx);
    fl->loading = lib;
    fl->add = add;
    fl->load_start_ms = function_lua_now_ms();
    fl->load_timeout_ms = timeout_ms;
    function_lua_hook_owner = fl;
    lua_sethook(L, function_lua_load_hook, LUA_MASKCOUNT, FUNCTION_LUA_HOOK_INSTRUCTIONS);
    lua_pushvalue(L, chunk_idx);
    bool ok = lua_pcall(L, 0, 0, 0) == 0;
    lua_sethook(L, NULL, 0, 0);
    function_lua_hook_owner = NULL;
    fl->loading = NULL;
    if (!ok) {
        char why[FUNCTION_ERROR_BYTES];
        function_lua_error_text(L, why, sizeof(why));
        snprintf(err, err_len, "Error registering functions: %s", why);
    } else {
        /* From now on the functions read the ordinary globals. */
        lua_rawgeti(L, LUA_REGISTRYINDEX, fl->run_env_ref);
        lua_setmetatable(L, env_idx);
    }
    lua_settop(L, top);
    return ok;
}
