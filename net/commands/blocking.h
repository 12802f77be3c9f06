/* blocking.h: the blocking commands' waits (BLPOP, BZPOPMIN, BLMOVE...).
 *
 * A blocked client sits in the FIFO of each key it waits on, in a (db,
 * key) map (net/commands/keymap.h). A write to such a key marks it ready;
 * after the command that wrote it, the clients waiting on it are served in
 * order by running their command again on the ready key. */
#ifndef RINGKV_NET_COMMANDS_BLOCKING_H
#define RINGKV_NET_COMMANDS_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/commands/client.h"

struct client;
struct command;
struct commands;
struct db;

/* The blocking state of cs: set up and freed with the layer (dispatch.c). */
void blocking_init(struct commands *cs);
void blocking_free(struct commands *cs);
/* Parses the timeout (seconds, a float) at argv[i] into an absolute
 * deadline in ms (0: forever); replies Redis 7.0's error and returns false
 * when it is invalid. */
bool blocking_parse_timeout(struct client *c, int i, int64_t *deadline_ms);
/* During a wake-up, whether the key at argv[i] is not the ready one and
 * must be skipped by the handler's scan of its keys. */
bool blocking_skip_key(struct client *c, int i);
/* Blocks c on the keys argv[first .. first+count-1] of its current
 * command, which is copied. During a wake-up it only notes that c stays
 * blocked. Sends no reply. */
void blocking_block(struct client *c, enum blocked_kind kind, int first, int count,
                    int64_t deadline_ms);
/* Blocks c in its current command on no key (WAITAOF): it leaves on its
 * timeout (blocking_unblock) or when its owner served it
 * (blocking_unblock_served). Sends no reply. */
void blocking_block_keyless(struct client *c, enum blocked_kind kind, int64_t deadline_ms);
/* A keyless wait was served: its owner replied; the command ends (stats,
 * slow log) and c runs its pipelined commands again. */
void blocking_unblock_served(struct client *c);
/* How blocking_unblock answers the client it unblocks without serving it. */
enum blocking_unblock_reply {
    BLOCKING_REPLY_NONE = 0, /* none: the client disconnects */
    BLOCKING_REPLY_TIMEOUT,  /* the timeout reply (a null array; WAITAOF: its counts) */
    BLOCKING_REPLY_ERROR,    /* CLIENT UNBLOCK ... ERROR: -UNBLOCKED */
};
void blocking_unblock(struct client *c, enum blocking_unblock_reply reply);
/* CLIENT UNBLOCK's form of blocking_unblock (c must be blocked): also
 * counts a failed call and makes the slow log entry Redis 7.0 makes. A
 * timeout or a disconnection makes no entry. */
void blocking_unblock_by_request(struct client *c, enum blocking_unblock_reply reply);
/* A key changed (key NULL: the whole of db may change): clients blocked
 * on it get a chance to be served after the current command. */
void blocking_key_touched(struct commands *cs, struct db *db, const char *key, size_t key_len);
/* Serves the clients blocked on keys that changed (after each top-level
 * command, so after EXEC and never inside a transaction). */
void blocking_serve_ready(struct commands *cs);
/* Replies to and unblocks the clients whose timeout passed (the tick). */
void blocking_expire_timeouts(struct commands *cs);

#endif
