/* zset.c: the sorted-set value type: the listpack and skiplist encodings,
 * conversion between them, and the ordered iterator (see zset.h).
 *
 * In a listpack, entry 2i is a member and entry 2i+1 its score; pairs are
 * kept sorted by (score, member), members compared as memcmp over the shorter
 * length and then shorter first, the same order zskiplist.h keeps. */
#include "engine/zset.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/number.h"

/* One member's dict entry in the skiplist encoding: the key is the node's
 * member, so the bytes are stored once. */
struct zset_dict_node {
    struct dict_node link;
    struct zskiplist_node *node; /* borrowed from the zset's list */
};

/* Seeds the level generator of each new list; the shape only affects speed. */
static uint64_t zset_seed_counter = 0x5eed2e7ULL;

static uint64_t zset_dict_hash(const struct dict_node *n)
{
    const struct zset_dict_node *zn = (const struct zset_dict_node *)n;
    return dict_hash_bytes(zskiplist_node_member(zn->node), zskiplist_node_member_len(zn->node));
}

static bool zset_dict_equal(const struct dict_node *n, const void *key, size_t len)
{
    const struct zset_dict_node *zn = (const struct zset_dict_node *)n;
    return zskiplist_node_member_len(zn->node) == len &&
           memcmp(zskiplist_node_member(zn->node), key, len) == 0;
}

static const struct dict_type zset_dict_type = {
    .hash_node = zset_dict_hash,
    .key_equal = zset_dict_equal,
};

size_t zset_format_score(char buf[ZSET_SCORE_TEXT_BYTES], double score)
{
    return number_format_double(buf, ZSET_SCORE_TEXT_BYTES, score);
}

/* Redis's member order: memcmp over the common length, then the shorter first. */
static int zset_member_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int cmp = n ? memcmp(a, b, n) : 0;
    if (cmp != 0)
        return cmp;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* ---- Skiplist encoding ---- */

static struct zset_big *zset_big_new(void)
{
    struct zset_big *zs = alloc_bytes(sizeof(*zs));
    dict_init(&zs->dict, &zset_dict_type);
    zset_seed_counter += 0x9e3779b97f4a7c15ULL;
    zs->zsl = zskiplist_create(zset_seed_counter);
    return zs;
}

static void zset_dict_node_free(struct dict_node *n, void *ctx)
{
    (void)ctx;
    alloc_free(n);
}

static void zset_big_free(struct zset_big *zs)
{
    dict_clear(&zs->dict, zset_dict_node_free, NULL);
    zskiplist_free(zs->zsl);
    alloc_free(zs);
}

static struct zset_dict_node *zset_big_find(const struct zset_big *zs, const char *member,
                                            size_t len)
{
    return (struct zset_dict_node *)dict_find(&zs->dict, member, len,
                                              dict_hash_bytes(member, len));
}

static void zset_big_insert(struct zset_big *zs, double score, const char *member, size_t len)
{
    struct zset_dict_node *zn = alloc_bytes(sizeof(*zn));
    zn->node = zskiplist_insert(zs->zsl, score, member, len);
    dict_add(&zs->dict, &zn->link, dict_hash_bytes(member, len));
}

static bool zset_big_delete(struct zset_big *zs, const char *member, size_t len)
{
    struct dict_node *n = dict_remove(&zs->dict, member, len, dict_hash_bytes(member, len));
    if (n == NULL)
        return false;
    struct zset_dict_node *zn = (struct zset_dict_node *)n;
    bool deleted = zskiplist_delete(zs->zsl, zskiplist_node_score(zn->node), member, len, NULL);
    assert(deleted);
    (void)deleted;
    alloc_free(zn);
    return true;
}

/* ---- Listpack encoding ---- */

/* The score entry's value: integers directly, strings through strtod. */
static double zset_lp_score(const unsigned char *p)
{
    struct listpack_entry e;
    listpack_get(p, &e);
    if (e.str == NULL)
        return (double)e.integer;
    char buf[ZSET_SCORE_TEXT_BYTES * 4];
    size_t n = e.len < sizeof(buf) - 1 ? e.len : sizeof(buf) - 1;
    memcpy(buf, e.str, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static const char *zset_lp_member(const unsigned char *p, size_t *len,
                                  char buf[LISTPACK_INTEGER_TEXT_BYTES])
{
    return (const char *)listpack_get_text(p, len, buf);
}

static unsigned char *zset_lp_find(unsigned char *lp, const char *member, size_t len)
{
    unsigned char *first = listpack_first(lp);
    if (first == NULL)
        return NULL;
    return listpack_find(lp, first, member, len, 1);
}

/* The score text a listpack stores: Redis's d2string, which writes every
 * integral value through its integer path, so -0 is stored as "0". */
static size_t zset_lp_score_text(char buf[ZSET_SCORE_TEXT_BYTES], double score)
{
    if (score == 0)
        score = 0.0;
    return zset_format_score(buf, score);
}

/* Inserts the pair at its place in the order. */
static unsigned char *zset_lp_insert(unsigned char *lp, double score, const char *member,
                                     size_t len)
{
    char text[ZSET_SCORE_TEXT_BYTES];
    size_t text_len = zset_lp_score_text(text, score);
    unsigned char *p = listpack_first(lp);
    while (p != NULL) {
        unsigned char *sp = listpack_next(lp, p);
        double s = zset_lp_score(sp);
        if (s > score)
            break;
        if (s == score) {
            char buf[LISTPACK_INTEGER_TEXT_BYTES];
            size_t mlen;
            const char *m = zset_lp_member(p, &mlen, buf);
            if (zset_member_compare(m, mlen, member, len) > 0)
                break;
        }
        p = listpack_next(lp, sp);
    }
    if (p == NULL) {
        lp = listpack_append(lp, member, len);
        return listpack_append(lp, text, text_len);
    }
    unsigned char *newp;
    lp = listpack_insert(lp, p, LISTPACK_BEFORE, member, len, &newp);
    return listpack_insert(lp, newp, LISTPACK_AFTER, text, text_len, NULL);
}

/* ---- Whole values ---- */

struct kv *zset_new(const char *key, size_t key_len, enum kv_encoding enc)
{
    void *obj;
    if (enc == KV_ENC_LISTPACK) {
        obj = listpack_new();
    } else {
        assert(enc == KV_ENC_SKIPLIST);
        obj = zset_big_new();
    }
    return kv_new_object(key, key_len, KV_ZSET, enc, obj);
}

void zset_free(void *obj, enum kv_encoding enc)
{
    if (enc == KV_ENC_LISTPACK) {
        listpack_free(obj);
    } else {
        assert(enc == KV_ENC_SKIPLIST);
        zset_big_free(obj);
    }
}

void *zset_copy(const void *obj, enum kv_encoding enc)
{
    if (enc == KV_ENC_LISTPACK)
        return listpack_from_bytes(obj, listpack_bytes(obj));
    assert(enc == KV_ENC_SKIPLIST);
    const struct zset_big *src = obj;
    struct zset_big *dst = zset_big_new();
    dict_expand(&dst->dict, zskiplist_length(src->zsl));
    /* Inserting from the highest down keeps each insert at the list head. */
    for (struct zskiplist_node *n = zskiplist_last(src->zsl); n; n = zskiplist_node_prev(n))
        zset_big_insert(dst, zskiplist_node_score(n), zskiplist_node_member(n),
                        zskiplist_node_member_len(n));
    return dst;
}

size_t zset_length(const struct kv *kv)
{
    if (kv->encoding == KV_ENC_LISTPACK)
        return listpack_count(kv_object(kv)) / 2;
    const struct zset_big *zs = kv_object(kv);
    return zskiplist_length(zs->zsl);
}

bool zset_score(const struct kv *kv, const char *member, size_t len, double *score)
{
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = kv_object(kv);
        unsigned char *p = zset_lp_find(lp, member, len);
        if (p == NULL)
            return false;
        if (score)
            *score = zset_lp_score(listpack_next(lp, p));
        return true;
    }
    struct zset_dict_node *zn = zset_big_find(kv_object(kv), member, len);
    if (zn == NULL)
        return false;
    if (score)
        *score = zskiplist_node_score(zn->node);
    return true;
}

void zset_convert_to_skiplist(struct kv *kv)
{
    if (kv->encoding == KV_ENC_SKIPLIST)
        return;
    unsigned char *lp = kv_object(kv);
    struct zset_big *zs = zset_big_new();
    dict_expand(&zs->dict, listpack_count(lp) / 2);
    unsigned char *p = listpack_last(lp);
    /* Walking from the end inserts each pair at the list head. */
    while (p != NULL) {
        unsigned char *mp = listpack_prev(lp, p);
        char buf[LISTPACK_INTEGER_TEXT_BYTES];
        size_t mlen;
        const char *m = zset_lp_member(mp, &mlen, buf);
        zset_big_insert(zs, zset_lp_score(p), m, mlen);
        p = listpack_prev(lp, mp);
    }
    listpack_free(lp);
    kv_set_object(kv, zs);
    kv->encoding = KV_ENC_SKIPLIST;
}

void zset_shrink_if_fits(struct kv *kv, long long max_entries, long long max_value_bytes)
{
    if (kv->encoding != KV_ENC_SKIPLIST)
        return;
    struct zset_big *zs = kv_object(kv);
    if ((long long)zskiplist_length(zs->zsl) > max_entries)
        return;
    size_t total = 0;
    for (struct zskiplist_node *n = zskiplist_first(zs->zsl); n; n = zskiplist_node_next(n)) {
        if ((long long)zskiplist_node_member_len(n) > max_value_bytes)
            return;
        total += zskiplist_node_member_len(n);
    }
    if (!listpack_safe_to_add(NULL, total))
        return;
    unsigned char *lp = listpack_new();
    for (struct zskiplist_node *n = zskiplist_first(zs->zsl); n; n = zskiplist_node_next(n)) {
        char text[ZSET_SCORE_TEXT_BYTES];
        size_t text_len = zset_lp_score_text(text, zskiplist_node_score(n));
        lp = listpack_append(lp, zskiplist_node_member(n), zskiplist_node_member_len(n));
        lp = listpack_append(lp, text, text_len);
    }
    zset_big_free(zs);
    kv_set_object(kv, lp);
    kv->encoding = KV_ENC_LISTPACK;
}

/* Whether the existing score cur may become next under flags (GT/LT). */
static bool zset_add_allowed(int flags, double cur, double next)
{
    if ((flags & ZSET_ADD_GT) && !(next > cur))
        return false;
    if ((flags & ZSET_ADD_LT) && !(next < cur))
        return false;
    return true;
}

/* Changes the score of a present member, returning ADDED/UPDATED/SAME/NAN. */
static enum zset_add_result zset_update(struct kv *kv, double cur, double score,
                                        const char *member, size_t len, int flags,
                                        double *new_score)
{
    if (flags & ZSET_ADD_NX)
        return ZSET_ADD_NOP;
    if (flags & ZSET_ADD_INCR) {
        score += cur;
        if (isnan(score))
            return ZSET_ADD_NAN;
    }
    if (!zset_add_allowed(flags, cur, score))
        return ZSET_ADD_NOP;
    if (new_score)
        *new_score = score;
    if (score == cur)
        return ZSET_ADD_SAME;
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = kv_object(kv);
        unsigned char *p = zset_lp_find(lp, member, len);
        lp = listpack_delete_range_at(lp, &p, 2);
        lp = zset_lp_insert(lp, score, member, len);
        kv_set_object(kv, lp);
    } else {
        struct zset_big *zs = kv_object(kv);
        struct zset_dict_node *zn = zset_big_find(zs, member, len);
        zn->node = zskiplist_update_score(zs->zsl, cur, member, len, score);
    }
    return ZSET_ADD_UPDATED;
}

enum zset_add_result zset_add(struct kv *kv, double score, const char *member, size_t len,
                              int flags, double *new_score, long long max_entries,
                              long long max_value_bytes)
{
    assert(!isnan(score));
    double cur;
    if (zset_score(kv, member, len, &cur))
        return zset_update(kv, cur, score, member, len, flags, new_score);
    if (flags & ZSET_ADD_XX)
        return ZSET_ADD_NOP;
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = kv_object(kv);
        if ((long long)(listpack_count(lp) / 2 + 1) > max_entries ||
            (long long)len > max_value_bytes ||
            !listpack_safe_to_add(lp, len + ZSET_SCORE_TEXT_BYTES)) {
            zset_convert_to_skiplist(kv);
        } else {
            kv_set_object(kv, zset_lp_insert(lp, score, member, len));
        }
    }
    if (kv->encoding == KV_ENC_SKIPLIST)
        zset_big_insert(kv_object(kv), score, member, len);
    if (new_score)
        *new_score = score;
    return ZSET_ADD_ADDED;
}

bool zset_delete(struct kv *kv, const char *member, size_t len)
{
    if (kv->encoding == KV_ENC_SKIPLIST)
        return zset_big_delete(kv_object(kv), member, len);
    unsigned char *lp = kv_object(kv);
    unsigned char *p = zset_lp_find(lp, member, len);
    if (p == NULL)
        return false;
    kv_set_object(kv, listpack_delete_range_at(lp, &p, 2));
    return true;
}

long zset_rank(const struct kv *kv, const char *member, size_t len, bool reverse, double *score)
{
    size_t length = zset_length(kv);
    long rank = -1;
    if (kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = kv_object(kv);
        long i = 0;
        for (unsigned char *p = listpack_first(lp); p; i++) {
            unsigned char *sp = listpack_next(lp, p);
            if (listpack_entry_equals(p, member, len)) {
                rank = i;
                if (score)
                    *score = zset_lp_score(sp);
                break;
            }
            p = listpack_next(lp, sp);
        }
    } else {
        const struct zset_big *zs = kv_object(kv);
        struct zset_dict_node *zn = zset_big_find(zs, member, len);
        if (zn != NULL) {
            double s = zskiplist_node_score(zn->node);
            rank = (long)zskiplist_rank(zs->zsl, s, member, len) - 1;
            if (score)
                *score = s;
        }
    }
    if (rank >= 0 && reverse)
        rank = (long)length - 1 - rank;
    return rank;
}

/* ---- Iterator ---- */

void zset_iter_at_rank(struct zset_iter *it, struct kv *kv, size_t rank, bool reverse)
{
    size_t length = zset_length(kv);
    assert(rank < length);
    size_t index = reverse ? length - 1 - rank : rank;
    it->kv = kv;
    it->reverse = reverse;
    it->lp_member = NULL;
    it->node = NULL;
    if (kv->encoding == KV_ENC_LISTPACK) {
        it->lp_member = listpack_seek(kv_object(kv), (long)index * 2);
    } else {
        const struct zset_big *zs = kv_object(kv);
        it->node = zskiplist_by_rank(zs->zsl, index + 1);
    }
}

bool zset_iter_valid(const struct zset_iter *it)
{
    return it->kv->encoding == KV_ENC_LISTPACK ? it->lp_member != NULL : it->node != NULL;
}

void zset_iter_get(const struct zset_iter *it, struct zset_element *out)
{
    if (it->kv->encoding == KV_ENC_LISTPACK) {
        unsigned char *lp = kv_object(it->kv);
        out->member = zset_lp_member(it->lp_member, &out->len, out->buf);
        out->score = zset_lp_score(listpack_next(lp, it->lp_member));
    } else {
        out->member = zskiplist_node_member(it->node);
        out->len = zskiplist_node_member_len(it->node);
        out->score = zskiplist_node_score(it->node);
    }
}

void zset_iter_next(struct zset_iter *it)
{
    if (it->kv->encoding == KV_ENC_SKIPLIST) {
        it->node = it->reverse ? zskiplist_node_prev(it->node) : zskiplist_node_next(it->node);
        return;
    }
    unsigned char *lp = kv_object(it->kv);
    if (it->reverse) {
        unsigned char *sp = listpack_prev(lp, it->lp_member);
        it->lp_member = sp ? listpack_prev(lp, sp) : NULL;
    } else {
        unsigned char *sp = listpack_next(lp, it->lp_member);
        it->lp_member = listpack_next(lp, sp);
    }
}

/* Range tests for the listpack walk, by score or by member. */
struct zset_range_ops {
    bool (*gte_min)(const struct zset_element *e, const void *range);
    bool (*lte_max)(const struct zset_element *e, const void *range);
    bool (*empty)(const void *range);
};

/* Positions a listpack iterator as Redis's zzlFirstInRange/zzlLastInRange
 * (and their lex twins): nothing when the range is empty or misses the
 * ends; otherwise walk to the first element past the near bound, which
 * must also be inside the far bound. */
static void zset_iter_lp_seek(struct zset_iter *it, const struct zset_range_ops *ops,
                              const void *range)
{
    unsigned char *lp = kv_object(it->kv);
    it->lp_member = NULL;
    if (listpack_count(lp) == 0 || ops->empty(range))
        return;
    struct zset_element first, last;
    it->lp_member = listpack_seek(lp, -2);
    zset_iter_get(it, &last);
    bool last_ok = ops->gte_min(&last, range);
    it->lp_member = listpack_first(lp);
    zset_iter_get(it, &first);
    if (!last_ok || !ops->lte_max(&first, range)) {
        it->lp_member = NULL;
        return;
    }
    if (it->reverse)
        it->lp_member = listpack_seek(lp, -2);
    while (it->lp_member != NULL) {
        struct zset_element e;
        zset_iter_get(it, &e);
        bool near = it->reverse ? ops->lte_max(&e, range) : ops->gte_min(&e, range);
        if (near) {
            bool far = it->reverse ? ops->gte_min(&e, range) : ops->lte_max(&e, range);
            if (!far)
                it->lp_member = NULL;
            return;
        }
        zset_iter_next(it);
    }
}

static bool zset_score_gte(const struct zset_element *e, const void *range)
{
    return zrange_score_gte_min(e->score, range);
}

static bool zset_score_lte(const struct zset_element *e, const void *range)
{
    return zrange_score_lte_max(e->score, range);
}

static bool zset_score_empty(const void *r)
{
    const struct zrange_spec *range = r;
    return range->min > range->max ||
           (range->min == range->max && (range->minex || range->maxex));
}

static bool zset_lex_gte(const struct zset_element *e, const void *range)
{
    return zrange_lex_gte_min(e->member, e->len, range);
}

static bool zset_lex_lte(const struct zset_element *e, const void *range)
{
    return zrange_lex_lte_max(e->member, e->len, range);
}

/* Orders two lex bounds: "-" below every member, "+" above. */
static int zset_lex_bound_compare(const struct zlex_bound *a, const struct zlex_bound *b)
{
    if (a->kind == b->kind && a->kind != ZLEX_BOUND_FINITE)
        return 0;
    if (a->kind == ZLEX_BOUND_NEG_INF || b->kind == ZLEX_BOUND_POS_INF)
        return -1;
    if (a->kind == ZLEX_BOUND_POS_INF || b->kind == ZLEX_BOUND_NEG_INF)
        return 1;
    return zset_member_compare(a->bytes, a->len, b->bytes, b->len);
}

static bool zset_lex_empty(const void *r)
{
    const struct zlex_spec *range = r;
    int cmp = zset_lex_bound_compare(&range->min, &range->max);
    return cmp > 0 || (cmp == 0 && (range->min.exclusive || range->max.exclusive));
}

static const struct zset_range_ops zset_score_ops = {zset_score_gte, zset_score_lte,
                                                     zset_score_empty};
static const struct zset_range_ops zset_lex_ops = {zset_lex_gte, zset_lex_lte, zset_lex_empty};

void zset_iter_in_score_range(struct zset_iter *it, struct kv *kv,
                              const struct zrange_spec *range, bool reverse)
{
    it->kv = kv;
    it->reverse = reverse;
    it->lp_member = NULL;
    it->node = NULL;
    if (kv->encoding == KV_ENC_LISTPACK) {
        zset_iter_lp_seek(it, &zset_score_ops, range);
        return;
    }
    const struct zset_big *zs = kv_object(kv);
    it->node = reverse ? zskiplist_last_in_range(zs->zsl, range)
                       : zskiplist_first_in_range(zs->zsl, range);
}

void zset_iter_in_lex_range(struct zset_iter *it, struct kv *kv, const struct zlex_spec *range,
                            bool reverse)
{
    it->kv = kv;
    it->reverse = reverse;
    it->lp_member = NULL;
    it->node = NULL;
    if (kv->encoding == KV_ENC_LISTPACK) {
        zset_iter_lp_seek(it, &zset_lex_ops, range);
        return;
    }
    const struct zset_big *zs = kv_object(kv);
    it->node = reverse ? zskiplist_last_in_lex_range(zs->zsl, range)
                       : zskiplist_first_in_lex_range(zs->zsl, range);
}

/* Elements from first to last inclusive, counted by rank as Redis's ZCOUNT
 * and ZLEXCOUNT: with no last, everything from first to the end. */
static size_t zset_big_count_between(const struct zset_big *zs, const struct zskiplist_node *first,
                                     const struct zskiplist_node *last)
{
    size_t length = zskiplist_length(zs->zsl);
    size_t first_rank = zskiplist_rank(zs->zsl, first->score, zskiplist_node_member(first),
                                       first->member_len);
    size_t count = length - (first_rank - 1);
    if (last != NULL)
        count -= length - zskiplist_rank(zs->zsl, last->score, zskiplist_node_member(last),
                                         last->member_len);
    return count;
}

size_t zset_count_in_score_range(const struct kv *kv, const struct zrange_spec *range)
{
    if (kv->encoding == KV_ENC_SKIPLIST) {
        const struct zset_big *zs = kv_object(kv);
        struct zskiplist_node *first = zskiplist_first_in_range(zs->zsl, range);
        if (first == NULL)
            return 0;
        return zset_big_count_between(zs, first, zskiplist_last_in_range(zs->zsl, range));
    }
    struct zset_iter it;
    size_t count = 0;
    for (zset_iter_in_score_range(&it, (struct kv *)kv, range, false); zset_iter_valid(&it);
         zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (!zrange_score_lte_max(e.score, range))
            break;
        count++;
    }
    return count;
}

size_t zset_count_in_lex_range(const struct kv *kv, const struct zlex_spec *range)
{
    if (kv->encoding == KV_ENC_SKIPLIST) {
        const struct zset_big *zs = kv_object(kv);
        struct zskiplist_node *first = zskiplist_first_in_lex_range(zs->zsl, range);
        if (first == NULL)
            return 0;
        return zset_big_count_between(zs, first, zskiplist_last_in_lex_range(zs->zsl, range));
    }
    struct zset_iter it;
    size_t count = 0;
    for (zset_iter_in_lex_range(&it, (struct kv *)kv, range, false); zset_iter_valid(&it);
         zset_iter_next(&it)) {
        struct zset_element e;
        zset_iter_get(&it, &e);
        if (!zrange_lex_lte_max(e.member, e.len, range))
            break;
        count++;
    }
    return count;
}

/* ---- Range deletion ---- */

/* Drops a node's dict entry before zskiplist frees it. */
static void zset_big_range_deleted(struct zskiplist_node *node, void *ctx)
{
    struct zset_big *zs = ctx;
    const char *m = zskiplist_node_member(node);
    size_t len = zskiplist_node_member_len(node);
    struct dict_node *n = dict_remove(&zs->dict, m, len, dict_hash_bytes(m, len));
    assert(n != NULL);
    alloc_free(n);
}

size_t zset_delete_range_by_rank(struct kv *kv, size_t start, size_t end)
{
    assert(start <= end && end < zset_length(kv));
    if (kv->encoding == KV_ENC_SKIPLIST) {
        struct zset_big *zs = kv_object(kv);
        return zskiplist_delete_range_by_rank(zs->zsl, start + 1, end + 1, zs,
                                              zset_big_range_deleted);
    }
    size_t count = end - start + 1;
    kv_set_object(kv, listpack_delete_range(kv_object(kv), (long)start * 2, count * 2));
    return count;
}

/* Deletes the listpack pairs from the iterator's position while inside()
 * holds for the far bound. */
static size_t zset_lp_delete_while(struct zset_iter *it,
                                   bool (*below_max)(const struct zset_element *e,
                                                     const void *range),
                                   const void *range)
{
    unsigned char *lp = kv_object(it->kv);
    unsigned char *p = it->lp_member;
    size_t count = 0;
    while (p != NULL) {
        struct zset_element e;
        it->lp_member = p;
        zset_iter_get(it, &e);
        if (!below_max(&e, range))
            break;
        lp = listpack_delete_range_at(lp, &p, 2);
        kv_set_object(it->kv, lp);
        count++;
    }
    return count;
}

static bool zset_score_below_max(const struct zset_element *e, const void *range)
{
    return zrange_score_lte_max(e->score, range);
}

static bool zset_lex_below_max(const struct zset_element *e, const void *range)
{
    return zrange_lex_lte_max(e->member, e->len, range);
}

size_t zset_delete_range_by_score(struct kv *kv, const struct zrange_spec *range)
{
    if (kv->encoding == KV_ENC_SKIPLIST) {
        struct zset_big *zs = kv_object(kv);
        return zskiplist_delete_range_by_score(zs->zsl, range, zs, zset_big_range_deleted);
    }
    struct zset_iter it;
    zset_iter_in_score_range(&it, kv, range, false);
    return zset_lp_delete_while(&it, zset_score_below_max, range);
}

size_t zset_delete_range_by_lex(struct kv *kv, const struct zlex_spec *range)
{
    if (kv->encoding == KV_ENC_SKIPLIST) {
        struct zset_big *zs = kv_object(kv);
        return zskiplist_delete_range_by_lex(zs->zsl, range, zs, zset_big_range_deleted);
    }
    struct zset_iter it;
    zset_iter_in_lex_range(&it, kv, range, false);
    return zset_lp_delete_while(&it, zset_lex_below_max, range);
}

/* ---- Scan ---- */

struct zset_scan_ctx {
    void (*fn)(const struct zskiplist_node *node, void *ctx);
    void *ctx;
};

static void zset_scan_node(struct dict_node *n, void *ctx)
{
    struct zset_scan_ctx *sc = ctx;
    sc->fn(((struct zset_dict_node *)n)->node, sc->ctx);
}

unsigned long long zset_scan(const struct kv *kv, unsigned long long cursor,
                             void (*fn)(const struct zskiplist_node *node, void *ctx), void *ctx)
{
    assert(kv->encoding == KV_ENC_SKIPLIST);
    const struct zset_big *zs = kv_object(kv);
    struct zset_scan_ctx sc = {.fn = fn, .ctx = ctx};
    return dict_scan(&zs->dict, cursor, zset_scan_node, &sc);
}
