/* zset.h: the sorted-set value type and its two encodings.
 *
 * A zset kv holds one of, as Redis 7.0 does:
 *
 * - KV_ENC_LISTPACK: an `unsigned char *` listpack of member, score pairs
 *   kept in (score, member) order. Scores are stored as the text Redis's
 *   d2string produces (%.17g), which the listpack turns into an integer
 *   entry when it is a canonical long long ("3"), and keeps as a string
 *   otherwise ("1.5"), so the blob matches Redis byte for byte.
 * - KV_ENC_SKIPLIST: a `struct zset_big`: an engine/zskiplist.h list for the
 *   order plus a dict from member to the list node for O(1) lookups. Nodes
 *   keep their address across score updates, so the dict never needs fixing.
 *
 * A zset starts as a listpack and converts to a skiplist for good as soon as
 * it would hold more than zset-max-listpack-entries members or a member
 * longer than zset-max-listpack-value bytes (the limits are parameters: the
 * engine never reads configuration). Functions that change a zset take the
 * kv, because a listpack may move and the encoding may change.
 *
 * Reading in order goes through `struct zset_iter`, which hides the
 * encoding: position it by rank, by score range or by lex range, then step
 * forwards or backwards. */
#ifndef RINGKV_ENGINE_ZSET_H
#define RINGKV_ENGINE_ZSET_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/listpack.h"
#include "engine/zskiplist.h"

/* Bytes enough for any score text (%.17g, "inf", "-inf"). */
#define ZSET_SCORE_TEXT_BYTES 32

/* The skiplist encoding. */
struct zset_big {
    struct dict dict;     /* struct zset_dict_node per member, owned */
    struct zskiplist *zsl; /* owned */
};

/* Flags for zset_add (ZADD's options). */
enum zset_add_flag {
    ZSET_ADD_INCR = 1 << 0, /* add score to the current one */
    ZSET_ADD_NX = 1 << 1,   /* only add new members */
    ZSET_ADD_XX = 1 << 2,   /* only update existing members */
    ZSET_ADD_GT = 1 << 3,   /* only update when the new score is greater */
    ZSET_ADD_LT = 1 << 4,   /* only update when the new score is less */
};

enum zset_add_result {
    ZSET_ADD_ADDED,   /* new member */
    ZSET_ADD_UPDATED, /* existing member, score changed */
    ZSET_ADD_SAME,    /* existing member, score unchanged */
    ZSET_ADD_NOP,     /* nothing done because of NX, XX, GT or LT */
    ZSET_ADD_NAN,     /* INCR would make the score NaN: nothing done */
};

/* An element as read: member points into the zset (or into buf for an
 * integer listpack entry), valid until the zset changes. */
struct zset_element {
    const char *member;
    size_t len;
    double score;
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
};

struct zset_iter {
    struct kv *kv;                /* borrowed */
    unsigned char *lp_member;     /* listpack: current member entry, NULL at end */
    struct zskiplist_node *node;  /* skiplist: current node, NULL at end */
    bool reverse;                 /* direction of zset_iter_next */
};

/* Returns an owned zset kv with no members in the given encoding (KV_ENC_LISTPACK
 * or KV_ENC_SKIPLIST). An empty zset may exist only while a command fills it. */
struct kv *zset_new(const char *key, size_t key_len, enum kv_encoding enc);

void zset_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *zset_copy(const void *obj, enum kv_encoding enc);

size_t zset_length(const struct kv *kv);
/* Whether member is present; its score goes to *score (may be NULL). */
bool zset_score(const struct kv *kv, const char *member, size_t len, double *score);

/* ZADD's core. score must not be NaN. flags are enum zset_add_flag; the
 * member's resulting score goes to *new_score (may be NULL) unless the
 * result is ZSET_ADD_NOP or ZSET_ADD_NAN. Converts to a skiplist first
 * when the new member would break the limits. */
enum zset_add_result zset_add(struct kv *kv, double score, const char *member, size_t len,
                              int flags, double *new_score, long long max_entries,
                              long long max_value_bytes);
/* Removes member; returns whether it was present. */
bool zset_delete(struct kv *kv, const char *member, size_t len);
/* Converts a listpack zset to a skiplist (a no-op for a skiplist). */
void zset_convert_to_skiplist(struct kv *kv);
/* Converts a skiplist zset back to a listpack when it fits the limits (the
 * STORE commands' final step, as Redis's zsetConvertToListpackIfNeeded). */
void zset_shrink_if_fits(struct kv *kv, long long max_entries, long long max_value_bytes);

/* 0-based rank of member counting from the lowest (from the highest when
 * reverse), or -1 when absent. Its score goes to *score (may be NULL). */
long zset_rank(const struct kv *kv, const char *member, size_t len, bool reverse, double *score);
/* Members with scores inside range / members inside range. */
size_t zset_count_in_score_range(const struct kv *kv, const struct zrange_spec *range);
size_t zset_count_in_lex_range(const struct kv *kv, const struct zlex_spec *range);

/* Deletes a range and returns how many members went. Ranks are 0-based and
 * inclusive, already clamped by the caller (start <= end < length). */
size_t zset_delete_range_by_rank(struct kv *kv, size_t start, size_t end);
size_t zset_delete_range_by_score(struct kv *kv, const struct zrange_spec *range);
size_t zset_delete_range_by_lex(struct kv *kv, const struct zlex_spec *range);

/* ---- Ordered reading ---- */

/* Positions it at 0-based rank (counted from the highest when reverse),
 * which must be below the length. */
void zset_iter_at_rank(struct zset_iter *it, struct kv *kv, size_t rank, bool reverse);
/* Positions it at the first element inside range in the iteration
 * direction (the lowest, or the highest when reverse); it is at the end
 * when none is. zset_iter_valid does not check the far bound: callers stop
 * with zset_iter_in_*_range. */
void zset_iter_in_score_range(struct zset_iter *it, struct kv *kv,
                              const struct zrange_spec *range, bool reverse);
void zset_iter_in_lex_range(struct zset_iter *it, struct kv *kv, const struct zlex_spec *range,
                            bool reverse);
bool zset_iter_valid(const struct zset_iter *it);
/* Reads the current element (valid). */
void zset_iter_get(const struct zset_iter *it, struct zset_element *out);
/* Steps in the iteration direction. */
void zset_iter_next(struct zset_iter *it);

/* ---- Scanning a skiplist zset's dict (ZSCAN) ---- */

/* One dict_scan step over a skiplist zset; fn gets each element's node. */
unsigned long long zset_scan(const struct kv *kv, unsigned long long cursor,
                             void (*fn)(const struct zskiplist_node *node, void *ctx),
                             void *ctx);

/* The text Redis 7.0 stores and replies for a score (%.17g, "inf",
 * "-inf"); returns its length. */
size_t zset_format_score(char buf[ZSET_SCORE_TEXT_BYTES], double score);

#endif
