/* aof_reader_fuzz.c: libFuzzer target for the AOF reader
 * (engine/aof_reader.c).
 * fuzz-links: engine
 *
 * The input is one AOF file. It is read to the end twice: with the default
 * argument ceiling and with a tiny one. A file that starts with an RDB
 * preamble is loaded as the server loads one (rdb_load over the preamble,
 * then aof_reader_skip_to past it). Besides ASan/UBSan and the reader's
 * asserts, the target checks what aof_reader.h promises: argv spans lie in
 * the file, valid_end <= pos <= len, a final result repeats, and cutting
 * the file at valid_end leaves a file that reads to a clean EOF (or
 * to the preamble, for an RDB base) with the same commands and the same
 * last batch. Random bytes almost never carry a matching CRC-32C, so each
 * input is read a second time with the CRC of every well-formed batch
 * header recomputed over the bytes it covers: the records inside batches
 * get fuzzed too. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/aof_batch.h"
#include "engine/aof_reader.h"
#include "engine/db.h"
#include "engine/rdb.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_BULK_SMALL 16
#define FUZZ_AOF_DATABASES 16

/* Loads the RDB preamble at the start of buf; returns its length, or 0
 * when it does not load. */
static size_t preamble_bytes(const char *buf, size_t len)
{
    struct keyspace ks;
    struct rdb_source src;
    struct rdb_load_info info;
    keyspace_init(&ks, FUZZ_AOF_DATABASES);
    rdb_source_init_memory(&src, buf, len);
    struct rdb_load_options opt = {.limits = &ks.limits, .keep_expired = true};
    enum rdb_load_result r = rdb_load(&src, &ks, &opt, &info);
    rdb_source_free(&src);
    keyspace_free(&ks);
    return r == RDB_LOAD_OK ? (size_t)info.bytes : 0;
}

/* Reads buf[0..len) to the end. Returns the final result; *commands and
 * *valid_end tell how many commands came and where the valid prefix ends. */
static enum aof_read_result read_all(const char *buf, size_t len, size_t bulk_max,
                                     size_t *commands, size_t *valid_end, uint64_t *batch_seq)
{
    struct aof_reader r;
    enum aof_read_result result;
    aof_reader_init(&r, buf, len, bulk_max);
    *commands = 0;
    while ((result = aof_reader_next(&r)) == AOF_READ_COMMAND || result == AOF_READ_RDB) {
        if (result == AOF_READ_RDB) {
            size_t skip = preamble_bytes(buf, len);
            if (skip == 0)
                break;
            aof_reader_skip_to(&r, skip);
            continue;
        }
        FUZZ_REQUIRE(r.argc >= 1);
        FUZZ_REQUIRE(r.valid_end <= r.pos);
        FUZZ_REQUIRE(r.pos <= len);
        for (size_t i = 0; i < r.argc; i++) {
            FUZZ_REQUIRE(r.argv[i].len <= bulk_max);
            FUZZ_REQUIRE(r.argv[i].ptr >= buf);
            FUZZ_REQUIRE(r.argv[i].ptr + r.argv[i].len <= buf + r.pos);
        }
        (*commands)++;
    }
    FUZZ_REQUIRE(r.valid_end <= r.pos);
    FUZZ_REQUIRE(r.pos <= len);
    if (result == AOF_READ_TRUNCATED || result == AOF_READ_CORRUPT || result == AOF_READ_TORN) {
        FUZZ_REQUIRE(r.reason[0] != '\0');
        FUZZ_REQUIRE(r.error_offset <= len);
    }
    FUZZ_REQUIRE(r.valid_batch_seq <= r.batch_seq);
    FUZZ_REQUIRE(r.batch_seq <= r.batches);
    FUZZ_REQUIRE(aof_reader_next(&r) == result); /* final results repeat */
    *valid_end = r.valid_end;
    *batch_seq = r.valid_batch_seq;
    aof_reader_free(&r);
    return result;
}

static void check(const char *buf, size_t len, size_t bulk_max)
{
    size_t commands, valid_end;
    uint64_t batch_seq;
    enum aof_read_result result = read_all(buf, len, bulk_max, &commands, &valid_end, &batch_seq);
    if (result != AOF_READ_TRUNCATED && result != AOF_READ_EOF && result != AOF_READ_TORN)
        return;
    /* What --fix and the server's repair would leave: it must read cleanly,
     * ending with the same batch. */
    size_t commands_cut, valid_end_cut;
    uint64_t batch_seq_cut;
    enum aof_read_result cut =
        read_all(buf, valid_end, bulk_max, &commands_cut, &valid_end_cut, &batch_seq_cut);
    FUZZ_REQUIRE(cut == AOF_READ_EOF);
    FUZZ_REQUIRE(valid_end_cut == valid_end);
    FUZZ_REQUIRE(commands_cut <= commands);
    FUZZ_REQUIRE(batch_seq_cut == batch_seq);
}

/* A copy of data with every well-formed batch header's CRC made to match
 * the bytes it covers, the last header first (a batch may cover a later
 * header). Returns owned bytes, or NULL when data has no header at all. */
static char *with_matching_crcs(const uint8_t *data, size_t size)
{
    char *copy = NULL;
    if (size < AOF_BATCH_HEADER_BYTES)
        return NULL;
    for (size_t at = size - AOF_BATCH_HEADER_BYTES + 1; at-- > 0;) {
        if (data[at] != '#' || !aof_batch_is_header((const char *)data + at, size - at))
            continue;
        if (copy == NULL) {
            copy = alloc_bytes(size);
            memcpy(copy, data, size);
        }
        struct aof_batch_header h;
        size_t start = at + AOF_BATCH_HEADER_BYTES;
        if (aof_batch_parse_header(copy + at, AOF_BATCH_HEADER_BYTES, &h) && h.len <= size - start)
            aof_batch_header((uint8_t *)copy + at, h.seq, copy + start, h.len);
    }
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check((const char *)data, size, AOF_READER_BULK_BYTES_DEFAULT);
    check((const char *)data, size, FUZZ_BULK_SMALL);
    char *fixed = with_matching_crcs(data, size);
    if (fixed != NULL) {
        check(fixed, size, AOF_READER_BULK_BYTES_DEFAULT);
        alloc_free(fixed);
    }
    return 0;
}
