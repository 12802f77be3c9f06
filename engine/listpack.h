/* listpack.h: Redis 7.0's listpack, byte for byte.
 *
 * A listpack is one owned `unsigned char *` blob holding a sequence of
 * strings and integers. Small lists, hashes and sorted sets live in it, and
 * the RDB writer copies the blob into dump.rdb unchanged, so every byte must
 * be what Redis 7.0 would produce for the same sequence of elements.
 *
 * Layout (all integers little-endian):
 *
 *     uint32 total_bytes | uint16 count | entry ... | 0xFF
 *
 * `count` is the number of entries, or LISTPACK_COUNT_UNKNOWN (65535) when
 * there are too many to fit, in which case listpack_count() walks the blob.
 * Each entry is its encoding (a first byte that says integer or string and
 * how long) plus data, then a "backlen" of 1 to 5 bytes holding the size of
 * encoding+data, written so it can be read from right to left.
 *
 * Positions: an entry is addressed by a pointer into the blob
 * (`unsigned char *p`), as Redis does. Any call that changes the listpack
 * may move it, so it returns the new blob pointer, and every position taken
 * before the call is invalid afterwards unless the call hands back a new
 * one (the `newp`/`nextp`/`*p` out-parameters).
 *
 * Strings that are the canonical text of a long long (number_parse_ll) are
 * stored with the integer encodings, exactly as Redis's lpAppend/lpInsert
 * do; readers get them back as integers and can format them with
 * listpack_get_text(). Blobs from outside (RDB, RESTORE) must pass
 * listpack_validate() before any other call sees them. */
#ifndef RINGKV_ENGINE_LISTPACK_H
#define RINGKV_ENGINE_LISTPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* uint32 total bytes + uint16 element count. */
#define LISTPACK_HEADER_BYTES 6
/* Header count meaning "too many to store here: walk the entries". */
#define LISTPACK_COUNT_UNKNOWN 65535
/* The terminator byte, which no entry encoding starts with. */
#define LISTPACK_EOF 0xFF
/* The whole blob, header included, is addressed by a uint32. */
#define LISTPACK_BYTES_MAX UINT32_MAX
/* Redis's lpSafeToAdd limit (LISTPACK_MAX_SAFETY_SIZE, 1 GiB): collections
 * convert to their big encoding before a listpack would pass it. */
#define LISTPACK_SAFETY_BYTES_MAX (1ULL << 30)
/* Longest decimal text of a long long ("-9223372036854775808") plus NUL. */
#define LISTPACK_INTEGER_TEXT_BYTES 21

enum listpack_where {
    LISTPACK_BEFORE,
    LISTPACK_AFTER,
};

/* One entry as read by listpack_get. */
struct listpack_entry {
    const unsigned char *str; /* borrowed from the blob, valid until its next
                                 change; NULL when the entry is an integer */
    size_t len;               /* string length; 0 for integers */
    long long integer;        /* the value when str is NULL */
};

/* Optional per-entry check for listpack_validate (deep mode): p is an entry
 * already proven to lie inside the blob; header_count is the header's count
 * field. Return false to reject the blob (e.g. duplicate hash fields). */
typedef bool (*listpack_entry_check)(const unsigned char *p, size_t header_count, void *ctx);

/* ---- Lifetime ---- */

/* Returns an owned, empty listpack (7 bytes). */
unsigned char *listpack_new(void);
/* Returns an owned copy of blob[0..len), which must already have passed
 * listpack_validate. */
unsigned char *listpack_from_bytes(const unsigned char *blob, size_t len);
/* Takes ownership of lp (may be NULL) and frees it. */
void listpack_free(unsigned char *lp);

/* ---- Size ---- */

/* Total bytes of the blob (the header's field), header and terminator
 * included. */
size_t listpack_bytes(const unsigned char *lp);
/* Number of entries. Uses the header count when it is known; otherwise
 * walks the blob and, as Redis's lpLength does, writes the count back into
 * the header when it fits again. That write changes the bytes DUMP shows,
 * which is why this is not const. */
size_t listpack_count(unsigned char *lp);
/* Bytes that appending s[0..len) (or the integer value) adds to a
 * listpack: encoding, data and backlen, with the integer encodings chosen
 * exactly as appending would choose them. */
size_t listpack_entry_bytes(const void *s, size_t len);
size_t listpack_entry_bytes_integer(long long value);
/* Whether lp (NULL for a listpack not built yet) can grow by add_bytes and
 * stay within LISTPACK_SAFETY_BYTES_MAX. */
bool listpack_safe_to_add(const unsigned char *lp, size_t add_bytes);

/* ---- Iteration. Returned positions are borrowed pointers into lp, valid
 * until lp changes; NULL means "no such entry". ---- */

unsigned char *listpack_first(unsigned char *lp);
unsigned char *listpack_last(unsigned char *lp);
/* The entry after / before p; NULL past either end. */
unsigned char *listpack_next(unsigned char *lp, unsigned char *p);
unsigned char *listpack_prev(unsigned char *lp, unsigned char *p);
/* Entry number index (0-based; negative counts from the end, -1 being the
 * last), or NULL when out of range. */
unsigned char *listpack_seek(unsigned char *lp, long index);

/* ---- Reading ---- */

/* Decodes the entry at p. */
void listpack_get(const unsigned char *p, struct listpack_entry *out);
/* The entry at p as text: for strings a pointer into the blob, for integers
 * the decimal text written into buf. Sets *len. */
const unsigned char *listpack_get_text(const unsigned char *p, size_t *len,
                                       char buf[LISTPACK_INTEGER_TEXT_BYTES]);
/* Whether the entry at p reads as exactly the bytes s[0..len). */
bool listpack_entry_equals(const unsigned char *p, const void *s, size_t len);
/* From p on, compares an entry, then jumps over `skip` entries, and so on
 * (skip 1 visits only hash fields or zset members); returns the first match
 * or NULL. */
unsigned char *listpack_find(unsigned char *lp, unsigned char *p, const void *s, size_t len,
                             unsigned skip);

/* ---- Changing. Each takes ownership of lp and returns the (possibly
 * moved) listpack. The caller keeps the result within
 * LISTPACK_SAFETY_BYTES_MAX with listpack_safe_to_add; going past
 * LISTPACK_BYTES_MAX is an assert. The string s is borrowed for the call
 * and must not point into lp itself (copy it out first). ---- */

unsigned char *listpack_append(unsigned char *lp, const void *s, size_t len);
unsigned char *listpack_append_integer(unsigned char *lp, long long value);
unsigned char *listpack_prepend(unsigned char *lp, const void *s, size_t len);
unsigned char *listpack_prepend_integer(unsigned char *lp, long long value);
/* Inserts before or after the entry at p. If newp is not NULL it receives
 * the position of the new entry. */
unsigned char *listpack_insert(unsigned char *lp, unsigned char *p, enum listpack_where where,
                               const void *s, size_t len, unsigned char **newp);
unsigned char *listpack_insert_integer(unsigned char *lp, unsigned char *p,
                                       enum listpack_where where, long long value,
                                       unsigned char **newp);
/* Replaces the entry at *p; *p then points at the new entry. */
unsigned char *listpack_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len);
unsigned char *listpack_replace_integer(unsigned char *lp, unsigned char **p, long long value);
/* Deletes the entry at p. If nextp is not NULL it receives the entry that
 * followed it, or NULL if it was the last. */
unsigned char *listpack_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp);
/* Deletes up to count entries starting at *p (fewer if the end comes
 * first); *p then points at the entry after them, or is NULL. The header
 * count is decremented only if it was known (Redis's
 * lpDeleteRangeWithEntry). */
unsigned char *listpack_delete_range_at(unsigned char *lp, unsigned char **p, size_t count);
/* Deletes up to count entries starting at entry number index (negative
 * from the end); an index out of range changes nothing. The header count is
 * recomputed (Redis's lpDeleteRange). */
unsigned char *listpack_delete_range(unsigned char *lp, long index, size_t count);

/* ---- Untrusted input ---- */

/* The header's count field: the number of entries, or
 * LISTPACK_COUNT_UNKNOWN. Reads the header only, so it is safe on a blob
 * that passed shallow validation alone. */
size_t listpack_count_header(const unsigned char *lp);

/* A forward walk for loaders over a blob that may have passed only shallow
 * validation: each step proves that the next entry (encoding, data and
 * backlen) lies before the terminator, and says BAD instead of asserting
 * when it does not. It checks bounds, not backlen contents, which the
 * forward walk never reads. */
struct listpack_cursor {
    const unsigned char *lp; /* borrowed blob; its header total is its length */
    size_t bytes;            /* the header total */
    size_t pos;              /* offset of the next entry (or the terminator) */
};

enum listpack_cursor_step {
    LISTPACK_CURSOR_ENTRY, /* *entry is a whole entry inside the blob */
    LISTPACK_CURSOR_END,   /* the terminator, at the blob's last byte */
    LISTPACK_CURSOR_BAD,   /* c->pos is where the walk found a bad entry */
};

/* Starts a walk of lp (borrowed), which must at least have passed
 * listpack_validate(..., false, ...). */
void listpack_cursor_init(struct listpack_cursor *c, const unsigned char *lp);
/* Steps to the next entry. After END or BAD every call repeats it. */
enum listpack_cursor_step listpack_cursor_next(struct listpack_cursor *c,
                                               const unsigned char **entry);

/* Whether blob[0..len) is a listpack that every function above can walk
 * without reading outside it. Shallow (deep false, Redis's default for
 * RESTORE and RDB loading) checks the header, the terminator and the first
 * entry; deep walks every entry, checks each backlen and compares the
 * entry count with the header's, calling check (if not NULL) per entry.
 * Never reads outside blob[0..len). */
bool listpack_validate(const unsigned char *blob, size_t len, bool deep,
                       listpack_entry_check check, void *ctx);

#endif
