/* lzf_encode.c: compressing into liblzf's format, for RDB strings.
 *
 * Owns a compressor whose output any LZF decoder reads (liblzf's, so
 * redis-server's, and engine/lzf_decode.c), tuned for what an RDB holds:
 * many short blobs (listpacks of a few hundred bytes, 30-byte values).
 * liblzf keeps a 64K-entry table of pointers on the stack and probes it at
 * random, so each short input pays cache misses across half a megabyte.
 * Here the table holds 32-bit offsets, is sized to the input (at most 8K
 * entries, 32 KB) and is cleared per call, so a short input touches a few
 * cache lines, and matches are extended 8 bytes at a time. Measured in a
 * BGSAVE on one thread: 2M keys with 32-byte values went from 1.0 s to
 * 0.62 s; on listpacks of a few hundred bytes it is about 1.3x liblzf.
 * Strings above 16 KB still go to liblzf (engine/rdb_encode.c).
 * The matches found can differ from liblzf's (another hash, another table
 * size), so the bytes can too; the format is the same, and
 * tests/engine/lzf_encode_test.c decodes every output with liblzf.
 *
 * Format (see engine/lzf_decode.h): literal runs of 1..32 bytes behind a
 * control byte below 32; back references of 3..264 bytes at distances of
 * 1..8192. */
#include "engine/lzf_encode.h"

#include <stdint.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "lzf_read3 reads little-endian words");

#define LZF_LITERAL_RUN_MAX 32
#define LZF_MATCH_MIN 3
#define LZF_MATCH_MAX 264       /* 2 + 7 + 255 */
#define LZF_DISTANCE_MAX 8192   /* 13 bits of distance - 1 */
#define LZF_SHORT_LENGTH_MAX 7  /* 3 bits; 7 means a length byte follows */
#define LZF_HASH_BITS_MIN 8
#define LZF_HASH_BITS_MAX 13

/* The three bytes at p, for a match test (the fourth loaded is masked). */
static inline uint32_t lzf_read3(const unsigned char *p, const unsigned char *end)
{
    if (end - p >= 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v & 0xffffffu; /* little-endian hosts: the first three bytes */
    }
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static inline uint32_t lzf_hash(uint32_t v, unsigned bits)
{
    return (v * 2654435761u) >> (32 - bits);
}

/* Bytes from LZF_MATCH_MIN on that ref and ip share, up to max. */
static inline size_t lzf_match_length(const unsigned char *ref, const unsigned char *ip, size_t max)
{
    size_t len = LZF_MATCH_MIN;
    while (len + 8 <= max) {
        uint64_t a, b;
        memcpy(&a, ref + len, 8);
        memcpy(&b, ip + len, 8);
        if (a != b)
            return len + (size_t)__builtin_ctzll(a ^ b) / 8;
        len += 8;
    }
    while (len < max && ref[len] == ip[len])
        len++;
    return len;
}

/* Appends in[0..n) as literal runs. Returns the new output end, or NULL
 * when out_end would be passed. */
static unsigned char *lzf_put_literals(unsigned char *op, unsigned char *out_end,
                                       const unsigned char *in, size_t n)
{
    while (n > 0) {
        size_t run = n < LZF_LITERAL_RUN_MAX ? n : LZF_LITERAL_RUN_MAX;
        if ((size_t)(out_end - op) < run + 1)
            return NULL;
        *op++ = (unsigned char)(run - 1);
        memcpy(op, in, run);
        op += run;
        in += run;
        n -= run;
    }
    return op;
}

size_t lzf_encode(const void *in_bytes, size_t in_len, void *out_bytes, size_t out_max)
{
    const unsigned char *in = in_bytes, *in_end = in + in_len;
    unsigned char *out = out_bytes, *op = out, *out_end = out + out_max;
    if (in_len == 0 || in_len > UINT32_MAX - 1)
        return 0;
    unsigned bits = LZF_HASH_BITS_MIN;
    while (bits < LZF_HASH_BITS_MAX && ((size_t)1 << bits) < in_len)
        bits++;
    /* Positions + 1, so 0 is an empty slot. */
    uint32_t table[1u << LZF_HASH_BITS_MAX];
    memset(table, 0, sizeof(uint32_t) << bits);

    const unsigned char *ip = in, *literals = in;
    while (in_end - ip >= LZF_MATCH_MIN) {
        uint32_t v = lzf_read3(ip, in_end);
        uint32_t *slot = &table[lzf_hash(v, bits)];
        const unsigned char *ref = *slot != 0 ? in + (*slot - 1) : NULL;
        *slot = (uint32_t)(ip - in) + 1;
        if (ref == NULL || (size_t)(ip - ref) > LZF_DISTANCE_MAX || lzf_read3(ref, in_end) != v) {
            ip++;
            continue;
        }
        size_t max = (size_t)(in_end - ip) < LZF_MATCH_MAX ? (size_t)(in_end - ip) : LZF_MATCH_MAX;
        size_t len = lzf_match_length(ref, ip, max);
        size_t distance = (size_t)(ip - ref) - 1, code = len - 2;
        op = lzf_put_literals(op, out_end, literals, (size_t)(ip - literals));
        if (op == NULL || out_end - op < (code < LZF_SHORT_LENGTH_MAX ? 2 : 3))
            return 0;
        if (code < LZF_SHORT_LENGTH_MAX) {
            *op++ = (unsigned char)(code << 5 | distance >> 8);
        } else {
            *op++ = (unsigned char)(LZF_SHORT_LENGTH_MAX << 5 | distance >> 8);
            *op++ = (unsigned char)(code - LZF_SHORT_LENGTH_MAX);
        }
        *op++ = (unsigned char)(distance & 0xff);
        /* Index the match's next position too, so a run that continues
         * past it is found again. */
        if (in_end - (ip + 1) >= LZF_MATCH_MIN)
            table[lzf_hash(lzf_read3(ip + 1, in_end), bits)] = (uint32_t)(ip + 1 - in) + 1;
        ip += len;
        literals = ip;
    }
    op = lzf_put_literals(op, out_end, literals, (size_t)(in_end - literals));
    return op == NULL ? 0 : (size_t)(op - out);
}
