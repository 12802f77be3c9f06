/* function.h: Redis 7.0's function libraries (FUNCTION LOAD and friends).
 *
 * A library is a source text starting with a `#!<engine> name=<lib>`
 * shebang; loading it runs it once in a restricted Lua environment where
 * it registers its functions with redis.register_function. The registry
 * (function.c) holds the libraries and their functions (names looked up
 * case-insensitively, as Redis does), parses shebangs, and keeps the list
 * of sources that every RDB save and AOF rewrite writes (persist's
 * `functions`); loads hand each saved library back to it. The Lua side
 * (function_lua.c) owns the engine's own Lua state, separate from EVAL's
 * as in Redis. The commands are cmd_function.c's.
 *
 * A set of libraries is a unit: FUNCTION RESTORE compiles a payload into a
 * new set and joins it to the live one only if nothing collides. */
#ifndef RINGKV_NET_COMMANDS_FUNCTION_H
#define RINGKV_NET_COMMANDS_FUNCTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/library_codes.h"
#include "net/commands/function_lua.h"

struct client;
struct commands;
struct function_lua;

/* The engine Redis 7.0 has, its only one. */
#define FUNCTION_ENGINE_NAME "LUA"
/* A FUNCTION LOAD from a client may run this long (Redis's LOAD_TIMEOUT_MS);
 * loads from a file, a master or RESTORE are not timed. */
#define FUNCTION_LOAD_TIMEOUT_MS 500

struct function_lib;

struct function_def {
    struct dict_node link;     /* in function_set.functions */
    char *name;                /* owned, NUL-terminated */
    size_t name_len;
    char *desc;                /* owned, or NULL */
    size_t desc_len;
    uint32_t flags;            /* enum function_flag */
    int ref;                   /* the callback in the engine's Lua registry */
    struct function_lib *lib;  /* borrowed back-pointer */
};

struct function_lib {
    char *name;                    /* owned */
    char *code;                    /* owned: the whole source, shebang included */
    size_t code_len;
    struct function_def **functions; /* owned array of owned, in registration order */
    size_t count, cap;
};

/* Libraries in load order, and their functions by name. */
struct function_set {
    struct function_lib **libs; /* owned array of owned */
    size_t count, cap;
    struct dict functions;      /* struct function_def nodes, borrowed from libs */
};

struct function_registry {
    struct commands *cs;        /* borrowed */
    struct function_set live;
    struct function_lua *lua;   /* owned */
    /* The sources of live's libraries, for persist (rebuilt on change). */
    struct library_code *codes; /* owned array */
    struct library_codes code_list;
    /* The function FCALL runs now, its caller and start (FUNCTION STATS),
     * or NULL. */
    const struct function_def *running;
    struct client *running_caller; /* borrowed while running */
    long long running_start_ms;
};

/* Sets up cs->functions and points cs->persist's hooks at it. */
void function_init(struct commands *cs);
void function_free(struct commands *cs);

/* Compiles code[0..len) into set: the shebang checked, the body run, its
 * functions registered. replace: an existing library of the same name is
 * replaced (kept if anything fails). timeout_ms 0: not timed. Returns the
 * library (owned by set), or NULL with err filled with Redis's text. */
struct function_lib *function_load(struct function_registry *reg, struct function_set *set,
                                   const char *code, size_t len, bool replace, int timeout_ms,
                                   char *err, size_t err_len);
/* The live library called name (case-sensitive), or NULL. */
struct function_lib *function_lib_find(struct function_set *set, const char *name, size_t len);
/* Removes lib from the live set and frees it. */
void function_lib_delete(struct function_registry *reg, struct function_lib *lib);
/* The function called name (any case), or NULL. */
struct function_def *function_find(struct function_set *set, const char *name, size_t len);
/* Empties the live set and starts a new Lua engine (FUNCTION FLUSH). */
void function_flush_all(struct function_registry *reg);

void function_set_init(struct function_set *set);
/* Frees every library of set (their callbacks released in reg's engine). */
void function_set_clear(struct function_registry *reg, struct function_set *set);
/* Moves src's libraries into the live set. replace: live libraries of the
 * same names are dropped; otherwise a name collision fails. A function
 * name colliding with another library's fails either way. On failure
 * nothing changed and err holds Redis's text; src is emptied on success. */
bool function_set_join(struct function_registry *reg, struct function_set *src, bool replace,
                       char *err, size_t err_len);
/* Frees the live set's libraries and makes src's the live ones (FUNCTION
 * RESTORE FLUSH); src is left empty. */
void function_set_swap_live(struct function_registry *reg, struct function_set *src);
/* After any change to the live set: rebuilds the list persist writes. */
void function_codes_refresh(struct function_registry *reg);

/* ---- running (function_run.c, on the shared script runtime) ---- */

/* FCALL / FCALL_RO of f with c's argv: keys from argv[3], numkeys of them
 * (checked), then the arguments. Replies once. */
void function_run(struct client *c, const struct function_def *f, bool ro, int numkeys);
/* FUNCTION KILL. */
void function_kill(struct client *c);
/* Whether an EVAL script (not a function) is running now. */
bool function_eval_running(struct commands *cs);
/* FUNCTION STATS's running_script value: null, or {name, command,
 * duration_ms}. */
void function_reply_running(struct client *c);
/* Installs FCALL's flag lookup in the script runtime (dispatch's checks
 * see a no-writes function as read-only, as Redis does). */
void function_run_init(struct commands *cs);

/* Counts for INFO and FUNCTION STATS. */
size_t function_count(const struct function_registry *reg);
size_t function_lib_count(const struct function_registry *reg);
/* Bytes the engine's Lua state uses (used_memory_vm_functions). */
size_t function_vm_memory(const struct function_registry *reg);
/* Bytes of the registry's own structures (used_memory_functions). */
size_t function_overhead_memory(const struct function_registry *reg);

#endif
