/* config_test.c: the parameter table, redis.conf files, --name arguments,
 * CONFIG SET and CONFIG GET.
 *
 * Expected texts (values as CONFIG GET prints them, error reasons, which
 * parameters CONFIG SET refuses and in what order) were taken from a real
 * redis-server 7.0.15; where ringkv differs on purpose the test says so. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/alloc.h"
#include "net/core/config.h"
#include "tests/unit.h"

#define ERR_BYTES 512
#define GOT_MAX 512

/* ---- Helpers ---- */

struct got {
    int count;
    char *names[GOT_MAX];
    char *values[GOT_MAX];
};

static void got_emit(const char *name, const char *value, void *ctx)
{
    struct got *g = ctx;
    ck_assert_int_lt(g->count, GOT_MAX);
    g->names[g->count] = alloc_strdup(name);
    g->values[g->count] = alloc_strdup(value);
    g->count++;
}

static void got_free(struct got *g)
{
    for (int i = 0; i < g->count; i++) {
        alloc_free(g->names[i]);
        alloc_free(g->values[i]);
    }
    g->count = 0;
}

static const char *got_find(const struct got *g, const char *name)
{
    for (int i = 0; i < g->count; i++) {
        if (strcmp(g->names[i], name) == 0)
            return g->values[i];
    }
    return NULL;
}

/* CONFIG GET <name> on cfg; returns an owned copy of the single value. */
static char *get_value(const struct config *cfg, const char *name)
{
    struct got g = {0};
    config_get(cfg, name, strlen(name), got_emit, &g);
    ck_assert_msg(g.count == 1, "CONFIG GET %s gave %d entries", name, g.count);
    char *value = alloc_strdup(g.values[0]);
    got_free(&g);
    return value;
}

#define ck_assert_value(cfg, name, expected)                 \
    do {                                                     \
        char *value_ = get_value((cfg), (name));             \
        ck_assert_str_eq(value_, (expected));                \
        alloc_free(value_);                                  \
    } while (0)

/* Applies one file-style directive given as a string of words. */
static int apply(struct config *cfg, const char *line, bool at_runtime, char *err)
{
    char *copy = alloc_strdup(line);
    char *argv[64];
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    int rc = config_apply_directive(cfg, argc, argv, at_runtime, err, ERR_BYTES);
    alloc_free(copy);
    return rc;
}

/* Applies `name value` and expects the given reason. */
static void expect_reason(struct config *cfg, const char *line, const char *reason)
{
    char err[ERR_BYTES] = "";
    ck_assert_msg(apply(cfg, line, false, err) == -1, "'%s' was accepted", line);
    ck_assert_str_eq(err, reason);
}

static void expect_ok(struct config *cfg, const char *line)
{
    char err[ERR_BYTES] = "";
    ck_assert_msg(apply(cfg, line, false, err) == 0, "'%s' refused: %s", line, err);
}

/* Writes text to a new temporary file; returns its owned path. */
static char *write_temp(const char *text)
{
    char *path = alloc_strdup("/tmp/ringkv_config_test_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    size_t len = strlen(text);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static int load_text(struct config *cfg, const char *text, char *err, char **path_out)
{
    char *path = write_temp(text);
    int rc = config_load_file(cfg, path, err, ERR_BYTES);
    *path_out = path;
    return rc;
}

/* Expects loading text to fail at the line with the reason. */
static void expect_file_error(const char *text, int line, const char *reason)
{
    struct config cfg;
    char err[ERR_BYTES] = "", expected[ERR_BYTES + 128];
    char *path;
    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, text, err, &path), -1);
    /* Redis's layout: where, the directive as written, then the reason. */
    snprintf(expected, sizeof(expected), "Reading the configuration file %s, at line %d\n>>> '",
             path, line);
    ck_assert_msg(strncmp(err, expected, strlen(expected)) == 0, "got %s", err);
    snprintf(expected, sizeof(expected), "'\n%s", reason);
    size_t err_len = strlen(err), tail_len = strlen(expected);
    ck_assert_msg(err_len > tail_len && strcmp(err + err_len - tail_len, expected) == 0, "got %s", err);
    unlink(path);
    alloc_free(path);
    config_free(&cfg);
}

struct changes {
    int count;
    char names[16][64];
};

static int record_change(const char *name, void *ctx, char *reason, size_t reason_len)
{
    struct changes *c = ctx;
    ck_assert_int_lt(c->count, 16);
    snprintf(c->names[c->count++], sizeof(c->names[0]), "%s", name);
    (void)reason;
    (void)reason_len;
    return 0;
}

/* CONFIG SET with words "name value name value ..."; "''" stands for an
 * empty value and '_' for a space inside a value. protected_allowed is
 * what enable-protected-configs decided for the client. */
static int set_pairs_as(struct config *cfg, const char *words, bool protected_allowed,
                        struct changes *changes, char *err)
{
    char *copy = alloc_strdup(words);
    const char *argv[32];
    size_t lens[32];
    int argc = 0;
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        for (char *c = w; *c; c++)
            *c = *c == '_' ? ' ' : *c;
        argv[argc] = strcmp(w, "''") == 0 ? "" : w;
        lens[argc] = strlen(argv[argc]);
        argc++;
    }
    ck_assert_int_eq(argc % 2, 0);
    const char *names[16], *values[16];
    size_t name_lens[16], value_lens[16];
    for (int i = 0; i < argc / 2; i++) {
        names[i] = argv[2 * i];
        name_lens[i] = lens[2 * i];
        values[i] = argv[2 * i + 1];
        value_lens[i] = lens[2 * i + 1];
    }
    int rc = config_set(cfg, argc / 2, names, name_lens, values, value_lens, protected_allowed,
                        changes ? record_change : NULL, changes, err, ERR_BYTES);
    alloc_free(copy);
    return rc;
}

/* set_pairs_as from a client that may change protected parameters. */
static int set_pairs(struct config *cfg, const char *words, struct changes *changes, char *err)
{
    return set_pairs_as(cfg, words, true, changes, err);
}

static void expect_set_error(struct config *cfg, const char *words, const char *error)
{
    char err[ERR_BYTES] = "";
    ck_assert_msg(set_pairs(cfg, words, NULL, err) == -1, "CONFIG SET %s was accepted", words);
    ck_assert_str_eq(err, error);
}

/* ---- Defaults ---- */

/* Every name and alias CONFIG GET * lists, each value as redis-server
 * 7.0.15 prints it by default, except bind and dir, which are ringkv's
 * embedded defaults. */
static const char *const default_values[][2] = {
    {"acl-pubsub-default", "resetchannels"},
    {"aclfile", ""},
    {"acllog-max-len", "128"},
    {"active-defrag-cycle-max", "25"},
    {"active-defrag-cycle-min", "1"},
    {"active-defrag-ignore-bytes", "104857600"},
    {"active-defrag-max-scan-fields", "1000"},
    {"active-defrag-threshold-lower", "10"},
    {"active-defrag-threshold-upper", "100"},
    {"active-expire-effort", "1"},
    {"activedefrag", "no"},
    {"activerehashing", "yes"},
    {"always-show-logo", "no"},
    {"aof-batches-in-flight", "1"},
    {"aof-direct-io", "yes"},
    {"aof-disable-auto-gc", "no"},
    {"aof-load-truncated", "yes"},
    {"aof-prewrite-size", "67108864"},
    {"aof-rewrite-incremental-fsync", "yes"},
    {"aof-timestamp-enabled", "no"},
    {"aof-use-rdb-preamble", "yes"},
    {"aof-write-inline", "auto"},
    {"aof_rewrite_cpulist", ""},
    {"appenddirname", "appendonlydir"},
    {"appendfilename", "appendonly.aof"},
    {"appendfsync", "everysec"},
    {"appendonly", "no"},
    {"auto-aof-rewrite-min-size", "67108864"},
    {"auto-aof-rewrite-percentage", "100"},
    {"bgsave_cpulist", ""},
    {"bind", "127.0.0.1"},
    {"bind-source-addr", ""},
    {"bio_cpulist", ""},
    {"busy-reply-threshold", "5000"},
    {"client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
    {"child-ioprio", "best-effort-7"},
    {"child-nice", "10"},
    {"child-sched-policy", "batch"},
    {"client-query-buffer-limit", "1073741824"},
    {"cluster-allow-pubsubshard-when-down", "yes"},
    {"cluster-allow-reads-when-down", "no"},
    {"cluster-allow-replica-migration", "yes"},
    {"cluster-announce-bus-port", "0"},
    {"cluster-announce-hostname", ""},
    {"cluster-announce-ip", ""},
    {"cluster-announce-port", "0"},
    {"cluster-announce-tls-port", "0"},
    {"cluster-config-file", "nodes.conf"},
    {"cluster-enabled", "no"},
    {"cluster-link-sendbuf-limit", "0"},
    {"cluster-migration-barrier", "1"},
    {"cluster-node-timeout", "15000"},
    {"cluster-port", "0"},
    {"cluster-preferred-endpoint-type", "ip"},
    {"cluster-replica-no-failover", "no"},
    {"cluster-replica-validity-factor", "10"},
    {"cluster-require-full-coverage", "yes"},
    {"cluster-slave-no-failover", "no"},
    {"cluster-slave-validity-factor", "10"},
    {"crash-log-enabled", "yes"},
    {"crash-memcheck-enabled", "yes"},
    {"daemonize", "no"},
    {"databases", "16"},
    {"dbfilename", "dump.rdb"},
    {"dir", "./data"},
    {"disable-thp", "yes"},
    {"dynamic-hz", "yes"},
    {"enable-debug-command", "no"},
    {"enable-module-command", "no"},
    {"enable-protected-configs", "no"},
    {"hash-max-listpack-entries", "512"},
    {"hash-max-listpack-value", "64"},
    {"hash-max-ziplist-entries", "512"},
    {"hash-max-ziplist-value", "64"},
    {"hll-sparse-max-bytes", "3000"},
    {"hz", "10"},
    {"ignore-warnings", ""},
    {"io-threads", "1"},
    {"io-threads-do-reads", "no"},
    {"jemalloc-bg-thread", "yes"},
    {"latency-monitor-threshold", "0"},
    {"latency-tracking", "yes"},
    {"latency-tracking-info-percentiles", "50 99 99.9"},
    {"lazyfree-lazy-eviction", "no"},
    {"lazyfree-lazy-expire", "no"},
    {"lazyfree-lazy-server-del", "no"},
    {"lazyfree-lazy-user-del", "no"},
    {"lazyfree-lazy-user-flush", "no"},
    {"lfu-decay-time", "1"},
    {"lfu-log-factor", "10"},
    {"list-compress-depth", "0"},
    {"list-max-listpack-size", "-2"},
    {"list-max-ziplist-size", "-2"},
    {"logfile", ""},
    {"loglevel", "notice"},
    {"lua-time-limit", "5000"},
    {"masterauth", ""},
    {"masteruser", ""},
    {"maxclients", "10000"},
    {"maxmemory", "0"},
    {"maxmemory-clients", "0"},
    {"maxmemory-eviction-tenacity", "10"},
    {"maxmemory-policy", "noeviction"},
    {"maxmemory-samples", "5"},
    {"min-replicas-max-lag", "10"},
    {"min-replicas-to-write", "0"},
    {"min-slaves-max-lag", "10"},
    {"min-slaves-to-write", "0"},
    {"no-appendfsync-on-rewrite", "no"},
    {"notify-keyspace-events", ""},
    {"oom-score-adj", "no"},
    {"oom-score-adj-values", "0 200 800"},
    {"pidfile", ""},
    {"port", "6379"},
    {"proc-title-template", "{title} {listen-addr} {server-mode}"},
    {"propagation-error-behavior", "ignore"},
    {"protected-mode", "yes"},
    {"proto-max-bulk-len", "536870912"},
    {"rdb-del-sync-files", "no"},
    {"rdb-save-incremental-fsync", "yes"},
    {"rdb-save-threads", "0"},
    {"rdbchecksum", "yes"},
    {"rdbcompression", "yes"},
    {"repl-backlog-size", "1048576"},
    {"repl-backlog-ttl", "3600"},
    {"repl-disable-tcp-nodelay", "no"},
    {"repl-diskless-load", "disabled"},
    {"repl-diskless-sync", "yes"},
    {"repl-diskless-sync-delay", "5"},
    {"repl-diskless-sync-max-replicas", "0"},
    {"repl-ping-replica-period", "10"},
    {"repl-ping-slave-period", "10"},
    {"repl-timeout", "60"},
    {"replica-announce-ip", ""},
    {"replica-announce-port", "0"},
    {"replica-announced", "yes"},
    {"replica-ignore-disk-write-errors", "no"},
    {"replica-ignore-maxmemory", "yes"},
    {"replica-lazy-flush", "no"},
    {"replica-priority", "100"},
    {"replica-read-only", "yes"},
    {"replica-serve-stale-data", "yes"},
    {"replicaof", ""},
    {"requirepass", ""},
    {"sanitize-dump-payload", "no"},
    {"save", "3600 1 300 100 60 10000"},
    {"server_cpulist", ""},
    {"set-max-intset-entries", "512"},
    {"set-proc-title", "yes"},
    {"shutdown-on-sigint", "default"},
    {"shutdown-on-sigterm", "default"},
    {"shutdown-timeout", "10"},
    {"slave-announce-ip", ""},
    {"slave-announce-port", "0"},
    {"slave-ignore-maxmemory", "yes"},
    {"slave-lazy-flush", "no"},
    {"slave-priority", "100"},
    {"slave-read-only", "yes"},
    {"slave-serve-stale-data", "yes"},
    {"slaveof", ""},
    {"slowlog-log-slower-than", "10000"},
    {"slowlog-max-len", "128"},
    {"socket-mark-id", "0"},
    {"stop-writes-on-bgsave-error", "yes"},
    {"stream-node-max-bytes", "4096"},
    {"stream-node-max-entries", "100"},
    {"supervised", "no"},
    {"syslog-enabled", "no"},
    {"syslog-facility", "local0"},
    {"syslog-ident", "redis"},
    {"tcp-backlog", "511"},
    {"tcp-keepalive", "300"},
    {"timeout", "0"},
    {"tls-auth-clients", "yes"},
    {"tls-ca-cert-dir", ""},
    {"tls-ca-cert-file", ""},
    {"tls-cert-file", ""},
    {"tls-ciphers", ""},
    {"tls-ciphersuites", ""},
    {"tls-client-cert-file", ""},
    {"tls-client-key-file", ""},
    {"tls-client-key-file-pass", ""},
    {"tls-cluster", "no"},
    {"tls-dh-params-file", ""},
    {"tls-key-file", ""},
    {"tls-key-file-pass", ""},
    {"tls-port", "0"},
    {"tls-prefer-server-ciphers", "no"},
    {"tls-protocols", ""},
    {"tls-replication", "no"},
    {"tls-session-cache-size", "20480"},
    {"tls-session-cache-timeout", "300"},
    {"tls-session-caching", "yes"},
    {"tracking-table-max-keys", "1000000"},
    {"unixsocket", ""},
    {"unixsocketperm", "0"},
    {"zset-max-listpack-entries", "128"},
    {"zset-max-listpack-value", "64"},
    {"zset-max-ziplist-entries", "128"},
    {"zset-max-ziplist-value", "64"},
};
#define DEFAULTS_COUNT ((int)(sizeof(default_values) / sizeof(default_values[0])))

START_TEST(test_default_fields)
{
    struct config cfg;
    config_init(&cfg);
    ck_assert_int_eq(cfg.bind_count, 1);
    ck_assert_str_eq(cfg.bind[0], "127.0.0.1");
    ck_assert_int_eq(cfg.port, 6379);
    ck_assert_int_eq(cfg.tcp_backlog, 511);
    ck_assert_int_eq(cfg.tcp_keepalive, 300);
    ck_assert_int_eq(cfg.timeout, 0);
    ck_assert(cfg.protected_mode);
    ck_assert_int_eq(cfg.maxclients, 10000);
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.proto_max_bulk_len, 512LL * 1024 * 1024);
    ck_assert_int_eq(cfg.client_query_buffer_limit, 1024LL * 1024 * 1024);
    ck_assert_int_eq(cfg.databases, 16);
    ck_assert_int_eq(cfg.hz, 10);
    ck_assert(cfg.dynamic_hz);
    ck_assert_str_eq(cfg.dir, "./data");
    ck_assert_ptr_null(cfg.pidfile);
    ck_assert_str_eq(cfg.logfile, "");
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_NOTICE);
    ck_assert(!cfg.daemonize);
    ck_assert_int_eq(cfg.enable_debug_command, 0);
    ck_assert_int_eq(cfg.active_expire_effort, 1);
    ck_assert(cfg.activerehashing);
    ck_assert(!cfg.lazyfree_lazy_user_flush);
    ck_assert_int_eq(cfg.maxmemory, 0);
    ck_assert_int_eq(cfg.save_count, 3);
    ck_assert_int_eq(cfg.save[0].seconds, 3600);
    ck_assert_int_eq(cfg.save[0].changes, 1);
    ck_assert_int_eq(cfg.save[2].seconds, 60);
    ck_assert_int_eq(cfg.save[2].changes, 10000);
    ck_assert(!cfg.save_loaded);
    ck_assert_str_eq(cfg.dbfilename, "dump.rdb");
    ck_assert(!cfg.appendonly);
    ck_assert_int_eq(cfg.appendfsync, APPENDFSYNC_EVERYSEC);
    ck_assert_str_eq(cfg.appendfilename, "appendonly.aof");
    ck_assert_str_eq(cfg.appenddirname, "appendonlydir");
    ck_assert(cfg.rdbcompression && cfg.rdbchecksum && cfg.stop_writes_on_bgsave_error);
    ck_assert(cfg.aof_load_truncated && cfg.aof_use_rdb_preamble);
    ck_assert_int_eq(cfg.auto_aof_rewrite_percentage, 100);
    ck_assert_int_eq(cfg.auto_aof_rewrite_min_size, 64LL * 1024 * 1024);
    ck_assert_int_eq(cfg.hash_max_listpack_entries, 512);
    ck_assert_int_eq(cfg.hash_max_listpack_value, 64);
    ck_assert_int_eq(cfg.list_max_listpack_size, -2);
    ck_assert_int_eq(cfg.set_max_intset_entries, 512);
    ck_assert_int_eq(cfg.zset_max_listpack_entries, 128);
    ck_assert_int_eq(cfg.zset_max_listpack_value, 64);
    config_free(&cfg);
}
END_TEST

START_TEST(test_default_values_as_printed)
{
    struct config cfg;
    struct got g = {0};
    config_init(&cfg);
    config_get(&cfg, "*", 1, got_emit, &g);
    ck_assert_int_eq(g.count, DEFAULTS_COUNT);
    for (int i = 0; i < DEFAULTS_COUNT; i++) {
        const char *value = got_find(&g, default_values[i][0]);
        ck_assert_msg(value != NULL, "%s missing from CONFIG GET *", default_values[i][0]);
        ck_assert_str_eq(value, default_values[i][1]);
    }
    got_free(&g);
    config_free(&cfg);
}
END_TEST

/* ---- Types ---- */

START_TEST(test_bool_values)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "protected-mode no");
    ck_assert(!cfg.protected_mode);
    expect_ok(&cfg, "protected-mode YES");
    ck_assert(cfg.protected_mode);
    expect_ok(&cfg, "appendonly Yes");
    ck_assert(cfg.appendonly);
    ck_assert_value(&cfg, "appendonly", "yes");
    expect_reason(&cfg, "protected-mode maybe", "argument must be 'yes' or 'no'");
    expect_reason(&cfg, "protected-mode 1", "argument must be 'yes' or 'no'");
    expect_reason(&cfg, "protected-mode", "wrong number of arguments");
    expect_reason(&cfg, "protected-mode yes no", "wrong number of arguments");
    config_free(&cfg);
}
END_TEST

START_TEST(test_integer_values)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "port 7000");
    ck_assert_int_eq(cfg.port, 7000);
    expect_ok(&cfg, "port 0"); /* Redis 7.0: no TCP listener */
    expect_ok(&cfg, "port 65535");
    expect_ok(&cfg, "list-max-listpack-size -5");
    ck_assert_int_eq(cfg.list_max_listpack_size, -5);
    expect_ok(&cfg, "timeout 2147483647");
    ck_assert_int_eq(cfg.timeout, 2147483647);
    const char *bad_integers[] = {"abc", "+5", " 5", "05", "-0", "1.5", "1e3", "", "5x", "-",
                                  "99999999999999999999"};
    char line[64];
    for (size_t i = 0; i < sizeof(bad_integers) / sizeof(bad_integers[0]); i++) {
        char err[ERR_BYTES] = "";
        char *argv[] = {"port", (char *)bad_integers[i]};
        ck_assert_int_eq(config_apply_directive(&cfg, 2, argv, false, err, sizeof(err)), -1);
        ck_assert_str_eq(err, "argument couldn't be parsed into an integer");
    }
    expect_reason(&cfg, "port 65536", "argument must be between 0 and 65535 inclusive");
    expect_reason(&cfg, "port -1", "argument must be between 0 and 65535 inclusive");
    expect_reason(&cfg, "timeout -1", "argument must be between 0 and 2147483647 inclusive");
    expect_reason(&cfg, "tcp-keepalive -1", "argument must be between 0 and 2147483647 inclusive");
    expect_reason(&cfg, "active-expire-effort 11", "argument must be between 1 and 10 inclusive");
    expect_reason(&cfg, "active-expire-effort 0", "argument must be between 1 and 10 inclusive");
    expect_reason(&cfg, "databases 0", "argument must be between 1 and 1048576 inclusive");
    expect_reason(&cfg, "set-max-intset-entries -1",
                  "argument must be between 0 and 9223372036854775807 inclusive");
    expect_reason(&cfg, "list-max-listpack-size 99999999999",
                  "argument must be between -2147483648 and 2147483647 inclusive");
    /* Redis allows maxclients up to 2^32-1; ringkv's field is an int. */
    expect_reason(&cfg, "maxclients 0", "argument must be between 1 and 4294967295 inclusive");
    /* Redis's unsigned range; the int field keeps INT_MAX at most. */
    expect_ok(&cfg, "maxclients 4294967295");
    ck_assert_int_eq(cfg.maxclients, 2147483647);
    snprintf(line, sizeof(line), "list-max-listpack-size -2147483648");
    expect_ok(&cfg, line);
    ck_assert_int_eq(cfg.list_max_listpack_size, -2147483648LL);
    ck_assert_int_eq(cfg.port, 65535);
    config_free(&cfg);
}
END_TEST

/* Redis takes any hz from 0 up and keeps it within 1..500. */
START_TEST(test_hz_clamped)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "hz 1000");
    ck_assert_int_eq(cfg.hz, 500);
    expect_ok(&cfg, "hz 0");
    ck_assert_int_eq(cfg.hz, 1);
    expect_ok(&cfg, "hz 100");
    ck_assert_int_eq(cfg.hz, 100);
    expect_reason(&cfg, "hz -1", "argument must be between 0 and 2147483647 inclusive");
    config_free(&cfg);
}
END_TEST

START_TEST(test_memory_units)
{
    static const struct {
        const char *text;
        long long value;
    } good[] = {
        {"0", 0}, {"42", 42}, {"1b", 1}, {"2B", 2}, {"1k", 1000}, {"1K", 1000}, {"1kb", 1024},
        {"3Kb", 3072}, {"1m", 1000000}, {"1mb", 1048576}, {"512MB", 536870912LL},
        {"1g", 1000000000LL}, {"1gb", 1073741824LL}, {"2GB", 2147483648LL},
        {"8589934591gb", 8589934591LL * 1073741824LL}, {"9223372036854775807", 9223372036854775807LL},
        {"", 0}, {"gb", 0}, /* no digits reads as 0, as in Redis */
    };
    static const char *const bad[] = {"-1", "+1", " 1", "1 ", "1.5gb", "1xb", "1tb", "0x10",
                                      "1gbb", "1 gb", "k1", "9223372036854775808",
                                      "8589934592gb", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        long long value = -1;
        ck_assert_msg(config_parse_memory(good[i].text, strlen(good[i].text), &value) == 0,
                      "'%s' refused", good[i].text);
        ck_assert_int_eq(value, good[i].value);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long long value = 7;
        ck_assert_msg(config_parse_memory(bad[i], strlen(bad[i]), &value) == -1, "'%s' accepted",
                      bad[i]);
        ck_assert_int_eq(value, 7);
    }
    long long value;
    ck_assert_int_eq(config_parse_memory("64mbXX", 4, &value), 0); /* length-bounded */
    ck_assert_int_eq(value, 64 * 1024 * 1024);
}
END_TEST

START_TEST(test_memory_values)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "maxmemory 1GB");
    ck_assert_int_eq(cfg.maxmemory, 1073741824LL);
    ck_assert_value(&cfg, "maxmemory", "1073741824");
    expect_ok(&cfg, "hash-max-listpack-value 1kb");
    ck_assert_int_eq(cfg.hash_max_listpack_value, 1024);
    expect_reason(&cfg, "maxmemory 1xb", "argument must be a memory value");
    expect_reason(&cfg, "maxmemory -5", "argument must be a memory value");
    expect_reason(&cfg, "proto-max-bulk-len 1000",
                  "argument must be between 1048576 and 9223372036854775807 inclusive");
    expect_reason(&cfg, "client-query-buffer-limit 1000",
                  "argument must be between 1048576 and 9223372036854775807 inclusive");
    /* Too big for the field: Redis reports the range here too. */
    expect_reason(&cfg, "proto-max-bulk-len 99999999999999999999",
                  "argument must be between 1048576 and 9223372036854775807 inclusive");
    expect_ok(&cfg, "proto-max-bulk-len 1mb");
    ck_assert_int_eq(cfg.proto_max_bulk_len, 1048576);
    config_free(&cfg);
}
END_TEST

START_TEST(test_enum_values)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "loglevel WARNING");
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_WARNING);
    ck_assert_value(&cfg, "loglevel", "warning");
    expect_ok(&cfg, "loglevel nothing");
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_NOTHING);
    expect_ok(&cfg, "appendfsync always");
    ck_assert_int_eq(cfg.appendfsync, APPENDFSYNC_ALWAYS);
    expect_ok(&cfg, "appendfsync no");
    ck_assert_int_eq(cfg.appendfsync, APPENDFSYNC_NO);
    expect_ok(&cfg, "maxmemory-policy ALLKEYS-LRU");
    ck_assert_value(&cfg, "maxmemory-policy", "allkeys-lru");
    expect_ok(&cfg, "enable-debug-command local");
    ck_assert_int_eq(cfg.enable_debug_command, 2);
    ck_assert_value(&cfg, "enable-debug-command", "local");
    expect_ok(&cfg, "enable-debug-command yes");
    ck_assert_int_eq(cfg.enable_debug_command, 1);
    /* Redis 7.0 lists four levels; "nothing" is 7.2's and ringkv has it. */
    expect_reason(&cfg, "loglevel loud",
                  "argument(s) must be one of the following: debug, verbose, notice, warning, nothing");
    expect_reason(&cfg, "maxmemory-policy foo",
                  "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                  "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                  "noeviction");
    expect_reason(&cfg, "appendfsync foo",
                  "argument(s) must be one of the following: everysec, always, no");
    expect_reason(&cfg, "enable-debug-command maybe",
                  "argument(s) must be one of the following: no, yes, local");
    expect_reason(&cfg, "maxmemory-policy a b", "wrong number of arguments");
    config_free(&cfg);
}
END_TEST

START_TEST(test_string_values)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    expect_ok(&cfg, "requirepass s3cret");
    ck_assert_str_eq(cfg.requirepass, "s3cret");
    char *empty_pass[] = {"requirepass", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty_pass, false, err, sizeof(err)), 0);
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_value(&cfg, "requirepass", "");
    expect_ok(&cfg, "pidfile /tmp/ringkv.pid");
    ck_assert_str_eq(cfg.pidfile, "/tmp/ringkv.pid");
    expect_ok(&cfg, "dir /var/lib/ringkv");
    ck_assert_str_eq(cfg.dir, "/var/lib/ringkv");
    expect_ok(&cfg, "dbfilename other.rdb");
    ck_assert_str_eq(cfg.dbfilename, "other.rdb");
    char *empty_db[] = {"dbfilename", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty_db, false, err, sizeof(err)), 0);
    ck_assert_str_eq(cfg.dbfilename, "");
    expect_reason(&cfg, "dbfilename a/b", "dbfilename can't be a path, just a filename");
    expect_reason(&cfg, "dbfilename a\\b", "dbfilename can't be a path, just a filename");
    expect_reason(&cfg, "appendfilename a/b", "appendfilename can't be a path, just a filename");
    expect_reason(&cfg, "appenddirname a/b", "appenddirname can't be a path, just a dirname");
    char *empty_aof[] = {"appendfilename", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty_aof, false, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "appendfilename can't be empty");
    char *empty_aof_dir[] = {"appenddirname", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty_aof_dir, false, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "appenddirname can't be empty");
    char *empty_dir[] = {"dir", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty_dir, false, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "No such file or directory");
    expect_reason(&cfg, "requirepass a b", "wrong number of arguments");
    config_free(&cfg);
}
END_TEST

START_TEST(test_bind_values)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    expect_ok(&cfg, "bind 127.0.0.1 ::1 -::*");
    ck_assert_int_eq(cfg.bind_count, 3);
    ck_assert_str_eq(cfg.bind[2], "-::*");
    ck_assert_value(&cfg, "bind", "127.0.0.1 ::1 -::*");
    expect_ok(&cfg, "bind");
    ck_assert_int_eq(cfg.bind_count, 0);
    ck_assert_value(&cfg, "bind", "");
    char *one_word[] = {"bind", "10.0.0.1 10.0.0.2"}; /* one word is split like a line */
    ck_assert_int_eq(config_apply_directive(&cfg, 2, one_word, false, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.bind_count, 2);
    char *empty[] = {"bind", ""};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, empty, false, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.bind_count, 0);
    expect_reason(&cfg, "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
                  "Too many bind addresses specified.");
    expect_ok(&cfg, "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16");
    ck_assert_int_eq(cfg.bind_count, CONFIG_BIND_MAX);
    config_free(&cfg);
}
END_TEST

START_TEST(test_save_values)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "save 900 1 300 10");
    ck_assert_value(&cfg, "save", "900 1 300 10");
    expect_ok(&cfg, "save 60 10000"); /* start-up lines add points */
    ck_assert_value(&cfg, "save", "900 1 300 10 60 10000");
    ck_assert_int_eq(cfg.save_count, 3);
    const char *invalid[] = {"save 100", "save 100 a", "save a 1", "save 0 0", "save -1 1",
                             "save 1 -1", "save 1 2 3", "save 1.5 1"};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        expect_reason(&cfg, invalid[i], "Invalid save parameters");
    ck_assert_int_eq(cfg.save_count, 3);
    expect_ok(&cfg, "save +10 1"); /* Redis reads these with strtoll */
    ck_assert_value(&cfg, "save", "900 1 300 10 60 10000 10 1");
    expect_ok(&cfg, "save"); /* no words adds nothing once points were read */
    ck_assert_int_eq(cfg.save_count, 4);
    expect_ok(&cfg, "save \"\""); /* a lone "" clears */
    ck_assert_int_eq(cfg.save_count, 0);
    expect_ok(&cfg, "save 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 "
                    "27 28 29 30 31 32");
    ck_assert_int_eq(cfg.save_count, CONFIG_SAVE_POINTS_MAX);
    expect_reason(&cfg, "save 5 5", "Too many save points (at most 16)");
    ck_assert_int_eq(cfg.save_count, CONFIG_SAVE_POINTS_MAX);
    config_free(&cfg);
}
END_TEST

/* At runtime a save directive replaces the points instead of adding. */
/* As in redis-server 7.0.15, a bare first `save` line clears the defaults. */
START_TEST(test_save_bare_first_line)
{
    struct config cfg;
    config_init(&cfg);
    expect_ok(&cfg, "save");
    ck_assert_int_eq(cfg.save_count, 0);
    ck_assert(cfg.save_loaded);
    config_free(&cfg);
}
END_TEST

START_TEST(test_save_at_runtime)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    ck_assert_int_eq(apply(&cfg, "save 900 1", true, err), 0);
    ck_assert_int_eq(apply(&cfg, "save 300 10", true, err), 0);
    ck_assert_value(&cfg, "save", "300 10");
    ck_assert(!cfg.save_loaded);
    config_free(&cfg);
}
END_TEST

START_TEST(test_directive_errors)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    expect_reason(&cfg, "foo bar", "Bad directive or wrong number of arguments");
    /* Redis 7.0 skips its deprecated directives given one value, at
     * start-up only, and refuses the ones ringkv cannot honour. */
    expect_ok(&cfg, "list-max-ziplist-entries 512");
    expect_ok(&cfg, "LIST-MAX-ZIPLIST-VALUE 64");
    expect_ok(&cfg, "lua-replicate-commands yes");
    expect_reason(&cfg, "list-max-ziplist-entries 1 2", "Bad directive or wrong number of arguments");
    ck_assert_int_eq(apply(&cfg, "list-max-ziplist-entries 512", true, err), -1);
    ck_assert_str_eq(err, "Bad directive or wrong number of arguments");
    expect_reason(&cfg, "rename-command FLUSHALL x", "rename-command is not supported by ringkv");
    /* `user` lines are kept, in order, for acl.c to apply. */
    expect_ok(&cfg, "user alice on >pw ~* +@all");
    expect_ok(&cfg, "user bob");
    ck_assert_int_eq(cfg.acl_user_count, 2);
    ck_assert_int_eq(cfg.acl_users[0].count, 5);
    ck_assert_str_eq(cfg.acl_users[0].words[0], "alice");
    ck_assert_str_eq(cfg.acl_users[0].words[4], "+@all");
    ck_assert_int_eq(cfg.acl_users[1].count, 1);
    ck_assert_str_eq(cfg.acl_users[1].words[0], "bob");
    expect_reason(&cfg, "user", "Bad directive or wrong number of arguments");
    expect_reason(&cfg, "user bob on",
                  "Error in user declaration 'bob': Duplicate user found. A user can only be "
                  "defined once in config files");
    expect_reason(&cfg, "loadmodule /x.so", "loadmodule is not supported by ringkv");
    expect_reason(&cfg, "sentinel monitor m 1 2 3", "sentinel is not supported by ringkv");
    expect_reason(&cfg, "port", "wrong number of arguments");
    expect_reason(&cfg, "port 1 2", "wrong number of arguments");
    expect_ok(&cfg, "PORT 7001");
    ck_assert_int_eq(cfg.port, 7001);
    expect_ok(&cfg, "Hash-Max-Ziplist-Entries 100");
    ck_assert_int_eq(cfg.hash_max_listpack_entries, 100);
    /* At runtime the immutable ones are refused; at start-up they are not. */
    ck_assert_int_eq(apply(&cfg, "databases 4", true, err), -1);
    ck_assert_str_eq(err, "can't set immutable config");
    ck_assert_int_eq(apply(&cfg, "databases 4", false, err), 0);
    ck_assert_int_eq(cfg.databases, 4);
    char *unbalanced[] = {"save", "\"900 1"};
    ck_assert_int_eq(config_apply_directive(&cfg, 2, unbalanced, false, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "Unbalanced quotes in configuration line");
    config_free(&cfg);
}
END_TEST

/* ---- Files ---- */

START_TEST(test_load_file)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    char *path;
    config_init(&cfg);
    const char *text = "# ringkv test configuration\n"
                       "\n"
                       "   # an indented comment\n"
                       "PORT 7002\r\n"
                       "\tbind 127.0.0.1 ::1   \n"
                       "requirepass \"pa ss\\tword\"\n"
                       "logfile ''\n"
                       "dbfilename 'my dump.rdb'\n"
                       "maxmemory 100mb\n"
                       "hash-max-ziplist-value 128\n"
                       "appendonly yes\n"
                       "loglevel verbose";
    ck_assert_int_eq(load_text(&cfg, text, err, &path), 0);
    ck_assert_str_eq(err, "");
    ck_assert_int_eq(cfg.port, 7002);
    ck_assert_int_eq(cfg.bind_count, 2);
    ck_assert_str_eq(cfg.bind[1], "::1");
    ck_assert_str_eq(cfg.requirepass, "pa ss\tword");
    ck_assert_str_eq(cfg.logfile, "");
    ck_assert_str_eq(cfg.dbfilename, "my dump.rdb");
    ck_assert_int_eq(cfg.maxmemory, 100LL * 1024 * 1024);
    ck_assert_int_eq(cfg.hash_max_listpack_value, 128);
    ck_assert(cfg.appendonly);
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_VERBOSE);
    unlink(path);
    alloc_free(path);
    config_free(&cfg);
}
END_TEST

/* Redis 7.0: the first save line replaces the built-in points, later lines
 * (in the file or on the command line) add to them, `save ""` clears. */
START_TEST(test_load_file_save_lines)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    char *path;
    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, "save 900 1\nsave 300 10 60 10000\n", err, &path), 0);
    ck_assert_value(&cfg, "save", "900 1 300 10 60 10000");
    char *args[] = {"--save", "10", "1", "--save", "20 2"};
    ck_assert_int_eq(config_load_args(&cfg, 5, args, err, sizeof(err)), 0);
    ck_assert_value(&cfg, "save", "900 1 300 10 60 10000 10 1 20 2");
    unlink(path);
    alloc_free(path);
    config_free(&cfg);

    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, "save 900 1\nsave \"\"\nsave 5 5\n", err, &path), 0);
    ck_assert_value(&cfg, "save", "5 5");
    unlink(path);
    alloc_free(path);
    config_free(&cfg);

    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, "save \"900 1\"\n", err, &path), 0);
    ck_assert_value(&cfg, "save", "900 1");
    unlink(path);
    alloc_free(path);
    config_free(&cfg);

    config_init(&cfg); /* no save line keeps the defaults */
    ck_assert_int_eq(load_text(&cfg, "port 7003\n", err, &path), 0);
    ck_assert_value(&cfg, "save", "3600 1 300 100 60 10000");
    unlink(path);
    alloc_free(path);
    config_free(&cfg);
}
END_TEST

START_TEST(test_load_file_errors)
{
    expect_file_error("port 7778\nfoo bar\n", 2, "Bad directive or wrong number of arguments");
    expect_file_error("# c\n\n  port abc\n", 3, "argument couldn't be parsed into an integer");
    expect_file_error("port 70000\n", 1, "argument must be between 0 and 65535 inclusive");
    expect_file_error("protected-mode maybe\n", 1, "argument must be 'yes' or 'no'");
    expect_file_error("save 100\n", 1, "Invalid save parameters");
    expect_file_error("save \"900 1\" 3\n", 1, "Invalid save parameters");
    expect_file_error("loglevel loud\n", 1,
                      "argument(s) must be one of the following: debug, verbose, notice, warning, "
                      "nothing");
    expect_file_error("maxmemory 1xb\n", 1, "argument must be a memory value");
    expect_file_error("port\n", 1, "wrong number of arguments");
    expect_file_error("port 1 #c\n", 1, "wrong number of arguments");
    expect_file_error("port \"abc\n", 1, "Unbalanced quotes in configuration line");
    expect_file_error("requirepass \"a\"b\n", 1, "Unbalanced quotes in configuration line");
    expect_file_error("databases 0\n", 1, "argument must be between 1 and 1048576 inclusive");
    expect_file_error("appendfilename \"\"\n", 1, "appendfilename can't be empty");
    expect_file_error("dbfilename a/b\n", 1, "dbfilename can't be a path, just a filename");
    expect_file_error("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", 1,
                      "Too many bind addresses specified.");
    expect_file_error("port 1\r\nport 2\r\nport x\r\n", 3,
                      "argument couldn't be parsed into an integer");
}
END_TEST

START_TEST(test_load_file_long_line)
{
    char *text = alloc_bytes(CONFIG_LINE_BYTES_MAX + 64);
    int len = snprintf(text, 64, "port 1\nrequirepass ");
    memset(text + len, 'x', CONFIG_LINE_BYTES_MAX);
    strcpy(text + len + CONFIG_LINE_BYTES_MAX, "\n");
    char reason[64];
    snprintf(reason, sizeof(reason), "line longer than %d bytes", CONFIG_LINE_BYTES_MAX);
    expect_file_error(text, 2, reason);

    /* A line of exactly the limit is fine. */
    struct config cfg;
    char err[ERR_BYTES] = "", *path;
    memset(text, '#', CONFIG_LINE_BYTES_MAX);
    strcpy(text + CONFIG_LINE_BYTES_MAX, "\nport 7004\n");
    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, text, err, &path), 0);
    ck_assert_int_eq(cfg.port, 7004);
    unlink(path);
    alloc_free(path);
    config_free(&cfg);
    alloc_free(text);
}
END_TEST

START_TEST(test_load_file_missing)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(config_load_file(&cfg, "/nonexistent/ringkv.conf", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "/nonexistent/ringkv.conf: can't open config file: No such file or directory");
    config_free(&cfg);
}
END_TEST

/* ---- Command-line arguments ---- */

START_TEST(test_load_args)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    char *args[] = {"--port", "7000", "--save", "", "--bind", "127.0.0.1", "::1",
                    "--requirepass", "", "--loglevel", "debug", "--MAXMEMORY", "2mb"};
    ck_assert_int_eq(config_load_args(&cfg, 13, args, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.port, 7000);
    ck_assert_int_eq(cfg.save_count, 0);
    ck_assert_int_eq(cfg.bind_count, 2);
    ck_assert_str_eq(cfg.bind[1], "::1");
    ck_assert_ptr_null(cfg.requirepass);
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_DEBUG);
    ck_assert_int_eq(cfg.maxmemory, 2 * 1024 * 1024);
    ck_assert_int_eq(config_load_args(&cfg, 0, NULL, err, sizeof(err)), 0);
    config_free(&cfg);
}
END_TEST

/* The corner cases redis-server 7.0.15 showed. */
START_TEST(test_load_args_redis_corners)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    char *value_like_option[] = {"--save", "--requirepass", "--x"};
    ck_assert_int_eq(config_load_args(&cfg, 3, value_like_option, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.save_count, 0); /* --save before an option means --save "" */
    ck_assert_str_eq(cfg.requirepass, "--x");
    config_free(&cfg);

    config_init(&cfg);
    char *save_last[] = {"--bind", "127.0.0.1", "::1", "--save"};
    ck_assert_int_eq(config_load_args(&cfg, 4, save_last, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.save_count, 0);
    ck_assert_int_eq(cfg.bind_count, 2);
    config_free(&cfg);

    config_init(&cfg);
    char *joined[] = {"--port 6380", "--save", "900 1", "--bind", "10.0.0.1 10.0.0.2"};
    ck_assert_int_eq(config_load_args(&cfg, 5, joined, err, sizeof(err)), 0);
    ck_assert_int_eq(cfg.port, 6380);
    ck_assert_value(&cfg, "save", "900 1");
    ck_assert_int_eq(cfg.bind_count, 2);
    config_free(&cfg);
}
END_TEST

START_TEST(test_load_args_errors)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    char *bad_port[] = {"--port", "abc"};
    ck_assert_int_eq(config_load_args(&cfg, 2, bad_port, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--port: argument couldn't be parsed into an integer");
    char *unknown[] = {"--port", "7000", "--nosuch", "1"};
    ck_assert_int_eq(config_load_args(&cfg, 4, unknown, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--nosuch: Bad directive or wrong number of arguments");
    ck_assert_int_eq(cfg.port, 7000); /* directives before the bad one stay applied */
    char *missing[] = {"--port"};
    ck_assert_int_eq(config_load_args(&cfg, 1, missing, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "--port: wrong number of arguments");
    char *stray[] = {"7000", "--port", "7001"};
    ck_assert_int_eq(config_load_args(&cfg, 3, stray, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'7000': expected an option starting with --");
    char *dashes[] = {"--", "x"};
    ck_assert_int_eq(config_load_args(&cfg, 2, dashes, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "'--': option name missing");
    config_free(&cfg);
}
END_TEST

/* ---- CONFIG SET ---- */

START_TEST(test_set_ok)
{
    struct config cfg;
    struct changes changes = {0};
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(set_pairs(&cfg, "port 7005 maxmemory 1gb loglevel WARNING save 10_1_20_2 "
                                     "bind 127.0.0.1_::1 requirepass ''",
                               &changes, err),
                     0);
    ck_assert_int_eq(cfg.port, 7005); /* port is mutable in 7.0 */
    ck_assert_int_eq(cfg.maxmemory, 1073741824LL);
    ck_assert_int_eq(cfg.loglevel, LOGLEVEL_WARNING);
    ck_assert_value(&cfg, "save", "10 1 20 2");
    ck_assert_int_eq(cfg.bind_count, 2);
    ck_assert_ptr_null(cfg.requirepass);
    /* requirepass was already unset, so it did not change. */
    ck_assert_int_eq(changes.count, 5);
    ck_assert_str_eq(changes.names[0], "port");
    ck_assert_str_eq(changes.names[3], "save");
    ck_assert_str_eq(changes.names[4], "bind");
    ck_assert(!cfg.save_loaded);

    changes.count = 0;
    ck_assert_int_eq(set_pairs(&cfg, "save '' bind ''", &changes, err), 0);
    ck_assert_int_eq(cfg.save_count, 0);
    ck_assert_int_eq(cfg.bind_count, 0);
    ck_assert_int_eq(changes.count, 2);
    config_free(&cfg);
}
END_TEST

START_TEST(test_set_changed_only_when_different)
{
    struct config cfg;
    struct changes changes = {0};
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(set_pairs(&cfg, "port 6379 hz 10 maxmemory 0", &changes, err), 0);
    ck_assert_int_eq(changes.count, 0);
    ck_assert_int_eq(set_pairs(&cfg, "hz 1000", &changes, err), 0);
    ck_assert_int_eq(cfg.hz, 500);
    ck_assert_int_eq(changes.count, 1);
    ck_assert_str_eq(changes.names[0], "hz");
    changes.count = 0;
    ck_assert_int_eq(set_pairs(&cfg, "hz 600", &changes, err), 0); /* still 500 */
    ck_assert_int_eq(changes.count, 0);
    /* An alias reports the canonical name, once even if both are set. */
    ck_assert_int_eq(set_pairs(&cfg, "hash-max-ziplist-entries 1 hash-max-listpack-entries 2",
                               &changes, err),
                     0);
    ck_assert_int_eq(cfg.hash_max_listpack_entries, 2); /* applied in order */
    ck_assert_int_eq(changes.count, 1);
    ck_assert_str_eq(changes.names[0], "hash-max-listpack-entries");
    ck_assert_int_eq(set_pairs(&cfg, "timeout 5", NULL, err), 0); /* no callback is fine */
    config_free(&cfg);
}
END_TEST

/* A refused value leaves every parameter as it was. */
START_TEST(test_set_atomic)
{
    struct config cfg;
    struct changes changes = {0};
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(set_pairs(&cfg, "hz 20 dir /tmp/x save 1_1 bind 10.0.0.1 maxmemory 1xb",
                               &changes, err),
                     -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
                          "argument must be a memory value");
    ck_assert_int_eq(changes.count, 0);
    ck_assert_int_eq(cfg.hz, 10);
    ck_assert_str_eq(cfg.dir, "./data");
    ck_assert_value(&cfg, "save", "3600 1 300 100 60 10000");
    ck_assert_str_eq(cfg.bind[0], "127.0.0.1");
    ck_assert_int_eq(cfg.maxmemory, 0);
    config_free(&cfg);
}
END_TEST

START_TEST(test_set_errors)
{
    struct config cfg;
    config_init(&cfg);
    expect_set_error(&cfg, "foo bar", "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect_set_error(&cfg, "databases 5",
                     "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                     "immutable config");
    const char *immutable[] = {"daemonize", "pidfile", "logfile", "tcp-backlog", "rdbchecksum",
                               "appendfilename", "appenddirname", "enable-debug-command"};
    for (size_t i = 0; i < sizeof(immutable) / sizeof(immutable[0]); i++) {
        char words[64], error[256];
        snprintf(words, sizeof(words), "%s x", immutable[i]);
        snprintf(error, sizeof(error),
                 "ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable "
                 "config",
                 immutable[i]);
        expect_set_error(&cfg, words, error);
    }
    expect_set_error(&cfg, "port abc",
                     "ERR CONFIG SET failed (possibly related to argument 'port') - argument "
                     "couldn't be parsed into an integer");
    expect_set_error(&cfg, "port 70000",
                     "ERR CONFIG SET failed (possibly related to argument 'port') - argument must "
                     "be between 0 and 65535 inclusive");
    expect_set_error(&cfg, "protected-mode maybe",
                     "ERR CONFIG SET failed (possibly related to argument 'protected-mode') - "
                     "argument must be 'yes' or 'no'");
    expect_set_error(&cfg, "appendfsync foo",
                     "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - "
                     "argument(s) must be one of the following: everysec, always, no");
    expect_set_error(&cfg, "save 100",
                     "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
                     "parameters");
    /* CONFIG SET splits at every single space, so doubled spaces fail. */
    expect_set_error(&cfg, "save 10__1",
                     "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
                     "parameters");
    expect_set_error(&cfg, "save _10_1",
                     "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
                     "parameters");
    expect_set_error(&cfg, "save 1_1_2_2_3_3_4_4_5_5_6_6_7_7_8_8_9_9_10_10_11_11_12_12_13_13_14_14_"
                           "15_15_16_16_17_17",
                     "ERR CONFIG SET failed (possibly related to argument 'save') - Too many save "
                     "points (at most 16)");
    expect_set_error(&cfg, "dbfilename a/b",
                     "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - "
                     "dbfilename can't be a path, just a filename");
    expect_set_error(&cfg, "bind 1_2_3_4_5_6_7_8_9_10_11_12_13_14_15_16_17",
                     "ERR CONFIG SET failed (possibly related to argument 'bind') - Too many bind "
                     "addresses specified.");
    config_free(&cfg);
}
END_TEST

/* Which name an error carries and which error wins, as Redis 7.0.15 does. */
START_TEST(test_set_error_names_and_order)
{
    struct config cfg;
    config_init(&cfg);
    expect_set_error(&cfg, "port 7777 port 7777",
                     "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate "
                     "parameter");
    expect_set_error(&cfg, "port 7777 PORT 7777",
                     "ERR CONFIG SET failed (possibly related to argument 'PORT') - duplicate "
                     "parameter");
    expect_set_error(&cfg, "DATABASES 5",
                     "ERR CONFIG SET failed (possibly related to argument 'DATABASES') - can't set "
                     "immutable config");
    /* Value errors name the parameter as registered, alias included. */
    expect_set_error(&cfg, "PORT abc",
                     "ERR CONFIG SET failed (possibly related to argument 'port') - argument "
                     "couldn't be parsed into an integer");
    expect_set_error(&cfg, "HASH-max-ziplist-entries abc",
                     "ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') "
                     "- argument couldn't be parsed into an integer");
    expect_set_error(&cfg, "port 1 databases 5 foo 1",
                     "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                     "immutable config");
    expect_set_error(&cfg, "foo 1 databases 5",
                     "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect_set_error(&cfg, "databases 5 port 1 port 2",
                     "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
                     "immutable config");
    expect_set_error(&cfg, "port 1 port 2 databases 5",
                     "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate "
                     "parameter");
    expect_set_error(&cfg, "hz abc maxmemory 1xb",
                     "ERR CONFIG SET failed (possibly related to argument 'hz') - argument "
                     "couldn't be parsed into an integer");
    expect_set_error(&cfg, "maxmemory 1xb hz abc",
                     "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument "
                     "must be a memory value");
    ck_assert_int_eq(cfg.port, 6379);
    config_free(&cfg);
}
END_TEST

/* Names are length-bounded, not NUL-terminated. */
START_TEST(test_set_lengths)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    const char *names[] = {"portXYZ"};
    const size_t name_lens[] = {4};
    const char *values[] = {"70089"};
    const size_t value_lens[] = {4};
    ck_assert_int_eq(config_set(&cfg, 1, names, name_lens, values, value_lens, true, NULL, NULL, err,
                                sizeof(err)),
                     0);
    ck_assert_int_eq(cfg.port, 7008);
    const char *nul_values[] = {"12\0" "3"};
    const size_t nul_lens[] = {4};
    ck_assert_int_eq(config_set(&cfg, 1, names, name_lens, nul_values, nul_lens, true, NULL, NULL, err,
                                sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'port') - argument "
                          "must not contain NUL bytes");
    ck_assert_int_eq(cfg.port, 7008);
    const size_t long_lens[] = {7};
    ck_assert_int_eq(config_set(&cfg, 1, names, long_lens, values, value_lens, true, NULL, NULL, err,
                                sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "ERR Unknown option or number of arguments for CONFIG SET - 'portXYZ'");
    config_free(&cfg);
}
END_TEST

/* A huge call is refused in linear time (Redis allows 512K pairs). */
START_TEST(test_set_many_pairs)
{
    enum { PAIRS = 500000 };
    struct config cfg;
    char err[ERR_BYTES] = "";
    const char **names = alloc_bytes(sizeof(*names) * PAIRS);
    size_t *lens = alloc_bytes(sizeof(*lens) * PAIRS);
    for (int i = 0; i < PAIRS; i++) {
        names[i] = "timeout";
        lens[i] = 7;
    }
    config_init(&cfg);
    ck_assert_int_eq(config_set(&cfg, PAIRS, names, lens, names, lens, true, NULL, NULL, err,
                                sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'timeout') - "
                          "duplicate parameter");
    alloc_free(names);
    alloc_free(lens);
    config_free(&cfg);
}
END_TEST

START_TEST(test_set_no_pairs_aborts)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    config_set(&cfg, 0, NULL, NULL, NULL, NULL, true, NULL, NULL, err, sizeof(err));
}
END_TEST

/* ---- CONFIG GET ---- */

START_TEST(test_get_exact_names)
{
    struct config cfg;
    struct got g = {0};
    config_init(&cfg);
    /* A plain name is looked up without case and echoed as typed. */
    config_get(&cfg, "PORT", 4, got_emit, &g);
    ck_assert_int_eq(g.count, 1);
    ck_assert_str_eq(g.names[0], "PORT");
    ck_assert_str_eq(g.values[0], "6379");
    got_free(&g);
    config_get(&cfg, "HASH-MAX-ZIPLIST-ENTRIES", 24, got_emit, &g);
    ck_assert_int_eq(g.count, 1);
    ck_assert_str_eq(g.names[0], "HASH-MAX-ZIPLIST-ENTRIES");
    ck_assert_str_eq(g.values[0], "512");
    got_free(&g);
    config_get(&cfg, "nosuch", 6, got_emit, &g);
    ck_assert_int_eq(g.count, 0);
    config_get(&cfg, "", 0, got_emit, &g);
    ck_assert_int_eq(g.count, 0);
    config_get(&cfg, "portable", 4, got_emit, &g); /* length-bounded */
    ck_assert_int_eq(g.count, 1);
    got_free(&g);
    config_free(&cfg);
}
END_TEST

START_TEST(test_get_globs)
{
    struct config cfg;
    struct got g = {0};
    config_init(&cfg);
    /* Names and aliases both match, as CONFIG GET hash-max-* shows. */
    config_get(&cfg, "hash-max-*", 10, got_emit, &g);
    ck_assert_int_eq(g.count, 4);
    ck_assert_str_eq(got_find(&g, "hash-max-listpack-entries"), "512");
    ck_assert_str_eq(got_find(&g, "hash-max-ziplist-entries"), "512");
    ck_assert_str_eq(got_find(&g, "hash-max-listpack-value"), "64");
    ck_assert_str_eq(got_find(&g, "hash-max-ziplist-value"), "64");
    got_free(&g);
    config_get(&cfg, "*ziplist*", 9, got_emit, &g);
    ck_assert_int_eq(g.count, 5);
    got_free(&g);
    config_get(&cfg, "list-max*", 9, got_emit, &g);
    ck_assert_int_eq(g.count, 2);
    got_free(&g);
    config_get(&cfg, "POR*", 4, got_emit, &g); /* globs ignore case and print our name */
    ck_assert_int_eq(g.count, 1);
    ck_assert_str_eq(g.names[0], "port");
    got_free(&g);
    config_get(&cfg, "[A-z]ort", 8, got_emit, &g);
    ck_assert_int_eq(g.count, 1);
    got_free(&g);
    config_get(&cfg, "[\\P]ort", 7, got_emit, &g);
    ck_assert_int_eq(g.count, 0);
    config_get(&cfg, "appendf*", 8, got_emit, &g);
    ck_assert_int_eq(g.count, 2);
    ck_assert_str_eq(got_find(&g, "appendfsync"), "everysec");
    ck_assert_str_eq(got_find(&g, "appendfilename"), "appendonly.aof");
    got_free(&g);
    config_get(&cfg, "?ave", 4, got_emit, &g);
    ck_assert_int_eq(g.count, 1);
    ck_assert_str_eq(g.values[0], "3600 1 300 100 60 10000");
    got_free(&g);
    config_get(&cfg, "zzz*", 4, got_emit, &g);
    ck_assert_int_eq(g.count, 0);
    config_free(&cfg);
}
END_TEST

START_TEST(test_get_after_set)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(set_pairs(&cfg, "maxmemory 3k enable-debug-command yes", NULL, err), -1);
    ck_assert_int_eq(set_pairs(&cfg, "maxmemory 3k appendfsync ALWAYS", NULL, err), 0);
    ck_assert_value(&cfg, "maxmemory", "3000");
    ck_assert_value(&cfg, "appendfsync", "always");
    ck_assert_value(&cfg, "maxmemory-policy", "noeviction");
    config_free(&cfg);
}
END_TEST

/* config_init, config_set and config_free leave nothing behind (ASan). */
START_TEST(test_free_after_changes)
{
    struct config cfg;
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(set_pairs(&cfg, "requirepass a dir /tmp dbfilename x.rdb bind 1_2_3", NULL, err),
                     0);
    ck_assert_int_eq(set_pairs(&cfg, "requirepass b bind 4", NULL, err), 0);
    ck_assert_str_eq(cfg.requirepass, "b");
    config_free(&cfg);
    ck_assert_int_eq(cfg.bind_count, 0);
    ck_assert_ptr_null(cfg.dir);
}
END_TEST

/* ---- Every Redis 7.0 parameter: types, aliases and special values ---- */

/* Refusals redis-server 7.0.15 gives to CONFIG SET of the same values. */
START_TEST(test_passive_types)
{
    struct config cfg;
    config_init(&cfg);
    expect_reason(&cfg, "slowlog-log-slower-than -2",
                  "argument must be between -1 and 9223372036854775807 inclusive");
    expect_reason(&cfg, "io-threads 200", "argument must be between 1 and 128 inclusive");
    expect_reason(&cfg, "active-defrag-cycle-min 100", "argument must be between 1 and 99 inclusive");
    expect_reason(&cfg, "repl-backlog-size 0",
                  "argument must be between 1 and 9223372036854775807 inclusive");
    expect_reason(&cfg, "busy-reply-threshold -1",
                  "argument must be between 0 and 9223372036854775807 inclusive");
    expect_reason(&cfg, "socket-mark-id -1", "argument must be between 0 and 4294967295 inclusive");
    expect_reason(&cfg, "repl-timeout x", "argument couldn't be parsed into an integer");
    expect_reason(&cfg, "replica-read-only maybe", "argument must be 'yes' or 'no'");
    expect_reason(&cfg, "repl-diskless-load x",
                  "argument(s) must be one of the following: disabled, on-empty-db, swapdb");
    expect_reason(&cfg, "oom-score-adj x",
                  "argument(s) must be one of the following: no, yes, relative, absolute");
    expect_reason(&cfg, "propagation-error-behavior x",
                  "argument(s) must be one of the following: ignore, panic, panic-on-replicas");
    expect_reason(&cfg, "activedefrag yes",
                  "Active defragmentation cannot be enabled: it requires a Redis server compiled "
                  "with a modified Jemalloc like the one shipped by default with the Redis source "
                  "distribution");
    expect_ok(&cfg, "activedefrag no");
    expect_reason(&cfg, "cluster-announce-hostname a_b",
                  "Hostnames may only contain alphanumeric characters, hyphens or dots");
    expect_ok(&cfg, "cluster-announce-hostname node-1.example");
    expect_reason(&cfg, "proc-title-template {foo}",
                  "template format is invalid or contains unknown variables");
    expect_reason(&cfg, "proc-title-template {title}",
                  "template format is invalid or contains unknown variables");
    expect_reason(&cfg, "proc-title-template {port", "template format is invalid or contains unknown variables");
    expect_ok(&cfg, "proc-title-template {title}-{port}");
    ck_assert_value(&cfg, "proc-title-template", "{title}-{port}");
    /* "relative" is "yes" under another name; CONFIG GET shows the first. */
    expect_ok(&cfg, "oom-score-adj relative");
    ck_assert_value(&cfg, "oom-score-adj", "yes");
    expect_ok(&cfg, "repl-backlog-size 2mb");
    ck_assert_value(&cfg, "repl-backlog-size", "2097152");
    config_free(&cfg);
}
END_TEST

START_TEST(test_octal_and_percent)
{
    struct config cfg;
    config_init(&cfg);
    expect_reason(&cfg, "unixsocketperm 999", "argument couldn't be parsed as an octal number");
    expect_reason(&cfg, "unixsocketperm 7777", "argument must be between 0 and 777 inclusive");
    expect_ok(&cfg, "unixsocketperm 0700");
    ck_assert_value(&cfg, "unixsocketperm", "700");
    expect_ok(&cfg, "maxmemory-clients 10%");
    ck_assert_value(&cfg, "maxmemory-clients", "10%");
    ck_assert_int_eq(cfg.maxmemory_clients, -10);
    expect_reason(&cfg, "maxmemory-clients 101%", "percentage argument must be less or equal to 100");
    expect_reason(&cfg, "maxmemory-clients -5", "argument must be a memory or percent value");
    expect_reason(&cfg, "maxmemory-clients abc", "argument must be a memory or percent value");
    expect_ok(&cfg, "maxmemory-clients 1mb");
    ck_assert_value(&cfg, "maxmemory-clients", "1048576");
    expect_ok(&cfg, "maxmemory-samples 100"); /* Redis 7.0 allows up to INT_MAX */
    config_free(&cfg);
}
END_TEST

/* A name and its alias set and show the same value; both are listed. */
START_TEST(test_passive_aliases)
{
    static const char *const pairs[][2] = {
        {"slave-read-only", "replica-read-only"},
        {"slave-serve-stale-data", "replica-serve-stale-data"},
        {"slave-lazy-flush", "replica-lazy-flush"},
        {"slave-ignore-maxmemory", "replica-ignore-maxmemory"},
        {"slave-announce-ip", "replica-announce-ip"},
        {"slave-announce-port", "replica-announce-port"},
        {"slave-priority", "replica-priority"},
        {"min-slaves-to-write", "min-replicas-to-write"},
        {"min-slaves-max-lag", "min-replicas-max-lag"},
        {"repl-ping-slave-period", "repl-ping-replica-period"},
        {"cluster-slave-no-failover", "cluster-replica-no-failover"},
        {"cluster-slave-validity-factor", "cluster-replica-validity-factor"},
        {"lua-time-limit", "busy-reply-threshold"},
        {"slaveof", "replicaof"},
    };
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char *before = get_value(&cfg, pairs[i][1]);
        char *via_alias = get_value(&cfg, pairs[i][0]);
        ck_assert_str_eq(before, via_alias);
        alloc_free(before);
        alloc_free(via_alias);
    }
    expect_ok(&cfg, "slave-read-only no");
    ck_assert_value(&cfg, "replica-read-only", "no");
    expect_ok(&cfg, "slave-priority 7");
    ck_assert_value(&cfg, "replica-priority", "7");
    ck_assert_int_eq(set_pairs(&cfg, "lua-time-limit 100", NULL, err), 0);
    ck_assert_value(&cfg, "busy-reply-threshold", "100");
    /* Value errors name the alias that was used, as Redis does. */
    ck_assert_int_eq(set_pairs(&cfg, "slave-priority x", NULL, err), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - "
                          "argument couldn't be parsed into an integer");
    config_free(&cfg);
}
END_TEST

START_TEST(test_client_output_buffer_limit)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    const struct config_output_limit *l = cfg.client_output_buffer_limit;
    ck_assert_value(&cfg, "client-output-buffer-limit",
                    "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    ck_assert_int_eq(l[CONFIG_CLIENT_NORMAL].hard_bytes, 0);
    ck_assert_int_eq(l[CONFIG_CLIENT_REPLICA].hard_bytes, 256LL << 20);
    ck_assert_int_eq(l[CONFIG_CLIENT_REPLICA].soft_bytes, 64LL << 20);
    ck_assert_int_eq(l[CONFIG_CLIENT_REPLICA].soft_seconds, 60);
    ck_assert_int_eq(l[CONFIG_CLIENT_PUBSUB].hard_bytes, 32LL << 20);
    ck_assert_int_eq(l[CONFIG_CLIENT_PUBSUB].soft_bytes, 8LL << 20);
    /* One file line per class, as Debian's redis.conf has them. */
    expect_ok(&cfg, "client-output-buffer-limit normal 1mb 512kb 10");
    expect_ok(&cfg, "client-output-buffer-limit REPLICA 1 2 3 pubsub 4gb 5k 6");
    ck_assert_value(&cfg, "client-output-buffer-limit",
                    "normal 1048576 524288 10 slave 1 2 3 pubsub 4294967296 5000 6");
    ck_assert_int_eq(l[CONFIG_CLIENT_NORMAL].hard_bytes, 1048576);
    ck_assert_int_eq(l[CONFIG_CLIENT_NORMAL].soft_bytes, 524288);
    ck_assert_int_eq(l[CONFIG_CLIENT_NORMAL].soft_seconds, 10);
    ck_assert_int_eq(set_pairs(&cfg, "client-output-buffer-limit slave_7_8_9_replica_4_5_6", NULL, err),
                     0);
    ck_assert_int_eq(l[CONFIG_CLIENT_REPLICA].hard_bytes, 4); /* the last group wins */
    ck_assert_int_eq(set_pairs(&cfg, "client-output-buffer-limit ''", NULL, err), 0);
    ck_assert_value(&cfg, "client-output-buffer-limit",
                    "normal 1048576 524288 10 slave 4 5 6 pubsub 4294967296 5000 6");
    static const char *const refused[][2] = {
        {"foo_1_2_3", "Invalid client class specified in buffer limit configuration."},
        {"master_1_2_3", "Invalid client class specified in buffer limit configuration."},
        {"normal_1_2", "Wrong number of arguments in buffer limit configuration."},
        {"normal_1x_2_3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
        {"normal_1mb_2_-3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
        {"normal_1_2_3s", "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
        /* all or nothing: the good group before the bad one is not kept */
        {"normal_9_9_9_pubsub_1_x_1", "Error in hard, soft or soft_seconds setting in buffer limit "
                                      "configuration."},
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char words[128], expected[256];
        snprintf(words, sizeof(words), "client-output-buffer-limit %s", refused[i][0]);
        snprintf(expected, sizeof(expected),
                 "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - %s",
                 refused[i][1]);
        expect_set_error(&cfg, words, expected);
    }
    ck_assert_int_eq(l[CONFIG_CLIENT_NORMAL].hard_bytes, 1048576);
    expect_reason(&cfg, "client-output-buffer-limit \"\"",
                  "Wrong number of arguments in buffer limit configuration.");
    config_free(&cfg);
}
END_TEST

START_TEST(test_special_values)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    ck_assert_value(&cfg, "notify-keyspace-events", "");
    static const char *const events[][2] = {
        {"KEA", "AKE"}, {"g$lshzxet", "g$lshzxet"}, {"g$lshzxetd", "A"}, {"An", "A"},
        {"KEmn", "nKEm"}, {"mEK", "KEm"}, {"nKd", "dnK"}, {"x", "x"},
    };
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        char *argv[] = {"notify-keyspace-events", (char *)events[i][0]};
        ck_assert_int_eq(config_apply_directive(&cfg, 2, argv, true, err, sizeof(err)), 0);
        ck_assert_value(&cfg, "notify-keyspace-events", events[i][1]);
    }
    expect_reason(&cfg, "notify-keyspace-events xyz1",
                  "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    /* The bits the notifications act on are Redis's NOTIFY_* values; "A"
     * leaves out 'n' (new) and 'm' (keymiss), which print after it
     * ("An" prints as "A" yet keeps the bit, as in Redis 7.0). */
    static const struct {
        const char *text;
        int bits;
    } event_bits[] = {
        {"", 0}, {"K", 1 << 0}, {"E", 1 << 1}, {"g", 1 << 2}, {"$", 1 << 3}, {"l", 1 << 4},
        {"s", 1 << 5}, {"h", 1 << 6}, {"z", 1 << 7}, {"x", 1 << 8}, {"e", 1 << 9},
        {"t", 1 << 10}, {"m", 1 << 11}, {"d", 1 << 13}, {"n", 1 << 14}, {"A", 0x27fc},
        {"KEA", 0x27ff}, {"An", 0x27fc | (1 << 14)}, {"KEAnm", 0x7fff & ~(1 << 12)},
        {"gg", 1 << 2},
    };
    for (size_t i = 0; i < sizeof(event_bits) / sizeof(event_bits[0]); i++) {
        char *argv[] = {"notify-keyspace-events", (char *)event_bits[i].text};
        ck_assert_int_eq(config_apply_directive(&cfg, 2, argv, true, err, sizeof(err)), 0);
        ck_assert_int_eq(cfg.notify_keyspace_events, event_bits[i].bits);
    }
    expect_ok(&cfg, "notify-keyspace-events Kx");
    expect_reason(&cfg, "notify-keyspace-events KEl?",
                  "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    ck_assert_int_eq(cfg.notify_keyspace_events, (1 << 0) | (1 << 8)); /* a refusal changes nothing */

    ck_assert_value(&cfg, "oom-score-adj-values", "0 200 800");
    expect_ok(&cfg, "oom-score-adj-values -1 2000 -2000");
    ck_assert_value(&cfg, "oom-score-adj-values", "-1 2000 -2000");
    expect_reason(&cfg, "oom-score-adj-values 1 2", "wrong number of arguments");
    expect_reason(&cfg, "oom-score-adj-values 1 2 3000",
                  "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");

    ck_assert_value(&cfg, "latency-tracking-info-percentiles", "50 99 99.9");
    expect_ok(&cfg, "latency-tracking-info-percentiles 1.5 99.99 100 0");
    ck_assert_value(&cfg, "latency-tracking-info-percentiles", "1.5 99.99 100 0");
    expect_reason(&cfg, "latency-tracking-info-percentiles 50 101",
                  "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    expect_reason(&cfg, "latency-tracking-info-percentiles abc",
                  "Invalid latency-tracking-info-percentiles parameters");
    ck_assert_int_eq(set_pairs(&cfg, "latency-tracking-info-percentiles ''", NULL, err), 0);
    ck_assert_value(&cfg, "latency-tracking-info-percentiles", "");

    ck_assert_value(&cfg, "shutdown-on-sigint", "default");
    ck_assert_int_eq(set_pairs(&cfg, "shutdown-on-sigint now_save", NULL, err), 0);
    ck_assert_value(&cfg, "shutdown-on-sigint", "save now");
    expect_ok(&cfg, "shutdown-on-sigterm NOSAVE force now");
    ck_assert_value(&cfg, "shutdown-on-sigterm", "nosave now force");
    expect_ok(&cfg, "shutdown-on-sigterm default");
    ck_assert_value(&cfg, "shutdown-on-sigterm", "default");
    expect_reason(&cfg, "shutdown-on-sigint save nosave",
                  "shutdown options SAVE and NOSAVE can't be used simultaneously");
    expect_reason(&cfg, "shutdown-on-sigint foo",
                  "argument(s) must be one of the following: default, save, nosave, now, force");

    ck_assert_value(&cfg, "replicaof", "");
    expect_ok(&cfg, "replicaof 10.0.0.1 6380");
    ck_assert_value(&cfg, "replicaof", "10.0.0.1 6380");
    ck_assert_value(&cfg, "slaveof", "10.0.0.1 6380");
    expect_ok(&cfg, "slaveof NO ONE");
    ck_assert_value(&cfg, "replicaof", "");
    expect_reason(&cfg, "replicaof foo", "wrong number of arguments");
    expect_reason(&cfg, "replicaof h 70000", "Invalid master port");
    expect_set_error(&cfg, "replicaof h_1",
                     "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set "
                     "immutable config");
    config_free(&cfg);
}
END_TEST

/* Hidden parameters answer an exact CONFIG GET only. */
START_TEST(test_hidden_parameters)
{
    struct config cfg;
    struct got g = {0};
    char err[ERR_BYTES];
    config_init(&cfg);
    config_get(&cfg, "*", 1, got_emit, &g);
    ck_assert_ptr_null(got_find(&g, "use-exit-on-panic"));
    ck_assert_ptr_null(got_find(&g, "key-load-delay"));
    got_free(&g);
    ck_assert_value(&cfg, "loading-process-events-interval-bytes", "2097152");
    ck_assert_int_eq(set_pairs(&cfg, "key-load-delay -5 use-exit-on-panic yes", NULL, err), 0);
    ck_assert_value(&cfg, "key-load-delay", "-5");
    ck_assert_value(&cfg, "use-exit-on-panic", "yes");
    config_free(&cfg);
}
END_TEST

/* ringkv's own parameters for fork children (net/persist/persist.c) and
 * the parallel RDB encoder: defaults, ranges, names, CONFIG SET at
 * runtime. */
START_TEST(test_child_parameters)
{
    struct config cfg;
    struct changes changes = {0};
    char err[ERR_BYTES] = "";
    config_init(&cfg);
    ck_assert_int_eq(cfg.child_nice, 10);
    ck_assert_int_eq(cfg.child_sched_policy, CHILD_SCHED_BATCH);
    ck_assert_int_eq(cfg.child_ioprio, 7);
    ck_assert_int_eq(cfg.rdb_save_threads, 0);
    ck_assert_int_eq(cfg.rdb_key_save_delay, 0);
    ck_assert_int_eq(set_pairs(&cfg, "child-nice 19 child-sched-policy IDLE child-ioprio idle "
                                     "rdb-save-threads 16 rdb-key-save-delay -100",
                               &changes, err),
                     0);
    ck_assert_int_eq(changes.count, 5);
    ck_assert_int_eq(cfg.child_nice, 19);
    ck_assert_int_eq(cfg.child_sched_policy, CHILD_SCHED_IDLE);
    ck_assert_int_eq(cfg.child_ioprio, CHILD_IOPRIO_IDLE);
    ck_assert_int_eq(cfg.rdb_save_threads, 16);
    ck_assert_int_eq(cfg.rdb_key_save_delay, -100);
    ck_assert_value(&cfg, "child-sched-policy", "idle");
    ck_assert_value(&cfg, "child-ioprio", "idle");
    ck_assert_value(&cfg, "rdb-key-save-delay", "-100");
    ck_assert_int_eq(set_pairs(&cfg, "child-nice 0 child-sched-policy normal child-ioprio inherit "
                                     "rdb-save-threads 1",
                               NULL, err),
                     0);
    ck_assert_int_eq(cfg.child_nice, 0);
    ck_assert_int_eq(cfg.child_sched_policy, CHILD_SCHED_NORMAL);
    ck_assert_int_eq(cfg.child_ioprio, CHILD_IOPRIO_INHERIT);
    ck_assert_value(&cfg, "child-ioprio", "inherit");
    ck_assert_int_eq(set_pairs(&cfg, "child-ioprio best-effort-0", NULL, err), 0);
    ck_assert_int_eq(cfg.child_ioprio, 0);
    ck_assert_value(&cfg, "child-ioprio", "best-effort-0");
    expect_set_error(&cfg, "child-nice 20",
                     "ERR CONFIG SET failed (possibly related to argument 'child-nice') - "
                     "argument must be between 0 and 19 inclusive");
    expect_set_error(&cfg, "child-nice -1",
                     "ERR CONFIG SET failed (possibly related to argument 'child-nice') - "
                     "argument must be between 0 and 19 inclusive");
    expect_set_error(&cfg, "rdb-save-threads 17",
                     "ERR CONFIG SET failed (possibly related to argument 'rdb-save-threads') - "
                     "argument must be between 0 and 16 inclusive");
    expect_set_error(&cfg, "child-sched-policy fifo",
                     "ERR CONFIG SET failed (possibly related to argument 'child-sched-policy') - "
                     "argument(s) must be one of the following: normal, batch, idle");
    expect_set_error(&cfg, "child-ioprio best-effort-8",
                     "ERR CONFIG SET failed (possibly related to argument 'child-ioprio') - "
                     "argument(s) must be one of the following: inherit, best-effort-0, "
                     "best-effort-1, best-effort-2, best-effort-3, best-effort-4, best-effort-5, "
                     "best-effort-6, best-effort-7, idle");
    ck_assert_int_eq(cfg.rdb_save_threads, 1);
    config_free(&cfg);
}
END_TEST

/* Redis 7.0's PROTECTED_CONFIG: dir and dbfilename need
 * enable-protected-configs (decided by the caller for the client);
 * immutability is checked first. */
START_TEST(test_protected_configs)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    ck_assert_int_eq(cfg.enable_protected_configs, CONFIG_PROTECTED_NO);
    ck_assert_int_eq(cfg.enable_module_command, CONFIG_PROTECTED_NO);
    ck_assert_int_eq(set_pairs_as(&cfg, "hz 5 dir /tmp", false, NULL, err), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
                          "protected config");
    ck_assert_int_eq(cfg.hz, 10);
    ck_assert_int_eq(set_pairs_as(&cfg, "dbfilename a.rdb", false, NULL, err), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - "
                          "can't set protected config");
    ck_assert_int_eq(set_pairs_as(&cfg, "databases 4 dir /tmp", false, NULL, err), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'databases') - "
                          "can't set immutable config");
    ck_assert_int_eq(set_pairs_as(&cfg, "dir /tmp nosuch 1", false, NULL, err), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
                          "protected config");
    ck_assert_int_eq(set_pairs_as(&cfg, "nosuch 1 dir /tmp", false, NULL, err), -1);
    ck_assert_str_eq(err, "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    ck_assert_int_eq(set_pairs_as(&cfg, "dir /tmp dbfilename a.rdb", true, NULL, err), 0);
    ck_assert_str_eq(cfg.dir, "/tmp");
    expect_set_error(&cfg, "enable-protected-configs yes",
                     "ERR CONFIG SET failed (possibly related to argument "
                     "'enable-protected-configs') - can't set immutable config");
    expect_ok(&cfg, "enable-protected-configs local");
    ck_assert_int_eq(cfg.enable_protected_configs, CONFIG_PROTECTED_LOCAL);
    expect_reason(&cfg, "enable-module-command maybe",
                  "argument(s) must be one of the following: no, yes, local");
    /* Setting them in the file stays allowed: the directive path is not
     * CONFIG SET. */
    expect_ok(&cfg, "dir /var/tmp");
    config_free(&cfg);

    ck_assert(!config_protected_allowed(CONFIG_PROTECTED_NO, "127.0.0.1:5000"));
    ck_assert(config_protected_allowed(CONFIG_PROTECTED_YES, "10.1.2.3:5000"));
    ck_assert(config_protected_allowed(CONFIG_PROTECTED_LOCAL, "127.0.0.1:5000"));
    ck_assert(config_protected_allowed(CONFIG_PROTECTED_LOCAL, "::1:5000"));
    ck_assert(config_protected_allowed(CONFIG_PROTECTED_LOCAL, NULL));
    ck_assert(!config_protected_allowed(CONFIG_PROTECTED_LOCAL, "127.0.0.2:5000"));
    ck_assert(!config_protected_allowed(CONFIG_PROTECTED_LOCAL, "::ffff:127.0.0.1:5000"));
    ck_assert(!config_protected_allowed(CONFIG_PROTECTED_LOCAL, "10.1.2.3:5000"));
}
END_TEST

START_TEST(test_no_effect_names)
{
    struct config cfg;
    char err[ERR_BYTES];
    config_init(&cfg);
    ck_assert_ptr_null(config_no_effect_names(&cfg));
    /* Parameters ringkv acts on, or set to their default, are not named. */
    expect_ok(&cfg, "port 7000");
    expect_ok(&cfg, "slowlog-max-len 128");
    expect_ok(&cfg, "client-output-buffer-limit normal 1mb 1mb 0");
    expect_ok(&cfg, "maxmemory 100mb");
    expect_ok(&cfg, "maxmemory-policy allkeys-lfu");
    ck_assert_ptr_null(config_no_effect_names(&cfg));
    expect_ok(&cfg, "notify-keyspace-events KEA"); /* acted on: not named */
    expect_ok(&cfg, "replica-read-only no"); /* acted on by net/repl/ */
    expect_ok(&cfg, "slave-lazy-flush yes");
    expect_ok(&cfg, "maxmemory-clients 5%");
    char *names = config_no_effect_names(&cfg);
    ck_assert_str_eq(names, "maxmemory-clients, replica-lazy-flush");
    alloc_free(names);
    ck_assert_int_eq(set_pairs(&cfg, "maxmemory 0 maxmemory-clients 0 notify-keyspace-events '' "
                                     "replica-lazy-flush no", NULL, err), 0);
    ck_assert_ptr_null(config_no_effect_names(&cfg));
    config_free(&cfg);
}
END_TEST

START_TEST(test_load_file_include)
{
    struct config cfg;
    char err[ERR_BYTES] = "", text[512], *path, *outer;
    char *inner = write_temp("port 7001\nmaxmemory 1mb\n");
    config_init(&cfg);
    snprintf(text, sizeof(text), "port 7000\ninclude %s\nmaxmemory 2mb\n"
             "include /nonexistent-ringkv-dir/*.conf\n", inner);
    ck_assert_msg(load_text(&cfg, text, err, &outer) == 0, "%s", err);
    ck_assert_int_eq(cfg.port, 7001);
    ck_assert_int_eq(cfg.maxmemory, 2 << 20);
    unlink(outer);
    alloc_free(outer);
    config_free(&cfg);
    /* A missing plain path fails, naming the including line. */
    config_init(&cfg);
    ck_assert_int_eq(load_text(&cfg, "include /nonexistent-ringkv.conf\n", err, &path), -1);
    ck_assert_msg(strstr(err, ">>> 'include /nonexistent-ringkv.conf'") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "can't open config file") != NULL, "%s", err);
    unlink(path);
    alloc_free(path);
    config_free(&cfg);
    /* A file that includes itself stops at the depth limit. */
    config_init(&cfg);
    path = write_temp("");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "include %s\n", path);
    fclose(f);
    ck_assert_int_eq(config_load_file(&cfg, path, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "include nested more than 16 deep") != NULL, "%s", err);
    unlink(path);
    alloc_free(path);
    unlink(inner);
    alloc_free(inner);
    config_free(&cfg);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *types = tcase_create("types");
    tcase_add_test(types, test_default_fields);
    tcase_add_test(types, test_default_values_as_printed);
    tcase_add_test(types, test_bool_values);
    tcase_add_test(types, test_integer_values);
    tcase_add_test(types, test_hz_clamped);
    tcase_add_test(types, test_memory_units);
    tcase_add_test(types, test_memory_values);
    tcase_add_test(types, test_enum_values);
    tcase_add_test(types, test_string_values);
    tcase_add_test(types, test_bind_values);
    tcase_add_test(types, test_save_values);
    tcase_add_test(types, test_save_bare_first_line);
    tcase_add_test(types, test_save_at_runtime);
    tcase_add_test(types, test_directive_errors);
    suite_add_tcase(s, types);

    TCase *load = tcase_create("load");
    tcase_add_test(load, test_load_file);
    tcase_add_test(load, test_load_file_save_lines);
    tcase_add_test(load, test_load_file_errors);
    tcase_add_test(load, test_load_file_long_line);
    tcase_add_test(load, test_load_file_missing);
    tcase_add_test(load, test_load_args);
    tcase_add_test(load, test_load_args_redis_corners);
    tcase_add_test(load, test_load_args_errors);
    suite_add_tcase(s, load);

    TCase *commands = tcase_create("commands");
    tcase_add_test(commands, test_set_ok);
    tcase_add_test(commands, test_set_changed_only_when_different);
    tcase_add_test(commands, test_set_atomic);
    tcase_add_test(commands, test_set_errors);
    tcase_add_test(commands, test_set_error_names_and_order);
    tcase_add_test(commands, test_set_lengths);
    tcase_add_test(commands, test_set_many_pairs);
    tcase_add_test_raise_signal(commands, test_set_no_pairs_aborts, SIGABRT);
    tcase_add_test(commands, test_get_exact_names);
    tcase_add_test(commands, test_get_globs);
    tcase_add_test(commands, test_get_after_set);
    tcase_add_test(commands, test_free_after_changes);
    tcase_add_test(commands, test_child_parameters);
    suite_add_tcase(s, commands);

    TCase *redis = tcase_create("redis70");
    tcase_add_test(redis, test_passive_types);
    tcase_add_test(redis, test_octal_and_percent);
    tcase_add_test(redis, test_passive_aliases);
    tcase_add_test(redis, test_client_output_buffer_limit);
    tcase_add_test(redis, test_special_values);
    tcase_add_test(redis, test_hidden_parameters);
    tcase_add_test(redis, test_protected_configs);
    tcase_add_test(redis, test_no_effect_names);
    tcase_add_test(redis, test_load_file_include);
    suite_add_tcase(s, redis);
    return s;
}

TEST_SUITE_MAIN(config_suite)
