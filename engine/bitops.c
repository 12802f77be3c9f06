/* bitops.c: bit kernels over byte strings (see bitops.h). */
#include "engine/bitops.h"

#include <assert.h>
#include <string.h>

/* Bytes p[0..8) as one big-endian word, so that bit 0 of the string is
 * the word's most significant bit. */
static inline uint64_t bitops_load_be(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

uint64_t bitops_popcount(const uint8_t *p, size_t len)
{
    uint64_t count = 0;
    size_t i = 0;
    /* Four words per round keeps the popcount units busy. */
    for (; i + 32 <= len; i += 32) {
        uint64_t a, b, c, d;
        memcpy(&a, p + i, 8);
        memcpy(&b, p + i + 8, 8);
        memcpy(&c, p + i + 16, 8);
        memcpy(&d, p + i + 24, 8);
        count += (uint64_t)(__builtin_popcountll(a) + __builtin_popcountll(b) +
                            __builtin_popcountll(c) + __builtin_popcountll(d));
    }
    for (; i + 8 <= len; i += 8) {
        uint64_t a;
        memcpy(&a, p + i, 8);
        count += (uint64_t)__builtin_popcountll(a);
    }
    for (; i < len; i++)
        count += (uint64_t)__builtin_popcount(p[i]);
    return count;
}

/* The bits of byte `index` that lie in [first, last], as a mask. */
static uint8_t bitops_edge_mask(uint64_t index, uint64_t first, uint64_t last)
{
    unsigned mask = 0xff;
    if (index == first >> 3)
        mask &= 0xffu >> (first & 7);
    if (index == last >> 3)
        mask &= (0xff00u >> ((last & 7) + 1)) & 0xff;
    return (uint8_t)mask;
}

uint64_t bitops_count_bits(const uint8_t *p, size_t len, uint64_t first, uint64_t last)
{
    assert(first <= last && last < (uint64_t)len * 8);
    uint64_t a = first >> 3, b = last >> 3;
    if (a == b)
        return (uint64_t)__builtin_popcount(p[a] & bitops_edge_mask(a, first, last));
    uint64_t count = (uint64_t)__builtin_popcount(p[a] & bitops_edge_mask(a, first, last));
    count += (uint64_t)__builtin_popcount(p[b] & bitops_edge_mask(b, first, last));
    if (b > a + 1)
        count += bitops_popcount(p + a + 1, (size_t)(b - a - 1));
    return count;
}

int64_t bitops_find(const uint8_t *p, size_t len, int bit, uint64_t first, uint64_t last)
{
    assert(first <= last && last < (uint64_t)len * 8);
    assert(bit == 0 || bit == 1);
    (void)len;
    /* Searching for a 0 is searching for a 1 in the complement. */
    uint8_t flip = bit ? 0 : 0xff;
    uint64_t i = first >> 3, end = last >> 3;
    while (i <= end) {
        if (i != first >> 3 && i + 8 <= end) {
            uint64_t w = bitops_load_be(p + i);
            if (!bit)
                w = ~w;
            if (w == 0) {
                i += 8;
                continue;
            }
            return (int64_t)(i * 8 + (uint64_t)__builtin_clzll(w));
        }
        unsigned b = (uint8_t)(p[i] ^ flip) & bitops_edge_mask(i, first, last);
        if (b)
            return (int64_t)(i * 8 + (uint64_t)(__builtin_clz(b) - 24));
        i++;
    }
    return -1;
}

uint64_t bitops_get_unsigned(const uint8_t *p, uint64_t offset, unsigned bits)
{
    assert(bits >= 1 && bits <= 64);
    uint64_t value = 0;
    for (unsigned j = 0; j < bits; j++, offset++) {
        unsigned bit = (p[offset >> 3] >> (7 - (offset & 7))) & 1;
        value = (value << 1) | bit;
    }
    return value;
}

int64_t bitops_get_signed(const uint8_t *p, uint64_t offset, unsigned bits)
{
    uint64_t u = bitops_get_unsigned(p, offset, bits);
    /* Sign-extend the field's top bit. */
    if (bits < 64 && (u & ((uint64_t)1 << (bits - 1))))
        u |= UINT64_MAX << bits;
    return (int64_t)u;
}

void bitops_set_field(uint8_t *p, uint64_t offset, unsigned bits, uint64_t value)
{
    assert(bits >= 1 && bits <= 64);
    for (unsigned j = 0; j < bits; j++, offset++) {
        unsigned bit = (unsigned)(value >> (bits - 1 - j)) & 1;
        uint8_t mask = (uint8_t)(1u << (7 - (offset & 7)));
        if (bit)
            p[offset >> 3] |= mask;
        else
            p[offset >> 3] &= (uint8_t)~mask;
    }
}

int bitops_add_unsigned(uint64_t value, int64_t incr, unsigned bits, enum bitops_overflow mode,
                        uint64_t *result)
{
    assert(bits >= 1 && bits <= 63);
    uint64_t max = ((uint64_t)1 << bits) - 1;
    int dir = 0;
    if (value > max || (incr > 0 && (uint64_t)incr > max - value))
        dir = 1;
    else if (incr < 0 && (uint64_t)0 - (uint64_t)incr > value)
        dir = -1;
    if (dir == 0 || mode == BITOPS_OVERFLOW_WRAP)
        *result = (value + (uint64_t)incr) & max;
    else if (mode == BITOPS_OVERFLOW_SAT)
        *result = dir > 0 ? max : 0;
    return dir;
}

int bitops_add_signed(int64_t value, int64_t incr, unsigned bits, enum bitops_overflow mode,
                      int64_t *result)
{
    assert(bits >= 1 && bits <= 64);
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (bits - 1)) - 1);
    int64_t min = -max - 1;
    int dir = 0;
    if (value > max)
        dir = 1;
    else if (value < min)
        dir = -1;
    /* For 64-bit fields only a same-signed sum can overflow, and the
     * distance to the limit is then representable. */
    else if (incr > 0 && (bits < 64 || value >= 0) &&
             incr > (int64_t)((uint64_t)max - (uint64_t)value))
        dir = 1;
    else if (incr < 0 && (bits < 64 || value < 0) && incr < min - value)
        dir = -1;
    if (dir == 0 || mode == BITOPS_OVERFLOW_WRAP) {
        /* Two's complement sum, then sign-extended from the field's width. */
        uint64_t sum = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            uint64_t high = UINT64_MAX << bits;
            if (sum & ((uint64_t)1 << (bits - 1)))
                sum |= high;
            else
                sum &= ~high;
        }
        *result = (int64_t)sum;
    } else if (mode == BITOPS_OVERFLOW_SAT) {
        *result = dir > 0 ? max : min;
    }
    return dir;
}

static inline uint64_t bitops_load_word(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

void bitops_combine(enum bitops_op op, uint8_t *dst, size_t dst_len, const uint8_t *const *src,
                    const size_t *len, size_t n)
{
    assert(n >= 1);
    assert(op != BITOPS_NOT || n == 1);
    if (op == BITOPS_NOT) {
        size_t i = 0;
        for (; i + 8 <= len[0]; i += 8) {
            uint64_t w = ~bitops_load_word(src[0] + i);
            memcpy(dst + i, &w, 8);
        }
        for (; i < len[0]; i++)
            dst[i] = (uint8_t)~src[0][i];
        return;
    }
    /* The shortest source bounds the part every source covers; past it
     * (AND aside) sources drop out byte by byte. */
    size_t common = dst_len;
    for (size_t k = 0; k < n; k++)
        if (len[k] < common)
            common = len[k];
    size_t i = 0;
    for (; i + 8 <= common; i += 8) {
        uint64_t w = bitops_load_word(src[0] + i);
        for (size_t k = 1; k < n; k++) {
            uint64_t v = bitops_load_word(src[k] + i);
            w = op == BITOPS_AND ? (w & v) : op == BITOPS_OR ? (w | v) : (w ^ v);
        }
        memcpy(dst + i, &w, 8);
    }
    for (; i < dst_len; i++) {
        uint8_t b = i < len[0] ? src[0][i] : 0;
        for (size_t k = 1; k < n; k++) {
            uint8_t v = i < len[k] ? src[k][i] : 0;
            b = op == BITOPS_AND ? (uint8_t)(b & v) : op == BITOPS_OR ? (uint8_t)(b | v)
                                                                      : (uint8_t)(b ^ v);
        }
        dst[i] = b;
    }
}
