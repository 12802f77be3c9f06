/* config.h: ringkv's configuration, redis.conf syntax and parameter names.
 *
 * One table in config.c describes every parameter: name, type, default,
 * limits, whether it can change at runtime, and where its value lives in
 * `struct config`. The file reader, `--name value` arguments, CONFIG GET and
 * CONFIG SET all go through that table, so they cannot disagree.
 *
 * Runtime side effects (a new `hz`, `maxclients`, `dir`) are not done here:
 * config_set reports which parameters changed through the `apply` callback
 * so net/server/ can act on them. */
#ifndef RINGKV_NET_CORE_CONFIG_H
#define RINGKV_NET_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_LINE_BYTES_MAX (1024 * 64)
#define CONFIG_BIND_MAX 16
#define CONFIG_SAVE_POINTS_MAX 16
#define CONFIG_DATABASES_MAX (1024 * 1024) /* hard ceiling; Redis allows INT_MAX */
#define CONFIG_INCLUDE_DEPTH_MAX 16 /* Redis has no limit and recurses until it crashes */

enum appendfsync_policy { APPENDFSYNC_NO = 0, APPENDFSYNC_EVERYSEC = 1, APPENDFSYNC_ALWAYS = 2 };
/* aof-write-inline: who makes the direct writer's batch writes (aof.c). */
enum aof_write_inline { AOF_WRITE_INLINE_NO = 0, AOF_WRITE_INLINE_YES = 1, AOF_WRITE_INLINE_AUTO = 2 };
/* Redis 7.0's protected-action switches (enable-debug-command,
 * enable-protected-configs, enable-module-command): no, yes, or local
 * (only from a loopback client). */
enum config_protected_action { CONFIG_PROTECTED_NO = 0, CONFIG_PROTECTED_YES = 1, CONFIG_PROTECTED_LOCAL = 2 };
/* child-sched-policy (ringkv's): the CPU scheduling policy of fork
 * children (net/persist/persist.c). */
enum child_sched_policy { CHILD_SCHED_NORMAL = 0, CHILD_SCHED_BATCH = 1, CHILD_SCHED_IDLE = 2 };
/* child-ioprio (ringkv's): leave the I/O priority as it is, a best-effort
 * level 0..7 (the value itself), or the idle class. */
#define CHILD_IOPRIO_INHERIT (-1)
#define CHILD_IOPRIO_IDLE 8
/* rdb-save-threads (ringkv's): 0 is "choose", else at most this many. */
#define CONFIG_RDB_SAVE_THREADS_MAX 16
enum loglevel { LOGLEVEL_DEBUG = 0, LOGLEVEL_VERBOSE, LOGLEVEL_NOTICE, LOGLEVEL_WARNING, LOGLEVEL_NOTHING };

/* maxmemory-policy values, as config.c's name table numbers them. */
enum maxmemory_policy {
    MAXMEMORY_VOLATILE_LRU = 0,
    MAXMEMORY_VOLATILE_LFU = 1,
    MAXMEMORY_VOLATILE_RANDOM = 2,
    MAXMEMORY_VOLATILE_TTL = 3,
    MAXMEMORY_ALLKEYS_LRU = 4,
    MAXMEMORY_ALLKEYS_LFU = 5,
    MAXMEMORY_ALLKEYS_RANDOM = 6,
    MAXMEMORY_NOEVICTION = 7,
};

struct save_point {
    long long seconds;
    long long changes;
};

/* client-output-buffer-limit's classes, in Redis's order. */
enum config_client_class {
    CONFIG_CLIENT_NORMAL = 0,
    CONFIG_CLIENT_REPLICA = 1, /* "replica", alias "slave" */
    CONFIG_CLIENT_PUBSUB = 2,
    CONFIG_CLIENT_CLASSES = 3,
};

/* One class's output buffer limit: a client is closed when its pending
 * output passes hard_bytes, or stays above soft_bytes for soft_seconds.
 * 0 disables a limit. */
struct config_output_limit {
    long long hard_bytes;
    long long soft_bytes;
    long long soft_seconds;
};

/* One `user` directive: its words after "user" (owned array of owned
 * strings), the name first. */
struct config_user {
    char **words;
    int count;
};

struct config {
    /* client-output-buffer-limit: normal 0 0 0, replica 256mb 64mb 60,
     * pubsub 32mb 8mb 60 (Redis 7.0's defaults) */
    struct config_output_limit client_output_buffer_limit[CONFIG_CLIENT_CLASSES];

    /* network */
    char *bind[CONFIG_BIND_MAX]; /* owned strings; default "127.0.0.1" (ringkv's embedded default) */
    int bind_count;
    int port;                  /* 6379 */
    int tcp_backlog;           /* 511 */
    int tcp_keepalive;         /* 300 */
    long long timeout;         /* 0: idle clients are never closed */
    bool protected_mode;       /* yes */
    int maxclients;            /* 10000 */
    char *requirepass;         /* owned; NULL or "" when unset */
    long long proto_max_bulk_len;        /* 512mb */
    long long client_query_buffer_limit; /* 1gb */

    /* server */
    int databases;             /* 16 */
    int hz;                    /* 10, 1..500 */
    bool dynamic_hz;           /* yes (accepted; ringkv keeps hz fixed) */
    char *dir;                 /* owned; "./data" is ringkv's embedded default */
    char *pidfile;             /* owned; NULL/"" when unset */
    char *logfile;             /* owned; "" means stdout */
    enum loglevel loglevel;    /* notice */
    bool daemonize;            /* no; yes is refused at start-up */
    int enable_debug_command;  /* enum config_protected_action; no */
    int enable_protected_configs; /* enum config_protected_action; no: CONFIG SET dir refused */
    int enable_module_command; /* enum config_protected_action; no (ringkv loads no modules) */
    bool always_show_logo;     /* no: the one-line "Running mode" log instead of the banner */
    int active_expire_effort;  /* 1..10, default 1 */
    bool activerehashing;      /* yes */
    bool lazyfree_lazy_user_flush; /* no */
    /* memory limits and eviction (net/commands/evict.c) */
    long long maxmemory;       /* 0: no limit */
    int maxmemory_policy;      /* enum maxmemory_policy; noeviction */
    long long maxmemory_clients;     /* 0; negative: a percentage of maxmemory ("10%" is -10);
                                        accepted and reported only */
    int maxmemory_eviction_tenacity; /* 10: 0..100, the time one eviction run may take */
    int maxmemory_samples;           /* 5: keys sampled per database per round */
    int lfu_log_factor;              /* 10 */
    int lfu_decay_time;              /* 1 (minutes per counter decrement; 0: never) */
    bool lazyfree_lazy_eviction;     /* no: evicted keys are logged as DEL, yes: as UNLINK */

    /* persistence: parsed and reported now, acted on by the AOF/RDB issues */
    struct save_point save[CONFIG_SAVE_POINTS_MAX];
    int save_count;
    /* Private to config.c: a `save` line was read at start-up. The first
     * one replaces the defaults and later ones add points, as in Redis. */
    bool save_loaded;
    char *dbfilename;          /* owned; "dump.rdb" */
    bool appendonly;           /* no */
    enum appendfsync_policy appendfsync; /* everysec */
    char *appendfilename;      /* owned; "appendonly.aof" */
    char *appenddirname;       /* owned; "appendonlydir" */
    bool rdbcompression;       /* yes */
    bool rdbchecksum;          /* yes */
    bool stop_writes_on_bgsave_error; /* yes */
    bool aof_load_truncated;   /* yes */
    bool aof_use_rdb_preamble; /* yes */
    bool aof_timestamp_enabled; /* no */
    bool aof_disable_auto_gc;   /* no */
    bool no_appendfsync_on_rewrite; /* no */
    bool aof_rewrite_incremental_fsync; /* yes */
    bool rdb_save_incremental_fsync;    /* yes */
    long long auto_aof_rewrite_percentage; /* 100 */
    long long auto_aof_rewrite_min_size;   /* 64mb */
    /* ringkv's own (net/persist/aof_log.c): taken when the INCR is next
     * opened (start-up, rotation, a change of appendfsync). */
    bool aof_direct_io;                   /* yes: always writes with O_DIRECT into pre-written space */
    long long aof_prewrite_size;          /* 64mb: pre-written space added at a time */
    long long aof_batches_in_flight;      /* 1: direct batch writes in flight at once (see aof.c) */
    enum aof_write_inline aof_write_inline; /* auto: the loop writes each direct batch itself
                                               unless it served reads lately (aof.c) */
    /* ringkv's own, for fork children (net/persist/persist.c), read by each
     * child as it starts, so a CONFIG SET applies from the next child on. */
    int child_nice;            /* 10: added to the server's niceness (at most 19); 0 leaves it */
    int child_sched_policy;    /* enum child_sched_policy; batch */
    int child_ioprio;          /* best-effort 7 (7); CHILD_IOPRIO_INHERIT, 0..7, CHILD_IOPRIO_IDLE */
    int rdb_save_threads;      /* 0: the RDB encoder chooses; else 1..CONFIG_RDB_SAVE_THREADS_MAX */
    /* Redis's hidden test hook: microseconds a child sleeps after each key
     * it saves (negative: 1 us with probability 1/-n). 0. */
    int rdb_key_save_delay;

    /* collection encodings (used by the collections issue) */
    long long hash_max_listpack_entries; /* 512 */
    long long stream_node_max_bytes;     /* 4096 */
    long long stream_node_max_entries;   /* 100 */
    long long hash_max_listpack_value;   /* 64 */
    long long list_max_listpack_size;    /* -2 */
    long long set_max_intset_entries;    /* 512 */
    long long zset_max_listpack_entries; /* 128 */
    long long zset_max_listpack_value;   /* 64 */
    /* A sparse HyperLogLog (engine/hll.h) longer than this turns dense. */
    long long hll_sparse_max_bytes;      /* 3000 */

    /* Keyspace notifications (net/commands/keyspace_events.c): Redis's
     * NOTIFY_* bits, the classes and channels to publish; 0 (off). */
    int notify_keyspace_events;
    /* ACL (net/commands/acl.c) */
    char *aclfile;                       /* owned; "" or NULL: none */
    long long acllog_max_len;            /* 128 entries */
    int acl_pubsub_default;              /* 1: allchannels, 0: resetchannels (the default) */
    /* The `user` directives read at start-up, in order: each the words
     * after "user", the user's name first. */
    struct config_user *acl_users; /* owned array */
    int acl_user_count;

    /* SLOWLOG (net/commands/slowlog.c) */
    long long slowlog_log_slower_than;   /* 10000 us; negative: off, 0: every command */
    long long slowlog_max_len;           /* 128 entries */

    /* client-side caching (net/commands/tracking.c) */
    long long tracking_table_max_keys;   /* 1000000 keys; 0: no limit */
    long long busy_reply_threshold;      /* ms a script runs before -BUSY (lua-time-limit) */
    /* LATENCY (net/commands/latency.c) */
    long long latency_monitor_threshold; /* 0 ms: the monitor is off */
    bool latency_tracking;               /* yes: per-command latency histograms */
    char *latency_percentiles;           /* owned "50 99 99.9": INFO latencystats' percentiles,
                                            as CONFIG GET shows them */

    /* replication (net/repl/) */
    char *replicaof_host;                /* owned; NULL when not a replica ("replicaof") */
    long long replicaof_port;
    char *masterauth, *masteruser;       /* owned; NULL when unset */
    bool replica_serve_stale_data;       /* yes */
    bool replica_read_only;              /* yes */
    bool replica_announced;              /* yes */
    long long replica_priority;          /* 100 */
    long long min_replicas_to_write;     /* 0: off */
    long long min_replicas_max_lag;      /* 10 s */
    long long repl_ping_replica_period;  /* 10 s */
    long long repl_timeout;              /* 60 s */
    long long repl_backlog_size;         /* 1mb */
    long long repl_backlog_ttl;          /* 3600 s */
    bool repl_diskless_sync;             /* yes: the full-sync RDB goes to the socket */
    long long repl_diskless_sync_delay;  /* 5 s for more replicas to join a transfer */

    /* Owned; private to config.c: the values of every parameter ringkv
     * accepts and reports but does not act on (replication, cluster, TLS,
     * defragmentation, ...), read only through config_get. */
    struct config_passive *passive;
};

static inline bool config_maxmemory_policy_is_lfu(const struct config *cfg)
{
    return cfg->maxmemory_policy == MAXMEMORY_VOLATILE_LFU ||
           cfg->maxmemory_policy == MAXMEMORY_ALLKEYS_LFU;
}

/* Fills every field with its default (allocating the string defaults). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Reads a redis.conf-style file (with `include`, nested at most
 * CONFIG_INCLUDE_DEPTH_MAX deep). On error returns -1 and writes where and
 * why into err. */
int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len);
/* Applies `--name value [value...]` arguments as redis-server does (each
 * --name starts a new directive line). Returns -1 with err on failure. */
int config_load_args(struct config *cfg, int argc, char **argv, char *err, size_t err_len);
/* Applies one directive given as argument words (name first), as read from
 * a file line. Returns -1 with a reason in err. */
int config_apply_directive(struct config *cfg, int argc, char **argv, bool at_runtime,
                           char *err, size_t err_len);

/* CONFIG SET name value [name value ...] semantics of Redis 7.0: all or
 * nothing, immutable parameters refused, and protected ones (dir,
 * dbfilename) too unless protected_allowed. names/values are argc pairs. On
 * error returns -1 and writes the whole error reply text (without the
 * leading '-'), e.g. "ERR CONFIG SET failed (possibly related to argument
 * 'port') - can't set immutable config" or "ERR Unknown option or number of
 * arguments for CONFIG SET - 'foo'". Once every value is accepted, calls
 * changed(name, ctx, reason, reason_len), with the canonical name, once
 * for each parameter whose value changed (as Redis runs its apply step
 * only for changed values); cfg already holds the new values then. If one
 * call returns -1 (with why in reason: "No such file or directory"), the
 * old values come back, changed is called again for each parameter already
 * applied (its return ignored) so their effects are undone too, and
 * config_set fails naming that parameter, as Redis 7.0 does. */
int config_set(struct config *cfg, int pairs, const char *const *names, const size_t *name_lens,
               const char *const *values, const size_t *value_lens, bool protected_allowed,
               int (*changed)(const char *name, void *ctx, char *reason, size_t reason_len),
               void *ctx, char *err, size_t err_len);

/* Redis 7.0's allowProtectedAction: mode (enum config_protected_action) is
 * yes, or local and peer_addr ("ip:port", borrowed) is 127.0.0.1 or ::1 as
 * text. A NULL peer_addr is an internal client and counts as local. */
bool config_protected_allowed(int mode, const char *peer_addr);
/* Whether peer_addr ("ip:port", borrowed; NULL: internal) is local in
 * Redis's sense (protected mode, "local" options). */
bool config_peer_is_local(const char *peer_addr);

/* The names, comma-separated, of the parameters whose value differs from
 * the default but which ringkv accepts without acting on them yet (eviction,
 * replication, cluster, TLS, ...), for one start-up log line. Returns owned
 * text (alloc_free), or NULL when there is none. */
char *config_no_effect_names(const struct config *cfg);

/* CONFIG GET: calls emit(name, value, ctx) for every parameter (and alias)
 * whose name matches the glob pattern, each at most once. value is the
 * formatted current value, valid during the call. */
void config_get(const struct config *cfg, const char *pattern, size_t pattern_len,
                void (*emit)(const char *name, const char *value, void *ctx), void *ctx);

/* Lines CONFIG REWRITE writes for an option the table does not hold
 * ("user", from the ACL layer): always written, replacing the option's old
 * lines in place. */
struct config_rewrite_extra {
    const char *option;        /* lower case; borrowed */
    const char *const *lines;  /* whole lines, borrowed */
    int line_count;
};

/* CONFIG REWRITE, as Redis 7.0 does it: the file at path keeps its
 * comments, unknown lines and order; each option's old lines are updated
 * in place (the extra ones blanked), options that differ from their
 * default and were absent are appended after "# Generated by CONFIG
 * REWRITE", and the file is replaced durably (temp file, fsync, rename,
 * directory fsync). A missing file is written anew. force_all (DEBUG
 * CONFIG-REWRITE-FORCE-ALL) writes options at their default too, except
 * those Redis leaves out then as well (an unset string, the default bind,
 * no replicaof). Returns 0 or -errno. */
int config_rewrite(const struct config *cfg, const char *path,
                   const struct config_rewrite_extra *extra, int extra_count, bool force_all);

/* Parses a memory amount: "1gb", "512mb", "100k", "42" (Redis's memtoull:
 * k=1000, kb=1024, m, mb, g, gb, case-insensitive). Returns -1 if invalid. */
int config_parse_memory(const char *s, size_t len, long long *out);

#endif
