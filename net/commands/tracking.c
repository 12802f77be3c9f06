/* tracking.c: client-side caching: the tracking table, the BCAST prefix
 * table, invalidation messages and the CLIENT TRACKING family (see
 * tracking.h).
 *
 * Owns struct tracking (cs->tracking) and each client's tracking fields.
 * The tables hold client ids, never pointers, except the prefix table's
 * lists of subscribed clients, which a client leaves when its tracking
 * ends; ids are looked up in the map of the clients this module knows
 * (tracking clients and redirect targets), which a client leaves only when
 * it is freed (tracking_client_closed). Ids are never reused, so a stale
 * id in the table finds nobody. As in Redis, a client leaving does not
 * clean its ids out of the table: they go when their key is invalidated.
 *
 * Wire forms, as redis-server 7.0.15 sends them:
 *   RESP3 client (or RESP3 redirect target): >2 $10 invalidate <value>
 *   RESP2 redirect target in Pub/Sub mode:
 *       *3 $7 message $20 __redis__:invalidate <value>
 *   anything else gets nothing (a RESP2 connection cannot take a push).
 * <value> is an array of keys, or for a flush the tracking client's own
 * null ("_" in RESP3, "$-1" in RESP2, even when redirected).
 *
 * Ordering: an invalidation a command causes for its own client waits
 * until the command (a whole EXEC) has replied; BCAST invalidations leave
 * once per loop iteration, one message per prefix, keys in byte order.
 *
 * Invariants: t->items is the sum of the id counts of t->keys; a client is
 * in a prefix's client list exactly when the prefix is in its own sorted
 * list; a prefix with no client is not in the table. */
#include "net/commands/tracking.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keymap.h"
#include "net/commands/keyspec.h"
#include "net/commands/pubsub.h"
#include "net/commands/random64.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"

/* Keys evicted per round over tracking-table-max-keys, times the number
 * of rounds in a row that did not get under it (Redis's effort). */
#define TRACKING_LIMIT_EFFORT_STEP 100

/* One key of the tracking table: the clients that may cache it. */
struct tracking_key {
    struct keymap_node node; /* db 0: the table spans databases, as Redis's */
    uint64_t *ids;           /* owned, ascending */
    int count;
    int cap;
};

/* A client this module can find by id. */
struct tracking_known {
    struct keymap_node node; /* key: the id's bytes */
    struct client *client;   /* borrowed: the node goes before the client is freed */
};

/* A key modified under a BCAST prefix since the last broadcast. */
struct tracking_bcast_key {
    struct keymap_node node;
    uint64_t modifier_id; /* the client that modified it last (NOLOOP), 0: none */
};

struct tracking_prefix {
    char *bytes; /* owned */
    size_t len;
    struct client **clients; /* owned array of borrowed clients, oldest first */
    int client_count;
    int client_cap;
    struct keymap keys; /* struct tracking_bcast_key: modified since the last broadcast */
};

/* An invalidation for the current client, sent after its reply. */
struct tracking_pending {
    char *key; /* owned; NULL: the flush null */
    size_t key_len;
};

struct tracking {
    struct keymap keys;  /* struct tracking_key */
    long long items;     /* ids across keys */
    struct keymap known; /* struct tracking_known */
    struct tracking_prefix **prefixes; /* owned, sorted by bytes */
    int prefix_count;
    int prefix_cap;
    /* The client whose command is being processed (Redis's
     * current_client), from tracking_before_command to
     * tracking_after_command; NULL otherwise. Its handler runs while
     * current->cmd is set. */
    struct client *current;
    struct tracking_pending *pending; /* owned array, all for current */
    int pending_count;
    int pending_cap;
    unsigned limit_rounds; /* rounds in a row that ended over the limit */
};

static const char TRACKING_PUSH_HEAD[] = ">2\r\n$10\r\ninvalidate\r\n";
static const char TRACKING_MESSAGE_HEAD[] = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
static const char TRACKING_BROKEN_HEAD[] = ">2\r\n$21\r\ntracking-redir-broken\r\n";

/* Byte order, a prefix before its extensions: the order Redis's radix
 * trees iterate in (TRACKINGINFO's prefixes, BCAST's keys and prefixes). */
static int tracking_bytes_cmp(const char *a, size_t a_len, const char *b, size_t b_len)
{
    int r = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (r != 0)
        return r;
    return a_len < b_len ? -1 : a_len > b_len;
}

static struct tracking *tracking_get(struct client *c)
{
    struct commands *cs = c->commands;
    if (cs->tracking)
        return cs->tracking;
    struct tracking *t = alloc_zeroed(sizeof(*t));
    keymap_init(&t->keys);
    keymap_init(&t->known);
    /* Created by c's CLIENT TRACKING: c is the command's client. */
    t->current = c;
    cs->tracking = t;
    return t;
}

/* ---- clients by id ---- */

static void tracking_know(struct tracking *t, struct client *c)
{
    if (c->flags & CLIENT_TRACKING_KNOWN)
        return;
    uint64_t id = c->conn.id;
    struct tracking_known *k = (struct tracking_known *)keymap_add(
        &t->known, 0, (const char *)&id, sizeof(id), sizeof(*k));
    k->client = c;
    c->flags |= CLIENT_TRACKING_KNOWN;
}

/* The open client with this id among those known, or NULL. */
static struct client *tracking_find(const struct tracking *t, uint64_t id)
{
    struct tracking_known *k =
        (struct tracking_known *)keymap_find(&t->known, 0, (const char *)&id, sizeof(id));
    if (k == NULL || (k->client->conn.flags & CONN_CLOSING))
        return NULL;
    return k->client;
}

/* ---- sending ---- */

/* Starts an invalidation for tracking client c: writes the message head
 * to c or its redirect target and returns that client, which the value
 * goes to; NULL when nothing can be sent. A redirect target that is gone
 * marks c broken and tells c so (RESP3 only), each time, as Redis does.
 * Invalidations pass CLIENT REPLY OFF|SKIP as Pub/Sub messages do: the
 * destination is unmuted until tracking_message_end (*muted says whether
 * it was muted). */
static struct client *tracking_message_begin(const struct tracking *t, struct client *c,
                                             bool *muted)
{
    if (c->conn.flags & CONN_CLOSING)
        return NULL;
    struct client *dest = c;
    if (c->tracking_redirect) {
        dest = tracking_find(t, c->tracking_redirect);
        if (dest == NULL) {
            c->flags |= CLIENT_TRACKING_BROKEN_REDIR;
            if (c->resp > 2) {
                bool was_muted = client_push_begin(c);
                reply_raw(c, TRACKING_BROKEN_HEAD, sizeof(TRACKING_BROKEN_HEAD) - 1);
                reply_integer(c, (long long)c->tracking_redirect);
                client_push_end(c, was_muted);
            }
            return NULL;
        }
    }
    const char *head;
    size_t head_len;
    if (dest->resp > 2) {
        head = TRACKING_PUSH_HEAD;
        head_len = sizeof(TRACKING_PUSH_HEAD) - 1;
    } else if (c->tracking_redirect && pubsub_client_subscribed(dest)) {
        head = TRACKING_MESSAGE_HEAD;
        head_len = sizeof(TRACKING_MESSAGE_HEAD) - 1;
    } else {
        return NULL;
    }
    *muted = client_push_begin(dest);
    reply_raw(dest, head, head_len);
    return dest;
}

static void tracking_send_key(const struct tracking *t, struct client *c, const char *key,
                              size_t key_len)
{
    bool muted;
    struct client *dest = tracking_message_begin(t, c, &muted);
    if (dest == NULL)
        return;
    reply_array_len(dest, 1);
    reply_bulk(dest, key, key_len);
    client_push_end(dest, muted);
}

/* value: protocol bytes (a BCAST key array). */
static void tracking_send_raw(const struct tracking *t, struct client *c, const char *value,
                              size_t len)
{
    bool muted;
    struct client *dest = tracking_message_begin(t, c, &muted);
    if (dest == NULL)
        return;
    reply_raw(dest, value, len);
    client_push_end(dest, muted);
}

/* "All keys": c's own null, whatever its redirect target speaks. */
static void tracking_send_flush(const struct tracking *t, struct client *c)
{
    if (c->resp > 2)
        tracking_send_raw(t, c, "_\r\n", 3);
    else
        tracking_send_raw(t, c, "$-1\r\n", 5);
}

static void tracking_pending_add(struct tracking *t, const char *key, size_t key_len)
{
    if (t->pending_count == t->pending_cap) {
        t->pending_cap = t->pending_cap ? t->pending_cap * 2 : 8;
        t->pending = alloc_resize(t->pending, (size_t)t->pending_cap * sizeof(*t->pending));
    }
    struct tracking_pending *p = &t->pending[t->pending_count++];
    p->key = key ? alloc_strndup(key, key_len) : NULL;
    p->key_len = key_len;
}

static void tracking_pending_flush(struct tracking *t)
{
    for (int i = 0; i < t->pending_count; i++) {
        struct tracking_pending *p = &t->pending[i];
        if (t->current && p->key)
            tracking_send_key(t, t->current, p->key, p->key_len);
        else if (t->current)
            tracking_send_flush(t, t->current);
        alloc_free(p->key);
    }
    t->pending_count = 0;
}

/* ---- the tracking table ---- */

static void tracking_key_release(struct keymap_node *node)
{
    alloc_free(((struct tracking_key *)node)->ids);
}

/* Adds id to tk's sorted ids; false when it was there. */
static bool tracking_key_add_id(struct tracking_key *tk, uint64_t id)
{
    int lo = 0, hi = tk->count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (tk->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < tk->count && tk->ids[lo] == id)
        return false;
    if (tk->count == tk->cap) {
        tk->cap = tk->cap ? tk->cap * 2 : 1;
        tk->ids = alloc_resize(tk->ids, (size_t)tk->cap * sizeof(*tk->ids));
    }
    memmove(&tk->ids[lo + 1], &tk->ids[lo], (size_t)(tk->count - lo) * sizeof(*tk->ids));
    tk->ids[lo] = id;
    tk->count++;
    return true;
}

struct tracking_remember_ctx {
    struct tracking *t;
    uint64_t id;
};

static void tracking_remember_key(const struct resp_arg *key, void *ctx)
{
    struct tracking_remember_ctx *r = ctx;
    struct tracking_key *tk = (struct tracking_key *)keymap_find(&r->t->keys, 0, key->ptr, key->len);
    if (tk == NULL)
        tk = (struct tracking_key *)keymap_add(&r->t->keys, 0, key->ptr, key->len, sizeof(*tk));
    if (tracking_key_add_id(tk, r->id))
        r->t->items++;
}

/* Remembers the keys of c's command cmd for tracking client owner, unless
 * OPTIN/OPTOUT and CLIENT CACHING say this command does not count. Shard
 * channels are keys to COMMAND but not to caching. */
static void tracking_remember(struct tracking *t, struct client *owner, struct client *c,
                              const struct command *cmd)
{
    if (cmd->flags & CMD_PUBSUB)
        return;
    bool caching = owner->flags & CLIENT_TRACKING_CACHING;
    if (((owner->flags & CLIENT_TRACKING_OPTIN) && !caching) ||
        ((owner->flags & CLIENT_TRACKING_OPTOUT) && caching))
        return;
    struct tracking_remember_ctx ctx = {t, owner->conn.id};
    keyspec_each_key(c->commands, cmd, c->argv, c->argc, tracking_remember_key, &ctx);
}

/* ---- the BCAST prefix table ---- */

/* The index of the prefix equal to bytes, or where it would go; *found
 * says which. */
static int tracking_prefix_search(struct tracking_prefix *const *list, int count,
                                  const char *bytes, size_t len, bool *found)
{
    int lo = 0, hi = count;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (tracking_bytes_cmp(list[mid]->bytes, list[mid]->len, bytes, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < count && tracking_bytes_cmp(list[lo]->bytes, list[lo]->len, bytes, len) == 0;
    return lo;
}

/* Inserts p at index i of a sorted pointer array, growing it. */
static void tracking_prefix_insert(struct tracking_prefix ***list, int *count, int *cap, int i,
                                   struct tracking_prefix *p)
{
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        *list = alloc_resize(*list, (size_t)*cap * sizeof(**list));
    }
    memmove(&(*list)[i + 1], &(*list)[i], (size_t)(*count - i) * sizeof(**list));
    (*list)[i] = p;
    (*count)++;
}

static void tracking_prefix_free(struct tracking_prefix *p)
{
    keymap_clear(&p->keys, NULL);
    alloc_free(p->clients);
    alloc_free(p->bytes);
    alloc_free(p);
}

/* Subscribes c to prefix bytes (a no-op when it already is). */
static void tracking_prefix_add(struct tracking *t, struct client *c, const char *bytes,
                                size_t len)
{
    bool found;
    int i = tracking_prefix_search(t->prefixes, t->prefix_count, bytes, len, &found);
    if (!found) {
        struct tracking_prefix *p = alloc_zeroed(sizeof(*p));
        p->bytes = alloc_strndup(bytes, len);
        p->len = len;
        keymap_init(&p->keys);
        tracking_prefix_insert(&t->prefixes, &t->prefix_count, &t->prefix_cap, i, p);
    }
    struct tracking_prefix *p = t->prefixes[i];
    int mine = tracking_prefix_search(c->tracking_prefixes, c->tracking_prefix_count, bytes, len,
                                      &found);
    if (found)
        return;
    tracking_prefix_insert(&c->tracking_prefixes, &c->tracking_prefix_count,
                           &c->tracking_prefix_cap, mine, p);
    if (p->client_count == p->client_cap) {
        p->client_cap = p->client_cap ? p->client_cap * 2 : 4;
        p->clients = alloc_resize(p->clients, (size_t)p->client_cap * sizeof(*p->clients));
    }
    p->clients[p->client_count++] = c;
}

/* Takes c out of p; drops p when c was its last client. */
static void tracking_prefix_leave(struct tracking *t, struct tracking_prefix *p, struct client *c)
{
    int i = 0;
    while (i < p->client_count && p->clients[i] != c)
        i++;
    assert(i < p->client_count);
    memmove(&p->clients[i], &p->clients[i + 1],
            (size_t)(p->client_count - i - 1) * sizeof(*p->clients));
    p->client_count--;
    if (p->client_count > 0)
        return;
    bool found;
    int at = tracking_prefix_search(t->prefixes, t->prefix_count, p->bytes, p->len, &found);
    assert(found);
    memmove(&t->prefixes[at], &t->prefixes[at + 1],
            (size_t)(t->prefix_count - at - 1) * sizeof(*t->prefixes));
    t->prefix_count--;
    tracking_prefix_free(p);
}

/* Notes key under every prefix it starts with, for the next broadcast. */
static void tracking_bcast_remember(struct tracking *t, const char *key, size_t key_len,
                                    uint64_t modifier_id)
{
    for (int i = 0; i < t->prefix_count; i++) {
        struct tracking_prefix *p = t->prefixes[i];
        if (p->len > key_len || memcmp(p->bytes, key, p->len) != 0)
            continue;
        struct tracking_bcast_key *bk =
            (struct tracking_bcast_key *)keymap_find(&p->keys, 0, key, key_len);
        if (bk == NULL)
            bk = (struct tracking_bcast_key *)keymap_add(&p->keys, 0, key, key_len, sizeof(*bk));
        bk->modifier_id = modifier_id;
    }
}

/* ---- invalidation ---- */

/* key changed (bcast: a real change, which BCAST clients hear of) or left
 * the table (the size limit). modifier_id: the client whose command
 * changed it, 0 for none; NOLOOP in default mode exempts the current
 * client instead, as Redis does. key may not point into the table. */
static void tracking_invalidate(struct commands *cs, const char *key, size_t key_len,
                                uint64_t modifier_id, bool bcast)
{
    struct tracking *t = cs->tracking;
    if (t == NULL)
        return;
    if (bcast && t->prefix_count > 0)
        tracking_bcast_remember(t, key, key_len, modifier_id);
    struct tracking_key *tk = (struct tracking_key *)keymap_find(&t->keys, 0, key, key_len);
    if (tk == NULL)
        return;
    for (int i = 0; i < tk->count; i++) {
        struct client *target = tracking_find(t, tk->ids[i]);
        /* A client that switched to BCAST since it read the key, or
         * turned tracking off, gets nothing. */
        if (target == NULL || !(target->flags & CLIENT_TRACKING) ||
            (target->flags & CLIENT_TRACKING_BCAST))
            continue;
        if ((target->flags & CLIENT_TRACKING_NOLOOP) && target == t->current)
            continue;
        if (target == t->current && target->cmd)
            tracking_pending_add(t, key, key_len);
        else
            tracking_send_key(t, target, key, key_len);
    }
    t->items -= tk->count;
    assert(t->items >= 0);
    tracking_key_release(&tk->node);
    keymap_remove(&t->keys, &tk->node);
}

void tracking_key_modified(struct commands *cs, const char *key, size_t key_len)
{
    struct tracking *t = cs->tracking;
    if (t == NULL)
        return;
    tracking_invalidate(cs, key, key_len, t->current ? t->current->conn.id : 0, true);
}

void tracking_invalidate_key(struct commands *cs, const char *key, size_t key_len)
{
    tracking_invalidate(cs, key, key_len, 0, true);
}

void tracking_flushed(struct commands *cs)
{
    struct tracking *t = cs->tracking;
    if (t == NULL)
        return;
    for (struct client *c = client_first(cs); c && cs->tracking_clients; c = client_next(c)) {
        if (!(c->flags & CLIENT_TRACKING) || (c->conn.flags & CONN_CLOSING))
            continue;
        if (c == t->current)
            tracking_pending_add(t, NULL, 0);
        else
            tracking_send_flush(t, c);
    }
    keymap_clear(&t->keys, tracking_key_release);
    t->items = 0;
}

/* Evicts random keys, invalidating them, until the table is back under
 * tracking-table-max-keys, with an effort that grows each round it
 * fails. */
static void tracking_limit(struct commands *cs)
{
    struct tracking *t = cs->tracking;
    uint64_t max = (uint64_t)cs->config->tracking_table_max_keys;
    if (max == 0)
        return;
    if (keymap_size(&t->keys) <= max) {
        t->limit_rounds = 0;
        return;
    }
    struct buf key = {0};
    for (long long effort = TRACKING_LIMIT_EFFORT_STEP * ((long long)t->limit_rounds + 1);
         effort > 0; effort--) {
        struct keymap_node *node = keymap_random(&t->keys, random64_next);
        if (node == NULL)
            break;
        /* A copy: the node goes with the key. "" is a key too, and a
         * valid pointer. */
        key.len = 0;
        buf_append(&key, node->key, node->key_len);
        tracking_invalidate(cs, key.data ? key.data : "", key.len, 0, false);
        if (keymap_size(&t->keys) <= max) {
            t->limit_rounds = 0;
            buf_free(&key);
            return;
        }
    }
    buf_free(&key);
    t->limit_rounds++;
}

/* ---- BCAST delivery ---- */

static int tracking_node_cmp(const void *a, const void *b)
{
    const struct keymap_node *x = *(const struct keymap_node *const *)a;
    const struct keymap_node *y = *(const struct keymap_node *const *)b;
    return tracking_bytes_cmp(x->key, x->key_len, y->key, y->key_len);
}

/* Builds the array of keys (sorted) into out, leaving out those whose
 * last modifier is skip_id (0: none). Returns how many went in. */
static long long tracking_bcast_build(struct tracking_bcast_key **keys, long long count,
                                      uint64_t skip_id, struct buf *out)
{
    long long n = 0;
    for (long long i = 0; i < count; i++)
        n += !(skip_id && keys[i]->modifier_id == skip_id);
    char head[48];
    int len = snprintf(head, sizeof(head), "*%lld\r\n", n);
    buf_append(out, head, (size_t)len);
    for (long long i = 0; i < count; i++) {
        if (skip_id && keys[i]->modifier_id == skip_id)
            continue;
        len = snprintf(head, sizeof(head), "$%zu\r\n", keys[i]->node.key_len);
        buf_append(out, head, (size_t)len);
        buf_append(out, keys[i]->node.key, keys[i]->node.key_len);
        buf_append(out, "\r\n", 2);
    }
    return n;
}

static void tracking_broadcast_prefix(struct tracking *t, struct tracking_prefix *p)
{
    long long count = (long long)keymap_size(&p->keys);
    struct tracking_bcast_key **keys = alloc_bytes((size_t)count * sizeof(*keys));
    long long n = 0;
    struct keymap_iter it;
    keymap_iter_init(&it, &p->keys);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));)
        keys[n++] = (struct tracking_bcast_key *)node;
    keymap_iter_done(&it);
    assert(n == count);
    qsort(keys, (size_t)count, sizeof(*keys), tracking_node_cmp);
    struct buf common = {0}, own = {0};
    tracking_bcast_build(keys, count, 0, &common);
    for (int i = 0; i < p->client_count; i++) {
        struct client *c = p->clients[i];
        if (!(c->flags & CLIENT_TRACKING_NOLOOP)) {
            tracking_send_raw(t, c, common.data, common.len);
            continue;
        }
        own.len = 0;
        if (tracking_bcast_build(keys, count, c->conn.id, &own) > 0)
            tracking_send_raw(t, c, own.data, own.len);
    }
    buf_free(&common);
    buf_free(&own);
    alloc_free(keys);
    keymap_clear(&p->keys, NULL);
}

void tracking_broadcast(struct commands *cs)
{
    struct tracking *t = cs->tracking;
    if (t == NULL || cs->tracking_clients == 0)
        return;
    /* Sending changes no table: the prefixes stay put. */
    for (int i = 0; i < t->prefix_count; i++)
        if (keymap_size(&t->prefixes[i]->keys) > 0)
            tracking_broadcast_prefix(t, t->prefixes[i]);
}

void tracking_cron(struct commands *cs)
{
    if (cs->tracking && cs->tracking_clients)
        tracking_limit(cs);
}

/* ---- dispatch's hooks ---- */

struct client *tracking_before_command(struct client *c)
{
    struct commands *cs = c->commands;
    struct tracking *t = cs->tracking;
    struct client *previous = t->current;
    t->current = c;
    if (cs->tracking_clients)
        tracking_limit(cs);
    return previous;
}

void tracking_after_call(struct client *c, const struct command *cmd, bool outermost)
{
    struct tracking *t = c->commands->tracking;
    /* The keys are the running command's, the choice its connection's
     * (the same client here; Redis distinguishes them for scripts). */
    struct client *owner = t->current;
    if ((cmd->flags & CMD_READONLY) && owner && (owner->flags & CLIENT_TRACKING) &&
        !(owner->flags & CLIENT_TRACKING_BCAST))
        tracking_remember(t, owner, c, cmd);
    if (outermost && t->pending_count > 0)
        tracking_pending_flush(t);
}

/* Whether c's request names a CLIENT subcommand: those keep CLIENT
 * CACHING's choice for the next command, as Redis keeps it after any
 * command whose handler is clientCommand. */
static bool tracking_request_is_client_subcommand(struct client *c)
{
    if (c->argc < 2 || !arg_equals(&c->argv[0], "client"))
        return false;
    struct command *client = command_lookup(c->commands, "client", 6);
    return client && command_lookup_sub(client, c->argv[1].ptr, c->argv[1].len) != NULL;
}

void tracking_after_command(struct client *c, struct client *previous)
{
    struct tracking *t = c->commands->tracking;
    if ((c->flags & CLIENT_TRACKING_CACHING) && !(c->flags & CLIENT_MULTI) &&
        !tracking_request_is_client_subcommand(c))
        c->flags &= ~(unsigned)CLIENT_TRACKING_CACHING;
    /* Nothing is left for c: its outermost call flushed them. */
    assert(t->pending_count == 0 || t->current != c);
    t->current = previous;
}

/* ---- a client's tracking state ---- */

static void tracking_disable(struct client *c)
{
    struct commands *cs = c->commands;
    struct tracking *t = cs->tracking;
    for (int i = 0; i < c->tracking_prefix_count; i++)
        tracking_prefix_leave(t, c->tracking_prefixes[i], c);
    alloc_free(c->tracking_prefixes);
    c->tracking_prefixes = NULL;
    c->tracking_prefix_count = 0;
    c->tracking_prefix_cap = 0;
    if (c->flags & CLIENT_TRACKING) {
        cs->tracking_clients--;
        assert(cs->tracking_clients >= 0);
        c->flags &= ~(unsigned)(CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR |
                                CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                                CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING |
                                CLIENT_TRACKING_NOLOOP);
    }
}

/* Turns tracking on (or changes its options); the checks are done. */
static void tracking_enable(struct client *c, uint64_t redirect, unsigned options,
                            const struct resp_arg *const *prefixes, int prefix_count)
{
    struct commands *cs = c->commands;
    struct tracking *t = tracking_get(c);
    if (!(c->flags & CLIENT_TRACKING))
        cs->tracking_clients++;
    c->flags |= CLIENT_TRACKING;
    c->flags &= ~(unsigned)(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST |
                            CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT |
                            CLIENT_TRACKING_NOLOOP);
    c->tracking_redirect = redirect;
    tracking_know(t, c);
    struct client *target = redirect ? client_by_id(cs, redirect) : NULL;
    if (target)
        tracking_know(t, target);
    if (options & CLIENT_TRACKING_BCAST) {
        c->flags |= CLIENT_TRACKING_BCAST;
        if (prefix_count == 0)
            tracking_prefix_add(t, c, "", 0);
        for (int i = 0; i < prefix_count; i++)
            tracking_prefix_add(t, c, prefixes[i]->ptr, prefixes[i]->len);
    }
    c->flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
}

void tracking_client_reset(struct client *c)
{
    if (c->flags & CLIENT_TRACKING)
        tracking_disable(c);
}

void tracking_client_closed(struct client *c)
{
    struct tracking *t = c->commands->tracking;
    if (t == NULL)
        return;
    tracking_disable(c);
    if (c->flags & CLIENT_TRACKING_KNOWN) {
        uint64_t id = c->conn.id;
        struct keymap_node *k = keymap_find(&t->known, 0, (const char *)&id, sizeof(id));
        assert(k != NULL);
        keymap_remove(&t->known, k);
        c->flags &= ~(unsigned)CLIENT_TRACKING_KNOWN;
    }
    if (t->current == c) {
        /* Nobody is left to send them to. */
        for (int i = 0; i < t->pending_count; i++)
            alloc_free(t->pending[i].key);
        t->pending_count = 0;
        t->current = NULL;
    }
}

/* ---- CLIENT TRACKING ---- */

/* Whether one of two prefixes starts the other: a key could match both. */
static bool tracking_prefixes_overlap(const char *a, size_t a_len, const char *b, size_t b_len)
{
    return memcmp(a, b, a_len < b_len ? a_len : b_len) == 0;
}

/* Redis's checkPrefixCollisionsOrReply, quirk included: an overlap among
 * the given prefixes found past the first one is reported, yet tracking is
 * still turned on and +OK follows (redis-server 7.0.15 sends both). Returns
 * false when the command must stop. Prefixes print up to a NUL, as %s. */
static bool tracking_check_prefixes(struct client *c, const struct resp_arg *const *prefixes,
                                    int count)
{
    for (int i = 0; i < count; i++) {
        const struct resp_arg *p = prefixes[i];
        for (int e = 0; e < c->tracking_prefix_count; e++) {
            const struct tracking_prefix *mine = c->tracking_prefixes[e];
            if (tracking_prefixes_overlap(mine->bytes, mine->len, p->ptr, p->len)) {
                reply_errorf(c,
                             "Prefix '%.*s' overlaps with an existing prefix '%.*s'. Prefixes "
                             "for a single client must not overlap.",
                             (int)strnlen(p->ptr, p->len), p->ptr,
                             (int)strnlen(mine->bytes, mine->len), mine->bytes);
                return false;
            }
        }
        for (int j = i + 1; j < count; j++) {
            const struct resp_arg *q = prefixes[j];
            if (tracking_prefixes_overlap(p->ptr, p->len, q->ptr, q->len)) {
                reply_errorf(c,
                             "Prefix '%.*s' overlaps with another provided prefix '%.*s'. "
                             "Prefixes for a single client must not overlap.",
                             (int)strnlen(p->ptr, p->len), p->ptr, (int)strnlen(q->ptr, q->len),
                             q->ptr);
                return i > 0;
            }
        }
    }
    return true;
}

/* The checks of CLIENT TRACKING ON, in Redis's order. */
static bool tracking_on_allowed(struct client *c, unsigned options, int prefix_count)
{
    if (!(options & CLIENT_TRACKING_BCAST) && prefix_count > 0) {
        reply_error(c, "PREFIX option requires BCAST mode to be enabled");
        return false;
    }
    if ((c->flags & CLIENT_TRACKING) &&
        !(c->flags & CLIENT_TRACKING_BCAST) != !(options & CLIENT_TRACKING_BCAST)) {
        reply_error(c, "You can't switch BCAST mode on/off before disabling tracking for this "
                       "client, and then re-enabling it with a different mode.");
        return false;
    }
    if ((options & CLIENT_TRACKING_BCAST) &&
        (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT))) {
        reply_error(c, "OPTIN and OPTOUT are not compatible with BCAST");
        return false;
    }
    if ((options & CLIENT_TRACKING_OPTIN) && (options & CLIENT_TRACKING_OPTOUT)) {
        reply_error(c, "You can't specify both OPTIN mode and OPTOUT mode");
        return false;
    }
    if (((options & CLIENT_TRACKING_OPTIN) && (c->flags & CLIENT_TRACKING_OPTOUT)) ||
        ((options & CLIENT_TRACKING_OPTOUT) && (c->flags & CLIENT_TRACKING_OPTIN))) {
        reply_error(c, "You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                       "client, and then re-enabling it with a different mode.");
        return false;
    }
    return true;
}

/* Parses the options after ON|OFF; replies and returns false on error.
 * REDIRECT's client must exist now (it may go later). */
static bool tracking_parse(struct client *c, long long *redirect, unsigned *options,
                           const struct resp_arg **prefixes, int *prefix_count)
{
    for (int j = 3; j < c->argc; j++) {
        bool more = j + 1 < c->argc;
        const struct resp_arg *a = &c->argv[j];
        if (arg_equals(a, "redirect") && more) {
            j++;
            if (*redirect != 0) {
                reply_error(c, "A client can only redirect to a single other client");
                return false;
            }
            if (!arg_get_ll(c, j, redirect, NULL))
                return false;
            if (client_by_id(c->commands, (uint64_t)*redirect) == NULL) {
                reply_error(c, "The client ID you want redirect to does not exist");
                return false;
            }
        } else if (arg_equals(a, "bcast")) {
            *options |= CLIENT_TRACKING_BCAST;
        } else if (arg_equals(a, "optin")) {
            *options |= CLIENT_TRACKING_OPTIN;
        } else if (arg_equals(a, "optout")) {
            *options |= CLIENT_TRACKING_OPTOUT;
        } else if (arg_equals(a, "noloop")) {
            *options |= CLIENT_TRACKING_NOLOOP;
        } else if (arg_equals(a, "prefix") && more) {
            prefixes[(*prefix_count)++] = &c->argv[++j];
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

void tracking_command(struct client *c)
{
    long long redirect = 0;
    unsigned options = 0;
    int prefix_count = 0;
    const struct resp_arg **prefixes = alloc_bytes((size_t)c->argc * sizeof(*prefixes));
    if (!tracking_parse(c, &redirect, &options, prefixes, &prefix_count))
        goto done;
    if (arg_equals(&c->argv[2], "on")) {
        if (!tracking_on_allowed(c, options, prefix_count))
            goto done;
        if ((options & CLIENT_TRACKING_BCAST) && !tracking_check_prefixes(c, prefixes, prefix_count))
            goto done;
        tracking_enable(c, (uint64_t)redirect, options, prefixes, prefix_count);
    } else if (arg_equals(&c->argv[2], "off")) {
        if (c->flags & CLIENT_TRACKING)
            tracking_disable(c);
    } else {
        reply_error_syntax(c);
        goto done;
    }
    reply_ok(c);
done:
    alloc_free(prefixes);
}

void tracking_caching_command(struct client *c)
{
    if (!(c->flags & CLIENT_TRACKING)) {
        reply_error(c, "CLIENT CACHING can be called only when the client is in tracking mode "
                       "with OPTIN or OPTOUT mode enabled");
        return;
    }
    if (arg_equals(&c->argv[2], "yes")) {
        if (!(c->flags & CLIENT_TRACKING_OPTIN)) {
            reply_error(c, "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN "
                           "mode.");
            return;
        }
    } else if (arg_equals(&c->argv[2], "no")) {
        if (!(c->flags & CLIENT_TRACKING_OPTOUT)) {
            reply_error(c, "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
                           "mode.");
            return;
        }
    } else {
        reply_error_syntax(c);
        return;
    }
    c->flags |= CLIENT_TRACKING_CACHING;
    reply_ok(c);
}

void tracking_getredir_command(struct client *c)
{
    reply_integer(c, (c->flags & CLIENT_TRACKING) ? (long long)c->tracking_redirect : -1);
}

void tracking_trackinginfo_command(struct client *c)
{
    static const struct {
        unsigned flag, needs;
        const char *name;
    } flags[] = {
        {CLIENT_TRACKING_BCAST, 0, "bcast"},
        {CLIENT_TRACKING_OPTIN, 0, "optin"},
        {CLIENT_TRACKING_OPTIN, CLIENT_TRACKING_CACHING, "caching-yes"},
        {CLIENT_TRACKING_OPTOUT, 0, "optout"},
        {CLIENT_TRACKING_OPTOUT, CLIENT_TRACKING_CACHING, "caching-no"},
        {CLIENT_TRACKING_NOLOOP, 0, "noloop"},
        {CLIENT_TRACKING_BROKEN_REDIR, 0, "broken_redirect"},
    };
    size_t n = sizeof(flags) / sizeof(flags[0]);
    long long count = 1;
    for (size_t i = 0; i < n; i++)
        count += (c->flags & flags[i].flag) && (c->flags & flags[i].needs) == flags[i].needs;
    reply_map_len(c, 3);
    reply_bulk_cstr(c, "flags");
    reply_set_len(c, count);
    reply_bulk_cstr(c, (c->flags & CLIENT_TRACKING) ? "on" : "off");
    for (size_t i = 0; i < n; i++)
        if ((c->flags & flags[i].flag) && (c->flags & flags[i].needs) == flags[i].needs)
            reply_bulk_cstr(c, flags[i].name);
    reply_bulk_cstr(c, "redirect");
    tracking_getredir_command(c);
    reply_bulk_cstr(c, "prefixes");
    reply_array_len(c, c->tracking_prefix_count);
    for (int i = 0; i < c->tracking_prefix_count; i++)
        reply_bulk(c, c->tracking_prefixes[i]->bytes, c->tracking_prefixes[i]->len);
}

/* ---- INFO and the end ---- */

void tracking_stats(const struct commands *cs, struct tracking_stats *out)
{
    const struct tracking *t = cs->tracking;
    out->clients = cs->tracking_clients;
    out->keys = t ? (long long)keymap_size(&t->keys) : 0;
    out->items = t ? t->items : 0;
    out->prefixes = t ? t->prefix_count : 0;
}

void tracking_free(struct commands *cs)
{
    struct tracking *t = cs->tracking;
    if (t == NULL)
        return;
    keymap_clear(&t->keys, tracking_key_release);
    keymap_clear(&t->known, NULL);
    for (int i = 0; i < t->prefix_count; i++)
        tracking_prefix_free(t->prefixes[i]);
    alloc_free(t->prefixes);
    for (int i = 0; i < t->pending_count; i++)
        alloc_free(t->pending[i].key);
    alloc_free(t->pending);
    alloc_free(t);
    cs->tracking = NULL;
}
