/* script_lua.h: the Lua 5.1 runtime shared by EVAL (script_eval.c) and
 * FUNCTION / FCALL (the functions module).
 *
 * Owns what Redis 7.0's script_lua.c and script.c own: the sandboxed
 * lua_State (only the libraries Redis exposes, globals read-only, reads of
 * undeclared globals refused), the `redis` table (call, pcall, error_reply,
 * status_reply, sha1hex, log, setresp, set_repl, replicate_commands,
 * breakpoint, debug, acl_check_cmd, the LOG_* / REPL_* constants and
 * REDIS_VERSION / REDIS_VERSION_NUM), the conversions between RESP and Lua
 * both ways (RESP2 and RESP3, as Redis documents them), the run of one
 * script or function (its flags enforced, its error reply formatted, its
 * writes wrapped as one unit of propagation), redis.call through ringkv's
 * own dispatch on a script-owned fake client, and the busy machinery (a
 * count hook; past busy-reply-threshold the loop keeps answering other
 * clients with -BUSY, and SCRIPT KILL / FUNCTION KILL / SHUTDOWN NOSAVE
 * work).
 *
 * How the two users drive it (API note for the functions module):
 *
 *   lua_State *L = script_lua_new(cs, SCRIPT_LUA_FUNCTION);
 *       // a sandboxed state with the redis table; add your own entries
 *       // (redis.register_function...) with script_lua_redis_table /
 *       // plain Lua API while it is still writable, then
 *   script_lua_seal(L);
 *       // makes _G and every library table read-only (Redis 7.0's
 *       // "Attempt to modify a readonly table"); from then on reading an
 *       // undeclared global raises "Script attempted to access
 *       // nonexistent global variable 'x'".
 *   // compile user code (chunk name "@user_function" for functions,
 *   // "@user_script" for EVAL) and keep the functions you want in the
 *   // registry (luaL_ref).
 *
 *   struct script_run run = {
 *       .caller = c, .name = "myfunc", .is_eval = false,
 *       .flags = lib_flags (enum script_flag), .ro = is_fcall_ro,
 *   };
 *   lua_rawgeti(L, LUA_REGISTRYINDEX, fn_ref);          // the function
 *   script_lua_run(L, &run, keys, nkeys, args, nargs);
 *       // pops it, runs it with (KEYS, ARGV) as two table arguments
 *       // (functions) or as the globals KEYS / ARGV (EVAL), and writes
 *       // exactly one reply to c: the converted result or the error,
 *       // "... script: <name>, on @user_function:<line>." style.
 *
 *   script_flags_parse() turns "no-writes" etc. into enum script_flag
 *   (shebang and register_function share it). script_kill() is SCRIPT
 *   KILL / FUNCTION KILL. script_busy() tells whether a script is past
 *   the threshold (dispatch then answers script_busy_error()).
 *
 * One script runs at a time (scripts are atomic); its state lives in
 * cs->scripts (struct script_state, owned here). */
#ifndef RINGKV_NET_COMMANDS_SCRIPT_LUA_H
#define RINGKV_NET_COMMANDS_SCRIPT_LUA_H

#include <lua.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire/resp.h"

struct client;
struct command;
struct commands;

/* Script flags, Redis 7.0's names ("#!lua flags=..." and the flags of
 * redis.register_function). */
enum script_flag {
    SCRIPT_FLAG_NO_WRITES = 1 << 0,        /* "no-writes" */
    SCRIPT_FLAG_ALLOW_OOM = 1 << 1,        /* "allow-oom" */
    SCRIPT_FLAG_ALLOW_STALE = 1 << 2,      /* "allow-stale" */
    SCRIPT_FLAG_NO_CLUSTER = 1 << 3,       /* "no-cluster" */
    SCRIPT_FLAG_ALLOW_CROSS_SLOT = 1 << 4, /* "allow-cross-slot-keys" */
    /* An EVAL script without a shebang: the command's own flags apply
     * (Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE). Never set for functions. */
    SCRIPT_FLAG_EVAL_COMPAT = 1 << 8,
};

/* Parses one flag name (len bytes); returns its enum script_flag bit, or
 * 0 when unknown. */
unsigned script_flag_by_name(const char *name, size_t len);
/* The flag names set in flags, in Redis's order, for FUNCTION LIST:
 * calls fn once per name. */
void script_flags_names(unsigned flags, void (*fn)(const char *name, void *ctx), void *ctx);

enum script_lua_kind {
    SCRIPT_LUA_EVAL,     /* EVAL's state: KEYS / ARGV globals, "@user_script" */
    SCRIPT_LUA_FUNCTION, /* the functions engine's state: keys/args arguments */
};

/* A new sandboxed state: libraries base (less print, dofile, loadfile,
 * getfenv, setfenv, module/require), table, string, math, coroutine,
 * cjson, bit, struct and cmsgpack when present, loadstring/load refusing
 * bytecode, the redis table, the error handler. Still writable: call
 * script_lua_seal once the caller has added its own globals. Owned: free
 * with script_lua_free. */
lua_State *script_lua_new(struct commands *cs, enum script_lua_kind kind);
void script_lua_free(lua_State *L);
/* Makes the globals and every table reachable from them read-only (as
 * Redis 7.0's patched Lua does) and turns on the undeclared-global read
 * error. Raw sets into the real globals table (script_lua_globals) still
 * work from C (EVAL's KEYS and ARGV). */
void script_lua_seal(lua_State *L);
/* Pushes the real (unprotected) globals table. */
void script_lua_globals(lua_State *L);
/* Pushes the real `redis` table (to add register_function...). */
void script_lua_redis_table(lua_State *L);
/* Makes the table at idx read-only in place: it becomes an empty proxy
 * of its old contents. Returns nothing; the proxy replaces the value at
 * idx. */
void script_lua_readonly(lua_State *L, int idx);
/* Bytes the state's allocations take now (INFO used_memory_lua /
 * used_memory_vm_functions). */
size_t script_lua_memory(lua_State *L);

/* One run of a script or function. */
struct script_run {
    struct client *caller;   /* replied to */
    const char *name;        /* EVAL: the SHA1 (40 hex); functions: the function name */
    bool is_eval;            /* EVAL/EVALSHA(_RO) vs FCALL(_RO): texts and KILL */
    bool ro;                 /* EVAL_RO, EVALSHA_RO, FCALL_RO */
    unsigned flags;          /* enum script_flag */
};

/* Checks that come before the run (Redis's scriptPrepareForRun): the
 * no-cluster, allow-stale, write-on-replica, MISCONF, *_ro with a write
 * flag and min-replicas rules. Replies the error to run->caller and
 * returns false when refused. script_lua_run calls it itself; exposed for
 * callers that want to refuse before work of their own. */
bool script_lua_prepare(struct commands *cs, const struct script_run *run);
/* Pops the Lua function on top of L's stack and runs it (see the note
 * above), then replies once to run->caller. keys/args are borrowed. */
void script_lua_run(lua_State *L, const struct script_run *run, const struct resp_arg *keys,
                    int nkeys, const struct resp_arg *args, int nargs);

/* Declared script flags are applied by script_lua_prepare (OOM, MISCONF,
 * READONLY / NOREPLICAS / MASTERDOWN, *_ro), with the texts processCommand
 * gives for the command flags Redis derives from them. script_command_flags
 * gives dispatch those derived flags for FCALL once the functions module
 * installed its lookup with script_set_fcall_flags (that module's code);
 * for any other command it returns cmd_flags unchanged. */
uint32_t script_command_flags(struct client *c, const struct command *cmd, uint32_t cmd_flags);
void script_set_fcall_flags(struct commands *cs, int (*lookup)(struct client *c));

/* Whether a script is running past busy-reply-threshold (other commands
 * are refused with script_busy_error()). */
bool script_busy(const struct commands *cs);
/* "BUSY Redis is busy running a script. You can only call SCRIPT KILL or
 * SHUTDOWN NOSAVE." (FUNCTION KILL for a function). */
const char *script_busy_error(const struct commands *cs);
/* SCRIPT KILL (is_eval) / FUNCTION KILL: replies +OK, -NOTBUSY,
 * -UNKILLABLE or -BUSY as Redis 7.0. */
void script_kill(struct client *c, bool is_eval);
/* Whether a script (any, even under the threshold) is running now. */
bool script_running(const struct commands *cs);
/* The running script's run (name, is_eval, caller: its argv is the
 * command that started it) and how long it has run, for FUNCTION STATS;
 * NULL when none runs. */
const struct script_run *script_current(const struct commands *cs, long long *duration_ms);

/* script_msgpack.c: opens the cmsgpack library (pushes its table). */
int script_luaopen_cmsgpack(lua_State *L);
/* script_struct.c: opens the struct library (pushes its table). */
int script_luaopen_struct(lua_State *L);

/* Layer set-up (dispatch_init / dispatch_free). */
void script_init(struct commands *cs);
void script_free(struct commands *cs);

/* script_eval.c: EVAL's state and script cache (set up after
 * script_init), and INFO memory's used_memory_lua / used_memory_vm_eval,
 * used_memory_scripts_eval and number_of_cached_scripts. */
void script_eval_init(struct commands *cs);
void script_eval_free(struct commands *cs);
void script_eval_info(const struct commands *cs, size_t *vm_bytes, size_t *scripts_bytes,
                      long long *count);

#endif
