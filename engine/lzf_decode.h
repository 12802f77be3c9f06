/* lzf_decode.h: decoding liblzf's compressed format (RDB strings).
 *
 * The stream is a sequence of
 *   - a control byte below 32: a run of control + 1 literal bytes;
 *   - any other: a back reference of (control >> 5) + 2 bytes (when those
 *     3 bits are 7, the next byte adds to the length), at a distance of
 *     ((control & 31) << 8 | the next byte) + 1 behind the output. */
#ifndef RINGKV_ENGINE_LZF_DECODE_H
#define RINGKV_ENGINE_LZF_DECODE_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes in[0..in_len) into out[0..out_len) (both borrowed). Returns
 * whether the stream decodes to exactly out_len bytes; never reads or
 * writes outside either buffer (out's contents are unspecified on false). */
bool lzf_decode(const void *in, size_t in_len, void *out, size_t out_len);

#endif
