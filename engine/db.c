/* db.c: numbered databases, key lifetime and expiry.
 *
 * Owns every kv in the keyspace and every expire_entry. Leaves value
 * semantics to the commands (net/) and to kv.c.
 *
 * Invariant: kv->flags has KV_FLAG_EXPIRES exactly when an expire_entry for
 * that key is in db->expires, and that entry's kv pointer is the kv linked
 * in db->keys (db_relink and db_overwrite keep it so when a kv moves). */
#include "engine/db.h"

#include <assert.h>
#include <stdlib.h>

#include "engine/alloc.h"
#include "engine/evict.h"

static uint64_t db_kv_hash(const struct dict_node *node)
{
    const struct kv *kv = (const struct kv *)node;
    return dict_hash_bytes(kv_key(kv), kv->key_len);
}

static bool db_kv_equal(const struct dict_node *node, const void *key, size_t key_len)
{
    const struct kv *kv = (const struct kv *)node;
    return kv->key_len == key_len && memcmp(kv_key(kv), key, key_len) == 0;
}

static uint64_t db_expire_hash(const struct dict_node *node)
{
    const struct expire_entry *e = (const struct expire_entry *)node;
    return dict_hash_bytes(kv_key(e->kv), e->kv->key_len);
}

static bool db_expire_equal(const struct dict_node *node, const void *key, size_t key_len)
{
    const struct expire_entry *e = (const struct expire_entry *)node;
    return e->kv->key_len == key_len && memcmp(kv_key(e->kv), key, key_len) == 0;
}

static const struct dict_type db_keys_type = {db_kv_hash, db_kv_equal};
static const struct dict_type db_expires_type = {db_expire_hash, db_expire_equal};

void keyspace_init(struct keyspace *ks, int db_count)
{
    assert(db_count > 0);
    memset(ks, 0, sizeof(*ks));
    ks->dbs = alloc_zeroed(sizeof(struct db) * (size_t)db_count);
    ks->db_count = db_count;
    ks->active_expire_enabled = true;
    ks->lfu_log_factor = 10;
    ks->lfu_decay_minutes = 1;
    ks->limits = (struct encoding_limits){
        .hash_max_listpack_entries = 512,
        .hash_max_listpack_value = 64,
        .list_max_listpack_size = -2,
        .set_max_intset_entries = 512,
        .zset_max_listpack_entries = 128,
        .zset_max_listpack_value = 64,
        .stream_node_max_bytes = 4096,
        .stream_node_max_entries = 100,
    };
    for (int i = 0; i < db_count; i++) {
        dict_init(&ks->dbs[i].keys, &db_keys_type);
        dict_init(&ks->dbs[i].expires, &db_expires_type);
        ks->dbs[i].id = i;
        ks->dbs[i].keyspace = ks;
    }
}

void keyspace_free(struct keyspace *ks)
{
    for (int i = 0; i < ks->db_count; i++)
        db_flush(&ks->dbs[i]);
    alloc_free(ks->dbs);
    ks->dbs = NULL;
    ks->db_count = 0;
}

uint64_t keyspace_key_count(const struct keyspace *ks)
{
    uint64_t n = 0;
    for (int i = 0; i < ks->db_count; i++)
        n += db_size(&ks->dbs[i]);
    return n;
}

void keyspace_swap(struct keyspace *ks, int a, int b)
{
    assert(a >= 0 && a < ks->db_count);
    assert(b >= 0 && b < ks->db_count);
    struct db tmp = ks->dbs[a];
    ks->dbs[a].keys = ks->dbs[b].keys;
    ks->dbs[a].expires = ks->dbs[b].expires;
    ks->dbs[a].avg_ttl_ms = ks->dbs[b].avg_ttl_ms;
    ks->dbs[a].expire_cursor = ks->dbs[b].expire_cursor;
    ks->dbs[b].keys = tmp.keys;
    ks->dbs[b].expires = tmp.expires;
    ks->dbs[b].avg_ttl_ms = tmp.avg_ttl_ms;
    ks->dbs[b].expire_cursor = tmp.expire_cursor;
}

static struct expire_entry *db_find_expire(const struct db *db, const struct kv *kv)
{
    if (!(kv->flags & KV_FLAG_EXPIRES))
        return NULL;
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    struct expire_entry *e =
        (struct expire_entry *)dict_find(&db->expires, kv_key(kv), kv->key_len, hash);
    assert(e != NULL);
    assert(e->kv == kv);
    return e;
}

int64_t db_get_expire(const struct db *db, const struct kv *kv)
{
    const struct expire_entry *e = db_find_expire(db, kv);
    return e ? e->when_ms : -1;
}

bool db_is_expired(const struct db *db, const struct kv *kv)
{
    if (!(kv->flags & KV_FLAG_EXPIRES))
        return false;
    return db_get_expire(db, kv) <= keyspace_expire_now(db->keyspace);
}

void db_set_expire(struct db *db, struct kv *kv, int64_t when_ms)
{
    struct expire_entry *e = db_find_expire(db, kv);
    if (e) {
        e->when_ms = when_ms;
        return;
    }
    e = alloc_bytes(sizeof(*e));
    e->link.next = NULL;
    e->kv = kv;
    e->when_ms = when_ms;
    dict_add(&db->expires, &e->link, dict_hash_bytes(kv_key(kv), kv->key_len));
    kv->flags |= KV_FLAG_EXPIRES;
}

bool db_persist(struct db *db, struct kv *kv)
{
    if (!(kv->flags & KV_FLAG_EXPIRES))
        return false;
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    struct dict_node *node = dict_remove(&db->expires, kv_key(kv), kv->key_len, hash);
    assert(node != NULL);
    alloc_free(node);
    kv->flags &= (uint8_t)~KV_FLAG_EXPIRES;
    return true;
}

/* Unlinks kv from both dicts; the caller frees or keeps it. */
static void db_unlink_kv(struct db *db, struct kv *kv)
{
    db_persist(db, kv);
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    struct dict_node *node = dict_remove(&db->keys, kv_key(kv), kv->key_len, hash);
    assert(node == &kv->link);
}

/* Deletes an expired key and tells the server. */
static void db_expire_now(struct db *db, struct kv *kv)
{
    struct keyspace *ks = db->keyspace;
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    db_persist(db, kv);
    dict_remove(&db->keys, kv_key(kv), kv->key_len, hash);
    ks->stat_expired_keys++;
    if (ks->on_expire)
        ks->on_expire(ks->on_expire_ctx, db, kv);
    kv_free(kv);
}

/* An access under an LFU policy: the decay due since the last access
 * first, then the logarithmic increment (Redis's updateLFU). The access
 * time doubles as the LFU's last-decrement time. */
static void db_lfu_touch(const struct keyspace *ks, struct kv *kv)
{
    uint8_t counter = lfu_decayed(kv, ks->lru_clock_s, ks->lfu_decay_minutes);
    kv->lfu = lfu_log_incr(counter, ks->lfu_log_factor, (double)random() / RAND_MAX);
}

struct kv *db_lookup(struct db *db, const char *key, size_t key_len, int flags)
{
    struct keyspace *ks = db->keyspace;
    uint64_t hash = dict_hash_bytes(key, key_len);
    struct kv *kv = (struct kv *)dict_find(&db->keys, key, key_len, hash);
    if (kv && !(flags & DB_LOOKUP_NOEXPIRE) && !ks->expire_paused &&
        !ks->expire_master_context && db_is_expired(db, kv)) {
        if (!ks->expire_deletes_paused && !ks->expire_replica)
            db_expire_now(db, kv);
        kv = NULL;
    }
    if (!(flags & DB_LOOKUP_WRITE)) {
        if (kv) {
            ks->stat_keyspace_hits++;
        } else {
            ks->stat_keyspace_misses++;
            if (ks->on_miss && !(flags & DB_LOOKUP_NONOTIFY))
                ks->on_miss(ks->on_expire_ctx, db, key, key_len);
        }
    }
    if (kv && !(flags & DB_LOOKUP_NOTOUCH) && ks->children_sharing == 0) {
        if (ks->lfu_policy)
            db_lfu_touch(ks, kv);
        kv->lru = ks->lru_clock_s;
    }
    return kv;
}

void db_add_loaded(struct db *db, struct kv *kv)
{
    assert(!(kv->flags & KV_FLAG_EXPIRES));
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    if (db->keyspace->expire_deletes_paused || db->keyspace->expire_replica) {
        /* A write while deletions are paused (a transaction that paused
         * clients and then writes): the expired key that lookups hid but
         * kept goes now, so the new one does not meet it in the table. */
        struct kv *kept = (struct kv *)dict_find(&db->keys, kv_key(kv), kv->key_len, hash);
        if (kept) {
            assert(db_is_expired(db, kept));
            db_expire_now(db, kept);
        }
    }
    kv->lru = db->keyspace->lru_clock_s;
    dict_add(&db->keys, &kv->link, hash);
}

void db_add(struct db *db, struct kv *kv)
{
    db_add_loaded(db, kv);
    struct keyspace *ks = db->keyspace;
    if (ks->on_add)
        ks->on_add(ks->on_expire_ctx, db, kv);
}

struct kv *db_resize_string(struct db *db, struct kv *kv, size_t new_len, bool grow)
{
    uint64_t hash = dict_hash_bytes(kv_key(kv), kv->key_len);
    struct dict_node **link = dict_find_link(&db->keys, kv_key(kv), kv->key_len, hash);
    assert(link != NULL);
    assert(*link == &kv->link);
    struct expire_entry *e = NULL;
    if (kv->flags & KV_FLAG_EXPIRES) {
        e = (struct expire_entry *)dict_find(&db->expires, kv_key(kv), kv->key_len, hash);
        assert(e != NULL);
    }
    struct kv *moved = kv_resize_string(kv, new_len, grow);
    /* Nothing between the lookups and here touches either dict, so the
     * link and the entry are still where they were. */
    *link = &moved->link;
    if (e)
        e->kv = moved;
    return moved;
}

void db_overwrite(struct db *db, struct kv *old, struct kv *kv, bool keep_ttl)
{
    assert(old->key_len == kv->key_len);
    uint64_t hash = dict_hash_bytes(kv_key(old), old->key_len);
    struct dict_node **link = dict_find_link(&db->keys, kv_key(old), old->key_len, hash);
    assert(link != NULL);
    assert(*link == &old->link);
    kv->link.next = old->link.next;
    if (db->keyspace->lfu_policy) {
        kv->lru = old->lru;
        kv->lfu = old->lfu;
    } else {
        kv->lru = db->keyspace->lru_clock_s;
    }
    kv->flags = (uint8_t)(kv->flags & ~KV_FLAG_EXPIRES);
    *link = &kv->link;
    if (old->flags & KV_FLAG_EXPIRES) {
        struct expire_entry *e =
            (struct expire_entry *)dict_find(&db->expires, kv_key(old), old->key_len, hash);
        assert(e != NULL);
        if (keep_ttl) {
            e->kv = kv;
            kv->flags |= KV_FLAG_EXPIRES;
        } else {
            dict_remove(&db->expires, kv_key(old), old->key_len, hash);
            alloc_free(e);
        }
    }
    kv_free(old);
}

struct kv *db_set(struct db *db, struct kv *kv, bool keep_ttl)
{
    struct kv *old = db_lookup(db, kv_key(kv), kv->key_len, DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH);
    if (old)
        db_overwrite(db, old, kv, keep_ttl);
    else
        db_add(db, kv);
    return kv;
}

struct kv *db_unlink(struct db *db, const char *key, size_t key_len, int64_t *expire_ms_out)
{
    struct kv *kv = db_lookup(db, key, key_len, DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH);
    if (!kv)
        return NULL;
    if (expire_ms_out)
        *expire_ms_out = db_get_expire(db, kv);
    db_unlink_kv(db, kv);
    kv->link.next = NULL;
    return kv;
}

void db_delete_entry(struct db *db, struct kv *kv)
{
    db_unlink_kv(db, kv);
    kv_free(kv);
}

bool db_delete(struct db *db, const char *key, size_t key_len)
{
    struct kv *kv = db_unlink(db, key, key_len, NULL);
    if (!kv)
        return false;
    kv_free(kv);
    return true;
}

static void db_free_kv_node(struct dict_node *node, void *ctx)
{
    kv_free((struct kv *)node);
}

static void db_free_expire_node(struct dict_node *node, void *ctx)
{
    alloc_free(node);
}

uint64_t db_flush(struct db *db)
{
    uint64_t removed = db_size(db);
    dict_clear(&db->expires, db_free_expire_node, NULL);
    dict_clear(&db->keys, db_free_kv_node, NULL);
    db->avg_ttl_ms = 0;
    db->expire_cursor = 0;
    return removed;
}

struct kv *db_random(struct db *db, uint64_t (*rand64)(void))
{
    /* Each pass either returns or deletes one expired key, so the loop ends
     * within db_size passes (bounded by tries while deletions are paused). */
    int tries = 0;
    for (;;) {
        struct kv *kv = (struct kv *)dict_random(&db->keys, rand64);
        if (!kv)
            return NULL;
        if (db->keyspace->expire_paused || db->keyspace->expire_master_context ||
            !db_is_expired(db, kv))
            return kv;
        if (db->keyspace->expire_deletes_paused || db->keyspace->expire_replica) {
            /* Expired keys cannot be deleted now: after a bounded number
             * of draws, answer with one of them rather than loop forever
             * on a database of expired keys. */
            if (++tries >= 100)
                return kv;
            continue;
        }
        db_expire_now(db, kv);
    }
    return NULL;
}

struct db_expire_sample {
    struct expire_entry *entries[EXPIRE_CYCLE_KEYS_PER_ROUND * 10 * 4];
    int count;
};

static void db_expire_sample_add(struct dict_node *node, void *ctx)
{
    struct db_expire_sample *sample = ctx;
    int cap = (int)(sizeof(sample->entries) / sizeof(sample->entries[0]));
    if (sample->count < cap)
        sample->entries[sample->count++] = (struct expire_entry *)node;
}

/* One sampling round on db: scans forward from its cursor until about
 * keys_wanted entries were seen, deletes the expired ones, and returns the
 * percentage of the sample that had expired. */
static int db_expire_round(struct db *db, int keys_wanted, long long *checked)
{
    struct db_expire_sample sample = {.count = 0};
    int buckets = 0;
    /* A scan step visits one bucket (plus its expansions), so bound the
     * buckets too: a sparse table must not make one round unbounded. */
    do {
        db->expire_cursor = dict_scan(&db->expires, db->expire_cursor, db_expire_sample_add, &sample);
        buckets++;
    } while (db->expire_cursor != 0 && sample.count < keys_wanted && buckets < keys_wanted * 20);

    int expired = 0;
    long long ttl_sum = 0;
    int ttl_count = 0;
    int64_t now = keyspace_expire_now(db->keyspace);
    for (int i = 0; i < sample.count; i++) {
        struct expire_entry *e = sample.entries[i];
        if (e->when_ms <= now) {
            db_expire_now(db, e->kv);
            expired++;
        } else {
            ttl_sum += e->when_ms - now;
            ttl_count++;
        }
    }
    if (ttl_count) {
        /* Redis's running average: each round weighs 2% of the new sample. */
        long long avg = ttl_sum / ttl_count;
        db->avg_ttl_ms = db->avg_ttl_ms ? (db->avg_ttl_ms / 50) * 49 + avg / 50 : avg;
    }
    *checked += sample.count;
    return sample.count ? expired * 100 / sample.count : 0;
}

void keyspace_expire_cycle(struct keyspace *ks, long long time_budget_us, int effort,
                           long long (*now_us)(void))
{
    if (!ks->active_expire_enabled || ks->expire_paused || ks->expire_deletes_paused)
        return;
    int keys_wanted = EXPIRE_CYCLE_KEYS_PER_ROUND + EXPIRE_CYCLE_KEYS_PER_ROUND / 4 * (effort - 1);
    int stale_percent = EXPIRE_CYCLE_STALE_PERCENT - (effort - 1);
    long long start = now_us();
    long long checked = 0, stale_total = 0;
    int rounds = 0;
    bool more = true;
    while (more) {
        more = false;
        for (int i = 0; i < ks->db_count; i++) {
            struct db *db = &ks->dbs[i];
            if (db_expires_size(db) == 0) {
                db->avg_ttl_ms = 0;
                continue;
            }
            int percent = db_expire_round(db, keys_wanted, &checked);
            stale_total += percent;
            rounds++;
            if (percent > stale_percent)
                more = true;
        }
        if (now_us() - start > time_budget_us) {
            ks->stat_expired_time_cap_reached++;
            break;
        }
    }
    if (rounds)
        ks->stat_expired_stale_percent = stale_total / rounds;
}

void keyspace_rehash(struct keyspace *ks, int ms)
{
    for (int i = 0; i < ks->db_count; i++) {
        struct db *db = &ks->dbs[i];
        dict_shrink_if_sparse(&db->keys);
        dict_shrink_if_sparse(&db->expires);
        if (ms > 0 && dict_is_rehashing(&db->keys)) {
            dict_rehash_ms(&db->keys, ms);
            ms = 0; /* one database per tick, as Redis does */
        } else if (ms > 0 && dict_is_rehashing(&db->expires)) {
            dict_rehash_ms(&db->expires, ms);
            ms = 0;
        }
    }
}

void keyspace_pause_rehash(struct keyspace *ks)
{
    ks->children_sharing++;
    dict_avoid_resize(true);
    for (int i = 0; i < ks->db_count; i++) {
        dict_pause_rehash(&ks->dbs[i].keys);
        dict_pause_rehash(&ks->dbs[i].expires);
    }
}

void keyspace_resume_rehash(struct keyspace *ks)
{
    assert(ks->children_sharing > 0);
    ks->children_sharing--;
    dict_avoid_resize(false);
    for (int i = 0; i < ks->db_count; i++) {
        dict_resume_rehash(&ks->dbs[i].keys);
        dict_resume_rehash(&ks->dbs[i].expires);
    }
}
