/* cmd_config.c: CONFIG GET, SET, RESETSTAT, REWRITE and HELP, with Redis
 * 7.0.15's replies and error texts. Owns what CONFIG GET sends (each
 * parameter once, however many patterns match it), the runtime effects of
 * CONFIG SET that belong to no other module (the AOF switched on or off,
 * its fsync policy, the working directory, the listening port and
 * addresses), who may change the protected
 * parameters (enable-protected-configs) and which counters RESETSTAT
 * clears. Leaves parsing, checking and formatting parameters to
 * net/core/config.c, and registration to cmd_server.c's table. Invariant: every
 * handler sends exactly one reply; nothing here changes the keyspace. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/evict.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"

/* CONFIG GET with several patterns returns each parameter once: the names
 * already sent are kept, NUL-separated, in `sent`. */
struct config_get_ctx {
    struct client *c;
    struct buf sent;
    long long pairs;
};

static bool config_get_was_sent(const struct buf *sent, const char *name)
{
    for (size_t at = 0; at < sent->len; at += strlen(sent->data + at) + 1)
        if (strcasecmp(sent->data + at, name) == 0)
            return true;
    return false;
}

static void config_get_emit(const char *name, const char *value, void *ctx)
{
    struct config_get_ctx *get = ctx;
    if (config_get_was_sent(&get->sent, name))
        return;
    buf_append(&get->sent, name, strlen(name) + 1);
    reply_bulk_cstr(get->c, name);
    reply_bulk_cstr(get->c, value);
    get->pairs++;
}

void config_get_command(struct client *c)
{
    struct config_get_ctx get = {.c = c};
    size_t handle = reply_defer_len(c);
    for (int i = 2; i < c->argc; i++)
        config_get(&server_of(c)->config, c->argv[i].ptr, c->argv[i].len, config_get_emit, &get);
    reply_set_defer_len(c, handle, get.pairs, '%');
    buf_free(&get.sent);
}

/* config_set's `changed` callback: the runtime effects of a new value that
 * belong to no other module. Parameters read where they are used (hz,
 * timeout, active-expire-effort, ...) need nothing here. A refusal (no such
 * directory, the AOF cannot start) makes config_set restore every value,
 * calling this again for those already applied, as Redis 7.0 does. */
static int config_set_changed(const char *name, void *ctx, char *reason, size_t reason_len)
{
    struct server *s = ctx;
    server_apply_config(s);
    if (strcmp(name, "appendonly") == 0) {
        char err[256];
        if (aof_set_enabled(&s->persist, s->config.appendonly, err, sizeof(err)) < 0) {
            log_write(&s->log, LOGLEVEL_WARNING, "%s", err);
            snprintf(reason, reason_len, "Unable to turn on AOF. Check server logs.");
            return -1;
        }
    } else if (strcmp(name, "appendfsync") == 0) {
        aof_set_fsync_policy(&s->persist);
    }
    if (strcmp(name, "port") == 0 || strcmp(name, "bind") == 0) {
        char err[512];
        if (server_rebind(s, err, sizeof(err)) < 0) {
            log_write(&s->log, LOGLEVEL_WARNING, "%s", err);
            snprintf(reason, reason_len, "%s",
                     strcmp(name, "port") == 0 ? "Unable to listen on this port. Check server logs."
                                               : "Failed to bind to specified addresses.");
            return -1;
        }
    }
    if (strcmp(name, "maxmemory") == 0)
        evict_maxmemory_changed(&s->commands);
    else if (strcmp(name, "maxmemory-policy") == 0)
        evict_policy_changed(&s->commands);
    else if (strcmp(name, "requirepass") == 0)
        acl_requirepass_changed(&s->commands);
    if (strcmp(name, "dir") == 0) {
        /* The server works inside its data directory, as Redis does. */
        int ret = server_chdir(s);
        if (ret < 0) {
            snprintf(reason, reason_len, "%s", strerror(-ret));
            return -1;
        }
    }
    return 0;
}

void config_set_command(struct client *c)
{
    if ((c->argc - 2) % 2 != 0) {
        reply_error_syntax(c);
        return;
    }
    int pairs = (c->argc - 2) / 2;
    const char **names = alloc_bytes(sizeof(char *) * (size_t)pairs * 2);
    const char **values = names + pairs;
    size_t *lens = alloc_bytes(sizeof(size_t) * (size_t)pairs * 2);
    size_t *value_lens = lens + pairs;
    for (int i = 0; i < pairs; i++) {
        names[i] = c->argv[2 + 2 * i].ptr;
        lens[i] = c->argv[2 + 2 * i].len;
        values[i] = c->argv[3 + 2 * i].ptr;
        value_lens[i] = c->argv[3 + 2 * i].len;
    }
    /* enable-protected-configs decides whether dir and dbfilename may
     * change; an internal client (no socket) counts as local. */
    struct server *s = server_of(c);
    bool protected_allowed = config_protected_allowed(s->config.enable_protected_configs,
                                                      c->conn.fd < 0 ? NULL : c->conn.addr);
    char err[1024];
    if (config_set(&s->config, pairs, names, lens, values, value_lens, protected_allowed,
                   config_set_changed, s, err, sizeof(err)) < 0)
        reply_error(c, err);
    else
        reply_ok(c);
    alloc_free(names);
    alloc_free(lens);
}

static void command_reset_stats(struct command *cmd, void *ctx)
{
    memset(&cmd->stats, 0, sizeof(cmd->stats));
    command_latency_reset(cmd);
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        memset(&sub->stats, 0, sizeof(sub->stats));
}

/* What Redis's CONFIG RESETSTAT clears: the server and keyspace counters,
 * every command's statistics and latency histograms, the error counters and the save and fork
 * counts. The memory peak and the last save's time and status are left
 * alone, as in Redis. */
void config_resetstat_command(struct client *c)
{
    struct server *s = server_of(c);
    memset(&s->commands.stats, 0, sizeof(s->commands.stats));
    memset(&s->loop.stats, 0, sizeof(s->loop.stats));
    s->commands.stats.ops_sample_time_ms = s->loop.now_ms;
    struct keyspace *ks = &s->keyspace;
    ks->stat_expired_keys = 0;
    ks->stat_expired_stale_percent = 0;
    ks->stat_expired_time_cap_reached = 0;
    ks->stat_keyspace_hits = 0;
    ks->stat_keyspace_misses = 0;
    evict_stats_reset(&s->commands);
    command_for_each(&s->commands, command_reset_stats, NULL);
    s->commands.stats.errorstat_count = 0;
    s->persist.rdb_saves = 0;
    s->persist.stat_total_forks = 0;
    s->persist.stat_latest_fork_usec = 0;
    s->stat_expire_cycle_us = 0;
    reply_ok(c);
}

void config_rewrite_command(struct client *c)
{
    if (!server_of(c)->config_file) {
        reply_error(c, "The server is running without a config file");
        return;
    }
    struct server *s = server_of(c);
    /* As Redis 7.0: with an aclfile the users live there and every `user`
     * line leaves the config file; without one, each user is written as
     * its `user` line. */
    int user_count = 0;
    char **users = NULL;
    bool aclfile = s->config.aclfile && s->config.aclfile[0];
    if (!aclfile)
        users = acl_user_lines(&s->commands, &user_count);
    struct config_rewrite_extra extra = {
        .option = "user", .lines = (const char *const *)users, .line_count = user_count};
    int ret = config_rewrite(&s->config, s->config_file, &extra, 1, false);
    for (int i = 0; i < user_count; i++)
        alloc_free(users[i]);
    alloc_free(users);
    if (ret < 0) {
        log_write(&s->log, LOGLEVEL_WARNING, "CONFIG REWRITE failed: %s", strerror(-ret));
        char err[512];
        snprintf(err, sizeof(err), "Rewriting config file: %s", strerror(-ret));
        reply_error(c, err);
        return;
    }
    log_write(&s->log, LOGLEVEL_NOTICE, "CONFIG REWRITE executed with success.");
    reply_ok(c);
}

void config_help_command(struct client *c)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };
    reply_help(c, "CONFIG", lines);
}
