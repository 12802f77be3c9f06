/* arg.h: reading a command's arguments (c->argv) in handlers: keywords,
 * integers, floats, SCAN cursors and options. The parsers that fail reply
 * Redis 7.0's error themselves and return false. */
#ifndef RINGKV_NET_COMMANDS_ARG_H
#define RINGKV_NET_COMMANDS_ARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/core/args.h"

struct client;

static inline bool arg_equals(const struct resp_arg *a, const char *lower)
{
    size_t n = 0;
    for (; lower[n]; n++) {
        if (n >= a->len)
            return false;
        char ch = a->ptr[n];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != lower[n])
            return false;
    }
    return n == a->len;
}
/* Parses argv[i] as a long long; on failure replies msg (or the standard
 * "value is not an integer or out of range") and returns false. */
bool arg_get_ll(struct client *c, int i, long long *out, const char *msg);
/* Parses a SCAN-family cursor as Redis 7.0 does (strtoul semantics: an
 * optional sign, a negative value wraps, "" is 0, overflow or trailing
 * bytes are invalid). Returns false without replying. */
bool arg_get_cursor(const struct resp_arg *arg, uint64_t *out);
/* SCAN's default COUNT. */
#define ARG_SCAN_COUNT_DEFAULT 10
/* HSCAN/SSCAN/ZSCAN options (COUNT, MATCH) from argv[first]; replies and
 * returns false on a bad one. *pattern is NULL when there is none or "*". */
bool arg_get_scan_options(struct client *c, int first, long long *count,
                          const struct resp_arg **pattern);
/* Parses argv[i] as a double; replies "value is not a valid float" on failure. */
bool arg_get_double(struct client *c, int i, double *out, const char *msg);

#endif
