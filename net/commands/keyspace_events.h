/* keyspace_events.h: keyspace notifications (notify-keyspace-events), as
 * Redis 7.0 publishes them.
 *
 * A command that changes a key, a lookup that misses, the expiry or the
 * eviction of a key calls keyspace_event with the event's class and name.
 * When the configured flags select both the class and a channel kind, the
 * event goes out through Pub/Sub (pubsub.h) on
 *   __keyspace@<db>__:<key>    with the event name as the message ('K'),
 *   __keyevent@<db>__:<event>  with the key as the message ('E').
 * With notifications off (the default) keyspace_event returns after one
 * branch, so callers need no check of their own.
 *
 * Each handler calls it beside notify_key_modified (notify.h), with
 * Redis's event names and in Redis's order; the server reports "expired",
 * "keymiss" and "new" from the keyspace's callbacks. */
#ifndef RINGKV_NET_COMMANDS_KEYSPACE_EVENTS_H
#define RINGKV_NET_COMMANDS_KEYSPACE_EVENTS_H

#include <stddef.h>

struct commands;

/* Event classes and channel kinds: Redis 7.0's NOTIFY_* bits, which are
 * also the bits config.c parses notify-keyspace-events into. */
#define NOTIFY_KEYSPACE (1 << 0) /* K: __keyspace@<db>__:<key> */
#define NOTIFY_KEYEVENT (1 << 1) /* E: __keyevent@<db>__:<event> */
#define NOTIFY_GENERIC (1 << 2)  /* g: DEL, EXPIRE, RENAME, ... */
#define NOTIFY_STRING (1 << 3)   /* $ */
#define NOTIFY_LIST (1 << 4)     /* l */
#define NOTIFY_SET (1 << 5)      /* s */
#define NOTIFY_HASH (1 << 6)     /* h */
#define NOTIFY_ZSET (1 << 7)     /* z */
#define NOTIFY_EXPIRED (1 << 8)  /* x */
#define NOTIFY_EVICTED (1 << 9)  /* e */
#define NOTIFY_STREAM (1 << 10)  /* t */
#define NOTIFY_KEY_MISS (1 << 11) /* m: not part of 'A' */
#define NOTIFY_LOADED (1 << 12)  /* modules only; no letter */
#define NOTIFY_MODULE (1 << 13)  /* d */
#define NOTIFY_NEW (1 << 14)     /* n: not part of 'A' */

/* Publishes event (a NUL-terminated name such as "set" or "expired",
 * borrowed) about key (key_len bytes, borrowed) in database db_id, if the
 * configured flags select type (one class bit). */
void keyspace_event(struct commands *cs, int type, const char *event, int db_id, const char *key,
                    size_t key_len);

#endif
