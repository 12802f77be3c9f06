/* library_codes.h: the source texts of function libraries, as the RDB
 * (RDB_OPCODE_FUNCTION2 records) and an AOF rewrite (FUNCTION LOAD
 * records) carry them.
 *
 * The engine writes and reads these texts without knowing their language:
 * net/commands/ keeps the list current and compiles what a load hands it
 * back. */
#ifndef RINGKV_ENGINE_LIBRARY_CODES_H
#define RINGKV_ENGINE_LIBRARY_CODES_H

#include <stddef.h>

struct library_code {
    const char *code; /* borrowed from the library that owns it */
    size_t len;
};

/* A list whose owner keeps it valid while a save runs (a fork child sees
 * its own copy). */
struct library_codes {
    const struct library_code *items; /* borrowed array of count */
    size_t count;
};

#endif
