/* typed_key.h: a command's key argument that must hold one type of value.
 *
 * Every type family (lists, sets, sorted sets, hashes, strings) starts its
 * commands the same way: look the key up, reply WRONGTYPE if it holds
 * another type, go on with the value or with a missing key. The collection
 * families also end the same way: a key whose collection a command emptied
 * is deleted, as Redis never keeps an empty list, set, zset or hash, and a
 * STORE command's empty result deletes its destination. These steps live
 * here, once. */
#ifndef RINGKV_NET_COMMANDS_TYPED_KEY_H
#define RINGKV_NET_COMMANDS_TYPED_KEY_H

#include <stdbool.h>

#include "engine/kv.h"
#include "net/wire/resp.h"

struct client;

/* Looks up the key at c->argv[i] with db_lookup's flags (DB_LOOKUP_READ or
 * DB_LOOKUP_WRITE, ...). Returns false after replying WRONGTYPE when the key
 * holds a value of another type than `type`. Otherwise returns true with
 * *out the kv, or NULL when the key is missing; the kv is borrowed: owned by
 * the database and valid until the next change to it. */
bool typed_key_lookup(struct client *c, int i, int flags, enum kv_type type, struct kv **out);

/* Deletes kv's key from c's database when its collection (a list, set,
 * zset or hash) holds no element. Returns whether it deleted it, after
 * which kv is freed and must not be used. Reports nothing: the caller
 * reports its change through commands_key_modified as it always does. */
bool typed_key_delete_if_empty(struct client *c, struct kv *kv);

/* A STORE command's end (SINTERSTORE, ZUNIONSTORE, ZRANGESTORE...): stores
 * result, a detached collection kv keyed by the destination dst, in place
 * of whatever dst held (its TTL goes), or deletes dst when result is empty;
 * reports the change (the keyspace event `event` of class `type`, or "del"
 * for a deleted dst) and replies the number of elements stored. Takes
 * ownership of result; dst and event are borrowed. */
void typed_key_store_result(struct client *c, const struct resp_arg *dst, struct kv *result,
                            int type, const char *event);

#endif
