/* config.c: the parameter table, and every way of reading or changing it.
 *
 * Owns the table that names each parameter (with its Redis 7.0 name and
 * alias), its type, limits, default and the field of `struct config` that
 * holds it; the redis.conf reader; `--name value` arguments; CONFIG GET and
 * CONFIG SET. It does not act on values: net/server/ binds sockets, changes
 * directory or resizes tables when told that a parameter changed.
 *
 * Every parameter of Redis 7.0.15 is in the table, with its alias, type,
 * range, default and mutability, so any redis.conf loads. Those ringkv acts
 * on live in `struct config`; the others (replication, cluster, TLS,
 * defragmentation, ...) live in the private `struct config_passive`, are checked
 * and reported like the rest, and carry CONFIG_FLAG_NO_EFFECT so start-up
 * can say which of them were set (config_no_effect_names).
 *
 * Sections: limits and table types, value parsers, typed setters, special
 * parameters, text checks, the table, formatting, word lists, directives,
 * files and arguments, CONFIG SET, CONFIG GET, protected actions, CONFIG
 * REWRITE.
 *
 * Key invariant: a value reaches `struct config` only through
 * config_param_set(), which checks it against the table, so defaults, file
 * lines, arguments and CONFIG SET accept and refuse exactly the same text.
 * Defaults are written as text in the table and go through it too. Error
 * texts are Redis 7.0.15's, checked against the real server. */
#include "net/core/config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "engine/durable_fs.h"
#include "engine/glob.h"
#include "engine/number.h"
#include "net/core/args.h"

/* Room for one error reason; the longest are an included file's whole
 * error and maxmemory-policy's list of names (about 170 bytes). */
#define CONFIG_REASON_BYTES_MAX 1024
/* Redis's memtoull copies the digits into a 128-byte buffer and refuses
 * longer numbers. */
#define CONFIG_MEMORY_DIGITS_MAX 127

static_assert(sizeof(enum loglevel) == sizeof(int), "loglevel is stored as an int");
static_assert(sizeof(enum appendfsync_policy) == sizeof(int), "appendfsync is stored as an int");
static_assert(CONFIG_DATABASES_MAX <= INT_MAX, "databases is an int");
static_assert(CONFIG_LINE_BYTES_MAX <= INT_MAX - 2, "a line fits fgets's int size");

enum config_source {
    CONFIG_SOURCE_DEFAULT, /* config_init */
    CONFIG_SOURCE_STARTUP, /* the file and the command line */
    CONFIG_SOURCE_RUNTIME, /* CONFIG SET */
};

enum config_type {
    CONFIG_TYPE_BOOL,    /* yes/no */
    CONFIG_TYPE_NUMBER,  /* int or long long field, min..max */
    CONFIG_TYPE_ENUM,    /* int field, one of `names` */
    CONFIG_TYPE_STRING,  /* owned char * field */
    CONFIG_TYPE_SPECIAL, /* own set and format functions */
};

#define CONFIG_FLAG_IMMUTABLE (1u << 0) /* start-up only; CONFIG SET refuses it */
#define CONFIG_FLAG_SENSITIVE (1u << 1) /* a secret: never log the value */
/* CONFIG SET changes these only when enable-protected-configs allows the
 * client (Redis 7.0's PROTECTED_CONFIG: dir and dbfilename). */
#define CONFIG_FLAG_PROTECTED (1u << 2)
#define CONFIG_FLAG_MEMORY (1u << 3)        /* numbers: units allowed ("64mb") */
#define CONFIG_FLAG_MULTI_ARG (1u << 4)     /* any number of words (bind, save) */
#define CONFIG_FLAG_EMPTY_IS_NULL (1u << 5) /* strings: "" is stored as NULL */
#define CONFIG_FLAG_PERCENT (1u << 6)       /* numbers: "10%" too, stored as -10 */
#define CONFIG_FLAG_OCTAL (1u << 7)         /* numbers: read and shown in octal */
#define CONFIG_FLAG_HIDDEN (1u << 8)        /* CONFIG GET finds it by exact name only */
/* Accepted and reported, but ringkv does not act on the value yet; a value
 * other than the default is named in the start-up log. */
#define CONFIG_FLAG_NO_EFFECT (1u << 9)

struct config_enum_name {
    const char *name;
    int value;
};

struct config_param {
    const char *name;
    const char *alias; /* Redis 7's older name, or NULL */
    enum config_type type;
    unsigned flags;
    bool passive;  /* the field is in struct config_passive, not struct config */
    size_t offset; /* of the field in struct config (or config_passive) */
    size_t field_bytes;
    const char *default_text; /* parsed by config_init like any other value */
    long long min, max;       /* numbers: accepted range */
    long long clamp_min, clamp_max; /* numbers: stored value clamped; 0, 0 for none */
    const struct config_enum_name *names; /* enums: ends with a NULL name */
    /* strings and booleans: a reason to refuse the (valid) text, or NULL */
    const char *(*check)(const char *value);
    int (*set)(struct config *cfg, const struct config_param *p, int argc, char **argv,
               enum config_source source, char *reason, size_t reason_len); /* special */
    char *(*format)(const struct config *cfg, const struct config_param *p); /* special: owned */
};

/* Redis 7.0's oom-score-adj-values: one value per process class. */
#define CONFIG_OOM_CLASSES 3

/* The parameters ringkv accepts and reports but does not act on yet. Their
 * names follow Redis's with '-' as '_'. Numbers are long long and enums
 * int whatever Redis stores them in; the table holds Redis's ranges. */
struct config_passive {
    /* booleans */
    bool io_threads_do_reads, set_proc_title, rdb_del_sync_files;
    bool lazyfree_lazy_expire, lazyfree_lazy_server_del, lazyfree_lazy_user_del;
    bool repl_disable_tcp_nodelay, repl_diskless_sync, cluster_require_full_coverage;
    bool cluster_replica_no_failover, replica_lazy_flush, replica_serve_stale_data;
    bool replica_read_only, replica_ignore_maxmemory, replica_ignore_disk_write_errors;
    bool jemalloc_bg_thread, activedefrag, syslog_enabled, cluster_enabled;
    bool cluster_allow_reads_when_down, cluster_allow_pubsubshard_when_down, crash_log_enabled;
    bool crash_memcheck_enabled, use_exit_on_panic, disable_thp, cluster_allow_replica_migration;
    bool replica_announced, tls_cluster, tls_replication;
    bool tls_prefer_server_ciphers, tls_session_caching;
    /* strings, owned (NULL when empty for some, as in Redis) */
    char *unixsocket, *replica_announce_ip, *masteruser, *masterauth;
    char *cluster_announce_ip, *cluster_config_file, *cluster_announce_hostname, *syslog_ident;
    char *server_cpulist, *bio_cpulist, *aof_rewrite_cpulist, *bgsave_cpulist, *ignore_warnings;
    char *proc_title_template, *bind_source_addr, *tls_cert_file, *tls_key_file;
    char *tls_key_file_pass, *tls_client_cert_file, *tls_client_key_file;
    char *tls_client_key_file_pass, *tls_dh_params_file, *tls_ca_cert_file, *tls_ca_cert_dir;
    char *tls_protocols, *tls_ciphers, *tls_ciphersuites;
    /* enums */
    int supervised, syslog_facility, repl_diskless_load, oom_score_adj;
    int sanitize_dump_payload, cluster_preferred_endpoint_type, propagation_error_behavior;
    int tls_auth_clients;
    /* numbers */
    long long io_threads, cluster_replica_validity_factor, cluster_migration_barrier;
    long long active_defrag_cycle_min, active_defrag_cycle_max, active_defrag_threshold_lower;
    long long active_defrag_threshold_upper, replica_priority, repl_diskless_sync_delay;
    long long replica_announce_port, cluster_port, cluster_announce_bus_port;
    long long cluster_announce_port, cluster_announce_tls_port, repl_timeout;
    long long repl_ping_replica_period, list_compress_depth, key_load_delay;
    long long min_replicas_to_write, min_replicas_max_lag, watchdog_period, shutdown_timeout;
    long long repl_diskless_sync_max_replicas, unixsocketperm, socket_mark_id;
    long long active_defrag_max_scan_fields;
    long long cluster_node_timeout;
    long long repl_backlog_size;
    long long cluster_link_sendbuf_limit, active_defrag_ignore_bytes;
    long long repl_backlog_ttl;
    long long loading_process_events_interval_bytes, tls_port, tls_session_cache_size;
    long long tls_session_cache_timeout;
    /* special */
    int oom_score_adj_values[CONFIG_OOM_CLASSES];
    int shutdown_on_sigint;         /* Redis's SHUTDOWN_* bits */
    int shutdown_on_sigterm;
};

#define CONFIG_AT(field) \
    .offset = offsetof(struct config, field), .field_bytes = sizeof(((struct config *)0)->field)
#define CONFIG_PASSIVE_AT(field)                                    \
    .passive = true, .offset = offsetof(struct config_passive, field), \
    .field_bytes = sizeof(((struct config_passive *)0)->field)

static void config_reason(char *reason, size_t reason_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void config_reason(char *reason, size_t reason_len, const char *fmt, ...)
{
    assert(reason != NULL);
    assert(reason_len > 0);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, reason_len, fmt, ap);
    va_end(ap);
}

/* ---- Value parsers ---- */

enum config_memory_result { CONFIG_MEMORY_OK, CONFIG_MEMORY_BAD, CONFIG_MEMORY_TOO_BIG };

/* Redis's memtoull: digits, then an optional unit. Like Redis, no digits at
 * all ("" or "gb") reads as 0. Unlike Redis, which saturates silently, a
 * number past LLONG_MAX is reported as too big. */
static enum config_memory_result config_memory_parse(const char *s, size_t len, long long *out)
{
    static const struct {
        const char *unit;
        long long multiplier;
    } units[] = {
        {"", 1}, {"b", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000 * 1000}, {"mb", 1024 * 1024},
        {"g", 1000LL * 1000 * 1000}, {"gb", 1024LL * 1024 * 1024},
    };
    size_t digits = 0;
    while (digits < len && s[digits] >= '0' && s[digits] <= '9')
        digits++;
    size_t unit_len = len - digits;
    long long multiplier = 0;
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        if (strlen(units[u].unit) == unit_len && strncasecmp(s + digits, units[u].unit, unit_len) == 0)
            multiplier = units[u].multiplier;
    }
    if (multiplier == 0 || digits > CONFIG_MEMORY_DIGITS_MAX)
        return CONFIG_MEMORY_BAD;
    /* memtoull's strtoull takes leading zeros and number_parse_ll does not,
     * so they are skipped first. What is left is all digits, led by a
     * non-zero one, so number_parse_ll can only refuse it for overflow. */
    size_t zeros = 0;
    while (zeros < digits && s[zeros] == '0')
        zeros++;
    long long value = 0;
    if (zeros < digits && !number_parse_ll(s + zeros, digits - zeros, &value))
        return CONFIG_MEMORY_TOO_BIG;
    if (value > LLONG_MAX / multiplier)
        return CONFIG_MEMORY_TOO_BIG;
    *out = value * multiplier;
    assert(*out >= 0);
    return CONFIG_MEMORY_OK;
}

int config_parse_memory(const char *s, size_t len, long long *out)
{
    assert(s != NULL || len == 0);
    assert(out != NULL);
    return config_memory_parse(s, len, out) == CONFIG_MEMORY_OK ? 0 : -1;
}

/* ---- Typed setters: each checks one value and stores it ---- */

static void *config_field(struct config *cfg, const struct config_param *p)
{
    if (p->passive) {
        assert(p->offset + p->field_bytes <= sizeof(*cfg->passive));
        assert(cfg->passive != NULL);
        return (char *)cfg->passive + p->offset;
    }
    assert(p->offset + p->field_bytes <= sizeof(*cfg));
    return (char *)cfg + p->offset;
}

static const void *config_field_const(const struct config *cfg, const struct config_param *p)
{
    return config_field((struct config *)cfg, p);
}

/* Reads an int-sized or long long field (numbers and enums). */
static long long config_number_get(const struct config *cfg, const struct config_param *p)
{
    const void *field = config_field_const(cfg, p);
    if (p->field_bytes == sizeof(int)) {
        int value;
        memcpy(&value, field, sizeof(value));
        return value;
    }
    assert(p->field_bytes == sizeof(long long));
    long long value;
    memcpy(&value, field, sizeof(value));
    return value;
}

static void config_number_put(struct config *cfg, const struct config_param *p, long long value)
{
    void *field = config_field(cfg, p);
    if (p->field_bytes == sizeof(int)) {
        assert(value >= INT_MIN && value <= INT_MAX);
        int narrow = (int)value;
        memcpy(field, &narrow, sizeof(narrow));
        return;
    }
    assert(p->field_bytes == sizeof(long long));
    memcpy(field, &value, sizeof(value));
}

static int config_bool_set(struct config *cfg, const struct config_param *p, const char *text,
                           char *reason, size_t reason_len)
{
    bool value;
    if (strcasecmp(text, "yes") == 0) {
        value = true;
    } else if (strcasecmp(text, "no") == 0) {
        value = false;
    } else {
        config_reason(reason, reason_len, "argument must be 'yes' or 'no'");
        return -1;
    }
    const char *refusal = p->check ? p->check(value ? "yes" : "no") : NULL;
    if (refusal != NULL) {
        config_reason(reason, reason_len, "%s", refusal);
        return -1;
    }
    assert(p->field_bytes == sizeof(bool));
    memcpy(config_field(cfg, p), &value, sizeof(value));
    return 0;
}

/* Redis's numericParseString: a memory value, then a percentage ("10%",
 * stored negative), then an octal number, then a plain string2ll integer,
 * as the parameter's flags allow. Sets *too_big for a memory value past
 * LLONG_MAX. */
static bool config_number_parse(const struct config_param *p, const char *text, long long *value,
                                bool *too_big)
{
    size_t len = strlen(text);
    *too_big = false;
    if (p->flags & CONFIG_FLAG_MEMORY) {
        enum config_memory_result r = config_memory_parse(text, len, value);
        *too_big = r == CONFIG_MEMORY_TOO_BIG;
        if (r != CONFIG_MEMORY_BAD)
            return true;
    }
    if ((p->flags & CONFIG_FLAG_PERCENT) && len > 1 && text[len - 1] == '%' &&
        number_parse_ll(text, len - 1, value) && *value >= 0) {
        *value = -*value;
        return true;
    }
    if (p->flags & CONFIG_FLAG_OCTAL) {
        char *end;
        errno = 0;
        *value = strtoll(text, &end, 8);
        return errno == 0 && *end == '\0';
    }
    return !(p->flags & CONFIG_FLAG_MEMORY) && number_parse_ll(text, len, value);
}

static int config_number_set(struct config *cfg, const struct config_param *p, const char *text,
                             char *reason, size_t reason_len)
{
    long long value = 0;
    bool too_big;
    if (!config_number_parse(p, text, &value, &too_big)) {
        const char *why = "argument couldn't be parsed into an integer";
        if (p->flags & CONFIG_FLAG_PERCENT)
            why = "argument must be a memory or percent value";
        else if (p->flags & CONFIG_FLAG_MEMORY)
            why = "argument must be a memory value";
        else if (p->flags & CONFIG_FLAG_OCTAL)
            why = "argument couldn't be parsed as an octal number";
        config_reason(reason, reason_len, "%s", why);
        return -1;
    }
    if ((p->flags & CONFIG_FLAG_PERCENT) && value < 0 && !too_big) {
        if (value < p->min) {
            config_reason(reason, reason_len, "percentage argument must be less or equal to %lld",
                          -p->min);
            return -1;
        }
    } else if (too_big || value < p->min || value > p->max) {
        if (p->flags & CONFIG_FLAG_OCTAL)
            config_reason(reason, reason_len, "argument must be between %llo and %llo inclusive",
                          p->min, p->max);
        else
            config_reason(reason, reason_len, "argument must be between %lld and %lld inclusive",
                          p->min, p->max);
        return -1;
    }
    /* Redis accepts any hz and then keeps it within 1..500. */
    if (p->clamp_min != 0 || p->clamp_max != 0) {
        assert(p->clamp_min <= p->clamp_max);
        value = value < p->clamp_min ? p->clamp_min : value > p->clamp_max ? p->clamp_max : value;
    }
    config_number_put(cfg, p, value);
    return 0;
}

/* Writes Redis's refusal of a name that is not in the list; returns -1. */
static int config_enum_refuse(const struct config_param *p, char *reason, size_t reason_len)
{
    size_t used = (size_t)snprintf(reason, reason_len, "argument(s) must be one of the following: ");
    for (const struct config_enum_name *n = p->names; n->name != NULL && used < reason_len; n++)
        used += (size_t)snprintf(reason + used, reason_len - used, "%s%s",
                                 n == p->names ? "" : ", ", n->name);
    return -1;
}

static int config_enum_set(struct config *cfg, const struct config_param *p, const char *text,
                           char *reason, size_t reason_len)
{
    assert(p->names != NULL);
    for (const struct config_enum_name *n = p->names; n->name != NULL; n++) {
        if (strcasecmp(text, n->name) == 0) {
            config_number_put(cfg, p, n->value);
            return 0;
        }
    }
    return config_enum_refuse(p, reason, reason_len);
}

static int config_string_set(struct config *cfg, const struct config_param *p, const char *text,
                             char *reason, size_t reason_len)
{
    const char *refusal = p->check ? p->check(text) : NULL;
    if (refusal != NULL) {
        config_reason(reason, reason_len, "%s", refusal);
        return -1;
    }
    char **field = config_field(cfg, p);
    assert(p->field_bytes == sizeof(char *));
    alloc_free(*field);
    bool null = text[0] == '\0' && (p->flags & CONFIG_FLAG_EMPTY_IS_NULL);
    *field = null ? NULL : alloc_strdup(text);
    return 0;
}

/* The one way a value reaches struct config. argv holds the value words
 * (one word unless the parameter is multi-argument). */
static int config_param_set(struct config *cfg, const struct config_param *p, int argc, char **argv,
                            enum config_source source, char *reason, size_t reason_len)
{
    if (p->type == CONFIG_TYPE_SPECIAL)
        return p->set(cfg, p, argc, argv, source, reason, reason_len);
    assert(argc == 1);
    switch (p->type) {
    case CONFIG_TYPE_BOOL:
        return config_bool_set(cfg, p, argv[0], reason, reason_len);
    case CONFIG_TYPE_NUMBER:
        return config_number_set(cfg, p, argv[0], reason, reason_len);
    case CONFIG_TYPE_ENUM:
        return config_enum_set(cfg, p, argv[0], reason, reason_len);
    case CONFIG_TYPE_STRING:
        return config_string_set(cfg, p, argv[0], reason, reason_len);
    default:
        assert(!"unknown parameter type");
        return -1;
    }
}

/* ---- Special parameters: bind and save ---- */

static int config_bind_set(struct config *cfg, const struct config_param *p, int argc, char **argv,
                           enum config_source source, char *reason, size_t reason_len)
{
    if (argc > CONFIG_BIND_MAX) {
        config_reason(reason, reason_len, "Too many bind addresses specified.");
        return -1;
    }
    /* A single empty word means no addresses, so `bind ""` works. */
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    for (int i = 0; i < cfg->bind_count; i++) {
        alloc_free(cfg->bind[i]);
        cfg->bind[i] = NULL;
    }
    for (int i = 0; i < argc; i++)
        cfg->bind[i] = alloc_strdup(argv[i]);
    cfg->bind_count = argc;
    assert(cfg->bind_count <= CONFIG_BIND_MAX);
    return 0;
}

/* Redis checks save words with strtoll and no errno check: leading blanks
 * and '+' pass, a number past LLONG_MAX saturates, "" reads as 0. */
static bool config_save_word(const char *word, long long min, long long *out)
{
    char *end;
    long long value = strtoll(word, &end, 10);
    if (*end != '\0' || value < min)
        return false;
    *out = value;
    return true;
}

/* At start-up the first save line replaces the built-in points and later
 * lines add to them; CONFIG SET always replaces. A lone "" clears. */
static int config_save_set(struct config *cfg, const struct config_param *p, int argc, char **argv,
                           enum config_source source, char *reason, size_t reason_len)
{
    struct save_point points[CONFIG_SAVE_POINTS_MAX];
    bool clear = argc == 1 && argv[0][0] == '\0';
    if (clear)
        argc = 0;
    if (argc % 2 != 0)
        goto invalid;
    if (argc / 2 > CONFIG_SAVE_POINTS_MAX)
        goto too_many;
    for (int i = 0; i < argc; i += 2) {
        if (!config_save_word(argv[i], 1, &points[i / 2].seconds) ||
            !config_save_word(argv[i + 1], 0, &points[i / 2].changes))
            goto invalid;
    }
    bool replace = clear || source != CONFIG_SOURCE_STARTUP || !cfg->save_loaded;
    int kept = replace ? 0 : cfg->save_count;
    if (kept + argc / 2 > CONFIG_SAVE_POINTS_MAX)
        goto too_many;
    memcpy(cfg->save + kept, points, sizeof(points[0]) * (size_t)(argc / 2));
    cfg->save_count = kept + argc / 2;
    if (source == CONFIG_SOURCE_STARTUP)
        cfg->save_loaded = true;
    assert(cfg->save_count <= CONFIG_SAVE_POINTS_MAX);
    return 0;
invalid:
    config_reason(reason, reason_len, "Invalid save parameters");
    return -1;
too_many:
    /* Redis has no limit; ringkv keeps the points in a fixed array. */
    config_reason(reason, reason_len, "Too many save points (at most %d)", CONFIG_SAVE_POINTS_MAX);
    return -1;
}

/* ---- Special parameters: output buffer limits, OOM scores, keyspace
 * events, replicaof, latency percentiles, shutdown flags ---- */

/* Redis's getClientTypeByName, less "master", which the limits refuse. */
static int config_client_class(const char *name)
{
    if (strcasecmp(name, "normal") == 0)
        return CONFIG_CLIENT_NORMAL;
    if (strcasecmp(name, "slave") == 0 || strcasecmp(name, "replica") == 0)
        return CONFIG_CLIENT_REPLICA;
    if (strcasecmp(name, "pubsub") == 0)
        return CONFIG_CLIENT_PUBSUB;
    return -1;
}

/* Redis's updateClientOutputBufferLimit: "<class> <hard> <soft> <seconds>"
 * repeated. Every group is checked before any class changes; classes not
 * named keep their limits, so `CONFIG SET client-output-buffer-limit ""`
 * changes nothing. */
static int config_output_limit_set(struct config *cfg, const struct config_param *p, int argc,
                                   char **argv, enum config_source source, char *reason,
                                   size_t reason_len)
{
    struct config_output_limit next[CONFIG_CLIENT_CLASSES];
    bool named[CONFIG_CLIENT_CLASSES] = {false};
    if (argc % 4 != 0) {
        config_reason(reason, reason_len, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    for (int i = 0; i < argc; i += 4) {
        int class = config_client_class(argv[i]);
        if (class < 0) {
            config_reason(reason, reason_len,
                          "Invalid client class specified in buffer limit configuration.");
            return -1;
        }
        long long hard, soft;
        char *end;
        /* Redis keeps the seconds in an int: larger values wrap before its
         * check, as they do here. */
        int seconds = (int)strtoll(argv[i + 3], &end, 10);
        if (config_memory_parse(argv[i + 1], strlen(argv[i + 1]), &hard) != CONFIG_MEMORY_OK ||
            config_memory_parse(argv[i + 2], strlen(argv[i + 2]), &soft) != CONFIG_MEMORY_OK ||
            seconds < 0 || *end != '\0') {
            config_reason(reason, reason_len,
                          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            return -1;
        }
        next[class] = (struct config_output_limit){hard, soft, seconds};
        named[class] = true;
    }
    for (int class = 0; class < CONFIG_CLIENT_CLASSES; class++)
        if (named[class])
            cfg->client_output_buffer_limit[class] = next[class];
    return 0;
}

/* As Redis prints it: the replica class as "slave", bytes in full. */
static char *config_output_limit_format(const struct config *cfg, const struct config_param *p)
{
    static const char *const names[CONFIG_CLIENT_CLASSES] = {"normal", "slave", "pubsub"};
    char text[CONFIG_CLIENT_CLASSES * 72];
    size_t used = 0;
    for (int class = 0; class < CONFIG_CLIENT_CLASSES; class++) {
        const struct config_output_limit *l = &cfg->client_output_buffer_limit[class];
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s %lld %lld %lld",
                                 class ? " " : "", names[class], l->hard_bytes, l->soft_bytes,
                                 l->soft_seconds);
        assert(used < sizeof(text));
    }
    return alloc_strdup(text);
}

static int config_oom_values_set(struct config *cfg, const struct config_param *p, int argc,
                                 char **argv, enum config_source source, char *reason,
                                 size_t reason_len)
{
    int values[CONFIG_OOM_CLASSES];
    if (argc != CONFIG_OOM_CLASSES) {
        config_reason(reason, reason_len, "wrong number of arguments");
        return -1;
    }
    for (int i = 0; i < CONFIG_OOM_CLASSES; i++) {
        char *end;
        long long value = strtoll(argv[i], &end, 10);
        if (*end != '\0' || value < -2000 || value > 2000) {
            config_reason(reason, reason_len,
                          "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
            return -1;
        }
        values[i] = (int)value;
    }
    memcpy(cfg->passive->oom_score_adj_values, values, sizeof(values));
    return 0;
}

static char *config_oom_values_format(const struct config *cfg, const struct config_param *p)
{
    const int *v = cfg->passive->oom_score_adj_values;
    char text[48];
    snprintf(text, sizeof(text), "%d %d %d", v[0], v[1], v[2]);
    return alloc_strdup(text);
}

/* notify-keyspace-events' classes, in the order Redis prints them. */
#define CONFIG_NOTIFY_KEYSPACE (1 << 0)  /* K */
#define CONFIG_NOTIFY_KEYEVENT (1 << 1)  /* E */
#define CONFIG_NOTIFY_KEY_MISS (1 << 11) /* m */
static const struct {
    char letter;
    int bit;
} config_notify_classes[] = {
    {'g', 1 << 2},  {'$', 1 << 3},  {'l', 1 << 4}, {'s', 1 << 5}, {'h', 1 << 6},  {'z', 1 << 7},
    {'x', 1 << 8},  {'e', 1 << 9},  {'t', 1 << 10}, {'d', 1 << 13}, {'n', 1 << 14},
};
#define CONFIG_NOTIFY_CLASSES_COUNT (sizeof(config_notify_classes) / sizeof(config_notify_classes[0]))
/* "A": every class above but 'n' (Redis 7.0's NOTIFY_ALL). */
#define CONFIG_NOTIFY_ALL 0x27fc

static int config_notify_set(struct config *cfg, const struct config_param *p, int argc,
                             char **argv, enum config_source source, char *reason,
                             size_t reason_len)
{
    int flags = 0;
    assert(argc == 1);
    for (const char *c = argv[0]; *c != '\0'; c++) {
        int bit = *c == 'A' ? CONFIG_NOTIFY_ALL : *c == 'K' ? CONFIG_NOTIFY_KEYSPACE
                : *c == 'E' ? CONFIG_NOTIFY_KEYEVENT : *c == 'm' ? CONFIG_NOTIFY_KEY_MISS : 0;
        for (size_t i = 0; bit == 0 && i < CONFIG_NOTIFY_CLASSES_COUNT; i++)
            if (config_notify_classes[i].letter == *c)
                bit = config_notify_classes[i].bit;
        if (bit == 0) {
            config_reason(reason, reason_len,
                          "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return -1;
        }
        flags |= bit;
    }
    cfg->notify_keyspace_events = flags;
    return 0;
}

static char *config_notify_format(const struct config *cfg, const struct config_param *p)
{
    int flags = cfg->notify_keyspace_events;
    char text[32];
    size_t used = 0;
    if ((flags & CONFIG_NOTIFY_ALL) == CONFIG_NOTIFY_ALL) {
        text[used++] = 'A';
    } else {
        for (size_t i = 0; i < CONFIG_NOTIFY_CLASSES_COUNT; i++)
            if (flags & config_notify_classes[i].bit)
                text[used++] = config_notify_classes[i].letter;
    }
    if (flags & CONFIG_NOTIFY_KEYSPACE)
        text[used++] = 'K';
    if (flags & CONFIG_NOTIFY_KEYEVENT)
        text[used++] = 'E';
    if (flags & CONFIG_NOTIFY_KEY_MISS)
        text[used++] = 'm';
    assert(used < sizeof(text));
    text[used] = '\0';
    return alloc_strdup(text);
}

/* "host port", or "no one" for none (the default). */
static int config_replicaof_set(struct config *cfg, const struct config_param *p, int argc,
                                char **argv, enum config_source source, char *reason,
                                size_t reason_len)
{
    struct config *v = cfg;
    if (argc != 2) {
        config_reason(reason, reason_len, "wrong number of arguments");
        return -1;
    }
    long port = 0;
    bool none = strcasecmp(argv[0], "no") == 0 && strcasecmp(argv[1], "one") == 0;
    if (!none) {
        char *end;
        port = strtol(argv[1], &end, 10);
        if (port < 0 || port > 65535 || *end != '\0') {
            config_reason(reason, reason_len, "Invalid master port");
            return -1;
        }
    }
    alloc_free(v->replicaof_host);
    v->replicaof_host = none ? NULL : alloc_strdup(argv[0]);
    v->replicaof_port = port;
    return 0;
}

static char *config_replicaof_format(const struct config *cfg, const struct config_param *p)
{
    const struct config *v = cfg;
    if (v->replicaof_host == NULL)
        return alloc_strdup("");
    size_t bytes = strlen(v->replicaof_host) + 8;
    char *text = alloc_bytes(bytes);
    snprintf(text, bytes, "%s %lld", v->replicaof_host, v->replicaof_port);
    return text;
}

/* Numbers from 0 to 100; kept as the text CONFIG GET shows, each as "%f"
 * with trailing zeros cut (Redis's trimDoubleString). A lone "" clears. */
static int config_percentiles_set(struct config *cfg, const struct config_param *p, int argc,
                                  char **argv, enum config_source source, char *reason,
                                  size_t reason_len)
{
    if (argc == 1 && argv[0][0] == '\0')
        argc = 0;
    /* "100.000000" and a space at most per value once checked. */
    size_t bytes = (size_t)argc * 16 + 1, used = 0;
    char *text = alloc_bytes(bytes);
    text[0] = '\0';
    for (int i = 0; i < argc; i++) {
        double value;
        const char *why = NULL;
        if (!number_parse_double(argv[i], strlen(argv[i]), &value))
            why = "Invalid latency-tracking-info-percentiles parameters";
        else if (value > 100.0 || value < 0.0)
            why = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
        if (why != NULL) {
            config_reason(reason, reason_len, "%s", why);
            alloc_free(text);
            return -1;
        }
        char one[32];
        size_t len = (size_t)snprintf(one, sizeof(one), "%f", value);
        while (len > 0 && one[len - 1] == '0')
            len--;
        if (len > 0 && one[len - 1] == '.')
            len--;
        assert(used + len + 1 < bytes);
        used += (size_t)snprintf(text + used, bytes - used, "%s%.*s", i ? " " : "", (int)len, one);
    }
    alloc_free(cfg->latency_percentiles);
    cfg->latency_percentiles = text;
    return 0;
}

static char *config_percentiles_format(const struct config *cfg, const struct config_param *p)
{
    return alloc_strdup(cfg->latency_percentiles);
}

/* shutdown-on-sigint and shutdown-on-sigterm: Redis's SHUTDOWN_* flags. */
static const struct config_enum_name config_shutdown_names[] = {
    {"default", 0}, {"save", 1}, {"nosave", 2}, {"now", 4}, {"force", 8}, {NULL, 0},
};

static int config_shutdown_set(struct config *cfg, const struct config_param *p, int argc,
                               char **argv, enum config_source source, char *reason,
                               size_t reason_len)
{
    int flags = 0;
    if (argc == 0)
        return config_enum_refuse(p, reason, reason_len);
    for (int i = 0; i < argc; i++) {
        const struct config_enum_name *n = p->names;
        while (n->name != NULL && strcasecmp(n->name, argv[i]) != 0)
            n++;
        if (n->name == NULL)
            return config_enum_refuse(p, reason, reason_len);
        flags |= n->value;
    }
    if ((flags & 1) && (flags & 2)) {
        config_reason(reason, reason_len,
                      "shutdown options SAVE and NOSAVE can't be used simultaneously");
        return -1;
    }
    config_number_put(cfg, p, flags);
    return 0;
}

static char *config_shutdown_format(const struct config *cfg, const struct config_param *p)
{
    long long flags = config_number_get(cfg, p);
    char text[64];
    size_t used = 0;
    text[0] = '\0';
    for (const struct config_enum_name *n = p->names + 1; n->name != NULL; n++)
        if (flags & n->value)
            used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s", used ? " " : "",
                                     n->name);
    assert(used < sizeof(text));
    return alloc_strdup(used ? text : "default");
}

/* ---- Text checks for string parameters ---- */

static bool config_is_basename(const char *value)
{
    return strchr(value, '/') == NULL && strchr(value, '\\') == NULL;
}

/* Redis chdirs and reports chdir's error; ringkv's server changes directory
 * later, so only the empty name is refused here, with chdir's words. */
static const char *config_dir_check(const char *value)
{
    return value[0] == '\0' ? "No such file or directory" : NULL;
}

static const char *config_dbfilename_check(const char *value)
{
    return config_is_basename(value) ? NULL : "dbfilename can't be a path, just a filename";
}

static const char *config_appendfilename_check(const char *value)
{
    if (value[0] == '\0')
        return "appendfilename can't be empty";
    return config_is_basename(value) ? NULL : "appendfilename can't be a path, just a filename";
}

static const char *config_appenddirname_check(const char *value)
{
    if (value[0] == '\0')
        return "appenddirname can't be empty";
    return config_is_basename(value) ? NULL : "appenddirname can't be a path, just a dirname";
}

/* Redis's isValidAnnouncedHostname. */
static const char *config_hostname_check(const char *value)
{
    if (strlen(value) >= 256)
        return "Hostnames must be less than 256 characters";
    for (const char *c = value; *c != '\0'; c++) {
        bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                  *c == '-' || *c == '.';
        if (!ok)
            return "Hostnames may only contain alphanumeric characters, hyphens or dots";
    }
    return NULL;
}

/* Redis's validateProcTitleTemplate: each "{name}" is one of its variables,
 * "{{" is a literal brace, and the expansion with an empty title is not
 * blank. Of the variables only listen-addr, port and tls-port are never
 * empty; the others are taken as empty here. */
static const char *config_proc_title_check(const char *value)
{
    static const char *const variables[] = {"listen-addr", "port", "tls-port", "title",
                                            "server-mode", "unixsocket", "config-file"};
    static const char bad[] = "template format is invalid or contains unknown variables";
    bool blank = true;
    for (const char *at = value; *at != '\0';) {
        const char *open = strchr(at, '{');
        const char *text_end = open ? open : at + strlen(at);
        blank = blank && strspn(at, " ") >= (size_t)(text_end - at);
        if (open == NULL)
            break;
        if (open[1] == '{') {
            blank = false;
            at = open + 2;
            continue;
        }
        const char *close = strchr(open + 1, '}');
        if (open[1] == '\0' || close == NULL)
            return bad;
        size_t len = (size_t)(close - open - 1);
        size_t known = sizeof(variables) / sizeof(variables[0]);
        for (size_t i = 0; i < known; i++) {
            if (strlen(variables[i]) == len && memcmp(variables[i], open + 1, len) == 0) {
                blank = blank && i >= 3;
                known = i;
                break;
            }
        }
        if (known == sizeof(variables) / sizeof(variables[0]))
            return bad;
        at = close + 1;
    }
    return blank ? bad : NULL;
}

/* Redis built without its own jemalloc (Debian's 7.0.15) refuses this; ringkv
 * has no defragmentation either. */
static const char *config_activedefrag_check(const char *value)
{
    return strcmp(value, "yes") == 0
               ? "Active defragmentation cannot be enabled: it requires a Redis server compiled "
                 "with a modified Jemalloc like the one shipped by default with the Redis source "
                 "distribution"
               : NULL;
}

static char *config_bind_format(const struct config *cfg, const struct config_param *p);
static char *config_save_format(const struct config *cfg, const struct config_param *p);

/* ---- The table ---- */

static const struct config_enum_name config_loglevel_names[] = {
    {"debug", LOGLEVEL_DEBUG},     {"verbose", LOGLEVEL_VERBOSE}, {"notice", LOGLEVEL_NOTICE},
    {"warning", LOGLEVEL_WARNING}, {"nothing", LOGLEVEL_NOTHING}, {NULL, 0},
};

/* Redis 7's order, which its error text lists; the value is the index. */
static const struct config_enum_name config_maxmemory_policy_names[] = {
    {"volatile-lru", 0}, {"volatile-lfu", 1},   {"volatile-random", 2}, {"volatile-ttl", 3},
    {"allkeys-lru", 4},  {"allkeys-lfu", 5},    {"allkeys-random", 6},  {"noeviction", 7},
    {NULL, 0},
};

static const struct config_enum_name config_appendfsync_names[] = {
    {"everysec", APPENDFSYNC_EVERYSEC}, {"always", APPENDFSYNC_ALWAYS}, {"no", APPENDFSYNC_NO},
    {NULL, 0},
};

static const struct config_enum_name config_aof_write_inline_names[] = {
    {"no", AOF_WRITE_INLINE_NO}, {"yes", AOF_WRITE_INLINE_YES}, {"auto", AOF_WRITE_INLINE_AUTO},
    {NULL, 0},
};

static const struct config_enum_name config_protected_names[] = {
    {"no", CONFIG_PROTECTED_NO}, {"yes", CONFIG_PROTECTED_YES}, {"local", CONFIG_PROTECTED_LOCAL},
    {NULL, 0},
};

/* The enums of parameters ringkv does not act on: Redis's names, in its
 * order; the values matter only where two names share one ("yes" and
 * "relative": CONFIG GET shows the first). */
static const struct config_enum_name config_supervised_names[] = {
    {"upstart", 1}, {"systemd", 2}, {"auto", 3}, {"no", 0}, {NULL, 0},
};
static const struct config_enum_name config_syslog_facility_names[] = {
    {"user", 0},   {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
    {"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8}, {NULL, 0},
};
static const struct config_enum_name config_repl_diskless_load_names[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {NULL, 0},
};
static const struct config_enum_name config_oom_score_adj_names[] = {
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {NULL, 0},
};
static const struct config_enum_name config_acl_pubsub_default_names[] = {
    {"allchannels", 1}, {"resetchannels", 0}, {NULL, 0},
};
static const struct config_enum_name config_sanitize_dump_payload_names[] = {
    {"no", 0}, {"yes", 1}, {"clients", 2}, {NULL, 0},
};
static const struct config_enum_name config_endpoint_type_names[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0},
};
static const struct config_enum_name config_propagation_error_names[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {NULL, 0},
};
static const struct config_enum_name config_tls_auth_clients_names[] = {
    {"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0},
};

static const struct config_enum_name config_child_sched_policy_names[] = {
    {"normal", CHILD_SCHED_NORMAL}, {"batch", CHILD_SCHED_BATCH}, {"idle", CHILD_SCHED_IDLE},
    {NULL, 0},
};
static const struct config_enum_name config_child_ioprio_names[] = {
    {"inherit", CHILD_IOPRIO_INHERIT}, {"best-effort-0", 0}, {"best-effort-1", 1},
    {"best-effort-2", 2}, {"best-effort-3", 3}, {"best-effort-4", 4}, {"best-effort-5", 5},
    {"best-effort-6", 6}, {"best-effort-7", 7}, {"idle", CHILD_IOPRIO_IDLE}, {NULL, 0},
};

#define CONFIG_MB (1024LL * 1024)
#define CONFIG_UINT_MAX 4294967295LL

/* One line per parameter ringkv does not act on (CONFIG_FLAG_NO_EFFECT),
 * its field in struct config_passive. */
#define CONFIG_PASSIVE_BOOL(name_, alias_, flags_, field, default_)                         \
    {.name = name_, .alias = alias_, .type = CONFIG_TYPE_BOOL,                               \
     .flags = (flags_) | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(field), .default_text = default_}
#define CONFIG_PASSIVE_NUMBER(name_, alias_, flags_, field, min_, max_, default_)           \
    {.name = name_, .alias = alias_, .type = CONFIG_TYPE_NUMBER,                             \
     .flags = (flags_) | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(field), .min = min_,       \
     .max = max_, .default_text = default_}
#define CONFIG_PASSIVE_ENUM(name_, flags_, field, names_, default_)                         \
    {.name = name_, .type = CONFIG_TYPE_ENUM, .flags = (flags_) | CONFIG_FLAG_NO_EFFECT,     \
     CONFIG_PASSIVE_AT(field), .names = names_, .default_text = default_}
#define CONFIG_PASSIVE_STRING(name_, alias_, flags_, field, default_)                       \
    {.name = name_, .alias = alias_, .type = CONFIG_TYPE_STRING,                             \
     .flags = (flags_) | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(field), .default_text = default_}
#define CONFIG_PASSIVE_SPECIAL(name_, alias_, flags_, field, default_, set_, format_)        \
    {.name = name_, .alias = alias_, .type = CONFIG_TYPE_SPECIAL,                            \
     .flags = (flags_) | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(field),                    \
     .default_text = default_, .set = set_, .format = format_}

/* Shorthands for the flags the passive lines use most. */
#define IMM CONFIG_FLAG_IMMUTABLE
#define MEM CONFIG_FLAG_MEMORY
#define NUL CONFIG_FLAG_EMPTY_IS_NULL
#define HID CONFIG_FLAG_HIDDEN

/* Ranges are Redis 7.0.15's except where a field is narrower (maxclients
 * and maxmemory stop at the field's maximum) or ringkv sets a ceiling
 * (databases). Unsigned ranges keep Redis's bounds, so the refusal reads
 * the same. */
static const struct config_param config_params[] = {
    /* network */
    {.name = "bind", .type = CONFIG_TYPE_SPECIAL, .flags = CONFIG_FLAG_MULTI_ARG, CONFIG_AT(bind),
     .default_text = "127.0.0.1", .set = config_bind_set, .format = config_bind_format},
    {.name = "port", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(port), .min = 0, .max = 65535,
     .default_text = "6379"},
    {.name = "tcp-backlog", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(tcp_backlog), .min = 0, .max = INT_MAX, .default_text = "511"},
    {.name = "tcp-keepalive", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(tcp_keepalive), .min = 0,
     .max = INT_MAX, .default_text = "300"},
    {.name = "timeout", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(timeout), .min = 0, .max = INT_MAX,
     .default_text = "0"},
    {.name = "protected-mode", .type = CONFIG_TYPE_BOOL, CONFIG_AT(protected_mode),
     .default_text = "yes"},
    /* Redis takes up to UINT_MAX; the field is an int, so more is kept as
     * INT_MAX (the server lowers it to what the fd limit allows anyway). */
    {.name = "maxclients", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(maxclients), .min = 1,
     .max = CONFIG_UINT_MAX, .clamp_min = 1, .clamp_max = INT_MAX, .default_text = "10000"},
    {.name = "requirepass", .type = CONFIG_TYPE_STRING,
     .flags = CONFIG_FLAG_SENSITIVE | CONFIG_FLAG_EMPTY_IS_NULL, CONFIG_AT(requirepass),
     .default_text = ""},
    {.name = "proto-max-bulk-len", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(proto_max_bulk_len), .min = CONFIG_MB, .max = LLONG_MAX, .default_text = "512mb"},
    {.name = "client-query-buffer-limit", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(client_query_buffer_limit), .min = CONFIG_MB, .max = LLONG_MAX, .default_text = "1gb"},
    {.name = "client-output-buffer-limit", .type = CONFIG_TYPE_SPECIAL,
     .flags = CONFIG_FLAG_MULTI_ARG, CONFIG_AT(client_output_buffer_limit),
     .default_text = "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60",
     .set = config_output_limit_set, .format = config_output_limit_format},

    /* server */
    {.name = "databases", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(databases), .min = 1, .max = CONFIG_DATABASES_MAX, .default_text = "16"},
    {.name = "hz", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(hz), .min = 0, .max = INT_MAX,
     .clamp_min = 1, .clamp_max = 500, .default_text = "10"},
    {.name = "dynamic-hz", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_NO_EFFECT,
     CONFIG_AT(dynamic_hz), .default_text = "yes"},
    {.name = "dir", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_PROTECTED, CONFIG_AT(dir),
     .check = config_dir_check, .default_text = "./data"},
    {.name = "pidfile", .type = CONFIG_TYPE_STRING,
     .flags = CONFIG_FLAG_IMMUTABLE | CONFIG_FLAG_EMPTY_IS_NULL, CONFIG_AT(pidfile),
     .default_text = ""},
    {.name = "logfile", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(logfile), .default_text = ""},
    {.name = "loglevel", .type = CONFIG_TYPE_ENUM, CONFIG_AT(loglevel),
     .names = config_loglevel_names, .default_text = "notice"},
    {.name = "daemonize", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(daemonize), .default_text = "no"},
    {.name = "always-show-logo", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(always_show_logo), .default_text = "no"},
    {.name = "enable-debug-command", .type = CONFIG_TYPE_ENUM, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(enable_debug_command), .names = config_protected_names, .default_text = "no"},
    {.name = "enable-protected-configs", .type = CONFIG_TYPE_ENUM, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(enable_protected_configs), .names = config_protected_names, .default_text = "no"},
    {.name = "enable-module-command", .type = CONFIG_TYPE_ENUM,
     .flags = CONFIG_FLAG_IMMUTABLE | CONFIG_FLAG_NO_EFFECT, CONFIG_AT(enable_module_command),
     .names = config_protected_names, .default_text = "no"},
    {.name = "active-expire-effort", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(active_expire_effort),
     .min = 1, .max = 10, .default_text = "1"},
    {.name = "activerehashing", .type = CONFIG_TYPE_BOOL, CONFIG_AT(activerehashing),
     .default_text = "yes"},
    {.name = "lazyfree-lazy-user-flush", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_NO_EFFECT,
     CONFIG_AT(lazyfree_lazy_user_flush), .default_text = "no"},
    /* Memory limits and eviction (net/commands/evict.c). maxmemory-clients
     * is accepted and reported only: ringkv evicts no clients. */
    {.name = "maxmemory", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(maxmemory), .min = 0, .max = LLONG_MAX, .default_text = "0"},
    {.name = "maxmemory-policy", .type = CONFIG_TYPE_ENUM, CONFIG_AT(maxmemory_policy),
     .names = config_maxmemory_policy_names, .default_text = "noeviction"},
    {.name = "maxmemory-clients", .type = CONFIG_TYPE_NUMBER,
     .flags = CONFIG_FLAG_MEMORY | CONFIG_FLAG_PERCENT | CONFIG_FLAG_NO_EFFECT,
     CONFIG_AT(maxmemory_clients), .min = -100, .max = LLONG_MAX, .default_text = "0"},
    {.name = "maxmemory-eviction-tenacity", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(maxmemory_eviction_tenacity), .min = 0, .max = 100, .default_text = "10"},
    {.name = "maxmemory-samples", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(maxmemory_samples),
     .min = 1, .max = INT_MAX, .default_text = "5"},
    {.name = "lfu-log-factor", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(lfu_log_factor), .min = 0,
     .max = INT_MAX, .default_text = "10"},
    {.name = "lfu-decay-time", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(lfu_decay_time), .min = 0,
     .max = INT_MAX, .default_text = "1"},
    /* ringkv frees an evicted key at once either way; yes only makes the
     * AOF say UNLINK instead of DEL, as Redis's does. */
    {.name = "lazyfree-lazy-eviction", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(lazyfree_lazy_eviction), .default_text = "no"},

    /* persistence */
    {.name = "save", .type = CONFIG_TYPE_SPECIAL, .flags = CONFIG_FLAG_MULTI_ARG, CONFIG_AT(save),
     .default_text = "3600 1 300 100 60 10000", .set = config_save_set,
     .format = config_save_format},
    {.name = "dbfilename", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_PROTECTED,
     CONFIG_AT(dbfilename), .check = config_dbfilename_check, .default_text = "dump.rdb"},
    {.name = "appendonly", .type = CONFIG_TYPE_BOOL, CONFIG_AT(appendonly), .default_text = "no"},
    {.name = "appendfsync", .type = CONFIG_TYPE_ENUM, CONFIG_AT(appendfsync),
     .names = config_appendfsync_names, .default_text = "everysec"},
    {.name = "appendfilename", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(appendfilename), .check = config_appendfilename_check,
     .default_text = "appendonly.aof"},
    {.name = "appenddirname", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(appenddirname), .check = config_appenddirname_check,
     .default_text = "appendonlydir"},
    {.name = "rdbcompression", .type = CONFIG_TYPE_BOOL, CONFIG_AT(rdbcompression),
     .default_text = "yes"},
    {.name = "rdbchecksum", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(rdbchecksum), .default_text = "yes"},
    {.name = "stop-writes-on-bgsave-error", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(stop_writes_on_bgsave_error), .default_text = "yes"},
    {.name = "aof-load-truncated", .type = CONFIG_TYPE_BOOL, CONFIG_AT(aof_load_truncated),
     .default_text = "yes"},
    {.name = "aof-use-rdb-preamble", .type = CONFIG_TYPE_BOOL, CONFIG_AT(aof_use_rdb_preamble),
     .default_text = "yes"},
    {.name = "aof-timestamp-enabled", .type = CONFIG_TYPE_BOOL, CONFIG_AT(aof_timestamp_enabled),
     .default_text = "no"},
    {.name = "aof-disable-auto-gc", .type = CONFIG_TYPE_BOOL, CONFIG_AT(aof_disable_auto_gc),
     .default_text = "no"},
    {.name = "no-appendfsync-on-rewrite", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(no_appendfsync_on_rewrite), .default_text = "no"},
    {.name = "aof-rewrite-incremental-fsync", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(aof_rewrite_incremental_fsync), .default_text = "yes"},
    {.name = "rdb-save-incremental-fsync", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(rdb_save_incremental_fsync), .default_text = "yes"},
    {.name = "auto-aof-rewrite-percentage", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(auto_aof_rewrite_percentage), .min = 0, .max = INT_MAX, .default_text = "100"},
    {.name = "auto-aof-rewrite-min-size", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(auto_aof_rewrite_min_size), .min = 0, .max = LLONG_MAX, .default_text = "64mb"},
    {.name = "aof-direct-io", .type = CONFIG_TYPE_BOOL, CONFIG_AT(aof_direct_io),
     .default_text = "yes"},
    {.name = "aof-prewrite-size", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(aof_prewrite_size), .min = 1 << 20, .max = 1LL << 40, .default_text = "64mb"},
    {.name = "aof-write-inline", .type = CONFIG_TYPE_ENUM, CONFIG_AT(aof_write_inline),
     .names = config_aof_write_inline_names, .default_text = "auto"},
    {.name = "aof-batches-in-flight", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(aof_batches_in_flight), .min = 1, .max = 16, .default_text = "1"},
    /* ringkv's: fork children yield the CPU and the disk to the event
     * loop (net/persist/persist.c says why these defaults). */
    {.name = "child-nice", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(child_nice), .min = 0,
     .max = 19, .default_text = "10"},
    {.name = "child-sched-policy", .type = CONFIG_TYPE_ENUM, CONFIG_AT(child_sched_policy),
     .names = config_child_sched_policy_names, .default_text = "batch"},
    {.name = "child-ioprio", .type = CONFIG_TYPE_ENUM, CONFIG_AT(child_ioprio),
     .names = config_child_ioprio_names, .default_text = "best-effort-7"},
    /* ringkv's: threads of the RDB encoder in a save child; 0 chooses. */
    {.name = "rdb-save-threads", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(rdb_save_threads),
     .min = 0, .max = CONFIG_RDB_SAVE_THREADS_MAX, .default_text = "0"},

    /* collection encodings */
    {.name = "stream-node-max-bytes", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(stream_node_max_bytes), .min = 0, .max = LONG_MAX, .default_text = "4096"},
    {.name = "stream-node-max-entries", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(stream_node_max_entries), .min = 0, .max = LLONG_MAX, .default_text = "100"},
    {.name = "hash-max-listpack-entries", .alias = "hash-max-ziplist-entries",
     .type = CONFIG_TYPE_NUMBER, CONFIG_AT(hash_max_listpack_entries), .min = 0, .max = LLONG_MAX,
     .default_text = "512"},
    {.name = "hash-max-listpack-value", .alias = "hash-max-ziplist-value",
     .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY, CONFIG_AT(hash_max_listpack_value),
     .min = 0, .max = LLONG_MAX, .default_text = "64"},
    {.name = "list-max-listpack-size", .alias = "list-max-ziplist-size", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(list_max_listpack_size), .min = INT_MIN, .max = INT_MAX, .default_text = "-2"},
    {.name = "set-max-intset-entries", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(set_max_intset_entries), .min = 0, .max = LLONG_MAX, .default_text = "512"},
    {.name = "zset-max-listpack-entries", .alias = "zset-max-ziplist-entries",
     .type = CONFIG_TYPE_NUMBER, CONFIG_AT(zset_max_listpack_entries), .min = 0, .max = LLONG_MAX,
     .default_text = "128"},
    {.name = "zset-max-listpack-value", .alias = "zset-max-ziplist-value",
     .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY, CONFIG_AT(zset_max_listpack_value),
     .min = 0, .max = LLONG_MAX, .default_text = "64"},
    {.name = "hll-sparse-max-bytes", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(hll_sparse_max_bytes), .min = 0, .max = LONG_MAX, .default_text = "3000"},

    /* Accepted, reported, not acted on yet: process and logging */
    CONFIG_PASSIVE_BOOL("set-proc-title", NULL, IMM, set_proc_title, "yes"),
    {.name = "proc-title-template", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_NO_EFFECT,
     CONFIG_PASSIVE_AT(proc_title_template), .check = config_proc_title_check,
     .default_text = "{title} {listen-addr} {server-mode}"},
    CONFIG_PASSIVE_ENUM("supervised", IMM, supervised, config_supervised_names, "no"),
    CONFIG_PASSIVE_BOOL("syslog-enabled", NULL, IMM, syslog_enabled, "no"),
    CONFIG_PASSIVE_STRING("syslog-ident", NULL, IMM, syslog_ident, "redis"),
    CONFIG_PASSIVE_ENUM("syslog-facility", IMM, syslog_facility, config_syslog_facility_names,
                        "local0"),
    CONFIG_PASSIVE_BOOL("crash-log-enabled", NULL, 0, crash_log_enabled, "yes"),
    CONFIG_PASSIVE_BOOL("crash-memcheck-enabled", NULL, 0, crash_memcheck_enabled, "yes"),
    CONFIG_PASSIVE_BOOL("use-exit-on-panic", NULL, HID, use_exit_on_panic, "no"),
    CONFIG_PASSIVE_NUMBER("watchdog-period", NULL, HID, watchdog_period, 0, INT_MAX, "0"),
    CONFIG_PASSIVE_BOOL("disable-thp", NULL, IMM, disable_thp, "yes"),
    CONFIG_PASSIVE_BOOL("jemalloc-bg-thread", NULL, 0, jemalloc_bg_thread, "yes"),
    CONFIG_PASSIVE_ENUM("oom-score-adj", 0, oom_score_adj, config_oom_score_adj_names, "no"),
    CONFIG_PASSIVE_SPECIAL("oom-score-adj-values", NULL, CONFIG_FLAG_MULTI_ARG,
                           oom_score_adj_values, "0 200 800", config_oom_values_set,
                           config_oom_values_format),
    CONFIG_PASSIVE_STRING("server_cpulist", NULL, IMM | NUL, server_cpulist, ""),
    CONFIG_PASSIVE_STRING("bio_cpulist", NULL, IMM | NUL, bio_cpulist, ""),
    CONFIG_PASSIVE_STRING("aof_rewrite_cpulist", NULL, IMM | NUL, aof_rewrite_cpulist, ""),
    CONFIG_PASSIVE_STRING("bgsave_cpulist", NULL, IMM | NUL, bgsave_cpulist, ""),
    CONFIG_PASSIVE_STRING("ignore-warnings", NULL, 0, ignore_warnings, ""),
    CONFIG_PASSIVE_NUMBER("io-threads", NULL, IMM, io_threads, 1, 128, "1"),
    CONFIG_PASSIVE_BOOL("io-threads-do-reads", NULL, IMM, io_threads_do_reads, "no"),
    {.name = "shutdown-on-sigint", .type = CONFIG_TYPE_SPECIAL,
     .flags = CONFIG_FLAG_MULTI_ARG | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(shutdown_on_sigint),
     .names = config_shutdown_names, .default_text = "default", .set = config_shutdown_set,
     .format = config_shutdown_format},
    {.name = "shutdown-on-sigterm", .type = CONFIG_TYPE_SPECIAL,
     .flags = CONFIG_FLAG_MULTI_ARG | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(shutdown_on_sigterm),
     .names = config_shutdown_names, .default_text = "default", .set = config_shutdown_set,
     .format = config_shutdown_format},
    CONFIG_PASSIVE_NUMBER("shutdown-timeout", NULL, 0, shutdown_timeout, 0, INT_MAX, "10"),
    CONFIG_PASSIVE_ENUM("propagation-error-behavior", 0, propagation_error_behavior,
                        config_propagation_error_names, "ignore"),

    /* ... network, clients and ACLs */
    CONFIG_PASSIVE_STRING("unixsocket", NULL, IMM | NUL, unixsocket, ""),
    CONFIG_PASSIVE_NUMBER("unixsocketperm", NULL, IMM | CONFIG_FLAG_OCTAL, unixsocketperm, 0, 0777,
                          "0"),
    CONFIG_PASSIVE_NUMBER("socket-mark-id", NULL, IMM, socket_mark_id, 0, CONFIG_UINT_MAX, "0"),
    CONFIG_PASSIVE_STRING("bind-source-addr", NULL, NUL, bind_source_addr, ""),
    /* net/commands/acl.c reads these three */
    {.name = "aclfile", .type = CONFIG_TYPE_STRING, .flags = IMM, CONFIG_AT(aclfile),
     .default_text = ""},
    {.name = "acllog-max-len", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(acllog_max_len), .min = 0,
     .max = LONG_MAX, .default_text = "128"},
    {.name = "acl-pubsub-default", .type = CONFIG_TYPE_ENUM, CONFIG_AT(acl_pubsub_default),
     .names = config_acl_pubsub_default_names, .default_text = "resetchannels"},
    {.name = "tracking-table-max-keys", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(tracking_table_max_keys), .min = 0, .max = LONG_MAX, .default_text = "1000000"},
    /* net/commands/script_lua.c: when a running script starts answering -BUSY */
    {.name = "busy-reply-threshold", .alias = "lua-time-limit", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(busy_reply_threshold), .min = 0, .max = LONG_MAX, .default_text = "5000"},

    /* ... monitoring */
    {.name = "slowlog-log-slower-than", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(slowlog_log_slower_than), .min = -1, .max = LLONG_MAX, .default_text = "10000"},
    {.name = "slowlog-max-len", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(slowlog_max_len), .min = 0,
     .max = LONG_MAX, .default_text = "128"},
    {.name = "latency-monitor-threshold", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(latency_monitor_threshold), .min = 0, .max = LLONG_MAX, .default_text = "0"},
    {.name = "latency-tracking", .type = CONFIG_TYPE_BOOL, CONFIG_AT(latency_tracking),
     .default_text = "yes"},
    {.name = "latency-tracking-info-percentiles", .type = CONFIG_TYPE_SPECIAL,
     .flags = CONFIG_FLAG_MULTI_ARG, CONFIG_AT(latency_percentiles), .default_text = "50 99 99.9",
     .set = config_percentiles_set, .format = config_percentiles_format},
    {.name = "notify-keyspace-events", .type = CONFIG_TYPE_SPECIAL,
     CONFIG_AT(notify_keyspace_events), .default_text = "", .set = config_notify_set,
     .format = config_notify_format},

    /* ... memory, lazy freeing and encodings of types ringkv lacks */
    CONFIG_PASSIVE_BOOL("lazyfree-lazy-expire", NULL, 0, lazyfree_lazy_expire, "no"),
    CONFIG_PASSIVE_BOOL("lazyfree-lazy-server-del", NULL, 0, lazyfree_lazy_server_del, "no"),
    CONFIG_PASSIVE_BOOL("lazyfree-lazy-user-del", NULL, 0, lazyfree_lazy_user_del, "no"),
    {.name = "activedefrag", .type = CONFIG_TYPE_BOOL, .flags = CONFIG_FLAG_NO_EFFECT,
     CONFIG_PASSIVE_AT(activedefrag), .check = config_activedefrag_check, .default_text = "no"},
    CONFIG_PASSIVE_NUMBER("active-defrag-cycle-min", NULL, 0, active_defrag_cycle_min, 1, 99, "1"),
    CONFIG_PASSIVE_NUMBER("active-defrag-cycle-max", NULL, 0, active_defrag_cycle_max, 1, 99, "25"),
    CONFIG_PASSIVE_NUMBER("active-defrag-threshold-lower", NULL, 0, active_defrag_threshold_lower,
                          0, 1000, "10"),
    CONFIG_PASSIVE_NUMBER("active-defrag-threshold-upper", NULL, 0, active_defrag_threshold_upper,
                          0, 1000, "100"),
    CONFIG_PASSIVE_NUMBER("active-defrag-ignore-bytes", NULL, MEM, active_defrag_ignore_bytes, 1,
                          LLONG_MAX, "100mb"),
    CONFIG_PASSIVE_NUMBER("active-defrag-max-scan-fields", NULL, 0, active_defrag_max_scan_fields,
                          1, LONG_MAX, "1000"),
    CONFIG_PASSIVE_NUMBER("list-compress-depth", NULL, 0, list_compress_depth, 0, INT_MAX, "0"),

    /* ... persistence details */
    CONFIG_PASSIVE_BOOL("rdb-del-sync-files", NULL, 0, rdb_del_sync_files, "no"),
    /* Acted on (net/persist/rdb_load.c reads it through config_get); the
     * field stays in struct config_passive. */
    {.name = "sanitize-dump-payload", .type = CONFIG_TYPE_ENUM,
     CONFIG_PASSIVE_AT(sanitize_dump_payload), .names = config_sanitize_dump_payload_names,
     .default_text = "no"},
    /* Acted on by the fork children (persist_child_key_delay). */
    {.name = "rdb-key-save-delay", .type = CONFIG_TYPE_NUMBER, .flags = HID,
     CONFIG_AT(rdb_key_save_delay), .min = INT_MIN, .max = INT_MAX, .default_text = "0"},
    CONFIG_PASSIVE_NUMBER("key-load-delay", NULL, HID, key_load_delay, INT_MIN, INT_MAX, "0"),
    CONFIG_PASSIVE_NUMBER("loading-process-events-interval-bytes", NULL, HID,
                          loading_process_events_interval_bytes, 1024, INT_MAX, "2097152"),

    /* ... replication */
    /* Acted on by net/repl/. */
    {.name = "replicaof", .alias = "slaveof", .type = CONFIG_TYPE_SPECIAL,
     .flags = IMM | CONFIG_FLAG_MULTI_ARG, CONFIG_AT(replicaof_host), .default_text = "no one",
     .set = config_replicaof_set, .format = config_replicaof_format},
    {.name = "masterauth", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_SENSITIVE | NUL,
     CONFIG_AT(masterauth), .default_text = ""},
    {.name = "masteruser", .type = CONFIG_TYPE_STRING, .flags = CONFIG_FLAG_SENSITIVE | NUL,
     CONFIG_AT(masteruser), .default_text = ""},
    {.name = "replica-serve-stale-data", .alias = "slave-serve-stale-data",
     .type = CONFIG_TYPE_BOOL, CONFIG_AT(replica_serve_stale_data), .default_text = "yes"},
    {.name = "replica-read-only", .alias = "slave-read-only", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(replica_read_only), .default_text = "yes"},
    CONFIG_PASSIVE_BOOL("replica-lazy-flush", "slave-lazy-flush", 0, replica_lazy_flush, "no"),
    CONFIG_PASSIVE_BOOL("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0,
                        replica_ignore_maxmemory, "yes"),
    CONFIG_PASSIVE_BOOL("replica-ignore-disk-write-errors", NULL, 0,
                        replica_ignore_disk_write_errors, "no"),
    {.name = "replica-announced", .type = CONFIG_TYPE_BOOL, CONFIG_AT(replica_announced),
     .default_text = "yes"},
    CONFIG_PASSIVE_STRING("replica-announce-ip", "slave-announce-ip", NUL, replica_announce_ip, ""),
    CONFIG_PASSIVE_NUMBER("replica-announce-port", "slave-announce-port", 0, replica_announce_port,
                          0, 65535, "0"),
    {.name = "replica-priority", .alias = "slave-priority", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(replica_priority), .min = 0, .max = INT_MAX, .default_text = "100"},
    {.name = "min-replicas-to-write", .alias = "min-slaves-to-write", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(min_replicas_to_write), .min = 0, .max = INT_MAX, .default_text = "0"},
    {.name = "min-replicas-max-lag", .alias = "min-slaves-max-lag", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(min_replicas_max_lag), .min = 0, .max = INT_MAX, .default_text = "10"},
    {.name = "repl-ping-replica-period", .alias = "repl-ping-slave-period",
     .type = CONFIG_TYPE_NUMBER, CONFIG_AT(repl_ping_replica_period), .min = 1, .max = INT_MAX,
     .default_text = "10"},
    {.name = "repl-timeout", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(repl_timeout), .min = 1,
     .max = INT_MAX, .default_text = "60"},
    CONFIG_PASSIVE_BOOL("repl-disable-tcp-nodelay", NULL, 0, repl_disable_tcp_nodelay, "no"),
    {.name = "repl-backlog-size", .type = CONFIG_TYPE_NUMBER, .flags = MEM,
     CONFIG_AT(repl_backlog_size), .min = 1, .max = LLONG_MAX, .default_text = "1mb"},
    {.name = "repl-backlog-ttl", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(repl_backlog_ttl), .min = 0,
     .max = LONG_MAX, .default_text = "3600"},
    {.name = "repl-diskless-sync", .type = CONFIG_TYPE_BOOL, CONFIG_AT(repl_diskless_sync),
     .default_text = "yes"},
    {.name = "repl-diskless-sync-delay", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(repl_diskless_sync_delay), .min = 0, .max = INT_MAX, .default_text = "5"},
    CONFIG_PASSIVE_NUMBER("repl-diskless-sync-max-replicas", NULL, 0,
                          repl_diskless_sync_max_replicas, 0, INT_MAX, "0"),
    CONFIG_PASSIVE_ENUM("repl-diskless-load", 0, repl_diskless_load,
                        config_repl_diskless_load_names, "disabled"),

    /* ... cluster */
    CONFIG_PASSIVE_BOOL("cluster-enabled", NULL, IMM, cluster_enabled, "no"),
    CONFIG_PASSIVE_STRING("cluster-config-file", NULL, IMM, cluster_config_file, "nodes.conf"),
    CONFIG_PASSIVE_NUMBER("cluster-port", NULL, IMM, cluster_port, 0, 65535, "0"),
    CONFIG_PASSIVE_NUMBER("cluster-node-timeout", NULL, 0, cluster_node_timeout, 0, LLONG_MAX,
                          "15000"),
    CONFIG_PASSIVE_STRING("cluster-announce-ip", NULL, NUL, cluster_announce_ip, ""),
    {.name = "cluster-announce-hostname", .type = CONFIG_TYPE_STRING,
     .flags = NUL | CONFIG_FLAG_NO_EFFECT, CONFIG_PASSIVE_AT(cluster_announce_hostname),
     .check = config_hostname_check, .default_text = ""},
    CONFIG_PASSIVE_NUMBER("cluster-announce-port", NULL, 0, cluster_announce_port, 0, 65535, "0"),
    CONFIG_PASSIVE_NUMBER("cluster-announce-bus-port", NULL, 0, cluster_announce_bus_port, 0,
                          65535, "0"),
    CONFIG_PASSIVE_NUMBER("cluster-announce-tls-port", NULL, 0, cluster_announce_tls_port, 0,
                          65535, "0"),
    CONFIG_PASSIVE_ENUM("cluster-preferred-endpoint-type", 0, cluster_preferred_endpoint_type,
                        config_endpoint_type_names, "ip"),
    CONFIG_PASSIVE_BOOL("cluster-require-full-coverage", NULL, 0, cluster_require_full_coverage,
                        "yes"),
    CONFIG_PASSIVE_BOOL("cluster-replica-no-failover", "cluster-slave-no-failover", 0,
                        cluster_replica_no_failover, "no"),
    CONFIG_PASSIVE_NUMBER("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0,
                          cluster_replica_validity_factor, 0, INT_MAX, "10"),
    CONFIG_PASSIVE_NUMBER("cluster-migration-barrier", NULL, 0, cluster_migration_barrier, 0,
                          INT_MAX, "1"),
    CONFIG_PASSIVE_BOOL("cluster-allow-replica-migration", NULL, 0,
                        cluster_allow_replica_migration, "yes"),
    CONFIG_PASSIVE_BOOL("cluster-allow-reads-when-down", NULL, 0, cluster_allow_reads_when_down,
                        "no"),
    CONFIG_PASSIVE_BOOL("cluster-allow-pubsubshard-when-down", NULL, 0,
                        cluster_allow_pubsubshard_when_down, "yes"),
    CONFIG_PASSIVE_NUMBER("cluster-link-sendbuf-limit", NULL, MEM, cluster_link_sendbuf_limit, 0,
                          LLONG_MAX, "0"),

    /* ... TLS */
    CONFIG_PASSIVE_NUMBER("tls-port", NULL, 0, tls_port, 0, 65535, "0"),
    CONFIG_PASSIVE_BOOL("tls-cluster", NULL, 0, tls_cluster, "no"),
    CONFIG_PASSIVE_BOOL("tls-replication", NULL, 0, tls_replication, "no"),
    CONFIG_PASSIVE_ENUM("tls-auth-clients", 0, tls_auth_clients, config_tls_auth_clients_names,
                        "yes"),
    CONFIG_PASSIVE_BOOL("tls-prefer-server-ciphers", NULL, 0, tls_prefer_server_ciphers, "no"),
    CONFIG_PASSIVE_BOOL("tls-session-caching", NULL, 0, tls_session_caching, "yes"),
    CONFIG_PASSIVE_NUMBER("tls-session-cache-size", NULL, 0, tls_session_cache_size, 0, INT_MAX,
                          "20480"),
    CONFIG_PASSIVE_NUMBER("tls-session-cache-timeout", NULL, 0, tls_session_cache_timeout, 0,
                          INT_MAX, "300"),
    CONFIG_PASSIVE_STRING("tls-cert-file", NULL, NUL, tls_cert_file, ""),
    CONFIG_PASSIVE_STRING("tls-key-file", NULL, NUL, tls_key_file, ""),
    CONFIG_PASSIVE_STRING("tls-key-file-pass", NULL, CONFIG_FLAG_SENSITIVE | NUL, tls_key_file_pass,
                          ""),
    CONFIG_PASSIVE_STRING("tls-client-cert-file", NULL, NUL, tls_client_cert_file, ""),
    CONFIG_PASSIVE_STRING("tls-client-key-file", NULL, NUL, tls_client_key_file, ""),
    CONFIG_PASSIVE_STRING("tls-client-key-file-pass", NULL, CONFIG_FLAG_SENSITIVE | NUL,
                          tls_client_key_file_pass, ""),
    CONFIG_PASSIVE_STRING("tls-dh-params-file", NULL, NUL, tls_dh_params_file, ""),
    CONFIG_PASSIVE_STRING("tls-ca-cert-file", NULL, NUL, tls_ca_cert_file, ""),
    CONFIG_PASSIVE_STRING("tls-ca-cert-dir", NULL, NUL, tls_ca_cert_dir, ""),
    CONFIG_PASSIVE_STRING("tls-protocols", NULL, NUL, tls_protocols, ""),
    CONFIG_PASSIVE_STRING("tls-ciphers", NULL, NUL, tls_ciphers, ""),
    CONFIG_PASSIVE_STRING("tls-ciphersuites", NULL, NUL, tls_ciphersuites, ""),
};

#undef IMM
#undef MEM
#undef NUL
#undef HID

#define CONFIG_PARAMS_COUNT (sizeof(config_params) / sizeof(config_params[0]))

/* Finds a parameter by name or alias, ignoring case. Sets *via_alias. */
static const struct config_param *config_lookup(const char *name, size_t len, bool *via_alias)
{
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        const struct config_param *p = &config_params[i];
        if (strlen(p->name) == len && strncasecmp(p->name, name, len) == 0) {
            *via_alias = false;
            return p;
        }
        if (p->alias && strlen(p->alias) == len && strncasecmp(p->alias, name, len) == 0) {
            *via_alias = true;
            return p;
        }
    }
    return NULL;
}

/* ---- Formatting, as CONFIG GET prints values ---- */

static char *config_bind_format(const struct config *cfg, const struct config_param *p)
{
    size_t bytes = 1;
    for (int i = 0; i < cfg->bind_count; i++)
        bytes += strlen(cfg->bind[i]) + 1;
    char *text = alloc_bytes(bytes);
    size_t used = 0;
    for (int i = 0; i < cfg->bind_count; i++)
        used += (size_t)snprintf(text + used, bytes - used, "%s%s", i ? " " : "", cfg->bind[i]);
    text[used] = '\0';
    assert(used < bytes);
    return text;
}

static char *config_save_format(const struct config *cfg, const struct config_param *p)
{
    /* Two numbers of at most 20 digits and two spaces per point. */
    size_t bytes = (size_t)cfg->save_count * 44 + 1;
    char *text = alloc_bytes(bytes);
    size_t used = 0;
    for (int i = 0; i < cfg->save_count; i++)
        used += (size_t)snprintf(text + used, bytes - used, "%s%lld %lld", i ? " " : "",
                                 cfg->save[i].seconds, cfg->save[i].changes);
    text[used] = '\0';
    assert(used < bytes);
    return text;
}

/* Returns the value as owned text. */
static char *config_format(const struct config *cfg, const struct config_param *p)
{
    char number[32];
    switch (p->type) {
    case CONFIG_TYPE_BOOL: {
        bool value;
        memcpy(&value, config_field_const(cfg, p), sizeof(value));
        return alloc_strdup(value ? "yes" : "no");
    }
    case CONFIG_TYPE_NUMBER: {
        long long value = config_number_get(cfg, p);
        if ((p->flags & CONFIG_FLAG_PERCENT) && value < 0)
            snprintf(number, sizeof(number), "%lld%%", -value);
        else
            snprintf(number, sizeof(number), (p->flags & CONFIG_FLAG_OCTAL) ? "%llo" : "%lld", value);
        return alloc_strdup(number);
    }
    case CONFIG_TYPE_ENUM: {
        long long value = config_number_get(cfg, p);
        for (const struct config_enum_name *n = p->names; n->name != NULL; n++) {
            if (n->value == value)
                return alloc_strdup(n->name);
        }
        assert(!"enum field holds a value without a name");
        return alloc_strdup("");
    }
    case CONFIG_TYPE_STRING: {
        char *const *field = config_field_const(cfg, p);
        return alloc_strdup(*field ? *field : "");
    }
    case CONFIG_TYPE_SPECIAL:
        return p->format(cfg, p);
    }
    assert(!"unknown parameter type");
    return NULL;
}

/* ---- Word lists: owned NUL-terminated argument vectors ---- */

struct config_words {
    int count;
    int cap;
    char **words; /* owned, and so is each word */
};

static void config_words_push(struct config_words *w, const char *s, size_t len)
{
    if (w->count == w->cap) {
        assert(w->cap < INT_MAX / 2);
        w->cap = w->cap ? w->cap * 2 : 8;
        w->words = alloc_resize(w->words, sizeof(char *) * (size_t)w->cap);
    }
    w->words[w->count++] = alloc_strndup(s, len);
}

static void config_words_clear(struct config_words *w)
{
    for (int i = 0; i < w->count; i++)
        alloc_free(w->words[i]);
    w->count = 0;
}

static void config_words_free(struct config_words *w)
{
    config_words_clear(w);
    alloc_free(w->words);
    w->words = NULL;
    w->cap = 0;
}

/* Appends the words of text split as redis.conf lines are (quotes and
 * escapes). Returns -1 on unbalanced quotes. */
static int config_words_split(struct config_words *w, const char *text, size_t len)
{
    char *scratch = NULL;
    size_t scratch_cap = 0;
    struct resp_arg *args = NULL;
    size_t args_cap = 0;
    int count = args_split(text, len, &scratch, &scratch_cap, &args, &args_cap);
    for (int i = 0; i < count; i++)
        config_words_push(w, args[i].ptr, args[i].len);
    alloc_free(scratch);
    alloc_free(args);
    return count < 0 ? -1 : 0;
}

/* Appends the words of a CONFIG SET value split at every single space, as
 * Redis's sdssplitlen does: "" gives no words, "a  b" gives "a", "", "b". */
static void config_words_split_spaces(struct config_words *w, const char *text, size_t len)
{
    size_t start = 0;
    if (len == 0)
        return;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == ' ') {
            config_words_push(w, text + start, i - start);
            start = i + 1;
        }
    }
}

/* ---- Defaults, copies and freeing ---- */

void config_init(struct config *cfg)
{
    char reason[CONFIG_REASON_BYTES_MAX];
    struct config_words w = {0};
    assert(cfg != NULL);
    memset(cfg, 0, sizeof(*cfg));
    cfg->passive = alloc_bytes(sizeof(*cfg->passive));
    memset(cfg->passive, 0, sizeof(*cfg->passive));
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        const struct config_param *p = &config_params[i];
        config_words_clear(&w);
        if (p->flags & CONFIG_FLAG_MULTI_ARG)
            config_words_split_spaces(&w, p->default_text, strlen(p->default_text));
        else
            config_words_push(&w, p->default_text, strlen(p->default_text));
        int rc = config_param_set(cfg, p, w.count, w.words, CONFIG_SOURCE_DEFAULT, reason,
                                  sizeof(reason));
        assert(rc == 0 && "a default must pass its own checks");
        (void)rc;
    }
    config_words_free(&w);
    assert(!cfg->save_loaded);
}

static void config_user_free(struct config_user *u)
{
    for (int i = 0; i < u->count; i++)
        alloc_free(u->words[i]);
    alloc_free(u->words);
}

void config_free(struct config *cfg)
{
    assert(cfg != NULL);
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        if (config_params[i].type == CONFIG_TYPE_STRING) {
            char **field = config_field(cfg, &config_params[i]);
            alloc_free(*field);
            *field = NULL;
        }
    }
    for (int i = 0; i < cfg->bind_count; i++) {
        alloc_free(cfg->bind[i]);
        cfg->bind[i] = NULL;
    }
    cfg->bind_count = 0;
    for (int i = 0; i < cfg->acl_user_count; i++)
        config_user_free(&cfg->acl_users[i]);
    alloc_free(cfg->acl_users);
    cfg->acl_users = NULL;
    cfg->acl_user_count = 0;
    alloc_free(cfg->latency_percentiles);
    cfg->latency_percentiles = NULL;
    alloc_free(cfg->replicaof_host);
    cfg->replicaof_host = NULL;
    if (cfg->passive != NULL) {
        alloc_free(cfg->passive);
        cfg->passive = NULL;
    }
}

/* Makes dst an independent deep copy of src. */
static void config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    dst->passive = alloc_bytes(sizeof(*dst->passive));
    *dst->passive = *src->passive;
    dst->replicaof_host = src->replicaof_host ? alloc_strdup(src->replicaof_host) : NULL;
    dst->latency_percentiles = src->latency_percentiles ? alloc_strdup(src->latency_percentiles) : NULL;
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        if (config_params[i].type == CONFIG_TYPE_STRING) {
            char **field = config_field(dst, &config_params[i]);
            if (*field)
                *field = alloc_strdup(*field);
        }
    }
    for (int i = 0; i < dst->bind_count; i++)
        dst->bind[i] = alloc_strdup(src->bind[i]);
    dst->acl_users = NULL;
    if (src->acl_user_count > 0) {
        dst->acl_users = alloc_bytes(sizeof(*dst->acl_users) * (size_t)src->acl_user_count);
        for (int i = 0; i < src->acl_user_count; i++) {
            const struct config_user *u = &src->acl_users[i];
            dst->acl_users[i].words = alloc_bytes(sizeof(char *) * (size_t)u->count);
            dst->acl_users[i].count = u->count;
            for (int j = 0; j < u->count; j++)
                dst->acl_users[i].words[j] = alloc_strdup(u->words[j]);
        }
    }
}

/* ---- Directives: a name followed by its words ---- */

static int config_directive_run(struct config *cfg, const struct config_param *p, int argc,
                                char **argv, enum config_source source, char *err, size_t err_len)
{
    /* A multi-argument parameter given one non-empty word, as in
     * `--save "900 1"`, gets that word split like a file line. */
    if ((p->flags & CONFIG_FLAG_MULTI_ARG) && argc == 1 && argv[0][0] != '\0') {
        struct config_words w = {0};
        int rc = config_words_split(&w, argv[0], strlen(argv[0]));
        if (rc != 0)
            config_reason(err, err_len, "Unbalanced quotes in configuration line");
        else
            rc = config_param_set(cfg, p, w.count, w.words, source, err, err_len);
        config_words_free(&w);
        return rc;
    }
    return config_param_set(cfg, p, argc, argv, source, err, err_len);
}

static int config_load_path(struct config *cfg, const char *path, int depth, char *err,
                            size_t err_len);

/* Returned by the directive steps when err already holds an included
 * file's whole error, which the including line passes on unwrapped. */
#define CONFIG_ERR_COMPLETE (-2)

/* A `user` directive is kept as its words; acl.c applies them once the
 * command tables exist (Redis checks each rule as it reads the line;
 * ringkv reports a bad one at the same start-up, a step later). */
static void config_user_add(struct config *cfg, int argc, char **argv)
{
    struct config_user u = {.words = alloc_bytes(sizeof(char *) * (size_t)argc), .count = argc};
    for (int i = 0; i < argc; i++)
        u.words[i] = alloc_strdup(argv[i]);
    cfg->acl_users = alloc_resize(cfg->acl_users,
                                  sizeof(*cfg->acl_users) * (size_t)(cfg->acl_user_count + 1));
    cfg->acl_users[cfg->acl_user_count++] = u;
}

/* Whether an earlier `user` line named this user (Redis refuses a second). */
static bool config_user_defined(const struct config *cfg, const char *name)
{
    for (int i = 0; i < cfg->acl_user_count; i++)
        if (strcmp(cfg->acl_users[i].words[0], name) == 0)
            return true;
    return false;
}

/* The file directives that are not parameters. Redis 7.0 skips its
 * deprecated ones given one value; ringkv refuses the ones it cannot honour
 * rather than start without a renamed command, a user or a module the file
 * asked for. Returns 1 when handled, 0 when argv is not one of them, -1
 * with err on failure (CONFIG_ERR_COMPLETE for a failed include). */
static int config_directive_other(struct config *cfg, int argc, char **argv, int depth, char *err,
                                  size_t err_len)
{
    static const char *const deprecated[] = {"list-max-ziplist-entries", "list-max-ziplist-value",
                                             "lua-replicate-commands"};
    static const char *const refused[] = {"rename-command", "loadmodule", "sentinel"};
    for (size_t i = 0; i < sizeof(deprecated) / sizeof(deprecated[0]); i++)
        if (argc == 2 && strcasecmp(argv[0], deprecated[i]) == 0)
            return 1;
    if (argc == 2 && strcasecmp(argv[0], "include") == 0) {
        if (depth >= CONFIG_INCLUDE_DEPTH_MAX) {
            config_reason(err, err_len, "include nested more than %d deep",
                          CONFIG_INCLUDE_DEPTH_MAX);
            return -1;
        }
        int rc = config_load_path(cfg, argv[1], depth + 1, err, err_len);
        return rc == 0 ? 1 : rc;
    }
    if (argc >= 2 && strcasecmp(argv[0], "user") == 0) {
        if (config_user_defined(cfg, argv[1])) {
            config_reason(err, err_len, "Error in user declaration '%s': Duplicate user found. A "
                          "user can only be defined once in config files", argv[1]);
            return -1;
        }
        config_user_add(cfg, argc - 1, argv + 1);
        return 1;
    }
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (strcasecmp(argv[0], refused[i]) == 0) {
            config_reason(err, err_len, "%s is not supported by ringkv", refused[i]);
            return -1;
        }
    }
    return 0;
}

static int config_directive_apply(struct config *cfg, int argc, char **argv, bool at_runtime,
                                  int depth, char *err, size_t err_len)
{
    bool via_alias;
    assert(cfg != NULL);
    assert(argc >= 1);
    const struct config_param *p = config_lookup(argv[0], strlen(argv[0]), &via_alias);
    if (p == NULL) {
        int rc = at_runtime ? 0 : config_directive_other(cfg, argc, argv, depth, err, err_len);
        if (rc != 0)
            return rc < 0 ? rc : 0;
        config_reason(err, err_len, "Bad directive or wrong number of arguments");
        return -1;
    }
    if (!(p->flags & CONFIG_FLAG_MULTI_ARG) && argc != 2) {
        config_reason(err, err_len, "wrong number of arguments");
        return -1;
    }
    if (at_runtime && (p->flags & CONFIG_FLAG_IMMUTABLE)) {
        config_reason(err, err_len, "can't set immutable config");
        return -1;
    }
    enum config_source source = at_runtime ? CONFIG_SOURCE_RUNTIME : CONFIG_SOURCE_STARTUP;
    return config_directive_run(cfg, p, argc - 1, argv + 1, source, err, err_len);
}

int config_apply_directive(struct config *cfg, int argc, char **argv, bool at_runtime,
                           char *err, size_t err_len)
{
    return config_directive_apply(cfg, argc, argv, at_runtime, 0, err, err_len) < 0 ? -1 : 0;
}

/* ---- Files and command-line arguments ---- */

/* The characters Redis trims from both ends of a line. */
static bool config_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Applies one line of a file: blanks trimmed, '#' comments and empty lines
 * skipped, words split with quotes and escapes. */
static int config_apply_line(struct config *cfg, const char *line, size_t len, int depth,
                             char *reason, size_t reason_len)
{
    while (len > 0 && config_is_blank(line[0])) {
        line++;
        len--;
    }
    while (len > 0 && config_is_blank(line[len - 1]))
        len--;
    if (len == 0 || line[0] == '#')
        return 0;

    struct config_words w = {0};
    int rc = 0;
    if (config_words_split(&w, line, len) != 0) {
        config_reason(reason, reason_len, "Unbalanced quotes in configuration line");
        rc = -1;
    } else if (w.count > 0) {
        rc = config_directive_apply(cfg, w.count, w.words, false, depth, reason, reason_len);
    }
    config_words_free(&w);
    return rc;
}

/* Reads one file; depth counts the includes that led to it. Returns -1
 * when the file cannot be read, CONFIG_ERR_COMPLETE when one of its lines
 * is refused (err says where), 0 on success. */
static int config_load_file_at(struct config *cfg, const char *path, int depth, char *err,
                               size_t err_len)
{
    char reason[CONFIG_REASON_BYTES_MAX];
    assert(cfg != NULL);
    assert(path != NULL);
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        config_reason(err, err_len, "%s: can't open config file: %s", path, strerror(errno));
        return -1;
    }
    /* One byte for the newline and one for fgets's NUL. */
    size_t line_cap = CONFIG_LINE_BYTES_MAX + 2;
    char *line = alloc_bytes(line_cap);
    long line_number = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, (int)line_cap, file) != NULL) {
        size_t len = strlen(line);
        line_number++;
        if (len == line_cap - 1 && line[len - 1] != '\n') {
            config_reason(err, err_len,
                          "Reading the configuration file %s, at line %ld\n>>> '%.64s...'\n"
                          "line longer than %d bytes", path, line_number, line, CONFIG_LINE_BYTES_MAX);
            rc = CONFIG_ERR_COMPLETE;
        } else if ((rc = config_apply_line(cfg, line, len, depth, reason, sizeof(reason))) ==
                   CONFIG_ERR_COMPLETE) {
            config_reason(err, err_len, "%s", reason);
        } else if (rc != 0) {
            rc = CONFIG_ERR_COMPLETE;
            /* Redis's layout: where, the directive as written, then why. */
            size_t shown = len;
            while (shown && (line[shown - 1] == '\n' || line[shown - 1] == '\r'))
                shown--;
            config_reason(err, err_len,
                          "Reading the configuration file %s, at line %ld\n>>> '%.*s'\n%s", path,
                          line_number, (int)(shown > 512 ? 512 : shown), line, reason);
        }
    }
    if (rc == 0 && ferror(file)) {
        config_reason(err, err_len, "%s: read error: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(file);
    alloc_free(line);
    return rc;
}

/* `include path`: as Redis, a path with a wildcard reads every match in
 * glob's order (none is fine); a plain path must open. */
static int config_load_path(struct config *cfg, const char *path, int depth, char *err,
                            size_t err_len)
{
    if (strpbrk(path, "*?[") == NULL)
        return config_load_file_at(cfg, path, depth, err, err_len);
    glob_t found;
    int rc = 0;
    if (glob(path, 0, NULL, &found) != 0)
        return 0;
    for (size_t i = 0; i < found.gl_pathc && rc == 0; i++)
        rc = config_load_file_at(cfg, found.gl_pathv[i], depth, err, err_len);
    globfree(&found);
    return rc;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len)
{
    assert(cfg != NULL);
    assert(path != NULL);
    return config_load_file_at(cfg, path, 0, err, err_len) < 0 ? -1 : 0;
}

static int config_args_apply(struct config *cfg, struct config_words *w, char *err, size_t err_len)
{
    char reason[CONFIG_REASON_BYTES_MAX];
    if (w->count == 0)
        return 0;
    if (config_apply_directive(cfg, w->count, w->words, false, reason, sizeof(reason)) != 0) {
        config_reason(err, err_len, "--%s: %s", w->words[0], reason);
        return -1;
    }
    return 0;
}

static bool config_is_option(const char *word)
{
    return word[0] == '-' && word[1] == '-';
}

/* Starts a directive at argv[i], a `--name` word (which may also hold
 * values, as in "--port 6380"). Sets *value_pending when it needs a value. */
static int config_args_start(struct config_words *w, int argc, char **argv, int i,
                             bool *value_pending, char *err, size_t err_len)
{
    const char *word = argv[i];
    assert(config_is_option(word));
    assert(w->count == 0);
    if (config_words_split(w, word + 2, strlen(word + 2)) != 0) {
        config_reason(err, err_len, "%s: Unbalanced quotes in configuration line", word);
        return -1;
    }
    if (w->count == 0) {
        config_reason(err, err_len, "'%s': option name missing", word);
        return -1;
    }
    *value_pending = w->count == 1;
    if (*value_pending && strcasecmp(word, "--save") == 0 &&
        (i == argc - 1 || config_is_option(argv[i + 1]))) {
        config_words_push(w, "", 0);
        *value_pending = false;
    }
    return 0;
}

/* Groups words into directives as redis-server 7.0 does: `--name` starts
 * one; a `--name` still waiting for its first value takes the next word even
 * if it starts with "--" (`--requirepass --x`); `--save` followed by another
 * option or by nothing means `--save ""`; `--port 6380` as a single word
 * holds both name and value. */
int config_load_args(struct config *cfg, int argc, char **argv, char *err, size_t err_len)
{
    struct config_words w = {0};
    bool started = false, value_pending = false;
    int rc = 0;
    assert(cfg != NULL);
    assert(argc >= 0);
    for (int i = 0; i < argc && rc == 0; i++) {
        if (!value_pending && config_is_option(argv[i])) {
            rc = config_args_apply(cfg, &w, err, err_len);
            config_words_clear(&w);
            if (rc == 0)
                rc = config_args_start(&w, argc, argv, i, &value_pending, err, err_len);
            started = true;
        } else if (!started) {
            config_reason(err, err_len, "'%s': expected an option starting with --", argv[i]);
            rc = -1;
        } else {
            config_words_push(&w, argv[i], strlen(argv[i]));
            value_pending = false;
        }
    }
    if (rc == 0)
        rc = config_args_apply(cfg, &w, err, err_len);
    config_words_free(&w);
    return rc;
}

/* ---- CONFIG SET ---- */

/* Redis's first pass: finds every parameter and refuses unknown, immutable,
 * protected (unless protected_allowed) and repeated ones before any value is
 * looked at. An unknown name wins over the other errors; otherwise the first
 * error wins. A name and its alias count as different parameters here, as
 * in Redis 7.0. */
static int config_set_find(int pairs, const char *const *names, const size_t *name_lens,
                           bool protected_allowed, const struct config_param **params,
                           bool *via_alias, char *err, size_t err_len)
{
    int unknown = -1, refused = -1;
    const char *why = NULL;
    /* Indexed by parameter and by whether the alias was used, so a call
     * with a million pairs costs a million steps, not a trillion. */
    bool seen[CONFIG_PARAMS_COUNT][2] = {{false}};
    for (int i = 0; i < pairs; i++) {
        params[i] = config_lookup(names[i], name_lens[i], &via_alias[i]);
        if (params[i] == NULL) {
            if (unknown < 0 && refused < 0)
                unknown = i;
            continue;
        }
        if (unknown >= 0 || refused >= 0)
            continue;
        if (params[i]->flags & CONFIG_FLAG_IMMUTABLE) {
            why = "can't set immutable config";
            refused = i;
            continue;
        }
        if ((params[i]->flags & CONFIG_FLAG_PROTECTED) && !protected_allowed) {
            why = "can't set protected config";
            refused = i;
            continue;
        }
        bool *was_seen = &seen[params[i] - config_params][via_alias[i]];
        if (*was_seen) {
            why = "duplicate parameter";
            refused = i;
        }
        *was_seen = true;
    }
    if (unknown >= 0) {
        config_reason(err, err_len, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                      (int)name_lens[unknown], names[unknown]);
        return -1;
    }
    if (refused >= 0) {
        config_reason(err, err_len, "ERR CONFIG SET failed (possibly related to argument '%.*s') - %s",
                      (int)name_lens[refused], names[refused], why);
        return -1;
    }
    return 0;
}

/* Sets every value on next in order; the first refusal names the parameter
 * as registered (its alias if the alias was used), as Redis does. */
static int config_set_values(struct config *next, int pairs, const struct config_param **params,
                             const bool *via_alias, const char *const *values,
                             const size_t *value_lens, char *err, size_t err_len)
{
    char reason[CONFIG_REASON_BYTES_MAX];
    struct config_words w = {0};
    int rc = 0;
    for (int i = 0; i < pairs && rc == 0; i++) {
        const struct config_param *p = params[i];
        config_words_clear(&w);
        if (p->flags & CONFIG_FLAG_MULTI_ARG)
            config_words_split_spaces(&w, values[i], value_lens[i]);
        else
            config_words_push(&w, values[i], value_lens[i]);
        /* Values are C strings from here on, so a NUL would cut one short. */
        if (value_lens[i] > 0 && memchr(values[i], '\0', value_lens[i]) != NULL) {
            config_reason(reason, sizeof(reason), "argument must not contain NUL bytes");
            rc = -1;
        } else {
            rc = config_param_set(next, p, w.count, w.words, CONFIG_SOURCE_RUNTIME, reason,
                                  sizeof(reason));
        }
        if (rc != 0)
            config_reason(err, err_len, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                          via_alias[i] ? p->alias : p->name, reason);
    }
    config_words_free(&w);
    return rc;
}

/* Calls changed once for each distinct parameter whose text differs, in
 * the order given. The pairs are distinct by now (at most a name and its
 * alias each), so the quadratic search for repeats stays small. Stops at
 * the first refusal and returns its index (why in reason); -1 when all
 * were applied. With applied_max >= 0, only the first applied_max
 * parameters are considered (a rollback redoes those). */
static int config_set_report(const struct config *old, const struct config *cfg, int pairs,
                             const struct config_param **params, int applied_max,
                             int (*changed)(const char *name, void *ctx, char *reason,
                                            size_t reason_len),
                             void *ctx, char *reason, size_t reason_len)
{
    assert(pairs <= 2 * (int)CONFIG_PARAMS_COUNT);
    int end = applied_max >= 0 ? applied_max : pairs;
    for (int i = 0; i < end && changed != NULL; i++) {
        bool seen = false;
        for (int j = 0; j < i; j++)
            seen = seen || params[j] == params[i];
        if (seen)
            continue;
        char *before = config_format(old, params[i]);
        char *after = config_format(cfg, params[i]);
        bool differs = strcmp(before, after) != 0;
        alloc_free(before);
        alloc_free(after);
        if (differs && changed(params[i]->name, ctx, reason, reason_len) < 0 && applied_max < 0)
            return i;
    }
    return -1;
}

int config_set(struct config *cfg, int pairs, const char *const *names, const size_t *name_lens,
               const char *const *values, const size_t *value_lens, bool protected_allowed,
               int (*changed)(const char *name, void *ctx, char *reason, size_t reason_len),
               void *ctx, char *err, size_t err_len)
{
    assert(cfg != NULL);
    assert(pairs > 0);
    const struct config_param **params = alloc_bytes(sizeof(*params) * (size_t)pairs);
    bool *via_alias = alloc_bytes(sizeof(*via_alias) * (size_t)pairs);
    int rc = config_set_find(pairs, names, name_lens, protected_allowed, params, via_alias, err,
                             err_len);
    if (rc == 0) {
        /* All or nothing: the values go onto a copy, which replaces cfg only
         * once every one of them has been accepted. */
        struct config next;
        config_copy(&next, cfg);
        rc = config_set_values(&next, pairs, params, via_alias, values, value_lens, err, err_len);
        if (rc == 0) {
            struct config old = *cfg;
            *cfg = next;
            char reason[CONFIG_REASON_BYTES_MAX] = "";
            int failed = config_set_report(&old, cfg, pairs, params, -1, changed, ctx, reason,
                                           sizeof(reason));
            if (failed >= 0) {
                /* An effect was refused: the old values come back, and the
                 * effects already applied (the refused one included, which
                 * may have done part of its work) are applied again for them. */
                struct config refused = *cfg;
                *cfg = old;
                char ignored[CONFIG_REASON_BYTES_MAX];
                config_set_report(&refused, cfg, pairs, params, failed + 1, changed, ctx, ignored,
                                  sizeof(ignored));
                config_reason(err, err_len,
                              "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                              via_alias[failed] ? params[failed]->alias : params[failed]->name,
                              reason);
                config_free(&refused);
                rc = -1;
            } else {
                config_free(&old);
            }
        } else {
            config_free(&next);
        }
    }
    alloc_free(params);
    alloc_free(via_alias);
    return rc;
}

/* ---- CONFIG GET ---- */

/* Redis 7.0: a pattern without '*', '?' or '[' is a plain lookup and the
 * reply uses the name as the client typed it ("PORT"); a glob is matched
 * without case against every name and alias, and both may be returned.
 * Hidden parameters answer only a plain lookup. */
void config_get(const struct config *cfg, const char *pattern, size_t pattern_len,
                void (*emit)(const char *name, const char *value, void *ctx), void *ctx)
{
    assert(cfg != NULL);
    assert(emit != NULL);
    assert(pattern != NULL || pattern_len == 0);
    bool is_glob = pattern_len > 0 && (memchr(pattern, '*', pattern_len) ||
                                       memchr(pattern, '?', pattern_len) ||
                                       memchr(pattern, '[', pattern_len));
    if (!is_glob) {
        bool via_alias;
        const struct config_param *p = config_lookup(pattern, pattern_len, &via_alias);
        if (p != NULL) {
            char *name = alloc_strndup(pattern, pattern_len);
            char *value = config_format(cfg, p);
            emit(name, value, ctx);
            alloc_free(name);
            alloc_free(value);
        }
        return;
    }
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        const struct config_param *p = &config_params[i];
        if (p->flags & CONFIG_FLAG_HIDDEN)
            continue;
        bool by_name = glob_match(pattern, pattern_len, p->name, strlen(p->name), true);
        bool by_alias = p->alias && glob_match(pattern, pattern_len, p->alias, strlen(p->alias), true);
        if (!by_name && !by_alias)
            continue;
        char *value = config_format(cfg, p);
        if (by_name)
            emit(p->name, value, ctx);
        if (by_alias)
            emit(p->alias, value, ctx);
        alloc_free(value);
    }
}

/* ---- Start-up report and protected actions ---- */

char *config_no_effect_names(const struct config *cfg)
{
    struct config defaults;
    config_init(&defaults);
    size_t bytes = 1, used = 0;
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++)
        bytes += strlen(config_params[i].name) + 2;
    char *names = alloc_bytes(bytes);
    names[0] = '\0';
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        const struct config_param *p = &config_params[i];
        if (!(p->flags & CONFIG_FLAG_NO_EFFECT))
            continue;
        char *now = config_format(cfg, p);
        char *fresh = config_format(&defaults, p);
        if (strcmp(now, fresh) != 0)
            used += (size_t)snprintf(names + used, bytes - used, "%s%s", used ? ", " : "", p->name);
        alloc_free(now);
        alloc_free(fresh);
    }
    assert(used < bytes);
    config_free(&defaults);
    if (used == 0) {
        alloc_free(names);
        return NULL;
    }
    return names;
}

/* Redis's islocalClient compares the peer's address as text with exactly
 * "127.0.0.1" and "::1": other 127/8 addresses, IPv4-mapped ones and the
 * host's external addresses are not local. */
bool config_peer_is_local(const char *peer_addr)
{
    if (peer_addr == NULL)
        return true;
    const char *colon = strrchr(peer_addr, ':'); /* "ip:port"; the ip may hold colons */
    size_t ip_len = colon ? (size_t)(colon - peer_addr) : strlen(peer_addr);
    return (ip_len == 9 && memcmp(peer_addr, "127.0.0.1", 9) == 0) ||
           (ip_len == 3 && memcmp(peer_addr, "::1", 3) == 0);
}

bool config_protected_allowed(int mode, const char *peer_addr)
{
    if (mode == CONFIG_PROTECTED_YES)
        return true;
    return mode == CONFIG_PROTECTED_LOCAL && config_peer_is_local(peer_addr);
}

/* ---- CONFIG REWRITE ----
 *
 * Redis 7.0's algorithm: the old file is read as lines (split at '\n', so
 * a file ending in a newline has an empty last line), each trimmed; every
 * line naming a known option is remembered under that option's canonical
 * name (an alias counts as its parameter). Each parameter then produces its
 * lines: they replace the option's old lines from the first on, and the
 * ones left over are appended after the signature only when the value is
 * not the default ("forced"). Old lines of a rewritten option that were
 * not reused are blanked, runs of blank lines become one, and the result
 * replaces the file durably. */

#define CONFIG_REWRITE_SIGNATURE "# Generated by CONFIG REWRITE"

/* The old lines that named one option, in file order. */
struct config_rewrite_option {
    char *name;      /* owned, lower case */
    int *line_index; /* owned */
    int count, next, cap;
    bool processed;  /* rewritten: its unused old lines are blanked */
};

struct config_rewrite_state {
    char **lines; /* owned, and so is each line */
    int line_count, line_cap;
    struct config_rewrite_option *options; /* owned */
    int option_count, option_cap;
    bool needs_signature;
    bool force_all; /* DEBUG CONFIG-REWRITE-FORCE-ALL: defaults are written too */
};

static void config_rewrite_append(struct config_rewrite_state *st, char *line)
{
    if (st->line_count == st->line_cap) {
        assert(st->line_cap < INT_MAX / 2);
        st->line_cap = st->line_cap ? st->line_cap * 2 : 64;
        st->lines = alloc_resize(st->lines, sizeof(char *) * (size_t)st->line_cap);
    }
    st->lines[st->line_count++] = line;
}

static struct config_rewrite_option *config_rewrite_option_find(struct config_rewrite_state *st,
                                                                const char *name, bool create)
{
    for (int i = 0; i < st->option_count; i++)
        if (strcmp(st->options[i].name, name) == 0)
            return &st->options[i];
    if (!create)
        return NULL;
    if (st->option_count == st->option_cap) {
        assert(st->option_cap < INT_MAX / 2);
        st->option_cap = st->option_cap ? st->option_cap * 2 : 32;
        st->options = alloc_resize(st->options, sizeof(*st->options) * (size_t)st->option_cap);
    }
    struct config_rewrite_option *o = &st->options[st->option_count++];
    memset(o, 0, sizeof(*o));
    o->name = alloc_strdup(name);
    return o;
}

static void config_rewrite_option_add_line(struct config_rewrite_option *o, int line_index)
{
    if (o->count == o->cap) {
        assert(o->cap < INT_MAX / 2);
        o->cap = o->cap ? o->cap * 2 : 4;
        o->line_index = alloc_resize(o->line_index, sizeof(int) * (size_t)o->cap);
    }
    o->line_index[o->count++] = line_index;
}

/* Files one old line (owned text, already trimmed). */
static void config_rewrite_read_line(struct config_rewrite_state *st, char *line)
{
    if (line[0] == '#' || line[0] == '\0') {
        if (st->needs_signature && strcmp(line, CONFIG_REWRITE_SIGNATURE) == 0)
            st->needs_signature = false;
        config_rewrite_append(st, line);
        return;
    }
    struct config_words w = {0};
    if (config_words_split(&w, line, strlen(line)) != 0 || w.count == 0) {
        /* Unparsable (unbalanced quotes): kept as a comment, as Redis does. */
        size_t bytes = strlen(line) + 8;
        char *comment = alloc_bytes(bytes);
        snprintf(comment, bytes, "# ??? %s", line);
        alloc_free(line);
        config_rewrite_append(st, comment);
        config_words_free(&w);
        return;
    }
    for (char *c = w.words[0]; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    bool via_alias;
    const struct config_param *p = config_lookup(w.words[0], strlen(w.words[0]), &via_alias);
    config_rewrite_append(st, line);
    struct config_rewrite_option *o =
        config_rewrite_option_find(st, p ? p->name : w.words[0], true);
    config_rewrite_option_add_line(o, st->line_count - 1);
    config_words_free(&w);
}

/* Reads the old file; a missing one is empty. Returns 0 or -errno. */
static int config_rewrite_read(struct config_rewrite_state *st, const char *path)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return errno == ENOENT ? 0 : -errno;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 8192;
            text = alloc_resize(text, cap);
        }
        size_t n = fread(text + len, 1, cap - len - 1, file);
        len += n;
        if (n == 0)
            break;
    }
    int rc = ferror(file) ? -EIO : 0;
    fclose(file);
    if (rc == 0 && len > 0) {
        /* Split at every '\n' (sdssplitlen): n newlines give n + 1 lines. */
        size_t start = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i < len && text[i] != '\n')
                continue;
            size_t a = start, b = i;
            while (a < b && config_is_blank(text[a]))
                a++;
            while (b > a && config_is_blank(text[b - 1]))
                b--;
            config_rewrite_read_line(st, alloc_strndup(text + a, b - a));
            start = i + 1;
        }
    }
    alloc_free(text);
    return rc;
}

/* Redis's rewriteConfigRewriteLine: line (owned) takes the place of the
 * option's next unused old line, or is appended if force. */
static void config_rewrite_line(struct config_rewrite_state *st, const char *option, char *line,
                                bool force)
{
    struct config_rewrite_option *o = config_rewrite_option_find(st, option, true);
    o->processed = true;
    if (o->next < o->count) {
        int index = o->line_index[o->next++];
        alloc_free(st->lines[index]);
        st->lines[index] = line;
        return;
    }
    if (!force && !st->force_all) {
        alloc_free(line);
        return;
    }
    if (st->needs_signature) {
        config_rewrite_append(st, alloc_strdup(CONFIG_REWRITE_SIGNATURE));
        st->needs_signature = false;
    }
    config_rewrite_append(st, line);
}

static void config_rewrite_mark(struct config_rewrite_state *st, const char *option)
{
    config_rewrite_option_find(st, option, true)->processed = true;
}

/* A growable line of text. */
struct config_text {
    char *data;
    size_t len, cap;
};

static void config_text_add(struct config_text *t, const char *s, size_t len)
{
    if (t->cap - t->len < len + 1) {
        t->cap = (t->len + len + 1) * 2;
        t->data = alloc_resize(t->data, t->cap);
    }
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
}

static void config_text_printf(struct config_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void config_text_printf(struct config_text *t, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    assert(n >= 0 && (size_t)n < sizeof(small));
    config_text_add(t, small, (size_t)n);
}

/* Redis's sdscatrepr: the value in double quotes, escaped so the reader
 * gives back the same bytes. */
static void config_text_quoted(struct config_text *t, const char *s)
{
    config_text_add(t, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '\\': config_text_add(t, "\\\\", 2); break;
        case '"': config_text_add(t, "\\\"", 2); break;
        case '\n': config_text_add(t, "\\n", 2); break;
        case '\r': config_text_add(t, "\\r", 2); break;
        case '\t': config_text_add(t, "\\t", 2); break;
        case '\a': config_text_add(t, "\\a", 2); break;
        case '\b': config_text_add(t, "\\b", 2); break;
        default:
            if (isprint(c))
                config_text_add(t, (const char *)&c, 1);
            else
                config_text_printf(t, "\\x%02x", c);
        }
    }
    config_text_add(t, "\"", 1);
}

/* Redis's rewriteConfigFormatMemory: the largest of gb, mb, kb (powers of
 * 1024) that divides the value, else plain bytes. */
static void config_text_memory(struct config_text *t, long long bytes)
{
    const long long kb = 1024, mb = kb * 1024, gb = mb * 1024;
    if (bytes && bytes % gb == 0)
        config_text_printf(t, "%lldgb", bytes / gb);
    else if (bytes && bytes % mb == 0)
        config_text_printf(t, "%lldmb", bytes / mb);
    else if (bytes && bytes % kb == 0)
        config_text_printf(t, "%lldkb", bytes / kb);
    else
        config_text_printf(t, "%lld", bytes);
}

static char *config_text_take(struct config_text *t)
{
    char *s = t->data ? t->data : alloc_strdup("");
    t->data = NULL;
    t->len = t->cap = 0;
    return s;
}

static void config_rewrite_output_limits(struct config_rewrite_state *st, const struct config *cfg,
                                         const struct config *defaults, const char *name)
{
    static const char *const classes[CONFIG_CLIENT_CLASSES] = {"normal", "replica", "pubsub"};
    for (int class = 0; class < CONFIG_CLIENT_CLASSES; class++) {
        const struct config_output_limit *l = &cfg->client_output_buffer_limit[class];
        const struct config_output_limit *d = &defaults->client_output_buffer_limit[class];
        bool force = l->hard_bytes != d->hard_bytes || l->soft_bytes != d->soft_bytes ||
                     l->soft_seconds != d->soft_seconds;
        struct config_text t = {0};
        config_text_printf(&t, "%s %s ", name, classes[class]);
        config_text_memory(&t, l->hard_bytes);
        config_text_add(&t, " ", 1);
        config_text_memory(&t, l->soft_bytes);
        config_text_printf(&t, " %lld", l->soft_seconds);
        config_rewrite_line(st, name, config_text_take(&t), force);
    }
}

/* One parameter's lines, as Redis's rewrite function for its type writes
 * them. defaults is a freshly initialized configuration. */
static void config_rewrite_param(struct config_rewrite_state *st, const struct config *cfg,
                                 const struct config *defaults, const struct config_param *p)
{
    const char *name = p->name;
    struct config_text t = {0};
    char *value = config_format(cfg, p);
    char *default_value = config_format(defaults, p);
    bool force = strcmp(value, default_value) != 0;
    if (strcmp(name, "save") == 0) {
        /* Always written, so the defaults do not come back at the next
         * start; no point at all is `save ""`. */
        if (cfg->save_count == 0)
            config_rewrite_line(st, name, alloc_strdup("save \"\""), true);
        for (int i = 0; i < cfg->save_count; i++) {
            config_text_printf(&t, "save %lld %lld", cfg->save[i].seconds, cfg->save[i].changes);
            config_rewrite_line(st, name, config_text_take(&t), true);
        }
        config_rewrite_mark(st, name);
    } else if (strcmp(name, "bind") == 0 || strcmp(name, "replicaof") == 0) {
        /* At the default (no replica), every old line goes. */
        if (force) {
            config_text_printf(&t, "%s ", name);
            config_text_add(&t, value, strlen(value));
            config_rewrite_line(st, name, config_text_take(&t), true);
        } else {
            config_rewrite_mark(st, name);
        }
    } else if (strcmp(name, "client-output-buffer-limit") == 0) {
        config_rewrite_output_limits(st, cfg, defaults, name);
    } else if (strcmp(name, "latency-tracking-info-percentiles") == 0) {
        config_text_printf(&t, "%s ", name);
        config_text_add(&t, value[0] ? value : "\"\"", value[0] ? strlen(value) : 2);
        config_rewrite_line(st, name, config_text_take(&t), true);
    } else if (strcmp(name, "dir") == 0 || strcmp(name, "notify-keyspace-events") == 0 ||
               p->type == CONFIG_TYPE_STRING) {
        char *const *field = p->type == CONFIG_TYPE_STRING ? config_field_const(cfg, p) : NULL;
        if (field != NULL && *field == NULL && (p->flags & CONFIG_FLAG_EMPTY_IS_NULL)) {
            /* Redis: a NULL string must be absent to be NULL again. */
            config_rewrite_mark(st, name);
        } else {
            config_text_printf(&t, "%s ", name);
            config_text_quoted(&t, value);
            /* dir is always written: it is where the server works. */
            config_rewrite_line(st, name, config_text_take(&t), force || strcmp(name, "dir") == 0);
        }
    } else if (p->type == CONFIG_TYPE_NUMBER && (p->flags & CONFIG_FLAG_MEMORY) &&
               !((p->flags & CONFIG_FLAG_PERCENT) && config_number_get(cfg, p) < 0)) {
        config_text_printf(&t, "%s ", name);
        config_text_memory(&t, config_number_get(cfg, p));
        config_rewrite_line(st, name, config_text_take(&t), force);
    } else {
        /* Booleans, plain, octal and percent numbers, enums and the other
         * special parameters: the value as CONFIG GET shows it. */
        config_text_printf(&t, "%s ", name);
        config_text_add(&t, value, strlen(value));
        config_rewrite_line(st, name, config_text_take(&t), force);
    }
    alloc_free(value);
    alloc_free(default_value);
}

/* Joins the lines, each cluster of empty lines made one. Returns owned. */
static char *config_rewrite_content(const struct config_rewrite_state *st, size_t *len)
{
    struct config_text t = {0};
    bool was_empty = false;
    for (int i = 0; i < st->line_count; i++) {
        bool empty = st->lines[i][0] == '\0';
        if (empty && was_empty)
            continue;
        was_empty = empty;
        config_text_add(&t, st->lines[i], strlen(st->lines[i]));
        config_text_add(&t, "\n", 1);
    }
    *len = t.len;
    return config_text_take(&t);
}

static void config_rewrite_state_free(struct config_rewrite_state *st)
{
    for (int i = 0; i < st->line_count; i++)
        alloc_free(st->lines[i]);
    alloc_free(st->lines);
    for (int i = 0; i < st->option_count; i++) {
        alloc_free(st->options[i].name);
        alloc_free(st->options[i].line_index);
    }
    alloc_free(st->options);
}

int config_rewrite(const struct config *cfg, const char *path,
                   const struct config_rewrite_extra *extra, int extra_count, bool force_all)
{
    assert(cfg != NULL && path != NULL);
    struct config_rewrite_state st = {.needs_signature = true, .force_all = force_all};
    int rc = config_rewrite_read(&st, path);
    if (rc < 0) {
        config_rewrite_state_free(&st);
        return rc;
    }
    struct config defaults;
    config_init(&defaults);
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++)
        config_rewrite_param(&st, cfg, &defaults, &config_params[i]);
    config_free(&defaults);
    for (int i = 0; i < extra_count; i++) {
        for (int j = 0; j < extra[i].line_count; j++)
            config_rewrite_line(&st, extra[i].option, alloc_strdup(extra[i].lines[j]), true);
        config_rewrite_mark(&st, extra[i].option);
    }
    /* Old lines of rewritten options that were not reused are blanked. */
    for (int i = 0; i < st.option_count; i++) {
        struct config_rewrite_option *o = &st.options[i];
        for (int j = o->next; o->processed && j < o->count; j++) {
            alloc_free(st.lines[o->line_index[j]]);
            st.lines[o->line_index[j]] = alloc_strdup("");
        }
    }
    size_t len;
    char *content = config_rewrite_content(&st, &len);
    rc = durable_replace(path, content, len);
    alloc_free(content);
    config_rewrite_state_free(&st);
    return rc;
}
