/* client.c: a client session on a connection: creation, closing, CLIENT
 * LIST lines, MONITOR feeds, lookups by id.
 *
 * Owns struct client. The connection's bytes are conn.c's (net/wire/);
 * what arrives is run by dispatch.c, which also ends a session
 * (dispatch_closed) once its connection has nothing in flight.
 *
 * Invariant: a client is freed only from dispatch_closed, so no completion
 * can reach freed memory. */
#include "net/commands/client.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "net/commands/acl.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

static void client_init_state(struct client *c)
{
    struct commands *cs = c->commands;
    c->db = &cs->keyspace->dbs[0];
    c->resp = 2;
    /* As Redis: a new connection is the default user's, already
     * authenticated when that user takes any password. */
    c->user = acl_default_user(cs);
    c->authenticated = acl_new_client_authenticated(cs);
    c->conn.request.authenticated = c->authenticated;
}

void client_describe(struct conn *conn, struct buf *out)
{
    client_info_line(client_of(conn), out);
}

struct client *client_create(struct commands *cs, int fd)
{
    struct client *c = alloc_zeroed(sizeof(*c));
    c->commands = cs;
    conn_init(&c->conn, cs->loop, fd, cs->config->proto_max_bulk_len);
    /* Every connection is of class normal (MONITOR clients too, as in
     * Redis; net/repl/ moves replicas to the replica class; pubsub.c moves a subscribed client to the pubsub
     * class). A fake client (AOF
     * loading) is never limited: Redis cannot free those either. */
    if (fd >= 0)
        c->conn.out_limit = &cs->config->client_output_buffer_limit[CONFIG_CLIENT_NORMAL];
    client_init_state(c);
    return c;
}

/* Redis 7.0's answer to a non-local client in protected mode
 * (clientAcceptHandler), byte for byte, typo included. */
static const char CLIENT_PROTECTED_MODE_DENIED[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same "
    "host the server is running, however MAKE SURE Redis is not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively "
    "you can just disable the protected mode by editing the Redis configuration file, and "
    "setting the protected mode option to 'no', and then restarting the server. 3) If you "
    "started the server manually just for testing, restart it with the '--protected-mode no' "
    "option. 4) Setup a an authentication password for the default user. NOTE: You only need "
    "to do one of the above things in order for the server to start accepting connections from "
    "the outside.\r\n";

/* Whether protected mode turns c away. Redis 7.0 compares the peer's
 * address as text with exactly "127.0.0.1" and "::1": other 127/8
 * addresses, IPv4-mapped ones and the host's own external addresses are
 * refused, whatever `bind` says. Only a default user without a password
 * (requirepass unset or empty) is protected. */
static bool client_denied_by_protected_mode(const struct client *c)
{
    const struct config *cfg = c->commands->config;
    if (!cfg->protected_mode || !acl_default_user_nopass(c->commands))
        return false;
    return !config_peer_is_local(c->conn.addr);
}

void client_accept(void *commands, int fd)
{
    struct client *c = client_create(commands, fd);
    if (client_denied_by_protected_mode(c)) {
        /* As Redis: the error goes out at once, before any command is
         * read, and the connection counts as rejected, not received. */
        conn_write(&c->conn, CLIENT_PROTECTED_MODE_DENIED, sizeof(CLIENT_PROTECTED_MODE_DENIED) - 1);
        client_close_after_reply(c);
        c->conn.loop->stats.total_connections_received--;
        c->conn.loop->stats.rejected_connections++;
    }
}

void client_free(struct client *c)
{
    if (c->flags & CLIENT_MONITOR)
        c->commands->monitors--;
    conn_destroy(&c->conn);
    alloc_free(c->name);
    alloc_free(c->tracking_prefixes); /* tracking.c emptied it */
    alloc_free(c);
}

void client_close(struct client *c)
{
    conn_close(&c->conn);
}

void client_close_after_reply(struct client *c)
{
    conn_close_after_reply(&c->conn);
}

void client_unblocked(struct client *c)
{
    client_command_done(c);
    conn_resume(&c->conn);
}

void client_reply_mode_apply(struct client *c)
{
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP))
        c->conn.flags |= CONN_MUTED;
    else
        c->conn.flags &= ~(unsigned)CONN_MUTED;
}

struct client *client_first(struct commands *cs)
{
    return cs->loop->conns_head ? client_of(cs->loop->conns_head) : NULL;
}

struct client *client_next(struct client *c)
{
    return c->conn.next ? client_of(c->conn.next) : NULL;
}

void client_set_name(struct client *c, const char *name, size_t len)
{
    alloc_free(c->name);
    c->name = len ? alloc_strndup(name, len) : NULL;
}

void client_reset(struct client *c)
{
    if (c->flags & CLIENT_MONITOR) {
        c->flags &= ~(unsigned)CLIENT_MONITOR;
        c->commands->monitors--;
    }
    client_set_name(c, NULL, 0);
    client_init_state(c);
    /* RESET ends CLIENT REPLY OFF and a SKIP still to come; a SKIP already
     * on mutes RESET's own reply, as in Redis. NO-EVICT stays. */
    c->flags &= ~(unsigned)(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
    client_reply_mode_apply(c);
}

struct client *client_by_id(struct commands *cs, uint64_t id)
{
    for (struct client *c = client_first(cs); c; c = client_next(c))
        if (c->conn.id == id && !(c->conn.flags & CONN_CLOSING))
            return c;
    return NULL;
}

static const char *client_flags_text(const struct client *c, char *out)
{
    char *p = out;
    if (c->flags & CLIENT_MONITOR)
        *p++ = 'O';
    else if (c->flags & CLIENT_REPLICA)
        *p++ = 'S';
    if (c->flags & CLIENT_MASTER)
        *p++ = 'M';
    if (c->flags & CLIENT_REPL_WAIT)
        *p++ = 'b';
    if (c->pubsub[0].count + c->pubsub[1].count + c->pubsub[2].count > 0)
        *p++ = 'P'; /* Pub/Sub mode (pubsub.h) */
    if (c->flags & (CLIENT_BLOCKED | CLIENT_POSTPONED))
        *p++ = 'b';
    if (c->flags & CLIENT_MULTI)
        *p++ = 'x';
    if (c->flags & CLIENT_TRACKING)
        *p++ = 't';
    if (c->flags & CLIENT_TRACKING_BROKEN_REDIR)
        *p++ = 'R';
    if (c->flags & CLIENT_TRACKING_BCAST)
        *p++ = 'B';
    if (c->flags & CLIENT_DIRTY_CAS)
        *p++ = 'd';
    if ((c->conn.flags & CONN_CLOSE_AFTER_REPLY) && !(c->conn.flags & CONN_CLOSE_ASAP))
        *p++ = 'c';
    if (c->conn.flags & CONN_CLOSE_ASAP)
        *p++ = 'A';
    if (c->flags & CLIENT_NO_EVICT)
        *p++ = 'e';
    if (p == out)
        *p++ = 'N';
    *p = '\0';
    return out;
}

void client_info_line(struct client *c, struct buf *b)
{
    struct commands *cs = c->commands;
    char line[1024 + CLIENT_NAME_BYTES_MAX], flags[16];
    int n = snprintf(line, sizeof(line),
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%d psub=%d "
        "ssub=%d multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=%lld obl=%zu "
        "oll=0 omem=%zu tot-mem=%zu events=r cmd=%s user=%s redir=%lld resp=%d",
        (unsigned long long)c->conn.id, c->conn.addr, c->conn.laddr, c->conn.fd, c->name ? c->name : "",
        (long long)((cs->loop->now_ms - c->conn.ctime_ms) / 1000), (long long)((cs->loop->now_ms - c->conn.last_interaction_ms) / 1000),
        client_flags_text(c, flags), c->db->id, c->pubsub[0].count, c->pubsub[1].count,
        c->pubsub[2].count, (c->flags & CLIENT_MULTI) ? c->queued_count : -1,
        c->conn.query_len - c->conn.query_pos, c->conn.query_cap - c->conn.query_len, c->conn.query_cap, c->conn.query_peak,
        c->conn.out.len, c->conn.out.cap + c->conn.sending.cap,
        sizeof(*c) + c->conn.query_cap + c->conn.out.cap + c->conn.sending.cap,
        c->last_cmd ? c->last_cmd->fullname : "NULL", c->user->name,
        (c->flags & CLIENT_TRACKING) ? (long long)c->tracking_redirect : -1LL, c->resp);
    if (n >= (int)sizeof(line))
        n = (int)sizeof(line) - 1; /* a very long user name is cut */
    buf_append(b, line, (size_t)n);
}

void client_feed_monitors(struct client *c)
{
    struct commands *cs = c->commands;
    if (!cs->monitors)
        return;
    struct buf line = {0};
    char head[128];
    long long us = log_clock_us();
    int n = snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", us / 1000000, us % 1000000,
                     c->db->id, c->conn.fd < 0 ? "lua" : c->conn.addr);
    buf_append(&line, head, (size_t)n);
    /* Passwords never reach a monitor: AUTH's arguments and HELLO's AUTH
     * pair are shown as (redacted), as Redis does. */
    bool is_auth = c->cmd && strcmp(c->cmd->name, "auth") == 0;
    bool is_hello = c->cmd && strcmp(c->cmd->name, "hello") == 0;
    int redact_from = c->argc, redact_to = -1;
    if (is_auth) {
        redact_from = 1;
        redact_to = c->argc - 1;
    }
    for (int i = 2; is_hello && i + 2 < c->argc; i++) {
        if (c->argv[i].len == 4 && strncasecmp(c->argv[i].ptr, "auth", 4) == 0) {
            redact_from = i + 1;
            redact_to = i + 2;
            break;
        }
    }
    for (int i = 0; i < c->argc; i++) {
        if (i >= redact_from && i <= redact_to) {
            buf_append(&line, " \"(redacted)\"", 13);
            continue;
        }
        buf_append(&line, " \"", 2);
        for (size_t j = 0; j < c->argv[i].len; j++) {
            unsigned char ch = (unsigned char)c->argv[i].ptr[j];
            char esc[8];
            int m;
            if (ch == '\\' || ch == '"')
                m = snprintf(esc, sizeof(esc), "\\%c", ch);
            else if (ch == '\n')
                m = snprintf(esc, sizeof(esc), "\\n");
            else if (ch == '\r')
                m = snprintf(esc, sizeof(esc), "\\r");
            else if (ch == '\t')
                m = snprintf(esc, sizeof(esc), "\\t");
            else if (ch == '\a')
                m = snprintf(esc, sizeof(esc), "\\a");
            else if (ch == '\b')
                m = snprintf(esc, sizeof(esc), "\\b");
            else if (ch < 32 || ch > 126)
                m = snprintf(esc, sizeof(esc), "\\x%02x", ch);
            else
                esc[0] = (char)ch, m = 1;
            buf_append(&line, esc, (size_t)m);
        }
        buf_append(&line, "\"", 1);
    }
    buf_append(&line, "\r\n", 2);
    for (struct client *m = client_first(cs); m; m = client_next(m))
        if ((m->flags & CLIENT_MONITOR) && m != c && !(m->conn.flags & CONN_CLOSING))
            conn_write(&m->conn, line.data, line.len);
    buf_free(&line);
}
