/* aof_batch.h: the frame around every batch ringkv appends to an AOF, and
 * the padding lines that fill pre-written file space.
 *
 * Each batch is written as one header line followed by exactly `len` bytes
 * of whole RESP records:
 *
 *     #ringkv-batch <seq: 16 hex> <len: 8 hex> <crc: 8 hex>\n<len bytes>
 *
 * seq is 1 for the first batch of each file and grows by one; crc is the
 * CRC-32C (Castagnoli, as iSCSI and ext4 use it) of the len bytes after the
 * header line. Padding is one line: '#', spaces, '\n'. Both are annotation
 * lines to Redis 7.0: its loader and redis-check-aof skip a line whose first
 * byte is '#' when it ends with '\n' within 1023 bytes (their fgets buffer
 * is 1024 bytes with the NUL), so a file of batches and padding stays a
 * valid AOF for redis-server and redis-check-aof. The header does not start
 * with "#TS:", the timestamp annotation redis-check-aof interprets.
 *
 * The reading rules (which batches count, what ends the log) are
 * engine/aof_reader.h's. No I/O, no allocation. */
#ifndef RINGKV_ENGINE_AOF_BATCH_H
#define RINGKV_ENGINE_AOF_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The header line's fixed start. */
#define AOF_BATCH_HEADER_PREFIX "#ringkv-batch "
#define AOF_BATCH_HEADER_PREFIX_BYTES 14
/* Hex digits of each field; fixed width, so the header has one size. */
#define AOF_BATCH_SEQ_DIGITS 16
#define AOF_BATCH_LEN_DIGITS 8
#define AOF_BATCH_CRC_DIGITS 8
/* The whole header line, newline included: prefix, seq, ' ', len, ' ',
 * crc, '\n'. */
#define AOF_BATCH_HEADER_BYTES                                                     \
    (AOF_BATCH_HEADER_PREFIX_BYTES + AOF_BATCH_SEQ_DIGITS + 1 + AOF_BATCH_LEN_DIGITS + 1 + \
     AOF_BATCH_CRC_DIGITS + 1)
/* The len field's ceiling (8 hex digits). */
#define AOF_BATCH_BYTES_MAX UINT32_MAX
/* The longest annotation line Redis 7.0 skips whole, newline included: its
 * loader and redis-check-aof read '#' lines with fgets into 1024 bytes
 * (AOF_ANNOTATION_LINE_MAX_LEN), which holds 1023 bytes and the NUL. */
#define AOF_BATCH_LINE_BYTES_MAX 1023
/* One padding line: "#\n" at least, AOF_BATCH_LINE_BYTES_MAX at most. */
#define AOF_BATCH_PAD_BYTES_MIN 2
#define AOF_BATCH_PAD_BYTES_MAX AOF_BATCH_LINE_BYTES_MAX

struct aof_batch_header {
    uint64_t seq;  /* >= 1 */
    uint32_t len;  /* bytes of the batch after the header line */
    uint32_t crc;  /* CRC-32C of those bytes */
};

/* CRC-32C of p[0..n) continuing from crc, the CRC of the bytes before
 * (0 to start): aof_crc32c(aof_crc32c(0, a, na), b, nb) is the CRC of a
 * followed by b. CRC-32C("123456789") is 0xE3069283. Borrows p for the
 * call; p may be NULL when n is 0. */
uint32_t aof_crc32c(uint32_t crc, const void *p, size_t n);

/* Writes the header line for batch seq (>= 1) of len bytes (<=
 * AOF_BATCH_BYTES_MAX) whose CRC-32C is crc, for a writer that computed the
 * CRC over several buffers with aof_crc32c. No NUL is written. */
void aof_batch_header_format(uint8_t out[AOF_BATCH_HEADER_BYTES], uint64_t seq, size_t len,
                             uint32_t crc);
/* Writes the header line for batch seq whose bytes are data[0..len)
 * (borrowed for the call): aof_batch_header_format with their CRC. */
void aof_batch_header(uint8_t out[AOF_BATCH_HEADER_BYTES], uint64_t seq, const void *data,
                      size_t len);

/* Whether the bytes at p (avail of them) start with the header prefix: a
 * line that claims to be a batch header, well-formed or not. */
bool aof_batch_is_header(const char *p, size_t avail);
/* Parses a header line: line[0..line_len), newline included. True, with
 * *out filled, when line_len is AOF_BATCH_HEADER_BYTES and the line is
 * exactly what aof_batch_header_format writes (lowercase hex, seq >= 1). */
bool aof_batch_parse_header(const char *line, size_t line_len, struct aof_batch_header *out);

/* Fills dst[0..len) with one padding line, '#' then spaces then '\n', for
 * AOF_BATCH_PAD_BYTES_MIN <= len <= AOF_BATCH_PAD_BYTES_MAX (asserted). The
 * log writer's fill callback (uring/log_writer.h). */
void aof_batch_fill(uint8_t *dst, size_t len);
/* Whether line[0..line_len), newline included, is a padding line as
 * aof_batch_fill writes them. */
bool aof_batch_is_padding(const char *line, size_t line_len);

#endif
