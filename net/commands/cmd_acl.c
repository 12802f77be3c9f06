/* cmd_acl.c: the ACL command and its subcommands (SETUSER, GETUSER,
 * DELUSER, LIST, USERS, WHOAMI, CAT, GENPASS, LOG, DRYRUN, SAVE, LOAD,
 * HELP), with Redis 7.0's replies and errors.
 *
 * Owns only the replies: users, rules, the check, the log and the aclfile
 * are acl.c's. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "engine/alloc.h"
#include "engine/number.h"
#include "net/commands/acl.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/wire/buf.h"
#include "net/wire/loop.h"

/* GENPASS's ceiling, as Redis's. */
#define ACL_GENPASS_BITS_MAX 4096

static const char ACL_NO_FILE_ERROR[] =
    "This Redis instance is not configured to use an ACL file. You may want to specify users via "
    "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

static bool acl_arg_has_spaces(const struct resp_arg *a)
{
    for (size_t i = 0; i < a->len; i++)
        if (a->ptr[i] == ' ' || a->ptr[i] == '\0')
            return true;
    return false;
}

/* "Error in ACL SETUSER modifier '<rule>': <why>", whatever the rule's
 * length (reply_errorf would cut it). */
static void acl_reply_rule_error(struct client *c, const char *rule, const char *why)
{
    struct buf b = {0};
    buf_append(&b, "Error in ACL SETUSER modifier '", 31);
    buf_append(&b, rule, strlen(rule));
    buf_append(&b, "': ", 3);
    buf_append(&b, why, strlen(why) + 1);
    reply_error(c, b.data);
    buf_free(&b);
}

static void acl_setuser_command(struct client *c)
{
    struct commands *cs = c->commands;
    const struct resp_arg *name = &c->argv[2];
    if (acl_arg_has_spaces(name)) {
        reply_error(c, "Usernames can't contain spaces or null characters");
        return;
    }
    int count = 0, unmatched = 0;
    char **rules = acl_merge_rules(c->argc - 3, c->argv + 3, &count, &unmatched);
    if (!rules) {
        const struct resp_arg *a = &c->argv[3 + unmatched];
        reply_errorf(c, "Unmatched parenthesis in acl selector starting at '%.*s'.", (int)a->len,
                     a->ptr);
        return;
    }
    struct acl_user *existing = acl_user_lookup(cs, name->ptr, name->len);
    struct acl_user *u = existing ? acl_user_copy(existing) : acl_user_new(cs, name->ptr, name->len);
    for (int i = 0; i < count; i++) {
        enum acl_rule_error e = acl_user_apply_rule(cs, u, rules[i], strlen(rules[i]));
        if (e != ACL_RULE_OK) {
            acl_reply_rule_error(c, rules[i], acl_rule_error_text(e));
            acl_user_free(u);
            for (int j = 0; j < count; j++)
                alloc_free(rules[j]);
            alloc_free(rules);
            return;
        }
    }
    for (int j = 0; j < count; j++)
        alloc_free(rules[j]);
    alloc_free(rules);
    if (existing) {
        /* The old channels are compared once the new rules are in place. */
        struct acl_user *old = acl_user_copy(existing);
        acl_user_replace(cs, existing, u);
        acl_kill_pubsub_clients(cs, existing, &old->root, c);
        acl_user_free(old);
    } else {
        acl_user_refresh(cs, u);
        acl_user_insert(cs->acl, u);
    }
    reply_ok(c);
}

static void acl_reply_buf(struct client *c, struct buf *b)
{
    reply_bulk(c, b->data ? b->data : "", b->len);
    b->len = 0;
}

/* One selector's commands, keys and channels, as GETUSER shows them. */
static void acl_reply_selector_fields(struct client *c, const struct acl_selector *s, struct buf *b)
{
    reply_bulk_cstr(c, "commands");
    acl_describe_commands(c->commands, s, b);
    acl_reply_buf(c, b);
    reply_bulk_cstr(c, "keys");
    acl_describe_keys(s, b);
    acl_reply_buf(c, b);
    reply_bulk_cstr(c, "channels");
    acl_describe_channels(s, b);
    acl_reply_buf(c, b);
}

static void acl_getuser_command(struct client *c)
{
    const struct acl_user *u = acl_user_lookup(c->commands, c->argv[2].ptr, c->argv[2].len);
    if (!u) {
        reply_null(c);
        return;
    }
    struct buf b = {0};
    reply_map_len(c, 6);
    reply_bulk_cstr(c, "flags");
    const char *flags[4];
    int n = 0;
    flags[n++] = (u->flags & ACL_USER_ON) ? "on" : "off";
    if (u->flags & ACL_USER_NOPASS)
        flags[n++] = "nopass";
    if (u->flags & ACL_USER_SKIP_SANITIZE)
        flags[n++] = "skip-sanitize-payload";
    if (u->flags & ACL_USER_SANITIZE)
        flags[n++] = "sanitize-payload";
    reply_set_len(c, n);
    for (int i = 0; i < n; i++)
        reply_bulk_cstr(c, flags[i]);
    reply_bulk_cstr(c, "passwords");
    reply_array_len(c, u->password_count);
    for (int i = 0; i < u->password_count; i++)
        reply_bulk(c, u->passwords[i], ACL_HASH_HEX_BYTES);
    acl_reply_selector_fields(c, &u->root, &b);
    reply_bulk_cstr(c, "selectors");
    reply_array_len(c, u->selector_count);
    for (int i = 0; i < u->selector_count; i++) {
        reply_map_len(c, 3);
        acl_reply_selector_fields(c, &u->selectors[i], &b);
    }
    buf_free(&b);
}

static void acl_deluser_command(struct client *c)
{
    struct commands *cs = c->commands;
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        if (c->argv[i].len == 7 && memcmp(c->argv[i].ptr, "default", 7) == 0) {
            reply_error(c, "The 'default' user cannot be removed");
            return;
        }
        struct acl_user *u = acl_user_lookup(cs, c->argv[i].ptr, c->argv[i].len);
        if (!u)
            continue;
        acl_user_delete(cs, u, c);
        deleted++;
    }
    reply_integer(c, deleted);
}

static void acl_list_command(struct client *c)
{
    struct acl *acl = c->commands->acl;
    struct buf b = {0};
    reply_array_len(c, acl->user_count);
    for (int i = 0; i < acl->user_count; i++) {
        const struct acl_user *u = acl->users[i];
        buf_append(&b, "user ", 5);
        buf_append(&b, u->name, u->name_len);
        buf_append(&b, " ", 1);
        acl_describe_user(c->commands, u, &b);
        acl_reply_buf(c, &b);
    }
    buf_free(&b);
}

static void acl_users_command(struct client *c)
{
    struct acl *acl = c->commands->acl;
    reply_array_len(c, acl->user_count);
    for (int i = 0; i < acl->user_count; i++)
        reply_bulk(c, acl->users[i]->name, acl->users[i]->name_len);
}

static void acl_whoami_command(struct client *c)
{
    reply_bulk(c, c->user->name, c->user->name_len);
}

struct acl_cat_ctx {
    struct client *c;
    uint32_t flag;
    long long count;
};

static void acl_cat_one(struct command *cmd, void *ctx)
{
    struct acl_cat_ctx *k = ctx;
    if (cmd->acl & k->flag) {
        reply_bulk_cstr(k->c, cmd->fullname);
        k->count++;
    }
    if (cmd->subcommands)
        for (struct command *sub = cmd->subcommands; sub->name; sub++)
            acl_cat_one(sub, ctx);
}

static void acl_cat_command(struct client *c)
{
    if (c->argc > 3) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments for 'cat'. Try ACL HELP.");
        return;
    }
    if (c->argc == 2) {
        reply_array_len(c, ACL_CATEGORY_COUNT);
        for (int i = 0; i < ACL_CATEGORY_COUNT; i++)
            reply_bulk_cstr(c, acl_category_names[i]);
        return;
    }
    int category = acl_category_lookup(c->argv[2].ptr, c->argv[2].len);
    if (category < 0) {
        reply_errorf(c, "Unknown category '%.*s'", (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    struct acl_cat_ctx k = {.c = c, .flag = 1u << category};
    size_t handle = reply_defer_len(c);
    command_for_each(c->commands, acl_cat_one, &k);
    reply_set_defer_len(c, handle, k.count, '*');
}

static void acl_genpass_command(struct client *c)
{
    long long bits = 256;
    if (c->argc > 3) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments for 'genpass'. Try ACL HELP.");
        return;
    }
    if (c->argc == 3 && !arg_get_ll(c, 2, &bits, NULL))
        return;
    if (bits <= 0 || bits > ACL_GENPASS_BITS_MAX) {
        reply_errorf(c, "ACL GENPASS argument must be the number of bits for the output password, "
                        "a positive number up to %d", ACL_GENPASS_BITS_MAX);
        return;
    }
    size_t chars = (size_t)(bits + 3) / 4;
    uint8_t random[ACL_GENPASS_BITS_MAX / 8];
    size_t need = (chars + 1) / 2, got = 0;
    while (got < need) {
        ssize_t n = getrandom(random + got, need - got, 0);
        if (n > 0)
            got += (size_t)n;
    }
    char hex[ACL_GENPASS_BITS_MAX / 4 + 1];
    for (size_t i = 0; i < chars; i++)
        hex[i] = "0123456789abcdef"[(random[i / 2] >> ((i % 2) ? 0 : 4)) & 15];
    reply_bulk(c, hex, chars);
}

static const char *acl_reason_name(enum acl_denial d)
{
    switch (d) {
    case ACL_DENIED_CMD: return "command";
    case ACL_DENIED_KEY: return "key";
    case ACL_DENIED_AUTH: return "auth";
    case ACL_DENIED_CHANNEL: return "channel";
    case ACL_OK: break;
    }
    return "unknown";
}

static void acl_log_command(struct client *c)
{
    struct acl *acl = c->commands->acl;
    long long count = 10;
    if (c->argc > 3) {
        reply_errorf(c, "unknown subcommand or wrong number of arguments for 'log'. Try ACL HELP.");
        return;
    }
    if (c->argc == 3) {
        if (arg_equals(&c->argv[2], "reset")) {
            acl_log_reset(acl);
            reply_ok(c);
            return;
        }
        if (!arg_get_ll(c, 2, &count, NULL))
            return;
        if (count < 0)
            count = 0;
    }
    long long shown = count < acl->log_count ? count : acl->log_count;
    long long now = c->commands->loop->now_ms;
    reply_array_len(c, shown);
    for (long long i = 0; i < shown; i++) {
        const struct acl_log_entry *e = &acl->log[i];
        reply_map_len(c, 7);
        reply_bulk_cstr(c, "count");
        reply_integer(c, e->count);
        reply_bulk_cstr(c, "reason");
        reply_bulk_cstr(c, acl_reason_name(e->reason));
        reply_bulk_cstr(c, "context");
        reply_bulk_cstr(c, e->context == ACL_LOG_MULTI ? "multi" : "toplevel");
        reply_bulk_cstr(c, "object");
        reply_bulk_cstr(c, e->object);
        reply_bulk_cstr(c, "username");
        reply_bulk_cstr(c, e->username);
        reply_bulk_cstr(c, "age-seconds");
        reply_double(c, (double)(now - e->ctime_ms) / 1000.0);
        reply_bulk_cstr(c, "client-info");
        reply_bulk_cstr(c, e->client_info);
    }
}

/* The command argv names, resolved to its subcommand; replies the error
 * Redis's DRYRUN gives and returns NULL when there is none. */
static struct command *acl_dryrun_lookup(struct client *c, const struct resp_arg *argv, int argc)
{
    struct command *cmd = command_lookup(c->commands, argv[0].ptr, argv[0].len);
    if (cmd && cmd->subcommands && argc >= 2) {
        struct command *sub = command_lookup_sub(cmd, argv[1].ptr, argv[1].len);
        if (sub)
            cmd = sub;
        else if (!cmd->proc)
            cmd = NULL;
    }
    if (!cmd) {
        reply_errorf(c, "Command '%.*s' not found", (int)argv[0].len, argv[0].ptr);
        return NULL;
    }
    if (cmd->arity > 0 ? argc != cmd->arity : argc < -cmd->arity) {
        reply_errorf(c, "wrong number of arguments for '%s' command", cmd->fullname);
        return NULL;
    }
    return cmd;
}

static void acl_dryrun_command(struct client *c)
{
    const struct acl_user *u = acl_user_lookup(c->commands, c->argv[2].ptr, c->argv[2].len);
    if (!u) {
        reply_errorf(c, "User '%.*s' not found", (int)c->argv[2].len, c->argv[2].ptr);
        return;
    }
    const struct resp_arg *argv = c->argv + 3;
    int argc = c->argc - 3;
    struct command *cmd = acl_dryrun_lookup(c, argv, argc);
    if (!cmd)
        return;
    int pos;
    enum acl_denial d = acl_check(c->commands, u, cmd, argc, argv, &pos);
    if (d == ACL_OK) {
        reply_ok(c);
        return;
    }
    struct buf b = {0};
    if (d == ACL_DENIED_CMD) {
        buf_append(&b, "This user has no permissions to run the '", 41);
        buf_append(&b, cmd->fullname, strlen(cmd->fullname));
        buf_append(&b, "' command", 9);
    } else {
        const char *kind = d == ACL_DENIED_KEY ? "' key" : "' channel";
        buf_append(&b, "This user has no permissions to access the '", 44);
        buf_append(&b, argv[pos].ptr, argv[pos].len);
        buf_append(&b, kind, strlen(kind));
    }
    reply_bulk(c, b.data, b.len);
    buf_free(&b);
}

static void acl_save_command(struct client *c)
{
    const char *path = c->commands->config->aclfile;
    if (!path || !path[0]) {
        reply_error(c, ACL_NO_FILE_ERROR);
        return;
    }
    char err[512];
    if (acl_file_save(c->commands, path, err, sizeof(err)) < 0) {
        log_write(c->commands->log, LOGLEVEL_WARNING, "%s", err);
        reply_error(c, "There was an error trying to save the ACLs. Please check the server logs "
                       "for more information");
        return;
    }
    reply_ok(c);
}

static void acl_load_command(struct client *c)
{
    const char *path = c->commands->config->aclfile;
    if (!path || !path[0]) {
        reply_error(c, ACL_NO_FILE_ERROR);
        return;
    }
    /* Every bad line is reported: room for many. */
    size_t err_len = 64 * 1024;
    char *err = alloc_bytes(err_len);
    if (acl_file_load(c->commands, path, c, err, err_len) < 0)
        reply_error(c, err);
    else
        reply_ok(c);
    alloc_free(err);
}

static void acl_help_command(struct client *c)
{
    static const char *const lines[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL,
    };
    reply_help(c, "ACL", lines);
}

#define ACL_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define ACL_ADMIN_CATS (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

static struct command acl_subcommands[] = {
    {.name = "cat", .proc = acl_cat_command, .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW,
     .summary = "List the ACL categories or the commands inside a category", .since = "6.0.0",
     .group = "server", .complexity = "O(1) since the categories and commands are a fixed set.",
     .arguments = "categoryname^s?"},
    {.name = "deluser", .proc = acl_deluser_command, .arity = -3, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Remove the specified ACL users and the associated rules", .since = "6.0.0",
     .group = "server", .complexity = "O(1) amortized time considering the typical user.",
     .arguments = "username^s*"},
    {.name = "dryrun", .proc = acl_dryrun_command, .arity = -4, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Returns whether the user can execute the given command without executing the "
                "command.",
     .since = "7.0.0", .group = "server", .complexity = "O(1).",
     .arguments = "username^s command^s arg^s?*"},
    {.name = "genpass", .proc = acl_genpass_command, .arity = -2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW,
     .summary = "Generate a pseudorandom secure password to use for ACL users", .since = "6.0.0",
     .group = "server", .complexity = "O(1)",
     .arguments = "bits^i?"},
    {.name = "getuser", .proc = acl_getuser_command, .arity = 3, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Get the rules for a specific ACL user", .since = "6.0.0", .group = "server",
     .complexity = "O(N). Where N is the number of password, command and pattern rules that the "
                   "user has.",
     .history = (const struct command_history[]){
         {"6.2.0", "Added Pub/Sub channel patterns."},
         {"7.0.0", "Added selectors and changed the format of key and channel patterns from a "
                   "list to their rule representation."},
         {0}},
     .arguments = "username^s"},
    {.name = "help", .proc = acl_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW,
     .summary = "Show helpful text about the different subcommands", .since = "6.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "list", .proc = acl_list_command, .arity = 2, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "List the current ACL rules in ACL config file format", .since = "6.0.0",
     .group = "server", .complexity = "O(N). Where N is the number of configured users."},
    {.name = "load", .proc = acl_load_command, .arity = 2, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Reload the ACLs from the configured ACL file", .since = "6.0.0",
     .group = "server", .complexity = "O(N). Where N is the number of configured users."},
    {.name = "log", .proc = acl_log_command, .arity = -2, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "List latest events denied because of ACLs in place", .since = "6.0.0",
     .group = "server", .complexity = "O(N) with N being the number of entries shown.",
     .arguments = "operation^o?(count^i reset^t='RESET')"},
    {.name = "save", .proc = acl_save_command, .arity = 2, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Save the current ACL rules in the configured ACL file", .since = "6.0.0",
     .group = "server", .complexity = "O(N). Where N is the number of configured users."},
    {.name = "setuser", .proc = acl_setuser_command, .arity = -3, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "Modify or create the rules for a specific ACL user", .since = "6.0.0",
     .group = "server", .complexity = "O(N). Where N is the number of rules provided.",
     .history = (const struct command_history[]){
         {"6.2.0", "Added Pub/Sub channel patterns."},
         {"7.0.0", "Added selectors and key based permissions."},
         {0}},
     .arguments = "username^s rule^s?*"},
    {.name = "users", .proc = acl_users_command, .arity = 2, .flags = ACL_ADMIN_FLAGS,
     .acl = ACL_ADMIN_CATS,
     .summary = "List the username of all the configured ACL rules", .since = "6.0.0",
     .group = "server", .complexity = "O(N). Where N is the number of configured users."},
    {.name = "whoami", .proc = acl_whoami_command, .arity = 2,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, .acl = ACL_SLOW,
     .summary = "Return the name of the user associated to the current connection",
     .since = "6.0.0", .group = "server", .complexity = "O(1)"},
    {0},
};

struct command acl_commands[] = {
    {.name = "acl", .arity = -2, .flags = CMD_SENTINEL, .acl = ACL_SLOW,
     .summary = "A container for Access List Control commands ", .since = "6.0.0",
     .group = "server", .complexity = "Depends on subcommand.",
     .subcommands = acl_subcommands},
    {0},
};
