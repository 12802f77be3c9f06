/* rdb_file_fuzz.c: libFuzzer target for the RDB loader (engine/rdb_decode.c:
 * rdb_load) over whole files.
 * fuzz-links: engine
 *
 * The input is a dump.rdb. rdb_check.h loads it through a memory source
 * and a chunked one, walks every value, and saves and reloads what loaded.
 * The input's length modulo 6 picks the encoding limits (defaults, tiny,
 * or a mix) and whether keys already expired are kept, so that one corpus
 * reaches every conversion path. */
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/rdb_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rdb_check(data, size, (unsigned)(size % 6));
    return 0;
}
