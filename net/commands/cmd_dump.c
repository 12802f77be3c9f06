/* cmd_dump.c: DUMP and RESTORE, Redis 7.0's way of moving one key's value
 * between servers as an opaque payload.
 *
 * Owns the two commands' table entries, option parsing, reply and error
 * texts, and what RESTORE logs. The payload format (the RDB value, the RDB
 * version and a CRC-64) is engine/rdb_encode.c's and rdb_decode.c's
 * (rdb_dump_value, rdb_restore_value), which go through the same type
 * switch as a snapshot, so every type the RDB code knows dumps and
 * restores.
 *
 * AOF: a RESTORE with a relative TTL is logged with the absolute deadline
 * it computed and ABSTTL appended, so a replay sets the same deadline; one
 * whose deadline has already passed is logged as the DEL it performed (if
 * REPLACE deleted a key) or not at all, as Redis 7.0 does. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "engine/rdb.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/core/log.h"

/* Longest decimal long long, NUL included: the absolute TTL logged. */
#define DUMP_LL_TEXT_BYTES 21
/* FREQ's range: an LFU counter is a byte. */
#define DUMP_FREQ_MAX 255

static void dump_command(struct client *c)
{
    struct kv *kv = db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_READ);
    if (!kv) {
        reply_null(c);
        return;
    }
    struct rdb_buffer payload = {0};
    rdb_dump_value(kv, c->commands->config->rdbcompression, &payload);
    reply_bulk(c, payload.data, payload.len);
    rdb_buffer_free(&payload);
}

struct restore_options {
    bool replace, absttl;
    long long idle_s; /* IDLETIME, -1: not given */
    long long freq;   /* FREQ, -1: not given */
};

/* Parses the options after the payload in Redis's order and with its
 * errors: IDLETIME and FREQ exclude each other (the second is a syntax
 * error), and each value is checked where it is met. */
static bool restore_parse_options(struct client *c, struct restore_options *o)
{
    *o = (struct restore_options){.idle_s = -1, .freq = -1};
    for (int i = 4; i < c->argc; i++) {
        bool has_value = c->argc - i - 1 >= 1;
        if (arg_equals(&c->argv[i], "replace")) {
            o->replace = true;
        } else if (arg_equals(&c->argv[i], "absttl")) {
            o->absttl = true;
        } else if (has_value && o->freq == -1 && arg_equals(&c->argv[i], "idletime")) {
            if (!arg_get_ll(c, i + 1, &o->idle_s, NULL))
                return false;
            if (o->idle_s < 0) {
                reply_error(c, "Invalid IDLETIME value, must be >= 0");
                return false;
            }
            i++;
        } else if (has_value && o->idle_s == -1 && arg_equals(&c->argv[i], "freq")) {
            if (!arg_get_ll(c, i + 1, &o->freq, NULL))
                return false;
            if (o->freq < 0 || o->freq > DUMP_FREQ_MAX) {
                reply_error(c, "Invalid FREQ value, must be >= 0 and <= 255");
                return false;
            }
            i++;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

/* The access data the options give the new key, as Redis's
 * objectSetLRUOrLFU: FREQ counts under an LFU policy only, IDLETIME under
 * any other. */
static void restore_set_access(struct client *c, struct kv *kv, const struct restore_options *o)
{
    const struct keyspace *ks = c->commands->keyspace;
    if (ks->lfu_policy) {
        if (o->freq >= 0)
            kv->lfu = (uint8_t)o->freq;
    } else if (o->idle_s >= 0) {
        uint32_t now = ks->lru_clock_s;
        kv->lru = o->idle_s >= (long long)now ? 0 : now - (uint32_t)o->idle_s;
    }
}

/* Logs RESTORE with the absolute deadline and ABSTTL appended. */
static void restore_propagate_absolute(struct client *c, int64_t when_ms)
{
    char ms[DUMP_LL_TEXT_BYTES];
    size_t ms_len = number_format_ll(ms, when_ms);
    struct aof_arg *argv = alloc_bytes((size_t)(c->argc + 1) * sizeof(*argv));
    for (int i = 0; i < c->argc; i++)
        argv[i] = aof_arg_of(&c->argv[i]);
    argv[2] = (struct aof_arg){ms, ms_len};
    argv[c->argc] = aof_arg_str("ABSTTL");
    propagate_as(c, c->argc + 1, argv);
    alloc_free(argv);
}

static void restore_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct restore_options o;
    if (!restore_parse_options(c, &o))
        return;
    if (!o.replace && db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE)) {
        reply_error(c, "-BUSYKEY Target key name already exists.");
        return;
    }
    long long ttl;
    if (!arg_get_ll(c, 2, &ttl, NULL))
        return;
    if (ttl < 0) {
        reply_error(c, "Invalid TTL value, must be >= 0");
        return;
    }
    struct keyspace *ks = c->commands->keyspace;
    struct kv *kv;
    struct rdb_restore_error err;
    switch (rdb_restore_value(c->argv[3].ptr, c->argv[3].len, key->ptr, key->len, &ks->limits,
                              c->commands->skip_checksum_validation, &kv, &err)) {
    case RDB_RESTORE_BAD_FOOTER:
        reply_error(c, "DUMP payload version or checksum are wrong");
        return;
    case RDB_RESTORE_BAD_DATA:
        /* Logged as Redis logs a payload its checks refuse (its tests look
         * for "integrity check failed"). */
        log_write(c->commands->log, LOGLEVEL_WARNING,
                  "RESTORE payload integrity check failed at offset %llu: %s",
                  (unsigned long long)err.offset, err.text);
        reply_error(c, "Bad data format");
        return;
    case RDB_RESTORE_OK:
        break;
    }
    bool deleted = o.replace && db_delete(c->db, key->ptr, key->len);
    int64_t when_ms = ttl;
    if (ttl != 0 && !o.absttl)
        when_ms = ttl > INT64_MAX - ks->now_ms ? INT64_MAX : ttl + ks->now_ms;
    if (ttl != 0 && when_ms <= ks->now_ms && !ks->expire_paused) {
        /* Already expired: the key is not created, and a replaced one is
         * gone, which is all that is logged. */
        kv_free(kv);
        if (deleted) {
            notify_key_modified(c->commands, c->db, key->ptr, key->len);
            keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, key->ptr, key->len);
            struct aof_arg argv[] = {aof_arg_str("DEL"), aof_arg_of(key)};
            propagate_as(c, 2, argv);
        }
        reply_ok(c);
        return;
    }
    db_add(c->db, kv);
    if (ttl != 0) {
        db_set_expire(c->db, kv, when_ms);
        if (!o.absttl)
            restore_propagate_absolute(c, when_ms);
    }
    restore_set_access(c, kv, &o);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "restore", c->db->id, key->ptr, key->len);
    reply_ok(c);
}

/* ---- The table ---- */

static const struct command_history restore_history[] = {
    {"3.0.0", "Added the `REPLACE` modifier."},
    {"5.0.0", "Added the `ABSTTL` modifier."},
    {"5.0.0", "Added the `IDLETIME` and `FREQ` options."},
    {0},
};


/* RESTORE and RESTORE-ASKING report the same complexity and arguments. */
#define RESTORE_COMPLEXITY                                                                        \
    "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "    \
    "where N is the number of Redis objects composing the value and M their average size. For " \
    "small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply "  \
    "O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting "     \
    "values into sorted sets is O(log(N))."
#define RESTORE_ARGUMENTS                                                                         \
    "key^k#0 ttl^i serialized-value^s replace^t='REPLACE'@3.0.0? absttl^t='ABSTTL'@5.0.0? "     \
    "seconds^i='IDLETIME'@5.0.0? frequency^i='FREQ'@5.0.0?"

struct command dump_commands[] = {
    {.name = "dump", .proc = dump_command, .arity = 2, .flags = CMD_READONLY,
     .acl = ACL_KEYSPACE | ACL_READ | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output", .key_specs = "RO access/i1/r0,1,0",
     .summary = "Return a serialized version of the value stored at the specified key.",
     .since = "2.6.0", .group = "generic",
     .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N is the "
                   "number of Redis objects composing the value and M their average size. For "
                   "small string values the time complexity is thus O(1)+O(1*M) where M is small, "
                   "so simply O(1).",
     .arguments = "key^k#0"},
    {.name = "restore", .proc = restore_command, .arity = -4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, .first_key = 1, .last_key = 1,
     .key_step = 1, .key_specs = "OW update/i1/r0,1,0",
     .summary = "Create a key using the provided serialized value, previously obtained using "
                "DUMP.",
     .since = "2.6.0", .group = "generic",
     .complexity = RESTORE_COMPLEXITY,
     .history = restore_history,
     .arguments = RESTORE_ARGUMENTS},
    /* What MIGRATE sends a cluster node that imports the slot; without
     * cluster mode, RESTORE itself. */
    {.name = "restore-asking", .proc = restore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_ASKING,
     .acl = ACL_KEYSPACE | ACL_WRITE | ACL_SLOW | ACL_DANGEROUS, .first_key = 1, .last_key = 1,
     .key_step = 1, .key_specs = "OW update/i1/r0,1,0",
     .summary = "An internal command for migrating keys in a cluster", .since = "3.0.0",
     .group = "server", .doc_flags = "syscmd",
     .complexity = RESTORE_COMPLEXITY,
     .history = restore_history,
     .arguments = RESTORE_ARGUMENTS},
    {0},
};
