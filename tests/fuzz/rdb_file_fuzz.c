/* rdb_file_fuzz.c: libFuzzer target for the RDB loader (engine/rdb_decode.c:
 * rdb_load) over whole files.
 * fuzz-links: engine
 *
 * The input is a dump.rdb. rdb_check.h loads it through a memory source
 * and a chunked one, walks every value, and saves and reloads what loaded;
 * then loads it again with deep validation skipped (a trusted file's
 * load). Mutated files rarely keep a matching CRC-64, so most shallow
 * loads end at the trailer: the loader's own walks run before it, which
 * is what this target checks in that mode (rdb_value_fuzz.c gets a right
 * CRC-64 on every input).
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
