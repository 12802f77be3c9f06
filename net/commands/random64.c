/* random64.c: 64-bit random numbers for the commands (see random64.h).
 *
 * Owns nothing but the widening: random() gives 31 bits, so three calls
 * cover 64. Seeding is the server's. */
#include <stdlib.h>

#include "net/commands/random64.h"

uint64_t random64_next(void)
{
    uint64_t r = (uint64_t)random();
    r = (r << 31) ^ (uint64_t)random();
    r = (r << 31) ^ (uint64_t)random();
    return r;
}
