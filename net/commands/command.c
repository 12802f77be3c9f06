/* command.c: the registry of commands: a case-insensitive dict of every
 * top-level command, subcommand lookup, and sorted lists for COMMAND and
 * INFO commandstats. Running them is dispatch.c's. */
#include "net/commands/command.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/dict.h"
#include "net/commands/commands.h"
#include "net/core/config.h"
#include "net/core/latency.h"

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

static void command_register(struct commands *cs, struct command *cmd)
{
    snprintf(cmd->fullname, sizeof(cmd->fullname), "%s", cmd->name);
    cmd->index = cs->command_slots++;
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++) {
        sub->parent = cmd;
        sub->index = cs->command_slots++;
        snprintf(sub->fullname, sizeof(sub->fullname), "%s|%s", cmd->name, sub->name);
    }
    struct command_node *n = alloc_bytes(sizeof(*n));
    n->cmd = cmd;
    n->link.next = NULL;
    uint64_t hash = dict_hash_bytes_nocase(cmd->name, strlen(cmd->name));
    assert(dict_find(&cs->table, cmd->name, strlen(cmd->name), hash) == NULL);
    dict_add(&cs->table, &n->link, hash);
}

void command_table_init(struct commands *cs)
{
    dict_init(&cs->table, &command_dict_type);
}

void command_table_add(struct commands *cs, struct command *table)
{
    for (struct command *cmd = table; cmd->name; cmd++)
        command_register(cs, cmd);
}

void command_record_latency(struct commands *cs, struct command *cmd, long long proc_us)
{
    latency_monitor_add_if_needed(cs->latency, cs->config->latency_monitor_threshold,
                                  (cmd->flags & CMD_FAST) ? "fast-command" : "command",
                                  proc_us / 1000);
    if (cs->config->latency_tracking) {
        if (cmd->latency_histogram == NULL)
            cmd->latency_histogram = alloc_zeroed(sizeof(*cmd->latency_histogram));
        latency_histogram_record(cmd->latency_histogram, proc_us * 1000);
    }
}

void command_latency_reset(struct command *cmd)
{
    alloc_free(cmd->latency_histogram);
    cmd->latency_histogram = NULL;
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++) {
        alloc_free(sub->latency_histogram);
        sub->latency_histogram = NULL;
    }
}

static void command_node_free(struct dict_node *node, void *ctx)
{
    /* The tables are static and outlive this dict: their histograms go
     * now, so a table registered again starts clean. */
    command_latency_reset(((struct command_node *)node)->cmd);
    alloc_free(node);
}

void command_table_free(struct commands *cs)
{
    dict_clear(&cs->table, command_node_free, NULL);
}

struct command *command_lookup(struct commands *cs, const char *name, size_t len)
{
    struct command_node *n = (struct command_node *)dict_find(
        &cs->table, name, len, dict_hash_bytes_nocase(name, len));
    return n ? n->cmd : NULL;
}

struct command *command_lookup_sub(struct command *parent, const char *name, size_t len)
{
    for (struct command *sub = parent->subcommands; sub && sub->name; sub++)
        if (strlen(sub->name) == len && strncasecmp(sub->name, name, len) == 0)
            return sub;
    return NULL;
}

struct command *command_lookup_fullname(struct commands *cs, const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar)
        return command_lookup(cs, name, len);
    struct command *parent = command_lookup(cs, name, (size_t)(bar - name));
    if (!parent || !parent->subcommands)
        return NULL;
    return command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1);
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

void command_for_each(struct commands *cs, void (*fn)(struct command *cmd, void *ctx), void *ctx)
{
    struct command_each_ctx each = {fn, ctx};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(&cs->table, cursor, command_each_node, &each);
    } while (cursor != 0);
}

struct command_each_sub_ctx {
    void (*fn)(struct command *cmd, void *ctx);
    void *ctx;
};

static void command_each_with_subs(struct command *cmd, void *ctx)
{
    struct command_each_sub_ctx *each = ctx;
    each->fn(cmd, each->ctx);
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        each->fn(sub, each->ctx);
}

void command_for_each_with_subs(struct commands *cs, void (*fn)(struct command *cmd, void *ctx),
                                void *ctx)
{
    struct command_each_sub_ctx each = {fn, ctx};
    command_for_each(cs, command_each_with_subs, &each);
}

size_t command_count(struct commands *cs)
{
    return (size_t)dict_size(&cs->table);
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

/* command_for_each callback: one command into the list. */
static void command_list_collect(struct command *cmd, void *ctx)
{
    command_list_push(ctx, cmd);
}

static int command_list_compare(const void *a, const void *b)
{
    const struct command *x = *(struct command *const *)a;
    const struct command *y = *(struct command *const *)b;
    return strcmp(x->fullname, y->fullname);
}

/* Every command and subcommand, sorted by full name. Free items after. */
void command_list_all(struct commands *cs, struct command_list *l)
{
    command_for_each_with_subs(cs, command_list_collect, l);
    qsort(l->items, l->count, sizeof(*l->items), command_list_compare);
}

/* Every top-level command, sorted by name. Free items after. */
void command_list_top(struct commands *cs, struct command_list *l)
{
    command_for_each(cs, command_list_collect, l);
    qsort(l->items, l->count, sizeof(*l->items), command_list_compare);
}

bool command_is_one_of(const struct command *cmd, const char *const *names, size_t count)
{
    if (cmd->parent)
        return false;
    for (size_t i = 0; i < count; i++)
        if (strcmp(cmd->name, names[i]) == 0)
            return true;
    return false;
}
