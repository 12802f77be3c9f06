/* cmd_server.c: the server commands of Redis 7.0 and their table.
 *
 * Owns TIME, LASTSAVE, SHUTDOWN, SAVE and BGSAVE (whose work is
 * net/persist/rdb_save.c's), BGREWRITEAOF (aof.c's), and server_commands, the table that also registers
 * INFO (cmd_info.c), CONFIG (cmd_config.c) and DEBUG (cmd_debug.c), whose
 * handlers and shared helpers cmd_server_internal.h declares. Replies and
 * error texts are Redis 7.0.15's, checked against the real server.
 *
 * Leaves to others: the shutdown work to server_prepare_shutdown, the
 * saves and rewrites to rdb_save.c and aof.c.
 *
 * Sections: shared helpers, TIME and LASTSAVE, SHUTDOWN and persistence,
 * then the command table. COMMAND lives in cmd_command.c.
 *
 * Invariant: every handler sends exactly one reply, except a successful
 * SHUTDOWN, which, as in Redis, closes the connection without one. Nothing
 * here changes the keyspace, so nothing calls server_key_modified. */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/reply.h"
#include "net/commands/script_lua.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"

/* ---- Shared helpers ---- */

void server_buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    assert(n >= 0);
    buf_reserve(b, (size_t)n + 1);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---- TIME and LASTSAVE ---- */

static void time_command(struct client *c)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    reply_array_len(c, 2);
    reply_bulk_ll(c, (long long)tv.tv_sec);
    reply_bulk_ll(c, (long long)tv.tv_usec);
}

static void lastsave_command(struct client *c)
{
    reply_integer(c, (long long)server_of(c)->persist.lastsave_s);
}

/* ---- SHUTDOWN and persistence ---- */

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success nothing is
 * replied: the connection closes as the server exits, as in Redis. Shutdown
 * here is immediate, so there is never one in progress to ABORT. */
static void shutdown_command(struct client *c)
{
    /* NOW changes nothing: there is no replica to wait for. FORCE exits
     * even when the final save fails. */
    bool save = false, nosave = false, now = false, force = false, abort_requested = false;
    for (int i = 1; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (arg_equals(a, "nosave"))
            nosave = true;
        else if (arg_equals(a, "save"))
            save = true;
        else if (arg_equals(a, "now"))
            now = true;
        else if (arg_equals(a, "force"))
            force = true;
        else if (arg_equals(a, "abort"))
            abort_requested = true;
        else {
            reply_error_syntax(c);
            return;
        }
    }
    if ((abort_requested && (save || nosave || now || force)) || (save && nosave)) {
        reply_error_syntax(c);
        return;
    }
    if (abort_requested) {
        reply_error(c, "No shutdown in progress.");
        return;
    }
    /* A script past busy-reply-threshold: only SHUTDOWN NOSAVE, which
     * exits at once from inside the script's command, as Redis does (the
     * script's effects so far are never logged). */
    bool in_script = script_busy(&server_of(c)->commands);
    if (in_script && !nosave) {
        reply_error(c, script_busy_error(&server_of(c)->commands));
        return;
    }
    char err[256];
    if (server_prepare_shutdown(server_of(c), save, nosave, force, err, sizeof(err)) < 0) {
        reply_error(c, err);
        return;
    }
    if (in_script)
        exit(0);
    server_of(c)->loop.stopping = true;
}

static void save_command(struct client *c)
{
    struct server *s = server_of(c);
    if (s->persist.rdb_child_pid != 0) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (rdb_save_blocking(&s->persist) == 0)
        reply_ok(c);
    else
        reply_error(c, "-ERR");
}

/* BGSAVE [SCHEDULE]: one child at a time, as in Redis 7.0; while an AOF
 * rewrite runs (or inside EXEC) the save can be scheduled instead. */
static void bgsave_command(struct client *c)
{
    struct server *s = server_of(c);
    if (c->argc > 2 || (c->argc == 2 && !arg_equals(&c->argv[1], "schedule"))) {
        reply_error_syntax(c);
        return;
    }
    bool schedule = c->argc == 2;
    bool in_exec = (c->flags & CLIENT_DENY_BLOCKING) != 0;
    if (s->persist.rdb_child_pid != 0) {
        reply_error(c, "Background save already in progress");
    } else if (persist_child_running(&s->persist) || in_exec) {
        if (schedule || in_exec) {
            s->persist.rdb_bgsave_scheduled = true;
            reply_status(c, "Background saving scheduled");
        } else {
            reply_error(c, "Another child process is active (AOF?): can't BGSAVE right now. "
                           "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
    } else if (rdb_save_background(&s->persist) == 0) {
        reply_status(c, "Background saving started");
    } else {
        reply_error(c, "-ERR");
    }
}

static void bgrewriteaof_command(struct client *c)
{
    char err[256];
    bool in_exec = (c->flags & CLIENT_DENY_BLOCKING) != 0;
    enum aof_rewrite_outcome ret = aof_rewrite_request(&server_of(c)->persist, in_exec, err, sizeof(err));
    if (ret == AOF_REWRITE_FAILED)
        reply_error(c, err);
    else if (ret == AOF_REWRITE_SCHEDULED)
        reply_status(c, "Background append only file rewriting scheduled");
    else
        reply_status(c, "Background append only file rewriting started");
}

/* ---- The table ---- */

#define SERVER_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define SERVER_ADMIN_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

static struct command config_subcommands[] = {
    {.name = "get", .proc = config_get_command, .arity = -3, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL,
     .summary = "Get the values of configuration parameters", .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = (const struct command_history[]){
         {"7.0.0", "Added the ability to pass multiple pattern parameters in one call"},
         {0}},
     .arguments = "parameter^b*(parameter^s)"},
    {.name = "set", .proc = config_set_command, .arity = -4, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL,
     .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Set configuration parameters to the given values", .since = "2.0.0",
     .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .history = (const struct command_history[]){
         {"7.0.0", "Added the ability to set multiple parameters in one call."},
         {0}},
     .arguments = "parameter_value^b*(parameter^s value^s)"},
    {.name = "resetstat", .proc = config_resetstat_command, .arity = 2, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL,
     .summary = "Reset the stats returned by INFO", .since = "2.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "rewrite", .proc = config_rewrite_command, .arity = 2, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL,
     .summary = "Rewrite the configuration file with the in memory configuration", .since = "2.8.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "help", .proc = config_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW,
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0",
     .group = "server", .complexity = "O(1)"},
    {0},
};


struct command server_commands[] = {
    {.name = "info", .proc = info_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_DANGEROUS,
     .tips = "nondeterministic_output request_policy:all_shards response_policy:special",
     .summary = "Get information and statistics about the server", .since = "1.0.0",
     .group = "server", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added support for taking multiple section arguments."},
         {0}},
     .arguments = "section^s?*"},
    {.name = "config", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for server configuration commands", .since = "2.0.0",
     .group = "server", .complexity = "Depends on subcommand.",
     .subcommands = config_subcommands},
    {.name = "time", .proc = time_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_FAST,
     .tips = "nondeterministic_output",
     .summary = "Return the current server time", .since = "2.6.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "lastsave", .proc = lastsave_command, .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST, .acl = ACL_ADMIN | ACL_FAST | ACL_DANGEROUS,
     .tips = "nondeterministic_output",
     .summary = "Get the UNIX time stamp of the last successful save to disk", .since = "1.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "debug", .proc = debug_command, .arity = -2, .flags = SERVER_ADMIN_FLAGS | CMD_PROTECTED,
     .acl = SERVER_ADMIN_ACL,
     .summary = "A container for debugging commands", .since = "1.0.0", .group = "server",
     .complexity = "Depends on subcommand.",
     .doc_flags = "syscmd"},
    {.name = "shutdown", .proc = shutdown_command, .arity = -1,
     .flags = SERVER_ADMIN_FLAGS | CMD_NO_MULTI | CMD_ALLOW_BUSY, .acl = SERVER_ADMIN_ACL,
     .summary = "Synchronously save the dataset to disk and then shut down the server",
     .since = "1.0.0", .group = "server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when "
                   "saving data, otherwise O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."},
         {0}},
     .arguments = "nosave_save^o?(nosave^t='NOSAVE' save^t='SAVE') now^t='NOW'@7.0.0? "
                  "force^t='FORCE'@7.0.0? abort^t='ABORT'@7.0.0?"},
    {.name = "save", .proc = save_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI,
     .acl = SERVER_ADMIN_ACL,
     .summary = "Synchronously save the dataset to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {.name = "bgsave", .proc = bgsave_command, .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .acl = SERVER_ADMIN_ACL,
     .summary = "Asynchronously save the dataset to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"3.2.2", "Added the `SCHEDULE` option."},
         {0}},
     .arguments = "schedule^t='SCHEDULE'@3.2.2?"},
    {.name = "bgrewriteaof", .proc = bgrewriteaof_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .acl = SERVER_ADMIN_ACL,
     .summary = "Asynchronously rewrite the append-only file", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {0},
};
