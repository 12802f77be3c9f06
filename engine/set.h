/* set.h: the set value type and its two Redis 7.0 encodings.
 *
 * A set lives in a kv of type KV_SET whose object pointer is either
 *
 *   - KV_ENC_INTSET: an intset blob (engine/intset.h), while every member
 *     is a canonical integer (number_parse_ll) and the count stays within
 *     set-max-intset-entries; or
 *   - KV_ENC_HASHTABLE: an owned `struct dict` of `struct set_member`
 *     nodes, one allocation per member (link, length and bytes).
 *
 * A set converts from intset to hashtable when a non-integer member is
 * added or the count passes the limit, exactly when Redis 7.0 does, and
 * never converts back by itself (7.0 has no listpack sets). Functions take
 * the set's kv so they can switch its encoding in place; the limit comes
 * from the caller (the engine never reads configuration). */
#ifndef RINGKV_ENGINE_SET_H
#define RINGKV_ENGINE_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"
#include "engine/kv.h"

/* Redis caps the intset at 2^30 entries whatever the configuration says. */
#define SET_INTSET_ENTRIES_CAP (1LL << 30)
/* Room for any long long in decimal. */
#define SET_INT_TEXT_BYTES 24

/* A hashtable member: one allocation, the dict link first. */
struct set_member {
    struct dict_node link; /* owned by the set's dict */
    uint32_t len;
    char data[];
};

/* A member read out of a set. ptr is borrowed: for an intset member it
 * points into text, otherwise into the set, and is valid until the set
 * changes (or the set_elem is reused). */
struct set_elem {
    const char *ptr;
    size_t len;
    char text[SET_INT_TEXT_BYTES];
};

/* Iteration over every member. A hashtable set may not be modified during
 * it (other sets may). */
struct set_iter {
    const struct kv *kv; /* borrowed */
    size_t index;        /* intset position */
    struct dict_iter dict_it;
};

/* Returns an owned kv holding an empty set, encoded the way Redis's
 * setTypeCreate would for a first member of first[0..first_len): intset if
 * it is an integer (or first is NULL), else hashtable. A set must not stay
 * empty in a keyspace: callers add members before linking it. */
struct kv *set_new_kv(const char *key, size_t key_len, const char *first, size_t first_len);

/* Adds member; returns whether it was absent. intset_max is
 * set-max-intset-entries. */
bool set_add(struct kv *kv, const char *member, size_t len, long long intset_max);
/* Removes member; returns whether it was present. */
bool set_remove(struct kv *kv, const char *member, size_t len);
bool set_contains(const struct kv *kv, const char *member, size_t len);
size_t set_size(const struct kv *kv);
/* Stores a random member in *out; the set must not be empty. */
void set_random(const struct kv *kv, uint64_t (*rand64)(void), struct set_elem *out);
/* Converts an intset set to a hashtable (no-op if already one), sized for
 * size_hint members. */
void set_convert_to_hashtable(struct kv *kv, size_t size_hint);

void set_iter_init(struct set_iter *it, const struct kv *kv);
/* Stores the next member in *out; false at the end. */
bool set_iter_next(struct set_iter *it, struct set_elem *out);
void set_iter_done(struct set_iter *it);

/* One SSCAN step over a hashtable set: calls fn on each member of the
 * buckets visited and returns the next cursor (dict_scan's contract). */
uint64_t set_scan(const struct kv *kv, uint64_t cursor,
                  void (*fn)(const char *member, size_t len, void *ctx), void *ctx);

/* Frees a set value of the given encoding (NULL allowed). */
void set_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *set_copy(const void *obj, enum kv_encoding enc);

#endif
