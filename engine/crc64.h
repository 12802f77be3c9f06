/* crc64.h: the CRC-64 Redis puts at the end of RDB files and DUMP payloads.
 *
 * Parameters (the "Jones" CRC-64): polynomial 0xad93d23594c935a9, input and
 * output reflected, initial value 0, no final xor. The check value for the
 * nine bytes "123456789" is 0xe9c6d914c4b8d9ca. The CRC can be computed over
 * a stream in any split: crc64_update(crc64_update(0, a), b) equals the CRC
 * of a followed by b. */
#ifndef RINGKV_ENGINE_CRC64_H
#define RINGKV_ENGINE_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* The CRC every computation starts from. */
#define CRC64_INIT 0

/* Returns the CRC of the bytes already covered by crc followed by
 * buf[0..len) (borrowed). */
uint64_t crc64_update(uint64_t crc, const void *buf, size_t len);
/* The CRC of A followed by B, from crc_a = CRC of A, crc_b = CRC of B
 * (each computed from CRC64_INIT) and B's length. O(log len_b). */
uint64_t crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b);

#endif
