/* cmd_memory.c: MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP
 * (Redis 7.0).
 *
 * Owns the estimate of what one key costs and the replies. The estimate
 * adds up ringkv's real allocations, each as jemalloc sizes it
 * (alloc_usable_size): the kv block (key, header, a string's bytes), its
 * slot in the keys table, its expiry entry, and the collection's own
 * blocks. Collections made of many blocks (list nodes, hash table entries,
 * skiplist nodes) are sampled as Redis samples them: the first `samples`
 * blocks are measured and their mean counts for every one.
 *
 * MEMORY STATS has Redis 7.0's fields in its order; those with no
 * counterpart here (replication, cluster, scripting) are 0, as noted at
 * each. The DOCTOR report is in ringkv's own words. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/stream.h"
#include "engine/list.h"
#include "engine/zset.h"
#include "engine/zskiplist.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/function.h"
#include "net/commands/reply.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"

/* ---- MEMORY USAGE ---- */

/* The mean size of at most samples nodes of d, times its size, plus its
 * bucket array. */
static size_t memory_dict_bytes(struct dict *d, long long samples)
{
    size_t total = dict_buckets(d) * sizeof(struct dict_node *);
    long long seen = 0;
    size_t seen_bytes = 0;
    struct dict_iter it;
    dict_iter_init(&it, d);
    for (struct dict_node *n; seen < samples && (n = dict_iter_next(&it)) != NULL; seen++)
        seen_bytes += alloc_usable_size(n);
    dict_iter_done(&it);
    if (seen > 0)
        total += (size_t)((double)seen_bytes / (double)seen * (double)dict_size(d));
    return total;
}

static size_t memory_list_bytes(struct list *l, long long samples)
{
    size_t total = alloc_usable_size(l), seen_bytes = 0, nodes = 0;
    long long seen = 0;
    for (struct list_node *n = l->head; n != NULL; n = n->next) {
        if (seen < samples) {
            seen_bytes += alloc_usable_size(n) + alloc_usable_size(n->lp);
            seen++;
        }
        nodes++;
    }
    if (seen > 0)
        total += (size_t)((double)seen_bytes / (double)seen * (double)nodes);
    return total;
}

static size_t memory_zset_bytes(struct zset_big *z, long long samples)
{
    size_t total = alloc_usable_size(z) + memory_dict_bytes(&z->dict, samples);
    total += alloc_usable_size(z->zsl) + alloc_usable_size(z->zsl->header);
    size_t seen_bytes = 0;
    long long seen = 0;
    for (struct zskiplist_node *n = z->zsl->header->levels[0].forward; n && seen < samples;
         n = n->levels[0].forward, seen++)
        seen_bytes += alloc_usable_size(n);
    if (seen > 0)
        total += (size_t)((double)seen_bytes / (double)seen * (double)z->zsl->length);
    return total;
}

/* The collection a kv points to, by type and encoding. */
static size_t memory_object_bytes(const struct kv *kv, long long samples)
{
    void *obj = kv_object(kv);
    switch (kv->encoding) {
    case KV_ENC_LISTPACK:
    case KV_ENC_INTSET:
        return alloc_usable_size(obj);
    case KV_ENC_QUICKLIST:
        return memory_list_bytes(obj, samples);
    case KV_ENC_HASHTABLE:
        return alloc_usable_size(obj) + memory_dict_bytes(obj, samples);
    case KV_ENC_SKIPLIST:
        return memory_zset_bytes(obj, samples);
    case KV_ENC_STREAM:
        return stream_bytes(obj);
    default:
        return 0;
    }
}

static size_t memory_kv_bytes(const struct kv *kv, bool has_expiry, long long samples)
{
    /* The block itself, and its slot in the keys table. */
    size_t total = alloc_usable_size(kv) + sizeof(struct dict_node *);
    if (has_expiry)
        total += sizeof(struct expire_entry) + sizeof(struct dict_node *);
    if (kv->type != KV_STRING)
        total += memory_object_bytes(kv, samples);
    return total;
}

/* MEMORY USAGE key [SAMPLES count]: 0 samples means all of them. */
static void memory_usage_command(struct client *c)
{
    long long samples = 5; /* Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES */
    for (int i = 3; i < c->argc; i++) {
        if (arg_equals(&c->argv[i], "samples") && i + 1 < c->argc) {
            if (!arg_get_ll(c, i + 1, &samples, NULL))
                return;
            if (samples < 0) {
                reply_error_syntax(c);
                return;
            }
            if (samples == 0)
                samples = LLONG_MAX;
            i++;
        } else {
            reply_error_syntax(c);
            return;
        }
    }
    /* As Redis's dictFind: no statistics, no LRU touch, no lazy expiry. */
    struct kv *kv = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len,
                              DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOEXPIRE);
    if (kv == NULL) {
        reply_null(c);
        return;
    }
    reply_integer(c, (long long)memory_kv_bytes(kv, (kv->flags & KV_FLAG_EXPIRES) != 0, samples));
}

/* ---- MEMORY STATS ---- */

/* Redis computes its ratios as float; the same rounding shows the same
 * digits. */
static void memory_reply_ratio(struct client *c, long long part, long long whole)
{
    reply_double(c, whole > 0 ? (double)(float)((double)part / (double)whole) : 0.0);
}

static void memory_stats_command(struct client *c)
{
    struct server *s = server_of(c);
    struct server_memory m;
    server_memory_read(s, &m);
    int dbs_with_keys = 0;
    long long keys = 0;
    for (int i = 0; i < s->keyspace.db_count; i++) {
        keys += (long long)db_size(&s->keyspace.dbs[i]);
        dbs_with_keys += db_size(&s->keyspace.dbs[i]) > 0;
    }
    long long net = m.used > m.startup ? m.used - m.startup : 0;
    long long active = (long long)m.allocator.active, resident = (long long)m.allocator.resident;
    long long allocated = (long long)m.allocator.allocated;

    reply_map_len(c, 27 + dbs_with_keys);
    reply_bulk_cstr(c, "peak.allocated");
    reply_integer(c, m.peak);
    reply_bulk_cstr(c, "total.allocated");
    reply_integer(c, m.used);
    reply_bulk_cstr(c, "startup.allocated");
    reply_integer(c, m.startup);
    reply_bulk_cstr(c, "replication.backlog"); /* no replication yet: 0 */
    reply_integer(c, 0);
    reply_bulk_cstr(c, "clients.slaves"); /* no replicas: 0 */
    reply_integer(c, 0);
    reply_bulk_cstr(c, "clients.normal");
    reply_integer(c, m.clients);
    reply_bulk_cstr(c, "cluster.links"); /* no cluster: 0 */
    reply_integer(c, 0);
    reply_bulk_cstr(c, "aof.buffer"); /* the AOF writes through io_uring, with no Redis-style buffer: 0 */
    reply_integer(c, 0);
    reply_bulk_cstr(c, "lua.caches"); /* no scripting: 0 */
    reply_integer(c, 0);
    reply_bulk_cstr(c, "functions.caches"); /* the libraries' structures (used_memory_functions) */
    reply_integer(c, (long long)function_overhead_memory(s->commands.functions));
    for (int i = 0; i < s->keyspace.db_count; i++) {
        struct db *db = &s->keyspace.dbs[i];
        if (db_size(db) == 0)
            continue;
        char name[32];
        snprintf(name, sizeof(name), "db.%d", i);
        reply_bulk_cstr(c, name);
        reply_map_len(c, 3);
        reply_bulk_cstr(c, "overhead.hashtable.main");
        reply_integer(c, (long long)(dict_buckets(&db->keys) * sizeof(struct dict_node *)));
        reply_bulk_cstr(c, "overhead.hashtable.expires");
        reply_integer(c, (long long)(dict_buckets(&db->expires) * sizeof(struct dict_node *) +
                                     db_expires_size(db) * sizeof(struct expire_entry)));
        reply_bulk_cstr(c, "overhead.hashtable.slot-to-keys"); /* no cluster: 0 */
        reply_integer(c, 0);
    }
    reply_bulk_cstr(c, "overhead.total");
    reply_integer(c, m.overhead);
    reply_bulk_cstr(c, "keys.count");
    reply_integer(c, keys);
    reply_bulk_cstr(c, "keys.bytes-per-key");
    reply_integer(c, keys ? net / keys : 0);
    reply_bulk_cstr(c, "dataset.bytes");
    reply_integer(c, m.dataset);
    reply_bulk_cstr(c, "dataset.percentage");
    reply_double(c, net > 0 ? (double)(float)((double)m.dataset * 100 / (double)net) : 0.0);
    reply_bulk_cstr(c, "peak.percentage");
    reply_double(c, m.peak > 0 ? (double)(float)((double)m.used * 100 / (double)m.peak) : 0.0);
    reply_bulk_cstr(c, "allocator.allocated");
    reply_integer(c, allocated);
    reply_bulk_cstr(c, "allocator.active");
    reply_integer(c, active);
    reply_bulk_cstr(c, "allocator.resident");
    reply_integer(c, resident);
    reply_bulk_cstr(c, "allocator-fragmentation.ratio");
    memory_reply_ratio(c, active, allocated);
    reply_bulk_cstr(c, "allocator-fragmentation.bytes");
    reply_integer(c, active - allocated);
    reply_bulk_cstr(c, "allocator-rss.ratio");
    memory_reply_ratio(c, resident, active);
    reply_bulk_cstr(c, "allocator-rss.bytes");
    reply_integer(c, resident - active);
    reply_bulk_cstr(c, "rss-overhead.ratio");
    memory_reply_ratio(c, m.rss, resident);
    reply_bulk_cstr(c, "rss-overhead.bytes");
    reply_integer(c, m.rss - resident);
    reply_bulk_cstr(c, "fragmentation");
    memory_reply_ratio(c, m.rss, m.used);
    reply_bulk_cstr(c, "fragmentation.bytes");
    reply_integer(c, m.rss - m.used);
}

/* ---- MEMORY DOCTOR ---- */

/* Below this much data there is nothing to judge (Redis's threshold too). */
#define MEMORY_DOCTOR_MIN_BYTES (1024 * 1024 * 5)

static void memory_doctor_command(struct client *c)
{
    struct server *s = server_of(c);
    struct server_memory m;
    server_memory_read(s, &m);
    struct buf out = {0};
    if (m.used < MEMORY_DOCTOR_MIN_BYTES) {
        server_buf_printf(&out, "This instance holds too little data (under 5 MB) for a memory "
                                "diagnosis to mean anything. Ask again once it holds a real "
                                "dataset.\n");
    } else {
        int issues = 0;
        server_buf_printf(&out, "Memory report:\n\n");
        if (m.peak > m.used + m.used / 2) {
            server_buf_printf(&out, "- The peak (%lld bytes) is more than 150%% of what is "
                                    "used now (%lld bytes): memory was freed since, and the "
                                    "fragmentation figures may look worse than they are.\n",
                              m.peak, m.used);
            issues++;
        }
        long long active = (long long)m.allocator.active;
        long long allocated = (long long)m.allocator.allocated;
        if (allocated > 0 && active > allocated + allocated / 10 &&
            active - allocated > 10 * 1024 * 1024) {
            server_buf_printf(&out, "- The allocator's pages hold %lld bytes more than the "
                                    "data allocated in them (fragmentation inside jemalloc). "
                                    "MEMORY PURGE may give some back.\n",
                              active - allocated);
            issues++;
        }
        if (m.rss > m.used + m.used / 2 && m.rss - m.used > 10 * 1024 * 1024) {
            server_buf_printf(&out, "- The process's resident memory is %lld bytes, over "
                                    "150%% of the %lld bytes in use.\n",
                              m.rss, m.used);
            issues++;
        }
        if (m.clients > 200 * 1024 * 1024) {
            server_buf_printf(&out, "- Clients use %lld bytes (their buffers): check for "
                                    "clients that read replies slowly.\n",
                              m.clients);
            issues++;
        }
        if (issues == 0)
            server_buf_printf(&out, "No memory problem was found.\n");
    }
    reply_verbatim(c, out.data, out.len, "txt");
    buf_free(&out);
}

/* ---- MALLOC-STATS, PURGE, HELP ---- */

static void memory_malloc_stats_write(void *ctx, const char *text)
{
    buf_append(ctx, text, strlen(text));
}

static void memory_malloc_stats_command(struct client *c)
{
    if (!alloc_has_stats_print()) {
        reply_bulk_cstr(c, "Stats not supported for the current allocator");
        return;
    }
    struct buf out = {0};
    alloc_stats_print(memory_malloc_stats_write, &out);
    reply_verbatim(c, out.data ? out.data : "", out.len, "txt");
    buf_free(&out);
}

static void memory_purge_command(struct client *c)
{
    if (alloc_purge() == 0)
        reply_ok(c);
    else
        reply_error(c, "Error purging dirty pages");
}

static void memory_help_command(struct client *c)
{
    static const char *const lines[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL,
    };
    reply_help(c, "MEMORY", lines);
}

/* ---- The table ---- */

#define MEMORY_TIPS "nondeterministic_output request_policy:all_shards response_policy:special"

/* In the order Redis 7.0 lists them (COMMAND INFO / DOCS). */
static struct command memory_subcommands[] = {
    {.name = "purge", .proc = memory_purge_command, .arity = 2, .acl = ACL_SLOW,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Ask the allocator to release memory", .since = "4.0.0", .group = "server",
     .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "malloc-stats", .proc = memory_malloc_stats_command, .arity = 2, .acl = ACL_SLOW,
     .tips = MEMORY_TIPS, .summary = "Show allocator internal stats", .since = "4.0.0",
     .group = "server", .complexity = "Depends on how much memory is allocated, could be slow"},
    {.name = "help", .proc = memory_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .summary = "Show helpful text about the different subcommands",
     .since = "4.0.0", .group = "server", .complexity = "O(1)"},
    {.name = "usage", .proc = memory_usage_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
     .key_specs = "RO/i2/r0,1,0", .summary = "Estimate the memory usage of a key",
     .since = "4.0.0", .group = "server", .complexity = "O(N) where N is the number of samples.",
     .arguments = "key^k#0 count^i='SAMPLES'?"},
    {.name = "doctor", .proc = memory_doctor_command, .arity = 2, .acl = ACL_SLOW,
     .tips = MEMORY_TIPS, .summary = "Outputs memory problems report", .since = "4.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "stats", .proc = memory_stats_command, .arity = 2, .acl = ACL_SLOW,
     .tips = MEMORY_TIPS, .summary = "Show memory usage details", .since = "4.0.0",
     .group = "server", .complexity = "O(1)"},
    {0},
};

struct command memory_commands[] = {
    {.name = "memory", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for memory diagnostics commands", .since = "4.0.0",
     .group = "server", .complexity = "Depends on subcommand.",
     .subcommands = memory_subcommands},
    {0},
};
