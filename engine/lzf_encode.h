/* lzf_encode.h: compressing into liblzf's format (RDB strings). */
#ifndef RINGKV_ENGINE_LZF_ENCODE_H
#define RINGKV_ENGINE_LZF_ENCODE_H

#include <stddef.h>

/* Compresses in[0..in_len) into out[0..out_max) (both borrowed). Returns
 * the compressed length, or 0 when it would not fit in out_max (or the
 * input is empty): then nothing useful is in out. Any LZF decoder (liblzf's
 * lzf_decompress, lzf_decode) gives back the input from the result. */
size_t lzf_encode(const void *in, size_t in_len, void *out, size_t out_max);

#endif
