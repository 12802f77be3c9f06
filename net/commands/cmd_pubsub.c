/* cmd_pubsub.c: the Pub/Sub commands (SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB and its
 * subcommands).
 *
 * Owns the commands' argument handling and the PUBSUB replies, with Redis
 * 7.0's texts. Subscriptions and delivery are pubsub.c's; the RESP2
 * subscribed-mode check is dispatch.c's (pubsub_allowed_when_subscribed),
 * and PING's subscribed-mode reply is cmd_connection.c's.
 *
 * None of these commands touches the keyspace or is logged: PUBLISH
 * changes no data, so it bumps no dirty counter and propagate.c skips it. */
#include <stdio.h>
#include <string.h>

#include "engine/glob.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/pubsub.h"
#include "net/commands/reply.h"

static void pubsub_subscribe_args(struct client *c, enum pubsub_kind kind)
{
    for (int i = 1; i < c->argc; i++)
        pubsub_subscribe(c, kind, c->argv[i].ptr, c->argv[i].len);
}

static void pubsub_unsubscribe_args(struct client *c, enum pubsub_kind kind)
{
    if (c->argc == 1) {
        pubsub_unsubscribe_all(c, kind, true);
        return;
    }
    for (int i = 1; i < c->argc; i++)
        pubsub_unsubscribe(c, kind, c->argv[i].ptr, c->argv[i].len);
}

static void pubsub_subscribe_command(struct client *c)
{
    pubsub_subscribe_args(c, PUBSUB_CHANNEL);
}

static void pubsub_unsubscribe_command(struct client *c)
{
    pubsub_unsubscribe_args(c, PUBSUB_CHANNEL);
}

static void pubsub_psubscribe_command(struct client *c)
{
    pubsub_subscribe_args(c, PUBSUB_PATTERN);
}

static void pubsub_punsubscribe_command(struct client *c)
{
    pubsub_unsubscribe_args(c, PUBSUB_PATTERN);
}

static void pubsub_ssubscribe_command(struct client *c)
{
    pubsub_subscribe_args(c, PUBSUB_SHARD);
}

static void pubsub_sunsubscribe_command(struct client *c)
{
    pubsub_unsubscribe_args(c, PUBSUB_SHARD);
}

static void pubsub_publish_command(struct client *c)
{
    reply_integer(c, pubsub_publish(c->commands, PUBSUB_CHANNEL, c->argv[1].ptr, c->argv[1].len,
                                    c->argv[2].ptr, c->argv[2].len));
}

static void pubsub_spublish_command(struct client *c)
{
    reply_integer(c, pubsub_publish(c->commands, PUBSUB_SHARD, c->argv[1].ptr, c->argv[1].len,
                                    c->argv[2].ptr, c->argv[2].len));
}

/* ---- PUBSUB ---- */

/* Redis's addReplySubcommandSyntaxError, the subcommand as typed. */
static void pubsub_syntax_error(struct client *c)
{
    int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
    reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try PUBSUB HELP.",
                 len, c->argv[1].ptr);
}

struct pubsub_channels_reply {
    struct client *c;
    const char *pattern; /* NULL: every name */
    size_t pattern_len;
    long long count;
};

static void pubsub_channels_one(const char *name, size_t len, void *ctx)
{
    struct pubsub_channels_reply *r = ctx;
    if (r->pattern && !glob_match(r->pattern, r->pattern_len, name, len, false))
        return;
    reply_bulk(r->c, name, len);
    r->count++;
}

static void pubsub_channels_reply(struct client *c, enum pubsub_kind kind)
{
    if (c->argc > 3) {
        pubsub_syntax_error(c);
        return;
    }
    struct pubsub_channels_reply r = {c, NULL, 0, 0};
    if (c->argc == 3) {
        r.pattern = c->argv[2].ptr;
        r.pattern_len = c->argv[2].len;
    }
    size_t handle = reply_defer_len(c);
    pubsub_each_name(c->commands, kind, pubsub_channels_one, &r);
    reply_set_defer_len(c, handle, r.count, '*');
}

static void pubsub_numsub_reply(struct client *c, enum pubsub_kind kind)
{
    /* A flat array in RESP3 too, as Redis 7.0 sends it. */
    reply_array_len(c, 2LL * (c->argc - 2));
    for (int i = 2; i < c->argc; i++) {
        reply_bulk(c, c->argv[i].ptr, c->argv[i].len);
        reply_integer(c, pubsub_subscribers(c->commands, kind, c->argv[i].ptr, c->argv[i].len));
    }
}

static void pubsub_channels_command(struct client *c)
{
    pubsub_channels_reply(c, PUBSUB_CHANNEL);
}

static void pubsub_shardchannels_command(struct client *c)
{
    pubsub_channels_reply(c, PUBSUB_SHARD);
}

static void pubsub_numsub_command(struct client *c)
{
    pubsub_numsub_reply(c, PUBSUB_CHANNEL);
}

static void pubsub_shardnumsub_command(struct client *c)
{
    pubsub_numsub_reply(c, PUBSUB_SHARD);
}

static void pubsub_numpat_command(struct client *c)
{
    reply_integer(c, pubsub_names(c->commands, PUBSUB_PATTERN));
}

static void pubsub_help_command(struct client *c)
{
    static const char *const lines[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL,
    };
    reply_help(c, "PUBSUB", lines);
}

#define PUBSUB_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)
#define PUBSUB_SUB_FLAGS (CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static struct command pubsub_subcommands[] = {
    {.name = "shardnumsub", .proc = pubsub_shardnumsub_command, .arity = -2, .flags = PUBSUB_FLAGS,
     .acl = ACL_PUBSUB | ACL_SLOW, .summary = "Get the count of subscribers for shard channels",
     .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard "
                   "channels",
     .arguments = "shardchannel^s?*"},
    {.name = "help", .proc = pubsub_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0", .group = "pubsub", .complexity = "O(1)"},
    {.name = "channels", .proc = pubsub_channels_command, .arity = -2, .flags = PUBSUB_FLAGS,
     .acl = ACL_PUBSUB | ACL_SLOW, .summary = "List active channels", .since = "2.8.0",
     .group = "pubsub",
     .complexity = "O(N) where N is the number of active channels, and assuming constant time "
                   "pattern matching (relatively short channels and patterns)",
     .arguments = "pattern^p?"},
    {.name = "shardchannels", .proc = pubsub_shardchannels_command, .arity = -2,
     .flags = PUBSUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW, .summary = "List active shard channels",
     .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of active shard channels, and assuming constant "
                   "time pattern matching (relatively short shard channels).",
     .arguments = "pattern^p?"},
    {.name = "numpat", .proc = pubsub_numpat_command, .arity = 2, .flags = PUBSUB_FLAGS,
     .acl = ACL_PUBSUB | ACL_SLOW, .summary = "Get the count of unique patterns pattern subscriptions",
     .since = "2.8.0", .group = "pubsub", .complexity = "O(1)"},
    {.name = "numsub", .proc = pubsub_numsub_command, .arity = -2, .flags = PUBSUB_FLAGS,
     .acl = ACL_PUBSUB | ACL_SLOW, .summary = "Get the count of subscribers for channels",
     .since = "2.8.0", .group = "pubsub",
     .complexity = "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
     .arguments = "channel^s?*"},
    {0},
};

struct command pubsub_commands[] = {
    {.name = "subscribe", .proc = pubsub_subscribe_command, .arity = -2, .flags = PUBSUB_SUB_FLAGS,
     .acl = ACL_PUBSUB | ACL_SLOW,
     .summary = "Listen for messages published to the given channels", .since = "2.0.0",
     .group = "pubsub", .complexity = "O(N) where N is the number of channels to subscribe to.",
     .arguments = "channel^s*"},
    {.name = "unsubscribe", .proc = pubsub_unsubscribe_command, .arity = -1,
     .flags = PUBSUB_SUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW,
     .summary = "Stop listening for messages posted to the given channels", .since = "2.0.0",
     .group = "pubsub",
     .complexity = "O(N) where N is the number of clients already subscribed to a channel.",
     .arguments = "channel^s?*"},
    {.name = "psubscribe", .proc = pubsub_psubscribe_command, .arity = -2,
     .flags = PUBSUB_SUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW,
     .summary = "Listen for messages published to channels matching the given patterns",
     .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of patterns the client is already subscribed to.",
     .arguments = "pattern^b*(pattern^p)"},
    {.name = "punsubscribe", .proc = pubsub_punsubscribe_command, .arity = -1,
     .flags = PUBSUB_SUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW,
     .summary = "Stop listening for messages posted to channels matching the given patterns",
     .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N+M) where N is the number of patterns the client is already subscribed and "
                   "M is the number of total patterns subscribed in the system (by any client).",
     .arguments = "pattern^p?*"},
    {.name = "ssubscribe", .proc = pubsub_ssubscribe_command, .arity = -2,
     .flags = PUBSUB_SUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW, .first_key = 1, .last_key = -1,
     .key_step = 1, .key_specs = "not_key/i1/r-1,1,0",
     .summary = "Listen for messages published to the given shard channels", .since = "7.0.0",
     .group = "pubsub",
     .complexity = "O(N) where N is the number of shard channels to subscribe to.",
     .arguments = "shardchannel^s*"},
    {.name = "sunsubscribe", .proc = pubsub_sunsubscribe_command, .arity = -1,
     .flags = PUBSUB_SUB_FLAGS, .acl = ACL_PUBSUB | ACL_SLOW, .first_key = 1, .last_key = -1,
     .key_step = 1, .key_specs = "not_key/i1/r-1,1,0",
     .summary = "Stop listening for messages posted to the given shard channels",
     .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of clients already subscribed to a shard channel.",
     .arguments = "shardchannel^s?*"},
    {.name = "publish", .proc = pubsub_publish_command, .arity = 3,
     .flags = PUBSUB_FLAGS | CMD_FAST | CMD_MAY_REPLICATE, .acl = ACL_PUBSUB | ACL_FAST,
     .summary = "Post a message to a channel", .since = "2.0.0", .group = "pubsub",
     .complexity = "O(N+M) where N is the number of clients subscribed to the receiving channel "
                   "and M is the total number of subscribed patterns (by any client).",
     .arguments = "channel^s message^s"},
    {.name = "spublish", .proc = pubsub_spublish_command, .arity = 3,
     .flags = PUBSUB_FLAGS | CMD_FAST | CMD_MAY_REPLICATE, .acl = ACL_PUBSUB | ACL_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1, .key_specs = "not_key/i1/r0,1,0",
     .summary = "Post a message to a shard channel", .since = "7.0.0", .group = "pubsub",
     .complexity = "O(N) where N is the number of clients subscribed to the receiving shard "
                   "channel.",
     .arguments = "shardchannel^s message^s"},
    {.name = "pubsub", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for Pub/Sub commands", .since = "2.8.0", .group = "pubsub",
     .complexity = "Depends on subcommand.", .subcommands = pubsub_subcommands},
    {0},
};
