/* cmd_set.c: the set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER,
 * SMEMBERS, SPOP, SRANDMEMBER, SMOVE, SINTER, SINTERCARD, SUNION, SDIFF,
 * their *STORE forms, and SSCAN.
 *
 * The data structure and its encodings are engine/set.c's; this file owns
 * Redis 7.0's command semantics: argument errors and their order, reply
 * shapes (a RESP3 set for whole-set replies), which algorithm picks the
 * members of a result (that decides the stored encoding), deleting sets
 * that become empty, and reporting each changed key once.
 *
 * AOF: SPOP is random, so it is logged as what it removed, as Redis 7.0
 * does: SREM key member for a single pop, one SREM per member for a pop
 * with a count (the unit is wrapped in MULTI/EXEC), or DEL key when the
 * count took the whole set. Everything else is logged as sent. */
#include <assert.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/glob.h"
#include "engine/set.h"
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

/* SPOP with a count rebuilds the set from the survivors when few remain
 * (Redis's SPOP_MOVE_STRATEGY_MUL), and SRANDMEMBER copies the whole set
 * when asked for more than a third of it (SRANDMEMBER_SUB_STRATEGY_MUL). */
#define SET_SPOP_MOVE_STRATEGY_MUL 5
#define SET_SRANDMEMBER_SUB_STRATEGY_MUL 3
/* SSCAN visits at most COUNT times this many buckets per call. */
#define SET_SCAN_ITERATIONS_PER_COUNT 10

enum set_op { SET_OP_UNION, SET_OP_DIFF };

static long long set_intset_max(const struct client *c)
{
    return c->commands->keyspace->limits.set_max_intset_entries;
}

/* Replies every member of kv as a RESP3 set (a RESP2 array). */
static void set_reply_members(struct client *c, const struct kv *kv)
{
    reply_set_len(c, (long long)set_size(kv));
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e))
        reply_bulk(c, e.ptr, e.len);
    set_iter_done(&it);
}

/* A keyspace event about the key at argv[i]: a set event (unless NULL),
 * then "del" if the change emptied (and so deleted) the key, as Redis
 * reports them. */
static void set_event(struct client *c, int i, const char *event, bool deleted)
{
    if (event)
        keyspace_event(c->commands, NOTIFY_SET, event, c->db->id, c->argv[i].ptr,
                       c->argv[i].len);
    if (deleted)
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, c->argv[i].ptr,
                       c->argv[i].len);
}

/* ---- SADD, SREM, SCARD, SISMEMBER, SMISMEMBER ---- */

static void set_sadd_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_SET, &kv))
        return;
    if (!kv) {
        kv = set_new_kv(c->argv[1].ptr, c->argv[1].len, c->argv[2].ptr, c->argv[2].len);
        db_add(c->db, kv);
    }
    long long added = 0;
    for (int i = 2; i < c->argc; i++)
        added += set_add(kv, c->argv[i].ptr, c->argv[i].len, set_intset_max(c));
    if (added) {
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        set_event(c, 1, "sadd", false);
    }
    reply_integer(c, added);
}

static void set_srem_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_SET, &kv))
        return;
    if (!kv) {
        reply_integer(c, 0);
        return;
    }
    long long removed = 0;
    for (int i = 2; i < c->argc; i++) {
        removed += set_remove(kv, c->argv[i].ptr, c->argv[i].len);
        if (set_size(kv) == 0)
            break;
    }
    if (removed) {
        bool deleted = typed_key_delete_if_empty(c, kv);
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        set_event(c, 1, "srem", deleted);
    }
    reply_integer(c, removed);
}

static void set_scard_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    reply_integer(c, kv ? (long long)set_size(kv) : 0);
}

static void set_sismember_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    reply_integer(c, kv && set_contains(kv, c->argv[2].ptr, c->argv[2].len));
}

static void set_smismember_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_integer(c, kv && set_contains(kv, c->argv[i].ptr, c->argv[i].len));
}

/* ---- SINTER, SMEMBERS, SINTERSTORE, SINTERCARD ---- */

static int set_compare_by_size(const void *a, const void *b)
{
    size_t sa = set_size(*(struct kv *const *)a), sb = set_size(*(struct kv *const *)b);
    return sa < sb ? -1 : sa > sb;
}

/* Looks up argv[first .. first+count). Returns false after a WRONGTYPE
 * reply (every key is checked, even after a missing one, as Redis does).
 * Missing keys are NULL in sets[] and counted in *missing. */
static bool set_lookup_all(struct client *c, int first, int count, int flags, struct kv **sets,
                           int *missing)
{
    *missing = 0;
    for (int j = 0; j < count; j++) {
        if (!typed_key_lookup(c, first + j, flags, KV_SET, &sets[j]))
            return false;
        if (!sets[j])
            (*missing)++;
    }
    return true;
}

/* Whether e is in every set after the first. */
static bool set_in_all_others(struct kv **sets, int count, const struct set_elem *e)
{
    for (int j = 1; j < count; j++) {
        if (sets[j] == sets[0])
            continue;
        if (!set_contains(sets[j], e->ptr, e->len))
            return false;
    }
    return true;
}

/* Replies the intersection of the (all present) sets, stores it at dst
 * (a key from argv, or NULL), or replies its size up to limit (0: none). */
static void set_inter_run(struct client *c, struct kv **sets, int count,
                          const struct resp_arg *dst, bool cardinality_only, long long limit)
{
    qsort(sets, (size_t)count, sizeof(*sets), set_compare_by_size);
    struct kv *result = dst ? set_new_kv(dst->ptr, dst->len, NULL, 0) : NULL;
    size_t handle = (!dst && !cardinality_only) ? reply_defer_len(c) : 0;
    long long cardinality = 0;
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &e)) {
        if (!set_in_all_others(sets, count, &e))
            continue;
        if (result) {
            set_add(result, e.ptr, e.len, set_intset_max(c));
            continue;
        }
        cardinality++;
        if (cardinality_only) {
            if (limit && cardinality >= limit)
                break;
        } else {
            reply_bulk(c, e.ptr, e.len);
        }
    }
    set_iter_done(&it);
    if (result)
        typed_key_store_result(c, dst, result, NOTIFY_SET, "sinterstore");
    else if (cardinality_only)
        reply_integer(c, cardinality);
    else
        reply_set_defer_len(c, handle, cardinality, '~');
}

/* SINTER/SINTERSTORE/SINTERCARD over argv[first .. first+count). */
static void set_inter_generic(struct client *c, int first, int count, const struct resp_arg *dst,
                              bool cardinality_only, long long limit)
{
    struct kv **sets = alloc_bytes(sizeof(*sets) * (size_t)count);
    int missing;
    if (!set_lookup_all(c, first, count, DB_LOOKUP_READ, sets,
                        &missing)) {
        alloc_free(sets);
        return;
    }
    if (missing == 0) {
        set_inter_run(c, sets, count, dst, cardinality_only, limit);
    } else if (dst) {
        /* Any missing set makes the intersection empty. */
        if (db_delete(c->db, dst->ptr, dst->len)) {
            notify_key_modified(c->commands, c->db, dst->ptr, dst->len);
            keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, dst->ptr, dst->len);
        }
        reply_integer(c, 0);
    } else if (cardinality_only) {
        reply_integer(c, 0);
    } else {
        reply_set_len(c, 0);
    }
    alloc_free(sets);
}

static void set_sinter_command(struct client *c)
{
    set_inter_generic(c, 1, c->argc - 1, NULL, false, 0);
}

/* SMEMBERS is SINTER of one key, as in Redis 7.0. */
static void set_smembers_command(struct client *c)
{
    set_inter_generic(c, 1, 1, NULL, false, 0);
}

static void set_sinterstore_command(struct client *c)
{
    set_inter_generic(c, 2, c->argc - 2, &c->argv[1], false, 0);
}

static void set_sintercard_command(struct client *c)
{
    const char *numkeys_error = "numkeys should be greater than 0";
    long long numkeys, limit = 0;
    if (!arg_get_ll(c, 1, &numkeys, numkeys_error))
        return;
    if (numkeys < 1) {
        reply_error(c, numkeys_error);
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(c, "Number of keys can't be greater than number of args");
        return;
    }
    for (int j = 2 + (int)numkeys; j < c->argc; j++) {
        bool more = c->argc - 1 - j > 0;
        if (!more || !arg_equals(&c->argv[j], "limit")) {
            reply_error_syntax(c);
            return;
        }
        j++;
        const char *limit_error = "LIMIT can't be negative";
        if (!arg_get_ll(c, j, &limit, limit_error))
            return;
        if (limit < 0) {
            reply_error(c, limit_error);
            return;
        }
    }
    set_inter_generic(c, 2, (int)numkeys, NULL, true, limit);
}

/* ---- SUNION, SDIFF and their STORE forms ---- */

static int set_compare_by_size_desc(const void *a, const void *b)
{
    const struct kv *ka = *(struct kv *const *)a, *kb = *(struct kv *const *)b;
    size_t sa = ka ? set_size(ka) : 0, sb = kb ? set_size(kb) : 0;
    return sa > sb ? -1 : sa < sb;
}

/* Adds every member of from to result. */
static void set_add_all(struct client *c, struct kv *result, const struct kv *from)
{
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, from);
    while (set_iter_next(&it, &e))
        set_add(result, e.ptr, e.len, set_intset_max(c));
    set_iter_done(&it);
}

/* Redis's first SDIFF algorithm: test each member of the first set
 * against the others (sorted largest first, so misses come early). */
static void set_diff_by_lookup(struct client *c, struct kv *result, struct kv **sets, int count)
{
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &e)) {
        int j;
        for (j = 1; j < count; j++) {
            if (!sets[j])
                continue;
            if (sets[j] == sets[0] || set_contains(sets[j], e.ptr, e.len))
                break;
        }
        if (j == count)
            set_add(result, e.ptr, e.len, set_intset_max(c));
    }
    set_iter_done(&it);
}

/* Redis's second SDIFF algorithm: copy the first set, then remove every
 * member of the others (the copy may have converted on the way and stays
 * a hashtable, as in Redis). */
static void set_diff_by_removal(struct client *c, struct kv *result, struct kv **sets, int count)
{
    set_add_all(c, result, sets[0]);
    for (int j = 1; j < count && set_size(result) > 0; j++) {
        if (!sets[j])
            continue;
        struct set_iter it;
        struct set_elem e;
        set_iter_init(&it, sets[j]);
        while (set_iter_next(&it, &e))
            set_remove(result, e.ptr, e.len);
        set_iter_done(&it);
    }
}

/* Computes the union or difference of sets[] (NULL for missing keys) into
 * result, choosing the difference algorithm by Redis 7.0's cost estimate. */
static void set_union_diff_fill(struct client *c, struct kv *result, struct kv **sets, int count,
                                enum set_op op)
{
    if (op == SET_OP_UNION) {
        for (int j = 0; j < count; j++)
            if (sets[j])
                set_add_all(c, result, sets[j]);
        return;
    }
    if (!sets[0])
        return;
    long long lookup_work = 0, removal_work = 0;
    for (int j = 0; j < count; j++) {
        if (!sets[j])
            continue;
        /* Naming the first key again makes the difference empty. */
        if (j > 0 && sets[j] == sets[0])
            return;
        lookup_work += (long long)set_size(sets[0]);
        removal_work += (long long)set_size(sets[j]);
    }
    lookup_work /= 2;
    if (lookup_work <= removal_work) {
        if (count > 1)
            qsort(sets + 1, (size_t)count - 1, sizeof(*sets), set_compare_by_size_desc);
        set_diff_by_lookup(c, result, sets, count);
    } else {
        set_diff_by_removal(c, result, sets, count);
    }
}

static void set_union_diff_generic(struct client *c, int first, int count,
                                   const struct resp_arg *dst, enum set_op op)
{
    struct kv **sets = alloc_bytes(sizeof(*sets) * (size_t)count);
    int missing;
    if (!set_lookup_all(c, first, count, DB_LOOKUP_READ, sets,
                        &missing)) {
        alloc_free(sets);
        return;
    }
    /* Redis builds every result as a fresh set, starting as an intset. */
    struct kv *result = dst ? set_new_kv(dst->ptr, dst->len, NULL, 0) : set_new_kv("", 0, NULL, 0);
    set_union_diff_fill(c, result, sets, count, op);
    alloc_free(sets);
    if (dst) {
        typed_key_store_result(c, dst, result, NOTIFY_SET,
                               op == SET_OP_UNION ? "sunionstore" : "sdiffstore");
        return;
    }
    set_reply_members(c, result);
    kv_free(result);
}

static void set_sunion_command(struct client *c)
{
    set_union_diff_generic(c, 1, c->argc - 1, NULL, SET_OP_UNION);
}

static void set_sdiff_command(struct client *c)
{
    set_union_diff_generic(c, 1, c->argc - 1, NULL, SET_OP_DIFF);
}

static void set_sunionstore_command(struct client *c)
{
    set_union_diff_generic(c, 2, c->argc - 2, &c->argv[1], SET_OP_UNION);
}

static void set_sdiffstore_command(struct client *c)
{
    set_union_diff_generic(c, 2, c->argc - 2, &c->argv[1], SET_OP_DIFF);
}

/* ---- SMOVE ---- */

static void set_smove_command(struct client *c)
{
    struct kv *src = db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, DB_LOOKUP_WRITE);
    struct kv *dst = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len, DB_LOOKUP_WRITE);
    const struct resp_arg *member = &c->argv[3];
    if (!src) {
        reply_integer(c, 0);
        return;
    }
    if (src->type != KV_SET || (dst && dst->type != KV_SET)) {
        reply_error_wrongtype(c);
        return;
    }
    if (src == dst) {
        reply_integer(c, set_contains(src, member->ptr, member->len));
        return;
    }
    if (!set_remove(src, member->ptr, member->len)) {
        reply_integer(c, 0);
        return;
    }
    bool deleted = typed_key_delete_if_empty(c, src);
    /* Redis reports the source's events before it creates the destination
     * (whose "new" event db_add reports). */
    set_event(c, 1, "srem", deleted);
    if (!dst) {
        dst = set_new_kv(c->argv[2].ptr, c->argv[2].len, member->ptr, member->len);
        db_add(c->db, dst);
    }
    notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
    if (set_add(dst, member->ptr, member->len, set_intset_max(c))) {
        notify_key_modified(c->commands, c->db, c->argv[2].ptr, c->argv[2].len);
        set_event(c, 2, "sadd", false);
    }
    reply_integer(c, 1);
}

/* ---- SPOP ---- */

/* Logs the removal of one popped member: SREM key member. Called before
 * the member is removed (the record is copied at once). */
static void set_propagate_srem(struct client *c, const struct set_elem *e)
{
    struct aof_arg argv[] = {aof_arg_str("SREM"), aof_arg_of(&c->argv[1]), {e->ptr, e->len}};
    propagate_add(c->commands, c->db->id, 3, argv);
}

static void set_spop_one(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_SET, &kv))
        return;
    if (!kv) {
        reply_null(c);
        return;
    }
    struct set_elem e;
    set_random(kv, random64_next, &e);
    /* Redis reports "spop" before the reply, "del" after it. */
    set_event(c, 1, "spop", false);
    reply_bulk(c, e.ptr, e.len);
    struct aof_arg argv[] = {aof_arg_str("SREM"), aof_arg_of(&c->argv[1]), {e.ptr, e.len}};
    propagate_as(c, 3, argv);
    /* The reply and the log hold copies, so removing may free the bytes e
     * points at. */
    bool removed = set_remove(kv, e.ptr, e.len);
    assert(removed);
    bool deleted = typed_key_delete_if_empty(c, kv);
    notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
    set_event(c, 1, NULL, deleted);
}

/* Pops count random members one at a time (most of the set stays). */
static void set_spop_each(struct client *c, struct kv *kv, long long count)
{
    reply_set_len(c, count);
    for (long long i = 0; i < count; i++) {
        struct set_elem e;
        set_random(kv, random64_next, &e);
        reply_bulk(c, e.ptr, e.len);
        set_propagate_srem(c, &e);
        bool removed = set_remove(kv, e.ptr, e.len);
        assert(removed);
    }
}

/* Moves the few survivors to a new set and replies what is left of the old
 * one. As in Redis, the new set's encoding follows its own members, so a
 * hashtable of integers can come back as an intset. */
static void set_spop_keep_rest(struct client *c, struct kv *kv, long long count)
{
    long long remaining = (long long)set_size(kv) - count;
    struct kv *kept = NULL;
    for (long long i = 0; i < remaining; i++) {
        struct set_elem e;
        set_random(kv, random64_next, &e);
        if (!kept)
            kept = set_new_kv("", 0, e.ptr, e.len);
        set_add(kept, e.ptr, e.len, set_intset_max(c));
        bool removed = set_remove(kv, e.ptr, e.len);
        assert(removed);
    }
    assert(kept && (long long)set_size(kv) == count);
    set_reply_members(c, kv);
    /* The members popped are those replied, logged in the same order. */
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e))
        set_propagate_srem(c, &e);
    set_iter_done(&it);
    /* Swap the objects: the key keeps its kv (and TTL), the old members go
     * with the temporary kv. */
    void *old_obj = kv_object(kv);
    uint8_t old_enc = kv->encoding;
    kv_set_object(kv, kv_object(kept));
    kv->encoding = kept->encoding;
    kv_set_object(kept, old_obj);
    kept->encoding = old_enc;
    kv_free(kept);
}

static void set_spop_with_count(struct client *c)
{
    long long count;
    const char *count_error = "value is out of range, must be positive";
    if (!arg_get_ll(c, 2, &count, count_error))
        return;
    if (count < 0) {
        reply_error(c, count_error);
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_SET, &kv))
        return;
    if (!kv || count == 0) {
        reply_set_len(c, 0);
        return;
    }
    long long size = (long long)set_size(kv);
    bool deleted = false;
    set_event(c, 1, "spop", false); /* before the reply, as Redis */
    if (count >= size) {
        /* The whole set goes, replied as SUNION of it would be. */
        struct kv *copy = set_new_kv("", 0, NULL, 0);
        set_add_all(c, copy, kv);
        set_reply_members(c, copy);
        kv_free(copy);
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
        deleted = true;
        struct aof_arg argv[] = {aof_arg_str("DEL"), aof_arg_of(&c->argv[1])};
        propagate_as(c, 2, argv);
    } else if ((size - count) * SET_SPOP_MOVE_STRATEGY_MUL > count) {
        set_spop_each(c, kv, count);
        propagate_none(c);
    } else {
        set_spop_keep_rest(c, kv, count);
        propagate_none(c);
    }
    notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
    set_event(c, 1, NULL, deleted);
}

static void set_spop_command(struct client *c)
{
    if (c->argc == 2)
        set_spop_one(c);
    else if (c->argc == 3)
        set_spop_with_count(c);
    else
        reply_error_syntax(c);
}

/* ---- SRANDMEMBER ---- */

/* count distinct random members, replied as an array: from a copy with
 * random members removed when count is a large share of the set, else by
 * adding random picks to an empty set until it has count of them. */
static void set_srandmember_distinct(struct client *c, const struct kv *kv, long long count)
{
    long long size = (long long)set_size(kv);
    struct kv *picked = set_new_kv("", 0, NULL, 0);
    set_convert_to_hashtable(picked, (size_t)count);
    if (count * SET_SRANDMEMBER_SUB_STRATEGY_MUL > size) {
        set_add_all(c, picked, kv);
        while ((long long)set_size(picked) > count) {
            struct set_elem e;
            set_random(picked, random64_next, &e);
            set_remove(picked, e.ptr, e.len);
        }
    } else {
        while ((long long)set_size(picked) < count) {
            struct set_elem e;
            set_random(kv, random64_next, &e);
            set_add(picked, e.ptr, e.len, set_intset_max(c));
        }
    }
    reply_array_len(c, count);
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, picked);
    while (set_iter_next(&it, &e))
        reply_bulk(c, e.ptr, e.len);
    set_iter_done(&it);
    kv_free(picked);
}

static void set_srandmember_with_count(struct client *c)
{
    long long count;
    if (!arg_get_ll(c, 2, &count, NULL))
        return;
    if (count == LLONG_MIN) {
        reply_errorf(c, "value is out of range, value must between %lld and %lld", -LLONG_MAX,
                     LLONG_MAX);
        return;
    }
    bool distinct = count >= 0;
    if (count < 0)
        count = -count;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    if (!kv || count == 0) {
        reply_empty_array(c);
        return;
    }
    if (!distinct || count == 1) {
        /* Repeats allowed: independent picks. */
        reply_array_len(c, count);
        for (long long i = 0; i < count; i++) {
            struct set_elem e;
            set_random(kv, random64_next, &e);
            reply_bulk(c, e.ptr, e.len);
        }
    } else if (count >= (long long)set_size(kv)) {
        /* The whole set, as an array even in RESP3 (unlike SPOP). */
        reply_array_len(c, (long long)set_size(kv));
        struct set_iter it;
        struct set_elem e;
        set_iter_init(&it, kv);
        while (set_iter_next(&it, &e))
            reply_bulk(c, e.ptr, e.len);
        set_iter_done(&it);
    } else {
        set_srandmember_distinct(c, kv, count);
    }
}

static void set_srandmember_command(struct client *c)
{
    if (c->argc == 3) {
        set_srandmember_with_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    if (!kv) {
        reply_null(c);
        return;
    }
    struct set_elem e;
    set_random(kv, random64_next, &e);
    reply_bulk(c, e.ptr, e.len);
}

/* ---- SSCAN ---- */


/* SSCAN's options (after the cursor); no TYPE, which only SCAN takes. */
/* Members met by the scan steps: pointers into the set, which nothing
 * modifies before the reply is built. */
struct set_scan_batch {
    struct buf entries; /* struct resp_arg records */
};

static void set_scan_collect(const char *member, size_t len, void *ctx)
{
    struct set_scan_batch *batch = ctx;
    struct resp_arg a = {.ptr = member, .len = len};
    buf_append(&batch->entries, &a, sizeof(a));
}

static void set_scan_collect_all(const struct kv *kv, struct set_scan_batch *batch,
                                 struct buf *int_text)
{
    /* Intset members have no bytes to point at: format them all first, so
     * int_text stops moving before any pointer into it is taken. */
    struct set_iter it;
    struct set_elem e;
    set_iter_init(&it, kv);
    while (set_iter_next(&it, &e)) {
        uint32_t len = (uint32_t)e.len;
        buf_append(int_text, &len, sizeof(len));
        buf_append(int_text, e.ptr, e.len);
    }
    set_iter_done(&it);
    for (size_t pos = 0; pos < int_text->len;) {
        uint32_t len;
        memcpy(&len, int_text->data + pos, sizeof(len));
        set_scan_collect(int_text->data + pos + sizeof(len), len, batch);
        pos += sizeof(len) + len;
    }
}

static void set_sscan_reply(struct client *c, uint64_t cursor, const struct set_scan_batch *batch,
                            const struct resp_arg *pattern)
{
    char text[24];
    int text_len = snprintf(text, sizeof(text), "%llu", (unsigned long long)cursor);
    reply_array_len(c, 2);
    reply_bulk(c, text, (size_t)text_len);
    size_t handle = reply_defer_len(c);
    long long kept = 0;
    const struct resp_arg *entries = (const struct resp_arg *)batch->entries.data;
    size_t n = batch->entries.len / sizeof(struct resp_arg);
    for (size_t i = 0; i < n; i++) {
        if (pattern &&
            !glob_match(pattern->ptr, pattern->len, entries[i].ptr, entries[i].len, false))
            continue;
        reply_bulk(c, entries[i].ptr, entries[i].len);
        kept++;
    }
    reply_set_defer_len(c, handle, kept, '*');
}

static void set_sscan_command(struct client *c)
{
    uint64_t cursor = 0;
    if (!arg_get_cursor(&c->argv[2], &cursor)) {
        reply_error(c, "invalid cursor");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_SET, &kv))
        return;
    if (!kv) {
        reply_array_len(c, 2);
        reply_bulk_cstr(c, "0");
        reply_empty_array(c);
        return;
    }
    long long count;
    const struct resp_arg *pattern;
    if (!arg_get_scan_options(c, 3, &count, &pattern))
        return;
    struct set_scan_batch batch = {0};
    struct buf int_text = {0};
    if (kv->encoding == KV_ENC_INTSET) {
        set_scan_collect_all(kv, &batch, &int_text);
        cursor = 0;
    } else {
        long long iterations = count * SET_SCAN_ITERATIONS_PER_COUNT;
        do {
            cursor = set_scan(kv, cursor, set_scan_collect, &batch);
        } while (cursor && iterations-- &&
                 (long long)(batch.entries.len / sizeof(struct resp_arg)) < count);
    }
    set_sscan_reply(c, cursor, &batch, pattern);
    buf_free(&batch.entries);
    buf_free(&int_text);
}

/* ---- Command table ---- */

#define SET_W_FAST (ACL_WRITE | ACL_SET | ACL_FAST)
#define SET_R_FAST (ACL_READ | ACL_SET | ACL_FAST)
#define SET_R_SLOW (ACL_READ | ACL_SET | ACL_SLOW)
#define SET_W_SLOW (ACL_WRITE | ACL_SET | ACL_SLOW)
#define SET_INTER_COMPLEXITY \
    "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
#define SET_UNION_COMPLEXITY "O(N) where N is the total number of elements in all given sets."

struct command set_commands[] = {
    {.name = "sadd", .proc = set_sadd_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = SET_W_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW insert/i1/r0,1,0",
     .summary = "Add one or more members to a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1) for each element added, so O(N) to add N elements when the command is "
                   "called with multiple arguments.",
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple `member` arguments."},
         {0}},
     .arguments = "key^k#0 member^s*"},
    {.name = "srem", .proc = set_srem_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST,
     .acl = SET_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove one or more members from a set", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the number of members to be removed.",
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple `member` arguments."},
         {0}},
     .arguments = "key^k#0 member^s*"},
    {.name = "scard", .proc = set_scard_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = SET_R_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the number of members in a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "sismember", .proc = set_sismember_command, .arity = 3,
     .flags = CMD_READONLY | CMD_FAST, .acl = SET_R_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Determine if a given value is a member of a set", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .arguments = "key^k#0 member^s"},
    {.name = "smismember", .proc = set_smismember_command, .arity = -3,
     .flags = CMD_READONLY | CMD_FAST, .acl = SET_R_FAST, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .summary = "Returns the membership associated with the given elements for a set",
     .since = "6.2.0", .group = "set",
     .complexity = "O(N) where N is the number of elements being checked for membership",
     .arguments = "key^k#0 member^s*"},
    {.name = "smembers", .proc = set_smembers_command, .arity = 2, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Get all the members in a set", .since = "1.0.0", .group = "set",
     .complexity = "O(N) where N is the set cardinality.",
     .arguments = "key^k#0"},
    {.name = "spop", .proc = set_spop_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = SET_W_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Remove and return one or multiple random members from a set", .since = "1.0.0",
     .group = "set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the value of the "
                   "passed count.",
     .history = (const struct command_history[]){
         {"3.2.0", "Added the `count` argument."},
         {0}},
     .arguments = "key^k#0 count^i@3.2.0?"},
    {.name = "srandmember", .proc = set_srandmember_command, .arity = -2, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Get one or multiple random members from a set", .since = "1.0.0", .group = "set",
     .complexity = "Without the count argument O(1), otherwise O(N) where N is the absolute value "
                   "of the passed count.",
     .history = (const struct command_history[]){
         {"2.6.0", "Added the optional `count` argument."},
         {0}},
     .arguments = "key^k#0 count^i@2.6.0?"},
    {.name = "smove", .proc = set_smove_command, .arity = 4, .flags = CMD_WRITE | CMD_FAST,
     .acl = SET_W_FAST, .first_key = 1, .last_key = 2, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0;RW insert/i2/r0,1,0",
     .summary = "Move a member from one set to another", .since = "1.0.0", .group = "set",
     .complexity = "O(1)",
     .arguments = "source^k#0 destination^k#1 member^s"},
    {.name = "sinter", .proc = set_sinter_command, .arity = -2, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Intersect multiple sets", .since = "1.0.0", .group = "set",
     .complexity = SET_INTER_COMPLEXITY,
     .arguments = "key^k#0*"},
    {.name = "sintercard", .proc = set_sintercard_command, .arity = -3, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i1/n0,1,1",
     .summary = "Intersect multiple sets and return the cardinality of the result",
     .since = "7.0.0", .group = "set", .complexity = SET_INTER_COMPLEXITY,
     .arguments = "numkeys^i key^k#0* limit^i='LIMIT'?"},
    {.name = "sunion", .proc = set_sunion_command, .arity = -2, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Add multiple sets", .since = "1.0.0", .group = "set",
     .complexity = SET_UNION_COMPLEXITY,
     .arguments = "key^k#0*"},
    {.name = "sdiff", .proc = set_sdiff_command, .arity = -2, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = -1, .key_step = 1,
     .tips = "nondeterministic_output_order",
     .summary = "Subtract multiple sets", .since = "1.0.0", .group = "set",
     .complexity = SET_UNION_COMPLEXITY,
     .arguments = "key^k#0*"},
    {.name = "sinterstore", .proc = set_sinterstore_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = SET_W_SLOW, .first_key = 1, .last_key = -1,
     .key_step = 1,
     .key_specs = "RW update/i1/r0,1,0;RO access/i2/r-1,1,0",
     .summary = "Intersect multiple sets and store the resulting set in a key", .since = "1.0.0",
     .group = "set", .complexity = SET_INTER_COMPLEXITY,
     .arguments = "destination^k#0 key^k#1*"},
    {.name = "sunionstore", .proc = set_sunionstore_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = SET_W_SLOW, .first_key = 1, .last_key = -1,
     .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/r-1,1,0",
     .summary = "Add multiple sets and store the resulting set in a key", .since = "1.0.0",
     .group = "set", .complexity = SET_UNION_COMPLEXITY,
     .arguments = "destination^k#0 key^k#1*"},
    {.name = "sdiffstore", .proc = set_sdiffstore_command, .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = SET_W_SLOW, .first_key = 1, .last_key = -1,
     .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/r-1,1,0",
     .summary = "Subtract multiple sets and store the resulting set in a key", .since = "1.0.0",
     .group = "set", .complexity = SET_UNION_COMPLEXITY,
     .arguments = "destination^k#0 key^k#1*"},
    {.name = "sscan", .proc = set_sscan_command, .arity = -3, .flags = CMD_READONLY,
     .acl = SET_R_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Incrementally iterate Set elements", .since = "2.8.0", .group = "set",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .arguments = "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {0},
};
