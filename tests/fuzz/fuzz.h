/* fuzz.h: what every libFuzzer target in tests/fuzz/ shares.
 *
 * FUZZ_REQUIRE states a property the code under test promises; a broken
 * one prints where and aborts, which libFuzzer reports as a crash and
 * saves the input for. Targets never call exit, free everything they
 * allocate (the leak check is on) and draw no randomness of their own. */
#ifndef RINGKV_TESTS_FUZZ_FUZZ_H
#define RINGKV_TESTS_FUZZ_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_REQUIRE(cond)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
