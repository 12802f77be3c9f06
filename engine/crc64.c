/* crc64.c: table-driven CRC-64/Jones, eight bytes per step.
 *
 * Owns the lookup tables and the update loop; the callers (RDB sink and
 * source, DUMP) decide what is covered. Because the CRC is reflected, each
 * step folds the low byte of the running value into a table lookup and
 * shifts right. Slicing-by-8 keeps eight tables so eight input bytes cost
 * eight independent lookups and one xor tree instead of eight dependent
 * steps, which is what makes checksumming a multi-gigabyte dump cheap
 * next to writing it.
 *
 * The tables are filled once by a constructor before main runs: they are
 * constants in all but name, and computing them (16 KB) at start-up costs
 * microseconds, while a lazy check would sit in the hot loop. */
#include "engine/crc64.h"

#include <assert.h>
#include <string.h>

/* The reflected form of 0xad93d23594c935a9 (bit order reversed). */
#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL
/* Tables for slicing: one per byte of the 8-byte word. */
#define CRC64_SLICES 8

static uint64_t crc64_table[CRC64_SLICES][256];

__attribute__((constructor)) static void crc64_build_tables(void)
{
    for (unsigned n = 0; n < 256; n++) {
        uint64_t crc = n;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ CRC64_POLY_REFLECTED : crc >> 1;
        crc64_table[0][n] = crc;
    }
    for (unsigned n = 0; n < 256; n++) {
        for (int k = 1; k < CRC64_SLICES; k++) {
            uint64_t prev = crc64_table[k - 1][n];
            crc64_table[k][n] = crc64_table[0][prev & 0xff] ^ (prev >> 8);
        }
    }
    /* Entry 1 runs eight shifts of a lone low bit: the first shift
     * applies the polynomial, so it is the polynomial shifted seven times. */
    assert(crc64_table[0][1] != 0);
}

uint64_t crc64_update(uint64_t crc, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0 && ((uintptr_t)p & 7) != 0) {
        crc = crc64_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        len--;
    }
    while (len >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        /* Little-endian: the first input byte is the low byte of word. */
        word ^= crc;
        crc = crc64_table[7][word & 0xff] ^ crc64_table[6][(word >> 8) & 0xff] ^
              crc64_table[5][(word >> 16) & 0xff] ^ crc64_table[4][(word >> 24) & 0xff] ^
              crc64_table[3][(word >> 32) & 0xff] ^ crc64_table[2][(word >> 40) & 0xff] ^
              crc64_table[1][(word >> 48) & 0xff] ^ crc64_table[0][word >> 56];
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        crc = crc64_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        len--;
    }
    return crc;
}
