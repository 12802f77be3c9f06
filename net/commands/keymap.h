/* keymap.h: a hash map from (db id, key bytes) to a caller's node.
 *
 * WATCH (transaction.c) and the blocking commands (blocking.c) each map
 * a key of a database to the clients waiting on it. The map is the part
 * they share: the node's copy of the key, hashing, equality, lookup,
 * growth (the dict's) and iteration. What hangs off a node (a FIFO of
 * blocked clients, an array of watchers with their flags) is the caller's.
 *
 * Nodes are intrusive: the caller's struct begins with a struct
 * keymap_node, and keymap_add allocates the caller's struct and the key
 * copy in one block. The map owns that block; the caller owns whatever its
 * own fields point to and frees it before keymap_remove. Nothing here
 * knows about clients or the server, so it can be tested on its own. */
#ifndef RINGKV_NET_COMMANDS_KEYMAP_H
#define RINGKV_NET_COMMANDS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/dict.h"

struct keymap {
    struct dict dict; /* struct keymap_node, owned; use only through keymap_* */
};

/* The first member of every caller's node struct. */
struct keymap_node {
    struct dict_node link; /* owned by the map */
    int db_id;
    size_t key_len;
    const char *key; /* the node's own copy, in the node's block; valid while the node lives */
};

struct keymap_iter {
    struct dict_iter it;
};

void keymap_init(struct keymap *m);
/* Calls release(node) on every node (may be NULL) so the caller frees what
 * its fields own, then frees the node. The map is empty and reusable. */
void keymap_clear(struct keymap *m, void (*release)(struct keymap_node *node));

static inline uint64_t keymap_size(const struct keymap *m)
{
    return dict_size(&m->dict);
}

/* Returns the node for key[0..key_len) in db_id, or NULL. Borrowed: owned
 * by the map, valid until keymap_remove or keymap_clear. */
struct keymap_node *keymap_find(const struct keymap *m, int db_id, const char *key,
                                size_t key_len);
/* Links a new node for a key that must not be present. node_bytes is the
 * size of the caller's struct, which begins with struct keymap_node; it is
 * returned zeroed but for the keymap_node fields, and the key (borrowed for
 * the call) is copied into the same block. Borrowed, as keymap_find's. */
struct keymap_node *keymap_add(struct keymap *m, int db_id, const char *key, size_t key_len,
                               size_t node_bytes);
/* Unlinks node and frees it; node is invalid afterwards. The caller has
 * freed what its own fields owned. */
void keymap_remove(struct keymap *m, struct keymap_node *node);

/* A random node, or NULL when the map is empty (not uniform, as
 * dict_random). Borrowed, as keymap_find's. */
struct keymap_node *keymap_random(const struct keymap *m, uint64_t (*rand64)(void));

/* Safe iteration: the node returned may be removed before the next call.
 * Borrows m until keymap_iter_done. */
void keymap_iter_init(struct keymap_iter *it, struct keymap *m);
/* The next node, or NULL at the end. Borrowed, as keymap_find's. */
struct keymap_node *keymap_iter_next(struct keymap_iter *it);
void keymap_iter_done(struct keymap_iter *it);

#endif
