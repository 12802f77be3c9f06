/* aof_batch.c: batch header lines, padding lines and CRC-32C.
 *
 * Owns the byte format of the frame (aof_batch.h); deciding which batches
 * a file's log holds is aof_reader.c's. The CRC itself comes from Intel's
 * ISA-L (Debian's libisal-dev): crc32_iscsi is CRC-32C, picks the fastest
 * code for the CPU at run time (crc32 instruction with carry-less folding
 * on x86-64, the CRC extension on arm64) and reads tens of GB/s, so
 * checking every batch at load costs little next to parsing it.
 *
 * The key invariant: aof_batch_parse_header accepts exactly the lines
 * aof_batch_header_format writes, and aof_batch_is_padding exactly the
 * lines aof_batch_fill writes, so a round trip is the identity and nothing
 * else passes for either. */
#include "engine/aof_batch.h"

#include <assert.h>
#include <isa-l/crc.h>
#include <limits.h>
#include <string.h>

static_assert(AOF_BATCH_HEADER_BYTES == 49, "the header's size is part of the file format");
static_assert(AOF_BATCH_HEADER_BYTES <= AOF_BATCH_LINE_BYTES_MAX,
              "Redis must read the header as one annotation line");
static_assert(sizeof(AOF_BATCH_HEADER_PREFIX) - 1 == AOF_BATCH_HEADER_PREFIX_BYTES,
              "prefix length");
static_assert(AOF_BATCH_PAD_BYTES_MAX <= AOF_BATCH_LINE_BYTES_MAX, "padding is one line");

/* crc32_iscsi takes an int length; feed it in pieces well below INT_MAX. */
#define AOF_CRC_CHUNK_BYTES ((size_t)1 << 30)

static const char aof_hex_digits[] = "0123456789abcdef";

/* A line of spaces to compare padding against (memcmp is vectorised; a
 * byte loop over 64 MiB of padding would not be). */
static const char aof_spaces[AOF_BATCH_PAD_BYTES_MAX] = {
    [0 ... AOF_BATCH_PAD_BYTES_MAX - 1] = ' ',
};

uint32_t aof_crc32c(uint32_t crc, const void *p, size_t n)
{
    assert(p != NULL || n == 0);
    /* ISA-L's state is the CRC register before the final inversion; the
     * API here is zlib's (pass the previous CRC), so invert on the way in
     * and out. */
    uint32_t state = ~crc;
    const unsigned char *at = p;
    while (n > 0) {
        size_t chunk = n < AOF_CRC_CHUNK_BYTES ? n : AOF_CRC_CHUNK_BYTES;
        state = crc32_iscsi((unsigned char *)at, (int)chunk, state);
        at += chunk;
        n -= chunk;
    }
    return ~state;
}

static void aof_put_hex(uint8_t *out, uint64_t value, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (uint8_t)aof_hex_digits[value & 0xf];
        value >>= 4;
    }
    assert(value == 0);
}

void aof_batch_header_format(uint8_t out[AOF_BATCH_HEADER_BYTES], uint64_t seq, size_t len,
                             uint32_t crc)
{
    assert(seq >= 1);
    assert(len <= AOF_BATCH_BYTES_MAX);
    uint8_t *at = out;
    memcpy(at, AOF_BATCH_HEADER_PREFIX, AOF_BATCH_HEADER_PREFIX_BYTES);
    at += AOF_BATCH_HEADER_PREFIX_BYTES;
    aof_put_hex(at, seq, AOF_BATCH_SEQ_DIGITS);
    at += AOF_BATCH_SEQ_DIGITS;
    *at++ = ' ';
    aof_put_hex(at, len, AOF_BATCH_LEN_DIGITS);
    at += AOF_BATCH_LEN_DIGITS;
    *at++ = ' ';
    aof_put_hex(at, crc, AOF_BATCH_CRC_DIGITS);
    at += AOF_BATCH_CRC_DIGITS;
    *at++ = '\n';
    assert(at == out + AOF_BATCH_HEADER_BYTES);
}

void aof_batch_header(uint8_t out[AOF_BATCH_HEADER_BYTES], uint64_t seq, const void *data,
                      size_t len)
{
    aof_batch_header_format(out, seq, len, aof_crc32c(0, data, len));
}

bool aof_batch_is_header(const char *p, size_t avail)
{
    return avail >= AOF_BATCH_HEADER_PREFIX_BYTES &&
           memcmp(p, AOF_BATCH_HEADER_PREFIX, AOF_BATCH_HEADER_PREFIX_BYTES) == 0;
}

/* Reads digits lowercase hex digits at p. */
static bool aof_get_hex(const char *p, int digits, uint64_t *value)
{
    uint64_t v = 0;
    for (int i = 0; i < digits; i++) {
        char c = p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return false;
        v = (v << 4) | (uint64_t)d;
    }
    *value = v;
    return true;
}

bool aof_batch_parse_header(const char *line, size_t line_len, struct aof_batch_header *out)
{
    if (line_len != AOF_BATCH_HEADER_BYTES || !aof_batch_is_header(line, line_len))
        return false;
    const char *at = line + AOF_BATCH_HEADER_PREFIX_BYTES;
    uint64_t seq, len, crc;
    if (!aof_get_hex(at, AOF_BATCH_SEQ_DIGITS, &seq))
        return false;
    at += AOF_BATCH_SEQ_DIGITS;
    if (*at++ != ' ' || !aof_get_hex(at, AOF_BATCH_LEN_DIGITS, &len))
        return false;
    at += AOF_BATCH_LEN_DIGITS;
    if (*at++ != ' ' || !aof_get_hex(at, AOF_BATCH_CRC_DIGITS, &crc))
        return false;
    at += AOF_BATCH_CRC_DIGITS;
    if (*at != '\n' || seq == 0)
        return false;
    assert(at + 1 == line + AOF_BATCH_HEADER_BYTES);
    out->seq = seq;
    out->len = (uint32_t)len;
    out->crc = (uint32_t)crc;
    return true;
}

void aof_batch_fill(uint8_t *dst, size_t len)
{
    assert(len >= AOF_BATCH_PAD_BYTES_MIN);
    assert(len <= AOF_BATCH_PAD_BYTES_MAX);
    dst[0] = '#';
    memcpy(dst + 1, aof_spaces, len - 2);
    dst[len - 1] = '\n';
}

bool aof_batch_is_padding(const char *line, size_t line_len)
{
    return line_len >= AOF_BATCH_PAD_BYTES_MIN && line_len <= AOF_BATCH_PAD_BYTES_MAX &&
           line[0] == '#' && line[line_len - 1] == '\n' &&
           memcmp(line + 1, aof_spaces, line_len - 2) == 0;
}
