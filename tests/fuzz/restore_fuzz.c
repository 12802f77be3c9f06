/* restore_fuzz.c: libFuzzer target for RESTORE's payload decoding
 * (rdb_restore_value in engine/rdb_decode.c) and DUMP's encoding
 * (rdb_dump_value in engine/rdb_encode.c).
 * fuzz-links: engine
 *
 * The input is a DUMP payload (type byte | value | version | CRC-64), the
 * format of tests/fuzz/corpus/rdb_value/, whose seeds it shares. The CRC
 * is not checked (a fuzzer cannot forge one; RESTORE checks it before the
 * decoder runs), so every input reaches the decoder. Properties: nothing
 * is read outside the input and nothing leaks or crashes; a payload that
 * decodes dumps to a payload that decodes too, with a valid checksum, and
 * after one normalising round the encoding is a fixed point. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/kv.h"
#include "engine/rdb.h"
#include "tests/fuzz/fuzz.h"

static const struct encoding_limits fuzz_limits = {
    .hash_max_listpack_entries = 128,
    .hash_max_listpack_value = 64,
    .list_max_listpack_size = -2,
    .set_max_intset_entries = 512,
    .zset_max_listpack_entries = 128,
    .zset_max_listpack_value = 64,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    uint8_t *payload = malloc(size ? size : 1);
    FUZZ_REQUIRE(payload != NULL);
    memcpy(payload, data, size);
    struct kv *kv;
    enum rdb_restore_result rc =
        rdb_restore_value(payload, size, "k", 1, &fuzz_limits, true, &kv, NULL);
    free(payload);
    if (rc != RDB_RESTORE_OK) {
        FUZZ_REQUIRE(kv == NULL);
        return 0;
    }
    FUZZ_REQUIRE(kv != NULL);
    /* The first re-encoding may normalise what the input spelled its own
     * way (a -0 score that passed through a listpack); from there on a
     * dump restores to a value that dumps to the same bytes. */
    struct rdb_buffer first = {0}, second = {0}, third = {0};
    rdb_dump_value(kv, true, &first);
    struct kv *again, *third_kv;
    FUZZ_REQUIRE(rdb_restore_value(first.data, first.len, "k", 1, &fuzz_limits, false, &again,
                                   NULL) == RDB_RESTORE_OK);
    FUZZ_REQUIRE(again->type == kv->type);
    rdb_dump_value(again, true, &second);
    FUZZ_REQUIRE(rdb_restore_value(second.data, second.len, "k", 1, &fuzz_limits, false,
                                   &third_kv, NULL) == RDB_RESTORE_OK);
    FUZZ_REQUIRE(third_kv->type == kv->type && third_kv->encoding == again->encoding);
    rdb_dump_value(third_kv, true, &third);
    /* Hash tables may iterate in another order after a rebuild: only the
     * ordered encodings must repeat byte for byte. */
    bool ordered = again->encoding != KV_ENC_HASHTABLE;
    FUZZ_REQUIRE(!ordered || (second.len == third.len &&
                              memcmp(second.data, third.data, second.len) == 0));
    rdb_buffer_free(&first);
    rdb_buffer_free(&second);
    rdb_buffer_free(&third);
    kv_free(kv);
    kv_free(again);
    kv_free(third_kv);
    return 0;
}
