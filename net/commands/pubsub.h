/* pubsub.h: Pub/Sub state and delivery: which clients listen on which
 * channels, patterns and shard channels, and the messages PUBLISH and
 * SPUBLISH hand them.
 *
 * The server-wide maps live in `struct pubsub` (commands.h points to it);
 * each client keeps the list of its own subscriptions (struct
 * pubsub_subscriptions in client.h), so a client leaving (RESET, close)
 * unsubscribes in time proportional to its own subscriptions. The commands
 * themselves are cmd_pubsub.c's. */
#ifndef RINGKV_NET_COMMANDS_PUBSUB_H
#define RINGKV_NET_COMMANDS_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct command;
struct commands;

/* The three namespaces. Redis 7.0 keeps shard channels apart from plain
 * ones even without cluster mode: PUBLISH never reaches an SSUBSCRIBE. */
enum pubsub_kind {
    PUBSUB_CHANNEL = 0,
    PUBSUB_PATTERN = 1,
    PUBSUB_SHARD = 2,
    PUBSUB_KINDS = 3,
};

void pubsub_init(struct commands *cs);
void pubsub_free(struct commands *cs);

/* Subscribes c to name (borrowed for the call) and replies with the
 * confirmation ("subscribe", "psubscribe" or "ssubscribe", name, count). */
void pubsub_subscribe(struct client *c, enum pubsub_kind kind, const char *name, size_t len);
/* Unsubscribes c from name and replies with the confirmation, whether or
 * not c was subscribed. */
void pubsub_unsubscribe(struct client *c, enum pubsub_kind kind, const char *name, size_t len);
/* Unsubscribes c from every name of kind. notify: reply one confirmation
 * per name, or a single one with a null name when there was none
 * (UNSUBSCRIBE without arguments); false for RESET and closing. */
void pubsub_unsubscribe_all(struct client *c, enum pubsub_kind kind, bool notify);
/* Drops every subscription of c silently (RESET, the connection closed). */
void pubsub_client_reset(struct client *c);

/* Delivers message to the subscribers of channel (PUBSUB_CHANNEL: the
 * channel's and every matching pattern's; PUBSUB_SHARD: the shard
 * channel's). Returns the number of messages delivered. */
long long pubsub_publish(struct commands *cs, enum pubsub_kind kind, const char *channel,
                         size_t channel_len, const char *message, size_t message_len);

/* c's subscriptions of one kind. */
int pubsub_client_count(const struct client *c, enum pubsub_kind kind);
/* Whether pred holds for every name c subscribes to of kind (ACL: may the
 * client keep them after its user's channels changed). */
bool pubsub_client_all(const struct client *c, enum pubsub_kind kind,
                       bool (*pred)(const char *name, size_t len, void *ctx), void *ctx);
/* Whether c is in Pub/Sub mode: any subscription of any kind. */
bool pubsub_client_subscribed(const struct client *c);
/* Whether cmd may run in RESP2 Pub/Sub mode ((P|S)SUBSCRIBE,
 * (P|S)UNSUBSCRIBE, PING, QUIT, RESET). */
bool pubsub_allowed_when_subscribed(const struct command *cmd);

/* Names with at least one subscriber, of one kind (INFO pubsub_channels,
 * pubsub_patterns, pubsubshard_channels; PUBSUB NUMPAT). */
long long pubsub_names(const struct commands *cs, enum pubsub_kind kind);
/* Subscribers of one name (PUBSUB NUMSUB / SHARDNUMSUB). */
long long pubsub_subscribers(const struct commands *cs, enum pubsub_kind kind, const char *name,
                             size_t len);
/* Calls fn on every name of kind with a subscriber (PUBSUB CHANNELS). */
void pubsub_each_name(struct commands *cs, enum pubsub_kind kind,
                      void (*fn)(const char *name, size_t len, void *ctx), void *ctx);

#endif
