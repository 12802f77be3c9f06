/* hash.h: the hash value type (field -> value) and its two encodings.
 *
 * A hash is stored the way Redis 7.0 stores it, so OBJECT ENCODING and the
 * conversion points match:
 *
 *   listpack   one engine/listpack.h blob of field,value,field,value...
 *              while the hash has at most hash-max-listpack-entries fields
 *              and no field or value longer than hash-max-listpack-value.
 *   hashtable  a struct dict of hash nodes. Each node is ONE allocation
 *              holding the dict link, the two lengths as varints, the field
 *              bytes and the value bytes (Redis spends a dictEntry and two
 *              sds strings on every field).
 *
 * A hash only ever converts listpack -> hashtable, never back, as in 7.0.
 *
 * Every function works on the kv that owns the hash (kv->type == KV_HASH):
 * the kv holds the object pointer and the encoding tag, and a conversion
 * updates both. The engine never reads configuration: the thresholds come
 * in as a `struct encoding_limits` the caller borrows from the keyspace.
 *
 * Positions and text handed out (struct hash_text) borrow from the hash and
 * are valid until its next change. */
#ifndef RINGKV_ENGINE_HASH_H
#define RINGKV_ENGINE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/db.h"
#include "engine/dict.h"
#include "engine/kv.h"
#include "engine/listpack.h"

/* A field or value as read from a hash. Listpack entries that hold
 * integers are formatted into buf; `is_integer` then says so, which spares
 * HINCRBY a parse. */
struct hash_text {
    const char *ptr; /* borrowed: into the hash or into buf */
    size_t len;
    bool is_integer;
    long long integer; /* valid when is_integer */
    char buf[LISTPACK_INTEGER_TEXT_BYTES];
};

/* Iteration over every field/value pair. The hash must not change while an
 * iterator is live. */
struct hash_iter {
    struct kv *kv;          /* borrowed */
    unsigned char *p;       /* listpack: next field entry, NULL at the end */
    struct dict_iter dict_it; /* hashtable */
};

/* Called for each pair by hash_scan and hash_random_pairs. */
typedef void (*hash_pair_fn)(const struct hash_text *field, const struct hash_text *value,
                             void *ctx);

/* Returns an owned kv holding an empty listpack hash. */
struct kv *hash_kv_new(const char *key, size_t key_len);

/* Number of fields. */
size_t hash_count(struct kv *kv);
/* Finds field; on success fills value (if not NULL) and returns true. */
bool hash_get(struct kv *kv, const char *field, size_t field_len, struct hash_text *value);
bool hash_exists(struct kv *kv, const char *field, size_t field_len);
/* Sets field to value, converting to a hashtable first when either is
 * longer than limits->hash_max_listpack_value (or the listpack would pass
 * its safety size), and afterwards when the field count passes
 * limits->hash_max_listpack_entries. Returns true if the field is new.
 * field and value are borrowed and must not point into the hash. */
bool hash_set(struct kv *kv, const char *field, size_t field_len, const char *value,
              size_t value_len, const struct encoding_limits *limits);
/* Removes field; returns whether it existed. The caller deletes the key
 * when the hash becomes empty. */
bool hash_delete(struct kv *kv, const char *field, size_t field_len);
/* Converts a listpack hash to a hashtable (no-op if it already is one). */
void hash_convert_to_table(struct kv *kv);

void hash_iter_init(struct hash_iter *it, struct kv *kv);
/* Fills the next pair; returns false at the end. */
bool hash_iter_next(struct hash_iter *it, struct hash_text *field, struct hash_text *value);
void hash_iter_done(struct hash_iter *it);

/* One HSCAN step: a listpack hash reports every pair and returns 0; a
 * hashtable reports the pairs of the buckets dict_scan visits from cursor
 * and returns the next cursor. fn must not change the hash. */
uint64_t hash_scan(struct kv *kv, uint64_t cursor, hash_pair_fn fn, void *ctx);

/* HRANDFIELD with a count: reports `count` pairs chosen at random. With
 * unique set, no field is reported twice and min(count, size) pairs are
 * reported; otherwise fields may repeat and exactly count pairs are
 * reported. rand64 supplies randomness. The hash must not be empty. */
void hash_random_pairs(struct kv *kv, uint64_t count, bool unique, uint64_t (*rand64)(void),
                       hash_pair_fn fn, void *ctx);

/* Bytes of memory the hash object uses (MEMORY USAGE-style estimate). */
size_t hash_bytes(struct kv *kv);

/* Frees a hash value of the given encoding (called by kv_free). */
void hash_free(void *obj, enum kv_encoding enc);
/* Returns an owned deep copy (COPY). */
void *hash_copy(const void *obj, enum kv_encoding enc);

#endif
