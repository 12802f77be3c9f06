/* pubsub.c: Pub/Sub subscriptions and message delivery.
 *
 * Owns the server-wide maps from each channel, pattern and shard channel
 * to its subscribers (one keymap per kind, a node per name with at least
 * one subscriber, holding the clients in subscription order), and each
 * client's list of its own nodes (client.h's struct pubsub_subscriptions).
 * The commands' argument handling and the PUBSUB introspection replies are
 * cmd_pubsub.c's.
 *
 * A message for another client is written into that client's output as
 * the blocking pops do: it was not asked for by a command of its own, so
 * under appendfsync always it leaves with the round's token (dirty_keys.h),
 * after everything logged before it.
 *
 * Invariant: a client is in a node's list exactly when the node is in the
 * client's list of that kind, and a node exists only while its list is not
 * empty. */
#include "net/commands/pubsub.h"

#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/number.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keymap.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/wire/buf.h"
#include "net/wire/conn.h"

static_assert(CLIENT_PUBSUB_KINDS == PUBSUB_KINDS, "client.h sizes its lists by pubsub kind");

struct pubsub_name {
    struct keymap_node node;  /* first: the map's; node.key is the name */
    struct client **clients;  /* owned array of borrowed clients, oldest first */
    int count;
    int cap;
};

struct pubsub {
    struct keymap maps[PUBSUB_KINDS]; /* struct pubsub_name, owned */
};

static const char *const pubsub_subscribe_names[PUBSUB_KINDS] = {"subscribe", "psubscribe",
                                                                  "ssubscribe"};
static const char *const pubsub_unsubscribe_names[PUBSUB_KINDS] = {"unsubscribe", "punsubscribe",
                                                                    "sunsubscribe"};

void pubsub_init(struct commands *cs)
{
    struct pubsub *ps = alloc_zeroed(sizeof(*ps));
    for (int k = 0; k < PUBSUB_KINDS; k++)
        keymap_init(&ps->maps[k]);
    cs->pubsub = ps;
}

static void pubsub_name_release(struct keymap_node *node)
{
    alloc_free(((struct pubsub_name *)node)->clients);
}

void pubsub_free(struct commands *cs)
{
    if (!cs->pubsub)
        return;
    for (int k = 0; k < PUBSUB_KINDS; k++)
        keymap_clear(&cs->pubsub->maps[k], pubsub_name_release);
    alloc_free(cs->pubsub);
    cs->pubsub = NULL;
}

/* ---- replies ---- */

/* An array header in RESP2, a push header in RESP3 (n is 2 to 4). */
static void pubsub_push_header(struct client *c, int n)
{
    assert(n >= 0 && n <= 9);
    char head[4] = {c->resp == 3 ? '>' : '*', (char)('0' + n), '\r', '\n'};
    reply_raw(c, head, sizeof(head));
}

/* The count a confirmation carries: shard channels are counted apart,
 * channels and patterns together, as Redis 7.0 does. */
static int pubsub_confirm_count(const struct client *c, enum pubsub_kind kind)
{
    if (kind == PUBSUB_SHARD)
        return c->pubsub[PUBSUB_SHARD].count;
    return c->pubsub[PUBSUB_CHANNEL].count + c->pubsub[PUBSUB_PATTERN].count;
}

/* Pub/Sub's own replies (confirmations, messages) reach a client even
 * under CLIENT REPLY OFF or SKIP, as in Redis 7.0.15: written between
 * client_push_begin and client_push_end. */
static void pubsub_confirm(struct client *c, const char *what, enum pubsub_kind kind,
                           const char *name, size_t len)
{
    bool muted = client_push_begin(c);
    pubsub_push_header(c, 3);
    reply_bulk_cstr(c, what);
    if (name)
        reply_bulk(c, name, len);
    else
        reply_null(c);
    reply_integer(c, pubsub_confirm_count(c, kind));
    client_push_end(c, muted);
}

/* A subscribed client's output buffer limit is the pubsub class's. */
static void pubsub_update_limit_class(struct client *c)
{
    if (c->conn.fd < 0 || !c->conn.out_limit)
        return;
    int class = pubsub_client_subscribed(c) ? CONFIG_CLIENT_PUBSUB : CONFIG_CLIENT_NORMAL;
    c->conn.out_limit = &c->commands->config->client_output_buffer_limit[class];
}

/* ---- subscribing ---- */

static void pubsub_list_push(struct pubsub_subscriptions *l, struct pubsub_name *n)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->names = alloc_resize(l->names, (size_t)l->cap * sizeof(*l->names));
    }
    l->names[l->count++] = n;
}

static int pubsub_list_find(const struct pubsub_subscriptions *l, const char *name, size_t len)
{
    for (int i = 0; i < l->count; i++) {
        const struct keymap_node *node = &l->names[i]->node;
        if (node->key_len == len && memcmp(node->key, name, len) == 0)
            return i;
    }
    return -1;
}

void pubsub_subscribe(struct client *c, enum pubsub_kind kind, const char *name, size_t len)
{
    struct pubsub_subscriptions *mine = &c->pubsub[kind];
    if (pubsub_list_find(mine, name, len) < 0) {
        struct keymap *map = &c->commands->pubsub->maps[kind];
        struct pubsub_name *n = (struct pubsub_name *)keymap_find(map, 0, name, len);
        if (!n)
            n = (struct pubsub_name *)keymap_add(map, 0, name, len, sizeof(*n));
        if (n->count == n->cap) {
            n->cap = n->cap ? n->cap * 2 : 4;
            n->clients = alloc_resize(n->clients, (size_t)n->cap * sizeof(*n->clients));
        }
        n->clients[n->count++] = c;
        pubsub_list_push(mine, n);
        pubsub_update_limit_class(c);
    }
    pubsub_confirm(c, pubsub_subscribe_names[kind], kind, name, len);
}

/* Removes the i-th entry of c's list of kind, and c from that node. */
static void pubsub_drop(struct client *c, enum pubsub_kind kind, int i)
{
    struct pubsub_subscriptions *mine = &c->pubsub[kind];
    assert(i >= 0 && i < mine->count);
    struct pubsub_name *n = mine->names[i];
    memmove(&mine->names[i], &mine->names[i + 1], (size_t)(mine->count - i - 1) * sizeof(*mine->names));
    mine->count--;
    int j = 0;
    while (j < n->count && n->clients[j] != c)
        j++;
    assert(j < n->count);
    memmove(&n->clients[j], &n->clients[j + 1], (size_t)(n->count - j - 1) * sizeof(*n->clients));
    n->count--;
    if (n->count == 0) {
        alloc_free(n->clients);
        keymap_remove(&c->commands->pubsub->maps[kind], &n->node);
    }
    pubsub_update_limit_class(c);
}

void pubsub_unsubscribe(struct client *c, enum pubsub_kind kind, const char *name, size_t len)
{
    int i = pubsub_list_find(&c->pubsub[kind], name, len);
    if (i >= 0)
        pubsub_drop(c, kind, i);
    pubsub_confirm(c, pubsub_unsubscribe_names[kind], kind, name, len);
}

void pubsub_unsubscribe_all(struct client *c, enum pubsub_kind kind, bool notify)
{
    struct pubsub_subscriptions *mine = &c->pubsub[kind];
    if (notify && mine->count == 0)
        pubsub_confirm(c, pubsub_unsubscribe_names[kind], kind, NULL, 0);
    /* Newest first; the confirmation names the channel, so its bytes are
     * copied before the node may go. */
    while (mine->count > 0) {
        int i = mine->count - 1;
        struct pubsub_name *n = mine->names[i];
        size_t len = n->node.key_len;
        char small[256];
        char *name = len <= sizeof(small) ? small : alloc_bytes(len);
        memcpy(name, n->node.key, len);
        pubsub_drop(c, kind, i);
        if (notify)
            pubsub_confirm(c, pubsub_unsubscribe_names[kind], kind, name, len);
        if (name != small)
            alloc_free(name);
    }
    if (!mine->names)
        return;
    alloc_free(mine->names);
    mine->names = NULL;
    mine->cap = 0;
}

void pubsub_client_reset(struct client *c)
{
    for (int k = 0; k < PUBSUB_KINDS; k++)
        pubsub_unsubscribe_all(c, (enum pubsub_kind)k, false);
}

/* ---- delivery ---- */

static bool pubsub_can_receive(const struct client *c)
{
    return !(c->conn.flags & CONN_CLOSING);
}

/* Appends the bulk string "$<len>\r\n<bytes>\r\n" to b. */
static void pubsub_append_bulk(struct buf *b, const char *p, size_t len)
{
    char head[32];
    head[0] = '$';
    size_t n = 1 + number_format_ll(head + 1, (long long)len);
    head[n++] = '\r';
    head[n++] = '\n';
    buf_append(b, head, n);
    buf_append(b, p, len);
    buf_append(b, "\r\n", 2);
}

/* A message is formatted once per PUBLISH (once per matching pattern) and
 * written whole to every receiver: a fan-out to many subscribers is then
 * one copy each. Its first byte is the array header's type, set for each
 * receiver: '*' in RESP2, '>' (a push) in RESP3. */
static void pubsub_message_begin(struct buf *b, int parts, const char *kind)
{
    b->len = 0;
    char head[4] = {'*', (char)('0' + parts), '\r', '\n'};
    buf_append(b, head, sizeof(head));
    pubsub_append_bulk(b, kind, strlen(kind));
}

static void pubsub_deliver(struct client *c, struct buf *msg)
{
    bool muted = client_push_begin(c);
    msg->data[0] = c->resp == 3 ? '>' : '*';
    reply_raw(c, msg->data, msg->len);
    client_push_end(c, muted);
}

long long pubsub_publish(struct commands *cs, enum pubsub_kind kind, const char *channel,
                         size_t channel_len, const char *message, size_t message_len)
{
    assert(kind != PUBSUB_PATTERN);
    long long receivers = 0;
    struct buf msg = {0};
    struct pubsub_name *n =
        (struct pubsub_name *)keymap_find(&cs->pubsub->maps[kind], 0, channel, channel_len);
    if (n && n->count) {
        pubsub_message_begin(&msg, 3, kind == PUBSUB_SHARD ? "smessage" : "message");
        pubsub_append_bulk(&msg, channel, channel_len);
        pubsub_append_bulk(&msg, message, message_len);
    }
    for (int i = 0; n && i < n->count; i++) {
        struct client *c = n->clients[i];
        if (!pubsub_can_receive(c))
            continue;
        pubsub_deliver(c, &msg);
        receivers++;
    }
    if (kind == PUBSUB_SHARD || keymap_size(&cs->pubsub->maps[PUBSUB_PATTERN]) == 0) {
        buf_free(&msg);
        return receivers;
    }
    struct keymap_iter it;
    keymap_iter_init(&it, &cs->pubsub->maps[PUBSUB_PATTERN]);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));) {
        struct pubsub_name *p = (struct pubsub_name *)node;
        if (p->count == 0 || !glob_match(node->key, node->key_len, channel, channel_len, false))
            continue;
        pubsub_message_begin(&msg, 4, "pmessage");
        pubsub_append_bulk(&msg, node->key, node->key_len);
        pubsub_append_bulk(&msg, channel, channel_len);
        pubsub_append_bulk(&msg, message, message_len);
        for (int i = 0; i < p->count; i++) {
            struct client *c = p->clients[i];
            if (!pubsub_can_receive(c))
                continue;
            pubsub_deliver(c, &msg);
            receivers++;
        }
    }
    keymap_iter_done(&it);
    buf_free(&msg);
    return receivers;
}

/* ---- queries ---- */

int pubsub_client_count(const struct client *c, enum pubsub_kind kind)
{
    return c->pubsub[kind].count;
}

bool pubsub_client_all(const struct client *c, enum pubsub_kind kind,
                       bool (*pred)(const char *name, size_t len, void *ctx), void *ctx)
{
    const struct pubsub_subscriptions *subs = &c->pubsub[kind];
    for (int i = 0; i < subs->count; i++)
        if (!pred(subs->names[i]->node.key, subs->names[i]->node.key_len, ctx))
            return false;
    return true;
}

bool pubsub_client_subscribed(const struct client *c)
{
    for (int k = 0; k < PUBSUB_KINDS; k++)
        if (c->pubsub[k].count > 0)
            return true;
    return false;
}

bool pubsub_allowed_when_subscribed(const struct command *cmd)
{
    static const char *const names[] = {"subscribe", "psubscribe", "ssubscribe", "unsubscribe",
                                        "punsubscribe", "sunsubscribe", "ping", "quit", "reset"};
    return command_is_one_of(cmd, names, sizeof(names) / sizeof(names[0]));
}

long long pubsub_names(const struct commands *cs, enum pubsub_kind kind)
{
    return cs->pubsub ? (long long)keymap_size(&cs->pubsub->maps[kind]) : 0;
}

long long pubsub_subscribers(const struct commands *cs, enum pubsub_kind kind, const char *name,
                             size_t len)
{
    const struct pubsub_name *n =
        (const struct pubsub_name *)keymap_find(&cs->pubsub->maps[kind], 0, name, len);
    return n ? n->count : 0;
}

void pubsub_each_name(struct commands *cs, enum pubsub_kind kind,
                      void (*fn)(const char *name, size_t len, void *ctx), void *ctx)
{
    struct keymap_iter it;
    keymap_iter_init(&it, &cs->pubsub->maps[kind]);
    for (struct keymap_node *node; (node = keymap_iter_next(&it));)
        fn(node->key, node->key_len, ctx);
    keymap_iter_done(&it);
}
