/* cmd_server.c: the server commands of Redis 7.0.
 *
 * Owns INFO, CONFIG (GET, SET, RESETSTAT, REWRITE, HELP), TIME, LASTSAVE,
 * DEBUG, SHUTDOWN, SAVE and BGSAVE (whose work is net/rdb_save.c's), and
 * the table entry of BGREWRITEAOF, which refuses to run until the AOF
 * exists. Replies and error texts are Redis 7.0.15's, checked against the
 * real server.
 *
 * Leaves to others: parameter parsing and formatting to net/config.c (this
 * file only applies the runtime effects of CONFIG SET), the statistics
 * themselves to whoever counts them (dispatch, reply.c, the keyspace), the
 * shutdown work to server_prepare_shutdown, SHA-1 to engine/sha1.c.
 *
 * Sections: INFO, CONFIG, TIME and LASTSAVE, DEBUG, SHUTDOWN and
 * persistence, then the command table. COMMAND lives in cmd_command.c.
 *
 * Invariant: every handler sends exactly one reply, except a successful
 * SHUTDOWN, which, as in Redis, closes the connection without one. Nothing
 * here changes the keyspace, so nothing calls server_key_modified. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "engine/sha1.h"
#include "engine/zset.h"
#include "engine/set.h"
#include "engine/hash.h"
#include "engine/list.h"
#include "net/command.h"
#include "net/config.h"
#include "net/glob.h"
#include "uring/ring_inject.h"

/* Redis's LRU clock is 24 bits of seconds; INFO lru_clock and DEBUG OBJECT
 * lru: report it in that width. */
#define SERVER_LRU_CLOCK_MAX ((1u << 24) - 1)
/* Redis's OBJ_SHARED_REFCOUNT, reported for the shared small integers. */
#define SERVER_SHARED_REFCOUNT INT_MAX
/* Redis's default repl-backlog-size, reported by INFO replication. */
#define SERVER_REPL_BACKLOG_BYTES (1024 * 1024)
/* Redis truncates names echoed in DEBUG's syntax error to this many bytes. */
#define SERVER_ECHO_BYTES_MAX 128
/* Room for one number argument copied out of argv to be NUL-terminated. */
#define SERVER_NUMBER_ARG_BYTES 64
/* DEBUG QUICKLIST-PACKED-THRESHOLD's ceiling: 4 GB less 1 MB, Redis's. */
#define DEBUG_PACKED_THRESHOLD_MAX ((1ULL << 32) - (1ULL << 20))

/* ---- Small helpers ---- */

/* Appends printf output to b. */
static void server_buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void server_buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    assert(n >= 0);
    buf_reserve(b, (size_t)n + 1);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Copies argv[i] into out (NUL-terminated, truncated to out_len - 1), for
 * the few places Redis runs atoi/strtod on an argument. */
static void server_arg_copy(const struct client *c, int i, char *out, size_t out_len)
{
    size_t n = c->argv[i].len < out_len - 1 ? c->argv[i].len : out_len - 1;
    memcpy(out, c->argv[i].ptr, n);
    out[n] = '\0';
}

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

/* ---- INFO ---- */

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

/* In Redis's output order. Modules and Latencystats have no lines: there
 * are no modules, and per-command latency percentiles are not tracked. */
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
    {"latencystats", "Latencystats", INFO_LATENCYSTATS, NULL},
    {"cluster", "Cluster", INFO_CLUSTER, info_cluster},
    {"keyspace", "Keyspace", INFO_KEYSPACE, info_keyspace},
};

static void info_server(struct server *s, struct buf *b)
{
    struct utsname uts;
    if (uname(&uts) < 0)
        memset(&uts, 0, sizeof(uts));
    long long now_us = server_ustime();
    long long uptime_s = (now_us / 1000 - s->start_time_ms) / 1000;
#ifdef __GNUC__
    int gcc[3] = {__GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__};
#else
    int gcc[3] = {0, 0, 0};
#endif
    server_buf_printf(b,
                      "redis_version:%s\r\nringkv_version:%s\r\nredis_git_sha1:00000000\r\n"
                      "redis_git_dirty:0\r\nredis_mode:standalone\r\nos:%s %s %s\r\n"
                      "arch_bits:%u\r\nmonotonic_clock:POSIX clock_gettime\r\n"
                      "multiplexing_api:io_uring\r\ngcc_version:%d.%d.%d\r\nprocess_id:%ld\r\n"
                      "process_supervised:no\r\nrun_id:%s\r\ntcp_port:%d\r\n"
                      "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
                      "hz:%d\r\nconfigured_hz:%d\r\nlru_clock:%u\r\nexecutable:%s\r\n"
                      "config_file:%s\r\nio_threads_active:0\r\n",
                      SERVER_REDIS_VERSION, SERVER_VERSION, uts.sysname, uts.release, uts.machine,
                      s->arch_bits, gcc[0], gcc[1], gcc[2], (long)s->pid, s->run_id,
                      s->config.port, now_us, uptime_s, uptime_s / 86400, s->config.hz,
                      s->config.hz, s->keyspace.lru_clock_s & SERVER_LRU_CLOCK_MAX,
                      s->executable ? s->executable : "", s->config_file ? s->config_file : "");
}

/* Memory held by one client: its struct and its buffers. */
static size_t info_client_bytes(const struct client *c)
{
    return sizeof(*c) + c->query_cap + c->out.cap + c->sending.cap;
}

static void info_clients(struct server *s, struct buf *b)
{
    /* Redis reports the largest buffers of the last few seconds; ringkv
     * reports the largest ones now. */
    size_t input_max = 0, output_max = 0;
    int in_timeout_table = 0; /* blocked clients with a deadline */
    for (const struct client *c = s->clients_head; c; c = c->next) {
        if ((c->flags & CLIENT_BLOCKED) && c->blocked.timeout_ms > 0)
            in_timeout_table++;
        if (c->query_cap > input_max)
            input_max = c->query_cap;
        if (c->out.cap + c->sending.cap > output_max)
            output_max = c->out.cap + c->sending.cap;
    }
    server_buf_printf(b,
                      "connected_clients:%d\r\ncluster_connections:0\r\nmaxclients:%d\r\n"
                      "client_recent_max_input_buffer:%zu\r\n"
                      "client_recent_max_output_buffer:%zu\r\n"
                      "blocked_clients:%d\r\ntracking_clients:0\r\nclients_in_timeout_table:%d\r\n",
                      s->connected_clients, s->config.maxclients, input_max, output_max,
                      s->blocked_clients, in_timeout_table);
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

/* What ringkv can attribute to bookkeeping rather than data: client
 * structs and buffers, hash table bucket arrays, expiry entries and the
 * receive buffers. */
static long long info_memory_overhead(struct server *s, long long *clients_out)
{
    long long clients = 0;
    for (const struct client *c = s->clients_head; c; c = c->next)
        clients += (long long)info_client_bytes(c);
    long long tables = 0;
    for (int i = 0; i < s->keyspace.db_count; i++) {
        const struct db *db = &s->keyspace.dbs[i];
        uint64_t buckets = dict_buckets(&db->keys) + dict_buckets(&db->expires);
        tables += (long long)(buckets * sizeof(void *));
        tables += (long long)(db_expires_size(db) * sizeof(struct expire_entry));
    }
    /* The provided receive buffers are allocated once, at start-up. */
    long long receive =
        s->recv_buffers ? (long long)SERVER_RECV_BUFFERS * SERVER_RECV_BUFFER_BYTES : 0;
    *clients_out = clients;
    return clients + tables + receive;
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

static void info_memory(struct server *s, struct buf *b)
{
    struct alloc_stats st;
    alloc_stats_read(&st);
    long long used = (long long)st.allocated;
    if (used > s->stat_peak_memory)
        s->stat_peak_memory = used;
    long long rss = info_rss_bytes(), clients = 0;
    long long overhead = info_memory_overhead(s, &clients);
    long long dataset = used > overhead ? used - overhead : 0;
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
        "used_memory_dataset:%lld\r\nused_memory_dataset_perc:%.2f%%\r\n"
        "allocator_allocated:%zu\r\nallocator_active:%zu\r\nallocator_resident:%zu\r\n"
        "total_system_memory:%lld\r\ntotal_system_memory_human:%s\r\n",
        used, used_h, rss, rss_h, s->stat_peak_memory, peak_h,
        100 * info_ratio(used, s->stat_peak_memory), overhead, dataset,
        100 * info_ratio(dataset, used), st.allocated, st.active, st.resident, system, system_h);
    /* No scripting engine exists, so everything scripts would use is 0. */
    server_buf_printf(b,
                      "used_memory_lua:0\r\nused_memory_vm_eval:0\r\nused_memory_lua_human:0B\r\n"
                      "used_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\n"
                      "number_of_functions:0\r\nnumber_of_libraries:0\r\n"
                      "used_memory_vm_functions:0\r\nused_memory_vm_total:0\r\n"
                      "used_memory_vm_total_human:0B\r\nused_memory_functions:0\r\n"
                      "used_memory_scripts:0\r\nused_memory_scripts_human:0B\r\n"
                      "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n",
                      s->config.maxmemory, max_h, policy);
    info_memory_allocator(b, &st, used, rss);
    server_buf_printf(b,
                      "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n"
                      "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\n"
                      "mem_clients_normal:%lld\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\n"
                      "mem_allocator:%s\r\nactive_defrag_running:0\r\n"
                      "lazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
                      clients, alloc_name());
}

/* The fields Redis adds while it loads: progress and an estimate. */
static void info_loading(struct server *s, struct buf *b)
{
    const struct loading_state *l = &s->loading;
    int64_t now = server_mstime();
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

/* Redis 7.0's field list. The children report their copy-on-write size
 * when they end (rdb_last_cow_size); the live current_cow_* fields stay 0.
 * The aof_* lines are aof.c's. */
static void info_persistence(struct server *s, struct buf *b)
{
    bool child = s->rdb_child_pid != 0;
    long long current_s = child ? (s->now_ms - s->rdb_child_start_ms) / 1000 : -1;
    server_buf_printf(b, "loading:%d\r\n", s->loading.active ? 1 : 0);
    server_buf_printf(b,
                      "async_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
                      "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\n"
                      "current_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\n"
                      "rdb_changes_since_last_save:%lld\r\nrdb_bgsave_in_progress:%d\r\n"
                      "rdb_last_save_time:%lld\r\nrdb_last_bgsave_status:%s\r\n"
                      "rdb_last_bgsave_time_sec:%lld\r\nrdb_current_bgsave_time_sec:%lld\r\n"
                      "rdb_saves:%lld\r\nrdb_last_cow_size:%lld\r\nrdb_last_load_keys_expired:%lld\r\n"
                      "rdb_last_load_keys_loaded:%lld\r\n",
                      s->dirty, child ? 1 : 0, (long long)s->lastsave_s,
                      s->rdb_last_bgsave_ok ? "ok" : "err", (long long)s->rdb_last_bgsave_time_s,
                      current_s, s->rdb_saves, s->rdb_last_cow_size, s->rdb_last_load_keys_expired,
                      s->rdb_last_load_keys_loaded);
    aof_info(s, b);
    if (s->loading.active)
        info_loading(s, b);
}

static void info_stats(struct server *s, struct buf *b)
{
    const struct server_stats *st = &s->stats;
    const struct keyspace *ks = &s->keyspace;
    server_buf_printf(b,
                      "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
                      "instantaneous_ops_per_sec:%lld\r\ntotal_net_input_bytes:%lld\r\n"
                      "total_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:0\r\n"
                      "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.00\r\n"
                      "instantaneous_output_kbps:0.00\r\ninstantaneous_input_repl_kbps:0.00\r\n"
                      "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%lld\r\n"
                      "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
                      "expired_keys:%lld\r\nexpired_stale_perc:%.2f\r\n"
                      "expired_time_cap_reached_count:%lld\r\nexpire_cycle_cpu_milliseconds:0\r\n"
                      "evicted_keys:0\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\n"
                      "current_eviction_exceeded_time:0\r\nkeyspace_hits:%lld\r\n"
                      "keyspace_misses:%lld\r\n",
                      st->total_connections_received, st->total_commands_processed,
                      st->instantaneous_ops, st->net_input_bytes, st->net_output_bytes,
                      st->rejected_connections, ks->stat_expired_keys,
                      (double)ks->stat_expired_stale_percent, ks->stat_expired_time_cap_reached,
                      ks->stat_keyspace_hits, ks->stat_keyspace_misses);
    server_buf_printf(b,
                      "pubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n"
                      "latest_fork_usec:%lld\r\ntotal_forks:%lld\r\nmigrate_cached_sockets:0\r\n"
                      "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
                      "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
                      "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                      "current_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
                      "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
                      "unexpected_error_replies:%lld\r\ntotal_error_replies:%lld\r\n"
                      "dump_payload_sanitizations:0\r\ntotal_reads_processed:%lld\r\n"
                      "total_writes_processed:%lld\r\nio_threaded_reads_processed:0\r\n"
                      "io_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n"
                      "reply_buffer_expands:0\r\n",
                      s->stat_latest_fork_usec, s->stat_total_forks,
                      st->unexpected_error_replies, st->total_error_replies,
                      st->total_reads_processed, st->total_writes_processed);
}

/* The replication id: ringkv has no replication, so it is a fixed function
 * of the run id (40 hex digits, like Redis's, and stable for the process). */
static void info_replid(const struct server *s, char hex[2 * SHA1_DIGEST_BYTES + 1])
{
    uint8_t digest[SHA1_DIGEST_BYTES];
    struct sha1 ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, "replid:", 7);
    sha1_update(&ctx, s->run_id, strlen(s->run_id));
    sha1_final(&ctx, digest);
    sha1_to_hex(digest, hex);
}

static void info_replication(struct server *s, struct buf *b)
{
    char replid[2 * SHA1_DIGEST_BYTES + 1];
    info_replid(s, replid);
    server_buf_printf(b,
                      "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
                      "master_replid:%s\r\n"
                      "master_replid2:0000000000000000000000000000000000000000\r\n"
                      "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
                      "repl_backlog_size:%d\r\nrepl_backlog_first_byte_offset:0\r\n"
                      "repl_backlog_histlen:0\r\n",
                      replid, SERVER_REPL_BACKLOG_BYTES);
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
    command_list_all(s, &all);
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
    assert(s->errorstat_count >= 0 && s->errorstat_count <= SERVER_ERROR_CODES_MAX);
    const struct error_stat *sorted[SERVER_ERROR_CODES_MAX];
    for (int i = 0; i < s->errorstat_count; i++)
        sorted[i] = &s->errorstats[i];
    qsort(sorted, (size_t)s->errorstat_count, sizeof(sorted[0]), info_error_compare);
    for (int i = 0; i < s->errorstat_count; i++)
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

static void info_command(struct client *c)
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
            sec->emit(c->server, &b);
    }
    reply_verbatim(c, b.data ? b.data : "", b.len, "txt");
    buf_free(&b);
}

/* ---- CONFIG ---- */

/* Replies a help text as Redis's addReplyHelp does: one status line each,
 * after the "<NAME> <subcommand> ..." header and before HELP's own entry. */

/* CONFIG GET with several patterns returns each parameter once: the names
 * already sent are kept, NUL-separated, in `sent`. */
struct config_get_ctx {
    struct client *c;
    struct buf sent;
    long long pairs;
};

static bool config_get_was_sent(const struct buf *sent, const char *name)
{
    for (size_t at = 0; at < sent->len; at += strlen(sent->data + at) + 1)
        if (strcasecmp(sent->data + at, name) == 0)
            return true;
    return false;
}

static void config_get_emit(const char *name, const char *value, void *ctx)
{
    struct config_get_ctx *get = ctx;
    if (config_get_was_sent(&get->sent, name))
        return;
    buf_append(&get->sent, name, strlen(name) + 1);
    reply_bulk_cstr(get->c, name);
    reply_bulk_cstr(get->c, value);
    get->pairs++;
}

static void config_get_command(struct client *c)
{
    struct config_get_ctx get = {.c = c};
    size_t handle = reply_defer_len(c);
    for (int i = 2; i < c->argc; i++)
        config_get(&c->server->config, c->argv[i].ptr, c->argv[i].len, config_get_emit, &get);
    reply_set_defer_len(c, handle, get.pairs, '%');
    buf_free(&get.sent);
}

/* config_set's `changed` callback: the runtime effects of a new value that
 * belong to no other module. Parameters read where they are used (hz,
 * timeout, active-expire-effort, ...) need nothing here. */
static void config_set_changed(const char *name, void *ctx)
{
    struct server *s = ctx;
    server_apply_config(s);
    if (strcmp(name, "appendonly") == 0) {
        char err[256];
        if (aof_set_enabled(s, s->config.appendonly, err, sizeof(err)) < 0) {
            server_log(s, LOGLEVEL_WARNING, "%s", err);
            s->config.appendonly = false;
        }
    } else if (strcmp(name, "appendfsync") == 0) {
        aof_set_fsync_policy(s);
    }
    if (strcmp(name, "dir") == 0) {
        /* The server works inside its data directory, as Redis does. */
        int ret = server_chdir(s);
        if (ret < 0)
            server_log(s, LOGLEVEL_WARNING, "Can't chdir to '%s': %s", s->config.dir,
                       strerror(-ret));
    }
}

static void config_set_command(struct client *c)
{
    if ((c->argc - 2) % 2 != 0) {
        reply_error_syntax(c);
        return;
    }
    int pairs = (c->argc - 2) / 2;
    const char **names = alloc_bytes(sizeof(char *) * (size_t)pairs * 2);
    const char **values = names + pairs;
    size_t *lens = alloc_bytes(sizeof(size_t) * (size_t)pairs * 2);
    size_t *value_lens = lens + pairs;
    for (int i = 0; i < pairs; i++) {
        names[i] = c->argv[2 + 2 * i].ptr;
        lens[i] = c->argv[2 + 2 * i].len;
        values[i] = c->argv[3 + 2 * i].ptr;
        value_lens[i] = c->argv[3 + 2 * i].len;
    }
    char err[512];
    if (config_set(&c->server->config, pairs, names, lens, values, value_lens, config_set_changed,
                   c->server, err, sizeof(err)) < 0)
        reply_error(c, err);
    else
        reply_ok(c);
    alloc_free(names);
    alloc_free(lens);
}

static void command_reset_stats(struct command *cmd, void *ctx)
{
    memset(&cmd->stats, 0, sizeof(cmd->stats));
    for (struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        memset(&sub->stats, 0, sizeof(sub->stats));
}

/* What Redis's CONFIG RESETSTAT clears: the server and keyspace counters,
 * every command's statistics, the error counters and the save and fork
 * counts. The memory peak and the last save's time and status are left
 * alone, as in Redis. */
static void config_resetstat_command(struct client *c)
{
    struct server *s = c->server;
    memset(&s->stats, 0, sizeof(s->stats));
    s->stats.ops_sample_time_ms = s->now_ms;
    struct keyspace *ks = &s->keyspace;
    ks->stat_expired_keys = 0;
    ks->stat_expired_stale_percent = 0;
    ks->stat_expired_time_cap_reached = 0;
    ks->stat_keyspace_hits = 0;
    ks->stat_keyspace_misses = 0;
    command_for_each(s, command_reset_stats, NULL);
    s->errorstat_count = 0;
    s->rdb_saves = 0;
    s->stat_total_forks = 0;
    s->stat_latest_fork_usec = 0;
    reply_ok(c);
}

static void config_rewrite_command(struct client *c)
{
    if (!c->server->config_file) {
        reply_error(c, "The server is running without a config file");
        return;
    }
    reply_error(c, "CONFIG REWRITE is not supported yet");
}

static void config_help_command(struct client *c)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };
    reply_help(c, "CONFIG", lines);
}

/* ---- TIME and LASTSAVE ---- */

static void time_command(struct client *c)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    reply_array_len(c, 2);
    reply_bulk_ll(c, (long long)tv.tv_sec);
    reply_bulk_ll(c, (long long)tv.tv_usec);
}

static void lastsave_command(struct client *c)
{
    reply_integer(c, (long long)c->server->lastsave_s);
}

/* ---- DEBUG ---- */

/* Redis 7.0's protected-command rule: enable-debug-command "yes" allows
 * everyone, "local" only loopback peers (exactly 127.0.0.1 or ::1) and
 * internal clients, "no" nobody. */
static bool debug_allowed(const struct client *c)
{
    int mode = c->server->config.enable_debug_command;
    if (mode == 1)
        return true;
    if (mode != 2)
        return false;
    if (c->fd < 0)
        return true;
    const char *colon = strrchr(c->addr, ':');
    size_t ip_len = colon ? (size_t)(colon - c->addr) : strlen(c->addr);
    return (ip_len == 9 && memcmp(c->addr, "127.0.0.1", 9) == 0) ||
           (ip_len == 3 && memcmp(c->addr, "::1", 3) == 0);
}

/* The digest steps of Redis's DEBUG DIGEST: xor folds SHA1(data) into the
 * digest; mix does that and then replaces the digest by its own SHA1, so
 * the order of mixed items matters while xor-ed ones commute. */
static void debug_digest_xor(uint8_t digest[SHA1_DIGEST_BYTES], const void *data, size_t len)
{
    uint8_t hash[SHA1_DIGEST_BYTES];
    sha1_bytes(data, len, hash);
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++)
        digest[i] ^= hash[i];
}

static void debug_digest_mix(uint8_t digest[SHA1_DIGEST_BYTES], const void *data, size_t len)
{
    debug_digest_xor(digest, data, len);
    uint8_t copy[SHA1_DIGEST_BYTES];
    memcpy(copy, digest, sizeof(copy));
    sha1_bytes(copy, sizeof(copy), digest);
}

static void debug_digest_mix_u32(uint8_t digest[SHA1_DIGEST_BYTES], uint32_t v)
{
    uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    debug_digest_mix(digest, be, sizeof(be));
}

static void debug_digest_list(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES]);

/* Per-element digests of the collection types, as Redis's DEBUG DIGEST
 * builds them: set members are xor-ed (order free), hash pairs and zset
 * (member, score) pairs are each mixed into an element digest that is then
 * xor-ed, list elements are mixed in order. */
static void debug_digest_set(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES])
{
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e))
        debug_digest_xor(digest, e.ptr, e.len);
    set_iter_done(&it);
}

static void debug_digest_hash(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES])
{
    struct hash_iter it;
    struct hash_text field, value;
    hash_iter_init(&it, (struct kv *)kv);
    while (hash_iter_next(&it, &field, &value)) {
        uint8_t element[SHA1_DIGEST_BYTES] = {0};
        debug_digest_mix(element, field.ptr, field.len);
        debug_digest_mix(element, value.ptr, value.len);
        debug_digest_xor(digest, element, sizeof(element));
    }
    hash_iter_done(&it);
}

static void debug_digest_zset(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES])
{
    if (zset_length(kv) == 0)
        return;
    struct zset_iter it;
    for (zset_iter_at_rank(&it, (struct kv *)kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        char score[64];
        int len = snprintf(score, sizeof(score), "%.17g", e.score);
        uint8_t element[SHA1_DIGEST_BYTES] = {0};
        debug_digest_mix(element, e.member, e.len);
        debug_digest_mix(element, score, (size_t)len);
        debug_digest_xor(digest, element, sizeof(element));
    }
}

/* Folds a value (its type, contents and whether it expires) into digest. */
static void debug_digest_value(const struct db *db, const struct kv *kv,
                               uint8_t digest[SHA1_DIGEST_BYTES])
{
    debug_digest_mix_u32(digest, kv->type);
    switch ((enum kv_type)kv->type) {
    case KV_STRING:
        debug_digest_mix(digest, kv_string_const(kv), kv->val_len);
        break;
    case KV_SET:
        debug_digest_set(kv, digest);
        break;
    case KV_HASH:
        debug_digest_hash(kv, digest);
        break;
    case KV_ZSET:
        debug_digest_zset(kv, digest);
        break;
    case KV_LIST:
        debug_digest_list(kv, digest);
        break;
    }
    if (db_get_expire(db, kv) != -1)
        debug_digest_xor(digest, "!!expire!!", 10);
}

static void debug_digest_list(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES])
{
    /* Lists are mixed element by element, so their order counts. */
    struct list_iter it;
    struct list_entry e;
    for (list_iter_init(&it, kv_object(kv), 0, true); list_iter_valid(&it); list_iter_next(&it)) {
        list_iter_get(&it, &e);
        debug_digest_mix(digest, e.str, e.len);
    }
}

/* DEBUG DIGEST: all zeros for an empty keyspace. Keys already expired but
 * not yet deleted count, as in Redis, which reads the tables directly. */
static void debug_digest(struct client *c)
{
    struct keyspace *ks = &c->server->keyspace;
    uint8_t final[SHA1_DIGEST_BYTES] = {0};
    for (int i = 0; i < ks->db_count; i++) {
        struct db *db = &ks->dbs[i];
        if (db_size(db) == 0)
            continue;
        debug_digest_mix_u32(final, (uint32_t)i);
        struct dict_iter it;
        dict_iter_init(&it, &db->keys);
        struct dict_node *node;
        while ((node = dict_iter_next(&it)) != NULL) {
            const struct kv *kv = (const struct kv *)node;
            uint8_t digest[SHA1_DIGEST_BYTES] = {0};
            debug_digest_mix(digest, kv_key(kv), kv->key_len);
            debug_digest_value(db, kv, digest);
            debug_digest_xor(final, digest, sizeof(digest));
        }
        dict_iter_done(&it);
    }
    char hex[2 * SHA1_DIGEST_BYTES + 1];
    sha1_to_hex(final, hex);
    reply_status(c, hex);
}

static void debug_digest_value_command(struct client *c)
{
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        uint8_t digest[SHA1_DIGEST_BYTES] = {0};
        struct kv *kv = db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, DB_LOOKUP_NOTOUCH);
        if (kv)
            debug_digest_value(c->db, kv, digest);
        char hex[2 * SHA1_DIGEST_BYTES + 1];
        sha1_to_hex(digest, hex);
        reply_status(c, hex);
    }
}

/* Bytes of an RDB length prefix for len. */
static size_t debug_rdb_length_bytes(size_t len)
{
    if (len < 64)
        return 1;
    if (len < 16384)
        return 2;
    return len <= UINT32_MAX ? 5 : 9;
}

/* The size Redis's RDB writer gives a string value (DEBUG OBJECT's
 * serializedlength): small integers take an integer encoding, anything
 * else a length and the bytes. Redis also tries LZF on strings over 20
 * bytes when rdbcompression is on; ringkv has no LZF yet, so compressible
 * long strings report their uncompressed size. */
static size_t debug_serialized_length(const struct kv *kv)
{
    if (kv->type != KV_STRING)
        return 0; /* collections: reported when their RDB encoding exists */
    const char *v = kv_string_const(kv);
    long long n;
    if ((kv->encoding == KV_ENC_INT || kv->val_len <= 11) && number_parse_ll(v, kv->val_len, &n)) {
        if (n >= INT8_MIN && n <= INT8_MAX)
            return 2;
        if (n >= INT16_MIN && n <= INT16_MAX)
            return 3;
        if (n >= INT32_MIN && n <= INT32_MAX)
            return 5;
    }
    return debug_rdb_length_bytes(kv->val_len) + kv->val_len;
}

/* Whether Redis would hold this value as one of its shared integers: an
 * int-encoded string below 10000, unless an LRU or LFU policy with a
 * memory limit needs per-object access data. */
static bool debug_value_is_shared(const struct server *s, const struct kv *kv)
{
    if (kv->type != KV_STRING || kv->encoding != KV_ENC_INT)
        return false;
    int policy = s->config.maxmemory_policy;
    bool per_object = policy == MAXMEMORY_VOLATILE_LRU || policy == MAXMEMORY_VOLATILE_LFU ||
                      policy == MAXMEMORY_ALLKEYS_LRU || policy == MAXMEMORY_ALLKEYS_LFU;
    if (s->config.maxmemory != 0 && per_object)
        return false;
    long long n;
    return number_parse_ll(kv_string_const(kv), kv->val_len, &n) && n >= 0 &&
           n < KV_SHARED_INTEGERS;
}

static void debug_object(struct client *c)
{
    struct server *s = c->server;
    struct kv *kv = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len,
                              DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOEXPIRE);
    if (!kv) {
        reply_error(c, "no such key");
        return;
    }
    uint32_t clock = s->keyspace.lru_clock_s;
    unsigned long long idle = clock > kv->lru ? clock - kv->lru : 0;
    char line[256];
    snprintf(line, sizeof(line),
             "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%llu",
             (void *)kv, debug_value_is_shared(s, kv) ? SERVER_SHARED_REFCOUNT : 1,
             kv_encoding_name(kv->encoding), debug_serialized_length(kv),
             kv->lru & SERVER_LRU_CLOCK_MAX, idle);
    reply_status(c, line);
}

/* DEBUG PROTOCOL <type>: Redis's fixed sample of each reply type, which
 * client libraries use to test their parsers. */
static void debug_protocol(struct client *c)
{
    const struct resp_arg *type = &c->argv[2];
    bool resp3 = c->resp == 3;
    if (arg_equals(type, "string")) {
        reply_bulk_cstr(c, "Hello World");
    } else if (arg_equals(type, "integer")) {
        reply_integer(c, 12345);
    } else if (arg_equals(type, "double")) {
        reply_double(c, 3.141);
    } else if (arg_equals(type, "bignum")) {
        static const char big[] = "1234567999999999999999999999999999999";
        if (resp3) {
            reply_raw(c, "(", 1);
            reply_raw(c, big, sizeof(big) - 1);
            reply_raw(c, "\r\n", 2);
        } else {
            reply_bulk(c, big, sizeof(big) - 1);
        }
    } else if (arg_equals(type, "null")) {
        reply_null(c);
    } else if (arg_equals(type, "array") || arg_equals(type, "set")) {
        if (arg_equals(type, "set"))
            reply_set_len(c, 3);
        else
            reply_array_len(c, 3);
        for (int i = 0; i < 3; i++)
            reply_integer(c, i);
    } else if (arg_equals(type, "map")) {
        reply_map_len(c, 3);
        for (int i = 0; i < 3; i++) {
            reply_integer(c, i);
            reply_bool(c, i == 1);
        }
    } else if (arg_equals(type, "attrib")) {
        if (resp3) {
            reply_raw(c, "|1\r\n", 4);
            reply_bulk_cstr(c, "key-popularity");
            reply_array_len(c, 2);
            reply_bulk_cstr(c, "key:123");
            reply_integer(c, 90);
        }
        reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (arg_equals(type, "push")) {
        if (!resp3) {
            reply_error(c, "RESP2 is not supported by this command");
            return;
        }
        reply_raw(c, ">2\r\n", 4);
        reply_bulk_cstr(c, "server-cpu-usage");
        reply_integer(c, 42);
        reply_bulk_cstr(c, "Some real reply following the push reply");
    } else if (arg_equals(type, "verbatim")) {
        static const char text[] = "This is a verbatim\nstring";
        reply_verbatim(c, text, sizeof(text) - 1, "txt");
    } else if (arg_equals(type, "true") || arg_equals(type, "false")) {
        reply_bool(c, arg_equals(type, "true"));
    } else {
        reply_error(c, "Wrong protocol type name. Please use one of the following: "
                       "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                       "true|false");
    }
}

/* DEBUG SLEEP <seconds>: blocks the whole server, as Redis does. Like
 * Redis's strtod, text that is not a number sleeps for 0 seconds. */
static void debug_sleep(struct client *c)
{
    char text[SERVER_NUMBER_ARG_BYTES];
    server_arg_copy(c, 2, text, sizeof(text));
    double seconds = strtod(text, NULL);
    long long usec = (long long)(seconds * 1000000);
    if (usec > 0) {
        struct timespec ts = {.tv_sec = usec / 1000000, .tv_nsec = (usec % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
    reply_ok(c);
}

/* DEBUG SET-ACTIVE-EXPIRE <0|1>: atoi semantics, any non-zero enables. */
static void debug_set_active_expire(struct client *c)
{
    char text[SERVER_NUMBER_ARG_BYTES];
    server_arg_copy(c, 2, text, sizeof(text));
    c->server->keyspace.active_expire_enabled = atoi(text) != 0;
    reply_ok(c);
}

/* DEBUG ERROR <message>: the message is sent as the whole error line,
 * code and all, and (as in Redis) not counted as an error reply. */
static void debug_error(struct client *c)
{
    size_t start = c->out.len;
    reply_raw(c, "-", 1);
    reply_raw(c, c->argv[2].ptr, c->argv[2].len);
    for (size_t i = start; i < c->out.len; i++)
        if (c->out.data[i] == '\r' || c->out.data[i] == '\n')
            c->out.data[i] = ' ';
    reply_raw(c, "\r\n", 2);
}

/* Lists won't be built as quicklists until the collections exist; the
 * value is checked as Redis does and otherwise has no effect yet. */
static void debug_quicklist_packed_threshold(struct client *c)
{
    long long bytes;
    if (config_parse_memory(c->argv[2].ptr, c->argv[2].len, &bytes) < 0 || bytes < 0 ||
        (unsigned long long)bytes > DEBUG_PACKED_THRESHOLD_MAX) {
        reply_error(c, "argument must be a memory value bigger than 1 and smaller than 4gb");
        return;
    }
    reply_ok(c);
}

/* The replication id is derived from the run id (see info_replid) and
 * nothing replicates yet, so there is nothing to change. */
static void debug_change_repl_id(struct client *c)
{
    server_log(c->server, LOGLEVEL_NOTICE,
               "Changing replication IDs after receiving DEBUG change-repl-id");
    reply_ok(c);
}

/* DEBUG POPULATE <count> [prefix] [size]: creates <prefix>:<n> keys (prefix
 * "key") holding "value:<n>", cut or zero-padded to size when not 0, for n
 * in [0, count); keys that exist are left alone. As in Redis, nothing is
 * logged to the AOF and the dirty counter does not move. */
static void debug_populate(struct client *c)
{
    static const char *const positive = "value is out of range, must be positive";
    long long count, size = 0;
    if (!arg_get_ll(c, 2, &count, positive))
        return;
    if (count < 0) {
        reply_error(c, positive);
        return;
    }
    if (c->argc == 5 && !arg_get_ll(c, 4, &size, positive))
        return;
    if (size < 0) {
        reply_error(c, positive);
        return;
    }
    const char *prefix = c->argc >= 4 ? c->argv[3].ptr : "key";
    int prefix_len = c->argc >= 4 ? (int)c->argv[3].len : 3;
    struct buf key = {0}, val = {0};
    for (long long i = 0; i < count; i++) {
        key.len = 0;
        server_buf_printf(&key, "%.*s:%lld", prefix_len, prefix, i);
        if (db_lookup(c->db, key.data, key.len, DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH))
            continue;
        val.len = 0;
        server_buf_printf(&val, "value:%lld", i);
        if (size > 0) { /* 0: the plain "value:<n>" */
            size_t want = (size_t)size;
            if (val.len > want)
                val.len = want;
            while (val.len < want)
                buf_append(&val, "", 1);
        }
        db_add(c->db, kv_new_string(key.data, key.len, val.data, val.len, -1));
    }
    buf_free(&key);
    buf_free(&val);
    reply_ok(c);
}

/* DEBUG LOADAOF: sync the AOF, empty the keyspace, load the AOF again. */
static void debug_loadaof(struct client *c)
{
    char err[512];
    if (aof_debug_reload(c->server, err, sizeof(err)) < 0) {
        server_log(c->server, LOGLEVEL_WARNING, "DEBUG LOADAOF: %s", err);
        reply_error(c, strncmp(err, "ERR ", 4) == 0 ? err : "Error loading the AOF, check server logs.");
        return;
    }
    server_log(c->server, LOGLEVEL_WARNING, "Append Only File loaded by DEBUG LOADAOF");
    reply_ok(c);
}

/* DEBUG RELOAD [NOSAVE] [NOFLUSH]: save, empty every database, load the
 * file back, as Redis does (MERGE is not supported). */
static void debug_reload(struct client *c)
{
    struct server *s = c->server;
    bool save = true, flush = true;
    for (int i = 2; i < c->argc; i++) {
        if (arg_equals(&c->argv[i], "nosave")) {
            save = false;
        } else if (arg_equals(&c->argv[i], "noflush")) {
            flush = false;
        } else {
            reply_error(c, "DEBUG RELOAD only supports the NOSAVE and NOFLUSH options.");
            return;
        }
    }
    if (save && rdb_save_blocking(s) < 0) {
        reply_error(c, "Error trying to save the RDB dump, check server logs.");
        return;
    }
    if (flush) {
        /* Watchers and blocked clients see the flush; the save counter
         * does not (the data did not change once reloaded). */
        long long dirty = s->dirty;
        struct keyspace *ks = &s->keyspace;
        for (int i = 0; i < ks->db_count; i++) {
            server_key_modified(s, &ks->dbs[i], NULL, 0);
            db_flush(&ks->dbs[i]);
        }
        s->dirty = dirty;
    }
    bool found;
    char err[512];
    if (rdb_save_load_file(s, &found, err, sizeof(err)) < 0 || !found) {
        server_log(s, LOGLEVEL_WARNING, "%s", found ? err : "DEBUG RELOAD: no RDB file");
        reply_error(c, "Error trying to load the RDB dump, check server logs.");
        return;
    }
    server_log(s, LOGLEVEL_WARNING, "DB reloaded by DEBUG RELOAD");
    reply_ok(c);
}

static void debug_log(struct client *c)
{
    server_log(c->server, LOGLEVEL_WARNING, "DEBUG LOG: %.*s", (int)c->argv[2].len,
               c->argv[2].ptr);
    reply_ok(c);
}

/* The errors DEBUG RINGKV-AOF-FAULT can arm: what a disk reports (EIO,
 * ENOSPC, EDQUOT, EFBIG, EROFS), what a bad fd gives (EBADF), and the
 * no-progress outcomes the writer retries (EINTR, EAGAIN, ECANCELED). */
static const struct {
    const char *name; /* lower case, for arg_equals */
    int error;        /* -errno */
} debug_fault_errors[] = {
    {"eio", -EIO},       {"enospc", -ENOSPC}, {"edquot", -EDQUOT},
    {"efbig", -EFBIG},   {"erofs", -EROFS},   {"ebadf", -EBADF},
    {"eintr", -EINTR},   {"eagain", -EAGAIN}, {"ecanceled", -ECANCELED},
};

/* Sets *error to the -errno an error name stands for, or 0 for "off".
 * Returns false when the name is neither. */
static bool debug_fault_error(const struct resp_arg *name, int *error)
{
    *error = 0;
    if (arg_equals(name, "off"))
        return true;
    for (size_t i = 0; i < sizeof(debug_fault_errors) / sizeof(debug_fault_errors[0]); i++) {
        if (arg_equals(name, debug_fault_errors[i].name)) {
            *error = debug_fault_errors[i].error;
            return true;
        }
    }
    return false;
}

/* Parses argv[i] as a number in [min, max]; replies and returns false if
 * it is not one. */
static bool debug_fault_number(struct client *c, int i, const char *name, long long min,
                               long long max, long long *out)
{
    if (!arg_get_ll(c, i, out, NULL))
        return false;
    if (*out < min || *out > max) {
        reply_errorf(c, "%s must be between %lld and %lld", name, min, max);
        return false;
    }
    return true;
}

/* DEBUG RINGKV-AOF-FAULT <write|fsync> <errno-name|off> [<skip> [<count>]],
 * or DEBUG RINGKV-AOF-FAULT off: arms a fault of the AOF writer's ring
 * (uring/ring_inject.h), for fault tests. After <skip> (default 0) more
 * writes or fsyncs pass, the next <count> (default, or -1: all, until
 * disarmed) fail with the error instead of reaching the file. Arming a kind
 * replaces its previous fault; ops already submitted are not affected. */
static void debug_ringkv_aof_fault(struct client *c)
{
    struct ring_inject *inject = &c->server->aof.inject;
    if (c->argc == 3) {
        if (!arg_equals(&c->argv[2], "off")) {
            reply_error_syntax(c);
            return;
        }
        ring_inject_clear(inject);
        server_log(c->server, LOGLEVEL_WARNING, "DEBUG RINGKV-AOF-FAULT: every fault cleared");
        reply_ok(c);
        return;
    }
    enum ring_op_kind kind;
    if (arg_equals(&c->argv[2], "write")) {
        kind = RING_OP_WRITE;
    } else if (arg_equals(&c->argv[2], "fsync")) {
        kind = RING_OP_FSYNC;
    } else {
        reply_error(c, "Unknown fault kind, must be WRITE or FSYNC");
        return;
    }
    int error;
    if (!debug_fault_error(&c->argv[3], &error)) {
        reply_error(c, "Unknown error name, must be OFF, EIO, ENOSPC, EDQUOT, EFBIG, EROFS, EBADF, "
                       "EINTR, EAGAIN or ECANCELED");
        return;
    }
    if (error == 0 && c->argc > 4) {
        reply_error_syntax(c);
        return;
    }
    long long skip = 0, count = -1;
    if (c->argc >= 5 && !debug_fault_number(c, 4, "skip", 0, UINT32_MAX, &skip))
        return;
    if (c->argc == 6 && !debug_fault_number(c, 5, "count", -1, UINT32_MAX, &count))
        return;
    if (count == 0) {
        reply_error(c, "count must be positive, or -1 for no limit");
        return;
    }
    ring_inject_arm(inject, kind, error, (uint32_t)skip, count < 0 ? UINT32_MAX : (uint32_t)count);
    server_log(c->server, LOGLEVEL_WARNING,
               "DEBUG RINGKV-AOF-FAULT: %s %.*s, skip %lld, count %lld",
               kind == RING_OP_WRITE ? "write" : "fsync", (int)c->argv[3].len, c->argv[3].ptr,
               skip, count);
    reply_ok(c);
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "QUICKLIST-PACKED-THRESHOLD <size>",
        "    Sets the threshold for elements to be inserted as plain vs packed nodes",
        "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        "RINGKV-AOF-FAULT <WRITE|FSYNC> <errno-name|OFF> [<skip> [<count>]]",
        "    Make the next <count> AOF writes or fsyncs, after <skip> more succeed,",
        "    fail with the error (EIO, ENOSPC, EDQUOT, EFBIG, EROFS, EBADF, EINTR, EAGAIN,",
        "    ECANCELED) without reaching the file. <skip> defaults to 0, <count> to -1",
        "    (until disarmed). OFF disarms the kind.",
        "RINGKV-AOF-FAULT OFF",
        "    Disarm every AOF fault.",
        NULL,
    };
    reply_help(c, "DEBUG", lines);
}

struct debug_subcommand {
    const char *name;
    int argc_min, argc_max; /* whole command line, "DEBUG" included */
    void (*proc)(struct client *c);
};

static const struct debug_subcommand debug_subcommands[] = {
    {"help", 2, 2, debug_help},
    {"object", 3, 3, debug_object},
    {"digest", 2, 2, debug_digest},
    {"digest-value", 2, INT_MAX, debug_digest_value_command},
    {"sleep", 3, 3, debug_sleep},
    {"set-active-expire", 3, 3, debug_set_active_expire},
    {"error", 3, 3, debug_error},
    {"protocol", 3, 3, debug_protocol},
    {"quicklist-packed-threshold", 3, 3, debug_quicklist_packed_threshold},
    {"change-repl-id", 2, 2, debug_change_repl_id},
    {"reload", 2, INT_MAX, debug_reload},
    {"loadaof", 2, 2, debug_loadaof},
    {"populate", 3, 5, debug_populate},
    {"log", 3, 3, debug_log},
    {"ringkv-aof-fault", 3, 6, debug_ringkv_aof_fault},
};

static void debug_command(struct client *c)
{
    if (!debug_allowed(c)) {
        /* Redis rejects this before running the command: a rejected call,
         * not a failed one. */
        struct command *cmd = (struct command *)c->cmd;
        c->cmd = NULL;
        reply_error(c, "DEBUG command not allowed. If the enable-debug-command option is set to "
                       "\"local\", you can run it from a local connection, otherwise you need to "
                       "set this option in the configuration file, and then restart the server.");
        c->cmd = cmd;
        if (cmd)
            cmd->stats.rejected_calls++;
        return;
    }
    for (size_t i = 0; i < sizeof(debug_subcommands) / sizeof(debug_subcommands[0]); i++) {
        const struct debug_subcommand *sub = &debug_subcommands[i];
        if (arg_equals(&c->argv[1], sub->name) && c->argc >= sub->argc_min &&
            c->argc <= sub->argc_max) {
            sub->proc(c);
            return;
        }
    }
    int len = c->argv[1].len > SERVER_ECHO_BYTES_MAX ? SERVER_ECHO_BYTES_MAX : (int)c->argv[1].len;
    reply_errorf(c, "unknown subcommand or wrong number of arguments for '%.*s'. Try DEBUG HELP.",
                 len, c->argv[1].ptr);
}

/* ---- SHUTDOWN and persistence ---- */

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. On success nothing is
 * replied: the connection closes as the server exits, as in Redis. Shutdown
 * here is immediate, so there is never one in progress to ABORT. */
static void shutdown_command(struct client *c)
{
    /* NOW changes nothing: there is no replica to wait for. FORCE exits
     * even when the final save fails. */
    bool save = false, nosave = false, now = false, force = false, abort_requested = false;
    for (int i = 1; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (arg_equals(a, "nosave"))
            nosave = true;
        else if (arg_equals(a, "save"))
            save = true;
        else if (arg_equals(a, "now"))
            now = true;
        else if (arg_equals(a, "force"))
            force = true;
        else if (arg_equals(a, "abort"))
            abort_requested = true;
        else {
            reply_error_syntax(c);
            return;
        }
    }
    if ((abort_requested && (save || nosave || now || force)) || (save && nosave)) {
        reply_error_syntax(c);
        return;
    }
    if (abort_requested) {
        reply_error(c, "No shutdown in progress.");
        return;
    }
    char err[256];
    if (server_prepare_shutdown_force(c->server, save, nosave, force, err, sizeof(err)) < 0) {
        reply_error(c, err);
        return;
    }
    c->server->shutdown_asap = true;
}

static void save_command(struct client *c)
{
    struct server *s = c->server;
    if (s->rdb_child_pid != 0) {
        reply_error(c, "Background save already in progress");
        return;
    }
    if (rdb_save_blocking(s) == 0)
        reply_ok(c);
    else
        reply_error(c, "-ERR");
}

/* BGSAVE [SCHEDULE]: one child at a time, as in Redis 7.0; while an AOF
 * rewrite runs (or inside EXEC) the save can be scheduled instead. */
static void bgsave_command(struct client *c)
{
    struct server *s = c->server;
    if (c->argc > 2 || (c->argc == 2 && !arg_equals(&c->argv[1], "schedule"))) {
        reply_error_syntax(c);
        return;
    }
    bool schedule = c->argc == 2;
    bool in_exec = (c->flags & CLIENT_DENY_BLOCKING) != 0;
    if (s->rdb_child_pid != 0) {
        reply_error(c, "Background save already in progress");
    } else if (server_child_running(s) || in_exec) {
        if (schedule || in_exec) {
            s->rdb_bgsave_scheduled = true;
            reply_status(c, "Background saving scheduled");
        } else {
            reply_error(c, "Another child process is active (AOF?): can't BGSAVE right now. "
                           "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
    } else if (rdb_save_background(s) == 0) {
        reply_status(c, "Background saving started");
    } else {
        reply_error(c, "-ERR");
    }
}

static void bgrewriteaof_command(struct client *c)
{
    char err[256];
    bool in_exec = (c->flags & CLIENT_DENY_BLOCKING) != 0;
    int ret = aof_rewrite_request(c->server, in_exec, err, sizeof(err));
    if (ret < 0)
        reply_error(c, err);
    else if (ret == 1)
        reply_status(c, "Background append only file rewriting scheduled");
    else
        reply_status(c, "Background append only file rewriting started");
}

/* ---- The table ---- */

#define SERVER_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define SERVER_ADMIN_ACL (ACL_ADMIN | ACL_SLOW | ACL_DANGEROUS)

static struct command config_subcommands[] = {
    {.name = "get", .proc = config_get_command, .arity = -3, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL, .summary = "Get the values of configuration parameters",
     .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "set", .proc = config_set_command, .arity = -4, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL, .summary = "Set configuration parameters to the given values",
     .since = "2.0.0", .group = "server",
     .complexity = "O(N) when N is the number of configuration parameters provided"},
    {.name = "resetstat", .proc = config_resetstat_command, .arity = 2,
     .flags = SERVER_ADMIN_FLAGS, .acl = SERVER_ADMIN_ACL,
     .summary = "Reset the stats returned by INFO", .since = "2.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "rewrite", .proc = config_rewrite_command, .arity = 2, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL,
     .summary = "Rewrite the configuration file with the in memory configuration",
     .since = "2.8.0", .group = "server", .complexity = "O(1)"},
    {.name = "help", .proc = config_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW, .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0", .group = "server", .complexity = "O(1)"},
    {0},
};


struct command server_commands[] = {
    {.name = "info", .proc = info_command, .arity = -1, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_SLOW | ACL_DANGEROUS,
     .summary = "Get information and statistics about the server", .since = "1.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "config", .arity = -2, .acl = ACL_SLOW,
     .summary = "A container for server configuration commands", .since = "2.0.0",
     .group = "server", .complexity = "Depends on subcommand.", .subcommands = config_subcommands},
    /* COMMAND runs its own handler when called with no subcommand. */
    {.name = "time", .proc = time_command, .arity = 1, .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_FAST, .summary = "Return the current server time", .since = "2.6.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "lastsave", .proc = lastsave_command, .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST, .acl = ACL_ADMIN | ACL_FAST | ACL_DANGEROUS,
     .summary = "Get the UNIX time stamp of the last successful save to disk", .since = "1.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "debug", .proc = debug_command, .arity = -2, .flags = SERVER_ADMIN_FLAGS,
     .acl = SERVER_ADMIN_ACL, .summary = "A container for debugging commands", .since = "1.0.0",
     .group = "server", .complexity = "Depends on subcommand."},
    {.name = "shutdown", .proc = shutdown_command, .arity = -1,
     .flags = SERVER_ADMIN_FLAGS | CMD_NO_MULTI | CMD_ALLOW_BUSY, .acl = SERVER_ADMIN_ACL,
     .summary = "Synchronously save the dataset to disk and then shut down the server",
     .since = "1.0.0", .group = "server",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases when "
                   "saving data, otherwise O(1)"},
    {.name = "save", .proc = save_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING | CMD_NO_MULTI,
     .acl = SERVER_ADMIN_ACL, .summary = "Synchronously save the dataset to disk",
     .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases"},
    {.name = "bgsave", .proc = bgsave_command, .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .acl = SERVER_ADMIN_ACL,
     .summary = "Asynchronously save the dataset to disk", .since = "1.0.0", .group = "server",
     .complexity = "O(1)"},
    {.name = "bgrewriteaof", .proc = bgrewriteaof_command, .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_ASYNC_LOADING, .acl = SERVER_ADMIN_ACL,
     .summary = "Asynchronously rewrite the append-only file", .since = "1.0.0",
     .group = "server", .complexity = "O(1)"},
    {0},
};
