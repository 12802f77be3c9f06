/* glob.c: Redis-compatible glob matching for KEYS, SCAN MATCH and CONFIG GET.
 *
 * Owns only the matcher; callers choose case sensitivity (KEYS is exact,
 * CONFIG GET ignores case). The result must equal Redis 7.0's
 * stringmatchlen() for every input, quirks included, because clients see the
 * difference in which keys come back:
 *
 *   - A class that never closes ("[abc") ends at the end of the pattern.
 *   - "x-y" inside a class is a range even when y is the closing ']', so
 *     "[a-]" is the range ']'..'a'. Reversed ranges are swapped first.
 *   - Range bounds compare as signed chars (Redis on x86-64), so a range with
 *     a byte >= 0x80 at one end wraps through the negative values.
 *   - An escaped character inside a class is compared case-sensitively even
 *     when nocase is set; everything else honours nocase (ASCII only).
 *   - An empty string matches only the empty pattern ("*" does not match "").
 *   - Reaching more than GLOB_STARS_NESTED_MAX non-trailing stars on one
 *     attempt means no match (Redis's defence against abusive patterns).
 *
 * Redis recurses once per '*' and gives up on all earlier stars as soon as
 * one star has tried every position. That makes only the most recent star a
 * useful backtracking point, so this file keeps that single point in two
 * variables and loops instead of recursing. The invariant of the main loop is
 * that at least one byte of the string is left to match. */
#include "engine/glob.h"

#include <assert.h>

/* Redis 7.0.9+ (CVE-2022-36021) stops matching once its recursion passes
 * 1000 nested stars. Each star on the current attempt is one level. */
#define GLOB_STARS_NESTED_MAX 1000

static int glob_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static bool glob_same(char a, char b, bool nocase)
{
    if (!nocase)
        return a == b;
    return glob_lower((unsigned char)a) == glob_lower((unsigned char)b);
}

/* Matches one byte against the class starting just after '['. Moves *p past
 * the closing ']' (or to the end of an unterminated class). */
static bool glob_class(const char *pattern, size_t pattern_len, size_t *p, char c, bool nocase)
{
    size_t i = *p;
    bool negate = i < pattern_len && pattern[i] == '^';
    bool found = false;
    if (negate)
        i++;
    while (i < pattern_len && pattern[i] != ']') {
        size_t left = pattern_len - i;
        if (pattern[i] == '\\' && left >= 2) {
            i++;
            if (pattern[i] == c)
                found = true;
        } else if (left >= 3 && pattern[i + 1] == '-') {
            /* Plain char is signed here, as in Redis on x86-64. */
            int start = (signed char)pattern[i];
            int end = (signed char)pattern[i + 2];
            int value = (signed char)c;
            if (start > end) {
                int swap = start;
                start = end;
                end = swap;
            }
            if (nocase) {
                start = glob_lower(start);
                end = glob_lower(end);
                value = glob_lower(value);
            }
            if (value >= start && value <= end)
                found = true;
            i += 2;
        } else if (glob_same(pattern[i], c, nocase)) {
            found = true;
        }
        i++;
    }
    if (i < pattern_len)
        i++; /* the closing ']' */
    assert(i <= pattern_len);
    *p = i;
    return negate ? !found : found;
}

/* Matches the single-byte token at *p (anything but '*') against c and
 * moves *p past it. */
static bool glob_token(const char *pattern, size_t pattern_len, size_t *p, char c, bool nocase)
{
    size_t i = *p;
    assert(i < pattern_len);
    assert(pattern[i] != '*');
    switch (pattern[i]) {
    case '?':
        *p = i + 1;
        return true;
    case '[':
        *p = i + 1;
        return glob_class(pattern, pattern_len, p, c, nocase);
    case '\\':
        if (pattern_len - i >= 2)
            i++;
        /* A trailing backslash stands for itself. */
        *p = i + 1;
        return glob_same(pattern[i], c, nocase);
    default:
        *p = i + 1;
        return glob_same(pattern[i], c, nocase);
    }
}

bool glob_match(const char *pattern, size_t pattern_len, const char *s, size_t s_len, bool nocase)
{
    assert(pattern != NULL || pattern_len == 0);
    assert(s != NULL || s_len == 0);
    if (s_len == 0)
        return pattern_len == 0;

    size_t p = 0, i = 0;
    size_t star_p = 0, star_i = 0; /* resume point after the latest star */
    bool star_seen = false;
    int stars_nested = 0;
    for (;;) {
        bool matched;
        if (p < pattern_len && pattern[p] == '*') {
            while (p + 1 < pattern_len && pattern[p + 1] == '*')
                p++;
            if (p + 1 == pattern_len)
                return true; /* a trailing star takes the rest */
            if (++stars_nested > GLOB_STARS_NESTED_MAX)
                return false;
            star_seen = true;
            star_p = p + 1;
            star_i = i;
            p = star_p;
            continue;
        }
        matched = p < pattern_len && glob_token(pattern, pattern_len, &p, s[i], nocase);
        if (matched && ++i == s_len) {
            while (p < pattern_len && pattern[p] == '*')
                p++;
            matched = p == pattern_len;
            if (matched)
                return true;
        }
        if (matched)
            continue;
        /* Let the latest star take one more byte; once it has tried every
         * start, no earlier star can help either. */
        if (!star_seen || ++star_i == s_len)
            return false;
        p = star_p;
        i = star_i;
    }
}
