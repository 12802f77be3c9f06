/* list.h: the list value type, a quicklist: a doubly linked list of nodes,
 * each holding a run of elements in one listpack.
 *
 * Redis 7.0 stores every list as a quicklist (OBJECT ENCODING "quicklist",
 * even for one element: the single-listpack list encoding only came with
 * 7.2), so a list kv always has encoding KV_ENC_QUICKLIST. How full a node
 * may grow is the list's fill, taken from list-max-listpack-size when the
 * list is created and kept for its life, as Redis does: a negative fill -1
 * .. -5 caps a node's listpack at 4, 8, 16, 32 or 64 KB; a positive one
 * caps its entry count (and its bytes at LIST_NODE_SAFETY_BYTES).
 * Compression (list-compress-depth) is not implemented: depth 0 is the
 * default and the only behaviour offered.
 *
 * Elements are byte strings; the listpack stores the canonical text of a
 * long long as an integer, and readers always get text back (struct
 * list_entry). Indexes are 0-based from the head; callers normalise
 * negative indexes before calling in.
 *
 * Invariants: no node is empty; the list's count is the sum of its nodes'
 * counts; an empty list is never left in the keyspace (callers delete the
 * key when list_count drops to 0). */
#ifndef RINGKV_ENGINE_LIST_H
#define RINGKV_ENGINE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kv.h"
#include "engine/listpack.h"

/* Redis's SIZE_SAFETY_LIMIT: with a positive (count) fill, a node still
 * stops growing once its listpack would pass this many bytes. */
#define LIST_NODE_SAFETY_BYTES 8192
/* Redis's FILL_MAX: the largest entries-per-node fill honoured. */
#define LIST_FILL_MAX (1 << 15)
/* The smallest fill: -5, 64 KB nodes. */
#define LIST_FILL_MIN (-5)

enum list_end {
    LIST_HEAD,
    LIST_TAIL,
};

struct list_node {
    struct list_node *prev, *next; /* owned by the list */
    unsigned char *lp;             /* owned listpack, never empty */
    uint32_t count;                /* entries in lp */
};

struct list {
    struct list_node *head, *tail; /* owned; NULL when empty */
    size_t count;                  /* elements in all nodes */
    int fill;                      /* clamped list-max-listpack-size */
};

/* One element as text. str is borrowed (from the listpack, or from buf for
 * integers) and valid until the list changes. */
struct list_entry {
    const unsigned char *str;
    size_t len;
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
};

/* A position in the list, walking towards the tail (forward) or the head.
 * node is NULL once the walk has passed either end. Valid until the list
 * changes other than through list_iter_delete / list_iter_replace. */
struct list_iter {
    struct list *list;     /* borrowed */
    struct list_node *node;
    unsigned char *p;      /* entry in node->lp */
    long offset;           /* index of p within node */
    bool forward;
};

/* Returns an owned empty list whose nodes follow fill (any value: it is
 * clamped to LIST_FILL_MIN..LIST_FILL_MAX, and 0 acts as 1). */
struct list *list_new(long long fill);
/* Frees a list value of the given encoding (kv.c calls this). */
void list_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *list_copy(const void *obj, enum kv_encoding enc);

static inline size_t list_count(const struct list *l)
{
    return l->count;
}

/* Appends lp (owned from now on, a listpack of count > 0 entries) as a
 * node of its own at the tail, as the RDB loader and COPY do. */
void list_append_listpack(struct list *l, unsigned char *lp, uint32_t count);
/* Adds s[0..len) (borrowed) at one end. */
void list_push(struct list *l, enum list_end end, const void *s, size_t len);
/* Reads the element at index (0 <= index < count). */
void list_get(struct list *l, size_t index, struct list_entry *out);
/* Reads the element at one end; the list must not be empty. */
void list_peek(struct list *l, enum list_end end, struct list_entry *out);
/* Removes the element at one end; the list must not be empty. */
void list_pop(struct list *l, enum list_end end);
/* Replaces the element at index (0 <= index < count) with s[0..len). */
void list_set(struct list *l, size_t index, const void *s, size_t len);
/* Removes count elements starting at index start (both within the list). */
void list_delete_range(struct list *l, size_t start, size_t count);

/* Starts a walk at index (0 <= index < count, or the walk starts past the
 * end), towards the tail when forward. */
void list_iter_init(struct list_iter *it, struct list *l, size_t index, bool forward);
/* Whether the walk has an element under it. */
static inline bool list_iter_valid(const struct list_iter *it)
{
    return it->node != NULL;
}
void list_iter_get(const struct list_iter *it, struct list_entry *out);
bool list_iter_equals(const struct list_iter *it, const void *s, size_t len);
void list_iter_next(struct list_iter *it);
/* Removes the element under the walk and moves on to the next one in the
 * walk's direction. */
void list_iter_delete(struct list_iter *it);
/* Inserts s[0..len) before or after the element under the walk (before
 * meaning nearer the head). The walk is invalid afterwards. */
void list_iter_insert(struct list_iter *it, enum listpack_where where, const void *s, size_t len);

/* Checks every invariant (tests). */
void list_check(const struct list *l);

#endif
