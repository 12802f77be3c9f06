/* notify.h: telling the layer that keys changed.
 *
 * Every handler that changes the keyspace calls notify_key_modified once
 * per key, after the change: the save counter (dirty), WATCH, the
 * clients blocked on the key and client-side caching (tracking.h) learn
 * of it here. (Keyspace notifications,
 * when they come, start here too.) */
#ifndef RINGKV_NET_COMMANDS_NOTIFY_H
#define RINGKV_NET_COMMANDS_NOTIFY_H

#include <stddef.h>

struct commands;
struct db;

/* key changed in db. A NULL key means the whole database is about to change
 * (FLUSHDB, FLUSHALL, SWAPDB): call it before the change; WATCH then
 * compares each watched key before and after the command, as Redis 7.0
 * does (see transaction_db_changing). */
void notify_key_modified(struct commands *cs, struct db *db, const char *key, size_t key_len);

#endif
