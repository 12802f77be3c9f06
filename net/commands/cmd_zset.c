/* cmd_zset.c: the sorted-set commands (Redis 7.0's "sorted-set" group).
 * The blocking BZPOPMIN, BZPOPMAX and BZMPOP serve at once when they can,
 * else hand the client to net/blocking.c, which runs the same handler
 * again, restricted to the ready key, when it is woken.
 *
 * The value itself lives in engine/zset.h, which hides its two encodings;
 * this file parses arguments in Redis's order (so the first error Redis
 * would report is the one reported), replies in RESP2 or RESP3 shape, and
 * keeps the keyspace rules: an emptied zset is deleted, every changed key is
 * reported once through notify_key_modified (and published as Redis's
 * keyspace events, keyspace_event), and STORE variants replace
 * their destination (dropping its TTL) or delete it for an empty result.
 *
 * Plain sets are accepted as inputs of ZUNION/ZINTER/ZDIFF/ZINTERCARD and
 * their STORE forms, as zsets whose every member scores 1, as in Redis.
 *
 * The pops that choose a key (BZPOPMIN, BZPOPMAX, ZMPOP, BZMPOP) run the
 * skeleton they share with the list pops, net/commands/mpop.c, which logs
 * them to the AOF as the plain pop of the key they served, as Redis 7.0
 * does: ZPOPMIN/ZPOPMAX key, with the number popped for the MPOP forms.
 * The other commands are logged as sent.
 *
 * Names: this file's helpers are zcmd_* (and zadd_*, zsetop_*, zscan_*,
 * ...), so that a zset_* name is always engine/zset.h's. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/db.h"
#include "engine/glob.h"
#include "engine/number.h"
#include "engine/set.h"
#include "engine/zset.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/keyspace_events.h"
#include "net/commands/mpop.h"
#include "net/commands/notify.h"
#include "net/commands/random64.h"
#include "net/commands/reply.h"
#include "net/commands/typed_key.h"

/* ZSCAN visits at most this many buckets per requested element before
 * returning a partial page, as Redis's scanGenericCommand (COUNT * 10). */
#define ZSET_SCAN_BUCKETS_PER_COUNT 10

/* ---- Shared helpers ---- */

static const struct encoding_limits *zcmd_limits(struct client *c)
{
    return &c->commands->keyspace->limits;
}

/* Replies one element: the member, and with scores its score (a RESP3
 * [member, score] pair, or two flat RESP2 entries). */
static void zcmd_reply_element(struct client *c, const char *member, size_t len, double score,
                               bool withscores)
{
    if (withscores && c->resp > 2)
        reply_array_len(c, 2);
    reply_bulk(c, member, len);
    if (withscores)
        reply_double(c, score);
}

/* The aggregate length for n elements. */
static long long zcmd_reply_count(struct client *c, long long n, bool withscores)
{
    return withscores && c->resp == 2 ? n * 2 : n;
}

/* Stores result (an owned detached zset kv keyed by the destination), in
 * the encoding its size allows, or deletes the destination when it is
 * empty; replies the length. event is the command's keyspace event
 * ("zunionstore", "zrangestore"...). */
static void zcmd_store_result(struct client *c, const struct resp_arg *dst, struct kv *result,
                              const char *event)
{
    if (zset_length(result) > 0)
        zset_shrink_if_fits(result, zcmd_limits(c)->zset_max_listpack_entries,
                            zcmd_limits(c)->zset_max_listpack_value);
    typed_key_store_result(c, dst, result, NOTIFY_ZSET, event);
}

/* A keyspace event about the key at argv[i]: a sorted set event, then
 * "del" if the change emptied (and so deleted) the key, as Redis reports
 * them. */
static void zcmd_event(struct client *c, int i, const char *event, bool deleted)
{
    keyspace_event(c->commands, NOTIFY_ZSET, event, c->db->id, c->argv[i].ptr, c->argv[i].len);
    if (deleted)
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, c->argv[i].ptr,
                       c->argv[i].len);
}

/* ---- ZADD, ZINCRBY ---- */

struct zadd_options {
    int flags;     /* enum zset_add_flag */
    bool ch;       /* count changed elements, not just added ones */
    int score_idx; /* first score argument */
};

/* Parses ZADD's flags and checks their combinations. */
static bool zadd_parse(struct client *c, struct zadd_options *o)
{
    int j = 2;
    o->flags = 0;
    o->ch = false;
    for (; j < c->argc; j++) {
        const struct resp_arg *a = &c->argv[j];
        if (arg_equals(a, "nx"))
            o->flags |= ZSET_ADD_NX;
        else if (arg_equals(a, "xx"))
            o->flags |= ZSET_ADD_XX;
        else if (arg_equals(a, "gt"))
            o->flags |= ZSET_ADD_GT;
        else if (arg_equals(a, "lt"))
            o->flags |= ZSET_ADD_LT;
        else if (arg_equals(a, "ch"))
            o->ch = true;
        else if (arg_equals(a, "incr"))
            o->flags |= ZSET_ADD_INCR;
        else
            break;
    }
    o->score_idx = j;
    int elements = c->argc - j;
    if (elements == 0 || elements % 2 != 0) {
        reply_error_syntax(c);
        return false;
    }
    int f = o->flags;
    if ((f & ZSET_ADD_NX) && (f & ZSET_ADD_XX)) {
        reply_error(c, "XX and NX options at the same time are not compatible");
        return false;
    }
    if (((f & ZSET_ADD_GT) && (f & ZSET_ADD_NX)) || ((f & ZSET_ADD_LT) && (f & ZSET_ADD_NX)) ||
        ((f & ZSET_ADD_GT) && (f & ZSET_ADD_LT))) {
        reply_error(c, "GT, LT, and/or NX options at the same time are not compatible");
        return false;
    }
    if ((f & ZSET_ADD_INCR) && elements > 2) {
        reply_error(c, "INCR option supports a single increment-element pair");
        return false;
    }
    return true;
}

/* Finds or creates the zset for ZADD/ZINCRBY. Returns false after an error
 * reply; *out is NULL when XX leaves a missing key alone. */
static bool zadd_target(struct client *c, int flags, const struct resp_arg *first_member,
                        struct kv **out)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return false;
    if (kv == NULL && !(flags & ZSET_ADD_XX)) {
        const struct encoding_limits *l = zcmd_limits(c);
        bool big = l->zset_max_listpack_entries == 0 ||
                   (long long)first_member->len > l->zset_max_listpack_value;
        kv = zset_new(c->argv[1].ptr, c->argv[1].len, big ? KV_ENC_SKIPLIST : KV_ENC_LISTPACK);
        db_add(c->db, kv);
    }
    *out = kv;
    return true;
}

/* Adds the parsed pairs, then replies as ZADD (or ZINCRBY when incr). */
static void zadd_apply(struct client *c, const struct zadd_options *o, const double *scores)
{
    struct kv *kv;
    bool incr = (o->flags & ZSET_ADD_INCR) != 0;
    if (!zadd_target(c, o->flags, &c->argv[o->score_idx + 1], &kv))
        return;
    long long added = 0, updated = 0, processed = 0;
    double new_score = 0;
    int pairs = (c->argc - o->score_idx) / 2;
    for (int i = 0; kv != NULL && i < pairs; i++) {
        const struct resp_arg *m = &c->argv[o->score_idx + 2 * i + 1];
        enum zset_add_result r =
            zset_add(kv, scores[i], m->ptr, m->len, o->flags, &new_score,
                     zcmd_limits(c)->zset_max_listpack_entries,
                     zcmd_limits(c)->zset_max_listpack_value);
        if (r == ZSET_ADD_NAN) {
            reply_error(c, "resulting score is not a number (NaN)");
            goto done;
        }
        added += r == ZSET_ADD_ADDED;
        updated += r == ZSET_ADD_UPDATED;
        processed += r != ZSET_ADD_NOP;
    }
    if (incr) {
        if (processed)
            reply_double(c, new_score);
        else
            reply_null(c);
    } else {
        reply_integer(c, o->ch ? added + updated : added);
    }
done:
    if (added || updated) {
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        zcmd_event(c, 1, incr ? "zincr" : "zadd", false);
    }
}

static void zset_add_command(struct client *c)
{
    struct zadd_options o;
    if (!zadd_parse(c, &o))
        return;
    int pairs = (c->argc - o.score_idx) / 2;
    double *scores = alloc_bytes(sizeof(double) * (size_t)pairs);
    for (int i = 0; i < pairs; i++) {
        if (!arg_get_double(c, o.score_idx + 2 * i, &scores[i], NULL)) {
            alloc_free(scores);
            return;
        }
    }
    zadd_apply(c, &o, scores);
    alloc_free(scores);
}

static void zset_incrby_command(struct client *c)
{
    double incr;
    if (!arg_get_double(c, 2, &incr, NULL))
        return;
    struct zadd_options o = {.flags = ZSET_ADD_INCR, .ch = false, .score_idx = 2};
    zadd_apply(c, &o, &incr);
}

/* ---- Point commands ---- */

static void zset_rem_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return;
    long long deleted = 0;
    bool key_deleted = false;
    for (int j = 2; kv != NULL && j < c->argc; j++) {
        deleted += zset_delete(kv, c->argv[j].ptr, c->argv[j].len);
        key_deleted = typed_key_delete_if_empty(c, kv);
        if (key_deleted)
            break;
    }
    if (deleted) {
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        zcmd_event(c, 1, "zrem", key_deleted);
    }
    reply_integer(c, deleted);
}

static void zset_card_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_integer(c, kv ? (long long)zset_length(kv) : 0);
}

static void zset_score_command(struct client *c)
{
    struct kv *kv;
    double score;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    if (kv != NULL && zset_score(kv, c->argv[2].ptr, c->argv[2].len, &score))
        reply_double(c, score);
    else
        reply_null(c);
}

static void zset_mscore_command(struct client *c)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (kv != NULL && zset_score(kv, c->argv[j].ptr, c->argv[j].len, &score))
            reply_double(c, score);
        else
            reply_null(c);
    }
}

static void zcmd_rank_generic(struct client *c, bool reverse)
{
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    long rank = kv ? zset_rank(kv, c->argv[2].ptr, c->argv[2].len, reverse, NULL) : -1;
    if (rank < 0)
        reply_null(c);
    else
        reply_integer(c, rank);
}

static void zset_rank_command(struct client *c)
{
    zcmd_rank_generic(c, false);
}

static void zset_revrank_command(struct client *c)
{
    zcmd_rank_generic(c, true);
}

/* ---- Ranges: ZRANGE and its family ---- */

enum zrange_type { ZRANGE_AUTO, ZRANGE_RANK, ZRANGE_SCORE, ZRANGE_LEX };
enum zrange_direction { ZRANGE_DIR_AUTO, ZRANGE_DIR_FORWARD, ZRANGE_DIR_REVERSE };

struct zrange_request {
    int key_idx;   /* the source key; the destination (store) is key_idx - 1 */
    bool store;
    enum zrange_type type;
    enum zrange_direction direction;
    bool withscores;
    bool limited;
    long long offset, limit;
    int min_idx, max_idx;
    long long start, end;      /* ZRANGE_RANK */
    struct zrange_spec score;  /* ZRANGE_SCORE */
    struct zlex_spec lex;      /* ZRANGE_LEX */
};

/* Where range elements go: the reply, or a zset being built for STORE. */
struct zrange_sink {
    struct client *c;
    struct kv *dst; /* owned, detached, when storing */
    bool withscores;
    long long count;
};

static void zcmd_range_sink_emit(struct zrange_sink *s, const struct zset_element *e)
{
    s->count++;
    if (s->dst != NULL) {
        zset_add(s->dst, e->score, e->member, e->len, 0, NULL,
                 zcmd_limits(s->c)->zset_max_listpack_entries,
                 zcmd_limits(s->c)->zset_max_listpack_value);
        return;
    }
    zcmd_reply_element(s->c, e->member, e->len, e->score, s->withscores);
}

/* Parses the options after "key min max" and checks their combinations. */
static bool zcmd_range_parse_options(struct client *c, struct zrange_request *r)
{
    for (int j = r->key_idx + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const struct resp_arg *a = &c->argv[j];
        if (!r->store && arg_equals(a, "withscores")) {
            r->withscores = true;
        } else if (arg_equals(a, "limit") && left >= 2) {
            if (!arg_get_ll(c, j + 1, &r->offset, NULL) || !arg_get_ll(c, j + 2, &r->limit, NULL))
                return false;
            r->limited = true;
            j += 2;
        } else if (r->direction == ZRANGE_DIR_AUTO && arg_equals(a, "rev")) {
            r->direction = ZRANGE_DIR_REVERSE;
        } else if (r->type == ZRANGE_AUTO && arg_equals(a, "bylex")) {
            r->type = ZRANGE_LEX;
        } else if (r->type == ZRANGE_AUTO && arg_equals(a, "byscore")) {
            r->type = ZRANGE_SCORE;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    if (r->direction == ZRANGE_DIR_AUTO)
        r->direction = ZRANGE_DIR_FORWARD;
    if (r->type == ZRANGE_AUTO)
        r->type = ZRANGE_RANK;
    if (r->limited && r->type == ZRANGE_RANK) {
        reply_error(c, "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        return false;
    }
    if (r->withscores && r->type == ZRANGE_LEX) {
        reply_error(c, "syntax error, WITHSCORES not supported in combination with BYLEX");
        return false;
    }
    return true;
}

/* Parses the min and max arguments (swapped for REV by score or lex). */
static bool zcmd_range_parse_bounds(struct client *c, struct zrange_request *r)
{
    r->min_idx = r->key_idx + 1;
    r->max_idx = r->key_idx + 2;
    if (r->direction == ZRANGE_DIR_REVERSE && r->type != ZRANGE_RANK) {
        r->min_idx = r->key_idx + 2;
        r->max_idx = r->key_idx + 1;
    }
    const struct resp_arg *mn = &c->argv[r->min_idx], *mx = &c->argv[r->max_idx];
    switch (r->type) {
    case ZRANGE_RANK:
        return arg_get_ll(c, r->min_idx, &r->start, NULL) &&
               arg_get_ll(c, r->max_idx, &r->end, NULL);
    case ZRANGE_SCORE:
        if (!zrange_parse_score(mn->ptr, mn->len, mx->ptr, mx->len, &r->score)) {
            reply_error(c, "min or max is not a float");
            return false;
        }
        return true;
    case ZRANGE_LEX:
        if (!zrange_parse_lex(mn->ptr, mn->len, mx->ptr, mx->len, &r->lex)) {
            reply_error(c, "min or max not valid string range item");
            return false;
        }
        return true;
    default:
        return false;
    }
}

static void zcmd_range_by_rank(struct zrange_request *r, struct kv *kv, struct zrange_sink *s)
{
    long long length = (long long)zset_length(kv);
    long long start = r->start < 0 ? r->start + length : r->start;
    long long end = r->end < 0 ? r->end + length : r->end;
    if (start < 0)
        start = 0;
    if (start > end || start >= length) {
        if (s->dst == NULL)
            reply_empty_array(s->c);
        return;
    }
    if (end >= length)
        end = length - 1;
    long long n = end - start + 1;
    if (s->dst == NULL)
        reply_array_len(s->c, zcmd_reply_count(s->c, n, s->withscores));
    struct zset_iter it;
    zset_iter_at_rank(&it, kv, (size_t)start, r->direction == ZRANGE_DIR_REVERSE);
    for (; n > 0 && zset_iter_valid(&it); n--, zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        zcmd_range_sink_emit(s, &e);
    }
}

/* Walks a score or lex range with LIMIT applied. */
static void zcmd_range_by_bounds(struct zrange_request *r, struct kv *kv, struct zrange_sink *s)
{
    bool reverse = r->direction == ZRANGE_DIR_REVERSE;
    struct zset_iter it;
    if (r->type == ZRANGE_SCORE)
        zset_iter_in_score_range(&it, kv, &r->score, reverse);
    else
        zset_iter_in_lex_range(&it, kv, &r->lex, reverse);
    size_t handle = 0;
    if (s->dst == NULL)
        handle = reply_defer_len(s->c);
    long long offset = r->limited ? r->offset : 0;
    long long limit = r->limited ? r->limit : -1;
    /* As Redis: a negative offset skips everything, a negative limit means
     * no limit. */
    for (; zset_iter_valid(&it) && offset != 0; offset--)
        zset_iter_next(&it);
    for (; zset_iter_valid(&it) && limit != 0; limit--, zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        bool inside;
        if (r->type == ZRANGE_SCORE)
            inside = reverse ? zrange_score_gte_min(e.score, &r->score)
                             : zrange_score_lte_max(e.score, &r->score);
        else
            inside = reverse ? zrange_lex_gte_min(e.member, e.len, &r->lex)
                             : zrange_lex_lte_max(e.member, e.len, &r->lex);
        if (!inside)
            break;
        zcmd_range_sink_emit(s, &e);
    }
    if (s->dst == NULL)
        reply_set_defer_len(s->c, handle, zcmd_reply_count(s->c, s->count, s->withscores), '*');
}

/* The ZRANGE family: key_idx is the source key; type and direction are
 * preset by the legacy commands (AUTO for ZRANGE and ZRANGESTORE). */
static void zcmd_range_generic(struct client *c, int key_idx, bool store,
                               enum zrange_type type, enum zrange_direction direction)
{
    struct zrange_request r = {.key_idx = key_idx, .store = store, .type = type,
                               .direction = direction};
    if (!zcmd_range_parse_options(c, &r) || !zcmd_range_parse_bounds(c, &r))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, key_idx, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    struct zrange_sink s = {.c = c, .withscores = r.withscores};
    if (store)
        s.dst = zset_new(c->argv[1].ptr, c->argv[1].len, KV_ENC_LISTPACK);
    if (kv == NULL) {
        if (!store)
            reply_empty_array(c);
    } else if (r.type == ZRANGE_RANK) {
        zcmd_range_by_rank(&r, kv, &s);
    } else {
        zcmd_range_by_bounds(&r, kv, &s);
    }
    if (store)
        zcmd_store_result(c, &c->argv[1], s.dst, "zrangestore");
}

static void zset_range_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_AUTO, ZRANGE_DIR_AUTO);
}

static void zset_rangestore_command(struct client *c)
{
    zcmd_range_generic(c, 2, true, ZRANGE_AUTO, ZRANGE_DIR_AUTO);
}

static void zset_revrange_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_RANK, ZRANGE_DIR_REVERSE);
}

static void zset_rangebyscore_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_SCORE, ZRANGE_DIR_FORWARD);
}

static void zset_revrangebyscore_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_SCORE, ZRANGE_DIR_REVERSE);
}

static void zset_rangebylex_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_LEX, ZRANGE_DIR_FORWARD);
}

static void zset_revrangebylex_command(struct client *c)
{
    zcmd_range_generic(c, 1, false, ZRANGE_LEX, ZRANGE_DIR_REVERSE);
}

static void zset_count_command(struct client *c)
{
    struct zrange_spec range;
    if (!zrange_parse_score(c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len,
                            &range)) {
        reply_error(c, "min or max is not a float");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_integer(c, kv ? (long long)zset_count_in_score_range(kv, &range) : 0);
}

static void zset_lexcount_command(struct client *c)
{
    struct zlex_spec range;
    if (!zrange_parse_lex(c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len,
                          &range)) {
        reply_error(c, "min or max not valid string range item");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    reply_integer(c, kv ? (long long)zset_count_in_lex_range(kv, &range) : 0);
}

/* ---- ZREMRANGEBY* ---- */

/* Replies the count and settles the key after a range deletion. */
static void zremrange_done(struct client *c, struct kv *kv, size_t deleted, const char *event)
{
    if (deleted) {
        bool key_deleted = typed_key_delete_if_empty(c, kv);
        notify_key_modified(c->commands, c->db, c->argv[1].ptr, c->argv[1].len);
        zcmd_event(c, 1, event, key_deleted);
    }
    reply_integer(c, (long long)deleted);
}

static void zset_remrangebyrank_command(struct client *c)
{
    long long start, end;
    if (!arg_get_ll(c, 2, &start, NULL) || !arg_get_ll(c, 3, &end, NULL))
        return;
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return;
    if (kv == NULL) {
        reply_integer(c, 0);
        return;
    }
    long long length = (long long)zset_length(kv);
    if (start < 0)
        start += length;
    if (end < 0)
        end += length;
    if (start < 0)
        start = 0;
    if (start > end || start >= length) {
        reply_integer(c, 0);
        return;
    }
    if (end >= length)
        end = length - 1;
    zremrange_done(c, kv, zset_delete_range_by_rank(kv, (size_t)start, (size_t)end),
                   "zremrangebyrank");
}

static void zset_remrangebyscore_command(struct client *c)
{
    struct zrange_spec range;
    if (!zrange_parse_score(c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len,
                            &range)) {
        reply_error(c, "min or max is not a float");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return;
    if (kv == NULL) {
        reply_integer(c, 0);
        return;
    }
    zremrange_done(c, kv, zset_delete_range_by_score(kv, &range), "zremrangebyscore");
}

static void zset_remrangebylex_command(struct client *c)
{
    struct zlex_spec range;
    if (!zrange_parse_lex(c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len,
                          &range)) {
        reply_error(c, "min or max not valid string range item");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return;
    if (kv == NULL) {
        reply_integer(c, 0);
        return;
    }
    zremrange_done(c, kv, zset_delete_range_by_lex(kv, &range), "zremrangebylex");
}

/* ---- Pops ---- */

/* Pops up to count elements from kv (lowest first, or highest when max)
 * and replies them: as [member, score] pairs when nested (ZMPOP always,
 * ZPOPMIN/ZPOPMAX with a count in RESP3), else as a flat array. Returns
 * how many it popped. */
static long long zcmd_pop_elements(struct client *c, struct kv *kv, bool max, long long count,
                                   bool nested, bool with_len)
{
    long long length = (long long)zset_length(kv);
    if (count > length)
        count = length;
    if (with_len)
        reply_array_len(c, nested ? count : count * 2);
    /* Redis 7.0 reports the pop as it takes the first element, so a RESP3
     * client listening to its own key gets the push inside its reply,
     * after the array header: kept, byte for byte. */
    keyspace_event(c->commands, NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", c->db->id, kv_key(kv),
                   kv->key_len);
    struct zset_iter it;
    zset_iter_at_rank(&it, kv, 0, max);
    for (long long i = 0; i < count; i++, zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (nested)
            reply_array_len(c, 2);
        reply_bulk(c, e.member, e.len);
        reply_double(c, e.score);
    }
    size_t start = max ? (size_t)(length - count) : 0;
    zset_delete_range_by_rank(kv, start, start + (size_t)count - 1);
    notify_key_modified(c->commands, c->db, kv_key(kv), kv->key_len);
    /* The "del" names the key from kv, which the delete frees: it goes
     * first. */
    if (zset_length(kv) == 0)
        keyspace_event(c->commands, NOTIFY_GENERIC, "del", c->db->id, kv_key(kv), kv->key_len);
    typed_key_delete_if_empty(c, kv);
    return count;
}

static void zcmd_pop_generic(struct client *c, bool max)
{
    long long count = 1;
    if (c->argc > 3) {
        reply_error_syntax(c);
        return;
    }
    if (c->argc == 3) {
        if (!arg_get_ll(c, 2, &count, "value is out of range, must be positive"))
            return;
        if (count < 0) {
            reply_error(c, "value is out of range, must be positive");
            return;
        }
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_WRITE, KV_ZSET, &kv))
        return;
    if (kv == NULL || count == 0) {
        reply_empty_array(c);
        return;
    }
    zcmd_pop_elements(c, kv, max, count, c->argc == 3 && c->resp > 2, true);
}

static void zset_popmin_command(struct client *c)
{
    zcmd_pop_generic(c, false);
}

static void zset_popmax_command(struct client *c)
{
    zcmd_pop_generic(c, true);
}

/* ---- Pops that choose a key: ZMPOP, BZMPOP, BZPOPMIN, BZPOPMAX ---- */

static long long zcmd_mpop_pop_many(struct client *c, int key_index, struct kv *kv,
                                    enum mpop_end end, long long count)
{
    return zcmd_pop_elements(c, kv, end == MPOP_END_HIGH, count, true, true);
}

static void zcmd_mpop_pop_one(struct client *c, int key_index, struct kv *kv, enum mpop_end end)
{
    zcmd_pop_elements(c, kv, end == MPOP_END_HIGH, 1, false, false);
}

/* What net/commands/mpop.c needs to know of sorted sets. */
static const struct mpop_family zcmd_mpop_family = {
    .type = KV_ZSET,
    .blocked_kind = BLOCKED_ZSET,
    .end_words = {"min", "max"},
    .pop_commands = {"ZPOPMIN", "ZPOPMAX"},
    .element_replies = 2,
    .pop_many = zcmd_mpop_pop_many,
    .pop_one = zcmd_mpop_pop_one,
};

static void zset_mpop_command(struct client *c)
{
    mpop_generic(c, &zcmd_mpop_family, 1, -1);
}

static void zset_bzmpop_command(struct client *c)
{
    mpop_generic(c, &zcmd_mpop_family, 2, 1);
}

/* BZPOPMIN/BZPOPMAX key [key ...] timeout: the first key (in argument
 * order) holding a sorted set serves, replying [key, member, score]. */
static void zset_bzpopmin_command(struct client *c)
{
    mpop_blocking_pop_generic(c, &zcmd_mpop_family, MPOP_END_LOW);
}

static void zset_bzpopmax_command(struct client *c)
{
    mpop_blocking_pop_generic(c, &zcmd_mpop_family, MPOP_END_HIGH);
}

/* ---- ZRANDMEMBER ---- */

static void zcmd_reply_rank(struct client *c, struct kv *kv, size_t rank, bool withscores)
{
    struct zset_iter it;
    struct zset_element e;
    zset_iter_at_rank(&it, kv, rank, false);
    zset_iter_get(&it, &e);
    zcmd_reply_element(c, e.member, e.len, e.score, withscores);
}

/* Replies count distinct random elements (count < length), in rank order:
 * a bitmap marks the chosen ranks, or the excluded ones when most are
 * chosen, so each pick is a rejection-sampled rank. */
static void zrandmember_distinct(struct client *c, struct kv *kv, size_t count, bool withscores)
{
    size_t length = zset_length(kv);
    bool exclude = count * 2 > length;
    size_t picks = exclude ? length - count : count;
    unsigned char *marks = alloc_zeroed(length / 8 + 1);
    for (size_t i = 0; i < picks;) {
        size_t r = (size_t)(random64_next() % length);
        if (marks[r / 8] & (1u << (r % 8)))
            continue;
        marks[r / 8] |= (unsigned char)(1u << (r % 8));
        i++;
    }
    reply_array_len(c, zcmd_reply_count(c, (long long)count, withscores));
    struct zset_iter it;
    zset_iter_at_rank(&it, kv, 0, false);
    for (size_t r = 0; r < length; r++, zset_iter_next(&it)) {
        bool marked = (marks[r / 8] & (1u << (r % 8))) != 0;
        if (marked == exclude)
            continue;
        struct zset_element e;
        zset_iter_get(&it, &e);
        zcmd_reply_element(c, e.member, e.len, e.score, withscores);
    }
    alloc_free(marks);
}

static void zrandmember_with_count(struct client *c, struct kv *kv, long long count,
                                   bool withscores)
{
    size_t length = zset_length(kv);
    if (count < 0) {
        /* Repetition allowed: independent picks. */
        reply_array_len(c, zcmd_reply_count(c, -count, withscores));
        for (long long i = 0; i < -count; i++)
            zcmd_reply_rank(c, kv, (size_t)(random64_next() % length), withscores);
        return;
    }
    if ((size_t)count >= length) {
        reply_array_len(c, zcmd_reply_count(c, (long long)length, withscores));
        struct zset_iter it;
        for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
            struct zset_element e;
            zset_iter_get(&it, &e);
            zcmd_reply_element(c, e.member, e.len, e.score, withscores);
        }
        return;
    }
    zrandmember_distinct(c, kv, (size_t)count, withscores);
}

static void zset_randmember_command(struct client *c)
{
    long long count = 0;
    bool withscores = false;
    if (c->argc >= 3) {
        if (!arg_get_ll(c, 2, &count, NULL))
            return;
        if (c->argc > 4 || (c->argc == 4 && !arg_equals(&c->argv[3], "withscores"))) {
            reply_error_syntax(c);
            return;
        }
        withscores = c->argc == 4;
        if (count < -LLONG_MAX || (withscores && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2))) {
            reply_error(c, "value is out of range");
            return;
        }
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    if (c->argc == 2) {
        if (kv == NULL)
            reply_null(c);
        else
            zcmd_reply_rank(c, kv, (size_t)(random64_next() % zset_length(kv)), false);
        return;
    }
    if (kv == NULL || count == 0) {
        reply_empty_array(c);
        return;
    }
    zrandmember_with_count(c, kv, count, withscores);
}

/* ---- ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ---- */

enum zsetop_kind { ZSETOP_UNION, ZSETOP_INTER, ZSETOP_DIFF };
enum zsetop_aggregate { ZSETOP_SUM, ZSETOP_MIN, ZSETOP_MAX };

struct zsetop_source {
    struct kv *kv; /* borrowed; NULL for a missing key */
    double weight;
    int position; /* among the command's keys */
};

struct zsetop {
    enum zsetop_kind kind;
    enum zsetop_aggregate aggregate;
    bool withscores;
    bool cardinality_only; /* ZINTERCARD */
    long long limit;       /* ZINTERCARD's LIMIT, 0 for none */
    int count;
    struct zsetop_source *sources; /* owned */
};

static size_t zsetop_source_length(const struct zsetop_source *s)
{
    if (!s->kv)
        return 0;
    return s->kv->type == KV_SET ? set_size(s->kv) : zset_length(s->kv);
}

/* The score of member in a source: a set member scores 1. */
static bool zsetop_source_score(const struct kv *kv, const char *member, size_t len, double *out)
{
    if (kv->type == KV_SET) {
        *out = 1.0;
        return set_contains(kv, member, len);
    }
    return zset_score(kv, member, len, out);
}

/* Calls fn on every (member, score) of a source, a zset in rank order or a
 * set in its own order. fn returns false to stop. */
static void zsetop_source_each(const struct kv *kv,
                               bool (*fn)(const char *member, size_t len, double score, void *ctx),
                               void *ctx)
{
    if (kv->type == KV_SET) {
        struct set_iter it;
        struct set_elem e;
        set_iter_init(&it, kv);
        while (set_iter_next(&it, &e))
            if (!fn(e.ptr, e.len, 1.0, ctx))
                break;
        set_iter_done(&it);
        return;
    }
    if (zset_length(kv) == 0)
        return;
    struct zset_iter it;
    for (zset_iter_at_rank(&it, (struct kv *)kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (!fn(e.member, e.len, e.score, ctx))
            break;
    }
}

/* Orders sources by length, keeping argument order among equals (a stable
 * sort, as glibc's merge-based qsort gives Redis): the aggregation order
 * decides float rounding and how inf, -inf and -0 combine. */
static int zsetop_by_length(const void *a, const void *b)
{
    const struct zsetop_source *sa = a, *sb = b;
    size_t la = zsetop_source_length(sa), lb = zsetop_source_length(sb);
    if (la != lb)
        return la < lb ? -1 : 1;
    return sa->position < sb->position ? -1 : (sa->position > sb->position ? 1 : 0);
}

static double zsetop_combine(enum zsetop_aggregate agg, double acc, double v)
{
    switch (agg) {
    case ZSETOP_SUM:
        acc += v;
        /* inf + -inf: Redis settles on 0 rather than NaN. */
        return isnan(acc) ? 0.0 : acc;
    case ZSETOP_MIN:
        return v < acc ? v : acc;
    default:
        return v > acc ? v : acc;
    }
}

static double zsetop_weighted(double score, double weight)
{
    double v = score * weight;
    return isnan(v) ? 0.0 : v;
}

/* Parses WEIGHTS, AGGREGATE, WITHSCORES and LIMIT after the keys. */
static bool zsetop_parse_options(struct client *c, struct zsetop *op, int first, bool store)
{
    for (int j = first; j < c->argc; j++) {
        int left = c->argc - j - 1;
        const struct resp_arg *a = &c->argv[j];
        if (op->kind != ZSETOP_DIFF && !op->cardinality_only && left >= op->count &&
            arg_equals(a, "weights")) {
            for (int i = 0; i < op->count; i++)
                if (!arg_get_double(c, j + 1 + i, &op->sources[i].weight,
                                    "weight value is not a float"))
                    return false;
            j += op->count;
        } else if (op->kind != ZSETOP_DIFF && !op->cardinality_only && left >= 1 &&
                   arg_equals(a, "aggregate")) {
            const struct resp_arg *v = &c->argv[j + 1];
            if (arg_equals(v, "sum"))
                op->aggregate = ZSETOP_SUM;
            else if (arg_equals(v, "min"))
                op->aggregate = ZSETOP_MIN;
            else if (arg_equals(v, "max"))
                op->aggregate = ZSETOP_MAX;
            else {
                reply_error_syntax(c);
                return false;
            }
            j++;
        } else if (!store && !op->cardinality_only && arg_equals(a, "withscores")) {
            op->withscores = true;
        } else if (op->cardinality_only && left >= 1 && arg_equals(a, "limit")) {
            if (!arg_get_ll(c, j + 1, &op->limit, "LIMIT can't be negative"))
                return false;
            if (op->limit < 0) {
                reply_error(c, "LIMIT can't be negative");
                return false;
            }
            j++;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}

/* Parses numkeys, looks the keys up (WRONGTYPE first, as Redis) and parses
 * the options. numkeys_idx is 1, or 2 for the STORE forms. */
static bool zsetop_parse(struct client *c, struct zsetop *op, int numkeys_idx, const char *name)
{
    long long numkeys;
    if (!arg_get_ll(c, numkeys_idx, &numkeys, NULL))
        return false;
    if (numkeys < 1) {
        reply_errorf(c, "at least 1 input key is needed for '%s' command", name);
        return false;
    }
    if (numkeys > c->argc - numkeys_idx - 1) {
        reply_error_syntax(c);
        return false;
    }
    op->count = (int)numkeys;
    op->sources = alloc_zeroed(sizeof(*op->sources) * (size_t)numkeys);
    bool store = numkeys_idx == 2;
    for (int i = 0; i < op->count; i++) {
        const struct resp_arg *key = &c->argv[numkeys_idx + 1 + i];
        struct kv *kv = db_lookup(c->db, key->ptr, key->len, DB_LOOKUP_READ);
        if (kv != NULL && kv->type != KV_ZSET && kv->type != KV_SET) {
            reply_error_wrongtype(c);
            return false;
        }
        op->sources[i].kv = kv;
        op->sources[i].weight = 1.0;
        op->sources[i].position = i;
    }
    return zsetop_parse_options(c, op, numkeys_idx + 1 + op->count, store);
}

struct zsetop_union_ctx {
    struct kv *acc;
    double weight;
    enum zsetop_aggregate aggregate;
};

static bool zsetop_union_add(const char *member, size_t len, double score, void *ctx)
{
    struct zsetop_union_ctx *u = ctx;
    double v = zsetop_weighted(score, u->weight);
    double cur;
    if (zset_score(u->acc, member, len, &cur)) {
        v = zsetop_combine(u->aggregate, cur, v);
        /* A plain update ignores -0 versus 0; the aggregate must not. */
        if (v == cur && signbit(v) != signbit(cur))
            zset_delete(u->acc, member, len);
    }
    zset_add(u->acc, v, member, len, 0, NULL, 0, 0);
    return true;
}

/* Adds every element of the union into acc. */
static void zsetop_union(struct zsetop *op, struct kv *acc)
{
    for (int i = 0; i < op->count; i++) {
        if (op->sources[i].kv == NULL)
            continue;
        struct zsetop_union_ctx u = {acc, op->sources[i].weight, op->aggregate};
        zsetop_source_each(op->sources[i].kv, zsetop_union_add, &u);
    }
}

struct zsetop_inter_ctx {
    struct zsetop *op;
    struct kv *acc;
    long long found;
};

static bool zsetop_inter_visit(const char *member, size_t len, double score, void *ctx)
{
    struct zsetop_inter_ctx *x = ctx;
    struct zsetop *op = x->op;
    double v = zsetop_weighted(score, op->sources[0].weight);
    bool keep = true;
    for (int i = 1; i < op->count && keep; i++) {
        double other;
        bool present = op->sources[i].kv &&
                       zsetop_source_score(op->sources[i].kv, member, len, &other);
        if (op->kind == ZSETOP_DIFF)
            keep = !present;
        else if (!present)
            keep = false;
        else
            v = zsetop_combine(op->aggregate, v, zsetop_weighted(other, op->sources[i].weight));
    }
    if (!keep)
        return true;
    x->found++;
    if (x->acc != NULL)
        zset_add(x->acc, op->kind == ZSETOP_DIFF ? score : v, member, len, 0, NULL, 0, 0);
    return !(op->limit > 0 && x->found >= op->limit);
}

/* Intersection (or difference) of the sources into acc; returns the
 * number of result elements (ZINTERCARD stops counting at its limit). */
static long long zsetop_inter_or_diff(struct zsetop *op, struct kv *acc)
{
    struct zsetop_source *first = &op->sources[0];
    if (first->kv == NULL || zsetop_source_length(first) == 0)
        return 0;
    struct zsetop_inter_ctx x = {op, acc, 0};
    zsetop_source_each(first->kv, zsetop_inter_visit, &x);
    return x.found;
}

static void zsetop_reply(struct client *c, struct kv *acc, bool withscores)
{
    size_t length = zset_length(acc);
    reply_array_len(c, zcmd_reply_count(c, (long long)length, withscores));
    if (length == 0)
        return;
    struct zset_iter it;
    for (zset_iter_at_rank(&it, acc, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        zcmd_reply_element(c, e.member, e.len, e.score, withscores);
    }
}

static void zsetop_generic(struct client *c, enum zsetop_kind kind, bool store,
                           bool cardinality_only, const char *name)
{
    struct zsetop op = {.kind = kind, .aggregate = ZSETOP_SUM,
                        .cardinality_only = cardinality_only};
    if (!zsetop_parse(c, &op, store ? 2 : 1, name)) {
        alloc_free(op.sources);
        return;
    }
    /* Smallest first, as Redis: the intersection walks the smallest set.
     * The difference keeps its first set in place. */
    if (kind != ZSETOP_DIFF)
        qsort(op.sources, (size_t)op.count, sizeof(*op.sources), zsetop_by_length);
    if (cardinality_only) {
        reply_integer(c, zsetop_inter_or_diff(&op, NULL));
        alloc_free(op.sources);
        return;
    }
    struct kv *acc = store ? zset_new(c->argv[1].ptr, c->argv[1].len, KV_ENC_SKIPLIST)
                           : zset_new("", 0, KV_ENC_SKIPLIST);
    if (kind == ZSETOP_UNION)
        zsetop_union(&op, acc);
    else
        zsetop_inter_or_diff(&op, acc);
    alloc_free(op.sources);
    if (store) {
        zcmd_store_result(c, &c->argv[1], acc, name);
        return;
    }
    zsetop_reply(c, acc, op.withscores);
    kv_free(acc);
}

static void zset_union_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_UNION, false, false, "zunion");
}

static void zset_inter_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_INTER, false, false, "zinter");
}

static void zset_diff_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_DIFF, false, false, "zdiff");
}

static void zset_unionstore_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_UNION, true, false, "zunionstore");
}

static void zset_interstore_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_INTER, true, false, "zinterstore");
}

static void zset_diffstore_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_DIFF, true, false, "zdiffstore");
}

static void zset_intercard_command(struct client *c)
{
    zsetop_generic(c, ZSETOP_INTER, false, true, "zintercard");
}

/* ---- ZSCAN ---- */

/* One page of ZSCAN: elements are collected before the reply, because the
 * next cursor goes first. */
struct zscan_page {
    const struct resp_arg *pattern;       /* NULL when no MATCH */
    const struct zskiplist_node **nodes;  /* owned array of borrowed nodes */
    size_t count, cap;
};

static void zscan_node(const struct zskiplist_node *node, void *ctx)
{
    struct zscan_page *page = ctx;
    if (page->pattern && !glob_match(page->pattern->ptr, page->pattern->len,
                                     zskiplist_node_member(node),
                                     zskiplist_node_member_len(node), false))
        return;
    if (page->count == page->cap) {
        page->cap = page->cap ? page->cap * 2 : 16;
        page->nodes = alloc_resize(page->nodes, page->cap * sizeof(*page->nodes));
    }
    page->nodes[page->count++] = node;
}

static void zscan_reply_pair(struct client *c, const char *member, size_t len, double score)
{
    char text[ZSET_SCORE_TEXT_BYTES];
    size_t text_len = zset_format_score(text, score);
    reply_bulk(c, member, len);
    reply_bulk(c, text, text_len);
}


/* A listpack zset is scanned whole in one call, with cursor 0. */
static void zscan_listpack(struct client *c, struct kv *kv, const struct zscan_page *page)
{
    reply_array_len(c, 2);
    reply_bulk(c, "0", 1);
    size_t handle = reply_defer_len(c);
    long long n = 0;
    struct zset_iter it;
    for (zset_iter_at_rank(&it, kv, 0, false); zset_iter_valid(&it); zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (page->pattern &&
            !glob_match(page->pattern->ptr, page->pattern->len, e.member, e.len, false))
            continue;
        zscan_reply_pair(c, e.member, e.len, e.score);
        n += 2;
    }
    reply_set_defer_len(c, handle, n, '*');
}

static void zset_scan_command(struct client *c)
{
    uint64_t cursor;
    if (!arg_get_cursor(&c->argv[2], &cursor)) {
        reply_error(c, "invalid cursor");
        return;
    }
    struct kv *kv;
    if (!typed_key_lookup(c, 1, DB_LOOKUP_READ, KV_ZSET, &kv))
        return;
    if (kv == NULL) {
        reply_array_len(c, 2);
        reply_bulk(c, "0", 1);
        reply_empty_array(c);
        return;
    }
    long long count;
    struct zscan_page page = {0};
    if (!arg_get_scan_options(c, 3, &count, &page.pattern))
        return;
    if (kv->encoding == KV_ENC_LISTPACK) {
        zscan_listpack(c, kv, &page);
        return;
    }
    long long budget = count * ZSET_SCAN_BUCKETS_PER_COUNT;
    do {
        cursor = zset_scan(kv, cursor, zscan_node, &page);
    } while (cursor != 0 && --budget > 0 && (long long)page.count < count);
    char text[32];
    int text_len = snprintf(text, sizeof(text), "%llu", (unsigned long long)cursor);
    reply_array_len(c, 2);
    reply_bulk(c, text, (size_t)text_len);
    reply_array_len(c, (long long)page.count * 2);
    for (size_t i = 0; i < page.count; i++)
        zscan_reply_pair(c, zskiplist_node_member(page.nodes[i]),
                         zskiplist_node_member_len(page.nodes[i]),
                         zskiplist_node_score(page.nodes[i]));
    alloc_free(page.nodes);
}

/* ---- Command table ---- */

struct command zset_commands[] = {
    {.name = "zadd", .proc = zset_add_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Add one or more members to a sorted set, or update its score if it already exists",
     .since = "1.2.0", .group = "sorted-set",
     .complexity = "O(log(N)) for each item added, where N is the number of elements in the sorted "
                   "set.",
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple elements."},
         {"3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."},
         {"6.2.0", "Added the `GT` and `LT` options."},
         {0}},
     .arguments = "key^k#0 condition^o@3.0.2?(nx^t='NX' xx^t='XX') comparison^o@6.2.0?(gt^t='GT' "
                  "lt^t='LT') change^t='CH'@3.0.2? increment^t='INCR'@3.0.2? "
                  "score_member^b*(score^d member^s)"},
    {.name = "zincrby", .proc = zset_incrby_command, .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST,
     .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access update/i1/r0,1,0",
     .summary = "Increment the score of a member in a sorted set", .since = "1.2.0",
     .group = "sorted-set",
     .complexity = "O(log(N)) where N is the number of elements in the sorted set.",
     .arguments = "key^k#0 increment^i member^s"},
    {.name = "zrem", .proc = zset_rem_command, .arity = -3, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove one or more members from a sorted set", .since = "1.2.0",
     .group = "sorted-set",
     .complexity = "O(M*log(N)) with N being the number of elements in the sorted set and M the "
                   "number of elements to be removed.",
     .history = (const struct command_history[]){
         {"2.4.0", "Accepts multiple elements."},
         {0}},
     .arguments = "key^k#0 member^s*"},
    {.name = "zcard", .proc = zset_card_command, .arity = 2, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RO/i1/r0,1,0",
     .summary = "Get the number of members in a sorted set", .since = "1.2.0",
     .group = "sorted-set", .complexity = "O(1)",
     .arguments = "key^k#0"},
    {.name = "zscore", .proc = zset_score_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get the score associated with the given member in a sorted set", .since = "1.2.0",
     .group = "sorted-set", .complexity = "O(1)",
     .arguments = "key^k#0 member^s"},
    {.name = "zmscore", .proc = zset_mscore_command, .arity = -3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Get the score associated with the given members in a sorted set", .since = "6.2.0",
     .group = "sorted-set", .complexity = "O(N) where N is the number of members being requested.",
     .arguments = "key^k#0 member^s*"},
    {.name = "zrank", .proc = zset_rank_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Determine the index of a member in a sorted set", .since = "2.0.0",
     .group = "sorted-set", .complexity = "O(log(N))",
     .arguments = "key^k#0 member^s"},
    {.name = "zrevrank", .proc = zset_revrank_command, .arity = 3, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Determine the index of a member in a sorted set, with scores ordered from high to "
                "low",
     .since = "2.0.0", .group = "sorted-set", .complexity = "O(log(N))",
     .arguments = "key^k#0 member^s"},
    {.name = "zcount", .proc = zset_count_command, .arity = 4, .flags = CMD_READONLY | CMD_FAST,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Count the members in a sorted set with scores within the given values",
     .since = "2.0.0", .group = "sorted-set",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .arguments = "key^k#0 min^d max^d"},
    {.name = "zlexcount", .proc = zset_lexcount_command, .arity = 4,
     .flags = CMD_READONLY | CMD_FAST, .acl = ACL_READ | ACL_SORTEDSET | ACL_FAST, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .summary = "Count the number of members in a sorted set between a given lexicographical range",
     .since = "2.8.9", .group = "sorted-set",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .arguments = "key^k#0 min^s max^s"},
    {.name = "zrange", .proc = zset_range_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set", .since = "1.2.0",
     .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements returned.",
     .history = (const struct command_history[]){
         {"6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."},
         {0}},
     .arguments = "key^k#0 start^s stop^s sortby^o@6.2.0?(byscore^t='BYSCORE' bylex^t='BYLEX') "
                  "rev^t='REV'@6.2.0? offset_count^b='LIMIT'@6.2.0?(offset^i count^i) "
                  "withscores^t='WITHSCORES'?"},
    {.name = "zrangebyscore", .proc = zset_rangebyscore_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set, by score", .since = "1.0.5",
     .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements being returned. If M is constant (e.g. always asking for "
                   "the first 10 elements with LIMIT), you can consider it O(log(N)).",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `BYSCORE` argument",
     .history = (const struct command_history[]){
         {"2.0.0", "Added the `WITHSCORES` modifier."},
         {0}},
     .arguments = "key^k#0 min^d max^d withscores^t='WITHSCORES'@2.0.0? "
                  "offset_count^b='LIMIT'?(offset^i count^i)"},
    {.name = "zrevrangebyscore", .proc = zset_revrangebyscore_command, .arity = -4,
     .flags = CMD_READONLY, .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set, by score, with scores ordered from "
                "high to low",
     .since = "2.2.0", .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements being returned. If M is constant (e.g. always asking for "
                   "the first 10 elements with LIMIT), you can consider it O(log(N)).",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` and `BYSCORE` arguments",
     .history = (const struct command_history[]){
         {"2.1.6", "`min` and `max` can be exclusive."},
         {0}},
     .arguments = "key^k#0 max^d min^d withscores^t='WITHSCORES'? "
                  "offset_count^b='LIMIT'?(offset^i count^i)"},
    {.name = "zrangebylex", .proc = zset_rangebylex_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set, by lexicographical range",
     .since = "2.8.9", .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements being returned. If M is constant (e.g. always asking for "
                   "the first 10 elements with LIMIT), you can consider it O(log(N)).",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `BYLEX` argument",
     .arguments = "key^k#0 min^s max^s offset_count^b='LIMIT'?(offset^i count^i)"},
    {.name = "zrevrangebylex", .proc = zset_revrangebylex_command, .arity = -4,
     .flags = CMD_READONLY, .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set, by lexicographical range, ordered from "
                "higher to lower strings.",
     .since = "2.8.9", .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements being returned. If M is constant (e.g. always asking for "
                   "the first 10 elements with LIMIT), you can consider it O(log(N)).",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` and `BYLEX` arguments",
     .arguments = "key^k#0 max^s min^s offset_count^b='LIMIT'?(offset^i count^i)"},
    {.name = "zrevrange", .proc = zset_revrange_command, .arity = -4, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .summary = "Return a range of members in a sorted set, by index, with scores ordered from "
                "high to low",
     .since = "1.2.0", .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements returned.",
     .doc_flags = "deprecated", .deprecated_since = "6.2.0",
     .replaced_by = "`ZRANGE` with the `REV` argument",
     .arguments = "key^k#0 start^i stop^i withscores^t='WITHSCORES'?"},
    {.name = "zrangestore", .proc = zset_rangestore_command, .arity = -5,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 2, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/r0,1,0",
     .summary = "Store a range of members from sorted set into another key", .since = "6.2.0",
     .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements stored into the destination key.",
     .arguments = "dst^k#0 src^k#1 min^s max^s sortby^o?(byscore^t='BYSCORE' bylex^t='BYLEX') "
                  "rev^t='REV'? offset_count^b='LIMIT'?(offset^i count^i)"},
    {.name = "zremrangebyrank", .proc = zset_remrangebyrank_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove all members in a sorted set within the given indexes", .since = "2.0.0",
     .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements removed by the operation.",
     .arguments = "key^k#0 start^i stop^i"},
    {.name = "zremrangebyscore", .proc = zset_remrangebyscore_command, .arity = 4,
     .flags = CMD_WRITE, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1,
     .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove all members in a sorted set within the given scores", .since = "1.2.0",
     .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements removed by the operation.",
     .arguments = "key^k#0 min^d max^d"},
    {.name = "zremrangebylex", .proc = zset_remrangebylex_command, .arity = 4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW delete/i1/r0,1,0",
     .summary = "Remove all members in a sorted set between the given lexicographical range",
     .since = "2.8.9", .group = "sorted-set",
     .complexity = "O(log(N)+M) with N being the number of elements in the sorted set and M the "
                   "number of elements removed by the operation.",
     .arguments = "key^k#0 min^s max^s"},
    {.name = "zpopmin", .proc = zset_popmin_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Remove and return members with the lowest scores in a sorted set",
     .since = "5.0.0", .group = "sorted-set",
     .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M being "
                   "the number of elements popped.",
     .arguments = "key^k#0 count^i?"},
    {.name = "zpopmax", .proc = zset_popmax_command, .arity = -2, .flags = CMD_WRITE | CMD_FAST,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST, .first_key = 1, .last_key = 1, .key_step = 1,
     .key_specs = "RW access delete/i1/r0,1,0",
     .summary = "Remove and return members with the highest scores in a sorted set",
     .since = "5.0.0", .group = "sorted-set",
     .complexity = "O(log(N)*M) with N being the number of elements in the sorted set, and M being "
                   "the number of elements popped.",
     .arguments = "key^k#0 count^i?"},
    {.name = "zmpop", .proc = zset_mpop_command, .arity = -4, .flags = CMD_WRITE,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RW access delete/i1/n0,1,1",
     .summary = "Remove and return members with scores in a sorted set", .since = "7.0.0",
     .group = "sorted-set",
     .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number "
                   "of elements in the sorted set, and M being the number of elements popped.",
     .arguments = "numkeys^i key^k#0* where^o(min^t='MIN' max^t='MAX') count^i='COUNT'?"},
    {.name = "zrandmember", .proc = zset_randmember_command, .arity = -2, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Get one or multiple random elements from a sorted set", .since = "6.2.0",
     .group = "sorted-set", .complexity = "O(N) where N is the number of elements returned",
     .arguments = "key^k#0 options^b?(count^i withscores^t='WITHSCORES'?)"},
    {.name = "zunion", .proc = zset_union_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i1/n0,1,1",
     .summary = "Add multiple sorted sets", .since = "6.2.0", .group = "sorted-set",
     .complexity = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, "
                   "and M being the number of elements in the resulting sorted set.",
     .arguments = "numkeys^i key^k#0* weight^i='WEIGHTS'?* aggregate^o='AGGREGATE'?(sum^t='SUM' "
                  "min^t='MIN' max^t='MAX') withscores^t='WITHSCORES'?"},
    {.name = "zinter", .proc = zset_inter_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i1/n0,1,1",
     .summary = "Intersect multiple sorted sets", .since = "6.2.0", .group = "sorted-set",
     .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
                   "being the number of input sorted sets and M being the number of elements in "
                   "the resulting sorted set.",
     .arguments = "numkeys^i key^k#0* weight^i='WEIGHTS'?* aggregate^o='AGGREGATE'?(sum^t='SUM' "
                  "min^t='MIN' max^t='MAX') withscores^t='WITHSCORES'?"},
    {.name = "zdiff", .proc = zset_diff_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i1/n0,1,1",
     .summary = "Subtract multiple sorted sets", .since = "6.2.0", .group = "sorted-set",
     .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
                   "the sets, N is the size of the first set, and K is the size of the result set.",
     .arguments = "numkeys^i key^k#0* withscores^t='WITHSCORES'?"},
    {.name = "zunionstore", .proc = zset_unionstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/n0,1,1",
     .summary = "Add multiple sorted sets and store the resulting sorted set in a new key",
     .since = "2.0.0", .group = "sorted-set",
     .complexity = "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, "
                   "and M being the number of elements in the resulting sorted set.",
     .arguments = "destination^k#0 numkeys^i key^k#1* weight^i='WEIGHTS'?* "
                  "aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' max^t='MAX')"},
    {.name = "zinterstore", .proc = zset_interstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/n0,1,1",
     .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key",
     .since = "2.0.0", .group = "sorted-set",
     .complexity = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K "
                   "being the number of input sorted sets and M being the number of elements in "
                   "the resulting sorted set.",
     .arguments = "destination^k#0 numkeys^i key^k#1* weight^i='WEIGHTS'?* "
                  "aggregate^o='AGGREGATE'?(sum^t='SUM' min^t='MIN' max^t='MAX')"},
    {.name = "zdiffstore", .proc = zset_diffstore_command, .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM, .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW, .first_key = 1,
     .last_key = 1, .key_step = 1,
     .key_specs = "OW update/i1/r0,1,0;RO access/i2/n0,1,1",
     .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key",
     .since = "6.2.0", .group = "sorted-set",
     .complexity = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all "
                   "the sets, N is the size of the first set, and K is the size of the result set.",
     .arguments = "destination^k#0 numkeys^i key^k#1*"},
    {.name = "zintercard", .proc = zset_intercard_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 0, .last_key = 0, .key_step = 0,
     .key_specs = "RO access/i1/n0,1,1",
     .summary = "Intersect multiple sorted sets and return the cardinality of the result",
     .since = "7.0.0", .group = "sorted-set",
     .complexity = "O(N*K) worst case with N being the smallest input sorted set, K being the "
                   "number of input sorted sets.",
     .arguments = "numkeys^i key^k#0* limit^i='LIMIT'?"},
    {.name = "zscan", .proc = zset_scan_command, .arity = -3, .flags = CMD_READONLY,
     .acl = ACL_READ | ACL_SORTEDSET | ACL_SLOW, .first_key = 1, .last_key = 1, .key_step = 1,
     .tips = "nondeterministic_output",
     .summary = "Incrementally iterate sorted sets elements and associated scores",
     .since = "2.8.0", .group = "sorted-set",
     .complexity = "O(1) for every call. O(N) for a complete iteration, including enough command "
                   "calls for the cursor to return back to 0. N is the number of elements inside "
                   "the collection..",
     .arguments = "key^k#0 cursor^i pattern^p='MATCH'? count^i='COUNT'?"},
    {.name = "bzpopmin", .proc = zset_bzpopmin_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST | ACL_BLOCKING, .first_key = 1, .last_key = -2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r-2,1,0",
     .summary = "Remove and return the member with the lowest score from one or more sorted sets, "
                "or block until one is available",
     .since = "5.0.0", .group = "sorted-set",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .history = (const struct command_history[]){
         {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
         {0}},
     .arguments = "key^k#0* timeout^d"},
    {.name = "bzpopmax", .proc = zset_bzpopmax_command, .arity = -3,
     .flags = CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_FAST | ACL_BLOCKING, .first_key = 1, .last_key = -2,
     .key_step = 1,
     .key_specs = "RW access delete/i1/r-2,1,0",
     .summary = "Remove and return the member with the highest score from one or more sorted sets, "
                "or block until one is available",
     .since = "5.0.0", .group = "sorted-set",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .history = (const struct command_history[]){
         {"6.0.0", "`timeout` is interpreted as a double instead of an integer."},
         {0}},
     .arguments = "key^k#0* timeout^d"},
    {.name = "bzmpop", .proc = zset_bzmpop_command, .arity = -5, .flags = CMD_WRITE | CMD_BLOCKING,
     .acl = ACL_WRITE | ACL_SORTEDSET | ACL_SLOW | ACL_BLOCKING, .first_key = 0, .last_key = 0,
     .key_step = 0,
     .key_specs = "RW access delete/i2/n0,1,1",
     .summary = "Remove and return members with scores in a sorted set or block until one is "
                "available",
     .since = "7.0.0", .group = "sorted-set",
     .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number "
                   "of elements in the sorted set, and M being the number of elements popped.",
     .arguments = "timeout^d numkeys^i key^k#0* where^o(min^t='MIN' max^t='MAX') count^i='COUNT'?"},
    {0},
};
