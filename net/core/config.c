/* config.c: the parameter table, and every way of reading or changing it.
 *
 * Owns the table that names each parameter (with its Redis 7.0 name and
 * alias), its type, limits, default and the field of `struct config` that
 * holds it; the redis.conf reader; `--name value` arguments; CONFIG GET and
 * CONFIG SET. It does not act on values: net/server/ binds sockets, changes
 * directory or resizes tables when told that a parameter changed.
 *
 * Sections: limits and table types, value parsers, typed setters, the
 * table, formatting, word lists, directives, files and arguments, CONFIG
 * SET, CONFIG GET.
 *
 * Key invariant: a value reaches `struct config` only through
 * config_param_set(), which checks it against the table, so defaults, file
 * lines, arguments and CONFIG SET accept and refuse exactly the same text.
 * Defaults are written as text in the table and go through it too. Error
 * texts are Redis 7.0.15's, checked against the real server. */
#include "net/core/config.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/alloc.h"
#include "engine/glob.h"
#include "engine/number.h"
#include "net/core/args.h"

/* Room for one error reason; the longest is maxmemory-policy's list of
 * names (about 170 bytes). */
#define CONFIG_REASON_BYTES_MAX 512
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
/* Redis 7.0 lets CONFIG SET change these only with enable-protected-configs;
 * ringkv has no such switch and allows it, as Redis 6.2 did. */
#define CONFIG_FLAG_PROTECTED (1u << 2)
#define CONFIG_FLAG_MEMORY (1u << 3)        /* numbers: units allowed ("64mb") */
#define CONFIG_FLAG_MULTI_ARG (1u << 4)     /* any number of words (bind, save) */
#define CONFIG_FLAG_EMPTY_IS_NULL (1u << 5) /* strings: "" is stored as NULL */

struct config_enum_name {
    const char *name;
    int value;
};

struct config_param {
    const char *name;
    const char *alias; /* Redis 7's older name, or NULL */
    enum config_type type;
    unsigned flags;
    size_t offset; /* of the field in struct config */
    size_t field_bytes;
    const char *default_text; /* parsed by config_init like any other value */
    long long min, max;       /* numbers: accepted range */
    long long clamp_min, clamp_max; /* numbers: stored value clamped; 0, 0 for none */
    const struct config_enum_name *names; /* enums: ends with a NULL name */
    const char *(*check)(const char *value); /* strings: a reason to refuse, or NULL */
    int (*set)(struct config *cfg, int argc, char **argv, enum config_source source,
               char *reason, size_t reason_len); /* special */
    char *(*format)(const struct config *cfg);   /* special: returns owned text */
};

#define CONFIG_AT(field) \
    .offset = offsetof(struct config, field), .field_bytes = sizeof(((struct config *)0)->field)

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
    assert(p->offset + p->field_bytes <= sizeof(*cfg));
    return (char *)cfg + p->offset;
}

static const void *config_field_const(const struct config *cfg, const struct config_param *p)
{
    assert(p->offset + p->field_bytes <= sizeof(*cfg));
    return (const char *)cfg + p->offset;
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
    assert(p->field_bytes == sizeof(bool));
    memcpy(config_field(cfg, p), &value, sizeof(value));
    return 0;
}

static int config_number_set(struct config *cfg, const struct config_param *p, const char *text,
                             char *reason, size_t reason_len)
{
    long long value = 0;
    bool in_range = true;
    if (p->flags & CONFIG_FLAG_MEMORY) {
        enum config_memory_result r = config_memory_parse(text, strlen(text), &value);
        if (r == CONFIG_MEMORY_BAD) {
            config_reason(reason, reason_len, "argument must be a memory value");
            return -1;
        }
        in_range = r == CONFIG_MEMORY_OK;
    } else if (!number_parse_ll(text, strlen(text), &value)) { /* Redis's string2ll */
        config_reason(reason, reason_len, "argument couldn't be parsed into an integer");
        return -1;
    }
    if (!in_range || value < p->min || value > p->max) {
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
    size_t used = (size_t)snprintf(reason, reason_len, "argument(s) must be one of the following: ");
    for (const struct config_enum_name *n = p->names; n->name != NULL && used < reason_len; n++)
        used += (size_t)snprintf(reason + used, reason_len - used, "%s%s",
                                 n == p->names ? "" : ", ", n->name);
    return -1;
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
        return p->set(cfg, argc, argv, source, reason, reason_len);
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

static int config_bind_set(struct config *cfg, int argc, char **argv, enum config_source source,
                           char *reason, size_t reason_len)
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
static int config_save_set(struct config *cfg, int argc, char **argv, enum config_source source,
                           char *reason, size_t reason_len)
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

static char *config_bind_format(const struct config *cfg);
static char *config_save_format(const struct config *cfg);

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

static const struct config_enum_name config_debug_command_names[] = {
    {"no", 0}, {"yes", 1}, {"local", 2}, {NULL, 0},
};

#define CONFIG_MB (1024LL * 1024)

/* Ranges are Redis 7.0's except where a field is narrower (maxclients and
 * maxmemory stop at the field's maximum) or ringkv sets a ceiling
 * (databases). */
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
    {.name = "maxclients", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(maxclients), .min = 1,
     .max = INT_MAX, .default_text = "10000"},
    {.name = "requirepass", .type = CONFIG_TYPE_STRING,
     .flags = CONFIG_FLAG_SENSITIVE | CONFIG_FLAG_EMPTY_IS_NULL, CONFIG_AT(requirepass),
     .default_text = ""},
    {.name = "proto-max-bulk-len", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(proto_max_bulk_len), .min = CONFIG_MB, .max = LLONG_MAX, .default_text = "512mb"},
    {.name = "client-query-buffer-limit", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(client_query_buffer_limit), .min = CONFIG_MB, .max = LLONG_MAX, .default_text = "1gb"},

    /* server */
    {.name = "databases", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_IMMUTABLE,
     CONFIG_AT(databases), .min = 1, .max = CONFIG_DATABASES_MAX, .default_text = "16"},
    {.name = "hz", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(hz), .min = 0, .max = INT_MAX,
     .clamp_min = 1, .clamp_max = 500, .default_text = "10"},
    {.name = "dynamic-hz", .type = CONFIG_TYPE_BOOL, CONFIG_AT(dynamic_hz), .default_text = "yes"},
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
    {.name = "enable-debug-command", .type = CONFIG_TYPE_ENUM,
     .flags = CONFIG_FLAG_IMMUTABLE | CONFIG_FLAG_PROTECTED, CONFIG_AT(enable_debug_command),
     .names = config_debug_command_names, .default_text = "no"},
    {.name = "active-expire-effort", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(active_expire_effort),
     .min = 1, .max = 10, .default_text = "1"},
    {.name = "activerehashing", .type = CONFIG_TYPE_BOOL, CONFIG_AT(activerehashing),
     .default_text = "yes"},
    {.name = "lazyfree-lazy-user-flush", .type = CONFIG_TYPE_BOOL,
     CONFIG_AT(lazyfree_lazy_user_flush), .default_text = "no"},
    {.name = "maxmemory", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(maxmemory), .min = 0, .max = LLONG_MAX, .default_text = "0"},
    {.name = "maxmemory-policy", .type = CONFIG_TYPE_ENUM, CONFIG_AT(maxmemory_policy),
     .names = config_maxmemory_policy_names, .default_text = "noeviction"},
    /* Accepted and reported for clients that read them; eviction is not built. */
    {.name = "maxmemory-clients", .type = CONFIG_TYPE_NUMBER, .flags = CONFIG_FLAG_MEMORY,
     CONFIG_AT(maxmemory_clients), .min = 0, .max = LLONG_MAX, .default_text = "0"},
    {.name = "maxmemory-eviction-tenacity", .type = CONFIG_TYPE_NUMBER,
     CONFIG_AT(maxmemory_eviction_tenacity), .min = 0, .max = 100, .default_text = "10"},
    {.name = "maxmemory-samples", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(maxmemory_samples),
     .min = 1, .max = 64, .default_text = "5"},
    {.name = "lfu-log-factor", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(lfu_log_factor), .min = 0,
     .max = INT_MAX, .default_text = "10"},
    {.name = "lfu-decay-time", .type = CONFIG_TYPE_NUMBER, CONFIG_AT(lfu_decay_time), .min = 0,
     .max = INT_MAX, .default_text = "1"},

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

    /* collection encodings */
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
};

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

static char *config_bind_format(const struct config *cfg)
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

static char *config_save_format(const struct config *cfg)
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
    case CONFIG_TYPE_NUMBER:
        snprintf(number, sizeof(number), "%lld", config_number_get(cfg, p));
        return alloc_strdup(number);
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
        return p->format(cfg);
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
}

/* Makes dst an independent deep copy of src. */
static void config_copy(struct config *dst, const struct config *src)
{
    *dst = *src;
    for (size_t i = 0; i < CONFIG_PARAMS_COUNT; i++) {
        if (config_params[i].type == CONFIG_TYPE_STRING) {
            char **field = config_field(dst, &config_params[i]);
            if (*field)
                *field = alloc_strdup(*field);
        }
    }
    for (int i = 0; i < dst->bind_count; i++)
        dst->bind[i] = alloc_strdup(src->bind[i]);
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

int config_apply_directive(struct config *cfg, int argc, char **argv, bool at_runtime,
                           char *err, size_t err_len)
{
    bool via_alias;
    assert(cfg != NULL);
    assert(argc >= 1);
    const struct config_param *p = config_lookup(argv[0], strlen(argv[0]), &via_alias);
    if (p == NULL) {
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

/* ---- Files and command-line arguments ---- */

/* The characters Redis trims from both ends of a line. */
static bool config_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Applies one line of a file: blanks trimmed, '#' comments and empty lines
 * skipped, words split with quotes and escapes. */
static int config_apply_line(struct config *cfg, const char *line, size_t len, char *reason,
                             size_t reason_len)
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
    } else if (w.count > 0 && strcasecmp(w.words[0], "include") == 0) {
        config_reason(reason, reason_len, "include is not supported");
        rc = -1;
    } else if (w.count > 0) {
        rc = config_apply_directive(cfg, w.count, w.words, false, reason, reason_len);
    }
    config_words_free(&w);
    return rc;
}

int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len)
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
            rc = -1;
        } else if (config_apply_line(cfg, line, len, reason, sizeof(reason)) != 0) {
            /* Redis's layout: where, the directive as written, then why. */
            size_t shown = len;
            while (shown && (line[shown - 1] == '\n' || line[shown - 1] == '\r'))
                shown--;
            config_reason(err, err_len,
                          "Reading the configuration file %s, at line %ld\n>>> '%.*s'\n%s", path,
                          line_number, (int)(shown > 512 ? 512 : shown), line, reason);
            rc = -1;
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

/* Redis's first pass: finds every parameter and refuses unknown, immutable
 * and repeated ones before any value is looked at. An unknown name wins over
 * the other errors; otherwise the first error wins. A name and its alias
 * count as different parameters here, as in Redis 7.0. */
static int config_set_find(int pairs, const char *const *names, const size_t *name_lens,
                           const struct config_param **params, bool *via_alias, char *err,
                           size_t err_len)
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

/* Calls changed once for each distinct parameter whose text differs. The
 * pairs are distinct by now (at most a name and its alias each), so the
 * quadratic search for repeats stays small. */
static void config_set_report(const struct config *old, const struct config *cfg, int pairs,
                              const struct config_param **params,
                              void (*changed)(const char *name, void *ctx), void *ctx)
{
    assert(pairs <= 2 * (int)CONFIG_PARAMS_COUNT);
    for (int i = 0; i < pairs && changed != NULL; i++) {
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
        if (differs)
            changed(params[i]->name, ctx);
    }
}

int config_set(struct config *cfg, int pairs, const char *const *names, const size_t *name_lens,
               const char *const *values, const size_t *value_lens,
               void (*changed)(const char *name, void *ctx), void *ctx, char *err, size_t err_len)
{
    assert(cfg != NULL);
    assert(pairs > 0);
    const struct config_param **params = alloc_bytes(sizeof(*params) * (size_t)pairs);
    bool *via_alias = alloc_bytes(sizeof(*via_alias) * (size_t)pairs);
    int rc = config_set_find(pairs, names, name_lens, params, via_alias, err, err_len);
    if (rc == 0) {
        /* All or nothing: the values go onto a copy, which replaces cfg only
         * once every one of them has been accepted. */
        struct config next;
        config_copy(&next, cfg);
        rc = config_set_values(&next, pairs, params, via_alias, values, value_lens, err, err_len);
        if (rc == 0) {
            struct config old = *cfg;
            *cfg = next;
            config_set_report(&old, cfg, pairs, params, changed, ctx);
            config_free(&old);
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
 * without case against every name and alias, and both may be returned. */
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
