/* command.c: the command table and dispatch.
 *
 * Owns the registry (a case-insensitive dict of every top-level command),
 * the checks every command passes before its handler runs, in Redis 7.0's
 * order (unknown command, arity (subcommands included), authentication,
 * commands refused inside MULTI), the choice between running a command and
 * queueing it for EXEC, and the accounting of each call. Leaves each
 * command's semantics to the net/cmd_*.c files, and the transaction state
 * to cmd_transaction.c.
 *
 * Invariant: c->cmd is set while a handler runs (reply_error reads it to
 * count failed calls) and restored afterwards: NULL between commands, EXEC
 * while the commands it runs return. */
#include "net/commands/command.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/number.h"

struct command_node {
    struct dict_node link;
    struct command *cmd; /* borrowed: the static tables */
};

static uint64_t command_node_hash(const struct dict_node *node)
{
    const struct command_node *n = (const struct command_node *)node;
    return dict_hash_bytes_nocase(n->cmd->name, strlen(n->cmd->name));
}

static bool command_node_equal(const struct dict_node *node, const void *key, size_t len)
{
    const struct command_node *n = (const struct command_node *)node;
    return strlen(n->cmd->name) == len && strncasecmp(n->cmd->name, key, len) == 0;
}

static const struct dict_type command_dict_type = {command_node_hash, command_node_equal};

static void command_register(struct server *s, struct command *cmd)
{
    snprintf(cmd->fullname, sizeof(cmd->fullname), "%s", cmd->name);
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++) {
        sub->parent = cmd;
        snprintf(sub->fullname, sizeof(sub->fullname), "%s|%s", cmd->name, sub->name);
    }
    struct command_node *n = alloc_bytes(sizeof(*n));
    n->cmd = cmd;
    n->link.next = NULL;
    uint64_t hash = dict_hash_bytes_nocase(cmd->name, strlen(cmd->name));
    assert(dict_find(&s->commands, cmd->name, strlen(cmd->name), hash) == NULL);
    dict_add(&s->commands, &n->link, hash);
}

void command_table_init(struct server *s)
{
    dict_init(&s->commands, &command_dict_type);
    struct command *tables[] = {connection_commands, keyspace_commands, string_commands,
                                server_commands, command_commands, transaction_commands, list_commands,
                                hash_commands, set_commands, zset_commands};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (struct command *cmd = tables[t]; cmd->name; cmd++)
            command_register(s, cmd);
}

static void command_node_free(struct dict_node *node, void *ctx)
{
    alloc_free(node);
}

void command_table_free(struct server *s)
{
    dict_clear(&s->commands, command_node_free, NULL);
}

struct command *command_lookup(struct server *s, const char *name, size_t len)
{
    struct command_node *n = (struct command_node *)dict_find(
        &s->commands, name, len, dict_hash_bytes_nocase(name, len));
    return n ? n->cmd : NULL;
}

static struct command *command_find_sub(struct command *parent, const char *name, size_t len)
{
    for (struct command *sub = parent->subcommands; sub && sub->name; sub++)
        if (strlen(sub->name) == len && strncasecmp(sub->name, name, len) == 0)
            return sub;
    return NULL;
}

struct command *command_lookup_fullname(struct server *s, const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar)
        return command_lookup(s, name, len);
    struct command *parent = command_lookup(s, name, (size_t)(bar - name));
    if (!parent || !parent->subcommands)
        return NULL;
    return command_find_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
}

struct command_each_ctx {
    void (*fn)(struct command *cmd, void *ctx);
    void *ctx;
};

static void command_each_node(struct dict_node *node, void *ctx)
{
    struct command_each_ctx *each = ctx;
    each->fn(((struct command_node *)node)->cmd, each->ctx);
}

void command_for_each(struct server *s, void (*fn)(struct command *cmd, void *ctx), void *ctx)
{
    struct command_each_ctx each = {fn, ctx};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(&s->commands, cursor, command_each_node, &each);
    } while (cursor != 0);
}

size_t command_count(struct server *s)
{
    return (size_t)dict_size(&s->commands);
}

bool arg_get_ll(struct client *c, int i, long long *out, const char *msg)
{
    if (number_parse_ll(c->argv[i].ptr, c->argv[i].len, out))
        return true;
    if (msg)
        reply_error(c, msg);
    else
        reply_error_not_integer(c);
    return false;
}

bool arg_get_double(struct client *c, int i, double *out, const char *msg)
{
    if (number_parse_double(c->argv[i].ptr, c->argv[i].len, out))
        return true;
    if (msg)
        reply_error(c, msg);
    else
        reply_error_not_float(c);
    return false;
}

/* Replies a failed check. The command is counted as rejected (not
 * failed: c->cmd stays NULL, so reply_error counts no failure), and a
 * transaction being queued is flagged so its EXEC aborts. When EXEC itself
 * fails a check, the transaction ends here with "-EXECABORT ... because
 * of: <error>", in or out of MULTI, as in Redis. */
static void command_reject(struct client *c, struct command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void command_reject(struct client *c, struct command *cmd, const char *fmt, ...)
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

/* Parses a cursor as Redis 7.0's parseScanCursorOrReply: strtoul in base
 * 10, so an optional sign (a negative value wraps), no leading space, and
 * nothing after the digits but the end of the string (a NUL ends it, as in
 * C). An empty string is cursor 0. Overflow is an error. */
bool arg_get_cursor(const struct resp_arg *arg, uint64_t *out)
{
    const char *p = arg->ptr;
    size_t len = arg->len, i = 0;
    if (len > 0 && isspace((unsigned char)p[0]))
        return false;
    bool negative = false;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        negative = p[i++] == '-';
    size_t digits_start = i;
    uint64_t v = 0;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        uint64_t digit = (uint64_t)(p[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    /* With no digits strtoul converts nothing and points back at the start,
     * which is acceptable only when the string is empty. */
    if (i == digits_start)
        return len == 0 || p[0] == '\0';
    if (i < len && p[i] != '\0')
        return false;
    *out = negative ? (uint64_t)0 - v : v;
    return true;
}

/* Parses HSCAN/SSCAN/ZSCAN's options from argv[first] on, in pairs as
 * Redis does: COUNT n (at least 1, default COMMAND_SCAN_COUNT_DEFAULT) and
 * MATCH pattern ("*" becomes NULL: it matches everything, so no filtering).
 * Replies the error and returns false on a bad option. */
bool arg_get_scan_options(struct client *c, int first, long long *count,
                          const struct resp_arg **pattern)
{
    *count = COMMAND_SCAN_COUNT_DEFAULT;
    *pattern = NULL;
    for (int i = first; i < c->argc; i += 2) {
        bool has_value = c->argc - i >= 2;
        if (has_value && arg_equals(&c->argv[i], "count")) {
            if (!arg_get_ll(c, i + 1, count, NULL))
                return false;
            if (*count < 1) {
                reply_error_syntax(c);
                return false;
            }
        } else if (has_value && arg_equals(&c->argv[i], "match")) {
            const struct resp_arg *p = &c->argv[i + 1];
            *pattern = p->len == 1 && p->ptr[0] == '*' ? NULL : p;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

/* "-ERR unknown command 'x', with args beginning with: 'a' 'b' " with the
 * same truncation Redis applies (128 bytes of name, 128 of args in all). */
static void command_reject_unknown(struct client *c)
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
    command_reject(c, NULL, "unknown command '%.*s', with args beginning with: %s", name_len,
                   c->argv[0].ptr, args.data);
    buf_free(&args);
}

static bool command_arity_ok(const struct command *cmd, int argc)
{
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* Resolves a container command to its subcommand, replying on error. */
static struct command *command_resolve(struct client *c, struct command *cmd)
{
    if (!cmd->subcommands)
        return cmd;
    if (c->argc == 1) {
        if (cmd->proc)
            return cmd; /* a container that also runs bare (COMMAND) */
        command_reject(c, cmd, "wrong number of arguments for '%s' command", cmd->fullname);
        return NULL;
    }
    struct command *sub = command_find_sub(cmd, c->argv[1].ptr, c->argv[1].len);
    if (!sub) {
        int len = c->argv[1].len > 128 ? 128 : (int)c->argv[1].len;
        char upper[32];
        size_t n = 0;
        for (; cmd->name[n] && n + 1 < sizeof(upper); n++)
            upper[n] = (char)toupper((unsigned char)cmd->name[n]);
        upper[n] = '\0';
        command_reject(c, NULL, "unknown subcommand '%.*s'. Try %s HELP.", len, c->argv[1].ptr,
                       upper);
        return NULL;
    }
    return sub;
}

struct command *command_check(struct client *c)
{
    struct command *cmd = command_lookup(c->server, c->argv[0].ptr, c->argv[0].len);
    if (!cmd) {
        command_reject_unknown(c);
        return NULL;
    }
    cmd = command_resolve(c, cmd);
    if (!cmd)
        return NULL;
    if (!command_arity_ok(cmd, c->argc)) {
        command_reject(c, cmd, "wrong number of arguments for '%s' command", cmd->fullname);
        return NULL;
    }
    if (!c->authenticated && !(cmd->flags & CMD_NO_AUTH)) {
        command_reject(c, cmd, "NOAUTH Authentication required.");
        return NULL;
    }
    if (c->server->loading.active && !(cmd->flags & CMD_LOADING) && !(c->flags & CLIENT_FAKE)) {
        command_reject(c, cmd, "LOADING Redis is loading the dataset in memory");
        return NULL;
    }
    if ((c->flags & CLIENT_MULTI) && (cmd->flags & CMD_NO_MULTI)) {
        command_reject(c, cmd, "Command not allowed inside a transaction");
        return NULL;
    }
    /* stop-writes-on-bgsave-error: writes (and PING, as in Redis) wait
     * until a save succeeds again. */
    if (rdb_save_writes_denied(c->server) &&
        ((cmd->flags & CMD_WRITE) || (!cmd->parent && strcmp(cmd->name, "ping") == 0))) {
        command_reject(c, cmd, "%s", RDB_SAVE_MISCONF_ERROR);
        return NULL;
    }
    char misconf[256];
    if (((cmd->flags & CMD_WRITE) || (!cmd->parent && strcmp(cmd->name, "ping") == 0)) &&
        aof_writes_denied(c->server, misconf, sizeof(misconf))) {
        command_reject(c, cmd, "%s", misconf);
        return NULL;
    }
    /* CLIENT LIST shows the command being run or queued as cmd=; the
     * commands an EXEC runs leave it at "exec", as in Redis. */
    c->last_cmd = cmd;
    return cmd;
}

void command_call(struct client *c, struct command *cmd)
{
    struct server *s = c->server;
    const struct command *outer = c->cmd;
    long long start = server_ustime();
    if (!outer)
        s->keyspace.now_ms = start / 1000;
    c->cmd = cmd;
    struct propagate_frame frame;
    propagate_begin(s, &frame);
    cmd->proc(c);
    propagate_end(c, cmd, &frame);
    /* Whole-db changes are judged once the command has made them. */
    if (s->watch_settle_pending)
        transaction_settle(s);
    /* Monitors see the command after it ran, with the database it left
     * selected, as in Redis. */
    if (s->monitors && !(cmd->flags & CMD_SKIP_MONITOR) &&
        !(cmd->parent && (cmd->parent->flags & CMD_SKIP_MONITOR)))
        client_feed_monitors(c);
    c->cmd = outer;
    cmd->stats.usec += server_ustime() - start;
    /* A command that blocked is counted when it unblocks (blocking.c). */
    if (!(c->flags & CLIENT_BLOCKED)) {
        cmd->stats.calls++;
        s->stats.total_commands_processed++;
    }
    /* Clients blocked on keys this command changed are served now, once
     * the command (a whole EXEC included) is over. */
    if (!outer && s->ready_count > 0)
        blocking_serve_ready(s);
}

/* Inside MULTI these run at once instead of being queued: they are the
 * commands that manage the transaction or the connection itself. */
static bool command_runs_in_multi(const struct command *cmd)
{
    static const char *const names[] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    if (cmd->parent)
        return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(cmd->name, names[i]) == 0)
            return true;
    return false;
}

void command_process(struct client *c)
{
    assert(c->cmd == NULL);
    struct command *cmd = command_check(c);
    if (!cmd)
        return;
    if ((c->flags & CLIENT_MULTI) && !command_runs_in_multi(cmd)) {
        transaction_queue(c, cmd);
        return;
    }
    command_call(c, cmd);
    assert(c->cmd == NULL);
}

/* ---- Sorted command lists (INFO commandstats, COMMAND LIST) ---- */

static void command_list_push(struct command_list *l, struct command *cmd)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = alloc_resize(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->count++] = cmd;
}

/* command_for_each callback: a command and its subcommands. */
static void command_list_collect(struct command *cmd, void *ctx)
{
    struct command_list *l = ctx;
    command_list_push(l, cmd);
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        command_list_push(l, sub);
}

static int command_list_compare(const void *a, const void *b)
{
    const struct command *x = *(struct command *const *)a;
    const struct command *y = *(struct command *const *)b;
    return strcmp(x->fullname, y->fullname);
}

/* Every command and subcommand, sorted by full name. Free items after. */
void command_list_all(struct server *s, struct command_list *l)
{
    command_for_each(s, command_list_collect, l);
    qsort(l->items, l->count, sizeof(*l->items), command_list_compare);
}

static void command_list_collect_top(struct command *cmd, void *ctx)
{
    command_list_push(ctx, cmd);
}

/* Every top-level command, sorted by name. Free items after. */
void command_list_top(struct server *s, struct command_list *l)
{
    command_for_each(s, command_list_collect_top, l);
    qsort(l->items, l->count, sizeof(*l->items), command_list_compare);
}
