/* hll.h: HyperLogLog values in Redis 7.0's exact byte format.
 *
 * A HyperLogLog is a string value, so it must be the same bytes on ringkv
 * and on redis-server (GET on one, SET on the other, RDB files, DUMP):
 *   - a 16-byte header: "HYLL", the encoding (0 dense, 1 sparse), three
 *     unused bytes, the cached cardinality as 8 little-endian bytes whose
 *     top bit (bit 7 of byte 15) marks the cache invalid;
 *   - dense: 16384 registers of 6 bits, packed little-endian bit first
 *     (register i is bits 6i..6i+5 of the register bytes), 12288 bytes;
 *   - sparse: opcodes ZERO (00xxxxxx: 1..64 zero registers), XZERO
 *     (01xxxxxx yyyyyyyy: 1..16384 zero registers) and VAL (1vvvvvxx:
 *     1..4 registers of value 1..32), edited in place the way Redis edits
 *     them (so the same adds give the same bytes), promoted to dense when a
 *     value exceeds 32 or the string would grow past hll-sparse-max-bytes.
 * An element picks register hash & 16383 and counts the run of zeros above
 * those 14 bits of MurmurHash64A(seed 0xadc83b19), plus one; the estimate
 * is Ertl's improved estimator over the register histogram, as Redis 7.0.
 *
 * Buffers here are plain bytes; the caller owns them and their growth
 * (the command layer keeps them inside the key's value). Nothing here
 * trusts a value's bytes: every walk checks its bounds, and a corrupt
 * value is reported, never read past. */
#ifndef RINGKV_ENGINE_HLL_H
#define RINGKV_ENGINE_HLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HLL_P 14
#define HLL_REGISTERS (1 << HLL_P)                 /* 16384 */
#define HLL_REGISTER_BITS 6
#define HLL_HEADER_BYTES 16
#define HLL_DENSE_BYTES (HLL_HEADER_BYTES + (HLL_REGISTERS * HLL_REGISTER_BITS + 7) / 8)
/* A new, empty HLL: the header and one XZERO covering every register. */
#define HLL_EMPTY_BYTES (HLL_HEADER_BYTES + 2)
/* What hll_sparse_set may add to a sparse value (an XZERO split into
 * XZERO VAL XZERO): the buffer must have this much room past its end. */
#define HLL_SPARSE_SET_ROOM 3
/* Redis's default hll-sparse-max-bytes. */
#define HLL_SPARSE_MAX_BYTES_DEFAULT 3000

enum hll_encoding { HLL_ENC_DENSE = 0, HLL_ENC_SPARSE = 1 };

/* Austin Appleby's MurmurHash64A, reading 8-byte blocks little-endian. */
uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed);

/* The register an element goes to (*index) and the count it offers there
 * (1..51). */
unsigned hll_pattern(const void *ele, size_t len, uint32_t *index);

/* Redis's isHLLObject: a string long enough for the header, with the magic,
 * a known encoding and, dense, exactly HLL_DENSE_BYTES. */
bool hll_is_valid(const uint8_t *p, size_t len);
static inline enum hll_encoding hll_encoding_of(const uint8_t *p)
{
    return (enum hll_encoding)p[4];
}

/* Writes the empty sparse HLL (HLL_EMPTY_BYTES bytes) to out. */
void hll_init_empty(uint8_t *out);

/* The cached cardinality in the header. */
bool hll_cache_valid(const uint8_t *p);
uint64_t hll_cache_get(const uint8_t *p);
void hll_cache_set(uint8_t *p, uint64_t card);
void hll_cache_invalidate(uint8_t *p);

/* Dense registers (the bytes after the header). */
unsigned hll_dense_get(const uint8_t *registers, uint32_t index);
void hll_dense_put(uint8_t *registers, uint32_t index, unsigned value);
/* Raises register index to count if below it; returns whether it did. */
bool hll_dense_set(uint8_t *registers, uint32_t index, unsigned count);

enum hll_set_result {
    HLL_SET_INVALID = -1,   /* the sparse value is corrupt */
    HLL_SET_UNCHANGED = 0,
    HLL_SET_UPDATED = 1,
    HLL_SET_PROMOTE = 2,    /* nothing changed: convert to dense, then hll_dense_set */
};
/* Raises register index of the sparse HLL p (*len bytes, header included,
 * with HLL_SPARSE_SET_ROOM more bytes of room) to count, editing the
 * opcodes as Redis does; *len becomes the new length. PROMOTE when the
 * count does not fit a VAL opcode or the value would outgrow max_bytes.
 * Leaves the cached cardinality alone. */
enum hll_set_result hll_sparse_set(uint8_t *p, size_t *len, uint32_t index, unsigned count,
                                   size_t max_bytes);

/* Converts the sparse HLL p (len bytes) to dense into out (HLL_DENSE_BYTES
 * bytes, the header copied but for the encoding). Returns false when the
 * sparse value does not cover exactly 16384 registers. */
bool hll_sparse_to_dense(const uint8_t *p, size_t len, uint8_t *out);

/* max[i] = MAX(max[i], register i of the HLL p) for every register (one
 * byte per register). Returns false on a corrupt sparse value. */
bool hll_merge(uint8_t *max, const uint8_t *p, size_t len);

/* The estimated cardinality of the HLL p (len bytes, valid header); sets
 * *invalid on a corrupt sparse value. */
uint64_t hll_count(const uint8_t *p, size_t len, bool *invalid);
/* The estimate for one byte per register (a multi-key PFCOUNT's merge). */
uint64_t hll_count_registers(const uint8_t *max);

/* PFDEBUG DECODE's text for a sparse HLL ("Z:16384", "v:3,1 z:5" ...):
 * returns it owned (alloc_free), its length in *out_len. */
char *hll_sparse_describe(const uint8_t *p, size_t len, size_t *out_len);

/* PFSELFTEST: checks the register packing and that the sparse and dense
 * forms agree and estimate within bounds. Returns true, or false with a
 * message ("TESTFAILED ...") in err. */
bool hll_selftest(char *err, size_t err_len);

#endif
