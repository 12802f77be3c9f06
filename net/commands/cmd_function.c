/* cmd_function.c: FUNCTION LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE,
 * STATS, KILL and HELP; FCALL and FCALL_RO.
 *
 * Owns the commands' argument handling and replies, with Redis 7.0.15's
 * texts and COMMAND INFO/DOCS records. The libraries are function.c's;
 * running a function is function_run's (function_lua.c), on the shared
 * script runtime.
 *
 * A command that changes the libraries bumps the dirty counter, so it is
 * logged to the AOF and replicas as the client sent it (Redis 7.0 does
 * the same); FCALL itself logs only the writes its function makes. */
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/crc64.h"
#include "engine/glob.h"
#include "engine/rdb.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/function.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/persist/persist.h"

/* A DUMP payload ends with the RDB version (2 bytes) and a CRC-64 (8). */
#define FUNCTION_DUMP_FOOTER_BYTES 10

static struct function_registry *function_reg(struct client *c)
{
    return c->commands->functions;
}

static void function_changed(struct client *c)
{
    c->commands->persist->dirty++;
}

/* Redis's addReplySubcommandSyntaxError. */
static void function_subcommand_syntax_error(struct client *c)
{
    int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
    reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try "
                    "FUNCTION HELP.", len, c->argv[1].ptr);
}

/* ---- FUNCTION LOAD [REPLACE] <code> ---- */

static void function_load_command(struct client *c)
{
    bool replace = false;
    int at = 2;
    while (at < c->argc - 1) {
        const struct resp_arg *a = &c->argv[at++];
        if (arg_equals(a, "replace")) {
            replace = true;
            continue;
        }
        reply_errorf(c, "Unknown option given: %.*s", (int)a->len, a->ptr);
        return;
    }
    if (at >= c->argc) {
        reply_error(c, "Function code is missing");
        return;
    }
    struct function_registry *reg = function_reg(c);
    char err[FUNCTION_ERROR_BYTES];
    /* What must be obeyed (our master, the AOF) loads without the limit. */
    int timeout_ms = client_must_obey(c) ? 0 : FUNCTION_LOAD_TIMEOUT_MS;
    struct function_lib *lib = function_load(reg, &reg->live, c->argv[at].ptr, c->argv[at].len,
                                             replace, timeout_ms, err, sizeof(err));
    if (lib == NULL) {
        reply_error(c, err);
        return;
    }
    function_codes_refresh(reg);
    function_changed(c);
    reply_bulk_cstr(c, lib->name);
}

/* ---- FUNCTION DELETE <library> ---- */

static void function_delete_command(struct client *c)
{
    struct function_registry *reg = function_reg(c);
    struct function_lib *lib = function_lib_find(&reg->live, c->argv[2].ptr, c->argv[2].len);
    if (lib == NULL) {
        reply_error(c, "Library not found");
        return;
    }
    function_lib_delete(reg, lib);
    function_changed(c);
    reply_ok(c);
}

/* ---- FUNCTION FLUSH [ASYNC|SYNC] ---- */

static void function_flush_command(struct client *c)
{
    if (c->argc > 3) {
        function_subcommand_syntax_error(c);
        return;
    }
    if (c->argc == 3 && !arg_equals(&c->argv[2], "sync") && !arg_equals(&c->argv[2], "async")) {
        reply_error(c, "FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    /* ASYNC frees in the background in Redis; the result is the same. */
    function_flush_all(function_reg(c));
    function_changed(c);
    reply_ok(c);
}

/* ---- FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] ---- */

static void function_list_reply_function(struct client *c, const struct function_def *f)
{
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, f->name, f->name_len);
    reply_bulk_cstr(c, "description");
    if (f->desc != NULL)
        reply_bulk(c, f->desc, f->desc_len);
    else
        reply_null(c);
    reply_bulk_cstr(c, "flags");
    long long count = 0;
    for (const struct function_flag_name *n = function_flag_names; n->name; n++)
        count += (f->flags & n->flag) != 0;
    reply_set_len(c, count);
    for (const struct function_flag_name *n = function_flag_names; n->name; n++)
        if (f->flags & n->flag)
            reply_status(c, n->name);
}

static void function_list_command(struct client *c)
{
    bool with_code = false;
    const struct resp_arg *pattern = NULL;
    for (int i = 2; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (!with_code && arg_equals(a, "withcode")) {
            with_code = true;
            continue;
        }
        if (pattern == NULL && arg_equals(a, "libraryname")) {
            if (i >= c->argc - 1) {
                reply_error(c, "library name argument was not given");
                return;
            }
            pattern = &c->argv[++i];
            continue;
        }
        reply_errorf(c, "Unknown argument %.*s", (int)a->len, a->ptr);
        return;
    }
    struct function_set *set = &function_reg(c)->live;
    size_t handle = 0;
    if (pattern != NULL)
        handle = reply_defer_len(c);
    else
        reply_array_len(c, (long long)set->count);
    long long shown = 0;
    for (size_t i = 0; i < set->count; i++) {
        const struct function_lib *lib = set->libs[i];
        if (pattern != NULL &&
            !glob_match(pattern->ptr, pattern->len, lib->name, strlen(lib->name), true))
            continue;
        shown++;
        reply_map_len(c, with_code ? 4 : 3);
        reply_bulk_cstr(c, "library_name");
        reply_bulk_cstr(c, lib->name);
        reply_bulk_cstr(c, "engine");
        reply_bulk_cstr(c, FUNCTION_ENGINE_NAME);
        reply_bulk_cstr(c, "functions");
        reply_array_len(c, (long long)lib->count);
        for (size_t j = 0; j < lib->count; j++)
            function_list_reply_function(c, lib->functions[j]);
        if (with_code) {
            reply_bulk_cstr(c, "library_code");
            reply_bulk(c, lib->code, lib->code_len);
        }
    }
    if (pattern != NULL)
        reply_set_defer_len(c, handle, shown, '*');
}

/* ---- FUNCTION DUMP / RESTORE ---- */

static void function_dump_command(struct client *c)
{
    struct function_registry *reg = function_reg(c);
    struct rdb_buffer buf = {0};
    struct rdb_sink sink;
    rdb_sink_init(&sink, rdb_buffer_write, &buf);
    rdb_encode_functions(&sink, &reg->code_list, c->commands->config->rdbcompression);
    rdb_sink_flush(&sink);
    rdb_sink_free(&sink);
    unsigned char footer[FUNCTION_DUMP_FOOTER_BYTES];
    footer[0] = RDB_VERSION & 0xff;
    footer[1] = (RDB_VERSION >> 8) & 0xff;
    rdb_buffer_write(&buf, footer, 2);
    uint64_t crc = crc64_update(0, buf.data, buf.len);
    for (int i = 0; i < 8; i++)
        footer[i] = (unsigned char)(crc >> (8 * i));
    rdb_buffer_write(&buf, footer, 8);
    reply_bulk(c, buf.data, buf.len);
    rdb_buffer_free(&buf);
}

/* Redis's verifyDumpPayload: a footer whose version we read and whose
 * CRC-64 matches. */
static bool function_payload_valid(const unsigned char *p, size_t len)
{
    if (len < FUNCTION_DUMP_FOOTER_BYTES)
        return false;
    const unsigned char *footer = p + len - FUNCTION_DUMP_FOOTER_BYTES;
    unsigned version = footer[0] | (unsigned)footer[1] << 8;
    if (version > RDB_VERSION)
        return false;
    uint64_t stored = 0;
    for (int i = 0; i < 8; i++)
        stored |= (uint64_t)footer[2 + i] << (8 * i);
    return crc64_update(0, p, len - 8) == stored;
}

/* Compiles every record of the payload into set; false with err set. */
static bool function_restore_payload(struct function_registry *reg, struct function_set *set,
                                     const unsigned char *p, size_t len, char *err,
                                     size_t err_len)
{
    struct rdb_source src;
    size_t body = len - FUNCTION_DUMP_FOOTER_BYTES;
    rdb_source_init_memory(&src, p, body);
    bool ok = true;
    while (ok && src.offset < body) {
        char *code = NULL;
        size_t code_len = 0;
        if (rdb_decode_function_record(&src, &code, &code_len, err, err_len) !=
            RDB_FUNCTION_RECORD_OK) {
            ok = false;
            break;
        }
        ok = function_load(reg, set, code, code_len, false, 0, err, err_len) != NULL;
        alloc_free(code);
    }
    rdb_source_free(&src);
    return ok;
}

static void function_restore_command(struct client *c)
{
    if (c->argc > 4) {
        function_subcommand_syntax_error(c);
        return;
    }
    enum { RESTORE_APPEND, RESTORE_REPLACE, RESTORE_FLUSH } policy = RESTORE_APPEND;
    if (c->argc == 4) {
        if (arg_equals(&c->argv[3], "append")) {
            policy = RESTORE_APPEND;
        } else if (arg_equals(&c->argv[3], "replace")) {
            policy = RESTORE_REPLACE;
        } else if (arg_equals(&c->argv[3], "flush")) {
            policy = RESTORE_FLUSH;
        } else {
            reply_error(c, "Wrong restore policy given, value should be either FLUSH, APPEND or "
                           "REPLACE.");
            return;
        }
    }
    const unsigned char *p = (const unsigned char *)c->argv[2].ptr;
    size_t len = c->argv[2].len;
    if (!function_payload_valid(p, len)) {
        reply_error(c, "DUMP payload version or checksum are wrong");
        return;
    }
    struct function_registry *reg = function_reg(c);
    struct function_set set;
    function_set_init(&set);
    char err[FUNCTION_ERROR_BYTES];
    bool ok = function_restore_payload(reg, &set, p, len, err, sizeof(err));
    if (ok && policy == RESTORE_FLUSH)
        function_set_swap_live(reg, &set);
    else if (ok)
        ok = function_set_join(reg, &set, policy == RESTORE_REPLACE, err, sizeof(err));
    function_set_clear(reg, &set);
    if (!ok) {
        reply_error(c, err);
        return;
    }
    function_changed(c);
    reply_ok(c);
}

/* ---- FUNCTION STATS, KILL, HELP ---- */

static void function_stats_command(struct client *c)
{
    struct function_registry *reg = function_reg(c);
    if (function_eval_running(c->commands)) {
        reply_error(c, "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or "
                       "SHUTDOWN NOSAVE.");
        return;
    }
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "running_script");
    function_reply_running(c);
    reply_bulk_cstr(c, "engines");
    reply_map_len(c, 1);
    reply_bulk_cstr(c, FUNCTION_ENGINE_NAME);
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "libraries_count");
    reply_integer(c, (long long)function_lib_count(reg));
    reply_bulk_cstr(c, "functions_count");
    reply_integer(c, (long long)function_count(reg));
}

static void function_kill_command(struct client *c)
{
    function_kill(c);
}

static void function_help_command(struct client *c)
{
    static const char *const lines[] = {
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME "
        "argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored "
        "using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a "
        "restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
        "abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
        "replace the old",
        "      libraries with the new libraries (notice that even on this option there is a "
        "chance of failure",
        "      in case of functions name collision with another library).",
        NULL,
    };
    reply_help(c, "FUNCTION", lines);
}

/* ---- FCALL / FCALL_RO <function> <numkeys> [key ...] [arg ...] ---- */

static void fcall_generic(struct client *c, bool ro)
{
    struct function_def *f =
        function_find(&function_reg(c)->live, c->argv[1].ptr, c->argv[1].len);
    if (f == NULL) {
        reply_error(c, "Function not found");
        return;
    }
    long long numkeys;
    if (!arg_get_ll(c, 2, &numkeys, "Bad number of keys provided"))
        return;
    if (numkeys > c->argc - 3) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    if (numkeys < 0) {
        reply_error(c, "Number of keys can't be negative");
        return;
    }
    function_run(c, f, ro, (int)numkeys);
}

static void fcall_command(struct client *c)
{
    fcall_generic(c, false);
}

static void fcall_ro_command(struct client *c)
{
    fcall_generic(c, true);
}

/* ---- the table ---- */

#define FUNCTION_SCRIPTING_ACL (ACL_SLOW | ACL_SCRIPTING)

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static struct command function_subcommands[] = {
    {.name = "delete", .proc = function_delete_command, .arity = 3,
     .flags = CMD_WRITE | CMD_NOSCRIPT, .acl = ACL_WRITE | FUNCTION_SCRIPTING_ACL,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Delete a function by name", .since = "7.0.0", .group = "scripting",
     .complexity = "O(1)", .arguments = "library-name^s"},
    {.name = "load", .proc = function_load_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT, .acl = ACL_WRITE | FUNCTION_SCRIPTING_ACL,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Create a function with the given arguments (name, code, description)",
     .since = "7.0.0", .group = "scripting",
     .complexity = "O(1) (considering compilation time is redundant)",
     .arguments = "replace^t='REPLACE'? function-code^s"},
    {.name = "flush", .proc = function_flush_command, .arity = -2,
     .flags = CMD_WRITE | CMD_NOSCRIPT, .acl = ACL_WRITE | FUNCTION_SCRIPTING_ACL,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Deleting all functions", .since = "7.0.0", .group = "scripting",
     .complexity = "O(N) where N is the number of functions deleted",
     .arguments = "async^o?(async^t='ASYNC' sync^t='SYNC')"},
    {.name = "dump", .proc = function_dump_command, .arity = 2, .flags = CMD_NOSCRIPT,
     .acl = FUNCTION_SCRIPTING_ACL,
     .summary = "Dump all functions into a serialized binary payload", .since = "7.0.0",
     .group = "scripting", .complexity = "O(N) where N is the number of functions"},
    {.name = "kill", .proc = function_kill_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_ALLOW_BUSY, .acl = FUNCTION_SCRIPTING_ACL,
     .tips = "request_policy:all_shards response_policy:one_succeeded",
     .summary = "Kill the function currently in execution.", .since = "7.0.0",
     .group = "scripting", .complexity = "O(1)"},
    {.name = "list", .proc = function_list_command, .arity = -2, .flags = CMD_NOSCRIPT,
     .acl = FUNCTION_SCRIPTING_ACL, .tips = "nondeterministic_output_order",
     .summary = "List information about all the functions", .since = "7.0.0",
     .group = "scripting", .complexity = "O(N) where N is the number of functions",
     .arguments = "library-name-pattern^s='LIBRARYNAME'? withcode^t='WITHCODE'?"},
    {.name = "stats", .proc = function_stats_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_ALLOW_BUSY, .acl = FUNCTION_SCRIPTING_ACL,
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Return information about the function currently running (name, description, "
                "duration)",
     .since = "7.0.0", .group = "scripting", .complexity = "O(1)"},
    {.name = "restore", .proc = function_restore_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT, .acl = ACL_WRITE | FUNCTION_SCRIPTING_ACL,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Restore all the functions on the given payload", .since = "7.0.0",
     .group = "scripting",
     .complexity = "O(N) where N is the number of functions on the payload",
     .arguments = "serialized-value^s policy^o?(flush^t='FLUSH' append^t='APPEND' "
                  "replace^t='REPLACE')"},
    {.name = "help", .proc = function_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = FUNCTION_SCRIPTING_ACL, .summary = "Show helpful text about the different subcommands",
     .since = "7.0.0", .group = "scripting", .complexity = "O(1)"},
    {0},
};

#define FCALL_FLAGS \
    (CMD_NOSCRIPT | CMD_STALE | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_SCRIPT_FLAGS)

struct command function_commands[] = {
    {.name = "fcall", .proc = fcall_command, .arity = -3, .flags = FCALL_FLAGS,
     .acl = FUNCTION_SCRIPTING_ACL, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RW access update/i2/n0,1,1",
     .key_spec_notes = {"We cannot tell how the keys will be used so we assume the worst, RW "
                        "and UPDATE"},
     .summary = "Invoke a function", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the function that is executed.",
     .arguments = "function^s numkeys^i key^k#0?* arg^s?*"},
    {.name = "fcall_ro", .proc = fcall_ro_command, .arity = -3, .flags = FCALL_FLAGS | CMD_READONLY,
     .acl = FUNCTION_SCRIPTING_ACL, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i2/n0,1,1",
     .key_spec_notes = {"We cannot tell how the keys will be used so we assume the worst, RO "
                        "and ACCESS"},
     .summary = "Invoke a read-only function", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on the function that is executed.",
     .arguments = "function^s numkeys^i key^k#0?* arg^s?*"},
    {.name = "function", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for function commands", .since = "7.0.0", .group = "scripting",
     .complexity = "Depends on subcommand.", .subcommands = function_subcommands},
    {0},
};
