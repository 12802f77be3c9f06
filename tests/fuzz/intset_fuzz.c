/* intset_fuzz.c: libFuzzer target for the intset validator
 * (engine/intset.c: intset_validate).
 * fuzz-links: engine
 *
 * The input is an intset blob, as it arrives in an RDB file (type 11) or a
 * DUMP payload, copied into an allocation of exactly its size. A blob that
 * passes must be what intset.h promises (a known width, values strictly
 * ascending), and every reader the set type uses must work on it: get,
 * find of each value and of its neighbours, random, and the changes a
 * command makes next (add, remove). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/intset.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *blob = malloc(size ? size : 1);
    FUZZ_REQUIRE(blob != NULL);
    if (size > 0)
        memcpy(blob, data, size);
    if (!intset_validate(blob, size)) {
        free(blob);
        return 0;
    }
    unsigned char *is = intset_from_bytes(blob, size);
    size_t length = intset_length(is);
    size_t width = intset_encoding(is);
    FUZZ_REQUIRE(length > 0);
    FUZZ_REQUIRE(width == 2 || width == 4 || width == 8);
    FUZZ_REQUIRE(intset_blob_bytes(is) == size);
    long long prev = 0, value;
    for (size_t i = 0; i < length; i++) {
        FUZZ_REQUIRE(intset_get(is, i, &value));
        FUZZ_REQUIRE(i == 0 || value > prev);
        FUZZ_REQUIRE(intset_find(is, value));
        if (value > prev + 1 && i > 0)
            FUZZ_REQUIRE(!intset_find(is, value - 1));
        prev = value;
    }
    FUZZ_REQUIRE(!intset_get(is, length, &value));
    (void)intset_random(is, size);
    bool changed;
    intset_get(is, 0, &value);
    is = intset_remove(is, value, &changed);
    FUZZ_REQUIRE(changed);
    FUZZ_REQUIRE(intset_length(is) == length - 1);
    is = intset_add(is, value, &changed);
    FUZZ_REQUIRE(changed);
    FUZZ_REQUIRE(intset_length(is) == length);
    FUZZ_REQUIRE(intset_blob_bytes(is) == size);
    FUZZ_REQUIRE(memcmp(is, blob, size) == 0);
    intset_free(is);
    free(blob);
    return 0;
}
