/* zskiplist.h: the ordered half of a sorted set.
 *
 * A skip list of (score, member) pairs kept in ascending score order, with
 * equal scores ordered by member bytes (memcmp over the shorter length, then
 * the shorter member first), the order Redis 7.0 gives ZRANGE. Every forward
 * link records its span, the number of level-0 steps it skips, so rank
 * lookups cost O(log n) like searches do.
 *
 * Each node is one allocation holding its links and a copy of the member
 * (with a NUL after it). A node's address never changes while it is in the
 * list, not even when zskiplist_update_score moves it, so a caller's member
 * dict may point at nodes. The list does not check that members are unique:
 * that is the dict's job, and inserting a (score, member) pair already present
 * is a programmer error that trips an assert.
 *
 * The structs are visible so the accessors can be inline; fields are read-only
 * outside zskiplist.c.
 *
 * Also here: the ZRANGEBYSCORE/ZRANGEBYLEX bound syntax (zrange_parse_score,
 * zrange_parse_lex) and the range types they fill in. */
#ifndef RINGKV_ENGINE_ZSKIPLIST_H
#define RINGKV_ENGINE_ZSKIPLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Highest node level, as Redis's ZSKIPLIST_MAXLEVEL. With a 1/4 chance of
 * each extra level, 32 levels stay efficient up to 2^64 elements. */
#define ZSKIPLIST_LEVEL_MAX 32
/* Chance that a node of level k also gets level k + 1, as a fraction
 * numerator / denominator (Redis's ZSKIPLIST_P = 0.25). */
#define ZSKIPLIST_P_NUMERATOR 1
#define ZSKIPLIST_P_DENOMINATOR 4
/* Longest member, matching kv.h's KV_BYTES_MAX (uint32 lengths). */
#define ZSKIPLIST_MEMBER_BYTES_MAX ((size_t)UINT32_MAX - 64)

struct zskiplist_node;

struct zskiplist_level {
    struct zskiplist_node *forward; /* next node at this level, or NULL */
    size_t span;                    /* level-0 steps from this node to forward */
};

struct zskiplist_node {
    double score;
    struct zskiplist_node *backward; /* previous node at level 0, NULL for the first */
    uint32_t member_len;
    uint8_t level_count;             /* entries in levels[], 1..ZSKIPLIST_LEVEL_MAX */
    struct zskiplist_level levels[]; /* then member_len member bytes and a NUL */
};

struct zskiplist {
    struct zskiplist_node *header; /* owned sentinel with ZSKIPLIST_LEVEL_MAX levels */
    struct zskiplist_node *tail;   /* last node, or NULL when empty */
    size_t length;
    int level;          /* highest level any node uses; 1 when empty */
    uint64_t rng_state; /* the level generator's state */
};

/* A score interval for ZRANGEBYSCORE and friends: min <= score <= max, with
 * either side strict when its ex flag is set. */
struct zrange_spec {
    double min, max;
    bool minex, maxex;
};

enum zlex_bound_kind {
    ZLEX_BOUND_FINITE,  /* "[member" or "(member" */
    ZLEX_BOUND_NEG_INF, /* "-": below every member */
    ZLEX_BOUND_POS_INF, /* "+": above every member */
};

struct zlex_bound {
    enum zlex_bound_kind kind;
    bool exclusive;    /* "(" prefix; infinities are always exclusive, as in Redis */
    const char *bytes; /* borrowed, valid as long as the parsed text; NULL when infinite */
    size_t len;
};

/* A member interval for ZRANGEBYLEX and friends. Comparisons look only at
 * members, so they are meaningful when every score in the list is equal. */
struct zlex_spec {
    struct zlex_bound min, max;
};

/* ---- The list ---- */

/* Returns an owned empty list. seed drives the level generator, so a given
 * seed and sequence of operations always build the same shape. */
struct zskiplist *zskiplist_create(uint64_t seed);
/* Frees the list and every node in it. Takes ownership of zsl (may be NULL). */
void zskiplist_free(struct zskiplist *zsl);

/* Inserts (score, member[0..len)) and returns its node, owned by the list and
 * valid until the member is deleted. The pair must not be present and score
 * must not be NaN (both asserted). */
struct zskiplist_node *zskiplist_insert(struct zskiplist *zsl, double score,
                                        const char *member, size_t len);
/* Removes (score, member[0..len)); returns false if it is not present. When
 * removed_out is NULL the node is freed; otherwise it is unlinked and handed
 * to the caller through *removed_out, to read and then zskiplist_node_free. */
bool zskiplist_delete(struct zskiplist *zsl, double score, const char *member, size_t len,
                      struct zskiplist_node **removed_out);
/* Frees a node returned by zskiplist_delete. Takes ownership (may be NULL). */
void zskiplist_node_free(struct zskiplist_node *node);
/* Changes the score of (score, member[0..len)), which must be present
 * (asserted), to new_score (not NaN), and returns its node. The node keeps its
 * address: it is relinked, not reallocated, and only when its position in the
 * order changes. */
struct zskiplist_node *zskiplist_update_score(struct zskiplist *zsl, double score,
                                              const char *member, size_t len,
                                              double new_score);

static inline size_t zskiplist_length(const struct zskiplist *zsl)
{
    return zsl->length;
}
/* First and last nodes, or NULL when empty. Borrowed, as every node returned. */
static inline struct zskiplist_node *zskiplist_first(const struct zskiplist *zsl)
{
    return zsl->header->levels[0].forward;
}
static inline struct zskiplist_node *zskiplist_last(const struct zskiplist *zsl)
{
    return zsl->tail;
}

/* ---- Ranks ---- */

/* The 1-based rank of (score, member[0..len)), or 0 if it is not present. */
size_t zskiplist_rank(const struct zskiplist *zsl, double score, const char *member, size_t len);
/* The node at 1-based rank, or NULL when rank is 0 or past the end. */
struct zskiplist_node *zskiplist_by_rank(const struct zskiplist *zsl, size_t rank);

/* ---- Ranges ---- */

/* First (lowest) and last (highest) node whose score is inside range, or NULL
 * when none is (including when the range is empty, e.g. min > max). */
struct zskiplist_node *zskiplist_first_in_range(const struct zskiplist *zsl,
                                                const struct zrange_spec *range);
struct zskiplist_node *zskiplist_last_in_range(const struct zskiplist *zsl,
                                               const struct zrange_spec *range);
/* The same by member, for lists whose scores are all equal. */
struct zskiplist_node *zskiplist_first_in_lex_range(const struct zskiplist *zsl,
                                                    const struct zlex_spec *range);
struct zskiplist_node *zskiplist_last_in_lex_range(const struct zskiplist *zsl,
                                                   const struct zlex_spec *range);

/* Whether score / member[0..len) lies inside the range (for callers walking
 * nodes with zskiplist_node_next from a first_in_range result). */
bool zrange_score_gte_min(double score, const struct zrange_spec *range);
bool zrange_score_lte_max(double score, const struct zrange_spec *range);
bool zrange_lex_gte_min(const char *member, size_t len, const struct zlex_spec *range);
bool zrange_lex_lte_max(const char *member, size_t len, const struct zlex_spec *range);

/* Delete every node in the range, in ascending order, and return how many
 * went. Before each node is freed, deleted(node, ctx) runs (if not NULL) so
 * the caller can drop the member from its dict; the node is already unlinked
 * and the callback must not touch the list. Ranks are 1-based and inclusive,
 * as ZREMRANGEBYRANK's after its index conversion: start must be at least 1
 * (asserted); an end past the last rank stops at the last node, and
 * end < start deletes nothing. Score bounds must not be NaN. */
size_t zskiplist_delete_range_by_score(struct zskiplist *zsl, const struct zrange_spec *range,
                                       void *ctx,
                                       void (*deleted)(struct zskiplist_node *node, void *ctx));
size_t zskiplist_delete_range_by_lex(struct zskiplist *zsl, const struct zlex_spec *range,
                                     void *ctx,
                                     void (*deleted)(struct zskiplist_node *node, void *ctx));
size_t zskiplist_delete_range_by_rank(struct zskiplist *zsl, size_t start, size_t end,
                                      void *ctx,
                                      void (*deleted)(struct zskiplist_node *node, void *ctx));

/* ---- Nodes ---- */

/* The member bytes, NUL-terminated after member_len bytes. Borrowed from the
 * node. */
static inline const char *zskiplist_node_member(const struct zskiplist_node *node)
{
    return (const char *)&node->levels[node->level_count];
}
static inline size_t zskiplist_node_member_len(const struct zskiplist_node *node)
{
    return node->member_len;
}
static inline double zskiplist_node_score(const struct zskiplist_node *node)
{
    return node->score;
}
/* The next node in ascending order, or NULL after the last. */
static inline struct zskiplist_node *zskiplist_node_next(const struct zskiplist_node *node)
{
    return node->levels[0].forward;
}
/* The previous node, or NULL before the first. */
static inline struct zskiplist_node *zskiplist_node_prev(const struct zskiplist_node *node)
{
    return node->backward;
}

/* Walks the whole list and asserts every invariant: order, backward links,
 * tail, length, level and every span. O(n * level); for tests and debugging. */
void zskiplist_verify(const struct zskiplist *zsl);

/* ---- Range syntax ---- */

/* Parses ZRANGEBYSCORE bounds as Redis's zslParseRange: an optional "(" for
 * an exclusive bound, then text strtod accepts entirely ("-inf", "+inf",
 * "1e3", even "" as 0), not NaN. Returns false, leaving *out undefined, when
 * either bound is invalid ("ERR min or max is not a float"). The text is
 * borrowed and may contain NULs; strtod stops at the first, as Redis's does. */
bool zrange_parse_score(const char *min, size_t min_len, const char *max, size_t max_len,
                        struct zrange_spec *out);
/* Parses ZRANGEBYLEX bounds as Redis's zslParseLexRange: "[member" (inclusive),
 * "(member" (exclusive), "-" or "+"; anything else, the empty string included,
 * is invalid ("ERR min or max not valid string range item"). out borrows the
 * text: its bounds point into min and max. */
bool zrange_parse_lex(const char *min, size_t min_len, const char *max, size_t max_len,
                      struct zlex_spec *out);

#endif
