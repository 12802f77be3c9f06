/* cmd_keyspace.c: the generic keyspace commands of Redis 7.0.
 *
 * Owns DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX,
 * COPY, MOVE, SWAPDB, TOUCH, OBJECT, the EXPIRE and TTL families, PERSIST,
 * DBSIZE, FLUSHDB and FLUSHALL: their table entries (arity, flags, key
 * positions and docs as Redis 7.0's COMMAND INFO / COMMAND DOCS report
 * them), their argument parsing and their exact reply and error texts.
 * Storage, expiry bookkeeping and lazy deletion are engine/db.c's; glob
 * matching is net/glob.c's; dirty counting and WATCH are behind
 * notify_key_modified.
 *
 * AOF: EXPIRE, PEXPIRE and EXPIREAT are logged as PEXPIREAT with the
 * absolute time they computed (their options kept), and an expiry already
 * past as the DEL it performed, as Redis 7.0 logs them; every other command
 * here is logged as sent.
 *
 * Invariant: every handler sends exactly one reply, and calls
 * notify_key_modified once for each key it changes (with a NULL key for
 * "this whole database" when a database is flushed or swapped), and
 * publishes Redis's keyspace events for them (keyspace_event; none for a
 * flush or a swap, as in Redis). Replies
 * that walk the keyspace (KEYS, SCAN) never delete while a dict walk is in
 * progress: KEYS skips expired keys without deleting them, as Redis 7.0
 * does, and SCAN deletes the expired keys it met only after its scan steps
 * are done. */
#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/dict.h"
#include "engine/evict.h"
#include "engine/glob.h"
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
#include "net/commands/tracking.h"
#include "net/core/config.h"
#include "net/wire/buf.h"

/* The bucket visits allowed per requested key: Redis 7.0 stops a SCAN call
 * after COUNT*10 visits even if it found fewer keys, so a sparse table
 * cannot make one call walk everything. */
#define SCAN_VISITS_PER_COUNT 10
/* Redis's OBJ_SHARED_REFCOUNT: what OBJECT REFCOUNT reports for values
 * Redis would have stored as one of its shared integer objects. */
#define OBJECT_SHARED_REFCOUNT INT_MAX
/* Longest decimal long long ("-9223372036854775808"), NUL included: the
 * absolute times logged to the AOF. */
#define KEYSPACE_LL_TEXT_BYTES 21

static const char KEYSPACE_ERR_SAME_OBJECT[] = "source and destination objects are the same";
static const char KEYSPACE_ERR_DB_RANGE[] = "DB index is out of range";

/* ---- Small helpers ---- */

static bool keyspace_arg_same(const struct resp_arg *a, const struct resp_arg *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* Parses argv[i] as an int the way Redis's getIntFromObjectOrReply does
 * (strict long long, then the int range), replying msg (or the standard
 * "value is not an integer or out of range") on failure. */
static bool keyspace_arg_get_int(struct client *c, int i, int *out, const char *msg)
{
    long long v;
    if (!number_parse_ll(c->argv[i].ptr, c->argv[i].len, &v) || v < INT_MIN || v > INT_MAX) {
        if (msg)
            reply_error(c, msg);
        else
            reply_error_not_integer(c);
        return false;
    }
    *out = (int)v;
    return true;
}

/* The database with this index, or NULL when it is out of range. Borrowed
 * from the keyspace. */
static struct db *keyspace_db_at(struct client *c, int id)
{
    struct keyspace *ks = c->commands->keyspace;
    if (id < 0 || id >= ks->db_count)
        return NULL;
    return &ks->dbs[id];
}

/* Whether kv has expired and would be deleted by a lookup. Redis's
 * keyIsExpired answers no while loading; expire_paused stands for that. */
static bool keyspace_kv_is_stale(const struct db *db, const struct kv *kv)
{
    return !db->keyspace->expire_paused && db_is_expired(db, kv);
}

/* Returns an owned kv holding kv's value under a new key (RENAME). Takes
 * ownership of kv, which must be unlinked. A collection's structure moves
 * to the new kv without a copy, so only the old block is freed here (with
 * alloc_free, not kv_free, which would free the collection too). */
static struct kv *keyspace_kv_rekey(struct kv *kv, const char *key, size_t key_len)
{
    assert(kv->link.next == NULL);
    assert(!(kv->flags & KV_FLAG_EXPIRES));
    struct kv *out;
    if (kv->type == KV_STRING)
        out = kv_new_string(key, key_len, kv_string_const(kv), kv->val_len, kv->encoding);
    else
        out = kv_new_object(key, key_len, (enum kv_type)kv->type, (enum kv_encoding)kv->encoding,
                            kv_object(kv));
    out->lru = kv->lru;
    out->lfu = kv->lfu;
    alloc_free(kv);
    return out;
}

/* ---- DEL, UNLINK, EXISTS, TYPE, TOUCH, DBSIZE ---- */

static void keyspace_delete_keys(struct client *c)
{
    long long deleted = 0;
    for (int i = 1; i < c->argc; i++) {
        if (db_delete(c->db, c->argv[i].ptr, c->argv[i].len)) {
            notify_key_modified(c->commands, c->db, c->argv[i].ptr, c->argv[i].len);
            keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, c->argv[i].ptr,
                           c->argv[i].len);
            deleted++;
        }
    }
    reply_integer(c, deleted);
}

static void keyspace_del_command(struct client *c)
{
    keyspace_delete_keys(c);
}

/* UNLINK frees synchronously for now: Redis hands large values to a
 * background thread, which changes latency but not the reply. */
static void keyspace_unlink_command(struct client *c)
{
    keyspace_delete_keys(c);
}

/* EXISTS counts a key each time it is named, and leaves the LRU alone. */
static void keyspace_exists_command(struct client *c)
{
    long long found = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH))
            found++;
    reply_integer(c, found);
}

static void keyspace_type_command(struct client *c)
{
    struct kv *kv =
        db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
    reply_status(c, kv ? kv_type_name((enum kv_type)kv->type) : "none");
}

static void keyspace_touch_command(struct client *c)
{
    long long touched = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, DB_LOOKUP_READ))
            touched++;
    reply_integer(c, touched);
}

/* Counts keys not yet deleted even if expired, as Redis does. */
static void keyspace_dbsize_command(struct client *c)
{
    reply_integer(c, (long long)db_size(c->db));
}

/* ---- KEYS ---- */

/* Redis 7.0's KEYS skips expired keys but does not delete them, so the
 * walk may use the safe iterator without ever modifying the dict. */
static void keyspace_keys_command(struct client *c)
{
    const struct resp_arg *pattern = &c->argv[1];
    bool match_all = pattern->len == 1 && pattern->ptr[0] == '*';
    size_t handle = reply_defer_len(c);
    long long count = 0;
    struct dict_iter it;
    dict_iter_init(&it, &c->db->keys);
    struct dict_node *node;
    while ((node = dict_iter_next(&it)) != NULL) {
        const struct kv *kv = (const struct kv *)node;
        if (!match_all && !glob_match(pattern->ptr, pattern->len, kv_key(kv), kv->key_len, false))
            continue;
        if (keyspace_kv_is_stale(c->db, kv))
            continue;
        reply_bulk(c, kv_key(kv), kv->key_len);
        count++;
    }
    dict_iter_done(&it);
    assert(count <= (long long)db_size(c->db));
    reply_set_defer_len(c, handle, count, '*');
}

/* ---- SCAN ---- */

struct scan_options {
    long long count;
    const struct resp_arg *pattern; /* borrowed from argv; NULL: every key */
    const struct resp_arg *type;    /* borrowed from argv; NULL: every type */
};

/* Keys met by the scan steps, copied out of the dict ([uint32 len][bytes]
 * records) so the filter step may delete expired keys safely. */
struct scan_batch {
    struct buf records;
    long long count;
};


/* Parses SCAN's options in Redis's order; the last MATCH/COUNT/TYPE wins. */
static bool scan_parse_options(struct client *c, struct scan_options *opt)
{
    opt->count = ARG_SCAN_COUNT_DEFAULT;
    opt->pattern = NULL;
    opt->type = NULL;
    for (int i = 2; i < c->argc; i += 2) {
        bool has_value = c->argc - i >= 2;
        if (has_value && arg_equals(&c->argv[i], "count")) {
            if (!arg_get_ll(c, i + 1, &opt->count, NULL))
                return false;
            if (opt->count < 1) {
                reply_error_syntax(c);
                return false;
            }
        } else if (has_value && arg_equals(&c->argv[i], "match")) {
            const struct resp_arg *p = &c->argv[i + 1];
            opt->pattern = p->len == 1 && p->ptr[0] == '*' ? NULL : p;
        } else if (has_value && arg_equals(&c->argv[i], "type")) {
            opt->type = &c->argv[i + 1];
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

static void scan_collect(struct dict_node *node, void *ctx)
{
    struct scan_batch *batch = ctx;
    const struct kv *kv = (const struct kv *)node;
    uint32_t len = kv->key_len;
    buf_append(&batch->records, &len, sizeof(len));
    buf_append(&batch->records, kv_key(kv), len);
    batch->count++;
}

/* Whether a collected key belongs in the reply. Lookups here may delete an
 * expired key, which is why this runs after the scan steps. */
static bool scan_keep(struct client *c, const struct scan_options *opt, const char *key,
                      size_t key_len)
{
    if (opt->pattern && !glob_match(opt->pattern->ptr, opt->pattern->len, key, key_len, false))
        return false;
    if (opt->type) {
        /* Redis compares with the type of a read lookup: "none" if gone. */
        struct kv *kv = db_lookup(c->db, key, key_len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
        const char *name = kv ? kv_type_name((enum kv_type)kv->type) : "none";
        size_t name_len = strlen(name);
        if (opt->type->len != name_len || strncasecmp(opt->type->ptr, name, name_len) != 0)
            return false;
    }
    /* Expired keys met by SCAN are deleted, as Redis's expireIfNeeded does. */
    return db_lookup(c->db, key, key_len, DB_LOOKUP_WRITE | DB_LOOKUP_NOTOUCH) != NULL;
}

static void scan_reply(struct client *c, const struct scan_options *opt, uint64_t cursor,
                       struct scan_batch *batch)
{
    char text[24];
    int text_len = snprintf(text, sizeof(text), "%llu", (unsigned long long)cursor);
    reply_array_len(c, 2);
    reply_bulk(c, text, (size_t)text_len);
    size_t handle = reply_defer_len(c);
    long long kept = 0;
    size_t pos = 0;
    while (pos < batch->records.len) {
        uint32_t len;
        memcpy(&len, batch->records.data + pos, sizeof(len));
        const char *key = batch->records.data + pos + sizeof(len);
        pos += sizeof(len) + len;
        if (!scan_keep(c, opt, key, len))
            continue;
        reply_bulk(c, key, len);
        kept++;
    }
    assert(pos == batch->records.len);
    assert(kept <= batch->count);
    reply_set_defer_len(c, handle, kept, '*');
}

static void keyspace_scan_command(struct client *c)
{
    uint64_t cursor = 0;
    if (!arg_get_cursor(&c->argv[1], &cursor)) {
        reply_error(c, "invalid cursor");
        return;
    }
    struct scan_options opt;
    if (!scan_parse_options(c, &opt))
        return;
    /* Redis computes COUNT*10 in a long; past that range the bound is
     * simply the end of the table. */
    long long visits_left = opt.count > LLONG_MAX / SCAN_VISITS_PER_COUNT
                                ? LLONG_MAX
                                : opt.count * SCAN_VISITS_PER_COUNT;
    struct scan_batch batch = {.records = {0}, .count = 0};
    /* Like Redis, the first step is taken unconditionally and the visit
     * bound is tested (and spent) after each step. */
    do {
        cursor = dict_scan(&c->db->keys, cursor, scan_collect, &batch);
    } while (cursor != 0 && visits_left-- > 0 && batch.count < opt.count);
    scan_reply(c, &opt, cursor, &batch);
    buf_free(&batch.records);
}

/* ---- RANDOMKEY ---- */

static void keyspace_randomkey_command(struct client *c)
{
    struct kv *kv = db_random(c->db, random64_next);
    if (!kv) {
        reply_null(c);
        return;
    }
    reply_bulk(c, kv_key(kv), kv->key_len);
}

/* ---- RENAME, RENAMENX ---- */

static void keyspace_rename_reply(struct client *c, bool nx, bool done)
{
    if (nx)
        reply_integer(c, done ? 1 : 0);
    else
        reply_ok(c);
}

static void keyspace_rename_generic(struct client *c, bool nx)
{
    const struct resp_arg *src = &c->argv[1];
    const struct resp_arg *dst = &c->argv[2];
    if (!db_lookup(c->db, src->ptr, src->len, DB_LOOKUP_WRITE)) {
        reply_error(c, "no such key");
        return;
    }
    /* Renaming a key to itself changes nothing; RENAMENX says 0 since the
     * destination exists. */
    if (keyspace_arg_same(src, dst)) {
        keyspace_rename_reply(c, nx, false);
        return;
    }
    if (db_lookup(c->db, dst->ptr, dst->len, DB_LOOKUP_WRITE)) {
        if (nx) {
            reply_integer(c, 0);
            return;
        }
        db_delete(c->db, dst->ptr, dst->len);
    }
    int64_t expire_ms = -1;
    struct kv *kv = db_unlink(c->db, src->ptr, src->len, &expire_ms);
    assert(kv != NULL);
    kv = keyspace_kv_rekey(kv, dst->ptr, dst->len);
    db_add(c->db, kv);
    if (expire_ms != -1)
        db_set_expire(c->db, kv, expire_ms);
    notify_key_modified(c->commands, c->db, src->ptr, src->len);
    notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "rename_from", c->db->id, src->ptr, src->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "rename_to", c->db->id, dst->ptr, dst->len);
    keyspace_rename_reply(c, nx, true);
}

static void keyspace_rename_command(struct client *c)
{
    keyspace_rename_generic(c, false);
}

static void keyspace_renamenx_command(struct client *c)
{
    keyspace_rename_generic(c, true);
}

/* ---- COPY, MOVE, SWAPDB ---- */

/* Parses COPY's [DB n] [REPLACE]; *dst defaults to the client's database. */
static bool copy_parse_options(struct client *c, struct db **dst, bool *replace)
{
    *dst = c->db;
    *replace = false;
    for (int i = 3; i < c->argc; i++) {
        if (arg_equals(&c->argv[i], "replace")) {
            *replace = true;
        } else if (arg_equals(&c->argv[i], "db") && c->argc - i - 1 >= 1) {
            int id;
            if (!keyspace_arg_get_int(c, i + 1, &id, NULL))
                return false;
            *dst = keyspace_db_at(c, id);
            if (!*dst) {
                reply_error(c, KEYSPACE_ERR_DB_RANGE);
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

/* COPY keeps the source's TTL on the copy. The target database shares the
 * keyspace's now_ms, so its expiry checks use the same command time. */
static void keyspace_copy_command(struct client *c)
{
    const struct resp_arg *src = &c->argv[1];
    const struct resp_arg *dst_key = &c->argv[2];
    struct db *dst;
    bool replace;
    if (!copy_parse_options(c, &dst, &replace))
        return;
    if (dst == c->db && keyspace_arg_same(src, dst_key)) {
        reply_error(c, KEYSPACE_ERR_SAME_OBJECT);
        return;
    }
    struct kv *kv = db_lookup(c->db, src->ptr, src->len, DB_LOOKUP_READ);
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    int64_t expire_ms = db_get_expire(c->db, kv);
    bool exists = db_lookup(dst, dst_key->ptr, dst_key->len, DB_LOOKUP_WRITE) != NULL;
    if (exists && !replace) {
        reply_integer(c, 0);
        return;
    }
    /* kv stays valid across the delete: it is another key, or another db. */
    struct kv *copy = kv_copy(kv, dst_key->ptr, dst_key->len);
    if (exists)
        db_delete(dst, dst_key->ptr, dst_key->len);
    db_add(dst, copy);
    if (expire_ms != -1)
        db_set_expire(dst, copy, expire_ms);
    notify_key_modified(c->commands, dst, dst_key->ptr, dst_key->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "copy_to", dst->id, dst_key->ptr, dst_key->len);
    reply_integer(c, 1);
}

static void keyspace_move_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    int id;
    if (!keyspace_arg_get_int(c, 2, &id, NULL))
        return;
    struct db *dst = keyspace_db_at(c, id);
    if (!dst) {
        reply_error(c, KEYSPACE_ERR_DB_RANGE);
        return;
    }
    if (dst == c->db) {
        reply_error(c, KEYSPACE_ERR_SAME_OBJECT);
        return;
    }
    if (!db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE) ||
        db_lookup(dst, key->ptr, key->len, DB_LOOKUP_WRITE)) {
        reply_integer(c, 0);
        return;
    }
    /* The same kv moves: its key bytes are already right. */
    int64_t expire_ms = -1;
    struct kv *kv = db_unlink(c->db, key->ptr, key->len, &expire_ms);
    assert(kv != NULL);
    db_add(dst, kv);
    if (expire_ms != -1)
        db_set_expire(dst, kv, expire_ms);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    notify_key_modified(c->commands, dst, key->ptr, key->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "move_from", c->db->id, key->ptr, key->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "move_to", dst->id, key->ptr, key->len);
    reply_integer(c, 1);
}

/* Clients stay on their index: keyspace_swap exchanges the contents of the
 * two db structs, whose addresses do not change. */
static void keyspace_swapdb_command(struct client *c)
{
    int a, b;
    if (!keyspace_arg_get_int(c, 1, &a, "invalid first DB index"))
        return;
    if (!keyspace_arg_get_int(c, 2, &b, "invalid second DB index"))
        return;
    struct db *db_a = keyspace_db_at(c, a);
    struct db *db_b = keyspace_db_at(c, b);
    if (!db_a || !db_b) {
        reply_error(c, KEYSPACE_ERR_DB_RANGE);
        return;
    }
    /* Reported before the swap, as Redis signals watchers before it. */
    notify_key_modified(c->commands, db_a, NULL, 0);
    if (db_b != db_a) {
        notify_key_modified(c->commands, db_b, NULL, 0);
        keyspace_swap(c->commands->keyspace, a, b);
    }
    reply_ok(c);
}

/* ---- OBJECT ---- */

/* OBJECT's lookups count a hit or miss but never touch the LRU/LFU data
 * they report, and a miss is no "keymiss" event. Replies null (and returns NULL) for a missing key. */
static struct kv *object_lookup_or_reply(struct client *c)
{
    struct kv *kv = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len,
                              DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH | DB_LOOKUP_NONOTIFY);
    if (!kv)
        reply_null(c);
    return kv;
}

static void object_encoding_command(struct client *c)
{
    struct kv *kv = object_lookup_or_reply(c);
    if (kv)
        reply_bulk_cstr(c, kv_encoding_name((enum kv_encoding)kv->encoding));
}

/* Redis shares one object per integer 0..9999 (refcount INT_MAX) unless
 * maxmemory is set with an LRU/LFU policy, which needs per-key access data. */
static void object_refcount_command(struct client *c)
{
    struct kv *kv = object_lookup_or_reply(c);
    if (!kv)
        return;
    const struct config *cfg = c->commands->config;
    int policy = cfg->maxmemory_policy;
    bool per_key = policy == MAXMEMORY_VOLATILE_LRU || policy == MAXMEMORY_ALLKEYS_LRU ||
                   policy == MAXMEMORY_VOLATILE_LFU || policy == MAXMEMORY_ALLKEYS_LFU;
    bool sharing = cfg->maxmemory == 0 || !per_key;
    long long v;
    if (sharing && kv->type == KV_STRING && kv->encoding == KV_ENC_INT &&
        number_parse_ll(kv_string_const(kv), kv->val_len, &v) && v >= 0 && v < KV_SHARED_INTEGERS) {
        reply_integer(c, OBJECT_SHARED_REFCOUNT);
        return;
    }
    reply_integer(c, 1);
}

static void object_idletime_command(struct client *c)
{
    struct kv *kv = object_lookup_or_reply(c);
    if (!kv)
        return;
    if (c->commands->keyspace->lfu_policy) {
        reply_error(c, "An LFU maxmemory policy is selected, idle time not tracked. Please note "
                       "that when switching between policies at runtime LRU and LFU data will "
                       "take some time to adjust.");
        return;
    }
    uint32_t clock = c->commands->keyspace->lru_clock_s;
    reply_integer(c, clock >= kv->lru ? (long long)(clock - kv->lru) : 0);
}

/* Reports the LFU counter with the decay due now (lfu-decay-time), without
 * storing it, as Redis's LFUDecrAndReturn. */
static void object_freq_command(struct client *c)
{
    struct kv *kv = object_lookup_or_reply(c);
    if (!kv)
        return;
    if (!c->commands->keyspace->lfu_policy) {
        reply_error(c, "An LFU maxmemory policy is not selected, access frequency not tracked. "
                       "Please note that when switching between policies at runtime LRU and LFU "
                       "data will take some time to adjust.");
        return;
    }
    const struct keyspace *ks = c->commands->keyspace;
    reply_integer(c, lfu_decayed(kv, ks->lru_clock_s, ks->lfu_decay_minutes));
}

static void object_help_command(struct client *c)
{
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    reply_help(c, "OBJECT", lines);
}

/* ---- EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT ---- */

enum expire_flag {
    EXPIRE_NX = 1 << 0,
    EXPIRE_XX = 1 << 1,
    EXPIRE_GT = 1 << 2,
    EXPIRE_LT = 1 << 3,
};

/* Parses the NX/XX/GT/LT options after the time, before the time itself
 * is parsed (so an unknown option wins over a bad number, as in Redis). */
static bool expire_parse_flags(struct client *c, int *flags)
{
    *flags = 0;
    for (int i = 3; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (arg_equals(a, "nx")) {
            *flags |= EXPIRE_NX;
        } else if (arg_equals(a, "xx")) {
            *flags |= EXPIRE_XX;
        } else if (arg_equals(a, "gt")) {
            *flags |= EXPIRE_GT;
        } else if (arg_equals(a, "lt")) {
            *flags |= EXPIRE_LT;
        } else {
            /* Redis formats the option with %s: it ends at a NUL byte. */
            struct buf msg = {0};
            buf_append(&msg, "Unsupported option ", 19);
            buf_append(&msg, a->ptr, a->len);
            buf_append(&msg, "", 1);
            reply_error(c, msg.data);
            buf_free(&msg);
            return false;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c, "NX and XX, GT or LT options at the same time are not compatible");
        return false;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c, "GT and LT options at the same time are not compatible");
        return false;
    }
    return true;
}

/* Whether the options allow replacing current_ms (-1: no TTL) by when_ms.
 * A key without a TTL counts as expiring never: GT always fails on it and
 * LT always succeeds. */
static bool expire_flags_allow(int flags, int64_t when_ms, int64_t current_ms)
{
    if ((flags & EXPIRE_NX) && current_ms != -1)
        return false;
    if ((flags & EXPIRE_XX) && current_ms == -1)
        return false;
    if ((flags & EXPIRE_GT) && (current_ms == -1 || when_ms <= current_ms))
        return false;
    if ((flags & EXPIRE_LT) && current_ms != -1 && when_ms >= current_ms)
        return false;
    return true;
}

/* Converts argv[2] to an absolute time in ms (unit seconds or ms, plus
 * base_ms), replying Redis's error on overflow. */
static bool expire_parse_time(struct client *c, int64_t base_ms, bool seconds, int64_t *when_ms)
{
    long long when;
    if (!arg_get_ll(c, 2, &when, NULL))
        return false;
    bool overflow = false;
    if (seconds) {
        overflow = when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000;
        if (!overflow)
            when *= 1000;
    }
    assert(base_ms >= 0);
    if (!overflow && when > LLONG_MAX - base_ms)
        overflow = true;
    if (overflow) {
        reply_errorf(c, "invalid expire time in '%s' command", c->cmd->fullname);
        return false;
    }
    *when_ms = when + base_ms;
    return true;
}

/* Logs an EXPIRE, PEXPIRE or EXPIREAT that set a TTL the way Redis 7.0
 * does: argv with the command renamed PEXPIREAT and the time replaced by
 * the absolute when_ms, so a later replay sets the same deadline. The
 * NX/XX/GT/LT options stay as sent. */
static void expire_propagate_absolute(struct client *c, int64_t when_ms)
{
    char ms[KEYSPACE_LL_TEXT_BYTES];
    size_t ms_len = number_format_ll(ms, when_ms);
    struct aof_arg *argv = alloc_bytes((size_t)c->argc * sizeof(*argv));
    for (int i = 0; i < c->argc; i++)
        argv[i] = aof_arg_of(&c->argv[i]);
    argv[0] = aof_arg_str("PEXPIREAT");
    argv[2] = (struct aof_arg){ms, ms_len};
    propagate_as(c, c->argc, argv);
    alloc_free(argv);
}

/* base_ms is now for EXPIRE and PEXPIRE, 0 for the AT forms; seconds says
 * the time is in seconds (EXPIRE, EXPIREAT). */
static void expire_generic(struct client *c, int64_t base_ms, bool seconds)
{
    const struct resp_arg *key = &c->argv[1];
    int flags;
    int64_t when_ms;
    if (!expire_parse_flags(c, &flags) || !expire_parse_time(c, base_ms, seconds, &when_ms))
        return;
    struct kv *kv = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE);
    if (!kv || !expire_flags_allow(flags, when_ms, db_get_expire(c->db, kv))) {
        reply_integer(c, 0);
        return;
    }
    struct keyspace *ks = c->commands->keyspace;
    if (when_ms <= ks->now_ms && !ks->expire_paused) {
        /* A time already past deletes the key now (and still answers 1). */
        bool deleted = db_delete(c->db, key->ptr, key->len);
        assert(deleted);
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, key->ptr, key->len);
        struct aof_arg argv[] = {aof_arg_str("DEL"), aof_arg_of(key)};
        propagate_as(c, 2, argv);
    } else {
        db_set_expire(c->db, kv, when_ms);
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        /* PEXPIREAT already carries an absolute time in ms: as sent. */
        if (seconds || base_ms != 0)
            expire_propagate_absolute(c, when_ms);
        /* Redis replies before it reports "expire" (a deletion: after). */
        reply_integer(c, 1);
        keyspace_event(c->commands, NOTIFY_GENERIC, "expire", c->db->id, key->ptr, key->len);
        return;
    }
    reply_integer(c, 1);
}

static void keyspace_expire_command(struct client *c)
{
    expire_generic(c, c->commands->keyspace->now_ms, true);
}

static void keyspace_pexpire_command(struct client *c)
{
    expire_generic(c, c->commands->keyspace->now_ms, false);
}

static void keyspace_expireat_command(struct client *c)
{
    expire_generic(c, 0, true);
}

static void keyspace_pexpireat_command(struct client *c)
{
    expire_generic(c, 0, false);
}

/* ---- TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST ---- */

/* -2 for a missing key, -1 for one without a TTL; seconds are rounded to
 * the nearest, as Redis does ((ms + 500) / 1000). */
static void ttl_generic(struct client *c, bool in_ms, bool absolute)
{
    struct kv *kv =
        db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_READ | DB_LOOKUP_NOTOUCH);
    if (!kv) {
        reply_integer(c, -2);
        return;
    }
    int64_t expire_ms = db_get_expire(c->db, kv);
    if (expire_ms == -1) {
        reply_integer(c, -1);
        return;
    }
    long long ttl = absolute ? expire_ms : expire_ms - c->commands->keyspace->now_ms;
    if (ttl < 0)
        ttl = 0;
    reply_integer(c, in_ms ? ttl : (ttl + 500) / 1000);
}

static void keyspace_ttl_command(struct client *c)
{
    ttl_generic(c, false, false);
}

static void keyspace_pttl_command(struct client *c)
{
    ttl_generic(c, true, false);
}

static void keyspace_expiretime_command(struct client *c)
{
    ttl_generic(c, false, true);
}

static void keyspace_pexpiretime_command(struct client *c)
{
    ttl_generic(c, true, true);
}

static void keyspace_persist_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE);
    if (!kv || !db_persist(c->db, kv)) {
        reply_integer(c, 0);
        return;
    }
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    keyspace_event(c->commands, NOTIFY_GENERIC, "persist", c->db->id, key->ptr, key->len);
    reply_integer(c, 1);
}

/* ---- FLUSHDB, FLUSHALL ---- */

/* Accepts no argument, SYNC or ASYNC. Freeing is synchronous either way
 * for now: ASYNC (and lazyfree-lazy-user-flush, which makes it the
 * default) would only move the freeing to a background thread, which
 * changes latency, not the reply or the contents. */
static bool flush_parse_args(struct client *c)
{
    if (c->argc == 1)
        return true;
    if (c->argc == 2 && (arg_equals(&c->argv[1], "sync") || arg_equals(&c->argv[1], "async")))
        return true;
    reply_error_syntax(c);
    return false;
}

/* Watchers are told before the flush, as Redis signals before emptying. */
static void flush_db(struct client *c, struct db *db)
{
    notify_key_modified(c->commands, db, NULL, 0);
    db_flush(db);
    assert(db_size(db) == 0);
}

static void keyspace_flushdb_command(struct client *c)
{
    if (!flush_parse_args(c))
        return;
    flush_db(c, c->db);
    tracking_flushed(c->commands);
    reply_ok(c);
}

static void keyspace_flushall_command(struct client *c)
{
    if (!flush_parse_args(c))
        return;
    struct keyspace *ks = c->commands->keyspace;
    for (int i = 0; i < ks->db_count; i++)
        flush_db(c, &ks->dbs[i]);
    tracking_flushed(c->commands);
    reply_ok(c);
}

/* ---- The table ---- */

static struct command object_subcommands[] = {
    {.name = "encoding", .proc = object_encoding_command, .arity = 3, .flags = CMD_READONLY,
     .acl = ACL_KEYSPACE | ACL_READ | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
     .tips = "nondeterministic_output",
     .key_specs = "RO/i2/r0,1,0",
     .summary = "Inspect the internal encoding of a Redis object", .since = "2.2.3",
     .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "freq", .proc = object_freq_command, .arity = 3, .flags = CMD_READONLY,
     .acl = ACL_KEYSPACE | ACL_READ | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
     .tips = "nondeterministic_output",
     .key_specs = "RO/i2/r0,1,0",
     .summary = "Get the logarithmic access frequency counter of a Redis object", .since = "4.0.0",
     .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "help", .proc = object_help_command, .arity = 2, .flags = CMD_LOADING | CMD_STALE,
     .acl = ACL_KEYSPACE | ACL_SLOW,
     .summary = "Show helpful text about the different subcommands", .since = "6.2.0",
     .group = "generic", .complexity = "O(1)"},
    {.name = "idletime", .proc = object_idletime_command, .arity = 3, .flags = CMD_READONLY,
     .acl = ACL_KEYSPACE | ACL_READ | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
     .tips = "nondeterministic_output",
     .key_specs = "RO/i2/r0,1,0",
     .summary = "Get the time since a Redis object was last accessed", .since = "2.2.3",
     .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "refcount", .proc = object_refcount_command, .arity = 3, .flags = CMD_READONLY,
     .acl = ACL_KEYSPACE | ACL_READ | ACL_SLOW, .first_key = 2, .last_key = 2, .key_step = 1,
     .tips = "nondeterministic_output",
     .key_specs = "RO/i2/r0,1,0",
     .summary = "Get the number of references to the value of the key", .since = "2.2.3",
     .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {0},
};

#define KEYSPACE_W_SLOW (ACL_KEYSPACE | ACL_WRITE | ACL_SLOW)
#define KEYSPACE_W_FAST (ACL_KEYSPACE | ACL_WRITE | ACL_FAST)
#define KEYSPACE_R_SLOW (ACL_KEYSPACE | ACL_READ | ACL_SLOW)
#define KEYSPACE_R_FAST (ACL_KEYSPACE | ACL_READ | ACL_FAST)

struct command keyspace_commands[] = {
    {.name = "del", .proc = keyspace_del_command, .arity = -2, .flags = CMD_WRITE,
     .acl = KEYSPACE_W_SLOW, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = "RM delete/i1/r-1,1,0",
     .summary = "Delete a key", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to remove "
                   "holds a value other than a string, the individual complexity for this key is "
                   "O(M) where M is the number of elements in the list, set, sorted set or hash. "
                   "Removing a single key that holds a string value is O(1).",
     .arguments = "key^k#0*"},
    {.name = "unlink", .proc = keyspace_unlink_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = "RM delete/i1/r-1,1,0",
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but "
                "non blocking.",
     .since = "4.0.0", .group = "generic",
     .complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) "
                   "work in a different thread in order to reclaim memory, where N is the number "
                   "of allocations the deleted objects where composed of.",
     .arguments = "key^k#0*"},
    {.name = "exists", .proc = keyspace_exists_command, .arity = -2,
     .flags = CMD_READONLY | CMD_FAST, .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = -1,
     .key_step = 1,
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = "RO/i1/r-1,1,0",
     .summary = "Determine if a key exists", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) where N is the number of keys to check.",
     .history = (const struct command_history[]){
         {"3.0.3", "Accepts multiple `key` arguments."},
         {0}},
     .arguments = "key^k#0*"},
    {.name = "type", .proc = keyspace_type_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Determine the type stored at key", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "keys", .proc = keyspace_keys_command, .arity = 2, .flags = CMD_READONLY,
     .acl = KEYSPACE_R_SLOW | ACL_DANGEROUS,
     .tips = "request_policy:all_shards nondeterministic_output_order",
     .summary = "Find all keys matching the given pattern", .since = "1.0.0", .group = "generic",
     .complexity = "O(N) with N being the number of keys in the database, under the assumption "
                   "that the key names in the database and the given pattern have limited length.",
     .arguments = "pattern^p"},
    {.name = "scan", .proc = keyspace_scan_command, .arity = -2, .flags = CMD_READONLY,
     .acl = KEYSPACE_R_SLOW,
     .tips = "nondeterministic_output request_policy:special",
     .summary = "Incrementally iterate the keys space", .since = "2.8.0", .group = "generic",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection.",
     .history = (const struct command_history[]){
         {"6.0.0", "Added the `TYPE` subcommand."},
         {0}},
     .arguments = "cursor^i pattern^p='MATCH'? count^i='COUNT'? type^s='TYPE'@6.0.0?"},
    {.name = "randomkey", .proc = keyspace_randomkey_command, .arity = 1, .flags = CMD_READONLY,
     .acl = KEYSPACE_R_SLOW,
     .tips = "request_policy:all_shards nondeterministic_output",
     .summary = "Return a random key from the keyspace", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)"},
    {.name = "rename", .proc = keyspace_rename_command, .arity = 3, .flags = CMD_WRITE,
     .acl = KEYSPACE_W_SLOW, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;OW update/i2/r0,1,0",
     .summary = "Rename a key", .since = "1.0.0", .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0 newkey^k#1"},
    {.name = "renamenx", .proc = keyspace_renamenx_command, .arity = 3,
     .flags = CMD_WRITE | CMD_FAST, .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;OW insert/i2/r0,1,0",
     .summary = "Rename a key, only if the new key does not exist", .since = "1.0.0",
     .group = "generic", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"3.2.0", "The command no longer returns an error when source and destination names are "
                   "the same."},
         {0}},
     .arguments = "key^k#0 newkey^k#1"},
    {.name = "copy", .proc = keyspace_copy_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = KEYSPACE_W_SLOW, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = "RO access/i1/r0,1,0;OW update/i2/r0,1,0",
     .summary = "Copy a key", .since = "6.2.0", .group = "generic",
     .complexity = "O(N) worst case for collections, where N is the number of nested items. O(1) "
                   "for string values.",
     .arguments = "source^k#0 destination^k#1 destination-db^i='DB'? replace^t='REPLACE'?"},
    {.name = "move", .proc = keyspace_move_command, .arity = 3, .flags = CMD_WRITE | CMD_FAST,
     .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Move a key to another database", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .arguments = "key^k#0 db^i"},
    {.name = "swapdb", .proc = keyspace_swapdb_command, .arity = 3, .flags = CMD_WRITE | CMD_FAST,
     .acl = KEYSPACE_W_FAST | ACL_DANGEROUS,
     .summary = "Swaps two Redis databases", .since = "4.0.0", .group = "server",
     .complexity = "O(N) where N is the count of clients watching or blocking on keys from both "
                   "databases.",
     .arguments = "index1^i index2^i"},
    {.name = "touch", .proc = keyspace_touch_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST,
     .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "request_policy:multi_shard response_policy:agg_sum",
     .key_specs = "RO/i1/r-1,1,0",
     .summary = "Alters the last access time of a key(s). Returns the number of existing keys "
                "specified.",
     .since = "3.2.1", .group = "generic",
     .complexity = "O(N) where N is the number of keys that will be touched.",
     .arguments = "key^k#0*"},
    {.name = "object", .proc = NULL, .arity = -2, .flags = 0, .acl = ACL_SLOW,
     .summary = "A container for object introspection commands", .since = "2.2.3",
     .group = "generic", .complexity = "Depends on subcommand.",
     .subcommands = object_subcommands},
    {.name = "expire", .proc = keyspace_expire_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST,
     .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Set a key's time to live in seconds", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
         {0}},
     .arguments = "key^k#0 seconds^i condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' lt^t='LT')"},
    {.name = "pexpire", .proc = keyspace_pexpire_command, .arity = -3,
     .flags = CMD_WRITE | CMD_FAST, .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Set a key's time to live in milliseconds", .since = "2.6.0", .group = "generic",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
         {0}},
     .arguments = "key^k#0 milliseconds^i condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' "
                  "lt^t='LT')"},
    {.name = "expireat", .proc = keyspace_expireat_command, .arity = -3,
     .flags = CMD_WRITE | CMD_FAST, .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Set the expiration for a key as a UNIX timestamp", .since = "1.2.0",
     .group = "generic", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
         {0}},
     .arguments = "key^k#0 unix-time-seconds^u condition^o@7.0.0?(nx^t='NX' xx^t='XX' gt^t='GT' "
                  "lt^t='LT')"},
    {.name = "pexpireat", .proc = keyspace_pexpireat_command, .arity = -3,
     .flags = CMD_WRITE | CMD_FAST, .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
     .since = "2.6.0", .group = "generic", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."},
         {0}},
     .arguments = "key^k#0 unix-time-milliseconds^u condition^o@7.0.0?(nx^t='NX' xx^t='XX' "
                  "gt^t='GT' lt^t='LT')"},
    {.name = "ttl", .proc = keyspace_ttl_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Get the time to live for a key in seconds", .since = "1.0.0", .group = "generic",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"2.8.0", "Added the -2 reply."},
         {0}},
     .arguments = "key^k#0"},
    {.name = "pttl", .proc = keyspace_pttl_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Get the time to live for a key in milliseconds", .since = "2.6.0",
     .group = "generic", .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"2.8.0", "Added the -2 reply."},
         {0}},
     .arguments = "key^k#0"},
    {.name = "expiretime", .proc = keyspace_expiretime_command, .arity = 2,
     .flags = CMD_READONLY | CMD_FAST, .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Get the expiration Unix timestamp for a key", .since = "7.0.0", .group = "generic",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "pexpiretime", .proc = keyspace_pexpiretime_command, .arity = 2,
     .flags = CMD_READONLY | CMD_FAST, .acl = KEYSPACE_R_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Get the expiration Unix timestamp for a key in milliseconds", .since = "7.0.0",
     .group = "generic", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "persist", .proc = keyspace_persist_command, .arity = 2, .flags = CMD_WRITE | CMD_FAST,
     .acl = KEYSPACE_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Remove the expiration from a key", .since = "2.2.0", .group = "generic",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "dbsize", .proc = keyspace_dbsize_command, .arity = 1,
     .flags = CMD_READONLY | CMD_FAST, .acl = KEYSPACE_R_FAST,
     .tips = "request_policy:all_shards response_policy:agg_sum",
     .summary = "Return the number of keys in the selected database", .since = "1.0.0",
     .group = "server", .complexity = "O(1)"},
    {.name = "flushdb", .proc = keyspace_flushdb_command, .arity = -1, .flags = CMD_WRITE,
     .acl = KEYSPACE_W_SLOW | ACL_DANGEROUS,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from the current database", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the number of keys in the selected database",
     .history = (const struct command_history[]){
         {"4.0.0", "Added the `ASYNC` flushing mode modifier."},
         {"6.2.0", "Added the `SYNC` flushing mode modifier."},
         {0}},
     .arguments = "async^o?(async^t='ASYNC'@4.0.0 sync^t='SYNC'@6.2.0)"},
    {.name = "flushall", .proc = keyspace_flushall_command, .arity = -1, .flags = CMD_WRITE,
     .acl = KEYSPACE_W_SLOW | ACL_DANGEROUS,
     .tips = "request_policy:all_shards response_policy:all_succeeded",
     .summary = "Remove all keys from all databases", .since = "1.0.0", .group = "server",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .history = (const struct command_history[]){
         {"4.0.0", "Added the `ASYNC` flushing mode modifier."},
         {"6.2.0", "Added the `SYNC` flushing mode modifier."},
         {0}},
     .arguments = "async^o?(async^t='ASYNC'@4.0.0 sync^t='SYNC'@6.2.0)"},
    {0},
};
