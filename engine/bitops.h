/* bitops.h: bit kernels over byte strings, for the bitmap commands.
 *
 * Owns the arithmetic Redis 7.0's bitops.c gives SETBIT, BITCOUNT, BITPOS,
 * BITOP and BITFIELD, on plain byte buffers: bit 0 is the most significant
 * bit of byte 0 (Redis's bit order), fields are read and written MSB first,
 * and BITFIELD's overflow rules (WRAP, SAT, FAIL) decide the stored value.
 * No keys, no replies: net/commands/cmd_bitmap.c owns those. Counting and
 * searching go a 64-bit word at a time. */
#ifndef RINGKV_ENGINE_BITOPS_H
#define RINGKV_ENGINE_BITOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Set bits in p[0..len). */
uint64_t bitops_popcount(const uint8_t *p, size_t len);

/* Set bits between bit offsets first and last (both inclusive, first <=
 * last, last < len * 8) of p. */
uint64_t bitops_count_bits(const uint8_t *p, size_t len, uint64_t first, uint64_t last);

/* The offset of the first bit equal to `bit` (0 or 1) between bit offsets
 * first and last (inclusive, first <= last, last < len * 8) of p, or -1 if
 * there is none. */
int64_t bitops_find(const uint8_t *p, size_t len, int bit, uint64_t first, uint64_t last);

/* BITFIELD fields: `bits` wide (1..64) at bit offset `offset`; p must
 * hold the bytes the field touches. */
uint64_t bitops_get_unsigned(const uint8_t *p, uint64_t offset, unsigned bits);
int64_t bitops_get_signed(const uint8_t *p, uint64_t offset, unsigned bits);
void bitops_set_field(uint8_t *p, uint64_t offset, unsigned bits, uint64_t value);

/* BITFIELD's OVERFLOW modes. */
enum bitops_overflow { BITOPS_OVERFLOW_WRAP, BITOPS_OVERFLOW_SAT, BITOPS_OVERFLOW_FAIL };

/* Whether value + incr leaves the range of an unsigned (bits 1..63) or
 * signed (bits 1..64) field: 0 no, 1 above, -1 below. Unless the mode is
 * FAIL and it overflows, *result is the value to store (wrapped or
 * saturated when it overflows, the plain sum otherwise). value may be
 * outside the range itself (a SET's argument: incr 0). */
int bitops_add_unsigned(uint64_t value, int64_t incr, unsigned bits, enum bitops_overflow mode,
                        uint64_t *result);
int bitops_add_signed(int64_t value, int64_t incr, unsigned bits, enum bitops_overflow mode,
                      int64_t *result);

/* BITOP's operations. */
enum bitops_op { BITOPS_AND, BITOPS_OR, BITOPS_XOR, BITOPS_NOT };

/* dst[0..dst_len) = op over the n sources src[i] (len[i] bytes each, NULL
 * when absent), a shorter source read as zero-padded; NOT takes one
 * source. dst_len is the longest source's length. */
void bitops_combine(enum bitops_op op, uint8_t *dst, size_t dst_len, const uint8_t *const *src,
                    const size_t *len, size_t n);

#endif
