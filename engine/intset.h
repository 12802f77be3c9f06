/* intset.h: Redis 7.0's intset, byte for byte.
 *
 * A set of integers kept as one owned `unsigned char *` blob, sorted so
 * membership is a binary search. Small sets of integers live in it, and the
 * RDB writer copies the blob into dump.rdb unchanged (type 11), so the
 * bytes must be what Redis 7.0 would produce.
 *
 * Layout (all little-endian):
 *
 *     uint32 encoding | uint32 length | length values of `encoding` bytes
 *
 * `encoding` is 2, 4 or 8, the width of every value. Values are signed,
 * ascending and unique. Adding a value too wide for the current encoding
 * rewrites every value at the wider width ("upgrade"); removing values
 * never narrows it, so an intset's bytes depend on its history of adds, as
 * in Redis. Blobs from outside must pass intset_validate() before any other
 * call sees them. */
#ifndef RINGKV_ENGINE_INTSET_H
#define RINGKV_ENGINE_INTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* uint32 encoding + uint32 length. */
#define INTSET_HEADER_BYTES 8
/* The three value widths, in bytes. */
#define INTSET_ENCODING_INT16 2
#define INTSET_ENCODING_INT32 4
#define INTSET_ENCODING_INT64 8

/* Returns an owned, empty intset (encoding 2, length 0). */
unsigned char *intset_new(void);
/* Returns an owned copy of blob[0..len), which must already have passed
 * intset_validate. */
unsigned char *intset_from_bytes(const unsigned char *blob, size_t len);
/* Takes ownership of is (may be NULL) and frees it. */
void intset_free(unsigned char *is);

/* Takes ownership of is, adds value if absent, and returns the (possibly
 * moved) intset. *added (if not NULL) says whether it was absent. */
unsigned char *intset_add(unsigned char *is, long long value, bool *added);
/* Takes ownership of is, removes value if present, and returns the
 * (possibly moved) intset. *removed (if not NULL) says whether it was
 * present. The encoding never shrinks. */
unsigned char *intset_remove(unsigned char *is, long long value, bool *removed);

bool intset_find(const unsigned char *is, long long value);
/* Sets *out to the index-th smallest value; false if index >= length. */
bool intset_get(const unsigned char *is, size_t index, long long *out);
/* The value at random_value % length, for a caller-supplied random number
 * (so tests and the server choose the generator). The set must not be
 * empty. */
long long intset_random(const unsigned char *is, uint64_t random_value);
/* Number of values. */
size_t intset_length(const unsigned char *is);
/* Width of each value in bytes: 2, 4 or 8. */
size_t intset_encoding(const unsigned char *is);
/* Size of the whole blob, header included. */
size_t intset_blob_bytes(const unsigned char *is);

/* Whether blob[0..len) is an intset Redis 7.0 would load: a known
 * encoding, a length matching len exactly, at least one value, and values
 * strictly ascending. Never reads outside blob[0..len). */
bool intset_validate(const unsigned char *blob, size_t len);
/* Redis's shallow intsetValidateIntegrity: a known encoding, a length
 * matching len exactly and at least one value, without the order check.
 * Enough for every reader to stay inside the blob (a binary search over
 * values out of order finds wrong answers, never foreign memory). Never
 * reads outside blob[0..len). */
bool intset_validate_shallow(const unsigned char *blob, size_t len);

#endif
