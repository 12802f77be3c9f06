/* zskiplist.c: the skip list behind sorted sets, and the range syntax.
 *
 * This file owns the nodes (allocated through engine/alloc.h, member bytes
 * embedded after the levels) and every link between them. Knowing whether a
 * member is present, and with which score, is the caller's dict's job; this
 * file only asserts against duplicates where a search passes by them anyway.
 *
 * Sections: randomness and nodes, ordering, linking and unlinking, insert /
 * delete / update, ranks, ranges, range deletion, verification, range syntax.
 *
 * Key invariant: for every level i below zsl->level, the nodes that have
 * level i form a chain from the header in ascending order, and the span of
 * each link is the difference between the 1-based ranks of its ends; the
 * last link of a chain (forward == NULL) spans from its node to the end of
 * the list, length - rank. So summing spans along any search path gives the
 * rank of where the path stops. Header levels at or above zsl->level are not
 * maintained; raising the level resets them. Level 0 additionally carries
 * backward links, and tail is the last node.
 *
 * Node levels come from a per-list splitmix64 generator rather than random(),
 * so the shape of a list is a function of its seed and its history (tests
 * replay exactly) and there is no shared state between lists. */
#include "engine/zskiplist.h"

#include "engine/alloc.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* zrange_parse_score copies a bound into a stack buffer of this size to give
 * strtod a terminated string; longer text (legal, e.g. many leading zeros)
 * takes one allocation instead. */
#define ZRANGE_SCORE_TEXT_STACK_BYTES 128

static_assert(ZSKIPLIST_P_NUMERATOR == 1 && ZSKIPLIST_P_DENOMINATOR == 4,
              "the level generator draws two random bits per extra level");
static_assert((ZSKIPLIST_LEVEL_MAX - 1) * 2 <= 64,
              "one 64-bit draw must cover every extra level a node can get");
static_assert(ZSKIPLIST_LEVEL_MAX <= UINT8_MAX, "level_count is a uint8_t");
static_assert(ZSKIPLIST_MEMBER_BYTES_MAX <= UINT32_MAX, "member_len is a uint32_t");

/* ---- Randomness and nodes ---- */

/* splitmix64: a Weyl sequence through a 64-bit mixer. Every seed, zero
 * included, gives a full-period stream of well-mixed words. */
static uint64_t zskiplist_rand64(uint64_t *state)
{
    *state += UINT64_C(0x9e3779b97f4a7c15);
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Each extra level is granted with probability 1/4, which is two random bits
 * both being zero; a single draw holds enough pairs for the highest level. */
static int zskiplist_random_level(struct zskiplist *zsl)
{
    uint64_t bits = zskiplist_rand64(&zsl->rng_state);
    int level = 1;
    while (level < ZSKIPLIST_LEVEL_MAX && (bits & 3) == 0) {
        level++;
        bits >>= 2;
    }
    assert(level >= 1);
    assert(level <= ZSKIPLIST_LEVEL_MAX);
    return level;
}

static struct zskiplist_node *zskiplist_node_new(int level_count, double score,
                                                 const char *member, size_t len)
{
    assert(level_count >= 1 && level_count <= ZSKIPLIST_LEVEL_MAX);
    assert(len <= ZSKIPLIST_MEMBER_BYTES_MAX);
    size_t size = sizeof(struct zskiplist_node) +
                  (size_t)level_count * sizeof(struct zskiplist_level) + len + 1;
    struct zskiplist_node *node = alloc_bytes(size);
    node->score = score;
    node->backward = NULL;
    node->member_len = (uint32_t)len;
    node->level_count = (uint8_t)level_count;
    for (int i = 0; i < level_count; i++) {
        node->levels[i].forward = NULL;
        node->levels[i].span = 0;
    }
    char *bytes = (char *)&node->levels[level_count];
    if (len > 0)
        memcpy(bytes, member, len);
    bytes[len] = '\0';
    return node;
}

void zskiplist_node_free(struct zskiplist_node *node)
{
    alloc_free(node);
}

struct zskiplist *zskiplist_create(uint64_t seed)
{
    struct zskiplist *zsl = alloc_bytes(sizeof(*zsl));
    zsl->header = zskiplist_node_new(ZSKIPLIST_LEVEL_MAX, 0, NULL, 0);
    zsl->tail = NULL;
    zsl->length = 0;
    zsl->level = 1;
    zsl->rng_state = seed;
    return zsl;
}

void zskiplist_free(struct zskiplist *zsl)
{
    if (zsl == NULL)
        return;
    struct zskiplist_node *node = zsl->header->levels[0].forward;
    size_t freed = 0;
    while (node != NULL) {
        struct zskiplist_node *next = node->levels[0].forward;
        zskiplist_node_free(node);
        node = next;
        freed++;
    }
    assert(freed == zsl->length);
    zskiplist_node_free(zsl->header);
    alloc_free(zsl);
}

/* ---- Ordering ---- */

/* Member order: bytes compared as unsigned, then the shorter first, so "a"
 * sorts before "a\0" and "ab". This is sdscmp's order. */
static int zskiplist_member_compare(const char *a, size_t a_len, const char *b, size_t b_len)
{
    size_t common = a_len < b_len ? a_len : b_len;
    int c = common > 0 ? memcmp(a, b, common) : 0;
    if (c != 0)
        return c;
    return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

/* Where node sorts relative to (score, member): negative before, 0 equal,
 * positive after. Scores equal as doubles (0.0 and -0.0 included) tie. */
static int zskiplist_node_compare(const struct zskiplist_node *node, double score,
                                  const char *member, size_t len)
{
    if (node->score < score)
        return -1;
    if (node->score > score)
        return 1;
    return zskiplist_member_compare(zskiplist_node_member(node), node->member_len, member, len);
}

static bool zskiplist_node_before(const struct zskiplist_node *node, double score,
                                  const char *member, size_t len)
{
    return zskiplist_node_compare(node, score, member, len) < 0;
}

/* ---- Linking and unlinking ---- */

/* Fills update[i] with the last node at level i (below zsl->level) sorting
 * strictly before (score, member), and rank[i], if asked, with that node's
 * rank (0 for the header). */
static void zskiplist_find_predecessors(const struct zskiplist *zsl, double score,
                                        const char *member, size_t len,
                                        struct zskiplist_node **update, size_t *rank)
{
    struct zskiplist_node *x = zsl->header;
    size_t traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        struct zskiplist_node *next;
        while ((next = x->levels[i].forward) != NULL &&
               zskiplist_node_before(next, score, member, len)) {
            traversed += x->levels[i].span;
            x = next;
        }
        update[i] = x;
        if (rank != NULL)
            rank[i] = traversed;
    }
}

/* Links node (not in any list) at its place in the order, using its own
 * level_count. Reusing a node's level on relink keeps level choice
 * independent of score, which is all the skip list's balance needs. */
static void zskiplist_link(struct zskiplist *zsl, struct zskiplist_node *node)
{
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    size_t rank[ZSKIPLIST_LEVEL_MAX];
    const char *member = zskiplist_node_member(node);
    zskiplist_find_predecessors(zsl, node->score, member, node->member_len, update, rank);
    struct zskiplist_node *after = update[0]->levels[0].forward;
    assert(after == NULL || zskiplist_node_compare(after, node->score, member, node->member_len) > 0);

    int level = node->level_count;
    if (level > zsl->level) {
        /* New top levels start at the header and, empty, span the whole
         * list, which is what the invariant says an empty chain spans. */
        for (int i = zsl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            update[i]->levels[i].span = zsl->length;
        }
        zsl->level = level;
    }
    /* The new node's rank is rank[0] + 1. At each of its levels it splits
     * its predecessor's link in two: the predecessor now reaches the new
     * node, and the new node takes over the rest of the old span. */
    for (int i = 0; i < level; i++) {
        size_t gap = rank[0] - rank[i];
        node->levels[i].forward = update[i]->levels[i].forward;
        update[i]->levels[i].forward = node;
        node->levels[i].span = update[i]->levels[i].span - gap;
        update[i]->levels[i].span = gap + 1;
    }
    /* Links above the node's height now pass over one more node. */
    for (int i = level; i < zsl->level; i++)
        update[i]->levels[i].span++;

    node->backward = update[0] == zsl->header ? NULL : update[0];
    if (node->levels[0].forward != NULL)
        node->levels[0].forward->backward = node;
    else
        zsl->tail = node;
    zsl->length++;
}

/* Unlinks node x, given update[] as zskiplist_find_predecessors fills it for
 * x. The node is not freed. */
static void zskiplist_unlink(struct zskiplist *zsl, struct zskiplist_node *x,
                             struct zskiplist_node **update)
{
    assert(zsl->length > 0);
    assert(update[0]->levels[0].forward == x);
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->levels[i].forward == x) {
            update[i]->levels[i].span += x->levels[i].span - 1;
            update[i]->levels[i].forward = x->levels[i].forward;
        } else {
            update[i]->levels[i].span--;
        }
    }
    if (x->levels[0].forward != NULL)
        x->levels[0].forward->backward = x->backward;
    else
        zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->levels[zsl->level - 1].forward == NULL)
        zsl->level--;
    zsl->length--;
}

/* ---- Insert, delete, update ---- */

struct zskiplist_node *zskiplist_insert(struct zskiplist *zsl, double score,
                                        const char *member, size_t len)
{
    assert(!isnan(score));
    struct zskiplist_node *node =
        zskiplist_node_new(zskiplist_random_level(zsl), score, member, len);
    zskiplist_link(zsl, node);
    return node;
}

bool zskiplist_delete(struct zskiplist *zsl, double score, const char *member, size_t len,
                      struct zskiplist_node **removed_out)
{
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    zskiplist_find_predecessors(zsl, score, member, len, update, NULL);
    struct zskiplist_node *x = update[0]->levels[0].forward;
    if (x == NULL || zskiplist_node_compare(x, score, member, len) != 0)
        return false;
    zskiplist_unlink(zsl, x, update);
    if (removed_out != NULL) {
        x->backward = NULL;
        for (int i = 0; i < x->level_count; i++)
            x->levels[i].forward = NULL;
        *removed_out = x;
    } else {
        zskiplist_node_free(x);
    }
    return true;
}

struct zskiplist_node *zskiplist_update_score(struct zskiplist *zsl, double score,
                                              const char *member, size_t len,
                                              double new_score)
{
    assert(!isnan(new_score));
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    zskiplist_find_predecessors(zsl, score, member, len, update, NULL);
    struct zskiplist_node *x = update[0]->levels[0].forward;
    assert(x != NULL);
    assert(zskiplist_node_compare(x, score, member, len) == 0);

    /* If the new score leaves the node between its neighbours, no link or
     * span changes: only the score does. Unlike Redis, which checks scores
     * alone, this compares the full (score, member) order, so ties that keep
     * the position also stay in place. */
    struct zskiplist_node *prev = x->backward;
    struct zskiplist_node *next = x->levels[0].forward;
    if ((prev == NULL || zskiplist_node_before(prev, new_score, member, len)) &&
        (next == NULL || zskiplist_node_compare(next, new_score, member, len) > 0)) {
        x->score = new_score;
        return x;
    }
    zskiplist_unlink(zsl, x, update);
    x->score = new_score;
    zskiplist_link(zsl, x);
    return x;
}

/* ---- Ranks ---- */

size_t zskiplist_rank(const struct zskiplist *zsl, double score, const char *member, size_t len)
{
    const struct zskiplist_node *x = zsl->header;
    size_t rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        const struct zskiplist_node *next;
        while ((next = x->levels[i].forward) != NULL &&
               zskiplist_node_compare(next, score, member, len) <= 0) {
            rank += x->levels[i].span;
            x = next;
        }
        /* The walk stops on the member itself as soon as any level lands on
         * it, so there is no need to descend further. */
        if (x != zsl->header && zskiplist_node_compare(x, score, member, len) == 0)
            return rank;
    }
    return 0;
}

struct zskiplist_node *zskiplist_by_rank(const struct zskiplist *zsl, size_t rank)
{
    if (rank == 0 || rank > zsl->length)
        return NULL;
    struct zskiplist_node *x = zsl->header;
    size_t traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL && traversed + x->levels[i].span <= rank) {
            traversed += x->levels[i].span;
            x = x->levels[i].forward;
        }
        if (traversed == rank)
            return x;
    }
    assert(!"zskiplist_by_rank: spans disagree with length");
    return NULL;
}

/* ---- Ranges ---- */

bool zrange_score_gte_min(double score, const struct zrange_spec *range)
{
    return range->minex ? score > range->min : score >= range->min;
}

bool zrange_score_lte_max(double score, const struct zrange_spec *range)
{
    return range->maxex ? score < range->max : score <= range->max;
}

/* Whether any score at all can satisfy range, and the list holds scores on
 * both sides of it: the cheap test that lets the range searches assume they
 * find a node. */
static bool zskiplist_may_hold_range(const struct zskiplist *zsl, const struct zrange_spec *range)
{
    if (range->min > range->max)
        return false;
    if (range->min == range->max && (range->minex || range->maxex))
        return false;
    const struct zskiplist_node *last = zsl->tail;
    if (last == NULL || !zrange_score_gte_min(last->score, range))
        return false;
    const struct zskiplist_node *first = zsl->header->levels[0].forward;
    return zrange_score_lte_max(first->score, range);
}

struct zskiplist_node *zskiplist_first_in_range(const struct zskiplist *zsl,
                                                const struct zrange_spec *range)
{
    if (!zskiplist_may_hold_range(zsl, range))
        return NULL;
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               !zrange_score_gte_min(x->levels[i].forward->score, range))
            x = x->levels[i].forward;
    }
    /* The tail is >= min (checked above), so a node follows. */
    x = x->levels[0].forward;
    assert(x != NULL);
    return zrange_score_lte_max(x->score, range) ? x : NULL;
}

struct zskiplist_node *zskiplist_last_in_range(const struct zskiplist *zsl,
                                               const struct zrange_spec *range)
{
    if (!zskiplist_may_hold_range(zsl, range))
        return NULL;
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               zrange_score_lte_max(x->levels[i].forward->score, range))
            x = x->levels[i].forward;
    }
    /* The first node is <= max (checked above), so the walk moved. */
    assert(x != zsl->header);
    return zrange_score_gte_min(x->score, range) ? x : NULL;
}

/* Orders two lex bounds: "-" below every finite bound, "+" above, equal
 * kinds of infinity tie. */
static int zlex_bound_compare(const struct zlex_bound *a, const struct zlex_bound *b)
{
    if (a->kind == ZLEX_BOUND_FINITE && b->kind == ZLEX_BOUND_FINITE)
        return zskiplist_member_compare(a->bytes, a->len, b->bytes, b->len);
    int a_order = a->kind == ZLEX_BOUND_NEG_INF ? -1 : (a->kind == ZLEX_BOUND_POS_INF ? 1 : 0);
    int b_order = b->kind == ZLEX_BOUND_NEG_INF ? -1 : (b->kind == ZLEX_BOUND_POS_INF ? 1 : 0);
    return a_order - b_order;
}

bool zrange_lex_gte_min(const char *member, size_t len, const struct zlex_spec *range)
{
    const struct zlex_bound *min = &range->min;
    if (min->kind != ZLEX_BOUND_FINITE)
        return min->kind == ZLEX_BOUND_NEG_INF;
    int c = zskiplist_member_compare(member, len, min->bytes, min->len);
    return min->exclusive ? c > 0 : c >= 0;
}

bool zrange_lex_lte_max(const char *member, size_t len, const struct zlex_spec *range)
{
    const struct zlex_bound *max = &range->max;
    if (max->kind != ZLEX_BOUND_FINITE)
        return max->kind == ZLEX_BOUND_POS_INF;
    int c = zskiplist_member_compare(member, len, max->bytes, max->len);
    return max->exclusive ? c < 0 : c <= 0;
}

static bool zskiplist_node_gte_lex_min(const struct zskiplist_node *node,
                                       const struct zlex_spec *range)
{
    return zrange_lex_gte_min(zskiplist_node_member(node), node->member_len, range);
}

static bool zskiplist_node_lte_lex_max(const struct zskiplist_node *node,
                                       const struct zlex_spec *range)
{
    return zrange_lex_lte_max(zskiplist_node_member(node), node->member_len, range);
}

static bool zskiplist_may_hold_lex_range(const struct zskiplist *zsl,
                                         const struct zlex_spec *range)
{
    int c = zlex_bound_compare(&range->min, &range->max);
    if (c > 0 || (c == 0 && (range->min.exclusive || range->max.exclusive)))
        return false;
    const struct zskiplist_node *last = zsl->tail;
    if (last == NULL || !zskiplist_node_gte_lex_min(last, range))
        return false;
    return zskiplist_node_lte_lex_max(zsl->header->levels[0].forward, range);
}

struct zskiplist_node *zskiplist_first_in_lex_range(const struct zskiplist *zsl,
                                                    const struct zlex_spec *range)
{
    if (!zskiplist_may_hold_lex_range(zsl, range))
        return NULL;
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               !zskiplist_node_gte_lex_min(x->levels[i].forward, range))
            x = x->levels[i].forward;
    }
    x = x->levels[0].forward;
    assert(x != NULL);
    return zskiplist_node_lte_lex_max(x, range) ? x : NULL;
}

struct zskiplist_node *zskiplist_last_in_lex_range(const struct zskiplist *zsl,
                                                   const struct zlex_spec *range)
{
    if (!zskiplist_may_hold_lex_range(zsl, range))
        return NULL;
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               zskiplist_node_lte_lex_max(x->levels[i].forward, range))
            x = x->levels[i].forward;
    }
    assert(x != zsl->header);
    return zskiplist_node_gte_lex_min(x, range) ? x : NULL;
}

/* ---- Range deletion ---- */

/* Each range deletion first finds update[] for the first doomed node; every
 * node it then removes is that node's successor, so the same update[] stays
 * correct for the whole run. */

static void zskiplist_delete_found(struct zskiplist *zsl, struct zskiplist_node *x,
                                   struct zskiplist_node **update, void *ctx,
                                   void (*deleted)(struct zskiplist_node *node, void *ctx))
{
    zskiplist_unlink(zsl, x, update);
    if (deleted != NULL)
        deleted(x, ctx);
    zskiplist_node_free(x);
}

size_t zskiplist_delete_range_by_score(struct zskiplist *zsl, const struct zrange_spec *range,
                                       void *ctx,
                                       void (*deleted)(struct zskiplist_node *node, void *ctx))
{
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               !zrange_score_gte_min(x->levels[i].forward->score, range))
            x = x->levels[i].forward;
        update[i] = x;
    }
    size_t removed = 0;
    x = x->levels[0].forward;
    while (x != NULL && zrange_score_lte_max(x->score, range)) {
        struct zskiplist_node *next = x->levels[0].forward;
        zskiplist_delete_found(zsl, x, update, ctx, deleted);
        removed++;
        x = next;
    }
    return removed;
}

size_t zskiplist_delete_range_by_lex(struct zskiplist *zsl, const struct zlex_spec *range,
                                     void *ctx,
                                     void (*deleted)(struct zskiplist_node *node, void *ctx))
{
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    struct zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL &&
               !zskiplist_node_gte_lex_min(x->levels[i].forward, range))
            x = x->levels[i].forward;
        update[i] = x;
    }
    size_t removed = 0;
    x = x->levels[0].forward;
    while (x != NULL && zskiplist_node_lte_lex_max(x, range)) {
        struct zskiplist_node *next = x->levels[0].forward;
        zskiplist_delete_found(zsl, x, update, ctx, deleted);
        removed++;
        x = next;
    }
    return removed;
}

size_t zskiplist_delete_range_by_rank(struct zskiplist *zsl, size_t start, size_t end,
                                      void *ctx,
                                      void (*deleted)(struct zskiplist_node *node, void *ctx))
{
    assert(start >= 1);
    struct zskiplist_node *update[ZSKIPLIST_LEVEL_MAX];
    struct zskiplist_node *x = zsl->header;
    size_t traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->levels[i].forward != NULL && traversed + x->levels[i].span < start) {
            traversed += x->levels[i].span;
            x = x->levels[i].forward;
        }
        update[i] = x;
    }
    /* x is now the node at rank start - 1 (or the header). */
    size_t removed = 0;
    size_t rank = traversed + 1;
    x = x->levels[0].forward;
    while (x != NULL && rank <= end) {
        struct zskiplist_node *next = x->levels[0].forward;
        zskiplist_delete_found(zsl, x, update, ctx, deleted);
        removed++;
        rank++;
        x = next;
    }
    return removed;
}

/* ---- Verification ---- */

/* Walks level 0 once, remembering for every level the last node seen at
 * that level and its rank, so each link and span is checked when the walk
 * reaches the link's far end. */
void zskiplist_verify(const struct zskiplist *zsl)
{
    const struct zskiplist_node *last_at[ZSKIPLIST_LEVEL_MAX];
    size_t last_rank[ZSKIPLIST_LEVEL_MAX];
    assert(zsl->header->level_count == ZSKIPLIST_LEVEL_MAX);
    assert(zsl->level >= 1 && zsl->level <= ZSKIPLIST_LEVEL_MAX);
    for (int i = 0; i < zsl->level; i++) {
        last_at[i] = zsl->header;
        last_rank[i] = 0;
    }
    const struct zskiplist_node *prev = NULL;
    size_t rank = 0;
    int level_seen = 1;
    for (const struct zskiplist_node *x = zsl->header->levels[0].forward; x != NULL;
         x = x->levels[0].forward) {
        rank++;
        assert(!isnan(x->score));
        assert(x->backward == prev);
        assert(x->level_count >= 1 && x->level_count <= zsl->level);
        assert(zskiplist_node_member(x)[x->member_len] == '\0');
        if (prev != NULL)
            assert(zskiplist_node_before(prev, x->score, zskiplist_node_member(x), x->member_len));
        for (int i = 0; i < x->level_count; i++) {
            assert(last_at[i]->levels[i].forward == x);
            assert(last_at[i]->levels[i].span == rank - last_rank[i]);
            last_at[i] = x;
            last_rank[i] = rank;
        }
        if (x->level_count > level_seen)
            level_seen = x->level_count;
        prev = x;
    }
    assert(rank == zsl->length);
    assert(zsl->tail == prev);
    assert(level_seen == zsl->level);
    for (int i = 0; i < zsl->level; i++) {
        assert(last_at[i]->levels[i].forward == NULL);
        assert(last_at[i]->levels[i].span == zsl->length - last_rank[i]);
    }
    for (int i = zsl->level; i < ZSKIPLIST_LEVEL_MAX; i++)
        assert(zsl->header->levels[i].forward == NULL);
}

/* ---- Range syntax ---- */

/* One ZRANGEBYSCORE bound. Redis hands strtod its NUL-terminated argument
 * and accepts when the parse stops at a NUL, so leading spaces, hex, "inf"
 * and "infinity" pass, the empty string reads as 0, and an embedded NUL ends
 * the number early; a copy with a NUL appended reproduces all of that. */
static bool zrange_parse_score_bound(const char *text, size_t len, double *value, bool *exclusive)
{
    char stack_buf[ZRANGE_SCORE_TEXT_STACK_BYTES];
    char *copy = len < sizeof(stack_buf) ? stack_buf : alloc_bytes(len + 1);
    if (len > 0)
        memcpy(copy, text, len);
    copy[len] = '\0';

    const char *start = copy;
    *exclusive = copy[0] == '(';
    if (*exclusive)
        start++;
    char *end;
    *value = strtod(start, &end);
    bool ok = end[0] == '\0' && !isnan(*value);
    if (copy != stack_buf)
        alloc_free(copy);
    return ok;
}

bool zrange_parse_score(const char *min, size_t min_len, const char *max, size_t max_len,
                        struct zrange_spec *out)
{
    return zrange_parse_score_bound(min, min_len, &out->min, &out->minex) &&
           zrange_parse_score_bound(max, max_len, &out->max, &out->maxex);
}

/* One ZRANGEBYLEX bound. Redis tests the byte after "+" or "-" against its
 * strings' terminating NUL, so "+" followed by a NUL byte and anything else
 * also reads as "+"; that quirk is kept. */
static bool zrange_parse_lex_bound(const char *text, size_t len, struct zlex_bound *out)
{
    if (len == 0)
        return false;
    switch (text[0]) {
    case '+':
    case '-':
        if (len > 1 && text[1] != '\0')
            return false;
        out->kind = text[0] == '+' ? ZLEX_BOUND_POS_INF : ZLEX_BOUND_NEG_INF;
        out->exclusive = true;
        out->bytes = NULL;
        out->len = 0;
        return true;
    case '(':
    case '[':
        out->kind = ZLEX_BOUND_FINITE;
        out->exclusive = text[0] == '(';
        out->bytes = text + 1;
        out->len = len - 1;
        return true;
    default:
        return false;
    }
}

bool zrange_parse_lex(const char *min, size_t min_len, const char *max, size_t max_len,
                      struct zlex_spec *out)
{
    return zrange_parse_lex_bound(min, min_len, &out->min) &&
           zrange_parse_lex_bound(max, max_len, &out->max);
}
