/* cmd_info.c: INFO, Redis 7.0's sections and fields. Owns which sections
 * INFO's arguments select, their order and titles, and every line's name
 * and format, checked against Redis 7.0.15; fields of what ringkv lacks
 * (replication, scripting, modules, defragmentation) keep Redis's names
 * with the values of a server that has none. Leaves the statistics to
 * whoever counts them (dispatch, reply.c, the keyspace, the RDB and AOF
 * code; the aof_* lines are aof.c's) and formatting a parameter to
 * net/config.c. Invariant: INFO sends exactly one reply and changes
 * nothing but the memory peak it reports. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/crc64.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "engine/sha1.h"
#include "net/commands/script_lua.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/dirty_keys.h"
#include "net/commands/evict.h"
#include "net/commands/function.h"
#include "net/commands/pubsub.h"
#include "net/commands/reply.h"
#include "net/commands/tracking.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/core/version.h"
#include "net/persist/aof.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"


/* Redis's bytesToHuman: B below 1 KiB, then K, M, G, T, P with two decimals. */
static void server_bytes_to_human(char *out, size_t out_len, unsigned long long n)
{
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(out, out_len, "%lluB", n);
        return;
    }
    double scaled = (double)n / 1024;
    for (size_t u = 0; u < sizeof(units) - 1; u++) {
        if (scaled < 1024 || u == sizeof(units) - 2) {
            snprintf(out, out_len, "%.2f%c", scaled, units[u]);
            return;
        }
        scaled /= 1024;
    }
}

/* config_get callback for server_config_value. */
struct server_config_value_ctx {
    char *out;
    size_t out_len;
};

static void server_config_value_emit(const char *name, const char *value, void *ctx)
{
    struct server_config_value_ctx *v = ctx;
    snprintf(v->out, v->out_len, "%s", value);
}

/* The formatted value of one parameter, as CONFIG GET shows it. */
static void server_config_value(const struct config *cfg, const char *name, char *out,
                                size_t out_len)
{
    struct server_config_value_ctx v = {out, out_len};
    out[0] = '\0';
    config_get(cfg, name, strlen(name), server_config_value_emit, &v);
}

enum info_section {
    INFO_SERVER = 1 << 0,
    INFO_CLIENTS = 1 << 1,
    INFO_MEMORY = 1 << 2,
    INFO_PERSISTENCE = 1 << 3,
    INFO_STATS = 1 << 4,
    INFO_REPLICATION = 1 << 5,
    INFO_CPU = 1 << 6,
    INFO_MODULES = 1 << 7,
    INFO_COMMANDSTATS = 1 << 8,
    INFO_ERRORSTATS = 1 << 9,
    INFO_LATENCYSTATS = 1 << 10,
    INFO_CLUSTER = 1 << 11,
    INFO_KEYSPACE = 1 << 12,
};
/* Redis 7.0: "all" is every section; the default leaves out the two
 * per-command ones. "everything" adds module sections, of which there are
 * none. */
#define INFO_ALL ((unsigned)((INFO_KEYSPACE << 1) - 1))
#define INFO_DEFAULT (INFO_ALL & ~(unsigned)(INFO_COMMANDSTATS | INFO_LATENCYSTATS))

static void info_server(struct server *s, struct buf *b);
static void info_clients(struct server *s, struct buf *b);
static void info_memory(struct server *s, struct buf *b);
static void info_persistence(struct server *s, struct buf *b);
static void info_stats(struct server *s, struct buf *b);
static void info_replication(struct server *s, struct buf *b);
static void info_cpu(struct server *s, struct buf *b);
static void info_commandstats(struct server *s, struct buf *b);
static void info_errorstats(struct server *s, struct buf *b);
static void info_cluster(struct server *s, struct buf *b);
static void info_keyspace(struct server *s, struct buf *b);

struct info_section_def {
    const char *name;  /* as INFO's arguments name it */
    const char *title; /* the "# Title" line */
    unsigned bit;
    void (*emit)(struct server *s, struct buf *b); /* NULL: header only */
};

/* In Redis's output order. Modules has no lines: there are no modules.
 * Latencystats is cmd_latency.c's. */
static const struct info_section_def info_sections[] = {
    {"server", "Server", INFO_SERVER, info_server},
    {"clients", "Clients", INFO_CLIENTS, info_clients},
    {"memory", "Memory", INFO_MEMORY, info_memory},
    {"persistence", "Persistence", INFO_PERSISTENCE, info_persistence},
    {"stats", "Stats", INFO_STATS, info_stats},
    {"replication", "Replication", INFO_REPLICATION, info_replication},
    {"cpu", "CPU", INFO_CPU, info_cpu},
    {"modules", "Modules", INFO_MODULES, NULL},
    {"commandstats", "Commandstats", INFO_COMMANDSTATS, info_commandstats},
    {"errorstats", "Errorstats", INFO_ERRORSTATS, info_errorstats},
    {"latencystats", "Latencystats", INFO_LATENCYSTATS, latency_info},
    {"cluster", "Cluster", INFO_CLUSTER, info_cluster},
    {"keyspace", "Keyspace", INFO_KEYSPACE, info_keyspace},
};

/* Redis's build id is a CRC-64 of its version and build; ringkv's is one
 * of its versions and its compiler's, the same for every run of a build. */
static unsigned long long info_build_id(void)
{
#ifdef __VERSION__
    static const char build[] = VERSION_REDIS " " VERSION_RINGKV " " __VERSION__;
#else
    static const char build[] = VERSION_REDIS " " VERSION_RINGKV;
#endif
    return (unsigned long long)crc64_update(0, build, sizeof(build) - 1);
}

static void info_server(struct server *s, struct buf *b)
{
    struct utsname uts;
    if (uname(&uts) < 0)
        memset(&uts, 0, sizeof(uts));
    long long now_us = log_clock_us();
    long long uptime_s = (now_us / 1000 - s->start_time_ms) / 1000;
#ifdef __GNUC__
    int gcc[3] = {__GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__};
#else
    int gcc[3] = {0, 0, 0};
#endif
    server_buf_printf(b,
                      "redis_version:%s\r\nringkv_version:%s\r\nredis_git_sha1:00000000\r\n"
                      "redis_git_dirty:0\r\nredis_build_id:%llx\r\nredis_mode:standalone\r\n"
                      "os:%s %s %s\r\n"
                      "arch_bits:%u\r\nmonotonic_clock:POSIX clock_gettime\r\n"
                      "multiplexing_api:io_uring\r\natomicvar_api:c11-builtin\r\n"
                      "gcc_version:%d.%d.%d\r\nprocess_id:%ld\r\n"
                      "process_supervised:no\r\nrun_id:%s\r\ntcp_port:%d\r\n"
                      "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
                      "hz:%d\r\nconfigured_hz:%d\r\nlru_clock:%u\r\nexecutable:%s\r\n"
                      "config_file:%s\r\nio_threads_active:0\r\n",
                      VERSION_REDIS, VERSION_RINGKV, info_build_id(), uts.sysname, uts.release,
                      uts.machine,
                      s->arch_bits, gcc[0], gcc[1], gcc[2], (long)s->pid, s->run_id,
                      s->config.port, now_us, uptime_s, uptime_s / 86400, s->config.hz,
                      s->config.hz, s->keyspace.lru_clock_s & SERVER_LRU_CLOCK_MAX,
                      s->executable ? s->executable : "", s->config_file ? s->config_file : "");
}

/* Memory held by one client: its struct and its buffers. */
static size_t info_client_bytes(const struct client *c)
{
    return sizeof(*c) + c->conn.query_cap + c->conn.out.cap + c->conn.sending.cap;
}

static void info_clients(struct server *s, struct buf *b)
{
    /* Redis reports the largest buffers of the last few seconds; ringkv
     * reports the largest ones now. */
    size_t input_max = 0, output_max = 0;
    int in_timeout_table = 0; /* blocked clients with a deadline */
    for (struct client *c = client_first(&s->commands); c; c = client_next(c)) {
        if ((c->flags & CLIENT_BLOCKED) && c->blocked.timeout_ms > 0)
            in_timeout_table++;
        if (c->conn.query_cap > input_max)
            input_max = c->conn.query_cap;
        if (c->conn.out.cap + c->conn.sending.cap > output_max)
            output_max = c->conn.out.cap + c->conn.sending.cap;
    }
    server_buf_printf(b,
                      "connected_clients:%d\r\ncluster_connections:0\r\nmaxclients:%d\r\n"
                      "client_recent_max_input_buffer:%zu\r\n"
                      "client_recent_max_output_buffer:%zu\r\n"
                      "blocked_clients:%d\r\ntracking_clients:%d\r\nclients_in_timeout_table:%d\r\n",
                      s->loop.conn_count - repl_replicas_connected(&s->repl), s->config.maxclients, input_max, output_max,
                      s->commands.blocked_clients, s->commands.tracking_clients, in_timeout_table);
}

/* Resident set size from /proc/self/statm, or 0 if it cannot be read. */
static long long info_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    long long pages_total = 0, pages_resident = 0;
    int n = fscanf(f, "%lld %lld", &pages_total, &pages_resident);
    fclose(f);
    return n == 2 ? pages_resident * sysconf(_SC_PAGESIZE) : 0;
}

/* What ringkv can attribute to bookkeeping rather than data, beyond what
 * start-up allocated (the receive buffers are part of that): client
 * structs and buffers, hash table bucket arrays and expiry entries. */
static long long info_memory_overhead(struct server *s, long long *clients_out)
{
    long long clients = 0;
    for (struct client *c = client_first(&s->commands); c; c = client_next(c))
        clients += (long long)info_client_bytes(c);
    *clients_out = clients;
    return clients + info_memory_tables(s, -1);
}

long long info_memory_tables(struct server *s, int db_index)
{
    long long tables = 0;
    for (int i = 0; i < s->keyspace.db_count; i++) {
        if (db_index >= 0 && i != db_index)
            continue;
        const struct db *db = &s->keyspace.dbs[i];
        uint64_t buckets = dict_buckets(&db->keys) + dict_buckets(&db->expires);
        tables += (long long)(buckets * sizeof(void *));
        tables += (long long)(db_expires_size(db) * sizeof(struct expire_entry));
    }
    return tables;
}

static double info_ratio(long long part, long long whole)
{
    return whole > 0 ? (double)part / (double)whole : 0;
}

/* The allocator_* and fragmentation lines, from jemalloc's counters. */
static void info_memory_allocator(struct buf *b, const struct alloc_stats *st, long long used,
                                  long long rss)
{
    long long allocated = (long long)st->allocated, active = (long long)st->active;
    long long resident = (long long)st->resident;
    server_buf_printf(b,
                      "allocator_frag_ratio:%.2f\r\nallocator_frag_bytes:%lld\r\n"
                      "allocator_rss_ratio:%.2f\r\nallocator_rss_bytes:%lld\r\n"
                      "rss_overhead_ratio:%.2f\r\nrss_overhead_bytes:%lld\r\n"
                      "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n",
                      info_ratio(active, allocated), active - allocated,
                      info_ratio(resident, active), resident - active, info_ratio(rss, resident),
                      rss - resident, info_ratio(rss, used), rss - used);
}

void server_memory_read(struct server *s, struct server_memory *m)
{
    alloc_stats_read(&m->allocator);
    m->used = (long long)m->allocator.used;
    if (m->used > s->stat_peak_memory)
        s->stat_peak_memory = m->used;
    m->peak = s->stat_peak_memory;
    m->startup = s->stat_startup_memory;
    m->rss = info_rss_bytes();
    m->overhead = info_memory_overhead(s, &m->clients) + m->startup;
    m->dataset = m->used > m->overhead ? m->used - m->overhead : 0;
}

static void info_memory(struct server *s, struct buf *b)
{
    struct server_memory m;
    server_memory_read(s, &m);
    struct alloc_stats st = m.allocator;
    long long used = m.used, rss = m.rss, clients = m.clients, overhead = m.overhead;
    long long dataset = m.dataset;
    long long system = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    char used_h[32], rss_h[32], peak_h[32], system_h[32], max_h[32];
    server_bytes_to_human(used_h, sizeof(used_h), (unsigned long long)used);
    server_bytes_to_human(rss_h, sizeof(rss_h), (unsigned long long)rss);
    server_bytes_to_human(peak_h, sizeof(peak_h), (unsigned long long)s->stat_peak_memory);
    server_bytes_to_human(system_h, sizeof(system_h), (unsigned long long)system);
    server_bytes_to_human(max_h, sizeof(max_h), (unsigned long long)s->config.maxmemory);
    char policy[32] = "";
    server_config_value(&s->config, "maxmemory-policy", policy, sizeof(policy));
    server_buf_printf(
        b,
        "used_memory:%lld\r\nused_memory_human:%s\r\nused_memory_rss:%lld\r\n"
        "used_memory_rss_human:%s\r\nused_memory_peak:%lld\r\nused_memory_peak_human:%s\r\n"
        "used_memory_peak_perc:%.2f%%\r\nused_memory_overhead:%lld\r\n"
        "used_memory_startup:%lld\r\n"
        "used_memory_dataset:%lld\r\nused_memory_dataset_perc:%.2f%%\r\n"
        "allocator_allocated:%zu\r\nallocator_active:%zu\r\nallocator_resident:%zu\r\n"
        "total_system_memory:%lld\r\ntotal_system_memory_human:%s\r\n",
        used, used_h, rss, rss_h, s->stat_peak_memory, peak_h,
        100 * info_ratio(used, s->stat_peak_memory), overhead, m.startup, dataset,
        100 * info_ratio(dataset, used - m.startup), st.allocated, st.active, st.resident, system, system_h);
    /* EVAL's Lua state and script cache, and the functions engine's state
     * and libraries; the totals add the two, as Redis 7.0's do. */
    size_t lua_vm = 0, lua_scripts = 0;
    long long cached_scripts = 0;
    script_eval_info(&s->commands, &lua_vm, &lua_scripts, &cached_scripts);
    const struct function_registry *fr = s->commands.functions;
    size_t fn_vm = function_vm_memory(fr), fn_bytes = function_overhead_memory(fr);
    size_t vm_total = lua_vm + fn_vm, scripts_total = lua_scripts + fn_bytes;
    char lua_vm_h[32], vm_total_h[32], scripts_h[32];
    server_bytes_to_human(lua_vm_h, sizeof(lua_vm_h), (unsigned long long)lua_vm);
    server_bytes_to_human(vm_total_h, sizeof(vm_total_h), (unsigned long long)vm_total);
    server_bytes_to_human(scripts_h, sizeof(scripts_h), (unsigned long long)scripts_total);
    server_buf_printf(b,
                      "used_memory_lua:%zu\r\nused_memory_vm_eval:%zu\r\nused_memory_lua_human:%s\r\n"
                      "used_memory_scripts_eval:%zu\r\nnumber_of_cached_scripts:%lld\r\n"
                      "number_of_functions:%zu\r\nnumber_of_libraries:%zu\r\n"
                      "used_memory_vm_functions:%zu\r\nused_memory_vm_total:%zu\r\n"
                      "used_memory_vm_total_human:%s\r\nused_memory_functions:%zu\r\n"
                      "used_memory_scripts:%zu\r\nused_memory_scripts_human:%s\r\n"
                      "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n",
                      lua_vm, lua_vm, lua_vm_h, lua_scripts, cached_scripts, function_count(fr),
                      function_lib_count(fr), fn_vm, vm_total, vm_total_h, fn_bytes,
                      scripts_total, scripts_h,
                      s->config.maxmemory, max_h, policy);
    info_memory_allocator(b, &st, used, rss);
    /* What maxmemory does not count is the AOF buffer, which is also all of
     * mem_aof_buffer (evict.h). */
    size_t not_counted = evict_not_counted_bytes(&s->commands);
    server_buf_printf(b,
                      "mem_not_counted_for_evict:%zu\r\nmem_replication_backlog:0\r\n"
                      "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\n"
                      "mem_clients_normal:%lld\r\nmem_cluster_links:0\r\nmem_aof_buffer:%zu\r\n"
                      "mem_allocator:%s\r\nactive_defrag_running:0\r\n"
                      "lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
                      not_counted, clients, not_counted, alloc_name());
}

/* The fields Redis adds while it loads: progress and an estimate. */
static void info_loading(struct server *s, struct buf *b)
{
    const struct loading_state *l = &s->persist.loading;
    int64_t now = log_clock_ms();
    double elapsed_s = (double)(now - l->start_ms) / 1000.0;
    double perc = l->total_bytes > 0 ? (double)l->loaded_bytes * 100.0 / (double)l->total_bytes : 0;
    long long eta = -1;
    if (l->loaded_bytes > 0 && elapsed_s > 0) {
        double rate = (double)l->loaded_bytes / elapsed_s;
        eta = (long long)((double)(l->total_bytes - l->loaded_bytes) / rate);
    }
    server_buf_printf(b,
                      "loading_start_time:%lld\r\nloading_total_bytes:%lld\r\n"
                      "loading_rdb_used_mem:%lld\r\nloading_loaded_bytes:%lld\r\n"
                      "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                      (long long)(l->start_ms / 1000), l->total_bytes, l->rdb_used_mem,
                      l->loaded_bytes, perc, eta);
}

/* Redis 7.0's field list. The current_* fields are the running child's
 * (BGSAVE or AOF rewrite), from the reports it sends about once a second
 * (net/persist/persist.h), all 0 when no child runs; the children's final
 * copy-on-write peak becomes rdb_last_cow_size / aof_last_cow_size. The
 * aof_* lines are aof.c's. */
static void info_persistence(struct server *s, struct buf *b)
{
    bool child = s->persist.rdb_child_pid != 0;
    long long current_s = child ? (s->loop.now_ms - s->persist.rdb_child_start_ms) / 1000 : -1;
    struct persist_child_current cur;
    persist_child_current(&s->persist, &cur);
    server_buf_printf(b, "loading:%d\r\n", s->persist.loading.active ? 1 : 0);
    server_buf_printf(b,
                      "async_loading:0\r\ncurrent_cow_peak:%llu\r\ncurrent_cow_size:%llu\r\n"
                      "current_cow_size_age:%llu\r\ncurrent_fork_perc:%.2f\r\n"
                      "current_save_keys_processed:%llu\r\ncurrent_save_keys_total:%llu\r\n",
                      (unsigned long long)cur.cow_peak_bytes, (unsigned long long)cur.cow_bytes,
                      (unsigned long long)cur.cow_age_s, cur.fork_perc,
                      (unsigned long long)cur.keys_processed, (unsigned long long)cur.keys_total);
    server_buf_printf(b,
                      "rdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
                      "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
                      "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\n"
                      "rdb_saves:%lld\r\nrdb_last_cow_size:%lld\r\nrdb_last_load_keys_expired:%lld\r\n"
                      "rdb_last_load_keys_loaded:%lld\r\n",
                      s->persist.dirty, child ? 1 : 0, (long long)s->persist.lastsave_s,
                      s->persist.rdb_last_bgsave_ok ? "ok" : "err", (long long)s->persist.rdb_last_bgsave_time_s,
                      current_s, s->persist.rdb_saves, s->persist.rdb_last_cow_size, s->persist.rdb_last_load_keys_expired,
                      s->persist.rdb_last_load_keys_loaded);
    aof_info(&s->persist, b);
    if (s->persist.aof.status != AOF_OFF) {
        /* Replies wait only for the writes they could have seen
         * (net/commands/dirty_keys.h): the keys not yet durable, and how
         * many reading replies waited. */
        struct dirty_keys_stats dk;
        dirty_keys_stats(&s->commands, &dk);
        server_buf_printf(b,
                          "ringkv_dirty_keys:%llu\r\nringkv_dirty_keys_peak:%llu\r\n"
                          "ringkv_dirty_keys_bytes:%llu\r\nringkv_dirty_keys_bytes_peak:%llu\r\n"
                          "ringkv_reads_held:%lld\r\nringkv_reads_not_held:%lld\r\n",
                          (unsigned long long)dk.keys, (unsigned long long)dk.peak,
                          (unsigned long long)dk.bytes, (unsigned long long)dk.bytes_peak,
                          dk.reads_held, dk.reads_free);
    }
    if (s->persist.loading.active)
        info_loading(s, b);
}

static void info_stats(struct server *s, struct buf *b)
{
    const struct commands_stats *st = &s->commands.stats;
    const struct loop_stats *net = &s->loop.stats;
    const struct keyspace *ks = &s->keyspace;
    long long evicted_keys, eviction_total_ms, eviction_current_ms;
    evict_stats_read(&s->commands, &evicted_keys, &eviction_total_ms, &eviction_current_ms);
    server_buf_printf(b,
                      "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
                      "instantaneous_ops_per_sec:%lld\r\ntotal_net_input_bytes:%lld\r\n"
                      "total_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:0\r\n"
                      "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:%.2f\r\n"
                      "instantaneous_output_kbps:%.2f\r\ninstantaneous_input_repl_kbps:0.00\r\n"
                      "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%lld\r\n"
                      "sync_full:%lld\r\nsync_partial_ok:%lld\r\nsync_partial_err:%lld\r\n"
                      "expired_keys:%lld\r\nexpired_stale_perc:%.2f\r\n"
                      "expired_time_cap_reached_count:%lld\r\nexpire_cycle_cpu_milliseconds:%lld\r\n"
                      "evicted_keys:%lld\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:%lld\r\n"
                      "current_eviction_exceeded_time:%lld\r\nkeyspace_hits:%lld\r\n"
                      "keyspace_misses:%lld\r\n",
                      net->total_connections_received, st->total_commands_processed,
                      st->instantaneous_ops, net->net_input_bytes, net->net_output_bytes,
                      s->instantaneous_input_kbps, s->instantaneous_output_kbps,
                      net->rejected_connections, s->repl.stat_sync_full,
                      s->repl.stat_sync_partial_ok, s->repl.stat_sync_partial_err,
                      ks->stat_expired_keys,
                      (double)ks->stat_expired_stale_percent, ks->stat_expired_time_cap_reached,
                      s->stat_expire_cycle_us / 1000, evicted_keys, eviction_total_ms,
                      eviction_current_ms, ks->stat_keyspace_hits, ks->stat_keyspace_misses);
    struct tracking_stats tracking;
    tracking_stats(&s->commands, &tracking);
    server_buf_printf(b,
                      "pubsub_channels:%lld\r\npubsub_patterns:%lld\r\npubsubshard_channels:%lld\r\n"
                      "latest_fork_usec:%lld\r\ntotal_forks:%lld\r\nmigrate_cached_sockets:0\r\n"
                      "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
                      "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
                      "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                      "current_active_defrag_time:0\r\ntracking_total_keys:%lld\r\n"
                      "tracking_total_items:%lld\r\ntracking_total_prefixes:%lld\r\n"
                      "unexpected_error_replies:%lld\r\ntotal_error_replies:%lld\r\n"
                      "dump_payload_sanitizations:0\r\ntotal_reads_processed:%lld\r\n"
                      "total_writes_processed:%lld\r\nio_threaded_reads_processed:0\r\n"
                      "io_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n"
                      "reply_buffer_expands:0\r\n",
                      pubsub_names(&s->commands, PUBSUB_CHANNEL),
                      pubsub_names(&s->commands, PUBSUB_PATTERN),
                      pubsub_names(&s->commands, PUBSUB_SHARD),
                      s->persist.stat_latest_fork_usec, s->persist.stat_total_forks,
                      tracking.keys, tracking.items, tracking.prefixes,
                      st->unexpected_error_replies, st->total_error_replies,
                      net->total_reads_processed, net->total_writes_processed);
}

static void info_replication(struct server *s, struct buf *b)
{
    repl_info(&s->repl, b);
}

static void info_cpu(struct server *s, struct buf *b)
{
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    server_buf_printf(b,
                      "used_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n"
                      "used_cpu_sys_children:%ld.%06ld\r\nused_cpu_user_children:%ld.%06ld\r\n"
                      "used_cpu_sys_main_thread:%ld.%06ld\r\n"
                      "used_cpu_user_main_thread:%ld.%06ld\r\n",
                      (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
                      (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
                      (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
                      (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec,
                      (long)thread.ru_stime.tv_sec, (long)thread.ru_stime.tv_usec,
                      (long)thread.ru_utime.tv_sec, (long)thread.ru_utime.tv_usec);
}

/* One line per command or subcommand that was called, failed or was
 * rejected. Sorted by name (Redis prints its dict order). */
static void info_commandstats(struct server *s, struct buf *b)
{
    struct command_list all = {0};
    command_list_all(&s->commands, &all);
    for (size_t i = 0; i < all.count; i++) {
        const struct command_stats *st = &all.items[i]->stats;
        if (st->calls == 0 && st->failed_calls == 0 && st->rejected_calls == 0)
            continue;
        server_buf_printf(b,
                          "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
                          "failed_calls=%lld\r\n",
                          (all.items[i])->fullname, st->calls, st->usec,
                          st->calls ? (double)st->usec / (double)st->calls : 0.0,
                          st->rejected_calls, st->failed_calls);
    }
    alloc_free(all.items);
}

static int info_error_compare(const void *a, const void *b)
{
    const struct error_stat *x = *(const struct error_stat *const *)a;
    const struct error_stat *y = *(const struct error_stat *const *)b;
    return strcmp(x->code, y->code);
}

/* Sorted by code, as Redis's radix tree keeps them. */
static void info_errorstats(struct server *s, struct buf *b)
{
    assert(s->commands.stats.errorstat_count >= 0 && s->commands.stats.errorstat_count <= COMMANDS_ERROR_CODES_MAX);
    const struct error_stat *sorted[COMMANDS_ERROR_CODES_MAX];
    for (int i = 0; i < s->commands.stats.errorstat_count; i++)
        sorted[i] = &s->commands.stats.errorstats[i];
    qsort(sorted, (size_t)s->commands.stats.errorstat_count, sizeof(sorted[0]), info_error_compare);
    for (int i = 0; i < s->commands.stats.errorstat_count; i++)
        server_buf_printf(b, "errorstat_%s:count=%lld\r\n", sorted[i]->code, sorted[i]->count);
}

static void info_cluster(struct server *s, struct buf *b)
{
    server_buf_printf(b, "cluster_enabled:0\r\n");
}

static void info_keyspace(struct server *s, struct buf *b)
{
    for (int i = 0; i < s->keyspace.db_count; i++) {
        const struct db *db = &s->keyspace.dbs[i];
        uint64_t keys = db_size(db);
        if (keys == 0)
            continue;
        server_buf_printf(b, "db%d:keys=%llu,expires=%llu,avg_ttl=%lld\r\n", i,
                          (unsigned long long)keys, (unsigned long long)db_expires_size(db),
                          db->avg_ttl_ms);
    }
}

/* The sections INFO's arguments ask for: none means the default set;
 * names are case-insensitive and unknown ones are ignored. */
static unsigned info_wanted_sections(const struct client *c)
{
    if (c->argc == 1)
        return INFO_DEFAULT;
    unsigned wanted = 0;
    for (int i = 1; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (arg_equals(a, "all") || arg_equals(a, "everything")) {
            wanted |= INFO_ALL;
        } else if (arg_equals(a, "default")) {
            wanted |= INFO_DEFAULT;
        } else {
            for (size_t j = 0; j < sizeof(info_sections) / sizeof(info_sections[0]); j++)
                if (arg_equals(a, info_sections[j].name))
                    wanted |= info_sections[j].bit;
        }
    }
    return wanted;
}

void info_command(struct client *c)
{
    unsigned wanted = info_wanted_sections(c);
    struct buf b = {0};
    for (size_t i = 0; i < sizeof(info_sections) / sizeof(info_sections[0]); i++) {
        const struct info_section_def *sec = &info_sections[i];
        if (!(wanted & sec->bit))
            continue;
        if (b.len > 0)
            buf_append(&b, "\r\n", 2);
        server_buf_printf(&b, "# %s\r\n", sec->title);
        if (sec->emit)
            sec->emit(server_of(c), &b);
    }
    reply_verbatim(c, b.data ? b.data : "", b.len, "txt");
    buf_free(&b);
}
