/* transaction.c: MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis 7.0).
 *
 * Owns each client's transaction state and the watch map. The transaction
 * state is the queue of commands received after MULTI, each with its own
 * copy of its arguments (the parsed argv points into the query buffer,
 * which is reused as soon as the command is consumed). The watch map is a
 * keymap (keymap.h, shared with the blocking commands) in struct commands
 * from (db id, key) to the clients watching that key;
 * each client also keeps the array of map nodes it watches, so unwatching
 * costs one pass over its own keys.
 *
 * Leaves to dispatch.c the decision of what is queued and the checks a
 * command passes before it is queued or run (a failed check lands here as
 * transaction_flag_error), and to notify.c the reporting of changes: every
 * key change arrives as transaction_key_touched, every whole-db change
 * (FLUSHDB, FLUSHALL, SWAPDB) as transaction_db_changing before it happens
 * and transaction_settle after the command.
 *
 * Invariant: a client is in a node's watcher array exactly once iff the
 * node is in the client's watched array, and a node with no watchers is
 * not in the map. Clients are removed from the map before they are freed
 * (transaction_client_reset from dispatch_closed), so the map never holds a
 * dangling client. */
#include <assert.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "net/commands/acl.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keymap.h"
#include "net/commands/reply.h"
#include "net/commands/transaction.h"
#include "net/core/args.h"

/* Initial room of the per-client and per-key arrays; they double as they
 * fill. Redis also starts its MULTI queue at two commands, "a transaction
 * runs at least two". Nothing bounds the queue's length except the client's
 * input, as in Redis (which only accounts it as client memory). */
#define TRANSACTION_QUEUE_INITIAL 2
#define WATCH_ARRAY_INITIAL 4

struct transaction_command {
    struct command *cmd;   /* borrowed: the static tables */
    uint32_t flags;        /* cmd's flags as dispatch judged them when queued (FCALL: its
                              function's) */
    int argc;
    struct resp_arg *argv; /* owned: one block holding the array, then the bytes */
};

struct watcher {
    struct client *client; /* borrowed; removed before the client is freed */
    bool expired;          /* the key was logically expired (not yet deleted) at WATCH */
};

struct watch_key {
    struct keymap_node node;  /* first: the map's part, with the key's copy */
    struct watcher *watchers; /* owned array */
    int watcher_count;
    int watcher_cap;
    /* Set by transaction_db_changing, judged by transaction_settle. */
    bool settle_pending;
    uintptr_t kv_before; /* the key's entry before the change (identity only), 0 if absent */
};
static_assert(offsetof(struct watch_key, node) == 0, "keymap nodes begin the struct");

void transaction_init(struct commands *cs)
{
    keymap_init(&cs->watched_keys);
    cs->watch_settle_pending = false;
}

/* Frees what the node owns; the map frees the node. */
static void watch_node_release(struct keymap_node *node)
{
    struct watch_key *wk = (struct watch_key *)node;
    alloc_free(wk->watchers);
}

void transaction_free(struct commands *cs)
{
    /* Every client was freed (and unwatched) first, so this is normally
     * empty; clearing anyway keeps exit leak-free if that order changes. */
    keymap_clear(&cs->watched_keys, watch_node_release);
}

/* ---- The watch map ---- */

static struct watch_key *watch_find(struct commands *cs, int db_id, const char *key, size_t key_len)
{
    return (struct watch_key *)keymap_find(&cs->watched_keys, db_id, key, key_len);
}

/* The key's entry as stored, expired or not, without deleting it or
 * touching statistics: WATCH's bookkeeping must not change the keyspace. */
static struct kv *watch_peek(struct db *db, const char *key, size_t key_len)
{
    return db_lookup(db, key, key_len, DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOEXPIRE);
}

static void *array_grow(void *array, int *cap, int initial, size_t item_bytes)
{
    assert(*cap < INT_MAX / 2);
    *cap = *cap ? *cap * 2 : initial;
    return alloc_resize(array, (size_t)*cap * item_bytes);
}

static struct watcher *watch_node_find_client(struct watch_key *wk, const struct client *c)
{
    for (int i = 0; i < wk->watcher_count; i++)
        if (wk->watchers[i].client == c)
            return &wk->watchers[i];
    return NULL;
}

/* Adds key (in c's selected database) to c's watched keys. */
static void watch_add(struct client *c, const char *key, size_t key_len)
{
    struct commands *cs = c->commands;
    struct watch_key *wk = watch_find(cs, c->db->id, key, key_len);
    if (!wk)
        wk = (struct watch_key *)keymap_add(&cs->watched_keys, c->db->id, key, key_len,
                                            sizeof(*wk));
    else if (watch_node_find_client(wk, c))
        return; /* already watched: WATCH twice is one watch */
    if (wk->watcher_count == wk->watcher_cap)
        wk->watchers = array_grow(wk->watchers, &wk->watcher_cap, WATCH_ARRAY_INITIAL,
                                  sizeof(*wk->watchers));
    /* A key that is expired but not yet deleted counts as absent: its
     * deletion later is no change (Redis 7.0's "watched an expired key"). */
    struct kv *kv = watch_peek(c->db, key, key_len);
    wk->watchers[wk->watcher_count++] =
        (struct watcher){.client = c, .expired = kv && db_is_expired(c->db, kv)};
    if (c->watched_count == c->watched_cap)
        c->watched = array_grow(c->watched, &c->watched_cap, WATCH_ARRAY_INITIAL,
                                sizeof(*c->watched));
    c->watched[c->watched_count++] = wk;
}

static void watch_remove_client(struct commands *cs, struct watch_key *wk, const struct client *c)
{
    struct watcher *w = watch_node_find_client(wk, c);
    assert(w != NULL);
    /* Order among watchers does not matter: the last one fills the gap. */
    *w = wk->watchers[--wk->watcher_count];
    if (wk->watcher_count > 0)
        return;
    watch_node_release(&wk->node);
    keymap_remove(&cs->watched_keys, &wk->node);
}

static void watch_remove_all(struct client *c)
{
    for (int i = 0; i < c->watched_count; i++)
        watch_remove_client(c->commands, c->watched[i], c);
    alloc_free(c->watched);
    c->watched = NULL;
    c->watched_count = c->watched_cap = 0;
}

/* Whether a key c watched (and that was live when watched) has expired
 * since, even if nothing deleted it yet: EXEC must then fail. */
static bool watch_any_expired(struct client *c)
{
    struct keyspace *ks = c->commands->keyspace;
    for (int i = 0; i < c->watched_count; i++) {
        struct watch_key *wk = c->watched[i];
        struct watcher *w = watch_node_find_client(wk, c);
        assert(w != NULL);
        if (w->expired)
            continue;
        struct db *db = &ks->dbs[wk->node.db_id];
        struct kv *kv = watch_peek(db, wk->node.key, wk->node.key_len);
        if (kv && db_is_expired(db, kv))
            return true;
    }
    return false;
}

/* Watchers are only flagged here, never unwatched (Redis unwatches a
 * dirty client at once to save memory): unwatching would change the
 * watcher arrays these loops walk. A dirty client's watches are freed at
 * its EXEC, DISCARD, UNWATCH, RESET or close. */
void transaction_key_touched(struct commands *cs, struct db *db, const char *key, size_t key_len)
{
    struct watch_key *wk = watch_find(cs, db->id, key, key_len);
    if (!wk)
        return;
    bool absent = watch_peek(db, key, key_len) == NULL;
    for (int i = 0; i < wk->watcher_count; i++) {
        struct watcher *w = &wk->watchers[i];
        if (w->expired && absent) {
            /* The expired key was deleted: logically it was gone already.
             * From now on it is an ordinary absent key. */
            w->expired = false;
            continue;
        }
        w->client->flags |= CLIENT_DIRTY_CAS;
    }
}

void transaction_db_changing(struct commands *cs, struct db *db)
{
    if (keymap_size(&cs->watched_keys) == 0)
        return;
    struct keymap_iter it;
    keymap_iter_init(&it, &cs->watched_keys);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));) {
        struct watch_key *wk = (struct watch_key *)node;
        /* A second notice in the same command (SWAPDB n n) keeps the
         * state from before the first. */
        if (node->db_id != db->id || wk->settle_pending)
            continue;
        wk->settle_pending = true;
        wk->kv_before = (uintptr_t)watch_peek(db, node->key, node->key_len);
        cs->watch_settle_pending = true;
    }
    keymap_iter_done(&it);
}

/* Judges one watched key after a whole-db change, from whether it existed
 * before (kv_before) and exists after. This is Redis 7.0's rule for FLUSHDB
 * and SWAPDB: a key absent both before and after is no change, an expired
 * key that vanished or stayed expired is none either, and an absent key
 * replaced by an already expired one counts as still absent. */
static void watch_settle_key(struct commands *cs, struct watch_key *wk)
{
    struct db *db = &cs->keyspace->dbs[wk->node.db_id];
    struct kv *after = watch_peek(db, wk->node.key, wk->node.key_len);
    /* The same entry (or none) before and after: the key did not change,
     * as after SWAPDB of a database with itself. */
    if ((uintptr_t)after == wk->kv_before)
        return;
    bool existed_before = wk->kv_before != 0;
    bool expired_after = after && db_is_expired(db, after);
    for (int i = 0; i < wk->watcher_count; i++) {
        struct watcher *w = &wk->watchers[i];
        if (w->expired) {
            if (!after) {
                w->expired = false;
                continue;
            }
            if (expired_after)
                continue;
        } else if (!existed_before && expired_after) {
            w->expired = true;
            continue;
        }
        w->client->flags |= CLIENT_DIRTY_CAS;
    }
}

void transaction_settle(struct commands *cs)
{
    assert(cs->watch_settle_pending);
    cs->watch_settle_pending = false;
    struct keymap_iter it;
    keymap_iter_init(&it, &cs->watched_keys);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));) {
        struct watch_key *wk = (struct watch_key *)node;
        if (!wk->settle_pending)
            continue;
        wk->settle_pending = false;
        watch_settle_key(cs, wk);
    }
    keymap_iter_done(&it);
}

/* ---- The queue ---- */

void transaction_queue(struct client *c, struct command *cmd, uint32_t flags)
{
    assert(c->flags & CLIENT_MULTI);
    /* A transaction that is already doomed will not run its commands, so
     * they are answered but not stored. */
    if (!(c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC))) {
        if (c->queued_count == c->queued_cap)
            c->queued = array_grow(c->queued, &c->queued_cap, TRANSACTION_QUEUE_INITIAL,
                                   sizeof(*c->queued));
        c->queued[c->queued_count++] = (struct transaction_command){
            .cmd = cmd, .flags = flags, .argc = c->argc, .argv = args_copy(c->argc, c->argv)};
    }
    reply_status(c, "QUEUED");
}

unsigned transaction_queued_flags(const struct client *c)
{
    /* Computed when asked (only EXEC under OOM asks) rather than kept up
     * to date with every command queued. */
    unsigned flags = 0;
    for (int i = 0; i < c->queued_count; i++)
        flags |= c->queued[i].flags;
    return flags;
}

void transaction_flag_error(struct client *c)
{
    if (c->flags & CLIENT_MULTI)
        c->flags |= CLIENT_DIRTY_EXEC;
}

void transaction_client_reset(struct client *c)
{
    for (int i = 0; i < c->queued_count; i++)
        args_free(c->queued[i].argv);
    alloc_free(c->queued);
    c->queued = NULL;
    c->queued_count = c->queued_cap = 0;
    c->flags &= ~(unsigned)(CLIENT_MULTI | CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS);
    watch_remove_all(c);
}

void transaction_abort(struct client *c, const char *error)
{
    transaction_client_reset(c);
    reply_errorf(c, "-EXECABORT Transaction discarded because of: %s", error);
    /* Monitors saw MULTI; they see this EXEC too, so the block they were
     * shown has an end even though none of it ran. */
    if (c->commands->monitors)
        client_feed_monitors(c);
}

/* ---- The commands ---- */

static void transaction_multi_command(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    reply_ok(c);
}

static void transaction_discard_command(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "DISCARD without MULTI");
        return;
    }
    transaction_client_reset(c);
    reply_ok(c);
}

/* Runs the queued commands through the same path as any other command
 * (stats, monitors), each replying into EXEC's array. A command that fails
 * at run time replies its error in place and the rest still run: Redis has
 * no rollback. */
static void transaction_exec_command(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(c, "EXEC without MULTI");
        return;
    }
    if (watch_any_expired(c))
        c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & (CLIENT_DIRTY_EXEC | CLIENT_DIRTY_CAS)) {
        if (c->flags & CLIENT_DIRTY_EXEC)
            reply_error(c, "-EXECABORT Transaction discarded because of previous errors.");
        else
            reply_null_array(c);
        transaction_client_reset(c);
        return;
    }
    /* Nothing the queued commands do can invalidate this transaction now. */
    watch_remove_all(c);
    int saved_argc = c->argc;
    struct resp_arg *saved_argv = c->argv;
    struct transaction_command *queue = c->queued;
    int count = c->queued_count;
    bool was_denying = c->flags & CLIENT_DENY_BLOCKING;
    c->flags |= CLIENT_DENY_BLOCKING;
    reply_array_len(c, count);
    for (int i = 0; i < count; i++) {
        c->argc = queue[i].argc;
        c->argv = queue[i].argv;
        /* ACL rules may have changed since the command was queued: Redis
         * 7.0 checks each again and answers a denied one in place. */
        char noperm[512];
        if (!acl_user_unrestricted(c->user) &&
            !acl_check_client(c, queue[i].cmd, true, noperm, sizeof(noperm))) {
            reply_error(c, noperm);
            continue;
        }
        c->commands->call(c, queue[i].cmd);
        /* Nothing that can be queued may end or grow the transaction
         * (MULTI, EXEC, DISCARD and RESET always run at once). */
        assert(c->queued == queue);
        assert(c->queued_count == count);
    }
    if (!was_denying)
        c->flags &= ~(unsigned)CLIENT_DENY_BLOCKING;
    c->argc = saved_argc;
    c->argv = saved_argv;
    transaction_client_reset(c);
}

static void transaction_watch_command(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(c, "WATCH inside MULTI is not allowed");
        return;
    }
    /* A dirty client's EXEC fails whatever else it watches. */
    if (!(c->flags & CLIENT_DIRTY_CAS))
        for (int i = 1; i < c->argc; i++)
            watch_add(c, c->argv[i].ptr, c->argv[i].len);
    reply_ok(c);
}

static void transaction_unwatch_command(struct client *c)
{
    watch_remove_all(c);
    c->flags &= ~(unsigned)CLIENT_DIRTY_CAS;
    reply_ok(c);
}

#define TRANSACTION_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY)

struct command transaction_commands[] = {
    {.name = "multi", .proc = transaction_multi_command, .arity = 1, .flags = TRANSACTION_FLAGS,
     .acl = ACL_FAST | ACL_TRANSACTION,
     .summary = "Mark the start of a transaction block", .since = "1.2.0", .group = "transactions",
     .complexity = "O(1)"},
    {.name = "exec", .proc = transaction_exec_command, .arity = 1,
     .flags = CMD_NO_PROPAGATE_SELF | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
     .acl = ACL_SLOW | ACL_TRANSACTION,
     .summary = "Execute all commands issued after MULTI", .since = "1.2.0",
     .group = "transactions", .complexity = "Depends on commands in the transaction"},
    {.name = "discard", .proc = transaction_discard_command, .arity = 1, .flags = TRANSACTION_FLAGS,
     .acl = ACL_FAST | ACL_TRANSACTION,
     .summary = "Discard all commands issued after MULTI", .since = "2.0.0",
     .group = "transactions", .complexity = "O(N), when N is the number of queued commands"},
    {.name = "watch", .proc = transaction_watch_command, .arity = -2, .flags = TRANSACTION_FLAGS,
     .acl = ACL_FAST | ACL_TRANSACTION, .first_key = 1, .last_key = -1, .key_step = 1,
     .summary = "Watch the given keys to determine execution of the MULTI/EXEC block",
     .since = "2.2.0", .group = "transactions", .complexity = "O(1) for every key.",
     .arguments = "key^k#0*"},
    {.name = "unwatch", .proc = transaction_unwatch_command, .arity = 1, .flags = TRANSACTION_FLAGS,
     .acl = ACL_FAST | ACL_TRANSACTION,
     .summary = "Forget about all watched keys", .since = "2.2.0", .group = "transactions",
     .complexity = "O(1)"},
    {0},
};
