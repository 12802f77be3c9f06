/* random64.h: the 64-bit random numbers the commands pick with (RANDOMKEY,
 * SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER), passed to the engine's
 * random pickers (db_random, set_random, hash_random_pairs). */
#ifndef RINGKV_NET_COMMANDS_RANDOM64_H
#define RINGKV_NET_COMMANDS_RANDOM64_H

#include <stdint.h>

/* Returns 64 random bits from random(), which the server seeds. */
uint64_t random64_next(void);

#endif
