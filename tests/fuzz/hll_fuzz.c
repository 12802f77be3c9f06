/* hll_fuzz.c: libFuzzer target for HyperLogLog values from outside
 * (engine/hll.c). A client can SET any bytes and then PFCOUNT, PFADD,
 * PFMERGE or PFDEBUG them, and an RDB file or a RESTORE payload brings
 * strings the same way: every walk of such a value must stay inside it and
 * report corruption instead of reading past it.
 * fuzz-links: engine
 *
 * The input is the value, copied into an allocation of exactly its size
 * (plus the room hll_sparse_set asks for, as the command layer gives it).
 * Each value that passes hll_is_valid is counted, merged, described (when
 * sparse), converted to dense, and has registers raised, the way the
 * commands do it; the results must agree with each other:
 *   - count and merge agree on whether a sparse value is corrupt;
 *   - a sparse value that converts to dense has the merge's registers;
 *   - a set into a valid sparse value keeps it valid and never shrinks a
 *     register. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/hll.h"
#include "tests/fuzz/fuzz.h"

/* Registers raised per input: a few, picked from the input's bytes. */
#define HLL_FUZZ_SETS 4

static void check_sets(const uint8_t *data, size_t size)
{
    size_t len = size;
    uint8_t *p = malloc(size + HLL_SPARSE_SET_ROOM * HLL_FUZZ_SETS);
    FUZZ_REQUIRE(p != NULL);
    memcpy(p, data, size);
    for (int i = 0; i < HLL_FUZZ_SETS; i++) {
        uint32_t index = (uint32_t)(data[(size_t)i * 7 % size] * 131u + (unsigned)i * 4099u) %
                         HLL_REGISTERS;
        unsigned count = 1 + data[(size_t)i * 3 % size] % 40;
        enum hll_set_result r = hll_sparse_set(p, &len, index, count, HLL_SPARSE_MAX_BYTES_DEFAULT);
        if (r == HLL_SET_INVALID || r == HLL_SET_PROMOTE)
            break;
        FUZZ_REQUIRE(len <= size + HLL_SPARSE_SET_ROOM * (size_t)(i + 1));
        FUZZ_REQUIRE(hll_is_valid(p, len));
        uint8_t *dense = malloc(HLL_DENSE_BYTES);
        FUZZ_REQUIRE(dense != NULL);
        if (hll_sparse_to_dense(p, len, dense))
            FUZZ_REQUIRE(hll_dense_get(dense + HLL_HEADER_BYTES, index) >= count);
        free(dense);
    }
    free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *value = malloc(size ? size : 1);
    FUZZ_REQUIRE(value != NULL);
    if (size > 0)
        memcpy(value, data, size);
    if (!hll_is_valid(value, size)) {
        free(value);
        return 0;
    }
    bool invalid = false;
    uint64_t card = hll_count(value, size, &invalid);
    uint8_t *max = calloc(HLL_REGISTERS, 1);
    FUZZ_REQUIRE(max != NULL);
    bool merged = hll_merge(max, value, size);
    FUZZ_REQUIRE(merged == !invalid);
    if (merged)
        FUZZ_REQUIRE(hll_count_registers(max) == card || hll_encoding_of(value) == HLL_ENC_DENSE);
    if (hll_encoding_of(value) == HLL_ENC_SPARSE) {
        size_t text_len = 0;
        char *text = hll_sparse_describe(value, size, &text_len);
        if (text != NULL)
            alloc_free(text);
        uint8_t *dense = malloc(HLL_DENSE_BYTES);
        FUZZ_REQUIRE(dense != NULL);
        if (hll_sparse_to_dense(value, size, dense)) {
            FUZZ_REQUIRE(merged);
            for (uint32_t i = 0; i < HLL_REGISTERS; i++)
                FUZZ_REQUIRE(hll_dense_get(dense + HLL_HEADER_BYTES, i) == max[i]);
        }
        free(dense);
        if (!invalid)
            check_sets(value, size);
    }
    free(max);
    free(value);
    return 0;
}
