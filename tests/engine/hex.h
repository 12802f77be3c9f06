/* hex.h: test_hex_decode, for engine tests whose inputs are blobs written
 * out in hex (listpacks, intsets, stream nodes captured from redis-server). */
#ifndef RINGKV_TESTS_ENGINE_HEX_H
#define RINGKV_TESTS_ENGINE_HEX_H

#include <stdio.h>
#include <string.h>

#include "engine/alloc.h"
#include "tests/unit.h"

/* The bytes hex spells (an even number of hex digits), in an allocation
 * of the engine's (alloc_bytes, one byte more than *len) that the caller
 * owns. */
static inline unsigned char *test_hex_decode(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    TEST_CHECK(n % 2 == 0);
    unsigned char *out = alloc_bytes(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        TEST_CHECK(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (unsigned char)v;
    }
    *len = n / 2;
    return out;
}

#endif
