/* script_eval.c: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.
 *
 * Owns EVAL's Lua state and the script cache: every script EVAL or SCRIPT
 * LOAD compiled, by the SHA1 of its body (lower-case hex), with the flags
 * its "#!lua flags=..." shebang declared and the compiled function (kept
 * in the state's registry). SCRIPT FLUSH drops the cache and the whole
 * state, as Redis's scriptingReset. Running a script is script_lua.c's:
 * this file finds the function and hands it KEYS and ARGV.
 *
 * Scripts are propagated as their effects: EVAL itself is never logged
 * (CMD_NO_PROPAGATE_SELF); the write commands it runs through redis.call
 * form one unit, wrapped in MULTI/EXEC when there are several
 * (propagate.c), as Redis 7.0 does. SCRIPT FLUSH and SCRIPT LOAD are not
 * propagated either (7.0 does neither). */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/dict.h"
#include "engine/number.h"
#include "engine/sha1.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/reply.h"
#include "net/commands/script_lua.h"
#include "net/core/args.h"

#define SCRIPT_SHA_LEN 40
#define SCRIPT_NOSCRIPT_ERROR "-NOSCRIPT No matching script. Please use EVAL."

struct script_entry {
    struct dict_node node;
    char sha[SCRIPT_SHA_LEN + 1]; /* lower case */
    size_t body_bytes;
    unsigned flags;               /* enum script_flag */
    int ref;                      /* the compiled function, in the registry */
};

struct script_eval {
    lua_State *L;           /* owned */
    struct dict scripts;    /* struct script_entry, owned */
    size_t scripts_bytes;   /* bodies and SHAs, as used_memory_scripts_eval */
};

static uint64_t script_entry_hash(const struct dict_node *node)
{
    const struct script_entry *e = (const struct script_entry *)node;
    return dict_hash_bytes_nocase(e->sha, SCRIPT_SHA_LEN);
}

static bool script_entry_equal(const struct dict_node *node, const void *key, size_t len)
{
    const struct script_entry *e = (const struct script_entry *)node;
    return len == SCRIPT_SHA_LEN && strncasecmp(e->sha, key, len) == 0;
}

static const struct dict_type script_entry_type = {
    .hash_node = script_entry_hash,
    .key_equal = script_entry_equal,
};

static void script_eval_state_new(struct commands *cs)
{
    struct script_eval *se = cs->script_eval;
    se->L = script_lua_new(cs, SCRIPT_LUA_EVAL);
    script_lua_seal(se->L);
}

static void script_entry_free(struct dict_node *node, void *ctx)
{
    (void)ctx;
    alloc_free(node);
}

static void script_eval_flush(struct commands *cs)
{
    struct script_eval *se = cs->script_eval;
    dict_clear(&se->scripts, script_entry_free, NULL);
    se->scripts_bytes = 0;
    script_lua_free(se->L);
    script_eval_state_new(cs);
}

static struct script_entry *script_find(struct script_eval *se, const char *sha, size_t len)
{
    if (len != SCRIPT_SHA_LEN)
        return NULL;
    return (struct script_entry *)dict_find(&se->scripts, sha, len,
                                            dict_hash_bytes_nocase(sha, len));
}

/* Parses "#!lua flags=a,b" (Redis's evalExtractShebangFlags). On success
 * sets *flags and *skip (the shebang's length, its newline kept so line
 * numbers stay right); on error writes the message into err. */
static bool script_shebang(const char *body, size_t len, unsigned *flags, size_t *skip, char *err,
                           size_t err_len)
{
    *flags = SCRIPT_FLAG_EVAL_COMPAT;
    *skip = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!')
        return true;
    const char *nl = memchr(body, '\n', len);
    if (!nl) {
        snprintf(err, err_len, "Invalid script shebang");
        return false;
    }
    char *scratch = NULL;
    size_t scratch_cap = 0, parts_cap = 0;
    struct resp_arg *parts = NULL;
    int n = args_split(body, (size_t)(nl - body), &scratch, &scratch_cap, &parts, &parts_cap);
    bool ok = true;
    if (n <= 0) {
        snprintf(err, err_len, "Invalid engine in script shebang");
        ok = false;
    } else if (parts[0].len != 5 || memcmp(parts[0].ptr, "#!lua", 5) != 0) {
        snprintf(err, err_len, "Unexpected engine in script shebang: %.*s", (int)parts[0].len,
                 parts[0].ptr);
        ok = false;
    }
    unsigned f = 0;
    for (int i = 1; ok && i < n; i++) {
        if (parts[i].len < 6 || memcmp(parts[i].ptr, "flags=", 6) != 0) {
            snprintf(err, err_len, "Unknown lua shebang option: %.*s", (int)parts[i].len,
                     parts[i].ptr);
            ok = false;
            break;
        }
        const char *p = parts[i].ptr + 6, *end = parts[i].ptr + parts[i].len;
        if (p == end)
            continue; /* "flags=": none */
        for (;;) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *stop = comma ? comma : end;
            unsigned bit = script_flag_by_name(p, (size_t)(stop - p));
            if (!bit) {
                snprintf(err, err_len, "Unexpected flag in script shebang: %.*s",
                         (int)(stop - p), p);
                ok = false;
                break;
            }
            f |= bit;
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    alloc_free(scratch);
    alloc_free(parts);
    if (!ok)
        return false;
    *flags = f;
    *skip = (size_t)(nl - body);
    return true;
}

/* The cached script for body, compiled and added if new; NULL after
 * replying the error (shebang, compilation) to c. */
static struct script_entry *script_create(struct client *c, const char *body, size_t len)
{
    struct script_eval *se = c->commands->script_eval;
    uint8_t digest[SHA1_DIGEST_BYTES];
    char sha[SCRIPT_SHA_LEN + 1];
    sha1_bytes(body, len, digest);
    sha1_to_hex(digest, sha);
    struct script_entry *e = script_find(se, sha, SCRIPT_SHA_LEN);
    if (e)
        return e;
    unsigned flags;
    size_t skip;
    char err[512];
    if (!script_shebang(body, len, &flags, &skip, err, sizeof(err))) {
        reply_error(c, err);
        return NULL;
    }
    lua_State *L = se->L;
    if (luaL_loadbuffer(L, body + skip, len - skip, "@user_script")) {
        reply_errorf(c, "Error compiling script (new function): %s", lua_tostring(L, -1));
        lua_pop(L, 1);
        return NULL;
    }
    e = alloc_zeroed(sizeof(*e));
    memcpy(e->sha, sha, sizeof(sha));
    e->flags = flags;
    e->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    e->body_bytes = len;
    dict_add(&se->scripts, &e->node, dict_hash_bytes_nocase(sha, SCRIPT_SHA_LEN));
    se->scripts_bytes += len + SCRIPT_SHA_LEN + 1;
    return e;
}

static void script_eval_generic(struct client *c, bool evalsha, bool ro)
{
    struct commands *cs = c->commands;
    /* EVAL is skip_monitor so that monitors see it before the commands it
     * runs, as Redis feeds it explicitly. */
    if (cs->monitors)
        client_feed_monitors(c);
    long long numkeys;
    if (!number_parse_ll(c->argv[2].ptr, c->argv[2].len, &numkeys)) {
        reply_error_not_integer(c);
        return;
    }
    if (numkeys > c->argc - 3) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        reply_error(c, "Number of keys can't be negative");
        return;
    }
    struct script_eval *se = cs->script_eval;
    struct script_entry *e;
    if (evalsha) {
        e = script_find(se, c->argv[1].ptr, c->argv[1].len);
        if (!e) {
            reply_error(c, SCRIPT_NOSCRIPT_ERROR);
            return;
        }
    } else {
        e = script_create(c, c->argv[1].ptr, c->argv[1].len);
        if (!e)
            return;
    }
    struct script_run run = {
        .caller = c, .name = e->sha, .is_eval = true, .ro = ro, .flags = e->flags,
    };
    lua_State *L = se->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ref);
    script_lua_run(L, &run, c->argv + 3, (int)numkeys, c->argv + 3 + numkeys,
                   c->argc - 3 - (int)numkeys);
}

static void script_eval_command(struct client *c)
{
    script_eval_generic(c, false, false);
}

static void script_evalsha_command(struct client *c)
{
    script_eval_generic(c, true, false);
}

static void script_eval_ro_command(struct client *c)
{
    script_eval_generic(c, false, true);
}

static void script_evalsha_ro_command(struct client *c)
{
    script_eval_generic(c, true, true);
}

/* ---- SCRIPT ---- */

static void script_load_command(struct client *c)
{
    struct script_entry *e = script_create(c, c->argv[2].ptr, c->argv[2].len);
    if (e)
        reply_bulk(c, e->sha, SCRIPT_SHA_LEN);
}

static void script_exists_command(struct client *c)
{
    struct script_eval *se = c->commands->script_eval;
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_integer(c, script_find(se, c->argv[i].ptr, c->argv[i].len) ? 1 : 0);
}

static void script_flush_command(struct client *c)
{
    if (c->argc > 3 || (c->argc == 3 && !arg_equals(&c->argv[2], "sync") &&
                        !arg_equals(&c->argv[2], "async"))) {
        reply_error(c, "SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    /* ASYNC frees the same way: the state is small next to a dataset. */
    script_eval_flush(c->commands);
    reply_ok(c);
}

static void script_kill_command(struct client *c)
{
    script_kill(c, true);
}

static void script_debug_command(struct client *c)
{
    if (arg_equals(&c->argv[2], "no")) {
        reply_ok(c);
    } else if (arg_equals(&c->argv[2], "yes") || arg_equals(&c->argv[2], "sync")) {
        /* ringkv has no Lua debugger (LDB) */
        reply_error(c, "SCRIPT DEBUG is not supported by this server");
    } else {
        reply_error(c, "Use SCRIPT DEBUG YES/SYNC/NO");
    }
}

static void script_help_command(struct client *c)
{
    static const char *const lines[] = {
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        NULL,
    };
    reply_help(c, "SCRIPT", lines);
}

/* ---- INFO and set-up ---- */

void script_eval_info(const struct commands *cs, size_t *vm_bytes, size_t *scripts_bytes,
                      long long *count)
{
    const struct script_eval *se = cs->script_eval;
    *vm_bytes = se && se->L ? script_lua_memory(se->L) : 0;
    *scripts_bytes = se ? se->scripts_bytes + dict_buckets(&se->scripts) * sizeof(void *) : 0;
    *count = se ? (long long)dict_size(&se->scripts) : 0;
}

void script_eval_init(struct commands *cs)
{
    cs->script_eval = alloc_zeroed(sizeof(*cs->script_eval));
    dict_init(&cs->script_eval->scripts, &script_entry_type);
    script_eval_state_new(cs);
}

void script_eval_free(struct commands *cs)
{
    struct script_eval *se = cs->script_eval;
    if (!se)
        return;
    dict_clear(&se->scripts, script_entry_free, NULL);
    script_lua_free(se->L);
    alloc_free(se);
    cs->script_eval = NULL;
}

#define EVAL_FLAGS \
    (CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_NO_PROPAGATE_SELF)
#define EVAL_ARGS "script^s numkeys^i key^k#0?* arg^s?*"
#define EVALSHA_ARGS "sha1^s numkeys^i key^k#0?* arg^s?*"

/* In the order redis-server 7.0.15 lists them (COMMAND INFO / DOCS). */
static struct command script_subcommands[] = {
    {.name = "load", .proc = script_load_command, .arity = 3, .flags = CMD_NOSCRIPT | CMD_STALE,
     .acl = ACL_SLOW | ACL_SCRIPTING,
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Load the specified Lua script into the script cache.", .since = "2.6.0",
     .group = "scripting",
     .complexity = "O(N) with N being the length in bytes of the script body.",
     .arguments = "script^s"},
    {.name = "help", .proc = script_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_SCRIPTING,
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0",
     .group = "scripting", .complexity = "O(1)"},
    {.name = "exists", .proc = script_exists_command, .arity = -3, .flags = CMD_NOSCRIPT,
     .acl = ACL_SLOW | ACL_SCRIPTING,
     .tips = "request_policy:all_shards response_policy:agg_logical_and",
     .summary = "Check existence of scripts in the script cache.", .since = "2.6.0",
     .group = "scripting",
     .complexity = "O(N) with N being the number of scripts to check (so checking a single "
                   "script is an O(1) operation).",
     .arguments = "sha1^s*"},
    {.name = "flush", .proc = script_flush_command, .arity = -2, .flags = CMD_NOSCRIPT,
     .acl = ACL_SLOW | ACL_SCRIPTING,
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Remove all the scripts from the script cache.", .since = "2.6.0",
     .group = "scripting", .complexity = "O(N) with N being the number of scripts in cache",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."}, {0}},
     .arguments = "async^o@6.2.0?(async^t='ASYNC' sync^t='SYNC')"},
    {.name = "kill", .proc = script_kill_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_ALLOW_BUSY, .acl = ACL_SLOW | ACL_SCRIPTING,
     .tips = "request_policy:all_shards response_policy:one_succeeded",
     .summary = "Kill the script currently in execution.", .since = "2.6.0",
     .group = "scripting", .complexity = "O(1)"},
    {.name = "debug", .proc = script_debug_command, .arity = 3, .flags = CMD_NOSCRIPT,
     .acl = ACL_SLOW | ACL_SCRIPTING,
     .summary = "Set the debug mode for executed scripts.", .since = "3.2.0",
     .group = "scripting", .complexity = "O(1)",
     .arguments = "mode^o(yes^t='YES' sync^t='SYNC' no^t='NO')"},
    {0},
};

struct command script_commands[] = {
    {.name = "eval", .proc = script_eval_command, .arity = -3, .flags = EVAL_FLAGS,
     .acl = ACL_SLOW | ACL_SCRIPTING, .key_specs = "RW access update/i2/n0,1,1",
     .key_spec_notes = {"We cannot tell how the keys will be used so we assume the worst, RW "
                        "and UPDATE"},
     .summary = "Execute a Lua script server side", .since = "2.6.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.", .arguments = EVAL_ARGS},
    {.name = "evalsha", .proc = script_evalsha_command, .arity = -3, .flags = EVAL_FLAGS,
     .acl = ACL_SLOW | ACL_SCRIPTING, .key_specs = "RW access update/i2/n0,1,1",
     .summary = "Execute a Lua script server side", .since = "2.6.0", .group = "scripting",
     .complexity = "Depends on the script that is executed.", .arguments = EVALSHA_ARGS},
    {.name = "eval_ro", .proc = script_eval_ro_command, .arity = -3,
     .flags = CMD_READONLY | EVAL_FLAGS, .acl = ACL_SLOW | ACL_SCRIPTING,
     .key_specs = "RO access/i2/n0,1,1",
     .key_spec_notes = {"We cannot tell how the keys will be used so we assume the worst, RO "
                        "and ACCESS"},
     .summary = "Execute a read-only Lua script server side", .since = "7.0.0",
     .group = "scripting", .complexity = "Depends on the script that is executed.",
     .arguments = EVAL_ARGS},
    {.name = "evalsha_ro", .proc = script_evalsha_ro_command, .arity = -3,
     .flags = CMD_READONLY | EVAL_FLAGS, .acl = ACL_SLOW | ACL_SCRIPTING,
     .key_specs = "RO access/i2/n0,1,1",
     .summary = "Execute a read-only Lua script server side", .since = "7.0.0",
     .group = "scripting", .complexity = "Depends on the script that is executed.",
     .arguments = EVALSHA_ARGS},
    {.name = "script", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for Lua scripts management commands", .since = "2.6.0",
     .group = "scripting", .complexity = "Depends on subcommand.",
     .subcommands = script_subcommands},
    {0},
};
