/* number.c: canonical number parsing and formatting (see number.h). */
#include "engine/number.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

bool number_parse_ll(const char *s, size_t len, long long *out)
{
    if (len == 0 || len > 20)
        return false;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    size_t i = 0;
    bool negative = false;
    if (s[0] == '-') {
        negative = true;
        i = 1;
        if (len == 1)
            return false;
    }
    if (s[i] < '1' || s[i] > '9')
        return false;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - digit) / 10)
            return false;
        v = v * 10 + digit;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1)
            return false;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX)
            return false;
        *out = (long long)v;
    }
    return true;
}

/* Copies s into a NUL-terminated stack buffer for strtod; false if too long
 * or it holds a NUL or leading space (strtod would skip spaces). */
static bool number_copy_text(const char *s, size_t len, char *buf, size_t buf_len)
{
    if (len == 0 || len >= buf_len || isspace((unsigned char)s[0]))
        return false;
    if (memchr(s, '\0', len))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

bool number_parse_double(const char *s, size_t len, double *out)
{
    char buf[NUMBER_TEXT_BYTES_MAX];
    if (!number_copy_text(s, len, buf, sizeof(buf)))
        return false;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v))
        return false;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO))
        return false;
    *out = v;
    return true;
}

bool number_parse_long_double(const char *s, size_t len, long double *out)
{
    char buf[NUMBER_TEXT_BYTES_MAX];
    if (!number_copy_text(s, len, buf, sizeof(buf)))
        return false;
    char *end;
    errno = 0;
    long double v = strtold(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v))
        return false;
    /* Like Redis's string2ld: out-of-range only counts when the result
     * overflowed to infinity or underflowed to zero. */
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO))
        return false;
    *out = v;
    return true;
}

size_t number_format_ll(char *buf, long long value)
{
    /* Every reply header goes through here, so no stdio: digits are
     * written backwards into a scratch buffer and copied out. */
    char tmp[24];
    size_t n = 0;
    unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t len = 0;
    if (value < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

size_t number_format_long_double(char *buf, long double value)
{
    if (isinf(value) || isnan(value))
        return 0;
    /* %.17Lf then strip trailing zeros and a trailing point, as Redis does,
     * so 3.0 prints "3" and 10.5 prints "10.5". */
    int len = snprintf(buf, NUMBER_TEXT_BYTES_MAX, "%.17Lf", value);
    if (len <= 0 || len >= NUMBER_TEXT_BYTES_MAX)
        return 0;
    if (strchr(buf, '.')) {
        char *p = buf + len - 1;
        while (*p == '0') {
            p--;
            len--;
        }
        if (*p == '.')
            len--;
    }
    if (len == 2 && buf[0] == '-' && buf[1] == '0')
        len = 1, buf[0] = '0';
    buf[len] = '\0';
    return (size_t)len;
}

size_t number_format_double(char *buf, size_t buf_len, double value)
{
    if (isinf(value))
        return (size_t)snprintf(buf, buf_len, "%s", value > 0 ? "inf" : "-inf");
    return (size_t)snprintf(buf, buf_len, "%.17g", value);
}
