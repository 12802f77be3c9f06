/* unit.h: what every unit test under tests/<library>/ shares: a cheap
 * check for hot loops, a seeded random generator that says its seed, and
 * the suite's main.
 *
 * Header-only, so a unit test still links only its library plus check
 * (STYLE.md section 8); everything here is a macro or a static inline
 * function, and a test that uses only part of it pays for nothing else.
 * tests/blackbox/ has its own harness and does not use this file. */
#ifndef RINGKV_TESTS_UNIT_H
#define RINGKV_TESTS_UNIT_H

#include <assert.h>
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A passing ck_assert records its location with a write(2); over the
 * millions of checks in the model loops that made suites several times
 * slower, so hot paths use this instead, which reaches check only on
 * failure. It fails the current test with the file, line and expression. */
#define TEST_CHECK(expr)                                                        \
    do {                                                                        \
        if (!(expr))                                                            \
            ck_abort_msg("%s:%d: check failed: %s", __FILE__, __LINE__, #expr); \
    } while (0)

/* ---- Random numbers ---- */

/* Replaces every test_rng_init's default seed when set, so a failure seen
 * once can be run again: test_rng_init prints the seed it used. Decimal or
 * 0x-prefixed hex. */
#define TEST_RNG_SEED_ENV "RINGKV_TEST_SEED"

/* xorshift64 (Marsaglia, shifts 13, 7, 17): tiny, fast, and the generator
 * every unit test used before this header, so each test's default seed
 * still draws the sequence it always drew. Not for anything but tests. */
struct test_rng {
    uint64_t seed;  /* what test_rng_init was given or read; printed */
    uint64_t state; /* 0 until seeded, never after: 0 is xorshift's fixed point */
};

/* Seeds rng with default_seed, or with $RINGKV_TEST_SEED when that is set,
 * and prints the seed to stderr. Seed 0 runs as 1, as the old copies did,
 * because xorshift would return 0 for ever. A malformed RINGKV_TEST_SEED
 * fails the test rather than silently running some other seed. Borrows
 * rng for the call; the caller owns it. */
static inline void test_rng_init(struct test_rng *rng, uint64_t default_seed)
{
    uint64_t seed = default_seed;
    const char *text = getenv(TEST_RNG_SEED_ENV);
    bool from_env = text != NULL && text[0] != '\0';
    if (from_env) {
        char *end = NULL;
        errno = 0;
        unsigned long long parsed = strtoull(text, &end, 0);
        if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
            ck_abort_msg("%s=%s: not a 64-bit unsigned number", TEST_RNG_SEED_ENV, text);
        seed = (uint64_t)parsed;
    }
    rng->seed = seed;
    rng->state = seed != 0 ? seed : 1;
    fprintf(stderr, "test_rng: seed 0x%llx%s (replay: %s=0x%llx)\n", (unsigned long long)seed,
            from_env ? ", from the environment" : "", TEST_RNG_SEED_ENV,
            (unsigned long long)seed);
}

/* Returns the next 64 random bits. rng must have been through
 * test_rng_init: a zero state means it never was (check forks each test
 * from a parent that seeds nothing), and would draw only zeros. */
static inline uint64_t test_rng_next(struct test_rng *rng)
{
    assert(rng->state != 0);
    uint64_t x = rng->state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng->state = x;
    return x;
}

/* Returns a number in [0, n). Plain modulo, slightly biased for an n that
 * does not divide 2^64, which no test cares about; kept because the old
 * copies did the same and tests' sequences depend on it. */
static inline uint64_t test_rng_below(struct test_rng *rng, uint64_t n)
{
    assert(n > 0);
    return test_rng_next(rng) % n;
}

/* ---- The suite's main ---- */

/* Runs every test in suite with check's default fork mode (each test in
 * its own process, so a crash or an abort fails one test, not the run;
 * CK_FORK=no in the environment turns that off for a debugger) and
 * CK_NORMAL output, which lists only the failures. CK_RUN_SUITE and
 * CK_RUN_CASE narrow the run. Takes ownership of suite (the runner frees
 * it). Returns EXIT_SUCCESS or EXIT_FAILURE for main to return; a test
 * that must skip first (no io_uring) returns 77 before calling this. */
static inline int test_suite_run(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The whole main of a unit test whose suite needs nothing checked first:
 * suite_fn is a `Suite *(void)` that builds it. */
#define TEST_SUITE_MAIN(suite_fn)          \
    int main(void)                         \
    {                                      \
        return test_suite_run(suite_fn()); \
    }

#endif
