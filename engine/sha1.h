/* sha1.h: SHA-1 (FIPS 180-4), for DEBUG DIGEST and the other places Redis
 * uses it to fingerprint data (script ids later).
 *
 * Not for security: SHA-1 is broken for collision resistance; Redis uses it
 * only as a checksum, and so do we. Incremental: init, update any number of
 * times with any split of the input, then final. */
#ifndef RINGKV_ENGINE_SHA1_H
#define RINGKV_ENGINE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_BYTES 20
#define SHA1_BLOCK_BYTES 64

struct sha1 {
    uint32_t state[5];
    uint64_t total_bytes;                 /* message length so far */
    uint8_t block[SHA1_BLOCK_BYTES];      /* partial block waiting for more input */
    size_t block_len;                     /* bytes held in block, < SHA1_BLOCK_BYTES */
};

void sha1_init(struct sha1 *ctx);
/* Borrows data for the length of the call. */
void sha1_update(struct sha1 *ctx, const void *data, size_t len);
/* Writes the digest; ctx must be initialised again before reuse. */
void sha1_final(struct sha1 *ctx, uint8_t out[SHA1_DIGEST_BYTES]);
/* One-shot digest of data[0..len). */
void sha1_bytes(const void *data, size_t len, uint8_t out[SHA1_DIGEST_BYTES]);
/* Writes 40 lower-case hex digits and a NUL into hex (41 bytes). */
void sha1_to_hex(const uint8_t digest[SHA1_DIGEST_BYTES], char hex[2 * SHA1_DIGEST_BYTES + 1]);

#endif
