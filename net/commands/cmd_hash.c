/* cmd_hash.c: the hash commands (HSET, HSETNX, HMSET, HGET, HMGET, HDEL,
 * HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS, HGETALL, HINCRBY, HINCRBYFLOAT,
 * HRANDFIELD, HSCAN).
 *
 * Owns the semantics Redis 7.0's t_hash.c gives these commands: argument
 * checks and their error texts in Redis's order, which lookups count as
 * keyspace hits, RESP2/RESP3 reply shapes, and deleting a hash that HDEL
 * empties. The data structure and its encodings belong to engine/hash.c.
 *
 * AOF: HINCRBYFLOAT is logged as HSET key field <new value>, as Redis 7.0
 * does, so a replay stores the very text that was replied instead of
 * redoing long double arithmetic; the other commands are logged as sent.
 *
 * Invariant: every handler sends exactly one reply, and every change to
 * the keyspace is reported once per key through notify_key_modified
 * and published as Redis 7.0's keyspace events (keyspace_event), in its
 * order. */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/glob.h"
#include "engine/hash.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/random64.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"
#include "net/wire/buf.h"

/* HSCAN's COUNT default, and the bucket visits allowed per requested
 * element, as Redis 7.0's scanGenericCommand. */
#define HASH_SCAN_VISITS_PER_COUNT 10

/* ---- Helpers ---- */

/* Looks key up for writing and creates an empty hash if it is missing,
 * as Redis's hashTypeLookupWriteOrCreate. Replies WRONGTYPE and returns NULL
 * when the key holds another type. *created tells the caller the kv is new
 * and must be added (db_add) once it holds a field. */
static struct kv *hash_lookup_write(struct client *c, bool *created)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_HASH, &kv))
        return NULL;
    *created = kv == NULL;
    if (!kv)
        return hash_kv_new(c->argv[1].ptr, c->argv[1].len);
    return kv;
}

/* Links a hash created by hash_lookup_write into the database (it now
 * holds at least one field) and reports the change. */
static void hash_commit(struct client *c, struct kv *kv, bool created)
{
    assert(hash_count(kv) > 0);
    if (created)
        db_add(c->db, kv);
    notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
}

/* The keyspace event of a write to the hash ("hset", "hincrby"...): after
 * the reply, where Redis reports it. */
static void hash_event(struct client *c, const char *event)
{
    keyspace_event(c->commands, NOTIFY_HASH, event, c->db->id, c->argv[1].ptr, c->argv[1].len);
}

static const struct encoding_limits *hash_limits(struct client *c)
{
    return &c->commands->keyspace->limits;
}

/* ---- HSET, HMSET, HSETNX ---- */

static void hash_set_generic(struct client *c, bool reply_count)
{
    if (c->argc % 2 == 1) {
        reply_error_arity(c);
        return;
    }
    bool created;
    struct kv *kv = hash_lookup_write(c, &created);
    if (!kv)
        return;
    long long added = 0;
    for (int i = 2; i < c->argc; i += 2) {
        const struct resp_arg *f = &c->argv[i], *v = &c->argv[i + 1];
        added += hash_set(kv, f->ptr, f->len, v->ptr, v->len, hash_limits(c));
    }
    hash_commit(c, kv, created);
    if (reply_count)
        reply_integer(c, added);
    else
        reply_ok(c);
    hash_event(c, "hset");
}

static void hash_hset_command(struct client *c)
{
    hash_set_generic(c, true);
}

static void hash_hmset_command(struct client *c)
{
    hash_set_generic(c, false);
}

static void hash_hsetnx_command(struct client *c)
{
    bool created;
    struct kv *kv = hash_lookup_write(c, &created);
    if (!kv)
        return;
    const struct resp_arg *f = &c->argv[2], *v = &c->argv[3];
    if (!created && hash_exists(kv, f->ptr, f->len)) {
        reply_integer(c, 0);
        return;
    }
    hash_set(kv, f->ptr, f->len, v->ptr, v->len, hash_limits(c));
    hash_commit(c, kv, created);
    reply_integer(c, 1);
    hash_event(c, "hset");
}

/* ---- Reads of single fields ---- */

static void hash_hget_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    struct hash_text value;
    if (!kv || !hash_get(kv, c->argv[2].ptr, c->argv[2].len, &value)) {
        reply_null(c);
        return;
    }
    reply_bulk(c, value.ptr, value.len);
}

static void hash_hmget_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct hash_text value;
        if (kv && hash_get(kv, c->argv[i].ptr, c->argv[i].len, &value))
            reply_bulk(c, value.ptr, value.len);
        else
            reply_null(c);
    }
}

static void hash_hlen_command(struct client *c)
{
    struct kv *kv;
    if (typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        reply_integer(c, kv ? (long long)hash_count(kv) : 0);
}

static void hash_hstrlen_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    struct hash_text value;
    bool found = kv && hash_get(kv, c->argv[2].ptr, c->argv[2].len, &value);
    reply_integer(c, found ? (long long)value.len : 0);
}

static void hash_hexists_command(struct client *c)
{
    struct kv *kv;
    if (typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        reply_integer(c, kv && hash_exists(kv, c->argv[2].ptr, c->argv[2].len) ? 1 : 0);
}

/* ---- HDEL ---- */

static void hash_hdel_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_HASH, &kv))
        return;
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    long long deleted = 0;
    bool key_deleted = false;
    for (int i = 2; i < c->argc; i++) {
        if (!hash_delete(kv, c->argv[i].ptr, c->argv[i].len))
            continue;
        deleted++;
        key_deleted = typed_key_delete_if_empty(c, kv);
        if (key_deleted)
            break;
    }
    if (deleted > 0) {
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        keyspace_event(c->commands, NOTIFY_HASH, "hdel", c->db->id, key->ptr, key->len);
        if (key_deleted)
            keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, key->ptr, key->len);
    }
    reply_integer(c, deleted);
}

/* ---- Whole-hash reads ---- */

enum hash_part { HASH_PART_KEYS = 1, HASH_PART_VALUES = 2, HASH_PART_BOTH = 3 };

static void hash_get_all_generic(struct client *c, enum hash_part part)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    long long count = kv ? (long long)hash_count(kv) : 0;
    if (part == HASH_PART_BOTH)
        reply_map_len(c, count);
    else
        reply_array_len(c, count);
    if (!kv)
        return;
    struct hash_iter it;
    struct hash_text field, value;
    long long sent = 0;
    hash_iter_init(&it, kv);
    while (hash_iter_next(&it, &field, &value)) {
        if (part & HASH_PART_KEYS)
            reply_bulk(c, field.ptr, field.len);
        if (part & HASH_PART_VALUES)
            reply_bulk(c, value.ptr, value.len);
        sent++;
    }
    hash_iter_done(&it);
    assert(sent == count);
}

static void hash_hkeys_command(struct client *c)
{
    hash_get_all_generic(c, HASH_PART_KEYS);
}

static void hash_hvals_command(struct client *c)
{
    hash_get_all_generic(c, HASH_PART_VALUES);
}

static void hash_hgetall_command(struct client *c)
{
    hash_get_all_generic(c, HASH_PART_BOTH);
}

/* ---- HINCRBY, HINCRBYFLOAT ---- */

static void hash_hincrby_command(struct client *c)
{
    long long incr;
    if (!arg_get_ll(c, 3, &incr, NULL))
        return;
    bool created;
    struct kv *kv = hash_lookup_write(c, &created);
    if (!kv)
        return;
    const struct resp_arg *f = &c->argv[2];
    long long value = 0;
    struct hash_text old;
    if (!created && hash_get(kv, f->ptr, f->len, &old)) {
        if (old.is_integer) {
            value = old.integer;
        } else if (!number_parse_ll(old.ptr, old.len, &value)) {
            reply_error(c, "hash value is not an integer");
            return;
        }
    }
    if ((incr < 0 && value < LLONG_MIN - incr) || (incr > 0 && value > LLONG_MAX - incr)) {
        if (created)
            kv_free(kv);
        reply_error(c, "increment or decrement would overflow");
        return;
    }
    value += incr;
    char text[LISTPACK_INTEGER_TEXT_BYTES];
    size_t len = number_format_ll(text, value);
    hash_set(kv, f->ptr, f->len, text, len, hash_limits(c));
    hash_commit(c, kv, created);
    reply_integer(c, value);
    hash_event(c, "hincrby");
}

static void hash_hincrbyfloat_command(struct client *c)
{
    long double incr;
    if (!number_parse_long_double(c->argv[3].ptr, c->argv[3].len, &incr)) {
        reply_error_not_float(c);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c, "value is NaN or Infinity");
        return;
    }
    bool created;
    struct kv *kv = hash_lookup_write(c, &created);
    if (!kv)
        return;
    const struct resp_arg *f = &c->argv[2];
    long double value = 0;
    struct hash_text old;
    if (!created && hash_get(kv, f->ptr, f->len, &old)) {
        if (old.is_integer) {
            value = (long double)old.integer;
        } else if (!number_parse_long_double(old.ptr, old.len, &value)) {
            reply_error(c, "hash value is not a float");
            return;
        }
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        if (created)
            kv_free(kv);
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char text[NUMBER_TEXT_BYTES_MAX];
    size_t len = number_format_long_double(text, value);
    assert(len > 0);
    hash_set(kv, f->ptr, f->len, text, len, hash_limits(c));
    hash_commit(c, kv, created);
    struct aof_arg argv[] = {aof_arg_str("HSET"), aof_arg_of(&c->argv[1]), aof_arg_of(f),
                             {text, len}};
    propagate_as(c, 4, argv);
    reply_bulk(c, text, len);
    hash_event(c, "hincrbyfloat");
}

/* ---- HRANDFIELD ---- */

struct random_reply {
    struct client *c;
    bool with_values;
    long long sent;
};

static void hash_random_reply_pair(const struct hash_text *field, const struct hash_text *value,
                                   void *ctx)
{
    struct random_reply *r = ctx;
    /* RESP3 sends each pair as its own two-element array (not a map: the
     * fields may repeat). */
    if (r->with_values && r->c->resp > 2)
        reply_array_len(r->c, 2);
    reply_bulk(r->c, field->ptr, field->len);
    if (r->with_values)
        reply_bulk(r->c, value->ptr, value->len);
    r->sent++;
}

static void hash_hrandfield_count(struct client *c, long long count_arg, bool with_values)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    if (!kv || count_arg == 0) {
        reply_empty_array(c);
        return;
    }
    bool unique = count_arg > 0;
    uint64_t count = unique ? (uint64_t)count_arg : (uint64_t)-count_arg;
    uint64_t size = hash_count(kv);
    uint64_t replies = unique && count > size ? size : count;
    reply_array_len(c, (long long)(with_values && c->resp == 2 ? replies * 2 : replies));
    struct random_reply r = {c, with_values, 0};
    hash_random_pairs(kv, count, unique, random64_next, hash_random_reply_pair, &r);
    assert((uint64_t)r.sent == replies);
}

static void hash_hrandfield_command(struct client *c)
{
    if (c->argc >= 3) {
        long long count;
        if (!arg_get_ll(c, 2, &count, NULL))
            return;
        if (count == LLONG_MIN) {
            reply_errorf(c, "value is out of range, value must between %lld and %lld",
                         -LLONG_MAX, LLONG_MAX);
            return;
        }
        bool with_values = c->argc == 4;
        if (c->argc > 4 || (with_values && !arg_equals(&c->argv[3], "withvalues"))) {
            reply_error_syntax(c);
            return;
        }
        /* Pairs double the reply length, which must stay in range. */
        if (with_values && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            reply_error(c, "value is out of range");
            return;
        }
        hash_hrandfield_count(c, count, with_values);
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    if (!kv) {
        reply_null(c);
        return;
    }
    struct random_reply r = {c, false, 0};
    hash_random_pairs(kv, 1, true, random64_next, hash_random_reply_pair, &r);
    assert(r.sent == 1);
}

/* ---- HSCAN ---- */


struct hash_scan_state {
    const struct resp_arg *pattern; /* borrowed; NULL matches every field */
    long long elements;             /* fields and values met, as Redis counts them */
    long long kept;                 /* elements kept for the reply */
    struct buf records;             /* kept elements as [uint32 len][bytes] */
};

static void hash_scan_keep(struct hash_scan_state *st, const struct hash_text *t)
{
    uint32_t len = (uint32_t)t->len;
    buf_append(&st->records, &len, sizeof(len));
    buf_append(&st->records, t->ptr, t->len);
    st->kept++;
}

/* Keeps each pair met whose field matches. The cursor leads the reply but
 * is known only after the scan, so pairs are copied out first. */
static void hash_scan_pair(const struct hash_text *field, const struct hash_text *value, void *ctx)
{
    struct hash_scan_state *st = ctx;
    st->elements += 2;
    if (st->pattern &&
        !glob_match(st->pattern->ptr, st->pattern->len, field->ptr, field->len, false))
        return;
    hash_scan_keep(st, field);
    hash_scan_keep(st, value);
}

/* Parses HSCAN's options (from argv[3]); the last MATCH/COUNT wins. */
static void hash_scan_reply(struct client *c, uint64_t cursor, struct hash_scan_state *st)
{
    char text[24];
    int text_len = snprintf(text, sizeof(text), "%llu", (unsigned long long)cursor);
    reply_array_len(c, 2);
    reply_bulk(c, text, (size_t)text_len);
    reply_array_len(c, st->kept);
    size_t pos = 0;
    long long sent = 0;
    while (pos < st->records.len) {
        uint32_t len;
        memcpy(&len, st->records.data + pos, sizeof(len));
        reply_bulk(c, st->records.data + pos + sizeof(len), len);
        pos += sizeof(len) + len;
        sent++;
    }
    assert(sent == st->kept);
}

static void hash_hscan_command(struct client *c)
{
    uint64_t cursor = 0;
    if (!arg_get_cursor(&c->argv[2], &cursor)) {
        reply_error(c, "invalid cursor");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_HASH, &kv))
        return;
    if (!kv) {
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        reply_empty_array(c);
        return;
    }
    long long count;
    struct hash_scan_state st = {NULL, 0, 0, {0}};
    if (!arg_get_scan_options(c, 3, &count, &st.pattern))
        return;
    /* Redis computes COUNT*10 in a long; past that the bound is the end. */
    long long visits_left = count > LLONG_MAX / HASH_SCAN_VISITS_PER_COUNT
                                ? LLONG_MAX
                                : count * HASH_SCAN_VISITS_PER_COUNT;
    /* The first step is unconditional; the bound is spent after each. */
    do {
        cursor = hash_scan(kv, cursor, hash_scan_pair, &st);
    } while (cursor != 0 && visits_left-- > 0 && st.elements < count);
    hash_scan_reply(c, cursor, &st);
    buf_free(&st.records);
}

/* ---- Table ---- */

#define HASH_W_FAST (ACL_WRITE | ACL_HASH | ACL_FAST)
#define HASH_R_FAST (ACL_READ | ACL_HASH | ACL_FAST)
#define HASH_R_SLOW (ACL_READ | ACL_HASH | ACL_SLOW)

struct command hash_commands[] = {
    {.name = "hset", .proc = hash_hset_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = HASH_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Set the string value of a hash field", .since = "2.0.0", .group = "hash",
     .complexity = "O(1) for each field/value pair added, so O(N) to add N field/value pairs when "
                   "the command is called with multiple field/value pairs.",
     .history = (const struct command_history[]){
         {"4.0.0", "Accepts multiple `field` and `value` arguments."},
         {0}},
     .arguments = "key^k#0 field_value^b*(field^s value^s)"},
    {.name = "hsetnx", .proc = hash_hsetnx_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = HASH_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Set the value of a hash field, only if the field does not exist", .since = "2.0.0",
     .group = "hash", .complexity = "O(1)",
     .arguments = "key^k#0 field^s value^s"},
    {.name = "hget", .proc = hash_hget_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = HASH_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get the value of a hash field", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .arguments = "key^k#0 field^s"},
    {.name = "hmget", .proc = hash_hmget_command, .arity = -3, .flags = CMD_READONLY | CMD_FAST,
     .acl = HASH_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get the values of all the given hash fields", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields being requested.",
     .arguments = "key^k#0 field^s*"},
    {.name = "hmset", .proc = hash_hmset_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = HASH_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Set multiple hash fields to multiple values", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields being set.",
     .doc_flags = "deprecated", .deprecated_since = "4.0.0",
     .replaced_by = "`HSET` with multiple field-value pairs",
     .arguments = "key^k#0 field_value^b*(field^s value^s)"},
    {.name = "hdel", .proc = hash_hdel_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST,
     .acl = HASH_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Delete one or more hash fields", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields to be removed.",
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple `field` arguments."},
         {0}},
     .arguments = "key^k#0 field^s*"},
    {.name = "hlen", .proc = hash_hlen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = HASH_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the number of fields in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "hstrlen", .proc = hash_hstrlen_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = HASH_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the length of the value of a hash field", .since = "3.2.0", .group = "hash",
     .complexity = "O(1)",
     .arguments = "key^k#0 field^s"},
    {.name = "hexists", .proc = hash_hexists_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = HASH_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Determine if a hash field exists", .since = "2.0.0", .group = "hash",
     .complexity = "O(1)",
     .arguments = "key^k#0 field^s"},
    {.name = "hkeys", .proc = hash_hkeys_command, .arity = 2, .flags = CMD_READONLY,
     .acl = HASH_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Get all the fields in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .arguments = "key^k#0"},
    {.name = "hvals", .proc = hash_hvals_command, .arity = 2, .flags = CMD_READONLY,
     .acl = HASH_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Get all the values in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .arguments = "key^k#0"},
    {.name = "hgetall", .proc = hash_hgetall_command, .arity = 2, .flags = CMD_READONLY,
     .acl = HASH_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Get all the fields and values in a hash", .since = "2.0.0", .group = "hash",
     .complexity = "O(N) where N is the size of the hash.",
     .arguments = "key^k#0"},
    {.name = "hincrby", .proc = hash_hincrby_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = HASH_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the integer value of a hash field by the given number", .since = "2.0.0",
     .group = "hash", .complexity = "O(1)",
     .arguments = "key^k#0 field^s increment^i"},
    {.name = "hincrbyfloat", .proc = hash_hincrbyfloat_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = HASH_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the float value of a hash field by the given amount", .since = "2.6.0",
     .group = "hash", .complexity = "O(1)",
     .arguments = "key^k#0 field^s increment^d"},
    {.name = "hrandfield", .proc = hash_hrandfield_command, .arity = -2, .flags = CMD_READONLY,
     .acl = HASH_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Get one or multiple random fields from a hash", .since = "6.2.0", .group = "hash",
     .complexity = "O(N) where N is the number of fields returned",
     .arguments = "key^k#0 options^b?(count^i withvalues^t='WITHVALUES'?)"},
    {.name = "hscan", .proc = hash_hscan_command, .arity = -3, .flags = CMD_READONLY,
     .acl = HASH_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Incrementally iterate hash fields and associated values", .since = "2.8.0",
     .group = "hash",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .arguments = "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {0},
};
