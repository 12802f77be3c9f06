/* cmd_list.c: the list commands (pushes, pops, ranges, LSET/LREM/LTRIM,
 * LINSERT, LPOS, LMOVE/RPOPLPUSH and LMPOP).
 *
 * Owns the semantics Redis 7.0's t_list.c gives these commands: argument
 * parsing order and its error texts (which error wins when several apply),
 * index normalisation, reply shapes in RESP2 and RESP3, and deleting a list
 * once it is emptied. The data structure belongs to engine/list.c.
 *
 * The blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) are here
 * too: each serves at once when it can, else hands the client to
 * net/blocking.c, which runs the same handler again, restricted to the key
 * that became ready, when it is woken.
 *
 * The pops that choose a key (LMPOP, BLMPOP, BLPOP, BRPOP) run the
 * skeleton they share with the sorted-set pops, net/commands/mpop.c.
 *
 * AOF: a served blocking command is logged as the plain command with its
 * effect (BLPOP as LPOP key, BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH),
 * and LMPOP/BLMPOP as LPOP or RPOP key <count popped>, as Redis 7.0 logs
 * them; the others are logged as sent.
 *
 * Invariant: every handler sends exactly one reply, and every change to the
 * keyspace is reported once per key through notify_key_modified
 * and published as Redis 7.0's keyspace events (keyspace_event), in its
 * order. */
#include <assert.h>
#include <limits.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/kv.h"
#include "engine/list.h"
#include "engine/number.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/mpop.h"
#include "net/commands/notify.h"
#include "net/commands/propagate.h"
#include "net/commands/reply.h"
#include "net/commands/transaction.h"
#include "net/commands/typed_key.h"

static const char *const list_error_positive = "value is out of range, must be positive";
static const char *const list_error_rank_zero =
    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";

/* ---- Helpers ---- */

/* Returns the list at argv[i], creating the key if it is missing (the kv
 * must have been looked up already and found missing or a list). */
static struct list *list_get_or_create(struct client *c, int i, struct kv *kv)
{
    if (kv != NULL)
        return kv_object(kv);
    struct list *l = list_new(c->commands->keyspace->limits.list_max_listpack_size);
    db_add(c->db, kv_new_object(c->argv[i].ptr, c->argv[i].len, KV_LIST, KV_ENC_QUICKLIST, l));
    return l;
}

static void list_modified(struct client *c, int i)
{
    notify_key_modified(c->commands, c->db, c->argv[i].ptr, c->argv[i].len);
}

/* A keyspace event about the key at argv[i]: a list event, then "del" if
 * the change emptied (and so deleted) the key, as Redis reports them. */
static void list_event(struct client *c, int i, const char *event, bool deleted)
{
    keyspace_event(c->commands, NOTIFY_LIST, event, c->db->id, c->argv[i].ptr, c->argv[i].len);
    if (deleted)
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, c->argv[i].ptr,
                       c->argv[i].len);
}

static const char *list_push_event(enum list_end end)
{
    return end == LIST_HEAD ? "lpush" : "rpush";
}

static const char *list_pop_event(enum list_end end)
{
    return end == LIST_HEAD ? "lpop" : "rpop";
}

/* Parses LEFT/RIGHT (Redis's getListPositionFromObjectOrReply). */
static bool list_parse_end(struct client *c, int i, enum list_end *end)
{
    if (arg_equals(&c->argv[i], "left"))
        *end = LIST_HEAD;
    else if (arg_equals(&c->argv[i], "right"))
        *end = LIST_TAIL;
    else {
        reply_error_syntax(c);
        return false;
    }
    return true;
}

/* Parses a long long in min..max, replying msg (or the generic integer
 * error when msg is NULL and the text is no integer) otherwise. */
static bool list_parse_range(struct client *c, int i, long long min, long long max,
                             long long *out, const char *msg)
{
    if (!arg_get_ll(c, i, out, msg))
        return false;
    if (*out < min || *out > max) {
        if (msg != NULL)
            reply_error(c, msg);
        else
            reply_errorf(c, "value is out of range, value must between %lld and %lld", min, max);
        return false;
    }
    return true;
}

static void list_reply_entry(struct client *c, const struct list_entry *e)
{
    reply_bulk(c, e->str, e->len);
}

/* Replies count elements starting at index start, walking towards the tail
 * (or towards the head when reverse, start then being the first replied). */
static void list_reply_range(struct client *c, struct list *l, size_t start, size_t count,
                             bool reverse)
{
    reply_array_len(c, (long long)count);
    struct list_iter it;
    list_iter_init(&it, l, start, !reverse);
    for (size_t n = 0; n < count; n++) {
        struct list_entry e;
        list_iter_get(&it, &e);
        list_reply_entry(c, &e);
        list_iter_next(&it);
    }
}

/* ---- Pushes ---- */

static void list_push_generic(struct client *c, enum list_end end, bool only_existing)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL && only_existing) {
        reply_integer(c, 0);
        return;
    }
    struct list *l = list_get_or_create(c, 1, kv);
    for (int i = 2; i < c->argc; i++)
        list_push(l, end, c->argv[i].ptr, c->argv[i].len);
    list_modified(c, 1);
    /* Redis replies before it reports the push. */
    reply_integer(c, (long long)list_count(l));
    list_event(c, 1, list_push_event(end), false);
}

static void list_lpush_command(struct client *c)
{
    list_push_generic(c, LIST_HEAD, false);
}

static void list_rpush_command(struct client *c)
{
    list_push_generic(c, LIST_TAIL, false);
}

static void list_lpushx_command(struct client *c)
{
    list_push_generic(c, LIST_HEAD, true);
}

static void list_rpushx_command(struct client *c)
{
    list_push_generic(c, LIST_TAIL, true);
}

/* ---- Pops ---- */

/* Pops up to count elements from kv, the list at argv[key_index] (which
 * exists and is not empty), and replies them as an array, deleting the key
 * when it empties. Returns how many were popped. */
static size_t list_pop_range_reply(struct client *c, int key_index, struct kv *kv,
                                   enum list_end end, long long count)
{
    struct list *l = kv_object(kv);
    size_t n = (size_t)count < list_count(l) ? (size_t)count : list_count(l);
    if (end == LIST_HEAD) {
        list_reply_range(c, l, 0, n, false);
        list_delete_range(l, 0, n);
    } else {
        list_reply_range(c, l, list_count(l) - 1, n, true);
        list_delete_range(l, list_count(l) - n, n);
    }
    bool deleted = typed_key_delete_if_empty(c, kv);
    list_modified(c, key_index);
    list_event(c, key_index, list_pop_event(end), deleted);
    assert(n > 0);
    return n;
}

/* Pops one element from kv, the list at argv[key_index] (which exists and
 * is not empty), and replies it as a bulk, deleting the key when it
 * empties. */
static void list_pop_one_reply(struct client *c, int key_index, struct kv *kv, enum list_end end)
{
    struct list *l = kv_object(kv);
    struct list_entry e;
    list_peek(l, end, &e);
    list_reply_entry(c, &e);
    list_pop(l, end);
    bool deleted = typed_key_delete_if_empty(c, kv);
    list_modified(c, key_index);
    list_event(c, key_index, list_pop_event(end), deleted);
}

static void list_pop_generic(struct client *c, enum list_end end)
{
    bool has_count = c->argc == 3;
    long long count = 0;
    if (c->argc > 3) {
        reply_error_arity(c);
        return;
    }
    if (has_count && !list_parse_range(c, 2, 0, LONG_MAX, &count, list_error_positive))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        if (has_count)
            reply_null_array(c);
        else
            reply_null(c);
        return;
    }
    if (!has_count)
        list_pop_one_reply(c, 1, kv, end);
    else if (count == 0)
        reply_empty_array(c);
    else
        list_pop_range_reply(c, 1, kv, end, count);
}

static void list_lpop_command(struct client *c)
{
    list_pop_generic(c, LIST_HEAD);
}

static void list_rpop_command(struct client *c)
{
    list_pop_generic(c, LIST_TAIL);
}

/* ---- Reading ---- */

static void list_llen_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_LIST, &kv))
        return;
    reply_integer(c, kv == NULL ? 0 : (long long)list_count(kv_object(kv)));
}

/* Clamps a start..end pair of possibly negative indexes to a list of len
 * elements as LRANGE and LTRIM do. Returns false for an empty range. */
static bool list_clamp_range(long long len, long long *start, long long *end)
{
    if (*start < 0)
        *start += len;
    if (*end < 0)
        *end += len;
    if (*start < 0)
        *start = 0;
    if (*start > *end || *start >= len)
        return false;
    if (*end >= len)
        *end = len - 1;
    return true;
}

static void list_lrange_command(struct client *c)
{
    long long start, end;
    if (!arg_get_ll(c, 2, &start, NULL) || !arg_get_ll(c, 3, &end, NULL))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        reply_empty_array(c);
        return;
    }
    struct list *l = kv_object(kv);
    if (!list_clamp_range((long long)list_count(l), &start, &end)) {
        reply_empty_array(c);
        return;
    }
    list_reply_range(c, l, (size_t)start, (size_t)(end - start + 1), false);
}

/* Turns a possibly negative index into 0..len-1; false when out of range. */
static bool list_normalize_index(long long len, long long *index)
{
    if (*index < 0)
        *index += len;
    return *index >= 0 && *index < len;
}

static void list_lindex_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_LIST, &kv))
        return;
    long long index;
    if (kv == NULL) {
        reply_null(c);
        return;
    }
    if (!arg_get_ll(c, 2, &index, NULL))
        return;
    struct list *l = kv_object(kv);
    if (!list_normalize_index((long long)list_count(l), &index)) {
        reply_null(c);
        return;
    }
    struct list_entry e;
    list_get(l, (size_t)index, &e);
    list_reply_entry(c, &e);
}

/* ---- Changing in place ---- */

static void list_lset_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        reply_error(c, "no such key");
        return;
    }
    long long index;
    if (!arg_get_ll(c, 2, &index, NULL))
        return;
    struct list *l = kv_object(kv);
    if (!list_normalize_index((long long)list_count(l), &index)) {
        reply_error(c, "index out of range");
        return;
    }
    list_set(l, (size_t)index, c->argv[3].ptr, c->argv[3].len);
    list_modified(c, 1);
    reply_ok(c);
    list_event(c, 1, "lset", false);
}

static void list_lrem_command(struct client *c)
{
    long long count;
    if (!arg_get_ll(c, 2, &count, NULL))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        reply_integer(c, 0);
        return;
    }
    struct list *l = kv_object(kv);
    const struct resp_arg *element = &c->argv[3];
    bool forward = count >= 0;
    unsigned long long limit = count >= 0 ? (unsigned long long)count
                                          : 0ULL - (unsigned long long)count;
    struct list_iter it;
    list_iter_init(&it, l, forward ? 0 : list_count(l) - 1, forward);
    long long removed = 0;
    while (list_iter_valid(&it)) {
        if (list_iter_equals(&it, element->ptr, element->len)) {
            list_iter_delete(&it);
            removed++;
            if (limit != 0 && (unsigned long long)removed == limit)
                break;
        } else {
            list_iter_next(&it);
        }
    }
    if (removed > 0) {
        bool deleted = typed_key_delete_if_empty(c, kv);
        list_modified(c, 1);
        list_event(c, 1, "lrem", deleted);
    }
    reply_integer(c, removed);
}

static void list_ltrim_command(struct client *c)
{
    long long start, end;
    if (!arg_get_ll(c, 2, &start, NULL) || !arg_get_ll(c, 3, &end, NULL))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        reply_ok(c);
        return;
    }
    struct list *l = kv_object(kv);
    long long len = (long long)list_count(l);
    if (!list_clamp_range(len, &start, &end)) {
        start = 0;
        end = -1; /* keeps nothing */
    }
    long long removed = start + (len - end - 1);
    assert(removed >= 0);
    /* Trim the tail first, so the head range's indexes stay put. */
    list_delete_range(l, (size_t)(end + 1), (size_t)(len - end - 1));
    list_delete_range(l, 0, (size_t)start);
    bool deleted = typed_key_delete_if_empty(c, kv);
    /* Redis counts a trim that removed nothing as no change (so it is not
     * logged to the AOF) yet still signals the key to WATCH, and reports
     * "ltrim" either way. */
    if (removed > 0)
        list_modified(c, 1);
    else
        transaction_key_touched(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
    list_event(c, 1, "ltrim", deleted);
    reply_ok(c);
}

static void list_linsert_command(struct client *c)
{
    enum listpack_where where;
    if (arg_equals(&c->argv[2], "after"))
        where = LISTPACK_AFTER;
    else if (arg_equals(&c->argv[2], "before"))
        where = LISTPACK_BEFORE;
    else {
        reply_error_syntax(c);
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        reply_integer(c, 0);
        return;
    }
    struct list *l = kv_object(kv);
    struct list_iter it;
    list_iter_init(&it, l, 0, true);
    while (list_iter_valid(&it) && !list_iter_equals(&it, c->argv[3].ptr, c->argv[3].len))
        list_iter_next(&it);
    if (!list_iter_valid(&it)) {
        reply_integer(c, -1);
        return;
    }
    list_iter_insert(&it, where, c->argv[4].ptr, c->argv[4].len);
    list_modified(c, 1);
    list_event(c, 1, "linsert", false);
    reply_integer(c, (long long)list_count(l));
}

/* ---- LPOS ---- */

struct list_pos_options {
    long long rank;   /* 1-based match to start from; negative from the tail */
    long long count;  /* -1 when COUNT is absent, 0 for every match */
    long long maxlen; /* elements to compare at most, 0 for all */
};

static bool list_pos_parse(struct client *c, struct list_pos_options *opt)
{
    *opt = (struct list_pos_options){.rank = 1, .count = -1, .maxlen = 0};
    for (int i = 3; i < c->argc; i++) {
        bool more = i + 1 < c->argc;
        if (arg_equals(&c->argv[i], "rank") && more) {
            if (!arg_get_ll(c, ++i, &opt->rank, NULL))
                return false;
            if (opt->rank == 0) {
                reply_error(c, list_error_rank_zero);
                return false;
            }
            /* Redis negates the rank in a long, so LLONG_MIN stays negative
             * and any match satisfies it: it acts as -1. */
            if (opt->rank == LLONG_MIN)
                opt->rank = -1;
        } else if (arg_equals(&c->argv[i], "count") && more) {
            if (!list_parse_range(c, ++i, 0, LONG_MAX, &opt->count, "COUNT can't be negative"))
                return false;
        } else if (arg_equals(&c->argv[i], "maxlen") && more) {
            if (!list_parse_range(c, ++i, 0, LONG_MAX, &opt->maxlen, "MAXLEN can't be negative"))
                return false;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

static void list_lpos_command(struct client *c)
{
    struct list_pos_options opt;
    if (!list_pos_parse(c, &opt))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_LIST, &kv))
        return;
    if (kv == NULL) {
        if (opt.count != -1)
            reply_empty_array(c);
        else
            reply_null(c);
        return;
    }
    struct list *l = kv_object(kv);
    bool forward = opt.rank > 0;
    long long skip = (forward ? opt.rank : -opt.rank) - 1;
    size_t handle = opt.count != -1 ? reply_defer_len(c) : 0;
    long long matches = 0;
    long long len = (long long)list_count(l);
    struct list_iter it;
    list_iter_init(&it, l, forward ? 0 : (size_t)len - 1, forward);
    for (long long n = 0; list_iter_valid(&it) && (opt.maxlen == 0 || n < opt.maxlen); n++) {
        if (list_iter_equals(&it, c->argv[2].ptr, c->argv[2].len)) {
            if (skip > 0) {
                skip--;
            } else {
                long long index = forward ? n : len - 1 - n;
                if (opt.count == -1) {
                    reply_integer(c, index);
                    return;
                }
                reply_integer(c, index);
                matches++;
                if (opt.count != 0 && matches == opt.count)
                    break;
            }
        }
        list_iter_next(&it);
    }
    if (opt.count != -1)
        reply_set_defer_len(c, handle, matches, '*');
    else
        reply_null(c);
}

/* ---- Moving between lists ---- */

/* Moves one element from the end `from` of the list at argv[1] to the end
 * `to` of the list at argv[2], replying the element (LMOVE, RPOPLPUSH).
 * Returns whether it moved one. */
static bool list_move_generic(struct client *c, enum list_end from, enum list_end to)
{
    struct kv *src;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &src))
        return false;
    if (src == NULL) {
        reply_null(c);
        return false;
    }
    struct kv *dst;
    if (!typed_key_lookup(c, 2, DB_LOOKUP_WRITE, KV_LIST, &dst))
        return false;
    struct list *sl = kv_object(src);
    struct list_entry e;
    list_peek(sl, from, &e);
    /* The element must outlive its node: copy it before popping. */
    char *value = alloc_bytes(e.len + 1);
    memcpy(value, e.str, e.len);
    size_t value_len = e.len;
    list_pop(sl, from);
    struct list *dl = list_get_or_create(c, 2, dst);
    list_push(dl, to, value, value_len);
    /* Redis reports the push, replies, then reports the pop. */
    list_event(c, 2, list_push_event(to), false);
    reply_bulk(c, value, value_len);
    alloc_free(value);
    bool deleted = typed_key_delete_if_empty(c, src);
    list_modified(c, 1);
    bool same = c->argv[1].len == c->argv[2].len &&
                memcmp(c->argv[1].ptr, c->argv[2].ptr, c->argv[1].len) == 0;
    if (!same)
        list_modified(c, 2);
    list_event(c, 1, list_pop_event(from), deleted);
    return true;
}

static void list_lmove_command(struct client *c)
{
    enum list_end from, to;
    if (!list_parse_end(c, 3, &from) || !list_parse_end(c, 4, &to))
        return;
    list_move_generic(c, from, to);
}

static void list_rpoplpush_command(struct client *c)
{
    list_move_generic(c, LIST_TAIL, LIST_HEAD);
}

/* ---- Pops that choose a key: LMPOP, BLMPOP, BLPOP, BRPOP ---- */

static enum list_end list_end_of(enum mpop_end end)
{
    return end == MPOP_END_LOW ? LIST_HEAD : LIST_TAIL;
}

static long long list_mpop_pop_many(struct client *c, int key_index, struct kv *kv,
                                    enum mpop_end end, long long count)
{
    return (long long)list_pop_range_reply(c, key_index, kv, list_end_of(end), count);
}

static void list_mpop_pop_one(struct client *c, int key_index, struct kv *kv, enum mpop_end end)
{
    list_pop_one_reply(c, key_index, kv, list_end_of(end));
}

/* What net/commands/mpop.c needs to know of lists. */
static const struct mpop_family list_mpop_family = {
    .type = KV_LIST,
    .blocked_kind = BLOCKED_LIST,
    .end_words = {"left", "right"},
    .pop_commands = {"LPOP", "RPOP"},
    .element_replies = 1,
    .pop_many = list_mpop_pop_many,
    .pop_one = list_mpop_pop_one,
};

static void list_lmpop_command(struct client *c)
{
    mpop_generic(c, &list_mpop_family, 1, -1);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void list_blmpop_command(struct client *c)
{
    mpop_generic(c, &list_mpop_family, 2, 1);
}

/* ---- Blocking pops and moves ---- */

/* BLPOP/BRPOP key [key ...] timeout: the first key (in argument order)
 * holding a list serves, replying [key, element]. */
static void list_blpop_command(struct client *c)
{
    mpop_blocking_pop_generic(c, &list_mpop_family, MPOP_END_LOW);
}

static void list_brpop_command(struct client *c)
{
    mpop_blocking_pop_generic(c, &list_mpop_family, MPOP_END_HIGH);
}

/* BLMOVE and BRPOPLPUSH: LMOVE once the source (argv[1]) has data. Inside
 * EXEC an empty source replies a null bulk, as Redis does (a timeout
 * replies a null array). Returns whether an element moved. */
static bool list_blocking_move_generic(struct client *c, enum list_end from, enum list_end to,
                                       int timeout_index)
{
    int64_t deadline;
    if (!blocking_parse_timeout(c, timeout_index, &deadline))
        return false;
    struct kv *src;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_LIST, &src))
        return false;
    if (src != NULL)
        return list_move_generic(c, from, to);
    if (c->flags & CLIENT_DENY_BLOCKING)
        reply_null(c);
    else
        blocking_block(c, BLOCKED_LIST, 1, 1, deadline);
    return false;
}

/* A served BLMOVE is logged as LMOVE. Served at once it keeps the client's
 * own spelling of the ends; on a wake-up Redis 7.0 writes them itself, in
 * lowercase, and so does this. */
static void list_blmove_command(struct client *c)
{
    enum list_end from, to;
    if (!list_parse_end(c, 3, &from) || !list_parse_end(c, 4, &to))
        return;
    if (!list_blocking_move_generic(c, from, to, 5))
        return;
    struct aof_arg argv[] = {
        aof_arg_str("LMOVE"), aof_arg_of(&c->argv[1]), aof_arg_of(&c->argv[2]),
        aof_arg_of(&c->argv[3]), aof_arg_of(&c->argv[4]),
    };
    if (c->blocked.serving) {
        argv[3] = aof_arg_str(from == LIST_HEAD ? "left" : "right");
        argv[4] = aof_arg_str(to == LIST_HEAD ? "left" : "right");
    }
    propagate_as(c, 5, argv);
}

static void list_brpoplpush_command(struct client *c)
{
    if (!list_blocking_move_generic(c, LIST_TAIL, LIST_HEAD, 3))
        return;
    struct aof_arg argv[] = {aof_arg_str("RPOPLPUSH"), aof_arg_of(&c->argv[1]),
                             aof_arg_of(&c->argv[2])};
    propagate_as(c, 3, argv);
}

/* ---- Table ---- */

#define LIST_PUSH_COMPLEXITY                                                                  \
    "O(1) for each element added, so O(N) to add N elements when the command is called with " \
    "multiple arguments."

struct command list_commands[] = {
    {.name = "lpush", .proc = list_lpush_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_LIST | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Prepend one or multiple elements to a list", .since = "1.0.0", .group = "list",
     .complexity = LIST_PUSH_COMPLEXITY,
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple `element` arguments."},
         {0}},
     .arguments = "key^k#0 element^s*"},
    {.name = "rpush", .proc = list_rpush_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_LIST | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Append one or multiple elements to a list", .since = "1.0.0", .group = "list",
     .complexity = LIST_PUSH_COMPLEXITY,
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple `element` arguments."},
         {0}},
     .arguments = "key^k#0 element^s*"},
    {.name = "lpushx", .proc = list_lpushx_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_LIST | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Prepend an element to a list, only if the list exists", .since = "2.2.0",
     .group = "list", .complexity = LIST_PUSH_COMPLEXITY,
     .history = (const struct command_history[]){
         {"4.0.0", "Accepts multiple `element` arguments."},
         {0}},
     .arguments = "key^k#0 element^s*"},
    {.name = "rpushx", .proc = list_rpushx_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_LIST | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Append an element to a list, only if the list exists", .since = "2.2.0",
     .group = "list", .complexity = LIST_PUSH_COMPLEXITY,
     .history = (const struct command_history[]){
         {"4.0.0", "Accepts multiple `element` arguments."},
         {0}},
     .arguments = "key^k#0 element^s*"},
    {.name = "lpop", .proc = list_lpop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_WRITE | ACL_LIST | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Remove and get the first elements in a list", .since = "1.0.0", .group = "list",
     .complexity = "O(N) where N is the number of elements returned",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `count` argument."},
         {0}},
     .arguments = "key^k#0 count^i@6.2.0?"},
    {.name = "rpop", .proc = list_rpop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_WRITE | ACL_LIST | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Remove and get the last elements in a list", .since = "1.0.0", .group = "list",
     .complexity = "O(N) where N is the number of elements returned",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `count` argument."},
         {0}},
     .arguments = "key^k#0 count^i@6.2.0?"},
    {.name = "llen", .proc = list_llen_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_LIST | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the length of a list", .since = "1.0.0", .group = "list", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "lrange", .proc = list_lrange_command, .arity = 4, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get a range of elements from a list", .since = "1.0.0", .group = "list",
     .complexity = "O(S+N) where S is the distance of start offset from HEAD for small lists, from "
                   "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in "
                   "the specified range.",
     .arguments = "key^k#0 start^i stop^i"},
    {.name = "lindex", .proc = list_lindex_command, .arity = 3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get an element from a list by its index", .since = "1.0.0", .group = "list",
     .complexity = "O(N) where N is the number of elements to traverse to get to the element at "
                   "index. This makes asking for the first or the last element of the list O(1).",
     .arguments = "key^k#0 index^i"},
    {.name = "lset", .proc = list_lset_command, .arity = 4, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Set the value of an element in a list by its index", .since = "1.0.0",
     .group = "list",
     .complexity = "O(N) where N is the length of the list. Setting either the first or the last "
                   "element of the list is O(1).",
     .arguments = "key^k#0 index^i element^s"},
    {.name = "lrem", .proc = list_lrem_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove elements from a list", .since = "1.0.0", .group = "list",
     .complexity = "O(N+M) where N is the length of the list and M is the number of elements "
                   "removed.",
     .arguments = "key^k#0 count^i element^s"},
    {.name = "ltrim", .proc = list_ltrim_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Trim a list to the specified range", .since = "1.0.0", .group = "list",
     .complexity = "O(N) where N is the number of elements to be removed by the operation.",
     .arguments = "key^k#0 start^i stop^i"},
    {.name = "linsert", .proc = list_linsert_command, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Insert an element before or after another element in a list", .since = "2.2.0",
     .group = "list",
     .complexity = "O(N) where N is the number of elements to traverse before seeing the value "
                   "pivot. This means that inserting somewhere on the left end on the list (head) "
                   "can be considered O(1) and inserting somewhere on the right end (tail) is "
                   "O(N).",
     .arguments = "key^k#0 where^o(before^t='BEFORE' after^t='AFTER') pivot^s element^s"},
    {.name = "lpos", .proc = list_lpos_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Return the index of matching elements on a list", .since = "6.0.6",
     .group = "list",
     .complexity = "O(N) where N is the number of elements in the list, for the average case. When "
                   "searching for elements near the head or the tail of the list, or when the "
                   "MAXLEN option is provided, the command may run in constant time.",
     .arguments = "key^k#0 element^s rank^i='RANK'? num-matches^i='COUNT'? len^i='MAXLEN'?"},
    {.name = "lmove", .proc = list_lmove_command, .arity = 5, .flags = CMD_WRITE | CMD_DENYOOM,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0",
     .summary = "Pop an element from a list, push it to another list and return it",
     .since = "6.2.0", .group = "list", .complexity = "O(1)",
     .arguments = "source^k#0 destination^k#1 wherefrom^o(left^t='LEFT' right^t='RIGHT') "
                  "whereto^o(left^t='LEFT' right^t='RIGHT')"},
    {.name = "rpoplpush", .proc = list_rpoplpush_command, .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 1,
     .last_key = 2, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0",
     .summary = "Remove the last element in a list, prepend it to another list and return it",
     .since = "1.2.0", .group = "list", .complexity = "O(1)",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`LMOVE` with the `RIGHT` and `LEFT` arguments",
     .arguments = "source^k#0 destination^k#1"},
    {.name = "lmpop", .proc = list_lmpop_command, .arity = -4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RW access delete/i1/n0,1,1",
     .summary = "Pop elements from a list", .since = "7.0.0", .group = "list",
     .complexity = "O(N+M) where N is the number of provided keys and M is the number of elements "
                   "returned.",
     .arguments = "numkeys^i key^k#0* where^o(left^t='LEFT' right^t='RIGHT') count^i='COUNT'?"},
    {.name = "blpop", .proc = list_blpop_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING, .first_key = 1, .last_key = -2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r-2,1,0",
     .summary = "Remove and get the first element in a list, or block until one is available",
     .since = "2.0.0", .group = "list",
     .complexity = "O(N) where N is the number of provided keys.",
     .history = (const struct command_history[]){
         {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
         {0}},
     .arguments = "key^k#0* timeout^d"},
    {.name = "brpop", .proc = list_brpop_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING, .first_key = 1, .last_key = -2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r-2,1,0",
     .summary = "Remove and get the last element in a list, or block until one is available",
     .since = "2.0.0", .group = "list",
     .complexity = "O(N) where N is the number of provided keys.",
     .history = (const struct command_history[]){
         {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
         {0}},
     .arguments = "key^k#0* timeout^d"},
    {.name = "blmove", .proc = list_blmove_command, .arity = 6,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING, .first_key = 1, .last_key = 2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until "
                "one is available",
     .since = "6.2.0", .group = "list", .complexity = "O(1)",
     .arguments = "source^k#0 destination^k#1 wherefrom^o(left^t='LEFT' right^t='RIGHT') "
                  "whereto^o(left^t='LEFT' right^t='RIGHT') timeout^d"},
    {.name = "brpoplpush", .proc = list_brpoplpush_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING, .first_key = 1, .last_key = 2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0",
     .summary = "Pop an element from a list, push it to another list and return it; or block until "
                "one is available",
     .since = "2.2.0", .group = "list", .complexity = "O(1)",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
     .history = (const struct command_history[]){
         {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
         {0}},
     .arguments = "source^k#0 destination^k#1 timeout^d"},
    {.name = "blmpop", .proc = list_blmpop_command, .arity = -5, .flags = CMD_WRITE | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_LIST | ACL_SLOW | ACL_BLOCKING, .first_key = 0, .last_key = 0,
     .key_step = 0,
     .key_specs = "RW access delete/i2/n0,1,1",
     .summary = "Pop elements from a list, or block until one is available", .since = "7.0.0",
     .group = "list",
     .complexity = "O(N+M) where N is the number of provided keys and M is the number of elements "
                   "returned.",
     .arguments = "timeout^d numkeys^i key^k#0* where^o(left^t='LEFT' right^t='RIGHT') "
                  "count^i='COUNT'?"},
    {0},
};
