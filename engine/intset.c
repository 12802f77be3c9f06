/* intset.c: Redis 7.0's intset format (see intset.h for the layout).
 *
 * This file owns the blob: its header, the width of its values, keeping
 * them sorted and unique, and the check that lets untrusted blobs in. What
 * the set means (SADD, SINTER, when to convert to a hash table at
 * set-max-intset-entries) belongs to the set type code.
 *
 * Key invariant: values are strictly ascending at one width, and the
 * allocation is exactly header + length * width, as Redis keeps it (it
 * reallocates on every add and remove), so intset_blob_bytes is also the
 * number of bytes the RDB writer copies.
 *
 * Values are read and written byte by byte in little-endian order, so the
 * code needs no alignment and behaves the same on any host. */
#include "engine/intset.h"

#include "engine/alloc.h"

#include <assert.h>
#include <string.h>

static_assert(INTSET_HEADER_BYTES == 4 + 4, "uint32 encoding + uint32 length");
/* The length field is a uint32, and the blob must stay addressable. */
#define INTSET_LENGTH_MAX UINT32_MAX

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

size_t intset_encoding(const unsigned char *is)
{
    return (size_t)le_read(is, 4);
}

size_t intset_length(const unsigned char *is)
{
    return (size_t)le_read(is + 4, 4);
}

static void length_set(unsigned char *is, size_t length)
{
    assert(length <= INTSET_LENGTH_MAX);
    le_write(is + 4, length, 4);
}

size_t intset_blob_bytes(const unsigned char *is)
{
    return INTSET_HEADER_BYTES + intset_length(is) * intset_encoding(is);
}

/* The narrowest encoding that holds value. */
static size_t encoding_for(long long value)
{
    if (value < INT32_MIN || value > INT32_MAX)
        return INTSET_ENCODING_INT64;
    if (value < INT16_MIN || value > INT16_MAX)
        return INTSET_ENCODING_INT32;
    return INTSET_ENCODING_INT16;
}

/* Value number index stored at `width` bytes. */
static long long value_at(const unsigned char *is, size_t width, size_t index)
{
    uint64_t raw = le_read(is + INTSET_HEADER_BYTES + index * width, width);
    unsigned bits = (unsigned)(8 * width);
    uint64_t mask = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
    if (!(raw >> (bits - 1) & 1))
        return (long long)raw;
    /* Negative: -(~raw) - 1 stays in range even for the smallest value. */
    return -(long long)(~raw & mask) - 1;
}

static void value_set(unsigned char *is, size_t width, size_t index, long long value)
{
    le_write(is + INTSET_HEADER_BYTES + index * width, (uint64_t)value, width);
}

/* Binary search. Returns whether value is present; *position gets its
 * index, or the index where it would be inserted. */
static bool search(const unsigned char *is, long long value, size_t *position)
{
    size_t width = intset_encoding(is);
    size_t low = 0;
    size_t high = intset_length(is); /* search [low, high) */
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        long long current = value_at(is, width, mid);
        if (current == value) {
            *position = mid;
            return true;
        }
        if (current < value)
            low = mid + 1;
        else
            high = mid;
    }
    *position = low;
    return false;
}

/* Resizes the allocation to hold length values at the current width. */
static unsigned char *resize(unsigned char *is, size_t length)
{
    size_t width = intset_encoding(is);
    assert(length <= (SIZE_MAX - INTSET_HEADER_BYTES) / width);
    return alloc_resize(is, INTSET_HEADER_BYTES + length * width);
}

unsigned char *intset_new(void)
{
    unsigned char *is = alloc_bytes(INTSET_HEADER_BYTES);
    le_write(is, INTSET_ENCODING_INT16, 4);
    length_set(is, 0);
    return is;
}

unsigned char *intset_from_bytes(const unsigned char *blob, size_t len)
{
    assert(len >= INTSET_HEADER_BYTES);
    assert(intset_blob_bytes(blob) == len);
    unsigned char *is = alloc_bytes(len);
    memcpy(is, blob, len);
    return is;
}

void intset_free(unsigned char *is)
{
    alloc_free(is);
}

/* Rewrites every value at the wider width and adds value, which is wider
 * than all of them and so goes first (negative) or last (positive). Values
 * are moved from the last down, so none is overwritten before it is read. */
static unsigned char *upgrade_and_add(unsigned char *is, long long value)
{
    size_t old_width = intset_encoding(is);
    size_t new_width = encoding_for(value);
    size_t length = intset_length(is);
    assert(new_width > old_width);
    size_t shift = value < 0 ? 1 : 0;

    le_write(is, new_width, 4);
    is = resize(is, length + 1);
    for (size_t i = length; i-- > 0;)
        value_set(is, new_width, i + shift, value_at(is, old_width, i));
    value_set(is, new_width, shift ? 0 : length, value);
    length_set(is, length + 1);
    return is;
}

unsigned char *intset_add(unsigned char *is, long long value, bool *added)
{
    size_t width = intset_encoding(is);
    if (encoding_for(value) > width) {
        if (added != NULL)
            *added = true;
        return upgrade_and_add(is, value);
    }
    size_t position = 0;
    if (search(is, value, &position)) {
        if (added != NULL)
            *added = false;
        return is;
    }
    size_t length = intset_length(is);
    is = resize(is, length + 1);
    unsigned char *slot = is + INTSET_HEADER_BYTES + position * width;
    memmove(slot + width, slot, (length - position) * width);
    value_set(is, width, position, value);
    length_set(is, length + 1);
    if (added != NULL)
        *added = true;
    return is;
}

unsigned char *intset_remove(unsigned char *is, long long value, bool *removed)
{
    size_t width = intset_encoding(is);
    size_t position = 0;
    /* A value wider than the encoding cannot be in the set. */
    if (encoding_for(value) > width || !search(is, value, &position)) {
        if (removed != NULL)
            *removed = false;
        return is;
    }
    size_t length = intset_length(is);
    unsigned char *slot = is + INTSET_HEADER_BYTES + position * width;
    memmove(slot, slot + width, (length - position - 1) * width);
    length_set(is, length - 1);
    is = resize(is, length - 1);
    if (removed != NULL)
        *removed = true;
    return is;
}

bool intset_find(const unsigned char *is, long long value)
{
    size_t position = 0;
    return encoding_for(value) <= intset_encoding(is) && search(is, value, &position);
}

bool intset_get(const unsigned char *is, size_t index, long long *out)
{
    if (index >= intset_length(is))
        return false;
    *out = value_at(is, intset_encoding(is), index);
    return true;
}

long long intset_random(const unsigned char *is, uint64_t random_value)
{
    size_t length = intset_length(is);
    assert(length > 0);
    return value_at(is, intset_encoding(is), (size_t)(random_value % length));
}

bool intset_validate_shallow(const unsigned char *blob, size_t len)
{
    if (len < INTSET_HEADER_BYTES)
        return false;
    uint64_t width = le_read(blob, 4);
    if (width != INTSET_ENCODING_INT16 && width != INTSET_ENCODING_INT32 &&
        width != INTSET_ENCODING_INT64)
        return false;
    /* Both factors come from the blob; checking the quotient cannot
     * overflow where checking the product could. */
    uint64_t length = le_read(blob + 4, 4);
    if ((len - INTSET_HEADER_BYTES) % width != 0 || (len - INTSET_HEADER_BYTES) / width != length)
        return false;
    /* Redis refuses empty intsets: an empty set is never stored. */
    return length != 0;
}

bool intset_validate(const unsigned char *blob, size_t len)
{
    if (!intset_validate_shallow(blob, len))
        return false;
    uint64_t width = le_read(blob, 4);
    uint64_t length = le_read(blob + 4, 4);
    for (size_t i = 1; i < length; i++) {
        if (value_at(blob, width, i - 1) >= value_at(blob, width, i))
            return false;
    }
    return true;
}
