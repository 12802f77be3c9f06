/* evict.c: maxmemory: when to evict, the eviction loop, the OOM refusal
 * (see evict.h), as Redis 7.0's evict.c and processCommand do them.
 *
 * Owns the eviction state (the candidate pool, the statistics, whether a
 * run is unfinished). Leaves the choice of each key to engine/evict.c and
 * the memory figures to engine/alloc.c. Everything a deleted key means to
 * the rest of the server (WATCH, the AOF, statistics, and at merge time
 * keyspace events and client tracking) happens in evict_key_evicted.
 *
 * Memory: used memory is jemalloc's allocated bytes (alloc_used_bytes,
 * the figure INFO's used_memory reports), less what Redis does not count
 * for eviction. Redis subtracts its AOF buffer and the replicas' share of
 * the replication buffer, because deleting keys appends DELs to them: if
 * they counted, eviction would feed itself. ringkv has no replicas; its
 * AOF buffer is the staging buffer of the loop iteration (aof.c), so that
 * is what is subtracted. The ring writer's buffers are mapped outside the
 * allocator and never counted; client buffers count, as in Redis.
 *
 * Invariant: nothing is evicted while loading, for a fake (AOF replay)
 * client, or inside a command (the pre-command check runs before
 * dispatch_call; CONFIG SET's run is its own). */
#include "net/commands/evict.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/evict.h"
#include "engine/kv.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/pause.h"
#include "net/commands/propagate.h"
#include "net/commands/random64.h"
#include "net/commands/tracking.h"
#include "net/commands/transaction.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"

/* Keys evicted between two looks at the clock (Redis checks its time
 * limit every 16 keys). */
#define EVICT_KEYS_PER_CLOCK_CHECK 16
/* maxmemory-eviction-tenacity up to this is linear: 50 us per step, so the
 * default 10 allows 500 us per run; above it the limit grows by 15% a step,
 * to about two minutes at 99; 100 means no limit. Redis's figures. */
#define EVICT_TENACITY_LINEAR_MAX 10
#define EVICT_TENACITY_LINEAR_US 50
#define EVICT_TENACITY_GROWTH 1.15
#define EVICT_TENACITY_UNLIMITED 100
/* Evicted keys up to this long are copied on the stack for the reports
 * that follow their deletion. */
#define EVICT_KEY_STACK_BYTES 256

struct evict_state {
    struct evict_pool pool;
    int pool_policy;          /* the policy the pool's scores were computed for */
    bool running;             /* a run reached its time bound: evict_continue goes on */
    long long evicted_keys;
    long long exceeded_total_us;
    long long exceeded_since_us; /* 0 when within the limit */
};

void evict_init(struct commands *cs)
{
    struct evict_state *st = alloc_zeroed(sizeof(*st));
    evict_pool_init(&st->pool);
    st->pool_policy = -1;
    cs->evict = st;
}

void evict_free(struct commands *cs)
{
    if (!cs->evict)
        return;
    evict_pool_free(&cs->evict->pool);
    alloc_free(cs->evict);
    cs->evict = NULL;
}

size_t evict_not_counted_bytes(const struct commands *cs)
{
    const struct aof_state *a = &cs->persist->aof;
    if (a->status == AOF_OFF)
        return 0;
    return alloc_usable_size(a->staging.data);
}

/* Redis's getMaxmemoryState: whether memory is over the limit, and by how
 * much (to_free). The not-counted part is computed only when the raw
 * figure is over, so the common case costs one read. */
static bool evict_over_limit(const struct commands *cs, size_t *to_free)
{
    size_t limit = (size_t)cs->config->maxmemory;
    size_t used = alloc_used_bytes();
    if (limit == 0 || used <= limit)
        return false;
    size_t overhead = evict_not_counted_bytes(cs);
    used = used > overhead ? used - overhead : 0;
    if (used <= limit)
        return false;
    *to_free = used - limit;
    return true;
}

/* Redis's isSafeToPerformEvictions (for the server, not a client). */
static bool evict_allowed(const struct commands *cs)
{
    if (cs->persist->loading.active)
        return false;
    /* A write pause holds every change to the dataset, evictions too. */
    return !pause_writes_active(cs);
}

static unsigned long long evict_time_limit_us(int tenacity)
{
    assert(tenacity >= 0);
    assert(tenacity <= EVICT_TENACITY_UNLIMITED);
    if (tenacity <= EVICT_TENACITY_LINEAR_MAX)
        return (unsigned long long)EVICT_TENACITY_LINEAR_US * (unsigned long long)tenacity;
    if (tenacity < EVICT_TENACITY_UNLIMITED)
        return (unsigned long long)(EVICT_TENACITY_LINEAR_US * EVICT_TENACITY_LINEAR_MAX *
                                    pow(EVICT_TENACITY_GROWTH, tenacity - EVICT_TENACITY_LINEAR_MAX));
    return UINT64_MAX;
}

static struct evict_params evict_params_of(const struct config *cfg)
{
    struct evict_params p = {
        .samples = cfg->maxmemory_samples,
        .lfu_decay_minutes = cfg->lfu_decay_time,
    };
    switch (cfg->maxmemory_policy) {
    case MAXMEMORY_VOLATILE_LRU: p.rank = EVICT_RANK_LRU; break;
    case MAXMEMORY_VOLATILE_LFU: p.rank = EVICT_RANK_LFU; break;
    case MAXMEMORY_VOLATILE_RANDOM: p.rank = EVICT_RANK_RANDOM; break;
    case MAXMEMORY_VOLATILE_TTL: p.rank = EVICT_RANK_TTL; break;
    case MAXMEMORY_ALLKEYS_LRU: p.rank = EVICT_RANK_LRU; p.allkeys = true; break;
    case MAXMEMORY_ALLKEYS_LFU: p.rank = EVICT_RANK_LFU; p.allkeys = true; break;
    case MAXMEMORY_ALLKEYS_RANDOM: p.rank = EVICT_RANK_RANDOM; p.allkeys = true; break;
    default: assert(!"noeviction evicts nothing"); break;
    }
    return p;
}

/* The one place that reacts to an evicted key, once it is gone: the
 * statistics, WATCH (an evicted key fails the EXEC that watched it), and
 * the AOF, which logs a DEL as for an expired key, or an UNLINK under
 * lazyfree-lazy-eviction (Redis's propagateDeletion; ringkv frees the key
 * at once either way). Not the save counter: Redis leaves dirty alone. */
static void evict_key_evicted(struct commands *cs, struct db *db, const char *key, size_t key_len)
{
    cs->evict->evicted_keys++;
    transaction_key_touched(cs, db, key, key_len);
    if (cs->tracking)
        tracking_invalidate_key(cs, key, key_len);
    keyspace_event(cs, NOTIFY_EVICTED, "evicted", db->id, key, key_len);
    const char *del = cs->config->lazyfree_lazy_eviction ? "UNLINK" : "DEL";
    struct aof_arg argv[2] = {aof_arg_str(del), {key, key_len}};
    propagate_alone(cs, db->id, 2, argv);
}

/* Deletes kv and reports it; returns the bytes its deletion freed alone
 * (the DEL logged afterwards grows the AOF buffer, which is not counted,
 * and must not stop the loop from making progress). */
static long long evict_key(struct commands *cs, struct db *db, struct kv *kv)
{
    char stack[EVICT_KEY_STACK_BYTES];
    size_t key_len = kv->key_len;
    char *key = key_len <= sizeof(stack) ? stack : alloc_bytes(key_len);
    memcpy(key, kv_key(kv), key_len);
    long long before = (long long)alloc_used_bytes();
    db_delete_entry(db, kv);
    long long freed = before - (long long)alloc_used_bytes();
    evict_key_evicted(cs, db, key, key_len);
    if (key != stack)
        alloc_free(key);
    return freed;
}

/* Redis's update_metrics: the time spent over the limit. */
static void evict_note_outcome(struct evict_state *st, enum evict_outcome result)
{
    if (result == EVICT_OK) {
        if (st->exceeded_since_us != 0) {
            st->exceeded_total_us += log_clock_us() - st->exceeded_since_us;
            st->exceeded_since_us = 0;
        }
    } else if (st->exceeded_since_us == 0) {
        st->exceeded_since_us = log_clock_us();
    }
}

/* Evicts until to_free bytes are freed, the time bound passes (a run left
 * for evict_continue) or no candidate is left. */
static enum evict_outcome evict_run(struct commands *cs, size_t to_free)
{
    struct evict_state *st = cs->evict;
    const struct config *cfg = cs->config;
    if (st->pool_policy != cfg->maxmemory_policy) {
        evict_pool_clear(&st->pool);
        st->pool_policy = cfg->maxmemory_policy;
    }
    struct evict_params params = evict_params_of(cfg);
    unsigned long long limit_us = evict_time_limit_us(cfg->maxmemory_eviction_tenacity);
    long long start_us = log_clock_us();
    long long freed = 0;
    long long keys = 0;
    while (freed < (long long)to_free) {
        struct db *db = NULL;
        struct kv *kv = evict_choose(&st->pool, cs->keyspace, &params, random64_next, &db);
        if (kv == NULL)
            return EVICT_FAIL;
        freed += evict_key(cs, db, kv);
        keys++;
        if (keys % EVICT_KEYS_PER_CLOCK_CHECK == 0 &&
            (unsigned long long)(log_clock_us() - start_us) > limit_us) {
            st->running = true;
            break;
        }
    }
    return st->running ? EVICT_RUNNING : EVICT_OK;
}

enum evict_outcome evict_perform(struct commands *cs)
{
    if (!evict_allowed(cs))
        return EVICT_OK; /* as if eviction had not been asked for: no metrics */
    struct evict_state *st = cs->evict;
    size_t to_free = 0;
    enum evict_outcome result;
    if (!evict_over_limit(cs, &to_free))
        result = EVICT_OK;
    else if (cs->config->maxmemory_policy == MAXMEMORY_NOEVICTION)
        result = EVICT_FAIL;
    else
        result = evict_run(cs, to_free);
    evict_note_outcome(st, result);
    return result;
}

bool evict_continue(struct commands *cs)
{
    struct evict_state *st = cs->evict;
    if (!st->running)
        return false;
    st->running = false;
    if (cs->config->maxmemory == 0)
        return false;
    st->running = evict_perform(cs) == EVICT_RUNNING;
    return st->running;
}

/* Commands that still run in MULTI under OOM: they end the transaction
 * or the connection (Redis's list; EXEC only if its queue adds nothing). */
static bool evict_ends_transaction(const struct command *cmd)
{
    static const char *const names[] = {"exec", "discard", "quit", "reset"};
    return command_is_one_of(cmd, names, sizeof(names) / sizeof(names[0]));
}

bool evict_command_refused(struct client *c, const struct command *cmd)
{
    struct commands *cs = c->commands;
    assert(cs->config->maxmemory != 0);
    if (c->flags & CLIENT_FAKE)
        return false;
    bool out_of_memory = evict_perform(cs) == EVICT_FAIL;
    if (!out_of_memory)
        return false;
    static const char *const exec_name[] = {"exec"};
    bool is_exec = command_is_one_of(cmd, exec_name, 1);
    bool denyoom = (cmd->flags & CMD_DENYOOM) ||
                   (is_exec && (transaction_queued_flags(c) & CMD_DENYOOM));
    /* In MULTI, queueing itself takes memory without bound. */
    if ((c->flags & CLIENT_MULTI) && !evict_ends_transaction(cmd))
        denyoom = true;
    return denyoom;
}

void evict_policy_changed(struct commands *cs)
{
    evict_pool_clear(&cs->evict->pool);
    cs->evict->pool_policy = cs->config->maxmemory_policy;
}

void evict_maxmemory_changed(struct commands *cs)
{
    long long limit = cs->config->maxmemory;
    if (limit == 0)
        return;
    size_t used = alloc_used_bytes();
    size_t overhead = evict_not_counted_bytes(cs);
    used = used > overhead ? used - overhead : 0;
    if ((size_t)limit < used)
        log_write(cs->log, LOGLEVEL_WARNING,
                  "WARNING: the new maxmemory value set via CONFIG SET (%llu) is smaller than the "
                  "current memory usage (%zu). This will result in key eviction and/or the "
                  "inability to accept new write commands depending on the maxmemory-policy.",
                  (unsigned long long)limit, used);
    evict_perform(cs);
}

void evict_stats_read(const struct commands *cs, long long *evicted_keys, long long *total_ms,
                      long long *current_ms)
{
    const struct evict_state *st = cs->evict;
    long long current_us = st->exceeded_since_us ? log_clock_us() - st->exceeded_since_us : 0;
    *evicted_keys = st->evicted_keys;
    *total_ms = (st->exceeded_total_us + current_us) / 1000;
    *current_ms = current_us / 1000;
}

void evict_stats_reset(struct commands *cs)
{
    struct evict_state *st = cs->evict;
    st->evicted_keys = 0;
    st->exceeded_total_us = 0;
    st->exceeded_since_us = 0;
}
