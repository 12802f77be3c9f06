/* glob.h: Redis's glob matching (stringmatchlen), used by KEYS, SCAN MATCH,
 * CONFIG GET and CLIENT LIST-style filters. */
#ifndef RINGKV_ENGINE_GLOB_H
#define RINGKV_ENGINE_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/* Matches s against pattern: '*', '?', '[abc]', '[^a-z]', '\' escapes, as
 * Redis 7.0 does, including its handling of malformed classes. Recursion on
 * '*' is bounded (Redis returns no match past a nesting limit). */
bool glob_match(const char *pattern, size_t pattern_len, const char *s, size_t s_len, bool nocase);

#endif
