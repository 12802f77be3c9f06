/* dirty_keys.c: the keys written since the AOF was last durable, and the
 * token each reply waits for (see dirty_keys.h). */
#include "net/commands/dirty_keys.h"

#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keymap.h"
#include "net/commands/keyspec.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"
#include "net/wire/conn.h"

/* What a command's reply may have seen, by command (dirty_keys_scope). */
enum dirty_scope {
    SCOPE_KEYS = 0, /* the keys its key specs name */
    SCOPE_ALL,      /* everything logged before it */
    SCOPE_NONE,     /* no data at all */
    SCOPE_INFO,     /* INFO: everything if it shows the keyspace section */
    SCOPE_SCRIPT,   /* EVAL, FCALL...: what the script's commands read */
};

struct dirty_key {
    struct keymap_node node;       /* first: the map's */
    struct dirty_key *prev, *next; /* the list, in token order */
    uint64_t token;                /* 0 while the command that wrote it runs */
};

struct dirty_keys {
    struct keymap map;             /* struct dirty_key, owned */
    /* Assigned tokens never decrease from head to tail; entries still
     * waiting for theirs (token 0) are at the tail. */
    struct dirty_key *head, *tail;
    uint64_t floor;                /* every reading reply waits for this; 0: none */
    bool floor_pending;            /* the running command changes a whole db */
    uint64_t epoch;                /* the AOF token epoch the tokens belong to */
    uint64_t script_token;         /* what the running script's commands read */
    uint8_t *scope;                /* enum dirty_scope by command index, owned */
    uint64_t peak, bytes, bytes_peak;
    long long reads_held, reads_free;
};

/* Commands that see more than the keys their specs name: a BY/GET pattern
 * of SORT reads keys no spec names. */
static const char *const dirty_scope_all[] = {
    "exec", "keys", "scan", "dbsize", "randomkey", "debug", "move", "copy", "sort", "sort_ro", NULL,
};
/* A script may read keys it did not declare, so its reply waits for what
 * its commands actually read, gathered as they run (dirty_keys_script_read). */
static const char *const dirty_scope_script[] = {
    "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", NULL,
};
static const char *const dirty_scope_none[] = {
    "auth", "hello", "select", "client", "config", "command", "multi", "discard", "unwatch",
    "quit", "reset", "time", "lastsave", "subscribe", "unsubscribe", "psubscribe", "punsubscribe",
    "ssubscribe", "sunsubscribe", "pubsub", "slowlog", NULL,
};

static bool dirty_name_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

/* A command's scope. Subcommands share their container's when it names
 * one (CLIENT, CONFIG, DEBUG, COMMAND), else go by their own key specs
 * (keyspec.h's table, built before this one). */
static enum dirty_scope dirty_scope_of(const struct commands *cs, const struct command *cmd)
{
    const char *name = cmd->parent ? cmd->parent->name : cmd->name;
    if (dirty_name_in(name, dirty_scope_all))
        return SCOPE_ALL;
    if (dirty_name_in(name, dirty_scope_script))
        return SCOPE_SCRIPT;
    if (dirty_name_in(name, dirty_scope_none))
        return SCOPE_NONE;
    if (!cmd->parent && strcmp(name, "info") == 0)
        return SCOPE_INFO;
    return keyspec_count(cs, cmd) > 0 ? SCOPE_KEYS : SCOPE_ALL;
}

static void dirty_scope_fill(struct command *cmd, void *ctx)
{
    struct commands *cs = ctx;
    cs->dirty->scope[cmd->index] = (uint8_t)dirty_scope_of(cs, cmd);
}

void dirty_keys_index_commands(struct commands *cs)
{
    struct dirty_keys *dk = cs->dirty;
    alloc_free(dk->scope);
    dk->scope = alloc_bytes((size_t)cs->command_slots);
    command_for_each_with_subs(cs, dirty_scope_fill, cs);
}

void dirty_keys_init(struct commands *cs)
{
    struct dirty_keys *dk = alloc_bytes(sizeof(*dk));
    memset(dk, 0, sizeof(*dk));
    keymap_init(&dk->map);
    cs->dirty = dk;
    dirty_keys_index_commands(cs);
}

static size_t dirty_entry_bytes(const struct dirty_key *e)
{
    return sizeof(*e) + e->node.key_len;
}

static void dirty_unlink(struct dirty_keys *dk, struct dirty_key *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        dk->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        dk->tail = e->prev;
    e->prev = e->next = NULL;
}

static void dirty_append(struct dirty_keys *dk, struct dirty_key *e)
{
    e->prev = dk->tail;
    e->next = NULL;
    if (dk->tail)
        dk->tail->next = e;
    else
        dk->head = e;
    dk->tail = e;
}

static void dirty_remove(struct dirty_keys *dk, struct dirty_key *e)
{
    dirty_unlink(dk, e);
    dk->bytes -= dirty_entry_bytes(e);
    keymap_remove(&dk->map, &e->node);
}

static void dirty_clear(struct dirty_keys *dk)
{
    keymap_clear(&dk->map, NULL);
    dk->head = dk->tail = NULL;
    dk->bytes = 0;
}

void dirty_keys_free(struct commands *cs)
{
    struct dirty_keys *dk = cs->dirty;
    if (!dk)
        return;
    dirty_clear(dk);
    alloc_free(dk->scope);
    alloc_free(dk);
    cs->dirty = NULL;
}

/* Whether tokens are handed out at all: an AOF is being written. */
static bool dirty_tracking(const struct commands *cs)
{
    return cs->persist->aof.log.open;
}

void dirty_keys_touched(struct commands *cs, int db_id, const char *key, size_t key_len)
{
    struct dirty_keys *dk = cs->dirty;
    if (!dk || !dirty_tracking(cs))
        return;
    if (!key) {
        dk->floor_pending = true;
        return;
    }
    struct dirty_key *e = (struct dirty_key *)keymap_find(&dk->map, db_id, key, key_len);
    if (e) {
        dirty_unlink(dk, e);
    } else {
        if (keymap_size(&dk->map) >= DIRTY_KEYS_MAX) {
            dk->floor_pending = true; /* past the bound: every read waits */
            return;
        }
        e = (struct dirty_key *)keymap_add(&dk->map, db_id, key, key_len, sizeof(*e));
        dk->bytes += dirty_entry_bytes(e);
        if (keymap_size(&dk->map) > dk->peak)
            dk->peak = keymap_size(&dk->map);
        uint64_t now_bytes = dk->bytes + dict_buckets(&dk->map.dict) * sizeof(void *);
        if (now_bytes > dk->bytes_peak)
            dk->bytes_peak = now_bytes;
    }
    e->token = 0;
    dirty_append(dk, e);
}

/* Tokens from an older epoch mean nothing now: forget them, and let every
 * read wait for everything logged (which covers whatever they stood for).
 * Checked before a command runs, so the keys it writes belong to the
 * epoch it sees, and after (a command may start a new one). */
static void dirty_check_epoch(struct commands *cs)
{
    struct dirty_keys *dk = cs->dirty;
    uint64_t epoch = aof_token_epoch(cs->persist);
    if (epoch == dk->epoch)
        return;
    dk->epoch = epoch;
    if (keymap_size(&dk->map) || dk->floor || dk->floor_pending) {
        dk->floor = aof_token_now(cs->persist);
        dk->floor_pending = false;
    }
    dirty_clear(dk);
}

/* The entries the command just wrote get now, the token of everything it
 * logged (0: already durable, so they are dropped); whole-db changes raise
 * the floor. Then entries and floor already reached are dropped. */
static void dirty_settle(struct commands *cs, uint64_t now)
{
    struct dirty_keys *dk = cs->dirty;
    /* The pending entries are the tail's run of zeros; now is the largest
     * token yet, so giving it to them keeps the order. */
    for (struct dirty_key *e = dk->tail; e && e->token == 0;) {
        struct dirty_key *prev = e->prev;
        if (now == 0)
            dirty_remove(dk, e);
        else
            e->token = now;
        e = prev;
    }
    if (dk->floor_pending) {
        dk->floor_pending = false;
        if (now && (dk->floor == 0 || now > dk->floor))
            dk->floor = now;
    }
    const struct persist *p = cs->persist;
    while (dk->head && dk->head->token && aof_reply_ready(p, dk->head->token))
        dirty_remove(dk, dk->head);
    /* An empty map gives its buckets back (a burst may have grown them). */
    if (!dk->head && dict_buckets(&dk->map.dict) > 0)
        dirty_clear(dk);
    if (dk->floor && aof_reply_ready(p, dk->floor))
        dk->floor = 0;
}

static uint64_t dirty_max(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* INFO shows the keyspace section when asked for no section, or for it,
 * default, all or everything. */
static bool dirty_info_shows_keys(const struct client *c)
{
    if (c->argc < 2)
        return true;
    static const char *const names[] = {"keyspace", "default", "all", "everything"};
    for (int i = 1; i < c->argc; i++)
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (c->argv[i].len == strlen(names[k]) &&
                strncasecmp(c->argv[i].ptr, names[k], c->argv[i].len) == 0)
                return true;
    return false;
}

struct dirty_read {
    const struct dirty_keys *dk;
    int db_id;
    uint64_t now;
    uint64_t token;
};

static void dirty_read_key(const struct resp_arg *key, void *ctx)
{
    struct dirty_read *r = ctx;
    const struct dirty_key *e =
        (const struct dirty_key *)keymap_find(&r->dk->map, r->db_id, key->ptr, key->len);
    if (e)
        r->token = dirty_max(r->token, e->token ? e->token : r->now);
}

/* The newest write among the keys cmd reads, and the floor; now when the
 * keys cannot be told. */
static uint64_t dirty_read_token(struct commands *cs, const struct client *c,
                                 const struct command *cmd, uint64_t now)
{
    struct dirty_keys *dk = cs->dirty;
    if (keymap_size(&dk->map) == 0)
        return dk->floor;
    struct dirty_read r = {dk, c->db->id, now, dk->floor};
    if (keyspec_each_key(cs, cmd, c->argv, c->argc, dirty_read_key, &r) < 0)
        return now;
    return r.token;
}

/* The token a command's reply needs for what it read, by its scope (a
 * script's own scope is handled by the caller). */
static uint64_t dirty_scope_token(struct commands *cs, const struct client *c,
                                  const struct command *ran, uint64_t now)
{
    enum dirty_scope scope = (enum dirty_scope)cs->dirty->scope[ran->index];
    if (scope == SCOPE_INFO)
        scope = dirty_info_shows_keys(c) ? SCOPE_ALL : SCOPE_NONE;
    if (scope == SCOPE_ALL || scope == SCOPE_SCRIPT)
        return now;
    if (scope == SCOPE_KEYS)
        return dirty_read_token(cs, c, ran, now);
    return 0;
}

void dirty_keys_script_read(struct client *c, const struct command *ran)
{
    struct commands *cs = c->commands;
    struct dirty_keys *dk = cs->dirty;
    if (!dk || !dirty_tracking(cs))
        return;
    dirty_check_epoch(cs);
    uint64_t token = dirty_scope_token(cs, c, ran, aof_token_now(cs->persist));
    dk->script_token = dirty_max(dk->script_token, token);
}

void dirty_keys_begin(struct client *c, struct dirty_keys_call *call)
{
    struct commands *cs = c->commands;
    if (cs->dirty)
        cs->dirty->script_token = 0;
    call->active = cs->dirty && !(c->flags & CLIENT_FAKE) && dirty_tracking(cs);
    if (!call->active)
        return;
    dirty_check_epoch(cs);
    call->logged = cs->persist->aof.records_logged;
    call->epoch = aof_token_epoch(cs->persist);
    if (conn_has_unheld_output(&c->conn))
        conn_hold_output(&c->conn, aof_token_now(cs->persist));
}

void dirty_keys_end(struct client *c, struct dirty_keys_call *call, const struct command *ran)
{
    struct commands *cs = c->commands;
    struct dirty_keys *dk = cs->dirty;
    if (!call->active)
        return;
    if (!dirty_tracking(cs)) {
        /* The AOF went away meanwhile: nothing waits for it. */
        dirty_clear(dk);
        dk->floor = 0;
        dk->floor_pending = false;
        conn_hold_output(&c->conn, 0);
        return;
    }
    dirty_check_epoch(cs);
    uint64_t now = aof_token_now(cs->persist);
    dirty_settle(cs, now);
    uint64_t token = 0;
    if (!ran) {
        token = 0; /* refused or queued: it saw no data */
    } else if (cs->persist->aof.records_logged != call->logged ||
               aof_token_epoch(cs->persist) != call->epoch) {
        token = now; /* a write waits for its own record and all before it */
    } else {
        if (dk->scope[ran->index] == SCOPE_SCRIPT)
            token = dk->script_token; /* a script that wrote nothing */
        else
            token = dirty_scope_token(cs, c, ran, now);
        if (token && aof_reply_ready(cs->persist, token))
            token = 0;
        if (token) {
            dk->reads_held++;
        } else {
            dk->reads_free++;
            aof_note_reply_not_held(cs->persist);
        }
    }
    conn_hold_output(&c->conn, token);
}

void dirty_keys_stats(const struct commands *cs, struct dirty_keys_stats *st)
{
    const struct dirty_keys *dk = cs->dirty;
    memset(st, 0, sizeof(*st));
    if (!dk)
        return;
    st->keys = keymap_size(&dk->map);
    st->peak = dk->peak;
    st->bytes = dk->bytes + dict_buckets(&dk->map.dict) * sizeof(void *);
    st->bytes_peak = dk->bytes_peak;
    st->reads_held = dk->reads_held;
    st->reads_free = dk->reads_free;
}
