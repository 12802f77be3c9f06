/* db.h: the keyspace: numbered databases of kv entries, with expiry.
 *
 * `struct keyspace` holds every database and the statistics INFO reports;
 * `struct db` is one numbered database: a dict of kv entries and a dict of
 * expiry times for the keys that have one. Functions on one database start
 * with db_, on the whole keyspace with keyspace_.
 *
 * Time: the keyspace never reads the clock. The server sets `now_ms` before
 * each command (Redis also freezes time for the length of a command), and
 * `lru_clock_s` in its tick.
 *
 * Expiry is lazy (db_lookup deletes an expired key before anyone sees it)
 * and active (keyspace_expire_cycle samples keys with a TTL, bounded per
 * call). Both report deletions through `on_expire`, so the AOF can log a DEL
 * and WATCH can see the change. */
#ifndef RINGKV_ENGINE_DB_H
#define RINGKV_ENGINE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/kv.h"

/* Keys with a TTL sampled per database per round of the active cycle, and
 * the share of expired ones (percent) that makes the cycle take another
 * round (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP and ..._ACCEPTABLE_STALE). */
#define EXPIRE_CYCLE_KEYS_PER_ROUND 20
#define EXPIRE_CYCLE_STALE_PERCENT 10

enum db_lookup_flags {
    DB_LOOKUP_READ = 0,           /* counts a hit or a miss, updates the LRU clock */
    DB_LOOKUP_WRITE = 1 << 0,     /* no hit/miss statistics */
    DB_LOOKUP_NOTOUCH = 1 << 1,   /* leaves the LRU clock alone (OBJECT, TYPE under NOTOUCH) */
    DB_LOOKUP_NOEXPIRE = 1 << 2,  /* returns an expired key without deleting it */
    DB_LOOKUP_NONOTIFY = 1 << 3,  /* a read miss is counted but not reported (OBJECT) */
};

struct expire_entry {
    struct dict_node link;
    struct kv *kv; /* borrowed from the keys dict; updated when the kv moves */
    int64_t when_ms;
};

struct keyspace;

/* Collection encoding thresholds (the *-max-listpack-* / intset parameters,
 * Redis 7.0 defaults), kept in step with the configuration by the server. */
struct encoding_limits {
    long long hash_max_listpack_entries; /* 512 */
    long long hash_max_listpack_value;   /* 64 */
    long long list_max_listpack_size;    /* -2: 8 KB per node; >0: entries per node */
    long long set_max_intset_entries;    /* 512 */
    long long zset_max_listpack_entries; /* 128 */
    long long zset_max_listpack_value;   /* 64 */
    long long stream_node_max_bytes;     /* 4096 (0: no limit) */
    long long stream_node_max_entries;   /* 100 (0: no limit) */
};

struct db {
    struct dict keys;    /* struct kv nodes, owned */
    struct dict expires; /* struct expire_entry nodes, owned */
    int id;
    struct keyspace *keyspace; /* borrowed back-pointer */
    uint64_t expire_cursor;    /* active expiry scan position */
    long long avg_ttl_ms;      /* running estimate, as INFO keyspace's avg_ttl */
};

struct keyspace {
    struct db *dbs; /* owned array of db_count */
    int db_count;
    int64_t now_ms;       /* command time, set by the server */
    /* Nonzero while a script runs: expiry checks use it, so no key expires
     * mid-script (Redis 7.0's script time snapshot), while the script's
     * commands read now_ms, which moves with each of them (TTLs set and
     * read there are real times, as in 7.0). */
    int64_t frozen_ms;
    uint32_t lru_clock_s; /* seconds, set by the server tick */
    bool lfu_policy;      /* maxmemory-policy is an LFU one: count accesses */
    int lfu_log_factor;   /* lfu-log-factor (10) */
    int lfu_decay_minutes; /* lfu-decay-time (1); 0: the counter never decays */
    bool active_expire_enabled;
    bool expire_paused;   /* no lazy deletion (while loading) */
    /* CLIENT PAUSE: expired keys read as missing but stay stored (no
     * lazy or active deletion), as Redis 7.0 keeps the data set unchanged
     * while clients are paused. */
    bool expire_deletes_paused;
    /* A replica (Redis 7.0's expireIfNeeded on a replica): its master's
     * DELs expire keys. Other clients read an expired key as missing and
     * leave it stored; the master's own commands (expire_master_context,
     * set while one runs) see it as live, so the stream applies to the
     * same data it did on the master. */
    bool expire_replica;
    bool expire_master_context;
    /* >0 while a fork child shares the keyspace's pages (see
     * keyspace_pause_rehash): lookups leave access times alone. */
    int children_sharing;
    struct encoding_limits limits;

    /* Called after an expired key is unlinked, before it is freed. */
    void (*on_expire)(void *ctx, struct db *db, const struct kv *kv);
    void *on_expire_ctx; /* passed to every callback here */
    /* Called when a read lookup (neither DB_LOOKUP_WRITE nor
     * DB_LOOKUP_NONOTIFY) finds no live key; key is the caller's, borrowed
     * for the call. */
    void (*on_miss)(void *ctx, struct db *db, const char *key, size_t key_len);
    /* Called when db_add (or db_set) adds a key that was not there, after
     * it is linked; not by db_add_loaded. */
    void (*on_add)(void *ctx, struct db *db, const struct kv *kv);

    /* statistics for INFO */
    long long stat_expired_keys;
    long long stat_expired_stale_percent;
    long long stat_expired_time_cap_reached;
    long long stat_keyspace_hits;
    long long stat_keyspace_misses;
};

void keyspace_init(struct keyspace *ks, int db_count);
void keyspace_free(struct keyspace *ks);
/* Sum of keys in every database. */
uint64_t keyspace_key_count(const struct keyspace *ks);
/* Swaps the contents of two databases (SWAPDB). */
void keyspace_swap(struct keyspace *ks, int a, int b);
/* Active expiry: runs until time_budget_us elapse (now_us supplies the
 * clock) or no database has more than EXPIRE_CYCLE_STALE_PERCENT expired
 * keys in its sample. effort is active-expire-effort (1..10). */
void keyspace_expire_cycle(struct keyspace *ks, long long time_budget_us, int effort,
                           long long (*now_us)(void));
/* Rehashes each database's dicts for up to ms in total, and shrinks sparse ones. */
void keyspace_rehash(struct keyspace *ks, int ms);
/* While a fork child shares the keyspace's pages (call pause after fork,
 * resume once the child is gone): no rehash steps, no table resized
 * before it must (dict_avoid_resize, value tables too), and lookups stop
 * updating access times (LRU clock, LFU counter), as Redis does, so a read
 * does not copy the page of the key it read (a GET would otherwise cost a
 * copy-on-write fault on most pages during a snapshot). */
void keyspace_pause_rehash(struct keyspace *ks);
void keyspace_resume_rehash(struct keyspace *ks);

/* Returns the key's entry or NULL. Borrowed: valid until the next write to
 * this database. An expired key is deleted (and reported) first. */
struct kv *db_lookup(struct db *db, const char *key, size_t key_len, int flags);
/* Adds kv (ownership moves to the db); the key must not exist. */
void db_add(struct db *db, struct kv *kv);
/* db_add for a key read from a file (RDB loading): on_add is not called,
 * as Redis reports no "new" event for loaded keys. */
void db_add_loaded(struct db *db, struct kv *kv);
/* Replaces the value of an existing key with kv (same key bytes): the old kv
 * is freed. keep_ttl keeps the old expiry, else it is removed. Under an LFU
 * policy the new value inherits the old one's access data, as Redis's
 * dbSetValue does (a SET does not make a hot key look new); otherwise its
 * access time is now. */
void db_overwrite(struct db *db, struct kv *old, struct kv *kv, bool keep_ttl);
/* db_add or db_overwrite as needed (SET). Returns kv. */
struct kv *db_set(struct db *db, struct kv *kv, bool keep_ttl);
/* Resizes kv's string value (kv_resize_string) and relinks it if the block
 * moved. Takes ownership of kv (which must be in db); returns its new
 * address. The links are found before the block moves, because after the
 * move the old block may not be read. */
struct kv *db_resize_string(struct db *db, struct kv *kv, size_t new_len, bool grow);
/* Unlinks and frees the key. Returns false if it did not exist. */
bool db_delete(struct db *db, const char *key, size_t key_len);
/* Unlinks and frees kv, which must be linked in db, with no expiry check
 * (an expired key chosen for eviction is evicted, not expired, as in
 * Redis's dbSyncDelete). */
void db_delete_entry(struct db *db, struct kv *kv);
/* Unlinks the key and returns its kv (with no expiry left): the caller owns
 * it (RENAME, MOVE). NULL if absent. */
struct kv *db_unlink(struct db *db, const char *key, size_t key_len, int64_t *expire_ms_out);

/* Sets the absolute expiry of kv (which must be in db). */
void db_set_expire(struct db *db, struct kv *kv, int64_t when_ms);
/* The absolute expiry in ms, or -1 when the key has none. */
int64_t db_get_expire(const struct db *db, const struct kv *kv);
/* Removes the expiry; returns whether there was one. */
bool db_persist(struct db *db, struct kv *kv);
/* The time expiry is judged at: the script's snapshot while one runs,
 * else now_ms. */
static inline int64_t keyspace_expire_now(const struct keyspace *ks)
{
    return ks->frozen_ms ? ks->frozen_ms : ks->now_ms;
}

/* Whether kv's expiry has passed at keyspace_expire_now. */
bool db_is_expired(const struct db *db, const struct kv *kv);

/* Removes every key; returns how many there were. */
uint64_t db_flush(struct db *db);
/* A random live key, or NULL. Expired keys met on the way are deleted. */
struct kv *db_random(struct db *db, uint64_t (*rand64)(void));
static inline uint64_t db_size(const struct db *db)
{
    return dict_size(&db->keys);
}
static inline uint64_t db_expires_size(const struct db *db)
{
    return dict_size(&db->expires);
}

#endif
