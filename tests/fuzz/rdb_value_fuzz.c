/* rdb_value_fuzz.c: libFuzzer target for the RDB loader (engine/rdb_decode.c)
 * fed one value at a time, the way a DUMP payload reaches it.
 * fuzz-links: engine
 *
 * The input is a DUMP payload as Redis 7.0 writes it:
 *
 *     type byte | value | RDB version (uint16 LE) | CRC-64 (8 bytes)
 *
 * engine/rdb_decode.c loads values only as part of a file, so the payload is
 * wrapped into the smallest file holding it: "REDIS<version>", the type,
 * the key "k", the value, EOF and a correct CRC-64 (versions 5 and up).
 * The payload's own CRC is not checked: a RESTORE checks it before the
 * loader runs, so only payloads with a good CRC ever reach the loader, and
 * a fuzzer cannot forge one. What RESTORE refuses before loading (a
 * version the loader cannot read, an opcode in place of a type) is skipped.
 * rdb_check.h then loads, walks, saves and reloads it, deep and shallow:
 * with its CRC-64 always right, every value also reaches the loader the
 * way a trusted file's do (sanitize-dump-payload no), where only the blobs'
 * headers are checked and the loader's own walks must hold the bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/crc64.h"
#include "tests/fuzz/rdb_check.h"

/* Version + CRC-64. */
#define FUZZ_DUMP_FOOTER_BYTES 10
/* "REDISvvvv" + type + key "\x01k" + EOF + CRC-64. */
#define FUZZ_WRAP_BYTES (RDB_MAGIC_BYTES + 1 + 2 + 1 + 8)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + FUZZ_DUMP_FOOTER_BYTES)
        return 0;
    size_t value_len = size - 1 - FUZZ_DUMP_FOOTER_BYTES;
    const uint8_t *footer = data + 1 + value_len;
    unsigned version = footer[0] | (unsigned)footer[1] << 8;
    unsigned char type = data[0];
    if (version < 1 || version > RDB_VERSION_LOAD_MAX || type >= RDB_OPCODE_SLOT_INFO)
        return 0;

    unsigned char *file = malloc(value_len + FUZZ_WRAP_BYTES);
    FUZZ_REQUIRE(file != NULL);
    char magic[RDB_MAGIC_BYTES + 1];
    snprintf(magic, sizeof(magic), "REDIS%04u", version);
    size_t n = 0;
    memcpy(file, magic, RDB_MAGIC_BYTES);
    n += RDB_MAGIC_BYTES;
    file[n++] = type;
    file[n++] = 1;
    file[n++] = 'k';
    memcpy(file + n, data + 1, value_len);
    n += value_len;
    file[n++] = RDB_OPCODE_EOF;
    if (version >= 5) {
        uint64_t crc = crc64_update(CRC64_INIT, file, n);
        for (int i = 0; i < 8; i++)
            file[n++] = (unsigned char)(crc >> (8 * i));
    }
    fuzz_rdb_check(file, n, (unsigned)(size % 6));
    free(file);
    return 0;
}
