/* listpack.c: Redis 7.0's listpack format (see listpack.h for the layout).
 *
 * This file owns the encoding and decoding of entries, the one routine that
 * splices bytes in and out of a blob (listpack_splice), navigation, and the
 * checks that let untrusted blobs in. What the entries mean (list items,
 * hash field/value pairs, zset member/score pairs) belongs to the type
 * code; how the blob reaches disk belongs to the RDB writer.
 *
 * Key invariant: the blob's bytes depend only on its sequence of entries
 * (and on whether the header count went unknown), never on the history of
 * operations, because every entry is written in the one encoding Redis's
 * lpInsert would pick. That is what lets dump.rdb carry the blob verbatim.
 *
 * Safety: every position handed out is first measured by entry_measure,
 * which proves the entry and its backlen lie before the terminator, so a
 * corrupt blob that only passed shallow validation trips an assert instead
 * of reading outside the allocation (Redis 7.0 does the same with
 * lpAssertValidEntry). */
#include "engine/listpack.h"

#include "engine/alloc.h"
#include "engine/number.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

/* Entry encodings, named after their first byte. Masks select the type
 * bits; the remaining bits of the first byte carry value or length. */
#define LISTPACK_UINT7_MASK 0x80   /* 0xxxxxxx: 0..127 */
#define LISTPACK_UINT7_TAG 0x00
#define LISTPACK_STR6_MASK 0xC0    /* 10xxxxxx: string of 0..63 bytes */
#define LISTPACK_STR6_TAG 0x80
#define LISTPACK_INT13_MASK 0xE0   /* 110xxxxx yyyyyyyy: -4096..4095 */
#define LISTPACK_INT13_TAG 0xC0
#define LISTPACK_STR12_MASK 0xF0   /* 1110xxxx yyyyyyyy: string of 0..4095 */
#define LISTPACK_STR12_TAG 0xE0
#define LISTPACK_STR32_TAG 0xF0    /* then uint32 LE length */
#define LISTPACK_INT16_TAG 0xF1
#define LISTPACK_INT24_TAG 0xF2
#define LISTPACK_INT32_TAG 0xF3
#define LISTPACK_INT64_TAG 0xF4

/* Longest string each string encoding can hold. */
#define LISTPACK_STR6_LEN_MAX 63
#define LISTPACK_STR12_LEN_MAX 4095
/* Range of the 13-bit integer encoding. */
#define LISTPACK_INT13_MIN (-4096)
#define LISTPACK_INT13_MAX 4095
#define LISTPACK_INT24_MIN (-8388608)
#define LISTPACK_INT24_MAX 8388607

/* An integer entry is at most 1 tag byte + 8 value bytes; a string header
 * is at most 1 tag byte + 4 length bytes. */
#define LISTPACK_ENTRY_HEAD_BYTES_MAX 9
/* A backlen holds 7 bits per byte; 5 bytes cover any entry under 2^35. */
#define LISTPACK_BACKLEN_BYTES_MAX 5

static_assert(LISTPACK_HEADER_BYTES == 4 + 2, "uint32 bytes + uint16 count");
static_assert(LISTPACK_INTEGER_TEXT_BYTES >= sizeof("-9223372036854775808"),
              "integer text must fit LLONG_MIN");
static_assert(LISTPACK_SAFETY_BYTES_MAX < LISTPACK_BYTES_MAX,
              "the safety limit must leave room below the format's limit");

enum listpack_kind {
    KIND_UINT7,
    KIND_STR6,
    KIND_INT13,
    KIND_STR12,
    KIND_STR32,
    KIND_INT16,
    KIND_INT24,
    KIND_INT32,
    KIND_INT64,
    KIND_EOF,
    KIND_INVALID, /* 0xF5..0xFE: no encoding uses them */
};

/* An entry ready to be written: `head` is the whole encoding of an
 * integer, or the tag and length bytes of a string whose bytes are `data`. */
struct listpack_item {
    unsigned char head[LISTPACK_ENTRY_HEAD_BYTES_MAX];
    size_t head_len;
    const unsigned char *data; /* borrowed string bytes, NULL for integers */
    size_t data_len;
};

/* ---- Little-endian fields ---- */

static uint64_t le_read(const unsigned char *p, size_t bytes)
{
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; i++)
        value |= (uint64_t)p[i] << (8 * i);
    return value;
}

static void le_write(unsigned char *p, uint64_t value, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(value >> (8 * i));
}

static size_t header_bytes_get(const unsigned char *lp)
{
    return (size_t)le_read(lp, 4);
}

static void header_bytes_set(unsigned char *lp, size_t bytes)
{
    assert(bytes <= LISTPACK_BYTES_MAX);
    le_write(lp, bytes, 4);
}

static size_t header_count_get(const unsigned char *lp)
{
    return (size_t)le_read(lp + 4, 2);
}

/* Stores count, or "unknown" when it does not fit the uint16 field. */
static void header_count_set(unsigned char *lp, size_t count)
{
    le_write(lp + 4, count < LISTPACK_COUNT_UNKNOWN ? count : LISTPACK_COUNT_UNKNOWN, 2);
}

/* ---- Entry encodings ---- */

static enum listpack_kind kind_of(unsigned char first)
{
    if ((first & LISTPACK_UINT7_MASK) == LISTPACK_UINT7_TAG)
        return KIND_UINT7;
    if ((first & LISTPACK_STR6_MASK) == LISTPACK_STR6_TAG)
        return KIND_STR6;
    if ((first & LISTPACK_INT13_MASK) == LISTPACK_INT13_TAG)
        return KIND_INT13;
    if ((first & LISTPACK_STR12_MASK) == LISTPACK_STR12_TAG)
        return KIND_STR12;
    switch (first) {
    case LISTPACK_STR32_TAG: return KIND_STR32;
    case LISTPACK_INT16_TAG: return KIND_INT16;
    case LISTPACK_INT24_TAG: return KIND_INT24;
    case LISTPACK_INT32_TAG: return KIND_INT32;
    case LISTPACK_INT64_TAG: return KIND_INT64;
    case LISTPACK_EOF: return KIND_EOF;
    default: return KIND_INVALID;
    }
}

/* Bytes that must be readable before the entry's size is known: the tag
 * plus the length field of the longer string encodings. */
static size_t kind_size_prefix_bytes(enum listpack_kind kind)
{
    if (kind == KIND_STR12)
        return 2;
    if (kind == KIND_STR32)
        return 5;
    return 1;
}

/* Size of encoding + data of the entry at p, whose size prefix
 * (kind_size_prefix_bytes) the caller has proven readable. */
static size_t entry_encoded_bytes(const unsigned char *p)
{
    switch (kind_of(p[0])) {
    case KIND_UINT7: return 1;
    case KIND_STR6: return 1 + (size_t)(p[0] & LISTPACK_STR6_LEN_MAX);
    case KIND_INT13: return 2;
    case KIND_STR12: return 2 + (((size_t)(p[0] & 0x0F) << 8) | p[1]);
    case KIND_STR32: return 5 + (size_t)le_read(p + 1, 4);
    case KIND_INT16: return 3;
    case KIND_INT24: return 4;
    case KIND_INT32: return 5;
    case KIND_INT64: return 9;
    default: break;
    }
    assert(!"entry_encoded_bytes on the terminator or an invalid tag");
    return 0;
}

/* Backlen size for an entry of encoded_bytes. The thresholds are Redis's
 * exactly, including its "<" at 16383, 2097151 and 268435455: an entry of
 * 16383 bytes gets a 3-byte backlen (00 ff ff) although 2 bytes could hold
 * it, and 7.0.15 writes it that way (checked with DUMP). */
static size_t backlen_bytes(uint64_t encoded_bytes)
{
    if (encoded_bytes <= 127)
        return 1;
    if (encoded_bytes < 16383)
        return 2;
    if (encoded_bytes < 2097151)
        return 3;
    if (encoded_bytes < 268435455)
        return 4;
    return 5;
}

/* Writes the backlen so that it reads right to left: the rightmost byte
 * holds the low 7 bits, and every byte except the leftmost has bit 7 set
 * to say "more to the left". Returns its size. */
static size_t backlen_write(unsigned char *dst, uint64_t encoded_bytes)
{
    size_t size = backlen_bytes(encoded_bytes);
    for (size_t i = 0; i < size; i++) {
        unsigned char group = (unsigned char)((encoded_bytes >> (7 * i)) & 0x7F);
        dst[size - 1 - i] = i + 1 < size ? (unsigned char)(group | 0x80) : group;
    }
    return size;
}

static void item_from_integer(struct listpack_item *item, long long value)
{
    uint64_t bits = (uint64_t)value; /* two's complement, truncated below */
    unsigned char *h = item->head;
    item->data = NULL;
    item->data_len = 0;
    if (value >= 0 && value <= 127) {
        h[0] = (unsigned char)value;
        item->head_len = 1;
    } else if (value >= LISTPACK_INT13_MIN && value <= LISTPACK_INT13_MAX) {
        uint64_t low13 = bits & 0x1FFF;
        h[0] = (unsigned char)(LISTPACK_INT13_TAG | (low13 >> 8));
        h[1] = (unsigned char)(low13 & 0xFF);
        item->head_len = 2;
    } else if (value >= INT16_MIN && value <= INT16_MAX) {
        h[0] = LISTPACK_INT16_TAG;
        item->head_len = 3;
    } else if (value >= LISTPACK_INT24_MIN && value <= LISTPACK_INT24_MAX) {
        h[0] = LISTPACK_INT24_TAG;
        item->head_len = 4;
    } else if (value >= INT32_MIN && value <= INT32_MAX) {
        h[0] = LISTPACK_INT32_TAG;
        item->head_len = 5;
    } else {
        h[0] = LISTPACK_INT64_TAG;
        item->head_len = 9;
    }
    if (h[0] >= LISTPACK_INT16_TAG && h[0] <= LISTPACK_INT64_TAG)
        le_write(h + 1, bits, item->head_len - 1);
}

/* Strings that are the canonical text of a long long become integers, as
 * in Redis's lpEncodeGetType; number_parse_ll has string2ll's strictness
 * (no '+', no spaces, no leading zeros, no "-0", no overflow). */
static void item_from_string(struct listpack_item *item, const void *s, size_t len)
{
    long long value;
    if (number_parse_ll(s, len, &value)) {
        item_from_integer(item, value);
        return;
    }
    assert(len <= UINT32_MAX);
    unsigned char *h = item->head;
    if (len <= LISTPACK_STR6_LEN_MAX) {
        h[0] = (unsigned char)(LISTPACK_STR6_TAG | len);
        item->head_len = 1;
    } else if (len <= LISTPACK_STR12_LEN_MAX) {
        h[0] = (unsigned char)(LISTPACK_STR12_TAG | (len >> 8));
        h[1] = (unsigned char)(len & 0xFF);
        item->head_len = 2;
    } else {
        h[0] = LISTPACK_STR32_TAG;
        le_write(h + 1, len, 4);
        item->head_len = 5;
    }
    item->data = s;
    item->data_len = len;
}

/* The bytes being written must not live inside the blob being changed:
 * the splice may move or overwrite them before they are copied. */
static void item_assert_outside(const unsigned char *lp, const struct listpack_item *item)
{
    uintptr_t data = (uintptr_t)item->data;
    uintptr_t start = (uintptr_t)lp;
    assert(item->data == NULL || data + item->data_len <= start ||
           data >= start + header_bytes_get(lp));
}

static size_t item_entry_bytes(const struct listpack_item *item)
{
    size_t encoded = item->head_len + item->data_len;
    return encoded + backlen_bytes(encoded);
}

/* ---- Measuring and navigating ---- */

/* Whether a whole, well-formed entry starts at p and ends before the
 * terminator of the lp_bytes-long blob at lp; if so sets *entry_bytes to
 * encoding + data + backlen. Reads only inside lp[0..lp_bytes). The backlen
 * must be byte-identical to what Redis writes, which is stricter than
 * Redis's own check (it accepts a few non-canonical backlens no Redis ever
 * writes) and means listpack_prev reads exactly the bytes checked here. */
static bool entry_measure_bounds(const unsigned char *lp, size_t lp_bytes, const unsigned char *p,
                                 size_t *entry_bytes, size_t *encoded_bytes)
{
    const unsigned char *end = lp + lp_bytes - 1; /* the terminator */
    if (p < lp + LISTPACK_HEADER_BYTES || p >= end)
        return false;
    size_t room = (size_t)(end - p);
    enum listpack_kind kind = kind_of(p[0]);
    if (kind == KIND_EOF || kind == KIND_INVALID)
        return false;
    if (kind_size_prefix_bytes(kind) > room)
        return false;
    size_t encoded = entry_encoded_bytes(p);
    size_t backlen = backlen_bytes(encoded);
    if (encoded > room || backlen > room - encoded)
        return false;
    *entry_bytes = encoded + backlen;
    *encoded_bytes = encoded;
    return true;
}

/* Full check, for blobs from outside (validation): the entry fits and its
 * backlen is byte-identical to what Redis writes. */
static bool entry_measure(const unsigned char *lp, size_t lp_bytes, const unsigned char *p,
                          size_t *entry_bytes)
{
    size_t encoded = 0;
    if (!entry_measure_bounds(lp, lp_bytes, p, entry_bytes, &encoded))
        return false;
    unsigned char expected[LISTPACK_BACKLEN_BYTES_MAX];
    backlen_write(expected, encoded);
    return memcmp(p + encoded, expected, *entry_bytes - encoded) == 0;
}

/* Size of the entry at p, asserting that it lies inside the blob. This is
 * the walking path, so it checks bounds only (never reading outside the
 * blob); backlen contents were checked once, when an outside blob was
 * validated, and our own writes produce them correctly. */
static size_t entry_bytes_checked(const unsigned char *lp, const unsigned char *p)
{
    size_t bytes = 0, encoded = 0;
    bool valid = entry_measure_bounds(lp, header_bytes_get(lp), p, &bytes, &encoded);
    assert(valid);
    return bytes;
}

/* The entry that ends where p starts. p is an entry or the terminator and
 * is not the first position. Reads the backlen right to left, never below
 * the header. */
static unsigned char *entry_before(unsigned char *lp, unsigned char *p)
{
    const unsigned char *floor = lp + LISTPACK_HEADER_BYTES;
    assert(p > floor);
    uint64_t encoded = 0;
    size_t backlen = 0;
    const unsigned char *q = p - 1;
    for (;;) {
        assert(q >= floor);
        assert(backlen < LISTPACK_BACKLEN_BYTES_MAX);
        encoded |= (uint64_t)(*q & 0x7F) << (7 * backlen);
        backlen++;
        if (!(*q & 0x80))
            break;
        q--;
    }
    assert(encoded + backlen <= (uint64_t)(p - floor));
    unsigned char *start = p - backlen - encoded;
    assert(entry_bytes_checked(lp, start) == (size_t)(p - start));
    return start;
}

unsigned char *listpack_first(unsigned char *lp)
{
    unsigned char *p = lp + LISTPACK_HEADER_BYTES;
    if (p[0] == LISTPACK_EOF)
        return NULL;
    entry_bytes_checked(lp, p);
    return p;
}

unsigned char *listpack_last(unsigned char *lp)
{
    unsigned char *end = lp + header_bytes_get(lp) - 1;
    assert(end[0] == LISTPACK_EOF);
    if (end == lp + LISTPACK_HEADER_BYTES)
        return NULL;
    return entry_before(lp, end);
}

unsigned char *listpack_next(unsigned char *lp, unsigned char *p)
{
    assert(p != NULL);
    /* p was measured (bounds checked) when it was handed out, so its size
     * is read without the checks; only the new position is checked, which
     * keeps a walk onto a bad entry of a shallowly validated blob an abort
     * while a stream seek pays one check per entry, not two. */
    size_t encoded = entry_encoded_bytes(p);
    unsigned char *q = p + encoded + backlen_bytes(encoded);
    if (q[0] == LISTPACK_EOF)
        return NULL;
    entry_bytes_checked(lp, q);
    return q;
}

unsigned char *listpack_prev(unsigned char *lp, unsigned char *p)
{
    assert(p != NULL);
    assert(p >= lp + LISTPACK_HEADER_BYTES);
    if (p == lp + LISTPACK_HEADER_BYTES)
        return NULL;
    return entry_before(lp, p);
}

/* Like Redis's lpSeek: with a known count, walk from whichever end is
 * nearer; with an unknown count, walk forward for index >= 0 and backward
 * for negative ones. */
unsigned char *listpack_seek(unsigned char *lp, long index)
{
    size_t count = header_count_get(lp);
    bool forward = index >= 0;
    if (count != LISTPACK_COUNT_UNKNOWN) {
        if (index < 0)
            index += (long)count;
        if (index < 0 || (size_t)index >= count)
            return NULL;
        forward = (size_t)index <= count / 2;
        if (!forward)
            index -= (long)count; /* now -1 for the last entry */
    }
    if (forward) {
        unsigned char *p = listpack_first(lp);
        for (; index > 0 && p != NULL; index--)
            p = listpack_next(lp, p);
        return p;
    }
    unsigned char *p = listpack_last(lp);
    for (; index < -1 && p != NULL; index++)
        p = listpack_prev(lp, p);
    return p;
}

/* ---- Lifetime and size ---- */

unsigned char *listpack_new(void)
{
    unsigned char *lp = alloc_bytes(LISTPACK_HEADER_BYTES + 1);
    header_bytes_set(lp, LISTPACK_HEADER_BYTES + 1);
    header_count_set(lp, 0);
    lp[LISTPACK_HEADER_BYTES] = LISTPACK_EOF;
    return lp;
}

unsigned char *listpack_from_bytes(const unsigned char *blob, size_t len)
{
    assert(len >= LISTPACK_HEADER_BYTES + 1);
    assert(header_bytes_get(blob) == len);
    unsigned char *lp = alloc_bytes(len);
    memcpy(lp, blob, len);
    return lp;
}

void listpack_free(unsigned char *lp)
{
    alloc_free(lp);
}

size_t listpack_bytes(const unsigned char *lp)
{
    return header_bytes_get(lp);
}

size_t listpack_count(unsigned char *lp)
{
    size_t count = header_count_get(lp);
    if (count != LISTPACK_COUNT_UNKNOWN)
        return count;
    count = 0;
    for (unsigned char *p = listpack_first(lp); p != NULL; p = listpack_next(lp, p))
        count++;
    header_count_set(lp, count);
    return count;
}

size_t listpack_entry_bytes(const void *s, size_t len)
{
    struct listpack_item item;
    item_from_string(&item, s, len);
    return item_entry_bytes(&item);
}

size_t listpack_entry_bytes_integer(long long value)
{
    struct listpack_item item;
    item_from_integer(&item, value);
    return item_entry_bytes(&item);
}

bool listpack_safe_to_add(const unsigned char *lp, size_t add_bytes)
{
    size_t current = lp != NULL ? listpack_bytes(lp) : 0;
    return add_bytes <= LISTPACK_SAFETY_BYTES_MAX &&
           current <= LISTPACK_SAFETY_BYTES_MAX - add_bytes;
}

/* ---- Reading ---- */

/* Interprets the low `bits` bits of raw as a two's complement number. */
static long long sign_extend(uint64_t raw, unsigned bits)
{
    uint64_t mask = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
    uint64_t sign = 1ULL << (bits - 1);
    raw &= mask;
    if (!(raw & sign))
        return (long long)raw;
    /* -(~raw) - 1 stays within long long even for the most negative value. */
    return -(long long)(~raw & mask) - 1;
}

void listpack_get(const unsigned char *p, struct listpack_entry *out)
{
    out->str = NULL;
    out->len = 0;
    out->integer = 0;
    switch (kind_of(p[0])) {
    case KIND_UINT7: out->integer = p[0]; return;
    case KIND_INT13: out->integer = sign_extend(((uint64_t)(p[0] & 0x1F) << 8) | p[1], 13); return;
    case KIND_INT16: out->integer = sign_extend(le_read(p + 1, 2), 16); return;
    case KIND_INT24: out->integer = sign_extend(le_read(p + 1, 3), 24); return;
    case KIND_INT32: out->integer = sign_extend(le_read(p + 1, 4), 32); return;
    case KIND_INT64: out->integer = sign_extend(le_read(p + 1, 8), 64); return;
    case KIND_STR6: out->str = p + 1; break;
    case KIND_STR12: out->str = p + 2; break;
    case KIND_STR32: out->str = p + 5; break;
    default: assert(!"listpack_get on the terminator or an invalid tag"); return;
    }
    out->len = entry_encoded_bytes(p) - (size_t)(out->str - p);
}

const unsigned char *listpack_get_text(const unsigned char *p, size_t *len,
                                       char buf[LISTPACK_INTEGER_TEXT_BYTES])
{
    struct listpack_entry entry;
    listpack_get(p, &entry);
    if (entry.str != NULL) {
        *len = entry.len;
        return entry.str;
    }
    *len = number_format_ll(buf, entry.integer);
    assert(*len < LISTPACK_INTEGER_TEXT_BYTES);
    return (const unsigned char *)buf;
}

/* A search key, parsed as an integer at most once however many integer
 * entries it meets (Redis's lpFind does the same). */
struct listpack_needle {
    const void *s;
    size_t len;
    int integer_state; /* 0 not parsed yet, 1 is an integer, -1 is not */
    long long integer;
};

static bool needle_matches(const unsigned char *p, struct listpack_needle *needle)
{
    struct listpack_entry entry;
    listpack_get(p, &entry);
    if (entry.str != NULL)
        return entry.len == needle->len && memcmp(entry.str, needle->s, needle->len) == 0;
    /* An integer entry reads as its canonical text, so it equals the needle
     * exactly when the needle is canonical text of the same value. */
    if (needle->integer_state == 0)
        needle->integer_state = number_parse_ll(needle->s, needle->len, &needle->integer) ? 1 : -1;
    return needle->integer_state == 1 && needle->integer == entry.integer;
}

bool listpack_entry_equals(const unsigned char *p, const void *s, size_t len)
{
    struct listpack_needle needle = {.s = s, .len = len};
    return needle_matches(p, &needle);
}

unsigned char *listpack_find(unsigned char *lp, unsigned char *p, const void *s, size_t len,
                             unsigned skip)
{
    struct listpack_needle needle = {.s = s, .len = len};
    unsigned to_skip = 0;
    while (p != NULL) {
        if (to_skip == 0) {
            if (needle_matches(p, &needle))
                return p;
            to_skip = skip;
        } else {
            to_skip--;
        }
        p = listpack_next(lp, p);
    }
    return NULL;
}

/* ---- Changing ---- */

/* Replaces lp[offset, offset + remove_bytes) with item's entry (nothing if
 * item is NULL) and fixes the header's byte total; the count is the
 * caller's. Grows the allocation before moving bytes and shrinks it after,
 * as Redis's lpInsert does. Returns the possibly moved blob. */
static unsigned char *listpack_splice(unsigned char *lp, size_t offset, size_t remove_bytes,
                                      const struct listpack_item *item)
{
    size_t old_bytes = header_bytes_get(lp);
    assert(offset >= LISTPACK_HEADER_BYTES);
    assert(offset + remove_bytes <= old_bytes - 1);
    size_t add_bytes = item != NULL ? item_entry_bytes(item) : 0;
    assert(add_bytes <= LISTPACK_BYTES_MAX - (old_bytes - remove_bytes));
    size_t new_bytes = old_bytes - remove_bytes + add_bytes;
    if (item != NULL)
        item_assert_outside(lp, item);

    if (new_bytes > old_bytes && new_bytes > alloc_usable_size(lp))
        lp = alloc_resize(lp, new_bytes);
    memmove(lp + offset + add_bytes, lp + offset + remove_bytes,
            old_bytes - offset - remove_bytes);
    if (new_bytes < old_bytes)
        lp = alloc_resize(lp, new_bytes);

    if (item != NULL) {
        unsigned char *dst = lp + offset;
        memcpy(dst, item->head, item->head_len);
        dst += item->head_len;
        if (item->data_len > 0)
            memcpy(dst, item->data, item->data_len);
        dst += item->data_len;
        backlen_write(dst, item->head_len + item->data_len);
    }
    header_bytes_set(lp, new_bytes);
    assert(lp[new_bytes - 1] == LISTPACK_EOF);
    return lp;
}

/* Adds delta to a known header count. A count the header cannot hold turns
 * "unknown"; an unknown count stays so until listpack_count walks it. */
static void count_adjust(unsigned char *lp, long delta)
{
    size_t count = header_count_get(lp);
    if (count == LISTPACK_COUNT_UNKNOWN)
        return;
    if (delta < 0 && count < (size_t)-delta) {
        /* Only a corrupt header can claim fewer entries than were just
         * removed; let the next listpack_count find the truth. */
        header_count_set(lp, LISTPACK_COUNT_UNKNOWN);
        return;
    }
    header_count_set(lp, (size_t)((long)count + delta));
}

static unsigned char *insert_item(unsigned char *lp, size_t offset,
                                  const struct listpack_item *item, unsigned char **newp)
{
    lp = listpack_splice(lp, offset, 0, item);
    count_adjust(lp, 1);
    if (newp != NULL)
        *newp = lp + offset;
    return lp;
}

/* Offset at which an entry goes to land before / after the entry at p. */
static size_t insert_offset(unsigned char *lp, unsigned char *p, enum listpack_where where)
{
    assert(p != NULL);
    size_t size = entry_bytes_checked(lp, p);
    assert(where == LISTPACK_BEFORE || where == LISTPACK_AFTER);
    return (size_t)(p - lp) + (where == LISTPACK_AFTER ? size : 0);
}

unsigned char *listpack_append(unsigned char *lp, const void *s, size_t len)
{
    struct listpack_item item;
    item_from_string(&item, s, len);
    return insert_item(lp, header_bytes_get(lp) - 1, &item, NULL);
}

unsigned char *listpack_append_integer(unsigned char *lp, long long value)
{
    struct listpack_item item;
    item_from_integer(&item, value);
    return insert_item(lp, header_bytes_get(lp) - 1, &item, NULL);
}

unsigned char *listpack_prepend(unsigned char *lp, const void *s, size_t len)
{
    struct listpack_item item;
    item_from_string(&item, s, len);
    return insert_item(lp, LISTPACK_HEADER_BYTES, &item, NULL);
}

unsigned char *listpack_prepend_integer(unsigned char *lp, long long value)
{
    struct listpack_item item;
    item_from_integer(&item, value);
    return insert_item(lp, LISTPACK_HEADER_BYTES, &item, NULL);
}

unsigned char *listpack_insert(unsigned char *lp, unsigned char *p, enum listpack_where where,
                               const void *s, size_t len, unsigned char **newp)
{
    struct listpack_item item;
    item_from_string(&item, s, len);
    return insert_item(lp, insert_offset(lp, p, where), &item, newp);
}

unsigned char *listpack_insert_integer(unsigned char *lp, unsigned char *p,
                                       enum listpack_where where, long long value,
                                       unsigned char **newp)
{
    struct listpack_item item;
    item_from_integer(&item, value);
    return insert_item(lp, insert_offset(lp, p, where), &item, newp);
}

static unsigned char *replace_item(unsigned char *lp, unsigned char **p,
                                   const struct listpack_item *item)
{
    assert(*p != NULL);
    size_t offset = (size_t)(*p - lp);
    lp = listpack_splice(lp, offset, entry_bytes_checked(lp, *p), item);
    *p = lp + offset;
    return lp;
}

unsigned char *listpack_replace(unsigned char *lp, unsigned char **p, const void *s, size_t len)
{
    struct listpack_item item;
    item_from_string(&item, s, len);
    return replace_item(lp, p, &item);
}

unsigned char *listpack_replace_integer(unsigned char *lp, unsigned char **p, long long value)
{
    struct listpack_item item;
    item_from_integer(&item, value);
    return replace_item(lp, p, &item);
}

unsigned char *listpack_delete(unsigned char *lp, unsigned char *p, unsigned char **nextp)
{
    unsigned char *at = p;
    lp = listpack_delete_range_at(lp, &at, 1);
    if (nextp != NULL)
        *nextp = at;
    return lp;
}

/* Bytes from p through the end of the count-th entry (or the terminator,
 * whichever comes first); *walked gets the number of entries covered. */
static size_t span_of_entries(unsigned char *lp, unsigned char *p, size_t count, size_t *walked)
{
    unsigned char *q = p;
    size_t n = 0;
    while (n < count && q[0] != LISTPACK_EOF) {
        q += entry_bytes_checked(lp, q);
        n++;
    }
    *walked = n;
    return (size_t)(q - p);
}

unsigned char *listpack_delete_range_at(unsigned char *lp, unsigned char **p, size_t count)
{
    assert(*p != NULL);
    if (count == 0)
        return lp;
    size_t offset = (size_t)(*p - lp);
    size_t deleted = 0;
    size_t span = span_of_entries(lp, *p, count, &deleted);
    lp = listpack_splice(lp, offset, span, NULL);
    count_adjust(lp, -(long)deleted);
    *p = lp[offset] == LISTPACK_EOF ? NULL : lp + offset;
    return lp;
}

unsigned char *listpack_delete_range(unsigned char *lp, long index, size_t count)
{
    size_t total = listpack_count(lp);
    if (index < 0)
        index += (long)total;
    if (count == 0 || index < 0 || (size_t)index >= total)
        return lp;
    unsigned char *p = listpack_seek(lp, index);
    assert(p != NULL);
    if (count > total - (size_t)index)
        count = total - (size_t)index;
    size_t offset = (size_t)(p - lp);
    size_t deleted = 0;
    size_t span = span_of_entries(lp, p, count, &deleted);
    assert(deleted == count);
    lp = listpack_splice(lp, offset, span, NULL);
    /* Redis's lpDeleteRange stores the recomputed count rather than
     * adjusting the header, so a count that was unknown can become known. */
    header_count_set(lp, total - count);
    return lp;
}

/* ---- Untrusted input ---- */

bool listpack_validate(const unsigned char *blob, size_t len, bool deep,
                       listpack_entry_check check, void *ctx)
{
    if (len < LISTPACK_HEADER_BYTES + 1)
        return false;
    if (header_bytes_get(blob) != len)
        return false;
    if (blob[len - 1] != LISTPACK_EOF)
        return false;

    const unsigned char *p = blob + LISTPACK_HEADER_BYTES;
    const unsigned char *end = blob + len - 1;
    size_t size = 0;
    if (!deep) {
        /* Redis's shallow check: header, terminator and the first entry.
         * An empty listpack must be exactly header + terminator. */
        return p == end || entry_measure(blob, len, p, &size);
    }
    size_t header_count = header_count_get(blob);
    size_t count = 0;
    while (p != end) {
        if (!entry_measure(blob, len, p, &size))
            return false; /* also rejects a stray terminator before the end */
        if (check != NULL && !check(p, header_count, ctx))
            return false;
        p += size;
        count++;
    }
    return header_count == LISTPACK_COUNT_UNKNOWN || header_count == count;
}

size_t listpack_count_header(const unsigned char *lp)
{
    return header_count_get(lp);
}

void listpack_cursor_init(struct listpack_cursor *c, const unsigned char *lp)
{
    c->lp = lp;
    c->bytes = header_bytes_get(lp);
    c->pos = LISTPACK_HEADER_BYTES;
    /* Shallow validation proved these; a cursor over anything else would
     * read outside the blob. */
    assert(c->bytes >= LISTPACK_HEADER_BYTES + 1);
    assert(lp[c->bytes - 1] == LISTPACK_EOF);
}

enum listpack_cursor_step listpack_cursor_next(struct listpack_cursor *c,
                                               const unsigned char **entry)
{
    if (c->pos == c->bytes - 1)
        return LISTPACK_CURSOR_END;
    size_t size = 0, encoded = 0;
    if (c->pos > c->bytes - 1 ||
        !entry_measure_bounds(c->lp, c->bytes, c->lp + c->pos, &size, &encoded))
        return LISTPACK_CURSOR_BAD;
    *entry = c->lp + c->pos;
    c->pos += size;
    assert(c->pos <= c->bytes - 1);
    return LISTPACK_CURSOR_ENTRY;
}
