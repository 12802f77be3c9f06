/* cmd_debug.c: DEBUG and its subcommands, as Redis 7.0 has them (OBJECT,
 * DIGEST, DIGEST-VALUE, PROTOCOL, SLEEP, SET-ACTIVE-EXPIRE, ERROR,
 * QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID, RELOAD, LOADAOF, POPULATE,
 * LOG, HELP), plus ringkv's own RINGKV-AOF-FAULT, which arms faults of the
 * AOF writer's ring for tests. Owns who may run DEBUG (enable-debug-command),
 * the keyspace digest in Redis's order of mixing, and each subcommand's
 * argument checks and replies; leaves saving and loading to rdb_save.c and
 * aof.c, the fault itself to uring/ring_inject.h, and SHA-1 to
 * engine/sha1.c. Invariant: every subcommand sends exactly one reply;
 * RELOAD reports its flush through server_key_modified, while POPULATE,
 * as in Redis, neither logs to the AOF nor moves the dirty counter. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/number.h"
#include "engine/set.h"
#include "engine/stream.h"
#include "engine/sha1.h"
#include "engine/zset.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/function.h"
#include "net/commands/notify.h"
#include "net/commands/reply.h"
#include "net/commands/tracking.h"
#include "net/core/config.h"
#include "net/core/log.h"
#include "net/persist/aof.h"
#include "net/persist/rdb_load.h"
#include "net/persist/rdb_save.h"
#include "net/server/cmd_server_internal.h"
#include "net/wire/buf.h"
#include "uring/ring_inject.h"

/* Redis's OBJ_SHARED_REFCOUNT, reported for the shared small integers. */
#define SERVER_SHARED_REFCOUNT INT_MAX
/* Redis truncates names echoed in DEBUG's syntax error to this many bytes. */
#define SERVER_ECHO_BYTES_MAX 128
/* Room for one number argument copied out of argv to be NUL-terminated. */
#define SERVER_NUMBER_ARG_BYTES 64
/* DEBUG QUICKLIST-PACKED-THRESHOLD's ceiling: 4 GB less 1 MB, Redis's. */
#define DEBUG_PACKED_THRESHOLD_MAX ((1ULL << 32) - (1ULL << 20))

/* Copies argv[i] into out (NUL-terminated, truncated to out_len - 1), for
 * the few places Redis runs atoi/strtod on an argument. */
static void server_arg_copy(const struct client *c, int i, char *out, size_t out_len)
{
    size_t n = c->argv[i].len < out_len - 1 ? c->argv[i].len : out_len - 1;
    memcpy(out, c->argv[i].ptr, n);
    out[n] = '\0';
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

/* Entries in order, as Redis 7.0's xorObjectDigest: "ms.seq", then each
 * field and value mixed into the running digest. */
static void debug_digest_stream(const struct kv *kv, uint8_t digest[SHA1_DIGEST_BYTES])
{
    struct stream_iter it;
    struct stream_id id;
    int64_t nfields;
    stream_iter_start(&it, kv_object(kv), NULL, NULL, false);
    while (stream_iter_next(&it, &id, &nfields)) {
        char text[48];
        int len = snprintf(text, sizeof(text), "%llu.%llu", (unsigned long long)id.ms,
                           (unsigned long long)id.seq);
        debug_digest_mix(digest, text, (size_t)len);
        for (int64_t i = 0; i < nfields; i++) {
            struct stream_text f, v;
            stream_iter_field(&it, &f, &v);
            debug_digest_mix(digest, f.ptr, f.len);
            debug_digest_mix(digest, v.ptr, v.len);
        }
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
    case KV_STREAM:
        debug_digest_stream(kv, digest);
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
    struct keyspace *ks = &server_of(c)->keyspace;
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
    struct server *s = server_of(c);
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
    server_of(c)->keyspace.active_expire_enabled = atoi(text) != 0;
    reply_ok(c);
}

/* DEBUG SET-DISABLE-DENY-SCRIPTS <0|1>: lets scripts run the commands
 * flagged noscript (Redis's test knob, for DEBUG PROTOCOL from Lua). */
static void debug_set_disable_deny_scripts(struct client *c)
{
    char text[SERVER_NUMBER_ARG_BYTES];
    server_arg_copy(c, 2, text, sizeof(text));
    server_of(c)->commands.script_disable_deny = atoi(text) != 0;
    reply_ok(c);
}

/* DEBUG SET-SKIP-CHECKSUM-VALIDATION <0|1>: RESTORE stops checking the
 * payload's CRC-64, so a test can hand the decoder damaged values (the
 * value is parsed with atoi, as Redis does). RDB files are not affected. */
static void debug_set_skip_checksum_validation(struct client *c)
{
    char text[SERVER_NUMBER_ARG_BYTES];
    server_arg_copy(c, 2, text, sizeof(text));
    c->commands->skip_checksum_validation = atoi(text) != 0;
    reply_ok(c);
}

/* DEBUG ERROR <message>: the message is sent as the whole error line,
 * code and all, and (as in Redis) not counted as an error reply. */
static void debug_error(struct client *c)
{
    size_t start = c->conn.out.len;
    reply_raw(c, "-", 1);
    reply_raw(c, c->argv[2].ptr, c->argv[2].len);
    for (size_t i = start; i < c->conn.out.len; i++)
        if (c->conn.out.data[i] == '\r' || c->conn.out.data[i] == '\n')
            c->conn.out.data[i] = ' ';
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

/* A new replication id, and no second one (net/repl/). */
static void debug_change_repl_id(struct client *c)
{
    log_write(&server_of(c)->log, LOGLEVEL_NOTICE,
               "Changing replication IDs after receiving DEBUG change-repl-id");
    repl_change_replid(&server_of(c)->repl);
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
    /* Clients caching keys hear of the keyspace being emptied, as from
     * Redis's emptyData: before the load, whose writes then find an empty
     * tracking table, as in Redis. (A failed sync would leave the keyspace
     * as it was; the clients then only drop their caches.) */
    if (server_of(c)->persist.aof.status == AOF_ON)
        tracking_flushed(&server_of(c)->commands);
    if (aof_debug_reload(&server_of(c)->persist, err, sizeof(err)) < 0) {
        log_write(&server_of(c)->log, LOGLEVEL_WARNING, "DEBUG LOADAOF: %s", err);
        reply_error(c, strncmp(err, "ERR ", 4) == 0 ? err : "Error loading the AOF, check server logs.");
        return;
    }
    log_write(&server_of(c)->log, LOGLEVEL_WARNING, "Append Only File loaded by DEBUG LOADAOF");
    reply_ok(c);
}

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty every database
 * and the function libraries, load the file back, as Redis does. */
static void debug_reload(struct client *c)
{
    struct server *s = server_of(c);
    bool save = true, flush = true, merge = false;
    for (int i = 2; i < c->argc; i++) {
        if (arg_equals(&c->argv[i], "nosave")) {
            save = false;
        } else if (arg_equals(&c->argv[i], "noflush")) {
            flush = false;
        } else if (arg_equals(&c->argv[i], "merge")) {
            merge = true;
        } else {
            reply_error(c, "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    if (save && rdb_save_blocking(&s->persist) < 0) {
        reply_error(c, "Error trying to save the RDB dump, check server logs.");
        return;
    }
    if (flush) {
        /* Watchers and blocked clients see the flush; the save counter
         * does not (the data did not change once reloaded). */
        long long dirty = s->persist.dirty;
        struct keyspace *ks = &s->keyspace;
        for (int i = 0; i < ks->db_count; i++) {
            notify_key_modified(&s->commands, &ks->dbs[i], NULL, 0);
            db_flush(&ks->dbs[i]);
        }
        tracking_flushed(&s->commands);
        /* Redis's emptyData drops the function libraries too: the file
         * brings them back. */
        function_flush_all(s->commands.functions);
        s->persist.dirty = dirty;
    }
    bool found;
    char err[512];
    /* MERGE: keys and function libraries the file also has are replaced
     * (with NOFLUSH, two data sets merge), as Redis's RDBFLAGS_ALLOW_DUP. */
    s->persist.load_merge = merge;
    int loaded = rdb_load_file(&s->persist, &found, err, sizeof(err));
    s->persist.load_merge = false;
    if (loaded < 0 || !found) {
        log_write(&s->log, LOGLEVEL_WARNING, "%s", found ? err : "DEBUG RELOAD: no RDB file");
        reply_error(c, "Error trying to load the RDB dump");
        return;
    }
    log_write(&s->log, LOGLEVEL_WARNING, "DB reloaded by DEBUG RELOAD");
    reply_ok(c);
}

static void debug_log(struct client *c)
{
    log_write(&server_of(c)->log, LOGLEVEL_WARNING, "DEBUG LOG: %.*s", (int)c->argv[2].len,
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
    struct ring_inject *inject = &server_of(c)->persist.aof.inject;
    if (c->argc == 3) {
        if (!arg_equals(&c->argv[2], "off")) {
            reply_error_syntax(c);
            return;
        }
        ring_inject_clear(inject);
        log_write(&server_of(c)->log, LOGLEVEL_WARNING, "DEBUG RINGKV-AOF-FAULT: every fault cleared");
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
    log_write(&server_of(c)->log, LOGLEVEL_WARNING,
               "DEBUG RINGKV-AOF-FAULT: %s %.*s, skip %lld, count %lld",
               kind == RING_OP_WRITE ? "write" : "fsync", (int)c->argv[3].len, c->argv[3].ptr,
               skip, count);
    reply_ok(c);
}

/* DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE with every option
 * written, defaults included (Redis's test of a full round trip). */
static void debug_config_rewrite_force_all(struct client *c)
{
    struct server *s = server_of(c);
    int ret = s->config_file ? config_rewrite(&s->config, s->config_file, NULL, 0, true) : -ENOENT;
    if (ret < 0)
        reply_errorf(c, "CONFIG-REWRITE-FORCE-ALL failed: %s", strerror(-ret));
    else
        reply_ok(c);
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "CHANGE-REPL-ID",
        "    Change the replication IDs of the instance.",
        "    Dangerous: should be used only for testing the replication subsystem.",
        "CONFIG-REWRITE-FORCE-ALL",
        "    Like CONFIG REWRITE but writes all configuration options, including",
        "    keywords not listed in original configuration file or default values.",
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
        "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
        "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
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
    {"set-disable-deny-scripts", 3, 3, debug_set_disable_deny_scripts},
    {"set-skip-checksum-validation", 3, 3, debug_set_skip_checksum_validation},
    {"error", 3, 3, debug_error},
    {"protocol", 3, 3, debug_protocol},
    {"quicklist-packed-threshold", 3, 3, debug_quicklist_packed_threshold},
    {"change-repl-id", 2, 2, debug_change_repl_id},
    {"config-rewrite-force-all", 2, 2, debug_config_rewrite_force_all},
    {"reload", 2, INT_MAX, debug_reload},
    {"loadaof", 2, 2, debug_loadaof},
    {"populate", 3, 5, debug_populate},
    {"log", 3, 3, debug_log},
    {"ringkv-aof-fault", 3, 6, debug_ringkv_aof_fault},
};

void debug_command(struct client *c)
{
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
