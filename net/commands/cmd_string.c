/* cmd_string.c: the string commands (GET, SET and its variants, MGET/MSET,
 * the INCR family, APPEND, GETRANGE/SETRANGE, STRLEN, LCS).
 *
 * Owns the semantics Redis 7.0's t_string.c gives these commands: option
 * parsing and its error texts, expiry arithmetic, which lookups count as
 * keyspace hits, the encoding OBJECT ENCODING reports afterwards, and the
 * exact reply shapes. Storage, lazy expiry and TTL bookkeeping belong to
 * engine/db.c and engine/kv.c; numeric text rules to engine/number.c.
 *
 * Hot path: SET and GET each do one dict lookup (SET adds one more hash only
 * to insert a new key). A SET over an existing string reuses its kv in place
 * whenever the new value fits the block, which is what redis-benchmark's SET
 * test does all the time.
 *
 * AOF: what a write logs is Redis 7.0's form, so that replaying it later
 * rebuilds the same data: relative or option-laden expiries become
 * absolute ("SET k v PXAT <ms>", "PEXPIREAT k <ms>"), INCRBYFLOAT logs the
 * value it computed, and GETDEL, GETSET and GETEX log the plain command
 * that has their effect. Everything else is logged as sent.
 *
 * Invariant: every handler sends exactly one reply, and every change to the
 * keyspace is reported once per key through notify_key_modified
 * and published as Redis 7.0's keyspace events (keyspace_event), in its
 * order. */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"
#include "net/core/config.h"

/* LCS indexes strings with uint32_t and keeps one uint32_t per cell of its
 * (alen+1)*(blen+1) table; a stored string can never be long enough to
 * overflow those indexes. */
_Static_assert(KV_BYTES_MAX < UINT32_MAX - 1, "LCS indexes strings with uint32_t");
/* Longest decimal long long ("-9223372036854775808"), NUL included. */
#define STRING_LL_TEXT_BYTES 21
_Static_assert(STRING_LL_TEXT_BYTES > KV_INT_BYTES_MAX, "room for any long long");
/* A SET reuses the old value's block in place only while the idle part of
 * it stays below the value's length plus this, so a small value written
 * over a big one gives the memory back. */
#define STRING_REUSE_SLACK_BYTES 64

/* Options of SET and GETEX, as Redis's parseExtendedStringArgumentsOrReply. */
enum string_option {
    STRING_OPT_NX = 1 << 0,
    STRING_OPT_XX = 1 << 1,
    STRING_OPT_GET = 1 << 2,
    STRING_OPT_KEEPTTL = 1 << 3,
    STRING_OPT_PERSIST = 1 << 4,
    STRING_OPT_EX = 1 << 5,
    STRING_OPT_PX = 1 << 6,
    STRING_OPT_EXAT = 1 << 7,
    STRING_OPT_PXAT = 1 << 8,
};
#define STRING_OPT_EXPIRE_ANY (STRING_OPT_EX | STRING_OPT_PX | STRING_OPT_EXAT | STRING_OPT_PXAT)

/* How a SET-like command answers when it stored the value, or when NX/XX
 * stopped it: SET says OK or nil, SETNX says 1 or 0. */
enum string_set_reply { STRING_REPLY_OK_NULL, STRING_REPLY_ONE_ZERO };

static const char *const string_wrongtype_lcs = "The specified keys must contain string values";

/* ---- storing values ---- */

/* Sets the length of a string kv to new_len without moving it, which
 * kv_resize_string guarantees when the value fits the block and grow is
 * set (grow only ever adds room). Needs no dict lookup, unlike
 * db_resize_string, so the hot paths use it whenever the value fits. */
static void string_resize_in_place(struct kv *kv, size_t new_len)
{
    assert(new_len <= kv_string_capacity(kv));
    struct kv *same = kv_resize_string(kv, new_len, true);
    assert(same == kv);
    (void)same;
}

/* Stores val under key. old is the key's current kv (any type) or NULL.
 * A string kv whose block fits the value without idling more than half of
 * it is rewritten in place, which is observably the same as Redis replacing
 * the object: the encoding is recomputed and the TTL goes unless keep_ttl.
 * Otherwise a new kv replaces it; the LFU counter carries over, as Redis's
 * dbSetValue does. Returns the kv now linked (borrowed). */
static struct kv *string_store(struct db *db, struct kv *old, const struct resp_arg *key,
                               const char *val, size_t val_len, enum kv_encoding enc, bool keep_ttl)
{
    assert(val_len <= KV_BYTES_MAX);
    if (!old) {
        struct kv *kv = kv_new_string(key->ptr, key->len, val, val_len, (int)enc);
        db_add(db, kv);
        return kv;
    }
    assert(old->key_len == key->len);
    if (!keep_ttl)
        db_persist(db, old);
    bool reuse = old->type == KV_STRING;
    /* A value of the same length (redis-benchmark's SET, most INCRs) skips
     * the capacity check, which asks the allocator. */
    if (reuse && val_len != old->val_len) {
        size_t capacity = kv_string_capacity(old);
        reuse = val_len <= capacity && capacity - val_len <= val_len + STRING_REUSE_SLACK_BYTES;
        if (reuse)
            string_resize_in_place(old, val_len);
    }
    if (reuse) {
        memcpy(kv_string(old), val, val_len);
        old->encoding = (uint8_t)enc;
        return old;
    }
    struct kv *kv = kv_new_string(key->ptr, key->len, val, val_len, (int)enc);
    kv->lfu = old->lfu;
    db_overwrite(db, old, kv, keep_ttl);
    return kv;
}

/* Appends or overwrites bytes of an existing string kv at offset, growing
 * it greedily (APPEND, SETRANGE); a gap between the old end and offset is
 * zero-filled. The result is raw, as Redis unshares such values. Returns
 * the possibly moved kv, still linked. */
static struct kv *string_write_at(struct db *db, struct kv *kv, size_t offset, const char *p,
                                  size_t len)
{
    assert(kv->type == KV_STRING);
    size_t old_len = kv->val_len;
    size_t new_len = offset + len > old_len ? offset + len : old_len;
    if (new_len <= kv_string_capacity(kv))
        string_resize_in_place(kv, new_len);
    else
        kv = db_resize_string(db, kv, new_len, true);
    if (offset > old_len)
        memset(kv_string(kv) + old_len, 0, offset - old_len);
    memcpy(kv_string(kv) + offset, p, len);
    kv->encoding = KV_ENC_RAW;
    assert(kv->val_len == new_len);
    return kv;
}

/* Redis's checkStringLength: a string may not grow past proto-max-bulk-len
 * (nor past what a kv can hold). Replies and returns false when it would. */
static bool string_check_length(struct client *c, unsigned long long offset, size_t len)
{
    unsigned long long total = offset + len;
    if (total < offset || total > (unsigned long long)c->commands->config->proto_max_bulk_len ||
        total > KV_BYTES_MAX) {
        reply_error(c, "string exceeds maximum allowed size (proto-max-bulk-len)");
        return false;
    }
    return true;
}

/* Looks up a key for reading and replies for the cases that end the
 * command: absent (reply_null) or not a string (WRONGTYPE). Returns the
 * string kv, or NULL once a reply has been sent. */
static struct kv *string_lookup_read_or_reply(struct client *c, int i)
{
    struct kv *kv;
    if (!typed_key_lookup(c, i, DB_LOOKUP_READ, KV_STRING, &kv))
        return NULL;
    if (!kv)
        reply_null(c);
    return kv;
}

/* GETSET and SET ... GET: looks up the key at argv[1] for reading and
 * replies its old value (nil when missing). Returns false after a
 * WRONGTYPE reply; otherwise *old is the string kv or NULL. */
static bool string_reply_old_value(struct client *c, struct kv **old)
{
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, old))
        return false;
    if (*old)
        reply_bulk(c, kv_string(*old), (*old)->val_len);
    else
        reply_null(c);
    return true;
}

/* ---- what the AOF logs ---- */

/* Logs SET key value PXAT <when_ms>: every SET with an expiry (EX, PX,
 * EXAT, PXAT, SETEX, PSETEX) is logged in this one form, which drops NX,
 * XX and GET with it, as Redis 7.0 does. Replaying it sets the same
 * absolute deadline whenever the AOF is loaded. */
static void string_propagate_set_pxat(struct client *c, int val_i, int64_t when_ms)
{
    char ms[STRING_LL_TEXT_BYTES];
    size_t ms_len = number_format_ll(ms, when_ms);
    struct aof_arg argv[] = {
        aof_arg_str("SET"), aof_arg_of(&c->argv[1]), aof_arg_of(&c->argv[val_i]),
        aof_arg_str("PXAT"), {ms, ms_len},
    };
    propagate_as(c, 5, argv);
}

/* Logs a SET without expiry minus its GET options (which may repeat): GET
 * only shapes the reply. The other arguments keep their spelling. */
static void string_propagate_set_without_get(struct client *c)
{
    struct aof_arg *argv = alloc_bytes((size_t)c->argc * sizeof(*argv));
    int argc = 0;
    for (int i = 0; i < c->argc; i++) {
        if (i >= 3 && arg_equals(&c->argv[i], "get"))
            continue;
        argv[argc++] = aof_arg_of(&c->argv[i]);
    }
    assert(argc >= 3);
    assert(argc < c->argc);
    propagate_as(c, argc, argv);
    alloc_free(argv);
}

/* Logs the two-argument command `name key` for the key at argv[1]
 * (GETDEL and a GETEX in the past as DEL, GETEX PERSIST as PERSIST). */
static void string_propagate_key_command(struct client *c, const char *name)
{
    struct aof_arg argv[] = {aof_arg_str(name), aof_arg_of(&c->argv[1])};
    propagate_as(c, 2, argv);
}

/* ---- GET, SET and the other SET forms ---- */

/* A keyspace event about key in c's database. */
static void string_event(struct client *c, int type, const char *event,
                         const struct resp_arg *key)
{
    keyspace_event(c->commands, type, event, c->db->id, key->ptr, key->len);
}

static void string_get_command(struct client *c)
{
    struct kv *kv = string_lookup_read_or_reply(c, 1);
    if (kv)
        reply_bulk(c, kv_string(kv), kv->val_len);
}

/* Whether option bit `opt` may join the ones already in flags. An expiry
 * form excludes the other expiry forms, KEEPTTL and PERSIST but may repeat
 * (the last value wins), as in Redis. */
static bool string_option_allowed(unsigned flags, unsigned opt, bool is_set)
{
    switch (opt) {
    case STRING_OPT_NX: return is_set && !(flags & STRING_OPT_XX);
    case STRING_OPT_XX: return is_set && !(flags & STRING_OPT_NX);
    case STRING_OPT_GET: return is_set;
    case STRING_OPT_KEEPTTL:
        return is_set && !(flags & (STRING_OPT_PERSIST | STRING_OPT_EXPIRE_ANY));
    case STRING_OPT_PERSIST:
        return !is_set && !(flags & (STRING_OPT_KEEPTTL | STRING_OPT_EXPIRE_ANY));
    default:
        return !(flags & (STRING_OPT_KEEPTTL | STRING_OPT_PERSIST)) &&
               !(flags & STRING_OPT_EXPIRE_ANY & ~opt);
    }
}

/* Parses SET's (is_set) or GETEX's options from argv[first]. Sets *flags and
 * *expire_i (the argv index of the expiry value, 0 if none). Replies
 * "syntax error" and returns false on anything Redis rejects. */
static bool string_parse_options(struct client *c, int first, bool is_set, unsigned *flags,
                                 int *expire_i)
{
    static const struct { const char *name; unsigned opt; } options[] = {
        {"nx", STRING_OPT_NX},         {"xx", STRING_OPT_XX},     {"get", STRING_OPT_GET},
        {"keepttl", STRING_OPT_KEEPTTL}, {"persist", STRING_OPT_PERSIST},
        {"ex", STRING_OPT_EX},         {"px", STRING_OPT_PX},     {"exat", STRING_OPT_EXAT},
        {"pxat", STRING_OPT_PXAT},
    };
    *flags = 0;
    *expire_i = 0;
    for (int i = first; i < c->argc; i++) {
        unsigned opt = 0;
        for (size_t k = 0; k < sizeof(options) / sizeof(options[0]) && !opt; k++)
            if (arg_equals(&c->argv[i], options[k].name))
                opt = options[k].opt;
        bool takes_value = (opt & STRING_OPT_EXPIRE_ANY) != 0;
        if (!opt || !string_option_allowed(*flags, opt, is_set) ||
            (takes_value && i + 1 >= c->argc)) {
            reply_error_syntax(c);
            return false;
        }
        *flags |= opt;
        if (takes_value)
            *expire_i = ++i;
    }
    assert(!(*flags & STRING_OPT_EXPIRE_ANY) || *expire_i > 0);
    return true;
}

/* Turns argv[i] into an absolute unix time in ms the way Redis 7.0 does:
 * the value must be positive, seconds are scaled, relative forms (EX, PX)
 * are added to now, and overflow anywhere is an invalid expire time.
 * Replies and returns false on error. */
static bool string_expire_at_ms(struct client *c, int i, unsigned flags, int64_t *when_ms)
{
    long long v;
    if (!arg_get_ll(c, i, &v, NULL))
        return false;
    bool seconds = (flags & (STRING_OPT_EX | STRING_OPT_EXAT)) != 0;
    bool valid = v > 0 && !(seconds && v > LLONG_MAX / 1000);
    if (valid && seconds)
        v *= 1000;
    if (valid && (flags & (STRING_OPT_EX | STRING_OPT_PX))) {
        long long now = c->commands->keyspace->now_ms;
        valid = v <= LLONG_MAX - now;
        if (valid)
            v += now;
    }
    if (!valid) {
        reply_errorf(c, "invalid expire time in '%s' command", c->cmd->fullname);
        return false;
    }
    *when_ms = v;
    return true;
}

/* The body of SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand). An
 * absolute expiry already in the past still stores the key: Redis 7.0 then
 * lets lazy or active expiry delete it. */
static void string_set_generic(struct client *c, unsigned flags, int val_i, int expire_i,
                               enum string_set_reply answer)
{
    const struct resp_arg *key = &c->argv[1];
    const struct resp_arg *val = &c->argv[val_i];
    int64_t when_ms = -1;
    if (expire_i && !string_expire_at_ms(c, expire_i, flags, &when_ms))
        return;

    struct kv *old;
    if (flags & STRING_OPT_GET) {
        if (!string_reply_old_value(c, &old))
            return;
    } else {
        old = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE);
    }

    if (((flags & STRING_OPT_NX) && old) || ((flags & STRING_OPT_XX) && !old)) {
        if (flags & STRING_OPT_GET)
            return;
        if (answer == STRING_REPLY_ONE_ZERO)
            reply_integer(c, 0);
        else
            reply_null(c);
        return;
    }

    /* With a new expiry coming, keeping the old entry and updating it is
     * cheaper than removing it and adding another. */
    bool keep_ttl = (flags & STRING_OPT_KEEPTTL) || expire_i;
    enum kv_encoding enc = kv_string_encoding(val->ptr, val->len);
    struct kv *kv = string_store(c->db, old, key, val->ptr, val->len, enc, keep_ttl);
    if (expire_i)
        db_set_expire(c->db, kv, when_ms);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "set", key);
    if (expire_i)
        string_event(c, NOTIFY_GENERIC, "expire", key);
    if (expire_i)
        string_propagate_set_pxat(c, val_i, when_ms);
    else if (flags & STRING_OPT_GET)
        string_propagate_set_without_get(c);

    if (flags & STRING_OPT_GET)
        return;
    if (answer == STRING_REPLY_ONE_ZERO)
        reply_integer(c, 1);
    else
        reply_ok(c);
}

static void string_set_command(struct client *c)
{
    unsigned flags;
    int expire_i;
    if (!string_parse_options(c, 3, true, &flags, &expire_i))
        return;
    string_set_generic(c, flags, 2, expire_i, STRING_REPLY_OK_NULL);
}

static void string_setnx_command(struct client *c)
{
    string_set_generic(c, STRING_OPT_NX, 2, 0, STRING_REPLY_ONE_ZERO);
}

static void string_setex_command(struct client *c)
{
    string_set_generic(c, STRING_OPT_EX, 3, 2, STRING_REPLY_OK_NULL);
}

static void string_psetex_command(struct client *c)
{
    string_set_generic(c, STRING_OPT_PX, 3, 2, STRING_REPLY_OK_NULL);
}

static void string_getset_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    const struct resp_arg *val = &c->argv[2];
    struct kv *old;
    if (!string_reply_old_value(c, &old))
        return;
    enum kv_encoding enc = kv_string_encoding(val->ptr, val->len);
    string_store(c->db, old, key, val->ptr, val->len, enc, false);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "set", key);
    /* Redis 7.0 logs GETSET as the SET it amounts to. */
    struct aof_arg argv[] = {aof_arg_str("SET"), aof_arg_of(key), aof_arg_of(val)};
    propagate_as(c, 3, argv);
}

static void string_getdel_command(struct client *c)
{
    struct kv *kv = string_lookup_read_or_reply(c, 1);
    if (!kv)
        return;
    reply_bulk(c, kv_string(kv), kv->val_len);
    bool deleted = db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    assert(deleted);
    notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
    string_event(c, NOTIFY_GENERIC, "del", &c->argv[1]);
    string_propagate_key_command(c, "DEL");
}

/* Logs GETEX's new TTL as PEXPIREAT key <when_ms>, whatever form of
 * expiry the client gave. */
static void string_getex_propagate_expire(struct client *c, int64_t when_ms)
{
    char ms[STRING_LL_TEXT_BYTES];
    size_t ms_len = number_format_ll(ms, when_ms);
    struct aof_arg argv[] = {aof_arg_str("PEXPIREAT"), aof_arg_of(&c->argv[1]), {ms, ms_len}};
    propagate_as(c, 3, argv);
}

/* GETEX replies with the value before touching the TTL. An EXAT/PXAT time
 * that has already passed deletes the key outright (a change, unlike SET's
 * stored-then-expired key); PERSIST is a change only if there was a TTL. */
static void string_getex_command(struct client *c)
{
    unsigned flags;
    int expire_i;
    if (!string_parse_options(c, 2, false, &flags, &expire_i))
        return;
    struct kv *kv = string_lookup_read_or_reply(c, 1);
    if (!kv)
        return;
    int64_t when_ms = -1;
    if (expire_i && !string_expire_at_ms(c, expire_i, flags, &when_ms))
        return;
    reply_bulk(c, kv_string(kv), kv->val_len);

    const struct resp_arg *key = &c->argv[1];
    if ((flags & (STRING_OPT_EXAT | STRING_OPT_PXAT)) && when_ms <= c->commands->keyspace->now_ms) {
        bool deleted = db_delete(c->db, key->ptr, key->len);
        assert(deleted);
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        string_event(c, NOTIFY_GENERIC, "del", key);
        string_propagate_key_command(c, "DEL");
    } else if (expire_i) {
        db_set_expire(c->db, kv, when_ms);
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        string_event(c, NOTIFY_GENERIC, "expire", key);
        string_getex_propagate_expire(c, when_ms);
    } else if ((flags & STRING_OPT_PERSIST) && db_persist(c->db, kv)) {
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        string_event(c, NOTIFY_GENERIC, "persist", key);
        string_propagate_key_command(c, "PERSIST");
    }
}

/* ---- several keys at once ---- */

static void string_mget_command(struct client *c)
{
    reply_array_len(c, c->argc - 1);
    for (int i = 1; i < c->argc; i++) {
        struct kv *kv = db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, DB_LOOKUP_READ);
        /* MGET answers nil for a key of another type rather than failing. */
        if (kv && kv->type == KV_STRING)
            reply_bulk(c, kv_string(kv), kv->val_len);
        else
            reply_null(c);
    }
}

/* MSET and MSETNX. Pairs are stored in order, so a key given twice ends
 * with its last value (MSETNX included, once none of them existed). */
static void string_mset_generic(struct client *c, bool nx)
{
    if (c->argc % 2 == 0) {
        reply_error_arity(c);
        return;
    }
    if (nx) {
        for (int i = 1; i < c->argc; i += 2) {
            if (db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, DB_LOOKUP_WRITE)) {
                reply_integer(c, 0);
                return;
            }
        }
    }
    for (int i = 1; i < c->argc; i += 2) {
        const struct resp_arg *key = &c->argv[i];
        const struct resp_arg *val = &c->argv[i + 1];
        struct kv *old = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_WRITE);
        enum kv_encoding enc = kv_string_encoding(val->ptr, val->len);
        string_store(c->db, old, key, val->ptr, val->len, enc, false);
        notify_key_modified(c->commands, c->db, key->ptr, key->len);
        string_event(c, NOTIFY_STRING, "set", key);
    }
    if (nx)
        reply_integer(c, 1);
    else
        reply_ok(c);
}

static void string_mset_command(struct client *c)
{
    string_mset_generic(c, false);
}

static void string_msetnx_command(struct client *c)
{
    string_mset_generic(c, true);
}

/* ---- counters ---- */

/* INCR, DECR, INCRBY and DECRBY: the result is stored as an integer
 * ("int" encoding) and the TTL is kept. */
static void string_incr_generic(struct client *c, long long incr)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_STRING, &kv))
        return;
    long long value = 0;
    if (kv && !number_parse_ll(kv_string(kv), kv->val_len, &value)) {
        reply_error_not_integer(c);
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(c, "increment or decrement would overflow");
        return;
    }
    value += incr;
    char text[STRING_LL_TEXT_BYTES];
    size_t len = number_format_ll(text, value);
    assert(len <= KV_INT_BYTES_MAX);
    string_store(c->db, kv, key, text, len, KV_ENC_INT, true);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "incrby", key);
    reply_integer(c, value);
}

static void string_incr_command(struct client *c)
{
    string_incr_generic(c, 1);
}

static void string_decr_command(struct client *c)
{
    string_incr_generic(c, -1);
}

static void string_incrby_command(struct client *c)
{
    long long incr;
    if (arg_get_ll(c, 2, &incr, NULL))
        string_incr_generic(c, incr);
}

static void string_decrby_command(struct client *c)
{
    long long decr;
    if (!arg_get_ll(c, 2, &decr, NULL))
        return;
    /* -LLONG_MIN does not exist, so Redis refuses it up front. */
    if (decr == LLONG_MIN) {
        reply_error(c, "decrement would overflow");
        return;
    }
    string_incr_generic(c, -decr);
}

/* INCRBYFLOAT works in long double and stores the human-readable text
 * (ld2string), so the result is an embstr (raw past 44 bytes) even when it
 * looks like an integer. The TTL is kept. */
static void string_incrbyfloat_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_STRING, &kv))
        return;
    long double value = 0, incr;
    if ((kv && !number_parse_long_double(kv_string(kv), kv->val_len, &value)) ||
        !number_parse_long_double(c->argv[2].ptr, c->argv[2].len, &incr)) {
        reply_error_not_float(c);
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(c, "increment would produce NaN or Infinity");
        return;
    }
    char text[NUMBER_TEXT_BYTES_MAX];
    size_t len = number_format_long_double(text, value);
    assert(len > 0);
    enum kv_encoding enc = len <= KV_EMBSTR_BYTES_MAX ? KV_ENC_EMBSTR : KV_ENC_RAW;
    string_store(c->db, kv, key, text, len, enc, true);
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "incrbyfloat", key);
    /* The sum is logged, not the increment: long double arithmetic need not
     * give the same text on another machine or build. */
    struct aof_arg argv[] = {aof_arg_str("SET"), aof_arg_of(key), {text, len},
                             aof_arg_str("KEEPTTL")};
    propagate_as(c, 4, argv);
    reply_bulk(c, text, len);
}

/* ---- partial reads and writes ---- */

static void string_append_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    const struct resp_arg *val = &c->argv[2];
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_STRING, &kv))
        return;
    if (!kv) {
        /* A new key is encoded like a SET of the same value. */
        enum kv_encoding enc = kv_string_encoding(val->ptr, val->len);
        kv = string_store(c->db, NULL, key, val->ptr, val->len, enc, false);
    } else {
        if (!string_check_length(c, kv->val_len, val->len))
            return;
        /* Even an empty append turns the value raw and counts as a change. */
        kv = string_write_at(c->db, kv, kv->val_len, val->ptr, val->len);
    }
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "append", key);
    reply_integer(c, kv->val_len);
}

static void string_strlen_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv))
        return;
    reply_integer(c, kv ? kv->val_len : 0);
}

/* GETRANGE and SUBSTR: inclusive indexes, negative ones count from the end,
 * and every out-of-range case is an empty string (a missing key too). */
static void string_getrange_command(struct client *c)
{
    long long start, end;
    if (!arg_get_ll(c, 2, &start, NULL) || !arg_get_ll(c, 3, &end, NULL))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_STRING, &kv))
        return;
    if (!kv) {
        reply_bulk(c, "", 0);
        return;
    }
    long long len = kv->val_len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    if (start < 0)
        start += len;
    if (end < 0)
        end += len;
    if (start < 0)
        start = 0;
    if (end < 0)
        end = 0;
    if (end >= len)
        end = len - 1;
    if (len == 0 || start > end) {
        reply_bulk(c, "", 0);
        return;
    }
    assert(start >= 0 && end < len);
    reply_bulk(c, kv_string(kv) + start, (size_t)(end - start + 1));
}

/* SETRANGE: writes value at offset, zero-padding a shorter string. An empty
 * value changes nothing: it answers the current length (0 for a missing
 * key, which is not created). */
static void string_setrange_command(struct client *c)
{
    const struct resp_arg *key = &c->argv[1];
    const struct resp_arg *val = &c->argv[3];
    long long offset;
    if (!arg_get_ll(c, 2, &offset, NULL))
        return;
    if (offset < 0) {
        reply_error(c, "offset is out of range");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_STRING, &kv))
        return;
    if (val->len == 0) {
        reply_integer(c, kv ? kv->val_len : 0);
        return;
    }
    if (!string_check_length(c, (unsigned long long)offset, val->len))
        return;
    if (kv) {
        kv = string_write_at(c->db, kv, (size_t)offset, val->ptr, val->len);
    } else {
        /* A new key gets a raw value of exactly the size needed, as Redis
         * builds it; it is filled before it is linked, so nothing moves. */
        kv = kv_new_string(key->ptr, key->len, "", 0, KV_ENC_RAW);
        kv = kv_resize_string(kv, (size_t)offset + val->len, false);
        memset(kv_string(kv), 0, (size_t)offset);
        memcpy(kv_string(kv) + offset, val->ptr, val->len);
        db_add(c->db, kv);
    }
    notify_key_modified(c->commands, c->db, key->ptr, key->len);
    string_event(c, NOTIFY_STRING, "setrange", key);
    reply_integer(c, kv->val_len);
}

/* ---- LCS ---- */

struct string_lcs_options {
    bool want_len;
    bool want_idx;
    bool with_match_len;
    long long min_match_len;
};

/* Parses LCS's options from argv[3]; replies and returns false on error. */
static bool string_lcs_parse(struct client *c, struct string_lcs_options *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 3; i < c->argc; i++) {
        const struct resp_arg *a = &c->argv[i];
        if (arg_equals(a, "idx")) {
            o->want_idx = true;
        } else if (arg_equals(a, "len")) {
            o->want_len = true;
        } else if (arg_equals(a, "withmatchlen")) {
            o->with_match_len = true;
        } else if (arg_equals(a, "minmatchlen") && i + 1 < c->argc) {
            if (!arg_get_ll(c, i + 1, &o->min_match_len, NULL))
                return false;
            if (o->min_match_len < 0)
                o->min_match_len = 0;
            i++;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    if (o->want_idx && o->want_len) {
        reply_error(c, "If you want both the length and indexes, please just use IDX.");
        return false;
    }
    return true;
}

/* Fills the dynamic programming table: cell (i, j) of the (alen+1) x
 * (blen+1) row-major table holds the LCS length of a[0..i) and b[0..j). */
static void string_lcs_table(uint32_t *t, const char *a, uint32_t alen, const char *b,
                             uint32_t blen)
{
    size_t row = (size_t)blen + 1;
    for (uint32_t j = 0; j <= blen; j++)
        t[j] = 0;
    for (uint32_t i = 1; i <= alen; i++) {
        uint32_t *cur = t + (size_t)i * row, *prev = cur - row;
        cur[0] = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a[i - 1] == b[j - 1])
                cur[j] = prev[j - 1] + 1;
            else
                cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
        }
    }
}

static void string_lcs_reply_range(struct client *c, const struct string_lcs_options *o,
                                   uint32_t a_start, uint32_t a_end, uint32_t b_start,
                                   uint32_t b_end)
{
    reply_array_len(c, o->with_match_len ? 3 : 2);
    reply_array_len(c, 2);
    reply_integer(c, a_start);
    reply_integer(c, a_end);
    reply_array_len(c, 2);
    reply_integer(c, b_start);
    reply_integer(c, b_end);
    if (o->with_match_len)
        reply_integer(c, (long long)a_end - a_start + 1);
}

/* Walks the table back from its last cell, writing the common subsequence
 * into out (when not NULL, t's last cell bytes) and, when IDX was asked,
 * replying one entry per run of consecutive matches, last run first, as
 * Redis does. Returns the number of entries replied. */
static long long string_lcs_walk(struct client *c, const struct string_lcs_options *o,
                                 const uint32_t *t, const char *a, uint32_t alen, const char *b,
                                 uint32_t blen, char *out)
{
    size_t row = (size_t)blen + 1;
    uint32_t i = alen, j = blen, k = t[(size_t)alen * row + blen];
    uint32_t a_start = 0, a_end = 0, b_start = 0, b_end = 0;
    bool in_run = false;
    long long entries = 0;
    while (i > 0 && j > 0) {
        bool run_ends = false;
        if (a[i - 1] == b[j - 1]) {
            if (out)
                out[k - 1] = a[i - 1];
            if (!in_run) {
                in_run = true;
                a_start = a_end = i - 1;
                b_start = b_end = j - 1;
            } else {
                /* After a match both indexes step back together, so a run
                 * can only continue contiguously. */
                assert(a_start == i && b_start == j);
                a_start--;
                b_start--;
            }
            run_ends = a_start == 0 || b_start == 0;
            k--, i--, j--;
        } else {
            if (t[(size_t)(i - 1) * row + j] > t[(size_t)i * row + j - 1])
                i--;
            else
                j--;
            run_ends = in_run;
        }
        if (run_ends) {
            long long match_len = (long long)a_end - a_start + 1;
            if (o->want_idx && (o->min_match_len == 0 || match_len >= o->min_match_len)) {
                string_lcs_reply_range(c, o, a_start, a_end, b_start, b_end);
                entries++;
            }
            in_run = false;
        }
    }
    assert(!out || k == 0);
    return entries;
}

/* LCS (Redis 7.0): missing keys count as empty strings; the table lives only
 * for the command and is capped by proto-max-bulk-len as in Redis. */
static void string_lcs_command(struct client *c)
{
    struct kv *ka = db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_READ);
    struct kv *kb = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len, DB_LOOKUP_READ);
    if ((ka && ka->type != KV_STRING) || (kb && kb->type != KV_STRING)) {
        reply_error(c, string_wrongtype_lcs);
        return;
    }
    struct string_lcs_options o;
    if (!string_lcs_parse(c, &o))
        return;
    const char *a = ka ? kv_string(ka) : "", *b = kb ? kv_string(kb) : "";
    uint32_t alen = ka ? ka->val_len : 0, blen = kb ? kb->val_len : 0;

    unsigned long long cells = ((unsigned long long)alen + 1) * ((unsigned long long)blen + 1);
    unsigned long long table_bytes = cells * sizeof(uint32_t);
    if (cells > SIZE_MAX / sizeof(uint32_t) ||
        table_bytes > (unsigned long long)c->commands->config->proto_max_bulk_len) {
        reply_error(c, "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return;
    }
    uint32_t *t = alloc_bytes((size_t)table_bytes);
    string_lcs_table(t, a, alen, b, blen);
    uint32_t lcs_len = t[cells - 1];

    if (o.want_len) {
        reply_integer(c, lcs_len);
    } else if (o.want_idx) {
        reply_map_len(c, 2);
        reply_bulk_cstr(c, "matches");
        size_t handle = reply_defer_len(c);
        long long entries = string_lcs_walk(c, &o, t, a, alen, b, blen, NULL);
        reply_set_defer_len(c, handle, entries, '*');
        reply_bulk_cstr(c, "len");
        reply_integer(c, lcs_len);
    } else {
        char *out = alloc_bytes((size_t)lcs_len + 1);
        string_lcs_walk(c, &o, t, a, alen, b, blen, out);
        reply_bulk(c, out, lcs_len);
        alloc_free(out);
    }
    alloc_free(t);
}

/* ---- the table ---- */

#define STRING_RANGE_COMPLEXITY                                                                   \
    "O(N) where N is the length of the returned string. The complexity is ultimately determined " \
    "by the returned length, but because creating a substring from an existing string is very "   \
    "cheap, it can be considered O(1) for small strings."

#define STRING_R_FAST (ACL_READ | ACL_STRING | ACL_FAST)
#define STRING_R_SLOW (ACL_READ | ACL_STRING | ACL_SLOW)
#define STRING_W_FAST (ACL_WRITE | ACL_STRING | ACL_FAST)
#define STRING_W_SLOW (ACL_WRITE | ACL_STRING | ACL_SLOW)

/* Arity, flags, ACL categories, key positions and docs as Redis 7.0.15's
 * COMMAND INFO and COMMAND DOCS report them. */
struct command string_commands[] = {
    {.name = "get", .proc = string_get_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = STRING_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get the value of a key", .since = "1.0.0", .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "set", .proc = string_set_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = STRING_W_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access update variable_flags/i1/r0,1,0",
     .key_spec_notes = {"RW and ACCESS due to the optional `GET` argument"},
     .summary = "Set the string value of a key", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .history = (const struct command_history[]){
         {"2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."},
         {"6.0.0", "Added the `KEEPTTL` option."},
         {"6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."},
         {"7.0.0", "Allowed the `NX` and `GET` options to be used together."},
         {0}},
     .arguments = "key^k#0 value^s condition^o@2.6.12?(nx^t='NX' xx^t='XX') get^t='GET'@6.2.0? "
                  "expiration^o?(seconds^i='EX'@2.6.12 milliseconds^i='PX'@2.6.12 "
                  "unix-time-seconds^u='EXAT'@6.2.0 unix-time-milliseconds^u='PXAT'@6.2.0 "
                  "keepttl^t='KEEPTTL'@6.0.0)"},
    {.name = "setnx", .proc = string_setnx_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "OW insert/i1/r0,1,0",
     .summary = "Set the value of a key, only if the key does not exist", .since = "1.0.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 value^s"},
    {.name = "setex", .proc = string_setex_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = STRING_W_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0",
     .summary = "Set the value and expiration of a key", .since = "2.0.0", .group = "string",
     .complexity = "O(1)",
     .arguments = "key^k#0 seconds^i value^s"},
    {.name = "psetex", .proc = string_psetex_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = STRING_W_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0",
     .summary = "Set the value and expiration in milliseconds of a key", .since = "2.6.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 milliseconds^i value^s"},
    {.name = "getset", .proc = string_getset_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Set the string value of a key and return its old value", .since = "1.0.0",
     .group = "string", .complexity = "O(1)",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`SET` with the `!GET` argument",
     .arguments = "key^k#0 value^s"},
    {.name = "getdel", .proc = string_getdel_command, .arity = 2, .flags = CMD_WRITE | CMD_FAST,
     .acl = STRING_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Get the value of a key and delete the key", .since = "6.2.0", .group = "string",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "getex", .proc = string_getex_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = STRING_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .key_spec_notes = {"RW and UPDATE because it changes the TTL"},
     .summary = "Get the value of a key and optionally set its expiration", .since = "6.2.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 expiration^o?(seconds^i='EX' milliseconds^i='PX' "
                  "unix-time-seconds^u='EXAT' unix-time-milliseconds^u='PXAT' "
                  "persist^t='PERSIST')"},
    {.name = "mget", .proc = string_mget_command, .arity = -2, .flags = CMD_READONLY | CMD_FAST,
     .acl = STRING_R_FAST, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "request_policy:multi_shard",
     .summary = "Get the values of all the given keys", .since = "1.0.0", .group = "string",
     .complexity = "O(N) where N is the number of keys to retrieve.",
     .arguments = "key^k#0*"},
    {.name = "mset", .proc = string_mset_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = STRING_W_SLOW, .first_key = 1, .last_key = -1, .key_step = 2,
     .tips = "request_policy:multi_shard response_policy:all_succeeded",
     .key_specs = "OW update/i1/r-1,2,0",
     .summary = "Set multiple keys to multiple values", .since = "1.0.1", .group = "string",
     .complexity = "O(N) where N is the number of keys to set.",
     .arguments = "key_value^b*(key^k#0 value^s)"},
    {.name = "msetnx", .proc = string_msetnx_command, .arity = -3, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = STRING_W_SLOW, .first_key = 1, .last_key = -1, .key_step = 2,
     .tips = "request_policy:multi_shard response_policy:agg_min",
     .key_specs = "OW insert/i1/r-1,2,0",
     .summary = "Set multiple keys to multiple values, only if none of the keys exist",
     .since = "1.0.1", .group = "string",
     .complexity = "O(N) where N is the number of keys to set.",
     .arguments = "key_value^b*(key^k#0 value^s)"},
    {.name = "incr", .proc = string_incr_command, .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the integer value of a key by one", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "decr", .proc = string_decr_command, .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Decrement the integer value of a key by one", .since = "1.0.0", .group = "string",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "incrby", .proc = string_incrby_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the integer value of a key by the given amount", .since = "1.0.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 increment^i"},
    {.name = "decrby", .proc = string_decrby_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Decrement the integer value of a key by the given number", .since = "1.0.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 decrement^i"},
    {.name = "incrbyfloat", .proc = string_incrbyfloat_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the float value of a key by the given amount", .since = "2.6.0",
     .group = "string", .complexity = "O(1)",
     .arguments = "key^k#0 increment^d"},
    {.name = "append", .proc = string_append_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = STRING_W_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Append a value to a key", .since = "2.0.0", .group = "string",
     .complexity = "O(1). The amortized time complexity is O(1) assuming the appended value is "
                   "small and the already present value is of any size, since the dynamic string "
                   "library used by Redis will double the free space available on every "
                   "reallocation.",
     .arguments = "key^k#0 value^s"},
    {.name = "strlen", .proc = string_strlen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = STRING_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the length of the value stored in a key", .since = "2.2.0", .group = "string",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "getrange", .proc = string_getrange_command, .arity = 4, .flags = CMD_READONLY,
     .acl = STRING_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get a substring of the string stored at a key", .since = "2.4.0",
     .group = "string", .complexity = STRING_RANGE_COMPLEXITY,
     .arguments = "key^k#0 start^i end^i"},
    {.name = "substr", .proc = string_getrange_command, .arity = 4, .flags = CMD_READONLY,
     .acl = STRING_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get a substring of the string stored at a key", .since = "1.0.0",
     .group = "string", .complexity = STRING_RANGE_COMPLEXITY,
     .doc_flags = "deprecated", .deprecated_since = "2.0.0", .replaced_by = "`GETRANGE`",
     .arguments = "key^k#0 start^i end^i"},
    {.name = "setrange", .proc = string_setrange_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = STRING_W_SLOW, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Overwrite part of a string at key starting at the specified offset",
     .since = "2.2.0", .group = "string",
     .complexity = "O(1), not counting the time taken to copy the new string in place. Usually, "
                   "this string is very small so the amortized complexity is O(1). Otherwise, "
                   "complexity is O(M) with M being the length of the value argument.",
     .arguments = "key^k#0 offset^i value^s"},
    {.name = "lcs", .proc = string_lcs_command, .arity = -3, .flags = CMD_READONLY,
     .acl = STRING_R_SLOW, .first_key = 1, .last_key = 2, .key_step = 1,
     .summary = "Find longest common substring", .since = "7.0.0", .group = "string",
     .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively",
     .arguments = "key1^k#0 key2^k#0 len^t='LEN'? idx^t='IDX'? len^i='MINMATCHLEN'? "
                  "withmatchlen^t='WITHMATCHLEN'?"},
    {0},
};
