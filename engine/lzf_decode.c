/* lzf_decode.c: decoding liblzf's format, the one Redis writes for
 * rdbcompression.
 *
 * Owns the decoder only; compression stays with Debian's liblzf, whose
 * output Redis and ringkv share. Decoding is ours because liblzf copies
 * every byte singly, and its decoder was three quarters of loading a file
 * of small collections: this one copies literal runs and back references
 * a word or a fixed block at a time, and bounds every read and write by
 * the two buffers, so a damaged stream is refused, never followed out of
 * them. tests/engine/lzf_decode_test.c holds it to liblzf's own decoder on
 * valid and damaged streams. */
#include "engine/lzf_decode.h"

#include <string.h>

/* Bytes a literal run or a short reference may copy at once when both
 * buffers have room past it: a fixed-size copy beats an exact one, and the
 * extra bytes are overwritten by what follows. */
#define LZF_WIDE_COPY_BYTES 32
/* The unit of a reference's copy: references are short (3 to 264 bytes)
 * and often close behind (a repeated prefix a few entries back). */
#define LZF_WORD_BYTES 8

bool lzf_decode(const void *in_bytes, size_t in_len, void *out_bytes, size_t out_len)
{
    const unsigned char *in = in_bytes, *ip = in, *in_end = in + in_len;
    unsigned char *out = out_bytes, *op = out, *out_end = out + out_len;
    while (ip < in_end) {
        size_t ctrl = *ip++;
        if (ctrl < 32) {
            size_t run = ctrl + 1;
            if (run > (size_t)(in_end - ip) || run > (size_t)(out_end - op))
                return false;
            if ((size_t)(in_end - ip) >= LZF_WIDE_COPY_BYTES &&
                (size_t)(out_end - op) >= LZF_WIDE_COPY_BYTES)
                memcpy(op, ip, LZF_WIDE_COPY_BYTES);
            else
                memcpy(op, ip, run);
            op += run;
            ip += run;
            continue;
        }
        size_t len = ctrl >> 5;
        if (ip == in_end)
            return false;
        if (len == 7) {
            len += *ip++;
            if (ip == in_end)
                return false;
        }
        size_t distance = ((ctrl & 0x1f) << 8 | *ip++) + 1;
        len += 2;
        if (distance > (size_t)(op - out) || len > (size_t)(out_end - op))
            return false;
        const unsigned char *ref = op - distance;
        if (distance >= LZF_WORD_BYTES &&
            (size_t)(out_end - op) >= len + LZF_WORD_BYTES) {
            /* Word by word, the last word running past the reference's end
             * into bytes the next step overwrites. A word read lies wholly
             * before the word written, so overlap does no harm. */
            for (size_t i = 0; i < len; i += LZF_WORD_BYTES)
                memcpy(op + i, ref + i, LZF_WORD_BYTES);
        } else {
            for (size_t i = 0; i < len; i++) /* a short-period pattern, or the end */
                op[i] = ref[i];
        }
        op += len;
    }
    return op == out_end;
}
