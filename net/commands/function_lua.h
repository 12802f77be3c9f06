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

struct function_lib;
struct commands;
struct lua_State;

struct function_lua;

/* A new engine (its own Lua state). */
struct function_lua *function_lua_new(struct commands *cs);
void function_lua_free(struct function_lua *fl);
/* Runs a library's body (the code after its shebang line, which starts
 * with that line's newline so that line numbers match the source) and
 * registers its functions in lib through function_lib_add. timeout_ms 0:
 * no time limit. Returns false with err filled with Redis's text. */
bool function_lua_create(struct function_lua *fl, struct function_lib *lib, const char *body,
                         size_t len, int timeout_ms, char *err, size_t err_len);
/* Releases a registered callback. */
void function_lua_release(struct function_lua *fl, int ref);
/* Bytes the Lua state uses. */
size_t function_lua_memory(const struct function_lua *fl);
/* The state, for running a function (FCALL). */
struct lua_State *function_lua_state(struct function_lua *fl);

/* Defined in function.c, called by register_function: adds a function to
 * lib, taking ownership of ref. Returns false with Redis's text in err
 * (ref then still the caller's). */
bool function_lib_add(struct function_lib *lib, const char *name, size_t name_len,
                      const char *desc, size_t desc_len, bool has_desc, uint32_t flags, int ref,
                      char *err, size_t err_len);

#endif
