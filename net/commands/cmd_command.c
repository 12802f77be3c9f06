/* cmd_command.c: COMMAND and its subcommands (COUNT, INFO, DOCS, LIST,
 * GETKEYS, GETKEYSANDFLAGS, HELP).
 *
 * Owns how clients learn about the command table: Redis 7.0's 10-field
 * COMMAND INFO entries (flags, ACL categories, tips, key specs,
 * subcommands) and COMMAND DOCS maps (summary, since, group, complexity,
 * history, arguments), which redis-cli uses for its hints and client
 * libraries for key extraction. It holds no per-command data: each family
 * declares its commands' records (struct command) next to their handlers,
 * with the values Redis 7.0's own COMMAND output has, and this file
 * formats them. It defines the two text notations records use for key
 * specs and arguments, and parses them. */
#include <assert.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspec.h"
#include "net/commands/reply.h"

/* Replies a space-separated word list as a set of status strings. */
static void command_reply_words_set(struct client *c, const char *words)
{
    long long count = 0;
    for (const char *p = words; *p; p++)
        if (*p != ' ' && (p == words || p[-1] == ' '))
            count++;
    reply_set_len(c, count);
    for (const char *p = words; *p;) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == 0)
            break;
        char word[KEYSPEC_FLAGS_BYTES];
        assert(len < sizeof(word));
        memcpy(word, p, len);
        word[len] = '\0';
        reply_status(c, word);
        p += len;
    }
}

struct command_flag_name {
    uint32_t bit;
    const char *name;
};

/* Redis 7.0's COMMAND INFO order; may_replicate and sentinel are not shown. */
static const struct command_flag_name command_flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_ASKING, "asking"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"},
    {CMD_NO_ASYNC_LOADING, "no_async_loading"},
    {CMD_NO_MULTI, "no_multi"},
};

/* In enum command_acl's order, which is Redis's. */
static const char *const command_acl_names[] = {
    "keyspace", "read",     "write",     "set",    "sortedset",  "list",       "hash",
    "string",   "bitmap",   "hyperloglog", "geo",  "stream",     "pubsub",     "admin",
    "fast",     "slow",     "blocking",  "dangerous", "connection", "transaction", "scripting",
};
#define COMMAND_ACL_COUNT (sizeof(command_acl_names) / sizeof(command_acl_names[0]))
static_assert(ACL_SCRIPTING == 1 << (COMMAND_ACL_COUNT - 1), "one name per ACL category");

/* The categories Redis adds from the flags (setImplicitACLCategories), so
 * COMMAND shows them even where a record left them out. */
static uint32_t command_acl_effective(const struct command *cmd)
{
    uint32_t acl = cmd->acl;
    if (cmd->flags & CMD_WRITE)
        acl |= ACL_WRITE;
    if ((cmd->flags & CMD_READONLY) && !(acl & ACL_SCRIPTING))
        acl |= ACL_READ;
    if (cmd->flags & CMD_ADMIN)
        acl |= ACL_ADMIN | ACL_DANGEROUS;
    if (cmd->flags & CMD_PUBSUB)
        acl |= ACL_PUBSUB;
    if (cmd->flags & CMD_FAST)
        acl |= ACL_FAST;
    if (cmd->flags & CMD_BLOCKING)
        acl |= ACL_BLOCKING;
    if (!(acl & ACL_FAST))
        acl |= ACL_SLOW;
    return acl;
}

static void command_reply_flags(struct client *c, const struct command *cmd, bool movable)
{
    long long count = movable ? 1 : 0;
    for (size_t i = 0; i < sizeof(command_flag_names) / sizeof(command_flag_names[0]); i++)
        if (cmd->flags & command_flag_names[i].bit)
            count++;
    if (cmd->flags & CMD_ALLOW_BUSY)
        count++;
    reply_set_len(c, count);
    for (size_t i = 0; i < sizeof(command_flag_names) / sizeof(command_flag_names[0]); i++)
        if (cmd->flags & command_flag_names[i].bit)
            reply_status(c, command_flag_names[i].name);
    if (movable)
        reply_status(c, "movablekeys");
    if (cmd->flags & CMD_ALLOW_BUSY)
        reply_status(c, "allow_busy");
}

static void command_reply_acl(struct client *c, const struct command *cmd)
{
    uint32_t acl = command_acl_effective(cmd);
    reply_set_len(c, __builtin_popcount(acl));
    for (size_t i = 0; i < COMMAND_ACL_COUNT; i++) {
        if (acl & (1u << i)) {
            char name[32];
            snprintf(name, sizeof(name), "@%s", command_acl_names[i]);
            reply_status(c, name);
        }
    }
}

static void command_reply_tips(struct client *c, const struct command *cmd)
{
    const char *tips = cmd->tips ? cmd->tips : "";
    long long count = 0;
    for (const char *p = tips; *p; p += strcspn(p, " "), p += *p == ' ')
        count++;
    reply_set_len(c, count);
    for (const char *p = tips; *p;) {
        size_t len = strcspn(p, " ");
        reply_bulk(c, p, len);
        p += len + (p[len] == ' ');
    }
}

/* One key spec: {[notes], flags, begin_search: {type, spec}, find_keys:
 * {type, spec}}. */
static void command_reply_key_spec(struct client *c, const struct key_spec *spec,
                                   const char *notes)
{
    reply_map_len(c, notes ? 4 : 3);
    if (notes) {
        reply_bulk_cstr(c, "notes");
        reply_bulk_cstr(c, notes);
    }
    reply_bulk_cstr(c, "flags");
    command_reply_words_set(c, spec->flags);
    reply_bulk_cstr(c, "begin_search");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    if (spec->begin == KEY_BEGIN_INDEX) {
        reply_bulk_cstr(c, "index");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 1);
        reply_bulk_cstr(c, "index");
        reply_integer(c, spec->index);
    } else if (spec->begin == KEY_BEGIN_KEYWORD) {
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "keyword");
        reply_bulk_cstr(c, spec->keyword);
        reply_bulk_cstr(c, "startfrom");
        reply_integer(c, spec->startfrom);
    } else {
        reply_bulk_cstr(c, "unknown");
        reply_bulk_cstr(c, "spec");
        reply_map_len(c, 0);
    }
    reply_bulk_cstr(c, "find_keys");
    reply_map_len(c, 2);
    reply_bulk_cstr(c, "type");
    const char *names[3];
    int values[3], count = 0;
    if (spec->find == KEY_FIND_RANGE) {
        reply_bulk_cstr(c, "range");
        names[0] = "lastkey", names[1] = "keystep", names[2] = "limit";
        values[0] = spec->lastkey, values[1] = spec->keystep, values[2] = spec->limit;
        count = 3;
    } else if (spec->find == KEY_FIND_KEYNUM) {
        reply_bulk_cstr(c, "keynum");
        names[0] = "keynumidx", names[1] = "firstkey", names[2] = "keystep";
        values[0] = spec->keynumidx, values[1] = spec->firstkey, values[2] = spec->keystep;
        count = 3;
    } else {
        reply_bulk_cstr(c, "unknown");
    }
    reply_bulk_cstr(c, "spec");
    reply_map_len(c, count);
    for (int i = 0; i < count; i++) {
        reply_bulk_cstr(c, names[i]);
        reply_integer(c, values[i]);
    }
}

static long long command_subcommand_count(const struct command *cmd)
{
    long long count = 0;
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        count++;
    return count;
}

/* COMMAND INFO's ten-element entry. Recurses once, into subcommands, which
 * have none of their own. */
static void command_reply_info(struct client *c, const struct command *cmd)
{
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
    int spec_count = keyspec_of(cmd, specs);
    reply_array_len(c, 10);
    reply_bulk_cstr(c, (cmd)->fullname);
    reply_integer(c, cmd->arity);
    command_reply_flags(c, cmd, keyspec_movable(specs, spec_count));
    reply_integer(c, cmd->first_key);
    reply_integer(c, cmd->last_key);
    reply_integer(c, cmd->key_step);
    command_reply_acl(c, cmd);
    command_reply_tips(c, cmd);
    /* Key specs are a set and "no subcommands" an empty set in RESP3, as
     * Redis sends them; a list of subcommands is an array. */
    reply_set_len(c, spec_count);
    for (int i = 0; i < spec_count; i++)
        command_reply_key_spec(c, &specs[i], cmd->key_spec_notes[i]);
    if (!cmd->subcommands) {
        reply_set_len(c, 0);
        return;
    }
    reply_array_len(c, command_subcommand_count(cmd));
    for (const struct command *sub = cmd->subcommands; sub->name; sub++) {
        assert(sub->subcommands == NULL);
        command_reply_info(c, sub);
    }
}

/* A record's arguments are written in a small notation, items separated by
 * spaces: name^T, T the type (k key, s string, i integer, d double,
 * p pattern, u unix-time, t pure-token, o oneof, b block), then optionally
 * #n (key spec index), ='TOKEN', @since, !deprecated_since, the flags
 * ? (optional), * (multiple) and + (multiple_token), and (children) last.
 *
 * Nesting is bounded by the records (three levels at most); this limit only
 * guards the recursion. */
#define COMMAND_DOCS_DEPTH_MAX 8

/* Length of the argument item at p: up to a space outside parentheses and
 * quotes, or the parenthesis that closes the enclosing list. */
static size_t command_doc_item_len(const char *p, size_t len)
{
    int depth = 0;
    bool quoted = false;
    size_t i = 0;
    for (; i < len; i++) {
        char ch = p[i];
        if (quoted) {
            quoted = ch != '\'';
        } else if (ch == '\'') {
            quoted = true;
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (depth == 0)
                break;
            depth--;
        } else if (ch == ' ' && depth == 0) {
            break;
        }
    }
    assert(!quoted);
    return i;
}

static long long command_doc_count_items(const char *p, size_t len)
{
    long long count = 0;
    for (size_t at = 0; at < len;) {
        at += command_doc_item_len(p + at, len - at);
        count++;
        at += at < len; /* the separating space */
    }
    return count;
}

/* One argument item, parsed. Pointers are into the record's text. */
struct command_doc_arg {
    const char *name;
    size_t name_len;
    const char *type;
    int key_spec_index; /* -1 when absent */
    const char *token, *since, *deprecated;
    size_t token_len, since_len, deprecated_len;
    bool optional, multiple, multiple_token;
    const char *children; /* inside the parentheses, or NULL */
    size_t children_len;
};

static const char *command_doc_type_name(char code)
{
    switch (code) {
    case 'k': return "key";
    case 's': return "string";
    case 'i': return "integer";
    case 'd': return "double";
    case 'p': return "pattern";
    case 'u': return "unix-time";
    case 't': return "pure-token";
    case 'o': return "oneof";
    case 'b': return "block";
    }
    assert(!"unknown argument type in a command's arguments");
    return "";
}

static size_t command_doc_version_len(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && (isdigit((unsigned char)p[n]) || p[n] == '.'))
        n++;
    return n;
}

static void command_doc_parse_arg(const char *p, size_t len, struct command_doc_arg *arg)
{
    memset(arg, 0, sizeof(*arg));
    arg->key_spec_index = -1;
    const char *end = p + len;
    const char *caret = memchr(p, '^', len);
    assert(caret != NULL && caret + 1 < end);
    arg->name = p;
    arg->name_len = (size_t)(caret - p);
    arg->type = command_doc_type_name(caret[1]);
    for (const char *q = caret + 2; q < end;) {
        char mark = *q++;
        if (mark == '#') {
            arg->key_spec_index = atoi(q);
            while (q < end && isdigit((unsigned char)*q))
                q++;
        } else if (mark == '=') {
            assert(*q == '\'');
            const char *close = memchr(q + 1, '\'', (size_t)(end - q - 1));
            assert(close != NULL);
            arg->token = q + 1;
            arg->token_len = (size_t)(close - q - 1);
            q = close + 1;
        } else if (mark == '@' || mark == '!') {
            size_t n = command_doc_version_len(q, end);
            *(mark == '@' ? &arg->since : &arg->deprecated) = q;
            *(mark == '@' ? &arg->since_len : &arg->deprecated_len) = n;
            q += n;
        } else if (mark == '?' || mark == '*' || mark == '+') {
            arg->optional |= mark == '?';
            arg->multiple |= mark == '*';
            arg->multiple_token |= mark == '+';
        } else {
            assert(mark == '(' && end[-1] == ')');
            arg->children = q;
            arg->children_len = (size_t)(end - 1 - q);
            break;
        }
    }
}

static void command_doc_reply_args(struct client *c, const char *p, size_t len, int depth);

/* One argument's map, fields in Redis's order. */
static void command_doc_reply_arg(struct client *c, const struct command_doc_arg *arg, int depth)
{
    long long flags = arg->optional + arg->multiple + arg->multiple_token;
    long long fields = 2 + (arg->key_spec_index >= 0) + (arg->token != NULL) +
                       (arg->since != NULL) + (arg->deprecated != NULL) + (flags > 0) +
                       (arg->children != NULL);
    reply_map_len(c, fields);
    reply_bulk_cstr(c, "name");
    reply_bulk(c, arg->name, arg->name_len);
    reply_bulk_cstr(c, "type");
    reply_bulk_cstr(c, arg->type);
    if (arg->key_spec_index >= 0) {
        reply_bulk_cstr(c, "key_spec_index");
        reply_integer(c, arg->key_spec_index);
    }
    const char *texts[][2] = {{"token", arg->token}, {"since", arg->since},
                              {"deprecated_since", arg->deprecated}};
    size_t lens[] = {arg->token_len, arg->since_len, arg->deprecated_len};
    for (int i = 0; i < 3; i++) {
        if (!texts[i][1])
            continue;
        reply_bulk_cstr(c, texts[i][0]);
        reply_bulk(c, texts[i][1], lens[i]);
    }
    if (flags > 0) {
        reply_bulk_cstr(c, "flags");
        reply_set_len(c, flags);
        if (arg->optional)
            reply_status(c, "optional");
        if (arg->multiple)
            reply_status(c, "multiple");
        if (arg->multiple_token)
            reply_status(c, "multiple_token");
    }
    if (arg->children) {
        reply_bulk_cstr(c, "arguments");
        command_doc_reply_args(c, arg->children, arg->children_len, depth + 1);
    }
}

/* An argument list as an array of maps. Recursion follows the nesting of
 * the static records, never client input. */
static void command_doc_reply_args(struct client *c, const char *p, size_t len, int depth)
{
    assert(depth < COMMAND_DOCS_DEPTH_MAX);
    reply_array_len(c, command_doc_count_items(p, len));
    for (size_t at = 0; at < len;) {
        size_t item = command_doc_item_len(p + at, len - at);
        struct command_doc_arg arg;
        command_doc_parse_arg(p + at, item, &arg);
        command_doc_reply_arg(c, &arg, depth);
        at += item;
        at += at < len;
    }
}

static long long command_doc_history_count(const struct command *cmd)
{
    long long count = 0;
    for (const struct command_history *h = cmd->history; h && h->version; h++)
        count++;
    return count;
}

static void command_doc_reply_history(struct client *c, const struct command *cmd,
                                      long long count)
{
    reply_bulk_cstr(c, "history");
    reply_set_len(c, count);
    for (const struct command_history *h = cmd->history; h && h->version; h++) {
        reply_array_len(c, 2);
        reply_bulk_cstr(c, h->version);
        reply_bulk_cstr(c, h->change);
    }
}

/* The optional COMMAND DOCS fields after complexity, in Redis's order:
 * doc_flags, deprecated_since, replaced_by, history, arguments. */
static long long command_doc_extra_fields(const struct command *cmd, long long history)
{
    return (cmd->doc_flags != NULL) + (cmd->deprecated_since != NULL) +
           (cmd->replaced_by != NULL) + (history > 0) + (cmd->arguments != NULL);
}

static void command_doc_reply_extra(struct client *c, const struct command *cmd,
                                    long long history)
{
    if (cmd->doc_flags) {
        reply_bulk_cstr(c, "doc_flags");
        command_reply_words_set(c, cmd->doc_flags);
    }
    if (cmd->deprecated_since) {
        reply_bulk_cstr(c, "deprecated_since");
        reply_bulk_cstr(c, cmd->deprecated_since);
    }
    if (cmd->replaced_by) {
        reply_bulk_cstr(c, "replaced_by");
        reply_bulk_cstr(c, cmd->replaced_by);
    }
    if (history > 0)
        command_doc_reply_history(c, cmd, history);
    if (cmd->arguments) {
        reply_bulk_cstr(c, "arguments");
        command_doc_reply_args(c, cmd->arguments, strlen(cmd->arguments), 0);
    }
}

/* COMMAND DOCS's map for one command: summary, since, group, complexity,
 * the documentation extras, and the subcommands' maps. */
static void command_reply_docs(struct client *c, const struct command *cmd)
{
    const char *keys[] = {"summary", "since", "group", "complexity"};
    const char *values[] = {cmd->summary, cmd->since, cmd->group, cmd->complexity};
    long long history = command_doc_history_count(cmd);
    long long fields = (cmd->subcommands ? 1 : 0) + command_doc_extra_fields(cmd, history);
    for (size_t i = 0; i < 4; i++)
        fields += values[i] != NULL;
    reply_map_len(c, fields);
    for (size_t i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        reply_bulk_cstr(c, keys[i]);
        reply_bulk_cstr(c, values[i]);
    }
    command_doc_reply_extra(c, cmd, history);
    if (!cmd->subcommands)
        return;
    reply_bulk_cstr(c, "subcommands");
    reply_map_len(c, command_subcommand_count(cmd));
    for (const struct command *sub = cmd->subcommands; sub->name; sub++) {
        assert(sub->subcommands == NULL);
        reply_bulk_cstr(c, (sub)->fullname);
        command_reply_docs(c, sub);
    }
}

/* COMMAND with no subcommand: every command's INFO entry, by name. */
static void command_command(struct client *c)
{
    struct command_list top = {0};
    command_list_top(c->commands, &top);
    reply_array_len(c, (long long)top.count);
    for (size_t i = 0; i < top.count; i++)
        command_reply_info(c, top.items[i]);
    alloc_free(top.items);
}

static void command_count_command(struct client *c)
{
    reply_integer(c, (long long)command_count(c->commands));
}

static void command_info_command(struct client *c)
{
    if (c->argc == 2) {
        command_command(c);
        return;
    }
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct command *cmd = command_lookup_fullname(c->commands, c->argv[i].ptr, c->argv[i].len);
        if (cmd)
            command_reply_info(c, cmd);
        else
            reply_null(c);
    }
}

/* Names that are not commands are left out of the map. */
static void command_docs_command(struct client *c)
{
    struct commands *cs = c->commands;
    if (c->argc == 2) {
        struct command_list top = {0};
        command_list_top(cs, &top);
        reply_map_len(c, (long long)top.count);
        for (size_t i = 0; i < top.count; i++) {
            reply_bulk_cstr(c, top.items[i]->name);
            command_reply_docs(c, top.items[i]);
        }
        alloc_free(top.items);
        return;
    }
    long long found = 0;
    for (int i = 2; i < c->argc; i++)
        found += command_lookup_fullname(cs, c->argv[i].ptr, c->argv[i].len) != NULL;
    reply_map_len(c, found);
    for (int i = 2; i < c->argc; i++) {
        struct command *cmd = command_lookup_fullname(cs, c->argv[i].ptr, c->argv[i].len);
        if (!cmd)
            continue;
        reply_bulk_cstr(c, (cmd)->fullname);
        command_reply_docs(c, cmd);
    }
}

enum command_filter {
    COMMAND_FILTER_NONE,
    COMMAND_FILTER_MODULE,
    COMMAND_FILTER_ACLCAT,
    COMMAND_FILTER_PATTERN,
};

static bool command_list_matches(const struct command *cmd, enum command_filter filter,
                                 const struct resp_arg *value)
{
    switch (filter) {
    case COMMAND_FILTER_NONE:
        return true;
    case COMMAND_FILTER_MODULE:
        return false; /* no modules */
    case COMMAND_FILTER_ACLCAT:
        for (size_t i = 0; i < COMMAND_ACL_COUNT; i++)
            if (arg_equals(value, command_acl_names[i]))
                return (command_acl_effective(cmd) & (1u << i)) != 0;
        return false;
    case COMMAND_FILTER_PATTERN: {
        const char *name = (cmd)->fullname;
        return glob_match(value->ptr, value->len, name, strlen(name), true);
    }
    }
    return false;
}

/* COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN glob]:
 * names of commands and subcommands. */
static void command_list_command(struct client *c)
{
    enum command_filter filter = COMMAND_FILTER_NONE;
    if (c->argc == 5 && arg_equals(&c->argv[2], "filterby")) {
        if (arg_equals(&c->argv[3], "module"))
            filter = COMMAND_FILTER_MODULE;
        else if (arg_equals(&c->argv[3], "aclcat"))
            filter = COMMAND_FILTER_ACLCAT;
        else if (arg_equals(&c->argv[3], "pattern"))
            filter = COMMAND_FILTER_PATTERN;
    }
    if (filter == COMMAND_FILTER_NONE && c->argc != 2) {
        reply_error_syntax(c);
        return;
    }
    struct command_list all = {0};
    command_list_all(c->commands, &all);
    size_t handle = reply_defer_len(c);
    long long count = 0;
    for (size_t i = 0; i < all.count; i++) {
        if (!command_list_matches(all.items[i], filter, filter ? &c->argv[4] : NULL))
            continue;
        reply_bulk_cstr(c, (all.items[i])->fullname);
        count++;
    }
    reply_set_defer_len(c, handle, count, '*');
    alloc_free(all.items);
}

/* Resolves a command line (argv[0] and, for a container, argv[1]) to the
 * command that would run, as Redis's lookupCommand does; NULL if none. */
static struct command *command_lookup_argv(struct commands *cs, const struct resp_arg *argv, int argc)
{
    struct command *base = command_lookup(cs, argv[0].ptr, argv[0].len);
    if (!base || !base->subcommands || argc < 2)
        return base;
    for (struct command *sub = base->subcommands; sub->name; sub++)
        if (arg_equals(&argv[1], sub->name))
            return sub;
    return NULL;
}

/* COMMAND GETKEYS and GETKEYSANDFLAGS <command line>: the keys the key
 * specs find, with each spec's flags for the second. */
static void command_getkeys_reply(struct client *c, bool with_flags)
{
    const struct resp_arg *argv = c->argv + 2;
    int argc = c->argc - 2;
    struct command *cmd = command_lookup_argv(c->commands, argv, argc);
    if (!cmd) {
        reply_error(c, "Invalid command specified");
        return;
    }
    struct key_spec specs[COMMAND_KEY_SPECS_MAX];
    int spec_count = 0, all_specs = keyspec_of(cmd, specs);
    for (int i = 0; i < all_specs; i++)
        if (!keyspec_is_not_key(&specs[i]))
            specs[spec_count++] = specs[i];
    if (spec_count == 0) {
        reply_error(c, "The command has no key arguments");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        reply_error(c, "Invalid number of arguments specified for command");
        return;
    }
    int *positions = alloc_bytes(sizeof(int) * (size_t)argc * COMMAND_KEY_SPECS_MAX);
    int *owners = alloc_bytes(sizeof(int) * (size_t)argc * COMMAND_KEY_SPECS_MAX);
    int count = 0;
    if (cmd->getkeys) {
        /* Its own finder (SORT): owners index all of its specs. */
        spec_count = keyspec_of(cmd, specs);
        count = cmd->getkeys(argv, argc, positions, owners);
    }
    for (int i = 0; !cmd->getkeys && i < spec_count && count >= 0; i++) {
        int before = count;
        count = keyspec_find(&specs[i], argv, argc, positions, count);
        for (int k = before; k < count; k++)
            owners[k] = i;
    }
    if (count <= 0) {
        if (cmd->flags & CMD_NO_MANDATORY_KEYS)
            reply_empty_array(c);
        else
            reply_error(c, "Invalid arguments specified for command");
    } else {
        reply_array_len(c, count);
        for (int k = 0; k < count; k++) {
            if (with_flags)
                reply_array_len(c, 2);
            reply_bulk(c, argv[positions[k]].ptr, argv[positions[k]].len);
            if (!with_flags)
                continue;
            /* SET's and BITFIELD's flags depend on the call, as in Redis. */
            const char *variable = strstr(specs[owners[k]].flags, "variable_flags")
                                       ? keyspec_variable_flags(cmd, argv, argc)
                                       : NULL;
            command_reply_words_set(c, variable ? variable : specs[owners[k]].flags);
        }
    }
    alloc_free(positions);
    alloc_free(owners);
}

static void command_getkeys_command(struct client *c)
{
    command_getkeys_reply(c, false);
}

static void command_getkeysandflags_command(struct client *c)
{
    command_getkeys_reply(c, true);
}

static void command_help_command(struct client *c)
{
    static const char *const lines[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL,
    };
    reply_help(c, "COMMAND", lines);
}

/* ---- The table ---- */

#define COMMAND_SUB_FLAGS (CMD_LOADING | CMD_STALE)
#define COMMAND_SUB_ACL (ACL_SLOW | ACL_CONNECTION)

static struct command command_subcommands[] = {
    {.name = "count", .proc = command_count_command, .arity = 2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .summary = "Get total number of Redis commands", .since = "2.8.13", .group = "server",
     .complexity = "O(1)"},
    {.name = "docs", .proc = command_docs_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command documentation", .since = "7.0.0",
     .group = "server", .complexity = "O(N) where N is the number of commands to look up",
     .arguments = "command-name^s?*"},
    {.name = "getkeys", .proc = command_getkeys_command, .arity = -4, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .summary = "Extract keys given a full Redis command", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "getkeysandflags", .proc = command_getkeysandflags_command, .arity = -4,
     .flags = COMMAND_SUB_FLAGS, .acl = COMMAND_SUB_ACL,
     .summary = "Extract keys and access flags given a full Redis command", .since = "7.0.0",
     .group = "server", .complexity = "O(N) where N is the number of arguments to the command"},
    {.name = "help", .proc = command_help_command, .arity = 2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .summary = "Show helpful text about the different subcommands", .since = "5.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "info", .proc = command_info_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .tips = "nondeterministic_output_order",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the number of commands to look up",
     .history = (const struct command_history[]){
         {"7.0.0", "Allowed to be called with no argument to get info on all commands."},
         {0}},
     .arguments = "command-name^s?*"},
    {.name = "list", .proc = command_list_command, .arity = -2, .flags = COMMAND_SUB_FLAGS,
     .acl = COMMAND_SUB_ACL,
     .tips = "nondeterministic_output_order",
     .summary = "Get an array of Redis command names", .since = "7.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands",
     .arguments = "filterby^o='FILTERBY'?(module-name^s='MODULE' category^s='ACLCAT' "
                  "pattern^p='PATTERN')"},
    {0},
};

struct command command_commands[] = {
    /* COMMAND runs its own handler when called with no subcommand. */
    {.name = "command", .proc = command_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_CONNECTION,
     .tips = "nondeterministic_output_order",
     .summary = "Get array of Redis command details", .since = "2.8.13", .group = "server",
     .complexity = "O(N) where N is the total number of Redis commands",
     .subcommands = command_subcommands},
    {0},
};
