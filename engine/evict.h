/* evict.h: which key to evict when memory is over maxmemory, and the
 * access data the choice reads (the LRU clock, the LFU counter).
 *
 * This is Redis 7.0's approximation (evict.c there): no ordered list of
 * every key, but a small pool of the best candidates seen so far. Each
 * choice samples `samples` keys in every database (the keys dict, or the
 * expires dict for the volatile-* policies), merges them into the pool
 * by score, and takes the best candidate that still exists. The random
 * policies skip the pool and take a random key, visiting the databases in
 * turn. The caller (net/commands/evict.c) decides when to evict, deletes
 * the key and reports it; nothing here deletes anything.
 *
 * Scores: a higher score is evicted first. LRU: idle milliseconds; LFU:
 * 255 minus the decayed counter; TTL: UINT64_MAX minus the expiry time, so
 * the soonest expiry wins.
 *
 * LFU counter (kv->lfu, 8 bits): new keys start at LFU_INIT_VAL; each
 * access first applies the decay (one step per lfu-decay-time minutes since
 * the last access, kv->lru), then a logarithmic increment that succeeds
 * with probability 1 / ((counter - LFU_INIT_VAL) * lfu-log-factor + 1). */
#ifndef RINGKV_ENGINE_EVICT_H
#define RINGKV_ENGINE_EVICT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/kv.h"

/* Redis's LFU_INIT_VAL: where a new key's counter starts, so it survives
 * a few rounds of sampling before it had the chance to be read. */
#define LFU_INIT_VAL 5
#define LFU_COUNTER_MAX 255
/* Redis's EVPOOL_SIZE: candidates kept between choices. */
#define EVICT_POOL_SIZE 16
/* Key bytes an entry holds without an allocation of its own (Redis's
 * EVPOOL_CACHED_SDS_SIZE); longer keys get an owned copy. */
#define EVICT_POOL_KEY_CACHED_BYTES 255
/* Keys sampled per database per round, at most. maxmemory-samples accepts
 * up to INT_MAX as in Redis (whose sample array is a stack VLA of that
 * size); more than this only costs time, so the sampler stops here. */
#define EVICT_SAMPLES_MAX 1024

enum evict_rank {
    EVICT_RANK_LRU = 0,
    EVICT_RANK_LFU,
    EVICT_RANK_TTL,    /* volatile-ttl */
    EVICT_RANK_RANDOM, /* allkeys-random, volatile-random */
};

/* The policy as the chooser needs it (the server maps maxmemory-policy). */
struct evict_params {
    enum evict_rank rank;
    bool allkeys;         /* every key, or only those with a TTL */
    int samples;          /* maxmemory-samples (capped at EVICT_SAMPLES_MAX) */
    int lfu_decay_minutes; /* lfu-decay-time */
};

struct evict_entry {
    uint64_t score;  /* higher is evicted first */
    char *key;       /* NULL when empty; cached, or an owned copy when longer */
    uint32_t key_len;
    int db_id;
    char *cached;    /* owned, EVICT_POOL_KEY_CACHED_BYTES + 1 bytes */
};

/* Entries are sorted by score, ascending, filled from the left: the best
 * candidate is the rightmost used entry. */
struct evict_pool {
    struct evict_entry entries[EVICT_POOL_SIZE];
    struct dict_node **samples; /* owned scratch array of EVICT_SAMPLES_MAX */
    unsigned next_db;           /* the random policies' turn */
};

void evict_pool_init(struct evict_pool *pool);
void evict_pool_free(struct evict_pool *pool);
/* Empties the pool (the policy changed: old scores compare with nothing). */
void evict_pool_clear(struct evict_pool *pool);

/* Samples db (keys or expires as p says) and merges what it found into
 * the pool. Borrows everything. */
void evict_pool_populate(struct evict_pool *pool, struct db *db, const struct evict_params *p,
                         uint64_t (*rand64)(void));

/* The next key to evict under p: returns its kv (still linked; borrowed,
 * valid until the next change to its db) and sets *db_out, or NULL when
 * no database has a candidate (no keys, or no keys with a TTL). */
struct kv *evict_choose(struct evict_pool *pool, struct keyspace *ks, const struct evict_params *p,
                        uint64_t (*rand64)(void), struct db **db_out);

/* The LFU counter after one access: r is uniform in [0, 1]. */
uint8_t lfu_log_incr(uint8_t counter, int log_factor, double r);
/* kv's counter after the decay due at now_s (not stored). */
uint8_t lfu_decayed(const struct kv *kv, uint32_t now_s, int decay_minutes);
/* Idle time of kv in milliseconds at now_s (the LRU score; OBJECT
 * IDLETIME is this / 1000). */
static inline uint64_t evict_idle_ms(const struct kv *kv, uint32_t now_s)
{
    return now_s > kv->lru ? (uint64_t)(now_s - kv->lru) * 1000 : 0;
}

#endif
