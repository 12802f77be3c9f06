/* cmd_connection.c: connection commands: PING, ECHO, QUIT, HELLO, SELECT,
 * RESET, AUTH, CLIENT and MONITOR.
 *
 * Owns the per-connection state changes (protocol version, selected db,
 * authentication, name). Replies and errors follow Redis 7.0 exactly. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/number.h"
#include "engine/db.h"
#include "net/commands/acl.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/pause.h"
#include "net/commands/pubsub.h"
#include "net/commands/reply.h"
#include "net/commands/tracking.h"
#include "net/commands/transaction.h"
#include "net/core/config.h"
#include "net/core/version.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

static void connection_ping_command(struct client *c)
{
    if (c->argc > 2) {
        reply_error_arity(c);
        return;
    }
    if (c->resp == 2 && pubsub_client_subscribed(c)) {
        /* Redis 7.0's answer in RESP2 Pub/Sub mode: ["pong", message or ""]. */
        reply_array_len(c, 2);
        reply_bulk(c, "pong", 4);
        reply_bulk(c, c->argc == 2 ? c->argv[1].ptr : "", c->argc == 2 ? c->argv[1].len : 0);
    } else if (c->argc == 1)
        reply_raw(c, "+PONG\r\n", 7);
    else
        reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
}

static void connection_echo_command(struct client *c)
{
    reply_bulk(c, c->argv[1].ptr, c->argv[1].len);
}

static void connection_quit_command(struct client *c)
{
    reply_ok(c);
    client_close_after_reply(c);
}

/* AUTH [user] pass: the default user when none is named. Redis 7.0 keeps
 * the old error for the one-argument form when the default user takes any
 * password. */
static void connection_auth_command(struct client *c)
{
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (c->argc == 2 && acl_default_user_nopass(c->commands)) {
        reply_error(c, "AUTH <password> called without any password configured for the default "
                       "user. Are you sure your configuration is correct?");
        return;
    }
    static const struct resp_arg default_name = {.ptr = "default", .len = 7};
    const struct resp_arg *user = c->argc == 3 ? &c->argv[1] : &default_name;
    const struct resp_arg *pass = &c->argv[c->argc - 1];
    if (acl_authenticate(c, user, pass))
        reply_ok(c);
    else
        reply_error(c, "-WRONGPASS invalid username-password pair or user is disabled.");
}

static bool connection_name_valid(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < '!' || p[i] > '~')
            return false;
    return true;
}

static void connection_hello_reply(struct client *c)
{
    reply_map_len(c, 7);
    reply_bulk_cstr(c, "server");
    reply_bulk_cstr(c, "redis");
    reply_bulk_cstr(c, "version");
    reply_bulk_cstr(c, VERSION_REDIS);
    reply_bulk_cstr(c, "proto");
    reply_integer(c, c->resp);
    reply_bulk_cstr(c, "id");
    reply_integer(c, (long long)c->conn.id);
    reply_bulk_cstr(c, "mode");
    reply_bulk_cstr(c, "standalone");
    reply_bulk_cstr(c, "role");
    reply_bulk_cstr(c, "master");
    reply_bulk_cstr(c, "modules");
    reply_empty_array(c);
}

static void connection_hello_command(struct client *c)
{
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (!number_parse_ll(c->argv[1].ptr, c->argv[1].len, &ver)) {
            reply_error(c, "Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (ver < 2 || ver > 3) {
            reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    const struct resp_arg *user = NULL, *pass = NULL, *name = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (arg_equals(&c->argv[j], "auth") && more >= 2) {
            user = &c->argv[j + 1];
            pass = &c->argv[j + 2];
            j += 2;
        } else if (arg_equals(&c->argv[j], "setname") && more >= 1) {
            name = &c->argv[j + 1];
            if (!connection_name_valid(name->ptr, name->len)) {
                reply_error(c, "Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            j += 1;
        } else {
            reply_errorf(c, "Syntax error in HELLO option '%.*s'", (int)c->argv[j].len, c->argv[j].ptr);
            return;
        }
    }
    /* As Redis 7.0: a failed AUTH ends HELLO before SETNAME, so the name
     * is not set (it was only checked while parsing). */
    if (user && !acl_authenticate(c, user, pass)) {
        reply_error(c, "-WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    if (!c->authenticated) {
        reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if (name)
        client_set_name(c, name->ptr, name->len);
    if (ver)
        c->resp = (int)ver;
    connection_hello_reply(c);
}

static void connection_select_command(struct client *c)
{
    long long id;
    if (!number_parse_ll(c->argv[1].ptr, c->argv[1].len, &id)) {
        reply_error_not_integer(c);
        return;
    }
    if (id < 0 || id >= c->commands->keyspace->db_count) {
        reply_error(c, "DB index is out of range");
        return;
    }
    c->db = &c->commands->keyspace->dbs[id];
    reply_ok(c);
}

static void connection_reset_command(struct client *c)
{
    transaction_client_reset(c); /* discards MULTI, unwatches every key */
    pubsub_client_reset(c);
    tracking_client_reset(c);
    client_reset(c);
    reply_status(c, "RESET");
}

static void connection_monitor_command(struct client *c)
{
    /* Inside EXEC the client may not switch to a blocking mode. */
    if (c->flags & CLIENT_DENY_BLOCKING) {
        reply_error(c, "MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & CLIENT_MONITOR) {
        reply_ok(c);
        return;
    }
    c->flags |= CLIENT_MONITOR;
    c->commands->monitors++;
    reply_ok(c);
}

/* ---- CLIENT ---- */

static void client_id_command(struct client *c)
{
    reply_integer(c, (long long)c->conn.id);
}

static void client_getname_command(struct client *c)
{
    if (c->name)
        reply_bulk_cstr(c, c->name);
    else
        reply_null(c);
}

static void client_setname_command(struct client *c)
{
    const struct resp_arg *name = &c->argv[2];
    if (!connection_name_valid(name->ptr, name->len)) {
        reply_error(c, "Client names cannot contain spaces, newlines or special characters.");
        return;
    }
    client_set_name(c, name->ptr, name->len);
    reply_ok(c);
}

static void client_info_command(struct client *c)
{
    struct buf b = {0};
    client_info_line(c, &b);
    buf_append(&b, "\n", 1);
    reply_verbatim(c, b.data, b.len, "txt");
    buf_free(&b);
}

/* Redis's client types (getClientType). There are no replicas or masters
 * yet, so those types match nobody; a MONITOR client counts as normal, as
 * in Redis. */
enum client_type {
    CLIENT_TYPE_INVALID = 0,
    CLIENT_TYPE_NORMAL,
    CLIENT_TYPE_REPLICA, /* "replica" or "slave" */
    CLIENT_TYPE_PUBSUB,  /* any subscription (pubsub_client_subscribed) */
    CLIENT_TYPE_MASTER,
};

/* The type a CLIENT LIST / CLIENT KILL TYPE argument names, case-insensitive. */
static enum client_type client_type_parse(const struct resp_arg *t)
{
    if (arg_equals(t, "normal"))
        return CLIENT_TYPE_NORMAL;
    if (arg_equals(t, "replica") || arg_equals(t, "slave"))
        return CLIENT_TYPE_REPLICA;
    if (arg_equals(t, "pubsub"))
        return CLIENT_TYPE_PUBSUB;
    if (arg_equals(t, "master"))
        return CLIENT_TYPE_MASTER;
    return CLIENT_TYPE_INVALID;
}

static enum client_type client_type_of(const struct client *c)
{
    /* Redis's getClientType: a replica, then the master, then pubsub. */
    if ((c->flags & CLIENT_REPLICA) && !(c->flags & CLIENT_MONITOR))
        return CLIENT_TYPE_REPLICA;
    if (c->flags & CLIENT_MASTER)
        return CLIENT_TYPE_MASTER;
    return pubsub_client_subscribed(c) ? CLIENT_TYPE_PUBSUB : CLIENT_TYPE_NORMAL;
}

/* Whether o shows in CLIENT LIST: an open connection (not a fake client,
 * not one being closed). */
static bool client_listable(struct client *o)
{
    return o->conn.fd >= 0 && !(o->conn.flags & CONN_CLOSING);
}

static void client_list_append(struct client *o, struct buf *b)
{
    client_info_line(o, b);
    buf_append(b, "\n", 1);
}

/* CLIENT LIST [TYPE type | ID id ...]. With ID, each id is looked up in
 * the order given, so a repeated id is listed again, as in Redis; ids
 * that match nobody (0 and negatives too) list nothing. */
static void client_list_command(struct client *c)
{
    struct commands *cs = c->commands;
    enum client_type type = CLIENT_TYPE_INVALID; /* INVALID: any type */
    bool by_id = false;
    if (c->argc == 4 && arg_equals(&c->argv[2], "type")) {
        type = client_type_parse(&c->argv[3]);
        if (type == CLIENT_TYPE_INVALID) {
            reply_errorf(c, "Unknown client type '%.*s'", (int)c->argv[3].len, c->argv[3].ptr);
            return;
        }
    } else if (c->argc > 3 && arg_equals(&c->argv[2], "id")) {
        by_id = true;
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (!number_parse_ll(c->argv[j].ptr, c->argv[j].len, &id)) {
                reply_error(c, "Invalid client ID");
                return;
            }
        }
    } else if (c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    struct buf b = {0};
    if (by_id) {
        for (int j = 3; j < c->argc; j++) {
            long long id = 0;
            number_parse_ll(c->argv[j].ptr, c->argv[j].len, &id);
            struct client *o = id > 0 ? client_by_id(cs, (uint64_t)id) : NULL;
            if (o && client_listable(o))
                client_list_append(o, &b);
        }
    } else {
        for (struct client *o = client_first(cs); o; o = client_next(o)) {
            if (!client_listable(o) ||
                (type != CLIENT_TYPE_INVALID && client_type_of(o) != type))
                continue;
            client_list_append(o, &b);
        }
    }
    reply_verbatim(c, b.data ? b.data : "", b.len, "txt");
    buf_free(&b);
}

/* CLIENT KILL's filters, all of which must match (Redis 7.0 has no MAXAGE:
 * it came in 7.4, and 7.0.15 answers it with a syntax error, as we do). */
struct client_kill_filter {
    long long id;                         /* 0: any */
    const struct resp_arg *addr, *laddr;  /* borrowed from argv; NULL: any */
    enum client_type type;                /* CLIENT_TYPE_INVALID: any */
    const struct acl_user *user;          /* borrowed; NULL: any */
    bool skipme;
};

static bool client_kill_addr_equals(const char *addr, const struct resp_arg *want)
{
    return strlen(addr) == want->len && memcmp(addr, want->ptr, want->len) == 0;
}

static bool client_kill_matches(const struct client_kill_filter *f, struct client *self, struct client *o)
{
    if (f->id && (uint64_t)f->id != o->conn.id)
        return false;
    if (f->addr && !client_kill_addr_equals(o->conn.addr, f->addr))
        return false;
    if (f->laddr && !client_kill_addr_equals(o->conn.laddr, f->laddr))
        return false;
    if (f->type != CLIENT_TYPE_INVALID && client_type_of(o) != f->type)
        return false;
    if (f->user && o->user != f->user)
        return false;
    if (f->skipme && o == self)
        return false;
    return true;
}

/* Parses CLIENT KILL's filter pairs left to right, as Redis does, so the
 * first bad pair decides the error; replies and returns false on error. */
static bool client_kill_parse(struct client *c, struct client_kill_filter *f)
{
    for (int j = 2; j < c->argc; j += 2) {
        if (j + 1 >= c->argc) {
            reply_error_syntax(c);
            return false;
        }
        const struct resp_arg *opt = &c->argv[j], *val = &c->argv[j + 1];
        if (arg_equals(opt, "id")) {
            if (!number_parse_ll(val->ptr, val->len, &f->id) || f->id <= 0) {
                reply_error(c, "client-id should be greater than 0");
                return false;
            }
        } else if (arg_equals(opt, "addr")) {
            f->addr = val;
        } else if (arg_equals(opt, "laddr")) {
            f->laddr = val;
        } else if (arg_equals(opt, "user")) {
            /* Usernames are case-sensitive. */
            f->user = acl_user_lookup(c->commands, val->ptr, val->len);
            if (!f->user) {
                reply_errorf(c, "No such user '%.*s'", (int)val->len, val->ptr);
                return false;
            }
        } else if (arg_equals(opt, "type")) {
            f->type = client_type_parse(val);
            if (f->type == CLIENT_TYPE_INVALID) {
                reply_errorf(c, "Unknown client type '%.*s'", (int)val->len, val->ptr);
                return false;
            }
        } else if (arg_equals(opt, "skipme")) {
            if (arg_equals(val, "yes")) {
                f->skipme = true;
            } else if (arg_equals(val, "no")) {
                f->skipme = false;
            } else {
                reply_error_syntax(c);
                return false;
            }
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

/* Closes every other open client f matches and returns how many matched,
 * c itself included (which the caller closes after its reply). Another
 * client never has a command running while c's runs (one thread, and no
 * command nests in another), so closing it here is safe whatever it is in
 * (blocked, MULTI, subscribed, output held): conn_close drops its output
 * and dispatch_closed takes it out of every map before freeing it, now or
 * once its in-flight ops complete. */
static int client_kill_matching(struct client *c, const struct client_kill_filter *f)
{
    int killed = 0;
    struct client *next;
    for (struct client *o = client_first(c->commands); o; o = next) {
        next = client_next(o); /* o may be freed below */
        if (o->conn.fd < 0 || (o->conn.flags & CONN_CLOSING) || !client_kill_matches(f, c, o))
            continue;
        if (o != c)
            client_close(o);
        killed++;
    }
    return killed;
}

static void client_kill_command(struct client *c)
{
    struct client_kill_filter f = {.skipme = true};
    if (c->argc == 3) {
        /* The old form: CLIENT KILL addr:port, replies +OK or an error; it
         * may kill the caller. */
        f.addr = &c->argv[2];
        f.skipme = false;
    } else if (!client_kill_parse(c, &f)) {
        return;
    }
    bool self = client_kill_matches(&f, c, c);
    int killed = client_kill_matching(c, &f);
    if (c->argc == 3 && killed == 0)
        reply_error(c, "No such client");
    else if (c->argc == 3)
        reply_ok(c);
    else
        reply_integer(c, killed);
    /* Killing itself, the caller gets its reply first; later replies (the
     * rest of an EXEC) are dropped, as in Redis. */
    if (self)
        client_close_after_reply(c);
}

static void client_no_evict_command(struct client *c)
{
    if (arg_equals(&c->argv[2], "on")) {
        c->flags |= CLIENT_NO_EVICT;
    } else if (arg_equals(&c->argv[2], "off")) {
        c->flags &= ~(unsigned)CLIENT_NO_EVICT;
    } else {
        reply_error_syntax(c);
        return;
    }
    reply_ok(c);
}

/* CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the
 * timeout, as in Redis 7.0. The timeout is milliseconds from now; 0
 * starts a pause that ends at the next check unless one runs longer. A
 * deadline past the clock's range saturates (Redis 7.0 accepts any
 * non-negative integer). */
static void client_pause_command(struct client *c)
{
    if (c->argc > 4) {
        /* Redis's addReplySubcommandSyntaxError: the name as typed. */
        int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
        reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try CLIENT HELP.",
                     len, c->argv[1].ptr);
        return;
    }
    enum pause_type type = PAUSE_ALL;
    if (c->argc == 4) {
        if (arg_equals(&c->argv[3], "write")) {
            type = PAUSE_WRITE;
        } else if (!arg_equals(&c->argv[3], "all")) {
            reply_error(c, "CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    long long timeout;
    if (!number_parse_ll(c->argv[2].ptr, c->argv[2].len, &timeout)) {
        reply_error(c, "timeout is not an integer or out of range");
        return;
    }
    if (timeout < 0) {
        reply_error(c, "timeout is negative");
        return;
    }
    int64_t now = c->commands->loop->now_ms;
    int64_t end = timeout > INT64_MAX - now ? INT64_MAX : now + timeout;
    pause_start(c->commands, end, type);
    reply_ok(c);
}

static void client_unpause_command(struct client *c)
{
    pause_end(c->commands);
    reply_ok(c);
}

/* CLIENT REPLY ON|OFF|SKIP: OFF and SKIP send no reply of their own (the
 * mute starts with them); ON answers +OK. */
static void client_reply_command(struct client *c)
{
    if (arg_equals(&c->argv[2], "on")) {
        c->flags &= ~(unsigned)(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT);
        client_reply_mode_apply(c);
        reply_ok(c);
    } else if (arg_equals(&c->argv[2], "off")) {
        c->flags |= CLIENT_REPLY_OFF;
        client_reply_mode_apply(c);
    } else if (arg_equals(&c->argv[2], "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF))
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        reply_error_syntax(c);
    }
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking
 * command as if its timeout passed, or with an UNBLOCKED error. Replies 1
 * when the client was blocked, else 0. */
static void client_unblock_command(struct client *c)
{
    if (c->argc > 4) {
        reply_error(c, "unknown subcommand or wrong number of arguments for 'unblock'. Try "
                       "CLIENT HELP.");
        return;
    }
    enum blocking_unblock_reply reason = BLOCKING_REPLY_TIMEOUT;
    if (c->argc == 4) {
        if (arg_equals(&c->argv[3], "error")) {
            reason = BLOCKING_REPLY_ERROR;
        } else if (!arg_equals(&c->argv[3], "timeout")) {
            reply_error(c, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (!arg_get_ll(c, 2, &id, NULL))
        return;
    struct client *target = client_by_id(c->commands, (uint64_t)id);
    if (target == NULL || !(target->flags & CLIENT_BLOCKED)) {
        reply_integer(c, 0);
        return;
    }
    blocking_unblock_by_request(target, reason);
    reply_integer(c, 1);
}

static void client_help_command(struct client *c)
{
    static const char *const lines[] = {
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        NULL,
    };
    reply_help(c, "CLIENT", lines);
}

static struct command client_subcommands[] = {
    {.name = "id", .proc = client_id_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Returns the client ID for the current connection", .since = "5.0.0",
     .group = "connection", .complexity = "O(1)"},
    {.name = "getname", .proc = client_getname_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Get the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)"},
    {.name = "setname", .proc = client_setname_command, .arity = 3,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Set the current connection name", .since = "2.6.9", .group = "connection",
     .complexity = "O(1)",
     .arguments = "connection-name^s"},
    {.name = "list", .proc = client_list_command, .arity = -2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .tips = "nondeterministic_output",
     .summary = "Get the list of client connections", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = (const struct command_history[]){
         {"2.8.12", "Added unique client `id` field."},
         {"5.0.0", "Added optional `TYPE` filter."},
         {"6.0.0", "Added `user` field."},
         {"6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` "
                   "filter."},
         {"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
         {"7.0.3", "Added `ssub` field."},
         {0}},
     .arguments = "normal_master_replica_pubsub^o='TYPE'@5.0.0?(normal^t='NORMAL' "
                  "master^t='MASTER' replica^t='REPLICA' pubsub^t='PUBSUB') "
                  "id^b='ID'@6.2.0?(client-id^i*)"},
    {.name = "info", .proc = client_info_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .tips = "nondeterministic_output",
     .summary = "Returns information about the current client connection.", .since = "6.2.0",
     .group = "connection", .complexity = "O(1)"},
    {.name = "kill", .proc = client_kill_command, .arity = -3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .summary = "Kill the connection of a client", .since = "2.4.0", .group = "connection",
     .complexity = "O(N) where N is the number of client connections",
     .history = (const struct command_history[]){
         {"2.8.12", "Added new filter format."},
         {"2.8.12", "`ID` option."},
         {"3.2.0", "Added `master` type in for `TYPE` option."},
         {"5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward "
                   "compatibility."},
         {"6.2.0", "`LADDR` option."},
         {0}},
     .arguments = "filter^o(ip:port^s!2.8.12 new-format^o*(client-id^i='ID'@2.8.12? "
                  "normal_master_slave_pubsub^o='TYPE'@2.8.12?(normal^t='NORMAL' "
                  "master^t='MASTER'@3.2.0 slave^t='SLAVE' replica^t='REPLICA'@5.0.0 "
                  "pubsub^t='PUBSUB') username^s='USER'? ip:port^s='ADDR'? "
                  "ip:port^s='LADDR'@6.2.0? yes/no^s='SKIPME'?))"},
    {.name = "no-evict", .proc = client_no_evict_command, .arity = 3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .summary = "Set client eviction mode for the current connection", .since = "7.0.0",
     .group = "connection", .complexity = "O(1)",
     .arguments = "enabled^o(on^t='ON' off^t='OFF')"},
    {.name = "unblock", .proc = client_unblock_command, .arity = -3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .since = "5.0.0", .group = "connection",
     .complexity = "O(log N) where N is the number of client connections",
     .arguments = "client-id^i timeout_error^o?(timeout^t='TIMEOUT' error^t='ERROR')"},
    {.name = "pause", .proc = client_pause_command, .arity = -3,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .summary = "Stop processing commands from clients for some time", .since = "2.9.50",
     .group = "connection", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."},
         {0}},
     .arguments = "timeout^i mode^o@6.2.0?(write^t='WRITE' all^t='ALL')"},
    {.name = "unpause", .proc = client_unpause_command, .arity = 2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS | ACL_CONNECTION,
     .summary = "Resume processing of clients that were paused", .since = "6.2.0",
     .group = "connection", .complexity = "O(N) Where N is the number of paused clients"},
    {.name = "reply", .proc = client_reply_command, .arity = 3,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Instruct the server whether to reply to commands", .since = "3.2.0",
     .group = "connection", .complexity = "O(1)",
     .arguments = "on_off_skip^o(on^t='ON' off^t='OFF' skip^t='SKIP')"},
    {.name = "getredir", .proc = tracking_getredir_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Get tracking notifications redirection client ID if any", .since = "6.0.0",
     .group = "connection", .complexity = "O(1)"},
    {.name = "tracking", .proc = tracking_command, .arity = -3,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Enable or disable server assisted client side caching support",
     .since = "6.0.0", .group = "connection",
     .complexity = "O(1). Some options may introduce additional complexity.",
     .arguments = "status^o(on^t='ON' off^t='OFF') client-id^i='REDIRECT'? "
                  "prefix^s='PREFIX'?*+ bcast^t='BCAST'? optin^t='OPTIN'? optout^t='OPTOUT'? "
                  "noloop^t='NOLOOP'?"},
    {.name = "caching", .proc = tracking_caching_command, .arity = 3,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Instruct the server about tracking or not keys in the next request",
     .since = "6.0.0", .group = "connection", .complexity = "O(1)",
     .arguments = "mode^o(yes^t='YES' no^t='NO')"},
    {.name = "trackinginfo", .proc = tracking_trackinginfo_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Return information about server assisted client side caching for the current "
                "connection",
     .since = "6.2.0", .group = "connection", .complexity = "O(1)"},
    {.name = "help", .proc = client_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_CONNECTION,
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0",
     .group = "connection", .complexity = "O(1)"},
    {0},
};

struct command connection_commands[] = {
    {.name = "ping", .proc = connection_ping_command, .arity = -1, .flags = CMD_FAST | CMD_SENTINEL,
     .acl = ACL_FAST | ACL_CONNECTION,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ping the server", .since = "1.0.0", .group = "connection", .complexity = "O(1)",
     .arguments = "message^s?"},
    {.name = "echo", .proc = connection_echo_command, .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST, .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Echo the given string", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)",
     .arguments = "message^s"},
    {.name = "quit", .proc = connection_quit_command, .arity = -1,
     .flags = CMD_ALLOW_BUSY | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH,
     .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Close the connection", .since = "1.0.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "auth", .proc = connection_auth_command, .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY, .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Authenticate to the server", .since = "1.0.0", .group = "connection",
     .complexity = "O(N) where N is the number of passwords defined for the user",
     .history = (const struct command_history[]){
         {"6.0.0", "Added ACL style (username and password)."},
         {0}},
     .arguments = "username^s@6.0.0? password^s"},
    {.name = "hello", .proc = connection_hello_command, .arity = -1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_SENTINEL |
              CMD_ALLOW_BUSY, .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Handshake with Redis", .since = "6.0.0", .group = "connection",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"6.2.0", "`protover` made optional; when called without arguments the command reports "
                   "the current connection's context."},
         {0}},
     .arguments = "arguments^b?(protover^i username_password^b='AUTH'?(username^s password^s) "
                  "clientname^s='SETNAME'?)"},
    {.name = "select", .proc = connection_select_command, .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST, .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Change the selected database for the current connection", .since = "1.0.0",
     .group = "connection", .complexity = "O(1)",
     .arguments = "index^i"},
    {.name = "reset", .proc = connection_reset_command, .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
     .acl = ACL_FAST | ACL_CONNECTION,
     .summary = "Reset the connection", .since = "6.2.0", .group = "connection",
     .complexity = "O(1)"},
    {.name = "monitor", .proc = connection_monitor_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
     .acl = ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS,
     .summary = "Listen for all requests received by the server in real time", .since = "1.0.0",
     .group = "server"},
    {.name = "client", .arity = -2, .flags = CMD_SENTINEL, .acl = ACL_SLOW,
     .summary = "A container for client connection commands", .since = "2.4.0",
     .group = "connection", .complexity = "Depends on subcommand.",
     .subcommands = client_subcommands},
    {0},
};
