/* sha1.c: SHA-1 as specified in FIPS 180-4, section 6.1.
 *
 * Owns the block transform and the padding; callers feed bytes in any
 * split. Invariant: block_len < SHA1_BLOCK_BYTES between calls, so a full
 * block is always transformed as soon as it is complete. */
#include "engine/sha1.h"

#include <assert.h>
#include <string.h>

static inline uint32_t sha1_rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static inline uint32_t sha1_load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Processes one 64-byte block: the 80-word message schedule is kept in a
 * 16-word ring, which is all the recurrence ever looks back at. */
static void sha1_transform(uint32_t state[5], const uint8_t block[SHA1_BLOCK_BYTES])
{
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = sha1_load_be32(block + 4 * i);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (int t = 0; t < 80; t++) {
        if (t >= 16) {
            uint32_t mixed = w[(t - 3) & 15] ^ w[(t - 8) & 15] ^ w[(t - 14) & 15] ^ w[t & 15];
            w[t & 15] = sha1_rotl(mixed, 1);
        }
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t temp = sha1_rotl(a, 5) + f + e + k + w[t & 15];
        e = d;
        d = c;
        c = sha1_rotl(b, 30);
        b = a;
        a = temp;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

void sha1_init(struct sha1 *ctx)
{
    ctx->state[0] = 0x67452301;
    ctx->state[1] = 0xEFCDAB89;
    ctx->state[2] = 0x98BADCFE;
    ctx->state[3] = 0x10325476;
    ctx->state[4] = 0xC3D2E1F0;
    ctx->total_bytes = 0;
    ctx->block_len = 0;
}

void sha1_update(struct sha1 *ctx, const void *data, size_t len)
{
    assert(ctx->block_len < SHA1_BLOCK_BYTES);
    const uint8_t *p = data;
    ctx->total_bytes += len;
    if (ctx->block_len > 0) {
        size_t take = SHA1_BLOCK_BYTES - ctx->block_len;
        if (take > len)
            take = len;
        memcpy(ctx->block + ctx->block_len, p, take);
        ctx->block_len += take;
        p += take;
        len -= take;
        if (ctx->block_len < SHA1_BLOCK_BYTES)
            return;
        sha1_transform(ctx->state, ctx->block);
        ctx->block_len = 0;
    }
    for (; len >= SHA1_BLOCK_BYTES; p += SHA1_BLOCK_BYTES, len -= SHA1_BLOCK_BYTES)
        sha1_transform(ctx->state, p);
    memcpy(ctx->block, p, len);
    ctx->block_len = len;
    assert(ctx->block_len < SHA1_BLOCK_BYTES);
}

void sha1_final(struct sha1 *ctx, uint8_t out[SHA1_DIGEST_BYTES])
{
    uint64_t bits = ctx->total_bytes * 8;
    /* Padding: a 1 bit, zeros up to 56 bytes into a block, then the
     * message length in bits as a big-endian 64-bit number. */
    uint8_t pad[SHA1_BLOCK_BYTES + 8] = {0x80};
    size_t pad_len = ctx->block_len < 56 ? 56 - ctx->block_len : 120 - ctx->block_len;
    for (int i = 0; i < 8; i++)
        pad[pad_len + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(ctx, pad, pad_len + 8);
    assert(ctx->block_len == 0);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(ctx->state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
        out[4 * i + 3] = (uint8_t)ctx->state[i];
    }
}

void sha1_bytes(const void *data, size_t len, uint8_t out[SHA1_DIGEST_BYTES])
{
    struct sha1 ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, data, len);
    sha1_final(&ctx, out);
}

void sha1_to_hex(const uint8_t digest[SHA1_DIGEST_BYTES], char hex[2 * SHA1_DIGEST_BYTES + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA1_DIGEST_BYTES; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * SHA1_DIGEST_BYTES] = '\0';
}
