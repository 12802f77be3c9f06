/* blocking.c: clients blocked in BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP,
 * BZPOPMIN, BZPOPMAX and BZMPOP, and their wake-ups (Redis 7.0 semantics).
 *
 * Owns each client's blocked state (struct blocked_state in client.h), the
 * FIFO of clients blocked on each key (nodes of a keymap from (db id, key),
 * net/keymap.h, the map WATCH uses too), and the list of keys that changed
 * since they were last served.
 *
 * A handler that finds no data calls blocking_block, which copies the
 * command's arguments and queues the client on each of its keys. Every
 * keyspace change reaches blocking_key_touched (from notify_key_modified);
 * a key someone is blocked on becomes ready. After each top-level command
 * (so after EXEC, never inside a transaction) blocking_serve_ready walks
 * the ready keys: for each, the clients blocked on it in arrival order,
 * while the key holds the type they wait for, get their handler run again
 * on their copied arguments, restricted to that key. A served BLMOVE pushes
 * to its destination, which makes that key ready in turn; the loop runs
 * until no key is ready. Since every serve unblocks a client, it ends.
 *
 * Leaves the commands' semantics to cmd_list.c and cmd_zset.c, and the
 * resumption of an unblocked client's pipelined commands to client.c.
 *
 * Invariant: a client is in a key's FIFO exactly once iff the key's node is
 * in its blocked.keys array, iff it has CLIENT_BLOCKED; a node with no
 * clients is not in the map. A closing client leaves the map first. */
#include "net/commands/blocking.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keymap.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/slowlog.h"
#include "net/commands/waitaof.h"
#include "net/core/args.h"
#include "net/core/log.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

#define BLOCKING_ARRAY_INITIAL 4
/* A timeout's text longer than this is no number Redis would accept. */
#define BLOCKING_TIMEOUT_TEXT_MAX 255

struct blocking_key {
    struct keymap_node node;  /* first: the map's part, with the key's copy */
    bool ready;               /* queued on server->ready_keys, not yet served */
    struct client **clients;  /* owned FIFO: the first blocked is served first */
    int client_count;
    int client_cap;
};
static_assert(offsetof(struct blocking_key, node) == 0, "keymap nodes begin the struct");

/* A key that changed: an owned copy, since its node may go away (its last
 * client timing out) before it is served. */
struct blocking_ready {
    int db_id;
    size_t key_len;
    char *key; /* owned */
};

void blocking_init(struct commands *cs)
{
    keymap_init(&cs->blocking_keys);
    cs->ready_keys = NULL;
    cs->ready_count = cs->ready_cap = 0;
}

/* Frees what the node owns; the map frees the node. */
static void blocking_node_release(struct keymap_node *node)
{
    struct blocking_key *bk = (struct blocking_key *)node;
    alloc_free(bk->clients);
}

void blocking_free(struct commands *cs)
{
    /* Clients were freed (and so unblocked) first; clearing anyway keeps
     * exit leak-free if that order changes. */
    keymap_clear(&cs->blocking_keys, blocking_node_release);
    for (int i = 0; i < cs->ready_count; i++)
        alloc_free(cs->ready_keys[i].key);
    alloc_free(cs->ready_keys);
    cs->ready_keys = NULL;
    cs->ready_count = cs->ready_cap = 0;
}

static void *blocking_array_grow(void *array, int *cap, size_t item_bytes)
{
    assert(*cap < INT_MAX / 2);
    *cap = *cap ? *cap * 2 : BLOCKING_ARRAY_INITIAL;
    return alloc_resize(array, (size_t)*cap * item_bytes);
}

static struct blocking_key *blocking_find(struct commands *cs, int db_id, const char *key,
                                          size_t key_len)
{
    return (struct blocking_key *)keymap_find(&cs->blocking_keys, db_id, key, key_len);
}

/* ---- Timeouts ---- */

bool blocking_parse_timeout(struct client *c, int i, int64_t *deadline_ms)
{
    const struct resp_arg *a = &c->argv[i];
    char text[BLOCKING_TIMEOUT_TEXT_MAX + 1];
    bool ok = a->len > 0 && a->len <= BLOCKING_TIMEOUT_TEXT_MAX;
    long double seconds = 0;
    if (ok) {
        memcpy(text, a->ptr, a->len);
        text[a->len] = '\0';
        char *end;
        errno = 0;
        seconds = strtold(text, &end);
        /* Redis's long double parsing: no leading space, nothing left over,
         * no NaN, and an overflow (but not an underflow) is an error. */
        ok = !(text[0] == ' ' || (text[0] >= '\t' && text[0] <= '\r')) && *end == '\0' &&
             !isnan(seconds) && !(errno == ERANGE && (seconds > 1 || seconds < -1));
    }
    if (!ok) {
        reply_error(c, "timeout is not a float or out of range");
        return false;
    }
    long double ms = ceill(seconds * 1000.0L);
    /* Redis 7.0.15 converts the milliseconds to a long long without a
     * range check; on x86-64 every out-of-range value (inf included) then
     * becomes LLONG_MIN and is refused as negative. */
    if (!(ms < 9223372036854775807.0L) || ms < 0) {
        reply_error(c, "timeout is negative");
        return false;
    }
    long long timeout = (long long)ms;
    int64_t now = c->commands->keyspace->now_ms;
    *deadline_ms = timeout == 0 ? 0 : (timeout > INT64_MAX - now ? INT64_MAX : now + timeout);
    return true;
}

/* ---- Blocking ---- */

bool blocking_skip_key(struct client *c, int i)
{
    const struct blocked_state *b = &c->blocked;
    if (!b->serving)
        return false;
    return c->argv[i].len != b->serving_key_len ||
           memcmp(c->argv[i].ptr, b->serving_key, b->serving_key_len) != 0;
}

/* Appends c to the FIFO of key (in c's database), once. */
static void blocking_add_key(struct client *c, const char *key, size_t key_len)
{
    struct commands *cs = c->commands;
    struct blocked_state *b = &c->blocked;
    struct blocking_key *bk = blocking_find(cs, b->db_id, key, key_len);
    if (bk == NULL)
        bk = (struct blocking_key *)keymap_add(&cs->blocking_keys, b->db_id, key, key_len,
                                               sizeof(*bk));
    for (int i = 0; i < b->key_count; i++)
        if (b->keys[i] == bk)
            return; /* BLPOP k k: one wait on k */
    if (bk->client_count == bk->client_cap)
        bk->clients = blocking_array_grow(bk->clients, &bk->client_cap, sizeof(*bk->clients));
    bk->clients[bk->client_count++] = c;
    /* blocking_block sized the keys array for every key of the command. */
    b->keys[b->key_count++] = bk;
}

void blocking_block(struct client *c, enum blocked_kind kind, int first, int count,
                    int64_t deadline_ms)
{
    struct blocked_state *b = &c->blocked;
    if (b->serving) {
        b->reblock = true;
        return;
    }
    assert(!(c->flags & (CLIENT_BLOCKED | CLIENT_DENY_BLOCKING)));
    assert(count > 0 && first + count <= c->argc);
    struct resp_arg *argv = args_copy(c->argc, c->argv);
    *b = (struct blocked_state){.kind = kind, .db_id = c->db->id, .timeout_ms = deadline_ms,
                                .cmd = (struct command *)c->cmd, .argc = c->argc, .argv = argv};
    b->keys = alloc_bytes(sizeof(*b->keys) * (size_t)count);
    for (int i = first; i < first + count; i++)
        blocking_add_key(c, argv[i].ptr, argv[i].len);
    c->flags |= CLIENT_BLOCKED;
    c->commands->blocked_clients++;
}

void blocking_block_keyless(struct client *c, enum blocked_kind kind, int64_t deadline_ms)
{
    assert(!(c->flags & (CLIENT_BLOCKED | CLIENT_DENY_BLOCKING)));
    /* The arguments are kept for the slow log entry of its wake-up. */
    c->blocked = (struct blocked_state){.kind = kind, .db_id = c->db->id,
                                        .timeout_ms = deadline_ms, .cmd = (struct command *)c->cmd,
                                        .argc = c->argc, .argv = args_copy(c->argc, c->argv)};
    c->flags |= CLIENT_BLOCKED;
    c->commands->blocked_clients++;
}

static void blocking_remove_from_key(struct commands *cs, struct blocking_key *bk,
                                     const struct client *c)
{
    int i = 0;
    while (i < bk->client_count && bk->clients[i] != c)
        i++;
    assert(i < bk->client_count);
    /* Keep the arrival order: later clients move up one place. */
    memmove(&bk->clients[i], &bk->clients[i + 1],
            sizeof(*bk->clients) * (size_t)(bk->client_count - i - 1));
    bk->client_count--;
    if (bk->client_count > 0)
        return;
    blocking_node_release(&bk->node);
    keymap_remove(&cs->blocking_keys, &bk->node);
}

/* Leaves every FIFO and frees the copied command. The command counts as
 * called now that it has ended, as Redis counts a blocked command's call
 * when it unblocks. */
static void blocking_leave(struct client *c, long long serve_us)
{
    struct commands *cs = c->commands;
    struct blocked_state *b = &c->blocked;
    assert(c->flags & CLIENT_BLOCKED);
    for (int i = 0; i < b->key_count; i++)
        blocking_remove_from_key(cs, b->keys[i], c);
    if (b->kind == BLOCKED_WAITAOF)
        waitaof_forget(c);
    b->cmd->stats.calls++;
    /* Redis times a served command (LATENCY HISTOGRAM), not a timed-out or
     * unblocked one (serve_us < 0). */
    if (serve_us >= 0)
        command_record_latency(cs, b->cmd, serve_us);
    cs->stats.total_commands_processed++;
    alloc_free(b->keys);
    args_free(b->argv);
    *b = (struct blocked_state){0};
    c->flags &= ~(unsigned)CLIENT_BLOCKED;
    cs->blocked_clients--;
    assert(cs->blocked_clients >= 0);
}

void blocking_unblock(struct client *c, enum blocking_unblock_reply reply)
{
    if (!(c->flags & CLIENT_BLOCKED))
        return;
    if (reply == BLOCKING_REPLY_TIMEOUT && c->blocked.kind == BLOCKED_WAITAOF) {
        waitaof_reply_counts(c);
    } else if (reply == BLOCKING_REPLY_TIMEOUT) {
        reply_null_array(c);
    } else if (reply == BLOCKING_REPLY_ERROR) {
        reply_error(c, "-UNBLOCKED client unblocked via CLIENT UNBLOCK");
    }
    blocking_leave(c, -1);
    if (reply != 0)
        client_unblocked(c);
}

void blocking_unblock_served(struct client *c)
{
    assert(c->flags & CLIENT_BLOCKED);
    struct blocked_state *b = &c->blocked;
    /* Served: the slow log gets the command as it was sent, as for a
     * keyed wake-up (blocking_serve_client). */
    assert(c->argc == 0);
    c->argc = b->argc;
    c->argv = b->argv;
    slowlog_push_if_needed(c, b->cmd, b->call_us);
    c->argc = 0;
    c->argv = NULL;
    blocking_leave(c, 0);
    client_unblocked(c);
}

void blocking_unblock_by_request(struct client *c, enum blocking_unblock_reply reply)
{
    assert(c->flags & CLIENT_BLOCKED);
    struct command *cmd = c->blocked.cmd;
    long long call_us = c->blocked.call_us;
    blocking_unblock(c, reply);
    /* Redis 7.0 counts either form as a failed call, and logs it once the
     * client's arguments are gone: an entry without arguments. */
    cmd->stats.failed_calls++;
    assert(c->argc == 0);
    slowlog_push_if_needed(c, cmd, call_us);
}

void blocking_expire_timeouts(struct commands *cs)
{
    if (cs->blocked_clients == 0)
        return;
    int64_t now = cs->loop->now_ms;
    for (struct client *c = client_first(cs); c; c = client_next(c)) {
        const struct blocked_state *b = &c->blocked;
        if ((c->flags & CLIENT_BLOCKED) && b->timeout_ms != 0 && b->timeout_ms <= now)
            blocking_unblock(c, BLOCKING_REPLY_TIMEOUT);
    }
}

/* ---- Wake-ups ---- */

static void blocking_mark_ready(struct commands *cs, struct blocking_key *bk)
{
    if (bk->ready)
        return;
    bk->ready = true;
    if (cs->ready_count == cs->ready_cap)
        cs->ready_keys = blocking_array_grow(cs->ready_keys, &cs->ready_cap, sizeof(*cs->ready_keys));
    const struct keymap_node *node = &bk->node;
    cs->ready_keys[cs->ready_count++] = (struct blocking_ready){
        .db_id = node->db_id, .key_len = node->key_len,
        .key = alloc_strndup(node->key, node->key_len)};
}

void blocking_key_touched(struct commands *cs, struct db *db, const char *key, size_t key_len)
{
    if (keymap_size(&cs->blocking_keys) == 0)
        return;
    if (key != NULL) {
        struct blocking_key *bk = blocking_find(cs, db->id, key, key_len);
        if (bk)
            blocking_mark_ready(cs, bk);
        return;
    }
    /* A whole-database change (SWAPDB, FLUSHDB): any key of db may now
     * hold data; serving re-checks each one. */
    struct keymap_iter it;
    keymap_iter_init(&it, &cs->blocking_keys);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));) {
        if (node->db_id == db->id)
            blocking_mark_ready(cs, (struct blocking_key *)node);
    }
    keymap_iter_done(&it);
}

static enum kv_type blocking_kind_type(enum blocked_kind kind)
{
    if (kind == BLOCKED_STREAM)
        return KV_STREAM;
    return kind == BLOCKED_ZSET ? KV_ZSET : KV_LIST;
}

/* Runs c's blocked command again, restricted to the ready key. Returns
 * whether c was served (and unblocked). */
static bool blocking_serve_client(struct client *c, const struct blocking_ready *ready)
{
    struct blocked_state *b = &c->blocked;
    assert(c->cmd == NULL && c->argv == NULL);
    b->serving = true;
    b->reblock = false;
    b->serving_key = ready->key;
    b->serving_key_len = ready->key_len;
    c->argc = b->argc;
    c->argv = b->argv;
    c->cmd = b->cmd;
    /* A served wake-up logs what it did (e.g. BLPOP as LPOP). */
    struct propagate_frame frame;
    propagate_begin(c->commands, &frame);
    long long start_us = log_clock_us();
    b->cmd->proc(c);
    long long serve_us = log_clock_us() - start_us;
    propagate_end(c, b->cmd, &frame);
    /* Served: the slow log gets the command as it was sent, on the
     * blocked client's behalf. */
    if (!b->reblock)
        slowlog_push_if_needed(c, b->cmd, b->call_us + (serve_us < 0 ? 0 : serve_us));
    c->cmd = NULL;
    c->argc = 0;
    c->argv = NULL;
    b->serving = false;
    b->serving_key = NULL;
    if (b->reblock)
        return false;
    blocking_leave(c, serve_us < 0 ? 0 : serve_us);
    client_unblocked(c);
    return true;
}

/* Serves the clients blocked on one ready key, first blocked first, while
 * the key holds data. Clients waiting for another type keep their place. */
static void blocking_serve_key(struct commands *cs, const struct blocking_ready *ready)
{
    struct blocking_key *bk = blocking_find(cs, ready->db_id, ready->key, ready->key_len);
    if (bk == NULL)
        return;
    bk->ready = false;
    struct db *db = &cs->keyspace->dbs[ready->db_id];
    int skipped = 0;
    /* Serving can free the node (its last client leaves): look it up again
     * each round. */
    while ((bk = blocking_find(cs, ready->db_id, ready->key, ready->key_len)) != NULL &&
           skipped < bk->client_count) {
        struct kv *kv = db_lookup(db, ready->key, ready->key_len,
                                  DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH);
        struct client *c = bk->clients[skipped];
        /* A stream reader is run even when its key is gone or holds
         * another type: XREADGROUP then fails (Redis 7.0's "-UNBLOCKED
         * the stream key no longer exists"), XREAD blocks on. */
        bool stream_wait = c->blocked.kind == BLOCKED_STREAM;
        if (kv == NULL && !stream_wait)
            break;
        /* A closing client is not served: the element it would pop stays
         * for the next waiter (it leaves the FIFO when it is freed). */
        if ((c->conn.flags & CONN_CLOSING) ||
            (!stream_wait && kv->type != blocking_kind_type(c->blocked.kind)) ||
            !blocking_serve_client(c, ready))
            skipped++;
    }
}

void blocking_serve_ready(struct commands *cs)
{
    while (cs->ready_count > 0) {
        /* Take this round's keys: serving marks new ones (BLMOVE's
         * destination), which the next round handles. */
        struct blocking_ready *round = cs->ready_keys;
        int count = cs->ready_count;
        cs->ready_keys = NULL;
        cs->ready_count = cs->ready_cap = 0;
        for (int i = 0; i < count; i++) {
            blocking_serve_key(cs, &round[i]);
            alloc_free(round[i].key);
        }
        alloc_free(round);
    }
}
