/* evict.c: the eviction pool and the LFU counter (see evict.h).
 *
 * Owns the pool's entries and their key copies. Reads the keyspace, never
 * changes it: a chosen key is deleted by the caller.
 *
 * Invariant: the used entries of the pool are a prefix of its array, sorted
 * by score, ascending (insertions fill the first empty slot or shift, and
 * taking always empties the rightmost used entry); an entry's key points at its own `cached` block or at
 * an owned copy (longer keys), never at a kv, so a key deleted elsewhere
 * leaves a ghost entry that evict_choose drops, not a dangling pointer. */
#include "engine/evict.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"

static_assert(EVICT_POOL_SIZE >= 2, "the pool shifts entries left and right");
static_assert(LFU_INIT_VAL < LFU_COUNTER_MAX, "a new key's counter can still grow");
static_assert(LFU_INIT_VAL == KV_LFU_INIT, "kv.c starts new keys where the LFU expects");

void evict_pool_init(struct evict_pool *pool)
{
    memset(pool, 0, sizeof(*pool));
    for (int i = 0; i < EVICT_POOL_SIZE; i++)
        pool->entries[i].cached = alloc_bytes(EVICT_POOL_KEY_CACHED_BYTES + 1);
    pool->samples = alloc_bytes(sizeof(*pool->samples) * EVICT_SAMPLES_MAX);
}

/* Empties one entry, freeing an owned long key. */
static void evict_entry_reset(struct evict_entry *e)
{
    if (e->key != NULL && e->key != e->cached)
        alloc_free(e->key);
    e->key = NULL;
    e->key_len = 0;
    e->score = 0;
}

void evict_pool_clear(struct evict_pool *pool)
{
    for (int i = 0; i < EVICT_POOL_SIZE; i++)
        evict_entry_reset(&pool->entries[i]);
}

void evict_pool_free(struct evict_pool *pool)
{
    evict_pool_clear(pool);
    for (int i = 0; i < EVICT_POOL_SIZE; i++)
        alloc_free(pool->entries[i].cached);
    alloc_free(pool->samples);
    memset(pool, 0, sizeof(*pool));
}

uint8_t lfu_log_incr(uint8_t counter, int log_factor, double r)
{
    if (counter == LFU_COUNTER_MAX)
        return counter;
    double base = counter > LFU_INIT_VAL ? (double)(counter - LFU_INIT_VAL) : 0.0;
    double p = 1.0 / (base * (double)log_factor + 1.0);
    return r < p ? (uint8_t)(counter + 1) : counter;
}

uint8_t lfu_decayed(const struct kv *kv, uint32_t now_s, int decay_minutes)
{
    if (decay_minutes <= 0)
        return kv->lfu;
    /* Whole minutes on the clock, as Redis's 16-bit minute stamps count
     * them, not minutes of elapsed time. */
    uint32_t now_min = now_s / 60, last_min = kv->lru / 60;
    uint32_t periods = now_min > last_min ? (now_min - last_min) / (uint32_t)decay_minutes : 0;
    return periods >= kv->lfu ? 0 : (uint8_t)(kv->lfu - periods);
}

static uint64_t evict_score(const struct evict_params *p, const struct db *db, const struct kv *kv,
                            int64_t when_ms)
{
    uint32_t now_s = db->keyspace->lru_clock_s;
    switch (p->rank) {
    case EVICT_RANK_LRU:
        return evict_idle_ms(kv, now_s);
    case EVICT_RANK_LFU:
        return LFU_COUNTER_MAX - lfu_decayed(kv, now_s, p->lfu_decay_minutes);
    case EVICT_RANK_TTL:
        return UINT64_MAX - (uint64_t)when_ms;
    case EVICT_RANK_RANDOM:
        break;
    }
    assert(!"the random policies do not use the pool");
    return 0;
}

/* The slot a candidate with this score goes to, making room by shifting
 * (the emptied slot's key block moves into it), or -1 when the pool is
 * full of better candidates. */
static int evict_pool_make_room(struct evict_pool *pool, uint64_t score)
{
    struct evict_entry *e = pool->entries;
    int k = 0;
    while (k < EVICT_POOL_SIZE && e[k].key != NULL && e[k].score < score)
        k++;
    if (k == 0 && e[EVICT_POOL_SIZE - 1].key != NULL)
        return -1; /* worse than everything in a full pool */
    if (k < EVICT_POOL_SIZE && e[k].key == NULL)
        return k;  /* the first empty slot */
    if (e[EVICT_POOL_SIZE - 1].key == NULL) {
        /* Room on the right: shift k.. one to the right. */
        char *cached = e[EVICT_POOL_SIZE - 1].cached;
        memmove(e + k + 1, e + k, sizeof(e[0]) * (size_t)(EVICT_POOL_SIZE - k - 1));
        e[k].cached = cached;
        e[k].key = NULL;
        return k;
    }
    /* Full: drop the worst (leftmost) and shift ..k-1 one to the left. */
    k--;
    evict_entry_reset(&e[0]);
    char *cached = e[0].cached;
    memmove(e, e + 1, sizeof(e[0]) * (size_t)k);
    e[k].cached = cached;
    e[k].key = NULL;
    return k;
}

static void evict_pool_insert(struct evict_pool *pool, int db_id, const struct kv *kv,
                              uint64_t score)
{
    int k = evict_pool_make_room(pool, score);
    if (k < 0)
        return;
    struct evict_entry *e = &pool->entries[k];
    assert(e->key == NULL);
    if (kv->key_len > EVICT_POOL_KEY_CACHED_BYTES) {
        e->key = alloc_strndup(kv_key(kv), kv->key_len);
    } else {
        memcpy(e->cached, kv_key(kv), kv->key_len);
        e->key = e->cached;
    }
    e->key_len = kv->key_len;
    e->score = score;
    e->db_id = db_id;
}

void evict_pool_populate(struct evict_pool *pool, struct db *db, const struct evict_params *p,
                         uint64_t (*rand64)(void))
{
    assert(p->rank != EVICT_RANK_RANDOM);
    const struct dict *from = p->allkeys ? &db->keys : &db->expires;
    unsigned want = p->samples < 1 ? 1 : (unsigned)p->samples;
    if (want > EVICT_SAMPLES_MAX)
        want = EVICT_SAMPLES_MAX;
    unsigned count = dict_sample(from, pool->samples, want, rand64);
    /* The walk can miss every node of a sparse table; one random node
     * keeps each round useful, so the caller's loop always ends. */
    if (count == 0 && dict_size(from) > 0) {
        pool->samples[0] = dict_random(from, rand64);
        count = 1;
    }
    for (unsigned i = 0; i < count; i++) {
        const struct kv *kv;
        int64_t when_ms = -1;
        if (p->allkeys) {
            kv = (const struct kv *)pool->samples[i];
        } else {
            const struct expire_entry *x = (const struct expire_entry *)pool->samples[i];
            kv = x->kv;
            when_ms = x->when_ms;
        }
        evict_pool_insert(pool, db->id, kv, evict_score(p, db, kv, when_ms));
    }
}

/* Takes the best candidate that still qualifies out of the pool; ghosts
 * (deleted, or no longer with a TTL for a volatile policy) are dropped on
 * the way. */
static struct kv *evict_pool_take(struct evict_pool *pool, struct keyspace *ks,
                                  const struct evict_params *p, struct db **db_out)
{
    for (int k = EVICT_POOL_SIZE - 1; k >= 0; k--) {
        struct evict_entry *e = &pool->entries[k];
        if (e->key == NULL)
            continue;
        struct kv *kv = NULL;
        struct db *db = NULL;
        if (e->db_id < ks->db_count) {
            db = &ks->dbs[e->db_id];
            kv = (struct kv *)dict_find(&db->keys, e->key, e->key_len,
                                        dict_hash_bytes(e->key, e->key_len));
        }
        evict_entry_reset(e);
        if (kv != NULL && (p->allkeys || (kv->flags & KV_FLAG_EXPIRES))) {
            *db_out = db;
            return kv;
        }
    }
    return NULL;
}

static struct kv *evict_choose_random(struct evict_pool *pool, struct keyspace *ks,
                                      const struct evict_params *p, uint64_t (*rand64)(void),
                                      struct db **db_out)
{
    for (int i = 0; i < ks->db_count; i++) {
        struct db *db = &ks->dbs[++pool->next_db % (unsigned)ks->db_count];
        const struct dict *from = p->allkeys ? &db->keys : &db->expires;
        struct dict_node *node = dict_random(from, rand64);
        if (node == NULL)
            continue;
        *db_out = db;
        return p->allkeys ? (struct kv *)node : ((struct expire_entry *)node)->kv;
    }
    return NULL;
}

struct kv *evict_choose(struct evict_pool *pool, struct keyspace *ks, const struct evict_params *p,
                        uint64_t (*rand64)(void), struct db **db_out)
{
    if (p->rank == EVICT_RANK_RANDOM)
        return evict_choose_random(pool, ks, p, rand64, db_out);
    /* Each round samples every database with candidates, so the choice is
     * not a local one; a round adds at least one live key to the pool, so
     * the loop ends once the pool gives one back. */
    for (;;) {
        uint64_t candidates = 0;
        for (int i = 0; i < ks->db_count; i++) {
            struct db *db = &ks->dbs[i];
            uint64_t n = p->allkeys ? db_size(db) : db_expires_size(db);
            if (n == 0)
                continue;
            evict_pool_populate(pool, db, p, rand64);
            candidates += n;
        }
        if (candidates == 0)
            return NULL;
        struct kv *kv = evict_pool_take(pool, ks, p, db_out);
        if (kv != NULL)
            return kv;
    }
}
