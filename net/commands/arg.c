/* arg.c: reading a command's arguments: numbers, SCAN cursors and options,
 * with Redis 7.0's error replies (see arg.h). */
#include "net/commands/arg.h"

#include <ctype.h>
#include <stdint.h>

#include "engine/number.h"
#include "net/commands/client.h"
#include "net/commands/reply.h"

bool arg_get_ll(struct client *c, int i, long long *out, const char *msg)
{
    if (number_parse_ll(c->argv[i].ptr, c->argv[i].len, out))
        return true;
    if (msg)
        reply_error(c, msg);
    else
        reply_error_not_integer(c);
    return false;
}

bool arg_get_double(struct client *c, int i, double *out, const char *msg)
{
    if (number_parse_double(c->argv[i].ptr, c->argv[i].len, out))
        return true;
    if (msg)
        reply_error(c, msg);
    else
        reply_error_not_float(c);
    return false;
}

/* Parses a cursor as Redis 7.0's parseScanCursorOrReply: strtoul in base
 * 10, so an optional sign (a negative value wraps), no leading space, and
 * nothing after the digits but the end of the string (a NUL ends it, as in
 * C). An empty string is cursor 0. Overflow is an error. */
bool arg_get_cursor(const struct resp_arg *arg, uint64_t *out)
{
    const char *p = arg->ptr;
    size_t len = arg->len, i = 0;
    if (len > 0 && isspace((unsigned char)p[0]))
        return false;
    bool negative = false;
    if (i < len && (p[i] == '+' || p[i] == '-'))
        negative = p[i++] == '-';
    size_t digits_start = i;
    uint64_t v = 0;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        uint64_t digit = (uint64_t)(p[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    /* With no digits strtoul converts nothing and points back at the start,
     * which is acceptable only when the string is empty. */
    if (i == digits_start)
        return len == 0 || p[0] == '\0';
    if (i < len && p[i] != '\0')
        return false;
    *out = negative ? (uint64_t)0 - v : v;
    return true;
}

/* Parses HSCAN/SSCAN/ZSCAN's options from argv[first] on, in pairs as
 * Redis does: COUNT n (at least 1, default ARG_SCAN_COUNT_DEFAULT) and
 * MATCH pattern ("*" becomes NULL: it matches everything, so no filtering).
 * Replies the error and returns false on a bad option. */
bool arg_get_scan_options(struct client *c, int first, long long *count,
                          const struct resp_arg **pattern)
{
    *count = ARG_SCAN_COUNT_DEFAULT;
    *pattern = NULL;
    for (int i = first; i < c->argc; i += 2) {
        bool has_value = c->argc - i >= 2;
        if (has_value && arg_equals(&c->argv[i], "count")) {
            if (!arg_get_ll(c, i + 1, count, NULL))
                return false;
            if (*count < 1) {
                reply_error_syntax(c);
                return false;
            }
        } else if (has_value && arg_equals(&c->argv[i], "match")) {
            const struct resp_arg *p = &c->argv[i + 1];
            *pattern = p->len == 1 && p->ptr[0] == '*' ? NULL : p;
        } else {
            reply_error_syntax(c);
            return false;
        }
    }
    return true;
}
