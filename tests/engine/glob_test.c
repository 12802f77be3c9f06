/* glob_test.c: glob_match against Redis 7.0's stringmatchlen.
 *
 * Most expectations were read off a real redis-server 7.0.15: KEYS for the
 * case-sensitive cases and CONFIG GET for the case-insensitive ones, so the
 * quirks (open classes, "[a-]", signed ranges, the star nesting limit) are
 * Redis's observed behaviour, not a guess. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "engine/alloc.h"
#include "engine/glob.h"
#include "tests/unit.h"

struct glob_case {
    const char *pattern;
    const char *s;
    bool nocase;
    bool expected;
};

static bool match(const char *pattern, const char *s, bool nocase)
{
    return glob_match(pattern, strlen(pattern), s, strlen(s), nocase);
}

static void check_cases(const struct glob_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const struct glob_case *c = &cases[i];
        ck_assert_msg(match(c->pattern, c->s, c->nocase) == c->expected,
                      "pattern '%s' string '%s' nocase %d: expected %d", c->pattern, c->s,
                      c->nocase, c->expected);
    }
}

#define CHECK_CASES(cases) check_cases(cases, sizeof(cases) / sizeof(cases[0]))

START_TEST(test_basics)
{
    static const struct glob_case cases[] = {
        {"", "", false, true},
        {"", "a", false, false},
        {"a", "", false, false},
        {"abc", "abc", false, true},
        {"abc", "abd", false, false},
        {"abc", "ab", false, false},
        {"ab", "abc", false, false},
        {"h?llo", "hello", false, true},
        {"h?llo", "hallo", false, true},
        {"h?llo", "hllo", false, false},
        {"h*llo", "hllo", false, true},
        {"h*llo", "heeeello", false, true},
        {"h*llo", "hellox", false, false},
        {"h[ae]llo", "hello", false, true},
        {"h[ae]llo", "hallo", false, true},
        {"h[ae]llo", "hillo", false, false},
        {"h[^e]llo", "hallo", false, true},
        {"h[^e]llo", "hello", false, false},
        {"h[a-b]llo", "hallo", false, true},
        {"h[a-b]llo", "hbllo", false, true},
        {"h[a-b]llo", "hcllo", false, false},
        {"*e*l*o", "heeeello", false, true},
        {"*e*l*o", "hallo", false, false},
        {"*", "anything", false, true},
        {"a*", "a", false, true},
        {"a*b", "a", false, false},
        {"*a", "ba", false, true},
        {"*a", "ab", false, false},
        {"a*b*c", "aXbYc", false, true},
        {"a*b*c", "aXbYcZ", false, false},
        {"a*b*c*", "aXbYcZ", false, true},
        {"?*", "x", false, true},
        {"*?", "x", false, true},
        {"*??", "x", false, false},
    };
    CHECK_CASES(cases);
}
END_TEST

/* Redis never enters its loop for an empty string, so only "" matches it. */
START_TEST(test_empty_string)
{
    ck_assert(!match("*", "", false));
    ck_assert(!match("**", "", false));
    ck_assert(!match("?", "", false));
    ck_assert(!match("[^a]", "", false));
    ck_assert(match("", "", true));
}
END_TEST

START_TEST(test_escapes)
{
    static const struct glob_case cases[] = {
        {"a\\*b", "a*b", false, true},
        {"a\\*b", "axb", false, false},
        {"a\\\\b", "a\\b", false, true},
        {"a\\?", "a?", false, true},
        {"a\\?", "ab", false, false},
        {"\\[a]", "[a]", false, true},
        {"\\[a]", "a", false, false},
        {"\\", "\\", false, true},     /* a trailing backslash is literal */
        {"x\\", "x\\", false, true},
        {"x\\", "x", false, false},
        {"[\\]]", "]", false, true},
        {"[\\]]", "\\", false, false},
        {"[\\-]", "-", false, true},
        {"\\a", "A", true, true},      /* escapes outside a class follow nocase */
    };
    CHECK_CASES(cases);
}
END_TEST

/* Classes, including the malformed ones, exactly as KEYS returned them. */
START_TEST(test_classes)
{
    static const struct glob_case cases[] = {
        {"[]", "]", false, false},   /* an empty class never matches */
        {"[]", "x", false, false},
        {"[]]", "]", false, false},
        {"[]]", "x]", false, false},
        {"[^]", "x", false, true},
        {"[^]", "]", false, true},
        {"[", "[", false, false},    /* an open class matches nothing */
        {"[", "a", false, false},
        {"[^", "a", false, true},
        {"[^", "^", false, true},
        {"[a", "a", false, true},    /* ends at the end of the pattern */
        {"[a", "b", false, false},
        {"a[a-", "aa", false, true}, /* "a-" at the end is no range */
        {"a[a-", "a-", false, true},
        {"a[a-", "ab", false, false},
        {"[a-]", "a", false, true},  /* the range ']'..'a' */
        {"[a-]", "]", false, true},
        {"[a-]", "^", false, true},
        {"[a-]", "_", false, true},
        {"[a-]", "`", false, true},
        {"[a-]", "-", false, false},
        {"[a-]", "b", false, false},
        {"[x-]", "b", false, true},
        {"[x-]", "x", false, true},
        {"[x-]", "y", false, false},
        {"*[a-]", "aaa", false, true},
        {"[z-a]", "a", false, true}, /* reversed ranges are swapped */
        {"[z-a]", "x", false, true},
        {"[z-a]", "-", false, false},
        {"[a-\\xe9]", "\\", false, true}, /* the range a..'\' then x, e, 9 */
        {"[a-\\xe9]", "_", false, true},
        {"[a-\\xe9]", "e", false, true},
        {"[a-\\xe9]", "9", false, true},
        {"[a-\\xe9]", "b", false, false},
        {"[abc]", "abc", false, false},
        {"[^abc]x", "dx", false, true},
        {"[^abc]x", "ax", false, false},
    };
    CHECK_CASES(cases);
}
END_TEST

/* Range bounds are signed chars in Redis on x86-64. */
START_TEST(test_high_bytes)
{
    static const struct glob_case cases[] = {
        {"[a-\xe9]", "\xe9", false, true}, /* -23..97 after the swap */
        {"[a-\xe9]", "a", false, true},
        {"[a-\xe9]", "-", false, true},
        {"[a-\xe9]", "X", false, true},
        {"[a-\xe9]", "b", false, false},
        {"[a-\xe9]", "\x7f", false, false},
        {"[\x80-\xff]", "\xe9", false, true},
        {"[\x80-\xff]", "a", false, false},
        {"[\x80-\xff]", "\x7f", false, false},
        {"\xe9*", "\xe9t\xe9", false, true},
        {"?", "\xff", false, true},
    };
    CHECK_CASES(cases);
}
END_TEST

/* CONFIG GET's case-insensitive matching, as observed through it. */
START_TEST(test_nocase)
{
    static const struct glob_case cases[] = {
        {"PORT*", "port", true, true},
        {"PORT*", "port", false, false},
        {"[A-z]ort", "port", true, true},
        {"[A-Z]ort", "port", true, true},
        {"[P]ort", "port", true, true},
        {"[^P]ort", "port", true, false},
        {"[O-P]ort", "port", true, true},
        {"[\\P]ort", "port", true, false}, /* escaped class members keep case */
        {"[\\p]ort", "port", true, true},
        {"p[\\O]rt", "port", true, false},
        {"p[O]rt", "port", true, true},
        {"[A-z]", "_", false, true},       /* 'A'..'z' holds '_' ... */
        {"[A-z]", "_", true, false},       /* ... but 'a'..'z' does not */
        {"HeLLo", "hello", true, true},
        {"h?LLO", "HELLO", true, true},
    };
    CHECK_CASES(cases);
}
END_TEST

static char *repeat(const char *unit, int times)
{
    size_t unit_len = strlen(unit);
    char *out = alloc_bytes(unit_len * (size_t)times + 2);
    for (int i = 0; i < times; i++)
        memcpy(out + unit_len * (size_t)i, unit, unit_len);
    out[unit_len * (size_t)times] = '\0';
    return out;
}

/* Checked with KEYS on redis-server 7.0.15: 1000 stars match, a 1001st
 * non-trailing star makes the whole match fail, a trailing one does not. */
START_TEST(test_nesting_limit)
{
    char *p1000 = repeat("*a", 1000);
    char *p1001 = repeat("*a", 1001);
    char *a1000 = repeat("a", 1000);
    char *a1001 = repeat("a", 1001);
    ck_assert(match(p1000, a1000, false));
    ck_assert(match(p1000, a1001, false));
    ck_assert(!match(p1001, a1001, false));
    size_t len = strlen(p1000);
    p1000[len] = '*';
    p1000[len + 1] = '\0';
    ck_assert(match(p1000, a1001, false)); /* the 1001st star is trailing */
    ck_assert(match(p1000, a1000, false));
    alloc_free(p1000);
    alloc_free(p1001);
    alloc_free(a1000);
    alloc_free(a1001);
}
END_TEST

/* Consecutive stars count once, so a long run of them is no deeper. */
START_TEST(test_star_runs)
{
    char *stars = repeat("*", 5000);
    char *pattern = alloc_bytes(strlen(stars) + 3);
    strcpy(pattern, stars);
    strcat(pattern, "b");
    ck_assert(match(pattern, "aaab", false));
    ck_assert(!match(pattern, "aaa", false));
    alloc_free(stars);
    alloc_free(pattern);
}
END_TEST

/* Patterns that made naive matchers exponential finish at once. */
START_TEST(test_pathological)
{
    char *s = repeat("a", 20000);
    ck_assert(!match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s, false));
    ck_assert(match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", s, false));
    char *p = repeat("*?", 900);
    ck_assert(!match(p, "ab", false));
    ck_assert(match(p, s, false));
    alloc_free(s);
    alloc_free(p);
}
END_TEST

/* Lengths, not NULs, bound both inputs. */
START_TEST(test_lengths)
{
    ck_assert(glob_match("a*", 2, "ab\0c", 4, false));
    ck_assert(!glob_match("a\0", 2, "a", 1, false));
    ck_assert(glob_match("a\0", 2, "a\0", 2, false));
    ck_assert(glob_match("abc", 1, "a", 1, false));
    ck_assert(glob_match(NULL, 0, NULL, 0, false));
    ck_assert(glob_match("[abc", 4, "c", 1, false));
}
END_TEST

START_TEST(test_null_pattern_with_length_aborts)
{
    glob_match(NULL, 3, "abc", 3, false);
}
END_TEST

static Suite *glob_suite(void)
{
    Suite *s = suite_create("glob");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_basics);
    tcase_add_test(tc, test_empty_string);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_classes);
    tcase_add_test(tc, test_high_bytes);
    tcase_add_test(tc, test_nocase);
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_star_runs);
    tcase_add_test(tc, test_pathological);
    tcase_add_test(tc, test_lengths);
    tcase_add_test_raise_signal(tc, test_null_pattern_with_length_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

TEST_SUITE_MAIN(glob_suite)
