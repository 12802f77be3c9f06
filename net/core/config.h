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

enum appendfsync_policy { APPENDFSYNC_NO = 0, APPENDFSYNC_EVERYSEC = 1, APPENDFSYNC_ALWAYS = 2 };
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

struct config {
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
    int enable_debug_command;  /* 0 no, 1 yes, 2 local: Redis 7's enum */
    int active_expire_effort;  /* 1..10, default 1 */
    bool activerehashing;      /* yes */
    bool lazyfree_lazy_user_flush; /* no */
    long long maxmemory;       /* 0 (accepted and reported; eviction not built) */
    int maxmemory_policy;      /* enum maxmemory_policy; noeviction */
    long long maxmemory_clients;     /* 0 */
    int maxmemory_eviction_tenacity; /* 10 */
    int maxmemory_samples;           /* 5 */
    int lfu_log_factor;              /* 10 */
    int lfu_decay_time;              /* 1 */

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

    /* collection encodings (used by the collections issue) */
    long long hash_max_listpack_entries; /* 512 */
    long long hash_max_listpack_value;   /* 64 */
    long long list_max_listpack_size;    /* -2 */
    long long set_max_intset_entries;    /* 512 */
    long long zset_max_listpack_entries; /* 128 */
    long long zset_max_listpack_value;   /* 64 */
};

static inline bool config_maxmemory_policy_is_lfu(const struct config *cfg)
{
    return cfg->maxmemory_policy == MAXMEMORY_VOLATILE_LFU ||
           cfg->maxmemory_policy == MAXMEMORY_ALLKEYS_LFU;
}

/* Fills every field with its default (allocating the string defaults). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Reads a redis.conf-style file. On error returns -1 and writes
 * "<path>:<line>: <reason>" into err. `include` is not supported. */
int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len);
/* Applies `--name value [value...]` arguments as redis-server does (each
 * --name starts a new directive line). Returns -1 with err on failure. */
int config_load_args(struct config *cfg, int argc, char **argv, char *err, size_t err_len);
/* Applies one directive given as argument words (name first), as read from
 * a file line. Returns -1 with a reason in err. */
int config_apply_directive(struct config *cfg, int argc, char **argv, bool at_runtime,
                           char *err, size_t err_len);

/* CONFIG SET name value [name value ...] semantics of Redis 7.0: all or
 * nothing, immutable parameters refused. names/values are argc pairs. On
 * error returns -1 and writes the whole error reply text (without the
 * leading '-'), e.g. "ERR CONFIG SET failed (possibly related to argument
 * 'port') - can't set immutable config" or "ERR Unknown option or number of
 * arguments for CONFIG SET - 'foo'". On success calls changed(name, ctx),
 * with the canonical name, once for each parameter whose value changed (as
 * Redis runs its apply step only for changed values); cfg already holds the
 * new values then. */
int config_set(struct config *cfg, int pairs, const char *const *names, const size_t *name_lens,
               const char *const *values, const size_t *value_lens,
               void (*changed)(const char *name, void *ctx), void *ctx, char *err, size_t err_len);

/* CONFIG GET: calls emit(name, value, ctx) for every parameter (and alias)
 * whose name matches the glob pattern, each at most once. value is the
 * formatted current value, valid during the call. */
void config_get(const struct config *cfg, const char *pattern, size_t pattern_len,
                void (*emit)(const char *name, const char *value, void *ctx), void *ctx);

/* Parses a memory amount: "1gb", "512mb", "100k", "42" (Redis's memtoull:
 * k=1000, kb=1024, m, mb, g, gb, case-insensitive). Returns -1 if invalid. */
int config_parse_memory(const char *s, size_t len, long long *out);

#endif
