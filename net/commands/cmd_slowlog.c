/* cmd_slowlog.c: SLOWLOG GET, LEN, RESET and HELP.
 *
 * Owns the commands' argument handling and replies, with Redis 7.0's
 * texts and COMMAND INFO/DOCS records. The entries are slowlog.c's; what
 * gets timed is dispatch.c's.
 *
 * SLOWLOG shows no data, so its replies wait for no write (dirty_keys.c
 * lists it with the commands of no scope). */
#include <limits.h>
#include <stdio.h>

#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/reply.h"
#include "net/commands/slowlog.h"

/* SLOWLOG GET without a count. */
#define SLOWLOG_GET_COUNT_DEFAULT 10

static void slowlog_entry_reply(struct client *c, const struct slowlog_entry *e)
{
    reply_array_len(c, 6);
    reply_integer(c, e->id);
    reply_integer(c, e->time_s);
    reply_integer(c, e->duration_us);
    reply_array_len(c, e->argc);
    for (int i = 0; i < e->argc; i++)
        reply_bulk(c, e->argv[i].ptr, e->argv[i].len);
    reply_bulk_cstr(c, e->peer);
    reply_bulk_cstr(c, e->name);
}

static void slowlog_get_command(struct client *c)
{
    static const char count_error[] = "count should be greater than or equal to -1";
    const struct slowlog *log = c->commands->slowlog;
    if (c->argc > 3) {
        /* Redis's addReplySubcommandSyntaxError, the subcommand as typed. */
        int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
        reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try "
                        "SLOWLOG HELP.", len, c->argv[1].ptr);
        return;
    }
    long long count = SLOWLOG_GET_COUNT_DEFAULT;
    if (c->argc == 3) {
        /* Redis reads a long: LONG_MAX is the ceiling, -1 means all. */
        if (!arg_get_ll(c, 2, &count, count_error))
            return;
        if (count < -1 || count > LONG_MAX) {
            reply_error(c, count_error);
            return;
        }
        if (count == -1)
            count = log->len;
    }
    long long n = count < log->len ? count : log->len;
    reply_array_len(c, n);
    const struct slowlog_entry *e = log->newest;
    for (long long i = 0; i < n; i++, e = e->older)
        slowlog_entry_reply(c, e);
}

static void slowlog_len_command(struct client *c)
{
    reply_integer(c, c->commands->slowlog->len);
}

static void slowlog_reset_command(struct client *c)
{
    slowlog_reset(c->commands->slowlog);
    reply_ok(c);
}

static void slowlog_help_command(struct client *c)
{
    static const char *const lines[] = {
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        NULL,
    };
    reply_help(c, "SLOWLOG", lines);
}

#define SLOWLOG_FLAGS (CMD_ADMIN | CMD_LOADING | CMD_STALE)
#define SLOWLOG_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static struct command slowlog_subcommands[] = {
    {.name = "len", .proc = slowlog_len_command, .arity = 2, .flags = SLOWLOG_FLAGS,
     .acl = SLOWLOG_ACL,
     .tips = "request_policy:all_nodes response_policy:agg_sum nondeterministic_output",
     .summary = "Get the slow log's length", .since = "2.2.12", .group = "server",
     .complexity = "O(1)"},
    {.name = "get", .proc = slowlog_get_command, .arity = -2, .flags = SLOWLOG_FLAGS,
     .acl = SLOWLOG_ACL, .tips = "request_policy:all_nodes nondeterministic_output",
     .summary = "Get the slow log's entries", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries returned",
     .history = (const struct command_history[]){
         {"4.0.0", "Added client IP address, port and name to the reply."}, {0}},
     .arguments = "count^i?"},
    {.name = "reset", .proc = slowlog_reset_command, .arity = 2, .flags = SLOWLOG_FLAGS,
     .acl = SLOWLOG_ACL, .tips = "request_policy:all_nodes response_policy:all_succeeded",
     .summary = "Clear all entries from the slow log", .since = "2.2.12", .group = "server",
     .complexity = "O(N) where N is the number of entries in the slowlog"},
    {.name = "help", .proc = slowlog_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0", .group = "server", .complexity = "O(1)"},
    {0},
};

struct command slowlog_commands[] = {
    {.name = "slowlog", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for slow log commands", .since = "2.2.12", .group = "server",
     .complexity = "Depends on subcommand.", .subcommands = slowlog_subcommands},
    {0},
};
