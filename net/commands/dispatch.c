/* dispatch.c: running commands: the top of the command layer.
 *
 * Owns the path of every command from a connection's query buffer to its
 * handler: parsing each whole request (dispatch_input, the loop's input
 * handler), the checks every command passes before its handler runs, in
 * Redis 7.0's order (unknown command, arity (subcommands included),
 * authentication, loading, commands refused inside MULTI, maxmemory's
 * eviction and OOM refusal (evict.c), MISCONF), the
 * choice between running a command and queueing it for EXEC, the accounting
 * of each call, and what follows it (propagation, WATCH, blocked clients).
 * Also the session's end (dispatch_closed), the layer's set-up, and the
 * replayer that loads an AOF through fake clients. Each command's semantics
 * are its cmd_*.c file's.
 *
 * Invariant: c->cmd is set while a handler runs (reply_error reads it to
 * count failed calls) and restored afterwards: NULL between commands, EXEC
 * while the commands it runs return. */
#include "net/commands/dispatch.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/acl.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/evict.h"
#include "net/commands/function.h"
#include "net/commands/keyspec.h"
#include "net/commands/pause.h"
#include "net/commands/propagate.h"
#include "net/commands/pubsub.h"
#include "net/commands/reply.h"
#include "net/commands/script_lua.h"
#include "net/commands/slowlog.h"
#include "net/commands/tracking.h"
#include "net/commands/transaction.h"
#include "net/commands/waitaof.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/persist/rdb_save.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

/* Replies a failed check. The command is counted as rejected (not
 * failed: c->cmd stays NULL, so reply_error counts no failure), and a
 * transaction being queued is flagged so its EXEC aborts. When EXEC itself
 * fails a check, the transaction ends here with "-EXECABORT ... because
 * of: <error>", in or out of MULTI, as in Redis. */
static void dispatch_reject(struct client *c, struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void dispatch_reject(struct client *c, struct command *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (cmd)
        cmd->stats.rejected_calls++;
    transaction_flag_error(c);
    if (cmd && !cmd->parent && strcmp(cmd->name, "exec") == 0)
        transaction_abort(c, msg);
    else
        reply_error(c, msg);
}

/* "-ERR unknown command 'x', with args beginning with: 'a' 'b' " with the
 * same truncation Redis applies (128 bytes of name, 128 of args in all). */
static void dispatch_reject_unknown(struct client *c)
{
    struct buf args = {0};
    /* The budget counts the quoted list as formatted, quotes included. */
    for (int i = 1; i < c->argc && args.len < 128; i++) {
        size_t room = 128 - args.len;
        size_t take = c->argv[i].len < room ? c->argv[i].len : room;
        buf_append(&args, "'", 1);
        buf_append(&args, c->argv[i].ptr, take);
        buf_append(&args, "' ", 2);
    }
    buf_append(&args, "", 1);
    int name_len = c->argv[0].len > 128 ? 128 : (int)c->argv[0].len;
    dispatch_reject(c, NULL, "unknown command '%.*s', with args beginning with: %s", name_len,
                   c->argv[0].ptr, args.data);
    buf_free(&args);
}

static bool dispatch_arity_ok(const struct command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* Resolves a container command to its subcommand, replying on error. */
static struct command *dispatch_resolve(struct client *c, struct command *cmd)
{
    if (!cmd->subcommands)
        return cmd;
    if (c->argc == 1) {
        if (cmd->proc)
            return cmd; /* a container that also runs bare (COMMAND) */
        dispatch_reject(c, cmd, "wrong number of arguments for '%s' command", cmd->fullname);
        return NULL;
    }
    struct command *sub = command_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
    if (!sub) {
        int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
        char upper[32];
        size_t n = 0;
        for (; cmd->name[n] && n + 1 < sizeof(upper); n++)
            upper[n] = (char)toupper((unsigned char)cmd->name[n]);
        upper[n] = '\0';
        dispatch_reject(c, NULL, "unknown subcommand '%.*s'. Try %s HELP.", len, c->argv[1].ptr,
                       upper);
        return NULL;
    }
    return sub;
}

/* What a disk error (MISCONF) refuses: writes, judged by the flags the
 * command is checked with, and PING, as in Redis. */
static bool dispatch_refused_on_disk_error(const struct command *cmd, uint32_t flags)
{
    return (flags & CMD_WRITE) || (!cmd->parent && strcmp(cmd->name, "ping") == 0);
}

struct command *dispatch_check(struct client *c, uint32_t *flags_out)
{
    struct command *cmd = command_lookup(c->commands, c->argv[0].ptr, c->argv[0].len);
    if (!cmd) {
        dispatch_reject_unknown(c);
        return NULL;
    }
    cmd = dispatch_resolve(c, cmd);
    if (!cmd)
        return NULL;
    if (!dispatch_arity_ok(cmd, c->argc)) {
        dispatch_reject(c, cmd, "wrong number of arguments for '%s' command", cmd->fullname);
        return NULL;
    }
    /* Redis 7.0 refuses a protected command (DEBUG) here, before it is
     * queued in MULTI, unless enable-debug-command allows this client. */
    if ((cmd->flags & CMD_PROTECTED) &&
        !config_protected_allowed(c->commands->config->enable_debug_command,
                                  c->conn.fd < 0 ? NULL : c->conn.addr)) {
        char upper[32];
        size_t n = 0;
        for (; cmd->name[n] && n + 1 < sizeof(upper); n++)
            upper[n] = (char)toupper((unsigned char)cmd->name[n]);
        upper[n] = '\0';
        dispatch_reject(c, cmd,
                        "%s command not allowed. If the enable-debug-command option is set to "
                        "\"local\", you can run it from a local connection, otherwise you need to "
                        "set this option in the configuration file, and then restart the server.",
                        upper);
        return NULL;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        dispatch_reject(c, cmd, "NOAUTH Authentication required.");
        return NULL;
    }
    if (c->commands->persist->loading.active && !(cmd->flags & CMD_LOADING) && !(c->flags & CLIENT_FAKE)) {
        dispatch_reject(c, cmd, "LOADING Redis is loading the dataset in memory");
        return NULL;
    }
    if ((c->flags & CLIENT_MULTI) && (cmd->flags & CMD_NO_MULTI)) {
        dispatch_reject(c, cmd, "Command not allowed inside a transaction");
        return NULL;
    }
    /* ACL, where Redis 7.0 checks it (commands queued in MULTI too); a
     * user with every permission (the default one) costs this branch. */
    char noperm[256];
    if (!acl_user_unrestricted(c->user) && !acl_check_client(c, cmd, false, noperm, sizeof(noperm))) {
        dispatch_reject(c, cmd, "%s", noperm);
        return NULL;
    }
    /* A script command's writes and memory are its script's: the checks
     * below see the flags it declared (FCALL); one flag test otherwise. */
    struct command script_view;
    const struct command *checked = cmd;
    if (cmd->flags & CMD_SCRIPT_FLAGS) {
        script_view = *cmd;
        script_view.flags = script_command_flags(c, cmd, cmd->flags);
        checked = &script_view;
    }
    *flags_out = checked->flags;
    /* maxmemory: evict first, then refuse what could add to the memory
     * (Redis runs this after the ACL and cluster checks, before MISCONF).
     * With no limit set this is one test. */
    if (c->commands->config->maxmemory != 0 && !(c->flags & CLIENT_MASTER) &&
        evict_command_refused(c, checked)) {
        dispatch_reject(c, cmd, "%s", EVICT_OOM_ERROR);
        return NULL;
    }
    /* stop-writes-on-bgsave-error: writes (and PING, as in Redis) wait
     * until a save succeeds again. */
    /* What our master sends is applied whatever our disk says (Redis obeys
     * its master here too, and in the maxmemory check above). */
    if (rdb_save_writes_denied(c->commands->persist) && !(c->flags & CLIENT_MASTER) &&
        dispatch_refused_on_disk_error(cmd, checked->flags)) {
        dispatch_reject(c, cmd, "%s", RDB_SAVE_MISCONF_ERROR);
        return NULL;
    }
    char misconf[256];
    if (dispatch_refused_on_disk_error(cmd, checked->flags) && !(c->flags & CLIENT_MASTER) &&
        aof_writes_denied(c->commands->persist, misconf, sizeof(misconf))) {
        dispatch_reject(c, cmd, "%s", misconf);
        return NULL;
    }
    /* Replication: NOREPLICAS (min-replicas-to-write), READONLY and
     * MASTERDOWN on a replica; two flag tests while neither applies. */
    if ((c->commands->repl_replica || c->commands->config->min_replicas_to_write) &&
        c->commands->repl_deny) {
        const char *denied = c->commands->repl_deny(c->commands->repl_ctx, c, checked);
        if (denied) {
            dispatch_reject(c, cmd, "%s", denied);
            return NULL;
        }
    }
    /* A RESP2 connection in Pub/Sub mode may only manage its subscriptions
     * (Redis 7.0's text; the subcommand's full name when there is one). */
    if (c->resp == 2 && pubsub_client_subscribed(c) && !pubsub_allowed_when_subscribed(cmd)) {
        dispatch_reject(c, cmd,
                        "Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT "
                        "/ RESET are allowed in this context",
                        cmd->fullname);
        return NULL;
    }
    /* A script past busy-reply-threshold: only the commands flagged
     * allow_busy run (SCRIPT KILL, SHUTDOWN NOSAVE...), as in Redis. */
    if (c->commands->script_busy && !(cmd->flags & CMD_ALLOW_BUSY)) {
        dispatch_reject(c, cmd, "%s", script_busy_error(c->commands));
        return NULL;
    }
    /* CLIENT LIST shows the command being run or queued as cmd=; the
     * commands an EXEC runs leave it at "exec", as in Redis. */
    c->last_cmd = cmd;
    /* CLIENT PAUSE: last, as in Redis, so a command that fails a check
     * answers at once; a postponed one is parsed and checked again when
     * the pause ends. */
    if (c->commands->pause_type != PAUSE_OFF && pause_postpones(c, checked)) {
        pause_postpone(c);
        return NULL;
    }
    return cmd;
}

void dispatch_call(struct client *c, struct command *cmd)
{
    struct commands *cs = c->commands;
    const struct command *outer = c->cmd;
    long long start = log_clock_us();
    /* Command time: a nested command keeps its caller's (EXEC's queue),
     * but a script's commands read the clock, as 7.0's do; expiry stays at
     * the script's snapshot (keyspace frozen_ms). */
    if (!outer || (c->flags & CLIENT_SCRIPT))
        cs->keyspace->now_ms = start / 1000;
    c->cmd = cmd;
    /* WAITAOF's replica count needs the replication offset of the
     * client's last write (Redis's c->woff); without replication this is
     * one test. */
    long long repl_before = cs->repl_offset && !outer ? cs->repl_offset(cs->repl_ctx) : 0;
    struct propagate_frame frame;
    propagate_begin(cs, &frame);
    /* The slow log times the handler alone, as Redis's c->duration. */
    long long proc_start = log_clock_us();
    cmd->proc(c);
    long long proc_us = log_clock_us() - proc_start;
    propagate_end(c, cmd, &frame);
    /* Client-side caching: the keys a read remembers, and the
     * invalidations this command owes its own client, after its reply. */
    if (cs->tracking)
        tracking_after_call(c, cmd, outer == NULL);
    /* Whole-db changes are judged once the command has made them. */
    if (cs->watch_settle_pending)
        transaction_settle(cs);
    /* Monitors see the command after it ran, with the database it left
     * selected, as in Redis; never an admin command (ACL SETUSER's
     * passwords, CONFIG), which Redis 7.0 deems too dangerous to show. */
    if (cs->monitors && !(cmd->flags & (CMD_SKIP_MONITOR | CMD_ADMIN)) &&
        !(cmd->parent && (cmd->parent->flags & CMD_SKIP_MONITOR)))
        client_feed_monitors(c);
    c->cmd = outer;
    cmd->stats.usec += log_clock_us() - start;
    /* A command that blocked is counted when it unblocks (blocking.c),
     * and the slow log sees it then, as in Redis. */
    if (!(c->flags & CLIENT_BLOCKED)) {
        cmd->stats.calls++;
        cs->stats.total_commands_processed++;
        slowlog_push_if_needed(c, cmd, proc_us < 0 ? 0 : proc_us);
        if (cs->config->latency_tracking || cs->config->latency_monitor_threshold > 0)
            command_record_latency(cs, cmd, proc_us < 0 ? 0 : proc_us);
    } else {
        c->blocked.call_us = proc_us < 0 ? 0 : proc_us;
    }
    if (cs->repl_offset && !outer) {
        long long repl_after = cs->repl_offset(cs->repl_ctx);
        if (repl_after != repl_before)
            c->repl_woff = repl_after;
    }
    /* Clients blocked on keys this command changed are served now, once
     * the command (a whole EXEC included) is over. */
    if (!outer && cs->ready_count > 0)
        blocking_serve_ready(cs);
}

/* Inside MULTI these run at once instead of being queued: they are the
 * commands that manage the transaction or the connection itself. */
static bool dispatch_runs_in_multi(const struct command *cmd)
{
    static const char *const names[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    return command_is_one_of(cmd, names, sizeof(names) / sizeof(names[0]));
}

void dispatch_process(struct client *c)
{
    assert(c->cmd == NULL);
    struct commands *cs = c->commands;
    /* The reply waits for the writes it could have seen (dirty_keys.h). */
    struct dirty_keys_call call;
    dirty_keys_begin(c, &call);
    struct client *tracking_previous = NULL;
    if (cs->tracking)
        tracking_previous = tracking_before_command(c);
    uint32_t flags = 0;
    struct command *cmd = dispatch_check(c, &flags);
    if (cmd && (c->flags & CLIENT_MULTI) && !dispatch_runs_in_multi(cmd)) {
        /* Queued with the flags it was judged by (FCALL: its function's),
         * which EXEC's checks see again. */
        transaction_queue(c, cmd, flags);
        cmd = NULL;
    } else if (cmd) {
        dispatch_call(c, cmd);
        assert(c->cmd == NULL);
    }
    /* Tested again: CLIENT TRACKING may have created the state. */
    if (cs->tracking)
        tracking_after_command(c, tracking_previous);
    dirty_keys_end(c, &call, cmd);
    /* A blocked command ends when it unblocks (client_unblocked); a
     * postponed one has not run. */
    if (!(c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED)))
        client_command_done(c);
}

/* ---- connections: the loop's input and closed handlers ---- */

static void dispatch_protocol_error(struct client *c, const char *error)
{
    reply_error(c, error);
    log_write(c->commands->log, LOGLEVEL_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s",
              error, (unsigned long long)c->conn.id, c->conn.addr);
    client_close_after_reply(c);
}

void dispatch_input(struct conn *conn)
{
    struct client *c = client_of(conn);
    struct commands *cs = c->commands;
    struct resp_request *r = &conn->request;
    /* The link to our master: replication reads its handshake, the RDB and
     * then the command stream itself. */
    if (c->flags & CLIENT_MASTER) {
        /* While a script is busy the master's stream accumulates, to be
         * applied after it (script_lua.c resumes the link), as Redis. */
        if (cs->script_busy)
            return;
        cs->repl_input(c);
        return;
    }
    /* A blocked, postponed or WAITing client runs nothing more until it is
     * released: its pipelined commands wait here and resume through
     * client_unblocked. */
    while (!(conn->flags & (CONN_CLOSE_AFTER_REPLY | CONN_CLOSING)) &&
           !(c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED | CLIENT_REPL_WAIT)) &&
           conn->query_pos < conn->query_len) {
        if (cs->loop->stopping)
            break;
        if (aof_congested(cs->persist)) {
            conn_pause(conn); /* resumes when the AOF drains */
            break;
        }
        r->authenticated = c->authenticated;
        enum resp_parse_result res =
            resp_parse(r, conn->query + conn->query_pos, conn->query_len - conn->query_pos);
        if (res == RESP_PARSE_MORE)
            break;
        if (res == RESP_PARSE_BAD) {
            dispatch_protocol_error(c, r->error);
            resp_request_reset(r);
            break;
        }
        size_t consumed = r->consumed;
        if (r->argc > 0) {
            c->argc = r->argc;
            c->argv = r->argv;
            dispatch_process(c);
            c->argc = 0;
            c->argv = NULL;
        }
        resp_request_reset(r);
        /* A postponed command stays in the buffer, to run when the pause
         * ends. */
        if (c->flags & CLIENT_POSTPONED)
            break;
        conn->query_pos += consumed;
    }
    conn_query_consumed(conn);
}

void dispatch_closed(struct conn *conn)
{
    struct client *c = client_of(conn);
    /* Out of every watch list and blocking FIFO first: neither map may
     * hold a freed client. */
    transaction_client_reset(c);
    blocking_unblock(c, BLOCKING_REPLY_NONE);
    pause_client_gone(c);
    pubsub_client_reset(c);
    if (c->commands->tracking)
        tracking_client_closed(c);
    if (c->flags & CLIENT_REPL_KNOWN)
        c->commands->repl_closed(c->commands->repl_ctx, c);
    client_free(c);
}

/* ---- the layer's set-up ---- */

void dispatch_init(struct commands *cs)
{
    command_table_init(cs);
    struct command *tables[] = {connection_commands, keyspace_commands, string_commands,
                                command_commands, transaction_commands, list_commands,
                                hash_commands, set_commands, zset_commands, stream_commands,
                                pubsub_commands,
                                slowlog_commands, acl_commands, waitaof_commands,
                                geo_commands, sort_commands,
                                bitmap_commands, hll_commands,
                                script_commands, function_commands,
                                dump_commands};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        command_table_add(cs, tables[t]);
    cs->call = dispatch_call;
    keyspec_table_build(cs);
    dirty_keys_init(cs);
    transaction_init(cs);
    blocking_init(cs);
    waitaof_init(cs);
    pubsub_init(cs);
    slowlog_init(cs);
    propagate_init(cs);
    evict_init(cs);
    acl_init(cs);
    script_init(cs);
    script_eval_init(cs);
    function_init(cs);
    function_run_init(cs);
}

void dispatch_add_table(struct commands *cs, struct command *table)
{
    command_table_add(cs, table);
    /* Both tables are indexed by command: rebuilt to cover the new ones. */
    keyspec_table_build(cs);
    dirty_keys_index_commands(cs);
    acl_commands_added(cs);
}

void dispatch_free(struct commands *cs)
{
    function_free(cs);
    script_eval_free(cs);
    script_free(cs);
    evict_free(cs);
    acl_free(cs);
    propagate_free(cs);
    tracking_free(cs);
    slowlog_free(cs);
    pubsub_free(cs);
    transaction_free(cs);
    blocking_free(cs);
    waitaof_free(cs);
    dirty_keys_free(cs);
    keyspec_table_free(cs);
    command_table_free(cs);
}

/* ---- the AOF replayer: one fake client runs every command read ---- */

static void *dispatch_replay_open(void *ctx)
{
    struct client *fake = client_create(ctx, -1);
    fake->flags |= CLIENT_FAKE;
    fake->authenticated = true;
    fake->user = acl_superuser(fake->commands); /* the log replays what was allowed */
    return fake;
}

static bool dispatch_replay_run(void *session, int argc, struct resp_arg *argv)
{
    struct client *fake = session;
    if (!command_lookup(fake->commands, argv[0].ptr, argv[0].len))
        return false;
    fake->argc = argc;
    fake->argv = argv;
    dispatch_process(fake);
    fake->conn.out.len = 0; /* nobody reads a fake client's replies */
    fake->conn.out_released = 0;
    fake->argc = 0;
    fake->argv = NULL;
    return true;
}

static void dispatch_replay_reset(void *session)
{
    transaction_client_reset(session);
}

static void dispatch_replay_close(void *session)
{
    client_close(session);
}

struct persist_replayer dispatch_replayer(struct commands *cs)
{
    return (struct persist_replayer){
        .ctx = cs,
        .open = dispatch_replay_open,
        .run = dispatch_replay_run,
        .reset = dispatch_replay_reset,
        .close = dispatch_replay_close,
    };
}
