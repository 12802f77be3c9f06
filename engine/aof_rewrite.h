/* aof_rewrite.h: a whole keyspace as a RESP-format AOF BASE file.
 *
 * This is what Redis 7.0 writes into appendonly.aof.<n>.base.aof when
 * aof-use-rdb-preamble is no: an optional "#TS:<unix s>" annotation, then,
 * for each non-empty database in order, SELECT <db> followed by one
 * reconstruction per key: SET for strings, RPUSH / SADD / ZADD / HMSET
 * batches of at most AOF_REWRITE_ITEMS_PER_CMD items for collections, and
 * PEXPIREAT when the key has a TTL. Command names are upper case, as Redis
 * writes them, after FUNCTION LOAD <code> for each function library (the
 * list the caller gives). (Redis also writes XADD and friends for
 * streams; ringkv has none.)
 *
 * Bytes leave through a write callback with the same contract as
 * engine/rdb.h's rdb_write_fn (rdb_buffer_write and the net/ RDB writers
 * fit), gathered into chunks of about AOF_REWRITE_FLUSH_BYTES; values
 * larger than a chunk go straight to the callback, so memory stays bounded
 * however big a key is. The first error from the callback stops the walk
 * and is returned. The keyspace must not change during the call (it runs
 * in a fork child). */
#ifndef RINGKV_ENGINE_AOF_REWRITE_H
#define RINGKV_ENGINE_AOF_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/db.h"
#include "engine/library_codes.h"

/* Items per reconstructed command, Redis's AOF_REWRITE_ITEMS_PER_CMD: an
 * item is a list element, a set member, a (score, member) pair or a
 * (field, value) pair. It bounds what a loader must hold for one command. */
#define AOF_REWRITE_ITEMS_PER_CMD 64
/* Bytes gathered before each call to the write callback. */
#define AOF_REWRITE_FLUSH_BYTES (64 * 1024)

/* Writes buf[0..len) in full (short writes are the callback's to finish);
 * returns 0 or -errno. The same shape as rdb_write_fn. */
typedef int (*aof_rewrite_write_fn)(void *ctx, const void *buf, size_t len);

struct aof_rewrite_options {
    bool timestamp;    /* aof-timestamp-enabled: start with "#TS:<now_s>" */
    long long now_s;   /* unix seconds for the annotation */
    /* Redis 7.0.15 writes keys whose TTL has already passed (with their
     * past PEXPIREAT; the loader then drops them), verified by rewriting
     * with active expiry off. Set skip_expired to leave out keys whose
     * expiry is before now_ms instead, as Redis 2.x-3.x did. */
    bool skip_expired;
    int64_t now_ms;
    /* Called after each key, written or skipped, with the keys visited so
     * far across all databases; NULL for none. A fork child reports its
     * progress from it (and sleeps there for rdb-key-save-delay). It must
     * not change the keyspace. progress_ctx is borrowed for the call. */
    void (*progress)(void *progress_ctx, uint64_t keys_visited);
    void *progress_ctx;
    /* May be NULL: the function libraries, borrowed for the call. */
    const struct library_codes *functions;
};

/* What a rewrite wrote, for logs and tests. */
struct aof_rewrite_stats {
    uint64_t keys_written;
    uint64_t keys_expired_skipped; /* only with skip_expired */
    uint64_t commands;             /* records written, SELECTs included */
    uint64_t bytes;                /* bytes the callback accepted */
};

/* Writes every key of ks through write(ctx, ...). ks is borrowed and not
 * changed (it is not const only because the dict, hash, list and zset
 * iterators register themselves). stats may be NULL; it is filled also on
 * failure.
 * Returns 0, or the first -errno from write. */
int aof_rewrite_keyspace(struct keyspace *ks, aof_rewrite_write_fn write, void *ctx,
                         const struct aof_rewrite_options *options,
                         struct aof_rewrite_stats *stats);

#endif
