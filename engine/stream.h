/* stream.h: the stream value type (XADD and friends), laid out as Redis 7.0.
 *
 * Entries live in listpack "nodes" with Redis's stream node layout, so a
 * node's bytes are what Redis would write into an RDB file:
 *
 *   master entry:  count | deleted | num-fields | field ... | 0
 *   each entry:    flags | ms-delta | seq-delta | [num-fields field value ... |
 *                  value ... (SAMEFIELDS)] | lp-count
 *
 * IDs are relative to the node's master ID (its first entry's ID). Deleted
 * entries stay in the node flagged DELETED until the whole node is empty.
 * Nodes are kept in an array sorted by master ID (Redis uses a rax keyed by
 * the big-endian master ID; only appends happen at the tail, and removals
 * of whole nodes are rare, so a sorted array serves).
 *
 * Consumer groups, their consumers and the pending entries lists (PEL) are
 * kept in sorted containers so replies list them in Redis's order: groups
 * and consumers by name (bytewise, as rax orders them), PEL entries by ID.
 * A pending entry (struct stream_nack) is owned by its group's PEL and is
 * also indexed in its consumer's PEL.
 *
 * Time comes from callers (milliseconds); the engine never reads a clock. */
#ifndef RINGKV_ENGINE_STREAM_H
#define RINGKV_ENGINE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/kv.h"

/* Entry flags in the node layout (Redis's STREAM_ITEM_FLAG_*). */
#define STREAM_ITEM_FLAG_NONE 0
#define STREAM_ITEM_FLAG_DELETED 1
#define STREAM_ITEM_FLAG_SAMEFIELDS 2
/* A node never grows past this (Redis's STREAM_LISTPACK_MAX_SIZE). */
#define STREAM_NODE_BYTES_HARD_MAX (1u << 30)
/* A group's entries_read when it is unknown (SCG_INVALID_ENTRIES_READ). */
#define STREAM_ENTRIES_READ_INVALID (-1LL)

struct stream_id {
    uint64_t ms;
    uint64_t seq;
};

/* Ordered map stream_id -> pointer (a skiplist): the PELs. */
struct stream_idmap_node;
struct stream_idmap {
    struct stream_idmap_node *head; /* owned sentinel */
    int level;
    uint64_t count;
};

struct stream_consumer {
    char *name; /* owned */
    size_t name_len;
    int64_t seen_time;    /* ms: last time it was named by a command */
    int64_t active_time;  /* ms, from 7.2 RDBs (v3) only; -1 when unknown */
    struct stream_idmap pel; /* id -> struct stream_nack*, borrowed from the group's */
};

struct stream_nack {
    struct stream_id id;
    int64_t delivery_time; /* ms */
    uint64_t delivery_count;
    struct stream_consumer *consumer; /* borrowed */
};

struct stream_group {
    char *name; /* owned */
    size_t name_len;
    struct stream_id last_id;
    long long entries_read; /* or STREAM_ENTRIES_READ_INVALID */
    struct stream_idmap pel;  /* id -> struct stream_nack*, owned */
    struct stream_consumer **consumers; /* owned, sorted by name */
    size_t consumer_count, consumer_cap;
};

struct stream_node {
    struct stream_id master;
    unsigned char *lp; /* owned listpack in the stream node layout */
};

struct stream {
    struct stream_node *nodes; /* owned, sorted by master ID */
    size_t node_count, node_cap;
    uint64_t length; /* live entries */
    struct stream_id last_id;
    struct stream_id first_id;
    struct stream_id max_deleted_id;
    uint64_t entries_added;
    struct stream_group **groups; /* owned, sorted by name */
    size_t group_count, group_cap;
};

/* Node size limits (stream-node-max-bytes / -entries; 0: no limit). */
struct stream_limits {
    long long node_max_bytes;
    long long node_max_entries;
};

/* ---- IDs ---- */

int stream_id_cmp(const struct stream_id *a, const struct stream_id *b);
static inline bool stream_id_is_zero(const struct stream_id *id)
{
    return id->ms == 0 && id->seq == 0;
}
/* The ID after / before id; false when there is none (max / 0-0). */
bool stream_id_incr(struct stream_id *id);
bool stream_id_decr(struct stream_id *id);
/* "ms-seq" into buf (at least 42 bytes); returns its length. */
size_t stream_id_format(const struct stream_id *id, char *buf);
/* 16-byte big-endian form (the RDB node keys). */
void stream_id_encode(const struct stream_id *id, unsigned char out[16]);
void stream_id_decode(const unsigned char in[16], struct stream_id *id);

/* ---- The stream ---- */

struct stream *stream_new(void);
void stream_free(struct stream *s);
/* Returns an owned deep copy (COPY). */
struct stream *stream_copy(const struct stream *s);
struct kv *stream_kv_new(const char *key, size_t key_len, struct stream *s);
/* Bytes the stream uses (MEMORY USAGE estimate). */
size_t stream_bytes(const struct stream *s);

/* Appends an entry with the given id, which must be greater than last_id
 * (the caller checks). fv holds nfields field/value pairs as (ptr, len)
 * in fv[2i], fv[2i+1]. Follows Redis's node split rules. */
struct stream_field {
    const char *ptr;
    size_t len;
};
void stream_append(struct stream *s, const struct stream_id *id, const struct stream_field *fv,
                   size_t nfields, const struct stream_limits *lim);
/* Deletes one entry; returns whether it existed. Does not touch
 * max_deleted_id or first_id (XDEL does, as in Redis). */
bool stream_delete(struct stream *s, const struct stream_id *id);
/* Recomputes first_id from the entries (0-0 when empty). */
void stream_update_first_id(struct stream *s);
/* The first (or last) live entry's ID; false when empty. */
bool stream_edge_id(const struct stream *s, bool first, struct stream_id *out);

enum stream_trim_strategy { STREAM_TRIM_NONE, STREAM_TRIM_MAXLEN, STREAM_TRIM_MINID };
struct stream_trim {
    enum stream_trim_strategy strategy;
    bool approx;
    long long limit; /* 0: none */
    uint64_t maxlen;
    struct stream_id minid;
};
/* Trims as Redis's streamTrim; returns the number of entries removed. */
int64_t stream_trim(struct stream *s, const struct stream_trim *t);

/* ---- Iteration over entries in [start, end], forward or backward ---- */

struct stream_iter {
    struct stream *s;
    struct stream_id start, end;
    bool rev;
    long node_index;   /* current node, -1 before the first */
    unsigned char *lp; /* current node's listpack, NULL when none */
    unsigned char *p;  /* current entry (flags), or NULL */
    unsigned char *master_fields; /* first master field */
    int64_t master_fields_count;
    struct stream_id master_id;
    int64_t entry_flags;
    unsigned char *fields; /* first field or value of the current entry */
    int64_t nfields;
    /* Field walk state for stream_iter_field. */
    unsigned char *fp, *mfp;
};
void stream_iter_start(struct stream_iter *it, struct stream *s, const struct stream_id *start,
                       const struct stream_id *end, bool rev);
/* Next live entry: its id and number of fields; false at the end. */
bool stream_iter_next(struct stream_iter *it, struct stream_id *id, int64_t *nfields);
/* Next field/value of the current entry (text, integer entries formatted
 * into the buffers). */
struct stream_text {
    const char *ptr;
    size_t len;
    char buf[24];
};
void stream_iter_field(struct stream_iter *it, struct stream_text *field,
                       struct stream_text *value);
/* Deletes the current entry (marks it deleted; drops its node when it
 * empties) and keeps the iterator valid for the next call. */
void stream_iter_remove(struct stream_iter *it);

/* ---- Lag helpers (7.0's entries_read bookkeeping) ---- */

bool stream_range_has_tombstones(const struct stream *s, const struct stream_id *start,
                                 const struct stream_id *end);
long long stream_estimate_distance(const struct stream *s, const struct stream_id *id);
/* XINFO's lag; false when it is unknown (nil). */
bool stream_group_lag(const struct stream *s, const struct stream_group *g, long long *lag);

/* ---- Ordered ID map ---- */

void stream_idmap_init(struct stream_idmap *m);
/* Frees the map; values are not freed. */
void stream_idmap_clear(struct stream_idmap *m);
void *stream_idmap_find(const struct stream_idmap *m, const struct stream_id *id);
/* Inserts; returns false (and changes nothing) when id is present. */
bool stream_idmap_insert(struct stream_idmap *m, const struct stream_id *id, void *value);
/* Removes; returns the value or NULL. */
void *stream_idmap_remove(struct stream_idmap *m, const struct stream_id *id);
/* Cursor: the first node with ID >= id (NULL id: the first node). */
struct stream_idmap_node *stream_idmap_seek(const struct stream_idmap *m,
                                            const struct stream_id *id);
struct stream_idmap_node *stream_idmap_next(const struct stream_idmap_node *n);
struct stream_idmap_node *stream_idmap_last(const struct stream_idmap *m);
const struct stream_id *stream_idmap_node_id(const struct stream_idmap_node *n);
void *stream_idmap_node_value(const struct stream_idmap_node *n);

/* ---- Consumer groups ---- */

struct stream_group *stream_group_find(const struct stream *s, const char *name, size_t len);
/* Creates; NULL when the name exists. */
struct stream_group *stream_group_create(struct stream *s, const char *name, size_t len,
                                         const struct stream_id *last_id, long long entries_read);
/* Removes and frees; returns whether it existed. */
bool stream_group_destroy(struct stream *s, const char *name, size_t len);

struct stream_consumer *stream_consumer_find(const struct stream_group *g, const char *name,
                                             size_t len);
/* Creates; NULL when the name exists. */
struct stream_consumer *stream_consumer_create(struct stream_group *g, const char *name,
                                               size_t len, int64_t now_ms);
/* Removes the consumer and its pending entries; returns how many were
 * pending, or -1 when it did not exist. */
long long stream_consumer_delete(struct stream_group *g, const char *name, size_t len);

/* Adds a pending entry owned by g and consumer; false when id is already
 * pending in g. */
struct stream_nack *stream_nack_add(struct stream_group *g, struct stream_consumer *consumer,
                                    const struct stream_id *id, int64_t now_ms,
                                    uint64_t delivery_count);
/* Moves nack to another consumer. */
void stream_nack_move(struct stream_nack *nack, struct stream_consumer *to);
/* Removes and frees a pending entry; returns whether it was pending. */
bool stream_nack_ack(struct stream_group *g, const struct stream_id *id);

/* Whether an entry with this ID exists (not deleted). */
bool stream_entry_exists(struct stream *s, const struct stream_id *id);

/* ---- Checks for loaded data ---- */

/* Whether a node listpack (already listpack-validated) has a sane stream
 * layout (deep: every entry walked). */
bool stream_node_validate(const unsigned char *lp, size_t bytes, const struct stream_id *master,
                          bool deep, size_t *entries_out);
/* Adds a loaded node (ownership of lp moves); nodes come in ID order. */
void stream_adopt_node(struct stream *s, const struct stream_id *master, unsigned char *lp);

#endif
