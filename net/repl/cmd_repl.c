/* cmd_repl.c: replication's commands (REPLCONF, PSYNC, SYNC, REPLICAOF,
 * SLAVEOF, WAIT, ROLE) and INFO's replication section. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/dispatch.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/repl/repl_internal.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

static void repl_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void repl_printf(struct buf *b, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_append(b, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static void replconf_command(struct client *c)
{
    repl_replconf_command(c);
}

static void psync_command(struct client *c)
{
    repl_sync_command(c, true);
}

static void sync_command(struct client *c)
{
    repl_sync_command(c, false);
}

static void wait_command(struct client *c)
{
    repl_wait_command(c);
}

/* REPLICAOF host port | NO ONE (SLAVEOF too). */
static void replicaof_command(struct client *c)
{
    struct repl *r = c->commands->repl_ctx;
    char host[256], port_text[32];
    repl_arg_text(c->argv[1].ptr, c->argv[1].len, host, sizeof(host));
    repl_arg_text(c->argv[2].ptr, c->argv[2].len, port_text, sizeof(port_text));
    if (strcasecmp(host, "no") == 0 && strcasecmp(port_text, "one") == 0) {
        if (r->link != REPL_LINK_NONE) {
            repl_unset_master(r);
            log_write(c->commands->log, LOGLEVEL_NOTICE,
                      "MASTER MODE enabled (user request from 'id=%llu addr=%s')",
                      (unsigned long long)c->conn.id, c->conn.addr);
        }
        reply_ok(c);
        return;
    }
    if (c->flags & CLIENT_REPLICA) {
        reply_error(c, "Command is not valid when client is a replica.");
        return;
    }
    char *end;
    long long port = strtoll(port_text, &end, 10);
    if (*end || end == port_text || port < 0 || port > 65535) {
        reply_error(c, "Invalid master port");
        return;
    }
    if (r->link != REPL_LINK_NONE && r->master_host && strcasecmp(r->master_host, host) == 0 &&
        r->master_port == port) {
        log_write(c->commands->log, LOGLEVEL_NOTICE,
                  "REPLICAOF would result into synchronization with the master we are already "
                  "connected with. No operation performed.");
        reply_status(c, "OK Already connected to specified master");
        return;
    }
    repl_set_master(r, host, (int)port);
    log_write(c->commands->log, LOGLEVEL_NOTICE,
              "REPLICAOF %s:%d enabled (user request from 'id=%llu addr=%s')", host, (int)port,
              (unsigned long long)c->conn.id, c->conn.addr);
    reply_ok(c);
}

/* The replica's IP as the master sees it: its address without the port. */
static void replica_ip(const struct client *c, char *out, size_t len)
{
    snprintf(out, len, "%s", c->conn.addr);
    char *colon = strrchr(out, ':');
    if (colon)
        *colon = '\0';
    if (out[0] == '[') { /* [v6]:port */
        memmove(out, out + 1, strlen(out));
        char *close = strchr(out, ']');
        if (close)
            *close = '\0';
    }
}

static void role_command(struct client *c)
{
    struct repl *r = c->commands->repl_ctx;
    if (r->link == REPL_LINK_NONE) {
        reply_array_len(c, 3);
        reply_bulk_cstr(c, "master");
        reply_integer(c, r->offset);
        /* Online replicas only, as Redis lists them. */
        int online = 0;
        for (int i = 0; i < r->replica_count; i++)
            online += r->replicas[i].state == REPL_REPLICA_ONLINE;
        reply_array_len(c, online);
        for (int i = 0; i < r->replica_count; i++) {
            const struct repl_replica *rep = &r->replicas[i];
            if (rep->state != REPL_REPLICA_ONLINE)
                continue;
            char ip[64];
            replica_ip(rep->c, ip, sizeof(ip));
            reply_array_len(c, 3);
            reply_bulk_cstr(c, ip);
            reply_bulk_ll(c, rep->listening_port);
            reply_bulk_ll(c, rep->ack_offset);
        }
        return;
    }
    reply_array_len(c, 5);
    reply_bulk_cstr(c, "slave");
    reply_bulk_cstr(c, r->master_host);
    reply_integer(c, r->master_port);
    reply_bulk_cstr(c, repl_link_state_name(r));
    reply_integer(c, r->link == REPL_LINK_CONNECTED ? r->offset : -1);
}

static const char *replica_state_name(const struct repl_replica *rep)
{
    switch (rep->state) {
    case REPL_REPLICA_WAIT_BGSAVE_START:
    case REPL_REPLICA_WAIT_BGSAVE_END:
        return "wait_bgsave";
    case REPL_REPLICA_ONLINE:
        return rep->limit_deferred && rep->c->conn.out.len + rep->c->conn.sending.len > 0
                   ? "send_bulk"
                   : "online";
    default:
        return "handshake";
    }
}

void repl_info(struct repl *r, struct buf *b)
{
    int64_t now = r->cs->loop->now_ms;
    const struct config *cfg = r->config;
    if (r->link == REPL_LINK_NONE) {
        repl_printf(b, "role:master\r\n");
    } else {
        bool up = r->link == REPL_LINK_CONNECTED;
        long long applied = 1, read = 1;
        if ((r->master && up) || r->psync_known) {
            applied = r->offset;
            read = r->offset;
            if (r->master && up)
                read += (long long)(r->master->conn.query_len - r->master->conn.query_pos);
        }
        repl_printf(b,
                    "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\n"
                    "master_last_io_seconds_ago:%d\r\nmaster_sync_in_progress:%d\r\n"
                    "slave_read_repl_offset:%lld\r\nslave_repl_offset:%lld\r\n",
                    r->master_host, r->master_port, up ? "up" : "down",
                    r->master ? (int)((now - r->last_io_ms) / 1000) : -1,
                    r->link == REPL_LINK_TRANSFER, read, applied);
        if (r->link == REPL_LINK_TRANSFER) {
            long long total = r->transfer_size >= 0 ? r->transfer_size : -1;
            long long left = total >= 0 ? total - r->transfer_read : -1;
            repl_printf(b,
                        "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\n"
                        "master_sync_left_bytes:%lld\r\nmaster_sync_perc:%.2f\r\n"
                        "master_sync_last_io_seconds_ago:%d\r\n",
                        total, r->transfer_read, left,
                        total > 0 ? (double)r->transfer_read * 100 / (double)total : 0.0,
                        (int)((now - r->last_io_ms) / 1000));
        }
        if (!up)
            repl_printf(b, "master_link_down_since_seconds:%lld\r\n",
                        r->link_down_since_ms ? (long long)((now - r->link_down_since_ms) / 1000)
                                              : -1LL);
        repl_printf(b, "slave_priority:%lld\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n",
                    cfg->replica_priority, cfg->replica_read_only, cfg->replica_announced);
    }
    repl_printf(b, "connected_slaves:%d\r\n", repl_replicas_attached(r));
    if (cfg->min_replicas_to_write && cfg->min_replicas_max_lag)
        repl_printf(b, "min_slaves_good_slaves:%d\r\n", r->good_replicas);
    int n = 0;
    for (int i = 0; i < r->replica_count; i++) {
        const struct repl_replica *rep = &r->replicas[i];
        if (rep->state == REPL_REPLICA_HANDSHAKE)
            continue;
        char ip[64];
        replica_ip(rep->c, ip, sizeof(ip));
        repl_printf(b, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%lld\r\n", n++, ip,
                    rep->listening_port, replica_state_name(rep), rep->ack_offset,
                    (long long)((now - rep->ack_ms) / 1000));
    }
    repl_printf(b,
                "master_failover_state:no-failover\r\nmaster_replid:%s\r\nmaster_replid2:%s\r\n"
                "master_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\n"
                "repl_backlog_active:%d\r\nrepl_backlog_size:%lld\r\n"
                "repl_backlog_first_byte_offset:%lld\r\nrepl_backlog_histlen:%lld\r\n",
                r->replid, r->replid2, r->offset, r->second_offset, r->backlog != NULL,
                r->backlog ? r->backlog_size : cfg->repl_backlog_size, repl_backlog_first(r),
                r->backlog_histlen);
}

#define REPL_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT)
#define REPL_ADMIN_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

static struct command repl_commands[] = {
    {.name = "replconf", .proc = replconf_command, .arity = -1,
     .flags = REPL_ADMIN_FLAGS | CMD_LOADING | CMD_STALE | CMD_ALLOW_BUSY, .acl = REPL_ADMIN_ACL,
     .summary = "An internal command for configuring the replication stream", .since = "3.0.0",
     .group = "server", .complexity = "O(1)", .doc_flags = "syscmd"},
    {.name = "psync", .proc = psync_command, .arity = -3,
     .flags = REPL_ADMIN_FLAGS | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, .acl = REPL_ADMIN_ACL,
     .summary = "Internal command used for replication", .since = "2.8.0", .group = "server",
     .arguments = "replicationid^s offset^i"},
    {.name = "sync", .proc = sync_command, .arity = 1,
     .flags = REPL_ADMIN_FLAGS | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI, .acl = REPL_ADMIN_ACL,
     .summary = "Internal command used for replication", .since = "1.0.0", .group = "server"},
    {.name = "replicaof", .proc = replicaof_command, .arity = 3,
     .flags = REPL_ADMIN_FLAGS | CMD_STALE | CMD_NO_ASYNC_LOADING, .acl = REPL_ADMIN_ACL,
     .summary = "Make the server a replica of another instance, or promote it as master.",
     .since = "5.0.0", .group = "server", .complexity = "O(1)",
     .arguments = "host^s port^i"},
    {.name = "slaveof", .proc = replicaof_command, .arity = 3,
     .flags = REPL_ADMIN_FLAGS | CMD_STALE | CMD_NO_ASYNC_LOADING, .acl = REPL_ADMIN_ACL,
     .summary = "Make the server a replica of another instance, or promote it as master.",
     .since = "1.0.0", .group = "server", .complexity = "O(1)", .doc_flags = "deprecated",
     .deprecated_since = "5.0.0", .replaced_by = "`REPLICAOF`",
     .arguments = "host^s port^i"},
    {.name = "wait", .proc = wait_command, .arity = 3, .flags = CMD_NOSCRIPT,
     .acl = ACL_SLOW | ACL_CONNECTION,
     .tips = "request_policy:all_shards response_policy:agg_min",
     .summary = "Wait for the synchronous replication of all the write commands sent in the "
                "context of the current connection",
     .since = "3.0.0", .group = "generic", .complexity = "O(1)",
     .arguments = "numreplicas^i timeout^i"},
    {.name = "role", .proc = role_command, .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_ADMIN | ACL_FAST | ACL_DANGEROUS,
     .summary = "Return the role of the instance in the context of replication",
     .since = "2.8.12", .group = "server", .complexity = "O(1)"},
    {0},
};

void repl_commands_register(struct commands *cs)
{
    dispatch_add_table(cs, repl_commands);
}
