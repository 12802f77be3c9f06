/* function_lua.h: the Lua engine of function libraries (function_lua.c).
 *
 * One Lua state holds every library's functions, as in Redis 7.0, apart
 * from EVAL's. Loading a library runs its body in a restricted global
 * environment whose only name is `redis` with register_function, log,
 * the LOG_* levels and the version fields; each function registered
 * keeps that chunk's environment, which after the load reads the
 * ordinary sandboxed globals instead. */
#ifndef RINGKV_NET_COMMANDS_FUNCTION_LUA_H
#define RINGKV_NET_COMMANDS_FUNCTION_LUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct commands;
struct lua_State;

struct function_lua;

/* Function flags, the values of the script runtime's enum script_flag
 * (script_lua.h); FUNCTION LIST names them in this order. */
enum function_flag {
    FUNCTION_FLAG_NO_WRITES = 1 << 0,      /* SCRIPT_FLAG_NO_WRITES */
    FUNCTION_FLAG_ALLOW_OOM = 1 << 1,      /* SCRIPT_FLAG_ALLOW_OOM */
    FUNCTION_FLAG_ALLOW_STALE = 1 << 2,    /* SCRIPT_FLAG_ALLOW_STALE */
    FUNCTION_FLAG_NO_CLUSTER = 1 << 3,     /* SCRIPT_FLAG_NO_CLUSTER */
    FUNCTION_FLAG_ALLOW_CROSS_SLOT = 1 << 4, /* SCRIPT_FLAG_ALLOW_CROSS_SLOT */
};
/* Names by flag, {0, NULL}-terminated, in Redis's order. */
struct function_flag_name {
    uint32_t flag;
    const char *name;
};
extern const struct function_flag_name function_flag_names[];

/* Room for a load error's text. */
#define FUNCTION_ERROR_BYTES 512

/* What register_function does with a function: the registry's (function.c)
 * add, given by the caller of function_lua_create, taking ownership of ref
 * when it returns true, else filling err with Redis's text (ref then still
 * the engine's). */
typedef bool (*function_lua_add)(void *lib, const char *name, size_t name_len, const char *desc,
                                 size_t desc_len, bool has_desc, uint32_t flags, int ref,
                                 char *err, size_t err_len);

/* A new engine (its own Lua state). */
struct function_lua *function_lua_new(struct commands *cs);
void function_lua_free(struct function_lua *fl);
/* Runs a library's body (the code after its shebang line, which starts
 * with that line's newline so that line numbers match the source) and
 * hands each function it registers to add(lib, ...). timeout_ms 0: no
 * time limit. Returns false with err filled with Redis's text. */
bool function_lua_create(struct function_lua *fl, function_lua_add add, void *lib,
                         const char *body, size_t len, int timeout_ms, char *err, size_t err_len);
/* Releases a registered callback. */
void function_lua_release(struct function_lua *fl, int ref);
/* Bytes the Lua state uses. */
size_t function_lua_memory(const struct function_lua *fl);
/* The state, for running a function (FCALL). */
struct lua_State *function_lua_state(struct function_lua *fl);

#endif
